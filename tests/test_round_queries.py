"""The round's first steps: what ingest puts on record (submissions.csv, the received workbooks, each value's
workbook cell) and the letters of queries (`evalbook queries`) that name those cells.

On a copy of the demo year (wendeng-featured 2023): the templates are prefilled from it, ingested once as they
are (numbers come back in their canonical form: 17.0 → 17), and then changed as a hospital or the 考评组 would.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from csv_rows import read_rows as rows
from evalbook.cli.commands import main
from evalbook.excel.layout import COMMITTEE_WORKBOOK, FIRST_ROW
from evalbook.inputs import records
from evalbook.round.queries import COLUMNS
from evalbook.schemes.wendeng_featured import templates

REPO = Path(__file__).resolve().parents[1]
SCHEME, YEAR = "wendeng-featured", 2023
FACTS = templates.layout(YEAR).sheets[0]
FACT_ROW = {item.column.name: FIRST_ROW + index for index, item in enumerate(FACTS.fields)}
LATE_CELL = f"F{FACT_ROW['late_submissions']}"  # 序号 | 一级 | 二级 | 三级指标 | 说明/单位 | 2023年


def evalbook(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def prefilled(tmp_path_factory) -> dict[str, Path]:
    """The demo year, its prefilled workbooks (hospital and committee) ingested once as they are."""
    root = tmp_path_factory.mktemp("round")
    data = root / "data"
    shutil.copytree(REPO / "data" / SCHEME, data / SCHEME, ignore=shutil.ignore_patterns("2022"))
    for owner in ("hospital", "committee"):
        assert main([str(a) for a in ("template", SCHEME, "--year", YEAR, "--data", data, "--out", root / "t",
                                      "--prefill", "--for", owner)]) == 0
    books = root / "t" / SCHEME / str(YEAR)
    assert main([str(a) for a in ("ingest", SCHEME, "--year", YEAR, "--from", books, "--data", data)]) == 0
    return {"data": data, "books": books}


@pytest.fixture
def year(prefilled, tmp_path) -> dict[str, Path]:
    data = tmp_path / "data"
    shutil.copytree(prefilled["data"], data)
    return {"data": data, "books": prefilled["books"], "dir": data / SCHEME / str(YEAR), "root": tmp_path}


def send(year: dict, name: str, change) -> Path:
    """A folder holding one workbook, ``name`` as prefilled, changed by ``change(book)``."""
    folder = year["root"] / f"sent-{name}"
    folder.mkdir(exist_ok=True)
    book = load_workbook(year["books"] / name)
    change(book)
    book.save(folder / name)
    return folder


def set_late(value):
    def change(book):
        book["附件3考评事实"][LATE_CELL] = value
    return change


# --------------------------------------------------------------------------- the letter names the workbook cell

def test_a_mistake_ingested_from_a_workbook_is_queried_at_its_cell(year, capsys):
    code, out = evalbook(capsys, "ingest", SCHEME, "--year", YEAR, "--from", send(year, "WDZG.xlsx", set_late(9)),
                         "--data", year["data"])
    assert code == 0, out
    out_dir = year["root"] / "queries"
    code, out = evalbook(capsys, "queries", SCHEME, "--year", YEAR, "--data", year["data"], "--out", out_dir)
    assert code == 0, out
    folder = out_dir / SCHEME / str(YEAR)
    with open(folder / "queries.csv", encoding="utf-8", newline="") as stream:
        assert next(csv.reader(stream)) == list(COLUMNS)
    [line] = [r for r in rows(folder / "queries.csv") if r["code"] == "WDZG" and r["rule_zh"].startswith("迟报次数")]
    # the ledger of WDZG shows how many are late; it said 9: a warning, at the cell where 9 was typed
    assert line == {"code": "WDZG", "name": "文登整骨医院", "severity": "warning", "file": f"{YEAR}/facts.csv",
                    "location": f"WDZG.xlsx!附件3考评事实!{LATE_CELL}", "value": "9", "rule_zh": line["rule_zh"],
                    "rule_en": line["rule_en"]}
    letter = (folder / "WDZG.html").read_text(encoding="utf-8")
    assert f"WDZG.xlsx!附件3考评事实!{LATE_CELL}" in letter and "迟报次数与台账报送日期不符" in letter
    assert "文登整骨医院" in letter and "处理方式" in letter and "@media print" in letter
    assert "http://" not in letter and "https://" not in letter and "<script" not in letter  # self-contained, static
    # only institutions with a problem get a letter: each letter's code has a line in queries.csv
    letters = {p.stem for p in folder.glob("*.html")}
    assert letters == {r["code"] for r in rows(folder / "queries.csv") if r["code"]}


def test_a_value_changed_in_the_csv_since_ingest_is_named_by_file_row_and_column(year, capsys):
    evalbook(capsys, "ingest", SCHEME, "--year", YEAR, "--from", send(year, "WDZG.xlsx", set_late(9)), "--data", year["data"])
    facts = year["dir"] / "facts.csv"
    lines = facts.read_text(encoding="utf-8").splitlines()
    [line] = [number for number, text in enumerate(lines, start=1) if text.startswith("WDZG,")]
    # a hand edit (a space after a code, which reading strips) makes the file differ from what ingest recorded
    facts.write_bytes(facts.read_bytes().replace(b"\nWDZG,", b"\nWDZG ,", 1))
    code, out = evalbook(capsys, "queries", SCHEME, "--year", YEAR, "--data", year["data"], "--out", year["root"] / "q")
    assert code == 0, out
    found = rows(year["root"] / "q" / SCHEME / str(YEAR) / "queries.csv")
    [late] = [r for r in found if r["rule_zh"].startswith("迟报次数") and r["code"] == "WDZG"]
    assert late["location"] == f"{YEAR}/facts.csv:{line}:late_submissions" and late["value"] == "9"
    assert not any("WDZG.xlsx!" in r["location"] for r in found)


# --------------------------------------------------------------------------- submissions on record

def lower_first_expert_score(book):
    """The 考评组 lowers the first expert row's 优势 score (附件4专家评分!E3: B code, C project, D expert, E advantage)."""
    cell = book["附件4专家评分"]["E3"]
    cell.value = float(cell.value) - 1


def drop_last_ledger_row(book):
    sheet = book["附件5工作台账"]
    last = max(row for row in range(FIRST_ROW, sheet.max_row + 1) if sheet.cell(row=row, column=2).value is not None)
    for column in range(2, sheet.max_column + 1):
        sheet.cell(row=last, column=column).value = None


def test_each_ingest_is_on_record_with_its_workbook_and_counts(year, capsys):
    folder = year["dir"]
    before_log = (folder / records.LOG).read_text(encoding="utf-8")  # the module's first ingest: 22 + 2 × 22 units
    first = len(records.read_log(folder))
    experts_line = rows(folder / "expert_scores.csv")[0]  # WDZG,中医正骨手法复位,E07,17,…
    assert experts_line["code"] == "WDZG"
    ledger_before = [r for r in rows(folder / "ledger.csv") if r["code"] == "WDZG"]

    # 1: the committee lowers one expert score
    committee = send(year, COMMITTEE_WORKBOOK, lower_first_expert_score)
    assert evalbook(capsys, "ingest", SCHEME, "--year", YEAR, "--from", committee, "--data", year["data"])[0] == 0
    log = records.read_log(folder)
    mine = log[first:]
    assert (folder / records.LOG).read_text(encoding="utf-8").startswith(before_log)  # earlier lines kept, byte for byte
    committee_sha = sha(committee / COMMITTEE_WORKBOOK)
    assert {r["sha256"] for r in mine} == {committee_sha} and {r["owner"] for r in mine} == {"experts", "committee"}
    assert len(mine) == 22 * 2  # every unit it lists × its two files
    changed = [(r["code"], r["file"], r["rows_added"], r["rows_changed"], r["rows_removed"]) for r in mine
               if (r["rows_added"], r["rows_changed"], r["rows_removed"]) != ("0", "0", "0")]
    assert changed == [("WDZG", "expert_scores.csv", "0", "1", "0")]
    kept = folder / records.FOLDER / f"{committee_sha}.xlsx"
    assert kept.read_bytes() == (committee / COMMITTEE_WORKBOOK).read_bytes()
    assert float(rows(folder / "expert_scores.csv")[0]["advantage"]) == float(experts_line["advantage"]) - 1
    addresses = records.read_csv(folder / records.ADDRESSES)
    committee_addresses = [a for a in addresses if a["file"] in ("expert_scores.csv", "judgments.csv")]
    assert {"file": "expert_scores.csv", "row": "2", "column": "advantage", "address": "考评组.xlsx!附件4专家评分!E3",
            "sha256": committee_sha, "file_sha256": sha(folder / "expert_scores.csv")} in committee_addresses
    committee_files = {f: sha(folder / f) for f in ("expert_scores.csv", "judgments.csv")}
    log_after_committee = (folder / records.LOG).read_text(encoding="utf-8")

    # 2: WDZG changes its 迟报次数 and withdraws its last ledger row
    def hospital_change(book):
        set_late(9)(book)
        drop_last_ledger_row(book)
    hospital = send(year, "WDZG.xlsx", hospital_change)
    assert evalbook(capsys, "ingest", SCHEME, "--year", YEAR, "--from", hospital, "--data", year["data"])[0] == 0
    hospital_sha = sha(hospital / "WDZG.xlsx")
    assert (folder / records.LOG).read_text(encoding="utf-8").startswith(log_after_committee)
    mine = records.read_log(folder)[first + 44:]
    assert [(r["code"], r["file"], r["sha256"], r["owner"], r["rows_added"], r["rows_changed"], r["rows_removed"])
            for r in mine] == [("WDZG", "facts.csv", hospital_sha, "hospital", "0", "1", "0"),
                               ("WDZG", "project_stats.csv", hospital_sha, "hospital", "0", "0", "0"),
                               ("WDZG", "ledger.csv", hospital_sha, "hospital", "0", "0", "1")]
    assert all(r["received_at"].endswith("Z") and len(r["received_at"]) == 20 for r in mine)
    assert (folder / records.FOLDER / f"{hospital_sha}.xlsx").is_file() and kept.is_file()  # both versions kept
    assert len([r for r in rows(folder / "ledger.csv") if r["code"] == "WDZG"]) == len(ledger_before) - 1
    # the committee's files and its addresses: untouched by the hospital's ingest
    assert {f: sha(folder / f) for f in committee_files} == committee_files
    after = records.read_csv(folder / records.ADDRESSES)
    assert [a for a in after if a["file"] in ("expert_scores.csv", "judgments.csv")] == committee_addresses
    # the other institutions' facts rows keep the cells of the first ingest; WDZG's point into the new workbook
    facts = [a for a in after if a["file"] == "facts.csv" and a["column"] == "late_submissions"]
    assert len(facts) == 22 and [a["sha256"] for a in facts].count(hospital_sha) == 1
    [own] = [a for a in facts if a["sha256"] == hospital_sha]
    assert own["address"] == f"WDZG.xlsx!附件3考评事实!{LATE_CELL}"


def test_a_dry_run_or_a_refused_ingest_puts_nothing_on_record(year, capsys):
    folder = year["dir"]
    before = {p: sha(p) for p in sorted(folder.rglob("*")) if p.is_file()}
    sent = send(year, "WDZG.xlsx", set_late(9))
    assert evalbook(capsys, "ingest", SCHEME, "--year", YEAR, "--from", sent, "--data", year["data"], "--dry-run")[0] == 0
    bad = send(year, "WDZG.xlsx", set_late("九"))
    assert evalbook(capsys, "ingest", SCHEME, "--year", YEAR, "--from", bad, "--data", year["data"])[0] == 1
    assert {p: sha(p) for p in sorted(folder.rglob("*")) if p.is_file()} == before


def test_the_records_are_no_input(year, capsys):
    """submissions.csv and submissions/ beside the data files: validate reads only the scheme's files."""
    assert (year["dir"] / records.LOG).is_file() and (year["dir"] / records.ADDRESSES).is_file()
    code, out = evalbook(capsys, "validate", SCHEME, "--year", YEAR, "--data", year["data"])
    assert code == 0 and "submissions.csv" not in out and "addresses.csv" not in out


# --------------------------------------------------------------------------- hostile text, exit codes

def test_hostile_text_is_escaped_in_the_letter_and_neutralised_in_the_csv(year, capsys):
    institutions = year["data"] / SCHEME / "institutions.csv"
    text = institutions.read_text(encoding="utf-8")
    institutions.write_text(text.replace("文登整骨医院", '"<script>alert(1)</script>=整骨"'), encoding="utf-8")
    experts = year["dir"] / "expert_scores.csv"
    hostile = "=HYPERLINK(\"\"http://x.invalid\"\")<img src=x onerror=alert(1)>"
    experts.write_text(experts.read_text(encoding="utf-8").replace("WDZG,中医正骨手法复位,", f'WDZG,"{hostile}",'),
                       encoding="utf-8")
    code, out = evalbook(capsys, "queries", SCHEME, "--year", YEAR, "--data", year["data"], "--out", year["root"] / "q")
    assert code == 0, out
    folder = year["root"] / "q" / SCHEME / str(YEAR)
    letter = (folder / "WDZG.html").read_text(encoding="utf-8")
    assert "<script>" not in letter and "<img" not in letter
    assert "&lt;script&gt;alert(1)&lt;/script&gt;=整骨" in letter and "&lt;img src=x onerror=alert(1)&gt;" in letter
    raw = (folder / "queries.csv").read_text(encoding="utf-8")
    values = [r["value"] for r in rows(folder / "queries.csv") if r["code"] == "WDZG"]
    assert "'=HYPERLINK" in raw and any(v.startswith("'=HYPERLINK") for v in values)
    assert not any(v.startswith("=") for r in rows(folder / "queries.csv") for v in r.values())


def test_exit_codes(year, capsys, tmp_path):
    with pytest.raises(SystemExit) as stop:
        main(["queries", "wendeng", "--year", "2023"])
    assert stop.value.code == 2  # a scheme that does not exist: usage, nothing written
    code, out = evalbook(capsys, "queries", SCHEME, "--year", YEAR, "--data", tmp_path / "nowhere", "--out", tmp_path / "q")
    assert code == 1 and "找不到该方案的数据文件夹" in out and "does not exist" in out and "Traceback" not in out
    code, out = evalbook(capsys, "queries", SCHEME, "--year", 1999, "--data", year["data"], "--out", tmp_path / "q")
    assert code == 1 and "现有年度：2023" in out
    assert not (tmp_path / "q").exists()
    # invalid data (a required file missing as a whole): the letters are still written, exit 0; the file's
    # problem is of no one institution: empty code, no letter
    (year["dir"] / "facts.csv").unlink()
    code, out = evalbook(capsys, "queries", SCHEME, "--year", YEAR, "--data", year["data"], "--out", tmp_path / "q")
    assert code == 0, out
    found = rows(tmp_path / "q" / SCHEME / str(YEAR) / "queries.csv")
    missing = [r for r in found if r["file"] == f"{YEAR}/facts.csv"]
    assert missing and all(r["code"] == "" and r["name"] == "" and r["severity"] == "error" for r in missing)
    assert missing[0]["location"] == f"{YEAR}/facts.csv::"
    assert not (tmp_path / "q" / SCHEME / str(YEAR) / ".html").exists()


def test_the_report_section_lists_the_versions_and_where_each_row_came_from(year, capsys):
    from evalbook.notebook.sections import submissions_section
    from evalbook.notebook.year import open_year
    from evalbook.output.plaintext import text_of

    sent = send(year, "WDZG.xlsx", set_late(3))
    assert evalbook(capsys, "ingest", SCHEME, "--year", YEAR, "--from", sent, "--data", year["data"])[0] == 0
    second = sha(sent / "WDZG.xlsx")
    book = open_year(SCHEME, YEAR, year["data"])
    page = str(submissions_section(book, "WDZG"))
    shown = text_of(submissions_section(book, "WDZG"))
    # WDZG's versions: its prefilled workbook, the 考评组's (covering every unit), then its second workbook
    versions = list(dict.fromkeys(line["sha256"] for line in records.read_log(year["dir"]) if line["code"] == "WDZG"))
    assert len(versions) == 3 and versions[2] == second
    assert all(v[:12] in page for v in versions) and "版本3" in shown
    # facts.csv's WDZG row came from the second workbook (版本3), the expert scores from the 考评组's (版本2)
    assert "WDZG.xlsx!附件3考评事实!F" in page and "考评组.xlsx!附件4专家评分!" in page
    facts_row = [r for r in shown.splitlines() if "2023/facts.csv" in r]
    experts_row = [r for r in shown.splitlines() if "2023/expert_scores.csv" in r]
    assert facts_row and all("版本3" in r for r in facts_row), shown
    assert experts_row and all("版本2" in r for r in experts_row), shown
    assert "institutions.csv" not in shown
    other = year["root"] / "plain"
    shutil.copytree(REPO / "data" / SCHEME, other / SCHEME, ignore=shutil.ignore_patterns("2022"))
    assert "没有工作簿报送记录" in str(submissions_section(open_year(SCHEME, YEAR, other), "WDZG"))


def test_an_unreadable_rubric_is_exit_1_with_a_message_and_nothing_written(year, capsys, tmp_path, monkeypatch):
    from evalbook.core.registry import get_scheme

    broken = tmp_path / "broken.yaml"
    broken.write_text("version: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(get_scheme(SCHEME), "rubric_path", lambda: broken)
    code, out = evalbook(capsys, "queries", SCHEME, "--year", YEAR, "--data", year["data"], "--out", tmp_path / "q")
    assert code == 1 and "broken.yaml" in out and "Traceback" not in out
    assert not (tmp_path / "q").exists()


def test_a_report_shows_its_versions_and_verify_reproduces_it_from_the_archived_records(year, capsys):
    out = year["root"] / "reports"
    code, text = evalbook(capsys, "run", SCHEME, "--year", YEAR, "--data", year["data"], "--out", out, "--only", "WDZG",
                          "--workers", 1)
    assert code == 0, text
    report = (out / SCHEME / str(YEAR) / "WDZG" / "report.html").read_text(encoding="utf-8")
    assert "数据来源" in report and "版本2" in report and "WDZG.xlsx!附件3考评事实!F" in report
    manifest = (out / SCHEME / str(YEAR) / "WDZG" / "manifest.json").read_text(encoding="utf-8")
    assert f'"{YEAR}/submissions.csv"' in manifest and f'"{YEAR}/submissions/addresses.csv"' in manifest
    code, text = evalbook(capsys, "verify", out / SCHEME / str(YEAR) / "WDZG", "--workers", 1)
    assert code == 0, text


def test_resume_keys_follow_the_records_and_stay_as_they_were_without_them(year, capsys):
    from evalbook.run.reuse import report_sources

    plain = report_sources(SCHEME, REPO / "data", YEAR)
    assert plain == report_sources(SCHEME, REPO / "data")  # no records: the keys of existing publications unchanged
    before = report_sources(SCHEME, year["data"], YEAR)
    assert before[f"data/{YEAR}/submissions.csv"] == sha(year["dir"] / records.LOG)
    sent = send(year, "WDZG.xlsx", lambda book: None)  # the same workbook again: same rows, one more submission
    assert evalbook(capsys, "ingest", SCHEME, "--year", YEAR, "--from", sent, "--data", year["data"])[0] == 0
    after = report_sources(SCHEME, year["data"], YEAR)
    assert after != before and {k for k in after if after[k] != before[k]} == {f"data/{YEAR}/submissions.csv",
                                                                              f"data/{YEAR}/submissions/addresses.csv"}
