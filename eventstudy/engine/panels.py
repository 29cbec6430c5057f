"""The arrays the fit reads: one panel of returns per trading calendar, with benchmarks, factors and masks.

A calendar's panel spans its sessions from the earliest estimation window of its pairs to the latest AR path (with
the session before each return and the lags and leads the model uses). Its columns are the securities of the pairs
on that calendar; the benchmark (and factor) columns hold, for each security, its own benchmark's (factor's) returns
on the same sessions. Masks say which rows an estimation window may use: never the listing session and the
``skip_after_listing`` sessions after it (IPO jumps are not normal returns) and, with ``exclude_contaminated``, never
another pair's AR path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from eventstudy.baskets import basket_returns
from eventstudy.calendars import calendar_name, offset_sessions, sessions
from eventstudy.engine.fit import PairArrays, fit_pairs
from eventstudy.engine.pairs import PairPlan
from eventstudy.prices import PriceData
from eventstudy.returns import return_panels, stale_sessions
from eventstudy.spec import StudySpec, Window

__all__ = [
    "UNKNOWN_LISTING",
    "CalendarPanel",
    "MemoryPanels",
    "PanelSource",
    "build_panels",
    "fit_panel",
    "load_prices",
    "panel_sessions",
    "return_frames",
    "sliced_panel",
]

#: Listing row of a security whose listing day is unknown (it traded before its prices begin).
UNKNOWN_LISTING = -(10**9)


@dataclass(frozen=True)
class CalendarPanel:
    """The inputs of :func:`~eventstudy.engine.fit.fit_pairs` for one calendar, with the rows of the real events'
    day 0 and of each security's listing (negative when it listed before the panel starts, :data:`UNKNOWN_LISTING`
    when unknown).

    ``not_ipo`` is False on each security's listing session and the sessions skipped after it; ``pair_rows`` and
    ``pair_columns`` give the day 0 and security of every pair whose AR path is left out of estimation windows
    (empty unless ``exclude_contaminated``); ``stale`` marks sessions with a carried-over price.
    """

    index: pd.DatetimeIndex
    tickers: list[str]
    returns: np.ndarray
    market: np.ndarray
    factors: np.ndarray | None
    not_ipo: np.ndarray
    pair_rows: np.ndarray
    pair_columns: np.ndarray
    path_window: Window
    event_rows: np.ndarray
    listed_rows: np.ndarray
    stale: np.ndarray

    @property
    def column(self) -> dict[str, int]:
        """Column of each ticker."""
        return {ticker: position for position, ticker in enumerate(self.tickers)}

    @property
    def usable(self) -> np.ndarray:
        """Rows any estimation window may use: not IPO sessions, and outside every pair's AR path."""
        return self.usable_for(None)

    def usable_for(self, own_day_zero_row: int | None) -> np.ndarray:
        """Rows the estimation of a pair with day 0 at ``own_day_zero_row`` may use: its own AR path is not
        contamination (the short-history fallback reaches into it), other pairs' paths are."""
        usable = self.not_ipo.copy()
        others = self.pair_rows != own_day_zero_row
        path = np.arange(self.path_window[0], self.path_window[1] + 1)
        rows = self.pair_rows[others, np.newaxis] + path
        columns = np.broadcast_to(self.pair_columns[others, np.newaxis], rows.shape)
        inside = (rows >= 0) & (rows < len(self.index))  # a path may reach beyond a slice of the panel
        usable[rows[inside], columns[inside]] = False
        return usable

    def slice(self, first_row: int, stop_row: int, columns: np.ndarray) -> CalendarPanel:
        """The panel's rows ``first_row:stop_row`` and ``columns`` (positions), every row index shifted to match: what
        a chunk of pairs needs, so that its prefix sums span only its own sessions and securities."""
        rows = slice(first_row, stop_row)
        return sliced_panel(
            self,
            first_row,
            columns,
            index=self.index[rows],
            returns=self.returns[rows][:, columns],
            market=self.market[rows][:, columns],
            factors=None if self.factors is None else self.factors[rows][:, columns],
            not_ipo=self.not_ipo[rows][:, columns],
            stale=self.stale[rows][:, columns],
        )


def sliced_panel(
    whole: CalendarPanel,
    first_row: int,
    columns: np.ndarray,
    *,
    index: pd.DatetimeIndex,
    returns: np.ndarray,
    market: np.ndarray,
    factors: np.ndarray | None,
    not_ipo: np.ndarray,
    stale: np.ndarray,
) -> CalendarPanel:
    """A slice of ``whole`` (rows from ``first_row``, ``columns``) from arrays already sliced: the tickers, the
    contaminating pairs and the listing and event rows of ``whole`` renumbered to match (its own arrays are not
    read, so a panel on disk can give only these fields)."""
    keep = np.isin(whole.pair_columns, columns)
    renumber = np.full(len(whole.tickers), -1)
    renumber[columns] = np.arange(columns.size)
    listed = whole.listed_rows[columns]
    return CalendarPanel(
        index=index,
        tickers=[whole.tickers[column] for column in columns],
        returns=returns,
        market=market,
        factors=factors,
        not_ipo=not_ipo,
        pair_rows=whole.pair_rows[keep] - first_row,
        pair_columns=renumber[whole.pair_columns[keep]],
        path_window=whole.path_window,
        event_rows=whole.event_rows - first_row,
        listed_rows=np.where(listed == UNKNOWN_LISTING, UNKNOWN_LISTING, listed - first_row),
        stale=stale,
    )


def fit_panel(
    spec: StudySpec,
    panel: CalendarPanel,
    security: np.ndarray,
    day_zero_row: np.ndarray,
    with_residuals: bool,
    extension: np.ndarray | None = None,
) -> PairArrays:
    """The study's model fitted for pairs of one panel (columns ``security``, day 0 at ``day_zero_row``, windows
    extended by ``extension`` sessions, see :func:`~eventstudy.engine.fit.fit_pairs`)."""
    return fit_pairs(
        panel.returns,
        panel.market,
        security,
        day_zero_row,
        spec.model,
        spec.estimation_window,
        spec.path_window,
        spec.event_windows,
        factors=panel.factors,
        usable=panel.usable,
        with_residuals=with_residuals,
        residual_window=spec.residual_window,
        extension=extension,
    )


class PanelSource(Protocol):
    """Where a chunk reads its slice of the panels: in memory (:class:`MemoryPanels`) or on disk
    (:class:`eventstudy.engine.store.PanelStore`)."""

    def index(self, calendar: str) -> pd.DatetimeIndex:
        """Sessions of a calendar's panel."""
        ...

    def tickers(self, calendar: str) -> list[str]:
        """Columns of a calendar's panel."""
        ...

    def slice(self, calendar: str, first_row: int, stop_row: int, columns: np.ndarray) -> CalendarPanel:
        """Rows ``first_row:stop_row`` and ``columns`` of a calendar's panel (see :meth:`CalendarPanel.slice`)."""
        ...


@dataclass(frozen=True)
class MemoryPanels:
    """The panels of a study in memory, as a :class:`PanelSource`."""

    panels: Mapping[str, CalendarPanel]

    def index(self, calendar: str) -> pd.DatetimeIndex:
        return self.panels[calendar].index

    def tickers(self, calendar: str) -> list[str]:
        return self.panels[calendar].tickers

    def slice(self, calendar: str, first_row: int, stop_row: int, columns: np.ndarray) -> CalendarPanel:
        return self.panels[calendar].slice(first_row, stop_row, columns)


def panel_sessions(spec: StudySpec, calendar: str, days: Sequence[pd.Timestamp] | np.ndarray) -> pd.DatetimeIndex:
    """Sessions a calendar's panel needs for pairs with day 0 on ``days``: the earliest estimation window to the
    latest AR path, with the session before each return and the lags and leads the model uses."""
    reach = spec.model.reach + 1
    first, last = pd.Timestamp(np.min(days)), pd.Timestamp(np.max(days))
    # A window reaching outside the calendar has no prices there, as before a listing: the panel stops at its ends.
    start = offset_sessions(calendar, first, [spec.estimation_window[0] - reach], clip=True)[0]
    return sessions(calendar, start, offset_sessions(calendar, last, [spec.path_window[1] + reach], clip=True)[0])


def load_prices(spec: StudySpec, plan: PairPlan) -> PriceData:
    """Prices of every series the pairs need (securities, basket members, benchmarks, factors) over the span of all
    panels, through the study's price chain; with the ``bhar`` analysis, to the end of the longest BHAR window too
    (the panels stay as they are; :mod:`eventstudy.analyses.bhar` reads the longer returns)."""
    members = {basket.security.ticker: basket.members for basket in spec.basket_list}
    wanted: list[str] = []
    for position in dict.fromkeys(plan.security.tolist()):
        security = plan.securities[position]
        wanted += [*members.get(security.ticker, (security.ticker,)), spec.benchmark_of(security)]
        wanted += spec.factors_of(security)
    needed = list(dict.fromkeys(wanted))
    if not needed:
        return PriceData()
    spans = [panel_sessions(spec, calendar, plan.day_zero[rows]) for calendar, rows in plan.by_calendar().items()]
    end = max(span[-1] for span in spans)
    if "bhar" in spec.analyses and spec.bhar_windows:
        reach = max(last for _, last in spec.bhar_windows)
        for calendar, rows in plan.by_calendar().items():
            last_day_zero = pd.Timestamp(np.max(plan.day_zero[rows]))
            end = max(end, offset_sessions(calendar, last_day_zero, [reach], clip=True)[0])
    return spec.prices.load(needed, min(span[0] for span in spans), end)


def _listing_row(calendar: str, index: pd.DatetimeIndex, listed: object) -> int:
    """Row of a listing day in a panel's sessions: negative when it precedes the panel (sessions before its
    first row), :data:`UNKNOWN_LISTING` when the listing day is unknown."""
    if listed is None:
        return UNKNOWN_LISTING
    day = pd.Timestamp(listed)
    if day >= index[0]:
        return int(index.searchsorted(day))
    return 1 - len(sessions(calendar, day, index[0]))


def return_frames(spec: StudySpec, prices: PriceData) -> tuple[dict[str, pd.DataFrame], dict[str, pd.Series]]:
    """Returns of every loaded series over all the sessions they were loaded for, one frame per calendar, with the
    baskets' returns added; and the stale-price sessions of each series."""
    exchanges = {ticker: spec.universe.exchange_of(ticker) for ticker in prices.frames}
    frames = return_panels(prices.frames, exchanges, spec.return_kind)
    stale = {ticker: stale_sessions(frame, exchanges[ticker]) for ticker, frame in prices.frames.items()}
    for basket in spec.basket_list:
        calendar = calendar_name(basket.security.exchange)
        if calendar in frames:
            listed = {ticker: spec.universe[ticker].listed for ticker in basket.members}
            frames[calendar][basket.security.ticker] = basket_returns(
                frames[calendar], basket, listed, spec.skip_after_listing
            )
    return frames, stale


def build_panels(
    spec: StudySpec, plan: PairPlan, frames: dict[str, pd.DataFrame], stale: dict[str, pd.Series]
) -> dict[str, CalendarPanel]:
    """The panel of every calendar with pairs, calendars in order of first appearance among the pairs, from the
    return frames and stale sessions of :func:`return_frames`."""
    return {
        calendar: _calendar_panel(spec, plan, rows, calendar, frames, stale)
        for calendar, rows in plan.by_calendar().items()
    }


def _calendar_panel(
    spec: StudySpec,
    plan: PairPlan,
    rows: np.ndarray,
    calendar: str,
    frames: dict[str, pd.DataFrame],
    stale: dict[str, pd.Series],
) -> CalendarPanel:
    """The arrays of one calendar: returns of its securities, their benchmarks and factors, on its sessions,
    and which sessions of each security carry a stale price."""
    index = panel_sessions(spec, calendar, plan.day_zero[rows])
    frame = frames.get(calendar, pd.DataFrame(index=index)).reindex(index)
    missing = np.full(len(frame), np.nan)

    def series(names: Sequence[str]) -> np.ndarray:
        return np.column_stack([frame[name].to_numpy(float) if name in frame else missing for name in names])

    positions = list(dict.fromkeys(plan.security[rows].tolist()))
    securities = [plan.securities[position] for position in positions]
    tickers = [security.ticker for security in securities]
    factors = None
    if spec.model.factors:
        factors = np.stack([series([spec.factors_of(s)[k] for s in securities]) for k in range(spec.model.factors)], 2)
    returns = series(tickers)
    # IPO jumps are not normal returns: the listing session and the next skip_after_listing are never estimated on.
    listed_rows = np.array([_listing_row(calendar, index, security.listed) for security in securities])
    not_ipo = np.ones(returns.shape, dtype=bool)
    for column, row in enumerate(listed_rows):
        not_ipo[max(row, 0) : max(row + spec.skip_after_listing + 1, 0), column] = False
    day_zero_rows = index.get_indexer(pd.DatetimeIndex(plan.day_zero[rows]))
    column_of = {position: column for column, position in enumerate(positions)}
    pair_columns = np.array([column_of[position] for position in plan.security[rows].tolist()], dtype=int)
    contaminating = slice(None) if spec.exclude_contaminated else slice(0, 0)
    return CalendarPanel(
        index=index,
        tickers=tickers,
        returns=returns,
        market=series([spec.benchmark_of(security) for security in securities]),
        factors=factors,
        not_ipo=not_ipo,
        pair_rows=day_zero_rows[contaminating],
        pair_columns=pair_columns[contaminating],
        path_window=spec.path_window,
        event_rows=np.unique(day_zero_rows),
        listed_rows=listed_rows,
        stale=np.column_stack(
            [
                stale[ticker].reindex(index, fill_value=False).to_numpy(bool)
                if ticker in stale
                else np.zeros(len(index), bool)
                for ticker in tickers
            ]
        ),
    )
