"""``eventstudy universe``: the securities registry as a table."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from eventstudy.cli.common import UniverseOption, console, errors_to_exit_codes
from eventstudy.prices import snapshot_provenance
from eventstudy.universe import load_universe


def show_universe(
    universe: UniverseOption = None,
    group: Annotated[list[str] | None, typer.Option(help="Only this group (repeatable).")] = None,
) -> None:
    """List the securities of the universe: exchange, group, benchmark, and the span of their offline prices."""
    with errors_to_exit_codes():
        securities = load_universe(universe).select(groups=group)
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
