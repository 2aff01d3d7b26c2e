"""wendeng-featured report sections: each returns escaped HTML for one notebook cell."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from evalbook.core.exact import exact, mean
from evalbook.notebook.sections import demo_banner, inputs_table, policy_table, validation_summary  # noqa: F401
from evalbook.notebook.year import Year, unit_row
from evalbook.output import charts
from evalbook.output.html import Html, badge, bullet_list, esc, join, key_values, num, paragraph, section, signed, table
from evalbook.schemes.wendeng_featured.inputs import DIMENSIONS, GROUP_TITLES, late_ledgers
from evalbook.schemes.wendeng_featured.reasons import FACT_LABELS, why_lost
from evalbook.schemes.wendeng_featured.scoring import item_means

STAT_LABELS = [("staff", "工作人员配备（人）"), ("workload", "工作量（人次）"), ("revenue_wan", "业务收入（万元）"),
               ("training_3m", "外出进修人次数（3个月以上）"), ("expert_sessions", "外聘专家坐诊带教人次数"),
               ("investment_wan", "资金投入金额（万元）")]


def _unit(book: Year, code: str) -> pd.Series:
    return unit_row(book, code)


def institution_header(book: Year, code: str) -> Html:
    unit = _unit(book, code)
    award = f"{unit['award']}（奖金{num(unit['prize_wan'])}万元）" if unit["award"] else "未获单位奖"
    return join(
        demo_banner(book),
        Html(f'<h1>{esc(unit["name"])} · {book.year}年度特色医疗综合考评报告</h1>'),
        key_values([("机构代码", code), ("分组", GROUP_TITLES[unit["group"]]), ("总成绩", num(unit["total"])),
                    ("组内名次", f"第{unit['group_rank']}名（共{_group_size(book, unit['group'])}家）"), ("单位奖", award),
                    ("评分规则", f"{book.rubric['title']} {book.rubric['version']}")], classes="kv summary"),
    )


def _group_size(book: Year, group: str) -> int:
    return int((book.scores.units["group"] == group).sum())


def score_buildup(book: Year, code: str) -> Html:
    unit = _unit(book, code)
    w = book.rubric["weights"]
    p12 = book.rubric["items"][12]["params"]
    rows = [("附件3 综合考评指标得分", num(unit["rubric_score"]), f"× {w['rubric']:g}",
             num(exact(unit["rubric_score"]) * exact(w["rubric"])))]
    rows.append(("附件4 专家考评（所有项目平均得分）", num(unit["expert_score"]), f"× {w['expert']:g}",
                 num(exact(unit["expert_score"]) * exact(w["expert"]))))
    if unit["penalty"]:
        where = "总成绩" if p12["penalty_applies_to"] == "total" else "附件3得分（加权前）"
        rows.append((f"放弃区级技术比武，在{where}中扣分", num(unit["penalty"]), "", f"−{num(unit['penalty'])}"))
    rows.append(("总成绩", "", "", num(unit["total"])))
    return section("成绩构成", table(rows, ["组成部分", "得分", "权重", "计入总成绩"], numeric=(1, 3), classes="buildup"),
                   note="总成绩保留全部精度参与排名，此处四舍五入到两位小数显示。")


def items_table(book: Year, code: str) -> Html:
    items = book.scores.items[code]
    group = _unit(book, code)["group"]
    rows, classes = [], []
    for it in items:
        reasons = [f"{signed(s.points)}：{s.reason}" for s in it.steps if s.points < 0 or it.score == 0]
        gains = [f"{signed(s.points)}：{s.reason}" for s in it.steps if s.points > 0]
        why = why_lost(it, group, book.rubric.data)
        rows.append((it.number, it.title, num(it.maximum), num(it.score), num(it.lost),
                     Html(f'<p class="why">{esc(why)}</p>') if why else "",
                     join(bullet_list(gains, "gain"), bullet_list(reasons, "loss")), facts_cell(it.facts)))
        classes.append("lost" if it.lost > 0 else "")
    total = sum(i.score for i in items)
    rows.append(("", "合计", num(sum(i.maximum for i in items)), num(total), num(sum(i.lost for i in items)), "", "", ""))
    classes.append("total")
    return section("附件3 综合考评指标：16项得分与失分原因",
                   table(rows, ["序号", "指标", "满分", "得分", "失分", "失分原因（实际情况与满分要求）",
                                "计分过程（每一分的来由）", "所用事实（facts.csv）"],
                         numeric=(2, 3, 4), classes="items", row_classes=classes),
                   note="每项最低0分、最高为该项满分；“视情扣分”注明评审人及理由；事实后的小字为 facts.csv 的列名，供审核。")


def facts_cell(facts: dict) -> Html:
    """The facts an item read, named in Chinese, each followed by its facts.csv column in small text."""
    return Html("；".join(f"{esc(FACT_LABELS.get(k, k))}：{esc(_fact(v))} <small>{esc(k)}</small>" for k, v in facts.items()))


def _fact(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, tuple):
        return ";".join(map(str, value)) or "无"
    return num(value) if isinstance(value, (float, Fraction)) else str(value)


def items_chart(book: Year, code: str) -> Html:
    unit = _unit(book, code)
    means = book.scores.item_means_of(unit["group"])
    rows = [(f"{it.number}. {it.title[:12]}", it.score, means[f"item_{it.number:02d}"], it.maximum)
            for it in book.scores.items[code]]
    return paired_bars_section(rows, unit)


def paired_bars_section(rows, unit) -> Html:
    return section("与本组平均比较", charts.paired_bars(rows, title="各项得分（占满分比例）", first=str(unit["name"]),
                                                 second=f"{GROUP_TITLES[unit['group']]}平均"),
                   note="红色为本机构，灰色为本组平均；括号内为本组平均分。")


CHART_TOP, CHART_AROUND = 10, 5  # a large group's chart: its first 10 and the 5 on either side of the institution


def group_chart(book: Year, code: str) -> Html:
    """The group's totals by rank. A group of more than 2 × (10 + 5) + 1 members (a province's) shows its first 10
    and the 5 ranked on either side of the institution, and says so: a bar per member would be thousands."""
    unit = _unit(book, code)
    peers = book.scores.units[book.scores.units["group"] == unit["group"]].sort_values("group_rank", kind="mergesort")
    shown = chart_window(len(peers), int((peers["code"] == code).to_numpy().argmax()))
    rows = [(f"{r.group_rank}. {r.name}", r.total, r.code == code) for r in peers.iloc[shown].itertuples()]
    note = "" if len(shown) == len(peers) else (
        f"本组共{len(peers)}家，图中为前{CHART_TOP}名及本机构前后各{CHART_AROUND}名；完整排名见年度结果页。")
    return section(f"组内排名：{GROUP_TITLES[unit['group']]}", charts.bars(rows, maximum=100, title="总成绩"), note=note)


def chart_window(size: int, at: int) -> list[int]:
    """Positions (0-based, in rank order) a group chart shows: all of a group of at most 2 × (CHART_TOP +
    CHART_AROUND) + 1; else the first CHART_TOP and CHART_AROUND either side of position ``at``."""
    if size <= 2 * (CHART_TOP + CHART_AROUND) + 1:
        return list(range(size))
    return sorted(set(range(CHART_TOP)) | set(range(max(0, at - CHART_AROUND), min(size, at + CHART_AROUND + 1))))


def expert_tables(book: Year, code: str) -> Html:
    experts = book.intake.exact("expert_scores.csv")
    experts = experts[experts["code"] == code]
    projects = book.scores.projects[book.scores.projects["code"] == code]
    dims = book.rubric["expert_dimensions"]
    headers = ["专家", *[f"{dims[d]['label']}（{dims[d]['max']:g}）" for d in DIMENSIONS], "合计"]
    parts = []
    if projects.empty:
        parts.append(paragraph("本机构没有专家评分的特色项目：专家得分按评分规则计为"
                               f"{num(book.rubric['unscored_unit_expert_score'])}分。", "warn"))
    for project in projects.itertuples():
        rows = experts[experts["project"] == project.project]
        body = [(r.expert, *[num(getattr(r, d)) for d in DIMENSIONS], num(sum(getattr(r, d) for d in DIMENSIONS)))
                for r in rows.itertuples()]
        means = [num(mean(rows[d])) for d in DIMENSIONS]
        body.append(("平均", *means, num(project.project_score)))
        award = f"{project.award}（{num(project.prize_wan)}万元）" if project.award else "未获项目奖"
        parts.append(Html(f"<h3>{esc(project.project)} <small>项目得分 {num(project.project_score)} · "
                          f"组内第{esc(project.group_rank)}名 · {esc(award)}</small></h3>"))
        parts.append(table(body, headers, numeric=tuple(range(1, 8)), classes="experts",
                           row_classes=[""] * (len(body) - 1) + ["total"]))
    return section("附件4 专家考评", *parts,
                   note="项目得分为各专家六项合计的平均；"
                        f"单位专家得分为所有项目的平均：{num(_unit(book, code)['expert_score'])}分。")


def stats_table(book: Year, code: str) -> Html:
    stats = book.intake.exact("project_stats.csv")
    stats = stats[stats["code"] == code]
    before, now = book.year - 1, book.year
    if stats.empty:
        return section("附件6 项目指标数据（同比）", paragraph("未提供附件6统计表数据。", "warn"))
    rows = []
    for project, group in stats.groupby("project", sort=False):
        by_year = group.set_index("year")
        for column, label in STAT_LABELS:
            old = by_year[column].get(float(before)) if float(before) in by_year.index else None
            new = by_year[column].get(float(now)) if float(now) in by_year.index else None
            change = exact(new) - exact(old) if old is not None and new is not None else None
            pct = f"{signed(change / exact(old) * 100, 1)}%" if change is not None and old else "—"
            rows.append((project, label, num(old), num(new), signed(change), pct))
    return section(f"附件6 项目指标数据（{before}年与{now}年同比）",
                   table(rows, ["特色项目", "指标", f"{before}年", f"{now}年", "增减", "增减率"], numeric=(2, 3, 4, 5),
                         classes="stats"))


def ledger_table(book: Year, code: str) -> Html:
    ledger = book.intake.frame("ledger.csv")
    ledger = ledger[ledger["code"] == code].sort_values(["project", "month"], kind="mergesort")
    if ledger.empty:
        return section("附件5 月度工作台账", paragraph("未提供工作台账。", "warn"))
    late = late_ledgers(ledger, book.rubric)
    late_keys = set(zip(late["project"], late["month"], strict=True))
    rows, classes = [], []
    for r in ledger.itertuples():
        is_late = (r.project, r.month) in late_keys
        rows.append((r.project, r.month, r.work_done, r.difficulties, r.next_steps,
                     join(esc(r.submitted_on), badge("迟报", "late") if is_late else "")))
        classes.append("late" if is_late else "")
    unit_facts = book.intake.frame("facts.csv")
    stated = unit_facts.loc[unit_facts["code"] == code, "late_submissions"]
    day = book.rubric["deadlines"]["ledger_day_of_next_month"]
    note = (f"报送时限：每月{day}日前报送上月台账。按报送日期，迟报{len(late)}次；"
            f"考评事实中填报迟报{num(stated.iloc[0]) if len(stated) else '—'}次。")
    return section("附件5 月度工作台账",
                   table(rows, ["特色项目", "月份", "已经开展的工作及取得的成效", "遇到的困难问题", "下步工作计划", "报送日期"],
                         classes="ledger", row_classes=classes), note=note)


# --------------------------------------------------------------------------- cohort

def cohort_header(book: Year) -> Html:
    units = book.scores.units
    return join(demo_banner(book),
                Html(f"<h1>{book.year}年度特色医疗综合考评结果</h1>"),
                key_values([("参评机构", f"{len(units)}家（一组{_group_size(book, 'district')}家，"
                                         f"二组{_group_size(book, 'primary')}家）"),
                            ("特色项目", f"{len(book.scores.projects)}个"),
                            ("评分规则", f"{book.rubric['title']} {book.rubric['version']}"),
                            ("来源", book.rubric["source"])], classes="kv summary"))


def group_ranking(book: Year, group: str) -> Html:
    units = book.scores.units
    peers = units[units["group"] == group].sort_values("group_rank", kind="mergesort")
    rows = [(r.group_rank, r.code, _report_link(r.code, r.name), num(r.rubric_score), num(r.expert_score),
             num(r.penalty) if r.penalty else "", num(r.total), r.award, num(r.prize_wan) if r.prize_wan else "")
            for r in peers.itertuples()]
    chart = charts.bars([(f"{r.group_rank}. {r.name}", r.total, bool(r.award)) for r in peers.itertuples()],
                        maximum=100, title="总成绩（红色为获奖单位）")
    return section(f"单位排名：{GROUP_TITLES[group]}",
                   table(rows, ["名次", "代码", "机构", "附件3得分", "专家得分", "扣分", "总成绩", "单位奖", "奖金（万元）"],
                         numeric=(3, 4, 5, 6, 8), classes="ranking",
                         row_classes=["awarded" if r.award else "" for r in peers.itertuples()]),
                   chart)


def _report_link(code: str, name: str) -> Html:
    """Link to the unit's report in the same year folder (codes are checked: letters, digits, - and _)."""
    return Html(f'<a href="{esc(code)}/report.html">{esc(name)}</a>')


def project_awards(book: Year, group: str) -> Html:
    projects = book.scores.projects
    peers = projects[projects["group"] == group].sort_values("group_rank", kind="mergesort")
    rows = [(r.group_rank, r.name, r.project, r.experts, num(r.project_score), r.award, num(r.prize_wan) if r.prize_wan else "")
            for r in peers.itertuples()]
    return section(f"项目奖：{GROUP_TITLES[group]}",
                   table(rows, ["名次", "机构", "特色项目", "专家人数", "项目得分", "项目奖", "奖金（万元）"],
                         numeric=(3, 4, 6), classes="projects",
                         row_classes=["awarded" if r.award else "" for r in peers.itertuples()]))


def prize_totals(book: Year) -> Html:
    units, projects = book.scores.units, book.scores.projects
    rows = []
    for group in ("district", "primary"):
        u = sum(map(exact, units.loc[units["group"] == group, "prize_wan"]), exact(0))
        p = sum(map(exact, projects.loc[projects["group"] == group, "prize_wan"]), exact(0))
        members = units["group"] == group
        rows.append((GROUP_TITLES[group], int(members.sum() and (units.loc[members, "award"] != "").sum()),
                     num(u), int((projects.loc[projects["group"] == group, "award"] != "").sum()), num(p), num(u + p)))
    total_u, total_p = sum(map(exact, units["prize_wan"]), exact(0)), sum(map(exact, projects["prize_wan"]), exact(0))
    rows.append(("合计", int((units["award"] != "").sum()), num(total_u), int((projects["award"] != "").sum()), num(total_p),
                 num(total_u + total_p)))
    return section("奖金合计（万元）", table(rows, ["分组", "获奖单位数", "单位奖金", "获奖项目数", "项目奖金", "合计"],
                                           numeric=(1, 2, 3, 4, 5), classes="prizes", row_classes=["", "", "total"]))


def item_averages(book: Year) -> Html:
    units = book.scores.units
    group_means = item_means(units).set_index("group")  # as each report's 与本组平均比较 shows them
    rows = []
    for number, spec in sorted(book.rubric["items"].items()):
        column = f"item_{number:02d}"
        means = [num(group_means.at[g, column]) if g in group_means.index else "—" for g in ("district", "primary")]
        full = sum(1 for v in units[column] if exact(v) >= exact(spec["max"]))
        rows.append((number, spec["title"], num(spec["max"]), *means, f"{full}/{len(units)}"))
    return section("各项平均得分", table(rows, ["序号", "指标", "满分", "一组平均", "二组平均", "得满分机构"],
                                       numeric=(2, 3, 4), classes="averages"))
