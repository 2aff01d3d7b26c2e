"""The problems of one workbook, each located as ``workbook!sheet!cell``."""

from __future__ import annotations

from typing import Any

from evalbook.core.errors import Problem


class Found:
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
