"""Composite, ranking and awards of the wendeng-featured scheme on small hand-built cohorts.

Every expected value is derived by hand from the rules in docs/rules/wendeng-featured.md
(总成绩, 排名与并列, 奖项与奖金 and the Annex 3 table), with the
award counts and prizes of rubrics/wendeng-featured.yaml; the arithmetic is in the comments.

Rules used:
- project score = mean over its experts of the six-dimension sum;
- unit expert score = mean of the unit's project scores (no scored project → 0);
- total = 0.7 × rubric score + 0.3 × unit expert score − penalty (5 if contest_abstained);
- ranking within each group by total, then rubric score, then expert score; a full tie shares
  rank (1, 1, 3), award and the full prize; award tier k covers the ranks after the earlier
  tiers' cumulative count up to its own cumulative count;
- unit awards: district 一等奖/二等奖/三等奖 1/1/1, prizes 20/10/5; primary 1/2/3, prizes 10/8/4;
- project awards per group: 特等奖/一等奖/二等奖/三等奖 1/1/2/3 (district 8/6/4/2,
  primary 5/4/3/2), then 优秀奖 (1) for every other project ≥ 60, nothing below 60.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest
import yaml

from evalbook.schemes.wendeng_featured.scoring import score_cohort
from wendeng_fixtures import perfect_facts

RUBRIC_PATH = Path(__file__).parents[1] / "rubrics" / "wendeng-featured.yaml"
with RUBRIC_PATH.open(encoding="utf-8") as _fh:
    RUBRIC = yaml.safe_load(_fh)

UNIT_COLUMNS = (["code", "name", "group"] + [f"item_{n:02d}" for n in range(1, 17)]
                + ["penalty", "rubric_score", "expert_score", "total", "group_rank", "award", "prize_wan"])
PROJECT_COLUMNS = ["code", "name", "group", "project", "experts", "project_score", "group_rank",
                   "award", "prize_wan"]
DIMENSIONS = (("advantage", 20), ("work", 20), ("economic", 15), ("social", 15),
              ("difficulty", 15), ("risk", 15))


def dims(total: float) -> dict:
    """Six dimension scores (multiples of 0.5, within their maxima) summing exactly to ``total``."""
    values = [float(m) for _, m in DIMENSIONS]
    deficit = 100.0 - total
    i = 0
    while deficit > 0:
        if values[i % 6] >= 0.5:
            values[i % 6] -= 0.5
            deficit -= 0.5
        i += 1
    return {name: v for (name, _), v in zip(DIMENSIONS, values, strict=True)}


def build(units: list[tuple], projects: dict, judgments: list[tuple] = ()):
    """units: (code, name, group, fact changes); projects: {(code, project): [expert sums]};
    judgments: (code, item, points)."""
    institutions = pd.DataFrame([(c, n, g) for c, n, g, _ in units], columns=["code", "name", "group"])
    facts = pd.DataFrame([{"code": c, **{**perfect_facts(), **changes}} for c, _, _, changes in units])
    judg = pd.DataFrame([(c, item, float(p), "评审意见", "专家甲") for c, item, p in judgments],
                        columns=["code", "item", "points", "reason", "evaluator"])
    judg["item"] = judg["item"].astype("int64")
    judg["points"] = judg["points"].astype("float64")
    rows = []
    for (code, project), sums in projects.items():
        for k, total in enumerate(sums, start=1):
            rows.append({"code": code, "project": project, "expert": f"专家{k}", **dims(total)})
    experts = pd.DataFrame(rows, columns=["code", "project", "expert"] + [d for d, _ in DIMENSIONS])
    return institutions, facts, judg, experts


def by_code(frame: pd.DataFrame) -> dict:
    return {row["code"]: row for _, row in frame.iterrows()}


def by_project(frame: pd.DataFrame) -> dict:
    return {(row["code"], row["project"]): row for _, row in frame.iterrows()}


# ---------------------------------------------------------------------------------------------
# The main cohort: 3 district + 7 primary institutions
# ---------------------------------------------------------------------------------------------

MAIN_UNITS = [
    ("D1", "区人民医院", "district", {}),                        # R = 100
    ("D2", "文登整骨医院", "district", {}),                      # R = 100
    ("D3", "区妇幼保健院", "district", {"contest_abstained": True}),  # R = 100 − 10 = 90, penalty 5
    ("P1", "宋村中心卫生院", "primary", {}),                     # R = 100
    # R = 100 − 10 (item 12: none, 1 entry → 0) − 10 (item 13: no place → 0)
    #         − 8 (item 14: 8 − 8 = 0) − 2 (item 15: 5 − 0.5·4 = 3) = 70
    ("P2", "高村中心卫生院", "primary", {"contest_best_award": "none", "contest_entries": 1,
                                  "superior_team_ranks": (), "slack_findings": 8,
                                  "late_submissions": 4}),
    ("P3", "葛家中心卫生院", "primary", {}),                     # R = 100, no project at all
    # R = 100 − 10 (item 13 → 0) − 5 (item 10: 0 < 5 → 0) − 3 (item 11: 12 in 10–20 → 2)
    #         − 2 (item 1: 5 − 2 = 3) = 80
    ("P4", "大水泊中心卫生院", "primary", {"superior_team_ranks": (), "internal_funds_wan": 0.0,
                                   "external_funds_wan": 12.0, "leader_is_head": False}),
    ("P5", "文登营镇卫生院", "primary", {"contest_abstained": True}),  # R = 90, penalty 5
    # R = 100 − 8 (item 9: no report → 0) − 10 (item 13 → 0) − 10 (item 12: none, 1 entry → 0)
    #         − 8 (item 14: 8 − 8 = 0) − 4 (item 16: judgments 2.5 + 1.5 = 4 → 5 − 4 = 1) = 60
    ("P6", "泽库镇卫生院", "primary", {"reports_national": 0, "superior_team_ranks": (),
                                 "contest_best_award": "none", "contest_entries": 1,
                                 "slack_findings": 8}),
    # R = 100 − 5 (item 2: both 0 → 0) − 1 (item 3: 5 − 1·1 = 4) − 2 (item 4: judgment 2 → 3)
    #         − 6 (item 5: 0 trainees) − 6 (item 6: 0 sessions) − 6 (item 7: no MDT group)
    #         − 4 (item 8: 6 − min(1, 1.5) − min(3, 5) = 2) − 8 (item 9: no report)
    #         − 10 (item 13: no place) − 2 (item 15: 5 − 0.5·4 = 3) = 50
    ("P7", "泽头镇卫生院", "primary", {"party_meeting_halves": 0, "party_agenda_items": 0,
                                 "group_meeting_quarters": 3, "trainees_3m": 0, "expert_sessions": 0,
                                 "mdt_group": False, "publicity_forms": 0, "staff_unaware": 10,
                                 "reports_national": 0, "superior_team_ranks": (),
                                 "late_submissions": 4}),
]

MAIN_PROJECTS = {
    ("D1", "骨科微创"): [96, 94],       # (96 + 94) / 2 = 95
    ("D1", "胸痛中心"): [90],           # 90
    ("D1", "卒中救治"): [80, 90],       # (80 + 90) / 2 = 85      D1 expert: (95 + 90 + 85) / 3 = 90
    ("D2", "中医正骨"): [92, 92, 92],   # 92
    ("D2", "康复理疗"): [86, 90],       # 88                      D2 expert: (92 + 88) / 2 = 90
    ("D3", "产科安全"): [80],           # 80
    ("D3", "儿童保健"): [75],           # 75
    ("D3", "妇科微创"): [70],           # 70
    ("D3", "新生儿筛查"): [61, 59],     # (61 + 59) / 2 = 60
    ("D3", "孕期营养"): [60, 59],       # (60 + 59) / 2 = 59.5
    #                 D3 expert: (80 + 75 + 70 + 60 + 59.5) / 5 = 344.5 / 5 = 68.9
    ("P1", "针灸推拿"): [22, 18],       # 20                      P1 expert: 20
    ("P2", "中医康复"): [97],           # 97
    ("P2", "慢病管理"): [83],           # 83                      P2 expert: (97 + 83) / 2 = 90
    ("P4", "家庭医生"): [70],           # 70                      P4 expert: 70
    ("P5", "老年护理"): [96],           # 96
    ("P5", "口腔保健"): [94],           # 94                      P5 expert: (96 + 94) / 2 = 95
    ("P6", "中药熏蒸"): [90],           # 90
    ("P6", "小儿推拿"): [62, 58],       # 60                      P6 expert: (90 + 60) / 2 = 75
    ("P7", "艾灸理疗"): [71, 70],       # 70.5
    ("P7", "糖尿病管理"): [59, 60],     # 59.5                    P7 expert: (70.5 + 59.5) / 2 = 65
}                                       # P3: no project          P3 expert: 0

MAIN_JUDGMENTS = [("P6", 16, 2.5), ("P6", 16, 1.5), ("P7", 4, 2)]


@pytest.fixture(scope="module")
def main_result():
    return score_cohort(*build(MAIN_UNITS, MAIN_PROJECTS, MAIN_JUDGMENTS), RUBRIC)


def test_helper_dims_sum_to_total():
    # the fixture helper itself: six dimensions within their maxima, summing to the declared total
    for total in (100, 96, 70.5, 60, 59.5, 18, 0):
        values = dims(total)
        assert sum(values.values()) == total
        assert all(0 <= values[d] <= m for d, m in DIMENSIONS)


def test_columns(main_result):
    assert list(main_result.units.columns) == UNIT_COLUMNS
    assert list(main_result.projects.columns) == PROJECT_COLUMNS
    assert sorted(main_result.units["code"]) == sorted(c for c, *_ in MAIN_UNITS)
    # one row per scored project; P3 has none
    assert len(main_result.projects) == len(MAIN_PROJECTS) == 20


# code: (rubric score, expert score, penalty, total)
MAIN_EXPECTED = {
    "D1": (100, 90, 0, 97),       # 0.7·100 + 0.3·90 − 0 = 70 + 27 = 97
    "D2": (100, 90, 0, 97),       # 70 + 27 = 97
    "D3": (90, 68.9, 5, 78.67),   # 0.7·90 + 0.3·68.9 − 5 = 63 + 20.67 − 5 = 78.67
    "P1": (100, 20, 0, 76),       # 70 + 6 = 76
    "P2": (70, 90, 0, 76),        # 49 + 27 = 76
    "P3": (100, 0, 0, 70),        # 70 + 0 = 70 (no project → expert score 0)
    "P4": (80, 70, 0, 77),        # 56 + 21 = 77
    "P5": (90, 95, 5, 86.5),      # 63 + 28.5 − 5 = 86.5
    "P6": (60, 75, 0, 64.5),      # 42 + 22.5 = 64.5
    "P7": (50, 65, 0, 54.5),      # 35 + 19.5 = 54.5
}


@pytest.mark.parametrize("code", sorted(MAIN_EXPECTED))
def test_unit_scores(main_result, code):
    row = by_code(main_result.units)[code]
    rubric_score, expert_score, penalty, total = MAIN_EXPECTED[code]
    assert row["rubric_score"] == pytest.approx(rubric_score)
    assert row["expert_score"] == pytest.approx(expert_score)
    assert row["penalty"] == pytest.approx(penalty)
    assert row["total"] == pytest.approx(total)
    # the rubric score is the sum of the 16 item columns
    assert sum(row[f"item_{n:02d}"] for n in range(1, 17)) == pytest.approx(rubric_score)
    name, group = next((n, g) for c, n, g, _ in MAIN_UNITS if c == code)
    assert (row["name"], row["group"]) == (name, group)


def test_unit_items_of_p7_and_judgments(main_result):
    units = by_code(main_result.units)
    p7 = units["P7"]
    # item by item, see MAIN_UNITS: 5, 0, 4, 3, 0, 0, 0, 2, 0, 5, 5, 10, 0, 8, 3, 5 (sum 50)
    expected = [5, 0, 4, 3, 0, 0, 0, 2, 0, 5, 5, 10, 0, 8, 3, 5]
    assert [p7[f"item_{n:02d}"] for n in range(1, 17)] == [pytest.approx(v) for v in expected]
    # P6 item 16: two judgment rows summed: 5 − (2.5 + 1.5) = 1
    assert units["P6"]["item_16"] == pytest.approx(1)
    # P4: item 1 = 5 − 2 = 3; item 10 = 0 (0 < 5); item 11 = 2 (12 in 10–20, primary)
    assert (units["P4"]["item_01"], units["P4"]["item_10"], units["P4"]["item_11"]) == \
        (pytest.approx(3), pytest.approx(0), pytest.approx(2))
    # abstainers: item 12 = 0 and the 5 points come off the total, not off the rubric score
    for code in ("D3", "P5"):
        assert units[code]["item_12"] == pytest.approx(0)
        assert units[code]["penalty"] == pytest.approx(5)


def test_abstainer_penalty_in_total(main_result):
    p5 = by_code(main_result.units)["P5"]
    # total = 0.7·rubric + 0.3·expert − 5: 0.7·90 + 0.3·95 − 5 = 86.5 (91.5 without the penalty)
    assert p5["total"] == pytest.approx(0.7 * 90 + 0.3 * 95 - 5)
    assert p5["total"] == pytest.approx(86.5)


def test_unit_without_projects(main_result):
    p3 = by_code(main_result.units)["P3"]
    assert p3["expert_score"] == 0                      # no scored project → 0
    assert p3["total"] == pytest.approx(70)             # 0.7·100 + 0.3·0 = 70
    assert "P3" not in set(main_result.projects["code"])


# code: (group rank, award, prize 万元)
MAIN_RANKS = {
    # district: D1 97 = D2 97 (same rubric 100, same expert 90: full tie) > D3 78.67
    "D1": (1, "一等奖", 20),     # shared rank 1, tier 一等奖 covers rank ≤ 1 → full prize 20
    "D2": (1, "一等奖", 20),     # shared rank 1 → 一等奖, full prize 20
    "D3": (3, "三等奖", 5),      # rank 3 (1, 1, 3); 二等奖 covers (1, 2], 三等奖 (2, 3] → 三等奖 5
    # primary: P5 86.5 > P4 77 > P1 76 = P2 76 (rubric 100 > 70) > P3 70 > P6 64.5 > P7 54.5
    # tiers: 一等奖 rank ≤ 1, 二等奖 (1, 3], 三等奖 (3, 6]
    "P5": (1, "一等奖", 10),
    "P4": (2, "二等奖", 8),
    "P1": (3, "二等奖", 8),      # total tie with P2 broken by rubric score 100 > 70
    "P2": (4, "三等奖", 4),
    "P3": (5, "三等奖", 4),
    "P6": (6, "三等奖", 4),
    "P7": (7, "", 0),            # beyond 1 + 2 + 3 = 6 awards
}


@pytest.mark.parametrize("code", sorted(MAIN_RANKS))
def test_unit_ranks_and_awards(main_result, code):
    row = by_code(main_result.units)[code]
    rank, award, prize = MAIN_RANKS[code]
    assert int(row["group_rank"]) == rank
    assert row["award"] == award
    assert row["prize_wan"] == pytest.approx(prize)


def test_group_rank_is_int(main_result):
    assert pd.api.types.is_integer_dtype(main_result.units["group_rank"])
    assert pd.api.types.is_integer_dtype(main_result.projects["group_rank"])


def test_tie_broken_by_rubric_score(main_result):
    units = by_code(main_result.units)
    p1, p2 = units["P1"], units["P2"]
    # 0.7·100 + 0.3·20 = 76 = 0.7·70 + 0.3·90: the totals are equal
    assert p1["total"] == pytest.approx(p2["total"]) == pytest.approx(76)
    # rubric 100 > 70 → P1 ahead, and P1 takes the last 二等奖 (8) while P2 gets 三等奖 (4)
    assert int(p1["group_rank"]) < int(p2["group_rank"])
    assert (p1["award"], p2["award"]) == ("二等奖", "三等奖")


def test_unit_award_counts_per_group(main_result):
    units = main_result.units
    district = units[units["group"] == "district"]["award"].value_counts().to_dict()
    primary = units[units["group"] == "primary"]["award"].value_counts().to_dict()
    # district: the full tie at rank 1 gives two 一等奖; rank 3 → 三等奖; no 二等奖
    assert district == {"一等奖": 2, "三等奖": 1}
    # primary 1/2/3 and one unit (rank 7) without award
    assert primary == {"一等奖": 1, "二等奖": 2, "三等奖": 3, "": 1}
    # prizes: district 20 + 20 + 5 = 45; primary 10 + 2·8 + 3·4 = 38
    assert units[units["group"] == "district"]["prize_wan"].sum() == pytest.approx(45)
    assert units[units["group"] == "primary"]["prize_wan"].sum() == pytest.approx(38)


# (code, project): (project score, group rank, award, prize 万元)
MAIN_PROJECT_EXPECTED = {
    # district by score: 95, 92, 90, 88, 85, 80, 75 | 70, 60 (≥ 60 → 优秀奖) | 59.5 (nothing)
    ("D1", "骨科微创"): (95, 1, "特等奖", 8),
    ("D2", "中医正骨"): (92, 2, "一等奖", 6),
    ("D1", "胸痛中心"): (90, 3, "二等奖", 4),
    ("D2", "康复理疗"): (88, 4, "二等奖", 4),
    ("D1", "卒中救治"): (85, 5, "三等奖", 2),
    ("D3", "产科安全"): (80, 6, "三等奖", 2),
    ("D3", "儿童保健"): (75, 7, "三等奖", 2),
    ("D3", "妇科微创"): (70, 8, "优秀奖", 1),
    ("D3", "新生儿筛查"): (60, 9, "优秀奖", 1),     # exactly 60 → 优秀奖
    ("D3", "孕期营养"): (59.5, 10, "", 0),          # 59.5 < 60 → nothing
    # primary by score: 97, 96, 94, 90, 83, 70.5, 70 | 60 (优秀奖) | 59.5, 20 (nothing)
    ("P2", "中医康复"): (97, 1, "特等奖", 5),
    ("P5", "老年护理"): (96, 2, "一等奖", 4),
    ("P5", "口腔保健"): (94, 3, "二等奖", 3),
    ("P6", "中药熏蒸"): (90, 4, "二等奖", 3),
    ("P2", "慢病管理"): (83, 5, "三等奖", 2),
    ("P7", "艾灸理疗"): (70.5, 6, "三等奖", 2),
    ("P4", "家庭医生"): (70, 7, "三等奖", 2),
    ("P6", "小儿推拿"): (60, 8, "优秀奖", 1),       # exactly 60 → 优秀奖
    ("P7", "糖尿病管理"): (59.5, 9, "", 0),         # 59.5 → nothing
    ("P1", "针灸推拿"): (20, 10, "", 0),            # 20 → nothing
}


@pytest.mark.parametrize("key", list(MAIN_PROJECT_EXPECTED))
def test_project_scores_and_awards(main_result, key):
    row = by_project(main_result.projects)[key]
    score, rank, award, prize = MAIN_PROJECT_EXPECTED[key]
    assert row["project_score"] == pytest.approx(score)
    assert int(row["group_rank"]) == rank
    assert row["award"] == award
    assert row["prize_wan"] == pytest.approx(prize)
    name, group = next((n, g) for c, n, g, _ in MAIN_UNITS if c == key[0])
    assert (row["name"], row["group"]) == (name, group)


def test_project_award_counts_per_group(main_result):
    projects = main_result.projects
    district = projects[projects["group"] == "district"]["award"].value_counts().to_dict()
    primary = projects[projects["group"] == "primary"]["award"].value_counts().to_dict()
    # 1/1/2/3, then 优秀奖 for the others ≥ 60 (district 70 and 60; primary 60), nothing below
    assert district == {"特等奖": 1, "一等奖": 1, "二等奖": 2, "三等奖": 3, "优秀奖": 2, "": 1}
    assert primary == {"特等奖": 1, "一等奖": 1, "二等奖": 2, "三等奖": 3, "优秀奖": 1, "": 2}
    # district 8 + 6 + 2·4 + 3·2 + 2·1 = 30; primary 5 + 4 + 2·3 + 3·2 + 1 = 22
    assert projects[projects["group"] == "district"]["prize_wan"].sum() == pytest.approx(30)
    assert projects[projects["group"] == "primary"]["prize_wan"].sum() == pytest.approx(22)


def test_unit_expert_score_is_mean_of_projects_not_of_expert_rows(main_result):
    # P6 projects 90 (1 expert) and 60 (2 experts 62, 58) → (90 + 60) / 2 = 75,
    # whereas the mean of its expert rows would be (90 + 62 + 58) / 3 = 70.
    # D3: (80 + 75 + 70 + 60 + 59.5) / 5 = 68.9; over expert rows it would be
    # (80 + 75 + 70 + 61 + 59 + 60 + 59) / 7 = 464 / 7 ≈ 66.29.
    assert by_code(main_result.units)["D3"]["expert_score"] == pytest.approx(68.9)
    assert by_code(main_result.units)["P6"]["expert_score"] == pytest.approx(75)


# ---------------------------------------------------------------------------------------------
# Tie broken by the expert score
# ---------------------------------------------------------------------------------------------

def test_tie_broken_by_expert_score():
    """Same total and same rubric score: the higher expert score ranks first.

    With the weights 0.7/0.3 and a penalty of 5 an exact tie would need expert scores 50/3
    apart, which is not exact in floating point; the rubric copy below sets the abstention
    penalty to 3 (items.12.params.abstain_penalty: every number lives in the rubric), so the
    expert scores need to be 10 apart: 0.3·(90 − 80) = 3.
    """
    rubric = copy.deepcopy(RUBRIC)
    rubric["items"][12]["params"]["abstain_penalty"] = 3
    units = [
        # R = 100 − 10 (item 12: none, 1 entry → 0) − 10 (item 13: no place → 0) = 80
        ("Q1", "天福山卫生院", "primary", {"contest_best_award": "none", "contest_entries": 1,
                                     "superior_team_ranks": ()}),
        # R = 100 − 10 (item 12: abstained → 0) − 10 (item 13 → 0) = 80, penalty 3
        ("Q2", "埠口卫生院", "primary", {"contest_abstained": True, "superior_team_ranks": ()}),
    ]
    projects = {("Q1", "甲"): [80], ("Q2", "乙"): [90]}
    result = score_cohort(*build(units, projects), rubric)
    rows = by_code(result.units)
    # Q1: 0.7·80 + 0.3·80 − 0 = 56 + 24 = 80;  Q2: 0.7·80 + 0.3·90 − 3 = 56 + 27 − 3 = 80
    assert rows["Q1"]["total"] == pytest.approx(80)
    assert rows["Q2"]["total"] == pytest.approx(80)
    assert rows["Q2"]["penalty"] == pytest.approx(3)
    assert rows["Q1"]["rubric_score"] == pytest.approx(80) and rows["Q2"]["rubric_score"] == pytest.approx(80)
    # expert 90 > 80 → Q2 first: 一等奖 10; Q1 second: 二等奖 (primary tier (1, 3]) 8
    assert (int(rows["Q2"]["group_rank"]), rows["Q2"]["award"], rows["Q2"]["prize_wan"]) == (1, "一等奖", 10)
    assert (int(rows["Q1"]["group_rank"]), rows["Q1"]["award"], rows["Q1"]["prize_wan"]) == (2, "二等奖", 8)


# ---------------------------------------------------------------------------------------------
# A full tie across an award boundary
# ---------------------------------------------------------------------------------------------

def test_full_tie_at_rank_two_pushes_next_unit_out_of_awards():
    units = [
        ("A", "区人民医院", "district", {}),                       # R = 100
        ("B", "区口腔医院", "district", {"slack_findings": 2}),    # R = 100 − 2 (item 14: 8 − 2 = 6) = 98
        ("C", "区皮肤病医院", "district", {"slack_findings": 2}),  # R = 98
        ("E", "区中西医结合医院", "district", {"slack_findings": 8}),  # R = 100 − 8 (item 14 → 0) = 92
    ]
    projects = {("A", "甲"): [90], ("B", "乙"): [90], ("C", "丙"): [90], ("E", "丁"): [90]}  # expert 90 each
    result = score_cohort(*build(units, projects), RUBRIC)
    rows = by_code(result.units)
    # A: 70 + 27 = 97; B = C: 0.7·98 + 27 = 68.6 + 27 = 95.6 (full tie); E: 64.4 + 27 = 91.4
    assert [rows[c]["total"] for c in "ABCE"] == [pytest.approx(v) for v in (97, 95.6, 95.6, 91.4)]
    # ranks 1, 2, 2, 4; 一等奖 covers rank ≤ 1, 二等奖 (1, 2], 三等奖 (2, 3]: rank 4 → nothing
    assert [int(rows[c]["group_rank"]) for c in "ABCE"] == [1, 2, 2, 4]
    assert [rows[c]["award"] for c in "ABCE"] == ["一等奖", "二等奖", "二等奖", ""]
    assert [rows[c]["prize_wan"] for c in "ABCE"] == [pytest.approx(v) for v in (20, 10, 10, 0)]
    # projects: all four score 90 — not asserted beyond the score (project ties are not specified)
    assert list(result.projects["project_score"]) == [pytest.approx(90)] * 4


def test_empty_judgments_and_single_group():
    # a primary-only cohort with no judgments at all (empty frame with the columns)
    units = [("P1", "米山镇卫生院", "primary", {}), ("P2", "侯家镇卫生院", "primary", {"late_submissions": 2})]
    projects = {("P1", "甲"): [60], ("P2", "乙"): [100, 80]}
    result = score_cohort(*build(units, projects), RUBRIC)
    rows = by_code(result.units)
    # P1: 0.7·100 + 0.3·60 = 70 + 18 = 88; P2: R = 100 − 1 (item 15: 5 − 0.5·2 = 4) = 99,
    #     expert (100 + 80) / 2 = 90 → 0.7·99 + 0.3·90 = 69.3 + 27 = 96.3
    assert rows["P1"]["total"] == pytest.approx(88)
    assert rows["P2"]["rubric_score"] == pytest.approx(99)
    assert rows["P2"]["total"] == pytest.approx(96.3)
    assert (int(rows["P2"]["group_rank"]), rows["P2"]["award"]) == (1, "一等奖")
    assert (int(rows["P1"]["group_rank"]), rows["P1"]["award"]) == (2, "二等奖")
    prj = by_project(result.projects)
    # project 90 → 特等奖 5; project 60 → 一等奖 4 (rank 2 of the primary group)
    assert (prj[("P2", "乙")]["award"], prj[("P2", "乙")]["prize_wan"]) == ("特等奖", pytest.approx(5))
    assert (prj[("P1", "甲")]["award"], prj[("P1", "甲")]["prize_wan"]) == ("一等奖", pytest.approx(4))
