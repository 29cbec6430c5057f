"""The event-study engine: events + prices -> aligned returns -> model fit -> AR/CAR -> tests -> results.

:class:`EventStudy` is the specification; :meth:`EventStudy.run` returns :class:`~eventstudy.results.EventStudyResults`.
The numerical core, :func:`fit_pairs`, works on one calendar's panel of returns and fits every (event, security)
pair at once (prefix sums, see :mod:`eventstudy.models`), then gathers the abnormal returns of all pairs with array
indexing: there is no Python loop over pairs.

Windows are counted in sessions of each security's own exchange, relative to its day 0 (see
:mod:`eventstudy.calendars`): the estimation window ``(T0, T1)``, default ``(-250, -11)``, the event windows
``(tau1, tau2)`` and the AR path, default ``(-10, +10)``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from eventstudy.baskets import Basket, basket_returns, make_baskets
from eventstudy.calendars import calendar_name, offset_sessions, sessions
from eventstudy.events import Event, EventSet
from eventstudy.models import Fit, MarketAdjusted, NormalReturnModel, WindowMoments, get_model
from eventstudy.prices import PriceChain, PriceData, PriceSource, SnapshotSource
from eventstudy.prices.cache import PriceCache
from eventstudy.returns import ReturnKind, return_panels, stale_sessions
from eventstudy.universe import Security, Universe, UniverseError, load_universe

if TYPE_CHECKING:
    from eventstudy.results import EventStudyResults

__all__ = [
    "DEFAULT_ESTIMATION_WINDOW",
    "DEFAULT_EVENT_WINDOWS",
    "DEFAULT_PATH_WINDOW",
    "NON_STUDY_GROUPS",
    "EventStudy",
    "PairArrays",
    "fit_pairs",
]

DEFAULT_ESTIMATION_WINDOW = (-250, -11)
DEFAULT_EVENT_WINDOWS = ((0, 0), (-1, 1), (0, 1), (0, 5), (-5, 5))
DEFAULT_PATH_WINDOW = (-10, 10)
DEFAULT_MIN_ESTIMATION = 120
DEFAULT_FALLBACK_FLOOR = 15
DEFAULT_SKIP_AFTER_LISTING = 5
#: Last day of the short-history fallback's estimation window, relative to day 0.
FALLBACK_LAST_DAY = -2
#: Listing row of a security whose listing day is unknown (it traded before its prices begin).
UNKNOWN_LISTING = -(10**9)
#: Universe groups that are measuring sticks rather than subjects; studied only when selected explicitly.
NON_STUDY_GROUPS = ("benchmarks", "sector indices")

Window = tuple[int, int]


@dataclass(frozen=True)
class PairArrays:
    """Everything computed for P pairs of one calendar, as arrays over pairs (and event-time days).

    Attributes
    ----------
    fit
        The model's estimation-window fit (:class:`eventstudy.models.Fit`).
    offsets : ndarray, shape (L,)
        Event-time days of the AR path, e.g. ``-10..10``.
    returns, benchmark, normal, ar, ar_variance : ndarray, shape (P, L)
        Security return, benchmark return, normal return, abnormal return and its prediction-error-corrected
        variance ``sigma^2 (1 + x_t' (X'X)^-1 x_t)`` on each path day (NaN where a return is missing).
    car_path, car_path_variance : ndarray, shape (P, L)
        CAR from the first path day through each day (NaN from the first missing AR on) and its variance.
    car, car_variance : ndarray, shape (P, W)
        CAR per event window (NaN if any day of the window lacks an AR) and
        ``Var(CAR) = sigma^2 (L2 + s' (X'X)^-1 s)``, ``s`` the window's summed regressors.
    window_missing : ndarray, shape (P, W)
        Days of each window without an AR.
    estimation_residuals : ndarray, shape (P, L1) or None
        Residuals on estimation days ``T0..T1`` in event time (NaN where not used), when asked for.
    rows : ndarray, shape (P, L)
        Panel rows of the path days (to look up calendar dates).
    """

    fit: Fit
    offsets: np.ndarray
    returns: np.ndarray
    benchmark: np.ndarray
    normal: np.ndarray
    ar: np.ndarray
    ar_variance: np.ndarray
    car_path: np.ndarray
    car_path_variance: np.ndarray
    car: np.ndarray
    car_variance: np.ndarray
    window_missing: np.ndarray
    estimation_residuals: np.ndarray | None
    rows: np.ndarray


def _gather(values: np.ndarray, rows: np.ndarray, security: np.ndarray) -> np.ndarray:
    """``values[rows[p, t], security[p]]`` for every pair and day; rows outside the panel give NaN."""
    sessions_count, securities = values.shape
    flat = rows * securities + security[:, np.newaxis]
    inside = (rows >= 0) & (rows < sessions_count)
    if inside.all():
        return values.ravel().take(flat)
    picked = values.ravel().take(np.where(inside, flat, 0))
    picked[~inside] = np.nan
    return picked


def fit_pairs(
    returns: np.ndarray,
    market: np.ndarray,
    security: np.ndarray,
    day_zero_row: np.ndarray,
    model: NormalReturnModel,
    estimation_window: Window = DEFAULT_ESTIMATION_WINDOW,
    path_window: Window = DEFAULT_PATH_WINDOW,
    event_windows: Sequence[Window] = DEFAULT_EVENT_WINDOWS,
    factors: np.ndarray | None = None,
    usable: np.ndarray | None = None,
    with_residuals: bool = False,
    estimation_bounds: tuple[np.ndarray, np.ndarray] | None = None,
    residual_window: Window | None = None,
) -> PairArrays:
    """Fit the normal-return model and compute AR, CAR and their variances for every pair of one panel.

    Parameters
    ----------
    returns, market : ndarray, shape (D, S)
        Returns of the S securities and of each one's benchmark on the D sessions of one calendar.
    security, day_zero_row : ndarray of int, shape (P,)
        For each pair, its security's column and the row of its day 0.
    model
        The normal-return model.
    estimation_window, path_window, event_windows
        In sessions relative to day 0; every event window must lie inside the path window.
    factors : ndarray, shape (D, S, f), optional
        Extra factor series for multi-factor models.
    usable : ndarray of bool, shape (D, S), optional
        Rows allowed into estimation windows (e.g. False inside other events' windows).
    with_residuals
        Also return the estimation-window residuals (needed by the sample tests; skip for speed).
    estimation_bounds : (ndarray, ndarray) of int, shape (P,) each, optional
        Per-pair first and last estimation days relative to day 0, instead of ``estimation_window`` (used by the
        short-history fallback, whose window starts after a listing and runs to day -2).
    residual_window
        Days relative to day 0 that the residual columns span (default ``estimation_window``); a pair's residuals
        outside its own estimation window are NaN.

    Returns
    -------
    PairArrays
    """
    first, last = estimation_window
    if estimation_bounds is None:
        estimation_bounds = (np.full(security.shape, first), np.full(security.shape, last))
    path = np.arange(path_window[0], path_window[1] + 1)
    for tau1, tau2 in event_windows:
        if tau1 < path_window[0] or tau2 > path_window[1]:
            raise ValueError(f"event window ({tau1}, {tau2}) is not inside the AR path {path_window}")
    factors = np.empty((*returns.shape, 0)) if factors is None else factors
    regressors = model.regressors(market, factors)
    moments = WindowMoments(returns, regressors, usable)
    fit = model.fit_moments(
        moments.window(security, day_zero_row + estimation_bounds[0], day_zero_row + estimation_bounds[1]),
        moments.centre[security],
    )
    del moments  # the running sums are the largest arrays; free them before gathering the paths

    # The prediction design is [1, x_1, ..., x_q-1]; each regressor is gathered as its own (P, L) array.
    design = [np.ascontiguousarray(regressors[:, :, column - 1]) for column in model.prediction_columns[1:]]
    rows = day_zero_row[:, np.newaxis] + path[np.newaxis, :]
    y = _gather(returns, rows, security)
    x = [_gather(series, rows, security) for series in design]
    normal = _linear(fit.coefficients, x, y.shape)
    ar = y - normal
    centred = [values - fit.centre[:, column + 1, np.newaxis] for column, values in enumerate(x)]
    ar_variance = fit.sigma2[:, np.newaxis] * (1.0 + _quadratic(fit.xtx_inverse, 1.0, centred, y.shape))
    # CAR from the first path day to each day t, and its variance with the regressors summed to t.
    car_path = np.cumsum(ar, axis=1)
    days = np.arange(1, len(path) + 1, dtype=float)
    summed_to = [np.cumsum(values, axis=1) for values in centred]
    car_path_variance = fit.sigma2[:, np.newaxis] * (days + _quadratic(fit.xtx_inverse, days, summed_to, y.shape))
    del summed_to

    cars, car_variances, missing = [], [], []
    for tau1, tau2 in event_windows:
        span = slice(tau1 - path_window[0], tau2 - path_window[0] + 1)
        length = tau2 - tau1 + 1
        window_ar = ar[:, span]
        gaps = np.isnan(window_ar).sum(axis=1)
        summed = [values[:, span].sum(axis=1) for values in centred]
        cars.append(np.where(gaps > 0, np.nan, window_ar.sum(axis=1)))
        car_variances.append(
            fit.sigma2 * (length + _quadratic(fit.xtx_inverse, float(length), summed, fit.sigma2.shape))
        )
        missing.append(gaps)

    residuals = None
    if with_residuals:
        residual_first, residual_last = residual_window or estimation_window
        estimation_days = np.arange(residual_first, residual_last + 1)
        estimation_rows = day_zero_row[:, np.newaxis] + estimation_days[np.newaxis, :]
        estimation_x = [_gather(series, estimation_rows, security) for series in design]
        estimation_y = _gather(returns, estimation_rows, security)
        residuals = estimation_y - _linear(fit.coefficients, estimation_x, estimation_y.shape)
        # Rows the fit did not use: left out by ``usable``, or lost to a lag or lead the model needs.
        used = np.isfinite(_gather(regressors.sum(axis=2), estimation_rows, security))
        used &= (estimation_days >= estimation_bounds[0][:, np.newaxis]) & (
            estimation_days <= estimation_bounds[1][:, np.newaxis]
        )
        if usable is not None:
            used &= _gather(usable.astype(float), estimation_rows, security) == 1.0
        residuals[~used] = np.nan

    benchmark = x[0] if model.prediction_columns[1:2] == [1] and model.reach == 0 else _gather(market, rows, security)
    return PairArrays(
        fit=fit,
        offsets=path,
        returns=y,
        benchmark=benchmark,
        normal=normal,
        ar=ar,
        ar_variance=ar_variance,
        car_path=car_path,
        car_path_variance=car_path_variance,
        car=np.stack(cars, axis=1),
        car_variance=np.stack(car_variances, axis=1),
        window_missing=np.stack(missing, axis=1),
        estimation_residuals=residuals,
        rows=rows,
    )


def _linear(coefficients: np.ndarray, x: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """``b_0 + sum_j b_j x_j`` for every pair and day (``x_j`` and the result of ``shape`` (P, L), ``b`` (P, q))."""
    total = np.empty(shape)
    total[:] = coefficients[:, :1]
    for column, values in enumerate(x, start=1):
        total += coefficients[:, column, np.newaxis] * values
    return total


def _quadratic(
    inverse: np.ndarray, constant: float | np.ndarray, vectors: list[np.ndarray], shape: tuple[int, ...]
) -> np.ndarray:
    """``v' A v`` for every pair (and day) with ``v = [constant, vectors...]`` and ``A`` of shape (P, q, q).

    Written out term by term (q is 1 to 4), which keeps the working arrays at the size of the result.
    """
    terms = [constant, *vectors]
    total = np.zeros(shape)
    for j in range(len(terms)):
        for k in range(j, len(terms)):
            weight = inverse[:, j, k] if j == k else 2.0 * inverse[:, j, k]
            total += (weight[:, np.newaxis] if len(shape) == 2 else weight) * terms[j] * terms[k]
    return total


@dataclass(frozen=True)
class Pair:
    """One (event, security) pair to study (internal bookkeeping)."""

    event: Event
    security: Security
    benchmark: str
    day_zero: pd.Timestamp


@dataclass
class EventStudy:
    """Specification of an event study; :meth:`run` computes it.

    Parameters
    ----------
    events
        The events (an :class:`~eventstudy.events.EventSet`, or any iterable of :class:`~eventstudy.events.Event`).
    universe
        Securities registry; default the packaged universe.
    tickers, groups
        Securities to study (default: every security of the universe outside :data:`NON_STUDY_GROUPS`). An event
        that lists its own tickers is studied on those that are selected.
    prices
        Price source; default the offline chain (local cache, then the packaged snapshot). Pass
        ``eventstudy.prices.default_price_source()`` to fetch what is missing from Yahoo Finance.
    model
        ``"market"`` (default), ``"market-adjusted"``, ``"constant-mean"``, ``"multi-factor"`` (benchmark plus each
        security's ``factor`` from the universe), ``"dimson"``, ``"scholes-williams"``, or a model instance.
    benchmark
        Ticker to use as every security's benchmark instead of its own (it must trade on the same calendar).
    estimation_window, event_windows, path_window
        In sessions relative to day 0.
    min_estimation
        Fewest valid estimation-window returns for the model; a pair with fewer falls back (see ``fallback``).
    fallback, fallback_floor, skip_after_listing
        Short-history policy. With ``fallback="market-adjusted"`` (default), a pair with fewer than
        ``min_estimation`` returns uses the market-adjusted model, ``AR = R - R_m``, with its variance estimated from
        the returns between the ``skip_after_listing + 1``-th session after the listing (default the 6th: IPO-day
        jumps are not normal returns) and day -2: the estimation window is shortened and reaches into the pre-event
        days. With fewer than ``fallback_floor`` (default 15) such returns, or ``fallback="none"``, the pair is not
        estimable, with the reason. Every output row says which model was used and why.
    baskets
        Groups studied also as equal-weighted baskets (:mod:`eventstudy.baskets`); default every studied group with
        at least two securities, ``[]`` for none.
    exclude_contaminated
        Leave out of estimation windows the days inside other events' AR paths (for the same security).
    include_month_precision
        Study events dated only to a month (taken at the first of the month); left out by default.
    return_kind
        ``"simple"`` (default) or ``"log"`` returns.
    tests
        Names of the sample tests to run (default all, see :data:`eventstudy.statistics.TESTS`).
    bootstrap_replications, placebo_replications, seed
        Wild-bootstrap replications, placebo pseudo-event dates (0: no placebo test) and the random seed (results
        are reproducible for a given seed).
    """

    events: EventSet | Iterable[Event]
    universe: Universe | None = None
    tickers: Sequence[str] | None = None
    groups: Sequence[str] | None = None
    prices: PriceSource | None = None
    model: str | NormalReturnModel = "market"
    benchmark: str | None = None
    estimation_window: Window = DEFAULT_ESTIMATION_WINDOW
    event_windows: Sequence[Window] = DEFAULT_EVENT_WINDOWS
    path_window: Window = DEFAULT_PATH_WINDOW
    min_estimation: int = DEFAULT_MIN_ESTIMATION
    fallback: Literal["market-adjusted", "none"] = "market-adjusted"
    fallback_floor: int = DEFAULT_FALLBACK_FLOOR
    skip_after_listing: int = DEFAULT_SKIP_AFTER_LISTING
    baskets: Sequence[str] | None = None
    exclude_contaminated: bool = False
    include_month_precision: bool = False
    return_kind: ReturnKind = "simple"
    tests: Sequence[str] | None = None
    bootstrap_replications: int = 999
    placebo_replications: int = 199
    seed: int = 0
    _model: NormalReturnModel = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.events = self.events if isinstance(self.events, EventSet) else EventSet(self.events)
        self.universe = self.universe if self.universe is not None else load_universe()
        self._model = get_model(self.model)
        self.event_windows = tuple(tuple(window) for window in self.event_windows)  # type: ignore[misc]
        first, last = self.estimation_window
        earliest = min([self.path_window[0], *(tau1 for tau1, _ in self.event_windows)])
        if not first <= last < earliest:
            raise ValueError(
                f"the estimation window {self.estimation_window} must end before the event windows and the AR path "
                f"start (day {earliest})"
            )
        for tau1, tau2 in self.event_windows:
            if tau1 > tau2:
                raise ValueError(f"event window ({tau1}, {tau2}) ends before it starts")
        self.path_window = (earliest, max([self.path_window[1], *(tau2 for _, tau2 in self.event_windows)]))
        if self.min_estimation < self._model.parameters + 2:
            raise ValueError(f"min_estimation must be at least {self._model.parameters + 2} for {self._model.name}")
        if self.fallback not in ("market-adjusted", "none"):
            raise ValueError(f"fallback must be 'market-adjusted' or 'none', not {self.fallback!r}")
        if self.fallback_floor < 2 or self.skip_after_listing < 0:
            raise ValueError("fallback_floor must be at least 2 and skip_after_listing at least 0")

    @property
    def model_name(self) -> str:
        """Name of the normal-return model (``"market"``, ``"dimson"``, ...)."""
        return self._model.name

    # -- what to study ----------------------------------------------------------------------------------------------

    def study_universe(self) -> Universe:
        """The securities studied (see ``tickers`` and ``groups``)."""
        assert self.universe is not None
        chosen = self.universe.select(self.tickers, self.groups)
        if self.tickers is None and self.groups is None:
            chosen = Universe([s for s in chosen if s.group not in NON_STUDY_GROUPS], source=chosen.source)
        return chosen

    def basket_list(self) -> list[Basket]:
        """The baskets studied (see ``baskets``)."""
        return make_baskets(self.study_universe(), self.baskets)

    def securities(self) -> Universe:
        """Every security with pairs in the study: the studied securities, then the baskets."""
        study = self.study_universe()
        return Universe([*study, *(basket.security for basket in self.basket_list())], source=study.source)

    def _benchmark_of(self, security: Security) -> str:
        assert self.universe is not None
        benchmark = self.benchmark or security.benchmark
        if benchmark is None:
            raise UniverseError(f"{security.ticker} has no benchmark in the universe; pass benchmark=...")
        if calendar_name(self.universe.exchange_of(benchmark)) != calendar_name(security.exchange):
            raise UniverseError(
                f"benchmark {benchmark} does not trade on the calendar of {security.ticker} ({security.exchange})"
            )
        return benchmark

    def pairs(self) -> tuple[list[Pair], pd.DataFrame]:
        """The (event, security) pairs to study and the skipped ones with their reasons."""
        assert isinstance(self.events, EventSet)
        study = self.study_universe()
        baskets = [basket.security for basket in self.basket_list()]
        pairs: list[Pair] = []
        skipped: list[dict[str, str]] = []
        for event in self.events:
            if event.date_precision == "month" and not self.include_month_precision:
                skipped.append(
                    {"event_id": event.id, "ticker": "", "reason": "dated only to a month (include_month_precision)"}
                )
                continue
            members = [*study, *baskets] if not event.tickers else []
            for ticker in event.tickers:
                if ticker in study:
                    members.append(study[ticker])
                else:
                    skipped.append(
                        {"event_id": event.id, "ticker": ticker, "reason": "not among the studied securities"}
                    )
            day_zero_of = {exchange: event.day_zero(exchange) for exchange in {s.exchange for s in members}}
            for security in members:
                day_zero = day_zero_of[security.exchange]
                if security.listed is not None and day_zero < pd.Timestamp(security.listed):
                    reason = f"not listed until {security.listed} (day 0 {day_zero.date()})"
                    skipped.append({"event_id": event.id, "ticker": security.ticker, "reason": reason})
                    continue
                pairs.append(Pair(event, security, self._benchmark_of(security), day_zero))
        return pairs, pd.DataFrame(skipped, columns=["event_id", "ticker", "reason"])

    # -- running ----------------------------------------------------------------------------------------------------

    def price_chain(self) -> PriceChain:
        """The price chain the study reads from (``prices`` itself when it is a chain)."""
        if isinstance(self.prices, PriceChain):
            return self.prices
        sources = [self.prices] if self.prices is not None else [PriceCache(), SnapshotSource()]
        return PriceChain(sources, universe=self.universe)

    def _factor_of(self, security: Security) -> str | None:
        if self._model.name != "multi-factor":
            return None
        if security.factor is None:
            raise UniverseError(f"{security.ticker} has no factor in the universe, needed by the multi-factor model")
        return security.factor

    def run(self, progress: Callable[[str], None] | None = None) -> EventStudyResults:
        """Compute the study: returns, fits, ARs, CARs and every test.

        ``progress`` is called with a short label before each stage (the CLI shows it).
        """
        from eventstudy.results import build_results

        step = progress or (lambda label: None)
        step("pairing events and securities")
        pairs, skipped = self.pairs()
        step("loading prices")
        chain = self.price_chain()
        prices = self._load_prices(chain, pairs)
        step("fitting models")
        computed, placebo = self._compute(pairs, prices)
        step("testing")
        return build_results(self, pairs, skipped, prices, computed, placebo)

    def _days_by_calendar(self, pairs: list[Pair]) -> dict[str, list[int]]:
        """Indices of the pairs on each trading calendar."""
        groups: dict[str, list[int]] = {}
        for index, pair in enumerate(pairs):
            groups.setdefault(calendar_name(pair.security.exchange), []).append(index)
        return groups

    def _panel_sessions(self, calendar: str, days: list[pd.Timestamp]) -> pd.DatetimeIndex:
        """Sessions a calendar's panel needs: the earliest estimation window to the latest path, with the
        session before each return and the lags and leads the model uses."""
        reach = self._model.reach + 1
        start = offset_sessions(calendar, min(days), [self.estimation_window[0] - reach])[0]
        return sessions(calendar, start, _session_after(calendar, max(days), self.path_window[1] + reach))

    def _load_prices(self, chain: PriceChain, pairs: list[Pair]) -> PriceData:
        members = {basket.security.ticker: basket.members for basket in self.basket_list()}
        wanted = (
            ticker
            for pair in pairs
            for ticker in (
                *members.get(pair.security.ticker, (pair.security.ticker,)),
                pair.benchmark,
                self._factor_of(pair.security),
            )
            if ticker is not None
        )
        needed = list(dict.fromkeys(wanted))
        if not needed:
            return PriceData()
        spans = [
            self._panel_sessions(calendar, [pairs[i].day_zero for i in members])
            for calendar, members in self._days_by_calendar(pairs).items()
        ]
        return chain.load(needed, min(span[0] for span in spans), max(span[-1] for span in spans))

    def _compute(self, pairs: list[Pair], prices: PriceData) -> tuple[ComputedPairs | None, dict[str, np.ndarray]]:
        """Fit and gather all pairs, one calendar panel at a time; then the placebo CARs of every security."""
        assert self.universe is not None
        exchanges = {ticker: self.universe.exchange_of(ticker) for ticker in prices.frames}
        panels = return_panels(prices.frames, exchanges, self.return_kind)
        stale = {ticker: stale_sessions(frame, exchanges[ticker]) for ticker, frame in prices.frames.items()}
        for basket in self.basket_list():
            calendar = calendar_name(basket.security.exchange)
            if calendar in panels:
                listed = {ticker: self.universe[ticker].listed for ticker in basket.members}
                panels[calendar][basket.security.ticker] = basket_returns(
                    panels[calendar], basket, listed, self.skip_after_listing
                )
        first_day, last_day = self.residual_window
        parts: list[_Part] = []
        calendars: dict[str, _CalendarPanel] = {}
        for calendar, members in self._days_by_calendar(pairs).items():
            chosen = [pairs[i] for i in members]
            panel = self._calendar_panel(calendar, chosen, panels, stale)
            calendars[calendar] = panel
            security = np.array([panel.column[pair.security.ticker] for pair in chosen])
            day_zero_row = panel.index.get_indexer(pd.DatetimeIndex([pair.day_zero for pair in chosen]))
            arrays = self._fit(panel, security, day_zero_row, with_residuals=True)
            observations = arrays.fit.observations
            fallback = np.zeros(len(chosen), dtype=bool)
            if self.fallback == "market-adjusted":
                fallback = ~((observations >= self.min_estimation) & (arrays.fit.sigma2 > 0))
                if fallback.any():
                    short = np.flatnonzero(fallback)
                    arrays = _override(arrays, self._fallback_fit(panel, security[short], day_zero_row[short]), short)
            dates = panel.index.to_numpy().astype("datetime64[D]")
            estimation_rows = day_zero_row[:, np.newaxis] + np.arange(first_day, last_day + 1)
            # Stale prices are counted once over the estimation days and the AR path together.
            path_days = np.arange(self.path_window[0], self.path_window[1] + 1)
            watched = np.union1d(np.arange(first_day, last_day + 1), path_days)
            watched_rows = day_zero_row[:, np.newaxis] + watched
            parts.append(
                _Part(
                    members=np.array(members),
                    arrays=arrays,
                    path_dates=_dates_at(dates, arrays.rows),
                    estimation_dates=_dates_at(dates, estimation_rows),
                    fallback=fallback,
                    model_observations=observations,
                    stale_days=np.nansum(_gather(panel.stale.astype(float), watched_rows, security), axis=1),
                )
            )
        return _concatenate(parts, len(pairs)), self._placebo(calendars)

    @property
    def residual_window(self) -> Window:
        """Days relative to day 0 that estimation residuals are reported for: the estimation window, extended to
        day -2 when the short-history fallback may be used."""
        first, last = self.estimation_window
        return (first, max(last, FALLBACK_LAST_DAY)) if self.fallback == "market-adjusted" else (first, last)

    def _fallback_fit(self, panel: _CalendarPanel, security: np.ndarray, day_zero_row: np.ndarray) -> PairArrays:
        """The market-adjusted fit of short-history pairs over their shortened window (see ``fallback``)."""
        first = np.full(security.shape, self.estimation_window[0])
        listed = panel.listed_rows[security]
        after_listing = listed + self.skip_after_listing + 1 - day_zero_row
        first = np.maximum(first, after_listing)  # an unknown listing lies far in the past
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
                    self.estimation_window,
                    self.path_window,
                    self.event_windows,
                    usable=panel.usable_for(int(day_zero_row[members[0]]) if len(days) else None),
                    with_residuals=True,
                    estimation_bounds=(first[members], last[members]),
                    residual_window=self.residual_window,
                ),
            )
            for members in groups
        ]
        return _assemble(pieces, security.size)

    def _calendar_panel(
        self, calendar: str, chosen: list[Pair], panels: dict[str, pd.DataFrame], stale: dict[str, pd.Series]
    ) -> _CalendarPanel:
        """The arrays of one calendar: returns of its securities, their benchmarks and factors, on its sessions,
        and which sessions of each security carry a stale price."""
        index = self._panel_sessions(calendar, [pair.day_zero for pair in chosen])
        panel = panels.get(calendar, pd.DataFrame(index=index)).reindex(index)
        missing = np.full(len(panel), np.nan)

        def series(names: list[str]) -> np.ndarray:
            return np.column_stack([panel[name].to_numpy(float) if name in panel else missing for name in names])

        tickers = list(dict.fromkeys(pair.security.ticker for pair in chosen))
        by_ticker = {pair.security.ticker: pair for pair in chosen}
        factors = None
        if self._model.name == "multi-factor":
            factor_names = [self._factor_of(by_ticker[ticker].security) or "" for ticker in tickers]
            factors = series(factor_names)[:, :, np.newaxis]
        returns = series(tickers)
        # IPO jumps are not normal returns: the listing session and the next skip_after_listing are never estimated on.
        listed_rows = np.array([_listing_row(calendar, index, by_ticker[t].security.listed) for t in tickers])
        not_ipo = np.ones(returns.shape, dtype=bool)
        for column, row in enumerate(listed_rows):
            not_ipo[max(row, 0) : max(row + self.skip_after_listing + 1, 0), column] = False
        day_zero_rows = index.get_indexer(pd.DatetimeIndex([pair.day_zero for pair in chosen]))
        return _CalendarPanel(
            index=index,
            tickers=tickers,
            returns=returns,
            market=series([by_ticker[ticker].benchmark for ticker in tickers]),
            factors=factors,
            not_ipo=not_ipo,
            pair_rows=day_zero_rows if self.exclude_contaminated else day_zero_rows[:0],
            pair_columns=np.array([tickers.index(pair.security.ticker) for pair in chosen])[
                : len(chosen) if self.exclude_contaminated else 0
            ],
            path_window=self.path_window,
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

    def _fit(
        self, panel: _CalendarPanel, security: np.ndarray, day_zero_row: np.ndarray, with_residuals: bool
    ) -> PairArrays:
        return fit_pairs(
            panel.returns,
            panel.market,
            security,
            day_zero_row,
            self._model,
            self.estimation_window,
            self.path_window,
            self.event_windows,
            factors=panel.factors,
            usable=panel.usable,
            with_residuals=with_residuals,
            residual_window=self.residual_window,
        )

    def _placebo(self, calendars: dict[str, _CalendarPanel]) -> dict[str, np.ndarray]:
        """CARs of every security on random pseudo-event dates, the same calendar dates for all securities.

        A date qualifies when it is a session of every calendar of the run, has the whole estimation window and
        AR path inside each panel, and its AR path is clear of every real event's AR path.
        ``placebo_replications`` such dates are drawn without replacement (fewer if fewer qualify).

        Returns
        -------
        dict
            Ticker -> array (B, W) of placebo CARs per event window (NaN where the pair is not estimable).
        """
        if not calendars or self.placebo_replications <= 0:
            return {}
        tickers = [ticker for panel in calendars.values() for ticker in panel.tickers]
        nothing = {ticker: np.full((0, len(self.event_windows)), np.nan) for ticker in tickers}
        reach = self._model.reach + 1
        path = self.path_window[1] - self.path_window[0] + 1
        # Dates that are sessions on every calendar of the run: each is one distinct session everywhere.
        candidates = functools.reduce(np.intersect1d, [panel.index.to_numpy() for panel in calendars.values()])
        eligible = np.ones(candidates.size, dtype=bool)
        rows_of: dict[str, np.ndarray] = {}
        for calendar, panel in calendars.items():
            rows = panel.index.searchsorted(candidates)
            inside = (rows + self.estimation_window[0] - reach >= 0) & (
                rows + self.path_window[1] + reach < len(panel.index)
            )
            distance = np.abs(rows[:, np.newaxis] - panel.event_rows[np.newaxis, :]).min(axis=1)
            eligible &= inside & (distance >= path)
            rows_of[calendar] = rows
        if not eligible.any():
            return nothing
        rng = np.random.default_rng(self.seed)
        draws = min(self.placebo_replications, int(eligible.sum()))
        chosen = np.sort(rng.choice(np.flatnonzero(eligible), draws, replace=False))
        placebo: dict[str, np.ndarray] = {}
        for calendar, panel in calendars.items():
            count = len(panel.tickers)
            security = np.repeat(np.arange(count), chosen.size)
            day_zero_row = np.tile(rows_of[calendar][chosen], count)
            arrays = self._fit(panel, security, day_zero_row, with_residuals=False)
            estimable = (arrays.fit.observations >= self.min_estimation) & (arrays.fit.sigma2 > 0)
            cars = np.where(estimable[:, np.newaxis], arrays.car, np.nan).reshape(count, chosen.size, -1)
            placebo |= dict(zip(panel.tickers, cars, strict=True))
        return placebo


@dataclass(frozen=True)
class _CalendarPanel:
    """The inputs of :func:`fit_pairs` for one calendar, the rows of the real events' day 0 and of each security's
    listing (negative when it listed before the panel starts, :data:`UNKNOWN_LISTING` when unknown).

    ``not_ipo`` is False on each security's listing session and the sessions skipped after it; ``pair_rows`` and
    ``pair_columns`` give the day 0 and security of every pair whose AR path is left out of estimation windows
    (empty unless ``exclude_contaminated``).
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
        rows = np.clip(self.pair_rows[others, np.newaxis] + path, 0, len(self.index) - 1)
        usable[rows, self.pair_columns[others, np.newaxis]] = False
        return usable


@dataclass(frozen=True)
class ComputedPairs:
    """The arrays of every pair of a run, in the order of the pairs, with calendar dates of their days.

    ``fallback`` marks the pairs fitted by the short-history fallback, ``model_observations`` keeps the returns
    the study's own model had for each pair (the reason it fell back) and ``stale_days`` counts the sessions of its
    estimation window and AR path with a stale price (zero volume, unchanged close).
    """

    arrays: PairArrays
    path_dates: np.ndarray
    estimation_dates: np.ndarray
    fallback: np.ndarray
    model_observations: np.ndarray
    stale_days: np.ndarray


@dataclass(frozen=True)
class _Part(ComputedPairs):
    """The computed pairs of one calendar and their positions (``members``) in the list of pairs."""

    members: np.ndarray


def _dates_at(dates: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``dates[rows]`` with NaT for rows outside the panel."""
    inside = (rows >= 0) & (rows < len(dates))
    return np.where(inside, dates[np.clip(rows, 0, len(dates) - 1)], np.datetime64("NaT"))


def _padded(values: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``values`` in an array of ``shape`` (trailing dimensions at least as large), NaN where it has nothing."""
    if values.shape == shape:
        return values
    out = np.full(shape, np.nan) if values.dtype.kind == "f" else np.zeros(shape, dtype=values.dtype)
    out[tuple(slice(0, size) for size in values.shape)] = values
    return out


def _merged(first: np.ndarray, second: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``first`` with ``second`` in its ``rows`` (arrays with more trailing columns are padded with NaN)."""
    shape = (first.shape[0], *np.maximum(first.shape[1:], second.shape[1:]))
    out = _padded(first, shape).copy()
    out[rows] = _padded(second, (second.shape[0], *shape[1:]))
    return out


def _override(arrays: PairArrays, other: PairArrays, rows: np.ndarray) -> PairArrays:
    """``arrays`` with the pairs at ``rows`` replaced by ``other`` (computed for those pairs only)."""
    fit = Fit(**{f.name: _merged(getattr(arrays.fit, f.name), getattr(other.fit, f.name), rows) for f in fields(Fit)})
    per_pair = {
        f.name: _merged(getattr(arrays, f.name), getattr(other, f.name), rows)
        for f in fields(PairArrays)
        if f.name not in ("fit", "offsets") and getattr(arrays, f.name) is not None
    }
    return replace(arrays, fit=fit, **per_pair)


def _scatter(pieces: list[tuple[np.ndarray, np.ndarray]], count: int) -> np.ndarray:
    """Put each piece's rows at its pair positions in one array of ``count`` rows (trailing sizes may differ)."""
    shape = tuple(np.max([values.shape[1:] for _, values in pieces], axis=0).astype(int))
    first = pieces[0][1]
    out = np.full((count, *shape), np.nan) if first.dtype.kind == "f" else np.zeros((count, *shape), first.dtype)
    if first.dtype.kind == "M":
        out = np.full((count, *shape), np.datetime64("NaT"), dtype=first.dtype)
    for members, values in pieces:
        out[members] = _padded(values, (values.shape[0], *shape))
    return out


def _assemble(pieces: list[tuple[np.ndarray, PairArrays]], count: int) -> PairArrays:
    """One :class:`PairArrays` of ``count`` pairs from pieces computed for the pairs at their positions."""

    def scatter(get: Callable[[PairArrays], np.ndarray]) -> np.ndarray:
        return _scatter([(members, get(arrays)) for members, arrays in pieces], count)

    fit = Fit(**{f.name: scatter(lambda arrays, name=f.name: getattr(arrays.fit, name)) for f in fields(Fit)})
    per_pair = {
        f.name: scatter(lambda arrays, name=f.name: getattr(arrays, name))
        for f in fields(PairArrays)
        if f.name not in ("fit", "offsets") and getattr(pieces[0][1], f.name) is not None
    }
    return PairArrays(fit=fit, offsets=pieces[0][1].offsets, **({"estimation_residuals": None} | per_pair))


def _listing_row(calendar: str, index: pd.DatetimeIndex, listed: object) -> int:
    """Row of a listing day in a panel's sessions: negative when it precedes the panel (sessions before its
    first row), :data:`UNKNOWN_LISTING` when the listing day is unknown."""
    if listed is None:
        return UNKNOWN_LISTING
    day = pd.Timestamp(listed)
    if day >= index[0]:
        return int(index.searchsorted(day))
    return 1 - len(sessions(calendar, day, index[0]))


def _concatenate(parts: list[_Part], count: int) -> ComputedPairs | None:
    """One :class:`ComputedPairs` from the per-calendar parts (``None`` when there are no pairs)."""
    if not parts:
        return None

    def scatter(get: Callable[[_Part], np.ndarray]) -> np.ndarray:
        return _scatter([(part.members, get(part)) for part in parts], count)

    return ComputedPairs(
        arrays=_assemble([(part.members, part.arrays) for part in parts], count),
        path_dates=scatter(lambda part: part.path_dates),
        estimation_dates=scatter(lambda part: part.estimation_dates),
        fallback=scatter(lambda part: part.fallback),
        model_observations=scatter(lambda part: part.model_observations),
        stale_days=scatter(lambda part: part.stale_days),
    )


def _session_after(exchange: str, session: pd.Timestamp, offset: int) -> pd.Timestamp:
    """The session ``offset`` sessions after ``session``, or the calendar's last one if that is beyond it."""
    all_sessions = sessions(exchange)
    position = min(all_sessions.get_loc(session) + offset, len(all_sessions) - 1)
    return all_sessions[position]
