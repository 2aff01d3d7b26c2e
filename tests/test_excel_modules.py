"""The excel package stays a stack of small modules: no cycles, nothing above its floor, none large."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

EXCEL = Path(__file__).resolve().parents[1] / "src" / "evalbook" / "excel"
FLOORS_BELOW = ("evalbook.core", "evalbook.inputs", "evalbook.output")  # what excel may import besides itself
MAX_LINES = 400


def evalbook_imports(path: Path) -> set[str]:
    """The evalbook modules ``path`` imports, wherever the import stands (lazy imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("evalbook"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("evalbook"))
    return found


MODULES = {f"evalbook.excel.{path.stem}": path for path in sorted(EXCEL.glob("*.py"))}


def test_the_old_single_module_is_gone_and_the_split_is_there():
    assert "evalbook.excel.workbooks" not in MODULES
    assert {"evalbook.excel.layout", "evalbook.excel.cells", "evalbook.excel.scheme_io"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_a_module_imports_only_its_floor_or_lower(module):
    upward = [name for name in evalbook_imports(MODULES[module])
              if not name.startswith(("evalbook.excel.", *FLOORS_BELOW))]
    assert not upward, f"{module} imports {upward}"


@pytest.mark.parametrize("module", MODULES)
def test_a_module_is_small(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines < MAX_LINES, f"{module} has {lines} lines"


def test_no_import_cycle_among_the_excel_modules():
    graph = {module: {name for name in evalbook_imports(path) if name in MODULES} for module, path in MODULES.items()}
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError on a cycle
