"""Which (event, security) pairs a study measures, and which it leaves out and why.

The pairs are kept as columns (arrays over pairs) rather than one object per pair, so that pairing millions of them
costs a few array operations per event. Their order is the study's order: events in the order of the events file,
then securities in universe order with the baskets last (an event that lists its own tickers: those, in its order).

An event known only to lie in a span of time may reach the market on any session from the day 0 of its start to the
day 0 of its end. On an exchange where those differ by k sessions, the pair's day 0 is the first possible session
and every event window is extended by k sessions at its end, so that it runs from ``tau1`` sessions around the first
possible day 0 to ``tau2`` sessions after the last. The AR path must reach that far: a span wider than the sessions
the path leaves beyond the longest window is left out, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.calendars import calendar_name, sessions
from eventstudy.events import Event
from eventstudy.spec import StudySpec
from eventstudy.universe import Security

__all__ = ["SKIPPED_COLUMNS", "PairPlan", "plan_pairs"]

#: Columns of the table of events and securities that gave no pair.
SKIPPED_COLUMNS = ("event_id", "ticker", "reason")


@dataclass(frozen=True)
class PairPlan:
    """The pairs of a study as arrays over pairs.

    Attributes
    ----------
    events
        The events with at least one pair, by position.
    securities
        Every security of the study (:attr:`StudySpec.securities`), by position.
    event, security : ndarray of int, shape (P,)
        Each pair's event and security, as positions in :attr:`events` and :attr:`securities`.
    benchmark : ndarray of str, shape (P,)
        Each pair's benchmark ticker.
    day_zero : ndarray of datetime64[ns], shape (P,)
        Each pair's day 0 on its security's exchange (the first possible one for a span).
    day_zero_last : ndarray of datetime64[ns], shape (P,)
        The last possible day 0 (equal to ``day_zero`` unless the event is a span).
    extension : ndarray of int, shape (P,)
        Sessions from ``day_zero`` to ``day_zero_last``, by which every event window of the pair is extended.
    calendar : ndarray of str, shape (P,)
        The trading calendar each pair is counted in.
    """

    events: tuple[Event, ...]
    securities: tuple[Security, ...]
    event: np.ndarray
    security: np.ndarray
    benchmark: np.ndarray
    day_zero: np.ndarray
    day_zero_last: np.ndarray
    extension: np.ndarray
    calendar: np.ndarray

    def __len__(self) -> int:
        return int(self.event.size)

    def _column(self, values: list[str], positions: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=object)[positions] if positions.size else np.array([], dtype=object)

    @property
    def event_ids(self) -> np.ndarray:
        """Event id of each pair."""
        return self._column([event.id for event in self.events], self.event)

    @property
    def tickers(self) -> np.ndarray:
        """Ticker of each pair."""
        return self._column([security.ticker for security in self.securities], self.security)

    @property
    def groups(self) -> np.ndarray:
        """Universe group of each pair's security."""
        return self._column([security.group for security in self.securities], self.security)

    def keys(self) -> pd.DataFrame:
        """The identity columns of the pairs table: event, security, its name, group and exchange, benchmark, day 0."""
        return pd.DataFrame(
            {
                "event_id": self.event_ids,
                "ticker": self.tickers,
                "name": self._column([security.name for security in self.securities], self.security),
                "group": self.groups,
                "exchange": self._column([security.exchange for security in self.securities], self.security),
                "benchmark": self.benchmark,
                "day_zero": pd.DatetimeIndex(self.day_zero),
                "day_zero_last": pd.DatetimeIndex(self.day_zero_last),
                "window_extension": self.extension,
            }
        )

    def by_calendar(self) -> dict[str, np.ndarray]:
        """Positions of the pairs on each trading calendar, calendars in order of first appearance."""
        names, first, inverse = np.unique(self.calendar, return_index=True, return_inverse=True)
        return {str(names[k]): np.flatnonzero(inverse == k) for k in np.argsort(first)}


def _span_sessions(exchange: str, first: pd.Timestamp, last: pd.Timestamp) -> int:
    """Sessions from ``first`` to ``last`` on ``exchange`` (0 when they are the same session)."""
    return len(sessions(exchange, first, last)) - 1


def plan_pairs(spec: StudySpec) -> tuple[PairPlan, pd.DataFrame]:
    """The pairs of a study and the table of events and securities that gave none, with the reason.

    Events left out of daily studies (undated, or dated only to a month unless ``include_month_precision``) give no
    pair; a security is left out of an event whose day 0 comes before its listing, or whose day 0 on its exchange is
    uncertain over more sessions than the AR path allows (see the module docstring); an event's own tickers outside
    the studied securities are left out.
    """
    securities = tuple(spec.securities)
    position = {security.ticker: index for index, security in enumerate(securities)}
    everyone = np.arange(len(securities))
    exchanges = np.array([security.exchange for security in securities], dtype=object)
    benchmarks = np.array([spec.benchmark_of(security) for security in securities], dtype=object)
    calendars = np.array([calendar_name(exchange) for exchange in exchanges], dtype=object)
    listed = pd.DatetimeIndex([security.listed for security in securities]).to_numpy()
    studied = set(spec.studied_securities.tickers)
    excluded = {event.id: reason for event, reason in spec.events.excluded(spec.include_month_precision)}
    allowance = spec.path_window[1] - max(last for _, last in spec.event_windows)
    skipped: list[tuple[str, str, str]] = []
    events: list[Event] = []
    columns: dict[str, list[np.ndarray]] = {"event": [], "security": [], "day_zero": [], "last": [], "extension": []}
    for event in spec.events:
        if event.id in excluded:
            skipped.append((event.id, "", excluded[event.id]))
            continue
        members = everyone
        if event.tickers:
            members = np.array([position[ticker] for ticker in event.tickers if ticker in studied], dtype=int)
            skipped += [
                (event.id, ticker, "not among the studied securities")
                for ticker in event.tickers
                if ticker not in studied
            ]
        ranges = {exchange: event.day_zero_range(exchange) for exchange in dict.fromkeys(exchanges[members])}
        spans = {exchange: _span_sessions(exchange, *days) for exchange, days in ranges.items()}
        day_zero = np.array([ranges[exchange][0] for exchange in exchanges[members]], dtype="datetime64[ns]")
        last = np.array([ranges[exchange][1] for exchange in exchanges[members]], dtype="datetime64[ns]")
        extension = np.array([spans[exchange] for exchange in exchanges[members]], dtype=np.int64)
        before_listing = ~np.isnat(listed[members]) & (day_zero < listed[members])
        too_wide = ~before_listing & (extension > allowance)
        for security, day in zip(members[before_listing], day_zero[before_listing], strict=True):
            listing = securities[security].listed
            skipped.append(
                (
                    event.id,
                    securities[security].ticker,
                    f"not listed until {listing} (day 0 {pd.Timestamp(day).date()})",
                )
            )
        for security in members[too_wide]:
            exchange = str(exchanges[security])
            first, end = ranges[exchange]
            reason = (
                f"day 0 on {exchange} is uncertain over {spans[exchange] + 1} sessions ({first.date()}..{end.date()}: "
                f"the event is known only to a span), more than the AR path {spec.path_window} leaves beyond the "
                f"longest event window ({allowance} sessions); widen path_window to study it"
            )
            skipped.append((event.id, securities[security].ticker, reason))
        chosen = ~before_listing & ~too_wide
        if chosen.any():
            columns["event"].append(np.full(int(chosen.sum()), len(events)))
            columns["security"].append(members[chosen])
            columns["day_zero"].append(day_zero[chosen])
            columns["last"].append(last[chosen])
            columns["extension"].append(extension[chosen])
            events.append(event)

    def joined(name: str, dtype: str) -> np.ndarray:
        return np.concatenate(columns[name]) if events else np.array([], dtype=dtype)

    security_positions = joined("security", "int64")
    plan = PairPlan(
        events=tuple(events),
        securities=securities,
        event=joined("event", "int64"),
        security=security_positions,
        benchmark=benchmarks[security_positions],
        day_zero=joined("day_zero", "datetime64[ns]"),
        day_zero_last=joined("last", "datetime64[ns]"),
        extension=joined("extension", "int64"),
        calendar=calendars[security_positions],
    )
    return plan, pd.DataFrame(skipped, columns=list(SKIPPED_COLUMNS))
