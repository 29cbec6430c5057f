"""The packaged universe and the validation of user universe files."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventstudy.prices import SnapshotSource
from eventstudy.universe import UniverseError, load_universe

HEADER = "ticker,name,exchange,currency,group,benchmark,factor\n"


def test_default_universe_has_the_studied_securities_and_their_markets() -> None:
    universe = load_universe()
    for ticker in (
        "NVDA",
        "TSM",
        "ASML",
        "0700.HK",
        "9988.HK",
        "9888.HK",
        "0981.HK",
        "1347.HK",
        "1810.HK",
        "0020.HK",
        "3896.HK",
        "1024.HK",
        "2513.HK",
        "0100.HK",
    ):
        assert ticker in universe
    assert universe["NVDA"].benchmark == "SPY"
    assert universe["0700.HK"].benchmark == "^HSI"
    assert universe["2513.HK"].group == "HK AI model makers"
    assert {"US semiconductors", "HK AI & internet", "HK AI model makers", "benchmarks"} <= set(universe.groups)


def test_every_universe_security_has_offline_prices() -> None:
    assert sorted(load_universe().tickers) == sorted(SnapshotSource().tickers())


def test_select_by_group_and_ticker() -> None:
    universe = load_universe()
    makers = universe.select(groups=["HK AI model makers"])
    assert makers.tickers == ["2513.HK", "0100.HK"]
    assert universe.select(tickers=["TSM", "NVDA"]).tickers == ["NVDA", "TSM"]
    with pytest.raises(UniverseError, match=r"\['NOPE'\] are not in the universe"):
        universe.select(tickers=["NOPE"])
    with pytest.raises(UniverseError, match="unknown group"):
        universe.select(groups=["Martian miners"])


def test_user_universe_problems_are_all_named_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "universe.csv"
    path.write_text(
        HEADER
        + "SPY,S&P 500,XNYS,USD,benchmarks,,\n"
        + "^HSI,Hang Seng,XHKG,HKD,benchmarks,,\n"
        + "NVDA,NVIDIA,XNAS,USD,semis,SPY,\n"
        + "NVDA,NVIDIA again,XNAS,USD,semis,SPY,\n"
        + "0700.HK,Tencent,XHKG,HKD,HK,SPY,\n"
        + "ABC,Unknown,XLON,GBP,uk,FTSE,\n",
        encoding="utf-8",
    )
    with pytest.raises(UniverseError) as caught:
        load_universe(path)
    message = str(caught.value)
    assert f"{path}:5: column 'ticker': value 'NVDA': duplicate of line 4" in message
    assert f"{path}:6: column 'benchmark': value 'SPY': trades on XNYS, not on the calendar of XHKG" in message
    assert f"{path}:7: column 'exchange': value 'XLON': not a supported exchange MIC" in message
    assert f"{path}:7: column 'benchmark': value 'FTSE': not in the universe" in message
    assert message.startswith("4 problem(s)")


def test_missing_column_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_text("ticker,name\nNVDA,NVIDIA\n", encoding="utf-8")
    with pytest.raises(UniverseError, match=r"u.csv:1: missing required column\(s\) exchange, currency, group"):
        load_universe(path)
    with pytest.raises(UniverseError, match="cannot read the universe file"):
        load_universe(tmp_path / "absent.csv")
