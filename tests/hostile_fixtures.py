"""Hostile but valid cohorts of both schemes, and the checks that what we write keeps hostile text inert.

Every free-text field of every input file holds text that starts like a spreadsheet formula
(``= + - @``) and carries HTML or script; the cohorts still pass every rule, so ``run`` publishes
them. Used by the bad-input corpus (test_bad_inputs.py, test_bad_inputs_xlsx.py).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

from openpyxl import load_workbook

from evalbook.core.registry import get_scheme
from test_cli_e2e import build_cohort

REPO = Path(__file__).resolve().parents[1]
WENDENG, NAIMAN = "wendeng-featured", "naiman-specialty"
YEARS = {WENDENG: 2023, NAIMAN: 2025}
HTML_PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>')
FORMULA_PAYLOADS = ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)")
FORMULA_START = ("=", "+", "-", "@")
# Text columns that are not free text: a choice among the rubric's fields, catalog ids, and the survey's
# values (numbers as typed; only the `.detail` rows are free text, and they are made hostile).
NOT_FREE_TEXT = {(NAIMAN, "specialties.csv", "field"), (NAIMAN, "indicators.csv", "indicator"),
                 (NAIMAN, "targets.csv", "indicator"), (NAIMAN, "recheck.csv", "indicator")}
# The specialties kept in the small naiman cohort: two building (reports), two candidates (the index).
NAIMAN_UNITS = {("NMRM", "心血管内科"), ("NMRM", "神经内科"), ("NMRM", "肿瘤科"), ("NMMY", "脑病科")}


def free_text_columns(scheme: str) -> set[tuple[str, str]]:
    """(file, column) of every free-text column, from the scheme's column declarations."""
    return {(file, c.name) for file, columns in get_scheme(scheme).FILES.items() for c in columns
            if c.kind == "text" and (scheme, file, c.name) not in NOT_FREE_TEXT}


class Hostile:
    """Hands out hostile values (formula start + HTML + a readable tail) and remembers where each went."""

    def __init__(self):
        self.count = 0
        self.placed: dict[tuple[str, str], list[str]] = {}

    def value(self, tail: str) -> str:
        value = f"{FORMULA_PAYLOADS[self.count % 4]}{HTML_PAYLOADS[self.count % 3]}{tail}"
        self.count += 1
        return value

    def __call__(self, file: str, column: str, tail: str, value: str | None = None) -> str:
        value = value or self.value(tail)
        self.placed.setdefault((file, column), []).append(value)
        return value


def read_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict], header: list[str] | None = None) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header or list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _rewrite(path: Path, change) -> None:
    with open(path, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    rows = read_rows(path)
    for index, row in enumerate(rows):
        change(index, row)
    write_rows(path, rows, header)


def wendeng_cohort(data: Path) -> Hostile:
    """test_cli_e2e's five institutions, every free-text cell hostile (projects renamed alike in every file)."""
    build_cohort(data)
    base, hostile, projects = data / WENDENG, Hostile(), {}

    def project(file, old):  # the same project keeps the same (hostile) name in every file
        projects.setdefault(old, hostile.value(f"项目{len(projects)}"))
        return hostile(file, "project", "", projects[old])

    _rewrite(base / "institutions.csv", lambda i, r: r.update(name=hostile("institutions.csv", "name", f"机构{i}")))
    _rewrite(base / "2023/facts.csv", lambda i, r: None)  # no free text; rewritten for '\n' line ends, as ingest writes
    _rewrite(base / "2023/expert_scores.csv", lambda i, r: r.update(
        project=project("expert_scores.csv", r["project"]), expert=hostile("expert_scores.csv", "expert", f"专家{i}")))
    _rewrite(base / "2023/project_stats.csv", lambda i, r: r.update(project=project("project_stats.csv", r["project"])))
    registry(base, base / "2023/expert_scores.csv", hostile, ("D1", "D2"))
    _rewrite(base / "2023/judgments.csv", lambda i, r: r.update(reason=hostile("judgments.csv", "reason", "总结不够深入"),
                                                                evaluator=hostile("judgments.csv", "evaluator", "评审甲")))
    _rewrite(base / "2023/ledger.csv", lambda i, r: r.update(
        project=project("ledger.csv", r["project"]), work_done=hostile("ledger.csv", "work_done", "开展义诊"),
        difficulties=hostile("ledger.csv", "difficulties", "人手不足"), next_steps=hostile("ledger.csv", "next_steps", "继续")))
    return hostile


def naiman_cohort(data: Path) -> Hostile:
    """The naiman demo cut to NAIMAN_UNITS, every free-text cell hostile, and one recheck flagged 数据不实
    (a flagged recheck's note is shown in the report)."""
    base, hostile = data / NAIMAN, Hostile()
    shutil.copytree(REPO / "data" / NAIMAN, base)
    codes = {code for code, _ in NAIMAN_UNITS}
    _keep(base / "institutions.csv", lambda r: r["code"] in codes)
    for file in ("specialties", "indicators", "targets", "onsite", "recheck"):
        _keep(base / "2025" / f"{file}.csv", lambda r: (r["code"], r["specialty"]) in NAIMAN_UNITS)
    _rewrite(base / "institutions.csv", lambda i, r: r.update(name=hostile("institutions.csv", "name", f"医院{i}")))
    _rewrite(base / "2025/onsite.csv", lambda i, r: r.update(expert=hostile("onsite.csv", "expert", f"专家{i}")))
    registry(base, base / "2025/onsite.csv", hostile, ("NMRM", "NMMY"))
    _rewrite(base / "2025/recheck.csv", lambda i, r: r.update(note=hostile("recheck.csv", "note", "抽查病案"),
                                                              checked_value=str(float(r["checked_value"]) * 0.5)))
    _rewrite(base / "2025/indicators.csv", lambda i, r: r.update(value=hostile("indicators.csv", "value", "明细"))
             if r["indicator"].endswith(".detail") else None)
    return hostile


def registry(base: Path, scores: Path, hostile: Hostile, homes: tuple[str, str]) -> None:
    """The expert registry (experts.csv) of the hostile experts of ``scores``: each at the first of ``homes`` that is
    not the institution they scored (no 应回避), with a hostile name and post."""
    rows, seen = [], set()
    for i, r in enumerate(read_rows(scores)):
        if r["expert"] not in seen:
            seen.add(r["expert"])
            rows.append({"expert": hostile("experts.csv", "expert", "", r["expert"]),
                         "name": hostile("experts.csv", "name", f"姓名{i}"),
                         "institution": homes[0] if r["code"] != homes[0] else homes[1],
                         "title": hostile("experts.csv", "title", f"主任{i}")})
    write_rows(base / "experts.csv", rows, ["expert", "name", "institution", "title"])


def _keep(path: Path, wanted) -> None:
    with open(path, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    write_rows(path, [r for r in read_rows(path) if wanted(r)], header)


# --------------------------------------------------------------------------- the state of a folder

def tree_state(folder: Path) -> dict[str, str]:
    """Every file (sha256) and folder under ``folder``, hidden ones included: stray temp or staging
    files and folders show up as new entries."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(folder.rglob("*"))}


# --------------------------------------------------------------------------- HTML: hostile text is text

class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def _signatures_panel(attrs) -> bool:
    """The one frame our pages have: the sign-off panel, our own escaped page beside it (round/signatures.py),
    sandboxed (no script, no form, no navigation), named by a fixed relative path."""
    given = dict(attrs)
    return (set(given) == {"sandbox", "src", "title"} and not given["sandbox"]
            and given["src"] in ("signatures.html", "../signatures.html"))


def markup_problems(html: str) -> tuple[list[str], str]:
    """(what in ``html`` could run: script/img/iframe/object/embed tags, on* attributes, javascript: URLs;
    the page's text as a reader sees it)."""
    page = _Page()
    page.feed(html)
    page.close()
    bad = []
    for tag, attrs in page.tags:
        if tag == "iframe" and _signatures_panel(attrs):
            continue
        if tag in ("script", "img", "iframe", "object", "embed"):
            bad.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                bad.append(f"<{tag} {name}={value!r}>")
    return bad, "".join(page.text)


def notebook_html(path: Path) -> list[str]:
    """The text/html outputs of an executed notebook (what Jupyter renders)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(html) if isinstance(html, list) else html for cell in nb["cells"] for out in cell.get("outputs", [])
            for key, html in out.get("data", {}).items() if key == "text/html"]


# --------------------------------------------------------------------------- CSV and XLSX: formulas are text

def csv_formula_cells(path: Path) -> list[tuple[int, str]]:
    """(line, cell) of every cell a spreadsheet would take for a formula: starts with = + - @ and is not a number."""
    found = []
    with open(path, encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.reader(handle), start=1):
            for cell in row:
                if cell.startswith(FORMULA_START) and not _is_number(cell):
                    found.append((line, cell))
    return found


def csv_cells(path: Path) -> set[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {cell for row in csv.reader(handle) for cell in row}


def _is_number(text: str) -> bool:
    with contextlib.suppress(ValueError):
        float(text)
        return True
    return False


def xlsx_text_cells(path: Path) -> list[tuple[str, object]]:
    """((sheet!cell, data type, quote prefix), value) of every cell holding text that starts like a formula,
    and of every formula cell."""
    book = load_workbook(path)
    found = []
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_START)):
                    found.append(((f"{sheet.title}!{cell.coordinate}", cell.data_type, bool(cell.quotePrefix)), cell.value))
    book.close()
    return found
