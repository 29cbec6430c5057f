"""The Yahoo suffix -> exchange -> default benchmark table, checked against exchange_calendars and its own docs."""

from __future__ import annotations

import re

import pytest

from eventstudy import exchanges
from eventstudy.calendars import calendar_name, calendar_names
from eventstudy.exchanges import (
    EXCHANGES,
    INDEX_EXCHANGES,
    SUFFIX_EXCHANGES,
    UnknownSuffixError,
    check_ticker,
    default_benchmark,
    exchange_of_ticker,
)


def test_every_exchange_of_the_table_has_a_calendar() -> None:
    known = set(calendar_names())
    assert set(SUFFIX_EXCHANGES.values()) == set(EXCHANGES) <= known
    assert set(INDEX_EXCHANGES.values()) <= set(EXCHANGES)


def test_every_default_benchmark_trades_on_its_exchange_calendar() -> None:
    for mic, exchange in EXCHANGES.items():
        if exchange.benchmark is not None:
            assert calendar_name(exchange_of_ticker(exchange.benchmark)) == calendar_name(mic), mic


@pytest.mark.parametrize(
    ("ticker", "mic", "benchmark"),
    [
        ("NVDA", "XNYS", "SPY"),  # the S&P 500 proxy of the packaged universe
        ("0700.HK", "XHKG", "^HSI"),
        ("7203.T", "XTKS", "^N225"),
        ("600519.SS", "XSHG", "000300.SS"),  # CSI 300
        ("000858.SZ", "XSHE", "000300.SS"),
        ("005930.KS", "XKRX", "^KS11"),
        ("2330.TW", "XTAI", "^TWII"),
        ("ASML.AS", "XAMS", "^AEX"),
        ("HSBA.L", "XLON", "^FTSE"),
        ("SAP.DE", "XETR", "^GDAXI"),
        ("MC.PA", "XPAR", "^FCHI"),
        ("RELIANCE.NS", "XNSE", "^NSEI"),
        ("RY.TO", "XTSE", "^GSPTSE"),
        ("BHP.AX", "XASX", "^AXJO"),
        ("VOLV-B.ST", "XSTO", "^OMX"),
        ("NOVO-B.CO", "XCSE", None),  # no index ticker we could name with certainty
        ("^N225", "XTKS", None),
    ],
)
def test_suffixes_and_default_benchmarks(ticker: str, mic: str, benchmark: str | None) -> None:
    assert exchange_of_ticker(ticker) == mic
    if not ticker.startswith("^"):
        assert default_benchmark(mic) == benchmark


def test_unknown_suffixes_name_the_ticker_and_what_to_do() -> None:
    known = r"ticker 'X\.ZZ': unknown Yahoo Finance suffix '\.ZZ'; the suffixes known are \.HK, \.T, \.SS"
    with pytest.raises(UnknownSuffixError, match=known):
        exchange_of_ticker("X.ZZ")
    with pytest.raises(UnknownSuffixError, match=r"index '\^XYZ': its market is unknown.*column 'exchange'"):
        exchange_of_ticker("^XYZ")
    with pytest.raises(UnknownSuffixError, match="currency or futures quote"):
        exchange_of_ticker("EURUSD=X")


@pytest.mark.parametrize("ticker", ["NVDA", "BRK-B", "0700.HK", "^GSPC", "000300.SS", "A" * 100])
def test_well_formed_tickers(ticker: str) -> None:
    assert check_ticker(ticker) == ticker


@pytest.mark.parametrize("ticker", ["../../evil", "..", ".hidden", "A..B", "a/b", "NV DA", "", "A" * 101, "-x"])
def test_tickers_that_cannot_name_a_file_are_refused(ticker: str) -> None:
    with pytest.raises(ValueError, match=r"is not a ticker|longer than 100"):
        check_ticker(ticker)


def test_the_documented_table_is_the_table() -> None:
    documented: dict[str, tuple[str, str | None]] = {}
    for line in (exchanges.__doc__ or "").splitlines():
        cells = re.fullmatch(r"(\(none\)|``\.\S+``(?:, ``\.\S+``)?)\s+([A-Z]{4})\s+.*\s{2,}(none|\S+ \(.+\))", line)
        if cells:
            suffixes = re.findall(r"``\.(\S+?)``", cells.group(1)) or [""]
            benchmark = None if cells.group(3) == "none" else cells.group(3).split(" ")[0]
            documented |= {suffix: (cells.group(2), benchmark) for suffix in suffixes}
    assert documented == {suffix: (mic, EXCHANGES[mic].benchmark) for suffix, mic in SUFFIX_EXCHANGES.items()}
