"""The reports in a real browser: Debian's headless Chromium, driven by Playwright, fully offline.

``Browser.check`` opens a local page and records what an evaluator's browser would do with it:
console errors and warnings, script errors, dialogs, every request that would leave the file
(blocked, and recorded), and which platform font drew the Chinese text. ``Browser.print_pdf``
prints a page that passes those checks to an A4 PDF with the reports' print CSS.

Chromium is the system's (``apt-get install chromium fonts-noto-cjk``, or ``make browser``); no
browser is ever downloaded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from evalbook.core.errors import InputError, Problem
from evalbook.core.extras import require

CHROMIUM = Path(os.environ.get("EVALBOOK_CHROMIUM") or "/usr/bin/chromium")
# As root, offline: no sandbox (root cannot have one), no GPU, and none of Chromium's own traffic
# (updates, sync, QUIC probes) so the only requests are the page's.
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
# The Chinese families of report.css's font stack: the ideographs must be drawn by one of them,
# not by a Latin fallback font (which draws empty boxes, "tofu").
CJK_FAMILIES = ("Noto Sans CJK", "Noto Serif CJK", "Source Han Sans", "Source Han Serif", "PingFang",
                "Microsoft YaHei", "WenQuanYi")
IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
INSTALL_ZH = "请运行 make browser（以 root 身份，即 apt-get install -y chromium fonts-noto-cjk）"
INSTALL_EN = "run `make browser` (as root: apt-get install -y chromium fonts-noto-cjk)"
# Marks up to a few elements whose own text holds ideographs, so their fonts can be asked for.
_MARK_CJK = """(limit) => {
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.data).join('');
    if (/[\\u3400-\\u4dbf\\u4e00-\\u9fff]/.test(own) && el.getClientRects().length) {
      el.setAttribute('data-evalbook-cjk', String(found.length));
      found.push(own);
      if (found.length >= limit) break;
    }
  }
  return found;
}"""
PDF_FOOTER = ('<div style="width:100%;font-size:8px;color:#5b6874;text-align:center;">'
              '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


class BrowserMissing(RuntimeError):
    """Raised when Chromium is not installed; the message says how to install it. (Without Playwright,
    the ``evalbook[pdf]`` extra, ``Browser`` raises ``extras.MissingExtra`` first.)"""

    def __init__(self, executable: Path, detail: str = ""):
        self.executable = executable
        super().__init__(f"未找到 Chromium 浏览器（{executable}）{detail}：{INSTALL_ZH}。\n"
                         f"Chromium not found at {executable}{detail}: {INSTALL_EN}.")


@dataclass
class PageCheck:
    """What a page did in Chromium. Every entry of ``problems`` is a reason to reject the page."""

    path: Path
    console_errors: list[str] = field(default_factory=list)
    console_warnings: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    cjk_texts: list[str] = field(default_factory=list)   # the checked texts with ideographs
    cjk_fonts: dict[str, int] = field(default_factory=dict)   # platform font family → glyphs drawn in them
    cjk_not_drawn: list[str] = field(default_factory=list)    # texts whose ideographs no CJK font drew

    @property
    def problems(self) -> list[str]:
        found = [f"控制台错误 console error: {m}" for m in self.console_errors]
        found += [f"脚本错误 page error: {m}" for m in self.page_errors]
        found += [f"对外请求（已拦截）request leaving the file (blocked): {u}" for u in self.outside_requests]
        found += [f"弹出对话框 dialog opened: {m}" for m in self.dialogs]
        if self.cjk_not_drawn:
            found.append(f"汉字未用中文字体显示（用了 {', '.join(self.cjk_fonts)}）：{INSTALL_ZH}。"
                         f"Chinese not drawn with a CJK font in {len(self.cjk_not_drawn)} of {len(self.cjk_texts)} "
                         f"texts checked (e.g. {self.cjk_not_drawn[0][:30]!r}): {INSTALL_EN}.")
        return found


class Browser:
    """One headless Chromium for many pages; each page opens in a fresh context (nothing shared).

    Use as a context manager, one per thread (Playwright's sync API). Raises ``MissingExtra`` on entry
    when Playwright is not installed, ``BrowserMissing`` when Chromium is not.
    """

    def __init__(self, executable: Path | None = None, timeout_s: float = 60):
        self.executable = Path(executable or CHROMIUM)
        self.timeout_ms = timeout_s * 1000
        self._playwright = self._browser = None

    def __enter__(self) -> Browser:
        sync_api = require("pdf", "playwright.sync_api")  # MissingExtra: pip install 'evalbook[pdf]'
        if not os.access(self.executable, os.X_OK):
            raise BrowserMissing(self.executable)
        self._playwright = sync_api.sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(executable_path=str(self.executable),
                                                             args=LAUNCH_ARGS, headless=True, timeout=self.timeout_ms)
        except Exception:
            self._playwright.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self._browser = self._playwright = None

    def check(self, html: Path, screenshot: Path | None = None) -> PageCheck:
        """Open ``html``, record what it does, check its Chinese font; save a full-page PNG if asked."""
        with self._open(html) as (page, check):
            if screenshot is not None:
                Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
            _check_cjk_fonts(page, check)
        return check

    def print_pdf(self, html: Path, target: Path, header: str = "<span></span>", footer: str = PDF_FOOTER) -> PageCheck:
        """Print ``html`` to an A4 PDF at ``target`` if it passes ``check``; written whole or not at all. ``header`` and
        ``footer`` are Chromium's templates for each page's margins (default: the page number, N / M)."""
        target = Path(target)
        with self._open(html) as (page, check):
            _check_cjk_fonts(page, check)
            if check.problems:
                return check
            temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            try:
                page.pdf(path=str(temporary), format="A4", print_background=True, prefer_css_page_size=True,
                         display_header_footer=True, header_template=header, footer_template=footer)
                if not check.problems:  # print-only CSS could still have asked for something outside
                    os.replace(temporary, target)
            finally:
                temporary.unlink(missing_ok=True)
        return check

    @contextmanager
    def _open(self, html: Path) -> Iterator[tuple[object, PageCheck]]:
        path = Path(html).resolve()
        if not path.is_file():
            raise FileNotFoundError(2, "No such file", str(path))
        check = PageCheck(path)
        context = self._browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block",
                                            locale="zh-CN")
        try:
            context.set_default_timeout(self.timeout_ms)
            context.route("**/*", lambda route: _route(route, check))
            page = context.new_page()
            page.on("console", lambda message: _console(message, check))
            page.on("pageerror", lambda error: check.page_errors.append(str(error)))
            page.on("request", lambda request: _outside(request.url, check))
            page.on("websocket", lambda socket: _outside(socket.url, check))
            page.on("dialog", lambda dialog: (check.dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
            page.goto(path.as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            yield page, check
        finally:
            context.close()


def _route(route, check: PageCheck) -> None:
    if route.request.url.startswith(LOCAL_SCHEMES):
        route.continue_()
    else:
        _outside(route.request.url, check)
        route.abort("blockedbyclient")


def _outside(url: str, check: PageCheck) -> None:
    if not url.startswith(LOCAL_SCHEMES) and url not in check.outside_requests:
        check.outside_requests.append(url)


def _console(message, check: PageCheck) -> None:
    if message.type == "error":
        check.console_errors.append(message.text)
    elif message.type == "warning":
        check.console_warnings.append(message.text)


def _check_cjk_fonts(page, check: PageCheck, limit: int = 6) -> None:
    """Ask Chromium (DevTools ``CSS.getPlatformFontsForNode``) which installed font drew each of the
    first ``limit`` texts with ideographs: a CJK family must have drawn at least as many glyphs as the
    text has ideographs. Without a CJK font Chromium falls back to e.g. DejaVu Sans, which fails this."""
    check.cjk_texts = page.evaluate(_MARK_CJK, limit)
    if not check.cjk_texts:
        return
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        for i, text in enumerate(check.cjk_texts):
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": f'[data-evalbook-cjk="{i}"]'})["nodeId"]
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            drawn = 0
            for font in fonts:
                check.cjk_fonts[font["familyName"]] = check.cjk_fonts.get(font["familyName"], 0) + font["glyphCount"]
                if font["familyName"].startswith(CJK_FAMILIES):
                    drawn += font["glyphCount"]
            if drawn < len(IDEOGRAPH.findall(text)):
                check.cjk_not_drawn.append(text)
    finally:
        cdp.detach()


# --- evalbook pdf -------------------------------------------------------------------------------

def pages_to_print(path: Path) -> list[Path]:
    """The HTML pages ``evalbook pdf PATH`` prints: an ``.html`` file itself; a report folder's
    ``report.html``; a published year folder's cohort report (``index.html``) and every
    ``<unit>/report.html``. Raises ``InputError`` when there is nothing to print there."""
    path = Path(path)
    if path.is_file() and path.suffix == ".html":
        return [path]
    if (path / "report.html").is_file():
        return [path / "report.html"]
    found = [path / "index.html"] if (path / "index.html").is_file() else []
    if path.is_dir():
        found += sorted(p / "report.html" for p in path.iterdir() if (p / "report.html").is_file())
    if not found:
        raise InputError(Problem(str(path),
                                 "应为已发布的年度文件夹（OUT/方案/年度）、报告文件夹或 .html 文件，其中没有可打印的报告",
                                 "expected a published year folder (OUT/SCHEME/YEAR), a report folder or an .html file; "
                                 "nothing to print there"))
    return found


def print_pdfs(pages: list[Path], log: Callable[[str], None] = print,
               executable: Path | None = None) -> dict[Path, list[str]]:
    """Print each page to ``<name>.pdf`` beside it. Every page is tried; returns the failed ones with
    their reasons (empty when all printed). Raises ``MissingExtra`` or ``BrowserMissing`` before printing anything."""
    failures: dict[Path, list[str]] = {}
    with Browser(executable) as browser:
        for html in pages:
            target = html.with_suffix(".pdf")
            try:
                problems = browser.print_pdf(html, target).problems
            except Exception as exc:  # a page that hangs or crashes the tab; the others still print
                problems = [f"{type(exc).__name__}: {exc}"]
            if problems:
                failures[html] = problems
                log(f"  ✗ {html}")
                for problem in problems:
                    log(f"      {problem}")
            else:
                log(f"  ✓ {target}")
    return failures
