"""Small HTML builders for report sections. Every piece of data is escaped here, once.

Text in our inputs is hostile by assumption (a hospital types it): nothing from data reaches
a report except through ``esc``. Reports are static: no script, no external resource.
"""

from __future__ import annotations

import html as _html
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from evalbook.exact import shown, signed_shown

Cell = Any
Format = Callable[[Any], str]


class Html(str):
    """Markup we built ourselves (already escaped); shows as HTML in a notebook."""

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:  # the notebook's text/plain copy: the same section as plain text
        from evalbook.plaintext import text_of

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
    dropped (61.175 → 61.18, 90.50 → 90.5); see ``evalbook.exact.shown``."""
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
