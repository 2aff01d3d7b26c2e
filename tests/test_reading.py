"""evalbook.inputs.reading.read_text_table: CSV files from Excel or scripts, read as text.

The contract (README.md "Adding a year's data" and the module docstring): UTF-8 with or without a BOM,
or GB18030/GBK as Excel on Chinese Windows saves it; every cell kept as the typed string,
stripped, empty → None; the index is the line number in the file (header = 1); problems name
the file, the line and the column; unknown extra columns are a warning and are ignored.
What a file must be as a whole (evalbook.inputs.integrity, called from here): one encoding, quotes that close
on their line (or a multi-line cell as Excel writes it), cells of any length up to the file cap, and a
warning for invisible direction-override or zero-width characters.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from evalbook.inputs import reading
from evalbook.inputs.reading import read_text_table

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


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n", b",,\n"],
                         ids=["empty", "bom-only", "blank-lines", "empty-header"])
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


# --------------------------------------------------------------------------- one encoding per file

def test_a_gbk_name_in_a_utf8_file_is_refused_naming_the_lines_of_each_kind(tmp_path):
    # lines 2 and 4 are UTF-8 Chinese, line 3 is GBK (pasted from another program): decoding the whole
    # file as GB18030 would garble lines 2 and 4 without a word, so the file is refused.
    raw = ("code,name,group\nWDZG,文登整骨医院,district\n".encode()
           + "SC,宋村中心卫生院,primary\n".encode("gbk")
           + "GC,高村中心卫生院,primary\n".encode())
    table, problems = read_text_table(write(tmp_path, raw), COLUMNS, label="institutions.csv")
    assert table is None
    assert len(problems) == 1 and problems[0].is_error and problems[0].file == "institutions.csv"
    assert "第2、4行是 UTF-8，第3行不是 UTF-8" in problems[0].rule_zh
    assert "line(s) 2, 4 are UTF-8, line(s) 3 are not" in problems[0].rule_en


def test_mixed_encodings_name_the_first_five_lines_and_the_count(tmp_path):
    raw = b"code,name,group\n" + "".join(f"A{i},甲{i},district\n" for i in range(7)).encode() \
        + "B,乙,primary\n".encode("gbk")
    _, problems = read_text_table(write(tmp_path, raw), COLUMNS)
    # UTF-8 lines are 2..8 (7 of them): the first five shown, then the count; the GBK line is 9
    assert "第2、3、4、5、6…行（共7行）是 UTF-8，第9行不是 UTF-8" in problems[0].rule_zh
    assert "line(s) 2, 3, 4, 5, 6… (7 lines) are UTF-8, line(s) 9 are not" in problems[0].rule_en


def test_gbk_file_with_ascii_only_lines_is_still_one_encoding(tmp_path):
    content = "code,name,group\nWDZG,文登整骨医院,district\nX1,Clinic,primary\n"
    table, problems = read_text_table(write(tmp_path, content, encoding="gbk"), COLUMNS)
    assert problems == [] and table.encoding == "gb18030"
    assert table.frame["name"].tolist() == ["文登整骨医院", "Clinic"]


# --------------------------------------------------------------------------- quotes

def test_a_stray_quote_that_would_swallow_rows_is_refused_naming_its_line(tmp_path):
    # The quote opening line 2's name closes only on line 4 ("丙"): a lenient reader makes lines 2–4 one row
    # of exactly three cells (A1 | 文登,district⏎A2,乙,district⏎A3,丙 | district), so 3 rows became 1.
    path = write(tmp_path, 'code,name,group\nA1,"文登,district\nA2,乙,district\nA3,丙",district\nA4,丁,primary\n')
    table, problems = read_text_table(path, COLUMNS, label="2023/ledger.csv")
    assert table is None
    assert [(p.file, p.row, p.severity) for p in problems] == [("2023/ledger.csv", 2, "error")]
    assert "第2行有一个引号" in problems[0].rule_zh and "第2至4行被读成了一行" in problems[0].rule_zh
    assert "opens a cell on line 2" in problems[0].rule_en and "lines 2–4 would be read as one row" in problems[0].rule_en


def test_a_quote_closed_by_a_later_quoted_cell_is_refused(tmp_path):
    # line 2's quote runs to the quote opening line 3's "乙,丙": that quote "closes" the cell and 乙 follows it
    path = write(tmp_path, 'code,name,group\nA1,"文登,district\nA2,"乙,丙",primary\n')
    table, problems = read_text_table(path, COLUMNS)
    assert table is None and [p.row for p in problems] == [2]


def test_a_quote_never_closed_is_refused_naming_its_line(tmp_path):
    path = write(tmp_path, 'code,name,group\nA1,甲,district\nA2,"乙,primary\nA3,丙,primary\n')
    table, problems = read_text_table(path, COLUMNS)
    assert table is None and [p.row for p in problems] == [3]
    assert "第3至4行" in problems[0].rule_zh  # the open quote ran to the end of the file: lines 3 and 4


def test_a_multi_line_cell_as_excel_writes_it_is_kept(tmp_path):
    # Alt+Enter in a cell: Excel quotes it; a comma inside the text does not make a line look like a row
    path = write(tmp_path, 'code,name,group\nA1,"第一行,说明\n第二行",district\nA2,乙,primary\n',
                 name="x.csv")
    table, problems = read_text_table(path, COLUMNS)
    assert problems == []
    assert table.frame["name"].tolist() == ["第一行,说明\n第二行", "乙"]
    assert table.frame["code"].tolist() == ["A1", "A2"]


def test_quote_inside_an_unquoted_cell_is_text(tmp_path):
    table, problems = read_text_table(write(tmp_path, 'code,name,group\nA1,5" 屏,district\n'), COLUMNS)
    assert problems == [] and table.frame.loc[2, "name"] == '5" 屏'


# --------------------------------------------------------------------------- long text

def test_a_one_megabyte_cell_is_read(tmp_path):
    long = "台" * 1_000_000  # 3,000,000 bytes in UTF-8: over the csv module's default field limit (131,072)
    table, problems = read_text_table(write(tmp_path, f"code,name,group\nA1,{long},district\n"), COLUMNS)
    assert problems == []
    assert len(table.frame.loc[2, "name"]) == 1_000_000


# --------------------------------------------------------------------------- text that reads as something else

@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200b", "\u200d", "\u2060", "\ufeff"],
                         ids=["rlo", "lri", "zwsp", "zwj", "word-joiner", "bom-inside"])
def test_invisible_characters_in_a_name_are_a_warning_naming_the_cell(tmp_path, char):
    path = write(tmp_path, f"code,name,group\nA1,甲,district\nA2,文登{char}医院,primary\n")
    table, problems = read_text_table(path, COLUMNS, label="institutions.csv")
    assert [(p.file, p.row, p.column, p.value, p.severity) for p in problems] == [
        ("institutions.csv", 3, "name", f"文登{char}医院", "warning")]
    assert f"U+{ord(char):04X}" in problems[0].rule_zh and f"U+{ord(char):04X}" in problems[0].rule_en
    assert table.frame.loc[3, "name"] == f"文登{char}医院"  # kept as typed: a warning, not a change


def test_a_leading_bom_is_no_invisible_character(tmp_path):
    table, problems = read_text_table(write(tmp_path, TEXT, encoding="utf-8-sig"), COLUMNS)
    assert problems == []


@pytest.mark.parametrize("end", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_mixed_encoding_lines_are_counted_as_the_csv_module_counts_them(tmp_path, end):
    # Excel's CRLF (and old Mac CR) line ends: the GBK line is still line 3, the UTF-8 one line 2
    raw = f"code,name,group{end}A1,甲,district{end}".encode() + f"A2,乙,primary{end}".encode("gbk")
    _, problems = read_text_table(write(tmp_path, raw), COLUMNS)
    assert "第2行是 UTF-8，第3行不是 UTF-8" in problems[0].rule_zh


@pytest.mark.parametrize("body", [
    "a1, b1 ,c1\n\na2,,c2\n,,\n  \nx,y\na3,b3,c3,d3\n\u3000a4\u3000,b4,c4\r\na5,b5,c5\ra6,b6,c6",  # spaces, blanks, widths
    "a1,b1,c1\na2,,c2\n",                                                               # nothing to strip
    "a1,b1,c1\n, ,\n,,\n",                                                              # blank rows of the width
    "a1, b1 ,c1\r\n\u3000a2\u3000,'=b2,''=c2\r,,\n a3,b3 ,\n\u200bx,'y,-1\n",  # every line as wide: read at once
])
def test_a_file_without_quotes_reads_as_the_csv_module_reads_it(tmp_path, body):
    """A text without quotes is split in one pass (``_split_lines``), or read column by column when every line is as
    wide as the header (``_columns_at_once``); the same cells quoted go through the csv module: the same table, line
    numbers and problems."""
    plain, quoted = tmp_path / "plain.csv", tmp_path / "quoted.csv"
    plain.write_text("a,b,c\n" + body, encoding="utf-8")
    quoted.write_text('"a",b,c\n' + body, encoding="utf-8")  # a quote in the header only: the csv module's path
    fast, fast_problems = read_text_table(plain, ["a", "b", "c"], label="x.csv")
    slow, slow_problems = read_text_table(quoted, ["a", "b", "c"], label="x.csv")
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert [p.as_dict() for p in fast_problems] == [p.as_dict() for p in slow_problems]
    if "\u3000a2" in body:  # Arrow's path: line ends of every kind, stripped, protected cells read back, blanks
        assert reading._columns_at_once(plain.read_bytes(), "utf-8-sig", plain.read_text(encoding="utf-8"),
                                        ["a", "b", "c"]) is not None
        assert list(fast.frame.index) == [2, 3, 5, 6]
        assert fast.frame.loc[3].tolist() == ["a2", "=b2", "'=c2"] and fast.frame.loc[5, "c"] is None
        assert [p.rule_en[:9] for p in fast_problems] == ["contains "]  # the zero-width space, line 6
    if "\u3000a4" in body:
        assert fast.frame.loc[9, "a"] == "a4" and fast.frame.loc[2, "b"] == "b1"
        assert [p.row for p in fast_problems] == [7, 8]  # "x,y" and "a3,b3,c3,d3"; blank lines are no problem
