"""Writing a scheme's suites to ``expectations/<scheme>/`` from its column declarations.

The JSON files are what runs and what reviewers read; they are regenerated only when the
declarations change, with no random ids, so a diff shows the rule that changed. A test keeps
the files and the declarations in step.
"""

from __future__ import annotations

import json
from pathlib import Path

from evalbook.core.scheme import Scheme


def render_suite(suite: dict) -> str:
    return json.dumps(suite, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write_suites(scheme: Scheme, folder: Path | None = None) -> list[Path]:
    folder = Path(folder or scheme.suites_dir())
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, suite in scheme.suites().items():
        path = folder / f"{name}.json"
        path.write_text(render_suite(suite), encoding="utf-8")
        written.append(path)
    return written


def stale_suites(scheme: Scheme, folder: Path | None = None) -> list[str]:
    """Names of suites whose file differs from what the declarations give (or is missing)."""
    folder = Path(folder or scheme.suites_dir())
    stale = []
    for name, suite in scheme.suites().items():
        path = folder / f"{name}.json"
        if not path.exists() or path.read_text(encoding="utf-8") != render_suite(suite):
            stale.append(name)
    return stale
