"""A notebook executed again with its recorded parameters in a scratch folder, its result and cells compared."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import nbformat

from evalbook.audit.compare import differences
from evalbook.audit.findings import DIFFERS, TAMPERED, Finding
from evalbook.core import paths


def reproduce_notebook(year_dir: Path, folder: Path, notebook: dict, finding: Finding, data: Path,
                        validation: Path) -> None:
    """Re-execute one archived notebook on the data folder ``data`` and the validation record ``validation``;
    compare its result.json field by field and its cell outputs."""
    with tempfile.TemporaryDirectory(prefix="evalbook-verify-") as scratch:
        again, rename = _rerun(year_dir, folder, notebook, Path(scratch), data, validation)
        if again is None:
            finding.worse(DIFFERS, f"{notebook['executed']}: 重新执行失败 the notebook failed when run again")
            return
        try:
            old = json.loads((folder / "result.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            finding.worse(TAMPERED, "result.json: 缺失或无法读取 missing or unreadable")
            old = None
        new = json.loads(_renamed((again.parent / "result.json").read_text(encoding="utf-8"), rename))
        if old is not None:
            for detail in differences(old, new):
                finding.worse(DIFFERS, f"result.json {detail}")
        try:
            same = _cells(folder / notebook["executed"]) == _cells(again, rename)
        except Exception:  # noqa: BLE001 - a forged notebook that nbformat cannot read differs
            same = False
        if not same:
            finding.worse(DIFFERS, f"{notebook['executed']}: 单元格输出不同 cell outputs differ")


def _rerun(year_dir: Path, folder: Path, notebook: dict, scratch: Path, data: Path,
           validation: Path) -> tuple[Path | None, tuple[str, str] | None]:
    """Run the template with the recorded parameters, in a scratch copy of the folder layout: the
    relative data path leads (by a symlink) to ``data``, the validation record is ``validation``. A recorded
    absolute data path other than ``data`` is replaced by ``data`` for the run; the pair (``data``, recorded
    path) is returned with the notebook, to be swapped back before comparing."""
    from evalbook.engine.execute import NotebookFailed, NotebookRun, run_notebook

    params = dict(notebook["parameters"])
    rename = None
    ups = max(Path(params["data_dir"]).parts.count(".."), 1) if not os.path.isabs(params["data_dir"]) else 1
    unit = scratch.joinpath(*[f"d{i}" for i in range(ups)], year_dir.name)
    if folder != year_dir:
        unit = unit / folder.name
    unit.mkdir(parents=True)
    target = Path(os.path.normpath(unit / params.get("validation", "../validation.json")))
    shutil.copy2(validation, target)
    for name in _made_files(validation):  # tables the run made for its notebooks, beside the record (checked there)
        if (Path(validation).parent / name).is_file():
            (target.parent / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(validation).parent / name, target.parent / name)
    if not os.path.isabs(params["data_dir"]):
        link = Path(os.path.normpath(unit / params["data_dir"]))
        if not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(data, target_is_directory=True)
    elif Path(params["data_dir"]).resolve() != Path(data).resolve():
        rename = (str(data), params["data_dir"])
        params["data_dir"] = str(data)
    job = NotebookRun(paths.REPO / notebook["notebook"], unit / notebook["executed"], params, unit)
    try:
        return run_notebook(job), rename
    except NotebookFailed:
        return None, rename


def _made_files(validation: Path) -> list[str]:
    """The files of the tables a validation record says the run made for its notebooks (``Intake.made``): plain
    names only (a forged record must not copy from elsewhere)."""
    try:
        made = json.loads(Path(validation).read_text(encoding="utf-8")).get("made") or {}
        names = [name for entry in made.values() for part in ("files", "rows") for name in (entry.get(part) or {})]
    except (OSError, ValueError, AttributeError, TypeError):
        return []
    # a plain name, or one in a plain folder (snapshot/…): never a path that leaves the record's folder
    return [n for n in names if isinstance(n, str) and re.fullmatch(r"([A-Za-z0-9_-]+/)?[A-Za-z0-9_-][A-Za-z0-9_.-]*", n)]


def _renamed(text: str, rename: tuple[str, str] | None) -> str:
    """JSON text with the scratch data path written back as the recorded one."""
    if rename is None:
        return text
    scratch, recorded = (json.dumps(p, ensure_ascii=False)[1:-1] for p in rename)
    return text.replace(scratch, recorded)


def _cells(path: Path, rename: tuple[str, str] | None = None) -> list:
    nb = nbformat.read(str(path), as_version=4)
    cells = [(c.source, [{k: v for k, v in o.items() if k not in ("execution_count", "metadata")}
                         for o in c.get("outputs", [])]) for c in nb.cells if c.cell_type == "code"]
    if rename is None:
        return cells
    return [(source.replace(*rename), [_renamed_output(o, rename) for o in outputs]) for source, outputs in cells]


HTML_REPR = re.compile(r"<evalbook HTML, \d+ characters>")  # html.Html's text/plain copy: it counts the characters


def _renamed_output(output: dict, rename: tuple[str, str]) -> dict:
    """A fresh cell output with the scratch data path written back as the recorded one: escaped in HTML
    (as ``html.esc`` shows it), as is elsewhere; an evalbook HTML's text/plain copy counts the result."""
    from evalbook.output.html import esc
    from evalbook.output.plaintext import text_of

    def walk(value, old: str, new: str):
        if isinstance(value, str):
            return value.replace(old, new)
        if isinstance(value, dict):
            return {k: walk(v, old, new) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, old, new) for v in value]
        return value

    out = {k: walk(v, *rename) for k, v in output.items() if k != "data"}
    if "data" in output:
        data = {k: walk(v, *rename) for k, v in output["data"].items() if k != "text/html"}
        if "text/html" in output["data"]:
            page = walk(output["data"]["text/html"], esc(rename[0]), esc(rename[1]))
            data["text/html"] = page
            if isinstance(page, str) and HTML_REPR.fullmatch(str(data.get("text/plain", ""))):
                data["text/plain"] = f"<evalbook HTML, {len(page)} characters>"
            elif isinstance(page, str) and data.get("text/plain") == walk(text_of(output["data"]["text/html"]), *rename):
                data["text/plain"] = text_of(page)  # html.Html's text form, aligned on the recorded path
        out["data"] = data
    return out
