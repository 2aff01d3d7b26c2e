"""wendeng-featured: the input contract (files and columns, 附件3 facts), the rules across columns, rows and
files that the suites and ``cross_checks`` enforce, and the columns derived for them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd

from evalbook.committee.experts import (
    REGISTRY_COLUMNS,
    REGISTRY_FILE,
    REGISTRY_LABEL,
    derive_registry,
    registry_problems,
    registry_rules,
)
from evalbook.core.columns import Column, expectation, identity_key, per_distinct
from evalbook.core.errors import Problem
from evalbook.core.exact import exact
from evalbook.core.rubric import Rubric
from evalbook.schemes.wendeng_featured.items import AWARD_LABELS, AWARD_LEVELS

NAME = "wendeng-featured"
TITLE = "特色医疗综合考评"
GROUPS = {"district": "district", "primary": "primary", "一组": "district", "二组": "primary"}
AWARD_TOKENS = {**{level: level for level in AWARD_LEVELS}, **{v: k for k, v in AWARD_LABELS.items()}, "无": "none"}
DIMENSIONS = ("advantage", "work", "economic", "social", "difficulty", "risk")
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
                            zip(DIMENSIONS, ("特色优势", "工作开展", "经济效益", "社会效益", "技术难度", "风险意外"),
                                strict=True)]],
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
    REGISTRY_FILE: REGISTRY_COLUMNS,  # the commission's expert registry (optional): who each expert id is, for 回避
}
OPTIONAL_COLUMNS = {"ledger.csv": ("submitted_on",)}
ROOT_FILES = ("institutions.csv", REGISTRY_FILE)
REQUIRED_FILES = ("institutions.csv", "facts.csv", "expert_scores.csv")
FILE_LABELS = {"institutions.csv": "机构名单", "facts.csv": "附件3 考评事实", "judgments.csv": "视情扣分",
               "expert_scores.csv": "附件4 专家评分", "project_stats.csv": "附件6 项目指标统计",
               "ledger.csv": "附件5 工作台账", REGISTRY_FILE: REGISTRY_LABEL}


def _when(column: str, value) -> dict:
    """A GX 1.x row condition (``Column(column) == value``) in its JSON form."""
    return {"column": {"name": column}, "operator": "==", "parameter": value, "type": "comparison"}


def _known_code():
    return expectation("expect_column_values_to_be_in_set", {"column": "code", "value_set": {"$PARAMETER": "known_codes"}},
                       "typed", "机构代码应在机构名单（institutions.csv）中", "code must be listed in institutions.csv")


def file_rules(file: str) -> list[dict]:
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
              "视情扣分只适用于第（评分规则中的 judgment_items）项",
              "discretionary deductions are allowed only on items （评分规则中的 judgment_items）"),
            e("expect_column_values_to_be_in_set", {"column": "points_on_step", "value_set": [True]}, "typed",
              "扣分应为（评分规则中的 judgment_step）分的整数倍",
              "points must be a multiple of the rubric's step （评分规则中的 judgment_step）", reported_as="points"),
            e("expect_column_pair_values_a_to_be_greater_than_b",
              {"column_A": "item_cap", "column_B": "item_total", "or_equal": True}, "typed",
              "同一机构同一项目的视情扣分合计不能超过该项上限，各项上限（项：分）为（评分规则中的 judgment_caps）",
              "the sum of deductions per institution and item must not exceed the item's cap (item: points) "
              "（评分规则中的 judgment_caps）",
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
              "typed", "该机构没有专家评分的项目，专家得分按（评分规则中的 unscored_unit_expert_score）分计",
              "institution has no scored project: its expert score is （评分规则中的 unscored_unit_expert_score）",
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
    if file == REGISTRY_FILE:
        return registry_rules()
    raise KeyError(file)


GROUP_TITLES = {"district": "一组 区直医院", "primary": "二组 基层医疗机构"}


def suite_parameters(rubric: Rubric, year: int, known_codes: list[str], typed: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    d = rubric.data
    params: dict[str, Any] = {"known_codes": known_codes, "judgment_items": list(d["judgments"]["items"]),
                              "stats_years": [year - 1, year], "years": [year]}
    for dim in DIMENSIONS:
        params[f"max_{dim}"] = d["expert_dimensions"][dim]["max"]
    # amounts the rule texts show (not used by any expectation): the rubric's, so an edited rubric is what they say
    params["judgment_step"] = d["judgments"]["step"]
    params["judgment_caps"] = {str(n): d["items"][n]["params"]["judgment_cap"] for n in d["judgments"]["items"]
                               if "judgment_cap" in d["items"][n]["params"]}
    params["unscored_unit_expert_score"] = d["unscored_unit_expert_score"]
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
    if file == REGISTRY_FILE:
        typed = derive_registry(typed)
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
    """Checks across files that no single suite can see: warnings, and the expert registry's errors (an expert not
    in it; a project whose every score is recused)."""
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
                problems.append(Problem(f"{year}/expert_scores.csv", "该项目在附件6统计表中没有数据",
                                        "project has no rows in project_stats.csv",
                                        row=int(line), column="project", value=project, severity="warning"))
    if experts is not None:  # the expert registry: every expert registered; scores of their own institution 应回避
        problems += registry_problems(typed.get(REGISTRY_FILE), experts, f"{year}/expert_scores.csv", "project",
                                      rubric.data["panel"]["recusal"] == "exclude")
    return problems


def late_ledgers(ledger: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Ledger rows submitted after day N of the next month (N: the rubric's ``deadlines.ledger_day_of_next_month``)."""
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
