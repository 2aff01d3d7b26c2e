"""naiman-specialty: the Excel workbook each specialty fills in (``evalbook template`` / ``ingest``).

One workbook per specialty of ``specialties.csv`` (``<code>-<specialty>.xlsx``), identified by its
信息 area (机构代码 and 专科, checked against specialties.csv, never by the file name):

- 调查表: the source's 69-row survey (重点专科基本情况调查表) as the catalog lays it out — 序号,
  一级/二级/三级指标 verbatim, 单位, and a value column per period: the baseline (rubric
  ``baseline_period``, 2024H1 → "2024年1-6月") and, for a building specialty, the year. A compound
  row's further ids are sub-rows labelled "└ <value_label>". Read back as indicators.csv rows
  (``code,specialty,period,indicator,value``); a blank optional cell gives no row.
- 承诺书: the signed commitment, one row per committed indicator (id from a drop-down of the
  catalog's numeric ids, listed with their names beside the table), baseline and target →
  targets.csv.

The commission's own files (onsite.csv: the experts' on-site scores; recheck.csv: the 现场复核) are
not in the hospital's workbook: they are the 考评组's workbook (``考评组.xlsx``), one for the cohort,
whose 现场核查 and 现场复核 sheets carry 机构代码 and 专科 columns for the specialties listed on its
考评范围 sheet (``committee_layout``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from evalbook.core.columns import CODE_REGEX, KIND_RULES, NAME_REGEX, Column
from evalbook.core.errors import InputError, Problem
from evalbook.excel.layout import (
    COMMITTEE,
    EXPERTS,
    HOSPITAL,
    MAX_TABLE_ROWS,
    Checklist,
    Identity,
    Layout,
    LongForm,
    Period,
    Table,
    catalog_fields,
)
from evalbook.inputs.intake import locate
from evalbook.inputs.reading import read_text_table
from evalbook.schemes.naiman_specialty import SCHEME, inputs

SURVEY_SHEET, PLEDGE_SHEET, ONSITE_SHEET, RECHECK_SHEET = "调查表", "承诺书", "现场核查", "现场复核"
# Who supplies each input file: the survey and the commitments are the hospital's; the on-site scores
# are the experts' and the recheck the 考评组's, both entered in the 考评组's workbook.
OWNERS = {"indicators.csv": HOSPITAL, "targets.csv": HOSPITAL, "onsite.csv": EXPERTS, "recheck.csv": COMMITTEE}
# What makes two rows the same record, for counting rows changed (rather than one removed, one added).
ROW_KEYS = {"indicators.csv": ("code", "specialty", "period", "indicator"), "targets.csv": ("code", "specialty", "indicator"),
            "onsite.csv": ("code", "specialty", "expert"), "recheck.csv": ("code", "specialty", "indicator")}
SPECIALTY = "专科"
# catalog kind → the Column that types its cells: (kind, low, high, strict_low). The same ranges as the
# scheme's suites (KIND_TEXT_RULES and the percent / CMI rules); a rank is a place ≥ 1, blank = 未上榜.
KIND_COLUMNS = {
    "count": ("int", 0, None, False),
    "rank": ("int", 1, None, False),
    "number": ("number", 0, None, False),
    "amount": ("number", 0, None, False),
    "area": ("number", 0, None, False),
    "percent": ("number", 0, 100, False),
    "index": ("number", 0, 5, True),
    "text": ("text", None, None, False),
}


@dataclass(frozen=True)
class Specialty(Identity):
    """A specialty's workbook: the institution, ``extra`` = (("专科", name),), and its status."""

    status: str = "building"  # building: baseline and the year; candidate: baseline only


def period_header(token: str) -> str:
    """2024H1 → 2024年1-6月, 2024H2 → 2024年7-12月, 2025 → 2025年 (the source's column heading)."""
    year, half = token[:4], token[4:]
    return f"{year}年" + {"H1": "1-6月", "H2": "7-12月"}.get(half, "")


def indicator_column(line) -> Column:
    """The Column of one catalog id: its kind's type and range, its value label, required per the catalog."""
    kind, low, high, strict = KIND_COLUMNS[line["kind"]]
    return Column(line["id"], kind, line["value_label"], required=bool(line["required"]), low=low, high=high,
                  strict_low=strict)


def survey_sheet(periods: tuple[Period, ...]) -> Checklist:
    lines = [{**line, "row": str(line["row"]),
              "label": line["level3"] if not line["part"] else f"└ {line['value_label']}"}
             for line in inputs.catalog().to_dict("records")]
    return Checklist(SURVEY_SHEET, "indicators.csv", catalog_fields(lines, indicator_column, ("level1", "level2", "label")),
                     periods, level_headers=("一级指标", "二级指标", "三级指标"), heading="重点专科基本情况调查表",
                     description="原表69行；每个统计期一列，每格填一个数值（“└”行为同一序号下的其余数值）",
                     long_form=LongForm(period_major=True), unit_column=True)


def numeric_ids() -> tuple[str, ...]:
    cat = inputs.catalog()
    return tuple(cat.loc[cat["kind"].isin(inputs.NUMERIC_KINDS), "id"])


def _indicator_legend() -> dict[str, str]:
    cat = inputs.catalog()
    return {i: cat.at[i, "value_label"] + (f"（{cat.at[i, 'unit']}）" if cat.at[i, "unit"] else "") for i in numeric_ids()}


def pledge_sheet() -> Table:
    legend = _indicator_legend()
    columns = tuple(c for c in inputs.FILES["targets.csv"] if c.name not in ("code", "specialty"))
    return Table(PLEDGE_SHEET, "targets.csv", columns, rows=30, allowed={"indicator": numeric_ids()},
                 legends={"indicator": legend}, row_rules=(_percent_target_at_most_100,),
                 heading="承诺书 量化指标（基线值与目标值）",
                 description="每个承诺的指标一行：指标编号从下拉列表选择（可选指标及其名称列在表格右侧），基线值和目标值填数值")


def _percent_target_at_most_100(record) -> list[tuple[str, str, str]]:
    """The suite's rule for targets.csv, caught already in the workbook: a percent target is at most 100."""
    cat = inputs.catalog()
    indicator, target = record.get("indicator"), record.get("target")
    if indicator not in cat.index or cat.at[indicator, "kind"] != "percent" or target is None:
        return []
    try:
        over = float(target) > 100
    except ValueError:
        return []  # not a number: its own cell rule has said so
    return [("target", "百分比指标的目标值应在0至100之间", "a percent target must be between 0 and 100")] if over else []


def layout(year: int) -> Layout:
    """A building specialty's workbook of ``year``; raises ``InputError`` when the rubric is invalid."""
    rubric = SCHEME.load_rubric(SCHEME.rubric_path())
    baseline = str(rubric.data["baseline_period"])
    tokens = tuple(dict.fromkeys((baseline, str(year))))
    periods = tuple(Period(period_header(token), token) for token in tokens)
    first, *rest = (p.header for p in periods)
    return Layout(
        scheme=inputs.NAME, title=inputs.TITLE, year=year, sheets=(survey_sheet(periods), pledge_sheet()),
        identity_columns=((SPECIALTY, "specialty"),), identity_file="specialties.csv",
        foreign_sheets={ONSITE_SHEET: EXPERTS, RECHECK_SHEET: COMMITTEE},  # the 考评组's, if copied in: never read
        notes=(
            f"调查表的数值列按统计期：“{first}”为基线统计期（{baseline}）的数据"
            + "".join(f"；“{header}”为{year}年全年的数据（建设专科填写）" for header in rest)
            + "。候选专科的工作簿只有基线一列。",
            "百分比、比例填0–100的数值，不带 %：12.5% 填 12.5（不要把单元格设为百分比格式）；CMI 填大于0、不大于5的数；"
            "金额以万元计，面积以平方米计；人数、床位、人次等填整数。",
            "名次（复旦大学医院专科排行榜、自治区学科评价排名）填正整数，未上榜留空；“明细”行填文字，可留空；"
            "其余各行都必须填写，没有的填 0。",
            "原表一个序号含多个数值时（如 1.1.4 ICU床位数及占本科室开放床位数比），该序号第一行填数量，"
            "下方以“└”开头的行填其余数值（占比、明细、经费、排名等）。",
            "承诺书：每个承诺的量化指标一行，指标编号从下拉列表选择，基线值和目标值填数值；百分比指标的目标值不超过100。",
            "现场核查评分和现场复核数据由考评组另行录入，不在本工作簿中。",
        ),
    )


def committee_layout(year: int, units: list[Identity]) -> Layout:
    """The 考评组's workbook of ``year`` for ``units`` (every specialty of specialties.csv): the experts'
    on-site scores and the 现场复核 values, 机构代码 and 专科 chosen from lists (names beside the table)."""
    rubric = SCHEME.load_rubric(SCHEME.rubric_path())  # a broken rubric stops here, as for the hospital's workbook
    dimensions = "、".join(rubric["onsite_dimensions"].values())  # the rubric's labels, as the reports name them
    names = {unit.code: unit.name for unit in units}
    specialties = tuple(dict.fromkeys(dict(unit.extra)[SPECIALTY] for unit in units))
    allowed = {"code": tuple(names), "specialty": specialties}
    common = {"legends": {"code": names}, "max_rows": max(MAX_TABLE_ROWS, 60 * len(units))}
    onsite = Table(ONSITE_SHEET, "onsite.csv", tuple(inputs.FILES["onsite.csv"]), rows=max(30, 5 * len(units)),
                   allowed=allowed, heading="现场核查评分（专家评分，考评组录入）",
                   description="每个建设专科每位专家一行：机构代码、专科从下拉列表选择，三项得分0–100", **common)
    recheck = Table(RECHECK_SHEET, "recheck.csv", tuple(inputs.FILES["recheck.csv"]), rows=max(20, 3 * len(units)),
                    allowed={**allowed, "indicator": numeric_ids()}, heading="现场复核数据（考评组填写）",
                    description="每个复核的指标一行：复核值取代该专科本年度的上报值；没有则留空",
                    **{**common, "legends": {**common["legends"], "indicator": _indicator_legend()}})
    return Layout(
        scheme=inputs.NAME, title=inputs.TITLE, year=year, sheets=(onsite, recheck), identity_columns=((SPECIALTY, "specialty"),),
        identity_file="specialties.csv", owner=COMMITTEE, units=tuple(units),
        notes=(f"现场核查：{dimensions}三项各0–100分，每位专家一行。",
               "现场复核：指标编号从下拉列表选择（可选指标及其名称列在表格右侧），复核值填数值，说明可留空。"),
    )


def layout_for(layout: Layout, identity: Identity) -> Layout:
    """The workbook of one specialty: a candidate's survey has the baseline column only."""
    status = getattr(identity, "status", "building")
    survey, *rest = layout.sheets
    periods = survey.periods[:1] if status == "candidate" else survey.periods
    specialty = dict(identity.extra).get(SPECIALTY, "")
    heading = f"重点专科基本情况调查表（{identity.name or identity.code} · {specialty}）"
    what = "候选（推荐）专科：只填基线一列" if status == "candidate" else "建设专科"
    return replace(layout, sheets=(replace(survey, periods=periods, heading=heading), *rest),
                   notes=(f"本工作簿为“{specialty}”（{what}）的填报工作簿。", *layout.notes))


def identities(data_dir: Path, year: int) -> list[Specialty]:
    """One workbook per specialty of specialties.csv (building and candidate), named by institutions.csv.

    Raises ``InputError`` when a file cannot be read, or a code, specialty or status is not valid (the
    code and the specialty name a file).
    """
    tables = {}
    problems: list[Problem] = []
    for file in ("specialties.csv", "institutions.csv"):
        path, label = locate(SCHEME, data_dir, file, year)
        table, found = read_text_table(path, [c.name for c in inputs.FILES[file]], label=label)
        problems += found
        tables[file] = (table, label)
    if any(p.is_error for p in problems):
        raise InputError(problems)
    specialties, label = tables["specialties.csv"]
    names = dict(zip(tables["institutions.csv"][0].frame["code"], tables["institutions.csv"][0].frame["name"], strict=True))
    bad = []
    for line, row in specialties.frame.iterrows():
        for column, regex, kind in (("code", CODE_REGEX, "code"), ("specialty", NAME_REGEX, "name")):
            if not re.fullmatch(regex, row[column] or ""):
                zh, en = KIND_RULES[kind]
                bad.append(Problem(label, zh, en, row=int(line), column=column, value=row[column]))
        if row["status"] not in inputs.STATUS:
            bad.append(Problem(label, "状态应为 building（建设）或 candidate（候选）", "status must be building or candidate",
                               row=int(line), column="status", value=row["status"]))
    if bad:
        raise InputError(bad)
    return [Specialty(row.code, names.get(row.code) or "", ((SPECIALTY, row.specialty),), inputs.STATUS[row.status])
            for row in specialties.frame.itertuples(index=False)]


def workbook_name(identity: Identity) -> str:
    return f"{identity.code}-{dict(identity.extra)[SPECIALTY]}.xlsx"
