"""A report's cost on a Dask cluster against its cost on this machine, and whether both publish the same bytes.

Starts a cluster from the command line as an operator would (``dask scheduler`` and two ``dask worker``
processes of this environment, one thread each, on free ports), runs the demo year (wendeng-featured 2023)
with ``evalbook run --workers 2`` here and with ``evalbook run --scheduler`` there, and prints:

- per-report notebook seconds of each run: the median over the reports of its ``[i/n] CODE ✓ X.Xs`` lines (the
  year's own notebook, 年度结果, left out), each read to the hundredth from the report's manifest;
- the ratio Dask / local and whether it is at most 1.2 (the target);
- whether the two year folders hold the same outputs (``audit.same_outputs``: byte for byte beyond
  recorded times), and how the workers made their kernels (the year manifest's ``run.worker_kernels``).

``--spawn`` also runs the cluster with ``--kernels spawn`` (ordinary kernels on the workers) for comparison.
Not a test: numbers move with the machine and its load.
Usage: python scripts/bench_dask.py [--rounds 1] [--spawn] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCHEME, YEAR = "wendeng-featured", "2023"
TARGET = 1.2
LINE = re.compile(r"^\[\d+/\d+\] (\S+) ✓ ([0-9.]+)s", re.MULTILINE)
COHORT = "年度结果"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """``dask scheduler`` + two ``dask worker`` (1 thread each) from this environment's bin/, always stopped."""

    def __init__(self, folder: Path):
        self.folder, self.processes = folder, []
        self.address = f"tcp://127.0.0.1:{free_port()}"

    def __enter__(self) -> Cluster:
        from distributed import Client

        log = open(self.folder / "cluster.log", "wb")  # noqa: SIM115 — closed in __exit__
        self.log = log
        port = self.address.rsplit(":", 1)[1]
        self.processes.append(subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", port,
                                                "--no-dashboard"], stdout=log, stderr=subprocess.STDOUT))
        try:
            for n in range(2):
                self.processes.append(subprocess.Popen(
                    [str(BIN / "dask"), "worker", self.address, "--nthreads", "1", "--no-dashboard",
                     "--local-directory", str(self.folder / f"worker{n}")], stdout=log, stderr=subprocess.STDOUT))
            with Client(self.address, timeout="30s") as client:
                client.wait_for_workers(2, timeout=90)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.log.close()


def evalbook_run(out: Path, *extra: str) -> dict:
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "evalbook"), "run", SCHEME, "--year", YEAR, "--out", str(out), *extra],
                          capture_output=True, text=True, cwd=REPO, timeout=1800)
    if done.returncode != 0:
        sys.exit(f"evalbook run {' '.join(extra)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    year = out / SCHEME / YEAR  # each report's seconds to the hundredth, from its manifest (the lines show tenths)
    seconds = {code: json.loads((year / code / "manifest.json").read_text(encoding="utf-8"))["times"]["seconds"]
               for code, _ in LINE.findall(done.stdout) if code != COHORT}
    manifest = json.loads((out / SCHEME / YEAR / "manifest.json").read_text(encoding="utf-8"))
    kernels = Counter(k.split(":")[0] for k in manifest["run"].get("worker_kernels", {}).values())
    return {"per_report": statistics.median(seconds.values()), "reports": len(seconds),
            "wall": round(time.perf_counter() - started, 1), "kernels": dict(kernels)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="runs of each kind (medians over all their reports)")
    parser.add_argument("--spawn", action="store_true", help="also run the cluster with ordinary kernels")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: the cluster and the runs are still stopped
    sys.path.insert(0, str(REPO / "src"))
    from evalbook.audit.same_outputs import folder_differences

    with tempfile.TemporaryDirectory(prefix="evalbook-bench-dask-") as tmp:
        tmp = Path(tmp)
        runs: dict[str, list[dict]] = {"local": [], "dask": [], "dask_spawn": []}
        with Cluster(tmp) as cluster:
            for n in range(args.rounds):
                runs["local"].append(evalbook_run(tmp / f"local{n}", "--workers", "2"))
                runs["dask"].append(evalbook_run(tmp / f"dask{n}", "--scheduler", cluster.address))
                if args.spawn:
                    runs["dask_spawn"].append(evalbook_run(tmp / f"spawn{n}", "--scheduler", cluster.address,
                                                           "--kernels", "spawn"))
        differences = folder_differences(tmp / "local0" / SCHEME / YEAR, tmp / "dask0" / SCHEME / YEAR)
    local = statistics.median(r["per_report"] for r in runs["local"])
    dask = statistics.median(r["per_report"] for r in runs["dask"])
    result = {"scheme": SCHEME, "year": int(YEAR), "cores": os.cpu_count(), "rounds": args.rounds,
              "local_per_report_s": round(local, 2), "dask_per_report_s": round(dask, 2),
              "ratio": round(dask / local, 2), "target": TARGET, "within_target": dask / local <= TARGET,
              "same_outputs": not differences, "differences": differences[:20], "runs": runs}
    if args.spawn:
        spawn = statistics.median(r["per_report"] for r in runs["dask_spawn"])
        result |= {"dask_spawn_per_report_s": round(spawn, 2), "spawn_ratio": round(spawn / local, 2)}
    print(f"per report (median s, 年度结果 left out): local --workers 2 {local:.2f} · Dask (2 workers × 1 thread) "
          f"{dask:.2f} · ratio {dask / local:.2f} ({'≤' if dask / local <= TARGET else '>'} {TARGET})")
    if args.spawn:
        print(f"Dask with --kernels spawn: {result['dask_spawn_per_report_s']:.2f} s · ratio {result['spawn_ratio']:.2f}")
    print(f"workers' kernels: {runs['dask'][0]['kernels']} · wall: local {[r['wall'] for r in runs['local']]} s, "
          f"Dask {[r['wall'] for r in runs['dask']]} s")
    print("same outputs (byte for byte beyond recorded times): " + ("yes" if not differences else
                                                                    "NO\n  " + "\n  ".join(differences[:20])))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
