"""The run's scored snapshot (evalbook.inputs.snapshot): a report notebook of a batch opens its own rows and the
cohort's tables, and shows exactly what a notebook run alone shows; a snapshot changed after the run is refused,
in both languages, naming the file."""

from __future__ import annotations

import json
from fractions import Fraction

import pandas as pd
import pyarrow.parquet as pq
import pytest

from evalbook.audit.rerun import _made_files
from evalbook.committee.panel_sections import unit_panel
from evalbook.committee.tables import write_year_tables
from evalbook.committee.trend_sections import unit_trend_section
from evalbook.core.errors import InputError
from evalbook.inputs import snapshot
from evalbook.inputs.intake import concerned_code
from evalbook.notebook.sections import inputs_table, submissions_section, validation_summary
from evalbook.notebook.year import open_year, record_json, result_record
from evalbook.schemes.wendeng_featured import report

SCHEME, YEAR = "wendeng-featured", 2023


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The demo year opened alone, and the folder of a run's tables, snapshot and validation.json."""
    folder = tmp_path_factory.mktemp("run")
    alone = open_year(SCHEME, YEAR)
    write_year_tables(alone.scheme, alone.intake, alone.scores, folder)
    (folder / "validation.json").write_text(json.dumps(alone.intake.validation_record(), ensure_ascii=False),
                                            encoding="utf-8")
    return alone, folder


def _pages(book, code: str, validation: str) -> list[str]:
    sections = [report.institution_header, report.score_buildup, report.items_table, report.items_chart,
                report.expert_tables, report.stats_table, report.ledger_table, report.group_chart, unit_panel,
                submissions_section, validation_summary]
    return [str(section(book, code)) for section in sections] + [
        str(unit_trend_section(book, validation, code)), str(report.policy_table(book)), str(inputs_table(book)),
        record_json(result_record(book, code))]


def test_a_report_opened_from_the_snapshot_reads_only_its_own_rows_and_shows_what_it_shows_alone(batch):
    alone, folder = batch
    codes = alone.scores.units["code"].tolist()
    # the first and last of each group, a unit with no evaluator judgments, and one with no featured project
    judged = set(alone.intake.frame("judgments.csv")["code"])
    with_projects = set(alone.scores.projects["code"])
    picks = {codes[0], codes[-1], next(c for c in codes if c not in judged)}
    picks |= {c for c in codes if c not in with_projects}
    warned = {concerned_code(alone.intake, p.file, p.row, p.value) for p in alone.intake.warnings} & set(codes)
    assert warned  # the demo has warnings of single institutions: each report shows its own
    picks |= set(sorted(warned)[:3])
    for group in ("district", "primary"):
        members = alone.scores.units[alone.scores.units["group"] == group].sort_values("group_rank")["code"]
        picks |= {members.iloc[0], members.iloc[-1]}
    validation = str(folder / "validation.json")
    for code in sorted(picks):
        book = open_year(SCHEME, YEAR, "", validation, code)
        assert set(book.intake.frame("facts.csv")["code"]) == {code}  # its own rows, not the year's
        assert set(book.intake.frame("ledger.csv")["code"]) <= {code}
        assert list(book.scores.items) == [code]
        assert len(book.scores.units) == len(codes)  # the cohort's ranks and awards, from the run
        assert book.scores.group_means is not None  # the groups' item means, averaged once by the run
        assert _pages(book, code, validation) == _pages(alone, code, validation), code


def test_the_cohort_tables_keep_every_exact_value_and_its_type():
    frame = pd.DataFrame({"code": ["A", "B", None], "total": [Fraction(211, 3), Fraction(-7, 2), None],
                          "prize": [Fraction(5), 0, None], "flag": [True, False, None], "note": ["=1+1", "", None],
                          "rank": pd.Series([1, 2, 3], dtype="int64"), "ok": [True, False, True],
                          "ratio": [0.1, float("nan"), 2.5]})
    back = snapshot.decode(pq.read_table(_written(frame)))
    assert list(back.columns) == list(frame.columns)
    assert back["rank"].dtype == "int64" and back["ok"].dtype == bool
    for column in ("code", "total", "prize", "flag", "note"):
        for a, b in zip(frame[column], back[column], strict=True):
            assert (pd.isna(a) and pd.isna(b)) if a is None or a != a else (type(a) is type(b) and a == b), (column, a, b)
    assert back["total"][0] == Fraction(211, 3)  # exact, not 70.333…
    assert back["ratio"][0] == 0.1 and back["ratio"].isna().tolist() == [False, True, False]


def _written(frame):
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "t.parquet"
    pq.write_table(snapshot.encode(frame), path)
    return path


def _copy(folder, tmp_path):
    import shutil

    target = tmp_path / "run"
    shutil.copytree(folder, target)
    return target


def test_a_unit_whose_rows_were_changed_after_the_run_is_refused_and_the_others_still_open(batch, tmp_path):
    alone, folder = batch
    run = _copy(folder, tmp_path)
    path = run / "snapshot" / "input-facts.parquet"
    frame = pq.read_table(path).to_pandas()
    victim, other = frame["code"].iloc[0], frame["code"].iloc[1]
    column = next(c for c in frame.columns if c not in (snapshot.LINE, "code"))
    frame.loc[0, column] = "99"
    table = pq.read_table(path)
    pq.write_table(type(table).from_pandas(frame, preserve_index=False).replace_schema_metadata(table.schema.metadata),
                   path)
    with pytest.raises(InputError) as refused:
        open_year(SCHEME, YEAR, "", str(run / "validation.json"), victim)
    problem = refused.value.problems[0]
    assert victim in problem.rule_en and "摘要不符" in problem.rule_zh and problem.file.endswith("index.parquet")
    open_year(SCHEME, YEAR, "", str(run / "validation.json"), other)  # untouched rows still open


@pytest.mark.parametrize("name", ["cohort-units.parquet", "index.parquet", "input-experts.parquet",
                                  "input-ledger.parquet"])
def test_a_snapshot_file_changed_or_missing_is_refused_naming_it(batch, tmp_path, name):
    alone, folder = batch
    code = alone.scores.units["code"].iloc[0]
    for damage in ("change", "remove"):
        run = _copy(folder, tmp_path / damage)
        path = run / "snapshot" / name
        if damage == "remove":
            path.unlink()
        elif name.startswith("input-ledger"):  # read by code: its rows of the unit no longer match their digest
            frame = pq.read_table(path).to_pandas()
            frame = frame[frame["code"] != code]
            pq.write_table(pq.read_table(path).from_pandas(frame, preserve_index=False), path)
        else:
            path.write_bytes(path.read_bytes() + b"\0")
        with pytest.raises(InputError) as refused:
            open_year(SCHEME, YEAR, "", str(run / "validation.json"), code)
        problem = refused.value.problems[0]
        assert "快照" in problem.rule_zh and "snapshot" in problem.rule_en
        by_digest = damage == "change" and name == "input-ledger.parquet"  # read by code, checked through the index
        assert problem.file.endswith("index.parquet" if by_digest else name)


def test_the_year_page_and_a_notebook_alone_open_the_whole_year(batch):
    alone, folder = batch
    whole = open_year(SCHEME, YEAR, "", str(folder / "validation.json"))  # the cohort notebook: no unit
    assert len(whole.scores.items) == len(alone.scores.items)
    assert whole.intake.frame("facts.csv").equals(alone.intake.frame("facts.csv"))


def test_a_rerun_copies_the_snapshot_files_and_nothing_outside_the_record_folder(tmp_path):
    record = tmp_path / "validation.json"
    record.write_text(json.dumps({"made": {"snapshot": {"files": {"snapshot/index.parquet": "x", "../secret": "y",
                                                                  "snapshot/../../etc": "z", ".hidden": "w"},
                                                        "rows": ["snapshot/input-facts.parquet", "/etc/passwd"]}}}),
                      encoding="utf-8")
    assert _made_files(record) == ["snapshot/index.parquet", "snapshot/input-facts.parquet"]


@pytest.mark.parametrize("text", [
    "expert,unit,what\r\nE1,A1,奖项\r\nE2,A10,名次\r\nE3,B,A1\r\n",
    "expert,unit,what\nE1,A1,奖项\nE2,A10,名次\nE3,B,A1",  # no line end after the last record
    "unit,A1,B\n",  # the needle in the header only
    "unit,what\nA1,名次\n专家A1,x\n\n",
    'expert,unit,what\n"E1, 主任\n医师",A1,x\nE2,B,y\n',  # a quoted field may hold a line break: read whole
    "unit\n",
])
def test_a_reports_rows_of_leave_one_out_are_its_own_whatever_the_names_hold(text):
    from evalbook.committee.made import _lines_with_bytes, lines_with

    for needle in ("A1", "B", "名次", "专家A1", "Z", ""):
        assert _lines_with_bytes(text.encode("utf-8"), needle) == lines_with(text, needle), needle
    if '"' in text:
        assert lines_with(text, "B") == text
    elif text.startswith("expert"):
        # candidates only: A10's line and E3's (which names A1) hold "A1" too; the caller keeps the unit's own
        assert lines_with(text, "A1") == (text if text.endswith("\n") else text + "\n")
        assert lines_with(text, "B").count("\n") == 2 and "E3" in lines_with(text, "B")


def test_a_made_table_is_taken_as_recorded_with_either_line_end_and_refused_when_changed(tmp_path):
    from types import SimpleNamespace

    from evalbook.committee import made

    text = "unit,what\nA1,名次\nB,奖项\n"
    intake = SimpleNamespace(made={})
    made.write(intake, "k", tmp_path, {"t.csv": text})
    book = SimpleNamespace(intake=intake, validation=str(tmp_path / "validation.json"))
    assert made.taken(book, "k", "表", "table") == {"t.csv": text}
    assert made.taken(book, "k", "表", "table", needle="B") == {"t.csv": "unit,what\nB,奖项\n"}
    (tmp_path / "t.csv").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))  # copied through Windows
    assert made.taken(book, "k", "表", "table", needle="A1") == {"t.csv": "unit,what\nA1,名次\n"}
    (tmp_path / "t.csv").write_text(text.replace("名次", "奖项"), encoding="utf-8")
    with pytest.raises(InputError) as refused:
        made.taken(book, "k", "表", "table", needle="A1")
    assert "t.csv" in str(refused.value) and "表缺失或与校验记录不符" in str(refused.value)
    (tmp_path / "t.csv").unlink()
    with pytest.raises(InputError):
        made.taken(book, "k", "表", "table")


def test_a_naiman_specialty_report_from_the_snapshot_is_the_one_made_alone(tmp_path):
    from evalbook.schemes.naiman_specialty import report as naiman

    scheme, year = "naiman-specialty", 2025
    alone = open_year(scheme, year)
    write_year_tables(alone.scheme, alone.intake, alone.scores, tmp_path)
    validation = tmp_path / "validation.json"
    validation.write_text(json.dumps(alone.intake.validation_record(), ensure_ascii=False), encoding="utf-8")
    units = alone.scores.units
    assert len(set(units["code"])) < len(units)  # an institution with several specialties: its own rows hold them all
    for code, specialty in zip(units["code"], units["specialty"], strict=True):
        book = open_year(scheme, year, "", str(validation), code, specialty)
        assert set(book.intake.frame("indicators.csv")["code"]) == {code}
        assert len(book.scores.units) == len(units)

        def pages(b, code=code, specialty=specialty):
            key = (code, specialty)
            return [str(f(b, *key)) for f in (naiman.specialty_header, naiman.score_buildup, naiman.commitments_table,
                                              naiman.attainment_chart, naiman.warnings_section, naiman.onsite_table,
                                              unit_panel, naiman.survey_table)] + [
                str(unit_trend_section(b, str(validation), *key)), str(submissions_section(b, code, specialty=specialty)),
                str(naiman.validation_summary(b, code)), str(inputs_table(b)), record_json(result_record(b, key))]

        assert pages(book) == pages(alone), (code, specialty)


def test_the_group_item_means_are_exact_and_the_same_from_the_snapshot_or_worked_out():
    from evalbook.schemes.wendeng_featured.scoring import ITEM_COLUMNS, CohortScores, item_means

    # item 1: district 10, 9.5, 9.25 → 28.75 / 3 = 115/12 (9.58333…, no float could hold it); primary 7 and 8 → 15/2
    units = pd.DataFrame({"code": ["A", "B", "C", "D", "E"], "group": ["district"] * 3 + ["primary"] * 2,
                          **{c: [Fraction(10), Fraction(19, 2), Fraction(37, 4), Fraction(7), Fraction(8)]
                             for c in ITEM_COLUMNS}})
    units["item_16"] = [Fraction(0)] * 4 + [Fraction(1, 3)]  # primary: (0 + 1/3) / 2 = 1/6
    means = item_means(units)
    assert means["group"].tolist() == ["district", "primary"]
    assert means.loc[0, "item_01"] == Fraction(115, 12) and means.loc[1, "item_01"] == Fraction(15, 2)
    assert means.loc[1, "item_16"] == Fraction(1, 6) and means.loc[0, "item_16"] == 0
    worked_out = CohortScores(units, pd.DataFrame())
    kept = CohortScores(units.iloc[:0], pd.DataFrame(), group_means=snapshot.decode(snapshot.encode(means)))
    for group in ("district", "primary"):
        assert kept.item_means_of(group) == worked_out.item_means_of(group)
        assert all(type(v) is Fraction for v in kept.item_means_of(group).values())


@pytest.mark.parametrize("statistics", [True, False])
def test_a_codes_rows_are_found_across_row_groups_with_or_without_their_ranges(tmp_path, statistics):
    import pyarrow as pa

    # sorted by code, 3 rows a group: B's rows span the first two groups; D is in none
    table = pa.table({"code": ["A", "B", "B", "B", "B", "C", "E"], "__line": [2, 3, 4, 5, 6, 7, 8],
                      "x": ["a", "b1", "b2", "b3", "b4", "c", None]})
    path = tmp_path / "rows.parquet"
    pq.write_table(table, path, row_group_size=3, write_statistics=statistics)
    file = pq.ParquetFile(path)
    assert file.metadata.num_row_groups == 3
    assert snapshot._rows_with(file, "B").column("__line").to_pylist() == [3, 4, 5, 6]
    assert snapshot._rows_with(file, "E").column("x").to_pylist() == [None]
    missing = snapshot._rows_with(file, "D")
    assert missing.num_rows == 0 and missing.column_names == ["code", "__line", "x"]
