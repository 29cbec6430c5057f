"""Placebo CARs: every studied security's CARs on random pseudo-event dates, the distribution the placebo test
(:func:`eventstudy.statistics.placebo_tests`) compares each event's CAAR with (Brown & Warner 1985)."""

from __future__ import annotations

import functools

import numpy as np

from eventstudy.engine.panels import CalendarPanel, fit_panel
from eventstudy.spec import StudySpec

__all__ = ["placebo_cars"]


def placebo_cars(spec: StudySpec, panels: dict[str, CalendarPanel]) -> dict[str, np.ndarray]:
    """CARs of every security on random pseudo-event dates, the same calendar dates for all securities.

    A date qualifies when it is a session of every calendar of the run, has the whole estimation window and
    AR path inside each panel with the sessions the model reaches beyond them (the session before each return and
    the model's lags and leads, as :func:`~eventstudy.engine.panels.panel_sessions` gives a real event), and its AR
    path is clear of every real event's AR path. ``placebo_replications``
    such dates are drawn without replacement (fewer if fewer qualify) with the study's seed.

    Returns
    -------
    dict
        Ticker -> array (B, W) of placebo CARs per event window (NaN where the pair is not estimable).
    """
    if not panels or spec.placebo_replications <= 0:
        return {}
    tickers = [ticker for panel in panels.values() for ticker in panel.tickers]
    nothing = {ticker: np.full((0, len(spec.event_windows)), np.nan) for ticker in tickers}
    reach = spec.model.reach + 1
    path = spec.path_window[1] - spec.path_window[0] + 1
    # Dates that are sessions on every calendar of the run: each is one distinct session everywhere.
    candidates = functools.reduce(np.intersect1d, [panel.index.to_numpy() for panel in panels.values()])
    eligible = np.ones(candidates.size, dtype=bool)
    rows_of: dict[str, np.ndarray] = {}
    for calendar, panel in panels.items():
        rows = panel.index.searchsorted(candidates)
        inside = (rows + spec.estimation_window[0] - reach >= 0) & (
            rows + spec.path_window[1] + reach < len(panel.index)
        )
        distance = np.abs(rows[:, np.newaxis] - panel.event_rows[np.newaxis, :]).min(axis=1)
        eligible &= inside & (distance >= path)
        rows_of[calendar] = rows
    if not eligible.any():
        return nothing
    rng = np.random.default_rng(spec.seed)
    draws = min(spec.placebo_replications, int(eligible.sum()))
    chosen = np.sort(rng.choice(np.flatnonzero(eligible), draws, replace=False))
    placebo: dict[str, np.ndarray] = {}
    for calendar, panel in panels.items():
        count = len(panel.tickers)
        security = np.repeat(np.arange(count), chosen.size)
        day_zero_row = np.tile(rows_of[calendar][chosen], count)
        arrays = fit_panel(spec, panel, security, day_zero_row, with_residuals=False)
        estimable = (arrays.fit.observations >= spec.min_estimation) & (arrays.fit.sigma2 > 0)
        cars = np.where(estimable[:, np.newaxis], arrays.car, np.nan).reshape(count, chosen.size, -1)
        placebo |= dict(zip(panel.tickers, cars, strict=True))
    return placebo
