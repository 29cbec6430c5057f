"""The default price chain: local cache, then the packaged snapshot, then Yahoo Finance for what is missing.

Each series is served whole by one source (see :mod:`eventstudy.prices.base` on why sources are never spliced).
A source serves a request when it has a price, or a known gap, for every completed session of the security's own
exchange in the requested range; otherwise the next source is tried. Online, the missing ranges are downloaded into
the cache; offline (``online=None``), what no source covers is reported, never filled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from eventstudy.calendars import completed_sessions
from eventstudy.prices.base import (
    InvalidPricesError,
    MissingPricesError,
    NetworkError,
    PriceSource,
    UnknownTickerError,
    empty_price_frame,
)
from eventstudy.prices.cache import PriceCache
from eventstudy.prices.csvdir import CsvDirectorySource
from eventstudy.prices.snapshot import SnapshotSource
from eventstudy.prices.yahoo import YahooSource
from eventstudy.universe import Universe, exchange_of_ticker

__all__ = [
    "Coverage",
    "PriceChain",
    "PriceData",
    "as_chain",
    "assess_coverage",
    "default_price_source",
    "offline_chain",
]

#: Extra calendar days asked around a missing range, so that new rows overlap cached ones (basis check).
SEAM_DAYS = 7
#: Relative difference of overlapping adjusted closes above which the adjustment basis is taken as changed.
BASIS_TOLERANCE = 1e-6


def _day(timestamp: pd.Timestamp) -> str:
    return timestamp.date().isoformat()


@dataclass(frozen=True)
class Coverage:
    """How much of a requested range one series covers, in the sessions of the security's exchange.

    Attributes
    ----------
    ticker, exchange
        The security and the exchange whose calendar defines its sessions.
    source
        Name of the source that served the series (``None`` when none had it).
    first, last, rows
        Span and number of rows of the served prices.
    missing_sessions
        Completed sessions between ``first`` and ``last`` with no price (known gaps, never filled).
    uncovered
        Runs ``(start, end)`` of requested completed sessions before ``first`` or after ``last``.
    off_calendar
        Dates with a price that are not sessions of the exchange (left out of returns).
    reason
        Why no source could serve the ticker at all, if so.
    online_error
        Why the download of what was missing failed, if it did.
    """

    ticker: str
    exchange: str
    source: str | None
    first: pd.Timestamp | None = None
    last: pd.Timestamp | None = None
    rows: int = 0
    missing_sessions: tuple[pd.Timestamp, ...] = ()
    uncovered: tuple[tuple[pd.Timestamp, pd.Timestamp], ...] = ()
    off_calendar: tuple[pd.Timestamp, ...] = ()
    reason: str | None = None
    online_error: str | None = None

    @property
    def complete(self) -> bool:
        """Whether every requested completed session is inside the served series."""
        return self.reason is None and not self.uncovered

    def describe(self) -> str:
        """One line saying what is missing and what to do (empty when complete)."""
        if self.reason is not None:
            return f"{self.ticker}: {self.reason}" + (f" ({self.online_error})" if self.online_error else "")
        if not self.uncovered:
            return ""
        runs = []
        for start, end in self.uncovered:
            where = "before its first" if self.first is not None and end < self.first else "after its last"
            edge = self.first if where.startswith("before") else self.last
            runs.append(f"{_day(start)}..{_day(end)}" + (f" ({where} price, {_day(edge)})" if edge else ""))
        advice = (
            f"the download failed ({self.online_error})"
            if self.online_error
            else f"fetch them online with `eventstudy prices fetch {self.ticker}`, or study dates inside its span"
        )
        return f"{self.ticker}: {self.source or 'no source'} has no prices for {', '.join(runs)}; {advice}"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary (dates as ISO strings)."""
        return {
            "ticker": self.ticker,
            "exchange": self.exchange,
            "source": self.source,
            "first": None if self.first is None else _day(self.first),
            "last": None if self.last is None else _day(self.last),
            "rows": self.rows,
            "missing_sessions": [_day(day) for day in self.missing_sessions],
            "uncovered": [[_day(start), _day(end)] for start, end in self.uncovered],
            "off_calendar": [_day(day) for day in self.off_calendar],
            "reason": self.reason,
            "online_error": self.online_error,
        }


def _runs(days: pd.DatetimeIndex) -> tuple[tuple[pd.Timestamp, pd.Timestamp], ...]:
    return ((days[0], days[-1]),) if len(days) else ()


def assess_coverage(
    frame: pd.DataFrame,
    ticker: str,
    exchange: str,
    source: str,
    start: object = None,
    end: object = None,
    now: pd.Timestamp | None = None,
) -> Coverage:
    """Compare a price frame with the completed sessions of ``exchange`` in ``[start, end]``.

    ``None`` bounds default to the frame's own first and last dates.
    """
    if frame.empty:
        required = completed_sessions(exchange, start, end, now) if start is not None else pd.DatetimeIndex([])
        return Coverage(ticker, exchange, source, uncovered=_runs(required))
    first, last = frame.index[0], frame.index[-1]
    required = completed_sessions(exchange, first if start is None else start, last if end is None else end, now)
    inside = completed_sessions(exchange, first, last, now)
    return Coverage(
        ticker=ticker,
        exchange=exchange,
        source=source,
        first=first,
        last=last,
        rows=len(frame),
        missing_sessions=tuple(inside.difference(frame.index)),
        uncovered=_runs(required[required < first]) + _runs(required[required > last]),
        off_calendar=tuple(frame.index.difference(completed_sessions(exchange, first, last))),
    )


@dataclass
class PriceData:
    """Prices of several tickers with the coverage of each (what the engine and ``run.json`` report)."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    coverage: dict[str, Coverage] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        """One line per ticker whose request was not fully covered."""
        return [item.describe() for item in self.coverage.values() if not item.complete]

    def require(self, ticker: str) -> pd.DataFrame:
        """The prices of ``ticker``, or :class:`MissingPricesError` naming what is not covered."""
        coverage = self.coverage[ticker]
        if not coverage.complete:
            raise MissingPricesError(coverage.describe())
        return self.frames[ticker]


class PriceChain(PriceSource):
    """Serve each ticker from the first source that covers the request; download what none covers when online.

    Parameters
    ----------
    sources
        Local sources in order of preference (e.g. cache, snapshot, a CSV folder).
    online
        Online source for what no local source covers; ``None`` works offline.
    cache
        Where online downloads are stored (it should also be one of ``sources``).
    universe
        Gives each ticker's exchange; tickers outside it are mapped by suffix (``.HK`` -> XHKG, else XNYS).
    now
        Current time for deciding which sessions are complete (tests fix it; default: the clock).
    """

    name = "chain"

    def __init__(
        self,
        sources: Sequence[PriceSource],
        online: YahooSource | None = None,
        cache: PriceCache | None = None,
        universe: Universe | None = None,
        now: pd.Timestamp | None = None,
    ) -> None:
        self.sources = list(sources)
        self.online = online
        self.cache = cache
        self.universe = universe
        self.now = now

    def describe(self) -> str:
        """The sources in the order they are asked, e.g. ``"cache -> snapshot -> yahoo"``."""
        names = [source.name for source in self.sources] + ([self.online.name] if self.online is not None else [])
        return " -> ".join(names)

    def exchange_of(self, ticker: str) -> str:
        """The exchange whose sessions define ``ticker``'s series."""
        return self.universe.exchange_of(ticker) if self.universe is not None else exchange_of_ticker(ticker)

    def start_of(self, ticker: str, start: object) -> pd.Timestamp | None:
        """The requested start, moved up to the ticker's listing day when the universe knows one (nothing before
        a listing is ever requested or reported missing)."""
        security = self.universe[ticker] if self.universe is not None and ticker in self.universe else None
        listed = None if security is None or security.listed is None else pd.Timestamp(security.listed)
        first = None if start is None else pd.Timestamp(start)
        if listed is None or first is None:
            return first if listed is None else listed
        return max(first, listed)

    def _from_local(self, ticker: str, start: object, end: object) -> tuple[pd.DataFrame, Coverage]:
        exchange = self.exchange_of(ticker)
        best: tuple[pd.DataFrame, Coverage] | None = None
        for source in self.sources:
            try:
                frame = source.history(ticker, start, end)
            except UnknownTickerError:
                continue
            coverage = assess_coverage(frame, ticker, exchange, source.name, start, end, self.now)
            if isinstance(source, PriceCache) and not frame.empty:
                # The cache holds the ranges it was asked for; sessions between two of them were never fetched.
                coverage = replace(
                    coverage, uncovered=coverage.uncovered + self._never_fetched(source, coverage, start, end)
                )
            if coverage.complete:
                return frame, coverage
            if best is None or coverage.rows > best[1].rows:
                best = (frame, coverage)
        if best is not None:
            return best
        names = ", ".join(source.name for source in self.sources) or "no local source"
        hint = (
            ""
            if self.online is not None
            else "; fetch it from Yahoo Finance (run online) or give its prices (--prices DIR)"
        )
        reason = f"not in any offline price source ({names}){hint}"
        return empty_price_frame(), Coverage(ticker, exchange, None, reason=reason)

    def _never_fetched(
        self, cache: PriceCache, coverage: Coverage, start: object, end: object
    ) -> tuple[tuple[pd.Timestamp, pd.Timestamp], ...]:
        """Runs of requested completed sessions inside the cached span that no cached range covers."""
        first = coverage.first if start is None else max(pd.Timestamp(start), coverage.first)
        last = coverage.last if end is None else min(pd.Timestamp(end), coverage.last)
        runs: tuple[tuple[pd.Timestamp, pd.Timestamp], ...] = ()
        for gap_start, gap_end in cache.missing_ranges(coverage.ticker, first, last):
            runs += _runs(completed_sessions(coverage.exchange, gap_start, gap_end, self.now))
        return runs

    def load(self, tickers: Iterable[str], start: object = None, end: object = None) -> PriceData:
        """Prices of ``tickers`` over ``[start, end]``, downloading what is missing when online.

        Never raises for missing data: gaps are in :attr:`PriceData.coverage` (see :meth:`history` for strict),
        and so is a failed download (``online_error``), with the local data kept.
        """
        tickers = list(dict.fromkeys(tickers))
        data = PriceData()
        for ticker in tickers:
            data.frames[ticker], data.coverage[ticker] = self._from_local(ticker, self.start_of(ticker, start), end)
        pending = [ticker for ticker in tickers if not data.coverage[ticker].complete]
        if pending and self.online is not None and self.cache is not None:
            try:
                self.fetch(pending, start, end)
            except (NetworkError, InvalidPricesError) as exc:  # a failed or unusable download: keep the local data
                for ticker in pending:
                    data.coverage[ticker] = replace(data.coverage[ticker], online_error=str(exc))
                return data
            for ticker in pending:
                first = self.start_of(ticker, start)
                frame = self.cache.history(ticker, first, end)
                coverage = assess_coverage(frame, ticker, self.exchange_of(ticker), "yahoo", first, end, self.now)
                data.frames[ticker], data.coverage[ticker] = frame, coverage
        return data

    def history(self, ticker: str, start: object = None, end: object = None) -> pd.DataFrame:
        """Prices of one ticker over ``[start, end]``.

        Raises
        ------
        MissingPricesError
            Naming the ticker and the sessions no source has.
        """
        return self.load([ticker], start, end).require(ticker)

    def fetch(self, tickers: Iterable[str], start: object = None, end: object = None) -> dict[str, int]:
        """Download into the cache the parts of ``[start, end]`` it does not hold yet; return rows stored per ticker.

        Tickers missing the same ranges are downloaded in one batch. Each new range is asked with a few days of
        overlap: if the overlapping adjusted closes differ from the cached ones, Yahoo's adjustment basis has
        changed (a dividend or split since the last download) and the ticker's whole span is downloaded again and
        replaces the old rows, so a series never mixes two bases.

        Raises
        ------
        NetworkError
            If Yahoo Finance cannot be reached.
        """
        if self.online is None or self.cache is None:
            raise MissingPricesError("fetching needs the online source and the cache (not available offline)")
        tickers = list(dict.fromkeys(tickers))
        first = pd.Timestamp("1990-01-01") if start is None else pd.Timestamp(start)
        stored = dict.fromkeys(tickers, 0)
        by_gap: dict[tuple[pd.Timestamp, pd.Timestamp], list[str]] = defaultdict(list)
        for ticker in tickers:
            own_first = self.start_of(ticker, first)
            done = completed_sessions(self.exchange_of(ticker), own_first, end, self.now)
            if len(done) == 0:
                continue
            for gap in self.cache.missing_ranges(ticker, own_first, done[-1]):
                by_gap[gap].append(ticker)
        seam = pd.Timedelta(days=SEAM_DAYS)
        for (gap_start, gap_end), members in by_gap.items():
            frames = self.online.histories(members, gap_start - seam, gap_end + seam)
            for ticker, frame in frames.items():
                stored[ticker] += self._store(ticker, frame, gap_start, gap_end)
        return stored

    def _store(self, ticker: str, frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> int:
        assert self.cache is not None and self.online is not None
        coverage = self.cache.coverage(ticker)
        if coverage:
            cached = self.cache.history(ticker)
            common = frame.index.intersection(cached.index)
            new, old = frame.loc[common, "adj_close"].to_numpy(), cached.loc[common, "adj_close"].to_numpy()
            if len(common) and not np.allclose(new, old, rtol=BASIS_TOLERANCE, atol=0):
                span_start, span_end = min(start, coverage[0][0]), max(end, coverage[-1][1])
                whole = self.online.history(ticker, span_start, span_end)
                self.cache.store(ticker, whole, span_start, span_end, replace=True)
                return len(whole)
        inside = frame.loc[start:end]
        self.cache.store(ticker, inside, start, end)
        return len(inside)


def offline_chain(universe: Universe | None = None, source: PriceSource | None = None) -> PriceChain:
    """A chain that never touches the network: ``source`` alone, or by default the local cache, then the packaged
    snapshot (what an :class:`~eventstudy.spec.StudySpec` reads unless given a source)."""
    sources: list[PriceSource] = [source] if source is not None else [PriceCache(), SnapshotSource()]
    return PriceChain(sources, universe=universe)


def as_chain(prices: PriceSource | None, universe: Universe | None = None) -> PriceChain:
    """``prices`` itself when it is a chain, else :func:`offline_chain` of it (the default chain for ``None``)."""
    return prices if isinstance(prices, PriceChain) else offline_chain(universe, prices)


def default_price_source(
    offline: bool = False,
    universe: Universe | None = None,
    prices_dir: str | None = None,
    cache: PriceCache | None = None,
) -> PriceChain:
    """The chain the CLI uses: cache, then snapshot (or a CSV folder first), then Yahoo unless ``offline``.

    Offline, the cache is still read if it exists, but nothing touches the network.
    """
    cache = cache if cache is not None else PriceCache()
    local: list[PriceSource] = [CsvDirectorySource(prices_dir)] if prices_dir else []
    local += [cache, SnapshotSource()]
    return PriceChain(local, online=None if offline else YahooSource(), cache=cache, universe=universe)
