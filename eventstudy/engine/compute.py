"""The engine's steps: pair the events and securities, load prices, build the panels (:func:`prepare`); fit a chunk
of pairs with the short-history fallback (:func:`fit_chunk`); draw the placebo CARs
(:func:`~eventstudy.engine.placebo.placebo_cars`).

A chunk's :class:`ComputedPairs` holds its estimation residuals, which the statistics summarize before the chunk is
dropped (:mod:`eventstudy.pipeline`); :meth:`ComputedPairs.summary` is what stays: every array over pairs and the
AR path, without the residuals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from eventstudy.engine.fit import PairArrays, assemble, fit_pairs, gather, override, scatter
from eventstudy.engine.garch import garch_fit, with_garch
from eventstudy.engine.pairs import PairPlan, plan_pairs
from eventstudy.engine.panels import (
    CalendarPanel,
    PanelSource,
    build_panels,
    fit_panel,
    load_prices,
    panel_sessions,
    return_frames,
)
from eventstudy.models import GarchMarket, MarketAdjusted
from eventstudy.prices import PriceData
from eventstudy.spec import FALLBACK_LAST_DAY, StudySpec

__all__ = ["Computation", "ComputedPairs", "Prepared", "fit_chunk", "join_pairs", "prepare"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ComputedPairs:
    """The arrays of some pairs of a run (a chunk, or all of them), in the order of the pairs.

    Attributes
    ----------
    arrays
        The fit, AR path and CARs (:class:`~eventstudy.engine.fit.PairArrays`); its ``estimation_residuals`` are
        kept only while the chunk is summarized.
    path_dates : ndarray of datetime64[D], shape (P, L)
        Calendar date of each day of the AR path.
    estimation_dates : ndarray of datetime64[D], shape (P, L1), or None
        Calendar date of each residual (kept with the residuals).
    window_start, estimation_start, estimation_end : ndarray of datetime64[D], shape (P,)
        First session of the nominal estimation window, and the first and last sessions the model was actually
        estimated on (NaT where none).
    estimable
        The pairs whose model could be estimated (enough valid returns and a positive residual variance).
    fallback
        The pairs fitted by the short-history fallback.
    model_observations
        The returns the study's own model had for each pair (the reason it fell back).
    stale_days
        Sessions of the estimation window and AR path with a stale price (zero volume, unchanged close).
    model_reason
        Why the study's model was not used although the history is long enough (a GARCH fit that failed, the OLS
        market model kept); empty otherwise.
    """

    arrays: PairArrays
    path_dates: np.ndarray
    estimation_dates: np.ndarray | None
    window_start: np.ndarray
    estimation_start: np.ndarray
    estimation_end: np.ndarray
    estimable: np.ndarray
    fallback: np.ndarray
    model_observations: np.ndarray
    stale_days: np.ndarray
    model_reason: np.ndarray

    def summary(self) -> ComputedPairs:
        """The same pairs without their estimation residuals and their dates."""
        return replace(self, arrays=replace(self.arrays, estimation_residuals=None), estimation_dates=None)


@dataclass(frozen=True)
class Prepared:
    """A study ready to be fitted: its pairs, the events and securities skipped with the reason, the prices it read,
    one panel of returns per calendar and, per calendar, the returns of every series over all the sessions loaded
    (the panels' span, or longer for long BHAR windows)."""

    spec: StudySpec
    plan: PairPlan
    skipped: pd.DataFrame
    prices: PriceData
    panels: dict[str, CalendarPanel] = field(default_factory=dict)
    returns: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class Computation:
    """What the engine computed for a study: its pairs, the events and securities skipped with the reason, the
    prices it read, the arrays of every pair without their residuals (``None`` without pairs) and the placebo CARs
    per ticker (see :func:`~eventstudy.engine.placebo.placebo_cars`)."""

    spec: StudySpec
    plan: PairPlan
    skipped: pd.DataFrame
    prices: PriceData
    pairs: ComputedPairs | None
    placebo: dict[str, np.ndarray] = field(default_factory=dict)


def prepare(spec: StudySpec, progress: Progress | None = None) -> Prepared:
    """Pair the events and securities, load the prices, build the panels (``progress`` is told each step)."""
    step = progress or (lambda label: None)
    step("pairing events and securities")
    plan, skipped = plan_pairs(spec)
    step("loading prices")
    prices = load_prices(spec, plan)
    if not len(plan):
        return Prepared(spec, plan, skipped, prices)
    step("building return panels")
    frames, stale = return_frames(spec, prices)
    return Prepared(spec, plan, skipped, prices, build_panels(spec, plan, frames, stale), frames)


def _dates_at(dates: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``dates[rows]`` with NaT for rows outside the panel."""
    inside = (rows >= 0) & (rows < len(dates))
    return np.where(inside, dates[np.clip(rows, 0, len(dates) - 1)], np.datetime64("NaT"))


def _fallback_fit(
    spec: StudySpec, panel: CalendarPanel, security: np.ndarray, day_zero_row: np.ndarray, extension: np.ndarray
) -> PairArrays:
    """The market-adjusted fit of short-history pairs over their shortened window (see ``StudySpec.fallback``)."""
    listed = panel.listed_rows[security]
    after_listing = listed + spec.skip_after_listing + 1 - day_zero_row
    first = np.maximum(np.full(security.shape, spec.estimation_window[0]), after_listing)  # unknown: far in the past
    last = np.full(security.shape, FALLBACK_LAST_DAY)
    # One fit per day 0 when other events' paths are left out: a pair's own pre-event days are not contamination.
    days = np.unique(day_zero_row) if len(panel.pair_rows) else np.array([], dtype=int)
    groups = [np.flatnonzero(day_zero_row == day) for day in days] or [np.arange(security.size)]
    pieces = [
        (
            members,
            fit_pairs(
                panel.returns,
                panel.market,
                security[members],
                day_zero_row[members],
                MarketAdjusted(),
                spec.estimation_window,
                spec.path_window,
                spec.event_windows,
                usable=panel.usable_for(int(day_zero_row[members[0]]) if len(days) else None),
                with_residuals=True,
                estimation_bounds=(first[members], last[members]),
                residual_window=spec.residual_window,
                extension=extension[members],
            ),
        )
        for members in groups
    ]
    return assemble(pieces, security.size)


def _estimation_span(residuals: np.ndarray, dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last date with a residual of each pair (NaT where none)."""
    used = np.isfinite(residuals)
    rows = np.arange(used.shape[0])
    first_used = np.where(used.any(axis=1), used.argmax(axis=1), -1)
    last_used = np.where(used.any(axis=1), used.shape[1] - 1 - used[:, ::-1].argmax(axis=1), -1)
    nat = np.datetime64("NaT")
    return (
        np.where(first_used >= 0, dates[rows, first_used], nat),
        np.where(last_used >= 0, dates[rows, last_used], nat),
    )


def _fit_calendar(spec: StudySpec, plan: PairPlan, rows: np.ndarray, panel: CalendarPanel) -> ComputedPairs:
    """Pairs ``rows`` of one calendar's panel (or slice of it): the model's fit, the fallback where the history is
    short, dates and stale days."""
    column = panel.column
    security = np.array([column[plan.securities[position].ticker] for position in plan.security[rows].tolist()])
    day_zero_row = panel.index.get_indexer(pd.DatetimeIndex(plan.day_zero[rows]))
    extension = plan.extension[rows]
    arrays = fit_panel(spec, panel, security, day_zero_row, with_residuals=True, extension=extension)
    observations = arrays.fit.observations
    fallback = np.zeros(rows.size, dtype=bool)
    if spec.fallback == "market-adjusted":
        fallback = ~((observations >= spec.min_estimation) & (arrays.fit.sigma2 > 0))
        if fallback.any():
            short = np.flatnonzero(fallback)
            refit = _fallback_fit(spec, panel, security[short], day_zero_row[short], extension[short])
            arrays = override(arrays, refit, short)
    model_reason = np.full(rows.size, "", dtype=object)
    if isinstance(spec.model, GarchMarket):
        modelled = np.flatnonzero(~fallback)
        fitted = garch_fit(spec, panel, security[modelled], day_zero_row[modelled])
        arrays = with_garch(spec, arrays, fitted, modelled, extension)
        failed = modelled[~fitted.converged]
        model_reason[failed] = [
            f"GARCH(1,1) not fitted: {reason}; OLS market model" for reason in fitted.reason[~fitted.converged]
        ]
    first_day, last_day = spec.residual_window
    dates = panel.index.to_numpy().astype("datetime64[D]")
    estimation_rows = day_zero_row[:, np.newaxis] + np.arange(first_day, last_day + 1)
    estimation_dates = _dates_at(dates, estimation_rows)
    assert arrays.estimation_residuals is not None  # asked for above
    start, end = _estimation_span(arrays.estimation_residuals, estimation_dates)
    # Stale prices are counted once over the estimation days and the AR path together.
    path_days = np.arange(spec.path_window[0], spec.path_window[1] + 1)
    watched_rows = day_zero_row[:, np.newaxis] + np.union1d(np.arange(first_day, last_day + 1), path_days)
    needed = np.where(fallback, spec.fallback_floor, spec.min_estimation)
    sigma2 = arrays.fit.sigma2
    return ComputedPairs(
        arrays=arrays,
        path_dates=_dates_at(dates, arrays.rows),
        estimation_dates=estimation_dates,
        window_start=estimation_dates[:, 0],
        estimation_start=start,
        estimation_end=end,
        estimable=(arrays.fit.observations >= needed) & np.isfinite(sigma2) & (sigma2 > 0),
        fallback=fallback,
        model_observations=observations,
        stale_days=np.nansum(gather(panel.stale.astype(float), watched_rows, security), axis=1),
        model_reason=model_reason,
    )


def join_pairs(parts: Sequence[tuple[np.ndarray, ComputedPairs]], count: int) -> ComputedPairs:
    """One :class:`ComputedPairs` of ``count`` pairs from parts computed for the pairs at their positions (residual
    dates kept only if every part has them)."""

    def placed(name: str) -> np.ndarray:
        return scatter([(rows, getattr(part, name)) for rows, part in parts], count)

    with_dates = all(part.estimation_dates is not None for _, part in parts)
    return ComputedPairs(
        arrays=assemble([(rows, part.arrays) for rows, part in parts], count),
        path_dates=placed("path_dates"),
        estimation_dates=placed("estimation_dates") if with_dates else None,
        window_start=placed("window_start"),
        estimation_start=placed("estimation_start"),
        estimation_end=placed("estimation_end"),
        estimable=placed("estimable"),
        fallback=placed("fallback"),
        model_observations=placed("model_observations"),
        stale_days=placed("stale_days"),
        model_reason=placed("model_reason"),
    )


def fit_chunk(spec: StudySpec, panels: PanelSource, plan: PairPlan, positions: np.ndarray) -> ComputedPairs:
    """The pairs at ``positions`` fitted, each calendar on the slice of its panel they need (their sessions and
    securities), in the order of ``positions``."""
    parts = []
    calendars = plan.calendar[positions]
    for calendar in dict.fromkeys(calendars.tolist()):
        rows = positions[calendars == calendar]
        index = panels.index(calendar)
        needed = panel_sessions(spec, calendar, plan.day_zero[rows])
        first, stop = index.get_loc(needed[0]), index.get_loc(needed[-1]) + 1
        column = {ticker: position for position, ticker in enumerate(panels.tickers(calendar))}
        columns = np.array(sorted({column[plan.securities[k].ticker] for k in plan.security[rows].tolist()}))
        part = _fit_calendar(spec, plan, rows, panels.slice(calendar, first, stop, columns))
        parts.append((np.flatnonzero(calendars == calendar), part))
    return join_pairs(parts, positions.size)
