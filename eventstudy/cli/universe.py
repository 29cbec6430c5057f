"""``eventstudy universe``: the securities registry as a table, and how one ticker would be treated."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from eventstudy.cli.common import UniverseOption, console, errors_to_exit_codes

app = typer.Typer(
    help="List the securities of the universe, or show how one ticker would be treated (`universe show TICKER`).",
    invoke_without_command=True,
)
ExtendOption = Annotated[
    bool, typer.Option("--extend", help="Add the --universe file to the packaged universe instead of replacing it.")
]


@app.callback()
def show_universe(
    context: typer.Context,
    universe: UniverseOption = None,
    extend: ExtendOption = False,
    group: Annotated[list[str] | None, typer.Option(help="Only this group (repeatable).")] = None,
) -> None:
    """List the securities of the universe: exchange, group, benchmark, and the span of their offline prices."""
    if context.invoked_subcommand is not None:
        return
    from eventstudy.prices import snapshot_provenance
    from eventstudy.universe import load_universe

    with errors_to_exit_codes():
        securities = load_universe(universe, extend=extend).select(groups=group)
    series = snapshot_provenance()["series"]
    table = Table(title=f"{len(securities)} securities ({securities.source})")
    for column in ("ticker", "name", "exchange", "currency", "group", "benchmark", "factor", "offline prices"):
        table.add_column(column)
    for security in securities:
        span = series.get(security.ticker)
        table.add_row(
            security.ticker,
            security.name,
            security.exchange,
            security.currency,
            security.group,
            security.benchmark or "",
            security.factor or "",
            f"{span['first']} .. {span['last']} ({span['rows']} rows)" if span else "none (online only)",
        )
    console.print(table)


@app.command("show")
def show(
    ticker: Annotated[str, typer.Argument(help="Yahoo Finance ticker, e.g. 7203.T, 0700.HK or NVDA.")],
    universe: UniverseOption = None,
    extend: ExtendOption = False,
    prices: Annotated[
        Path | None, typer.Option("--prices", help="Folder of price CSV files to report the coverage of.")
    ] = None,
) -> None:
    """How TICKER would be studied: exchange, calendar, benchmark, group, listing day and the prices available."""
    from eventstudy.calendars import calendar_name, session_table
    from eventstudy.exchanges import EXCHANGES, suffix_of
    from eventstudy.prices import CsvDirectorySource, UnknownTickerError, snapshot_provenance
    from eventstudy.universe import load_universe

    with errors_to_exit_codes():
        securities = load_universe(universe, extend=extend)
        security = securities.security(ticker)
        calendar = session_table(security.exchange)
        folder = CsvDirectorySource(prices) if prices is not None else None
        try:
            frame = folder.history(ticker) if folder is not None else None
        except UnknownTickerError:
            frame = None
    own = ticker in securities
    origin = f"its row in {securities.source}" if own else f"the suffix table (suffix '.{suffix_of(ticker)}')"
    if not own and not suffix_of(ticker):
        origin = "the suffix table (no suffix: New York)" if not ticker.startswith("^") else "the index table"
    exchange = EXCHANGES.get(security.exchange)
    benchmark = security.benchmark or "none: give one in a universe file or with --benchmark"
    if security.benchmark is not None:
        default = exchange is not None and security.benchmark == exchange.benchmark
        benchmark += f" (the default of {security.exchange})" if default else " (from the universe)"
    span = snapshot_provenance()["series"].get(ticker)
    rows = [
        ("ticker", ticker),
        ("from", origin),
        ("name", security.name),
        ("exchange", security.exchange + (f" ({exchange.name})" if exchange else "")),
        (
            "calendar",
            f"{calendar_name(security.exchange)}: sessions {calendar.first_session.date()} .. "
            f"{calendar.last_session.date()}",
        ),
        ("currency", security.currency or "(not stated)"),
        ("group", security.group),
        ("benchmark", benchmark),
        ("factor", security.factor or ""),
        ("listed", str(security.listed) if security.listed else "before its prices begin (or unknown)"),
        (
            "packaged prices",
            f"{span['first']} .. {span['last']} ({span['rows']} rows)" if span else "none (fetched online when run)",
        ),
    ]
    if prices is not None:
        coverage = (
            f"{frame.index[0].date()} .. {frame.index[-1].date()} ({len(frame)} rows)"
            if frame is not None and len(frame)
            else f"no file for {ticker} in {prices}"
        )
        rows.append((f"prices in {prices}", coverage))
    table = Table(title=f"How {ticker} would be studied", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
