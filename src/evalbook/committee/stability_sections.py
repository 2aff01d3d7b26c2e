"""The year page's 奖项稳定性 section: each unit's award (or pass) under every reading of the rules.

One column per scenario (numbered; the legend names each reading); a cell that differs from the default is
marked, and a unit whose award or pass depends on a reading is highlighted and listed with the reading that
changes it. Everything shown comes from sensitivity.csv (``sensitivity.stability``): in a batch the run's file,
checked against its record (``committee.made``), else made here; read back the same way, so both pages are alike."""

from __future__ import annotations

import pandas as pd

from evalbook.committee import made
from evalbook.committee.sensitivity import FILE, Stability, passed_state, shifts_of, stability, unit_decisions
from evalbook.core.scenarios import scenarios
from evalbook.output.html import Html, badge, bullet_list, join, paragraph, section, table
from evalbook.output.tables import csv_text, neutralise

MARKS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def decision_text(award: str, passed) -> str:
    """A unit's decision in words: its award ("—" none), and 合格/不合格 where there is a pass line."""
    state = passed_state(passed)
    if state is None:
        return award or "—"
    return ("合格" if state else "不合格") + (f"·{award}" if award else "")


def _mark(i: int) -> str:
    return MARKS[i - 1] if i <= len(MARKS) else f"({i})"


def _rank(text: str):
    return int(text) if text else pd.NA


def _passed(text: str):
    return {"1": True, "True": True, "0": False, "False": False}.get(text)


def read_stability(book) -> Stability:
    """The year's award stability from sensitivity.csv: each row (a scenario's unit) joined to the default's unit
    by code and name as the table writes them (neutralised, ``output.tables.neutralise``), for its folder, subject
    and group; rank, award and pass as the table holds them."""
    texts = made.texts_of(book, made.SENSITIVITY, f"奖项稳定性表（{FILE}）", f"the award stability table {FILE}",
                          lambda: {FILE: csv_text(stability(book.scheme, book.intake, book.scores).table())})
    readings = scenarios(book.rubric)
    base = unit_decisions(book.scheme, book.scores)
    # keyed as the table writes its cells: a name starting like a formula (=, +, -, @) is written neutralised
    units = {(neutralise(r["code"]), neutralise(r["name"] + (f" {r['subject']}" if r["subject"] else ""))): r
             for r in base.to_dict("records")}
    frames: dict[str, list[dict]] = {s.name: [] for s in readings}
    for row in made.rows(texts[FILE]):
        unit = units.get((row["code"], row["name"]))
        if unit is None or row["scenario"] not in frames:
            continue
        frames[row["scenario"]].append({**{k: unit[k] for k in ("unit", "code", "name", "subject", "group")},
                                        "rank": _rank(row["rank"]), "award": row["award"],
                                        "passed": _passed(row["passed"]), "scenario": row["scenario"]})
    columns = ["unit", "code", "name", "subject", "group", "rank", "award", "passed", "scenario"]
    tables = [pd.DataFrame(frames[s.name], columns=columns).astype({"rank": "Int64"}) for s in readings]
    return Stability(readings, pd.concat(tables, ignore_index=True), shifts_of(readings, tables))


def stability_section(book, result: Stability | None = None) -> Html:
    """The section for the year page (``book``: an opened year, ``notebook.year.Year``)."""
    result = result or read_stability(book)
    readings = result.scenarios
    if len(readings) == 1:
        return section("奖项稳定性", paragraph("评分规则未列出其他口径（scenarios），无可比较的情景。", "note"))
    frames = {name: frame for name, frame in result.rows.groupby("scenario", sort=False)}
    base = frames[readings[0].name]
    groups = {g: i for i, g in enumerate(dict.fromkeys(base["group"]))}  # groups in the order they come, then rank
    base = base.assign(_g=base["group"].map(groups)).sort_values(["_g", "rank"], kind="mergesort")
    by_scenario = {s.name: {r["unit"]: r for r in frames[s.name].to_dict("records")} for s in readings[1:]}
    depends = result.depends()
    grouped = base["group"].astype(str).str.len().gt(0).any()
    rows, classes = [], []
    for r in base.to_dict("records"):
        default = decision_text(r["award"], r["passed"])
        cells = []
        for s in readings[1:]:
            other = by_scenario[s.name].get(r["unit"])
            text = "" if other is None else decision_text(other["award"], other["passed"])
            cells.append(badge(text) if other is not None and text != default else text)
        unit = r["name"] + (f" {r['subject']}" if r["subject"] else "")
        rows.append(((r["group"],) if grouped else ()) + (r["rank"], unit, default, *cells))
        classes.append("depends" if r["unit"] in depends else "")
    headers = (["分组"] if grouped else []) + ["名次", "单位", "默认口径"] + [_mark(i) for i in range(1, len(readings))]
    legend = bullet_list([f"{_mark(i)} {s.label}（{s.name}）" for i, s in enumerate(readings[1:], start=1)])
    listed = [f"{shifts[0].name}：{'；'.join(_shift_words(s) for s in shifts)}" for shifts in depends.values()]
    summary = (join(paragraph(f"{len(depends)}个单位的奖项或合格与否取决于口径（表中红底）：", "warn"), bullet_list(listed))
               if depends else paragraph("所有单位的奖项与合格与否在各种口径下均不变。", "ok"))
    return section("奖项稳定性", summary, Html('<p class="note">表中各列的口径（名次为默认口径下的名次）：</p>'), legend,
                   table(rows, headers, classes="stability", row_classes=classes, numeric=(1,) if grouped else (0,)),
                   note=f"在评分规则列出的其他口径下用同一批已校验数据重新评分（精确计算），与默认口径比较；"
                        f"仅供评审参考，正式结果以默认口径为准。逐情景的总成绩与名次见 {FILE}。")


def _shift_words(shift) -> str:
    before = decision_text(shift.award[0], shift.passed[0])
    after = decision_text(shift.award[1], shift.passed[1])
    return f"{shift.label}时由“{before}”变为“{after}”（名次{shift.rank[0]}→{shift.rank[1]}）"
