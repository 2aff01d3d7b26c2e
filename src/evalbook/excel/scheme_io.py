"""A scheme's workbooks in and out: its templates module found (``templates_of``), its templates written
(``write_templates``), and filled workbooks ingested (``ingest``).

Ingestion replaces only the files of the owners whose workbooks came in, and in them only the rows of
the units those workbooks cover; it counts the rows it adds, changes and removes per file
(``row_changes``) and, with ``dry_run``, writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from evalbook.core.errors import InputError, Problem
from evalbook.core.files import replace_files
from evalbook.excel.folder import read_submissions, workbooks_in
from evalbook.excel.layout import COMMITTEE, COMMITTEE_WORKBOOK, HOSPITAL, Identity, Layout, committee_identity
from evalbook.excel.merge import csv_text, emptied_units, merge_rows, read_existing, unit_of, year_folder
from evalbook.excel.on_record import address_rows, current_addresses, log_lines, received_at, store_workbooks, workbook_sha
from evalbook.excel.submission import Submission
from evalbook.excel.writing import build_workbook, save_atomically
from evalbook.inputs import records
from evalbook.inputs.row_changes import Changes, count_changes


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
    received: list[dict] = field(default_factory=list)  # the lines this ingest adds (or would add) to submissions.csv

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
            Problem(f"{year}/{file}", "现有文件有误，已由覆盖全部机构的工作簿整体替换",
                    "the current file had errors; replaced as a whole from workbooks covering every institution",
                    severity="warning") for file in broken]
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
        own = {file: [r for r in rows if unit_of(r, layout) in units] for file, rows in existing.items()}
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
    shas = {id(s): workbook_sha(s) for s in submissions}
    row_shas = {id(row): shas[id(s)] for s in submissions for rows in s.rows.values() for row in rows}
    others, recorded = current_addresses(report.folder, {file: report.folder / file for file in files})
    addresses = list(others)
    for file in files:
        columns = [c.name for c in scheme.FILES[file]]
        rows = merge_rows(existing[file] or [], submissions, file, layout, list(listed))
        report.problems += emptied_units(existing[file] or [], submissions, file, layout, year)
        report.changes[file] = count_changes(existing[file] or [], rows, columns, templates.ROW_KEYS[file])
        text = csv_text(columns, rows)
        target = report.folder / file
        addresses += address_rows(file, rows, existing[file] or [], recorded[file], row_shas,
                                            hashlib.sha256(text.encode("utf-8")).hexdigest())
        if not target.is_file() or target.read_bytes() != text.encode("utf-8"):
            texts[file] = text
            report.written[file] = len(rows)
    report.received = log_lines(submissions, shas, existing, files, layout, templates.OWNERS,
                                          {f: [c.name for c in scheme.FILES[f]] for f in files}, templates.ROW_KEYS,
                                          received_at())
    if not dry_run:
        store_workbooks(report.folder, submissions, shas)
        log = report.folder / records.LOG
        before = log.read_text(encoding="utf-8") if log.is_file() else records.csv_lines(records.LOG_COLUMNS, [])
        texts[records.LOG] = before + records.csv_lines(records.LOG_COLUMNS, report.received, header=False)
        texts[records.ADDRESSES] = records.csv_lines(records.ADDRESS_COLUMNS, addresses)
        replace_files(report.folder, texts)
    return report
