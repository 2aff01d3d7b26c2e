"""Strict loading of the wendeng-featured rubric, the penalty policy, and the printed 评分口径.

docs/rules/wendeng-featured.md: every [policy] decision lives in the rubric file (data, not code), is printed in
the reports ("评分口径") and can be changed by an evaluator without touching Python; loading is
strict, an unknown or missing key is an error (``InputError`` whose problem's ``row`` is the
key path), never a default.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from evalbook.core.errors import InputError
from evalbook.schemes.wendeng_featured.rubric import load_rubric, policy_lines
from evalbook.schemes.wendeng_featured.scoring import score_cohort
from wendeng_fixtures import perfect_facts

RUBRIC_PATH = Path(__file__).resolve().parents[1] / "rubrics" / "wendeng-featured.yaml"
SHIPPED = yaml.safe_load(RUBRIC_PATH.read_text(encoding="utf-8"))


def write_rubric(tmp_path: Path, change: Callable[[dict], Any] | None = None, name: str = "rubric.yaml") -> Path:
    """A copy of the shipped rubric, changed by ``change(data)`` (in place), dumped as YAML."""
    data = copy.deepcopy(SHIPPED)
    if change is not None:
        change(data)
    path = tmp_path / name
    path.write_text(yaml.dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def problems_of(path: Path) -> list:
    with pytest.raises(InputError) as info:
        load_rubric(path)
    assert info.value.problems, "InputError without problems"
    for p in info.value.problems:
        assert p.severity == "error" and p.rule_zh.strip() and p.rule_en.strip()
    return info.value.problems


def rows(problems) -> list:
    return [p.row for p in problems]


# --------------------------------------------------------------------------- the shipped rubric

def test_shipped_rubric_loads():
    rubric = load_rubric(RUBRIC_PATH)
    assert rubric["scheme"] == "wendeng-featured"
    assert sorted(rubric["items"]) == list(range(1, 17))
    assert len(rubric.sha256) == 64


def test_round_tripped_copy_loads(tmp_path):
    assert load_rubric(write_rubric(tmp_path)).data == SHIPPED


# --------------------------------------------------------------------------- strictness

def delete(*path):
    def change(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return change


def put(value, *path):
    def change(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


def rename(new, *path):
    def change(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        node[new] = node.pop(path[-1])
    return change


def add_item_17(data):
    data["items"][17] = copy.deepcopy(data["items"][16])


def names(expected: str) -> Callable[[Any], bool]:
    return lambda row: row == expected


def names_top_level(key: str) -> Callable[[Any], bool]:
    # a top-level key may be reported bare or under the file's root ("rubric.<key>")
    return lambda row: row in (key, f"rubric.{key}")


# (id, change, predicate on the problem's row, value expected in that problem or ...)
BROKEN = [
    ("unknown-top-level-key", put(1, "bonus_points"), names_top_level("bonus_points"), ...),
    ("missing-top-level-key", delete("deadlines"), names_top_level("deadlines"), ...),
    ("missing-weights", delete("weights"), names_top_level("weights"), ...),
    ("item-param-typo", rename("per_missing_quarterz", "items", 3, "params", "per_missing_quarter"),
     names("items.3.params.per_missing_quarterz"), ...),
    ("item-param-typo-also-missing", rename("per_missing_quarterz", "items", 3, "params", "per_missing_quarter"),
     names("items.3.params.per_missing_quarter"), ...),
    ("item-param-missing", delete("items", 6, "params", "per_non_senior_session"),
     names("items.6.params.per_non_senior_session"), ...),
    ("item-param-unknown", put(3, "items", 12, "params", "bonus"), names("items.12.params.bonus"), ...),
    ("item-17", add_item_17, names("items.17"), ...),
    ("item-missing", delete("items", 8), names("items.8"), ...),
    ("item-key-unknown", put("x", "items", 5, "note"), names("items.5.note"), ...),
    ("item-9-order", put("sometimes", "items", 9, "params", "order"), names("items.9.params.order"), "sometimes"),
    ("item-12-penalty-target", put("both", "items", 12, "params", "penalty_applies_to"),
     names("items.12.params.penalty_applies_to"), "both"),
    ("item-param-not-a-number", put("two", "items", 1, "params", "leader_not_head"),
     names("items.1.params.leader_not_head"), "two"),
    ("item-param-bool", put(True, "items", 1, "params", "leader_not_head"),
     names("items.1.params.leader_not_head"), True),
    ("band-without-inclusive", delete("funding_bands", "primary", 2, "inclusive"),
     names("funding_bands.primary[2].inclusive"), ...),
    ("band-inclusive-not-bool", put("yes", "funding_bands", "district", 0, "inclusive"),
     names("funding_bands.district[0].inclusive"), "yes"),
    ("band-negative-above", put(-5, "funding_bands", "primary", 0, "above"),
     names("funding_bands.primary[0].above"), -5),
    ("negative-item-max", put(-6, "items", 5, "max"), names("items.5.max"), -6),
    ("negative-dimension-max", put(-1, "expert_dimensions", "risk", "max"), names("expert_dimensions.risk.max"), -1),
    ("negative-weight", put(-0.3, "weights", "expert"), names("weights.expert"), -0.3),
    ("negative-prize", put(-10, "unit_awards", "primary", 0, "prize_wan"), names("unit_awards.primary[0].prize_wan"), -10),
    ("ties-split", put("split", "ranking", "ties"), names("ranking.ties"), "split"),
    ("ranking-order-unknown", put(["total", "luck"], "ranking", "order"), names("ranking.order"), "luck"),
    ("judgment-item-not-an-item", put([4, 7, 8, 15, 16, 99], "judgments", "items"), names("judgments.items"), 99),
    ("judgment-step-zero", put(0, "judgments", "step"), names("judgments.step"), 0),
    ("deadline-typo", rename("ledger_day", "deadlines", "ledger_day_of_next_month"), names("deadlines.ledger_day"), ...),
    ("wrong-scheme", put("naiman-specialty", "scheme"), names("scheme"), "naiman-specialty"),
]


@pytest.mark.parametrize("change, is_row, value", [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_broken_rubric_names_the_key(tmp_path, change, is_row, value):
    problems = problems_of(write_rubric(tmp_path, change))
    hits = [p for p in problems if is_row(p.row)]
    assert hits, f"no problem at the key; rows: {rows(problems)}"
    if value is not ...:
        assert any(p.value == value and type(p.value) is type(value) for p in hits), [p.value for p in hits]


# A value of the wrong type where a list is expected must still be reported as a problem at its
# key (InputError), not escape as a Python traceback.
WRONG_TYPE = [
    ("ranking-order-not-a-list", put(5, "ranking", "order"), "ranking.order"),
    ("judgment-items-not-a-list", put(4, "judgments", "items"), "judgments.items"),
    ("unit-award-tiers-not-a-list", put(5, "unit_awards", "district"), "unit_awards.district"),
]
@pytest.mark.parametrize("change, row", [pytest.param(*c[1:], id=c[0]) for c in WRONG_TYPE])
def test_value_of_the_wrong_type_is_a_problem_at_its_key(tmp_path, change, row):
    problems = problems_of(write_rubric(tmp_path, change))
    assert row in rows(problems) or any(str(r).startswith(row) for r in rows(problems)), rows(problems)


def test_deadline_day_not_a_number_is_a_problem(tmp_path):
    problems = problems_of(write_rubric(tmp_path, put("five", "deadlines", "ledger_day_of_next_month")))
    assert "deadlines.ledger_day_of_next_month" in rows(problems)


def test_all_problems_are_reported_together(tmp_path):
    def change(data):
        data["items"][9]["params"]["order"] = "sometimes"
        data["ranking"]["ties"] = "split"
        del data["items"][6]["params"]["per_non_senior_session"]

    problems = problems_of(write_rubric(tmp_path, change))
    assert {"items.9.params.order", "ranking.ties", "items.6.params.per_non_senior_session"} <= set(rows(problems))


def test_problem_file_is_the_rubric_path(tmp_path):
    path = write_rubric(tmp_path, put("split", "ranking", "ties"))
    assert {p.file for p in problems_of(path)} == {str(path)}


@pytest.mark.parametrize("text", ["scheme: wendeng-featured\nitems: {1: [\n", "a: b: c\n", "\tscheme: x\n"],
                         ids=["unclosed", "nested-colon", "tab-indent"])
def test_not_yaml_is_an_input_error(tmp_path, text):
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    assert problems_of(path)


def test_not_utf8_is_an_input_error(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_bytes(RUBRIC_PATH.read_text(encoding="utf-8").encode("gb18030"))
    assert problems_of(path)


@pytest.mark.parametrize("text", ["- scheme\n- items\n", "just a sentence\n", "", "42\n"],
                         ids=["list", "string", "empty", "number"])
def test_top_level_not_a_mapping_is_an_input_error(tmp_path, text):
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    assert problems_of(path)


def test_missing_rubric_file_is_an_input_error(tmp_path):
    assert problems_of(tmp_path / "nope.yaml")


# --------------------------------------------------------------------------- penalty_applies_to

def abstainer_cohort():
    """One primary institution at the maximum of every item except item 12 (abstained)."""
    # every item at its maximum except item 12 (abstained → 0): rubric score 100 − 10 = 90; penalty 5
    facts = {"code": "P1", **perfect_facts(), "contest_abstained": True, "contest_best_award": "none", "contest_entries": 0}
    institutions = pd.DataFrame([("P1", "宋村中心卫生院", "primary")], columns=["code", "name", "group"])
    judgments = pd.DataFrame({"code": pd.Series(dtype=object), "item": pd.Series(dtype="int64"),
                              "points": pd.Series(dtype="float64"), "reason": pd.Series(dtype=object),
                              "evaluator": pd.Series(dtype=object)})
    # one project, two experts: 80 and 90 → project score 85 → unit expert score 85
    experts = pd.DataFrame([
        ("P1", "中医康复", "专家1", 16.0, 16.0, 12.0, 12.0, 12.0, 12.0),   # 80
        ("P1", "中医康复", "专家2", 18.0, 18.0, 13.5, 13.5, 13.5, 13.5),   # 90
    ], columns=["code", "project", "expert", "advantage", "work", "economic", "social", "difficulty", "risk"])
    return institutions, pd.DataFrame([facts]), judgments, experts


def test_penalty_on_the_rubric_score_when_the_policy_says_rubric(tmp_path):
    rubric = load_rubric(write_rubric(tmp_path, put("rubric", "items", 12, "params", "penalty_applies_to")))
    unit = score_cohort(*abstainer_cohort(), rubric).units.iloc[0]
    assert unit["rubric_score"] == pytest.approx(90)
    assert unit["expert_score"] == pytest.approx(85)
    assert unit["penalty"] == pytest.approx(5)
    # 0.7 × (90 − 5) + 0.3 × 85 = 59.5 + 25.5 = 85.0
    assert unit["total"] == pytest.approx(85.0)


def test_penalty_on_the_total_by_default():
    unit = score_cohort(*abstainer_cohort(), load_rubric(RUBRIC_PATH)).units.iloc[0]
    # 0.7 × 90 + 0.3 × 85 − 5 = 63 + 25.5 − 5 = 83.5
    assert unit["total"] == pytest.approx(83.5)


def test_abstain_penalty_amount_comes_from_the_rubric(tmp_path):
    rubric = load_rubric(write_rubric(tmp_path, put(3, "items", 12, "params", "abstain_penalty")))
    unit = score_cohort(*abstainer_cohort(), rubric).units.iloc[0]
    # 0.7 × 90 + 0.3 × 85 − 3 = 85.5
    assert unit["penalty"] == pytest.approx(3)
    assert unit["total"] == pytest.approx(85.5)


# --------------------------------------------------------------------------- 评分口径 (policy_lines)

def lines_of(rubric) -> dict[str, str]:
    lines = policy_lines(rubric)
    assert all(isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in lines)
    return dict(lines)


DEFAULT_LINES = lines_of(load_rubric(RUBRIC_PATH))


def test_default_policy_lines_mention_each_policy():
    text = "\n".join(DEFAULT_LINES.values())
    assert "总成绩" in DEFAULT_LINES["放弃比武扣分"] and "扣5分" in DEFAULT_LINES["放弃比武扣分"]
    assert "0.7" in DEFAULT_LINES["总成绩"] and "0.3" in DEFAULT_LINES["总成绩"]
    assert "2分" in DEFAULT_LINES["第2项"] and "1分" in DEFAULT_LINES["第2项"]
    assert "5分" in DEFAULT_LINES["第4项"]
    assert "先封顶再扣" in DEFAULT_LINES["第9项"]
    assert "≥10万元得1分" in DEFAULT_LINES["第10、11项 区直"] and ">100万元得4分" in DEFAULT_LINES["第10、11项 区直"]
    assert "≥5万元得1分" in DEFAULT_LINES["第10、11项 基层"] and ">10万元得2分" in DEFAULT_LINES["第10、11项 基层"]
    assert "8" in DEFAULT_LINES["第14项"]
    assert "4、7、8、15、16" in DEFAULT_LINES["视情扣分"] and "0.5" in DEFAULT_LINES["视情扣分"]
    assert "0分" in DEFAULT_LINES["无评分项目的机构"]
    assert "并列" in DEFAULT_LINES["排名与并列"]
    assert "一等奖1名（20万元）" in DEFAULT_LINES["单位奖名额（一组）"]
    assert "二等奖2名（8万元）" in DEFAULT_LINES["单位奖名额（二组）"]
    assert "特等奖1名（8万元）" in DEFAULT_LINES["项目奖名额（一组）"]
    assert "三等奖3名（2万元）" in DEFAULT_LINES["项目奖名额（二组）"]
    assert "60" in DEFAULT_LINES["优秀奖"]
    assert "2023.1" in text


# (id, change, line, text in the changed line)
POLICY_CHANGES = [
    ("penalty-target", put("rubric", "items", 12, "params", "penalty_applies_to"), "放弃比武扣分", "附件3得分"),
    ("penalty-amount", put(3, "items", 12, "params", "abstain_penalty"), "放弃比武扣分", "扣3分"),
    ("weights", put(0.6, "weights", "rubric"), "总成绩", "0.6"),
    ("item-2-missing", put(3, "items", 2, "params", "per_missing_meeting"), "第2项", "每次扣3分"),
    ("item-2-replaced", put(0.5, "items", 2, "params", "per_replaced_meeting"), "第2项", "每次扣0.5分"),
    ("item-4-cap", put(3, "items", 4, "params", "judgment_cap"), "第4项", "3分"),
    ("item-9-order", put("deduct_then_cap", "items", 9, "params", "order"), "第9项", "先扣"),
    ("band-inclusive", put(False, "funding_bands", "primary", 0, "inclusive"), "第10、11项 基层", ">5万元得1分"),
    ("band-100-200", put(120, "funding_bands", "district", 3, "above"), "第10、11项 区直", "120万元得4分"),
    ("judgment-step", put(1, "judgments", "step"), "视情扣分", "1分的整数倍"),
    ("judgment-items", put([4, 7], "judgments", "items"), "视情扣分", "第4、7项"),
    ("unscored", put(50, "unscored_unit_expert_score"), "无评分项目的机构", "50分"),
    ("unit-award-count", put(3, "unit_awards", "primary", 1, "count"), "单位奖名额（二组）", "二等奖3名"),
    ("project-award-prize", put(9, "project_awards", "district", 0, "prize_wan"), "项目奖名额（一组）", "特等奖1名（9万元）"),
    ("excellence-min", put(70, "project_awards", "excellence", "min_score"), "优秀奖", "70分"),
    ("ranking-order", put(["total", "expert_score", "rubric_score"], "ranking", "order"), "排名与并列",
     "总成绩、专家得分、附件3得分"),
    ("item-14-amounts", put(2, "items", 14, "params", "per_slack_finding"), "第14项", "2"),
]


def policy_case(case):
    return pytest.param(*case, id=case[0])


@pytest.mark.parametrize("key, change, line, expected", [policy_case(c) for c in POLICY_CHANGES])
def test_policy_lines_follow_the_rubric(tmp_path, key, change, line, expected):
    changed = lines_of(load_rubric(write_rubric(tmp_path, change)))
    assert changed[line] != DEFAULT_LINES[line], f"{line} did not change: {changed[line]}"
    assert expected in changed[line], changed[line]
    assert expected not in DEFAULT_LINES[line]
    others = {k for k in DEFAULT_LINES if changed.get(k) != DEFAULT_LINES[k]}
    assert others == {line}
