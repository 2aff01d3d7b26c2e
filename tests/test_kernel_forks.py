"""Forked kernels (kernel_forks.py): as fresh as ordinary ones, interruptible, and never left behind."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from evalbook.engine import kernel_forks
from evalbook.engine.execute import NotebookRun
from evalbook.engine.pool import LocalPool, Task

pytestmark = pytest.mark.skipif(not kernel_forks.available(), reason="forked kernels need Linux (pidfd)")

PROBE = [
    "parameter = 0",
    "import json, os, sys\n"
    "names = sorted(k for k in globals() if not k.startswith('_'))\n"
    "print(json.dumps({'names': names, 'cwd': os.getcwd(), 'pid': os.getpid(), 'parameter': parameter}))",
]


def notebook(folder: Path, cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(cells[0], metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells[1:]]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "probe.ipynb"
    nbformat.write(nb, str(path))
    return path


def run_pool(template: Path, root: Path, fork: bool, count: int = 3, timeout: int = 60):
    tasks = []
    for i in range(count):
        cwd = root / f"{'fork' if fork else 'spawn'}-{i}"
        cwd.mkdir(parents=True)
        tasks.append(Task(str(i), NotebookRun(template, cwd / "out.ipynb", {"parameter": i}, cwd), lambda *_: None))
    outcomes = LocalPool(2, timeout=timeout, fork=fork).run(tasks, lambda _: None, threading.Event())
    return tasks, sorted(outcomes, key=lambda o: o.key)


def probe_output(path: Path) -> tuple[dict, list]:
    nb = nbformat.read(str(path), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    return json.loads(code[-1].outputs[0]["text"]), [c.execution_count for c in code]


def test_a_forked_kernel_is_as_fresh_as_an_ordinary_one_in_its_own_folder_and_process(tmp_path):
    template = notebook(tmp_path, PROBE)
    seen = {}
    for fork in (False, True):
        tasks, outcomes = run_pool(template, tmp_path, fork)
        assert [o.error for o in outcomes] == [None, None, None]
        for task in tasks:
            probe, counts = probe_output(task.job.output)
            assert probe["cwd"] == str(task.job.cwd)
            assert probe["parameter"] == int(task.key)
            assert counts == [1, 2, 3]  # parameters, injected parameters, probe: nothing ran before
            seen.setdefault(fork, []).append(probe)
    assert {tuple(p["names"]) for p in seen[True]} == {tuple(p["names"]) for p in seen[False]}
    assert len({p["pid"] for p in seen[True]}) == 3  # one process per notebook
    assert os.getpid() not in {p["pid"] for p in seen[True]}


def test_a_cell_over_its_time_limit_fails_and_is_retried_once(tmp_path):
    template = notebook(tmp_path, ["parameter = 0", "import time\ntime.sleep(60)"])
    started = time.perf_counter()
    _, outcomes = run_pool(template, tmp_path, fork=True, count=1, timeout=2)
    assert "CellTimeoutError" in outcomes[0].error or "Timeout" in outcomes[0].error, outcomes[0].error
    assert outcomes[0].attempts == 2
    assert time.perf_counter() - started < 30


def fork_processes() -> set[int]:
    """Our fork server, its kernels (they keep its command line) and their stubs, on this machine (this checkout's
    Python only: other checkouts' runs on a shared machine are not ours)."""
    found, ours = set(), sys.executable.encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if (b"evalbook.engine.kernel_forks" in cmdline or b"kernel_stub.py" in cmdline) and ours in cmdline:
                found.add(int(entry.name))
    return found


def test_a_pool_leaves_no_fork_server_kernel_or_stub_behind(tmp_path):
    before = fork_processes()
    _, outcomes = run_pool(notebook(tmp_path, PROBE), tmp_path, fork=True)
    assert all(o.error is None for o in outcomes)
    deadline = time.time() + 10
    while fork_processes() - before and time.time() < deadline:
        time.sleep(0.1)
    assert fork_processes() - before == set()


def test_an_interrupt_reaches_the_forked_kernel_through_its_stub(tmp_path):
    from jupyter_client import BlockingKernelClient
    from jupyter_core.utils import run_sync

    from evalbook.engine.kernels import Prestarted

    server = kernel_forks.ForkServer()
    kernel = Prestarted(tmp_path, forks=server)
    client = BlockingKernelClient(connection_file=kernel.manager.connection_file)
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        client.execute("import time\ntime.sleep(60)")
        time.sleep(1)
        run_sync(kernel.manager.interrupt_kernel)()
        reply = client.get_shell_msg(timeout=20)
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    finally:
        client.stop_channels()
        kernel.shutdown()
        server.stop()
