"""evalbook.core.columns: numbering a column's distinct values, and what is made once per distinct value from them.

A large input table holds few distinct values per column; ``factorize``, ``numbered_rows``, ``mapped`` and ``joined``
work on those and spread the result back. Each must give exactly what the plain pandas operation gives (values, order
of first occurrence, empty cells, the type of the result), for a column long enough to take the fast way
(``BY_ADDRESS`` cells or more) and for a short one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalbook.core import columns
from evalbook.core.columns import distinct_objects, factorize, first_places, joined, mapped, numbered_rows

LONG = columns.BY_ADDRESS  # cells: numbered by the objects' addresses first


def cells(texts: list, length: int) -> pd.Series:
    """``texts`` repeated to ``length`` cells, each cell its own object (equal texts, different objects), as a file
    read some other way would hold them."""
    made = [None if t is None else "".join(list(t)) for t in (texts * (length // len(texts) + 1))[:length]]
    return pd.Series(made, index=range(2, length + 2), name="code", dtype=object)


@pytest.mark.parametrize("length", [7, LONG + 3])
def test_factorize_numbers_values_in_the_order_they_first_occur(length):
    values = cells(["B", "A", None, "B", "C", "A", None], length)
    numbers, distinct = factorize(values)
    assert numbers[:7].tolist() == [0, 1, 2, 0, 3, 1, 2]  # B A (empty) B C A (empty)
    assert list(distinct)[0:2] == ["B", "A"] and pd.isna(list(distinct)[2]) and list(distinct)[3] == "C"
    expected_numbers, expected_distinct = pd.factorize(values, use_na_sentinel=False)
    assert numbers.tolist() == expected_numbers.tolist()
    pd.testing.assert_index_equal(distinct, expected_distinct)
    as_str = values.astype("str")  # a column of pandas' own text type is numbered as pandas numbers it
    numbers, distinct = factorize(as_str)
    expected_numbers, expected_distinct = pd.factorize(as_str, use_na_sentinel=False)
    assert numbers.tolist() == expected_numbers.tolist()
    pd.testing.assert_index_equal(distinct, expected_distinct)


def test_distinct_objects_are_told_apart_by_identity_and_first_places_found():
    a, b = "".join(["x", "y"]), "".join(["x", "y"])  # equal, not the same object
    places, objects = distinct_objects(np.array([a, b, a, None, b], dtype=object))
    assert places.tolist() == [0, 1, 0, 2, 1]
    assert objects[0] is a and objects[1] is b and objects[2] is None
    assert first_places(np.array([0, 1, 0, 2, 1, 3])).tolist() == [0, 1, 3, 5]
    assert first_places(np.array([], dtype=np.int64)).tolist() == []


@pytest.mark.parametrize("length", [6, LONG + 2])
def test_numbered_rows_number_distinct_rows_as_a_groupby_does(length):
    left = cells(["A", "A", "B", None, "A", "B"], length)
    right = cells(["x", "y", "x", "x", "x", "x"], length).rename("specialty")
    numbers = numbered_rows(left, right)
    assert numbers[:6].tolist() == [0, 1, 2, 3, 0, 2]  # (A,x) (A,y) (B,x) (empty,x) (A,x) (B,x)
    grouped = pd.DataFrame({"l": left, "r": right}).groupby(["l", "r"], sort=False, dropna=False).ngroup()
    assert numbers.tolist() == grouped.tolist()


def test_combined_numbers_stay_exact_past_what_one_whole_number_holds():
    # four columns of 2^16 distinct values each: 2^64 combinations, more than an int64 holds, so the rows are
    # renumbered before the fourth column joins; rows 0 and 3 agree everywhere, rows 1 and 2 differ only there
    wide = 2**16
    numbered = [(np.array([5, 5, 5, 5]), wide), (np.array([wide - 1, wide - 1, wide - 1, wide - 1]), wide),
                (np.array([0, 7, 7, 0]), wide), (np.array([3, 1, 2, 3]), wide)]
    assert columns.combined_numbers(numbered, 4).tolist() == [0, 1, 2, 0]
    assert columns.combined_numbers([], 3).tolist() == [0, 0, 0]  # no column: every row alike
    assert columns.combined_numbers([(np.zeros(0, dtype=np.int64), 0)], 0).tolist() == []


@pytest.mark.parametrize("length", [5, LONG + 1])
def test_mapped_and_joined_are_map_and_concatenation(length):
    indicator = cells(["1.1.1", "9.9", None, "1.1.1", "2.1"], length)
    kinds = {"1.1.1": "count", "2.1": "percent"}
    found = mapped(indicator, kinds)
    assert found.tolist()[:5][0] == "count" and found.tolist()[3] == "count" and found.tolist()[4] == "percent"
    assert pd.isna(found.iloc[1]) and pd.isna(found.iloc[2])
    pd.testing.assert_series_equal(found, indicator.map(kinds))
    frame = pd.DataFrame({"code": cells(["A", "B", None, "A", "A"], length),
                          "specialty": cells(["x", "y", "x", None, "x"], length)})
    unit = joined(frame, "code", "specialty", "/")
    assert unit.iloc[0] == "A/x" and unit.iloc[1] == "B/y" and unit.iloc[4] == "A/x"
    pd.testing.assert_series_equal(unit, frame["code"].astype(str) + "/" + frame["specialty"].astype(str))
