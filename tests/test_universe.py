"""The packaged universe, the open universe (tickers resolved from their suffix) and user universe files."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventstudy.cli import app
from eventstudy.prices import SnapshotSource, snapshot_provenance
from eventstudy.universe import Security, UniverseError, UniverseFileError, load_universe

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
    assert universe["SPY"].benchmark is None and universe["^HSI"].benchmark is None  # benchmarks have none
    assert universe["2513.HK"].group == "HK AI model makers"
    assert {"US semiconductors", "HK AI & internet", "HK AI model makers", "benchmarks"} <= set(universe.groups)


def test_every_universe_security_has_offline_prices() -> None:
    assert sorted(load_universe().tickers) == sorted(SnapshotSource().tickers())


def test_any_yahoo_ticker_resolves_from_its_suffix() -> None:
    universe = load_universe()
    assert "7203.T" not in universe
    assert universe.security("7203.T") == Security(
        ticker="7203.T", name="7203.T", exchange="XTKS", currency="JPY", group="other", benchmark="^N225"
    )
    assert universe["AAPL"].exchange == "XNYS" and universe["AAPL"].benchmark == "SPY"
    assert universe["000001.SZ"].exchange == "XSHE" and universe["000001.SZ"].benchmark == "000300.SS"
    assert universe["^N225"].exchange == "XTKS" and universe["^N225"].benchmark is None  # the benchmark itself
    assert universe.exchange_of("SAP.DE") == "XETR"
    with pytest.raises(UniverseError, match=r"ticker 'FOO.XX': unknown Yahoo Finance suffix '.XX'.*\.HK, \.T,"):
        universe.security("FOO.XX")
    with pytest.raises(UniverseError, match=r"ticker '\.\./\.\./evil' is not a ticker"):
        universe.security("../../evil")


def test_select_by_group_and_ticker() -> None:
    universe = load_universe()
    makers = universe.select(groups=["HK AI model makers"])
    assert makers.tickers == ["2513.HK", "0100.HK"]
    assert universe.select(tickers=["TSM", "NVDA"]).tickers == ["NVDA", "TSM"]
    studied = universe.select(tickers=["NVDA", "AAPL", "7203.T"])
    assert studied.tickers == ["NVDA", "AAPL", "7203.T"] and studied["AAPL"].group == "other"
    assert universe.select(tickers=["AAPL", "NVDA"], groups=["other"]).tickers == ["AAPL"]
    with pytest.raises(UniverseError, match=r"unknown Yahoo Finance suffix '\.NOPE'"):
        universe.select(tickers=["X.NOPE"])
    with pytest.raises(UniverseError, match="unknown group"):
        universe.select(groups=["Martian miners"])


def test_a_minimal_user_universe_is_filled_from_the_suffix_table(tmp_path: Path) -> None:
    path = tmp_path / "universe.csv"
    path.write_text("ticker\n7203.T\n000001.SZ\n^N225\n", encoding="utf-8")
    universe = load_universe(path)
    assert universe.tickers == ["7203.T", "000001.SZ", "^N225"]
    toyota = universe["7203.T"]
    assert (toyota.exchange, toyota.currency, toyota.group, toyota.benchmark) == ("XTKS", "JPY", "other", "^N225")
    assert universe["000001.SZ"].benchmark == "000300.SS"  # Shenzhen trades on Shanghai's calendar
    assert universe["^N225"].benchmark is None


def test_a_user_universe_extends_or_replaces_the_packaged_one(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("ticker,name,group\nNVDA,Nvidia Corp,my chips\n7203.T,Toyota,autos\n", encoding="utf-8")
    packaged = load_universe()
    extended = load_universe(path, extend=True)
    assert len(extended) == len(packaged) + 1 and extended.tickers[0] == "NVDA"  # user rows win, in place
    assert extended["NVDA"].name == "Nvidia Corp" and extended["NVDA"].benchmark == "SPY"
    assert extended["0700.HK"] == packaged["0700.HK"] and extended["7203.T"].group == "autos"
    assert load_universe(path).tickers == ["NVDA", "7203.T"]


def test_a_security_named_as_benchmark_has_none_itself(tmp_path: Path) -> None:
    path = tmp_path / "universe.csv"
    path.write_text("ticker,benchmark\nNVDX,SPYX\nSPYX,\nQQQX,\n", encoding="utf-8")
    universe = load_universe(path)
    assert universe["SPYX"].benchmark is None and universe["NVDX"].benchmark == "SPYX"
    assert universe["QQQX"].benchmark == "SPY"  # the default of New York, resolved outside the file


def test_user_universe_problems_are_all_named_with_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "universe.csv"
    path.write_text(
        HEADER
        + "SPY,S&P 500,XNYS,USD,benchmarks,,\n"  # 2
        + "NVDA,NVIDIA,XNAS,USD,semis,SPY,\n"  # 3
        + "NVDA,NVIDIA again,XNAS,USD,semis,SPY,\n"  # 4
        + "0700.HK,Tencent,XHKG,HKD,HK,SPY,\n"  # 5
        + "ABC,Unknown,XMARS,GBP,uk,,\n"  # 6
        + "../../evil,,,,,,\n"  # 7
        + "7203.T,,,,,^FTSE,\n"  # 8
        + "FOO.XX,,,,,,\n"  # 9
        + f"LONG,,,,{'g' * 101},,\n"  # 10
        + "X2,,,,HK-AI,,\n"  # 11
        + "X3,,,,hk ai,,\n"  # 12
        + "X4,,,,汽车,,\n",  # 13
        encoding="utf-8",
    )
    with pytest.raises(UniverseFileError) as caught:
        load_universe(path)
    message = str(caught.value)
    found = {(problem.row, problem.column) for problem in caught.value.problems}
    assert found == {
        (4, "ticker"),
        (5, "benchmark"),
        (6, "exchange"),
        (7, "ticker"),
        (8, "benchmark"),
        (9, "ticker"),
        (10, "group"),
        (12, "group"),
        (13, "group"),
    }
    assert f"{path}:4: column 'ticker': value 'NVDA': duplicate ticker; row 3 already lists it" in message
    assert f"{path}:5: column 'benchmark': value 'SPY': trades on XNYS, not on the calendar of XHKG" in message
    assert f"{path}:6: column 'exchange': value 'XMARS': is not an exchange MIC" in message
    assert f"{path}:7: column 'ticker': value '../../evil': is not a ticker" in message
    assert f"{path}:8: column 'benchmark': value '^FTSE': trades on XLON, not on the calendar of XTKS" in message
    assert f"{path}:9: column 'ticker': value 'FOO.XX': ticker 'FOO.XX': unknown Yahoo Finance suffix" in message
    assert "longer than 100 characters" in message and "would share its basket's report page" in message
    assert message.startswith(f"9 problem(s) in {path}")
    assert isinstance(caught.value, UniverseError)


def test_universe_files_are_read_like_events_files(tmp_path: Path) -> None:
    excel = tmp_path / "excel.csv"
    excel.write_bytes(b"\xef\xbb\xbfticker;name;group\r\n7203.T;Toyota;autos\r\n;;\r\n")
    assert load_universe(excel)["7203.T"].name == "Toyota"
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("ticker,name\n0700.HK,腾讯\n".encode("gbk"))
    with pytest.raises(UniverseFileError, match="is not UTF-8 text"):
        load_universe(gbk)
    typo = tmp_path / "typo.csv"
    typo.write_text("ticker,benchmrk\nNVDA,SPY\n", encoding="utf-8")
    with pytest.raises(UniverseFileError, match="column 'benchmrk': unknown column"):
        load_universe(typo)
    missing = tmp_path / "u.csv"
    missing.write_text("name\nNVIDIA\n", encoding="utf-8")
    with pytest.raises(UniverseFileError, match=r"u.csv:1: column 'ticker': required column is missing"):
        load_universe(missing)
    with pytest.raises(UniverseError, match="cannot read the universe file"):
        load_universe(tmp_path / "absent.csv")


def test_cli_universe_show_says_how_a_ticker_would_be_treated(tmp_path: Path) -> None:
    runner = CliRunner()
    toyota = runner.invoke(app, ["universe", "show", "7203.T"], env={"COLUMNS": "200"})
    assert toyota.exit_code == 0, toyota.output
    for text in ("suffix table (suffix '.T')", "XTKS (Tokyo Stock Exchange)", "^N225 (the default of XTKS)", "JPY"):
        assert text in toyota.output
    assert "none (fetched online when run)" in toyota.output
    span = snapshot_provenance()["series"]["NVDA"]
    folder = tmp_path / "prices"
    folder.mkdir()
    (folder / "NVDA.csv").write_text("date,adj_close\n2025-01-27,118.42\n2025-01-28,128.99\n", encoding="utf-8")
    nvda = runner.invoke(app, ["universe", "show", "NVDA", "--prices", str(folder)], env={"COLUMNS": "200"})
    assert nvda.exit_code == 0, nvda.output
    assert "its row in" in nvda.output and "SPY (the default of XNAS)" not in nvda.output
    assert f"{span['first']} .. {span['last']} ({span['rows']} rows)" in nvda.output
    assert "2025-01-27 .. 2025-01-28 (2 rows)" in nvda.output
    unknown = runner.invoke(app, ["universe", "show", "FOO.XX"])
    assert unknown.exit_code == 1 and "unknown Yahoo Finance suffix '.XX'" in unknown.output
