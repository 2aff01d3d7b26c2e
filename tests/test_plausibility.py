"""Implausible values (存疑): ``Scheme.plausibility``, each check at its edge, in copies of the demo data.

"Far from" is always: the larger value more than FACTOR × the smaller (exactly FACTOR times is NOT flagged: the rubric
says "beyond" the factor), unless both are at most the floor. Defaults (rubrics/*.yaml, plausibility): wendeng
jump_factor 3, jump_floor 10, max_revenue_per_visit_yuan 10000, max_workload_per_staff 10000; naiman baseline_factor 5,
peer_factor 3, min_peers 3, floor 10. At these defaults the demo data has ten implausible values, all fund jumps of
wendeng 2023 against 2022 (``test_demo_data_implausible_values``), and none in naiman.
"""

from __future__ import annotations

import csv
import json
import shutil
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from csv_rows import edit_rows
from evalbook.core.errors import InputError, Problem
from evalbook.core.registry import get_scheme
from evalbook.inputs.intake import load_recorded, take_in
from evalbook.schemes.naiman_specialty.plausibility import far, median, peer_outliers
from evalbook.schemes.wendeng_featured.plausibility import is_jump

REPO = Path(__file__).resolve().parents[1]
WENDENG = get_scheme("wendeng-featured")
NAIMAN = get_scheme("naiman-specialty")
F = Fraction


@pytest.fixture(scope="module")
def runner(shared_suite_runner):
    """The session's Great Expectations runner (conftest): each case revalidates only the table it edited."""
    return shared_suite_runner


@pytest.fixture
def data(tmp_path):
    for name in ("wendeng-featured", "naiman-specialty"):
        shutil.copytree(REPO / "data" / name, tmp_path / name)
    return tmp_path


def edit(data: Path, scheme: str, file: str, match: dict, changes: dict | None = None, delete: bool = False):
    path = data / scheme / file
    edit_rows(path, match, changes, delete)


def rubric_with(scheme, tmp_path: Path, **changes):
    """The scheme's rubric with plausibility keys changed in its text, read by the strict loader."""
    text = scheme.rubric_path().read_text(encoding="utf-8")
    for key, value in changes.items():
        lines = [line for line in text.splitlines() if line.startswith(f"  {key}: ")]
        assert len(lines) == 1, key
        text = text.replace(lines[0], f"  {key}: {value}")
    path = tmp_path / f"{scheme.NAME}.yaml"
    path.write_text(text, encoding="utf-8")
    return scheme.load_rubric(path)


def implausible(intake, column=None, rule=None, row=None) -> list[Problem]:
    assert not intake.errors, [p.render() for p in intake.errors]
    return [p for p in intake.implausible if (column is None or p.column == column) and (rule is None or rule in p.rule_en)
            and (row is None or p.row == row)]


def shown(problems) -> str:
    return "\n".join(p.render() for p in problems) or "(none)"


# ------------------------------------------------------------------ the rule itself, exactly


@pytest.mark.parametrize(("current", "previous", "flagged"), [
    (F(30), F(10), False),   # 30 = 3 × 10 exactly: not beyond the factor
    (F(31), F(10), True),    # 31 > 30
    (F(29), F(10), False),   # 29 < 30
    (F(10), F(30), False),   # down: 30 = 3 × 10 exactly
    (F(10), F(31), True),    # down: 31 > 3 × 10
    (F(10), F(0), False),    # both ≤ floor 10: not compared
    (F(11), F(0), True),     # 11 > 10 and 11 > 3 × 0: from nothing to above the floor
    (F("99.9"), F("33.3"), False),  # 3 × 33.3 = 99.9 exactly (as binary floats 3 × 33.3 = 99.89999…, which would flag)
])
def test_jump_rule_edges(current, previous, flagged):
    assert is_jump(current, previous, F(3), F(10)) is flagged


def test_jump_floor_from_the_rubric(data, runner, tmp_path):
    # the demo's TFS external funds 0 → 11.3 (row 20) is above the floor 10; with jump_floor 11.3 both are at most it
    assert implausible(take_in(WENDENG, 2023, data, runner=runner), "external_funds_wan", row=20)
    floor = rubric_with(WENDENG, tmp_path, jump_floor=11.3)
    assert implausible(take_in(WENDENG, 2023, data, rubric=floor, runner=runner), "external_funds_wan", row=20) == []


def test_exact_median():
    assert median([F(10), F(30), F(20)]) == 20
    assert median([F(1), F(2), F(4), F(8)]) == 3  # (2 + 4) / 2


# ------------------------------------------------------------------ the severity


def test_implausible_is_neither_error_nor_refusal():
    p = Problem("2023/facts.csv", "规则", "rule", row=2, column="x", value="1", severity="implausible")
    assert not p.is_error and p.is_implausible
    assert p.render().startswith("[存疑 IMPLAUSIBLE] 2023/facts.csv, 第2行 row 2, 列 column 'x'")
    assert Problem("f", "r", "r", severity="warning").render().startswith("[警告 WARNING]")


# ------------------------------------------------------------------ wendeng: facts against last year


WDZG_FUNDS_2022 = "257.8"  # data/wendeng-featured/2022/facts.csv, WDZG (row 2): internal_funds_wan


@pytest.mark.parametrize(("value", "flagged"), [
    ("773.4", False),  # 3 × 257.8 = 773.4 exactly: not flagged
    ("773.5", True),   # just above
    ("773.3", False),  # just below
    ("85.9", True),    # down: 257.8 > 3 × 85.9 = 257.7
    ("86", False),     # down: 3 × 86 = 258 ≥ 257.8
])
def test_fact_jump_from_last_year_at_its_edge(data, runner, value, flagged):
    edit(data, "wendeng-featured", "2023/facts.csv", {"code": "WDZG"}, {"internal_funds_wan": value})
    intake = take_in(WENDENG, 2023, data, runner=runner)
    hits = implausible(intake, "internal_funds_wan", row=2)
    assert len(hits) == int(flagged), shown(intake.implausible)
    assert "2022/facts.csv" in intake.input_hashes()  # the year compared with is an input (archived, verified)
    if flagged:
        p = hits[0]
        assert (p.file, p.row, p.value, p.severity) == ("2023/facts.csv", 2, value, "implausible")
        assert f"2022/facts.csv 第2行，2022年：{WDZG_FUNDS_2022}" in p.rule_zh and "jump_factor = 3" in p.rule_zh
        assert f"2022/facts.csv row 2, 2022: {WDZG_FUNDS_2022} → {value}" in p.rule_en and "jump_factor = 3" in p.rule_en


def test_no_previous_year_no_jump_check(data, runner):
    edit(data, "wendeng-featured", "2023/facts.csv", {"code": "WDZG"}, {"internal_funds_wan": "773.5"})
    shutil.rmtree(data / "wendeng-featured" / "2022")
    intake = take_in(WENDENG, 2023, data, runner=runner)
    assert implausible(intake) == []  # nor any other fact: the demo's fund jumps are gone with 2022
    assert not any(label.startswith("2022/") for label in intake.input_hashes())


def test_a_changed_rubric_threshold_changes_the_verdict(data, runner, tmp_path):
    edit(data, "wendeng-featured", "2023/facts.csv", {"code": "WDZG"}, {"internal_funds_wan": "773.5"})
    assert implausible(take_in(WENDENG, 2023, data, runner=runner), "internal_funds_wan", row=2)
    # 4 × 257.8 = 1031.2 > 773.5: no longer beyond the factor
    four = rubric_with(WENDENG, tmp_path, jump_factor=4)
    assert implausible(take_in(WENDENG, 2023, data, rubric=four, runner=runner), "internal_funds_wan", row=2) == []
    assert "jump_factor = 2" in " ".join(p.rule_zh for p in implausible(  # the message quotes the rubric's factor
        take_in(WENDENG, 2023, data, rubric=rubric_with(WENDENG, tmp_path, jump_factor=2), runner=runner)))
    # the fact no longer listed in jump_facts: not compared
    few = rubric_with(WENDENG, tmp_path, jump_facts="[trainees_3m]")
    assert implausible(take_in(WENDENG, 2023, data, rubric=few, runner=runner), "internal_funds_wan") == []
    assert implausible(take_in(WENDENG, 2023, data, rubric=few, runner=runner), "external_funds_wan") == []


# ------------------------------------------------------------------ wendeng: Annex 6


# data/wendeng-featured/2023/project_stats.csv, WDZG 中医正骨手法复位: row 2 is 2022 (staff 37, workload 31731,
# revenue 596.0, investment 29.3), row 3 is 2023 (staff 39, workload 34611, revenue 650.1, investment 33.7)
PROJECT = {"code": "WDZG", "project": "中医正骨手法复位"}


@pytest.mark.parametrize(("value", "flagged"), [("87.9", False), ("88.0", True), ("87.8", False)])  # 3 × 29.3 = 87.9
def test_annex6_jump_against_the_files_own_previous_year(data, runner, value, flagged):
    edit(data, "wendeng-featured", "2023/project_stats.csv", {**PROJECT, "year": "2023"}, {"investment_wan": value})
    intake = take_in(WENDENG, 2023, data, runner=runner)
    hits = implausible(intake, "investment_wan")
    assert len(hits) == int(flagged), shown(intake.implausible)
    if flagged:
        assert (hits[0].file, hits[0].row) == ("2023/project_stats.csv", 3)
        assert "2023/project_stats.csv 第2行，2022年：29.3" in hits[0].rule_zh
    assert "2022/project_stats.csv" not in intake.input_hashes()  # its own 2022 rows were enough


def test_annex6_jump_falls_back_to_last_years_file(data, runner):
    # without the 2022 row in the 2023 file, the 2022 file's 2022 row (row 3: investment 29.3) is compared with
    edit(data, "wendeng-featured", "2023/project_stats.csv", {**PROJECT, "year": "2022"}, delete=True)
    edit(data, "wendeng-featured", "2023/project_stats.csv", {**PROJECT, "year": "2023"}, {"investment_wan": "88.0"})
    intake = take_in(WENDENG, 2023, data, runner=runner)
    hits = implausible(intake, "investment_wan")
    assert len(hits) == 1 and "2022/project_stats.csv 第3行，2022年：29.3" in hits[0].rule_zh, shown(intake.implausible)
    assert "2022/project_stats.csv" in intake.input_hashes()


@pytest.mark.parametrize(("revenue", "workload", "flagged"), [
    ("34611", "34611", False),  # 34611 万元 × 10000 ÷ 34611 = 10000 元 per visit exactly: not flagged
    ("34611.01", "34611", True),  # 10000.0029 元 per visit: just above
    ("34610.99", "34611", False),  # just below
    ("0.1", "0", True),  # revenue with no workload at all
    ("0", "0", False),  # nothing at all: nothing inconsistent
])
def test_revenue_without_the_workload(data, runner, revenue, workload, flagged):
    edit(data, "wendeng-featured", "2023/project_stats.csv", {**PROJECT, "year": "2023"},
         {"revenue_wan": revenue, "workload": workload})
    intake = take_in(WENDENG, 2023, data, runner=runner)
    hits = implausible(intake, "revenue_wan", "max_revenue_per_visit_yuan")
    assert len(hits) == int(flagged), shown(intake.implausible)
    if flagged:
        assert (hits[0].file, hits[0].row, hits[0].value) == ("2023/project_stats.csv", 3, revenue)
        assert "max_revenue_per_visit_yuan = 10000" in hits[0].rule_zh
    if revenue == "34611.01":  # a changed threshold changes the verdict: 10001 元 × 34611 = 34614.4611 万元 > 34611.01
        lax = rubric_with(WENDENG, data, max_revenue_per_visit_yuan=10001)
        assert implausible(take_in(WENDENG, 2023, data, rubric=lax, runner=runner), "revenue_wan", "max_revenue") == []


@pytest.mark.parametrize(("workload", "staff", "flagged"), [
    ("390000", "39", False),  # 390000 ÷ 39 = 10000 per staff member exactly: not flagged
    ("390001", "39", True),   # just above
    ("389999", "39", False),  # just below
    ("1", "0", True),         # workload with no staff
])
def test_workload_without_the_staff(data, runner, workload, staff, flagged):
    # revenue raised with the workload so that only the workload-per-staff check can speak: 5000 万元 ÷ 390000 ≈ 128 元
    edit(data, "wendeng-featured", "2023/project_stats.csv", {**PROJECT, "year": "2023"},
         {"workload": workload, "staff": staff, "revenue_wan": "0" if workload == "1" else "5000"})
    intake = take_in(WENDENG, 2023, data, runner=runner)
    hits = implausible(intake, "workload", "max_workload_per_staff")
    assert len(hits) == int(flagged), shown(intake.implausible)
    if flagged:
        assert "max_workload_per_staff = 10000" in hits[0].rule_zh and f"工作人员{staff}人" in hits[0].rule_zh
    # a changed threshold changes the verdict: 10001 per staff member allows 390039 for 39
    if workload == "390001":
        lax = rubric_with(WENDENG, data, max_workload_per_staff=10001)
        assert implausible(take_in(WENDENG, 2023, data, rubric=lax, runner=runner), "workload", "max_workload") == []


# ------------------------------------------------------------------ shown everywhere, never refusing


def test_implausible_values_are_recorded_shown_and_never_stop_a_run(data, runner, tmp_path):
    from openpyxl import load_workbook

    from evalbook.notebook.sections import validation_summary
    from evalbook.output.tables import write_results

    edit(data, "wendeng-featured", "2023/facts.csv", {"code": "WDZG"}, {"internal_funds_wan": "773.5"})
    intake = take_in(WENDENG, 2023, data, runner=runner)
    assert not intake.errors and len(intake.implausible) == 11  # the demo's ten and this one
    record = intake.validation_record()
    assert [p["severity"] for p in record["problems"] if p["column"] == "internal_funds_wan" and p["row"] == 2] == ["implausible"]
    assert "2022/facts.csv" in record["inputs"]
    # the scores are those of the same data: a warning never changes a score
    out = tmp_path / "out"
    out.mkdir()
    write_results(WENDENG, intake, WENDENG.score(intake), out)
    sheet = load_workbook(out / "results.xlsx")["校验警告"]
    assert ("存疑 implausible", "2023/facts.csv", 2, "internal_funds_wan", "773.5") in [
        tuple(r[:5]) for r in sheet.iter_rows(values_only=True)]
    page = str(validation_summary(SimpleNamespace(intake=intake, scheme=WENDENG)))
    assert "存疑（请核实）" in page and "773.5" in page
    # a notebook reading the record re-reads the year compared with, and refuses when it changed since
    path = tmp_path / "validation.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert len(load_recorded(WENDENG, 2023, data, path).implausible) == 11
    edit(data, "wendeng-featured", "2022/facts.csv", {"code": "WDZG"}, {"internal_funds_wan": "257.9"})
    with pytest.raises(InputError, match="2022/facts.csv"):
        load_recorded(WENDENG, 2023, data, path)


def test_validate_prints_implausible_values_and_passes(data, capsys):
    """``evalbook validate`` in this process (test_cli_e2e runs the command itself in a subprocess)."""
    from evalbook.cli.commands import main

    edit(data, "wendeng-featured", "2023/facts.csv", {"code": "WDZG"}, {"internal_funds_wan": "773.5"})
    code = main(["validate", "wendeng-featured", "--year", "2023", "--data", str(data)])
    done = capsys.readouterr()
    assert code == 0, done.out + done.err
    assert "[存疑 IMPLAUSIBLE] 2023/facts.csv, 第2行 row 2, 列 column 'internal_funds_wan'" in done.out
    assert "11 implausible values" in done.out


# ------------------------------------------------------------------ naiman: against its own baseline


# data/naiman-specialty/2025/indicators.csv, NMRM 心血管内科 2.1.1 门诊人次: 2024H1 (row 24) 7273, 2025 (row 102) 15382
@pytest.mark.parametrize(("value", "flagged"), [
    ("36365", False),  # 5 × 7273 = 36365 exactly: not flagged
    ("36366", True),   # just above
    ("36364", False),  # just below
    ("1454", True),    # down: 7273 > 5 × 1454 = 7270
    ("1455", False),   # down: 5 × 1455 = 7275 ≥ 7273
])
def test_naiman_value_against_its_own_baseline(data, runner, value, flagged):
    edit(data, "naiman-specialty", "2025/indicators.csv",
         {"code": "NMRM", "specialty": "心血管内科", "period": "2025", "indicator": "2.1.1"}, {"value": value})
    intake = take_in(NAIMAN, 2025, data, runner=runner)
    hits = implausible(intake, "value", "baseline")
    assert len(hits) == int(flagged), shown(intake.implausible)
    if flagged:
        p = hits[0]
        assert (p.file, p.row, p.value) == ("2025/indicators.csv", 102, value)
        assert "统计期 2024H1，第24行：7273" in p.rule_zh and "baseline_factor = 5" in p.rule_zh
        assert "2.1.1" in p.context
    if value == "36366":  # a changed threshold changes the verdict: 6 × 7273 = 43638 > 36366
        six = rubric_with(NAIMAN, data, baseline_factor=6)
        assert implausible(take_in(NAIMAN, 2025, data, rubric=six, runner=runner), "value", "baseline") == []
        counts_not_compared = rubric_with(NAIMAN, data, kinds="[amount]")  # 2.1.1 is a count
        assert implausible(take_in(NAIMAN, 2025, data, rubric=counts_not_compared, runner=runner), "value", "baseline") == []
    if value == "1454":  # floor 7273: both values at most the floor, not compared
        high_floor = rubric_with(NAIMAN, data, floor=7273)
        assert implausible(take_in(NAIMAN, 2025, data, rubric=high_floor, runner=runner), "value", "baseline") == []


# ------------------------------------------------------------------ naiman: against its peers


def survey(values: dict[str, int | str]) -> tuple[pd.DataFrame, dict]:
    """Specialties A… of field F (one institution each), one value each of indicator 2.1.1 in 2025."""
    rows = pd.DataFrame({"code": list(values), "specialty": "科", "period": "2025", "indicator": "2.1.1",
                         "exact": [F(v) for v in values.values()]}, index=range(2, 2 + len(values)))
    return rows, {(code, "科"): "F" for code in values}


T = {"peer": F(3), "floor": F(10), "min_peers": 3}


@pytest.mark.parametrize(("a", "flagged"), [
    ("60", False),  # peers 10, 20, 30: median 20; 60 = 3 × 20 exactly: not flagged
    ("61", True),   # just above
    ("59", False),  # just below
    ("6", True),    # down: 20 > 3 × 6 = 18
    ("7", False),   # down: 3 × 7 = 21 ≥ 20
])
def test_naiman_value_against_the_median_of_its_peers(a, flagged):
    # B, C, D are never flagged here: each one's peers' median is within 3× (e.g. B = 10 against median(A, 20, 30))
    rows, fields = survey({"A": a, "B": 10, "C": 20, "D": 30})
    problems = peer_outliers(rows, fields, "2025/indicators.csv", T, lambda line: None)
    assert [(p.row, p.value) for p in problems] == ([(2, a)] if flagged else [])
    if flagged:
        assert "中位数（20）" in problems[0].rule_zh and "其他3个专科" in problems[0].rule_zh
        assert "peer_factor = 3" in problems[0].rule_zh and "min_peers = 3" in problems[0].rule_zh


def test_naiman_fewer_peers_than_the_rubric_asks_no_comparison():
    rows, fields = survey({"A": 1000, "B": 10, "C": 20})  # A has 2 peers < 3
    assert peer_outliers(rows, fields, "x", T, lambda line: None) == []
    # with 2 peers enough, all three are flagged: A 1000 > 3 × median(10, 20) = 45; B: median(1000, 20) = 510 > 3 × 10;
    # C: median(1000, 10) = 505 > 3 × 20 (one outlier moves a 2-value median: why the default asks for 3 peers)
    found = peer_outliers(rows, fields, "x", {**T, "min_peers": 2}, lambda line: None)
    assert [(p.row, p.value) for p in found] == [(2, "1000"), (3, "10"), (4, "20")]
    assert "中位数（510）" in found[1].rule_zh


def test_naiman_peers_in_the_demo_and_a_changed_min_peers(data, runner, tmp_path):
    # every specialty of the demo in one field (其他): 8 peers each, so the peer check speaks
    path = data / "naiman-specialty" / "2025" / "specialties.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for r in rows:
        r["field"] = "其他"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    assert implausible(take_in(NAIMAN, 2025, data, runner=runner), "value", "median")
    nine = rubric_with(NAIMAN, tmp_path, min_peers=9)  # only 8 peers: not compared
    assert implausible(take_in(NAIMAN, 2025, data, rubric=nine, runner=runner), "value", "median") == []


def test_demo_data_implausible_values(runner):
    # wendeng 2023 against 2022/facts.csv (万元, same row in both files): each more than 3-fold, above the floor 10
    found = [(p.file, p.row, p.column, p.value) for p in take_in(WENDENG, 2023, REPO / "data", runner=runner).implausible]
    assert found == [("2023/facts.csv", 3, "external_funds_wan", "157.1"),  # FYBJ 10 → 157.1 (> 30)
                     ("2023/facts.csv", 8, "external_funds_wan", "100"),    # SC 20 → 100 (> 60)
                     ("2023/facts.csv", 9, "internal_funds_wan", "44.7"),   # GC 10 → 44.7 (> 30)
                     ("2023/facts.csv", 11, "internal_funds_wan", "39.4"),  # DSP 5 → 39.4 (> 15)
                     ("2023/facts.csv", 13, "external_funds_wan", "10"),    # ZK 37.8 → 10 (37.8 > 30)
                     ("2023/facts.csv", 14, "internal_funds_wan", "8.7"),   # ZT 26.3 → 8.7 (26.3 > 26.1)
                     ("2023/facts.csv", 14, "external_funds_wan", "5"),     # ZT 29.6 → 5 (29.6 > 15)
                     ("2023/facts.csv", 16, "external_funds_wan", "37.6"),  # ZJC 10.9 → 37.6 (37.6 > 32.7)
                     ("2023/facts.csv", 18, "internal_funds_wan", "5"),     # MS 36.6 → 5 (36.6 > 15)
                     ("2023/facts.csv", 20, "external_funds_wan", "11.3")]  # TFS 0 → 11.3 (11.3 > 10 and > 0)
    assert take_in(WENDENG, 2022, REPO / "data", runner=runner).implausible == []  # no 2021: Annex 6 rows only
    assert take_in(NAIMAN, 2025, REPO / "data", runner=runner).implausible == []


# ------------------------------------------------------------------ the year compared with is evidence, like the inputs


def test_the_year_compared_with_is_archived_shown_and_verified(tmp_path):
    from evalbook.cli.commands import main
    from evalbook.inputs.reading import sha256_file
    from evalbook.run.batch import RunOptions, run_year, validate_year
    from test_cli_e2e import build_cohort

    data = tmp_path / "data"
    build_cohort(data)  # five institutions, every internal_funds_wan 300.0 in 2023/facts.csv (D1 on row 2)
    base = data / WENDENG.NAME
    (base / "2022").mkdir()
    shutil.copy(base / "2023" / "facts.csv", base / "2022" / "facts.csv")
    edit(data, WENDENG.NAME, "2022/facts.csv", {"code": "D1"}, {"internal_funds_wan": "99.9"})  # 300 > 3 × 99.9 = 299.7
    report = run_year(WENDENG.NAME, 2023, data, tmp_path / "out", intake=validate_year(WENDENG.NAME, 2023, data),
                      log=lambda _: None, options=RunOptions(bar=False))
    assert not report.failures
    year = tmp_path / "out" / WENDENG.NAME / "2023"
    problems = json.loads((year / "validation.json").read_text(encoding="utf-8"))["problems"]
    assert [(p["file"], p["row"], p["column"], p["value"]) for p in problems if p["severity"] == "implausible"] == [
        ("2023/facts.csv", 2, "internal_funds_wan", "300")]
    assert (year / "inputs" / sha256_file(base / "2022" / "facts.csv")).is_file()
    recorded = json.loads((year / "D1" / "manifest.json").read_text(encoding="utf-8"))["inputs"]
    assert "2022/facts.csv" in [entry["file"] for entry in recorded]
    assert "存疑（请核实）" in (year / "D1" / "report.html").read_text(encoding="utf-8")
    assert "存疑（请核实）" not in (year / "P1" / "report.html").read_text(encoding="utf-8")  # D1's, not P1's
    shutil.rmtree(base / "2022")  # verify re-executes from the archive, not from today's data folder
    assert main(["verify", str(year)]) == 0


def test_far_exact_is_far_on_integers():
    from evalbook.schemes.naiman_specialty.plausibility import far_exact

    two, none, five = Fraction(2), Fraction(0), Fraction(5)
    assert far_exact(3, 1, 1, 1, two, none)          # 3 > 2 × 1
    assert not far_exact(2, 1, 1, 1, two, none)      # exactly twice: not flagged
    assert far_exact(1, 1, 3, 1, two, none)          # either order
    assert not far_exact(5, 1, 1, 1, two, five)      # both ≤ floor 5
    assert far_exact(6, 1, 1, 1, two, five)          # 6 > 5 and 6 > 2
    assert not far_exact(41, 10, 21, 10, two, none)  # 4.1 vs 2.1: 4.1 ≤ 4.2
    assert far_exact(43, 10, 21, 10, two, none)      # 4.3 > 4.2
    values = [Fraction(n, d) for n in (0, 1, 3, 7, 20, 41) for d in (1, 2, 10)]
    for a in values:
        for b in values:
            for factor, floor in ((Fraction(3, 2), Fraction(0)), (Fraction(2), Fraction(1, 2))):
                assert far_exact(a.numerator, a.denominator, b.numerator, b.denominator, factor, floor) == \
                    far(a, b, factor, floor), (a, b, factor, floor)


def test_median_without_one_place_is_twice_the_peers_median():
    from evalbook.schemes.naiman_specialty.plausibility import median_without

    assert median_without([1, 2, 3, 10], 3) == 4     # [1, 2, 3]: median 2
    assert median_without([1, 2, 3, 10], 0) == 6     # [2, 3, 10]: median 3
    assert median_without([1, 2, 3, 4, 5], 4) == 5   # [1, 2, 3, 4]: median 2.5
    assert median_without([7, 7, 7], 1) == 14        # [7, 7]: median 7
    ordered = [0, 1, 1, 4, 9, 9, 12, 30]
    for gone in range(len(ordered)):
        assert Fraction(median_without(ordered, gone), 2) == median(ordered[:gone] + ordered[gone + 1:])
