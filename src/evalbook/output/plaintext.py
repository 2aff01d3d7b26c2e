"""The text form of a report section: what a notebook's ``text/plain`` shows.

An executed notebook is read in JupyterLab, in stock nbconvert, in a terminal and in a diff; the
text form is the same section as plain text: headings as lines, tables as aligned columns (a CJK
character counts two columns), lists as ``- item``, a chart as its title. Derived from the HTML we
built (``html.Html``), deterministically, so it can always be recomputed from the HTML.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "section", "figure", "caption", "ul", "ol", "table", "h1", "h2", "h3", "h4", "br"}
_HEADING = {"h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### "}


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, size: int, right: bool) -> str:
    gap = " " * (size - width(text))
    return gap + text if right else text + gap


def grid(rows: list[list[tuple[str, bool]]]) -> str:
    """Rows of (text, right-aligned) cells as aligned columns, a rule under a header row."""
    if not rows:
        return ""
    columns = max(len(r) for r in rows)
    rows = [r + [("", False)] * (columns - len(r)) for r in rows]
    sizes = [max(width(r[i][0]) for r in rows) for i in range(columns)]
    lines = ["  ".join(_pad(t, sizes[i], right) for i, (t, right) in enumerate(r)).rstrip() for r in rows]
    return "\n".join(lines)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []  # finished blocks
        self.line: list[str] = []  # the current block's text
        self.tables: list[dict] = []  # open tables (a table in a cell is flattened into the cell)
        self.skip = 0  # inside <style>/<script>
        self.svg = 0
        self.svg_title: list[str] | None = None
        self.svg_title_open = False
        self.svg_texts: list[tuple[str, list[str], list[str]]] = []  # a chart's <text>s: (y, text, its <title>)
        self.svg_in: str | None = None  # "text" or "label" (a cut label's full text, its <title>)
        self.spans: list[bool] = []  # open <span>s: is each a badge?

    # --- text
    def _put(self, text: str) -> None:
        if self.tables and self.tables[-1]["cell"] is not None:
            self.tables[-1]["cell"].append(text)
        else:
            self.line.append(text)

    def _flush(self) -> None:
        text = re.sub(r"[ \t\r\f\v]+", " ", "".join(self.line)).strip()
        text = "\n".join(part.strip() for part in text.split("\n")).strip()
        if text:
            self.out.append(text)
        self.line = []

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.svg:
            if self.svg_title_open:
                self.svg_title.append(data)
            elif self.svg_in:
                self.svg_texts[-1][1 if self.svg_in == "text" else 2].append(data)
            return
        self._put(data)

    # --- structure
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag in ("style", "script"):
            self.skip += 1
        elif tag == "svg":
            self.svg += 1
            self.svg_texts = [] if self.svg == 1 else self.svg_texts
        elif self.svg:
            if tag == "title" and self.svg_in == "text":
                self.svg_in = "label"
            elif tag == "title" and self.svg == 1 and self.svg_title is None:
                self.svg_title, self.svg_title_open = [], True
            elif tag == "text":
                self.svg_texts.append((attrs.get("y") or "", [], []))
                self.svg_in = "text"
        elif self.tables and tag in ("tr", "td", "th"):
            table = self.tables[-1]
            if tag == "tr":
                table["rows"].append([])
            else:
                table["cell"] = []
                table["right"] = "num" in classes
                if not table["rows"]:
                    table["rows"].append([])
        elif tag == "table":
            if self.tables and self.tables[-1]["cell"] is not None:  # nested: its text goes into the cell
                self.tables.append({"rows": [], "cell": None, "right": False, "nested": True})
            else:
                self._flush()
                self.tables.append({"rows": [], "cell": None, "right": False, "nested": False})
        elif tag == "li":
            self._put("\n- " if not (self.tables and self.tables[-1]["cell"] is not None) else "\x00")  # NUL: never in text
        elif tag == "br":
            self._put("\n" if not (self.tables and self.tables[-1]["cell"] is not None) else " ")
        elif tag == "span":
            self.spans.append("badge" in classes)
            if self.spans[-1]:
                self._put(" [")
        elif tag in _HEADING:
            self._flush()
            self._put(_HEADING[tag])
        elif tag in _BLOCKS:
            self._flush()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br",):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip = max(0, self.skip - 1)
        elif tag == "svg":
            self.svg -= 1
            if not self.svg:
                title = re.sub(r"\s+", " ", "".join(self.svg_title or [])).strip()
                self._put(f"[图 chart: {title}]" if title else "[图 chart]")
                if not self.tables:  # its rows as aligned text, a block of their own
                    self._flush()
                    self.out.extend([rows] if (rows := _chart_rows(self.svg_texts, title)) else [])
                self.svg_title = None
        elif self.svg:
            self.svg_title_open = self.svg_title_open and tag != "title"
            if tag == "title" and self.svg_in == "label":
                self.svg_in = "text"
            elif tag == "text":
                self.svg_in = None
        elif tag in ("td", "th") and self.tables and self.tables[-1]["cell"] is not None:
            table = self.tables[-1]
            items = (re.sub(r"\s+", " ", part).strip() for part in "".join(table["cell"]).split("\x00"))
            text = " · ".join(item for item in items if item)  # a list in a cell: its items on one line
            table["rows"][-1].append((text, table["right"]))
            table["cell"] = None
        elif tag == "table" and self.tables:
            table = self.tables.pop()
            text = grid([r for r in table["rows"] if r])
            if table["nested"]:
                self._put(" " + " / ".join(" ".join(t for t, _ in r) for r in table["rows"] if r) + " ")
            else:
                self.out.extend([text] if text else [])
        elif tag == "span" and self.spans:
            if self.spans.pop():
                self._put("]")
        elif tag in _BLOCKS:
            if not (self.tables and self.tables[-1]["cell"] is not None):
                self._flush()


def _chart_rows(texts: list[tuple[str, list[str], list[str]]], title: str) -> str:
    """A chart's labels and values as lines: the texts drawn on one baseline (same ``y``) make a row, in
    drawing order (within 3 px); a label cut to fit gives its full text (its tooltip); the title and the axis are left out."""
    rows: list[tuple[float, list[str]]] = []
    for y, text, full in texts:
        words = re.sub(r"\s+", " ", "".join(full) or "".join(text)).strip()
        if not words or words == title:
            continue
        at = float(y) if re.fullmatch(r"-?[0-9.]+", y) else 0.0
        if rows and abs(at - rows[-1][0]) <= 3:  # a label and its value sit on (nearly) one baseline
            rows[-1][1].append(words)
        else:
            rows.append((at, [words]))
    lines = [r for _, r in rows if not all(re.fullmatch(r"[0-9.]+", w) for w in r)]  # the axis' ticks
    return grid([[(w, False) for w in r] for r in lines])


def text_of(markup: str) -> str:
    """The plain-text form of our HTML (see the module's doc)."""
    parser = _Text()
    parser.feed(str(markup))
    parser.close()
    parser._flush()
    return "\n\n".join(parser.out)
