"""What every page of a report draws on: the results, the chosen window, safe file names, the events in order,
the prices of the studied securities and the settings of the study.

:func:`build_context` checks every name that becomes a file before anything is written and loads the prices the
charts need through the price chain of the study (no network beyond what the study itself would use).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from eventstudy.baskets import BASKETS_GROUP
from eventstudy.calendars import calendar_name
from eventstudy.errors import ReportError
from eventstudy.events import Event
from eventstudy.prices.base import file_stem
from eventstudy.report.config import ReportConfig
from eventstudy.results import EventStudyResults
from eventstudy.returns import return_panels
from eventstudy.spec import headline_window, window_label
from eventstudy.universe import Security

__all__ = [
    "ReportContext",
    "ReportError",
    "build_context",
    "safe_file_stem",
]

_SAFE_STEM = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


def safe_file_stem(name: str, what: str) -> str:
    """The file name stem of an event id or a ticker: a leading ``^`` is dropped (``^HSI`` -> ``HSI``).

    Parameters
    ----------
    name
        Event id or ticker.
    what
        ``"event id"`` or ``"ticker"``, for the error message.

    Raises
    ------
    ReportError
        If the stem holds anything outside ``[A-Za-z0-9._-]`` or starts with a dot.
    """
    stem = file_stem(name)
    if not _SAFE_STEM.fullmatch(stem):
        raise ReportError(
            f"{what} {name!r} cannot name a report page: use letters, digits, '.', '_' and '-' "
            "(not first: '.'; a leading '^' is dropped)"
        )
    return stem


def _stems(names: list[str], what: str) -> dict[str, str]:
    """Name -> safe stem for every name, rejecting two names that give the same file (ignoring case)."""
    stems: dict[str, str] = {}
    taken: dict[str, str] = {}
    for name in names:
        stem = safe_file_stem(name, what)
        other = taken.setdefault(stem.casefold(), name)
        if other != name:
            raise ReportError(f"{what}s {other!r} and {name!r} would share the report page {stem}.html")
        stems[name] = stem
    return stems


@dataclass(frozen=True)
class ReportContext:
    """Everything the pages of one report share.

    Attributes
    ----------
    results
        The event study.
    window, label
        Event window of the headline CAR (heatmap, tables) and its label, e.g. ``"(0,+1)"``.
    events
        Every event of the study, in chronological order (date, then id).
    numbers
        Event id -> its 1-based number in that order (the timeline labels events by number).
    studied
        Ids of the events with at least one (event, security) pair, in chronological order.
    securities
        The studied securities, in universe order.
    event_files, security_files
        Event id -> page stem; ticker -> page stem.
    prices
        Ticker -> adjusted close of each studied security over the span of the AR paths.
    config
        The study's own choices for its report (:mod:`eventstudy.report.config`).
    timeline, featured_basket
        The securities the index timeline draws and the group whose basket it adds (the study's choice, or derived
        from the results).
    cumulative
        Timeline series name -> cumulative return over that span (the timeline securities and the equal-weighted
        basket of the featured group, those that were studied).
    car_wide
        CAR per (event id, ticker) and event window (columns: window labels).
    overlaps
        ``EventSet.overlaps`` of the events on the calendars of the studied securities, for the span of all
        event windows (``kind`` ``"overlap"`` only; contamination is per pair in ``pairs.contaminating_events``).
    pairs
        ``results.pairs`` with the CAR columns of the headline window (``car``, ``ci_low``, ``ci_high``, ``t``,
        ``p_value``, ``sq_p_value``, ``q_value``, ``missing_days``) and the 95% t quantile ``t95`` of each pair's model.
    """

    results: EventStudyResults
    window: tuple[int, int]
    label: str
    events: tuple[Event, ...]
    numbers: Mapping[str, int]
    studied: tuple[str, ...]
    securities: tuple[Security, ...]
    event_files: Mapping[str, str]
    security_files: Mapping[str, str]
    prices: Mapping[str, pd.Series]
    config: ReportConfig
    timeline: tuple[str, ...]
    featured_basket: str | None
    cumulative: Mapping[str, pd.Series]
    car_wide: pd.DataFrame
    overlaps: pd.DataFrame
    pairs: pd.DataFrame

    @property
    def windows(self) -> list[str]:
        """Labels of every event window of the study, in its order."""
        return [window_label(window) for window in self.results.spec.event_windows]

    def event(self, event_id: str) -> Event:
        """The event with id ``event_id``."""
        return self.results.spec.events[event_id]

    def event_label(self, event_id: str) -> str:
        """``"7. nvidia-crash"``: the event's number and id, as axes show it."""
        return f"{self.numbers[event_id]}. {event_id}"


def _headline_pairs(results: EventStudyResults, label: str) -> pd.DataFrame:
    columns = ["car", "ci_low", "ci_high", "t", "p_value", "sq_p_value", "q_value", "missing_days"]
    car = results.car.loc[results.car["window"] == label, ["event_id", "ticker", *columns]]
    pairs = results.pairs.merge(car, on=["event_id", "ticker"], how="left", validate="one_to_one")
    dof = pairs["dof"].to_numpy(dtype=float)
    t95 = np.full(dof.shape, np.nan)
    positive = np.isfinite(dof) & (dof > 0)
    t95[positive] = stats.t.ppf(0.975, dof[positive])
    return pairs.assign(t95=t95)


def _price_frames(results: EventStudyResults, securities: tuple[Security, ...]) -> dict[str, pd.DataFrame]:
    """Price frames of the studied securities over the span of the AR paths, from the prices the study read."""
    if results.ar.empty:
        return {}
    dates = pd.DatetimeIndex(results.ar["date"].dropna())
    frames = results.prices.frames
    traded = [security.ticker for security in securities if security.group != BASKETS_GROUP]  # baskets have no price
    chosen = {ticker: frames[ticker].loc[dates.min() : dates.max()] for ticker in traded if ticker in frames}
    return {ticker: frame for ticker, frame in chosen.items() if not frame.empty}


def _mean_abs_car(pairs: pd.DataFrame, by: str) -> pd.Series:
    """Mean absolute headline CAR per ``by`` (ticker or group), largest first."""
    return pairs.assign(size=pairs["car"].abs()).groupby(by)["size"].mean().dropna().sort_values(ascending=False)


def _timeline(config: ReportConfig, pairs: pd.DataFrame, securities: tuple[Security, ...]) -> tuple[str, ...]:
    """The securities the timeline draws: the study's choice, else the three with the largest mean |CAR|."""
    if config.timeline is not None:
        return config.timeline
    traded = pairs[pairs["group"] != BASKETS_GROUP]
    return tuple(_mean_abs_car(traded, "ticker").index[:3])


def _featured_basket(config: ReportConfig, pairs: pd.DataFrame) -> str | None:
    """The group whose equal-weighted basket the timeline adds: the study's choice, else the group with the largest
    mean |CAR| (among groups of at least two securities)."""
    if config.featured_basket is not None:
        return config.featured_basket
    traded = pairs[pairs["group"] != BASKETS_GROUP]
    sizes = traded.groupby("group")["ticker"].nunique()
    ranked = [group for group in _mean_abs_car(traded, "group").index if sizes.get(group, 0) >= 2]
    return ranked[0] if ranked else None


def _cumulative(
    frames: dict[str, pd.DataFrame], securities: tuple[Security, ...], timeline: tuple[str, ...], group: str | None
) -> dict[str, pd.Series]:
    """Cumulative returns of the timeline tickers and of the equal-weighted basket of the featured group."""
    series: dict[str, pd.Series] = {}
    for ticker in timeline:
        if ticker in frames:
            close = frames[ticker]["adj_close"].dropna()
            series[ticker] = close / close.iloc[0] - 1.0
    members = {s.ticker: s.exchange for s in securities if s.group == group and s.ticker in frames}
    if members:
        panels = return_panels({ticker: frames[ticker] for ticker in members}, members)
        daily = pd.concat(panels.values(), axis=1).sort_index().mean(axis=1, skipna=True).fillna(0.0)
        series[f"{group} basket (equal-weighted, {len(members)} stocks)"] = (1.0 + daily).cumprod() - 1.0
    return series


def _overlaps(results: EventStudyResults, securities: tuple[Security, ...]) -> pd.DataFrame:
    study = results.spec
    span = (min(w[0] for w in study.event_windows), max(w[1] for w in study.event_windows))
    table = study.events.overlaps(
        event_window=span,
        estimation_window=study.estimation_window,
        exchanges=sorted({calendar_name(security.exchange) for security in securities}),
        include_month=study.include_month_precision,
    )
    return table[table["kind"] == "overlap"].reset_index(drop=True)


def build_context(
    results: EventStudyResults, window: tuple[int, int] | None, config: ReportConfig | None = None
) -> ReportContext:
    """Check the names and the window, order the events and load the prices of a report.

    Raises
    ------
    ReportError
        If ``window`` is not an event window of the study, or an event id or ticker cannot be a file name.
    """
    study = results.spec
    if window is None:
        window = headline_window(study.event_windows)
    window = (int(window[0]), int(window[1]))
    if window not in [tuple(w) for w in study.event_windows]:
        windows = ", ".join(window_label(w) for w in study.event_windows)
        raise ReportError(f"window {window_label(window)} is not an event window of the study ({windows})")
    # Chronological, undated events last (they have no day 0, and the pages say why).
    events = tuple(sorted(study.events, key=lambda event: (event.date or dt.date.max, event.id)))
    in_pairs = set(results.pairs["event_id"])
    studied = list(dict.fromkeys(results.pairs["ticker"]))
    event_files = _stems([event.id for event in events] + sorted(in_pairs - {e.id for e in events}), "event id")
    security_files = _stems(studied, "ticker")  # every name is checked before anything is written
    # Universe order (so groups stay together), baskets last.
    universe = study.securities
    securities = tuple(universe[ticker] for ticker in universe.tickers if ticker in set(studied))
    frames = _price_frames(results, securities)
    config = config or ReportConfig()
    pairs = _headline_pairs(results, window_label(window))
    timeline, featured = _timeline(config, pairs, securities), _featured_basket(config, pairs)
    return ReportContext(
        results=results,
        window=window,
        label=window_label(window),
        events=events,
        numbers={event.id: number for number, event in enumerate(events, start=1)},
        studied=tuple(event.id for event in events if event.id in in_pairs),
        securities=securities,
        event_files=event_files,
        security_files=security_files,
        prices={ticker: frame["adj_close"] for ticker, frame in frames.items()},
        config=config,
        timeline=timeline,
        featured_basket=featured,
        cumulative=_cumulative(frames, securities, timeline, featured),
        car_wide=results.car.pivot(index=["event_id", "ticker"], columns="window", values="car"),
        overlaps=_overlaps(results, securities),
        pairs=pairs,
    )
