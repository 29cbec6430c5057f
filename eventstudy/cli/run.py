"""``eventstudy run``: the whole study from an events file to an HTML report."""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from eventstudy import defaults as spec
from eventstudy.cli.common import (
    EXIT_DATA_UNAVAILABLE,
    OfflineOption,
    StrictSplitsOption,
    UniverseOption,
    console,
    errors_to_exit_codes,
    fail,
)
from eventstudy.models import MODELS

if TYPE_CHECKING:
    from eventstudy.claims import ClaimsResult
    from eventstudy.events import EventSet
    from eventstudy.report.extension import ReportExtension


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


def parse_bytes(text: str, option: str) -> int:
    """``"512M"`` -> 536870912 (K, M, G, T powers of 1024; a plain number is bytes)."""
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    number, unit = text.strip().upper().rstrip("B"), ""
    if number and number[-1] in units:
        number, unit = number[:-1], number[-1]
    try:
        return int(float(number) * units[unit])
    except ValueError:
        raise fail(f"{option} {text!r}: expected a size such as 512M or 2G") from None


def run(
    events_file: Annotated[
        Path | None, typer.Argument(help="Events CSV (see `eventstudy events check`); or give one --event.")
    ] = None,
    event: Annotated[
        str | None,
        typer.Option(
            "--event",
            help='One event without a file: its date, time and time zone, e.g. "2026-03-02 21:30 Asia/Shanghai" '
            '(a date alone: "2026-03-02"); needs --title.',
        ),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title of the --event.")] = None,
    event_id: Annotated[
        str | None, typer.Option("--id", help="Id of the --event (default: a slug of its title).")
    ] = None,
    prices_dir: Annotated[
        Path | None,
        typer.Option(
            "--prices",
            help="Folder of price CSV files (<ticker>.csv, see README), read before the cache and the snapshot.",
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Report folder (replaced as a whole).")] = Path("reports"),
    universe: UniverseOption = None,
    tickers: Annotated[
        list[str] | None, typer.Option("--tickers", help="Study only these tickers (comma-separated or repeated).")
    ] = None,
    group: Annotated[
        list[str] | None, typer.Option("--group", help="Study only this universe group (repeatable).")
    ] = None,
    model: Annotated[
        str,
        typer.Option(
            help=f"Normal-return model: {', '.join(MODELS)}. garch is slow: an iterative maximum-likelihood fit of "
            "every pair, about 1 ms each (the other models: microseconds); its placebo dates keep the OLS market "
            "model."
        ),
    ] = spec.DEFAULT_MODEL,
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
    characteristics: Annotated[
        Path | None,
        typer.Option(
            "--characteristics",
            help="CSV of your own characteristics of the securities (a ticker column, one column per "
            "characteristic) for the cross-sectional regression of CARs.",
            dir_okay=False,
        ),
    ] = None,
    formula: Annotated[
        str | None,
        typer.Option(
            "--formula",
            help='Cross-sectional regression of CARs, e.g. "car ~ C(group) + beta" (default: car ~ C(group) + '
            "C(market) + beta + runup; columns of --characteristics may be used).",
        ),
    ] = None,
    bhar_window: Annotated[
        list[str] | None,
        typer.Option(
            "--bhar-window",
            help="Long window tau1,tau2 of the buy-and-hold abnormal returns (repeatable); default "
            + " ".join(window_text(w) for w in spec.DEFAULT_BHAR_WINDOWS)
            + ".",
        ),
    ] = None,
    garch_tickers: Annotated[
        list[str] | None,
        typer.Option(
            "--garch-tickers",
            help="Securities whose ARs are also computed with a GARCH(1,1) market model, beside the study's "
            "(comma-separated or repeated); default the timeline securities of study.toml.",
        ),
    ] = None,
    open_report: Annotated[bool, typer.Option("--open", help="Open the report's index in a browser.")] = False,
    claims_file: Annotated[
        Path | None,
        typer.Option("--claims", help="Claims CSV to check (default: claims.csv beside the events file, if any)."),
    ] = None,
    strict_splits: StrictSplitsOption = False,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Compute the chunks on a local Dask cluster of this many worker processes."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Compute the chunks on the Dask cluster at this address (tcp://host:8786)."),
    ] = None,
    memory_budget: Annotated[
        str, typer.Option("--memory-budget", help="Working memory of one chunk of pairs, e.g. 512M or 2G.")
    ] = f"{spec.DEFAULT_MEMORY_BUDGET >> 20}M",
) -> None:
    """Run the event study of EVENTS_FILE (or of one --event) and write the HTML report, CSV data and run.json
    to --out.

    A study.toml beside EVENTS_FILE may hold the report's own choices (title, timeline securities, featured basket);
    a claims.csv beside it is checked against the prices.
    """
    from eventstudy.claims import check_claims, load_claims
    from eventstudy.claims.reference import REFERENCE_FILES, load_reference_data
    from eventstudy.claims.report import ClaimsExtension
    from eventstudy.events import load_events
    from eventstudy.prices import default_price_source
    from eventstudy.publish import check_output_folder
    from eventstudy.report import FOLDER_README, STUDY_FILE, ReportConfig, load_report_config, write_report
    from eventstudy.statistics.cross_section import FormulaError
    from eventstudy.study import EventStudy
    from eventstudy.universe import load_universe

    windows = [parse_window(text, "--window") for text in window] if window else list(spec.DEFAULT_EVENT_WINDOWS)
    long_windows = (
        [parse_window(text, "--bhar-window") for text in bhar_window]
        if bhar_window
        else list(spec.DEFAULT_BHAR_WINDOWS)
    )
    estimation_window = parse_window(estimation, "--estimation")
    selected = _listed(tickers)
    if (events_file is None) == (event is None):
        raise fail("give an events file or one --event (with --title), not both and not neither")
    if event is not None and not title:
        raise fail("--event needs --title, e.g. --title 'Apple quarterly earnings'")
    if event is None and (title or event_id):
        raise fail("--title and --id describe an --event; an events file gives its own")
    with errors_to_exit_codes(strict_splits):
        # Everything that can be wrong with the inputs and the output folder is found before the study is computed.
        claims_path = claims_file or (events_file.parent / "claims.csv" if events_file else None)
        study_file = events_file.parent / STUDY_FILE if events_file else None
        given = (events_file, claims_path, study_file, universe, prices_dir, characteristics)
        inputs = [path for path in given if path is not None]
        inputs += [claims_path.parent / name for name in REFERENCE_FILES] if claims_path else []
        check_output_folder(out, inputs, placeholder=FOLDER_README)
        events = load_events(events_file) if events_file else _one_event(str(event), str(title), event_id)
        securities = load_universe(universe)
        has_claims = claims_path is not None and (claims_file is not None or claims_path.is_file())
        claims = load_claims(claims_path, events, securities) if claims_path and has_claims else None
        reference = load_reference_data(claims_path.parent) if claims_path and claims is not None else None
        config = load_report_config(study_file) if study_file and study_file.is_file() else ReportConfig()
        try:
            study = EventStudy(
                events,
                universe=securities,
                tickers=selected,
                groups=group,
                prices=default_price_source(
                    offline=offline, universe=securities, prices_dir=str(prices_dir) if prices_dir else None
                ),
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
                characteristics=characteristics,
                formula=formula,
                bhar_windows=long_windows,
                garch_tickers=_listed(garch_tickers) or (),
                memory_budget=parse_bytes(memory_budget, "--memory-budget"),
                backend="dask" if workers or scheduler else "in-process",
                workers=workers,
                scheduler=scheduler,
            )
            studied = set(study.studied_securities.tickers)
            outside = [ticker for ticker in study.garch_tickers if ticker not in studied]
            if outside:
                raise fail(f"--garch-tickers {','.join(outside)}: not among the studied securities")
            if garch_tickers is None and config.timeline:
                # The report's timeline securities, those the study has: the library holds no study's choices.
                timeline = [ticker for ticker in config.timeline if ticker in studied]
                study = EventStudy.from_spec(study, garch_tickers=timeline)
        except ValueError as exc:
            raise fail(str(exc)) from None
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
        ) as progress:
            task = progress.add_task("starting", total=None)
            try:
                results = study.run(progress=lambda label: progress.update(task, description=label))
            except FormulaError as exc:
                raise fail(f"--formula: {exc}") from None
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
    spans = results.span_sensitivity
    if not spans.empty:
        flips = spans["same_sign"].eq(False).sum()
        console.print(
            f"{spans['event_id'].nunique()} events known only to a span were also measured at the first and the "
            f"last possible day 0: {flips} of {len(spans)} CARs change sign between the two "
            f"({out / 'span_sensitivity.csv'})."
        )
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


def _listed(values: list[str] | None) -> list[str] | None:
    """Tickers given comma-separated or repeated, in order."""
    return [ticker.strip() for entry in values for ticker in entry.split(",") if ticker.strip()] if values else None


def _one_event(moment: str, title: str, event_id: str | None) -> EventSet:
    """The events of ``--event``/``--title``/``--id``, or a bad-input exit naming the option that is wrong."""
    from eventstudy.events import EventSet, EventValidationError, one_off_event

    try:
        return EventSet([one_off_event(moment, title, event_id)])
    except EventValidationError as exc:
        options = {"date": f"--event {moment!r}", "timezone": f"--event {moment!r}", "id": "--id", "title": "--title"}
        raise fail("; ".join(f"{options.get(str(p.column), p.column)}: {p.reason}" for p in exc.problems)) from None
