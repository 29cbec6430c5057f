"""How loud: abnormal trading volume and abnormal volatility of every pair and sample, in every event window.

Abnormal volume (:mod:`eventstudy.statistics.volume`, Campbell & Wasley 1996): a market model of log volume on
the estimation window (the benchmark's log volume; where the benchmark has none, the other securities of the same
market), the cumulative abnormal log volume (CAV) of each window with its t test, and per sample the
:data:`~eventstudy.statistics.volume.VOLUME_TESTS` and the rank test. A stale day (zero volume, unchanged close) and
a day without a volume figure are not observations, in the estimation window as in the event window; listing days
are left out of the estimation window as they are for returns. A basket has no volume.

Abnormal volatility (:mod:`eventstudy.statistics.volatility`), two measures:

``ar_squared``
    the mean over the window of ``AR_t^2 / Var(AR_t)`` (the study's model and its prediction-error variance),
    F-tested per pair; per sample the skewness-adjusted t of the mean ratio against 1 (which takes the pairs as
    independent; a rank test would need every pair's estimation residuals, which the engine does not keep beyond
    its chunk, and ranking them there costs more than this analysis may);
``range``
    the window's mean Parkinson (1980) variance from the daily high and low over the estimation window's, SQ-tested
    per pair; per sample the same t and the rank test of the daily ranges over the estimation window and the AR
    path, robust to the cross-correlation of pairs that share an event date. A basket has no high and low.

A pair needs at least ``fallback_floor`` estimation days with the measure (the study's floor for a short history).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.analyses.inputs import AnalysisInputs
from eventstudy.analyses.samples import stacked, test_rows
from eventstudy.baskets import BASKETS_GROUP
from eventstudy.engine.activity import window_days
from eventstudy.spec import window_label
from eventstudy.statistics import TESTS, Outcomes, sample_tests, window_samples
from eventstudy.statistics.base import student_p
from eventstudy.statistics.ranks import RANK_DISTRIBUTION, rank_partials, rank_test
from eventstudy.statistics.volatility import (
    mean_ratio_tests,
    parkinson_variance,
    range_volatility_ratio,
    variance_ratio,
)
from eventstudy.statistics.volume import VOLUME_TESTS, abnormal_volume, log_volume, sample_market_log_volume

__all__ = ["VOLATILITY_MEASURES", "volatility_tables", "volume_tables"]

#: The measures of the ``volatility`` tables.
VOLATILITY_MEASURES = ("ar_squared", "range")

_VOLUME_ABOUT = {
    "crude_dependence_t": ("mean CAV = 0", TESTS["crude_dependence_t"].distribution),
    "bmp_t": ("mean standardized CAV = 0", TESTS["bmp_t"].distribution),
    "corrado_rank": ("the window's abnormal volumes rank like any other day's", RANK_DISTRIBUTION),
}
_VOLATILITY_ABOUT = {
    "mean_ratio_t": ("mean volatility ratio = 1", "Student t, N - 1 df (skewness-adjusted, Lyon, Barber & Tsai 1999)"),
    "corrado_rank": ("the window's daily volatility ranks like any other day's", RANK_DISTRIBUTION),
}


def _window_labels(window: tuple[int, int]) -> dict[str, object]:
    return {"window": window_label(window), "tau1": window[0], "tau2": window[1]}


def _short(counts: np.ndarray, floor: int, what: str) -> np.ndarray:
    """The reason of the pairs with fewer than ``floor`` estimation days with ``what``."""
    return np.array(
        [f"{count} estimation days with {what}, at least {floor} needed" for count in counts.tolist()], dtype=object
    )


def _market_log_volume(inputs: AnalysisInputs, days: np.ndarray, own: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log volume of each pair's market on ``days``: its benchmark's, or where the benchmark has none in the whole
    span, the centred mean of the other securities of its market (``own``: the pairs' log volumes on ``days``);
    and which pairs use the other securities."""
    volumes = {calendar: activity.market_volume for calendar, activity in inputs.activity.items()}
    market = log_volume(inputs.places.gather(volumes, days))
    without = ~np.isfinite(market).any(axis=1)
    if without.any():
        plan = inputs.prepared.plan
        others = sample_market_log_volume(own, inputs.dates(days), plan.tickers, plan.calendar)
        market[without] = others[without]
    return market, without


def volume_tables(inputs: AnalysisInputs) -> dict[str, pd.DataFrame]:
    """The ``volume`` (pair and window) and ``volume_tests`` (sample, window and test) tables."""
    spec, places, layout = inputs.spec, inputs.places, inputs.layout
    estimation, path = inputs.estimation_days(), inputs.path_days()
    days = np.concatenate([estimation, path])
    volumes = {calendar: activity.volume for calendar, activity in inputs.activity.items()}
    own = log_volume(places.gather(volumes, days), stale=inputs.stale)
    usable = inputs.usable_estimation
    own[:, : estimation.size] = np.where(usable, own[:, : estimation.size], np.nan)
    market, from_others = _market_log_volume(inputs, days, own)
    counts = (np.isfinite(own[:, : estimation.size]) & np.isfinite(market[:, : estimation.size])).sum(axis=1)
    enough = counts >= spec.fallback_floor
    own[~enough] = np.nan
    split = estimation.size
    fit = abnormal_volume(own[:, :split], market[:, :split], own[:, split:], market[:, split:], event_start=path[0])
    basket = inputs.pairs["group"].to_numpy() == BASKETS_GROUP
    traded = np.isfinite(own).any(axis=1) | ~enough
    cause = np.select(
        [basket, ~traded, ~enough, ~np.isfinite(fit.slope)],
        [
            "a basket has no trading volume",
            "no trading volume in the security's prices",
            _short(counts, spec.fallback_floor, "a trading volume (and one of its market)"),
            "the market's log volume does not vary over the estimation window",
        ],
        "",
    ).astype(object)
    extension = inputs.prepared.plan.extension
    reach = int(extension.max(initial=0))
    masks = [window_days(path, window, extension) for window in spec.event_windows]
    ranks = rank_partials(layout.members, fit.estimation_av, fit.event_av, masks)
    estimation_dates, path_dates = inputs.dates(estimation), inputs.computed.path_dates
    pair_tables, test_tables = [], []
    for position, window in enumerate(spec.event_windows):
        cav, variance, observed = fit.cumulative(window, extension)
        length = window[1] - window[0] + 1 + extension
        with np.errstate(invalid="ignore", divide="ignore"):
            t = cav / np.sqrt(variance)
        reason = np.where((cause == "") & (observed == 0), "no day of the window has a trading volume", cause)
        pair_tables.append(
            {
                **inputs.keys,
                **_window_labels(window),
                "cav": cav,
                "cav_se": np.sqrt(variance),
                "t": t,
                "df": fit.dof,
                "p_value": student_p(t, fit.dof),
                "days": observed,
                "missing_days": length - observed,
                "volume_beta": fit.slope,
                "sigma": np.sqrt(fit.sigma2),
                "observations": fit.observations,
                "market_volume": np.where(from_others, "other securities of its market", "benchmark"),
                "reason": reason,
            }
        )
        members = layout.members.restricted(np.isfinite(cav))
        span = slice(window[0] - path[0], window[1] + reach - path[0] + 1)
        data = window_samples(
            members,
            cav,
            variance,
            fit.dof,
            np.sqrt(fit.sigma2),
            np.where(masks[position], fit.event_av, np.nan)[:, span],
            fit.estimation_av,
            estimation_dates,
            path_dates[:, span],
            window_days=length,
            tests=VOLUME_TESTS,
        )
        outcomes: dict[str, Outcomes] = sample_tests(data, VOLUME_TESTS)
        in_window = np.asarray(np.isfinite(np.where(masks[position], fit.event_av, np.nan)).any(axis=1))
        window_members = layout.members.restricted(in_window)
        outcomes["corrado_rank"] = rank_test(window_members.counts(), *ranks[position], estimation.size)
        present = np.flatnonzero(members.counts() > 0)
        test_tables.append(
            test_rows(layout, outcomes, present, members.means(cav), _VOLUME_ABOUT, _window_labels(window))
        )
    return {
        "volume": stacked(pair_tables),
        "volume_tests": stacked(test_tables),
    }


def _range_ratio(estimation: np.ndarray, event: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, ...]:
    """:func:`range_volatility_ratio` of pairs whose windows differ in length (an event known to a span)."""
    if np.all(length == length[0]):
        result = range_volatility_ratio(estimation, event[:, : length[0]])
        return result.ratio, result.p_value, result.event_days
    ratio, p_value = np.full(length.size, np.nan), np.full(length.size, np.nan)
    days = np.zeros(length.size, dtype=int)
    for size in np.unique(length):
        rows = np.flatnonzero(length == size)
        result = range_volatility_ratio(estimation[rows], event[rows, :size])
        ratio[rows], p_value[rows], days[rows] = result.ratio, result.p_value, result.event_days
    return ratio, p_value, days


def volatility_tables(inputs: AnalysisInputs) -> dict[str, pd.DataFrame]:
    """The ``volatility`` (pair, measure and window) and ``volatility_tests`` (sample, measure, window and test)
    tables."""
    spec, places, layout, computed = inputs.spec, inputs.places, inputs.layout, inputs.computed
    arrays, estimable = computed.arrays, computed.estimable
    estimation, path = inputs.estimation_days(), inputs.path_days()
    days = np.concatenate([estimation, path])
    highs = {calendar: activity.high for calendar, activity in inputs.activity.items()}
    lows = {calendar: activity.low for calendar, activity in inputs.activity.items()}
    ranges = parkinson_variance(places.gather(highs, days), places.gather(lows, days), stale=inputs.stale)
    usable = inputs.usable_estimation
    split = estimation.size
    range_estimation = np.where(usable, ranges[:, :split], np.nan)
    counts = np.isfinite(range_estimation).sum(axis=1)
    enough = counts >= spec.fallback_floor
    range_estimation[~enough] = np.nan
    range_path = np.where(enough[:, np.newaxis], ranges[:, split:], np.nan)
    basket = inputs.pairs["group"].to_numpy() == BASKETS_GROUP
    range_cause = np.select(
        [basket, ~np.isfinite(ranges).any(axis=1), ~enough],
        [
            "a basket has no daily high and low",
            "no daily high and low in the security's prices",
            _short(counts, spec.fallback_floor, "a daily high and low"),
        ],
        "",
    ).astype(object)
    ar_cause = np.where(estimable, "", "the pair's model could not be estimated (see pairs.reason)").astype(object)
    extension = inputs.prepared.plan.extension
    masks = [window_days(path, window, extension) for window in spec.event_windows]
    range_ranks = rank_partials(layout.members, range_estimation, range_path, masks)
    pair_tables, test_tables = [], []
    for position, window in enumerate(spec.event_windows):
        mask = masks[position]
        length = window[1] - window[0] + 1 + extension
        labels = _window_labels(window)
        window_ar = np.where(mask & estimable[:, np.newaxis], arrays.ar, np.nan)
        squared = variance_ratio(window_ar, arrays.ar_variance, arrays.fit.dof)
        shifted = np.where(mask, range_path, np.nan)
        # Each pair's window days first, in order, for the SQ test's sums of consecutive days.
        ordered = np.take_along_axis(shifted, np.argsort(~mask, axis=1, kind="stable"), axis=1)
        ratio, sq_p, range_days = _range_ratio(range_estimation, ordered, length)
        measures = {
            "ar_squared": (squared.ratio, squared.p_value, squared.days, ar_cause),
            "range": (ratio, sq_p, range_days, range_cause),
        }
        for measure, (values, p_value, observed, cause) in measures.items():
            reason = np.where((cause == "") & (observed == 0), "no day of the window has the measure", cause)
            pair_tables.append(
                {
                    **inputs.keys,
                    "measure": measure,
                    **labels,
                    "ratio": values,
                    "p_value": p_value,
                    "days": observed,
                    "missing_days": length - observed,
                    "reason": reason,
                }
            )
        for measure, (values, _, _, _) in measures.items():
            members = layout.members.restricted(np.isfinite(values))
            outcomes = {"mean_ratio_t": mean_ratio_tests(members, values)}
            present = members.counts() > 0
            if measure == "range":
                ranked = layout.members.restricted(np.asarray(np.isfinite(shifted).any(axis=1)))
                outcomes["corrado_rank"] = rank_test(ranked.counts(), *range_ranks[position], split)
                present |= ranked.counts() > 0
            test_tables.append(
                test_rows(
                    layout,
                    outcomes,
                    np.flatnonzero(present),
                    members.means(values),
                    _VOLATILITY_ABOUT,
                    {"measure": measure, **labels},
                )
            )
    return {
        "volatility": stacked(pair_tables),
        "volatility_tests": stacked(test_tables),
    }
