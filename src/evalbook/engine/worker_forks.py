"""The worker plugin that gives each Dask worker process its own kernel fork server.

Used only where ``distributed`` is installed (``cluster.py`` after ``require("dask")``, and the
workers, which unpickle the plugin); without it this module still imports, and nothing registers
the plugin. See ``cluster.py`` for how runs use it.
"""

from __future__ import annotations

from evalbook.engine import kernel_forks
from evalbook.engine.ready_kernels import ReadyKernels

try:
    from distributed import WorkerPlugin
except ImportError:  # no evalbook[dask] extra: DaskPool says what to install before this is needed
    WorkerPlugin = object

NAME = "evalbook-fork-kernels"  # one per worker; registering again under this name replaces the old one


class ForkKernels(WorkerPlugin):
    """One ``ForkServer`` per worker process, from ``setup`` to ``teardown``, and the kernels it forked ahead
    of need for the worker's threads (``ready``, shut down at ``teardown``).

    The server is a child of the worker process and watches it: a worker killed outright takes its
    server (and the server's socket folder) with it. What travels to the scheduler and the workers is
    the bare plugin; each worker starts its own server."""

    name = NAME

    def __init__(self) -> None:
        self.server: kernel_forks.ForkServer | None = None
        self.ready: ReadyKernels | None = None
        self.reason = "not set up 未启动"

    def setup(self, worker) -> None:
        if not kernel_forks.available():
            self.reason = "forked kernels need Linux with pidfd 派生内核需要 Linux（pidfd）"
            return
        try:
            self.server = kernel_forks.ForkServer()  # warms up while the first tasks arrive
            self.ready = ReadyKernels(self.server)
            self.reason = ""
        except OSError as exc:
            self.reason = f"fork server did not start 派生服务未启动: {exc}"

    def teardown(self, worker) -> None:
        server, self.server = self.server, None
        ready, self.ready = self.ready, None
        self.reason = "stopped 已停止"
        if ready is not None:
            ready.close()  # kernels started ahead that no task took
        if server is not None:
            server.stop()  # kernels already forked run on: each watches its own stub, not the server

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self.__init__()
