"""naiman-specialty: the scoring. Each building specialty is judged against its own signed commitments
(承诺书): the attainment of every committed indicator, weighted by category, gives the objective score; the
on-site check (现场核查) gives the rest. Pure: data frames in, data frames out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pandas as pd

from evalbook.committee.experts import REGISTRY_FILE, recused_rows
from evalbook.core.columns import per_distinct
from evalbook.core.exact import ONE, ZERO, clipped_progress, exact, exact_sum, maybe_exact, mean, plain, shown
from evalbook.core.ranking import rank_within_groups
from evalbook.core.rubric import Rubric
from evalbook.schemes.naiman_specialty.inputs import catalog

SCORE_COLUMNS = ["code", "name", "specialty", "objective_score", "onsite_score", "total", "passed", "rank", "recommended"]
INDICATOR_COLUMNS = ["code", "specialty", "indicator", "baseline", "target", "actual", "attainment", "weight"]


@dataclass
class SpecialtyScores:
    """A year's result: one row per building specialty, one per committed indicator, and notes."""

    units: pd.DataFrame
    indicators: pd.DataFrame
    worsened: pd.DataFrame
    rechecks: pd.DataFrame
    candidates: pd.DataFrame
    categories: pd.DataFrame = field(default_factory=pd.DataFrame)


def attainment(actual, baseline, target, direction: str) -> Fraction:
    """docs/rules/naiman-specialty.md: a = clip((actual − baseline) / (target − baseline), 0, 1); equal target and baseline
    by direction (higher: actual ≥ target; lower: ≤; neutral: =). No actual (e.g. not ranked) → 0."""
    if actual is None or (type(actual) is not Fraction and pd.isna(actual)):
        return ZERO
    actual, baseline, target = exact(actual), exact(baseline), exact(target)
    if target.numerator == baseline.numerator and target.denominator == baseline.denominator:  # equal (both reduced)
        met = {"higher": actual >= target, "lower": actual <= target, "neutral": actual == target}[direction]
        return ONE if met else ZERO
    return clipped_progress(actual, baseline, target)


DIRECTION_WORDS = {"higher": "正向指标（越高越好）", "lower": "负向指标（越低越好）", "neutral": "中性指标（应等于目标）"}


def shortfall(actual, baseline, target, direction: str) -> str:
    """Why a committed indicator's attainment is below 1, in words ("" when it is 1): the actual value
    against the baseline and the target, by the indicator's direction."""
    a = attainment(actual, baseline, target, direction)
    if a >= 1:
        return ""
    kind = DIRECTION_WORDS[direction]
    if actual is None or pd.isna(actual):
        return f"{kind}：本年度未填报（或未上榜），达成度按0计；目标{plain(target)}。"
    actual, baseline, target = exact(actual), exact(baseline), exact(target)
    if target == baseline:
        need = {"higher": f"不低于{plain(target)}", "lower": f"不高于{plain(target)}",
                "neutral": f"等于{plain(target)}"}[direction]
        return f"{kind}：目标值与基线值同为{plain(target)}，实际{plain(actual)}，未{need}，达成度为0。"
    moved = (actual - baseline) / (target - baseline)
    if moved <= 0:
        return (f"{kind}：实际{plain(actual)}，较基线{plain(baseline)}没有向目标{plain(target)}方向改善"
                f"（{'变差' if moved < 0 else '持平'}），达成度为0。")
    return (f"{kind}：实际{plain(actual)}，从基线{plain(baseline)}向目标{plain(target)}只完成了"
            f"(实际 − 基线) ÷ (目标 − 基线) = {shown(moved * 100)}%。")


def actual_values(indicators: pd.DataFrame, recheck: pd.DataFrame | None, year: int,
                  tolerance: float) -> tuple[dict, pd.DataFrame]:
    """The year's values per (code, specialty, indicator), rechecked values replacing reported ones."""
    values = _first_values(indicators[indicators["period"] == str(year)])
    tolerance = exact(tolerance)
    rechecks = pd.DataFrame(columns=["code", "specialty", "indicator", "reported", "checked", "difference", "flagged", "note"])
    if recheck is not None and len(recheck):
        rows = []
        for r in recheck.itertuples():
            key = (r.code, r.specialty, r.indicator)
            reported = values.get(key, None)
            checked = maybe_exact(r.checked_value)
            difference = abs(checked - reported) if reported is not None and checked is not None else None
            # exactly 5 % is within the line: 3.3 → 3.465 differs by 0.165 = 0.05 × 3.3, not more
            flagged = bool(difference is None or difference > tolerance * abs(reported))
            rows.append((r.code, r.specialty, r.indicator, reported, checked, difference, flagged, r.note))
            values[key] = checked
        rechecks = pd.DataFrame(rows, columns=rechecks.columns)
    return values, rechecks


def _first_values(rows: pd.DataFrame) -> dict[tuple, Fraction | None]:
    """(code, specialty, indicator) → the exact ``value_num`` of the first such row (None where empty), in one pass:
    a Series with a three-level index costs seconds to build and to read for a province's survey."""
    keys = list(zip(rows["code"].tolist(), rows["specialty"].tolist(), rows["indicator"].tolist(), strict=True))
    numbers = [v if type(v) is Fraction else maybe_exact(v) for v in rows["value_num"].tolist()]
    return dict(zip(reversed(keys), reversed(numbers), strict=True))  # the last written wins: the first row


def score_cohort(institutions: pd.DataFrame, specialties: pd.DataFrame, indicators: pd.DataFrame, targets: pd.DataFrame,
                 onsite: pd.DataFrame, recheck: pd.DataFrame | None, rubric: Mapping[str, Any] | Rubric,
                 year: int) -> SpecialtyScores:
    """Score every building specialty and rank the cohort. Pure: data frames in, data frames out."""
    rubric = rubric.data if isinstance(rubric, Rubric) else rubric
    cat = catalog()
    names = institutions.set_index("code")["name"].to_dict()
    lower = list(cat.index[cat["direction"] == "lower"])
    # only the indicators a score reads (committed, rechecked, or judged for worsening): a province's survey has
    # 1.4 million values, most of them read by no score
    read = set(targets["indicator"].dropna()) | set(lower)
    if recheck is not None:
        read |= set(recheck["indicator"].dropna())
    indicators = indicators[indicators["indicator"].isin(read)]
    value_of, rechecks = actual_values(indicators, recheck, year, rubric["recheck_tolerance"])
    baseline_of = _first_values(indicators[indicators["period"] == str(rubric["baseline_period"])])
    building = specialties[specialties["status"] == "building"]
    flagged_units = set(zip(rechecks.loc[rechecks["flagged"], "code"], rechecks.loc[rechecks["flagged"], "specialty"],
                            strict=True))
    dims = list(rubric["onsite_dimensions"])
    # each specialty's rows, found once (not by filtering whole tables per specialty: O(n²) at scale)
    pledged = _rows_by_unit(targets, ["indicator", "baseline", "target"])
    # each expert's mean over the dimensions; a recused one (应回避) left out under the rubric's panel.recusal: exclude
    counted = onsite if rubric["panel"]["recusal"] != "exclude" or "recused" not in onsite else onsite[~onsite["recused"]]
    expert_means = _rows_by_unit(counted.assign(expert_mean=[mean(row) for row in zip(*(counted[d] for d in dims), strict=True)]),
                                 ["expert_mean"])
    category_of, direction_of = cat["category"].to_dict(), cat["direction"].to_dict()
    category_weights = {c: exact(w) for c, w in rubric["category_weights"].items()}
    objective_weight, onsite_weight = exact(rubric["weights"]["objective"]), exact(rubric["weights"]["onsite"])
    pass_mark = exact(rubric["pass_mark"])
    unit_rows, indicator_rows, worsened_rows, category_rows = [], [], [], []
    shapes: dict[tuple, tuple] = {}  # the weights of each count of indicators per category, made once
    for sp in building.itertuples():
        unit = (sp.code, sp.specialty)
        mine = pledged.get(unit, [])
        counts = Counter(category_of[indicator] for indicator, _, _ in mine)
        shape = tuple(counts.get(c, 0) for c in category_weights)
        if shape not in shapes:
            shapes[shape] = _weights(category_weights, counts)
        present, scale, weights = shapes[shape]
        attained: dict[str, list[Fraction]] = {c: [] for c in present}
        for indicator, baseline, target in mine:
            category = category_of[indicator]
            actual = value_of.get((sp.code, sp.specialty, indicator))
            baseline, target = exact(baseline), exact(target)
            a = attainment(actual, baseline, target, direction_of[indicator])
            attained[category].append(a)
            indicator_rows.append((sp.code, sp.specialty, indicator, baseline, target, actual, a, weights[category]))
        objective = ZERO  # Σ w·a over the indicators, summed category by category (weights sum to 100)
        for category, w in present.items():
            summed = exact_sum(attained[category])
            category_rows.append((sp.code, sp.specialty, category, w * scale, summed / len(attained[category])))
            objective += weights[category] * summed
        experts = expert_means.get(unit)  # each expert's mean over the dimensions
        onsite_score = mean(m for (m,) in experts) if experts else ZERO
        total = objective_weight * objective + onsite_weight * onsite_score
        passed = total >= pass_mark
        flagged = unit in flagged_units
        recommended = passed and not (flagged and rubric["recommend_excludes_flagged"])
        unit_rows.append({"code": sp.code, "name": names.get(sp.code, ""), "specialty": sp.specialty,
                          "objective_score": objective, "onsite_score": onsite_score, "total": total,
                          "passed": passed, "recommended": recommended, "flagged": flagged, "field": sp.field})
        for indicator in lower:
            before = baseline_of.get((sp.code, sp.specialty, indicator))
            now = value_of.get((sp.code, sp.specialty, indicator))
            if before is not None and now is not None and now > before:
                worsened_rows.append((sp.code, sp.specialty, indicator, before, now))
    units = pd.DataFrame(unit_rows, columns=[*SCORE_COLUMNS[:6], "passed", "recommended", "flagged", "field"])
    units["group"] = "all"
    units["rank"] = rank_within_groups(units, rubric["ranking"]["order"]) if len(units) else pd.Series(dtype="Int64")
    units = units.drop(columns="group")
    candidates = specialties[specialties["status"] == "candidate"].merge(
        institutions[["code", "name"]], on="code", how="left")
    return SpecialtyScores(
        units=units[[*SCORE_COLUMNS, "flagged", "field"]],
        indicators=pd.DataFrame(indicator_rows, columns=INDICATOR_COLUMNS),
        worsened=pd.DataFrame(worsened_rows, columns=["code", "specialty", "indicator", "baseline", "actual"]),
        rechecks=rechecks,
        candidates=candidates[["code", "name", "specialty", "field"]].reset_index(drop=True),
        categories=pd.DataFrame(category_rows, columns=["code", "specialty", "category", "weight", "attainment"]),
    )


def _weights(category_weights: dict[str, Fraction], counts: Counter) -> tuple[dict, Fraction, dict]:
    """The categories with an indicator (their weights), the factor renormalising those to Σ = 100, and each
    category's weight per indicator (W_cat / n_cat, renormalised to Σ = 100)."""
    present = {c: w for c, w in category_weights.items() if counts.get(c, 0)}
    scale = 100 / sum(present.values()) if present else ZERO
    return present, scale, {c: w / counts[c] * scale for c, w in present.items()}


def _rows_by_unit(frame: pd.DataFrame, columns: list[str]) -> dict[tuple[str, str], list[tuple]]:
    """Each specialty's rows as tuples of ``columns``, in file order, in one pass over ``frame``.

    A data frame per specialty (a groupby) costs milliseconds each: seconds for a large cohort.
    Rows without a code or specialty belong to no specialty (as in a groupby).
    """
    frame = frame.dropna(subset=["code", "specialty"])
    out: dict[tuple[str, str], list[tuple]] = {}
    rows = zip(*(frame[c].tolist() for c in columns), strict=True)
    for key, row in zip(zip(frame["code"].tolist(), frame["specialty"].tolist(), strict=True), rows, strict=True):
        out.setdefault(key, []).append(row)
    return out


def score(intake) -> SpecialtyScores:
    """Score from exact numbers: every value read from its cell's text (``Intake.exact``)."""
    recheck = intake.exact("recheck.csv") if "recheck.csv" in intake.typed else None
    indicators = intake.frame("indicators.csv")
    cells = indicators["value"].where(indicators["value_num"].notna())  # a number's text; null where no number
    indicators = indicators.assign(  # each distinct text read once: a province's survey repeats its values
        value_num=per_distinct(cells, lambda texts: texts.map(lambda t: exact(t) if pd.notna(t) else None)).astype(object))
    return score_cohort(intake.frame("institutions.csv"), intake.frame("specialties.csv"), indicators,
                        intake.exact("targets.csv"), onsite_scores(intake), recheck, intake.rubric, intake.year)


def onsite_scores(intake) -> pd.DataFrame:
    """onsite.csv (exact) with each expert's ``mean`` of the three dimensions and ``recused`` (the expert registry,
    ``experts.csv``, places the expert at the specialty's institution: 应回避)."""
    rows = intake.exact("onsite.csv")
    dims = list(intake.rubric["onsite_dimensions"])
    return rows.assign(mean=[mean(r) for r in zip(*(rows[d] for d in dims), strict=True)],
                       recused=[bool(r) for r in recused_rows(rows["code"], rows["expert"], intake.typed.get(REGISTRY_FILE))])
