"""What a CSV's bytes must be before its cells are believed: one encoding, balanced quotes, visible text.

Each failure here used to pass silently: one GBK-encoded name in a UTF-8 file made the whole file
decode as GB18030 and garbled every other name; a stray ``"`` opening a cell swallowed the rows
after it (60 ledger rows read as 55). So a file is decoded as one encoding or refused, naming the
lines of each kind; a quote that opens a cell and closes only on a later line is accepted only as the
multi-line cell Excel writes (Alt+Enter), never when it swallows what looks like rows; and
characters that make a name read differently from what it is (right-to-left overrides, zero-width
characters) are pointed out.
"""

from __future__ import annotations

import csv
import io
import re

from evalbook.core.cell_text import INVISIBLE
from evalbook.core.errors import Problem

SHOWN_LINES = 5  # lines named per kind in a message; the first few are enough to find the rest


def decode(raw: bytes, label: str) -> tuple[str | None, str, list[Problem]]:
    """The text of ``raw`` decoded as ONE encoding: UTF-8 (a BOM allowed) or else GB18030 (GBK).

    A file that is neither, or whose lines mix them (some lines UTF-8 with Chinese, others not UTF-8:
    a name pasted from another program), is refused: GB18030 decodes nearly any bytes, so decoding
    the mix would silently garble every UTF-8 line. Returns (text, encoding, problems).
    """
    try:
        return raw.decode("utf-8-sig"), "utf-8-sig", []
    except UnicodeDecodeError:
        pass
    utf8, other = _lines_by_encoding(raw)
    if utf8 and other:
        return None, "", [Problem(
            label,
            f"文件混用了两种编码：{_lines_zh(utf8)}是 UTF-8，{_lines_zh(other)}不是 UTF-8（可能是 GBK）；"
            "请统一另存为 UTF-8 或 GB18030（GBK）CSV",
            f"the file mixes encodings: {_lines_en(utf8)} are UTF-8, {_lines_en(other)} are not "
            "(GBK?); save the whole file as UTF-8 or as GB18030 (GBK) CSV")]
    try:
        return raw.decode("gb18030"), "gb18030", []
    except UnicodeDecodeError:
        return None, "", [Problem(label, "文件编码无法识别：请另存为 UTF-8 或 GB18030（GBK）CSV",
                                  "cannot decode the file: save it as UTF-8 or GB18030 (GBK) CSV")]


def _lines_by_encoding(raw: bytes) -> tuple[list[int], list[int]]:
    """Line numbers (1-based) of the lines that are UTF-8 with non-ASCII text, and of those not UTF-8.

    Lines end as the csv module ends them (``\\r\\n``, ``\\r`` or ``\\n``; GB18030 never uses those
    bytes inside a character). ASCII-only lines are both and count as neither. (A line of GBK Chinese
    that happens to be valid UTF-8 is possible only for a very short line; such a file is refused,
    never garbled. Measured: none of the 2,514 non-ASCII lines of the demo data saved as GBK is.)
    """
    utf8, other = [], []
    for number, line in enumerate(re.split(rb"\r\n|\r|\n", raw.removeprefix(b"\xef\xbb\xbf")), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(number)
        else:
            utf8.append(number)
    return utf8, other


def _lines_zh(numbers: list[int]) -> str:
    """第2、4行, or the first few and how many in all: 第2、3、4、5、6…行（共7行）."""
    shown = "、".join(str(n) for n in numbers[:SHOWN_LINES])
    return f"第{shown}行" if len(numbers) <= SHOWN_LINES else f"第{shown}…行（共{len(numbers)}行）"


def _lines_en(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:SHOWN_LINES])
    return f"line(s) {shown}" if len(numbers) <= SHOWN_LINES else f"line(s) {shown}… ({len(numbers)} lines)"


def records(text: str, label: str, width: int | None = None) -> tuple[list[list[str]] | None, list[Problem]]:
    """The records of ``text`` (a CSV), or None and the problem when quoting makes them untrustworthy.

    Quotes are read strictly (a quoted cell must be followed by ``,`` or the line's end). A record that
    runs over several physical lines (a quoted cell with line breaks) is kept when it has the header's
    width and none of the lines it took in looks like a row of its own (as many commas as a row has);
    otherwise the quote opened on its first line and never closed there: refused, naming that line.
    ``width`` is the header's (the first record's when None).
    """
    if '"' not in text:  # no quote, no quoting: each physical line is a record, its cells split at the commas
        return _unquoted(text), []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out: list[list[str]] = []
    start = 1  # the physical line the current record starts on
    lines = re.split(r"\r\n|\r|\n", text)  # physical lines as the csv module counts them
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return out, []
        except csv.Error as exc:
            return None, [_quote_problem(label, start, reader.line_num, str(exc))]
        end = reader.line_num
        width = width if width is not None else len(row)
        if end > start and _swallowed(lines[start - 1:end], row, width):
            return None, [_quote_problem(label, start, end, "a quoted cell spans lines that look like rows")]
        out.append(row)
        start = end + 1


def _unquoted(text: str) -> list[list[str]]:
    """What ``csv.reader`` gives for a text without a quote, at C speed (a province's file has 1.4 million lines):
    the physical lines split at commas, an empty line an empty record, nothing after the last line end."""
    return [line.split(",") if line else [] for line in physical_lines(text)]


def physical_lines(text: str) -> list[str]:
    """The lines of ``text`` as the csv module ends them (``\\r\\n``, ``\\r`` or ``\\n``), nothing after the last line
    end: for a text without a quote, each is one record (its cells: the line split at commas; an empty line: none)."""
    lines = re.split(r"\r\n|\r|\n", text)
    if lines[-1] == "":
        lines.pop()
    return lines


def _swallowed(physical: list[str], row: list[str], width: int) -> bool:
    """Did a quote opened on the first of ``physical`` lines take in rows? (``row``: what was read)"""
    if len(row) != width:
        return True
    taken = [*physical[1:-1], physical[-1].split('"', 1)[0]]  # the last line only up to its closing quote
    return width > 1 and any(line.count(",") >= width - 1 for line in taken)


def _quote_problem(label: str, start: int, end: int, detail: str) -> Problem:
    span = f"第{start}行" if end <= start else f"第{start}至{end}行"
    lines = f"line {start}" if end <= start else f"lines {start}–{end}"
    return Problem(
        label,
        f"第{start}行有一个引号（\"）开始的单元格在本行没有正确结束，{span}被读成了一行（会吞掉后面的行）："
        "请删除多余的引号，或把整个单元格用一对引号括起来（单元格内的引号写成两个 \"\"）",
        f"a quote (\") opens a cell on line {start} and does not close properly ({detail}); {lines} would be read as "
        "one row, swallowing rows: remove the stray quote or quote the whole cell (a quote inside it written as \"\")",
        row=start)


def invisible(frame, label: str) -> list[Problem]:
    """A warning for every cell holding a direction override or a zero-width character, naming it."""
    problems = []
    for column in frame.columns:
        values = frame[column]
        hits = values[values.map(lambda v: isinstance(v, str) and INVISIBLE.search(v) is not None)]
        for line, value in hits.items():
            found = sorted({f"U+{ord(c):04X}" for c in INVISIBLE.findall(value)})
            problems.append(Problem(
                label, f"含有不可见的方向控制字符或零宽字符（{'、'.join(found)}），显示的文字与实际内容不同：请删除",
                f"contains invisible direction-override or zero-width characters ({', '.join(found)}): what is shown "
                "differs from what is stored; remove them", row=int(line), column=column, value=value, severity="warning"))
    return problems
