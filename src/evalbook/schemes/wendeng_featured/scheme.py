"""Scheme ``wendeng-featured``: 特色医疗综合考评 (威文卫发〔2023〕5号), the ``Scheme`` the registry finds.

Its parts: ``inputs`` (the contract and its rules), ``rubric`` (the rubric file and 评分口径), ``items``
(the 16 formulas), ``scoring`` (the cohort), ``reasons`` and ``report`` (the report), ``rules_doc``
(``evalbook rubric``) and ``templates`` (the Excel workbooks).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from evalbook.core.scheme import DECISION_COLUMNS, ITEM_SCORE_COLUMNS, PANEL_SCORE_COLUMNS, Scheme
from evalbook.inputs.synth import Recipe
from evalbook.output.rubric_docs import label
from evalbook.schemes.wendeng_featured import bulletin, inputs, plausibility, scoring
from evalbook.schemes.wendeng_featured import rubric as rubric_file
from evalbook.schemes.wendeng_featured.inputs import DIMENSIONS, GROUP_TITLES
from evalbook.schemes.wendeng_featured.rules_doc import wendeng_markdown
from evalbook.schemes.wendeng_featured.scoring import ITEM_COLUMNS, CohortScores

UNIT_HEADERS_ZH = {"code": "机构代码", "name": "机构名称", "group": "分组", "penalty": "放弃比武扣分",
                   "rubric_score": "附件3得分", "expert_score": "专家得分", "total": "总成绩", "group_rank": "组内名次",
                   "award": "单位奖", "prize_wan": "奖金（万元）", "project": "特色项目", "experts": "专家人数",
                   "project_score": "项目得分", **{f"item_{n:02d}": f"第{n}项" for n in range(1, 17)}}


# What --only compares after a correction (see evalbook.run.stale): the published tables an institution's
# report shows, and the columns whose change the summary names (who moved).
# panel.csv and leave_one_out.csv: a report's 专家评分与回避 section shows its own rows of both
REPORT_TABLES = ("scores.csv", "project_scores.csv", "panel.csv", "leave_one_out.csv")
MOVES = (("scores.csv", ("code",), {"group_rank": ("组内名次", "rank"), "award": ("单位奖", "award"),
                                    "prize_wan": ("奖金（万元）", "prize (10k yuan)")}),
         ("project_scores.csv", ("code", "project"), {"group_rank": ("项目名次", "project rank"),
                                                      "award": ("项目奖", "project award"),
                                                      "prize_wan": ("项目奖金（万元）", "project prize (10k yuan)")}))
# every published value a correction can change, per unit (changes.csv): items, totals, expert score, ranks, awards, prizes
CHANGES = (("scores.csv", ("code",), (*ITEM_COLUMNS, "penalty", "rubric_score", "expert_score", "total", "group_rank",
                                      "award", "prize_wan")),
           ("project_scores.csv", ("code", "project"), ("experts", "project_score", "group_rank", "award", "prize_wan")))
GROUP_SHOWN = ("code", "name", "group_rank", "total", *ITEM_COLUMNS)  # group ranking chart, group item averages


class WendengFeatured(Scheme):
    """特色医疗综合考评: one report per institution, ranked and awarded within its group."""

    NAME, TITLE, FILES, FILE_LABELS = inputs.NAME, inputs.TITLE, inputs.FILES, inputs.FILE_LABELS
    REQUIRED_FILES, ROOT_FILES, OPTIONAL_COLUMNS = inputs.REQUIRED_FILES, inputs.ROOT_FILES, inputs.OPTIONAL_COLUMNS
    UNIT_NOTEBOOK = "institution"
    REPORT_KEY = (("code", "institution"),)
    REPORT_TABLES, MOVES, CHANGES = REPORT_TABLES, MOVES, CHANGES
    SNAPSHOT = ("units", "projects")  # ranks and awards; a report scores its own items (scoring.score_cohort)
    WARM = ("evalbook.schemes.wendeng_featured.report",)
    TEMPLATES = "evalbook.schemes.wendeng_featured.templates"  # Excel templates: evalbook template / ingest
    EXPERT_FILE = "expert_scores.csv"  # 附件4: the expert panels (committee/panels.py)

    # Its rules, written as plain functions in its own modules (tested there), given to the interface as they are.
    load_rubric = staticmethod(rubric_file.load_rubric)
    policy_lines = staticmethod(rubric_file.policy_lines)
    extra_expectations = staticmethod(inputs.file_rules)
    suite_parameters = staticmethod(inputs.suite_parameters)
    derive = staticmethod(inputs.derive)
    cross_checks = staticmethod(inputs.cross_checks)
    plausibility = staticmethod(plausibility.plausibility)
    score = staticmethod(scoring.score)
    bulletin_tables = staticmethod(bulletin.bulletin_tables)  # its rankings and awards in the 通报

    def cohort_tables(self, scores: CohortScores) -> dict[str, pd.DataFrame]:
        """Ranks and awards, and each group's item means (averaged once for the run, not once per report)."""
        return {**super().cohort_tables(scores), "group_means": scoring.item_means(scores.units)}

    def result_tables(self, scores: CohortScores) -> dict[str, pd.DataFrame]:
        return {"units": scores.units, "projects": scores.projects}

    def output_tables(self, scores: CohortScores) -> dict[str, pd.DataFrame]:
        """scores.csv and project_scores.csv (the CLI contract)."""
        return {"scores.csv": scores.units, "project_scores.csv": scores.projects}

    def decisions(self, scores: CohortScores) -> pd.DataFrame:
        """Each institution's unit award (rank within its group) and each project's project award; no pass line."""
        u, p = scores.units, scores.projects
        units = pd.DataFrame({"level": "unit", "unit": u["code"], "code": u["code"], "name": u["name"], "subject": "",
                              "group": u["group"].map(GROUP_TITLES),
                              "total": u["total"], "rank": u["group_rank"], "award": u["award"], "prize_wan": u["prize_wan"],
                              "passed": None})
        projects = pd.DataFrame({"level": "project", "unit": p["code"], "code": p["code"], "name": p["name"],
                                 "subject": p["project"], "group": p["group"].map(GROUP_TITLES), "total": p["project_score"],
                                 "rank": p["group_rank"],
                                 "award": p["award"], "prize_wan": p["prize_wan"], "passed": None})
        return pd.concat([units, projects], ignore_index=True)[DECISION_COLUMNS]

    def item_scores(self, scores: CohortScores) -> pd.DataFrame:
        """The 16 items of 附件3 per institution: ``item_01``…, titled as in the rubric (第N项 title)."""
        rows = [(code, f"item_{i.number:02d}", f"第{i.number}项 {i.title}", i.score, i.maximum)
                for code, items in scores.items.items() for i in items]  # in the units' order (a report's: its own)
        return pd.DataFrame(rows, columns=ITEM_SCORE_COLUMNS)

    def expert_scores(self, intake) -> pd.DataFrame:
        """附件4: each expert's six-dimension sum (0–100) of a project; the unit is the project's institution."""
        rows = scoring.expert_sums(intake)
        return pd.DataFrame({"row": rows.index, "code": rows["code"], "unit": rows["code"], "subject": rows["project"],
                             "expert": rows["expert"], "score": rows["sum"], "recused": rows["recused"]},
                            columns=PANEL_SCORE_COLUMNS).reset_index(drop=True)

    def result_sheets(self, intake, scores: CohortScores) -> list:
        def sheet(frame: pd.DataFrame):
            shown = frame.assign(group=frame["group"].map(GROUP_TITLES))
            return [UNIT_HEADERS_ZH[c] for c in frame.columns], shown.itertuples(index=False)

        return [("单位排名", *sheet(scores.units)), ("项目得分", *sheet(scores.projects))]

    def report_facts(self, tables: Mapping[str, list[dict]]) -> dict[str, dict]:
        return report_facts(tables)

    def rules_markdown(self, rubric_path: Path | None = None) -> str:
        path = Path(rubric_path or self.rubric_path())
        return wendeng_markdown(self.load_rubric(path), label(path))

    def synth_recipe(self) -> Recipe:
        return Recipe(2023, ("facts.csv", "judgments.csv", "expert_scores.csv", "project_stats.csv", "ledger.csv"),
                      {"expert_scores.csv": {d: (0, 20 if d in ("advantage", "work") else 15, 0.5) for d in DIMENSIONS}},
                      "示例机构{n}（示例）")


def report_facts(tables: Mapping[str, list[dict]]) -> dict[str, dict]:
    """Per report folder, the cells of the year's tables its report shows (as published text): its own row
    (scores, rank, award, prize), every row of its group (the ranking chart: names, ranks and totals; the item
    averages: each member's item scores), its projects' rows (score, rank, award, prize) and, for its 专家评分 section,
    its rows of panel.csv and leave_one_out.csv."""
    groups: dict[str, list[dict]] = {}
    for row in tables["scores.csv"]:
        groups.setdefault(row["group"], []).append({c: row[c] for c in GROUP_SHOWN})
    projects: dict[str, list[dict]] = {}
    for row in tables["project_scores.csv"]:
        projects.setdefault(row["code"], []).append(row)
    panels: dict[str, list[dict]] = {}  # its expert scores (panel.csv) and what changes without one expert
    for row in tables.get("panel.csv", []):
        panels.setdefault(row["code"], []).append(row)
    for row in tables.get("leave_one_out.csv", []):
        panels.setdefault(row["unit"], []).append(row)
    return {row["code"]: {"unit": row, "group": groups[row["group"]], "projects": projects.get(row["code"], []),
                          "panels": panels.get(row["code"], [])}
            for row in tables["scores.csv"]}
