"""Competition ranking and awards by place (hand-computed)."""

from __future__ import annotations

import pandas as pd

from evalbook.core.ranking import award_for_rank, competition_rank, rank_within_groups

TIERS = [{"award": "一等奖", "count": 1, "prize_wan": 10}, {"award": "二等奖", "count": 2, "prize_wan": 8},
         {"award": "三等奖", "count": 3, "prize_wan": 4}]


def test_competition_rank_shares_full_ties_and_skips_places():
    frame = pd.DataFrame({"total": [90, 95, 90, 80], "rubric": [70, 80, 70, 60]})
    # 95 first; the two (90, 70) tie at 2; 80 is then 4th (1, 2, 2, 4)
    assert competition_rank(frame, ["total", "rubric"]).tolist() == [2, 1, 2, 4]


def test_second_key_breaks_a_tie_on_the_first():
    frame = pd.DataFrame({"total": [90, 90], "rubric": [70, 71]})
    assert competition_rank(frame, ["total", "rubric"]).tolist() == [2, 1]


def test_awards_follow_places():
    # places 1 | 2-3 | 4-6 | none
    assert [award_for_rank(r, TIERS) for r in (1, 2, 3, 4, 6, 7)] == [
        ("一等奖", 10.0), ("二等奖", 8.0), ("二等奖", 8.0), ("三等奖", 4.0), ("三等奖", 4.0), ("", 0.0)]


def test_rank_within_groups_and_unscored_rows():
    frame = pd.DataFrame({"group": ["a", "b", "a", "b"], "score": [1.0, 5.0, 2.0, None]})
    assert rank_within_groups(frame, ["score"]).tolist() == [2, 1, 1, pd.NA]


def test_large_cohort_ranks_fast_and_right():
    frame = pd.DataFrame({"score": [float(i % 100) for i in range(20000)]})
    ranks = competition_rank(frame, ["score"])
    assert ranks[99] == 1 and ranks[0] == 19801  # 200 copies of each score: 99 first; 0 after 99×200 others
