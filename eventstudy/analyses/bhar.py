"""How lasting: buy-and-hold abnormal returns over the study's long windows (``StudySpec.bhar_windows``), per pair
and per sample, with the Lyon, Barber & Tsai (1999) tests (:mod:`eventstudy.statistics.bhar`).

A pair's window ``(tau1, tau2)`` runs from session ``tau1`` to session ``tau2`` after day 0 on its exchange's
calendar (to ``tau2`` after the last possible day 0 for an event known only to a span). Buying at the close before
the window and holding to its last close returns ``P(tau2) / P(tau1 - 1) - 1`` for a security and its benchmark
(adjusted closes: dividends and splits included, and a session without a price inside the window changes nothing);
a basket, rebalanced to equal weights every day, compounds its daily returns, so it needs every one of them. The
prices are those the study read, loaded to the end of the longest window. A window that ends after the last price,
starts before the first, or lacks a close it needs has no BHAR, and its ``reason`` says which: a window is never
shortened. The bootstrap draws from a generator seeded by the study's ``seed`` (stream :data:`BOOTSTRAP_STREAM`),
window after window and sample after sample.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.analyses.inputs import AnalysisInputs
from eventstudy.analyses.samples import stacked, test_rows
from eventstudy.baskets import BASKETS_GROUP
from eventstudy.engine.activity import pair_sessions
from eventstudy.spec import window_label
from eventstudy.statistics.bhar import BHAR_TESTS, bhar_tests, compound_return

__all__ = ["BOOTSTRAP_STREAM", "bhar_tables"]

#: The BHAR bootstrap's generator is ``numpy.random.default_rng((seed, BOOTSTRAP_STREAM))``: reproducible for a
#: study's seed, and not the stream of the CAR tests' wild bootstrap.
BOOTSTRAP_STREAM = 17


def _held(
    inputs: AnalysisInputs, tickers: np.ndarray, start: np.ndarray, end: np.ndarray, role: str
) -> tuple[np.ndarray, np.ndarray]:
    """Buy-and-hold return of each ticker from the close of ``start`` to the close of ``end``, and why there is
    none (empty when there is one)."""
    first_close, last_close = inputs.closes.on(np.tile(tickers, 2), np.concatenate([start, end])).reshape(2, -1)
    reasons = np.full(tickers.size, "", dtype=object)
    for pair in np.flatnonzero(~(np.isfinite(first_close) & np.isfinite(last_close))):
        ticker, opened, closed = str(tickers[pair]), start[pair], end[pair]
        span = inputs.closes.span(ticker)
        if np.isnat(opened) or np.isnat(closed):
            reasons[pair] = "the window leaves the span of the exchange calendar"
        elif span is not None and closed > span[1]:
            reasons[pair] = f"the window ends on {closed}, after the last price of {role}{ticker} ({span[1]})"
        elif span is not None and opened < span[0]:
            reasons[pair] = f"the window starts after {opened}, before the first price of {role}{ticker} ({span[0]})"
        else:
            missing = opened if not np.isfinite(first_close[pair]) else closed
            reasons[pair] = f"no price of {role}{ticker} on {missing}"
    with np.errstate(invalid="ignore"):
        return last_close / first_close - 1, reasons


def _compounded(
    inputs: AnalysisInputs, positions: np.ndarray, dates: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The compounded daily returns of the baskets of ``positions`` over their sessions ``dates`` (NaT: not in the
    window) ending on ``ends`` (NaT: beyond the calendar), and why there is none."""
    plan = inputs.prepared.plan
    inside = ~np.isnat(dates)
    values = np.full(dates.shape, np.nan)
    last = np.full(positions.size, np.datetime64("NaT"), dtype="datetime64[D]")
    for calendar in np.unique(plan.calendar[positions]):
        frame = inputs.prepared.returns.get(str(calendar), pd.DataFrame())
        if frame.empty:
            continue
        chosen = np.flatnonzero(plan.calendar[positions] == calendar)
        rows = frame.index.get_indexer(pd.DatetimeIndex(dates[chosen].ravel())).reshape(dates[chosen].shape)
        where = {ticker: column for column, ticker in enumerate(frame.columns)}
        columns = np.array([where.get(str(ticker), -1) for ticker in plan.tickers[positions[chosen]]])[:, np.newaxis]
        found = (rows >= 0) & (columns >= 0)
        returns = frame.to_numpy(dtype=float)
        if inputs.spec.return_kind == "log":
            returns = np.expm1(returns)
        gathered = np.full(rows.shape, np.nan)
        gathered[found] = returns[rows[found], np.broadcast_to(columns, rows.shape)[found]]
        values[chosen] = gathered
        last[chosen] = np.datetime64(frame.index[-1].date())
    complete = (np.isfinite(values) | ~inside).all(axis=1)
    held = np.where(complete, compound_return(np.where(inside, values, 0.0)), np.nan)
    reasons = np.full(positions.size, "", dtype=object)
    for index in np.flatnonzero(~complete):
        ticker, window_end = str(plan.tickers[positions[index]]), ends[index]
        if np.isnat(window_end):
            reasons[index] = "the window leaves the span of the exchange calendar"
        elif not np.isnat(last[index]) and window_end > last[index]:
            reasons[index] = f"the window ends on {window_end}, after the last price of its members ({last[index]})"
        else:
            gaps = int(np.sum(~np.isfinite(values[index]) & inside[index]))
            reasons[index] = f"{gaps} session(s) of the window without a return of {ticker}"
    return held, reasons


def bhar_tables(inputs: AnalysisInputs) -> dict[str, pd.DataFrame]:
    """The ``bhar`` (pair and window) and ``bhar_tests`` (sample, window and test) tables."""
    spec, layout, plan = inputs.spec, inputs.layout, inputs.prepared.plan
    rng = np.random.default_rng((spec.seed, BOOTSTRAP_STREAM))
    basket = inputs.pairs["group"].to_numpy() == BASKETS_GROUP
    baskets = np.flatnonzero(basket)
    pair_tables, test_tables = [], []
    for window in spec.bhar_windows:
        width = window[1] - window[0] + 1 + int(plan.extension.max(initial=0))
        sessions = pair_sessions(plan, window[0] - 1 + np.arange(width + 1))
        last = window[1] - window[0] + 1 + plan.extension
        start, end = sessions[:, 0], sessions[np.arange(len(plan)), last]
        own, reasons = _held(inputs, plan.tickers, start, end, "")
        inside = np.arange(1, width + 1)[np.newaxis, :] <= last[:, np.newaxis]
        window_sessions = np.where(inside, sessions[:, 1:], np.datetime64("NaT"))
        own[baskets], reasons[baskets] = _compounded(inputs, baskets, window_sessions[baskets], end[baskets])
        benchmark, benchmark_reasons = _held(inputs, plan.benchmark, start, end, "benchmark ")
        reasons = np.where(reasons == "", benchmark_reasons, reasons)
        bhar = own - benchmark
        labels = {"window": window_label(window), "tau1": window[0], "tau2": window[1]}
        pair_tables.append(
            {
                **inputs.keys,
                **labels,
                "start": pd.DatetimeIndex(sessions[:, 1]),
                "end": pd.DatetimeIndex(end),
                "days": last,
                "bhar": bhar,
                "buy_and_hold_return": own,
                "benchmark_return": benchmark,
                "reason": reasons,
            }
        )
        members = layout.members.restricted(np.isfinite(bhar))
        outcomes = bhar_tests(members, bhar, rng, replications=spec.bootstrap_replications)
        present = np.flatnonzero(members.counts() > 0)
        test_tables.append(test_rows(layout, outcomes, present, members.means(bhar), BHAR_TESTS, labels))
    return {"bhar": stacked(pair_tables), "bhar_tests": stacked(test_tables)}
