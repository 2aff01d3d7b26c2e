"""The expert registry (experts.csv) and recusal (应回避): the rules, the policy (exclude / keep) in both schemes'
scoring, the rubric key, and end to end through ``evalbook run`` and ``evalbook verify``. Expected values are computed
by hand from the demo rows quoted in the comments."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from csv_rows import edit_rows, read_rows
from evalbook.core.errors import InputError
from evalbook.core.registry import get_scheme
from evalbook.inputs.intake import take_in
from evalbook.schemes.wendeng_featured.scoring import project_scores

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
WENDENG, NAIMAN = get_scheme("wendeng-featured"), get_scheme("naiman-specialty")
REGISTRY_HEADER = "expert,name,institution,title\n"


def copy_scheme(tmp: Path, scheme: str, year: int) -> Path:
    """The demo's root files and one year of ``scheme`` under ``tmp``; returns the data folder."""
    source, target = DATA / scheme, tmp / scheme
    target.mkdir(parents=True)
    for f in source.iterdir():
        if f.is_file():
            shutil.copy2(f, target / f.name)
    shutil.copytree(source / str(year), target / str(year))
    return tmp


def problems_of(intake, file_end: str, column: str | None = None):
    return [p for p in intake.outcome.problems if p.file.endswith(file_end) and (column is None or p.column == column)]


# --------------------------------------------------------------------------- scoring under the policy

def test_wendeng_project_score_excludes_or_keeps_a_recused_score():
    # one project: E1 80 (6 dims 20+20+10+10+10+10), E2 80, E3 of the project's own institution 100 (20+20+15+15+15+15)
    frame = pd.DataFrame({"code": ["A"] * 3, "project": ["P"] * 3, "expert": ["E1", "E2", "E3"],
                          "advantage": [20, 20, 20], "work": [20, 20, 20], "economic": [10, 10, 15],
                          "social": [10, 10, 15], "difficulty": [10, 10, 15], "risk": [10, 10, 15],
                          "recused": [False, False, True]}).astype({d: object for d in ("advantage", "work")})
    excluded = project_scores(frame, exclude_recused=True)
    kept = project_scores(frame, exclude_recused=False)
    # exclude: (80 + 80) / 2 = 80 from 2 experts; keep: (80 + 80 + 100) / 3 = 260/3 = 86.67 from 3
    assert (excluded.loc[0, "project_score"], excluded.loc[0, "experts"]) == (80, 2)
    assert (kept.loc[0, "project_score"], kept.loc[0, "experts"]) == (Fraction(260, 3), 3)


@pytest.fixture(scope="module")
def naiman_recused(tmp_path_factory):
    """The naiman demo with a registry placing 专家B（示例） at NMRM (so their NMRM scores are recused)."""
    data = copy_scheme(tmp_path_factory.mktemp("naiman"), "naiman-specialty", 2025)
    # 专家B at NMRM (recused on NMRM's specialties); 专家C at NMFY (recused on 产科 and 妇科, each keeping A and B);
    # A, D and E at institutions they do not score
    homes = {"A": "NMRM", "B": "NMRM", "C": "NMFY", "D": "NMFY", "E": "NMFY"}
    lines = [f"专家{k}（示例）,专家{k},{home},主任医师" for k, home in homes.items()]
    (data / "naiman-specialty" / "experts.csv").write_text(REGISTRY_HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return data, take_in(NAIMAN, 2025, data)


def test_naiman_onsite_score_leaves_out_the_recused_expert(naiman_recused):
    data, intake = naiman_recused
    assert intake.errors == [], intake.errors
    # NMRM 心血管内科: 专家B 74, 83, 85 → 242/3; 专家C 88, 76, 92 → 256/3; 专家D 85, 84, 93 → 262/3
    # exclude 专家B: (256/3 + 262/3) / 2 = 259/3 = 86.33 (keep would be (242 + 256 + 262) / 9 = 760/9 = 84.44)
    units = NAIMAN.score(intake).units.set_index(["code", "specialty"])
    assert units.loc[("NMRM", "心血管内科"), "onsite_score"] == Fraction(259, 3)
    keep = intake.rubric.data | {"panel": {"recusal": "keep", "far_points": 15}}
    from dataclasses import replace
    kept = NAIMAN.score(replace(intake, rubric=replace(intake.rubric, data=keep))).units.set_index(["code", "specialty"])
    assert kept.loc[("NMRM", "心血管内科"), "onsite_score"] == Fraction(760, 9)
    # each NMRM score of 专家B is a bilingual warning naming onsite.csv, its row, the expert column and the value
    warned = [p for p in problems_of(intake, "onsite.csv", "expert") if p.severity == "warning" and "专家B" in p.value]
    onsite = read_rows(data / "naiman-specialty" / "2025" / "onsite.csv")
    lines = [i + 2 for i, r in enumerate(onsite) if r["code"] == "NMRM" and r["expert"] == "专家B（示例）"]
    assert sorted(p.row for p in warned) == lines and lines
    assert all("应回避" in p.rule_zh and "recused" in p.rule_en and p.value == "专家B（示例）" for p in warned)
    assert len([p for p in problems_of(intake, "onsite.csv", "expert") if p.severity == "warning"]) == len(lines) + 2


# --------------------------------------------------------------------------- the registry's rules

@pytest.fixture(scope="module")
def wendeng_copy(tmp_path_factory):
    def make(edit) -> object:
        data = copy_scheme(tmp_path_factory.mktemp("wendeng"), "wendeng-featured", 2023)
        edit(data / "wendeng-featured")
        return take_in(WENDENG, 2023, data)
    return make


def test_registry_duplicate_id_and_unknown_institution_are_bilingual_errors(wendeng_copy):
    def edit(folder):
        # line 3 (E02) becomes a second "e01" (E01 and e01 are one id); line 4 (E03) names an unknown institution
        edit_rows(folder / "experts.csv", {"expert": "E02"}, {"expert": "e01"})
        edit_rows(folder / "experts.csv", {"expert": "E03"}, {"institution": "NOPE"})
    intake = wendeng_copy(edit)
    errors = [p for p in intake.errors if p.file == "experts.csv"]
    duplicate = [p for p in errors if p.column == "expert"]
    unknown = [p for p in errors if p.column == "institution"]
    assert duplicate and all("不能重复" in p.rule_zh and "unique" in p.rule_en for p in duplicate)
    assert {p.row for p in duplicate} >= {3}
    assert [(p.row, p.value) for p in unknown] == [(4, "NOPE")]
    assert "institutions.csv" in unknown[0].rule_zh and "institutions.csv" in unknown[0].rule_en


def test_an_expert_missing_from_the_registry_is_an_error(wendeng_copy):
    intake = wendeng_copy(lambda folder: edit_rows(folder / "experts.csv", {"expert": "E12"}, delete=True))
    errors = problems_of(intake, "expert_scores.csv", "expert")
    first = 1 + next(i for i, r in enumerate(read_rows(DATA / "wendeng-featured/2023/expert_scores.csv"), 1)
                     if r["expert"] == "E12")
    assert [(p.severity, p.row, p.value) for p in errors] == [("error", first, "E12")]
    assert "专家库" in errors[0].rule_zh and "registry" in errors[0].rule_en


def test_a_project_whose_every_score_is_recused_is_an_error_and_each_score_a_warning(wendeng_copy):
    # 中医正骨手法复位 of WDZG is scored by E07 (line 2) and E11 (line 3) only: both placed at WDZG
    def edit(folder):
        edit_rows(folder / "experts.csv", {"expert": "E07"}, {"institution": "WDZG"})
        edit_rows(folder / "experts.csv", {"expert": "E11"}, {"institution": "WDZG"})
    intake = wendeng_copy(edit)
    found = problems_of(intake, "expert_scores.csv")
    warnings = [(p.row, p.value) for p in found if p.severity == "warning" and "应回避" in p.rule_zh]
    assert (2, "E07") in warnings and (3, "E11") in warnings
    errors = [p for p in found if p.is_error]
    assert [(p.row, p.column, p.value) for p in errors] == [(2, "project", "中医正骨手法复位")]
    assert "重新评分" in errors[0].rule_zh and "scored again" in errors[0].rule_en


def test_no_registry_means_no_registry_check_and_no_warning(tmp_path):
    data = copy_scheme(tmp_path, "wendeng-featured", 2023)
    (data / "wendeng-featured" / "experts.csv").unlink()
    intake = take_in(WENDENG, 2023, data)
    assert intake.errors == [] and not problems_of(intake, "experts.csv")
    assert not [p for p in intake.warnings if "应回避" in p.rule_zh]


# --------------------------------------------------------------------------- the rubric key

@pytest.mark.parametrize("scheme", [WENDENG, NAIMAN])
def test_rubric_panel_is_strict_and_printed(scheme, tmp_path):
    text = scheme.rubric_path().read_text(encoding="utf-8")
    assert "recusal: exclude" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("recusal: exclude", "recusal: sometimes"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        scheme.load_rubric(bad)
    assert any(p.row == "panel.recusal" for p in caught.value.problems)
    missing = tmp_path / "missing.yaml"
    missing.write_text(text.replace("  far_points: 15\n", ""), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        scheme.load_rubric(missing)
    assert any(p.row == "panel.far_points" for p in caught.value.problems)
    lines = dict(scheme.policy_lines(scheme.load_rubric(scheme.rubric_path())))
    assert "不计入" in lines["专家回避"] and "15分" in lines["专家评分偏离"]


# --------------------------------------------------------------------------- end to end

def evalbook(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalbook", *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"}, timeout=900)


def test_run_shows_the_recusal_in_panel_csv_and_the_report_and_verify_passes(tmp_path):
    data = copy_scheme(tmp_path / "data", "wendeng-featured", 2023)
    edit_rows(data / "wendeng-featured" / "experts.csv", {"expert": "E07"}, {"institution": "WDZG"})
    out = tmp_path / "out"
    done = evalbook("run", "wendeng-featured", "--year", "2023", "--data", str(data), "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    year = out / "wendeng-featured" / "2023"
    panel = read_rows(year / "panel.csv")
    assert list(panel[0]) == ["code", "subject", "expert", "score", "panel_mean", "panel_sd", "deviation", "flag"]
    # E07 on 中医正骨手法复位: 17 + 16.5 + 12 + 12.5 + 12.5 + 12.5 = 83, recused; E11: 17 + 17.5 + 13.5 + 14 + 15 + 14 = 91
    # exclude → the project's score is E11's 91 alone (sd 0.00); E07 deviates 83 − 91 = −8 (within 15): flag 应回避 only
    assert panel[0] == {"code": "WDZG", "subject": "中医正骨手法复位", "expert": "E07", "score": "83.0",
                        "panel_mean": "91.0", "panel_sd": "0.00", "deviation": "-8.0", "flag": "应回避"}
    assert panel[1]["flag"] == "" and panel[1]["deviation"] == "0.0"
    project = next(r for r in read_rows(year / "project_scores.csv") if r["project"] == "中医正骨手法复位")
    assert (project["project_score"], project["experts"]) == ("91.0", "1")
    assert "应回避" in (year / "WDZG" / "report.html").read_text(encoding="utf-8")
    assert "应回避" in (year / "index.html").read_text(encoding="utf-8")
    verified = evalbook("verify", str(year))
    assert verified.returncode == 0, verified.stdout + verified.stderr


# --------------------------------------------------------------------------- the demo registry

def test_no_demo_expert_scores_a_project_of_their_own_institution():
    registry = {r["expert"]: r["institution"] for r in read_rows(DATA / "wendeng-featured" / "experts.csv")}
    codes = {r["code"] for r in read_rows(DATA / "wendeng-featured" / "institutions.csv")}
    assert len(registry) == 12 and set(registry.values()) <= codes
    for year in (2022, 2023):
        scores = read_rows(DATA / "wendeng-featured" / str(year) / "expert_scores.csv")
        assert {r["expert"] for r in scores} <= set(registry)
        assert [r for r in scores if registry[r["expert"]] == r["code"]] == []
