"""What a year's data folder records about where its rows came from: the submissions log and the addresses.

``data/<scheme>/<year>/submissions.csv`` (``LOG_COLUMNS``) has one line per received workbook × report unit ×
data file that workbook carries, appended by each ``evalbook ingest`` (not ``--dry-run``): when it was received
(UTC), the unit (the institution code, or code-专科 as the report folder is named; a committee workbook gets a line
per unit it lists), the data file (as the scheme's ``FILES`` names it), the sha256 of the received workbook, whose
file it is (``hospital``, ``committee``, ``experts``) and the rows that workbook added, changed and removed in that
unit's rows of the file. A workbook that changed nothing is on record too (all three counts 0).

``data/<scheme>/<year>/submissions/`` keeps every received workbook, byte for byte, as ``<sha256>.xlsx`` (same
content, same name: never overwritten), and ``addresses.csv`` (``ADDRESS_COLUMNS``): for each row (line, header = 1)
and column of a data file written by ingest, the cell it was read from (``SC.xlsx!附件3考评事实!F17``), the sha256 of
that workbook, and the sha256 of the data file as ingest wrote it. A data file edited since (its sha256 differs) has
no addresses any more: its values are then named by ``file:row:column``.

None of these is an input file: the intake reads only the files a scheme declares (``Scheme.FILES``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from evalbook.inputs.reading import sha256_file

LOG = "submissions.csv"
FOLDER = "submissions"
ADDRESSES = f"{FOLDER}/addresses.csv"
LOG_COLUMNS = ("received_at", "code", "file", "sha256", "owner", "rows_added", "rows_changed", "rows_removed")
ADDRESS_COLUMNS = ("file", "row", "column", "address", "sha256", "file_sha256")


def csv_lines(columns: Sequence[str], rows: Iterable[Mapping[str, object]], header: bool = True) -> str:
    """Rows as CSV text ('\\n' line ends). The values are ours (codes, file names, hashes, counts, addresses of
    cells and UTC times); an address's workbook name is the received file's name, so text a spreadsheet would run
    as a formula gets a leading ``'`` (read back as typed by ``read_csv``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(columns)
    for row in rows:
        writer.writerow([_safe(row.get(c, "")) for c in columns])
    return out.getvalue()


def _safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "'") else text


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of one of these records (none when it does not exist), the ``'`` of ``csv_lines`` taken off."""
    if not Path(path).is_file():
        return []
    with open(path, encoding="utf-8", newline="") as stream:
        return [{k: (v[1:] if v.startswith("'") else v) for k, v in row.items()} for row in csv.DictReader(stream)]


def read_log(year_dir: Path) -> list[dict[str, str]]:
    return read_csv(Path(year_dir) / LOG)


@dataclass(frozen=True)
class Origin:
    """Where one value of a data file came from: the workbook cell and the workbook's sha256."""

    address: str
    sha256: str


def read_addresses(year_dir: Path, paths: Mapping[str, Path]) -> dict[tuple[str, int, str], Origin]:
    """(file, line, column) → ``Origin``, for the data files of ``paths`` (file → where it is read) whose
    current sha256 is the one ingest recorded (a file edited since has none)."""
    rows = read_csv(Path(year_dir) / ADDRESSES)
    current = {file: sha256_file(path) for file, path in paths.items() if Path(path).is_file()}
    return {(r["file"], int(r["row"]), r["column"]): Origin(r["address"], r["sha256"])
            for r in rows if r["file"] in current and current[r["file"]] == r["file_sha256"] and r["row"].isdigit()}
