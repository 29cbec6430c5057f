"""Events: load and validate an events file, align each event to exchange sessions, find overlapping windows.

An events file is a CSV (UTF-8, with or without a BOM; comma-, semicolon- or tab-separated; LF or CRLF line ends,
as Excel writes them) with one row per event and these columns:

==================  ========  ==========================================================================
column              required  content
==================  ========  ==========================================================================
``id``              yes       short unique slug, ``[a-z0-9-]+``
``date``            yes       local calendar date, ISO ``YYYY-MM-DD``
``time``            no        local time of day ``HH:MM`` (or ``HH:MM:SS``); empty when unknown
``timezone``        yes       IANA time zone of ``date`` and ``time``, e.g. ``Asia/Shanghai``
``date_precision``  yes       ``exact`` (a time is known), ``day`` (no time) or ``month`` (only the month)
``title``           yes       English title
``title_zh``        no        short Chinese title
``actor``           yes       company or body behind the event
``category``        yes       one of :data:`CATEGORIES`
``tickers``         no        ``;``-separated tickers the event concerns; empty means the whole universe
``source``          no        file name of the article the event comes from
``quote``           no        verbatim excerpt(s) of ``source`` dating the event, joined by :data:`QUOTE_SEPARATOR`
``notes``           no        how the date was derived, conflicts between sources
==================  ========  ==========================================================================

Other columns are kept, as text, in :attr:`Event.extra`.

Consistency rules: a ``time`` is given exactly when ``date_precision`` is ``exact``; a ``month`` event is dated the
first day of its month (the month is all that is known; such events are left out of daily studies unless asked
for, see :meth:`EventSet.daily`); dates lie between the first and the last session the exchange calendars cover.

Day 0 on each exchange follows the rule of :mod:`eventstudy.calendars`. Windows are counted in trading sessions of
each exchange: an event window ``(tau1, tau2)`` and an estimation window ``(T0, T1)`` with ``T0 <= T1 < tau1``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from eventstudy.calendars import CALENDAR_START, DEFAULT_TIMEZONE, SUPPORTED_EXCHANGES, day_zero, get_calendar
from eventstudy.records import Problem, RecordsFileError, nonempty, read_records, text, to_id, to_tickers

__all__ = [
    "CATEGORIES",
    "COLUMNS",
    "DEFAULT_ESTIMATION_WINDOW",
    "DEFAULT_EVENT_WINDOW",
    "DEFAULT_EXCHANGES",
    "PRECISIONS",
    "QUOTE_SEPARATOR",
    "REQUIRED_COLUMNS",
    "Event",
    "EventSet",
    "EventValidationError",
    "EventsFileError",
    "Problem",
    "check_events",
    "load_events",
]

COLUMNS = (
    "id",
    "date",
    "time",
    "timezone",
    "date_precision",
    "title",
    "title_zh",
    "actor",
    "category",
    "tickers",
    "source",
    "quote",
    "notes",
)
REQUIRED_COLUMNS = ("id", "date", "timezone", "date_precision", "title", "actor", "category")
PRECISIONS = ("exact", "day", "month")
CATEGORIES = ("release", "research", "market", "pricing", "chips", "cloud", "listing", "funding", "policy")
QUOTE_SEPARATOR = " … "
DEFAULT_EXCHANGES = ("XNYS", "XHKG")
DEFAULT_EVENT_WINDOW = (-1, 1)
DEFAULT_ESTIMATION_WINDOW = (-250, -11)

_DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_PATTERN = re.compile(r"\d{2}:\d{2}(:\d{2})?")


class EventValidationError(ValueError):
    """An :class:`Event` (or a set of events) breaks the rules of the events format; ``problems`` lists all."""

    def __init__(self, problems: list[Problem], subject: str) -> None:
        self.problems = problems
        super().__init__(f"invalid {subject}: " + "; ".join(str(problem) for problem in problems))


class EventsFileError(RecordsFileError):
    """An events file that cannot be loaded; ``problems`` lists every problem found, one per line of the message."""


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@lru_cache(maxsize=1)
def _date_bounds() -> tuple[dt.date, dt.date]:
    """First and last date every supported exchange calendar covers."""
    last = min(get_calendar(exchange).last_session for exchange in SUPPORTED_EXCHANGES)
    return dt.date.fromisoformat(CALENDAR_START), last.date()


def _to_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date without a time of day; put the time in the 'time' column")
    if isinstance(value, str):
        if not _DATE_PATTERN.fullmatch(value):
            raise ValueError("must be an ISO date YYYY-MM-DD (if Excel reformatted it, format the column as text)")
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("is not a calendar date") from None
    if not isinstance(value, dt.date):
        raise ValueError("must be a date")
    first, last = _date_bounds()
    if not first <= value <= last:
        raise ValueError(f"is outside {first} .. {last}, the span the exchange calendars cover")
    return value


def _to_time(value: object) -> dt.time | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        if not _TIME_PATTERN.fullmatch(value):
            raise ValueError("must be a local time HH:MM, or empty when unknown")
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            raise ValueError("is not a time of day") from None
    if not isinstance(value, dt.time) or value.tzinfo is not None:
        raise ValueError("must be a local time without time zone (the zone goes in 'timezone')")
    return value


def _to_timezone(value: object) -> str:
    if nonempty(value) not in _timezones():
        raise ValueError("is not an IANA time zone, e.g. Asia/Shanghai or America/New_York")
    return value


def _to_precision(value: object) -> str:
    if value not in PRECISIONS:
        raise ValueError(f"must be one of {', '.join(PRECISIONS)}")
    return value


def _to_category(value: object) -> str:
    if value not in CATEGORIES:
        raise ValueError(f"must be one of {', '.join(CATEGORIES)}")
    return value


_PARSERS = {
    "id": to_id,
    "date": _to_date,
    "time": _to_time,
    "timezone": _to_timezone,
    "title": nonempty,
    "title_zh": text,
    "actor": nonempty,
    "category": _to_category,
    "tickers": to_tickers,
    "source": text,
    "quote": text,
    "notes": text,
}


@dataclass(frozen=True, kw_only=True)
class Event:
    """One dated piece of news that markets could react to.

    Constructing an event validates it with the rules of the events file and raises
    :class:`EventValidationError` listing every problem. Text is accepted for ``date`` (``YYYY-MM-DD``),
    ``time`` (``HH:MM``) and ``tickers`` (``;``-separated). ``date_precision`` defaults to ``exact`` when a time is
    given and ``day`` otherwise.

    Examples
    --------
    >>> event = Event(id="glm-5", date="2026-02-11", time="23:00", title="GLM-5", actor="Zhipu", category="release")
    >>> event.date_precision, event.day_zero("XHKG").date()
    ('exact', datetime.date(2026, 2, 12))
    """

    id: str
    date: dt.date
    time: dt.time | None = None
    timezone: str = DEFAULT_TIMEZONE
    date_precision: str | None = None
    title: str
    title_zh: str = ""
    actor: str
    category: str
    tickers: tuple[str, ...] = ()
    source: str = ""
    quote: str = ""
    notes: str = ""
    extra: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        problems = []
        for name, parse in _PARSERS.items():
            raw = getattr(self, name)
            try:
                object.__setattr__(self, name, parse(raw))
            except ValueError as exc:
                problems.append(Problem(str(exc), name, str(raw)))
        precision = self.date_precision
        if precision is None:
            precision = "day" if self.time is None else "exact"
            object.__setattr__(self, "date_precision", precision)
        failed = {problem.column for problem in problems}
        try:
            _to_precision(precision)
        except ValueError as exc:
            problems.append(Problem(str(exc), "date_precision", str(precision)))
        else:
            if "time" not in failed and (self.time is not None) != (precision == "exact"):
                reason = "a time of day needs date_precision 'exact'; 'exact' needs a time"
                problems.append(Problem(reason, "date_precision", precision))
            if "date" not in failed and precision == "month" and self.date.day != 1:
                reason = "a month-precision event is dated the first day of its month"
                problems.append(Problem(reason, "date", str(self.date)))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))
        problems += [
            Problem("an extra column must have a name outside the standard columns and a text value", str(key))
            for key, value in self.extra.items()
            if key in COLUMNS or not isinstance(key, str) or not isinstance(value, str)
        ]
        if problems:
            raise EventValidationError(problems, f"event {self.id!r}")

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> Event:
        """Build an event from one row of an events file (text values; columns beyond :data:`COLUMNS` go to
        ``extra``; an empty ``time`` means unknown)."""
        values = {column: record.get(column, "") for column in COLUMNS}
        extra = {column: value for column, value in record.items() if column not in COLUMNS}
        return cls(**values, extra=extra)

    def to_record(self) -> dict[str, str]:
        """The event as one row of an events file (text values, extra columns last)."""
        time = "" if self.time is None else self.time.isoformat("seconds" if self.time.second else "minutes")
        values = {column: getattr(self, column) for column in COLUMNS}
        values.update(date=self.date.isoformat(), time=time, tickers=";".join(self.tickers))
        return values | dict(self.extra)

    @property
    def quotes(self) -> tuple[str, ...]:
        """The verbatim excerpts of ``quote`` (it may join several with :data:`QUOTE_SEPARATOR`)."""
        return tuple(self.quote.split(QUOTE_SEPARATOR)) if self.quote else ()

    def day_zero(self, exchange: str) -> pd.Timestamp:
        """First session of ``exchange`` that can react to the event (see :func:`eventstudy.calendars.day_zero`).

        A ``month`` event is taken at the first day of its month.
        """
        return day_zero(self.date, exchange, self.time, self.timezone)


class EventSet:
    """An ordered collection of events with unique ids.

    Iterate over it, take ``len``, look events up by id (``events["deepseek-r1"]``) or position (``events[0]``).

    Raises
    ------
    EventValidationError
        If two events share an id.
    """

    def __init__(self, events: Iterable[Event]) -> None:
        self._events = tuple(events)
        self._by_id = {event.id: event for event in self._events}
        if len(self._by_id) != len(self._events):
            counts = Counter(event.id for event in self._events)
            problems = [Problem("duplicate id", "id", event_id) for event_id, n in counts.items() if n > 1]
            raise EventValidationError(problems, "event set")

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    def __len__(self) -> int:
        return len(self._events)

    def __getitem__(self, key: str | int) -> Event:
        if isinstance(key, str):
            if key not in self._by_id:
                raise KeyError(f"no event with id {key!r}")
            return self._by_id[key]
        return self._events[key]

    def __contains__(self, key: object) -> bool:
        return key in self._by_id or key in self._events

    def __repr__(self) -> str:
        return f"EventSet({len(self)} events)"

    @property
    def ids(self) -> list[str]:
        """Event ids in order."""
        return list(self._by_id)

    def daily(self, include_month: bool = False) -> EventSet:
        """The events usable in a daily study: those dated to the day (``exact`` or ``day``), plus the
        ``month`` events when ``include_month`` is true."""
        return EventSet(e for e in self if include_month or e.date_precision != "month")

    def to_frame(self) -> pd.DataFrame:
        """One row per event: the columns of :data:`COLUMNS` (``date`` as datetime64, ``time`` as
        ``datetime.time`` or None, ``tickers`` as tuples), then the extra columns as text."""
        rows = [{column: getattr(event, column) for column in COLUMNS} | dict(event.extra) for event in self._events]
        frame = pd.DataFrame(rows, columns=self._columns())
        frame["date"] = pd.to_datetime(frame["date"])
        return frame

    def to_csv(self, path: str | Path) -> None:
        """Write the events file: UTF-8 without BOM, ``\\n`` line ends, minimal quoting; it loads back equal."""
        with Path(path).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=self._columns(), lineterminator="\n", restval="")
            writer.writeheader()
            writer.writerows(event.to_record() for event in self._events)

    def _columns(self) -> list[str]:
        extra = dict.fromkeys(column for event in self._events for column in event.extra)
        return [*COLUMNS, *extra]

    def day_zero_table(self, exchanges: Iterable[str] = DEFAULT_EXCHANGES) -> pd.DataFrame:
        """Day 0 of every event on every exchange.

        Returns
        -------
        pandas.DataFrame
            Tidy, one row per (event, exchange): ``event_id``, ``exchange``, ``date``, ``time``, ``timezone``,
            ``date_precision``, ``day_zero`` (the session, tz-naive).
        """
        rows = [
            {
                "event_id": event.id,
                "exchange": exchange,
                "date": pd.Timestamp(event.date),
                "time": event.time,
                "timezone": event.timezone,
                "date_precision": event.date_precision,
                "day_zero": event.day_zero(exchange),
            }
            for exchange in exchanges
            for event in self._events
        ]
        columns = ["event_id", "exchange", "date", "time", "timezone", "date_precision", "day_zero"]
        return pd.DataFrame(rows, columns=columns).astype({"date": "datetime64[ns]", "day_zero": "datetime64[ns]"})

    def overlaps(
        self,
        event_window: tuple[int, int] = DEFAULT_EVENT_WINDOW,
        estimation_window: tuple[int, int] = DEFAULT_ESTIMATION_WINDOW,
        exchanges: Iterable[str] = DEFAULT_EXCHANGES,
        include_month: bool = False,
    ) -> pd.DataFrame:
        """Pairs of events whose windows collide on the same exchange.

        * ``overlap``: the event windows of ``event_id`` and ``other_event_id`` share sessions (listed from both
          sides, so each event finds all of its overlaps under its own id);
        * ``contamination``: the event window of ``other_event_id`` reaches into the estimation window of
          ``event_id``, whose normal-return model is then fitted on days moved by other news.

        Parameters
        ----------
        event_window
            ``(tau1, tau2)`` in sessions relative to day 0, inclusive.
        estimation_window
            ``(T0, T1)`` in sessions relative to day 0, inclusive, with ``T0 <= T1 < tau1``.
        exchanges
            Exchange MICs; sessions are those of each exchange's own calendar.
        include_month
            Include ``month``-precision events (taken at the first of their month); left out by default.

        Returns
        -------
        pandas.DataFrame
            Tidy, one row per (event, other event, exchange, kind): ``event_id``, ``other_event_id``, ``exchange``,
            ``kind``, ``day_zero``, ``other_day_zero``, ``sessions_apart`` (other day 0 minus day 0, in sessions)
            and ``shared_sessions`` (sessions of the other event's window inside this event's event window for an
            overlap, inside its estimation window for a contamination).

        Raises
        ------
        ValueError
            If the windows are not ordered ``T0 <= T1 < tau1 <= tau2``.
        """
        tau1, tau2 = event_window
        first, last = estimation_window
        if not first <= last < tau1 <= tau2:
            raise ValueError(
                f"windows must satisfy T0 <= T1 < tau1 <= tau2; got estimation {estimation_window}, "
                f"event {event_window}"
            )
        table = self.daily(include_month).day_zero_table(exchanges)
        frames = []
        for exchange, group in table.groupby("exchange", sort=False):
            ids = group["event_id"].to_numpy()
            days = group["day_zero"].to_numpy()
            positions = get_calendar(exchange).sessions.get_indexer(days)
            apart = positions[np.newaxis, :] - positions[:, np.newaxis]  # apart[i, j]: sessions from i to j
            # Sessions of j's event window [apart + tau1, apart + tau2] inside i's window [low, high].
            for kind, (low, high) in (("overlap", event_window), ("contamination", estimation_window)):
                shared = np.minimum(apart + tau2, high) - np.maximum(apart + tau1, low) + 1
                np.fill_diagonal(shared, 0)
                i, j = np.nonzero(shared > 0)
                frames.append(
                    pd.DataFrame(
                        {
                            "event_id": ids[i],
                            "other_event_id": ids[j],
                            "exchange": exchange,
                            "kind": kind,
                            "day_zero": days[i],
                            "other_day_zero": days[j],
                            "sessions_apart": apart[i, j],
                            "shared_sessions": shared[i, j],
                        }
                    )
                )
        columns = [
            "event_id",
            "other_event_id",
            "exchange",
            "kind",
            "day_zero",
            "other_day_zero",
            "sessions_apart",
            "shared_sessions",
        ]
        if not frames:
            return pd.DataFrame(columns=columns)
        return pd.concat(frames, ignore_index=True)[columns]


def _read(path: str | Path) -> tuple[list[Event], list[Problem]]:
    """Parse an events file into its valid events and every problem found (the events are complete only
    when there are no problems)."""
    records, problems = read_records(path, COLUMNS, REQUIRED_COLUMNS)
    missing = {problem.column for problem in problems if problem.row == 1}
    events: list[Event] = []
    for row, record in records:
        try:
            events.append(Event.from_record(record))
        except EventValidationError as exc:
            problems += [replace(p, file=str(path), row=row) for p in exc.problems if p.column not in missing]
    return events, problems


def check_events(path: str | Path) -> list[Problem]:
    """Every problem of an events file (empty when the file is valid).

    Problems carry the file name and row (header = row 1, first event = row 2, as in a spreadsheet).

    Raises
    ------
    OSError
        If the file cannot be read (e.g. it does not exist).
    """
    return _read(path)[1]


def load_events(path: str | Path) -> EventSet:
    """Load and validate an events file.

    Parameters
    ----------
    path
        CSV file in the format of this module's docstring.

    Returns
    -------
    EventSet
        The events in file order.

    Raises
    ------
    EventsFileError
        Listing every problem of the file as ``file:row: column 'x': value 'v': reason`` (header = row 1, first
        event = row 2, as in a spreadsheet; a quoted value spanning several lines is still one row).
    OSError
        If the file cannot be read.
    """
    events, problems = _read(path)
    if problems:
        raise EventsFileError(path, problems)
    return EventSet(events)
