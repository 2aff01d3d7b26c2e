"""naiman-specialty: survey values that pass every rule but are hard to believe (``Scheme.plausibility``).

Each finding is a ``Problem`` of severity ``implausible`` (存疑) on the row of ``indicators.csv``: shown, never stopping
a run, never changing a score. Every threshold is a [policy] key of the rubric's ``plausibility`` section; values are
compared exactly (Fractions from the cells' text), only for the indicator kinds it lists (``kinds``). "Far from" means
the larger of the two values is more than the factor times the smaller (exactly the factor is not flagged), unless
both are at most ``floor`` (small numbers are no evidence); from zero to above the floor is flagged.

- **与本专科基线相比 (against its own baseline)**: a value of the year's survey (period = the year) against the same
  specialty's value of the same indicator in the baseline survey (``baseline_period``), factor ``baseline_factor``.
  The baseline may be a half year (2024H1) and the year a whole one: the factor allows for that.
- **与同领域专科相比 (against its peers)**: a value against the median of the same indicator and period among the
  other specialties of the same field (``specialties.csv``), when at least ``min_peers`` of them gave it; factor
  ``peer_factor``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd

from evalbook.core.columns import factorize, numbered_rows
from evalbook.core.errors import IMPLAUSIBLE, Problem
from evalbook.core.exact import exact, plain
from evalbook.core.rubric import Rubric
from evalbook.schemes.naiman_specialty.inputs import row_context, row_contexts

KEYS = {"baseline_factor", "peer_factor", "min_peers", "floor", "kinds"}
KINDS = ("count", "number", "amount", "area", "percent", "index")  # the numeric kinds a comparison may use (not rank)


def thresholds(rubric: Rubric) -> dict:
    p = rubric.data["plausibility"]
    return {"baseline": exact(str(p["baseline_factor"])), "peer": exact(str(p["peer_factor"])),
            "min_peers": int(p["min_peers"]), "floor": exact(str(p["floor"])), "kinds": tuple(p["kinds"]),
            "peer_text": plain(exact(str(p["peer_factor"]))), "floor_text": plain(exact(str(p["floor"])))}


def far(value: Fraction, other: Fraction, factor: Fraction, floor: Fraction) -> bool:
    """The larger of the two more than ``factor`` × the smaller, unless both are at most ``floor``."""
    high, low = max(value, other), min(value, other)
    return high > floor and high > factor * low


def far_exact(an: int, ad: int, bn: int, bd: int, factor: Fraction, floor: Fraction) -> bool:
    """``far(an/ad, bn/bd, factor, floor)`` on integers (``ad``, ``bd`` > 0): the same comparisons, cross-multiplied
    by positive denominators, so the same answer, without making a Fraction per comparison (a province compares
    over a million values)."""
    if an * bd >= bn * ad:  # max() keeps the first of equals, min() too: either way the same two numbers
        hn, hd, ln, ld = an, ad, bn, bd
    else:
        hn, hd, ln, ld = bn, bd, an, ad
    return hn * floor.denominator > floor.numerator * hd and hn * factor.denominator * ld > factor.numerator * ln * hd


def median(values: list[Fraction]) -> Fraction:
    """The exact median (the mean of the two middle values of an even count)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def median_without(ordered: list[int], gone: int) -> int:
    """Twice the ``median`` of the sorted list ``ordered`` less its value at place ``gone`` (at least two values): the
    same values as the peers', so the same exact median, without sorting the peers again for every specialty of a field.
    Twice it, so that the mean of the two middle values of an even count stays an integer."""

    def at(i: int) -> Fraction:
        return ordered[i if i < gone else i + 1]

    count = len(ordered) - 1
    middle = count // 2
    return 2 * at(middle) if count % 2 else at(middle - 1) + at(middle)


def values_of(indicators: pd.DataFrame, text: pd.DataFrame, kinds: tuple[str, ...]) -> pd.DataFrame:
    """The rows of a compared kind with a number, their value as an exact Fraction from the cell's text."""
    rows = indicators[indicators["kind"].isin(kinds) & indicators["value_num"].notna()]
    cells = text["value"].reindex(rows.index)  # the cell of each row, by line number (each distinct text read once)
    codes, distinct = factorize(cells)
    fractions = np.empty(len(distinct), dtype=object)  # each distinct text read once, spread back by its number
    fractions[:] = [exact(str(t).strip()) for t in distinct]
    scaled, common = scaled_numbers(list(fractions))
    out = rows.assign(exact=fractions[codes], scaled=scaled[codes])
    out.attrs["common"] = common
    return out


SAFE = 2**62 // 64  # whole numbers this small multiply by a factor's or floor's terms without leaving int64


def _scaled(values: pd.DataFrame) -> pd.DataFrame:
    """``values`` as ``with_scaled`` gives it (given so, or made now)."""
    return values if "scaled" in values and "common" in values.attrs else with_scaled(values)


def with_scaled(values: pd.DataFrame) -> pd.DataFrame:
    """``values`` with ``scaled``: each exact value as a whole number of 1 / ``attrs["common"]`` (the least common
    denominator of them all), as int64 when every product the comparisons make fits, else as Python integers."""
    scaled, common = scaled_numbers(list(values["exact"]))
    out = values.assign(scaled=scaled)
    out.attrs["common"] = common
    return out


def scaled_numbers(fractions: list[Fraction]) -> tuple[np.ndarray, int]:
    """Each Fraction as a whole number of 1 / ``common`` (the least common denominator of them all), and ``common``:
    int64 when every product the comparisons make fits (``SAFE``), else Python integers."""
    common = math.lcm(*(v.denominator for v in fractions)) if fractions else 1
    numbers = [v.numerator * (common // v.denominator) for v in fractions]
    small = all(abs(n) < SAFE for n in numbers) and common < SAFE
    return np.array(numbers, dtype=np.int64 if small else object), common


def baseline_jumps(values: pd.DataFrame, year: int, baseline_period: str, file: str, t: dict, context) -> list[Problem]:
    """Each value of the year far from the same specialty's value of the same indicator in the baseline survey (the last
    baseline row of that indicator, as read in file order), in file order; decided on whole numbers (``scaled``)."""
    values = _scaled(values)
    key = numbered_rows(values["code"], values["specialty"], values["indicator"]) if len(values) else np.zeros(0, int)
    period = values["period"].to_numpy()
    base_rows = np.flatnonzero(period == baseline_period)
    base_of = np.full(int(key.max()) + 1 if len(key) else 0, -1, dtype=np.int64)  # each key's last baseline row
    keys, last = np.unique(key[base_rows][::-1], return_index=True)
    base_of[keys] = base_rows[::-1][last]
    now_rows = np.flatnonzero(period == str(year))
    now_rows = now_rows[base_of[key[now_rows]] >= 0]  # in file order, those with a baseline
    found_rows = base_of[key[now_rows]]
    scaled = values["scaled"].to_numpy()
    far_rows = _far(scaled[now_rows], scaled[found_rows], values.attrs["common"], t["baseline"], t["floor"])
    factor, floor = plain(t["baseline"]), plain(t["floor"])
    problems = []
    lines, exacts = values.index.to_numpy(), values["exact"].to_numpy()
    flagged, paired = now_rows[far_rows], found_rows[far_rows]
    for line, value, found_line, found in zip(lines[flagged], exacts[flagged], lines[paired], exacts[paired], strict=True):
        problems.append(Problem(
            file, f"与本专科基线（统计期 {baseline_period}，第{found_line}行：{plain(found)}）相差超过{factor}倍"
                  f"（较大值 > {factor} × 较小值，且两值不都 ≤ {floor}；评分规则 plausibility.baseline_factor = {factor}，"
                  f"floor = {floor}）：请核实，不影响评分",
            f"more than {factor}-fold from the specialty's own baseline (period {baseline_period}, row {found_line}: "
            f"{plain(found)}; rule: larger > {factor} × smaller unless both ≤ {floor}, rubric "
            f"plausibility.baseline_factor = {factor}, floor = {floor}): please check; scores unchanged",
            row=int(line), column="value", value=plain(value), severity=IMPLAUSIBLE, context=context(int(line))))
    return problems


def _far(a: np.ndarray, b: np.ndarray, common: int, factor: Fraction, floor: Fraction) -> np.ndarray:
    """``far(a / common, b / common, factor, floor)`` for each pair of whole numbers (``far_exact`` with one
    denominator, which cancels from the factor's comparison): True/False per pair."""
    high, low = np.maximum(a, b), np.minimum(a, b)
    return (high * floor.denominator > floor.numerator * common) & (high * factor.denominator > factor.numerator * low)


def peer_outliers(values: pd.DataFrame, fields: dict, file: str, t: dict, context) -> list[Problem]:
    """Each value far from the median of the other specialties of its field (same indicator and period), group by group
    (in the order the groups first appear), in file order within a group.

    Where every specialty of a group gives one value (as the suites ensure), decided for all groups at once on whole
    numbers: the group's values sorted, each value's median of the others read from its place; otherwise the group is
    compared value by value (``_peer_group``)."""
    least = t["min_peers"]
    values = _scaled(values)
    common = values.attrs["common"]
    field = _fields_of(values, fields)
    kept = np.flatnonzero(~pd.isna(field))  # the rows of a listed specialty, as arrays (no frame copied)

    def column(name: str) -> np.ndarray:
        return values[name].to_numpy()[kept]

    field_of = field[kept]
    group = numbered_rows(field_of, column("period"), column("indicator"))  # as a groupby numbers them (sort=False)
    repeated = pd.Series(numbered_rows(group, column("code"), column("specialty"))).duplicated().to_numpy()
    mixed = np.isin(group, group[repeated])  # groups where a specialty gives two values: compared one by one
    scaled = column("scaled")
    if scaled.dtype == object:  # Python integers (values too large for int64 products)
        order = np.array(sorted(range(len(group)), key=lambda i: (group[i], scaled[i])), dtype=np.int64)
    else:
        order = np.lexsort((scaled, group))  # by group, then value (a stable order)
    size = np.bincount(group, minlength=group.max() + 1 if len(group) else 0)
    start = np.concatenate([[0], np.cumsum(size)[:-1]]) if len(size) else size
    place = np.empty(len(group), dtype=np.int64)
    place[order] = np.arange(len(group)) - start[group[order]]
    ordered = scaled[order]
    count = size[group] - 1  # the peers of each value
    middle = count // 2
    odd = count % 2 == 1
    first = np.where(odd, middle, middle - 1)

    def at(j: np.ndarray) -> np.ndarray:  # the j-th of the others (sorted, without the value itself)
        return ordered[np.clip(start[group] + j + (j >= place), 0, max(len(ordered) - 1, 0))]

    twice = np.where(odd, 2 * at(middle), at(first) + at(middle))  # twice the median of the others
    compared = (count >= least) & (count >= 1) & ~mixed
    far_rows = compared & _far(2 * scaled, twice, 2 * common, t["peer"], t["floor"])
    lines, exacts = values.index.to_numpy()[kept], column("exact")
    flagged = np.flatnonzero(far_rows)
    contexts = _contexts(context, [int(line) for line in lines[flagged]])
    rules: dict[tuple, tuple[str, str]] = {}  # the rule's words, made once per field, peer count and median
    shown: dict[int, str] = {}  # each value (by its whole number of 1 / common) as a sentence shows it, made once
    found: list[tuple[int, int, Problem]] = []
    for i, about in zip(flagged.tolist(), contexts, strict=True):
        key = (field_of[i], int(count[i]), int(twice[i]))
        if key not in rules:
            rules[key] = _peer_rule(field_of[i], int(count[i]), Fraction(int(twice[i]), 2 * common), t)
        value = int(scaled[i])
        if value not in shown:
            shown[value] = plain(exacts[i])
        zh, en = rules[key]
        found.append((int(group[i]), i, Problem(file, zh, en, row=int(lines[i]), column="value", value=shown[value],
                                                severity=IMPLAUSIBLE, context=about)))
    for g in np.unique(group[mixed]):
        rows = np.flatnonzero(group == g)
        rows_of = values.iloc[kept[rows]].assign(field=field_of[rows])
        found += [(int(g), int(i), problem) for i, problem in _peer_group(rows_of, rows, file, t, context)]
    return [problem for _, _, problem in sorted(found, key=lambda f: (f[0], f[1]))]


def _fields_of(values: pd.DataFrame, fields: dict) -> np.ndarray:
    """The field of each row's (code, specialty) (None where unlisted), looked up once per distinct pair: the pairs
    numbered from each column's distinct values."""
    code, codes = factorize(values["code"])
    specialty, specialties = factorize(values["specialty"])
    width = max(len(specialties), 1)
    pair, pairs = pd.factorize(code.astype(np.int64) * width + specialty, use_na_sentinel=False)
    found = np.empty(len(pairs), dtype=object)
    found[:] = [fields.get((codes[p // width], specialties[p % width])) for p in pairs.tolist()]
    return found[pair]


def _peer_group(group: pd.DataFrame, rows, file: str, t: dict, context) -> list[tuple[int, Problem]]:
    """One group where a specialty gives more than one value: each value against the median of the other specialties'."""
    units = list(zip(group["code"], group["specialty"], strict=True))
    exacts = group["exact"].tolist()
    out = []
    for i, (line, unit, value) in zip(rows, zip(group.index, units, exacts, strict=True), strict=True):
        peers = [v for u, v in zip(units, exacts, strict=True) if u != unit]
        count, middle = len(peers), (median(peers) if len(peers) >= t["min_peers"] else None)
        if count < t["min_peers"] or not far(value, middle, t["peer"], t["floor"]):
            continue
        out.append((i, _peer_problem(file, group["field"].iloc[0], count, middle, int(line), value, t, context)))
    return out


def _peer_problem(file: str, field: str, count: int, middle: Fraction, line: int, value: Fraction, t: dict,
                  context) -> Problem:
    zh, en = _peer_rule(field, count, middle, t)
    return Problem(file, zh, en, row=line, column="value", value=plain(value), severity=IMPLAUSIBLE,
                   context=context(line))


def _peer_rule(field: str, count: int, middle: Fraction, t: dict) -> tuple[str, str]:
    """The words of a peer finding: against the median ``middle`` of ``count`` other specialties of ``field``."""
    factor, floor, least = t.get("peer_text") or plain(t["peer"]), t.get("floor_text") or plain(t["floor"]), t["min_peers"]
    return (f"与同领域（{field}）其他{count}个专科同一指标同一统计期的中位数（{plain(middle)}）相差超过{factor}倍"
            f"（较大值 > {factor} × 较小值，且两值不都 ≤ {floor}，同领域至少{least}个专科时比较；"
            f"评分规则 plausibility.peer_factor = {factor}，min_peers = {least}）：请核实，不影响评分",
            f"more than {factor}-fold from the median ({plain(middle)}) of the {count} other specialties of the "
            f"field {field} (same indicator and period; rule: larger > {factor} × smaller unless both ≤ {floor}, "
            f"with at least {least} peers; rubric plausibility.peer_factor = {factor}, min_peers = {least}): "
            "please check; scores unchanged")


def _contexts(context, lines: list[int]) -> list:
    """``context(line)`` for each of ``lines``: all at once when ``context`` can (``many``)."""
    many = getattr(context, "many", None)
    return many(lines) if many is not None else [context(line) for line in lines]


def plausibility(intake) -> list[Problem]:
    """Every implausible survey value of the year: against its own baseline, then against its peers."""
    if "indicators.csv" not in intake.typed or "specialties.csv" not in intake.typed:
        return []
    t = thresholds(intake.rubric)
    text = intake.tables["indicators.csv"].frame
    values = values_of(intake.typed["indicators.csv"], text, t["kinds"])
    specialties = intake.typed["specialties.csv"]
    fields = dict(zip(zip(specialties["code"], specialties["specialty"], strict=True), specialties["field"], strict=True))
    file = intake.labels["indicators.csv"]

    def context(line: int) -> str | None:
        return intake.scheme.row_context("indicators.csv", text, line)

    if intake.scheme.row_context is row_context:  # the rows' contexts found together
        context.many = lambda lines: row_contexts("indicators.csv", text, lines)

    return [*baseline_jumps(values, intake.year, intake.rubric.data["baseline_period"], file, t, context),
            *peer_outliers(values, fields, file, t, context)]
