"""Properties of both scorers on any valid input (hypothesis): every item within [0, its maximum], every
total within the scheme's range, never an exception.

Inputs start from the demo data (read and typed as the notebooks read them, without the suites) and vary
every scored number within what validation accepts: the ranges come from the column declarations and the
rubric (the same ones the suites check), the cross-row rules (an abstainer has no award and no entries,
judgments on the rubric's items in half points up to each item's cap, …) are kept by construction.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalbook.core.registry import get_scheme
from evalbook.inputs.intake import read_inputs
from evalbook.schemes.naiman_specialty import scoring as naiman
from evalbook.schemes.naiman_specialty.inputs import catalog
from evalbook.schemes.wendeng_featured import inputs, scoring

REPO = Path(__file__).resolve().parents[1]
EPS = 1e-9
PROPERTY = settings(max_examples=80, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@cache
def demo(scheme: str, year: int):
    """The demo year as read and typed (no suites: the demo is valid, test_validation proves it)."""
    module = get_scheme(scheme)
    rubric = module.load_rubric(module.rubric_path())
    return read_inputs(module, year, REPO / "data", rubric)


def amounts(high: float, whole: bool = False) -> st.SearchStrategy[float]:
    """A number in [0, high]: the bounds themselves, whole numbers, half points, any float between."""
    edges = st.sampled_from([0.0, float(high)])
    steps = st.integers(0, int(high)).map(float) if whole else st.integers(0, int(2 * high)).map(lambda h: h / 2)
    return edges | steps if whole else edges | steps | st.floats(0, high, allow_nan=False)


# --------------------------------------------------------------------------- wendeng-featured

WENDENG = demo("wendeng-featured", 2023)
W_RUBRIC = WENDENG.rubric.data
BAND_EDGES = sorted({float(b["above"]) for bands in W_RUBRIC["funding_bands"].values() for b in bands})
UNBOUNDED_COUNT = 30  # counts without a maximum (reports, findings, …): far past every rule's threshold


def fact(column) -> st.SearchStrategy:
    if column.kind == "bool":
        return st.booleans()
    if column.kind == "int":
        return amounts(column.high if column.high is not None else UNBOUNDED_COUNT, whole=True)
    if column.kind == "number":  # funds: the band edges, just around them, anything up to far past the top band
        return st.sampled_from(BAND_EDGES) | st.sampled_from(BAND_EDGES).map(lambda v: math.nextafter(v, math.inf)) \
            | st.floats(0, 10 * BAND_EDGES[-1], allow_nan=False)
    if column.kind == "ranks":
        return st.lists(st.integers(1, 12), max_size=4).map(tuple)
    if column.kind == "choice":
        return st.sampled_from(sorted(set(column.choices.values())))
    raise AssertionError(column)


@st.composite
def facts_row(draw, code: str) -> dict:
    row = {"code": code, **{c.name: draw(fact(c)) for c in inputs.FACTS[1:]}}
    if row["contest_abstained"]:      # the suite: an abstainer has no award and 0 entries
        row.update(contest_best_award="none", contest_entries=0.0)
    else:                             # … and anyone else entered at least one project
        row["contest_entries"] = max(1.0, row["contest_entries"])
    row["sessions_non_senior"] = float(draw(st.integers(0, int(row["expert_sessions"]))))  # ≤ expert_sessions
    return row


@st.composite
def judgments_of(draw, code: str) -> list[tuple]:
    """Deductions on the rubric's items, each a multiple of the step, summing to at most the item's cap."""
    step = W_RUBRIC["judgments"]["step"]
    rows = []
    for number in W_RUBRIC["judgments"]["items"]:
        cap = W_RUBRIC["items"][number]["params"]["judgment_cap"]
        steps = draw(st.integers(0, int(round(cap / step))))
        first = draw(st.integers(0, steps))
        rows += [(code, float(number), part * step, "理由", "评审") for part in (first, steps - first) if part]
    return rows


@st.composite
def expert_rows(draw, code: str) -> list[tuple]:
    dims = W_RUBRIC["expert_dimensions"]
    rows = []
    for project in range(draw(st.integers(0, 2))):
        for expert in range(draw(st.integers(1, 3))):
            rows.append((code, f"项目{project}", f"E{expert}", *(draw(amounts(dims[d]["max"])) for d in inputs.DIMENSIONS)))
    return rows


@st.composite
def wendeng_cohorts(draw):
    institutions = WENDENG.typed["institutions.csv"][["code", "name", "group"]]
    chosen = draw(st.lists(st.sampled_from(list(institutions.index)), min_size=1, max_size=6, unique=True))
    cohort = institutions.loc[chosen].reset_index(drop=True)
    codes = cohort["code"].tolist()
    facts = pd.DataFrame([draw(facts_row(code)) for code in codes])
    for column in inputs.FACTS:  # typed as parse_table types them
        if column.kind in ("int", "number"):
            facts[column.name] = facts[column.name].astype("float64")
        elif column.kind in ("bool", "ranks", "choice"):
            facts[column.name] = facts[column.name].astype(object)
    judgments = pd.DataFrame([r for code in codes for r in draw(judgments_of(code))],
                             columns=["code", "item", "points", "reason", "evaluator"])
    experts = pd.DataFrame([r for code in codes for r in draw(expert_rows(code))],
                           columns=["code", "project", "expert", *inputs.DIMENSIONS])
    return cohort, facts, judgments.astype({"item": "float64", "points": "float64"}), experts


@PROPERTY
@given(wendeng_cohorts())
def test_wendeng_items_and_totals_stay_in_range(cohort):
    institutions, facts, judgments, experts = cohort
    scores = scoring.score_cohort(institutions, facts, judgments, experts, WENDENG.rubric)
    units = scores.units.set_index("code")
    penalty = W_RUBRIC["items"][12]["params"]["abstain_penalty"]
    assert list(units.index) == institutions["code"].tolist()
    for code, unit in units.iterrows():
        for number in range(1, 17):
            maximum = W_RUBRIC["items"][number]["max"]
            assert -EPS <= unit[f"item_{number:02d}"] <= maximum + EPS, (code, number, unit[f"item_{number:02d}"])
        assert [i.score for i in scores.items[code]] == [unit[f"item_{n:02d}"] for n in range(1, 17)]
        assert math.isclose(unit["rubric_score"], sum(unit[f"item_{n:02d}"] for n in range(1, 17)), abs_tol=EPS)
        assert -EPS <= unit["rubric_score"] <= 100 + EPS and -EPS <= unit["expert_score"] <= 100 + EPS
        abstained = bool(facts.set_index("code").at[code, "contest_abstained"])
        assert unit["penalty"] == (penalty if abstained else 0)
        # docs/rules/wendeng-featured.md: total = 0.7 × rubric + 0.3 × expert − penalty, with no floor: an abstainer scoring
        # almost nothing ends below 0 (at worst −penalty). The total is never above 100.
        weights = W_RUBRIC["weights"]
        assert math.isclose(unit["total"], weights["rubric"] * unit["rubric_score"] + weights["expert"] * unit["expert_score"]
                            - unit["penalty"], abs_tol=1e-6)
        assert -penalty - EPS <= unit["total"] <= 100 + EPS
        assert 1 <= unit["group_rank"] <= (units["group"] == unit["group"]).sum() and unit["prize_wan"] >= 0
    assert scores.projects["project_score"].between(-EPS, 100 + EPS).all()


# --------------------------------------------------------------------------- naiman-specialty

NAIMAN = demo("naiman-specialty", 2025)
N_RUBRIC = NAIMAN.rubric.data
KIND = catalog()["kind"].to_dict()


def indicator_value(kind: str) -> st.SearchStrategy[float]:
    """A value of the kind as the suites accept it (docs/rules/naiman-specialty.md: value kinds)."""
    return {"count": amounts(5000, whole=True), "rank": st.integers(1, 300).map(float),
            "percent": amounts(100), "index": st.floats(0, 5, exclude_min=True, allow_nan=False) | st.just(5.0)}.get(
        kind, amounts(10_000))


@st.composite
def naiman_cohorts(draw):
    typed = NAIMAN.typed
    specialties = typed["specialties.csv"]
    building = specialties[specialties["status"] == "building"]
    targets, year_values, onsite, rechecks = [], {}, [], []
    for unit in building.itertuples():
        committed = typed["targets.csv"]
        mine = committed[(committed["code"] == unit.code) & (committed["specialty"] == unit.specialty)]
        kept = draw(st.lists(st.sampled_from(mine["indicator"].tolist()), min_size=1, unique=True))  # ≥ 1 commitment
        for indicator in kept:
            kind = KIND[indicator]
            targets.append((unit.code, unit.specialty, indicator, draw(indicator_value(kind)), draw(indicator_value(kind))))
            # the year's value; a rank may be blank (未上榜)
            year_values[(unit.code, unit.specialty, indicator)] = draw(
                indicator_value(kind) | (st.just(float("nan")) if kind == "rank" else st.nothing()))
            if draw(st.booleans()) and draw(st.booleans()):  # about one in four is rechecked on site
                rechecks.append((unit.code, unit.specialty, indicator, draw(indicator_value(kind)), "复核"))
        for expert in range(draw(st.integers(1, 3))):
            onsite.append((unit.code, unit.specialty, f"专家{expert}", *(draw(amounts(100)) for _ in range(3))))
    indicators = typed["indicators.csv"].copy()
    keys = list(zip(indicators["code"], indicators["specialty"], indicators["indicator"], strict=True))
    this_year = indicators["period"] == "2025"
    indicators["value_num"] = [year_values.get(k, v) if now else v
                               for k, v, now in zip(keys, indicators["value_num"], this_year, strict=True)]
    return (typed["institutions.csv"], specialties,
            indicators,
            pd.DataFrame(targets, columns=["code", "specialty", "indicator", "baseline", "target"]),
            pd.DataFrame(onsite, columns=["code", "specialty", "expert", "management", "construction", "talent"]),
            pd.DataFrame(rechecks, columns=["code", "specialty", "indicator", "checked_value", "note"]) if rechecks else None)


@PROPERTY
@given(naiman_cohorts())
def test_naiman_attainments_and_totals_stay_in_range(cohort):
    institutions, specialties, indicators, targets, onsite, recheck = cohort
    scores = naiman.score_cohort(institutions, specialties, indicators, targets, onsite, recheck, NAIMAN.rubric, 2025)
    ind, units = scores.indicators, scores.units
    assert len(units) == (specialties["status"] == "building").sum()
    assert ind["attainment"].between(0, 1).all(), ind[~ind["attainment"].between(0, 1)]
    assert (ind["weight"] > 0).all()
    for _, weights in ind.groupby(["code", "specialty"])["weight"]:
        assert math.isclose(weights.sum(), 100, abs_tol=1e-6)
    weights = N_RUBRIC["weights"]
    for unit in units.itertuples():
        assert -EPS <= unit.objective_score <= 100 + EPS and -EPS <= unit.onsite_score <= 100 + EPS
        assert math.isclose(unit.total, weights["objective"] * unit.objective_score + weights["onsite"] * unit.onsite_score,
                            abs_tol=1e-9)
        assert -EPS <= unit.total <= 100 + EPS
        assert unit.passed == (unit.total >= N_RUBRIC["pass_mark"])
        assert unit.recommended == (unit.passed and not (unit.flagged and N_RUBRIC["recommend_excludes_flagged"]))
        assert 1 <= unit.rank <= len(units)
