"""The environment: environment.yml (for conda users) pins the same versions as requirements.lock (what CI
installs), and the notebooks' kernels run on the interpreter that runs evalbook."""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

from evalbook.core import paths


def test_every_pin_in_environment_yml_is_the_locked_version():
    locked = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)$", (paths.REPO / "requirements.lock").read_text(), re.M))
    locked = {name.lower().replace("_", "-"): version for name, version in locked.items()}
    pins = re.findall(r"^\s+- ([A-Za-z0-9_.\-]+)==(\S+)$", (paths.REPO / "environment.yml").read_text(), re.M)
    assert len(pins) >= 10
    for name, version in pins:
        assert locked.get(name.lower().replace("_", "-")) == version, name


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0]).lower()


def test_dask_and_playwright_are_extras_that_the_lock_still_installs():
    """distributed and playwright are the extras [dask] and [pdf], not main dependencies; `make setup` (and so CI)
    installs from requirements.lock, which pins them, so the Dask and browser tests run there."""
    project = tomllib.loads((paths.REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert [_name(r) for r in extras["dask"]] == ["distributed"]
    assert [_name(r) for r in extras["pdf"]] == ["playwright"]
    main = {_name(r) for r in project["dependencies"]}
    assert not main & {"distributed", "dask", "playwright"}
    lines = (paths.REPO / "requirements.lock").read_text().splitlines()
    unconditional = {_name(line) for line in lines if "==" in line and ";" not in line and not line.startswith("#")}
    assert {"distributed", "dask", "playwright"} | main <= unconditional
    assert project["requires-python"] == ">=3.11,<3.14"


def test_the_notebooks_kernel_runs_in_this_interpreter(tmp_path):
    """The kernel spec ``python3`` resolves to the interpreter that runs evalbook (jupyter_client swaps the spec's
    bare ``python`` for ``sys.executable``), so a venv on another Python (``make test-3.13``) runs its notebooks
    on that Python too, not on whatever ``python`` is first on PATH."""
    import nbformat

    from evalbook.engine.execute import NotebookRun, run_notebook

    template = tmp_path / "which.ipynb"
    code = "import json, sys\njson.dump([sys.executable, sys.prefix, list(sys.version_info[:3])], open('which.json', 'w'))"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)],
                                            metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                     "display_name": "Python 3"}}), str(template))
    run_notebook(NotebookRun(template, tmp_path / "out.ipynb", {}, tmp_path), timeout=60)
    executable, prefix, version = json.loads((tmp_path / "which.json").read_text())
    assert (Path(executable), prefix, version) == (Path(sys.executable), sys.prefix, list(sys.version_info[:3]))
