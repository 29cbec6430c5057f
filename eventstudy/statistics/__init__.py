"""Test statistics of an event study, vectorized over (event, security) pairs.

The engine fits a normal-return model for every (event, security) pair and hands this module one
:class:`Sample`: the N pairs of one group (one event, or a group of securities across events) and one event
window of ``L2`` days. The formulas follow ``METHODS.md``; each function cites its source.

Conventions
-----------
* A pair is one row. Pairs are keyed by (event, security): a security that appears in several events is
  several rows, each counted once, and :class:`Sample` refuses duplicated keys.
* ``estimation_ar`` and ``event_ar`` columns are in **event time**: column ``j`` is the same offset from day 0
  for every pair (estimation day ``T0 + j``, event day ``tau1 + j``). A pair with a shorter estimation window
  or a missing return has NaN there. The time-series tests (Brown-Warner crude dependence, Corrado, GRANK)
  average across pairs column by column.
* Calendar dates (``estimation_dates``, ``event_dates``) are used only where calendar time matters: the
  cross-correlation of residuals for the Kolari-Pynnönen clustering adjustment.
* Every p-value is two-sided. A test that cannot be computed returns NaN with a ``note`` saying why; it never
  raises for lack of data.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Literal, ParamSpec

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "DEFAULT_REPLICATIONS",
    "MIN_CORRELATION_OVERLAP",
    "MIN_ESTIMATION_DAYS",
    "TESTS",
    "Sample",
    "TestResult",
    "benjamini_hochberg",
    "bmp_t",
    "car_t_test",
    "corrado_rank",
    "cross_sectional_t",
    "crude_dependence_t",
    "generalized_sign",
    "grank",
    "kolari_pynnonen_bmp",
    "kolari_pynnonen_patell",
    "mean_pairwise_correlation",
    "pair_statistics",
    "patell_z",
    "placebo_test",
    "run_tests",
    "sign_test",
    "skewness_corrected_t",
    "sq_test",
    "wilcoxon_signed_rank",
    "wild_bootstrap",
]

DEFAULT_REPLICATIONS = 999
"""Default number of wild-bootstrap replications (p-values on a grid of 1/1000)."""

MIN_ESTIMATION_DAYS = 3
"""Fewest estimation-window days with data for tests that estimate a variance from that time series."""

MIN_CORRELATION_OVERLAP = 30
"""Fewest common calendar dates for a pair of residual series to enter the mean pairwise correlation."""


@dataclass(frozen=True, eq=False)
class Sample:
    """The N (event, security) pairs of one sample and one event window ``[tau1, tau2]`` of ``L2`` days.

    Attributes
    ----------
    car : ndarray, shape (N,)
        Cumulative abnormal return of each pair over the window.
    car_variance : ndarray, shape (N,)
        Forecast-error-corrected ``Var(CAR_i)``, already including the ``(X'X)^-1`` term
        (``sigma_i^2 * gamma' (I + X* (X'X)^-1 X*') gamma``; ``METHODS.md``).
    event_ar : ndarray, shape (N, L2)
        Daily abnormal returns in the window, in event time; NaN where a return is missing.
    estimation_ar : ndarray, shape (N, L1max)
        Estimation-window residuals in event time (column ``j`` = day ``T0 + j`` for every pair), NaN where a
        pair has no residual (shorter window or missing return).
    estimation_dates : ndarray of datetime64[D], shape (N, L1max)
        Calendar date of each residual in ``estimation_ar``; NaT where padded.
    event_dates : ndarray of datetime64[D], shape (N, L2)
        Calendar date of each event-window day.
    dof : ndarray, shape (N,)
        Residual degrees of freedom of each pair's model, ``L1_i - k_i - 1`` (``L1_i - 2`` for the market
        model).
    sigma : ndarray, shape (N,)
        Residual standard deviation of each pair, ``sqrt(SSE_i / dof_i)``.
    event_id, security_id : ndarray, shape (N,), optional
        Keys of the pairs. When given, each (event, security) key must be unique, so that no pair is counted
        twice in an aggregate.
    """

    car: np.ndarray
    car_variance: np.ndarray
    event_ar: np.ndarray
    estimation_ar: np.ndarray
    estimation_dates: np.ndarray
    event_dates: np.ndarray
    dof: np.ndarray
    sigma: np.ndarray
    event_id: np.ndarray | None = None
    security_id: np.ndarray | None = None

    def __post_init__(self) -> None:
        coerce = {
            "car": float,
            "car_variance": float,
            "event_ar": float,
            "estimation_ar": float,
            "estimation_dates": "datetime64[D]",
            "event_dates": "datetime64[D]",
            "dof": float,
            "sigma": float,
        }
        for name, dtype in coerce.items():
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=dtype))
        for name in ("event_id", "security_id"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, np.asarray(getattr(self, name)))
        n = self.car.shape[0]
        for name in ("car", "car_variance", "dof", "sigma"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have shape ({n},), got {getattr(self, name).shape}")
        if self.event_ar.ndim != 2 or self.event_ar.shape[0] != n:
            raise ValueError(f"event_ar must have shape ({n}, L2), got {self.event_ar.shape}")
        if self.estimation_ar.ndim != 2 or self.estimation_ar.shape[0] != n:
            raise ValueError(f"estimation_ar must have shape ({n}, L1max), got {self.estimation_ar.shape}")
        if self.event_dates.shape != self.event_ar.shape:
            raise ValueError("event_dates must have the shape of event_ar")
        if self.estimation_dates.shape != self.estimation_ar.shape:
            raise ValueError("estimation_dates must have the shape of estimation_ar")
        if (self.event_id is None) != (self.security_id is None):
            raise ValueError("give both event_id and security_id, or neither")
        if self.event_id is not None:
            if len(self.event_id) != n or len(self.security_id) != n:
                raise ValueError(f"event_id and security_id must have length {n}")
            keys = list(zip(self.event_id.tolist(), self.security_id.tolist(), strict=True))
            if len(set(keys)) != n:
                duplicated = sorted({key for key in keys if keys.count(key) > 1})[:5]
                raise ValueError(f"duplicated (event, security) pairs: {duplicated}")

    @property
    def n(self) -> int:
        """Number of pairs N."""
        return self.car.shape[0]

    @property
    def window_length(self) -> int:
        """Number of event-window days L2."""
        return self.event_ar.shape[1]

    @functools.cached_property
    def standardized(self) -> tuple[Sample, np.ndarray]:
        """The pairs usable by the standardized tests and their SCARs (see :func:`_standardized`), computed once
        per sample for all the tests that need them."""
        return _standardized(self)

    @functools.cached_property
    def clustering_correlation(self) -> float:
        """Kolari-Pynnönen mean correlation r of the pairs (see :func:`_clustering_correlation`), computed once."""
        return _clustering_correlation(self)

    def select(self, mask: np.ndarray) -> Sample:
        """Return the sample restricted to the pairs where ``mask`` is true."""
        return replace(
            self, **{f.name: getattr(self, f.name)[mask] for f in fields(self) if getattr(self, f.name) is not None}
        )


@dataclass(frozen=True)
class TestResult:
    """Outcome of one test on one sample.

    Attributes
    ----------
    name : str
        Name of the test (the name of the function that computed it).
    statistic : float
        Test statistic; NaN when the test could not be computed.
    p_value : float
        Two-sided p-value; NaN when the test could not be computed.
    n : int
        Number of pairs the test used.
    df : float or None
        Degrees of freedom of the Student t reference distribution, None for normal, exact or bootstrap ones.
    note : str
        Why the test could not be computed, or how it was computed when that is not obvious; empty otherwise.
    """

    __test__ = False  # not a pytest test class

    name: str
    statistic: float
    p_value: float
    n: int
    df: float | None = None
    note: str = ""


class _NotComputable(Exception):
    """Raised inside a test when the sample does not allow it; turned into a NaN result."""

    def __init__(self, reason: str, n: int) -> None:
        super().__init__(reason)
        self.n = n


def _require(condition: bool, reason: str, n: int) -> None:
    if not condition:
        raise _NotComputable(reason, n)


_Outcome = tuple[float, float, int, float | None]
_P = ParamSpec("_P")


def _test(func: Callable[_P, _Outcome]) -> Callable[_P, TestResult]:
    """Wrap a function returning ``(statistic, p_value, n, df)`` into one returning a :class:`TestResult`."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> TestResult:
        try:
            statistic, p_value, n, df = func(*args, **kwargs)
        except _NotComputable as exc:
            return TestResult(func.__name__, np.nan, np.nan, exc.n, None, str(exc))
        return TestResult(func.__name__, float(statistic), float(p_value), int(n), df)

    return wrapper


# --------------------------------------------------------------------------------------------------------------
# Shared helpers


def _normal_p(z: np.ndarray | float) -> np.ndarray | float:
    """Two-sided p-value of a standard normal statistic."""
    return 2.0 * stats.norm.sf(np.abs(z))


def _student_p(t: np.ndarray | float, df: np.ndarray | float) -> np.ndarray | float:
    """Two-sided p-value of a Student t statistic."""
    return 2.0 * stats.t.sf(np.abs(t), df)


def _t_statistic(x: np.ndarray) -> np.ndarray:
    """One-sample t statistic ``mean * sqrt(n) / s`` along the last axis (no NaNs)."""
    n = x.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        return x.mean(axis=-1) * np.sqrt(n) / x.std(axis=-1, ddof=1)


def _one_sample_t(x: np.ndarray, what: str) -> tuple[float, float]:
    """Checked one-sample t statistic of ``x`` and its ``n - 1`` degrees of freedom."""
    _require(x.size >= 2, f"needs at least 2 pairs with a finite {what}, got {x.size}", x.size)
    _require(np.ptp(x) > 0, f"the {what} does not vary across pairs", x.size)
    return float(_t_statistic(x)), float(x.size - 1)


def _finite_car(sample: Sample) -> np.ndarray:
    """The finite CARs of a sample."""
    return sample.car[np.isfinite(sample.car)]


def _standardized(sample: Sample) -> tuple[Sample, np.ndarray]:
    """Pairs usable by the standardized tests and their ``SCAR_i = CAR_i / sqrt(Var(CAR_i))``.

    A pair is usable when its CAR is finite, its CAR variance and residual standard deviation are finite and
    positive and its model has more than 2 residual degrees of freedom (Patell's ``dof / (dof - 2)`` must
    exist).
    """
    keep = (
        np.isfinite(sample.car)
        & (np.nan_to_num(sample.car_variance, posinf=0.0) > 0)
        & (np.nan_to_num(sample.sigma, posinf=0.0) > 0)
        & (sample.dof > 2)
    )
    sub = sample.select(keep)
    _require(sub.n >= 1, "no pair has a finite CAR, a positive CAR variance and sigma, and more than 2 dof", 0)
    return sub, sub.car / np.sqrt(sub.car_variance)


def _column_means(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean over the non-NaN rows and the count of those rows (NaN mean for empty columns)."""
    counts = np.sum(~np.isnan(values), axis=0)
    sums = np.nansum(values, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan), counts


def _rank_scores(values: np.ndarray) -> np.ndarray:
    """Standardized ranks ``U_it = K_it / (M_i + 1) - 1/2`` within each row, NaN kept.

    ``K_it`` is the rank of ``values[i, t]`` among the ``M_i`` non-missing values of row ``i`` (ties get their
    average rank), as in Corrado & Zivney (1992) and Kolari & Pynnönen (2011); the scores have mean zero under
    the null whatever the number of missing values.
    """
    ranks = stats.rankdata(values, axis=1, nan_policy="omit")
    m = np.sum(~np.isnan(values), axis=1, keepdims=True)
    return ranks / (m + 1) - 0.5


def _rank_profile(scores: np.ndarray) -> tuple[np.ndarray, float, int]:
    """Cross-sectional mean rank score per day and its time-series standard deviation.

    Returns ``Ubar_t`` (NaN on days without data), ``S_Ubar = sqrt(1/T sum_t (n_t/n) Ubar_t^2)`` over the
    ``T`` days with data, with ``n_t`` the pairs observed on day ``t`` and ``n`` all pairs (Kolari & Pynnönen
    2011, eq. 9; with no missing value it is Corrado's 1989 ``S_K``), and ``T``.
    """
    ubar, counts = _column_means(scores)
    days = counts > 0
    n_days = int(days.sum())
    _require(n_days > 0, "no day with data", scores.shape[0])
    spread = np.sqrt(np.sum(counts[days] / scores.shape[0] * ubar[days] ** 2) / n_days)
    return ubar, float(spread), n_days


def _align_on_dates(values: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Put each row's values in the columns of the sorted union of all rows' calendar dates (NaN elsewhere)."""
    valid = ~np.isnan(values) & ~np.isnat(dates)
    calendar, column = np.unique(dates[valid], return_inverse=True)
    aligned = np.full((values.shape[0], calendar.size), np.nan)
    aligned[np.nonzero(valid)[0], column] = values[valid]
    return aligned


def _pairwise_correlation(aligned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise-complete Pearson correlations of the rows of ``aligned`` and the number of common columns.

    Every pair (i, j) uses only the columns where both rows have data, computed with four matrix products
    instead of a loop over pairs.
    """
    present = (~np.isnan(aligned)).astype(float)
    x = np.where(present > 0, aligned, 0.0)
    common = present @ present.T
    sum_i = x @ present.T  # sum of x_i over the dates x_j also has
    sum_sq_i = (x * x) @ present.T
    sum_ij = x @ x.T
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sum_ij - sum_i * sum_i.T / common
        var_i = sum_sq_i - sum_i**2 / common
        corr = cov / np.sqrt(var_i * var_i.T)
    return corr, common


# --------------------------------------------------------------------------------------------------------------
# Single-pair statistics


def car_t_test(car: np.ndarray, car_variance: np.ndarray, dof: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """t test of each pair's CAR, vectorized over pairs.

    ``t_i = CAR_i / sqrt(Var(CAR_i))`` against a Student t with the pair's model degrees of freedom
    (``L1 - 2`` for the market model, ``L1 - k - 1`` in general).

    Parameters
    ----------
    car : array_like, shape (N,)
        CARs.
    car_variance : array_like, shape (N,)
        Forecast-error-corrected CAR variances.
    dof : array_like, shape (N,)
        Residual degrees of freedom of each pair's model.

    Returns
    -------
    t, p : ndarray, shape (N,)
        t statistics and two-sided p-values; NaN where the CAR or its variance is missing, the variance is
        not positive or ``dof < 1``.

    References
    ----------
    MacKinlay, A. C. (1997). Event studies in economics and finance. Journal of Economic Literature 35, 13-39.
    Campbell, J. Y., Lo, A. W., MacKinlay, A. C. (1997). The Econometrics of Financial Markets, ch. 4.
    """
    car, car_variance, dof = (np.asarray(a, dtype=float) for a in (car, car_variance, dof))
    valid = np.isfinite(car) & np.isfinite(car_variance) & (car_variance > 0) & (dof >= 1)
    t = np.where(valid, car / np.sqrt(np.where(valid, car_variance, 1.0)), np.nan)
    p = np.where(valid, _student_p(np.where(valid, t, 0.0), np.where(valid, dof, 1.0)), np.nan)
    return t, p


def sq_test(car: np.ndarray, estimation_ar: np.ndarray, window_length: int) -> np.ndarray:
    """SQ-test p-value of each pair's CAR, without assuming normal returns (vectorized over pairs).

    The null distribution of a pair's ``L2``-day CAR is the empirical distribution of the sums of its own
    estimation-window residuals over every ``L2``-day sub-window of consecutive estimation days (overlapping
    sub-windows; a sub-window containing a missing residual is skipped). With ``M_i`` such sums, ``b_i`` of
    them ``<= CAR_i`` and ``a_i`` of them ``>= CAR_i``, the two-sided equal-tailed p-value is::

        p_i = min(1, 2 * (min(b_i, a_i) + 1) / (M_i + 1))

    i.e. the rank p-value of the CAR among the ``M_i + 1`` values made of the sums and the CAR itself. It
    rejects at level alpha exactly when the CAR lies beyond the empirical alpha/2 or 1 - alpha/2 quantile of
    the sums, which is the SQ test of Gelbach, Helland & Klick (2013); counting the CAR itself keeps the
    p-value valid in finite samples and never zero: its floor is ``2 / (M_i + 1)`` (about 0.008 for a
    250-day estimation window), so with short estimation windows the test cannot reach small levels.

    Parameters
    ----------
    car : array_like, shape (N,)
        CARs over an ``L2``-day window.
    estimation_ar : array_like, shape (N, L1max)
        Estimation-window residuals in time order, NaN-padded.
    window_length : int
        ``L2``, the number of days in the event window.

    Returns
    -------
    ndarray, shape (N,)
        p-values; NaN where the CAR is missing or the pair has no complete ``L2``-day sub-window.

    References
    ----------
    Gelbach, J. B., Helland, E., Klick, J. (2013). Valid inference in single-firm, single-event studies.
    American Law and Economics Review 15(2), 495-541.
    """
    if window_length < 1:
        raise ValueError(f"window_length must be at least 1, got {window_length}")
    car = np.atleast_1d(np.asarray(car, dtype=float))
    residuals = np.atleast_2d(np.asarray(estimation_ar, dtype=float))
    missing = np.isnan(residuals)
    zero = np.zeros((residuals.shape[0], 1))
    cum_sum = np.hstack([zero, np.cumsum(np.where(missing, 0.0, residuals), axis=1)])
    cum_missing = np.hstack([zero, np.cumsum(missing, axis=1)])
    sums = cum_sum[:, window_length:] - cum_sum[:, :-window_length]
    complete = (cum_missing[:, window_length:] - cum_missing[:, :-window_length]) == 0
    n_sums = complete.sum(axis=1)
    below = np.sum(complete & (sums <= car[:, None]), axis=1)
    above = np.sum(complete & (sums >= car[:, None]), axis=1)
    p = np.minimum(1.0, 2.0 * (np.minimum(below, above) + 1) / (n_sums + 1))
    return np.where(np.isfinite(car) & (n_sums > 0), p, np.nan)


def pair_statistics(sample: Sample) -> pd.DataFrame:
    """Per-pair CAR, its variance and standard error, t test and SQ test.

    Parameters
    ----------
    sample : Sample
        The pairs.

    Returns
    -------
    DataFrame
        One row per pair, in sample order: ``event_id`` and ``security_id`` when the sample has them, then
        ``car``, ``car_variance``, ``car_se``, ``t``, ``p_value`` (:func:`car_t_test`, Student t with ``df``),
        ``df`` and ``sq_p_value`` (:func:`sq_test`).

    References
    ----------
    MacKinlay, A. C. (1997). Event studies in economics and finance. Journal of Economic Literature 35, 13-39.
    Gelbach, J. B., Helland, E., Klick, J. (2013). American Law and Economics Review 15(2), 495-541.
    """
    t, p = car_t_test(sample.car, sample.car_variance, sample.dof)
    keys = {} if sample.event_id is None else {"event_id": sample.event_id, "security_id": sample.security_id}
    return pd.DataFrame(
        {
            **keys,
            "car": sample.car,
            "car_variance": sample.car_variance,
            "car_se": np.sqrt(np.where(sample.car_variance >= 0, sample.car_variance, np.nan)),
            "t": t,
            "p_value": p,
            "df": sample.dof,
            "sq_p_value": sq_test(sample.car, sample.estimation_ar, sample.window_length),
        }
    )


# --------------------------------------------------------------------------------------------------------------
# Cross-correlation of residuals (Kolari-Pynnönen)


def mean_pairwise_correlation(
    residuals: np.ndarray,
    dates: np.ndarray,
    *,
    event_dates: np.ndarray | None = None,
    min_overlap: int = MIN_CORRELATION_OVERLAP,
) -> float:
    """Mean pairwise correlation of estimation-window residuals aligned on calendar dates.

    The residual series are put on one calendar (the union of their dates) and each pair (i, j), i != j, gets
    the Pearson correlation over the dates both have; pairs with fewer than ``min_overlap`` common dates are
    not estimated.

    Without ``event_dates`` the result is the mean of the estimated correlations. With ``event_dates``, only
    pairs whose event windows share at least one calendar date are cross-correlated in the event window; the
    others contribute zero. The result is then the mean over all ``N (N - 1)`` ordered pairs with those zeros,
    i.e. ``(share of pairs whose windows overlap) * (mean estimated correlation among them)``, so that
    ``1 + (N - 1) r`` is the variance inflation of a sum of N standardized CARs (Kolari & Pynnönen 2010).
    Overlapping pairs whose correlation could not be estimated are taken at the mean of those that could.

    Parameters
    ----------
    residuals : array_like, shape (N, L)
        Estimation-window residuals, NaN where missing.
    dates : array_like of datetime64, shape (N, L)
        Calendar dates of the residuals, NaT where padded.
    event_dates : array_like of datetime64, shape (N, L2), optional
        Calendar dates of each pair's event window.
    min_overlap : int
        Fewest common dates for a pair's correlation to be estimated.

    Returns
    -------
    float
        The mean correlation r; 0.0 when no two event windows overlap; NaN when no pair that should count
        has enough common dates.

    References
    ----------
    Kolari, J. W., Pynnönen, S. (2010). Event study testing with cross-sectional correlation of abnormal
    returns. Review of Financial Studies 23(11), 3996-4025.
    """
    residuals = np.asarray(residuals, dtype=float)
    n = residuals.shape[0]
    corr, common = _pairwise_correlation(_align_on_dates(residuals, np.asarray(dates, dtype="datetime64[D]")))
    off_diagonal = ~np.eye(n, dtype=bool)
    if event_dates is None:
        counted = off_diagonal
    else:
        event_dates = np.asarray(event_dates, dtype="datetime64[D]")
        in_window = ~np.isnan(_align_on_dates(np.zeros(event_dates.shape), event_dates))
        windows_overlap = (in_window.astype(float) @ in_window.T.astype(float)) > 0
        counted = off_diagonal & windows_overlap
    if not counted.any():
        return 0.0 if event_dates is not None else float("nan")
    estimated = counted & (common >= min_overlap) & np.isfinite(corr)
    if not estimated.any():
        return float("nan")
    return float(corr[estimated].mean() * counted.sum() / off_diagonal.sum())


def _clustering_correlation(sample: Sample) -> float:
    """Kolari-Pynnönen mean correlation r of a sample's pairs (calendar-aligned, overlapping windows)."""
    _require(sample.n >= 2, f"needs at least 2 pairs, got {sample.n}", sample.n)
    r = mean_pairwise_correlation(sample.estimation_ar, sample.estimation_dates, event_dates=sample.event_dates)
    _require(
        np.isfinite(r),
        f"no pair of overlapping event windows has {MIN_CORRELATION_OVERLAP} common estimation dates",
        sample.n,
    )
    _require(1 + (sample.n - 1) * r > 0, f"mean correlation r = {r:.3g} gives a non-positive variance", sample.n)
    return r


# --------------------------------------------------------------------------------------------------------------
# Parametric tests


@_test
def cross_sectional_t(sample: Sample) -> _Outcome:
    """Cross-sectional t test of the CAAR.

    ``t = CAAR / (s(CAR_i) / sqrt(N))`` with ``s`` the cross-sectional standard deviation of the CARs,
    Student t with ``N - 1`` degrees of freedom.

    Parameters
    ----------
    sample : Sample
        The pairs; those with a missing CAR are left out.

    Returns
    -------
    TestResult

    References
    ----------
    Brown, S. J., Warner, J. B. (1985). Using daily stock returns: the case of event studies. Journal of
    Financial Economics 14, 3-31.
    """
    car = _finite_car(sample)
    t, df = _one_sample_t(car, "CAR")
    return t, _student_p(t, df), car.size, df


@_test
def crude_dependence_t(sample: Sample) -> _Outcome:
    """Time-series (portfolio) t test with the Brown-Warner crude dependence adjustment.

    The variance of the average AR comes from the estimation-window time series of the equally weighted
    portfolio's mean AR, ``AAR_t`` (mean over the pairs observed on event-time day ``t``), so that
    cross-correlation between the pairs is accounted for. With ``S`` the standard deviation of ``AAR_t`` over
    the ``D`` estimation days with data::

        t = CAAR / (sqrt(L2) * S),  Student t with D - 1 degrees of freedom.

    Parameters
    ----------
    sample : Sample
        The pairs; those with a missing CAR are left out. ``estimation_ar`` columns must be in event time.

    Returns
    -------
    TestResult

    References
    ----------
    Brown, S. J., Warner, J. B. (1980). Measuring security price performance. Journal of Financial Economics
    8, 205-258.
    Brown, S. J., Warner, J. B. (1985). Journal of Financial Economics 14, 3-31.
    """
    sub = sample.select(np.isfinite(sample.car))
    _require(sub.n >= 1, "no pair has a finite CAR", 0)
    portfolio, counts = _column_means(sub.estimation_ar)
    portfolio = portfolio[counts > 0]
    _require(
        portfolio.size >= MIN_ESTIMATION_DAYS,
        f"needs at least {MIN_ESTIMATION_DAYS} estimation days, got {portfolio.size}",
        sub.n,
    )
    spread = portfolio.std(ddof=1)
    _require(spread > 0, "the portfolio AR does not vary over the estimation window", sub.n)
    t = sub.car.mean() / (np.sqrt(sub.window_length) * spread)
    df = float(portfolio.size - 1)
    return t, _student_p(t, df), sub.n, df


def _patell(sample: Sample) -> tuple[float, Sample]:
    """Patell Z and the pairs it used."""
    sub, scar = sample.standardized
    return float(scar.sum() / np.sqrt(np.sum(sub.dof / (sub.dof - 2)))), sub


def _bmp(sample: Sample) -> tuple[float, float, Sample]:
    """BMP t, its degrees of freedom and the pairs it used."""
    sub, scar = sample.standardized
    t, df = _one_sample_t(scar, "standardized CAR")
    return t, df, sub


@_test
def patell_z(sample: Sample) -> _Outcome:
    """Patell's standardized-residual Z test.

    ``Z = sum_i SCAR_i / sqrt(sum_i dof_i / (dof_i - 2))`` with ``SCAR_i = CAR_i / sqrt(Var(CAR_i))`` (the
    forecast-error-corrected variance) and ``dof_i`` each pair's own model degrees of freedom (``L1 - 2`` for
    the market model, so the term is ``(L1 - 2) / (L1 - 4)``); standard normal.

    Parameters
    ----------
    sample : Sample
        The pairs; those without a finite CAR, a positive CAR variance and sigma, and ``dof > 2`` are left out.

    Returns
    -------
    TestResult

    References
    ----------
    Patell, J. M. (1976). Corporate forecasts of earnings per share and stock price behavior: empirical tests.
    Journal of Accounting Research 14(2), 246-276.
    """
    z, sub = _patell(sample)
    return z, _normal_p(z), sub.n, None


@_test
def bmp_t(sample: Sample) -> _Outcome:
    """Standardized cross-sectional t test of Boehmer, Musumeci & Poulsen (BMP).

    ``t = mean(SCAR_i) * sqrt(N) / s(SCAR_i)``, Student t with ``N - 1`` degrees of freedom; robust to
    event-induced variance because the spread of the SCARs is estimated across pairs.

    Parameters
    ----------
    sample : Sample
        The pairs; those without a finite CAR, a positive CAR variance and sigma, and ``dof > 2`` are left out.

    Returns
    -------
    TestResult

    References
    ----------
    Boehmer, E., Musumeci, J., Poulsen, A. B. (1991). Event-study methodology under conditions of
    event-induced variance. Journal of Financial Economics 30, 253-272.
    """
    t, df, sub = _bmp(sample)
    return t, _student_p(t, df), sub.n, df


@_test
def kolari_pynnonen_bmp(sample: Sample) -> _Outcome:
    """BMP t adjusted for cross-correlation under event-date clustering (Kolari & Pynnönen 2010).

    ``t_adj = t_BMP * sqrt((1 - r) / (1 + (N - 1) r))``, Student t with ``N - 1`` degrees of freedom, where
    ``r`` is :func:`mean_pairwise_correlation` of the pairs' estimation-window residuals aligned on calendar
    dates, counting only pairs whose event windows overlap.

    Parameters
    ----------
    sample : Sample
        The pairs (as for :func:`bmp_t`).

    Returns
    -------
    TestResult

    References
    ----------
    Kolari, J. W., Pynnönen, S. (2010). Event study testing with cross-sectional correlation of abnormal
    returns. Review of Financial Studies 23(11), 3996-4025.
    """
    t, df, sub = _bmp(sample)
    r = sub.clustering_correlation
    t_adj = t * np.sqrt((1 - r) / (1 + (sub.n - 1) * r))
    return t_adj, _student_p(t_adj, df), sub.n, df


@_test
def kolari_pynnonen_patell(sample: Sample) -> _Outcome:
    """Patell Z adjusted for cross-correlation under event-date clustering (Kolari & Pynnönen 2010).

    ``Z_adj = Z_Patell / sqrt(1 + (N - 1) r)``, standard normal, with ``r`` as in
    :func:`kolari_pynnonen_bmp`. Unlike the BMP adjustment there is no ``(1 - r)`` factor: Patell's variance
    comes from each pair's own time series, not from the cross-sectional spread that correlation shrinks.

    Parameters
    ----------
    sample : Sample
        The pairs (as for :func:`patell_z`).

    Returns
    -------
    TestResult

    References
    ----------
    Kolari, J. W., Pynnönen, S. (2010). Review of Financial Studies 23(11), 3996-4025.
    """
    z, sub = _patell(sample)
    r = sub.clustering_correlation
    z_adj = z / np.sqrt(1 + (sub.n - 1) * r)
    return z_adj, _normal_p(z_adj), sub.n, None


@_test
def skewness_corrected_t(sample: Sample) -> _Outcome:
    """Skewness-corrected t test of the CAAR (Hall 1992 transformation).

    With ``S = CAAR / s(CAR_i)`` and the sample skewness
    ``gamma = N / ((N - 1)(N - 2)) * sum_i (CAR_i - CAAR)^3 / s^3``::

        t = sqrt(N) * (S + gamma S^2 / 3 + gamma^2 S^3 / 27 + gamma / (6 N)),

    the form used by the EventStudyTools (Schimmer, Levchenko & Müller) implementation, referred to a
    Student t with ``N - 1`` degrees of freedom.

    Parameters
    ----------
    sample : Sample
        The pairs; those with a missing CAR are left out. Needs N >= 3.

    Returns
    -------
    TestResult

    References
    ----------
    Hall, P. (1992). On the removal of skewness by transformation. Journal of the Royal Statistical Society
    B 54(1), 221-228.
    """
    car = _finite_car(sample)
    n = car.size
    _require(n >= 3, f"needs at least 3 pairs with a finite CAR, got {n}", n)
    t_plain, df = _one_sample_t(car, "CAR")
    ratio = t_plain / np.sqrt(n)
    gamma = n / ((n - 1) * (n - 2)) * np.sum((car - car.mean()) ** 3) / car.std(ddof=1) ** 3
    t = np.sqrt(n) * (ratio + gamma * ratio**2 / 3 + gamma**2 * ratio**3 / 27 + gamma / (6 * n))
    return t, _student_p(t, df), n, df


# --------------------------------------------------------------------------------------------------------------
# Non-parametric tests


@_test
def corrado_rank(sample: Sample) -> _Outcome:
    """Corrado rank test, for a multi-day window in the form of Cowan (1992).

    Each pair's ARs over the combined estimation and event windows are ranked; the standardized ranks
    ``U_it = K_it / (M_i + 1) - 1/2`` (Corrado & Zivney 1992, which allows missing days) are averaged across
    pairs per event-time day into ``Ubar_t``; with ``S_U = sqrt(1/L sum_t (n_t / n) Ubar_t^2)`` over the
    ``L`` days with data::

        T = sum_{t in window} Ubar_t / (sqrt(L2) * S_U),  standard normal,

    which is Cowan's ``sqrt(L2) (Kbar - (L + 1)/2) / S_K`` written with standardized ranks.

    Parameters
    ----------
    sample : Sample
        The pairs; those with no event-window AR are left out. Columns must be in event time.

    Returns
    -------
    TestResult

    References
    ----------
    Corrado, C. J. (1989). A nonparametric test for abnormal security-price performance in event studies.
    Journal of Financial Economics 23, 385-395.
    Corrado, C. J., Zivney, T. L. (1992). The specification and power of the sign test in event study
    hypothesis tests using daily stock returns. Journal of Financial and Quantitative Analysis 27(3), 465-478.
    Cowan, A. R. (1992). Nonparametric event study tests. Review of Quantitative Finance and Accounting 2,
    343-358.
    """
    sub = sample.select(np.any(~np.isnan(sample.event_ar), axis=1))
    _require(sub.n >= 1, "no pair has an event-window AR", 0)
    estimation_days = int(np.sum(np.any(~np.isnan(sub.estimation_ar), axis=0)))
    _require(
        estimation_days >= MIN_ESTIMATION_DAYS,
        f"needs at least {MIN_ESTIMATION_DAYS} estimation days, got {estimation_days}",
        sub.n,
    )
    scores = _rank_scores(np.hstack([sub.estimation_ar, sub.event_ar]))
    ubar, spread, _ = _rank_profile(scores)
    window = ubar[-sub.window_length :]
    window = window[np.isfinite(window)]
    _require(spread > 0, "the mean ranks do not vary", sub.n)
    z = window.sum() / (np.sqrt(window.size) * spread)
    return z, _normal_p(z), sub.n, None


@_test
def grank(sample: Sample) -> _Outcome:
    """Generalized rank test GRANK of Kolari & Pynnönen (2011), with the CAR as one observation.

    Estimation-window ARs are standardized, ``SAR_it = AR_it / sigma_i``; the window's
    ``SCAR_i = CAR_i / sqrt(Var(CAR_i))`` is re-standardized across pairs, ``SCAR*_i = SCAR_i / s(SCAR)``, to
    remove event-induced volatility, and takes the place of the event window as one extra observation (day
    0). Standardized ranks ``U_it`` of these ``T = L1 + 1`` values per pair give ``Ubar_t`` and
    ``S_Ubar = sqrt(1/T sum_t (n_t / n) Ubar_t^2)`` (all T days, day 0 included)::

        Z = Ubar_0 / S_Ubar,  t = Z * sqrt((T - 2) / (T - 1 - Z^2)),  Student t with T - 2 dof.

    Valid under event-date clustering (the time series of mean ranks carries the cross-correlation) and
    event-induced volatility.

    Parameters
    ----------
    sample : Sample
        The pairs (as for :func:`bmp_t`); needs N >= 2. Columns must be in event time.

    Returns
    -------
    TestResult

    References
    ----------
    Kolari, J. W., Pynnönen, S. (2011). Nonparametric rank tests for event studies. Journal of Empirical
    Finance 18(5), 953-971.
    """
    sub, scar = sample.standardized
    _require(sub.n >= 2, f"needs at least 2 pairs, got {sub.n}", sub.n)
    _require(np.ptp(scar) > 0, "the standardized CAR does not vary across pairs", sub.n)
    restandardized = scar / scar.std(ddof=1)
    scores = _rank_scores(np.column_stack([sub.estimation_ar / sub.sigma[:, None], restandardized]))
    ubar, spread, n_days = _rank_profile(scores)
    _require(
        n_days - 1 >= MIN_ESTIMATION_DAYS,
        f"needs at least {MIN_ESTIMATION_DAYS} estimation days, got {n_days - 1}",
        sub.n,
    )
    z = ubar[-1] / spread
    t = z * np.sqrt((n_days - 2) / (n_days - 1 - z**2))
    df = float(n_days - 2)
    return t, _student_p(t, df), sub.n, df


@_test
def generalized_sign(sample: Sample) -> _Outcome:
    """Generalized sign test of Cowan (1992).

    The expected share of positive CARs is the share of positive ARs in the estimation window,
    ``p = (1/N) sum_i (positive AR days of i) / (estimation days of i)``; with ``w`` positive CARs out of
    ``N``::

        Z = (w - N p) / sqrt(N p (1 - p)),  standard normal.

    Parameters
    ----------
    sample : Sample
        The pairs; those with a missing CAR or no estimation-window AR are left out.

    Returns
    -------
    TestResult

    References
    ----------
    Cowan, A. R. (1992). Nonparametric event study tests. Review of Quantitative Finance and Accounting 2,
    343-358.
    """
    days = np.sum(~np.isnan(sample.estimation_ar), axis=1)
    sub = sample.select(np.isfinite(sample.car) & (days > 0))
    _require(sub.n >= 1, "no pair has a finite CAR and estimation-window ARs", 0)
    positive_share = np.sum(sub.estimation_ar > 0, axis=1) / np.sum(~np.isnan(sub.estimation_ar), axis=1)
    p = positive_share.mean()
    _require(0 < p < 1, f"the estimation-window share of positive ARs is {p:g}", sub.n)
    w = np.sum(sub.car > 0)
    z = (w - sub.n * p) / np.sqrt(sub.n * p * (1 - p))
    return z, _normal_p(z), sub.n, None


@_test
def sign_test(sample: Sample) -> _Outcome:
    """Sign test of the CARs: are positive and negative CARs equally likely?

    With ``w`` positive CARs among the ``N`` non-zero ones, the statistic is the normal approximation
    ``Z = (w - N/2) / sqrt(N/4)``; the p-value is the exact two-sided binomial one (``Binomial(N, 1/2)``), which
    stays valid for small N.

    Parameters
    ----------
    sample : Sample
        The pairs; those with a missing or zero CAR are left out.

    Returns
    -------
    TestResult

    References
    ----------
    Brown, S. J., Warner, J. B. (1980). Journal of Financial Economics 8, 205-258.
    Cowan, A. R. (1992). Review of Quantitative Finance and Accounting 2, 343-358.
    """
    car = _finite_car(sample)
    car = car[car != 0]
    _require(car.size >= 1, "no pair has a non-zero CAR", 0)
    w = int(np.sum(car > 0))
    z = (w - car.size / 2) / np.sqrt(car.size / 4)
    return z, stats.binomtest(w, car.size, 0.5).pvalue, car.size, None


@_test
def wilcoxon_signed_rank(sample: Sample) -> _Outcome:
    """Wilcoxon signed-rank test of the CARs (symmetric around zero under the null).

    Zero CARs are dropped; ``W+`` is the sum of the ranks of ``|CAR_i|`` (average ranks for ties) over the
    positive CARs and the statistic is its normal approximation, with the tie correction and no continuity
    correction::

        Z = (W+ - N(N+1)/4) / sqrt(N(N+1)(2N+1)/24 - sum_ties (t^3 - t)/48),  standard normal.

    Matches ``scipy.stats.wilcoxon(car, method="approx")`` (whose z is ``-|Z|``).

    Parameters
    ----------
    sample : Sample
        The pairs; those with a missing or zero CAR are left out.

    Returns
    -------
    TestResult

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin 1(6), 80-83.
    Cowan, A. R. (1992). Review of Quantitative Finance and Accounting 2, 343-358.
    """
    car = _finite_car(sample)
    car = car[car != 0]
    n = car.size
    _require(n >= 1, "no pair has a non-zero CAR", 0)
    ranks = stats.rankdata(np.abs(car))
    _, tie_sizes = np.unique(ranks, return_counts=True)
    variance = n * (n + 1) * (2 * n + 1) / 24 - np.sum(tie_sizes**3 - tie_sizes) / 48
    z = (ranks[car > 0].sum() - n * (n + 1) / 4) / np.sqrt(variance)
    return z, _normal_p(z), n, None


@_test
def wild_bootstrap(
    sample: Sample,
    rng: np.random.Generator | int | None = None,
    *,
    replications: int = DEFAULT_REPLICATIONS,
    weights: Literal["rademacher", "mammen"] = "rademacher",
) -> _Outcome:
    """Wild-bootstrap p-value of the cross-sectional t test of the CAAR.

    Under the null the CARs are recentred, ``e_i = CAR_i - CAAR``; each replication multiplies them by one
    random weight per (event, security) pair, ``CAR*_i = w_i e_i`` (Rademacher: +-1 with probability 1/2;
    Mammen: ``-(sqrt(5) - 1)/2`` with probability ``(sqrt(5) + 1)/(2 sqrt(5))``, else ``(sqrt(5) + 1)/2``),
    and recomputes the t statistic. The p-value is ``(1 + #{|t*| >= |t|}) / (B + 1)``. Robust to
    heteroskedasticity across pairs, not to cross-correlation.

    Parameters
    ----------
    sample : Sample
        The pairs; those with a missing CAR are left out.
    rng : numpy.random.Generator, int or None
        Random generator, or a seed for one.
    replications : int
        Number of bootstrap replications B.
    weights : {"rademacher", "mammen"}
        Distribution of the weights.

    Returns
    -------
    TestResult
        The statistic is the cross-sectional t; ``df`` is None (the reference is the bootstrap distribution).

    References
    ----------
    Wu, C. F. J. (1986). Jackknife, bootstrap and other resampling methods in regression analysis. Annals of
    Statistics 14(4), 1261-1295.
    Mammen, E. (1993). Bootstrap and wild bootstrap for high dimensional linear models. Annals of Statistics
    21(1), 255-285.
    """
    if replications < 1:
        raise ValueError(f"replications must be positive, got {replications}")
    car = _finite_car(sample)
    t, _ = _one_sample_t(car, "CAR")
    generator = np.random.default_rng(rng)
    shape = (replications, car.size)
    if weights == "rademacher":
        draws = generator.choice(np.array([-1.0, 1.0]), size=shape)
    elif weights == "mammen":
        root5 = np.sqrt(5.0)
        low = generator.random(shape) < (root5 + 1) / (2 * root5)
        draws = np.where(low, -(root5 - 1) / 2, (root5 + 1) / 2)
    else:
        raise ValueError(f"weights must be 'rademacher' or 'mammen', got {weights!r}")
    t_star = _t_statistic(draws * (car - car.mean()))
    p = (1 + np.sum(np.abs(t_star) >= abs(t))) / (replications + 1)
    return t, p, car.size, None


def placebo_test(caar: float, tickers: np.ndarray, placebo: dict[str, np.ndarray], window: int) -> dict[str, object]:
    """Placebo p-value of a sample's CAAR: its rank among the CAARs of the same securities on pseudo-event dates.

    ``p = (1 + #{|CAAR_b| >= |CAAR|}) / (B + 1)`` over the B pseudo dates where at least one member is estimable.
    The pseudo dates are shared by all securities, so the placebo distribution keeps their cross-correlation
    (the reason for this test when every security shares the event date).

    References
    ----------
    Brown, S. J., Warner, J. B. (1985). Using daily stock returns: the case of event studies. JFE 14(1), 3-31.
    """
    draws = [placebo[ticker][:, window] for ticker in tickers if ticker in placebo]
    finite = np.array([])
    if draws:
        stacked = np.vstack(draws)
        counts = np.isfinite(stacked).sum(axis=0)
        finite = np.nansum(stacked, axis=0)[counts > 0] / counts[counts > 0]
    if finite.size == 0:
        return {
            "test": "placebo",
            "statistic": caar,
            "p_value": np.nan,
            "n": len(tickers),
            "df": np.nan,
            "note": "no pseudo-event date qualifies (placebo_replications = 0, or no clear dates)",
        }
    p_value = (1 + np.count_nonzero(np.abs(finite) >= abs(caar))) / (finite.size + 1)
    return {
        "test": "placebo",
        "statistic": caar,
        "p_value": p_value,
        "n": len(tickers),
        "df": np.nan,
        "note": f"CAAR against {finite.size} pseudo-event dates",
    }


# --------------------------------------------------------------------------------------------------------------
# All tests of a sample, and multiple testing

TESTS: dict[str, Callable[..., TestResult]] = {
    func.__name__: func
    for func in (
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
    )
}
"""The sample tests by name, in the order :func:`run_tests` reports them."""


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
    names = list(TESTS) if tests is None else list(tests)
    unknown = sorted(set(names) - set(TESTS))
    if unknown:
        raise ValueError(f"unknown tests {unknown}; choose from {list(TESTS)}")
    generator = np.random.default_rng(rng)
    results = [
        TESTS[name](sample, generator, replications=replications)
        if TESTS[name] is wild_bootstrap
        else TESTS[name](sample)
        for name in names
    ]
    table = pd.DataFrame([asdict(result) for result in results], columns=[f.name for f in fields(TestResult)])
    table = table.rename(columns={"name": "test"})
    return table.astype({"statistic": float, "p_value": float, "n": int, "df": float})


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg false-discovery-rate q-values.

    ``q_(k) = min_{j >= k} min(1, m p_(j) / j)`` over the ``m`` non-missing p-values sorted ascending. NaN
    p-values stay NaN and do not count in ``m``.

    Parameters
    ----------
    p_values : array_like
        p-values of all the tests of a run, any shape.

    Returns
    -------
    ndarray
        q-values, same shape.

    Raises
    ------
    ValueError
        If a p-value lies outside [0, 1].

    References
    ----------
    Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate: a practical and powerful approach
    to multiple testing. Journal of the Royal Statistical Society B 57(1), 289-300.
    """
    p = np.asarray(p_values, dtype=float)
    present = ~np.isnan(p)
    values = p[present]
    if np.any((values < 0) | (values > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    order = np.argsort(values)
    m = values.size
    scaled = values[order] * m / np.arange(1, m + 1)
    ranked_q = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    q = np.full(p.shape, np.nan)
    q_present = np.empty(m)
    q_present[order] = ranked_q
    q[present] = q_present
    return q
