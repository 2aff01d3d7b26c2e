"""After a correction: which published reports no longer agree with the year, and who moved.

Every report shows more than its own unit: its rank, award and prize come from the whole cohort, and
(wendeng) its group's ranking chart and item averages show every member of the group. So ``--only CODE``
cannot keep the other reports on faith. Each report's ``manifest.json`` records ``report_facts``: the
sha256 of everything of the year that its page shows besides its notebook's own code — the cells of the
year's published tables its report displays (the scheme's ``report_facts``), its own rows of every input
file, the warnings concerning it, the suites' per-file verdicts, the rubric, ``DEMO.md`` and the other files
in ``reuse.report_sources``. A kept report whose recorded digest differs from the new one is rebuilt; one
without a digest (built before this was recorded) is rebuilt too, since nothing proves it current.

The digests are computed from the tables as written (CSV text), never from floats, so they compare
exactly whatever number type the scoring uses. The summary's "who moved" compares the published and the
new tables the same way (numbers compared as decimals read from the text).
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from evalbook.committee import trends
from evalbook.inputs.intake import EVERY, Intake, concerned_code
from evalbook.output.tables import FORMULA_START
from evalbook.run.reuse import report_sources

FACTS_KEY = "report_facts"  # in each report's manifest.json


@dataclass(frozen=True)
class Move:
    """One published value that changed: e.g. D2's 单位奖 二等奖 → 一等奖."""

    unit: str  # "D2", or "D2 项目C", or "NMRM 心内科"
    label_zh: str
    label_en: str
    before: str
    after: str

    def render(self) -> str:
        return f"{self.label_zh} {self.label_en} {self.before or '—'} → {self.after or '—'}"


def read_table(path: Path) -> list[dict[str, str]] | None:
    """A published CSV as text rows (the neutralising apostrophe removed); None when there is none."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        return None
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


def _plain(cell: str | None) -> str:
    cell = cell or ""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def facts_digests(scheme, intake: Intake, tables_dir: Path, units: list[tuple[str, str, dict]]) -> dict[str, str | None]:
    """Per report folder, the sha256 of what its report shows of the year (see the module doc); None when the
    scheme's tables do not name the folder (then nothing proves a kept copy current)."""
    tables = {name: read_table(Path(tables_dir) / name) or [] for name in scheme.REPORT_TABLES}
    cohort = scheme.report_facts(tables)
    shared = {"rubric": intake.rubric.sha256, "sources": report_sources(scheme.NAME, intake.data_dir),
              "suites": [(r.get("file"), r.get("expectation"), bool(r.get("success")))
                         for r in intake.outcome.summary]}
    rows = _rows_by_code(intake)
    warnings, everyone, by_code = _warnings_by_code(intake)
    trend_found, trend_rows = trends.report_facts(intake, tables_dir)  # the trend section (against last year)
    shared_text = {key: _json(value) for key, value in shared.items()}  # the same for every report: encoded once
    known: dict[int, str] = {}  # a value several reports show (wendeng: the group's rows), by identity: encoded once
    out: dict[str, str | None] = {}
    for folder, code, params in units:
        if folder not in cohort:
            out[folder] = None
            continue
        finer = [(column, params[parameter]) for column, parameter in scheme.REPORT_KEY[1:]]  # e.g. the specialty
        own = {file: [r for r in by_code_rows.get(code, []) if all(r.get(column, value) == value for column, value in finer)]
               for file, by_code_rows in rows.items()}
        mine = [warnings[i] for i in sorted(everyone + by_code.get(code, []))]  # in the warnings' order
        record = {"cohort": _json_dict(cohort[folder], known), "own": _json(own), "warnings": _json(mine), **shared_text}
        if trend_found:
            record["trend"] = _json({"found": trend_found, **trend_rows.get(folder, {})})
        # the text json.dumps(..., sort_keys=True) gives the whole record, each part encoded on its own
        text = "{" + ", ".join(f"{json.dumps(key)}: {record[key]}" for key in sorted(record)) + "}"
        out[folder] = hashlib.sha256(text.encode()).hexdigest()
    return out


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _json_dict(value, known: dict[int, str]) -> str:
    """``_json(value)`` of a dict whose list and dict values may be the same objects for many reports (alive for the
    whole loop, so their ids are theirs): each of those encoded once (a province's group has thousands of rows)."""
    if not isinstance(value, dict):
        return _json(value)
    parts = []
    for key in sorted(value):
        item = value[key]
        if isinstance(item, (list, dict)):
            if id(item) not in known:
                known[id(item)] = _json(item)
            text = known[id(item)]
        else:
            text = _json(item)
        parts.append(f"{_json(key)}: {text}")
    return "{" + ", ".join(parts) + "}"


def _warnings_by_code(intake: Intake) -> tuple[list[dict], list[int], dict[str, list[int]]]:
    """The year's warnings (as dicts), the positions of those every report shows, and of those each code's shows:
    one pass over the warnings (the report's own rule: ``notebook.sections.concerned_code``)."""
    warnings = intake.warnings
    everyone, by_code = [], {}
    for i, problem in enumerate(warnings):
        code = concerned_code(intake, problem.file, problem.row, problem.value)
        if code is EVERY:
            everyone.append(i)
        elif code is not None:
            by_code.setdefault(code, []).append(i)
    return [p.as_dict() for p in warnings], everyone, by_code


def _rows_by_code(intake: Intake) -> dict[str, dict[str, list[dict]]]:
    """Each input file's rows (as read, text) grouped by their ``code``, each with its line number."""
    out: dict[str, dict[str, list[dict]]] = {}
    for file, table in intake.tables.items():
        frame = table.frame
        if "code" not in frame.columns:
            continue
        grouped: dict[str, list[dict]] = {}
        for line, row in zip(frame.index.tolist(), frame.to_dict("records"), strict=True):
            grouped.setdefault(str(row["code"]), []).append({**row, "_row": line})
        out[intake.labels[file]] = grouped
    return out


def stale_reports(published: Path, digests: dict[str, str | None], names: list[str]) -> list[str]:
    """Of the published report folders ``names`` (to be kept), those whose recorded facts differ from ``digests``.

    A folder that holds a failure page (``failed.json``) shows none of the year's numbers and stays as it is.
    """
    stale = []
    for name in names:
        folder = Path(published) / name
        if not folder.is_dir() or (folder / "failed.json").exists():
            continue
        try:
            recorded = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get(FACTS_KEY)
        except (OSError, ValueError):
            recorded = None
        if recorded is None or recorded != digests.get(name):
            stale.append(name)
    return stale


def moves(scheme, published: Path, staged: Path) -> list[tuple[str, list[Move]]]:
    """Who moved between the published year and the new tables: (unit, [changes]) in the new tables' order."""
    found: dict[str, list[Move]] = {}
    for table, key, columns in scheme.MOVES:
        before, after = read_table(Path(published) / table), read_table(Path(staged) / table)
        if before is None or after is None:
            continue
        old = {tuple(r[k] for k in key): r for r in before}
        new = {tuple(r[k] for k in key): r for r in after}
        for unit in [*new, *(k for k in old if k not in new)]:
            a, b = old.get(unit, {}), new.get(unit, {})
            for column, (zh, en) in columns.items():
                if not _same(a.get(column, ""), b.get(column, "")):
                    found.setdefault(" ".join(unit), []).append(Move(" ".join(unit), zh, en, a.get(column, ""),
                                                                     b.get(column, "")))
    return list(found.items())


def _same(a: str, b: str) -> bool:
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return a == b
