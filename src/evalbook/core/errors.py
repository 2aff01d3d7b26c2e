"""The one error type for the user's mistakes, and how it reads.

Programming errors stay ordinary exceptions. Anything an evaluator can fix (a bad cell, a
missing file, an unknown code, a broken rubric) is a ``Problem``; many of them travel
together in an ``InputError`` so a run reports every problem at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

IMPLAUSIBLE = "implausible"  # a value to look at again (Scheme.plausibility): not an error, never stops a run
LEVELS = {"error": "错误 ERROR", "warning": "警告 WARNING", IMPLAUSIBLE: "存疑 IMPLAUSIBLE"}  # how each severity reads


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can.

    ``row`` is the line number in the file as a spreadsheet shows it (header = 1) or a cell
    address such as ``E12``; ``rule_zh``/``rule_en`` say what the value should have been.
    """

    file: str
    rule_zh: str
    rule_en: str
    row: int | str | None = None
    column: str | None = None
    value: object = None
    severity: str = "error"  # "error" stops the run; "warning" and "implausible" are reported and shown
    context: str | None = None  # what the row is about, e.g. "NMRM 心内科 2025 2.3.6 再住院率"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def is_implausible(self) -> bool:
        """A value that passes every rule but is hard to believe (a jump, an inconsistency): shown, never refused."""
        return self.severity == IMPLAUSIBLE

    def location(self) -> str:
        # a cell address such as ``RMYY.xlsx!附件3!E12`` already names the file
        parts = [] if isinstance(self.row, str) and self.row.startswith(f"{self.file}!") else [self.file]
        if self.row is not None:
            parts.append(f"第{self.row}行 row {self.row}" if isinstance(self.row, int) else f"{self.row}")
        if self.column:
            parts.append(f"列 column '{self.column}'")
        if self.context:
            parts.append(f"（{self.context}）")
        return ", ".join(parts)

    def render(self) -> str:
        level = LEVELS.get(self.severity, LEVELS["warning"])
        value = "" if self.value is None else f"; 值 value={self.value!r}"
        return f"[{level}] {self.location()}{value}\n    规则: {self.rule_zh}\n    rule: {self.rule_en}"

    def as_dict(self) -> dict:
        data = asdict(self)
        if data["value"] is not None and not isinstance(data["value"], (int, float, str, bool)):
            data["value"] = str(data["value"])
        return data


class InputError(Exception):
    """Raised when the evaluator's input (data files, codes, rubric, options) is wrong.

    Carries every problem found so that one run lists them all; the CLI prints them in
    Chinese and English and exits 1 without touching published outputs.
    """

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(p.render() for p in self.problems))

    def _render_traceback_(self) -> list[str]:
        """What IPython shows when a notebook cell raises this: the problems, not a traceback of
        internals (the user can fix the input, not the code)."""
        return [f"InputError: 输入有误 invalid input ({len(self.problems)})", *str(self).splitlines()]


def problem(file, rule_zh, rule_en, **where) -> InputError:
    """Shorthand for raising a single-problem ``InputError``."""
    return InputError(Problem(file=str(file), rule_zh=rule_zh, rule_en=rule_en, **where))


def print_problems(problems: list[Problem]) -> None:
    """Print problems to standard output, errors first, then warnings, then implausible values, each bilingual."""
    order = {"error": 0, IMPLAUSIBLE: 2}
    for p in sorted(problems, key=lambda p: order.get(p.severity, 1)):
        print(p.render())
