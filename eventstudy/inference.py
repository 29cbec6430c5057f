"""Inference for a computed study: the tests of every pair and of every sample, and multiple testing.

This is the statistics step of the pipeline. It reads the arrays of :class:`~eventstudy.engine.Computation` and runs
the functions of :mod:`eventstudy.statistics` on them:

* per pair and event window: the t test of the CAR with the model's degrees of freedom, the SQ test and a
  confidence interval (the ``car`` table);
* per sample and window, a sample being the estimable pairs of one event and one group (or all groups), or of one
  group across all events (a security counted once per day 0): every sample test, the placebo test for single
  events, and the CAAR with its cross-sectional confidence interval (the ``tests`` and ``caar`` tables);
* Benjamini-Hochberg q-values over all CAR tests, and over all sample tests, of the run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from eventstudy.baskets import BASKETS_GROUP
from eventstudy.columns import ALL_EVENTS, ALL_GROUPS, COLUMNS
from eventstudy.engine import Computation, ComputedPairs
from eventstudy.spec import window_label
from eventstudy.statistics import Sample, benjamini_hochberg, pair_statistics, placebo_test, run_tests

__all__ = ["Inference", "infer"]


@dataclass(frozen=True)
class Inference:
    """The tidy tables of the tests of a study (columns documented in :data:`eventstudy.columns.COLUMNS`)."""

    car: pd.DataFrame
    tests: pd.DataFrame
    caar: pd.DataFrame


def _sample(computed: ComputedPairs, keys: pd.DataFrame, mask: np.ndarray, span: slice, window: int) -> Sample:
    arrays, fit = computed.arrays, computed.arrays.fit
    residuals = arrays.estimation_residuals
    assert residuals is not None  # the engine keeps them for the pairs of a study
    return Sample(
        car=arrays.car[mask, window],
        car_variance=arrays.car_variance[mask, window],
        event_ar=arrays.ar[mask, span],
        estimation_ar=residuals[mask],
        estimation_dates=computed.estimation_dates[mask],
        event_dates=computed.path_dates[mask, span],
        dof=fit.dof[mask],
        sigma=fit.sigma[mask],
        event_id=keys["event_id"].to_numpy()[mask],
        security_id=keys["ticker"].to_numpy()[mask],
    )


def _caar_row(car: np.ndarray) -> dict[str, float]:
    n = car.size
    caar = float(car.mean()) if n else np.nan
    se = float(car.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    half = float(stats.t.ppf(0.975, n - 1) * se) if n > 1 else np.nan
    return {"n": n, "caar": caar, "se": se, "ci_low": caar - half, "ci_high": caar + half}


def infer(computation: Computation, pairs: pd.DataFrame) -> Inference:
    """The tests of every pair and sample of a computed study (``pairs``: its pairs table, for the labels)."""
    spec, computed = computation.spec, computation.pairs
    if computed is None:
        return Inference(*(pd.DataFrame(columns=list(COLUMNS[name])) for name in ("car", "tests", "caar")))
    arrays, fallback, estimable = computed.arrays, computed.fallback, computed.estimable
    keys = pairs[["event_id", "ticker", "group", "day_zero", "model_used", "fallback_reason"]]
    days = arrays.offsets
    rng = np.random.default_rng(spec.seed)
    first_of_day = ~keys.duplicated(subset=["ticker", "day_zero"]).to_numpy()
    car_tables, test_tables, caar_rows = [], [], []
    groups = list(dict.fromkeys(keys["group"]))
    for position, window in enumerate(spec.event_windows):
        label = window_label(window)
        span = slice(window[0] - days[0], window[1] - days[0] + 1)
        per_pair = pair_statistics(_sample(computed, keys, estimable, span, position))
        half = stats.t.ppf(0.975, per_pair["df"].to_numpy()) * per_pair["car_se"].to_numpy()
        car_tables.append(
            keys.loc[estimable, ["event_id", "ticker", "group", "model_used", "fallback_reason"]]
            .reset_index(drop=True)
            .assign(window=label, tau1=window[0], tau2=window[1])
            .join(per_pair.drop(columns=["event_id", "security_id"]))
            .assign(
                ci_low=per_pair["car"] - half,
                ci_high=per_pair["car"] + half,
                missing_days=arrays.window_missing[estimable, position].astype(int),
            )
        )
        usable = estimable & np.isfinite(arrays.car[:, position])
        scopes = [
            ("event", event_id, keys["event_id"].to_numpy() == event_id) for event_id in keys["event_id"].unique()
        ]
        # Across events, a security is one observation per day 0: events that share a day 0 are the same returns.
        scopes.append(("all events", ALL_EVENTS, first_of_day))
        for scope, event_id, in_scope in scopes:
            for group in [*groups, ALL_GROUPS]:
                # A basket and its members are the same money: "all securities" counts the members only.
                everything = keys["group"].to_numpy() != BASKETS_GROUP
                in_group = in_scope & (keys["group"].to_numpy() == group if group != ALL_GROUPS else everything)
                mask = usable & in_group
                if not mask.any():
                    continue
                sample = _sample(computed, keys, mask, span, position)
                label_columns = {"scope": scope, "event_id": event_id, "group": group, "window": label}
                caar_row = _caar_row(sample.car) | {"n_fallback": int(fallback[mask].sum())}
                caar_rows.append(label_columns | caar_row)
                table = run_tests(sample, list(spec.tests), rng, replications=spec.bootstrap_replications)
                if computation.placebo and scope == "event":  # one pseudo date stands for one event date
                    assert sample.security_id is not None
                    extra = placebo_test(caar_row["caar"], sample.security_id, computation.placebo, position)
                    table = pd.concat([table, pd.DataFrame([extra])], ignore_index=True)
                test_tables.append(table.assign(**label_columns))

    car_table = pd.concat(car_tables, ignore_index=True)
    car_table["q_value"] = benjamini_hochberg(car_table["p_value"].to_numpy(dtype=float))
    tests = pd.concat(test_tables, ignore_index=True) if test_tables else pd.DataFrame(columns=list(COLUMNS["tests"]))
    tests["q_value"] = benjamini_hochberg(tests["p_value"].to_numpy(dtype=float))
    return Inference(
        car=car_table[list(COLUMNS["car"])],
        tests=tests[list(COLUMNS["tests"])],
        caar=pd.DataFrame(caar_rows, columns=list(COLUMNS["caar"])),
    )
