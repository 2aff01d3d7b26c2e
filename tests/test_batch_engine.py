"""The batch engine: retry once, failure isolation, --resume (published and killed runs), the Dask
path, run --all. On the five-institution cohort of test_cli_e2e, in-process so a failing notebook
can be swapped in. Each test starts kernels: they are few and share one validated cohort.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from evalbook.cli.commands import main
from evalbook.core.errors import InputError
from evalbook.core.registry import get_scheme
from evalbook.inputs.reading import sha256_file
from evalbook.run.batch import RunOptions, run_year, validate_year
from test_cli_e2e import SCHEME, build_cohort, tree_digest
from test_kernel_forks import fork_processes

YEAR = 2023
SCHEME_CLASS = type(get_scheme(SCHEME))
REAL_NOTEBOOK = SCHEME_CLASS.notebook_path


def failing_template(folder: Path) -> Path:
    """The institution notebook with a first cell that fails for P2 always and for P1 the first time."""
    nb = nbformat.read(get_scheme(SCHEME).notebook_path("institution"), as_version=4)
    trap = nbformat.v4.new_code_cell(
        "import os\n"
        "if institution == 'P2':\n    raise RuntimeError('故障 boom')\n"
        "if institution == 'P1' and not os.path.exists('../P1.first-try'):\n"
        "    open('../P1.first-try', 'w').close()\n    raise RuntimeError('first try fails')\n")
    nb.cells.insert(1, trap)
    path = folder / "institution.ipynb"
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    root = tmp_path_factory.mktemp("engine")
    data = root / "data"
    build_cohort(data)
    return data, validate_year(SCHEME, YEAR, data)


def run(data, out, intake, lines=None, **options):
    log = (lines.append if lines is not None else (lambda _: None))
    return run_year(SCHEME, YEAR, data, out, intake=intake, log=log, options=RunOptions(bar=False, **options))


def read_scores(year_dir: Path) -> dict[str, dict]:
    with open(year_dir / "scores.csv", encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def test_a_failing_report_is_retried_once_then_recorded_while_the_others_are_published(cohort, tmp_path, monkeypatch):
    data, intake = cohort
    template = failing_template(tmp_path)
    monkeypatch.setattr(SCHEME_CLASS, "notebook_path", lambda s, n: template if n == "institution" else REAL_NOTEBOOK(s, n))
    out, lines = tmp_path / "out", []
    report = run(data, out, intake, lines, workers=2)
    year = out / SCHEME / str(YEAR)
    assert set(report.failures) == {"P2"}
    assert "RuntimeError" in report.failures["P2"] and "故障 boom" in report.failures["P2"]
    assert sorted(report.built) == ["D1", "D2", "P1", "P3", "_cohort"]
    # P1 failed once, then passed on its retry; its manifest says so
    assert json.loads((year / "P1" / "manifest.json").read_text(encoding="utf-8"))["attempts"] == 2
    assert json.loads((year / "D1" / "manifest.json").read_text(encoding="utf-8"))["attempts"] == 1
    # P2: a page that says it failed and why (escaped), failed.json, no manifest (never kept by --resume)
    failed = json.loads((year / "P2" / "failed.json").read_text(encoding="utf-8"))
    assert failed["attempts"] == 2 and "故障 boom" in failed["error"]
    page = (year / "P2" / "report.html").read_text(encoding="utf-8")
    assert "报告生成失败" in page and "故障 boom" in page and "<script" not in page
    assert not (year / "P2" / "manifest.json").exists()
    # published anyway: the others' reports and the year's tables; the year manifest records the failure
    assert (year / "D1" / "report.html").is_file() and (year / "index.html").is_file()
    assert set(read_scores(year)) == {"D1", "D2", "P1", "P2", "P3"}
    record = json.loads((year / "manifest.json").read_text(encoding="utf-8"))
    assert set(record["run"]["failures"]) == {"P2"}
    assert any("P2 ✗ RuntimeError" in line for line in lines)
    # the failed folder's files are on the year's list; verify names the failure (exit 1), not a forgery
    assert {"P2/failed.json", "P2/report.html"} <= set(record["outputs"]) and "P2/manifest.json" not in record["outputs"]
    from evalbook.audit.verify import FAILED, verify

    found = {f.unit: f for f in verify(year / "P2")}
    assert found["P2"].status == FAILED, found["P2"].details
    assert found["P2"].details == ["P2/report.html: 报告在发布时生成失败 the report failed when published"]

    # --resume with the notebook fixed rebuilds P2 only; the reports kept are byte-identical
    monkeypatch.setattr(SCHEME_CLASS, "notebook_path", REAL_NOTEBOOK)
    again = run(data, out, intake, workers=2, resume=False)  # notebook changed: without --resume all rebuilt
    assert not again.failures and sorted(again.built) == ["D1", "D2", "P1", "P2", "P3", "_cohort"]
    before = {code: tree_digest(year / code) for code in ("D1", "D2", "P3")}
    shutil.rmtree(year / "P2")  # as if it had failed
    resumed = run(data, out, intake, workers=1, resume=True)
    assert sorted(resumed.resumed) == ["D1", "D2", "P1", "P3"]
    assert sorted(resumed.built) == ["P2", "_cohort"]
    assert {code: tree_digest(year / code) for code in ("D1", "D2", "P3")} == before
    assert (year / "P2" / "report.html").is_file() and not (year / "P2" / "failed.json").exists()


def test_cli_exit_code_is_1_when_a_report_failed(cohort, tmp_path, monkeypatch, capsys):
    data, _ = cohort
    template = failing_template(tmp_path)
    monkeypatch.setattr(SCHEME_CLASS, "notebook_path", lambda s, n: template if n == "institution" else REAL_NOTEBOOK(s, n))
    code = main(["run", SCHEME, "--year", str(YEAR), "--data", str(data), "--out", str(tmp_path / "out"), "--only", "P2"])
    err = capsys.readouterr().err
    assert code == 1
    assert "1份报告失败" in err and "P2: RuntimeError" in err and "--resume" in err
    assert "Traceback" not in err


def test_resume_keeps_nothing_when_an_input_changed_and_everything_when_nothing_did(cohort, tmp_path):
    data, intake = cohort
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    out = tmp_path / "out"
    first = run(copy, out, validate_year(SCHEME, YEAR, copy))
    assert not first.failures
    same = run(copy, out, validate_year(SCHEME, YEAR, copy), resume=True)
    assert sorted(same.resumed) == ["D1", "D2", "P1", "P2", "P3"] and same.built == ["_cohort"]
    ledger = copy / SCHEME / str(YEAR) / "ledger.csv"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("开展义诊", "开展义诊活动"), encoding="utf-8")
    changed = run(copy, out, validate_year(SCHEME, YEAR, copy), resume=True)
    assert changed.resumed == []  # every report shows the whole cohort's inputs and ranking
    assert sorted(changed.built) == ["D1", "D2", "P1", "P2", "P3", "_cohort"]


def test_resume_takes_finished_reports_from_a_killed_run_and_never_a_tampered_one(cohort, tmp_path):
    data, intake = cohort
    out = tmp_path / "out"
    run(data, out, intake)
    year = out / SCHEME / str(YEAR)
    # what a run killed with SIGKILL leaves: its staging folder with the reports it finished and a dead pid
    staging = year.parent / ".2023.staging-killed"
    staging.mkdir()
    (staging / ".pid").write_text("999999999")
    for code in ("D1", "D2", "P3"):
        shutil.copytree(year / code, staging / code)
    (staging / "P3" / "report.html").write_text("tampered", encoding="utf-8")
    shutil.rmtree(year)
    resumed = run(data, out, intake, resume=True)
    assert sorted(resumed.resumed) == ["D1", "D2"]  # P3's report no longer has its recorded hash
    assert sorted(resumed.built) == ["P1", "P2", "P3", "_cohort"]
    assert (year / "P3" / "report.html").read_text(encoding="utf-8") != "tampered"
    assert not staging.exists()  # published: the leftover is gone
    assert not [p for p in year.parent.iterdir() if p.name.startswith(".2023.")]


def test_the_dask_path_gives_the_same_outputs_as_a_local_run(cohort, tmp_path):
    distributed = pytest.importorskip("distributed")
    data, intake = cohort
    local = run(data, tmp_path / "local", intake)
    assert not local.failures
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = run(data, tmp_path / "dask", intake, scheduler=cluster.scheduler_address)
    assert not remote.failures and sorted(remote.built) == sorted(local.built)
    a, b = tmp_path / "local" / SCHEME / str(YEAR), tmp_path / "dask" / SCHEME / str(YEAR)
    for name in ("scores.csv", "project_scores.csv", "validation.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for code in ("D1", "P2"):
        assert _cells(a / code / "institution.ipynb") == _cells(b / code / "institution.ipynb")
        assert json.loads((a / code / "result.json").read_text()) == json.loads((b / code / "result.json").read_text())
    assert json.loads((b / "manifest.json").read_text(encoding="utf-8"))["run"]["scheduler"] == cluster.scheduler_address


def _cells(path: Path) -> list:
    nb = nbformat.read(str(path), as_version=4)
    return [(c.source, [{k: v for k, v in o.items() if k != "execution_count"} for o in c.get("outputs", [])])
            for c in nb.cells]


def test_run_all_runs_every_scheme_year_and_writes_the_index(cohort, tmp_path, capsys):
    data, _ = cohort
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    broken = copy / SCHEME / "2024"  # a year whose data is wrong: reported, not published, the others go on
    shutil.copytree(copy / SCHEME / str(YEAR), broken)
    facts = broken / "facts.csv"
    facts.write_text(facts.read_text(encoding="utf-8").replace("\nD1,1,", "\nD1,十二,", 1), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["run", "--all", "--data", str(copy), "--out", str(out), "--workers", "2"])
    captured = capsys.readouterr()
    assert code == 1
    assert "十二" in captured.out + captured.err
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="{SCHEME}/2023/index.html"' in index
    assert "数据有误" in index and 'href="wendeng-featured/2024/index.html"' not in index
    assert (out / SCHEME / "2023" / "index.html").is_file() and not (out / SCHEME / "2024").exists()
    assert "<script" not in index and "http" not in index.replace("http-equiv", "")


def test_run_all_refuses_a_scheme_or_year(capsys):
    assert main(["run", "--all", "--year", "2023"]) == 2
    assert "--all" in capsys.readouterr().err


@pytest.mark.parametrize("workers", ["0", "-1", "x"])
def test_workers_must_be_a_positive_number(workers, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["run", SCHEME, "--year", "2023", "--workers", workers])
    assert stop.value.code == 2


def test_no_kernel_outlives_a_run(cohort, tmp_path):
    data, intake = cohort
    run(data, tmp_path / "out", intake, workers=2)
    mine = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _is_child_kernel(p)]
    assert mine == []


def _is_child_kernel(proc: Path) -> bool:
    try:
        status = (proc / "status").read_text()
        cmdline = (proc / "cmdline").read_bytes()
    except OSError:
        return False
    ppid = next((line.split()[1] for line in status.splitlines() if line.startswith("PPid:")), "")
    return ppid == str(os.getpid()) and b"ipykernel" in cmdline and "State:\tZ" not in status


def test_a_second_run_on_the_same_output_refuses_while_the_first_holds_it_and_not_after_it_died(cohort, tmp_path):
    from test_stale import lock_held

    data, intake = cohort
    out = tmp_path / "out"
    with lock_held(out / SCHEME / f".{YEAR}.lock"):  # then killed: a crashed holder, whose lock the kernel drops
        with pytest.raises(InputError) as refused:
            run(data, out, intake)
        problem = refused.value.problems[0]
        assert "另一个 evalbook run 正在写入" in problem.rule_zh and "pid holder" in problem.rule_en
        assert not (out / SCHEME / str(YEAR)).exists()  # refused before writing anything
    time.sleep(0.1)
    report = run(data, out, intake)
    assert not report.failures and (out / SCHEME / str(YEAR) / "index.html").is_file()


@dataclass
class Interrupted:
    """A published year, a correction that rebuilds every report, and a batch stopped mid-run."""

    data: Path
    year: Path
    good: dict
    batch: subprocess.Popen
    forked: set[int]  # the fork server, stubs and kernels the batch started

    def staged(self) -> int:
        return len(list(self.year.parent.glob(f".{YEAR}.staging-*/*/manifest.json")))

    def assert_no_fork_left(self) -> None:
        deadline = time.time() + 10
        while self.forked & fork_processes() and time.time() < deadline:
            time.sleep(0.1)
        assert not self.forked & fork_processes()


def published_copy(cohort, tmp_path) -> tuple[Path, Path, Path]:
    """A copy of the cohort's data, published once: (the data copy, the output folder, the year folder)."""
    copy = tmp_path / "data"
    shutil.copytree(cohort[0], copy)
    out = tmp_path / "out"
    assert not run(copy, out, validate_year(SCHEME, YEAR, copy)).failures
    return copy, out, out / SCHEME / str(YEAR)


def only_d2(copy: Path, out: Path):
    """``run --only D2`` on the data as they are now."""
    return run_year(SCHEME, YEAR, copy, out, only=["D2"], intake=validate_year(SCHEME, YEAR, copy),
                    log=lambda _: None, options=RunOptions(bar=False))


def as_from_a_terminal() -> None:
    """The run gets Ctrl-C as it would typed in a terminal, however the tests were started: a shell that starts
    them in the background (``make test &``) ignores SIGINT, and a child keeps that, so Ctrl-C would do nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt(cohort, tmp_path, correction: str, staged: int, signum: int, env: dict | None = None) -> Interrupted:
    copy, out, year = published_copy(cohort, tmp_path)
    good = tree_digest(year)
    ledger = copy / SCHEME / str(YEAR) / "ledger.csv"  # a correction: every report must be rebuilt
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("开展义诊", correction), encoding="utf-8")
    batch = subprocess.Popen([sys.executable, "-m", "evalbook", "run", SCHEME, "--year", str(YEAR), "--data", str(copy),
                              "--out", str(out), "--workers", "1"], start_new_session=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                             preexec_fn=as_from_a_terminal)
    stopped = Interrupted(copy, year, good, batch, set())
    before, deadline = fork_processes(), time.time() + 120
    while time.time() < deadline and stopped.staged() < staged:
        stopped.forked |= fork_processes() - before
        time.sleep(0.1)
    os.killpg(batch.pid, signum)  # the run's whole process group (its fork server and kernels are in other sessions)
    assert stopped.forked  # kernels were forked before the stop
    return stopped


def test_sigkill_mid_run_leaves_the_last_good_outputs_and_resume_finishes_from_where_it_died(cohort, tmp_path):
    stopped = interrupt(cohort, tmp_path, "开展义诊（更正）", staged=2, signum=signal.SIGKILL)
    stopped.batch.communicate(timeout=60)
    stopped.assert_no_fork_left()
    finished = stopped.staged()
    assert finished >= 2
    assert tree_digest(stopped.year) == stopped.good  # the published year is the last good run, byte for byte
    resumed = run(stopped.data, stopped.year.parent.parent, validate_year(SCHEME, YEAR, stopped.data), resume=True)
    assert len(resumed.resumed) == finished and not resumed.failures
    assert len(resumed.built) == 6 - finished  # five institutions and the cohort report, none twice
    assert "开展义诊（更正）" in (stopped.year / "D1" / "report.html").read_text(encoding="utf-8")
    assert not [p for p in stopped.year.parent.iterdir()
                if p.name.startswith(f".{YEAR}.") and not p.name.endswith(".lock")]


def test_ctrl_c_mid_run_exits_130_publishes_nothing_leaves_no_kernel_and_resume_finishes(cohort, tmp_path):
    stopped = interrupt(cohort, tmp_path, "开展义诊（再更正）", staged=1, signum=signal.SIGINT)  # what Ctrl-C sends
    _, err = stopped.batch.communicate(timeout=60)
    assert stopped.batch.returncode == 130, err
    assert "Interrupted" in err and "Traceback" not in err
    assert tree_digest(stopped.year) == stopped.good
    stopped.assert_no_fork_left()
    resumed = run(stopped.data, stopped.year.parent.parent, validate_year(SCHEME, YEAR, stopped.data), resume=True)
    assert resumed.resumed and not resumed.failures  # the reports finished before Ctrl-C were kept
    assert "开展义诊（再更正）" in (stopped.year / "D1" / "report.html").read_text(encoding="utf-8")


def private_temp(tmp_path: Path) -> dict:
    """An environment whose temporary folder and Jupyter runtime folder (connection files) are the test's own."""
    temp, runtime = tmp_path / "tmp", tmp_path / "runtime"
    temp.mkdir()
    runtime.mkdir()
    return {**os.environ, "TMPDIR": str(temp), "JUPYTER_RUNTIME_DIR": str(runtime), "PYTHONWARNINGS": "ignore"}


def left_in(env: dict) -> list[str]:
    return sorted(str(p) for key in ("TMPDIR", "JUPYTER_RUNTIME_DIR") for p in Path(env[key]).rglob("*"))


def test_sigterm_is_handled_like_ctrl_c_and_leaves_no_socket_or_connection_file(cohort, tmp_path):
    env = private_temp(tmp_path)
    stopped = interrupt(cohort, tmp_path, "开展义诊（终止）", staged=1, signum=signal.SIGTERM, env=env)
    _, err = stopped.batch.communicate(timeout=60)
    assert stopped.batch.returncode == 143, err
    assert "SIGTERM" in err and "Traceback" not in err
    assert tree_digest(stopped.year) == stopped.good  # nothing published
    stopped.assert_no_fork_left()
    assert left_in(env) == []  # the fork server's socket, the kernels' sockets and connection files (HMAC keys)


def test_a_normal_run_leaves_nothing_in_the_temporary_folder(cohort, tmp_path):
    data, _ = cohort
    env = private_temp(tmp_path)
    done = subprocess.run([sys.executable, "-m", "evalbook", "run", SCHEME, "--year", str(YEAR), "--data", str(data),
                           "--out", str(tmp_path / "out"), "--only", "P1"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert left_in(env) == []


def test_published_folders_and_files_follow_the_umask(cohort, tmp_path):
    data, intake = cohort
    out = tmp_path / "out"
    previous = os.umask(0o027)
    try:
        report = run(data, out, intake)
    finally:
        os.umask(previous)
    assert not report.failures
    year = out / SCHEME / str(YEAR)
    modes = {str(p.relative_to(year)): p.stat().st_mode & 0o777 for p in [year, *year.rglob("*")]}
    assert modes[str(Path("."))] == 0o750 and modes["D1"] == 0o750  # 0777 & ~027
    assert modes["scores.csv"] == 0o640 and modes["D1/report.html"] == 0o640  # 0666 & ~027
    facts = f"inputs/{sha256_file(data / SCHEME / '2023' / 'facts.csv')}"
    assert modes["inputs"] == 0o750 and modes[facts] == 0o640
    assert {m for name, m in modes.items() if (year / name).is_dir()} == {0o750}
    assert {m for name, m in modes.items() if (year / name).is_file()} == {0o640}


def test_only_after_a_correction_rebuilds_every_report_whose_rank_or_award_moved_and_names_who_moved(cohort, tmp_path):
    from test_stale import d2_overtakes_d1

    copy, out, year = published_copy(cohort, tmp_path)
    before = tree_digest(year)
    d2_overtakes_d1(copy)  # D2 98.9 overtakes D1 95.5 (hand-computed in test_stale)
    report = only_d2(copy, out)
    assert not report.failures
    assert report.stale == ["D1"] and sorted(report.built) == ["D1", "D2", "_cohort"]
    assert sorted(report.kept) == ["P1", "P2", "P3"]  # the primary group: nothing it shows changed
    recorded = json.loads((year / "manifest.json").read_text(encoding="utf-8"))["run"]
    assert recorded["rebuilt_because_shown_facts_changed"] == ["D1"]
    after = tree_digest(year)
    primary = [k for k in before if k.split("/")[0] in ("P1", "P2", "P3")]
    assert primary and all(after[k] == before[k] for k in primary)  # their pages show nothing that changed
    d1 = (year / "D1" / "report.html").read_text(encoding="utf-8")
    d2 = (year / "D2" / "report.html").read_text(encoding="utf-8")
    assert "第2名（共2家）" in d1 and "二等奖（奖金10万元）" in d1 and "第1名（共2家）" not in d1
    assert "第1名（共2家）" in d2 and "一等奖（奖金20万元）" in d2
    scores = read_scores(year)
    assert (scores["D1"]["group_rank"], scores["D1"]["award"]) == ("2", "二等奖")
    assert {unit for unit, _ in report.moved} == {"D1", "D2", "D1 项目A", "D2 项目B"}
    again = only_d2(copy, out)
    assert again.stale == [] and again.moved == [] and sorted(again.built) == ["D2", "_cohort"]
    assert (year / "D1" / "report.html").read_text(encoding="utf-8") == d1


def test_only_on_a_year_not_yet_published_builds_just_the_named_reports(cohort, tmp_path):
    data, intake = cohort
    out = tmp_path / "out"
    report = run_year(SCHEME, YEAR, data, out, only=["P2"], intake=intake, log=lambda _: None, options=RunOptions(bar=False))
    assert sorted(report.built) == ["P2", "_cohort"] and report.stale == [] and report.moved == []
    year = out / SCHEME / str(YEAR)
    assert sorted(p.name for p in year.iterdir() if p.is_dir()) == ["P2", "inputs", "snapshot"]  # no other report


def archive_of(year: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((year / "inputs").iterdir())}


def test_only_on_a_year_published_before_the_archive_rebuilds_the_reports_whose_inputs_are_lost(cohort, tmp_path):
    from test_stale import d2_overtakes_d1

    copy, out, year = published_copy(cohort, tmp_path)
    first = archive_of(year)
    # the six input files, each once under its own sha256 (no DEMO.md in this data folder)
    assert first == {f"{sha256_file(p)}": p.read_bytes() for p in (copy / SCHEME).rglob("*.csv")}
    assert len(first) == 6
    shutil.rmtree(year / "inputs")  # as a year published before inputs were archived
    same = only_d2(copy, out)
    # nothing changed: the kept reports' inputs are today's files, archived again byte for byte
    assert same.kept == ["D1", "P1", "P2", "P3"] and same.unarchived == [] and archive_of(year) == first
    shutil.rmtree(year / "inputs")
    d2_overtakes_d1(copy)
    report = only_d2(copy, out)
    # D1's page changed (stale); P1–P3 were built from a facts.csv that exists nowhere now: rebuilt, not kept
    assert report.stale == ["D1"] and report.unarchived == ["P1", "P2", "P3"] and report.kept == []
    assert sorted(report.built) == ["D1", "D2", "P1", "P2", "P3", "_cohort"]
    recorded = json.loads((year / "manifest.json").read_text(encoding="utf-8"))["run"]
    assert recorded["kept"] == [] and recorded["rebuilt_because_inputs_lost"] == ["P1", "P2", "P3"]
    assert archive_of(year) == {f"{sha256_file(p)}": p.read_bytes() for p in (copy / SCHEME).rglob("*.csv")}


def test_a_code_named_like_the_inputs_folder_is_refused_before_anything_is_written(cohort, tmp_path):
    data, _ = cohort
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    for path in (copy / SCHEME).rglob("*.csv"):
        path.write_text(path.read_text(encoding="utf-8").replace("\nP1,", "\ninputs,"), encoding="utf-8")
    intake = validate_year(SCHEME, YEAR, copy)
    assert not intake.errors
    with pytest.raises(InputError) as caught:
        run(copy, tmp_path / "out", intake)
    problem = caught.value.problems[0]
    assert (problem.file, problem.column, problem.value) == ("institutions.csv", "code", "inputs")
    assert not (tmp_path / "out" / SCHEME / str(YEAR)).exists()
