"""wendeng-featured: why an item scored below its maximum, in words.

For each of the 16 items, ``why_lost`` gives one sentence: what was found (facts named in
Chinese) against what the full mark needs, with every amount read from the rubric's
``items.N.params`` (never a copy in code). The trace (``ItemScore.steps``) says how many points
each step took; this says why, for a reader who does not know the rubric.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from evalbook.core.exact import exact, plain
from evalbook.schemes.wendeng_featured.inputs import FACTS
from evalbook.schemes.wendeng_featured.items import AWARD_LABELS, AWARD_LEVELS, ItemScore, funding_points, item_params

FACT_LABELS = {c.name: c.label for c in FACTS}
GROUP_WORDS = {"district": "区直医院", "primary": "基层医疗机构"}

Requirement = Callable[[Mapping[str, Any], Mapping[str, Any], str], tuple[str, str]]
REASONS: dict[int, Requirement] = {}


def reason(number: int):
    def register(func: Requirement) -> Requirement:
        REASONS[number] = func
        return func

    return register


def _yes(value: bool) -> str:
    return "是" if value else "否"


@reason(1)
def _r1(f, p, group):
    found = (f"成立领导小组：{_yes(f['leading_group'])}；主要负责人任组长：{_yes(f['leader_is_head'])}；"
             f"院内公文公示：{_yes(f['group_document'])}")
    return found, (f"成立领导小组（否则不得分），主要负责人任组长（否则扣{plain(p['leader_not_head'])}分），"
                   f"有院内公文公示（否则扣{plain(p['no_group_document'])}分）")


@reason(2)
def _r2(f, p, group):
    found = f"召开专题党委/党组会{f['party_meeting_halves']}次，以普通议题代替{f['party_agenda_items']}次"
    return found, (f"每半年召开1次专题会，共{plain(p['required_halves'])}次（少开1次扣{plain(p['per_missing_meeting'])}分，"
                   f"以普通议题代替每次扣{plain(p['per_replaced_meeting'])}分）")


@reason(3)
def _r3(f, p, group):
    found = f"{f['group_meeting_quarters']}个季度召开领导小组会，{f['meetings_without_decisions']}次会议无明确议定事项"
    return found, (f"{plain(p['required_quarters'])}个季度每季度至少召开1次（每少1次扣{plain(p['per_missing_quarter'])}分），"
                   f"每次会议都有明确议定事项（否则每次扣{plain(p['per_meeting_without_decisions'])}分）")


@reason(4)
def _r4(f, p, group):
    found = f"制定工作方案：{_yes(f['work_plan'])}；建立台账且目标明确：{_yes(f['ledger_with_targets'])}"
    return found, (f"制定工作方案（否则不得分），建立工作台账且目标任务明确（否则扣{plain(p['no_ledger_with_targets'])}分），"
                   f"方案质量不被评审扣分（最多扣{plain(p['judgment_cap'])}分）")


@reason(5)
def _r5(f, p, group):
    return (f"进修满3个月{f['trainees_3m']}人",
            f"至少{plain(p['min_trainees'])}名技术骨干至三级甲等医院进修满3个月（否则不得分）")


@reason(6)
def _r6(f, p, group):
    found = f"外聘专家坐诊带教{f['expert_sessions']}次，其中非高级职称专家{f['sessions_non_senior']}次"
    return found, (f"外聘市级及以上专家坐诊带教不少于{plain(p['required_sessions'])}次"
                   f"（每少1次扣{plain(p['per_missing_session'])}分），"
                   f"均由高级职称专家带教（否则每次扣{plain(p['per_non_senior_session'])}分）")


@reason(7)
def _r7(f, p, group):
    found = f"组建多学科专家组：{_yes(f['mdt_group'])}；明确技术负责人：{_yes(f['tech_lead'])}"
    return found, (f"组建多学科联合专家组（否则不得分），明确技术负责人（否则扣{plain(p['no_tech_lead'])}分），"
                   f"作用发挥明显（否则视情扣分，最多{plain(p['judgment_cap'])}分）")


@reason(8)
def _r8(f, p, group):
    found = f"院内宣传形式{f['publicity_forms']}种；抽查10人中不知情{f['staff_unaware']}人"
    return found, (f"院内宣传形式不少于{plain(p['required_forms'])}种（每少1种扣{plain(p['per_missing_form'])}分，"
                   f"最多{plain(p['missing_forms_cap'])}分），宣传保持经常（否则视情扣分，最多{plain(p['judgment_cap'])}分），"
                   f"抽查人员均知情（每1人不知情扣{plain(p['per_unaware_staff'])}分，最多{plain(p['unaware_cap'])}分）")


@reason(9)
def _r9(f, p, group):
    found = (f"区级报道{f['reports_district']}次、市级{f['reports_city']}次、省级{f['reports_province']}次、"
             f"国家级{f['reports_national']}次；社会面宣传形式{f['media_forms']}种")
    return found, (f"报道累计得分达到本项最高分（区级每次{plain(p['per_report_district'])}分、"
                   f"市级{plain(p['per_report_city'])}分、"
                   f"省级{plain(p['per_report_province'])}分、国家级{plain(p['per_report_national'])}分），"
                   f"宣传形式不少于{plain(p['required_media_forms'])}种（每少1种扣{plain(p['per_missing_media_form'])}分）")


def _funding(column: str, what: str):
    def explain(f, p, group):
        bands = p["bands"]
        top = max(bands, key=lambda b: b["points"])
        value = exact(f[column])
        found = f"{FACT_LABELS[column]}：{plain(value)}万元，得{plain(funding_points(value, bands))}分"
        mark = "不低于" if top["inclusive"] else "超过"
        return found, f"{GROUP_WORDS.get(group, group)}{what}{mark}{plain(top['above'])}万元得最高{plain(top['points'])}分"

    return explain


reason(10)(_funding("internal_funds_wan", "内部专项资金"))
reason(11)(_funding("external_funds_wan", "争取外部资金"))


@reason(12)
def _r12(f, p, group):
    if f["contest_abstained"]:
        return ("放弃参加区级技术比武",
                f"参加区级技术比武（放弃不得分，另在总分中扣{plain(p['abstain_penalty'])}分）")
    award = f["contest_best_award"]
    found = f"区级比武最好成绩{AWARD_LABELS[award]}（{plain(p[award])}分），参赛{f['contest_entries']}项"
    best = AWARD_LEVELS[0]
    return found, (f"获{AWARD_LABELS[best]}（{plain(p[best])}分），或以每多1个参赛项目加{plain(p['per_extra_entry'])}分"
                   "补足至本项最高分")


@reason(13)
def _r13(f, p, group):
    def places(ranks):
        return "、".join(f"第{r}名" for r in ranks) or "无"

    found = f"上级比武团体名次：{places(f['superior_team_ranks'])}；个人名次：{places(f['superior_individual_ranks'])}"
    return found, (f"上级比武名次累计得分达到本项最高分（第1名{plain(p['first_place_points'])}分，"
                   f"每低一个名次少{plain(p['per_place_step'])}分）")


@reason(14)
def _r14(f, p, group):
    found = (f"推进迟缓{f['slack_findings']}次，现场督导与日常调度不符{f['mismatch_findings']}次，"
             f"按时整改且成效明显{f['rectified_on_time']}次")
    return found, (f"督导中未发现推进迟缓（每次扣{plain(p['per_slack_finding'])}分）"
                   f"或与调度不符（每次扣{plain(p['per_mismatch_finding'])}分）；"
                   f"按时整改且成效明显的每次加回{plain(p['per_rectified'])}分")


@reason(15)
def _r15(f, p, group):
    return (f"迟报{f['late_submissions']}次",
            f"按时报送全部台账和统计表（每迟报1次扣{plain(p['per_late_submission'])}分），材料质量不被评审扣分")


@reason(16)
def _r16(f, p, group):
    return (f"开展年度综合评定：{_yes(f['year_end_review'])}",
            "开展年度综合评定（否则不得分），且不走过场（否则视情扣分）")


def why_lost(item: ItemScore, group: str, rubric: Mapping[str, Any]) -> str:
    """One sentence for an item below its maximum ("" at the maximum): what was found, what the full
    mark needs, and the evaluators' judgments when they took points."""
    if item.score >= item.maximum:
        return ""
    params = item_params(rubric["items"], item.number, rubric["funding_bands"], group)
    found, needed = REASONS[item.number](item.facts, params, group)
    judged = [s.reason for s in item.steps if s.source == "judgment"]
    text = f"得{plain(item.score)}分（满分{plain(item.maximum)}分）：实际{found}；满分需{needed}。"
    if judged:
        text += "另有" + "；".join(judged) + "。"
    return text
