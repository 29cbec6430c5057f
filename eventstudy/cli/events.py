"""``eventstudy events``: list and check an events file."""

from __future__ import annotations

import typer

app = typer.Typer(help="List and check events files.", no_args_is_help=True)
