"""The rules as implemented, in Markdown, generated from a scheme's rubric file (``evalbook rubric``).

Every number in the text comes from the rubric (and, for naiman-specialty, its indicator catalog),
so the published rules cannot drift from what the scoring uses. ``docs/rules/<scheme>.md`` is this
output; ``evalbook rubric SCHEME --check`` (and a test) keep it current. Choices the source does not
make are marked **[policy]** with their current value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from evalbook.core import paths
from evalbook.core.exact import exact, exact_sum, plain
from evalbook.core.rubric import Rubric

POLICY = "**[policy]**"


def docs_path(scheme: str) -> Path:
    return paths.REPO / "docs" / "rules" / f"{scheme}.md"


def _md(text) -> str:
    """Rubric text inside Markdown: pipes and line breaks would break a table row."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _header(d: Mapping, path_label: str) -> list[str]:
    return [f"# {_md(d['title'])} — 评分规则 Rules as implemented", "",
            f"> 本文件由 `evalbook rubric {d['scheme']}` 从 `{path_label}` 生成，请勿手改；改规则请改评分规则文件后重新生成。",
            f"> Generated from `{path_label}` by `evalbook rubric {d['scheme']}`; do not edit by hand.", "",
            f"- 方案 scheme: `{d['scheme']}`，版本 version: `{_md(d['version'])}`",
            f"- 依据 source: {_md(d['source'])}",
            f"- {POLICY} 标记原文未作规定、由评估方选择的口径（当前取值如下，报告“评分口径”一节同样列出）。"
            " Marks a choice the source does not make, with its current value.", ""]


# --------------------------------------------------------------------------- wendeng-featured

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


def _amount(value) -> str:
    return plain(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _rank_order(order: list, labels: Mapping[str, str]) -> str:
    """The ranking keys in the words the scheme's reports use, each with its rubric key."""
    return " → ".join(f"{labels.get(k, k)} `{k}`" for k in order)


def wendeng_markdown(rubric: Rubric, rubric_label: str = "rubrics/wendeng-featured.yaml") -> str:
    """The wendeng-featured rules from its rubric: items, bands, composite, penalty, ranking, awards."""
    from evalbook.schemes.wendeng_featured.items import ITEMS
    from evalbook.schemes.wendeng_featured.scheme import FACTS, ORDER_LABELS

    d = rubric.data
    labels = {c.name: c.label for c in FACTS}
    items, total_max = d["items"], exact_sum(d["items"][n]["max"] for n in d["items"])
    out = _header(d, rubric_label)
    out += ["## 附件3 考评项目 The 16 items", "",
            f"合计 {plain(total_max)} 分。每项先按规则加减，再限定在0至该项最高分（扣完为止）。"
            f" Items are floored at 0 and capped at their maximum; the 16 maxima sum to {plain(total_max)}.", "",
            "| 序号 | 类别 | 项目 | 满分 | 考评事实 facts.csv | 规则（金额取自评分规则） |", "|---|---|---|---|---|---|"]
    for number in sorted(ITEMS):
        spec = items[number]
        params = {k: _amount(v) for k, v in spec["params"].items()}
        if "order" in params:
            params["order"] = ORDER_WORDS.get(params["order"], params["order"])
        rule = WENDENG_RULES[number].format(max=plain(spec["max"]), policy=POLICY, **params)
        facts = "<br>".join(f"`{name}` {labels.get(name, '')}" for name in ITEMS[number][0])
        out.append(f"| {number} | {_md(spec['category'])} | {_md(spec['title'])} | {plain(spec['max'])} | {facts} | {_md(rule)} |")
    out += ["", "## 资金档次 Funding bands (items 10, 11, 万元)", "",
            f"{POLICY} 超过某档下限即得该档分；首档含下限（原文只标上限“含”）。区直原文缺100–200万元档，按4分处理。"
            " A value above a band's lower bound scores that band; the first band includes its bound.", ""]
    for group in ("district", "primary"):
        out.append(f"- {_md(d['groups'][group])}：" + "；".join(
            f"{'≥' if b['inclusive'] else '>'} {plain(b['above'])} 万元得 {plain(b['points'])} 分" for b in d["funding_bands"][group]))
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
            *[f"| {_md(v['label'])} (`{k}`) | {plain(v['max'])} |" for k, v in dims.items()],
            f"| 合计 | {plain(exact_sum(v['max'] for v in dims.values()))} |", "",
            f"- {POLICY} 没有评分项目的机构，专家得分按 {plain(d['unscored_unit_expert_score'])} 分计，并给出警告。", "",
            "## 总成绩 Composite", "",
            f"总成绩 = {plain(w['rubric'])} × 附件3得分 + {plain(w['expert'])} × 专家得分 − 放弃比武扣分；"
            "全程精确计算（分数），仅显示时四舍五入。",
            f"Total = {plain(w['rubric'])} × rubric + {plain(w['expert'])} × expert − abstain penalty, exact throughout.", "",
            "## 放弃比武扣分 Abstain penalty", "",
            f"放弃参加区级技术比武：第12项不得分，另扣 {plain(p12['abstain_penalty'])} 分；"
            f"{POLICY} 扣在 `{p12['penalty_applies_to']}`：{applies}。", "",
            "## 排名与并列 Ranking and ties", "",
            f"- {POLICY} 组内依次按 {_rank_order(d['ranking']['order'], ORDER_LABELS)} 从高到低排序；完全相同者并列"
            f"（`{d['ranking']['ties']}`：名次1、1、3），获同一奖项，各得全额奖金。",
            "- 项目按项目得分在组内同样排名（并列在最后一个获奖名次时，多发一个奖）。比较一律用精确值，不受二进制浮点误差影响。", "",
            "## 奖项与奖金 Awards and prizes (万元)", "",
            f"{POLICY} 各奖项名额原文未规定，奖金按原文。 Award counts are policy; prizes are the source's.", ""]
    for title, key in (("单位奖 Unit awards", "unit_awards"), ("项目奖 Project awards", "project_awards")):
        out += [f"### {title}", "", "| 组别 | 奖项 | 名额 | 奖金（万元） |", "|---|---|---|---|"]
        for group in ("district", "primary"):
            out += [f"| {_md(d['groups'][group])} | {_md(t['award'])} | {plain(t['count'])} | {plain(t['prize_wan'])} |"
                    for t in d[key][group]]
        out.append("")
    ex = d["project_awards"]["excellence"]
    out += [f"- {POLICY} 其余项目得分不低于 {plain(ex['min_score'])} 分者获{_md(ex['award'])}："
            + "，".join(f"{_md(d['groups'][g])} {plain(ex['prize_wan'][g])} 万元" for g in ("district", "primary")) + "。", "",
            "## 报送期限 Deadlines", "",
            f"- 工作台账：每月台账于次月 {d['deadlines']['ledger_day_of_next_month']} 日前报送。",
            f"- 附件6 项目指标统计：{d['deadlines']['stats_month_day']} 前报送。", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- naiman-specialty

KIND_WORDS = {"count": "计数（整数）", "number": "数值", "amount": "金额", "area": "面积", "percent": "百分比（0–100）",
              "index": "指数", "rank": "名次（未上榜留空）", "text": "文字（不计分）", "yesno": "是/否（不计分）"}
DIRECTION_WORDS = {"higher": "正向 higher（越高越好）", "lower": "负向 lower（越低越好）", "neutral": "中性 neutral（等于目标）"}


def naiman_markdown(rubric: Rubric, catalog: pd.DataFrame,
                    rubric_label: str = "rubrics/naiman-specialty.yaml",
                    catalog_label: str = "rubrics/naiman-specialty-catalog.csv") -> str:
    """The naiman-specialty rules from its rubric and indicator catalog."""
    from evalbook.schemes.naiman_specialty.scheme import ORDER_LABELS

    d = rubric.data
    w = d["weights"]
    out = _header(d, f"{rubric_label}、{catalog_label}")
    out += [f"原文规定了流程（承诺书量化指标、客观数据 + 现场核查、合格者认定为旗级临床重点专科），未规定公式：以下数字均为 {POLICY}。"
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
        out.append(f"| {row.id} | {_md(row.value_label)} | `{row.kind}` | {_md(row.unit)} | `{row.direction}` | {_md(row.category)} |")
    cats = d["category_weights"]
    out += ["", "## 达成度 Attainment", "",
            "a = (实际值 − 基线值) ÷ (目标值 − 基线值)，限定在0至1；目标值等于基线值时，正向指标实际值不低于目标、"
            "负向指标不高于目标、中性指标等于目标得1，否则为0；本年度未填报（或未上榜）按0计。",
            f"基线统计期 {POLICY}：`{d['baseline_period']}`；承诺书（targets.csv）中的基线值用于计算达成度。", "",
            "## 客观数据得分 Objective score", "",
            f"{POLICY} 客观数据得分 = 100 × Σ(权重 × 达成度) ÷ Σ权重。类别权重在该类别有承诺的指标间平均分配；"
            "无承诺的类别不计，其余按比例折算为100。", "",
            "| 类别 category | 权重 weight | 目录指标数 |", "|---|---|---|",
            *[f"| {_md(c)} | {plain(v)} | {int((catalog['category'] == c).sum())} |" for c, v in cats.items()],
            f"| 合计 | {plain(exact_sum(cats.values()))} | |", "",
            "## 现场核查得分 On-site score", "",
            f"每位专家对 {'、'.join(_md(v) for v in d['onsite_dimensions'].values())} 三项各打0–100分；"
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
            f"- {POLICY} 按 {_rank_order(d['ranking']['order'], ORDER_LABELS)} 从高到低；完全相同者并列（`{d['ranking']['ties']}`：1、1、3）。"
            "合格线、复核线与排名均按精确值比较。", "",
            "## 其他 Other", "",
            f"- 每年择优建设至少 {plain(d['min_nominations'])} 个：候选专科少于此数时给出警告（候选专科不计分）。",
            f"- 建设方向：{'、'.join(map(_md, d['fields']))}。",
            f"- 可参评医院级别：{'、'.join(map(_md, d['eligible_levels']))}。",
            "- 提示（不计分）：负向指标本年度较基线变差时给出警告。", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- the command

def _wendeng(rubric_path: Path | None) -> str:
    from evalbook.schemes.wendeng_featured import scheme as wendeng_featured

    path = Path(rubric_path or paths.rubric_path(wendeng_featured.NAME))
    return wendeng_markdown(wendeng_featured.load_rubric(path), _label(path))


def _naiman(rubric_path: Path | None) -> str:
    from evalbook.schemes.naiman_specialty import scheme as naiman_specialty

    path = Path(rubric_path or paths.rubric_path(naiman_specialty.NAME))
    return naiman_markdown(naiman_specialty.load_rubric(path), naiman_specialty.catalog(), _label(path))


RENDERERS: dict[str, Callable[[Path | None], str]] = {"wendeng-featured": _wendeng, "naiman-specialty": _naiman}


def _label(path: Path) -> str:
    """The rubric's path as the doc names it: relative to the repository, or just its name."""
    path = Path(path).resolve()
    return path.relative_to(paths.REPO.resolve()).as_posix() if path.is_relative_to(paths.REPO.resolve()) else path.name


def rubric_markdown(scheme: str, rubric_path: Path | None = None) -> str:
    """The Markdown rules of ``scheme`` (a name in ``evalbook.schemes.SCHEMES``) from its rubric file."""
    from evalbook.core.registry import get_scheme

    get_scheme(scheme)  # an unknown name is a clear InputError
    return RENDERERS[scheme](rubric_path)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder: never half-written, and with the
    mode the umask gives (``publish.replace_files``)."""
    from evalbook.core.files import replace_files

    path = Path(path)
    replace_files(path.parent, {path.name: text})
