"""naiman-specialty Excel templates and ingestion (schemes/naiman_templates.py, `evalbook template` / `ingest`).

The demo year gets one workbook per specialty, laid out like the source's 69-row survey; prefilled
workbooks read back give the demo's CSVs again; wrong cells are refused with the exact
workbook!sheet!cell and the indicator, and leave every CSV as it was.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from evalbook.cli.commands import main
from evalbook.core.registry import get_scheme
from evalbook.excel.cells import CellError, CellRule, cell_text
from evalbook.excel.layout import FIRST_ROW, INFO_SHEET
from evalbook.excel.scheme_io import ingest
from evalbook.schemes.naiman_specialty import templates as naiman_templates
from evalbook.schemes.naiman_specialty.inputs import catalog

REPO = Path(__file__).resolve().parents[1]
SCHEME = "naiman-specialty"
YEAR = 2025
DEMO = REPO / "data" / SCHEME
CATALOG = catalog()
ROW = {item.column.name: FIRST_ROW + offset for offset, item in enumerate(naiman_templates.layout(YEAR).sheets[0].fields)}
BASELINE, ANNUAL = "F", "G"  # 序号 | 一级 | 二级 | 三级指标 | 单位 | 2024年1-6月 | 2025年
with open(DEMO / str(YEAR) / "specialties.csv", encoding="utf-8", newline="") as _handle:
    SPECIALTIES = [(r["code"], r["specialty"], r["status"]) for r in csv.DictReader(_handle)]
WORKBOOKS = [f"{code}-{specialty}.xlsx" for code, specialty, _ in SPECIALTIES]
BUILDING, CANDIDATE = "NMRM-心血管内科.xlsx", "NMRM-肿瘤科.xlsx"


def evalbook(*args) -> int:
    return main([str(a) for a in args])


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and p.name != "submissions.csv"}  # the round's record of what came in grows with each ingest


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict[str, Path]:
    """A copy of the demo data; blank and prefilled templates; the prefilled ones ingested back once."""
    root = tmp_path_factory.mktemp("naiman")
    data = root / "data"
    shutil.copytree(DEMO, data / SCHEME)
    assert evalbook("template", SCHEME, "--year", YEAR, "--data", data, "--out", root / "blank") == 0
    assert evalbook("template", SCHEME, "--year", YEAR, "--data", data, "--out", root / "prefilled", "--prefill") == 0
    prefilled = root / "prefilled" / SCHEME / str(YEAR)
    assert evalbook("ingest", SCHEME, "--year", YEAR, "--from", prefilled, "--data", data) == 0
    return {"data": data, "year": data / SCHEME / str(YEAR), "blank": root / "blank" / SCHEME / str(YEAR),
            "prefilled": prefilled}


@pytest.fixture
def copy(demo, tmp_path) -> dict[str, Path]:
    """A private copy of the ingested data and the prefilled workbooks, to break."""
    data, filled = tmp_path / "data", tmp_path / "filled"
    shutil.copytree(demo["data"], data)
    shutil.copytree(demo["prefilled"], filled)
    return {"data": data, "filled": filled, "year": data / SCHEME / str(YEAR)}


# --------------------------------------------------------------------------- templates

def test_one_workbook_per_specialty_identified_by_code_and_specialty(demo):
    assert sorted(p.name for p in demo["blank"].iterdir()) == sorted(WORKBOOKS)  # building and candidate; no temp files
    book = load_workbook(demo["blank"] / BUILDING)
    assert book.sheetnames == [INFO_SHEET, "调查表", "承诺书"]
    info = {row[0]: row[1] for row in book[INFO_SHEET].iter_rows(min_row=1, max_row=10, max_col=2, values_only=True)}
    assert (info["考评方案"], info["年度"], info["机构代码"], info["专科"]) == (SCHEME, YEAR, "NMRM", "心血管内科")
    notes = " ".join(c.value for c in book[INFO_SHEET]["A"] if isinstance(c.value, str))
    assert "只有白色带边框的格子需要填写" in notes and "2024年1-6月”为基线统计期（2024H1）" in notes and "12.5% 填 12.5" in notes


def test_the_survey_sheet_is_the_catalogs_69_rows_verbatim(demo):
    sheet = load_workbook(demo["blank"] / BUILDING)["调查表"]
    assert [c.value for c in sheet[2]] == ["序号", "一级指标", "二级指标", "三级指标", "单位", "2024年1-6月", "2025年"]
    merged = {r.coord for r in sheet.merged_cells.ranges}
    seen_rows = set()
    for line in CATALOG.itertuples():
        row = ROW[line.id]
        label = line.level3 if not line.part else f"└ {line.value_label}"
        assert sheet[f"D{row}"].value == label, line.id
        assert (sheet[f"E{row}"].value or "") == line.unit, line.id
        if line.row not in seen_rows:
            assert sheet[f"A{row}"].value == str(line.row), line.id  # the first line of a compound row carries 序号
        seen_rows.add(line.row)
    assert len(seen_rows) == 69 and sheet.max_row == FIRST_ROW + len(CATALOG) - 1
    assert sheet["A6"].value == "4" and sheet["D6"].value == "1.1.4ICU床位数及占本科室开放床位数比"
    assert sheet["D7"].value == "└ ICU床位占开放床位比" and "A6:A7" in merged
    assert sheet[f"D{ROW['2.2.3']}"].value == "多学科诊疗团队数" and sheet[f"A{ROW['2.1.5']}"].value == "23"
    candidate = load_workbook(demo["blank"] / CANDIDATE)["调查表"]
    assert [c.value for c in candidate[2]] == ["序号", "一级指标", "二级指标", "三级指标", "单位", "2024年1-6月"]


def validation_at(sheet, coordinate: str):
    found = [dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref]
    assert len(found) == 1, coordinate
    return found[0]


def test_labels_locked_inputs_typed_by_the_catalog_kind(demo):
    book = load_workbook(demo["blank"] / BUILDING)
    assert all(sheet.protection.sheet for sheet in book)
    survey = book["调查表"]
    assert survey["D3"].protection.locked and survey["E3"].protection.locked and survey["F2"].protection.locked
    assert survey["F3"].protection.locked is False and survey["G80"].protection.locked is False
    expected = {  # id: (type, operator, formula1, formula2)
        "1.3.1": ("whole", "greaterThanOrEqual", "0", None),       # count
        "1.1.1": ("decimal", "greaterThanOrEqual", "0", None),     # area
        "3.4.3.funding": ("decimal", "greaterThanOrEqual", "0", None),  # amount
        "1.1.4.share": ("decimal", "between", "0", "100"),         # percent
        "2.3.1": ("decimal", "between", "0", "5"),                 # index (CMI)
        "3.7.1": ("whole", "greaterThanOrEqual", "1", None),       # rank
    }
    for indicator, spec in expected.items():
        for column in (BASELINE, ANNUAL):
            dv = validation_at(survey, f"{column}{ROW[indicator]}")
            assert (dv.type, dv.operator, dv.formula1, dv.formula2) == spec, indicator
            assert dv.showErrorMessage and dv.errorTitle == "输入有误" and dv.prompt
    assert validation_at(survey, f"F{ROW['1.2.1.detail']}").type == "textLength"
    assert "（可留空）" in validation_at(survey, f"F{ROW['3.7.1']}").prompt  # a rank may stay blank: 未上榜
    pledge = book["承诺书"]
    assert [c.value for c in pledge[2]][:4] == ["序号", "指标编号", "基线值", "目标值"]
    listed = validation_at(pledge, "B3")
    assert listed.type == "list" and listed.formula1 == "$F$3:$F$74"
    numeric = CATALOG.loc[CATALOG["kind"] != "text", "id"].tolist()
    assert [pledge[f"F{row}"].value for row in range(3, 75)] == numeric and len(numeric) == 72
    assert pledge["G3"].value == "科室业务用房面积（m²）" and pledge["F3"].protection.locked
    assert validation_at(pledge, "C3").type == "decimal" and pledge["B3"].protection.locked is False


# --------------------------------------------------------------------------- round trip

def test_prefilled_demo_round_trips(demo):
    """targets.csv byte-identical; indicators.csv too but for the empty-value rows (a blank cell gives no row)."""
    ours = DEMO / str(YEAR)
    indicators = (ours / "indicators.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    assert (demo["year"] / "indicators.csv").read_text(encoding="utf-8") == "".join(
        line for line in indicators if not line.endswith(",\n"))
    assert (demo["year"] / "targets.csv").read_bytes() == (ours / "targets.csv").read_bytes()
    for untouched in ("onsite.csv", "recheck.csv", "specialties.csv"):
        assert (demo["year"] / untouched).read_bytes() == (ours / untouched).read_bytes()


def test_ingested_year_passes_the_suites(demo):
    from evalbook.inputs.intake import take_in

    intake = take_in(get_scheme(SCHEME), YEAR, demo["data"])  # imports Great Expectations: once in this module
    assert intake.errors == []


def test_the_file_name_is_not_trusted(copy):
    """Two workbooks swapped names: each is still read as the specialty its 信息 area says."""
    first, second = copy["filled"] / BUILDING, copy["filled"] / "NMRM-神经内科.xlsx"
    first.rename(copy["filled"] / "tmp.xlsx")
    second.rename(first)
    (copy["filled"] / "tmp.xlsx").rename(second)
    before = digest(copy["year"])
    report = ingest(get_scheme(SCHEME), YEAR, copy["filled"], copy["data"])
    assert report.errors == [] and digest(copy["year"]) == before


def test_one_specialty_replaced_others_and_other_periods_kept(copy):
    book = load_workbook(copy["filled"] / CANDIDATE)
    book["调查表"][f"F{ROW['1.3.1']}"] = 9
    book.save(copy["filled"] / CANDIDATE)
    for path in copy["filled"].iterdir():
        if path.name != CANDIDATE:
            path.unlink()
    indicators = copy["year"] / "indicators.csv"
    old = indicators.read_text(encoding="utf-8")
    indicators.write_text(old + "NMRM,肿瘤科,2023,1.3.1,4\n", encoding="utf-8")  # a period not in the workbook: kept
    assert evalbook("ingest", SCHEME, "--year", YEAR, "--from", copy["filled"], "--data", copy["data"]) == 0
    new = indicators.read_text(encoding="utf-8").splitlines()
    changed = [line for line in new if line not in old.splitlines()]
    assert changed == ["NMRM,肿瘤科,2023,1.3.1,4", "NMRM,肿瘤科,2024H1,1.3.1,9"]
    assert len(new) == len(old.splitlines()) + 1
    units = list(dict.fromkeys(tuple(line.split(",")[:2]) for line in new[1:]))
    assert units == [(code, specialty) for code, specialty, _ in SPECIALTIES]  # in specialties.csv order, 2023 row included


# --------------------------------------------------------------------------- refused, nothing changed

def survey(indicator: str, value, column: str = ANNUAL, number_format: str | None = None):
    def change(book):
        cell = book["调查表"][f"{column}{ROW[indicator]}"]
        cell.value = value
        if number_format:
            cell.number_format = number_format
    return change, f"调查表!{column}{ROW[indicator]}", indicator


def cell(sheet: str, coordinate: str, value, column: str):
    def change(book):
        book[sheet][coordinate] = value
    return change, f"{sheet}!{coordinate}", column


BROKEN = [
    # (case, (change, sheet!cell, column), words of the rule, words naming the indicator)
    ("chinese-numeral", survey("1.3.1", "十二"), "不用中文数字", "医师人数"),
    ("unit", survey("2.1.1", "3200人次"), "不带单位", "门诊人次"),
    ("fraction-in-count", survey("1.3.2", 15.5), "整数", "护士人数"),
    ("percent-above-100", survey("1.1.4.share", 120, BASELINE), "不大于100", "ICU床位占开放床位比"),
    ("percent-format", survey("2.3.8", 0.125, number_format="0.0%"), "不要使用百分比格式", "住院患者死亡率"),
    ("cmi-zero", survey("2.3.1", 0), "大于0", "病例组合指数（CMI）"),
    ("cmi-above-5", survey("2.3.1", 5.5), "不大于5", "病例组合指数（CMI）"),
    ("rank-zero", survey("3.7.1.region", 0), "不小于1", "自治区学科评价排名"),
    ("formula", survey("2.1.1", "=1+2"), "不能使用公式", "门诊人次"),
    ("required-blank", survey("4.1.4", None), "不能为空", "医疗纠纷发生数量"),
    ("pledge-text-id", cell("承诺书", "B3", "1.2.1.detail", "indicator"), "下拉列表", "指标编号"),
    ("pledge-unknown-id", cell("承诺书", "B3", "9.9.9", "indicator"), "下拉列表", "指标编号"),
    ("pledge-negative", cell("承诺书", "D3", -1, "target"), "不小于0", "目标值"),
    ("pledge-formula", cell("承诺书", "C4", "=B4*2", "baseline"), "不能使用公式", "=B4*2"),
    ("pledge-percent-over-100", cell("承诺书", "D11", 104.5, "target"), "百分比指标的目标值应在0至100之间", "满意度"),
    ("specialty-not-listed", cell(INFO_SHEET, "B8", "眼科", "specialty"), "不在机构 NMRM 的名单（specialties.csv）", "眼科"),
    ("code-not-listed", cell(INFO_SHEET, "B6", "ZZ9", "code"), "不在机构名单", "ZZ9"),
]


@pytest.mark.parametrize("change,words,names", [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_a_wrong_cell_is_refused_by_address_and_no_csv_changes(copy, change, words, names):
    change, where, column = change
    path = copy["filled"] / BUILDING
    book = load_workbook(path)
    change(book)
    book.save(path)
    before = digest(copy["year"])
    report = ingest(get_scheme(SCHEME), YEAR, copy["filled"], copy["data"])
    matching = [p for p in report.errors if p.row == f"{BUILDING}!{where}"]
    assert matching, [p.render() for p in report.errors]
    problem = matching[0]
    assert problem.file == BUILDING and problem.column == column and words in problem.rule_zh and problem.rule_en
    assert names in problem.rule_zh + (problem.context or "") + str(problem.value)
    if column not in ("indicator", "baseline", "target", "specialty", "code"):
        assert f"指标 {column} " in problem.context  # the indicator id and label of the survey cell
    if column in ("baseline", "target"):  # a commitment row names its indicator too
        pledged = load_workbook(path)["承诺书"][f"B{where.split('!')[1][1:]}"].value
        label = next(r.value_label for r in CATALOG.itertuples() if r.id == pledged)
        assert problem.context.startswith(f"指标编号 {pledged} {label}"), problem.context
    assert report.written == {} and digest(copy["year"]) == before


def test_a_candidate_workbook_read_as_a_building_one_is_refused(copy):
    """The 信息 area decides the layout: a candidate's workbook claiming a building specialty lacks its 2025 column."""
    book = load_workbook(copy["filled"] / CANDIDATE)
    book[INFO_SHEET]["B8"] = "心血管内科"
    book.save(copy["filled"] / CANDIDATE)
    (copy["filled"] / BUILDING).unlink()
    report = ingest(get_scheme(SCHEME), YEAR, copy["filled"], copy["data"])
    assert [p.row for p in report.errors] == [f"{CANDIDATE}!调查表!G2"] and "表头应为“2025年”" in report.errors[0].rule_zh


def test_the_same_specialty_twice_is_refused(copy):
    shutil.copy(copy["filled"] / BUILDING, copy["filled"] / "copy.xlsx")
    report = ingest(get_scheme(SCHEME), YEAR, copy["filled"], copy["data"])
    assert len(report.errors) == 1 and "同一专科" in report.errors[0].rule_zh and report.written == {}


def test_cli_prints_every_problem_and_exits_1(copy, capsys):
    for name, coordinate, value in ((BUILDING, f"G{ROW['1.3.1']}", "十二"), ("NMFY-妇科.xlsx", f"F{ROW['2.3.1']}", 0)):
        book = load_workbook(copy["filled"] / name)
        book["调查表"][coordinate] = value
        book.save(copy["filled"] / name)
    before = digest(copy["year"])
    assert evalbook("ingest", SCHEME, "--year", YEAR, "--from", copy["filled"], "--data", copy["data"]) == 1
    out = capsys.readouterr()
    assert f"{BUILDING}!调查表!G{ROW['1.3.1']}" in out.out and "医师人数应为不小于0的整数" in out.out and "'十二'" in out.out
    assert f"NMFY-妇科.xlsx!调查表!F{ROW['2.3.1']}" in out.out and "指标 2.3.1 病例组合指数（CMI）" in out.out
    assert "CSV 文件均未改动" in out.err and "Traceback" not in out.out + out.err
    assert digest(copy["year"]) == before


# --------------------------------------------------------------------------- pieces

def test_every_catalog_kind_has_a_column_type():
    for line in CATALOG.to_dict("records"):
        column = naiman_templates.indicator_column(line)
        assert column.required == line["required"] and column.label == line["value_label"]
    rank = naiman_templates.indicator_column(CATALOG.loc["3.7.1"].to_dict())
    assert (rank.kind, rank.low, rank.required) == ("int", 1, False)
    cmi = naiman_templates.indicator_column(CATALOG.loc["2.3.1"].to_dict())
    assert (cmi.kind, cmi.low, cmi.high, cmi.strict_low) == ("number", 0, 5, True)


def test_period_headers():
    assert [naiman_templates.period_header(p) for p in ("2024H1", "2024H2", "2025")] == ["2024年1-6月", "2024年7-12月", "2025年"]


def test_a_percent_formatted_number_is_refused_not_divided():
    rule = CellRule(naiman_templates.indicator_column(CATALOG.loc["4.1.1"].to_dict()))
    assert cell_text(95.5, "n", rule, "0.0") == "95.5"
    with pytest.raises(CellError, match="percent format"):
        cell_text(0.955, "n", rule, "0.0%")


@pytest.mark.parametrize("target,refused", [(100, False), (100.01, True), (0, False)])
def test_a_percent_target_is_at_most_100_already_in_the_workbook(copy, target, refused):
    path = copy["filled"] / BUILDING
    book = load_workbook(path)
    assert CATALOG.at[book["承诺书"]["B11"].value, "kind"] == "percent"
    book["承诺书"]["D11"] = target
    book.save(path)
    report = ingest(get_scheme(SCHEME), YEAR, copy["filled"], copy["data"])
    assert [p.row for p in report.errors] == ([f"{BUILDING}!承诺书!D11"] if refused else [])
