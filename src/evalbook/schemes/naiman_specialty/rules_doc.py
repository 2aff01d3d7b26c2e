"""naiman-specialty: its rules as implemented, in Markdown (``evalbook rubric naiman-specialty``)."""

from __future__ import annotations

import pandas as pd

from evalbook.committee.panel_rules import panel_markdown
from evalbook.core.exact import exact, exact_sum, plain
from evalbook.core.rubric import Rubric
from evalbook.output.rubric_docs import POLICY, header, md, rank_order, scenarios_markdown
from evalbook.schemes.naiman_specialty.rubric import ORDER_LABELS

KIND_WORDS = {"count": "计数（整数）", "number": "数值", "amount": "金额", "area": "面积", "percent": "百分比（0–100）",
              "index": "指数", "rank": "名次（未上榜留空）", "text": "文字（不计分）", "yesno": "是/否（不计分）"}
DIRECTION_WORDS = {"higher": "正向 higher（越高越好）", "lower": "负向 lower（越低越好）", "neutral": "中性 neutral（等于目标）"}


def naiman_markdown(rubric: Rubric, catalog: pd.DataFrame,
                    rubric_label: str = "rubrics/naiman-specialty.yaml",
                    catalog_label: str = "rubrics/naiman-specialty-catalog.csv") -> str:
    """The naiman-specialty rules from its rubric and indicator catalog."""
    d = rubric.data
    w = d["weights"]
    out = header(d, f"{rubric_label}、{catalog_label}")
    out += ["原文规定了流程（承诺书量化指标、客观数据 + 现场核查、合格者认定为旗级临床重点专科），"
            f"未规定公式：以下数字均为 {POLICY}。"
            " The source sets the process, not the formula: every number below is policy.", "",
            "## 指标目录 Indicator catalog", "",
            f"调查表共 {catalog['row'].nunique()} 行，{len(catalog)} 个指标编号（复合行拆为多个编号）。"
            f"{POLICY} 指标方向（正向、负向、中性）原文未规定。", "",
            "### 类型 Kinds", "", "| 类型 kind | 含义 | 指标数 |", "|---|---|---|"]
    for kind, n in catalog["kind"].value_counts().sort_index().items():
        out.append(f"| `{kind}` | {KIND_WORDS.get(kind, '')} | {n} |")
    out += ["", "### 方向 Directions", "", "| 方向 direction | 指标数 |", "|---|---|"]
    for direction, n in catalog["direction"].value_counts().sort_index().items():
        out.append(f"| {DIRECTION_WORDS.get(direction, direction)} | {n} |")
    out += ["", "### 全部指标 All indicators", "", "| 编号 id | 指标 | 类型 | 单位 | 方向 | 类别 |", "|---|---|---|---|---|---|"]
    for row in catalog.itertuples():
        out.append(f"| {row.id} | {md(row.value_label)} | `{row.kind}` | {md(row.unit)} | `{row.direction}` "
                   f"| {md(row.category)} |")
    cats = d["category_weights"]
    out += ["", "## 达成度 Attainment", "",
            "a = (实际值 − 基线值) ÷ (目标值 − 基线值)，限定在0至1；目标值等于基线值时，正向指标实际值不低于目标、"
            "负向指标不高于目标、中性指标等于目标得1，否则为0；本年度未填报（或未上榜）按0计。",
            f"基线统计期 {POLICY}：`{d['baseline_period']}`；承诺书（targets.csv）中的基线值用于计算达成度。", "",
            "## 客观数据得分 Objective score", "",
            f"{POLICY} 客观数据得分 = 100 × Σ(权重 × 达成度) ÷ Σ权重。类别权重在该类别有承诺的指标间平均分配；"
            "无承诺的类别不计，其余按比例折算为100。", "",
            "| 类别 category | 权重 weight | 目录指标数 |", "|---|---|---|",
            *[f"| {md(c)} | {plain(v)} | {int((catalog['category'] == c).sum())} |" for c, v in cats.items()],
            f"| 合计 | {plain(exact_sum(cats.values()))} | |", "",
            "## 现场核查得分 On-site score", "",
            f"每位专家对 {'、'.join(md(v) for v in d['onsite_dimensions'].values())} 三项各打0–100分；"
            "现场核查得分 = 对专家取（每位专家三项平均分）的平均。", "",
            *panel_markdown(d["panel"], "专科", "onsite.csv"),
            "## 总分与合格 Total and pass line", "",
            f"- {POLICY} 总分 = {plain(w['objective'])} × 客观数据得分 + {plain(w['onsite'])} × 现场核查得分。",
            f"- {POLICY} 合格线：总分不低于 {plain(d['pass_mark'])} 分 (pass at ≥ {plain(d['pass_mark'])})。", "",
            "## 现场复核 Recheck", "",
            f"- {POLICY} 复核值替代填报值参与评分；两者相差超过填报值的 {plain(exact(d['recheck_tolerance']) * 100)}%"
            f"（recheck_tolerance {plain(d['recheck_tolerance'])}）标记为“数据不实”。",
            f"- {POLICY} 推荐为“旗级临床重点专科”：合格"
            + ("且未被标记“数据不实”" if d["recommend_excludes_flagged"] else "（不论是否标记“数据不实”）")
            + f"（recommend_excludes_flagged: {str(d['recommend_excludes_flagged']).lower()}）。", "",
            "## 排名 Ranking", "",
            f"- {POLICY} 按 {rank_order(d['ranking']['order'], ORDER_LABELS)} 从高到低；"
            f"完全相同者并列（`{d['ranking']['ties']}`：1、1、3）。"
            "合格线、复核线与排名均按精确值比较。", "",
            "## 其他 Other", "",
            f"- 每年择优建设至少 {plain(d['min_nominations'])} 个：候选专科少于此数时给出警告（候选专科不计分）。",
            f"- 建设方向：{'、'.join(map(md, d['fields']))}。",
            f"- 可参评医院级别：{'、'.join(map(md, d['eligible_levels']))}。",
            "- 提示（不计分）：负向指标本年度较基线变差时给出警告。", ""]
    p = d["plausibility"]
    out += ["## 存疑值 Implausible values (plausibility)", "",
            "通过全部校验规则、但难以置信的调查值（indicators.csv 的行）标为“存疑”，在 validate、报告、validation.json 与"
            "results.xlsx 中单列显示，供专家复核；不终止运行，不影响评分。比较用精确值；“相差超过 k 倍”指较大值 > k × 较小值"
            "（恰好 k 倍不算）。 Values that pass every rule but are hard to believe are shown as implausible (存疑); "
            "they never stop a run nor change a score.", "",
            f"- {POLICY} 与本专科基线相比：本年（统计期 = 年度）值与同一专科同一指标基线统计期（{md(d['baseline_period'])}）的值"
            f"相差超过 {plain(p['baseline_factor'])} 倍（`baseline_factor`）。基线为半年、本年为全年，倍数为此留有余地。",
            f"- {POLICY} 与同领域专科相比：与同领域（specialties.csv 的 field）其他专科同一指标同一统计期的中位数相差超过 "
            f"{plain(p['peer_factor'])} 倍（`peer_factor`）；同领域至少 {plain(p['min_peers'])} 个其他专科填报该指标时才比较"
            "（`min_peers`；偶数个时中位数取中间两值的平均）。",
            f"- {POLICY} 两值都不超过 {plain(p['floor'])} 时不比较（`floor`：小数目不足为据）；"
            f"从0到 {plain(p['floor'])} 以上算存疑。",
            f"- {POLICY} 只比较这些类型的指标（`kinds`）：{'、'.join(KIND_WORDS.get(k, k) for k in p['kinds'])}。", ""]
    out += scenarios_markdown(rubric)
    return "\n".join(out)
