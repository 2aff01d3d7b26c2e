"""The round's first steps: what ingest puts on record (submissions.csv, the received workbooks, each value's
workbook cell) and the letters of queries (`evalbook queries`) that name those cells.

On a copy of the demo year (wendeng-featured 2023): the templates are prefilled from it, ingested once as they
are (numbers come back in their canonical form: 17.0 → 17), and then changed as a hospital or the 考评组 would.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

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


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


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
