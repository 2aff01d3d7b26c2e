"""Running a run's notebooks on an existing Dask cluster (``evalbook run --scheduler ADDRESS``).

What travels: each task is a notebook to run — the template's path, the executed copy's path,
its parameters and working folder — and comes back as a few numbers. The data folder, the
notebooks and the output folder are on **shared storage** at the same paths on every worker
(NFS or similar), and evalbook is installed on the workers at the same version; the client
checks the version each worker reports. The client keeps everything else: validation and
scoring before, rendering the HTML views and the manifests after, and the atomic publish.
A failed notebook is submitted once more; then it is recorded as failed.

Kernels on workers are forked as they are locally (``kernel_forks.py``): each run registers
``worker_forks.ForkKernels``, a worker plugin under one fixed name, so a new run replaces the previous run's
plugin (its fork server stops, a fresh one starts with the code installed now). The plugin starts
one fork server per worker process; the worker's threads all ask it for kernels (it forks one
request at a time, each in milliseconds). The server watches the worker process: a worker that
dies or restarts takes its server and socket folder with it, and a restarted worker gets a new
server from the scheduler's copy of the plugin. Before its notebook runs, each task also has the
plugin start the kernel for its thread's next task (``ready_kernels.py``); that task takes it, moves
it to its own folder and so, like a local run's notebooks, does not wait for a kernel to start. When
the run ends, the client has the workers shut down the kernels no task took. Where forks are
unavailable (not Linux, no pidfd, a server that did not start) the notebook runs in an ordinary
kernel and the task says why; the year's manifest records, per report, how its kernel was made. Ctrl-C kills this run's kernels on
every worker (Dask cannot interrupt a running task otherwise).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable

from evalbook.core.extras import require
from evalbook.engine.execute import NotebookFailed, NotebookRun, run_notebook
from evalbook.engine.kernels import Prestarted, kill
from evalbook.engine.pool import ATTEMPTS, Outcome, Task

FORK = "fork"  # how a report's kernel was made: forked in its task…
FORK_PRESTARTED = "fork-prestarted"  # …or forked ahead, by the task before it on the same worker thread

_LIVE: dict[str, set[int]] = {}  # on a worker: the kernels running now, by run (for Ctrl-C)
_LIVE_LOCK = threading.Lock()


def _plugin(worker=None):
    """This worker's ``ForkKernels`` plugin (None if it has no fork server), and why there is none."""
    try:
        from distributed import get_worker

        from evalbook.engine.worker_forks import NAME

        found = (worker or get_worker()).plugins.get(NAME)
    except (ImportError, ValueError):
        return None, "not on a Dask worker 不在 Dask 工作进程中"
    if found is None:
        return None, "fork plugin not registered on this worker 工作进程未注册派生插件"
    return (found, "") if getattr(found, "server", None) is not None else (None, found.reason)


def _kernel(job: NotebookRun, run_id: str) -> tuple[Prestarted | None, str]:
    """A kernel for ``job`` and how it was made: the one this thread's previous task started ahead
    (``FORK_PRESTARTED``), else one forked now (``FORK``), else ``None`` (papermill spawns one) and why.
    Then, whatever this task got, the kernel for this thread's next task starts."""
    reason = ""
    for _ in range(2):  # a second look: a newer run may have replaced the plugin (and stopped this server) just now
        plugin, reason = _plugin()
        if plugin is None:
            return None, f"spawn: {reason}"
        ready = plugin.ready
        kernel = ready.take(run_id, job.cwd) if ready is not None else None
        how = FORK_PRESTARTED
        if kernel is None:
            try:
                kernel, how = Prestarted(job.cwd, forks=plugin.server), FORK
            except Exception as exc:  # noqa: BLE001 — a server replaced or dead: the notebook still runs, spawned
                reason = f"fork failed 派生失败: {type(exc).__name__}: {exc}"
                continue
        if ready is not None:
            ready.prepare(run_id)
        return kernel, how
    return None, f"spawn: {reason}"


def remote_run(job: NotebookRun, timeout: int, run_id: str = "", fork: bool = True) -> dict:
    """On a worker: run one notebook in a fresh kernel (forked when it can, and ``fork``); never raises for a
    notebook's own failure."""
    import evalbook

    started = time.perf_counter()
    kernel, how = _kernel(job, run_id) if fork else (None, "spawn: --kernels spawn")
    if kernel is not None and kernel.pid:
        with _LIVE_LOCK:
            _LIVE.setdefault(run_id, set()).add(kernel.pid)
    try:
        run_notebook(job, timeout=timeout, kernel=kernel)
        error = None
    except NotebookFailed as exc:
        error = exc.summary()
    finally:
        if kernel is not None and kernel.pid:
            with _LIVE_LOCK:
                _LIVE.get(run_id, set()).discard(kernel.pid)
    return {"seconds": time.perf_counter() - started, "error": error, "host": socket.gethostname(),
            "evalbook": evalbook.__version__, "kernel": how,
            "worker_pid": os.getpid()}


def end_run(run_id: str, dask_worker=None) -> int:
    """On a worker (``client.run``, once the run is over): shut down the kernels started ahead for run ``run_id``
    that no task took."""
    plugin, _ = _plugin(dask_worker)
    ready = plugin.ready if plugin is not None else None
    return ready.end(run_id) if ready is not None else 0


def kill_run_kernels(run_id: str) -> int:
    """On a worker: kill the kernels of run ``run_id`` now running (their notebooks then fail at once)."""
    with _LIVE_LOCK:
        pids = list(_LIVE.pop(run_id, ()))
    for pid in pids:
        kill(pid)
    return len(pids)


class DaskPool:
    """Sends each notebook to the cluster at ``address``; same outcomes as ``LocalPool``.

    Needs the ``evalbook[dask]`` extra (``distributed``): ``MissingExtra`` here, before anything runs, without it.
    ``fork``: register ``ForkKernels`` so the workers fork kernels (``--kernels spawn``: ordinary kernels)."""

    def __init__(self, address: str, timeout: int = 600, run_id: str = "", connect_timeout: str = "20s",
                 fork: bool = True):
        require("dask")
        self.address, self.timeout, self.connect_timeout, self.fork = address, timeout, connect_timeout, fork
        self.run_id = run_id  # task keys are unique per run: the scheduler would merge equal keys
        self.hosts: dict[str, str] = {}
        self.kernels: dict[str, str] = {}  # report → "fork-prestarted", "fork" or "spawn: why"

    def run(self, tasks: list[Task], on_done: Callable[[Outcome], None], stop: threading.Event) -> list[Outcome]:
        import evalbook

        distributed = require("dask")
        Client, as_completed = distributed.Client, distributed.as_completed

        outcomes: list[Outcome] = []
        with Client(self.address, timeout=self.connect_timeout, set_as_default=False) as client:
            if self.fork and tasks:
                from evalbook.engine.worker_forks import NAME, ForkKernels

                client.register_plugin(ForkKernels(), name=NAME)  # replaces an earlier run's: a fresh server per run
            futures = {}

            def submit(task: Task, number: int):
                future = client.submit(remote_run, task.job, self.timeout, self.run_id, self.fork, pure=False,
                                       key=f"evalbook-{self.run_id}-{task.key}-{number}")
                futures[future] = (task, number)
                return future

            for task in tasks:
                submit(task, 1)
            pending = as_completed(list(futures), loop=client.loop)
            try:
                for future in pending:
                    task, number = futures.pop(future)
                    try:
                        result = future.result()
                    except Exception as exc:  # noqa: BLE001 — a worker lost, a task that could not run
                        result = {"seconds": 0.0, "error": f"{type(exc).__name__}: {exc}", "host": "?", "evalbook": "?",
                                  "kernel": "?"}
                    self.hosts[task.key], self.kernels[task.key] = result["host"], result["kernel"]
                    if result["evalbook"] not in ("?", evalbook.__version__):
                        result["error"] = (f"worker {result['host']} has evalbook {result['evalbook']}, "
                                           f"this client {evalbook.__version__}")
                    if result["error"] and number < ATTEMPTS and not stop.is_set():
                        pending.add(submit(task, number + 1))
                        continue
                    if result["error"] is None:
                        task.finish(result["seconds"], number)
                    outcome = Outcome(task.key, result["seconds"], number, result["error"], kernel=result["kernel"])
                    outcomes.append(outcome)
                    on_done(outcome)
                    if stop.is_set():
                        break
            except KeyboardInterrupt:
                stop.set()
                client.cancel(list(futures))
                try:
                    client.run(kill_run_kernels, self.run_id)
                except Exception:  # noqa: BLE001 — a worker gone: its kernels went with it
                    pass
                raise
            finally:
                if self.fork and tasks:
                    try:
                        client.run(end_run, self.run_id)  # the kernels started ahead that no task will take
                    except Exception:  # noqa: BLE001 — a worker gone: its kernels went with it; the others at teardown
                        pass
        return outcomes


def fork_server_status(dask_worker=None) -> dict:
    """On a worker (``client.run(fork_server_status)``): its fork server's process id and socket, or why there is
    none, and the processes of the kernels started ahead now waiting (``ready``)."""
    plugin, reason = _plugin(dask_worker)
    server = plugin.server if plugin is not None else None
    pid = server.live_pid if server is not None else None
    ready = plugin.ready.pids() if plugin is not None and plugin.ready is not None else []
    return {"pid": pid, "socket": server.socket if pid else None, "ready": ready,
            "reason": reason if server is not None or reason else "server gone 服务已退出", "worker_pid": os.getpid()}
