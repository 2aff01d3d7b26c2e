"""The published numbers of the demo data are byte-identical to the recorded ones.

``tests/fixtures/golden/`` holds every CSV and ``result.json`` that ``evalbook run --all`` writes for the
demo data of both schemes (the year's tables and each report's record). A change of layout, of the scheme
interface or of a helper must not move a single byte of them. When a rubric or the demo data is changed on
purpose, record the new outputs with ``EVALBOOK_WRITE_GOLDEN=1 python -m pytest tests/test_golden_outputs.py``
and review the diff of ``tests/fixtures/golden/`` like any other change of results.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "fixtures" / "golden"


def published_numbers(out: Path) -> dict[str, bytes]:
    """Every CSV and result.json under ``out``, by path relative to it (archived inputs left out)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and (p.suffix == ".csv" or p.name == "result.json") and "inputs" not in p.relative_to(out).parts}


def test_demo_outputs_are_byte_identical_to_the_recorded_ones(tmp_path):
    out = tmp_path / "reports"
    done = subprocess.run([sys.executable, "-m", "evalbook", "run", "--all", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    produced = published_numbers(out)
    if os.environ.get("EVALBOOK_WRITE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, data in produced.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
        pytest.skip(f"recorded {len(produced)} files in {GOLDEN}")
    expected = published_numbers(GOLDEN)
    assert len(expected) >= 60, "the recorded outputs are missing: see this module's docstring"
    assert sorted(produced) == sorted(expected)
    for name, data in expected.items():
        if produced[name] != data:
            diff = difflib.unified_diff(data.decode().splitlines(), produced[name].decode().splitlines(),
                                        "recorded/" + name, "now/" + name, lineterm="", n=1)
            pytest.fail("\n".join(list(diff)[:40]))
