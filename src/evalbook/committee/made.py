"""Tables a run makes once for its notebooks, and how a notebook takes them.

The batch writes a year's committee tables (``committee.tables.write_year_tables``) before any notebook runs and
keeps each group's file hashes in the intake's ``made`` record (``validation.json``). A notebook of the batch
(opened with the record: ``Year.validation``) reads the published text after checking its sha256 against the
record, instead of computing it again for every report; a notebook run alone (or a report kept from an earlier run,
whose record lacks the entry) computes the same text itself. Either way the page is made from the table's text, so
both pages are the same.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

from evalbook.core.errors import InputError, Problem

PANELS = "panels"  # the intake's ``made`` entries (validation.json): leave_one_out.csv
SENSITIVITY = "sensitivity"  # sensitivity.csv


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(intake, key: str, texts: dict[str, str], **found) -> None:
    """Keep ``texts``' sha256 (file name → text) under ``key`` in ``intake.made``, with what was found."""
    intake.made[key] = {**found, "files": {name: sha(text) for name, text in texts.items()}}


def write(intake, key: str, folder: Path, texts: dict[str, str], **found) -> list[str]:
    """Write ``texts`` into ``folder`` and record them under ``key`` with what was found; return the file names."""
    for name, text in texts.items():
        (Path(folder) / name).write_text(text, encoding="utf-8")
    record(intake, key, texts, **found)
    return list(texts)


def taken(book, key: str, what_zh: str, what_en: str, validation: str | Path | None = None,
          needle: str | None = None) -> dict[str, str] | None:
    """The texts of the batch's ``key`` tables (file name → text) for a notebook of the batch, checked against the
    record; None when the notebook runs alone or the record holds no such entry (the caller computes them).
    A file missing or changed since the record: ``InputError`` (bilingual), naming the file and the hash.
    ``validation``: the record's path when the caller has it (else the book's, ``Year.validation``).
    ``needle``: only the lines that may hold it (``lines_with``), taken from the file's bytes without decoding
    the rest (a province's leave_one_out.csv is megabytes, and each report wants its own few lines)."""
    if validation is None:
        validation = getattr(book, "validation", "")
    entry = book.intake.made.get(key) if validation else None
    if entry is None:
        return None
    folder = Path(validation).parent
    texts = {}
    for name, digest in entry["files"].items():
        path = folder / name
        data = _recorded_bytes(path, digest)
        if data is None:
            raise InputError(Problem(str(path), f"{what_zh}缺失或与校验记录不符；请重新运行",
                                     f"{what_en} is missing or differs from the validation record; run again",
                                     column="sha256", value=digest))
        texts[name] = data.decode("utf-8") if needle is None else _lines_with_bytes(data, needle)
    return texts


def _recorded_bytes(path: Path, digest: str) -> bytes | None:
    """The file's bytes as the recorded text (``sha`` of the text equals ``digest``), else None (missing or changed).
    A file whose lines end in \r\n (copied through another system) is read as ``read_text`` reads it."""
    if not path.is_file():
        return None
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() == digest:
        return data
    try:
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        return None
    return text.encode("utf-8") if sha(text) == digest else None


def lines_with(text: str, needle: str) -> str:
    """A table's header and the records that may hold ``needle``: the lines that contain it, when no field is quoted
    (then a line is a record); else the whole text. The caller keeps the rows that really are its own."""
    if '"' in text or not needle:
        return text
    header, _, body = text.partition("\n")
    return "\n".join([header, *(line for line in body.split("\n") if needle in line)]) + "\n"


def _lines_with_bytes(data: bytes, needle: str) -> str:
    """``lines_with(data.decode("utf-8"), needle)``, decoding only those lines (UTF-8: a match of the encoded needle
    is a match of the text's characters)."""
    if b'"' in data or not needle:
        return lines_with(data.decode("utf-8"), needle)
    found = needle.encode("utf-8")
    end = data.find(b"\n")
    end = len(data) if end == -1 else end
    lines = [data[:end]]
    at = data.find(found, end + 1)
    while at != -1:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        end = len(data) if end == -1 else end
        lines.append(data[start:end])
        at = data.find(found, end + 1)
    return (b"\n".join(lines) + b"\n").decode("utf-8")


def texts_of(book, key: str, what_zh: str, what_en: str, make: Callable[[], dict[str, str]],
             needle: str | None = None) -> dict[str, str]:
    """The batch's tables when the notebook is of a batch (``taken``), else ``make()``; with ``needle``, only the
    lines that may hold it (``lines_with``), either way."""
    texts = taken(book, key, what_zh, what_en, needle=needle)
    if texts is None:
        texts = make()
        if needle is not None:
            texts = {name: lines_with(text, needle) for name, text in texts.items()}
    return texts


def rows(text: str) -> list[dict]:
    """A table's text as rows of text cells."""
    return list(csv.DictReader(io.StringIO(text)))
