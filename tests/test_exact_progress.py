"""core.exact.clipped_progress and mean on their edges: the integer-decided answer against the Fraction formula."""

from __future__ import annotations

from fractions import Fraction

import pytest

from evalbook.core.exact import clipped_progress, exact, exact_sum, mean


def by_fractions(actual: str, baseline: str, target: str) -> Fraction:
    a, b, t = exact(actual), exact(baseline), exact(target)
    return min(Fraction(1), max(Fraction(0), (a - b) / (t - b)))


@pytest.mark.parametrize("actual, baseline, target", [
    ("200", "100", "200"),       # exactly at the target: 1
    ("100", "100", "200"),       # exactly at the baseline: 0
    ("150", "100", "200"),       # half way
    ("250", "100", "200"),       # beyond the target
    ("50", "100", "200"),        # worse than the baseline
    ("1.5", "2.0", "1.0"),       # lower-better: half way down
    ("0.5", "2", "1.00"),        # lower-better beyond the target, different decimal places
    ("2.000001", "2", "1"),      # lower-better, a hair worse
    ("0.999999", "1", "0.9"),    # just short of the target
    ("3.465", "3.3", "3.63"),    # three, one and two decimals
    ("-1.5", "-2", "-1"),        # negative values
    ("-2.5", "-2", "-1"),
    ("0", "0.001", "0.002"),
])
def test_clipped_progress_equals_the_fraction_formula(actual, baseline, target):
    got = clipped_progress(exact(actual), exact(baseline), exact(target))
    assert got == by_fractions(actual, baseline, target)
    assert type(got) is Fraction and Fraction(0) <= got <= Fraction(1)


def test_clipped_progress_refuses_equal_target_and_baseline():
    with pytest.raises(ZeroDivisionError):
        clipped_progress(exact("1"), exact("2.0"), exact("2"))


def test_mean_and_sum_over_different_denominators():
    values = [exact("1.5"), exact("2.25"), Fraction(1, 3)]
    assert mean(values) == (Fraction(3, 2) + Fraction(9, 4) + Fraction(1, 3)) / 3
    assert exact_sum(values) == Fraction(3, 2) + Fraction(9, 4) + Fraction(1, 3)
    assert exact_sum([]) == 0
    assert mean(["-1", "1.0"]) == 0
    with pytest.raises(ZeroDivisionError):
        mean([])
