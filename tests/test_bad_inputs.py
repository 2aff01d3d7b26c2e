"""The bad-input corpus, CSV side, and the safety of everything `run` writes.

One published `run --all` of two hostile but valid cohorts (hostile_fixtures: every free-text cell starts
like a formula and carries HTML) is the baseline. Each corpus case corrupts a copy of one scheme's data
and runs the real CLI on it (in-process, so Great Expectations is imported once; test_cli_e2e runs the
same path in a subprocess): exit 1, every word of the message it must show (file, row, column, value,
rule in Chinese and English), no traceback, and the published tree — every file and folder under the
output root, hidden ones included — byte-identical. Accepted variants (BOM, GBK from Excel on Chinese
Windows, an extra column) must validate and score exactly like the original.

Already covered elsewhere, not repeated here: reading.read_text_table's edge cases (test_reading.py),
every suite rule on the demo data (test_validation.py, test_naiman_validation.py), `--only` with path-like
codes (test_cli_e2e.py).
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from evalbook.cli.commands import main
from evalbook.inputs.reading import MAX_FILE_BYTES
from evalbook.notebook.year import open_year
from evalbook.output.tables import write_results
from hostile_fixtures import (
    FORMULA_START,
    NAIMAN,
    REPO,
    WENDENG,
    YEARS,
    csv_cells,
    csv_formula_cells,
    free_text_columns,
    markup_problems,
    naiman_cohort,
    notebook_html,
    read_rows,
    tree_state,
    wendeng_cohort,
    xlsx_text_cells,
)
from test_cli_e2e import evalbook
from test_validation import CachingRunner

# --------------------------------------------------------------------------- the published baseline


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("bad-inputs")
    data, out = root / "data", root / "out"
    hostile = {WENDENG: wendeng_cohort(data), NAIMAN: naiman_cohort(data)}
    result = evalbook("run", "--all", "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return SimpleNamespace(data=data, out=out, hostile=hostile, year=lambda scheme: out / scheme / str(YEARS[scheme]))


@pytest.fixture(scope="module", autouse=True)
def one_suite_runner():
    """Every in-process command of this module shares one Great Expectations runner that validates each
    distinct (suite, parameters, table) once (test_validation's CachingRunner): a case pays only for
    the files it corrupted. The outcome of a validation does not depend on who ran it before."""
    from evalbook.inputs.validation import SuiteRunner

    shared = CachingRunner(SuiteRunner())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("evalbook.inputs.intake.SuiteRunner", lambda: shared)
        yield


def cli(capsys, *args) -> tuple[int, str]:
    """The `evalbook` command in this process: (exit code, everything it printed). A traceback fails the test."""
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def copy_scheme(published, scheme: str, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(published.data / scheme, data / scheme)
    return data


# --------------------------------------------------------------------------- corrupting a copy
# Each returns a function of the scheme's data folder; what it returns fills the {placeholders} of the
# expected words (e.g. the line it edited).

def _rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _line_of(rows: list[list[str]], match: dict[str, str]) -> int:
    header = rows[0]
    return next(i for i, row in enumerate(rows) if i and all(row[header.index(k)] == v for k, v in match.items())) + 1


def set_cell(file: str, match: dict[str, str], column: str, value: str):
    def corrupt(base: Path) -> dict:
        rows = _rows(base / file)
        line = _line_of(rows, match)
        rows[line - 1][rows[0].index(column)] = value
        _write(base / file, rows)
        return {"line": line}
    return corrupt


def change_line(file: str, line: int, change: Callable[[list[str]], list[str]]):
    def corrupt(base: Path) -> dict:
        rows = _rows(base / file)
        rows[line - 1] = change(rows[line - 1])
        _write(base / file, rows)
        return {}
    return corrupt


def duplicate_row(file: str, match: dict[str, str]):
    def corrupt(base: Path) -> dict:
        rows = _rows(base / file)
        line = _line_of(rows, match)
        rows.append(list(rows[line - 1]))
        _write(base / file, rows)
        return {"line": line, "copy": len(rows)}
    return corrupt


def drop_column(file: str, column: str):
    def corrupt(base: Path) -> dict:
        rows = _rows(base / file)
        at = rows[0].index(column)
        _write(base / file, [row[:at] + row[at + 1:] for row in rows])
        return {}
    return corrupt


def add_column(file: str, name: str, value: str):
    def corrupt(base: Path) -> dict:
        rows = _rows(base / file)
        _write(base / file, [rows[0] + [name]] + [row + [value] for row in rows[1:]])
        return {}
    return corrupt


def set_bytes(file: str, content: Callable[[bytes], bytes]):
    def corrupt(base: Path) -> dict:
        (base / file).write_bytes(content((base / file).read_bytes()))
        return {}
    return corrupt


def remove(file: str):
    def corrupt(base: Path) -> dict:
        (base / file).unlink()
        return {}
    return corrupt


def oversize(file: str):
    """The file grown (sparse: nothing is written) one byte past reading.MAX_FILE_BYTES."""
    def corrupt(base: Path) -> dict:
        with open(base / file, "r+b") as handle:
            handle.truncate(MAX_FILE_BYTES + 1)
        return {"size": MAX_FILE_BYTES + 1}
    return corrupt


def saved_by_excel(encoding: str, bom: bool = False):
    """Every CSV of the scheme as Excel saves it: CRLF line ends, and GBK (中文 Windows「CSV（逗号分隔）」)
    or UTF-8 with a BOM (「CSV UTF-8」)."""
    def corrupt(base: Path) -> dict:
        for path in base.rglob("*.csv"):
            text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
            path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
        return {}
    return corrupt


def line_in_gbk(file: str, line: int):
    """One line of a UTF-8 file saved as GBK (a name pasted from another program): the other lines stay UTF-8."""
    def corrupt(base: Path) -> dict:
        lines = (base / file).read_bytes().split(b"\n")
        lines[line - 1] = lines[line - 1].decode("utf-8").encode("gbk")
        (base / file).write_bytes(b"\n".join(lines))
        utf8 = [n for n, raw in enumerate(lines, start=1) if n != line and not raw.isascii()]
        assert len(utf8) <= 5, utf8  # the message names them all
        return {"utf8_zh": "、".join(map(str, utf8)), "utf8_en": ", ".join(map(str, utf8))}
    return corrupt


def stray_quote(file: str, line: int, column: str):
    """A ``"`` typed at the start of one cell (opening a quote that does not close on its line)."""
    def corrupt(base: Path) -> dict:
        rows = _rows(base / file)
        rows[line - 1][rows[0].index(column)] = "\x00QUOTE" + rows[line - 1][rows[0].index(column)]
        _write(base / file, rows)
        raw = (base / file).read_bytes()
        # the marker is put where the cell's text begins, inside any quoting the writer added
        (base / file).write_bytes(raw.replace(b'"\x00QUOTE', b'"\"').replace(b"\x00QUOTE", b'"'))
        return {"line": line}
    return corrupt


def more_months(file: str, months: tuple[str, ...]):
    """Copies of the first ledger row for further months (each sent on the 3rd of the next): still valid."""
    def corrupt(base: Path) -> dict:
        rows = _rows(base / file)
        header = rows[0]
        for month in months:
            row = list(rows[1])
            row[header.index("month")] = month
            year, number = map(int, month.split("-"))
            row[header.index("submitted_on")] = f"{year + number // 12}-{number % 12 + 1:02d}-03"
            rows.append(row)
        _write(base / file, rows)
        return {}
    return corrupt


def chain(*corrupts):
    def corrupt(base: Path) -> dict:
        found: dict = {}
        for step in corrupts:
            found.update(step(base))
        return found
    return corrupt


def near_duplicate_expert(file: str, match: dict[str, str]):
    """A copy of a row scored by the same expert, the id typed in another case (E05 / e05)."""
    def corrupt(base: Path) -> dict:
        rows = _rows(base / file)
        line = _line_of(rows, match)
        copy = list(rows[line - 1])
        at = rows[0].index("expert")
        copy[at] = copy[at].upper() if copy[at].upper() != copy[at] else copy[at].lower()
        rows.append(copy)
        _write(base / file, rows)
        return {"line": line, "copy": len(rows)}
    return corrupt


def submitted_before_month(file: str, line: int):
    def corrupt(base: Path) -> dict:
        rows = _rows(base / file)
        month = rows[line - 1][rows[0].index("month")]
        year, number = map(int, month.split("-"))
        before = f"{year - 1}-12-31" if number == 1 else f"{year}-{number - 1:02d}-28"  # a day of the month before
        rows[line - 1][rows[0].index("submitted_on")] = before
        _write(base / file, rows)
        return {"line": line, "value": before, "month": month}
    return corrupt


def linked_outside(file: str):
    """The file replaced by a symbolic link to the same bytes outside the data folder."""
    def corrupt(base: Path) -> dict:
        outside = base.parent.parent / "elsewhere" / Path(file).name
        outside.parent.mkdir(exist_ok=True)
        outside.write_bytes((base / file).read_bytes())
        (base / file).unlink()
        (base / file).symlink_to(outside)
        return {"target": str(outside.resolve())}
    return corrupt


def workbook_bytes(_: bytes) -> bytes:
    """An Excel workbook saved under the CSV's name (a zip archive, binary)."""
    from io import BytesIO

    from openpyxl import Workbook

    buffer = BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the corpus

@dataclass(frozen=True)
class Case:
    id: str
    scheme: str
    corrupt: Callable[[Path], dict]
    words: tuple[str, ...]                      # each must appear in the output, {placeholders} filled
    absent: tuple[str, ...] = field(default=())  # must not appear


CODE_RULE = ("不是路径或设备名", "not a path or device name")
NAME_RULE = ("专科只能由汉字、英文字母、数字、括号、·、- 和 _ 组成，最长30字（不含空格、斜杠、点）",
             "specialty Chinese or ASCII letters, digits, brackets, '·', '-', '_' only, ≤ 30 (no spaces, slashes or dots)")
CARDIO = {"code": "NMRM", "specialty": "心血管内科"}
ONCOLOGY = {"code": "NMRM", "specialty": "肿瘤科"}  # a candidate: few rows depend on it

REFUSED = [
    # ---- shape of the file
    Case("ragged-row-extra-cell", WENDENG, change_line("2023/facts.csv", 3, lambda cells: cells + ["1"]),
         ("2023/facts.csv, 第3行 row 3", "本行有 35 个单元格，表头有 34 列", "row has 35 cells but the header has 34 columns")),
    Case("ragged-row-missing-cell", WENDENG, change_line("2023/judgments.csv", 2, lambda cells: cells[:4]),
         ("2023/judgments.csv, 第2行 row 2", "本行有 4 个单元格，表头有 5 列", "row has 4 cells but the header has 5 columns")),
    Case("empty-file", WENDENG, set_bytes("2023/facts.csv", lambda _: b""),
         ("2023/facts.csv, 第1行 row 1", "文件为空，缺少表头行", "the file is empty: no header row")),
    Case("bom-only-file", NAIMAN, set_bytes("2025/targets.csv", lambda _: b"\xef\xbb\xbf"),
         ("2025/targets.csv, 第1行 row 1", "文件为空，缺少表头行", "the file is empty: no header row")),
    Case("header-only", WENDENG, set_bytes("2023/facts.csv", lambda raw: raw.split(b"\n")[0] + b"\n"),
         ("2023/facts.csv, 列 column 'code'; 值 value='D1'", "机构名单中的每个机构都应有一行考评事实",
          "every institution in institutions.csv needs a facts row")),
    Case("missing-column", WENDENG, drop_column("2023/expert_scores.csv", "risk"),
         ("2023/expert_scores.csv, 第1行 row 1, 列 column 'risk'", "缺少必需的列", "required column is missing")),
    Case("duplicate-column", NAIMAN, add_column("2025/onsite.csv", "talent", "80"),
         ("2025/onsite.csv, 第1行 row 1, 列 column 'talent'", "表头中列名重复", "duplicate column in the header")),
    Case("missing-required-file", NAIMAN, remove("2025/onsite.csv"),
         ("2025/onsite.csv", "缺少必需的文件", "required file is missing")),
    Case("csv-over-512-mb", WENDENG, oversize("2023/facts.csv"),
         ("2023/facts.csv", "文件过大（{size} 字节，上限 536870912 字节；上限由环境变量 EVALBOOK_MAX_FILE_MB 设定",
          "file too large ({size} bytes, limit 536870912; the limit is the setting EVALBOOK_MAX_FILE_MB")),
    # ---- not a CSV we can read
    Case("utf16-unicode-text", WENDENG, saved_by_excel("utf-16"),
         ("institutions.csv", "文件编码无法识别：请另存为 UTF-8 或 GB18030（GBK）CSV",
          "cannot decode the file: save it as UTF-8 or GB18030 (GBK) CSV")),
    Case("workbook-saved-as-csv", WENDENG, set_bytes("2023/facts.csv", workbook_bytes),
         ("2023/facts.csv", "这是 Excel 工作簿，不是 CSV 文件", "this is an Excel workbook, not a CSV file")),
    # ---- values
    Case("chinese-numeral", WENDENG, set_cell("2023/facts.csv", {"code": "D1"}, "trainees_3m", "十二"),
         ("2023/facts.csv, 第{line}行 row {line}, 列 column 'trainees_3m'; 值 value='十二'",
          "进修满3个月人数应为不小于0的整数（不带单位，不用中文数字）",
          "trainees_3m must be a whole number ≥ 0 (no units, no Chinese numerals)")),
    Case("chinese-numeral-on-site", NAIMAN, set_cell("2025/onsite.csv", CARDIO, "management", "七十四"),
         ("2025/onsite.csv, 第{line}行 row {line}, 列 column 'management', （机构 NMRM，专科 心血管内科）; 值 value='七十四'",
          "医院管理应为不小于0的数（不带单位，不用中文数字）",
          "management must be a number ≥ 0 (no units, no Chinese numerals)")),
    Case("unit-suffix", WENDENG, set_cell("2023/facts.csv", {"code": "P1"}, "expert_sessions", "12人"),
         ("2023/facts.csv, 第{line}行 row {line}, 列 column 'expert_sessions'; 值 value='12人'",
          "外聘专家坐诊带教次数应为不小于0的整数（不带单位，不用中文数字）", "expert_sessions must be a whole number ≥ 0")),
    Case("unit-suffix-in-survey", NAIMAN, set_cell("2025/indicators.csv", {**CARDIO, "period": "2025", "indicator": "1.3.1"},
                                                   "value", "12人"),
         ("2025/indicators.csv, 第{line}行 row {line}, 列 column 'value', "
          "（机构 NMRM，专科 心血管内科，统计期 2025，指标 1.3.1 医师人数）; 值 value='12人'",
          "该指标的数值应为不小于0的整数", "this indicator's value must be a whole number ≥ 0")),
    Case("negative", WENDENG, set_cell("2023/expert_scores.csv", {"code": "P2"}, "advantage", "-1"),
         ("2023/expert_scores.csv, 第{line}行 row {line}, 列 column 'advantage'; 值 value='-1'",
          "特色优势应为不小于0的数（不带单位，不用中文数字）", "advantage must be a number ≥ 0")),
    Case("negative-target", NAIMAN, set_cell("2025/targets.csv", {**CARDIO, "indicator": "1.4.3"}, "target", "-6"),
         ("2025/targets.csv, 第{line}行 row {line}, 列 column 'target', "
          "（机构 NMRM，专科 心血管内科，指标 1.4.3 硕士学历人数）; 值 value='-6'",
          "目标值应为不小于0的数", "target must be a number ≥ 0")),
    Case("over-the-rubric-maximum", WENDENG, set_cell("2023/expert_scores.csv", {"code": "P2"}, "advantage", "20.5"),
         ("2023/expert_scores.csv, 第{line}行 row {line}, 列 column 'advantage'; 值 value=20.5",
          "特色优势应不小于0且不大于20（评分规则中的 max_advantage）", "advantage must be ≥ 0 and ≤ 20 (rubric: max_advantage)")),
    Case("percent-over-100", NAIMAN,
         set_cell("2025/indicators.csv", {**CARDIO, "period": "2025", "indicator": "2.3.6"}, "value", "120"),
         ("2025/indicators.csv, 第{line}行 row {line}, 列 column 'value', （机构 NMRM，专科 心血管内科，统计期 2025，"
          "指标 2.3.6 住院患者出院后31天非预期再住院率）; 值 value='120'",
          "百分比应在0至100之间", "a percent must be between 0 and 100")),
    Case("percent-target-over-100", NAIMAN, set_cell("2025/targets.csv", {**CARDIO, "indicator": "2.3.9"}, "target", "101"),
         ("2025/targets.csv, 第{line}行 row {line}, 列 column 'target'", "值 value=101.0", "百分比指标的目标值应在0至100之间",
          "a percent target must be between 0 and 100")),
    Case("on-site-score-over-100", NAIMAN, set_cell("2025/onsite.csv", CARDIO, "talent", "101"),
         ("2025/onsite.csv, 第{line}行 row {line}, 列 column 'talent'", "值 value=101.0", "人才队伍建设应不小于0且不大于100",
          "talent must be ≥ 0 and ≤ 100")),
    # ---- rows
    Case("duplicate-row", WENDENG, duplicate_row("2023/expert_scores.csv", {"code": "P1"}),
         ("2023/expert_scores.csv, 第{line}行 row {line}, 列 column 'code+project+expert'",
          "2023/expert_scores.csv, 第{copy}行 row {copy}",
          "同一专家对同一项目只能评分一次", "one row per code + project + expert")),
    Case("duplicate-survey-row", NAIMAN, duplicate_row("2025/indicators.csv", {**CARDIO, "period": "2025", "indicator": "2.1.1"}),
         ("2025/indicators.csv, 第{copy}行 row {copy}, 列 column 'code+specialty+period+indicator'",
          "同一专科同一统计期的同一指标只能填一个值", "one value per code + specialty + period + indicator")),
    # ---- codes and names
    Case("unknown-code", WENDENG, set_cell("2023/expert_scores.csv", {"code": "P3"}, "code", "ZZ9"),
         ("2023/expert_scores.csv, 第{line}行 row {line}, 列 column 'code'; 值 value='ZZ9'",
          "机构代码应在机构名单（institutions.csv）中", "code must be listed in institutions.csv")),
    Case("unknown-code-of-a-specialty", NAIMAN, set_cell("2025/specialties.csv", ONCOLOGY, "code", "ZZ9"),
         ("2025/specialties.csv, 第{line}行 row {line}, 列 column 'code'", "值 value='ZZ9'",
          "机构代码应在机构名单（institutions.csv）中", "code must be listed in institutions.csv")),
    Case("code-windows-path-in-the-list", WENDENG, set_cell("institutions.csv", {"code": "D1"}, "code", "C:\\x"),
         ("institutions.csv, 第2行 row 2, 列 column 'code'; 值 value='C:\\\\x'", *CODE_RULE)),
    *[Case(f"code-{label}", WENDENG, set_cell("2023/expert_scores.csv", {"code": "P1"}, "code", code),
           ("2023/expert_scores.csv, 第{line}行 row {line}, 列 column 'code'; 值 value=" + repr(code), *CODE_RULE))
      for label, code in (("dot-dot", "../x"), ("CON", "CON"), ("NUL", "NUL"), ("COM1", "COM1"), ("slash", "a/b"),
                          ("windows-path", "C:\\x"))],
    *[Case(f"specialty-code-{code}", NAIMAN, set_cell("2025/specialties.csv", ONCOLOGY, "code", code),
           ("2025/specialties.csv, 第{line}行 row {line}, 列 column 'code'", f"值 value='{code}'", *CODE_RULE))
      for code in ("com1",)],
    *[Case(f"specialty-{label}", NAIMAN, set_cell("2025/specialties.csv", ONCOLOGY, "specialty", name),
           ("2025/specialties.csv, 第{line}行 row {line}, 列 column 'specialty'", "值 value=" + repr(name), *NAME_RULE))
      for label, name in (("dot-dot", "../x"), ("slash", "a/b"), ("windows-path", "C:\\x"))],
]

BIG = "1" * 400
REFUSED += [
    # ---- input integrity: what used to pass silently or crash `run`
    Case("one-gbk-line-in-a-utf8-file", WENDENG, line_in_gbk("institutions.csv", 3),
         ("institutions.csv", "文件混用了两种编码：第{utf8_zh}行是 UTF-8，第3行不是 UTF-8（可能是 GBK）",
          "the file mixes encodings: line(s) {utf8_en} are UTF-8, line(s) 3 are not")),
    Case("stray-quote-in-the-ledger", WENDENG, chain(more_months("2023/ledger.csv", ("2023-04", "2023-05", "2023-06")),
                                                     stray_quote("2023/ledger.csv", 3, "work_done")),
         ("2023/ledger.csv, 第3行 row 3", "第3行有一个引号（\"）开始的单元格在本行没有正确结束",
          "a quote (\") opens a cell on line 3 and does not close properly")),
    Case("stray-quote-in-the-survey", NAIMAN, stray_quote("2025/onsite.csv", 2, "expert"),
         ("2025/onsite.csv, 第2行 row 2", "第2行有一个引号", "opens a cell on line 2")),
    Case("400-digit-count", WENDENG, set_cell("2023/facts.csv", {"code": "D1"}, "trainees_3m", BIG),
         (f"2023/facts.csv, 第{{line}}行 row {{line}}, 列 column 'trainees_3m'; 值 value='{BIG}'",
          "进修满3个月人数应不小于0且不大于1000000000", "trainees_3m must be ≥ 0 and ≤ 1000000000")),
    Case("400-digit-expert-score", WENDENG, set_cell("2023/expert_scores.csv", {"code": "P2"}, "advantage", BIG),
         (f"2023/expert_scores.csv, 第{{line}}行 row {{line}}, 列 column 'advantage'; 值 value='{BIG}'",
          "特色优势应不小于0且不大于20（评分规则中的 max_advantage）", "advantage must be ≥ 0 and ≤ 20 (rubric: max_advantage)")),
    Case("400-digit-target", NAIMAN, set_cell("2025/targets.csv", {**CARDIO, "indicator": "1.4.3"}, "target", BIG),
         (f"2025/targets.csv, 第{{line}}行 row {{line}}, 列 column 'target', "
          f"（机构 NMRM，专科 心血管内科，指标 1.4.3 硕士学历人数）; 值 value='{BIG}'",
          "目标值应不小于0且不大于1000000000", "target must be ≥ 0 and ≤ 1000000000")),
    Case("seven-decimals", WENDENG, set_cell("2023/facts.csv", {"code": "D1"}, "internal_funds_wan", "12.1234567"),
         ("2023/facts.csv, 第{line}行 row {line}, 列 column 'internal_funds_wan'; 值 value='12.1234567'",
          "内部专项资金（万元）最多6位小数", "internal_funds_wan may have at most 6 decimal places")),
    Case("expert-id-in-another-case", WENDENG, near_duplicate_expert("2023/expert_scores.csv", {"code": "P1"}),
         ("2023/expert_scores.csv, 第{line}行 row {line}, 列 column 'code+project+expert'",
          "2023/expert_scores.csv, 第{copy}行 row {copy}, 列 column 'code+project+expert'",
          "同一专家对同一项目只能评分一次（比较专家时不区分大小写、全角半角和首尾空格：E05 与 e05 是同一专家）",
          "experts compared ignoring case, full/half width and spaces: E05 and e05 are one expert")),
    Case("on-site-expert-id-in-another-case", NAIMAN, near_duplicate_expert("2025/onsite.csv", CARDIO),
         ("2025/onsite.csv, 第{line}行 row {line}, 列 column 'code+specialty+expert'",
          "2025/onsite.csv, 第{copy}行 row {copy}, 列 column 'code+specialty+expert'",
          "同一专家对同一专科只能评分一次", "E05 and e05 are one expert")),
    Case("ledger-submitted-before-its-month", WENDENG, submitted_before_month("2023/ledger.csv", 2),
         ("2023/ledger.csv, 第{line}行 row {line}, 列 column 'submitted_on'; 值 value='{value}'",
          "报送日期不能早于台账月份的第一天", "submitted_on must not be before the first day of the ledger's month")),
    Case("data-file-linked-outside", WENDENG, linked_outside("2023/facts.csv"),
         ("2023/facts.csv; 值 value='{target}'", "数据文件（或其所在文件夹）是指向数据文件夹之外的链接，拒绝读取",
          "the data file (or its folder) is a link to outside the data folder: refused")),
]

ACCEPTED = [
    Case("gbk-crlf-as-excel-on-chinese-windows", WENDENG, saved_by_excel("gbk"), ()),
    Case("gbk-crlf-as-excel-on-chinese-windows", NAIMAN, saved_by_excel("gbk"), ()),
    Case("utf8-bom-crlf", WENDENG, saved_by_excel("utf-8", bom=True), ()),
    Case("utf8-bom-crlf", NAIMAN, saved_by_excel("utf-8", bom=True), ()),
    Case("one-megabyte-ledger-cell", WENDENG, set_cell("2023/ledger.csv", {"code": "D1"}, "work_done", "台" * 1_000_000), ()),
    Case("multi-line-ledger-cell-as-excel-writes-it", WENDENG,
         set_cell("2023/ledger.csv", {"code": "D1"}, "work_done", "1. 开展义诊；\n2. 完成培训，3人"), ()),
    Case("extra-column", WENDENG, add_column("institutions.csv", "备注", "<b>=1+2</b>"),
         ("[警告 WARNING] institutions.csv, 第1行 row 1, 列 column '备注'", "未知的列，已忽略", "unknown column, ignored")),
]


@pytest.mark.parametrize("case", REFUSED, ids=[f"{c.scheme.split('-')[0]}-{c.id}" for c in REFUSED])
def test_bad_csv_is_refused_with_a_clear_message_and_nothing_published(case, published, tmp_path, capsys):
    data = copy_scheme(published, case.scheme, tmp_path)
    where = case.corrupt(data / case.scheme)
    before = tree_state(published.out)
    code, text = cli(capsys, "run", case.scheme, "--year", YEARS[case.scheme], "--data", data, "--out", published.out)
    assert code == 1, text
    assert "Traceback" not in text
    missing = [w.format(**where) for w in case.words if w.format(**where) not in text]
    assert not missing, f"missing {missing} in:\n{text}"
    assert "数据有误，未评分、未发布" in text and "previous outputs are untouched" in text
    assert tree_state(published.out) == before


@pytest.mark.parametrize("case", ACCEPTED, ids=[f"{c.scheme.split('-')[0]}-{c.id}" for c in ACCEPTED])
def test_accepted_variants_validate_and_score_like_the_original(case, published, tmp_path, capsys):
    data = copy_scheme(published, case.scheme, tmp_path)
    case.corrupt(data / case.scheme)
    code, text = cli(capsys, "validate", case.scheme, "--year", YEARS[case.scheme], "--data", data)
    assert code == 0, text
    assert "校验通过" in text and "Traceback" not in text
    missing = [w for w in case.words if w not in text]
    assert not missing, f"missing {missing} in:\n{text}"
    book = open_year(case.scheme, YEARS[case.scheme], data)
    tables = tmp_path / "tables"
    tables.mkdir()
    written = [name for name in write_results(book.scheme, book.intake, book.scores, tables) if name.endswith(".csv")]
    assert written
    for name in written:  # the same scores, to the byte, as the published run of the UTF-8 original
        assert (tables / name).read_bytes() == (published.year(case.scheme) / name).read_bytes(), name


@pytest.mark.parametrize("char", ["\u202e", "\u200b"], ids=["rtl-override", "zero-width-space"])
def test_invisible_characters_in_a_name_are_a_warning_naming_the_cell(char, published, tmp_path, capsys):
    data = copy_scheme(published, WENDENG, tmp_path)
    rows = _rows(data / WENDENG / "institutions.csv")
    rows[2][1] = rows[2][1][:3] + char + rows[2][1][3:]
    _write(data / WENDENG / "institutions.csv", rows)
    code, text = cli(capsys, "validate", WENDENG, "--year", YEARS[WENDENG], "--data", data)
    assert code == 0, text
    assert f"[警告 WARNING] institutions.csv, 第3行 row 3, 列 column 'name'; 值 value={rows[2][1]!r}" in text
    assert f"含有不可见的方向控制字符或零宽字符（U+{ord(char):04X}）" in text
    assert f"contains invisible direction-override or zero-width characters (U+{ord(char):04X})" in text
    assert repr(rows[2][1]).count("\\u") == 1  # the message shows the character escaped, not acting on the terminal


# --------------------------------------------------------------------------- what `run` wrote: inert

@pytest.mark.parametrize("scheme", [WENDENG, NAIMAN])
def test_every_free_text_field_of_the_cohort_is_hostile(published, scheme):
    assert set(published.hostile[scheme].placed) == free_text_columns(scheme)


def test_every_html_page_shows_hostile_text_as_text(published):
    pages = sorted(published.out.rglob("*.html"))
    # the overview; per scheme-year index.html, audit.html, changes.html and signatures.html; report.html and
    # audit.html per unit (5 + 2)
    assert len(pages) == 1 + 4 * 2 + 2 * 5 + 2 * 2, pages
    texts = []
    for page in pages:
        bad, text = markup_problems(page.read_text(encoding="utf-8"))
        assert bad == [], (page, bad)
        texts.append(text)
    shown = "\n".join(texts)
    for scheme, hostile in published.hostile.items():
        for (file, column), values in hostile.placed.items():  # every hostile field reached a page, as text
            assert any(value in shown for value in values), (scheme, file, column)


def test_every_notebook_output_is_escaped_html(published):
    notebooks = sorted(published.out.rglob("*.ipynb"))
    assert len(notebooks) == 2 + 5 + 2
    for notebook in notebooks:
        outputs = notebook_html(notebook)
        assert outputs, notebook
        for html in outputs:
            assert markup_problems(html)[0] == [], notebook


def test_every_csv_written_neutralises_formula_text(published):
    files = sorted(published.out.rglob("*.csv"))
    assert [f.name for f in files] == ["indicator_scores.csv", "leave_one_out.csv", "panel.csv", "scores.csv",
                                       "sensitivity.csv", "trend_items.csv", "trends.csv",
                                       "leave_one_out.csv", "panel.csv", "project_scores.csv", "scores.csv",
                                       "sensitivity.csv", "trend_items.csv", "trends.csv"]
    for path in files:
        assert csv_formula_cells(path) == [], path
    wendeng, naiman = published.year(WENDENG), published.year(NAIMAN)
    names = published.hostile[WENDENG].placed[("institutions.csv", "name")]
    assert [r["name"] for r in read_rows(wendeng / "scores.csv")] == ["'" + name for name in names]  # exactly one apostrophe
    projects = set(published.hostile[WENDENG].placed[("expert_scores.csv", "project")])
    assert {r["project"] for r in read_rows(wendeng / "project_scores.csv")} == {"'" + p for p in projects}
    stability = [r for r in read_rows(wendeng / "sensitivity.csv") if r["scenario"] == "default"]  # a row per unit
    assert [r["name"] for r in stability] == ["'" + name for name in names]
    experts = published.hostile[WENDENG].placed[("expert_scores.csv", "expert")]  # panel.csv: one row per expert score
    assert [r["expert"] for r in read_rows(wendeng / "panel.csv")] == ["'" + e for e in experts]
    naiman_names = {r["code"]: r["name"] for r in read_rows(published.data / NAIMAN / "institutions.csv")}
    assert {r["name"] for r in read_rows(naiman / "scores.csv")} == {"'" + naiman_names["NMRM"]}
    assert not [c for path in files for c in csv_cells(path) if c.startswith("''")]


def test_every_workbook_written_keeps_formula_text_as_text(published):
    files = sorted(published.out.rglob("*.xlsx"))
    assert len(files) == 2
    seen = set()
    for path in files:
        cells = xlsx_text_cells(path)
        assert cells, path
        for (where, data_type, quote_prefix), value in cells:
            assert (data_type, quote_prefix) == ("s", True), (path.name, where, value)  # text, shown with Excel's '
            assert value.startswith(FORMULA_START), (path.name, where, value)             # the text itself, no ' added
            seen.add(value)
    names = published.hostile[WENDENG].placed[("institutions.csv", "name")]
    assert set(names) <= seen


@pytest.mark.parametrize("scheme,year,list_file", [
    ("wendeng-featured", "2023", "institutions.csv"),
    ("naiman-specialty", "2025", "2025/specialties.csv"),
], ids=["wendeng-institutions", "naiman-specialties"])
def test_an_unreadable_list_gives_one_error_not_one_per_code_elsewhere(tmp_path, capsys, scheme, year, list_file):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / scheme, data / scheme)
    (data / scheme / list_file).write_bytes(b"")  # empty: not even a header
    code = main(["validate", scheme, "--year", year, "--data", str(data)])
    text = capsys.readouterr().out
    assert code == 1
    errors = [line for line in text.splitlines() if line.startswith("[错误 ERROR]")]
    assert errors == [f"[错误 ERROR] {list_file}, 第1行 row 1"], text
    assert "were not checked against it (fix it first)" in text
    assert "must be listed" not in text and "不在" not in text


def test_a_file_over_a_configured_cap_is_refused_naming_the_setting(tmp_path, capsys, monkeypatch):
    """EVALBOOK_MAX_FILE_MB=1 (1,048,576 bytes) and a facts.csv of 1,048,577: exit 1, the file, its size, the limit
    and the setting named in both languages; at exactly 1 MB the file is read (the cap admits its own size)."""
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / WENDENG, data / WENDENG)
    facts = data / WENDENG / "2023" / "facts.csv"
    monkeypatch.setenv("EVALBOOK_MAX_FILE_MB", "1")
    with open(facts, "r+b") as handle:
        handle.truncate(1024 * 1024 + 1)
    code, text = cli(capsys, "validate", WENDENG, "--year", "2023", "--data", data)
    assert code == 1
    assert ("2023/facts.csv" in text and "文件过大（1048577 字节，上限 1048576 字节；上限由环境变量 EVALBOOK_MAX_FILE_MB 设定"
            in text), text
    assert "file too large (1048577 bytes, limit 1048576; the limit is the setting EVALBOOK_MAX_FILE_MB" in text
    with open(facts, "r+b") as handle:
        handle.truncate(1024 * 1024)
    code, text = cli(capsys, "validate", WENDENG, "--year", "2023", "--data", data)
    assert "文件过大" not in text and "file too large" not in text


@pytest.mark.parametrize("value", ["abc", "0", "-5", "1.5", "２", "2000000"])
def test_an_invalid_file_cap_setting_is_a_clear_error(tmp_path, capsys, monkeypatch, value):
    monkeypatch.setenv("EVALBOOK_MAX_FILE_MB", value)
    code, text = cli(capsys, "validate", WENDENG, "--year", "2023", "--data", REPO / "data")
    assert code == 1
    assert f"列 column 'EVALBOOK_MAX_FILE_MB'; 值 value={value!r}" in text, text
    assert "must be a whole number of megabytes from 1 to 1048576" in text and "应为1到1048576之间的整数" in text
    assert "Traceback" not in text
