"""How each unit moved against last year: rank and total, award, items gained and lost.

Last year is ``year - 1`` when the scheme's data folder holds files of it (``<scheme>/<year-1>/``). It is read,
VALIDATED (the same suites, cross-checks) and scored with THIS year's rubric, so that a movement reflects the
data, not a change of rules; when it does not validate, no trend is shown (the pages say so). Its files are
recorded among the run's inputs (``Intake.references``: hashed in the manifests, archived under ``inputs/``,
laid out again by ``verify``).

The comparison is made once per run (``write_tables``, called by ``committee.tables.write_year_tables``):

- ``trends.csv``: one row per unit of either year (``TREND_COLUMNS``): ``status`` "both", "new" (not scored
  last year) or "gone" (scored last year only); totals exact (full precision), ``total_change`` = total −
  last_total; ``rank_change`` = last_rank − rank (places moved up; ranks as the scheme's ``decisions`` give them,
  e.g. within its group); ``items_gained``/``items_lost``: how many items' scores rose/fell.
- ``trend_items.csv``: one row per unit of both years and item whose score changed (``ITEM_COLUMNS``), from
  ``Scheme.item_scores``; ``change`` = score − last_score (exact).

Both files are written even when there is nothing to compare (header only). What the comparison found —
``status`` "compared", "no_last_year" or "invalid" — and the two files' sha256 are kept in the intake's ``made``
record, which the run writes into ``validation.json``: a notebook of the batch (``load``) checks the files against
it (its inputs, last year's included, were checked by ``load_recorded``) and computes nothing; a notebook run alone
(or re-run by ``verify`` for a report kept from an earlier run, whose record has no ``made``) compares itself.
Either way the page shows the tables' text, so both show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evalbook.committee import made
from evalbook.core.exact import exact, is_missing
from evalbook.inputs.intake import Intake, file_path, take_in
from evalbook.output.tables import csv_text

TRENDS, TREND_ITEMS = "trends.csv", "trend_items.csv"
KEY = "trends"  # the intake's ``made`` entry (validation.json)
TREND_COLUMNS = ["code", "name", "subject", "unit", "status", "last_total", "total", "total_change", "last_rank", "rank",
                 "rank_change", "last_award", "award", "items_gained", "items_lost"]
ITEM_COLUMNS = ["unit", "code", "item", "label", "last_score", "score", "change", "max"]
COMPARED, NO_LAST_YEAR, INVALID = "compared", "no_last_year", "invalid"


@dataclass
class Trend:
    """A year against the one before: what was found and the two tables (cells as text, as published)."""

    year: int
    last_year: int
    status: str  # COMPARED, NO_LAST_YEAR or INVALID
    errors: int = 0  # last year's validation errors (INVALID)
    units: list[dict] = field(default_factory=list)  # rows of trends.csv
    items: list[dict] = field(default_factory=list)  # rows of trend_items.csv

    def unit(self, folder: str) -> dict | None:
        return next((r for r in self.units if r["unit"] == folder), None)

    def unit_items(self, folder: str) -> list[dict]:
        return [r for r in self.items if r["unit"] == folder]


def has_year(scheme, data_dir: Path, year: int) -> bool:
    """Does the scheme's data folder hold files of ``year`` (its own folder, with a file of the contract)?"""
    return any(file_path(scheme, data_dir, file, year).is_file() for file in scheme.FILES if file not in scheme.ROOT_FILES)


def compare(scheme, intake: Intake, scores) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """Compare the scored year with the one before: (what was found, trends frame, items frame). Last year's files
    read are recorded in ``intake.references``; never raises on bad data of last year (it is then INVALID)."""
    last_year = intake.year - 1
    found = {"year": intake.year, "last_year": last_year, "status": NO_LAST_YEAR, "errors": 0}
    empty = pd.DataFrame(columns=TREND_COLUMNS), pd.DataFrame(columns=ITEM_COLUMNS)
    if not has_year(scheme, intake.data_dir, last_year):
        return found, *empty
    last = take_in(scheme, last_year, intake.data_dir, intake.rubric)  # THIS year's rubric
    own = set(intake.labels.values())
    for file, table in last.tables.items():  # every file of last year read: inputs of this run
        if last.labels[file] not in own:
            intake.references.setdefault(last.labels[file], table)
    if last.errors:
        return {**found, "status": INVALID, "errors": len(last.errors)}, *empty
    last_scores = scheme.score(last)
    units, items = _units(scheme, scores, last_scores), _items(scheme, scores, last_scores)
    gained = items[items["change"] > 0].groupby("unit").size()
    lost = items[items["change"] < 0].groupby("unit").size()
    both = units["status"] == "both"
    units["items_gained"] = [int(gained.get(u, 0)) if b else None for u, b in zip(units["unit"], both, strict=True)]
    units["items_lost"] = [int(lost.get(u, 0)) if b else None for u, b in zip(units["unit"], both, strict=True)]
    return {**found, "status": COMPARED}, units[TREND_COLUMNS], items[ITEM_COLUMNS]


def _unit_rows(scheme, scores) -> dict[str, dict]:
    frame = scheme.decisions(scores)
    return {r["unit"]: r for r in frame[frame["level"] == "unit"].to_dict("records")}


def _number(value):
    return None if is_missing(value) else exact(value)


def _rank(value):
    return None if is_missing(value) else int(value)


def _units(scheme, scores, last_scores) -> pd.DataFrame:
    now, before = _unit_rows(scheme, scores), _unit_rows(scheme, last_scores)
    rows = []
    for folder in [*now, *(f for f in before if f not in now)]:
        a, b = before.get(folder), now.get(folder)
        shown = b or a
        total, last_total = _number((b or {}).get("total")), _number((a or {}).get("total"))
        rank, last_rank = _rank((b or {}).get("rank")), _rank((a or {}).get("rank"))
        rows.append({"code": shown["code"], "name": shown["name"], "subject": shown["subject"] or "", "unit": folder,
                     "status": "both" if a and b else ("new" if b else "gone"),
                     "last_total": last_total, "total": total,
                     "total_change": None if total is None or last_total is None else total - last_total,
                     "last_rank": last_rank, "rank": rank,
                     "rank_change": None if rank is None or last_rank is None else last_rank - rank,
                     "last_award": (a or {}).get("award") or "" if a else None,
                     "award": (b or {}).get("award") or "" if b else None})
    frame = pd.DataFrame(rows, columns=TREND_COLUMNS[:-2])
    for column in ("last_rank", "rank", "rank_change"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _items(scheme, scores, last_scores) -> pd.DataFrame:
    now, before = scheme.item_scores(scores), scheme.item_scores(last_scores)
    codes = {r["unit"]: r["code"] for r in _unit_rows(scheme, scores).values()}
    last = {(u, i): s for u, i, s in zip(before["unit"], before["item"], before["score"], strict=True)}
    rows = []
    for r in now.to_dict("records"):
        key = (r["unit"], r["item"])
        if key not in last or r["unit"] not in codes:
            continue
        change = exact(r["score"]) - exact(last[key])
        if change:
            rows.append({"unit": r["unit"], "code": codes[r["unit"]], "item": r["item"], "label": r["label"],
                         "last_score": exact(last[key]), "score": exact(r["score"]), "change": change,
                         "max": _number(r["max"])})
    frame = pd.DataFrame(rows, columns=ITEM_COLUMNS)
    frame["change"] = frame["change"].astype(object)
    return frame


def write_tables(scheme, intake: Intake, scores, folder: Path) -> list[str]:
    """Compare with last year, write ``trends.csv`` and ``trend_items.csv`` into ``folder`` and record what was found
    (with the files' sha256) in ``intake.made``; return the file names."""
    found, units, items = compare(scheme, intake, scores)
    return made.write(intake, KEY, folder, {TRENDS: csv_text(units), TREND_ITEMS: csv_text(items)}, **found)


def load(book, validation: str | Path = "") -> Trend:
    """The year's trend for a notebook (``book``: an opened year). In a batch (``validation`` given and its record
    holds the run's comparison) the tables beside ``validation.json``, after checking their sha256 against the
    record; otherwise compared here (last year read, validated and scored; its files recorded as inputs)."""
    texts = made.taken(book, KEY, "与上一年度比较的表格", "the table of the comparison with last year", validation)
    if texts is None:
        found, units, items = compare(book.scheme, book.intake, book.scores)
        return Trend(found["year"], found["last_year"], found["status"], found["errors"], made.rows(csv_text(units)),
                     made.rows(csv_text(items)))
    entry = book.intake.made[KEY]
    return Trend(entry["year"], entry["last_year"], entry["status"], entry.get("errors", 0), made.rows(texts[TRENDS]),
                 made.rows(texts[TREND_ITEMS]))


def report_facts(intake: Intake, tables_dir: Path) -> tuple[dict, dict[str, dict]]:
    """What the trend sections show (``run/stale.py``): what the comparison found (every report shows it), and per
    report folder its rows of both tables, as published text."""
    found = {k: v for k, v in intake.made.get(KEY, {}).items() if k != "files"}
    items = _read(Path(tables_dir) / TREND_ITEMS)
    return found, {r["unit"]: {"unit": r, "items": [i for i in items if i["unit"] == r["unit"]]}
                   for r in _read(Path(tables_dir) / TRENDS)}


def _read(path: Path) -> list[dict]:
    return made.rows(path.read_text(encoding="utf-8")) if path.is_file() else []
