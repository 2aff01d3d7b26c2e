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

import json
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from importlib import metadata
from itertools import zip_longest
from pathlib import Path, PurePosixPath

import nbformat

from evalbook.core import paths
from evalbook.core.errors import InputError, Problem
from evalbook.inputs.reading import sha256_file
from evalbook.output.tables import write_results
from evalbook.run import archive
from evalbook.run.archive import ARCHIVE
from evalbook.run.listing import HISTORY, MANIFEST, NOT_LISTED, unlisted

IDENTICAL, CODE, UNCHECKED, DIFFERS, FAILED, CHANGED, TAMPERED = (
    "identical", "code differs", "not checked", "differs", "failed", "inputs changed", "tampered")
ORDER = [IDENTICAL, CODE, UNCHECKED, DIFFERS, FAILED, CHANGED, TAMPERED]
LABELS = {IDENTICAL: "一致 identical", CODE: "代码不同 code differs", UNCHECKED: "打印件无法核验 printed copy not checked",
          DIFFERS: "不一致 differs",
          FAILED: "发布时生成失败 failed when published", CHANGED: "输入已改变 inputs changed",
          TAMPERED: "文件被改动 tampered"}
YEAR_UNIT = "年度结果 year"


@dataclass
class Finding:
    unit: str
    status: str = IDENTICAL
    details: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # information, no failure (today's data differ from the archive)
    remark: str = ""  # said after the status (a kept report: what proves it)
    kept: bool = False  # built from other inputs than the year's, and kept by the run: its facts decide
    printed: list[tuple[str, Path, Path]] = field(default_factory=list)  # evalbook pdf's copies: (name, pdf, its page)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def worse(self, status: str, detail: str) -> None:
        if ORDER.index(status) > ORDER.index(self.status):
            self.status = status
        if detail not in self.details:
            self.details.append(detail)


def verify(path: Path, log=lambda finding: None, workers: int = 2) -> list[Finding]:
    """Check and reproduce a published year (or one report of it); one Finding per unit, the year first.

    ``log`` gets each Finding as soon as it is known; reports are re-executed ``workers`` at a time,
    each in its own fresh kernel as in the run.
    """
    from concurrent.futures import ThreadPoolExecutor

    path = Path(path).resolve()
    year_dir, selected = _locate(path)
    record = _manifest(year_dir)
    names = [selected] if selected else sorted(p.name for p in year_dir.iterdir()
                                               if p.is_dir() and p.name not in (ARCHIVE, HISTORY))
    renderer = _Renderer()
    with tempfile.TemporaryDirectory(prefix="evalbook-verify-inputs-") as scratch, \
            ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        inputs = _Inputs(year_dir, record, Path(scratch))
        printer = _Printer(Path(scratch))
        year = pool.submit(_check_year, year_dir, record, renderer, selected, inputs)
        units = {name: pool.submit(_check_unit, year_dir, name, record, renderer, inputs) for name in names}
        try:
            year_finding, expected = year.result()
            _check_revisions(year_dir, record, year_finding)  # i12: history/, changes.*, signatures (audit/revisions.py)
            printer.check(year_finding)
            findings = [year_finding]
            log(year_finding)
            missing = sorted(set(expected["units"]) - set(names)) if expected and selected is None else []
            for name in sorted([*names, *missing]):
                finding = units[name].result() if name in units else Finding(name)
                if expected is not None:
                    _check_expected(finding, name, expected, year_dir)
                elif finding.kept:
                    finding.worse(TAMPERED, f"{MANIFEST} inputs: 与年度清单的输入不同 not the year's inputs（年度无法重算，"
                                  "无法证明沿用的报告 the year cannot be rescored, so nothing proves a kept report）")
                printer.check(finding)
                findings.append(finding)
                log(finding)
        finally:
            printer.close()
    if selected is None:  # i12: every earlier publication kept in history/ is proven as it was published
        from evalbook.audit.revisions import earlier

        for number, folder in earlier(year_dir):
            def logged(finding, number=number):
                finding.unit = f"{HISTORY}/{number} {finding.unit}"
                log(finding)
            findings += verify(folder, log=logged, workers=workers)
    return findings


def _check_revisions(year_dir: Path, record: dict, finding: Finding) -> None:
    """i12: the year's revision record, history/, changes.* and signatures (audit/revisions.py)."""
    from evalbook.audit.revisions import check

    if _malformed(record):
        return
    problems, notes = check(year_dir, record)
    for note in notes:
        finding.note(note)
    for status, detail in problems:
        finding.worse(status, detail)


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


# --- where, and what was recorded -------------------------------------------------------------

def _locate(path: Path) -> tuple[Path, str | None]:
    """The year folder, and the one report folder asked for (None: the whole year)."""
    if _is_year(path):
        return path, None
    if path.is_dir() and _is_year(path.parent):
        return path.parent, path.name
    for year in (path, path.parent):
        if (year / "index.html").is_file() and (year / "validation.json").is_file() and not (year / MANIFEST).is_file():
            raise InputError(Problem(str(year / MANIFEST), "年度清单缺失：这个年度的结果无法核验",
                                     "the year's manifest is missing: nothing in this year can be verified",
                                     column="PATH", value=str(path)))
    raise InputError(Problem(str(path), "这里没有 evalbook 的发布结果（应为 OUT/方案/年度 或其中的报告文件夹）",
                             "not a published evalbook year (OUT/SCHEME/YEAR) or a report folder in one",
                             column="PATH", value=str(path)))


def _is_year(folder: Path) -> bool:
    try:
        return "run" in json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return False


def _manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(Problem(str(folder / MANIFEST), "清单文件无法读取", "the manifest cannot be read",
                                 value=str(exc))) from None


def _safe_name(name) -> bool:
    """A path inside the folder: relative, no ``..`` (a forged manifest must not lead verify elsewhere)."""
    if not isinstance(name, str) or not name or "\\" in name:
        return False
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts


def _malformed(record) -> str | None:
    """What is missing or of the wrong kind in a manifest, or None."""
    try:
        assert isinstance(record, dict)
        assert isinstance(record["outputs"], dict) and all(_safe_name(k) and isinstance(v, str)
                                                           for k, v in record["outputs"].items())
        assert all(isinstance(e["file"], str) and isinstance(e["path"], str) and isinstance(e["sha256"], str)
                   for e in [*record["inputs"], *(record.get(archive.DATA_FILES) or [])])
        assert all(isinstance(record["rubric"][k], str) for k in ("path", "sha256", "version"))
        notebook = record["notebooks"][0]
        assert isinstance(notebook["notebook"], str) and isinstance(notebook["sha256"], str)
        assert _safe_name(notebook["executed"]) and "/" not in notebook["executed"]
        assert isinstance(notebook["parameters"], dict) and isinstance(notebook["parameters"]["data_dir"], str)
        assert isinstance(record["versions"], dict) and isinstance(record["scheme"], str)
        assert isinstance(record["year"], int)
    except (AssertionError, KeyError, IndexError, TypeError, AttributeError) as exc:
        return f"{MANIFEST}: 内容不完整或格式不对 incomplete or malformed ({type(exc).__name__} {exc})"
    return None


def _check_records(folder: Path, record: dict, finding: Finding, inputs: _Inputs, scope=lambda name: True,
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


# --- the year ---------------------------------------------------------------------------------

def _check_year(year_dir: Path, record: dict, renderer: _Renderer, selected: str | None,
                inputs: _Inputs) -> tuple[Finding, dict | None]:
    """The year's files, tables and (for the whole year) cohort report; also the report folders the
    cohort has, by name with their notebook parameters (None when the inputs cannot be scored again).
    When one report is verified, the year's tables are still checked: its numbers come from them."""
    from evalbook.core.registry import get_scheme
    from evalbook.run.stale import facts_digests

    finding = Finding(YEAR_UNIT)
    malformed = _malformed(record)
    if malformed:
        finding.worse(TAMPERED, malformed)
        return finding, None

    def in_scope(name: str) -> bool:
        return "/" not in name or selected is None or name.split("/", 1)[0] in (selected, ARCHIVE)

    redo = _check_records(year_dir, record, finding, inputs, in_scope, today=True)
    covered = {p.name for p in year_dir.iterdir() if p.is_dir() and f"{p.name}/{MANIFEST}" in record["outputs"]}
    covered |= set(NOT_LISTED)  # i12: history/ and the sign-off are on no manifest (audit/revisions.py checks them)
    for name in unlisted(year_dir, set(record["outputs"]), covered):
        if in_scope(name):
            _unlisted_file(finding, year_dir, name, set(record["outputs"]))
    failed = "_cohort" in ((record.get("run") or {}).get("failures") or {})
    if failed:
        finding.worse(FAILED, "index.html: 年度报告在发布时生成失败 the cohort report failed when published")
    elif selected is None:
        _check_views(year_dir, record, finding, renderer)
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
        _reproduce_notebook(year_dir, year_dir, record["notebooks"][0], finding, source, year_dir / "validation.json")
    intake = inputs.validate(scheme.NAME, int(record["year"]), source)
    if intake.errors:
        finding.worse(DIFFERS, "重新校验未通过 the inputs no longer validate")
        return finding, None
    scores = scheme.score(intake)
    with tempfile.TemporaryDirectory(prefix="evalbook-verify-") as scratch:
        fresh = Path(scratch)
        # as batch.run writes it
        (fresh / "validation.json").write_text(json.dumps(intake.validation_record(), ensure_ascii=False, indent=1),
                                               encoding="utf-8")
        written = [*write_results(scheme, intake, scores, fresh), "validation.json"]
        for name in written:
            _compare_table(fresh / name, year_dir / name, name, finding)
        units = scheme.report_units(intake, scores)
        facts = facts_digests(scheme, intake, fresh, units)  # what each report must show (kept ones are held to it)
    expected = {folder: params for folder, _, params in units}
    return finding, {"units": expected, "data_dir": data_dir, "scheme": scheme.NAME, "year": record["year"],
                     "facts": facts}


def _compare_table(fresh: Path, published: Path, name: str, finding: Finding) -> None:
    if not published.is_file():
        finding.worse(TAMPERED, f"{name}: 缺失 missing")
        return
    if name.endswith(".xlsx"):  # it carries a creation time: compare what its cells hold
        difference = _workbook_difference(published, fresh)
        if difference:
            finding.worse(DIFFERS, f"{name}: 重新评分的结果不同 rescoring gives different cells{difference}")
    elif fresh.read_bytes() != published.read_bytes():
        detail = _csv_difference(fresh, published) if name.endswith(".csv") else ""
        finding.worse(DIFFERS, f"{name}: 重新评分的结果不同 rescoring gives different numbers{detail}")


def _check_expected(finding: Finding, name: str, expected: dict, year_dir: Path) -> None:
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


def _unlisted_file(finding: Finding, folder: Path, name: str, listed: set[str], prefix: str = "") -> None:
    """A file on no list is *tampered*, except the copy ``evalbook pdf`` printed of a listed page (``report.pdf``
    beside ``report.html``, ``index.pdf`` beside ``index.html``): that one is proven by printing the page again
    (``_Printer``), since it is printed after publication and so on no manifest."""
    page = name[: -len(".pdf")] + ".html"
    if PurePosixPath(name).name in PRINTED_COPIES and page in listed:
        finding.printed.append((prefix + name, folder / name, folder / page))
    else:
        finding.worse(TAMPERED, f"{prefix}{name}: 不在清单中 present but not in the manifest")


PRINTED_COPIES = {"report.pdf", "index.pdf"}  # what evalbook pdf writes beside a page (audit views are not printed)
_PDF_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:[0-9Z+\-']*\)")
_PDF_PRODUCER = re.compile(rb"/Producer \(([^)]*)\)")


class _Printer:
    """Proves ``evalbook pdf``'s copies: each page is printed again in Chromium and the two PDFs compared byte
    for byte but for their creation and modification times (Chromium's PDF is otherwise deterministic for the
    same page and Chromium). One browser, opened on first use, in the thread that verifies (Playwright's sync
    API keeps to one thread); without Chromium a printed copy is *printed copy not checked*, never passed."""

    def __init__(self, scratch: Path):
        self.scratch = Path(scratch)
        self._browser = None
        self._missing: str | None = None
        self._printed = 0

    def check(self, finding: Finding) -> None:
        for name, pdf, page in finding.printed:
            if finding.status not in (IDENTICAL, CODE):
                finding.worse(UNCHECKED, f"{name}: 其页面未通过核验，打印件无从证明 its page did not verify, so its "
                                         "printed copy proves nothing")
                continue
            browser = self._open()
            if browser is None:
                finding.worse(UNCHECKED, f"{name}: {self._missing}")
                continue
            self._printed += 1
            fresh = self.scratch / f"printed-{self._printed}.pdf"
            problems = browser.print_pdf(page, fresh).problems
            if problems or not fresh.is_file():
                finding.worse(UNCHECKED, f"{name}: 页面无法重新打印 the page cannot be printed again: {'; '.join(problems)}")
                continue
            published, again = pdf.read_bytes(), fresh.read_bytes()
            if _PDF_DATES.sub(b"", published) != _PDF_DATES.sub(b"", again):
                finding.worse(DIFFERS, f"{name}: 与其页面 {PurePosixPath(name).with_suffix('.html').name} 重新打印的结果不同 "
                                       f"differs from a fresh print of its page{_producers(published, again)}")

    def _open(self):
        if self._browser is None and self._missing is None:
            from evalbook.core.extras import MissingExtra
            from evalbook.output.browser import Browser, BrowserMissing

            try:
                self._browser = Browser().__enter__()
            except (BrowserMissing, MissingExtra) as exc:
                self._missing = f"无法核验打印件 the printed copy cannot be checked: {exc}"
        return self._browser

    def close(self) -> None:
        if self._browser is not None:
            self._browser.__exit__(None, None, None)
            self._browser = None


def _producers(published: bytes, again: bytes) -> str:
    """When the two PDFs name different producers, say so: another Chromium prints other bytes."""
    first, second = _PDF_PRODUCER.search(published), _PDF_PRODUCER.search(again)
    if first and second and first.group(1) != second.group(1):
        return (f"（由另一版本的 Chromium 打印 printed by another Chromium: {first.group(1).decode(errors='replace')} → "
                f"{second.group(1).decode(errors='replace')}；用 evalbook pdf 重新打印 print again with evalbook pdf）")
    return ""


# --- one report folder ------------------------------------------------------------------------

def _check_unit(year_dir: Path, name: str, year_record: dict, renderer: _Renderer, inputs: _Inputs) -> Finding:
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
        record = _manifest(folder)
    except InputError:
        finding.worse(TAMPERED, f"{name}/{MANIFEST}: 无法读取 cannot be read")
        return finding
    malformed = _malformed(record)
    if malformed:
        finding.worse(TAMPERED, malformed)
        return finding
    redo = _check_records(folder, record, finding, inputs)
    for extra in unlisted(folder, set(record["outputs"])):
        _unlisted_file(finding, folder, extra, set(record["outputs"]), prefix=f"{name}/")
    year_ok = not _malformed(year_record)
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
    _check_views(folder, record, finding, renderer)
    if redo:
        if not inputs.archived:
            data, validation = (folder / record["notebooks"][0]["parameters"]["data_dir"]).resolve(), None
        else:
            data = inputs.data_dir(record["scheme"], record)
            validation = None if same_inputs else inputs.validation(record["scheme"], int(record["year"]), record)
        _reproduce_notebook(year_dir, folder, record["notebooks"][0], finding, data,
                            validation or year_dir / "validation.json")
    return finding


def _run_like(params: dict, folder: Path, year_record: dict, year_dir: Path) -> bool:
    """A report's parameters have what ``run`` gives every report: the year's data folder, the year's
    ``validation.json``, output in the folder itself."""
    if _malformed(year_record):
        return False
    year_data = (year_dir / year_record["notebooks"][0]["parameters"]["data_dir"]).resolve()
    return (params.get("validation") == "../validation.json" and params.get("output_dir") == "."
            and (folder / params["data_dir"]).resolve() == year_data)


def _inputs_of(record: dict, folder: Path, extras: bool = True) -> list:
    """(label, sha256, where) of a manifest's inputs, and its ``data_files`` when both manifests compared have them."""
    entries = archive.recorded(record) if extras else record["inputs"]
    return sorted((e["file"], e["sha256"], str((folder / e["path"]).resolve())) for e in entries)


# --- the archived inputs -----------------------------------------------------------------------

class _Inputs:
    """Where the recorded input files are read from to redo the work: the year's archive (``inputs/``),
    laid out as a data folder in a scratch folder, one per distinct set of files; a year published before
    the archive has none, and today's data folder is used as before."""

    def __init__(self, year_dir: Path, year_record, scratch: Path) -> None:
        outputs = year_record.get("outputs") if isinstance(year_record, dict) else None
        self.year_dir, self.scratch = year_dir, scratch
        self.listed = {n for n in (outputs if isinstance(outputs, dict) else {}) if str(n).startswith(f"{ARCHIVE}/")}
        self.year_extras = [] if _malformed(year_record) else list(year_record.get(archive.DATA_FILES) or [])
        self._lock = threading.RLock()
        self._folders: dict[tuple, Path] = {}
        self._validations: dict[tuple, Path] = {}

    @property
    def archived(self) -> bool:
        return bool(self.listed)

    def files(self, record: dict) -> list[dict]:
        """The files to lay out for a record: its inputs and ``data_files``; for a manifest written before
        ``data_files`` were recorded, the year's (``DEMO.md``: a kept report's ``report_facts`` cover it)."""
        if archive.DATA_FILES in record or not self.archived:
            return archive.recorded(record)
        return [*record["inputs"], *self.year_extras]

    def check(self, record: dict, folder: Path, finding: Finding, today: bool) -> bool:
        """Each file the record names, in the archive with its hash (else *tampered*), or, with no archive,
        in today's data folder with its hash (else *inputs changed*). True when all are there."""
        ok = True
        for entry in self.files(record):
            label, sha = entry["file"], entry["sha256"]
            source = (folder / entry["path"]).resolve()
            if not self.archived:
                if not source.is_file() or sha256_file(source) != sha:
                    finding.worse(CHANGED, f"{label}: 自发布后已改变或缺失 changed or missing since publication")
                    ok = False
                continue
            if not _safe_name(label) or not re.fullmatch(r"[0-9a-f]{64}", sha):
                finding.worse(TAMPERED, f"{MANIFEST} inputs: 不是输入文件的名称与 sha256 not an input's name and "
                              f"sha256: {label!r} {sha!r}")
                ok = False
                continue
            name = archive.archive_name(label, sha)
            stored = self.year_dir / name
            if name not in self.listed:
                finding.worse(TAMPERED, f"{name}（{label}）: 不在年度清单的输入存档中 not in the year's archive of inputs")
                ok = False
            elif stored.is_symlink() or not stored.is_file() or sha256_file(stored) != sha:
                finding.worse(TAMPERED, f"{name}（{label}）: 存档的输入缺失或被改动 the archived input is missing or altered")
                ok = False
            elif today and (not source.is_file() or sha256_file(source) != sha):
                finding.note(f"今日数据与发布时不同 today's data differ from the published inputs: {label}")
        return ok

    def data_dir(self, scheme_name: str, record: dict) -> Path:
        """A data folder holding the record's archived files (checked by ``check`` first)."""
        key = self._key(record)
        with self._lock:
            if key not in self._folders:
                folder = self.scratch / f"set{len(self._folders)}" / "data"
                archive.lay_out(self.year_dir, scheme_name, self.files(record), folder)
                self._folders[key] = folder
            return self._folders[key]

    def validation(self, scheme_name: str, year: int, record: dict) -> Path:
        """The validation record of a report built from other inputs than the year's (kept by ``--only``): its
        archived inputs validated again, as the run that built it did."""
        key = self._key(record)
        with self._lock:
            if key not in self._validations:
                data = self.data_dir(scheme_name, record)
                intake = self.validate(scheme_name, year, data)
                path = data.parent / "validation.json"
                path.write_text(json.dumps(intake.validation_record(), ensure_ascii=False, indent=1), encoding="utf-8")
                self._validations[key] = path
            return self._validations[key]

    def validate(self, scheme_name: str, year: int, data: Path):
        """Validate a data folder: one validation at a time (Great Expectations is not shared between threads)."""
        from evalbook.run.batch import validate_year

        with self._lock:
            return validate_year(scheme_name, year, data)

    def _key(self, record: dict) -> tuple:
        return tuple(sorted((e["file"], e["sha256"]) for e in self.files(record)))


# --- pages ------------------------------------------------------------------------------------

class _Renderer:
    """One HTML exporter for the whole verification (building it is the costly part), used by one
    thread at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._renderer = None

    def views(self, notebook: Path, cohort: bool, title: str, footer: str, revision: int | None = None) -> dict[str, str]:
        from evalbook.output.render import HtmlRenderer

        with self._lock:
            if self._renderer is None:
                self._renderer = HtmlRenderer()
            return self._renderer.views(notebook, cohort=cohort, title=title, footer=footer, revision=revision)


def _check_views(folder: Path, record: dict, finding: Finding, renderer: _Renderer) -> None:
    """Each HTML page against a fresh render of the executed notebook it came from."""
    from evalbook.core.registry import SCHEMES, get_scheme
    from evalbook.output.render import page_footer, page_title

    if record["scheme"] not in SCHEMES:
        return
    executed = folder / record["notebooks"][0]["executed"]
    footer = page_footer({e["file"]: e["sha256"] for e in record["inputs"]}, record["rubric"]["version"],
                         record["rubric"]["sha256"], str(record["versions"].get("python")))
    title = page_title(record.get("year"), get_scheme(record["scheme"]).TITLE)
    try:
        views = renderer.views(executed, cohort="run" in record, title=title, footer=footer,
                               revision=_revision_number(record))  # i12
    except Exception as exc:  # a hostile or broken notebook file: say so, do not crash  # noqa: BLE001
        finding.worse(DIFFERS, f"{executed.name}: 无法读取或生成页面 cannot be read or rendered ({type(exc).__name__})")
        return
    for name, html in views.items():
        page = folder / name
        if not page.is_file():
            finding.worse(TAMPERED, f"{name}: 缺失 missing")
            continue
        published = page.read_bytes().decode("utf-8", errors="replace")
        if published != html:
            finding.worse(DIFFERS, f"{name}: 与 {executed.name} 重新生成的页面不同 differs from a fresh render of "
                          f"{executed.name}{_text_difference(published, html)}")


def _revision_number(record: dict) -> int | None:
    """i12: the revision a page was built for, as its manifest records it (None before revisions)."""
    revision = record.get("revision")
    number = revision.get("number") if isinstance(revision, dict) else None
    return number if isinstance(number, int) and not isinstance(number, bool) and number > 0 else None


def _text_difference(published: str, fresh: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(published, fresh, strict=False)) if a != b),
              min(len(published), len(fresh)))
    start = max(0, at - 24)
    return f"（发布 published {published[start:at + 24]!r} → 重新生成 rendered {fresh[start:at + 24]!r}）"


# --- notebooks --------------------------------------------------------------------------------

def _reproduce_notebook(year_dir: Path, folder: Path, notebook: dict, finding: Finding, data: Path,
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
            for detail in _differences(old, new):
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
    shutil.copy2(validation, os.path.normpath(unit / params.get("validation", "../validation.json")))
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


def _differences(old, new, where: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new)):
            out += _differences(old.get(key), new.get(key), f"{where}.{key}" if where else key)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [d for i, (a, b) in enumerate(zip(old, new, strict=True)) for d in _differences(a, b, f"{where}[{i}]")]
    return [] if old == new else [f"{where}: 发布值 published {old!r} → 重算 recomputed {new!r}"]


# --- tables -----------------------------------------------------------------------------------

def _csv_difference(new: Path, old: Path) -> str:
    import csv

    with open(old, encoding="utf-8", errors="replace", newline="") as a, open(new, encoding="utf-8", newline="") as b:
        rows_old, rows_new = list(csv.reader(a)), list(csv.reader(b))
    header = rows_old[0] if rows_old else []
    for n, (x, y) in enumerate(zip(rows_old, rows_new, strict=False)):
        for column, (u, v) in enumerate(zip(x, y, strict=False)):
            if u != v:
                name = header[column] if column < len(header) else column
                return f"（第{n + 1}行 row {n + 1}，列 {name}：发布 {u!r} → 重算 {v!r}）"
    return f"（行数 rows {len(rows_old)} → {len(rows_new)}）"


def _workbook_difference(published: Path, fresh: Path) -> str | None:
    """The first cell whose value or number format differs, as ``（sheet!A1：发布 … → 重算 …）``."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        old = load_workbook(published, read_only=True)
    except Exception as exc:  # noqa: BLE001 - a forged file that is no workbook at all
        return f"（无法读取 cannot be read: {type(exc).__name__}）"
    new = load_workbook(fresh, read_only=True)
    try:
        if old.sheetnames != new.sheetnames:
            return f"（工作表 sheets {old.sheetnames} → {new.sheetnames}）"
        for sheet in new.sheetnames:
            for r, (a, b) in enumerate(zip_longest(old[sheet].iter_rows(), new[sheet].iter_rows(), fillvalue=()), 1):
                for c, (u, v) in enumerate(zip_longest(a, b, fillvalue=None), 1):
                    shown = [(getattr(x, "value", None), getattr(x, "number_format", "General")) for x in (u, v)]
                    if shown[0] != shown[1]:
                        return (f"（{sheet}!{get_column_letter(c)}{r}：发布 published {shown[0][0]!r} "
                                f"[{shown[0][1]}] → 重算 recomputed {shown[1][0]!r} [{shown[1][1]}]）")
    finally:
        old.close()
        new.close()
    return None
