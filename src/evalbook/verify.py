"""``evalbook verify OUT/SCHEME/YEAR[/FOLDER]``: prove a published result came from its inputs.

For the year and for each report folder: every file the manifest lists must still have its
recorded sha256 (else *tampered*); every input file and the rubric must still have theirs (else
*inputs changed*, naming the files: the record then says nothing about today's files); the
notebook template must be the one recorded. Then the work is done again: the year's tables by
validating and scoring the recorded inputs, each report by re-executing its archived notebook
template with its recorded parameters in a scratch folder laid out like the original, and the
numbers are compared (*identical* or *differs*, naming the numbers).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from evalbook import paths
from evalbook.errors import InputError, Problem
from evalbook.reading import sha256_file

IDENTICAL, DIFFERS, CHANGED, TAMPERED = "identical", "differs", "inputs changed", "tampered"
LABELS = {IDENTICAL: "一致 identical", DIFFERS: "不一致 differs", CHANGED: "输入已改变 inputs changed",
          TAMPERED: "文件被改动 tampered"}


@dataclass
class Finding:
    unit: str
    status: str = IDENTICAL
    details: list[str] = field(default_factory=list)

    def worse(self, status: str, detail: str) -> None:
        order = [IDENTICAL, DIFFERS, CHANGED, TAMPERED]
        if order.index(status) > order.index(self.status):
            self.status = status
        self.details.append(detail)


def verify(path: Path, log=lambda finding: None, workers: int = 2) -> list[Finding]:
    """Check and reproduce a published year (or one report of it); one Finding per unit, the year first.

    ``log`` gets each Finding as soon as it is known; reports are re-executed ``workers`` at a time,
    each in its own fresh kernel as in the run.
    """
    from concurrent.futures import ThreadPoolExecutor

    path = Path(path).resolve()
    year_dir, units = _locate(path)
    record = _manifest(year_dir)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        pending = [pool.submit(_check_year, year_dir, record, whole=len(units) != 1 or path == year_dir)]
        pending += [pool.submit(_check_unit, year_dir, name) for name in units]
        findings = []
        for future in pending:
            findings.append(future.result())
            log(findings[-1])
    return findings


def _locate(path: Path) -> tuple[Path, list[str]]:
    if (path / "manifest.json").is_file() and "run" in _manifest(path):
        return path, sorted(p.name for p in path.iterdir() if p.is_dir() and (p / "manifest.json").is_file())
    if (path.parent / "manifest.json").is_file() and (path / "manifest.json").is_file():
        return path.parent, [path.name]
    raise InputError(Problem(str(path), "这里没有 evalbook 的发布结果（应为 OUT/方案/年度 或其中的报告文件夹）",
                             "not a published evalbook year (OUT/SCHEME/YEAR) or a report folder in one",
                             column="PATH", value=str(path)))


def _manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(Problem(str(folder / "manifest.json"), "清单文件无法读取", "the manifest cannot be read",
                                 value=str(exc))) from None


def _check_records(folder: Path, record: dict, finding: Finding) -> bool:
    """Outputs, inputs, rubric, notebook against their hashes; True when the work can be redone."""
    for name, sha in sorted(record.get("outputs", {}).items()):
        if not (folder / name).is_file():
            finding.worse(TAMPERED, f"{name}: 缺失 missing")
        elif sha256_file(folder / name) != sha:
            finding.worse(TAMPERED, f"{name}: sha256 与清单不符 does not match the manifest")
    redo = True
    for entry in record["inputs"]:
        source = (folder / entry["path"]).resolve()
        if not source.is_file() or sha256_file(source) != entry["sha256"]:
            finding.worse(CHANGED, f"{entry['file']}: 自发布后已改变或缺失 changed or missing since publication")
            redo = False
    rubric = paths.REPO / record["rubric"]["path"]
    if not rubric.is_file() or sha256_file(rubric) != record["rubric"]["sha256"]:
        finding.worse(CHANGED, f"{record['rubric']['path']}: 评分规则已改变 the rubric changed")
        redo = False
    for notebook in record["notebooks"]:
        template = paths.REPO / notebook["notebook"]
        if not template.is_file() or sha256_file(template) != notebook["sha256"]:
            finding.worse(CHANGED, f"{notebook['notebook']}: 笔记本模板已改变 the notebook template changed")
            redo = False
    return redo


def _check_year(year_dir: Path, record: dict, whole: bool = True) -> Finding:
    """The year's tables: hashes, then validate and score the recorded inputs again and compare bytes;
    with ``whole``, also re-execute the cohort notebook (when one report is verified, its year's
    tables are still checked, since the report's numbers come from them)."""
    from evalbook.batch import validate_year
    from evalbook.schemes import get_scheme

    finding = Finding("年度结果 year")
    if not _check_records(year_dir, record, finding):
        return finding
    if whole:
        _reproduce_notebook(year_dir, year_dir, record["notebooks"][0], finding)
    scheme = get_scheme(record["scheme"])
    data_dir = (year_dir / record["notebooks"][0]["parameters"]["data_dir"]).resolve()
    intake = validate_year(scheme.NAME, int(record["year"]), data_dir)
    if intake.errors:
        finding.worse(DIFFERS, "重新校验未通过 the inputs no longer validate")
        return finding
    with tempfile.TemporaryDirectory(prefix="evalbook-verify-") as scratch:
        written = scheme.write_outputs(intake, scheme.score(intake), Path(scratch))
        for name in written:
            if not name.endswith(".csv"):
                continue  # results.xlsx carries a creation time; its tables are the CSVs'
            if (Path(scratch) / name).read_bytes() != (year_dir / name).read_bytes():
                finding.worse(DIFFERS, f"{name}: 重新评分的结果不同 rescoring gives different numbers"
                              + _csv_difference(Path(scratch) / name, year_dir / name))
    return finding


def _check_unit(year_dir: Path, name: str) -> Finding:
    folder = year_dir / name
    record = _manifest(folder)
    finding = Finding(name)
    if not _check_records(folder, record, finding):
        return finding
    _reproduce_notebook(year_dir, folder, record["notebooks"][0], finding)
    return finding


def _reproduce_notebook(year_dir: Path, folder: Path, notebook: dict, finding: Finding) -> None:
    """Re-execute one archived notebook; compare its result.json field by field and its cell outputs."""
    with tempfile.TemporaryDirectory(prefix="evalbook-verify-") as scratch:
        again = _rerun(year_dir, folder, notebook, Path(scratch))
        if again is None:
            finding.worse(DIFFERS, f"{notebook['executed']}: 重新执行失败 the notebook failed when run again")
            return
        old = json.loads((folder / "result.json").read_text(encoding="utf-8"))
        new = json.loads((again.parent / "result.json").read_text(encoding="utf-8"))
        for detail in _differences(old, new):
            finding.worse(DIFFERS, f"result.json {detail}")
        if _cells(folder / notebook["executed"]) != _cells(again):
            finding.worse(DIFFERS, f"{notebook['executed']}: 单元格输出不同 cell outputs differ")


def _rerun(year_dir: Path, folder: Path, notebook: dict, scratch: Path) -> Path | None:
    """Run the template with the recorded parameters, in a scratch copy of the folder layout: the
    relative data path leads (by a symlink) to the same data, the validation record is the archived one."""
    from evalbook.execute import NotebookFailed, NotebookRun, run_notebook

    params = notebook["parameters"]
    ups = max(Path(params["data_dir"]).parts.count(".."), 1) if not os.path.isabs(params["data_dir"]) else 1
    unit = scratch.joinpath(*[f"d{i}" for i in range(ups)], year_dir.name)
    if folder != year_dir:
        unit = unit / folder.name
    unit.mkdir(parents=True)
    shutil.copy2(year_dir / "validation.json", os.path.normpath(unit / params.get("validation", "../validation.json")))
    if not os.path.isabs(params["data_dir"]):
        link = Path(os.path.normpath(unit / params["data_dir"]))
        if not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to((folder / params["data_dir"]).resolve(), target_is_directory=True)
    job = NotebookRun(paths.REPO / notebook["notebook"], unit / notebook["executed"], params, unit)
    try:
        return run_notebook(job)
    except NotebookFailed:
        return None


def _cells(path: Path) -> list:
    nb = nbformat.read(str(path), as_version=4)
    return [(c.source, [{k: v for k, v in o.items() if k not in ("execution_count", "metadata")}
                        for o in c.get("outputs", [])]) for c in nb.cells if c.cell_type == "code"]


def _differences(old, new, where: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new)):
            out += _differences(old.get(key), new.get(key), f"{where}.{key}" if where else key)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [d for i, (a, b) in enumerate(zip(old, new, strict=True)) for d in _differences(a, b, f"{where}[{i}]")]
    return [] if old == new else [f"{where}: 发布值 published {old!r} → 重算 recomputed {new!r}"]


def _csv_difference(new: Path, old: Path) -> str:
    import csv

    with open(old, encoding="utf-8", newline="") as a, open(new, encoding="utf-8", newline="") as b:
        rows_old, rows_new = list(csv.reader(a)), list(csv.reader(b))
    header = rows_old[0] if rows_old else []
    for n, (x, y) in enumerate(zip(rows_old, rows_new, strict=False)):
        for column, (u, v) in enumerate(zip(x, y, strict=False)):
            if u != v:
                name = header[column] if column < len(header) else column
                return f"（第{n + 1}行 row {n + 1}，列 {name}：发布 {u!r} → 重算 {v!r}）"
    return f"（行数 rows {len(rows_old)} → {len(rows_new)}）"
