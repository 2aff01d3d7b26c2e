"""End to end for naiman-specialty: the real CLI through papermill on the demo data (2025).

Expected verdicts were computed independently of the package when the demo data were made
(scripts/make_naiman_demo.py checks them with its own arithmetic): 妇科 (NMFY) fails at 30.82;
康复医学科 (NMMY) passes but a recheck differs by 11 % (> 5 %) → 数据不实 → not recommended.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from csv_rows import read_rows as rows

REPO = Path(__file__).resolve().parents[1]
SCHEME = "naiman-specialty"


def evalbook(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalbook", *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"}, timeout=600)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("naiman") / "out"
    return out, evalbook("run", SCHEME, "--year", "2025", "--out", str(out))


def test_run_writes_the_contract(built):
    out, result = built
    assert result.returncode == 0, result.stdout + result.stderr
    year = out / SCHEME / "2025"
    assert (year / "scores.csv").read_text(encoding="utf-8").splitlines()[0] == \
        "code,name,specialty,objective_score,onsite_score,total,passed,rank,recommended"
    assert (year / "indicator_scores.csv").read_text(encoding="utf-8").splitlines()[0] == \
        "code,specialty,indicator,baseline,target,actual,attainment,weight"
    for name in ("index.html", "audit.html", "results.xlsx", "manifest.json", "cohort.ipynb"):
        assert (year / name).is_file()
    units = rows(year / "scores.csv")
    assert len(units) == 7                                  # building specialties only; 2 candidates not scored
    for u in units:
        folder = year / f"{u['code']}-{u['specialty']}"
        for name in ("report.html", "audit.html", "specialty.ipynb", "manifest.json", "result.json"):
            assert (folder / name).is_file(), (folder, name)
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["notebooks"][0]["notebook"] == "notebooks/naiman-specialty/specialty.ipynb"
        assert manifest["notebooks"][0]["parameters"]["specialty"] == u["specialty"]


def test_verdicts_and_recommendations(built):
    out, _ = built
    units = {(u["code"], u["specialty"]): u for u in rows(out / SCHEME / "2025" / "scores.csv")}
    assert units[("NMFY", "妇科")]["passed"] == "0" and float(units[("NMFY", "妇科")]["total"]) == pytest.approx(30.82, abs=0.01)
    assert units[("NMMY", "康复医学科")]["passed"] == "1" and units[("NMMY", "康复医学科")]["recommended"] == "0"
    assert units[("NMMY", "骨伤科")]["rank"] == "1"
    assert float(units[("NMMY", "骨伤科")]["total"]) == pytest.approx(85.89, abs=0.01)
    for u in units.values():   # total = 0.7 × objective + 0.3 × on-site
        assert float(u["total"]) == pytest.approx(0.7 * float(u["objective_score"]) + 0.3 * float(u["onsite_score"]))


def test_indicator_weights_sum_to_100_per_specialty(built):
    out, _ = built
    sums: dict = {}
    for r in rows(out / SCHEME / "2025" / "indicator_scores.csv"):
        sums[(r["code"], r["specialty"])] = sums.get((r["code"], r["specialty"]), 0) + float(r["weight"])
        assert 0 <= float(r["attainment"]) <= 1
    assert len(sums) == 7 and all(s == pytest.approx(100) for s in sums.values())


def test_reports_show_warnings_candidates_and_the_survey(built):
    out, _ = built
    year = out / SCHEME / "2025"
    index = (year / "index.html").read_text(encoding="utf-8")
    assert "候选专科" in index and "脑病科" in index and "肿瘤科" in index
    report = (year / "NMRM-神经内科" / "report.html").read_text(encoding="utf-8")
    assert "负向指标较基线变差" in report and "2.3.6" in report
    flagged = (year / "NMMY-康复医学科" / "report.html").read_text(encoding="utf-8")
    assert "数据不实" in flagged and "1.1.4ICU床位数及占本科室开放床位数比" in flagged   # the survey's own label
    assert "<script" not in flagged.lower()


def test_bad_indicator_value_names_institution_specialty_period_and_indicator(tmp_path, built):
    out, _ = built
    before = sorted(p.name for p in (out / SCHEME / "2025").iterdir())
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / SCHEME, data / SCHEME)
    path = data / SCHEME / "2025" / "indicators.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    target = next(i for i, line in enumerate(lines) if ",2025,2.3.6," in line and line.startswith("NMRM,心血管内科"))
    lines[target] = "NMRM,心血管内科,2025,2.3.6,120"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = evalbook("run", SCHEME, "--year", "2025", "--data", str(data), "--out", str(out))
    assert result.returncode == 1
    text = result.stdout
    assert f"第{target + 1}行" in text and "机构 NMRM" in text and "专科 心血管内科" in text and "统计期 2025" in text
    assert "2.3.6 住院患者出院后31天非预期再住院率" in text and "'120'" in text and "百分比应在0至100之间" in text
    assert sorted(p.name for p in (out / SCHEME / "2025").iterdir()) == before


def test_verify_reproduces_every_specialty_and_names_a_forged_total(built, tmp_path):
    """A copy of the year with NMFY 妇科's total (30.82, a fail: module doc) made a pass on its page and the
    page's hash rewritten in its manifest: that report differs from its notebook, the year's list names the
    rewritten manifest, the six other reports are identical."""
    import hashlib

    out, _ = built
    year = tmp_path / SCHEME / "2025"
    shutil.copytree(out / SCHEME / "2025", year)
    demo = REPO / "data" / SCHEME / "DEMO.md"  # the 示例数据 banner's source is published with the inputs
    assert (year / "inputs" / hashlib.sha256(demo.read_bytes()).hexdigest()).read_bytes() == demo.read_bytes()
    folder = year / "NMFY-妇科"
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "30.82" in page
    (folder / "report.html").write_text(page.replace("30.82", "60.82", 1), encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs"]["report.html"] = hashlib.sha256((folder / "report.html").read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    result = evalbook("verify", str(year))
    text = result.stdout + result.stderr
    assert result.returncode == 1, text
    assert "✗ NMFY-妇科: 不一致 differs" in text and "report.html: 与 specialty.ipynb 重新生成的页面不同" in text
    assert "60.82" in text and "30.82" in text
    assert "NMFY-妇科/manifest.json: sha256 与清单不符 does not match the manifest" in text
    others = [u for u in rows(year / "scores.csv") if (u["code"], u["specialty"]) != ("NMFY", "妇科")]
    assert len(others) == 6
    for u in others:
        assert f"✓ {u['code']}-{u['specialty']}: 一致 identical" in text, text
    assert "核验未通过：2/8项不能复现" in text
