"""What an ingest puts on record beside the year's data (formats in ``evalbook.inputs.records``): a line per
received workbook × unit × data file in ``submissions.csv``, the workbook itself under ``submissions/<sha256>.xlsx``,
and, in ``submissions/addresses.csv``, the workbook cell of every value of the data files it wrote.

Only the files the ingest writes (those of the owners whose workbooks came in) have their addresses redone: a row
from a workbook gets that workbook's cells, a row kept from before keeps its recorded cells (at its new line); the
addresses of every other file, and every earlier line of the log, stay as they were.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from evalbook.core.files import plain_mode
from evalbook.excel.layout import Layout
from evalbook.excel.merge import _covered, _replaced_by, unit_of
from evalbook.excel.submission import Submission
from evalbook.inputs import records
from evalbook.inputs.row_changes import count_changes


def received_at() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def workbook_sha(submission: Submission) -> str:
    return hashlib.sha256(Path(submission.path).read_bytes()).hexdigest()


def log_lines(submissions: Sequence[Submission], shas: Mapping[int, str], existing: Mapping[str, list[dict] | None],
              files: Sequence[str], layout: Layout, owners: Mapping[str, str], columns: Mapping[str, list[str]],
              keys: Mapping[str, Sequence[str]], when: str) -> list[dict]:
    """One log line per workbook × unit it covers × data file it carries: that unit's rows of the file before
    (those the workbook replaces) against the workbook's rows of the unit, counted by ``count_changes``."""
    lines = []
    for submission in submissions:
        for file in files:
            what = _covered(submission.layout or layout, file)
            if not what:
                continue
            for unit in submission.covers():
                before = [r for r in existing.get(file) or [] if unit_of(r, layout) == unit and _replaced_by(what, r)]
                after = [r for r in submission.rows.get(file, []) if unit_of(r, layout) == unit]
                changes = count_changes(before, after, columns[file], keys[file])
                lines.append({"received_at": when, "code": "-".join(unit), "file": file, "sha256": shas[id(submission)],
                              "owner": owners[file], "rows_added": changes.added, "rows_changed": changes.changed,
                              "rows_removed": changes.removed})
    return lines


def address_rows(file: str, rows: Sequence[Mapping], before: Sequence[Mapping], recorded: Sequence[Mapping[str, str]],
                 shas: Mapping[int, str], file_sha: str) -> list[dict]:
    """The addresses of ``file`` as written (``rows``, line = index + 2): a workbook's record gives its cells; a
    row kept from ``before`` keeps what was ``recorded`` for its old line (when that record is still current)."""
    old_line = {id(row): index + 2 for index, row in enumerate(before)}
    by_line: dict[int, list[Mapping[str, str]]] = {}
    for entry in recorded:
        by_line.setdefault(int(entry["row"]), []).append(entry)
    out = []
    for index, row in enumerate(rows):
        line = index + 2
        cells = getattr(row, "cells", None)
        if cells is not None:
            sha = shas.get(id(row), "")
            out += [{"file": file, "row": line, "column": column, "address": where, "sha256": sha, "file_sha256": file_sha}
                    for column, where in cells.items()]
        elif id(row) in old_line:
            out += [{**entry, "row": line, "file_sha256": file_sha} for entry in by_line.get(old_line[id(row)], ())]
    return out


def current_addresses(year_dir: Path, paths: Mapping[str, Path]) -> tuple[list[dict], dict[str, list[dict]]]:
    """The recorded addresses: those of files not in ``paths`` (kept as they are), and per file of ``paths``
    those still current (the file's sha256 is the one recorded)."""
    from evalbook.inputs.reading import sha256_file

    others, own = [], {file: [] for file in paths}
    current = {file: sha256_file(path) if Path(path).is_file() else None for file, path in paths.items()}
    for entry in records.read_csv(Path(year_dir) / records.ADDRESSES):
        if entry["file"] not in paths:
            others.append(entry)
        elif entry["file_sha256"] == current[entry["file"]] and entry["row"].isdigit():
            own[entry["file"]].append(entry)
    return others, own


def store_workbooks(year_dir: Path, submissions: Sequence[Submission], shas: Mapping[int, str]) -> None:
    """Each received workbook as ``submissions/<sha256>.xlsx``; one already there (same bytes) is left as it is."""
    folder = Path(year_dir) / records.FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for submission in submissions:
        target = folder / f"{shas[id(submission)]}.xlsx"
        if target.is_file():
            continue
        handle, temporary = tempfile.mkstemp(prefix=".received.", suffix=".tmp", dir=folder)
        try:
            plain_mode(temporary)
            with os.fdopen(handle, "wb") as stream:
                stream.write(Path(submission.path).read_bytes())
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
