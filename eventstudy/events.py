"""Events: load and validate an events file, align each event to exchange sessions, find overlapping windows.

An events file is a CSV (UTF-8, with or without a BOM; comma-, semicolon- or tab-separated; LF or CRLF line ends,
as Excel writes them) with one row per event. Only ``id``, ``date`` and ``title`` are required; the columns may come
in any order:

==================  ==========================================================================================
column              content
==================  ==========================================================================================
``id``              unique slug ``[a-z0-9-]+`` of at most 100 characters (it names report files)
``date``            ``YYYY-MM-DD`` (a day), ``YYYY-MM`` (only the month is known), ``YYYY-MM-DD HH:MM`` (a date
                    and a time in one cell), or empty for an undated event
``time``            local time of day ``HH:MM`` (or ``HH:MM:SS``); empty when unknown
``timezone``        IANA time zone of the times, e.g. ``Asia/Shanghai``; required exactly when a time is given
                    (there is no default zone); a date alone needs none
``date_end``        for news known only to a span (e.g. a week): the latest date it can have happened (inclusive)
``time_end``        the latest time on ``date_end`` (needs ``timezone`` too)
``date_precision``  optional, inferred from the cells: ``exact`` (a date and a time), ``day`` (a date),
                    ``span`` (``date_end`` given), ``month`` (``YYYY-MM``; old files' ``YYYY-MM-01`` with
                    ``month`` are still read) or ``undated`` (empty ``date``); when given it must agree with them
``title``           title
``title_zh``        title in the source's language (free text)
``actor``           company or body behind the event (free text)
``category``        kind of news, free text (``release``, ``earnings``, ``central bank``, ...)
``tickers``         ``;``-separated tickers the event concerns; empty means the whole universe
``source``          where the event comes from (e.g. the file name of an article)
``quote``           verbatim excerpt(s) of ``source`` dating the event, joined by :data:`QUOTE_SEPARATOR`
``notes``           how the date was derived, conflicts between sources
``date_source``     where the date comes from: ``article`` or ``external: ...`` (free text)
``status``          ``reported`` (default: it happened) or ``planned`` (announced for a later date; still studied,
                    the announcement being the news)
==================  ==========================================================================================

Other columns are kept, as text, in :attr:`Event.extra` and written back by :meth:`EventSet.to_csv`.

Which events a daily study uses: ``exact``, ``day`` and ``span`` events (see :meth:`EventSet.daily`); ``month``
events only when asked for (taken at the first of the month); ``undated`` events never
(:meth:`EventSet.excluded` says why each is left out). Dates start in 2010, where the calendars begin; day 0 must
fall inside the calendar of each exchange studied (``exchange_calendars`` knows about a year ahead), which
:func:`check_events` and :func:`load_events` verify on the exchanges they are given.

Day 0 on each exchange follows the rule of :mod:`eventstudy.calendars`; a span has a range of possible day 0s
(:meth:`Event.day_zero_range`). Windows are counted in trading sessions of each exchange: an event window
``(tau1, tau2)`` and an estimation window ``(T0, T1)`` with ``T0 <= T1 < tau1``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from eventstudy.calendars import CALENDAR_START, CalendarError, day_zero, session_table
from eventstudy.exchanges import MAX_NAME_LENGTH, check_ticker
from eventstudy.records import Problem, RecordsFileError, nonempty, read_records, text, to_id, to_tickers

__all__ = [
    "COLUMNS",
    "DAILY_PRECISIONS",
    "DEFAULT_ESTIMATION_WINDOW",
    "DEFAULT_EVENT_WINDOW",
    "DEFAULT_EXCHANGES",
    "PRECISIONS",
    "QUOTE_SEPARATOR",
    "REQUIRED_COLUMNS",
    "STATUSES",
    "Event",
    "EventSet",
    "EventValidationError",
    "EventsFileError",
    "Problem",
    "UndatedEventError",
    "check_events",
    "load_events",
    "one_off_event",
]

COLUMNS = (
    "id",
    "date",
    "time",
    "timezone",
    "date_end",
    "time_end",
    "date_precision",
    "title",
    "title_zh",
    "actor",
    "category",
    "tickers",
    "source",
    "quote",
    "notes",
    "date_source",
    "status",
)
REQUIRED_COLUMNS = ("id", "date", "title")
PRECISIONS = ("exact", "day", "span", "month", "undated")
#: Precisions a daily study uses (``month`` only when asked for, ``undated`` never).
DAILY_PRECISIONS = ("exact", "day", "span")
STATUSES = ("reported", "planned")
QUOTE_SEPARATOR = " … "
DEFAULT_EXCHANGES = ("XNYS", "XHKG")
DEFAULT_EVENT_WINDOW = (-1, 1)
DEFAULT_ESTIMATION_WINDOW = (-250, -11)

_DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")
_DATE_TIME_PATTERN = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)")
_TIME_PATTERN = re.compile(r"\d{2}:\d{2}(:\d{2})?")
_FIRST_DATE = dt.date.fromisoformat(CALENDAR_START)
#: What each precision needs, for the message when a given ``date_precision`` disagrees with the cells.
_PRECISION_NEEDS = {
    "exact": "needs a time of day ('time', or 'YYYY-MM-DD HH:MM' in 'date') and no 'date_end'",
    "day": "is a date without a time and without 'date_end'",
    "span": "needs 'date_end', the latest date the event can have happened",
    "month": "is a 'date' of the form YYYY-MM, without a time or 'date_end'",
    "undated": "has an empty 'date'",
}


class EventValidationError(ValueError):
    """An :class:`Event` (or a set of events) breaks the rules of the events format; ``problems`` lists all."""

    def __init__(self, problems: list[Problem], subject: str) -> None:
        self.problems = problems
        super().__init__(f"invalid {subject}: " + "; ".join(str(problem) for problem in problems))


class EventsFileError(RecordsFileError):
    """An events file that cannot be loaded; ``problems`` lists every problem found, one per line of the message."""


class UndatedEventError(ValueError):
    """Day 0 was asked of an undated event."""


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check_date(value: dt.date) -> dt.date:
    if value < _FIRST_DATE:
        raise ValueError(f"is before {_FIRST_DATE}, where the exchange calendars begin")
    return value


def _to_moment(value: object, month: bool) -> tuple[dt.date | None, dt.time | None, bool]:
    """``(date, time, is_month)`` of a date cell: a date, a month (when ``month``), a date and time, or empty."""
    if value is None or value == "":
        return None, None, False
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError("must be a local date and time without time zone (the zone goes in 'timezone')")
        return _check_date(value.date()), value.time(), False
    if isinstance(value, dt.date):
        return _check_date(value), None, False
    forms = "YYYY-MM-DD, YYYY-MM-DD HH:MM" + (" or a month YYYY-MM" if month else "")
    if not isinstance(value, str):
        raise ValueError(f"must be a date {forms}")
    clock = None
    matched = _DATE_TIME_PATTERN.fullmatch(value)
    if matched:
        value, clock = matched.group(1), _to_time(matched.group(2))
    elif month and _MONTH_PATTERN.fullmatch(value):
        year, number = (int(part) for part in value.split("-"))
        if not 1 <= number <= 12:
            raise ValueError("is not a month")
        return _check_date(dt.date(year, number, 1)), None, True
    elif not _DATE_PATTERN.fullmatch(value):
        raise ValueError(f"must be a date {forms} (if Excel reformatted it, format the column as text)")
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("is not a calendar date") from None
    return _check_date(date), clock, False


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


def _to_timezone(value: object) -> str | None:
    if value is None or value == "":
        return None
    if value not in _timezones():
        raise ValueError("is not an IANA time zone, e.g. Asia/Shanghai or America/New_York")
    return value


def _to_event_id(value: object) -> str:
    checked = to_id(value)
    if len(checked) > MAX_NAME_LENGTH:
        raise ValueError(f"is longer than {MAX_NAME_LENGTH} characters (ids name report files)")
    return checked


def _to_event_tickers(value: object) -> tuple[str, ...]:
    tickers = to_tickers(value)
    for ticker in tickers:
        try:
            check_ticker(ticker)
        except ValueError as exc:
            raise ValueError(f"{ticker!r} {exc}") from None
    return tickers


def _to_status(value: object) -> str:
    if value == "":
        return "reported"
    if value not in STATUSES:
        raise ValueError(f"must be one of {', '.join(STATUSES)} (empty: reported)")
    return value


_PARSERS: dict[str, Callable[[object], object]] = {
    "id": _to_event_id,
    "time": _to_time,
    "timezone": _to_timezone,
    "time_end": _to_time,
    "title": nonempty,
    "title_zh": text,
    "actor": text,
    "category": text,
    "tickers": _to_event_tickers,
    "source": text,
    "quote": text,
    "notes": text,
    "date_source": text,
    "status": _to_status,
}


def _format_time(value: dt.time | None) -> str:
    return "" if value is None else value.isoformat("seconds" if value.second else "minutes")


@dataclass(frozen=True, kw_only=True)
class Event:
    """One dated piece of news that markets could react to.

    Only ``id``, ``date`` and ``title`` are required. Constructing an event validates it with the rules of the
    events file (module docstring) and raises :class:`EventValidationError` listing every problem. Text is accepted
    for ``date`` (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY-MM-DD HH:MM`` or empty), ``time`` (``HH:MM``), ``date_end``,
    ``time_end`` and ``tickers`` (``;``-separated); ``date_precision`` is inferred when not given.

    Examples
    --------
    >>> event = Event(id="glm-5", date="2026-02-11 23:00", timezone="Asia/Shanghai", title="GLM-5")
    >>> event.date_precision, event.day_zero("XHKG").date()
    ('exact', datetime.date(2026, 2, 12))
    """

    id: str
    date: dt.date | None
    title: str
    time: dt.time | None = None
    timezone: str | None = None
    date_end: dt.date | None = None
    time_end: dt.time | None = None
    date_precision: str | None = None
    title_zh: str = ""
    actor: str = ""
    category: str = ""
    tickers: tuple[str, ...] = ()
    source: str = ""
    quote: str = ""
    notes: str = ""
    date_source: str = ""
    status: str = "reported"
    extra: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        problems: list[Problem] = []

        def parse(column: str, parser: Callable[[object], object], raw: object) -> object:
            try:
                return parser(raw)
            except ValueError as exc:
                problems.append(Problem(str(exc), column, str(raw)))
                return None

        for name, parser in _PARSERS.items():
            object.__setattr__(self, name, parse(name, parser, getattr(self, name)))
        failed = {problem.column for problem in problems}
        start = parse("date", lambda raw: _to_moment(raw, month=True), self.date)
        end = parse("date_end", lambda raw: _to_moment(raw, month=False), self.date_end)
        failed |= {problem.column for problem in problems}
        date, clock, is_month = start if isinstance(start, tuple) else (None, None, False)
        date_end, clock_end, _ = end if isinstance(end, tuple) else (None, None, False)
        for cell_time, column, date_column in ((clock, "time", "date"), (clock_end, "time_end", "date_end")):
            given = getattr(self, column)
            if cell_time is not None and given is not None and given != cell_time:
                reason = f"differs from the time in '{date_column}'; give the time once"
                problems.append(Problem(reason, column, _format_time(given)))
            if cell_time is not None:
                object.__setattr__(self, column, cell_time)
        object.__setattr__(self, "date", date)
        object.__setattr__(self, "date_end", date_end)
        if not failed & {"date", "date_end", "time", "time_end"}:
            problems += self._moment_problems(is_month)
        if "timezone" not in failed and self.timezone is None and (self.time or self.time_end) is not None:
            reason = "a time of day needs its IANA time zone here, e.g. Asia/Shanghai (there is no default zone)"
            problems.append(Problem(reason, "timezone", ""))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))
        problems += [
            Problem("an extra column must have a name outside the standard columns and a text value", str(key))
            for key, value in self.extra.items()
            if key in COLUMNS or not isinstance(key, str) or not isinstance(value, str)
        ]
        if problems:
            raise EventValidationError(problems, f"event {self.id!r}")

    def _moment_problems(self, is_month: bool) -> list[Problem]:
        """Infer ``date_precision`` from the parsed cells, or check the given one against them."""
        problems = []
        if self.date is None or is_month:
            what = "an undated event (empty 'date')" if self.date is None else "a month-precision event"
            for column in ("time", "date_end", "time_end"):
                if getattr(self, column) is not None:
                    problems.append(Problem(f"{what} has no {column}", column, str(getattr(self, column))))
        if self.time_end is not None and self.date_end is None:
            problems.append(Problem("needs 'date_end', the date it is the time of", "time_end", str(self.time_end)))
        if self.date is not None and self.date_end is not None:
            start = (self.date, self.time or dt.time.min)
            if (self.date_end, self.time_end or dt.time.max) < start:
                problems.append(Problem("is before the start of the event", "date_end", str(self.date_end)))
        inferred = (
            "undated"
            if self.date is None
            else "month"
            if is_month
            else "span"
            if self.date_end is not None
            else "exact"
            if self.time is not None
            else "day"
        )
        given = self.date_precision
        if given is None or given == "" or given == inferred:
            object.__setattr__(self, "date_precision", inferred)
        elif given not in PRECISIONS:
            problems.append(Problem(f"must be one of {', '.join(PRECISIONS)}, or empty", "date_precision", given))
        elif given == "month" and inferred == "day":
            if isinstance(self.date, dt.date) and self.date.day != 1:
                reason = "a month-precision event is dated YYYY-MM (or, in older files, the 1st of its month)"
                problems.append(Problem(reason, "date", str(self.date)))
        else:
            reason = f"'{given}' {_PRECISION_NEEDS[given]}; the cells of this row say '{inferred}'"
            problems.append(Problem(reason, "date_precision", given))
        return problems

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> Event:
        """Build an event from one row of an events file (text values; columns beyond :data:`COLUMNS` go to
        ``extra`` unless empty; an empty cell means unknown)."""
        values = {column: record.get(column, "") for column in COLUMNS}
        extra = {column: value for column, value in record.items() if column not in COLUMNS and value}
        return cls(**values, extra=extra)  # type: ignore[arg-type]  # text cells; __post_init__ parses them

    def to_record(self) -> dict[str, str]:
        """The event as one row of an events file (text values, extra columns last); it reads back equal."""
        values = {column: getattr(self, column) for column in COLUMNS}
        date = "" if self.date is None else self.date.isoformat()
        values.update(
            date=date[:7] if self.date_precision == "month" else date,
            time=_format_time(self.time),
            timezone=self.timezone or "",
            date_end="" if self.date_end is None else self.date_end.isoformat(),
            time_end=_format_time(self.time_end),
            tickers=";".join(self.tickers),
        )
        return values | dict(self.extra)

    @property
    def quotes(self) -> tuple[str, ...]:
        """The verbatim excerpts of ``quote`` (it may join several with :data:`QUOTE_SEPARATOR`)."""
        return tuple(self.quote.split(QUOTE_SEPARATOR)) if self.quote else ()

    def day_zero(self, exchange: str) -> pd.Timestamp:
        """First session of ``exchange`` that can react to the event (see :func:`eventstudy.calendars.day_zero`):
        of its earliest instant for a span; a ``month`` event is taken at the first day of its month.

        Raises
        ------
        UndatedEventError
            For an undated event.
        CalendarError
            Naming the event, if day 0 falls after the last session of the exchange's calendar.
        """
        if self.date is None:
            raise UndatedEventError(f"event {self.id!r} is undated: it has no day 0 (it is left out of daily studies)")
        return self._day_zero(self.date, self.time, exchange)

    def day_zero_range(self, exchange: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last possible day 0 on ``exchange``: equal for a point in time; for a span, day 0 of its start
        and of its end (``date_end`` at ``time_end``; without ``time_end``, ``date_end`` if it is a session, else the
        next session; never before the first).

        Raises
        ------
        UndatedEventError, CalendarError
            As :meth:`day_zero`.
        """
        first = self.day_zero(exchange)
        if self.date_end is None:
            return first, first
        return first, max(first, self._day_zero(self.date_end, self.time_end, exchange))

    def _day_zero(self, date: dt.date, time: dt.time | None, exchange: str) -> pd.Timestamp:
        try:
            return day_zero(date, exchange, time, self.timezone)
        except CalendarError as exc:
            raise CalendarError(f"event {self.id!r}: {exc}") from None


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

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EventSet) and self._events == other._events

    def __hash__(self) -> int:
        return hash(self._events)

    def __repr__(self) -> str:
        return f"EventSet({len(self)} events)"

    @property
    def ids(self) -> list[str]:
        """Event ids in order."""
        return list(self._by_id)

    def daily(self, include_month: bool = False) -> EventSet:
        """The events usable in a daily study: ``exact``, ``day`` and ``span`` events, plus the ``month`` events
        when ``include_month`` is true; never the undated ones."""
        precisions = (*DAILY_PRECISIONS, "month") if include_month else DAILY_PRECISIONS
        return EventSet(event for event in self if event.date_precision in precisions)

    def excluded(self, include_month: bool = False) -> list[tuple[Event, str]]:
        """Every event left out of daily studies (those not in :meth:`daily`), with the reason in words."""
        left_out = []
        for event in self:
            if event.date_precision == "month" and not include_month:
                left_out.append((event, "dated only to a month (include_month_precision)"))
            elif event.date_precision == "undated":
                notes = " ".join(event.notes.split())
                excerpt = notes if len(notes) <= 120 else notes[:119] + "…"
                left_out.append((event, f"undated: {excerpt or 'no date in the source'}"))
        return left_out

    def to_frame(self) -> pd.DataFrame:
        """One row per event: the columns of :data:`COLUMNS` (``date`` and ``date_end`` as datetime64, NaT when
        absent; ``time`` and ``time_end`` as ``datetime.time`` or None; ``tickers`` as tuples), then the extra
        columns as text."""
        rows = [{column: getattr(event, column) for column in COLUMNS} | dict(event.extra) for event in self._events]
        frame = pd.DataFrame(rows, columns=self._columns())
        for column in ("date", "date_end"):
            frame[column] = pd.to_datetime(frame[column])
        return frame

    def to_csv(self, path: str | Path) -> None:
        """Write the events file: UTF-8 without BOM, ``\\n`` line ends, minimal quoting, every column of
        :data:`COLUMNS` then the extra ones; it loads back equal."""
        with Path(path).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=self._columns(), lineterminator="\n", restval="")
            writer.writeheader()
            writer.writerows(event.to_record() for event in self._events)

    def _columns(self) -> list[str]:
        extra = dict.fromkeys(column for event in self._events for column in event.extra)
        return [*COLUMNS, *extra]

    def day_zero_table(self, exchanges: Iterable[str] = DEFAULT_EXCHANGES) -> pd.DataFrame:
        """Day 0 of every event that has one (all but the undated) on every exchange.

        Returns
        -------
        pandas.DataFrame
            Tidy, one row per (event, exchange): ``event_id``, ``exchange``, ``date``, ``time``, ``timezone``,
            ``date_precision``, ``day_zero`` (the session, tz-naive) and ``day_zero_last`` (the last possible day 0:
            equal to ``day_zero`` except for a span).
        """
        rows = []
        for exchange in exchanges:
            for event in self._events:
                if event.date is not None:  # undated events have no day 0
                    first, last = event.day_zero_range(exchange)
                    rows.append(
                        {
                            "event_id": event.id,
                            "exchange": exchange,
                            "date": pd.Timestamp(event.date),
                            "time": event.time,
                            "timezone": event.timezone,
                            "date_precision": event.date_precision,
                            "day_zero": first,
                            "day_zero_last": last,
                        }
                    )
        columns = ["event_id", "exchange", "date", "time", "timezone", "date_precision", "day_zero", "day_zero_last"]
        dates = {"date": "datetime64[ns]", "day_zero": "datetime64[ns]", "day_zero_last": "datetime64[ns]"}
        return pd.DataFrame(rows, columns=columns).astype(dates)

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

        A span's event window runs from ``tau1`` sessions around its first possible day 0 to ``tau2`` around its
        last; its estimation window is counted from its first.

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
            all_sessions = session_table(exchange).sessions
            positions = all_sessions.get_indexer(days)
            spread = all_sessions.get_indexer(group["day_zero_last"].to_numpy()) - positions  # 0 but for spans
            apart = positions[np.newaxis, :] - positions[:, np.newaxis]  # apart[i, j]: sessions from i to j
            # Sessions of j's event window [apart + tau1, apart + spread_j + tau2] inside i's window [low, high].
            for kind, (low, high) in (("overlap", event_window), ("contamination", estimation_window)):
                own_high = high + spread[:, np.newaxis] if kind == "overlap" else np.full_like(apart, high)
                shared = np.minimum(apart + spread[np.newaxis, :] + tau2, own_high) - np.maximum(apart + tau1, low) + 1
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


def _calendar_problems(event: Event, exchanges: Iterable[str]) -> list[Problem]:
    """Problems of an event's day 0 on ``exchanges``: a start or end past the last session of a calendar."""
    problems = []
    moments = (("date", event.date, event.time), ("date_end", event.date_end, event.time_end))
    for exchange in exchanges:
        for column, date, time in moments:
            if date is None:
                continue
            try:
                day_zero(date, exchange, time, event.timezone)
            except CalendarError as exc:
                value = event.to_record()[column]
                problems.append(Problem(str(exc).split(": ", 1)[-1], column, value))
    return problems


def _read(path: str | Path, exchanges: Iterable[str]) -> tuple[list[Event], list[Problem]]:
    """Parse an events file into its valid events and every problem found (the events are complete only
    when there are no problems)."""
    exchanges = tuple(exchanges)
    records, problems = read_records(path, COLUMNS, REQUIRED_COLUMNS)
    if not records and not problems:
        reason = "the file has a header but no events; add one row per event under it"
        problems.append(Problem(reason, file=str(path), row=2))
    missing = {problem.column for problem in problems if problem.row == 1}
    events: list[Event] = []
    for row, record in records:
        try:
            event = Event.from_record(record)
        except EventValidationError as exc:
            problems += [replace(p, file=str(path), row=row) for p in exc.problems if p.column not in missing]
            continue
        events.append(event)
        problems += [replace(p, file=str(path), row=row) for p in _calendar_problems(event, exchanges)]
    return events, problems


def check_events(path: str | Path, exchanges: Iterable[str] = DEFAULT_EXCHANGES) -> list[Problem]:
    """Every problem of an events file (empty when the file is valid): everything :func:`load_events` refuses.

    Problems carry the file name and row (header = row 1, first event = row 2, as in a spreadsheet). Besides the
    rules of each cell, the file must have at least one event, and each event's day 0 must fall inside the calendar
    of every exchange of ``exchanges`` (only those calendars are built).

    Raises
    ------
    OSError
        If the file cannot be read (e.g. it does not exist).
    CalendarError
        If an exchange of ``exchanges`` has no calendar.
    """
    return _read(path, exchanges)[1]


def load_events(path: str | Path, exchanges: Iterable[str] = DEFAULT_EXCHANGES) -> EventSet:
    """Load and validate an events file.

    Parameters
    ----------
    path
        CSV file in the format of this module's docstring.
    exchanges
        Exchanges whose calendars each event's day 0 must fall inside (default New York and Hong Kong; pass the
        exchanges of the securities studied).

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
    CalendarError
        If an exchange of ``exchanges`` has no calendar.
    """
    events, problems = _read(path, exchanges)
    if problems:
        raise EventsFileError(path, problems)
    return EventSet(events)


def one_off_event(moment: str, title: str, event_id: str | None = None, tickers: Iterable[str] = ()) -> Event:
    """An event written in one line, as ``eventstudy run --event`` takes it.

    Parameters
    ----------
    moment
        The ``date`` cell of an events file (``2026-03-02``, ``2026-03-02 21:30`` or ``2026-03``), followed by
        the IANA time zone when it has a time: ``"2026-03-02 21:30 Asia/Shanghai"``.
    title
        What happened.
    event_id
        The event's id; by default a slug of ``title`` (``"Apple earnings"`` -> ``apple-earnings``).
    tickers
        The tickers the event concerns; empty means every security studied.

    Raises
    ------
    EventValidationError
        Naming the cell that is wrong, as for a row of a file.
    """
    words = moment.split()
    # A last word that is not a time of day can only be the zone ("2026-03-02 21:30 Asia/Shanghai", "... UTC").
    zone = words.pop() if len(words) > 1 and not _TIME_PATTERN.fullmatch(words[-1]) else ""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:MAX_NAME_LENGTH].strip("-")
    record = {
        "id": event_id if event_id is not None else slug or "event",
        "date": " ".join(words),
        "timezone": zone,
        "title": title,
        "tickers": ";".join(tickers),
    }
    return Event.from_record(record)
