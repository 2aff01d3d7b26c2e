"""What a notebook opens: a scheme's year, read, validated and scored.

``open_year`` is the one call at the top of every notebook. Run alone (``validation=""``) it
runs the suites itself; inside a batch it takes the run's ``validation.json`` and checks that
the inputs and the rubric are those the record was made on.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from evalbook.core import paths
from evalbook.core.errors import InputError, Problem
from evalbook.core.exact import full_text
from evalbook.core.registry import get_scheme
from evalbook.core.scheme import Scheme
from evalbook.inputs import snapshot
from evalbook.inputs.intake import Intake, load_recorded, read_record, take_in

DEMO_MARKER = "DEMO.md"  # a data folder holding this file is synthetic demo data (示例数据)


@dataclass
class Year:
    scheme: Scheme
    intake: Intake
    scores: Any
    validation: str = ""  # the batch's validation.json the year was opened with ("" run alone): what the run made

    @property
    def year(self) -> int:
        return self.intake.year

    @property
    def rubric(self):
        return self.intake.rubric

    @property
    def demo(self) -> bool:
        return (Path(self.intake.data_dir) / self.scheme.NAME / DEMO_MARKER).exists()


def open_year(scheme: str, year: int, data_dir: str | Path = "", validation: str | Path = "", *unit: str) -> Year:
    """Read, validate and score ``scheme``'s ``year``; ``InputError`` when the data are invalid.

    ``data_dir`` relative to the working directory (what ``evalbook run`` passes); empty: the
    ``EVALBOOK_DATA`` setting, else the repository's ``data/`` (``paths.default_data_dir``).
    ``unit``: the report's institution code (a unit's report): in a batch whose run made a snapshot
    (``evalbook.inputs.snapshot``) the year is opened as that report needs it, its own rows and the
    cohort's tables; alone, or without a snapshot, the whole year is read and scored."""
    module = get_scheme(scheme)
    data_dir = data_dir or paths.default_data_dir()
    if validation:
        record = read_record(Path(validation))
        if unit and module.SNAPSHOT and snapshot.recorded(record):
            intake, scores = snapshot.open_unit(module, int(year), Path(data_dir), Path(validation), record, unit[0])
            return Year(module, intake, scores, str(validation))
        intake = load_recorded(module, int(year), Path(data_dir), Path(validation), record=record)
    else:
        intake = take_in(module, int(year), Path(data_dir))
    if intake.errors:
        raise InputError(intake.errors)
    return Year(module, intake, module.score(intake), str(validation or ""))


def unit_row(book: Year, code: str, *rest: str):
    """The scored unit a notebook reports on, by the scheme's ``REPORT_KEY``: an institution's code, then
    the finer key values if any (e.g. the specialty).

    A key that is not scored this year is the user's mistake: an ``InputError`` naming the file, the
    value and the close matches (difflib), in Chinese and English."""
    units = mine = book.scores.units
    for depth, ((column, _), value) in enumerate(zip(book.scheme.REPORT_KEY, (code, *rest), strict=False)):
        narrower = mine[mine[column] == value]
        if narrower.empty:
            _not_scored(book, mine[column] if depth else units["code"], column, value, code, depth)
        mine = narrower
    return mine.iloc[0]


def _not_scored(book: Year, known, column: str, value, code: str, depth: int):
    if depth == 0:
        parameter, what_zh, what_en, file = "institution", "机构代码", "institution code", "institutions.csv"
    else:
        declared = [(file, c) for file, columns in book.scheme.FILES.items() for c in columns if c.name == column]
        file, label = declared[0][0], declared[0][1].label
        parameter = dict(book.scheme.REPORT_KEY)[column]
        what_zh, what_en = f"机构 {code} 的{label}", f"{column} of {code}"
    known = sorted(set(known.astype(str)))
    close = difflib.get_close_matches(str(value), known, n=3, cutoff=0.5)
    hint_zh = f"相近的：{'、'.join(close)}" if close else f"本年度的{what_zh}：{'、'.join(known[:20])}"
    hint_en = f"close matches: {', '.join(close)}" if close else f"this year's {what_en}s: {', '.join(known[:20])}"
    raise InputError(Problem(file, f"{what_zh}不在{book.year}年度的评分名单中；{hint_zh}",
                             f"not a scored {what_en} in {book.year}; {hint_en}", column=parameter, value=value))


def result_record(book: Year, unit: str | tuple[str, ...] | None) -> dict:
    """The numbers a notebook produced, for machines: one report unit (its ``REPORT_KEY`` values: a code,
    or a code and e.g. a specialty) or the whole year (None)."""
    record = {"scheme": book.scheme.NAME, "year": book.year, "rubric_sha256": book.rubric.sha256}
    key = unit if isinstance(unit, tuple) else (unit,)
    for name, frame in book.scheme.result_tables(book.scores).items():
        if unit is not None:
            for (column, _), value in zip(book.scheme.REPORT_KEY, key, strict=False):
                if column in frame:
                    frame = frame[frame[column] == value]
            if name == "units" and frame.empty:
                raise InputError(Problem("institutions.csv", "该报告单位（机构或其下的单位）不在名单中或不参与评分",
                                         "the report's unit (institution, or a unit of it) is not listed or not scored",
                                         column="code", value=unit))
        record[name] = _records(frame)
    return record


def _records(frame) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


class ExactNumber(float):
    """An exact score in a result record: a float for whatever shows the record (the notebook's JSON
    output), and its full-precision text (``evalbook.core.exact.full_text``) for result.json."""

    text: str

    def __new__(cls, value):
        number = super().__new__(cls, float(value))
        number.text = full_text(value)
        return number


def _plain(value):
    if isinstance(value, Fraction):
        return ExactNumber(value)
    return value.item() if hasattr(value, "item") else value


_MARK = "\x00exact:"  # no input text holds a NUL: the reader refuses control characters


def record_json(record: dict) -> str:
    """result.json's text: deterministic (sorted keys), every exact score written as a JSON number
    in its full-precision text (211/3 → 70.333333333333333333), never as a rounded binary float."""
    import json
    import re

    def marked(value):
        if isinstance(value, ExactNumber):
            return _MARK + value.text
        if isinstance(value, dict):
            return {k: marked(v) for k, v in value.items()}
        if isinstance(value, list):
            return [marked(v) for v in value]
        return value

    text = json.dumps(marked(record), ensure_ascii=False, indent=1, sort_keys=True)
    return re.sub(r'"\\u0000exact:([-0-9.]+)"', r"\1", text)  # json.dumps writes the NUL as \u0000


class Result(dict):
    """Shown at the end of a notebook: JSON for machines, a line for people."""

    written_to: str = ""

    def _repr_json_(self):
        return dict(self)

    def __repr__(self) -> str:  # the text form: where it went, and how many rows of each table it holds
        from evalbook.output.plaintext import text_of

        rows = ", ".join(f"{name} {len(value)}" for name, value in self.items() if isinstance(value, list))
        return f"{text_of(self._repr_html_())}\n结果 result: {self.get('scheme')} {self.get('year')} · 行数 rows: {rows}"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))

    def _repr_html_(self):
        from evalbook.output.html import esc

        where = self.written_to
        line = f"结果已写入 {esc(where)}" if where else "机器可读结果（JSON）已保存在本笔记本的输出中。"
        return f'<p class="note">{line}</p>'


def save_result(book: Year, code: str | None, output_dir: str | Path = "") -> Result:
    """Return the result record; when ``output_dir`` is given also write ``result.json`` there."""

    record = Result(result_record(book, code))
    if output_dir:
        target = Path(output_dir) / "result.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(record_json(dict(record)), encoding="utf-8")
        tmp.replace(target)
        record.written_to = str(target)
    return record
