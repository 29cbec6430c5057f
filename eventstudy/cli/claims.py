"""``eventstudy claims``: check the articles' market claims against the price data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from eventstudy.cli.common import OfflineOption, UniverseOption, console, errors_to_exit_codes

if TYPE_CHECKING:
    from eventstudy.claims import ClaimsResult

#: Rich style of each verdict.
VERDICT_STYLES = {
    "confirmed": "bold green",
    "approximately": "bold yellow",
    "contradicted": "bold red",
    "not checkable": "dim",
}


def verdicts_table(result: ClaimsResult) -> Table:
    """One row per claim and reading: the window, claimed and measured values, raw and abnormal returns, verdict."""
    from eventstudy.claims import format_value

    table = Table(title="What the articles said vs what happened")
    for column in ("claim", "reading", "window", "claimed", "measured", "raw", "abnormal", "verdict"):
        table.add_column(column, justify="right" if column in ("claimed", "measured", "raw", "abnormal") else "left")
    for row in result.checked.itertuples(index=False):
        claimed = "" if row.comparison == "" else f"{row.comparison} {format_value(row.claimed_value, row.unit)}"
        table.add_row(
            row.claim_id if row.variant == "stated" else "",
            row.variant,
            row.window,
            claimed,
            format_value(row.measured_value, row.unit) if row.unit else "n/a",
            format_value(row.raw_return, "fraction"),
            format_value(row.abnormal_return, "fraction"),
            Text(row.verdict, style=VERDICT_STYLES[row.verdict]),
        )
    return table


def claims(
    claims_file: Annotated[Path, typer.Argument(help="Claims CSV (see eventstudy.claims).", dir_okay=False)],
    events_file: Annotated[
        Path | None, typer.Option("--events", help="Events CSV (default: events.csv beside the claims file).")
    ] = None,
    universe: UniverseOption = None,
    offline: OfflineOption = False,
    explain: Annotated[bool, typer.Option("--explain", help="Print each verdict's explanation too.")] = False,
) -> None:
    """Check every market claim of CLAIMS_FILE against the price data and print the verdicts.

    Exit 0 whatever the verdicts (a contradicted claim is a result); 1 for a bad claims or events file.
    """
    from eventstudy.claims import check_claims, load_claims
    from eventstudy.claims.reference import load_reference_data
    from eventstudy.events import load_events
    from eventstudy.prices import default_price_source
    from eventstudy.universe import load_universe

    with errors_to_exit_codes():
        events = load_events(events_file or claims_file.parent / "events.csv")
        securities = load_universe(universe)
        checked = load_claims(claims_file, events, securities)
        result = check_claims(
            checked,
            events,
            universe=securities,
            prices=default_price_source(offline=offline, universe=securities),
            source_file=claims_file,
            reference=load_reference_data(claims_file.parent),
        )
    console.print(verdicts_table(result))
    if explain:
        for row in result.checked.itertuples(index=False):
            line = Text.assemble((row.claim_id, "bold"), f" ({row.variant} {row.window}): {row.explanation}")
            console.print(line, highlight=False)
    counts = ", ".join(f"{count} {verdict}" for verdict, count in result.verdict_counts().items())
    console.print(f"{len(result.claims)} claims: {counts}.")
