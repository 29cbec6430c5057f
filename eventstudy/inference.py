"""Inference for a computed study: the tests of every pair and of every sample, and multiple testing.

This is the statistics step of the pipeline (:mod:`eventstudy.pipeline`). :func:`chunk_statistics` fits a chunk of
pairs and summarizes its estimation residuals into what the tests need (SQ p-values, the residual summaries, the
additive sums of :class:`~eventstudy.statistics.WindowPartials`), so the residuals never outlive their chunk;
:func:`infer` then runs the functions of :mod:`eventstudy.statistics` for all pairs and all samples of an event
window at once:

* per pair and event window: the t test of the CAR with the model's degrees of freedom, the SQ test and a 95%
  confidence interval (the ``car`` table);
* per sample and window, a sample being the estimable pairs of one event and one group (or all groups), or of one
  group across all events (a security counted once per day 0: events sharing a day 0 are the same returns): every
  sample test, the placebo test for single events, and the CAAR with its cross-sectional confidence interval (the
  ``tests`` and ``caar`` tables);
* Benjamini-Hochberg q-values over all CAR tests, and over all sample tests, of the run.

Samples are numbered scope-major: every event in the order of the pairs, then "all events"; within a scope every
group in the order of the pairs, then "all securities". Tables list them in that order, and the wild bootstrap
draws from one generator (seeded by the study) sample after sample, window after window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.baskets import BASKETS_GROUP
from eventstudy.columns import ALL_EVENTS, ALL_GROUPS, COLUMNS
from eventstudy.engine import Computation, ComputedPairs, PairPlan, fit_chunk
from eventstudy.engine.panels import PanelSource
from eventstudy.spec import StudySpec, window_label
from eventstudy.statistics import (
    PLACEBO,
    TESTS,
    Membership,
    Outcomes,
    WindowPartials,
    WindowSamples,
    benjamini_hochberg,
    car_t_test,
    placebo_tests,
    sample_tests,
    sq_test,
)
from eventstudy.statistics.tests import (
    grank_partials,
    grank_scale,
    partials_for,
    residual_summary,
    scar,
    standardizable,
    window_partials,
)

__all__ = [
    "ChunkStatistics",
    "Inference",
    "SampleLayout",
    "StudyStatistics",
    "chunk_grank",
    "chunk_statistics",
    "grank_scales",
    "infer",
    "sample_layout",
]

_PLACEBO_NULL = "the CAAR is like the CAARs of the same securities on dates without events"
_PLACEBO_DISTRIBUTION = "placebo (pseudo-event dates)"


@dataclass(frozen=True)
class Inference:
    """The tidy tables of the tests of a study (columns documented in :data:`eventstudy.columns.COLUMNS`)."""

    car: pd.DataFrame
    tests: pd.DataFrame
    caar: pd.DataFrame


@dataclass(frozen=True)
class SampleLayout:
    """The samples of a study over its pairs: every pair's samples (``members``) and each sample's labels.

    Sample ``s`` has scope ``s // (G + 1)`` (an event, or the last: all events) and group ``s % (G + 1)`` (a
    universe group, or the last: all securities), G groups.
    """

    members: Membership
    scope: np.ndarray
    event_id: np.ndarray
    group: np.ndarray


def sample_layout(pairs: pd.DataFrame) -> SampleLayout:
    """The samples of the pairs of ``pairs`` (its ``event_id``, ``ticker``, ``group`` and ``day_zero`` columns).

    A pair is in the sample of its event and group; of its event and all securities unless it is a basket (a basket
    and its members are the same money); and, once per (security, day 0), in the samples of its group and of all
    securities across all events.
    """
    events, event = np.unique(pairs["event_id"].to_numpy(), return_inverse=True)
    groups, group = np.unique(pairs["group"].to_numpy(), return_inverse=True)
    # Numbered in order of first appearance among the pairs.
    event_rank = np.argsort(np.argsort([np.flatnonzero(event == k)[0] for k in range(events.size)]))
    group_rank = np.argsort(np.argsort([np.flatnonzero(group == k)[0] for k in range(groups.size)]))
    event, group = event_rank[event], group_rank[group]
    event_names = np.empty(events.size, dtype=object)
    event_names[event_rank] = events
    group_names = np.empty(groups.size, dtype=object)
    group_names[group_rank] = groups
    width = groups.size + 1
    everything = width - 1
    across = events.size
    basket = pairs["group"].to_numpy() == BASKETS_GROUP
    first_of_day = ~pairs.duplicated(subset=["ticker", "day_zero"]).to_numpy()
    ids = np.stack(
        [
            event * width + group,
            np.where(basket, -1, event * width + everything),
            np.where(first_of_day, across * width + group, -1),
            np.where(first_of_day & ~basket, across * width + everything, -1),
        ],
        axis=1,
    )
    size = (events.size + 1) * width
    scope_of = np.arange(size) // width
    group_of = np.arange(size) % width
    return SampleLayout(
        members=Membership(ids, size),
        scope=np.where(scope_of == across, "all events", "event").astype(object),
        event_id=np.append(event_names, ALL_EVENTS)[scope_of],
        group=np.append(group_names, ALL_GROUPS)[group_of],
    )


def _car_table(computation: Computation, pairs: pd.DataFrame, position: int, sq_p_value: np.ndarray) -> pd.DataFrame:
    """The CAR rows of one event window: every estimable pair's CAR, its tests and 95% interval."""
    from scipy import stats

    spec, computed = computation.spec, computation.pairs
    assert computed is not None
    arrays, estimable = computed.arrays, computed.estimable
    window = spec.event_windows[position]
    car, variance, dof = arrays.car[estimable, position], arrays.car_variance[estimable, position], arrays.fit.dof
    t, p = car_t_test(car, variance, dof[estimable])
    se = np.sqrt(np.where(variance >= 0, variance, np.nan))
    half = stats.t.ppf(0.975, dof[estimable]) * se
    return (
        pairs.loc[estimable, ["event_id", "ticker", "group", "model_used", "fallback_reason"]]
        .reset_index(drop=True)
        .assign(
            window=window_label(window),
            tau1=window[0],
            tau2=window[1],
            window_extension=pairs["window_extension"].to_numpy()[estimable],
            car=car,
            car_variance=variance,
            car_se=se,
            t=t,
            p_value=p,
            df=dof[estimable],
            sq_p_value=sq_p_value[estimable],
            ci_low=car - half,
            ci_high=car + half,
            missing_days=arrays.window_missing[estimable, position].astype(int),
        )
    )


def _caar_table(members: Membership, car: np.ndarray, fallback: np.ndarray) -> pd.DataFrame:
    """CAAR of every sample with its cross-sectional 95% interval (Student t, n - 1 df)."""
    from scipy import stats

    n, caar, spread = members.stds(car)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = spread / np.sqrt(n)
        half = stats.t.ppf(0.975, np.where(n > 1, n - 1, np.nan)) * se
    return pd.DataFrame(
        {
            "n": n,
            "n_fallback": members.sums(fallback.astype(float)).astype(int),
            "caar": caar,
            "se": se,
            "ci_low": caar - half,
            "ci_high": caar + half,
        }
    )


def _tests_rows(outcomes: dict[str, Outcomes], present: np.ndarray) -> pd.DataFrame:
    """The test rows of the present samples, sample after sample, each sample's tests in order."""
    names = list(outcomes)
    order = np.argsort(np.tile(present, len(names)), kind="stable")  # sample by sample, tests in order
    column = {
        key: np.concatenate([getattr(outcomes[name], key)[present] for name in names] or [np.array([])])[order]
        for key in ("statistic", "p_value", "n", "df", "note")
    }
    test = np.repeat(np.array(names, dtype=object), present.size)[order]
    sample = np.tile(present, len(names))[order]
    meta = {
        name: (TESTS[name].distribution, TESTS[name].null) if name in TESTS else (_PLACEBO_DISTRIBUTION, _PLACEBO_NULL)
        for name in names
    }
    return pd.DataFrame(
        {
            "sample": sample,
            "test": test,
            **{key: column[key] for key in ("statistic", "p_value", "n", "df")},
            "distribution": [meta[name][0] for name in test],
            "null": [meta[name][1] for name in test],
            "note": column["note"],
        }
    )


def _event_window(
    ar: np.ndarray, dates: np.ndarray, days: np.ndarray, window: tuple[int, int], extension: np.ndarray, reach: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each pair's ARs and dates over one event window, extended at its end by the pair's ``extension`` (a span), in
    columns up to ``reach`` sessions beyond the window's end (the study's longest extension); the columns beyond a
    pair's own window are NaN (NaT)."""
    span = slice(window[0] - days[0], window[1] + reach - days[0] + 1)
    outside = np.arange(span.stop - span.start)[np.newaxis, :] > (window[1] - window[0] + extension)[:, np.newaxis]
    return np.where(outside, np.nan, ar[:, span]), np.where(outside, np.datetime64("NaT"), dates[:, span])


@dataclass(frozen=True)
class ChunkStatistics:
    """What stays of a chunk of pairs once its residuals are summarized.

    Attributes
    ----------
    positions
        The chunk's pairs (positions among all pairs).
    pairs
        Their arrays, without residuals (:meth:`~eventstudy.engine.ComputedPairs.summary`).
    sq_p_value : ndarray, shape (P, W)
        The SQ test of each pair's CAR in each window.
    residual_days, positive_share : ndarray, shape (P,)
        Estimation residuals of each pair and the share of them that are positive.
    partials
        Per event window, the chunk's :class:`~eventstudy.statistics.WindowPartials`.
    """

    positions: np.ndarray
    pairs: ComputedPairs
    sq_p_value: np.ndarray
    residual_days: np.ndarray
    positive_share: np.ndarray
    partials: tuple[WindowPartials, ...]


def _window_inputs(
    computed: ComputedPairs, extension: np.ndarray, window: tuple[int, int], position: int, reach: int
) -> tuple[np.ndarray, ...]:
    """CAR, its variance, dof, sigma, event-window ARs and dates of one window, for :func:`window_partials`."""
    arrays = computed.arrays
    event_ar, event_dates = _event_window(arrays.ar, computed.path_dates, arrays.offsets, window, extension, reach)
    car, variance = arrays.car[:, position], arrays.car_variance[:, position]
    return car, variance, arrays.fit.dof, arrays.fit.sigma, event_ar, event_dates


def chunk_statistics(
    positions: np.ndarray,
    *,
    spec: StudySpec,
    panels: PanelSource,
    plan: PairPlan,
    ids: np.ndarray,
    size: int,
    reach: int,
    complete: bool,
) -> ChunkStatistics:
    """Fit the pairs at ``positions`` and summarize their residuals (the chunk function of the pipeline).

    ``ids`` and ``size`` are the samples of every pair (:func:`sample_layout`), ``reach`` the study's longest window
    extension. With ``complete`` (the chunk holds every pair) the GRANK sums are summed here; otherwise they wait for
    :func:`chunk_grank`, once every SCAR is known.
    """
    computed = fit_chunk(spec, panels, plan, positions)
    arrays = computed.arrays
    residuals = arrays.estimation_residuals
    assert residuals is not None and computed.estimation_dates is not None  # a chunk keeps them
    extension = plan.extension[positions]
    members = Membership(ids[positions], size)
    sq = np.full((positions.size, len(spec.event_windows)), np.nan)
    partials = []
    for position, window in enumerate(spec.event_windows):
        car, variance, dof, sigma, event_ar, event_dates = _window_inputs(computed, extension, window, position, reach)
        usable = members.restricted(computed.estimable & np.isfinite(car))
        scale = grank_scale(usable.restricted(standardizable(car, variance, sigma, dof)), scar(car, variance))
        partials.append(
            window_partials(
                usable,
                car,
                variance,
                dof,
                sigma,
                event_ar,
                residuals,
                computed.estimation_dates,
                event_dates,
                scale=scale if complete else None,
                parts=partials_for(spec.tests),
            )
        )
        for added in np.unique(extension):  # the SQ test's null sums span the pair's own window length
            rows = extension == added
            sq[rows, position] = sq_test(car[rows], residuals[rows], window[1] - window[0] + 1 + int(added))
    residual_days, positive_share = residual_summary(residuals)
    return ChunkStatistics(positions, computed.summary(), sq, residual_days, positive_share, tuple(partials))


def chunk_grank(
    positions: np.ndarray,
    *,
    spec: StudySpec,
    panels: PanelSource,
    plan: PairPlan,
    ids: np.ndarray,
    size: int,
    reach: int,
    scales: Sequence[np.ndarray],
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The second pass over a chunk: its GRANK sums in every window, given every sample's ``scales``
    (:func:`~eventstudy.statistics.tests.grank_scale` over all pairs). The chunk is fitted again (the fit is
    deterministic), so that no residual is kept between the passes."""
    computed = fit_chunk(spec, panels, plan, positions)
    residuals = computed.arrays.estimation_residuals
    assert residuals is not None
    extension = plan.extension[positions]
    members = Membership(ids[positions], size)
    sums = []
    for position, window in enumerate(spec.event_windows):
        car, variance, dof, sigma, _, _ = _window_inputs(computed, extension, window, position, reach)
        usable = members.restricted(computed.estimable & np.isfinite(car))
        sums.append(grank_partials(usable, car, variance, dof, sigma, residuals, scales[position]))
    return tuple(sums)


@dataclass(frozen=True)
class StudyStatistics:
    """The chunks' statistics joined: per pair, and the partial sums per event window over every pair."""

    sq_p_value: np.ndarray
    residual_days: np.ndarray
    positive_share: np.ndarray
    partials: tuple[WindowPartials, ...]


def grank_scales(computed: ComputedPairs, layout: SampleLayout, spec: StudySpec) -> list[np.ndarray]:
    """Per event window, every sample's GRANK scale over all its pairs."""
    arrays = computed.arrays
    scales = []
    for position in range(len(spec.event_windows)):
        car, variance = arrays.car[:, position], arrays.car_variance[:, position]
        usable = computed.estimable & np.isfinite(car)
        usable &= standardizable(car, variance, arrays.fit.sigma, arrays.fit.dof)
        scales.append(grank_scale(layout.members.restricted(usable), scar(car, variance)))
    return scales


def infer(computation: Computation, pairs: pd.DataFrame, statistics: StudyStatistics) -> Inference:
    """The tests of every pair and sample of a computed study (``pairs``: its pairs table, for the labels)."""
    spec, computed = computation.spec, computation.pairs
    if computed is None:
        return Inference(*(pd.DataFrame(columns=list(COLUMNS[name])) for name in ("car", "tests", "caar")))
    fallback, estimable = computed.fallback, computed.estimable
    layout = sample_layout(pairs)
    tickers = pairs["ticker"].to_numpy()
    extension = pairs["window_extension"].to_numpy()
    reach = int(extension.max(initial=0))
    rng = np.random.default_rng(spec.seed)
    car_tables, test_tables, caar_tables = [], [], []
    for position, window in enumerate(spec.event_windows):
        car_tables.append(_car_table(computation, pairs, position, statistics.sq_p_value[:, position]))
        car, variance, dof, sigma, event_ar, _ = _window_inputs(computed, extension, window, position, reach)
        members = layout.members.restricted(estimable & np.isfinite(car))
        data = WindowSamples(
            members=members,
            window_length=event_ar.shape[1],
            window_days=window[1] - window[0] + 1 + extension,
            car=car,
            car_variance=variance,
            dof=dof,
            sigma=sigma,
            event_days=np.sum(~np.isnan(event_ar), axis=1),
            positive_share=statistics.positive_share,
            residual_days=statistics.residual_days,
            partials=statistics.partials[position],
        )
        outcomes = sample_tests(data, spec.tests, rng, replications=spec.bootstrap_replications)
        present = np.flatnonzero(members.counts() > 0)
        caar = _caar_table(members, car, fallback)
        labels = {
            "scope": layout.scope,
            "event_id": layout.event_id,
            "group": layout.group,
            "window": window_label(window),
            "tau1": window[0],
            "tau2": window[1],
        }
        caar_tables.append(caar.assign(**labels).iloc[present])
        if computation.placebo:  # one pseudo date stands for one event date: single events only
            sample, pair = members.entries
            order = np.lexsort((pair, sample))
            members_of = np.split(tickers[pair[order]], np.cumsum(np.bincount(sample, minlength=members.size))[:-1])
            outcomes[PLACEBO] = placebo_tests(caar["caar"].to_numpy(), members_of, computation.placebo, position)
        rows = _tests_rows(outcomes, present)
        sample = rows["sample"].to_numpy()
        rows = rows[(rows["test"] != PLACEBO).to_numpy() | (layout.scope[sample] == "event")]
        sample = rows["sample"].to_numpy()
        test_tables.append(
            rows.assign(
                scope=layout.scope[sample],
                event_id=layout.event_id[sample],
                group=layout.group[sample],
                window=labels["window"],
                tau1=window[0],
                tau2=window[1],
            )
        )

    car_table = pd.concat(car_tables, ignore_index=True)
    car_table["q_value"] = benjamini_hochberg(car_table["p_value"].to_numpy(dtype=float))
    tests = pd.concat(test_tables, ignore_index=True)
    tests["q_value"] = benjamini_hochberg(tests["p_value"].to_numpy(dtype=float))
    caar_table = pd.concat(caar_tables, ignore_index=True)
    return Inference(
        car=car_table[list(COLUMNS["car"])],
        tests=tests[list(COLUMNS["tests"])].astype({"n": int, "df": float, "statistic": float, "p_value": float}),
        caar=caar_table[list(COLUMNS["caar"])],
    )
