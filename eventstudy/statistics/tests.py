"""The sample tests of an event study, each computed for every sample of an event window at once.

:class:`WindowSamples` holds what the tests of one event window read, for S samples over P pairs: each pair's CAR,
its variance, model degrees of freedom and residual spread, and the sums over each sample's pairs that the
time-series and rank tests need (built by :func:`window_samples` from all pairs at once, or added up chunk by chunk:
every sum is additive). Each test is a :class:`SampleTest`: ``test.outcomes(data)`` gives one statistic, p-value,
pair count, degrees of freedom and note per sample (:class:`~eventstudy.statistics.base.Outcomes`), and
``test(sample)`` the :class:`~eventstudy.statistics.base.TestResult` of one
:class:`~eventstudy.statistics.samples.Sample`; the two share one implementation.

Conventions: a pair is one row, keyed by (event, security); ``estimation_ar`` and ``event_ar`` columns are in event
time (column ``j`` is the same offset from day 0 for every pair), and calendar dates matter only for the
cross-correlation of residuals (Kolari-Pynnönen). Every p-value is two-sided. A test that cannot be computed for a
sample gives NaN there, with a note saying why; it never raises for lack of data.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

import numpy as np
import pandas as pd

from eventstudy.statistics.base import (
    MIN_CORRELATION_OVERLAP,
    MIN_ESTIMATION_DAYS,
    Outcomes,
    TestResult,
    normal_p,
    student_p,
)
from eventstudy.statistics.correlation import CorrelationSums, correlation_sums, mean_correlation
from eventstudy.statistics.samples import Membership, Sample, rank_scores

__all__ = [
    "DEFAULT_REPLICATIONS",
    "PARTIALS",
    "TESTS",
    "SampleTest",
    "WindowPartials",
    "WindowSamples",
    "bmp_t",
    "corrado_rank",
    "cross_sectional_t",
    "crude_dependence_t",
    "generalized_sign",
    "grank",
    "grank_partials",
    "grank_scale",
    "kolari_pynnonen_bmp",
    "kolari_pynnonen_patell",
    "partials_for",
    "patell_z",
    "residual_summary",
    "run_tests",
    "sample_tests",
    "scar",
    "sign_test",
    "skewness_corrected_t",
    "standardizable",
    "wilcoxon_signed_rank",
    "wild_bootstrap",
    "window_partials",
    "window_samples",
]

DEFAULT_REPLICATIONS = 999
"""Default number of wild-bootstrap replications (p-values on a grid of 1/1000)."""

#: The sums of :class:`WindowPartials`, and the tests that read each of them (the others read none).
PARTIALS = frozenset({"crude", "corrado", "grank", "correlation"})
_NEEDS = {
    "crude_dependence_t": ("crude",),
    "corrado_rank": ("corrado",),
    "grank": ("grank",),
    "kolari_pynnonen_patell": ("correlation",),
    "kolari_pynnonen_bmp": ("correlation",),
}


def partials_for(tests: Iterable[str] | None) -> frozenset[str]:
    """The sums of :class:`WindowPartials` that ``tests`` read (all of :data:`PARTIALS` for ``None``: every test)."""
    return PARTIALS if tests is None else frozenset(part for name in tests for part in _NEEDS.get(name, ()))


#: (pair, sample) rows ranked at once for GRANK, so that memory stays bounded for samples of any size.
_RANK_BLOCK = 16_384
_STANDARDIZED = "no pair has a finite CAR, a positive CAR variance and sigma, and more than 2 dof"


# --------------------------------------------------------------------------------------------------------------
# What the tests read


def standardizable(car: np.ndarray, car_variance: np.ndarray, sigma: np.ndarray, dof: np.ndarray) -> np.ndarray:
    """Pairs the standardized tests can use: a finite CAR, a positive finite CAR variance and sigma, and more than
    2 degrees of freedom (Patell's ``dof / (dof - 2)`` must exist)."""
    return (
        np.isfinite(car)
        & (np.nan_to_num(car_variance, posinf=0.0) > 0)
        & (np.nan_to_num(sigma, posinf=0.0) > 0)
        & (dof > 2)
    )


def scar(car: np.ndarray, car_variance: np.ndarray) -> np.ndarray:
    """``SCAR = CAR / sqrt(Var(CAR))``, NaN where the variance is not positive."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(car / np.sqrt(np.where(car_variance > 0, car_variance, np.nan)))


def grank_scale(members: Membership, scars: np.ndarray) -> np.ndarray:
    """Per sample, the cross-sectional standard deviation of the SCARs of its pairs (``members``: the
    standardizable ones), by which GRANK re-standardizes them; NaN below 2 pairs."""
    return members.stds(scars)[2]


def _grank_sums(
    estimation_ar: np.ndarray, sigma: np.ndarray, scars: np.ndarray, members: Membership, scale: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per sample and day, the sum of the GRANK rank scores of its pairs and how many there are.

    Each pair's standardized residuals ``AR_it / sigma_i`` and its re-standardized ``SCAR_i / s`` (``s`` its
    sample's :func:`grank_scale`, so the scores depend on the sample) are ranked together, a block of
    (pair, sample) rows at a time.
    """
    from scipy import sparse

    sample, pair = members.entries
    width = estimation_ar.shape[1] + 1
    sums, counts = np.zeros((members.size, width)), np.zeros((members.size, width))
    for start in range(0, sample.size, _RANK_BLOCK):
        rows = slice(start, start + _RANK_BLOCK)
        chosen, own = pair[rows], sample[rows]
        with np.errstate(invalid="ignore", divide="ignore"):
            ranked = np.column_stack([estimation_ar[chosen] / sigma[chosen, np.newaxis], scars[chosen] / scale[own]])
        scores = rank_scores(ranked)
        present = ~np.isnan(scores)
        matrix = sparse.csr_matrix((np.ones(own.size), (own, np.arange(own.size))), shape=(members.size, own.size))
        sums += matrix @ np.where(present, scores, 0.0)
        counts += matrix @ present.astype(float)
    return sums, counts


@dataclass(frozen=True, eq=False)
class WindowPartials:
    """The sums over the pairs of each sample that the time-series and rank tests of one event window need, for the
    pairs of a chunk; adding the partials of disjoint chunks gives those of all their pairs (the clustering
    correlation needs every cluster of overlapping windows whole in one chunk).

    Attributes
    ----------
    crude : tuple of ndarray, shape (S, L) each
        Per sample and estimation day (event time), the sum of the residuals of its pairs with a finite CAR and how
        many there are (the portfolio AR of Brown & Warner's crude dependence adjustment).
    corrado : tuple of ndarray, shape (S, L + L2) each
        Per sample and day, the sum of the rank scores over the estimation and event windows of its pairs with an
        event-window AR, and how many there are.
    grank : tuple of ndarray, shape (S, L + 1) each
        Per sample and day, the sum of the GRANK rank scores of its standardizable pairs (the re-standardized CAR
        last), and how many there are; they depend on each sample's :func:`grank_scale`, so with several chunks
        they are added in a second pass (:func:`grank_partials`) once every SCAR is known.
    correlation : CorrelationSums
        The sums behind the mean cross-correlation of the standardizable pairs (Kolari-Pynnönen).
    """

    crude: tuple[np.ndarray, np.ndarray]
    corrado: tuple[np.ndarray, np.ndarray]
    grank: tuple[np.ndarray, np.ndarray]
    correlation: CorrelationSums

    def __add__(self, other: WindowPartials) -> WindowPartials:
        def added(
            first: tuple[np.ndarray, np.ndarray], second: tuple[np.ndarray, np.ndarray]
        ) -> tuple[np.ndarray, np.ndarray]:
            return first[0] + second[0], first[1] + second[1]

        return WindowPartials(
            added(self.crude, other.crude),
            added(self.corrado, other.corrado),
            added(self.grank, other.grank),
            self.correlation + other.correlation,
        )

    def with_grank(self, grank: tuple[np.ndarray, np.ndarray]) -> WindowPartials:
        """The same partials with the GRANK sums of a second pass."""
        return WindowPartials(self.crude, self.corrado, grank, self.correlation)


@dataclass(frozen=True, eq=False)
class WindowSamples:
    """What the sample tests of one event window read, for S samples over P pairs.

    Attributes
    ----------
    members
        The samples over the pairs.
    window_length
        Days in the event window, L2 (the longest pair's, when windows were extended over a span).
    window_days : ndarray, shape (P,)
        Days in each pair's event window.
    car, car_variance, dof, sigma : ndarray, shape (P,)
        Each pair's CAR, its forecast-error-corrected variance, model degrees of freedom and residual standard
        deviation.
    event_days : ndarray, shape (P,)
        Event-window days with an AR (Corrado's test needs at least one).
    positive_share : ndarray, shape (P,)
        Share of the pair's estimation residuals that are positive (NaN without any).
    residual_days : ndarray, shape (P,)
        Estimation residuals of the pair.
    partials : WindowPartials
        The sums over each sample's pairs of the time-series and rank tests.
    windows : bool
        Whether the correlation counts only pairs whose event windows overlap (event dates known).
    tests : tuple of str, optional
        The only tests whose sums were computed (see :func:`window_samples`); None for all.
    """

    members: Membership
    window_length: int
    window_days: np.ndarray
    car: np.ndarray
    car_variance: np.ndarray
    dof: np.ndarray
    sigma: np.ndarray
    event_days: np.ndarray
    positive_share: np.ndarray
    residual_days: np.ndarray
    partials: WindowPartials
    windows: bool = True
    tests: tuple[str, ...] | None = None

    @property
    def size(self) -> int:
        """Number of samples S."""
        return self.members.size

    @property
    def crude(self) -> tuple[np.ndarray, np.ndarray]:
        return self.partials.crude

    @property
    def corrado(self) -> tuple[np.ndarray, np.ndarray]:
        return self.partials.corrado

    @property
    def grank(self) -> tuple[np.ndarray, np.ndarray]:
        return self.partials.grank

    @functools.cached_property
    def finite(self) -> Membership:
        """The samples restricted to their pairs with a finite CAR."""
        return self.members.restricted(np.isfinite(self.car))

    @functools.cached_property
    def standardized(self) -> tuple[Membership, np.ndarray]:
        """The samples restricted to their standardizable pairs (:func:`standardizable`), and each pair's SCAR."""
        usable = standardizable(self.car, self.car_variance, self.sigma, self.dof)
        return self.members.restricted(usable), scar(self.car, self.car_variance)

    @functools.cached_property
    def nonzero(self) -> Membership:
        """The samples restricted to their pairs with a finite, non-zero CAR."""
        return self.members.restricted(np.isfinite(self.car) & (self.car != 0))

    @functools.cached_property
    def clustering(self) -> np.ndarray:
        """Kolari-Pynnönen mean correlation r of each sample's standardizable pairs (NaN where none is estimated)."""
        pairs = self.standardized[0].counts().astype(float)
        return mean_correlation(self.partials.correlation, pairs, self.windows)


def residual_summary(estimation_ar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each pair's number of estimation residuals and the share of them that are positive (NaN without any)."""
    residual_days = np.sum(~np.isnan(estimation_ar), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return residual_days, np.sum(estimation_ar > 0, axis=1) / residual_days


def grank_partials(
    members: Membership,
    car: np.ndarray,
    car_variance: np.ndarray,
    dof: np.ndarray,
    sigma: np.ndarray,
    estimation_ar: np.ndarray,
    scale: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The GRANK sums of a chunk of pairs, given every sample's :func:`grank_scale` (see :class:`WindowPartials`)."""
    standardized = members.restricted(standardizable(car, car_variance, sigma, dof))
    return _grank_sums(estimation_ar, sigma, scar(car, car_variance), standardized, scale)


def window_partials(
    members: Membership,
    car: np.ndarray,
    car_variance: np.ndarray,
    dof: np.ndarray,
    sigma: np.ndarray,
    event_ar: np.ndarray,
    estimation_ar: np.ndarray,
    estimation_dates: np.ndarray,
    event_dates: np.ndarray | None,
    *,
    scale: np.ndarray | None = None,
    min_overlap: int = MIN_CORRELATION_OVERLAP,
    parts: frozenset[str] = PARTIALS,
) -> WindowPartials:
    """The :class:`WindowPartials` of these pairs (see :func:`window_samples` for the parameters). Without
    ``scale`` the GRANK sums are left at zero, to be added by :func:`grank_partials`. Only the sums named in
    ``parts`` (:data:`PARTIALS`) are computed; the others are NaN."""
    size, width = members.size, estimation_ar.shape[1] + 1

    def skipped(columns: int) -> tuple[np.ndarray, np.ndarray]:
        return np.full((size, columns), np.nan), np.full((size, columns), np.nan)

    crude, corrado, grank = skipped(width - 1), skipped(width - 1 + event_ar.shape[1]), skipped(width)
    correlation = CorrelationSums(np.full(size, np.nan), np.full(size, np.nan), np.full(size, np.nan))
    if "crude" in parts:
        crude = members.restricted(np.isfinite(car)).column_sums(estimation_ar)
    if "corrado" in parts:
        event_days = np.sum(~np.isnan(event_ar), axis=1)
        ranked = (members.ids >= 0).any(axis=1) & (event_days > 0)
        scores = np.full((car.size, estimation_ar.shape[1] + event_ar.shape[1]), np.nan)
        if ranked.any():
            scores[ranked] = rank_scores(np.hstack([estimation_ar[ranked], event_ar[ranked]]))
        corrado = members.restricted(event_days > 0).column_sums(scores)
    if "grank" in parts:
        grank = (
            (np.zeros((size, width)), np.zeros((size, width)))
            if scale is None
            else grank_partials(members, car, car_variance, dof, sigma, estimation_ar, scale)
        )
    if "correlation" in parts:
        standardized = members.restricted(standardizable(car, car_variance, sigma, dof))
        correlation = correlation_sums(estimation_ar, estimation_dates, standardized, event_dates, min_overlap)
    return WindowPartials(crude=crude, corrado=corrado, grank=grank, correlation=correlation)


def window_samples(
    members: Membership,
    car: np.ndarray,
    car_variance: np.ndarray,
    dof: np.ndarray,
    sigma: np.ndarray,
    event_ar: np.ndarray,
    estimation_ar: np.ndarray,
    estimation_dates: np.ndarray,
    event_dates: np.ndarray | None,
    *,
    window_days: np.ndarray | None = None,
    min_overlap: int = MIN_CORRELATION_OVERLAP,
    tests: Sequence[str] | None = None,
) -> WindowSamples:
    """Everything the sample tests of one event window need, from the arrays of all the samples' pairs at once.

    Parameters
    ----------
    members
        The samples over the P pairs.
    car, car_variance, dof, sigma : ndarray, shape (P,)
        See :class:`WindowSamples`.
    event_ar : ndarray, shape (P, L2)
        Abnormal returns of the event window, in event time.
    estimation_ar : ndarray, shape (P, L)
        Estimation-window residuals in event time, NaN where missing.
    estimation_dates : ndarray of datetime64[D], shape (P, L)
        Their calendar dates (NaT where padded).
    event_dates : ndarray of datetime64[D], shape (P, L2), optional
        Calendar dates of the event windows (the clustering correlation counts only pairs whose windows overlap);
        ``None`` counts every pair of pairs.
    window_days : ndarray, shape (P,), optional
        Days in each pair's window, when some windows were extended over a span (their columns beyond are NaN);
        default L2 for every pair.
    min_overlap
        Fewest common dates for a correlation to be estimated.
    tests
        The tests the samples are for (default: all of :data:`TESTS`); only the sums they read are computed, and
        :func:`sample_tests` refuses the others.
    """
    parts = partials_for(tests)
    car, car_variance, dof, sigma = (np.asarray(values, dtype=float) for values in (car, car_variance, dof, sigma))
    standardized = members.restricted(standardizable(car, car_variance, sigma, dof))
    scale = grank_scale(standardized, scar(car, car_variance))
    partials = window_partials(
        members,
        car,
        car_variance,
        dof,
        sigma,
        event_ar,
        estimation_ar,
        estimation_dates,
        event_dates,
        scale=scale,
        min_overlap=min_overlap,
        parts=parts,
    )
    residual_days, positive_share = residual_summary(estimation_ar)
    return WindowSamples(
        members=members,
        window_length=int(event_ar.shape[1]),
        window_days=np.full(car.shape, event_ar.shape[1]) if window_days is None else np.asarray(window_days),
        car=car,
        car_variance=car_variance,
        dof=dof,
        sigma=sigma,
        event_days=np.sum(~np.isnan(event_ar), axis=1),
        positive_share=positive_share,
        residual_days=residual_days,
        partials=partials,
        windows=event_dates is not None,
        tests=None if tests is None else tuple(tests),
    )


# --------------------------------------------------------------------------------------------------------------
# Tests


@dataclass(frozen=True)
class SampleTest:
    """One sample test: its name, null hypothesis, reference distribution and its computation for all samples.

    ``test.outcomes(data)`` runs it on every sample of a :class:`WindowSamples`; ``test(sample)`` on one
    :class:`~eventstudy.statistics.samples.Sample`, giving a :class:`~eventstudy.statistics.base.TestResult`.
    Extra options (the bootstrap's generator and replications) pass through both.
    """

    name: str
    null: str
    distribution: str
    compute: Callable[..., Outcomes] = field(repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "__doc__", self.compute.__doc__)

    def outcomes(self, data: WindowSamples, *args: Any, **options: Any) -> Outcomes:
        """The test on every sample of ``data``."""
        return self.compute(data, *args, **options)

    def __call__(self, sample: Sample, *args: Any, **options: Any) -> TestResult:
        return self.outcomes(_one(sample), *args, **options).result(self.name)


def _one(sample: Sample) -> WindowSamples:
    """The :class:`WindowSamples` of a single sample."""
    return window_samples(
        Membership.single(sample.n),
        sample.car,
        sample.car_variance,
        sample.dof,
        sample.sigma,
        sample.event_ar,
        sample.estimation_ar,
        sample.estimation_dates,
        sample.event_dates,
    )


def _each(texts: Callable[[Any], str], values: np.ndarray) -> np.ndarray:
    """One reason per sample, from a value per sample."""
    return np.array([texts(value) for value in values.tolist()], dtype=object)


def one_sample_statistic(
    out: Outcomes, members: Membership, values: np.ndarray, what: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked one-sample t statistic ``mean * sqrt(n) / s`` of ``values`` per sample, its ``n - 1`` degrees of
    freedom and n (the samples with fewer than 2 values, or values that do not vary, marked as failed in ``out``)."""
    n, mean, spread = members.stds(values)
    out.fail(n < 2, _each(lambda k: f"needs at least 2 pairs with a finite {what}, got {k}", n), n)
    out.fail(~(members.spans(values) > 0), f"the {what} does not vary across pairs", n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return mean * np.sqrt(n) / spread, (n - 1).astype(float), n


def _cross_sectional_t(data: WindowSamples) -> Outcomes:
    """Cross-sectional t test of the CAAR.

    ``t = CAAR / (s(CAR_i) / sqrt(N))`` with ``s`` the cross-sectional standard deviation of the CARs,
    Student t with ``N - 1`` degrees of freedom. The pairs with a missing CAR are left out.

    References
    ----------
    Brown, S. J., Warner, J. B. (1985). Using daily stock returns: the case of event studies. Journal of
    Financial Economics 14, 3-31.
    """
    out = Outcomes(data.size)
    t, df, n = one_sample_statistic(out, data.finite, data.car, "CAR")
    return out.set(t, student_p(t, df), n, df)


def _crude_dependence_t(data: WindowSamples) -> Outcomes:
    """Time-series (portfolio) t test with the Brown-Warner crude dependence adjustment.

    The variance of the average AR comes from the estimation-window time series of the equally weighted
    portfolio's mean AR, ``AAR_t`` (mean over the pairs observed on event-time day ``t``), so that
    cross-correlation between the pairs is accounted for. With ``S`` the standard deviation of ``AAR_t`` over
    the ``D`` estimation days with data::

        t = CAAR / (sqrt(L2) * S),  Student t with D - 1 degrees of freedom.

    The pairs with a missing CAR are left out; ``estimation_ar`` columns must be in event time.

    References
    ----------
    Brown, S. J., Warner, J. B. (1980). Measuring security price performance. Journal of Financial Economics
    8, 205-258.
    Brown, S. J., Warner, J. B. (1985). Journal of Financial Economics 14, 3-31.
    """
    out = Outcomes(data.size)
    members = data.finite
    n = members.counts()
    out.fail(n < 1, "no pair has a finite CAR", 0)
    sums, counts = data.crude
    observed = counts > 0
    days = observed.sum(axis=1)
    out.fail(
        days < MIN_ESTIMATION_DAYS,
        _each(lambda d: f"needs at least {MIN_ESTIMATION_DAYS} estimation days, got {d}", days),
        n,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        portfolio = np.where(observed, sums / np.where(observed, counts, 1.0), 0.0)
        mean = portfolio.sum(axis=1) / days
        spread = np.sqrt(np.where(observed, (portfolio - mean[:, np.newaxis]) ** 2, 0.0).sum(axis=1) / (days - 1))
    out.fail(~(spread > 0), "the portfolio AR does not vary over the estimation window", n)
    with np.errstate(invalid="ignore", divide="ignore"):
        # L2 of Brown & Warner, averaged over the pairs when some windows were extended over a span.
        t = members.means(data.car) / (np.sqrt(members.means(data.window_days.astype(float))) * spread)
    df = (days - 1).astype(float)
    return out.set(t, student_p(t, df), n, df)


def _patell(out: Outcomes, data: WindowSamples) -> tuple[np.ndarray, np.ndarray]:
    """Checked Patell Z per sample and the pairs it used."""
    members, scars = data.standardized
    n = members.counts()
    out.fail(n < 1, _STANDARDIZED, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = members.sums(scars) / np.sqrt(members.sums(data.dof / (data.dof - 2)))
    return z, n


def _bmp(out: Outcomes, data: WindowSamples) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked BMP t per sample, its degrees of freedom and the pairs it used."""
    members, scars = data.standardized
    out.fail(members.counts() < 1, _STANDARDIZED, 0)
    return one_sample_statistic(out, members, scars, "standardized CAR")


def _clustering(out: Outcomes, data: WindowSamples, n: np.ndarray) -> np.ndarray:
    """Checked Kolari-Pynnönen mean correlation r per sample."""
    r = data.clustering
    out.fail(n < 2, _each(lambda k: f"needs at least 2 pairs, got {k}", n), n)
    reason = f"no pair of overlapping event windows has {MIN_CORRELATION_OVERLAP} common estimation dates"
    out.fail(~np.isfinite(r), reason, n)
    out.fail(
        ~(1 + (n - 1) * r > 0),
        _each(lambda value: f"mean correlation r = {value:.3g} gives a non-positive variance", r),
        n,
    )
    return r


def _patell_z(data: WindowSamples) -> Outcomes:
    """Patell's standardized-residual Z test.

    ``Z = sum_i SCAR_i / sqrt(sum_i dof_i / (dof_i - 2))`` with ``SCAR_i = CAR_i / sqrt(Var(CAR_i))`` (the
    forecast-error-corrected variance) and ``dof_i`` each pair's own model degrees of freedom (``L1 - 2`` for
    the market model, so the term is ``(L1 - 2) / (L1 - 4)``); standard normal. The pairs without a finite CAR,
    a positive CAR variance and sigma, and ``dof > 2`` are left out.

    References
    ----------
    Patell, J. M. (1976). Corporate forecasts of earnings per share and stock price behavior: empirical tests.
    Journal of Accounting Research 14(2), 246-276.
    """
    out = Outcomes(data.size)
    z, n = _patell(out, data)
    return out.set(z, normal_p(z), n)


def _bmp_t(data: WindowSamples) -> Outcomes:
    """Standardized cross-sectional t test of Boehmer, Musumeci & Poulsen (BMP).

    ``t = mean(SCAR_i) * sqrt(N) / s(SCAR_i)``, Student t with ``N - 1`` degrees of freedom; robust to
    event-induced variance because the spread of the SCARs is estimated across pairs. The pairs are those of
    :func:`patell_z`.

    References
    ----------
    Boehmer, E., Musumeci, J., Poulsen, A. B. (1991). Event-study methodology under conditions of
    event-induced variance. Journal of Financial Economics 30, 253-272.
    """
    out = Outcomes(data.size)
    t, df, n = _bmp(out, data)
    return out.set(t, student_p(t, df), n, df)


def _kolari_pynnonen_bmp(data: WindowSamples) -> Outcomes:
    """BMP t adjusted for cross-correlation under event-date clustering (Kolari & Pynnönen 2010).

    ``t_adj = t_BMP * sqrt((1 - r) / (1 + (N - 1) r))``, Student t with ``N - 1`` degrees of freedom, where
    ``r`` is :func:`~eventstudy.statistics.correlation.mean_pairwise_correlation` of the pairs' estimation-window
    residuals aligned on calendar dates, counting only pairs whose event windows overlap.

    References
    ----------
    Kolari, J. W., Pynnönen, S. (2010). Event study testing with cross-sectional correlation of abnormal
    returns. Review of Financial Studies 23(11), 3996-4025.
    """
    out = Outcomes(data.size)
    t, df, n = _bmp(out, data)
    r = _clustering(out, data, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        adjusted = t * np.sqrt((1 - r) / (1 + (n - 1) * r))
    return out.set(adjusted, student_p(adjusted, df), n, df)


def _kolari_pynnonen_patell(data: WindowSamples) -> Outcomes:
    """Patell Z adjusted for cross-correlation under event-date clustering (Kolari & Pynnönen 2010).

    ``Z_adj = Z_Patell / sqrt(1 + (N - 1) r)``, standard normal, with ``r`` as in :func:`kolari_pynnonen_bmp`.
    Unlike the BMP adjustment there is no ``(1 - r)`` factor: Patell's variance comes from each pair's own time
    series, not from the cross-sectional spread that correlation shrinks.

    References
    ----------
    Kolari, J. W., Pynnönen, S. (2010). Review of Financial Studies 23(11), 3996-4025.
    """
    out = Outcomes(data.size)
    z, n = _patell(out, data)
    r = _clustering(out, data, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        adjusted = z / np.sqrt(1 + (n - 1) * r)
    return out.set(adjusted, normal_p(adjusted), n)


def _skewness_corrected_t(data: WindowSamples) -> Outcomes:
    """Skewness-corrected t test of the CAAR (Johnson 1978, with Hall's 1992 transformation).

    With ``S = CAAR / s(CAR_i)`` and the sample skewness
    ``gamma = N / ((N - 1)(N - 2)) * sum_i (CAR_i - CAAR)^3 / s^3`` (the adjusted Fisher-Pearson coefficient,
    ``scipy.stats.skew(car, bias=False)``)::

        t = sqrt(N) * (S + gamma S^2 / 3 + gamma^2 S^3 / 27 + gamma / (6 N)),

    the form used by the EventStudyTools (Schimmer, Levchenko & Müller) implementation, referred to a
    Student t with ``N - 1`` degrees of freedom. Johnson's (1978) statistic is the same without the
    ``gamma^2 S^3 / 27`` term, which Hall's transformation adds to make it monotone in ``S``. The pairs with a
    missing CAR are left out; needs N >= 3.

    References
    ----------
    Johnson, N. J. (1978). Modified t tests and confidence intervals for asymmetrical populations. Journal of the
    American Statistical Association 73(363), 536-544.
    Hall, P. (1992). On the removal of skewness by transformation. Journal of the Royal Statistical Society
    B 54(1), 221-228.
    """
    out = Outcomes(data.size)
    members = data.finite
    n, mean, spread = members.stds(data.car)
    out.fail(n < 3, _each(lambda k: f"needs at least 3 pairs with a finite CAR, got {k}", n), n)
    t_plain, df, _ = one_sample_statistic(out, members, data.car, "CAR")
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = t_plain / np.sqrt(n)
        gamma = n / ((n - 1) * (n - 2)) * members.central_sums(data.car, 3, mean) / spread**3
        t = np.sqrt(n) * (ratio + gamma * ratio**2 / 3 + gamma**2 * ratio**3 / 27 + gamma / (6 * n))
    return out.set(t, student_p(t, df), n, df)


def _rank_profile(
    out: Outcomes, sums: np.ndarray, counts: np.ndarray, n: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sample: the mean rank score per day ``Ubar_t`` (NaN without data), its time-series spread
    ``S_Ubar = sqrt(1/T sum_t (n_t/n) Ubar_t^2)`` over the ``T`` days with data (``n_t`` pairs observed on day t of
    the ``n``; Kolari & Pynnönen 2011, eq. 9; with no missing value it is Corrado's 1989 ``S_K``), and T."""
    observed = counts > 0
    days = observed.sum(axis=1)
    out.fail(days == 0, "no day with data", n)
    with np.errstate(invalid="ignore", divide="ignore"):
        ubar = np.where(observed, sums / np.where(observed, counts, 1.0), np.nan)
        weighted = np.where(observed, counts / n[:, np.newaxis] * np.where(observed, ubar, 0.0) ** 2, 0.0)
        spread = np.sqrt(weighted.sum(axis=1) / days)
    return ubar, spread, days


def _corrado_rank(data: WindowSamples) -> Outcomes:
    """Corrado rank test, for a multi-day window in the form of Cowan (1992).

    Each pair's ARs over the combined estimation and event windows are ranked; the standardized ranks
    ``U_it = K_it / (M_i + 1) - 1/2`` (Corrado & Zivney 1992, which allows missing days) are averaged across
    pairs per event-time day into ``Ubar_t``; with ``S_U = sqrt(1/L sum_t (n_t / n) Ubar_t^2)`` over the
    ``L`` days with data::

        T = sum_{t in window} Ubar_t / (sqrt(L2) * S_U),  standard normal,

    which is Cowan's ``sqrt(L2) (Kbar - (L + 1)/2) / S_K`` written with standardized ranks. The pairs with no
    event-window AR are left out; columns must be in event time.

    References
    ----------
    Corrado, C. J. (1989). A nonparametric test for abnormal security-price performance in event studies.
    Journal of Financial Economics 23, 385-395.
    Corrado, C. J., Zivney, T. L. (1992). The specification and power of the sign test in event study
    hypothesis tests using daily stock returns. Journal of Financial and Quantitative Analysis 27(3), 465-478.
    Cowan, A. R. (1992). Nonparametric event study tests. Review of Quantitative Finance and Accounting 2,
    343-358.
    """
    out = Outcomes(data.size)
    n = data.members.restricted(data.event_days > 0).counts()
    out.fail(n < 1, "no pair has an event-window AR", 0)
    sums, counts = data.corrado
    estimation_days = (counts[:, : counts.shape[1] - data.window_length] > 0).sum(axis=1)
    out.fail(
        estimation_days < MIN_ESTIMATION_DAYS,
        _each(lambda d: f"needs at least {MIN_ESTIMATION_DAYS} estimation days, got {d}", estimation_days),
        n,
    )
    ubar, spread, _ = _rank_profile(out, sums, counts, n)
    window = ubar[:, -data.window_length :]
    present = np.isfinite(window)
    out.fail(~(spread > 0), "the mean ranks do not vary", n)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(present, window, 0.0).sum(axis=1) / (np.sqrt(present.sum(axis=1)) * spread)
    return out.set(z, normal_p(z), n)


def _grank(data: WindowSamples) -> Outcomes:
    """Generalized rank test GRANK of Kolari & Pynnönen (2011), with the CAR as one observation.

    Estimation-window ARs are standardized, ``SAR_it = AR_it / sigma_i``; the window's
    ``SCAR_i = CAR_i / sqrt(Var(CAR_i))`` is re-standardized across pairs, ``SCAR*_i = SCAR_i / s(SCAR)``, to
    remove event-induced volatility, and takes the place of the event window as one extra observation (day
    0). Standardized ranks ``U_it`` of these ``T = L1 + 1`` values per pair give ``Ubar_t`` and
    ``S_Ubar = sqrt(1/T sum_t (n_t / n) Ubar_t^2)`` (all T days, day 0 included)::

        Z = Ubar_0 / S_Ubar,  t = Z * sqrt((T - 2) / (T - 1 - Z^2)),  Student t with T - 2 dof.

    Valid under event-date clustering (the time series of mean ranks carries the cross-correlation) and
    event-induced volatility. The pairs are those of :func:`bmp_t`; needs N >= 2. Columns must be in event time.

    References
    ----------
    Kolari, J. W., Pynnönen, S. (2011). Nonparametric rank tests for event studies. Journal of Empirical
    Finance 18(5), 953-971.
    """
    out = Outcomes(data.size)
    members, scars = data.standardized
    n = members.counts()
    out.fail(n < 1, _STANDARDIZED, 0)
    out.fail(n < 2, _each(lambda k: f"needs at least 2 pairs, got {k}", n), n)
    out.fail(~(members.spans(scars) > 0), "the standardized CAR does not vary across pairs", n)
    ubar, spread, days = _rank_profile(out, *data.grank, n)
    out.fail(
        days - 1 < MIN_ESTIMATION_DAYS,
        _each(lambda d: f"needs at least {MIN_ESTIMATION_DAYS} estimation days, got {d}", days - 1),
        n,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        z = ubar[:, -1] / spread
        t = z * np.sqrt((days - 2) / (days - 1 - z**2))
    df = (days - 2).astype(float)
    return out.set(t, student_p(t, df), n, df)


def _generalized_sign(data: WindowSamples) -> Outcomes:
    """Generalized sign test of Cowan (1992).

    The expected share of positive CARs is the share of positive ARs in the estimation window,
    ``p = (1/N) sum_i (positive AR days of i) / (estimation days of i)``; with ``w`` positive CARs out of
    ``N``::

        Z = (w - N p) / sqrt(N p (1 - p)),  standard normal.

    The pairs with a missing CAR or no estimation-window AR are left out.

    References
    ----------
    Cowan, A. R. (1992). Nonparametric event study tests. Review of Quantitative Finance and Accounting 2,
    343-358.
    """
    out = Outcomes(data.size)
    members = data.members.restricted(np.isfinite(data.car) & (data.residual_days > 0))
    n = members.counts()
    out.fail(n < 1, "no pair has a finite CAR and estimation-window ARs", 0)
    p = members.means(data.positive_share)
    out.fail(
        ~((p > 0) & (p < 1)), _each(lambda share: f"the estimation-window share of positive ARs is {share:g}", p), n
    )
    w = members.sums((data.car > 0).astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (w - n * p) / np.sqrt(n * p * (1 - p))
    return out.set(z, normal_p(z), n)


def _sign_test(data: WindowSamples) -> Outcomes:
    """Sign test of the CARs: are positive and negative CARs equally likely?

    With ``w`` positive CARs among the ``N`` non-zero ones, the statistic is the normal approximation
    ``Z = (w - N/2) / sqrt(N/4)``; the p-value is the exact two-sided binomial one (``Binomial(N, 1/2)``, as
    ``scipy.stats.binomtest``), which stays valid for small N. The pairs with a missing or zero CAR are left out.

    References
    ----------
    Brown, S. J., Warner, J. B. (1980). Journal of Financial Economics 8, 205-258.
    Cowan, A. R. (1992). Review of Quantitative Finance and Accounting 2, 343-358.
    """
    from scipy import stats

    out = Outcomes(data.size)
    members = data.nonzero
    n = members.counts()
    out.fail(n < 1, "no pair has a non-zero CAR", 0)
    w = members.sums((data.car > 0).astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (w - n / 2) / np.sqrt(n / 4)
    # The exact two-sided binomial p-value: for p = 1/2 the outcomes as unlikely as w are w's tail and its mirror.
    fewer = np.minimum(w, n - w)
    p = np.where(
        2 * w == n, 1.0, np.minimum(1.0, stats.binom.cdf(fewer, n, 0.5) + stats.binom.sf(n - fewer - 1, n, 0.5))
    )
    return out.set(z, p, n)


def _wilcoxon_signed_rank(data: WindowSamples) -> Outcomes:
    """Wilcoxon signed-rank test of the CARs (symmetric around zero under the null).

    Zero CARs are dropped; ``W+`` is the sum of the ranks of ``|CAR_i|`` (average ranks for ties) over the
    positive CARs and the statistic is its normal approximation, with the tie correction and no continuity
    correction::

        Z = (W+ - N(N+1)/4) / sqrt(N(N+1)(2N+1)/24 - sum_ties (t^3 - t)/48),  standard normal.

    Matches ``scipy.stats.wilcoxon(car, method="approx")`` (whose z is ``-|Z|``). The pairs with a missing or zero
    CAR are left out.

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin 1(6), 80-83.
    Cowan, A. R. (1992). Review of Quantitative Finance and Accounting 2, 343-358.
    """
    out = Outcomes(data.size)
    members = data.nonzero
    n = members.counts()
    out.fail(n < 1, "no pair has a non-zero CAR", 0)
    sample, pair = members.entries
    size = np.abs(data.car[pair])
    order = np.lexsort((size, sample))
    sample, pair, size = sample[order], pair[order], size[order]
    # Ranks within each sample, ties (equal |CAR| in the same sample) at their average rank.
    first_of_sample = np.searchsorted(sample, sample, side="left")
    position = np.arange(sample.size) - first_of_sample + 1.0
    # [: sample.size]: with no entry at all (no pair has a non-zero CAR) there is no tie either.
    tie_start = np.r_[True, (sample[1:] != sample[:-1]) | (size[1:] != size[:-1])][: sample.size]
    tie = np.cumsum(tie_start) - 1
    tie_size = np.bincount(tie)
    rank = (np.bincount(tie, weights=position) / tie_size)[tie]
    ties = np.bincount(sample[tie_start], weights=(tie_size**3 - tie_size).astype(float), minlength=data.size)
    positive = np.bincount(sample, weights=np.where(data.car[pair] > 0, rank, 0.0), minlength=data.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = n * (n + 1) * (2 * n + 1) / 24 - ties / 48
        z = (positive - n * (n + 1) / 4) / np.sqrt(variance)
    return out.set(z, normal_p(z), n)


def _wild_bootstrap(
    data: WindowSamples,
    rng: np.random.Generator | int | None = None,
    *,
    replications: int = DEFAULT_REPLICATIONS,
    weights: Literal["rademacher", "mammen"] = "rademacher",
) -> Outcomes:
    """Wild-bootstrap p-value of the cross-sectional t test of the CAAR.

    Under the null the CARs are recentred, ``e_i = CAR_i - CAAR``; each replication multiplies them by one
    random weight per (event, security) pair, ``CAR*_i = w_i e_i`` (Rademacher: +-1 with probability 1/2;
    Mammen: ``-(sqrt(5) - 1)/2`` with probability ``(sqrt(5) + 1)/(2 sqrt(5))``, else ``(sqrt(5) + 1)/2``),
    and recomputes the t statistic. The p-value is ``(1 + #{|t*| >= |t|}) / (B + 1)``. Robust to
    heteroskedasticity across pairs, not to cross-correlation. The statistic is the cross-sectional t; ``df``
    is empty (the reference is the bootstrap distribution). The pairs with a missing CAR are left out.

    The samples draw their weights from ``rng`` one after another, in their order: the same generator state and
    the same samples give the same p-values.

    Parameters
    ----------
    rng : numpy.random.Generator, int or None
        Random generator, or a seed for one.
    replications : int
        Number of bootstrap replications B.
    weights : {"rademacher", "mammen"}
        Distribution of the weights.

    References
    ----------
    Wu, C. F. J. (1986). Jackknife, bootstrap and other resampling methods in regression analysis. Annals of
    Statistics 14(4), 1261-1295.
    Mammen, E. (1993). Bootstrap and wild bootstrap for high dimensional linear models. Annals of Statistics
    21(1), 255-285.
    """
    if replications < 1:
        raise ValueError(f"replications must be positive, got {replications}")
    if weights not in ("rademacher", "mammen"):
        raise ValueError(f"weights must be 'rademacher' or 'mammen', got {weights!r}")
    out = Outcomes(data.size)
    members = data.finite
    t, _, n = one_sample_statistic(out, members, data.car, "CAR")
    generator = np.random.default_rng(rng)
    sample, pair = members.entries
    order = np.lexsort((pair, sample))
    cars = np.split(data.car[pair[order]], np.cumsum(np.bincount(sample, minlength=data.size))[:-1])
    p = np.full(data.size, np.nan)
    root5 = np.sqrt(5.0)
    for index in np.flatnonzero(out.ok):  # one generator stream, consumed sample after sample
        car = cars[index]
        shape = (replications, car.size)
        if weights == "rademacher":
            draws = generator.choice(np.array([-1.0, 1.0]), size=shape)
        else:
            low = generator.random(shape) < (root5 + 1) / (2 * root5)
            draws = np.where(low, -(root5 - 1) / 2, (root5 + 1) / 2)
        resampled = draws * (car - car.mean())
        with np.errstate(invalid="ignore", divide="ignore"):
            t_star = resampled.mean(axis=1) * np.sqrt(car.size) / resampled.std(axis=1, ddof=1)
        p[index] = (1 + np.sum(np.abs(t_star) >= abs(t[index]))) / (replications + 1)
    return out.set(t, p, n)


_ALL = (
    SampleTest("cross_sectional_t", "CAAR = 0", "Student t, N - 1 df", _cross_sectional_t),
    SampleTest("crude_dependence_t", "CAAR = 0", "Student t, D - 1 df (estimation days)", _crude_dependence_t),
    SampleTest("patell_z", "mean standardized CAR = 0", "standard normal", _patell_z),
    SampleTest("bmp_t", "mean standardized CAR = 0", "Student t, N - 1 df", _bmp_t),
    SampleTest("kolari_pynnonen_patell", "mean standardized CAR = 0", "standard normal", _kolari_pynnonen_patell),
    SampleTest("kolari_pynnonen_bmp", "mean standardized CAR = 0", "Student t, N - 1 df", _kolari_pynnonen_bmp),
    SampleTest("skewness_corrected_t", "CAAR = 0", "Student t, N - 1 df", _skewness_corrected_t),
    SampleTest("corrado_rank", "the window's ARs rank like any other day's", "standard normal", _corrado_rank),
    SampleTest("grank", "the CAR ranks like any estimation day's AR", "Student t, T - 2 df", _grank),
    SampleTest(
        "generalized_sign",
        "the share of positive CARs equals the estimation window's share of positive ARs",
        "standard normal",
        _generalized_sign,
    ),
    SampleTest("sign_test", "positive and negative CARs equally likely", "binomial (exact)", _sign_test),
    SampleTest("wilcoxon_signed_rank", "CARs symmetric around 0", "standard normal", _wilcoxon_signed_rank),
    SampleTest("wild_bootstrap", "CAAR = 0", "wild bootstrap", _wild_bootstrap),
)
TESTS: dict[str, SampleTest] = {test.name: test for test in _ALL}
"""The sample tests by name, in the order :func:`run_tests` and the results report them."""

(
    cross_sectional_t,
    crude_dependence_t,
    patell_z,
    bmp_t,
    kolari_pynnonen_patell,
    kolari_pynnonen_bmp,
    skewness_corrected_t,
    corrado_rank,
    grank,
    generalized_sign,
    sign_test,
    wilcoxon_signed_rank,
    wild_bootstrap,
) = _ALL


def sample_tests(
    data: WindowSamples,
    tests: Sequence[str] | None = None,
    rng: np.random.Generator | int | None = None,
    *,
    replications: int = DEFAULT_REPLICATIONS,
) -> dict[str, Outcomes]:
    """Several tests on every sample of ``data``: test name -> its outcomes, in the order given (default: all of
    :data:`TESTS`, in its order)."""
    names = list(TESTS) if tests is None else list(tests)
    unknown = sorted(set(names) - set(TESTS))
    if unknown:
        raise ValueError(f"unknown tests {unknown}; choose from {list(TESTS)}")
    unprepared = sorted(set(names) - set(data.tests)) if data.tests is not None else []
    if unprepared:
        raise ValueError(f"the samples were prepared for the tests {list(data.tests or ())} only, not {unprepared}")
    generator = np.random.default_rng(rng)
    return {
        name: TESTS[name].outcomes(data, generator, replications=replications)
        if name == "wild_bootstrap"
        else TESTS[name].outcomes(data)
        for name in names
    }


def run_tests(
    sample: Sample,
    tests: Sequence[str] | None = None,
    rng: np.random.Generator | int | None = None,
    *,
    replications: int = DEFAULT_REPLICATIONS,
) -> pd.DataFrame:
    """Run several tests on one sample.

    Parameters
    ----------
    sample : Sample
        The pairs of one sample and one event window.
    tests : sequence of str, optional
        Names from :data:`TESTS`, reported in the order given; all of them, in :data:`TESTS` order, by default.
    rng : numpy.random.Generator, int or None
        Random generator (or seed) for :func:`wild_bootstrap`.
    replications : int
        Bootstrap replications for :func:`wild_bootstrap`.

    Returns
    -------
    DataFrame
        One row per test, columns ``test``, ``statistic``, ``p_value``, ``n``, ``df`` (NaN where the reference
        is not a Student t) and ``note``. A test that cannot be computed has NaN statistic and p-value and a
        note saying why; no test is dropped.

    Raises
    ------
    ValueError
        For an unknown test name.
    """
    outcomes = sample_tests(_one(sample), tests, rng, replications=replications)
    results = [outcome.result(name) for name, outcome in outcomes.items()]
    table = pd.DataFrame([asdict(result) for result in results], columns=[f.name for f in fields(TestResult)])
    table = table.rename(columns={"name": "test"})
    return table.astype({"statistic": float, "p_value": float, "n": int, "df": float})
