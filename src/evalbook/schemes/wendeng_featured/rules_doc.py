"""wendeng-featured: its rules as implemented, in Markdown (``evalbook rubric wendeng-featured``)."""

from __future__ import annotations

from evalbook.committee.panel_rules import panel_markdown
from evalbook.core.exact import exact_sum, plain
from evalbook.core.rubric import Rubric
from evalbook.output.rubric_docs import POLICY, amount, header, md, rank_order, scenarios_markdown
from evalbook.schemes.wendeng_featured.inputs import FACTS
from evalbook.schemes.wendeng_featured.items import ITEMS
from evalbook.schemes.wendeng_featured.plausibility import LABELS
from evalbook.schemes.wendeng_featured.rubric import ORDER_LABELS, SOURCE_GAP, gap_rule

# Each item's rule in words; {name} is the rubric amount items.N.params.name, {max} the item maximum.
WENDENG_RULES: dict[int, str] = {
    1: "成立领导小组得{max}分；主要负责人未担任组长扣{leader_not_head}分；未有院内公文公示扣{no_group_document}分；"
       "未成立领导小组不得分。",
    2: "每半年召开1次专题会，共{required_halves}次，满分{max}分；少开1次专题会扣{per_missing_meeting}分，"
       "以普通议题代替每次扣{per_replaced_meeting}分（{policy}）；既无专题会也无普通议题不得分。",
    3: "每季度至少召开1次领导小组会（{required_quarters}个季度），满分{max}分；每少开1次扣{per_missing_quarter}分；"
       "每1次会议没有明确议定事项扣{per_meeting_without_decisions}分；未召开不得分。",
    4: "制定工作方案得{max}分；未建立台账、目标不明确扣{no_ledger_with_targets}分；方案质量不高视情扣分，"
       "最多扣{judgment_cap}分（{policy}：原文未规定上限）；未制定方案不得分。",
    5: "选派不少于{min_trainees}人至三级甲等医院进修满3个月得{max}分，否则不得分。",
    6: "外聘专家坐诊带教不少于{required_sessions}次得{max}分；每少1次扣{per_missing_session}分；"
       "非高级职称专家带教每次扣{per_non_senior_session}分；未外聘专家不得分。",
    7: "组建多学科联合专家组得{max}分；作用发挥不明显视情扣分，最多扣{judgment_cap}分；"
       "未明确技术负责人扣{no_tech_lead}分；未组建不得分。",
    8: "满分{max}分；宣传形式少于{required_forms}种，每少一种扣{per_missing_form}分，最多扣{missing_forms_cap}分；"
       "宣传没有保持经常视情扣分，最多扣{judgment_cap}分；抽查10名工作人员，每有1人不知情扣{per_unaware_staff}分，"
       "最多扣{unaware_cap}分。",
    9: "报道每次计分：区级{per_report_district}分、市级{per_report_city}分、省级{per_report_province}分、"
       "国家级{per_report_national}分，最高{max}分；宣传形式少于{required_media_forms}种，每少1种扣"
       "{per_missing_media_form}分；没有报道不得分。顺序（{policy}）：`{order}`。",
    10: "按内部专项资金（万元）所在档次得分，见下文“资金档次”，最高{max}分。",
    11: "按争取外部资金（万元）所在档次得分，见下文“资金档次”，最高{max}分。",
    12: "区级技术比武最好成绩：特等奖{special}分、一等奖{first}分、二等奖{second}分、三等奖{third}分、"
        "优秀奖{excellence}分、未获奖{none}分；每增加1项参赛项目加{per_extra_entry}分，最高{max}分；"
        "放弃参加不得分，另扣{abstain_penalty}分（见下文“放弃比武扣分”）。",
    13: "上级比武团体、个人第一名各得{first_place_points}分，按{per_place_step}分一个名次递减（不低于0），"
        "累计最高{max}分；无名次不得分。",
    14: "（{policy}）{max} − {per_slack_finding}×推进迟缓次数 − {per_mismatch_finding}×督导与调度不符次数 "
        "+ {per_rectified}×按时整改且成效明显次数，限定在0至{max}分。",
    15: "按要求报送得{max}分；每迟报1次扣{per_late_submission}分；报送材料质量不高视情扣分，"
        "最多扣{judgment_cap}分；扣完为止。",
    16: "开展年度综合评定得{max}分；走过场视情扣分，最多扣{judgment_cap}分；未开展不得分。",
}

ORDER_WORDS = {"cap_then_deduct": "先把报道得分封顶，再扣宣传形式分 cap, then deduct",
               "deduct_then_cap": "先扣宣传形式分，再封顶 deduct, then cap"}


def wendeng_markdown(rubric: Rubric, rubric_label: str = "rubrics/wendeng-featured.yaml") -> str:
    """The wendeng-featured rules from its rubric: items, bands, composite, penalty, ranking, awards."""
    d = rubric.data
    labels = {c.name: c.label for c in FACTS}
    items, total_max = d["items"], exact_sum(d["items"][n]["max"] for n in d["items"])
    out = header(d, rubric_label)
    out += ["## 附件3 考评项目 The 16 items", "",
            f"合计 {plain(total_max)} 分。每项先按规则加减，再限定在0至该项最高分（扣完为止）。"
            f" Items are floored at 0 and capped at their maximum; the 16 maxima sum to {plain(total_max)}.", "",
            "| 序号 | 类别 | 项目 | 满分 | 考评事实 facts.csv | 规则（金额取自评分规则） |", "|---|---|---|---|---|---|"]
    for number in sorted(ITEMS):
        spec = items[number]
        params = {k: amount(v) for k, v in spec["params"].items()}
        if "order" in params:
            params["order"] = ORDER_WORDS.get(params["order"], params["order"])
        rule = WENDENG_RULES[number].format(max=plain(spec["max"]), policy=POLICY, **params)
        facts = "<br>".join(f"`{name}` {labels.get(name, '')}" for name in ITEMS[number][0])
        out.append(f"| {number} | {md(spec['category'])} | {md(spec['title'])} | {plain(spec['max'])} | {facts} | {md(rule)} |")
    out += ["", "## 资金档次 Funding bands (items 10, 11, 万元)", "",
            f"{POLICY} 超过某档下限即得该档分；首档含下限（原文只标上限“含”）。"
            f"区直原文缺{SOURCE_GAP[0]}–{SOURCE_GAP[1]}万元档，{gap_rule(d['funding_bands']['district'])}。"
            " A value above a band's lower bound scores that band; the first band includes its bound.", ""]
    for group in ("district", "primary"):
        out.append(f"- {md(d['groups'][group])}：" + "；".join(
            f"{'≥' if b['inclusive'] else '>'} {plain(b['above'])} 万元得 {plain(b['points'])} 分"
            for b in d["funding_bands"][group]))
    j = d["judgments"]
    out += ["", "## 视情扣分 Discretionary deductions (judgments.csv)", "",
            f"- 仅第 {'、'.join(map(str, j['items']))} 项可视情扣分，须写明理由与评审人；每项扣分不超过上表所列上限。",
            f"- {POLICY} 每次扣分须为 {plain(j['step'])} 分的整数倍 (step {plain(j['step'])}).", ""]
    w, p12 = d["weights"], items[12]["params"]
    applies = ("总成绩 (off the final composite)" if p12["penalty_applies_to"] == "total"
               else "附件3得分，加权前 (off the Annex 3 score before weighting)")
    dims = d["expert_dimensions"]
    out += ["## 附件4 专家评分 Expert scores", "",
            "每个特色项目：每位专家六个维度之和，再对专家取精确平均；机构专家得分 = 其所有项目得分的平均。", "",
            "| 维度 | 最高分 |", "|---|---|",
            *[f"| {md(v['label'])} (`{k}`) | {plain(v['max'])} |" for k, v in dims.items()],
            f"| 合计 | {plain(exact_sum(v['max'] for v in dims.values()))} |", "",
            f"- {POLICY} 没有评分项目的机构，专家得分按 {plain(d['unscored_unit_expert_score'])} 分计，并给出警告。", "",
            *panel_markdown(d["panel"], "项目", "expert_scores.csv"),
            "## 总成绩 Composite", "",
            f"总成绩 = {plain(w['rubric'])} × 附件3得分 + {plain(w['expert'])} × 专家得分 − 放弃比武扣分；"
            "全程精确计算（分数），仅显示时四舍五入。",
            f"Total = {plain(w['rubric'])} × rubric + {plain(w['expert'])} × expert − abstain penalty, exact throughout.", "",
            "## 放弃比武扣分 Abstain penalty", "",
            f"放弃参加区级技术比武：第12项不得分，另扣 {plain(p12['abstain_penalty'])} 分；"
            f"{POLICY} 扣在 `{p12['penalty_applies_to']}`：{applies}。", "",
            "## 排名与并列 Ranking and ties", "",
            f"- {POLICY} 组内依次按 {rank_order(d['ranking']['order'], ORDER_LABELS)} 从高到低排序；完全相同者并列"
            f"（`{d['ranking']['ties']}`：名次1、1、3），获同一奖项，各得全额奖金。",
            "- 项目按项目得分在组内同样排名（并列在最后一个获奖名次时，多发一个奖）。"
            "比较一律用精确值，不受二进制浮点误差影响。", "",
            "## 奖项与奖金 Awards and prizes (万元)", "",
            f"{POLICY} 各奖项名额原文未规定，奖金按原文。 Award counts are policy; prizes are the source's.", ""]
    for title, key in (("单位奖 Unit awards", "unit_awards"), ("项目奖 Project awards", "project_awards")):
        out += [f"### {title}", "", "| 组别 | 奖项 | 名额 | 奖金（万元） |", "|---|---|---|---|"]
        for group in ("district", "primary"):
            out += [f"| {md(d['groups'][group])} | {md(t['award'])} | {plain(t['count'])} | {plain(t['prize_wan'])} |"
                    for t in d[key][group]]
        out.append("")
    ex = d["project_awards"]["excellence"]
    out += [f"- {POLICY} 其余项目得分不低于 {plain(ex['min_score'])} 分者获{md(ex['award'])}："
            + "，".join(f"{md(d['groups'][g])} {plain(ex['prize_wan'][g])} 万元" for g in ("district", "primary")) + "。", "",
            "## 报送期限 Deadlines", "",
            f"- 工作台账：每月台账于次月 {d['deadlines']['ledger_day_of_next_month']} 日前报送。",
            f"- 附件6 项目指标统计：{d['deadlines']['stats_month_day']} 前报送。", ""]
    p = d["plausibility"]
    stats_labels = {c: LABELS[c] for c in p["jump_stats"]}
    out += ["## 存疑值 Implausible values (plausibility)", "",
            "通过全部校验规则、但难以置信的数值标为“存疑”，在 validate、报告、validation.json 与 results.xlsx 中单列显示，"
            "请与机构核实；不终止运行，不影响评分。比较用精确值。 Values that pass every rule but are hard to believe are "
            "shown as implausible (存疑); they never stop a run nor change a score.", "",
            f"- {POLICY} 同比跳变：本年值与上一年值中较大者超过较小者的 {plain(p['jump_factor'])} 倍（`jump_factor`；"
            f"恰好 {plain(p['jump_factor'])} 倍不算），两年的值都不超过 {plain(p['jump_floor'])} 时不比较（`jump_floor`）；"
            f"从0到 {plain(p['jump_floor'])} 以上算跳变。",
            "  - 附件3 考评事实（`jump_facts`）："
            + "、".join(f"{md(labels[c])}（`{c}`）" for c in p["jump_facts"])
            + "，与上一年度数据文件夹中的 facts.csv（`<年度-1>/facts.csv`）同一机构的行比较；没有上一年度数据则不比较。"
            "上一年度文件被读取时，与本年度输入一同记录、存档（inputs/）并由 verify 核对。",
            "  - 附件6 项目指标（`jump_stats`）：" + "、".join(f"{md(v)}（`{c}`）" for c, v in stats_labels.items())
            + "，本年行与同一项目上一年的行比较（附件6本身填报两年；本文件缺上一年行时，取上一年度文件夹的 project_stats.csv）。",
            f"- {POLICY} 收入与工作量不符：附件6本年行业务收入×10000÷工作量超过 {plain(p['max_revenue_per_visit_yuan'])} 元/人次"
            "（`max_revenue_per_visit_yuan`）；有收入而工作量为0亦为存疑。",
            f"- {POLICY} 工作量与人员不符：附件6本年行工作量÷工作人员超过 {plain(p['max_workload_per_staff'])} 人次/人·年"
            "（`max_workload_per_staff`）；有工作量而工作人员为0亦为存疑。", ""]
    out += scenarios_markdown(rubric)
    return "\n".join(out)
