"""`make bench`: where a batch's time goes, every way of running it measured in one run on this machine.

Prints one table (and writes it as JSON with --json PATH):

- floor: a fresh kernel running an empty notebook (papermill API), alone and two at a time;
- naive: per report, the papermill CLI on a notebook that validates and scores on its own, then the
  `jupyter nbconvert` CLI — timed on a sample and extrapolated to the demo cohort;
- papermill API in a thread pool (2 threads, a fresh kernel per notebook, in-process nbconvert);
- `evalbook run` with 1 and 2 workers (the real CLI in a subprocess, whole wall time), with forked
  kernels (the default) and with ordinary spawned ones (`--kernels spawn`);
- `evalbook run` on a batch of 200 synthetic institutions with 1 and 2 workers (whole runs: at that size
  the once-per-run costs — start-up, the Great Expectations import, validation — stop mattering);
- validate + score of 1,000 and 10,000 synthetic institutions, and of 1,000 and 10,000 naiman specialties (no
  rendering; `bench_scale.py`);
- province scale: the notebook seconds of one report at 22 (the demo), 2,000 and 10,000 synthetic institutions, with
  the ratio to the demo's (`bench_reports.py`); a whole run of 2,000 synthetic institutions (target: under 15 minutes);
  and a report's seconds on a Dask cluster started from the command line against a local run, with whether both
  published the same bytes (`bench_dask.py`).

Ratios are against baselines measured in the same run. Not a test: numbers move with the machine.
Usage: python scripts/bench.py [--sample 3] [--batch 200] [--skip-scale] [--skip-province] [--sizes 22,2000,10000]
                               [--full 2000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCHEME, YEAR = "wendeng-featured", 2023


VALIDATION_SECONDS: dict[str, float] = {}  # per run: reading + validation (GX import included), as the CLI reports it
NOTEBOOK_SECONDS: dict[str, float] = {}  # per run: the notebook phase, what --workers parallelises


def evalbook_run(out: Path, workers: int, kernels: str = "fork", data: Path = REPO / "data") -> float:
    """Wall seconds of the real CLI; the validation part it reports is kept in VALIDATION_SECONDS."""
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "evalbook"), "run", SCHEME, "--year", str(YEAR), "--data", str(data), "--out",
                           str(out), "--workers", str(workers), "--kernels", kernels], cwd=REPO, check=True,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    found = re.search(r"reading and validation ([0-9.]+)s, notebooks ([0-9.]+)s", done.stdout)
    VALIDATION_SECONDS[out.name] = float(found.group(1))
    NOTEBOOK_SECONDS[out.name] = float(found.group(2))
    return seconds


def units(year_dir: Path) -> list[tuple[str, dict]]:
    """(folder, notebook parameters) of each report of a finished run, from its manifests."""
    found = []
    for manifest in sorted(year_dir.glob("*/manifest.json")):
        record = json.loads(manifest.read_text(encoding="utf-8"))
        found.append((manifest.parent.name, record["notebooks"][0]["parameters"]))
    return found


def floor(work: Path, n: int, threads: int) -> float:
    """Seconds per notebook for a fresh kernel running an empty notebook, ``threads`` at a time."""
    import nbformat
    import papermill

    empty = work / "empty.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("", metadata={"tags": ["parameters"]})]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(empty))

    def one(i: int) -> None:
        papermill.execute_notebook(str(empty), str(work / f"empty-{threads}-{i}.ipynb"), kernel_name="python3",
                                   progress_bar=False)

    one(-1)  # warm the client side (imports), not counted
    runs = []
    for _ in range(3):  # kernel start-up varies a lot on these VMs: the median of three batches
        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, range(n)))
        runs.append((time.perf_counter() - started) / n)
    return sorted(runs)[1]


def naive(year_dir: Path, work: Path, sample: int) -> float:
    """Seconds per report of papermill CLI + nbconvert CLI, the notebook validating on its own."""
    chosen = units(year_dir)[:sample]
    started = time.perf_counter()
    for folder, params in chosen:
        cwd = work / "naive" / folder
        cwd.mkdir(parents=True, exist_ok=True)
        args = [str(BIN / "papermill"), str(REPO / "notebooks" / SCHEME / "institution.ipynb"), "out.ipynb",
                "--no-progress-bar", "--cwd", str(cwd)]
        for key, value in {**params, "data_dir": str(REPO / "data"), "validation": "", "output_dir": "."}.items():
            args += ["-p", key, str(value)]
        subprocess.run(args, cwd=cwd, check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "out.ipynb"], cwd=cwd, check=True,
                       capture_output=True)
    return (time.perf_counter() - started) / len(chosen)


def papermill_pool(year_dir: Path, work: Path, threads: int) -> float:
    """Wall seconds for every report of the run via papermill's API in a thread pool, HTML in-process."""
    import papermill
    from nbconvert import HTMLExporter

    exporter = HTMLExporter()
    chosen = units(year_dir)
    shutil.copy(year_dir / "validation.json", work / "validation.json")

    def one(item) -> None:
        folder, params = item
        cwd = work / "pool" / folder
        cwd.mkdir(parents=True, exist_ok=True)
        params = {**params, "data_dir": str(REPO / "data"), "validation": str(work / "validation.json")}
        papermill.execute_notebook(str(REPO / "notebooks" / SCHEME / "institution.ipynb"), str(cwd / "out.ipynb"),
                                   parameters=params, kernel_name="python3", progress_bar=False,
                                   resources={"metadata": {"path": str(cwd)}})
        body, _ = exporter.from_filename(str(cwd / "out.ipynb"))
        (cwd / "out.html").write_text(body, encoding="utf-8")

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, chosen))
    return time.perf_counter() - started


def script_json(work: Path, script: str, *args: str):
    """Run one of the other bench scripts (its own lines pass through) and return what it wrote with --json."""
    out = work / f"{script}.json"
    subprocess.run([sys.executable, str(REPO / "scripts" / script), *args, "--json", str(out)], cwd=REPO, check=True)
    return json.loads(out.read_text(encoding="utf-8"))


FULL_BATCH_LIMIT = 15 * 60  # seconds: a whole year of 2,000 institutions on this 2-core machine


def province(work: Path, sizes: str, results: dict, ok: dict, full: int = 2000) -> list[tuple[str, str, str]]:
    """Per-report cost against the cohort's size, a whole batch of ``full`` institutions, and on a Dask cluster against
    local (the targets: 2,000 ≤ 1.2× and 10,000 ≤ 1.3× the demo's report; 2,000 in under 15 minutes; Dask ≤ 1.2× local,
    same bytes)."""
    rows = []
    limits = {2000: 1.2, 10000: 1.3}
    for got in script_json(work, "bench_reports.py", "--sizes", sizes, "--work", str(work / "reports")):
        results[f"report_{got['size']}"] = got["median"]
        limit = limits.get(got["size"])
        mark = f" {ok[got['ratio'] <= limit]} (≤ {limit}×)" if limit else " (baseline)"
        rows.append((f"one report's notebook, cohort of {got['size']:,} institutions", f"{got['median']:.2f} s",
                     f"{got['ratio']:.2f}× the demo's{mark}; year page {got['cohort_seconds']} s"))
    if full:  # every report of a synthetic year, as an evaluator would run it (the same cohort as above when there)
        data = work / "reports" / f"synth-{full}"
        if not (data / SCHEME).is_dir():
            from evalbook.inputs.synth import synthesize

            synthesize(SCHEME, full, YEAR, data)
        seconds = evalbook_run(work / f"full-{full}", 2, data=data)
        out = work / f"full-{full}"
        results[f"full_{full}"] = seconds
        rows.append((f"evalbook run, all {full:,} synthetic institutions, 2 workers", f"{seconds / 60:.1f} min",
                     f"reading and validation {VALIDATION_SECONDS[out.name]:.0f} s, notebooks "
                     f"{NOTEBOOK_SECONDS[out.name]:.0f} s ({NOTEBOOK_SECONDS[out.name] / (full + 1):.2f} s/report)"
                     + (f" {ok[seconds < FULL_BATCH_LIMIT]} (< 15 min)" if full == 2000 else "")))
        shutil.rmtree(out, ignore_errors=True)
    dask = script_json(work, "bench_dask.py")
    results["dask_per_report"], results["dask_local_per_report"] = dask["dask_per_report_s"], dask["local_per_report_s"]
    rows.append(("one report on a Dask cluster (2 CLI workers) vs local", f"{dask['dask_per_report_s']:.2f} s",
                 f"{dask['ratio']:.2f}× local {dask['local_per_report_s']:.2f} s {ok[dask['within_target']]} (≤ 1.2×); "
                 f"same bytes {ok[dask['same_outputs']]}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=3, help="reports timed for the naive loop")
    parser.add_argument("--skip-scale", action="store_true", help="skip the 1,000 / 10,000 institution timings")
    parser.add_argument("--batch", type=int, default=200, metavar="N",
                        help="also time a whole run of N synthetic institutions with 1 and 2 workers (0: skip)")
    parser.add_argument("--skip-province", action="store_true",
                        help="skip the per-report cost at 2,000 and 10,000 institutions and the Dask comparison")
    parser.add_argument("--sizes", default="22,2000,10000", help="cohort sizes of the per-report figures")
    parser.add_argument("--full", type=int, default=2000, metavar="N",
                        help="time a whole run of N synthetic institutions (target for 2,000: under 15 minutes; 0: skip)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="evalbook-bench-") as tmp:
        work = Path(tmp)
        results["run_2w"] = evalbook_run(work / "w2", 2)
        year_dir = work / "w2" / SCHEME / str(YEAR)
        reports = len(units(year_dir)) + 1  # every institution and the cohort report
        results["run_1w"] = evalbook_run(work / "w1", 1)
        results["run_1w_spawn"] = evalbook_run(work / "s1", 1, kernels="spawn")
        results["run_2w_spawn"] = evalbook_run(work / "s2", 2, kernels="spawn")
        results["floor_1"] = floor(work, 4, 1)
        results["floor_2"] = floor(work, 6, 2)
        results["naive_per_report"] = naive(year_dir, work, args.sample)
        results["naive"] = results["naive_per_report"] * reports
        results["pool_2"] = papermill_pool(year_dir, work, 2)
        ok = {True: "✓", False: "✗"}
        # per report: the notebook phase (each notebook run, exported, recorded) over the reports
        per_1w = NOTEBOOK_SECONDS["w1"] / reports
        per_2w = NOTEBOOK_SECONDS["w2"] / reports
        results["notebooks_1w"], results["notebooks_2w"] = NOTEBOOK_SECONDS["w1"], NOTEBOOK_SECONDS["w2"]
        rows += [
            ("floor: fresh kernel, empty notebook",
             f"{results['floor_1']:.2f} s/nb (2 at a time: {results['floor_2']:.2f})", "baseline"),
            (f"naive: papermill CLI + nbconvert CLI (×{reports}, from {args.sample})", f"{results['naive']:.1f} s",
             f"{results['naive_per_report']:.2f} s/report"),
            (f"papermill API, 2 threads ({reports - 1} notebooks)", f"{results['pool_2']:.1f} s",
             f"{results['naive'] / results['pool_2']:.1f}× naive"),
            ("evalbook run --workers 1 --kernels spawn", f"{results['run_1w_spawn']:.1f} s",
             f"{results['naive'] / results['run_1w_spawn']:.1f}× naive"),
            ("evalbook run --workers 2 --kernels spawn", f"{results['run_2w_spawn']:.1f} s",
             f"{results['naive'] / results['run_2w_spawn']:.1f}× naive; "
             f"{results['run_1w_spawn'] / results['run_2w_spawn']:.2f}× 1 worker with spawned kernels"),
            ("evalbook run --workers 1", f"{results['run_1w']:.1f} s",
             f"{results['naive'] / results['run_1w']:.1f}× naive; {per_1w:.2f} s/report = "
             f"{per_1w / results['floor_1']:.2f}× floor"),
            ("evalbook run --workers 2", f"{results['run_2w']:.1f} s",
             f"{results['naive'] / results['run_2w']:.1f}× naive {ok[results['naive'] / results['run_2w'] >= 8]}; "
             f"{per_2w:.2f} s/report = {per_2w / results['floor_2']:.2f}× floor(2) "
             f"{ok[per_2w / results['floor_2'] <= 1.5]}; whole run {results['run_1w'] / results['run_2w']:.2f}× "
             f"1 worker {ok[results['run_1w'] / results['run_2w'] >= 1.7]}, notebook phase "
             f"{per_1w / per_2w:.2f}× {ok[per_1w / per_2w >= 1.7]}"),
        ]
        if args.batch:  # a batch large enough that the once-per-run costs stop mattering
            from evalbook.inputs.synth import synthesize

            synthesize(SCHEME, args.batch, YEAR, work / "batch-data")
            one = evalbook_run(work / "b1", 1, data=work / "batch-data")
            two = evalbook_run(work / "b2", 2, data=work / "batch-data")
            results["batch_1w"], results["batch_2w"] = one, two
            rows.append((f"evalbook run, {args.batch} synthetic institutions: 1 → 2 workers", f"{one:.0f} → {two:.0f} s",
                         f"whole run {one / two:.2f}× {ok[one / two >= 1.7]}"))
        if not args.skip_scale:
            sys.path.insert(0, str(REPO / "scripts"))
            from bench_scale import measure_scale

            # wendeng in institutions, naiman in specialties (synth --specialties)
            for scheme, sizes in (("wendeng-featured", (1000, 10000)), ("naiman-specialty", (1000, 10000))):
                for n in sizes:
                    got = measure_scale(scheme, n)
                    total = got["read_validate"] + got["score"]
                    results[f"scale_{scheme}_{n}"] = total
                    results[f"scale_{scheme}_{n}_peak_mb"] = got["peak_bytes"] / 2**20
                    target = (f" {ok[total < 10]} (< 10 s), peak {got['peak_bytes'] / 2**20:,.0f} MB "
                              f"{ok[got['peak_bytes'] < 2 * 2**30]} (< 2 GB)" if n == 10000 else "")
                    what = "specialties" if scheme == "naiman-specialty" else "institutions"
                    rows.append((f"validate+score {n:,} synthetic {what} ({scheme})", f"{total:.1f} s",
                                 f"validate {got['read_validate']:.1f} s (GX import {got.get('gx_import', 0):.1f} s "
                                 f"not counted), score {got['score']:.1f} s" + target))
        if not args.skip_province:
            rows += province(work, args.sizes, results, ok, args.full)
    width = max(len(r[0]) for r in rows)
    print(f"evalbook bench · {date.today()} · {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}")
    print(f"demo cohort: {SCHEME} {YEAR}, {reports} reports")
    for name, value, note in rows:
        print(f"{name.ljust(width)}  {value:>10}  {note}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
