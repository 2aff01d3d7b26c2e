"""Scheme ``naiman-specialty``: 临床重点专科建设评估 (奈卫健字〔2024〕84号).

Each building specialty is judged against its own signed commitments (承诺书): the attainment
of every committed indicator, weighted by category, gives the objective score; the on-site check
(现场核查) gives the rest. The 69-row survey table is the data; its catalog
(``rubrics/naiman-specialty-catalog.csv``) drives the suites, the reports and the templates.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from evalbook.core import paths
from evalbook.core.columns import (
    INT_REGEX,
    MAX_NUMBER,
    NUMBER_REGEX,
    Column,
    expectation,
    identity_key,
    per_distinct,
    precision_expectation,
)
from evalbook.core.errors import Problem
from evalbook.core.exact import exact, maybe_exact, mean, plain, shown
from evalbook.core.ranking import rank_within_groups
from evalbook.core.rubric import Rubric, RubricChecker, read_rubric
from evalbook.core.scheme import Scheme
from evalbook.inputs.synth import Recipe

NAME = "naiman-specialty"
TITLE = "临床重点专科建设评估"
STATUS = {"building": "building", "candidate": "candidate", "建设": "building", "候选": "candidate"}
SCORE_COLUMNS = ["code", "name", "specialty", "objective_score", "onsite_score", "total", "passed", "rank", "recommended"]
INDICATOR_COLUMNS = ["code", "specialty", "indicator", "baseline", "target", "actual", "attainment", "weight"]
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
}
ROOT_FILES = ("institutions.csv",)
REQUIRED_FILES = ("institutions.csv", "specialties.csv", "indicators.csv", "targets.csv", "onsite.csv")
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {"recheck.csv": ("note",)}
FILE_LABELS = {"institutions.csv": "机构名单", "specialties.csv": "建设与候选专科", "indicators.csv": "调查表数据",
               "targets.csv": "承诺书量化指标", "onsite.csv": "现场核查评分", "recheck.csv": "现场复核数据",
               "surveys": "调查表（按专科与统计期）"}


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
    cat = catalog()
    return f"{indicator} {cat.at[indicator, 'value_label']}" if indicator in cat.index else str(indicator)


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


def _extra_expectations(file: str) -> list[dict]:
    """The rules of ``file`` beyond its columns' own (``Scheme.suites`` puts them after those), from the catalog."""
    e = expectation
    out: dict[str, list[dict]] = {name: [] for name in FILES}
    out["institutions.csv"] += [e("expect_column_values_to_be_unique", {"column": "code"}, "typed", "机构代码不能重复", "code must be unique")]
    out["specialties.csv"] += [
        _known_code(),
        e("expect_column_values_to_be_in_set", {"column": "field", "value_set": {"$PARAMETER": "fields"}}, "typed",
          "建设方向应为心内科、神经内科、神经外科、重症医学、肿瘤科、妇产科、骨科、康复科或其他",
          "field must be one of the source's eight fields or 其他 (other)"),
        e("expect_compound_columns_to_be_unique", {"column_list": ["code", "specialty"]}, "typed",
          "同一机构的专科不能重复", "one row per code + specialty"),
        e("expect_column_values_to_be_in_set", {"column": "institution_level", "value_set": {"$PARAMETER": "eligible_levels"}},
          "typed", "只有一级及以上医疗机构的专科可以参评", "only institutions of level 一级 or above are eligible",
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
        e("expect_column_values_to_be_between", {"column": "value_num", "max_value": 100, "row_condition": _when("kind", "percent")},
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
    out["onsite.csv"] += [_in_unit_list(), e("expect_compound_columns_to_be_unique", {"column_list": ["code", "specialty", "expert_key"]},
                                             "typed", "同一专家对同一专科只能评分一次（比较专家时不区分大小写、全角半角和首尾空格：E05 与 e05 是同一专家）",
                                             "one row per code + specialty + expert (experts compared ignoring case, full/half width "
                                             "and spaces: E05 and e05 are one expert)", reported_as="code+specialty+expert")]
    out["recheck.csv"] += [
        e("expect_column_values_to_be_in_set", {"column": "indicator", "value_set": {"$PARAMETER": "numeric_ids"}},
          "typed", "复核指标应为调查表中的数值指标", "a rechecked indicator must be a numeric id of the catalog"),
        _in_unit_list(),
        e("expect_compound_columns_to_be_unique", {"column_list": ["code", "specialty", "indicator"]}, "typed",
          "同一专科的同一指标只能复核一次", "one recheck per code + specialty + indicator"),
    ]
    return out[file]


def _survey_rules() -> list[dict]:
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


# --------------------------------------------------------------------------- rubric

def load_rubric(path: Path) -> Rubric:
    rubric = read_rubric(path)
    check = RubricChecker(rubric)
    d = rubric.data
    top = {"scheme", "version", "title", "source", "baseline_period", "category_weights", "weights", "pass_mark",
           "onsite_dimensions", "recheck_tolerance", "recommend_excludes_flagged", "min_nominations", "fields",
           "eligible_levels", "ranking"}
    if not check.keys(d, "rubric", top):
        check.raise_if_any()
    check.choice(d["scheme"], "scheme", (NAME,))
    if check.keys(d["category_weights"], "category_weights", {"基本情况", "质量与安全", "人才队伍", "服务满意"}):
        for k, v in d["category_weights"].items():
            check.number(v, f"category_weights.{k}")
    if check.keys(d["weights"], "weights", {"objective", "onsite"}):
        for k in ("objective", "onsite"):
            check.number(d["weights"][k], f"weights.{k}")
    check.number(d["pass_mark"], "pass_mark")
    check.number(d["recheck_tolerance"], "recheck_tolerance")
    check.number(d["min_nominations"], "min_nominations")
    check.choice(d["recommend_excludes_flagged"], "recommend_excludes_flagged", (True, False))
    check.keys(d["onsite_dimensions"], "onsite_dimensions", {"management", "construction", "talent"})
    check.items(d["fields"], "fields")
    for level in check.items(d["eligible_levels"], "eligible_levels"):
        check.choice(level, "eligible_levels", ("一级", "二级", "三级"))
    if not (isinstance(d["baseline_period"], str) and pd.Series([d["baseline_period"]]).str.fullmatch(r"[0-9]{4}(H[12])?").all()):
        check.fail("baseline_period", "应为统计期，如 2024H1", "must be a period such as 2024H1", d["baseline_period"])
    if check.keys(d["ranking"], "ranking", {"order", "ties"}):
        check.choice(d["ranking"]["ties"], "ranking.ties", ("shared",))
        for key in check.items(d["ranking"]["order"], "ranking.order"):
            check.choice(key, "ranking.order", ("total", "objective_score", "onsite_score"))
    check.raise_if_any()
    return rubric


ORDER_LABELS = {"total": "总分", "objective_score": "客观数据得分", "onsite_score": "现场核查得分"}


def policy_lines(rubric: Rubric) -> list[tuple[str, str]]:
    d = rubric.data
    cats = "、".join(f"{k}{v:g}" for k, v in d["category_weights"].items())
    return [
        ("评分规则版本", f"{d['title']} {d['version']}（{d['source']}）"),
        ("达成度", "a = (实际值 − 基线值) ÷ (目标值 − 基线值)，限定在0至1；目标值等于基线值时，"
                  "正向指标实际值不低于目标得1、负向指标不高于目标得1、中性指标等于目标得1，否则为0"),
        ("客观数据得分", f"100 × Σ权重×达成度 ÷ Σ权重；类别权重 {cats}，在该类别有承诺的指标间平均分配，"
                        "无承诺的类别不计，其余按比例折算为100"),
        ("现场核查得分", f"每位专家三项（{'、'.join(d['onsite_dimensions'].values())}）的平均分，再对专家取平均"),
        ("总分与合格", f"{d['weights']['objective']:g} × 客观数据得分 + {d['weights']['onsite']:g} × 现场核查得分；"
                      f"不低于{d['pass_mark']:g}分为合格"),
        ("现场复核", f"复核值替代填报值参与评分；两者相差超过填报值的{d['recheck_tolerance'] * 100:g}%标记为“数据不实”"),
        ("推荐", "合格" + ("且未被标记“数据不实”" if d["recommend_excludes_flagged"] else "") + "的建设专科推荐为“旗级临床重点专科”"),
        ("排名", f"按{'、'.join(ORDER_LABELS.get(k, k) for k in d['ranking']['order'])}从高到低；"
                 "完全相同者名次并列（如1、1、3）；合格线、复核5%线与排名均按精确值比较"),
        ("基线", f"调查表基线统计期 {d['baseline_period']}；承诺书中的基线值用于计算达成度"),
        ("提示（不计分）", "负向指标（如死亡率、感染率）本年度较基线变差时给出警告"),
        ("候选专科", f"只校验并展示基线与承诺，供专家复核，不计分；候选少于{d['min_nominations']:g}个时给出警告"),
        ("指标方向", "正向、负向、中性见调查表目录 rubrics/naiman-specialty-catalog.csv（原文未规定）"),
    ]


# --------------------------------------------------------------------------- inputs

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
        text["kind"] = text["indicator"].map(catalog()["kind"].to_dict())
    return text


def derive(file: str, typed: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    typed = typed.copy()
    if "specialty" in typed and "code" in typed:
        typed["unit"] = typed["code"].astype(str) + "/" + typed["specialty"].astype(str)
    if file in ("indicators.csv", "targets.csv"):
        typed["kind"] = typed["indicator"].map(catalog()["kind"].to_dict())
    if file == "onsite.csv":
        typed["expert_key"] = per_distinct(typed["expert"], lambda names: names.map(identity_key).astype(object))
    if file == "indicators.csv":
        numeric = typed["kind"].isin(NUMERIC_KINDS)
        typed["value_num"] = pd.to_numeric(typed["value"].where(numeric), errors="coerce").astype("float64")
    return typed


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


def survey_checks(indicators: pd.DataFrame) -> pd.DataFrame:
    cat = catalog()
    table = wide(indicators)
    present = indicators.groupby(["code", "specialty", "period"])["indicator"].agg(set)
    required = cat.loc[cat["required"], "id"].tolist()
    frame = pd.DataFrame(index=present.index)

    def col(i):
        return table[i].reindex(frame.index) if i in table else pd.Series(float("nan"), index=frame.index)

    filled = indicators.dropna(subset=["value"]).groupby(["code", "specialty", "period"])["indicator"].agg(set)
    filled = filled.to_dict()  # a dict lookup per survey, not a MultiIndex one
    frame["missing_required"] = ["、".join(i for i in required if i not in filled.get(key, ())) for key in frame.index]
    staff = col("1.3.1") + col("1.3.2") + col("1.3.3")
    frame["icu_over_open"] = col("1.1.4") - col("1.1.3")
    frame["icu_share_error"] = [_share_error(stated, icu, beds)
                                for stated, icu, beds in zip(col("1.1.4.share"), col("1.1.4"), col("1.1.3"), strict=True)]
    frame["education_minus_staff"] = sum(col(f"1.4.{i}") for i in range(1, 6)) - staff
    frame["age_minus_staff"] = sum(col(f"1.6.{i}") for i in range(1, 5)) - staff
    frame["titles_over_staff"] = sum(col(f"1.5.{i}") for i in range(1, 4)) - staff
    frame["grade34_over_surgery"] = col("2.3.4") - col("2.3.3")
    frame["minimal_over_surgery"] = col("2.3.5") - col("2.3.3")
    frame["open_per_planned"] = (col("1.1.3") / col("1.1.2")).where(col("1.1.2") > 0)
    frame.index = [f"{c}·{s}·{p}" for c, s, p in frame.index]  # rows are named institution·specialty·period
    return frame.astype({c: "float64" for c in frame.columns if c != "missing_required"})


def _share_error(stated, icu, beds) -> float:
    """|stated share − ICU ÷ open beds × 100|, computed exactly, then as the nearest float for the suite's
    "≤ 0.5": rounding is monotone and 0.5 is a float, so the float is ≤ 0.5 exactly when the exact error is
    (with at most 6 decimals and beds ≤ 10^9, an error above 0.5 exceeds it by ≥ 10^-15, far above a float's
    step there). Subtracting floats put 11 of 40 beds stated as 27 % (exactly 0.5 off) at 0.5000000000000036."""
    if any(pd.isna(v) for v in (stated, icu, beds)):
        return float("nan")
    share = exact(icu) * 100 / exact(beds) if beds > 0 else Fraction(0)
    return float(abs(exact(stated) - share))


def row_context(file: str, text: pd.DataFrame, row) -> str | None:
    """For messages: institution, specialty, period and indicator (id and label) of a row."""
    if not isinstance(row, int) or row not in text.index or "specialty" not in text:
        return None
    r = text.loc[row]
    parts = [f"机构 {r['code']}", f"专科 {r['specialty']}"]
    if "period" in text:
        parts.append(f"统计期 {r['period']}")
    if "indicator" in text and isinstance(r["indicator"], str):
        parts.append(f"指标 {indicator_label(r['indicator'])}")
    return "，".join(str(p) for p in parts)


def cross_checks(typed: Mapping[str, pd.DataFrame], rubric: Rubric, year: int) -> list[Problem]:
    """Rules across files: what a building specialty must have, and what deserves a warning."""
    problems = []
    specialties, indicators, targets, onsite = (typed.get(f) for f in ("specialties.csv", "indicators.csv", "targets.csv", "onsite.csv"))
    label = f"{year}/specialties.csv"
    periods = indicators.groupby(["code", "specialty"])["period"].agg(set) if indicators is not None else {}
    committed = set(zip(targets["code"], targets["specialty"], strict=True)) if targets is not None else set()
    scored = set(zip(onsite["code"], onsite["specialty"], strict=True)) if onsite is not None else set()
    for line, row in specialties.iterrows():
        key = (row["code"], row["specialty"])
        have = periods.get(key, set()) if len(periods) else set()
        if row["status"] == "building":
            if str(year) not in have:
                problems.append(Problem(label, f"建设专科缺少{year}年度调查表数据（indicators.csv 中统计期 {year}）",
                                        f"a building specialty needs its {year} survey (period {year} in indicators.csv)",
                                        row=int(line), column="specialty", value=row["specialty"]))
            if key not in committed:
                problems.append(Problem(label, "建设专科缺少承诺书量化指标（targets.csv）", "a building specialty needs its targets",
                                        row=int(line), column="specialty", value=row["specialty"]))
            if key not in scored:
                problems.append(Problem(label, "建设专科缺少现场核查评分（onsite.csv）", "a building specialty needs on-site scores",
                                        row=int(line), column="specialty", value=row["specialty"]))
        elif not have:
            problems.append(Problem(label, "候选专科缺少基线调查表数据", "a candidate needs a baseline survey",
                                    row=int(line), column="specialty", value=row["specialty"], severity="warning"))
    candidates = int((specialties["status"] == "candidate").sum())
    if candidates < rubric["min_nominations"]:
        problems.append(Problem(label, f"本年度候选（推荐）专科仅{candidates}个，少于方案要求的每年至少{rubric['min_nominations']:g}个",
                                f"only {candidates} nominations this year, fewer than {rubric['min_nominations']:g}",
                                severity="warning"))
    return problems


# --------------------------------------------------------------------------- scoring

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
    if actual is None or pd.isna(actual):
        return Fraction(0)
    actual, baseline, target = exact(actual), exact(baseline), exact(target)
    if target == baseline:
        met = {"higher": actual >= target, "lower": actual <= target, "neutral": actual == target}[direction]
        return Fraction(1) if met else Fraction(0)
    return min(Fraction(1), max(Fraction(0), (actual - baseline) / (target - baseline)))


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
        need = {"higher": f"不低于{plain(target)}", "lower": f"不高于{plain(target)}", "neutral": f"等于{plain(target)}"}[direction]
        return f"{kind}：目标值与基线值同为{plain(target)}，实际{plain(actual)}，未{need}，达成度为0。"
    moved = (actual - baseline) / (target - baseline)
    if moved <= 0:
        return (f"{kind}：实际{plain(actual)}，较基线{plain(baseline)}没有向目标{plain(target)}方向改善"
                f"（{'变差' if moved < 0 else '持平'}），达成度为0。")
    return (f"{kind}：实际{plain(actual)}，从基线{plain(baseline)}向目标{plain(target)}只完成了"
            f"(实际 − 基线) ÷ (目标 − 基线) = {shown(moved * 100)}%。")


def actual_values(indicators: pd.DataFrame, recheck: pd.DataFrame | None, year: int, tolerance: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The year's values per (code, specialty, indicator), rechecked values replacing reported ones."""
    year_rows = indicators[indicators["period"] == str(year)]
    values = year_rows.set_index(["code", "specialty", "indicator"])["value_num"].map(maybe_exact).astype(object)
    values = values[~values.index.duplicated()]
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
            values.loc[key] = checked
        rechecks = pd.DataFrame(rows, columns=rechecks.columns)
    return values, rechecks


def score_cohort(institutions: pd.DataFrame, specialties: pd.DataFrame, indicators: pd.DataFrame, targets: pd.DataFrame,
                 onsite: pd.DataFrame, recheck: pd.DataFrame | None, rubric: Mapping[str, Any] | Rubric, year: int) -> SpecialtyScores:
    """Score every building specialty and rank the cohort. Pure: data frames in, data frames out."""
    rubric = rubric.data if isinstance(rubric, Rubric) else rubric
    cat = catalog()
    names = institutions.set_index("code")["name"].to_dict()
    values, rechecks = actual_values(indicators, recheck, year, rubric["recheck_tolerance"])
    baseline_period = indicators[indicators["period"] == str(rubric["baseline_period"])]
    baseline_values = baseline_period.set_index(["code", "specialty", "indicator"])["value_num"].map(maybe_exact).astype(object)
    baseline_values = baseline_values[~baseline_values.index.duplicated()]
    building = specialties[specialties["status"] == "building"]
    flagged_units = set(zip(rechecks.loc[rechecks["flagged"], "code"], rechecks.loc[rechecks["flagged"], "specialty"], strict=True))
    dims = list(rubric["onsite_dimensions"])
    # each specialty's rows, found once (not by filtering whole tables per specialty: O(n²) at scale)
    pledged = _rows_by_unit(targets, ["indicator", "baseline", "target"])
    expert_means = _rows_by_unit(onsite.assign(expert_mean=[mean(row) for row in zip(*(onsite[d] for d in dims), strict=True)]),
                                 ["expert_mean"])
    value_of, baseline_of = _as_dict(values), _as_dict(baseline_values)
    lower = list(cat.index[cat["direction"] == "lower"])
    category_of, direction_of = cat["category"].to_dict(), cat["direction"].to_dict()
    unit_rows, indicator_rows, worsened_rows, category_rows = [], [], [], []
    for sp in building.itertuples():
        mine = pledged.get((sp.code, sp.specialty), [])
        counts = Counter(category_of[indicator] for indicator, _, _ in mine)
        present = {c: exact(w) for c, w in rubric["category_weights"].items() if counts.get(c, 0)}
        scale = 100 / sum(present.values()) if present else Fraction(0)
        mine_rows = []
        for indicator, baseline, target in mine:
            category = category_of[indicator]
            weight = present[category] / counts[category] * scale  # W_cat / n_cat, renormalised to Σ = 100
            actual = value_of.get((sp.code, sp.specialty, indicator))
            baseline, target = exact(baseline), exact(target)
            a = attainment(actual, baseline, target, direction_of[indicator])
            mine_rows.append((sp.code, sp.specialty, indicator, baseline, target, actual, a, weight, category))
        indicator_rows += [r[:8] for r in mine_rows]
        for category, w in present.items():
            in_cat = [r for r in mine_rows if r[8] == category]
            category_rows.append((sp.code, sp.specialty, category, w * scale, sum(r[6] for r in in_cat) / len(in_cat)))
        objective = sum((r[6] * r[7] for r in mine_rows), Fraction(0))  # weights sum to 100: Σ w·a = 100 × Σ w·a / Σ w
        experts = expert_means.get((sp.code, sp.specialty))  # each expert's mean over the dimensions
        onsite_score = mean(m for (m,) in experts) if experts else Fraction(0)
        total = exact(rubric["weights"]["objective"]) * objective + exact(rubric["weights"]["onsite"]) * onsite_score
        passed = total >= exact(rubric["pass_mark"])
        flagged = (sp.code, sp.specialty) in flagged_units
        recommended = passed and not (flagged and rubric["recommend_excludes_flagged"])
        unit_rows.append({"code": sp.code, "name": names.get(sp.code, ""), "specialty": sp.specialty,
                          "objective_score": objective, "onsite_score": onsite_score, "total": total,
                          "passed": passed, "recommended": recommended, "flagged": flagged, "field": sp.field})
        for indicator in lower:
            before = baseline_of.get((sp.code, sp.specialty, indicator), float("nan"))
            now = value_of.get((sp.code, sp.specialty, indicator), float("nan"))
            if pd.notna(before) and pd.notna(now) and now > before:
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


def _as_dict(values: pd.Series) -> dict:
    """``values.to_dict()``, without pandas building each (code, specialty, indicator) key one by one."""
    index = values.index
    if not isinstance(index, pd.MultiIndex):
        return values.to_dict()
    keys = zip(*(index.get_level_values(level).tolist() for level in range(index.nlevels)), strict=True)
    return dict(zip(keys, values.tolist(), strict=True))


def score(intake) -> SpecialtyScores:
    """Score from exact numbers: every value read from its cell's text (``Intake.exact``)."""
    recheck = intake.exact("recheck.csv") if "recheck.csv" in intake.typed else None
    indicators = intake.frame("indicators.csv")
    indicators = indicators.assign(value_num=[exact(t) if pd.notna(v) else None
                                              for t, v in zip(indicators["value"], indicators["value_num"], strict=True)])
    return score_cohort(intake.frame("institutions.csv"), intake.frame("specialties.csv"), indicators,
                        intake.exact("targets.csv"), intake.exact("onsite.csv"), recheck, intake.rubric, intake.year)


# What --only compares after a correction (see evalbook.run.stale): the published table a specialty's report
# shows (its own row, and how many building specialties are ranked), and the columns whose change the
# summary names (who moved).
REPORT_TABLES = ("scores.csv",)
MOVES = (("scores.csv", ("code", "specialty"), {"rank": ("名次", "rank"), "passed": ("合格", "passed"),
                                               "recommended": ("推荐", "recommended")}),)


class NaimanSpecialty(Scheme):
    """临床重点专科建设评估: one report per building specialty, its folder ``<code>-<specialty>``."""

    NAME, TITLE, FILES, FILE_LABELS = NAME, TITLE, FILES, FILE_LABELS
    REQUIRED_FILES, ROOT_FILES, OPTIONAL_COLUMNS = REQUIRED_FILES, ROOT_FILES, OPTIONAL_COLUMNS
    LIST_SOURCES = {"known_codes": "institutions.csv", "known_units": "specialties.csv"}
    FLAT_FALLBACK = True  # indicators carry their own period: files may sit in naiman-specialty/ or naiman-specialty/<year>/
    UNIT_NOTEBOOK = "specialty"
    REPORT_KEY = (("code", "institution"), ("specialty", "specialty"))  # folder: both parts validated, a safe name
    REPORT_TABLES, MOVES = REPORT_TABLES, MOVES
    WARM = ("evalbook.schemes.naiman_specialty.report",)
    TEMPLATES = "evalbook.schemes.naiman_specialty.templates"

    def load_rubric(self, path: Path) -> Rubric:
        return load_rubric(path)

    def policy_lines(self, rubric: Rubric) -> list[tuple[str, str]]:
        return policy_lines(rubric)

    def extra_expectations(self, file: str) -> list[dict]:
        return _extra_expectations(file)

    def extra_suites(self) -> dict[str, list[dict]]:
        return {"surveys": _survey_rules()}

    def suite_parameters(self, rubric: Rubric, year: int, known_codes: list[str], typed: Mapping[str, pd.DataFrame]) -> dict:
        return suite_parameters(rubric, year, known_codes, typed)

    def derive_text(self, file: str, text: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
        return derive_text(file, text, rubric)

    def derive(self, file: str, typed: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
        return derive(file, typed, rubric)

    def derive_tables(self, intake) -> dict[str, tuple[pd.DataFrame, pd.DataFrame, str]]:
        return derive_tables(intake)

    def row_context(self, file: str, text: pd.DataFrame, row) -> str | None:
        return row_context(file, text, row)

    def cross_checks(self, typed: Mapping[str, pd.DataFrame], rubric: Rubric, year: int) -> list[Problem]:
        return cross_checks(typed, rubric, year)

    def score(self, intake) -> SpecialtyScores:
        return score(intake)

    def result_tables(self, scores: SpecialtyScores) -> dict[str, pd.DataFrame]:
        return {"units": scores.units, "indicators": scores.indicators}

    def output_tables(self, scores: SpecialtyScores) -> dict[str, pd.DataFrame]:
        """scores.csv and indicator_scores.csv (the CLI contract)."""
        return {"scores.csv": scores.units[SCORE_COLUMNS], "indicator_scores.csv": scores.indicators}

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
        from evalbook.output.rubric_docs import label
        from evalbook.schemes.naiman_specialty.rules_doc import naiman_markdown

        path = Path(rubric_path or self.rubric_path())
        return naiman_markdown(self.load_rubric(path), catalog(), label(path))

    def synth_recipe(self) -> Recipe:
        return Recipe(2025, ("specialties.csv", "indicators.csv", "targets.csv", "onsite.csv", "recheck.csv"),
                      {"onsite.csv": {"management": (0, 100, 1), "construction": (0, 100, 1), "talent": (0, 100, 1)}},
                      "示例医院{n}（示例）")
