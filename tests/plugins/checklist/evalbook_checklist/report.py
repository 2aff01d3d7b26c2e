"""checklist report sections: each returns escaped HTML for one notebook cell."""

from evalbook.notebook.sections import demo_banner, inputs_table, policy_table, validation_summary  # noqa: F401
from evalbook.notebook.year import Year, unit_row
from evalbook.output.html import Html, esc, join, key_values, num, section, table


def institution_header(book: Year, code: str) -> Html:
    unit = unit_row(book, code)
    return join(demo_banner(book), Html(f"<h1>{esc(unit['name'])} · {book.year}年度{esc(book.scheme.TITLE)}</h1>"),
                key_values([("机构代码", code), ("总分", num(unit["total"])), ("结论", "合格" if unit["passed"] else "不合格"),
                            ("名次", f"第{unit['rank']}名（共{len(book.scores.units)}家）")], classes="kv summary"))


def items_table(book: Year, code: str) -> Html:
    unit, items = unit_row(book, code), book.rubric["items"]
    rows = [(n, items[i]["title"], "达到" if unit[i] else "未达到", num(items[i]["points"] if unit[i] else 0))
            for n, i in enumerate(items, start=1)]
    return section("十项检查", table(rows, ["序号", "检查项目", "结果", "得分"], numeric=(3,)))


def ranking(book: Year) -> Html:
    rows = [(r.rank, r.code, r.name, num(r.total), "合格" if r.passed else "不合格")
            for r in book.scores.units.sort_values("rank").itertuples()]
    return join(Html(f"<h1>{book.year}年度{esc(book.scheme.TITLE)}结果</h1>"),
                section("排名", table(rows, ["名次", "机构代码", "机构名称", "总分", "结论"], numeric=(3,))))
