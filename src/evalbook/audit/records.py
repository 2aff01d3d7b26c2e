"""A manifest's records against what is there: its outputs, inputs, rubric, notebook template and code."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from evalbook.audit.archived_inputs import Inputs
from evalbook.audit.findings import CHANGED, CODE, TAMPERED, Finding
from evalbook.core import paths
from evalbook.inputs.reading import sha256_file
from evalbook.run.listing import MANIFEST


def code_difference(recorded, scheme_name: str | None = None) -> str | None:
    """How the code that wrote a manifest (of ``scheme_name``) differs from the running code, or None."""
    from evalbook.run.reuse import code_identity

    current = code_identity(scheme_name)
    if recorded == current:
        return None

    def text(code) -> str:
        if not isinstance(code, dict):
            return "未记录 not recorded"
        return f"evalbook {code.get('evalbook')} sha256 {str(code.get('sha256'))[:16]}…"

    return f"{MANIFEST}: 代码不同 code differs: 记录 recorded {text(recorded)} → 当前 current {text(current)}"


def check_records(folder: Path, record: dict, finding: Finding, inputs: Inputs, scope=lambda name: True,
                   today: bool = False) -> bool:
    """Outputs, inputs, rubric, notebook, code against the record; True when the work can be redone.
    ``today``: name the files of today's data folder that differ from the archived inputs (information)."""
    from evalbook.core.registry import SCHEMES, get_scheme

    for name, sha in sorted(record["outputs"].items()):
        if not scope(name):
            continue
        if not (folder / name).is_file():
            finding.worse(TAMPERED, f"{name}: 缺失 missing")
        elif sha256_file(folder / name) != sha:
            finding.worse(TAMPERED, f"{name}: sha256 与清单不符 does not match the manifest")
    if record["scheme"] not in SCHEMES:
        finding.worse(TAMPERED, f"{MANIFEST}: 未知的考评方案 unknown scheme {record['scheme']!r}")
        return False
    scheme = get_scheme(record["scheme"])
    redo = inputs.check(record, folder, finding, today)
    rubric = scheme.rubric_path()
    if paths.REPO / record["rubric"]["path"] != rubric:
        finding.worse(TAMPERED, f"{MANIFEST}: 记录的评分规则不是本方案的 the recorded rubric is not the scheme's: "
                      f"{record['rubric']['path']!r}")
        redo = False
    elif not rubric.is_file() or sha256_file(rubric) != record["rubric"]["sha256"]:
        finding.worse(CHANGED, f"{record['rubric']['path']}: 评分规则已改变 the rubric changed")
        redo = False
    notebook = record["notebooks"][0]
    expected = scheme.notebook_path("cohort" if "run" in record else scheme.UNIT_NOTEBOOK)
    if paths.REPO / notebook["notebook"] != expected or notebook["executed"] != expected.name:
        finding.worse(TAMPERED, f"{MANIFEST}: 记录的笔记本不是本方案的 the recorded notebook is not the scheme's: "
                      f"{notebook['notebook']!r} → {notebook['executed']!r}")
        redo = False
    elif not expected.is_file() or sha256_file(expected) != notebook["sha256"]:
        finding.worse(CHANGED, f"{notebook['notebook']}: 笔记本模板已改变 the notebook template changed")
        redo = False
    difference = code_difference(record.get("code"), scheme.NAME)
    if difference:
        finding.worse(CODE, difference)
    installed = _installed_version()
    if record["versions"].get("evalbook") != installed:
        finding.worse(CODE, f"{MANIFEST} versions.evalbook: 版本不同 version differs: 记录 recorded "
                      f"{record['versions'].get('evalbook')!r} → 当前 current {installed!r}")
    return redo


def _installed_version() -> str:
    try:
        return metadata.version("evalbook")
    except metadata.PackageNotFoundError:
        return "not installed"
