"""wendeng-featured: the strict reading of its rubric file and its 评分口径 (every [policy] choice, in Chinese)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path

from evalbook.committee.panel_rules import check_panel, panel_lines
from evalbook.core.exact import exact, plain
from evalbook.core.rubric import Rubric, RubricChecker, read_rubric
from evalbook.core.scenarios import check_scenarios, check_variants, policy_line
from evalbook.schemes.wendeng_featured.inputs import DIMENSIONS, NAME
from evalbook.schemes.wendeng_featured.items import ITEMS, funding_points
from evalbook.schemes.wendeng_featured.plausibility import JUMP_FACTS, JUMP_STATS, KEYS, LABELS


def load_rubric(path: Path) -> Rubric:
    """Read and strictly check the rubric file: unknown or missing keys are errors; so is a scenario whose
    variant of the rules this check would refuse (``evalbook.core.scenarios``)."""
    rubric = check_rubric(read_rubric(path))
    check_variants(rubric, check_rubric)
    return rubric


def check_rubric(rubric: Rubric) -> Rubric:
    """The strict check of a rubric's content (the file's, or a scenario's variant of it)."""
    check = RubricChecker(rubric)
    data = rubric.data
    top = {"scheme", "version", "title", "source", "groups", "weights", "items", "funding_bands", "judgments",
           "expert_dimensions", "unscored_unit_expert_score", "panel", "ranking", "unit_awards", "project_awards", "deadlines",
           "plausibility"}
    if not check.keys(data, "rubric", top, {"scenarios"}):
        check.raise_if_any()
    check.choice(data["scheme"], "scheme", (NAME,))
    check.keys(data["groups"], "groups", {"district", "primary"})
    if check.keys(data["weights"], "weights", {"rubric", "expert"}):
        for key in ("rubric", "expert"):
            check.number(data["weights"][key], f"weights.{key}")
    items = data["items"]
    if check.keys(items, "items", set(ITEMS)):
        for number, (_, params, _) in ITEMS.items():
            where = f"items.{number}"
            if check.keys(items[number], where, {"title", "category", "max", "params"}):
                check.number(items[number]["max"], f"{where}.max")
                if check.keys(items[number]["params"], f"{where}.params", set(params)):
                    _check_params(check, number, items[number]["params"], where)
    bands = data["funding_bands"]
    if check.keys(bands, "funding_bands", {"district", "primary"}):
        for group, rows in bands.items():
            for i, band in enumerate(check.items(rows, f"funding_bands.{group}")):
                if check.keys(band, f"funding_bands.{group}[{i}]", {"points", "above", "inclusive"}):
                    check.number(band["points"], f"funding_bands.{group}[{i}].points")
                    check.number(band["above"], f"funding_bands.{group}[{i}].above")
                    check.choice(band["inclusive"], f"funding_bands.{group}[{i}].inclusive", (True, False))
    if check.keys(data["judgments"], "judgments", {"items", "step"}):
        check.number(data["judgments"]["step"], "judgments.step", minimum=0.01)
        for n in check.items(data["judgments"]["items"], "judgments.items"):
            check.choice(n, "judgments.items", tuple(ITEMS))
    if check.keys(data["expert_dimensions"], "expert_dimensions", set(DIMENSIONS)):
        for dim in DIMENSIONS:
            if check.keys(data["expert_dimensions"][dim], f"expert_dimensions.{dim}", {"label", "max"}):
                check.number(data["expert_dimensions"][dim]["max"], f"expert_dimensions.{dim}.max")
    check.number(data["unscored_unit_expert_score"], "unscored_unit_expert_score")
    check_panel(check, data["panel"])
    if check.keys(data["ranking"], "ranking", {"order", "ties"}):
        check.choice(data["ranking"]["ties"], "ranking.ties", ("shared",))
        for key in check.items(data["ranking"]["order"], "ranking.order"):
            check.choice(key, "ranking.order", ("total", "rubric_score", "expert_score"))
    for awards_key in ("unit_awards", "project_awards"):
        extra = {"excellence"} if awards_key == "project_awards" else set()
        if check.keys(data[awards_key], awards_key, {"district", "primary"} | extra):
            for group in ("district", "primary"):
                for i, tier in enumerate(check.items(data[awards_key][group], f"{awards_key}.{group}")):
                    if check.keys(tier, f"{awards_key}.{group}[{i}]", {"award", "count", "prize_wan"}):
                        check.number(tier["count"], f"{awards_key}.{group}[{i}].count")
                        check.number(tier["prize_wan"], f"{awards_key}.{group}[{i}].prize_wan")
    excellence = data["project_awards"].get("excellence") if isinstance(data["project_awards"], dict) else None
    if excellence is not None and check.keys(excellence, "project_awards.excellence", {"award", "min_score", "prize_wan"}):
        check.number(excellence["min_score"], "project_awards.excellence.min_score")
        check.keys(excellence["prize_wan"], "project_awards.excellence.prize_wan", {"district", "primary"})
    if check.keys(data["deadlines"], "deadlines", {"ledger_day_of_next_month", "stats_month_day"}):
        day = data["deadlines"]["ledger_day_of_next_month"]
        if not (isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 28):
            check.fail("deadlines.ledger_day_of_next_month", "应为1至28之间的整数", "must be a whole number from 1 to 28", day)
        stats_day = data["deadlines"]["stats_month_day"]
        if not (isinstance(stats_day, str) and len(stats_day) == 5 and stats_day[2] == "-"
                and stats_day.replace("-", "").isdigit()):
            check.fail("deadlines.stats_month_day", "应为 MM-DD 格式，如 12-31", "must be MM-DD, e.g. 12-31", stats_day)
    plausible = data["plausibility"]
    if check.keys(plausible, "plausibility", KEYS):
        check.number(plausible["jump_factor"], "plausibility.jump_factor", minimum=1)
        for key in ("jump_floor", "max_revenue_per_visit_yuan", "max_workload_per_staff"):
            check.number(plausible[key], f"plausibility.{key}")
        for key, allowed in (("jump_facts", JUMP_FACTS), ("jump_stats", JUMP_STATS)):
            for column in check.items(plausible[key], f"plausibility.{key}"):
                check.choice(column, f"plausibility.{key}", allowed)
    if "scenarios" in data:
        check_scenarios(check, data)
    check.raise_if_any()
    return rubric


def _check_params(check: RubricChecker, number: int, params: Mapping, where: str) -> None:
    for key, value in params.items():
        if key == "order":
            check.choice(value, f"{where}.params.order", ("cap_then_deduct", "deduct_then_cap"))
        elif key == "penalty_applies_to":
            check.choice(value, f"{where}.params.penalty_applies_to", ("total", "rubric"))
        elif key == "bands":
            check.choice(value, f"{where}.params.bands", ("funding_bands",))
        else:
            check.number(value, f"{where}.params.{key}")


ORDER_LABELS = {"total": "总成绩", "rubric_score": "附件3得分", "expert_score": "专家得分"}


SOURCE_GAP = (100, 200)  # 万元: the district range the source's bands skip (a fact of the source)


def gap_rule(bands: list[Mapping]) -> str:
    """How the rubric's district bands score the source's missing 100–200万元 range: "按4分处理" when one
    score covers it, else a pointer to the bands (the score is the rubric's, never typed here)."""
    low, high = (Fraction(v) for v in SOURCE_GAP)
    edges = [exact(b["above"]) for b in bands if low < exact(b["above"]) <= high]  # the range is (100, 200]
    tiny = Fraction(1, 10**9)
    scores = {funding_points(v, bands) for v in [low + tiny, high, *edges, *(e + tiny for e in edges if e < high)]}
    return f"按{plain(scores.pop())}分处理" if len(scores) == 1 else "按所列档次处理"


def policy_lines(rubric: Rubric) -> list[tuple[str, str]]:
    """The 评分口径: every [policy] choice of the rubric, in Chinese, for the reports."""
    d = rubric.data
    p12, p9, p14 = d["items"][12]["params"], d["items"][9]["params"], d["items"][14]["params"]
    units = d["unit_awards"]
    projects = d["project_awards"]

    def tiers(rows):
        return "、".join(f"{t['award']}{t['count']}名（{t['prize_wan']:g}万元）" for t in rows)

    def bands(rows):
        return "；".join(f"{'≥' if b['inclusive'] else '>'}{b['above']:g}万元得{b['points']:g}分" for b in rows)

    excellence = projects["excellence"]
    plausible = d["plausibility"]

    def columns(key):
        return "、".join(LABELS[c] for c in plausible[key])

    return [
        ("评分规则版本", f"{d['title']} {d['version']}（{d['source']}）"),
        ("总成绩", f"{d['weights']['rubric']:g} × 附件3得分 + {d['weights']['expert']:g} × 项目专家平均得分 − 放弃比武扣分；"
                   "保留全部精度，仅显示时四舍五入"),
        ("放弃比武扣分", f"扣{p12['abstain_penalty']:g}分，扣在"
                         + ("总成绩" if p12["penalty_applies_to"] == "total" else "附件3得分（加权前）")),
        ("第2项", f"少开专题会每次扣{d['items'][2]['params']['per_missing_meeting']:g}分；"
                  f"以普通议题代替每次扣{d['items'][2]['params']['per_replaced_meeting']:g}分"),
        ("第4项", f"工作方案质量视情扣分上限{d['items'][4]['params']['judgment_cap']:g}分（原文未规定上限）"),
        ("第9项", "报道得分先封顶再扣宣传形式分" if p9["order"] == "cap_then_deduct" else "先扣宣传形式分再封顶"),
        ("第10、11项 区直", bands(d["funding_bands"]["district"])
         + f"（原文缺{SOURCE_GAP[0]}–{SOURCE_GAP[1]}万元档，{gap_rule(d['funding_bands']['district'])}）"),
        ("第10、11项 基层", bands(d["funding_bands"]["primary"]) + "（各档含上限；首档含下限）"),
        ("第14项", f"{d['items'][14]['max']:g} − {p14['per_slack_finding']:g}×推进迟缓次数 − "
                  f"{p14['per_mismatch_finding']:g}×不符次数 + {p14['per_rectified']:g}×按时整改次数，"
                  f"限定在0至{d['items'][14]['max']:g}分"),
        ("视情扣分", f"仅第{'、'.join(map(str, d['judgments']['items']))}项，"
                     f"每次须为{d['judgments']['step']:g}分的整数倍，须写明理由"),
        ("无评分项目的机构", f"专家得分按{d['unscored_unit_expert_score']:g}分计，并给出警告"),
        *panel_lines(d["panel"], "项目"),
        ("排名与并列", f"组内依次按{'、'.join(ORDER_LABELS[k] for k in d['ranking']['order'])}从高到低排序；"
                       "完全相同者名次并列（如1、1、3），奖项与奖金相同；项目按项目得分同样处理"
                       "（并列在最后一个获奖名次时，多发一个奖）；比较用精确值，不受二进制浮点误差影响"),
        ("单位奖名额（一组）", tiers(units["district"])),
        ("单位奖名额（二组）", tiers(units["primary"])),
        ("项目奖名额（一组）", tiers(projects["district"])),
        ("项目奖名额（二组）", tiers(projects["primary"])),
        ("优秀奖", f"其余项目得分不低于{excellence['min_score']:g}分者获{excellence['award']}"
                   f"（一组{excellence['prize_wan']['district']:g}万元，二组{excellence['prize_wan']['primary']:g}万元）"),
        ("存疑：同比跳变", f"本年值与上一年值中较大者超过较小者的{plausible['jump_factor']:g}倍"
                          f"（恰好{plausible['jump_factor']:g}倍不算），两年都不超过{plausible['jump_floor']:g}时不比较；"
                          f"附件3考评事实（{columns('jump_facts')}）与上一年度 facts.csv 比较（无上一年度数据则不比较），"
                          f"附件6（{columns('jump_stats')}）与项目上一年行比较"),
        ("存疑：收入与工作量", f"附件6业务收入×10000÷工作量超过{plausible['max_revenue_per_visit_yuan']:g}元/人次"
                              "（有收入而工作量为0亦然）"),
        ("存疑：工作量与人员", f"附件6工作量÷工作人员超过{plausible['max_workload_per_staff']:g}人次/人·年"
                              "（有工作量而无人员亦然）"),
        ("存疑值的处理", "仅作提示，请与机构核实；不终止运行，不影响评分"),
    ] + policy_line(rubric)
