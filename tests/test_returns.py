"""Session returns: missing prices stay missing, each security on its own exchange's sessions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.calendars import sessions
from eventstudy.prices import SnapshotSource
from eventstudy.returns import daily_returns, return_panels


def frame_of(closes: dict[str, float]) -> pd.DataFrame:
    index = pd.DatetimeIndex(pd.to_datetime(list(closes)), name="date")
    return pd.DataFrame({"adj_close": list(closes.values())}, index=index)


def test_simple_and_log_returns() -> None:
    prices = frame_of({"2025-01-22": 100.0, "2025-01-23": 110.0, "2025-01-24": 99.0})
    simple = daily_returns(prices, "XNYS")
    assert np.isnan(simple.iloc[0])
    assert simple.iloc[1:].tolist() == pytest.approx([0.10, -0.10])
    log = daily_returns(prices, "XNYS", kind="log")
    assert log.iloc[1:].tolist() == pytest.approx([np.log(1.1), np.log(0.9)])
    with pytest.raises(ValueError, match="'simple' or 'log'"):
        daily_returns(prices, "XNYS", kind="pct")  # type: ignore[arg-type]


def test_a_missing_price_is_never_a_zero_return() -> None:
    # 2025-01-23 has no price: its return and the next session's are unknown, not 0 and not a 2-day return.
    prices = frame_of({"2025-01-21": 100.0, "2025-01-22": 102.0, "2025-01-24": 105.0, "2025-01-27": 84.0})
    returns = daily_returns(prices, "XNYS")
    assert list(returns.index.strftime("%Y-%m-%d")) == [
        "2025-01-21",
        "2025-01-22",
        "2025-01-23",
        "2025-01-24",
        "2025-01-27",
    ]
    assert returns.isna().tolist() == [True, False, True, True, False]
    assert returns["2025-01-27"] == pytest.approx(-0.2)


def test_prices_on_non_sessions_are_left_out() -> None:
    prices = frame_of({"2025-01-17": 100.0, "2025-01-20": 300.0, "2025-01-21": 101.0})  # 01-20: US holiday
    returns = daily_returns(prices, "XNYS")
    assert pd.Timestamp("2025-01-20") not in returns.index
    assert returns["2025-01-21"] == pytest.approx(0.01)


def test_panels_per_calendar_on_the_snapshot() -> None:
    snapshot = SnapshotSource()
    tickers = {"NVDA": "XNAS", "SPY": "XNYS", "0700.HK": "XHKG", "^HSI": "XHKG", "0020.HK": "XHKG"}
    panels = return_panels({t: snapshot.history(t) for t in tickers}, tickers)
    assert set(panels) == {"XNYS", "XHKG"}
    us, hk = panels["XNYS"], panels["XHKG"]
    assert list(us.columns) == ["NVDA", "SPY"]
    # Published closes: US$118.42 on 2025-01-27, down from US$142.62 (Nasdaq; e.g. Reuters, 2025-01-27).
    assert us.loc["2025-01-27", "NVDA"] == pytest.approx(118.42 / 142.62 - 1, abs=5e-4)
    # HKEX was shut for Lunar New Year 2025-01-29..31: no rows, and the next session's return spans the holiday.
    assert pd.Timestamp("2025-01-30") not in hk.index
    # SenseTime's known gap 2025-10-31 .. 2025-11-11: no return on those sessions nor on the next one (its previous
    # price is missing), counted not filled.
    gap = hk.loc["2025-10-31":"2025-11-12", "0020.HK"]
    assert len(gap) == len(sessions("XHKG", "2025-10-31", "2025-11-11")) + 1 and gap.isna().all()
    # The index's missing session 2026-07-14 leaves two missing returns for ^HSI, none for Tencent.
    assert hk.loc["2026-07-14":"2026-07-15", "^HSI"].isna().all()
    assert hk.loc["2026-07-14":"2026-07-15", "0700.HK"].notna().all()
