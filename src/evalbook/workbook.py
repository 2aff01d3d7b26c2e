"""What a notebook opens: a scheme's year, read, validated and scored.

``open_year`` is the one call at the top of every notebook. Run alone (``validation=""``) it
runs the suites itself; inside a batch it takes the run's ``validation.json`` and checks that
the inputs and the rubric are those the record was made on.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

from evalbook.errors import InputError, Problem
from evalbook.exact import full_text
from evalbook.intake import Intake, load_recorded, take_in
from evalbook.schemes import get_scheme

DEMO_MARKER = "DEMO.md"  # a data folder holding this file is synthetic demo data (示例数据)


@dataclass
class Year:
    scheme: ModuleType
    intake: Intake
    scores: Any

    @property
    def year(self) -> int:
        return self.intake.year

    @property
    def rubric(self):
        return self.intake.rubric

    @property
    def demo(self) -> bool:
        return (Path(self.intake.data_dir) / self.scheme.NAME / DEMO_MARKER).exists()


def open_year(scheme: str, year: int, data_dir: str | Path = "data", validation: str | Path = "") -> Year:
    """Read, validate and score ``scheme``'s ``year``; ``InputError`` when the data are invalid."""
    module = get_scheme(scheme)
    if validation:
        intake = load_recorded(module, int(year), Path(data_dir), Path(validation))
    else:
        intake = take_in(module, int(year), Path(data_dir))
    if intake.errors:
        raise InputError(intake.errors)
    return Year(module, intake, module.score(intake))


def result_record(book: Year, unit: str | tuple[str, str] | None) -> dict:
    """The numbers a notebook produced, for machines: one unit (a code, or code and specialty) or the year."""
    record = {"scheme": book.scheme.NAME, "year": book.year, "rubric_sha256": book.rubric.sha256}
    code, specialty = (unit if isinstance(unit, tuple) else (unit, None))
    for name, frame in book.scheme.result_tables(book.scores).items():
        if code is not None:
            frame = frame[frame["code"] == code]
            if specialty is not None and "specialty" in frame:
                frame = frame[frame["specialty"] == specialty]
            if name == "units" and frame.empty:
                raise InputError(Problem("institutions.csv", "该机构（专科）不在名单中或不参与评分",
                                         "the institution (specialty) is not listed or not scored", column="code", value=unit))
        record[name] = _records(frame)
    return record


def _records(frame) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


class ExactNumber(float):
    """An exact score in a result record: a float for whatever shows the record (the notebook's JSON
    output), and its full-precision text (``evalbook.exact.full_text``) for result.json."""

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

    def __repr__(self) -> str:
        return f"<evalbook result: {len(self.get('units', []))} unit(s), {len(self.get('projects', []))} project(s)>"

    def _repr_html_(self):
        from evalbook.html import esc

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
