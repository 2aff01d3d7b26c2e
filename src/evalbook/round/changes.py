"""What changed between two publications of a year: ``changes.csv`` and ``changes.html`` (更正说明).

``changes.csv`` has the columns ``code,name,field,before,after``: one row per published value that differs,
for every table and column the scheme declares (``Scheme.change_fields``: totals, items, expert scores, ranks,
awards, prizes, pass, recommendation). ``field`` is the table's column, followed by the rest of the row's key in
brackets when the table has more than the code in its key (``award[中医正骨手法复位]``, ``total[神经内科]``). A
unit only in one publication has an empty ``before`` or ``after``. Values are compared as the published text
(numbers as decimals read from it: ``70.0`` equals ``70``), never through floats, and written as published.

``changes.html`` says the same for people: who moved, which ranks, awards and prizes changed (the scheme's
``MOVES`` labels), every changed value, and the input rows that caused it, found by comparing the archived
inputs (``inputs/<sha256>``) of the two publications row by row. Everything from the data is escaped.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from evalbook.output.html import esc
from evalbook.output.pages import page
from evalbook.output.tables import neutralise
from evalbook.run.archive import archive_name
from evalbook.run.listing import MANIFEST
from evalbook.run.stale import read_table

CHANGES_CSV, CHANGES_HTML = "changes.csv", "changes.html"
COLUMNS = ("code", "name", "field", "before", "after")


@dataclass(frozen=True)
class Change:
    """One published value that differs between two publications."""

    code: str
    name: str
    field: str
    before: str
    after: str
    column: str  # the table's column (``field`` without the bracketed key)


@dataclass(frozen=True)
class RowChange:
    """An input row present in one publication's inputs only: ``removed`` (before) or added (after)."""

    file: str
    line: int
    removed: bool
    cells: tuple[tuple[str, str], ...]  # (column, text)


def table_changes(scheme, old_dir: Path, new_dir: Path) -> list[Change]:
    """Every declared value that differs between the tables of ``old_dir`` and ``new_dir``, in table order,
    then unit order (the new table's, then units it no longer has), then column order."""
    found: list[Change] = []
    tables = {table: (read_table(Path(old_dir) / table) or [], read_table(Path(new_dir) / table) or [])
              for table, _, _ in scheme.change_fields()}
    names = {r.get(key[0], ""): r["name"] for table, key, _ in scheme.change_fields()
             for r in [*tables[table][0], *tables[table][1]] if r.get("name")}  # a table without names: the code's
    for table, key, columns in scheme.change_fields():
        before, after = tables[table]
        old = {tuple(r.get(k, "") for k in key): r for r in before}
        new = {tuple(r.get(k, "") for k in key): r for r in after}
        for unit in [*new, *(k for k in old if k not in new)]:
            a, b = old.get(unit), new.get(unit)
            row = b if b is not None else a
            suffix = f"[{' '.join(unit[1:])}]" if len(unit) > 1 else ""
            for column in columns:
                was = "" if a is None else a.get(column, "") or ""
                now = "" if b is None else b.get(column, "") or ""
                if a is not None and b is not None and same(was, now):
                    continue
                if a is None and b is None:
                    continue
                found.append(Change(unit[0], row.get("name") or names.get(unit[0], ""), f"{column}{suffix}", was, now,
                                    column))
    return found


def same(a: str, b: str) -> bool:
    """Equal as published: numbers as exact decimals from their text, anything else as text."""
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return a == b


def changes_csv(changes: list[Change]) -> str:
    """``changes.csv``: UTF-8, '\\n' line ends, text that a spreadsheet would read as a formula neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for c in changes:
        writer.writerow([neutralise(v) for v in (c.code, c.name, c.field, c.before, c.after)])
    return out.getvalue()


def recorded_inputs(record: dict) -> dict[str, str]:
    """A manifest's inputs: label → sha256."""
    return {e["file"]: e["sha256"] for e in record.get("inputs") or [] if isinstance(e, dict)}


def row_changes(old_dir: Path, old_inputs: dict[str, str], new_dir: Path, new_inputs: dict[str, str]) -> list[RowChange]:
    """The input rows one publication has and the other has not, from each one's archive (``inputs/<sha256>``):
    per file (by its name in the data folder), rows removed then rows added, with their line numbers."""
    out: list[RowChange] = []
    for label in sorted(set(old_inputs) | set(new_inputs)):
        if old_inputs.get(label) == new_inputs.get(label):
            continue
        old = _rows(Path(old_dir), label, old_inputs.get(label))
        new = _rows(Path(new_dir), label, new_inputs.get(label))
        left = Counter(cells for _, cells in old)
        left.subtract(Counter(cells for _, cells in new))
        right = Counter(cells for _, cells in new)
        right.subtract(Counter(cells for _, cells in old))
        for rows, surplus, removed in ((old, left, True), (new, right, False)):
            for line, cells in rows:
                if surplus[cells] > 0:
                    surplus[cells] -= 1
                    out.append(RowChange(label, line, removed, cells))
    return out


def _rows(year_dir: Path, label: str, sha: str | None) -> list[tuple[int, tuple[tuple[str, str], ...]]]:
    """An archived input's rows as (line, ((column, text), …)); none when absent or unreadable."""
    if sha is None:
        return []
    path = year_dir / archive_name(label, sha)
    try:
        raw = path.read_bytes()
    except OSError:
        return []
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        rows.append((reader.line_num, tuple(zip(header, cells, strict=False))))
    return rows


def changes_page(scheme, year, title: str, changes: list[Change] | None, rows: list[RowChange], footer: str = "") -> str:
    """``changes.html``, the 更正说明 of a publication against an earlier one (``changes`` None: a first
    publication, nothing to compare with)."""
    if changes is None:
        body = ("<p class=\"ok\">首次发布，尚无更正。This is the first publication of the year: nothing has been "
                "corrected.</p>")
        return page(title, body, footer)
    labels = {column: spec for _, _, columns in scheme.MOVES for column, spec in columns.items()}
    moved = [c for c in changes if c.column in labels]
    parts = []
    if not changes and not rows:
        parts.append("<p class=\"ok\">两次发布的结果与输入完全相同。Nothing changed between the two publications.</p>")
    parts.append("<h2>名次、奖项与奖金的变动 Who moved: ranks, awards, prizes</h2>")
    if moved:
        parts.append(_table(("机构 code", "名称 name", "项目 what", "原 before", "现 after"),
                            [(c.code, c.name, f"{labels[c.column][0]} {labels[c.column][1]}{c.field[len(c.column):]}",
                              c.before or "—", c.after or "—") for c in moved]))
    else:
        parts.append("<p>没有名次、奖项或奖金变动。No rank, award or prize changed.</p>")
    parts.append(f"<h2>全部变动的数值 Every changed value（{len(changes)}，同 {CHANGES_CSV}）</h2>")
    if changes:
        parts.append(_table(COLUMNS, [(c.code, c.name, c.field, c.before or "—", c.after or "—") for c in changes]))
    else:
        parts.append("<p>没有数值变动。No published value changed.</p>")
    parts.append("<h2>引起变动的输入行 The input rows that caused it</h2>")
    if rows:
        parts.append(_table(("文件 file", "行 row", "变化 change", "内容 cells"),
                            [(r.file, r.line, "删除 removed" if r.removed else "新增 added",
                              "; ".join(f"{k}={v}" for k, v in r.cells)) for r in rows]))
        parts.append("<p class=\"note\">修改的一行显示为删除旧行、新增新行；行号为各自文件中的行号。A changed row shows as "
                     "its old line removed and its new line added, each with its line number in its own file.</p>")
    else:
        parts.append("<p>输入文件的行没有变化（变动来自评分规则、代码或未列出的文件）。No input row changed.</p>")
    return page(title, "\n".join(parts), footer)


def _table(headers, rows) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table class=\"eb\"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def read_record(year_dir: Path) -> dict:
    """A publication's ``manifest.json`` ({} when it cannot be read)."""
    try:
        record = json.loads((Path(year_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def title_of(scheme, year, number: int | None, against: int | str | None) -> str:
    what = f"第 {number} 版 revision {number}" if number else ""
    than = f"（对比 against {against}）" if against else ""
    return f"{year} {scheme.TITLE} 更正说明 corrections {what}{than}".strip()


def make(scheme, year, old_dir: Path | None, new_dir: Path, new_inputs: dict[str, str], number: int | None,
         against: int | str | None) -> dict[str, str]:
    """The texts of ``changes.csv`` and ``changes.html`` of ``new_dir`` against ``old_dir`` (None: a first
    publication: only the page, saying so). ``new_inputs``: label → sha256 of the new publication's inputs;
    ``number``/``against``: what the title calls the two publications."""
    title = title_of(scheme, year, number, against)
    if old_dir is None:
        return {CHANGES_HTML: changes_page(scheme, year, title, None, [])}
    changes = table_changes(scheme, old_dir, new_dir)
    rows = row_changes(old_dir, recorded_inputs(read_record(old_dir)), new_dir, new_inputs)
    return {CHANGES_CSV: changes_csv(changes), CHANGES_HTML: changes_page(scheme, year, title, changes, rows)}
