"""A real Dask cluster started from the command line: its workers fork kernels, and a run on it
publishes the same year folder as a run on this machine.

The scheduler and two workers are the ``dask`` commands of this environment, on free ports, with
their own temporary folder (``TMPDIR``), and are always stopped. The two runs are compared with
``audit.same_outputs``: every file byte for byte except the recorded times of notebooks, manifests
and the workbook.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evalbook.audit.same_outputs import folder_differences
from evalbook.engine.cluster import fork_server_status

distributed = pytest.importorskip("distributed", reason="the evalbook[dask] extra (distributed) is not installed")

BIN = Path(sys.executable).parent
SCHEME, YEAR, ONLY = "wendeng-featured", "2023", ["WDZG", "RMYY"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # a worker closes gracefully: its plugins' teardown runs
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def cluster(tmp_path):
    """``dask scheduler`` and two ``dask worker`` processes (one thread each); yields (address, their TMPDIR)."""
    temp = tmp_path / "cluster-tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    address = f"tcp://127.0.0.1:{_free_port()}"
    logs = open(tmp_path / "cluster.log", "wb")  # noqa: SIM115 — closed below, after the processes
    started = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                 "--no-dashboard"], env=env, stdout=logs, stderr=subprocess.STDOUT)]
    try:
        for n in range(2):
            started.append(subprocess.Popen([str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-dashboard",
                                             "--local-directory", str(tmp_path / f"worker{n}")],
                                            env=env, stdout=logs, stderr=subprocess.STDOUT))
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, temp, started
    finally:
        for process in reversed(started):
            _stop(process)
        logs.close()


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "evalbook", "run", SCHEME, "--year", YEAR, "--out", str(out),
                           "--only", *ONLY, *extra], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_a_cli_cluster_forks_kernels_and_publishes_the_same_bytes_as_a_local_run(cluster, tmp_path):
    address, temp, processes = cluster
    _run(tmp_path / "local", "--workers", "2")
    started = time.perf_counter()
    _run(tmp_path / "dask", "--scheduler", address)
    assert time.perf_counter() - started < 120
    a, b = tmp_path / "local" / SCHEME / YEAR, tmp_path / "dask" / SCHEME / YEAR
    assert folder_differences(a, b) == []
    for name in ("scores.csv", "index.html", "WDZG/report.html", "RMYY/result.json"):  # the plainest of them
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    run = json.loads((b / "manifest.json").read_text(encoding="utf-8"))["run"]
    assert run["scheduler"] == address
    kernels = run["worker_kernels"]
    assert sorted(kernels) == sorted([*ONLY, "_cohort"]) and set(kernels.values()) <= {"fork", "fork-prestarted"}
    # three reports on two one-thread workers: a thread ran two, the second in the kernel the first started ahead
    assert "fork-prestarted" in kernels.values(), kernels
    assert "worker_kernels" not in json.loads((a / "manifest.json").read_text(encoding="utf-8"))["run"]
    # each worker has its own fork server, a child of the worker process, with its socket in the workers' TMPDIR
    with distributed.Client(address, timeout="30s") as client:
        servers = list(client.run(fork_server_status).values())
    assert len(servers) == 2 and all(s["pid"] and s["reason"] == "" for s in servers)
    # the run is over: no kernel waits on a worker, none of its stubs is left, nor a kernel forked by a server
    assert [s["ready"] for s in servers] == [[], []]
    deadline = time.time() + 10
    while time.time() < deadline and any(_children(s["pid"]) or _stubs(s["worker_pid"]) for s in servers):
        time.sleep(0.1)
    assert [(_children(s["pid"]), _stubs(s["worker_pid"])) for s in servers] == [(set(), set())] * 2
    assert all(Path(s["socket"]).parent.parent == temp for s in servers)
    assert all(_parent(s["pid"]) == s["worker_pid"] for s in servers)  # what its parent-death watch watches
    # a worker stopped: its plugin's teardown stops the server and removes the server's socket folder
    for process in processes[1:]:
        _stop(process)
    assert not any(_alive(s["pid"]) for s in servers)
    assert not list(temp.glob("evalbook-*"))  # nor the worker's kernel socket folder (removed as it exits)


def _children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if _parent(int(entry.name)) == pid and _alive(int(entry.name)):
                    found.add(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


def _stubs(worker_pid: int) -> set[int]:
    """The kernel stubs (one per kernel a worker started) among the worker's children."""
    found = set()
    for pid in _children(worker_pid):
        try:
            if b"kernel_stub.py" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.add(pid)
        except OSError:
            continue
    return found


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
