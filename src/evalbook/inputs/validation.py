"""Running the Great Expectations suites kept in ``expectations/<scheme>/`` on the input tables.

Each input file has one suite (JSON, in git). Its expectations carry ``meta.stage``: ``text``
ones run on the cells as typed (types, allowed values, required cells), ``typed`` ones on the
parsed values (ranges, uniqueness, cross-column rules), where a cell that failed its type is
null and so is reported once, not twice. Values that depend on the rubric or the cohort (dimension
maxima, the known codes) are suite parameters (``{"$PARAMETER": name}``) filled at run time.

Importing Great Expectations costs seconds: it happens once per ``SuiteRunner``, i.e. once per
run, never per institution.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evalbook.core.columns import combined_numbers, distinct_objects, factorize, first_places, per_distinct
from evalbook.core.errors import Problem

STAGES = ("text", "typed")


def load_suite(path: Path) -> dict:
    """A suite's JSON as kept in git."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


@dataclass
class SuiteOutcome:
    """What the suites found: problems (errors and warnings) and one summary line per expectation."""

    problems: list[Problem] = field(default_factory=list)
    summary: list[dict] = field(default_factory=list)

    def extend(self, other: SuiteOutcome) -> None:
        self.problems.extend(other.problems)
        self.summary.extend(other.summary)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


class SuiteRunner:
    """One Great Expectations context for a whole run; validates data frames against suites."""

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        self.version = gx.__version__
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        source = self.context.data_sources.add_pandas("evalbook")
        self._batch_definition = source.add_dataframe_asset("table").add_batch_definition_whole_dataframe("whole")

    def validate(self, suite_json: dict, frames: dict[str, pd.DataFrame], parameters: dict[str, Any],
                 file_label: str) -> SuiteOutcome:
        """Run the suite's ``text`` expectations on ``frames['text']`` and ``typed`` on ``frames['typed']``."""
        outcome = SuiteOutcome()
        for stage in STAGES:
            entries = [e for e in suite_json["expectations"] if e.get("meta", {}).get("stage") == stage]
            if not entries:
                continue
            # GX 1.x runs expectations grouped by column, not in suite order: tag each one with its
            # place so every result is read against its own rule.
            frame = frames[stage].rename_axis(None)  # a named index makes GX report rows as dicts
            frame, plan = _large_sets(entries, frame, parameters)  # [(entry as run, settled result or None)]
            factorized: dict = {}  # each column's distinct values, found once for all the rules on it
            frame, plan = _date_formats(frame, plan, factorized)
            frame, plan = _regexes(frame, plan, factorized)
            frame, plan = _compact(frame, plan, parameters, factorized)
            runnable = [entry for entry, settled in plan if settled is None]
            results = iter(self._run(f"{suite_json['name']}.{stage}", runnable, frame, parameters))
            for entry, settled in plan:  # suite order, each rule with its own result
                res = settled if settled is not None else next(results)
                outcome.extend(_read_result(entry, res, file_label, parameters, frames["text"], frame))
        return outcome


    def _run(self, name: str, entries: list[dict], frame: pd.DataFrame, parameters: dict) -> list:
        """GX's result of each of ``entries`` on ``frame``, in their order.

        The rules that judge each row on its own (``PER_ROW``) run on the frame's distinct rows (of the columns they
        read), each row's verdict that of its distinct row: a 1.4-million-row table of a few thousand distinct rows is
        validated in milliseconds. Their results are given back as on the whole frame: the failing rows (the lines of
        every row like a failing distinct one, in frame order) and the first ``GX_LISTED`` of their values, as GX lists
        them. The other rules (uniqueness, a whole column's distinct values) run on the whole frame."""
        if not entries:
            return []
        per_row = [i for i, entry in enumerate(entries) if _per_row(entry)]
        rows = _distinct_rows(_used_columns(frame, [entries[i] for i in per_row])) if per_row else None
        if rows is None:
            return self._validate(name, entries, _used_columns(frame, entries), parameters)
        out: list = [None] * len(entries)
        rest = [i for i in range(len(entries)) if i not in set(per_row)]
        if rest:
            for i, res in zip(rest, self._validate(name, [entries[i] for i in rest],
                                                   _used_columns(frame, [entries[i] for i in rest]), parameters),
                              strict=True):
                out[i] = res
        distinct, inverse = rows
        for i, res in zip(per_row, self._validate(name, [entries[i] for i in per_row], distinct, parameters), strict=True):
            out[i] = _spread(res, entries[i], frame, inverse)
        return out

    def _validate(self, name: str, entries: list[dict], frame: pd.DataFrame, parameters: dict) -> list:
        """GX's result of each of ``entries`` (one suite) on ``frame``, in their order."""
        tagged = [{**e, "meta": {**e.get("meta", {}), "evalbook_index": i}} for i, e in enumerate(entries)]
        suite = self._gx.ExpectationSuite(name=name, expectations=tagged)
        batch = self._batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(suite, expectation_parameters=parameters, result_format={"result_format": "COMPLETE"})
        return [res for _, res in _matched(entries, result.results)]


# Rules whose verdict on a row depends on that row's cells only (with no ``mostly``: its share is of the whole table)
PER_ROW = {"expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set",
           "expect_column_values_to_be_between", "expect_column_values_to_not_be_null",
           "expect_column_values_to_be_null", "expect_column_values_to_match_regex",
           "expect_column_values_to_not_match_regex", "expect_column_values_to_match_strftime_format"}


def _per_row(entry: dict) -> bool:
    return entry["type"] in PER_ROW and "mostly" not in entry["kwargs"] and "column" in entry["kwargs"]


def _distinct_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray] | None:
    """The distinct rows of ``frame`` (numbered from 0, in the order they first occur) and each row's number among
    them; None when a column holds what is not compared safely as a whole (only numbers, True/False, and text or
    None in a column of objects are: ``1 == 1.0 == True`` would make rows alike that a rule tells apart)."""
    numbered = []
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind not in "fiub" and not (values.dtype == object):
            return None
        codes, distinct = _numbered(values)
        if values.dtype == object and not all(type(u) is str or u is None or (type(u) is float and math.isnan(u))
                                              for u in distinct):  # (``factorize`` gives an empty cell as NaN)
            return None
        numbered.append((codes, len(distinct)))
    key = combined_numbers(numbered, len(frame))
    return frame.iloc[first_places(key)].reset_index(drop=True), key  # each distinct row at its first place


def _numbered(values: pd.Series) -> tuple[np.ndarray, Any]:
    """Each value's number among the column's distinct values (int64), and those values: for a column of 1/0/empty
    (the flags ``_compact`` makes) by arithmetic, else as ``factorize`` numbers them."""
    if values.dtype.kind == "f":
        cells = values.to_numpy()
        empty = np.isnan(cells)
        if ((cells == 0) | (cells == 1) | empty).all():
            return np.where(empty, 2, cells).astype(np.int64), [0.0, 1.0, np.nan]
    codes, distinct = factorize(values)
    return codes.astype(np.int64), distinct


def _spread(res, entry: dict, frame: pd.DataFrame, inverse: np.ndarray):
    """A ``PER_ROW`` rule's result on the distinct rows as on the whole ``frame``: every row like a failing distinct one
    (``inverse``: each row's distinct row), in frame order, with the first ``GX_LISTED`` of their values."""
    if res.success or "unexpected_index_list" not in (res.result or {}):
        return res
    failing = np.zeros(int(inverse.max()) + 1 if len(inverse) else 0, dtype=bool)
    failing[[int(i) for i in res.result["unexpected_index_list"]]] = True
    places = np.flatnonzero(failing[inverse])
    listed = frame[entry["kwargs"]["column"]].iloc[places[:GX_LISTED]]
    return _Settled(False, {"unexpected_index_list": frame.index[places].tolist(), "unexpected_list": list(listed)},
                    res.exception_info or {})


def _matched(entries: list[dict], results) -> list[tuple[dict, object]]:
    """Pair each suite entry with its result by the index tag, in suite order; every entry once."""
    by_index = {}
    for res in results:
        by_index[int(res.expectation_config.meta["evalbook_index"])] = res
    if sorted(by_index) != list(range(len(entries))):
        raise RuntimeError("Great Expectations did not return exactly one result per expectation")
    return [(entries[i], by_index[i]) for i in range(len(entries))]


def _read_result(entry: dict, res, file_label: str, parameters: dict, text: pd.DataFrame,
                 run: pd.DataFrame | None = None) -> SuiteOutcome:
    kwargs, meta = entry["kwargs"], entry.get("meta", {})
    reported_as = meta.get("reported_as")
    severity = "warning" if entry.get("severity") == "warning" else "error"
    info = res.exception_info or {}
    if info.get("raised_exception"):
        raise RuntimeError(f"expectation {entry['type']} on {file_label} could not run: {info.get('exception_message')}")
    result = res.result or {}
    column = kwargs.get("column") or "+".join(kwargs.get("column_list") or
                                              [c for c in (kwargs.get("column_A"), kwargs.get("column_B")) if c])
    column = meta.get("named_as", column)  # a rule run on a cheaper equivalent column (``_compact``)
    written = meta.get("written", {"type": entry["type"], "column": column})  # a rule run on a derived column
    outcome = SuiteOutcome()
    unexpected: list[tuple[Any, Any]] = []
    if not res.success:
        if "unexpected_index_list" in result:
            rows, values = result.get("unexpected_index_list") or [], list(result.get("unexpected_list") or [])
            if "values_of" in meta:  # a cheaper equivalent column: the values GX would have listed (``_compact``)
                values = _values_of(run, rows, meta["values_of"], text, reported_as or column)
            if len(values) < len(rows):  # GX keeps at most 200 values but every index: read the rest from the file
                values += [_cell(text, _as_row(r), reported_as or column) for r in rows[len(values):]]
            unexpected = list(zip(rows, values, strict=True))
        elif entry["type"] == "expect_column_distinct_values_to_contain_set":
            wanted = _resolve(kwargs.get("value_set"), parameters)
            observed = result.get("observed_value")
            if observed is None and column in text.columns:  # GX 1.24 gives only a partial missing list: read the column
                observed = text[column].dropna()
            if observed is None:
                unexpected = [(None, value) for value in result.get("partial_missing_list") or []]
            else:
                observed = set(observed)
                unexpected = [(None, value) for value in wanted if value not in observed]
        else:
            unexpected = [(None, result.get("observed_value"))]
        for row, value in unexpected:
            row = _as_row(row)
            if reported_as:  # a derived column: name the file's own cell(s), with the text as typed
                value = _reported(text, row, reported_as, value)
            elif isinstance(value, float) and not math.isfinite(value):  # 400 digits read as inf: show them as typed
                value = _cell(text, row, column) or value
            outcome.problems.append(Problem(file_label, meta.get("rule_zh", entry["type"]), meta.get("rule_en", entry["type"]),
                                            row=row, column=reported_as or column or None, value=_plain(value),
                                            severity=severity))
    outcome.summary.append({"file": file_label, "stage": meta.get("stage"), "expectation": written["type"],
                            "column": written["column"], "rule_zh": meta.get("rule_zh", ""), "severity": severity,
                            "success": bool(res.success), "unexpected": len(unexpected)})
    return outcome


def _reported(text: pd.DataFrame, row: Any, reported_as: str, value: Any) -> Any:
    """The text as typed of the cell ``reported_as`` names, or of its cells (``code+project+expert``,
    shown like a compound rule's own values: ``{column: text}``)."""
    if row not in text.index:
        return value
    if "+" in reported_as:
        return {c: text.at[row, c] for c in reported_as.split("+")}
    return text.at[row, reported_as]


def _cell(text: pd.DataFrame, row: Any, column: str | None) -> Any:
    return text.at[row, column] if column in text.columns and row in text.index else None


def _resolve(value: Any, parameters: dict) -> list:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return list(parameters[value["$PARAMETER"]])
    return list(value or [])


def _as_row(row: Any) -> int | str | None:
    if row is None:
        return None
    if isinstance(row, dict):  # some expectations report {"index": n, <column>: value}
        row = row.get("line", row.get("index", next(iter(row.values()))))
    try:
        return int(row)
    except (TypeError, ValueError):
        return str(row)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and pd.isna(value):
        return None
    if isinstance(value, (list, tuple)):
        return "、".join(str(_plain(v)) for v in value)
    if isinstance(value, dict):
        return "、".join(f"{k}={_plain(v)}" for k, v in value.items())
    return value.item() if hasattr(value, "item") else value


LARGE_SET = 1000  # parameter lists longer than this (the known codes of a big cohort) are matched in pandas


@dataclass
class _Settled:
    """A result computed here, shaped like the part of a GX result that ``_read_result`` reads."""

    success: bool
    result: dict
    exception_info: dict = field(default_factory=dict)


def _large_sets(entries: list[dict], frame: pd.DataFrame, parameters: dict) -> tuple[pd.DataFrame, list[tuple[dict, Any]]]:
    """Membership rules against a long parameter list (``code`` in the 10,000 known codes), made cheap.

    GX copies an expectation's kwargs, value set included, about a hundred times while it plans a
    validation, which at 10,000 codes costs seconds per rule. So: ``values_to_be_in_set`` runs in
    GX on a derived True/False column (membership computed once in pandas; failures are reported on
    the original cell), and ``distinct_values_to_contain_set`` is settled here by set difference.
    Lists up to ``LARGE_SET`` go to GX as written. Returns the frame (with any derived columns) and,
    in suite order, each entry as it is run with its settled result (None: GX runs it).
    """
    plan: list[tuple[dict, Any]] = []
    derived: dict[str, pd.Series] = {}
    for entry in entries:
        kwargs = entry["kwargs"]
        value_set = kwargs.get("value_set")
        name = value_set.get("$PARAMETER") if isinstance(value_set, dict) else None
        if name is None or len(parameters.get(name, ())) <= LARGE_SET:
            plan.append((entry, None))
            continue
        column, wanted = kwargs["column"], parameters[name]
        if entry["type"] == "expect_column_values_to_be_in_set":
            flag = f"{column}∈{name}"
            if flag not in derived:  # each distinct value looked up once
                known = set(wanted)
                derived[flag] = per_distinct(frame[column], lambda distinct, known=known: distinct.isin(known).astype(
                    object).where(distinct.notna(), None))
            plan.append((_on_flag(entry, flag), None))
        elif entry["type"] == "expect_column_distinct_values_to_contain_set":
            observed = set(frame[column].dropna())
            plan.append((entry, _Settled(all(v in observed for v in wanted), {"observed_value": sorted(observed)})))
        else:
            plan.append((entry, None))
    if derived:
        frame = frame.assign(**derived)
    return frame, plan


def _date_formats(frame: pd.DataFrame, plan: list[tuple[dict, Any]],
                  factorized: dict | None = None) -> tuple[pd.DataFrame, list[tuple[dict, Any]]]:
    """``match_strftime_format`` rules, made cheap: the same ``strptime`` test, once per distinct value.

    GX calls ``datetime.strptime`` on every cell (seconds for a 10,000-institution ledger), though a
    column of months or dates holds a few hundred distinct values. So each distinct value is parsed
    here, exactly as GX would, and GX runs ``values_to_be_in_set [True]`` on the derived True/False
    column (empty cells stay empty, so GX skips them as before). Problems name the file's own cell
    with its text; the summary names the rule as written in the suite.
    """
    derived: dict[str, pd.Series] = {}
    rewritten = []
    for entry, settled in plan:
        if settled is not None or entry["type"] != "expect_column_values_to_match_strftime_format":
            rewritten.append((entry, settled))
            continue
        column, fmt = entry["kwargs"]["column"], entry["kwargs"]["strftime_format"]
        flag = f"{column}≈{fmt}"
        if flag not in derived:
            derived[flag] = _parses(frame[column], fmt, factorized, flag)
        rewritten.append((_on_flag(entry, flag, summary_as_written=True), None))
    if derived:
        frame = frame.assign(**derived)
    return frame, rewritten


REGEX_RULES = {"expect_column_values_to_match_regex": True, "expect_column_values_to_not_match_regex": False}


def _regexes(frame: pd.DataFrame, plan: list[tuple[dict, Any]],
             factorized: dict | None = None) -> tuple[pd.DataFrame, list[tuple[dict, Any]]]:
    """``match_regex`` and ``not_match_regex`` rules, made cheap: the same test, once per distinct value.

    GX runs ``str(cell)`` through ``re.search`` for every cell (a province's indicators.csv: 1.4 million cells per
    rule, a dozen rules), though a column holds few distinct values. So each distinct value is searched here
    exactly as GX's pandas metric does (``column.astype(str).str.contains(regex)``: ``re.search``, no flags), and GX
    runs ``values_to_be_in_set [True]`` on the derived True/False column (empty cells stay empty, so GX skips them
    as before; a ``row_condition`` is kept). Problems name the file's own cell with its text; the summary names the
    rule as written in the suite.
    """
    derived: dict[str, pd.Series] = {}
    rewritten = []
    for entry, settled in plan:
        wanted = REGEX_RULES.get(entry["type"])
        if settled is not None or wanted is None:
            rewritten.append((entry, settled))
            continue
        column, regex = entry["kwargs"]["column"], entry["kwargs"]["regex"]
        flag = f"{column}{'~' if wanted else '≁'}{regex}"
        if flag not in derived:
            derived[flag] = _searches(frame[column], regex, wanted, factorized, flag)
        rewritten.append((_on_flag(entry, flag, summary_as_written=True), None))
    if derived:
        frame = frame.assign(**derived)
    return frame, rewritten


def _searches(values: pd.Series, regex: str, wanted: bool, factorized: dict | None = None,
              named: str | None = None) -> pd.Series:
    """True where ``re.search(regex, str(cell))`` finds (``wanted``) or does not find (not ``wanted``) a match; None
    for an empty cell."""
    import re

    pattern = re.compile(regex)

    def passes(value) -> bool | None:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return None
        return (pattern.search(str(value)) is not None) == wanted

    return per_distinct(values, lambda distinct: distinct.map(passes).astype(object), factorized, named)


def _on_flag(entry: dict, flag: str, summary_as_written: bool = False) -> dict:
    """``entry`` as run on a derived True/False column ``flag``: "values in [True]". Problems still name
    the original column (``reported_as``); with ``summary_as_written`` the summary names the rule as the
    suite writes it, not as run."""
    kwargs, meta = entry["kwargs"], entry.get("meta", {})
    run_kwargs = {k: v for k, v in kwargs.items() if k not in ("strftime_format", "regex")}
    run_meta = {**meta, "reported_as": meta.get("reported_as") or kwargs["column"]}
    if summary_as_written:
        run_meta["written"] = {"type": entry["type"], "column": kwargs["column"]}
    return {**entry, "type": "expect_column_values_to_be_in_set",
            "kwargs": {**run_kwargs, "column": flag, "value_set": [True]}, "meta": run_meta}


def _parses(values: pd.Series, fmt: str, factorized: dict | None = None, named: str | None = None) -> pd.Series:
    """True/False: does each cell parse with ``datetime.strptime(cell, fmt)``; None for an empty cell."""
    from datetime import datetime

    def parses(value) -> bool | None:
        if value is None or pd.isna(value):
            return None
        try:
            datetime.strptime(value, fmt)  # noqa: DTZ007 - a calendar test, as GX's own; no time zone involved
        except ValueError:
            return False
        return True

    return per_distinct(values, lambda distinct: distinct.map(parses).astype(object), factorized, named)


def _used_columns(frame: pd.DataFrame, entries: list[dict]) -> pd.DataFrame:
    """Only the columns the expectations read: GX hashes the whole frame it is given, twice per suite.

    A row condition of another form than ``column == value`` keeps every column (we cannot tell
    which it reads).
    """
    used: set[str] = set()
    for entry in entries:
        kwargs = entry["kwargs"]
        used.update(c for c in (kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B")) if c)
        used.update(kwargs.get("column_list") or ())
        condition = kwargs.get("row_condition")
        if condition is not None:
            if not (isinstance(condition, dict) and condition.get("type") == "comparison"):
                return frame
            used.add(condition["column"]["name"])
    return frame[[c for c in frame.columns if c in used]]


GX_LISTED = 200  # the unexpected values GX lists (every index is listed); ``_read_result`` reads the rest from the file


def _compact(frame: pd.DataFrame, plan: list[tuple[dict, Any]], parameters: dict,
             factorized: dict | None = None) -> tuple[pd.DataFrame, list[tuple[dict, Any]]]:
    """Rules made cheap for a large table: GX reads a numeric column that decides the same rows, computed once here.

    GX's pandas metrics over a column of text (a province's indicators.csv: 1.4 million cells) test each cell in
    Python and hash the whole frame; over a column of floats they run in numpy. So, with the same rows reported:

    - ``not_be_null`` on a column of text runs on a float column, 1 where the cell holds a value, empty where not;
    - ``compound_columns_to_be_unique`` runs as ``values_to_be_in_set [1]`` on 1 where the row's values occur once and
      0 where ``duplicated(keep=False)`` (GX's own test) finds them again, empty for a row whose values are all missing
      (GX's default ``ignore_row_if``);
    - ``values_to_be_in_set`` on a column of text decides each distinct value once;
    - a derived True/False column (``_large_sets``, ``_date_formats``, ``_regexes``) becomes 1/0, and a
      ``row_condition`` ``column == value`` on it or on a ``between`` rule is applied here: rows outside it are empty,
      which these rules skip as GX skips rows outside the condition.

    Problems name the column, the rule and the values GX would have listed (the first ``GX_LISTED`` values of the
    original column(s), the rest read from the file, as ``_read_result`` does for GX's own results); the summary names
    the rule as written.
    """
    derived: dict[str, pd.Series] = {}
    rewritten = []
    for entry, settled in plan:
        kwargs, meta = entry["kwargs"], entry.get("meta", {})
        kind, condition = entry["type"], kwargs.get("row_condition")
        if settled is not None or not _simple(condition) or set(kwargs) - COMPACTED_KWARGS.get(kind, set()):
            rewritten.append((entry, settled))
            continue
        column = kwargs.get("column")
        written = meta.get("written") or {"type": kind, "column": column or "+".join(kwargs.get("column_list") or ())}
        run_meta = {**meta, "written": written}
        if kind == "expect_column_values_to_not_be_null" and condition is None and _is_text(frame[column]):
            name = f"{column}≠∅"
            derived[name] = pd.Series(1.0, index=frame.index).where(frame[column].notna())
            run_meta.update(named_as=meta.get("named_as", column), values_of=[column])
            rewritten.append(({**entry, "kwargs": {"column": name}, "meta": run_meta}, None))
        elif kind == "expect_compound_columns_to_be_unique" and condition is None:
            columns = list(kwargs["column_list"])
            name = "≠".join(["", *columns])
            once = _once(frame, columns, factorized)
            derived[name] = once
            run_meta.update(named_as=meta.get("named_as", "+".join(columns)), values_of=columns)
            rewritten.append((_on_number_flag(entry, name, run_meta), None))
        elif kind == "expect_column_values_to_be_in_set" and (flag := _flag_number(frame[column], factorized)) is not None:
            name = column if condition is None else f"{column}|{_condition_name(condition)}"
            derived[name] = flag if condition is None else flag.where(_holds(frame, condition))
            rewritten.append((_on_number_flag(entry, name, run_meta), None))
        elif kind == "expect_column_values_to_be_in_set" and condition is None and _is_text(frame[column]):
            name = f"{column}∈{len(derived)}"
            derived[name] = _members(frame[column], set(_resolve(kwargs.get("value_set"), parameters)), factorized)
            run_meta.update(named_as=meta.get("named_as", column), values_of=[column])
            rewritten.append((_on_number_flag(entry, name, run_meta), None))
        elif kind == "expect_column_values_to_be_between" and condition is not None and frame[column].dtype.kind == "f":
            name = f"{column}|{_condition_name(condition)}"
            derived[name] = frame[column].where(_holds(frame, condition))
            run_meta.update(named_as=meta.get("named_as", column), values_of=[column])
            run_kwargs = {k: v for k, v in kwargs.items() if k != "row_condition"}
            rewritten.append(({**entry, "kwargs": {**run_kwargs, "column": name}, "meta": run_meta}, None))
        else:
            rewritten.append((entry, settled))
    if derived:
        frame = frame.assign(**derived)
    return frame, rewritten


COMPACTED_KWARGS = {"expect_column_values_to_not_be_null": {"column"},
                    "expect_compound_columns_to_be_unique": {"column_list"},
                    "expect_column_values_to_be_in_set": {"column", "value_set", "row_condition"},
                    "expect_column_values_to_be_between": {"column", "min_value", "max_value", "strict_min", "strict_max",
                                                           "row_condition"}}


def _once(frame: pd.DataFrame, columns: list[str], factorized: dict | None) -> pd.Series:
    """1.0 where the row's values of ``columns`` occur in no other row, 0.0 where they do (``duplicated(keep=False)``,
    GX's test), empty where they are all missing (GX's default ``ignore_row_if``). Compared by each column's distinct
    values' numbers (every missing value one number, as ``duplicated`` has it): the same rows, found in integers."""
    factorized = {} if factorized is None else factorized
    counted = np.zeros(len(frame), dtype=bool)
    for column in columns:
        if column not in factorized:
            factorized[column] = factorize(frame[column])
        numbers, distinct = factorized[column]
        counted |= ~pd.isna(np.asarray(distinct, dtype=object))[numbers]
    key = combined_numbers([(factorized[c][0], len(factorized[c][1])) for c in columns], len(frame))
    key = key[counted]  # each counted row's values as one number: the same rows alike
    once = np.full(len(frame), np.nan)
    once[counted] = (np.bincount(key)[key] == 1).astype(float) if len(key) else []  # in no other counted row
    return pd.Series(once, index=frame.index, copy=False)


def _members(values: pd.Series, wanted: set, factorized: dict | None = None) -> pd.Series:
    """1.0 where the cell is in ``wanted``, 0.0 where not, empty for an empty cell; each distinct value once."""

    def member(value) -> float | None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return float(value in wanted)

    return per_distinct(values, lambda distinct: distinct.map(member), factorized).astype("float64")


def _simple(condition: Any) -> bool:
    """No row condition, or ``column == value`` (as ``_when`` writes them)."""
    return condition is None or (isinstance(condition, dict) and condition.get("type") == "comparison"
                                 and condition.get("operator") == "==")


def _condition_name(condition: dict) -> str:
    return f"{condition['column']['name']}={condition['parameter']}"


def _holds(frame: pd.DataFrame, condition: dict | None) -> pd.Series:
    """Where ``condition`` (``column == value``) holds, as GX's row filter finds it; everywhere when None."""
    if condition is None:
        return pd.Series(True, index=frame.index)
    return frame[condition["column"]["name"]] == condition["parameter"]


def _is_text(values: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype)


def _flag_number(values: pd.Series, factorized: dict | None = None) -> pd.Series | None:
    """A derived True/False column of ``_large_sets``, ``_date_formats`` or ``_regexes`` (True, False or None only) as
    1.0/0.0/empty; None for any other column. Its few distinct values are found once (or taken from ``factorized``,
    where the rule that made it left them), then spread."""
    if not (isinstance(values.name, str) and any(mark in values.name for mark in ("∈", "≈", "~", "≁"))
            and values.dtype == object):
        return None
    known = (factorized or {}).get(values.name)
    places, objects = known if known is not None else distinct_objects(values.to_numpy())
    if not set(objects) <= {True, False, None}:
        return None
    as_float = np.array([FLAG_NUMBERS.get(v, np.nan) for v in objects], dtype="float64")
    return pd.Series(as_float[places], index=values.index, name=values.name, copy=False)  # (a new array: no copy)


FLAG_NUMBERS = {True: 1.0, False: 0.0}


def _on_number_flag(entry: dict, flag: str, meta: dict) -> dict:
    """``entry`` as ``values_to_be_in_set [1]`` on the 1/0/empty column ``flag``."""
    return {**entry, "type": "expect_column_values_to_be_in_set", "kwargs": {"column": flag, "value_set": [1.0]},
            "meta": meta}


def _values_of(run: pd.DataFrame | None, rows: list, columns: list[str], text: pd.DataFrame, column: str) -> list:
    """What GX lists as the unexpected values of the original column(s) at ``rows``: the first ``GX_LISTED`` (one
    value, or ``{column: value}`` for several columns)."""
    listed = [_as_row(r) for r in rows[:GX_LISTED]]
    if run is None:
        return [_cell(text, r, column) for r in listed]
    if len(columns) == 1:
        return [run.at[r, columns[0]] for r in listed]
    return [{c: run.at[r, c] for c in columns} for r in listed]
