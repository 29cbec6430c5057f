"""The cross-sectional regressions of a study: the CAR of every event window on the characteristics of the
securities, per event and pooled across events (:mod:`eventstudy.statistics.cross_section`).

Every estimable pair has the characteristics (:func:`characteristics`):

``group``
    its universe group (chips, software, model makers... of one market);
``market``
    the trading calendar of its exchange (``XNYS`` for NYSE and Nasdaq, ``XHKG`` for Hong Kong);
``beta``
    the pre-event market beta of its estimation-window fit (NaN for a pair fitted by the market-adjusted
    short-history fallback, whose beta of 1 is imposed, not estimated);
``runup``
    the pre-event run-up, its buy-and-hold raw return over days :data:`RUNUP_WINDOW` (before the AR path, so that
    it does not overlap the CAR): the ratio of the adjusted closes of day ``-11`` and day ``-31``, which a session
    without a price in between does not change (NaN when either close is missing);
``event_id``, ``event_date``, ``ticker``
    the event, the date of its news (the cluster of the pooled regressions) and the security;

and the columns of the user's characteristics (``StudySpec.characteristics``), matched by ticker. Baskets are left
out (a basket and its members are the same money). The pooled regression counts a security once per day 0, as the
tests' samples across events do, and clusters its errors by event date; a regression of one event has HC3 errors
only (one date is one cluster).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.analyses.inputs import AnalysisInputs
from eventstudy.baskets import BASKETS_GROUP
from eventstudy.columns import ALL_EVENTS
from eventstudy.engine.activity import pair_sessions
from eventstudy.spec import window_label
from eventstudy.statistics.cross_section import Regression, coefficient_table, design_matrix, ols

__all__ = ["RUNUP_WINDOW", "characteristics", "cross_section_tables"]

#: Days (relative to day 0) of the pre-event run-up: the 20 sessions before the default AR path.
RUNUP_WINDOW = (-30, -11)


def characteristics(inputs: AnalysisInputs) -> pd.DataFrame:
    """The characteristics of every pair (one row per pair, in the order of the pairs; see the module docstring)."""
    spec, plan, pairs = inputs.spec, inputs.prepared.plan, inputs.pairs
    ends = pair_sessions(plan, np.array([RUNUP_WINDOW[0] - 1, RUNUP_WINDOW[1]]))
    tickers = np.repeat(plan.tickers, 2).reshape(ends.shape)
    closes = inputs.closes.on(tickers.ravel(), ends.ravel()).reshape(ends.shape)
    dates = {event.id: str(event.date) for event in spec.events}
    frame = pd.DataFrame(
        {
            "ticker": pairs["ticker"].to_numpy(),
            "event_id": pairs["event_id"].to_numpy(),
            "event_date": [dates[event_id] for event_id in pairs["event_id"]],
            "group": pairs["group"].to_numpy(),
            "market": plan.calendar,
            "beta": np.where(pairs["model_used"] == "market-adjusted", np.nan, pairs["beta"].to_numpy(float)),
            "runup": closes[:, 1] / closes[:, 0] - 1,
        }
    )
    if spec.characteristics is None:
        return frame
    return frame.merge(spec.characteristics.frame, on="ticker", how="left", validate="many_to_one")


def cross_section_tables(inputs: AnalysisInputs) -> dict[str, pd.DataFrame]:
    """The ``cross_section`` table: per event window, one regression per event and one pooled over all events."""
    spec, computed, pairs = inputs.spec, inputs.computed, inputs.pairs
    frame = characteristics(inputs)
    design = design_matrix(frame, spec.formula)
    eligible = computed.estimable & (pairs["group"].to_numpy() != BASKETS_GROUP)
    once = ~pairs.duplicated(subset=["ticker", "day_zero"]).to_numpy()
    event_ids = pairs["event_id"].to_numpy()
    events = list(dict.fromkeys(event_ids[eligible].tolist()))
    clusters = frame["event_date"].to_numpy(dtype=object)
    regressions: list[Regression] = []
    labels: list[tuple[str, str, tuple[int, int]]] = []
    # Events whose pairs are the same securities on the same day 0 have the same regression (unless the formula
    # reads the event itself): it is computed once.
    tickers, days = pairs["ticker"].to_numpy(dtype=object), inputs.prepared.plan.day_zero
    pairs_of = {}
    for event_id in events:
        rows = eligible & (event_ids == event_id)
        pairs_of[event_id] = (*tickers[rows].tolist(), *days[rows].tolist())
    shared = "event_id" not in spec.formula and "event_date" not in spec.formula
    for position, window in enumerate(spec.event_windows):
        car = np.where(computed.estimable, computed.arrays.car[:, position], np.nan)
        done: dict[tuple[object, ...], Regression] = {}
        for event_id in events:
            key = pairs_of[event_id] if shared else (event_id,)
            if key not in done:
                done[key] = ols(car, design, eligible & (event_ids == event_id))
            regressions.append(done[key])
            labels.append(("event", event_id, window))
        regressions.append(ols(car, design, eligible & once, clusters))
        labels.append(("all events", ALL_EVENTS, window))
    table = coefficient_table(regressions)
    which = table["regression"].to_numpy()

    def per_row(values: list[object], dtype: type = object) -> np.ndarray:
        return np.asarray(values, dtype=dtype)[which]

    columns = {name: table[name].to_numpy() for name in table.columns if name != "regression"}
    return {
        "cross_section": pd.DataFrame(
            {
                **columns,
                "scope": per_row([scope for scope, _, _ in labels]),
                "event_id": per_row([event_id for _, event_id, _ in labels]),
                "window": per_row([window_label(window) for _, _, window in labels]),
                "tau1": per_row([window[0] for _, _, window in labels], int),
                "tau2": per_row([window[1] for _, _, window in labels], int),
                "formula": spec.formula,
                "n": per_row([regression.n for regression in regressions], int),
                "dropped": per_row([regression.dropped for regression in regressions], int),
                "clusters": per_row([np.nan if r.clusters is None else r.clusters for r in regressions], float),
                "r2": per_row([regression.r_squared for regression in regressions], float),
                "adj_r2": per_row([regression.adj_r_squared for regression in regressions], float),
                "note": per_row([regression.note for regression in regressions]),
            }
        )
    }
