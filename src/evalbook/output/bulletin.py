"""The year's 通报 as one printable HTML page: what the committee receives, bound (``evalbook pdf --bulletin``).

``bulletin_html`` lays out what ``round/bulletin.py`` read from a published year folder: the title and source,
the scheme's rankings and awards (``Scheme.bulletin_tables``), the 评分口径 in force, the stability of the awards
under the rubric's other readings, and the signatures. Every text is escaped here (``output.html``); the page is
self-contained (the reports' CSS inline, no script, no external URL) and printed A4 with page numbers
(``BULLETIN_FOOTER``, Chromium's footer template, in ``output.browser``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from evalbook.output.html import Html, esc, join, key_values, paragraph, section, table
from evalbook.output.pages import page

# Chromium's header and footer templates (their own tiny pages: inline style only). pageNumber, totalPages and
# title are filled in by Chromium, as text.
BULLETIN_HEADER = ('<div style="width:100%;font-size:8px;color:#5b6874;text-align:center;'
                   'font-family:\'Noto Sans CJK SC\',sans-serif;"><span class="title"></span></div>')
BULLETIN_FOOTER = ('<div style="width:100%;font-size:9px;color:#5b6874;text-align:center;'
                   'font-family:\'Noto Sans CJK SC\',sans-serif;">第 <span class="pageNumber"></span> 页 '
                   '共 <span class="totalPages"></span> 页</div>')
UNCHANGED = "所有奖项在各种口径下均不变。"
NOT_ANALYSED = "本次发布不含口径稳定性分析（年度文件夹中没有 sensitivity.csv）。"
NOT_SIGNED = "尚未签署。"
EXTRA_CSS = """
.bulletin h1 { text-align: center; }
.bulletin h2 { break-after: avoid; }
.bulletin table.eb { width: 100%; }
.bulletin table.eb caption { text-align: left; font-weight: bold; }
.bulletin tr { break-inside: avoid; }
.bulletin table.eb th, .bulletin table.eb td { font-size: 9pt; }
.bulletin table.policy td:first-child { width: 10em; }
"""


@dataclass
class Bulletin:
    """What a 通报 shows, all as text read from the published files."""

    title: str                                       # e.g. 2023年度文登区特色医疗工作综合考评结果通报
    about: list[tuple[str, str]]                     # the publication: scheme, year, rubric and its source, revision
    tables: list[tuple[str, Sequence[str], Sequence[Sequence[str]]]]   # Scheme.bulletin_tables
    policy: list[tuple[str, str]]                    # the 评分口径 sheet of results.xlsx
    scenarios: list[str] | None                      # the readings of sensitivity.csv besides default; None: no file
    changed: list[tuple[str, str, str, str]] = field(default_factory=list)  # code, name, as published, what changes it
    signatures: list[tuple[dict, bool]] = field(default_factory=list)       # entry, on the current manifest


def bulletin_html(bulletin: Bulletin) -> str:
    """The page, every piece of data escaped."""
    parts = [section("一、基本情况", key_values(bulletin.about))]
    tables = join(*(table(rows, headers, caption=title) if rows else Html(f'<p><b>{esc(title)}</b>：无。</p>')
                    for title, headers, rows in bulletin.tables))
    parts.append(section("二、排名与奖项", tables,
                         note="以下数据均取自已发布的结果文件，未重新评分；分数四舍五入保留2位小数显示。"))
    parts.append(section("三、评分口径", table(bulletin.policy, ["项目", "口径"], classes="policy"),
                         note="本次发布实际采用的口径（results.xlsx 的“评分口径”工作表）。"))
    parts.append(section("四、口径稳定性", _stability(bulletin)))
    parts.append(section("五、签署", _signatures(bulletin.signatures)))
    body = f"<style>{EXTRA_CSS}</style>\n<div class=\"bulletin\">{''.join(parts)}</div>"
    return page(bulletin.title, body, footer="通报由已发布的结果文件生成，未重新评分").replace(
        '<body class="report">', '<body class="report bulletin">', 1)


def _stability(bulletin: Bulletin) -> Html:
    if bulletin.scenarios is None:
        return paragraph(NOT_ANALYSED)
    readings = "、".join(bulletin.scenarios) or "无"
    note = paragraph(f"比较本次发布的结果（default）与以下其他口径下的结果：{readings}。")
    if not bulletin.changed:
        return join(note, paragraph(UNCHANGED))
    return join(note, table(bulletin.changed, ["机构代码", "名称", "本次发布", "在其他口径下的变化"],
                        caption="奖项或合格与否随口径改变的单位"))


def _signatures(signatures: list[tuple[dict, bool]]) -> Html:
    if not signatures:
        return paragraph(NOT_SIGNED)
    rows = [[e["name"], e["role"], e["time"], e["note"] or "—",
             e["manifest_sha256"][:16] + ("" if current else "（非本版清单，不计入）")] for e, current in signatures]
    counted = sum(current for _, current in signatures)
    text = paragraph(f"本版有效签署 {counted} 个。签署的是本版 manifest.json 的 sha256；签在其他版本清单上的签署不计入。")
    return join(text, table(rows, ["签署人", "身份", "时间（UTC）", "说明", "所签清单 sha256"]))
