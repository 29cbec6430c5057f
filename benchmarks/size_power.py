"""Size and power of the sample tests on real returns with random event dates (Brown & Warner 1985 style).

Each replication draws a sample of ``--n`` securities of one market of the packaged snapshot (``us`` or ``hk``) and a
random non-event day 0: a session at least one AR path (10 sessions) away from the day 0 of every event of
``events.csv`` on that calendar, with a full estimation window (-250, -11) before it. Two designs:

``clustered``
    One date for the whole sample, as every event of our data is (Kolari & Pynnönen 2010).
``non-clustered``
    A date of its own for each security (Brown & Warner 1985).

The market model is fitted by :func:`eventstudy.engine.fit_pairs` (each security on its universe benchmark) and
every test of :func:`eventstudy.statistics.run_tests` is run on the windows (0, 0) and (-1, +1). A pair enters a
sample only if it has at least ``DEFAULT_MIN_ESTIMATION`` (120) estimation returns and an AR on every day of both
windows. Power is measured by adding an abnormal return (``--inject``, default +1% and -5%) to every security's
day-0 return; as day 0 is outside the estimation window this adds it to the day-0 AR and to the CAR of both windows
and changes nothing else, so it is applied to the fitted arrays rather than by refitting. The printed figure is the
share of samples whose two-sided p-value is below ``--level`` (5%): with nothing injected, the size (about 5% for a
well-specified test); with an injection, the power.

The Kolari-Pynnönen check compares, under clustering and with nothing injected, the rejection rates of the
unadjusted Patell and BMP tests with those of their clustering-adjusted versions, beside the mean cross-correlation
``r`` of the estimation-window residuals.

Seeded and reproducible: the same arguments print the same table. Run ``python benchmarks/size_power.py --help``.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy import EventStudy, SnapshotSource, load_events, load_universe
from eventstudy.calendars import calendar_name
from eventstudy.engine import PairArrays, fit_pairs, plan_pairs
from eventstudy.models import MarketModel
from eventstudy.returns import return_panels
from eventstudy.spec import DEFAULT_MIN_ESTIMATION, NON_STUDY_GROUPS
from eventstudy.statistics import TESTS, Sample, mean_pairwise_correlation, run_tests

ESTIMATION_WINDOW = (-250, -11)
PATH_WINDOW = (-10, 10)
WINDOWS = ((0, 0), (-1, 1))
CALENDARS = {"us": "XNYS", "hk": "XHKG"}
REPO = Path(__file__).resolve().parents[1]
KOLARI_PYNNONEN_PAIRS = (("patell_z", "kolari_pynnonen_patell"), ("bmp_t", "kolari_pynnonen_bmp"))


@dataclass(frozen=True)
class MarketPanel:
    """Real returns of one calendar's studied securities, their benchmarks and the event-free day-0 rows.

    Attributes
    ----------
    tickers : list of str, length S
        The securities (universe order).
    returns, market : ndarray, shape (D, S)
        Simple returns of the securities and of each one's benchmark on the calendar's sessions.
    dates : ndarray of datetime64[D], shape (D,)
        The sessions.
    valid : ndarray of bool, shape (D, S)
        Whether a day 0 on that row may be drawn for that security: a non-event session with the whole estimation
        window in the panel, at least ``DEFAULT_MIN_ESTIMATION`` estimation returns and an AR on every tested day.
    """

    tickers: list[str]
    returns: np.ndarray
    market: np.ndarray
    dates: np.ndarray
    valid: np.ndarray


def fit(returns: np.ndarray, market: np.ndarray, security: np.ndarray, row: np.ndarray) -> PairArrays:
    """Market model fitted by :func:`fit_pairs` for pairs (security column, day-0 row), with residuals."""
    return fit_pairs(
        returns, market, security, row, MarketModel(), ESTIMATION_WINDOW, PATH_WINDOW, WINDOWS, with_residuals=True
    )


def load_market(market: str, events_path: str) -> MarketPanel:
    """Returns of the studied securities of ``market`` (``"us"`` or ``"hk"``) from the packaged snapshot.

    Parameters
    ----------
    market
        ``"us"`` (NYSE and Nasdaq, calendar XNYS) or ``"hk"`` (XHKG).
    events_path
        Events file whose day-0 sessions (and the AR path around them) are not drawn.

    Returns
    -------
    MarketPanel
    """
    calendar = CALENDARS[market]
    universe = load_universe()
    members = [
        security
        for security in universe
        if calendar_name(security.exchange) == calendar
        and security.group not in NON_STUDY_GROUPS
        and security.benchmark is not None
    ]
    tickers = [security.ticker for security in members]
    benchmarks = [str(security.benchmark) for security in members]
    source = SnapshotSource()
    needed = list(dict.fromkeys(tickers + benchmarks))
    frames = {ticker: source.history(ticker) for ticker in needed}
    table = return_panels(frames, {ticker: universe.exchange_of(ticker) for ticker in needed})[calendar]
    returns, benchmark_returns = table[tickers].to_numpy(float), table[benchmarks].to_numpy(float)
    dates = table.index.to_numpy().astype("datetime64[D]")

    rows, columns = returns.shape
    first, last = ESTIMATION_WINDOW[0], PATH_WINDOW[1]
    candidate_rows = np.arange(-first, rows - last)
    event_free = np.ones(rows, dtype=bool)
    plan, _ = plan_pairs(EventStudy(load_events(events_path), tickers=tickers))
    event_rows = np.searchsorted(dates, plan.day_zero.astype("datetime64[D]"))
    for offset in range(PATH_WINDOW[0], PATH_WINDOW[1] + 1):
        event_free[np.clip(event_rows + offset, 0, rows - 1)] = False
    security = np.tile(np.arange(columns), candidate_rows.size)
    row = np.repeat(candidate_rows, columns)
    arrays = fit(returns, benchmark_returns, security, row)
    usable = (
        (arrays.fit.observations >= DEFAULT_MIN_ESTIMATION)
        & np.isfinite(arrays.car).all(axis=1)
        & (arrays.fit.sigma2 > 0)
        & event_free[row]
    )
    valid = np.zeros((rows, columns), dtype=bool)
    valid[row[usable], security[usable]] = True
    return MarketPanel(tickers, returns, benchmark_returns, dates, valid)


def draw_samples(panel: MarketPanel, samples: int, n: int, clustered: bool, rng: np.random.Generator) -> np.ndarray:
    """Draw ``samples`` samples of ``n`` distinct securities with random valid day-0 rows.

    Returns
    -------
    ndarray of int, shape (samples, n, 2)
        Security column and day-0 row of each pair.
    """
    drawn = np.empty((samples, n, 2), dtype=int)
    if clustered:
        rows = np.flatnonzero(panel.valid.sum(axis=1) >= n)
        if rows.size == 0:
            raise ValueError(f"no event-free session has {n} securities with data; lower --n")
        for k in range(samples):
            row = rng.choice(rows)
            drawn[k, :, 0] = rng.choice(np.flatnonzero(panel.valid[row]), n, replace=False)
            drawn[k, :, 1] = row
        return drawn
    securities = np.flatnonzero(panel.valid.any(axis=0))
    if securities.size < n:
        raise ValueError(f"only {securities.size} securities have data; lower --n")
    for k in range(samples):
        drawn[k, :, 0] = rng.choice(securities, n, replace=False)
        drawn[k, :, 1] = [rng.choice(np.flatnonzero(panel.valid[:, column])) for column in drawn[k, :, 0]]
    return drawn


def samples_of(panel: MarketPanel, drawn: np.ndarray, window: int, inject: float) -> list[Sample]:
    """One :class:`Sample` per drawn sample for event window ``WINDOWS[window]``, with ``inject`` added on day 0.

    Parameters
    ----------
    panel
        The returns.
    drawn : ndarray of int, shape (samples, n, 2)
        Security column and day-0 row of each pair (see :func:`draw_samples`).
    window
        Index into ``WINDOWS``.
    inject
        Abnormal return added to every pair's day-0 AR (and so to its CAR).

    Returns
    -------
    list of Sample
    """
    samples, n, _ = drawn.shape
    security, row = drawn[..., 0].ravel(), drawn[..., 1].ravel()
    arrays = fit(panel.returns, panel.market, security, row)
    tau1, tau2 = WINDOWS[window]
    span = slice(tau1 - PATH_WINDOW[0], tau2 - PATH_WINDOW[0] + 1)
    event_ar = arrays.ar[:, span].copy()
    event_ar[:, -tau1] += inject
    estimation_rows = row[:, np.newaxis] + np.arange(ESTIMATION_WINDOW[0], ESTIMATION_WINDOW[1] + 1)
    estimation_dates = panel.dates[estimation_rows]
    event_dates = panel.dates[arrays.rows[:, span]]
    assert arrays.estimation_residuals is not None
    return [
        Sample(
            car=arrays.car[members, window] + inject,
            car_variance=arrays.car_variance[members, window],
            event_ar=event_ar[members],
            estimation_ar=arrays.estimation_residuals[members],
            estimation_dates=estimation_dates[members],
            event_dates=event_dates[members],
            dof=arrays.fit.dof[members],
            sigma=arrays.fit.sigma[members],
        )
        for members in np.arange(samples * n).reshape(samples, n)
    ]


def rejection_rates(
    panel: MarketPanel, drawn: np.ndarray, injections: list[float], level: float, replications: int, seed: int
) -> pd.DataFrame:
    """Share of samples each test rejects at ``level``, per window and injected return.

    Returns
    -------
    DataFrame
        Index: the tests of :data:`eventstudy.statistics.TESTS`; columns (window, injected return).
    """
    columns = {}
    for window, (tau1, tau2) in enumerate(WINDOWS):
        for inject in injections:
            p_values = [
                run_tests(sample, rng=np.random.default_rng([seed, k]), replications=replications)["p_value"]
                for k, sample in enumerate(samples_of(panel, drawn, window, inject))
            ]
            columns[(f"({tau1:+d},{tau2:+d})", f"{inject:+.0%}")] = (np.array(p_values) < level).mean(axis=0)
    table = pd.DataFrame(columns, index=list(TESTS))
    table.columns.names = ["window", "injected"]
    return table


def mean_correlation(panel: MarketPanel, drawn: np.ndarray) -> float:
    """Average over samples of the Kolari-Pynnönen mean residual correlation ``r`` (window (0, 0))."""
    return float(
        np.nanmean(
            [
                mean_pairwise_correlation(sample.estimation_ar, sample.estimation_dates, event_dates=sample.event_dates)
                for sample in samples_of(panel, drawn, 0, 0.0)
            ]
        )
    )


def main(argv: list[str] | None = None) -> int:
    """Print the size and power tables and the Kolari-Pynnönen check.

    Parameters
    ----------
    argv
        Command-line arguments (``--help`` lists them); ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        Exit status, 0.
    """
    parser = argparse.ArgumentParser(description="Size and power of the event-study tests on real returns.")
    parser.add_argument("--market", choices=sorted(CALENDARS), default="us", help="universe to draw from (default us)")
    parser.add_argument("--n", type=int, default=20, help="securities per sample (default 20)")
    parser.add_argument("--samples", type=int, default=250, help="samples per design (default 250)")
    parser.add_argument("--inject", type=float, nargs="*", default=[0.01, -0.05], help="day-0 ARs for power")
    parser.add_argument("--level", type=float, default=0.05, help="nominal level (default 0.05)")
    parser.add_argument("--replications", type=int, default=199, help="wild-bootstrap replications (default 199)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--events", default=str(REPO / "events.csv"), help="events whose dates are not drawn")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    panel = load_market(args.market, args.events)
    injections = [0.0, *args.inject]
    print(
        f"Size and power at {args.level:.0%}: {args.samples} samples of N = {args.n} securities of the "
        f"{args.market.upper()} universe ({len(panel.tickers)} securities, {panel.dates.size} sessions "
        f"{panel.dates[0]}..{panel.dates[-1]}, {int(panel.valid.any(axis=1).sum())} event-free day-0 sessions), "
        f"market model, estimation {ESTIMATION_WINDOW}, seed {args.seed}, {args.replications} bootstrap replications"
    )
    rng = np.random.default_rng(args.seed)
    tables = {}
    for design in ("clustered", "non-clustered"):
        drawn = draw_samples(panel, args.samples, args.n, design == "clustered", rng)
        tables[design] = rejection_rates(panel, drawn, injections, args.level, args.replications, args.seed)
        r = mean_correlation(panel, drawn)
        date_rule = "one random date per sample" if design == "clustered" else "one random date per security"
        print(f"\n{design} event dates ({date_rule}); mean residual cross-correlation r = {r:.3f}")
        print("rejection rate (injected 0: size; otherwise power)")
        print(tables[design].to_string(float_format=lambda value: f"{value:6.1%}"))

    print(f"\nKolari-Pynnönen check, clustered dates, nothing injected (nominal {args.level:.0%}):")
    for window in tables["clustered"].columns.get_level_values("window").unique():
        size = tables["clustered"][(window, f"{0.0:+.0%}")]
        unclustered = tables["non-clustered"][(window, f"{0.0:+.0%}")]
        for plain, adjusted in KOLARI_PYNNONEN_PAIRS:
            print(
                f"  {window} {plain} {size[plain]:.1%} ({size[plain] / args.level:.1f}x nominal) vs "
                f"{adjusted} {size[adjusted]:.1%} ({size[adjusted] / args.level:.1f}x); "
                f"non-clustered: {unclustered[plain]:.1%} vs {unclustered[adjusted]:.1%}"
            )
    print(f"\nelapsed {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
