"""Whether two runs of the same inputs made the same year folder (a local run and a cluster run, say).

Every file is compared byte for byte except the three kinds that record when they were made:

- executed notebooks (``*.ipynb``): the times papermill and the kernel record (the notebook's and each
  cell's start, end and duration, and the kernel's message times) are left out; everything else —
  sources, outputs, execution counts, parameters — must be equal;
- manifests (``manifest.json``): ``times`` and the year's ``run`` record (how and where it ran) are
  left out, as are the hashes they list of the files that carry times;
- the workbook (``results.xlsx``): its cells and number formats, as ``evalbook verify`` compares it.
"""

from __future__ import annotations

import json
from pathlib import Path

from evalbook.audit.compare import _workbook_difference, differences

TIMED = (".ipynb", "manifest.json", ".xlsx")
_CELL_TIMES = ("execution", "papermill")  # cell metadata that holds only times
_NOTEBOOK_TIMES = ("start_time", "end_time", "duration")


def folder_differences(a: Path, b: Path) -> list[str]:
    """What differs between folders ``a`` and ``b`` beyond recorded times (empty: the same outputs)."""
    a, b = Path(a), Path(b)
    names = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    others = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    found = [f"{name}: only in {a}" for name in sorted(names - others)]
    found += [f"{name}: only in {b}" for name in sorted(others - names)]
    for name in sorted(names & others):
        found += [f"{name}: {d}" for d in file_differences(a / name, b / name)]
    return found


def file_differences(a: Path, b: Path) -> list[str]:
    if a.name.endswith(".xlsx"):
        difference = _workbook_difference(a, b)
        return [difference] if difference else []
    if a.name.endswith(".ipynb"):
        return differences(_untimed_notebook(a), _untimed_notebook(b))
    if a.name == "manifest.json":
        return differences(_untimed_manifest(a), _untimed_manifest(b))
    return [] if a.read_bytes() == b.read_bytes() else ["bytes differ 内容不同"]


def _untimed_notebook(path: Path) -> dict:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for key in _NOTEBOOK_TIMES:
        nb.get("metadata", {}).get("papermill", {}).pop(key, None)
    for cell in nb.get("cells", []):
        for key in _CELL_TIMES:
            cell.get("metadata", {}).pop(key, None)
    return nb


def _untimed_manifest(path: Path) -> dict:
    record = json.loads(path.read_text(encoding="utf-8"))
    record.pop("times", None)
    record.pop("run", None)
    record["outputs"] = {name: "…" if name.endswith(TIMED) else sha for name, sha in record.get("outputs", {}).items()}
    return record
