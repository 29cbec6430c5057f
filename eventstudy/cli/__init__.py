"""The ``eventstudy`` command line: a thin typer layer over the Python API.

Each command group lives in its own module and is registered here. Exit codes: 0 ok, 1 bad input,
2 data unavailable.
"""

from __future__ import annotations

import typer

from eventstudy.cli import cache, claims, events, prices, run, universe

app = typer.Typer(
    name="eventstudy",
    help="Measure how news moves stock prices: event studies with exchange calendars and Plotly reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command(name="run")(run.run)
app.add_typer(prices.app, name="prices")
app.add_typer(events.app, name="events")
app.add_typer(universe.app, name="universe")
app.command(name="claims")(claims.claims)
app.add_typer(cache.app, name="cache")


def main() -> None:
    """Console-script entry point."""
    app()
