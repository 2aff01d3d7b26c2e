"""Meeting and leaving a kernel (kernels.py): ready on its first answer, gone when shut down, first outputs clean."""

from __future__ import annotations

import os
import threading

import nbformat
import pytest
from jupyter_core.utils import run_sync

from evalbook.engine import kernel_forks
from evalbook.engine.execute import NotebookRun
from evalbook.engine.kernels import Prestarted, ready_client_class
from evalbook.engine.pool import LocalPool, Task

FORKS = [False, True] if kernel_forks.available() else [False]


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("fork", FORKS)
def test_the_first_cell_holds_only_its_own_outputs(tmp_path, fork):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("print('first', x)"), nbformat.v4.new_code_cell("x + 1")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    template = tmp_path / "t.ipynb"
    nbformat.write(nb, str(template))
    tasks = [Task(str(i), NotebookRun(template, tmp_path / f"out{i}.ipynb", {"x": i}, tmp_path), lambda *_: None)
             for i in range(3)]
    outcomes = LocalPool(2, timeout=60, fork=fork).run(tasks, lambda _: None, threading.Event())
    assert sorted(o.error or "" for o in outcomes) == ["", "", ""]
    for i in range(3):
        cells = [c for c in nbformat.read(str(tmp_path / f"out{i}.ipynb"), as_version=4).cells if c.cell_type == "code"]
        assert cells[2].outputs == [{"output_type": "stream", "name": "stdout", "text": f"first {i}\n"}]
        assert cells[3].outputs[0]["data"]["text/plain"] == str(i + 1)
        assert [c.execution_count for c in cells] == [1, 2, 3, 4]


@pytest.mark.parametrize("fork", FORKS)
def test_a_shut_down_kernel_is_reaped_with_its_process_group(tmp_path, fork):
    forks = kernel_forks.ForkServer() if fork else None
    try:
        kernel = Prestarted(tmp_path, forks=forks)
        client = kernel.manager.client()
        assert isinstance(client, ready_client_class())
        client.start_channels()
        run_sync(client.wait_for_ready)(timeout=60)
        client.stop_channels()
        process, connection = kernel.manager.provisioner.process, kernel.manager.connection_file
        assert os.path.exists(connection)
        kernel.shutdown()
        assert process.returncode is not None  # waited for: no zombie, no poll left to do
        assert gone(process.pid)
        assert not os.path.exists(connection)
    finally:
        if forks is not None:
            forks.stop()


def test_waiting_for_a_dead_kernel_fails_instead_of_hanging(tmp_path):
    kernel = Prestarted(tmp_path)
    client = kernel.manager.client()
    client.start_channels()
    try:
        kernel.manager.provisioner.process.kill()
        kernel.manager.provisioner.process.wait()
        with pytest.raises(RuntimeError, match="died|respond"):
            run_sync(client.wait_for_ready)(timeout=5)
    finally:
        client.stop_channels()
        kernel.shutdown()
