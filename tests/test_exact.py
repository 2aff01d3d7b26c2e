"""Exact numbers: equal-on-paper results tie, the 5 % recheck line is exact, display is 四舍五入.

Every expected value is computed by hand from the rules (arithmetic in the comments); the
inputs are given as the text an evaluator types, as the intake hands them to the scorers.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
import yaml

from evalbook.core.exact import exact, full_text, mean, plain, rounded, shown
from evalbook.notebook.year import ExactNumber, record_json
from evalbook.output.html import num, signed
from evalbook.output.tables import csv_text
from evalbook.schemes.naiman_specialty import rubric as naiman_rubric
from evalbook.schemes.naiman_specialty import scoring as naiman_scoring
from evalbook.schemes.wendeng_featured.scoring import score_cohort
from wendeng_fixtures import perfect_facts

ROOT = Path(__file__).resolve().parents[1]
WENDENG = yaml.safe_load((ROOT / "rubrics" / "wendeng-featured.yaml").read_text(encoding="utf-8"))
NAIMAN = naiman_rubric.load_rubric(ROOT / "rubrics" / "naiman-specialty.yaml")
DIMS = ("advantage", "work", "economic", "social", "difficulty", "risk")


# ----------------------------------------------------------------------------- the helpers

@pytest.mark.parametrize("value, text", [
    ("61.175", "61.18"),        # 61.175 → 61.18 (half up; the binary float 61.175 is 61.17499… and showed 61.17)
    (61.175, "61.18"),          # a float from code is read by its decimal form, then rounded half up
    ("77.975", "77.98"),        # 77.975 → 77.98 (was 77.97)
    (Fraction(211, 3), "70.33"),  # 70.333… → 70.33
    (Fraction(2, 3), "0.67"),   # 0.666… → 0.67
    ("90.50", "90.5"),          # trailing zeros dropped, as the pages always did
    ("70", "70"),
    ("0.005", "0.01"),          # exactly half a cent rounds up
    ("0.00499", "0"),
    ("-0.005", "-0.01"),        # half away from zero on the negative side
    (None, "—"),
    (float("nan"), "—"),
])
def test_shown_rounds_half_up_from_the_exact_value(value, text):
    assert shown(value) == text
    assert num(value) == text


def test_signed_and_other_digits():
    assert signed(Fraction(1, 2)) == "+0.5"
    assert signed(Fraction(-1, 2)) == "-0.5"
    assert signed(0) == "0"
    assert num("2.25", 1) == "2.3"  # 2.25 → 2.3 half up (a float's .1f gives 2.2)
    assert rounded("2.675") == Decimal("2.68")  # the float 2.675 is 2.67499…


def test_exact_reads_text_never_through_a_float():
    assert exact("3.465") == Fraction(693, 200)          # 3465/1000
    assert exact("0.1") + exact("0.2") == exact("0.3")   # 1/10 + 2/10 = 3/10 (in floats 0.30000000000000004)
    assert exact(" 12 ") == 12
    assert exact(Decimal("61.175")) == Fraction(2447, 40)  # 61175/1000
    with pytest.raises(ValueError):
        exact(float("inf"))


@pytest.mark.parametrize("value, text", [
    (Fraction(211, 3), "70.333333333333333333"),   # 20 significant digits, half up
    (Fraction(200, 3), "66.666666666666666667"),   # …6667: the 20th digit rounded up
    (Fraction(2447, 40), "61.175"),                # terminating: exact
    (Fraction(70), "70.0"),                        # a whole score as the CSVs always had it
    (Fraction(1, 1024), "0.0009765625"),           # terminating however long
    (Fraction(-1, 2), "-0.5"),
])
def test_full_text_is_deterministic_and_exact_where_it_can_be(value, text):
    assert full_text(value) == text


def test_plain_amounts_in_sentences():
    assert [plain(exact("0.5")), plain(exact(10)), plain(exact("2.50"))] == ["0.5", "10", "2.5"]


def test_csv_and_result_json_keep_full_precision():
    frame = pd.DataFrame({"code": ["A", "B"], "total": [Fraction(211, 3), Fraction(2447, 40)], "rank": [1, 2]})
    assert csv_text(frame) == "code,total,rank\nA,70.333333333333333333,1\nB,61.175,2\n"
    record = {"units": [{"total": ExactNumber(Fraction(211, 3)), "rank": 1, "name": "甲"}]}
    text = record_json(record)
    assert '"total": 70.333333333333333333' in text
    assert json.loads(text)["units"][0]["total"] == pytest.approx(211 / 3)
    assert record_json(record) == text  # deterministic


# ----------------------------------------------------------------------------- wendeng: 211/3 tie

def _cohort(units, projects):
    """units: (code, group); projects: {(code, project): [expert sums as text]}. Every unit has the
    perfect facts (rubric score 100). Each expert sum is put in the first dimension it fits."""
    institutions = pd.DataFrame([(c, f"机构{c}", g) for c, g in units], columns=["code", "name", "group"])
    facts = pd.DataFrame([{"code": c, **perfect_facts()} for c, _ in units])
    judgments = pd.DataFrame(columns=["code", "item", "points", "reason", "evaluator"])
    rows = []
    for (code, project), sums in projects.items():
        for k, text in enumerate(sums, start=1):
            rows.append({"code": code, "project": project, "expert": f"专家{k}", **_split(text)})
    experts = pd.DataFrame(rows, columns=["code", "project", "expert", *DIMS])
    return score_cohort(institutions, facts, judgments, experts, WENDENG)


def _split(text: str) -> dict:
    """Six dimension texts (maxima 20, 20, 15, 15, 15, 15) summing exactly to ``text``."""
    left, out = exact(text), {}
    for dim, cap in zip(DIMS, (20, 20, 15, 15, 15, 15), strict=True):
        part = min(left, Fraction(cap))
        out[dim] = full_text(part).removesuffix(".0")
        left -= part
    assert left == 0
    return out


def test_211_thirds_tie_at_the_third_prize_and_push_the_next_place_down():
    # district unit awards (rubric): 一等奖 1 (20), 二等奖 1 (10), 三等奖 1 (5)
    # total = 0.7 × 100 + 0.3 × expert score
    result = _cohort(
        [("D1", "district"), ("D2", "district"), ("A", "district"), ("B", "district"), ("D5", "district")],
        {("D1", "p"): ["95"],                   # expert 95 → 70 + 28.5 = 98.5, rank 1
         ("D2", "p"): ["90"],                   # expert 90 → 70 + 27 = 97, rank 2
         ("A", "p"): ["70", "70.5", "70.5"],    # one project: 211 / 3
         ("B", "p1"): ["74"],                   # 74
         ("B", "p2"): ["66.5", "66.5", "67"],   # 200 / 3;  B: (74 + 200/3) / 2 = (222 + 200) / 6 = 211/3
         ("D5", "p"): ["60"]},                  # expert 60 → 70 + 18 = 88, rank 5
    )
    units = result.units.set_index("code")
    assert units.at["A", "expert_score"] == units.at["B", "expert_score"] == Fraction(211, 3)
    # 70 + 0.3 × 211/3 = 70 + 21.1 = 91.1 exactly, for both
    assert units.at["A", "total"] == units.at["B", "total"] == Fraction(911, 10)
    assert list(units["group_rank"]) == [1, 2, 3, 3, 5]
    assert list(units["award"]) == ["一等奖", "二等奖", "三等奖", "三等奖", ""]
    assert list(units["prize_wan"]) == [20, 10, 5, 5, 0]
    assert shown(units.at["A", "total"]) == "91.1"


def test_project_tie_at_the_last_third_prize_shares_it():
    # district project awards: 特等奖 1, 一等奖 1, 二等奖 2, 三等奖 3 → 7 places; then 优秀奖 for ≥ 60
    scores = ["99", "98", "97", "96", "95", "94"]               # places 1–6
    projects = {(f"U{i}", "p"): [s] for i, s in enumerate(scores)}
    projects[("X", "p")] = ["70.1", "70.2"]   # (70.1 + 70.2) / 2 = 70.15 (in floats 70.15000000000001 or so)
    projects[("Y", "p")] = ["70.15"]          # 70.15
    projects[("Z", "p")] = ["65"]             # place 9 (after the tie at 7): beyond 三等奖, ≥ 60 → 优秀奖
    units = [(c, "district") for c, _ in projects]
    result = _cohort(units, projects)
    p = result.projects.set_index("code")
    assert p.at["X", "project_score"] == p.at["Y", "project_score"] == Fraction(1403, 20)  # 70.15
    assert (p.at["X", "group_rank"], p.at["Y", "group_rank"], p.at["Z", "group_rank"]) == (7, 7, 9)
    assert p.at["X", "award"] == p.at["Y", "award"] == "三等奖"
    assert p.at["X", "prize_wan"] == p.at["Y", "prize_wan"] == 2   # district 三等奖 2 万元
    assert (p.at["Z", "award"], p.at["Z", "prize_wan"]) == ("优秀奖", 1)


def test_unit_expert_score_is_the_exact_mean_of_project_means():
    assert mean([74, Fraction(200, 3)]) == mean(["70", "70.5", "70.5"]) == Fraction(211, 3)


# ----------------------------------------------------------------------------- naiman

def _naiman(specialties, values, targets, onsite, recheck=None, read=exact):
    institutions = pd.DataFrame([("H1", "甲医院（示例）", "二级")], columns=["code", "name", "level"])
    sp = pd.DataFrame([("H1", s, "心内科", "building") for s in specialties], columns=["code", "specialty", "field", "status"])
    ind = pd.DataFrame([("H1", s, p, i, v, read(v)) for s, p, i, v in values],
                       columns=["code", "specialty", "period", "indicator", "value", "value_num"])
    tg = pd.DataFrame([("H1", s, i, exact(b), exact(t)) for s, i, b, t in targets],
                      columns=["code", "specialty", "indicator", "baseline", "target"])
    on = pd.DataFrame([("H1", s, e, *map(exact, d)) for s, e, d in onsite],
                      columns=["code", "specialty", "expert", "management", "construction", "talent"])
    rc = None
    if recheck is not None:
        rc = pd.DataFrame([("H1", s, i, read(v), "复核") for s, i, v in recheck],
                          columns=["code", "specialty", "indicator", "checked_value", "note"])
    return naiman_scoring.score_cohort(institutions, sp, ind, tg, on, rc, NAIMAN, 2025)


def test_naiman_full_tie_shares_the_rank():
    # 2.1.1 (higher-better): baseline 100, target 200; A reaches 150, B 150, C 110
    # a = 0.5, 0.5, 0.1 → objective 50, 50, 10 (one committed indicator carries weight 100)
    # onsite: A's experts (80, 70, 90) → 80; B's (80, 80, 80) → 80; C's → 80
    # total = 0.7 × objective + 0.3 × 80: A = B = 35 + 24 = 59, C = 7 + 24 = 31 → ranks 1, 1, 3
    values = [(s, "2025", "2.1.1", v) for s, v in (("A", "150"), ("B", "150"), ("C", "110"))]
    targets = [(s, "2.1.1", "100", "200") for s in "ABC"]
    onsite = [("A", "甲", ("80", "70", "90")), ("B", "甲", ("80", "80", "80")), ("C", "甲", ("80", "80", "80"))]
    units = _naiman("ABC", values, targets, onsite).units.set_index("specialty")
    assert units.at["A", "total"] == units.at["B", "total"] == 59
    assert list(units["rank"]) == [1, 1, 3]


def test_naiman_pass_line_is_exact():
    # a = (1 − 0) / (3 − 0) = 1/3 → objective 100 × 1/3 = 100/3; 0.7 × 100/3 = 70/3
    # onsite: one expert (36 + 37 + 37) / 3 = 110/3; 0.3 × 110/3 = 11
    # total = 70/3 + 11 = 103/3 = 34.333… → fails, shown 34.33
    values = [("A", "2025", "2.1.1", "1")]
    targets = [("A", "2.1.1", "0", "3")]
    onsite = [("A", "甲", ("36", "37", "37"))]
    unit = _naiman("A", values, targets, onsite).units.iloc[0]
    assert unit["objective_score"] == Fraction(100, 3)
    assert unit["onsite_score"] == Fraction(110, 3)
    assert unit["total"] == Fraction(103, 3) and not unit["passed"] and shown(unit["total"]) == "34.33"
    # exactly 60 passes: a = (1.5 − 1) / (2 − 1) = 1/2 → objective 50, × 0.7 = 35;
    # onsite 250/3, × 0.3 = 25; total = 35 + 25 = 60 ≥ 60
    values = [("A", "2025", "2.1.1", "1.5")]
    targets = [("A", "2.1.1", "1", "2")]
    onsite = [("A", "甲", ("83", "83.5", "83.5"))]   # (83 + 83.5 + 83.5) / 3 = 250/3
    unit = _naiman("A", values, targets, onsite).units.iloc[0]
    assert unit["total"] == 60 and unit["passed"]


@pytest.mark.parametrize("checked, flagged", [
    ("3.465", False),   # |3.465 − 3.3| = 0.165 = 0.05 × 3.3: exactly 5 %, not more (float: 0.16500000000000004 > 0.165)
    ("3.4651", True),   # 0.1651 > 0.165
    ("3.135", False),   # 3.3 − 0.165: exactly 5 % below
    ("3.1349", True),   # 0.1651 below
])
@pytest.mark.parametrize("read", [exact, float], ids=["text", "float"])  # floats: what a caller may still pass
def test_recheck_five_percent_line_is_exact(checked, flagged, read):
    values = [("A", "2025", "2.1.1", "3.3")]
    targets = [("A", "2.1.1", "3", "4")]
    onsite = [("A", "甲", ("80", "80", "80"))]
    result = _naiman("A", values, targets, onsite, recheck=[("A", "2.1.1", checked)], read=read)
    row = result.rechecks.iloc[0]
    assert bool(row["flagged"]) is flagged
    assert row["difference"] == abs(exact(checked) - exact("3.3"))
    assert bool(result.units.iloc[0]["flagged"]) is flagged


def test_numpy_scalars_as_pandas_hands_them():
    import numpy as np

    assert shown(np.float64(61.175)) == "61.18"   # numpy 2's repr is np.float64(61.175): read its value
    assert exact(np.int64(3)) == 3


def test_demo_wdy_page_shows_61_18():
    # demo WDY: 0.7 × 56 + 0.3 × 73.25 = 39.2 + 21.975 = 61.175 → 61.18 (the float showed 61.17)
    from evalbook.notebook.year import open_year
    from evalbook.schemes.wendeng_featured import report as wendeng_report

    book = open_year("wendeng-featured", 2023, ROOT / "data")
    unit = book.scores.units.set_index("code").loc["WDY"]
    assert unit["total"] == Fraction(61175, 1000)
    header = wendeng_report.institution_header(book, "WDY")
    assert "<dd>61.18</dd>" in header or ">61.18<" in header
    assert "61.17" not in header
    assert ">61.18<" in wendeng_report.group_ranking(book, "primary")


def test_xlsx_cells_hold_the_displayed_value(tmp_path):
    from openpyxl import load_workbook

    from evalbook.output.tables import write_workbook

    path = tmp_path / "r.xlsx"
    # 61.175 → 61.18 and 77.975 → 77.98 half up; 211/3 → 70.33
    write_workbook(path, [("s", ["a", "b", "c"], [(Fraction(2447, 40), Fraction(3119, 40), Fraction(211, 3))])])
    cells = load_workbook(path)["s"][2]
    assert [c.value for c in cells] == [61.18, 77.98, 70.33]
    assert {c.number_format for c in cells} == {"0.00"}


def test_policy_lines_say_ties_and_exact_comparison_in_chinese():
    lines = dict(naiman_rubric.policy_lines(NAIMAN))
    assert lines["排名"].startswith("按总分从高到低")  # the rubric orders by total: named in Chinese, not "total"
    assert "精确值" in lines["排名"]


def test_77_975_shows_77_98_on_the_ranking_page():
    # perfect facts: rubric 100; one project, experts 26.5 + 26.5 + 26.75 = 79.75 → mean 79.75/3 = 319/12
    # total = 0.7 × 100 + 0.3 × 319/12 = 70 + 7.975 = 77.975 → 77.98 (half up)
    from evalbook.notebook.year import Year
    from evalbook.schemes.wendeng_featured import SCHEME as wendeng_featured
    from evalbook.schemes.wendeng_featured import report as wendeng_report

    result = _cohort([("A", "primary")], {("A", "p"): ["26.5", "26.5", "26.75"]})
    assert result.units.iloc[0]["total"] == Fraction(3119, 40)
    page = wendeng_report.group_ranking(Year(wendeng_featured, None, result), "primary")
    assert ">77.98<" in page and "77.97" not in page


def test_order_of_rows_never_changes_a_score_or_a_rank():
    # exact sums do not depend on the order of addition (float sums do, in the last bit): any
    # permutation of the expert rows gives the same project scores, unit scores and ranks
    from hypothesis import given, settings
    from hypothesis import strategies as st

    decimal_text = st.integers(0, 10000).map(lambda n: f"{n // 100}.{n % 100:02d}")

    @settings(max_examples=40, deadline=None, database=None, derandomize=True)
    @given(st.lists(st.tuples(st.sampled_from("ABCD"), st.sampled_from(["p", "q"]), decimal_text),
                    min_size=4, max_size=16), st.randoms(use_true_random=False))
    def check(rows, rnd):
        projects: dict = {}
        for code, project, text in rows:
            projects.setdefault((code, project), []).append(text)
        units = [(c, "primary") for c in sorted({c for c, _, _ in rows})]
        shuffled = {k: rnd.sample(v, len(v)) for k, v in rnd.sample(list(projects.items()), len(projects))}
        a, b = _cohort(units, projects), _cohort(units, shuffled)
        key = ["code", "total", "group_rank", "award"]
        assert a.units[key].sort_values("code").values.tolist() == b.units[key].sort_values("code").values.tolist()
        pa = a.projects.set_index(["code", "project"])["project_score"].sort_index()
        pb = b.projects.set_index(["code", "project"])["project_score"].sort_index()
        assert pa.tolist() == pb.tolist()

    check()


def test_a_number_with_more_than_15_significant_digits_is_refused_at_its_cell(tmp_path):
    # 19.0000000000000001 has 18 significant digits: as a float it is 19.0 (the suites would pass it),
    # exactly it is more than 19. It is refused at its cell instead of being scored one way and checked another.
    import shutil

    from evalbook.core.registry import get_scheme
    from evalbook.inputs.intake import take_in

    shutil.copytree(ROOT / "data" / "wendeng-featured", tmp_path / "wendeng-featured")
    path = tmp_path / "wendeng-featured" / "2023" / "expert_scores.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1] == "WDZG,中医正骨手法复位,E07,17.0,16.5,12.0,12.5,12.5,12.5"
    lines[1] = "WDZG,中医正骨手法复位,E07,17.000000000000000001,16.5,12.0,12.5,12.5,12.5"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    intake = take_in(get_scheme("wendeng-featured"), 2023, tmp_path)
    # One message for the cell: its 18 decimals are refused by the decimal-places rule (at most 6), which with the
    # range bound (≤ 10^9) keeps every accepted number within the 15 digits a float carries exactly.
    [problem] = intake.errors
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "2023/expert_scores.csv", 2, "advantage", "17.000000000000000001")
    assert "6位小数" in problem.rule_zh and "6 decimal places" in problem.rule_en


def test_ingest_keeps_excels_15_digits():
    # a computed Excel cell holds the binary 0.1 + 0.2 = 0.30000000000000004; Excel shows (and means) 0.3
    from evalbook.excel.cells import number_text

    assert number_text(0.1 + 0.2) == "0.3"
    assert number_text(1 / 3) == "0.333333333333333"   # 15 significant digits
    assert number_text(17.25) == "17.25" and number_text(12.0) == "12" and number_text(1e-07) == "0.0000001"
