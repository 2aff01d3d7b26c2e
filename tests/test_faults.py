"""Faults outside the data: a disk that fills up mid-run, an output folder that cannot be written.

Each: exit 1, a message naming the folder and the cause in Chinese and English, no traceback, the
last published year byte-identical, no half-written folder left behind. (SIGKILL mid-run and two
runs at once are in test_batch_engine.py.)

The full disk is a real one: a small tmpfs mounted for the test (the machines and CI run as root).
The read-only folder is made immutable with chattr as root, since root ignores permission bits.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from test_cli_e2e import SCHEME, build_cohort, evalbook, tree_digest

YEAR = "2023"


def leftovers(scheme_dir: Path) -> list[str]:
    return [p.name for p in scheme_dir.iterdir() if p.name.startswith(f".{YEAR}.") and not p.name.endswith(".lock")]


@pytest.fixture
def tmpfs(tmp_path):
    point = tmp_path / "disk"
    point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(point)], capture_output=True,
                             text=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def resize(point: Path, size_bytes: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size_bytes}", str(point)], check=True)


def used_bytes(point: Path) -> int:
    stats = os.statvfs(point)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize


def test_a_disk_that_fills_up_mid_run_fails_cleanly_and_resume_finishes_once_there_is_room(tmpfs, tmp_path):
    data = tmp_path / "data"
    build_cohort(data)
    first = evalbook("run", SCHEME, "--year", YEAR, "--data", str(data), "--out", str(tmpfs))
    assert first.returncode == 0, first.stderr
    year = tmpfs / SCHEME / YEAR
    good = tree_digest(year)
    resize(tmpfs, used_bytes(tmpfs) * 3 // 2)  # room for about half of a second copy of the year
    ledger = data / SCHEME / YEAR / "ledger.csv"  # a correction: every report must be rebuilt
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("开展义诊", "开展义诊（更正）"), encoding="utf-8")

    full = evalbook("run", SCHEME, "--year", YEAR, "--data", str(data), "--out", str(tmpfs))

    text = full.stdout + full.stderr
    assert full.returncode == 1, text
    assert "Traceback" not in text
    assert "磁盘空间不足" in text and "no space left on the disk" in text
    assert "Nothing new was published; previous outputs are untouched." in text
    assert tree_digest(year) == good
    assert leftovers(tmpfs / SCHEME) == []  # a full disk is not kept fuller by a half-built year

    resize(tmpfs, 64 * 2**20)
    again = evalbook("run", SCHEME, "--year", YEAR, "--data", str(data), "--out", str(tmpfs), "--resume")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "开展义诊（更正）" in (year / "D1" / "report.html").read_text(encoding="utf-8")


@pytest.fixture
def frozen():
    """Make a folder unwritable, for root too (chattr +i), and always thaw it."""
    frozen = []

    def freeze(folder: Path) -> None:
        if os.geteuid() == 0:
            done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
            if done.returncode:
                pytest.skip(f"this file system cannot make a folder immutable: {done.stderr.strip()}")
        else:
            folder.chmod(0o555)
        frozen.append(folder)

    yield freeze
    for folder in frozen:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=False)
        folder.chmod(0o755)


@pytest.mark.skipif(shutil.which("chattr") is None and os.geteuid() == 0, reason="needs chattr (e2fsprogs) as root")
def test_an_unwritable_output_folder_fails_cleanly_naming_it(tmp_path, frozen):
    data, out = tmp_path / "data", tmp_path / "out"
    build_cohort(data)
    first = evalbook("run", SCHEME, "--year", YEAR, "--data", str(data), "--out", str(out), "--only", "D1")
    assert first.returncode == 0, first.stderr
    year = out / SCHEME / YEAR
    good = tree_digest(year)
    frozen(out / SCHEME)

    result = evalbook("run", SCHEME, "--year", YEAR, "--data", str(data), "--out", str(out))

    text = result.stdout + result.stderr
    assert result.returncode == 1, text
    assert "Traceback" not in text
    assert str(out / SCHEME) in text
    assert ("不允许写入" in text or "没有写入权限" in text) and ("not permitted" in text or "permission denied" in text)
    assert tree_digest(year) == good


def test_an_output_path_through_a_file_fails_cleanly_naming_it(tmp_path):
    data = tmp_path / "data"
    build_cohort(data)
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the output folder should be", encoding="utf-8")

    result = evalbook("run", SCHEME, "--year", YEAR, "--data", str(data), "--out", str(blocker / "sub"))

    text = result.stdout + result.stderr
    assert result.returncode == 1, text
    assert "Traceback" not in text
    assert "路径中有一段是文件而不是文件夹" in text and "a part of the path is a file, not a folder" in text
    assert str(blocker) in text
    assert blocker.read_text(encoding="utf-8") == "a file where the output folder should be"
