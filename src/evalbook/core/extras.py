"""Optional components: what needs them, and what to install when one is missing.

``distributed`` (``evalbook run --scheduler``) and ``playwright`` (``evalbook pdf``, verify's proof
of printed copies) are extras of the package, ``evalbook[dask]`` and ``evalbook[pdf]``: importing
any evalbook module works without them, and asking for what needs one says what to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# extra → (the module it brings, what needs it in Chinese, in English)
EXTRAS = {
    "dask": ("distributed", "在 Dask 集群上运行（evalbook run --scheduler）",
             "running on a Dask cluster (evalbook run --scheduler)"),
    "pdf": ("playwright", "打印 PDF（evalbook pdf、核验打印件）",
            "printing PDFs (evalbook pdf, verifying printed copies)"),
}


class MissingExtra(ImportError):
    """An optional component that this command needs is not installed; the message says how to install it."""

    def __init__(self, extra: str, detail: str = ""):
        module, need_zh, need_en = EXTRAS[extra]
        self.extra, self.module = extra, module
        self.install = f"pip install 'evalbook[{extra}]'"
        if detail:
            state_zh, state_en = f"安装不完整（{detail}）", f"is incomplete ({detail})"
        else:
            state_zh, state_en = "尚未安装", "is not installed"
        super().__init__(f"{need_zh}需要可选组件 {module}，{state_zh}。请运行：{self.install}\n"
                         f"{need_en} needs the optional package {module}, which {state_en}: {self.install}", name=module)


def require(extra: str, module: str | None = None) -> ModuleType:
    """The package that ``extra`` brings (or its ``module``, e.g. ``playwright.sync_api``), imported;
    ``MissingExtra`` when it is not installed or something it needs is missing."""
    package = EXTRAS[extra][0]
    try:
        importlib.import_module(package)  # first the package itself: a submodule imported earlier does not prove it is there
        return importlib.import_module(module or package)
    except ImportError as exc:
        # the package itself is missing, or something it needs (a half-installed extra): install the extra
        missing = exc.name in (package, module)
        raise MissingExtra(extra, "" if missing else str(exc)) from None
