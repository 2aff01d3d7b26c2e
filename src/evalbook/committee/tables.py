"""A scored year's published tables: the scheme's own (``output.tables.write_results``) and the committee's.

``run`` (run/batch.py) writes them into the staging folder and ``verify`` (audit/year.py) writes them again
into a scratch folder to compare: one function, so both make the same files."""

from __future__ import annotations

from pathlib import Path

from evalbook.committee.panels import PANEL_FILE, panel_rows, panel_table
from evalbook.output.tables import csv_text, write_results


def write_year_tables(scheme, intake, scores, folder: Path) -> list[str]:
    """Write every table of a scored year into ``folder``; return the file names written."""
    written = write_results(scheme, intake, scores, folder)
    panel = panel_table(panel_rows(scheme, intake))
    if panel is not None:  # each expert score against its panel (committee/panels.py)
        (folder / PANEL_FILE).write_text(csv_text(panel), encoding="utf-8")
        written.append(PANEL_FILE)
    return written
