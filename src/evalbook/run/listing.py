"""What a published year consists of: the list its ``manifest.json`` holds, and what is not on it.

The year's manifest lists every file of the year folder by sha256: the tables, ``validation.json``,
the cohort report (``index.html``, ``audit.html``, ``cohort.ipynb``, ``result.json``) and, for
each report folder, its own ``manifest.json`` (which lists that folder's files), or every file of a
folder that has none (a report that failed: its page and ``failed.json``). ``run`` writes the
list, ``verify`` checks it both ways: a listed file missing or changed, a file present but unlisted.
"""

from __future__ import annotations

from pathlib import Path

from evalbook.inputs.snapshot import FOLDER as SNAPSHOT  # noqa: F401 — the run's scored year for its notebooks: not a report

MANIFEST = "manifest.json"
STAGING_MARKER = ".pid"  # the staging folder's "in use" mark; removed as the folder is published
HISTORY = "history"  # earlier publications of the year, history/1, history/2, … (round/revisions.py)
SIGNATURES_JSON, SIGNATURES_HTML = "signatures.json", "signatures.html"  # sign-off, written after publication
# in a year folder but on no manifest: the earlier publications (each proven by its own manifest, which the
# year's manifest names by sha256 under ``revision``) and the sign-off, which comes after publication
NOT_LISTED = (HISTORY, SIGNATURES_JSON, SIGNATURES_HTML)


def year_files(year_dir: Path) -> list[str]:
    """Relative paths (``/``-separated) of everything the year's manifest lists, sorted."""
    year_dir = Path(year_dir)
    listed = []
    for entry in sorted(year_dir.iterdir()):
        if entry.name in NOT_LISTED:
            continue
        if entry.is_dir():
            if (entry / MANIFEST).is_file():
                listed.append(f"{entry.name}/{MANIFEST}")
            else:
                listed += [p.relative_to(year_dir).as_posix() for p in sorted(entry.rglob("*")) if p.is_file()]
        elif entry.is_file() and entry.name not in (MANIFEST, STAGING_MARKER):
            listed.append(entry.name)
    return listed


def unlisted(folder: Path, listed: set[str], covered: set[str] = frozenset()) -> list[str]:
    """Files under ``folder`` (relative paths) that are neither ``listed`` nor its own manifest, nor
    inside one of the ``covered`` sub-folders (those have a manifest of their own, checked on its own)."""
    folder = Path(folder)
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            continue
        relative = path.relative_to(folder).as_posix()
        if relative == MANIFEST or relative in listed or relative.split("/", 1)[0] in covered:
            continue
        found.append(relative)
    return found
