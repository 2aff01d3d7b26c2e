"""Shared hand-checked facts for the wendeng-featured tests."""

from __future__ import annotations


def perfect_facts() -> dict:
    """An institution at the maximum of every Annex 3 item: rubric score 100 in either group (typed facts)."""
    return {
        # item 1: group, head leads it, document → 5
        "leading_group": True, "leader_is_head": True, "group_document": True,
        # item 2: 2 half-years with a special meeting → missing 0 → 5
        "party_meeting_halves": 2, "party_agenda_items": 0,
        # item 3: 4 quarters, all meetings with decisions → 5
        "group_meeting_quarters": 4, "meetings_without_decisions": 0,
        # item 4: plan + ledger with targets → 5
        "work_plan": True, "ledger_with_targets": True,
        # item 5: ≥1 trainee → 6
        "trainees_3m": 1,
        # item 6: 4 sessions, none non-senior → 6
        "expert_sessions": 4, "sessions_non_senior": 0,
        # item 7: MDT group + tech lead → 6
        "mdt_group": True, "tech_lead": True,
        # item 8: 3 forms, nobody unaware → 6
        "publicity_forms": 3, "staff_unaware": 0,
        # item 9: 4 national reports → min(8, 2·4) = 8; 2 media forms → −0 → 8
        "media_forms": 2, "reports_district": 0, "reports_city": 0, "reports_province": 0,
        "reports_national": 4,
        # items 10, 11: 300 万元 > 100 (primary top band) and > 200 (district top band) → 5
        "internal_funds_wan": 300.0, "external_funds_wan": 300.0,
        # item 12: first prize 7 + 0.5·(7 − 1) = 10
        "contest_abstained": False, "contest_best_award": "first", "contest_entries": 7,
        # item 13: team 1st place → 10 − 2·0 = 10
        "superior_team_ranks": (1,), "superior_individual_ranks": (),
        # item 14: 8 − 0 − 0 + 0 = 8
        "slack_findings": 0, "mismatch_findings": 0, "rectified_on_time": 0,
        # item 15: 5 − 0.5·0 = 5
        "late_submissions": 0,
        # item 16: review held → 5
        "year_end_review": True,
    }


def perfect_facts_csv() -> dict:
    """The same facts as facts.csv cells: booleans 1/0, places '1;3'."""
    out = {}
    for key, value in perfect_facts().items():
        out[key] = int(value) if isinstance(value, bool) else ";".join(map(str, value)) if isinstance(value, tuple) else value
    return out
