"""与上一年度比较: the trend sections of the year page and of each unit's report (``committee.trends``).

Every cell comes from the trend tables' text (``trends.csv``, ``trend_items.csv``) and goes through the escaping
helpers of ``output.html``; numbers are shown rounded half up (四舍五入) from their exact text."""

from __future__ import annotations

from evalbook.committee.trends import COMPARED, INVALID, Trend, load
from evalbook.core.exact import exact
from evalbook.output.charts import PALETTE
from evalbook.output.html import Html, esc, join, key_values, num, paragraph, section, signed, table

TITLE = "与上一年度比较"
RECOMPUTED = "上一年度按本年度评分规则重算：变化反映数据的变化，而非评分规则的变化。"
# what the page says when there is no comparison: (中文, English), the Chinese shown
NOT_SHOWN = {
    "no_last_year": ("数据文件夹中没有上一年度（{last}年）的数据，不作比较。",
                     "the data folder holds no data of last year ({last}): no comparison"),
    INVALID: ("上一年度（{last}年）的数据未通过校验（{errors}处错误），不显示与上一年度的比较。",
              "last year's data ({last}) did not pass validation ({errors} errors): no comparison is shown"),
}


def not_shown(trend: Trend) -> tuple[str, str]:
    """The one line (Chinese, English) saying why no comparison is shown."""
    zh, en = NOT_SHOWN[trend.status]
    return zh.format(last=trend.last_year, errors=trend.errors), en.format(last=trend.last_year, errors=trend.errors)


def _n(text: str) -> str:
    return num(text) if text else "—"


def _signed(text: str) -> str:
    return signed(text) if text else "—"


def _rank(text: str) -> str:
    return f"第{text}名" if text else "—"


def rank_move(row: dict) -> str:
    """"↑2" (moved up 2 places), "↓1", "持平", or "—" when one year has no rank."""
    change = row.get("rank_change") or ""
    if not change:
        return "—"
    places = int(change)
    return "持平" if places == 0 else (f"↑{places}" if places > 0 else f"↓{-places}")


def award_move(row: dict) -> str:
    last, now = row.get("last_award") or "", row.get("award") or ""
    if row.get("status") != "both":
        return now or last or "—"
    if last == now:
        return f"{now}（不变）" if now else "—"
    return f"{last or '无'} → {now or '无'}"


def _who(row: dict) -> str:
    return f"{row['name']} {row['subject']}" if row.get("subject") else row["name"]


def year_trend_section(book, validation: str = "") -> Html:
    """The year page's 与上一年度比较: every unit's rank and total last year and this, its movement, its award."""
    trend = load(book, validation)
    if trend.status != COMPARED:
        return section(TITLE, paragraph(not_shown(trend)[0], "note"))
    rows, classes = [], []
    for r in trend.units:
        if r["status"] == "both":
            items = f"↑{r['items_gained']} ↓{r['items_lost']}" if _has_items(book) else "—"
            rows.append((r["code"], _who(r), _rank(r["last_rank"]), _rank(r["rank"]), rank_move(r), _n(r["last_total"]),
                         _n(r["total"]), _signed(r["total_change"]), award_move(r), items))
        else:
            what = "本年度新参评" if r["status"] == "new" else "本年度未参评"
            rows.append((r["code"], _who(r), _rank(r["last_rank"]), _rank(r["rank"]), what, _n(r["last_total"]),
                         _n(r["total"]), "—", award_move(r), "—"))
        classes.append("awarded" if r["status"] == "both" and (r["award"] or "") != (r["last_award"] or "") else "")
    headers = ["机构代码", "名称", f"{trend.last_year}年名次", f"{trend.year}年名次", "名次变化", f"{trend.last_year}年总分",
               f"{trend.year}年总分", "总分变化", "奖项变化", "得分升/降的项数"]
    return section(TITLE, table(rows, headers, numeric=(5, 6, 7), classes="trend", row_classes=classes),
                   note=f"{RECOMPUTED}名次按本方案的排名口径；↑ 为名次上升的位数，↓ 为下降的位数；奖项有变化的行以底色标出。")


def unit_trend_section(book, validation: str, *key: str) -> Html:
    """A unit's report: its rank and total against last year, and the items it gained and lost (points exact)."""
    trend = load(book, validation)
    if trend.status != COMPARED:
        return section(TITLE, paragraph(not_shown(trend)[0], "note"))
    folder = book.scheme.report_folder(dict(zip([c for c, _ in book.scheme.REPORT_KEY], key, strict=False)))
    row = trend.unit(folder)
    if row is None or row["status"] != "both":
        return section(TITLE, paragraph(f"上一年度（{trend.last_year}年）未参评，不作比较。", "note"))
    summary = key_values([
        ("名次", f"{_rank(row['last_rank'])} → {_rank(row['rank'])}（{rank_move(row)}）"),
        ("总分", f"{_n(row['last_total'])} → {_n(row['total'])}（{_signed(row['total_change'])}）"),
        ("奖项", award_move(row)),
    ], classes="kv trend")
    parts = [summary]
    if _has_items(book):
        items = trend.unit_items(folder)
        if items:
            title = f"各项得分变化（{trend.year}年 − {trend.last_year}年）"
            parts.append(change_chart([(i["label"], i["change"]) for i in items], title))
        gained = [i for i in items if i["change"] and not i["change"].startswith("-")]
        lost = [i for i in items if i["change"].startswith("-")]
        for title, chosen in (("得分上升的项目", gained), ("得分下降的项目", lost)):
            if chosen:
                parts.append(Html(f"<h3>{esc(title)}</h3>"))
                parts.append(table([(i["label"], _n(i["last_score"]), _n(i["score"]), _signed(i["change"]))
                                    for i in chosen],
                                   ["项目", f"{trend.last_year}年得分", f"{trend.year}年得分", "变化"], numeric=(1, 2, 3)))
        if not items:
            parts.append(paragraph("各项得分与上一年度相同。", "note"))
    return section(TITLE, join(*parts), note=f"{RECOMPUTED}名次按本方案的排名口径。")


def _has_items(book) -> bool:
    return not book.scheme.item_scores(book.scores).empty


GAIN, LOSS = "#1e7b45", PALETTE["focus"]


def change_chart(rows: list[tuple[str, str]], title: str) -> Html:
    """Inline SVG: one bar per (label, change as exact text) from a centre line, right (green) for points gained,
    left (red) for points lost, scaled to the largest change; the signed value beside each bar."""
    label_w, half, row_h = 250, 150, 20
    largest = max((abs(exact(c)) for _, c in rows), default=0) or 1
    width, height = label_w + 2 * half + 60, 30 + row_h * len(rows)
    centre = label_w + half + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif"><title>{esc(title)}</title>'
             f'<text x="0" y="12" font-size="13" font-weight="bold">{esc(title)}</text>'
             f'<line x1="{centre}" y1="20" x2="{centre}" y2="{height - 2}" stroke="{PALETTE["axis"]}"/>']
    for i, (label, change) in enumerate(rows):
        y = 22 + i * row_h
        value = exact(change)
        w = half * float(abs(value) / largest)  # floats for geometry only; the label is exact
        x = centre if value > 0 else centre - w
        anchor, tx = ("start", centre + w + 4) if value > 0 else ("end", centre - w - 4)
        short = label if len(label) <= 16 else label[:15] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" font-size="11" text-anchor="end"><title>{esc(label)}</title>'
                     f'{esc(short)}</text>'
                     f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 7}" fill="{GAIN if value > 0 else LOSS}"/>'
                     f'<text x="{tx:.1f}" y="{y + 13}" font-size="11" text-anchor="{anchor}">{esc(signed(change))}</text>')
    parts.append("</svg>")
    return Html(f'<figure class="chart">{"".join(parts)}</figure>')
