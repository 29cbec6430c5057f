"""What the analyses beyond abnormal returns read besides the return panels: trading volume, the daily high and low,
and every pair's place in its calendar's panel, gathered for all pairs at once.

The return panels (:mod:`eventstudy.engine.panels`) stay as they are: the fit never reads volume or ranges, so
they are laid out here, on the same sessions and columns, only when an analysis asks for them. A basket has no
volume and no range (its members trade, it does not): its columns are NaN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.calendars import sessions
from eventstudy.engine.fit import gather
from eventstudy.engine.pairs import PairPlan
from eventstudy.engine.panels import CalendarPanel
from eventstudy.prices import PriceData
from eventstudy.spec import StudySpec

__all__ = [
    "ActivityPanel",
    "Closes",
    "PairPlaces",
    "activity_panels",
    "pair_sessions",
    "place_pairs",
    "window_days",
]


def pair_sessions(plan: PairPlan, offsets: np.ndarray) -> np.ndarray:
    """The session ``offsets`` trading days from each pair's day 0 on its exchange's calendar, datetime64[D] of
    shape (P, len(offsets)); NaT beyond the span of the calendar (which runs ahead of today)."""
    out = np.full((len(plan), offsets.size), np.datetime64("NaT"), dtype="datetime64[D]")
    for calendar, positions in plan.by_calendar().items():
        days = sessions(calendar)
        anchor = days.get_indexer(pd.DatetimeIndex(plan.day_zero[positions]))
        wanted = anchor[:, np.newaxis] + offsets[np.newaxis, :]
        inside = (wanted >= 0) & (wanted < len(days))
        picked = days.to_numpy().astype("datetime64[D]")[np.clip(wanted, 0, len(days) - 1)]
        out[positions] = np.where(inside, picked, np.datetime64("NaT"))
    return out


class Closes:
    """The adjusted closes the study read, by ticker, as sorted date arrays for vectorized look-ups."""

    def __init__(self, prices: PriceData) -> None:
        self._series = {
            ticker: (frame.index.to_numpy().astype("datetime64[D]"), frame["adj_close"].to_numpy(dtype=float))
            for ticker, frame in prices.frames.items()
            if not frame.empty
        }

    def on(self, tickers: np.ndarray, dates: np.ndarray) -> np.ndarray:
        """The close of ``tickers[i]`` on ``dates[i]`` (datetime64[D]; NaN where there is none: no price that
        session, or a basket)."""
        out = np.full(dates.shape, np.nan)
        days = np.asarray(dates, dtype="datetime64[D]")
        for ticker in np.unique(tickers):
            if str(ticker) not in self._series:
                continue
            index, values = self._series[str(ticker)]
            chosen = np.flatnonzero(tickers == ticker)
            rows = np.minimum(np.searchsorted(index, days[chosen]), index.size - 1)
            found = index[rows] == days[chosen]
            out[chosen[found]] = values[rows[found]]
        return out

    def span(self, ticker: str) -> tuple[np.datetime64, np.datetime64] | None:
        """First and last date with a close (None without any)."""
        series = self._series.get(ticker)
        return None if series is None else (series[0][0], series[0][-1])


def window_days(offsets: np.ndarray, window: tuple[int, int], extension: np.ndarray) -> np.ndarray:
    """Which days of the AR path (event times ``offsets``) are in each pair's event window: ``tau1`` to ``tau2``
    plus the pair's ``extension`` (an event known only to a span), shape (P, L)."""
    first, last = window
    return (offsets[np.newaxis, :] >= first) & (offsets[np.newaxis, :] <= last + extension[:, np.newaxis])


@dataclass(frozen=True)
class ActivityPanel:
    """Volume and daily range of a calendar panel's securities, on its sessions and columns.

    Attributes
    ----------
    volume : ndarray, shape (D, S)
        Shares traded (NaN where unknown).
    market_volume : ndarray, shape (D, S)
        Volume of each security's benchmark (NaN where unknown, or for an index without volume).
    high, low : ndarray, shape (D, S)
        Daily high and low (NaN where unknown).
    """

    volume: np.ndarray
    market_volume: np.ndarray
    high: np.ndarray
    low: np.ndarray


def activity_panels(
    spec: StudySpec, panels: Mapping[str, CalendarPanel], prices: PriceData
) -> dict[str, ActivityPanel]:
    """The :class:`ActivityPanel` of every calendar panel, from the prices the study read."""
    out = {}
    for calendar, panel in panels.items():
        columns = _columns_on(prices, [*panel.tickers, *_benchmarks(spec, panel)], panel.index)
        count = len(panel.tickers)
        out[calendar] = ActivityPanel(
            volume=columns["volume"][:, :count],
            market_volume=columns["volume"][:, count:],
            high=columns["high"][:, :count],
            low=columns["low"][:, :count],
        )
    return out


def _benchmarks(spec: StudySpec, panel: CalendarPanel) -> list[str]:
    return [spec.benchmark_of(spec.securities[ticker]) for ticker in panel.tickers]


def _columns_on(prices: PriceData, tickers: list[str], index: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Volume, high and low of ``tickers`` on the sessions ``index``, (D, len(tickers)) each; NaN where a ticker
    has no price (a basket has none). Each ticker's frame is aligned once."""
    out = {name: np.full((len(index), len(tickers)), np.nan) for name in ("volume", "high", "low")}
    aligned: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for column, ticker in enumerate(tickers):
        if ticker not in aligned:
            frame = prices.frames.get(ticker)
            if frame is None or frame.empty:
                continue
            columns = [frame[name].to_numpy(dtype=float) for name in ("volume", "high", "low")]
            aligned[ticker] = (frame.index.get_indexer(index), np.column_stack(columns))
        rows, values = aligned[ticker]
        found = rows >= 0
        for position, name in enumerate(("volume", "high", "low")):
            out[name][found, column] = values[rows[found], position]
    return out


@dataclass(frozen=True)
class PairPlaces:
    """Where every pair is in its calendar's panel.

    Attributes
    ----------
    by_calendar : dict of str to ndarray of int
        Positions of the pairs of each calendar.
    column, day_zero_row : ndarray of int, shape (P,)
        Each pair's column and day-0 row in its calendar's panel.
    """

    by_calendar: dict[str, np.ndarray]
    column: np.ndarray
    day_zero_row: np.ndarray

    def gather(self, values: Mapping[str, np.ndarray], days: np.ndarray) -> np.ndarray:
        """``values[calendar][day_zero_row + day, column]`` of every pair and day (P, len(days)); NaN outside the
        panel."""
        out = np.full((self.column.size, days.size), np.nan)
        for calendar, positions in self.by_calendar.items():
            rows = self.day_zero_row[positions, np.newaxis] + days[np.newaxis, :]
            out[positions] = gather(np.asarray(values[calendar], dtype=float), rows, self.column[positions])
        return out


def place_pairs(plan: PairPlan, panels: Mapping[str, CalendarPanel]) -> PairPlaces:
    """The :class:`PairPlaces` of the pairs of ``plan`` in ``panels``."""
    column = np.zeros(len(plan), dtype=int)
    day_zero_row = np.zeros(len(plan), dtype=int)
    by_calendar = plan.by_calendar()
    tickers = plan.tickers
    for calendar, positions in by_calendar.items():
        panel = panels[calendar]
        where = panel.column
        column[positions] = [where[ticker] for ticker in tickers[positions]]
        day_zero_row[positions] = panel.index.get_indexer(pd.DatetimeIndex(plan.day_zero[positions]))
    return PairPlaces(by_calendar, column, day_zero_row)
