"""Editing a data CSV in a test as an evaluator would in a spreadsheet: the rows that match, changed or removed."""

from __future__ import annotations

import csv
from pathlib import Path


def edit_rows(path: Path, match: dict, changes: dict | None = None, delete: bool = False, append: list | None = None):
    """Change (``changes``) or remove (``delete``) the rows of ``path`` whose cells equal ``match``, and add one row
    (``append``, in the header's order); at least one row must match."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0].keys())
    hits = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert hits, (path.name, match)
    if delete:
        rows = [r for r in rows if r not in hits]
    for r in hits if changes else []:
        r.update(changes)
    if append:
        rows.append(dict(zip(header, append, strict=True)))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def read_rows(path: Path) -> list[dict]:
    """The rows of a CSV file as dictionaries by header, every cell as its text."""
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
