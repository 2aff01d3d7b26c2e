"""The expert panels (committee/panels.py): panel figures and flags, the standard deviation's rounding, dropping an
expert's rows from an intake, leave-one-expert-out and the report sections, on a small scheme written here (every
expected value computed by hand in the comments) and on the demo data."""

from __future__ import annotations

import hashlib
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from csv_rows import read_rows
from evalbook.committee.experts import REGISTRY_COLUMNS, REGISTRY_FILE, recused_rows
from evalbook.committee.panel_sections import cohort_panels, unit_panel
from evalbook.committee.panels import (
    PANEL_COLUMNS,
    changes_between,
    expert_bias,
    leave_one_out,
    panel_rows,
    panel_table,
    population_sd,
)
from evalbook.core.columns import Column
from evalbook.core.exact import mean
from evalbook.core.rubric import Rubric
from evalbook.core.scheme import DECISION_COLUMNS, PANEL_SCORE_COLUMNS, Scheme
from evalbook.inputs.intake import read_inputs, without_rows

YEAR = 2024


class Mini(Scheme):
    """A scheme of one subject per institution: its score is the mean of its experts' scores (recused ones left out
    under ``exclude``); 优秀奖 at ≥ 70; ranked by score (ties shared)."""

    NAME, TITLE = "mini-panel", "小评审"
    FILES = {"institutions.csv": [Column("code", "code", "机构代码"), Column("name", "text", "机构名称")],
             "scores.csv": [Column("code", "code", "机构代码"), Column("subject", "text", "项目"),
                            Column("expert", "text", "专家"), Column("score", "number", "评分", low=0, high=100)],
             REGISTRY_FILE: REGISTRY_COLUMNS}
    FILE_LABELS = {"institutions.csv": "机构", "scores.csv": "评分", REGISTRY_FILE: "专家库"}
    REQUIRED_FILES = ("institutions.csv", "scores.csv")
    ROOT_FILES = ("institutions.csv", REGISTRY_FILE)
    EXPERT_FILE = "scores.csv"

    def load_rubric(self, path):
        raise NotImplementedError

    def policy_lines(self, rubric):
        return []

    def expert_scores(self, intake):
        rows = intake.exact("scores.csv")
        return pd.DataFrame({"row": rows.index, "code": rows["code"], "unit": rows["code"], "subject": rows["subject"],
                             "expert": rows["expert"], "score": rows["score"],
                             "recused": recused_rows(rows["code"], rows["expert"], intake.typed.get(REGISTRY_FILE))},
                            columns=PANEL_SCORE_COLUMNS).reset_index(drop=True)

    def score(self, intake):
        exclude, _ = self.panel_policy(intake.rubric)
        rows = self.expert_scores(intake)
        names = dict(zip(intake.typed["institutions.csv"]["code"], intake.typed["institutions.csv"]["name"], strict=True))
        units = []
        for (code, subject), group in rows.groupby(["code", "subject"], sort=False):
            counted = [s for s, r in zip(group["score"], group["recused"], strict=True) if not (exclude and r)]
            if not counted:  # no valid score: not scored (as the schemes do)
                continue
            units.append({"code": code, "name": names[code], "subject": subject, "total": mean(counted)})
        units = pd.DataFrame(units)
        units["rank"] = [1 + sum(t > mine for t in units["total"]) for mine in units["total"]]
        units["award"] = ["优秀奖" if t >= 70 else "" for t in units["total"]]
        return type("Scores", (), {"units": units})()

    def decisions(self, scores):
        u = scores.units
        return pd.DataFrame({"level": "unit", "unit": u["code"], "code": u["code"], "name": u["name"], "subject": "",
                             "total": u["total"], "rank": u["rank"], "award": u["award"], "prize_wan": None,
                             "passed": None}, columns=DECISION_COLUMNS)

    def output_tables(self, scores):
        return {}

    def result_sheets(self, intake, scores):
        return []


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def mini_year(tmp_path: Path, scores: str, registry: str | None = None, recusal: str = "exclude"):
    """A book (scheme, intake, scores) of the small scheme: institutions A and B, the given scores.csv rows."""
    root = tmp_path / Mini.NAME
    write(root, "institutions.csv", "code,name\nA,甲医院\nB,乙医院\n")
    write(root / str(YEAR), "scores.csv", "code,subject,expert,score\n" + scores)
    if registry is not None:
        write(root, REGISTRY_FILE, "expert,name,institution,title\n" + registry)
    rubric = Rubric(tmp_path / "rubric.yaml", hashlib.sha256(b"").hexdigest(),
                    {"panel": {"recusal": recusal, "far_points": 15}})
    scheme = Mini()
    intake = read_inputs(scheme, YEAR, tmp_path, rubric)
    return type("Book", (), {"scheme": scheme, "intake": intake, "scores": scheme.score(intake), "rubric": rubric})()


# A: E1 80, E2 80, E3 40 → mean 200/3 = 66.67 (< 70: no award); B: E1 75, E2 75 → 75 (优秀奖)
AB = "A,甲项目,E1,80\nA,甲项目,E2,80\nA,甲项目,E3,40\nB,乙项目,E1,75\nB,乙项目,E2,75\n"


# --------------------------------------------------------------------------- the standard deviation

def test_population_sd_of_80_80_40():
    # mean 200/3; deviations 40/3, 40/3, −80/3; squares 1600/9 + 1600/9 + 6400/9 = 9600/9; ÷ 3 = 3200/9;
    # √(3200/9) = 18.8562… → 18.86
    assert population_sd([Fraction(80), Fraction(80), Fraction(40)]) == "18.86"


def test_population_sd_rounds_an_exact_half_up_and_pads_decimals():
    # 0 and 0.25: mean 0.125, each 0.125 away → sd exactly 0.125 → 四舍五入 0.13 (a float round would give 0.12)
    assert population_sd([Fraction(0), Fraction(1, 4)]) == "0.13"
    # 83 and 91: 4 each side → "4.00"; one score → "0.00"; none → ""
    assert population_sd([Fraction(83), Fraction(91)]) == "4.00"
    assert population_sd([Fraction(70)]) == "0.00"
    assert population_sd([]) == ""


# --------------------------------------------------------------------------- panel figures and flags

def test_one_expert_far_below_two_agreeing_colleagues_is_the_only_one_flagged(tmp_path):
    book = mini_year(tmp_path, AB)
    rows = panel_rows(book.scheme, book.intake)
    a = rows[rows["code"] == "A"]
    # mean 200/3 = 66.67; deviations 80 − 200/3 = 40/3 (+13.33, within 15), the same, 40 − 200/3 = −80/3 (−26.67 < −15)
    assert list(a["panel_mean"]) == [Fraction(200, 3)] * 3
    assert list(a["deviation"]) == [Fraction(40, 3), Fraction(40, 3), Fraction(-80, 3)]
    assert list(a["flag"]) == ["", "", "偏低"]
    assert list(rows[rows["code"] == "B"]["flag"]) == ["", ""]


def test_exactly_far_points_away_is_not_flagged_and_more_is(tmp_path):
    # 70 and 100: mean 85, deviations −15 and +15 (exactly the line: not flagged); 69 and 100: mean 84.5, ±15.5: both flagged
    book = mini_year(tmp_path, "A,甲项目,E1,70\nA,甲项目,E2,100\nB,乙项目,E1,69\nB,乙项目,E2,100\n")
    rows = panel_rows(book.scheme, book.intake)
    assert list(rows["deviation"]) == [-15, 15, Fraction(-31, 2), Fraction(31, 2)]
    assert list(rows["flag"]) == ["", "", "偏低", "偏高"]


def test_a_recused_score_is_left_out_of_the_mean_and_flagged(tmp_path):
    # E3 works at A: under exclude A's mean is (80 + 80) / 2 = 80; E3's 40 deviates by −40: 偏低 and 应回避
    book = mini_year(tmp_path, AB, registry="E1,张一,B,主任\nE2,张二,B,主任\nE3,张三,A,主任\n")
    rows = panel_rows(book.scheme, book.intake)
    a = rows[rows["code"] == "A"]
    assert list(a["panel_mean"]) == [80, 80, 80]
    assert list(a["flag"]) == ["", "", "偏低、应回避"]
    assert list(a["panel_sd"]) == ["0.00"] * 3  # the two counted scores agree
    # E1 and E2 belong to B and score B: 应回避 too; B has no counted score left (validation refuses that case)
    b = rows[rows["code"] == "B"]
    assert list(b["flag"]) == ["应回避", "应回避"] and list(b["panel_mean"]) == [None, None]


def test_keep_counts_the_recused_score_and_still_flags_it(tmp_path):
    # keep: A's mean stays 200/3; E3's deviation −80/3 → 偏低、应回避
    book = mini_year(tmp_path, AB, registry="E1,张一,B,主任\nE2,张二,B,主任\nE3,张三,A,主任\n", recusal="keep")
    a = panel_rows(book.scheme, book.intake).query("code == 'A'")
    assert list(a["panel_mean"]) == [Fraction(200, 3)] * 3
    assert list(a["flag"]) == ["", "", "偏低、应回避"]


def test_panel_table_has_exactly_the_published_columns_in_input_order(tmp_path):
    book = mini_year(tmp_path, AB)
    table = panel_table(panel_rows(book.scheme, book.intake))
    assert list(table.columns) == ["code", "subject", "expert", "score", "panel_mean", "panel_sd", "deviation", "flag"]
    assert list(table.columns) == PANEL_COLUMNS
    assert list(table["expert"]) == ["E1", "E2", "E3", "E1", "E2"]


def test_expert_bias(tmp_path):
    book = mini_year(tmp_path, AB)
    bias = expert_bias(panel_rows(book.scheme, book.intake)).set_index("expert")
    # E1: +40/3 on A, 0 on B → mean 20/3; E3: −80/3 on A only, flagged once
    assert bias.loc["E1", "subjects"] == 2 and bias.loc["E1", "mean_deviation"] == Fraction(20, 3)
    assert bias.loc["E3", "mean_deviation"] == Fraction(-80, 3) and bias.loc["E3", "flagged"] == 1
    assert list(bias["recusals"]) == [0, 0, 0]


# --------------------------------------------------------------------------- dropping rows, leave-one-expert-out

def test_without_rows_drops_text_and_typed_rows_alike_and_leaves_the_intake_unchanged(tmp_path):
    book = mini_year(tmp_path, AB)
    intake = book.intake
    lines = list(intake.typed["scores.csv"].index[intake.typed["scores.csv"]["expert"] == "E3"])
    assert lines == [4]  # the header is line 1: E3's row is line 4
    fewer = without_rows(intake, "scores.csv", lines)
    assert list(fewer.tables["scores.csv"].frame.index) == list(fewer.typed["scores.csv"].index) == [2, 3, 5, 6]
    assert list(fewer.exact("scores.csv")["score"]) == [80, 80, 75, 75]
    assert len(intake.exact("scores.csv")) == 5  # the original keeps its rows
    assert fewer.tables["institutions.csv"] is intake.tables["institutions.csv"]
    assert without_rows(intake, "absent.csv", [2]) is intake


def test_dropping_the_expert_far_below_the_panel_changes_an_award_and_ranks(tmp_path):
    book = mini_year(tmp_path, AB)
    changes = leave_one_out(book.scheme, book.intake, book.scores)
    # without E3: A = (80 + 80) / 2 = 80 ≥ 70 → 优秀奖 (was 200/3 = 66.67: none), and A (80) now ranks above B (75)
    # without E1: A = (80 + 40) / 2 = 60, B = 75: awards and ranks as before; E2 alike → only E3 changes anything
    got = [(c.expert, c.unit, c.what, c.before, c.after) for c in changes.itertuples()]
    assert got == [("E3", "A", "奖项", "无", "优秀奖"), ("E3", "A", "名次", "第2名", "第1名"),
                   ("E3", "B", "名次", "第1名", "第2名")]


def test_a_decision_that_disappears_is_reported():
    before = pd.DataFrame([{"level": "project", "unit": "A", "code": "A", "name": "甲", "subject": "P", "total": 80,
                            "rank": 1, "award": "一等奖", "prize_wan": 3, "passed": None}], columns=DECISION_COLUMNS)
    assert changes_between(before, before.iloc[0:0]) == [("project", "A", "A", "甲", "P", "奖项", "一等奖", "无有效评分")]
    assert changes_between(before, before) == []


def test_pass_changes_are_reported():
    row = {"level": "unit", "unit": "A-x", "code": "A", "name": "甲", "subject": "x", "total": 61, "rank": 1, "award": "",
           "prize_wan": None, "passed": True}
    before = pd.DataFrame([row], columns=DECISION_COLUMNS)
    after = pd.DataFrame([{**row, "total": 59, "passed": False}], columns=DECISION_COLUMNS)
    assert changes_between(before, after) == [("unit", "A-x", "A", "甲", "x", "合格", "合格", "不合格")]


# --------------------------------------------------------------------------- the report sections

def test_sections_escape_a_hostile_expert_name_and_say_plainly_when_nothing_changes(tmp_path):
    hostile = '<img src=x onerror="alert(1)">'
    # A: the hostile expert 80, E2 80 → 80; B: E1 75, E2 75 → 75. Without any one expert every mean stays (80, 75).
    quoted = hostile.replace('"', '""')
    book = mini_year(tmp_path, f'A,甲项目,"{quoted}",80\nA,甲项目,E2,80\nB,乙项目,E1,75\nB,乙项目,E2,75\n')
    cohort = str(cohort_panels(book))
    assert hostile not in cohort and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in cohort
    unit = str(unit_panel(book, "B"))
    assert "本单位的奖项、合格与名次都不改变" in unit
    assert "所有单位的奖项、合格与名次都不改变" in cohort
    unit_a = str(unit_panel(book, "A"))
    assert hostile not in unit_a and "&lt;img" in unit_a


def test_cohort_section_lists_the_flagged_score_and_the_change(tmp_path):
    book = mini_year(tmp_path, AB, registry="E1,张一,B,主任\nE2,张二,B,主任\nE3,张三,A,主任\n", recusal="keep")
    html = str(cohort_panels(book))
    assert "专家评分" in html and "应回避" in html and "E3 张三" in html
    assert "偏低、应回避" in html


# --------------------------------------------------------------------------- the demo's published panels

GOLDEN = Path(__file__).parent / "fixtures" / "golden"


@pytest.mark.parametrize("year", [2022, 2023])
def test_the_demo_panel_mean_is_the_published_project_score(year):
    folder = GOLDEN / "wendeng-featured" / str(year)
    projects = {(r["code"], r["project"]): r for r in read_rows(folder / "project_scores.csv")}
    panel = read_rows(folder / "panel.csv")
    counts: dict = {}
    for r in panel:
        key = (r["code"], r["subject"])
        assert r["panel_mean"] == projects[key]["project_score"]
        # deviation = score − panel_mean (written to 20 significant digits when the decimal does not terminate)
        assert abs(Fraction(r["deviation"]) - (Fraction(r["score"]) - Fraction(r["panel_mean"]))) < Fraction(1, 10**15)
        counts[key] = counts.get(key, 0) + 1
    assert {k: str(v) for k, v in counts.items()} == {k: p["experts"] for k, p in projects.items()}


def test_a_report_s_facts_hold_its_own_panel_and_leave_one_out_rows():
    from evalbook.core.registry import get_scheme

    naiman = get_scheme("naiman-specialty")
    scores = [{"code": "NM", "specialty": "心内科", "rank": "1"}, {"code": "NM", "specialty": "外科", "rank": "2"}]
    panel = [{"code": "NM", "subject": "心内科", "expert": "甲", "flag": ""},
             {"code": "NM", "subject": "外科", "expert": "甲", "flag": "偏低"}]
    changes = [{"expert": "甲", "unit": "NM-外科", "what": "合格", "before": "合格", "after": "不合格"}]
    shown = naiman.report_facts({"scores.csv": scores, "panel.csv": panel, "leave_one_out.csv": changes})
    assert shown["NM-心内科"]["panels"] == [panel[0]]
    assert shown["NM-外科"]["panels"] == [panel[1], changes[0]]
    wendeng = get_scheme("wendeng-featured")
    unit = {"code": "A", "name": "甲院", "group": "district", "group_rank": "1", "total": "90", "award": "", "prize_wan": "0",
            **{f"item_{n:02d}": "5" for n in range(1, 17)}}
    other = {**unit, "code": "B", "name": "乙院"}
    shown = wendeng.report_facts({"scores.csv": [unit, other], "project_scores.csv": [],
                                  "panel.csv": [{"code": "B", "subject": "P"}], "leave_one_out.csv": [{"unit": "A"}]})
    assert shown["A"]["panels"] == [{"unit": "A"}] and shown["B"]["panels"] == [{"code": "B", "subject": "P"}]
