"""The reports in a real browser: Debian's headless Chromium (never a downloaded one), offline.

Real reports are built once for the module with ``evalbook run --all``: the small wendeng cohort of
test_cli_e2e and the naiman demo, each with an institution whose name is a ``<script>``. Every kind
of page is opened in Chromium: no console error or warning, no script error, no dialog, no request
leaving the file, Chinese drawn by Noto Sans CJK SC; full-page screenshots are kept in
``test-artifacts/browser/``. Without Chromium these tests fail and say to run ``make browser``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path

import pytest
from PIL import Image

from evalbook.output.browser import CHROMIUM, Browser, BrowserMissing
from test_cli_e2e import build_cohort

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts" / "browser"
SCRIPT = "<script>alert(1)</script>"
HOSTILE_WENDENG = f"{SCRIPT}丙卫生院"                       # P1's name in the wendeng cohort
HOSTILE_NAIMAN = f"{SCRIPT}奈曼旗示例蒙医医院（示例）"         # NMMY's name in the naiman demo
PAGES = {  # screenshot name → page, relative to the output folder
    "overview": "index.html",
    "wendeng-cohort": "wendeng-featured/2023/index.html",
    "wendeng-cohort-audit": "wendeng-featured/2023/audit.html",
    "wendeng-report": "wendeng-featured/2023/P1/report.html",
    "wendeng-audit": "wendeng-featured/2023/P1/audit.html",
    "naiman-cohort": "naiman-specialty/2025/index.html",
    "naiman-report": "naiman-specialty/2025/NMMY-骨伤科/report.html",
    "naiman-audit": "naiman-specialty/2025/NMMY-骨伤科/audit.html",
}


def cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalbook", *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "PYTHONWARNINGS": "ignore", **env}, timeout=600)


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make browser` "
                    "(as root: apt-get install -y chromium fonts-noto-cjk). 未安装 Chromium：请运行 make browser。")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium):
    with Browser(chromium) as opened:
        yield opened


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """``evalbook run --all`` on both schemes, with a hostile institution name in each."""
    root = tmp_path_factory.mktemp("browser")
    data, out = root / "data", root / "out"
    build_cohort(data)
    _rename(data / "wendeng-featured" / "institutions.csv", "P1,", HOSTILE_WENDENG)
    shutil.copytree(REPO / "data" / "naiman-specialty", data / "naiman-specialty")
    _rename(data / "naiman-specialty" / "institutions.csv", "NMMY,", HOSTILE_NAIMAN)
    result = cli("run", "--all", "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def _rename(institutions: Path, prefix: str, name: str) -> None:
    lines = institutions.read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    lines[row] = ",".join([prefix.rstrip(","), name, lines[row].split(",")[-1]])
    institutions.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("name", PAGES)
def test_page_in_chromium(browser, published, name):
    screenshot = ARTIFACTS / f"{name}.png"
    screenshot.unlink(missing_ok=True)
    check = browser.check(published / PAGES[name], screenshot=screenshot)
    assert check.problems == []                 # console errors, page errors, dialogs, outside requests, CJK font
    assert check.console_warnings == []
    assert check.cjk_texts                       # Chinese was found and its font checked
    assert any(family.startswith("Noto Sans CJK SC") for family in check.cjk_fonts), check.cjk_fonts
    with Image.open(screenshot) as image:        # a real rendering, not a blank page
        assert image.format == "PNG" and image.width == 1280 and image.height >= 600
        histogram = image.convert("L").histogram()
        inked = sum(histogram[:200]) / (image.width * image.height)
        assert inked > 0.005, f"{screenshot} looks blank ({inked:.2%} dark pixels)"
    assert screenshot.stat().st_size > 20_000


def test_hostile_names_are_shown_as_text_and_never_run(browser, published):
    for page, name in [("wendeng-featured/2023/P1/report.html", HOSTILE_WENDENG),
                       ("wendeng-featured/2023/index.html", HOSTILE_WENDENG),
                       ("naiman-specialty/2025/NMMY-骨伤科/report.html", HOSTILE_NAIMAN),
                       ("naiman-specialty/2025/index.html", HOSTILE_NAIMAN)]:
        html = (published / page).read_text(encoding="utf-8")
        assert escape(name, quote=False) in html and SCRIPT not in html, page     # &lt;script&gt;…
        check = browser.check(published / page)
        assert check.dialogs == [] and check.page_errors == [], page


def test_the_check_reports_outside_requests_console_errors_and_dialogs(browser, tmp_path):
    page = tmp_path / "leaky.html"
    page.write_text('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                    '<script src="https://example.com/x.js"></script>'
                    '<link rel="stylesheet" href="http://cdn.example.org/a.css"></head><body><h1>考评报告</h1>'
                    '<img src="https://example.com/p.png">'
                    '<script>console.error("boom"); fetch("https://example.com/api").catch(() => {});</script>'
                    f'{SCRIPT}<script>throw new Error("kaput")</script></body></html>', encoding="utf-8")
    check = browser.check(page)
    assert set(check.outside_requests) == {"https://example.com/x.js", "http://cdn.example.org/a.css",
                                           "https://example.com/p.png", "https://example.com/api"}
    assert "boom" in check.console_errors
    assert any("kaput" in error for error in check.page_errors)
    assert check.dialogs == ["alert: 1"]
    assert len(check.problems) >= 7
    assert check.cjk_not_drawn == []             # with the font installed, the Chinese itself is fine


def test_the_cjk_check_fails_without_a_cjk_font(chromium, published, tmp_path, monkeypatch):
    """Chromium started with a fontconfig that knows only DejaVu, as on a machine without fonts-noto-cjk."""
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                      f'<dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path / "cache"}</cachedir>'
                      '</fontconfig>', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    page = tmp_path / "report.html"                     # self-contained: the copy shows the same
    shutil.copy(published / PAGES["wendeng-report"], page)

    def check_latin_only():  # its own thread: Playwright's sync API runs one instance per thread
        with Browser(chromium) as latin_only:
            return latin_only.check(page)

    with ThreadPoolExecutor(1) as thread:
        check = thread.submit(check_latin_only).result()
    assert check.cjk_not_drawn and not any("CJK" in family for family in check.cjk_fonts), check.cjk_fonts
    assert any("fonts-noto-cjk" in p and "make browser" in p for p in check.problems)
    result = cli("pdf", str(page), FONTCONFIG_FILE=str(config))
    assert result.returncode == 1 and "fonts-noto-cjk" in result.stdout, result.stdout + result.stderr
    assert not (tmp_path / "report.pdf").exists()


def test_missing_chromium_fails_with_how_to_install_it(published, tmp_path):
    with pytest.raises(BrowserMissing, match="make browser"), Browser(tmp_path / "no-chromium"):
        pass
    folder = published / "wendeng-featured" / "2023" / "D1"
    result = cli("pdf", str(folder), EVALBOOK_CHROMIUM=str(tmp_path / "no-chromium"))
    assert result.returncode == 1 and "make browser" in result.stderr and "未找到 Chromium" in result.stderr
    assert not (folder / "report.pdf").exists()


def pdf_pages(path: Path) -> tuple[int, list[tuple[float, float]]]:
    """Page count and page sizes (points) of a PDF as Chromium writes it (uncompressed page objects)."""
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), path
    sizes = [(float(w), float(h)) for w, h in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)]
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)), sizes


def test_pdf_prints_every_report_of_a_year_on_a4(chromium, published):
    year = published / "wendeng-featured" / "2023"
    result = cli("pdf", str(year))
    assert result.returncode == 0, result.stdout + result.stderr
    printed = [year / "index.pdf"] + [year / code / "report.pdf" for code in ("D1", "D2", "P1", "P2", "P3")]
    for pdf in printed:
        pages, sizes = pdf_pages(pdf)
        assert pages >= 1 and sizes, pdf
        assert all(abs(w - 595) < 2 and abs(h - 842) < 2 for w, h in sizes), (pdf, sizes)   # A4 portrait
    assert pdf_pages(year / "P1" / "report.pdf")[0] >= 2          # a full report runs over several pages
    assert not list(year.rglob("*.tmp")) and not (year / "audit.pdf").exists()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(year / "P1" / "report.pdf", ARTIFACTS / "wendeng-report.pdf")


def test_pdf_of_one_report_folder_or_file_and_a_page_that_fails(chromium, published, tmp_path):
    folder = published / "naiman-specialty" / "2025" / "NMMY-康复医学科"
    result = cli("pdf", str(folder))
    assert result.returncode == 0, result.stdout + result.stderr
    assert pdf_pages(folder / "report.pdf")[0] >= 1
    leaky = tmp_path / "leaky.html"
    leaky.write_text('<!DOCTYPE html><html><body><p>考评</p><img src="https://example.com/p.png"></body></html>',
                     encoding="utf-8")
    result = cli("pdf", str(leaky))
    assert result.returncode == 1 and "https://example.com/p.png" in result.stdout
    assert not (tmp_path / "leaky.pdf").exists()
    result = cli("pdf", str(tmp_path / "nothing-here"))
    assert result.returncode == 1 and "没有可打印的报告" in result.stdout + result.stderr
