"""``evalbook run``: validate once, score once, run every notebook, publish atomically.

The order matters to the users: nothing is written before the data passed every error-level
rule; every report is built in a staging folder; the year folder is swapped in only when all
of them succeeded. Validation and scoring happen once per run (one Great Expectations import);
each institution's notebook still runs alone in a fresh kernel, reading the run's
``validation.json`` so that it needs no Great Expectations of its own.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

from evalbook import paths
from evalbook.columns import CODE_REGEX
from evalbook.errors import InputError, Problem
from evalbook.execute import NotebookFailed, NotebookRun, run_notebook
from evalbook.intake import Intake, codes_of, file_label, take_in
from evalbook.publish import Staging
from evalbook.reading import sha256_file
from evalbook.render import HtmlRenderer
from evalbook.schemes import get_scheme

VERSIONED = ("evalbook", "pandas", "great-expectations", "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel",
             "openpyxl", "pyyaml")


class RunFailed(Exception):
    """Raised when one or more notebooks of a run failed; nothing was published."""

    def __init__(self, failures: dict[str, str]):
        self.failures = failures
        super().__init__("; ".join(f"{k}: {v}" for k, v in failures.items()))


@dataclass
class RunReport:
    target: Path
    built: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


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
    rubric = scheme.load_rubric(paths.rubric_path(scheme.NAME))
    return take_in(scheme, year, Path(data_dir), rubric)


def run_year(scheme_name: str, year: int, data_dir: Path, out_dir: Path, only: list[str] | None = None,
             workers: int = 2, log: Callable[[str], None] = print, intake: Intake | None = None) -> RunReport:
    """Build every output of one scheme-year under ``out_dir/<scheme>/<year>/``; see the module doc."""
    started = time.perf_counter()
    check_codes(only)
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
    scores = scheme.score(intake)
    units = scheme.report_units(intake, scores)  # [(folder, institution code, notebook parameters)]
    staging = Staging(report.target)
    try:
        stage = staging.path
        _write(stage / "validation.json", json.dumps(intake.validation_record(), ensure_ascii=False, indent=1))
        scheme_outputs = scheme.write_outputs(intake, scores, stage)
        selected = [u for u in units if not only or u[1] in only]
        if only:
            staging.carry_over([folder for folder, code, _ in units if code not in only])
        jobs = {folder: _unit_job(scheme, intake, report.target, stage, folder, params) for folder, _, params in selected}
        jobs["_cohort"] = _cohort_job(scheme, intake, report.target, stage)
        report.seconds["score+tables"] = time.perf_counter() - started - report.seconds["validate"]
        failures = _run_jobs(jobs, intake, scheme, workers, log, report)
        if failures:
            raise RunFailed(failures)
        _write(stage / "manifest.json", _manifest(intake, jobs["_cohort"], stage, scheme_outputs + ["validation.json"],
                                                  report.seconds.get("_cohort", 0.0)))
        staging.publish()
    except BaseException:
        staging.discard()
        raise
    report.built = sorted(jobs)
    report.seconds["total"] = time.perf_counter() - started
    return report


def _run_jobs(jobs, intake, scheme, workers, log, report) -> dict[str, str]:
    renderer = HtmlRenderer()
    lock = threading.Lock()
    failures: dict[str, str] = {}
    done = 0

    def one(key: str, job: NotebookRun) -> float:
        t0 = time.perf_counter()
        run_notebook(job)
        folder = job.cwd
        title = f"{intake.year} {scheme.TITLE}"
        with lock:  # the exporters are shared; converting takes milliseconds
            report_html = renderer.convert(job.output, audit=False, title=title, footer=_footer(intake))
            audit_html = renderer.convert(job.output, audit=True, title=f"{title}（审计视图）", footer=_footer(intake))
        names = ("index.html", "audit.html") if key == "_cohort" else ("report.html", "audit.html")
        _write(folder / names[0], report_html)
        _write(folder / names[1], audit_html)
        seconds = time.perf_counter() - t0
        if key != "_cohort":
            _write(folder / "manifest.json", _manifest(intake, job, folder, [job.output.name, *names], seconds))
        return seconds

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(one, key, job): key for key, job in jobs.items()}
        for future in as_completed(futures):
            key = futures[future]
            done += 1
            try:
                report.seconds[key] = future.result()
                log(f"[{done}/{len(jobs)}] {'年度结果' if key == '_cohort' else key} ✓ {report.seconds[key]:.1f}s")
            except NotebookFailed as exc:
                failures[key] = f"{exc.error}: {exc.message}"
                log(f"[{done}/{len(jobs)}] {key} ✗ {exc.error}: {exc.message.splitlines()[-1] if exc.message else ''}")
    return failures


def _unit_job(scheme, intake: Intake, final_year_dir: Path, stage: Path, name: str, unit_params: dict) -> NotebookRun:
    """One report unit's notebook (an institution, or a specialty), run from its own folder."""
    folder = stage / name
    folder.mkdir(parents=True, exist_ok=True)
    params = {"scheme": scheme.NAME, "year": intake.year, **unit_params,
              "data_dir": paths.portable(intake.data_dir, final_year_dir / name),
              "output_dir": ".", "validation": "../validation.json"}
    notebook = paths.notebook_path(scheme.NAME, scheme.UNIT_NOTEBOOK)
    return NotebookRun(notebook, folder / notebook.name, params, folder)


def _cohort_job(scheme, intake: Intake, final_year_dir: Path, stage: Path) -> NotebookRun:
    params = {"scheme": scheme.NAME, "year": intake.year, "data_dir": paths.portable(intake.data_dir, final_year_dir),
              "output_dir": ".", "validation": "validation.json"}
    return NotebookRun(paths.notebook_path(scheme.NAME, "cohort"), stage / "cohort.ipynb", params, stage)


def _manifest(intake: Intake, job: NotebookRun, folder: Path, outputs: list[str], seconds: float) -> str:
    now = datetime.now(UTC)
    record = {
        "scheme": intake.scheme.NAME,
        "year": intake.year,
        "institution": job.parameters.get("institution"),
        "inputs": [{"file": label, "path": paths.portable(path, folder), "sha256": sha} for label, path, sha in intake.inputs()],
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
    }
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
    digest = hashlib.sha256(json.dumps(intake.input_hashes(), sort_keys=True).encode()).hexdigest()[:12]
    return (f"评分规则 {intake.rubric['version']}（sha256 {intake.rubric.sha256[:12]}）· 输入指纹 {digest} · "
            f"Python {sys.version.split()[0]}")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
