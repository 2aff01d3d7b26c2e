"""wendeng-featured: the cohort scoring. 16 items (formulas in ``items``), the 70/30 composite with the
expert scores, ranking within the two groups, unit and project awards. Pure: data frames in, data frames out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evalbook.committee.experts import REGISTRY_FILE, recused_rows
from evalbook.core.exact import exact, exact_sum, maybe_exact, mean, plain
from evalbook.core.ranking import award_for_rank, rank_within_groups
from evalbook.core.rubric import Rubric
from evalbook.schemes.wendeng_featured.inputs import DIMENSIONS, FACTS
from evalbook.schemes.wendeng_featured.items import Judgment, abstain_penalty, score_items

ITEM_COLUMNS = [f"item_{n:02d}" for n in range(1, 17)]
UNIT_COLUMNS = ["code", "name", "group", *ITEM_COLUMNS, "penalty", "rubric_score", "expert_score", "total",
                "group_rank", "award", "prize_wan"]
PROJECT_COLUMNS = ["code", "name", "group", "project", "experts", "project_score", "group_rank", "award", "prize_wan"]


@dataclass
class CohortScores:
    """A year's result: one row per unit, one per project, and each unit's item traces."""

    units: pd.DataFrame
    projects: pd.DataFrame
    items: dict[str, list] = field(default_factory=dict)
    # ``item_means`` of the whole cohort, as a run's snapshot keeps it (None: averaged from ``units`` when asked)
    group_means: pd.DataFrame | None = None

    def item_means_of(self, group: str) -> dict[str, Any]:
        """The exact mean of each item's score over ``group``'s members ({item column: Fraction})."""
        means = self.group_means
        if means is None:
            means = item_means(self.units[self.units["group"] == group])
        row = means[means["group"] == group]
        return {column: row[column].iloc[0] for column in ITEM_COLUMNS}


def item_means(units: pd.DataFrame) -> pd.DataFrame:
    """Each group's exact mean of each item's score: a row per group (``group`` and the item columns, Fractions).
    The same for every report of the group, so a batch works it out once, for its snapshot."""
    rows = [{"group": group, **{column: mean(peers[column]) for column in ITEM_COLUMNS}}
            for group, peers in units.groupby("group", sort=True)]
    return pd.DataFrame(rows, columns=["group", *ITEM_COLUMNS]).astype({c: object for c in ITEM_COLUMNS})


def typed_facts(facts: pd.DataFrame) -> pd.DataFrame:
    """facts.csv as the formulas read it: ints as int, bools as bool, ranks as tuples, amounts as
    exact Fractions (``Intake.exact`` gives them from the text; a float here is read by its decimal form)."""
    out = facts.copy()
    for column in FACTS:
        if column.kind == "int":
            out[column.name] = out[column.name].astype("int64")
        elif column.kind == "bool":
            out[column.name] = out[column.name].astype(bool)
        elif column.kind == "number":
            out[column.name] = out[column.name].map(maybe_exact).astype(object)
    return out


def judgments_by_item(judgments: pd.DataFrame, code: str) -> dict[int, Judgment]:
    return judgments_by_code(judgments).get(code, {})


def judgments_by_code(judgments: pd.DataFrame) -> dict[str, dict[int, Judgment]]:
    """Every institution's evaluator judgments by item, in one pass: {code: {item: Judgment}}."""
    collected: dict[str, dict[int, list]] = {}
    for r in judgments.itertuples(index=False):
        collected.setdefault(r.code, {}).setdefault(int(r.item), []).append(r)
    return {code: {item: Judgment(sum((exact(r.points) for r in rows), exact(0)),
                                  tuple(f"{r.reason}（{r.evaluator}，扣{plain(r.points)}分）" for r in rows))
                   for item, rows in sorted(items.items())}
            for code, items in collected.items()}


def project_scores(expert_scores: pd.DataFrame, exclude_recused: bool = True) -> pd.DataFrame:
    """Annex 4: a project's score is the exact mean over its experts of the six-dimension sum. A score marked
    ``recused`` (the expert is of the project's institution: 应回避) is left out under ``exclude_recused`` (the
    rubric's ``panel.recusal: exclude``); ``experts`` counts the scores in the mean. A project with no score left
    has no row (validation refuses that case; leave-one-expert-out can reach it)."""
    recused = expert_scores["recused"] if "recused" in expert_scores else [False] * len(expert_scores)
    sums: dict[tuple, list] = {}
    for own, *row in zip(recused, expert_scores["code"], expert_scores["project"], *(expert_scores[d] for d in DIMENSIONS),
                         strict=True):
        scores = sums.setdefault((row[0], row[1]), [])
        if not (own and exclude_recused):
            scores.append(exact_sum(row[2:]))
    return pd.DataFrame([(code, project, len(s), mean(s)) for (code, project), s in sums.items() if s],
                        columns=["code", "project", "experts", "project_score"])


def expert_sums(intake) -> pd.DataFrame:
    """expert_scores.csv (exact) with each score's six-dimension ``sum`` and ``recused`` (the expert registry,
    ``experts.csv``, places the expert at the project's institution)."""
    rows = intake.exact("expert_scores.csv")
    registry = intake.typed.get(REGISTRY_FILE)
    return rows.assign(sum=[exact_sum(r) for r in zip(*(rows[d] for d in DIMENSIONS), strict=True)],
                       recused=recused_rows(rows["code"], rows["expert"], registry))


def score_cohort(institutions: pd.DataFrame, facts: pd.DataFrame, judgments: pd.DataFrame,
                 expert_scores: pd.DataFrame, rubric: Mapping[str, Any] | Rubric) -> CohortScores:
    """Score, rank and award a whole year. Pure: data frames in, data frames out."""
    rubric = rubric.data if isinstance(rubric, Rubric) else rubric
    facts = typed_facts(facts).set_index("code")
    weights = rubric["weights"]
    projects = project_scores(expert_scores, rubric["panel"]["recusal"] == "exclude")
    by_unit: dict[str, list] = {}
    for code, value in zip(projects["code"], projects["project_score"], strict=True):
        by_unit.setdefault(code, []).append(value)
    unit_expert = {code: mean(values) for code, values in by_unit.items()}  # 所有项目的平均得分, exact
    w_rubric, w_expert = exact(weights["rubric"]), exact(weights["expert"])
    rows, traces = [], {}
    fact_rows = facts.to_dict("index")
    judged = judgments_by_code(judgments)
    memo: dict = {}  # institutions alike on an item's facts share its score and trace (see score_items)
    for inst in institutions.itertuples(index=False):
        f = fact_rows[inst.code]
        items = score_items(f, inst.group, judged.get(inst.code, {}), rubric, memo)
        traces[inst.code] = items
        rubric_score = sum((i.score for i in items), exact(0))
        penalty = abstain_penalty(f, rubric)
        expert = exact(unit_expert.get(inst.code, rubric["unscored_unit_expert_score"]))
        if rubric["items"][12]["params"]["penalty_applies_to"] == "rubric":
            total = w_rubric * (rubric_score - penalty) + w_expert * expert
        else:
            total = w_rubric * rubric_score + w_expert * expert - penalty
        rows.append({"code": inst.code, "name": inst.name, "group": inst.group,
                     **{f"item_{i.number:02d}": i.score for i in items},
                     "penalty": penalty, "rubric_score": rubric_score, "expert_score": expert, "total": total})
    units = pd.DataFrame(rows, columns=UNIT_COLUMNS[:-3])
    units["group_rank"] = rank_within_groups(units, rubric["ranking"]["order"])
    awards = [award_for_rank(int(r.group_rank), rubric["unit_awards"][r.group]) for r in units.itertuples()]
    units["award"] = [a for a, _ in awards]
    units["prize_wan"] = [p for _, p in awards]
    return CohortScores(units[UNIT_COLUMNS], _award_projects(projects, institutions, rubric), traces)


def _award_projects(projects: pd.DataFrame, institutions: pd.DataFrame, rubric: Mapping[str, Any]) -> pd.DataFrame:
    frame = projects.merge(institutions[["code", "name", "group"]], on="code", how="inner")
    frame["group_rank"] = rank_within_groups(frame, ["project_score"])
    excellence = rubric["project_awards"]["excellence"]
    awards, prizes = [], []
    for row in frame.itertuples():
        award, prize = award_for_rank(int(row.group_rank), rubric["project_awards"][row.group])
        if not award and row.project_score >= exact(excellence["min_score"]):
            award, prize = excellence["award"], exact(excellence["prize_wan"][row.group])
        awards.append(award)
        prizes.append(prize)
    frame["award"], frame["prize_wan"] = awards, prizes
    frame["experts"] = frame["experts"].astype("int64")
    order = institutions.reset_index(drop=True).reset_index().set_index("code")["index"]
    frame = frame.assign(_order=frame["code"].map(order)).sort_values(["_order"], kind="mergesort")
    return frame[PROJECT_COLUMNS].reset_index(drop=True)


def score(intake) -> CohortScores:
    """Score a validated intake (the batch and the notebooks call this)."""
    return score_cohort(intake.frame("institutions.csv"), intake.exact("facts.csv"), intake.exact("judgments.csv"),
                        expert_sums(intake), intake.rubric)
