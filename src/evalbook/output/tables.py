"""Writing the tables we publish: CSV for machines, XLSX for the bureau's own files.

Text cells that a spreadsheet would take for a formula (starting with = + - @, a tab or a
carriage return) are neutralised with a leading apostrophe in CSV and stored as plain text in
XLSX. Exact scores (Fractions) are written in CSV at full precision (``evalbook.core.exact.full_text``:
exact when the decimal terminates, else 20 significant digits, half up); an XLSX cell holds the
number as the reports show it (rounded half up to 2 decimals), the CSVs keep the rest.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd

from evalbook.core.cell_text import FORMULA_START
from evalbook.core.exact import full_text, rounded


def neutralise(value):
    """A text cell safe to open in a spreadsheet; numbers and empty cells pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV (UTF-8 text, '\\n' line ends), floats at full precision, text neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue()


def _csv_cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)  # full precision; rounding is for display only
    if isinstance(value, (Fraction, Decimal)):
        return full_text(value)
    return neutralise(value) if isinstance(value, str) else value


def write_workbook(path: Path, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> None:
    """Write an XLSX of (sheet title, headers, rows); text cells are typed as text, never formulas."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    book.remove(book.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6EE")
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, str):
                    cell.value = value
                    cell.data_type = "s"  # never "f": a hospital's text is not a formula
                    if value.startswith(FORMULA_START):
                        cell.quotePrefix = True
                elif value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                    cell.value = None
                elif isinstance(value, (Fraction, Decimal)):
                    cell.value = rounded(value, 2)  # as every page shows it (四舍五入); full precision in the CSVs
                    cell.number_format = "0.00"
                else:
                    cell.value = value.item() if hasattr(value, "item") else value
        sheet.freeze_panes = "A2"
        for c, header in enumerate(headers, start=1):
            letter = sheet.cell(row=1, column=c).column_letter
            sheet.column_dimensions[letter].width = max(8, min(40, 2 * len(str(header)) + 2))
    book.save(path)


SEVERITY_LABELS = {"error": "错误 error", "warning": "警告 warning", "implausible": "存疑 implausible"}  # 校验警告's 级别


def write_results(scheme, intake, scores, folder: Path) -> list[str]:
    """A scored year's published tables in ``folder``: the scheme's CSV tables (``Scheme.output_tables``, the CLI
    contract) and results.xlsx (the scheme's own sheets, then 校验警告 and 评分口径). Returns the file names."""
    tables = scheme.output_tables(scores)
    for name, frame in tables.items():
        (folder / name).write_text(csv_text(frame), encoding="utf-8")
    problems = [(SEVERITY_LABELS.get(p.severity, p.severity), p.file, p.row, p.column,
                 None if p.value is None else str(p.value), p.rule_zh, p.rule_en) for p in intake.outcome.problems]
    write_workbook(folder / "results.xlsx", [
        *scheme.result_sheets(intake, scores),
        ("校验警告", ["级别", "文件", "行", "列", "值", "规则", "rule"], problems),
        ("评分口径", ["项目", "口径"], scheme.policy_lines(intake.rubric)),
    ])
    return [*tables, "results.xlsx"]
