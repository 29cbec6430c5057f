"""Exchange calendars: which session can first react to an announcement, and trading-day offsets.

Every security is measured in the sessions of its own exchange, taken from ``exchange_calendars``
(XNYS/XNAS for New York, XHKG for Hong Kong, XAMS for Amsterdam); no holiday is ever hand-listed here.

The day-0 rule
--------------
An announcement is an instant: a local date, an optional local time and an IANA time zone (default
``Asia/Shanghai``, the time zone of the press the events come from).

* With a time, day 0 on an exchange is the first session whose close is strictly after the instant: the same
  session if the news came before that session's close (including before its open or during a lunch break),
  otherwise the next session. Weekends, holidays and early closes come from the exchange calendar.
* Without a time, day 0 is that calendar date if it is a session of the exchange, else the next session. The
  uncertainty this leaves (the news may have come after the close) is what the (-1, +1) window is for.
"""

from __future__ import annotations

import datetime as dt
import warnings
from functools import cache

import exchange_calendars as xcals
import numpy as np
import pandas as pd

DEFAULT_TIMEZONE = "Asia/Shanghai"
CALENDAR_START = "2010-01-01"
SUPPORTED_EXCHANGES = ("XNYS", "XNAS", "XHKG", "XAMS")

__all__ = [
    "DEFAULT_TIMEZONE",
    "SUPPORTED_EXCHANGES",
    "CalendarError",
    "announcement_instant",
    "calendar_name",
    "completed_sessions",
    "day_zero",
    "get_calendar",
    "offset_sessions",
    "sessions",
]


class CalendarError(ValueError):
    """An exchange that is not supported, or a date outside the span the calendar covers."""


@cache
def get_calendar(exchange: str) -> xcals.ExchangeCalendar:
    """Return the ``exchange_calendars`` calendar of an exchange MIC (e.g. ``"XNAS"``, ``"XHKG"``).

    The calendar spans from 2010 to the end of the span ``exchange_calendars`` knows (about a year ahead).
    """
    if exchange not in SUPPORTED_EXCHANGES:
        raise CalendarError(f"exchange {exchange!r} is not supported; use one of {', '.join(SUPPORTED_EXCHANGES)}")
    with warnings.catch_warnings():
        # exchange_calendars still calls pandas APIs that pandas 3 deprecates; not ours to fix, not the user's.
        warnings.simplefilter("ignore", DeprecationWarning)
        return xcals.get_calendar(exchange, start=CALENDAR_START)


def calendar_name(exchange: str) -> str:
    """Name of the calendar an exchange trades on; exchanges with equal names share their sessions.

    ``XNAS`` is an alias of ``XNYS`` in ``exchange_calendars``: Nasdaq and NYSE listings share one calendar.
    """
    return get_calendar(exchange).name


def sessions(exchange: str, start: object = None, end: object = None) -> pd.DatetimeIndex:
    """Sessions of ``exchange`` between ``start`` and ``end`` inclusive (tz-naive dates)."""
    all_sessions = get_calendar(exchange).sessions
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
    closes = get_calendar(exchange).closes.loc[candidates]
    return candidates[(closes <= now).to_numpy()]


def announcement_instant(
    date: dt.date | str, time: dt.time | str | None = None, timezone: str = DEFAULT_TIMEZONE
) -> pd.Timestamp:
    """The UTC instant of a local announcement time (``time=None`` gives local midnight).

    Raises
    ------
    CalendarError
        If ``timezone`` is not an IANA time zone.
    """
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
    timezone: str = DEFAULT_TIMEZONE,
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
        IANA time zone of ``date`` and ``time``.

    Returns
    -------
    pandas.Timestamp
        The session date (tz-naive, midnight).

    Examples
    --------
    R1 was published on the evening of 2025-01-20 in Beijing, a US holiday (Martin Luther King Jr. Day):

    >>> day_zero("2025-01-20", "XNAS", time="20:00").date()
    datetime.date(2025, 1, 21)
    """
    calendar = get_calendar(exchange)
    if time is None:
        all_sessions = calendar.sessions
        position = all_sessions.searchsorted(pd.Timestamp(date), side="left")
        if position == len(all_sessions):
            raise CalendarError(f"{date} is after the last session {exchange} has in its calendar")
        return all_sessions[position]
    instant = announcement_instant(date, time, timezone)
    closes = calendar.closes
    position = closes.searchsorted(instant, side="right")
    if position == len(closes):
        raise CalendarError(f"{date} {time} {timezone} is after the last session {exchange} has in its calendar")
    return closes.index[position]


def offset_sessions(exchange: str, session: object, offsets: np.ndarray | list[int]) -> pd.DatetimeIndex:
    """The sessions ``offsets`` trading days away from ``session`` in the exchange's own calendar.

    ``session`` must itself be a session (a day 0); offset 0 returns it, -1 the session before, and so on.
    """
    all_sessions = get_calendar(exchange).sessions
    anchor = pd.Timestamp(session)
    position = all_sessions.searchsorted(anchor)
    if position == len(all_sessions) or all_sessions[position] != anchor:
        raise CalendarError(f"{anchor.date()} is not a {exchange} session")
    positions = position + np.asarray(offsets, dtype=np.int64)
    if positions.min(initial=0) < 0 or positions.max(initial=0) >= len(all_sessions):
        raise CalendarError(f"offsets {offsets} from {anchor.date()} leave the span of the {exchange} calendar")
    return all_sessions[positions]
