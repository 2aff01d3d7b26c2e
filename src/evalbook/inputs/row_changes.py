"""What a replacement of a CSV file's rows adds, changes and removes, counted row by row.

Rows are compared as the text they hold (an empty cell and an absent optional column are the same).
A row present before and after (the same text in every column) is unchanged, wherever it moved. Of
the rest, a row before and a row after with the same key (e.g. code, project, expert) are one row
changed, paired in file order; what is left is removed (before only) or added (after only).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    """Rows added, changed and removed by replacing a file, and its rows afterwards."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    rows: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def text(self) -> str:
        return (f"新增 {self.added} 行 added, 修改 {self.changed} 行 changed, 删除 {self.removed} 行 removed"
                f"（共 {self.rows} 行 rows）")


def count_changes(before: Iterable[Mapping[str, str | None]], after: Iterable[Mapping[str, str | None]],
                  columns: Sequence[str], key: Sequence[str]) -> Changes:
    """The rows ``after`` adds, changes and removes relative to ``before``, over ``columns``;
    ``key`` (a subset of ``columns``) says which rows are the same record."""
    old = [_text(row, columns) for row in before]
    new = [_text(row, columns) for row in after]
    left = Counter(old)
    left.subtract(Counter(new))
    gone = _by_key([row for row in old if _take(left, row, 1)], columns, key)
    right = Counter(new)
    right.subtract(Counter(old))
    come = _by_key([row for row in new if _take(right, row, 1)], columns, key)
    changed = sum(min(len(rows), len(come.get(k, ()))) for k, rows in gone.items())
    removed = sum(len(rows) for rows in gone.values()) - changed
    added = sum(len(rows) for rows in come.values()) - changed
    return Changes(added, changed, removed, len(new))


def _text(row: Mapping[str, str | None], columns: Sequence[str]) -> tuple[str, ...]:
    return tuple(row.get(column) or "" for column in columns)


def _take(surplus: Counter, row: tuple[str, ...], amount: int) -> bool:
    """Whether ``row`` is one of the rows in surplus (and count it off)."""
    if surplus[row] >= amount:
        surplus[row] -= amount
        return True
    return False


def _by_key(rows: list[tuple[str, ...]], columns: Sequence[str], key: Sequence[str]) -> dict[tuple[str, ...], list]:
    positions = [list(columns).index(column) for column in key]
    grouped: dict[tuple[str, ...], list] = defaultdict(list)
    for row in rows:
        grouped[tuple(row[p] for p in positions)].append(row)
    return grouped
