"""Scheme ``wendeng-featured``: 特色医疗综合考评 (威文卫发〔2023〕5号).

The input contract (files and columns), the strict reading of its rubric file, and the cohort
scoring: 16 items (formulas in ``wendeng_items``), the 70/30 composite with the expert scores,
ranking within the two groups, unit and project awards.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from evalbook.core.columns import Column, expectation, identity_key, per_distinct
from evalbook.core.errors import Problem
from evalbook.core.exact import exact, exact_sum, maybe_exact, mean, plain
from evalbook.core.ranking import award_for_rank, rank_within_groups
from evalbook.core.rubric import Rubric, RubricChecker, read_rubric
from evalbook.core.scheme import Scheme
from evalbook.inputs.synth import Recipe
from evalbook.schemes.wendeng_featured.items import AWARD_LABELS, AWARD_LEVELS, ITEMS, Judgment, abstain_penalty, score_items

NAME = "wendeng-featured"
TITLE = "特色医疗综合考评"
GROUPS = {"district": "district", "primary": "primary", "一组": "district", "二组": "primary"}
AWARD_TOKENS = {**{level: level for level in AWARD_LEVELS}, **{v: k for k, v in AWARD_LABELS.items()}, "无": "none"}
DIMENSIONS = ("advantage", "work", "economic", "social", "difficulty", "risk")
ITEM_COLUMNS = [f"item_{n:02d}" for n in range(1, 17)]
UNIT_COLUMNS = ["code", "name", "group", *ITEM_COLUMNS, "penalty", "rubric_score", "expert_score", "total",
                "group_rank", "award", "prize_wan"]
PROJECT_COLUMNS = ["code", "name", "group", "project", "experts", "project_score", "group_rank", "award", "prize_wan"]


def _code(label="机构代码"):
    return Column("code", "code", label)


def _count(name, label, high=None):
    return Column(name, "int", label, low=0, high=high)


def _flag(name, label):
    return Column(name, "bool", label)


FACTS = [
    _code(),
    _flag("leading_group", "是否成立领导小组"), _flag("leader_is_head", "主要负责人是否任组长"),
    _flag("group_document", "是否有院内公文公示"),
    _count("party_meeting_halves", "召开专题党委会的半年数", 2), _count("party_agenda_items", "以普通议题代替的次数"),
    _count("group_meeting_quarters", "召开领导小组会的季度数", 4), _count("meetings_without_decisions", "无议定事项的会议数"),
    _flag("work_plan", "是否制定工作方案"), _flag("ledger_with_targets", "是否建立台账且目标明确"),
    _count("trainees_3m", "进修满3个月人数"), _count("expert_sessions", "外聘专家坐诊带教次数"),
    _count("sessions_non_senior", "非高级职称专家带教次数"),
    _flag("mdt_group", "是否组建多学科专家组"), _flag("tech_lead", "是否明确技术负责人"),
    _count("publicity_forms", "院内宣传形式数"), _count("staff_unaware", "抽查10人中不知情人数", 10),
    _count("media_forms", "社会面宣传形式数"), _count("reports_district", "区级报道次数"),
    _count("reports_city", "市级报道次数"), _count("reports_province", "省级报道次数"),
    _count("reports_national", "国家级报道次数"),
    Column("internal_funds_wan", "number", "内部专项资金（万元）", low=0),
    Column("external_funds_wan", "number", "争取外部资金（万元）", low=0),
    _flag("contest_abstained", "是否放弃区级比武"),
    Column("contest_best_award", "choice", "区级比武最好成绩", choices=AWARD_TOKENS),
    _count("contest_entries", "区级比武参赛项目数"),
    Column("superior_team_ranks", "ranks", "上级比武团体名次", required=False),
    Column("superior_individual_ranks", "ranks", "上级比武个人名次", required=False),
    _count("slack_findings", "推进迟缓被发现次数"), _count("mismatch_findings", "督导与调度不符次数"),
    _count("rectified_on_time", "按时整改且成效明显次数"), _count("late_submissions", "迟报次数"),
    _flag("year_end_review", "是否开展年度综合评定"),
]

FILES: dict[str, list[Column]] = {
    "institutions.csv": [_code(), Column("name", "text", "机构名称"),
                         Column("group", "choice", "分组", choices=GROUPS)],
    "facts.csv": FACTS,
    "judgments.csv": [_code(), Column("item", "int", "考评项目序号"),
                      Column("points", "number", "视情扣分", low=0, strict_low=True),
                      Column("reason", "text", "扣分理由"), Column("evaluator", "text", "评审人")],
    "expert_scores.csv": [_code(), Column("project", "text", "特色项目"), Column("expert", "text", "专家"),
                          *[Column(d, "number", label, low=0, high=f"max_{d}") for d, label in
                            zip(DIMENSIONS, ("特色优势", "工作开展", "经济效益", "社会效益", "技术难度", "风险意外"), strict=True)]],
    "project_stats.csv": [_code(), Column("project", "text", "特色项目"), Column("year", "int", "年度"),
                          _count("staff", "工作人员配备（人）"), _count("workload", "工作量（人次）"),
                          Column("revenue_wan", "number", "业务收入（万元）", low=0),
                          _count("training_3m", "外出进修人次数（3个月以上）"),
                          _count("expert_sessions", "外聘专家坐诊带教人次数"),
                          Column("investment_wan", "number", "资金投入金额（万元）", low=0)],
    "ledger.csv": [_code(), Column("project", "text", "特色项目"), Column("month", "month", "月份"),
                   Column("work_done", "text", "已经开展的工作及取得的成效"),
                   Column("difficulties", "text", "遇到的困难问题", required=False),
                   Column("next_steps", "text", "下步工作计划", required=False),
                   Column("submitted_on", "date", "报送日期", required=False)],
}
OPTIONAL_COLUMNS = {"ledger.csv": ("submitted_on",)}
ROOT_FILES = ("institutions.csv",)
REQUIRED_FILES = ("institutions.csv", "facts.csv", "expert_scores.csv")
FILE_LABELS = {"institutions.csv": "机构名单", "facts.csv": "附件3 考评事实", "judgments.csv": "视情扣分",
               "expert_scores.csv": "附件4 专家评分", "project_stats.csv": "附件6 项目指标统计",
               "ledger.csv": "附件5 工作台账"}


def _when(column: str, value) -> dict:
    """A GX 1.x row condition (``Column(column) == value``) in its JSON form."""
    return {"column": {"name": column}, "operator": "==", "parameter": value, "type": "comparison"}


def _known_code():
    return expectation("expect_column_values_to_be_in_set", {"column": "code", "value_set": {"$PARAMETER": "known_codes"}},
                       "typed", "机构代码应在机构名单（institutions.csv）中", "code must be listed in institutions.csv")


def _cross_column_rules(file: str) -> list[dict]:
    e = expectation
    if file == "institutions.csv":
        return [e("expect_column_values_to_be_unique", {"column": "code"}, "typed", "机构代码不能重复", "code must be unique")]
    if file == "facts.csv":
        return [
            _known_code(),
            e("expect_column_values_to_be_unique", {"column": "code"}, "typed",
              "每个机构只能有一行考评事实", "one facts row per institution"),
            e("expect_column_distinct_values_to_contain_set", {"column": "code", "value_set": {"$PARAMETER": "known_codes"}},
              "typed", "机构名单中的每个机构都应有一行考评事实", "every institution in institutions.csv needs a facts row"),
            e("expect_column_pair_values_a_to_be_greater_than_b",
              {"column_A": "expert_sessions", "column_B": "sessions_non_senior", "or_equal": True}, "typed",
              "非高级职称专家带教次数不能多于带教总次数", "sessions_non_senior must not exceed expert_sessions"),
            e("expect_column_values_to_be_in_set", {"column": "contest_best_award", "value_set": ["none"],
                                                    "row_condition": _when("contest_abstained", True)},
              "typed", "放弃比武的机构不能有比武获奖", "an institution that abstained cannot have a contest award"),
            e("expect_column_values_to_be_between", {"column": "contest_entries", "max_value": 0,
                                                     "row_condition": _when("contest_abstained", True)},
              "typed", "放弃比武的机构参赛项目数应为0", "an institution that abstained must have 0 contest entries"),
            e("expect_column_values_to_be_between", {"column": "contest_entries", "min_value": 1,
                                                     "row_condition": _when("contest_abstained", False)},
              "typed", "未放弃比武的机构至少推选1个项目参赛（否则应填放弃）",
              "an institution that did not abstain must have at least 1 entry (else mark it abstained)"),
        ]
    if file == "judgments.csv":
        return [
            _known_code(),
            e("expect_column_values_to_be_in_set", {"column": "item", "value_set": {"$PARAMETER": "judgment_items"}}, "typed",
              "视情扣分只适用于第4、7、8、15、16项", "discretionary deductions are allowed only on items 4, 7, 8, 15, 16"),
            e("expect_column_values_to_be_in_set", {"column": "points_on_step", "value_set": [True]}, "typed",
              "扣分应为0.5分的整数倍", "points must be a multiple of the rubric's step (0.5)", reported_as="points"),
            e("expect_column_pair_values_a_to_be_greater_than_b",
              {"column_A": "item_cap", "column_B": "item_total", "or_equal": True}, "typed",
              "同一机构同一项目的视情扣分合计不能超过该项上限（第4项5分、第7项2分、第8项2分、第15项5分、第16项5分）",
              "the sum of deductions per institution and item must not exceed the item's cap (4: 5, 7: 2, 8: 2, 15: 5, 16: 5)",
              reported_as="points"),
        ]
    if file == "expert_scores.csv":
        return [
            _known_code(),
            e("expect_compound_columns_to_be_unique", {"column_list": ["code", "project", "expert_key"]}, "typed",
              "同一专家对同一项目只能评分一次（比较专家时不区分大小写、全角半角和首尾空格：E05 与 e05 是同一专家）",
              "one row per code + project + expert (experts compared ignoring case, full/half width and spaces: "
              "E05 and e05 are one expert)", reported_as="code+project+expert"),
            e("expect_column_distinct_values_to_contain_set", {"column": "code", "value_set": {"$PARAMETER": "known_codes"}},
              "typed", "该机构没有专家评分的项目，专家得分按0分计", "institution has no scored project: its expert score is 0",
              severity="warning"),
        ]
    if file == "project_stats.csv":
        return [
            _known_code(),
            e("expect_column_values_to_be_in_set", {"column": "year", "value_set": {"$PARAMETER": "stats_years"}}, "typed",
              "统计年度应为考评年度或上一年度", "year must be the evaluated year or the one before"),
            e("expect_compound_columns_to_be_unique", {"column_list": ["code", "project", "year"]}, "typed",
              "同一项目同一年度只能有一行", "one row per code + project + year"),
        ]
    if file == "ledger.csv":
        return [
            _known_code(),
            e("expect_column_values_to_be_in_set", {"column": "month_year", "value_set": {"$PARAMETER": "years"}}, "typed",
              "台账月份应在考评年度内", "month must be within the evaluated year", reported_as="month"),
            e("expect_compound_columns_to_be_unique", {"column_list": ["code", "project", "month"]}, "typed",
              "同一项目同一月份只能有一行台账", "one ledger row per code + project + month"),
            e("expect_column_values_to_be_in_set", {"column": "submitted_after_month", "value_set": [True]}, "typed",
              "报送日期不能早于台账月份的第一天（台账报送的是已过去的月份）",
              "submitted_on must not be before the first day of the ledger's month (a ledger reports a month gone by)",
              reported_as="submitted_on"),
        ]
    raise KeyError(file)


# --------------------------------------------------------------------------- rubric

def load_rubric(path: Path) -> Rubric:
    """Read and strictly check the rubric file: unknown or missing keys are errors."""
    rubric = read_rubric(path)
    check = RubricChecker(rubric)
    data = rubric.data
    top = {"scheme", "version", "title", "source", "groups", "weights", "items", "funding_bands", "judgments",
           "expert_dimensions", "unscored_unit_expert_score", "ranking", "unit_awards", "project_awards", "deadlines"}
    if not check.keys(data, "rubric", top):
        check.raise_if_any()
    check.choice(data["scheme"], "scheme", (NAME,))
    check.keys(data["groups"], "groups", {"district", "primary"})
    if check.keys(data["weights"], "weights", {"rubric", "expert"}):
        for key in ("rubric", "expert"):
            check.number(data["weights"][key], f"weights.{key}")
    items = data["items"]
    if check.keys(items, "items", set(ITEMS)):
        for number, (_, params, _) in ITEMS.items():
            where = f"items.{number}"
            if check.keys(items[number], where, {"title", "category", "max", "params"}):
                check.number(items[number]["max"], f"{where}.max")
                if check.keys(items[number]["params"], f"{where}.params", set(params)):
                    _check_params(check, number, items[number]["params"], where)
    bands = data["funding_bands"]
    if check.keys(bands, "funding_bands", {"district", "primary"}):
        for group, rows in bands.items():
            for i, band in enumerate(check.items(rows, f"funding_bands.{group}")):
                if check.keys(band, f"funding_bands.{group}[{i}]", {"points", "above", "inclusive"}):
                    check.number(band["points"], f"funding_bands.{group}[{i}].points")
                    check.number(band["above"], f"funding_bands.{group}[{i}].above")
                    check.choice(band["inclusive"], f"funding_bands.{group}[{i}].inclusive", (True, False))
    if check.keys(data["judgments"], "judgments", {"items", "step"}):
        check.number(data["judgments"]["step"], "judgments.step", minimum=0.01)
        for n in check.items(data["judgments"]["items"], "judgments.items"):
            check.choice(n, "judgments.items", tuple(ITEMS))
    if check.keys(data["expert_dimensions"], "expert_dimensions", set(DIMENSIONS)):
        for dim in DIMENSIONS:
            if check.keys(data["expert_dimensions"][dim], f"expert_dimensions.{dim}", {"label", "max"}):
                check.number(data["expert_dimensions"][dim]["max"], f"expert_dimensions.{dim}.max")
    check.number(data["unscored_unit_expert_score"], "unscored_unit_expert_score")
    if check.keys(data["ranking"], "ranking", {"order", "ties"}):
        check.choice(data["ranking"]["ties"], "ranking.ties", ("shared",))
        for key in check.items(data["ranking"]["order"], "ranking.order"):
            check.choice(key, "ranking.order", ("total", "rubric_score", "expert_score"))
    for awards_key in ("unit_awards", "project_awards"):
        extra = {"excellence"} if awards_key == "project_awards" else set()
        if check.keys(data[awards_key], awards_key, {"district", "primary"} | extra):
            for group in ("district", "primary"):
                for i, tier in enumerate(check.items(data[awards_key][group], f"{awards_key}.{group}")):
                    if check.keys(tier, f"{awards_key}.{group}[{i}]", {"award", "count", "prize_wan"}):
                        check.number(tier["count"], f"{awards_key}.{group}[{i}].count")
                        check.number(tier["prize_wan"], f"{awards_key}.{group}[{i}].prize_wan")
    excellence = data["project_awards"].get("excellence") if isinstance(data["project_awards"], dict) else None
    if excellence is not None and check.keys(excellence, "project_awards.excellence", {"award", "min_score", "prize_wan"}):
        check.number(excellence["min_score"], "project_awards.excellence.min_score")
        check.keys(excellence["prize_wan"], "project_awards.excellence.prize_wan", {"district", "primary"})
    if check.keys(data["deadlines"], "deadlines", {"ledger_day_of_next_month", "stats_month_day"}):
        day = data["deadlines"]["ledger_day_of_next_month"]
        if not (isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 28):
            check.fail("deadlines.ledger_day_of_next_month", "应为1至28之间的整数", "must be a whole number from 1 to 28", day)
        stats_day = data["deadlines"]["stats_month_day"]
        if not (isinstance(stats_day, str) and len(stats_day) == 5 and stats_day[2] == "-"
                and stats_day.replace("-", "").isdigit()):
            check.fail("deadlines.stats_month_day", "应为 MM-DD 格式，如 12-31", "must be MM-DD, e.g. 12-31", stats_day)
    check.raise_if_any()
    return rubric


def _check_params(check: RubricChecker, number: int, params: Mapping, where: str) -> None:
    for key, value in params.items():
        if key == "order":
            check.choice(value, f"{where}.params.order", ("cap_then_deduct", "deduct_then_cap"))
        elif key == "penalty_applies_to":
            check.choice(value, f"{where}.params.penalty_applies_to", ("total", "rubric"))
        elif key == "bands":
            check.choice(value, f"{where}.params.bands", ("funding_bands",))
        else:
            check.number(value, f"{where}.params.{key}")


ORDER_LABELS = {"total": "总成绩", "rubric_score": "附件3得分", "expert_score": "专家得分"}


def policy_lines(rubric: Rubric) -> list[tuple[str, str]]:
    """The 评分口径: every [policy] choice of the rubric, in Chinese, for the reports."""
    d = rubric.data
    p12, p9, p14 = d["items"][12]["params"], d["items"][9]["params"], d["items"][14]["params"]
    units = d["unit_awards"]
    projects = d["project_awards"]

    def tiers(rows):
        return "、".join(f"{t['award']}{t['count']}名（{t['prize_wan']:g}万元）" for t in rows)

    def bands(rows):
        return "；".join(f"{'≥' if b['inclusive'] else '>'}{b['above']:g}万元得{b['points']:g}分" for b in rows)

    excellence = projects["excellence"]
    return [
        ("评分规则版本", f"{d['title']} {d['version']}（{d['source']}）"),
        ("总成绩", f"{d['weights']['rubric']:g} × 附件3得分 + {d['weights']['expert']:g} × 项目专家平均得分 − 放弃比武扣分；保留全部精度，仅显示时四舍五入"),
        ("放弃比武扣分", f"扣{p12['abstain_penalty']:g}分，扣在" + ("总成绩" if p12["penalty_applies_to"] == "total" else "附件3得分（加权前）")),
        ("第2项", f"少开专题会每次扣{d['items'][2]['params']['per_missing_meeting']:g}分；以普通议题代替每次扣{d['items'][2]['params']['per_replaced_meeting']:g}分"),
        ("第4项", f"工作方案质量视情扣分上限{d['items'][4]['params']['judgment_cap']:g}分（原文未规定上限）"),
        ("第9项", "报道得分先封顶再扣宣传形式分" if p9["order"] == "cap_then_deduct" else "先扣宣传形式分再封顶"),
        ("第10、11项 区直", bands(d["funding_bands"]["district"]) + "（原文缺100–200万元档，按4分处理）"),
        ("第10、11项 基层", bands(d["funding_bands"]["primary"]) + "（各档含上限；首档含下限）"),
        ("第14项", f"{d['items'][14]['max']:g} − {p14['per_slack_finding']:g}×推进迟缓次数 − "
                  f"{p14['per_mismatch_finding']:g}×不符次数 + {p14['per_rectified']:g}×按时整改次数，"
                  f"限定在0至{d['items'][14]['max']:g}分"),
        ("视情扣分", f"仅第{'、'.join(map(str, d['judgments']['items']))}项，每次须为{d['judgments']['step']:g}分的整数倍，须写明理由"),
        ("无评分项目的机构", f"专家得分按{d['unscored_unit_expert_score']:g}分计，并给出警告"),
        ("排名与并列", f"组内依次按{'、'.join(ORDER_LABELS[k] for k in d['ranking']['order'])}从高到低排序；"
                       "完全相同者名次并列（如1、1、3），奖项与奖金相同；项目按项目得分同样处理"
                       "（并列在最后一个获奖名次时，多发一个奖）；比较用精确值，不受二进制浮点误差影响"),
        ("单位奖名额（一组）", tiers(units["district"])),
        ("单位奖名额（二组）", tiers(units["primary"])),
        ("项目奖名额（一组）", tiers(projects["district"])),
        ("项目奖名额（二组）", tiers(projects["primary"])),
        ("优秀奖", f"其余项目得分不低于{excellence['min_score']:g}分者获{excellence['award']}"
                   f"（一组{excellence['prize_wan']['district']:g}万元，二组{excellence['prize_wan']['primary']:g}万元）"),
    ]


# --------------------------------------------------------------------------- inputs

def suite_parameters(rubric: Rubric, year: int, known_codes: list[str], typed: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    d = rubric.data
    params: dict[str, Any] = {"known_codes": known_codes, "judgment_items": list(d["judgments"]["items"]),
                              "stats_years": [year - 1, year], "years": [year]}
    for dim in DIMENSIONS:
        params[f"max_{dim}"] = d["expert_dimensions"][dim]["max"]
    return params


def derive(file: str, typed: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Columns computed before the typed stage so that suites can check rules across rows."""
    typed = typed.copy()
    if file == "judgments.csv":
        step = rubric.data["judgments"]["step"]
        caps = {n: rubric.data["items"][n]["params"].get("judgment_cap") for n in rubric.data["items"]}
        typed["item_total"] = typed.groupby(["code", "item"], dropna=False)["points"].transform("sum")
        # an item or points of absurd size (400 digits: inf) is the range rule's to report, not a crash here
        typed["item_cap"] = typed["item"].map(
            lambda n: caps.get(int(n)) if pd.notna(n) and math.isfinite(n) and int(n) in caps else None).astype("float64")
        typed["points_on_step"] = typed["points"].map(
            lambda v: True if pd.isna(v) or not math.isfinite(v) else (exact(v) / exact(step)).denominator == 1).astype(object)
    if file == "expert_scores.csv":
        typed["expert_key"] = per_distinct(typed["expert"], lambda names: names.map(identity_key).astype(object))
    if file == "ledger.csv":
        typed["month_year"] = per_distinct(typed["month"], _years)  # the ledger repeats its twelve months
        typed["submitted_after_month"] = _submitted_after_month(typed)
    return typed


def _submitted_after_month(ledger: pd.DataFrame) -> pd.Series:
    """True when ``submitted_on`` is on or after the first day of ``month``; None when either is missing
    or not a date (their own rules report that). Each distinct month and date is parsed once."""
    parsed: dict[tuple[str, str], date | None] = {}

    def day(text, fmt):
        if not isinstance(text, str):
            return None
        if (text, fmt) not in parsed:
            try:
                parsed[text, fmt] = datetime.strptime(text, fmt).date()  # noqa: DTZ007 - calendar dates, as the suites read them
            except ValueError:
                parsed[text, fmt] = None
        return parsed[text, fmt]

    def check(month, submitted):
        first, sent = day(month, "%Y-%m"), day(submitted, "%Y-%m-%d")
        return None if first is None or sent is None else sent >= first

    return pd.Series([check(m, s) for m, s in zip(ledger["month"], ledger["submitted_on"], strict=True)],
                     index=ledger.index, dtype=object)


def _years(months: pd.Series) -> pd.Series:
    return months.map(lambda m: int(m[:4]) if isinstance(m, str) and m[:4].isdigit() else None).astype("float64")


def cross_checks(typed: Mapping[str, pd.DataFrame], rubric: Rubric, year: int) -> list[Problem]:
    """Checks across files that no single suite can see; all are warnings."""
    problems = []
    facts, ledger, stats, experts = (typed.get(f) for f in ("facts.csv", "ledger.csv", "project_stats.csv", "expert_scores.csv"))
    if ledger is not None and facts is not None and "submitted_on" in ledger and ledger["submitted_on"].notna().any():
        late = late_ledgers(ledger, rubric)
        counts = late.groupby("code").size().to_dict() if not late.empty else {}
        in_ledger = set(ledger["code"])
        for line, code, stated in zip(facts.index, facts["code"], facts["late_submissions"], strict=True):
            found = int(counts.get(code, 0))
            if pd.notna(stated) and found != int(stated) and code in in_ledger:
                problems.append(Problem(f"{year}/facts.csv", f"迟报次数与台账报送日期不符：台账显示迟报{found}次",
                                        f"late_submissions disagrees with the ledger's submitted_on dates: {found} late ledgers",
                                        row=int(line), column="late_submissions", value=int(stated), severity="warning"))
    if experts is not None and stats is not None:
        known = set(zip(stats["code"], stats["project"], strict=True))
        firsts = experts[["code", "project"]].dropna().drop_duplicates()  # each project at its first row, in file order
        for line, code, project in zip(firsts.index, firsts["code"], firsts["project"], strict=True):
            if (code, project) not in known:
                problems.append(Problem(f"{year}/expert_scores.csv", "该项目在附件6统计表中没有数据", "project has no rows in project_stats.csv",
                                        row=int(line), column="project", value=project, severity="warning"))
    return problems


def late_ledgers(ledger: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Ledger rows submitted after day N of the next month (source 五(三): 每月5日前报送上个月台账)."""
    day = int(rubric.data["deadlines"]["ledger_day_of_next_month"])
    rows = ledger.dropna(subset=["month", "submitted_on"])
    if rows.empty:
        return rows.assign(deadline=pd.Series(dtype="object"))
    month_start = pd.to_datetime(rows["month"] + "-01", errors="coerce")
    deadline = (month_start + pd.offsets.MonthBegin(1)) + pd.Timedelta(days=day - 1)
    submitted = pd.to_datetime(rows["submitted_on"], errors="coerce")
    late = rows[submitted > deadline].copy()
    late["deadline"] = deadline[submitted > deadline].dt.strftime("%Y-%m-%d")
    return late


# --------------------------------------------------------------------------- scoring

@dataclass
class CohortScores:
    """A year's result: one row per unit, one per project, and each unit's item traces."""

    units: pd.DataFrame
    projects: pd.DataFrame
    items: dict[str, list] = field(default_factory=dict)


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


def project_scores(expert_scores: pd.DataFrame) -> pd.DataFrame:
    """Annex 4: a project's score is the exact mean over its experts of the six-dimension sum."""
    sums: dict[tuple, list] = {}
    for row in zip(expert_scores["code"], expert_scores["project"], *(expert_scores[d] for d in DIMENSIONS), strict=True):
        sums.setdefault((row[0], row[1]), []).append(exact_sum(row[2:]))
    return pd.DataFrame([(code, project, len(s), mean(s)) for (code, project), s in sums.items()],
                        columns=["code", "project", "experts", "project_score"])


def score_cohort(institutions: pd.DataFrame, facts: pd.DataFrame, judgments: pd.DataFrame,
                 expert_scores: pd.DataFrame, rubric: Mapping[str, Any] | Rubric) -> CohortScores:
    """Score, rank and award a whole year. Pure: data frames in, data frames out."""
    rubric = rubric.data if isinstance(rubric, Rubric) else rubric
    facts = typed_facts(facts).set_index("code")
    weights = rubric["weights"]
    projects = project_scores(expert_scores)
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




def report_units(intake, scores: CohortScores) -> list[tuple[str, str, dict]]:
    """One report per institution: (folder, code, notebook parameters)."""
    return [(code, code, {"institution": code}) for code in scores.units["code"]]


def result_tables(scores: CohortScores) -> dict[str, pd.DataFrame]:
    return {"units": scores.units, "projects": scores.projects}


def score(intake) -> CohortScores:
    """Score a validated intake (the batch and the notebooks call this)."""
    return score_cohort(intake.frame("institutions.csv"), intake.exact("facts.csv"), intake.exact("judgments.csv"),
                        intake.exact("expert_scores.csv"), intake.rubric)


UNIT_HEADERS_ZH = {"code": "机构代码", "name": "机构名称", "group": "分组", "penalty": "放弃比武扣分",
                   "rubric_score": "附件3得分", "expert_score": "专家得分", "total": "总成绩", "group_rank": "组内名次",
                   "award": "单位奖", "prize_wan": "奖金（万元）", "project": "特色项目", "experts": "专家人数",
                   "project_score": "项目得分", **{f"item_{n:02d}": f"第{n}项" for n in range(1, 17)}}
GROUP_TITLES = {"district": "一组 区直医院", "primary": "二组 基层医疗机构"}


# What --only compares after a correction (see evalbook.run.stale): the published tables an institution's
# report shows, and the columns whose change the summary names (who moved).
REPORT_TABLES = ("scores.csv", "project_scores.csv")
MOVES = (("scores.csv", ("code",), {"group_rank": ("组内名次", "rank"), "award": ("单位奖", "award"),
                                    "prize_wan": ("奖金（万元）", "prize (10k yuan)")}),
         ("project_scores.csv", ("code", "project"), {"group_rank": ("项目名次", "project rank"),
                                                      "award": ("项目奖", "project award"),
                                                      "prize_wan": ("项目奖金（万元）", "project prize (10k yuan)")}))
GROUP_SHOWN = ("code", "name", "group_rank", "total", *ITEM_COLUMNS)  # group ranking chart, group item averages


class WendengFeatured(Scheme):
    """特色医疗综合考评: one report per institution, ranked and awarded within its group."""

    NAME, TITLE, FILES, FILE_LABELS = NAME, TITLE, FILES, FILE_LABELS
    REQUIRED_FILES, ROOT_FILES, OPTIONAL_COLUMNS = REQUIRED_FILES, ROOT_FILES, OPTIONAL_COLUMNS
    UNIT_NOTEBOOK = "institution"
    REPORT_KEY = (("code", "institution"),)
    REPORT_TABLES, MOVES = REPORT_TABLES, MOVES
    WARM = ("evalbook.schemes.wendeng_featured.report",)
    TEMPLATES = "evalbook.schemes.wendeng_featured.templates"  # Excel templates: evalbook template / ingest

    def load_rubric(self, path: Path) -> Rubric:
        return load_rubric(path)

    def policy_lines(self, rubric: Rubric) -> list[tuple[str, str]]:
        return policy_lines(rubric)

    def extra_expectations(self, file: str) -> list[dict]:
        return _cross_column_rules(file)

    def suite_parameters(self, rubric: Rubric, year: int, known_codes: list[str], typed: Mapping[str, pd.DataFrame]) -> dict:
        return suite_parameters(rubric, year, known_codes, typed)

    def derive(self, file: str, typed: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
        return derive(file, typed, rubric)

    def cross_checks(self, typed: Mapping[str, pd.DataFrame], rubric: Rubric, year: int) -> list[Problem]:
        return cross_checks(typed, rubric, year)

    def score(self, intake) -> CohortScores:
        return score(intake)

    def result_tables(self, scores: CohortScores) -> dict[str, pd.DataFrame]:
        return {"units": scores.units, "projects": scores.projects}

    def output_tables(self, scores: CohortScores) -> dict[str, pd.DataFrame]:
        """scores.csv and project_scores.csv (the CLI contract)."""
        return {"scores.csv": scores.units, "project_scores.csv": scores.projects}

    def result_sheets(self, intake, scores: CohortScores) -> list:
        def sheet(frame: pd.DataFrame):
            shown = frame.assign(group=frame["group"].map(GROUP_TITLES))
            return [UNIT_HEADERS_ZH[c] for c in frame.columns], shown.itertuples(index=False)

        return [("单位排名", *sheet(scores.units)), ("项目得分", *sheet(scores.projects))]

    def report_facts(self, tables: Mapping[str, list[dict]]) -> dict[str, dict]:
        return report_facts(tables)

    def rules_markdown(self, rubric_path: Path | None = None) -> str:
        from evalbook.output.rubric_docs import label
        from evalbook.schemes.wendeng_featured.rules_doc import wendeng_markdown

        path = Path(rubric_path or self.rubric_path())
        return wendeng_markdown(self.load_rubric(path), label(path))

    def synth_recipe(self) -> Recipe:
        return Recipe(2023, ("facts.csv", "judgments.csv", "expert_scores.csv", "project_stats.csv", "ledger.csv"),
                      {"expert_scores.csv": {d: (0, 20 if d in ("advantage", "work") else 15, 0.5) for d in DIMENSIONS}},
                      "示例机构{n}（示例）")


def report_facts(tables: Mapping[str, list[dict]]) -> dict[str, dict]:
    """Per report folder, the cells of the year's tables its report shows (as published text): its own row
    (scores, rank, award, prize), every row of its group (the ranking chart: names, ranks and totals; the item
    averages: each member's item scores) and its projects' rows (score, rank, award, prize)."""
    groups: dict[str, list[dict]] = {}
    for row in tables["scores.csv"]:
        groups.setdefault(row["group"], []).append({c: row[c] for c in GROUP_SHOWN})
    projects: dict[str, list[dict]] = {}
    for row in tables["project_scores.csv"]:
        projects.setdefault(row["code"], []).append(row)
    return {row["code"]: {"unit": row, "group": groups[row["group"]], "projects": projects.get(row["code"], [])}
            for row in tables["scores.csv"]}
