"""A third scheme as a plugin (tests/plugins/checklist): installed into a folder of its own, found through the
entry-point group ``evalbook.schemes``, and run end to end through the CLI: validate, run (papermill and
nbconvert), template + ingest (the Excel round trip), verify. Nothing of evalbook names it.

The data, scored by hand with the rubric's points (items 1–2: 15, items 3–8: 10, items 9–10: 5; pass at 60):
A01 meets all ten: 100; B02 items 1,3,4,6,7,8,10: 15+10+10+10+10+10+5 = 70;
C03 items 2,5,7,9: 15+10+10+5 = 40 (fails); D04 items 1,2,3,5,6,8,9: 15+15+10+10+10+10+5 = 75.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from openpyxl import load_workbook

from evalbook.core.errors import InputError
from evalbook.core.registry import GROUP, _load

PLUGIN = Path(__file__).parent / "plugins" / "checklist"
EVALBOOK = Path(sys.executable).with_name("evalbook")


def install(source: Path, site: Path, scratch: Path) -> None:
    """``pip install`` the plugin into ``site``, as a county would into its environment: offline, with the
    setuptools of this environment (requirements.lock), from a copy (a build writes beside the sources)."""
    copy = scratch / source.name
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info", "data"))
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                           "--no-build-isolation", "--no-index", "--target", str(site), str(copy)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (site / "evalbook_checklist" / "rubrics" / "checklist.yaml").is_file()  # its package data came along


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """``evalbook`` run as a subprocess with the plugin installed (PYTHONPATH), from a scratch folder."""
    root = tmp_path_factory.mktemp("plugin")
    install(PLUGIN, root / "site", root)
    shutil.copytree(PLUGIN / "data", root / "data")
    env = {**os.environ, "PYTHONPATH": str(root / "site")}

    def run(*args) -> subprocess.CompletedProcess:
        return subprocess.run([str(EVALBOOK), *map(str, args)], cwd=root, env=env, capture_output=True, text=True, timeout=300)

    run.root = root
    assert run("suites", "checklist", "--check").returncode == 1  # installed without its suites: they are missing
    written = run("suites", "checklist")  # written from its column declarations into its HOME, as a county would
    assert written.returncode == 0, written.stdout + written.stderr
    return run


def scores(path: Path) -> list[tuple]:
    with open(path, encoding="utf-8") as handle:
        return [(r["code"], r["total"], r["passed"], r["rank"]) for r in csv.DictReader(handle)]


def test_the_plugin_is_a_scheme_of_the_command_line(cli):
    assert "checklist" in cli("validate", "--help").stdout  # the help lists the registry's schemes
    checked = cli("validate", "checklist", "--year", "2024", "--data", "data")
    assert checked.returncode == 0, checked.stderr
    assert "Validation passed" in checked.stdout
    assert cli("suites", "checklist", "--check").returncode == 0  # the suites written are its declarations'
    assert (cli.root / "site" / "evalbook_checklist" / "expectations" / "checklist" / "checks.json").is_file()
    rules = cli("rubric", "checklist").stdout  # the default rules doc: its 评分口径
    assert "| 合格线 | 总分不低于60分 |" in rules and "| 第9项 应急预案年内演练 | 达到得5分，否则0分 |" in rules


def test_run_verify_and_the_excel_round_trip(cli):
    done = cli("run", "checklist", "--year", "2024", "--data", "data", "--out", "out")
    assert done.returncode == 0, done.stderr
    year = cli.root / "out" / "checklist" / "2024"
    assert scores(year / "scores.csv") == [("A01", "100.0", "1", "1"), ("B02", "70.0", "1", "3"),
                                           ("C03", "40.0", "0", "4"), ("D04", "75.0", "1", "2")]
    result = json.loads((year / "B02" / "result.json").read_text(encoding="utf-8"))
    assert [(u["code"], u["total"], u["item_02"]) for u in result["units"]] == [("B02", 70, False)]
    assert "乙镇卫生院 · 2024年度院感防控十项检查" in (year / "B02" / "report.html").read_text(encoding="utf-8")
    assert "第3名（共4家）" in (year / "B02" / "report.html").read_text(encoding="utf-8")
    verified = cli("verify", year)
    assert verified.returncode == 0 and "Verified: all 5 reproduce identically" in verified.stdout, verified.stdout

    # C03 says in its workbook it now meets items 1, 3 and 4 too: 40 + 15 + 10 + 10 = 75, level with D04
    assert cli("template", "checklist", "--year", "2024", "--data", "data", "--out", "wb", "--prefill").returncode == 0
    (cli.root / "in").mkdir()
    book = load_workbook(cli.root / "wb" / "checklist" / "2024" / "C03.xlsx")
    for cell in ("D3", "D5", "D6"):  # rows 3, 5, 6: items 1, 3, 4 (row 2 is the header)
        book["十项检查"][cell] = "是"
    book.save(cli.root / "in" / "C03.xlsx")
    ingested = cli("ingest", "checklist", "--year", "2024", "--data", "data", "--from", "in")
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    assert cli("run", "checklist", "--year", "2024", "--data", "data", "--out", "out2").returncode == 0
    assert scores(cli.root / "out2" / "checklist" / "2024" / "scores.csv") == [
        ("A01", "100.0", "1", "1"), ("B02", "70.0", "1", "4"), ("C03", "75.0", "1", "2"), ("D04", "75.0", "1", "2")]


def test_the_code_fingerprint_covers_the_plugins_own_files(cli):
    def fingerprint(env_path: str | None) -> str:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | ({"PYTHONPATH": env_path} if env_path else {})
        return subprocess.run([str(EVALBOOK), "--version"], env=env, capture_output=True, text=True, timeout=120).stdout

    site = cli.root / "site_copy"
    shutil.copytree(cli.root / "site", site)
    with_plugin = fingerprint(str(site))
    assert with_plugin != fingerprint(None)  # evalbook alone
    builtin = [sys.executable, "-c", "from evalbook.run.reuse import code_identity; print(code_identity('wendeng-featured'))"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    alone = subprocess.run(builtin, env=env, capture_output=True, text=True, timeout=120).stdout
    assert alone and subprocess.run(builtin, env={**env, "PYTHONPATH": str(site)}, capture_output=True, text=True,
                                    timeout=120).stdout == alone  # a built-in scheme's runs do not depend on plugins
    rubric = site / "evalbook_checklist" / "rubrics" / "checklist.yaml"
    rubric.write_text(rubric.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert fingerprint(str(site)) != with_plugin


@pytest.mark.parametrize("value, words", [
    ("evalbook_no_such_plugin:SCHEME", "import failed (ModuleNotFoundError"),
    ("evalbook.core.paths:REPO", "must name an instance of evalbook.core.scheme.Scheme, not PosixPath"),
    ("evalbook.schemes.wendeng_featured:SCHEME", "its NAME is 'wendeng-featured', not the entry point's name"),
])
def test_a_broken_plugin_is_a_clear_bilingual_error(value, words):
    with pytest.raises(InputError) as caught:
        _load(EntryPoint(name="county-own", value=value, group=GROUP))
    (problem,) = caught.value.problems
    assert words in problem.rule_en and "考评方案 county-own 无法加载" in problem.rule_zh and problem.value == "county-own"


def test_a_broken_plugin_on_the_command_line_is_a_message_not_a_traceback(tmp_path):
    info = tmp_path / "broken_scheme-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-scheme\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[evalbook.schemes]\nbroken = broken_scheme_missing:SCHEME\n")
    done = subprocess.run([str(EVALBOOK), "validate", "broken", "--year", "2024"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)}, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    assert "考评方案 broken 无法加载" in done.stdout + done.stderr and "import failed" in done.stdout + done.stderr
