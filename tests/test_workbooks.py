"""Excel templates and ingestion (the excel package, schemes/wendeng_featured/templates.py, `evalbook template` / `ingest`).

A small cohort (A1 district, P1 primary) gets blank templates (one per institution, and the 考评组's
one for both); they are filled here with openpyxl the way an institution and the 考评组 would, ingested
back, and compared with CSV text written by hand. Broken copies of the filled workbooks must be refused
with the exact workbook!sheet!cell and leave every CSV as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from evalbook.cli.commands import main
from evalbook.core.columns import Column
from evalbook.core.registry import get_scheme
from evalbook.excel.cells import CellError, CellRule, cell_text
from evalbook.excel.layout import (
    COMMITTEE_WORKBOOK,
    FIRST_ROW,
    INFO_SHEET,
    Checklist,
    Identity,
    Layout,
    LongForm,
    Period,
    catalog_fields,
)
from evalbook.excel.scheme_io import ingest
from evalbook.excel.submission import read_workbook
from evalbook.excel.writing import build_workbook
from evalbook.excel.zip_limits import check_size
from evalbook.schemes.wendeng_featured import templates as wendeng_templates
from wendeng_fixtures import perfect_facts

REPO = Path(__file__).resolve().parents[1]
SCHEME = "wendeng-featured"
YEAR = 2023
LAYOUT = wendeng_templates.layout(YEAR)
COMMITTEE_LAYOUT = wendeng_templates.committee_layout(YEAR, [Identity("A1"), Identity("P1")])
FACTS = LAYOUT.sheets[0]
FACT_ROW = {item.column.name: FIRST_ROW + index for index, item in enumerate(FACTS.fields)}
FACT_VALUE_COLUMN = "F"  # 序号 | 一级 | 二级 | 三级指标 | 说明/单位 | 2023年
HYPERLINK = '=HYPERLINK("http://x.invalid","y")'  # typed as text: written with a leading ' (reads back exactly)

# What an institution types (Excel values) → the facts.csv cell expected back.
FACT_CELLS = {
    **{name: (value, str(value)) for name, value in perfect_facts().items()
       if isinstance(value, int) and not isinstance(value, bool)},
    **{name: ("是", "1") for name, value in perfect_facts().items() if value is True},
    "contest_abstained": ("否", "0"),
    "leader_is_head": (True, "1"),                 # Excel TRUE works as well as 是
    "internal_funds_wan": (300.5, "300.5"),
    "external_funds_wan": (300.0, "300"),          # a whole number comes back without .0
    "contest_best_award": ("一等奖", "first"),      # the drop-down's label → the CSV token
    "superior_team_ranks": ("1", "1"),
    "superior_individual_ranks": (None, ""),
}
EXPERTS = {"A1": [("项目甲", "E1", 18, 17.5, 12, 13, 12.5, 11), ("项目甲", "E2", 16, 15, 11, 12, 12, 10)],
           "P1": [("项目乙", "E1", 15, 15, 10, 10, 10, 10)]}
STATS = {"A1": [("项目甲", 2022, 5, 1000, 50.5, 1, 4, 20), ("项目甲", 2023, 6, 1500, 60, 2, 5, 30)], "P1": []}
LEDGER = {"A1": [("项目甲", "2023-03", "开展义诊", None, HYPERLINK, dt.date(2023, 4, 3))], "P1": []}
JUDGMENTS = {"A1": [(16, 0.5, "总结不够深入", "评审甲")], "P1": []}

FACT_NAMES = [c.name for c in get_scheme(SCHEME).FILES["facts.csv"]]
EXPECTED = {
    "facts.csv": ",".join(FACT_NAMES) + "\n" + "".join(
        ",".join([code] + [FACT_CELLS[name][1] for name in FACT_NAMES[1:]]) + "\n" for code in ("A1", "P1")),
    "expert_scores.csv": "code,project,expert,advantage,work,economic,social,difficulty,risk\n"
                         "A1,项目甲,E1,18,17.5,12,13,12.5,11\nA1,项目甲,E2,16,15,11,12,12,10\nP1,项目乙,E1,15,15,10,10,10,10\n",
    "project_stats.csv": "code,project,year,staff,workload,revenue_wan,training_3m,expert_sessions,investment_wan\n"
                         "A1,项目甲,2022,5,1000,50.5,1,4,20\nA1,项目甲,2023,6,1500,60,2,5,30\n",
    "ledger.csv": "code,project,month,work_done,difficulties,next_steps,submitted_on\n"
                  'A1,项目甲,2023-03,开展义诊,,"\'=HYPERLINK(""http://x.invalid"",""y"")",2023-04-03\n',
    "judgments.csv": "code,item,points,reason,evaluator\nA1,16,0.5,总结不够深入,评审甲\n",
}


def evalbook(*args) -> int:
    return main([str(a) for a in args])


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and p.name != "submissions.csv"}  # the round's record of what came in grows with each ingest


def put_text(cell, text: str) -> None:
    """Text typed with a leading apostrophe: a string even when it starts with '='."""
    cell.value = text
    cell.data_type = "s"
    cell.quotePrefix = True


def put_rows(sheet, records) -> None:
    """Records typed into a table sheet's input rows (column B on)."""
    for offset, record in enumerate(records):
        for column, value in enumerate(record, start=2):
            cell = sheet.cell(row=FIRST_ROW + offset, column=column)
            if isinstance(value, str) and value.startswith("="):
                put_text(cell, value)
            else:
                cell.value = value


def fill(path: Path, code: str) -> None:
    """Fill a blank template as an institution would: values in the white cells only."""
    book = load_workbook(path)
    facts = book["附件3考评事实"]
    for name, (value, _) in FACT_CELLS.items():
        facts[f"{FACT_VALUE_COLUMN}{FACT_ROW[name]}"] = value
    for title, rows in (("附件6统计表", STATS), ("附件5工作台账", LEDGER)):
        put_rows(book[title], rows[code])
    book.save(path)


def fill_committee(path: Path) -> None:
    """Fill the blank committee workbook as the 考评组 would: every institution's rows, code first."""
    book = load_workbook(path)
    for title, rows in (("附件4专家评分", EXPERTS), ("视情扣分", JUDGMENTS)):
        put_rows(book[title], [(code, *record) for code in ("A1", "P1") for record in rows[code]])
    book.save(path)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> dict[str, Path]:
    """data/ with institutions.csv, blank templates, and filled workbooks ingested once (the good path)."""
    root = tmp_path_factory.mktemp("cohort")
    data = root / "data"
    (data / SCHEME).mkdir(parents=True)
    (data / SCHEME / "institutions.csv").write_text("code,name,group\nA1,甲区直医院,district\nP1,=1+2卫生院,primary\n",
                                                    encoding="utf-8")
    assert evalbook("template", SCHEME, "--year", YEAR, "--data", data, "--out", root / "templates") == 0
    assert evalbook("template", SCHEME, "--year", YEAR, "--data", data, "--out", root / "templates", "--for", "committee") == 0
    blank = root / "templates" / SCHEME / str(YEAR)
    filled = root / "filled"
    shutil.copytree(blank, filled)
    for code in ("A1", "P1"):
        fill(filled / f"{code}.xlsx", code)
    fill_committee(filled / COMMITTEE_WORKBOOK)
    assert evalbook("ingest", SCHEME, "--year", YEAR, "--from", filled, "--data", data) == 0
    return {"data": data, "blank": blank, "filled": filled, "year": data / SCHEME / str(YEAR)}


@pytest.fixture
def copy(cohort, tmp_path) -> dict[str, Path]:
    """A private copy of the ingested data and the filled workbooks, to break."""
    data, filled = tmp_path / "data", tmp_path / "filled"
    shutil.copytree(cohort["data"], data)
    shutil.copytree(cohort["filled"], filled)
    return {"data": data, "filled": filled, "year": data / SCHEME / str(YEAR)}


# --------------------------------------------------------------------------- templates

def test_one_workbook_per_institution_sheets_in_the_sources_order(cohort):
    assert sorted(p.name for p in cohort["blank"].iterdir()) == ["A1.xlsx", "P1.xlsx", COMMITTEE_WORKBOOK]  # no temp files left
    book = load_workbook(cohort["blank"] / "P1.xlsx")
    assert book.sheetnames == [INFO_SHEET, "附件3考评事实", "附件6统计表", "附件5工作台账"]  # the hospital's sheets only
    info = {row[0]: row[1] for row in book[INFO_SHEET].iter_rows(min_row=1, max_row=10, max_col=2, values_only=True)}
    assert info["考评方案"] == SCHEME and info["年度"] == YEAR and info["机构代码"] == "P1" and info["机构名称"] == "=1+2卫生院"
    assert book[INFO_SHEET]["B7"].data_type == "s"  # the name is text, not a formula
    facts = book["附件3考评事实"]
    assert [c.value for c in facts[2]] == ["序号", "一级指标", "二级指标", "三级指标", "说明/单位", "2023年"]
    assert [facts.cell(row=3, column=n).value for n in range(1, 5)] == [
        "1", "加强组织领导", "1. 由医疗机构主要负责人担任领导小组组长", "是否成立领导小组"]
    assert facts[f"D{FACT_ROW['trainees_3m']}"].value == "进修满3个月人数"
    assert len(FACTS.fields) == len(FACT_NAMES) - 1  # every fact but the code, once


def test_every_column_of_every_file_has_its_place():
    scheme = get_scheme(SCHEME)
    assert [s.file for s in LAYOUT.sheets + COMMITTEE_LAYOUT.sheets] == [
        "facts.csv", "project_stats.csv", "ledger.csv", "expert_scores.csv", "judgments.csv"]
    for sheet in COMMITTEE_LAYOUT.sheets:  # one workbook for all institutions: the code is a column
        assert [c.name for c in sheet.columns] == [c.name for c in scheme.FILES[sheet.file]], sheet.file
    for sheet in LAYOUT.sheets:
        names = [f.column.name for f in sheet.fields] if hasattr(sheet, "fields") else [c.name for c in sheet.columns]
        assert sorted(names) == sorted(c.name for c in scheme.FILES[sheet.file] if c.name != "code"), sheet.file
        assert all(c in scheme.FILES[sheet.file] for c in (getattr(sheet, "columns", ()) or (f.column for f in sheet.fields)))


def validation_at(sheet, coordinate: str):
    found = [dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref]
    assert len(found) == 1, coordinate
    return found[0]


def test_sheets_protected_labels_locked_inputs_unlocked(cohort):
    book = load_workbook(cohort["blank"] / "A1.xlsx")
    assert all(sheet.protection.sheet for sheet in book)
    facts = book["附件3考评事实"]
    assert facts["F3"].protection.locked is False and facts["D3"].protection.locked and facts["E3"].protection.locked
    assert facts["F2"].protection.locked and facts["A1"].protection.locked
    ledger = book["附件5工作台账"]
    assert ledger["B3"].protection.locked is False and ledger["A3"].protection.locked and ledger["B2"].protection.locked
    assert book[INFO_SHEET]["B6"].protection.locked  # the code in the 信息 area


def test_every_input_cell_has_a_typed_validation_with_a_chinese_message(cohort):
    book = load_workbook(cohort["blank"] / "A1.xlsx")
    facts = book["附件3考评事实"]
    for item in FACTS.fields:
        dv = validation_at(facts, f"F{FACT_ROW[item.column.name]}")
        assert dv.showErrorMessage and dv.error and dv.prompt and item.column.label[:4] in dv.error
    halves = validation_at(facts, f"F{FACT_ROW['party_meeting_halves']}")
    assert (halves.type, halves.operator, halves.formula1, halves.formula2) == ("whole", "between", "0", "2")
    assert validation_at(facts, f"F{FACT_ROW['leading_group']}").formula1 == '"是,否"'
    assert validation_at(facts, f"F{FACT_ROW['contest_best_award']}").formula1 == '"特等奖,一等奖,二等奖,三等奖,优秀奖,未获奖"'
    funds = validation_at(facts, f"F{FACT_ROW['internal_funds_wan']}")
    assert (funds.type, funds.operator, funds.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert facts[f"F{FACT_ROW['superior_team_ranks']}"].number_format == "@"  # '1;3' stays text
    assert validation_at(book["附件6统计表"], "C3").formula1 == '"2022,2023"'
    ledger = book["附件5工作台账"]
    assert validation_at(ledger, "C3").formula1.startswith('"2023-01,2023-02')
    assert validation_at(ledger, "G3").type == "date" and ledger["G3"].number_format == "yyyy-mm-dd"
    committee = load_workbook(cohort["blank"] / COMMITTEE_WORKBOOK)
    experts = committee["附件4专家评分"]  # 序号 | 机构代码 | 特色项目 | 专家 | 特色优势 …
    assert validation_at(experts, "B3").formula1 == "$L$3:$L$4"  # the codes, listed beside with their names
    assert [experts["L3"].value, experts["M3"].value, experts["M4"].value] == ["A1", "甲区直医院", "=1+2卫生院"]
    advantage = validation_at(experts, "E3")
    assert (advantage.type, advantage.formula2) == ("decimal", "20")  # max_advantage from the rubric
    assert validation_at(committee["视情扣分"], "C3").formula1 == '"4,7,8,15,16"'
    points = validation_at(committee["视情扣分"], "D3")
    assert (points.type, points.operator) == ("decimal", "greaterThan")
    for sheet in list(book)[1:] + list(committee)[2:]:
        for dv in sheet.data_validations.dataValidation:
            assert dv.errorTitle == "输入有误" and any("\u4e00" <= ch <= "\u9fff" for ch in dv.error)


# --------------------------------------------------------------------------- ingest: the good path

def test_filled_workbooks_come_back_as_the_csv_contract(cohort):
    for file, text in EXPECTED.items():
        assert (cohort["year"] / file).read_text(encoding="utf-8") == text, file


def test_ingested_year_passes_the_suites(cohort):
    from evalbook.inputs.intake import take_in

    intake = take_in(get_scheme(SCHEME), YEAR, cohort["data"])  # imports Great Expectations: once in this module
    assert intake.errors == []


def test_demo_year_round_trips_byte_identical_but_for_the_formula_now_protected(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / SCHEME, data / SCHEME, ignore=shutil.ignore_patterns("2022"))
    before = digest(data / SCHEME / "2023")
    ledger = data / SCHEME / "2023" / "ledger.csv"
    typed = ledger.read_text(encoding="utf-8")
    assert typed.count('"=HYPERLINK(') == 1  # the demo's hostile cell, typed by hand without protection
    assert evalbook("template", SCHEME, "--year", 2023, "--data", data, "--out", tmp_path / "t", "--prefill") == 0
    assert evalbook("template", SCHEME, "--year", 2023, "--data", data, "--out", tmp_path / "t", "--prefill",
                    "--for", "committee") == 0
    facts = data / SCHEME / "2023" / "facts.csv"
    facts.write_text(facts.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")  # rewritten, not kept
    assert evalbook("ingest", SCHEME, "--year", 2023, "--from", tmp_path / "t" / SCHEME / "2023", "--data", data) == 0
    after = digest(data / SCHEME / "2023")
    assert {k: v for k, v in after.items() if k != "ledger.csv"} == {k: v for k, v in before.items() if k != "ledger.csv"}
    assert ledger.read_text(encoding="utf-8") == typed.replace('"=HYPERLINK(', '"\'=HYPERLINK(')


def test_ingesting_one_workbook_keeps_the_other_institutions_rows(copy, capsys):
    book = load_workbook(copy["filled"] / "P1.xlsx")
    book["附件6统计表"]["B3"] = "项目乙"
    book["附件6统计表"]["C3"] = 2023
    for column in "DEFGHI":
        book["附件6统计表"][f"{column}3"] = 1
    book.save(copy["filled"] / "P1.xlsx")
    (copy["filled"] / "A1.xlsx").unlink()
    (copy["filled"] / COMMITTEE_WORKBOOK).unlink()
    assert evalbook("ingest", SCHEME, "--year", YEAR, "--from", copy["filled"], "--data", copy["data"]) == 0
    lines = (copy["year"] / "project_stats.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1:] == ["A1,项目甲,2022,5,1000,50.5,1,4,20", "A1,项目甲,2023,6,1500,60,2,5,30", "P1,项目乙,2023,1,1,1,1,1,1"]
    assert "evalbook validate" in capsys.readouterr().out


# --------------------------------------------------------------------------- ingest: refused, nothing changed

def set_cell(sheet: str, coordinate: str, value):
    def change(book):
        book[sheet][coordinate] = value
    return change


def fact(name: str, value):
    return set_cell("附件3考评事实", f"{FACT_VALUE_COLUMN}{FACT_ROW[name]}", value)


BROKEN = [
    # (case, change to A1.xlsx, workbook!sheet!cell, column, words of the rule)
    ("chinese-numeral", fact("trainees_3m", "十二"), "A1.xlsx!附件3考评事实!F12", "trainees_3m", "不用中文数字"),
    ("unit", fact("trainees_3m", "12人"), "A1.xlsx!附件3考评事实!F12", "trainees_3m", "不带单位"),
    ("negative", fact("expert_sessions", -3), "A1.xlsx!附件3考评事实!F13", "expert_sessions", "不小于0的整数"),
    ("fraction-in-int", fact("expert_sessions", 2.5), "A1.xlsx!附件3考评事实!F13", "expert_sessions", "整数"),
    ("formula", fact("expert_sessions", "=1+2"), "A1.xlsx!附件3考评事实!F13", "expert_sessions", "不能使用公式"),
    ("above-range", fact("party_meeting_halves", 3), "A1.xlsx!附件3考评事实!F6", "party_meeting_halves", "不大于2"),
    ("unknown-choice", fact("contest_best_award", "金奖"), "A1.xlsx!附件3考评事实!F27", "contest_best_award", "一等奖"),
    ("not-a-bool", fact("work_plan", "有"), "A1.xlsx!附件3考评事实!F10", "work_plan", "是/否"),
    ("required-empty", fact("tech_lead", None), "A1.xlsx!附件3考评事实!F16", "tech_lead", "不能为空"),
    ("expert-over-max", set_cell("附件4专家评分", "E3", 25), "考评组.xlsx!附件4专家评分!E3", "advantage", "不大于20"),
    ("expert-missing", set_cell("附件4专家评分", "D4", None), "考评组.xlsx!附件4专家评分!D4", "expert", "不能为空"),
    ("expert-code-unknown", set_cell("附件4专家评分", "B3", "ZZ9"), "考评组.xlsx!附件4专家评分!B3", "code", "A1 / P1"),
    ("table-formula", set_cell("附件6统计表", "E3", "=SUM(1,2)"), "A1.xlsx!附件6统计表!E3", "workload", "不能使用公式"),
    ("year-not-offered", set_cell("附件6统计表", "C3", 2021), "A1.xlsx!附件6统计表!C3", "year", "2022 / 2023"),
    ("month-as-date", set_cell("附件5工作台账", "C3", dt.datetime(2023, 3, 15)), "A1.xlsx!附件5工作台账!C3", "month",
     "2023-01 / 2023-02"),
    ("date-as-text", set_cell("附件5工作台账", "G3", "4月3日"), "A1.xlsx!附件5工作台账!G3", "submitted_on", "YYYY-MM-DD"),
    ("judgment-item", set_cell("视情扣分", "C3", 5), "考评组.xlsx!视情扣分!C3", "item", "4 / 7 / 8 / 15 / 16"),
    ("judgment-zero", set_cell("视情扣分", "D3", 0), "考评组.xlsx!视情扣分!D3", "points", "大于0"),
    ("committee-other-year", set_cell(INFO_SHEET, "B5", 2022), "考评组.xlsx!填写说明!B5", "year", "年度应为 2023"),
    ("unknown-code", set_cell(INFO_SHEET, "B6", "ZZ9"), "A1.xlsx!填写说明!B6", "code", "不在机构名单"),
    ("invalid-code", set_cell(INFO_SHEET, "B6", "../x"), "A1.xlsx!填写说明!B6", "code", "机构代码缺失或无效"),
    ("other-year", set_cell(INFO_SHEET, "B5", 2022), "A1.xlsx!填写说明!B5", "year", "年度应为 2023"),
    ("missing-sheet", lambda book: book.remove(book["附件6统计表"]), "A1.xlsx!附件6统计表", None, "缺少工作表"),
    ("committee-missing-sheet", lambda book: book.remove(book["附件4专家评分"]), "考评组.xlsx!附件4专家评分", None, "缺少工作表"),
    ("merged-inputs", lambda book: book["附件6统计表"].merge_cells("B3:B4"), "A1.xlsx!附件6统计表!B3:B4", None, "不能合并"),
    ("committee-merged-inputs", lambda book: book["附件4专家评分"].merge_cells("C3:C4"), "考评组.xlsx!附件4专家评分!C3:C4", None,
     "不能合并"),
    ("moved-row", lambda book: book["附件3考评事实"].insert_rows(5), "A1.xlsx!附件3考评事实!D5", "group_document", "请勿插入"),
    ("moved-column", lambda book: book["附件6统计表"].insert_cols(3), "A1.xlsx!附件6统计表!C2", None, "表头应为"),
    ("committee-moved-column", lambda book: book["附件4专家评分"].insert_cols(3), "考评组.xlsx!附件4专家评分!C2", None,
     "表头应为"),
]


@pytest.mark.parametrize("change,where,column,words", [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_a_wrong_cell_is_refused_by_address_and_no_csv_changes(copy, change, where, column, words):
    workbook = where.split("!")[0]  # A1.xlsx, or the committee's 考评组.xlsx
    path = copy["filled"] / workbook
    book = load_workbook(path)
    change(book)
    book.save(path)
    before = digest(copy["year"])
    report = ingest(get_scheme(SCHEME), YEAR, copy["filled"], copy["data"])
    matching = [p for p in report.errors if p.row == where]
    assert matching, [p.render() for p in report.errors]
    assert matching[0].file == workbook and matching[0].column == column and words in matching[0].rule_zh
    assert matching[0].rule_en and report.written == {}
    assert digest(copy["year"]) == before


def test_cli_prints_every_problem_and_exits_1(copy, capsys):
    for name, sheet, coordinate, value in (("A1.xlsx", "附件3考评事实", "F12", "十二"),
                                           ("考评组.xlsx", "附件4专家评分", "E3", "=1+2")):
        book = load_workbook(copy["filled"] / name)
        book[sheet][coordinate] = value
        book.save(copy["filled"] / name)
    before = digest(copy["year"])
    assert evalbook("ingest", SCHEME, "--year", YEAR, "--from", copy["filled"], "--data", copy["data"]) == 1
    out = capsys.readouterr()
    assert "A1.xlsx!附件3考评事实!F12" in out.out and "进修满3个月人数应为不小于0的整数" in out.out and "'十二'" in out.out
    assert "考评组.xlsx!附件4专家评分!E3" in out.out and "不能使用公式" in out.out
    assert "CSV 文件均未改动" in out.err and "Traceback" not in out.out + out.err
    assert digest(copy["year"]) == before


def test_a_broken_current_csv_blocks_a_partial_ingest_but_not_a_complete_one(copy):
    (copy["year"] / "ledger.csv").write_text("code,month\nA1\n", encoding="utf-8")  # columns missing
    (copy["filled"] / "P1.xlsx").rename(copy["filled"] / "P1.later")
    report = ingest(get_scheme(SCHEME), YEAR, copy["filled"], copy["data"])
    assert "无法保留" in report.errors[-1].rule_zh and report.errors[-1].file == "2023/ledger.csv" and report.written == {}
    (copy["filled"] / "P1.later").rename(copy["filled"] / "P1.xlsx")
    report = ingest(get_scheme(SCHEME), YEAR, copy["filled"], copy["data"])
    assert report.errors == [] and "整体替换" in report.problems[-1].rule_zh
    assert (copy["year"] / "ledger.csv").read_text(encoding="utf-8") == EXPECTED["ledger.csv"]


def test_the_same_institution_twice_is_refused(copy):
    shutil.copy(copy["filled"] / "A1.xlsx", copy["filled"] / "A1-again.xlsx")
    report = ingest(get_scheme(SCHEME), YEAR, copy["filled"], copy["data"])
    assert [p.row for p in report.errors] == ["A1.xlsx!填写说明!B6"]  # sorted: A1-again.xlsx was read first
    assert "A1-again.xlsx" in report.errors[0].rule_zh


def test_a_hidden_extra_sheet_is_only_a_warning(copy):
    book = load_workbook(copy["filled"] / "A1.xlsx")
    book.create_sheet("草稿")["A1"] = "=1+2"
    book["草稿"].sheet_state = "hidden"
    book.save(copy["filled"] / "A1.xlsx")
    (copy["filled"] / "~$A1.xlsx").write_bytes(b"lock")      # Excel's lock file: skipped
    (copy["filled"] / "old.xls").write_bytes(b"\xd0\xcf\x11")  # not .xlsx: a warning
    report = ingest(get_scheme(SCHEME), YEAR, copy["filled"], copy["data"])
    assert report.errors == []
    warnings = {(p.file, p.row): p.rule_zh for p in report.problems}
    assert warnings[("A1.xlsx", "A1.xlsx!草稿")] == "多余的工作表（隐藏），已忽略"
    assert "另存为" in warnings[("old.xls", None)]
    assert (copy["year"] / "expert_scores.csv").read_text(encoding="utf-8") == EXPECTED["expert_scores.csv"]


def test_a_zip_bomb_is_refused_before_opening(copy):
    bomb = copy["filled"] / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (21 * 1024 * 1024))  # 21 MB that packs to ~20 KB
    assert bomb.stat().st_size < 100_000
    submission, problems = read_workbook(bomb, LAYOUT)
    assert submission is None and len(problems) == 1
    assert "解压后过大" in problems[0].rule_zh and str(21 * 1024 * 1024) in problems[0].rule_zh
    report = ingest(get_scheme(SCHEME), YEAR, copy["filled"], copy["data"])
    assert [p.file for p in report.errors] == ["bomb.xlsx"] and report.written == {}


def test_a_large_file_and_a_non_workbook_are_refused(copy):
    workbook = copy["filled"] / "A1.xlsx"
    [problem] = check_size(workbook, limit=1000)
    assert problem.file == "A1.xlsx" and "工作簿过大" in problem.rule_zh and "上限 1000 字节" in problem.rule_zh
    text = copy["filled"] / "notes.xlsx"
    text.write_text("code,name\n", encoding="utf-8")
    submission, [problem] = read_workbook(text, LAYOUT)
    assert submission is None and "不是有效的 .xlsx" in problem.rule_zh


def test_an_empty_or_missing_folder_is_an_input_error(copy, tmp_path, capsys):
    assert evalbook("ingest", SCHEME, "--year", YEAR, "--from", tmp_path / "nowhere", "--data", copy["data"]) == 1
    assert "找不到工作簿文件夹" in capsys.readouterr().out
    (tmp_path / "empty").mkdir()
    assert evalbook("ingest", SCHEME, "--year", YEAR, "--from", tmp_path / "empty", "--data", copy["data"]) == 1
    assert "没有 .xlsx 工作簿" in capsys.readouterr().out


def test_template_for_an_unknown_scheme_or_missing_institutions(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        evalbook("template", "nope", "--year", YEAR, "--data", tmp_path)  # a wrong command line
    assert exit_info.value.code == 2
    assert evalbook("template", SCHEME, "--year", YEAR, "--data", tmp_path, "--out", tmp_path / "t") == 1
    assert "institutions.csv" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        evalbook("ingest", SCHEME, "--year", YEAR)  # --from is required
    assert exit_info.value.code == 2


# --------------------------------------------------------------------------- one cell

RULES = {kind: CellRule(Column("x", kind, "某项", low=0 if kind in ("int", "number") else None))
         for kind in ("int", "number", "bool", "month", "date", "text", "ranks")}


@pytest.mark.parametrize("kind,value,number_format,text", [
    ("int", 12, "General", "12"), ("int", 12.0, "General", "12"), ("int", "12", "@", "12"),
    ("number", 0.1, "General", "0.1"), ("number", 1e-07, "General", "0.0000001"), ("number", 17, "0.0", "17.0"),
    ("number", 17.25, "0.0", "17.25"), ("bool", True, "General", "1"), ("bool", "否", "General", "0"),
    ("bool", "yes", "General", "1"), ("month", "2023-03", "@", "2023-03"),
    ("month", dt.datetime(2023, 3, 1), "General", "2023-03"),
    ("date", dt.datetime(2023, 4, 5), "yyyy-mm-dd", "2023-04-05"), ("date", "2023-04-05", "@", "2023-04-05"),
    ("text", " 开展义诊 ", "@", "开展义诊"), ("text", 7, "General", "7"),
    ("ranks", 1, "General", "1"), ("ranks", "1;3", "@", "1;3"),
    ("int", "  ", "General", None), ("text", None, "General", None),
])
def test_cell_values_become_csv_text(kind, value, number_format, text):
    assert cell_text(value, "s" if isinstance(value, str) else "n", RULES[kind], number_format) == text


@pytest.mark.parametrize("kind,value,data_type", [
    ("int", True, "b"), ("number", -0.5, "n"), ("number", dt.datetime(2023, 1, 1), "d"), ("month", "2023/03", "s"),
    ("date", dt.datetime(2023, 4, 5, 13, 30), "d"), ("ranks", "1,3", "s"), ("int", "=1+2", "f"), ("int", "#N/A", "e"),
])
def test_cell_values_of_the_wrong_kind_raise(kind, value, data_type):
    with pytest.raises(CellError):
        cell_text(value, data_type, RULES[kind])


@pytest.mark.parametrize("kind,value,refused", [
    ("int", 1_000_000_000, False), ("int", 1_000_000_001, True), ("number", 1e12, True), ("number", 999_999_999.5, False),
])
def test_a_count_or_amount_over_the_suites_bound_is_refused_at_its_cell(kind, value, refused):
    # no declared maximum: the suites' bound on every count and amount (10^9) applies, with their words
    if not refused:
        assert cell_text(value, "n", RULES[kind]) is not None
        return
    with pytest.raises(CellError) as raised:
        cell_text(value, "n", RULES[kind])
    assert "不大于1000000000" in raised.value.rule_zh and "≤ 1000000000" in raised.value.rule_en


# --------------------------------------------------------------------------- a catalog-driven checklist (naiman-style)

def test_a_checklist_from_an_indicator_catalog_in_long_form_per_specialty(tmp_path):
    with open(REPO / "rubrics" / "naiman-specialty-catalog.csv", encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))[:7]  # rows 1–5: row 4 holds 1.1.4 and 1.1.4.share, row 5 1.2.1 and its detail
    kinds = {"count": ("int", None), "area": ("number", None), "percent": ("number", 100)}

    def column_for(line):
        kind, high = kinds.get(line["kind"], ("text", None))
        return Column(line["id"], kind, line["value_label"], required=line["required"] == "1",
                      low=0 if kind != "text" else None, high=high)

    survey = Checklist("调查表", "indicators.csv", catalog_fields(lines, column_for),
                            (Period("2024年上半年", "2024H1"), Period("2025年", "2025")),
                            level_headers=("一级指标", "二级指标", "三级指标", "填报项"), long_form=LongForm())
    layout = Layout("naiman-specialty", "临床重点专科建设评估", 2025, (survey,), identity_columns=(("专科", "specialty"),))
    path = tmp_path / "心内科.xlsx"
    build_workbook(layout, Identity("RMYY", "区人民医院", (("专科", "心内科"),))).save(path)
    book = load_workbook(path)
    sheet = book["调查表"]
    assert [c.value for c in sheet[2]] == ["序号", "一级指标", "二级指标", "三级指标", "填报项", "说明/单位",
                                            "2024年上半年", "2025年"]
    assert "A6:A7" in {r.coord for r in sheet.merged_cells.ranges}          # row 4's two values share 序号 4
    assert sheet["F7"].value == "数值，可有小数，0–100，单位：%"
    values = {"G3": 120.5, "H3": 130, "G4": 40, "H4": 42, "G5": 38, "H5": 40, "G6": 6, "H6": 6, "G7": 15, "H7": 14.3,
              "G8": 2, "H8": 3, "G9": "彩超1台", "H9": None}
    for coordinate, value in values.items():
        sheet[coordinate] = value
    book.save(path)
    submission, problems = read_workbook(path, layout)
    assert problems == [] and submission.identity.key() == ("RMYY", "心内科")
    rows = submission.rows["indicators.csv"]
    assert rows[:2] == [{"code": "RMYY", "specialty": "心内科", "period": "2024H1", "indicator": "1.1.1", "value": "120.5"},
                        {"code": "RMYY", "specialty": "心内科", "period": "2025", "indicator": "1.1.1", "value": "130"}]
    assert len(rows) == 13  # the optional detail left empty for 2025 is no row
    sheet["H7"] = 140
    book.save(path)
    _, [problem] = read_workbook(path, layout)
    assert problem.row == "心内科.xlsx!调查表!H7" and problem.column == "1.1.4.share" and "不大于100" in problem.rule_zh
