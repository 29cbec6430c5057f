"""What every command shares: the console, options, and the mapping of errors (and warnings) to the terminal.

The command modules import the rest of eventstudy inside their commands, not at the top: ``eventstudy --help`` and
``eventstudy events check`` then start without loading the statistics, the report and their libraries.
"""

from __future__ import annotations

import datetime as dt
import errno
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.text import Text

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_DATA_UNAVAILABLE",
    "OfflineOption",
    "StrictSplitsOption",
    "UniverseOption",
    "check_date_range",
    "console",
    "errors_to_exit_codes",
    "fail",
]

EXIT_BAD_INPUT = 1
EXIT_DATA_UNAVAILABLE = 2

# No markup or emoji codes: messages quote file names and cell values, in which "[/x]" or ":100:" are text.
console = Console(markup=False, emoji=False)
error_console = Console(stderr=True, markup=False, emoji=False)

UniverseOption = Annotated[
    Path | None, typer.Option("--universe", help="Universe CSV (default: the packaged universe).", dir_okay=False)
]
OfflineOption = Annotated[bool, typer.Option("--offline", help="Never touch the network (cache and snapshot only).")]
StrictSplitsOption = Annotated[
    bool,
    typer.Option(
        "--strict-splits", help="Stop at a probable unadjusted split (a x3 or /3 session move) instead of warning."
    ),
]
#: errno values only a write can raise; any other OSError here comes from reading an input.
WRITE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG}


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Print ``message`` on stderr and return the exit to raise."""
    error_console.print(Text.assemble(("error:", "bold red"), f" {message}"), highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _warning_printer(python_format: Callable[..., None], own: tuple[type[Warning], ...]) -> Callable[..., None]:
    """A ``warnings.showwarning`` that prints eventstudy's ``own`` warnings as ``warning: message`` on stderr (others
    keep Python's format)."""

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, own):
            error_console.print(
                Text.assemble(("warning:", "bold yellow"), f" {message}"), highlight=False, soft_wrap=True
            )
        else:
            python_format(message, category, filename, lineno, file, line)

    return show


@contextmanager
def errors_to_exit_codes(strict_splits: bool = False) -> Iterator[None]:
    """Turn the API's errors into one-line messages: exit 1 for bad input, 2 for data that cannot be had.

    Inside the block the cache's and the price validation's warnings print as ``warning:`` lines; with
    ``strict_splits`` a probable unadjusted split stops the command (exit 1) instead.
    """
    from eventstudy.calendars import CalendarError
    from eventstudy.errors import ReportError
    from eventstudy.events import EventsFileError, EventValidationError
    from eventstudy.prices import (
        CacheWarning,
        PriceDataError,
        PriceFileError,
        UnadjustedSplitWarning,
        UnknownTickerError,
    )
    from eventstudy.publish import OutputFolderError, OutputWriteError
    from eventstudy.records import RecordsFileError
    from eventstudy.universe import UniverseError

    with warnings.catch_warnings():
        warnings.simplefilter("default", CacheWarning)
        warnings.simplefilter("error" if strict_splits else "default", UnadjustedSplitWarning)
        warnings.showwarning = _warning_printer(warnings.showwarning, (CacheWarning, UnadjustedSplitWarning))
        try:
            yield
        except EventsFileError as exc:
            raise fail(f"{exc}\n`eventstudy events check {exc.path}` shows them as a table.", EXIT_BAD_INPUT) from exc
        except (PriceFileError, UnknownTickerError, UniverseError, CalendarError, EventValidationError) as exc:
            raise fail(str(exc), EXIT_BAD_INPUT) from exc
        except (RecordsFileError, OutputFolderError, OutputWriteError, ReportError) as exc:
            raise fail(str(exc), EXIT_BAD_INPUT) from exc
        except UnadjustedSplitWarning as exc:
            raise fail(f"{exc} (stopped by --strict-splits)", EXIT_BAD_INPUT) from exc
        except PriceDataError as exc:
            raise fail(str(exc), EXIT_DATA_UNAVAILABLE) from exc
        except OSError as exc:
            verb = "write" if exc.errno in WRITE_ERRNOS else "read"
            raise fail(f"cannot {verb} {exc.filename}: {exc.strerror or exc}", EXIT_BAD_INPUT) from exc


def check_date_range(start: dt.datetime | None, end: dt.datetime | None) -> None:
    """Reject a start after the end."""
    if start is not None and end is not None and start > end:
        raise fail(f"--start {start.date()} is after --end {end.date()}")
