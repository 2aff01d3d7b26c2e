"""A wendeng report's 组内排名 chart: the whole group when it is small, its first 10 and the institution's
neighbours (5 either side) when it is a province's, said in a note."""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import pandas as pd
import pytest

from evalbook.core.registry import get_scheme
from evalbook.schemes.wendeng_featured.report import chart_window, group_chart


@pytest.mark.parametrize(("size", "at", "expected"), [
    (31, 30, list(range(31))),  # 2 × (10 + 5) + 1: all of them
    (32, 0, list(range(10))),  # the first: the top 10 hold its neighbours
    (32, 31, [*range(10), *range(26, 32)]),  # the last: 5 before it, none after
    (32, 12, list(range(18))),  # 7..17 joins the top 10
    (1000, 500, [*range(10), *range(495, 506)]),
    (1000, 14, list(range(20))),  # 9..19: one run with the top 10
    (1000, 15, [*range(10), *range(10, 21)]),  # 10..20: adjacent, no gap
])
def test_the_window_a_group_chart_shows(size, at, expected):
    assert chart_window(size, at) == expected


def _book(size: int):
    units = pd.DataFrame({"code": [f"C{i:04d}" for i in range(size)], "name": [f"机构{i}" for i in range(size)],
                          "group": "primary", "group_rank": range(1, size + 1),
                          "total": [Fraction(90) - Fraction(i, 7) for i in range(size)]})
    return SimpleNamespace(scheme=get_scheme("wendeng-featured"), scores=SimpleNamespace(units=units), year=2023)


def test_a_small_group_shows_every_member_and_no_note():
    page = str(group_chart(_book(31), "C0015"))
    assert page.count("<rect x=") == 31 and "图中为前" not in page


def test_a_province_group_shows_the_top_ten_and_the_institution_among_its_neighbours():
    page = str(group_chart(_book(5000), "C2500"))
    assert page.count("<rect x=") == 10 + 11
    assert "2501. 机构2500" in page and "2496. 机构2495" in page and "2506. 机构2505" in page
    assert "2495. 机构2494" not in page and "11. 机构10" not in page
    assert "本组共5000家，图中为前10名及本机构前后各5名" in page
