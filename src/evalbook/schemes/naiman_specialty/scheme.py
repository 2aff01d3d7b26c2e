"""Scheme ``naiman-specialty``: 临床重点专科建设评估 (奈卫健字〔2024〕84号), the ``Scheme`` the registry finds.

Each building specialty is judged against its own signed commitments (承诺书): the attainment
of every committed indicator, weighted by category, gives the objective score; the on-site check
(现场核查) gives the rest. The 69-row survey table is the data; its catalog
(``rubrics/naiman-specialty-catalog.csv``) drives the suites, the reports and the templates.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evalbook.core.scheme import DECISION_COLUMNS, PANEL_SCORE_COLUMNS, Scheme
from evalbook.inputs.synth import Recipe
from evalbook.output.rubric_docs import label
from evalbook.schemes.naiman_specialty import bulletin, inputs, plausibility, scoring
from evalbook.schemes.naiman_specialty import rubric as rubric_file
from evalbook.schemes.naiman_specialty.inputs import catalog
from evalbook.schemes.naiman_specialty.rules_doc import naiman_markdown
from evalbook.schemes.naiman_specialty.scoring import SCORE_COLUMNS, SpecialtyScores

# What --only compares after a correction (see evalbook.run.stale): the published table a specialty's report
# shows (its own row, and how many building specialties are ranked), and the columns whose change the
# summary names (who moved).
# panel.csv and leave_one_out.csv: a report's 专家评分与回避 section shows its own rows of both
REPORT_TABLES = ("scores.csv", "panel.csv", "leave_one_out.csv")
MOVES = (("scores.csv", ("code", "specialty"), {"rank": ("名次", "rank"), "passed": ("合格", "passed"),
                                               "recommended": ("推荐", "recommended")}),)
CHANGES = (("scores.csv", ("code", "specialty"), ("objective_score", "onsite_score", "total", "passed", "rank",
                                                  "recommended")),)  # every value a correction can change (changes.csv)


class NaimanSpecialty(Scheme):
    """临床重点专科建设评估: one report per building specialty, its folder ``<code>-<specialty>``."""

    NAME, TITLE, FILES, FILE_LABELS = inputs.NAME, inputs.TITLE, inputs.FILES, inputs.FILE_LABELS
    REQUIRED_FILES, ROOT_FILES, OPTIONAL_COLUMNS = inputs.REQUIRED_FILES, inputs.ROOT_FILES, inputs.OPTIONAL_COLUMNS
    LIST_SOURCES = {"known_codes": "institutions.csv", "known_units": "specialties.csv"}
    FLAT_FALLBACK = True  # indicators carry their own period: files may sit in naiman-specialty/ or naiman-specialty/<year>/
    UNIT_NOTEBOOK = "specialty"
    REPORT_KEY = (("code", "institution"), ("specialty", "specialty"))  # folder: both parts validated, a safe name
    REPORT_TABLES, MOVES, CHANGES = REPORT_TABLES, MOVES, CHANGES
    SNAPSHOT = ("units", "candidates")  # ranks; a report scores its own institution's specialties (scoring.score_cohort)
    WARM = ("evalbook.schemes.naiman_specialty.report",)
    TEMPLATES = "evalbook.schemes.naiman_specialty.templates"
    EXPERT_FILE = "onsite.csv"  # 现场核查: the on-site expert panels (committee/panels.py)

    # Its rules, written as plain functions in its own modules (tested there), given to the interface as they are.
    load_rubric = staticmethod(rubric_file.load_rubric)
    policy_lines = staticmethod(rubric_file.policy_lines)
    extra_expectations = staticmethod(inputs.file_rules)
    suite_parameters = staticmethod(inputs.suite_parameters)
    derive_text = staticmethod(inputs.derive_text)
    derive = staticmethod(inputs.derive)
    derive_tables = staticmethod(inputs.derive_tables)
    row_context = staticmethod(inputs.row_context)
    cross_checks = staticmethod(inputs.cross_checks)
    plausibility = staticmethod(plausibility.plausibility)
    score = staticmethod(scoring.score)
    bulletin_tables = staticmethod(bulletin.bulletin_tables)  # its rankings and awards in the 通报

    def extra_suites(self) -> dict[str, list[dict]]:
        return {"surveys": inputs.survey_rules()}

    def result_tables(self, scores: SpecialtyScores) -> dict[str, pd.DataFrame]:
        return {"units": scores.units, "indicators": scores.indicators}

    def output_tables(self, scores: SpecialtyScores) -> dict[str, pd.DataFrame]:
        """scores.csv and indicator_scores.csv (the CLI contract)."""
        return {"scores.csv": scores.units[SCORE_COLUMNS], "indicator_scores.csv": scores.indicators}

    def decisions(self, scores: SpecialtyScores) -> pd.DataFrame:
        """Each building specialty: its total, rank and pass; its award is the recommendation for the title
        旗级临床重点专科 (推荐), the only distinction the scheme confers; no prize money."""
        u = scores.units
        return pd.DataFrame({"level": "unit", "unit": [f"{c}-{s}" for c, s in zip(u["code"], u["specialty"], strict=True)],
                             "code": u["code"], "name": u["name"], "subject": u["specialty"], "group": "", "total": u["total"],
                             "rank": u["rank"], "award": ["推荐" if r else "" for r in u["recommended"]], "prize_wan": None,
                             "passed": u["passed"]}, columns=DECISION_COLUMNS)

    def expert_scores(self, intake) -> pd.DataFrame:
        """现场核查: each expert's mean of the three dimensions (0–100) of a specialty; the unit is the specialty."""
        rows = scoring.onsite_scores(intake)
        return pd.DataFrame({"row": rows.index, "code": rows["code"],
                             "unit": [f"{c}-{s}" for c, s in zip(rows["code"], rows["specialty"], strict=True)],
                             "subject": rows["specialty"], "expert": rows["expert"], "score": rows["mean"],
                             "recused": rows["recused"]}, columns=PANEL_SCORE_COLUMNS).reset_index(drop=True)

    def report_facts(self, tables) -> dict[str, dict]:
        """Its own row and how many are ranked (the default), and for its 专家评分 section its rows of panel.csv
        and leave_one_out.csv."""
        panels: dict[str, list[dict]] = {}
        for row in tables.get("panel.csv", []):
            panels.setdefault(f"{row['code']}-{row['subject']}", []).append(row)
        for row in tables.get("leave_one_out.csv", []):
            panels.setdefault(row["unit"], []).append(row)
        return {folder: {**shown, "panels": panels.get(folder, [])} for folder, shown in super().report_facts(tables).items()}

    def result_sheets(self, intake, scores: SpecialtyScores) -> list:
        labels = catalog()["value_label"].to_dict()
        units = scores.units
        return [
            ("专科排名", ["名次", "机构代码", "机构名称", "专科", "客观数据得分", "现场核查得分", "总分", "是否合格", "是否推荐",
                          "数据不实"],
             [(r.rank, r.code, r.name, r.specialty, r.objective_score, r.onsite_score, r.total, "合格" if r.passed else "不合格",
               "推荐" if r.recommended else "", "是" if r.flagged else "") for r in units.sort_values("rank").itertuples()]),
            ("承诺指标达成", ["机构代码", "专科", "指标", "指标名称", "基线值", "目标值", "实际值", "达成度", "权重"],
             [(r.code, r.specialty, r.indicator, labels.get(r.indicator, ""), r.baseline, r.target, r.actual, r.attainment,
               r.weight) for r in scores.indicators.itertuples()]),
            ("候选专科", ["机构代码", "机构名称", "专科", "建设方向"], scores.candidates.itertuples(index=False)),
        ]

    def rules_markdown(self, rubric_path: Path | None = None) -> str:
        path = Path(rubric_path or self.rubric_path())
        return naiman_markdown(self.load_rubric(path), catalog(), label(path))

    def synth_recipe(self) -> Recipe:
        return Recipe(2025, ("specialties.csv", "indicators.csv", "targets.csv", "onsite.csv", "recheck.csv"),
                      {"onsite.csv": {"management": (0, 100, 1), "construction": (0, 100, 1), "talent": (0, 100, 1)}},
                      "示例医院{n}（示例）")
