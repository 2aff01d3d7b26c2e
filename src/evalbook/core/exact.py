"""Exact numbers: what every score, mean, weight and attainment is computed in.

Scores are ``Fraction``s from the input text to the published tables, so two results equal on
paper are equal (211/3 == (74 + 200/3)/2) and ranks, ties, the 60-point lines and the 5 % recheck
line are decided without binary rounding. Three ways out, one each:

- ``shown``: for people. Rounded half up (四舍五入) to 2 decimals from the exact value, trailing
  zeros dropped (61.175 → "61.18", 90.50 → "90.5"). Every page, chart label and XLSX cell uses it.
- ``full_text``: for machines (CSV, result.json). A terminating decimal is written exactly
  (0.5, 61.175; a whole score as ``70.0``, as the CSVs always had); any other value with
  ``SIGNIFICANT`` significant digits, rounded half up (211/3 → 70.333333333333333333).
- ``plain``: amounts inside a sentence (the rubric's 0.5 per session): exact when terminating.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from functools import lru_cache
from numbers import Rational
from typing import Any

ZERO, ONE = Fraction(0), Fraction(1)
SIGNIFICANT = 20  # digits of a non-terminating value in CSV and result.json
NUMBER_CHARS = set("0123456789.-+eE")


def exact(value: Any) -> Fraction:
    """``value`` as a Fraction: text is read as written (never through a float); an int, Decimal or
    Fraction as it is; a float (from code, not from an input file) by its shortest decimal form,
    which is the decimal it was written as whenever that had at most 15 significant digits."""
    if type(value) is Fraction or isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        return Fraction(int(value))
    if isinstance(value, (int, Rational)):
        return Fraction(value)
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return _parse(repr(float(value)))  # float(): numpy 2 writes np.float64(…)
    if isinstance(value, str):
        return _parse(value.strip())
    if hasattr(value, "item"):  # numpy scalars
        return exact(value.item())
    raise TypeError(f"not a number: {value!r}")


@lru_cache(maxsize=65536)
def _parse(text: str) -> Fraction:
    """Fraction's text parsing, once per distinct text (scores and rubric amounts repeat)."""
    return Fraction(text)


def clipped_progress(actual: Fraction, baseline: Fraction, target: Fraction) -> Fraction:
    """``min(1, max(0, (actual − baseline) / (target − baseline)))``, the same Fraction, decided on integers: both
    differences over the common denominator of the three values (numerators cross-multiplied), so a value at or
    beyond either end gives 0 or 1 without a Fraction made, and one in between a single reduced Fraction.
    ``target`` must differ from ``baseline``."""
    an, ad = actual.numerator, actual.denominator
    bn, bd = baseline.numerator, baseline.denominator
    tn, td = target.numerator, target.denominator
    moved = (an * bd - bn * ad) * td  # (actual − baseline) × ad·bd·td
    span = (tn * bd - bn * td) * ad  # (target − baseline) × ad·bd·td
    if span == 0:
        raise ZeroDivisionError("target equals baseline: no progress to measure")
    if span < 0:
        moved, span = -moved, -span
    if moved <= 0:
        return ZERO
    if moved >= span:
        return ONE
    return Fraction(moved, span)


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or _is_na(value)


def _is_na(value: Any) -> bool:
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT
    except ImportError:  # pragma: no cover
        return False


def maybe_exact(value: Any) -> Fraction | None:
    """``exact(value)``, or None for an empty cell."""
    return None if is_missing(value) else exact(value)


def rounded(value: Any, digits: int = 2) -> Decimal:
    """The exact value rounded half up (四舍五入) to ``digits`` decimals."""
    f = exact(value)
    quantum = Decimal(1).scaleb(-digits)
    # an exact quotient to enough places, then one rounding: Decimal(n)/Decimal(d) alone would round twice
    scaled = f * 10 ** digits
    whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    sign = -1 if f < 0 else 1
    return (Decimal(sign * whole) * quantum).quantize(quantum)


def shown(value: Any, digits: int = 2) -> str:
    """For display: rounded half up to ``digits`` decimals, trailing zeros dropped; "—" when empty."""
    if is_missing(value):
        return "—"
    text = f"{rounded(value, digits):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def signed_shown(value: Any, digits: int = 2) -> str:
    if is_missing(value):
        return "—"
    text = shown(value, digits)
    return ("+" if exact(value) > 0 and text != "0" else "") + text


def _terminating(f: Fraction) -> bool:
    d = f.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def _decimal_text(f: Fraction) -> str:
    """A terminating fraction written out exactly (no context precision involved)."""
    k = 0
    while (10 ** k) % f.denominator:
        k += 1
    return f"{Decimal(f.numerator * (10 ** k // f.denominator)).scaleb(-k):f}"


def full_text(value: Any) -> str:
    """The deterministic full-precision text of a score for CSV and JSON (see the module doc)."""
    f = exact(value)
    if f.denominator == 1:
        return f"{f.numerator}.0"
    if _terminating(f):
        return _decimal_text(f)
    context = Context(prec=SIGNIFICANT, rounding=ROUND_HALF_UP)
    return f"{context.divide(Decimal(f.numerator), Decimal(f.denominator)):f}"


def plain(value: Any) -> str:
    """An amount inside a sentence: exact when terminating (0.5, 10), else 2 decimals half up."""
    f = exact(value)
    if f.denominator == 1:
        return str(f.numerator)
    if _terminating(f):
        return _decimal_text(f)
    return shown(f)


def exact_sum(values) -> Fraction:
    """The exact sum of numbers, over one common denominator (one reduction, not one per addition)."""
    numerator, common, _ = _summed(values)
    return Fraction(numerator, common)


def _summed(values) -> tuple[int, int, int]:
    """The sum of numbers as a numerator over the least common denominator, that denominator, and how many."""
    terms = [(f.numerator, f.denominator) for f in map(exact, values)]
    if not terms:
        return 0, 1, 0
    if all(d == 1 for _, d in terms):  # whole numbers (most scores and attainments): over 1
        return sum(n for n, _ in terms), 1, len(terms)
    common = math.lcm(*(d for _, d in terms))
    return sum(n * (common // d) for n, d in terms), common, len(terms)


def mean(values) -> Fraction:
    """The exact mean of a non-empty sequence of numbers (one Fraction made: the sum over the count × the common
    denominator)."""
    numerator, common, count = _summed(values)
    if not count:
        raise ZeroDivisionError("the mean of no numbers")
    return Fraction(numerator, common * count)
