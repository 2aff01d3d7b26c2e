"""Report sections every scheme shares: demo banner, validation result, 评分口径, input files."""

from __future__ import annotations

import pandas as pd

from evalbook.notebook.year import Year
from evalbook.output.html import Html, key_values, paragraph, section, table


def demo_banner(book: Year) -> Html:
    if not book.demo:
        return Html("")
    return Html('<div class="demo">示例数据：本报告中的机构名称真实，数字均为虚构，仅用于演示，不代表任何考评结果。'
                "<br>Synthetic demo data: the numbers are invented.</div>")


def policy_table(book: Year) -> Html:
    return section("评分口径", key_values(book.scheme.policy_lines(book.rubric), classes="kv policy"),
                   note=f"评分规则文件 sha256：{book.rubric.sha256}")


def validation_summary(book: Year, code: str | None = None) -> Html:
    """The suites' result: expectations per file, and the warnings (errors stop a run before here)."""
    summary = pd.DataFrame(book.intake.outcome.summary)
    rows = []
    if not summary.empty:
        for file, group in summary.groupby("file", sort=False):
            failed = int((~group["success"]).sum())
            label = book.scheme.FILE_LABELS.get(file.split("/")[-1].split("（")[0], "")
            rows.append((file, label, len(group), len(group) - failed, failed))
    warnings = [p for p in book.intake.warnings if code is None or _concerns(book, p, code)]
    parts = [table(rows, ["文件", "内容", "校验规则数", "通过", "未通过（警告）"], numeric=(2, 3, 4), classes="validation")]
    if warnings:  # warnings first, then the values to check again (存疑: passed every rule, hard to believe)
        warnings = sorted(warnings, key=lambda p: p.is_implausible)
        parts.append(Html("<h3>警告与存疑值</h3>"))
        parts.append(table([("存疑（请核实）" if p.is_implausible else "警告", p.file, p.row, p.column, p.value, p.rule_zh)
                            for p in warnings], ["级别", "文件", "行", "列", "值", "说明"], classes="warnings"))
    else:
        parts.append(paragraph("所有数据通过校验，无警告。", "ok"))
    return section("数据校验（Great Expectations）", *parts,
                   note=f"校验套件见 expectations/{book.scheme.NAME}/；Great Expectations {book.intake.gx_version}。"
                        "错误会在评分前终止运行，因此能生成本报告的数据均已通过全部错误级规则。")


def _concerns(book: Year, problem, code: str) -> bool:
    """Does this warning concern the institution ``code``? (by its row, or by the value it names)"""
    if isinstance(problem.row, str):  # a derived table's row is named "code·specialty·period"
        return problem.row.split("·")[0] == code
    if problem.row is None:
        return str(problem.value) == code or problem.value is None
    file = problem.file.split("/")[-1]
    frame = book.intake.frame(file)
    return problem.row in frame.index and frame.loc[problem.row, "code"] == code


def inputs_table(book: Year) -> Html:
    rows = [(label, str(path), sha) for label, path, sha in book.intake.inputs()]
    return section("输入文件", table(rows, ["文件", "路径", "sha256"], classes="inputs"))
