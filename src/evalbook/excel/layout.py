"""A scheme's workbook declared once: its sheets (checklists and tables), whose it is, and the sheet constants.

A ``Layout`` is a 填写说明 sheet first (instructions and, in a locked 信息 area, whose workbook it is:
scheme, year, institution code), then sheets that are either a *checklist* (one row per field, a value
column per period, like the source's survey tables) or a *table* (a header row and empty rows for
repeated records). Every input file has an owner: the hospital, or the 考评组 (who also enters the
expert panel's scores).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from evalbook.core.columns import Column
from evalbook.excel.data_validation import fits_inline

INFO_SHEET = "填写说明"
INFO_SCHEME, INFO_YEAR, INFO_CODE, INFO_NAME, INFO_OWNER = "考评方案", "年度", "机构代码", "机构名称", "填报方"
HOSPITAL, COMMITTEE, EXPERTS = "hospital", "committee", "experts"  # who supplies an input file
OWNER_LABELS = {HOSPITAL: "医疗机构", COMMITTEE: "考评组", EXPERTS: "专家组"}
# the experts' scores come in the 考评组's workbook
WORKBOOK_OF = {HOSPITAL: HOSPITAL, COMMITTEE: COMMITTEE, EXPERTS: COMMITTEE}
UNITS_SHEET = "考评范围"                       # the committee workbook's list of the units it covers
COMMITTEE_WORKBOOK = "考评组.xlsx"              # never a hospital's name: those are ASCII codes (plus -专科)
TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3   # every layout sheet: title, header, then input rows
MAX_TABLE_ROWS = 2000                        # a table sheet's rows read at most (a year's ledger is ~50)


@dataclass(frozen=True)
class Field:
    """One row of a checklist: the column it fills and how the row is labelled.

    ``levels`` are the indicator labels from coarse to fine (一级/二级/三级指标); by default the
    column's own label. ``number`` is the row's 序号, ``unit`` is appended to its 说明.
    """

    column: Column
    levels: tuple[str, ...] = ()
    number: str = ""
    unit: str = ""

    def labels(self) -> tuple[str, ...]:
        return self.levels or (self.column.label,)


@dataclass(frozen=True)
class Period:
    """A value column of a checklist: its header (``2023年``) and, in long form, the period token."""

    header: str
    token: str | None = None


@dataclass(frozen=True)
class LongForm:
    """Checklist rows written as one CSV record per field and period (``period,indicator,value``).

    Records come field by field (each field's periods together), or with ``period_major`` period by
    period (a whole survey per period, in field order).
    """

    period: str = "period"
    indicator: str = "indicator"
    value: str = "value"
    period_major: bool = False


@dataclass(frozen=True)
class Checklist:
    """A sheet with one row per field: 序号 | indicator levels | 说明/单位 | one value column per period.

    Wide form (``long_form`` None): one CSV record per period, each field its own column.
    With ``unit_column`` the column after the levels is headed 单位 and shows only the field's unit
    (what to type is then the input cell's prompt and the 填写说明); by default it is 说明/单位.
    """

    title: str
    file: str
    fields: tuple[Field, ...]
    periods: tuple[Period, ...]
    level_headers: tuple[str, ...] = ("指标",)
    heading: str = ""
    description: str = ""
    long_form: LongForm | None = None
    unit_column: bool = False

    def note_header(self) -> str:
        return "单位" if self.unit_column else "说明/单位"

    def headers(self) -> list[str]:
        return ["序号", *self.level_headers, self.note_header(), *(p.header for p in self.periods)]

    def value_column(self, index: int) -> int:
        """Sheet column number of the ``index``-th period."""
        return 1 + len(self.level_headers) + 1 + index + 1

    def label_column(self) -> int:
        return 1 + len(self.level_headers)


@dataclass(frozen=True)
class Table:
    """A sheet of repeated records: 序号 | one column per ``Column`` | ``rows`` empty input rows.

    ``allowed`` restricts a column to a list (a drop-down in Excel), e.g. the evaluated years. A list
    too long for Excel's inline drop-down (or one with a ``legend``: choice → what it means) is written
    in locked columns right of the table, and the drop-down refers to them.
    """

    title: str
    file: str
    columns: tuple[Column, ...]
    rows: int = 30
    allowed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    heading: str = ""
    description: str = ""
    legends: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # rules across the cells of one row: record (column → text) → [(column, rule_zh, rule_en)] broken
    row_rules: tuple[Callable[[Mapping[str, str | None]], list[tuple[str, str, str]]], ...] = ()
    max_rows: int = MAX_TABLE_ROWS  # rows read at most (the committee's tables, for a whole cohort, allow more)

    def input_columns(self) -> range:
        return range(2, 2 + len(self.columns))

    def listed_beside(self) -> list[Column]:
        """The columns whose list is written beside the table (long lists, or lists with a legend)."""
        return [c for c in self.columns if c.name in self.allowed
                and (c.name in self.legends or not fits_inline(self.allowed[c.name]))]


Sheet = Checklist | Table


@dataclass(frozen=True)
class Layout:
    """A scheme's workbook for one year: its sheets, and the rubric amounts that named bounds refer to.

    ``identity_columns`` are further 信息 entries that identify a workbook beside the institution
    code, as (label, CSV column) pairs, e.g. (("专科", "specialty"),) for one workbook per specialty;
    ``identity_file`` names the file that lists the workbooks' identities (in messages).

    ``owner`` is whose workbook it is: ``HOSPITAL`` (one per identity, 信息 says which) or ``COMMITTEE``
    (one for the cohort; its tables carry the unit columns and its 考评范围 sheet lists ``units``).
    ``foreign_sheets`` (title → owner) are sheets an older workbook of this owner carried that another
    owner fills: reading them is refused with a warning, never taken as data.
    """

    scheme: str
    title: str
    year: int
    sheets: tuple[Sheet, ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    identity_columns: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    identity_file: str = "institutions.csv"
    owner: str = HOSPITAL
    foreign_sheets: Mapping[str, str] = field(default_factory=dict)
    units: tuple[Identity, ...] = ()

    def files(self) -> list[str]:
        return list(dict.fromkeys(sheet.file for sheet in self.sheets))


@dataclass(frozen=True)
class Identity:
    """Whose workbook it is: the institution and, for finer schemes, e.g. its specialty."""

    code: str
    name: str = ""
    extra: tuple[tuple[str, str], ...] = ()  # (label, value), in the layout's identity_columns order

    def key(self) -> tuple[str, ...]:
        return (self.code, *(value for _, value in self.extra))

    def record(self, layout: Layout) -> dict[str, str]:
        """The identifying columns every CSV record of this workbook carries."""
        values = dict(self.extra)
        return {"code": self.code, **{column: values.get(label, "") for label, column in layout.identity_columns}}


def catalog_fields(lines: Iterable[Mapping[str, str]], column_for, level_keys=("level1", "level2", "level3", "value_label"),
                   number_key="row", unit_key="unit") -> tuple[Field, ...]:
    """Checklist fields from an indicator catalog (one line per value; ``column_for(line)`` → its Column)."""
    return tuple(Field(column_for(line), tuple(line[k] for k in level_keys), line[number_key], line.get(unit_key, ""))
                 for line in lines)


def committee_identity() -> Identity:
    """Whose the committee's workbook is: the 考评组 (no institution code)."""
    return Identity("", OWNER_LABELS[COMMITTEE])


def units_headers(layout: Layout) -> list[str]:
    return ["序号", INFO_CODE, *(label for label, _ in layout.identity_columns), INFO_NAME]
