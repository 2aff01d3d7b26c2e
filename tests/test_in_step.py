"""Files that must agree with each other: suites and declarations, notebooks, environment pins."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from evalbook.core.registry import SCHEMES as SCHEME_MODULES
from evalbook.core.registry import get_scheme
from evalbook.inputs.suites import render_suite, stale_suites

REPO = Path(__file__).resolve().parents[1]


SCHEMES = sorted(SCHEME_MODULES)


@pytest.mark.parametrize("name", SCHEMES)
def test_committed_suites_match_the_column_declarations(name):
    scheme = get_scheme(name)
    assert stale_suites(scheme) == [], f"run `evalbook suites {name}` and commit expectations/"
    files = sorted(p.stem for p in (REPO / "expectations" / name).glob("*.json"))
    assert files == sorted(scheme.suites())  # one suite per input file (and per derived table), no stray ones


def test_suites_have_no_random_ids_and_every_rule_is_bilingual():
    for path in (REPO / "expectations").glob("*/*.json"):
        suite = json.loads(path.read_text(encoding="utf-8"))
        assert "id" not in suite and render_suite(suite) == path.read_text(encoding="utf-8")
        for entry in suite["expectations"]:
            assert "id" not in entry
            assert entry["meta"]["stage"] in ("text", "typed")
            assert entry["meta"]["rule_zh"] and entry["meta"]["rule_en"]


def test_suites_load_as_great_expectations_suites():
    import great_expectations as gx

    for path in (REPO / "expectations").glob("*/*.json"):
        suite = json.loads(path.read_text(encoding="utf-8"))
        loaded = gx.ExpectationSuite(name=suite["name"], expectations=suite["expectations"])
        assert len(loaded.expectations) == len(suite["expectations"])


def test_notebooks_are_thin_and_committed_without_outputs():
    for path in (REPO / "notebooks").rglob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
        assert "parameters" in cells[0]["metadata"].get("tags", []), path
        for cell in cells:
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None, path
            code = [line for line in "".join(cell["source"]).splitlines() if line.strip() and not line.startswith("#")]
            assert len(code) <= 8, f"{path}: a cell with logic belongs in the package"
            assert not any(line.lstrip().startswith(("def ", "class ", "for ", "if ", "while ")) for line in code), path


def _lock() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version.strip()
    return pins


def test_environment_yml_pins_agree_with_the_lock():
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    lock = _lock()
    pinned = [p for p in pip if "==" in p]
    assert pinned, "environment.yml pins the main packages"
    for entry in pinned:
        name, version = entry.split("==")
        assert lock[re.sub(r"[-_.]+", "-", name).lower()] == version, entry
    assert "python=3.11" in env["dependencies"]


def test_every_runtime_dependency_is_in_the_lock():
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    block = text.split("dependencies = [", 1)[1].split("]", 1)[0]
    names = [re.split(r"[<>=!~\[ ]", item.strip().strip('",'))[0] for item in block.splitlines() if item.strip().strip('",')]
    lock = _lock()
    for name in names:
        assert re.sub(r"[-_.]+", "-", name).lower() in lock, name
