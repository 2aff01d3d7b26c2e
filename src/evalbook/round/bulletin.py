"""``evalbook pdf OUT/SCHEME/YEAR --bulletin``: the year's 通报, one bound PDF for the committee (``通报.pdf``).

Built only from the published files of the year folder, never by scoring again: ``manifest.json`` (year,
revision, date), the scheme's published tables (``REPORT_TABLES``, read as text and laid out by the scheme's
``bulletin_tables``), the ``评分口径`` sheet of ``results.xlsx`` (exactly what was in force), ``sensitivity.csv``
when the publication has one (which awards or passes another reading of the rules would change) and
``signatures.json`` (only signatures on the current manifest count). A ``sensitivity.csv`` on no manifest is not
published: refused. Refused for a folder that is not a current
publication, an earlier revision in ``history/``, or a publication whose files no longer match its manifests.

The page is built in a scratch folder and printed by Chromium (``output.browser``); only the PDF is kept. It is
printed after publication, so it is on no manifest: ``verify`` builds the page again from the same files, prints
it and compares the two PDFs but for their time stamps (``audit/printing.py``), as it does for ``report.pdf``.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from pathlib import Path

from evalbook.core.errors import InputError, Problem
from evalbook.core.files import RunLock
from evalbook.core.registry import get_scheme
from evalbook.output.bulletin import BULLETIN_FOOTER, BULLETIN_HEADER, Bulletin, bulletin_html
from evalbook.round import signatures

BULLETIN_PDF = "通报.pdf"  # the name verify knows it by (audit/printing.py)
RESULTS_XLSX, POLICY_SHEET = "results.xlsx", "评分口径"
SENSITIVITY = "sensitivity.csv"
SENSITIVITY_COLUMNS = ["scenario", "code", "name", "total", "rank", "award", "prize_wan", "passed"]
DEFAULT = "default"  # the scenario of sensitivity.csv that is the publication's own reading
PRINTING = (("历史版本只读，不再打印通报；请打印当前版本 OUT/方案/年度",
             "an earlier revision in history/ is read-only: no 通报 is printed of it; print the current one"),
            ("文件与清单不符，拒绝打印通报；请先运行 evalbook verify",
             "the file does not match its manifest: no 通报 printed; run evalbook verify"))


def print_bulletin(year_dir: Path, log: Callable[[str], None] = print) -> Path:
    """Print the 通报 of the current publication at ``year_dir`` to ``通报.pdf`` in it (whole or not at all, under
    the year's run lock); ``InputError`` when refused or when Chromium finds the page faulty. Returns the PDF."""
    from evalbook.output.browser import Browser

    year_dir = Path(year_dir).resolve()
    signatures.current_publication(year_dir, PRINTING)
    target = year_dir / BULLETIN_PDF
    with RunLock(year_dir):
        signatures.refuse_tampered(year_dir, PRINTING)
        with tempfile.TemporaryDirectory(prefix="evalbook-bulletin-") as scratch, Browser() as browser:
            problems = print_to(browser, year_dir, target, Path(scratch))
    if problems:
        raise InputError([Problem(str(target), "通报页面未通过浏览器检查，未打印", "the 通报 page failed the browser's checks: "
                                  "not printed", value=problem) for problem in problems])
    log(f"  ✓ {target}")
    return target


def print_to(browser, year_dir: Path, target: Path, scratch: Path) -> list[str]:
    """Build the 通报 page of ``year_dir`` in ``scratch`` and print it with ``browser`` to ``target``; the page's
    problems (none: printed). The one way the 通报 is printed, by ``evalbook pdf`` and again by ``verify``."""
    page = Path(scratch) / "通报.html"
    page.write_text(bulletin_html(read_bulletin(year_dir)), encoding="utf-8")
    return browser.print_pdf(page, target, header=BULLETIN_HEADER, footer=BULLETIN_FOOTER).problems


def read_bulletin(year_dir: Path) -> Bulletin:
    """What the 通报 of the publication at ``year_dir`` shows, from its published files."""
    year_dir = Path(year_dir)
    record = signatures.manifest_record(year_dir)
    scheme = get_scheme(record["scheme"])
    year = record["year"]
    tables = {name: _rows(year_dir / name) for name in scheme.REPORT_TABLES}
    policy = _policy(year_dir / RESULTS_XLSX)
    rubric = record.get("rubric") or {}
    source = next((text for item, text in policy if item == "评分规则版本"),
                  f"{rubric.get('path', '')} {rubric.get('version', '')}")
    revision = (record.get("revision") or {}).get("number", 1)
    published = (record.get("times") or {}).get("finished_utc", "")
    current = signatures.manifest_sha256(year_dir)
    about = [("考评方案", f"{scheme.TITLE}（{scheme.NAME}）"), ("考评年度", str(year)), ("评分规则与依据", source),
             ("发布版本", f"第 {revision} 版，发布于 {published}（UTC）"), ("本版清单 manifest.json sha256", current)]
    sensitivity = year_dir / SENSITIVITY
    if sensitivity.exists() and SENSITIVITY not in (record.get("outputs") or {}):
        raise InputError(Problem(str(sensitivity), "不在本次发布的清单中，不是发布的文件，通报不采用（请先运行 evalbook verify）",
                                 "not on the publication's manifest, so not a published file: the 通报 does not use it "
                                 "(run evalbook verify)", column="outputs", value=SENSITIVITY))
    scenarios, changed = stability(sensitivity)
    signed = [(entry, entry["manifest_sha256"] == current) for entry in signatures.read(year_dir)]
    title = f"{year}年度{_rubric_title(source, rubric.get('version'), scheme.TITLE)}结果通报"
    return Bulletin(title=title, about=about, tables=scheme.bulletin_tables(tables),
                    policy=policy, scenarios=scenarios, changed=changed, signatures=signed)


def _rubric_title(source: str, version, fallback: str) -> str:
    """The rubric's own title, as the 评分口径 names it ("<title> <version>（<source>）"), e.g. 文登区特色医疗工作综合考评;
    else the scheme's ``TITLE``."""
    mark = f" {version}（"
    return source.split(mark, 1)[0] if version and mark in source and source.split(mark, 1)[0].strip() else fallback


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _policy(path: Path) -> list[tuple[str, str]]:
    """The 评分口径 sheet of ``results.xlsx``: (项目, 口径) below its header, as stored."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        if POLICY_SHEET not in book.sheetnames:
            raise InputError(Problem(str(path), f"缺少“{POLICY_SHEET}”工作表", f"the sheet {POLICY_SHEET} is missing",
                                     column=POLICY_SHEET))
        rows = list(book[POLICY_SHEET].iter_rows(values_only=True))[1:]
    finally:
        book.close()
    return [tuple("" if cell is None else str(cell) for cell in (*row, "", "")[:2]) for row in rows if any(row)]


def _outcome(row: dict) -> str:
    """An award and pass as the committee reads them: 一等奖, 无奖项, 合格、推荐, 不合格 …"""
    parts = [row["award"] or "无奖项"]
    if row["passed"].strip():
        parts.insert(0, "合格" if row["passed"].strip() in ("1", "True", "true") else "不合格")
        if not row["award"]:
            parts.pop()
    return "、".join(parts)


def stability(path: Path) -> tuple[list[str] | None, list[tuple[str, str, str, str]]]:
    """From ``sensitivity.csv``: the readings compared with ``default`` (None when the file is absent), and every
    unit whose award or pass differs from ``default`` under some reading: (code, name, as published, each reading
    that changes it with the outcome under it). Units are matched by code and name (and their order among equals)."""
    if not path.is_file():
        return None, []
    rows = _rows(path)
    with open(path, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle), [])
    if header != SENSITIVITY_COLUMNS:
        raise InputError(Problem(str(path), f"表头应为 {','.join(SENSITIVITY_COLUMNS)}",
                                 f"the header must be {','.join(SENSITIVITY_COLUMNS)}", row=1, value=",".join(header)))
    by_scenario: dict[str, dict[tuple, dict]] = {}
    for row in rows:
        units = by_scenario.setdefault(row["scenario"], {})
        key = (row["code"], row["name"])
        n = sum(1 for k in units if k[:2] == key)
        units[(*key, n)] = row
    if DEFAULT not in by_scenario:
        raise InputError(Problem(str(path), f"缺少 {DEFAULT} 口径（本次发布的结果）的行",
                                 f"no rows of the scenario {DEFAULT} (the publication's own reading)", column="scenario"))
    default = by_scenario.pop(DEFAULT)
    changed = []
    for key, row in default.items():
        moves = []
        for scenario, units in by_scenario.items():
            other = units.get(key)
            if other is None:
                moves.append(f"{scenario}：不在该口径的结果中")
            elif (other["award"], other["passed"].strip()) != (row["award"], row["passed"].strip()):
                moves.append(f"{scenario}：{_outcome(other)}")
        if moves:
            changed.append((row["code"], row["name"], _outcome(row), "；".join(moves)))
    return list(by_scenario), changed
