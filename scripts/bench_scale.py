"""Validate + score time for large synthetic cohorts (`evalbook synth`), no rendering; and the award stability
analysis (every other reading of the rules the rubric lists), as a ratio to one scoring of the same cohort.

Each case runs in a fresh Python process so the Great Expectations import is measured on its
own, as a run pays it, with the process's peak memory (``resource.getrusage``: ru_maxrss). wendeng-featured is sized
in institutions; naiman-specialty in specialties (``evalbook synth --specialties N``: exactly N). For naiman, the
ratio of the 10,000 figures to the 1,000 ones of the same run is printed too, and whether validate + score of 10,000
specialties stays under ``TARGET_SECONDS`` (beyond the Great Expectations import) and the peak memory under
``TARGET_BYTES``. CPU seconds (``time.process_time``) are printed next to the wall-clock ones: on a machine shared
with other work they show what the code costs.
Usage: python scripts/bench_scale.py [--scheme SCHEME] [N ...]   (default: both schemes, 1000 10000)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASE = """
import json, resource, sys, time
t0 = time.perf_counter()
import great_expectations  # noqa: F401
t1 = time.perf_counter()
from pathlib import Path
from evalbook.run.batch import validate_year
from evalbook.core.registry import get_scheme
scheme, year, data = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
t2, c2 = time.perf_counter(), time.process_time()
intake = validate_year(scheme, year, data)
t3, c3 = time.perf_counter(), time.process_time()
scores = get_scheme(scheme).score(intake)
t4, c4 = time.perf_counter(), time.process_time()
from evalbook.committee.sensitivity import stability
readings = len(stability(get_scheme(scheme), intake, scores).scenarios)
t5 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes
print(json.dumps({"gx_import": t1 - t0, "read_validate": t3 - t2, "score": t4 - t3, "stability": t5 - t4,
                  "cpu_read_validate": c3 - c2, "cpu_score": c4 - c3,
                  "readings": readings, "errors": len(intake.errors), "peak_bytes": peak,
                  "specialties": len(intake.typed.get("specialties.csv", ()))}))
"""
YEARS = {"wendeng-featured": 2023, "naiman-specialty": 2025}
TARGET_SECONDS = 10  # naiman-specialty, 10,000 specialties: read + validate + score
TARGET_BYTES = 2 * 2**30


def measure_scale(scheme: str, n: int) -> dict[str, float]:
    """Seconds to synthesize, then (in a fresh process) import GX, read+validate, and score n institutions
    (naiman-specialty: n specialties)."""
    from evalbook.inputs.synth import synthesize

    year = YEARS[scheme]
    with tempfile.TemporaryDirectory(prefix="evalbook-scale-") as tmp:
        started = time.perf_counter()
        if scheme == "naiman-specialty":
            synthesize(scheme, None, year, Path(tmp), specialties=n)
        else:
            synthesize(scheme, n, year, Path(tmp))
        made = time.perf_counter() - started
        done = subprocess.run([sys.executable, "-c", CASE, scheme, str(year), tmp], capture_output=True, text=True,
                              check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result.pop("errors"):
        raise RuntimeError(f"synthetic {scheme} cohort of {n} did not validate")
    return {"synth": made, **result}


def line(scheme: str, n: int, got: dict) -> str:
    unit = f" ({got['specialties']:,} specialties)" if scheme == "naiman-specialty" else ""
    return (f"{scheme:18} {n:>7,}{unit}: synth {got['synth']:.1f}s · GX import {got['gx_import']:.1f}s · "
            f"read+validate {got['read_validate']:.1f}s · score {got['score']:.1f}s · "
            f"validate+score {got['read_validate'] + got['score']:.1f}s "
            f"(CPU {got['cpu_read_validate'] + got['cpu_score']:.1f}s) · peak memory {got['peak_bytes'] / 2**20:,.0f} MB · "
            f"stability ({got['readings'] - 1} other readings) {got['stability']:.1f}s = "
            f"{got['stability'] / max(got['score'], 1e-9):.1f}× one scoring")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    schemes = list(YEARS)
    if "--scheme" in arguments:
        at = arguments.index("--scheme")
        schemes = [arguments[at + 1]]
        del arguments[at:at + 2]
    sizes = [int(a) for a in arguments] or [1000, 10000]
    naiman: dict[int, dict] = {}
    for n in sizes:
        for scheme in schemes:
            got = measure_scale(scheme, n)
            if scheme == "naiman-specialty":
                naiman[n] = got
            print(line(scheme, n, got), flush=True)
    if 1000 in naiman and 10000 in naiman:
        small, large = naiman[1000], naiman[10000]
        ratios = {key: large[key] / max(small[key], 1e-9) for key in ("read_validate", "score", "peak_bytes")}
        ratios["validate+score"] = ((large["read_validate"] + large["score"])
                                    / max(small["read_validate"] + small["score"], 1e-9))
        print("naiman-specialty 10,000 ÷ 1,000 (same run): " + " · ".join(f"{k} {v:.1f}×" for k, v in ratios.items()),
              flush=True)
    if 10000 in naiman:
        large = naiman[10000]
        seconds = large["read_validate"] + large["score"]
        print(f"naiman-specialty 10,000 specialties: validate {large['read_validate']:.1f}s + score {large['score']:.1f}s = "
              f"{seconds:.1f}s, CPU {large['cpu_read_validate'] + large['cpu_score']:.1f}s "
              f"(target < {TARGET_SECONDS}s: {'met' if seconds < TARGET_SECONDS else 'NOT met'}) · "
              f"peak memory {large['peak_bytes'] / 2**20:,.0f} MB (target < {TARGET_BYTES / 2**30:.0f} GB: "
              f"{'met' if large['peak_bytes'] < TARGET_BYTES else 'NOT met'})", flush=True)
