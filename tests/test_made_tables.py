"""A notebook of a batch takes the committee tables the run made (leave_one_out.csv, sensitivity.csv), checked
against the validation record; run alone it makes them itself. The sections are the same either way, and a table
changed after the run is refused in both languages."""

from __future__ import annotations

import json

import pytest

from evalbook.committee import panel_sections, stability_sections
from evalbook.committee.made import PANELS, SENSITIVITY
from evalbook.committee.panel_sections import cohort_panels, unit_panel
from evalbook.committee.stability_sections import stability_section
from evalbook.committee.tables import write_year_tables
from evalbook.core.errors import InputError
from evalbook.notebook.year import open_year

YEARS = [("wendeng-featured", 2023), ("naiman-specialty", 2025)]


def _batch(tmp_path, scheme, year):
    """The run's tables and validation.json in ``tmp_path``, and the year opened as its notebooks open it."""
    alone = open_year(scheme, year)
    write_year_tables(alone.scheme, alone.intake, alone.scores, tmp_path)
    record = tmp_path / "validation.json"
    record.write_text(json.dumps(alone.intake.validation_record(), ensure_ascii=False), encoding="utf-8")
    return alone, open_year(scheme, year, validation=record)


def _key(book):
    return tuple(str(book.scores.units.iloc[0][column]) for column, _ in book.scheme.REPORT_KEY)


def _sections(book, key):
    return [str(stability_section(book)), str(cohort_panels(book)), str(unit_panel(book, *key))]


@pytest.mark.parametrize(("scheme", "year"), YEARS)
def test_batch_sections_are_those_a_notebook_alone_makes(tmp_path, monkeypatch, scheme, year):
    alone, batch = _batch(tmp_path, scheme, year)
    assert {PANELS, SENSITIVITY} <= set(batch.intake.made)
    assert batch.intake.made[PANELS]["files"].keys() == {"leave_one_out.csv"}
    key = _key(alone)
    expected = _sections(alone, key)
    assert "奖项稳定性" in expected[0] and "去掉一位专家" in expected[2]

    def recomputed(*args, **kwargs):
        raise AssertionError("a notebook of the batch must not score the cohort again")

    monkeypatch.setattr(panel_sections, "leave_one_out", recomputed)
    monkeypatch.setattr(stability_sections, "stability", recomputed)
    assert _sections(batch, key) == expected


def test_the_sections_show_what_the_run_wrote(tmp_path):
    """The batch page is made from the file: a (re-recorded) change of a change row shows on the page."""
    import hashlib

    _, batch = _batch(tmp_path, "wendeng-featured", 2023)
    path = tmp_path / "leave_one_out.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) > 1, "the demo has a decision that changes without one expert"
    cells = lines[1].rstrip("\n").split(",")
    cells[-1] = "第99名"
    path.write_text(lines[0] + ",".join(cells) + "\n", encoding="utf-8")
    batch.intake.made[PANELS]["files"]["leave_one_out.csv"] = hashlib.sha256(path.read_bytes()).hexdigest()
    assert "第99名" in str(cohort_panels(batch))


@pytest.mark.parametrize(("name", "section"), [("leave_one_out.csv", lambda b: unit_panel(b, *_key(b))),
                                               ("leave_one_out.csv", cohort_panels),
                                               ("sensitivity.csv", stability_section)])
def test_a_table_changed_after_the_run_is_refused(tmp_path, name, section):
    _, batch = _batch(tmp_path, "wendeng-featured", 2023)
    path = tmp_path / name
    path.write_text(path.read_text(encoding="utf-8").replace("一等奖", "二等奖", 1) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        section(batch)
    text = str(raised.value)
    assert name in text and "与校验记录不符" in text and "differs from the validation record" in text
    path.unlink()
    with pytest.raises(InputError, match="missing"):
        section(batch)


@pytest.mark.parametrize(("scheme", "year"), YEARS)
def test_a_units_panel_rows_are_its_rows_of_the_years(scheme, year):
    """A report computes only its own panels: the same figures as the year's rows of its unit."""
    from evalbook.committee.panels import panel_rows

    book = open_year(scheme, year)
    everyone = panel_rows(book.scheme, book.intake)
    assert everyone["unit"].nunique() > 1
    for unit, rows in everyone.groupby("unit", sort=False):
        mine = panel_rows(book.scheme, book.intake, unit)
        assert mine.drop(columns="row").to_dict("records") == rows.drop(columns="row").to_dict("records")
        assert mine["row"].tolist() == rows["row"].tolist()


def test_names_that_look_like_formulas_show_as_typed_in_a_batch(tmp_path):
    """The CSV protects a name starting with = (a leading '); the batch's sections join and show it as typed, the
    same as a notebook alone."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree("data/wendeng-featured", data / "wendeng-featured")
    roster = data / "wendeng-featured" / "institutions.csv"
    lines = roster.read_text(encoding="utf-8").splitlines(keepends=True)
    code, name, rest = lines[1].split(",", 2)
    lines[1] = f"{code},=SUM(1){name},{rest}"
    roster.write_text("".join(lines), encoding="utf-8")
    alone = open_year("wendeng-featured", 2023, data)
    write_year_tables(alone.scheme, alone.intake, alone.scores, tmp_path)
    assert f"'=SUM(1){name}" in (tmp_path / "sensitivity.csv").read_text(encoding="utf-8")
    record = tmp_path / "validation.json"
    record.write_text(json.dumps(alone.intake.validation_record(), ensure_ascii=False), encoding="utf-8")
    batch = open_year("wendeng-featured", 2023, data, validation=record)
    shown = str(stability_section(batch))
    assert shown == str(stability_section(alone))
    assert f"=SUM(1){name}" in shown and f"'=SUM(1){name}" not in shown
    assert str(cohort_panels(batch)) == str(cohort_panels(alone))
