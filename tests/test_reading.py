"""evalbook.reading.read_text_table: CSV files from Excel or scripts, read as text.

The contract (RUBRICS.md "Input files" and the module docstring): UTF-8 with or without a BOM,
or GB18030/GBK as Excel on Chinese Windows saves it; every cell kept as the typed string,
stripped, empty → None; the index is the line number in the file (header = 1); problems name
the file, the line and the column; unknown extra columns are a warning and are ignored.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from evalbook import reading
from evalbook.reading import read_text_table

COLUMNS = ["code", "name", "group"]
TEXT = "code,name,group\nWDZG,文登整骨医院,district\nSC,宋村中心卫生院,primary\n"


def write(tmp_path: Path, content: str | bytes, name: str = "institutions.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode(encoding)
    path.write_bytes(content)
    return path


def errors(problems):
    return [p for p in problems if p.is_error]


def shown(problems) -> str:
    return "\n".join(f"{p.severity} row={p.row!r} column={p.column!r}: {p.rule_en}" for p in problems) or "(none)"


# --------------------------------------------------------------------------- encodings

def test_utf8_with_and_without_bom_read_the_same(tmp_path):
    plain, problems_plain = read_text_table(write(tmp_path, TEXT, "plain.csv"), COLUMNS)
    bom, problems_bom = read_text_table(write(tmp_path, TEXT, "bom.csv", encoding="utf-8-sig"), COLUMNS)
    assert problems_plain == [] and problems_bom == []
    assert (tmp_path / "bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    pd.testing.assert_frame_equal(plain.frame, bom.frame)
    assert list(bom.frame.columns) == COLUMNS  # the BOM did not stick to the first column name
    assert bom.frame.loc[2, "code"] == "WDZG"


def test_gbk_file_is_accepted_and_decoded(tmp_path):
    path = write(tmp_path, TEXT, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really not UTF-8
    table, problems = read_text_table(path, COLUMNS)
    assert problems == []
    assert table.encoding == "gb18030"
    assert table.frame.loc[2, "name"] == "文登整骨医院"
    assert table.frame.loc[3, "name"] == "宋村中心卫生院"


def test_gb18030_only_characters_are_decoded(tmp_path):
    # 𠀀 (U+20000) is outside GBK; GB18030 encodes it with four bytes.
    path = write(tmp_path, "code,name,group\nX1,卫生院𠀀,primary\n", encoding="gb18030")
    table, problems = read_text_table(path, COLUMNS)
    assert problems == []
    assert table.frame.loc[2, "name"] == "卫生院𠀀"


def test_sha256_is_of_the_raw_bytes(tmp_path):
    path = write(tmp_path, TEXT, encoding="gbk")
    table, _ = read_text_table(path, COLUMNS)
    assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == reading.sha256_file(path)


# --------------------------------------------------------------------------- shape of the table

@pytest.mark.parametrize("bad_line, cells", [("SC,宋村中心卫生院,primary,extra", 4), ("SC,宋村中心卫生院", 2)],
                         ids=["too-many", "too-few"])
def test_ragged_row_is_a_problem_on_its_line(tmp_path, bad_line, cells):
    path = write(tmp_path, f"code,name,group\nWDZG,文登整骨医院,district\n{bad_line}\nGC,高村中心卫生院,primary\n")
    table, problems = read_text_table(path, COLUMNS, label="institutions.csv")
    assert len(errors(problems)) == 1, shown(problems)
    problem = errors(problems)[0]
    assert (problem.file, problem.row) == ("institutions.csv", 3)
    assert str(cells) in problem.rule_en and "3" in problem.rule_en  # "row has N cells but the header has 3"
    assert problem.rule_zh.strip()
    if table is not None:  # the ragged row is not read as data; the others keep their lines
        assert 3 not in table.frame.index
        assert table.frame.loc[4, "code"] == "GC"


def test_missing_required_column_names_it_and_gives_no_table(tmp_path):
    path = write(tmp_path, "code,group\nWDZG,district\n")
    table, problems = read_text_table(path, COLUMNS, label="institutions.csv")
    assert table is None
    assert [(p.file, p.row, p.column, p.severity) for p in problems] == [("institutions.csv", 1, "name", "error")]
    assert problems[0].rule_zh.strip() and problems[0].rule_en.strip()


def test_missing_optional_column_is_added_empty(tmp_path):
    path = write(tmp_path, "code,name\nWDZG,文登整骨医院\n")
    table, problems = read_text_table(path, ["code", "name", "submitted_on"], optional=("submitted_on",))
    assert problems == []
    assert list(table.frame.columns) == ["code", "name", "submitted_on"]
    assert table.frame.loc[2, "submitted_on"] is None


def test_unknown_extra_column_is_a_warning_and_ignored(tmp_path):
    path = write(tmp_path, "code,备注,name,group\nWDZG,示例,文登整骨医院,district\n")
    table, problems = read_text_table(path, COLUMNS, label="institutions.csv")
    assert errors(problems) == []
    assert [(p.row, p.column, p.severity) for p in problems] == [(1, "备注", "warning")]
    assert list(table.frame.columns) == COLUMNS
    assert table.frame.loc[2].tolist() == ["WDZG", "文登整骨医院", "district"]


def test_duplicate_header_column_is_a_problem(tmp_path):
    path = write(tmp_path, "code,name,group,name\nWDZG,甲,district,乙\n")
    table, problems = read_text_table(path, COLUMNS)
    assert table is None
    assert [(p.row, p.column) for p in errors(problems)] == [(1, "name")]


def test_columns_are_returned_in_the_declared_order(tmp_path):
    path = write(tmp_path, "group,code,name\ndistrict,WDZG,文登整骨医院\n")
    table, problems = read_text_table(path, COLUMNS)
    assert problems == []
    assert list(table.frame.columns) == COLUMNS
    assert table.frame.loc[2].tolist() == ["WDZG", "文登整骨医院", "district"]


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n", b",,\n"], ids=["empty", "bom-only", "blank-lines", "empty-header"])
def test_empty_file_is_a_problem(tmp_path, content):
    table, problems = read_text_table(write(tmp_path, content), COLUMNS, label="institutions.csv")
    assert table is None
    assert len(errors(problems)) == 1 and problems[0].file == "institutions.csv"
    assert problems[0].rule_zh.strip() and problems[0].rule_en.strip()


def test_header_only_gives_an_empty_frame(tmp_path):
    table, problems = read_text_table(write(tmp_path, "code,name,group\n"), COLUMNS)
    assert problems == []
    assert table.frame.empty
    assert list(table.frame.columns) == COLUMNS


def test_blank_lines_are_skipped_and_line_numbers_match_the_file(tmp_path):
    content = "code,name,group\r\n\r\nWDZG,文登整骨医院,district\r\n   \r\nSC,宋村中心卫生院,primary\r\n,,\r\n\r\n"
    path = write(tmp_path, content)
    table, problems = read_text_table(path, COLUMNS)
    assert problems == []
    lines = path.read_text(encoding="utf-8").splitlines()
    assert list(table.frame.index) == [3, 5]
    for line in table.frame.index:
        assert lines[line - 1].split(",")[0] == table.frame.loc[line, "code"]


def test_line_numbers_after_a_skipped_blank_line_locate_a_ragged_row(tmp_path):
    path = write(tmp_path, "code,name,group\n\nWDZG,文登整骨医院,district\n\nSC,宋村中心卫生院\n")
    _, problems = read_text_table(path, COLUMNS)
    assert [p.row for p in errors(problems)] == [5]


def test_cells_are_stripped_and_empty_cells_are_none(tmp_path):
    path = write(tmp_path, "code , name ,group\n  WDZG , 文登整骨医院 ,\nSC,\u3000,  \n")
    table, problems = read_text_table(path, COLUMNS)
    assert problems == []
    assert table.frame.loc[2].tolist() == ["WDZG", "文登整骨医院", None]
    assert table.frame.loc[3, "code"] == "SC"
    assert table.frame.loc[3, "group"] is None
    assert table.frame.loc[3, "name"] is None  # an ideographic space (全角空格) is blank too


def test_quoted_cells_keep_commas(tmp_path):
    path = write(tmp_path, 'code,name,group\nWDZG,"文登整骨医院,骨科",district\n')
    table, problems = read_text_table(path, COLUMNS)
    assert problems == []
    assert table.frame.loc[2, "name"] == "文登整骨医院,骨科"


# --------------------------------------------------------------------------- not a text CSV

def test_nul_bytes_are_a_problem(tmp_path):
    path = write(tmp_path, b"code,name,group\nWDZG,\x00\x00,district\n")
    table, problems = read_text_table(path, COLUMNS, label="institutions.csv")
    assert table is None
    assert len(problems) == 1 and problems[0].is_error and problems[0].file == "institutions.csv"
    assert "NUL" in problems[0].rule_en


def test_excel_workbook_renamed_to_csv_is_a_problem(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:  # an .xlsx is a zip archive
        book.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types/>')
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>")
    table, problems = read_text_table(write(tmp_path, buffer.getvalue()), COLUMNS, label="institutions.csv")
    assert table is None
    assert len(problems) == 1 and problems[0].is_error
    assert problems[0].rule_zh.strip() and problems[0].rule_en.strip()


def test_undecodable_bytes_are_a_problem(tmp_path):
    # 0xFF is neither UTF-8 nor a GB18030 lead byte.
    table, problems = read_text_table(write(tmp_path, b"code,name,group\nWDZG,\xff\xff,district\n"), COLUMNS)
    assert table is None
    assert len(problems) == 1 and problems[0].is_error
    assert "decode" in problems[0].rule_en


def test_missing_file_is_a_problem(tmp_path):
    table, problems = read_text_table(tmp_path / "nope.csv", COLUMNS, label="2023/facts.csv")
    assert table is None
    assert [(p.file, p.severity) for p in problems] == [("2023/facts.csv", "error")]
    assert "missing" in problems[0].rule_en


def test_file_over_the_size_limit_is_a_problem(tmp_path, monkeypatch):
    path = write(tmp_path, TEXT)
    size = path.stat().st_size
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", size - 1)
    table, problems = read_text_table(path, COLUMNS, label="institutions.csv")
    assert table is None
    assert len(problems) == 1 and problems[0].is_error
    assert "large" in problems[0].rule_en and str(size) in problems[0].rule_en
    assert str(size) in problems[0].rule_zh


def test_file_at_the_size_limit_is_read(tmp_path, monkeypatch):
    path = write(tmp_path, TEXT)
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", path.stat().st_size)
    table, problems = read_text_table(path, COLUMNS)
    assert problems == [] and len(table.frame) == 2


def test_formula_protection_written_by_ingest_is_taken_off_on_reading(tmp_path):
    text = "code,name,group\nA1,'=1+2,x\nA2,''=kept once,x\nA3,'plain,x\nA4,'-x,x\nA5,',x\n"
    table, problems = read_text_table(write(tmp_path, text), COLUMNS)
    assert not errors(problems), shown(problems)
    assert table.frame["name"].tolist() == ["=1+2", "'=kept once", "'plain", "-x", "'"]
