"""数据质疑函: a letter to each institution listing every problem found in its data (``evalbook queries``).

``write_queries`` validates the year as ``validate`` does and writes, under ``OUT/<scheme>/<year>/``, one letter
``<code>.html`` per listed institution with at least one problem, and ``queries.csv``
(``code,name,severity,file,location,value,rule_zh,rule_en``), one line per problem. A problem is the institution's
when its row is one of that institution's rows (the file's ``code`` column), or its value is the code; any other
problem (a file missing as a whole, a code not in the list of institutions) has an empty ``code`` and ``name`` and
is listed after the institutions' lines, in no letter. The location is the workbook cell the value was read from
(``SC.xlsx!附件3考评事实!F17``) where ``evalbook ingest`` recorded it and the data file is still as ingest wrote it,
else ``file:row:column``. Everything is written together (``replace_files``): all or nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from evalbook.core.errors import Problem
from evalbook.core.files import replace_files
from evalbook.inputs import records
from evalbook.inputs.intake import Intake, locate
from evalbook.output.html import Html, esc, table
from evalbook.output.pages import page
from evalbook.output.tables import neutralise

COLUMNS = ("code", "name", "severity", "file", "location", "value", "rule_zh", "rule_en")
CSV_NAME = "queries.csv"
SAFE_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # a code that can name a letter's file (codes are checked so too)
SEVERITY_ZH = {"error": "错误", "warning": "警告", "implausible": "存疑"}
SEVERITY_ORDER = {"error": 0, "implausible": 1, "warning": 2}
TO_DO = {
    "error": "必须更正：请在所示位置改正后重新提交；如确认原值无误，请附书面说明及证明材料。",
    "implausible": "数值存疑：请对照原始记录核实；如有误请更正后重新提交，如无误请书面说明理由并附证明材料。",
    "warning": "请核实：如有误请更正后重新提交；如无误请书面确认。",
}


@dataclass(frozen=True)
class Query:
    """One problem as a letter and ``queries.csv`` show it."""

    code: str
    name: str
    problem: Problem
    location: str

    def line(self) -> dict[str, str]:
        p = self.problem
        return {"code": self.code, "name": self.name, "severity": p.severity, "file": p.file, "location": self.location,
                "value": "" if p.value is None else str(p.value), "rule_zh": p.rule_zh, "rule_en": p.rule_en}


@dataclass
class QueriesReport:
    folder: Path
    queries: list[Query] = field(default_factory=list)
    letters: list[str] = field(default_factory=list)  # institution codes with a letter

    @property
    def unattributed(self) -> list[Query]:
        return [q for q in self.queries if not q.code]


def write_queries(intake: Intake, out_dir: Path) -> QueriesReport:
    """The letters and ``queries.csv`` of an intake's problems into ``out_dir/<scheme>/<year>/``."""
    scheme, year = intake.scheme, intake.year
    folder = Path(out_dir) / scheme.NAME / str(year)
    names = _names(intake)
    paths = {file: locate(scheme, intake.data_dir, file, year)[0] for file in scheme.FILES}
    origins = records.read_addresses(Path(intake.data_dir) / scheme.NAME / str(year), paths)
    files_of = {label: file for file, label in intake.labels.items()}
    queries = []
    for problem in intake.outcome.problems:
        code = _code_of(intake, problem, files_of, names)
        queries.append(Query(code, names.get(code, ""), problem, _location(problem, files_of, origins)))
    order = {code: index for index, code in enumerate(names)}
    queries.sort(key=lambda q: (not q.code, order.get(q.code, len(order)), SEVERITY_ORDER.get(q.problem.severity, 3)))
    report = QueriesReport(folder, queries)
    texts = {CSV_NAME: _csv(queries)}
    for code in dict.fromkeys(q.code for q in queries if q.code):
        texts[f"{code}.html"] = letter(scheme.TITLE, year, code, names[code], [q for q in queries if q.code == code],
                                       _column_labels(scheme))
        report.letters.append(code)
    replace_files(folder, texts)
    return report


def _column_labels(scheme) -> dict[str, str]:
    """Column name → its label, the first file declaring it winning (the expert registry's ``name``, 姓名, is
    declared after institutions.csv's 机构名称)."""
    labels: dict[str, str] = {}
    for columns in scheme.FILES.values():
        for c in columns:
            labels.setdefault(c.name, c.label)
    return labels


def _names(intake: Intake) -> dict[str, str]:
    """Listed institution code → name, in the list's order (codes that could not name a file left out)."""
    frame = intake.tables.get("institutions.csv")
    if frame is None or "code" not in frame.frame:
        return {}
    names = {}
    for _, row in frame.frame.iterrows():
        code = row.get("code")
        if isinstance(code, str) and SAFE_CODE.fullmatch(code) and code not in names:
            names[code] = row.get("name") or ""
    return names


def _code_of(intake: Intake, problem: Problem, files_of: Mapping[str, str], names: Mapping[str, str]) -> str:
    """The listed institution a problem is about, or "" (see the module doc)."""
    code = None
    if isinstance(problem.row, str) and "·" in problem.row:  # a derived table's row: "code·specialty·period"
        code = problem.row.split("·")[0]
    elif isinstance(problem.row, int) and problem.file in files_of and files_of[problem.file] in intake.tables:
        frame = intake.tables[files_of[problem.file]].frame
        if "code" in frame and problem.row in frame.index:
            code = frame.loc[problem.row, "code"]
    elif problem.row is None and problem.column == "code":
        code = problem.value
    return code if isinstance(code, str) and code in names else ""


def _location(problem: Problem, files_of: Mapping[str, str], origins: Mapping[tuple[str, int, str], records.Origin]) -> str:
    if isinstance(problem.row, str) and "!" in problem.row:
        return problem.row  # already a workbook cell
    if isinstance(problem.row, int) and problem.column and problem.file in files_of:
        origin = origins.get((files_of[problem.file], problem.row, problem.column))
        if origin is not None:
            return origin.address
    row = "" if problem.row is None else str(problem.row)
    return f"{problem.file}:{row}:{problem.column or ''}"


def _csv(queries: list[Query]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for query in queries:
        line = query.line()
        writer.writerow([neutralise(line[c]) for c in COLUMNS])
    return out.getvalue()


def letter(title: str, year: int, code: str, name: str, queries: list[Query], labels: Mapping[str, str] | None = None) -> str:
    """The letter to one institution: Chinese, printable, every piece of data escaped; ``labels`` name the
    columns in Chinese (column → label)."""
    labels = labels or {}
    counts = {s: sum(q.problem.severity == s for q in queries) for s in SEVERITY_ORDER}
    summary = "，".join(f"{SEVERITY_ZH[s]} {n} 项" for s, n in counts.items() if n)
    rows = [(index, SEVERITY_ZH.get(q.problem.severity, q.problem.severity), q.location,
             " ".join(part for part in (labels.get(q.problem.column or ""), q.problem.column) if part),
             "" if q.problem.value is None else str(q.problem.value),
             Html(f"{esc(q.problem.rule_zh)}<br><small>{esc(q.problem.rule_en)}</small>"
                  + (f"<br><small>（{esc(q.problem.context)}）</small>" if q.problem.context else "")),
             TO_DO.get(q.problem.severity, TO_DO["warning"]))
            for index, q in enumerate(queries, start=1)]
    body = (f"<p>致：<strong>{esc(name)}</strong>（机构代码 {esc(code)}）</p>\n"
            f"<p>贵单位报送的 {esc(year)} 年度《{esc(title)}》数据经校验，发现以下问题（{esc(summary)}）。"
            "请逐项核实：“位置”为工作簿中的单元格（工作簿!工作表!单元格）或数据文件中的位置（文件:行:列），"
            "“值”为所报数值，“问题”为所依据的规则。请按“处理方式”在原工作簿中更正后重新提交，"
            "或对无需更正的项目书面说明理由；不要改动未列出的单元格。</p>\n"
            + table(rows, ["序号", "类别", "位置", "字段", "值", "问题（规则）", "处理方式"], classes="queries", numeric=(0,))
            + "\n<p>类别说明：错误——不改正将无法评分；存疑——数值明显不合常理，须核实；警告——请核实确认。</p>\n"
              "<p class=\"sign\">回复日期：__________　　经办人：__________　　联系电话：__________　　单位（盖章）</p>\n")
    return page(f"数据质疑函 · {name}（{code}）· {year}年度", body, footer=f"{title} · {year}")
