"""The year: its files, tables and cohort report, and the report folders its cohort must have."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from evalbook.audit.archived_inputs import Inputs
from evalbook.audit.compare import compare_table
from evalbook.audit.findings import DIFFERS, FAILED, TAMPERED, YEAR_UNIT, Finding
from evalbook.audit.manifests import malformed
from evalbook.audit.pages import Renderer, check_views
from evalbook.audit.printing import unlisted_file
from evalbook.audit.records import check_records
from evalbook.audit.rerun import reproduce_notebook
from evalbook.committee.tables import write_year_tables
from evalbook.run.archive import ARCHIVE
from evalbook.run.listing import MANIFEST, NOT_LISTED, SNAPSHOT, unlisted


def check_year(year_dir: Path, record: dict, renderer: Renderer, selected: str | None,
                inputs: Inputs) -> tuple[Finding, dict | None]:
    """The year's files, tables and (for the whole year) cohort report; also the report folders the
    cohort has, by name with their notebook parameters (None when the inputs cannot be scored again).
    When one report is verified, the year's tables are still checked: its numbers come from them."""
    from evalbook.core.registry import get_scheme
    from evalbook.run.stale import facts_digests

    finding = Finding(YEAR_UNIT)
    problem = malformed(record)
    if problem:
        finding.worse(TAMPERED, problem)
        return finding, None

    def in_scope(name: str) -> bool:
        return "/" not in name or selected is None or name.split("/", 1)[0] in (selected, ARCHIVE, SNAPSHOT)

    redo = check_records(year_dir, record, finding, inputs, in_scope, today=True)
    covered = {p.name for p in year_dir.iterdir() if p.is_dir() and f"{p.name}/{MANIFEST}" in record["outputs"]}
    covered |= set(NOT_LISTED)  # history/ and the sign-off are on no manifest (audit/revisions.py checks them)
    for name in unlisted(year_dir, set(record["outputs"]), covered):
        if in_scope(name):
            unlisted_file(finding, year_dir, name, set(record["outputs"]), year=True)
    failed = "_cohort" in ((record.get("run") or {}).get("failures") or {})
    if failed:
        finding.worse(FAILED, "index.html: 年度报告在发布时生成失败 the cohort report failed when published")
    elif selected is None:
        check_views(year_dir, record, finding, renderer)
    if not redo:
        return finding, None
    scheme = get_scheme(record["scheme"])
    params = record["notebooks"][0]["parameters"]
    data_dir = (year_dir / params["data_dir"]).resolve()
    wanted = {"scheme": scheme.NAME, "year": record["year"], "output_dir": ".", "validation": "validation.json"}
    if {k: v for k, v in params.items() if k != "data_dir"} != wanted:
        finding.worse(TAMPERED, f"{MANIFEST} parameters: 与本年度不符 not this year's: {params!r}")
        return finding, None
    source = inputs.data_dir(scheme.NAME, record) if inputs.archived else data_dir
    if selected is None and not failed:
        reproduce_notebook(year_dir, year_dir, record["notebooks"][0], finding, source, year_dir / "validation.json")
    intake = inputs.validate(scheme.NAME, int(record["year"]), source)
    if intake.errors:
        finding.worse(DIFFERS, "重新校验未通过 the inputs no longer validate")
        return finding, None
    scores = scheme.score(intake)
    with tempfile.TemporaryDirectory(prefix="evalbook-verify-") as scratch:
        fresh = Path(scratch)
        written = write_year_tables(scheme, intake, scores, fresh)
        # as batch.run writes it: after the tables (which may read last year's inputs and record what they made)
        (fresh / "validation.json").write_text(json.dumps(intake.validation_record(), ensure_ascii=False, indent=1),
                                               encoding="utf-8")
        written.append("validation.json")
        for name in written:
            compare_table(fresh / name, year_dir / name, name, finding)
        units = scheme.report_units(intake, scores)
        facts = facts_digests(scheme, intake, fresh, units)  # what each report must show (kept ones are held to it)
    expected = {folder: params for folder, _, params in units}
    return finding, {"units": expected, "data_dir": data_dir, "scheme": scheme.NAME, "year": record["year"],
                     "facts": facts}


def check_expected(finding: Finding, name: str, expected: dict, year_dir: Path) -> None:
    """A report folder against the cohort: it must be one of its reports, with that report's parameters."""
    units = expected["units"]
    if name not in units:
        finding.worse(TAMPERED, f"{name}/: 不是本年度名单中的报告 not a report of this cohort")
        return
    if not (year_dir / name).is_dir():
        finding.worse(TAMPERED, f"{name}/: 报告文件夹缺失 the report folder is missing (the cohort has this report)")
        return
    try:
        record = json.loads((year_dir / name / MANIFEST).read_text(encoding="utf-8"))
        params = dict(record["notebooks"][0]["parameters"])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return  # named already by the folder's own check
    if finding.kept:  # built from earlier inputs: legitimate only when it shows exactly this year's facts
        from evalbook.run.stale import FACTS_KEY

        if record.get(FACTS_KEY) is None or record.get(FACTS_KEY) != expected["facts"].get(name):
            finding.worse(TAMPERED, f"{MANIFEST} inputs: 与年度清单的输入不同 not the year's inputs")
            finding.worse(TAMPERED, f"{MANIFEST} {FACTS_KEY}: 与按本年度输入重算的不同，沿用不成立 differs from the one "
                          "recomputed from this year's inputs, so keeping it is not proven")
        else:
            finding.remark = "沿用 kept from an earlier run; shows this year's facts"

    data_dir = params.pop("data_dir", None)
    wanted = {"scheme": expected["scheme"], "year": expected["year"], **units[name], "output_dir": ".",
              "validation": "../validation.json"}
    if params != wanted or not isinstance(data_dir, str) or (year_dir / name / data_dir).resolve() != expected["data_dir"]:
        finding.worse(TAMPERED, f"{name}/{MANIFEST} parameters: 不是这个报告的参数 not this report's parameters: "
                      f"{params!r}, data_dir {data_dir!r}")
