"""Executed notebook → HTML, in-process, with our own self-contained template.

Two views of the same executed notebook: the evaluator's report (code hidden) and the
auditor's (code shown). One exporter per view is built once and reused for every notebook:
building it is the expensive part.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat

TEMPLATES = Path(__file__).parent / "templates"


class HtmlRenderer:
    """Converts executed notebooks to the report and audit HTML views."""

    def __init__(self) -> None:
        HTMLExporter = _exporter_class()  # noqa: N806

        common = {"template_name": "evalbook", "extra_template_basedirs": [str(TEMPLATES)]}
        self.report = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, **common)
        self.audit = HTMLExporter(exclude_input=False, **common)
        self.audit.exclude_input_prompt = False

    def convert(self, notebook: Path | nbformat.NotebookNode, audit: bool, title: str, footer: str = "",
                revision: dict | None = None) -> str:
        nb = nbformat.read(str(notebook), as_version=4) if isinstance(notebook, (str, Path)) else notebook
        exporter = self.audit if audit else self.report
        resources = {"evalbook_title": title, "evalbook_footer": footer}
        if revision:  # which revision the page is, links to the year's 更正说明 and sign-off (round/revisions.py)
            resources["evalbook_revision"] = revision
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        return body

    def views(self, notebook: Path | nbformat.NotebookNode, cohort: bool, title: str, footer: str,
              revision: int | None = None) -> dict[str, str]:
        """Both published pages of one executed notebook, by file name (``run`` writes them, ``verify``
        renders them again and compares: the conversion is deterministic, nothing is stripped). ``revision``:
        the publication's revision number (its manifest's ``revision.number``; None for a page made before)."""
        nb = nbformat.read(str(notebook), as_version=4) if isinstance(notebook, (str, Path)) else notebook
        names = ("index.html", "audit.html") if cohort else ("report.html", "audit.html")
        where = {"number": int(revision), "prefix": "" if cohort else "../"} if revision else None
        return {names[0]: self.convert(nb, audit=False, title=title, footer=footer, revision=where),
                names[1]: self.convert(nb, audit=True, title=f"{title}（审计视图）", footer=footer, revision=where)}


def page_title(year: int, scheme_title: str) -> str:
    return f"{year} {scheme_title}"


def page_footer(input_hashes: dict[str, str], rubric_version: str, rubric_sha: str, python: str) -> str:
    """The footer of every report page, from what the manifest also records (so it can be rebuilt)."""
    digest = hashlib.sha256(json.dumps(input_hashes, sort_keys=True).encode()).hexdigest()[:12]
    return f"评分规则 {rubric_version}（sha256 {rubric_sha[:12]}）· 输入指纹 {digest} · Python {python}"


def _exporter_class():
    """nbconvert's HTMLExporter without its closing BeautifulSoup pass when a page has no ``<img>``.

    That pass gives ``<img>`` tags alt text and lab-template cells a tabindex; our template is not
    lab's and our charts are inline SVG, so it changes nothing here and costs half of each
    conversion (measured: ≈ 0.28 s of 0.5 s per page on the demo).

    Three more savings, each leaving the page as it was: a cell's highlighted code and any HTML sanitised
    (``clean_html``) are kept for the next report, which shows the same code and many of the same sections
    (measured on the demo: 0.23 s of parent CPU per report, half of it these two); and the notebook is
    validated once per page instead of after each of nbconvert's preprocessors.
    """
    import functools

    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters import clean_html
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class Highlight(Highlight2HTML):
        @functools.lru_cache(maxsize=1024)  # noqa: B019 — one per renderer, kept for the run
        def _cached(self, source, language, magics):
            return super().__call__(source, language, {"magics_language": magics} if magics else None)

        def __call__(self, source, language=None, metadata=None):
            return self._cached(source, language, (metadata or {}).get("magics_language"))

    cleaned = functools.lru_cache(maxsize=4096)(clean_html)

    class Exporter(HTMLExporter):
        def _validate_preprocessor(self, nbc, preprocessor):  # validated once, before the preprocessors
            pass

        def from_notebook_node(self, nb, resources=None, **kw):
            nbformat.validate(nb, relax_add_props=True)
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code",
                                 self.filters.get("highlight_code", Highlight(pygments_lexer=lexer, parent=self)))
            self.register_filter("clean_html", cleaned)
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type",
                                 WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            if "<img" in html:  # not ours, but keep nbconvert's accessibility fix where it applies
                return super().from_notebook_node(nb, resources, **kw)
            return html, resources

    return Exporter
