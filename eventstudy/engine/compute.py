"""The engine's steps: pair the events and securities, load prices, build the panels, fit every pair (with the
short-history fallback), and draw the placebo CARs.

:func:`compute` runs them in order and returns a :class:`Computation`: the pairs, what was skipped, the prices, and
the arrays of every pair (:class:`ComputedPairs`). The statistics are computed from it by
:mod:`eventstudy.inference`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from eventstudy.engine.fit import PairArrays, assemble, fit_pairs, gather, override, scatter
from eventstudy.engine.pairs import PairPlan, plan_pairs
from eventstudy.engine.panels import CalendarPanel, build_panels, fit_panel, load_prices
from eventstudy.engine.placebo import placebo_cars
from eventstudy.models import MarketAdjusted
from eventstudy.prices import PriceData
from eventstudy.spec import FALLBACK_LAST_DAY, StudySpec

__all__ = ["Computation", "ComputedPairs", "compute"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ComputedPairs:
    """The arrays of every pair of a run, in the order of the pairs, with calendar dates of their days.

    ``estimable`` marks the pairs whose model could be estimated (enough valid returns and a positive residual
    variance), ``fallback`` those fitted by the short-history fallback, ``model_observations`` keeps the returns
    the study's own model had for each pair (the reason it fell back) and ``stale_days`` counts the sessions of its
    estimation window and AR path with a stale price (zero volume, unchanged close).
    """

    arrays: PairArrays
    path_dates: np.ndarray
    estimation_dates: np.ndarray
    estimable: np.ndarray
    fallback: np.ndarray
    model_observations: np.ndarray
    stale_days: np.ndarray


@dataclass(frozen=True)
class Computation:
    """What the engine computed for a study: its pairs, the events and securities skipped with the reason, the
    prices it read, the arrays of every pair (``None`` without pairs) and the placebo CARs per ticker (see
    :func:`~eventstudy.engine.placebo.placebo_cars`)."""

    spec: StudySpec
    plan: PairPlan
    skipped: pd.DataFrame
    prices: PriceData
    pairs: ComputedPairs | None
    placebo: dict[str, np.ndarray] = field(default_factory=dict)


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


def _fit_calendar(spec: StudySpec, plan: PairPlan, rows: np.ndarray, panel: CalendarPanel) -> ComputedPairs:
    """Every pair of one calendar: the model's fit, the fallback where the history is short, dates and stale days."""
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
    first_day, last_day = spec.residual_window
    dates = panel.index.to_numpy().astype("datetime64[D]")
    estimation_rows = day_zero_row[:, np.newaxis] + np.arange(first_day, last_day + 1)
    # Stale prices are counted once over the estimation days and the AR path together.
    path_days = np.arange(spec.path_window[0], spec.path_window[1] + 1)
    watched_rows = day_zero_row[:, np.newaxis] + np.union1d(np.arange(first_day, last_day + 1), path_days)
    needed = np.where(fallback, spec.fallback_floor, spec.min_estimation)
    sigma2 = arrays.fit.sigma2
    return ComputedPairs(
        arrays=arrays,
        path_dates=_dates_at(dates, arrays.rows),
        estimation_dates=_dates_at(dates, estimation_rows),
        estimable=(arrays.fit.observations >= needed) & np.isfinite(sigma2) & (sigma2 > 0),
        fallback=fallback,
        model_observations=observations,
        stale_days=np.nansum(gather(panel.stale.astype(float), watched_rows, security), axis=1),
    )


def _concatenate(parts: list[tuple[np.ndarray, ComputedPairs]], count: int) -> ComputedPairs:
    """One :class:`ComputedPairs` of ``count`` pairs from the parts of each calendar and their pair positions."""
    names = ("path_dates", "estimation_dates", "estimable", "fallback", "model_observations", "stale_days")
    return ComputedPairs(
        arrays=assemble([(rows, part.arrays) for rows, part in parts], count),
        **{name: scatter([(rows, getattr(part, name)) for rows, part in parts], count) for name in names},
    )


def compute(spec: StudySpec, progress: Progress | None = None) -> Computation:
    """Run the engine's steps for a study (``progress`` is called with a short label before each)."""
    step = progress or (lambda label: None)
    step("pairing events and securities")
    plan, skipped = plan_pairs(spec)
    step("loading prices")
    prices = load_prices(spec, plan)
    if not len(plan):
        return Computation(spec, plan, skipped, prices, None)
    step("fitting models")
    panels = build_panels(spec, plan, prices)
    parts = [(rows, _fit_calendar(spec, plan, rows, panels[calendar])) for calendar, rows in plan.by_calendar().items()]
    pairs = _concatenate(parts, len(plan))
    return Computation(spec, plan, skipped, prices, pairs, placebo_cars(spec, panels))
