"""The engine end to end: known answers on synthetic markets, and the real snapshot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from synthetic import write_market

from eventstudy import CsvDirectorySource, EventStudy, load_events, load_universe
from eventstudy.defaults import DEFAULT_ESTIMATION_WINDOW, DEFAULT_PATH_WINDOW
from eventstudy.engine.panels import UNKNOWN_LISTING, CalendarPanel
from eventstudy.engine.placebo import placebo_cars
from eventstudy.events import Event
from eventstudy.universe import UniverseError

REPO = Path(__file__).resolve().parents[1]
#: Sessions of the default estimation window (-250, -11) and AR path (-10, +10).
ESTIMATION_DAYS = DEFAULT_ESTIMATION_WINDOW[1] - DEFAULT_ESTIMATION_WINDOW[0] + 1
PATH_DAYS = DEFAULT_PATH_WINDOW[1] - DEFAULT_PATH_WINDOW[0] + 1
#: Stocks of the synthetic market with the injected return.
SECURITIES = 20


def event_on(day: pd.Timestamp, event_id: str = "news", tickers: str = "") -> Event:
    return Event(id=event_id, date=day.date(), title="News", actor="Tester", category="release", tickers=tickers)


@pytest.fixture(scope="module")
def injected(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """20 synthetic stocks with -5% injected on session 300 for all of them, and a later event with nothing."""
    folder = tmp_path_factory.mktemp("market")
    prices, universe, days = write_market(folder, securities=SECURITIES, days=520, injected={300: -0.05})
    study = EventStudy(
        [event_on(days[300]), event_on(days[500], "later")],
        universe=load_universe(universe),
        prices=CsvDirectorySource(prices),
        bootstrap_replications=199,
    )
    return study.run(), days


def test_injected_abnormal_return_is_recovered_and_detected(injected) -> None:  # type: ignore[no-untyped-def]
    results, days = injected
    day0 = results.ar[
        (results.ar["day"] == 0) & (results.ar["event_id"] == "news") & (results.ar["group"] != "baskets")
    ]
    assert len(day0) == SECURITIES and (day0["date"] == days[300]).all()
    assert day0["ar"].mean() == pytest.approx(-0.05, abs=0.008)  # noise 1.5% / sqrt(20) = 0.34%
    caar = results.caar.set_index(["event_id", "group", "window"]).loc[("news", "all securities", "(0,0)")]
    assert caar["n"] == SECURITIES and caar["ci_low"] < -0.05 < caar["ci_high"]
    tests = results.tests[(results.tests["group"] == "all securities") & (results.tests["window"] == "(0,0)")]
    tests = tests[tests["event_id"] == "news"].set_index("test")
    for name in ("cross_sectional_t", "patell_z", "bmp_t", "kolari_pynnonen_bmp", "wilcoxon_signed_rank"):
        assert tests.loc[name, "p_value"] < 0.01, name
    # The placebo distribution of the same stocks on pseudo-event dates puts -5% far in its tail.
    assert tests.loc["placebo", "p_value"] < 0.02
    assert "pseudo-event dates" in tests.loc["placebo", "note"]
    # Days without an injection look normal: on day +3 the average AR is small.
    assert abs(results.ar[(results.ar["day"] == 3) & (results.ar["event_id"] == "news")]["ar"].mean()) < 0.01
    # With nothing injected the placebo test finds nothing at 1% in any window.
    later = results.tests[(results.tests["event_id"] == "later") & (results.tests["group"] == "all securities")]
    assert (later[later["test"] == "placebo"]["p_value"] > 0.01).all()


def hand_panel(
    index: pd.DatetimeIndex, tickers: list[str], market: np.ndarray, ar: np.ndarray, event_row: int
) -> CalendarPanel:
    """A calendar's panel built by hand: returns ``market + ar`` (one benchmark series for every security)."""
    shape = ar.shape
    return CalendarPanel(
        index=index,
        tickers=tickers,
        returns=market[:, np.newaxis] + ar,
        market=np.repeat(market[:, np.newaxis], shape[1], axis=1),
        factors=None,
        not_ipo=np.ones(shape, dtype=bool),
        pair_rows=np.empty(0, dtype=np.int64),
        pair_columns=np.empty(0, dtype=np.int64),
        path_window=(0, 1),
        event_rows=np.array([event_row]),
        listed_rows=np.full(shape[1], UNKNOWN_LISTING),
        stale=np.zeros(shape, dtype=bool),
    )


def test_placebo_cars_by_hand() -> None:
    """Market-adjusted ARs set by hand on two calendars: the placebo CARs are their sums over each window, on every
    date that qualifies, and NaN where the pair cannot be estimated."""
    days = pd.bdate_range("2024-01-01", periods=60)
    k = np.arange(60.0)  # each day's position on calendar X
    on_y = np.r_[0:40, 42:60]  # calendar Y closes on X's days 40 and 41
    market = np.random.default_rng(17).normal(0.0, 0.01, 60)
    ar = {"A": 0.001 * k, "B": np.where(k < 35, np.nan, 0.01 - 0.002 * k), "C": 0.0005 * k * (-1.0) ** k}
    panels = {
        "X": hand_panel(days, ["A", "B"], market, np.column_stack([ar["A"], ar["B"]]), 30),
        "Y": hand_panel(days[on_y], ["C"], market[on_y], ar["C"][on_y, np.newaxis], 30),
    }
    spec = EventStudy(
        [event_on(days[30])],
        tickers=["NVDA"],
        model="market-adjusted",
        estimation_window=(-20, -1),
        event_windows=[(0, 0), (0, 1)],
        path_window=(0, 1),
        min_estimation=15,
        placebo_replications=1000,  # more than qualify: every qualifying date is drawn, in date order
    )
    # A date qualifies when it is a session of both calendars and, on each, its estimation window and AR path lie
    # inside the panel with one more session on each side (the session before a return, as every panel holds:
    # ``panel_sessions``), and its AR path (days 0, +1) does not touch the real event's (rows 30, 31).
    qualifying = []
    for x_row in on_y:
        rows = {"X": x_row, "Y": int(np.flatnonzero(on_y == x_row)[0])}
        if all(
            row - 20 - 1 >= 0 and row + 1 + 1 < len(panels[name].index) and abs(row - 30) >= 2
            for name, row in rows.items()
        ):
            qualifying.append(x_row)
    assert len(qualifying) == len(range(21, 58)) - 3 - 2  # X rows 21..57 without 29..31 and 40, 41

    def expected(ticker: str, sessions: np.ndarray) -> np.ndarray:
        """(CAR(0,0), CAR(0,+1)) on each qualifying date, day +1 being the ticker's own calendar's next session."""
        following = sessions[np.searchsorted(sessions, qualifying) + 1]
        return np.column_stack([ar[ticker][qualifying], ar[ticker][qualifying] + ar[ticker][following]])

    cars = placebo_cars(spec, panels)
    assert sorted(cars) == ["A", "B", "C"]
    np.testing.assert_allclose(cars["A"], expected("A", np.arange(60)), rtol=0, atol=1e-15)
    np.testing.assert_allclose(cars["C"], expected("C", on_y), rtol=0, atol=1e-15)  # day 39's +1 is day 42 on Y
    # B trades from day 35: its 20-day estimation window holds the 15 returns min_estimation asks for from day 50.
    estimable = np.array(qualifying) >= 50
    assert estimable.sum() == 8
    np.testing.assert_allclose(cars["B"][estimable], expected("B", np.arange(60))[estimable], rtol=0, atol=1e-15)
    assert np.isnan(cars["B"][~estimable]).all()


def test_pairs_table_diagnostics(injected) -> None:  # type: ignore[no-untyped-def]
    results, days = injected
    pairs = results.pairs[results.pairs["event_id"] == "news"].set_index("ticker")
    assert (pairs["status"] == "ok").all() and (pairs["observations"] == ESTIMATION_DAYS).all()
    assert (pairs["model_used"] == "market").all() and (pairs["fallback_reason"] == "").all()
    assert (pairs["stale_days"] == 0).all()
    assert pairs.loc["S00", "beta"] == pytest.approx(0.6, abs=0.25)
    assert pairs.loc["S19", "beta"] == pytest.approx(1.6, abs=0.25)
    first, last = (300 + day for day in DEFAULT_ESTIMATION_WINDOW)  # day 0 is session 300
    assert pairs.loc["S00", "estimation_start"] == days[first] and pairs.loc["S00", "estimation_end"] == days[last]


def test_no_injection_no_rejection(tmp_path: Path) -> None:
    prices, universe, days = write_market(tmp_path, seed=3)
    results = EventStudy(
        [event_on(days[300])], universe=load_universe(universe), prices=CsvDirectorySource(prices), tests=["bmp_t"]
    ).run()
    rows = results.tests[(results.tests["group"] == "all securities") & (results.tests["window"] == "(0,0)")]
    tests = rows[rows["scope"] == "event"].set_index("test")
    assert tests.loc["bmp_t", "p_value"] > 0.01
    # One event: the panel spans only its own windows, so no clear pseudo-event date exists, and it says so.
    assert (
        np.isnan(tests.loc["placebo", "p_value"]) and "no pseudo-event date qualifies" in tests.loc["placebo", "note"]
    )
    computed = results.tests.dropna(subset=["p_value"])
    assert len(computed) and (computed["q_value"] >= computed["p_value"] - 1e-15).all()


def test_short_history_is_reported_not_estimable_with_reason(tmp_path: Path) -> None:
    prices, universe, days = write_market(tmp_path, days=200)
    results = EventStudy(
        [event_on(days[120])],
        universe=load_universe(universe),
        prices=CsvDirectorySource(prices),
        tests=["bmp_t"],
        fallback="none",
    ).run()
    assert (results.pairs["status"] == "not estimable").all()
    assert results.pairs["reason"].iloc[0].startswith("109 valid returns in the estimation window (-250,-11)")
    assert "S00 prices start on 2022-01-03" in results.pairs["reason"].iloc[0]
    assert results.car.empty and results.ar.empty


def test_aggregation_counts_each_event_security_pair_once(tmp_path: Path) -> None:
    prices, universe, days = write_market(tmp_path, securities=6)
    events = [
        event_on(days[300], "first"),
        event_on(days[330], "second"),
        event_on(days[360], "third", "S01;S02"),
        event_on(days[300], "same-day", "S01"),  # the same returns as "first" for S01
    ]
    results = EventStudy(
        events, universe=load_universe(universe), prices=CsvDirectorySource(prices), tests=["cross_sectional_t"]
    ).run()
    # write_market puts the odd stocks in group A, the even ones in B; an event that names no ticker is studied on
    # every stock and on one basket per group, an event that names tickers on those only.
    stocks = [f"S{i:02d}" for i in range(6)]
    group = {ticker: "A" if int(ticker[1:]) % 2 else "B" for ticker in stocks}
    studied = {event.id: list(event.tickers) or stocks for event in events}
    baskets = {event.id: [] if event.tickers else sorted(set(group.values())) for event in events}
    assert len(results.pairs) == sum(len(studied[e.id]) + len(baskets[e.id]) for e in events)
    # Across events a (day 0, security) counts once: S01 on the day 0 "first" and "same-day" share counts once.
    day_of = {event.id: event.date for event in events}
    stock_pairs = {(day_of[event_id], ticker) for event_id, tickers in studied.items() for ticker in tickers}
    basket_pairs = {(day_of[event_id], basket) for event_id, names in baskets.items() for basket in names}
    across = results.caar[(results.caar["scope"] == "all events") & (results.caar["window"] == "(0,0)")]
    across = across.set_index("group")["n"]
    assert across.loc["all securities"] == len(stock_pairs) < sum(len(tickers) for tickers in studied.values())
    assert across.loc["baskets"] == len(basket_pairs)
    assert across.loc["A"] == sum(group[ticker] == "A" for _, ticker in stock_pairs)


def test_excluding_contaminated_days_shortens_the_estimation(tmp_path: Path) -> None:
    prices, universe, days = write_market(tmp_path, securities=4)
    events = [event_on(days[300], "late"), event_on(days[200], "early")]
    common = {"universe": load_universe(universe), "prices": CsvDirectorySource(prices), "tests": ["bmp_t"]}
    plain = EventStudy(events, **common).run().pairs.set_index(["event_id", "ticker"])
    clean = EventStudy(events, exclude_contaminated=True, **common).run().pairs.set_index(["event_id", "ticker"])
    assert plain.loc[("late", "S00"), "contaminating_events"] == "early"
    # The early event's whole AR path (sessions 190..210) lies inside the late one's estimation window (50..289).
    assert plain.loc[("late", "S00"), "observations"] - clean.loc[("late", "S00"), "observations"] == PATH_DAYS
    assert plain.loc[("early", "S00"), "observations"] == clean.loc[("early", "S00"), "observations"]


def test_specification_errors_are_clear(tmp_path: Path) -> None:
    _, universe, days = write_market(tmp_path, securities=2)
    with pytest.raises(ValueError, match="must end before the event windows"):
        EventStudy([event_on(days[300])], estimation_window=(-250, -5), universe=load_universe(universe))
    with pytest.raises(ValueError, match=r"event window \(3, 1\) ends before it starts"):
        EventStudy([event_on(days[300])], event_windows=[(3, 1)], universe=load_universe(universe))
    with pytest.raises(UniverseError, match=r"benchmark \^HSI does not trade on the calendar of NVDA"):
        EventStudy([event_on(days[300])], benchmark="^HSI")


# --- the real snapshot ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crash() -> object:
    events = load_events(REPO / "events.csv")
    return EventStudy([events["nvidia-crash"], events["deepseek-r1"], events["glm-5"]], bootstrap_replications=99).run()


def test_nvidia_abnormal_return_on_2025_01_27(crash) -> None:  # type: ignore[no-untyped-def]
    nvda = crash.ar[(crash.ar["event_id"] == "nvidia-crash") & (crash.ar["ticker"] == "NVDA")].set_index("day")
    assert nvda.loc[0, "date"] == pd.Timestamp("2025-01-27")
    # Published closes: US$118.42 on 2025-01-27, down from US$142.62 (Nasdaq; e.g. Reuters, 2025-01-27).
    assert nvda.loc[0, "return"] == pytest.approx(118.42 / 142.62 - 1, abs=5e-4)
    assert nvda.loc[0, "ar"] < -0.10
    car = crash.car_for("nvidia-crash", (0, 0))
    assert car.loc["NVDA", "p_value"] < 0.01 and car.loc["NVDA", "t"] < -4
    assert car.loc["TSM", "car"] < -0.08 and car.loc["ASML", "car"] < 0


def test_each_security_is_measured_against_its_own_market(crash) -> None:  # type: ignore[no-untyped-def]
    pairs = crash.pairs.set_index(["event_id", "ticker"])
    assert pairs.loc[("nvidia-crash", "NVDA"), "benchmark"] == "SPY"
    assert pairs.loc[("nvidia-crash", "0700.HK"), "benchmark"] == "^HSI"
    # The crash hit New York on Monday 2025-01-27 after Hong Kong had closed: day 0 there is the 28th.
    assert pairs.loc[("nvidia-crash", "0700.HK"), "day_zero"] == pd.Timestamp("2025-01-28")
    assert pairs.loc[("glm-5", "2513.HK"), "model_used"] == "market-adjusted"  # too young for a market model
    assert pairs.loc[("deepseek-r1", "NVDA"), "observations"] == ESTIMATION_DAYS
