"""Rubric numbers in prose come from the rubric loaded for the run, never typed into the text.

An evaluator may edit a rubric (weights, steps, caps, bands, tolerance …): each test loads a copy with
changed amounts and checks that the message, 评分口径 line or rules page shows the new number, not the
shipped one. The notebooks' comments name no rubric amount at all (each cell's output shows it).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from evalbook.core.registry import get_scheme
from evalbook.inputs.intake import take_in
from evalbook.schemes.naiman_specialty.rubric import policy_lines as naiman_policy
from evalbook.schemes.wendeng_featured.rubric import policy_lines as wendeng_policy
from evalbook.schemes.wendeng_featured.rules_doc import wendeng_markdown

ROOT = Path(__file__).resolve().parents[1]
WENDENG = get_scheme("wendeng-featured")
NAIMAN = get_scheme("naiman-specialty")


def edited(scheme, tmp_path: Path, *changes: tuple[str, str]):
    """The scheme's rubric loaded from a copy with each (old, new) text replaced exactly once."""
    source = scheme.rubric_path()
    for extra in source.parent.glob(f"{source.stem}*"):
        shutil.copy2(extra, tmp_path / extra.name)
    text = source.read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (tmp_path / source.name).write_text(text, encoding="utf-8")
    return scheme.load_rubric(tmp_path / source.name)


def _csv_append(path: Path, line: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + line + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def judgments_intake(tmp_path_factory):
    """The demo year with two bad 视情扣分 rows and PFB's expert scores gone, under a rubric whose step,
    item-7 cap and unscored expert score differ from the shipped ones (0.5, 2, 0)."""
    rubric = edited(WENDENG, tmp_path_factory.mktemp("rubric"),
                    ("params: {no_tech_lead: 1, judgment_cap: 2}", "params: {no_tech_lead: 1, judgment_cap: 1.5}"),
                    ("step: 0.5   #", "step: 0.25   #"),
                    ("unscored_unit_expert_score: 0", "unscored_unit_expert_score: 10"))
    data = tmp_path_factory.mktemp("data") / "wendeng-featured"
    shutil.copytree(ROOT / "data" / "wendeng-featured", data)
    judgments = data / "2023" / "judgments.csv"
    header = judgments.read_text(encoding="utf-8").splitlines()[0].split(",")
    row = {"code": "GJ", "item": "7", "points": "1", "evaluator": "王建国（示例）", "reason": "示例"}
    assert set(row) <= set(header), header
    _csv_append(judgments, ",".join(row.get(c, "示例") for c in header))  # GJ's item 7: 2 > 1.5
    _csv_append(judgments, ",".join({**row, "item": "4", "points": "0.3"}.get(c, "示例") for c in header))
    experts = data / "2023" / "expert_scores.csv"
    lines = experts.read_text(encoding="utf-8").splitlines()
    experts.write_text("\n".join(line for line in lines if not line.startswith("PFB,")) + "\n", encoding="utf-8")
    return take_in(WENDENG, 2023, data.parent, rubric=rubric)


def _rules(intake, file: str) -> str:
    return "\n".join(f"{p.rule_zh} | {p.rule_en}" for p in intake.outcome.problems if p.file == f"2023/{file}")


def test_the_step_in_a_judgment_message_is_the_rubrics(judgments_intake):
    rules = _rules(judgments_intake, "judgments.csv")
    assert "扣分应为0.25（评分规则中的 judgment_step）分的整数倍" in rules, rules
    assert "step 0.25 (rubric: judgment_step)" in rules, rules
    assert "0.5分" not in rules and "(0.5)" not in rules


def test_the_caps_in_a_judgment_message_are_the_rubrics(judgments_intake):
    rules = _rules(judgments_intake, "judgments.csv")
    assert "7：1.5" in rules and "7: 1.5" in rules, rules
    assert "第7项2分" not in rules and "7: 2," not in rules


def test_the_unscored_expert_score_in_a_warning_is_the_rubrics(judgments_intake):
    rules = _rules(judgments_intake, "expert_scores.csv")
    assert "专家得分按10（评分规则中的 unscored_unit_expert_score）分计" in rules, rules
    assert "按0分计" not in rules


def test_the_validation_summary_shows_the_rubrics_amounts(judgments_intake):
    summary = "\n".join(row["rule_zh"] for row in judgments_intake.outcome.summary)
    assert "0.25（评分规则中的 judgment_step）" in summary
    assert "第4、7、8、15、16（评分规则中的 judgment_items）项" in summary
    assert "（评分规则中的 judgment_step）分" not in summary.replace("0.25（评分规则中的 judgment_step）分", "")


def test_the_suites_name_the_rubric_amounts_not_their_values():
    texts = json.dumps([json.loads(p.read_text(encoding="utf-8"))
                        for p in (ROOT / "expectations" / "wendeng-featured").glob("*.json")], ensure_ascii=False)
    for stale in ("第4、7、8、15、16项", "0.5分的整数倍", "第7项2分", "按0分计"):
        assert stale not in texts


def test_the_missing_district_band_is_scored_as_the_rubric_says(tmp_path):
    shipped = dict(wendeng_policy(WENDENG.load_rubric(WENDENG.rubric_path())))
    assert "按4分处理" in shipped["第10、11项 区直"]
    rubric = edited(WENDENG, tmp_path, ("{points: 4, above: 100, inclusive: false}\n    - {points: 5, above: 200",
                                        "{points: 3.5, above: 100, inclusive: false}\n    - {points: 5, above: 200"))
    line = dict(wendeng_policy(rubric))["第10、11项 区直"]
    assert "原文缺100–200万元档，按3.5分处理" in line and "按4分" not in line
    page = wendeng_markdown(rubric)
    assert "按3.5分处理" in page and "按4分处理" not in page


def test_a_band_splitting_the_missing_range_is_not_given_one_score(tmp_path):
    rubric = edited(WENDENG, tmp_path, ("{points: 5, above: 200, inclusive: false}\n\n#",
                                        "{points: 5, above: 150, inclusive: false}\n\n#"))
    line = dict(wendeng_policy(rubric))["第10、11项 区直"]
    assert "按所列档次处理" in line and "按4分" not in line


def test_the_recheck_line_in_the_ranking_policy_is_the_rubrics(tmp_path):
    rubric = edited(NAIMAN, tmp_path, ("recheck_tolerance: 0.05", "recheck_tolerance: 0.08"))
    ranking = dict(naiman_policy(rubric))["排名"]
    assert "复核8%线" in ranking and "5%" not in ranking


def test_notebook_comments_name_no_rubric_weight():
    """The comments a builder types stay true whatever the weights: '得分构成', not '0.7 × 客观数据'."""
    for notebook in (ROOT / "notebooks").rglob("*.ipynb"):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        comments = [line for c in cells if c["cell_type"] == "code"
                    for line in "".join(c["source"]).splitlines() if line.lstrip().startswith("#")]
        for line in comments:
            assert not re.search(r"\d+(\.\d+)?\s*×", line), f"{notebook.name}: {line}"


def test_naiman_fields_and_levels_in_messages_are_the_rubrics(tmp_path):
    """The suite names ``fields``/``eligible_levels``; the message lists the edited rubric's values."""
    rubric = edited(NAIMAN, tmp_path, ("fields: [心内科, 神经内科,", "fields: [神经内科,"),
                    ("eligible_levels: [一级, 二级, 三级]", "eligible_levels: [三级]"))
    shutil.copytree(ROOT / "data" / "naiman-specialty", tmp_path / "data" / "naiman-specialty")
    intake = take_in(NAIMAN, 2025, tmp_path / "data", rubric=rubric)
    rules = "\n".join(f"{p.rule_zh} | {p.rule_en}" for p in intake.errors)
    field = next(line for line in rules.splitlines() if line.startswith("建设方向"))
    assert "神经内科、神经外科" in field and "心内科、" not in field and "eight" not in field, field
    level = next(line for line in rules.splitlines() if line.startswith("只有医院级别"))
    assert "为三级（评分规则中的 eligible_levels）" in level and "level 三级 (rubric: eligible_levels)" in level, level
