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


def taken(book, key: str, what_zh: str, what_en: str, validation: str | Path | None = None) -> dict[str, str] | None:
    """The texts of the batch's ``key`` tables (file name → text) for a notebook of the batch, checked against the
    record; None when the notebook runs alone or the record holds no such entry (the caller computes them).
    A file missing or changed since the record: ``InputError`` (bilingual), naming the file and the hash.
    ``validation``: the record's path when the caller has it (else the book's, ``Year.validation``)."""
    if validation is None:
        validation = getattr(book, "validation", "")
    entry = book.intake.made.get(key) if validation else None
    if entry is None:
        return None
    folder = Path(validation).parent
    texts = {}
    for name, digest in entry["files"].items():
        path = folder / name
        text = path.read_text(encoding="utf-8") if path.is_file() else None
        if text is None or sha(text) != digest:
            raise InputError(Problem(str(path), f"{what_zh}缺失或与校验记录不符；请重新运行",
                                     f"{what_en} is missing or differs from the validation record; run again",
                                     column="sha256", value=digest))
        texts[name] = text
    return texts


def texts_of(book, key: str, what_zh: str, what_en: str, make: Callable[[], dict[str, str]]) -> dict[str, str]:
    """The batch's tables when the notebook is of a batch (``taken``), else ``make()``."""
    texts = taken(book, key, what_zh, what_en)
    return make() if texts is None else texts


def rows(text: str) -> list[dict]:
    """A table's text as rows of text cells."""
    return list(csv.DictReader(io.StringIO(text)))
