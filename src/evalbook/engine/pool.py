"""Running a run's notebooks on this machine: worker threads, kernels started ahead, one retry.

Each worker takes the next notebook from a shared queue and, before running it, launches
the kernel for the notebook after it, so that one kernel starts while another works. A
notebook that fails (an exception in a cell, a dead kernel, a cell over its time limit) is
run once more in a new kernel; if it fails again it is recorded as failed and the others go
on. Ctrl-C sets ``stop``: no new notebook starts, running kernels are killed.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from evalbook.engine import kernel_forks
from evalbook.engine.execute import NotebookFailed, NotebookRun, run_notebook
from evalbook.engine.kernels import Prestarted, kill

ATTEMPTS = 2  # the first run and one retry
INTERRUPTED = "interrupted 已中断"


@dataclass
class Task:
    """One report: its notebook, and what to do once the notebook ran (render, record)."""

    key: str
    job: NotebookRun
    finish: Callable[[float, int], None]  # (seconds, attempts) → writes the report's other files


@dataclass
class Outcome:
    key: str
    seconds: float
    attempts: int
    error: str | None = None  # None: the report was built
    kernel: str | None = None  # on a Dask worker: "fork-prestarted", "fork", or "spawn: why" (cluster.py)


def attempt(task: Task, kernel_for: Callable[[], Prestarted | None], stop: threading.Event, timeout: int) -> Outcome:
    """Run a task's notebook up to ``ATTEMPTS`` times (``kernel_for`` gives each attempt its kernel)."""
    started = time.perf_counter()
    error = None
    for number in range(1, ATTEMPTS + 1):
        if stop.is_set():
            return Outcome(task.key, time.perf_counter() - started, number - 1, INTERRUPTED)
        try:
            run_notebook(task.job, timeout=timeout, kernel=kernel_for())
        except NotebookFailed as exc:
            error = exc.summary()
            continue
        seconds = time.perf_counter() - started
        task.finish(seconds, number)
        return Outcome(task.key, seconds, number)
    return Outcome(task.key, time.perf_counter() - started, ATTEMPTS, error)


class LocalPool:
    """``workers`` threads, each with at most two kernels alive: the one running and the next."""

    def __init__(self, workers: int = 2, timeout: int = 600, prestart: bool = True, fork: bool = True,
                 forks: kernel_forks.ForkServer | None = None):
        """``forks``: a fork server the caller started (and stops); else, with ``fork``, one per ``run``."""
        self.workers, self.timeout, self.prestart = max(1, workers), timeout, prestart
        self.fork = fork and kernel_forks.available()
        self._given = forks if self.fork else None
        self._forks: kernel_forks.ForkServer | None = None
        self._live: dict[int, Prestarted] = {}
        self._lock = threading.Lock()

    def run(self, tasks: list[Task], on_done: Callable[[Outcome], None], stop: threading.Event) -> list[Outcome]:
        todo: queue.SimpleQueue[Task] = queue.SimpleQueue()
        for task in tasks:
            todo.put(task)
        outcomes: list[Outcome] = []
        crashed: list[BaseException] = []

        def worker() -> None:
            try:
                self._work(todo, stop, lambda o: (outcomes.append(o), on_done(o)))
            except BaseException as exc:  # noqa: BLE001 — e.g. a full disk: stop everything, re-raise below
                crashed.append(exc)
                stop.set()

        threads = [threading.Thread(target=worker, name=f"evalbook-worker-{i}", daemon=True)
                   for i in range(min(self.workers, len(tasks)))]
        self._forks = self._given or (kernel_forks.ForkServer() if self.fork and tasks else None)
        for thread in threads:
            thread.start()
        try:
            while any(t.is_alive() for t in threads):
                for thread in threads:
                    thread.join(0.2)
        except KeyboardInterrupt:
            stop.set()
            self.kill_all()
            for thread in threads:
                thread.join(30)
            raise
        finally:
            if self._forks is not None and self._forks is not self._given:
                self._forks.stop()
            self._forks = None
        if crashed:
            self.kill_all()
            raise crashed[0]
        return outcomes

    def kill_all(self) -> None:
        with self._lock:
            pids = [k.pid for k in self._live.values()]
        for pid in pids:
            kill(pid)

    def _work(self, todo, stop, record) -> None:
        def take() -> Task | None:
            try:
                return None if stop.is_set() else todo.get_nowait()
            except queue.Empty:
                return None

        task = take()
        kernel = self._try_start(task) if task and self.prestart else None
        while task is not None:
            upcoming = take()
            upcoming_kernel = self._try_start(upcoming) if upcoming and self.prestart else None
            given = [kernel]  # the pre-started kernel for the first attempt, a new one for the retry
            used: list[Prestarted] = []

            def kernel_for(task=task, given=given, used=used) -> Prestarted:
                chosen = given.pop() if given and given[0] is not None else self._start(task)
                used.append(chosen)
                return chosen

            try:
                outcome = attempt(task, kernel_for, stop, self.timeout)
            finally:
                for leftover in used + [k for k in given if k is not None]:
                    self._release(leftover)  # run_notebook shut the used ones down; this is a no-op then
            record(outcome)
            task, kernel = upcoming, upcoming_kernel
        if kernel is not None:
            self._release(kernel)

    def _try_start(self, task: Task) -> Prestarted | None:
        try:
            return self._start(task)
        except NotebookFailed:
            return None  # tried again, and reported, when the task's turn comes

    def _start(self, task: Task) -> Prestarted:
        try:
            kernel = Prestarted(task.job.cwd, forks=self._forks)
        except Exception as exc:  # noqa: BLE001 — no kernel spec, no process: this report fails, not the run
            raise NotebookFailed(task.job.template, "KernelStartError", str(exc)) from exc
        with self._lock:
            self._live[id(kernel)] = kernel
        return kernel

    def _release(self, kernel: Prestarted) -> None:
        kernel.shutdown()
        with self._lock:
            self._live.pop(id(kernel), None)
