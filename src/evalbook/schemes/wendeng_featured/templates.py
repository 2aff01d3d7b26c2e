"""wendeng-featured: the Excel workbooks of ``evalbook template`` / ``ingest``.

Each input file has an owner (``OWNERS``): the hospital supplies facts.csv, project_stats.csv and
ledger.csv; the expert panel's Annex 4 scores (expert_scores.csv) and the 视情扣分 (judgments.csv)
are the 考评组's to enter. So there are two workbooks:

- the hospital's, one per institution (``<code>.xlsx``), sheets in the source's order: the Annex 3
  facts as a checklist grouped like the rubric (一级: category, 二级: item, 三级: the fact), the
  Annex 6 statistics and the Annex 5 monthly ledger as tables;
- the 考评组's, one for the cohort (``考评组.xlsx``): 附件4专家评分 and 视情扣分 with a 机构代码
  column, for the institutions listed on its 考评范围 sheet.

Columns, labels and kinds are those of ``wendeng_featured.FILES``; bounds named after the rubric
(``max_advantage``…) and the lists (years, months, judgment items) come from the rubric and the year.
"""

from __future__ import annotations

import re
from pathlib import Path

from evalbook.core.columns import CODE_REGEX, KIND_RULES
from evalbook.core.errors import InputError, Problem
from evalbook.excel.layout import (
    COMMITTEE,
    EXPERTS,
    HOSPITAL,
    MAX_TABLE_ROWS,
    Checklist,
    Field,
    Identity,
    Layout,
    Period,
    Table,
)
from evalbook.inputs.reading import read_text_table
from evalbook.schemes.wendeng_featured import SCHEME as scheme
from evalbook.schemes.wendeng_featured.items import ITEMS

FACTS_SHEET, EXPERTS_SHEET, STATS_SHEET, LEDGER_SHEET, JUDGMENTS_SHEET = (
    "附件3考评事实", "附件4专家评分", "附件6统计表", "附件5工作台账", "视情扣分")

# Who supplies each input file (the expert panel's scores are entered by the 考评组, in its workbook).
OWNERS = {"facts.csv": HOSPITAL, "project_stats.csv": HOSPITAL, "ledger.csv": HOSPITAL,
          "expert_scores.csv": EXPERTS, "judgments.csv": COMMITTEE}
# Every hospital's workbook has the same sheets (no ``layout_for(layout, identity)``, unlike naiman's).
layout_for = None
# What makes two rows the same record, for counting rows changed (rather than one removed, one added).
ROW_KEYS = {"facts.csv": ("code",), "project_stats.csv": ("code", "project", "year"), "ledger.csv": ("code", "project", "month"),
            "expert_scores.csv": ("code", "project", "expert"), "judgments.csv": ("code", "item")}


def _rubric(year: int):
    loaded = scheme.load_rubric(scheme.rubric_path())
    return loaded.data, scheme.suite_parameters(loaded, year, [], {})  # the suites' own amounts (max_advantage …)


def layout(year: int) -> Layout:
    """The hospital's workbook of ``year``; raises ``InputError`` when the rubric file is invalid."""
    rubric, parameters = _rubric(year)
    return Layout(
        scheme=scheme.NAME, title=scheme.TITLE, year=year,
        sheets=(facts_sheet(rubric, year), stats_sheet(year), ledger_sheet(year)), parameters=parameters,
        notes=("附件4专家评分和视情扣分由考评组在考评组工作簿中录入，不在本工作簿中。",),
        foreign_sheets={EXPERTS_SHEET: EXPERTS, JUDGMENTS_SHEET: COMMITTEE},  # older hospital workbooks had them
    )


def committee_layout(year: int, units: list[Identity]) -> Layout:
    """The 考评组's workbook of ``year`` for ``units`` (every institution): the expert scores and the
    视情扣分 of all of them, a 机构代码 column chosen from the list (names beside the table)."""
    rubric, parameters = _rubric(year)
    codes = tuple(unit.code for unit in units)
    unit_list = {"allowed": {"code": codes}, "legends": {"code": {unit.code: unit.name for unit in units}},
                 "max_rows": max(MAX_TABLE_ROWS, 60 * len(units))}
    experts = Table(EXPERTS_SHEET, "expert_scores.csv", _columns("expert_scores.csv", with_code=True),
                    rows=max(40, 8 * len(units)), heading="附件4 特色医疗项目专家评分表（考评组录入）",
                    description="每家机构每个特色项目每位专家一行：机构代码从下拉列表选择，六项得分分别填写", **unit_list)
    items = tuple(str(n) for n in rubric["judgments"]["items"])
    judgments = Table(JUDGMENTS_SHEET, "judgments.csv", _columns("judgments.csv", with_code=True),
                      rows=max(20, 2 * len(units)), heading="视情扣分（考评组填写）",
                      description="每次扣分一行：机构代码从下拉列表选择；没有则留空",
                      **{**unit_list, "allowed": {**unit_list["allowed"], "item": items}})
    return Layout(
        scheme=scheme.NAME, title=scheme.TITLE, year=year, sheets=(experts, judgments), parameters=parameters,
        owner=COMMITTEE, units=tuple(units),
        notes=("视情扣分只适用于第" + "、".join(map(str, rubric["judgments"]["items"])) + "项，"
               f"每次扣分为{rubric['judgments']['step']:g}分的整数倍，须写明理由和评审人。",),
    )


def facts_sheet(rubric: dict, year: int) -> Checklist:
    """Annex 3: every fact of facts.csv, in item order, under the item's category and title."""
    columns = {c.name: c for c in scheme.FILES["facts.csv"] if c.name != "code"}
    fields, placed = [], set()
    for number in sorted(ITEMS):
        item = rubric["items"][number]
        for fact in ITEMS[number][0]:
            if fact in columns and fact not in placed:
                placed.add(fact)
                fields.append(Field(columns[fact], (item["category"], f"{number}. {item['title']}", columns[fact].label)))
    fields += [Field(c, ("其他", "其他", c.label)) for name, c in columns.items() if name not in placed]
    fields = [Field(f.column, f.levels, str(n)) for n, f in enumerate(fields, start=1)]
    return Checklist(FACTS_SHEET, "facts.csv", tuple(fields), (Period(f"{year}年"),),
                     level_headers=("一级指标", "二级指标", "三级指标"),
                     heading=f"附件3 特色医疗工作考评事实（{year}年度）",
                     description=f"每项在“{year}年”一列填一个值")


def _columns(file: str, with_code: bool = False) -> tuple:
    return tuple(c for c in scheme.FILES[file] if with_code or c.name != "code")


def stats_sheet(year: int) -> Table:
    return Table(STATS_SHEET, "project_stats.csv", _columns("project_stats.csv"), rows=20,
                 allowed={"year": (str(year - 1), str(year))},
                 heading=f"附件6 特色医疗项目指标统计表（{year - 1}年、{year}年）",
                 description=f"每个特色项目每年一行（{year - 1}年和{year}年各一行）")


def ledger_sheet(year: int) -> Table:
    months = tuple(f"{year}-{month:02d}" for month in range(1, 13))
    return Table(LEDGER_SHEET, "ledger.csv", _columns("ledger.csv"), rows=60, allowed={"month": months},
                 heading=f"附件5 特色医疗工作台账（{year}年）",
                 description="每个特色项目每月一行；报送日期填实际报送的日期")


def identities(data_dir: Path, year: int) -> list[Identity]:
    """One workbook per institution of institutions.csv.

    Raises ``InputError`` when the file cannot be read or a code is not a valid code (it names a file).
    """
    path = Path(data_dir) / scheme.NAME / "institutions.csv"
    table, problems = read_text_table(path, [c.name for c in scheme.FILES["institutions.csv"]], label="institutions.csv")
    if table is None or any(p.is_error for p in problems):
        raise InputError(problems)
    zh, en = KIND_RULES["code"]
    bad = [Problem("institutions.csv", f"机构代码{zh}", f"code {en}", row=int(line), column="code", value=code)
           for line, code in table.frame["code"].items() if not re.fullmatch(CODE_REGEX, code or "")]
    if bad:
        raise InputError(bad)
    return [Identity(row.code, row.name or "") for row in table.frame.itertuples(index=False)]


def workbook_name(identity: Identity) -> str:
    return f"{identity.code}.xlsx"
