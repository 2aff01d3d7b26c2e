"""Kernels started ahead of need on a Dask worker (engine/ready_kernels.py, the ForkKernels plugin): the next
task takes the waiting kernel, moved to its own folder and as fresh as a kernel started there; a kernel no
task took is shut down when its run ends or the plugin tears down, leaving no process behind."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import nbformat
import pytest

from evalbook.engine import kernel_forks
from evalbook.engine.execute import NotebookRun, run_notebook
from evalbook.engine.ready_kernels import ReadyKernels
from evalbook.engine.worker_forks import ForkKernels

pytestmark = pytest.mark.skipif(not kernel_forks.available(), reason="forked kernels need Linux (pidfd)")

PROBE = [
    "parameter = 0",
    "import json, os\n"
    "names = sorted(k for k in globals() if not k.startswith('_'))\n"
    "print(json.dumps({'names': names, 'cwd': os.getcwd(), 'dh': [str(d) for d in _dh], 'parent': os.getppid()}))",
]


@pytest.fixture
def server():
    started = kernel_forks.ForkServer()
    yield started
    started.stop()


def _notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(PROBE[0], metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell(PROBE[1])]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "probe.ipynb"
    nbformat.write(nb, str(path))
    return path


def _run(template: Path, cwd: Path, kernel) -> tuple[dict, list]:
    cwd.mkdir(exist_ok=True)
    run_notebook(NotebookRun(template, cwd / "out.ipynb", {"parameter": 7}, cwd), timeout=60, kernel=kernel)
    code = [c for c in nbformat.read(str(cwd / "out.ipynb"), as_version=4).cells if c.cell_type == "code"]
    return json.loads(code[-1].outputs[0]["text"]), [c.execution_count for c in code]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def _settled(check, seconds: float = 10) -> bool:
    deadline = time.time() + seconds
    while not check() and time.time() < deadline:
        time.sleep(0.1)
    return check()


def test_the_next_task_takes_the_waiting_kernel_in_its_own_folder_as_fresh_as_a_new_one(tmp_path, server):
    template = _notebook(tmp_path)
    ready = ReadyKernels(server)
    ready.prepare("run1")
    assert _settled(lambda: ready.pids())  # launched in the background
    [waiting] = ready.pids()
    (tmp_path / "report").mkdir()
    taken = ready.take("run1", tmp_path / "report")  # this thread's kernel, moved
    assert taken is not None and taken.pid == waiting and ready.pids() == []
    forked_in_task, counts = _run(template, tmp_path / "report", taken)
    assert forked_in_task["cwd"] == str(tmp_path / "report") and forked_in_task["dh"] == [str(tmp_path / "report")]
    assert counts == [1, 2, 3]  # parameters, injected parameters, probe: nothing ran before, the move included
    assert forked_in_task["parent"] == server.live_pid  # a forked kernel, not an ordinary one
    ordinary, _ = _run(template, tmp_path / "ordinary", None)
    assert forked_in_task["names"] == ordinary["names"]
    ready.close()


def test_a_waiting_kernel_is_not_taken_by_another_thread_or_run_and_ends_with_its_run(tmp_path, server):
    ready = ReadyKernels(server)
    ready.prepare("run1")
    ready.prepare("run1")  # one waits per thread, not two
    assert _settled(lambda: ready.pids())
    time.sleep(0.5)
    [waiting] = ready.pids()
    elsewhere: list = []
    thread = threading.Thread(target=lambda: elsewhere.append(ready.take("run1", tmp_path)))
    thread.start()
    thread.join()
    assert elsewhere == [None] and ready.pids() == [waiting]
    assert ready.take("run2", tmp_path) is None  # another run's task: not taken, shut down
    assert _settled(lambda: not _alive(waiting) and not _children(server.live_pid))
    ready.prepare("run1")
    assert _settled(lambda: ready.pids())
    [again] = ready.pids()
    assert ready.end("run1") == 1 and ready.pids() == []
    ready.prepare("run1")  # the run is over: nothing more starts for it
    assert ready.pids() == []
    assert _settled(lambda: not _alive(again) and not _children(server.live_pid))


def test_the_plugin_shuts_down_the_kernels_it_started_ahead_at_teardown():
    plugin = ForkKernels()
    plugin.setup(worker=None)
    assert plugin.server is not None, plugin.reason
    server = plugin.server.live_pid
    plugin.ready.prepare("run1")
    assert _settled(lambda: plugin.ready.pids())
    [waiting] = plugin.ready.pids()
    assert _settled(lambda: _children(server)), "the forked kernel"
    kernels = _children(server)
    plugin.teardown(worker=None)
    assert plugin.ready is None and plugin.server is None
    assert _settled(lambda: not _alive(waiting) and not _alive(server) and not any(_alive(k) for k in kernels))
