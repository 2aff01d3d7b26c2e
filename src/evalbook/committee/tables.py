"""A scored year's published tables: the scheme's own (``output.tables.write_results``) and the committee's.

``run`` (run/batch.py) writes them into the staging folder and ``verify`` (audit/year.py) writes them again
into a scratch folder to compare: one function, so both make the same files. Both write ``validation.json``
after it: what the tables read besides the year's own files (last year's, for the trends) are inputs too, and
what they record for the run's notebooks (``Intake.made``: leave-one-expert-out's, the sensitivity's and the trends' files, by
sha256, which the notebooks of the run take instead of computing them again) is part of that record."""

from __future__ import annotations

from pathlib import Path

from evalbook.committee import made, sensitivity, trends
from evalbook.committee.panels import CHANGES_FILE, PANEL_FILE, leave_one_out, panel_rows, panel_table
from evalbook.inputs import snapshot
from evalbook.output.tables import csv_text, write_results


def write_year_tables(scheme, intake, scores, folder: Path) -> list[str]:
    """Write every table of a scored year into ``folder``; return the file names written."""
    written = write_results(scheme, intake, scores, folder)
    rows = panel_rows(scheme, intake)
    if rows is not None:  # each expert score against its panel, and leave-one-expert-out (committee/panels.py)
        (folder / PANEL_FILE).write_text(csv_text(panel_table(rows)), encoding="utf-8")
        written.append(PANEL_FILE)
        written += made.write(intake, made.PANELS, Path(folder),
                              {CHANGES_FILE: csv_text(leave_one_out(scheme, intake, scores, rows))})
    written += made.write(intake, made.SENSITIVITY, Path(folder),
                          {sensitivity.FILE: csv_text(sensitivity.stability(scheme, intake, scores).table())})
    # against last year: reads (and records among the inputs) last year's files, and what it found in intake.made,
    # so the caller writes validation.json after this
    written += trends.write_tables(scheme, intake, scores, folder)
    # last: the run's scored year for its report notebooks, with every input the tables above read
    written += snapshot.write(scheme, intake, scores, Path(folder))
    return written
