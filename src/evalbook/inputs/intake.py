"""Taking in a scheme's year of data: read every file as text, type it, run the suites.

``take_in`` is what both the batch run and a standalone notebook call: same reading, same
suites, same messages. The batch does it once per run and hands the result to the notebooks
(``validation.json``) so that no notebook pays for importing Great Expectations again.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

import pandas as pd

from evalbook.core.columns import TOO_PRECISE_REGEX, parse_table, per_distinct, rubric_text, with_rubric_bounds
from evalbook.core.errors import InputError, Problem
from evalbook.core.exact import exact
from evalbook.core.rubric import Rubric
from evalbook.core.scheme import Scheme
from evalbook.inputs.reading import TextTable, read_text_table
from evalbook.inputs.validation import SuiteOutcome, SuiteRunner, load_suite


@dataclass
class Intake:
    """A year's inputs as read, typed and validated, with everything found wrong."""

    scheme: Scheme
    year: int
    data_dir: Path
    rubric: Rubric
    tables: dict[str, TextTable] = field(default_factory=dict)
    typed: dict[str, pd.DataFrame] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # file → how messages name it (e.g. 2023/facts.csv)
    outcome: SuiteOutcome = field(default_factory=SuiteOutcome)
    gx_version: str = ""
    # files of other years read by the scheme's plausibility checks or the committee's trends (label → table):
    # inputs like the others
    references: dict[str, TextTable] = field(default_factory=dict)
    # tables made once per run from these inputs for the run's notebooks (``evalbook.committee``): name → what a
    # notebook checks before it takes them instead of making them again (their files' sha256, what they say);
    # written into validation.json
    made: dict[str, dict] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return self.outcome.errors

    @property
    def warnings(self) -> list[Problem]:
        """Every problem that is not an error: warnings and implausible values (``Problem.is_implausible``)."""
        return [p for p in self.outcome.problems if not p.is_error]

    @property
    def implausible(self) -> list[Problem]:
        return [p for p in self.outcome.problems if p.is_implausible]

    def other_year(self, file: str, year: int) -> pd.DataFrame | None:
        """``file`` of another ``year`` of the data folder, typed with exact numbers as ``exact`` gives them, for a
        comparison (``Scheme.plausibility``); None when it is not there or cannot be read cleanly (nothing to compare
        with). A file read is recorded among the inputs (hashed, archived with the year, checked by ``verify``)."""
        table = self.reference(file, year, clean=True)
        if table is None:
            return None
        typed = self.scheme.derive(file, parse_table(table.frame, self.scheme.FILES[file]), self.rubric)
        for column in self.scheme.FILES[file]:
            if column.kind == "number" and column.name in typed and column.name in table.frame:
                typed[column.name] = exact_numbers(table.frame[column.name], typed[column.name])
        return typed

    def reference(self, file: str, year: int, clean: bool = False) -> TextTable | None:
        """Read ``file`` of another ``year`` as text and record it among the inputs (``references``); None when it
        is not there, is this year's own file, or cannot be read at all (``clean``: or was read with an error)."""
        path, label = locate(self.scheme, self.data_dir, file, year)
        if label in self.references:
            return self.references[label]
        own = self.tables.get(file)
        if (label == self.labels.get(file) or not path.is_file() or _outside(path, self.data_dir)
                or (own is not None and path.resolve() == Path(own.path).resolve())):
            return None
        columns = self.scheme.FILES[file]
        table, problems = read_text_table(path, [c.name for c in columns], self.scheme.OPTIONAL_COLUMNS.get(file, ()),
                                          label)
        if table is None or (clean and any(p.is_error for p in problems)):
            return None
        table.frame = self.scheme.derive_text(file, table.frame, self.rubric)
        self.references[label] = table
        return table

    def frame(self, file: str) -> pd.DataFrame:
        """The typed table of ``file``, or an empty one with its columns when the file is absent."""
        if file in self.typed:
            return self.typed[file]
        return pd.DataFrame(columns=[c.name for c in self.scheme.FILES[file]])

    def exact(self, file: str) -> pd.DataFrame:
        """``frame(file)`` with every ``number`` column as exact Fractions read from the cell's TEXT
        (never through a float: 3.465 is 693/200, so a 5 % line or a tie is decided on paper values).
        A cell that failed its type stays null."""
        typed = self.frame(file)
        table = self.tables.get(file)
        if table is None:
            return typed
        out = typed.copy()
        for column in self.scheme.FILES[file]:
            if column.kind == "number" and column.name in out and column.name in table.frame:
                out[column.name] = exact_numbers(table.frame[column.name], typed[column.name])
        return out

    def inputs(self) -> list[tuple[str, Path, str]]:
        """(label, path, sha256) of every input file read, sorted by label."""
        labelled = {**{self.labels[f]: t for f, t in self.tables.items()}, **self.references}
        return [(label, t.path, t.sha256) for label, t in sorted(labelled.items())]

    def input_hashes(self) -> dict[str, str]:
        return {label: sha for label, _, sha in self.inputs()}

    def validation_record(self) -> dict:
        """What ``validation.json`` keeps: inputs by hash, the suite summary and every problem."""
        return {"scheme": self.scheme.NAME, "year": self.year, "great_expectations": self.gx_version,
                "rubric_sha256": self.rubric.sha256, "inputs": self.input_hashes(),
                "summary": self.outcome.summary, "problems": [p.as_dict() for p in self.outcome.problems],
                **({"made": self.made} if self.made else {})}


def exact_numbers(text: pd.Series, typed: pd.Series) -> pd.Series:
    """The Fraction of each cell's text where its typed value is a number, else null (each distinct
    text read once: scores repeat)."""
    seen: dict[str, Fraction] = {}

    def read(t):
        if t not in seen:
            seen[t] = exact(t)
        return seen[t]

    numbers = typed.notna().to_numpy()  # which cells are numbers, found for the whole column at once
    return pd.Series([read(t) if n else None for t, n in zip(text.tolist(), numbers.tolist(), strict=True)],
                     index=typed.index, dtype=object, name=typed.name)


def file_label(scheme: Scheme, file: str, year: int) -> str:
    """How a file is named in messages: relative to the scheme's data folder (``2023/facts.csv``)."""
    return file if file in scheme.ROOT_FILES else f"{year}/{file}"


def file_path(scheme: Scheme, data_dir: Path, file: str, year: int) -> Path:
    return Path(data_dir) / scheme.NAME / file_label(scheme, file, year)


def locate(scheme: Scheme, data_dir: Path, file: str, year: int) -> tuple[Path, str]:
    """Where ``file`` is read from, and how messages name it.

    Per-year files live in ``<scheme>/<year>/``; a scheme whose files carry their own period
    (``FLAT_FALLBACK``) may also keep them directly in ``<scheme>/``.
    """
    path = file_path(scheme, data_dir, file, year)
    flat = Path(data_dir) / scheme.NAME / file
    if not path.exists() and scheme.FLAT_FALLBACK and flat.exists():
        return flat, file
    return path, file_label(scheme, file, year)


def take_in(scheme: Scheme, year: int, data_dir: Path, rubric: Rubric | None = None,
            runner: SuiteRunner | None = None) -> Intake:
    """Read, type and validate a year of ``scheme`` under ``data_dir``; never raises on bad data."""
    with VALIDATING:
        return _take_in(scheme, year, data_dir, rubric, runner)


# One validation at a time in a process: Great Expectations is not shared between threads (verify checks the year,
# and with it last year's data for the trends, while it checks report folders)
VALIDATING = threading.RLock()


def _take_in(scheme: Scheme, year: int, data_dir: Path, rubric: Rubric | None, runner: SuiteRunner | None) -> Intake:
    rubric = rubric or scheme.load_rubric(scheme.rubric_path())
    intake = read_inputs(scheme, year, data_dir, rubric)
    runner = runner or SuiteRunner()
    intake.gx_version = runner.version
    known = [c for c in intake.frame("institutions.csv")["code"].dropna().tolist()]
    parameters = scheme.suite_parameters(rubric, year, known, intake.typed)
    checks = [(file, {"text": table.frame, "typed": intake.typed[file]}, intake.labels[file])
              for file, table in intake.tables.items()]
    # tables built across rows (e.g. one row per survey) with suites of their own
    checks += [(name, {"text": text, "typed": typed}, label)
               for name, (text, typed, label) in scheme.derive_tables(intake).items()]
    unread = _unread_lists(scheme, intake)
    for name, frames, label in checks:
        suite = load_suite(scheme.suites_dir() / f"{name.removesuffix('.csv')}.json")
        suite = _without_lists(suite, unread)
        outcome = runner.validate(suite, frames, parameters, label)
        outcome.problems = [with_rubric_bounds(p, parameters) for p in outcome.problems]  # 不大于20, not a parameter's name
        outcome.summary = [{**row, "rule_zh": rubric_text(row["rule_zh"], parameters)} for row in outcome.summary]
        # name what a row is about, not only its line number
        outcome.problems = [replace(p, context=scheme.row_context(name, frames["text"], p.row)) for p in outcome.problems]
        intake.outcome.extend(outcome)
    intake.outcome.problems.extend(precision_problems(intake))
    if not intake.errors:
        intake.outcome.problems.extend(scheme.cross_checks(intake.typed, rubric, year))
    if not intake.errors:  # values that pass every rule but are hard to believe: shown, never refused
        intake.outcome.problems.extend(scheme.plausibility(intake))
    return intake


MAX_DIGITS = 15  # significant digits a number cell may have


def precision_problems(intake: Intake) -> list[Problem]:
    """Number cells with more than ``MAX_DIGITS`` significant digits. Scores are computed from the
    exact text, but the suites' range checks compare binary floats, which keep about 15 digits: a value
    such as 20.0000000000000001 would pass "≤ 20" there and then score above the maximum."""
    problems = []
    for file, table in intake.tables.items():
        typed = intake.typed[file]
        pairs = [(c.name, c.name) for c in intake.scheme.FILES[file] if c.kind in ("number", "int")]
        if "value_num" in typed and "value" in table.frame:  # a value whose kind the row's indicator gives
            pairs.append(("value", "value_num"))
        for column, parsed in pairs:
            if column not in table.frame or parsed not in typed:
                continue
            # each distinct text judged once (a province's indicators.csv has 1.4 million cells, few distinct)
            over = per_distinct(table.frame[column], lambda distinct: distinct.map(_too_many_digits)).to_numpy(dtype=bool)
            flagged = over & typed[parsed].notna().to_numpy()
            for line, text in zip(typed.index[flagged], table.frame[column].to_numpy()[flagged], strict=True):
                context = intake.scheme.row_context(file, table.frame, int(line))
                problems.append(Problem(intake.labels[file], f"数值最多{MAX_DIGITS}位有效数字（请按实际精度填写）",
                                        f"a number may have at most {MAX_DIGITS} significant digits",
                                        row=int(line), column=column, value=text, context=context))
    return problems


def _too_many_digits(text) -> bool:
    """More than ``MAX_DIGITS`` significant digits; False for an empty cell or text that is no number (its typed value
    is null: not asked), and for a cell with too many decimals: that is the suites' decimal-places rule's to report,
    once."""
    if not isinstance(text, str) or re.fullmatch(TOO_PRECISE_REGEX, text.strip()):
        return False
    try:
        return len(Decimal(text.strip()).normalize().as_tuple().digits) > MAX_DIGITS
    except (InvalidOperation, ValueError):
        return False


def _unread_lists(scheme: Scheme, intake: Intake) -> set[str]:
    """The list parameters (``Scheme.LIST_SOURCES``) whose file could not be read at all: every code of every other
    file would be reported "not listed" — noise after the one error that matters; a warning says so instead."""
    sources = scheme.LIST_SOURCES
    unread = {name for name, file in sources.items() if file in scheme.FILES and file not in intake.tables}
    for name in sorted(unread):
        file = sources[name]
        intake.outcome.problems.append(Problem(
            locate(scheme, intake.data_dir, file, intake.year)[1], f"{file} 无法读取，其他文件中的代码未与它核对（先修正它）",
            f"{file} could not be read, so codes in the other files were not checked against it (fix it first)",
            severity="warning"))
    return unread


def _without_lists(suite: dict, unread: set[str]) -> dict:
    """The suite without the expectations whose value set is one of the ``unread`` list parameters."""
    if not unread:
        return suite
    kept = [e for e in suite["expectations"]
            if not (isinstance(e.get("kwargs", {}).get("value_set"), dict)
                    and e["kwargs"]["value_set"].get("$PARAMETER") in unread)]
    return {**suite, "expectations": kept}


def read_inputs(scheme: Scheme, year: int, data_dir: Path, rubric: Rubric) -> Intake:
    """Read every file of the contract as text and type it (no suites yet)."""
    intake = Intake(scheme, year, Path(data_dir), rubric)
    for file, columns in scheme.FILES.items():
        path, label = locate(scheme, data_dir, file, year)
        if not path.exists() and file not in scheme.REQUIRED_FILES:
            if file in scheme.ROOT_FILES:  # an optional file kept once per scheme (the expert registry): nothing a year lacks
                continue
            intake.outcome.problems.append(Problem(label, "未提供该文件，报告中相应部分留空",
                                                   "file not provided; its part of the report is left empty",
                                                   severity="warning"))
            continue
        if _outside(path, data_dir):
            intake.outcome.problems.append(Problem(
                label, "数据文件（或其所在文件夹）是指向数据文件夹之外的链接，拒绝读取：请把文件本身放进数据文件夹",
                "the data file (or its folder) is a link to outside the data folder: refused; "
                "put the file itself in the data folder",
                value=str(path.resolve())))
            continue
        names = [c.name for c in columns]
        table, problems = read_text_table(path, names, scheme.OPTIONAL_COLUMNS.get(file, ()), label)
        intake.outcome.problems.extend(problems)
        if table is None:
            continue
        table.frame = scheme.derive_text(file, table.frame, rubric)  # helper columns the text stage needs (e.g. value kinds)
        intake.tables[file] = table
        intake.typed[file] = scheme.derive(file, parse_table(table.frame, columns), rubric)
        intake.labels[file] = label
    return intake


def _outside(path: Path, data_dir: Path) -> bool:
    """Does ``path`` (through any symbolic link, of the file or a folder) lead out of ``data_dir``?

    The inputs a run records and hashes are those of the data folder; a link to a file elsewhere
    would let anything on the machine be read (and later changed) behind the record's back.
    """
    if not (path.exists() or path.is_symlink()):
        return False
    return not path.resolve().is_relative_to(Path(data_dir).resolve())


def read_record(record_path: Path) -> dict:
    """A run's ``validation.json``; ``InputError`` (bilingual, naming the file) when it cannot be read."""
    try:
        record = json.loads(Path(record_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(Problem(str(record_path), "无法读取校验记录；请重新运行", "the validation record cannot be "
                                 "read; run again", value=type(error).__name__)) from None
    if not isinstance(record, dict) or not isinstance(record.get("inputs"), dict):
        raise InputError(Problem(str(record_path), "校验记录不完整；请重新运行", "the validation record is incomplete; "
                                 "run again", column="inputs"))
    return record


def load_recorded(scheme: Scheme, year: int, data_dir: Path, record_path: Path,
                  rubric: Rubric | None = None, record: dict | None = None) -> Intake:
    """Read the inputs and take the suites' verdict from a run's ``validation.json``.

    Used by notebooks inside a batch run. Refuses when any input or the rubric changed since
    the record was made: then the record says nothing about these inputs.
    """
    rubric = rubric or scheme.load_rubric(scheme.rubric_path())
    record = record if record is not None else json.loads(Path(record_path).read_text(encoding="utf-8"))
    intake = read_inputs(scheme, year, data_dir, rubric)
    for label in record["inputs"]:  # files of other years the plausibility checks or the trends read
        folder, _, file = label.partition("/")
        if label not in intake.input_hashes() and folder.isdigit() and file in scheme.FILES:
            intake.reference(file, int(folder))
    current = intake.input_hashes()
    changed = sorted(k for k in set(current) | set(record["inputs"]) if current.get(k) != record["inputs"].get(k))
    if changed or record["rubric_sha256"] != rubric.sha256:
        what = "、".join(changed) or "评分规则 rubric"
        raise InputError(Problem(str(record_path), f"校验记录之后输入已改变：{what}；请重新运行校验",
                                 f"inputs changed since this validation record: {', '.join(changed) or 'rubric'}; "
                                 "validate again"))
    return take_record(intake, record)


def take_record(intake: Intake, record: dict) -> Intake:
    """Give ``intake`` a validation record's verdict: its problems, suite summary, GX version and made tables."""
    intake.outcome = SuiteOutcome([Problem(**p) for p in record["problems"]], record["summary"])
    intake.gx_version = record["great_expectations"]
    intake.made = record.get("made") or {}
    return intake


def without_rows(intake: Intake, file: str, lines) -> Intake:
    """A copy of ``intake`` with the rows at ``lines`` (line numbers, the tables' index) of ``file`` removed, from
    its text table and its typed table alike (``Intake.exact`` reads the text, the rest the typed values); every
    other file, the problems and the hashes are those of ``intake``. A file the intake lacks: ``intake`` itself."""
    if file not in intake.tables:
        return intake
    lines = set(lines)
    table = intake.tables[file]
    text = table.frame[~table.frame.index.isin(lines)]
    typed = intake.typed[file]
    return replace(intake, tables={**intake.tables, file: replace(table, frame=text)},
                   typed={**intake.typed, file: typed[~typed.index.isin(lines)]})


EVERY = object()  # a warning of no one institution (a file's, the year's): every report shows it


def concerned_code(intake: Intake, file: str, row, value):
    """The institution code a problem (its ``file``, ``row`` and ``value``) concerns: by its row, or by the value it
    names; ``EVERY`` when it names none; None when its row is of no institution. A report shows the warnings of its
    code and those of ``EVERY`` (``notebook.sections.validation_summary``)."""
    if isinstance(row, str):  # a derived table's row is named "code·specialty·period"
        return row.split("·")[0]
    if row is None:
        return EVERY if value is None else str(value)
    frame = intake.frame(file.split("/")[-1])
    if row not in frame.index or "code" not in frame:
        return None
    code = frame.loc[row, "code"]
    return code if isinstance(code, str) else None


def codes_of(intake: Intake) -> list[str]:
    return intake.frame("institutions.csv")["code"].tolist()


