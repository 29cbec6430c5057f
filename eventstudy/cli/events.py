"""``eventstudy events``: list and check an events file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from eventstudy.cli.common import console, errors_to_exit_codes, fail

if TYPE_CHECKING:
    from eventstudy.events import Event

app = typer.Typer(help="List and check events files.", no_args_is_help=True)

FileArgument = Annotated[Path, typer.Argument(help="Events CSV file (see `eventstudy events check`).")]
ExchangeOption = Annotated[
    list[str] | None,
    typer.Option("--exchange", "-x", help="Exchange MIC to place the events on; repeat for several."),
]


def _when(event: Event) -> str:
    """The event's date as written: a day, a month, a date and time with its zone, a span, or 'undated'."""
    if event.date is None:
        return "undated"
    if event.date_precision == "month":
        return f"{event.date:%Y-%m}"
    start = event.date.isoformat() if event.time is None else f"{event.date} {event.time:%H:%M}"
    if event.date_end is not None:
        end = event.date_end.isoformat() if event.time_end is None else f"{event.date_end} {event.time_end:%H:%M}"
        start = f"{start} .. {end}"
    timed = event.time is not None or event.time_end is not None
    return f"{start} {event.timezone}" if timed else start


def _day_zero_cell(event: Event, exchange: str) -> Text:
    if event.date_precision == "month":
        return Text("month only", style="dim")
    if event.date_precision == "undated":
        return Text("undated", style="dim")
    first, last = event.day_zero_range(exchange)
    return Text(f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d}..{last:%Y-%m-%d}")


@app.command("list")
def list_events(file: FileArgument, exchange: ExchangeOption = None) -> None:
    """Show the events of FILE with their day 0 (or range of day 0s) on each exchange (default: New York XNYS,
    Hong Kong XHKG)."""
    from eventstudy.events import DEFAULT_EXCHANGES, load_events

    exchanges = tuple(exchange or DEFAULT_EXCHANGES)
    with errors_to_exit_codes():
        events = load_events(file, exchanges)
    table = Table(title=f"{len(events)} events in {file}", caption="day 0: first session that can react")
    for header in ("id", "date", "precision", "actor", *(f"day 0 {mic}" for mic in exchanges)):
        table.add_column(header, no_wrap=header == "id")
    for event in events:
        days = [_day_zero_cell(event, mic) for mic in exchanges]
        table.add_row(Text(event.id), Text(_when(event)), Text(event.date_precision or ""), Text(event.actor), *days)
    console.print(table)


@app.command("check")
def check(file: FileArgument, exchange: ExchangeOption = None) -> None:
    """Validate FILE and list every problem, including a day 0 past the calendar of an exchange (default: New York
    XNYS, Hong Kong XHKG); exit code 0 when it is valid, 1 otherwise."""
    from eventstudy.events import DEFAULT_EXCHANGES, check_events, load_events

    exchanges = tuple(exchange or DEFAULT_EXCHANGES)
    with errors_to_exit_codes():
        problems = check_events(file, exchanges)
    if not problems:
        events = load_events(file, exchanges)
        counts = Counter(event.date_precision for event in events)
        kinds = ", ".join(
            f"{counts[kind]} {kind}" for kind in ("exact", "day", "span", "month", "undated") if counts[kind]
        )
        left_out = len(events.excluded())
        console.print(
            f"{file}: OK, {len(events)} events ({kinds}); {left_out} left out of daily studies "
            f"(month-only and undated); day 0 within the calendars of {', '.join(exchanges)}."
        )
        return
    table = Table(title=f"{len(problems)} problem(s) in {file}", caption="row 1 is the header, as in a spreadsheet")
    for header in ("row", "column", "value", "problem"):
        table.add_column(header)
    for problem in problems:
        cells = (problem.row, problem.column, problem.value, problem.reason)
        table.add_row(*(Text("" if cell is None else str(cell)) for cell in cells))
    console.print(table)
    raise fail("Fix these in the file and run the check again.")
