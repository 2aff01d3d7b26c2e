"""Whose a filled workbook is, by what it says, never by its file name: the 信息 area of 填写说明 (owner,
scheme, year, institution and e.g. specialty) and, for the 考评组's workbook, the units of 考评范围."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook

from evalbook.core.columns import CODE_REGEX
from evalbook.excel.cells import plain_text
from evalbook.excel.layout import (
    COMMITTEE,
    FIRST_ROW,
    HOSPITAL,
    INFO_CODE,
    INFO_NAME,
    INFO_OWNER,
    INFO_SCHEME,
    INFO_SHEET,
    INFO_YEAR,
    OWNER_LABELS,
    UNITS_SHEET,
    Identity,
    Layout,
    units_headers,
)
from evalbook.excel.problems import Found
from evalbook.excel.sheet_reading import has_sheet, headers_match, is_blank

INFO_SCAN_ROWS = 40                          # the 信息 area is looked for in column A of 填写说明


def info_cells(book: Workbook) -> dict[str, Any]:
    """The 信息 area of 填写说明: label (column A) → its value cell (column B); empty without the sheet."""
    if INFO_SHEET not in book.sheetnames:
        return {}
    sheet = book[INFO_SHEET]
    cells = {}
    for row in range(1, INFO_SCAN_ROWS + 1):
        label = sheet.cell(row=row, column=1).value
        if isinstance(label, str) and label.strip() and label.strip() not in cells:
            cells[label.strip()] = sheet.cell(row=row, column=2)
    return cells


def info_value(cell) -> str | None:
    return plain_text(cell.value, "text") if cell.data_type != "f" else None


def read_owner(book: Workbook, found: Found) -> str | None:
    """Whose workbook it is by its 信息 填报方: a hospital's (also when there is no 填报方: older
    workbooks), the 考评组's, or None (and a problem) for anything else."""
    cell = info_cells(book).get(INFO_OWNER)
    if cell is None:
        return HOSPITAL
    owners = {OWNER_LABELS[HOSPITAL]: HOSPITAL, OWNER_LABELS[COMMITTEE]: COMMITTEE}
    value = info_value(cell)
    if value in owners:
        return owners[value]
    found.add((f"{INFO_OWNER}应为 {' 或 '.join(owners)}（请使用下发的模板）",
               f"the owner ({INFO_OWNER}) must be {' or '.join(owners)} (use the template as issued)"),
              INFO_SHEET, cell.coordinate, "owner", cell.value)
    return None


def read_units(book: Workbook, layout: Layout, found: Found) -> dict[tuple[str, ...], str] | None:
    """考评范围: unit key (code, specialty…) → its cell address; None (and problems) when unreadable."""
    if not has_sheet(book, UNITS_SHEET, found):
        return None
    sheet = book[UNITS_SHEET]
    headers = units_headers(layout)
    if not headers_match(sheet, headers, found):
        return None
    units: dict[tuple[str, ...], str] = {}
    errors_before = sum(p.is_error for p in found.problems)
    width = 1 + len(layout.identity_columns)
    # every row to the sheet's last: never a unit cut off
    for cells in sheet.iter_rows(min_row=FIRST_ROW, max_row=sheet.max_row, min_col=2, max_col=1 + width):
        if all(is_blank(cell) for cell in cells):
            continue
        key = tuple(info_value(cell) or "" for cell in cells)
        where = f"{found.name}!{UNITS_SHEET}!{cells[0].coordinate}"
        if not re.fullmatch(CODE_REGEX, key[0]):
            found.add(("机构代码缺失或无效：只能由英文字母、数字、- 和 _ 组成（请使用下发的模板）",
                       "institution code missing or invalid: ASCII letters, digits, '-' and '_' (use the template as issued)"),
                      UNITS_SHEET, cells[0].coordinate, "code", cells[0].value)
        elif key in units:
            found.add(("考评范围中同一单位列了两次", "the same unit is listed twice"), UNITS_SHEET, cells[0].coordinate, "code",
                      "-".join(key))
        else:
            units[key] = where
    if not units and sum(p.is_error for p in found.problems) == errors_before:
        found.add(("考评范围为空：本工作簿不覆盖任何单位（请使用下发的模板）",
                   "the list of units is empty (use the template as issued)"), sheet=UNITS_SHEET)
    return units if sum(p.is_error for p in found.problems) == errors_before else None


def listed_in(units: set[tuple[str, ...]], layout: Layout):
    """The row rule of a committee table: the row's unit must be one the workbook lists."""
    columns = ["code", *(column for _, column in layout.identity_columns)]

    def check(record: Mapping[str, str | None]) -> list[tuple[str, str, str]]:
        key = tuple(record.get(column) for column in columns)
        if None in key or key in units:
            return []  # an empty or invalid cell has its own problem already
        shown = "-".join(key)
        return [(columns[-1], f"{shown} 不在本工作簿的“{UNITS_SHEET}”中：只能录入所列单位的数据",
                 f"{shown} is not listed on this workbook's {UNITS_SHEET} sheet: enter data of listed units only")]
    return check


def read_identity(book: Workbook, layout: Layout, found: Found) -> tuple[Identity | None, str, dict[str, str]]:
    """The 信息 area of 填写说明: checks scheme and year; whose workbook it is (None if it cannot say),
    the address of its code cell and of its other identity cells (label → address)."""
    if INFO_SHEET not in book.sheetnames:
        found.add((f"缺少工作表“{INFO_SHEET}”：其中的机构代码用于识别工作簿",
                   f"sheet '{INFO_SHEET}' is missing: its 机构代码 identifies the workbook"), sheet=INFO_SHEET)
        return None, "", {}
    cells = info_cells(book)
    wanted = [INFO_SCHEME, INFO_YEAR, INFO_CODE, *(label for label, _ in layout.identity_columns)]
    missing = [label for label in wanted if label not in cells]
    if missing:
        found.add((f"“{INFO_SHEET}”中缺少信息：{'、'.join(missing)}（请使用下发的模板）",
                   f"'{INFO_SHEET}' lacks: {', '.join(missing)} (use the template as issued)"), sheet=INFO_SHEET)
        return None, "", {}
    values = {label: info_value(cell) for label, cell in cells.items()}
    ok = expect_info(found, cells[INFO_SCHEME], values[INFO_SCHEME], layout.scheme, "考评方案", "scheme")
    ok = expect_info(found, cells[INFO_YEAR], values[INFO_YEAR], str(layout.year), "年度", "year") and ok
    code, code_cell = values[INFO_CODE], f"{found.name}!{INFO_SHEET}!{cells[INFO_CODE].coordinate}"
    identity_cells = {label: f"{found.name}!{INFO_SHEET}!{cells[label].coordinate}" for label, _ in layout.identity_columns}
    if not code or not re.fullmatch(CODE_REGEX, code):
        found.add(("机构代码缺失或无效：只能由英文字母、数字、- 和 _ 组成（请使用下发的模板）",
                   "institution code missing or invalid: ASCII letters, digits, '-' and '_' (use the template as issued)"),
                  INFO_SHEET, cells[INFO_CODE].coordinate, "code", cells[INFO_CODE].value)
        return None, code_cell, identity_cells
    extra = tuple((label, values[label] or "") for label, _ in layout.identity_columns)
    return (Identity(code, values.get(INFO_NAME) or "", extra) if ok else None), code_cell, identity_cells


def expect_info(found: Found, cell, value: str | None, expected: str, what_zh: str, what_en: str) -> bool:
    if value == expected:
        return True
    found.add((f"{what_zh}应为 {expected}：这不是本次要读入的工作簿",
               f"{what_en} must be {expected}: not a workbook of this intake"), INFO_SHEET, cell.coordinate, what_en, cell.value)
    return False
