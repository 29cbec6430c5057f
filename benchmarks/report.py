"""The HTML report step: CPU time of ``write_report`` and the size of the folder and of its pages.

Two studies, each computed first (not timed) and then written as a report (timed, CPU seconds of this process):

``real``
    ``events.csv`` of the repository with its ``claims.csv`` and ``study.toml`` on the packaged snapshot (offline),
    as ``eventstudy run events.csv --offline`` writes it.
``synthetic``
    ``--securities`` (default 400) US stocks x ``--events`` (default 22) events on a synthetic market written by
    this script as CSV files (read through ``CsvDirectorySource``): market-model returns with a known abnormal
    return injected on some event days, an index as benchmark, four groups (so four baskets). Synthetic data only
    measures the report; no number of it is shown anywhere else. ``--scaling`` also writes studies of 1/4 and 1/2
    of the securities, to show that an event page grows linearly with the number of securities.

Printed per study: report CPU and wall time; folder size; the largest page and the size of the index, of the event
and security pages (largest and mean); plotly.js bundle size. The targets of issue 12 (report step of the real run
at most 3 s CPU, folder at most 10 MB, no page over 400 kB, event pages linear in the securities) are printed
beside the figures. Run ``python benchmarks/report.py --help``.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy import CsvDirectorySource, Event, EventStudy, load_events, load_universe
from eventstudy.calendars import sessions
from eventstudy.claims import check_claims, load_claims
from eventstudy.claims.report import ClaimsExtension
from eventstudy.report import ReportExtension, load_report_config, write_report
from eventstudy.results import EventStudyResults

REPO = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
KB = 1000


def write_market(folder: Path, securities: int, events: int, days: int, seed: int) -> tuple[Path, Path, list[Event]]:
    """Write the prices of ``securities`` stocks and an index ``MKT`` (market model, 1.5% daily noise), a universe
    file and ``events`` events spread over the last half of the sessions, each with a known abnormal return of
    -3% to +3% added to a random third of the stocks on its day."""
    rng = np.random.default_rng(seed)
    dates = sessions("XNYS", "2022-01-03")[:days]
    market = rng.normal(0.0004, 0.01, days)
    betas = rng.uniform(0.6, 1.6, securities)
    returns = 0.0002 + betas * market[:, np.newaxis] + rng.normal(0.0, 0.015, (days, securities))
    event_rows = np.linspace(days // 2, days - 30, events).astype(int)
    for row in event_rows:
        hit = rng.random(securities) < 1 / 3
        returns[row, hit] += rng.uniform(-0.03, 0.03)
    prices = folder / "prices"
    prices.mkdir(parents=True)
    series = {"MKT": market} | {f"S{i:03d}": returns[:, i] for i in range(securities)}
    for ticker, values in series.items():
        close = 100 * np.cumprod(1 + np.concatenate([[0.0], values[1:]]))
        frame = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "adj_close": close, "close": close})
        frame.to_csv(prices / f"{ticker}.csv", index=False, float_format="%.6f")
    universe = folder / "universe.csv"
    groups = ("chips", "cloud", "software", "internet")
    rows = ["ticker,name,exchange,currency,group,benchmark,factor", "MKT,Market index,XNYS,USD,benchmarks,,"]
    rows += [f"S{i:03d},Stock {i},XNYS,USD,{groups[i % len(groups)]},MKT," for i in range(securities)]
    universe.write_text("\n".join(rows) + "\n", encoding="utf-8")
    studied = [
        Event(
            id=f"event-{number:02d}",
            date=str(dates[row].date()),
            title=f"Synthetic event {number}",
            actor="nobody",
            category=("release", "pricing", "chips")[number % 3],
        )
        for number, row in enumerate(event_rows, start=1)
    ]
    return prices, universe, studied


def timed_report(
    results: EventStudyResults, out: Path, write: Callable[[EventStudyResults, Path], Path]
) -> tuple[float, float]:
    """CPU and wall seconds of writing the report."""
    shutil.rmtree(out, ignore_errors=True)
    cpu, wall = time.process_time(), time.perf_counter()
    write(results, out)
    return time.process_time() - cpu, time.perf_counter() - wall


def sizes(folder: Path) -> dict[str, float]:
    """Bytes of the folder, its largest page, the index and the event and security pages."""
    files = [path for path in folder.rglob("*") if path.is_file()]
    pages = {path: path.stat().st_size for path in files if path.suffix == ".html"}
    events = [size for path, size in pages.items() if path.parent.name == "events"]
    securities = [size for path, size in pages.items() if path.parent.name == "securities"]
    largest = max(pages, key=pages.__getitem__)
    return {
        "folder": sum(path.stat().st_size for path in files),
        "largest": pages[largest],
        "largest_name": str(largest.relative_to(folder)),  # type: ignore[dict-item]
        "index": pages[folder / "index.html"],
        "events_max": max(events),
        "events_mean": float(np.mean(events)),
        "securities_max": max(securities),
        "securities_mean": float(np.mean(securities)),
        "plotly": (folder / "assets" / "plotly-basic.min.js").stat().st_size,
    }


def show(name: str, cpu: float, wall: float, measured: dict[str, float], pairs: int, targets: bool) -> None:
    def target(text: str) -> str:
        return f"   (target {text})" if targets else ""

    print(f"{name}: {pairs} pairs")
    print(f"  write_report CPU {cpu:.2f} s, wall {wall:.2f} s{target('<= 3 s CPU')}")
    print(f"  folder {measured['folder'] / MB:.2f} MB ({measured['folder']:,.0f} bytes){target('<= 10 MB')}")
    print(
        f"  largest page {measured['largest_name']} {measured['largest'] / KB:.0f} kB{target('<= 400 kB')}; "
        f"index {measured['index'] / KB:.0f} kB"
    )
    print(
        f"  event pages: largest {measured['events_max'] / KB:.0f} kB, mean {measured['events_mean'] / KB:.0f} kB; "
        f"security pages: largest {measured['securities_max'] / KB:.0f} kB, "
        f"mean {measured['securities_mean'] / KB:.0f} kB; plotly.js {measured['plotly'] / KB:.0f} kB"
    )


def real_study(out: Path) -> None:
    events = load_events(REPO / "events.csv")
    results = EventStudy(events).run()
    claims = check_claims(
        load_claims(REPO / "claims.csv", events), events, results=results, source_file=REPO / "claims.csv"
    )
    extensions: list[ReportExtension] = [ClaimsExtension(claims)]
    config = load_report_config(REPO / "study.toml")
    metadata = results.metadata(REPO / "events.csv")

    def write(results: EventStudyResults, folder: Path) -> Path:
        return write_report(results, folder, metadata, extensions=extensions, config=config)

    cpu, wall = timed_report(results, out, write)
    show("real study (events.csv, packaged snapshot, claims)", cpu, wall, sizes(out), len(results.pairs), True)


def synthetic_study(work: Path, securities: int, events: int, days: int, seed: int) -> dict[str, float]:
    prices, universe, chosen = write_market(work / f"market-{securities}", securities, events, days, seed)
    study = EventStudy(
        chosen,
        universe=load_universe(universe),
        prices=CsvDirectorySource(prices),
        bootstrap_replications=99,
        placebo_replications=19,
    )
    results = study.run()
    out = work / f"report-{securities}"
    cpu, wall = timed_report(results, out, lambda results, folder: write_report(results, folder))
    measured = sizes(out)
    show(f"synthetic study ({securities} securities x {events} events)", cpu, wall, measured, len(results.pairs), False)
    return measured


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--securities", type=int, default=400, help="securities of the synthetic study")
    parser.add_argument("--events", type=int, default=22, help="events of the synthetic study")
    parser.add_argument("--days", type=int, default=700, help="sessions of synthetic prices")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--skip-real", action="store_true", help="only the synthetic study")
    parser.add_argument("--scaling", action="store_true", help="also 1/4 and 1/2 of the securities (linearity)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="eventstudy-report-bench-") as folder:
        work = Path(folder)
        if not args.skip_real:
            real_study(work / "real")
        counts = [args.securities // 4, args.securities // 2, args.securities] if args.scaling else [args.securities]
        measured = {count: synthetic_study(work, count, args.events, args.days, args.seed) for count in counts}
        if len(measured) > 1:
            print("event page size: what each added security costs (linear growth: the same from step to step)")
            steps = list(measured.items())
            for (fewer, small), (more, large) in itertools.pairwise(steps):
                slope = (large["events_max"] - small["events_max"]) / (more - fewer) / KB
                print(f"  {fewer} -> {more} securities: +{slope:.2f} kB per security")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
