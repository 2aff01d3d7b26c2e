"""naiman-specialty validation: every cross-field rule of the scheme (docs/rules/naiman-specialty.md), and the
per-file rules, each planted once in a copy of the demo data (NMRM 心血管内科 2025: staff 12 + 16 + 2 = 30, open beds 40,
planned 40, ICU 5 → 12.5 %, surgery 721 of which grade 3/4 354 and minimally invasive 672)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from csv_rows import edit_rows
from evalbook.core.registry import get_scheme
from evalbook.inputs import validation
from evalbook.inputs.intake import take_in

REPO = Path(__file__).resolve().parents[1]
SCHEME = get_scheme("naiman-specialty")
UNIT = "NMRM·心血管内科·2025"


@pytest.fixture(scope="module")
def runner(shared_suite_runner):
    """The session's Great Expectations runner (conftest): each case revalidates only the table it edited."""
    return shared_suite_runner


@pytest.fixture
def data(tmp_path):
    shutil.copytree(REPO / "data" / "naiman-specialty", tmp_path / "naiman-specialty")
    return tmp_path


def edit(data: Path, file: str, match: dict, changes: dict | None = None, delete: bool = False, append: list | None = None):
    path = data / "naiman-specialty" / ("2025/" + file if file != "institutions.csv" else file)
    edit_rows(path, match, changes, delete, append)


def value(data, indicator, new, specialty="心血管内科", period="2025"):
    row = {"code": "NMRM", "specialty": specialty, "period": period, "indicator": indicator}
    edit(data, "indicators.csv", row, {"value": new})


def errors(data, runner):
    return take_in(SCHEME, 2025, data, runner=runner).errors


def test_demo_is_valid_with_the_bed_warning_only(data, runner):
    intake = take_in(SCHEME, 2025, data, runner=runner)
    assert intake.errors == []
    assert [(w.row, w.column) for w in intake.warnings] == [("NMMY·骨伤科·2025", "open_per_planned")]


@pytest.mark.parametrize("indicator, new, column", [
    ("1.1.4", "41", "icu_over_open"),              # ICU 41 > open 40
    ("1.1.4.share", "14", "icu_share_error"),      # |14 − 5/40×100| = 1.5 > 0.5
    ("1.4.5", "10", "education_minus_staff"),      # 0+0+5+16+10 = 31 ≠ 30
    ("1.6.4", "3", "age_minus_staff"),             # 10+9+7+3 = 29 ≠ 30
    ("1.5.3", "18", "titles_over_staff"),          # 5+8+18 = 31 > 30
    ("2.3.4", "722", "grade34_over_surgery"),      # 722 > 721
    ("2.3.5", "722", "minimal_over_surgery"),      # 722 > 721
])
def test_cross_field_rule_is_an_error_on_the_survey(data, runner, indicator, new, column):
    value(data, indicator, new)
    found = [(e.row, e.column) for e in errors(data, runner)]
    assert (UNIT, column) in found


@pytest.mark.parametrize("indicator, new", [
    ("1.1.4.share", "12.9"),   # |12.9 − 12.5| = 0.4 ≤ 0.5: within tolerance
    ("1.5.3", "17"),           # 5+8+17 = 30 ≤ 30: titles may equal the total
    ("2.3.4", "721"),          # equal is allowed
])
def test_cross_field_rule_edges_pass(data, runner, indicator, new):
    value(data, indicator, new)
    assert errors(data, runner) == []


@pytest.mark.parametrize("stated, ok", [
    ("27", True),          # 11 ICU of 40 open beds = 27.5 %: |27 − 27.5| = 0.5, on the line, allowed (floats: 0.5000000000000036)
    ("28", True),          # |28 − 27.5| = 0.5
    ("26.999999", False),  # |26.999999 − 27.5| = 0.500001 > 0.5
])
def test_icu_share_tolerance_is_decided_exactly(data, runner, stated, ok):
    value(data, "1.1.4", "11")
    value(data, "1.1.4.share", stated)
    found = [(e.row, e.column) for e in errors(data, runner)]
    assert ((UNIT, "icu_share_error") not in found) == ok


def test_open_beds_over_one_and_a_half_planned_is_a_warning_not_an_error(data, runner):
    value(data, "1.1.2", "26")   # 40 / 26 = 1.54 > 1.5
    intake = take_in(SCHEME, 2025, data, runner=runner)
    assert intake.errors == []
    assert (UNIT, "open_per_planned") in [(w.row, w.column) for w in intake.warnings]


def test_missing_required_indicator_names_it(data, runner):
    edit(data, "indicators.csv", {"code": "NMRM", "specialty": "心血管内科", "period": "2025", "indicator": "2.1.1"}, delete=True)
    found = [e for e in errors(data, runner) if e.column == "missing_required"]
    assert found and found[0].row == UNIT and "2.1.1" in str(found[0].value)


@pytest.mark.parametrize("indicator, new, rule", [
    ("2.3.1", "0", "CMI"),          # index: 0 < x ≤ 5
    ("2.3.1", "5.5", "CMI"),
    ("3.7.1", "0", "名次"),          # rank ≥ 1
    ("2.1.1", "12人", "整数"),        # count
    ("2.6.1", "-1", "不小于0"),       # percent, negative
])
def test_value_kind_rules(data, runner, indicator, new, rule):
    value(data, indicator, new)
    found = [e for e in errors(data, runner) if e.column == "value" and str(e.value) == new]
    assert found and rule in found[0].rule_zh
    assert f"指标 {indicator}" in found[0].context and "专科 心血管内科" in found[0].context


def test_unknown_indicator_and_duplicate_value(data, runner):
    edit(data, "indicators.csv", {"code": "NMRM", "specialty": "心血管内科", "period": "2025", "indicator": "2.1.1"},
         append=["NMRM", "心血管内科", "2025", "9.9.9", "3"])
    edit(data, "indicators.csv", {"code": "NMRM", "specialty": "心血管内科", "period": "2025", "indicator": "2.1.2"},
         append=["NMRM", "心血管内科", "2025", "2.1.2", "4"])
    rules = [e.rule_en for e in errors(data, runner)]
    assert any("unknown indicator" in r for r in rules)
    assert any("one value per code + specialty + period + indicator" in r for r in rules)


def test_specialty_not_listed(data, runner):
    edit(data, "indicators.csv", {"code": "NMRM", "specialty": "心血管内科", "period": "2025", "indicator": "2.1.1"},
         append=["NMRM", "外科", "2025", "2.1.1", "3"])
    assert any(e.file == "2025/indicators.csv" and "specialties.csv" in e.rule_en for e in errors(data, runner))


@pytest.mark.parametrize("match, changes, column", [
    ({"specialty": "心血管内科"}, {"field": "牙科"}, "field"),
    ({"specialty": "心血管内科"}, {"status": "done"}, "status"),
    ({"specialty": "心血管内科"}, {"specialty": "心/内科"}, "specialty"),
])
def test_specialties_file_rules(data, runner, match, changes, column):
    edit(data, "specialties.csv", match, changes)
    assert any(e.file == "2025/specialties.csv" and e.column == column for e in errors(data, runner))


def test_ineligible_institution_level(data, runner):
    edit(data, "institutions.csv", {"code": "NMRM"}, {"level": "未定级"})
    assert any(e.file == "institutions.csv" and e.column == "level" for e in errors(data, runner))


def test_building_specialty_needs_targets_onsite_and_its_year(data, runner):
    edit(data, "onsite.csv", {"code": "NMRM", "specialty": "心血管内科"}, delete=True)
    found = [e for e in errors(data, runner) if e.value == "心血管内科"]
    assert any("on-site" in e.rule_en for e in found)


def test_target_must_be_a_numeric_indicator_once(data, runner):
    edit(data, "targets.csv", {"code": "NMRM", "specialty": "心血管内科"},
         append=["NMRM", "心血管内科", "1.2.1.detail", "1", "2"])
    assert any(e.file == "2025/targets.csv" and e.column == "indicator" and e.value == "1.2.1.detail"
               for e in errors(data, runner))


def test_onsite_score_over_100(data, runner):
    edit(data, "onsite.csv", {"code": "NMRM", "specialty": "心血管内科"}, {"management": "101"})
    assert any(e.file == "2025/onsite.csv" and e.column == "management" for e in errors(data, runner))


def test_fewer_than_two_candidates_is_a_warning(data, runner):
    edit(data, "specialties.csv", {"specialty": "肿瘤科"}, {"status": "building"})
    intake = take_in(SCHEME, 2025, data, runner=runner)
    assert any("fewer than 2" in w.rule_en for w in intake.warnings)


def test_flat_layout_is_read_too(tmp_path, runner):
    """Files directly in data/naiman-specialty/ (no year folder): indicators carry their own period."""
    source = REPO / "data" / "naiman-specialty"
    target = tmp_path / "naiman-specialty"
    target.mkdir()
    shutil.copy(source / "institutions.csv", target)
    for f in (source / "2025").iterdir():
        shutil.copy(f, target)
    intake = take_in(SCHEME, 2025, tmp_path, runner=runner)
    assert intake.errors == [] and intake.labels["indicators.csv"] == "indicators.csv"


# --------------------------------------------------------------------------- input integrity

def test_an_expert_differing_only_in_case_or_width_is_refused_on_both_rows(data, runner):
    # NMRM 心血管内科 is scored by 专家B/C/D（示例）; a fourth row by "专家ｂ（示例）" (full-width b) is 专家B again
    edit(data, "onsite.csv", {"code": "NMRM", "specialty": "心血管内科", "expert": "专家B（示例）"},
         append=["NMRM", "心血管内科", "专家ｂ（示例）", "70", "70", "70"])
    found = [e for e in errors(data, runner) if e.file == "2025/onsite.csv" and e.column == "code+specialty+expert"]
    assert [e.value for e in found] == ["code=NMRM、specialty=心血管内科、expert=专家B（示例）",
                                        "code=NMRM、specialty=心血管内科、expert=专家ｂ（示例）"]
    assert "E05 and e05 are one expert" in found[0].rule_en


@pytest.mark.parametrize("indicator, new, rule", [
    ("2.1.1", "1" * 400, "不大于1000000000"),       # count: refused by the bound, not read as inf
    ("1.1.1", "120.1234567", "最多6位小数"),         # area: seven decimals
])
def test_absurd_magnitude_or_precision_is_refused(data, runner, indicator, new, rule):
    value(data, indicator, new)
    found = [e for e in errors(data, runner) if e.column == "value" and str(e.value) == new]
    assert found and rule in found[0].rule_zh, [(e.column, e.rule_zh) for e in errors(data, runner)]


def test_a_400_digit_target_gets_the_range_rule(data, runner):
    edit(data, "targets.csv", {"code": "NMRM", "specialty": "心血管内科", "indicator": "1.4.3"}, {"target": "9" * 400})
    found = [e for e in errors(data, runner) if e.column == "target" and e.value == "9" * 400]
    assert found and "target must be ≥ 0 and ≤ 1000000000" in found[0].rule_en


def _problems(data, runner, file="2025/indicators.csv"):
    intake = take_in(SCHEME, 2025, data, runner=runner)
    return [(p.row, p.column, p.value, p.rule_zh, p.rule_en, p.severity, p.context) for p in intake.outcome.problems
            if p.file == file], [s for s in intake.outcome.summary if s["file"] == file]


def test_duplicates_and_blanks_reported_as_great_expectations_reports_them(data, runner, monkeypatch):
    """GX decides nullness and compound uniqueness on a cheaper equivalent column (``validation._compact``): the
    problems, cell for cell and word for word, and the summary are those of GX run on the columns themselves."""
    path = data / "naiman-specialty" / "2025" / "indicators.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] = ",心血管内科,2024H1,1.1.4,5"       # line 5: code left blank
    lines[5] = "NMRM,心血管内科,2024H1,,40"       # line 6: indicator left blank
    lines.append(lines[1])                     # line 2 again (a duplicate of NMRM 心血管内科 2024H1 1.1.1)
    lines.append(lines[2].rsplit(",", 1)[0] + ",99")  # line 3's key with another value
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    compact, summary = _problems(data, runner)
    last = len(lines)
    first_key = dict(zip(("code", "specialty", "period", "indicator"), lines[1].split(",")[:4], strict=True))
    duplicate = [(p[0], p[2]) for p in compact if p[1] == "code+specialty+period+indicator"]
    # every row of a repeated key is named (keep=False), with the key's four values, in line order
    assert duplicate == [(2, "、".join(f"{k}={v}" for k, v in first_key.items())), (3, duplicate[1][1]),
                         (last - 1, duplicate[0][1]), (last, duplicate[1][1])]
    assert duplicate[1][1].endswith("indicator=" + lines[2].split(",")[3])
    blank = [(p[0], p[1], p[2], p[3], p[4]) for p in compact if p[3].endswith("不能为空")]
    assert blank == [(5, "code", None, "机构代码不能为空", "code must not be empty"),
                     (6, "indicator", None, "指标编号不能为空", "indicator must not be empty")]
    rules = {(s["expectation"], s["column"]): s for s in summary}  # the summary names each rule as the suite writes it
    assert rules[("expect_compound_columns_to_be_unique", "code+specialty+period+indicator")]["unexpected"] == 4
    assert rules[("expect_column_values_to_not_be_null", "code")]["unexpected"] == 1
    monkeypatch.setattr(validation, "_compact", lambda frame, plan, parameters, factorized=None: (frame, plan))
    assert _problems(data, runner) == (compact, summary)


def test_more_duplicates_than_great_expectations_lists(data, runner, monkeypatch):
    """GX lists 200 unexpected values but every row: past the 200th the value is read from the file, as before."""
    path = data / "naiman-specialty" / "2025" / "indicators.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines += lines[1:131]  # 130 keys twice: 260 rows named
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    compact, summary = _problems(data, runner)
    assert len([p for p in compact if p[1] == "code+specialty+period+indicator"]) == 260
    monkeypatch.setattr(validation, "_compact", lambda frame, plan, parameters, factorized=None: (frame, plan))
    assert _problems(data, runner) == (compact, summary)


def test_rules_of_one_row_judged_on_distinct_rows_as_on_every_row(data, runner, monkeypatch):
    """A rule that judges each row on its own runs in GX on the table's distinct rows (``validation._distinct_rows``),
    each row taking its distinct row's verdict: the problems (every failing line, in line order, past GX's 200 listed
    values too) and the summary are those of GX run on every row."""
    path = data / "naiman-specialty" / "2025" / "targets.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = header.index("baseline")
    body = []
    for n in range(230):  # 230 rows, two baselines in turn, both above 10^9: one distinct failing value each
        cells = lines[1 + n % (len(lines) - 1)].split(",")
        cells[header.index("indicator")] = f"9.9.{n}"  # (an unknown indicator: another rule's problem, once a row)
        cells[at] = "2000000000" if n % 2 else "3000000000.5"
        body.append(",".join(cells))
    path.write_text("\n".join([*lines, *body]) + "\n", encoding="utf-8")
    found, summary = _problems(data, runner, "2025/targets.csv")
    high = [(p[0], p[2]) for p in found if p[1] == "baseline" and "≤ 1000000000" in p[4]]
    first = len(lines) + 1  # the line of the first row added
    assert [row for row, _ in high] == list(range(first, first + 230))
    assert {str(v) for _, v in high[:200]} == {"2000000000.0", "3000000000.5"}  # the values GX lists: the typed numbers
    assert {str(v) for _, v in high[200:]} == {"2000000000", "3000000000.5"}  # past them: the cells' text
    assert len([p for p in found if p[1] == "indicator"]) == 230
    monkeypatch.setattr(validation, "_distinct_rows", lambda frame: None)
    assert _problems(data, runner, "2025/targets.csv") == (found, summary)
