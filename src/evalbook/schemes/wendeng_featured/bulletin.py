"""wendeng-featured's part of the 通报: each group's ranking, the unit and project awards, and the prize money.

Everything is read from the published tables as text (``scores.csv``, ``project_scores.csv``): scores shown
四舍五入 to 2 decimals, prize totals summed exactly from the cells' text (``core.exact``), never re-scored."""

from __future__ import annotations

from collections.abc import Mapping

from evalbook.core.exact import exact_sum, plain, shown
from evalbook.core.scheme import BulletinTable
from evalbook.schemes.wendeng_featured.inputs import GROUP_TITLES

RANKING_HEADERS = ["组内名次", "机构代码", "机构名称", "附件3得分", "专家得分", "放弃比武扣分", "总成绩", "单位奖",
                   "奖金（万元）"]
UNIT_AWARD_HEADERS = ["奖项", "组内名次", "机构代码", "机构名称", "总成绩", "奖金（万元）"]
PROJECT_AWARD_HEADERS = ["奖项", "项目名次", "机构代码", "机构名称", "特色项目", "项目得分", "奖金（万元）"]
TOTAL_HEADERS = ["组别", "单位奖（项）", "单位奖奖金（万元）", "项目奖（项）", "项目奖奖金（万元）", "奖金合计（万元）"]


def _rank(row: dict) -> tuple[int, str]:
    return int(row["group_rank"]), row["code"]


def _groups(rows: list[dict]) -> list[str]:
    """The groups present, those of the rubric in their order first, then any other as it comes."""
    present = list(dict.fromkeys(row["group"] for row in rows))
    return [g for g in GROUP_TITLES if g in present] + [g for g in present if g not in GROUP_TITLES]


def bulletin_tables(tables: Mapping[str, list[dict]]) -> list[BulletinTable]:
    units, projects = tables["scores.csv"], tables["project_scores.csv"]
    out: list[BulletinTable] = []
    groups = _groups([*units, *projects])
    for group in groups:
        title = GROUP_TITLES.get(group, group)
        ranked = sorted((r for r in units if r["group"] == group), key=_rank)
        out.append((f"{title} 排名", RANKING_HEADERS,
                    [[r["group_rank"], r["code"], r["name"], shown(r["rubric_score"]), shown(r["expert_score"]),
                      shown(r["penalty"]), shown(r["total"]), r["award"] or "—", plain(r["prize_wan"])] for r in ranked]))
    totals = []
    for group in groups:
        title = GROUP_TITLES.get(group, group)
        unit_awards = sorted((r for r in units if r["group"] == group and r["award"]), key=_rank)
        project_awards = sorted((r for r in projects if r["group"] == group and r["award"]),
                                key=lambda r: (*_rank(r), r["project"]))
        out.append((f"{title} 单位奖", UNIT_AWARD_HEADERS,
                    [[r["award"], r["group_rank"], r["code"], r["name"], shown(r["total"]), plain(r["prize_wan"])]
                     for r in unit_awards]))
        out.append((f"{title} 项目奖", PROJECT_AWARD_HEADERS,
                    [[r["award"], r["group_rank"], r["code"], r["name"], r["project"], shown(r["project_score"]),
                      plain(r["prize_wan"])] for r in project_awards]))
        totals.append((title, unit_awards, project_awards))
    out.append(("奖金合计（由上表金额精确相加）", TOTAL_HEADERS, [*(_total_row(t, u, p) for t, u, p in totals),
                                         _total_row("合计", [r for _, u, _ in totals for r in u],
                                                    [r for _, _, p in totals for r in p])]))
    return out


def _total_row(title: str, unit_awards: list[dict], project_awards: list[dict]) -> list[str]:
    """Counts and exact sums of the prizes, from the cells' text (5.0 + 4.0 = 9, never a float sum)."""
    unit_sum = exact_sum(r["prize_wan"] for r in unit_awards)
    project_sum = exact_sum(r["prize_wan"] for r in project_awards)
    return [title, str(len(unit_awards)), plain(unit_sum), str(len(project_awards)), plain(project_sum),
            plain(unit_sum + project_sum)]
