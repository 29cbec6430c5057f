"""The day-0 rule and trading-day offsets, on the real exchange calendars."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.calendars import (
    SESSION_TABLE_MAX_AGE_DAYS,
    CalendarError,
    SessionTable,
    calendar_name,
    calendar_names,
    completed_sessions,
    day_zero,
    get_calendar,
    offset_sessions,
    session_table,
    sessions,
)


@pytest.mark.parametrize(
    ("date", "time", "exchange", "expected"),
    [
        # R1, evening of 2025-01-20 in Beijing: Jan 20 was Martin Luther King Jr. Day in New York.
        ("2025-01-20", "20:00", "XNAS", "2025-01-21"),
        ("2025-01-20", "20:00", "XHKG", "2025-01-21"),
        # 10:00 Beijing is during the Hong Kong session and before New York opens the same calendar day.
        ("2026-02-12", "10:00", "XHKG", "2026-02-12"),
        ("2026-02-12", "10:00", "XNAS", "2026-02-12"),
        # After the close in Hong Kong on the eve of Lunar New Year 2025: HKEX reopened on 2025-02-03.
        ("2025-01-31", "18:00", "XHKG", "2025-02-03"),
        # GLM-5 late on 2026-02-11 Beijing = 10:00 in New York the same day; Hong Kong has closed.
        ("2026-02-11", "23:00", "XHKG", "2026-02-12"),
        ("2026-02-11", "23:00", "XNYS", "2026-02-11"),
        # Exactly at the Hong Kong close (16:00 local) cannot move that session's close.
        ("2026-02-12", "16:00", "XHKG", "2026-02-13"),
        ("2026-02-12", "15:59", "XHKG", "2026-02-12"),
        # During the Hong Kong lunch break: the afternoon session can react.
        ("2026-02-12", "12:30", "XHKG", "2026-02-12"),
    ],
)
def test_day_zero_with_time(date: str, time: str, exchange: str, expected: str) -> None:
    assert day_zero(date, exchange, time=time, timezone="Asia/Shanghai") == pd.Timestamp(expected)


# Expected days derived from each exchange's published hours and holidays, not from our output:
# Tokyo (JPX) closes at 15:30 JST since 2024-11-05 (15:00 before); New Year holidays 1-3 January; Culture Day
# (3 November 2024, a Sunday) was observed on Monday 4 November 2024.
# Shanghai (SSE) closes at 15:00 CST; closed 1-8 October 2025 (National Day and Mid-Autumn), reopening on the 9th.
# Seoul (KRX) closes at 15:30 KST; closed on Monday 3 March 2025 (substitute holiday for Samiljeol, 1 March).
# London (LSE) closes at 16:30 UK time; closed on Good Friday 18 and Easter Monday 21 April 2025.
# Frankfurt (Xetra) closes at 17:30 CET; closed on 24, 25 and 26 December 2025.
@pytest.mark.parametrize(
    ("exchange", "date", "time", "timezone", "expected"),
    [
        ("XTKS", "2025-03-03", "15:00", "Asia/Tokyo", "2025-03-03"),  # 30 minutes before the 15:30 close
        ("XTKS", "2025-03-03", "15:45", "Asia/Tokyo", "2025-03-04"),  # after the close
        ("XTKS", "2024-11-01", "15:15", "Asia/Tokyo", "2024-11-05"),  # after the old 15:00 close; 4 Nov a holiday
        ("XTKS", "2025-01-01", None, None, "2025-01-06"),  # New Year holidays, then a weekend
        ("XSHG", "2025-03-03", "14:59", "Asia/Shanghai", "2025-03-03"),
        ("XSHG", "2025-03-03", "15:00", "Asia/Shanghai", "2025-03-04"),  # at the close: too late for it
        ("XSHG", "2025-09-30", "16:00", "Asia/Shanghai", "2025-10-09"),  # Golden Week
        ("XSHE", "2025-09-30", "16:00", "Asia/Shanghai", "2025-10-09"),  # Shenzhen shares Shanghai's calendar
        ("XKRX", "2025-03-04", "15:29", "Asia/Seoul", "2025-03-04"),
        ("XKRX", "2025-03-04", "15:31", "Asia/Seoul", "2025-03-05"),
        ("XKRX", "2025-03-03", None, None, "2025-03-04"),  # substitute holiday
        ("XKRX", "2025-02-28", "16:00", "Asia/Seoul", "2025-03-04"),  # Friday after the close: weekend, holiday
        ("XLON", "2025-03-03", "16:29", "Europe/London", "2025-03-03"),
        ("XLON", "2025-03-03", "16:31", "Europe/London", "2025-03-04"),
        ("XLON", "2025-04-17", "17:00", "Europe/London", "2025-04-22"),  # Easter
        ("XLON", "2025-07-01", "08:00", "America/New_York", "2025-07-01"),  # 13:00 in London (BST)
        ("XLON", "2025-07-01", "12:00", "America/New_York", "2025-07-02"),  # 17:00 in London, after the close
        ("XETR", "2025-03-03", "17:29", "Europe/Berlin", "2025-03-03"),
        ("XETR", "2025-03-03", "17:31", "Europe/Berlin", "2025-03-04"),
        ("XETR", "2025-12-23", "18:00", "Europe/Berlin", "2025-12-29"),  # Christmas, then a weekend
    ],
)
def test_day_zero_on_asian_and_european_exchanges(
    exchange: str, date: str, time: str | None, timezone: str | None, expected: str
) -> None:
    assert day_zero(date, exchange, time=time, timezone=timezone) == pd.Timestamp(expected)


def test_every_calendar_of_exchange_calendars_is_available() -> None:
    names = calendar_names()
    assert {"XNYS", "XNAS", "XHKG", "XTKS", "XSHG", "XSHE", "XKRX", "XLON", "XETR", "XBOM", "XNSE"} <= set(names)
    assert calendar_name("XSHE") == "XSHG" and calendar_name("XNSE") == "XBOM" and calendar_name("XTSX") == "XTSE"
    # A calendar that exchange_calendars evaluates only from 2021 starts there instead of failing.
    assert get_calendar("XSAU").first_session.year == 2021


def test_day_zero_in_another_time_zone() -> None:
    # 09:00 in New York on 2025-01-27 is 22:00 in Hong Kong: too late for HKEX that day.
    assert day_zero("2025-01-27", "XHKG", time="09:00", timezone="America/New_York") == pd.Timestamp("2025-01-28")
    assert day_zero("2025-01-27", "XNYS", time="09:00", timezone="America/New_York") == pd.Timestamp("2025-01-27")


def test_day_zero_without_time_is_that_date_or_the_next_session() -> None:
    assert day_zero("2025-01-27", "XNYS") == pd.Timestamp("2025-01-27")
    assert day_zero("2025-01-25", "XNYS") == pd.Timestamp("2025-01-27")  # Saturday
    assert day_zero("2025-01-29", "XHKG") == pd.Timestamp("2025-02-03")  # Lunar New Year
    assert day_zero("2024-12-25", "XNYS") == pd.Timestamp("2024-12-26")


def test_half_day_session_is_a_session() -> None:
    # HKEX closed at noon on Lunar New Year's eve 2026-02-16: news at 13:00 moves to the next session, 2026-02-20.
    assert pd.Timestamp("2026-02-16") in sessions("XHKG", "2026-02-16", "2026-02-16")
    assert day_zero("2026-02-16", "XHKG", time="11:00", timezone="Asia/Hong_Kong") == pd.Timestamp("2026-02-16")
    assert day_zero("2026-02-16", "XHKG", time="13:00", timezone="Asia/Hong_Kong") == pd.Timestamp("2026-02-20")


def test_offsets_follow_each_exchange_calendar() -> None:
    hong_kong = offset_sessions("XHKG", "2026-02-12", [-1, 0, 1, 2, 3])
    assert [day.date().isoformat() for day in hong_kong] == [
        "2026-02-11",
        "2026-02-12",
        "2026-02-13",
        "2026-02-16",
        "2026-02-20",
    ]
    new_york = offset_sessions("XNYS", "2025-01-21", [-1, 0])
    assert new_york[0] == pd.Timestamp("2025-01-17")  # skips the holiday of 2025-01-20
    assert len(offset_sessions("XNYS", "2025-01-27", range(-250, 21))) == 271


def test_offsets_reject_a_non_session() -> None:
    with pytest.raises(CalendarError, match="not a XNYS session"):
        offset_sessions("XNYS", "2025-01-20", [0])


def test_unknown_exchange_and_time_zone_are_named() -> None:
    with pytest.raises(CalendarError, match=r"unknown exchange MIC 'XMARS'.*calendar_names\(\) lists the"):
        day_zero("2025-01-27", "XMARS")
    with pytest.raises(CalendarError, match="unknown time zone 'Mars/Olympus'"):
        day_zero("2025-01-27", "XNYS", time="10:00", timezone="Mars/Olympus")
    with pytest.raises(CalendarError, match="a time of day needs its time zone"):
        day_zero("2025-01-27", "XNYS", time="10:00")


def test_a_day_zero_past_the_calendar_names_its_last_session() -> None:
    last = get_calendar("XNYS").last_session
    with pytest.raises(CalendarError, match=f"would be after {last.date()}, the last session"):
        day_zero(last + pd.Timedelta(days=7), "XNYS")


def test_the_command_line_starts_without_building_calendars() -> None:
    # `eventstudy --help` and `events check` must start fast: exchange_calendars is imported only when used.
    code = "import sys, eventstudy.cli; print('exchange_calendars' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_nasdaq_and_nyse_share_a_calendar() -> None:
    assert calendar_name("XNAS") == calendar_name("XNYS") == "XNYS"
    assert calendar_name("XHKG") == "XHKG"


def test_completed_sessions_stop_at_now() -> None:
    now = pd.Timestamp("2026-02-12 09:00", tz="UTC")  # after the HK close (08:00 UTC), before New York's
    assert completed_sessions("XHKG", "2026-02-11", "2026-02-13", now=now)[-1] == pd.Timestamp("2026-02-12")
    assert completed_sessions("XNYS", "2026-02-11", "2026-02-13", now=now)[-1] == pd.Timestamp("2026-02-11")


def test_session_tables_are_kept_on_disk_and_rebuilt_when_old_or_damaged(private_cache: Path) -> None:
    """The disk copy is what is read (a doctored copy shows through), and an old or damaged one is rebuilt from
    exchange_calendars with the same sessions and closes."""
    calendar = get_calendar("XTKS")
    session_table.cache_clear()
    session_table("XTKS")
    (path,) = (private_cache / "calendars").glob("XTKS-exchange_calendars-*.npz")

    def fresh() -> SessionTable:
        session_table.cache_clear()
        return session_table("XTKS")

    np.testing.assert_array_equal(fresh().sessions.asi8, calendar.sessions.as_unit("ns").asi8)
    np.testing.assert_array_equal(fresh().closes.to_numpy(), calendar.closes.to_numpy())
    np.savez(path, sessions=calendar.sessions[:10].as_unit("ns").asi8, closes=calendar.closes[:10].index.asi8)
    assert len(fresh().sessions) == 10  # read from disk, not rebuilt
    old = time.time() - (SESSION_TABLE_MAX_AGE_DAYS + 1) * 86400
    os.utime(path, (old, old))
    assert len(fresh().sessions) == len(calendar.sessions)
    path.write_bytes(b"not an npz file")
    table = fresh()
    assert len(table.sessions) == len(calendar.sessions) and table.last_session == calendar.last_session
    with np.load(path) as arrays:  # written again, whole
        assert arrays["sessions"].size == len(calendar.sessions)
    session_table.cache_clear()
