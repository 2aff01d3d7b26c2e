"""Ranking within groups and awards by rank: shared by every scheme that ranks a cohort.

Ties: a full tie on every ranking key shares the rank (standard competition ranking, 1, 1, 3)
and therefore the award; the next places are pushed down, as in any ranked list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import pandas as pd

from evalbook.core.exact import exact


def competition_rank(frame: pd.DataFrame, keys: Sequence[str]) -> pd.Series:
    """Rank rows by ``keys`` (all descending): 1 + the number of rows strictly ahead."""
    if frame.empty:
        return pd.Series([], index=frame.index, dtype="int64")
    # Python's own sort on the key tuples: exact values (Fractions) compare exactly, and it is far
    # quicker than pandas sorting object columns (which hashes and factorises every Fraction)
    rows = list(zip(*(frame[k].tolist() for k in keys), strict=True))
    order = sorted(range(len(rows)), key=rows.__getitem__, reverse=True)
    ranks = [0] * len(rows)
    previous, current = None, 0
    for position, i in enumerate(order, start=1):
        if rows[i] != previous:
            previous, current = rows[i], position
        ranks[i] = current
    return pd.Series(ranks, index=frame.index, dtype="int64")


def award_for_rank(rank: int, tiers: Sequence[Mapping]) -> tuple[str, Fraction]:
    """The award tier whose places include ``rank``: tier k covers places after the earlier tiers.

    With competition ranks a full tie at the last place of a tier shares that tier (ranks 3, 3 with
    three prizes: both win), and the place after the tie is pushed down (the next is 5th)."""
    last_place = 0
    for tier in tiers:
        last_place += int(tier["count"])
        if rank <= last_place:
            return tier["award"], exact(tier["prize_wan"])
    return "", Fraction(0)


def rank_within_groups(frame: pd.DataFrame, keys: Sequence[str], group_col: str = "group") -> pd.Series:
    """Competition rank of each row within its group; rows with a missing key get no rank."""
    ranks = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    scored = frame.dropna(subset=list(keys))
    for _, members in scored.groupby(group_col, sort=False):
        ranks.loc[members.index] = competition_rank(members, keys)
    return ranks
