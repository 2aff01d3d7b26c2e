"""The year's archived inputs (``inputs/<sha256>``): checked against a manifest and laid out as a data folder."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

from evalbook.audit.findings import CHANGED, TAMPERED, Finding
from evalbook.audit.manifests import malformed, safe_name
from evalbook.inputs.reading import sha256_file
from evalbook.run import archive
from evalbook.run.archive import ARCHIVE
from evalbook.run.listing import MANIFEST


class Inputs:
    """Where the recorded input files are read from to redo the work: the year's archive (``inputs/``),
    laid out as a data folder in a scratch folder, one per distinct set of files; a year published before
    the archive has none, and today's data folder is used as before."""

    def __init__(self, year_dir: Path, year_record, scratch: Path) -> None:
        outputs = year_record.get("outputs") if isinstance(year_record, dict) else None
        self.year_dir, self.scratch = year_dir, scratch
        self.listed = {n for n in (outputs if isinstance(outputs, dict) else {}) if str(n).startswith(f"{ARCHIVE}/")}
        self.year_extras = [] if malformed(year_record) else list(year_record.get(archive.DATA_FILES) or [])
        self._lock = threading.RLock()
        self._folders: dict[tuple, Path] = {}
        self._validations: dict[tuple, Path] = {}

    @property
    def archived(self) -> bool:
        return bool(self.listed)

    def files(self, record: dict) -> list[dict]:
        """The files to lay out for a record: its inputs and ``data_files``; for a manifest written before
        ``data_files`` were recorded, the year's (``DEMO.md``: a kept report's ``report_facts`` cover it)."""
        if archive.DATA_FILES in record or not self.archived:
            return archive.recorded(record)
        return [*record["inputs"], *self.year_extras]

    def check(self, record: dict, folder: Path, finding: Finding, today: bool) -> bool:
        """Each file the record names, in the archive with its hash (else *tampered*), or, with no archive,
        in today's data folder with its hash (else *inputs changed*). True when all are there."""
        ok = True
        for entry in self.files(record):
            label, sha = entry["file"], entry["sha256"]
            source = (folder / entry["path"]).resolve()
            if not self.archived:
                if not source.is_file() or sha256_file(source) != sha:
                    finding.worse(CHANGED, f"{label}: 自发布后已改变或缺失 changed or missing since publication")
                    ok = False
                continue
            if not safe_name(label) or not re.fullmatch(r"[0-9a-f]{64}", sha):
                finding.worse(TAMPERED, f"{MANIFEST} inputs: 不是输入文件的名称与 sha256 not an input's name and "
                              f"sha256: {label!r} {sha!r}")
                ok = False
                continue
            name = archive.archive_name(label, sha)
            stored = self.year_dir / name
            if name not in self.listed:
                finding.worse(TAMPERED, f"{name}（{label}）: 不在年度清单的输入存档中 not in the year's archive of inputs")
                ok = False
            elif stored.is_symlink() or not stored.is_file() or sha256_file(stored) != sha:
                finding.worse(TAMPERED, f"{name}（{label}）: 存档的输入缺失或被改动 the archived input is missing or altered")
                ok = False
            elif today and (not source.is_file() or sha256_file(source) != sha):
                finding.note(f"今日数据与发布时不同 today's data differ from the published inputs: {label}")
        return ok

    def data_dir(self, scheme_name: str, record: dict) -> Path:
        """A data folder holding the record's archived files (checked by ``check`` first)."""
        key = self._key(record)
        with self._lock:
            if key not in self._folders:
                folder = self.scratch / f"set{len(self._folders)}" / "data"
                archive.lay_out(self.year_dir, scheme_name, self.files(record), folder)
                self._folders[key] = folder
            return self._folders[key]

    def validation(self, scheme_name: str, year: int, record: dict) -> Path:
        """The validation record of a report built from other inputs than the year's (kept by ``--only``): its
        archived inputs validated again, as the run that built it did."""
        key = self._key(record)
        with self._lock:
            if key not in self._validations:
                data = self.data_dir(scheme_name, record)
                intake = self.validate(scheme_name, year, data)
                if not intake.errors:  # the year's tables beside it, as the run wrote them before validation.json
                    self._tables(scheme_name, intake, data.parent)
                path = data.parent / "validation.json"
                path.write_text(json.dumps(intake.validation_record(), ensure_ascii=False, indent=1), encoding="utf-8")
                self._validations[key] = path
            return self._validations[key]

    @staticmethod
    def _tables(scheme_name: str, intake, folder: Path) -> None:
        """The year's tables made from these inputs (``write_year_tables``): what they record for the notebooks
        (``Intake.made``, e.g. the trend against last year) goes into the validation record, so a re-executed report
        takes them as in the run instead of computing them."""
        from evalbook.committee.tables import write_year_tables
        from evalbook.core.registry import get_scheme

        scheme = get_scheme(scheme_name)
        write_year_tables(scheme, intake, scheme.score(intake), folder)  # beside validation.json, as in a year folder

    def validate(self, scheme_name: str, year: int, data: Path):
        """Validate a data folder: one validation at a time (Great Expectations is not shared between threads)."""
        from evalbook.run.batch import validate_year

        with self._lock:
            return validate_year(scheme_name, year, data)

    def _key(self, record: dict) -> tuple:
        return tuple(sorted((e["file"], e["sha256"]) for e in self.files(record)))
