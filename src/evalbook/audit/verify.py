"""``evalbook verify OUT/SCHEME/YEAR[/FOLDER]``: prove a published result came from its inputs.

Nothing published is taken on trust, the manifests included:

- the year's manifest lists every file of the year folder (report folders by their own manifest);
  a listed file missing or changed, or a file present but unlisted, is *tampered*;
- the report folders expected are those of the cohort (the inputs scored again), so a deleted
  folder or a deleted manifest is *tampered*, never skipped; each folder's manifest must name the
  scheme's own notebook, rubric and the parameters ``run`` gives that folder, and the year's inputs;
- every input file a manifest records is taken from the year's archive (``inputs/<sha256>``, see
  ``archive``): missing there or altered is *tampered*, naming the file; today's data folder differing
  from it is only a line of information (the publication is proven against what it was built from).
  A year published before the archive falls back to today's data folder: a file changed there is
  *inputs changed*. The rubric and the notebook template must still have their hashes (else *inputs
  changed*);
- a report built from other inputs than the year's is refused unless the year's ``run.kept`` says the
  run that published the year kept it (``--only``) and its ``report_facts`` equal those recomputed from
  the year's inputs (``stale.facts_digests``): it provably shows this year's facts;
- the code that wrote a manifest (evalbook's version and the fingerprint of its sources) must be
  the running code (else *code differs*, naming both; the work is still redone and compared);
- then the work is done again: the year's tables by validating and scoring the recorded inputs
  (CSVs and ``validation.json`` byte for byte, ``results.xlsx`` cell by cell, since it carries a
  creation time), each notebook by re-executing its template with its recorded parameters in a
  scratch folder laid out like the original (``result.json`` field by field, every cell's output),
  and each HTML page by rendering its executed notebook again (byte for byte: the rendering is
  deterministic, nothing is stripped). A difference is *differs*, naming the numbers;
- a copy ``evalbook pdf`` printed of a page (``report.pdf``, ``index.pdf``; on no manifest, since it is
  printed after publication) is proven by printing its verified page again in Chromium and comparing the
  bytes but for the PDF's two time stamps: a difference is *differs*; without Chromium, *not checked*.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from evalbook.audit.archived_inputs import Inputs
from evalbook.audit.findings import (
    CHANGED,
    CODE,
    DIFFERS,
    FAILED,
    IDENTICAL,
    LABELS,
    ORDER,
    TAMPERED,
    UNCHECKED,
    YEAR_UNIT,
    Finding,
)
from evalbook.audit.manifests import locate, malformed, read_manifest
from evalbook.audit.pages import Renderer
from evalbook.audit.printing import Printer
from evalbook.audit.records import code_difference
from evalbook.audit.report_folder import check_unit
from evalbook.audit.year import check_expected, check_year
from evalbook.run.archive import ARCHIVE
from evalbook.run.listing import HISTORY, MANIFEST, SNAPSHOT

__all__ = ["CHANGED", "CODE", "DIFFERS", "FAILED", "IDENTICAL", "LABELS", "ORDER", "TAMPERED", "UNCHECKED", "YEAR_UNIT",
           "Finding", "code_difference", "verify"]


def verify(path: Path, log=lambda finding: None, workers: int = 2) -> list[Finding]:
    """Check and reproduce a published year (or one report of it); one Finding per unit, the year first.

    ``log`` gets each Finding as soon as it is known; reports are re-executed ``workers`` at a time,
    each in its own fresh kernel as in the run.
    """
    from concurrent.futures import ThreadPoolExecutor

    path = Path(path).resolve()
    year_dir, selected = locate(path)
    record = read_manifest(year_dir)
    names = [selected] if selected else sorted(p.name for p in year_dir.iterdir()
                                               if p.is_dir() and p.name not in (ARCHIVE, HISTORY, SNAPSHOT))
    renderer = Renderer()
    with tempfile.TemporaryDirectory(prefix="evalbook-verify-inputs-") as scratch, \
            ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        inputs = Inputs(year_dir, record, Path(scratch))
        printer = Printer(Path(scratch))
        year = pool.submit(check_year, year_dir, record, renderer, selected, inputs)
        units = {name: pool.submit(check_unit, year_dir, name, record, renderer, inputs) for name in names}
        try:
            year_finding, expected = year.result()
            _check_revisions(year_dir, record, year_finding)  # history/, changes.*, signatures (audit/revisions.py)
            printer.check(year_finding)
            findings = [year_finding]
            log(year_finding)
            missing = sorted(set(expected["units"]) - set(names)) if expected and selected is None else []
            for name in sorted([*names, *missing]):
                finding = units[name].result() if name in units else Finding(name)
                if expected is not None:
                    check_expected(finding, name, expected, year_dir)
                elif finding.kept:
                    finding.worse(TAMPERED, f"{MANIFEST} inputs: 与年度清单的输入不同 not the year's inputs（年度无法重算，"
                                  "无法证明沿用的报告 the year cannot be rescored, so nothing proves a kept report）")
                printer.check(finding)
                findings.append(finding)
                log(finding)
        finally:
            printer.close()
    if selected is None:  # every earlier publication kept in history/ is proven as it was published
        from evalbook.audit.revisions import earlier

        for number, folder in earlier(year_dir):
            def logged(finding, number=number):
                finding.unit = f"{HISTORY}/{number} {finding.unit}"
                log(finding)
            findings += verify(folder, log=logged, workers=workers)
    return findings


def _check_revisions(year_dir: Path, record: dict, finding: Finding) -> None:
    """The year's revision record, history/, changes.* and signatures (audit/revisions.py)."""
    from evalbook.audit.revisions import check

    if malformed(record):
        return
    problems, notes = check(year_dir, record)
    for note in notes:
        finding.note(note)
    for status, detail in problems:
        finding.worse(status, detail)
