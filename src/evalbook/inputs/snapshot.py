"""The run's scored year, for its report notebooks: each opens its own unit's rows and the cohort's tables of
one row per unit, not the whole year, so a report costs the same in a cohort of 20 or of 10,000.

``write`` runs once per batch run (``committee.tables.write_year_tables``) into ``snapshot/`` beside
``validation.json``:

- ``<file>.parquet`` for every input file of the year: its cells as read (text, the reading's line numbers in
  ``__line``), sorted by institution code where the file has one (row groups are then read by code);
- ``cohort.parquet`` and friends: the scheme's cohort-wide score tables (``Scheme.SNAPSHOT``: ranks, awards,
  group sizes need every unit), every exact value written as its exact text (``211/3``), never as a binary float;
- ``index.parquet``: for every institution code, the sha256 of its rows of every input file.

The intake's ``made`` record (``validation.json``) keeps the sha256 of the cohort tables and of the index; a
notebook checks them, reads its rows, checks their digest against the index, types and scores its own rows as
a standalone notebook would (``Scheme.score`` on the narrowed year) and takes ranks and awards from the cohort
tables. A file missing, changed or forged: an ``InputError`` naming it, in Chinese and English.
"""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from evalbook.core.columns import parse_table
from evalbook.core.errors import InputError, Problem
from evalbook.inputs.intake import EVERY, Intake, concerned_code, locate, take_record
from evalbook.inputs.reading import TextTable

KEY = "snapshot"  # the intake's ``made`` entry
FOLDER = "snapshot"
INDEX = "index.parquet"
LINE = "__line"  # the reading's line number of each row (the text table's index)
CODE = "code"
ROW_GROUP = 4096  # rows per row group: a unit's rows are found through the groups' min/max codes
WHAT_ZH, WHAT_EN = "本次运行的评分快照", "the run's scored snapshot"


# --------------------------------------------------------------------------- writing

def write(scheme, intake: Intake, scores, folder: Path) -> list[str]:
    """Write the snapshot of a scored year into ``folder/snapshot/`` and record it in ``intake.made``; return the
    file names written (relative to ``folder``). A scheme without cohort tables (``SNAPSHOT`` empty) has none."""
    if not scheme.SNAPSHOT:
        return []
    target = Path(folder) / FOLDER
    target.mkdir(parents=True, exist_ok=True)
    written, hashes = [], {}
    digests: dict[str, hashlib._Hash] = {}
    for file, table in sorted(intake.tables.items()):
        frame = _text_frame(table.frame)
        if CODE in frame:
            frame = frame.sort_values(CODE, kind="mergesort", na_position="last")
            for code, rows in frame.groupby(CODE, sort=False, dropna=True):
                digests.setdefault(code, hashlib.sha256()).update(_rows_bytes(file, rows))
        name = _file_name(file)
        _write_parquet(target / name, pa.Table.from_pandas(frame, preserve_index=False),
                       {"file": file, "encoding": table.encoding})
        if CODE in frame:
            written.append(name)
        else:  # a file of no institution (the expert registry): read whole, checked whole
            hashes[name] = _sha_file(target / name)
    index = pa.table({CODE: list(digests), "sha256": [d.hexdigest() for d in digests.values()]})
    _write_parquet(target / INDEX, index, {})
    hashes[INDEX] = _sha_file(target / INDEX)
    for name, frame in scheme.cohort_tables(scores).items():
        file = f"cohort-{name}.parquet"
        _write_parquet(target / file, encode(frame), {})
        hashes[file] = _sha_file(target / file)
    written += list(hashes)
    # "files": checked whole by every notebook (small); "rows": read by code, checked per unit through the index
    intake.made[KEY] = {"files": {f"{FOLDER}/{name}": sha for name, sha in hashes.items()},
                        "rows": [f"{FOLDER}/{name}" for name in written if name not in hashes],
                        "tables": sorted(scheme.cohort_tables(scores))}
    return [f"{FOLDER}/{name}" for name in written]


def _file_name(file: str) -> str:
    return f"input-{file.removesuffix('.csv')}.parquet"


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The text table's cells with its line numbers as a column (``LINE``), every cell a str or None."""
    out = frame.astype(object).where(frame.notna(), None)
    out.insert(0, LINE, frame.index.astype("int64"))
    return out.reset_index(drop=True)


def _rows_bytes(file: str, rows: pd.DataFrame) -> bytes:
    """What a unit's digest covers of one file: its name, the columns and every row's line and cells."""
    return json.dumps([file, list(rows.columns), rows.to_numpy().tolist()], ensure_ascii=False,
                      default=int).encode("utf-8")


def _write_parquet(path: Path, table: pa.Table, meta: dict) -> None:
    meta = {b"evalbook": json.dumps(meta, ensure_ascii=False).encode("utf-8")} if meta else {}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp, row_group_size=ROW_GROUP, compression="zstd")
    tmp.replace(path)


def _sha_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# exact values keep their type and their exact value: a tag, then the text (Fraction 211/3 → "F211/3")
_TAGS = {Fraction: "F", int: "I", bool: "B", str: "S", float: "D"}


def encode(frame: pd.DataFrame) -> pa.Table:
    """A score table as Parquet: numeric and boolean columns as they are; object columns (exact Fractions mixed with
    ints, text, None) as tagged text, so that ``decode`` gives back the same values of the same types."""
    columns = {}
    for name in frame.columns:
        values = frame[name]
        if values.dtype == object:
            columns[name] = pa.array([_tagged(v) for v in values], type=pa.string())
        else:
            columns[name] = pa.Array.from_pandas(values)  # numbers, booleans, text columns (pandas' str)
    table = pa.table(columns)
    kinds = {name: "tagged" if frame[name].dtype == object else str(frame[name].dtype) for name in frame.columns}
    return table.replace_schema_metadata({b"evalbook-columns": json.dumps(kinds).encode()})


def _tagged(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    kind = type(value)
    if kind is Fraction:
        return f"F{value.numerator}/{value.denominator}"
    if kind is bool:
        return "B1" if value else "B0"
    if kind in _TAGS:
        return _TAGS[kind] + (repr(value) if kind is float else str(value))
    if hasattr(value, "item"):  # a numpy scalar in an object column
        return _tagged(value.item())
    raise TypeError(f"a score table holds a value of type {kind.__name__}: {value!r}")


def decode(table: pa.Table) -> pd.DataFrame:
    """``encode``'s inverse: each distinct tagged text read once (scores repeat; a province has 10,000 rows)."""
    import numpy as np

    kinds = json.loads((table.schema.metadata or {}).get(b"evalbook-columns", b"{}"))
    tagged = [name for name, kind in kinds.items() if kind == "tagged"]
    frame = table.drop_columns(tagged).to_pandas()
    for name in tagged:
        encoded = table.column(name).combine_chunks().dictionary_encode()
        values = np.empty(len(encoded.dictionary) + 1, dtype=object)  # the last: a missing value
        values[:-1] = [_untagged(text) for text in encoded.dictionary.to_pylist()]
        values[-1] = None
        frame[name] = pd.Series(values[encoded.indices.fill_null(-1).to_numpy()], index=frame.index, dtype=object)
    return frame[list(table.column_names)]


def _untagged(text: str):
    tag, body = text[0], text[1:]
    if tag == "F":
        numerator, _, denominator = body.partition("/")
        return Fraction(int(numerator), int(denominator))
    if tag == "I":
        return int(body)
    if tag == "B":
        return body == "1"
    if tag == "D":
        return float(body)
    return body


# --------------------------------------------------------------------------- reading

def recorded(record: dict) -> dict | None:
    """The snapshot entry of a validation record (None: the run made none)."""
    return (record.get("made") or {}).get(KEY)


def open_unit(scheme, year: int, data_dir: Path, validation: Path, record: dict, code: str):
    """The year as one institution's report sees it: (intake narrowed to ``code``'s rows, scores whose cohort
    tables are the run's). ``InputError`` when a snapshot file is missing or not what the record says."""
    entry = recorded(record)
    folder = Path(validation).parent
    _check(folder, entry)
    rubric = scheme.load_rubric(scheme.rubric_path())
    if record["rubric_sha256"] != rubric.sha256:
        raise InputError(Problem(str(validation), "校验记录之后评分规则已改变；请重新运行",
                                 "the rubric changed since this validation record; run again",
                                 column="rubric_sha256", value=rubric.sha256))
    intake = Intake(scheme, int(year), Path(data_dir), rubric)
    index = _read(folder / FOLDER / INDEX, code)[0][["sha256"]]["sha256"].tolist()
    digest = hashlib.sha256()
    kept = set(entry["files"]) | set(entry["rows"])
    read = {}
    for file in sorted(scheme.FILES):
        name = f"{FOLDER}/{_file_name(file)}"
        if name in kept:  # else not an input of the year (an optional file not given)
            read[file] = frame, encoding = _read(folder / name, code)
            if CODE in frame and len(frame):  # as written: the files that hold rows of the unit
                digest.update(_rows_bytes(file, frame))
    if index != [digest.hexdigest()]:
        raise _forged(folder / FOLDER / INDEX, code)
    for file, (frame, encoding) in read.items():
        source, label = locate(scheme, data_dir, file, year)
        text = frame.set_index(LINE)
        text.index.name = None
        intake.tables[file] = TextTable(source, text, encoding, record["inputs"].get(label, ""))
        intake.labels[file] = label
        intake.typed[file] = scheme.derive(file, parse_table(text, scheme.FILES[file]), rubric)
    for label, sha in record["inputs"].items():  # files of other years the run read: listed with their hashes
        if label not in intake.labels.values():
            folder_, _, file = label.partition("/")
            if folder_.isdigit() and file in scheme.FILES:
                source, _ = locate(scheme, data_dir, file, int(folder_))
                intake.references[label] = TextTable(source, pd.DataFrame(), "", sha)
    # the problems its report can show: its own and the year's (a province's record holds thousands)
    record = {**record, "problems": [p for p in record["problems"] if p.get("severity") == "error"
                                     or concerned_code(intake, p["file"], p.get("row"), p.get("value")) in (EVERY, code)]}
    take_record(intake, record)
    tables = {}
    for name in entry["tables"]:
        path = folder / FOLDER / f"cohort-{name}.parquet"
        try:
            tables[name] = decode(pq.read_table(path))
        except (OSError, pa.ArrowException, KeyError, ValueError, IndexError, TypeError):
            raise _missing(path) from None
    return intake, scheme.with_cohort(scheme.score(intake), tables)


def _read(path: Path, code: str) -> tuple[pd.DataFrame, str]:
    """A snapshot file's rows of ``code`` (all its rows when it has no code column), every cell a str or None, and
    the encoding its input was read in; ``InputError`` when it is missing or cannot be read as one."""
    try:
        file = pq.ParquetFile(path)
        try:
            table = _rows_with(file, code) if CODE in file.schema_arrow.names else file.read()
        finally:
            file.close()
        meta = json.loads((table.schema.metadata or {}).get(b"evalbook", b"{}"))
        # a unit's few rows: straight from Arrow's lists (str or None), as the text table holds them
        frame = pd.DataFrame({name: pd.Series(table.column(name).to_pylist(),
                                              dtype="int64" if name == LINE else object)
                              for name in table.column_names})
    except (OSError, pa.ArrowException, KeyError, ValueError, TypeError):
        raise _missing(path) from None
    return frame, meta.get("encoding", "")


def _rows_with(file: pq.ParquetFile, code: str) -> pa.Table:
    """The rows of ``file`` whose code is ``code``: only the row groups whose code range holds it are read (the rows
    are sorted by code, so one or two groups of a province's file), then those rows kept. A group whose range the file
    does not record is read too."""
    import pyarrow.compute as pc

    column = file.schema_arrow.names.index(CODE)
    groups = []
    for number in range(file.metadata.num_row_groups):
        stats = file.metadata.row_group(number).column(column).statistics
        if stats is None or not stats.has_min_max or stats.min <= code <= stats.max:
            groups.append(number)
    table = file.read_row_groups(groups) if groups else file.schema_arrow.empty_table()
    return table.filter(pc.equal(table.column(CODE), code))


def _check(folder: Path, entry: dict) -> None:
    for name, sha in entry["files"].items():
        path = folder / name
        if not path.is_file() or _sha_file(path) != sha:
            raise _missing(path, sha)


def _missing(path: Path, sha: str = "") -> InputError:
    return InputError(Problem(str(path), f"{WHAT_ZH}缺失或与校验记录不符；请重新运行",
                              f"{WHAT_EN} is missing or differs from the validation record; run again",
                              column="sha256" if sha else None, value=sha or None))


def _forged(path: Path, code: str) -> InputError:
    return InputError(Problem(str(path), f"{WHAT_ZH}中机构 {code} 的数据与其摘要不符；请重新运行",
                              f"{WHAT_EN}: the rows of {code} differ from their digest; run again",
                              column=CODE, value=code))
