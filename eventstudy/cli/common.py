"""What every command shares: the console, options, and the mapping of errors to exit codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from eventstudy.calendars import CalendarError
from eventstudy.events import EventsFileError, EventValidationError
from eventstudy.prices import PriceDataError, PriceFileError, UnknownTickerError
from eventstudy.records import RecordsFileError
from eventstudy.universe import UniverseError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_DATA_UNAVAILABLE",
    "OfflineOption",
    "UniverseOption",
    "check_date_range",
    "console",
    "errors_to_exit_codes",
    "fail",
]

EXIT_BAD_INPUT = 1
EXIT_DATA_UNAVAILABLE = 2

console = Console()
error_console = Console(stderr=True)

UniverseOption = Annotated[
    Path | None, typer.Option("--universe", help="Universe CSV (default: the packaged universe).", dir_okay=False)
]
OfflineOption = Annotated[bool, typer.Option("--offline", help="Never touch the network (cache and snapshot only).")]


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Print ``message`` on stderr and return the exit to raise."""
    error_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def errors_to_exit_codes() -> Iterator[None]:
    """Turn the API's errors into one-line messages: exit 1 for bad input, 2 for data that cannot be had."""
    try:
        yield
    except EventsFileError as exc:
        raise fail(f"{exc}\n`eventstudy events check {exc.path}` shows them as a table.", EXIT_BAD_INPUT) from exc
    except (PriceFileError, UnknownTickerError, UniverseError, CalendarError, EventValidationError) as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from exc
    except RecordsFileError as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from exc
    except PriceDataError as exc:
        raise fail(str(exc), EXIT_DATA_UNAVAILABLE) from exc
    except OSError as exc:
        raise fail(f"cannot read {exc.filename}: {exc.strerror or exc}", EXIT_BAD_INPUT) from exc


def check_date_range(start: dt.datetime | None, end: dt.datetime | None) -> None:
    """Reject a start after the end."""
    if start is not None and end is not None and start > end:
        raise fail(f"--start {start.date()} is after --end {end.date()}")
