"""What Excel itself checks and shows in an input cell: its data validation (drop-down, whole, decimal,
date or text length) and its 说明, in Chinese."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.worksheet.datavalidation import DataValidation

from evalbook.excel.cells import LONG_LIST, CellRule, number_text, range_rule, type_rule


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
        return f"{number_text(low)}–{number_text(rule.high)}" + ("（不含0）" if rule.column.strict_low else "")
    return (">" if rule.column.strict_low else "≥") + number_text(low)


def fits_inline(labels: Sequence[str]) -> bool:
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
        if not fits_inline(labels):
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
    spec: dict[str, Any] = {"type": "whole" if rule.column.kind == "int" else "decimal", "formula1": number_text(low)}
    if rule.high is not None:
        spec.update(operator="between", formula2=number_text(rule.high))
    else:
        spec["operator"] = "greaterThan" if rule.column.strict_low else "greaterThanOrEqual"
    return spec
