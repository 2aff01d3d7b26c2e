"""Each HTML page against a fresh render of the executed notebook it came from."""

from __future__ import annotations

import threading
from pathlib import Path

from evalbook.audit.compare import text_difference
from evalbook.audit.findings import DIFFERS, TAMPERED, Finding


class Renderer:
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


def check_views(folder: Path, record: dict, finding: Finding, renderer: Renderer) -> None:
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
                               revision=revision_number(record))
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
                          f"{executed.name}{text_difference(published, html)}")


def revision_number(record: dict) -> int | None:
    """The revision a page was built for, as its manifest records it (None before revisions)."""
    revision = record.get("revision")
    number = revision.get("number") if isinstance(revision, dict) else None
    return number if isinstance(number, int) and not isinstance(number, bool) and number > 0 else None
