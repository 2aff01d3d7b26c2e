"""``evalbook verify``: a clean published year reproduces; each kind of tampering is caught and named.

One run of the five-institution cohort of test_cli_e2e is published once per module; each test
verifies a copy of it (the manifests point at the module's data by absolute path, as a run records
them), so tampering never leaks between tests. Also: the same inputs give byte-identical CSVs and
notebooks equal except for recorded times.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import nbformat
import pytest

from evalbook.audit.verify import CHANGED, CODE, DIFFERS, IDENTICAL, TAMPERED, UNCHECKED, verify
from evalbook.cli.commands import main
from evalbook.core import paths
from evalbook.inputs.reading import sha256_file
from evalbook.run.batch import RunOptions, run_year, validate_year
from test_cli_e2e import SCHEME, build_cohort

YEAR = 2023


def publish(data: Path, out: Path) -> Path:
    report = run_year(SCHEME, YEAR, data, out, intake=validate_year(SCHEME, YEAR, data), log=lambda _: None,
                      options=RunOptions(bar=False))
    assert not report.failures
    return out / SCHEME / str(YEAR)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("verify")
    build_cohort(root / "data")
    return root / "data", publish(root / "data", root / "out")


@pytest.fixture
def year(published, tmp_path) -> Path:
    """A copy of the published year folder, free to tamper with."""
    copy = tmp_path / SCHEME / str(YEAR)
    shutil.copytree(published[1], copy)
    return copy


def cli(*args) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue() + err.getvalue()


def by_unit(findings) -> dict:
    return {f.unit: f for f in findings}


def rewrite_csv_cell(path: Path, row: int, column: str, change) -> tuple[str, str]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    before = rows[row][column]
    rows[row][column] = change(before)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return before, rows[row][column]


def rerecord(folder: Path, name: str) -> None:
    """What a careful forger does: put the tampered file's new hash into the manifest."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs"][name] = sha256_file(folder / name)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def test_a_clean_year_reproduces_every_report_and_exits_0(year):
    code, text = cli("verify", year)
    assert code == 0, text
    assert "Traceback" not in text
    for unit in ("年度结果 year", "D1", "D2", "P1", "P2", "P3"):
        assert f"✓ {unit}: 一致 identical" in text
    assert "核验通过：6项全部一致" in text


def test_one_report_folder_can_be_verified_alone(year):
    findings = verify(year / "P1")
    assert [f.unit for f in findings] == ["年度结果 year", "P1"]
    assert all(f.status == IDENTICAL for f in findings), [f.details for f in findings]


def test_a_tampered_scores_csv_is_caught_by_its_hash(year):
    rewrite_csv_cell(year / "scores.csv", 0, "total", lambda v: str(float(v) + 1))
    code, text = cli("verify", year)
    assert code == 1
    assert "✗ 年度结果 year: 文件被改动 tampered" in text and "scores.csv: sha256 与清单不符" in text
    assert "✓ D1: 一致 identical" in text  # the reports themselves are intact
    assert "核验未通过：1/6项不能复现" in text


def test_a_tampered_scores_csv_with_a_forged_hash_is_caught_by_rescoring_and_the_number_named(year):
    before, after = rewrite_csv_cell(year / "scores.csv", 1, "total", lambda v: str(float(v) + 0.5))
    rerecord(year, "scores.csv")
    found = by_unit(verify(year))["年度结果 year"]
    assert found.status == DIFFERS
    assert any("scores.csv" in d and "列 total" in d and repr(after) in d and repr(before) in d for d in found.details), \
        found.details


def test_a_flag_forged_in_panel_csv_with_a_forged_hash_is_caught_by_rescoring(year):
    # the cohort's panels: D1 项目A E1 80, E2 90 (mean 85, deviations −5, +5: no flag); a forger writes 偏低 on E1's row
    before, after = rewrite_csv_cell(year / "panel.csv", 0, "flag", lambda v: v + "偏低")
    assert (before, after) == ("", "偏低")
    rerecord(year, "panel.csv")
    found = by_unit(verify(year))["年度结果 year"]
    assert found.status == DIFFERS
    assert any("panel.csv" in d and "flag" in d for d in found.details), found.details


def test_a_report_whose_result_was_forged_differs_in_the_named_field(year):
    result = json.loads((year / "D2" / "result.json").read_text(encoding="utf-8"))
    result["units"][0]["total"] += 10
    (year / "D2" / "result.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    rerecord(year / "D2", "result.json")
    found = by_unit(verify(year))
    assert found["D2"].status == DIFFERS
    forged = result["units"][0]["total"]
    assert f"result.json units[0].total: 发布值 published {forged!r} → 重算 recomputed {forged - 10!r}" \
        in found["D2"].details, found["D2"].details
    assert found["D1"].status == IDENTICAL


def test_each_tampered_or_deleted_report_file_is_caught_in_its_own_report(year):
    tampered = {"D1": "institution.ipynb", "D2": "report.html", "P1": "audit.html", "P2": "result.json"}
    for code, name in tampered.items():
        target = year / code / name
        target.write_bytes(target.read_bytes().replace(code.encode(), b"X9", 1))
    (year / "P3" / "report.html").unlink()
    found = by_unit(verify(year))
    for code, name in tampered.items():
        assert found[code].status == TAMPERED, code
        assert found[code].details[0] == f"{name}: sha256 与清单不符 does not match the manifest"
    assert found["P3"].status == TAMPERED and found["P3"].details == ["report.html: 缺失 missing"]
    assert found["年度结果 year"].status == IDENTICAL


def test_an_executed_notebook_forged_with_its_hash_differs_in_its_outputs(year):
    path = year / "P1" / "institution.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.outputs)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="总分 100\n")]
    nbformat.write(nb, str(path))
    rerecord(year / "P1", "institution.ipynb")
    found = by_unit(verify(year / "P1"))["P1"]
    assert found.status == DIFFERS
    assert "institution.ipynb: 单元格输出不同 cell outputs differ" in found.details


def test_a_data_folder_changed_since_publication_is_information_the_archive_proves_the_year(published, year):
    data, _ = published
    facts = data / SCHEME / str(YEAR) / "facts.csv"
    original = facts.read_bytes()
    try:
        facts.write_bytes(original.replace(b"\n", b"\r\n", 1))  # even a byte that changes no number
        code, text = cli("verify", year)
    finally:
        facts.write_bytes(original)
    assert code == 0, text  # everything is re-done from inputs/, what the year was built from
    assert "· 今日数据与发布时不同 today's data differ from the published inputs: 2023/facts.csv" in text
    assert text.count("today's data differ") == 1  # the other files are as published
    assert "核验通过：6项全部一致" in text


def strike_archive(year: Path) -> None:
    """A year as published before inputs were archived: no inputs/ folder, none listed."""
    shutil.rmtree(year / "inputs")
    edit_manifest(year, lambda m: [m["outputs"].pop(k) for k in list(m["outputs"]) if k.startswith("inputs/")])


def test_without_an_archive_an_input_changed_since_publication_is_named_for_the_year_and_every_report(published, year):
    strike_archive(year)
    assert cli("verify", year)[0] == 0  # today's data folder still holds what the year was built from
    data, _ = published
    facts = data / SCHEME / str(YEAR) / "facts.csv"
    original = facts.read_bytes()
    try:
        facts.write_bytes(original.replace(b"\n", b"\r\n", 1))
        code, text = cli("verify", year)
    finally:
        facts.write_bytes(original)
    assert code == 1
    for unit in ("年度结果 year", "D1", "P3"):
        assert f"✗ {unit}: 输入已改变 inputs changed" in text
    assert "2023/facts.csv: 自发布后已改变或缺失 changed or missing since publication" in text
    assert "核验未通过：6/6项不能复现" in text


def test_a_changed_notebook_template_or_rubric_is_named(year, tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    for entry in paths.REPO.iterdir():
        if entry.name != "notebooks":
            (repo / entry.name).parent.mkdir(parents=True, exist_ok=True)
            (repo / entry.name).symlink_to(entry)
    shutil.copytree(paths.REPO / "notebooks", repo / "notebooks")
    template = repo / "notebooks" / SCHEME / "institution.ipynb"
    template.write_text(template.read_text(encoding="utf-8").replace("institution", "institution ", 1),
                        encoding="utf-8")
    monkeypatch.setattr(paths, "REPO", repo)
    found = by_unit(verify(year / "D1"))
    assert found["D1"].status == CHANGED
    assert f"notebooks/{SCHEME}/institution.ipynb: 笔记本模板已改变 the notebook template changed" in found["D1"].details
    assert found["年度结果 year"].status == IDENTICAL  # the cohort notebook and the rubric are unchanged


def test_not_a_published_folder_is_a_clear_error(tmp_path):
    code, text = cli("verify", tmp_path)
    assert code == 1 and "Traceback" not in text
    assert "这里没有 evalbook 的发布结果" in text and "not a published evalbook year" in text


def test_a_deleted_year_manifest_is_named(year):
    (year / "manifest.json").unlink()
    for target in (year, year / "D1"):
        code, text = cli("verify", target)
        assert code == 1 and "Traceback" not in text
        assert f"{year / 'manifest.json'}" in text and "年度清单缺失" in text and "the year's manifest is missing" in text


def test_the_same_inputs_give_byte_identical_csvs_and_notebooks_equal_but_for_times(published, tmp_path):
    data, first = published
    second = publish(data, tmp_path / "again")
    for name in ("scores.csv", "project_scores.csv", "panel.csv", "leave_one_out.csv", "validation.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    for code in ("D1", "P3"):
        assert (first / code / "result.json").read_bytes() == (second / code / "result.json").read_bytes()
    for notebook in (Path("cohort.ipynb"), Path("D1") / "institution.ipynb", Path("P2") / "institution.ipynb"):
        assert without_times(first / notebook) == without_times(second / notebook), notebook


def without_times(path: Path) -> dict:
    """The notebook with what papermill records of time removed: start/end times and durations."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    for key in ("start_time", "end_time", "duration"):
        nb["metadata"].get("papermill", {}).pop(key, None)
    return nb


# --- forgeries that the manifests alone did not catch ---------------------------------------------------------
# D1's total, by hand: 0.7 × 100 + 0.3 × 85 = 70 + 25.5 = 95.5 (test_cli_e2e.EXPECTED); the forger makes it 96.5.

def forge_text(path: Path, before: str, after: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert before in text, (path, before)
    path.write_text(text.replace(before, after, 1), encoding="utf-8")


def forge_cell(path: Path, before: str, after: str, numeric: bool = True) -> None:
    """Change the first number cell (or the cell after the heading 总成绩) showing ``before`` to ``after``;
    a cell carries its inline style (``html.styled``), escaped as JSON in a notebook."""
    text = path.read_text(encoding="utf-8")
    cell = r'(<td class=\\?"num\\?"[^>]*>)' if numeric else r"(总成绩</th><td[^>]*>)"
    forged, count = re.subn(cell + re.escape(before) + "</td>", lambda m: m.group(1) + after + "</td>", text, count=1)
    assert count == 1, (path, before)
    path.write_text(forged, encoding="utf-8")


def edit_manifest(folder: Path, change) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def test_the_year_manifest_lists_every_published_file(published, year):
    data = published[0] / SCHEME
    # every input, archived under its own sha256 (computed here from the data folder's files)
    archived = [f"inputs/{sha256_file(data / name)}" for name in
                ("institutions.csv", "2023/facts.csv", "2023/judgments.csv", "2023/expert_scores.csv",
                 "2023/project_stats.csv", "2023/ledger.csv")]
    listed = json.loads((year / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    assert sorted(listed) == sorted(["D1/manifest.json", "D2/manifest.json", "P1/manifest.json", "P2/manifest.json",
                                     "P3/manifest.json", "audit.html", "cohort.ipynb", "index.html", "leave_one_out.csv",
                                     "panel.csv", "project_scores.csv", "result.json", "results.xlsx", "scores.csv",
                                     "sensitivity.csv", "trend_items.csv", "trends.csv",
                                     "validation.json", *archived,
                                     # the run's snapshot for its report notebooks: each input's cells, the cohort's tables
                                     *(f"snapshot/input-{name}.parquet" for name in
                                       ("institutions", "facts", "judgments", "expert_scores", "project_stats", "ledger")),
                                     "snapshot/cohort-units.parquet", "snapshot/cohort-projects.parquet",
                                     "snapshot/cohort-group_means.parquet",
                                     "snapshot/index.parquet"])
    assert all(listed[name] == sha256_file(year / name) for name in listed)
    assert all((year / name).read_bytes() == (data / source).read_bytes() for name, source in zip(
        archived, ("institutions.csv", "2023/facts.csv", "2023/judgments.csv", "2023/expert_scores.csv",
                   "2023/project_stats.csv", "2023/ledger.csv"), strict=True))


def test_a_total_edited_on_the_year_page_is_caught_by_its_hash(year):
    forge_cell(year / "index.html", "95.5", "96.5")
    code, text = cli("verify", year)
    assert code == 1
    assert "✗ 年度结果 year: 文件被改动 tampered" in text and "index.html: sha256 与清单不符" in text


def test_a_total_edited_on_the_year_page_with_its_hash_rewritten_differs_from_a_fresh_render(year):
    forge_cell(year / "index.html", "95.5", "96.5")
    rerecord(year, "index.html")
    code, text = cli("verify", year)
    assert code == 1
    assert "✗ 年度结果 year: 不一致 differs" in text
    assert "index.html: 与 cohort.ipynb 重新生成的页面不同 differs from a fresh render of cohort.ipynb" in text
    assert "96.5" in text and "95.5" in text  # the forged and the true number, side by side


def test_a_total_edited_in_report_html_with_its_hash_rewritten_in_the_folder_manifest(year):
    forge_cell(year / "D1" / "report.html", "95.5", "96.5", numeric=False)
    rerecord(year / "D1", "report.html")
    found = by_unit(verify(year))
    assert found["D1"].status == DIFFERS
    assert any(d.startswith("report.html: 与 institution.ipynb 重新生成的页面不同") and "96.5" in d and "95.5" in d
               for d in found["D1"].details), found["D1"].details
    # the folder manifest was rewritten: the year's manifest lists it by hash
    assert found["年度结果 year"].status == TAMPERED
    assert "D1/manifest.json: sha256 与清单不符 does not match the manifest" in found["年度结果 year"].details


def test_a_report_page_forged_with_every_hash_rewritten_still_differs(year):
    forge_cell(year / "D1" / "report.html", "95.5", "96.5", numeric=False)
    rerecord(year / "D1", "report.html")
    rerecord(year, "D1/manifest.json")
    code, text = cli("verify", year)
    assert code == 1
    assert "✓ 年度结果 year: 一致 identical" in text
    assert "✗ D1: 不一致 differs" in text and "report.html: 与 institution.ipynb 重新生成的页面不同" in text


def test_a_deleted_report_folder_fails_naming_it(year):
    shutil.rmtree(year / "P3")
    code, text = cli("verify", year)
    assert code == 1
    assert "✗ P3: 文件被改动 tampered" in text and "P3/: 报告文件夹缺失 the report folder is missing" in text
    assert "P3/manifest.json: 缺失 missing" in text  # and the year's manifest still lists it
    assert "核验未通过：2/6项不能复现" in text


def test_a_deleted_report_folder_also_struck_from_the_year_manifest_is_missed_by_the_cohort(year):
    shutil.rmtree(year / "P3")
    edit_manifest(year, lambda m: m["outputs"].pop("P3/manifest.json"))
    found = by_unit(verify(year))
    assert found["P3"].status == TAMPERED
    assert found["P3"].details == ["P3/: 报告文件夹缺失 the report folder is missing (the cohort has this report)"]


def test_a_deleted_folder_manifest_is_a_failure_not_a_skip(year):
    (year / "P2" / "manifest.json").unlink()
    code, text = cli("verify", year)
    assert code == 1
    assert "✗ P2: 文件被改动 tampered" in text
    assert "P2/manifest.json: 缺失 missing（无法核验这个报告 this report cannot be verified）" in text
    assert "✗ 年度结果 year" in text and "P2/manifest.json: 缺失 missing\n" in text


def test_a_deleted_folder_manifest_also_struck_from_the_year_manifest_still_fails(year):
    (year / "P2" / "manifest.json").unlink()
    edit_manifest(year, lambda m: m["outputs"].pop("P2/manifest.json"))
    found = by_unit(verify(year))
    assert found["P2"].status == TAMPERED
    # the folder's files are now on no list at all
    assert "P2/report.html: 不在清单中 present but not in the manifest" in found["年度结果 year"].details


def test_a_changed_recorded_evalbook_version_fails_naming_the_manifest(year):
    edit_manifest(year / "D1", lambda m: m["versions"].update(evalbook="0.2.0"))
    found = by_unit(verify(year / "D1"))
    assert found["D1"].status == CODE
    assert "manifest.json versions.evalbook: 版本不同 version differs: 记录 recorded '0.2.0' → 当前 current '0.1.0'" \
        in found["D1"].details
    assert "D1/manifest.json: sha256 与清单不符 does not match the manifest" in found["年度结果 year"].details


def test_a_changed_recorded_code_fingerprint_in_the_year_manifest_fails(year):
    recorded = json.loads((year / "manifest.json").read_text(encoding="utf-8"))["code"]
    edit_manifest(year, lambda m: m["code"].update(evalbook="9.9.9", sha256="0" * 64))
    code, text = cli("verify", year / "D1")
    assert code == 1
    assert "✗ 年度结果 year: 代码不同 code differs" in text
    assert (f"manifest.json: 代码不同 code differs: 记录 recorded evalbook 9.9.9 sha256 {'0' * 16}… → "
            f"当前 current evalbook {recorded['evalbook']} sha256 {recorded['sha256'][:16]}…") in text


def test_results_run_by_other_code_are_named_as_such(year, monkeypatch):
    from evalbook.run import reuse

    published = json.loads((year / "D1" / "manifest.json").read_text(encoding="utf-8"))["code"]
    monkeypatch.setattr(reuse, "code_identity", lambda *_: {"evalbook": "0.1.0", "sha256": "f" * 64})
    found = by_unit(verify(year / "D1"))
    for unit in ("年度结果 year", "D1"):
        assert found[unit].status == CODE, found[unit].details  # the numbers still reproduce: only the code differs
        assert found[unit].details == [f"manifest.json: 代码不同 code differs: 记录 recorded evalbook 0.1.0 sha256 "
                                       f"{published['sha256'][:16]}… → 当前 current evalbook 0.1.0 sha256 {'f' * 16}…"]


def test_the_code_fingerprint_covers_every_package_file_and_the_version(tmp_path, monkeypatch):
    import evalbook
    from evalbook.run import reuse

    package = tmp_path / "evalbook"
    shutil.copytree(reuse.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(reuse, "PACKAGE", package)
    fingerprint = reuse.code_fingerprint.__wrapped__
    first = fingerprint()
    assert first == fingerprint() and len(first) == 64
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled")
    assert fingerprint() == first  # compiled caches are not the code
    css = package / "output" / "templates" / "evalbook" / "report.css"
    css.write_bytes(css.read_bytes() + b" ")
    changed_template = fingerprint()
    assert changed_template != first
    monkeypatch.setattr(evalbook, "__version__", "0.1.1")
    assert fingerprint() != changed_template


def test_an_edited_year_audit_page_is_caught(year):
    forge_cell(year / "audit.html", "95.5", "96.5")
    rerecord(year, "audit.html")
    found = by_unit(verify(year))["年度结果 year"]
    assert found.status == DIFFERS
    assert any(d.startswith("audit.html: 与 cohort.ipynb 重新生成的页面不同") and "96.5" in d for d in found.details), \
        found.details


def test_an_edited_cohort_notebook_is_caught(year):
    forge_cell(year / "cohort.ipynb", "95.5", "96.5")
    code, text = cli("verify", year)
    assert code == 1 and "cohort.ipynb: sha256 与清单不符" in text
    rerecord(year, "cohort.ipynb")
    found = by_unit(verify(year))["年度结果 year"]
    assert found.status == DIFFERS
    assert "cohort.ipynb: 单元格输出不同 cell outputs differ" in found.details
    assert any(d.startswith("index.html: 与 cohort.ipynb 重新生成的页面不同") for d in found.details)


def test_an_edited_year_result_json_names_the_field(year):
    result = json.loads((year / "result.json").read_text(encoding="utf-8"))
    row = next(i for i, unit in enumerate(result["units"]) if unit["code"] == "D1")
    result["units"][row]["total"] = 96.5
    (year / "result.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    code, text = cli("verify", year)
    assert code == 1 and "result.json: sha256 与清单不符" in text
    rerecord(year, "result.json")
    found = by_unit(verify(year))["年度结果 year"]
    assert found.status == DIFFERS
    assert any(d.startswith(f"result.json units[{row}].total: 发布值 published 96.5 → 重算 recomputed 95.5")
               for d in found.details), found.details


def test_an_edited_results_workbook_names_the_cell(year):
    from openpyxl import load_workbook

    book = load_workbook(year / "results.xlsx")
    sheet = book["单位排名"]
    header = [c.value for c in sheet[1]]
    column = header.index("总成绩") + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "D1")
    assert sheet.cell(row, column).value == 95.5
    sheet.cell(row, column).value = 96.5
    book.save(year / "results.xlsx")
    rerecord(year, "results.xlsx")
    found = by_unit(verify(year / "D1"))["年度结果 year"]
    assert found.status == DIFFERS
    cell = f"{sheet.cell(row, column).column_letter}{row}"
    assert any(d.startswith("results.xlsx: 重新评分的结果不同") and f"单位排名!{cell}：发布 published 96.5" in d
               and "重算 recomputed 95.5" in d for d in found.details), found.details


def test_a_forged_validation_record_with_its_hash_differs(year):
    forge_text(year / "validation.json", '"problems": [', '"problems": [],\n "x": [')
    rerecord(year, "validation.json")
    found = by_unit(verify(year / "D1"))["年度结果 year"]
    assert found.status == DIFFERS
    assert any(d.startswith("validation.json: 重新评分的结果不同") for d in found.details), found.details


def test_a_file_on_no_list_is_named(year):
    (year / "D1" / "note.html").write_text("<p>总成绩 100</p>", encoding="utf-8")
    (year / "notes.pdf").write_bytes(b"%PDF-1.4")  # not a copy evalbook pdf prints (that is index.pdf, report.pdf)
    found = by_unit(verify(year / "D1"))
    assert "D1/note.html: 不在清单中 present but not in the manifest" in found["D1"].details
    assert "notes.pdf: 不在清单中 present but not in the manifest" in found["年度结果 year"].details
    assert found["D1"].status == found["年度结果 year"].status == TAMPERED


def test_printed_copies_are_proven_by_printing_their_page_again(year, monkeypatch):
    """evalbook pdf prints after publication, so its PDFs are on no manifest: each is proven by printing its
    (verified) page again and comparing the bytes but for the PDF's creation and modification times."""
    assert cli("pdf", year)[0] == 0  # index.pdf and the five report.pdf
    assert sorted(p.relative_to(year).as_posix() for p in year.rglob("*.pdf")) == [
        "D1/report.pdf", "D2/report.pdf", "P1/report.pdf", "P2/report.pdf", "P3/report.pdf", "index.pdf"]
    assert {f.status for f in verify(year)} == {IDENTICAL}

    # a forgery: D2's printed report passed off as D1's (its hash is on no list to rewrite)
    shutil.copyfile(year / "D2" / "report.pdf", year / "D1" / "report.pdf")
    # another: the year's PDF with one byte changed outside its two time stamps (here near its end)
    data = (year / "index.pdf").read_bytes()
    (year / "index.pdf").write_bytes(data[:-20] + bytes([data[-20] ^ 1]) + data[-19:])
    found = by_unit(verify(year / "D1"))
    assert found["D1"].status == DIFFERS
    assert "D1/report.pdf: 与其页面 report.html 重新打印的结果不同 differs from a fresh print of its page" in found["D1"].details
    assert found["年度结果 year"].status == DIFFERS
    assert any(d.startswith("index.pdf: 与其页面 index.html 重新打印的结果不同") for d in found["年度结果 year"].details)

    # without Chromium a printed copy is not passed: it cannot be checked
    shutil.copyfile(year / "D2" / "report.pdf", year / "D1" / "report.pdf")
    monkeypatch.setattr("evalbook.output.browser.CHROMIUM", year / "no-chromium")
    code, out = cli("verify", year / "D2")
    assert code == 1 and "打印件无法核验 printed copy not checked" in out and "D2/report.pdf" in out
    assert by_unit(verify(year / "D2"))["D2"].status == UNCHECKED


def test_a_report_manifest_pointing_at_another_institution_is_refused(year):
    """D2's notebook parameters in D1's folder would reproduce D2's numbers: not D1's report."""
    edit_manifest(year / "D1", lambda m: m["notebooks"][0]["parameters"].update(institution="D2"))
    found = by_unit(verify(year / "D1"))
    assert found["D1"].status == TAMPERED
    assert any(d.startswith("D1/manifest.json parameters: 不是这个报告的参数") and "'institution': 'D2'" in d
               for d in found["D1"].details), found["D1"].details


def test_a_report_manifest_leading_outside_its_folder_is_refused_before_anything_runs(year, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    climb = "../" * 40 + str(outside).lstrip("/") + "/v.json"  # from any scratch folder up to / and down again
    edit_manifest(year / "D1", lambda m: m["notebooks"][0]["parameters"].update(validation=climb))
    found = by_unit(verify(year / "D1"))["D1"]
    assert found.status == TAMPERED
    assert any(d.startswith("manifest.json parameters: 不是本年度报告的参数") for d in found.details), found.details
    assert list(outside.iterdir()) == []


def test_a_manifest_naming_a_notebook_outside_the_scheme_is_refused_without_running_it(year, tmp_path):
    evil = tmp_path / "evil.ipynb"
    evil.write_text("{}", encoding="utf-8")
    edit_manifest(year / "D1", lambda m: m["notebooks"][0].update(notebook=str(evil), sha256=sha256_file(evil)))
    found = by_unit(verify(year / "D1"))["D1"]
    assert found.status == TAMPERED
    assert any(d.startswith("manifest.json: 记录的笔记本不是本方案的") for d in found.details), found.details


# --- reports kept by `run --only` ----------------------------------------------------------------

KEPT_REMARK = "一致 identical（沿用 kept from an earlier run; shows this year's facts）"


@pytest.fixture(scope="module")
def corrected(tmp_path_factory):
    """The cohort published, then D2 corrected (test_stale.d2_overtakes_d1: D2 98.9 overtakes D1 95.5) and
    ``run --only D2``: D1 rebuilt (its rank moved), P1–P3 kept, built from the facts before the correction.
    Also the first publication (a copy) and the sha256 of the two files before the correction."""
    from test_stale import d2_overtakes_d1

    root = tmp_path_factory.mktemp("kept")
    data = root / "data"
    build_cohort(data)
    year = publish(data, root / "out")
    first = root / "first"
    shutil.copytree(year, first)
    before = {name: sha256_file(data / SCHEME / name) for name in ("2023/facts.csv", "2023/expert_scores.csv")}
    d2_overtakes_d1(data)
    report = run_year(SCHEME, YEAR, data, root / "out", only=["D2"], intake=validate_year(SCHEME, YEAR, data),
                      log=lambda _: None, options=RunOptions(bar=False))
    assert not report.failures and report.stale == ["D1"] and report.kept == ["P1", "P2", "P3"]
    return year, first, before


@pytest.fixture
def kept(corrected, tmp_path) -> Path:
    copy = tmp_path / SCHEME / str(YEAR)
    shutil.copytree(corrected[0], copy)
    return copy


def test_after_a_correction_and_only_the_kept_reports_verify_from_their_archived_inputs(corrected, kept):
    _, _, before = corrected
    record = json.loads((kept / "manifest.json").read_text(encoding="utf-8"))
    assert record["run"]["kept"] == ["P1", "P2", "P3"] and record["run"]["rebuilt_because_shown_facts_changed"] == ["D1"]
    now = {e["file"]: e["sha256"] for e in record["inputs"]}
    for name, sha in before.items():  # both versions of the corrected files are published, each under its hash
        assert sha != now[name]
        assert f"inputs/{sha}" in record["outputs"] and f"inputs/{now[name]}" in record["outputs"]
    p1 = json.loads((kept / "P1" / "manifest.json").read_text(encoding="utf-8"))
    assert {e["file"]: e["sha256"] for e in p1["inputs"]}["2023/facts.csv"] == before["2023/facts.csv"]
    code, text = cli("verify", kept)
    assert code == 0, text
    for unit in ("P1", "P2", "P3"):
        assert f"✓ {unit}: {KEPT_REMARK}" in text
    for unit in ("年度结果 year", "D1", "D2"):  # rebuilt from this year's inputs: nothing to remark
        assert f"✓ {unit}: 一致 identical\n" in text
    assert "核验通过：6项全部一致" in text
    alone = by_unit(verify(kept / "P2"))
    assert [f.status for f in alone.values()] == [IDENTICAL, IDENTICAL] and alone["P2"].remark


def test_a_kept_report_page_forged_with_its_hashes_rewritten_differs(kept):
    # P3: 0.7 × 94 + 0.3 × 90 = 65.8 + 27 = 92.8
    forge_cell(kept / "P3" / "report.html", "92.8", "93.8", numeric=False)
    rerecord(kept / "P3", "report.html")
    rerecord(kept, "P3/manifest.json")
    code, text = cli("verify", kept)
    assert code == 1
    assert "✗ P3: 不一致 differs" in text and "report.html: 与 institution.ipynb 重新生成的页面不同" in text
    assert "93.8" in text and "92.8" in text
    assert f"✓ P1: {KEPT_REMARK}" in text


def test_an_archived_input_edited_is_tampered_even_with_its_hash_rewritten(corrected, kept):
    old = f"inputs/{corrected[2]['2023/facts.csv']}"
    (kept / old).write_bytes((kept / old).read_bytes().replace(b"\n", b"\r\n", 1))
    rerecord(kept, old)
    found = by_unit(verify(kept))
    for unit in ("P1", "P2", "P3"):  # built from it
        assert found[unit].status == TAMPERED
        assert f"{old}（2023/facts.csv）: 存档的输入缺失或被改动 the archived input is missing or altered" in found[unit].details
    assert found["D1"].status == IDENTICAL and found["年度结果 year"].status == IDENTICAL  # built from the new one


def test_an_archived_input_of_the_year_edited_is_named_by_the_year(corrected, kept):
    record = json.loads((kept / "manifest.json").read_text(encoding="utf-8"))
    now = f"inputs/{next(e['sha256'] for e in record['inputs'] if e['file'] == '2023/facts.csv')}"
    (kept / now).write_bytes((kept / now).read_bytes() + b"\n")
    code, text = cli("verify", kept)
    assert code == 1
    assert "✗ 年度结果 year: 文件被改动 tampered" in text and f"{now}: sha256 与清单不符 does not match the manifest" in text
    assert f"{now}（2023/facts.csv）: 存档的输入缺失或被改动" in text
    assert "✗ D1: 文件被改动 tampered" in text
    # the year cannot be scored again, so nothing proves that the kept reports show its facts
    assert "✗ P1: 文件被改动 tampered" in text and "年度无法重算，无法证明沿用的报告" in text


def test_an_archived_input_deleted_is_named(corrected, kept):
    old = f"inputs/{corrected[2]['2023/facts.csv']}"
    (kept / old).unlink()
    found = by_unit(verify(kept))
    assert found["年度结果 year"].status == TAMPERED and f"{old}: 缺失 missing" in found["年度结果 year"].details
    assert found["P1"].status == TAMPERED
    assert f"{old}（2023/facts.csv）: 存档的输入缺失或被改动 the archived input is missing or altered" in found["P1"].details


def test_an_archived_input_deleted_and_struck_from_the_year_manifest_is_named(corrected, kept):
    old = f"inputs/{corrected[2]['2023/facts.csv']}"
    (kept / old).unlink()
    edit_manifest(kept, lambda m: m["outputs"].pop(old))
    found = by_unit(verify(kept))
    assert found["年度结果 year"].status == IDENTICAL
    assert found["P2"].status == TAMPERED
    assert f"{old}（2023/facts.csv）: 不在年度清单的输入存档中 not in the year's archive of inputs" in found["P2"].details


def test_a_kept_report_whose_recorded_facts_were_edited_is_refused(kept):
    edit_manifest(kept / "P1", lambda m: m.update(report_facts="0" * 64))
    rerecord(kept, "P1/manifest.json")
    found = by_unit(verify(kept))
    assert found["P1"].status == TAMPERED and not found["P1"].remark
    assert "manifest.json inputs: 与年度清单的输入不同 not the year's inputs" in found["P1"].details
    assert any(d.startswith("manifest.json report_facts: 与按本年度输入重算的不同") for d in found["P1"].details)
    assert found["P2"].status == IDENTICAL


def test_the_first_runs_report_put_back_and_listed_as_kept_is_refused(corrected, kept):
    """D1 of the first run says 第1名（共2家）; after the correction D2 is first. Its folder is intact and
    reproduces from its archived inputs, but what it shows is not this year's facts."""
    _, first, _ = corrected
    shutil.rmtree(kept / "D1")
    shutil.copytree(first / "D1", kept / "D1")
    assert "第1名（共2家）" in (kept / "D1" / "report.html").read_text(encoding="utf-8")
    rerecord(kept, "D1/manifest.json")
    edit_manifest(kept, lambda m: m["run"].update(kept=["D1", "P1", "P2", "P3"]))
    code, text = cli("verify", kept)
    assert code == 1
    assert "✗ D1: 文件被改动 tampered" in text and "manifest.json report_facts: 与按本年度输入重算的不同" in text
    assert f"✓ P3: {KEPT_REMARK}" in text


def test_a_report_with_earlier_inputs_not_listed_as_kept_is_refused(kept):
    edit_manifest(kept, lambda m: m["run"].update(kept=["P2", "P3"]))
    found = by_unit(verify(kept))
    assert found["P1"].status == TAMPERED
    assert found["P1"].details == ["manifest.json inputs: 与年度清单的输入不同 not the year's inputs"]
    assert found["P2"].status == IDENTICAL and found["P2"].remark


def test_a_snapshot_rewritten_with_its_hashes_is_caught_by_scoring_the_inputs_again(year):
    """A forger who changes a unit's rows in the run's snapshot and rewrites every hash on the way (the index, the
    validation record, the year manifest) still fails: verify makes the snapshot again from the archived inputs."""
    import pyarrow.parquet as pq

    path = year / "snapshot" / "input-facts.parquet"
    table = pq.read_table(path)
    frame = table.to_pandas()
    column = next(c for c in frame.columns if c not in ("__line", "code"))
    frame.loc[0, column] = "0"
    pq.write_table(table.from_pandas(frame, preserve_index=False).replace_schema_metadata(table.schema.metadata), path)
    manifest = json.loads((year / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs"]["snapshot/input-facts.parquet"] = sha256_file(path)
    (year / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    code, text = cli("verify", year)
    assert code == 1
    assert "snapshot/input-facts.parquet: 重新评分的结果不同 rescoring gives different numbers" in text
