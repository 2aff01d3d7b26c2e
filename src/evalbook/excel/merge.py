"""The year's CSVs after ingestion: the current rows read as text, the covered units' rows replaced (the
others kept), units left with no rows named, and the CSV text written so a spreadsheet runs no formula."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from evalbook.core.errors import Problem
from evalbook.excel.layout import Checklist, Layout
from evalbook.excel.submission import Submission
from evalbook.inputs.reading import read_text_table, unescaped
from evalbook.output.tables import neutralise


def read_existing(scheme: ModuleType, year: int, data_dir: Path,
                  files: Iterable[str]) -> tuple[dict[str, list[dict] | None], list[Problem]]:
    """The year's current CSV rows as text: no rows for an absent file, None for one that has errors.

    A file is read where the intake reads it (``intake.locate``: the year's folder, or the scheme's
    folder for a scheme whose files carry their own period), so its other rows are kept.
    """
    from evalbook.inputs.intake import locate

    rows: dict[str, list[dict] | None] = {}
    problems: list[Problem] = []
    for file in files:
        path, label = locate(scheme, data_dir, file, year)
        if not path.exists():
            rows[file] = []
            continue
        names = [c.name for c in scheme.FILES[file]]
        table, found = read_text_table(path, names, scheme.OPTIONAL_COLUMNS.get(file, ()), label)
        problems.extend(found)
        if table is None or any(p.is_error for p in found):
            rows[file] = None
            continue
        rows[file] = [dict(zip(table.frame.columns, values, strict=True)) for values in table.frame.itertuples(index=False)]
    return rows, problems


def year_folder(scheme: ModuleType, year: int, data_dir: Path) -> Path:
    return Path(data_dir) / scheme.NAME / str(year)


def merge_rows(existing: list[dict], submissions: list[Submission], file: str, layout: Layout,
               order: Sequence[str | tuple[str, ...]]) -> list[dict]:
    """The file's rows after ingestion: the submitted institutions' rows replaced, the others kept.

    A long-form file replaces only the periods the workbook has columns for (its other periods are
    kept). Units keep their place in the current file (a replacement moves nothing); units new to it
    follow in ``order`` (institution codes, or identity keys such as (code, specialty)); within a unit,
    kept rows come first, then the workbook's rows in its own order.
    """
    identity_columns = [column for _, column in layout.identity_columns]

    def key(record: Mapping[str, Any]) -> tuple:
        return (record.get("code"), *(record.get(c) for c in identity_columns))

    covered = {unit: what for s in submissions if (what := _covered(s.layout or layout, file)) for unit in s.covers()}
    kept = [r for r in existing if key(r) not in covered or not _replaced_by(covered[key(r)], r)]
    merged = kept + [record for s in submissions for record in s.rows.get(file, [])]
    listed = [wanted if isinstance(wanted, tuple) else (wanted,) for wanted in order]
    width = len(listed[0]) if listed else 1 + len(identity_columns)
    rank = {unit: index for index, unit in enumerate(dict.fromkeys([key(r)[:width] for r in existing] + listed))}
    return sorted(merged, key=lambda record: rank.get(key(record)[:width], len(rank)))


def emptied_units(existing: list[dict], submissions: list[Submission], file: str, layout: Layout, year: int) -> list[Problem]:
    """A warning for each unit whose rows of ``file`` a workbook replaces with none at all: the owner may
    mean it (a judgment withdrawn), or have handed in a blank sheet; the warning names the unit and count."""
    problems = []
    current: dict[tuple, list[dict]] = {}
    for record in existing:
        current.setdefault(unit_of(record, layout), []).append(record)
    for submission in submissions:
        what = _covered(submission.layout or layout, file)
        if not what:
            continue
        given = {unit_of(record, layout) for record in submission.rows.get(file, [])}
        for unit in submission.covers():
            own = [r for r in current.get(unit, ()) if _replaced_by(what, r)]
            if own and unit not in given:
                shown = "-".join(unit)
                rule_zh = (f"工作簿中没有 {shown} 的数据：{year}/{file} 中该单位的 {len(own)} 行将全部删除"
                           "（如非本意，请补填后再读入；可先用 --dry-run 核对）")
                rule_en = (f"the workbook has no rows of {shown}: its {len(own)} rows of {year}/{file} are removed "
                           "(if not meant, fill them in and ingest again; --dry-run shows this first)")
                problems.append(Problem(submission.path.name, rule_zh, rule_en,
                                        row=submission.units.get(unit) or submission.code_cell or None, severity="warning"))
    return problems


def _covered(layout: Layout, file: str) -> tuple[str, set[str]] | bool:
    """What of ``file`` a workbook of ``layout`` replaces: all its rows (True), none (False, not in the
    layout), or, when it is only long-form checklists, the rows of their periods (period column, tokens)."""
    sheets = [sheet for sheet in layout.sheets if sheet.file == file]
    if not sheets:
        return False
    if all(isinstance(sheet, Checklist) and sheet.long_form is not None for sheet in sheets):
        return sheets[0].long_form.period, {period.token for sheet in sheets for period in sheet.periods}
    return True


def _replaced_by(covered: tuple[str, set[str]] | bool, record: Mapping[str, Any]) -> bool:
    if isinstance(covered, bool):
        return covered
    column, periods = covered
    return record.get(column) in periods


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, str | None]]) -> str:
    """Rows as CSV text as typed ('\\n' line ends, empty for None), except that text a spreadsheet
    would run as a formula (= + - @ first) gets a leading ``'``: evaluators open these files in
    Excel. Reading takes the ``'`` off again (reading.unescaped), so the data round-trip exactly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_spreadsheet_safe(row.get(c)) for c in columns])
    return out.getvalue()


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def _spreadsheet_safe(value: str | None) -> str:
    if value is None:
        return ""
    if _NUMBER.fullmatch(value):
        return value  # -1.5 is a number to a spreadsheet, not a formula
    if value != unescaped(value):
        return "'" + value  # text typed as '=…, which reading would otherwise shorten
    return neutralise(value)


def unit_of(record: Mapping[str, Any], layout: Layout) -> tuple:
    return (record.get("code"), *(record.get(column) for _, column in layout.identity_columns))
