"""The package's layers, as docs/architecture.md draws them, held against every import in the code.

Each folder of ``src/evalbook/`` is a layer and may import only the layers listed for it here (its own included);
nothing outside ``schemes/`` imports a scheme (the generic code reaches a scheme through the registry); and no
modules import each other in a loop. The imports are read with ``ast``, those inside functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "evalbook"

MAY_IMPORT = {  # layer → the lower layers it may use
    "core": set(),
    "inputs": {"core"},
    "output": {"core"},
    "committee": {"core", "inputs", "output"},
    "notebook": {"core", "inputs", "output", "committee"},
    "excel": {"core", "inputs", "output"},
    "schemes": {"core", "inputs", "output", "committee", "notebook", "excel"},
    "engine": {"core", "output"},
    "run": {"core", "inputs", "output", "committee", "notebook", "engine", "excel"},
    "round": {"core", "inputs", "output", "committee", "notebook", "engine", "run", "excel"},
    "audit": {"core", "inputs", "output", "committee", "notebook", "engine", "run", "round"},
    "cli": {"core", "inputs", "output", "committee", "notebook", "engine", "run", "round", "audit", "excel"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every ``evalbook`` module this file imports, as dotted names (``from evalbook.core import paths`` →
    ``evalbook.core.paths`` where that is a module, else ``evalbook.core``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("evalbook")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("evalbook"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
    return found


FILES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
MODULES = {module_name(p) for p in FILES}


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in MAY_IMPORT) else None


def test_every_module_sits_in_a_layer():
    loose = [m for m in MODULES if m not in ("evalbook", "evalbook.__main__", "evalbook.schemes") and layer(m) is None]
    assert loose == [], f"modules outside the layer folders: {loose}"
    assert set(MAY_IMPORT) == {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_run_down_the_layers(path):
    own = layer(module_name(path))
    if own is None:
        return
    wrong = sorted(m for m in imports(path) if layer(m) not in {own, *MAY_IMPORT[own], None})
    assert wrong == [], f"{own}/ may import only {sorted(MAY_IMPORT[own])}: {wrong}"


def test_the_rules_catch_an_upward_import(tmp_path):
    """The reader sees an import inside a function, and the layer map refuses core → run."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from evalbook.run.batch import run_year\n", encoding="utf-8")
    assert imports(probe) == {"evalbook.run.batch"}
    assert "run" not in MAY_IMPORT["core"]


def test_no_module_imports_in_a_loop():
    graph = {module_name(p): {m for m in imports(p) if m in MODULES} for p in FILES}
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> list[str] | None:
        if module in trail:
            return trail[trail.index(module):] + [module]
        if module in done:
            return None
        for target in sorted(graph.get(module, ())):
            if target != module and (loop := visit(target, [*trail, module])):
                return loop
        done.add(module)
        return None

    for module in sorted(graph):
        loop = visit(module, [])
        assert loop is None, " → ".join(loop)
