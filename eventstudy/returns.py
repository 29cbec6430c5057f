"""Daily returns from adjusted closes, one row per session of each security's own exchange.

A missing price stays missing: the return of that session and of the next one are NaN (a return across a gap
spans several sessions and is not a daily return), never a zero from a forward fill. Prices on dates that are not
sessions of the exchange are left out. Securities that share a calendar (``XNYS``/``XNAS``) share one panel, so a
stock and its benchmark line up session by session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from eventstudy.calendars import calendar_name, sessions

__all__ = ["ReturnKind", "daily_returns", "return_panels", "stale_sessions"]

ReturnKind = Literal["simple", "log"]


def daily_returns(prices: pd.DataFrame, exchange: str, kind: ReturnKind = "simple") -> pd.Series:
    """Session returns of one security from its price frame.

    Parameters
    ----------
    prices
        Standard price frame (see :mod:`eventstudy.prices.base`).
    exchange
        MIC of the security's exchange; its sessions from the first to the last price index the result.
    kind
        ``"simple"``: ``P_t / P_{t-1} - 1``; ``"log"``: ``ln(P_t / P_{t-1})``.

    Returns
    -------
    pandas.Series
        Indexed by session; NaN on the first session and wherever the price of the session or the one before it
        is missing.
    """
    if kind not in ("simple", "log"):
        raise ValueError(f"return kind must be 'simple' or 'log', not {kind!r}")
    if prices.empty:
        return pd.Series(dtype="float64", index=pd.DatetimeIndex([], name="date"), name="return")
    days = sessions(exchange, prices.index[0], prices.index[-1])
    close = prices["adj_close"].reindex(days).to_numpy(dtype="float64")
    ratio = np.full(len(days), np.nan)
    ratio[1:] = close[1:] / close[:-1]
    values = ratio - 1.0 if kind == "simple" else np.log(ratio)
    return pd.Series(values, index=days.rename("date"), name="return")


def return_panels(
    frames: Mapping[str, pd.DataFrame], exchanges: Mapping[str, str], kind: ReturnKind = "simple"
) -> dict[str, pd.DataFrame]:
    """Returns of many securities, one sessions x tickers panel per trading calendar.

    Parameters
    ----------
    frames
        Price frame per ticker.
    exchanges
        Exchange MIC per ticker.
    kind
        See :func:`daily_returns`.

    Returns
    -------
    dict
        Calendar name (``"XNYS"``, ``"XHKG"``, ...) -> DataFrame indexed by every session of that calendar from the
        earliest to the latest price of its tickers, one column per ticker (NaN outside each ticker's span).
    """
    columns: dict[str, dict[str, pd.Series]] = {}
    for ticker, frame in frames.items():
        series = daily_returns(frame, exchanges[ticker], kind)
        columns.setdefault(calendar_name(exchanges[ticker]), {})[ticker] = series
    panels = {}
    for calendar, members in columns.items():
        spans = [series.index for series in members.values() if len(series)]
        index = (
            sessions(calendar, min(s[0] for s in spans), max(s[-1] for s in spans))
            if spans
            else pd.DatetimeIndex([], name="date")
        )
        panels[calendar] = pd.DataFrame({t: s.reindex(index) for t, s in members.items()}, index=index.rename("date"))
    return panels


def stale_sessions(prices: pd.DataFrame, exchange: str) -> pd.Series:
    """Sessions whose price is carried over rather than traded: zero volume and the same adjusted close as the
    session before (thin trading). Their return of 0 is an absence of trades, not news; diagnostics flag them.

    Returns
    -------
    pandas.Series of bool
        Indexed like :func:`daily_returns`; False where volume is unknown.
    """
    if prices.empty:
        return pd.Series(dtype=bool, index=pd.DatetimeIndex([], name="date"), name="stale")
    days = sessions(exchange, prices.index[0], prices.index[-1])
    frame = prices.reindex(days)
    unchanged = frame["adj_close"].to_numpy() == frame["adj_close"].shift(1).to_numpy()
    return pd.Series((frame["volume"].to_numpy() == 0) & unchanged, index=days.rename("date"), name="stale")
