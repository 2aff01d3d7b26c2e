"""Per-report notebook seconds against the cohort's size: does a report cost the same at any size?

For each size N: the demo's wendeng-featured 2023 (22 institutions) or a synthetic cohort (``evalbook synth``),
then ``evalbook run wendeng-featured --only`` on a fixed sample of institutions (evenly spaced through the list,
the same codes every time) with 2 workers. The run prints one progress line per notebook (``[i/n] CODE ✓ 1.4s``);
which reports ran is checked from them, and each institution report's seconds are read from its manifest (to the
hundredth; the year's page, 年度结果, left out). Their median is printed with its ratio to the demo's. The whole run's
wall time is printed too.

Usage: python scripts/bench_reports.py [--sizes 22,2000,10000] [--sample 6] [--json PATH] [--work DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCHEME, YEAR, DEMO = "wendeng-featured", 2023, 22
LINE = re.compile(r"^\[\d+/\d+\] (\S+) ✓ ([0-9.]+)s")
COHORT = "年度结果"


def evalbook(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalbook", *args], capture_output=True, text=True, cwd=REPO)


def data_for(size: int, work: Path) -> Path:
    """The data folder of a cohort of ``size``: the demo's for 22, else synthesized once into ``work``."""
    if size == DEMO:
        return REPO / "data"
    folder = work / f"synth-{size}"
    if not (folder / SCHEME).is_dir():
        done = evalbook("synth", SCHEME, "--institutions", str(size), "--year", str(YEAR), "--out", str(folder))
        if done.returncode:
            sys.exit(done.stdout + done.stderr)
    return folder


def sample(data: Path, count: int) -> list[str]:
    """``count`` codes evenly spaced through the cohort's institutions.csv (first and last included)."""
    with (data / SCHEME / "institutions.csv").open(encoding="utf-8") as f:
        codes = [row["code"] for row in csv.DictReader(f)]
    if len(codes) <= count:
        return codes
    return [codes[round(i * (len(codes) - 1) / (count - 1))] for i in range(count)]


def measure(size: int, work: Path, count: int) -> dict:
    data = data_for(size, work)
    codes = sample(data, count)
    out = work / f"out-{size}"
    started = time.perf_counter()
    done = evalbook("run", SCHEME, "--year", str(YEAR), "--data", str(data), "--out", str(out), "--workers", "2",
                    "--only", *codes)
    wall = time.perf_counter() - started
    if done.returncode:
        sys.exit(done.stdout[-3000:] + done.stderr[-3000:])
    seconds = {m[1]: float(m[2]) for m in map(LINE.match, done.stdout.splitlines() + done.stderr.splitlines()) if m}
    if sorted(code for code in seconds if code != COHORT) != sorted(codes):
        sys.exit(f"expected report lines of {codes}, found {sorted(seconds)}")
    # to the hundredth, as each report's manifest records them (the progress lines round to tenths)
    year = out / SCHEME / str(YEAR)
    reports = [json.loads((year / code / "manifest.json").read_text(encoding="utf-8"))["times"]["seconds"]
               for code in codes]
    return {"size": size, "codes": codes, "report_seconds": reports, "median": statistics.median(reports),
            "cohort_seconds": seconds.get(COHORT), "run_seconds": round(wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=f"{DEMO},2000,10000", help="cohort sizes, comma separated")
    parser.add_argument("--sample", type=int, default=6, help="institutions reported on per size")
    parser.add_argument("--json", help="write the numbers to this file")
    parser.add_argument("--work", help="folder for the synthetic cohorts and the runs (default: a temporary one)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if DEMO not in sizes:
        sizes.insert(0, DEMO)  # the ratios are to the demo's figure
    with tempfile.TemporaryDirectory(prefix="evalbook-bench-reports-") as scratch:
        work = Path(args.work) if args.work else Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        results = []
        for size in sizes:
            result = measure(size, work, args.sample)
            results.append(result)
            base = results[0]["median"]
            result["ratio"] = round(result["median"] / base, 2)
            print(f"N={size:>6}: median report {result['median']:.2f}s  ratio to {DEMO}: {result['ratio']:.2f}  "
                  f"(reports {', '.join(f'{s:.2f}' for s in result['report_seconds'])}; year page "
                  f"{result['cohort_seconds']}s; run {result['run_seconds']}s)", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
