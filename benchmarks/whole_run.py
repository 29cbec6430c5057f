"""The whole run as a user runs it: ``EventStudy(...).run()`` and ``write_report``, CPU, peak memory and phases.

Studies (``--scale``, repeatable; default all three):

``1x``
    The real study: ``events.csv`` of the repository on the packaged snapshot, its ``claims.csv`` checked and its
    ``study.toml`` read, as ``eventstudy run events.csv --offline`` does (``--real-events`` for another file; claims
    and ``study.toml`` are used when they lie beside it, as the command line does).
``10x``
    400 synthetic US stocks x 22 events (about 8,900 pairs, baskets included).
``100x``
    3,000 synthetic US stocks x 30 events (about 90,000 pairs). The report is the full report: its only limit for
    large studies is the all-results page, which shows the :data:`eventstudy.report.pages.RESULTS_ROWS` most
    significant pairs (``car.csv`` and ``pairs.csv`` keep every pair).

``--synthetic SxE`` adds a synthetic study of S stocks x E events (e.g. ``--synthetic 20x3`` for a quick look). The
synthetic market is the one of ``benchmarks/report.py`` (:func:`report.write_market`): market-model returns with a
known abnormal return of -3% to +3% injected on each event day into a random third of the stocks, an index ``MKT``
as every stock's benchmark and four groups (so four baskets), written as CSV files and read through
``CsvDirectorySource``. Synthetic data only measures; no number of it is shown anywhere else.

Every study runs with the default settings (999 bootstrap replications, 199 placebo dates, the default memory budget)
in a fresh interpreter, so that its figures are its own:

* CPU: ``time.process_time()`` (user + system of the process) of each phase, the phases being the steps the pipeline
  reports through ``EventStudy.run(progress=...)``, then checking the claims (real study) and ``write_report``;
  "end to end" is the process's whole CPU time from ``resource.getrusage`` (interpreter start, imports, set-up included,
  the writing of the synthetic prices excluded), what ``time eventstudy run ...`` would show.
* Peak memory: the resident set size high-water mark of the process, ``resource.getrusage(RUSAGE_SELF).ru_maxrss``
  (interpreter, imports and the synthetic data included); each phase shows the mark at its end, so the phase that
  sets the peak can be seen.

The targets of issue 13 are printed beside the figures: real study <= 6 s CPU end to end, 10x <= 40 s CPU and
<= 1.5 GB, 100x completes within 8 GB. Run ``python benchmarks/whole_run.py --help``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from report import write_market
from worker import run_worker

from eventstudy import CsvDirectorySource, EventStudy, load_events, load_universe
from eventstudy.claims import check_claims, load_claims
from eventstudy.claims.reference import load_reference_data
from eventstudy.claims.report import ClaimsExtension
from eventstudy.report import STUDY_FILE, ReportConfig, ReportExtension, load_report_config, write_report
from eventstudy.results import EventStudyResults

REPO = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
#: Sessions of synthetic prices (the events fall in the second half).
SYNTHETIC_DAYS = 700


@dataclass(frozen=True)
class Scale:
    """A study size of the issue and its targets (``None``: no target)."""

    securities: int
    events: int
    cpu_target: float | None
    memory_target_mb: float | None


#: The sizes of issue 13; ``1x`` is the real study (its size is that of ``events.csv``).
SCALES = {
    "1x": Scale(0, 0, 6.0, None),
    "10x": Scale(400, 22, 40.0, 1.5 * 1024),
    "100x": Scale(3000, 30, None, 8 * 1024),
}


class PhaseClock:
    """CPU and wall time between the labels the pipeline reports (``EventStudy.run(progress=...)``)."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float, float, float]] = []

    def __call__(self, label: str) -> None:
        self.marks.append((label, time.process_time(), time.perf_counter(), peak_rss_mb()))

    def phases(self) -> list[dict[str, Any]]:
        """Each phase with its CPU and wall seconds and the peak RSS at its end (the last label closes the previous
        phase)."""
        return [
            {"phase": label, "cpu": cpu_end - cpu, "wall": wall_end - wall, "peak": peak}
            for (label, cpu, wall, _), (_, cpu_end, wall_end, peak) in zip(self.marks, self.marks[1:], strict=False)
        ]


def peak_rss_mb() -> float:
    """The resident set size high-water mark of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_cpu() -> float:
    """User + system CPU seconds of this process since it started."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def measure(
    study: EventStudy,
    out: Path,
    extensions_of: Callable[[EventStudyResults], list[ReportExtension]],
    config: ReportConfig,
    events_file: Path | None,
) -> dict[str, Any]:
    """Run ``study``, check claims (``extensions_of(results)`` gives the report's extensions, timed as "claims"),
    write its report to ``out``; return the phases and the figures."""
    clock = PhaseClock()
    started = process_cpu()
    results = study.run(progress=clock)
    clock("checking the claims")
    extensions = extensions_of(results)
    clock("writing the report")
    write_report(results, out, results.metadata(events_file), extensions=extensions, config=config)
    clock("done")
    phases = clock.phases()
    if not extensions:
        phases = [phase for phase in phases if phase["phase"] != "checking the claims"]
    return {
        "pairs": len(results.pairs),
        "estimable": int((results.pairs["status"] == "ok").sum()),
        "tests_rows": len(results.tests),
        "phases": phases,
        "study_cpu": process_cpu() - started,
        "report_bytes": folder_bytes(out),
    }


def real_worker(events_file: Path, out: Path) -> dict[str, Any]:
    """The real study of ``events_file`` on the packaged snapshot, with the claims and ``study.toml`` beside it."""
    before = process_cpu()
    events = load_events(events_file)
    claims_path = events_file.parent / "claims.csv"
    study_file = events_file.parent / STUDY_FILE
    claims = load_claims(claims_path, events) if claims_path.is_file() else None
    reference = load_reference_data(claims_path.parent) if claims is not None else None
    config = load_report_config(study_file) if study_file.is_file() else ReportConfig()

    def extensions_of(results: EventStudyResults) -> list[ReportExtension]:
        if claims is None:
            return []
        checked = check_claims(claims, events, results=results, source_file=claims_path, reference=reference)
        return [ClaimsExtension(checked)]

    figures = measure(EventStudy(events), out, extensions_of, config, events_file)
    figures["load_cpu"] = process_cpu() - before - figures["study_cpu"]
    figures["generate_cpu"] = 0.0
    return figures


def synthetic_worker(securities: int, events: int, seed: int, work: Path) -> dict[str, Any]:
    """A synthetic study (prices written first, not counted) through ``CsvDirectorySource``."""
    before = process_cpu()
    prices, universe, chosen = write_market(work / "market", securities, events, SYNTHETIC_DAYS, seed)
    generated = process_cpu() - before
    study = EventStudy(chosen, universe=load_universe(universe), prices=CsvDirectorySource(prices))
    figures = measure(study, work / "report", lambda results: [], ReportConfig(), None)
    figures["load_cpu"] = 0.0
    figures["generate_cpu"] = generated
    return figures


def verdict(value: float, target: float | None, unit: str) -> str:
    if target is None:
        return ""
    return f"   (target <= {target:g} {unit}: {'met' if value <= target else 'MISSED'})"


def show(name: str, figures: dict[str, Any], scale: Scale | None) -> None:
    """Print one study's figures and, for the issue's sizes, the targets."""
    total = float(figures["process_cpu"]) - float(figures["generate_cpu"])
    peak = float(figures["peak_rss_mb"])
    print(f"{name}: {figures['pairs']:,} pairs ({figures['estimable']:,} estimable), {figures['tests_rows']:,} tests")
    cpu_target = scale.cpu_target if scale else None
    memory_target = scale.memory_target_mb if scale else None
    print(f"  CPU end to end {total:.2f} s (interpreter start and imports included){verdict(total, cpu_target, 's')}")
    print(f"  peak memory (RSS high-water mark, ru_maxrss) {peak:,.0f} MB{verdict(peak, memory_target, 'MB')}")
    print(f"  wall time {float(figures['wall']):.2f} s; report folder {int(figures['report_bytes']) / MB:.1f} MB")
    startup = total - figures["study_cpu"] - float(figures["load_cpu"])
    print(f"    {'interpreter start, imports, set-up':<52} {startup:7.2f} s CPU")
    if float(figures["load_cpu"]):
        print(f"    {'reading events, claims and study.toml':<52} {float(figures['load_cpu']):7.2f} s CPU")
    for phase in figures["phases"]:
        print(
            f"    {phase['phase']:<52} {phase['cpu']:7.2f} s CPU {phase['wall']:7.2f} s wall, "
            f"peak so far {phase['peak']:7,.0f} MB"
        )
    if float(figures["generate_cpu"]):
        print(f"    (writing the synthetic prices, not counted: {float(figures['generate_cpu']):.2f} s CPU)")


def size(text: str) -> tuple[int, int]:
    securities, _, events = text.partition("x")
    return int(securities), int(events)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="append", choices=list(SCALES), help="a size of issue 13 (default all)")
    parser.add_argument("--synthetic", action="append", type=size, default=[], metavar="SxE", help="S stocks x E")
    parser.add_argument("--real-events", default=str(REPO / "events.csv"), help="events file of the 1x study")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        started = time.perf_counter()
        kind, *values = args.worker
        with tempfile.TemporaryDirectory(prefix="eventstudy-whole-run-") as folder:
            if kind == "real":
                figures = real_worker(Path(values[0]).resolve(), Path(folder) / "report")
            else:
                figures = synthetic_worker(int(values[0]), int(values[1]), args.seed, Path(folder))
        figures |= {
            "process_cpu": process_cpu(),
            "peak_rss_mb": peak_rss_mb(),
            "wall": time.perf_counter() - started,
        }
        print(json.dumps(figures))
        return 0

    scales = args.scale or ([] if args.synthetic else list(SCALES))
    for name in scales:
        scale = SCALES[name]
        if name == "1x":
            figures = run_worker(__file__, ["real", args.real_events, "--seed", str(args.seed)])
            show(f"1x, real study ({Path(args.real_events).name}, packaged snapshot)", figures, scale)
        else:
            arguments = ["synthetic", str(scale.securities), str(scale.events), "--seed", str(args.seed)]
            figures = run_worker(__file__, arguments)
            show(f"{name}, synthetic {scale.securities:,} stocks x {scale.events} events", figures, scale)
    for securities, events in args.synthetic:
        figures = run_worker(__file__, ["synthetic", str(securities), str(events), "--seed", str(args.seed)])
        show(f"synthetic {securities:,} stocks x {events} events", figures, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
