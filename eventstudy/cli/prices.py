"""``eventstudy prices``: show and fetch daily prices."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from eventstudy.cli.common import (
    EXIT_DATA_UNAVAILABLE,
    OfflineOption,
    UniverseOption,
    check_date_range,
    console,
    errors_to_exit_codes,
    fail,
)

app = typer.Typer(help="Show daily prices and fetch new ones into the local cache.", no_args_is_help=True)

StartOption = Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First date (YYYY-MM-DD).")]
EndOption = Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last date (YYYY-MM-DD).")]


@app.command("show")
def show(
    ticker: Annotated[str, typer.Argument(help="Yahoo ticker, e.g. NVDA or 0700.HK.")],
    start: StartOption = None,
    end: EndOption = None,
    offline: OfflineOption = False,
    universe: UniverseOption = None,
) -> None:
    """Print a ticker's daily prices and returns on its exchange's sessions, with where they came from."""
    from eventstudy.prices import default_price_source
    from eventstudy.returns import daily_returns
    from eventstudy.universe import load_universe

    check_date_range(start, end)
    with errors_to_exit_codes():
        securities = load_universe(universe)
        chain = default_price_source(offline=offline, universe=securities)
        data = chain.load([ticker], start, end)
        frame, coverage = data.require(ticker), data.coverage[ticker]
        returns = daily_returns(frame, chain.exchange_of(ticker))

    table = Table(title=f"{ticker} ({coverage.exchange}) from {coverage.source}", show_lines=False)
    for column in ("date", "close", "adj_close", "volume", "return"):
        table.add_column(column, justify="right")
    for date, row in frame.iterrows():
        change = returns.get(date)
        table.add_row(
            date.date().isoformat(),
            f"{row['close']:.4f}",
            f"{row['adj_close']:.4f}",
            "" if row.isna()["volume"] else f"{row['volume']:,.0f}",
            "" if change is None or change != change else f"{change:+.2%}",
        )
    console.print(table)
    if coverage.missing_sessions:
        days = ", ".join(day.date().isoformat() for day in coverage.missing_sessions)
        console.print(
            Text.assemble((f"{len(coverage.missing_sessions)} session(s) without a price:", "yellow"), f" {days}")
        )


@app.command("fetch")
def fetch(
    tickers: Annotated[list[str], typer.Argument(help="Yahoo tickers to download into the cache.")],
    start: StartOption = None,
    end: EndOption = None,
    universe: UniverseOption = None,
) -> None:
    """Download prices from Yahoo Finance into the local cache (only the ranges it does not hold yet)."""
    from eventstudy.prices import default_price_source
    from eventstudy.universe import load_universe

    check_date_range(start, end)
    with errors_to_exit_codes():
        chain = default_price_source(universe=load_universe(universe))
        stored = chain.fetch(tickers, start or dt.datetime(2018, 1, 1), end)
    cache = chain.cache
    assert cache is not None  # the default chain always has one
    for ticker, rows in stored.items():
        console.print(f"{ticker}: {rows} new row(s) in {cache.path}")
    empty = [ticker for ticker, rows in stored.items() if rows == 0 and not cache.coverage(ticker)]
    if empty:
        raise fail(f"Yahoo Finance returned no prices for {', '.join(empty)}", EXIT_DATA_UNAVAILABLE)
