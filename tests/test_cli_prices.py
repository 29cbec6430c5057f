"""``eventstudy prices`` and ``eventstudy universe`` from the command line (no network: Yahoo is faked)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from eventstudy.cli import app
from eventstudy.prices import yahoo

runner = CliRunner()


def test_prices_show_offline_prints_the_crash_day() -> None:
    result = runner.invoke(app, ["prices", "show", "NVDA", "--start", "2025-01-24", "--end", "2025-01-27", "--offline"])
    assert result.exit_code == 0, result.output
    assert "NVDA (XNAS) from snapshot" in result.output
    assert "-16.97%" in result.output


def test_prices_show_reports_gaps() -> None:
    result = runner.invoke(
        app, ["prices", "show", "0020.HK", "--start", "2025-10-28", "--end", "2025-11-14", "--offline"]
    )
    assert result.exit_code == 0, result.output
    assert "8 session(s) without a price" in result.output


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["prices", "show", "NOPE", "--offline"], 2, "NOPE: not in any offline price source"),
        (["prices", "show", "NVDA", "--start", "2025-02-01", "--end", "2025-01-01"], 1, "is after --end"),
        (["prices", "show", "NVDA", "--start", "2026-09-01", "--end", "2026-10-09", "--offline"], 2, "2026-09-28"),
    ],
)
def test_prices_show_errors_have_exit_codes_and_one_line(arguments: list[str], code: int, message: str) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code == code
    assert message in result.output
    assert result.output.count("error:") == 1


def test_prices_fetch_stores_into_the_cache(monkeypatch: pytest.MonkeyPatch, private_cache: Path) -> None:
    index = pd.DatetimeIndex(pd.to_datetime(["2026-10-01", "2026-10-02"]), name="Date")
    columns = {("AAPL", field): [100.0, 101.0] for field in ("Open", "High", "Low", "Close", "Adj Close", "Volume")}
    calls: list[dict[str, object]] = []

    def fake_download(**kwargs: object) -> pd.DataFrame:
        calls.append(kwargs)
        return pd.DataFrame(columns, index=index)

    monkeypatch.setattr(yahoo, "_yfinance_download", fake_download)
    result = runner.invoke(app, ["prices", "fetch", "AAPL", "--start", "2026-10-01", "--end", "2026-10-02"])
    assert result.exit_code == 0, result.output
    assert "AAPL: 2 new row(s)" in result.output
    assert (private_cache / "prices.sqlite").is_file()
    shown = runner.invoke(app, ["prices", "show", "AAPL", "--start", "2026-10-01", "--end", "2026-10-02", "--offline"])
    assert "AAPL (XNYS) from cache" in shown.output
    assert len(calls) == 1


def test_prices_fetch_without_network_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(**kwargs: object) -> pd.DataFrame:
        raise ConnectionError("Temporary failure in name resolution")

    monkeypatch.setattr(yahoo, "_yfinance_download", no_network)
    monkeypatch.setattr(yahoo.time, "sleep", lambda seconds: None)
    result = runner.invoke(app, ["prices", "fetch", "AAPL", "--start", "2026-10-01", "--end", "2026-10-02"])
    assert result.exit_code == 2
    assert "Temporary failure in name resolution" in result.output


def test_universe_table_and_a_bad_universe_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["universe", "--group", "HK AI model makers"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "2513.HK" in result.output and "0100.HK" in result.output and "NVDA" not in result.output
    bad = tmp_path / "u.csv"
    bad.write_text("ticker,name\n../../evil,Y\n", encoding="utf-8")
    result = runner.invoke(app, ["universe", "--universe", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: column 'ticker': value '../../evil': is not a ticker" in result.output
