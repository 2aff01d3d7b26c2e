"""The vocabulary of input columns: kinds of value, how they are typed, what their suites check.

A scheme declares its files as lists of ``Column``; from them come the text-stage expectations
(what a cell must look like as typed), the typed-stage ranges, and the parsing used once the
data passed. Declared once here, so the suites, the parser and the templates cannot disagree.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from evalbook.core.cell_text import INVISIBLE
from evalbook.core.exact import plain

if TYPE_CHECKING:
    from evalbook.core.errors import Problem

# Institution codes: ASCII letters, digits, '-' and '_', never a path, a device name or a flag.
CODE_REGEX = r"^(?!(?i:con|prn|aux|nul|com[1-9]|lpt[1-9])$)[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$"
INT_REGEX = r"^[0-9]+(?:\.0+)?$"
NUMBER_REGEX = r"^[0-9]+(?:\.[0-9]+)?$"
RANKS_REGEX = r"^[1-9][0-9]*(?:[;；][1-9][0-9]*)*$"
# A name that becomes part of a folder name (a specialty): Chinese or ASCII letters, digits, brackets, '·', '-', '_'.
NAME_REGEX = r"^[\u4e00-\u9fffA-Za-z0-9（）()·_-]{1,30}$"
PERIOD_REGEX = r"^[0-9]{4}(?:H[12])?$"
# Bounds on every count and amount, so that a typo of absurd size (a 400-digit integer, a decimal with 30
# places) is refused at validation with the range or precision rule, not carried into scoring. No count,
# amount or score of a county's hospitals comes near 10^9; six decimal places exceed any stated figure.
MAX_NUMBER = 10**9
MAX_DECIMALS = 6
TOO_PRECISE_REGEX = rf"^[0-9]*\.[0-9]{{{MAX_DECIMALS + 1},}}$"
PRECISION_RULE = (f"最多{MAX_DECIMALS}位小数", f"may have at most {MAX_DECIMALS} decimal places")
TRUE_TOKENS = ("1", "是", "true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y")
FALSE_TOKENS = ("0", "否", "false", "False", "FALSE", "no", "No", "NO", "n", "N")

KIND_REGEX = {"code": CODE_REGEX, "int": INT_REGEX, "number": NUMBER_REGEX, "ranks": RANKS_REGEX,
              "name": NAME_REGEX, "period": PERIOD_REGEX}
KIND_RULES = {
    "code": ("只能由英文字母、数字、- 和 _ 组成（不以 - 开头，不是路径或设备名，最长64位）",
             "only ASCII letters, digits, '-' and '_' (not starting with '-', not a path or device name, ≤ 64)"),
    "int": ("应为不小于0的整数（不带单位，不用中文数字）", "must be a whole number ≥ 0 (no units, no Chinese numerals)"),
    "number": ("应为不小于0的数（不带单位，不用中文数字）", "must be a number ≥ 0 (no units, no Chinese numerals)"),
    "bool": ("应为 1/0 或 是/否", "must be 1/0 or 是/否 (yes/no)"),
    "ranks": ("应为以分号分隔的名次（正整数），如 1;3，或留空", "must be ';'-separated places ≥ 1, e.g. 1;3, or empty"),
    "name": ("只能由汉字、英文字母、数字、括号、·、- 和 _ 组成，最长30字（不含空格、斜杠、点）",
             "Chinese or ASCII letters, digits, brackets, '·', '-', '_' only, ≤ 30 (no spaces, slashes or dots)"),
    "period": ("应为年度（如 2025）或半年（如 2024H1）", "must be a year (e.g. 2025) or a half-year (e.g. 2024H1)"),
    "month": ("应为年月，格式 YYYY-MM，如 2023-03", "must be a month as YYYY-MM, e.g. 2023-03"),
    "date": ("应为日期，格式 YYYY-MM-DD", "must be a date as YYYY-MM-DD"),
}


@dataclass(frozen=True)
class Column:
    """One column of an input file.

    ``kind``: code, text, bool, int, number, choice, ranks, month or date. ``low``/``high`` bound
    int and number columns; a string there names a suite parameter filled from the rubric at run
    time (e.g. ``"max_advantage"``); without ``high`` the bound is ``MAX_NUMBER``. ``choices`` maps
    accepted tokens to canonical values.
    """

    name: str
    kind: str
    label: str
    required: bool = True
    low: float | str | None = None
    high: float | str | None = None
    strict_low: bool = False
    choices: dict[str, str] = field(default_factory=dict)

    def text_expectations(self) -> list[dict]:
        """What a cell must look like as typed (stage ``text``)."""
        out = []
        if self.required:
            out.append(expectation("expect_column_values_to_not_be_null", {"column": self.name},
                                   "text", f"{self.label}不能为空", f"{self.name} must not be empty"))
        if self.kind in KIND_REGEX:
            regex = KIND_REGEX[self.kind]
            zh, en = KIND_RULES[self.kind]
            out.append(expectation("expect_column_values_to_match_regex", {"column": self.name, "regex": regex},
                                   "text", f"{self.label}{zh}", f"{self.name} {en}"))
            if self.kind == "number":
                out.append(precision_expectation(self.name, self.label))
        elif self.kind == "bool":
            zh, en = KIND_RULES["bool"]
            out.append(expectation("expect_column_values_to_be_in_set",
                                   {"column": self.name, "value_set": list(TRUE_TOKENS + FALSE_TOKENS)},
                                   "text", f"{self.label}{zh}", f"{self.name} {en}"))
        elif self.kind == "choice":
            shown = " / ".join(dict.fromkeys(self.choices.values()))
            out.append(expectation("expect_column_values_to_be_in_set",
                                   {"column": self.name, "value_set": list(self.choices)},
                                   "text", f"{self.label}应为以下之一：{shown}", f"{self.name} must be one of: {shown}"))
        elif self.kind in ("month", "date"):
            fmt = "%Y-%m" if self.kind == "month" else "%Y-%m-%d"
            zh, en = KIND_RULES[self.kind]
            out.append(expectation("expect_column_values_to_match_strftime_format",
                                   {"column": self.name, "strftime_format": fmt},
                                   "text", f"{self.label}{zh}", f"{self.name} {en}"))
        return out

    def typed_expectations(self) -> list[dict]:
        """Ranges on the typed value (stage ``typed``); cells that failed their type are null here."""
        if self.kind not in ("int", "number"):
            return []
        high = MAX_NUMBER if self.high is None else self.high
        kwargs: dict[str, Any] = {"column": self.name}
        zh, en = [], []
        if self.low is not None:
            kwargs["min_value"] = param(self.low)
            if self.strict_low:
                kwargs["strict_min"] = True
            zh.append(("大于" if self.strict_low else "不小于") + _shown(self.low))
            en.append(("> " if self.strict_low else "≥ ") + _shown(self.low))
        kwargs["max_value"] = param(high)
        zh.append("不大于" + _shown(high))
        en.append("≤ " + _shown(high))
        return [expectation("expect_column_values_to_be_between", kwargs, "typed",
                            f"{self.label}应{'且'.join(zh)}", f"{self.name} must be {' and '.join(en)}")]

    def parse(self, values: pd.Series) -> pd.Series:
        """The typed value of each cell; a cell that is empty or not of the kind becomes null."""
        if self.kind in ("int", "number"):
            return per_distinct(values, _numbers)
        if self.kind == "bool":
            return values.map(lambda v: True if v in TRUE_TOKENS else False if v in FALSE_TOKENS else None).astype(object)
        if self.kind == "choice":
            return values.map(lambda v: self.choices.get(v)).astype(object)
        if self.kind == "ranks":
            return values.map(parse_ranks).astype(object)
        return values.astype(object)


def precision_expectation(column: str, label: str, **kwargs) -> dict:
    """A number typed with more than ``MAX_DECIMALS`` decimal places is refused (stage ``text``)."""
    zh, en = PRECISION_RULE
    return expectation("expect_column_values_to_not_match_regex", {"column": column, "regex": TOO_PRECISE_REGEX, **kwargs},
                       "text", f"{label}{zh}", f"{column} {en}")


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.where(values.str.fullmatch(NUMBER_REGEX, na=False)), errors="coerce").astype("float64")


def factorize(values: pd.Series | np.ndarray) -> tuple[np.ndarray, Any]:
    """``pd.factorize(values, use_na_sentinel=False)``: each value's number among the distinct values, numbered in the
    order they first occur (empty ones included), and those values.

    A large column of text holds the same few thousand objects over and over (``reading`` makes one object per
    distinct cell): its values are numbered first by the objects' addresses (whole numbers, hashed at numpy speed),
    then only the distinct objects are compared as values, so equal texts held by different objects are still one
    value: the same numbers and values as ``pd.factorize`` gives."""
    if values.dtype != object or len(values) < BY_ADDRESS or not isinstance(values, (pd.Series, np.ndarray)):
        return pd.factorize(values, use_na_sentinel=False)
    array = values.to_numpy() if isinstance(values, pd.Series) else values
    places, objects = distinct_objects(array)
    numbers, distinct = pd.factorize(pd.Series(objects, dtype=object) if isinstance(values, pd.Series) else objects,
                                     use_na_sentinel=False)
    return numbers[places], distinct


def distinct_objects(array: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's number among the distinct objects of an array of objects (by address: the same object, not merely an
    equal one), numbered in the order they first occur, and those objects."""
    array = np.ascontiguousarray(array, dtype=object)
    if not len(array):
        return np.zeros(0, dtype=np.intp), array
    addresses = np.frombuffer((ctypes.c_size_t * len(array)).from_address(array.ctypes.data), dtype=np.uintp)
    places, _ = pd.factorize(addresses)  # (read while ``array`` holds every object: no address is reused meanwhile)
    return places, array[first_places(places)]


def first_places(numbers: np.ndarray) -> np.ndarray:
    """Where each number first occurs in ``numbers`` (numbered in the order they first occur, as ``pd.factorize``
    numbers values: a number occurs first where it exceeds every one before it), in the numbers' order."""
    if not len(numbers):
        return np.zeros(0, dtype=np.int64)
    new = np.empty(len(numbers), dtype=bool)
    new[0] = True
    new[1:] = numbers[1:] > np.maximum.accumulate(numbers)[:-1]
    return np.flatnonzero(new)


BY_ADDRESS = 10_000  # a column of objects at least this long is numbered by the objects' addresses first


def numbered_rows(*columns: np.ndarray | pd.Series) -> np.ndarray:
    """Each row's number among the distinct rows of ``columns`` (arrays of one length), numbered in the order they first
    occur (as ``groupby(sort=False).ngroup()`` numbers groups, an empty value being a value too)."""
    if not columns:
        raise ValueError("no column to number the rows by")
    return combined_numbers([(numbers, len(distinct)) for numbers, distinct in map(factorize, columns)],
                            len(columns[0]))


def combined_numbers(numbered: list[tuple[np.ndarray, int]], count: int) -> np.ndarray:
    """Each of ``count`` rows' number among the distinct combinations of its columns' numbers, numbered in the order
    they first occur (int64). ``numbered``: per column, each row's number among the column's distinct values and how
    many distinct values there are. The numbers are combined into one whole number per row, renumbered densely
    before they could overflow."""
    key, size = np.zeros(count, dtype=np.int64), 1  # the row's numbers so far as one whole number below ``size``
    for numbers, distinct in numbered:
        width = max(distinct, 1)
        if size * width >= 2**62:
            key = pd.factorize(key)[0].astype(np.int64)
            size = int(key.max()) + 1 if count else 1
        key, size = key * width + numbers.astype(np.int64), size * width
    return pd.factorize(key)[0].astype(np.int64)


def per_distinct(values: pd.Series, parse, factorized: dict | None = None, named: str | None = None) -> pd.Series:
    """``parse(values)``, computed once per distinct cell (empty ones included) and spread back.

    Counts and scores repeat: a 10,000-institution file holds a few hundred distinct values per
    column, so matching and converting each cell again costs most of the reading time. ``factorized`` (a dict, by
    column name): the column's distinct values found once for several rules on the same table; with ``named``, the
    result is kept there too under that name, numbered as the column (each cell's number, the distinct results).
    """
    if factorized is None:
        codes, distinct = factorize(values)
    else:
        if values.name not in factorized:
            factorized[values.name] = factorize(values)
        codes, distinct = factorized[values.name]
    parsed = parse(pd.Series(distinct, dtype=object)).to_numpy()
    if factorized is not None and named is not None:
        factorized[named] = (codes, parsed)
    return pd.Series(parsed[codes], index=values.index, name=values.name, copy=False)  # (a new array: no copy)


def mapped(values: pd.Series, mapping: Mapping) -> pd.Series:
    """``values.map(mapping)`` (a column of objects), each distinct value looked up once: the same values, of the same
    type (``map`` infers it from the values found, which are the same)."""
    codes, distinct = factorize(values)
    found = pd.Series(distinct, dtype=values.dtype).map(mapping)
    return pd.Series(found.array.take(codes), index=values.index, name=values.name)


def joined(frame: pd.DataFrame, left: str, right: str, sep: str) -> pd.Series:
    """``frame[left].astype(str) + sep + frame[right].astype(str)`` (columns of objects), made once per distinct pair."""
    codes_left, distinct_left = factorize(frame[left])
    codes_right, distinct_right = factorize(frame[right])
    pair, _ = pd.factorize(codes_left.astype(np.int64) * max(len(distinct_right), 1) + codes_right)
    rows = frame.iloc[first_places(pair)]  # each distinct pair's first row
    made = rows[left].astype(str) + sep + rows[right].astype(str)
    return pd.Series(made.array.take(pair), index=frame.index, name=made.name)


def parse_ranks(text: Any) -> tuple[int, ...] | None:
    """'1;3' → (1, 3); empty → (); anything else → None."""
    if text is None or (isinstance(text, float) and pd.isna(text)) or text == "":
        return ()
    parts = str(text).replace("；", ";").split(";")
    if not all(part.isdigit() and int(part) >= 1 for part in parts):
        return None
    return tuple(int(part) for part in parts)


def identity_key(text: Any) -> Any:
    """How two ids typed by people are compared: after NFKC (full-width Ｅ０５ is E05), without invisible
    characters, stripped and case-folded, so ``E05``, ``e05`` and ``Ｅ05 `` are one expert. None stays None."""
    if not isinstance(text, str):
        return text
    return INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).strip().casefold()


def param(value: float | str) -> Any:
    return {"$PARAMETER": value} if isinstance(value, str) else value


def _shown(value: float | str) -> str:
    if isinstance(value, str):
        return f"（评分规则中的 {value}）"
    return str(value) if isinstance(value, int) else f"{value:g}"  # 1000000000, not 1e+09


RUBRIC_BOUND = re.compile(r"（评分规则中的 (\w+)）")  # how ``_shown`` names a bound taken from the rubric


def rubric_amount(value: Any, language: str = "zh") -> str:
    """A suite parameter as a sentence shows it: a number exactly (0.5, 20), a list joined (4、7、8),
    a mapping as ``key：value`` pairs (4：5、7：2), text as it is."""
    sep, pair = ("、", "{}：{}") if language == "zh" else (", ", "{}: {}")
    if isinstance(value, Mapping):
        return sep.join(pair.format(k, rubric_amount(v, language)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return sep.join(rubric_amount(v, language) for v in value)
    if isinstance(value, str):
        return value
    return plain(value)


def with_rubric_bounds(problem: Problem, parameters: dict[str, Any]) -> Problem:
    """``problem`` with the rubric's amounts in its rule: the suites (kept in git) can only name a bound
    (``max_advantage``), but the evaluator needs the number (不大于20) to correct the cell."""
    if not RUBRIC_BOUND.search(problem.rule_zh + problem.rule_en):
        return problem
    return replace(problem, rule_zh=rubric_text(problem.rule_zh, parameters),
                   rule_en=rubric_text(problem.rule_en, parameters, "en"))


def rubric_text(rule: str, parameters: Mapping[str, Any], language: str = "zh") -> str:
    """A suite's rule text with every rubric parameter it names shown with its value (不大于20（评分规则中的
    max_advantage）): the numbers come from the rubric loaded for the run, never from the suite."""
    def sub(match):
        if match[1] not in parameters:
            return match[0]
        value = rubric_amount(parameters[match[1]], language)
        return f"{value}（评分规则中的 {match[1]}）" if language == "zh" else f"{value} (rubric: {match[1]})"

    return RUBRIC_BOUND.sub(sub, rule)


def expectation(kind: str, kwargs: dict, stage: str, rule_zh: str, rule_en: str, severity: str = "critical",
                reported_as: str | None = None) -> dict:
    """A suite entry in Great Expectations' JSON form, with our bilingual rule in ``meta``.

    ``reported_as`` names the file's own column when the rule checks a derived one (e.g. the
    per-item sum of ``points``): problems then name that cell and its value as typed.
    """
    meta = {"stage": stage, "rule_zh": rule_zh, "rule_en": rule_en}
    if reported_as:
        meta["reported_as"] = reported_as
    return {"type": kind, "kwargs": kwargs, "meta": meta, "severity": severity}


def parse_table(frame: pd.DataFrame, columns: list[Column]) -> pd.DataFrame:
    """Typed copy of a text table (same index), column by column."""
    return pd.DataFrame({c.name: c.parse(frame[c.name].astype(object)) if c.name in frame else None
                         for c in columns}, index=frame.index)
