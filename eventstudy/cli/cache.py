"""``eventstudy cache``: show and reset the local price cache."""

from __future__ import annotations

import typer
from rich.table import Table

from eventstudy.cli.common import console, fail

app = typer.Typer(help="Show or reset the local price cache (downloads from Yahoo Finance).", no_args_is_help=True)


def _size(size: int) -> str:
    return f"{size:,} bytes" if size < 1_000_000 else f"{size / 1e6:.1f} MB"


@app.command("info")
def info() -> None:
    """Show the cache's path, size and integrity, and the tickers and date ranges it holds."""
    from eventstudy.prices import inspect_cache

    details = inspect_cache()
    console.print(f"cache: {details.path}", highlight=False, soft_wrap=True)
    console.print(f"size: {_size(details.size)}")
    console.print(f"integrity: {details.integrity}", highlight=False, soft_wrap=True)
    if details.series:
        table = Table(title=f"{len(details.series)} ticker(s)")
        for column in ("ticker", "rows", "ranges asked of Yahoo Finance"):
            table.add_column(column, justify="right" if column == "rows" else "left")
        for ticker, rows, ranges in details.series:
            spans = ", ".join(f"{start.date()}..{end.date()}" for start, end in ranges)
            table.add_row(ticker, str(rows), spans)
        console.print(table)
    for path in details.moved_aside:
        console.print(f"damaged copy moved aside: {path}", highlight=False, soft_wrap=True)
    if details.integrity not in ("ok", "absent"):
        console.print("`eventstudy cache clear` removes it; prices are downloaded again when needed.")


@app.command("clear")
def clear() -> None:
    """Delete the cache (and damaged copies moved aside); prices are downloaded again when needed."""
    from eventstudy.prices import clear_cache, default_cache_path

    path = default_cache_path()
    try:
        removed = clear_cache(path)
    except OSError as exc:
        raise fail(f"cannot remove {exc.filename}: {exc.strerror or exc}") from exc
    for file in removed:
        console.print(f"removed {file}", highlight=False, soft_wrap=True)
    if not removed:
        console.print(f"nothing to remove: there is no cache at {path}", highlight=False, soft_wrap=True)
