"""What we write for spreadsheets cannot run as a formula, and numbers keep full precision."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from evalbook.output.tables import csv_text, neutralise, write_workbook


@pytest.mark.parametrize("text", ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x", '=HYPERLINK("http://x","y")'])
def test_formula_like_text_is_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["医院", "a=b", "", None, -3.5, 0, 12])
def test_other_values_pass_unchanged(value):
    assert neutralise(value) == value


def test_csv_keeps_numbers_and_neutralises_text():
    frame = pd.DataFrame({"name": ["=cmd()", "普通"], "total": [-1.25, 0.1 + 0.2], "rank": [1, 2]})
    lines = csv_text(frame).splitlines()
    assert lines[0] == "name,total,rank"
    assert lines[1] == "'=cmd(),-1.25,1"          # a negative number is a number, not text to neutralise
    assert lines[2] == "普通,0.30000000000000004,2"  # full precision: rounding is for display only


def test_workbook_text_is_never_a_formula(tmp_path):
    path = tmp_path / "x.xlsx"
    write_workbook(path, [("表", ["名称", "值"], [("=1+2", 3.5), ("@SUM(A1:A2)", -1), ("正常", None)])])
    sheet = load_workbook(path)["表"]
    assert sheet["A2"].value == "=1+2" and sheet["A2"].data_type == "s"
    assert sheet["A3"].data_type == "s"
    assert sheet["B2"].value == 3.5 and sheet["B3"].value == -1
    assert sheet["B4"].value is None
