"""Which (event, security) pairs a study measures, and which it leaves out and why.

The pairs are kept as columns (arrays over pairs) rather than one object per pair, so that pairing millions of them
costs a few array operations per event. Their order is the study's order: events in the order of the events file,
then securities in universe order with the baskets last (an event that lists its own tickers: those, in its order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.calendars import calendar_name
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
        Each pair's day 0 on its security's exchange.
    calendar : ndarray of str, shape (P,)
        The trading calendar each pair is counted in.
    """

    events: tuple[Event, ...]
    securities: tuple[Security, ...]
    event: np.ndarray
    security: np.ndarray
    benchmark: np.ndarray
    day_zero: np.ndarray
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
            }
        )

    def by_calendar(self) -> dict[str, np.ndarray]:
        """Positions of the pairs on each trading calendar, calendars in order of first appearance."""
        names, first, inverse = np.unique(self.calendar, return_index=True, return_inverse=True)
        return {str(names[k]): np.flatnonzero(inverse == k) for k in np.argsort(first)}


def plan_pairs(spec: StudySpec) -> tuple[PairPlan, pd.DataFrame]:
    """The pairs of a study and the table of events and securities that gave none, with the reason.

    An event dated only to a month is left out unless ``include_month_precision``; a security is left out of an event
    whose day 0 comes before its listing; an event's own tickers outside the studied securities are left out.
    """
    securities = tuple(spec.securities)
    position = {security.ticker: index for index, security in enumerate(securities)}
    everyone = np.arange(len(securities))
    exchanges = np.array([security.exchange for security in securities], dtype=object)
    benchmarks = np.array([spec.benchmark_of(security) for security in securities], dtype=object)
    calendars = np.array([calendar_name(exchange) for exchange in exchanges], dtype=object)
    listed = pd.DatetimeIndex([security.listed for security in securities]).to_numpy()
    studied = set(spec.studied_securities.tickers)
    skipped: list[tuple[str, str, str]] = []
    events: list[Event] = []
    columns: dict[str, list[np.ndarray]] = {"event": [], "security": [], "day_zero": []}
    for event in spec.events:
        if event.date_precision == "month" and not spec.include_month_precision:
            skipped.append((event.id, "", "dated only to a month (include_month_precision)"))
            continue
        members = everyone
        if event.tickers:
            members = np.array([position[ticker] for ticker in event.tickers if ticker in studied], dtype=int)
            skipped += [
                (event.id, ticker, "not among the studied securities")
                for ticker in event.tickers
                if ticker not in studied
            ]
        day_zero_of = {exchange: event.day_zero(exchange) for exchange in dict.fromkeys(exchanges[members])}
        day_zero = np.array([day_zero_of[exchange] for exchange in exchanges[members]], dtype="datetime64[ns]")
        before_listing = ~np.isnat(listed[members]) & (day_zero < listed[members])
        for security, day in zip(members[before_listing], day_zero[before_listing], strict=True):
            listing = securities[security].listed
            skipped.append(
                (
                    event.id,
                    securities[security].ticker,
                    f"not listed until {listing} (day 0 {pd.Timestamp(day).date()})",
                )
            )
        chosen = ~before_listing
        if chosen.any():
            columns["event"].append(np.full(int(chosen.sum()), len(events)))
            columns["security"].append(members[chosen])
            columns["day_zero"].append(day_zero[chosen])
            events.append(event)
    event_positions = np.concatenate(columns["event"]) if events else np.array([], dtype=int)
    security_positions = np.concatenate(columns["security"]) if events else np.array([], dtype=int)
    plan = PairPlan(
        events=tuple(events),
        securities=securities,
        event=event_positions,
        security=security_positions,
        benchmark=benchmarks[security_positions],
        day_zero=np.concatenate(columns["day_zero"]) if events else np.array([], dtype="datetime64[ns]"),
        calendar=calendars[security_positions],
    )
    return plan, pd.DataFrame(skipped, columns=list(SKIPPED_COLUMNS))
