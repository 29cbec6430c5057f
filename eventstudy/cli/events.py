"""``eventstudy events``: list and check an events file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from eventstudy.cli.common import console, errors_to_exit_codes, fail
from eventstudy.events import DEFAULT_EXCHANGES, check_events, load_events

app = typer.Typer(help="List and check events files.", no_args_is_help=True)

FileArgument = Annotated[Path, typer.Argument(help="Events CSV file (see `eventstudy events check`).")]


@app.command("list")
def list_events(
    file: FileArgument,
    exchange: Annotated[
        list[str] | None,
        typer.Option("--exchange", "-x", help="Exchange MIC for a day-0 column; repeat for several."),
    ] = None,
) -> None:
    """Show the events of FILE with their day 0 on each exchange (default: New York XNYS, Hong Kong XHKG)."""
    exchanges = tuple(exchange or DEFAULT_EXCHANGES)
    with errors_to_exit_codes():
        events = load_events(file)
        day_zero = events.daily().day_zero_table(exchanges)
    sessions = day_zero.set_index(["event_id", "exchange"])["day_zero"]

    table = Table(title=f"{len(events)} events in {file}", caption="day 0: first session that can react")
    for header in ("id", "date", "precision", "actor", *(f"day 0 {mic}" for mic in exchanges)):
        table.add_column(header, no_wrap=header == "id")
    for event in events:
        when = event.date.isoformat() if event.time is None else f"{event.date} {event.time:%H:%M} {event.timezone}"
        if event.date_precision == "month":
            days = [Text("month only", style="dim") for _ in exchanges]
        else:
            days = [Text(f"{sessions[event.id, mic]:%Y-%m-%d}") for mic in exchanges]
        table.add_row(Text(event.id), Text(when), Text(event.date_precision), Text(event.actor), *days)
    console.print(table)


@app.command("check")
def check(file: FileArgument) -> None:
    """Validate FILE and list every problem; exit code 0 when it is valid, 1 otherwise."""
    with errors_to_exit_codes():
        problems = check_events(file)
    if not problems:
        events = load_events(file)
        months = len(events) - len(events.daily())
        console.print(f"{file}: OK, {len(events)} events ({months} dated only to the month).")
        return
    table = Table(title=f"{len(problems)} problem(s) in {file}", caption="row 1 is the header, as in a spreadsheet")
    for header in ("row", "column", "value", "problem"):
        table.add_column(header)
    for problem in problems:
        cells = (problem.row, problem.column, problem.value, problem.reason)
        table.add_row(*(Text("" if cell is None else str(cell)) for cell in cells))
    console.print(table)
    raise fail("Fix these in the file and run the check again.")
