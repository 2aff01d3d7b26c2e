"""Award stability: the year re-scored under every reading of the rules the rubric lists (its ``scenarios``).

Each scenario is the rubric with some [policy] choices read the other way (``evalbook.core.scenarios``); the
year's validated inputs are scored again under it, with the same exact arithmetic, and each unit's decision
(``Scheme.decisions``, level "unit": total, rank, award, prize, pass) is set beside the default's. A unit whose
award or pass differs in some scenario *depends on a reading*: the committee should know before it signs.

``sensitivity.csv`` (``SENSITIVITY_COLUMNS``) has one row per scenario and unit, the default first; columns a
scheme does not use (a prize, a pass line) are left empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from evalbook.core.scenarios import DEFAULT, Scenario, scenarios

SENSITIVITY_COLUMNS = ["scenario", "code", "name", "total", "rank", "award", "prize_wan", "passed"]
FILE = "sensitivity.csv"


@dataclass(frozen=True)
class Shift:
    """A unit whose award or pass differs from the default under one scenario."""

    unit: str
    code: str
    name: str
    scenario: str
    label: str
    award: tuple[str, str]  # (default, under the scenario)
    passed: tuple[object, object]
    rank: tuple[object, object]

    @property
    def what(self) -> str:
        """"award", "pass" or both, joined: what the reading changes."""
        return "、".join(w for w, (a, b) in (("奖项", self.award), ("合格", self.passed)) if a != b)


@dataclass
class Stability:
    """Every scenario's unit decisions (``rows``: DECISION_COLUMNS plus ``scenario``), and the shifts."""

    scenarios: list[Scenario]
    rows: pd.DataFrame
    shifts: list[Shift] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """sensitivity.csv: a unit with a subject (a specialty) is named with it, so every row names one unit."""
        named = self.rows.assign(name=[f"{n} {s}" if s else n for n, s in zip(self.rows["name"], self.rows["subject"],
                                                                                strict=True)])
        return named[SENSITIVITY_COLUMNS].reset_index(drop=True)

    def depends(self) -> dict[str, list[Shift]]:
        """Unit (report folder) → the shifts of its award or pass, in scenario order."""
        out: dict[str, list[Shift]] = {}
        for shift in self.shifts:
            out.setdefault(shift.unit, []).append(shift)
        return out


def unit_decisions(scheme, scores) -> pd.DataFrame:
    decisions = scheme.decisions(scores)
    return decisions[decisions["level"] == "unit"].reset_index(drop=True)


def stability(scheme, intake, scores=None) -> Stability:
    """Score ``intake`` under each of its rubric's scenarios (the default: ``scores`` when given)."""
    readings = scenarios(intake.rubric)
    frames = []
    for scenario in readings:
        if scenario.name == DEFAULT and scores is not None:
            scored = scores
        else:
            scored = scheme.score(replace(intake, rubric=scenario.rubric))
        frames.append(unit_decisions(scheme, scored).assign(scenario=scenario.name))
    rows = pd.concat(frames, ignore_index=True)
    return Stability(readings, rows, shifts_of(readings, frames))


def shifts_of(readings: list[Scenario], frames: list[pd.DataFrame]) -> list[Shift]:
    base = {r["unit"]: r for r in frames[0].to_dict("records")}
    out = []
    for scenario, frame in zip(readings[1:], frames[1:], strict=True):
        for row in frame.to_dict("records"):
            before = base.get(row["unit"])
            if before is None:
                continue
            if before["award"] != row["award"] or passed_state(before["passed"]) != passed_state(row["passed"]):
                out.append(Shift(row["unit"], row["code"], row["name"] + (f" {row['subject']}" if row["subject"] else ""),
                                 scenario.name, scenario.label, (before["award"], row["award"]),
                                 (passed_state(before["passed"]), passed_state(row["passed"])), (before["rank"], row["rank"])))
    return out


def passed_state(value):
    """A pass as compared: None (no pass line) stays None; numpy and Python booleans compare alike."""
    return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else bool(value)
