"""naiman-specialty's part of the 通报: the ranking of the building specialties with 合格 and 推荐, then the
specialties recommended and those that did not pass. No prize money in this scheme.

Read from the published ``scores.csv`` as text: scores shown 四舍五入 to 2 decimals, never re-scored."""

from __future__ import annotations

from collections.abc import Mapping

from evalbook.core.exact import shown
from evalbook.core.scheme import BulletinTable

RANKING_HEADERS = ["名次", "机构代码", "机构名称", "专科", "客观数据得分", "现场核查得分", "总分", "是否合格", "是否推荐"]
LIST_HEADERS = ["名次", "机构代码", "机构名称", "专科", "总分"]
SUMMARY_HEADERS = ["参评专科", "合格", "不合格", "推荐"]


def _yes(cell: str) -> bool:
    return cell.strip() in ("1", "True", "true")


def bulletin_tables(tables: Mapping[str, list[dict]]) -> list[BulletinTable]:
    rows = sorted(tables["scores.csv"], key=lambda r: (int(r["rank"]), r["code"], r["specialty"]))
    ranking = [[r["rank"], r["code"], r["name"], r["specialty"], shown(r["objective_score"]), shown(r["onsite_score"]),
                shown(r["total"]), "合格" if _yes(r["passed"]) else "不合格", "推荐" if _yes(r["recommended"]) else "—"]
               for r in rows]

    def listed(keep) -> list[list[str]]:
        return [[r["rank"], r["code"], r["name"], r["specialty"], shown(r["total"])] for r in rows if keep(r)]

    passed = sum(_yes(r["passed"]) for r in rows)
    recommended = sum(_yes(r["recommended"]) for r in rows)
    return [("专科排名", RANKING_HEADERS, ranking),
            ("推荐为旗级临床重点专科", LIST_HEADERS, listed(lambda r: _yes(r["recommended"]))),
            ("不合格专科", LIST_HEADERS, listed(lambda r: not _yes(r["passed"]))),
            ("合格与推荐汇总", SUMMARY_HEADERS, [[str(len(rows)), str(passed), str(len(rows) - passed), str(recommended)]])]
