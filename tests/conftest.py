"""Fixtures shared by every test module."""

from __future__ import annotations

from fractions import Fraction

import pytest

from evalbook.inputs import validation
from evalbook.inputs.validation import SuiteOutcome, SuiteRunner


def _exact(value) -> object:
    """A value as a hashable key that tells apart what validation could tell apart: every container
    walked, every leaf by its type and repr (1 and 1.0 and '1' are three keys; NaN, None and '' too)."""
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((_exact(k), _exact(v)) for k, v in value.items()), key=repr)))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_exact(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted((_exact(v) for v in value), key=repr)))
    if isinstance(value, Fraction):
        return ("Fraction", value.numerator, value.denominator)
    return (type(value).__name__, repr(value))


def _frame_key(frame) -> tuple:
    """A data frame exactly: its index, its columns with their dtypes, and every cell by type and repr."""
    return (_exact(list(frame.index)), _exact([str(c) for c in frame.columns]), _exact([str(t) for t in frame.dtypes]),
            tuple(_exact(list(frame[c])) for c in frame.columns))


class SharedSuiteRunner:
    """One Great Expectations runner for the whole test session that validates each distinct (suite,
    parameters, frames, file label) once, with the real suites: validation is a pure function of these,
    so a second identical call gets the first one's outcome (a copy). Every in-process ``take_in`` that
    builds its own runner (``validate``, ``run``, ``verify``, a notebook opened in the test process) gets
    this one: a case pays only for the tables it changed, not again for Great Expectations' start-up and
    every unchanged table. Subprocesses (the CLI's own tests, kernels) validate from scratch as ever.
    What ``validation`` itself holds is part of the key too (by identity), so a test that patches it
    (``LARGE_SET``, a helper) validates afresh."""

    def __init__(self) -> None:
        self._runner: SuiteRunner | None = None
        self._outcomes: dict[tuple, SuiteOutcome] = {}

    @property
    def runner(self) -> SuiteRunner:
        if self._runner is None:
            self._runner = SuiteRunner()
        return self._runner

    @property
    def version(self) -> str:
        return self.runner.version

    def validate(self, suite_json, frames, parameters, file_label) -> SuiteOutcome:
        module = tuple((name, id(value)) for name, value in vars(validation).items() if not name.startswith("__"))
        key = (module, _exact(suite_json), _exact(parameters), file_label,
               tuple((stage, _frame_key(frames[stage])) for stage in sorted(frames)))
        if key not in self._outcomes:
            self._outcomes[key] = self.runner.validate(suite_json, frames, parameters, file_label)
        outcome = self._outcomes[key]
        return SuiteOutcome(list(outcome.problems), list(outcome.summary))


@pytest.fixture(scope="session", autouse=True)
def shared_suite_runner():
    """``take_in`` without a runner of its own uses the session's ``SharedSuiteRunner`` (module fixtures too)."""
    shared = SharedSuiteRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("evalbook.inputs.intake.SuiteRunner", lambda: shared)
        yield shared
