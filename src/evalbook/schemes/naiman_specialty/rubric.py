"""naiman-specialty: the strict reading of its rubric file and its 评分口径 (every [policy] choice, in Chinese)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evalbook.committee.panel_rules import check_panel, panel_lines
from evalbook.core.rubric import Rubric, RubricChecker, read_rubric
from evalbook.core.scenarios import check_scenarios, check_variants, policy_line
from evalbook.schemes.naiman_specialty.inputs import NAME
from evalbook.schemes.naiman_specialty.plausibility import KEYS, KINDS


def load_rubric(path: Path) -> Rubric:
    """Read and strictly check the rubric file, and every scenario's variant of it (``evalbook.core.scenarios``)."""
    rubric = check_rubric(read_rubric(path))
    check_variants(rubric, check_rubric)
    return rubric


def check_rubric(rubric: Rubric) -> Rubric:
    """The strict check of a rubric's content (the file's, or a scenario's variant of it)."""
    check = RubricChecker(rubric)
    d = rubric.data
    top = {"scheme", "version", "title", "source", "baseline_period", "category_weights", "weights", "pass_mark",
           "onsite_dimensions", "panel", "recheck_tolerance", "recommend_excludes_flagged", "min_nominations", "fields",
           "eligible_levels", "ranking", "plausibility"}
    if not check.keys(d, "rubric", top, {"scenarios"}):
        check.raise_if_any()
    check.choice(d["scheme"], "scheme", (NAME,))
    if check.keys(d["category_weights"], "category_weights", {"基本情况", "质量与安全", "人才队伍", "服务满意"}):
        for k, v in d["category_weights"].items():
            check.number(v, f"category_weights.{k}")
    if check.keys(d["weights"], "weights", {"objective", "onsite"}):
        for k in ("objective", "onsite"):
            check.number(d["weights"][k], f"weights.{k}")
    check.number(d["pass_mark"], "pass_mark")
    check.number(d["recheck_tolerance"], "recheck_tolerance")
    check.number(d["min_nominations"], "min_nominations")
    check.choice(d["recommend_excludes_flagged"], "recommend_excludes_flagged", (True, False))
    check.keys(d["onsite_dimensions"], "onsite_dimensions", {"management", "construction", "talent"})
    check_panel(check, d["panel"])
    check.items(d["fields"], "fields")
    for level in check.items(d["eligible_levels"], "eligible_levels"):
        check.choice(level, "eligible_levels", ("一级", "二级", "三级"))
    if not (isinstance(d["baseline_period"], str) and pd.Series([d["baseline_period"]]).str.fullmatch(r"[0-9]{4}(H[12])?").all()):
        check.fail("baseline_period", "应为统计期，如 2024H1", "must be a period such as 2024H1", d["baseline_period"])
    if check.keys(d["ranking"], "ranking", {"order", "ties"}):
        check.choice(d["ranking"]["ties"], "ranking.ties", ("shared",))
        for key in check.items(d["ranking"]["order"], "ranking.order"):
            check.choice(key, "ranking.order", ("total", "objective_score", "onsite_score"))
    plausible = d["plausibility"]
    if check.keys(plausible, "plausibility", KEYS):
        for key in ("baseline_factor", "peer_factor"):
            check.number(plausible[key], f"plausibility.{key}", minimum=1)
        check.number(plausible["floor"], "plausibility.floor")
        if not (isinstance(plausible["min_peers"], int) and not isinstance(plausible["min_peers"], bool)
                and plausible["min_peers"] >= 1):
            check.fail("plausibility.min_peers", "应为不小于1的整数", "must be a whole number ≥ 1", plausible["min_peers"])
        for kind in check.items(plausible["kinds"], "plausibility.kinds"):
            check.choice(kind, "plausibility.kinds", KINDS)
    if "scenarios" in d:
        check_scenarios(check, d)
    check.raise_if_any()
    return rubric


ORDER_LABELS = {"total": "总分", "objective_score": "客观数据得分", "onsite_score": "现场核查得分"}


KIND_LABELS = {"count": "计数", "number": "数值", "amount": "金额", "area": "面积", "percent": "百分比", "index": "指数"}


def policy_lines(rubric: Rubric) -> list[tuple[str, str]]:
    d = rubric.data
    p = d["plausibility"]
    cats = "、".join(f"{k}{v:g}" for k, v in d["category_weights"].items())
    return [
        ("评分规则版本", f"{d['title']} {d['version']}（{d['source']}）"),
        ("达成度", "a = (实际值 − 基线值) ÷ (目标值 − 基线值)，限定在0至1；目标值等于基线值时，"
                  "正向指标实际值不低于目标得1、负向指标不高于目标得1、中性指标等于目标得1，否则为0"),
        ("客观数据得分", f"100 × Σ权重×达成度 ÷ Σ权重；类别权重 {cats}，在该类别有承诺的指标间平均分配，"
                        "无承诺的类别不计，其余按比例折算为100"),
        ("现场核查得分", f"每位专家三项（{'、'.join(d['onsite_dimensions'].values())}）的平均分，再对专家取平均"),
        *panel_lines(d["panel"], "专科"),
        ("总分与合格", f"{d['weights']['objective']:g} × 客观数据得分 + {d['weights']['onsite']:g} × 现场核查得分；"
                      f"不低于{d['pass_mark']:g}分为合格"),
        ("现场复核", f"复核值替代填报值参与评分；两者相差超过填报值的{d['recheck_tolerance'] * 100:g}%标记为“数据不实”"),
        ("推荐", "合格" + ("且未被标记“数据不实”" if d["recommend_excludes_flagged"] else "")
         + "的建设专科推荐为“旗级临床重点专科”"),
        ("排名", f"按{'、'.join(ORDER_LABELS.get(k, k) for k in d['ranking']['order'])}从高到低；"
                 f"完全相同者名次并列（如1、1、3）；合格线、复核{d['recheck_tolerance'] * 100:g}%线与排名均按精确值比较"),
        ("基线", f"调查表基线统计期 {d['baseline_period']}；承诺书中的基线值用于计算达成度"),
        ("提示（不计分）", "负向指标（如死亡率、感染率）本年度较基线变差时给出警告"),
        ("候选专科", f"只校验并展示基线与承诺，供专家复核，不计分；候选少于{d['min_nominations']:g}个时给出警告"),
        ("指标方向", "正向、负向、中性见调查表目录 rubrics/naiman-specialty-catalog.csv（原文未规定）"),
        ("存疑：与基线相比", f"本年调查值与本专科基线统计期（{d['baseline_period']}）的值相比，较大者超过较小者的"
                            f"{p['baseline_factor']:g}倍（恰好{p['baseline_factor']:g}倍不算）"),
        ("存疑：与同领域相比", f"与同领域其他专科同一指标同一统计期的中位数相比，较大者超过较小者的{p['peer_factor']:g}倍；"
                              f"同领域至少{p['min_peers']}个其他专科填报时才比较"),
        ("存疑：范围", f"只比较{'、'.join(KIND_LABELS.get(k, k) for k in p['kinds'])}类指标；两值都不超过{p['floor']:g}时不比较；"
                       "存疑值仅作提示，供专家复核，不终止运行，不影响评分"),
    ] + policy_line(rubric)
