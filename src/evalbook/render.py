"""Executed notebook → HTML, in-process, with our own self-contained template.

Two views of the same executed notebook: the evaluator's report (code hidden) and the
auditor's (code shown). One exporter per view is built once and reused for every notebook:
building it is the expensive part.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

TEMPLATES = Path(__file__).parent / "templates"


class HtmlRenderer:
    """Converts executed notebooks to the report and audit HTML views."""

    def __init__(self) -> None:
        from nbconvert import HTMLExporter

        common = {"template_name": "evalbook", "extra_template_basedirs": [str(TEMPLATES)]}
        self.report = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, **common)
        self.audit = HTMLExporter(exclude_input=False, **common)
        self.audit.exclude_input_prompt = False

    def convert(self, notebook: Path | nbformat.NotebookNode, audit: bool, title: str, footer: str = "") -> str:
        nb = nbformat.read(str(notebook), as_version=4) if isinstance(notebook, (str, Path)) else notebook
        exporter = self.audit if audit else self.report
        body, _ = exporter.from_notebook_node(nb, resources={"evalbook_title": title, "evalbook_footer": footer})
        return body
