"""Running a notebook template with parameters through papermill, each in a fresh kernel."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalbook.engine.kernels import Prestarted, ipc_kernel_manager

ENGINE = "evalbook"


class NotebookFailed(Exception):
    """Raised when a notebook stops with an error, its kernel dies or a cell runs out of time.

    Carries the notebook and the error's name and message as the kernel reported them.
    """

    def __init__(self, notebook: Path, error: str, message: str):
        self.notebook, self.error, self.message = notebook, error, message
        super().__init__(f"{notebook}: {error}: {message}")

    def summary(self) -> str:
        last = self.message.strip().splitlines()[-1] if self.message.strip() else ""
        return f"{self.error}: {last}" if last else self.error


@dataclass(frozen=True)
class NotebookRun:
    """One notebook to run: the template, where the executed copy goes, its parameters and cwd."""

    template: Path
    output: Path
    parameters: dict[str, Any]
    cwd: Path


def run_notebook(job: NotebookRun, timeout: int = 600, kernel: Prestarted | None = None) -> Path:
    """Execute ``job`` with papermill's Python API; ``NotebookFailed`` on any kernel-side failure.

    ``kernel``: a kernel already launched for this job (in this thread, in ``job.cwd``); without
    one, papermill starts a fresh kernel. Either way the kernel has run nothing before.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    _register_engine()
    extra = {"km": kernel.manager} if kernel is not None else {"kernel_manager_class": ipc_kernel_manager()}
    try:
        # The kernel's working folder goes through nbclient's resources, not papermill's ``cwd``:
        # that one chdir()s this whole process, which races when notebooks run in parallel threads.
        papermill.execute_notebook(str(job.template), str(job.output), parameters=job.parameters,
                                   resources={"metadata": {"path": str(job.cwd)}}, engine_name=ENGINE,
                                   kernel_name="python3", progress_bar=False, log_output=False,
                                   request_save_on_cell_execute=False, execution_timeout=timeout,
                                   recorded_paths=_recorded_paths(job), **extra)
    except papermill.PapermillExecutionError as exc:
        raise NotebookFailed(job.template, exc.ename, _last_lines(exc.evalue)) from exc
    except DeadKernelError as exc:
        raise NotebookFailed(job.template, "DeadKernelError", str(exc)) from exc
    except CellTimeoutError as exc:
        raise NotebookFailed(job.template, "CellTimeoutError", str(exc)) from exc
    except Exception as exc:  # a kernel that never started, a broken template: this report failed, not the batch
        raise NotebookFailed(job.template, type(exc).__name__, str(exc)) from exc
    finally:
        if kernel is not None:
            kernel.shutdown()
    return job.output


_registered = False


def _register_engine() -> None:
    """papermill's nbclient engine, closing the kernel client's channels when it did not start
    the kernel itself (a pre-started kernel): otherwise each notebook leaves a heartbeat thread."""
    global _registered
    if _registered:
        return
    from papermill.engines import NBClientEngine, papermill_engines

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            # NBClientEngine's own body, keeping hold of the client to close its channels
            from papermill.clientwrap import PapermillNotebookClient
            from papermill.engines import logger

            _record_stably(nb_man.nb, *kwargs.pop("recorded_paths"))
            kwargs = {k: v for k, v in kwargs.items() if k not in ("input_path", "timeout", "startup_timeout")}
            client = PapermillNotebookClient(nb_man, timeout=execution_timeout, startup_timeout=start_timeout,
                                             kernel_name=kernel_name, log=logger, log_output=log_output,
                                             stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
            try:
                return client.execute()
            finally:
                if not client.owns_km and getattr(client, "kc", None) is not None:
                    client.kc.stop_channels()
                    client.kc = None

    papermill_engines.register(ENGINE, Engine)
    _registered = True


def _recorded_paths(job: NotebookRun) -> tuple[str, str]:
    """What the executed notebook records as its source and its own place: the template relative to
    the project, the output relative to its working folder. papermill would record the absolute
    paths of this machine and of the staging folder, which is renamed when the run publishes."""
    from evalbook.core import paths

    def relative(path, to) -> str:
        path, to = Path(path).resolve(), Path(to).resolve()
        return (path.relative_to(to) if path.is_relative_to(to) else path).as_posix()

    return relative(job.template, paths.REPO), relative(job.output, job.cwd)


def _record_stably(nb, source: str, place: str) -> None:
    """Same inputs, same notebook: stable recorded paths and a stable id for the injected cell
    (papermill draws a random one), so two runs differ only in recorded times."""
    nb.metadata.papermill["input_path"], nb.metadata.papermill["output_path"] = source, place
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"


def _last_lines(text: str) -> str:
    lines = [line for line in str(text).splitlines() if line.strip()]
    return "\n".join(lines[-12:]) if lines else str(text)
