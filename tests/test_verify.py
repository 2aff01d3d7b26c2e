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
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import nbformat
import pytest

from evalbook import paths
from evalbook.batch import RunOptions, run_year, validate_year
from evalbook.cli import main
from evalbook.reading import sha256_file
from evalbook.verify import CHANGED, DIFFERS, IDENTICAL, TAMPERED, verify
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


def test_an_input_changed_since_publication_is_named_for_the_year_and_every_report(published, year):
    data, _ = published
    facts = data / SCHEME / str(YEAR) / "facts.csv"
    original = facts.read_bytes()
    try:
        facts.write_bytes(original.replace(b"\n", b"\r\n", 1))  # even a byte that changes no number
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


def test_the_same_inputs_give_byte_identical_csvs_and_notebooks_equal_but_for_times(published, tmp_path):
    data, first = published
    second = publish(data, tmp_path / "again")
    for name in ("scores.csv", "project_scores.csv", "validation.json"):
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
