"""Kernels for our notebooks: on the ``ipc`` transport, and started ahead of need.

A fresh kernel takes about a second to start, nearly all of it the kernel process importing
IPython. ``Prestarted`` launches the kernel of a worker's next notebook while the worker is
still running the current one, so that start-up overlaps useful work. Each notebook still
gets a kernel of its own that has run nothing before it: start-up happens earlier, not less.

Everything about one kernel manager happens in the thread that created it: jupyter_client's
asynchronous managers are tied to that thread's event loop. The one exception is a kernel that has run
nothing yet: launched in one thread, it may be used, or shut down, in another (a Dask worker's kernels
started ahead, ``ready_kernels.py``).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

_SOCKETS: list[str] = []  # this process's private socket folder, made on first use
_SOCKETS_LOCK = threading.Lock()


def _socket_dir() -> str:
    """A private (0700) folder of this process for its kernels' sockets and connection files (their HMAC keys),
    removed when the run ends. In the temporary folder unless that path is too long for a Unix socket
    (at most 107 bytes with the socket's own name), then in /tmp."""
    with _SOCKETS_LOCK:
        if not _SOCKETS or not os.path.isdir(_SOCKETS[0]):
            base = tempfile.gettempdir()
            _SOCKETS[:] = [tempfile.mkdtemp(prefix="evalbook-k-", dir=base if len(base) <= 64 else "/tmp")]
            atexit.register(remove_socket_dir)
        return _SOCKETS[0]


def waiting_folder() -> Path:
    """Where a kernel started before its notebook is known waits (this process's private kernel folder)."""
    return Path(_socket_dir())


def remove_socket_dir() -> None:
    """Remove this process's socket folder and whatever a killed kernel left in it."""
    with _SOCKETS_LOCK:
        for folder in _SOCKETS:
            shutil.rmtree(folder, ignore_errors=True)
        _SOCKETS.clear()


def ipc_kernel_manager(forks=None):
    """A kernel manager class on the ``ipc`` transport: Unix sockets in a private folder, so
    parallel kernels cannot collide on TCP ports and nothing listens on the network. With
    ``forks`` (a ``kernel_forks.ForkServer``), its kernels are forked from that warm process."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum, default

    class IpcKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("client_factory")
        def _ready_client(self):
            return ready_client_class()

        def format_kernel_cmd(self, extra_arguments=None):
            if forks is None:
                return super().format_kernel_cmd(extra_arguments)
            return [part.replace("{connection_file}", os.path.realpath(self.connection_file))
                    for part in forks.stub_command()]

        async def _async_pre_start_kernel(self, **kw):
            # the kernel's own stderr is start-up and shutdown chatter; errors come back as cell outputs
            kw.setdefault("stderr", subprocess.DEVNULL)
            return await super()._async_pre_start_kernel(**kw)

        def _ip_default(self):  # absolute: the kernel runs in the notebook's cwd, not ours
            return os.path.splitext(self.connection_file)[0] if self.connection_file else \
                os.path.join(_socket_dir(), f"k{uuid.uuid4().hex[:12]}")

    return IpcKernelManager


@functools.cache
def ready_client_class():
    import time
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        """jupyter_client's client, ready as soon as the kernel answers.

        Its ``wait_for_ready`` ends by waiting until IOPub has been quiet for 0.2 s, which every notebook of a batch
        paid as idle time before its first cell. Nothing needs that quiet: nbclient reads a cell's outputs by the id of
        the request that ran it, so a late status message of the kernel_info exchange is passed over. What stays is
        the handshake itself: the kernel_info reply on the shell channel, and one message on IOPub to show that it is
        connected (else the request is sent again).
        """

        async def _ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass  # IOPub not connected yet: ask again
                    else:
                        self._handle_kernel_info_reply(reply)
                        return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

        wait_for_ready = _ready

    return ReadyClient


class Prestarted:
    """A kernel launched now, for a notebook that will run in ``cwd`` later in this thread."""

    def __init__(self, cwd: Path, kernel_name: str = "python3", forks=None):
        from jupyter_core.utils import run_sync

        connection_file = os.path.join(_socket_dir(), f"k{uuid.uuid4().hex[:12]}.json")  # with its sockets
        self.manager = ipc_kernel_manager(forks)(kernel_name=kernel_name, connection_file=connection_file)
        try:
            run_sync(self.manager.start_kernel)(cwd=str(cwd))  # returns once the process is launched
        except BaseException:
            self.shutdown()  # no connection file or socket of a kernel that never started is left behind
            raise

    @property
    def pid(self) -> int | None:
        process = getattr(self.manager.provisioner, "process", None)
        return getattr(process, "pid", None)

    @property
    def alive(self) -> bool:
        """Whether the kernel's process still runs (from any thread)."""
        process = getattr(self.manager.provisioner, "process", None)
        return process is not None and process.poll() is None

    def shutdown(self) -> None:
        """Stop the kernel at once and remove its connection file and sockets. A kernel that ran nothing
        may also be shut down from another thread (a worker's teardown)."""
        from jupyter_core.utils import run_sync

        process = getattr(self.manager.provisioner, "process", None)
        try:
            if process is not None and process.poll() is None:
                # What shutdown_kernel(now=True) does (SIGKILL to the kernel's process group), then a blocking wait:
                # jupyter_client polls the killed process every 0.1 s, which cost every report of a batch 0.115 s.
                run_sync(self.manager.provisioner.kill)()
                process.wait(timeout=5)
        except Exception:  # noqa: BLE001 — gone already, or not ours to wait for: the manager's own way below
            pass
        try:
            if run_sync(self.manager.is_alive)():
                run_sync(self.manager.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 — a kernel already gone is what we wanted
            pass
        try:
            run_sync(self.manager.cleanup_resources)()
        except Exception:  # noqa: BLE001
            pass


def kill(pid: int | None) -> None:
    """Kill a kernel process from any thread (Ctrl-C): its notebook then fails as a dead kernel."""
    import signal

    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
