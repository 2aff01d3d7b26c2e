"""Report sections every scheme shares: demo banner, validation result, 评分口径, input files, 数据来源."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evalbook.inputs.intake import EVERY, concerned_code
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
    concerned = concerned_code(book.intake, problem.file, problem.row, problem.value)
    return concerned is EVERY or concerned == code




def inputs_table(book: Year) -> Html:
    rows = [(label, str(path), sha) for label, path, sha in book.intake.inputs()]
    return section("输入文件", table(rows, ["文件", "路径", "sha256"], classes="inputs"))


def submissions_section(book: Year, code: str, **identity: str) -> Html:
    """数据来源: the unit's submissions (版本) as ``submissions.csv`` logs them, and for each of its rows of the
    data files the version it came from (``submissions/addresses.csv``). ``identity`` narrows the unit within the
    institution (``specialty=…``); the unit is named as the log names it (``NMRM-心血管内科``)."""
    from evalbook.inputs import records
    from evalbook.inputs.intake import locate

    scheme, year = book.scheme, book.year
    year_dir = Path(book.intake.data_dir) / scheme.NAME / str(year)
    unit = "-".join([code, *identity.values()])
    log = [line for line in records.read_log(year_dir) if line["code"] == unit]
    if not log:
        return section("数据来源",
                       paragraph("本单位本年度的数据没有工作簿报送记录（未经 evalbook ingest 读入，数据直接录入 CSV）。"))
    numbers: dict[str, int] = {}
    for line in log:
        numbers.setdefault(line["sha256"], len(numbers) + 1)
    rows = [(f"版本{numbers[line['sha256']]}", line["received_at"].replace("T", " ").replace("Z", " UTC"), line["file"],
             line["sha256"][:12], _OWNER_ZH.get(line["owner"], line["owner"]), line["rows_added"], line["rows_changed"],
             line["rows_removed"]) for line in log]
    paths = {file: locate(scheme, book.intake.data_dir, file, year)[0] for file in scheme.FILES}
    origins = records.read_addresses(year_dir, paths)
    by_row: dict[tuple[str, int], tuple[str, str]] = {}
    for (file, line, _), origin in sorted(origins.items()):
        by_row.setdefault((file, line), (origin.sha256, origin.address))
    sources = []
    for file, table_ in book.intake.tables.items():
        frame = table_.frame
        if "code" not in frame or file not in {line["file"] for line in log}:  # the files its workbooks carry
            continue
        own = frame["code"] == code
        for column, value in identity.items():
            if column in frame:
                own &= frame[column] == value
        groups: dict[str, list[int]] = {}
        first: dict[str, str] = {}
        for line in frame.index[own]:
            sha, where = by_row.get((file, int(line)), ("", ""))
            version = f"版本{numbers[sha]}" if sha in numbers else _NO_RECORD
            groups.setdefault(version, []).append(int(line))
            first.setdefault(version, where)
        label = book.intake.labels.get(file, file)
        sources += [(label, version, _lines(lines), first[version]) for version, lines in groups.items()]
    headers = ["版本", "收到时间", "数据文件", "工作簿 sha256", "填报方", "新增行", "修改行", "删除行"]
    return section("数据来源", table(rows, headers, numeric=(5, 6, 7), classes="submissions"),
                   Html("<h3>本报告所用数据来自哪个版本</h3>"),
                   table(sources, ["数据文件", "来自", "行", "首个单元格"], classes="sources"),
                   note="版本按收到的工作簿（sha256）编号；每次读入的工作簿原样保存在数据文件夹的 "
                        f"{scheme.NAME}/{year}/{records.FOLDER}/ 中。")


_NO_RECORD = "无工作簿记录（直接录入或读入后改动）"
_OWNER_ZH = {"hospital": "医疗机构", "committee": "考评组", "experts": "专家组"}


def _lines(lines: list[int]) -> str:
    """Line numbers as ranges: 2–5、8."""
    spans: list[list[int]] = []
    for line in sorted(lines):
        if spans and line == spans[-1][1] + 1:
            spans[-1][1] = line
        else:
            spans.append([line, line])
    return "、".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)
