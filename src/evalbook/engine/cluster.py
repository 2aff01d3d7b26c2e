"""Running a run's notebooks on an existing Dask cluster (``evalbook run --scheduler ADDRESS``).

What travels: each task is a notebook to run — the template's path, the executed copy's path,
its parameters and working folder — and comes back as a few numbers. The data folder, the
notebooks and the output folder are on **shared storage** at the same paths on every worker
(NFS or similar), and evalbook is installed on the workers at the same version; the client
checks the version each worker reports. The client keeps everything else: validation and
scoring before, rendering the HTML views and the manifests after, and the atomic publish.
A failed notebook is submitted once more; then it is recorded as failed.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

from evalbook.core.extras import require
from evalbook.engine.execute import NotebookFailed, NotebookRun, run_notebook
from evalbook.engine.pool import ATTEMPTS, Outcome, Task


def remote_run(job: NotebookRun, timeout: int) -> dict:
    """On a worker: run one notebook in a fresh kernel; never raises for a notebook's own failure."""
    import evalbook

    started = time.perf_counter()
    try:
        run_notebook(job, timeout=timeout)
        error = None
    except NotebookFailed as exc:
        error = exc.summary()
    return {"seconds": time.perf_counter() - started, "error": error, "host": socket.gethostname(),
            "evalbook": evalbook.__version__}


class DaskPool:
    """Sends each notebook to the cluster at ``address``; same outcomes as ``LocalPool``.

    Needs the ``evalbook[dask]`` extra (``distributed``): ``MissingExtra`` here, before anything runs, without it."""

    def __init__(self, address: str, timeout: int = 600, run_id: str = "", connect_timeout: str = "20s"):
        require("dask")
        self.address, self.timeout, self.connect_timeout = address, timeout, connect_timeout
        self.run_id = run_id  # task keys are unique per run: the scheduler would merge equal keys
        self.hosts: dict[str, str] = {}

    def run(self, tasks: list[Task], on_done: Callable[[Outcome], None], stop: threading.Event) -> list[Outcome]:
        import evalbook

        distributed = require("dask")
        Client, as_completed = distributed.Client, distributed.as_completed

        outcomes: list[Outcome] = []
        with Client(self.address, timeout=self.connect_timeout, set_as_default=False) as client:
            futures = {}
            for task in tasks:
                first = client.submit(remote_run, task.job, self.timeout, pure=False,
                                      key=f"evalbook-{self.run_id}-{task.key}-1")
                futures[first] = (task, 1)
            pending = as_completed(list(futures), loop=client.loop)
            try:
                for future in pending:
                    task, number = futures.pop(future)
                    try:
                        result = future.result()
                    except Exception as exc:  # noqa: BLE001 — a worker lost, a task that could not run
                        result = {"seconds": 0.0, "error": f"{type(exc).__name__}: {exc}", "host": "?", "evalbook": "?"}
                    self.hosts[task.key] = result["host"]
                    if result["evalbook"] not in ("?", evalbook.__version__):
                        result["error"] = (f"worker {result['host']} has evalbook {result['evalbook']}, "
                                           f"this client {evalbook.__version__}")
                    if result["error"] and number < ATTEMPTS and not stop.is_set():
                        retry = client.submit(remote_run, task.job, self.timeout, pure=False,
                                              key=f"evalbook-{self.run_id}-{task.key}-{number + 1}")
                        futures[retry] = (task, number + 1)
                        pending.add(retry)
                        continue
                    if result["error"] is None:
                        task.finish(result["seconds"], number)
                    outcome = Outcome(task.key, result["seconds"], number, result["error"])
                    outcomes.append(outcome)
                    on_done(outcome)
                    if stop.is_set():
                        break
            except KeyboardInterrupt:
                stop.set()
                client.cancel(list(futures))
                raise
        return outcomes
