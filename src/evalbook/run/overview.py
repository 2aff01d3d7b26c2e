"""``evalbook run --all``: every scheme and year found in ``data/``, and ``reports/index.html``."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from evalbook.core.errors import InputError, print_problems
from evalbook.core.files import YearBusy
from evalbook.core.registry import SCHEMES, get_scheme
from evalbook.output.html import esc
from evalbook.output.pages import page
from evalbook.run.archive import ARCHIVE
from evalbook.run.listing import HISTORY, SNAPSHOT


def scheme_years(data: Path) -> list[tuple[str, int]]:
    """(scheme, year) for each ``data/<scheme>/<YYYY>/`` folder of a known scheme, in order."""
    found = []
    for name in SCHEMES:
        folder = Path(data) / name
        if folder.is_dir():
            found += [(name, int(p.name)) for p in sorted(folder.iterdir()) if p.is_dir() and re.fullmatch(r"\d{4}", p.name)]
    return found


def run_all(data: Path, out: Path, options, run_one: Callable) -> int:
    """Run each scheme-year (one failing does not stop the others), then write the index."""
    found = scheme_years(data)
    if not found:
        print(f"{data} 中没有找到任何方案的年度数据（应为 data/<方案>/<年度>/）。"
              f"No scheme-year folders found under {data} (expected data/<scheme>/<year>/).", file=sys.stderr)
        return 1
    rows, worst = [], 0
    for scheme, year in found:
        print(f"== {scheme} {year} ==")
        started = time.perf_counter()
        busy = False
        try:
            code, report = run_one(scheme, year, data, out, None, options)
        except InputError as exc:
            print_problems(exc.problems)
            code, report, busy = 1, None, isinstance(exc, YearBusy)
        worst = max(worst, code)
        rows.append({"scheme": scheme, "year": year, "code": code, "seconds": time.perf_counter() - started, "busy": busy,
                     "built": len(report.built) if report else 0, "resumed": len(report.resumed) if report else 0,
                     "failures": len(report.failures) if report else 0, "published": report is not None})
    write_index(Path(out), rows)
    print(f"总览 overview: {Path(out) / 'index.html'}")
    return worst


def write_index(out: Path, rows: list[dict]) -> Path:
    """reports/index.html: a row per scheme-year published under ``out`` (this run's status where it ran)."""
    ran = {(r["scheme"], r["year"]): r for r in rows}
    lines = []
    for name in SCHEMES:
        folder = out / name
        years = sorted({int(p.name) for p in folder.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)}
                       | {y for s, y in ran if s == name}) if folder.is_dir() or any(s == name for s, _ in ran) else []
        for year in years:
            lines.append(_row(out, name, year, ran.get((name, year))))
    body = ("<p>本页列出输出文件夹中已发布的每个考评方案与年度。点击年度打开该年度的总览报告。</p>\n"
            "<table class=\"eb\"><thead><tr><th>考评方案 scheme</th><th>年度 year</th><th>本次运行 this run</th>"
            "<th>报告数 reports</th><th>生成于 built</th></tr></thead><tbody>\n" + "\n".join(lines) + "\n</tbody></table>")
    html = page("考评报告总览 Evaluation reports", body, datetime.now().strftime("%Y-%m-%d %H:%M"))
    target = out / "index.html"
    out.mkdir(parents=True, exist_ok=True)
    temporary = out / f".index.html.{os.getpid()}"
    temporary.write_text(html, encoding="utf-8")
    os.replace(temporary, target)
    return target


def _row(out: Path, scheme: str, year: int, status: dict | None) -> str:
    title = get_scheme(scheme).TITLE
    manifest = out / scheme / str(year) / "manifest.json"
    published = manifest.is_file()
    record = json.loads(manifest.read_text(encoding="utf-8")) if published else {}
    not_reports = (ARCHIVE, HISTORY, SNAPSHOT)
    units = sum(1 for p in (out / scheme / str(year)).iterdir() if p.is_dir() and p.name not in not_reports) if published else 0
    built = record.get("times", {}).get("finished_utc", "—")
    if status is None:
        state = "未运行 not run"
    elif status.get("busy"):
        state = "<span class=\"badge\">另一运行正在进行，本次未运行 another run is in progress, not run</span>"
    elif not status["published"]:
        state = "<span class=\"badge\">数据有误，未发布 invalid data, not published</span>"
    elif status["failures"]:
        state = f"<span class=\"badge\">{status['failures']}份失败 failed</span>"
    else:
        state = f"完成 done（{status['built']}份生成，{status['resumed']}份保留，{status['seconds']:.0f}秒）"
    link = (f"<a href=\"{esc(scheme)}/{year}/index.html\">{year}</a>" if published else str(year))
    return (f"<tr><td>{esc(title)}<br><small>{esc(scheme)}</small></td><td>{link}</td><td>{state}</td>"
            f"<td>{units}</td><td>{esc(built)}</td></tr>")
