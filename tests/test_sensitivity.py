"""Award stability: the year re-scored under the rubric's other readings (``scenarios``), sensitivity.csv and
the year page's 奖项稳定性 section.

The end-to-end case is a small wendeng cohort built from facts at the maximum of every item (rubric score 100,
see wendeng_fixtures.perfect_facts), with every expected number worked out by hand from the rules
(docs/rules/wendeng-featured.md) and the scenarios of rubrics/wendeng-featured.yaml:

district group, one project each (project score = its one expert's six-dimension sum):
- D1 perfect facts (R = 100), expert 50:  default 0.7·100 + 0.3·50 = 85
- D2 abstained from the contest (item 12 → 0: R = 90), expert 88:
      default (5 off the total):           0.7·90 + 0.3·88 − 5 = 63 + 26.4 − 5 = 84.4
      penalty_on_rubric (5 off R first):   0.7·(90 − 5) + 0.3·88 = 59.5 + 26.4 = 85.9  → first place
- D3 no year-end review (item 16 → 0: R = 95), expert 40: 0.7·95 + 0.3·40 = 66.5 + 12 = 78.5
primary group: P1 perfect facts, expert 70: 0.7·100 + 0.3·70 = 91.

Other readings on this cohort: weights 0.6/0.4 → D1 60 + 20 = 80, D2 54 + 35.2 − 5 = 84.2 (D2 first again),
D3 57 + 16 = 73; weights 0.8/0.2 → D1 80 + 10 = 90, D2 72 + 17.6 − 5 = 84.6, D3 76 + 8 = 84 (order kept);
district awards 1/2/3 → D3 (third) is inside 二等奖's two places: 二等奖 instead of 三等奖. Items 9, 10, 11 are at
their maximum either way (4 national reports, both media forms, 300万元), so those readings change nothing.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from csv_rows import read_rows
from evalbook.core.errors import InputError
from evalbook.core.registry import get_scheme
from evalbook.core.rubric import Rubric
from evalbook.core.scenarios import scenarios, variant
from evalbook.schemes.wendeng_featured.inputs import FACTS
from test_wendeng_cohort import dims
from wendeng_fixtures import perfect_facts_csv

REPO = Path(__file__).parents[1]
WENDENG = get_scheme("wendeng-featured")
DIMENSIONS = ("advantage", "work", "economic", "social", "difficulty", "risk")
UNITS = [  # code, name, group, changes to the perfect facts, the one expert's sum for its one project
    ("D1", "区人民医院", "district", {}, 50),
    ("D2", "区妇幼保健院", "district", {"contest_abstained": 1, "contest_best_award": "none", "contest_entries": 0}, 88),
    ("D3", "区口腔医院", "district", {"year_end_review": 0}, 40),
    ("P1", "宋村中心卫生院", "primary", {}, 70),
]


def write_cohort(data: Path) -> None:
    folder = data / "wendeng-featured"
    (folder / "2023").mkdir(parents=True)
    rows = [{"code": c, "name": n, "group": g} for c, n, g, _, _ in UNITS]
    _write(folder / "institutions.csv", ["code", "name", "group"], rows)
    facts = [{"code": c, **perfect_facts_csv(), **changes} for c, _, _, changes, _ in UNITS]
    _write(folder / "2023" / "facts.csv", [f.name for f in FACTS], facts)
    scores = [{"code": c, "project": f"{n}特色项目", "expert": "E01", **dims(total)} for c, n, _, _, total in UNITS]
    _write(folder / "2023" / "expert_scores.csv", ["code", "project", "expert", *DIMENSIONS], scores)


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in row.items() if k in header} for row in rows)


def evalbook(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalbook", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("stability")
    write_cohort(root / "data")
    done = evalbook("run", "wendeng-featured", "--year", "2023", "--data", str(root / "data"), "--out", str(root / "out"))
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "out" / "wendeng-featured" / "2023"


def rows_of(year: Path) -> dict[tuple[str, str], dict]:
    return {(r["scenario"], r["code"]): r for r in read_rows(year / "sensitivity.csv")}


def test_sensitivity_csv_has_the_contract_columns_and_every_scenario(published):
    with open(published / "sensitivity.csv", encoding="utf-8") as handle:
        assert handle.readline().strip() == "scenario,code,name,total,rank,award,prize_wan,passed"
    names = [s.name for s in scenarios(WENDENG.load_rubric(WENDENG.rubric_path()))]
    assert names[0] == "default" and "penalty_on_rubric" in names and "weights_60_40" in names
    rows = read_rows(published / "sensitivity.csv")
    assert [r["scenario"] for r in rows] == [n for n in names for _ in UNITS]  # scenario by scenario, units in order
    assert {r["passed"] for r in rows} == {""}  # wendeng has no pass line


def test_default_rows_are_the_published_scores(published):
    rows = rows_of(published)
    for unit in read_rows(published / "scores.csv"):
        mine = rows[("default", unit["code"])]
        assert (mine["name"], mine["total"], mine["rank"], mine["award"], mine["prize_wan"]) == \
               (unit["name"], unit["total"], unit["group_rank"], unit["award"], unit["prize_wan"])


@pytest.mark.parametrize(("scenario", "expected"), [
    ("default", {"D1": ("85", "1", "一等奖", "20"), "D2": ("84.4", "2", "二等奖", "10"), "D3": ("78.5", "3", "三等奖", "5"),
                 "P1": ("91", "1", "一等奖", "10")}),
    ("penalty_on_rubric", {"D1": ("85", "2", "二等奖", "10"), "D2": ("85.9", "1", "一等奖", "20"),
                           "D3": ("78.5", "3", "三等奖", "5")}),
    ("weights_60_40", {"D1": ("80", "2", "二等奖", "10"), "D2": ("84.2", "1", "一等奖", "20"), "D3": ("73", "3", "三等奖", "5"),
                       "P1": ("88", "1", "一等奖", "10")}),  # P1: 0.6·100 + 0.4·70 = 88
    ("weights_80_20", {"D1": ("90", "1", "一等奖", "20"), "D2": ("84.6", "2", "二等奖", "10"), "D3": ("84", "3", "三等奖", "5"),
                       "P1": ("94", "1", "一等奖", "10")}),  # P1: 0.8·100 + 0.2·70 = 94
    ("district_awards_1_2_3", {"D3": ("78.5", "3", "二等奖", "10")}),
    ("item9_deduct_then_cap", {"D2": ("84.4", "2", "二等奖", "10")}),
    ("first_band_exclusive", {"D1": ("85", "1", "一等奖", "20")}),
])
def test_scenario_rows_computed_by_hand(published, scenario, expected):
    rows = rows_of(published)
    for code, (total, rank, award, prize) in expected.items():
        row = rows[(scenario, code)]
        assert Decimal(row["total"]) == Decimal(total), (scenario, code)
        assert (row["rank"], row["award"], Decimal(row["prize_wan"] or 0)) == (rank, award, Decimal(prize)), (scenario, code)


def test_year_page_highlights_the_unit_whose_award_hangs_on_the_penalty_reading(published):
    page = (published / "index.html").read_text(encoding="utf-8")
    section = page[page.index("奖项稳定性"):]
    assert "放弃比武扣分扣在附件3得分（加权前）" in section  # the reading, by its label
    # D2: 二等奖 by default, 一等奖 under the penalty reading (and under 0.6/0.4): listed with the reading that changes it
    assert "区妇幼保健院：放弃比武扣分扣在附件3得分（加权前）时由“二等奖”变为“一等奖”（名次2→1）" in section
    rows = {name: tr for tr in section.split("<tr")[1:] for name in ("区人民医院", "区妇幼保健院", "区口腔医院", "宋村中心卫生院")
            if f">{name}<" in tr}
    # D2, and D1 (一等奖 → 二等奖 under the same reading) and D3 (二等奖 with 1/2/3 places) depend on a reading
    assert all(rows[name].startswith(' class="depends"') for name in ("区妇幼保健院", "区人民医院", "区口腔医院"))
    assert rows["宋村中心卫生院"].startswith(">")  # P1 keeps 一等奖 under every reading: not highlighted


def test_verify_reproduces_sensitivity_csv_and_catches_an_edit(published, tmp_path):
    done = evalbook("verify", str(published))
    assert done.returncode == 0, done.stdout + done.stderr
    copy = tmp_path / "wendeng-featured" / "2023"
    shutil.copytree(published.parent.parent, tmp_path, dirs_exist_ok=True)
    text = (copy / "sensitivity.csv").read_text(encoding="utf-8")
    (copy / "sensitivity.csv").write_text(text.replace("penalty_on_rubric,D2,区妇幼保健院,85.9,1,一等奖",
                                                       "penalty_on_rubric,D2,区妇幼保健院,84.4,2,二等奖"), encoding="utf-8")
    assert (copy / "sensitivity.csv").read_text(encoding="utf-8") != text
    done = evalbook("verify", str(copy))
    assert done.returncode == 1 and "sensitivity.csv" in done.stdout + done.stderr


# ------------------------------------------------------------------ the scenarios themselves (rules as data)

def _rubric(tmp_path: Path, scenarios_list) -> Path:
    data = yaml.safe_load((REPO / "rubrics" / "wendeng-featured.yaml").read_text(encoding="utf-8"))
    data["scenarios"] = scenarios_list
    path = tmp_path / "wendeng-featured.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _problems(path: Path) -> list:
    with pytest.raises(InputError) as caught:
        WENDENG.load_rubric(path)
    return caught.value.problems


def test_a_variant_overrides_number_keys_and_list_items_and_leaves_the_rubric_alone():
    rubric = WENDENG.load_rubric(WENDENG.rubric_path())
    other = variant(rubric, "x", {"items.12.params.penalty_applies_to": "rubric", "unit_awards.district.1.count": 2})
    assert other.data["items"][12]["params"]["penalty_applies_to"] == "rubric"
    assert other.data["unit_awards"]["district"][1]["count"] == 2
    assert rubric.data["items"][12]["params"]["penalty_applies_to"] == "total"  # the base is untouched
    assert rubric.data["unit_awards"]["district"][1]["count"] == 1
    assert "scenarios" not in other.data and other.sha256 == rubric.sha256 + "+x"
    assert isinstance(other, Rubric)


@pytest.mark.parametrize(("entry", "where", "zh"), [
    ({"name": "x", "label": "甲", "set": {"items.12.params.no_such_key": 1}}, "scenarios[0].set.items.12.params.no_such_key",
     "没有这个键路径"),
    ({"name": "x", "label": "甲", "set": {"weights.rubric": "0.6"}}, "scenarios[0].set.weights.rubric", "取值类型"),
    ({"name": "default", "label": "甲", "set": {"weights.rubric": 0.6}}, "scenarios[0].name", "不能是 default"),
    ({"name": "Weights", "label": "甲", "set": {"weights.rubric": 0.6}}, "scenarios[0].name", "小写英文字母开头"),
    ({"name": "x", "label": "", "set": {"weights.rubric": 0.6}}, "scenarios[0].label", "非空"),
    ({"name": "x", "label": "甲", "set": {}}, "scenarios[0].set", "非空"),
    ({"name": "x", "label": "甲", "set": {"scenarios.0.name": "y"}}, "scenarios[0].set.scenarios.0.name", "没有这个键路径"),
])
def test_a_malformed_scenario_is_a_rubric_error_naming_it(tmp_path, entry, where, zh):
    problems = _problems(_rubric(tmp_path, [entry]))
    assert any(p.row == where and zh in p.rule_zh and p.rule_en for p in problems), [(p.row, p.rule_zh) for p in problems]


def test_a_scenario_name_used_twice_is_an_error(tmp_path):
    entry = {"name": "x", "label": "甲", "set": {"weights.rubric": 0.6}}
    problems = _problems(_rubric(tmp_path, [entry, entry]))
    assert any(p.row == "scenarios[1].name" and "重复" in p.rule_zh for p in problems)


def test_a_variant_the_scheme_would_refuse_is_an_error_naming_the_scenario(tmp_path):
    entry = {"name": "both_totals", "label": "甲", "set": {"items.12.params.penalty_applies_to": "both"}}
    problems = _problems(_rubric(tmp_path, [entry]))
    assert len(problems) == 1
    assert "both_totals" in problems[0].row and "items.12.params.penalty_applies_to" in problems[0].row
    assert problems[0].value == "both" and "情景 both_totals" in problems[0].rule_zh
    assert "scenario both_totals" in problems[0].rule_en


def test_a_rubric_without_scenarios_gives_the_default_only(tmp_path):
    data = yaml.safe_load((REPO / "rubrics" / "wendeng-featured.yaml").read_text(encoding="utf-8"))
    del data["scenarios"]
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rubric = WENDENG.load_rubric(path)
    assert [s.name for s in scenarios(rubric)] == ["default"]
    assert not [line for line in WENDENG.policy_lines(rubric) if line[0] == "奖项稳定性分析"]


def test_the_policy_table_names_every_scenario():
    rubric = WENDENG.load_rubric(WENDENG.rubric_path())
    line = dict(WENDENG.policy_lines(rubric))["奖项稳定性分析"]
    for scenario in scenarios(rubric)[1:]:
        assert f"{scenario.label}（{scenario.name}）" in line


# ------------------------------------------------------------------ naiman: passes and recommendations

def test_naiman_demo_recommendation_hangs_on_the_flagged_reading():
    """NMMY 康复医学科 passed but was flagged 数据不实 by the 5 % recheck line (recheck.csv), so it is not recommended;
    under ``recommend_flagged`` it is. Its pass does not move: no scenario moves a total across 55, 60 or 65."""
    from evalbook.committee.sensitivity import stability
    from evalbook.run.batch import validate_year

    naiman = get_scheme("naiman-specialty")
    intake = validate_year("naiman-specialty", 2025, REPO / "data")
    result = stability(naiman, intake)
    table = result.table()
    assert list(table.columns) == ["scenario", "code", "name", "total", "rank", "award", "prize_wan", "passed"]
    assert table["prize_wan"].isna().all()  # no prize money in this scheme
    shifts = [(s.unit, s.scenario, s.award) for s in result.shifts]
    assert ("NMMY-康复医学科", "recommend_flagged", ("", "推荐")) in shifts
    default = table[table["scenario"] == "default"]
    row = default[default["name"] == "奈曼旗示例蒙医医院（示例） 康复医学科"].iloc[0]
    assert row["passed"] is True or row["passed"] == 1
    assert row["award"] == ""
