"""Charts as inline SVG we draw ourselves: no plotting library, no font files, no network.

The browser draws the text with the reader's own CJK fonts, the SVG prints sharply, and every
label goes through ``esc``. Two shapes cover our reports: horizontal bars (a cohort's totals
with one member highlighted) and paired bars (an institution against its group, item by item).
"""

from __future__ import annotations

from collections.abc import Sequence

from evalbook.output.html import Html, esc, num

PALETTE = {"bar": "#9db4cc", "focus": "#c0392b", "group": "#b8c4ce", "axis": "#555", "grid": "#e3e7eb"}


def bars(rows: Sequence[tuple[str, float, bool]], *, maximum: float, title: str, unit: str = "分") -> Html:
    """Horizontal bars, one per (label, value, highlighted) row, on a 0..maximum scale."""
    label_w, bar_w, row_h = 170, 380, 22
    height = 36 + row_h * len(rows)
    parts = [_frame(label_w + bar_w + 70, height, title)]
    for tick in _ticks(maximum):
        x = label_w + bar_w * tick / maximum
        parts.append(f'<line x1="{x:.1f}" y1="28" x2="{x:.1f}" y2="{height - 4}" stroke="{PALETTE["grid"]}"/>'
                     f'<text x="{x:.1f}" y="24" font-size="10" text-anchor="middle" fill="{PALETTE["axis"]}">{num(tick)}</text>')
    for i, (label, value, focus) in enumerate(rows):
        y = 32 + i * row_h
        w = max(0.0, bar_w * min(float(value), maximum) / maximum) if maximum else 0  # floats for geometry only
        color = PALETTE["focus"] if focus else PALETTE["bar"]
        weight = ' font-weight="bold"' if focus else ""
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" font-size="12" text-anchor="end"{weight}>'
                     f'{_fitted(label, label_w - 10, 12)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 7}" fill="{color}"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" font-size="11"{weight}>{num(value)}{esc(unit)}</text>')
    parts.append("</svg>")
    return Html(f'<figure class="chart">{"".join(parts)}</figure>')


def paired_bars(rows: Sequence[tuple[str, float, float, float]], *, title: str, first: str, second: str) -> Html:
    """Per row (label, value, comparison, maximum): two bars as a share of the row's maximum."""
    label_w, bar_w, row_h = 210, 300, 30
    height = 52 + row_h * len(rows)
    second_x = label_w + 14 + min(_width(first, 11), 180) + 16  # the legend's second key after the first's text
    parts = [_frame(max(label_w + bar_w + 90, second_x + 14 + min(_width(second, 11), 160)), height, title),
             f'<rect x="{label_w}" y="24" width="10" height="10" fill="{PALETTE["focus"]}"/>'
             f'<text x="{label_w + 14}" y="33" font-size="11">{_fitted(first, 180, 11)}</text>'
             f'<rect x="{second_x}" y="24" width="10" height="10" fill="{PALETTE["group"]}"/>'
             f'<text x="{second_x + 14}" y="33" font-size="11">{_fitted(second, 160, 11)}</text>']
    for i, (label, value, other, maximum) in enumerate(rows):
        y = 44 + i * row_h
        share = float(value) / float(maximum) if maximum else 0  # floats for geometry only; labels exact
        other_share = float(other) / float(maximum) if maximum else 0
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" font-size="11" text-anchor="end">'
                     f'{_fitted(label, label_w - 10, 11)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{bar_w:.1f}" height="22" fill="none" stroke="{PALETTE["grid"]}"/>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{bar_w * share:.1f}" height="10" fill="{PALETTE["focus"]}"/>'
                     f'<rect x="{label_w}" y="{y + 14}" width="{bar_w * other_share:.1f}" height="10" fill="{PALETTE["group"]}"/>'
                     f'<text x="{label_w + bar_w + 6}" y="{y + 17}" font-size="11">{num(value)} / {num(maximum)}'
                     f'（{num(other, 1)}）</text>')
    parts.append("</svg>")
    return Html(f'<figure class="chart">{"".join(parts)}</figure>')


def _width(text: str, size: float) -> float:
    """Estimated drawn width: CJK and full-width characters are one em, others about 0.6 em."""
    return sum(size if ord(ch) > 0x2E7F else 0.6 * size for ch in text)


def _fitted(text: str, room: float, size: float) -> str:
    """``text`` escaped, cut with … to fit ``room`` pixels; a cut label keeps its full text as a tooltip."""
    if _width(text, size) <= room:
        return esc(text)
    cut = text
    while cut and _width(cut + "…", size) > room:
        cut = cut[:-1]
    return f"<title>{esc(text)}</title>{esc(cut)}…"


def _frame(width: float, height: float, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif">'
            f'<title>{esc(title)}</title><text x="0" y="12" font-size="13" font-weight="bold">{esc(title)}</text>')


def _ticks(maximum: float) -> list[float]:
    step = 10 if maximum > 40 else 5 if maximum > 10 else 1
    return [float(t) for t in range(0, int(maximum) + 1, step)]
