"""Annex 3 (附件3) item formulas of the wendeng-featured scheme, one item at a time.

Every expected value is derived by hand from the rules in docs/rules/wendeng-featured.md
(Annex 3 table, funding bands); the arithmetic is in the comment
next to each case. Each case starts from a "perfect" institution (every item at its maximum,
total 100) and changes one or two facts of one item, so the other 15 items must stay at their
maximum.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evalbook.schemes.wendeng_featured.items import Judgment, abstain_penalty, funding_points, score_items
from wendeng_fixtures import perfect_facts

RUBRIC_PATH = Path(__file__).parents[1] / "rubrics" / "wendeng-featured.yaml"
with RUBRIC_PATH.open(encoding="utf-8") as _fh:
    RUBRIC = yaml.safe_load(_fh)

# Annex 3 table, column "max" (docs/rules/wendeng-featured.md): 5+5+5+5 + 6+6+6+6 + 8 + 5+5 + 10+10 + 8 + 5+5 = 100
MAXIMA = {1: 5, 2: 5, 3: 5, 4: 5, 5: 6, 6: 6, 7: 6, 8: 6, 9: 8, 10: 5, 11: 5,
          12: 10, 13: 10, 14: 8, 15: 5, 16: 5}


def scores(group: str = "primary", judgments: dict | None = None, **changes) -> dict[int, float]:
    """Item number → score for the perfect institution with ``changes`` applied."""
    facts = perfect_facts()
    unknown = set(changes) - set(facts)
    assert not unknown, f"typo in test facts: {unknown}"
    facts.update(changes)
    items = score_items(facts, group, judgments or {}, RUBRIC)
    return {it.number: it.score for it in items}


def check_item(number: int, expected: float, group: str = "primary", judgments: dict | None = None,
               **changes) -> None:
    """Item ``number`` scores ``expected``; every other item stays at its maximum."""
    got = scores(group, judgments, **changes)
    assert got[number] == pytest.approx(expected)
    others = {n: s for n, s in got.items() if n != number}
    assert others == {n: pytest.approx(MAXIMA[n]) for n in others}, "another item moved"


# ---------------------------------------------------------------------------------------------
# Whole institution
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("group", ["district", "primary"])
def test_perfect_institution(group):
    items = score_items(perfect_facts(), group, {}, RUBRIC)
    assert [it.number for it in items] == list(range(1, 17))
    # every item at the maximum of the Annex 3 table
    assert {it.number: it.score for it in items} == {n: pytest.approx(m) for n, m in MAXIMA.items()}
    assert {it.number: it.maximum for it in items} == {n: pytest.approx(m) for n, m in MAXIMA.items()}
    # 5+5+5+5+6+6+6+6+8+5+5+10+10+8+5+5 = 100
    assert sum(it.score for it in items) == pytest.approx(100)
    assert abstain_penalty(perfect_facts(), RUBRIC) == 0  # not abstained → no penalty


def test_maxima_in_rubric_match_table():
    # Annex 3 column "max"; total 100
    assert {n: RUBRIC["items"][n]["max"] for n in range(1, 17)} == MAXIMA
    assert sum(MAXIMA.values()) == 100


# A spread of bad, odd and extreme institutions: every item must stay within [0, max].
EXTREMES = [
    dict(leading_group=False, party_meeting_halves=0, party_agenda_items=0, group_meeting_quarters=0,
         work_plan=False, trainees_3m=0, expert_sessions=0, mdt_group=False, publicity_forms=0,
         staff_unaware=10, reports_national=0, media_forms=0, internal_funds_wan=0.0,
         external_funds_wan=0.0, contest_abstained=True, superior_team_ranks=(),
         slack_findings=20, mismatch_findings=20, late_submissions=30, year_end_review=False),
    dict(leader_is_head=False, group_document=False, party_meeting_halves=0, party_agenda_items=9,
         group_meeting_quarters=1, meetings_without_decisions=30, ledger_with_targets=False,
         expert_sessions=1, sessions_non_senior=1, tech_lead=False, publicity_forms=1, staff_unaware=7,
         reports_district=1, media_forms=0, internal_funds_wan=4.0, external_funds_wan=9.99,
         contest_best_award="none", contest_entries=1, superior_team_ranks=(9, 12),
         superior_individual_ranks=(8,), slack_findings=3, mismatch_findings=9, rectified_on_time=1,
         late_submissions=11),
    dict(trainees_3m=40, expert_sessions=50, publicity_forms=9, reports_district=100, reports_city=100,
         reports_province=100, reports_national=100, media_forms=7, internal_funds_wan=1e6,
         external_funds_wan=1e6, contest_best_award="special", contest_entries=30,
         superior_team_ranks=(1, 1, 2), superior_individual_ranks=(1, 3), rectified_on_time=15),
]
EXTREME_JUDGMENTS = [{4: 5, 7: 2, 8: 2, 15: 5, 16: 5}, {4: 9, 7: 6, 8: 6, 15: 9, 16: 9}, {}]


@pytest.mark.parametrize("group", ["district", "primary"])
@pytest.mark.parametrize("case", range(len(EXTREMES)))
def test_every_item_within_zero_and_max(group, case):
    facts = perfect_facts()
    facts.update(EXTREMES[case])
    # judgments at and beyond their caps
    for judgments in ({}, EXTREME_JUDGMENTS[case]):
        for it in score_items(facts, group, judgments, RUBRIC):
            assert 0 <= it.score <= MAXIMA[it.number], (it.number, it.score)


def test_all_zero_institution_scores_zero():
    # every item at its zero condition (item 8 and 14 have none: they are driven to 0 by caps/floors)
    got = scores("district", {4: 0, 8: 2, 15: 0}, **EXTREMES[0])
    # item 8: 6 − min(1, 0.5·3) − 2 − min(3, 0.5·10) = 6 − 1 − 2 − 3 = 0
    # item 14: 8 − 20 − 20 + 0 = −32 → clamped to 0
    # item 15: 5 − 0.5·30 = −10 → floored at 0
    assert got == {n: 0 for n in range(1, 17)}
    assert abstain_penalty({**perfect_facts(), **EXTREMES[0]}, RUBRIC) == 5  # item 12.2: 5 off the total


def test_judgment_object_is_accepted():
    # a Judgment (points + reasons) works as well as a bare number: item 4: 5 − 1.5 = 3.5
    got = scores(judgments={4: Judgment(1.5, ("方案质量一般",))})
    assert got[4] == pytest.approx(3.5)


# ---------------------------------------------------------------------------------------------
# Item 1: no group → 0; else 5 − 2·(not leader_is_head) − 1·(not group_document)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, expected", [
    (dict(leading_group=False), 0),                                   # no group → 0
    (dict(leading_group=False, leader_is_head=False, group_document=False), 0),  # no group → 0
    (dict(leader_is_head=False), 3),                                  # 5 − 2 (leader not head) = 3
    (dict(group_document=False), 4),                                  # 5 − 1 (no document) = 4
    (dict(leader_is_head=False, group_document=False), 2),            # 5 − 2 − 1 = 2
])
def test_item_1_leading_group(changes, expected):
    check_item(1, expected, **changes)


# ---------------------------------------------------------------------------------------------
# Item 2: both 0 → 0; else missing = 2 − halves; replaced = min(agenda, missing);
#         5 − 2·(missing − replaced) − 1·replaced
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("halves, agenda, expected", [
    (2, 0, 5),   # missing 0, replaced 0 → 5
    (2, 3, 5),   # missing 0, replaced min(3, 0) = 0 → 5 (extra agenda items earn nothing)
    (1, 0, 3),   # missing 1, replaced 0 → 5 − 2·1 = 3
    (1, 1, 4),   # missing 1, replaced 1 → 5 − 2·0 − 1·1 = 4
    (1, 4, 4),   # missing 1, replaced min(4, 1) = 1 → 5 − 1 = 4
    (0, 1, 2),   # missing 2, replaced 1 → 5 − 2·1 − 1·1 = 2
    (0, 2, 3),   # missing 2, replaced 2 → 5 − 0 − 2 = 3
    (0, 5, 3),   # missing 2, replaced min(5, 2) = 2 → 5 − 0 − 2 = 3
    (0, 0, 0),   # both 0 → 0
])
def test_item_2_party_meetings(halves, agenda, expected):
    check_item(2, expected, party_meeting_halves=halves, party_agenda_items=agenda)


# ---------------------------------------------------------------------------------------------
# Item 3: quarters 0 → 0; else 5 − 1·(4 − quarters) − 0.5·meetings_without_decisions
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("quarters, bad, expected", [
    (0, 0, 0),     # quarters 0 → 0
    (3, 0, 4),     # 5 − 1·1 = 4
    (1, 0, 2),     # 5 − 1·3 = 2
    (4, 1, 4.5),   # 5 − 0 − 0.5·1 = 4.5
    (2, 3, 1.5),   # 5 − 1·2 − 0.5·3 = 1.5
    (1, 4, 0),     # 5 − 3 − 2 = 0
    (1, 10, 0),    # 5 − 3 − 5 = −3 → floored at 0
    (4, 30, 0),    # 5 − 0 − 15 = −10 → floored at 0
])
def test_item_3_group_meetings(quarters, bad, expected):
    check_item(3, expected, group_meeting_quarters=quarters, meetings_without_decisions=bad)


# ---------------------------------------------------------------------------------------------
# Item 4: no plan → 0; else 5 − 2·(not ledger_with_targets) − judgment (judgment ≤ 5)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, judgment, expected", [
    (dict(work_plan=False), 0, 0),                            # no plan → 0
    (dict(work_plan=False), 2, 0),                            # no plan → 0 (judgment irrelevant)
    (dict(ledger_with_targets=False), 0, 3),                  # 5 − 2 = 3
    (dict(), 1.5, 3.5),                                       # 5 − 1.5 = 3.5
    (dict(), 5, 0),                                           # 5 − 5 (judgment at its cap) = 0
    (dict(ledger_with_targets=False), 2.5, 0.5),              # 5 − 2 − 2.5 = 0.5
    (dict(ledger_with_targets=False), 3, 0),                  # 5 − 2 − 3 = 0
    (dict(ledger_with_targets=False), 5, 0),                  # 5 − 2 − 5 = −2 → floored at 0
])
def test_item_4_work_plan(changes, judgment, expected):
    check_item(4, expected, judgments={4: judgment}, **changes)


# ---------------------------------------------------------------------------------------------
# Item 5: trainees_3m ≥ 1 → 6, else 0
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("trainees, expected", [(0, 0), (1, 6), (5, 6)])  # ≥1 → 6 else 0
def test_item_5_trainees(trainees, expected):
    check_item(5, expected, trainees_3m=trainees)


# ---------------------------------------------------------------------------------------------
# Item 6: sessions 0 → 0; else 6 − 1·max(0, 4 − sessions) − 0.5·sessions_non_senior
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sessions, junior, expected", [
    (0, 0, 0),       # 0 sessions → 0
    (2, 1, 3.5),     # 6 − 2 − 0.5 = 3.5
    (3, 0, 5),       # 6 − 1 = 5
    (1, 0, 3),       # 6 − 3 = 3
    (1, 1, 2.5),     # 6 − 3 − 0.5 = 2.5
    (10, 0, 6),      # 6 − max(0, −6) = 6 (extra sessions add nothing)
    (4, 4, 4),       # 6 − 0 − 0.5·4 = 4
    (20, 20, 0),     # 6 − 0 − 0.5·20 = −4 → floored at 0
])
def test_item_6_expert_sessions(sessions, junior, expected):
    check_item(6, expected, expert_sessions=sessions, sessions_non_senior=junior)


# ---------------------------------------------------------------------------------------------
# Item 7: no group → 0; else 6 − judgment − 1·(not tech_lead); judgment ≤ 2
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, judgment, expected", [
    (dict(mdt_group=False), 0, 0),                   # no group → 0
    (dict(mdt_group=False), 2, 0),                   # no group → 0
    (dict(tech_lead=False), 0, 5),                   # 6 − 1 = 5
    (dict(), 0.5, 5.5),                              # 6 − 0.5 = 5.5
    (dict(), 2, 4),                                  # 6 − 2 (judgment at its cap) = 4
    (dict(tech_lead=False), 1.5, 3.5),               # 6 − 1.5 − 1 = 3.5
    (dict(tech_lead=False), 2, 3),                   # 6 − 2 − 1 = 3
    (dict(), 3, 4),                                  # judgment ≤ 2 (最多扣2分): 6 − min(3, 2) = 4
])
def test_item_7_mdt_group(changes, judgment, expected):
    check_item(7, expected, judgments={7: judgment}, **changes)


# ---------------------------------------------------------------------------------------------
# Item 8: 6 − min(1, 0.5·max(0, 3 − forms)) − judgment − min(3, 0.5·staff_unaware); judgment ≤ 2
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("forms, unaware, judgment, expected", [
    (3, 0, 0, 6),        # nothing missing → 6
    (5, 0, 0, 6),        # 6 − min(1, 0.5·max(0, −2)) = 6
    (2, 0, 0, 5.5),      # 6 − min(1, 0.5·1) = 5.5
    (1, 0, 0, 5),        # 6 − min(1, 0.5·2) = 5
    (0, 0, 0, 5),        # 6 − min(1, 0.5·3 = 1.5) = 5 (cap 1)
    (3, 1, 0, 5.5),      # 6 − min(3, 0.5·1) = 5.5
    (3, 6, 0, 3),        # 6 − min(3, 0.5·6 = 3) = 3
    (3, 10, 0, 3),       # 6 − min(3, 0.5·10 = 5) = 3 (cap 3)
    (3, 0, 2, 4),        # 6 − 2 (judgment at its cap) = 4
    (3, 0, 2.5, 4),      # judgment ≤ 2 (最多扣2分): 6 − min(2.5, 2) = 4
    (2, 3, 1, 3),        # 6 − 0.5 − 1 − 1.5 = 3
    (0, 10, 2, 0),       # 6 − 1 − 2 − 3 = 0 (every deduction at its cap)
])
def test_item_8_internal_publicity(forms, unaware, judgment, expected):
    check_item(8, expected, judgments={8: judgment}, publicity_forms=forms, staff_unaware=unaware)


# ---------------------------------------------------------------------------------------------
# Item 9: no report → 0; else min(8, 0.5·d + 1·c + 1.5·p + 2·n) − 1·max(0, 2 − media_forms)
#         [policy: cap, then deduct]
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("d, c, p, n, forms, expected", [
    (0, 0, 0, 0, 2, 0),     # no report → 0
    (0, 0, 0, 0, 5, 0),     # no report → 0, whatever the forms
    (1, 0, 0, 0, 2, 0.5),   # min(8, 0.5) − 0 = 0.5
    (0, 3, 2, 0, 2, 6),     # min(8, 3 + 3) = 6
    (2, 1, 1, 1, 2, 5.5),   # min(8, 1 + 1 + 1.5 + 2 = 5.5) = 5.5
    (0, 0, 0, 3, 1, 5),     # min(8, 6) − 1·1 = 5
    (0, 0, 0, 3, 0, 4),     # min(8, 6) − 1·2 = 4
    (0, 0, 0, 3, 4, 6),     # min(8, 6) − 1·max(0, −2) = 6
    (0, 0, 1, 4, 2, 8),     # min(8, 1.5 + 8 = 9.5) = 8
    (0, 0, 0, 20, 1, 7),    # min(8, 40) − 1 = 7 (cap, then deduct; deduct-then-cap would give 8)
    (16, 0, 0, 0, 0, 6),    # min(8, 0.5·16 = 8) − 2 = 6
    (0, 10, 0, 0, 0, 6),    # min(8, 10) − 2 = 6
    (1, 0, 0, 0, 0, 0),     # min(8, 0.5) − 2 = −1.5 → floored at 0
])
def test_item_9_media_reports(d, c, p, n, forms, expected):
    check_item(9, expected, reports_district=d, reports_city=c, reports_province=p,
               reports_national=n, media_forms=forms)


# ---------------------------------------------------------------------------------------------
# Items 10 and 11: funding bands. Each band includes its upper bound (含); the first scoring band
# also includes its lower bound.
# primary:  <5 → 0; 5–10 → 1; 10–20 → 2; 20–50 → 3; 50–100 → 4; >100 → 5
# district: <10 → 0; 10–20 → 1; 20–40 → 2; 40–100 → 3; 100–200 → 4; >200 → 5
# ---------------------------------------------------------------------------------------------

FUNDING = [
    ("primary", 0.0, 0),       # < 5 → 0
    ("primary", 4.99, 0),      # < 5 → 0
    ("primary", 5.0, 1),       # first band includes its lower bound: 5 → 1
    ("primary", 7.5, 1),       # 5–10 → 1
    ("primary", 10.0, 1),      # 10 is the upper bound (含) of 5–10 → 1
    ("primary", 10.01, 2),     # 10–20 → 2
    ("primary", 20.0, 2),      # upper bound of 10–20 → 2
    ("primary", 20.5, 3),      # 20–50 → 3
    ("primary", 50.0, 3),      # upper bound of 20–50 → 3
    ("primary", 50.01, 4),     # 50–100 → 4
    ("primary", 100.0, 4),     # upper bound of 50–100 → 4
    ("primary", 100.01, 5),    # > 100 → 5
    ("primary", 5000.0, 5),    # > 100 → 5
    ("district", 0.0, 0),      # < 10 → 0
    ("district", 5.0, 0),      # < 10 → 0 (5 scores only in the primary group)
    ("district", 9.99, 0),     # < 10 → 0
    ("district", 10.0, 1),     # first band includes its lower bound: 10 → 1
    ("district", 20.0, 1),     # upper bound of 10–20 → 1
    ("district", 20.01, 2),    # 20–40 → 2
    ("district", 40.0, 2),     # upper bound of 20–40 → 2
    ("district", 40.01, 3),    # 40–100 → 3
    ("district", 100.0, 3),    # upper bound of 40–100 → 3
    ("district", 150.0, 4),    # 100–200 → 4 [policy]
    ("district", 200.0, 4),    # upper bound of 100–200 → 4
    ("district", 200.01, 5),   # > 200 → 5
]


@pytest.mark.parametrize("group, value, expected", FUNDING)
def test_funding_points(group, value, expected):
    assert funding_points(value, RUBRIC["funding_bands"][group]) == pytest.approx(expected)


@pytest.mark.parametrize("group, value, expected", FUNDING)
def test_item_10_internal_funds(group, value, expected):
    check_item(10, expected, group=group, internal_funds_wan=value)


@pytest.mark.parametrize("group, value, expected", FUNDING)
def test_item_11_external_funds(group, value, expected):
    check_item(11, expected, group=group, external_funds_wan=value)


def test_funding_bands_depend_on_group():
    # 15 万元: primary 10–20 → 2; district 10–20 → 1 (items 10 and 11 alike)
    got_p = scores("primary", internal_funds_wan=15.0, external_funds_wan=15.0)
    got_d = scores("district", internal_funds_wan=15.0, external_funds_wan=15.0)
    assert (got_p[10], got_p[11]) == (pytest.approx(2), pytest.approx(2))
    assert (got_d[10], got_d[11]) == (pytest.approx(1), pytest.approx(1))


# ---------------------------------------------------------------------------------------------
# Item 12: abstained → 0 and 5 off the total; else base (special 10, first 7, second 5, third 3,
#          excellence 1, none 0) + 0.5·(entries − 1), cap 10
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("award, entries, expected", [
    ("special", 1, 10),      # 10 + 0 = 10
    ("special", 3, 10),      # 10 + 0.5·2 = 11 → capped at 10
    ("first", 1, 7),         # 7 + 0 = 7
    ("first", 4, 8.5),       # 7 + 0.5·3 = 8.5
    ("first", 7, 10),        # 7 + 0.5·6 = 10
    ("first", 8, 10),        # 7 + 0.5·7 = 10.5 → capped at 10
    ("second", 1, 5),        # 5
    ("second", 5, 7),        # 5 + 0.5·4 = 7
    ("third", 1, 3),         # 3
    ("third", 2, 3.5),       # 3 + 0.5·1 = 3.5
    ("third", 9, 7),         # 3 + 0.5·8 = 7
    ("excellence", 1, 1),    # 1
    ("excellence", 3, 2),    # 1 + 0.5·2 = 2
    ("none", 1, 0),          # 0
    ("none", 3, 1),          # 0 + 0.5·2 = 1
])
def test_item_12_district_contest(award, entries, expected):
    check_item(12, expected, contest_best_award=award, contest_entries=entries)
    facts = {**perfect_facts(), "contest_best_award": award, "contest_entries": entries}
    assert abstain_penalty(facts, RUBRIC) == 0  # took part → no penalty


@pytest.mark.parametrize("award, entries", [("first", 7), ("special", 1), ("none", 0)])
def test_item_12_abstained(award, entries):
    # abstained → 0, whatever the other contest facts say
    check_item(12, 0, contest_abstained=True, contest_best_award=award, contest_entries=entries)
    facts = {**perfect_facts(), "contest_abstained": True, "contest_best_award": award,
             "contest_entries": entries}
    assert abstain_penalty(facts, RUBRIC) == 5  # "5 points off the total"


def test_abstainer_rubric_sum():
    # the penalty is not part of the Annex 3 score: 100 − 10 (item 12 → 0) = 90
    assert sum(scores(contest_abstained=True).values()) == pytest.approx(90)


# ---------------------------------------------------------------------------------------------
# Item 13: each place p earns max(0, 10 − 2·(p − 1)); sum of all, cap 10
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("team, individual, expected", [
    ((), (), 0),             # no place → 0
    ((1,), (), 10),          # 10 − 0 = 10
    ((), (1,), 10),          # individual 1st: 10
    ((), (2,), 8),           # 10 − 2 = 8
    ((3,), (), 6),           # 10 − 2·2 = 6
    ((5,), (), 2),           # 10 − 2·4 = 2
    ((6,), (), 0),           # 10 − 2·5 = 0
    ((9,), (), 0),           # max(0, 10 − 16) = 0
    ((5, 7), (), 2),         # 2 + max(0, 10 − 12) = 2 + 0 = 2
    ((4,), (5,), 6),         # 4 + 2 = 6
    ((4, 5), (5,), 8),       # 4 + 2 + 2 = 8
    ((2,), (3,), 10),        # 8 + 6 = 14 → capped at 10
    ((1, 1), (), 10),        # 10 + 10 = 20 → capped at 10
    ((3,), (4,), 10),        # 6 + 4 = 10
])
def test_item_13_superior_contests(team, individual, expected):
    check_item(13, expected, superior_team_ranks=team, superior_individual_ranks=individual)


# ---------------------------------------------------------------------------------------------
# Item 14: 8 − slack − mismatch + rectified, clamped to [0, 8] [policy]
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("slack, mismatch, rectified, expected", [
    (0, 0, 0, 8),      # 8
    (2, 0, 0, 6),      # 8 − 2 = 6
    (0, 3, 0, 5),      # 8 − 3 = 5
    (2, 1, 1, 6),      # 8 − 2 − 1 + 1 = 6
    (0, 0, 3, 8),      # 8 + 3 = 11 → clamped to 8
    (1, 0, 3, 8),      # 8 − 1 + 3 = 10 → clamped to 8
    (8, 0, 0, 0),      # 8 − 8 = 0
    (10, 0, 0, 0),     # 8 − 10 = −2 → clamped to 0
    (5, 5, 1, 0),      # 8 − 5 − 5 + 1 = −1 → clamped to 0
    (9, 0, 2, 1),      # 8 − 9 + 2 = 1 (one clamp at the end, not after each step)
    (6, 4, 3, 1),      # 8 − 6 − 4 + 3 = 1
])
def test_item_14_supervision(slack, mismatch, rectified, expected):
    check_item(14, expected, slack_findings=slack, mismatch_findings=mismatch,
               rectified_on_time=rectified)


# ---------------------------------------------------------------------------------------------
# Item 15: 5 − 0.5·late − judgment (judgment ≤ 5)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("late, judgment, expected", [
    (0, 0, 5),        # 5
    (1, 0, 4.5),      # 5 − 0.5 = 4.5
    (4, 0, 3),        # 5 − 2 = 3
    (10, 0, 0),       # 5 − 5 = 0
    (12, 0, 0),       # 5 − 6 = −1 → floored at 0
    (40, 0, 0),       # 5 − 20 = −15 → floored at 0
    (0, 2, 3),        # 5 − 2 = 3
    (2, 1.5, 2.5),    # 5 − 1 − 1.5 = 2.5
    (0, 5, 0),        # 5 − 5 (judgment at its cap) = 0
    (4, 5, 0),        # 5 − 2 − 5 = −2 → floored at 0
])
def test_item_15_submissions(late, judgment, expected):
    check_item(15, expected, judgments={15: judgment}, late_submissions=late)


# ---------------------------------------------------------------------------------------------
# Item 16: no review → 0; else 5 − judgment (judgment ≤ 5)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("review, judgment, expected", [
    (False, 0, 0),     # no review → 0
    (False, 3, 0),     # no review → 0
    (True, 0, 5),      # 5
    (True, 2.5, 2.5),  # 5 − 2.5 = 2.5
    (True, 5, 0),      # 5 − 5 = 0
])
def test_item_16_year_end_review(review, judgment, expected):
    check_item(16, expected, judgments={16: judgment}, year_end_review=review)


def test_judgments_only_touch_their_item():
    # judgments on 4, 7, 8, 15, 16 at once: 5 − 1 = 4; 6 − 0.5 = 5.5; 6 − 1.5 = 4.5; 5 − 2 = 3; 5 − 3 = 2
    got = scores(judgments={4: 1, 7: 0.5, 8: 1.5, 15: 2, 16: 3})
    expected = dict(MAXIMA)
    expected.update({4: 4, 7: 5.5, 8: 4.5, 15: 3, 16: 2})
    assert got == {n: pytest.approx(v) for n, v in expected.items()}
    # 100 − 1 − 0.5 − 1.5 − 2 − 3 = 92
    assert sum(got.values()) == pytest.approx(92)
