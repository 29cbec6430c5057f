"""Baskets: equal-weighted portfolios of a universe group, studied as one security (portfolio event studies).

When every security of a group shares the event date, their abnormal returns are cross-correlated and tests that
treat them as independent over-reject. The classical answer is to form the portfolio and test its single abnormal
return series against its own estimation-window variance (Brown & Warner 1980, 1985, "portfolio" or "crude
dependence" approach). A basket here is rebalanced daily over the members that have a return that day: its return on
day t is the mean of the members' returns on t (members not yet listed, or with a missing price, are left out that
day, and not during its IPO sessions). It trades on the members' calendar and is measured against their common
benchmark.

References
----------
Brown, S. J., Warner, J. B. (1980). Measuring security price performance. JFE 8(3), 205-258.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.calendars import calendar_name
from eventstudy.universe import Security, Universe, UniverseError, group_slug

__all__ = ["BASKETS_GROUP", "Basket", "basket_returns", "basket_ticker", "make_baskets"]

#: Group of the basket pseudo-securities (kept apart from their members' groups, so nothing is counted twice).
BASKETS_GROUP = "baskets"


def basket_ticker(group: str) -> str:
    """Ticker of a group's basket: ``"HK AI model makers"`` -> ``"basket-hk-ai-model-makers"``."""
    return "basket-" + group_slug(group)


@dataclass(frozen=True)
class Basket:
    """A group's equal-weighted basket: the group, the pseudo-security it is studied as, and its members."""

    group: str
    security: Security
    members: tuple[str, ...]


def make_baskets(universe: Universe, groups: Sequence[str] | None = None) -> list[Basket]:
    """Baskets of ``groups`` of ``universe`` (default: every group with at least two members).

    Raises
    ------
    UniverseError
        For an unknown group, a group with fewer than two members, or members on different calendars or with
        different benchmarks (a basket needs one calendar and one benchmark).
    """
    by_group: dict[str, list[Security]] = {}
    for security in universe:
        by_group.setdefault(security.group, []).append(security)
    if groups is None:
        groups = [group for group, members in by_group.items() if len(members) >= 2]
    baskets = []
    for group in groups:
        members = by_group.get(group, [])
        if len(members) < 2:
            raise UniverseError(
                f"a basket needs a group with at least two studied securities; {group!r} has {len(members)}"
            )
        calendars = {calendar_name(member.exchange) for member in members}
        benchmarks = {member.benchmark for member in members}
        if len(calendars) > 1 or len(benchmarks) > 1:
            raise UniverseError(
                f"the members of {group!r} trade on {sorted(calendars)} against {sorted(map(str, benchmarks))}; "
                "a basket needs one calendar and one benchmark"
            )
        # A basket has returns from its first member's listing on; unknown if any member's listing is.
        listings = [member.listed for member in members if member.listed is not None]
        security = Security(
            ticker=basket_ticker(group),
            name=f"{group} basket (equal-weighted, {len(members)} members)",
            exchange=members[0].exchange,
            currency=members[0].currency,
            group=BASKETS_GROUP,
            benchmark=members[0].benchmark,
            listed=min(listings) if len(listings) == len(members) else None,
        )
        baskets.append(Basket(group, security, tuple(member.ticker for member in members)))
    return baskets


def basket_returns(
    panel: pd.DataFrame,
    basket: Basket,
    listed: Mapping[str, dt.date | None] | None = None,
    skip_after_listing: int = 0,
) -> pd.Series:
    """The basket's daily return on the panel's sessions: the mean of the members' returns that exist that day.

    A member joins the basket after its IPO sessions: its listing session and the ``skip_after_listing`` after it
    (``listed`` gives the listing days) are left out, as they are from every estimation window.
    """
    present = [ticker for ticker in basket.members if ticker in panel]
    members = panel[present].copy()
    for column, ticker in enumerate(present):
        day = (listed or {}).get(ticker)
        if day is not None and pd.Timestamp(day) >= panel.index[0]:
            row = panel.index.searchsorted(pd.Timestamp(day))
            members.iloc[row : row + skip_after_listing + 1, column] = np.nan
    return members.mean(axis=1, skipna=True).rename(basket.security.ticker)
