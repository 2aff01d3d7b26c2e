"""Validate + score time for large synthetic cohorts (`evalbook synth`), no rendering; and the award stability
analysis (every other reading of the rules the rubric lists), as a ratio to one scoring of the same cohort.

Each case runs in a fresh Python process so the Great Expectations import is measured on its
own, as a run pays it. Usage: python scripts/bench_scale.py [N ...]   (default 1000 10000)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASE = """
import json, sys, time
t0 = time.perf_counter()
import great_expectations  # noqa: F401
t1 = time.perf_counter()
from pathlib import Path
from evalbook.run.batch import validate_year
from evalbook.core.registry import get_scheme
scheme, year, data = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
t2 = time.perf_counter()
intake = validate_year(scheme, year, data)
t3 = time.perf_counter()
scores = get_scheme(scheme).score(intake)
t4 = time.perf_counter()
from evalbook.committee.sensitivity import stability
readings = len(stability(get_scheme(scheme), intake, scores).scenarios)
t5 = time.perf_counter()
print(json.dumps({"gx_import": t1 - t0, "read_validate": t3 - t2, "score": t4 - t3, "stability": t5 - t4,
                  "readings": readings, "errors": len(intake.errors)}))
"""
YEARS = {"wendeng-featured": 2023, "naiman-specialty": 2025}


def measure_scale(scheme: str, n: int) -> dict[str, float]:
    """Seconds to synthesize, then (in a fresh process) import GX, read+validate, and score n institutions."""
    from evalbook.inputs.synth import synthesize

    year = YEARS[scheme]
    with tempfile.TemporaryDirectory(prefix="evalbook-scale-") as tmp:
        started = time.perf_counter()
        synthesize(scheme, n, year, Path(tmp))
        made = time.perf_counter() - started
        done = subprocess.run([sys.executable, "-c", CASE, scheme, str(year), tmp], capture_output=True, text=True,
                              check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result.pop("errors"):
        raise RuntimeError(f"synthetic {scheme} cohort of {n} did not validate")
    return {"synth": made, **result}


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [1000, 10000]:
        for scheme in YEARS if n <= 3000 else ("wendeng-featured",):  # naiman beyond: files over the 50 MB guard
            got = measure_scale(scheme, n)
            print(f"{scheme:18} {n:>7,}: synth {got['synth']:.1f}s · GX import {got['gx_import']:.1f}s · "
                  f"read+validate {got['read_validate']:.1f}s · score {got['score']:.1f}s · "
                  f"validate+score {got['read_validate'] + got['score']:.1f}s · stability ({got['readings'] - 1} other "
                  f"readings) {got['stability']:.1f}s = {got['stability'] / max(got['score'], 1e-9):.1f}× one scoring",
                  flush=True)
