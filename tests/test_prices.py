"""Price sources: the packaged snapshot against ../shared/prices, CSV folders, Yahoo (faked), cache and chain."""

from __future__ import annotations

import hashlib
import multiprocessing
import runpy
import sqlite3
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.calendars import sessions
from eventstudy.prices import (
    PRICE_COLUMNS,
    CacheWarning,
    CsvDirectorySource,
    InvalidPricesError,
    MissingPricesError,
    NetworkError,
    PriceCache,
    PriceChain,
    PriceFileError,
    SnapshotSource,
    UnadjustedSplitWarning,
    UnknownTickerError,
    YahooSource,
    default_price_source,
    read_price_csv,
    snapshot_provenance,
    validate_prices,
)
from eventstudy.prices.base import file_stem
from eventstudy.prices.snapshot import SNAPSHOT_FILE, _snapshot_frames, data_dir
from eventstudy.universe import load_universe

NOW = pd.Timestamp("2026-11-29 12:00", tz="UTC")


# --- the snapshot --------------------------------------------------------------------------------------------------


def test_snapshot_equals_the_shared_price_files(shared_prices: Path) -> None:
    snapshot = SnapshotSource()
    files = sorted(shared_prices.glob("*.csv"))
    # Every series the packaged universe names: its securities, their benchmarks and their factors.
    universe = load_universe()
    named = {security.ticker for security in universe} | {security.benchmark for security in universe}
    named |= {factor for security in universe for factor in (security.factor or "").split(";")}
    assert len(files) == len(snapshot.tickers()) and set(snapshot.tickers()) == named - {"", None}
    stems = {file_stem(ticker): ticker for ticker in snapshot.tickers()}
    for path in files:
        expected = read_price_csv(path)
        actual = snapshot.history(stems[path.stem])
        pd.testing.assert_frame_equal(actual, expected, check_exact=True, check_freq=False)


def test_snapshot_provenance_matches_the_shared_files(shared_prices: Path) -> None:
    series = snapshot_provenance()["series"]
    for ticker, record in series.items():
        path = shared_prices / record["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == record["sha256"], ticker
        assert (data_dir() / "provenance" / record["provenance"]).is_file(), ticker
    assert series["NVDA"] == series["NVDA"] | {"first": "2023-01-03", "last": "2026-09-25", "rows": 936}
    assert series["^HSI"]["provenance"] == "SOURCES-hk1.md"


def test_snapshot_build_is_deterministic(shared_prices: Path, tmp_path: Path) -> None:
    """Rebuilding from ../shared/prices gives the committed bytes and provenance."""
    script = Path(__file__).resolve().parents[1] / "scripts" / "build_snapshot.py"
    runpy.run_path(str(script))["build"](shared_prices, tmp_path)
    for name in (SNAPSHOT_FILE, "provenance.json"):
        assert (tmp_path / name).read_bytes() == (data_dir() / name).read_bytes(), name


@pytest.mark.parametrize(
    ("ticker", "low", "high"),
    [("NVDA", -0.175, -0.165), ("TSM", -0.140, -0.130), ("ASML", -0.065, -0.050), ("SPY", -0.02, -0.01)],
)
def test_returns_of_the_nvidia_crash_day(ticker: str, low: float, high: float) -> None:
    """2025-01-27: the seeds say NVIDIA fell more than 17%, TSMC more than 13%, ASML about 5%."""
    close = SnapshotSource().history(ticker, "2025-01-24", "2025-01-27")["adj_close"]
    assert list(close.index) == [pd.Timestamp("2025-01-24"), pd.Timestamp("2025-01-27")]
    change = close.iloc[1] / close.iloc[0] - 1
    assert low < change < high


def test_the_snapshot_passes_validation_without_a_warning() -> None:
    """Every packaged series is finite, positive and split-adjusted (its largest session move is NVDA-sized, far
    from x3), so loading it afresh under warnings-as-errors gives the same frames."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fresh = _snapshot_frames.__wrapped__()  # type: ignore[attr-defined]
    assert fresh.keys() == _snapshot_frames().keys()
    for ticker, frame in fresh.items():
        pd.testing.assert_frame_equal(frame, _snapshot_frames()[ticker], check_exact=True)


def test_unknown_ticker_in_snapshot_is_named() -> None:
    with pytest.raises(UnknownTickerError, match="NOPE: not in the offline snapshot"):
        SnapshotSource().history("NOPE")


# --- CSV folders ---------------------------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_folder_reads_a_caret_ticker_by_its_stem(tmp_path: Path) -> None:
    write(tmp_path / "HSI.csv", "date,adj_close\n2025-01-02,100\n2025-01-03,101.5\n")
    frame = CsvDirectorySource(tmp_path).history("^HSI")
    assert list(frame.columns) == list(PRICE_COLUMNS)
    assert frame["adj_close"].tolist() == [100.0, 101.5]
    assert frame["open"].isna().all()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,close\n2025-01-02,1\n", r"X.csv \(X\):1: column 'adj_close': required column is missing"),
        (
            "date,adj_close\n2025-01-02,1\n2025/01/03,2\n",
            r"X.csv \(X\):3: column 'date': value '2025/01/03': not an ISO",
        ),
        ("date,adj_close\n2025-01-03,1\n2025-01-02,2\n", r":3: column 'date': value '2025-01-02': dates must ascend"),
        ("date,adj_close\n2025-01-02,1\n2025-01-02,2\n", r":3: column 'date': value '2025-01-02': dates must ascend"),
        ("date,adj_close,volume\n2025-01-02,1,lots\n", r":2: column 'volume': value 'lots': not a number"),
        ("date,adj_close\n2025-01-02,1\n2025-01-03,0\n", r":3: column 'adj_close': value '0': must be a positive"),
        ("date,adj_close\n2025-01-02,1\n2025-01-03,\n", r":3: column 'adj_close': value '': must be a positive"),
        # The tester's cases: inf on day 0 gave CAR = inf with status ok; 1e308 a self-contradicting reason.
        ("date,adj_close\n2025-01-02,1\n2025-01-03,inf\n", r":3: column 'adj_close': value 'inf': must be a finite"),
        ("date,adj_close\n2025-01-02,-Infinity\n", r":2: column 'adj_close': value '-Infinity': must be a positive"),
        ("date,adj_close\n2025-01-02,1\n2025-01-03,1e308\n", r":3: column 'adj_close': value '1e308': over 1e\+12 is"),
        ("date,adj_close\n2025-01-02,1e13\n", r":2: column 'adj_close': value '1e13': over 1e\+12 is not a price"),
        ("date,close,adj_close\n2025-01-02,0,1\n", r":2: column 'close': value '0': must be a positive number \(or"),
        ("date,open,adj_close\n2025-01-02,-3,1\n", r":2: column 'open': value '-3': must be a positive number"),
        ("date,adj_close,volume\n2025-01-02,1,-5\n", r":2: column 'volume': value '-5': must not be negative"),
        ("date,adj_close,volume\n2025-01-02,1,inf\n", r":2: column 'volume': value 'inf': must be a finite"),
        ("", r"X.csv \(X\):1: the file is empty; it needs a header row"),
        ("date,open,high,low,close,adj_close,volume\n", r"X.csv \(X\): no prices in the file \(only a header\)"),
        # The first problem in file order is the one reported.
        ("date,high,adj_close\n2025-01-02,1,-1\n2025-01-03,inf,1\n", r":2: column 'adj_close': value '-1'"),
    ],
)
def test_malformed_csv_gives_one_line_naming_file_line_and_column(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "X.csv", text)
    with pytest.raises(PriceFileError, match=message) as caught:
        CsvDirectorySource(tmp_path).history("X")
    assert "\n" not in str(caught.value)


def split_file(folder: Path, adjusted: bool) -> Path:
    """A 10-for-1 split on 2025-01-06: close drops from 1000 to 100; adj_close follows unless ``adjusted``."""
    before = "2025-01-02,1000,{a}\n2025-01-03,1010,{b}\n"
    text = "date,close,adj_close\n" + before.format(a=100 if adjusted else 1000, b=101 if adjusted else 1010)
    return write(folder / "X.csv", text + "2025-01-06,100,100\n2025-01-07,99,99\n")


def test_an_unadjusted_split_warns_naming_file_line_ticker_and_dates(tmp_path: Path) -> None:
    split_file(tmp_path, adjusted=False)
    with pytest.warns(UnadjustedSplitWarning) as caught:
        frame = CsvDirectorySource(tmp_path).history("X")
    assert len(caught) == 1
    assert str(caught[0].message).startswith(
        f"{tmp_path / 'X.csv'} (X):4: adjusted close moves x0.099 from 2025-01-03 to 2025-01-06, and its close by "
        "the same factor: probably a split the prices are not adjusted for"
    )
    assert frame["adj_close"].tolist() == [1000.0, 1010.0, 100.0, 99.0]  # warned, not changed


def test_an_unadjusted_split_is_an_error_under_a_warnings_filter(tmp_path: Path) -> None:
    split_file(tmp_path, adjusted=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnadjustedSplitWarning)
        with pytest.raises(UnadjustedSplitWarning, match=r"X.csv \(X\):4: adjusted close moves x0.099"):
            CsvDirectorySource(tmp_path).history("X")


def test_an_adjusted_split_and_moves_under_x3_do_not_warn(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        split_file(tmp_path, adjusted=True)
        assert len(CsvDirectorySource(tmp_path).history("X")) == 4  # close jumps, the adjusted close does not
        write(tmp_path / "Y.csv", "date,close,adj_close\n2025-01-02,30,30\n2025-01-03,10.01,10.01\n")
        assert len(CsvDirectorySource(tmp_path).history("Y")) == 2  # x0.334: a crash, not flagged
        write(tmp_path / "Z.csv", "date,adj_close\n2025-01-02,1000\n2025-01-03,100\n")
        assert len(CsvDirectorySource(tmp_path).history("Z")) == 2  # without close nothing can be told


def test_a_split_up_in_a_dividend_adjusted_series_warns() -> None:
    """adj_close / close is 0.98 on both days: the x4 jump is in both, no adjustment accounts for it."""
    index = pd.DatetimeIndex(pd.to_datetime(["2025-01-02", "2025-01-03"]), name="date")
    close = np.array([10.0, 40.0])
    frame = pd.DataFrame({"open": np.nan, "high": np.nan, "low": np.nan, "close": close, "adj_close": close * 0.98})
    frame["volume"] = np.nan
    with pytest.warns(UnadjustedSplitWarning, match=r"^Yahoo Finance: T 2025-01-03: adjusted close moves x4 from"):
        validate_prices(frame.set_axis(index), "T", "Yahoo Finance")


def test_csv_folder_refuses_a_ticker_that_would_leave_the_folder(tmp_path: Path) -> None:
    (tmp_path / "prices").mkdir()
    write(tmp_path / "evil.csv", "date,adj_close\n2025-01-02,1\n")
    with pytest.raises(UnknownTickerError, match="no file"):
        CsvDirectorySource(tmp_path / "prices").history("../evil")


def test_csv_folder_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(UnknownTickerError, match=r"ABC: no file ABC\.csv"):
        CsvDirectorySource(tmp_path).history("ABC")
    with pytest.raises(Exception, match="price folder does not exist"):
        CsvDirectorySource(tmp_path / "absent")


# --- Yahoo Finance through a fake yfinance.download ----------------------------------------------------------------


def yahoo_frame(tickers: list[str], dates: list[str], base: float = 100.0) -> pd.DataFrame:
    """What ``yfinance.download(group_by="ticker", auto_adjust=False)`` returns: (ticker, field) columns."""
    index = pd.DatetimeIndex(pd.to_datetime(dates), name="Date")
    pieces = {}
    for offset, ticker in enumerate(tickers):
        close = base + offset + np.arange(len(dates), dtype=float)
        for field, values in {
            "Open": close - 0.5,
            "High": close + 1,
            "Low": close - 1,
            "Close": close,
            "Adj Close": close * 0.99,
            "Volume": np.full(len(dates), 1000.0),
        }.items():
            pieces[(ticker, field)] = values
    return pd.DataFrame(pieces, index=index)


class FakeDownload:
    """Replays scripted answers (frames or exceptions) and records each call's arguments."""

    def __init__(self, *answers: pd.DataFrame | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, object]] = []

    def __call__(self, **kwargs: object) -> pd.DataFrame:
        self.calls.append(kwargs)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def no_sleep(seconds: float) -> None:
    del seconds


def test_yahoo_success_batches_tickers_and_asks_adjusted_prices() -> None:
    fake = FakeDownload(yahoo_frame(["NVDA", "TSM"], ["2025-01-24", "2025-01-27"]))
    frames = YahooSource(download=fake, sleep=no_sleep).histories(["NVDA", "TSM"], "2025-01-24", "2025-01-27")
    assert len(fake.calls) == 1
    call = fake.calls[0]
    assert call["tickers"] == ["NVDA", "TSM"] and call["auto_adjust"] is False and call["group_by"] == "ticker"
    assert call["start"] == "2025-01-24" and call["end"] == "2025-01-28"  # yfinance's end is exclusive
    assert frames["TSM"]["close"].tolist() == [101.0, 102.0]
    assert frames["TSM"]["adj_close"].tolist() == pytest.approx([99.99, 100.98])
    assert frames["NVDA"].index.name == "date"


def test_yahoo_empty_answers_are_retried_then_reported_as_network_trouble() -> None:
    fake = FakeDownload(pd.DataFrame())
    waits: list[float] = []
    source = YahooSource(download=fake, attempts=3, backoff_seconds=0.5, sleep=waits.append)
    with pytest.raises(NetworkError, match=r"no prices for NVDA after 3 attempts \(no prices returned\)"):
        source.history("NVDA", "2025-01-01", "2025-01-31")
    assert len(fake.calls) == 3
    assert waits == [0.5, 1.0]


def test_yahoo_exception_then_success() -> None:
    fake = FakeDownload(ConnectionError("Name or service not known"), yahoo_frame(["NVDA"], ["2025-01-27"]))
    frame = YahooSource(download=fake, sleep=no_sleep).history("NVDA", "2025-01-27", "2025-01-27")
    assert len(fake.calls) == 2 and len(frame) == 1


def test_yahoo_exceptions_only_name_the_last_error() -> None:
    fake = FakeDownload(ConnectionError("Name or service not known"))
    with pytest.raises(NetworkError, match="ConnectionError: Name or service not known"):
        YahooSource(download=fake, sleep=no_sleep).history("NVDA")


def test_yahoo_partial_answer_keeps_what_came_and_drops_placeholder_rows() -> None:
    raw = yahoo_frame(["NVDA", "GONE"], ["2025-01-24", "2025-01-27"])
    raw.loc[:, ("GONE", slice(None))] = np.nan  # yfinance leaves a failed ticker's columns empty
    raw.loc[pd.Timestamp("2025-01-24"), ("NVDA", "Adj Close")] = np.nan  # a row without a price
    frames = YahooSource(download=FakeDownload(raw), sleep=no_sleep).histories(["NVDA", "GONE"])
    assert frames["GONE"].empty
    assert list(frames["NVDA"].index) == [pd.Timestamp("2025-01-27")]


def test_yahoo_invalid_prices_name_ticker_date_and_column() -> None:
    raw = yahoo_frame(["NVDA"], ["2025-01-24", "2025-01-27"])
    raw.loc[pd.Timestamp("2025-01-27"), ("NVDA", "Adj Close")] = np.inf
    with pytest.raises(
        InvalidPricesError, match=r"^Yahoo Finance: NVDA 2025-01-27: column 'adj_close': value 'inf': must"
    ):
        YahooSource(download=FakeDownload(raw), sleep=no_sleep).history("NVDA")


def test_yahoo_zero_open_high_low_are_missing_values() -> None:
    """Yahoo writes 0 for an open, high or low it does not have (yfinance issues #415, #1281, #1566)."""
    raw = yahoo_frame(["NVDA"], ["2025-01-24", "2025-01-27"])
    for field in ("Open", "High", "Low"):
        raw.loc[pd.Timestamp("2025-01-24"), ("NVDA", field)] = 0.0
    frame = YahooSource(download=FakeDownload(raw), sleep=no_sleep).history("NVDA")
    assert frame[["open", "high", "low"]].iloc[0].isna().all()
    assert frame["open"].iloc[1] == 100.5 and frame["close"].tolist() == [100.0, 101.0]


# --- the SQLite cache ----------------------------------------------------------------------------------------------


def price_frame(dates: list[str], start: float = 10.0) -> pd.DataFrame:
    index = pd.DatetimeIndex(pd.to_datetime(dates), name="date")
    close = start + np.arange(len(dates), dtype=float)
    return pd.DataFrame({c: close for c in PRICE_COLUMNS}, index=index).astype("float64")


def test_cache_round_trip_and_missing_ranges(tmp_path: Path) -> None:
    cache = PriceCache(tmp_path / "prices.sqlite")
    frame = price_frame(["2025-01-02", "2025-01-03", "2025-01-06"])
    cache.store("NVDA", frame, "2025-01-01", "2025-01-07")
    pd.testing.assert_frame_equal(cache.history("NVDA"), frame, check_freq=False)
    assert cache.missing_ranges("NVDA", "2025-01-01", "2025-01-07") == []
    assert cache.missing_ranges("NVDA", "2024-12-20", "2025-01-20") == [
        (pd.Timestamp("2024-12-20"), pd.Timestamp("2024-12-31")),
        (pd.Timestamp("2025-01-08"), pd.Timestamp("2025-01-20")),
    ]
    cache.store("NVDA", price_frame(["2025-01-08"], 20.0), "2025-01-08", "2025-01-10")
    assert cache.coverage("NVDA") == [(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-10"))]
    with pytest.raises(UnknownTickerError, match="not in the price cache"):
        cache.history("TSM")


def test_cache_write_interrupted_midway_leaves_previous_contents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PriceCache(tmp_path / "prices.sqlite")
    before = price_frame(["2025-01-02", "2025-01-03"])
    cache.store("NVDA", before, "2025-01-01", "2025-01-03")

    original_rows = PriceCache._rows

    def rows_then_crash(ticker: str, frame: pd.DataFrame):  # type: ignore[no-untyped-def]
        for count, row in enumerate(original_rows(ticker, frame)):
            if count == 2:
                raise KeyboardInterrupt("download interrupted")
            yield row

    monkeypatch.setattr(PriceCache, "_rows", staticmethod(rows_then_crash))
    replacement = price_frame(["2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07"], start=50.0)
    with pytest.raises(KeyboardInterrupt):
        cache.store("NVDA", replacement, "2025-01-01", "2025-01-10", replace=True)

    reopened = PriceCache(tmp_path / "prices.sqlite")
    pd.testing.assert_frame_equal(reopened.history("NVDA"), before, check_freq=False)
    assert reopened.coverage("NVDA") == [(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-03"))]


def test_cache_rows_that_are_not_prices_are_dropped_and_the_snapshot_serves(tmp_path: Path) -> None:
    path = tmp_path / "prices.sqlite"
    cache = PriceCache(path)
    cache.store("NVDA", SnapshotSource().history("NVDA", "2025-01-02", "2025-01-31"), "2025-01-02", "2025-01-31")
    with sqlite3.connect(path) as connection:  # damage written by hand (or by an old version)
        connection.execute("UPDATE prices SET adj_close = 1e999 WHERE date = '2025-01-27'")
    chain = PriceChain([cache, SnapshotSource()], universe=load_universe(), now=NOW)
    message = rf"^the price cache {path}: NVDA 2025-01-27: column 'adj_close': value 'inf': .*; dropped NVDA from the"
    with pytest.warns(CacheWarning, match=message):
        data = chain.load(["NVDA"], "2025-01-02", "2025-01-31")
    assert data.coverage["NVDA"].source == "snapshot" and data.coverage["NVDA"].complete
    assert cache.coverage("NVDA") == [] and cache.tickers() == []


def _store_many(path: str, ticker: str) -> None:
    cache = PriceCache(path)
    for month in range(1, 13):
        dates = pd.bdate_range(f"2024-{month:02d}-01", periods=15).strftime("%Y-%m-%d").tolist()
        cache.store(ticker, price_frame(dates), dates[0], dates[-1])


def test_two_processes_write_the_cache_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "prices.sqlite")
    PriceCache(path)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_store_many, args=(path, ticker)) for ticker in ("AAA", "BBB")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    cache = PriceCache(path)
    assert cache.tickers() == ["AAA", "BBB"]
    assert len(cache.history("AAA")) == len(cache.history("BBB")) == 12 * 15


# --- the chain -----------------------------------------------------------------------------------------------------


def chain_with(fake: FakeDownload | None, tmp_path: Path) -> PriceChain:
    cache = PriceCache(tmp_path / "prices.sqlite")
    online = None if fake is None else YahooSource(download=fake, sleep=no_sleep)
    return PriceChain([cache, SnapshotSource()], online=online, cache=cache, universe=load_universe(), now=NOW)


def test_chain_offline_serves_the_snapshot_and_names_what_is_missing(tmp_path: Path) -> None:
    chain = chain_with(None, tmp_path)
    assert len(chain.history("NVDA", "2025-01-02", "2025-01-31")) == len(sessions("XNAS", "2025-01-02", "2025-01-31"))
    with pytest.raises(MissingPricesError) as caught:
        chain.history("NVDA", "2026-09-01", "2026-10-15")
    assert str(caught.value).startswith(
        "NVDA: snapshot has no prices for 2026-09-28..2026-10-15 (after its last price, 2026-09-25)"
    )
    data = chain.load(["0020.HK", "ZZZZ"], "2025-10-01", "2025-11-30")
    assert data.coverage["0020.HK"].complete
    known_gap = sessions("XHKG", "2025-10-31", "2025-11-11")  # SenseTime's prices lack these sessions
    assert list(data.coverage["0020.HK"].missing_sessions) == list(known_gap)
    assert data.problems == [
        "ZZZZ: not in any offline price source (cache, snapshot); "
        "fetch it from Yahoo Finance (run online) or give its prices (--prices DIR)"
    ]


def test_sessions_between_two_cached_ranges_are_not_taken_for_market_gaps(tmp_path: Path) -> None:
    chain = chain_with(None, tmp_path)
    snapshot = SnapshotSource().history("NVDA", "2024-01-01", "2026-04-30")
    for start, end in (("2024-01-01", "2024-06-30"), ("2025-03-01", "2026-04-30")):
        chain.cache.store("NVDA", snapshot.loc[start:end], start, end)  # type: ignore[union-attr]
    coverage = chain.load(["NVDA"], "2024-01-02", "2026-04-30").coverage["NVDA"]
    assert coverage.source == "snapshot" and coverage.rows == len(snapshot) and coverage.missing_sessions == ()
    only_cached = chain.load(["NVDA"], "2025-03-03", "2025-06-30").coverage["NVDA"]
    assert only_cached.source == "cache" and only_cached.complete


def test_chain_downloads_only_missing_ranges_into_the_cache(tmp_path: Path) -> None:
    dates = ["2026-09-24", "2026-09-25", "2026-09-28", "2026-09-29", "2026-09-30", "2026-10-01", "2026-10-02"]
    fake = FakeDownload(yahoo_frame(["NVDA"], dates))
    chain = chain_with(fake, tmp_path)
    frame = chain.history("NVDA", "2026-09-28", "2026-10-02")
    assert list(frame.index.strftime("%Y-%m-%d")) == dates[2:]
    assert fake.calls[0]["start"] == "2026-09-21"  # the gap, with a week of overlap for the basis check
    # Asked again: the cache covers it, no new download.
    chain.history("NVDA", "2026-09-28", "2026-10-02")
    assert len(fake.calls) == 1
    assert chain.cache is not None and chain.cache.coverage("NVDA") == [
        (pd.Timestamp("2026-09-28"), pd.Timestamp("2026-10-02"))
    ]


def test_chain_refetches_the_whole_span_when_the_adjustment_basis_changed(tmp_path: Path) -> None:
    first = yahoo_frame(["TSM"], ["2026-10-01", "2026-10-02"])
    extended = yahoo_frame(["TSM"], ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06"], base=95.0)
    fake = FakeDownload(first, extended)
    chain = chain_with(fake, tmp_path)
    chain.fetch(["TSM"], "2026-10-01", "2026-10-02")
    chain.fetch(["TSM"], "2026-10-01", "2026-10-06")
    assert len(fake.calls) == 3  # first range, the new gap (overlap differs), then the whole span again
    assert fake.calls[2]["start"] == "2026-10-01" and fake.calls[2]["end"] == "2026-10-07"
    cached = chain.cache.history("TSM")  # type: ignore[union-attr]
    assert cached["close"].tolist() == [95.0, 96.0, 97.0, 98.0]  # one basis throughout, no seam


def test_chain_keeps_local_data_when_the_download_fails(tmp_path: Path) -> None:
    chain = chain_with(FakeDownload(ConnectionError("Name or service not known")), tmp_path)
    data = chain.load(["NVDA"], "2026-09-01", "2026-10-09")
    coverage = data.coverage["NVDA"]
    assert coverage.source == "snapshot" and coverage.last == pd.Timestamp("2026-09-25")
    assert "Name or service not known" in (coverage.online_error or "")
    assert data.problems[0].startswith("NVDA: snapshot has no prices for 2026-09-28..2026-10-09")
    assert "the download failed (Yahoo Finance gave no prices for NVDA after 3 attempts" in data.problems[0]


def test_chain_keeps_local_data_when_the_download_holds_invalid_prices(tmp_path: Path) -> None:
    raw = yahoo_frame(["NVDA"], ["2026-09-25", "2026-09-28"])
    raw.loc[pd.Timestamp("2026-09-28"), ("NVDA", "Adj Close")] = -1.0
    data = chain_with(FakeDownload(raw), tmp_path).load(["NVDA"], "2026-09-01", "2026-09-28")
    coverage = data.coverage["NVDA"]
    assert coverage.source == "snapshot" and coverage.last == pd.Timestamp("2026-09-25")
    assert coverage.online_error == (
        "Yahoo Finance: NVDA 2026-09-28: column 'adj_close': value '-1.0': must be a positive number"
    )


def test_default_chain_offline_never_builds_an_online_source() -> None:
    chain = default_price_source(offline=True)
    assert chain.online is None
    with pytest.raises(MissingPricesError, match="not available offline"):
        chain.fetch(["NVDA"])
