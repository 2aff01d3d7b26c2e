"""Publications as revisions (history/<N>/, changes.csv/html, evalbook diff) and sign-off (evalbook sign).

The end-to-end part runs the real CLI on a copy of the naiman demo data (7 reports, seconds each run): publish,
sign, correct one expert's on-site scores, republish. Expected values by hand: 心血管内科 (NMRM) has nine on-site
marks (experts B, C, D × management, construction, talent), mean 760/9 = 84.444…; expert B's 74, 83, 85 become
20, 30, 40, so the mean is 608/9 = 67.555…6 and the total, 0.7 objective + 0.3 on-site, falls by
0.3 × 152/9 = 5.0666…7: 78.505366045437815773 → 73.438699378771149106, from 2nd to 6th; 神经内科 4 → 3,
重症医学科 3 → 2, 康复医学科 6 → 5, 产科 5 → 4 (published totals 76.21, 78.43, 74.53, 74.80 unchanged).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from types import SimpleNamespace

import pytest

from evalbook.round import changes, signatures
from evalbook.run.listing import year_files

REPO = Path(__file__).resolve().parents[1]
SCHEME = "naiman-specialty"
HOSTILE = '=HYPERLINK("http://x")<script>alert(1)</script>'  # a formula for a spreadsheet, a script for a page


def evalbook(*args: str) -> subprocess.CompletedProcess:
    """The command in a subprocess, as a user runs it: its exit code and output are the contract."""
    return subprocess.run([sys.executable, "-m", "evalbook", *map(str, args)], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"}, timeout=900)


def in_process(*args: str) -> SimpleNamespace:
    """The same command run in this process (``main``): the exit code and what it printed, without a new
    interpreter importing Great Expectations again. Each command also runs once here as a subprocess."""
    from evalbook.cli.commands import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


# --- changes.csv from tables, by hand ------------------------------------------------------------

class Tables:
    """A scheme as changes.py sees it: what it compares and the labels of who moved."""

    MOVES = (("scores.csv", ("code",), {"rank": ("名次", "rank"), "award": ("奖", "award")}),)
    CHANGES = (("scores.csv", ("code",), ("total", "rank", "award")),
               ("projects.csv", ("code", "project"), ("score",)))
    TITLE = "测试"

    def change_fields(self):
        from evalbook.core.scheme import Scheme

        return Scheme.change_fields(self)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def table(path: Path, lines: list[list[str]]) -> None:
    """A published table as run writes it (formula text neutralised with a leading apostrophe)."""
    from evalbook.output.tables import neutralise

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([[neutralise(c) for c in line] for line in lines])


def test_changes_rows_by_hand(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    write(old / "scores.csv", "code,name,total,rank,award\nA,甲,70.0,1,一等奖\nB,乙,60.5,2,\nC,丙,50,3,\n")
    table(new / "scores.csv", [["code", "name", "total", "rank", "award"], ["B", "乙", "71", "1", "一等奖"],
                               ["A", "甲", "70", "2", ""], ["D", HOSTILE, "40", "3", ""]])
    write(old / "projects.csv", "code,project,score\nA,骨科,80\nA,眼科,90\n")
    write(new / "projects.csv", "code,project,score\nA,骨科,80.00\nA,眼科,91\n")
    found = changes.table_changes(Tables(), old, new)
    assert [(c.code, c.name, c.field, c.before, c.after) for c in found] == [
        ("B", "乙", "total", "60.5", "71"), ("B", "乙", "rank", "2", "1"), ("B", "乙", "award", "", "一等奖"),
        # A: 70.0 and 70 are the same number; its rank and award moved
        ("A", "甲", "rank", "1", "2"), ("A", "甲", "award", "一等奖", ""),
        ("D", HOSTILE, "total", "", "40"), ("D", HOSTILE, "rank", "", "3"), ("D", HOSTILE, "award", "", ""),
        ("C", "丙", "total", "50", ""), ("C", "丙", "rank", "3", ""), ("C", "丙", "award", "", ""),
        ("A", "甲", "score[眼科]", "90", "91")]           # 80 = 80.00: unchanged
    text = changes.changes_csv(found)
    assert text.splitlines()[0] == "code,name,field,before,after"
    assert list(csv.reader(text.splitlines()))[6] == ["D", "'" + HOSTILE, "total", "", "40"]  # neutralised
    page = changes.changes_page(Tables(), 2025, "t", found, [])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "名次 rank" in page and "奖 award" in page


def test_change_fields_default_to_the_moves():
    from evalbook.core.registry import get_scheme
    from evalbook.core.scheme import Scheme

    plugin = SimpleNamespace(CHANGES=(), MOVES=(("s.csv", ("code",), {"rank": ("名次", "rank")}),))
    assert Scheme.change_fields(plugin) == (("s.csv", ("code",), ("rank",)),)
    wendeng = dict((t, c) for t, _, c in get_scheme("wendeng-featured").change_fields())
    assert {"item_01", "item_16", "expert_score", "total", "group_rank", "award", "prize_wan"} <= set(wendeng["scores.csv"])
    assert {"project_score", "award", "prize_wan"} <= set(wendeng["project_scores.csv"])
    naiman = get_scheme("naiman-specialty").change_fields()
    assert naiman == (("scores.csv", ("code", "specialty"),
                       ("objective_score", "onsite_score", "total", "passed", "rank", "recommended")),)


def test_row_changes_from_archived_inputs(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    before = "code,expert,score\nA,E1,80\nA,E2,70\nB,E1,60\n"
    after = "code,expert,score\nA,E1,80\nA,E2,75\nB,E1,60\nC,E1,<b>\n"
    sha_old, sha_new = (hashlib.sha256(t.encode()).hexdigest() for t in (before, after))
    write(old / "inputs" / sha_old, before)
    write(new / "inputs" / sha_new, after)
    same = hashlib.sha256(b"x").hexdigest()
    found = changes.row_changes(old, {"2025/s.csv": sha_old, "2025/same.csv": same},
                                new, {"2025/s.csv": sha_new, "2025/same.csv": same})
    assert [(r.file, r.line, r.removed, r.cells) for r in found] == [
        ("2025/s.csv", 3, True, (("code", "A"), ("expert", "E2"), ("score", "70"))),
        ("2025/s.csv", 3, False, (("code", "A"), ("expert", "E2"), ("score", "75"))),
        ("2025/s.csv", 5, False, (("code", "C"), ("expert", "E1"), ("score", "<b>")))]
    page = changes.changes_page(Tables(), 2025, "t", [], found)
    assert "score=&lt;b&gt;" in page and "<b>" not in page


def test_signature_text_is_checked_and_escaped():
    for bad in ("", "  ", "a\nb", "a\u202eb", "x" * 101):
        with pytest.raises(signatures.InputError):
            signatures.clean("--by", bad)
    assert signatures.clean("--note", None, required=False) == ""
    page = signatures.signatures_page(2025, [{"name": HOSTILE, "role": "<i>r</i>", "time": "t", "note": "&",
                                              "manifest_sha256": "a" * 64}], "b" * 64)
    assert "<script>" not in page and "<i>" not in page and "&amp;" in page
    assert "not this manifest" in page  # a signature on another manifest is marked


def test_history_and_signatures_are_on_no_list(tmp_path):
    for name in ("scores.csv", "history/1/manifest.json", "signatures.json", "signatures.html", "RMYY/manifest.json"):
        write(tmp_path / name, "x")
    assert year_files(tmp_path) == ["RMYY/manifest.json", "scores.csv"]


# --- end to end ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def republished(tmp_path_factory):
    """Publish, sign, correct one row, republish: (year folder, digests of the first publication, data)."""
    root = tmp_path_factory.mktemp("revisions")
    data, out = root / "data", root / "out"
    shutil.copytree(REPO / "data" / SCHEME, data / SCHEME)
    first = in_process("run", SCHEME, "--year", "2025", "--data", data, "--out", out)
    assert first.returncode == 0, first.stdout + first.stderr
    year = out / SCHEME / "2025"
    assert not (year / "changes.csv").exists() and not (year / "history").exists()  # a first run adds no CSV
    assert json.loads((year / "manifest.json").read_text(encoding="utf-8"))["revision"] == {"number": 1, "history": {}}
    signed = in_process("sign", year, "--by", HOSTILE, "--role", "医政科科长", "--note", "=1+1")
    assert signed.returncode == 0, signed.stdout + signed.stderr
    before = digests(year)
    onsite = data / SCHEME / "2025" / "onsite.csv"
    text = onsite.read_text(encoding="utf-8")
    assert "NMRM,心血管内科,专家B（示例）,74,83,85\n" in text
    onsite.write_text(text.replace("NMRM,心血管内科,专家B（示例）,74,83,85\n", "NMRM,心血管内科,专家B（示例）,20,30,40\n"),
                      encoding="utf-8")
    second = in_process("run", SCHEME, "--year", "2025", "--data", data, "--out", out)
    assert second.returncode == 0, second.stdout + second.stderr
    return year, before, data


def test_republication_keeps_the_first_byte_for_byte(republished):
    year, before, _ = republished
    assert digests(year / "history" / "1") == before                     # signatures.json went with it
    assert not (year / "history" / "1" / "history").exists()
    assert not (year / "signatures.json").exists()                        # the new revision starts unsigned
    assert "尚未签署" in (year / "signatures.html").read_text(encoding="utf-8")
    old = json.loads((year / "history" / "1" / "signatures.json").read_text(encoding="utf-8"))
    assert [(s["name"], s["role"], s["note"]) for s in old] == [(HOSTILE, "医政科科长", "=1+1")]
    record = json.loads((year / "manifest.json").read_text(encoding="utf-8"))
    assert record["revision"] == {"number": 2, "history": {"1": before["manifest.json"]}}
    assert old[0]["manifest_sha256"] == before["manifest.json"]
    assert "changes.csv" in record["outputs"] and "changes.html" in record["outputs"]
    assert not os.access(year / "history" / "1" / "scores.csv", os.W_OK) or os.geteuid() == 0
    assert not (os.stat(year / "history" / "1" / "scores.csv").st_mode & 0o222)   # read-only
    page = (year / "NMRM-心血管内科" / "report.html").read_text(encoding="utf-8")
    assert "第 2 版" in page and 'href="../changes.html"' in page and 'src="../signatures.html"' in page


def test_changes_csv_by_hand(republished):
    year, _, _ = republished
    assert rows(year / "changes.csv") == [
        ["code", "name", "field", "before", "after"],
        ["NMRM", "奈曼旗示例人民医院（示例）", "onsite_score[心血管内科]", "84.444444444444444444", "67.555555555555555556"],
        ["NMRM", "奈曼旗示例人民医院（示例）", "total[心血管内科]", "78.505366045437815773", "73.438699378771149106"],
        ["NMRM", "奈曼旗示例人民医院（示例）", "rank[心血管内科]", "2", "6"],
        ["NMRM", "奈曼旗示例人民医院（示例）", "rank[神经内科]", "4", "3"],
        ["NMRM", "奈曼旗示例人民医院（示例）", "rank[重症医学科]", "3", "2"],
        ["NMMY", "奈曼旗示例蒙医医院（示例）", "rank[康复医学科]", "6", "5"],
        ["NMFY", "奈曼旗示例妇幼保健院（示例）", "rank[产科]", "5", "4"]]
    page = (year / "changes.html").read_text(encoding="utf-8")
    assert "2025/onsite.csv" in page and "management=74" in page and "management=20" in page
    assert "名次 rank" in page


def test_diff_prints_or_writes_the_same(republished, tmp_path):
    year, _, _ = republished
    printed = evalbook("diff", year / "history" / "1", year)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == (year / "changes.csv").read_text(encoding="utf-8")
    written = in_process("diff", year / "history" / "1", year, "--out", tmp_path / "d")
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "d" / "changes.csv").read_bytes() == (year / "changes.csv").read_bytes()
    assert (tmp_path / "d" / "changes.html").read_bytes() == (year / "changes.html").read_bytes()
    same = in_process("diff", year, year)
    assert same.returncode == 0 and same.stdout == "code,name,field,before,after\n"
    inside = in_process("diff", year / "history" / "1", year, "--out", year / "x")
    assert inside.returncode == 1 and not (year / "x").exists()
    nothing = in_process("diff", tmp_path, year)
    assert nothing.returncode == 1 and "OLD_YEAR_DIR" in nothing.stdout + nothing.stderr


def test_sign_verify_and_tamper(republished, tmp_path):
    year, _, _ = republished
    copy = tmp_path / SCHEME / "2025"
    shutil.copytree(year, copy)
    refused = in_process("sign", copy / "history" / "1", "--by", "x", "--role", "y")
    assert refused.returncode == 1 and "history" in refused.stdout + refused.stderr
    signed = evalbook("sign", copy, "--by", "李四", "--role", "审计")
    assert signed.returncode == 0, signed.stderr
    entries = json.loads((copy / "signatures.json").read_text(encoding="utf-8"))
    assert [set(e) for e in entries] == [{"name", "role", "time", "note", "manifest_sha256"}]
    assert entries[0]["manifest_sha256"] == hashlib.sha256((copy / "manifest.json").read_bytes()).hexdigest()
    assert "李四" in (copy / "signatures.html").read_text(encoding="utf-8")
    proven = in_process("verify", copy)
    assert proven.returncode == 0, proven.stdout + proven.stderr
    assert "签署 signed: 李四（审计）" in proven.stdout
    assert "history/1 年度结果 year: 一致 identical" in proven.stdout           # the earlier revision proven too
    scores = copy / "scores.csv"
    scores.write_text(scores.read_text(encoding="utf-8").replace(",2,1\n", ",1,1\n", 1), encoding="utf-8")
    again = in_process("sign", copy, "--by", "王五", "--role", "审计")
    assert again.returncode == 1 and "scores.csv" in again.stdout + again.stderr
    failed = in_process("verify", copy)
    assert failed.returncode == 1 and "scores.csv" in failed.stdout


def test_verify_refuses_altered_history_and_forged_signature(republished, tmp_path):
    year, _, _ = republished
    copy = tmp_path / SCHEME / "2025"
    shutil.copytree(year, copy)
    for path in (copy / "history").rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    entries = json.loads((copy / "history" / "1" / "signatures.json").read_text(encoding="utf-8"))
    forged = copy / "signatures.json"
    forged.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")  # the old signature, moved forward
    (copy / "history" / "1" / "changes.html").write_text("<p>x</p>", encoding="utf-8")
    from evalbook.audit.revisions import check

    record = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    problems, notes = check(copy, record)
    text = "\n".join(d for _, d in problems)
    assert "signed another manifest" in text and "signatures.html" in text
    assert any(HOSTILE in n for n in notes)
    shutil.rmtree(copy / "history" / "1" / "NMFY-产科")
    result = in_process("verify", copy / "history" / "1")
    assert result.returncode == 1 and "changes.html" in result.stdout and "NMFY-产科" in result.stdout


def test_only_republication_is_a_revision_and_keeps_what_it_keeps(republished):
    """--only NMRM after a second correction: revision 3; revision 2 kept byte for byte as history/2; the reports
    of the other hospitals kept as built for revision 2 (their pages say so); verify proves all three revisions."""
    # in place (the last test of the module): a kept report records its data folder, so the run must use the same
    year, _, data = republished
    current = year
    second = digests(current)
    onsite = data / SCHEME / "2025" / "onsite.csv"
    onsite.write_text(onsite.read_text(encoding="utf-8").replace("专家B（示例）,20,30,40\n", "专家B（示例）,20,30,41\n"),
                      encoding="utf-8")
    result = in_process("run", SCHEME, "--year", "2025", "--data", data, "--out", year.parent.parent, "--only", "NMRM")
    assert result.returncode == 0, result.stdout + result.stderr
    assert digests(current / "history" / "2") == {k: v for k, v in second.items() if not k.startswith("history/")}
    assert digests(current / "history" / "1") == {k[len("history/1/"):]: v for k, v in second.items()
                                                   if k.startswith("history/1/")}
    record = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
    assert record["revision"]["number"] == 3 and sorted(record["revision"]["history"]) == ["1", "2"]
    assert "NMFY-产科" in record["run"]["kept"]
    kept = json.loads((current / "NMFY-产科" / "manifest.json").read_text(encoding="utf-8"))
    assert kept["revision"] == {"number": 2}
    assert "第 2 版" in (current / "NMFY-产科" / "report.html").read_text(encoding="utf-8")
    # 心血管内科: one on-site mark 40 → 41: on-site 608/9 → 609/9, total + 0.3/9 = 1/30
    assert rows(current / "changes.csv")[1:] == [
        ["NMRM", "奈曼旗示例人民医院（示例）", "onsite_score[心血管内科]", "67.555555555555555556", "67.666666666666666667"],
        ["NMRM", "奈曼旗示例人民医院（示例）", "total[心血管内科]", "73.438699378771149106", "73.472032712104482439"]]
    proven = in_process("verify", current)
    assert proven.returncode == 0, proven.stdout + proven.stderr
    assert "history/2 年度结果 year: 一致 identical" in proven.stdout and "history/1 年度结果 year" in proven.stdout


def test_a_republication_that_fails_while_keeping_history_leaves_everything_as_it_was(republished):
    """The disk fills up while the current publication is copied into history/: nothing is published, the year
    folder (its history/ included) is byte for byte as before, and no staging folder is left."""
    import errno

    from evalbook.round.revisions import Revisions
    from evalbook.run.batch import RunOptions, run_year

    year, _, data = republished
    before = digests(year)

    class DiskFull(Revisions):
        def before_manifest(self, scheme, year_number, target, stage, inputs):
            super().before_manifest(scheme, year_number, target, stage, inputs)  # history copied, changes written
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        run_year(SCHEME, 2025, data, year.parent.parent, log=lambda _: None,
                 options=RunOptions(bar=False, revisions=DiskFull()))
    assert digests(year) == before
    assert not [p.name for p in year.parent.iterdir() if p.name.startswith(".2025.")]


def test_sign_waits_for_no_run_it_refuses_while_one_holds_the_year(republished):
    from evalbook.core.files import RunLock, YearBusy

    year, _, _ = republished
    with RunLock(year), pytest.raises(YearBusy):
        signatures.sign(year, "赵六", "审计")
    assert not (year / "signatures.json").exists()
