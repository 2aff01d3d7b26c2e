"""Reading a layout's sheets of a filled workbook: checklists and tables back into CSV records, every
cell by its rule; moved labels, merged input cells, formulas and bad values are problems naming the cell."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from evalbook.excel.cells import CellError, CellRule, cell_text, required_rule
from evalbook.excel.layout import (
    COMMITTEE,
    FIRST_ROW,
    HEADER_ROW,
    INFO_SHEET,
    OWNER_LABELS,
    UNITS_SHEET,
    Checklist,
    Layout,
    Table,
)
from evalbook.excel.problems import Found
from evalbook.excel.record import Record, address


def has_sheet(book: Workbook, title: str, found: Found) -> bool:
    if title in book.sheetnames:
        return True
    found.add((f"缺少工作表“{title}”：请使用下发的模板，不要删除或改名工作表",
               f"sheet '{title}' is missing: use the template as issued, do not delete or rename sheets"), sheet=title)
    return False


def read_checklist(sheet: Worksheet, checklist: Checklist, layout: Layout, found: Found) -> list[dict]:
    """One record per period (wide) or per filled field and period (long form)."""
    if not headers_match(sheet, checklist.headers(), found):
        return []
    _refuse_merged_inputs(sheet, (FIRST_ROW, FIRST_ROW + len(checklist.fields) - 1,
                                  checklist.value_column(0), checklist.value_column(len(checklist.periods) - 1)), found)
    records: list[dict] = [Record() for _ in checklist.periods]
    long_rows: list[tuple[int, int, dict]] = []  # (period index, field offset, record)
    for offset, item in enumerate(checklist.fields):
        row = FIRST_ROW + offset
        label_cell = sheet.cell(row=row, column=checklist.label_column())
        if label_cell.value != item.labels()[-1]:
            found.add((f"第{row}行的指标应为“{item.labels()[-1]}”：请勿插入、删除或移动行",
                       f"row {row} should be '{item.labels()[-1]}': rows must not be inserted, deleted or moved"),
                      sheet.title, label_cell.coordinate, item.column.name, label_cell.value)
            return []
        rule = CellRule.of(item.column, layout.parameters)
        for index, period in enumerate(checklist.periods):
            cell = sheet.cell(row=row, column=checklist.value_column(index))
            where = address(found.name, sheet.title, cell.coordinate)
            if checklist.long_form is None:
                records[index][item.column.name] = _read_cell(cell, rule, sheet.title, found, required=True)
                records[index].cells[item.column.name] = where
                continue
            context = f"统计期 {period.token}，指标 {item.column.name} {item.column.label}"  # what the cell is about
            text = _read_cell(cell, rule, sheet.title, found, required=True, context=context)
            if text is not None:
                form = checklist.long_form
                record = Record({form.period: period.token, form.indicator: item.column.name, form.value: text},
                                cells=dict.fromkeys((form.period, form.indicator, form.value), where))
                long_rows.append((index, offset, record))
    if checklist.long_form is not None:
        if checklist.long_form.period_major:
            long_rows.sort(key=lambda entry: entry[:2])
        return [record for _, _, record in long_rows]
    return records


def read_table(sheet: Worksheet, table: Table, layout: Layout, found: Found) -> list[dict]:
    """One record per non-empty row below the header (rows beyond the template's are read too)."""
    if not headers_match(sheet, ["序号", *(c.label for c in table.columns)], found):
        return []
    columns = table.input_columns()
    last_row = sheet.max_row
    if last_row >= FIRST_ROW + table.max_rows:
        found.add((f"表格行数过多（最后一行为第{last_row}行，上限{table.max_rows}行）：请删除表格下方多余的内容或格式",
                   f"too many rows (last row {last_row}, limit {table.max_rows}): delete what lies below the table"),
                  sheet.title, f"A{last_row}")
        return []
    _refuse_merged_inputs(sheet, (FIRST_ROW, last_row, columns.start, columns.stop - 1), found)
    rules = [CellRule.of(c, layout.parameters, table.allowed.get(c.name, ())) for c in table.columns]
    records = []
    for cells in sheet.iter_rows(min_row=FIRST_ROW, max_row=last_row, min_col=columns.start, max_col=columns.stop - 1):
        if all(is_blank(cell) for cell in cells):
            continue
        context = _row_context(table, cells)
        record = Record({rule.column.name: _read_cell(cell, rule, sheet.title, found, required=True, context=context)
                         for cell, rule in zip(cells, rules, strict=True)},
                        cells={rule.column.name: address(found.name, sheet.title, cell.coordinate)
                               for cell, rule in zip(cells, rules, strict=True)})
        at = {column.name: cell for cell, column in zip(cells, table.columns, strict=True)}
        for check in table.row_rules:
            for column, rule_zh, rule_en in check(record):
                found.add((rule_zh, rule_en), sheet.title, at[column].coordinate, column, at[column].value, context=context)
        records.append(record)
    return records


def _row_context(table: Table, cells) -> str | None:
    """What a row is about, from its column with a legend (e.g. 指标 2.1.5 and the indicator's label)."""
    for cell, column in zip(cells, table.columns, strict=True):
        legend = table.legends.get(column.name)
        if legend and isinstance(cell.value, str) and cell.value.strip() in legend:
            return f"{column.label} {cell.value.strip()} {legend[cell.value.strip()]}"
    return None


def is_blank(cell) -> bool:
    return cell.data_type != "f" and (cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()))


def _read_cell(cell, rule: CellRule, sheet: str, found: Found, required: bool, context: str | None = None) -> str | None:
    """The cell's CSV text; a problem naming the cell when it breaks its rule or a required cell is empty."""
    try:
        text = cell_text(cell.value, cell.data_type, rule, cell.number_format)
    except CellError as error:
        found.add((error.rule_zh, error.rule_en), sheet, cell.coordinate, rule.column.name, cell.value, context=context)
        return None
    if text is None and required and rule.column.required:
        found.add(required_rule(rule.column), sheet, cell.coordinate, rule.column.name, context=context)
    return text


def headers_match(sheet: Worksheet, expected: list[str], found: Found) -> bool:
    for number, header in enumerate(expected, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=number)
        if cell.value != header:
            found.add((f"表头应为“{header}”：请使用下发的模板，不要插入、删除或移动列",
                       f"header should be '{header}': use the template as issued, do not insert, delete or move columns"),
                      sheet.title, cell.coordinate, None, cell.value)
            return False
    return True


def _refuse_merged_inputs(sheet: Worksheet, area: tuple[int, int, int, int], found: Found) -> None:
    """A merged range over input cells hides all but its first value: refused, naming the range.

    ``area`` is the input cells' rectangle: first row, last row, first column, last column.
    """
    top, bottom, left, right = area
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= bottom and merged.max_row >= top and merged.min_col <= right and merged.max_col >= left:
            found.add(("填写区域的单元格不能合并：请取消合并，每格填一个值",
                       "input cells must not be merged: unmerge, one value per cell"), sheet.title, merged.coord)


def warn_extra_sheets(book: Workbook, layout: Layout, found: Found) -> None:
    """Sheets the layout does not have: ignored, with a warning. A sheet another owner fills (an older
    hospital workbook's 附件4专家评分, say) is named as such: its content is not data of this workbook."""
    expected = {INFO_SHEET, *(sheet.title for sheet in layout.sheets), *([UNITS_SHEET] if layout.owner == COMMITTEE else [])}
    for name in book.sheetnames:
        if name in layout.foreign_sheets:
            whose = OWNER_LABELS[layout.foreign_sheets[name]]
            found.add((f"此工作表由{whose}填写，不属于本工作簿：其内容未读入，现有数据保持不变（{whose}数据请用考评组工作簿录入）",
                       f"this sheet is filled by the {layout.foreign_sheets[name]}, not by this workbook's owner: its content "
                       "was not read and the current data are kept (enter it in the committee workbook)"),
                      sheet=name, severity="warning")
        elif name not in expected:
            hidden = "（隐藏）" if book[name].sheet_state != "visible" else ""
            found.add((f"多余的工作表{hidden}，已忽略", f"extra sheet{' (hidden)' if hidden else ''}, ignored"),
                      sheet=name, severity="warning")
