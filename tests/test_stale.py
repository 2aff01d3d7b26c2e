"""Which kept reports a correction makes stale, who moved, the resume key's other files, the lock, the
overview of a locked year. No kernels: the notebooks' side is in test_batch_engine.py.

The cohort is test_cli_e2e's five institutions (hand-computed there):
district D1 95.5 (1st, 一等奖, 20), D2 91.65 (2nd, 二等奖, 10);
primary P3 92.8 (1st, 一等奖, 10), P1 88 (2nd, 二等奖, 8), P2 82 (3rd, 二等奖, 8).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest

from evalbook.cli.commands import _run_one
from evalbook.core.errors import InputError
from evalbook.core.registry import get_scheme
from evalbook.output.tables import write_results
from evalbook.run.batch import RunOptions, _key, _unit_job, run_year, validate_year
from evalbook.run.overview import run_all
from evalbook.run.stale import facts_digests, moves, read_table
from test_cli_e2e import SCHEME, build_cohort, dims

YEAR = 2023
FACT_FIELDS_OF_ITEM_1 = ("leading_group", "leader_is_head", "group_document")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    data = tmp_path_factory.mktemp("stale") / "data"
    build_cohort(data)
    return data


def edit_csv(path: Path, change) -> None:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        change(row)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows)


def d2_overtakes_d1(data: Path) -> None:
    """D2's item 1 restored (rubric 94.5 + 5 = 99.5) and its project B scored 95 by its expert (dims(0.95): 19+19+4×14.25):
    expert (95 + 100) / 2 = 97.5, total 0.7 × 99.5 + 0.3 × 97.5 = 69.65 + 29.25 = 98.9 > D1's 95.5."""
    year = data / SCHEME / str(YEAR)

    def facts(row):
        if row["code"] == "D2":
            row.update({f: "1" for f in FACT_FIELDS_OF_ITEM_1})

    def experts(row):
        if row["code"] == "D2" and row["project"] == "项目B":
            row.update(zip(["advantage", "work", "economic", "social", "difficulty", "risk"], map(str, dims(0.95)), strict=True))

    edit_csv(year / "facts.csv", facts)
    edit_csv(year / "expert_scores.csv", experts)


def digests(data: Path, stage: Path) -> dict[str, str | None]:
    scheme = get_scheme(SCHEME)
    intake = validate_year(SCHEME, YEAR, data)
    assert not intake.errors
    scores = scheme.score(intake)
    stage.mkdir(parents=True, exist_ok=True)
    write_results(scheme, intake, scores, stage)
    return facts_digests(scheme, intake, stage, scheme.report_units(intake, scores))


def test_a_correction_that_reorders_a_group_changes_what_that_group_shows_and_nothing_else(cohort, tmp_path):
    before = digests(cohort, tmp_path / "before")
    copy = tmp_path / "data"
    shutil.copytree(cohort, copy)
    d2_overtakes_d1(copy)
    after = digests(copy, tmp_path / "after")
    assert set(before) == set(after) == {"D1", "D2", "P1", "P2", "P3"}
    changed = sorted(k for k in before if before[k] != after[k])
    assert changed == ["D1", "D2"]  # the district group's ranking moved; the primary group's pages are as they were


def test_the_summary_names_who_moved_with_before_and_after(cohort, tmp_path):
    digests(cohort, tmp_path / "before")
    copy = tmp_path / "data"
    shutil.copytree(cohort, copy)
    d2_overtakes_d1(copy)
    digests(copy, tmp_path / "after")
    found = {unit: {(m.label_en, m.before, m.after) for m in changes}
             for unit, changes in moves(get_scheme(SCHEME), tmp_path / "before", tmp_path / "after")}

    def as_numbers(entries):
        return {(label, _n(a), _n(b)) for label, a, b in entries}

    # units: D2 98.9 overtakes D1 95.5 → D2 1st 一等奖 20 (was 2nd 二等奖 10), D1 2nd 二等奖 10 (was 1st 一等奖 20)
    # projects, district: C 100 1st 特等奖 8; B 95 now 2nd 一等奖 6 (was 70, 3rd 二等奖 4);
    # A 85 now 3rd 二等奖 4 (was 2nd 一等奖 6)
    assert set(found) == {"D1", "D2", "D1 项目A", "D2 项目B"}
    assert as_numbers(found["D2"]) == {("rank", 2, 1), ("award", "二等奖", "一等奖"), ("prize (10k yuan)", 10, 20)}
    assert as_numbers(found["D1"]) == {("rank", 1, 2), ("award", "一等奖", "二等奖"), ("prize (10k yuan)", 20, 10)}
    assert as_numbers(found["D2 项目B"]) == {("project rank", 3, 2), ("project award", "二等奖", "一等奖"),
                                            ("project prize (10k yuan)", 4, 6)}
    assert as_numbers(found["D1 项目A"]) == {("project rank", 2, 3), ("project award", "一等奖", "二等奖"),
                                            ("project prize (10k yuan)", 6, 4)}


def _n(text: str):
    try:
        return Decimal(text)
    except ArithmeticError:
        return text


def test_deleting_demo_md_changes_every_report_and_its_resume_key(cohort, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(cohort, copy)
    demo = copy / SCHEME / "DEMO.md"
    demo.write_text("示例数据\n", encoding="utf-8")
    with_demo = digests(copy, tmp_path / "a")
    scheme, intake = get_scheme(SCHEME), validate_year(SCHEME, YEAR, copy)
    job = _unit_job(scheme, intake, tmp_path / "y", tmp_path / "s", "D1", {"institution": "D1"})
    key_with_demo = _key(intake, job)
    demo.unlink()
    without = digests(copy, tmp_path / "b")
    assert all(with_demo[k] != without[k] for k in with_demo)  # the 示例数据 banner is on every page
    assert _key(validate_year(SCHEME, YEAR, copy), job) != key_with_demo


def test_a_suite_file_is_in_the_resume_key(cohort, tmp_path, monkeypatch):
    from evalbook.core import paths

    scheme, intake = get_scheme(SCHEME), validate_year(SCHEME, YEAR, cohort)
    job = _unit_job(scheme, intake, tmp_path / "y", tmp_path / "s", "D1", {"institution": "D1"})
    before = _key(intake, job)
    home = tmp_path / "home"  # a copy of the repository's rubric, suites and notebooks with one suite changed
    for part in ("rubrics", "expectations", "notebooks"):
        shutil.copytree(paths.REPO / part, home / part)
    suite = home / "expectations" / SCHEME / "ledger.json"
    suite.write_text(suite.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    monkeypatch.setattr(paths, "REPO", home)
    assert _key(intake, job) != before


def test_the_lock_is_never_opened_through_a_symlink(cohort, tmp_path):
    out = tmp_path / "out"
    (out / SCHEME).mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (out / SCHEME / f".{YEAR}.lock").symlink_to(victim)
    with pytest.raises(InputError) as refused:
        run_year(SCHEME, YEAR, cohort, out, intake=validate_year(SCHEME, YEAR, cohort), options=RunOptions(bar=False))
    problem = refused.value.problems[0]
    assert "符号链接" in problem.rule_zh and "symbolic link" in problem.rule_en and problem.value == str(victim)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (out / SCHEME / str(YEAR)).exists()
    assert not [p for p in (out / SCHEME).iterdir() if ".staging-" in p.name]


@contextmanager
def lock_held(lock: Path):
    """Another process holding the year's run lock (an flock) while the block runs, then killed as a crashed
    holder would be (the kernel drops its lock). It writes 'pid holder' into the lock file, as a run names
    itself there."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c",
                               "import fcntl,sys,time; f=open(sys.argv[1],'a+'); fcntl.flock(f, fcntl.LOCK_EX);"
                               "f.write('pid holder'); f.flush(); print('held', flush=True); time.sleep(60)", str(lock)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_the_overview_says_another_run_is_in_progress_for_a_locked_year(cohort, tmp_path, capsys):
    out = tmp_path / "out"
    with lock_held(out / SCHEME / f".{YEAR}.lock"):
        code = run_all(cohort, out, RunOptions(bar=False), _run_one)
    assert code == 1
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "另一运行正在进行" in index and "another run is in progress" in index
    assert "数据有误" not in index
    assert "pid holder" in capsys.readouterr().out


def test_published_tables_are_read_back_as_written_text(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("code,name,total\nD1,'=1+2卫生院,77.975\n", encoding="utf-8")
    assert read_table(path) == [{"code": "D1", "name": "=1+2卫生院", "total": "77.975"}]
    assert read_table(tmp_path / "missing.csv") is None
    assert os.path.exists(path)


def test_what_a_report_shows_of_the_tables_by_scheme():
    from evalbook.schemes.naiman_specialty import SCHEME as naiman_specialty
    from evalbook.schemes.wendeng_featured import SCHEME as wendeng_featured
    from evalbook.schemes.wendeng_featured.scoring import ITEM_COLUMNS

    def unit(code, group, rank, total):
        return {"code": code, "name": f"{code}院", "group": group, "group_rank": rank, "total": total, "award": "",
                "prize_wan": "0", **{c: "5" for c in ITEM_COLUMNS}}

    units = [unit("A", "district", "1", "90"), unit("B", "primary", "1", "80"), unit("C", "district", "2", "70")]
    project = {"code": "A", "project": "项目", "group_rank": "1", "award": "特等奖", "prize_wan": "8"}
    shown = wendeng_featured.report_facts({"scores.csv": units, "project_scores.csv": [project]})
    assert [r["code"] for r in shown["A"]["group"]] == ["A", "C"] == [r["code"] for r in shown["C"]["group"]]
    assert [r["code"] for r in shown["B"]["group"]] == ["B"]
    assert shown["A"]["projects"] == [project] and shown["C"]["projects"] == []
    rows = [{"code": "NM", "specialty": "心内科", "rank": "1"}, {"code": "NM", "specialty": "-外科", "rank": "2"}]
    shown = naiman_specialty.report_facts({"scores.csv": rows})
    assert set(shown) == {"NM-心内科", "NM--外科"} and {v["ranked"] for v in shown.values()} == {2}


def test_every_naiman_report_has_its_facts(tmp_path):
    scheme = get_scheme("naiman-specialty")
    from evalbook.core import paths

    intake = validate_year(scheme.NAME, 2025, paths.REPO / "data")
    assert not intake.errors
    scores = scheme.score(intake)
    write_results(scheme, intake, scores, tmp_path)
    units = scheme.report_units(intake, scores)
    found = facts_digests(scheme, intake, tmp_path, units)
    assert len(units) >= 2 and all(found[folder] for folder, _, _ in units)
    assert len(set(found.values())) == len(units)  # each report's own rows make its facts its own


def test_the_summary_prints_the_rebuilt_reports_and_who_moved(capsys):
    from types import SimpleNamespace

    from evalbook.cli.commands import _print_changes
    from evalbook.run.stale import Move

    report = SimpleNamespace(stale=["D1"], unarchived=["P1", "P2"], kept=["P3"],
                             moved=[("D1", [Move("D1", "组内名次", "rank", "1", "2"),
                                            Move("D1", "单位奖", "award", "一等奖", "二等奖")])])
    _print_changes(report)
    out = capsys.readouterr().out
    assert "另有1份报告" in out and "1 other report(s) rebuilt" in out and "D1" in out
    assert "另有2份报告的原始输入已不存在" in out and "P1、P2" in out
    assert "2 other report(s) rebuilt because the inputs they were built from exist nowhere any more" in out
    assert "D1: 组内名次 rank 1 → 2; 单位奖 award 一等奖 → 二等奖" in out
    assert "另有1份报告不受更正影响，沿用已发布的版本" in out
    assert "1 other report(s) unaffected by the correction were kept" in out


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_templates_ingested_csvs_and_synthetic_cohorts_follow_the_umask(cohort, tmp_path, umask_022):
    from evalbook.cli.commands import main

    assert main(["template", SCHEME, "--year", str(YEAR), "--data", str(cohort), "--out", str(tmp_path / "t"),
                 "--prefill"]) == 0
    books = sorted((tmp_path / "t" / SCHEME / str(YEAR)).glob("*.xlsx"))
    assert books and {p.stat().st_mode & 0o777 for p in books} == {0o644}  # 0666 & ~022, not mkstemp's 0600
    data = tmp_path / "data"
    shutil.copytree(cohort, data)
    assert main(["ingest", SCHEME, "--year", str(YEAR), "--from", str(tmp_path / "t" / SCHEME / str(YEAR)),
                 "--data", str(data)]) == 0
    written = sorted((data / SCHEME / str(YEAR)).glob("*.csv"))
    assert {p.stat().st_mode & 0o777 for p in written} == {0o644}
    assert main(["synth", SCHEME, "--institutions", "3", "--year", str(YEAR), "--out", str(tmp_path / "s")]) == 0
    folder = tmp_path / "s" / SCHEME
    assert folder.stat().st_mode & 0o777 == 0o755  # 0777 & ~022, not mkdtemp's 0700
