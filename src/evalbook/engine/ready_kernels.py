"""Kernels started ahead of need on a Dask worker: one waiting per worker thread.

Locally, a pool thread knows its next notebook and starts that notebook's kernel, in that notebook's
folder, while the current one runs (``pool.py``, ``kernels.Prestarted``). A Dask worker thread does not
know which report the scheduler will give it next. So each task, before its notebook runs, has the kernel
for its thread's next task started in the background, in a waiting folder (``kernels.waiting_folder``);
the next task on that thread takes it and moves it to its own report's folder before any cell runs
(``kernel_forks.move``).
Start-up overlaps the current notebook as it does locally, and each notebook still gets a kernel of its
own that has run nothing.

A waiting kernel belongs to the run that started it: a task of another run does not take it, and once
its run has ended (``end``) or the worker plugin tears down (``close``) it is shut down.
"""

from __future__ import annotations

import threading
from pathlib import Path

from evalbook.engine import kernel_forks
from evalbook.engine.kernels import Prestarted, waiting_folder


class ReadyKernels:
    """At most one forked kernel waiting per worker thread, forked by ``server``."""

    def __init__(self, server: kernel_forks.ForkServer):
        self.server = server
        self._waiting: dict[int, tuple[str, Prestarted]] = {}  # thread → (run, kernel)
        self._starting: set[int] = set()  # threads whose next kernel is being launched
        self._ended: set[str] = set()
        self._closed = False
        self._lock = threading.Lock()
        self._started = threading.Condition(self._lock)

    def take(self, run_id: str, cwd: Path) -> Prestarted | None:
        """This thread's waiting kernel, moved to ``cwd``; None if there is none of this run (or it failed)."""
        thread = threading.get_ident()
        with self._lock:
            self._started.wait_for(lambda: thread not in self._starting, timeout=30)  # launched by now, or never
            run, kernel = self._waiting.pop(thread, ("", None))
        if kernel is None:
            return None
        if run != run_id:
            kernel.shutdown()
            return None
        try:
            kernel_forks.move(kernel.manager.connection_file, cwd, lambda: kernel.alive)
        except Exception:  # noqa: BLE001 — a kernel that died or could not move: the task forks a fresh one
            kernel.shutdown()
            return None
        return kernel

    def prepare(self, run_id: str) -> None:
        """Start this thread's next kernel in the background, unless one waits or starts already or the run has
        ended. Never raises: without it the next task forks its own kernel, as before."""
        thread = threading.get_ident()
        with self._lock:
            if self._closed or run_id in self._ended or thread in self._waiting or thread in self._starting:
                return
            self._starting.add(thread)
        threading.Thread(target=self._start, args=(run_id, thread), name="evalbook-next-kernel", daemon=True).start()

    def _start(self, run_id: str, thread: int) -> None:
        """(In the background) launch the kernel that ``thread``'s next task of ``run_id`` will take. Launching
        (a stub process, a connection file) takes tens of milliseconds that the current task need not wait for;
        a kernel that has run nothing may then be used and shut down from the task's thread."""
        try:
            kernel = Prestarted(waiting_folder(), forks=self.server)
        except Exception:  # noqa: BLE001 — a server stopped meanwhile (teardown): nothing waits
            kernel = None
        with self._lock:
            self._starting.discard(thread)
            self._started.notify_all()
            keep = kernel is not None and not (self._closed or run_id in self._ended)
            if keep:
                self._waiting[thread] = (run_id, kernel)
        if kernel is not None and not keep:
            kernel.shutdown()

    def end(self, run_id: str) -> int:
        """The run has ended: shut down its waiting kernels, and start none for it any more."""
        with self._lock:
            self._ended.add(run_id)
            mine = [thread for thread, (run, _) in self._waiting.items() if run == run_id]
            gone = [self._waiting.pop(thread)[1] for thread in mine]
        for kernel in gone:
            kernel.shutdown()
        return len(gone)

    def close(self) -> None:
        """The plugin tears down: shut down every waiting kernel, and start none any more."""
        with self._lock:
            self._closed = True
            gone = [kernel for _, kernel in self._waiting.values()]
            self._waiting.clear()
        for kernel in gone:
            kernel.shutdown()

    def pids(self) -> list[int]:
        """The waiting kernels' processes (their stubs)."""
        with self._lock:
            return [kernel.pid for _, kernel in self._waiting.values() if kernel.pid]
