"""Small HTML builders for report sections. Every piece of data is escaped here, once.

Text in our inputs is hostile by assumption (a hospital types it): nothing from data reaches
a report except through ``esc``. Reports are static: no script, no external resource.
"""

from __future__ import annotations

import html as _html
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from evalbook.core.exact import shown, signed_shown

Cell = Any
Format = Callable[[Any], str]


class Html(str):
    """Markup we built ourselves (already escaped); shows as HTML in a notebook."""

    def _repr_html_(self) -> str:  # the notebook's text/html: styled inline, see ``styled``
        return styled(self)

    def __repr__(self) -> str:  # the notebook's text/plain copy: the same section as plain text
        from evalbook.output.plaintext import text_of

        return text_of(self)

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython's text/plain
        printer.text(repr(self))


def esc(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, Html):
        return str(value)
    return _html.escape(str(value), quote=True)


def num(value: Any, digits: int = 2) -> str:
    """A score for display: the exact value rounded half up (四舍五入) only here, trailing zeros
    dropped (61.175 → 61.18, 90.50 → 90.5); see ``evalbook.core.exact.shown``."""
    return shown(value, digits)


def signed(value: Any, digits: int = 2) -> str:
    return signed_shown(value, digits)


def table(rows: Iterable[Sequence[Cell]], headers: Sequence[str], *, classes: str = "",
          numeric: Sequence[int] = (), caption: str = "", row_classes: Sequence[str] | None = None) -> Html:
    """A table; cells are escaped unless they are ``Html``; ``numeric`` columns align right."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{esc(row_classes[i])}"' if row_classes and row_classes[i] else ""
        cells = "".join(f'<td class="num">{esc(c)}</td>' if j in numeric else f"<td>{esc(c)}</td>"
                        for j, c in enumerate(row))
        body.append(f"<tr{cls}>{cells}</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return Html(f'<table class="eb {esc(classes)}">{cap}<thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table>')


def key_values(pairs: Iterable[tuple[str, Any]], classes: str = "kv") -> Html:
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in pairs)
    return Html(f'<table class="eb {esc(classes)}"><tbody>{rows}</tbody></table>')


def bullet_list(items: Iterable[Any], classes: str = "") -> Html:
    inner = "".join(f"<li>{esc(i)}</li>" for i in items)
    return Html(f'<ul class="{esc(classes)}">{inner}</ul>') if inner else Html("")


def section(title: str, *parts: Any, note: str = "") -> Html:
    body = "".join(esc(p) for p in parts)
    extra = f'<p class="note">{esc(note)}</p>' if note else ""
    return Html(f'<section class="eb"><h2>{esc(title)}</h2>{extra}{body}</section>')


def badge(text: str, kind: str = "") -> Html:
    return Html(f'<span class="badge {esc(kind)}">{esc(text)}</span>')


def paragraph(text: str, classes: str = "") -> Html:
    return Html(f'<p class="{esc(classes)}">{esc(text)}</p>')


def join(*parts: Any) -> Html:
    return Html("".join(esc(p) for p in parts))


# The look of report.css as inline styles, so an output renders in JupyterLab (which loads no stylesheet of
# ours and keeps only inline styles of an untrusted notebook) as on our pages. Literal colours (no CSS
# variables); nothing @media print overrides in report.css (white-space of numbers, font sizes of tables).
_LINE, _ACCENT, _MUTED = "#d5dbe1", "#1f4e79", "#5b6874"
_CELL = f"border:1px solid {_LINE};padding:4px 7px;vertical-align:top;text-align:left"
_STYLES = {
    "h1": f"font-size:24px;color:{_ACCENT};margin:8px 0 14px",
    "h2": f"font-size:18px;color:{_ACCENT};border-bottom:2px solid {_ACCENT};padding-bottom:4px;margin:28px 0 10px",
    "h3": "font-size:15px;margin:18px 0 6px",
    "p.note": f"color:{_MUTED};font-size:12.5px;margin:4px 0 10px",
    "p.warn": "color:#a93226", "p.ok": "color:#1e7b45",
    "div.demo": "background-color:#fff4d6;border:1px solid #e0b440;padding:8px 12px;margin:0 0 12px;font-weight:bold",
    "table.eb": "border-collapse:collapse;width:100%;margin:6px 0 12px",
    "table.kv": "border-collapse:collapse;width:auto;min-width:420px;margin:6px 0 12px",
    "th": f"{_CELL};background-color:#eef2f6;white-space:nowrap",
    "td": _CELL, "td.num": f"border:1px solid {_LINE};padding:4px 7px;vertical-align:top;text-align:right",
    "span.badge": "display:inline-block;font-size:11px;padding:0 5px;border-radius:3px;"
                  "background-color:#a93226;color:#fff;margin-left:4px",
    "span.badge.pass": "display:inline-block;font-size:11px;padding:0 5px;border-radius:3px;"
                       "background-color:#1e7b45;color:#fff;margin-left:4px",
}
_ROWS = {"total": "font-weight:bold;background-color:#f6f8fa", "awarded": "background-color:#fdf6e9",
         "late": "background-color:#fdeeee", "depends": "background-color:#fdeeee"}
_TAG = re.compile(r"<(h1|h2|h3|p|div|table|tr|th|td|span|svg|/svg)((?: [a-z-]+=\"[^\"]*\")*)>")


def styled(markup: str) -> str:
    """Our markup with report.css's look as inline ``style`` attributes (tags inside an SVG untouched).

    Every tag this matches is ours: text from the data is escaped, so it holds no ``<``."""
    row, svg = "", 0

    def one(match: re.Match) -> str:
        nonlocal row, svg
        tag, attrs = match.group(1), match.group(2)
        if tag in ("svg", "/svg"):
            svg += 1 if tag == "svg" else -1
            return match.group(0)
        if svg or " style=" in attrs:
            return match.group(0)
        classes = (re.search(r' class="([^"]*)"', attrs) or [None, ""])[1].split()
        if tag == "tr":
            row = next((_ROWS[c] for c in classes if c in _ROWS), "")
            return match.group(0)
        most_specific = ["table.kv"] if tag == "table" and "kv" in classes else [".".join([tag, *classes])]
        style = next((_STYLES[k] for k in [*most_specific, *(f"{tag}.{c}" for c in classes), tag] if k in _STYLES), "")
        if tag in ("td", "th") and row:
            style = f"{style};{row}"
        return f'<{tag}{attrs} style="{style}">' if style else match.group(0)

    return _TAG.sub(one, str(markup))
