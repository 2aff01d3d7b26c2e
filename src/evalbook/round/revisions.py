"""Publications as revisions: a republished year keeps every earlier publication under ``history/<N>/``.

``evalbook run`` (``--resume`` and ``--only`` too) publishes revision N+1 of a year whose current
publication is revision N (1 for the first; a year published before revisions were recorded counts as 1).
Just before the new year folder is swapped in, still under the year's run lock, the current publication is
copied whole, as it is, into the staging folder's ``history/<N>/`` (its ``signatures.json``, ``changes.*`` and
report folders with it; the earlier ``history/`` entries are copied alongside, never nested), and the new
publication's ``changes.csv``/``changes.html`` are written against it (``changes``). The year's ``manifest.json``
records ``revision``: ``{"number": N+1, "history": {"1": sha256 of history/1/manifest.json, …}}``, each
report's ``{"number": …}`` (the revision its page was built in: a report kept by ``--only``/``--resume`` keeps
its own). ``history/`` is on no list of files; the sha256s under ``revision.history`` bind it to the current
publication, and ``verify`` proves each ``history/<k>/`` as the publication it was. After the swap the files
of ``history/`` are made read-only (evalbook never writes there again; ``sign`` refuses it).

The first publication gets a ``changes.html`` saying so (no ``changes.csv``: a first publication adds no CSV),
and every publication a ``signatures.html`` (尚未签署), so the links every page carries always lead somewhere.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from evalbook.core.files import replace_files
from evalbook.inputs.reading import sha256_file
from evalbook.round import changes, signatures
from evalbook.run.listing import HISTORY, MANIFEST, SIGNATURES_HTML

REVISION = "revision"  # manifest key


def number_of(year_dir: Path) -> int | None:
    """The revision number of the publication at ``year_dir`` (None when there is none)."""
    record = changes.read_record(year_dir)
    if "run" not in record:
        return None
    revision = record.get(REVISION)
    if isinstance(revision, dict) and isinstance(revision.get("number"), int) and revision["number"] > 0:
        return revision["number"]
    return len(history(year_dir)) + 1


def history(year_dir: Path) -> list[tuple[int, Path]]:
    """The earlier publications kept in ``year_dir/history/``, by number."""
    folder = Path(year_dir) / HISTORY
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted((int(p.name), p) for p in folder.iterdir()
                  if p.is_dir() and not p.is_symlink() and p.name.isdigit() and p.name[0] != "0")


def _link_or_copy(source: str, destination: str) -> None:
    """A file kept in history: a hard link to the published one (which the swap then removes from the year
    folder; nothing ever writes either again), a copy where links are not possible."""
    try:
        os.link(source, destination, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, destination, follow_symlinks=False)


class Revisions:
    """What ``evalbook run`` gives the batch (``RunOptions.revisions``) so that a publication is a revision."""

    def number(self, target: Path) -> int:
        """The revision the run in progress will publish."""
        current = number_of(target)
        return 1 if current is None else current + 1

    def before_manifest(self, scheme, year: int, target: Path, stage: Path, inputs: dict[str, str]) -> dict:
        """Keep the current publication in ``stage/history/``, write ``changes.*`` and ``signatures.html`` into
        ``stage``; return the year manifest's ``revision`` record."""
        current = number_of(target)
        kept: dict[str, str] = {}
        if current is not None:
            for k, folder in history(target):
                shutil.copytree(folder, stage / HISTORY / str(k), copy_function=_link_or_copy, symlinks=True)
            into = stage / HISTORY / str(current)
            shutil.copytree(target, into, copy_function=_link_or_copy, symlinks=True,
                            ignore=lambda folder, names: [HISTORY] if Path(folder) == target else [])
            kept = {str(k): sha256_file(folder / MANIFEST) for k, folder in history(stage)}
        number = 1 if current is None else current + 1
        previous = None if current is None else stage / HISTORY / str(current)
        against = None if current is None else f"第 {current} 版 revision {current}"
        texts = changes.make(scheme, year, previous, stage, inputs, number, against)
        texts[SIGNATURES_HTML] = signatures.signatures_page(year, [], "")
        replace_files(stage, texts)
        return {"number": number, "history": kept}

    def after_publish(self, target: Path) -> None:
        """Make the files of ``history/`` read-only (folders stay writable, so a later publication can replace
        the year folder as a whole)."""
        for root, _dirs, files in os.walk(Path(target) / HISTORY):
            for name in files:
                path = os.path.join(root, name)
                if not os.path.islink(path):
                    mode = os.stat(path).st_mode
                    os.chmod(path, stat.S_IMODE(mode) & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))

