"""The copies ``evalbook pdf`` printed of a page, and the year's 通报 (``evalbook pdf --bulletin``): on no manifest,
proven by printing again."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from evalbook.audit.findings import CODE, DIFFERS, IDENTICAL, TAMPERED, UNCHECKED, Finding
from evalbook.round.bulletin import BULLETIN_PDF


def unlisted_file(finding: Finding, folder: Path, name: str, listed: set[str], prefix: str = "",
                  year: bool = False) -> None:
    """A file on no list is *tampered*, except the copy ``evalbook pdf`` printed of a listed page (``report.pdf``
    beside ``report.html``, ``index.pdf`` beside ``index.html``) and, in the ``year`` folder itself, its 通报
    (``通报.pdf``): those are proven by printing again (``Printer``; the 通报 from the year's published files),
    since they are printed after publication and so on no manifest."""
    page = name[: -len(".pdf")] + ".html"
    if year and name == BULLETIN_PDF:
        finding.printed.append((prefix + name, folder / name, None))  # no page: the 通报 is built again
    elif PurePosixPath(name).name in PRINTED_COPIES and page in listed:
        finding.printed.append((prefix + name, folder / name, folder / page))
    else:
        finding.worse(TAMPERED, f"{prefix}{name}: 不在清单中 present but not in the manifest")


PRINTED_COPIES = {"report.pdf", "index.pdf"}  # what evalbook pdf writes beside a page (audit views are not printed)
_PDF_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:[0-9Z+\-']*\)")
_PDF_PRODUCER = re.compile(rb"/Producer \(([^)]*)\)")


class Printer:
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
            problems = self._print(browser, pdf, page, fresh)
            if problems or not fresh.is_file():
                finding.worse(UNCHECKED, f"{name}: 页面无法重新打印 the page cannot be printed again: {'; '.join(problems)}")
                continue
            published, again = pdf.read_bytes(), fresh.read_bytes()
            if _PDF_DATES.sub(b"", published) == _PDF_DATES.sub(b"", again):
                continue
            if page is None:
                finding.worse(DIFFERS, f"{name}: 与由本年度已发布文件重新生成的通报不同（打印后若有新的签署，请用 evalbook pdf "
                                       f"--bulletin 重新打印）differs from the 通报 printed again from the year's published "
                                       f"files (signed since? print it again){_producers(published, again)}")
            else:
                finding.worse(DIFFERS, f"{name}: 与其页面 {PurePosixPath(name).with_suffix('.html').name} 重新打印的结果不同 "
                                       f"differs from a fresh print of its page{_producers(published, again)}")

    def _print(self, browser, pdf: Path, page: Path | None, fresh: Path) -> list[str]:
        """Print ``page`` again to ``fresh``; with no page, the 通报 of the year folder holding ``pdf``, built again
        from its published files as ``evalbook pdf --bulletin`` builds it. The page's problems (none: printed)."""
        if page is not None:
            return browser.print_pdf(page, fresh).problems
        from evalbook.core.errors import InputError
        from evalbook.round.bulletin import print_to

        folder = self.scratch / f"bulletin-{self._printed}"
        folder.mkdir()
        try:
            return print_to(browser, pdf.parent, fresh, folder)
        except InputError as exc:  # a published file the 通报 is built from cannot be read
            return [str(exc)]

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
