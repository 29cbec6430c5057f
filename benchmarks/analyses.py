"""CPU time of the analyses beyond abnormal returns (issue 17) in the real study, and of the GARCH fit per pair.

Part 1, the real study. ``eventstudy run events.csv --offline`` computes
``EventStudy(load_events("events.csv"), garch_tickers=<timeline of study.toml>).run()`` on the offline chain (local
cache, then the packaged snapshot). Each run is a fresh process timed with ``time.process_time`` around ``run()``
only (report writing excluded): once with ``analyses=[]`` (the study as before issue 17) and once with the default
analyses, ``--repeat`` times each, alternating; the best run of each is printed with its split by pipeline step
(from the run's progress labels), and the share the analyses add. Two sessions (``--session``, default both): ``cli``
imports the report's modules before the run, as the command does to read study.toml (scipy.stats among them, about
0.6 s); ``api`` does not, as a fresh ``python -c "...run()"`` would, so the run pays those imports (the brief's
"about 2 s of study CPU").

Part 2, GARCH(1,1) per pair: :func:`eventstudy.models.garch.fit_garch_market` on ``--garch-pairs`` synthetic pairs
(240 estimation days, GARCH errors), and the same fits with ``arch`` when it is installed (``pip install arch``):
what ``--model garch`` costs per pair, and why the default fits only the ``garch_tickers`` pairs.

Run ``python benchmarks/analyses.py --help`` for the options; ``--events`` takes another events file (the smoke test
uses one event).
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import numpy as np
from worker import run_worker

REPO = Path(__file__).resolve().parents[1]
#: Share of the study's CPU time the analyses may add (issue 17).
BUDGET = 0.25


def timeline(study_file: Path, session: str = "api") -> list[str]:
    """The timeline securities of a study.toml (what ``eventstudy run`` passes as ``garch_tickers``): read as the
    command reads it (``session="cli"``, importing the report's modules), or with tomllib alone."""
    if not study_file.is_file():
        return []
    if session == "cli":
        from eventstudy.report import load_report_config

        return list(load_report_config(study_file).timeline or ())
    import tomllib

    return list(tomllib.loads(study_file.read_text(encoding="utf-8")).get("report", {}).get("timeline", []))


def worker(events: str, study_file: str, with_analyses: bool, session: str) -> None:
    """One run of the study in this (fresh) process; prints its CPU seconds in total and per step as JSON."""
    from eventstudy import EventStudy, load_events
    from eventstudy.prices import default_price_source

    chosen = timeline(Path(study_file), session)
    options: dict[str, object] = {"analyses": []}
    if with_analyses:
        study = EventStudy(load_events(events), prices=default_price_source(offline=True))
        studied = set(study.studied_securities.tickers)
        options = {"garch_tickers": [ticker for ticker in chosen if ticker in studied]}
    study = EventStudy(load_events(events), prices=default_price_source(offline=True), **options)
    marks: list[tuple[str, float]] = []
    started = time.process_time()
    results = study.run(progress=lambda label: marks.append((label, time.process_time())))
    ended = time.process_time()
    marks.append(("end", ended))
    steps = {
        "fitting and summarizing the pairs" if label.startswith("fitting") else label: after - before
        for (label, before), (_, after) in itertools.pairwise(marks)
    }
    print(json.dumps({"total": ended - started, "steps": steps, "pairs": len(results.pairs)}))


def real_study(events: str, study_file: str, repeat: int, session: str) -> None:
    """Part 1: the best of ``repeat`` fresh runs without and with the analyses."""
    runs: dict[bool, list[dict]] = {False: [], True: []}
    for _ in range(repeat):
        for with_analyses in (False, True):
            arguments = ["with" if with_analyses else "without", "--events", events, "--study-toml", study_file]
            runs[with_analyses].append(run_worker(__file__, [*arguments, "--session", session]))
    best = {mode: min(items, key=lambda item: item["total"]) for mode, items in runs.items()}
    before, after = best[False]["total"], best[True]["total"]
    print(
        f"Real study: {Path(events).name}, {best[True]['pairs']} pairs, offline; garch_tickers = "
        f"{', '.join(timeline(Path(study_file))) or 'none'} (timeline of {Path(study_file).name})"
    )
    imports = "report modules imported first, as the command does" if session == "cli" else "nothing imported first"
    print(f"CPU seconds of EventStudy.run() in a fresh process ({imports}), best of {repeat}; report writing excluded")
    print(f"{'step':<52} {'without':>9} {'with':>9}")
    labels = list(dict.fromkeys([*best[True]["steps"], *best[False]["steps"]]))
    for label in labels:
        without = best[False]["steps"].get(label)
        with_ = best[True]["steps"].get(label)
        cells = [f"{value:9.3f}" if value is not None else f"{'':9}" for value in (without, with_)]
        print(f"{label:<52} {cells[0]} {cells[1]}")
    print(f"{'total':<52} {before:9.3f} {after:9.3f}")
    share = (after - before) / before
    print(f"the analyses add {after - before:.3f} s, {share:.0%} of the study's CPU (budget {BUDGET:.0%})")
    totals = {mode: ", ".join(f"{item['total']:.2f}" for item in items) for mode, items in runs.items()}
    print(f"every run: without {totals[False]}; with {totals[True]}")


def simulated_pairs(pairs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Market-model returns with GARCH(1,1) errors over 261 days (240 estimation days and a 21-day path)."""
    rng = np.random.default_rng(seed)
    days = 261
    market = rng.normal(0.0, 0.01, (pairs, days))
    errors = np.empty((pairs, days))
    variance = np.full(pairs, 4e-6 / 0.05)
    for day in range(days):
        errors[:, day] = np.sqrt(variance) * rng.normal(size=pairs)
        variance = 4e-6 + 0.10 * errors[:, day] ** 2 + 0.85 * variance
    return 0.0005 + 1.2 * market + errors, market


def garch_per_pair(pairs: int, seed: int) -> None:
    """Part 2: CPU per pair of our GARCH fit, and of arch's when installed."""
    from eventstudy.models.garch import fit_garch_market

    y, x = simulated_pairs(pairs, seed)
    started = time.process_time()
    fit = fit_garch_market(y[:, :240], x[:, :240], y[:, 240:], x[:, 240:])
    ours = time.process_time() - started
    print(f"GARCH(1,1) market model, {pairs} synthetic pairs of 240 estimation days")
    print(f"eventstudy.models.garch: {1000 * ours / pairs:.2f} ms per pair ({int(fit.converged.sum())} converged)")
    try:
        from arch import arch_model
    except ImportError:
        print("arch: not installed (pip install arch), comparison skipped")
        return
    started = time.process_time()
    for row in range(pairs):
        model = arch_model(100 * y[row, :240], x=100 * x[row, :240, None], mean="LS", vol="GARCH", rescale=False)
        model.fit(disp="off", show_warning=False)
    theirs = time.process_time() - started
    print(f"arch (numerical gradients): {1000 * theirs / pairs:.2f} ms per pair; ours is {theirs / ours:.1f}x faster")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", default=str(REPO / "events.csv"), help="events file of the real study")
    parser.add_argument("--study-toml", default=str(REPO / "study.toml"), help="its study.toml (timeline)")
    parser.add_argument("--repeat", type=int, default=3, help="fresh runs per mode (best CPU time)")
    parser.add_argument("--garch-pairs", type=int, default=200, help="synthetic pairs of part 2 (0: skip)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--session", choices=("both", "cli", "api"), default="both", help="what is imported before the run"
    )
    parser.add_argument("--worker", choices=("with", "without"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.events, args.study_toml, args.worker == "with", args.session)
        return
    for session in ("cli", "api") if args.session == "both" else (args.session,):
        real_study(args.events, args.study_toml, args.repeat, session)
        print()
    if args.garch_pairs:
        garch_per_pair(args.garch_pairs, args.seed)


if __name__ == "__main__":
    main()
