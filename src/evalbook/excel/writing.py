"""Writing a template: the 填写说明 sheet with its 信息 area, the layout's sheets (locked labels, white
typed input cells, drop-down lists), the committee's 考评范围, saved atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from evalbook.core.files import plain_mode
from evalbook.excel.cells import CellRule, excel_value, number_format
from evalbook.excel.data_validation import data_validation, describe
from evalbook.excel.layout import (
    COMMITTEE,
    FIRST_ROW,
    HEADER_ROW,
    HOSPITAL,
    INFO_CODE,
    INFO_NAME,
    INFO_OWNER,
    INFO_SCHEME,
    INFO_SHEET,
    INFO_YEAR,
    OWNER_LABELS,
    TITLE_ROW,
    UNITS_SHEET,
    Checklist,
    Field,
    Identity,
    Layout,
    Period,
    Table,
    units_headers,
)
from evalbook.output.tables import FORMULA_START

HEADER_FILL = PatternFill("solid", fgColor="DDE6EE")
LABEL_FILL = PatternFill("solid", fgColor="EDEDED")
INPUT_FILL = PatternFill("solid", fgColor="FFFFFF")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
LOCKED, UNLOCKED = Protection(locked=True), Protection(locked=False)


def build_workbook(layout: Layout, identity: Identity, prefill: Mapping[str, list[dict]] | None = None) -> Workbook:
    """The template of ``identity`` for ``layout``; ``prefill`` (CSV rows per file, this workbook's only) fills it."""
    book = Workbook()
    info = book.active
    info.title = INFO_SHEET
    _write_instructions(info, layout, identity)
    if layout.owner == COMMITTEE:
        _write_units(book.create_sheet(UNITS_SHEET), layout)
    for sheet in layout.sheets:
        target = book.create_sheet(sheet.title)
        rows = (prefill or {}).get(sheet.file, [])
        if isinstance(sheet, Checklist):
            _write_checklist(target, sheet, layout, rows)
        else:
            _write_table(target, sheet, layout, rows)
        _protect(target)
    _protect(info)
    props = book.properties
    props.title = f"{layout.title} {layout.year}年度 {identity.name}"
    props.subject, props.creator = layout.scheme, "evalbook"
    props.keywords = " ".join((layout.scheme, str(layout.year), *identity.key(), layout.owner))
    return book


def _write_units(sheet: Worksheet, layout: Layout) -> None:
    """The committee workbook's 考评范围: every unit it covers (locked). Its rows of the committee's
    files are replaced by ingestion; a unit not listed keeps its rows."""
    headers = units_headers(layout)
    _write_heading(sheet, f"考评范围：本工作簿读入时，以下{len(layout.units)}个单位的考评组数据整体替换", headers)
    for offset, unit in enumerate(layout.units):
        values = (offset + 1, unit.code, *(value for _, value in unit.extra), unit.name)
        for number, value in enumerate(values, start=1):
            _label(sheet.cell(row=FIRST_ROW + offset, column=number), value, LABEL_FILL)
    _set_widths(sheet, [6, 14, *([16] * len(layout.identity_columns)), 30])
    _protect(sheet)


def save_atomically(book: Workbook, path: Path) -> None:
    """Save ``book`` to ``path`` through a temporary file in the same folder: never a half-written workbook."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx.tmp", dir=path.parent)
    os.close(handle)
    try:
        plain_mode(temporary)  # the umask's mode, not mkstemp's 0600
        book.save(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _write_instructions(sheet: Worksheet, layout: Layout, identity: Identity) -> None:
    whose = "考评组数据录入工作簿" if layout.owner == COMMITTEE else "数据填报工作簿"
    sheet["A1"] = f"{layout.title} {layout.year}年度 {whose}"
    sheet["A1"].font = Font(bold=True, size=14)
    if layout.owner == COMMITTEE:
        info = [(INFO_SCHEME, layout.scheme), (INFO_YEAR, layout.year), (INFO_OWNER, OWNER_LABELS[COMMITTEE])]
    else:  # 填报方 last, so the older workbooks' cells keep their addresses (机构代码 B6)
        info = [(INFO_SCHEME, layout.scheme), (INFO_YEAR, layout.year), (INFO_CODE, identity.code),
                (INFO_NAME, identity.name), *identity.extra, (INFO_OWNER, OWNER_LABELS[HOSPITAL])]
    sheet["A3"] = "信息（请勿修改：系统据此识别工作簿，与文件名无关）"
    sheet["A3"].font = Font(bold=True)
    for row, (label, value) in enumerate(info, start=4):
        _label(sheet.cell(row=row, column=1), label, HEADER_FILL)
        _label(sheet.cell(row=row, column=2), value, LABEL_FILL)
    row = 4 + len(info) + 1
    sheet.cell(row=row, column=1, value="填写说明").font = Font(bold=True)
    for number, line in enumerate(_instruction_lines(layout), start=1):
        _put(sheet.cell(row=row + number, column=1), f"{number}. {line}")
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 40


def _instruction_lines(layout: Layout) -> list[str]:
    sheets = [f"“{s.title}”：{s.description or s.heading}" for s in layout.sheets]
    columns = [f.column for s in layout.sheets if isinstance(s, Checklist) for f in s.fields] + [
        c for s in layout.sheets if isinstance(s, Table) for c in s.columns]
    if {c.kind for c in columns} & {"bool", "choice", "month", "date", "ranks"}:
        choices = (f"是/否、奖项、年度、月份等从格子的下拉列表中选择；年月填 {layout.year}-03，日期填 {layout.year}-04-05；"
                   "名次以分号分隔，如 1;3。")
    else:
        choices = "带下拉列表的格子从列表中选择；其他格子直接输入，输入不符合要求时 Excel 会提示。"
    whose = "机构代码" + "".join(f"和{label}" for label, _ in layout.identity_columns)
    if layout.owner == COMMITTEE:
        whose = "填报方（考评组）"
        sheets.insert(0, f"“{UNITS_SHEET}”：本工作簿覆盖的单位（已锁定）；读入时这些单位的考评组数据以本工作簿为准，"
                         "某单位的行全部删去即删除该单位的这些数据；未列出的单位保持不变")
    return [
        "只有白色带边框的格子需要填写；灰色格子是指标和标签，已锁定。工作表保护没有密码，但请不要取消保护、"
        "插入、删除或移动行列，也不要改工作表名称。",
        *sheets,
        "数字直接填写，不带单位，不用中文数字：填 12，不填“12人”或“十二”；金额以万元计，可有小数。",
        choices,
        "不要使用公式：请填写数值本身（含公式的格子会被拒收）。可从其他表格复制后用“选择性粘贴→数值”。",
        "表格类工作表每行一条记录，空行会被忽略；行数不够时请联系考评办公室索取更多行的模板。",
        f"填好后保存为 .xlsx（不要另存为 .xls 或 .csv）。文件名可以任意，系统按上方“信息”中的{whose}识别工作簿。",
        *layout.notes,
    ]


def _write_heading(sheet: Worksheet, text: str, headers: Sequence[str]) -> None:
    _put(sheet.cell(row=TITLE_ROW, column=1), text)
    sheet.cell(row=TITLE_ROW, column=1).font = Font(bold=True, size=13)
    if len(headers) > 1:
        sheet.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=len(headers))
    for number, header in enumerate(headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=number)
        _label(cell, header, HEADER_FILL)
        cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=1)


def _write_checklist(sheet: Worksheet, checklist: Checklist, layout: Layout, rows: list[dict]) -> None:
    _write_heading(sheet, checklist.heading or checklist.title, checklist.headers())
    for offset, item in enumerate(checklist.fields):
        row = FIRST_ROW + offset
        rule = CellRule.of(item.column, layout.parameters)
        labels = (item.number, *item.labels(), item.unit if checklist.unit_column else describe(rule, item.unit))
        for number, text in enumerate(labels, start=1):
            _label(sheet.cell(row=row, column=number), text, LABEL_FILL)
        validation = data_validation(rule, item.unit)
        sheet.add_data_validation(validation)
        for index, period in enumerate(checklist.periods):
            cell = sheet.cell(row=row, column=checklist.value_column(index))
            _input(cell, rule, _checklist_prefill(checklist, item, period, rows))
            validation.add(cell)
    _merge_repeated_labels(sheet, checklist)
    widths = [6, *([24] * len(checklist.level_headers)), 10 if checklist.unit_column else 26, *([14] * len(checklist.periods))]
    _set_widths(sheet, widths)


def _checklist_prefill(checklist: Checklist, item: Field, period: Period, rows: list[dict]) -> str | None:
    """The CSV text of a checklist cell among this workbook's rows (None when absent)."""
    if checklist.long_form is None:
        return rows[0].get(item.column.name) if rows else None
    form = checklist.long_form
    for record in rows:
        if record.get(form.period) == period.token and record.get(form.indicator) == item.column.name:
            return record.get(form.value)
    return None


def _merge_repeated_labels(sheet: Worksheet, checklist: Checklist) -> None:
    """Merge runs of equal 序号 and of equal coarse levels (all but the finest), as in the source's tables."""
    _merge_runs(sheet, 1, [(item.number,) for item in checklist.fields])
    for depth in range(len(checklist.level_headers) - 1):
        _merge_runs(sheet, 2 + depth, [item.labels()[:depth + 1] for item in checklist.fields])


def _merge_runs(sheet: Worksheet, column: int, keys: list[tuple[str, ...]]) -> None:
    start = 0
    for index in range(1, len(keys) + 1):
        if index == len(keys) or keys[index] != keys[start]:
            if index - start > 1 and keys[start][-1]:
                sheet.merge_cells(start_row=FIRST_ROW + start, start_column=column, end_row=FIRST_ROW + index - 1,
                                  end_column=column)
            start = index


def _write_table(sheet: Worksheet, table: Table, layout: Layout, rows: list[dict]) -> None:
    _write_heading(sheet, table.heading or table.title, ["序号", *(c.label for c in table.columns)])
    rules = [CellRule.of(c, layout.parameters, table.allowed.get(c.name, ())) for c in table.columns]
    count = max(table.rows, len(rows) + 5)
    for offset in range(count):
        row = FIRST_ROW + offset
        _label(sheet.cell(row=row, column=1), offset + 1, LABEL_FILL)
        record = rows[offset] if offset < len(rows) else {}
        for number, rule in zip(table.input_columns(), rules, strict=True):
            _input(sheet.cell(row=row, column=number), rule, record.get(rule.column.name))
    sources = _write_lists_beside(sheet, table)
    for number, rule in zip(table.input_columns(), rules, strict=True):
        letter = get_column_letter(number)
        validation = data_validation(rule, source=sources.get(rule.column.name))
        sheet.add_data_validation(validation)
        validation.add(f"{letter}{FIRST_ROW}:{letter}{FIRST_ROW + count - 1}")
    _set_widths(sheet, [6, *(max(10, min(36, 2 * len(c.label) + 2)) for c in table.columns)])


def _write_lists_beside(sheet: Worksheet, table: Table) -> dict[str, str]:
    """Long lists (and lists with a legend) as locked columns right of the table, a blank column apart:
    each choice and what it means. Returns the range each column's drop-down refers to."""
    sources = {}
    column = table.input_columns().stop + 1
    for listed in table.listed_beside():
        choices, legend = table.allowed[listed.name], table.legends.get(listed.name, {})
        headers = [f"{listed.label}（下拉列表选项）", *(["说明"] if legend else [])]
        for offset, header in enumerate(headers):
            _label(sheet.cell(row=HEADER_ROW, column=column + offset), header, HEADER_FILL)
            sheet.cell(row=HEADER_ROW, column=column + offset).font = Font(bold=True)
        for offset, choice in enumerate(choices):
            _label(sheet.cell(row=FIRST_ROW + offset, column=column), choice, LABEL_FILL)
            if legend:
                _label(sheet.cell(row=FIRST_ROW + offset, column=column + 1), legend.get(choice, ""), LABEL_FILL)
        letter = get_column_letter(column)
        sources[listed.name] = f"${letter}${FIRST_ROW}:${letter}${FIRST_ROW + len(choices) - 1}"
        sheet.column_dimensions[letter].width = max(12, 2 * len(listed.label) + 8)
        if legend:
            sheet.column_dimensions[get_column_letter(column + 1)].width = 40
        column += len(headers) + 1
    return sources


def _label(cell, value: Any, fill: PatternFill) -> None:
    """A locked, grey label cell."""
    _put(cell, value)
    cell.fill, cell.border, cell.alignment, cell.protection = fill, BOX, WRAP, LOCKED


def _input(cell, rule: CellRule, text: str | None) -> None:
    """An unlocked, white input cell, holding ``text`` (a CSV cell) as a value of the column's kind."""
    cell.fill, cell.border, cell.alignment, cell.protection = INPUT_FILL, BOX, WRAP, UNLOCKED
    cell.number_format = number_format(text, rule)
    _put(cell, excel_value(text, rule))


def _put(cell, value: Any) -> None:
    """Write a value; text stays text even when it starts with '=' (an institution's name is not a formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        cell.quotePrefix = value.startswith(FORMULA_START)


def _protect(sheet: Worksheet) -> None:
    """Lock the labels (input cells are unlocked); no password, columns may still be widened."""
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _set_widths(sheet: Worksheet, widths: Sequence[float]) -> None:
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
