"""How the expert panels scored: each score against its panel (``panel.csv``), each expert's bias across what they
scored, and leave-one-expert-out (which decisions change when one expert's scores are dropped).

Generic: a scheme gives its experts' scores through ``Scheme.expert_scores`` (one row per score, 0–100 scale, with
the unit it counts for and whether the expert should have recused), its ``EXPERT_FILE`` and ``panel_policy``, and
its decisions through ``Scheme.decisions``. Everything is exact (Fractions) except ``panel_sd``, a square root,
written rounded half up (四舍五入) to ``SD_DIGITS`` decimals from the exact variance (integer arithmetic: no float).
"""

from __future__ import annotations

from fractions import Fraction
from math import isqrt

import pandas as pd

from evalbook.core.columns import identity_key
from evalbook.core.exact import mean
from evalbook.inputs.intake import without_rows

PANEL_FILE = "panel.csv"
CHANGES_FILE = "leave_one_out.csv"  # every decision that changes without one expert (what the reports' sections show)
PANEL_COLUMNS = ["code", "subject", "expert", "score", "panel_mean", "panel_sd", "deviation", "flag"]
BIAS_COLUMNS = ["expert", "subjects", "mean_deviation", "flagged", "recusals"]
CHANGE_COLUMNS = ["expert", "level", "unit", "code", "name", "subject", "what", "before", "after"]
LOW, HIGH, RECUSED = "偏低", "偏高", "应回避"
SD_DIGITS = 2
NO_SCORE = "无有效评分"


def population_sd(values: list[Fraction], digits: int = SD_DIGITS) -> str:
    """The population standard deviation of exact ``values`` as text with ``digits`` decimals, rounded half up from
    the exact variance: m = ⌊√v⌋ by integer square root, then m + 1 when v ≥ (m + ½)² (exact comparisons)."""
    if not values:
        return ""
    centre = mean(values)
    variance = sum(((v - centre) ** 2 for v in values), Fraction(0)) / len(values)
    scaled = variance * 10 ** (2 * digits)  # sd × 10^digits = √scaled
    m = isqrt(scaled.numerator // scaled.denominator)
    if scaled >= (m + Fraction(1, 2)) ** 2:
        m += 1
    whole, part = divmod(m, 10**digits)
    return f"{whole}.{part:0{digits}d}" if digits else str(whole)


def panel_rows(scheme, intake, unit: str | None = None) -> pd.DataFrame | None:
    """Every expert score of the year with its panel's figures: the scheme's ``expert_scores`` plus ``expert_key``,
    ``counted`` (in the subject's mean), ``panel_mean``, ``panel_sd``, ``deviation`` and ``flag``. None: no panel.
    ``unit`` (a report folder): only its scores (a panel is one unit's subject, so its figures are the same)."""
    frame = scheme.expert_scores(intake)
    if frame is None:
        return None
    exclude, far = scheme.panel_policy(intake.rubric)
    if unit is not None:
        frame = frame[frame["unit"] == unit]
    frame = frame.reset_index(drop=True).copy()
    frame["expert_key"] = [identity_key(e) for e in frame["expert"]]
    frame["counted"] = [not (exclude and r) for r in frame["recused"]]
    means, sds = {}, {}
    for key, group in frame.groupby(["unit", "subject"], sort=False):
        counted = [s for s, c in zip(group["score"], group["counted"], strict=True) if c]
        means[key] = mean(counted) if counted else None
        sds[key] = population_sd(counted)
    keys = list(zip(frame["unit"], frame["subject"], strict=True))
    frame["panel_mean"] = [means[k] for k in keys]
    frame["panel_sd"] = [sds[k] for k in keys]
    frame["deviation"] = [None if m is None else s - m for s, m in zip(frame["score"], frame["panel_mean"], strict=True)]
    frame["flag"] = [_flag(d, r, far) for d, r in zip(frame["deviation"], frame["recused"], strict=True)]
    return frame


def _flag(deviation, recused: bool, far: Fraction) -> str:
    flags = []
    if deviation is not None and deviation < -far:
        flags.append(LOW)
    if deviation is not None and deviation > far:
        flags.append(HIGH)
    if recused:
        flags.append(RECUSED)
    return "、".join(flags)


def panel_table(rows: pd.DataFrame | None) -> pd.DataFrame | None:
    """panel.csv: one row per expert score, in input order, in ``PANEL_COLUMNS``."""
    return None if rows is None else rows[PANEL_COLUMNS].reset_index(drop=True)


def expert_names(rows: pd.DataFrame) -> dict:
    """``expert_key`` → the expert as first typed."""
    names: dict = {}
    for key, expert in zip(rows["expert_key"], rows["expert"], strict=True):
        names.setdefault(key, expert)
    return names


def expert_bias(rows: pd.DataFrame) -> pd.DataFrame:
    """Per expert (in order of first appearance): subjects scored, the mean deviation of their scores from their
    panels' means (every score they gave, recused ones too), how many were flagged 偏低/偏高, and recusals."""
    names = expert_names(rows)
    out = []
    for key, group in rows.groupby("expert_key", sort=False):
        deviations = [d for d in group["deviation"] if d is not None]
        far = sum(LOW in f or HIGH in f for f in group["flag"])
        out.append((names[key], len(group), mean(deviations) if deviations else None, int(far), int(group["recused"].sum())))
    return pd.DataFrame(out, columns=BIAS_COLUMNS)


def _index(decisions: pd.DataFrame) -> dict:
    return {(r["level"], r["unit"], r["subject"]): r for r in decisions.to_dict("records")}


def _award(value) -> str:
    return value if isinstance(value, str) and value else "无"


def _passed(value) -> str:
    return "合格" if value else "不合格"


def changes_between(before: pd.DataFrame, after: pd.DataFrame) -> list[tuple]:
    """Decisions that differ between two scorings (``Scheme.decisions`` rows): (level, unit, code, name, subject,
    what, before, after) for every award and pass that changes, and every rank of a unit; a row gone (no valid
    score left) is one change of its award to 无有效评分."""
    now = _index(after)
    out = []
    for key, was in _index(before).items():
        row = (was["level"], was["unit"], was["code"], was["name"], was["subject"])
        new = now.get(key)
        if new is None:
            out.append((*row, "奖项", _award(was["award"]), NO_SCORE))
            continue
        if _award(was["award"]) != _award(new["award"]):
            out.append((*row, "奖项", _award(was["award"]), _award(new["award"])))
        if was["passed"] is not None and not pd.isna(was["passed"]) and bool(was["passed"]) != bool(new["passed"]):
            out.append((*row, "合格", _passed(was["passed"]), _passed(new["passed"])))
        if was["level"] == "unit" and not pd.isna(was["rank"]) and was["rank"] != new["rank"]:
            out.append((*row, "名次", f"第{int(was['rank'])}名", f"第{int(new['rank'])}名"))
    return out


def leave_one_out(scheme, intake, scores, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each expert (order of first appearance), the year scored again without any of their scores, and every
    decision that changes (``CHANGE_COLUMNS``); empty when no expert's absence changes anything."""
    rows = panel_rows(scheme, intake) if rows is None else rows
    if rows is None:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    names = expert_names(rows)
    before = scheme.decisions(scores)
    out = []
    for key, group in rows.groupby("expert_key", sort=False):
        fewer = without_rows(intake, scheme.EXPERT_FILE, group["row"])
        out += [(names[key], *change) for change in changes_between(before, scheme.decisions(scheme.score(fewer)))]
    return pd.DataFrame(out, columns=CHANGE_COLUMNS)
