"""wendeng-featured: values that pass every rule but are hard to believe (``Scheme.plausibility``).

Each finding is a ``Problem`` of severity ``implausible`` (存疑): shown in ``validate``, the reports, ``validation.json``
and results.xlsx, never stopping a run and never changing a score. Every threshold is a [policy] key of the rubric's
``plausibility`` section; comparisons are exact (Fractions from the cells' text).

- **同比跳变 (a jump from last year)**: a fact of ``facts.csv`` against the same institution's row of the previous
  year's ``facts.csv`` (``<year-1>/facts.csv``, when it exists), and an Annex 6 statistic of ``project_stats.csv``
  (the year's row) against the project's previous-year row (in the same file, as Annex 6 reports both years; else
  in the previous year's file). Flagged when the larger of the two is more than ``jump_factor`` times the smaller
  (exactly ``jump_factor`` times is not flagged), unless both are at most ``jump_floor`` (small numbers: 1 → 4 is no
  evidence). From zero to above the floor is flagged (any positive value is more than ``jump_factor`` × 0).
- **收入与工作量不符 (revenue without the workload)**: an Annex 6 row whose revenue per visit,
  业务收入 × 10000 ÷ 工作量, is above ``max_revenue_per_visit_yuan`` 元 (revenue with no workload at all is flagged).
- **工作量与人员不符 (workload without the staff)**: an Annex 6 row whose workload per staff member, 工作量 ÷ 工作人员,
  is above ``max_workload_per_staff`` 人次 a year (workload with no staff at all is flagged).
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from evalbook.core.errors import IMPLAUSIBLE, Problem
from evalbook.core.exact import exact, plain
from evalbook.core.rubric import Rubric

JUMP_FACTS = ("trainees_3m", "expert_sessions", "reports_district", "reports_city", "reports_province",
              "reports_national", "internal_funds_wan", "external_funds_wan")  # facts a jump may be checked on
JUMP_STATS = ("staff", "workload", "revenue_wan", "training_3m", "expert_sessions", "investment_wan")
LABELS = {"trainees_3m": "进修满3个月人数", "expert_sessions": "外聘专家坐诊带教次数", "reports_district": "区级报道次数",
          "reports_city": "市级报道次数", "reports_province": "省级报道次数", "reports_national": "国家级报道次数",
          "internal_funds_wan": "内部专项资金（万元）", "external_funds_wan": "争取外部资金（万元）",
          "staff": "工作人员配备（人）", "workload": "工作量（人次）", "revenue_wan": "业务收入（万元）",
          "training_3m": "外出进修人次数", "investment_wan": "资金投入金额（万元）"}
KEYS = {"jump_factor", "jump_floor", "jump_facts", "jump_stats", "max_revenue_per_visit_yuan", "max_workload_per_staff"}


def thresholds(rubric: Rubric) -> dict:
    """The rubric's ``plausibility`` numbers as exact Fractions (read from the YAML's text form)."""
    p = rubric.data["plausibility"]
    return {"factor": exact(str(p["jump_factor"])), "floor": exact(str(p["jump_floor"])),
            "facts": list(p["jump_facts"]), "stats": list(p["jump_stats"]),
            "revenue": exact(str(p["max_revenue_per_visit_yuan"])), "workload": exact(str(p["max_workload_per_staff"]))}


def _number(value) -> Fraction | None:
    if value is None or (not isinstance(value, Fraction) and pd.isna(value)):
        return None
    return value if isinstance(value, Fraction) else exact(str(value))


def is_jump(current: Fraction, previous: Fraction, factor: Fraction, floor: Fraction) -> bool:
    """The larger of the two more than ``factor`` × the smaller, unless both are at most ``floor``."""
    high, low = max(current, previous), min(current, previous)
    return high > floor and high > factor * low


def _jump_rule(label: str, file: str, line: int, year: int, previous: Fraction, current: Fraction,
               t: dict) -> tuple[str, str]:
    factor, floor = plain(t["factor"]), plain(t["floor"])
    return (f"{label}与上一年度（{file} 第{line}行，{year}年：{plain(previous)}）相比变化超过{factor}倍"
            f"（较大值 > {factor} × 较小值，且两年不都 ≤ {floor}；"
            f"评分规则 plausibility.jump_factor = {factor}，jump_floor = {floor}）：请核实，不影响评分",
            f"changed more than {factor}-fold from the previous year ({file} row {line}, {year}: {plain(previous)} → "
            f"{plain(current)}; "
            f"rule: larger > {factor} × smaller unless both ≤ {floor}, rubric plausibility.jump_factor = {factor}, "
            f"jump_floor = {floor}): please check; scores unchanged")


def fact_jumps(facts: pd.DataFrame, previous: pd.DataFrame | None, file: str, previous_file: str, t: dict) -> list[Problem]:
    """Facts that jumped from the same institution's row of the previous year's facts.csv."""
    if previous is None or previous.empty:
        return []
    before = {row["code"]: (line, row) for line, row in previous.iterrows()}
    problems = []
    for line, row in facts.iterrows():
        if row["code"] not in before:
            continue
        old_line, old = before[row["code"]]
        for column in t["facts"]:
            current, past = _number(row[column]), _number(old[column])
            if current is None or past is None or not is_jump(current, past, t["factor"], t["floor"]):
                continue
            zh, en = _jump_rule(LABELS.get(column, column), previous_file, old_line, int(old["year"]) if "year" in old
                                else int(previous_file.split("/")[0]), past, current, t)
            problems.append(Problem(file, zh, en, row=int(line), column=column, value=plain(current), severity=IMPLAUSIBLE,
                                    context=str(row["code"])))
    return problems


def stat_jumps(stats: pd.DataFrame, year: int, file: str, previous_file: str | None, previous: pd.DataFrame | None,
               t: dict) -> list[Problem]:
    """Annex 6 statistics of ``year`` that jumped from the project's row of ``year - 1`` (this file's, else the
    previous year's file's)."""
    def rows_of(frame, wanted):
        rows = frame[frame["year"] == wanted] if frame is not None and not frame.empty else frame
        return {} if rows is None else {(c, p): (line, r) for line, c, p, r in
                                        zip(rows.index, rows["code"], rows["project"], rows.to_dict("records"), strict=True)}

    own = rows_of(stats, year - 1)
    older = rows_of(previous, year - 1)
    problems = []
    for line, row in stats[stats["year"] == year].iterrows():
        key = (row["code"], row["project"])
        where_file, found = (file, own[key]) if key in own else (previous_file, older.get(key))
        if found is None:
            continue
        old_line, old = found
        for column in t["stats"]:
            current, past = _number(row[column]), _number(old[column])
            if current is None or past is None or not is_jump(current, past, t["factor"], t["floor"]):
                continue
            zh, en = _jump_rule(LABELS.get(column, column), where_file, old_line, year - 1, past, current, t)
            problems.append(Problem(file, zh, en, row=int(line), column=column, value=plain(current), severity=IMPLAUSIBLE,
                                    context=f"{row['code']} {row['project']} {year}"))
    return problems


def inconsistencies(stats: pd.DataFrame, year: int, file: str, t: dict) -> list[Problem]:
    """Annex 6 rows of ``year`` whose revenue has no workload to match, or whose workload has no staff to match."""
    problems = []
    revenue_max, workload_max = plain(t["revenue"]), plain(t["workload"])
    for line, row in stats[stats["year"] == year].iterrows():
        revenue, workload, staff = (_number(row[c]) for c in ("revenue_wan", "workload", "staff"))
        context = f"{row['code']} {row['project']} {year}"
        if revenue is not None and workload is not None and revenue * 10000 > t["revenue"] * workload:
            per = f"每人次{plain(revenue * 10000 / workload)}元" if workload else "工作量为0"
            problems.append(Problem(
                file, f"业务收入{plain(revenue)}万元而工作量{plain(workload)}人次（{per}），超过每人次{revenue_max}元"
                      f"（评分规则 plausibility.max_revenue_per_visit_yuan = {revenue_max}）：收入与工作量不符，"
                      "请核实，不影响评分",
                f"revenue {plain(revenue)} 万元 against a workload of {plain(workload)} visits is more than {revenue_max} 元 "
                f"per visit (rubric plausibility.max_revenue_per_visit_yuan = {revenue_max}): please check; scores unchanged",
                row=int(line), column="revenue_wan", value=plain(revenue), severity=IMPLAUSIBLE, context=context))
        if workload is not None and staff is not None and workload > t["workload"] * staff:
            per = f"每人{plain(workload / staff)}人次" if staff else "工作人员为0"
            problems.append(Problem(
                file, f"工作量{plain(workload)}人次而工作人员{plain(staff)}人（{per}），超过每人每年{workload_max}人次"
                      f"（评分规则 plausibility.max_workload_per_staff = {workload_max}）：工作量与人员不符，"
                      "请核实，不影响评分",
                f"a workload of {plain(workload)} visits with {plain(staff)} staff is more than {workload_max} visits per "
                f"staff member a year (rubric plausibility.max_workload_per_staff = {workload_max}): "
                "please check; scores unchanged",
                row=int(line), column="workload", value=plain(workload), severity=IMPLAUSIBLE, context=context))
    return problems


def plausibility(intake) -> list[Problem]:
    """Every implausible value of the year: jumps from the previous year, then Annex 6's inconsistencies."""
    t = thresholds(intake.rubric)
    year = intake.year
    problems = []
    if "facts.csv" in intake.typed:
        previous = intake.other_year("facts.csv", year - 1)
        problems += fact_jumps(intake.exact("facts.csv"), previous, intake.labels["facts.csv"], f"{year - 1}/facts.csv", t)
    if "project_stats.csv" in intake.typed:
        stats = intake.exact("project_stats.csv")
        own = set(zip(stats.loc[stats["year"] == year - 1, "code"], stats.loc[stats["year"] == year - 1, "project"],
                      strict=True))
        missing = any(k not in own for k in zip(stats.loc[stats["year"] == year, "code"],
                                                stats.loc[stats["year"] == year, "project"], strict=True))
        previous = intake.other_year("project_stats.csv", year - 1) if missing else None
        file = intake.labels["project_stats.csv"]
        problems += stat_jumps(stats, year, file, f"{year - 1}/project_stats.csv", previous, t)
        problems += inconsistencies(stats, year, file, t)
    return problems
