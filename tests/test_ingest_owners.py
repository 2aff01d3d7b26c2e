"""Data have owners: ingest never deletes or changes what a workbook does not carry (excel/, both schemes).

The hospital's workbook carries the hospital's files only; the 考评组's workbook (`template --for committee`,
one for all units) carries the expert scores and the committee's judgments (wendeng) or the on-site scores
and the 现场复核 (naiman). An old hospital workbook that still has the committee's sheets, blank, must not
wipe the committee's data (the defect: a unit lost its expert scores and its 二等奖). Every ingest says per
file how many rows it adds, changes and removes; `--dry-run` says the same and writes nothing.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from evalbook.cli.commands import main
from evalbook.core.registry import get_scheme
from evalbook.excel.layout import COMMITTEE, COMMITTEE_WORKBOOK, FIRST_ROW, HOSPITAL, INFO_SHEET, UNITS_SHEET, WORKBOOK_OF
from evalbook.inputs.reading import read_text_table
from evalbook.inputs.row_changes import Changes, count_changes
from evalbook.schemes.naiman_specialty import templates as naiman_templates
from evalbook.schemes.wendeng_featured import templates as wendeng_templates
from test_cli_e2e import build_cohort

REPO = Path(__file__).resolve().parents[1]
WENDENG, NAIMAN = "wendeng-featured", "naiman-specialty"
YEARS = {WENDENG: 2023, NAIMAN: 2025}
TEMPLATES = {WENDENG: wendeng_templates, NAIMAN: naiman_templates}


def evalbook(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (temporary files included) → its sha256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not on_record(p)}


def on_record(path: Path) -> bool:
    """The round's records of what ingest received (submissions.csv, submissions/): they grow with every ingest
    (tests/test_round_queries.py holds them); the data files are what these tests compare."""
    return path.name == "submissions.csv" or "submissions" in path.parent.parts


def demo_copy(tmp_path: Path, scheme: str) -> Path:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / scheme, data / scheme, ignore=shutil.ignore_patterns("2022"))
    return data


def committee_template(capsys, scheme: str, data: Path, out: Path, *extra) -> Path:
    code, text = evalbook(capsys, "template", scheme, "--year", YEARS[scheme], "--data", data, "--out", out,
                          "--for", "committee", *extra)
    assert code == 0, text
    return out / scheme / str(YEARS[scheme]) / COMMITTEE_WORKBOOK


# --------------------------------------------------------------------------- who owns what

@pytest.mark.parametrize("scheme,hospital,committee", [
    (WENDENG, {"facts.csv", "project_stats.csv", "ledger.csv"}, {"expert_scores.csv", "judgments.csv"}),
    (NAIMAN, {"indicators.csv", "targets.csv"}, {"onsite.csv", "recheck.csv"}),
])
def test_every_input_file_has_one_owner_and_only_its_owners_workbook_carries_it(scheme, hospital, committee):
    templates, files = TEMPLATES[scheme], get_scheme(scheme).FILES
    # who is evaluated, and the commission's expert registry: no workbook writes these
    lists = {"institutions.csv", "specialties.csv", "experts.csv"}
    assert set(templates.OWNERS) == set(files) - lists == hospital | committee
    assert {f for f, owner in templates.OWNERS.items() if WORKBOOK_OF[owner] == HOSPITAL} == hospital
    assert set(templates.layout(YEARS[scheme]).files()) == hospital
    assert set(templates.committee_layout(YEARS[scheme], []).files()) == committee
    assert all(set(templates.ROW_KEYS[f]) <= {c.name for c in files[f]} for f in templates.OWNERS)


# --------------------------------------------------------------------------- the defect: an old hospital workbook

def make_old(path: Path, filled_row: tuple | None = None) -> None:
    """An old hospital workbook: the 附件4专家评分 and 视情扣分 sheets (考评组填写) it used to carry, blank
    (or with ``filled_row`` typed into 附件4), and no 填报方 in its 信息 area."""
    book = load_workbook(path)
    experts = book.create_sheet("附件4专家评分", index=2)
    judgments = book.create_sheet("视情扣分")
    expert_headers = ["序号", "特色项目", "专家", "特色优势", "工作开展", "经济效益", "社会效益", "技术难度", "风险意外"]
    for sheet, headers in ((experts, expert_headers), (judgments, ["序号", "考评项目序号", "视情扣分", "扣分理由", "评审人"])):
        sheet.cell(row=1, column=1, value=sheet.title)
        for number, header in enumerate(headers, start=1):
            sheet.cell(row=2, column=number, value=header)
    for number, value in enumerate(filled_row or (), start=2):
        experts.cell(row=FIRST_ROW, column=number, value=value)
    info = book[INFO_SHEET]
    row = next(r for r in range(1, 20) if info.cell(row=r, column=1).value == "填报方")
    info.cell(row=row, column=1).value = info.cell(row=row, column=2).value = None
    book.save(path)


def awards(data: Path) -> dict[str, str]:
    from evalbook.inputs.intake import take_in

    scheme = get_scheme(WENDENG)
    intake = take_in(scheme, 2023, data)
    assert intake.errors == []
    units = scheme.score(intake).units
    return dict(zip(units["code"], units["award"], strict=True))


def test_an_old_hospital_workbook_with_blank_committee_sheets_deletes_nothing(tmp_path, capsys):
    data = tmp_path / "data"
    build_cohort(data)  # D2: 0.7 × 94.5 + 0.3 × 85 = 91.65, second of the district group → 二等奖 (test_cli_e2e)
    year = data / WENDENG / "2023"
    before = awards(data)
    assert before["D2"] == "二等奖"
    code, text = evalbook(capsys, "template", WENDENG, "--year", 2023, "--data", data, "--out", tmp_path / "t", "--prefill")
    assert code == 0, text
    folder = tmp_path / "t" / WENDENG / "2023"
    for path in folder.glob("*.xlsx"):
        make_old(path, ("项目B", "E9", 1, 1, 1, 1, 1, 1) if path.name == "D1.xlsx" else None)  # D1's even typed in
    committee = {f: (year / f).read_bytes() for f in ("expert_scores.csv", "judgments.csv")}
    code, text = evalbook(capsys, "ingest", WENDENG, "--year", 2023, "--from", folder, "--data", data)
    assert code == 0, text
    assert {f: (year / f).read_bytes() for f in committee} == committee  # nothing of the 考评组's deleted or changed
    assert awards(data) == before  # D2 keeps its 二等奖
    for name in ("D1.xlsx", "D2.xlsx"):
        for sheet in ("附件4专家评分", "视情扣分"):
            assert f"[警告 WARNING] {name}!{sheet}\n    规则: 此工作表由" in text, text
    assert "其内容未读入，现有数据保持不变" in text and "its content was not read and the current data are kept" in text
    assert "expert_scores.csv（专家组 experts）：未收到该方的工作簿，保持不变 kept: no workbook of its owner" in text
    assert "judgments.csv（考评组 committee）：未收到该方的工作簿，保持不变" in text
    # the hospital's own files came back as they were: 0 added, 0 changed, 0 removed (D1's 2 stats rows, 1 ledger row)
    assert "project_stats.csv（医疗机构 hospital）：新增 0 行 added, 修改 0 行 changed, 删除 0 行 removed（共 2 行 rows）" in text


def test_a_naiman_hospital_workbook_with_the_committees_sheet_copied_in_is_read_for_the_hospital_only(tmp_path, capsys):
    data = demo_copy(tmp_path, NAIMAN)
    code, text = evalbook(capsys, "template", NAIMAN, "--year", 2025, "--data", data, "--out", tmp_path / "t", "--prefill")
    assert code == 0, text
    folder = tmp_path / "t" / NAIMAN / "2025"
    path = folder / "NMRM-心血管内科.xlsx"
    book = load_workbook(path)
    onsite = book.create_sheet("现场核查")   # the hospital scores itself
    onsite.append(["序号", "机构代码", "专科", "专家", "医院管理", "建设管理", "人才队伍建设"])
    onsite.append([1, "NMRM", "心血管内科", "自评", 100, 100, 100])
    book.save(path)
    before = (data / NAIMAN / "2025" / "onsite.csv").read_bytes()
    code, text = evalbook(capsys, "ingest", NAIMAN, "--year", 2025, "--from", folder, "--data", data)
    assert code == 0, text
    assert (data / NAIMAN / "2025" / "onsite.csv").read_bytes() == before
    assert "[警告 WARNING] NMRM-心血管内科.xlsx!现场核查\n    规则: 此工作表由专家组填写，不属于本工作簿：其内容未读入" in text
    assert "onsite.csv（专家组 experts）：未收到该方的工作簿，保持不变 kept: no workbook of its owner" in text


# --------------------------------------------------------------------------- the committee's workbook

@pytest.mark.parametrize("scheme,sheets,units", [
    (WENDENG, ["附件4专家评分", "视情扣分"], 22),   # the 22 institutions of institutions.csv
    (NAIMAN, ["现场核查", "现场复核"], 9),          # the 9 specialties of specialties.csv (7 building, 2 candidates)
])
def test_committee_template_prefilled_round_trips_byte_identical(scheme, sheets, units, tmp_path, capsys):
    data = demo_copy(tmp_path, scheme)
    before = digest(data)
    path = committee_template(capsys, scheme, data, tmp_path / "t", "--prefill")
    book = load_workbook(path)
    assert book.sheetnames == [INFO_SHEET, UNITS_SHEET, *sheets]
    info = {row[0]: row[1] for row in book[INFO_SHEET].iter_rows(min_row=4, max_row=6, max_col=2, values_only=True)}
    assert info == {"考评方案": scheme, "年度": YEARS[scheme], "填报方": "考评组"}
    listed = [row for row in book[UNITS_SHEET].iter_rows(min_row=FIRST_ROW, max_col=2, values_only=True) if row[1]]
    assert len(listed) == units and all(sheet.protection.sheet for sheet in book)
    assert book[UNITS_SHEET]["B3"].protection.locked and book[sheets[0]]["B3"].protection.locked is False
    code, text = evalbook(capsys, "ingest", scheme, "--year", YEARS[scheme], "--from", path.parent, "--data", data)
    assert code == 0, text
    assert digest(data) == before  # byte-identical; nothing rewritten
    for file in get_scheme(scheme).FILES:
        owner = TEMPLATES[scheme].OWNERS.get(file)
        if owner and WORKBOOK_OF[owner] == COMMITTEE:
            assert f"{file}（" in text and "删除 0 行 removed" in text and "内容不变，未改写 unchanged, not rewritten" in text
        elif owner:
            assert f"{file}（医疗机构 hospital）：未收到该方的工作簿，保持不变" in text


def set_row(sheet, row: int, values) -> None:
    for column, value in enumerate(values, start=2):
        sheet.cell(row=row, column=column).value = value


CHANGES = {
    # (scheme, sheet changed / row, new value; sheet emptied / row; sheet added to, row values; expected lines)
    WENDENG: dict(
        change=("附件4专家评分", "E3", 18),      # WDZG 中医正骨手法复位 E07 advantage 17.0 → 18 (shown as 18.0)
        remove=("附件4专家评分", 4),             # WDZG 中医正骨手法复位 E11: gone
        add=("视情扣分", ("FYBJ", 4, 1, "=HYPERLINK(\"http://x.invalid\",\"y\")", "评审乙")),  # a 14th judgment
        lines=[  # demo: 127 expert rows − 1 = 126; 13 judgments + 1 = 14
            "expert_scores.csv（专家组 experts）：新增 0 行 added, 修改 1 行 changed, 删除 1 行 removed（共 126 行 rows）",
            "judgments.csv（考评组 committee）：新增 1 行 added, 修改 0 行 changed, 删除 0 行 removed（共 14 行 rows）",
        ],
        file_lines={"expert_scores.csv": ("WDZG,中医正骨手法复位,E07,18.0,16.5,12.0,12.5,12.5,12.5",
                                          "WDZG,中医正骨手法复位,E11,"),
                    "judgments.csv": ('FYBJ,4,1,"\'=HYPERLINK(""http://x.invalid"",""y"")",评审乙', None)},
    ),
    NAIMAN: dict(
        change=("现场核查", "E3", 75),           # NMRM 心血管内科 专家B management 74 → 75
        remove=("现场核查", 4),                  # NMRM 心血管内科 专家C: gone
        add=("现场复核", ("NMRM", "神经内科", "2.1.1", 100, "@SUM(1)")),  # a 5th recheck
        lines=[  # demo: 21 on-site rows − 1 = 20; 4 rechecks + 1 = 5
            "onsite.csv（专家组 experts）：新增 0 行 added, 修改 1 行 changed, 删除 1 行 removed（共 20 行 rows）",
            "recheck.csv（考评组 committee）：新增 1 行 added, 修改 0 行 changed, 删除 0 行 removed（共 5 行 rows）",
        ],
        file_lines={"onsite.csv": ("NMRM,心血管内科,专家B（示例）,75,83,85", "NMRM,心血管内科,专家C（示例）,"),
                    "recheck.csv": ("NMRM,神经内科,2.1.1,100,'@SUM(1)", None)},
    ),
}


@pytest.mark.parametrize("scheme", [WENDENG, NAIMAN])
def test_counts_of_a_changed_an_added_and_a_removed_row_and_dry_run_writes_nothing(scheme, tmp_path, capsys):
    case = CHANGES[scheme]
    data = demo_copy(tmp_path, scheme)
    path = committee_template(capsys, scheme, data, tmp_path / "t", "--prefill")
    book = load_workbook(path)
    sheet, cell, value = case["change"]
    book[sheet][cell] = value
    sheet, row = case["remove"]
    set_row(book[sheet], row, [None] * 9)
    sheet, values = case["add"]
    free = next(r for r in range(FIRST_ROW, 200) if book[sheet].cell(row=r, column=2).value is None)
    set_row(book[sheet], free, values)
    for column in range(2, 2 + len(values)):  # typed with a leading ': text, even when it starts with = or @
        target = book[sheet].cell(row=free, column=column)
        if isinstance(target.value, str):
            target.data_type, target.quotePrefix = "s", True
    book.save(path)
    before = digest(data)
    args = ("ingest", scheme, "--year", YEARS[scheme], "--from", path.parent, "--data", data)
    code, text = evalbook(capsys, *args, "--dry-run")
    assert code == 0, text
    assert digest(data) == before  # nothing written, no temporary file left
    assert all(f"{line}；将写入 would be written" in text for line in case["lines"]), text
    assert "未写入任何文件" in text and "Dry run: nothing was written." in text
    code, text = evalbook(capsys, *args)
    assert code == 0, text
    assert all(f"{line}；已写入 written" in text for line in case["lines"]), text
    year = data / scheme / str(YEARS[scheme])
    for file, (present, absent) in case["file_lines"].items():
        lines = (year / file).read_text(encoding="utf-8").splitlines()
        assert present in lines, (file, lines)
        assert absent is None or not any(line.startswith(absent) for line in lines)
    hospital = [f for f, owner in TEMPLATES[scheme].OWNERS.items() if owner == HOSPITAL]
    assert {f: h for f, h in digest(data).items() if Path(f).name in hospital} == {
        f: h for f, h in before.items() if Path(f).name in hospital}


def test_a_unit_left_off_the_list_keeps_its_rows_and_a_row_of_it_is_refused(tmp_path, capsys):
    data = demo_copy(tmp_path, WENDENG)
    path = committee_template(capsys, WENDENG, data, tmp_path / "t", "--prefill")
    book = load_workbook(path)
    units = book[UNITS_SHEET]
    assert units["B3"].value == "WDZG"
    units["B3"] = None                      # WDZG off the list: the workbook no longer covers it
    experts = book["附件4专家评分"]
    experts["F3"] = 1                       # but one of WDZG's rows is still there (and changed)
    book.save(path)
    year = data / WENDENG / "2023"
    before = digest(data)
    code, text = evalbook(capsys, "ingest", WENDENG, "--year", 2023, "--from", path.parent, "--data", data)
    assert code == 1 and digest(data) == before
    assert "考评组.xlsx!附件4专家评分!B3, 列 column 'code'" in text and "WDZG 不在本工作簿的“考评范围”中" in text
    assert "is not listed on this workbook's 考评范围 sheet" in text and "CSV 文件均未改动" in text
    book = load_workbook(path)
    for sheet in ("附件4专家评分", "视情扣分"):  # every WDZG row deleted: its rows are kept, not removed
        for row in range(FIRST_ROW, book[sheet].max_row + 1):
            if book[sheet].cell(row=row, column=2).value == "WDZG":
                set_row(book[sheet], row, [None] * 9)
    book.save(path)
    code, text = evalbook(capsys, "ingest", WENDENG, "--year", 2023, "--from", path.parent, "--data", data)
    assert code == 0, text
    assert digest(data) == before
    assert "expert_scores.csv（专家组 experts）：新增 0 行 added, 修改 0 行 changed, 删除 0 行 removed" in text
    # the demo has 7 WDZG expert rows: all kept
    assert (year / "expert_scores.csv").read_text(encoding="utf-8").count("\nWDZG,") == 7


def test_a_listed_unit_left_without_rows_loses_them_with_a_warning_naming_it(tmp_path, capsys):
    data = demo_copy(tmp_path, WENDENG)
    path = committee_template(capsys, WENDENG, data, tmp_path / "t", "--prefill")
    book = load_workbook(path)
    assert book["视情扣分"]["B4"].value == "FYBJ" and book[UNITS_SHEET]["B4"].value == "FYBJ"  # its one judgment; 2nd unit
    set_row(book["视情扣分"], 4, [None] * 5)
    book.save(path)
    code, text = evalbook(capsys, "ingest", WENDENG, "--year", 2023, "--from", path.parent, "--data", data)
    assert code == 0, text
    assert ("[警告 WARNING] 考评组.xlsx!考评范围!B4\n"
            "    规则: 工作簿中没有 FYBJ 的数据：2023/judgments.csv 中该单位的 1 行将全部删除") in text, text
    assert "its 1 rows of 2023/judgments.csv are removed" in text
    # 13 judgments − FYBJ's 1 = 12
    assert ("judgments.csv（考评组 committee）：新增 0 行 added, 修改 0 行 changed, 删除 1 行 removed"
            "（共 12 行 rows）；已写入 written") in text
    assert "\nFYBJ," not in (data / WENDENG / "2023" / "judgments.csv").read_text(encoding="utf-8")
    assert text.count("工作簿中没有") == 1  # the other units kept their rows: no warning for them


def test_an_unknown_unit_and_two_committee_workbooks_for_one_unit_are_refused(tmp_path, capsys):
    data = demo_copy(tmp_path, NAIMAN)
    path = committee_template(capsys, NAIMAN, data, tmp_path / "t", "--prefill")
    shutil.copy(path, path.parent / "考评组-副本.xlsx")
    book = load_workbook(path)
    book[UNITS_SHEET]["C4"] = "眼科"         # NMRM 神经内科 → 眼科: not in specialties.csv
    book.save(path)
    before = digest(data)
    code, text = evalbook(capsys, "ingest", NAIMAN, "--year", 2025, "--from", path.parent, "--data", data)
    assert code == 1 and digest(data) == before
    assert "考评组.xlsx!考评范围!B4, 列 column 'code'; 值 value='NMRM-眼科'" in text
    assert "NMRM-眼科 不在名单（specialties.csv）中" in text
    # sorted: 考评组-副本.xlsx is read first, so 考评组.xlsx's other units are the second claim
    assert "考评组.xlsx!考评范围!B3, 列 column 'code'; 值 value='NMRM-心血管内科'" in text
    assert "也在 考评组-副本.xlsx 的考评范围中" in text and "one committee workbook per unit" in text


def test_hostile_text_in_the_committee_workbook_is_kept_inert(tmp_path, capsys):
    data = tmp_path / "data"
    build_cohort(data)  # P3 is named =1+2卫生院; D2's judgment reason is <img src=x onerror=alert(1)>…
    path = committee_template(capsys, WENDENG, data, tmp_path / "t", "--prefill")
    book = load_workbook(path)
    name = book[UNITS_SHEET]["C7"]  # 序号 5: P3
    assert (name.value, name.data_type, name.quotePrefix) == ("=1+2卫生院", "s", True)  # shown as text, never run
    assert not any(cell.data_type == "f" for sheet in book for row in sheet.iter_rows() for cell in row)
    book["视情扣分"]["E3"] = "=1+2"   # a formula typed into an input cell: refused
    book.save(path)
    before = digest(data)
    code, text = evalbook(capsys, "ingest", WENDENG, "--year", 2023, "--from", path.parent, "--data", data)
    assert code == 1 and digest(data) == before
    assert "考评组.xlsx!视情扣分!E3, 列 column 'reason'" in text and "输入单元格不能使用公式" in text
    book = load_workbook(path)
    cell = book["视情扣分"]["E3"]
    cell.value, cell.data_type, cell.quotePrefix = "+86 0631 <b>x</b>", "s", True  # text that looks like a formula
    book.save(path)
    code, text = evalbook(capsys, "ingest", WENDENG, "--year", 2023, "--from", path.parent, "--data", data)
    assert code == 0, text
    judgments = data / WENDENG / "2023" / "judgments.csv"
    assert judgments.read_text(encoding="utf-8") == "code,item,points,reason,evaluator\nD2,16,0.5,'+86 0631 <b>x</b>,评审甲\n"
    table, _ = read_text_table(judgments, ["code", "item", "points", "reason", "evaluator"])
    assert table.frame["reason"].tolist() == ["+86 0631 <b>x</b>"]  # reading takes the ' off: exactly what was typed


# --------------------------------------------------------------------------- re-saved by LibreOffice Calc

SOFFICE = shutil.which("soffice")


@pytest.mark.parametrize("scheme,hospital", [(WENDENG, "WDZG.xlsx"), (NAIMAN, "NMRM-心血管内科.xlsx")])
def test_prefilled_workbooks_resaved_by_libreoffice_ingest_unchanged(scheme, hospital, tmp_path, capsys):
    if SOFFICE is None:  # a real client of our users is part of the suite, as Chromium is (make test installs both)
        pytest.fail("LibreOffice Calc (soffice) is not installed: run `make calc`. 未安装 LibreOffice Calc：请运行 make calc。")
    data = demo_copy(tmp_path, scheme)
    before = digest(data)
    committee = committee_template(capsys, scheme, data, tmp_path / "t", "--prefill")
    code, text = evalbook(capsys, "template", scheme, "--year", YEARS[scheme], "--data", data, "--out", tmp_path / "t",
                          "--prefill")
    assert code == 0, text
    resaved = tmp_path / "resaved"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--calc", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(resaved), str(committee), str(committee.parent / hospital)],
                   check=True, capture_output=True, timeout=300)
    assert sorted(p.name for p in resaved.iterdir()) == sorted([COMMITTEE_WORKBOOK, hospital])
    code, text = evalbook(capsys, "ingest", scheme, "--year", YEARS[scheme], "--from", resaved, "--data", data)
    assert code == 0, text
    after = digest(data)
    if scheme == NAIMAN:  # a blank survey cell gives no row: the demo's empty-value rows go (as test_naiman_workbooks)
        indicators = f"{scheme}/2025/indicators.csv"
        filled = [line for line in (REPO / "data" / indicators).read_text(encoding="utf-8").splitlines()
                  if not (line.startswith("NMRM,心血管内科,") and line.endswith(","))]  # only the re-saved specialty's
        assert (data / indicators).read_text(encoding="utf-8").splitlines() == filled
        before.pop(indicators), after.pop(indicators)
    else:  # the demo's hand-typed =HYPERLINK text gets its protecting ' (as test_workbooks' demo round trip)
        ledger = f"{scheme}/2023/ledger.csv"
        typed = (REPO / "data" / ledger).read_text(encoding="utf-8")
        assert (data / ledger).read_text(encoding="utf-8") == typed.replace('"=HYPERLINK(', '"\'=HYPERLINK(')
        before.pop(ledger), after.pop(ledger)
    assert after == before
    assert "新增 0 行 added, 修改 0 行 changed" in text and "修改 1" not in text and "新增 1" not in text


# --------------------------------------------------------------------------- counting

KEY = ("code", "item")
COLUMNS = ("code", "item", "points", "reason")


def rows(*records):
    return [dict(zip(COLUMNS, record, strict=True)) for record in records]


@pytest.mark.parametrize("before,after,expected", [
    # one kept, one changed (same key, other points), one removed, one added: 1 + 1 + 1, 3 rows after
    (rows(("A", "4", "1", "x"), ("A", "7", "1", "y"), ("B", "8", "2", "z")),
     rows(("A", "4", "1", "x"), ("A", "7", "1.5", "y"), ("C", "16", "1", "w")), Changes(1, 1, 1, 3)),
    # the same rows in another order: nothing
    (rows(("A", "4", "1", "x"), ("B", "8", "2", "z")), rows(("B", "8", "2", "z"), ("A", "4", "1", "x")), Changes(0, 0, 0, 2)),
    # two judgments of one item, one dropped: 1 removed (the other is unchanged)
    (rows(("A", "16", "2", "r1"), ("A", "16", "1", "r2")), rows(("A", "16", "2", "r1")), Changes(0, 0, 1, 1)),
    # two judgments of one item, both reworded, a third added: 2 changed, 1 added
    (rows(("A", "16", "2", "r1"), ("A", "16", "1", "r2")),
     rows(("A", "16", "2", "s1"), ("A", "16", "1", "s2"), ("A", "16", "0.5", "s3")), Changes(1, 2, 0, 3)),
    # a duplicated row halved: 1 removed; an empty cell is the same as an absent one
    (rows(("A", "4", "1", "x"), ("A", "4", "1", "x")), [{"code": "A", "item": "4", "points": "1", "reason": "x"}],
     Changes(0, 0, 1, 1)),
    (rows(("A", "4", "1", "")), [{"code": "A", "item": "4", "points": "1"}], Changes(0, 0, 0, 1)),
])
def test_count_changes(before, after, expected):
    assert count_changes(before, after, COLUMNS, KEY) == expected
