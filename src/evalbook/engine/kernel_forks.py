"""Kernels forked from a warm process: a fresh kernel per notebook without paying its start-up.

Starting a kernel the usual way costs about a second of CPU (the new Python imports IPython and
ipykernel), and our notebooks then spend another second importing pandas and evalbook. On a
2-core machine running two notebooks at once that CPU is the bottleneck, so starting kernels
ahead of time cannot hide it. A ``ForkServer`` is one process, started once per run, that has
imported all of that; each kernel is a ``fork()`` of it which then starts an ordinary ipykernel
on its own connection file, in the notebook's folder.

Each kernel is still a new process that has run nothing of any notebook: no variables, no
outputs, execution count 1; modules are already imported, as after ``import`` in a cell. The
notebook itself still imports everything it uses, so it runs the same in JupyterLab or papermill.
``evalbook run --kernels spawn`` uses ordinary kernels instead.

jupyter_client launches ``kernel_stub.py`` as the kernel process (see there): it asks this server
for a fork and stands in for it (signals, exit, death of the run). Linux only (pidfd); elsewhere
``available()`` is False and runs use ordinary kernels.

A forked kernel also answers one message of ours on its control channel, ``MOVE``: change to this
working folder before the first cell (``move`` sends it). A Dask worker starts its next kernel
before it knows which report that kernel will run (``ready_kernels.py``), and moves it there when it
does; nothing runs in the kernel's namespace, and its first cell is still cell 1.
"""

from __future__ import annotations

import json
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

STUB = Path(__file__).with_name("kernel_stub.py")
MOVE = "evalbook_move_request"  # control message: {"cwd": folder} → evalbook_move_reply {"status", "cwd"}
# and what each registered scheme declares (Scheme.WARM); pyarrow.dataset: a report's first read of the run's snapshot
WARM = ("pandas", "evalbook.notebook.year", "pyarrow.dataset")


def warm_modules() -> list[str]:
    """What the server imports before it forks: ``WARM`` and every registered scheme's ``WARM``
    (a plugin that cannot be loaded is skipped here: its own run reports it)."""
    from evalbook.core.errors import InputError
    from evalbook.core.registry import get_scheme, scheme_names

    modules = list(WARM)
    for name in scheme_names():
        try:
            modules += [m for m in get_scheme(name).WARM if m not in modules]
        except InputError:
            continue
    return modules


def available() -> bool:
    """Linux with pidfd (kernel 5.3+): the stub and the kernels watch each other through it."""
    if not (sys.platform.startswith("linux") and hasattr(os, "pidfd_open") and hasattr(os, "fork")):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


class ForkServer:
    """The warm process, owned by a run; ``stub_command`` is the kernel command for its kernels."""

    def __init__(self) -> None:
        folder = tempfile.mkdtemp(prefix="evalbook-forks-")
        self.socket = os.path.join(folder, "server")
        self._process = subprocess.Popen([sys.executable, "-m", "evalbook.engine.kernel_forks", self.socket],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         start_new_session=True,  # Ctrl-C reaches the run, which stops kernels itself
                                         env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
        self._ready = threading.Event()
        threading.Thread(target=self._wait_ready, daemon=True).start()

    def _wait_ready(self) -> None:
        self._process.stdout.readline()  # "ready" once imported and listening (or EOF if it died)
        self._ready.set()

    @property
    def live_pid(self) -> int | None:
        """The server's process id while it runs; None once it has exited."""
        return self._process.pid if self._process.poll() is None else None

    def stub_command(self) -> list[str]:
        """The kernel command; waits (once) until the server has finished importing."""
        if not self._ready.wait(120) or self._process.poll() is not None:
            raise RuntimeError("evalbook kernel fork server did not start")
        return [sys.executable, "-I", "-S", str(STUB), self.socket, "-f", "{connection_file}"]

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._process.stdout.close()
        _remove_socket(self.socket)


def _remove_socket(path: str) -> None:
    with suppress(OSError):
        os.remove(path)
    with suppress(OSError):
        os.rmdir(os.path.dirname(path))


def move(connection_file: str, cwd: Path, alive: Callable[[], bool], timeout: float = 60) -> None:
    """Have the forked kernel on ``connection_file`` change to ``cwd`` before it runs anything; returns once it
    did (waiting for the kernel to finish starting). ``RuntimeError`` if it refused, died (``alive``) or timed out."""
    from jupyter_client import BlockingKernelClient

    client = BlockingKernelClient(connection_file=connection_file)
    client.load_connection_file()
    client.start_channels(shell=False, iopub=False, stdin=False, hb=False, control=True)
    try:
        request = client.session.msg(MOVE, {"cwd": str(cwd)})
        client.control_channel.send(request)
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = client.control_channel.get_msg(timeout=0.2)
            except queue.Empty:
                if not alive() or time.monotonic() > deadline:
                    raise RuntimeError("kernel did not answer 内核无应答") from None
                continue
            if reply["parent_header"].get("msg_id") == request["header"]["msg_id"]:
                break
    finally:
        client.stop_channels()
    if reply["content"].get("status") != "ok":
        raise RuntimeError(f"kernel could not move to {cwd} 内核无法切换目录: {reply['content'].get('evalue', '')}")


# ---- the server process -------------------------------------------------------------------

def serve(socket_path: str) -> None:
    import importlib

    from ipykernel.kernelapp import IPKernelApp  # noqa: F401 — what every kernel needs, imported once

    # The kernel class and its debugger, which imports debugpy: measured 0.2 s of CPU in every kernel of a batch when
    # left to the kernel (it starts no thread and sets no trace on import). Its note on frozen modules is not ours.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    import ipykernel.debugger  # noqa: F401
    import ipykernel.ipkernel  # noqa: F401

    for module in warm_modules():
        importlib.import_module(module)
    run = os.getppid()
    _exit_with(run, cleanup=lambda: _remove_socket(socket_path))  # a run killed outright: no socket left behind
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked kernels are reaped by the system
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(16)
    print("ready", flush=True)
    while True:
        conn, _ = listener.accept()
        with conn:
            request = json.loads(conn.makefile("rb").readline())
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()
                _become_kernel(request)
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")


def _exit_with(pid: int, cleanup=None) -> None:
    """A daemon thread that ends this process when ``pid`` ends (forked children don't inherit it)."""
    handle = os.pidfd_open(pid)

    def watch() -> None:
        select.select([handle], [], [])
        if cleanup is not None:
            cleanup()
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _become_kernel(request: dict) -> None:
    """In the forked child: a plain ipykernel on the request's connection file and folder."""
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()  # its own group, like a kernel jupyter_client starts
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.chdir(request["cwd"])
        _exit_with(request["stub"])
        os.environ.pop("OPENBLAS_NUM_THREADS", None)
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = ["ipykernel_launcher", "-f", request["connection_file"]]
        app = IPKernelApp.instance()  # IPKernelApp.launch_instance, with our control message added
        app.initialize(sys.argv[1:])
        app.kernel.control_handlers[MOVE] = lambda stream, ident, parent: _moved(app, stream, ident, parent)
        app.start()
    finally:
        os._exit(0)


def _moved(app, stream, ident, parent) -> None:
    """In the kernel (control thread): ``MOVE`` — change folder, and make IPython's folder history (``_dh``)
    start there, as if the kernel had started in it."""
    try:
        os.chdir(parent["content"]["cwd"])
        history = getattr(app.shell, "history_manager", None)
        if history is not None:
            history.dir_hist[:] = [Path.cwd()]
        content = {"status": "ok", "cwd": os.getcwd()}
    except (OSError, KeyError, TypeError) as exc:
        content = {"status": "error", "ename": type(exc).__name__, "evalue": str(exc)}
    app.kernel.session.send(stream, "evalbook_move_reply", content, parent, ident)


if __name__ == "__main__":
    serve(sys.argv[1])
