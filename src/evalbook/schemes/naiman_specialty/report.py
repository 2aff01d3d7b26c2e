"""naiman-specialty report sections: each returns escaped HTML for one notebook cell."""

from __future__ import annotations

import pandas as pd

from evalbook.core.exact import exact, mean
from evalbook.notebook.sections import demo_banner, inputs_table, policy_table, validation_summary  # noqa: F401 (shared sections)
from evalbook.notebook.year import Year, unit_row
from evalbook.output import charts
from evalbook.output.html import Html, badge, esc, join, key_values, num, paragraph, section, signed, table
from evalbook.schemes.naiman_specialty import SCHEME
from evalbook.schemes.naiman_specialty.inputs import catalog, indicator_label
from evalbook.schemes.naiman_specialty.scoring import shortfall

DIRECTION = {"higher": "正向", "lower": "负向", "neutral": "中性"}


def _unit(book: Year, code: str, specialty: str) -> pd.Series:
    return unit_row(book, code, specialty)


def _verdict(unit) -> Html:
    parts = [badge("合格", "pass") if unit["passed"] else badge("不合格", "fail")]
    if unit["flagged"]:
        parts.append(badge("数据不实", "fail"))
    if unit["recommended"]:
        parts.append(badge("推荐为旗级临床重点专科", "pass"))
    return join(*parts)


def specialty_header(book: Year, code: str, specialty: str) -> Html:
    unit = _unit(book, code, specialty)
    return join(
        demo_banner(book),
        Html(f"<h1>{esc(unit['name'])} · {esc(specialty)} · {book.year}年度临床重点专科建设评估报告</h1>"),
        key_values([("机构代码", code), ("建设方向", unit["field"]), ("总分", num(unit["total"])),
                    ("结论", _verdict(unit)), ("名次", f"第{unit['rank']}名（共{len(book.scores.units)}个建设专科）"),
                    ("评分规则", f"{book.rubric['title']} {book.rubric['version']}")], classes="kv summary"))


def score_buildup(book: Year, code: str, specialty: str) -> Html:
    unit = _unit(book, code, specialty)
    w = book.rubric["weights"]
    rows = [("客观数据评估（承诺指标达成度）", num(unit["objective_score"]), f"× {w['objective']:g}",
             num(exact(unit["objective_score"]) * exact(w["objective"]))),
            ("现场核查", num(unit["onsite_score"]), f"× {w['onsite']:g}", num(exact(unit["onsite_score"]) * exact(w["onsite"]))),
            ("总分", "", "", num(unit["total"]))]
    return section("得分构成", table(rows, ["组成部分", "得分", "权重", "计入总分"], numeric=(1, 3), classes="buildup",
                                   row_classes=["", "", "total"]),
                   note=f"合格线{num(book.rubric['pass_mark'])}分；总分保留全部精度，此处四舍五入到两位小数。")


def commitments_table(book: Year, code: str, specialty: str) -> Html:
    rows_in = book.scores.indicators
    rows_in = rows_in[(rows_in["code"] == code) & (rows_in["specialty"] == specialty)]
    cat = catalog()
    rechecked = _rechecks(book, code, specialty)
    rows, classes = [], []
    for r in rows_in.itertuples():
        note = "复核值" if r.indicator in rechecked else ""
        why = shortfall(r.actual, r.baseline, r.target, cat.at[r.indicator, "direction"])
        rows.append((indicator_label(r.indicator), cat.at[r.indicator, "category"], DIRECTION[cat.at[r.indicator, "direction"]],
                     num(r.baseline), num(r.target), join(num(r.actual), badge(note, "late") if note else ""),
                     f"{num(r.attainment * 100)}%", num(r.weight), num(r.attainment * r.weight),
                     f"{why}失{num(r.weight - r.attainment * r.weight)}分。" if why else ""))
        classes.append("lost" if r.attainment < 1 else "")
    total = sum((a * w for a, w in zip(rows_in["attainment"], rows_in["weight"], strict=True)), exact(0))
    rows.append(("合计", "", "", "", "", "", "", num(sum(rows_in["weight"], exact(0))), num(total), ""))
    classes.append("total")
    return section("承诺书量化指标：基线 → 目标 → 实际",
                   table(rows, ["指标", "类别", "方向", "基线值", "目标值", "实际值", "达成度", "权重", "得分", "未达成原因"],
                         numeric=(3, 4, 5, 6, 7, 8), classes="commitments", row_classes=classes),
                   note="达成度 = (实际 − 基线) ÷ (目标 − 基线)，限定在0至100%；"
                        "权重为类别权重在该类别承诺指标间平均分配后折算为100。")


def attainment_chart(book: Year, code: str, specialty: str) -> Html:
    cats = book.scores.categories
    mine = cats[(cats["code"] == code) & (cats["specialty"] == specialty)]
    rows = [(f"{r.category}（权重{num(r.weight)}）", r.attainment * 100, r.attainment < 1) for r in mine.itertuples()]
    return section("各类别平均达成度", charts.bars(rows, maximum=100, title="达成度（%）", unit="%"),
                   note="红色为未全部达成的类别。")


def _rechecks(book: Year, code: str, specialty: str) -> set[str]:
    r = book.scores.rechecks
    return set(r.loc[(r["code"] == code) & (r["specialty"] == specialty), "indicator"])


def survey_table(book: Year, code: str, specialty: str | None = None) -> Html:
    """The 69-row survey as the source lays it out, the year's values beside the baseline."""
    ind = book.intake.frame("indicators.csv")
    ind = ind[(ind["code"] == code) & (ind["specialty"] == specialty)]
    by_period = {p: g.set_index("indicator")["value"].to_dict() for p, g in ind.groupby("period")}
    base_p, year_p = str(book.rubric["baseline_period"]), str(book.year)
    base, now = by_period.get(base_p, {}), by_period.get(year_p, {})
    rechecks = book.scores.rechecks
    mine = rechecks[(rechecks["code"] == code) & (rechecks["specialty"] == specialty)].set_index("indicator")
    rows, classes, last = [], [], (None, None)
    for r in catalog().itertuples():
        level1 = r.level1 if r.level1 != last[0] else ""
        level2 = r.level2 if (r.level1, r.level2) != last else ""
        last = (r.level1, r.level2)
        label = r.level3 if not r.part else f"　└ {r.value_label}"
        old, new = base.get(r.id), now.get(r.id)
        change = ""
        if r.kind not in ("text",) and old is not None and new is not None:
            try:
                change = signed(exact(new) - exact(old))
            except (ValueError, TypeError, ZeroDivisionError):
                change = ""
        note = ""
        if r.id in mine.index:
            c = mine.loc[r.id]
            note = f"复核值 {num(c['checked'])}" + ("（数据不实）" if c["flagged"] else "")
        rows.append((r.row if not r.part else "", level1, level2, label, r.unit, old, new, change, note))
        classes.append("late" if note and "不实" in note else "")
    return section("重点专科基本情况调查表",
                   table(rows, ["序号", "一级指标", "二级指标", "三级指标", "单位", base_p, year_p, "变化", "现场复核"],
                         numeric=(5, 6, 7), classes="survey", row_classes=classes),
                   note=f"{base_p} 为基线（半年数据），{year_p} 为评估年度；数量类指标两期口径不同，变化仅供参考。")


def warnings_section(book: Year, code: str, specialty: str) -> Html:
    w = book.scores.worsened
    mine = w[(w["code"] == code) & (w["specialty"] == specialty)]
    r = book.scores.rechecks
    flagged = r[(r["code"] == code) & (r["specialty"] == specialty) & r["flagged"]]
    parts = []
    if len(mine):
        parts.append(table([(indicator_label(x.indicator), num(x.baseline), num(x.actual), signed(x.actual - x.baseline))
                            for x in mine.itertuples()], ["负向指标", "基线", "本年度", "变化"], numeric=(1, 2, 3),
                           classes="warnings", caption="负向指标较基线变差（不计分）"))
    if len(flagged):
        parts.append(table([(indicator_label(x.indicator), num(x.reported), num(x.checked), num(x.difference), x.note)
                            for x in flagged.itertuples()], ["指标", "填报值", "复核值", "差额", "复核说明"], numeric=(1, 2, 3),
                           classes="warnings", caption="数据不实：复核值与填报值相差超过容许范围"))
    if not parts:
        parts.append(paragraph("无警告：负向指标均未变差，现场复核未发现数据不实。", "ok"))
    return section("警告", *parts)


def onsite_table(book: Year, code: str, specialty: str) -> Html:
    onsite = book.intake.exact("onsite.csv")
    mine = onsite[(onsite["code"] == code) & (onsite["specialty"] == specialty)]
    dims = book.rubric["onsite_dimensions"]
    rows = [(r.expert, *[num(getattr(r, d)) for d in dims], num(mean(getattr(r, d) for d in dims)))
            for r in mine.itertuples()]
    rows.append(("平均", *[num(mean(mine[d])) if len(mine) else "—" for d in dims],
                 num(_unit(book, code, specialty)["onsite_score"])))
    return section("现场核查评分", table(rows, ["专家", *dims.values(), "专家平均"], numeric=(1, 2, 3, 4), classes="onsite",
                                       row_classes=[""] * (len(rows) - 1) + ["total"]))


# --------------------------------------------------------------------------- cohort

def cohort_header(book: Year) -> Html:
    units = book.scores.units
    return join(demo_banner(book), Html(f"<h1>{book.year}年度旗级临床重点专科建设评估结果通报</h1>"),
                key_values([("建设专科", f"{len(units)}个（合格{int(units['passed'].sum())}个，"
                                         f"推荐{int(units['recommended'].sum())}个）"),
                            ("候选专科（待复核）", f"{len(book.scores.candidates)}个"),
                            ("评分规则", f"{book.rubric['title']} {book.rubric['version']}"), ("来源", book.rubric["source"])],
                           classes="kv summary"))


def ranking(book: Year) -> Html:
    units = book.scores.units.sort_values("rank", kind="mergesort")
    rows = [(r.rank, r.name, Html(f'<a href="{esc(SCHEME.report_folder(r._asdict()))}/report.html">{esc(r.specialty)}</a>'),
             r.field, num(r.objective_score), num(r.onsite_score), num(r.total), _verdict(r._asdict()))
            for r in units.itertuples()]
    chart = charts.bars([(f"{r.rank}. {r.name[:10]} {r.specialty}", r.total, not r.passed) for r in units.itertuples()],
                        maximum=100, title=f"总分（红色为不合格，合格线{num(book.rubric['pass_mark'])}分）")
    return section("建设专科排名与结论",
                   table(rows, ["名次", "机构", "专科", "建设方向", "客观数据", "现场核查", "总分", "结论"],
                         numeric=(4, 5, 6), classes="ranking",
                         row_classes=["awarded" if r.recommended else "" for r in units.itertuples()]), chart)


def candidates_table(book: Year) -> Html:
    cands = book.scores.candidates
    targets = book.intake.frame("targets.csv")
    rows = []
    for c in cands.itertuples():
        mine = targets[(targets["code"] == c.code) & (targets["specialty"] == c.specialty)]
        commitments = "；".join(f"{indicator_label(t.indicator)}：{num(t.baseline)} → {num(t.target)}" for t in mine.itertuples())
        rows.append((c.name, c.specialty, c.field, len(mine), commitments))
    nominated = len(cands)
    minimum = book.rubric["min_nominations"]
    note = (f"本年度候选专科{nominated}个。" + (f"少于方案要求的每年至少{minimum:g}个。" if nominated < minimum else ""))
    return section("候选专科（遴选推荐，待专家复核，不计分）",
                   table(rows, ["机构", "专科", "建设方向", "承诺指标数", "承诺（基线 → 目标）"], numeric=(3,),
                         classes="candidates")
                   if rows else paragraph("本年度无候选专科。", "warn"), note=note)


def candidate_surveys(book: Year) -> Html:
    parts = [survey_table(book, c.code, c.specialty) for c in book.scores.candidates.itertuples()]
    titles = [Html(f"<h3>{esc(c.name)} · {esc(c.specialty)}</h3>") for c in book.scores.candidates.itertuples()]
    return section("候选专科基线调查表", *[x for pair in zip(titles, parts, strict=True) for x in pair]) if parts else Html("")
