"""Every lost point explained: the sentence beside each item (wendeng) or indicator (naiman) below its
maximum. Expected sentences are written from the rules and the rubric's amounts by hand."""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path

import yaml

from evalbook.schemes.naiman_specialty.scoring import shortfall
from evalbook.schemes.wendeng_featured.items import Judgment, score_items
from evalbook.schemes.wendeng_featured.reasons import REASONS, why_lost
from evalbook.schemes.wendeng_featured.report import facts_cell
from wendeng_fixtures import perfect_facts

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = yaml.safe_load((ROOT / "rubrics" / "wendeng-featured.yaml").read_text(encoding="utf-8"))


def items(changes: dict, group: str = "primary", judgments=None, rubric=RUBRIC) -> dict:
    return {i.number: i for i in score_items({**perfect_facts(), **changes}, group, judgments or {}, rubric)}


def test_every_item_has_a_reason():
    assert sorted(REASONS) == list(range(1, 17))


def test_full_marks_need_no_reason():
    for it in items({}).values():
        assert it.score == it.maximum
        assert why_lost(it, "primary", RUBRIC) == ""


def test_item_12_second_prize_says_what_the_full_mark_needs():
    # 二等奖 5 + 0.5 × (2 − 1) = 5.5 of 10
    it = items({"contest_best_award": "second", "contest_entries": 2})[12]
    assert it.score == Fraction(11, 2)
    assert why_lost(it, "primary", RUBRIC) == (
        "得5.5分（满分10分）：实际区级比武最好成绩二等奖（5分），参赛2项；"
        "满分需获特等奖（10分），或以每多1个参赛项目加0.5分补足至本项最高分。")


def test_item_12_abstained():
    it = items({"contest_abstained": True, "contest_best_award": "none", "contest_entries": 0})[12]
    assert why_lost(it, "primary", RUBRIC) == (
        "得0分（满分10分）：实际放弃参加区级技术比武；满分需参加区级技术比武（放弃不得分，另在总分中扣5分）。")


def test_item_6_counts_against_the_requirement():
    # 6 − 1 × (4 − 3) − 0.5 × 2 = 4
    it = items({"expert_sessions": 3, "sessions_non_senior": 2})[6]
    assert it.score == 4
    assert why_lost(it, "primary", RUBRIC) == (
        "得4分（满分6分）：实际外聘专家坐诊带教3次，其中非高级职称专家2次；"
        "满分需外聘市级及以上专家坐诊带教不少于4次（每少1次扣1分），均由高级职称专家带教（否则每次扣0.5分）。")


def test_item_10_names_the_groups_top_band():
    # primary: 20 万元 is in the 10–20 band → 2; the top band is > 100 → 5.  district: 20 → 1 (10–20), top > 200
    it = items({"internal_funds_wan": Fraction(20)})[10]
    assert it.score == 2
    assert why_lost(it, "primary", RUBRIC) == (
        "得2分（满分5分）：实际内部专项资金（万元）：20万元，得2分；满分需基层医疗机构内部专项资金超过100万元得最高5分。")
    it = items({"internal_funds_wan": Fraction(20)}, group="district")[10]
    assert it.score == 1
    assert "区直医院内部专项资金超过200万元得最高5分" in why_lost(it, "district", RUBRIC)


def test_item_16_judgment_is_named():
    # 5 − 2 = 3, the evaluator's reason quoted
    it = items({}, judgments={16: Judgment(Fraction(2), ("总结流于形式（专家甲，扣2分）",))})[16]
    assert it.score == 3
    text = why_lost(it, "primary", RUBRIC)
    assert text.startswith("得3分（满分5分）：实际开展年度综合评定：是；"
                           "满分需开展年度综合评定（否则不得分），且不走过场（否则视情扣分）。")
    assert "总结流于形式（专家甲，扣2分）" in text


def test_amounts_come_from_the_rubric():
    # the rubric says 1 point per missing quarter; an evaluator changes it to 1.5: the sentence follows
    rubric = copy.deepcopy(RUBRIC)
    rubric["items"][3]["params"]["per_missing_quarter"] = 1.5
    it = items({"group_meeting_quarters": 3}, rubric=rubric)[3]
    assert it.score == Fraction(7, 2)   # 5 − 1.5 × 1
    assert "每少1次扣1.5分" in why_lost(it, "primary", rubric)


def test_facts_are_named_in_chinese_with_the_column_for_auditors():
    cell = facts_cell({"trainees_3m": 0, "leading_group": True, "superior_team_ranks": (1, 3)})
    assert cell == ("进修满3个月人数：0 <small>trainees_3m</small>；是否成立领导小组：是 <small>leading_group</small>；"
                    "上级比武团体名次：1;3 <small>superior_team_ranks</small>")


def test_hostile_fact_values_are_escaped():
    assert "<script>" not in facts_cell({"trainees_3m": "<script>x</script>"})


# ----------------------------------------------------------------------------- naiman

def test_naiman_partial_attainment():
    # (150 − 100) ÷ (200 − 100) = 50 %
    assert shortfall("150", "100", "200", "higher") == (
        "正向指标（越高越好）：实际150，从基线100向目标200只完成了(实际 − 基线) ÷ (目标 − 基线) = 50%。")


def test_naiman_lower_is_better_two_thirds():
    # (1.5 − 2) ÷ (1.25 − 2) = −0.5 ÷ −0.75 = 2/3 → 66.67 %
    assert shortfall("1.5", "2", "1.25", "lower") == (
        "负向指标（越低越好）：实际1.5，从基线2向目标1.25只完成了(实际 − 基线) ÷ (目标 − 基线) = 66.67%。")


def test_naiman_worsened_and_missing_and_equal_targets():
    assert shortfall("90", "100", "120", "higher") == (
        "正向指标（越高越好）：实际90，较基线100没有向目标120方向改善（变差），达成度为0。")
    assert shortfall(None, "5", "3", "lower") == "负向指标（越低越好）：本年度未填报（或未上榜），达成度按0计；目标3。"
    assert shortfall("3", "2", "2", "neutral") == (
        "中性指标（应等于目标）：目标值与基线值同为2，实际3，未等于2，达成度为0。")


def test_naiman_met_needs_no_reason():
    assert shortfall("200", "100", "200", "higher") == ""
    assert shortfall("0.9", "2", "1", "lower") == ""      # overshoot clipped to 1


def test_demo_naiman_page_explains_a_partial_indicator():
    # demo NMRM 心血管内科, 1.4.3 硕士学历人数 (higher-better): baseline 3, target 6, actual 5
    # a = (5 − 3) ÷ (6 − 3) = 2/3 → 66.67 %; weight 10 → lost 10 × (1 − 2/3) = 10/3 → 3.33
    from evalbook.notebook.year import open_year
    from evalbook.schemes.naiman_specialty import report as naiman_report

    book = open_year("naiman-specialty", 2025, ROOT / "data")
    page = naiman_report.commitments_table(book, "NMRM", "心血管内科")
    assert ("正向指标（越高越好）：实际5，从基线3向目标6只完成了(实际 − 基线) ÷ (目标 − 基线) = 66.67%。失3.33分。"
            in page)
    assert "未达成原因" in page
