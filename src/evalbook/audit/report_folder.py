"""One report folder: its manifest, files and pages, and its notebook executed again."""

from __future__ import annotations

from pathlib import Path

from evalbook.audit.archived_inputs import Inputs
from evalbook.audit.findings import FAILED, TAMPERED, Finding
from evalbook.audit.manifests import malformed, read_manifest
from evalbook.audit.pages import Renderer, check_views
from evalbook.audit.printing import unlisted_file
from evalbook.audit.records import check_records
from evalbook.audit.rerun import reproduce_notebook
from evalbook.core.errors import InputError
from evalbook.run import archive
from evalbook.run.listing import MANIFEST, unlisted


def check_unit(year_dir: Path, name: str, year_record: dict, renderer: Renderer, inputs: Inputs) -> Finding:
    folder = year_dir / name
    finding = Finding(name)
    if not (folder / MANIFEST).is_file():
        failed = folder / "failed.json"
        if failed.is_file() and name in ((year_record.get("run") or {}).get("failures") or {}):
            finding.worse(FAILED, f"{name}/report.html: 报告在发布时生成失败 the report failed when published")
        else:
            finding.worse(TAMPERED, f"{name}/{MANIFEST}: 缺失 missing（无法核验这个报告 this report cannot be verified）")
        return finding
    try:
        record = read_manifest(folder)
    except InputError:
        finding.worse(TAMPERED, f"{name}/{MANIFEST}: 无法读取 cannot be read")
        return finding
    problem = malformed(record)
    if problem:
        finding.worse(TAMPERED, problem)
        return finding
    redo = check_records(folder, record, finding, inputs)
    for extra in unlisted(folder, set(record["outputs"])):
        unlisted_file(finding, folder, extra, set(record["outputs"]), prefix=f"{name}/")
    year_ok = not malformed(year_record)
    extras = archive.DATA_FILES in record and year_ok and archive.DATA_FILES in year_record
    same_inputs = year_ok and _inputs_of(record, folder, extras) == _inputs_of(year_record, year_dir, extras)
    if year_ok and not same_inputs:
        if inputs.archived and name in ((year_record.get("run") or {}).get("kept") or []):
            finding.kept = True  # re-executed from its own archived inputs; its facts are checked against the year's
        else:
            finding.worse(TAMPERED, f"{MANIFEST} inputs: 与年度清单的输入不同 not the year's inputs")
            redo = False
    if not _run_like(record["notebooks"][0]["parameters"], folder, year_record, year_dir):
        # checked before anything runs: a forged path must not lead the re-execution outside its scratch folder
        finding.worse(TAMPERED, f"{MANIFEST} parameters: 不是本年度报告的参数 not the parameters of a report of this year: "
                      f"{record['notebooks'][0]['parameters']!r}")
        redo = False
    check_views(folder, record, finding, renderer)
    if redo:
        if not inputs.archived:
            data, validation = (folder / record["notebooks"][0]["parameters"]["data_dir"]).resolve(), None
        else:
            data = inputs.data_dir(record["scheme"], record)
            validation = None if same_inputs else inputs.validation(record["scheme"], int(record["year"]), record)
        reproduce_notebook(year_dir, folder, record["notebooks"][0], finding, data,
                            validation or year_dir / "validation.json")
    return finding


def _run_like(params: dict, folder: Path, year_record: dict, year_dir: Path) -> bool:
    """A report's parameters have what ``run`` gives every report: the year's data folder, the year's
    ``validation.json``, output in the folder itself."""
    if malformed(year_record):
        return False
    year_data = (year_dir / year_record["notebooks"][0]["parameters"]["data_dir"]).resolve()
    return (params.get("validation") == "../validation.json" and params.get("output_dir") == "."
            and (folder / params["data_dir"]).resolve() == year_data)


def _inputs_of(record: dict, folder: Path, extras: bool = True) -> list:
    """(label, sha256, where) of a manifest's inputs, and its ``data_files`` when both manifests compared have them."""
    entries = archive.recorded(record) if extras else record["inputs"]
    return sorted((e["file"], e["sha256"], str((folder / e["path"]).resolve())) for e in entries)
