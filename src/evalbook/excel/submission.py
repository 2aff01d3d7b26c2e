"""A filled workbook read back (``read_workbook``): whose it is and its records, as CSV text, per CSV file.

Reading never trusts the file: its size and unpacked size are checked first (``zip_limits``), the
workbook is identified by its 信息 area (``info_area``), and every problem names the cell as
``workbook!sheet!cell``. A hospital's workbook carries the hospital's files of one institution; the
考评组's workbook carries the committee's files for every unit it lists on its 考评范围 sheet.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from openpyxl import Workbook, load_workbook

from evalbook.core.errors import Problem
from evalbook.excel.info_area import expect_info, info_cells, info_value, listed_in, read_identity, read_owner, read_units
from evalbook.excel.layout import (
    COMMITTEE,
    HOSPITAL,
    INFO_OWNER,
    INFO_SCHEME,
    INFO_SHEET,
    INFO_YEAR,
    OWNER_LABELS,
    Checklist,
    Identity,
    Layout,
    committee_identity,
)
from evalbook.excel.problems import Found
from evalbook.excel.record import stamped
from evalbook.excel.sheet_reading import has_sheet, read_checklist, read_table, warn_extra_sheets
from evalbook.excel.zip_limits import check_size


@dataclass
class Submission:
    """A filled workbook read back: whose it is and its records, as CSV text, per CSV file."""

    path: Path
    identity: Identity
    rows: dict[str, list[dict[str, str | None]]]
    code_cell: str = ""  # where the workbook says whose it is: RMYY.xlsx!填写说明!B6
    identity_cells: dict[str, str] = field(default_factory=dict)  # identity label (专科) → its cell, likewise
    layout: Layout | None = None  # the layout it was read with, when it depends on whose workbook it is
    owner: str = HOSPITAL
    units: dict[tuple[str, ...], str] = field(default_factory=dict)  # committee: unit key → its 考评范围 cell

    def covers(self) -> list[tuple[str, ...]]:
        """The units whose rows this workbook replaces: its institution, or the units the committee lists."""
        return list(self.units) if self.owner == COMMITTEE else [self.identity.key()]

    def label(self) -> str:
        return OWNER_LABELS[COMMITTEE] if self.owner == COMMITTEE else "-".join(self.identity.key())


def read_workbook(path: Path, layout: Layout, layout_for: Callable[[Identity], Layout | None] | None = None,
                  committee: Layout | None = None) -> tuple[Submission | None, list[Problem]]:
    """Read a filled workbook of ``layout`` back into CSV records; never raises on a bad workbook.

    Returns the submission (None when the workbook cannot be read or does not say whose it is)
    and every problem: size, not a workbook, 信息 area missing or not this scheme and year, a
    missing sheet, labels moved, merged input cells, formulas, values of the wrong kind, list or
    range, required cells left empty. Extra sheets are a warning and are ignored.

    ``layout_for`` gives the layout of a workbook whose sheets depend on whose it is (e.g. a
    specialty's status): its sheets are read only once the 信息 area said whose it is, and not at
    all when ``layout_for`` returns None (an identity not listed: the caller reports it).

    A workbook whose 信息 says 填报方 考评组 is read with ``committee`` (refused when there is none);
    any other is a hospital's (older hospital workbooks have no 填报方).
    """
    problems = check_size(path)
    if problems:
        return None, problems
    found = Found(path.name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops (slicers, …)
            book = load_workbook(path, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file; all mean the same here
        found.add(("无法打开工作簿：文件已损坏或不是 Excel 工作簿",
                   f"cannot open the workbook: damaged or not .xlsx ({type(exc).__name__})"))
        return None, found.problems
    try:
        owner = read_owner(book, found)
        if owner != HOSPITAL:
            return (_read_committee(book, path, committee, found) if owner == COMMITTEE else None), found.problems
        identity, code_cell, identity_cells = read_identity(book, layout, found)
        own = layout if layout_for is None else (layout_for(identity) if identity is not None else None)
        rows: dict[str, list[dict]] = {file: [] for file in (own or layout).files()}
        for sheet in own.sheets if own is not None else ():
            if has_sheet(book, sheet.title, found):
                reader = read_checklist if isinstance(sheet, Checklist) else read_table
                rows[sheet.file].extend(reader(book[sheet.title], sheet, own, found))
        if own is not None:
            warn_extra_sheets(book, own, found)
    finally:
        book.close()
    if identity is None:
        return None, found.problems
    stamp = identity.record(layout)
    rows = {file: [stamped(record, stamp) for record in records] for file, records in rows.items()}
    return Submission(path, identity, rows, code_cell, identity_cells, own), found.problems


def _read_committee(book: Workbook, path: Path, committee: Layout | None, found: Found) -> Submission | None:
    """The 考评组's workbook: scheme and year checked, the units of 考评范围, and its tables, whose
    every row must be of a listed unit. None when it cannot be read as one."""
    cells = info_cells(book)
    owner_cell = f"{found.name}!{INFO_SHEET}!{cells[INFO_OWNER].coordinate}"
    if committee is None:
        found.add(("这是考评组工作簿，本方案没有考评组工作簿", "a committee workbook, but this scheme has none"),
                  INFO_SHEET, cells[INFO_OWNER].coordinate, "owner", cells[INFO_OWNER].value)
        return None
    missing = [label for label in (INFO_SCHEME, INFO_YEAR) if label not in cells]
    if missing:
        found.add((f"“{INFO_SHEET}”中缺少信息：{'、'.join(missing)}（请使用下发的模板）",
                   f"'{INFO_SHEET}' lacks: {', '.join(missing)} (use the template as issued)"), sheet=INFO_SHEET)
        return None
    ok = expect_info(found, cells[INFO_SCHEME], info_value(cells[INFO_SCHEME]), committee.scheme, "考评方案", "scheme")
    ok = expect_info(found, cells[INFO_YEAR], info_value(cells[INFO_YEAR]), str(committee.year), "年度", "year") and ok
    units = read_units(book, committee, found) if ok else None
    if units is None:
        return None
    rows: dict[str, list[dict]] = {file: [] for file in committee.files()}
    listed = listed_in(set(units), committee)
    for sheet in committee.sheets:
        if has_sheet(book, sheet.title, found):
            table = replace(sheet, row_rules=(*sheet.row_rules, listed))
            rows[sheet.file].extend(read_table(book[sheet.title], table, committee, found))
    warn_extra_sheets(book, committee, found)
    return Submission(path, committee_identity(), rows, owner_cell, layout=committee, owner=COMMITTEE, units=units)
