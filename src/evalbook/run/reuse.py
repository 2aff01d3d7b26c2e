"""``--resume``: which reports of an earlier run can be kept as they are.

A report folder is kept when its ``manifest.json`` was written with the same key — the same
input files, rubric, notebook, parameters and evalbook code, by their hashes — and every file
it lists still has the hash recorded for it. Folders come from the published year and from
the staging folder of a run that was killed or interrupted (each report's manifest is written
last, so a report with a manifest is complete).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from functools import cache
from pathlib import Path

from evalbook.inputs.reading import sha256_file

PACKAGE = Path(__file__).parents[1]  # the whole evalbook package


@cache
def code_fingerprint(scheme_name: str | None = None) -> str:
    """sha256 over evalbook's version and every file of the package (sources, templates, styles), then of
    the plugin scheme's own package (``Scheme.code_folder``) when ``scheme_name`` is one (every installed
    plugin's when None: ``--version``), by sorted relative path and bytes; compiled caches are left out.
    A change of code → rebuild, and ``verify`` names the difference. Installing a plugin changes nothing
    for the other schemes."""
    from evalbook import __version__

    digest = hashlib.sha256(f"evalbook {__version__}\n".encode())
    for prefix, folder in [("", PACKAGE), *plugin_folders(scheme_name)]:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                           and p.suffix not in {".pyc", ".pyo"}):
            digest.update((prefix + path.relative_to(folder).as_posix()).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def plugin_folders(scheme_name: str | None = None) -> list[tuple[str, Path]]:
    """("<scheme>:", folder) of ``scheme_name`` (every registered scheme when None) if its code lies outside
    the evalbook package (a plugin that cannot be loaded has no code to fingerprint: its runs fail with their
    own message)."""
    from evalbook.core.errors import InputError
    from evalbook.core.registry import get_scheme, scheme_names

    found = []
    for name in scheme_names() if scheme_name is None else [scheme_name]:
        try:
            folder = get_scheme(name).code_folder().resolve()
        except InputError:
            continue
        if not folder.is_relative_to(PACKAGE.resolve()):
            found.append((f"{name}:", folder))
    return found


def code_identity(scheme_name: str | None = None) -> dict[str, str]:
    """The code that produces a result, as every manifest records it: evalbook's version and the
    fingerprint of its sources and of the scheme's, if a plugin (``0.1.0`` alone does not say which code
    that was)."""
    from evalbook import __version__

    return {"evalbook": __version__, "sha256": code_fingerprint(scheme_name)}


@cache
def environment() -> dict[str, str]:
    """Python and the versions of what renders a report (the footer names Python; nbconvert writes the page)."""
    import platform
    from importlib import metadata

    found = {"python": platform.python_version()}
    for name in ("pandas", "nbconvert", "nbformat", "papermill", "ipykernel", "jinja2"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def report_sources(scheme_name: str, data_dir: Path, year: int | None = None) -> dict[str, str]:
    """Files besides the inputs, rubric and notebook that change what a report shows, by sha256 (or ``absent``):
    the data's ``DEMO.md`` (the 示例数据 banner), the scheme's suites (the validation section) and every file of the
    scheme in ``rubrics/`` (e.g. naiman's indicator catalog: labels, categories, directions); with ``year``, that
    year's records of what ingest received, where there are any (the 数据来源 section)."""
    from evalbook.core.registry import get_scheme
    from evalbook.inputs import records
    from evalbook.notebook.year import DEMO_MARKER

    scheme = get_scheme(scheme_name)
    demo = Path(data_dir) / scheme_name / DEMO_MARKER
    found = {f"data/{DEMO_MARKER}": sha256_file(demo) if demo.is_file() else "absent"}
    suites = scheme.suites_dir()
    rubrics = scheme.HOME / "rubrics"
    for path in [*sorted(suites.glob("*.json")), *sorted(rubrics.glob(f"{scheme_name}*"))]:
        if path.is_file():
            found[path.relative_to(scheme.HOME).as_posix()] = sha256_file(path)
    for name in (records.LOG, records.ADDRESSES) if year is not None else ():
        path = Path(data_dir) / scheme_name / str(year) / name
        if path.is_file():  # absent: no entry, so the keys of years without records stay as they were
            found[f"data/{year}/{name}"] = sha256_file(path)
    return found


def unit_key(input_hashes: dict[str, str], rubric_sha: str, notebook_sha: str, parameters: dict,
             sources: dict[str, str] | None = None, scheme_name: str | None = None) -> str:
    """``sources``: ``report_sources`` (DEMO.md, suites, catalog), part of the key since they change reports."""
    record = {"inputs": input_hashes, "rubric": rubric_sha, "notebook": notebook_sha, "parameters": parameters,
              "code": code_fingerprint(scheme_name), "sources": sources or {}, "environment": environment()}
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def is_reusable(folder: Path, key: str) -> bool:
    manifest = folder / "manifest.json"
    try:
        record = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if record.get("resume_key") != key or record.get("failed"):
        return False
    outputs = record.get("outputs") or {}
    return bool(outputs) and all((folder / name).is_file() and sha256_file(folder / name) == sha
                                 for name, sha in outputs.items())


def find_reusable(sources: list[Path], name: str, key: str) -> Path | None:
    """The first ``source/name`` that holds a complete report built with ``key``."""
    for source in sources:
        if is_reusable(source / name, key):
            return source / name
    return None


def keep(found: Path, destination: Path) -> None:
    """Copy a kept report into the new run's staging folder, timestamps and all."""
    shutil.copytree(found, destination, copy_function=shutil.copy2, dirs_exist_ok=False)
