"""A scored year's published tables: the scheme's own (``output.tables.write_results``) and the committee's.

``run`` (run/batch.py) writes them into the staging folder and ``verify`` (audit/year.py) writes them again
into a scratch folder to compare: one function, so both make the same files."""

from __future__ import annotations

from pathlib import Path

from evalbook.committee import sensitivity
from evalbook.output.tables import csv_text, write_results


def write_year_tables(scheme, intake, scores, folder: Path) -> list[str]:
    """Write every table of a scored year into ``folder``; return the file names written."""
    written = write_results(scheme, intake, scores, folder)
    table = sensitivity.stability(scheme, intake, scores).table()
    (Path(folder) / sensitivity.FILE).write_text(csv_text(table), encoding="utf-8")
    return [*written, sensitivity.FILE]
