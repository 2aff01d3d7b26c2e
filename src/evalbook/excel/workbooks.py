"""Excel templates and their ingestion: a layout declared once, written and read back the same way.

A scheme describes its workbook as a ``Layout``: a 填写说明 sheet first (instructions and, in a
locked 信息 area, whose workbook it is: scheme, year, institution code), then sheets that are
either a *checklist* (one row per field, a value column per period, like the source's survey
tables) or a *table* (a header row and empty rows for repeated records). Everything about an
input cell — its Excel data validation, its 说明 text, how its value turns back into CSV text
and which rule it breaks — comes from the ``Column`` declarations of ``evalbook.core.columns``, so the
templates, the ingestion and the suites cannot disagree.

Reading never trusts the file: its size, the zip members' stated size and what they really unpack to
(inflated piece by piece) are checked before openpyxl opens it, formulas in input cells are refused,
the workbook is identified by its 信息 area (not its file name), and every problem names the cell as ``workbook!sheet!cell``.

Every input file has an owner (``OWNERS`` of the scheme's template module): the hospital, or the 考评组
(who also enters the expert panel's scores). A hospital's workbook carries only the hospital's files,
one workbook per institution; the 考评组's workbook carries the committee's files for every unit it
lists on its 考评范围 sheet. Ingestion replaces only the files of the owners whose workbooks came in,
and in them only the rows of the units those workbooks cover; it counts the rows it adds, changes and
removes per file (``row_changes``) and, with ``dry_run``, writes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import struct
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from evalbook.core.columns import CODE_REGEX, FALSE_TOKENS, KIND_REGEX, MAX_NUMBER, NUMBER_REGEX, TRUE_TOKENS, Column
from evalbook.core.errors import InputError, Problem
from evalbook.core.files import plain_mode, replace_files
from evalbook.inputs.reading import read_text_table, unescaped
from evalbook.inputs.row_changes import Changes, count_changes
from evalbook.output.tables import FORMULA_START, neutralise

# A filled template is tens of kilobytes; anything near this is not a template (or is a zip bomb).
MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
INFLATE_PIECE = 1 << 16                     # bytes inflated at a time while checking a workbook's parts
INFO_SHEET = "填写说明"
INFO_SCHEME, INFO_YEAR, INFO_CODE, INFO_NAME, INFO_OWNER = "考评方案", "年度", "机构代码", "机构名称", "填报方"
HOSPITAL, COMMITTEE, EXPERTS = "hospital", "committee", "experts"  # who supplies an input file
OWNER_LABELS = {HOSPITAL: "医疗机构", COMMITTEE: "考评组", EXPERTS: "专家组"}
WORKBOOK_OF = {HOSPITAL: HOSPITAL, COMMITTEE: COMMITTEE, EXPERTS: COMMITTEE}  # the experts' scores come in the 考评组's workbook
UNITS_SHEET = "考评范围"                       # the committee workbook's list of the units it covers
COMMITTEE_WORKBOOK = "考评组.xlsx"              # never a hospital's name: those are ASCII codes (plus -专科)
TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3   # every layout sheet: title, header, then input rows
INFO_SCAN_ROWS = 40                          # the 信息 area is looked for in column A of 填写说明
MAX_TABLE_ROWS = 2000                        # a table sheet's rows read at most (a year's ledger is ~50)
SPREADSHEETS_NOT_XLSX = (".xls", ".xlsm", ".xlsb", ".et", ".ods", ".csv")
LONG_LIST = 20                               # a list longer than this is not spelled out in messages

HEADER_FILL = PatternFill("solid", fgColor="DDE6EE")
LABEL_FILL = PatternFill("solid", fgColor="EDEDED")
INPUT_FILL = PatternFill("solid", fgColor="FFFFFF")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
LOCKED, UNLOCKED = Protection(locked=True), Protection(locked=False)
NUMBER_FORMATS = {"int": "0", "number": "General", "date": "yyyy-mm-dd"}  # every other kind is kept as text: "@"


# --------------------------------------------------------------------------- layout

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
                and (c.name in self.legends or not _fits_inline(self.allowed[c.name]))]


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


def catalog_fields(lines: Iterable[Mapping[str, str]], column_for, level_keys=("level1", "level2", "level3", "value_label"),
                   number_key="row", unit_key="unit") -> tuple[Field, ...]:
    """Checklist fields from an indicator catalog (one line per value; ``column_for(line)`` → its Column)."""
    return tuple(Field(column_for(line), tuple(line[k] for k in level_keys), line[number_key], line.get(unit_key, ""))
                 for line in lines)


# --------------------------------------------------------------------------- one cell: rule, text, Excel

class CellError(Exception):
    """Raised when a cell's value breaks its rule; carries the bilingual rule."""

    def __init__(self, rule_zh: str, rule_en: str):
        super().__init__(rule_en)
        self.rule_zh, self.rule_en = rule_zh, rule_en


@dataclass(frozen=True)
class CellRule:
    """What one input cell accepts: its column, the bounds resolved from the rubric, an optional list."""

    column: Column
    low: float | None = None
    high: float | None = None
    allowed: tuple[str, ...] = ()

    @classmethod
    def of(cls, column: Column, parameters: Mapping[str, Any], allowed: Sequence[str] = ()) -> CellRule:
        return cls(column, _resolve(column.low, parameters), _resolve(column.high, parameters), tuple(allowed))

    def choice_labels(self) -> list[str]:
        """What the drop-down offers: the list, 是/否, or one Chinese label per canonical choice."""
        if self.allowed:
            return list(self.allowed)
        if self.column.kind == "bool":
            return ["是", "否"]
        if self.column.kind == "choice":
            return [_choice_label(self.column, canonical) for canonical in dict.fromkeys(self.column.choices.values())]
        return []


def _resolve(bound: float | str | None, parameters: Mapping[str, Any]) -> float | None:
    """A bound as a number; a name (``max_advantage``) is looked up in the rubric's parameters."""
    return float(parameters[bound]) if isinstance(bound, str) else bound


def _choice_label(column: Column, canonical: str) -> str:
    """The first Chinese token accepted for ``canonical`` (一等奖 for first), else the token itself."""
    tokens = [t for t, c in column.choices.items() if c == canonical]
    return next((t for t in tokens if not t.isascii()), tokens[0] if tokens else canonical)


def _suite_rule(column: Column, kind: str) -> tuple[str, str]:
    """The bilingual rule of ``column``'s own text-stage expectation of ``kind`` (columns.py's words)."""
    for entry in column.text_expectations():
        if entry["type"] == kind:
            return entry["meta"]["rule_zh"], entry["meta"]["rule_en"]
    raise KeyError(kind)


def type_rule(rule: CellRule) -> tuple[str, str]:
    """What a cell of this kind must look like, in the words of the column's suite."""
    column = rule.column
    if rule.allowed or column.kind == "choice":
        labels = rule.choice_labels()
        if len(labels) > LONG_LIST:
            return (f"{column.label}应为下拉列表中的值之一（共{len(labels)}项）",
                    f"{column.name} must be one of the {len(labels)} values of the drop-down list")
        shown = " / ".join(labels)
        return f"{column.label}应为以下之一：{shown}", f"{column.name} must be one of: {shown}"
    if column.kind == "text":
        return f"{column.label}应为文字", f"{column.name} must be text"
    kind = {"bool": "expect_column_values_to_be_in_set", "month": "expect_column_values_to_match_strftime_format",
            "date": "expect_column_values_to_match_strftime_format"}.get(column.kind, "expect_column_values_to_match_regex")
    return _suite_rule(column, kind)


def range_rule(rule: CellRule) -> tuple[str, str] | None:
    """The typed-stage range of the column with its bounds resolved, or None when unbounded."""
    bounded = replace(rule.column, low=rule.low, high=rule.high)
    entries = bounded.typed_expectations()
    return (entries[0]["meta"]["rule_zh"], entries[0]["meta"]["rule_en"]) if entries else None


def required_rule(column: Column) -> tuple[str, str]:
    return _suite_rule(column, "expect_column_values_to_not_be_null")


PERCENT_FORMAT_RULE = ("请直接填写数值，不要使用百分比格式：12.5% 请填 12.5（单元格格式设为“常规”）",
                       "type the number itself, not in percent format: 12.5 for 12.5% (set the cell format to General)")
FORMULA_RULE = ("输入单元格不能使用公式，请直接填写数值（可复制后“选择性粘贴→数值”）",
                "an input cell must not hold a formula: type the value itself (paste special → values)")
ERROR_VALUE_RULE = ("单元格为错误值（如 #N/A、#DIV/0!），请填写数值", "the cell holds an error value (#N/A, #DIV/0!…): type the value")


def cell_text(value: Any, data_type: str, rule: CellRule, number_format: str = "General") -> str | None:
    """The CSV text of one input cell's value, or None when the cell is empty.

    A number shows the decimals its cell displays (``0.0``: 17 → '17.0'), so a prefilled CSV
    comes back as it was. Raises ``CellError`` when the cell holds a formula or an error value,
    or a value that breaks the column's kind, its list or its range (the same rules as the suite).
    """
    if data_type == "f":
        raise CellError(*FORMULA_RULE)
    if data_type == "e":
        raise CellError(*ERROR_VALUE_RULE)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if (rule.column.kind in ("int", "number") and isinstance(value, int | float) and not isinstance(value, bool)
            and "%" in (number_format or "")):
        raise CellError(*PERCENT_FORMAT_RULE)  # 12.5% typed in Excel is the number 0.125
    text = _kind_text(value, rule)
    if rule.column.kind in ("int", "number") and isinstance(value, int | float):
        text = _pad_decimals(text, number_format)
    if rule.allowed and text not in rule.allowed:
        raise CellError(*type_rule(rule))
    if rule.column.kind in ("int", "number"):
        _check_range(float(text), rule)
    return text


def _kind_text(value: Any, rule: CellRule) -> str:
    """The value as CSV text of the column's kind; raises ``CellError`` when it is not of that kind."""
    kind = rule.column.kind
    if isinstance(value, bool):
        if kind != "bool":
            raise CellError(*type_rule(rule))
        return "1" if value else "0"
    text = _plain_text(value, kind)
    if text is None:
        raise CellError(*type_rule(rule))
    if kind == "bool":
        if text in TRUE_TOKENS or text in FALSE_TOKENS:
            return "1" if text in TRUE_TOKENS else "0"
    elif kind == "choice":
        if text in rule.column.choices:
            canonical = rule.column.choices[text]
            return canonical if canonical in rule.column.choices else text
        if rule.allowed:
            return text
    elif kind in ("month", "date"):
        if _is_date_text(text, kind):
            return text
    elif kind in KIND_REGEX:
        if re.fullmatch(KIND_REGEX[kind], text):
            return text
    else:
        return text
    raise CellError(*type_rule(rule))


def _plain_text(value: Any, kind: str) -> str | None:
    """A cell value as text: numbers without a trailing .0, dates as YYYY-MM(-DD); None when it cannot be."""
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, dt.datetime | dt.date):
        if isinstance(value, dt.datetime) and value.time() != dt.time(0):
            return None
        if kind == "month":
            return value.strftime("%Y-%m") if value.day == 1 else None
        return value.strftime("%Y-%m-%d")
    if isinstance(value, str):
        return value.strip()
    return None  # times, durations: never what a column wants


def _number_text(value: int | float) -> str:
    """12 → '12', 12.0 → '12', 0.1 → '0.1', 1e-07 → '0.0000001' (never exponent notation).

    A float keeps Excel's 15 significant digits: a computed cell stored as 0.30000000000000004 is the
    0.3 Excel shows, and scores are computed exactly from this text (at most 15 digits are accepted)."""
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    text = f"{value:.15g}"
    return format(Decimal(text), "f") if "e" in text or "E" in text else text


def _pad_decimals(text: str, number_format: str) -> str:
    """'17' shown as ``0.0`` → '17.0'; a value with more decimals than shown keeps them all."""
    shown = re.fullmatch(r"0\.(0+)", number_format or "")
    if not shown:
        return text
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(len(shown.group(1)), '0')}"


def number_format(text: str | None, rule: CellRule) -> str:
    """The display format of an input cell: a prefilled '17.0' is shown (and read back) with its decimals."""
    decimals = re.fullmatch(r"[0-9]+\.([0-9]+)", text or "")
    if rule.column.kind in ("int", "number") and decimals:
        return "0." + "0" * len(decimals.group(1))
    return NUMBER_FORMATS.get(rule.column.kind, "@")


def _is_date_text(text: str, kind: str) -> bool:
    # Same test as the suites' expect_column_values_to_match_strftime_format.
    try:
        dt.datetime.strptime(text, "%Y-%m" if kind == "month" else "%Y-%m-%d")
    except ValueError:
        return False
    return True


def _check_range(number: float, rule: CellRule) -> None:
    low_ok = rule.low is None or (number > rule.low if rule.column.strict_low else number >= rule.low)
    high = MAX_NUMBER if rule.high is None else rule.high  # the suite's bound on every count and amount
    if not (low_ok and number <= high):
        raise CellError(*range_rule(rule))


def excel_value(text: str | None, rule: CellRule) -> Any:
    """What to write into an input cell for a CSV cell (prefilling): typed when it is of the kind, else text."""
    if text is None or text == "":
        return None
    kind = rule.column.kind
    if kind in ("int", "number") and re.fullmatch(NUMBER_REGEX, text):
        return int(text) if "." not in text else float(text)
    if kind == "bool" and (text in TRUE_TOKENS or text in FALSE_TOKENS):
        return "是" if text in TRUE_TOKENS else "否"
    if kind == "choice" and text in rule.column.choices:
        return _choice_label(rule.column, rule.column.choices[text])
    if kind == "date" and _is_date_text(text, "date"):
        return dt.datetime.strptime(text, "%Y-%m-%d").date()
    return text


def describe(rule: CellRule, unit: str = "") -> str:
    """The 说明 of an input cell: what to type, in Chinese."""
    column = rule.column
    if rule.allowed or column.kind in ("bool", "choice"):
        labels = rule.choice_labels()
        text = f"从下拉列表选择（共{len(labels)}项）" if len(labels) > LONG_LIST else "从下拉列表选择：" + " / ".join(labels)
    else:
        text = {"int": "整数", "number": "数值，可有小数", "ranks": "名次，多个以分号分隔，如 1;3",
                "month": "年月，格式 YYYY-MM，如 2023-03", "date": "日期，格式 YYYY-MM-DD，如 2023-04-05",
                "code": "代码（英文字母、数字）", "name": "名称（汉字、字母、数字，不含空格）",
                "period": "年度如 2025，或半年如 2024H1"}.get(column.kind, "文字")
    if column.kind in ("int", "number") and not rule.allowed:
        text += f"，{_bounds_text(rule)}"
    if unit:
        text += f"，单位：{unit}"
    if not column.required:
        text += "（可留空）"
    return text


def _bounds_text(rule: CellRule) -> str:
    low = 0.0 if rule.low is None else rule.low
    if rule.high is not None:
        return f"{_number_text(low)}–{_number_text(rule.high)}" + ("（不含0）" if rule.column.strict_low else "")
    return (">" if rule.column.strict_low else "≥") + _number_text(low)


def _fits_inline(labels: Sequence[str]) -> bool:
    """Whether a drop-down list can be written in the validation itself (Excel: ≤ 255 characters, no commas)."""
    return len(",".join(labels)) + 2 <= 255 and not any("," in label for label in labels)


def data_validation(rule: CellRule, unit: str = "", source: str | None = None) -> DataValidation:
    """The Excel data validation of an input cell (drop-down, whole, decimal, date or text length).

    ``source`` is the range a long drop-down list is read from (e.g. ``$F$3:$F$73``).
    """
    kind, labels = rule.column.kind, rule.choice_labels()
    error_zh = type_rule(rule)[0]
    if labels and source:
        spec: dict[str, Any] = {"type": "list", "formula1": source}
    elif labels:
        if not _fits_inline(labels):
            raise ValueError(f"drop-down list too long or with commas for {rule.column.name}")
        spec = {"type": "list", "formula1": '"' + ",".join(labels) + '"'}
    elif kind in ("int", "number"):
        spec = _numeric_validation(rule)
        extent = range_rule(rule)
        error_zh = f"{error_zh}；{extent[0]}" if extent else error_zh
    elif kind == "month":
        spec = {"type": "textLength", "operator": "equal", "formula1": "7"}
    elif kind == "date":
        spec = {"type": "date", "operator": "greaterThanOrEqual", "formula1": "DATE(2000,1,1)"}
    else:
        spec = {"type": "textLength", "operator": "lessThanOrEqual", "formula1": "200" if kind == "ranks" else "2000"}
    return DataValidation(**spec, allow_blank=True, showErrorMessage=True, errorStyle="stop", errorTitle="输入有误",
                          error=error_zh[:225], showInputMessage=True, promptTitle=rule.column.label[:32],
                          prompt=describe(rule, unit)[:255])


def _numeric_validation(rule: CellRule) -> dict[str, Any]:
    low = 0.0 if rule.low is None else rule.low
    spec: dict[str, Any] = {"type": "whole" if rule.column.kind == "int" else "decimal", "formula1": _number_text(low)}
    if rule.high is not None:
        spec.update(operator="between", formula2=_number_text(rule.high))
    else:
        spec["operator"] = "greaterThan" if rule.column.strict_low else "greaterThanOrEqual"
    return spec


# --------------------------------------------------------------------------- writing a template

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


def committee_identity() -> Identity:
    """Whose the committee's workbook is: the 考评组 (no institution code)."""
    return Identity("", OWNER_LABELS[COMMITTEE])


def units_headers(layout: Layout) -> list[str]:
    return ["序号", INFO_CODE, *(label for label, _ in layout.identity_columns), INFO_NAME]


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


# --------------------------------------------------------------------------- reading a filled workbook

class _Found:
    """Problems of one workbook, located as ``workbook!sheet!cell``."""

    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []

    def add(self, rule: tuple[str, str], sheet: str | None = None, cell: str | None = None, column: str | None = None,
            value: Any = None, severity: str = "error", context: str | None = None) -> None:
        where = "!".join(part for part in (self.name, sheet, cell) if part) if sheet else None
        self.problems.append(Problem(self.name, rule[0], rule[1], row=where, column=column,
                                     value=_shown_value(value), severity=severity, context=context))


def _shown_value(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str | bool):
        return value
    return getattr(value, "text", None) or str(value)  # ArrayFormula → its text


def check_size(path: Path, limit: int = MAX_UNCOMPRESSED_BYTES) -> list[Problem]:
    """Refuse a file that is not a zip or whose size, or its members' uncompressed size, exceeds ``limit``.

    The zip's directory states each member's size; a hostile file can understate them, and zipfile
    (so openpyxl) inflates a member in one piece before cutting it to the stated size. So every member
    is also inflated here, in small pieces, and must come to exactly its stated size: reading is then
    bounded by ``limit``, and a zip bomb costs a few pieces of memory, whatever its directory says.
    """
    found = _Found(path.name)
    size = path.stat().st_size
    if size > limit:
        found.add((f"工作簿过大（{size} 字节，上限 {limit} 字节），不予读取；填好的模板通常不到 1 MB",
                   f"workbook too large ({size} bytes, limit {limit}); not read. A filled template is under 1 MB"))
        return found.problems
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if unpacked > limit:
            found.add((f"工作簿解压后过大（{unpacked} 字节，上限 {limit} 字节），不予读取；可能是损坏或恶意文件",
                       f"workbook too large once unpacked ({unpacked} bytes, limit {limit}); not read: damaged or hostile file"))
            return found.problems
        with open(path, "rb") as handle:
            wrong = next((m for m in members if not _unpacks_as_stated(handle, m)), None)
    except (zipfile.BadZipFile, OSError, zlib.error, struct.error):
        found.add(("不是有效的 .xlsx 工作簿（请在 Excel 中另存为“Excel 工作簿 (*.xlsx)”）",
                   "not a valid .xlsx workbook (save it from Excel as 'Excel Workbook (*.xlsx)')"))
        return found.problems
    if wrong is not None:
        found.add(("工作簿内的文件解压后与其记录的大小不符（或使用了 Excel 不用的压缩方式、加密），不予读取；可能是损坏或恶意文件",
                   "a part of the workbook does not unpack to its stated size (or uses a compression or encryption Excel "
                   "does not write); not read: damaged or hostile file"), value=wrong.filename)
    return found.problems


def _unpacks_as_stated(handle, member: zipfile.ZipInfo) -> bool:
    """Whether ``member``'s data (stored, or deflated as Excel writes them) unpack to exactly ``file_size``.

    Inflated ``INFLATE_PIECE`` bytes at a time and given up as soon as it exceeds the stated size.
    """
    if member.flag_bits & 0x1 or member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return False  # encrypted, or bzip2/lzma: zipfile would inflate those without any bound
    handle.seek(member.header_offset)
    local = handle.read(30)
    if local[:4] != b"PK\x03\x04":
        return False
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    handle.seek(member.header_offset + 30 + name_length + extra_length)
    if member.compress_type == zipfile.ZIP_STORED:
        return member.compress_size == member.file_size
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left, data, produced = member.compress_size, b"", 0
    while not inflater.eof:
        if not data and left > 0:
            data = handle.read(min(INFLATE_PIECE, left))
            left -= len(data)
            if not data:
                return False  # the file ends inside the member
        out = inflater.decompress(data, INFLATE_PIECE)
        data = inflater.unconsumed_tail
        produced += len(out)
        if produced > member.file_size:
            return False
        if not out and not data and left <= 0:
            break  # nothing left to read and nothing more comes out: a cut-off stream
    return inflater.eof and produced == member.file_size


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
    found = _Found(path.name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops (slicers, …)
            book = load_workbook(path, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file; all mean the same here
        found.add(("无法打开工作簿：文件已损坏或不是 Excel 工作簿", f"cannot open the workbook: damaged or not .xlsx ({type(exc).__name__})"))
        return None, found.problems
    try:
        owner = _read_owner(book, found)
        if owner != HOSPITAL:
            return (_read_committee(book, path, committee, found) if owner == COMMITTEE else None), found.problems
        identity, code_cell, identity_cells = _read_identity(book, layout, found)
        own = layout if layout_for is None else (layout_for(identity) if identity is not None else None)
        rows: dict[str, list[dict]] = {file: [] for file in (own or layout).files()}
        for sheet in own.sheets if own is not None else ():
            if _has_sheet(book, sheet.title, found):
                reader = _read_checklist if isinstance(sheet, Checklist) else _read_table
                rows[sheet.file].extend(reader(book[sheet.title], sheet, own, found))
        if own is not None:
            _warn_extra_sheets(book, own, found)
    finally:
        book.close()
    if identity is None:
        return None, found.problems
    stamp = identity.record(layout)
    rows = {file: [{**stamp, **record} for record in records] for file, records in rows.items()}
    return Submission(path, identity, rows, code_cell, identity_cells, own), found.problems


def _has_sheet(book: Workbook, title: str, found: _Found) -> bool:
    if title in book.sheetnames:
        return True
    found.add((f"缺少工作表“{title}”：请使用下发的模板，不要删除或改名工作表",
               f"sheet '{title}' is missing: use the template as issued, do not delete or rename sheets"), sheet=title)
    return False


def _info_cells(book: Workbook) -> dict[str, Any]:
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


def _info_value(cell) -> str | None:
    return _plain_text(cell.value, "text") if cell.data_type != "f" else None


def _read_owner(book: Workbook, found: _Found) -> str | None:
    """Whose workbook it is by its 信息 填报方: a hospital's (also when there is no 填报方: older
    workbooks), the 考评组's, or None (and a problem) for anything else."""
    cell = _info_cells(book).get(INFO_OWNER)
    if cell is None:
        return HOSPITAL
    owners = {OWNER_LABELS[HOSPITAL]: HOSPITAL, OWNER_LABELS[COMMITTEE]: COMMITTEE}
    value = _info_value(cell)
    if value in owners:
        return owners[value]
    found.add((f"{INFO_OWNER}应为 {' 或 '.join(owners)}（请使用下发的模板）",
               f"the owner ({INFO_OWNER}) must be {' or '.join(owners)} (use the template as issued)"),
              INFO_SHEET, cell.coordinate, "owner", cell.value)
    return None


def _read_committee(book: Workbook, path: Path, committee: Layout | None, found: _Found) -> Submission | None:
    """The 考评组's workbook: scheme and year checked, the units of 考评范围, and its tables, whose
    every row must be of a listed unit. None when it cannot be read as one."""
    cells = _info_cells(book)
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
    ok = _expect_info(found, cells[INFO_SCHEME], _info_value(cells[INFO_SCHEME]), committee.scheme, "考评方案", "scheme")
    ok = _expect_info(found, cells[INFO_YEAR], _info_value(cells[INFO_YEAR]), str(committee.year), "年度", "year") and ok
    units = _read_units(book, committee, found) if ok else None
    if units is None:
        return None
    rows: dict[str, list[dict]] = {file: [] for file in committee.files()}
    listed = _listed_in(set(units), committee)
    for sheet in committee.sheets:
        if _has_sheet(book, sheet.title, found):
            table = replace(sheet, row_rules=(*sheet.row_rules, listed))
            rows[sheet.file].extend(_read_table(book[sheet.title], table, committee, found))
    _warn_extra_sheets(book, committee, found)
    return Submission(path, committee_identity(), rows, owner_cell, layout=committee, owner=COMMITTEE, units=units)


def _read_units(book: Workbook, layout: Layout, found: _Found) -> dict[tuple[str, ...], str] | None:
    """考评范围: unit key (code, specialty…) → its cell address; None (and problems) when unreadable."""
    if not _has_sheet(book, UNITS_SHEET, found):
        return None
    sheet = book[UNITS_SHEET]
    headers = units_headers(layout)
    if not _headers_match(sheet, headers, found):
        return None
    units: dict[tuple[str, ...], str] = {}
    errors_before = sum(p.is_error for p in found.problems)
    width = 1 + len(layout.identity_columns)
    for cells in sheet.iter_rows(min_row=FIRST_ROW, max_row=sheet.max_row, min_col=2, max_col=1 + width):  # all: never a unit cut off
        if all(_is_blank(cell) for cell in cells):
            continue
        key = tuple(_info_value(cell) or "" for cell in cells)
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
        found.add(("考评范围为空：本工作簿不覆盖任何单位（请使用下发的模板）", "the list of units is empty (use the template as issued)"),
                  sheet=UNITS_SHEET)
    return units if sum(p.is_error for p in found.problems) == errors_before else None


def _listed_in(units: set[tuple[str, ...]], layout: Layout):
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


def _read_identity(book: Workbook, layout: Layout, found: _Found) -> tuple[Identity | None, str, dict[str, str]]:
    """The 信息 area of 填写说明: checks scheme and year; whose workbook it is (None if it cannot say),
    the address of its code cell and of its other identity cells (label → address)."""
    if INFO_SHEET not in book.sheetnames:
        found.add((f"缺少工作表“{INFO_SHEET}”：其中的机构代码用于识别工作簿", f"sheet '{INFO_SHEET}' is missing: its 机构代码 identifies the workbook"),
                  sheet=INFO_SHEET)
        return None, "", {}
    cells = _info_cells(book)
    wanted = [INFO_SCHEME, INFO_YEAR, INFO_CODE, *(label for label, _ in layout.identity_columns)]
    missing = [label for label in wanted if label not in cells]
    if missing:
        found.add((f"“{INFO_SHEET}”中缺少信息：{'、'.join(missing)}（请使用下发的模板）",
                   f"'{INFO_SHEET}' lacks: {', '.join(missing)} (use the template as issued)"), sheet=INFO_SHEET)
        return None, "", {}
    values = {label: _info_value(cell) for label, cell in cells.items()}
    ok = _expect_info(found, cells[INFO_SCHEME], values[INFO_SCHEME], layout.scheme, "考评方案", "scheme")
    ok = _expect_info(found, cells[INFO_YEAR], values[INFO_YEAR], str(layout.year), "年度", "year") and ok
    code, code_cell = values[INFO_CODE], f"{found.name}!{INFO_SHEET}!{cells[INFO_CODE].coordinate}"
    identity_cells = {label: f"{found.name}!{INFO_SHEET}!{cells[label].coordinate}" for label, _ in layout.identity_columns}
    if not code or not re.fullmatch(CODE_REGEX, code):
        found.add(("机构代码缺失或无效：只能由英文字母、数字、- 和 _ 组成（请使用下发的模板）",
                   "institution code missing or invalid: ASCII letters, digits, '-' and '_' (use the template as issued)"),
                  INFO_SHEET, cells[INFO_CODE].coordinate, "code", cells[INFO_CODE].value)
        return None, code_cell, identity_cells
    extra = tuple((label, values[label] or "") for label, _ in layout.identity_columns)
    return (Identity(code, values.get(INFO_NAME) or "", extra) if ok else None), code_cell, identity_cells


def _expect_info(found: _Found, cell, value: str | None, expected: str, what_zh: str, what_en: str) -> bool:
    if value == expected:
        return True
    found.add((f"{what_zh}应为 {expected}：这不是本次要读入的工作簿", f"{what_en} must be {expected}: not a workbook of this intake"),
              INFO_SHEET, cell.coordinate, what_en, cell.value)
    return False


def _read_checklist(sheet: Worksheet, checklist: Checklist, layout: Layout, found: _Found) -> list[dict]:
    """One record per period (wide) or per filled field and period (long form)."""
    if not _headers_match(sheet, checklist.headers(), found):
        return []
    _refuse_merged_inputs(sheet, (FIRST_ROW, FIRST_ROW + len(checklist.fields) - 1,
                                  checklist.value_column(0), checklist.value_column(len(checklist.periods) - 1)), found)
    records: list[dict] = [{} for _ in checklist.periods]
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
            if checklist.long_form is None:
                records[index][item.column.name] = _read_cell(cell, rule, sheet.title, found, required=True)
                continue
            context = f"统计期 {period.token}，指标 {item.column.name} {item.column.label}"  # what the cell is about
            text = _read_cell(cell, rule, sheet.title, found, required=True, context=context)
            if text is not None:
                form = checklist.long_form
                long_rows.append((index, offset, {form.period: period.token, form.indicator: item.column.name, form.value: text}))
    if checklist.long_form is not None:
        if checklist.long_form.period_major:
            long_rows.sort(key=lambda entry: entry[:2])
        return [record for _, _, record in long_rows]
    return records


def _read_table(sheet: Worksheet, table: Table, layout: Layout, found: _Found) -> list[dict]:
    """One record per non-empty row below the header (rows beyond the template's are read too)."""
    if not _headers_match(sheet, ["序号", *(c.label for c in table.columns)], found):
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
        if all(_is_blank(cell) for cell in cells):
            continue
        context = _row_context(table, cells)
        record = {rule.column.name: _read_cell(cell, rule, sheet.title, found, required=True, context=context)
                  for cell, rule in zip(cells, rules, strict=True)}
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


def _is_blank(cell) -> bool:
    return cell.data_type != "f" and (cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()))


def _read_cell(cell, rule: CellRule, sheet: str, found: _Found, required: bool, context: str | None = None) -> str | None:
    """The cell's CSV text; a problem naming the cell when it breaks its rule or a required cell is empty."""
    try:
        text = cell_text(cell.value, cell.data_type, rule, cell.number_format)
    except CellError as error:
        found.add((error.rule_zh, error.rule_en), sheet, cell.coordinate, rule.column.name, cell.value, context=context)
        return None
    if text is None and required and rule.column.required:
        found.add(required_rule(rule.column), sheet, cell.coordinate, rule.column.name, context=context)
    return text


def _headers_match(sheet: Worksheet, expected: list[str], found: _Found) -> bool:
    for number, header in enumerate(expected, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=number)
        if cell.value != header:
            found.add((f"表头应为“{header}”：请使用下发的模板，不要插入、删除或移动列",
                       f"header should be '{header}': use the template as issued, do not insert, delete or move columns"),
                      sheet.title, cell.coordinate, None, cell.value)
            return False
    return True


def _refuse_merged_inputs(sheet: Worksheet, area: tuple[int, int, int, int], found: _Found) -> None:
    """A merged range over input cells hides all but its first value: refused, naming the range.

    ``area`` is the input cells' rectangle: first row, last row, first column, last column.
    """
    top, bottom, left, right = area
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= bottom and merged.max_row >= top and merged.min_col <= right and merged.max_col >= left:
            found.add(("填写区域的单元格不能合并：请取消合并，每格填一个值", "input cells must not be merged: unmerge, one value per cell"),
                      sheet.title, merged.coord)


def _warn_extra_sheets(book: Workbook, layout: Layout, found: _Found) -> None:
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


# --------------------------------------------------------------------------- a folder of workbooks → the year's CSVs

def workbooks_in(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The ``*.xlsx`` of ``folder`` (Excel's ``~$`` lock files skipped); other spreadsheets are a warning.

    Raises ``InputError`` when the folder does not exist or holds no workbook.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(Problem(str(folder), "找不到工作簿文件夹", "folder of workbooks not found"))
    paths, problems = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(("~$", ".")) or not path.is_file():
            continue
        suffix = path.suffix.lower()
        if suffix == ".xlsx":
            paths.append(path)
        elif suffix in SPREADSHEETS_NOT_XLSX:
            problems.append(Problem(path.name, "不是 .xlsx 工作簿，已忽略：请在 Excel 中另存为“Excel 工作簿 (*.xlsx)”",
                                    "not an .xlsx workbook, ignored: save it from Excel as 'Excel Workbook (*.xlsx)'",
                                    severity="warning"))
    if not paths:
        raise InputError(Problem(str(folder), "文件夹中没有 .xlsx 工作簿", "the folder holds no .xlsx workbook", severity="error"))
    return paths, problems


def read_submissions(paths: Iterable[Path], layout: Layout, known: Mapping[str, str],
                     listed: Mapping[tuple[str, ...], Identity] | None = None,
                     layout_for: Callable[[Identity], Layout | None] | None = None,
                     committee: Layout | None = None) -> tuple[list[Submission], list[Problem]]:
    """Read every workbook; a code not in ``known`` (code → name) or handed in twice is an error.

    With ``listed`` (identity key → identity) the whole identity must be listed, e.g. the institution's
    specialty; ``layout_for`` and ``committee`` as for ``read_workbook``. A committee workbook's units
    must all be listed, and no unit may be covered by two committee workbooks.
    """
    submissions: list[Submission] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, ...], Path] = {}
    covered: dict[tuple[str, ...], Path] = {}  # unit → the committee workbook covering it
    source = layout.identity_file
    for path in paths:
        submission, found = read_workbook(path, layout, layout_for, committee)
        problems.extend(found)
        if submission is None:
            continue
        if submission.owner == COMMITTEE:
            wrong = _committee_units_problems(submission, known, listed, covered, source)
            problems.extend(wrong)
            if not wrong:
                covered.update(dict.fromkeys(submission.units, path))
                submissions.append(submission)
            continue
        where, code, key = submission.code_cell, submission.identity.code, submission.identity.key()
        if code not in known:
            problems.append(Problem(path.name, f"机构代码 {code} 不在机构名单（{source}）中",
                                    f"institution code {code} is not listed in {source}", row=where, column="code", value=code))
        elif listed is not None and layout.identity_columns and key not in listed:
            label, column = layout.identity_columns[0]  # the code is listed: its specialty (say) is not
            value = submission.identity.extra[0][1]
            problems.append(Problem(path.name, f"{label}“{value}”不在机构 {code} 的名单（{source}）中",
                                    f"{column} '{value}' is not listed for institution {code} in {source}",
                                    row=submission.identity_cells.get(label, where), column=column, value=value))
        elif key in seen:
            other = seen[key].name
            if layout.identity_columns:
                label, column = layout.identity_columns[-1]
                rule = (f"与 {other} 是同一机构同一{label}的工作簿：每个{label}只交一份",
                        f"same institution and {column} as {other}: one workbook per {column}")
            else:
                rule = (f"与 {other} 是同一机构的工作簿：每个机构只交一份", f"same institution as {other}: one workbook per institution")
            problems.append(Problem(path.name, *rule, row=where, column="code", value=code))
        else:
            seen[key] = path
            submissions.append(submission)
    return submissions, problems


def _committee_units_problems(submission: Submission, known: Mapping[str, str],
                              listed: Mapping[tuple[str, ...], Identity] | None,
                              covered: Mapping[tuple[str, ...], Path], source: str) -> list[Problem]:
    """A committee workbook's 考评范围 against the lists: every unit known, none in another committee workbook."""
    name, problems = submission.path.name, []
    for unit, where in submission.units.items():
        shown = "-".join(unit)
        if unit[0] not in known or (listed is not None and len(unit) > 1 and unit not in listed):
            problems.append(Problem(name, f"{shown} 不在名单（{source}）中", f"{shown} is not listed in {source}",
                                    row=where, column="code", value=shown))
        elif unit in covered:
            other = covered[unit].name
            problems.append(Problem(name, f"{shown} 也在 {other} 的考评范围中：每个单位的考评组数据只能来自一个工作簿",
                                    f"{shown} is also covered by {other}: one committee workbook per unit",
                                    row=where, column="code", value=shown))
    return problems


def read_existing(scheme: ModuleType, year: int, data_dir: Path,
                  files: Iterable[str]) -> tuple[dict[str, list[dict] | None], list[Problem]]:
    """The year's current CSV rows as text: no rows for an absent file, None for one that has errors.

    A file is read where the intake reads it (``intake.locate``: the year's folder, or the scheme's
    folder for a scheme whose files carry their own period), so its other rows are kept.
    """
    from evalbook.inputs.intake import locate

    rows: dict[str, list[dict] | None] = {}
    problems: list[Problem] = []
    for file in files:
        path, label = locate(scheme, data_dir, file, year)
        if not path.exists():
            rows[file] = []
            continue
        names = [c.name for c in scheme.FILES[file]]
        table, found = read_text_table(path, names, scheme.OPTIONAL_COLUMNS.get(file, ()), label)
        problems.extend(found)
        if table is None or any(p.is_error for p in found):
            rows[file] = None
            continue
        rows[file] = [dict(zip(table.frame.columns, values, strict=True)) for values in table.frame.itertuples(index=False)]
    return rows, problems


def year_folder(scheme: ModuleType, year: int, data_dir: Path) -> Path:
    return Path(data_dir) / scheme.NAME / str(year)


def merge_rows(existing: list[dict], submissions: list[Submission], file: str, layout: Layout,
               order: Sequence[str | tuple[str, ...]]) -> list[dict]:
    """The file's rows after ingestion: the submitted institutions' rows replaced, the others kept.

    A long-form file replaces only the periods the workbook has columns for (its other periods are
    kept). Units keep their place in the current file (a replacement moves nothing); units new to it
    follow in ``order`` (institution codes, or identity keys such as (code, specialty)); within a unit,
    kept rows come first, then the workbook's rows in its own order.
    """
    identity_columns = [column for _, column in layout.identity_columns]

    def key(record: Mapping[str, Any]) -> tuple:
        return (record.get("code"), *(record.get(c) for c in identity_columns))

    covered = {unit: what for s in submissions if (what := _covered(s.layout or layout, file)) for unit in s.covers()}
    kept = [r for r in existing if key(r) not in covered or not _replaced_by(covered[key(r)], r)]
    merged = kept + [record for s in submissions for record in s.rows.get(file, [])]
    listed = [wanted if isinstance(wanted, tuple) else (wanted,) for wanted in order]
    width = len(listed[0]) if listed else 1 + len(identity_columns)
    rank = {unit: index for index, unit in enumerate(dict.fromkeys([key(r)[:width] for r in existing] + listed))}
    return sorted(merged, key=lambda record: rank.get(key(record)[:width], len(rank)))


def emptied_units(existing: list[dict], submissions: list[Submission], file: str, layout: Layout, year: int) -> list[Problem]:
    """A warning for each unit whose rows of ``file`` a workbook replaces with none at all: the owner may
    mean it (a judgment withdrawn), or have handed in a blank sheet; the warning names the unit and count."""
    problems = []
    current: dict[tuple, list[dict]] = {}
    for record in existing:
        current.setdefault(_unit_of(record, layout), []).append(record)
    for submission in submissions:
        what = _covered(submission.layout or layout, file)
        if not what:
            continue
        given = {_unit_of(record, layout) for record in submission.rows.get(file, [])}
        for unit in submission.covers():
            own = [r for r in current.get(unit, ()) if _replaced_by(what, r)]
            if own and unit not in given:
                shown = "-".join(unit)
                problems.append(Problem(submission.path.name, f"工作簿中没有 {shown} 的数据：{year}/{file} 中该单位的 {len(own)} 行将全部删除"
                                        "（如非本意，请补填后再读入；可先用 --dry-run 核对）",
                                        f"the workbook has no rows of {shown}: its {len(own)} rows of {year}/{file} are removed "
                                        "(if not meant, fill them in and ingest again; --dry-run shows this first)",
                                        row=submission.units.get(unit) or submission.code_cell or None, severity="warning"))
    return problems


def _covered(layout: Layout, file: str) -> tuple[str, set[str]] | bool:
    """What of ``file`` a workbook of ``layout`` replaces: all its rows (True), none (False, not in the
    layout), or, when it is only long-form checklists, the rows of their periods (period column, tokens)."""
    sheets = [sheet for sheet in layout.sheets if sheet.file == file]
    if not sheets:
        return False
    if all(isinstance(sheet, Checklist) and sheet.long_form is not None for sheet in sheets):
        return sheets[0].long_form.period, {period.token for sheet in sheets for period in sheet.periods}
    return True


def _replaced_by(covered: tuple[str, set[str]] | bool, record: Mapping[str, Any]) -> bool:
    if isinstance(covered, bool):
        return covered
    column, periods = covered
    return record.get(column) in periods


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, str | None]]) -> str:
    """Rows as CSV text as typed ('\\n' line ends, empty for None), except that text a spreadsheet
    would run as a formula (= + - @ first) gets a leading ``'``: evaluators open these files in
    Excel. Reading takes the ``'`` off again (reading.unescaped), so the data round-trip exactly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_spreadsheet_safe(row.get(c)) for c in columns])
    return out.getvalue()


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def _spreadsheet_safe(value: str | None) -> str:
    if value is None:
        return ""
    if _NUMBER.fullmatch(value):
        return value  # -1.5 is a number to a spreadsheet, not a formula
    if value != unescaped(value):
        return "'" + value  # text typed as '=…, which reading would otherwise shorten
    return neutralise(value)


@dataclass
class IngestReport:
    """What an ingestion found and did: problems and, when there was no error, per file of the owners
    whose workbooks came in the rows added, changed and removed, and which files were (or, with
    ``dry_run``, would be) written; ``kept`` are the files of owners without a workbook, untouched."""

    problems: list[Problem]
    submissions: list[Submission] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)  # file → rows, for the files written (or to be)
    folder: Path | None = None
    changes: dict[str, Changes] = field(default_factory=dict)  # file → what replacing it adds, changes, removes
    owners: dict[str, str] = field(default_factory=dict)  # file → who supplies it
    kept: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def _unreadable_current_files(existing: Mapping[str, list[dict] | None], found: list[Problem], year: int,
                              complete: set[str]) -> list[Problem]:
    """Problems of the current CSVs. A file with errors stops the ingestion, since other units' rows
    in it could not be kept, unless the workbooks received cover every unit for that file (every
    institution's workbook, or a committee workbook listing them all): then it is simply replaced,
    with a warning."""
    broken = [file for file, rows in existing.items() if rows is None]
    if not broken:
        return found
    if set(broken) <= complete:
        return [replace(p, severity="warning") for p in found] + [
            Problem(f"{year}/{file}", "现有文件有误，已由覆盖全部机构的工作簿整体替换", "the current file had errors; replaced as a "
                    "whole from workbooks covering every institution", severity="warning") for file in broken]
    return found + [Problem(f"{year}/{file}", "现有文件有误，无法保留未交工作簿的机构的行：请先修正，或读入全部机构的工作簿",
                            "the current file has errors, so the rows of institutions without a workbook cannot be kept: "
                            "fix it first, or ingest every institution's workbook") for file in broken if file not in complete]


def templates_of(scheme) -> ModuleType:
    """The scheme's template module (``Scheme.templates()``); ``InputError`` when it has none."""
    templates = scheme.templates()
    if templates is None:
        raise InputError(Problem("命令行 command line", "该考评方案还没有 Excel 模板", "this scheme has no Excel templates yet",
                                 column="SCHEME", value=scheme.NAME))
    return templates


def write_templates(scheme: ModuleType, year: int, data_dir: Path, out_dir: Path, prefill: bool = False,
                    owner: str = HOSPITAL) -> list[Path]:
    """The workbooks of ``owner`` into ``OUT/<scheme>/<year>/``, each saved atomically: one per identity
    of the scheme's templates (``HOSPITAL``), or the one committee workbook listing them all
    (``COMMITTEE``, ``考评组.xlsx``).

    With ``prefill`` the input cells hold the year's current CSV rows of that owner. Raises
    ``InputError`` when the institutions (or, with ``prefill``, the current CSVs) cannot be read.
    """
    templates = templates_of(scheme)
    identities = templates.identities(data_dir, year)
    layout = templates.committee_layout(year, identities) if owner == COMMITTEE else templates.layout(year)
    existing: dict[str, list[dict]] = {}
    if prefill:
        existing, problems = read_existing(scheme, year, data_dir, layout.files())
        if any(p.is_error for p in problems):
            raise InputError(problems)
    folder = Path(out_dir) / scheme.NAME / str(year)
    if owner == COMMITTEE:
        units = {unit.key() for unit in layout.units}
        own = {file: [r for r in rows if _unit_of(r, layout) in units] for file, rows in existing.items()}
        path = folder / COMMITTEE_WORKBOOK
        save_atomically(build_workbook(layout, committee_identity(), own), path)
        return [path]
    written = []
    for identity in identities:
        own = {file: [r for r in rows if _belongs(r, identity, layout)] for file, rows in existing.items()}
        path = folder / templates.workbook_name(identity)
        save_atomically(build_workbook(_layout_of(templates, layout, identity), identity, own), path)
        written.append(path)
    return written


def _unit_of(record: Mapping[str, Any], layout: Layout) -> tuple:
    return (record.get("code"), *(record.get(column) for _, column in layout.identity_columns))


def _layout_of(templates: ModuleType, layout: Layout, identity: Identity) -> Layout:
    """The layout of ``identity``'s workbook: the templates' ``layout_for(layout, identity)`` when they
    declare one (sheets that depend on whose workbook it is), else (``layout_for = None``) the year's layout."""
    return templates.layout_for(layout, identity) if templates.layout_for else layout


def _belongs(record: Mapping[str, Any], identity: Identity, layout: Layout) -> bool:
    stamp = identity.record(layout)
    return all(record.get(column) == value for column, value in stamp.items())


def ingest(scheme: ModuleType, year: int, source: Path, data_dir: Path, dry_run: bool = False) -> IngestReport:
    """Read every workbook of ``source`` and, only when none has an error, replace the year's CSVs
    of the owners whose workbooks came in (with ``dry_run``: only say what would change).

    Hospital workbooks replace their institutions' rows of the hospital's files; a committee workbook
    replaces the rows of the units it lists in the committee's files; every other row, and every file
    of an owner without a workbook, is kept. Files whose text would not change are not rewritten; the
    others are replaced together (``replace_files``). Raises ``InputError`` when the folder, the
    institutions or the rubric cannot be read; problems in the workbooks are returned in the report.
    """
    templates = templates_of(scheme)
    layout = templates.layout(year)
    identities = templates.identities(data_dir, year)
    committee = templates.committee_layout(year, identities)
    known = {identity.code: identity.name for identity in identities}
    listed = {identity.key(): identity for identity in identities}
    layout_for = None
    if templates.layout_for:
        def layout_for(identity: Identity) -> Layout | None:  # as listed by the templates, not as the workbook says
            return _layout_of(templates, layout, listed[identity.key()]) if identity.key() in listed else None
    paths, problems = workbooks_in(source)
    submissions, found = read_submissions(paths, layout, known, listed if layout.identity_columns else None, layout_for,
                                          committee)
    problems += found
    received = [own for own in (layout, committee) if any(s.owner == own.owner for s in submissions)]
    files = [file for own in received for file in own.files()]
    existing, found = read_existing(scheme, year, data_dir, files)
    complete = {file for own in received for file in own.files()
                if set(listed) <= {unit for s in submissions if s.owner == own.owner for unit in s.covers()}}
    problems += _unreadable_current_files(existing, found, year, complete)
    report = IngestReport(problems, submissions, owners=dict(templates.OWNERS), dry_run=dry_run,
                          kept=[file for own in (layout, committee) if all(own is not r for r in received)
                                for file in own.files()])
    if report.errors:
        return report
    report.folder = year_folder(scheme, year, data_dir)
    texts = {}
    for file in files:
        columns = [c.name for c in scheme.FILES[file]]
        rows = merge_rows(existing[file] or [], submissions, file, layout, list(listed))
        report.problems += emptied_units(existing[file] or [], submissions, file, layout, year)
        report.changes[file] = count_changes(existing[file] or [], rows, columns, templates.ROW_KEYS[file])
        text = csv_text(columns, rows)
        target = report.folder / file
        if not target.is_file() or target.read_bytes() != text.encode("utf-8"):
            texts[file] = text
            report.written[file] = len(rows)
    if texts and not dry_run:
        replace_files(report.folder, texts)
    return report
