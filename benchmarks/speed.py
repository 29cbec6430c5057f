"""Speed and memory of the engine, and agreement with the PyPI package ``eventstudy==0.1a12``.

Three measurements, printed (nothing is asserted here; ``tests/test_benchmarks_smoke.py`` only checks that the script
runs):

1. :func:`eventstudy.engine.fit_pairs` with the market model on synthetic returns: every one of ``--securities``
   securities for each of ``--events`` event dates (default 1,000 x 1,000 = one million pairs) over ``--days``
   sessions (default 5,000), estimation window (-250, -11) (240 days), AR path (-10, +10) (21 days) and the default
   event windows; the fit alone, then the same call with ``with_residuals=True`` (the path the study runs on each
   chunk, which also returns the (P, 240) estimation residuals). Each runs in a fresh subprocess, so the peak
   resident set size is the benchmark's own: inputs included, interpreter and imports included. Printed for each of
   ``--repeat`` fresh runs: wall time, CPU time (user and system: on a virtual machine, faulting in fresh memory is
   system time), pairs per second, peak memory and the size of the returned arrays (the floor of the peak); then the
   ratios of the residual path to the fit alone.
2. ``EventStudy(load_events(events.csv)).run()`` on the packaged real snapshot, in a fresh subprocess: the first run
   (calendars and snapshot loaded) and a second one in the same process.
3. The same market model with the PyPI package ``eventstudy==0.1a12`` on a subset of pairs, through
   ``pypi_eventstudy_driver.py`` under that package's own interpreter (``--pypi-python``; its import name clashes
   with ours). Both read the same CSV of returns; the script prints the speed ratio and the largest differences of
   AR and CAR. That package's CAR is the running sum of the ARs from the first day of the event window, which is
   our ``car_path``; its variance is ``SSE / L1`` (``numpy.var``, no degrees-of-freedom correction, no
   prediction-error term) with ``L1 - 1`` degrees of freedom, ours ``SSE / (L1 - 2)`` with ``L1 - 2``: the script
   checks that the two variances differ by exactly that factor.

Run ``python benchmarks/speed.py --help`` for the options; ``--securities 20 --events 20 --days 400`` runs in a
second or two.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
from worker import run_worker

from eventstudy import EventStudy, load_events
from eventstudy.engine import PairArrays, fit_pairs
from eventstudy.models import MarketModel
from eventstudy.spec import DEFAULT_EVENT_WINDOWS

ESTIMATION_WINDOW = (-250, -11)
PATH_WINDOW = (-10, 10)
PYPI_PYTHON = "/tmp/venv-pypi-es/bin/python"
PYPI_DRIVER = Path(__file__).with_name("pypi_eventstudy_driver.py")
REPO = Path(__file__).resolve().parents[1]
#: Tolerance of the AR and CAR comparison with the PyPI package.
AGREEMENT = 1e-8


@dataclass(frozen=True)
class SyntheticPanel:
    """Synthetic market-model returns and the (event, security) pairs to fit on them.

    Attributes
    ----------
    returns, market : ndarray, shape (D, S)
        Security returns and each security's benchmark return (one market series for all).
    security, day_zero_row : ndarray of int, shape (P,)
        Every security for every event date: column and day-0 row of each pair.
    dates : DatetimeIndex, shape (D,)
        Business days the rows stand for.
    """

    returns: np.ndarray
    market: np.ndarray
    security: np.ndarray
    day_zero_row: np.ndarray
    dates: pd.DatetimeIndex


def synthetic_panel(days: int, securities: int, events: int, seed: int) -> SyntheticPanel:
    """Returns ``R_it = a_i + b_i R_mt + s_i e_it`` with Gaussian market and noise, and ``events`` random day-0 rows.

    Parameters
    ----------
    days, securities, events
        Rows D, columns S and event dates; every security is paired with every event date (P = S x events).
    seed
        Seed of the random generator.

    Returns
    -------
    SyntheticPanel
    """
    first, last = ESTIMATION_WINDOW[0], PATH_WINDOW[1]
    if days <= last - first:
        raise ValueError(f"need more than {last - first} days for the estimation window and the AR path")
    rng = np.random.default_rng(seed)
    market_series = rng.normal(0.0003, 0.01, days)
    alpha = rng.normal(0.0, 0.0003, securities)
    beta = rng.uniform(0.5, 1.5, securities)
    sigma = rng.uniform(0.01, 0.03, securities)
    returns = alpha + np.outer(market_series, beta) + sigma * rng.standard_normal((days, securities))
    day_zero = rng.integers(-first, days - last, events)
    return SyntheticPanel(
        returns=returns,
        market=np.repeat(market_series[:, np.newaxis], securities, axis=1),
        security=np.tile(np.arange(securities), events),
        day_zero_row=np.repeat(day_zero, securities),
        dates=pd.bdate_range("2000-01-03", periods=days),
    )


def fit_market_model(panel: SyntheticPanel, with_residuals: bool = False) -> PairArrays:
    """The benchmarked computation: :func:`fit_pairs` with the market model on every pair of ``panel``."""
    return fit_pairs(
        panel.returns,
        panel.market,
        panel.security,
        panel.day_zero_row,
        MarketModel(),
        ESTIMATION_WINDOW,
        PATH_WINDOW,
        DEFAULT_EVENT_WINDOWS,
        with_residuals=with_residuals,
    )


def returned_bytes(arrays: PairArrays) -> int:
    """Bytes of every array :func:`fit_pairs` returned (the fit's included)."""
    values = [getattr(arrays, field.name) for field in fields(arrays)] + [
        getattr(arrays.fit, field.name) for field in fields(arrays.fit)
    ]
    return sum(value.nbytes for value in values if isinstance(value, np.ndarray))


def cpu_seconds() -> tuple[float, float]:
    """User and system CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_fit(days: int, securities: int, events: int, seed: int, with_residuals: bool) -> dict[str, float]:
    """Time :func:`fit_market_model` twice in this process (meant to be a fresh one, see :func:`worker.run_worker`): the
    first call faults in fresh memory, the second reuses the pages the first one freed.

    Returns
    -------
    dict
        ``pairs``; ``seconds`` (wall), ``user`` and ``system`` (CPU seconds) of the first call and the same with
        ``warm_`` of the second; ``rss_before_mb`` (after the inputs were built), ``peak_rss_mb`` and
        ``returned_mb`` (the arrays returned).
    """
    panel = synthetic_panel(days, securities, events, seed)
    before = peak_rss_mb()
    figures: dict[str, float] = {"rss_before_mb": before}
    for prefix in ("", "warm_"):
        user, system = cpu_seconds()
        started = time.perf_counter()
        arrays = fit_market_model(panel, with_residuals)
        figures[f"{prefix}seconds"] = time.perf_counter() - started
        user_end, system_end = cpu_seconds()
        figures |= {f"{prefix}user": user_end - user, f"{prefix}system": system_end - system}
        figures |= {"pairs": float(arrays.ar.shape[0]), "returned_mb": returned_bytes(arrays) / 2**20}
        del arrays
    return figures | {"peak_rss_mb": peak_rss_mb()}


def measure_real_study(events_path: str) -> dict[str, float]:
    """Time ``EventStudy(load_events(events_path)).run()`` twice in this process: cold, then warm caches."""
    timings: dict[str, float] = {}
    for label in ("cold", "warm"):
        started = time.perf_counter()
        results = EventStudy(load_events(events_path)).run()
        timings[f"{label}_seconds"] = time.perf_counter() - started
    timings["pairs"] = float(len(results.pairs))
    timings["peak_rss_mb"] = peak_rss_mb()
    return timings


def ratio(value: float, reference: float) -> str:
    """``value / reference`` as ``1.23x`` (``n/a`` when the reference is too short to measure)."""
    return f"{value / reference:.2f}x" if reference > 0 else "n/a"


def compare_with_pypi(python: str, days: int, securities: int, events: int, seed: int) -> None:
    """Fit the same pairs with ``fit_pairs`` and with the PyPI package; print speeds and the largest differences.

    Parameters
    ----------
    python
        Interpreter of the virtual environment that has ``eventstudy==0.1a12`` installed.
    days, securities, events, seed
        The synthetic panel of the comparison (see :func:`synthetic_panel`).
    """
    panel = synthetic_panel(days, securities, events, seed)
    first, last = ESTIMATION_WINDOW
    names = [f"S{column}" for column in range(securities)]
    with tempfile.TemporaryDirectory() as folder:
        csv_path, pairs_path, output_path = (Path(folder) / name for name in ("returns.csv", "pairs.json", "out.npz"))
        table = pd.DataFrame(panel.returns, columns=names)
        table.insert(0, "date", panel.dates.strftime("%Y-%m-%d"))
        table["MKT"] = panel.market[:, 0]
        table.to_csv(csv_path, index=False)  # shortest repr of each float: read back bit for bit
        day_zero = panel.dates[panel.day_zero_row].strftime("%Y-%m-%d")
        pairs = [[names[column], date] for column, date in zip(panel.security, day_zero, strict=True)]
        pairs_path.write_text(json.dumps(pairs), encoding="utf-8")
        window = [str(day) for day in PATH_WINDOW]
        command = [python, str(PYPI_DRIVER), str(csv_path), str(pairs_path), str(output_path), "--market", "MKT"]
        command += ["--window", *window, "--estimation-size", str(last - first + 1)]
        command += ["--buffer-size", str(PATH_WINDOW[0] - last - 1)]
        completed = subprocess.run(command, capture_output=True, text=True, check=False, cwd=folder)
        if completed.returncode != 0:
            print(f"PyPI eventstudy: the driver failed, no comparison:\n{completed.stderr.strip()}")
            return
        timings = json.loads(completed.stdout.strip().splitlines()[-1])
        with np.load(output_path) as theirs:
            pypi = {name: theirs[name] for name in theirs.files}
        read_back = pd.read_csv(csv_path)
    same_inputs = np.array_equal(read_back[names].to_numpy(), panel.returns)
    ours_seconds = np.inf
    for _ in range(3):  # best of three: the subset is small
        started = time.perf_counter()
        ours = fit_market_model(panel)
        ours_seconds = min(ours_seconds, time.perf_counter() - started)
    pairs_count = len(pairs)
    length = ours.fit.observations
    ar_diff = float(np.max(np.abs(ours.ar - pypi["ar"])))
    car_diff = float(np.max(np.abs(ours.car_path - pypi["car"])))
    variance_ratio = pypi["variance"] / (ours.fit.sigma2 * (length - 2) / length)
    print(f"PyPI eventstudy {timings['version']} market model, {pairs_count:,} pairs on {days:,} days")
    print(f"  inputs identical (CSV read back bit for bit): {same_inputs}")
    print(f"  PyPI eventstudy: {timings['fit_seconds']:.3f} s ({pairs_count / timings['fit_seconds']:,.0f} pairs/s)")
    print(f"  PyPI eventstudy CSV import: {timings['import_seconds']:.3f} s (not counted)")
    print(f"  fit_pairs: {ours_seconds:.4f} s ({pairs_count / ours_seconds:,.0f} pairs/s), best of 3")
    print(f"  speed ratio (PyPI time / fit_pairs time, same pairs): {timings['fit_seconds'] / ours_seconds:,.0f}x")
    print(f"  max |AR diff|: {ar_diff:.2e}")
    print(f"  max |CAR diff| (running CAR from day {PATH_WINDOW[0]}): {car_diff:.2e}")
    agree = max(ar_diff, car_diff) <= AGREEMENT
    print(f"  AR and CAR agree to {AGREEMENT:g}: {'yes' if agree else 'NO'}")
    print(
        "  variance: PyPI SSE/L1 vs ours SSE/(L1-2), max |ratio - 1| after rescaling: "
        f"{float(np.max(np.abs(variance_ratio - 1))):.2e}; "
        f"dof PyPI {int(pypi['dof'][0])} vs ours {int(ours.fit.dof[0])}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print their figures.

    Parameters
    ----------
    argv
        Command-line arguments (``--help`` lists them); ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        Exit status, 0.
    """
    parser = argparse.ArgumentParser(description="Speed and memory of fit_pairs; comparison with PyPI eventstudy.")
    parser.add_argument("--securities", type=int, default=1000, help="securities S (default 1000)")
    parser.add_argument("--events", type=int, default=1000, help="event dates; every security for each (default 1000)")
    parser.add_argument("--days", type=int, default=5000, help="sessions D of the synthetic panel (default 5000)")
    parser.add_argument("--repeat", type=int, default=1, help="fresh-process runs of the timed fit (default 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--real-events", default=str(REPO / "events.csv"), help="events file of the real-data run")
    parser.add_argument("--skip-real", action="store_true", help="skip the real-snapshot EventStudy run")
    parser.add_argument("--pypi-python", default=PYPI_PYTHON, help="interpreter with eventstudy==0.1a12 installed")
    parser.add_argument("--pypi-securities", type=int, default=20, help="securities of the PyPI comparison")
    parser.add_argument("--pypi-events", type=int, default=20, help="event dates of the PyPI comparison")
    parser.add_argument("--pypi-days", type=int, default=1000, help="sessions of the PyPI comparison panel")
    parser.add_argument("--skip-pypi", action="store_true", help="skip the comparison with the PyPI package")
    parser.add_argument("--worker", choices=["fit", "residuals", "real"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker in ("fit", "residuals"):
        figures = measure_fit(args.days, args.securities, args.events, args.seed, args.worker == "residuals")
        print(json.dumps(figures))
        return 0
    if args.worker == "real":
        print(json.dumps(measure_real_study(args.real_events)))
        return 0

    sizes = ["--days", str(args.days), "--securities", str(args.securities), "--events", str(args.events)]
    estimation_days = ESTIMATION_WINDOW[1] - ESTIMATION_WINDOW[0] + 1
    path_days = PATH_WINDOW[1] - PATH_WINDOW[0] + 1
    print(
        f"fit_pairs, market model: {args.securities:,} securities x {args.events:,} events = "
        f"{args.securities * args.events:,} pairs, {args.days:,} days, estimation {estimation_days} days, "
        f"AR path {path_days} days, {len(DEFAULT_EVENT_WINDOWS)} event windows"
    )
    for run in range(1, args.repeat + 1):
        both = {path: run_worker(__file__, [path, *sizes, "--seed", str(args.seed)]) for path in ("fit", "residuals")}
        for path, figures in both.items():
            label = "fit alone" if path == "fit" else "with_residuals=True"
            print(
                f"  run {run}, {label}: peak memory {figures['peak_rss_mb']:,.0f} MB (inputs and interpreter "
                f"{figures['rss_before_mb']:,.0f} MB, returned arrays {figures['returned_mb']:,.0f} MB)"
            )
            for prefix, call in (("", "first call, fresh memory"), ("warm_", "second call, memory reused")):
                print(
                    f"    {call}: wall time {figures[prefix + 'seconds']:.2f} s "
                    f"({figures['pairs'] / figures[prefix + 'seconds']:,.0f} pairs/s), CPU user "
                    f"{figures[prefix + 'user']:.2f} s, system {figures[prefix + 'system']:.2f} s"
                )
        fit, residuals = both["fit"], both["residuals"]
        for prefix, call in (("", "first calls"), ("warm_", "second calls")):
            cpu = {path: figures[prefix + "user"] + figures[prefix + "system"] for path, figures in both.items()}
            print(
                f"  run {run}, residual path / fit alone, {call}: wall "
                f"{ratio(residuals[prefix + 'seconds'], fit[prefix + 'seconds'])}, CPU user "
                f"{ratio(residuals[prefix + 'user'], fit[prefix + 'user'])}, CPU user + system "
                f"{ratio(cpu['residuals'], cpu['fit'])} (target <= 2x)"
            )
        print(
            f"  run {run}, residual path peak memory {residuals['peak_rss_mb']:,.0f} MB (target <= 3,072 MB), of "
            f"which returned arrays {residuals['returned_mb']:,.0f} MB and inputs and interpreter "
            f"{residuals['rss_before_mb']:,.0f} MB"
        )

    if args.skip_real:
        print("EventStudy on the real snapshot: skipped (--skip-real)")
    else:
        figures = run_worker(__file__, ["real", "--real-events", args.real_events])
        print(
            f"EventStudy(load_events({Path(args.real_events).name!r})).run() on the real snapshot, "
            f"{figures['pairs']:,.0f} pairs: first run {figures['cold_seconds']:.2f} s "
            f"(calendars and snapshot loaded), second run {figures['warm_seconds']:.2f} s, "
            f"peak memory {figures['peak_rss_mb']:,.0f} MB"
        )

    if args.skip_pypi:
        print("PyPI eventstudy comparison: skipped (--skip-pypi)")
    elif not Path(args.pypi_python).exists():
        print(
            f"PyPI eventstudy comparison: skipped, {args.pypi_python} does not exist (python -m venv /tmp/venv-pypi-es "
            "&& /tmp/venv-pypi-es/bin/pip install eventstudy==0.1a12 numpy pandas scipy)"
        )
    else:
        compare_with_pypi(args.pypi_python, args.pypi_days, args.pypi_securities, args.pypi_events, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
