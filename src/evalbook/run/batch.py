"""``evalbook run``: validate once, score once, run every notebook, publish atomically.

The order matters to the users: nothing is written before the data passed every error-level
rule; every report is built in a staging folder and the year folder is swapped in at the end,
in one step. Validation and scoring happen once per run (one Great Expectations import);
each institution's notebook still runs alone in a fresh kernel (started ahead of need, see
``pool``), reading the run's ``validation.json`` so that it needs no Great Expectations of its own.

A report whose notebook fails twice is recorded as failed (a page saying so, ``failed.json``,
the year manifest) while the others are built and published; the run then ends with exit 1
and ``--resume`` rebuilds just what is missing. Ctrl-C publishes nothing and leaves the
finished reports for ``--resume``. Invalid data, or an error of our own (a full disk),
publishes nothing and leaves the previous outputs as they were.
"""

from __future__ import annotations

import json
import platform
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

from evalbook.committee.tables import write_year_tables
from evalbook.core import paths
from evalbook.core.columns import CODE_REGEX
from evalbook.core.errors import InputError, Problem
from evalbook.core.extras import require
from evalbook.core.files import RunLock, Staging
from evalbook.core.registry import get_scheme
from evalbook.engine.execute import NotebookRun
from evalbook.engine.pool import INTERRUPTED, LocalPool, Outcome, Task
from evalbook.inputs.intake import Intake, codes_of, file_label, take_in
from evalbook.inputs.reading import sha256_file
from evalbook.output.pages import failure_page
from evalbook.output.render import HtmlRenderer, page_footer, page_title
from evalbook.run import archive
from evalbook.run.listing import HISTORY, SNAPSHOT, year_files
from evalbook.run.progress import Progress
from evalbook.run.reuse import code_identity, find_reusable, keep, report_sources, unit_key
from evalbook.run.stale import FACTS_KEY, Move, facts_digests, moves, stale_reports

VERSIONED = ("evalbook", "pandas", "great-expectations", "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel",
             "openpyxl", "pyyaml")


@dataclass
class RunReport:
    target: Path
    built: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # --only: other reports rebuilt because what they show changed
    kept: list[str] = field(default_factory=list)  # --only: report folders carried over unchanged from the published year
    unarchived: list[str] = field(default_factory=list)  # --only: rebuilt because their recorded inputs exist nowhere
    moved: list[tuple[str, list[Move]]] = field(default_factory=list)  # rank/award/prize changes vs the published year
    notebook_seconds: float = 0.0  # wall time of the notebook phase (what --workers parallelises)
    kernels: dict[str, str] = field(default_factory=dict)  # --scheduler: how each report's kernel was made on its worker


@dataclass
class RunOptions:
    """How to run the notebooks: where (local threads or a Dask scheduler), how many, how long."""

    workers: int = 2
    scheduler: str | None = None
    resume: bool = False
    timeout: int = 600  # seconds per cell
    prestart: bool = True
    kernels: str = "fork"  # "fork": forked from a warm process (kernel_forks.py); "spawn": ordinary kernels
    forks: object | None = None  # a kernel_forks.ForkServer started early by the caller (warms while we validate)
    bar: bool | None = None  # None: a bar on a terminal, lines otherwise
    # What makes a publication a revision (round.revisions.Revisions, given by the CLI: run/ cannot import
    # round/): the revision number pages show, history/<N>/ kept and changes.* written before the manifest
    revisions: object | None = None


def check_codes(codes: list[str] | None) -> None:
    """Reject ``--only`` codes that are not plain codes (paths, device names, flags) before any write."""
    import re

    bad = [c for c in codes or [] if not re.fullmatch(CODE_REGEX, c)]
    if bad:
        raise InputError([Problem("命令行 --only", "机构代码只能由英文字母、数字、- 和 _ 组成，不能是路径或设备名",
                                  "a code is ASCII letters, digits, '-' and '_' only, never a path or device name",
                                  column="--only", value=c) for c in bad])


def validate_year(scheme_name: str, year: int, data_dir: Path) -> Intake:
    scheme = get_scheme(scheme_name)
    rubric = scheme.load_rubric(scheme.rubric_path())
    return take_in(scheme, year, Path(data_dir), rubric)


def run_year(scheme_name: str, year: int, data_dir: Path, out_dir: Path, only: list[str] | None = None,
             workers: int = 2, log: Callable[[str], None] = print, intake: Intake | None = None,
             options: RunOptions | None = None) -> RunReport:
    """Build every output of one scheme-year under ``out_dir/<scheme>/<year>/``; see the module doc."""
    options = options or RunOptions(workers=workers)
    started = time.perf_counter()
    check_codes(only)
    if options.scheduler:
        require("dask")  # before validating: a run that cannot reach its cluster says so first
    scheme = get_scheme(scheme_name)
    data_dir, out_dir = Path(data_dir).resolve(), Path(out_dir).resolve()
    intake = intake or validate_year(scheme_name, year, data_dir)
    if intake.errors:
        raise InputError(intake.outcome.problems)
    codes = codes_of(intake)
    unknown = [c for c in only or [] if c not in codes]
    if unknown:
        raise InputError([Problem(file_label(scheme, "institutions.csv", year), "--only 指定的机构不在机构名单中",
                                  "--only names an institution that is not in institutions.csv", column="code", value=c)
                          for c in unknown])
    report = RunReport(out_dir / scheme.NAME / str(year), warnings=intake.warnings)
    report.seconds["validate"] = time.perf_counter() - started
    with RunLock(report.target):
        return _build(scheme, intake, report, only, options, log, started)


def _build(scheme, intake: Intake, report: RunReport, only, options: RunOptions, log, started: float) -> RunReport:
    """Everything of a run after validation, under the output folder's lock."""
    scores = scheme.score(intake)
    units = scheme.report_units(intake, scores)  # [(folder, institution code, notebook parameters)]
    clash = [code for folder, code, _ in units if folder in (archive.ARCHIVE, HISTORY, SNAPSHOT)]
    if clash:
        raise InputError(Problem(file_label(scheme, "institutions.csv", intake.year),
                                 f"机构代码不能是 {archive.ARCHIVE}、{HISTORY} 或 {SNAPSHOT}："
                                 "年度文件夹中的这三个名字存放输入文件、历次发布和本次运行的评分快照",
                                 f"a code cannot be {archive.ARCHIVE!r}, {HISTORY!r} or {SNAPSHOT!r}: the year folder keeps "
                                 "its input files, earlier publications and the run's scored snapshot under those names",
                                 column="code", value=clash[0]))
    staging = Staging(report.target, keep_leftovers=options.resume)
    revision = options.revisions.number(report.target) if options.revisions else None  # the revision published
    try:
        stage = staging.path
        write_year_tables(scheme, intake, scores, stage)  # first: it may read inputs (last year's) and record them
        _write(stage / "validation.json", json.dumps(intake.validation_record(), ensure_ascii=False, indent=1))
        facts = facts_digests(scheme, intake, stage, units)
        selected = [u for u in units if not only or u[1] in only]
        archive.store(stage, [*intake.inputs(), *archive.data_files(scheme.NAME, intake.data_dir, intake.year)])
        if only:  # the others are kept, except those whose page would now show something else (see stale.py)
            others = [folder for folder, code, _ in units if code not in only]
            report.stale = stale_reports(report.target, facts, others)
            kept = [f for f in others if f not in report.stale and (report.target / f).is_dir()]
            # a kept report's recorded inputs are published with it (archive.py); one whose inputs are lost is rebuilt
            report.unarchived = archive.carry_over(report.target, stage, kept)
            report.kept = [f for f in kept if f not in report.unarchived]
            selected += [u for u in units if u[0] in report.stale or u[0] in report.unarchived]
            staging.carry_over(report.kept)
        report.moved = moves(scheme, report.target, stage)
        jobs = {folder: _unit_job(scheme, intake, report.target, stage, folder, params) for folder, _, params in selected}
        if options.resume:
            report.resumed = _keep_unchanged(intake, jobs, [report.target, *staging.leftovers()], stage)
        jobs["_cohort"] = _cohort_job(scheme, intake, report.target, stage)
        report.seconds["score+tables"] = time.perf_counter() - started - report.seconds["validate"]
        todo = {key: job for key, job in jobs.items() if key not in report.resumed}
        started = time.perf_counter()
        outcomes = _run_jobs(todo, intake, scheme, options, log, len(jobs), len(report.resumed), facts, revision)
        report.notebook_seconds = time.perf_counter() - started
        for outcome in outcomes:
            report.seconds[outcome.key] = outcome.seconds
            if outcome.error is not None:
                report.failures[outcome.key] = outcome.error
            if outcome.kernel is not None:
                report.kernels[outcome.key] = outcome.kernel
        if any(o.error == INTERRUPTED for o in outcomes):
            raise KeyboardInterrupt
        if options.revisions:  # keep the current publication in history/, write changes.* (round/revisions.py)
            revision = options.revisions.before_manifest(scheme, intake.year, report.target, stage,
                                                         {label: sha for label, _, sha in intake.inputs()})
        _write(stage / "manifest.json", _manifest(intake, jobs["_cohort"], stage, year_files(stage),
                                                  report.seconds.get("_cohort", 0.0), failures=report.failures,
                                                  resumed=report.resumed, options=options, stale=report.stale,
                                                  kept=report.kept, unarchived=report.unarchived, revision=revision,
                                                  kernels=report.kernels))
        staging.publish()
        if options.revisions:
            options.revisions.after_publish(report.target)
    except KeyboardInterrupt:
        staging.abandon()  # the finished reports stay for --resume; nothing is published
        raise
    except BaseException:
        staging.discard()
        raise
    report.built = sorted(k for k in todo if k not in report.failures)
    report.seconds["total"] = time.perf_counter() - started
    return report



def _keep_unchanged(intake: Intake, jobs: dict[str, NotebookRun], sources: list[Path], stage: Path) -> list[str]:
    """--resume: copy the reports whose key is unchanged into the staging folder; return their names."""
    kept = []
    for name, job in jobs.items():
        found = find_reusable(sources, name, _key(intake, job))
        if found is not None:
            target = stage / name
            if target.exists():  # made empty by _unit_job
                target.rmdir()
            keep(found, target)
            kept.append(name)
    return kept


def _key(intake: Intake, job: NotebookRun) -> str:
    return unit_key(intake.input_hashes(), intake.rubric.sha256, sha256_file(job.template), job.parameters,
                    report_sources(intake.scheme.NAME, intake.data_dir, intake.year), intake.scheme.NAME)


def _run_jobs(jobs: dict[str, NotebookRun], intake: Intake, scheme, options: RunOptions, log, total: int,
              resumed: int, facts: dict[str, str | None], revision: int | None = None) -> list[Outcome]:
    renderer = HtmlRenderer()
    lock = threading.Lock()
    title = page_title(intake.year, scheme.TITLE)
    footer = _footer(intake)

    def finisher(key: str, job: NotebookRun):
        def finish(seconds: float, attempts: int) -> None:
            with lock:  # the exporters are shared; converting takes milliseconds
                views = renderer.views(job.output, cohort=key == "_cohort", title=title, footer=footer, revision=revision)
            for name, html in views.items():
                _write(job.cwd / name, html)
            (job.cwd / "failed.json").unlink(missing_ok=True)
            if key != "_cohort":
                outputs = sorted(p.name for p in job.cwd.iterdir() if p.is_file() and p.name != "manifest.json")
                _write(job.cwd / "manifest.json", _manifest(intake, job, job.cwd, outputs, seconds, attempts=attempts,
                                                            facts=facts.get(key), revision=revision))
        return finish

    progress = Progress(total, f"{intake.year} {scheme.NAME}", log=log, bar=options.bar)
    progress.resumed(resumed)

    def on_done(outcome: Outcome) -> None:
        if outcome.error == INTERRUPTED:
            return
        if outcome.error is not None:
            job = jobs[outcome.key]
            page = "index.html" if outcome.key == "_cohort" else "report.html"
            _write(job.cwd / page, failure_page(f"{title}：报告生成失败", outcome.key, outcome.error, outcome.attempts, footer))
            _write(job.cwd / "failed.json", json.dumps({"report": outcome.key, "error": outcome.error,
                                                        "attempts": outcome.attempts}, ensure_ascii=False, indent=1))
        progress.done("年度结果" if outcome.key == "_cohort" else outcome.key, outcome.seconds,
                      None if outcome.error is None else outcome.error.splitlines()[0][:160])

    # the cohort notebook first: it is the longest and the year's front page
    tasks = [Task(key, job, finisher(key, job)) for key, job in sorted(jobs.items(), key=lambda kv: kv[0] != "_cohort")]
    stop = threading.Event()
    if options.scheduler:
        from evalbook.engine.cluster import DaskPool

        pool = DaskPool(options.scheduler, timeout=options.timeout, run_id=uuid.uuid4().hex[:8],
                        fork=options.kernels == "fork")
    else:
        pool = LocalPool(options.workers, timeout=options.timeout, prestart=options.prestart,
                         fork=options.kernels == "fork", forks=options.forks)
    try:
        return pool.run(tasks, on_done, stop)
    finally:
        progress.close()


def _unit_job(scheme, intake: Intake, final_year_dir: Path, stage: Path, name: str, unit_params: dict) -> NotebookRun:
    """One report unit's notebook (an institution, or a specialty), run from its own folder."""
    folder = stage / name
    folder.mkdir(parents=True, exist_ok=True)
    params = {"scheme": scheme.NAME, "year": intake.year, **unit_params,
              "data_dir": paths.portable(intake.data_dir, final_year_dir / name),
              "output_dir": ".", "validation": "../validation.json"}
    notebook = scheme.notebook_path(scheme.UNIT_NOTEBOOK)
    return NotebookRun(notebook, folder / notebook.name, params, folder)


def _cohort_job(scheme, intake: Intake, final_year_dir: Path, stage: Path) -> NotebookRun:
    params = {"scheme": scheme.NAME, "year": intake.year, "data_dir": paths.portable(intake.data_dir, final_year_dir),
              "output_dir": ".", "validation": "validation.json"}
    return NotebookRun(scheme.notebook_path("cohort"), stage / "cohort.ipynb", params, stage)


def _manifest(intake: Intake, job: NotebookRun, folder: Path, outputs: list[str], seconds: float,
              attempts: int = 1, failures: dict | None = None, resumed: list | None = None,
              options: RunOptions | None = None, facts: str | None = None, stale: list | None = None,
              kept: list | None = None, unarchived: list | None = None, revision: int | dict | None = None,
              kernels: dict | None = None) -> str:
    now = datetime.now(UTC)
    record = {
        "scheme": intake.scheme.NAME,
        "year": intake.year,
        "institution": job.parameters.get("institution"),
        "inputs": [{"file": label, "path": paths.portable(path, folder), "sha256": sha} for label, path, sha in intake.inputs()],
        archive.DATA_FILES: [{"file": label, "path": paths.portable(path, folder), "sha256": sha}
                             for label, path, sha in archive.data_files(intake.scheme.NAME, intake.data_dir, intake.year)],
        "rubric": {"path": paths.portable(intake.rubric.path, paths.REPO), "sha256": intake.rubric.sha256,
                   "version": intake.rubric["version"]},
        "notebooks": [{"notebook": paths.portable(job.template, paths.REPO), "sha256": sha256_file(job.template),
                       "parameters": job.parameters, "executed": job.output.name, "cwd": "."}],
        "validation": {"file": "validation.json" if job.parameters["validation"] == "validation.json" else "../validation.json",
                       "great_expectations": intake.gx_version},
        "outputs": {name: sha256_file(folder / name) for name in sorted(outputs) if (folder / name).exists()},
        "versions": {"python": platform.python_version(), **_versions()},
        "times": {"started_utc": (now - timedelta(seconds=seconds)).isoformat(timespec="seconds"),
                  "finished_utc": now.isoformat(timespec="seconds"), "seconds": round(seconds, 3)},
        "attempts": attempts,
        "resume_key": _key(intake, job),
        "code": code_identity(intake.scheme.NAME),  # evalbook's version and the fingerprint of its (and a plugin's) sources
    }
    if revision is not None:  # the year's {"number", "history"}, a report's {"number"} (round/revisions.py)
        record["revision"] = revision if isinstance(revision, dict) else {"number": revision}
    if facts is not None:  # a report: what it shows of the year, by hash (stale.py)
        record[FACTS_KEY] = facts
    if options is not None:  # the year's manifest: how the run went
        record["run"] = {"workers": options.workers, "scheduler": options.scheduler, "kernels": options.kernels,
                         "resume": options.resume,
                         "failures": failures or {}, "resumed": sorted(resumed or []),
                         "rebuilt_because_shown_facts_changed": sorted(stale or []),
                         # --only: folders carried over from the published year (verify: built from earlier inputs)
                         "kept": sorted(kept or []),
                         "rebuilt_because_inputs_lost": sorted(unarchived or [])}
        if options.scheduler:  # each report's kernel on its worker: "fork-prestarted", "fork", or "spawn: why"
            record["run"]["worker_kernels"] = dict(sorted((kernels or {}).items()))
    return json.dumps(record, ensure_ascii=False, indent=1)


def _versions() -> dict[str, str]:
    out = {}
    for name in VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _footer(intake: Intake) -> str:
    return page_footer(intake.input_hashes(), intake.rubric["version"], intake.rubric.sha256, platform.python_version())


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
