"""Small self-contained HTML pages that are not notebooks: a report that failed, the runs index."""

from __future__ import annotations

from evalbook.output.html import esc
from evalbook.output.render import TEMPLATES

CSS = TEMPLATES / "evalbook" / "report.css"


def page(title: str, body: str, footer: str = "") -> str:
    """A page in the reports' own style: inline CSS, no script, no external URL."""
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n"
            f"<meta name=\"generator\" content=\"evalbook\">\n<title>{esc(title)}</title>\n"
            f"<style>\n{CSS.read_text(encoding='utf-8')}\n</style>\n</head>\n<body class=\"report\">\n<main>\n"
            f"<h1>{esc(title)}</h1>\n{body}\n<footer>由 evalbook 生成 · {esc(footer)}</footer>\n</main>\n</body>\n</html>\n")


def failure_page(title: str, unit: str, error: str, attempts: int, footer: str = "") -> str:
    body = (f"<p class=\"warn\">本报告生成失败（共尝试{attempts}次），以下为错误信息。其他报告不受影响；"
            "修正后用 <code>evalbook run … --resume</code> 只重建失败的报告。</p>\n"
            f"<p>This report failed after {attempts} attempt(s). The other reports were built; fix the cause and "
            "rerun with <code>--resume</code> to rebuild only the failed ones.</p>\n"
            f"<table><tr><th>报告 report</th><td>{esc(unit)}</td></tr>"
            f"<tr><th>错误 error</th><td><pre>{esc(error)}</pre></td></tr></table>")
    return page(title, body, footer)
