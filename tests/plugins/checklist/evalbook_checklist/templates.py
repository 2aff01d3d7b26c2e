"""checklist: the hospital's workbook of ``evalbook template`` / ``ingest`` (one per institution, one sheet)."""

from pathlib import Path

from evalbook.core.errors import InputError
from evalbook.excel.layout import COMMITTEE, HOSPITAL, Checklist, Field, Identity, Layout, Period
from evalbook.inputs.reading import read_text_table
from evalbook_checklist import SCHEME

OWNERS = {"checks.csv": HOSPITAL}
ROW_KEYS = {"checks.csv": ("code",)}
layout_for = None  # every workbook has the same sheet


def layout(year: int) -> Layout:
    rubric = SCHEME.load_rubric(SCHEME.rubric_path())
    fields = tuple(Field(c, (rubric["items"][c.name]["title"],), str(n))
                   for n, c in enumerate(SCHEME.FILES["checks.csv"][1:], start=1))
    sheet = Checklist("十项检查", "checks.csv", fields, (Period(f"{year}年"),), heading=f"{SCHEME.TITLE}（{year}年度）")
    return Layout(scheme=SCHEME.NAME, title=SCHEME.TITLE, year=year, sheets=(sheet,))


def committee_layout(year: int, units: list[Identity]) -> Layout:
    return Layout(scheme=SCHEME.NAME, title=SCHEME.TITLE, year=year, sheets=(), owner=COMMITTEE, units=tuple(units))


def identities(data_dir: Path, year: int) -> list[Identity]:
    path = Path(data_dir) / SCHEME.NAME / "institutions.csv"
    table, problems = read_text_table(path, ["code", "name"], label="institutions.csv")
    if table is None or any(p.is_error for p in problems):
        raise InputError(problems)
    return [Identity(row.code, row.name) for row in table.frame.itertuples(index=False)]


def workbook_name(identity: Identity) -> str:
    return f"{identity.code}.xlsx"
