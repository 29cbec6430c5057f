"""The specification of an event study: what to study, how, and with which defaults (defined here, once).

:class:`StudySpec` is immutable and validated at construction: every argument is parsed once at this boundary into a
narrow type (an :class:`~eventstudy.events.EventSet`, a :class:`~eventstudy.universe.Universe`, a
:class:`~eventstudy.models.NormalReturnModel` instance, tuples of windows, the resolved baskets and tests), so the
engine and everything above it read plain values and never re-check them. ``dataclasses.replace(spec, ...)`` gives a
new, re-validated specification. :class:`eventstudy.study.EventStudy` adds ``run()``.

Windows are pairs of sessions relative to day 0, both ends included, counted in each security's own exchange.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Self, cast, get_args

import pandas as pd

from eventstudy.baskets import Basket, make_baskets
from eventstudy.calendars import calendar_name
from eventstudy.defaults import (
    ANALYSES,
    BACKENDS,
    DEFAULT_BHAR_WINDOWS,
    DEFAULT_BOOTSTRAP_REPLICATIONS,
    DEFAULT_ESTIMATION_WINDOW,
    DEFAULT_EVENT_WINDOWS,
    DEFAULT_FALLBACK,
    DEFAULT_FALLBACK_FLOOR,
    DEFAULT_MEMORY_BUDGET,
    DEFAULT_MIN_ESTIMATION,
    DEFAULT_MODEL,
    DEFAULT_PATH_WINDOW,
    DEFAULT_PLACEBO_REPLICATIONS,
    DEFAULT_SKIP_AFTER_LISTING,
    FALLBACK_LAST_DAY,
    FALLBACK_POLICIES,
    NON_STUDY_GROUPS,
    FallbackPolicy,
    Window,
    window_label,
)
from eventstudy.events import Event, EventSet
from eventstudy.models import NormalReturnModel, get_model
from eventstudy.prices import PriceChain, PriceSource, as_chain
from eventstudy.returns import ReturnKind
from eventstudy.statistics import TESTS
from eventstudy.statistics.cross_section import (
    BUILT_IN_CHARACTERISTICS,
    DEFAULT_FORMULA,
    Characteristics,
    check_formula,
    read_characteristics,
)
from eventstudy.universe import Security, Universe, UniverseError, load_universe

__all__ = [
    "ANALYSES",
    "BACKENDS",
    "DEFAULT_BHAR_WINDOWS",
    "DEFAULT_BOOTSTRAP_REPLICATIONS",
    "DEFAULT_ESTIMATION_WINDOW",
    "DEFAULT_EVENT_WINDOWS",
    "DEFAULT_FALLBACK",
    "DEFAULT_FALLBACK_FLOOR",
    "DEFAULT_MEMORY_BUDGET",
    "DEFAULT_MIN_ESTIMATION",
    "DEFAULT_MODEL",
    "DEFAULT_PATH_WINDOW",
    "DEFAULT_PLACEBO_REPLICATIONS",
    "DEFAULT_SKIP_AFTER_LISTING",
    "FALLBACK_LAST_DAY",
    "FALLBACK_POLICIES",
    "NON_STUDY_GROUPS",
    "FallbackPolicy",
    "StudySpec",
    "Window",
    "headline_window",
    "window_label",
]


def headline_window(windows: Sequence[Window]) -> Window:
    """The window summaries and reports lead with: (0,+1) when the study has it, else its first event window."""
    return (0, 1) if (0, 1) in windows else windows[0]


def _window(value: Sequence[int], what: str) -> Window:
    """A window as a pair of ints, first <= last."""
    first, last = (int(day) for day in value)
    if first > last:
        raise ValueError(f"{what} ({first}, {last}) ends before it starts")
    return first, last


def _names(values: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _characteristics(value: str | Path | pd.DataFrame | Characteristics | None) -> Characteristics | None:
    """The user's characteristics from a CSV path, a DataFrame or as they are."""
    if value is None or isinstance(value, Characteristics):
        return value
    if isinstance(value, pd.DataFrame):
        return Characteristics.from_frame(value)
    return read_characteristics(value)


@dataclass(frozen=True, init=False)
class StudySpec:
    """An event study's specification, validated and immutable (see the module docstring).

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
        ``eventstudy.prices.default_price_source()`` to fetch what is missing from Yahoo Finance. Any source is
        wrapped in a :class:`~eventstudy.prices.PriceChain` (coverage is assessed per ticker).
    model
        A model name (:data:`eventstudy.models.MODELS`) or instance. ``"garch"`` refits every pair by maximum
        likelihood (slow; its placebo CARs keep the OLS market model, see :mod:`eventstudy.engine.garch`).
    benchmark
        Ticker to use as every security's benchmark instead of its own (it must trade on the same calendar).
    estimation_window, event_windows
        In sessions relative to day 0; the estimation window must end before every event window starts.
    path_window
        The AR path reported per pair; default :data:`DEFAULT_PATH_WINDOW` widened to cover every event window. An
        explicit path window must cover them itself.
    min_estimation
        Fewest valid estimation-window returns for the model; a pair with fewer falls back (see ``fallback``).
    fallback, fallback_floor, skip_after_listing
        Short-history policy. With ``fallback="market-adjusted"`` (default), a pair with fewer than
        ``min_estimation`` returns uses the market-adjusted model, ``AR = R - R_m``, with its variance estimated from
        the returns between the ``skip_after_listing + 1``-th session after the listing (default the 6th: IPO-day
        jumps are not normal returns) and day :data:`FALLBACK_LAST_DAY`. With fewer than ``fallback_floor`` such
        returns, or ``fallback="none"``, the pair is not estimable, with the reason.
    baskets
        Groups studied also as equal-weighted baskets (:mod:`eventstudy.baskets`); default every studied group with
        at least two securities, ``[]`` for none. Resolved at construction into :attr:`baskets`.
    exclude_contaminated
        Leave out of estimation windows the days inside other events' AR paths (for the same security).
    include_month_precision
        Study events dated only to a month (taken at the first of the month); left out by default.
    return_kind
        ``"simple"`` (default) or ``"log"`` returns.
    tests
        Names of the sample tests to run (default all of :data:`eventstudy.statistics.TESTS`, in its order).
    bootstrap_replications, placebo_replications, seed
        Wild-bootstrap replications, placebo pseudo-event dates (0: no placebo test) and the random seed (results
        are reproducible for a given seed).
    analyses
        The analyses beyond abnormal returns to run (:mod:`eventstudy.analyses`), default all of :data:`ANALYSES`:
        ``"cross_section"`` (regressions of CARs on characteristics), ``"volume"`` (abnormal trading volume),
        ``"volatility"`` (abnormal volatility), ``"bhar"`` (buy-and-hold abnormal returns), ``"garch"`` (GARCH(1,1)
        ARs beside the study's for ``garch_tickers``); ``[]`` for none.
    characteristics
        The user's characteristics of securities for the cross-sectional regression: a CSV file (a ``ticker``
        column and one column per characteristic), a DataFrame of the same shape, or
        :class:`~eventstudy.statistics.cross_section.Characteristics`.
    formula
        The cross-sectional regression, a patsy formula whose response is ``car`` (default
        :data:`~eventstudy.statistics.cross_section.DEFAULT_FORMULA`); it may use ``group``, ``market``, ``beta``,
        ``runup``, ``event_id``, ``event_date``, ``ticker`` and the characteristics' columns.
    bhar_windows
        Long windows (sessions from day 0) of the buy-and-hold abnormal returns; default :data:`DEFAULT_BHAR_WINDOWS`.
    garch_tickers
        Securities whose pairs also get GARCH(1,1) market-model ARs beside the study's model (the ``garch``
        table); none by default. A security of the universe that the study does not measure gives no rows (so a
        study derived with other ``tickers`` keeps its specification valid).
    span_sensitivity
        For events known only to a span of time whose possible day 0s differ on an exchange, also compute each
        pair's CARs with day 0 at the first and at the last possible session (the ``span_sensitivity`` table):
        whether the answer depends on when in the span the news came. On by default.
    memory_budget
        Working memory of one chunk of pairs, in bytes (:mod:`eventstudy.engine.chunks`); the numbers do not depend
        on it.
    backend, workers, scheduler
        Where the chunks are computed: ``"in-process"`` (default) or ``"dask"`` (``pip install 'eventstudy[dask]'``):
        a local cluster of ``workers`` processes, or the scheduler at the address ``scheduler``
        (:mod:`eventstudy.engine.backends`). The numbers do not depend on it.

    Raises
    ------
    ValueError
        For windows out of order, an unknown model, fallback policy, test or analysis, counts out of range, a bad
        characteristics file (naming file, row and column) or a formula that reads unknown characteristics.
    UniverseError
        For tickers, groups, baskets, benchmarks or garch_tickers the universe cannot honour.
    """

    events: EventSet
    universe: Universe
    tickers: tuple[str, ...] | None
    groups: tuple[str, ...] | None
    prices: PriceChain
    model: NormalReturnModel
    benchmark: str | None
    estimation_window: Window
    event_windows: tuple[Window, ...]
    path_window: Window
    min_estimation: int
    fallback: FallbackPolicy
    fallback_floor: int
    skip_after_listing: int
    baskets: tuple[str, ...]
    exclude_contaminated: bool
    include_month_precision: bool
    return_kind: ReturnKind
    tests: tuple[str, ...]
    bootstrap_replications: int
    placebo_replications: int
    seed: int
    analyses: tuple[str, ...]
    characteristics: Characteristics | None
    formula: str
    bhar_windows: tuple[Window, ...]
    garch_tickers: tuple[str, ...]
    span_sensitivity: bool
    memory_budget: int
    backend: str
    workers: int | None
    scheduler: str | None

    def __init__(
        self,
        events: EventSet | Iterable[Event],
        universe: Universe | None = None,
        tickers: Iterable[str] | None = None,
        groups: Iterable[str] | None = None,
        prices: PriceSource | None = None,
        model: str | NormalReturnModel = DEFAULT_MODEL,
        benchmark: str | None = None,
        estimation_window: Sequence[int] = DEFAULT_ESTIMATION_WINDOW,
        event_windows: Iterable[Sequence[int]] = DEFAULT_EVENT_WINDOWS,
        path_window: Sequence[int] | None = None,
        min_estimation: int = DEFAULT_MIN_ESTIMATION,
        fallback: str = DEFAULT_FALLBACK,
        fallback_floor: int = DEFAULT_FALLBACK_FLOOR,
        skip_after_listing: int = DEFAULT_SKIP_AFTER_LISTING,
        baskets: Iterable[str] | None = None,
        exclude_contaminated: bool = False,
        include_month_precision: bool = False,
        return_kind: str = "simple",
        tests: Iterable[str] | None = None,
        bootstrap_replications: int = DEFAULT_BOOTSTRAP_REPLICATIONS,
        placebo_replications: int = DEFAULT_PLACEBO_REPLICATIONS,
        seed: int = 0,
        analyses: Iterable[str] | None = None,
        characteristics: str | Path | pd.DataFrame | Characteristics | None = None,
        formula: str | None = None,
        bhar_windows: Iterable[Sequence[int]] = DEFAULT_BHAR_WINDOWS,
        garch_tickers: Iterable[str] = (),
        span_sensitivity: bool = True,
        memory_budget: int = DEFAULT_MEMORY_BUDGET,
        backend: str = "in-process",
        workers: int | None = None,
        scheduler: str | None = None,
    ) -> None:
        universe = universe if universe is not None else load_universe()
        chosen_model = get_model(model)
        windows = tuple(_window(window, "event window") for window in event_windows)
        if not windows:
            raise ValueError("a study needs at least one event window")
        estimation = _window(estimation_window, "estimation window")
        hull = (min(first for first, _ in windows), max(last for _, last in windows))
        if path_window is None:
            path = (min(DEFAULT_PATH_WINDOW[0], hull[0]), max(DEFAULT_PATH_WINDOW[1], hull[1]))
        else:
            path = _window(path_window, "AR path window")
            if path[0] > hull[0] or path[1] < hull[1]:
                raise ValueError(f"the AR path {path} must cover every event window (days {hull[0]} to {hull[1]})")
        if not estimation[1] < path[0]:
            raise ValueError(
                f"the estimation window {estimation} must end before the event windows and the AR path start "
                f"(day {path[0]})"
            )
        if min_estimation < chosen_model.parameters + 2:
            raise ValueError(f"min_estimation must be at least {chosen_model.parameters + 2} for {chosen_model.name}")
        if fallback not in FALLBACK_POLICIES:
            raise ValueError(f"fallback must be one of {', '.join(FALLBACK_POLICIES)}, not {fallback!r}")
        policy = cast(FallbackPolicy, fallback)
        if fallback_floor < 2 or skip_after_listing < 0:
            raise ValueError("fallback_floor must be at least 2 and skip_after_listing at least 0")
        if return_kind not in get_args(ReturnKind):
            raise ValueError(f"return kind must be one of {', '.join(get_args(ReturnKind))}, not {return_kind!r}")
        kind = cast(ReturnKind, return_kind)
        chosen_tests = tuple(TESTS) if tests is None else tuple(tests)
        unknown = sorted(set(chosen_tests) - set(TESTS))
        if unknown:
            raise ValueError(f"unknown tests {unknown}; choose from {list(TESTS)}")
        if bootstrap_replications < 0 or placebo_replications < 0:
            raise ValueError("bootstrap_replications and placebo_replications must not be negative")
        if "wild_bootstrap" in chosen_tests and bootstrap_replications < 1:
            raise ValueError("the wild_bootstrap test needs bootstrap_replications of at least 1")
        chosen_analyses = tuple(ANALYSES) if analyses is None else tuple(analyses)
        unknown = sorted(set(chosen_analyses) - set(ANALYSES))
        if unknown:
            raise ValueError(f"unknown analyses {unknown}; choose from {list(ANALYSES)}")
        user = _characteristics(characteristics)
        columns = [*BUILT_IN_CHARACTERISTICS, *(user.columns if user is not None else ())]
        chosen_formula = DEFAULT_FORMULA if formula is None else check_formula(formula, columns)
        if memory_budget < 1 << 20:
            raise ValueError(f"memory_budget is in bytes and must be at least 1 MiB, not {memory_budget}")
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        values = {
            "events": events if isinstance(events, EventSet) else EventSet(events),
            "universe": universe,
            "tickers": _names(tickers),
            "groups": _names(groups),
            "prices": as_chain(prices, universe),
            "model": chosen_model,
            "benchmark": benchmark,
            "estimation_window": estimation,
            "event_windows": windows,
            "path_window": path,
            "min_estimation": int(min_estimation),
            "fallback": policy,
            "fallback_floor": int(fallback_floor),
            "skip_after_listing": int(skip_after_listing),
            "baskets": (),
            "exclude_contaminated": bool(exclude_contaminated),
            "include_month_precision": bool(include_month_precision),
            "return_kind": kind,
            "tests": chosen_tests,
            "bootstrap_replications": int(bootstrap_replications),
            "placebo_replications": int(placebo_replications),
            "seed": int(seed),
            "analyses": chosen_analyses,
            "characteristics": user,
            "formula": chosen_formula,
            "bhar_windows": tuple(_window(window, "BHAR window") for window in bhar_windows),
            "garch_tickers": tuple(dict.fromkeys(garch_tickers)),
            "span_sensitivity": bool(span_sensitivity),
            "memory_budget": int(memory_budget),
            "backend": backend,
            "workers": None if workers is None else int(workers),
            "scheduler": scheduler,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)
        # Baskets are resolved against the studied securities (an unknown or too small group is an error now).
        chosen_baskets = make_baskets(self.studied_securities, None if baskets is None else list(baskets))
        object.__setattr__(self, "baskets", tuple(basket.group for basket in chosen_baskets))
        for security in self.studied_securities:
            self.benchmark_of(security)
            self.factors_of(security)
        unknown = [ticker for ticker in self.garch_tickers if ticker not in self.universe]
        if unknown:
            raise UniverseError(f"garch_tickers {unknown} are not in the universe")

    def replace(self, **changes: Any) -> Self:
        """This specification with ``changes`` (any parameter of the constructor), validated anew."""
        return type(self)(**(spec_values(self) | changes))

    # -- derived, read-only views ------------------------------------------------------------------------------------

    @property
    def model_name(self) -> str:
        """Name of the normal-return model (``"market"``, ``"dimson"``, ...)."""
        return self.model.name

    @functools.cached_property
    def studied_securities(self) -> Universe:
        """The securities studied (see ``tickers`` and ``groups``), in universe order."""
        chosen = self.universe.select(self.tickers, self.groups)
        if self.tickers is None and self.groups is None:
            chosen = Universe([s for s in chosen if s.group not in NON_STUDY_GROUPS], source=chosen.source)
        return chosen

    @functools.cached_property
    def basket_list(self) -> tuple[Basket, ...]:
        """The baskets studied, one per group of :attr:`baskets`."""
        return tuple(make_baskets(self.studied_securities, list(self.baskets)))

    @functools.cached_property
    def securities(self) -> Universe:
        """Every security with pairs in the study: the studied securities, then the baskets."""
        study = self.studied_securities
        return Universe([*study, *(basket.security for basket in self.basket_list)], source=study.source)

    @property
    def residual_window(self) -> Window:
        """Days relative to day 0 that estimation residuals are reported for: the estimation window, extended to
        day :data:`FALLBACK_LAST_DAY` when the short-history fallback may be used."""
        first, last = self.estimation_window
        return (first, max(last, FALLBACK_LAST_DAY)) if self.fallback == "market-adjusted" else (first, last)

    def benchmark_of(self, security: Security) -> str:
        """The benchmark ``security`` is measured against: the study's ``benchmark`` or its own.

        Raises
        ------
        UniverseError
            If there is none, or it does not trade on the security's calendar.
        """
        benchmark = self.benchmark or security.benchmark
        if benchmark is None:
            raise UniverseError(f"{security.ticker} has no benchmark in the universe; pass benchmark=...")
        if calendar_name(self.universe.exchange_of(benchmark)) != calendar_name(security.exchange):
            raise UniverseError(
                f"benchmark {benchmark} does not trade on the calendar of {security.ticker} ({security.exchange})"
            )
        return benchmark

    def factors_of(self, security: Security) -> tuple[str, ...]:
        """The extra factor series the model needs for ``security`` (its universe ``factor``), none for most models.

        Raises
        ------
        UniverseError
            If the model needs a factor the universe does not give the security.
        """
        if self.model.factors == 0:
            return ()
        if security.factor is None or self.model.factors > 1:
            raise UniverseError(
                f"{security.ticker}: the {self.model.name} model needs {self.model.factors} factor series and the "
                "universe gives one per security (its 'factor' column)"
                if security.factor is not None
                else f"{security.ticker} has no factor in the universe, needed by the {self.model.name} model"
            )
        return (security.factor,)


def spec_values(spec: StudySpec) -> dict[str, Any]:
    """The parameters of ``spec`` by name, as its constructor takes them (for a changed copy)."""
    return {field.name: getattr(spec, field.name) for field in fields(spec)}
