"""``eventstudy prices``: show and fetch daily prices."""

from __future__ import annotations

import typer

app = typer.Typer(help="Show daily prices and fetch new ones into the local cache.", no_args_is_help=True)
