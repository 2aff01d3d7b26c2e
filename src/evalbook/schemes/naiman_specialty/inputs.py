"""naiman-specialty: the input contract (files and columns), the 69-row survey catalog
(``rubrics/naiman-specialty-catalog.csv``) that drives the suites, the rules across rows and files, and the
derived columns and per-survey table the suites check."""

from __future__ import annotations

import csv
import weakref
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from evalbook.committee.experts import (
    REGISTRY_COLUMNS,
    REGISTRY_FILE,
    REGISTRY_LABEL,
    derive_registry,
    registry_problems,
    registry_rules,
)
from evalbook.core import paths
from evalbook.core.columns import (
    INT_REGEX,
    MAX_NUMBER,
    NUMBER_REGEX,
    Column,
    expectation,
    factorize,
    first_places,
    identity_key,
    joined,
    mapped,
    numbered_rows,
    per_distinct,
    precision_expectation,
)
from evalbook.core.errors import Problem
from evalbook.core.exact import exact
from evalbook.core.rubric import Rubric

NAME = "naiman-specialty"
TITLE = "临床重点专科建设评估"
STATUS = {"building": "building", "candidate": "candidate", "建设": "building", "候选": "candidate"}
NUMERIC_KINDS = ("count", "number", "amount", "area", "percent", "index", "rank")
KIND_TEXT_RULES = {  # what a value must look like as typed, by the indicator's kind
    "count": (INT_REGEX, "应为不小于0的整数", "must be a whole number ≥ 0"),
    "rank": (r"^[1-9][0-9]*$", "应为名次（正整数），未上榜留空", "must be a place ≥ 1 (blank when not ranked)"),
    **{k: (NUMBER_REGEX, "应为不小于0的数（不带单位）", "must be a number ≥ 0 (no units)")
       for k in ("number", "amount", "area", "percent", "index")},
}


def _unit(label="专科"):
    return [Column("code", "code", "机构代码"), Column("specialty", "name", label)]


FILES: dict[str, list[Column]] = {
    "institutions.csv": [Column("code", "code", "机构代码"), Column("name", "text", "机构名称"),
                         Column("level", "choice", "医院级别", choices={"一级": "一级", "二级": "二级", "三级": "三级"})],
    "specialties.csv": [*_unit(), Column("field", "text", "建设方向"),
                        Column("status", "choice", "状态", choices=STATUS)],
    "indicators.csv": [*_unit(), Column("period", "period", "统计期"), Column("indicator", "text", "指标编号"),
                       Column("value", "text", "数值", required=False)],
    "targets.csv": [*_unit(), Column("indicator", "text", "指标编号"), Column("baseline", "number", "基线值", low=0),
                    Column("target", "number", "目标值", low=0)],
    "onsite.csv": [*_unit(), Column("expert", "text", "专家"),
                   *[Column(d, "number", label, low=0, high=100) for d, label in
                     (("management", "医院管理"), ("construction", "建设管理"), ("talent", "人才队伍建设"))]],
    "recheck.csv": [*_unit(), Column("indicator", "text", "指标编号"), Column("checked_value", "number", "复核值", low=0),
                    Column("note", "text", "复核说明", required=False)],
    REGISTRY_FILE: REGISTRY_COLUMNS,  # the commission's expert registry (optional): who each on-site expert is, for 回避
}
ROOT_FILES = ("institutions.csv", REGISTRY_FILE)
REQUIRED_FILES = ("institutions.csv", "specialties.csv", "indicators.csv", "targets.csv", "onsite.csv")
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {"recheck.csv": ("note",)}
FILE_LABELS = {"institutions.csv": "机构名单", "specialties.csv": "建设与候选专科", "indicators.csv": "调查表数据",
               "targets.csv": "承诺书量化指标", "onsite.csv": "现场核查评分", "recheck.csv": "现场复核数据",
               "surveys": "调查表（按专科与统计期）", REGISTRY_FILE: REGISTRY_LABEL}


# --------------------------------------------------------------------------- catalog

@lru_cache(maxsize=4)
def load_catalog(path: Path | None = None) -> pd.DataFrame:
    """The 69-row survey as one line per indicator id (compound rows give several ids)."""
    path = Path(path or paths.REPO / "rubrics" / f"{NAME}-catalog.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    frame = pd.DataFrame(rows)
    frame["row"] = frame["row"].astype(int)
    frame["required"] = frame["required"] == "1"
    return frame.set_index("id", drop=False)


def catalog() -> pd.DataFrame:
    return load_catalog()


def indicator_label(indicator: str) -> str:
    label = _value_labels().get(indicator)
    return f"{indicator} {label}" if label is not None else str(indicator)


@lru_cache(maxsize=1)
def _value_labels() -> dict[str, str]:
    return catalog()["value_label"].to_dict()


# --------------------------------------------------------------------------- suites

def _in_unit_list(column="unit"):
    return expectation("expect_column_values_to_be_in_set", {"column": column, "value_set": {"$PARAMETER": "known_units"}},
                       "typed", "该专科不在建设与候选专科名单（specialties.csv）中",
                       "code + specialty must be listed in specialties.csv")


def _known_code():
    return expectation("expect_column_values_to_be_in_set", {"column": "code", "value_set": {"$PARAMETER": "known_codes"}},
                       "typed", "机构代码应在机构名单（institutions.csv）中", "code must be listed in institutions.csv")


def _when(column: str, value) -> dict:
    return {"column": {"name": column}, "operator": "==", "parameter": value, "type": "comparison"}


def file_rules(file: str) -> list[dict]:
    """The rules of ``file`` beyond its columns' own (``Scheme.suites`` puts them after those), from the catalog."""
    e = expectation
    out: dict[str, list[dict]] = {name: [] for name in FILES}
    out["institutions.csv"] += [e("expect_column_values_to_be_unique", {"column": "code"}, "typed", "机构代码不能重复",
                                  "code must be unique")]
    out["specialties.csv"] += [
        _known_code(),
        e("expect_column_values_to_be_in_set", {"column": "field", "value_set": {"$PARAMETER": "fields"}}, "typed",
          "建设方向应为以下之一：（评分规则中的 fields）", "field must be one of （评分规则中的 fields）"),
        e("expect_compound_columns_to_be_unique", {"column_list": ["code", "specialty"]}, "typed",
          "同一机构的专科不能重复", "one row per code + specialty"),
        e("expect_column_values_to_be_in_set", {"column": "institution_level", "value_set": {"$PARAMETER": "eligible_levels"}},
          "typed", "只有医院级别为（评分规则中的 eligible_levels）的医疗机构的专科可以参评",
          "only institutions of level （评分规则中的 eligible_levels） are eligible",
          reported_as="code"),
    ]
    kinds = catalog()["kind"]
    for kind, (regex, zh, en) in KIND_TEXT_RULES.items():
        if (kinds == kind).any():
            out["indicators.csv"].append(e("expect_column_values_to_match_regex",
                                           {"column": "value", "regex": regex, "row_condition": _when("kind", kind)},
                                           "text", f"该指标的数值{zh}", f"this indicator's value {en}"))
    out["indicators.csv"] += [
        e("expect_column_values_to_be_in_set", {"column": "indicator", "value_set": {"$PARAMETER": "indicator_ids"}},
          "typed", "未知的指标编号（见调查表目录）", "unknown indicator id (see the catalog)"),
        _in_unit_list(),
        e("expect_compound_columns_to_be_unique", {"column_list": ["code", "specialty", "period", "indicator"]}, "typed",
          "同一专科同一统计期的同一指标只能填一个值", "one value per code + specialty + period + indicator"),
        precision_expectation("value", "该指标的数值"),
        e("expect_column_values_to_be_between", {"column": "value_num", "max_value": MAX_NUMBER}, "typed",
          f"该指标的数值应不大于{MAX_NUMBER}", f"this indicator's value must be ≤ {MAX_NUMBER}", reported_as="value"),
        e("expect_column_values_to_be_between",
          {"column": "value_num", "max_value": 100, "row_condition": _when("kind", "percent")},
          "typed", "百分比应在0至100之间", "a percent must be between 0 and 100", reported_as="value"),
        e("expect_column_values_to_be_between", {"column": "value_num", "min_value": 0, "max_value": 5, "strict_min": True,
                                                 "row_condition": _when("kind", "index")},
          "typed", "CMI 应大于0且不大于5", "the CMI must be > 0 and ≤ 5", reported_as="value"),
    ]
    out["targets.csv"] += [
        e("expect_column_values_to_be_in_set", {"column": "indicator", "value_set": {"$PARAMETER": "numeric_ids"}},
          "typed", "承诺指标应为调查表中的数值指标", "a committed indicator must be a numeric id of the catalog"),
        _in_unit_list(),
        e("expect_compound_columns_to_be_unique", {"column_list": ["code", "specialty", "indicator"]}, "typed",
          "同一专科的同一指标只能承诺一次", "one target per code + specialty + indicator"),
        e("expect_column_values_to_be_between", {"column": "target", "max_value": 100, "row_condition": _when("kind", "percent")},
          "typed", "百分比指标的目标值应在0至100之间", "a percent target must be between 0 and 100"),
    ]
    out["onsite.csv"] += [
        _in_unit_list(),
        e("expect_compound_columns_to_be_unique", {"column_list": ["code", "specialty", "expert_key"]}, "typed",
          "同一专家对同一专科只能评分一次（比较专家时不区分大小写、全角半角和首尾空格：E05 与 e05 是同一专家）",
          "one row per code + specialty + expert (experts compared ignoring case, full/half width "
          "and spaces: E05 and e05 are one expert)", reported_as="code+specialty+expert"),
    ]
    out[REGISTRY_FILE] += registry_rules()
    out["recheck.csv"] += [
        e("expect_column_values_to_be_in_set", {"column": "indicator", "value_set": {"$PARAMETER": "numeric_ids"}},
          "typed", "复核指标应为调查表中的数值指标", "a rechecked indicator must be a numeric id of the catalog"),
        _in_unit_list(),
        e("expect_compound_columns_to_be_unique", {"column_list": ["code", "specialty", "indicator"]}, "typed",
          "同一专科的同一指标只能复核一次", "one recheck per code + specialty + indicator"),
    ]
    return out[file]


def survey_rules() -> list[dict]:
    """The scheme's cross-field rules (docs/rules/naiman-specialty.md), on one row per survey (code + specialty + period)."""
    e = expectation
    zero = {"min_value": 0, "max_value": 0}
    return [
        e("expect_column_values_to_be_in_set", {"column": "missing_required", "value_set": [""]}, "typed",
          "调查表缺少必填指标", "the survey lacks required indicators"),
        e("expect_column_values_to_be_between", {"column": "icu_over_open", "max_value": 0}, "typed",
          "ICU床位数（1.1.4）不能多于开放床位数（1.1.3）", "ICU beds (1.1.4) must not exceed open beds (1.1.3)"),
        e("expect_column_values_to_be_between", {"column": "icu_share_error", "max_value": 0.5}, "typed",
          "ICU床位占比（1.1.4.share）应等于 ICU床位数 ÷ 开放床位数 × 100（允许±0.5）",
          "1.1.4.share must equal ICU beds / open beds × 100 (± 0.5)"),
        e("expect_column_values_to_be_between", {"column": "education_minus_staff", **zero}, "typed",
          "按学历（1.4.1–1.4.5）合计应等于医师、护士、其他（1.3.1+1.3.2+1.3.3）合计",
          "staff by education (1.4.1–1.4.5) must sum to 1.3.1 + 1.3.2 + 1.3.3"),
        e("expect_column_values_to_be_between", {"column": "age_minus_staff", **zero}, "typed",
          "按年龄（1.6.1–1.6.4）合计应等于医师、护士、其他合计", "staff by age (1.6.1–1.6.4) must sum to the same total"),
        e("expect_column_values_to_be_between", {"column": "titles_over_staff", "max_value": 0}, "typed",
          "按职称（1.5.1–1.5.3）合计不能多于医师、护士、其他合计", "staff by title (1.5.1–1.5.3) must not exceed the total"),
        e("expect_column_values_to_be_between", {"column": "grade34_over_surgery", "max_value": 0}, "typed",
          "四（三）级手术人次（2.3.4）不能多于手术人次（2.3.3）", "2.3.4 must not exceed 2.3.3"),
        e("expect_column_values_to_be_between", {"column": "minimal_over_surgery", "max_value": 0}, "typed",
          "微创手术人次（2.3.5）不能多于手术人次（2.3.3）", "2.3.5 must not exceed 2.3.3"),
        e("expect_column_values_to_be_between", {"column": "open_per_planned", "max_value": 1.5}, "typed",
          "开放床位数超过编制床位数的1.5倍", "open beds exceed 1.5 × planned beds", severity="warning"),
    ]


def suite_parameters(rubric: Rubric, year: int, known_codes: list[str], typed: Mapping[str, pd.DataFrame]) -> dict:
    cat = catalog()
    specialties = typed.get("specialties.csv")
    units = [] if specialties is None else (specialties["code"].astype(str) + "/" + specialties["specialty"].astype(str)).tolist()
    return {"known_codes": known_codes, "known_units": units, "indicator_ids": cat["id"].tolist(),
            "numeric_ids": cat.loc[cat["kind"].isin(NUMERIC_KINDS), "id"].tolist(),
            "fields": list(rubric["fields"]), "eligible_levels": list(rubric["eligible_levels"])}


def derive_text(file: str, text: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    if file in ("indicators.csv", "targets.csv"):
        text = text.copy()
        text["kind"] = mapped(text["indicator"], _kinds())
    return text


def derive(file: str, typed: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    typed = typed.copy()
    if "specialty" in typed and "code" in typed:
        typed["unit"] = joined(typed, "code", "specialty", "/")
    if file in ("indicators.csv", "targets.csv"):
        typed["kind"] = mapped(typed["indicator"], _kinds())
    if file == REGISTRY_FILE:
        typed = derive_registry(typed)
    if file == "onsite.csv":
        typed["expert_key"] = per_distinct(typed["expert"], lambda names: names.map(identity_key).astype(object))
    if file == "indicators.csv":
        numeric = typed["kind"].isin(NUMERIC_KINDS)
        typed["value_num"] = per_distinct(typed["value"].where(numeric),  # each distinct text read once
                                          lambda texts: pd.to_numeric(texts, errors="coerce")).astype("float64")
    return typed


def _kinds() -> dict[str, str]:
    return catalog()["kind"].to_dict()


def derive_tables(intake) -> dict[str, tuple[pd.DataFrame, pd.DataFrame, str]]:
    """The ``surveys`` table: one row per code + specialty + period, with the cross-field quantities."""
    indicators = intake.typed.get("indicators.csv")
    specialties = intake.typed.get("specialties.csv")
    institutions = intake.typed.get("institutions.csv")
    out = {}
    if specialties is not None:  # the level of each specialty's institution, for the eligibility rule
        levels = {} if institutions is None else institutions.set_index("code")["level"].to_dict()
        specialties["institution_level"] = specialties["code"].map(levels).astype(object)
    if indicators is not None:
        surveys = survey_checks(indicators)
        out["surveys"] = (surveys, surveys, intake.labels["indicators.csv"] + "（按专科与统计期）")
    return out


def wide(indicators: pd.DataFrame) -> pd.DataFrame:
    """Numeric values, one row per (code, specialty, period), one column per indicator id."""
    numeric = indicators.dropna(subset=["value_num"]).drop_duplicates(["code", "specialty", "period", "indicator"])
    return numeric.pivot(index=["code", "specialty", "period"], columns="indicator", values="value_num")


SURVEY = ["code", "specialty", "period"]


def survey_checks(indicators: pd.DataFrame) -> pd.DataFrame:
    """One row per survey (code + specialty + period, sorted as a groupby sorts them), with the cross-field quantities.

    Vectorised (a province: 1.4 million indicator rows, 10,000 specialties): each row's survey numbered once, each
    indicator used taken as an array over the surveys (the first number given, as ``wide`` keeps it), the required
    indicators filled as a True/False grid."""
    cat = catalog()
    listed = indicators[SURVEY].notna().all(axis=1)
    keyed = indicators if listed.all() else indicators[listed]  # (every row of a survey: no copy)
    survey, index = _surveys(keyed)
    count = len(index)
    frame = pd.DataFrame(index=index)
    indicator, ids = pd.factorize(keyed["indicator"])  # each row's indicator as a number (-1: none)
    code_of = {i: n for n, i in enumerate(ids)}
    numbers = keyed["value_num"].to_numpy(dtype="float64")
    has_number = ~np.isnan(numbers)
    wanted = {i for i in cat.index if i.startswith(("1.1.", "1.3.", "1.4.", "1.5.", "1.6.", "2.3."))}
    arrays: dict[str, pd.Series] = {}
    for name in wanted:
        if name not in code_of:
            continue
        rows = np.flatnonzero((indicator == code_of[name]) & has_number)
        if not len(rows):
            continue
        first_surveys, first = np.unique(survey[rows], return_index=True)  # rows in file order: the first number kept
        values = np.full(count, np.nan)
        values[first_surveys] = numbers[rows[first]]
        arrays[name] = pd.Series(values, index=index)

    def col(i):
        return arrays[i] if i in arrays else pd.Series(float("nan"), index=index)

    required = cat.loc[cat["required"], "id"].tolist()
    place = {i: n for n, i in enumerate(required)}
    filled = keyed["value"].notna().to_numpy()
    place_of = np.array([place.get(i, -1) for i in ids] + [-1], dtype=np.int64)  # by indicator number; -1: none
    at = place_of[indicator]
    given = filled & (at >= 0)
    grid = np.zeros((count, len(required)), dtype=bool)
    grid[survey[given], at[given]] = True
    lacking = np.flatnonzero(~grid.all(axis=1))
    missing = np.full(count, "", dtype=object)
    missing[lacking] = ["、".join(i for i, ok in zip(required, grid[n], strict=True) if not ok) for n in lacking]
    frame["missing_required"] = missing
    staff = col("1.3.1") + col("1.3.2") + col("1.3.3")
    frame["icu_over_open"] = col("1.1.4") - col("1.1.3")
    frame["icu_share_error"] = [_share_error(stated, icu, beds) for stated, icu, beds in
                                zip(col("1.1.4.share").tolist(), col("1.1.4").tolist(), col("1.1.3").tolist(), strict=True)]
    frame["education_minus_staff"] = sum(col(f"1.4.{i}") for i in range(1, 6)) - staff
    frame["age_minus_staff"] = sum(col(f"1.6.{i}") for i in range(1, 5)) - staff
    frame["titles_over_staff"] = sum(col(f"1.5.{i}") for i in range(1, 4)) - staff
    frame["grade34_over_surgery"] = col("2.3.4") - col("2.3.3")
    frame["minimal_over_surgery"] = col("2.3.5") - col("2.3.3")
    frame["open_per_planned"] = (col("1.1.3") / col("1.1.2")).where(col("1.1.2") > 0)
    frame.index = [f"{c}·{s}·{p}" for c, s, p in frame.index]  # rows are named institution·specialty·period
    return frame.astype({c: "float64" for c in frame.columns if c != "missing_required"})


def _surveys(keyed: pd.DataFrame) -> tuple[np.ndarray, pd.MultiIndex]:
    """Each row's survey (code + specialty + period, none of them empty) as a number, numbered in the order of the
    surveys sorted (as ``groupby(SURVEY, sort=True).ngroup()`` numbers them), and the surveys in that order (as the
    groupby's index): each column's distinct values sorted once, the rows' places among them combined."""
    ranks, levels = [], []
    for column in SURVEY:
        numbers, distinct = factorize(keyed[column])
        distinct = np.asarray(distinct, dtype=object)
        order = np.argsort(distinct, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        ranks.append(rank[numbers])
        levels.append(distinct[order])
    key = np.zeros(len(keyed), dtype=np.int64)
    for rank, level in zip(ranks, levels, strict=True):
        key = key * max(len(level), 1) + rank
    combined, survey = np.unique(key, return_inverse=True)
    parts, rest = [], combined
    for level in reversed(levels):
        rest, at = np.divmod(rest, max(len(level), 1))
        parts.append(level[at])
    index = pd.MultiIndex.from_arrays(list(reversed(parts)), names=SURVEY)
    return survey.reshape(-1).astype(np.int64), index


def _share_error(stated, icu, beds) -> float:
    """|stated share − ICU ÷ open beds × 100|, computed exactly, then as the nearest float for the suite's
    "≤ 0.5": rounding is monotone and 0.5 is a float, so the float is ≤ 0.5 exactly when the exact error is
    (with at most 6 decimals and beds ≤ 10^9, an error above 0.5 exceeds it by ≥ 10^-15, far above a float's
    step there). Subtracting floats put 11 of 40 beds stated as 27 % (exactly 0.5 off) at 0.5000000000000036."""
    if any(pd.isna(v) for v in (stated, icu, beds)):
        return float("nan")
    said = exact(stated)
    if not beds > 0:
        return float(abs(said))
    # |s − i·100 / b| over one denominator, in whole numbers: Python divides whole numbers correctly rounded, as the
    # float of the Fraction is made
    (sn, sd), (i_n, i_d), (bn, bd) = ((f.numerator, f.denominator) for f in (said, exact(icu), exact(beds)))
    return abs(sn * i_d * bn - i_n * 100 * bd * sd) / (sd * i_d * bn)


def row_context(file: str, text: pd.DataFrame, row) -> str | None:
    """For messages: institution, specialty, period and indicator (id and label) of a row."""
    if not isinstance(row, int) or row not in text.index or "specialty" not in text:
        return None
    at = text.index.get_loc(row)  # the row's place; its cells read from the columns' arrays (no row Series made)
    if not isinstance(at, int):
        return _context(text, {c: text.at[row, c] for c in text.columns})
    arrays = _columns_of(text)
    return _context(text, {c: arrays[c][at] for c in ("code", "specialty", "period", "indicator") if c in arrays})


def row_contexts(file: str, text: pd.DataFrame, rows: list) -> list[str | None]:
    """``row_context`` of each of ``rows`` (line numbers, each in the table once), their places found together."""
    if "specialty" not in text or not text.index.is_unique:
        return [row_context(file, text, row) for row in rows]
    places = text.index.get_indexer(rows)
    arrays = _columns_of(text)
    columns = [c for c in ("code", "specialty", "period", "indicator") if c in arrays]
    return [None if at < 0 or not isinstance(row, int) else _context(text, {c: arrays[c][at] for c in columns})
            for row, at in zip(rows, places.tolist(), strict=True)]


def _context(text: pd.DataFrame, cell: dict) -> str:
    parts = [f"机构 {cell['code']}", f"专科 {cell['specialty']}"]
    if "period" in text:
        parts.append(f"统计期 {cell['period']}")
    if "indicator" in text and isinstance(cell["indicator"], str):
        parts.append(f"指标 {indicator_label(cell['indicator'])}")
    return "，".join(str(p) for p in parts)


_COLUMNS_OF: list = [None, {}]  # the last table asked about (a weak reference) and its columns as arrays


def _columns_of(text: pd.DataFrame) -> dict:
    """The columns of ``text`` as arrays, made once per table (messages name thousands of rows of one table)."""
    if _COLUMNS_OF[0] is None or _COLUMNS_OF[0]() is not text:
        _COLUMNS_OF[:] = [weakref.ref(text), {c: text[c].to_numpy() for c in text.columns}]
    return _COLUMNS_OF[1]


def _units_surveyed(indicators: pd.DataFrame | None, year: str) -> tuple[set, set]:
    """The (code, specialty) pairs with any row of ``indicators``, and those with a row of period ``year``; rows
    without a code or specialty belong to no specialty (as in a groupby)."""
    if indicators is None:
        return set(), set()
    if not len(indicators):
        return set(), set()
    codes, specialties = indicators["code"].to_numpy(), indicators["specialty"].to_numpy()
    pair = numbered_rows(codes, specialties)  # each row's (code, specialty) as a number; the pairs judged once each
    first = first_places(pair)  # each distinct pair's first row
    first = first[~(pd.isna(codes[first]) | pd.isna(specialties[first]))]
    in_year = np.zeros(len(pair), dtype=bool)
    in_year[pair[(indicators["period"] == year).to_numpy()]] = True
    return (set(zip(codes[first], specialties[first], strict=True)),
            set(zip(codes[first[in_year[pair[first]]]], specialties[first[in_year[pair[first]]]], strict=True)))


def cross_checks(typed: Mapping[str, pd.DataFrame], rubric: Rubric, year: int) -> list[Problem]:
    """Rules across files: what a building specialty must have, and what deserves a warning."""
    problems = []
    specialties, indicators, targets, onsite = (typed.get(f) for f in
                                                ("specialties.csv", "indicators.csv", "targets.csv", "onsite.csv"))
    label = f"{year}/specialties.csv"
    surveyed, surveyed_in_year = _units_surveyed(indicators, str(year))
    committed = set(zip(targets["code"], targets["specialty"], strict=True)) if targets is not None else set()
    scored = set(zip(onsite["code"], onsite["specialty"], strict=True)) if onsite is not None else set()
    for line, code, specialty, status in zip(specialties.index, specialties["code"], specialties["specialty"],
                                             specialties["status"], strict=True):
        key = (code, specialty)
        if status == "building":
            if key not in surveyed_in_year:
                problems.append(Problem(label, f"建设专科缺少{year}年度调查表数据（indicators.csv 中统计期 {year}）",
                                        f"a building specialty needs its {year} survey (period {year} in indicators.csv)",
                                        row=int(line), column="specialty", value=specialty))
            if key not in committed:
                problems.append(Problem(label, "建设专科缺少承诺书量化指标（targets.csv）",
                                        "a building specialty needs its targets",
                                        row=int(line), column="specialty", value=specialty))
            if key not in scored:
                problems.append(Problem(label, "建设专科缺少现场核查评分（onsite.csv）",
                                        "a building specialty needs on-site scores",
                                        row=int(line), column="specialty", value=specialty))
        elif key not in surveyed:
            problems.append(Problem(label, "候选专科缺少基线调查表数据", "a candidate needs a baseline survey",
                                    row=int(line), column="specialty", value=specialty, severity="warning"))
    candidates = int((specialties["status"] == "candidate").sum())
    if candidates < rubric["min_nominations"]:
        problems.append(Problem(label, f"本年度候选（推荐）专科仅{candidates}个，"
                                       f"少于方案要求的每年至少{rubric['min_nominations']:g}个",
                                f"only {candidates} nominations this year, fewer than {rubric['min_nominations']:g}",
                                severity="warning"))
    if onsite is not None:  # the expert registry: every on-site expert registered; their own institution 应回避
        problems += registry_problems(typed.get(REGISTRY_FILE), onsite, f"{year}/onsite.csv", "specialty",
                                      rubric["panel"]["recusal"] == "exclude")
    return problems
