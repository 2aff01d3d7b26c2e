"""wendeng-featured: the 16 items of Annex 3 (附件3), one small formula each.

Each formula quotes its rule from the source, reads the named amounts from the rubric's
``items.N.params`` and records every step in a trace, so the report can give the reason for
every point lost. Items are floored at 0 and capped at their maximum (docs/rules/wendeng-featured.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from evalbook.core.exact import exact, plain

AWARD_LEVELS = ("special", "first", "second", "third", "excellence", "none")
AWARD_LABELS = {"special": "特等奖", "first": "一等奖", "second": "二等奖", "third": "三等奖",
                "excellence": "优秀奖", "none": "未获奖"}


@dataclass(frozen=True)
class Step:
    """One line of an item's trace: points added (+) or taken (−) and why, in Chinese."""

    points: Fraction
    reason: str
    source: str = "rule"  # "rule" (附件3 clause), "judgment" (evaluator, with reason), "limit"


@dataclass
class ItemScore:
    number: int
    title: str
    maximum: Fraction
    score: Fraction = Fraction(0)
    facts: dict = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)

    @property
    def lost(self) -> Fraction:
        return self.maximum - self.score


class _Trace:
    """Accumulates an item's points step by step, then floors at 0 and caps at the maximum."""

    def __init__(self, maximum: Fraction):
        self.maximum = exact(maximum)
        self.steps: list[Step] = []
        self.total = Fraction(0)

    def base(self, points, reason: str) -> None:
        points = exact(points)
        self.total += points
        self.steps.append(Step(points, reason))

    def minus(self, points, reason: str, source: str = "rule") -> None:
        points = exact(points)
        if points:
            self.total -= points
            self.steps.append(Step(-points, reason, source))

    def plus(self, points, reason: str) -> None:
        points = exact(points)
        if points:
            self.total += points
            self.steps.append(Step(points, reason))

    def zero(self, reason: str) -> tuple[Fraction, list[Step]]:
        return Fraction(0), [Step(Fraction(0), reason)]

    def result(self) -> tuple[Fraction, list[Step]]:
        score = self.total
        if score > self.maximum:
            self.steps.append(Step(self.maximum - score, f"本项最高{plain(self.maximum)}分", "limit"))
            score = self.maximum
        if score < 0:
            self.steps.append(Step(-score, "本项扣完为止，最低0分", "limit"))
            score = Fraction(0)
        return score, self.steps


Formula = Callable[[Mapping[str, Any], Mapping[str, Any], "_Trace", "Judgment"], tuple]
ITEMS: dict[int, tuple[tuple[str, ...], tuple[str, ...], Formula]] = {}


def item(number: int, facts: tuple[str, ...], params: tuple[str, ...]):
    """Register the formula of item ``number`` with the facts it reads and the params it needs."""

    def register(func: Formula) -> Formula:
        ITEMS[number] = (facts, params, func)
        return func

    return register


@dataclass(frozen=True)
class Judgment:
    """Discretionary deductions (视情扣分) for one item: total points and the reasons."""

    points: Fraction = Fraction(0)
    reasons: tuple[str, ...] = ()

    def apply(self, trace: _Trace, cap: float, what: str) -> None:
        if self.points:
            detail = "；".join(self.reasons) or "（未注明）"
            trace.minus(min(self.points, cap), f"{what}，视情扣分（评审意见：{detail}）", "judgment")


NO_JUDGMENT = Judgment()


@item(1, ("leading_group", "leader_is_head", "group_document"), ("leader_not_head", "no_group_document"))
def _leading_group(f, p, t, j):
    # 1.4 未成立领导小组不得分；1.2 主要负责人未担任组长扣2分；1.3 未有院内公文公示扣1分
    if not f["leading_group"]:
        return t.zero("未成立领导小组，不得分")
    t.base(t.maximum, "按要求成立领导小组")
    if not f["leader_is_head"]:
        t.minus(p["leader_not_head"], "主要负责人未担任组长")
    if not f["group_document"]:
        t.minus(p["no_group_document"], "成立领导小组但未有院内公文公示")
    return t.result()


@item(2, ("party_meeting_halves", "party_agenda_items"),
      ("required_halves", "per_missing_meeting", "per_replaced_meeting"))
def _party_meetings(f, p, t, j):
    # 2.4 既无专题会也无普通议题不得分；2.2 少开1次专题会扣2分；2.3 以普通议题代替，每次扣1分
    halves, agenda = f["party_meeting_halves"], f["party_agenda_items"]
    if halves == 0 and agenda == 0:
        return t.zero("未召开专题党委/党组会，也无相关普通议题，不得分")
    missing = max(0, p["required_halves"] - halves)
    replaced = min(agenda, missing)
    t.base(t.maximum, f"每半年应召开专题会，共{p['required_halves']}次；实际{halves}次")
    t.minus(p["per_missing_meeting"] * (missing - replaced),
            f"少开专题会{missing - replaced}次，每次扣{plain(p['per_missing_meeting'])}分")
    t.minus(p["per_replaced_meeting"] * replaced,
            f"以普通议题代替专题会{replaced}次，每次扣{plain(p['per_replaced_meeting'])}分")
    return t.result()


@item(3, ("group_meeting_quarters", "meetings_without_decisions"),
      ("required_quarters", "per_missing_quarter", "per_meeting_without_decisions"))
def _group_meetings(f, p, t, j):
    # 3.4 未召开不得分；3.2 每少开1次扣1分；3.3 每1次会议没有明确议定事项扣0.5分
    quarters = f["group_meeting_quarters"]
    if quarters == 0:
        return t.zero("未召开领导小组会，不得分")
    t.base(t.maximum, f"每季度至少召开1次领导小组会；实际{quarters}个季度召开")
    missing = max(0, p["required_quarters"] - quarters)
    t.minus(p["per_missing_quarter"] * missing, f"少开{missing}次，每次扣{plain(p['per_missing_quarter'])}分")
    bad = f["meetings_without_decisions"]
    t.minus(p["per_meeting_without_decisions"] * bad,
            f"{bad}次会议无明确议定事项，每次扣{plain(p['per_meeting_without_decisions'])}分")
    return t.result()


@item(4, ("work_plan", "ledger_with_targets"), ("no_ledger_with_targets", "judgment_cap"))
def _work_plan(f, p, t, j):
    # 4.4 未制定方案不得分；4.2 未建立台账、目标不明确扣2分；4.3 方案质量不高视情扣分
    if not f["work_plan"]:
        return t.zero("未制定工作方案，不得分")
    t.base(t.maximum, "制定工作方案")
    if not f["ledger_with_targets"]:
        t.minus(p["no_ledger_with_targets"], "未建立工作台账，目标任务不明确")
    j.apply(t, p["judgment_cap"], "工作方案质量不高")
    return t.result()


@item(5, ("trainees_3m",), ("min_trainees",))
def _trainees(f, p, t, j):
    # 按要求选派人员外出进修学习得6分，否则不得分
    n = f["trainees_3m"]
    if n < p["min_trainees"]:
        return t.zero("未选派技术骨干至三级甲等医院进修满3个月，不得分")
    t.base(t.maximum, f"选派{n}人至三级甲等医院进修满3个月")
    return t.result()


@item(6, ("expert_sessions", "sessions_non_senior"),
      ("required_sessions", "per_missing_session", "per_non_senior_session"))
def _expert_sessions(f, p, t, j):
    # 6.4 未外聘专家不得分；6.2 每少1次坐诊带教扣1分；6.3 非高级职称每次扣0.5分
    sessions = f["expert_sessions"]
    if sessions == 0:
        return t.zero("未外聘专家坐诊带教，不得分")
    t.base(t.maximum, f"外聘专家坐诊带教{sessions}次（要求不少于{p['required_sessions']}次）")
    missing = max(0, p["required_sessions"] - sessions)
    t.minus(p["per_missing_session"] * missing, f"少{missing}次坐诊带教，每次扣{plain(p['per_missing_session'])}分")
    junior = f["sessions_non_senior"]
    t.minus(p["per_non_senior_session"] * junior, f"{junior}次由非高级职称专家带教，每次扣{plain(p['per_non_senior_session'])}分")
    return t.result()


@item(7, ("mdt_group", "tech_lead"), ("no_tech_lead", "judgment_cap"))
def _mdt_group(f, p, t, j):
    # 7.4 未组建专家组不得分；7.2 作用发挥不明显视情扣分，最多扣2分；7.3 未明确技术负责人扣1分
    if not f["mdt_group"]:
        return t.zero("未组建多学科联合专家组，不得分")
    t.base(t.maximum, "组建多学科联合专家组")
    j.apply(t, p["judgment_cap"], f"专家组作用发挥不明显（最多扣{plain(p['judgment_cap'])}分）")
    if not f["tech_lead"]:
        t.minus(p["no_tech_lead"], "未明确特色项目技术负责人")
    return t.result()


@item(8, ("publicity_forms", "staff_unaware"),
      ("required_forms", "per_missing_form", "missing_forms_cap", "per_unaware_staff", "unaware_cap", "judgment_cap"))
def _internal_publicity(f, p, t, j):
    # 8.2 每少一种形式扣0.5分，最多扣1分；8.3 宣传没有保持经常，视情扣分，最多扣2分；
    # 8.4 抽查10名工作人员，每有1人不知情扣0.5分，最多扣3分
    forms, unaware = f["publicity_forms"], f["staff_unaware"]
    t.base(t.maximum, f"院内宣传形式{forms}种，抽查不知情{unaware}人")
    missing = max(0, p["required_forms"] - forms)
    t.minus(min(p["missing_forms_cap"], p["per_missing_form"] * missing),
            f"宣传形式少{missing}种，每种扣{plain(p['per_missing_form'])}分，最多扣{plain(p['missing_forms_cap'])}分")
    j.apply(t, p["judgment_cap"], f"宣传没有保持经常（最多扣{plain(p['judgment_cap'])}分）")
    t.minus(min(p["unaware_cap"], p["per_unaware_staff"] * unaware),
            f"{unaware}名工作人员不知情，每人扣{plain(p['per_unaware_staff'])}分，最多扣{plain(p['unaware_cap'])}分")
    return t.result()


@item(9, ("media_forms", "reports_district", "reports_city", "reports_province", "reports_national"),
      ("per_report_district", "per_report_city", "per_report_province", "per_report_national",
       "required_media_forms", "per_missing_media_form", "order"))
def _media_reports(f, p, t, j):
    # 9.1 区级0.5分/次、市级1分/次、省级1.5分/次、国家级2分/次，最高得8分；
    # 9.2 每少1种宣传形式扣1分，没有相应宣传不得分
    levels = (("district", "区级"), ("city", "市级"), ("province", "省级"), ("national", "国家级"))
    if sum(f[f"reports_{level}"] for level, _ in levels) == 0:
        return t.zero("没有社会面宣传报道，不得分")
    for level, label in levels:
        n, each = f[f"reports_{level}"], p[f"per_report_{level}"]
        t.plus(n * each, f"{label}报道{n}次，每次{plain(each)}分")
    missing = max(0, p["required_media_forms"] - f["media_forms"])
    deduction = p["per_missing_media_form"] * missing
    why = f"宣传形式{f['media_forms']}种，少{missing}种，每种扣{plain(p['per_missing_media_form'])}分"
    if p["order"] == "cap_then_deduct" and t.total > t.maximum:
        t.steps.append(Step(t.maximum - t.total, f"报道得分最高{plain(t.maximum)}分（先封顶后扣分）", "limit"))
        t.total = t.maximum
    t.minus(deduction, why)
    return t.result()


def funding_points(value, bands: list[Mapping[str, Any]]) -> Fraction:
    """Points of the highest band whose lower bound ``value`` passes (items 10 and 11)."""
    value = exact(value)
    points = Fraction(0)
    for band in bands:
        above = value >= band["above"] if band["inclusive"] else value > band["above"]
        if above:
            points = max(points, band["points"])
    return points


def _band_label(bands, value: float) -> str:
    passed = [b for b in bands if (value >= b["above"] if b["inclusive"] else value > b["above"])]
    if not passed:
        first = bands[0]
        return f"{plain(value)}万元，未达到{plain(first['above'])}万元"
    band = max(passed, key=lambda b: b["points"])
    return f"{plain(value)}万元，{'不低于' if band['inclusive'] else '超过'}{plain(band['above'])}万元档"


def _funding(column: str, what: str):
    def formula(f, p, t, j):
        bands = p["bands"]
        value = exact(f[column])
        points = funding_points(value, bands)
        if points == 0:
            return t.zero(f"{what}{_band_label(bands, value)}，不得分")
        t.base(points, f"{what}{_band_label(bands, value)}，得{plain(points)}分")
        return t.result()

    return formula


item(10, ("internal_funds_wan",), ("bands",))(_funding("internal_funds_wan", "内部专项资金"))
item(11, ("external_funds_wan",), ("bands",))(_funding("external_funds_wan", "争取外部资金"))


@item(12, ("contest_abstained", "contest_best_award", "contest_entries"),
      AWARD_LEVELS + ("per_extra_entry", "abstain_penalty", "penalty_applies_to"))
def _district_contest(f, p, t, j):
    # 12.1 特等奖10、一等奖7、二等奖5、三等奖3、优秀奖1分，每增加1项参赛项目加0.5分，最高10分；
    # 12.2 放弃参加此项不得分，另在总分中扣5分（扣分见 penalty）
    if f["contest_abstained"]:
        return t.zero(f"放弃参加区级技术比武，不得分，另在总分中扣{plain(p['abstain_penalty'])}分")
    award = f["contest_best_award"]
    t.base(p[award], f"区级比武最好成绩：{AWARD_LABELS[award]}，得{plain(p[award])}分")
    extra = max(0, f["contest_entries"] - 1)
    t.plus(p["per_extra_entry"] * extra, f"参赛{f['contest_entries']}项，增加{extra}项，每项加{plain(p['per_extra_entry'])}分")
    return t.result()


@item(13, ("superior_team_ranks", "superior_individual_ranks"), ("first_place_points", "per_place_step"))
def _superior_contests(f, p, t, j):
    # 13.1/13.2 团体、个人第一名得10分，按2分一个名次递减；13.3 累计最高10分
    placed = False
    for column, label in (("superior_team_ranks", "团体"), ("superior_individual_ranks", "个人")):
        for place in f[column]:
            placed = True
            points = max(Fraction(0), p["first_place_points"] - p["per_place_step"] * (place - 1))
            t.base(points, f"上级比武{label}第{place}名，得{plain(points)}分")
    if not placed:
        return t.zero("未取得上级比武竞赛名次，不得分")
    return t.result()


@item(14, ("slack_findings", "mismatch_findings", "rectified_on_time"),
      ("per_slack_finding", "per_mismatch_finding", "per_rectified"))
def _supervision(f, p, t, j):
    # 14.2 推进迟缓每发现1次扣1分；14.3 督导与调度明显不符每次扣1分；14.4 按时整改且成效明显每次得1分
    t.base(t.maximum, "配合日常督导")
    t.minus(p["per_slack_finding"] * f["slack_findings"],
            f"工作推进迟缓{f['slack_findings']}次，每次扣{plain(p['per_slack_finding'])}分")
    t.minus(p["per_mismatch_finding"] * f["mismatch_findings"],
            f"现场督导与日常调度明显不符{f['mismatch_findings']}次，每次扣{plain(p['per_mismatch_finding'])}分")
    t.plus(p["per_rectified"] * f["rectified_on_time"],
           f"按时整改且成效明显{f['rectified_on_time']}次，每次得{plain(p['per_rectified'])}分")
    return t.result()


@item(15, ("late_submissions",), ("per_late_submission", "judgment_cap"))
def _submissions(f, p, t, j):
    # 15.2 每迟报1次扣0.5分，扣完为止；15.3 报送材料质量不高，视情扣分，扣完为止
    t.base(t.maximum, "按要求报送台账和统计表")
    late = f["late_submissions"]
    t.minus(p["per_late_submission"] * late, f"迟报{late}次，每次扣{plain(p['per_late_submission'])}分")
    j.apply(t, p["judgment_cap"], "报送材料质量不高")
    return t.result()


@item(16, ("year_end_review",), ("judgment_cap",))
def _year_end_review(f, p, t, j):
    # 16.3 未开展综合评定不得分；16.2 走过场视情扣分，扣完为止
    if not f["year_end_review"]:
        return t.zero("未开展年度综合评定，不得分")
    t.base(t.maximum, "开展年度综合评定、总结提升")
    j.apply(t, p["judgment_cap"], "工作开展不规范、走过场")
    return t.result()


def item_params(items: Mapping[int, Any], number: int, funding_bands: Mapping[str, list], group: str) -> dict:
    """The params of one item as the formula reads them (``bands`` resolved for the group)."""
    params = {k: _exact_param(v) for k, v in items[number]["params"].items()}
    if params.get("bands") == "funding_bands":
        params["bands"] = [{k: _exact_param(v) for k, v in band.items()} for band in funding_bands[group]]
    return params


def _exact_param(value):
    """Rubric amounts as exact numbers (a YAML 0.5 is read by its decimal text); words stay words."""
    return exact(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def score_items(facts: Mapping[str, Any], group: str, judgments: Mapping[int, Judgment | float],
                rubric: Mapping[str, Any], memo: dict | None = None) -> list[ItemScore]:
    """Score the 16 items of one institution. Pure: no I/O.

    ``facts`` holds one facts.csv row, typed (bools, ints, floats, rank lists, award token);
    ``judgments`` maps an item number to its summed discretionary deduction. Each formula sees
    only the facts its item declares (reading another one is a KeyError, not a silent mistake).

    ``memo``: one dict shared by the institutions of one cohort (one rubric, facts typed column by
    column). An item's score and trace depend only on its declared facts, the group and its
    judgment, and most institutions repeat a few combinations (counts, yes/no), so alike
    institutions share one ``ItemScore``, which must then be read, never changed.
    """
    results = []
    for number, (fact_names, _, formula) in sorted(ITEMS.items()):
        judgment = judgments.get(number, NO_JUDGMENT)
        if not isinstance(judgment, Judgment):
            judgment = Judgment(exact(judgment), ("评审视情扣分",))
        seen = {name: facts[name] for name in fact_names}
        key = (number, group, judgment.points, judgment.reasons, *seen.values())
        if memo is not None and key in memo:
            results.append(memo[key])
            continue
        spec = rubric["items"][number]
        trace = _Trace(exact(spec["max"]))
        params = item_params(rubric["items"], number, rubric["funding_bands"], group)
        score, steps = formula(seen, params, trace, judgment)
        result = ItemScore(number, spec["title"], exact(spec["max"]), exact(score), seen, steps)
        if memo is not None:
            memo[key] = result
        results.append(result)
    return results


def abstain_penalty(facts: Mapping[str, Any], rubric: Mapping[str, Any]) -> Fraction:
    """Item 12.2: points taken off for abstaining from the district contest (0 otherwise)."""
    return exact(rubric["items"][12]["params"]["abstain_penalty"]) if facts["contest_abstained"] else Fraction(0)
