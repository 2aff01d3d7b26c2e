"""naiman-specialty scoring, hand-computed from docs/rules/naiman-specialty.md (default policy)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evalbook.schemes.naiman_specialty.rubric import load_rubric
from evalbook.schemes.naiman_specialty.scoring import attainment, score_cohort

RUBRIC = load_rubric(Path(__file__).resolve().parents[1] / "rubrics" / "naiman-specialty.yaml")


@pytest.mark.parametrize("actual, baseline, target, direction, expected", [
    (150, 100, 200, "higher", 0.5),      # (150 − 100) / (200 − 100)
    (250, 100, 200, "higher", 1.0),      # overshoot clipped to 1
    (50, 100, 200, "higher", 0.0),       # worse than baseline clipped to 0
    (0.5, 2.0, 1.0, "lower", 1.0),       # (0.5 − 2) / (1 − 2) = 1.5 → 1
    (1.5, 2.0, 1.0, "lower", 0.5),       # (1.5 − 2) / (1 − 2) = 0.5
    (2.5, 2.0, 1.0, "lower", 0.0),       # worsened → 0
    (35, 30, 40, "neutral", 0.5),        # the commitment's own direction, neutral too
    (3, 2, 2, "higher", 1.0),            # target = baseline: higher-better, actual ≥ target
    (1, 2, 2, "higher", 0.0),
    (1, 2, 2, "lower", 1.0),             # lower-better: actual ≤ target
    (3, 2, 2, "lower", 0.0),
    (2, 2, 2, "neutral", 1.0),           # neutral: actual = target
    (3, 2, 2, "neutral", 0.0),
    (None, 5, 3, "lower", 0.0),          # no value (e.g. not ranked) → 0
])
def test_attainment_edges(actual, baseline, target, direction, expected):
    assert attainment(actual, baseline, target, direction) == pytest.approx(expected)


def cohort(recheck_value=None):
    institutions = pd.DataFrame([("H1", "甲医院（示例）", "二级")], columns=["code", "name", "level"])
    specialties = pd.DataFrame([("H1", "心内科", "心内科", "building"), ("H1", "骨科", "骨科", "building"),
                                ("H1", "康复科", "康复科", "candidate")], columns=["code", "specialty", "field", "status"])
    ind = [  # (specialty, period, indicator, value)
        ("心内科", "2024H1", "2.1.1", 100), ("心内科", "2025", "2.1.1", 150),
        ("心内科", "2024H1", "2.3.8", 2.0), ("心内科", "2025", "2.3.8", 0.5),
        ("心内科", "2024H1", "3.1.1", 2), ("心内科", "2025", "3.1.1", 3),
        ("心内科", "2024H1", "1.1.3", 30), ("心内科", "2025", "1.1.3", 30),
        ("心内科", "2024H1", "2.6.2", 1.0), ("心内科", "2025", "2.6.2", 1.5),   # lower-better worsened → warning
        ("骨科", "2024H1", "4.1.1", 80), ("骨科", "2025", "4.1.1", 85),
    ]
    indicators = pd.DataFrame([("H1", s, p, i, str(v), float(v)) for s, p, i, v in ind],
                              columns=["code", "specialty", "period", "indicator", "value", "value_num"])
    targets = pd.DataFrame([("H1", "心内科", "2.1.1", 100.0, 200.0), ("H1", "心内科", "2.3.8", 2.0, 1.0),
                            ("H1", "心内科", "3.1.1", 2.0, 2.0), ("H1", "心内科", "1.1.3", 30.0, 40.0),
                            ("H1", "骨科", "4.1.1", 80.0, 90.0)],
                           columns=["code", "specialty", "indicator", "baseline", "target"])
    onsite = pd.DataFrame([("H1", "心内科", "A", 80.0, 70.0, 90.0), ("H1", "心内科", "B", 60.0, 60.0, 60.0),
                           ("H1", "骨科", "A", 50.0, 50.0, 50.0)],
                          columns=["code", "specialty", "expert", "management", "construction", "talent"])
    recheck = None
    if recheck_value is not None:
        recheck = pd.DataFrame([("H1", "心内科", "2.1.1", recheck_value, "复核")],
                               columns=["code", "specialty", "indicator", "checked_value", "note"])
    return score_cohort(institutions, specialties, indicators, targets, onsite, recheck, RUBRIC, 2025)


# 心内科: categories with targets 基本情况 20 (1.1.3), 质量与安全 45 (2.1.1, 2.3.8), 人才队伍 20 (3.1.1);
# 服务满意 has none and drops out: Σ = 85, scale 100/85.
# a: 1.1.3 neutral (30 − 30)/(40 − 30) = 0; 2.1.1 = 0.5; 2.3.8 = 1 (clipped); 3.1.1 target = baseline, 3 ≥ 2 → 1
# objective = 100/85 × (20×0 + 22.5×0.5 + 22.5×1 + 20×1) = 100/85 × 53.75 = 63.2352941…
# on-site: expert A (80+70+90)/3 = 80, expert B 60 → 70; total = 0.7 × 63.2352941 + 0.3 × 70 = 65.2647059
CARDIO_OBJECTIVE = 100 / 85 * 53.75
CARDIO_TOTAL = 0.7 * CARDIO_OBJECTIVE + 0.3 * 70
# 骨科: only 服务满意 (4.1.1): weight 15 → 100; a = (85 − 80)/(90 − 80) = 0.5 → objective 50;
# on-site 50; total = 0.7 × 50 + 0.3 × 50 = 50 → fails
ORTHO_TOTAL = 50.0


def test_objective_onsite_total_and_verdict():
    units = cohort().units.set_index("specialty")
    assert units.at["心内科", "objective_score"] == pytest.approx(CARDIO_OBJECTIVE)
    assert units.at["心内科", "onsite_score"] == pytest.approx(70)
    assert units.at["心内科", "total"] == pytest.approx(CARDIO_TOTAL)
    assert units.at["心内科", "passed"] and units.at["心内科", "recommended"]
    assert units.at["骨科", "total"] == pytest.approx(ORTHO_TOTAL)
    assert not units.at["骨科", "passed"] and not units.at["骨科", "recommended"]
    assert units.at["心内科", "rank"] == 1 and units.at["骨科", "rank"] == 2
    assert "康复科" not in units.index                      # candidates are not scored
    assert cohort().candidates["specialty"].tolist() == ["康复科"]


def test_weights_are_renormalised_and_reported():
    ind = cohort().indicators.set_index(["specialty", "indicator"])
    assert ind.at[("心内科", "1.1.3"), "weight"] == pytest.approx(20 * 100 / 85)    # 23.53
    assert ind.at[("心内科", "2.1.1"), "weight"] == pytest.approx(22.5 * 100 / 85)  # 26.47
    assert ind.at[("骨科", "4.1.1"), "weight"] == pytest.approx(100)
    assert ind.loc["心内科", "weight"].sum() == pytest.approx(100)
    assert ind.at[("心内科", "2.3.8"), "attainment"] == pytest.approx(1.0)
    assert ind.at[("心内科", "2.1.1"), "actual"] == pytest.approx(150)


def test_worsened_lower_better_indicator_is_a_warning_not_a_score():
    worsened = cohort().worsened
    assert worsened[["specialty", "indicator"]].values.tolist() == [["心内科", "2.6.2"]]   # 1.0 → 1.5, lower-better


def test_recheck_within_tolerance_replaces_the_value_without_flag():
    # 145 vs reported 150: |145 − 150| = 5 ≤ 5 % × 150 = 7.5 → not flagged; a = (145 − 100)/100 = 0.45
    result = cohort(recheck_value=145.0)
    unit = result.units.set_index("specialty").loc["心内科"]
    assert not unit["flagged"] and unit["recommended"]
    assert unit["objective_score"] == pytest.approx(100 / 85 * (22.5 * 0.45 + 22.5 + 20))


def test_recheck_beyond_tolerance_is_flagged_and_not_recommended():
    # 140 vs 150: 10 > 7.5 → 数据不实; a = 0.4; objective = 100/85 × (9 + 22.5 + 20) = 60.588…
    # total = 0.7 × 60.588 + 21 = 63.41 → passes, but flagged → not recommended
    result = cohort(recheck_value=140.0)
    unit = result.units.set_index("specialty").loc["心内科"]
    assert unit["flagged"] and unit["passed"] and not unit["recommended"]
    assert unit["total"] == pytest.approx(0.7 * 100 / 85 * 51.5 + 21)
    assert result.rechecks["flagged"].tolist() == [True]
