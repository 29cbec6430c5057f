"""What every page of a report draws on: the results, the chosen window, safe file names, the events in order,
the prices of the studied securities and the settings of the study.

:func:`build_context` checks every name that becomes a file before anything is written, loads the prices the
charts need through the price chain of the study (no network beyond what the study itself would use) and splits the
tables per event and per security once, so that each page reads its own rows without filtering the whole study.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from eventstudy.baskets import BASKETS_GROUP
from eventstudy.calendars import calendar_name
from eventstudy.columns import ALL_GROUPS
from eventstudy.errors import ReportError
from eventstudy.events import Event
from eventstudy.prices.base import file_stem
from eventstudy.report.analysis_data import AnalysisData
from eventstudy.report.config import ReportConfig
from eventstudy.results import EventStudyResults
from eventstudy.returns import return_panels
from eventstudy.spec import headline_window, window_label
from eventstudy.universe import Security
from eventstudy.version import __version__

__all__ = [
    "MARKETS",
    "RECOMMENDED_TESTS",
    "ReportContext",
    "ReportError",
    "build_context",
    "safe_file_stem",
]

_SAFE_STEM = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._=-]*")
#: Readable name of the market of each exchange calendar (other calendars are named by their code).
MARKETS = {"XNYS": "US", "XHKG": "Hong Kong", "XAMS": "Amsterdam"}
#: The sample test a report leads with, in order of preference: the first with a p-value is a sample's
#: recommended test. Securities of one event share its date, so their abnormal returns are correlated and the
#: Kolari-Pynnönen adjustment comes first; without it (no two pairs with enough common estimation days) the BMP
#: test, which is still robust to event-induced variance, then the plain cross-sectional t.
RECOMMENDED_TESTS = ("kolari_pynnonen_bmp", "bmp_t", "cross_sectional_t")


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
        If the stem holds anything outside ``[A-Za-z0-9._=-]`` or starts with a dot or ``=`` (a Yahoo ticker such
        as ``GC=F`` is a safe file name).
    """
    stem = file_stem(name)
    if not _SAFE_STEM.fullmatch(stem):
        raise ReportError(
            f"{what} {name!r} cannot name a report page: use letters, digits, '.', '=', '_' and '-' "
            "(not first: '.' or '='; a leading '^' is dropped)"
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
        Event id -> its 1-based number in that order.
    studied
        Ids of the events with at least one (event, security) pair, in chronological order.
    securities
        The studied securities, in universe order (baskets last).
    event_files, security_files
        Event id -> page stem; ticker -> page stem.
    prices
        Ticker -> adjusted close of each studied security, from the first event (or the first AR day, if earlier)
        to the last AR day.
    config
        The study's own choices for its report (:mod:`eventstudy.report.config`).
    timeline, featured_basket
        The securities the index timeline draws and the group whose basket it adds (the study's choice, or derived
        from the results).
    cumulative
        Timeline series name -> cumulative return over that span (the timeline securities and the equal-weighted
        basket of the featured group, those that were studied).
    overlaps
        ``EventSet.overlaps`` of the events on the calendars of the studied securities, for the span of all
        event windows (``kind`` ``"overlap"`` only; contamination is per pair in ``pairs.contaminating_events``).
    pairs
        ``results.pairs`` with the CAR columns of the headline window (``car``, ``ci_low``, ``ci_high``, ``t``,
        ``p_value``, ``sq_p_value``, ``q_value``, ``missing_days``), the day-0 abnormal return (``ar0``, ``ar0_se``,
        ``sar0``), the 95% t quantile ``t95`` of each pair's model and the ``market`` of its exchange.
    samples
        ``results.caar`` with the recommended test of each sample (:data:`RECOMMENDED_TESTS`): ``test``,
        ``statistic``, ``test_p``, ``test_q``, ``test_note``.
    shocks
        Event id -> the earlier event whose day 0 is the same on every exchange (the same returns, so the same
        ARs and CARs), for the events that have one.
    as_of, price_sources
        Last date of the prices the study read, and where they came from (the price chain and the sources used).
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
    overlaps: pd.DataFrame
    pairs: pd.DataFrame
    samples: pd.DataFrame
    shocks: Mapping[str, str]
    as_of: str
    price_sources: str

    @property
    def windows(self) -> list[str]:
        """Labels of every event window of the study, in its order."""
        return [window_label(window) for window in self.results.spec.event_windows]

    @property
    def version(self) -> str:
        """Version of eventstudy that writes the report."""
        return __version__

    def event(self, event_id: str) -> Event:
        """The event with id ``event_id``."""
        return self.results.spec.events[event_id]

    def event_name(self, event_id: str, width: int = 60) -> str:
        """``"2025-01-27 US chip stocks plunge on DeepSeek; NVIDIA [...]"``: the event's date and title, the title
        shortened to about ``width`` characters."""
        key = (event_id, width)
        if key not in self._event_names:  # pages name the same events thousands of times
            event = self.event(event_id)
            self._event_names[key] = (
                f"{event.date or 'undated'} {textwrap.shorten(event.title, width, placeholder=' …')}"
            )
        return self._event_names[key]

    def security(self, ticker: str) -> Security:
        """The studied security (or basket) with ticker ``ticker``."""
        return self.results.spec.securities[ticker]

    def event_pairs(self, event_id: str) -> pd.DataFrame:
        """The rows of :attr:`pairs` of one event, in universe order."""
        return self._part(self._pairs_by_event, event_id, self.pairs)

    def security_pairs(self, ticker: str) -> pd.DataFrame:
        """The rows of :attr:`pairs` of one security, in chronological order of the events."""
        return self._part(self._pairs_by_ticker, ticker, self.pairs)

    def event_paths(self, event_id: str) -> pd.DataFrame:
        """The rows of ``results.ar`` of one event."""
        return self._part(self._paths_by_event, event_id, self.results.ar)

    def event_tests(self, event_id: str) -> pd.DataFrame:
        """The rows of ``results.tests`` of one event (scope ``"event"``)."""
        return self._part(self._tests_by_event, event_id, self.results.tests)

    def event_samples(self, event_id: str) -> pd.DataFrame:
        """The rows of :attr:`samples` of one event (scope ``"event"``)."""
        return self._part(self._samples_by_event, event_id, self.samples)

    def event_group_samples(self, event_id: str) -> pd.DataFrame:
        """The samples of one event over the headline window indexed by group: the universe's groups in their order
        (baskets among them), then all securities; only those with a sample."""
        samples = self.event_samples(event_id)
        samples = samples[samples["window"] == self.label]
        present = set(samples["group"])
        return samples.set_index("group").reindex([group for group in self._group_order if group in present])

    def event_skipped(self, event_id: str) -> pd.DataFrame:
        """The rows of ``results.skipped`` of one event."""
        return self._part(self._skipped_by_event, event_id, self.results.skipped)

    def event_overlaps(self, event_id: str) -> pd.DataFrame:
        """The rows of :attr:`overlaps` of one event."""
        return self._part(self._overlaps_by_event, event_id, self.overlaps)

    @property
    def short_windows(self) -> list[str]:
        """Labels of the windows the analyses' sections show: (0,0), when the study has it, and the headline
        window."""
        day_zero = window_label((0, 0))
        return list(dict.fromkeys([*([day_zero] if day_zero in self.windows else []), self.label]))

    @functools.cached_property
    def analyses(self) -> AnalysisData:
        """The tables of the analyses beyond abnormal returns as the pages read them (built when a page first asks)."""
        groups = list(dict.fromkeys(security.group for security in self.securities))
        return AnalysisData(self.results, self.pairs, self.short_windows, groups)

    @functools.cached_property
    def first_path_dates(self) -> pd.Series:
        """The first date of each security's AR paths (by ticker), from one pass over ``results.ar``."""
        return self.results.ar.groupby("ticker")["date"].min()

    @functools.cached_property
    def _group_order(self) -> list[str]:
        return [*dict.fromkeys(security.group for security in self.securities), ALL_GROUPS]

    @functools.cached_property
    def _event_names(self) -> dict[tuple[str, int], str]:
        return {}

    def _part(self, parts: Mapping[str, pd.DataFrame], key: str, whole: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``whole`` at ``key`` (``parts``: its split), or none: an empty frame with its columns, made
        once per table (most events of a study have no pair, and their pages ask for every table)."""
        found = parts.get(key)
        if found is None:
            found = self._empty_parts.setdefault(id(whole), whole.iloc[:0])
        return found

    @functools.cached_property
    def _empty_parts(self) -> dict[int, pd.DataFrame]:
        return {}

    # Each table is split once per report, so a page reads its own rows without filtering the whole study.
    @functools.cached_property
    def _skipped_by_event(self) -> dict[str, pd.DataFrame]:
        return _split(self.results.skipped, "event_id")

    @functools.cached_property
    def _overlaps_by_event(self) -> dict[str, pd.DataFrame]:
        return _split(self.overlaps, "event_id")

    @functools.cached_property
    def _pairs_by_event(self) -> dict[str, pd.DataFrame]:
        return _split(self.pairs, "event_id")

    @functools.cached_property
    def _pairs_by_ticker(self) -> dict[str, pd.DataFrame]:
        return _split(self.pairs, "ticker")

    @functools.cached_property
    def _paths_by_event(self) -> dict[str, pd.DataFrame]:
        return _split(self.results.ar, "event_id")

    @functools.cached_property
    def _tests_by_event(self) -> dict[str, pd.DataFrame]:
        tests = self.results.tests
        return _split(tests[tests["scope"] == "event"], "event_id")

    @functools.cached_property
    def _samples_by_event(self) -> dict[str, pd.DataFrame]:
        return _split(self.samples[self.samples["scope"] == "event"], "event_id")


def _split(frame: pd.DataFrame, by: str) -> dict[str, pd.DataFrame]:
    """``frame`` split by the values of column ``by``, each part in the frame's order."""
    return {str(name): rows for name, rows in frame.groupby(by, sort=False)}


def _headline_pairs(results: EventStudyResults, label: str, order: Mapping[str, int]) -> pd.DataFrame:
    """``results.pairs`` in chronological order with the headline CAR, the day-0 AR, t95 and the market."""
    columns = ["car", "ci_low", "ci_high", "t", "p_value", "sq_p_value", "q_value", "missing_days"]
    car = results.car.loc[results.car["window"] == label, ["event_id", "ticker", *columns]]
    ar = results.ar
    day_zero = ar.loc[ar["day"] == 0, ["event_id", "ticker", "ar", "ar_se", "sar"]]
    day_zero = day_zero.rename(columns={"ar": "ar0", "ar_se": "ar0_se", "sar": "sar0"})
    pairs = results.pairs.merge(car, on=["event_id", "ticker"], how="left", validate="one_to_one")
    pairs = pairs.merge(day_zero, on=["event_id", "ticker"], how="left", validate="one_to_one")
    dof = pairs["dof"].to_numpy(dtype=float)
    t95 = np.full(dof.shape, np.nan)
    positive = np.isfinite(dof) & (dof > 0)
    t95[positive] = stats.t.ppf(0.975, dof[positive])
    markets = {exchange: _market(exchange) for exchange in pairs["exchange"].unique()}
    position = pairs["event_id"].map(order).to_numpy()
    pairs = pairs.assign(t95=t95, market=pairs["exchange"].map(markets), _order=position)
    return pairs.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def _market(exchange: str) -> str:
    calendar = calendar_name(exchange)
    return MARKETS.get(calendar, calendar)


def _samples(results: EventStudyResults) -> pd.DataFrame:
    """``results.caar`` with the recommended test of each sample (the first of :data:`RECOMMENDED_TESTS` with a
    p-value)."""
    keys = ["scope", "event_id", "group", "window"]
    tests = results.tests[results.tests["test"].isin(RECOMMENDED_TESTS) & results.tests["p_value"].notna()]
    rank = tests["test"].map({name: position for position, name in enumerate(RECOMMENDED_TESTS)})
    chosen = tests.assign(_rank=rank).sort_values([*keys, "_rank"], kind="stable").drop_duplicates(keys)
    chosen = chosen[[*keys, "test", "statistic", "p_value", "q_value", "note"]].rename(
        columns={"p_value": "test_p", "q_value": "test_q", "note": "test_note"}
    )
    return results.caar.merge(chosen, on=keys, how="left", validate="one_to_one")


def _price_frames(
    results: EventStudyResults, securities: tuple[Security, ...], first_event: pd.Timestamp | None
) -> dict[str, pd.DataFrame]:
    """Price frames of the studied securities from the first event (or AR day) to the last AR day, from the prices
    the study read."""
    if results.ar.empty:
        return {}
    dates = pd.DatetimeIndex(results.ar["date"].dropna())
    start = dates.min() if first_event is None else min(dates.min(), first_event)
    frames = results.prices.frames
    traded = [security.ticker for security in securities if security.group != BASKETS_GROUP]  # baskets have no price
    chosen = {ticker: frames[ticker].loc[start : dates.max()] for ticker in traded if ticker in frames}
    return {ticker: frame for ticker, frame in chosen.items() if not frame.empty}


def _mean_abs_car(pairs: pd.DataFrame, by: str) -> pd.Series:
    """Mean absolute headline CAR per ``by`` (ticker or group), largest first."""
    return pairs.assign(size=pairs["car"].abs()).groupby(by)["size"].mean().dropna().sort_values(ascending=False)


def _timeline(config: ReportConfig, pairs: pd.DataFrame) -> tuple[str, ...]:
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


def _shocks(pairs: pd.DataFrame, studied: list[str]) -> dict[str, str]:
    """Event id -> the first earlier event with the same day 0 on every exchange (and the same exchanges, and the
    same last possible day 0: a span's windows are widened to cover it, so its returns differ)."""
    days = pairs.drop_duplicates(["event_id", "exchange"]).sort_values("exchange")
    signature = days.groupby("event_id", sort=False).apply(
        lambda rows: tuple(zip(rows["exchange"], rows["day_zero"], rows["day_zero_last"], strict=True)),
        include_groups=False,
    )
    first: dict[tuple[object, ...], str] = {}
    shocks: dict[str, str] = {}
    for event_id in studied:
        other = first.setdefault(signature[event_id], event_id)
        if other != event_id:
            shocks[event_id] = other
    return shocks


def _as_of(results: EventStudyResults) -> str:
    """The last date of the prices the study read (from the data, never the clock)."""
    last = [str(item["last"]) for item in results.coverage.values() if item.get("last")]
    return max(last) if last else "no prices"


def _price_sources(results: EventStudyResults) -> str:
    used = sorted({str(item["source"]) for item in results.coverage.values() if item.get("source")})
    chain = results.spec.prices.describe()
    return f"{', '.join(used) or 'none'} (price chain: {chain})"


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
    studied_tickers = list(dict.fromkeys(results.pairs["ticker"]))
    event_files = _stems([event.id for event in events] + sorted(in_pairs - {e.id for e in events}), "event id")
    security_files = _stems(studied_tickers, "ticker")  # every name is checked before anything is written
    # Universe order (so groups stay together), baskets last.
    universe = study.securities
    studied_set = set(studied_tickers)
    securities = tuple(universe[ticker] for ticker in universe.tickers if ticker in studied_set)
    first_event = pd.Timestamp(events[0].date) if events and events[0].date else None
    frames = _price_frames(results, securities, first_event)
    config = config or ReportConfig()
    numbers = {event.id: number for number, event in enumerate(events, start=1)}
    pairs = _headline_pairs(results, window_label(window), numbers)
    studied = [event.id for event in events if event.id in in_pairs]
    timeline, featured = _timeline(config, pairs), _featured_basket(config, pairs)
    return ReportContext(
        results=results,
        window=window,
        label=window_label(window),
        events=events,
        numbers=numbers,
        studied=tuple(studied),
        securities=securities,
        event_files=event_files,
        security_files=security_files,
        prices={ticker: frame["adj_close"] for ticker, frame in frames.items()},
        config=config,
        timeline=timeline,
        featured_basket=featured,
        cumulative=_cumulative(frames, securities, timeline, featured),
        overlaps=_overlaps(results, securities),
        pairs=pairs,
        samples=_samples(results),
        shocks=_shocks(pairs, studied) if not pairs.empty else {},
        as_of=_as_of(results),
        price_sources=_price_sources(results),
    )
