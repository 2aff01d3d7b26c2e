"""The optional extras: evalbook[dask] (distributed) and evalbook[pdf] (playwright).

Their absence is simulated with ``sys.modules[name] = None`` (then ``import name`` fails as if it were not
installed): in a fresh interpreter for the command line, in this process for the library calls.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from evalbook.audit.printing import Printer
from evalbook.audit.verify import IDENTICAL, UNCHECKED, Finding
from evalbook.core.extras import MissingExtra, require
from evalbook.output.browser import Browser
from evalbook.run.batch import RunOptions, run_year

REPO = Path(__file__).resolve().parents[1]
DASK = "pip install 'evalbook[dask]'"
PDF = "pip install 'evalbook[pdf]'"


def evalbook_without(absent: list[str], *args, cwd: Path) -> subprocess.CompletedProcess:
    """``evalbook ARGS`` in a fresh interpreter in which the modules ``absent`` cannot be imported."""
    code = (f"import sys\nfor name in {absent!r}: sys.modules[name] = None\n"
            "from evalbook.cli.commands import main\nsys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_every_module_imports_without_either_extra(tmp_path):
    code = ("import sys, importlib, pkgutil\n"
            "for name in ('distributed', 'dask', 'playwright'): sys.modules[name] = None\n"
            "import evalbook\n"
            "names = [m.name for m in pkgutil.walk_packages(evalbook.__path__, 'evalbook.')\n"
            "         if not m.name.endswith('__main__')]\n"  # __main__ runs the command line
            "for name in names: importlib.import_module(name)\n"
            "print(len(names))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 40  # every layer and both schemes were walked, not an empty package


def test_run_on_a_scheduler_without_distributed_says_what_to_install(tmp_path):
    out = tmp_path / "out"
    done = evalbook_without(["distributed"], "run", "wendeng-featured", "--year", "2023", "--data", REPO / "data",
                            "--out", out, "--scheduler", "tcp://127.0.0.1:9", cwd=tmp_path)
    assert done.returncode == 1
    assert DASK in done.stderr and "evalbook run --scheduler" in done.stderr
    assert "需要可选组件 distributed，尚未安装" in done.stderr and "Traceback" not in done.stderr + done.stdout
    assert not out.exists()  # said before anything was validated or written


def test_run_without_distributed_still_runs_locally_as_far_as_its_input_allows(tmp_path):
    """Without --scheduler nothing asks for distributed: a run on an empty data folder fails on its input."""
    done = evalbook_without(["distributed"], "run", "wendeng-featured", "--year", "2023", "--data", tmp_path / "none",
                            "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    assert "evalbook[dask]" not in done.stderr + done.stdout and "institutions.csv" in done.stdout


@pytest.mark.parametrize(("absent", "state"), [("playwright", "尚未安装"), ("greenlet", "安装不完整（import of greenlet")],
                         ids=["not-installed", "half-installed"])
def test_pdf_without_playwright_says_what_to_install(tmp_path, absent, state):
    page = tmp_path / "report.html"
    page.write_text("<html><body>报告</body></html>", encoding="utf-8")
    done = evalbook_without([absent], "pdf", page, cwd=tmp_path)
    assert done.returncode == 1
    assert PDF in done.stderr and f"需要可选组件 playwright，{state}" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not page.with_suffix(".pdf").exists()


def test_a_half_installed_extra_names_what_is_missing(monkeypatch):
    """distributed there but dask (which it needs) gone: still the install line, with the reason."""
    monkeypatch.delitem(sys.modules, "distributed", raising=False)
    monkeypatch.setitem(sys.modules, "dask", None)
    with pytest.raises(MissingExtra) as caught:
        require("dask")
    assert DASK in str(caught.value) and "安装不完整" in str(caught.value) and "dask" in str(caught.value)
    for name in [n for n in sys.modules if n == "distributed" or n.startswith("distributed.")]:
        monkeypatch.delitem(sys.modules, name)  # no half-imported distributed is left for later tests


def test_the_library_says_it_too(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.setitem(sys.modules, "playwright", None)
    with pytest.raises(MissingExtra, match=r"evalbook\[dask\]"):
        run_year("wendeng-featured", 2023, REPO / "data", tmp_path, options=RunOptions(scheduler="tcp://127.0.0.1:9"))
    assert not any(tmp_path.iterdir())
    with pytest.raises(MissingExtra, match=r"evalbook\[pdf\]"), Browser():
        pass


def test_verify_without_playwright_leaves_a_printed_copy_unchecked_saying_why(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright", None)
    finding = Finding("D1", printed=[("D1/report.pdf", tmp_path / "report.pdf", tmp_path / "report.html")])
    assert finding.status == IDENTICAL
    printer = Printer(tmp_path)
    try:
        printer.check(finding)
    finally:
        printer.close()
    assert finding.status == UNCHECKED
    assert len(finding.details) == 1 and finding.details[0].startswith("D1/report.pdf: 无法核验打印件")
    assert PDF in finding.details[0]
