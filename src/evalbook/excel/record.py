"""A record read from a workbook, with the cell each of its values came from.

``Record`` is a ``dict`` (column → CSV text) that also carries ``cells`` (column → ``workbook!sheet!cell``),
so ingest can say, for each CSV row and column it writes, where in the received workbook the value was typed.
Equality is the dict's: a record equals the plain dict of the same values.
"""

from __future__ import annotations

from collections.abc import Mapping


class Record(dict):
    """Column → CSV text, plus ``cells``: column → the workbook cell it was read from."""

    def __init__(self, *args, cells: Mapping[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cells: dict[str, str] = dict(cells or {})


def stamped(record: Mapping[str, str | None], stamp: Mapping[str, str]) -> Record:
    """``{**stamp, **record}`` keeping the record's cells (the stamp's columns are not typed in the sheet)."""
    return Record({**stamp, **record}, cells=getattr(record, "cells", None))


def address(workbook: str, sheet: str, cell: str) -> str:
    """A cell's address as problems name it: ``SC.xlsx!附件3考评事实!F17``."""
    return f"{workbook}!{sheet}!{cell}"
