"""One input cell: what it accepts (``CellRule``), its value as CSV text, and a CSV text as its Excel value.

Everything about a cell comes from the ``Column`` declarations of ``evalbook.core.columns`` and the
words of the column's suite, so the templates, the ingestion and the suites cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from evalbook.core.columns import FALSE_TOKENS, KIND_REGEX, MAX_NUMBER, NUMBER_REGEX, TRUE_TOKENS, Column

LONG_LIST = 20                               # a list longer than this is not spelled out in messages
NUMBER_FORMATS = {"int": "0", "number": "General", "date": "yyyy-mm-dd"}  # every other kind is kept as text: "@"


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
ERROR_VALUE_RULE = ("单元格为错误值（如 #N/A、#DIV/0!），请填写数值",
                    "the cell holds an error value (#N/A, #DIV/0!…): type the value")


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
    text = plain_text(value, kind)
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


def plain_text(value: Any, kind: str) -> str | None:
    """A cell value as text: numbers without a trailing .0, dates as YYYY-MM(-DD); None when it cannot be."""
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, dt.datetime | dt.date):
        if isinstance(value, dt.datetime) and value.time() != dt.time(0):
            return None
        if kind == "month":
            return value.strftime("%Y-%m") if value.day == 1 else None
        return value.strftime("%Y-%m-%d")
    if isinstance(value, str):
        return value.strip()
    return None  # times, durations: never what a column wants


def number_text(value: int | float) -> str:
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
