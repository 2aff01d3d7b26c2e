"""naiman-specialty: its rules as implemented, in Markdown (``evalbook rubric naiman-specialty``)."""

from __future__ import annotations

import pandas as pd

from evalbook.core.exact import exact, exact_sum, plain
from evalbook.core.rubric import Rubric
from evalbook.output.rubric_docs import POLICY, header, md, rank_order
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
    return "\n".join(out)
