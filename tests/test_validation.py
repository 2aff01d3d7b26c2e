"""The wendeng-featured suites reject crafted bad rows, and say where.

Every test copies the demo data (data/wendeng-featured: institutions.csv, DEMO.md, 2023/),
plants exactly one defect (one cell edited, one row appended or deleted, or one file removed)
and runs ``take_in`` on the copy. The expected location of each problem follows the contract in
README.md ("Adding a year's data") and ``errors.Problem``: ``file`` is relative to the
scheme's data folder (``2023/facts.csv``), ``row`` is the line number in the CSV as a
spreadsheet shows it (header = 1), ``column`` is a column of that file and ``value`` the cell.

Great Expectations is imported once for the module (one ``SuiteRunner``), and each defect's
intake is computed once and shared by the tests that look at it. To keep the module fast, the
runner handed to ``take_in`` remembers the outcome of each (suite, parameters, text frame, typed
frame): a file a case did not touch is validated by GX once, and its identical outcome reused.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evalbook.core.registry import get_scheme
from evalbook.inputs.intake import take_in
from evalbook.inputs.validation import SuiteOutcome, SuiteRunner

DEMO = Path(__file__).resolve().parents[1] / "data" / "wendeng-featured"
YEAR = 2023
SCHEME = get_scheme("wendeng-featured")


# --------------------------------------------------------------------------- CSV editing helpers

def label(file: str) -> str:
    """How problems name a file: institutions.csv at the top, the others under the year."""
    return file if file == "institutions.csv" else f"{YEAR}/{file}"


def csv_path(data_dir: Path, file: str) -> Path:
    return data_dir / "wendeng-featured" / label(file)


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def find_index(rows: list[list[str]], match: dict[str, str]) -> int:
    """Index in ``rows`` of the first data row whose cells equal ``match`` (index + 1 = line)."""
    header = rows[0]
    for i, row in enumerate(rows[1:], start=1):
        if all(row[header.index(k)] == v for k, v in match.items()):
            return i
    raise LookupError(f"no row matches {match}")


def set_cell(data_dir: Path, file: str, match: dict[str, str], column: str, value: str) -> int:
    """Change one cell; return the CSV line number of the edited row (header = line 1)."""
    path = csv_path(data_dir, file)
    rows = read_rows(path)
    i = find_index(rows, match)
    rows[i][rows[0].index(column)] = value
    write_rows(path, rows)
    return i + 1


def append_copy(data_dir: Path, file: str, match: dict[str, str], changes: dict[str, str] | None = None) -> int:
    """Append a copy of a row (optionally changed); return the new row's line number."""
    path = csv_path(data_dir, file)
    rows = read_rows(path)
    row = list(rows[find_index(rows, match)])
    for column, value in (changes or {}).items():
        row[rows[0].index(column)] = value
    rows.append(row)
    write_rows(path, rows)
    return len(rows)


def delete_rows(data_dir: Path, file: str, match: dict[str, str]) -> int:
    """Delete every row matching ``match``; return how many were deleted."""
    path = csv_path(data_dir, file)
    rows = read_rows(path)
    header = rows[0]
    kept = [rows[0]] + [r for r in rows[1:] if not all(r[header.index(k)] == v for k, v in match.items())]
    write_rows(path, kept)
    return len(rows) - len(kept)


def line_of(data_dir: Path, file: str, match: dict[str, str]) -> int:
    return find_index(read_rows(csv_path(data_dir, file)), match) + 1


# --------------------------------------------------------------------------- fixtures

class CachingRunner:
    """A ``SuiteRunner`` that validates each distinct (suite, parameters, frames) only once."""

    def __init__(self, runner: SuiteRunner):
        self._runner = runner
        self.version = runner.version
        self._outcomes: dict[tuple, SuiteOutcome] = {}

    def validate(self, suite_json, frames, parameters, file_label) -> SuiteOutcome:
        key = (json.dumps(suite_json, sort_keys=True, ensure_ascii=False),
               json.dumps(parameters, sort_keys=True, ensure_ascii=False, default=str), file_label,
               *(f"{frames[stage].dtypes.to_dict()}\n{frames[stage].to_csv()}" for stage in ("text", "typed")))
        if key not in self._outcomes:
            self._outcomes[key] = self._runner.validate(suite_json, frames, parameters, file_label)
        outcome = self._outcomes[key]
        return SuiteOutcome(list(outcome.problems), list(outcome.summary))


@pytest.fixture(scope="module")
def runner(shared_suite_runner):
    """The session's runner (conftest.SharedSuiteRunner, which validates each distinct table once, as
    ``CachingRunner`` does)."""
    return shared_suite_runner


def copy_demo(target_root: Path) -> Path:
    """Copy institutions.csv, DEMO.md and 2023/ of the demo data; return the data_dir for take_in."""
    folder = target_root / "wendeng-featured"
    folder.mkdir(parents=True)
    shutil.copy2(DEMO / "institutions.csv", folder / "institutions.csv")
    shutil.copy2(DEMO / "DEMO.md", folder / "DEMO.md")
    shutil.copytree(DEMO / str(YEAR), folder / str(YEAR))
    return target_root


@pytest.fixture(scope="module")
def planted(runner, tmp_path_factory) -> Callable[[str, Callable[[Path], Any]], tuple[Any, Any]]:
    """``planted(key, plant)`` → (intake, what ``plant`` returned), computed once per key.

    ``plant(data_dir)`` makes the one defect in a fresh copy of the demo data.
    """
    cache: dict[str, tuple[Any, Any]] = {}

    def get(key: str, plant: Callable[[Path], Any]):
        if key not in cache:
            data_dir = copy_demo(tmp_path_factory.mktemp("demo"))
            info = plant(data_dir)
            cache[key] = (take_in(SCHEME, YEAR, data_dir, runner=runner), info)
        return cache[key]

    return get


# --------------------------------------------------------------------------- assertion helpers

def same_value(got: Any, want: Any) -> bool:
    if want is None:
        return got is None
    try:
        return float(got) == float(want)
    except (TypeError, ValueError):
        return str(got) == str(want)


def shown(problems) -> str:
    return "\n".join(f"  {p.severity} {p.file} row={p.row!r} column={p.column!r} value={p.value!r}: {p.rule_en}"
                     for p in problems) or "  (none)"


def errors_at(intake, file: str, row: Any) -> list:
    return [p for p in intake.errors if p.file == label(file) and p.row == row]


def assert_error(intake, file: str, row: Any, column: str, value: Any) -> None:
    """The run failed, and one error sits exactly at the planted (file, row, column, value)."""
    assert intake.errors, "the defect was not detected: no errors at all"
    hits = [p for p in intake.errors
            if p.file == label(file) and p.row == row and p.column == column and same_value(p.value, value)]
    assert hits, (f"no error at {label(file)} row {row} column {column!r} value {value!r}; errors:\n"
                  + shown(intake.errors))
    for p in hits:
        assert p.severity == "error"
        assert p.rule_zh.strip() and p.rule_en.strip()


def assert_row_flagged(intake, file: str, row: int) -> list:
    """The run failed with an error on the planted line (whatever column it names)."""
    assert intake.errors, "the defect was not detected: no errors at all"
    hits = errors_at(intake, file, row)
    assert hits, f"no error on {label(file)} row {row}; errors:\n" + shown(intake.errors)
    for p in hits:
        assert p.severity == "error"
        assert p.rule_zh.strip() and p.rule_en.strip()
    return hits


# --------------------------------------------------------------------------- the unmodified demo

def test_demo_copy_is_valid_with_the_one_late_count_warning(planted):
    intake, _ = planted("demo", lambda d: None)
    assert intake.errors == [], shown(intake.errors)
    assert len(intake.warnings) == 1, shown(intake.warnings)
    warning = intake.warnings[0]
    zt_line = line_of(DEMO.parent, "facts.csv", {"code": "ZT"})
    assert warning.severity == "warning"
    assert warning.file.endswith("facts.csv")
    assert (warning.row, warning.column) == (zt_line, "late_submissions")
    assert warning.rule_zh.strip() and warning.rule_en.strip()


def test_cross_check_warning_names_the_file_relative_to_the_data_folder(planted):
    intake, _ = planted("demo", lambda d: None)
    assert [w.file for w in intake.warnings] == [label("facts.csv")]


# --------------------------------------------------------------------------- one bad cell each

# validation.py pairs the expectations of a stage with GX's results by position, but GX 1.24
# (Validator.process_expectations_for_validation) runs them grouped by column, so results come
# back in another order whenever a suite names a column in two separate places (facts: the
# contest_entries rules at the end; expert_scores: the code rules around the compound key).
# Every failure of a shifted expectation is then reported with another expectation's column,
# rule and severity.


# (id, file, row to edit (match), column, planted text, expected value in the problem)
# The expected value is the cell as typed for type errors, the typed number for range errors.
CELL_CASES = [
    # facts.csv: kinds of value
    ("facts-chinese-numeral", "facts.csv", {"code": "RMYY"}, "expert_sessions", "十二", "十二"),
    ("facts-unit-suffix", "facts.csv", {"code": "RMYY"}, "expert_sessions", "12人", "12人"),
    ("facts-negative-int", "facts.csv", {"code": "GC"}, "trainees_3m", "-1", "-1"),
    ("facts-fraction-in-int", "facts.csv", {"code": "SC"}, "expert_sessions", "1.5", "1.5"),
    ("facts-bool-maybe", "facts.csv", {"code": "GJ"}, "leading_group", "maybe", "maybe"),
    # facts.csv: ranges
    ("facts-party-halves-3", "facts.csv", {"code": "DSP"}, "party_meeting_halves", "3", 3),
    ("facts-group-quarters-5", "facts.csv", {"code": "WDY"}, "group_meeting_quarters", "5", 5),
    ("facts-staff-unaware-11", "facts.csv", {"code": "ZK"}, "staff_unaware", "11", 11),
    ("facts-internal-funds-negative", "facts.csv", {"code": "JS"}, "internal_funds_wan", "-3", "-3"),
    ("facts-award-gold", "facts.csv", {"code": "ZJC"}, "contest_best_award", "gold", "gold"),
    # facts.csv: the contest rules (TFS is the demo's one abstainer: 1, none, 0 entries)
    ("facts-abstainer-with-award", "facts.csv", {"code": "TFS"}, "contest_best_award", "first", "first"),
    ("facts-entrant-with-0-entries", "facts.csv", {"code": "ZT"}, "contest_entries", "0", 0),
    # facts.csv: ranks
    ("facts-ranks-zero", "facts.csv", {"code": "WDZG"}, "superior_team_ranks", "0;2", "0;2"),
    ("facts-ranks-letter", "facts.csv", {"code": "HJ"}, "superior_team_ranks", "a", "a"),
    # facts.csv: a required cell left empty
    ("facts-empty-required", "facts.csv", {"code": "MS"}, "media_forms", "", None),
    # judgments.csv
    ("judgments-item-5", "judgments.csv", {"code": "WDZG"}, "item", "5", 5),
    ("judgments-points-0", "judgments.csv", {"code": "FYBJ"}, "points", "0", 0),
    ("judgments-points-negative", "judgments.csv", {"code": "GC"}, "points", "-1", "-1"),
    ("judgments-empty-reason", "judgments.csv", {"code": "JS"}, "reason", "", None),
    ("judgments-unknown-code", "judgments.csv", {"code": "MS"}, "code", "ZZZ", "ZZZ"),
    # expert_scores.csv
    ("experts-advantage-20.5", "expert_scores.csv", {"code": "WDZG", "expert": "E07"}, "advantage", "20.5", 20.5),
    ("experts-risk-16", "expert_scores.csv", {"code": "PFB", "expert": "E05"}, "risk", "16", 16),
    ("experts-unknown-code", "expert_scores.csv", {"code": "RMYY"}, "code", "ZZZ", "ZZZ"),
    # institutions.csv
    ("institutions-group-3", "institutions.csv", {"code": "GC"}, "group", "三组", "三组"),
    ("institutions-code-path", "institutions.csv", {"code": "HSSQ"}, "code", "../etc", "../etc"),
    ("institutions-code-device", "institutions.csv", {"code": "HSSQ"}, "code", "CON", "CON"),
    ("institutions-code-slash", "institutions.csv", {"code": "HSSQ"}, "code", "a/b", "a/b"),
    ("institutions-code-flag", "institutions.csv", {"code": "HSSQ"}, "code", "-rf", "-rf"),
    # project_stats.csv
    ("stats-year-2020", "project_stats.csv", {"code": "WDZG", "year": "2022"}, "year", "2020", 2020),
    # ledger.csv
    ("ledger-month-13", "ledger.csv", {"code": "WDZG", "month": "2023-04"}, "month", "2023-13", "2023-13"),
    ("ledger-submitted-feb-30", "ledger.csv", {"code": "WDZG", "month": "2023-04"}, "submitted_on",
     "2023-02-30", "2023-02-30"),
]


def with_marks(case):
    return pytest.param(*case, id=case[0])


@pytest.mark.parametrize("key, file, match, column, text, value", [with_marks(c) for c in CELL_CASES])
def test_bad_cell_is_an_error_at_its_cell(planted, key, file, match, column, text, value):
    intake, line = planted(key, lambda d: set_cell(d, file, match, column, text))
    assert_error(intake, file, line, column, value)


@pytest.mark.parametrize("key, file, match, column, text, value", CELL_CASES, ids=[c[0] for c in CELL_CASES])
def test_bad_cell_fails_the_run_on_its_row(planted, key, file, match, column, text, value):
    """Whatever the column and rule reported, the defect is an error on the edited line."""
    intake, line = planted(key, lambda d: set_cell(d, file, match, column, text))
    assert_row_flagged(intake, file, line)


def plant_facts_unknown_code(d):
    # BK's facts row now carries a code that is in no institutions.csv row (and BK has none).
    return set_cell(d, "facts.csv", {"code": "BK"}, "code", "ZZZ")


def test_unknown_code_in_facts_fails_the_run_on_its_row(planted):
    intake, line = planted("facts-unknown-code", plant_facts_unknown_code)
    assert_row_flagged(intake, "facts.csv", line)


def test_unknown_code_in_facts_is_reported_with_its_rule(planted):
    intake, line = planted("facts-unknown-code", plant_facts_unknown_code)
    assert_error(intake, "facts.csv", line, "code", "ZZZ")
    hits = [p for p in errors_at(intake, "facts.csv", line) if p.column == "code"]
    assert any("institutions.csv" in p.rule_en and "listed" in p.rule_en for p in hits), shown(hits)
    assert any(p.column == "code" and p.value == "BK" for p in intake.errors), shown(intake.errors)


def plant_non_senior(d):
    # RMYY: expert_sessions 3; 4 of them by non-senior experts is impossible.
    return set_cell(d, "facts.csv", {"code": "RMYY"}, "sessions_non_senior", "4")


def test_sessions_non_senior_above_expert_sessions_names_the_row(planted):
    intake, line = planted("facts-non-senior-above-total", plant_non_senior)
    assert_row_flagged(intake, "facts.csv", line)


def test_sessions_non_senior_above_expert_sessions_names_its_rule(planted):
    intake, line = planted("facts-non-senior-above-total", plant_non_senior)
    hits = errors_at(intake, "facts.csv", line)
    assert any("sessions_non_senior" in (p.column or "") and "sessions_non_senior" in p.rule_en for p in hits), shown(hits)


# --------------------------------------------------------------------------- rules across rows

def plant_facts_duplicate(d):
    return line_of(d, "facts.csv", {"code": "GC"}), append_copy(d, "facts.csv", {"code": "GC"})


def test_duplicated_facts_row_fails_the_run_on_both_rows(planted):
    intake, (first, copy) = planted("facts-duplicate", plant_facts_duplicate)
    assert_row_flagged(intake, "facts.csv", copy)
    assert_row_flagged(intake, "facts.csv", first)


def test_duplicated_facts_row_is_an_error_on_the_code(planted):
    intake, (first, copy) = planted("facts-duplicate", plant_facts_duplicate)
    assert_error(intake, "facts.csv", copy, "code", "GC")
    assert_error(intake, "facts.csv", first, "code", "GC")


def test_missing_facts_row_names_the_missing_code(planted):
    intake, deleted = planted("facts-missing-row", lambda d: delete_rows(d, "facts.csv", {"code": "HSSQ"}))
    assert deleted == 1
    assert intake.errors
    hits = [p for p in intake.errors if p.file == label("facts.csv") and p.value == "HSSQ"]
    assert hits, shown(intake.errors)
    assert all(p.column == "code" and p.rule_zh.strip() and p.rule_en.strip() for p in hits)


def test_duplicate_institution_code_is_an_error(planted):
    def plant(d):
        return line_of(d, "institutions.csv", {"code": "ZK"}), append_copy(d, "institutions.csv", {"code": "ZK"})

    intake, (first, copy) = planted("institutions-duplicate", plant)
    assert_error(intake, "institutions.csv", copy, "code", "ZK")
    assert_error(intake, "institutions.csv", first, "code", "ZK")


def test_duplicate_expert_score_row_is_an_error(planted):
    intake, line = planted("experts-duplicate",
                           lambda d: append_copy(d, "expert_scores.csv", {"code": "KQYY"}))
    hits = assert_row_flagged(intake, "expert_scores.csv", line)
    assert any(p.column == "code+project+expert" for p in hits), shown(hits)
    assert any("KQYY" in str(p.value) for p in hits), shown(hits)


def test_duplicate_project_stats_row_is_an_error(planted):
    intake, line = planted("stats-duplicate",
                           lambda d: append_copy(d, "project_stats.csv", {"code": "RMYY", "year": "2023"}))
    hits = assert_row_flagged(intake, "project_stats.csv", line)
    assert any(p.column == "code+project+year" for p in hits), shown(hits)
    assert any("RMYY" in str(p.value) for p in hits), shown(hits)


# Rules checked on a column derived before the typed stage (points_on_step, item_total/item_cap,
# month_year). The error must still be on the planted row; it should also name the column of the
# file the evaluator typed in (points, month) and the value they typed.

def plant_points_0_3(d):
    return set_cell(d, "judgments.csv", {"code": "SC"}, "points", "0.3")


def plant_item7_over_cap(d):
    # GJ already has an item-7 deduction of 1; a second one of 1.5 makes 2.5 > cap 2.
    return (line_of(d, "judgments.csv", {"code": "GJ", "item": "7"}),
            append_copy(d, "judgments.csv", {"code": "GJ", "item": "7"}, {"points": "1.5", "evaluator": "王建国（示例）"}))


def plant_month_2022(d):
    return set_cell(d, "ledger.csv", {"code": "WDZG", "month": "2023-05"}, "month", "2022-05")


def test_points_not_on_the_half_point_step_is_an_error_on_its_row(planted):
    intake, line = planted("judgments-points-0.3", plant_points_0_3)
    assert_row_flagged(intake, "judgments.csv", line)


def test_points_not_on_the_half_point_step_names_the_points_cell(planted):
    intake, line = planted("judgments-points-0.3", plant_points_0_3)
    assert_error(intake, "judgments.csv", line, "points", 0.3)


def test_judgments_over_the_item_cap_flag_both_rows(planted):
    intake, (first, second) = planted("judgments-item7-over-cap", plant_item7_over_cap)
    assert_row_flagged(intake, "judgments.csv", first)
    assert_row_flagged(intake, "judgments.csv", second)


def test_judgments_over_the_item_cap_name_the_points_column(planted):
    intake, (first, second) = planted("judgments-item7-over-cap", plant_item7_over_cap)
    assert_error(intake, "judgments.csv", first, "points", 1)
    assert_error(intake, "judgments.csv", second, "points", 1.5)


def test_ledger_month_outside_the_year_is_an_error_on_its_row(planted):
    intake, line = planted("ledger-month-2022", plant_month_2022)
    assert_row_flagged(intake, "ledger.csv", line)


def test_ledger_month_outside_the_year_names_the_month_cell(planted):
    intake, line = planted("ledger-month-2022", plant_month_2022)
    assert_error(intake, "ledger.csv", line, "month", "2022-05")


# --------------------------------------------------------------------------- warnings and files

def test_institution_without_expert_scores_is_a_warning_naming_it(planted):
    intake, deleted = planted("experts-none-for-PFB", lambda d: delete_rows(d, "expert_scores.csv", {"code": "PFB"}))
    assert deleted > 0
    assert intake.errors == [], shown(intake.errors)
    hits = [w for w in intake.warnings if w.file == label("expert_scores.csv") and w.value == "PFB"]
    assert hits, shown(intake.warnings)
    assert all(w.severity == "warning" and w.rule_zh.strip() and w.rule_en.strip() for w in hits)


def test_missing_optional_ledger_is_a_warning(planted):
    intake, _ = planted("ledger-deleted", lambda d: csv_path(d, "ledger.csv").unlink())
    assert intake.errors == [], shown(intake.errors)
    hits = [w for w in intake.warnings if w.file == label("ledger.csv")]
    assert len(hits) == 1, shown(intake.warnings)
    assert hits[0].severity == "warning" and hits[0].rule_zh.strip() and hits[0].rule_en.strip()
    assert "ledger.csv" not in intake.tables


def test_missing_facts_file_is_an_error(planted):
    intake, _ = planted("facts-deleted", lambda d: csv_path(d, "facts.csv").unlink())
    hits = [p for p in intake.errors if p.file == label("facts.csv")]
    assert hits, shown(intake.errors)
    assert any("missing" in p.rule_en and "file" in p.rule_en for p in hits), shown(hits)
    assert all(p.severity == "error" and p.rule_zh.strip() for p in hits)


# --------------------------------------------------------------------------- input integrity

@pytest.mark.parametrize("typed", ["e07", "Ｅ０７", " E07\u200b"], ids=["lower-case", "full-width", "zero-width"])
def test_an_expert_id_differing_only_in_case_or_width_is_the_same_expert_and_refused(planted, typed):
    def plant(d):
        first = line_of(d, "expert_scores.csv", {"code": "WDZG", "expert": "E07"})
        return first, append_copy(d, "expert_scores.csv", {"code": "WDZG", "expert": "E07"}, {"expert": typed})

    intake, (first, copy) = planted(f"experts-near-duplicate-{typed}", plant)
    # both rows named, each with the expert as typed there, under the one-row-per-expert rule
    for line, expert in ((first, "E07"), (copy, typed.strip())):
        hits = [p for p in errors_at(intake, "expert_scores.csv", line) if p.column == "code+project+expert"]
        assert [p.value for p in hits] == [f"code=WDZG、project=中医正骨手法复位、expert={expert}"], shown(intake.errors)
        assert "E05 and e05 are one expert" in hits[0].rule_en and "E05 与 e05 是同一专家" in hits[0].rule_zh


def test_distinct_experts_are_not_near_duplicates(planted):
    intake, _ = planted("experts-e07b", lambda d: append_copy(d, "expert_scores.csv", {"code": "WDZG", "expert": "E07"},
                                                              {"expert": "E07b"}))
    assert not [p for p in intake.errors if p.file == label("expert_scores.csv")], shown(intake.errors)


def plant_submitted_before_month(d):
    # the 2023-04 ledger of WDZG's 中医正骨手法复位 "submitted" on 2023-03-31: a day before its month began
    return set_cell(d, "ledger.csv", {"code": "WDZG", "month": "2023-04"}, "submitted_on", "2023-03-31")


def test_a_ledger_submitted_before_its_month_is_refused_at_its_date(planted):
    intake, line = planted("ledger-submitted-before-month", plant_submitted_before_month)
    assert_error(intake, "ledger.csv", line, "submitted_on", "2023-03-31")
    assert any("before the first day" in p.rule_en for p in errors_at(intake, "ledger.csv", line))


def test_a_ledger_submitted_on_the_first_day_of_its_month_is_accepted(planted):
    intake, line = planted("ledger-submitted-on-the-first",
                           lambda d: set_cell(d, "ledger.csv", {"code": "WDZG", "month": "2023-04"},
                                              "submitted_on", "2023-04-01"))
    assert not errors_at(intake, "ledger.csv", line), shown(intake.errors)


BIG = "1" * 400


BIG_CELLS = [
    ("facts.csv", {"code": "WDZG"}, "trainees_3m", "不小于0且不大于1000000000", "≥ 0 and ≤ 1000000000"),
    ("facts.csv", {"code": "WDZG"}, "internal_funds_wan", "不小于0且不大于1000000000", "≥ 0 and ≤ 1000000000"),
    ("judgments.csv", {"code": "SC"}, "item", "不大于1000000000", "≤ 1000000000"),
    ("judgments.csv", {"code": "SC"}, "points", "大于0且不大于1000000000", "> 0 and ≤ 1000000000"),
    ("expert_scores.csv", {"code": "WDZG", "expert": "E07"}, "advantage", "不大于20", "≤ 20"),
    ("project_stats.csv", {"code": "WDZG"}, "workload", "不小于0且不大于1000000000", "≥ 0 and ≤ 1000000000"),
]


@pytest.mark.parametrize("file, match, column, bound_zh, bound_en", BIG_CELLS, ids=[f"{c[0]}-{c[2]}" for c in BIG_CELLS])
def test_a_400_digit_number_gets_the_range_rule_naming_its_bound(planted, file, match, column, bound_zh, bound_en):
    intake, line = planted(f"big-{file}-{column}", lambda d: set_cell(d, file, match, column, BIG))
    hits = [p for p in errors_at(intake, file, line) if p.column == column and bound_en in p.rule_en]
    assert hits, shown(intake.errors)
    assert bound_zh in hits[0].rule_zh and hits[0].value == BIG  # the value as typed, not "inf"


@pytest.mark.parametrize("text, refused", [("12.123456", False), ("12.1234567", True), ("0." + "1" * 30, True)])
def test_a_number_with_more_than_six_decimals_is_refused(planted, text, refused):
    intake, line = planted(f"decimals-{text}", lambda d: set_cell(d, "facts.csv", {"code": "WDZG"}, "external_funds_wan", text))
    hits = [p for p in errors_at(intake, "facts.csv", line) if "at most 6 decimal places" in p.rule_en]
    assert bool(hits) == refused, shown(intake.errors)
    if refused:
        assert hits[0].column == "external_funds_wan" and hits[0].value == text and "最多6位小数" in hits[0].rule_zh


def test_a_data_file_linked_to_outside_the_data_folder_is_refused(planted, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "facts.csv"

    def plant(d):
        facts = csv_path(d, "facts.csv")
        outside.write_bytes(facts.read_bytes())  # the same, valid content: only where it lives is wrong
        facts.unlink()
        facts.symlink_to(outside)

    intake, _ = planted("facts-symlink-out", plant)
    found = [p for p in intake.errors if p.file == label("facts.csv")]
    assert len(found) == 1 and "link to outside the data folder" in found[0].rule_en, shown(intake.errors)
    assert found[0].value == str(outside.resolve())
    assert "facts.csv" not in intake.tables


def test_a_year_folder_linked_to_outside_the_data_folder_is_refused(planted, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere-year")

    def plant(d):
        year = d / "wendeng-featured" / str(YEAR)
        shutil.move(year, elsewhere / str(YEAR))
        year.symlink_to(elsewhere / str(YEAR), target_is_directory=True)

    intake, _ = planted("year-symlink-out", plant)
    refused = {p.file for p in intake.errors if "link to outside the data folder" in p.rule_en}
    assert {label("facts.csv"), label("expert_scores.csv")} <= refused, shown(intake.errors)


def test_a_link_inside_the_data_folder_is_read(planted):
    def plant(d):
        facts = csv_path(d, "facts.csv")
        kept = facts.with_name("facts-original.csv")
        facts.rename(kept)
        facts.symlink_to(kept.name)

    intake, _ = planted("facts-symlink-in", plant)
    assert not intake.errors, shown(intake.errors)


def test_regex_rules_are_decided_once_per_distinct_value_as_gx_searches():
    """re.search as GX's pandas metric (not fullmatch): True/False per cell, None for an empty one."""
    import pandas as pd

    from evalbook.inputs.validation import _searches

    cells = pd.Series(["12", "1.5", None, "a12", "12", "12\n"], index=[2, 3, 4, 5, 6, 7], dtype=object)
    assert _searches(cells, r"^[0-9]+$", True).tolist() == [True, False, None, False, True, True]  # $ before a final \n
    assert _searches(cells, r"[0-9]\.", True).tolist() == [False, True, None, False, False, False]  # found anywhere
    assert _searches(cells, r"^[0-9]*\.[0-9]{7,}$", False).tolist() == [True, True, None, True, True, True]
    assert _searches(cells, r"^[0-9]+$", True).index.tolist() == [2, 3, 4, 5, 6, 7]
