"""Exchange calendars: which session can first react to an announcement, and trading-day offsets.

Every security is measured in the sessions of its own exchange, taken from ``exchange_calendars``: every calendar
it has is available by its MIC or one of its aliases (``XNAS`` is an alias of ``XNYS``: Nasdaq and NYSE share one
calendar), plus :data:`CALENDAR_ALIASES` for exchanges that share another's calendar; no holiday is ever
hand-listed here. Calendars are built on first use and cached (``exchange_calendars`` itself is imported only then).

What the study needs of a calendar is its sessions and their closes (:class:`SessionTable`). Building a calendar
takes ``exchange_calendars`` a few tenths of a second, so the session table is also kept on disk in the cache folder
(:func:`eventstudy.cachedir.cache_folder`), one file per calendar and ``exchange_calendars`` version, rebuilt when it
is more than :data:`SESSION_TABLE_MAX_AGE_DAYS` days old (the calendars reach about a year ahead, and a new version
of ``exchange_calendars`` may correct holidays) or unreadable. It is only a cache: when it cannot be written, the
table is built again next time.

The day-0 rule
--------------
An announcement is an instant: a local date, an optional local time and, with a time, the IANA time zone it is
given in (there is no default zone).

* With a time, day 0 on an exchange is the first session whose close is strictly after the instant: the same
  session if the news came before that session's close (including before its open or during a lunch break),
  otherwise the next session. Weekends, holidays and early closes come from the exchange calendar.
* Without a time, day 0 is that calendar date if it is a session of the exchange, else the next session. The
  uncertainty this leaves (the news may have come after the close) is what the (-1, +1) window is for.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import time
import warnings
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.cachedir import cache_folder

if TYPE_CHECKING:
    from exchange_calendars import ExchangeCalendar

CALENDAR_START = "2010-01-01"
#: Exchanges that ``exchange_calendars`` has no calendar of, but that trade on another's: Shenzhen on Shanghai's
#: (both follow the CSRC's holidays and 09:30-11:30, 13:00-15:00 China time), the National Stock Exchange of India
#: on the BSE's (same holidays and 09:15-15:30 India time).
CALENDAR_ALIASES = {"XSHE": "XSHG", "XNSE": "XBOM"}
#: Age after which a session table kept on disk is rebuilt from ``exchange_calendars``.
SESSION_TABLE_MAX_AGE_DAYS = 7

__all__ = [
    "CALENDAR_ALIASES",
    "CALENDAR_START",
    "SESSION_TABLE_MAX_AGE_DAYS",
    "CalendarError",
    "SessionTable",
    "announcement_instant",
    "calendar_name",
    "calendar_names",
    "completed_sessions",
    "day_zero",
    "get_calendar",
    "offset_sessions",
    "session_table",
    "sessions",
]


class CalendarError(ValueError):
    """An exchange without a calendar, an instant without a time zone, or a date outside the span the calendar
    covers."""


@cache
def calendar_names() -> tuple[str, ...]:
    """Every exchange MIC (or alias) :func:`get_calendar` accepts, sorted."""
    import exchange_calendars as xcals

    return tuple(sorted({*xcals.get_calendar_names(include_aliases=True), *CALENDAR_ALIASES}))


@cache
def get_calendar(exchange: str) -> ExchangeCalendar:
    """Return the ``exchange_calendars`` calendar of an exchange MIC (e.g. ``"XNAS"``, ``"XTKS"``).

    The calendar spans from 2010 (or the first year ``exchange_calendars`` can evaluate it) to the end of the span
    it knows (about a year ahead).

    Raises
    ------
    CalendarError
        Naming the MIC, for an exchange ``exchange_calendars`` has no calendar of (or cannot build).
    """
    import exchange_calendars as xcals

    name = CALENDAR_ALIASES.get(exchange, exchange)
    if name not in calendar_names():
        raise CalendarError(
            f"unknown exchange MIC {exchange!r}: exchange_calendars has no calendar for it; "
            f"eventstudy.calendars.calendar_names() lists the {len(calendar_names())} it has (e.g. XNYS, XHKG, XTKS, "
            "XSHG, XLON, XETR)"
        )
    name = xcals.resolve_alias(name)
    # Some calendars cannot be evaluated as early as 2010 (e.g. XSAU from 2021): start at their own first year.
    factory = xcals.calendar_utils.global_calendar_dispatcher._calendar_factories.get(name)
    bound = getattr(factory, "bound_min", lambda: None)()
    start = CALENDAR_START if bound is None else max(pd.Timestamp(CALENDAR_START), bound).date().isoformat()
    with warnings.catch_warnings():
        # exchange_calendars still calls pandas APIs that pandas 3 deprecates; not ours to fix, not the user's.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return xcals.get_calendar(name, start=start)
        except (ValueError, NotImplementedError) as exc:
            reason = re.sub(r"\s+", " ", str(exc))[:200]
            raise CalendarError(f"exchange_calendars cannot build the {exchange} calendar: {reason}") from exc


@cache
def calendar_name(exchange: str) -> str:
    """Name of the calendar an exchange trades on; exchanges with equal names share their sessions.

    ``XNAS`` is an alias of ``XNYS`` in ``exchange_calendars``: Nasdaq and NYSE listings share one calendar; so do
    the exchanges of :data:`CALENDAR_ALIASES`. The calendar itself is not built.

    Raises
    ------
    CalendarError
        For an exchange without a calendar.
    """
    import exchange_calendars as xcals

    name = CALENDAR_ALIASES.get(exchange, exchange)
    if name not in calendar_names():
        get_calendar(exchange)  # raises the error naming the MIC
    return str(xcals.resolve_alias(name))


@dataclass(frozen=True, eq=False)
class SessionTable:
    """The sessions of an exchange's calendar and the UTC instant each one closes: all the study asks of a
    calendar (day 0 is the first session whose close is after the news)."""

    name: str
    sessions: pd.DatetimeIndex
    closes: pd.Series

    @property
    def first_session(self) -> pd.Timestamp:
        return self.sessions[0]

    @property
    def last_session(self) -> pd.Timestamp:
        return self.sessions[-1]


def _table_file(name: str) -> Path:
    import exchange_calendars as xcals

    return cache_folder() / "calendars" / f"{name}-exchange_calendars-{xcals.__version__}.npz"


def _read_table(path: Path, name: str) -> SessionTable | None:
    """The table kept in ``path``, or ``None`` when it is missing, too old or unreadable."""
    try:
        if time.time() - path.stat().st_mtime > SESSION_TABLE_MAX_AGE_DAYS * 86400:
            return None
        with np.load(path) as arrays:
            days, closes = arrays["sessions"], arrays["closes"]
    except (OSError, ValueError, KeyError):
        return None
    if days.dtype != np.int64 or closes.shape != days.shape or days.size == 0:
        return None
    index = pd.DatetimeIndex(days.astype("datetime64[ns]"))
    return SessionTable(name, index, pd.Series(pd.DatetimeIndex(closes.astype("datetime64[ns]"), tz="UTC"), index))


def _write_table(path: Path, table: SessionTable) -> None:
    """Keep ``table`` in ``path`` (written whole, then renamed into place; a failure only costs the speed-up)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as file:
            closes = pd.DatetimeIndex(table.closes).as_unit("ns").asi8
            np.savez(file, sessions=table.sessions.as_unit("ns").asi8, closes=closes)
        os.replace(temporary, path)
    except OSError:
        with suppress(OSError):
            os.unlink(temporary)


@cache
def session_table(exchange: str) -> SessionTable:
    """The sessions and closes of ``exchange``'s calendar (see :func:`get_calendar`), from the disk cache when it
    holds a recent copy (see the module docstring).

    Raises
    ------
    CalendarError
        For an exchange without a calendar.
    """
    name = calendar_name(exchange)
    path = _table_file(name)
    table = _read_table(path, name)
    if table is None:
        calendar = get_calendar(exchange)
        table = SessionTable(name, calendar.sessions, calendar.closes)
        _write_table(path, table)
    return table


def sessions(exchange: str, start: object = None, end: object = None) -> pd.DatetimeIndex:
    """Sessions of ``exchange`` between ``start`` and ``end`` inclusive (tz-naive dates)."""
    all_sessions = session_table(exchange).sessions
    first = 0 if start is None else all_sessions.searchsorted(pd.Timestamp(start), side="left")
    last = len(all_sessions) if end is None else all_sessions.searchsorted(pd.Timestamp(end), side="right")
    return all_sessions[first:last]


def completed_sessions(
    exchange: str, start: object = None, end: object = None, now: pd.Timestamp | None = None
) -> pd.DatetimeIndex:
    """Sessions between ``start`` and ``end`` whose close is already past at ``now`` (default: the current time).

    Only these can have a daily price; a session still trading or in the future is never "missing".
    """
    candidates = sessions(exchange, start, end)
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    closes = session_table(exchange).closes.loc[candidates]
    return candidates[(closes <= now).to_numpy()]


def announcement_instant(date: dt.date | str, time: dt.time | str | None, timezone: str | None) -> pd.Timestamp:
    """The UTC instant of a local announcement time (``time=None`` gives local midnight).

    Raises
    ------
    CalendarError
        If ``timezone`` is missing or not an IANA time zone.
    """
    if not timezone:
        raise CalendarError(f"{date} {time or ''}: a time of day needs its time zone (IANA, e.g. Asia/Tokyo)")
    local = pd.Timestamp(date)
    if time is not None:
        clock = dt.time.fromisoformat(time) if isinstance(time, str) else time
        local = local.replace(hour=clock.hour, minute=clock.minute, second=clock.second)
    try:
        return local.tz_localize(timezone).tz_convert("UTC")
    except Exception as exc:  # zoneinfo raises several types for unknown names
        raise CalendarError(f"unknown time zone {timezone!r}") from exc


def day_zero(
    date: dt.date | str,
    exchange: str,
    time: dt.time | str | None = None,
    timezone: str | None = None,
) -> pd.Timestamp:
    """First session of ``exchange`` whose prices can react to an announcement (see the module's day-0 rule).

    Parameters
    ----------
    date
        Local calendar date of the announcement.
    exchange
        Exchange MIC, e.g. ``"XNAS"``.
    time
        Local time of day (``"HH:MM"`` or ``datetime.time``); ``None`` when unknown.
    timezone
        IANA time zone of ``date`` and ``time``; required with a time (there is no default zone).

    Returns
    -------
    pandas.Timestamp
        The session date (tz-naive, midnight).

    Examples
    --------
    R1 was published on the evening of 2025-01-20 in Beijing, a US holiday (Martin Luther King Jr. Day):

    >>> day_zero("2025-01-20", "XNAS", time="20:00", timezone="Asia/Shanghai").date()
    datetime.date(2025, 1, 21)
    """
    calendar = session_table(exchange)
    if time is None:
        all_sessions = calendar.sessions
        position = all_sessions.searchsorted(pd.Timestamp(date), side="left")
        if position == len(all_sessions):
            raise CalendarError(_beyond(f"{date}", exchange))
        return all_sessions[position]
    instant = announcement_instant(date, time, timezone)
    closes = calendar.closes
    position = closes.searchsorted(instant, side="right")
    if position == len(closes):
        raise CalendarError(_beyond(f"{date} {time} {timezone}", exchange))
    return closes.index[position]


def _beyond(when: str, exchange: str) -> str:
    last = session_table(exchange).last_session.date()
    return (
        f"{when}: day 0 on {exchange} would be after {last}, the last session its calendar has "
        "(exchange_calendars knows sessions only about a year ahead)"
    )


def offset_sessions(
    exchange: str, session: object, offsets: np.ndarray | list[int], clip: bool = False
) -> pd.DatetimeIndex:
    """The sessions ``offsets`` trading days away from ``session`` in the exchange's own calendar.

    ``session`` must itself be a session (a day 0); offset 0 returns it, -1 the session before, and so on. An
    offset beyond the calendar's span is a :class:`CalendarError`, or with ``clip`` its first or last session
    (the span of a window that reaches outside the calendar, whose days have no prices).
    """
    all_sessions = session_table(exchange).sessions
    anchor = pd.Timestamp(session)
    position = all_sessions.searchsorted(anchor)
    if position == len(all_sessions) or all_sessions[position] != anchor:
        raise CalendarError(f"{anchor.date()} is not a {exchange} session")
    positions = position + np.asarray(offsets, dtype=np.int64)
    if clip:
        positions = np.clip(positions, 0, len(all_sessions) - 1)
    if positions.min(initial=0) < 0 or positions.max(initial=0) >= len(all_sessions):
        shown = ", ".join(f"{offset:+d}" for offset in np.asarray(offsets, dtype=np.int64).tolist())
        raise CalendarError(
            f"sessions {shown} from {anchor.date()} fall outside the {exchange} calendar (sessions "
            f"{all_sessions[0].date()} .. {all_sessions[-1].date()}; exchange_calendars knows sessions only about a "
            "year ahead)"
        )
    return all_sessions[positions]
