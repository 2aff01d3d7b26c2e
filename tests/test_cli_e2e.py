"""End to end: the real `evalbook` CLI, through papermill and nbconvert, on a small cohort built here.

Five institutions whose scores are computed by hand below from docs/rules/wendeng-featured.md. The runs are
shared by the tests of this module (module-scoped) because each one starts kernels.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wendeng_fixtures import perfect_facts_csv

REPO = Path(__file__).resolve().parents[1]
SCHEME = "wendeng-featured"
FACT_COLUMNS = ["code", "leading_group", "leader_is_head", "group_document", "party_meeting_halves", "party_agenda_items",
                "group_meeting_quarters", "meetings_without_decisions", "work_plan", "ledger_with_targets", "trainees_3m",
                "expert_sessions", "sessions_non_senior", "mdt_group", "tech_lead", "publicity_forms", "staff_unaware",
                "media_forms", "reports_district", "reports_city", "reports_province", "reports_national",
                "internal_funds_wan", "external_funds_wan", "contest_abstained", "contest_best_award", "contest_entries",
                "superior_team_ranks", "superior_individual_ranks", "slack_findings", "mismatch_findings",
                "rectified_on_time", "late_submissions", "year_end_review"]
PERFECT = perfect_facts_csv()  # every item at its maximum: rubric score 100 (wendeng_fixtures)
HOSTILE = '<img src=x onerror=alert(1)>总结不够深入'


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def dims(total_share: float) -> list[float]:
    """Six dimensions at the same share of their maxima (20,20,15,15,15,15): sum = 100 × share."""
    return [20 * total_share, 20 * total_share, 15 * total_share, 15 * total_share, 15 * total_share, 15 * total_share]


def build_cohort(root: Path) -> None:
    base = root / SCHEME
    _write(base / "institutions.csv", ["code", "name", "group"],
           [["D1", "甲区直医院", "district"], ["D2", "乙区直医院", "district"],
            ["P1", "<b>丙</b>卫生院", "primary"], ["P2", "丁卫生院", "primary"], ["P3", "=1+2卫生院", "primary"]])
    facts = {code: dict(PERFECT) for code in ("D1", "D2", "P1", "P2", "P3")}
    facts["D2"]["leading_group"] = 0          # item 1 → 0: rubric 100 − 5 = 95
    facts["D2"]["leader_is_head"] = 0
    facts["D2"]["group_document"] = 0
    facts["P2"].update(contest_abstained=1, contest_best_award="none", contest_entries=0)  # item 12 → 0, penalty 5: 90
    facts["P3"]["trainees_3m"] = 0            # item 5 → 0: 100 − 6 = 94
    _write(base / "2023" / "facts.csv", FACT_COLUMNS, [[code] + [f[c] for c in FACT_COLUMNS[1:]] for code, f in facts.items()])
    # D2 item 16: 5 − 0.5 = 4.5, so D2's rubric score is 95 − 0.5 = 94.5
    _write(base / "2023" / "judgments.csv", ["code", "item", "points", "reason", "evaluator"],
           [["D2", 16, 0.5, HOSTILE, "评审甲"]])
    experts = [["D1", "项目A", "E1", *dims(0.8)], ["D1", "项目A", "E2", *dims(0.9)],    # (80 + 90) / 2 = 85
               ["D2", "项目B", "E1", *dims(0.7)], ["D2", "项目C", "E1", *dims(1.0)],    # unit: (70 + 100) / 2 = 85
               ["P1", "项目D", "E1", *dims(0.6)],                                       # 60
               ["P2", "项目E", "E1", *dims(0.8)],                                       # 80
               ["P3", "项目F", "E1", *dims(0.9)]]                                       # 90
    _write(base / "2023" / "expert_scores.csv",
           ["code", "project", "expert", "advantage", "work", "economic", "social", "difficulty", "risk"], experts)
    _write(base / "2023" / "project_stats.csv",
           ["code", "project", "year", "staff", "workload", "revenue_wan", "training_3m", "expert_sessions", "investment_wan"],
           [["D1", "项目A", 2022, 5, 1000, 50.5, 1, 4, 20], ["D1", "项目A", 2023, 6, 1500, 60, 2, 5, 30]])
    _write(base / "2023" / "ledger.csv",
           ["code", "project", "month", "work_done", "difficulties", "next_steps", "submitted_on"],
           [["D1", "项目A", "2023-03", "<script>alert('x')</script>开展义诊", "", '=HYPERLINK("http://x.invalid","y")',
             "2023-04-03"]])


# Hand-computed results (docs/rules/wendeng-featured.md: total = 0.7 × rubric + 0.3 × expert − penalty):
EXPECTED = {
    "D1": dict(rubric_score=100, expert_score=85, penalty=0, total=0.7 * 100 + 0.3 * 85,  # 95.5
               group_rank=1, award="一等奖", prize_wan=20),
    "D2": dict(rubric_score=94.5, expert_score=85, penalty=0, total=0.7 * 94.5 + 0.3 * 85,  # 91.65
               group_rank=2, award="二等奖", prize_wan=10),
    "P3": dict(rubric_score=94, expert_score=90, penalty=0, total=0.7 * 94 + 0.3 * 90,  # 92.8
               group_rank=1, award="一等奖", prize_wan=10),
    "P1": dict(rubric_score=100, expert_score=60, penalty=0, total=0.7 * 100 + 0.3 * 60,  # 88
               group_rank=2, award="二等奖", prize_wan=8),
    "P2": dict(rubric_score=90, expert_score=80, penalty=5, total=0.7 * 90 + 0.3 * 80 - 5,  # 82
               group_rank=3, award="二等奖", prize_wan=8),
}
# Projects by score within group: district C 100 特等奖 8, A 85 一等奖 6, B 70 二等奖 4;
# primary F 90 特等奖 5, E 80 一等奖 4, D 60 二等奖 3.
EXPECTED_PROJECTS = {("D2", "项目C"): (100, 1, "特等奖", 8), ("D1", "项目A"): (85, 2, "一等奖", 6),
                     ("D2", "项目B"): (70, 3, "二等奖", 4), ("P3", "项目F"): (90, 1, "特等奖", 5),
                     ("P2", "项目E"): (80, 2, "一等奖", 4), ("P1", "项目D"): (60, 3, "二等奖", 3)}


def evalbook(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "evalbook", *args], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=600)


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    data, out = root / "data", root / "out"
    build_cohort(data)
    result = evalbook("run", SCHEME, "--year", "2023", "--data", str(data), "--out", str(out))
    return data, out, result


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_run_succeeds_and_writes_every_file(built):
    data, out, result = built
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    year = out / SCHEME / "2023"
    for name in ("scores.csv", "project_scores.csv", "index.html", "results.xlsx", "manifest.json", "validation.json",
                 "cohort.ipynb"):
        assert (year / name).is_file(), name
    for code in EXPECTED:
        for name in ("report.html", "audit.html", "institution.ipynb", "manifest.json"):
            assert (year / code / name).is_file(), (code, name)


def test_scores_csv_has_the_contract_columns_and_hand_computed_values(built):
    _, out, _ = built
    path = out / SCHEME / "2023" / "scores.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == ["code", "name", "group", *[f"item_{n:02d}" for n in range(1, 17)], "penalty", "rubric_score",
                      "expert_score", "total", "group_rank", "award", "prize_wan"]
    rows = {r["code"]: r for r in read_csv(path)}
    assert set(rows) == set(EXPECTED)
    for code, expected in EXPECTED.items():
        row = rows[code]
        for key in ("rubric_score", "expert_score", "penalty", "total", "prize_wan"):
            assert float(row[key]) == pytest.approx(expected[key]), (code, key)
        assert int(row["group_rank"]) == expected["group_rank"]
        assert row["award"] == expected["award"]
    assert float(rows["D2"]["item_01"]) == 0 and float(rows["D2"]["item_16"]) == 4.5
    assert float(rows["P2"]["item_12"]) == 0 and float(rows["P3"]["item_05"]) == 0
    # a name that starts like a formula is neutralised in the CSV
    assert rows["P3"]["name"] == "'=1+2卫生院"


def test_project_scores_csv(built):
    _, out, _ = built
    path = out / SCHEME / "2023" / "project_scores.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == ["code", "name", "group", "project", "experts", "project_score", "group_rank", "award", "prize_wan"]
    rows = {(r["code"], r["project"]): r for r in read_csv(path)}
    assert set(rows) == set(EXPECTED_PROJECTS)
    for key, (score, rank, award, prize) in EXPECTED_PROJECTS.items():
        assert float(rows[key]["project_score"]) == pytest.approx(score)
        assert int(rows[key]["group_rank"]) == rank and rows[key]["award"] == award
        assert float(rows[key]["prize_wan"]) == prize
    assert int(rows[("D1", "项目A")]["experts"]) == 2


def test_manifest_records_inputs_notebook_parameters_and_hashes(built):
    data, out, _ = built
    folder = out / SCHEME / "2023" / "D2"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scheme"] == SCHEME and manifest["year"] == 2023 and manifest["institution"] == "D2"
    files = {i["file"]: i for i in manifest["inputs"]}
    assert set(files) >= {"institutions.csv", "2023/facts.csv", "2023/judgments.csv", "2023/expert_scores.csv"}
    for label, entry in files.items():
        actual = hashlib.sha256((data / SCHEME / label).read_bytes()).hexdigest()
        assert entry["sha256"] == actual, label
    (nb,) = manifest["notebooks"]
    assert nb["notebook"] == "notebooks/wendeng-featured/institution.ipynb"
    assert nb["parameters"]["institution"] == "D2" and nb["parameters"]["year"] == 2023
    assert nb["sha256"] == hashlib.sha256((REPO / nb["notebook"]).read_bytes()).hexdigest()
    rubric = REPO / "rubrics" / "wendeng-featured.yaml"
    assert manifest["rubric"]["sha256"] == hashlib.sha256(rubric.read_bytes()).hexdigest()
    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert manifest["versions"]["great-expectations"].startswith("1.")
    assert manifest["times"]["started_utc"] <= manifest["times"]["finished_utc"]


def test_executed_notebook_stands_alone_with_its_recorded_parameters(built):
    """The archived notebook's parameters, re-run from its own folder, give the same result (no errors)."""
    _, out, _ = built
    folder = out / SCHEME / "2023" / "P2"
    nb = json.loads((folder / "institution.ipynb").read_text(encoding="utf-8"))
    assert not [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    result = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    (unit,) = result["units"]
    assert unit["total"] == pytest.approx(EXPECTED["P2"]["total"])


def test_reports_are_self_contained_and_escape_hostile_text(built):
    _, out, _ = built
    year = out / SCHEME / "2023"
    report = (year / "D2" / "report.html").read_text(encoding="utf-8")
    audit = (year / "D2" / "audit.html").read_text(encoding="utf-8")
    index = (year / "index.html").read_text(encoding="utf-8")
    ledger = (year / "D1" / "report.html").read_text(encoding="utf-8")
    for page in (report, audit, index, ledger):
        assert "<script" not in page.lower()
        assert "<img" not in page.lower()
        assert "src=\"http" not in page and "href=\"http" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;总结不够深入" in report
    assert "&lt;b&gt;丙&lt;/b&gt;卫生院" in index
    assert "&lt;script&gt;alert(" in ledger
    assert "乙区直医院" in report and "总结不够深入" in report
    assert "open_year" in audit and "open_year" not in report   # code shown only in the audit view
    assert "评分口径" in report and "附件3" in report


def test_results_xlsx_has_the_tables_and_no_formulas(built):
    from openpyxl import load_workbook

    _, out, _ = built
    book = load_workbook(out / SCHEME / "2023" / "results.xlsx")
    assert {"单位排名", "项目得分", "校验警告", "评分口径"} <= set(book.sheetnames)
    sheet = book["单位排名"]
    assert sheet.max_row == 1 + len(EXPECTED)
    for row in book["单位排名"].iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate


def test_invalid_data_exits_1_and_leaves_previous_outputs_untouched(built, tmp_path):
    data, out, _ = built
    year = out / SCHEME / "2023"
    before = tree_digest(year)
    broken = tmp_path / "data"
    build_cohort(broken)
    facts = broken / SCHEME / "2023" / "facts.csv"
    facts.write_text(facts.read_text(encoding="utf-8").replace("D1,1,1,1,2,0,4", "D1,1,1,1,二,0,4"), encoding="utf-8")
    result = evalbook("run", SCHEME, "--year", "2023", "--data", str(broken), "--out", str(out))
    assert result.returncode == 1
    text = result.stdout + result.stderr
    assert "Traceback" not in text
    assert "2023/facts.csv" in text and "第2行" in text and "party_meeting_halves" in text and "'二'" in text
    assert tree_digest(year) == before
    assert not [p for p in (out / SCHEME).iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("code", ["../etc", "a/b", "CON", "-rf"])
def test_only_rejects_path_like_codes_before_writing(built, code):
    _, out, _ = built
    before = tree_digest(out)
    result = evalbook("run", SCHEME, "--year", "2023", "--data", str(built[0]), "--out", str(out), f"--only={code}")
    assert result.returncode == 1
    assert "--only" in result.stdout + result.stderr
    assert tree_digest(out) == before


def test_only_rebuilds_one_report_and_keeps_the_others(built):
    data, out, _ = built
    year = out / SCHEME / "2023"
    before = tree_digest(year)
    result = evalbook("run", SCHEME, "--year", "2023", "--data", str(data), "--out", str(out), "--only", "P1")
    assert result.returncode == 0, result.stdout + result.stderr
    after = tree_digest(year)
    kept = [k for k in before if k.startswith("D1/") or k.startswith("D2/")]
    assert kept and all(after[k] == before[k] for k in kept)
    assert after["P1/manifest.json"] != before["P1/manifest.json"]   # rebuilt: new times
    assert after["scores.csv"] == before["scores.csv"]                # same data, same bytes


def test_validate_command(built):
    data, _, _ = built
    result = evalbook("validate", SCHEME, "--year", "2023", "--data", str(data))
    assert result.returncode == 0, result.stdout
    assert "校验通过" in result.stdout
    missing = evalbook("validate", SCHEME, "--year", "2023", "--data", str(data / "nowhere"))
    assert missing.returncode == 1
    assert "institutions.csv" in missing.stdout and "Traceback" not in missing.stderr


def test_notebook_run_alone_validates_itself_and_gives_the_batch_numbers(built, tmp_path):
    """As an evaluator would run it: papermill, its own suites (no validation.json), same result."""
    import papermill

    data, out, _ = built
    executed = tmp_path / "alone.ipynb"
    papermill.execute_notebook(str(REPO / "notebooks" / SCHEME / "institution.ipynb"), str(executed),
                               parameters={"institution": "D2", "year": 2023, "data_dir": str(data), "validation": ""},
                               kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    nb = json.loads(executed.read_text(encoding="utf-8"))
    alone = next(o["data"]["application/json"] for c in nb["cells"] for o in c.get("outputs", [])
                 if "application/json" in o.get("data", {}))
    batch = json.loads((out / SCHEME / "2023" / "D2" / "result.json").read_text(encoding="utf-8"))
    assert alone == batch
    assert alone["units"][0]["total"] == pytest.approx(EXPECTED["D2"]["total"])
