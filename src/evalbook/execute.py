"""Running a notebook template with parameters through papermill, each in a fresh kernel."""

from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _socket_dir() -> str:
    folder = os.path.join(tempfile.gettempdir(), f"evalbook-kernels-{os.getuid()}")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    return folder


def _ipc_kernel_manager():
    """A kernel manager on the ``ipc`` transport: Unix sockets in a private folder, so parallel
    kernels cannot collide on TCP ports and nothing listens on the network."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum

    class IpcKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        async def _async_pre_start_kernel(self, **kw):
            # the kernel's own stderr is start-up and shutdown chatter; errors come back as cell outputs
            kw.setdefault("stderr", subprocess.DEVNULL)
            return await super()._async_pre_start_kernel(**kw)

        def _ip_default(self):  # absolute: the kernel runs in the notebook's cwd, not ours
            return os.path.join(_socket_dir(), f"kernel-{uuid.uuid4().hex[:12]}")

    return IpcKernelManager


class NotebookFailed(Exception):
    """Raised when a notebook stops with an error, its kernel dies or a cell runs out of time.

    Carries the notebook and the error's name and message as the kernel reported them.
    """

    def __init__(self, notebook: Path, error: str, message: str):
        self.notebook, self.error, self.message = notebook, error, message
        super().__init__(f"{notebook}: {error}: {message}")


@dataclass(frozen=True)
class NotebookRun:
    """One notebook to run: the template, where the executed copy goes, its parameters and cwd."""

    template: Path
    output: Path
    parameters: dict[str, Any]
    cwd: Path


def run_notebook(job: NotebookRun, timeout: int = 600) -> Path:
    """Execute ``job`` with papermill's Python API; ``NotebookFailed`` on any kernel-side failure."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    try:
        # The kernel's working folder goes through nbclient's resources, not papermill's ``cwd``:
        # that one chdir()s this whole process, which races when notebooks run in parallel threads.
        papermill.execute_notebook(str(job.template), str(job.output), parameters=job.parameters,
                                   resources={"metadata": {"path": str(job.cwd)}},
                                   kernel_name="python3", progress_bar=False, log_output=False,
                                   request_save_on_cell_execute=False, execution_timeout=timeout,
                                   kernel_manager_class=_ipc_kernel_manager())
    except papermill.PapermillExecutionError as exc:
        raise NotebookFailed(job.template, exc.ename, _last_line(exc.evalue)) from exc
    except DeadKernelError as exc:
        raise NotebookFailed(job.template, "DeadKernelError", str(exc)) from exc
    except CellTimeoutError as exc:
        raise NotebookFailed(job.template, "CellTimeoutError", str(exc)) from exc
    except Exception as exc:  # a kernel that never started, a broken template: this report failed, not the batch
        raise NotebookFailed(job.template, type(exc).__name__, str(exc)) from exc
    return job.output


def _last_line(text: str) -> str:
    lines = [line for line in str(text).splitlines() if line.strip()]
    return "\n".join(lines[-12:]) if lines else str(text)
