"""A whole evaluation round on the demo data (wendeng-featured 2023), through the command line.

Templates go out; a hospital sends a workbook with a mistake; the letter of queries names the workbook cell;
the corrected workbook comes in; the year is published; a correction (the 考评组 reports two findings of slow
progress for WDZG) is ingested and the year published again; the 更正说明 and `evalbook diff` name what moved;
the year is signed; `verify` proves it, and refuses it once a published file is changed.

By hand, from rubrics/wendeng-featured.yaml: item 14 is 8 − 1 × slack_findings − … (per_slack_finding 1), so two
findings take WDZG's item 14 from 8 to 6, its 附件3 score down by 2 and its total down by 0.7 × 2 = 1.4.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import load_workbook

from csv_rows import read_rows as rows
from evalbook.cli.commands import main
from evalbook.excel.layout import FIRST_ROW
from evalbook.schemes.wendeng_featured import templates

REPO = Path(__file__).resolve().parents[1]
SCHEME, YEAR = "wendeng-featured", 2023
FACTS = templates.layout(YEAR).sheets[0]
ROW = {item.column.name: FIRST_ROW + index for index, item in enumerate(FACTS.fields)}
SHEET = "附件3考评事实"


def cell(name: str) -> str:
    return f"F{ROW[name]}"  # 序号 | 一级 | 二级 | 三级指标 | 说明/单位 | 2023年


@pytest.fixture(scope="module")
def round_(tmp_path_factory):
    root = tmp_path_factory.mktemp("round")
    data, out = root / "data", root / "out"
    shutil.copytree(REPO / "data" / SCHEME, data / SCHEME, ignore=shutil.ignore_patterns("2022"))

    def evalbook(*args) -> int:
        return main([str(a) for a in args])

    return root, data, out, evalbook


def test_a_whole_round(round_, capsys):
    root, data, out, evalbook = round_
    year_out = out / SCHEME / str(YEAR)

    # templates out, prefilled; the hospital sends WDZG.xlsx with 9 late submissions where its ledger shows 0
    assert evalbook("template", SCHEME, "--year", YEAR, "--data", data, "--out", root / "t", "--prefill") == 0
    sent = root / "t" / SCHEME / str(YEAR) / "WDZG.xlsx"
    book = load_workbook(sent)
    correct = book[SHEET][cell("late_submissions")].value
    book[SHEET][cell("late_submissions")] = 9
    (root / "in1").mkdir()
    book.save(root / "in1" / "WDZG.xlsx")
    assert evalbook("ingest", SCHEME, "--year", YEAR, "--from", root / "in1", "--data", data) == 0

    # the letter of queries names the workbook cell
    assert evalbook("queries", SCHEME, "--year", YEAR, "--data", data, "--out", root / "q1") == 0
    queried = rows(root / "q1" / SCHEME / str(YEAR) / "queries.csv")
    late = [q for q in queried if q["code"] == "WDZG" and q["location"] == f"WDZG.xlsx!{SHEET}!{cell('late_submissions')}"]
    assert late and late[0]["value"] == "9"
    assert f"WDZG.xlsx!{SHEET}!{cell('late_submissions')}" in (root / "q1" / SCHEME / str(YEAR) / "WDZG.html").read_text(
        encoding="utf-8")

    # the corrected workbook comes in: the query is gone, both submissions are on record
    book[SHEET][cell("late_submissions")] = correct
    (root / "in2").mkdir()
    book.save(root / "in2" / "WDZG.xlsx")
    assert evalbook("ingest", SCHEME, "--year", YEAR, "--from", root / "in2", "--data", data) == 0
    assert evalbook("queries", SCHEME, "--year", YEAR, "--data", data, "--out", root / "q2") == 0
    assert not [q for q in rows(root / "q2" / SCHEME / str(YEAR) / "queries.csv")
                if q["location"] == f"WDZG.xlsx!{SHEET}!{cell('late_submissions')}"]
    log = rows(data / SCHEME / str(YEAR) / "submissions.csv")
    wdzg = {r["sha256"] for r in log if r["code"] == "WDZG" and r["file"] == "facts.csv"}
    assert len(wdzg) == 2 and all((data / SCHEME / str(YEAR) / "submissions" / f"{s}.xlsx").is_file() for s in wdzg)

    # publish: revision 1, unsigned, no changes.csv
    assert evalbook("run", SCHEME, "--year", YEAR, "--data", data, "--out", out) == 0
    first = {r["code"]: r for r in rows(year_out / "scores.csv")}
    assert not (year_out / "changes.csv").exists() and not (year_out / "history").exists()

    # a correction by the 考评组: two findings of slow progress for WDZG; published again as revision 2
    book[SHEET][cell("slack_findings")] = 2
    (root / "in3").mkdir()
    book.save(root / "in3" / "WDZG.xlsx")
    assert evalbook("ingest", SCHEME, "--year", YEAR, "--from", root / "in3", "--data", data) == 0
    capsys.readouterr()
    assert evalbook("run", SCHEME, "--year", YEAR, "--data", data, "--out", out) == 0
    second = {r["code"]: r for r in rows(year_out / "scores.csv")}
    assert json.loads((year_out / "manifest.json").read_text(encoding="utf-8"))["revision"]["number"] == 2
    assert rows(year_out / "history" / "1" / "scores.csv") == list(first.values())  # revision 1 kept as published

    changes = {(c["code"], c["field"]): c for c in rows(year_out / "changes.csv")}
    item = changes[("WDZG", "item_14")]
    assert (Fraction(item["before"]), Fraction(item["after"])) == (8, 6)
    assert item["before"] == first["WDZG"]["item_14"] and item["after"] == second["WDZG"]["item_14"]
    total = changes[("WDZG", "total")]
    assert Fraction(total["before"]) - Fraction(total["after"]) == Fraction(7, 5)  # 0.7 × 2
    assert Fraction(changes[("WDZG", "rubric_score")]["before"]) - Fraction(changes[("WDZG", "rubric_score")]["after"]) == 2
    assert all(c["code"] == "WDZG" or c["field"] in ("group_rank", "award", "prize_wan") for c in changes.values())
    note = (year_out / "changes.html").read_text(encoding="utf-8")
    assert "WDZG" in note and ("slack_findings" in note or "推进迟缓" in note)

    # evalbook diff of the two publications says the same as changes.csv
    capsys.readouterr()
    assert evalbook("diff", year_out / "history" / "1", year_out) == 0
    printed = capsys.readouterr().out
    assert printed == (year_out / "changes.csv").read_text(encoding="utf-8")

    # sign, then verify: it passes and lists the signature
    assert evalbook("sign", year_out, "--by", "张三", "--role", "医政科科长", "--note", "复核无误") == 0
    [signature] = json.loads((year_out / "signatures.json").read_text(encoding="utf-8"))
    assert signature["manifest_sha256"] == hashlib.sha256((year_out / "manifest.json").read_bytes()).hexdigest()
    capsys.readouterr()
    assert evalbook("verify", year_out) == 0
    said = capsys.readouterr().out
    assert "张三" in said and "history/1" in said

    # a changed published file: verify fails
    page = year_out / "WDZG" / "report.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>x</p></body>", 1))
    assert evalbook("verify", year_out / "WDZG") == 1
