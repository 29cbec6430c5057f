"""``eventstudy run``: the whole study from an events file to an HTML report."""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from eventstudy import spec
from eventstudy.claims import ClaimsResult, check_claims, load_claims
from eventstudy.claims.reference import REFERENCE_FILES, load_reference_data
from eventstudy.claims.report import ClaimsExtension
from eventstudy.cli.common import (
    EXIT_DATA_UNAVAILABLE,
    OfflineOption,
    StrictSplitsOption,
    UniverseOption,
    console,
    errors_to_exit_codes,
    fail,
)
from eventstudy.events import load_events
from eventstudy.models import MODELS
from eventstudy.prices import default_price_source
from eventstudy.publish import check_output_folder
from eventstudy.report import FOLDER_README, STUDY_FILE, ReportConfig, load_report_config, write_report
from eventstudy.report.extension import ReportExtension
from eventstudy.study import EventStudy
from eventstudy.universe import load_universe


def window_text(window: spec.Window) -> str:
    """``(-1, 1)`` -> ``"-1,1"``, as the window options take it."""
    return f"{window[0]},{window[1]}"


def parse_window(text: str, option: str) -> spec.Window:
    """``"-1,1"`` -> ``(-1, 1)``; anything else is a bad-input exit naming the option."""
    try:
        first, last = (int(part) for part in text.replace(" ", "").split(","))
    except ValueError:
        raise fail(f"{option} {text!r}: expected two whole numbers of sessions, e.g. {option} -1,1") from None
    return first, last


def run(
    events_file: Annotated[Path, typer.Argument(help="Events CSV (see `eventstudy events check`).")],
    out: Annotated[Path, typer.Option("--out", help="Report folder (replaced as a whole).")] = Path("reports"),
    universe: UniverseOption = None,
    tickers: Annotated[
        list[str] | None, typer.Option("--tickers", help="Study only these tickers (comma-separated or repeated).")
    ] = None,
    group: Annotated[
        list[str] | None, typer.Option("--group", help="Study only this universe group (repeatable).")
    ] = None,
    model: Annotated[str, typer.Option(help=f"Normal-return model: {', '.join(MODELS)}.")] = spec.DEFAULT_MODEL,
    benchmark: Annotated[str | None, typer.Option(help="One benchmark for every security (same calendar).")] = None,
    estimation: Annotated[str, typer.Option(help="Estimation window T0,T1 in sessions.")] = window_text(
        spec.DEFAULT_ESTIMATION_WINDOW
    ),
    window: Annotated[
        list[str] | None,
        typer.Option(
            "--window",
            help="Event window tau1,tau2 (repeatable); default "
            + " ".join(window_text(w) for w in spec.DEFAULT_EVENT_WINDOWS)
            + ".",
        ),
    ] = None,
    offline: OfflineOption = False,
    include_month_precision: Annotated[
        bool, typer.Option(help="Also study events dated only to a month (taken at the 1st).")
    ] = False,
    min_estimation: Annotated[
        int, typer.Option(help="Fewest estimation returns for the model (else fallback).")
    ] = spec.DEFAULT_MIN_ESTIMATION,
    fallback: Annotated[
        str, typer.Option(help=f"Short-history policy: {' or '.join(spec.FALLBACK_POLICIES)}.")
    ] = spec.DEFAULT_FALLBACK,
    fallback_floor: Annotated[
        int, typer.Option(help="Fewest returns for the market-adjusted fallback.")
    ] = spec.DEFAULT_FALLBACK_FLOOR,
    skip_after_listing: Annotated[
        int, typer.Option(help="Sessions after a listing left out of estimation (IPO jumps).")
    ] = spec.DEFAULT_SKIP_AFTER_LISTING,
    basket: Annotated[
        list[str] | None,
        typer.Option("--basket", help="Group to study as an equal-weighted basket (repeatable; default: all groups)."),
    ] = None,
    no_baskets: Annotated[bool, typer.Option("--no-baskets", help="Study no basket.")] = False,
    exclude_contaminated: Annotated[
        bool, typer.Option(help="Leave other events' windows out of estimation windows.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Random seed of the bootstrap (same seed, same numbers).")] = 0,
    open_report: Annotated[bool, typer.Option("--open", help="Open the report's index in a browser.")] = False,
    claims_file: Annotated[
        Path | None,
        typer.Option("--claims", help="Claims CSV to check (default: claims.csv beside the events file, if any)."),
    ] = None,
    strict_splits: StrictSplitsOption = False,
) -> None:
    """Run the event study of EVENTS_FILE and write the HTML report, CSV data and run.json to --out.

    A study.toml beside EVENTS_FILE may hold the report's own choices (title, timeline securities, featured basket).
    """
    windows = [parse_window(text, "--window") for text in window] if window else list(spec.DEFAULT_EVENT_WINDOWS)
    estimation_window = parse_window(estimation, "--estimation")
    selected = (
        [ticker.strip() for entry in tickers for ticker in entry.split(",") if ticker.strip()] if tickers else None
    )
    with errors_to_exit_codes(strict_splits):
        # Everything that can be wrong with the inputs and the output folder is found before the study is computed.
        claims_path = claims_file or events_file.parent / "claims.csv"
        study_file = events_file.parent / STUDY_FILE
        inputs = [events_file, claims_path, study_file, *(claims_path.parent / name for name in REFERENCE_FILES)]
        inputs += [universe] if universe else []
        check_output_folder(out, inputs, placeholder=FOLDER_README)
        events = load_events(events_file)
        securities = load_universe(universe)
        claims = load_claims(claims_path, events, securities) if claims_file or claims_path.is_file() else None
        reference = load_reference_data(claims_path.parent) if claims is not None else None
        config = load_report_config(study_file) if study_file.is_file() else ReportConfig()
        try:
            study = EventStudy(
                events,
                universe=securities,
                tickers=selected,
                groups=group,
                prices=default_price_source(offline=offline, universe=securities),
                model=model,
                benchmark=benchmark,
                estimation_window=estimation_window,
                event_windows=windows,
                min_estimation=min_estimation,
                fallback=fallback,
                fallback_floor=fallback_floor,
                skip_after_listing=skip_after_listing,
                baskets=[] if no_baskets else basket,
                exclude_contaminated=exclude_contaminated,
                include_month_precision=include_month_precision,
                seed=seed,
            )
        except ValueError as exc:
            raise fail(str(exc)) from None
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
        ) as progress:
            task = progress.add_task("starting", total=None)
            results = study.run(progress=lambda label: progress.update(task, description=label))
            if not (results.pairs["status"] == "ok").any():
                reasons = results.pairs["reason"].value_counts().head(3).index.tolist() or ["no event gave a pair"]
                raise fail("no (event, security) pair could be estimated: " + "; ".join(reasons), EXIT_DATA_UNAVAILABLE)
            checked: ClaimsResult | None = None
            extensions: list[ReportExtension] = []
            if claims is not None:
                progress.update(task, description="checking the claims")
                checked = check_claims(claims, events, results=results, source_file=claims_path, reference=reference)
                extensions.append(ClaimsExtension(checked))
            progress.update(task, description="writing the report")
            metadata = results.metadata(events_file)
            index = write_report(results, out, metadata, extensions=extensions, config=config, inputs=inputs)

    console.print(results.summary())
    gaps = [item for item in results.coverage.values() if item["uncovered"] or item["reason"]]
    if gaps:
        gap_tickers = ", ".join(str(item["ticker"]) for item in gaps)
        lead = f"{len(gaps)} price series do not cover every session the study asked for:"
        console.print(Text.assemble((lead, "yellow"), f" {gap_tickers} (see run.json)"))
        failed = next((item["online_error"] for item in gaps if item["online_error"]), None)
        if failed:
            lead = "The download of the missing ranges failed, so they stay gaps:"
            console.print(Text.assemble((lead, "yellow"), f" {failed}"))
    if checked is not None:
        counts = ", ".join(f"{count} {verdict}" for verdict, count in checked.verdict_counts().items())
        console.print(f"Claims of {claims_path}: {counts} ({index.parent / 'claims.html'}).")
    console.print(f"Report: {index}")
    if open_report:
        webbrowser.open(index.resolve().as_uri())
