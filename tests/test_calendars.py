"""The day-0 rule and trading-day offsets, on the real exchange calendars."""

from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.calendars import (
    CalendarError,
    calendar_name,
    completed_sessions,
    day_zero,
    offset_sessions,
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
    assert day_zero(date, exchange, time=time) == pd.Timestamp(expected)


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
    assert day_zero("2026-02-16", "XHKG", time="11:00") == pd.Timestamp("2026-02-16")
    assert day_zero("2026-02-16", "XHKG", time="13:00") == pd.Timestamp("2026-02-20")


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
    with pytest.raises(CalendarError, match="'XLON' is not supported"):
        day_zero("2025-01-27", "XLON")
    with pytest.raises(CalendarError, match="unknown time zone 'Mars/Olympus'"):
        day_zero("2025-01-27", "XNYS", time="10:00", timezone="Mars/Olympus")


def test_nasdaq_and_nyse_share_a_calendar() -> None:
    assert calendar_name("XNAS") == calendar_name("XNYS") == "XNYS"
    assert calendar_name("XHKG") == "XHKG"


def test_completed_sessions_stop_at_now() -> None:
    now = pd.Timestamp("2026-02-12 09:00", tz="UTC")  # after the HK close (08:00 UTC), before New York's
    assert completed_sessions("XHKG", "2026-02-11", "2026-02-13", now=now)[-1] == pd.Timestamp("2026-02-12")
    assert completed_sessions("XNYS", "2026-02-11", "2026-02-13", now=now)[-1] == pd.Timestamp("2026-02-11")
