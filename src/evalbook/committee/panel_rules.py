"""The rubric's ``panel`` mapping, shared by the schemes that score by expert panels: its strict check and its
评分口径 lines.

``panel.recusal`` [policy]: ``exclude`` (a score by an expert of the institution scored, 应回避, is left out of the
subject's mean) or ``keep`` (counted, only flagged); ``panel.far_points`` [policy]: how many points (of 100) from
its panel's mean flag a score 偏低 / 偏高 in panel.csv.
"""

from __future__ import annotations

from collections.abc import Mapping

from evalbook.committee.experts import RECUSAL_CHOICES, REGISTRY_FILE
from evalbook.core.exact import plain
from evalbook.core.rubric import RubricChecker
from evalbook.output.rubric_docs import POLICY

PANEL_KEYS = {"recusal", "far_points"}


def check_panel(check: RubricChecker, panel) -> None:
    if check.keys(panel, "panel", PANEL_KEYS):
        check.choice(panel["recusal"], "panel.recusal", RECUSAL_CHOICES)
        check.number(panel["far_points"], "panel.far_points")


def panel_lines(panel: Mapping, subject: str) -> list[tuple[str, str]]:
    """The 评分口径 of the panels; ``subject`` is what an expert scores (项目, 专科)."""
    recusal = (f"该评分不计入{subject}得分（取其余专家的平均）；{subject}的全部评分都应回避时为错误，须另请专家重新评分"
               if panel["recusal"] == "exclude" else f"该评分仍计入{subject}得分，仅标记“应回避”")
    return [
        ("专家回避", f"专家库（{REGISTRY_FILE}）中专家所在机构即被评机构时，该专家应回避：{recusal}；"
                     "提供专家库时，评分中的专家须在专家库中"),
        ("专家评分偏离", f"某专家的评分低于（高于）本{subject}专家平均分超过{panel['far_points']:g}分时标记“偏低”（“偏高”），"
                         f"恰好{panel['far_points']:g}分不标记；仅供评审委员会参考，不影响评分"),
    ]


def panel_markdown(panel: Mapping, subject: str, file: str) -> list[str]:
    """The rules document's section on the panels (``evalbook rubric``): the registry, recusal and panel.csv."""
    far = plain(panel["far_points"])
    recusal = ("该评分不计入得分（取其余专家的平均）；全部评分都应回避的评分对象为错误，须另请专家重新评分"
               if panel["recusal"] == "exclude" else "该评分仍计入得分，仅标记“应回避”")
    return ["## 专家库与回避 Expert registry and recusal", "",
            f"专家库 `{REGISTRY_FILE}`（可选，放在方案数据文件夹根目录，列 `expert,name,institution,title`）：专家编号"
            "不能重复（比较时不区分大小写、全角半角和首尾空格），所在机构代码须在 institutions.csv 中；提供专家库时，"
            f"`{file}` 中的每位专家都须在专家库中（否则为错误）。",
            "The registry (optional): unique ids, a known institution; when given, every expert who scored must be in it.", "",
            f"- 专家所在机构即被评机构时，该评分标记“应回避”（警告，指明 `{file}` 的行、`expert` 列与专家编号）。",
            f"- {POLICY} `panel.recusal: {panel['recusal']}`：{recusal}。"
            "(exclude: a recused score is left out of the mean; keep: it is counted and only flagged.)", "",
            "## 专家评分一致性 Panel agreement (panel.csv)", "",
            f"`panel.csv` 每条专家评分一行（按输入顺序）：`score` 为该专家对该{subject}的评分（0–100），`panel_mean` 为计入"
            f"得分的评分的精确平均（即该{subject}所用得分），`panel_sd` 为这些评分的总体标准差（由精确方差开方，"
            "四舍五入到2位小数），`deviation` = score − panel_mean（精确）。",
            "",
            f"- {POLICY} `panel.far_points: {far}`：deviation 小于 −{far} 标记“偏低”，大于 {far} 标记“偏高”"
            f"（恰好 {far} 分不标记）；应回避的评分另标“应回避”，多个标记以“、”连接。仅供评审委员会参考，不影响评分。",
            "- 报告中另列每位专家的偏离情况，以及去掉某位专家的全部评分后重新评分时，哪些单位的奖项、合格或名次会改变"
            "（留一专家检验 leave-one-expert-out，`leave_one_out.csv`：expert, level, unit, code, name, subject, what, "
            "before, after）。", ""]
