"""Notebooks run from any working directory, fail with a clear bilingual message, and read as text.

The papermill runs start from a temporary folder (not the repository, not the notebook's folder) with
only the notebook's own parameters, as an evaluator would from a terminal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from evalbook.core import paths
from evalbook.core.errors import InputError
from evalbook.output.html import Html, badge, key_values, section, table
from evalbook.output.plaintext import text_of

REPO = Path(__file__).resolve().parents[1]
PAPERMILL = Path(sys.executable).parent / "papermill"


# --- the text form of an output (no kernel) ----------------------------------------------------

def test_text_form_is_the_table_as_aligned_text():
    page = section("排名", table([(1, "区人民医院", "73.15"), (12, "<script>x</script>", "9")], ["名次", "机构", "总成绩"],
                                 numeric=(0, 2)), note="四舍五入到两位")
    # widths: 名次 = 4 columns ("12" is 2); 机构 = max(区人民医院 5×2=10, "<script>x</script>" 18) = 18;
    # 总成绩 = 6 ("73.15" is 5, right-aligned: one space before it, "9" gets five)
    assert text_of(page) == ("## 排名\n\n四舍五入到两位\n\n"
                             "名次  机构                总成绩\n"
                             "   1  区人民医院           73.15\n"
                             "  12  <script>x</script>       9")
    assert repr(page) == text_of(page)  # what IPython puts in text/plain: no "<evalbook HTML, N characters>"


def test_text_form_of_key_values_badges_lists_and_charts():
    page = Html(f"<h1>报告</h1>{key_values([('结论', Html(badge('合格', 'pass') + badge('推荐')))])}"
                '<ul><li>一</li><li>二</li></ul>'
                '<svg role="img"><title>总分</title><text>1. 甲</text></svg>')
    assert text_of(page) == "# 报告\n\n结论  [合格] [推荐]\n\n- 一\n- 二\n\n[图 chart: 总分]\n\n1. 甲"


def test_a_list_in_a_cell_is_one_line_and_keeps_the_datas_own_dots():
    from evalbook.output.html import bullet_list

    # the items joined by " · "; a name that itself starts with · (the specialty rule allows it) keeps it
    assert text_of(table([("1", bullet_list(["·甲", "乙"])), ("2", "·中医")], ["a", "b"])) == "a  b\n1  ·甲 · 乙\n2  ·中医"


def test_a_charts_text_form_is_its_labels_and_values():
    from evalbook.output.charts import bars

    long = "乙" * 20  # 20 × 12 px = 240 px > the 160 px label room: drawn cut with …, the full text is its tooltip
    chart = bars([("甲<b>", 90.5, True), (long, 58, False)], maximum=100, title="总分")
    # the title; the axis' ticks (0 … 100) left out; the label column as wide as the long label (20 × 2 = 40)
    assert text_of(chart) == f"[图 chart: 总分]\n\n甲<b>{' ' * 35}  90.5分\n{long}  58分"


def test_outputs_carry_the_report_look_inline_for_jupyterlab():
    page = section("排名", table([("1", "<b>甲</b>")], ["名次", "机构"], numeric=(0,), row_classes=["awarded"]),
                   Html(badge("合格", "pass") + '<svg><text class="note">1</text></svg>'))
    cell = "border:1px solid #d5dbe1;padding:4px 7px;vertical-align:top"  # report.css: table.eb th, table.eb td
    assert page._repr_html_() == (
        '<section class="eb"><h2 style="font-size:18px;color:#1f4e79;border-bottom:2px solid #1f4e79;'
        'padding-bottom:4px;margin:28px 0 10px">排名</h2>'
        '<table class="eb " style="border-collapse:collapse;width:100%;margin:6px 0 12px"><thead><tr>'
        f'<th style="{cell};text-align:left;background-color:#eef2f6;white-space:nowrap">名次</th>'
        f'<th style="{cell};text-align:left;background-color:#eef2f6;white-space:nowrap">机构</th></tr></thead>'
        f'<tbody><tr class="awarded"><td class="num" style="{cell};text-align:right;background-color:#fdf6e9">1</td>'
        f'<td style="{cell};text-align:left;background-color:#fdf6e9">&lt;b&gt;甲&lt;/b&gt;</td></tr></tbody></table>'
        '<span class="badge pass" style="display:inline-block;font-size:11px;padding:0 5px;border-radius:3px;'
        'background-color:#1e7b45;color:#fff;margin-left:4px">合格</span>'
        '<svg><text class="note">1</text></svg></section>')
    assert str(page).count("style=") == 0  # the markup other sections embed stays unstyled (styled once, at the top)


# --- where the data are ------------------------------------------------------------------------

def test_empty_data_dir_means_the_setting_or_the_repository(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.DATA_SETTING, raising=False)
    assert paths.default_data_dir() == (paths.REPO / "data").resolve()
    monkeypatch.setenv(paths.DATA_SETTING, str(tmp_path))
    assert paths.default_data_dir() == tmp_path.resolve()


def test_a_missing_file_names_the_full_path_looked_in(tmp_path, monkeypatch):
    from evalbook.notebook.year import open_year

    monkeypatch.chdir(tmp_path)
    (tmp_path / "d" / "wendeng-featured").mkdir(parents=True)
    with pytest.raises(InputError) as caught:
        open_year("wendeng-featured", 2023, "d")
    message = str(caught.value)
    where = tmp_path / "d" / "wendeng-featured" / "institutions.csv"
    assert f"缺少必需的文件（查找位置：{where}）" in message and f"required file is missing (looked for {where})" in message


# --- a wrong code or specialty -----------------------------------------------------------------

@pytest.fixture(scope="module")
def wendeng():
    from evalbook.notebook.year import open_year

    return open_year("wendeng-featured", 2023, REPO / "data")


@pytest.fixture(scope="module")
def naiman():
    from evalbook.notebook.year import open_year

    return open_year("naiman-specialty", 2025, REPO / "data")


def test_a_wrong_code_lists_the_close_matches(wendeng):
    from evalbook.notebook.year import unit_row
    from evalbook.schemes.wendeng_featured import report as wendeng_report

    assert unit_row(wendeng, "SC")["name"] == "宋村中心卫生院"
    with pytest.raises(InputError) as caught:
        wendeng_report.institution_header(wendeng, "RMY")  # was a KeyError
    (problem,) = caught.value.problems
    assert (problem.file, problem.column, problem.value) == ("institutions.csv", "institution", "RMY")
    assert problem.rule_zh.startswith("机构代码不在2023年度的评分名单中；相近的：") and "RMYY" in problem.rule_zh
    assert problem.rule_en.startswith("not a scored institution code in 2023; close matches: ") and "RMYY" in problem.rule_en


def test_a_wrong_specialty_lists_that_institutions_specialties(naiman):
    from evalbook.schemes.naiman_specialty import report as naiman_report

    with pytest.raises(InputError) as caught:
        naiman_report.specialty_header(naiman, "NMRM", "心血管内")
    (problem,) = caught.value.problems
    assert (problem.file, problem.column, problem.value) == ("specialties.csv", "specialty", "心血管内")
    assert "相近的：心血管内科" in problem.rule_zh and "close matches: 心血管内科" in problem.rule_en
    with pytest.raises(InputError) as caught:
        naiman_report.specialty_header(naiman, "NMXX", "心血管内科")
    assert caught.value.problems[0].column == "institution"


def test_in_a_notebook_the_error_shows_the_problems_not_internals():
    error = InputError([])
    assert error._render_traceback_() == ["InputError: 输入有误 invalid input (0)"]


# --- real papermill runs from another working directory ---------------------------------------

def papermill(tmp_path: Path, notebook: str, *params: str) -> tuple[subprocess.CompletedProcess, dict]:
    cwd = tmp_path / "elsewhere"
    cwd.mkdir(exist_ok=True)
    out = cwd / "out.ipynb"
    env = {k: v for k, v in os.environ.items() if k != "EVALBOOK_DATA"}
    done = subprocess.run([str(PAPERMILL), str(REPO / "notebooks" / notebook), "out.ipynb", *params],
                          cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    return done, nbformat.read(str(out), as_version=4)  # joins the JSON's line lists into strings


def outputs(nb: dict) -> list[dict]:
    return [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]


# the rows of save_result's record, counted in the demo data: SC has 2 projects in expert_scores.csv (中医针灸理疗,
# 慢病中医药管理); NMRM 神经内科 8 rows in targets.csv; the cohort: 22 institutions, 35 (code, project) pairs;
# 7 building specialties in specialties.csv and their 63 rows of targets.csv
@pytest.mark.skipif(not PAPERMILL.exists(), reason="papermill not installed")
@pytest.mark.parametrize("notebook, params, heading, rows", [
    ("wendeng-featured/institution.ipynb", ("-p", "institution", "SC"), "# 宋村中心卫生院 · 2023年度特色医疗综合考评报告",
     "units 1, projects 2"),
    ("naiman-specialty/specialty.ipynb", ("-p", "institution", "NMRM", "-p", "specialty", "神经内科"),
     "# 奈曼旗示例人民医院（示例） · 神经内科 · 2025年度临床重点专科建设评估报告", "units 1, indicators 8"),
    ("wendeng-featured/cohort.ipynb", (), "# 2023年度特色医疗综合考评结果", "units 22, projects 35"),
    ("naiman-specialty/cohort.ipynb", (), "# 2025年度旗级临床重点专科建设评估结果通报", "units 7, indicators 63"),
])
def test_notebook_runs_from_any_folder_and_reads_as_text(tmp_path, notebook, params, heading, rows):
    done, nb = papermill(tmp_path, notebook, *params)
    assert done.returncode == 0, done.stderr[-3000:]
    texts = [o["data"]["text/plain"] for o in outputs(nb) if "text/html" in o.get("data", {})]
    assert texts and not any(t.startswith("<evalbook HTML") for t in texts)
    assert heading in texts[0]
    assert texts[-1].endswith(f"行数 rows: {rows}")
    html = [o["data"]["text/html"] for o in outputs(nb) if "text/html" in o.get("data", {})]
    assert [text_of(h) for h in html[:-1]] == texts[:-1]  # the text form is the HTML's, recomputable by verify
    assert all('<table class="eb' not in h or 'style="border-collapse:collapse' in h for h in html)


@pytest.mark.skipif(not PAPERMILL.exists(), reason="papermill not installed")
def test_a_wrong_code_in_papermill_is_a_short_bilingual_message(tmp_path):
    done, nb = papermill(tmp_path, "wendeng-featured/institution.ipynb", "-p", "institution", "RMY")
    assert done.returncode != 0
    (error,) = [o for o in outputs(nb) if o["output_type"] == "error"]
    assert error["ename"] == "InputError"
    assert error["traceback"][0] == "InputError: 输入有误 invalid input (1)"
    assert len(error["traceback"]) == 4  # the header and the problem's three lines, no frames of our code
    assert "RMYY" in error["traceback"][2] and "close matches" in error["traceback"][3]


def test_notebooks_default_to_the_repository_data():
    for path in sorted((REPO / "notebooks").glob("*/*.ipynb")):
        source = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])
        assert 'data_dir = ""' in source, path
