"""Report sections on the expert panels (committee/panels.py): the cohort's 专家评分 (flagged scores, each expert's
bias, leave-one-expert-out) and a unit's own panel rows with the experts without whom its decisions change.

A section takes the notebook's opened year (``book``: its ``scheme``, ``intake`` and ``scores``); every value from the
data reaches the page through ``evalbook.output.html`` (escaped).
"""

from __future__ import annotations

import io

import pandas as pd

from evalbook.committee import made
from evalbook.committee.experts import REGISTRY_FILE
from evalbook.committee.panels import CHANGES_FILE, HIGH, LOW, RECUSED, expert_bias, leave_one_out, panel_rows
from evalbook.core.columns import identity_key
from evalbook.inputs.reading import unescaped
from evalbook.output.html import Html, join, num, paragraph, section, signed, table
from evalbook.output.tables import csv_text

TITLE = "专家评分"
WHAT = {"奖项": "奖项", "合格": "是否合格", "名次": "名次"}


def _who(book) -> dict:
    """``identity_key`` of an expert → how the page names them: the id, and the registry's name and post when there
    is one."""
    registry = book.intake.typed.get(REGISTRY_FILE)
    if registry is None:
        return {}
    titles = registry["title"] if "title" in registry else [None] * len(registry)
    return {identity_key(e): f"{e} {n}" + (f"（{t}）" if isinstance(t, str) and t else "")
            for e, n, t in zip(registry["expert"], registry["name"], titles, strict=True)}


def _names(book) -> dict:
    decisions = book.scheme.decisions(book.scores)
    return dict(zip(decisions["code"], decisions["name"], strict=True))


def _policy_note(book) -> str:
    exclude, far = book.scheme.panel_policy(book.rubric)
    recusal = "不计入得分" if exclude else "仍计入得分，仅作标记"
    return (f"评分为该专家对该评分对象的0–100分；专家平均为计入得分的评分的平均（即所用得分）；偏离 = 评分 − 专家平均。"
            f"偏离超过±{num(far)}分标记“{LOW}”/“{HIGH}”；专家所在机构即被评机构标记“{RECUSED}”，该评分{recusal}"
            "（评分口径）。标准差为总体标准差。")


def _score_rows(rows: pd.DataFrame, who: dict, names: dict, with_unit: bool) -> list[tuple]:
    out = []
    for r in rows.itertuples(index=False):
        unit = (f"{names.get(r.code, r.code)}（{r.code}）",) if with_unit else ()
        out.append((*unit, r.subject, who.get(r.expert_key, r.expert), num(r.score),
                    "" if r.panel_mean is None else num(r.panel_mean), r.panel_sd,
                    "" if r.deviation is None else signed(r.deviation), r.flag))
    return out


def changes(book, rows: pd.DataFrame | None = None, unit: str | None = None) -> pd.DataFrame:
    """leave_one_out.csv as text cells: in a batch the run's (checked against its record), else made here (every
    expert left out in turn, the year scored again; ``rows``: the year's ``panel_rows`` when at hand); the page
    shows the same text either way."""
    texts = made.texts_of(book, made.PANELS, "留一专家检验表（leave_one_out.csv）", "the leave-one-expert-out table",
                          lambda: {CHANGES_FILE: csv_text(leave_one_out(book.scheme, book.intake, book.scores, rows))},
                          needle=unit)  # one report's lines (a folder name is plain: never protected in the CSV)
    frame = pd.read_csv(io.StringIO(texts[CHANGES_FILE]), dtype=str, keep_default_na=False)
    if unit is not None:
        frame = frame[frame["unit"] == unit]
    return frame.map(unescaped)  # the page shows a name as it was typed, not as the CSV protects it (a leading ')


def _change_rows(changes: pd.DataFrame, who_by_name: dict, with_unit: bool) -> list[tuple]:
    out = []
    for c in changes.itertuples(index=False):
        unit = (f"{c.name}（{c.code}）",) if with_unit else ()
        out.append((who_by_name.get(identity_key(c.expert), c.expert), *unit, c.subject or "（单位）",
                    WHAT.get(c.what, c.what), c.before, c.after))
    return out


def cohort_panels(book) -> Html:
    """专家评分 for the year: the flagged scores, each expert's bias, and leave-one-expert-out."""
    rows = panel_rows(book.scheme, book.intake)
    if rows is None:
        return Html("")
    who, names = _who(book), _names(book)
    flagged = rows[rows["flag"] != ""]
    far = int(sum(LOW in f or HIGH in f for f in rows["flag"]))
    recused = int(rows["recused"].sum())
    headers = ["机构", "评分对象", "专家", "评分", "专家平均", "标准差", "偏离", "标记"]
    parts = [paragraph(f"共{len(rows)}条专家评分；偏离专家平均较远的{far}条，应回避的{recused}条。")]
    parts.append(Html("<h3>标记的评分</h3>"))
    parts.append(table(_score_rows(flagged, who, names, True), headers, numeric=(3, 4, 5, 6), classes="panel")
                 if len(flagged) else paragraph("没有偏离专家平均较远或应回避的评分。", "ok"))
    bias = expert_bias(rows)
    parts.append(Html("<h3>各专家的评分倾向</h3>"))
    parts.append(table([(who.get(identity_key(b.expert), b.expert), b.subjects,
                         "" if b.mean_deviation is None else signed(b.mean_deviation), b.flagged, b.recusals)
                        for b in bias.itertuples(index=False)],
                       ["专家", "评分对象数", "平均偏离", "偏低或偏高次数", "应回避次数"], numeric=(1, 2, 3, 4),
                       classes="bias"))
    changed = changes(book, rows)
    parts.append(Html("<h3>去掉一位专家：哪些结果会改变</h3>"))
    parts.append(table(_change_rows(changed, who, True), ["去掉的专家", "机构", "评分对象", "改变的结果", "原结果",
                                                           "去掉该专家后"], classes="leave-one-out")
                 if len(changed) else paragraph("去掉任何一位专家的全部评分后重新评分，所有单位的奖项、合格与名次都不改变。",
                                                "ok"))
    return section(TITLE, *parts, note=_policy_note(book) + "去掉一位专家：删去该专家的全部评分，其余不变，按同一评分规则"
                                                       "重新评分，列出改变的奖项、合格与单位名次。")


def unit_panel(book, *key: str) -> Html:
    """A report unit's (``REPORT_KEY`` values) own expert scores with their flags, and the experts without whom its
    award, pass or rank changes (said plainly when none does)."""
    folder = "-".join(key)
    mine = panel_rows(book.scheme, book.intake, folder)  # its own panels only: the cohort's are not needed here
    if mine is None:
        return Html("")
    who = _who(book)
    headers = ["评分对象", "专家", "评分", "专家平均", "标准差", "偏离", "标记"]
    parts = [table(_score_rows(mine, who, {}, False), headers, numeric=(2, 3, 4, 5), classes="panel")
             if len(mine) else paragraph("本单位没有专家评分。")]
    mine_changes = changes(book, unit=folder)
    parts.append(Html("<h3>去掉一位专家：本单位的结果是否改变</h3>"))
    parts.append(table(_change_rows(mine_changes, who, False), ["去掉的专家", "评分对象", "改变的结果", "原结果",
                                                                 "去掉该专家后"], classes="leave-one-out")
                 if len(mine_changes) else paragraph("去掉任何一位专家的全部评分后重新评分，本单位的奖项、合格与名次都不改变。",
                                                     "ok"))
    return join(section(f"{TITLE}与回避", *parts, note=_policy_note(book)))
