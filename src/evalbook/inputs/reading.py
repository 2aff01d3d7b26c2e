"""Reading the evaluators' CSV files as text, exactly as typed.

Files come from Excel on Chinese Windows as often as from scripts: UTF-8 with or without a
BOM, or GB18030/GBK, one encoding per file; quotes must balance (``integrity``). Every cell is
kept as the string the evaluator typed (stripped), indexed by its line number in the file
(header = line 1), so a problem can name the row a spreadsheet shows. Nothing here judges the values: that is the suites' job.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evalbook.core.cell_text import FORMULA_START
from evalbook.core.errors import InputError, Problem
from evalbook.inputs import integrity

# The largest input file read: a county's yearly submission is kilobytes, a province's 10,000 specialties' indicators.csv
# about 52 MB; refuse the absurd. The setting EVALBOOK_MAX_FILE_MB (whole megabytes) replaces the default.
MAX_FILE_SETTING = "EVALBOOK_MAX_FILE_MB"
DEFAULT_MAX_FILE_MB = 512
MAX_FILE_BYTES = DEFAULT_MAX_FILE_MB * 1024 * 1024
MAX_FILE_MB_CEILING = 1024 * 1024  # a setting above a terabyte is a typo


def max_file_bytes() -> int:
    """The file size limit in bytes: ``EVALBOOK_MAX_FILE_MB`` megabytes when set, else ``MAX_FILE_BYTES``.

    A value that is not a whole number of megabytes from 1 to 1,048,576 is an ``InputError`` (exit 1), never ignored.
    """
    raw = os.environ.get(MAX_FILE_SETTING)
    if raw is None or raw.strip() == "":
        return MAX_FILE_BYTES
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_FILE_MB_CEILING:
        raise InputError(Problem(f"环境变量 environment variable {MAX_FILE_SETTING}",
                                 f"应为1到{MAX_FILE_MB_CEILING}之间的整数（单位 MB，输入文件大小上限；不设则为"
                                 f"{DEFAULT_MAX_FILE_MB}）",
                                 f"must be a whole number of megabytes from 1 to {MAX_FILE_MB_CEILING} (the input file "
                                 f"size limit; {DEFAULT_MAX_FILE_MB} when not set)",
                                 column=MAX_FILE_SETTING, value=raw))
    return int(text) * 1024 * 1024


@dataclass
class TextTable:
    """One input file read as text: the cells, its encoding and its hash."""

    path: Path
    frame: pd.DataFrame  # str cells, None for empty; index = line number in the file
    encoding: str
    sha256: str


def read_text_table(path: Path, columns: list[str], optional: tuple[str, ...] = (),
                    label: str | None = None) -> tuple[TextTable | None, list[Problem]]:
    """Read ``path`` as a table of text with the ``columns`` required (``optional`` may be absent).

    Returns the table (None when it cannot be read at all) and the problems found: unreadable
    or undecodable file, missing or duplicate columns, rows with too many or too few cells.
    Unknown extra columns are a warning and are ignored.
    """
    label = label or path.name
    problems: list[Problem] = []
    limit = max_file_bytes()
    try:
        size = path.stat().st_size
        if size > limit:
            return None, [Problem(label, f"文件过大（{size} 字节，上限 {limit} 字节；上限由环境变量 {MAX_FILE_SETTING} 设定，"
                                         f"单位 MB，默认 {DEFAULT_MAX_FILE_MB}）",
                                  f"file too large ({size} bytes, limit {limit}; the limit is the setting "
                                  f"{MAX_FILE_SETTING}, in MB, default {DEFAULT_MAX_FILE_MB})")]
        raw = path.read_bytes()
    except FileNotFoundError:
        where = path.absolute()
        return None, [Problem(label, f"缺少必需的文件（查找位置：{where}）", f"required file is missing (looked for {where})")]
    except OSError as exc:
        return None, [Problem(label, "无法读取文件", f"cannot read the file ({exc.strerror})")]
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # .xlsx (a zip) or .xls: a workbook named .csv
        return None, [Problem(label, "这是 Excel 工作簿，不是 CSV 文件：请在 Excel 中“另存为”CSV（逗号分隔）",
                              "this is an Excel workbook, not a CSV file: use Excel's 'Save As' CSV (comma delimited)")]
    text, encoding, problems = integrity.decode(raw, label)
    if text is None:
        return None, problems
    if "\x00" in text:
        return None, [Problem(label, "文件含有空字符，不是文本 CSV（是否为 Excel 工作簿？）",
                              "the file contains NUL bytes: not a text CSV (an Excel workbook?)")]
    if csv.field_size_limit() < limit:  # the default (128 KiB) refused a long text cell with a traceback
        csv.field_size_limit(limit)
    quoted = '"' in text
    physical = _first_line(text) if not quoted else None  # no quote: each line a record (the header's, for now)
    if physical is not None:
        rows = [physical[0].split(",") if physical[0] else []] if physical else []
    else:
        rows, problems = integrity.records(text, label)
        if rows is None:
            return None, problems
    if not rows or not any(cell.strip() for cell in rows[0]):
        return None, [Problem(label, "文件为空，缺少表头行", "the file is empty: no header row", row=1)]
    header = [cell.strip() for cell in rows[0]]
    seen = set()
    for name in header:
        if name in seen and name:
            problems.append(Problem(label, "表头中列名重复", "duplicate column in the header", row=1, column=name))
        seen.add(name)
    missing = [c for c in columns if c not in header and c not in optional]
    for name in missing:
        problems.append(Problem(label, "缺少必需的列", "required column is missing", row=1, column=name))
    for name in header:
        if name and name not in columns:
            problems.append(Problem(label, "未知的列，已忽略", "unknown column, ignored", row=1, column=name,
                                    severity="warning"))
    if missing or any(p.is_error for p in problems):
        return None, problems
    columnar = _columns_at_once(raw, encoding, text, header) if physical is not None else None
    if columnar is not None:
        frame = _columnar_frame(columnar, header, unescape="'" in text)
    elif physical is not None:
        lines, cells, joined = _split_lines(integrity.physical_lines(text)[1:], len(header), label, problems)
    else:
        lines, cells, joined = [], [], None  # the rows as wide as the header, by line number
        for line, row in enumerate(rows[1:], start=2):
            if len(row) == len(header):
                lines.append(line)
                cells.append(row)
            elif any(cell.strip() for cell in row):
                problems.append(_width_problem(label, line, len(row), len(header)))
    if columnar is None:
        grid, filled = _stripped(cells, len(header), unescape="'" in text, joined=joined)
        frame = pd.DataFrame(grid[filled], columns=header, dtype=object,
                             index=pd.Index([line for line, keep in zip(lines, filled, strict=True) if keep], name="line"))
    wanted = [c for c in columns if c in header]
    if wanted != list(frame.columns):  # (the file's columns as the contract lists them: the frame as it is)
        frame = frame[wanted]
    for name in optional:
        if name not in frame:
            frame[name] = None
    if (_any_invisible(columnar, header, frame.columns) if columnar is not None else integrity.INVISIBLE.search(text)):
        problems += integrity.invisible(frame, label)
    return TextTable(path, frame, encoding, hashlib.sha256(raw).hexdigest()), problems


_STRIP = np.frompyfunc(str.strip, 1, 1)


def _first_line(text: str) -> list[str]:
    """The first of ``integrity.physical_lines(text)`` (none for an empty text), without splitting the rest."""
    ends = [at for at in (text.find("\r"), text.find("\n")) if at >= 0]
    if not ends:
        return [text] if text else []
    return [text[:min(ends)]]


@dataclass
class _Columns:
    """The cells of a text without quotes, column by column: each column's distinct cells (stripped, empty ones None)
    and each row's number among them; ``lines``: each row's line number."""

    distinct: list[np.ndarray]
    codes: list[np.ndarray]
    lines: np.ndarray


def _columns_at_once(raw: bytes, encoding: str, text: str, header: list[str]) -> _Columns | None:
    """The body of a text without quotes whose every line (after the header) holds as many cells as the ``header``, read column by
    column by Arrow's CSV reader with quoting off (a province's indicators.csv: 1.4 million lines); None when any line
    has another width (or Arrow cannot read it): then ``_split_lines`` reads it and names the lines.

    Arrow ends lines as the csv module does (``\\r\\n``, ``\\r`` or ``\\n``) and reads a blank line as a row of empty
    cells (dropped as a blank row), so row ``i`` of the body is line ``i + 2``. Each column comes back dictionary
    encoded: stripping and emptiness are decided once per distinct cell."""
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    width = len(header)
    if width < 2 or len(set(header)) < width:  # (a header naming a column twice, or two unnamed: the grid's way)
        return None
    body = raw[3:] if encoding == "utf-8-sig" and raw.startswith(b"\xef\xbb\xbf") else raw
    if encoding != "utf-8-sig":
        body = text.encode("utf-8")
    names = [f"c{i}" for i in range(width)]
    try:
        table = arrow_csv.read_csv(
            pa.BufferReader(body),
            read_options=arrow_csv.ReadOptions(column_names=names, skip_rows=1, use_threads=False),
            parse_options=arrow_csv.ParseOptions(quote_char=False, double_quote=False, escape_char=False,
                                                 newlines_in_values=False, ignore_empty_lines=False),
            convert_options=arrow_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowException, ValueError):
        return None
    distinct, codes = [], []
    for name in names:
        encoded = table.column(name).combine_chunks().dictionary_encode()
        values = np.array(encoded.dictionary.to_pylist(), dtype=object)
        distinct.append(values)
        codes.append(encoded.indices.to_numpy(zero_copy_only=False))
    return _Columns(distinct, codes, np.arange(2, table.num_rows + 2, dtype=np.int64))


def _columnar_frame(columns: _Columns, header: list[str], unescape: bool) -> pd.DataFrame:
    """The text table of ``_columns_at_once``'s cells: as ``_stripped`` makes it (cells stripped, empty ones None, a
    ``'``-protected one read back when ``unescape``, blank rows dropped), each distinct cell done once."""
    grid = np.empty((len(header), len(columns.lines)), dtype=object)  # column by column, as the frame keeps them
    empty = np.ones(len(columns.lines), dtype=bool)
    for at, (distinct, codes) in enumerate(zip(columns.distinct, columns.codes, strict=True)):
        values = np.array([cell.strip() for cell in distinct], dtype=object)
        if unescape and len(values):
            values = _UNESCAPE(values)
        blank = values == ""
        values[blank] = None
        np.take(values, codes, out=grid[at])
        empty &= blank[codes] if blank.any() else False
    lines = columns.lines
    if empty.any():
        grid, lines = grid[:, ~empty], lines[~empty]
    index = pd.Index(lines if len(lines) else [], name="line")  # (no row: an empty index, as ``_stripped``'s)
    return pd.DataFrame(grid.T, index=index, columns=header, dtype=object, copy=False)


def _any_invisible(columns: _Columns, header: list[str], kept) -> bool:
    """Does any distinct cell of the columns ``kept`` hold an invisible character (``integrity.INVISIBLE``)?"""
    return any(integrity.INVISIBLE.search(cell) for name, distinct in zip(header, columns.distinct, strict=True)
               if name in kept for cell in distinct)


def unescaped(cell: str) -> str:
    """A cell protected for spreadsheets with a leading ``'`` (as ``evalbook ingest`` writes text
    starting with = + - @) reads as what was typed; any other cell is unchanged."""
    if cell[:1] != "'":
        return cell
    first = cell.lstrip("'")[:1]  # ''=x was typed as '=x (escaped once more, so it reads back exactly)
    return cell[1:] if first and first in FORMULA_START else cell


_UNESCAPE = np.frompyfunc(unescaped, 1, 1)


def _width_problem(label: str, line: int, cells: int, width: int) -> Problem:
    return Problem(label, f"本行有 {cells} 个单元格，表头有 {width} 列",
                   f"row has {cells} cells but the header has {width} columns", row=line)


def _split_lines(body: list[str], width: int, label: str, problems: list[Problem]) -> tuple[list[int], list[str], str]:
    """The records of a text without quotes (``body``: its lines after the header, the first being line 2): the line
    numbers of those as wide as the header, their cells in one flat list (row after row), and those cells joined by
    commas; a line of another width holding anything is a problem (a blank line of another width is none).

    What splitting each line at its commas gives, done as one split of the lines as wide as the header joined by
    commas (a province's indicators.csv: 1.4 million lines): their cells follow each other, ``width`` per line.
    """
    commas = width - 1
    wide = [bool(text) and text.count(",") == commas for text in body]
    if all(wide):
        kept = body
        lines = list(range(2, len(body) + 2))
    else:
        kept, lines = [], []
        for line, (text, fits) in enumerate(zip(body, wide, strict=True), start=2):
            if fits:
                kept.append(text)
                lines.append(line)
                continue
            row = text.split(",") if text else []
            if any(cell.strip() for cell in row):  # a blank line of another width is no problem
                problems.append(_width_problem(label, line, len(row), width))
    joined = ",".join(kept)
    return lines, (joined.split(",") if kept else []), joined


_EDGE_SPACE = re.compile(r",\s|\s,")  # whitespace next to a cell boundary, once the cells are joined by commas


def _stripped(rows: list, width: int, unescape: bool = False, joined: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The cells stripped, empty ones None, and which rows hold anything (blank lines: Excel leaves them).

    ``rows``: lists of cells, or the cells row after row in one flat list. Done on the whole grid at once, not cell by
    cell in Python: a 10,000-institution ledger has a million cells. ``joined`` (the cells joined by commas, a text
    without quotes): when no whitespace touches a comma or its ends, no cell has any to strip, and none is stripped.
    ``unescape`` (the file holds a ``'`` somewhere): undo formula protection.
    """
    count = len(rows) if joined is None else len(rows) // max(width, 1)
    grid = np.array(rows, dtype=object).reshape(count, width)
    spaced = joined is None or bool(joined) and (joined[0].isspace() or joined[-1].isspace()
                                                 or _EDGE_SPACE.search(joined) is not None)
    grid = _STRIP(grid) if grid.size and spaced else grid  # an object array again
    if unescape and grid.size:
        grid = _UNESCAPE(grid)
    empty = grid == ""
    grid[empty] = None
    return grid, ~empty.all(axis=1)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
