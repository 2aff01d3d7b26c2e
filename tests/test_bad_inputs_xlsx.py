"""The bad-input corpus, workbook side: `evalbook ingest` and `evalbook template` on hostile cohorts.

The hostile but valid cohorts of hostile_fixtures get prefilled templates (`template --prefill`), which
are ingested back once: that data folder is the baseline. Each case copies it, corrupts one prefilled
workbook with openpyxl (or at the zip level) and runs `evalbook ingest` on it: the exit code, every
word of the message (workbook!sheet!cell, column, value, rule in Chinese and English), no traceback,
and the data folder byte-identical (no CSV changed, no temporary file left). The zip bombs run in a
subprocess that reports how much its memory grew while ingesting.

Already covered elsewhere, not repeated here: wrong values cell by cell — Chinese numerals, units,
negatives, percents over 100, lists, dates, moved rows and columns, missing sheets (test_workbooks.py
and test_naiman_workbooks.py, BROKEN).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from evalbook.cli.commands import main
from evalbook.excel.layout import FIRST_ROW, INFO_SHEET
from evalbook.excel.zip_limits import MAX_UNCOMPRESSED_BYTES
from evalbook.inputs.reading import unescaped
from evalbook.schemes.naiman_specialty import templates as naiman_templates
from evalbook.schemes.wendeng_featured import templates as wendeng_templates
from hostile_fixtures import (
    FORMULA_START,
    NAIMAN,
    REPO,
    WENDENG,
    YEARS,
    naiman_cohort,
    read_rows,
    tree_state,
    wendeng_cohort,
    write_rows,
    xlsx_text_cells,
)

WORKBOOK = {WENDENG: "D1.xlsx", NAIMAN: "NMRM-心血管内科.xlsx"}
FACTS = wendeng_templates.layout(YEARS[WENDENG]).sheets[0]
FACT_CELL = {item.column.name: f"{get_column_letter(FACTS.value_column(0))}{FIRST_ROW + offset}"
             for offset, item in enumerate(FACTS.fields)}
SURVEY_ROW = {item.column.name: FIRST_ROW + offset
              for offset, item in enumerate(naiman_templates.layout(YEARS[NAIMAN]).sheets[0].fields)}
FORMULA_RULE = ("输入单元格不能使用公式，请直接填写数值", "an input cell must not hold a formula")
BAD_CODE_RULE = ("机构代码缺失或无效：只能由英文字母、数字、- 和 _ 组成", "institution code missing or invalid")


def cli(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> SimpleNamespace:
    """Hostile data, its prefilled templates, and the data once those were ingested back (the baseline)."""
    root = tmp_path_factory.mktemp("bad-workbooks")
    data, templates = root / "data", root / "templates"
    hostile = {WENDENG: wendeng_cohort(data), NAIMAN: naiman_cohort(data)}
    original = tree_state(data)
    shutil.copytree(data, root / "original")
    for scheme, year in YEARS.items():
        for owner in ("hospital", "committee"):
            assert main(["template", scheme, "--year", str(year), "--data", str(data), "--out", str(templates), "--prefill",
                         "--for", owner]) == 0
        filled = templates / scheme / str(year)
        assert main(["ingest", scheme, "--year", str(year), "--from", str(filled), "--data", str(data)]) == 0
    return SimpleNamespace(data=data, templates=templates, hostile=hostile, original=original,
                           filled=lambda scheme: templates / scheme / str(YEARS[scheme]))


def prepare(cohort, scheme: str, tmp_path: Path, name: str | None = None) -> tuple[Path, Path]:
    """(a private copy of the baseline data, a folder holding one prefilled workbook of ``scheme``)."""
    data, folder = tmp_path / "data", tmp_path / "filled"
    shutil.copytree(cohort.data / scheme, data / scheme)
    folder.mkdir()
    shutil.copy(cohort.filled(scheme) / WORKBOOK[scheme], folder / (name or WORKBOOK[scheme]))
    return data, folder


# --------------------------------------------------------------------------- corrupting a workbook

def edit(change: Callable) -> Callable[[Path], dict]:
    """Open the workbook with openpyxl, ``change(book)``, save it."""
    def corrupt(path: Path) -> dict:
        book = load_workbook(path)
        where = change(book) or {}
        book.save(path)
        return where
    return corrupt


def put(sheet: str, cell: str, value) -> Callable[[Path], dict]:
    def change(book):
        book[sheet][cell] = value  # a str starting with '=' is stored as a formula, as Excel would
    return edit(change)


def extra_sheet(state: str) -> Callable[[Path], dict]:
    def change(book):
        sheet = book.create_sheet("草稿")
        sheet["A1"] = "=SUM(1,2)"
        sheet["A2"] = "<script>alert(1)</script>"
        sheet.sheet_state = state
    return edit(change)


def grow_to(size: int) -> Callable[[Path], dict]:
    """The file grown (sparse: nothing is written) to ``size`` bytes."""
    def corrupt(path: Path) -> dict:
        with open(path, "r+b") as handle:
            handle.truncate(size)
        return {"size": size}
    return corrupt


def rezip(compression: dict[str, int]) -> Callable[[Path], dict]:
    """The same parts, some compressed another way (e.g. bzip2, which Excel never writes)."""
    def corrupt(path: Path) -> dict:
        with zipfile.ZipFile(path) as archive:
            parts = [(info.filename, archive.read(info)) for info in archive.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in parts:
                archive.writestr(name, content, compress_type=compression.get(name, zipfile.ZIP_DEFLATED))
        return {}
    return corrupt


def not_a_workbook(path: Path) -> dict:
    path.write_text("code,name\nD1,甲\n", encoding="utf-8")
    return {}


THEME = "xl/theme/theme1.xml"  # openpyxl reads the theme whole into memory: the worst place for a bomb
BOMB_MIB = 300


def bomb(path: Path, forge_size: bool) -> int:
    """Rewrite the workbook with BOMB_MIB MiB of blanks inside its theme (valid XML, ~300 KB zipped).

    With ``forge_size`` the zip's directory states the theme's old size: the stated total passes the
    20 MB check, and only inflating the part shows what it is. Returns the stated total.
    """
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in parts:
            if info.filename != THEME:
                archive.writestr(info.filename, content)
                continue
            head, rest = content.split(b"?>", 1)
            with archive.open(THEME, "w") as stream:
                stream.write(head + b"?>")
                blanks = b" " * (1 << 20)
                for _ in range(BOMB_MIB):
                    stream.write(blanks)
                stream.write(rest)
    if forge_size:
        raw = bytearray(path.read_bytes())
        entry = raw.find(b"PK\x01\x02")
        while raw[entry + 46: entry + 46 + struct.unpack_from("<H", raw, entry + 28)[0]] != THEME.encode():
            entry = raw.find(b"PK\x01\x02", entry + 4)
        theme_size = next(len(c) for i, c in parts if i.filename == THEME)
        struct.pack_into("<I", raw, entry + 24, theme_size)  # central directory: uncompressed size
        path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())


# --------------------------------------------------------------------------- the corpus

@dataclass(frozen=True)
class Case:
    id: str
    scheme: str
    corrupt: Callable[[Path], dict]
    code: int                # the exit code: 1 refused, 0 accepted with a warning
    words: tuple[str, ...]   # each must appear in the output, {placeholders} filled


W, N = WORKBOOK[WENDENG], WORKBOOK[NAIMAN]
CASES = [
    Case("formula-in-an-input-cell", WENDENG, put("附件3考评事实", FACT_CELL["trainees_3m"], "=1+2"), 1,
         (f"{W}!附件3考评事实!{FACT_CELL['trainees_3m']}, 列 column 'trainees_3m'; 值 value='=1+2'", *FORMULA_RULE)),
    Case("formula-in-a-free-text-cell", WENDENG, put("附件5工作台账", "D3", '=HYPERLINK("http://x.invalid","点此")'), 1,
         (f"{W}!附件5工作台账!D3, 列 column 'work_done'", *FORMULA_RULE)),
    Case("formula-in-the-survey", NAIMAN, put("调查表", f"G{SURVEY_ROW['2.1.1']}", "=SUM(F3:F9)"), 1,
         (f"{N}!调查表!G{SURVEY_ROW['2.1.1']}, 列 column '2.1.1', （统计期 2025，指标 2.1.1 门诊人次）; 值 value='=SUM(F3:F9)'",
          *FORMULA_RULE)),
    Case("formula-as-the-institution-code", WENDENG, put(INFO_SHEET, "B6", '="D1"'), 1,
         (f"{W}!填写说明!B6, 列 column 'code'", "值 value='=\"D1\"'", *BAD_CODE_RULE)),
    Case("merged-input-cells", NAIMAN,
         edit(lambda book: book["调查表"].merge_cells(f"G{SURVEY_ROW['1.3.1']}:G{SURVEY_ROW['1.3.2']}")), 1,
         (f"{N}!调查表!G{SURVEY_ROW['1.3.1']}:G{SURVEY_ROW['1.3.2']}", "填写区域的单元格不能合并：请取消合并，每格填一个值",
          "input cells must not be merged")),
    Case("merged-table-cells", WENDENG, edit(lambda book: book["附件6统计表"].merge_cells("D3:E3")), 1,
         (f"{W}!附件6统计表!D3:E3", "填写区域的单元格不能合并", "input cells must not be merged")),
    Case("extra-sheet", WENDENG, extra_sheet("visible"), 0,
         (f"[警告 WARNING] {W}!草稿", "多余的工作表，已忽略", "extra sheet, ignored", "已读入1个工作簿")),
    Case("hidden-sheet", WENDENG, extra_sheet("hidden"), 0,
         (f"[警告 WARNING] {W}!草稿", "多余的工作表（隐藏），已忽略", "extra sheet (hidden), ignored")),
    Case("very-hidden-sheet", NAIMAN, extra_sheet("veryHidden"), 0,
         (f"[警告 WARNING] {N}!草稿", "多余的工作表（隐藏），已忽略", "extra sheet (hidden), ignored")),
    Case("workbook-over-20-mb", WENDENG, grow_to(MAX_UNCOMPRESSED_BYTES + 1), 1,
         (f"[错误 ERROR] {W}\n", "工作簿过大（{size} 字节，上限 20971520 字节），不予读取",
          "workbook too large ({size} bytes, limit 20971520)")),
    Case("not-a-workbook", WENDENG, not_a_workbook, 1,
         (f"[错误 ERROR] {W}\n", "不是有效的 .xlsx 工作簿", "not a valid .xlsx workbook")),
    Case("part-compressed-with-bzip2", NAIMAN, rezip({"xl/worksheets/sheet2.xml": zipfile.ZIP_BZIP2}), 1,
         (f"[错误 ERROR] {N}; 值 value='xl/worksheets/sheet2.xml'", "或使用了 Excel 不用的压缩方式",
          "compression or encryption Excel")),
    *[Case(f"code-{label}", WENDENG, put(INFO_SHEET, "B6", code), 1,
           (f"{W}!填写说明!B6, 列 column 'code'; 值 value={code!r}", *BAD_CODE_RULE))
      for label, code in (("dot-dot", "../x"), ("CON", "CON"), ("NUL", "nul"), ("COM1", "COM1"), ("slash", "a/b"),
                          ("windows-path", "C:\\x"))],
    Case("specialty-dot-dot", NAIMAN, put(INFO_SHEET, "B8", "../x"), 1,
         (f"{N}!填写说明!B8, 列 column 'specialty'; 值 value='../x'", "专科“../x”不在机构 NMRM 的名单（specialties.csv）中",
          "specialty '../x' is not listed for institution NMRM")),
    Case("unknown-code", WENDENG, put(INFO_SHEET, "B6", "ZZ9"), 1,
         (f"{W}!填写说明!B6, 列 column 'code'; 值 value='ZZ9'", "机构代码 ZZ9 不在机构名单（institutions.csv）中",
          "institution code ZZ9 is not listed in institutions.csv")),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.scheme.split('-')[0]}-{c.id}" for c in CASES])
def test_bad_workbook_gets_a_clear_message_and_no_csv_changes(case, cohort, tmp_path, capsys):
    data, folder = prepare(cohort, case.scheme, tmp_path)
    where = case.corrupt(folder / WORKBOOK[case.scheme])
    before = tree_state(data)
    code, text = cli(capsys, "ingest", case.scheme, "--year", YEARS[case.scheme], "--from", folder, "--data", data)
    assert code == case.code, text
    assert "Traceback" not in text
    missing = [w.format(**where) for w in case.words if w.format(**where) not in text]
    assert not missing, f"missing {missing} in:\n{text}"
    if case.code == 1:
        assert "CSV 文件均未改动" in text and "no CSV file was changed" in text
    after = tree_state(data)
    if case.code == 0:  # accepted: the round's records of what came in grow (tests/test_round_queries.py)
        after, before = ({k: v for k, v in state.items() if "submissions" not in Path(k).parts[2:3]
                          and not k.endswith("/submissions.csv")} for state in (after, before))
    assert after == before  # refused: untouched, records too; accepted: the same rows written back, byte for byte
    assert sorted(p.name for p in folder.iterdir()) == [WORKBOOK[case.scheme]]


MEASURED = ("import resource, sys\n"
            "import evalbook.cli.commands, evalbook.excel.scheme_io, evalbook.schemes.wendeng_featured.templates\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "code = evalbook.cli.commands.main(sys.argv[1:])\n"
            "grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before\n"
            "print(f'peak memory grew by {grown} KiB', file=sys.stderr)\n"
            "sys.exit(code)\n")


def test_zip_bombs_are_refused_with_a_size_message_and_memory_bounded(cohort, tmp_path):
    """Two bombs of 300 MiB in ~300 KB each: one stating its size honestly, one understating it.
    Reading either whole would take 300 MiB; the ingestion may grow by less than 100 MiB."""
    data, folder = prepare(cohort, WENDENG, tmp_path, "honest.xlsx")
    shutil.copy(folder / "honest.xlsx", folder / "forged.xlsx")
    stated = bomb(folder / "honest.xlsx", forge_size=False)
    bomb(folder / "forged.xlsx", forge_size=True)
    assert stated > BOMB_MIB << 20 and max(p.stat().st_size for p in folder.iterdir()) < 1 << 20
    before = tree_state(data)
    with open(tmp_path / "output.txt", "w", encoding="utf-8") as output:
        child = subprocess.Popen([sys.executable, "-c", MEASURED, "ingest", WENDENG, "--year", str(YEARS[WENDENG]),
                                  "--from", str(folder), "--data", str(data)], cwd=REPO, stdout=output, stderr=subprocess.STDOUT,
                                 env={**os.environ, "PYTHONWARNINGS": "ignore"})
        _, status, _ = os.wait4(child.pid, 0)
    text = (tmp_path / "output.txt").read_text(encoding="utf-8")
    assert os.waitstatus_to_exitcode(status) == 1, text
    assert "Traceback" not in text
    refusal_zh = f"工作簿解压后过大（{stated} 字节，上限 20971520 字节），不予读取；可能是损坏或恶意文件"
    assert f"[错误 ERROR] honest.xlsx\n    规则: {refusal_zh}" in text
    assert f"workbook too large once unpacked ({stated} bytes, limit 20971520); not read: damaged or hostile file" in text
    assert f"[错误 ERROR] forged.xlsx; 值 value='{THEME}'\n    规则: 工作簿内的文件解压后与其记录的大小不符" in text
    assert "a part of the workbook does not unpack to its stated size" in text and "CSV 文件均未改动" in text
    grown = int(text.split("peak memory grew by ")[1].split()[0])
    assert grown < 100 * 1024, text
    assert tree_state(data) == before


# --------------------------------------------------------------------------- what template and ingest write

def test_prefilled_templates_keep_every_hostile_text_as_text(cohort):
    """Formula-like text is written as text with Excel's quote prefix (shown, never computed); no cell
    is a formula; the text itself is unchanged."""
    books = sorted(cohort.templates.rglob("*.xlsx"))
    assert sorted(p.name for p in books) == sorted(["D1.xlsx", "D2.xlsx", "P1.xlsx", "P2.xlsx", "P3.xlsx", "NMMY-脑病科.xlsx",
                                                    "NMRM-心血管内科.xlsx", "NMRM-神经内科.xlsx", "NMRM-肿瘤科.xlsx",
                                                    "考评组.xlsx", "考评组.xlsx"])  # one committee workbook per scheme
    written = set()
    for path in books:
        for (where, data_type, quote_prefix), value in xlsx_text_cells(path):
            assert (data_type, quote_prefix) == ("s", True), (path.name, where, value)
            assert value.startswith(FORMULA_START), (path.name, where, value)
            written.add(value)
    for scheme, hostile in cohort.hostile.items():
        for (file, column), values in hostile.placed.items():  # the committee's files too, in its own workbook
            if file != "experts.csv":  # the commission's expert registry: no workbook carries it
                assert set(values) <= written, (scheme, file, column)


def test_ingest_protects_formula_text_and_reads_back_exactly_what_was_typed(cohort):
    """The year's CSVs are the inputs, and evaluators open them in Excel: ingest writes text that starts
    with = + - @ with a leading ' (numbers such as -1.5 stay numbers); reading takes the ' off, so the
    prefilled workbooks come back as exactly the data they were filled from. naiman's survey drops the
    rows whose value was empty."""
    original = cohort.data.parent / "original"
    rewritten = 0
    for path, state in cohort.original.items():
        if state == "folder" or not path.endswith(".csv") or path == f"{NAIMAN}/2025/indicators.csv":
            continue
        written = read_rows(cohort.data / path)
        assert [{k: unescaped(v) for k, v in row.items()} for row in written] == read_rows(original / path), path
        if (cohort.data / path).read_bytes() == (original / path).read_bytes():
            continue  # not rewritten by ingest (the institution list; files already protected)
        rewritten += 1
        for row in written:
            for value in row.values():
                assert not value.startswith(FORMULA_START) or re.fullmatch(r"[+-]?[0-9.]+", value), (path, value)
    assert rewritten >= 4  # the files whose hostile text ingest had to protect
    indicators = read_rows(cohort.data / NAIMAN / "2025" / "indicators.csv")
    details = [unescaped(r["value"]) for r in indicators if r["indicator"].endswith(".detail")]
    assert details and set(details) == set(cohort.hostile[NAIMAN].placed[("indicators.csv", "value")])
    assert any(r["value"].startswith("'=") for r in indicators)  # the hostile text was there to protect


def test_what_reading_unescapes_ingest_escapes_so_the_round_trip_is_exact():
    from evalbook.excel.merge import _spreadsheet_safe

    for typed in ["=1+2", "+86 0631", "-x", "@SUM(A1)", "'=already quoted", "''=two", "'plain", "-1.5", "+3", "12%",
                  "普通文字", ""]:
        assert unescaped(_spreadsheet_safe(typed)) == typed, typed
    assert _spreadsheet_safe("-1.5") == "-1.5" and _spreadsheet_safe("=1+2") == "'=1+2"


@pytest.mark.parametrize("scheme,file,match,column,bad", [
    (WENDENG, "institutions.csv", {"code": "D1"}, "code", "../x"),
    (WENDENG, "institutions.csv", {"code": "P2"}, "code", "CON"),
    (NAIMAN, "2025/specialties.csv", {"specialty": "肿瘤科"}, "specialty", "a/b"),
], ids=["wendeng-code-dot-dot", "wendeng-code-CON", "naiman-specialty-slash"])
def test_template_refuses_a_code_that_would_name_a_file_elsewhere(cohort, tmp_path, capsys, scheme, file, match, column, bad):
    data = tmp_path / "data"
    shutil.copytree(cohort.data / scheme, data / scheme)
    rows = read_rows(data / scheme / file)
    line = next(i for i, r in enumerate(rows, start=2) if all(r[k] == v for k, v in match.items()))
    rows[line - 2][column] = bad
    write_rows(data / scheme / file, rows)
    out = tmp_path / "templates"
    code, text = cli(capsys, "template", scheme, "--year", YEARS[scheme], "--data", data, "--out", out)
    assert code == 1 and "Traceback" not in text
    assert f"{file}, 第{line}行 row {line}, 列 column '{column}'; 值 value='{bad}'" in text
    assert not out.exists() or tree_state(out) == {}
