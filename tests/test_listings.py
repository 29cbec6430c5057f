"""Newly listed and thinly traded securities, and baskets (issue 7): known answers and the real Hong Kong listings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy import CsvDirectorySource, EventStudy, load_events, load_universe
from eventstudy.baskets import basket_ticker
from eventstudy.calendars import offset_sessions, sessions
from eventstudy.defaults import DEFAULT_ESTIMATION_WINDOW, DEFAULT_SKIP_AFTER_LISTING
from eventstudy.events import Event
from eventstudy.prices import SnapshotSource
from eventstudy.returns import stale_sessions

REPO = Path(__file__).resolve().parents[1]


def write_listing(
    folder: Path, listed_at: int, day_zero: int, jump: float = 0.20
) -> tuple[Path, Path, pd.DatetimeIndex]:
    """An index MKT over 300 sessions and NEW, listed at session ``listed_at``, whose return is the index's plus
    noise, except on session ``day_zero``: exactly the index's plus ``jump``."""
    rng = np.random.default_rng(11)
    days = sessions("XNYS", "2022-01-03")[:300]
    market = rng.normal(0.0005, 0.01, days.size)
    new = market + rng.normal(0, 0.02, days.size)
    new[day_zero] = market[day_zero] + jump
    prices = folder / "prices"
    prices.mkdir(parents=True)
    for ticker, values, start in (("MKT", market, 0), ("NEW", new, listed_at)):
        close = 50 * np.cumprod(1 + np.r_[0.0, values[start + 1 :]])
        pd.DataFrame({"date": days[start:].strftime("%Y-%m-%d"), "adj_close": close}).to_csv(
            prices / f"{ticker}.csv", index=False
        )
    universe = folder / "universe.csv"
    universe.write_text(
        "ticker,name,exchange,currency,group,benchmark,factor,listed\n"
        "MKT,Market,XNYS,USD,benchmarks,,,\n"
        f"NEW,New listing,XNYS,USD,IPOs,MKT,,{days[listed_at].date()}\n",
        encoding="utf-8",
    )
    return prices, universe, days


def run_listing(folder: Path, listed_at: int, day_zero: int, **options: object):  # type: ignore[no-untyped-def]
    prices, universe, days = write_listing(folder, listed_at, day_zero)
    event = Event(id="news", date=days[day_zero].date(), title="News", actor="Tester", category="release")
    study = EventStudy(
        [event],
        universe=load_universe(universe),
        prices=CsvDirectorySource(prices),
        tests=["cross_sectional_t"],
        **options,  # type: ignore[arg-type]
    )
    return study.run(), days


def test_fallback_recovers_an_injected_return_exactly(tmp_path: Path) -> None:
    results, days = run_listing(tmp_path, listed_at=250, day_zero=280)
    pair = results.pairs.set_index("ticker").loc["NEW"]
    assert pair["status"] == "ok" and pair["model_used"] == "market-adjusted"
    # Returns from the 6th session after listing (256) to day -2 (278).
    observations = 278 - 256 + 1
    assert pair["observations"] == observations
    assert pair["estimation_start"] == days[256] and pair["estimation_end"] == days[278]
    assert (
        f"market-adjusted model (AR = R - R_m) with its variance from {observations} returns" in pair["fallback_reason"]
    )
    assert "first 5 sessions after the listing on 2022-12-30 skipped" in pair["fallback_reason"]
    ar = results.ar[(results.ar["ticker"] == "NEW") & (results.ar["day"] == 0)].iloc[0]
    assert ar["ar"] == pytest.approx(0.20, abs=1e-10)
    assert ar["model_used"] == "market-adjusted"
    car = results.car[(results.car["ticker"] == "NEW") & (results.car["window"] == "(0,0)")].iloc[0]
    assert car["df"] == observations - 1 and car["p_value"] < 0.01  # nothing estimated but the variance


def test_too_few_post_listing_returns_is_not_estimable_with_the_reason(tmp_path: Path) -> None:
    results, _ = run_listing(tmp_path, listed_at=270, day_zero=280)
    pair = results.pairs.set_index("ticker").loc["NEW"]
    assert pair["status"] == "not estimable" and pair["model_used"] == "market-adjusted"
    assert pair["reason"].endswith("at least 15 needed")
    assert "variance from 3 returns" in pair["reason"]
    assert results.car.empty


def test_excluding_contaminated_days_keeps_the_pairs_own_pre_event_days(tmp_path: Path) -> None:
    results, _ = run_listing(tmp_path, listed_at=250, day_zero=280, exclude_contaminated=True)
    pair = results.pairs.set_index("ticker").loc["NEW"]
    assert pair["status"] == "ok" and pair["observations"] == 278 - 256 + 1  # days -10..-2 are its own


def test_a_listing_long_before_the_window_costs_no_estimation_day(tmp_path: Path) -> None:
    results, _ = run_listing(tmp_path, listed_at=0, day_zero=280)
    pair = results.pairs.set_index("ticker").loc["NEW"]
    assert pair["model_used"] == "market"
    assert pair["observations"] == DEFAULT_ESTIMATION_WINDOW[1] - DEFAULT_ESTIMATION_WINDOW[0] + 1


def test_no_fallback_when_asked(tmp_path: Path) -> None:
    results, _ = run_listing(tmp_path, listed_at=250, day_zero=280, fallback="none")
    pair = results.pairs.set_index("ticker").loc["NEW"]
    assert pair["status"] == "not estimable" and pair["model_used"] == "market"


def test_an_event_before_the_listing_gives_no_pair_and_says_why(tmp_path: Path) -> None:
    results, _ = run_listing(tmp_path, listed_at=250, day_zero=240)
    assert results.pairs.empty
    assert results.skipped.set_index("ticker").loc["NEW", "reason"] == "not listed until 2022-12-30 (day 0 2022-12-15)"


def test_basket_of_identical_members_equals_each_member(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    days = sessions("XNYS", "2022-01-03")[:300]
    market = rng.normal(0.0005, 0.01, days.size)
    stock = 0.0003 + 1.2 * market + rng.normal(0, 0.02, days.size)
    prices = tmp_path / "prices"
    prices.mkdir()
    for ticker, values in (("MKT", market), ("A1", stock), ("A2", stock)):
        close = 20 * np.cumprod(1 + np.r_[0.0, values[1:]])
        pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "adj_close": close}).to_csv(
            prices / f"{ticker}.csv", index=False
        )
    universe = tmp_path / "universe.csv"
    universe.write_text(
        "ticker,name,exchange,currency,group,benchmark\nMKT,M,XNYS,USD,benchmarks,\nA1,A,XNYS,USD,twins,MKT\n"
        "A2,A,XNYS,USD,twins,MKT\n",
        encoding="utf-8",
    )
    event = Event(id="news", date=days[280].date(), title="News", actor="Tester", category="release")
    results = EventStudy(
        [event], universe=load_universe(universe), prices=CsvDirectorySource(prices), tests=["cross_sectional_t"]
    ).run()
    ar = results.ar.pivot(index="day", columns="ticker", values="ar")
    assert np.abs(ar[basket_ticker("twins")] - ar["A1"]).max() < 1e-12
    assert np.abs(ar["A2"] - ar["A1"]).max() < 1e-12


def test_basket_ar_is_the_mean_of_its_members_market_adjusted_returns() -> None:
    events = load_events(REPO / "events.csv")
    results = EventStudy(
        [events["glm-5"]], model="market-adjusted", groups=["HK AI & internet"], bootstrap_replications=9
    ).run()
    ar = results.ar.pivot(index="day", columns="ticker", values="ar")
    members = [ticker for ticker in ar.columns if not ticker.startswith("basket-")]
    assert sorted(members) == sorted(s.ticker for s in load_universe() if s.group == "HK AI & internet")
    expected = ar[members].mean(axis=1, skipna=True)
    basket = ar[basket_ticker("HK AI & internet")]
    both = basket.notna()
    assert both.sum() >= 20
    assert np.abs(basket[both] - expected[both]).max() < 1e-12


def fallback_days(ticker: str, day_zero: pd.Timestamp, last: int) -> int:
    """Sessions a young Hong Kong listing has for estimation up to day ``last``: from the
    ``DEFAULT_SKIP_AFTER_LISTING + 1``-th session after its listing day (the universe's ``listed``)."""
    listed = next(security.listed for security in load_universe() if security.ticker == ticker)
    first = offset_sessions("XHKG", pd.Timestamp(listed), [DEFAULT_SKIP_AFTER_LISTING + 1])[0]
    end = offset_sessions("XHKG", day_zero, [last])[0]
    return len(sessions("XHKG", first, end))


def market_adjusted_car(ticker: str, day_zero: pd.Timestamp, last: int) -> float:
    """Sum of the snapshot's daily returns of ``ticker`` less the Hang Seng Index's, days 0..``last``."""
    days = offset_sessions("XHKG", day_zero, range(-1, last + 1))
    closes = {name: SnapshotSource().history(name)["adj_close"].reindex(days).to_numpy() for name in (ticker, "^HSI")}
    returns = {name: values[1:] / values[:-1] - 1 for name, values in closes.items()}
    return float(np.sum(returns[ticker] - returns["^HSI"]))


@pytest.fixture(scope="module")
def hong_kong_listings():  # type: ignore[no-untyped-def]
    events = load_events(REPO / "events.csv")
    return EventStudy(
        [events["glm-5"], events["minimax-m2-5"]], event_windows=[(0, 0), (0, 3)], bootstrap_replications=99
    ).run()


def test_zhipu_nearly_doubled_after_glm_5(hong_kong_listings) -> None:  # type: ignore[no-untyped-def]
    results = hong_kong_listings
    pair = results.pairs.set_index(["event_id", "ticker"]).loc[("glm-5", "2513.HK")]
    assert pair["day_zero"] == pd.Timestamp("2026-02-12")  # released late on 2026-02-11, after Hong Kong closed
    # Listed 2026-01-08: the fallback estimates from its 6th session on to day -2; the market model would have had
    # only the sessions up to day -11.
    day_zero = pd.Timestamp("2026-02-12")
    assert pair["model_used"] == "market-adjusted" and pair["observations"] == fallback_days("2513.HK", day_zero, -2)
    window = f"({DEFAULT_ESTIMATION_WINDOW[0]},{DEFAULT_ESTIMATION_WINDOW[1]})"
    valid = fallback_days("2513.HK", day_zero, DEFAULT_ESTIMATION_WINDOW[1])
    assert pair["fallback_reason"].startswith(f"{valid} valid returns in the estimation window {window}")
    car = results.car_for("glm-5", (0, 3)).loc["2513.HK"]
    assert car["car"] == pytest.approx(market_adjusted_car("2513.HK", day_zero, 3), rel=1e-9)
    assert car["car"] > 0.9  # nearly doubled
    assert car["p_value"] < 0.01 and car["model_used"] == "market-adjusted"


def test_minimax_ran_up_after_m2_5(hong_kong_listings) -> None:  # type: ignore[no-untyped-def]
    results = hong_kong_listings
    pair = results.pairs.set_index(["event_id", "ticker"]).loc[("minimax-m2-5", "0100.HK")]
    day_zero = pd.Timestamp("2026-02-12")
    assert pair["day_zero"] == day_zero and pair["observations"] == fallback_days("0100.HK", day_zero, -2)
    car = results.car_for("minimax-m2-5", (0, 3)).loc["0100.HK"]
    assert car["car"] == pytest.approx(market_adjusted_car("0100.HK", day_zero, 3), rel=1e-9)
    assert car["p_value"] < 0.01 and car["model_used"] == "market-adjusted"
    # The model makers' basket sits between its two members, and is measured the same way.
    basket = results.car_for("glm-5", (0, 3)).loc[basket_ticker("HK AI model makers")]
    zhipu = results.car_for("glm-5", (0, 3)).loc["2513.HK", "car"]
    assert car["car"] < basket["car"] < zhipu and basket["model_used"] == "market-adjusted"


def test_prices_before_a_listing_are_not_listed_never_missing() -> None:
    events = load_events(REPO / "events.csv")
    results = EventStudy([events["deepseek-r1"], events["glm-5"]], bootstrap_replications=9).run()
    assert results.coverage["2513.HK"]["uncovered"] == []  # nothing before 2026-01-08 is asked for
    skipped = results.skipped.set_index(["event_id", "ticker"])
    assert skipped.loc[("deepseek-r1", "2513.HK"), "reason"].startswith("not listed until 2026-01-08")


def test_half_day_session_with_a_price_is_a_session_and_stale_prices_are_flagged() -> None:
    # HKEX closed at noon on Lunar New Year's eve 2026-02-16; Zhipu traded, so that day has a return.
    zhipu = SnapshotSource().history("2513.HK", "2026-02-13", "2026-02-16")
    assert list(zhipu.index) == [pd.Timestamp("2026-02-13"), pd.Timestamp("2026-02-16")]
    frame = pd.DataFrame(
        {"adj_close": [10.0, 10.0, 10.5, 10.5], "volume": [100.0, 0.0, 50.0, 0.0]},
        index=pd.DatetimeIndex(pd.to_datetime(["2026-02-12", "2026-02-13", "2026-02-16", "2026-02-20"]), name="date"),
    )
    stale = stale_sessions(frame, "XHKG")
    assert stale.tolist() == [False, True, False, True]
