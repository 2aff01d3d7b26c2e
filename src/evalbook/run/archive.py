"""The inputs a year's reports were built from, published with them: ``YEAR/inputs/<sha256>``.

Every run copies each input file it read (and the data folder's ``DEMO.md``, which a report shows as its
示例数据 banner) into the year folder under its own sha256. A file whose name is its hash is self-checking,
and the same content is stored once. The copies keep no ``.csv`` suffix: they hold the inputs byte for byte,
hostile text included, and are evidence for ``verify``, not spreadsheets to open. ``--only`` carries over
the archived files that the reports it keeps were built from, so every published report's recorded inputs
are in its year folder: ``verify`` re-executes a report from them, not from today's data folder, which may
have been corrected since. The year's manifest lists these files like every other published file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from evalbook.core.errors import InputError, Problem
from evalbook.inputs.reading import sha256_file
from evalbook.notebook.year import DEMO_MARKER
from evalbook.run.listing import MANIFEST

ARCHIVE = "inputs"  # the folder of a year that holds its inputs; never a report folder
DATA_FILES = "data_files"  # manifest key: files of the data folder a report shows besides its inputs


def archive_name(label: str, sha: str) -> str:
    """``inputs/<sha256>`` for an input (named ``label`` in the manifest, e.g. ``2023/facts.csv``) with this sha256.

    No ``.csv``: the copy is evidence, byte for byte, not a spreadsheet to open (its text is not neutralised)."""
    return f"{ARCHIVE}/{sha}"


def data_files(scheme_name: str, data_dir: Path, year: int | None = None) -> list[tuple[str, Path, str]]:
    """(label, path, sha256) of the files of the data folder a report shows besides its inputs: ``DEMO.md`` and,
    with ``year``, that year's submissions log and addresses where ingest wrote them (the 数据来源 section)."""
    from evalbook.inputs import records

    demo = Path(data_dir) / scheme_name / DEMO_MARKER
    found = [(DEMO_MARKER, demo, sha256_file(demo))] if demo.is_file() else []
    for name in (records.LOG, records.ADDRESSES) if year is not None else ():
        path = Path(data_dir) / scheme_name / str(year) / name
        if path.is_file():
            found.append((f"{year}/{name}", path, sha256_file(path)))
    return found


def recorded(record: dict) -> list[dict]:
    """Every file a manifest says its result was built from: ``inputs`` and ``data_files`` entries."""
    return [*record["inputs"], *(record.get(DATA_FILES) or [])]


def store(year_dir: Path, files: list[tuple[str, Path, str]]) -> None:
    """Copy each (label, path, sha256) into ``year_dir/inputs/``; a file no longer holding what was read is refused."""
    for label, path, sha in files:
        target = Path(year_dir) / archive_name(label, sha)
        if target.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        content = Path(path).read_bytes()
        if hashlib.sha256(content).hexdigest() != sha:
            raise InputError(Problem(label, "运行期间文件被改动；请在文件不再变动时重新运行",
                                     "the file changed during the run; run again once it no longer changes",
                                     column="sha256", value=sha))
        target.write_bytes(content)


def carry_over(published: Path, stage: Path, kept: list[str]) -> list[str]:
    """Copy into ``stage/inputs/`` the archived files that each kept report folder's manifest records,
    from the published year's archive, else from the path it records when that file still holds the same
    bytes (a year published before the archive). Returns the folders some of whose inputs exist nowhere any
    more: they cannot be kept (nothing could prove them), so the run rebuilds them."""
    lost = []
    for name in kept:
        folder = Path(published) / name
        try:
            record = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            entries = recorded(record)
        except FileNotFoundError:
            continue  # a failed report: a page saying so, no inputs
        except (OSError, ValueError, KeyError, TypeError):
            lost.append(name)
            continue
        found = []
        for entry in entries:
            archived = Path(published) / archive_name(entry["file"], entry["sha256"])
            source = (folder / entry["path"]).resolve()
            for candidate in (archived, source):
                if candidate.is_file() and sha256_file(candidate) == entry["sha256"]:
                    found.append((entry["file"], candidate, entry["sha256"]))
                    break
            else:
                lost.append(name)
                break
        else:
            store(stage, found)
    return lost


def lay_out(year_dir: Path, scheme_name: str, entries: list[dict], data_dir: Path) -> None:
    """Copy the archived files of ``entries`` to where a data folder keeps them: ``data_dir/<scheme>/<label>``
    (copies, not links: reading refuses a link out of the data folder). The caller has checked every label
    is a plain relative path and every archived file its hash."""
    for entry in entries:
        target = Path(data_dir) / scheme_name / entry["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(year_dir) / archive_name(entry["file"], entry["sha256"]), target)
