"""Abnormal volatility around events, vectorized over (event, security) pairs and over samples.

(a) The variance ratio of event-window abnormal returns, ``U_it = AR_it^2 / Var(AR_it)`` (Beaver 1968; Patell &
Wolfson 1979), per pair averaged over the window, with an F reference per pair; per sample, a skewness-adjusted t of
its mean against 1 (the test of Landsman & Maydew 2002 with Johnson's 1978 correction, :func:`mean_ratio_tests`)
and the rank test of a daily volatility measure (:func:`eventstudy.statistics.ranks.rank_test`, e.g. of the
squared standardized ARs, :func:`volatility_rank`).
(b) A range-based ratio: Parkinson's (1980) daily variance from the high and the low,
``sigma^2_P,t = (log(H_t / L_t))^2 / (4 log 2)``, averaged over the event window and divided by its estimation
window average, with the SQ test per pair and the same sample tests.

References
----------
Beaver, W. H. (1968). The information content of annual earnings announcements. Journal of Accounting Research 6
(supplement), 67-92.
Johnson, N. J. (1978). Modified t tests and confidence intervals for asymmetrical populations. Journal of the
American Statistical Association 73(363), 536-544.
Landsman, W. R., Maydew, E. L. (2002). Has the information content of quarterly earnings announcements declined in
the past three decades? Journal of Accounting Research 40(3), 797-808.
Parkinson, M. (1980). The extreme value method for estimating the variance of the rate of return. Journal of
Business 53(1), 61-65.
Patell, J. M., Wolfson, M. A. (1979). Anticipated information releases reflected in call option prices. Journal of
Accounting and Economics 1(2), 117-140.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eventstudy.statistics.base import Outcomes, TestResult
from eventstudy.statistics.bhar import skewness_adjusted
from eventstudy.statistics.pair import sq_test
from eventstudy.statistics.ranks import rank_partials, rank_test
from eventstudy.statistics.samples import Membership

__all__ = [
    "RangeVolatility",
    "VarianceRatio",
    "mean_ratio_t",
    "mean_ratio_tests",
    "parkinson_variance",
    "range_volatility_ratio",
    "variance_ratio",
    "volatility_rank",
]


@dataclass(frozen=True)
class VarianceRatio:
    """Event-window variance ratio of each pair's abnormal returns.

    Attributes
    ----------
    ratio : ndarray, shape (P,)
        ``U_i = (1/|W_i|) sum_{t in W_i} AR_it^2 / Var(AR_it)`` over the observed window days ``W_i``.
    p_value : ndarray, shape (P,)
        Two-sided, equal-tailed p-value of ``U_i`` against ``F(|W_i|, dof_i)``.
    days : ndarray of int, shape (P,)
        ``|W_i|``.
    """

    ratio: np.ndarray
    p_value: np.ndarray
    days: np.ndarray


def variance_ratio(event_ar: np.ndarray, ar_variance: np.ndarray, dof: np.ndarray) -> VarianceRatio:
    """Abnormal-return variance ratio of each pair over a window (Beaver 1968's U; Patell & Wolfson 1979).

    ``U_it = AR_it^2 / Var(AR_it)`` is the squared standardized AR; with normal returns and no event effect each
    ``AR_it / sqrt(Var(AR_it))`` is Student t with the model's ``dof_i`` degrees of freedom, so ``U_it`` is
    ``F(1, dof_i)`` and the window average ``U_i`` is taken as ``F(|W_i|, dof_i)`` (exact for one day; for several
    days it ignores the small correlation the shared parameter estimates induce). ``U_i > 1`` means the
    returns moved more than the estimation window predicts. The p-value is equal-tailed two-sided,
    ``2 min(F(U_i), 1 - F(U_i))``; fat-tailed returns make it too small, which the sample tests
    (:func:`mean_ratio_tests`, :func:`eventstudy.statistics.ranks.rank_test`) do not assume away.

    Parameters
    ----------
    event_ar : array_like, shape (P, L)
        Abnormal returns of the window's days, NaN where missing.
    ar_variance : array_like, broadcastable to (P, L)
        Their variance: the prediction-error-corrected ``Var(AR_it)``, or ``sigma_i^2`` of shape (P, 1).
    dof : array_like, shape (P,)
        Residual degrees of freedom of each pair's model.

    Returns
    -------
    VarianceRatio

    References
    ----------
    Beaver, W. H. (1968). Journal of Accounting Research 6 (supplement), 67-92.
    Patell, J. M., Wolfson, M. A. (1979). Journal of Accounting and Economics 1(2), 117-140.
    """
    from scipy import stats

    ar = np.asarray(event_ar, dtype=float)
    variance = np.broadcast_to(np.asarray(ar_variance, dtype=float), ar.shape)
    dof = np.asarray(dof, dtype=float)
    usable = np.isfinite(ar) & np.isfinite(variance) & (variance > 0)
    days = usable.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(usable, ar**2 / np.where(usable, variance, 1.0), 0.0).sum(axis=1) / days
    valid = (days > 0) & np.isfinite(dof) & (dof > 0)
    ratio = np.where(valid, ratio, np.nan)
    safe = (np.where(valid, ratio, 1.0), np.where(valid, days, 1), np.where(valid, dof, 1.0))
    p = 2.0 * np.minimum(stats.f.cdf(*safe), stats.f.sf(*safe))
    return VarianceRatio(ratio=ratio, p_value=np.where(valid, np.minimum(p, 1.0), np.nan), days=days)


def parkinson_variance(high: np.ndarray, low: np.ndarray, *, stale: np.ndarray | None = None) -> np.ndarray:
    """Parkinson's (1980) daily variance from the high and the low, ``(log(H_t / L_t))^2 / (4 log 2)``.

    For a driftless Brownian log price it is unbiased for the day's variance and about five times as efficient
    as the squared close-to-close return (Parkinson 1980, eq. 4 and table 1). Split and dividend adjustments
    scale the high and the low alike, so raw or adjusted prices give the same value.

    Parameters
    ----------
    high, low : array_like, shape (P, L)
        Daily high and low prices, NaN where missing.
    stale : array_like of bool, shape (P, L), optional
        Stale days (no trade): not observations.

    Returns
    -------
    ndarray, shape (P, L)
        NaN where a price is missing or not positive, the low exceeds the high, or the day is stale.

    References
    ----------
    Parkinson, M. (1980). Journal of Business 53(1), 61-65.
    """
    high = np.asarray(high, dtype=float)
    low = np.asarray(low, dtype=float)
    valid = np.isfinite(high) & np.isfinite(low) & (low > 0) & (high >= low)
    if stale is not None:
        valid &= ~np.asarray(stale, dtype=bool)
    log_range = np.log(np.where(valid, high, 1.0) / np.where(valid, low, 1.0))
    return np.where(valid, log_range**2 / (4.0 * np.log(2.0)), np.nan)


@dataclass(frozen=True)
class RangeVolatility:
    """Range-based volatility ratio, event window against estimation window, of each pair.

    Attributes
    ----------
    ratio : ndarray, shape (P,)
        ``mean_{event} sigma^2_P / mean_{estimation} sigma^2_P`` over the observed days.
    p_value : ndarray, shape (P,)
        SQ-test p-value (Gelbach, Helland & Klick 2013) of the event window's summed Parkinson variance among
        the sums over every run of as many consecutive estimation days; NaN when an event day is missing.
    event_days, estimation_days : ndarray of int, shape (P,)
        Observed days in each window.
    """

    ratio: np.ndarray
    p_value: np.ndarray
    event_days: np.ndarray
    estimation_days: np.ndarray


def range_volatility_ratio(estimation_variance: np.ndarray, event_variance: np.ndarray) -> RangeVolatility:
    """Ratio of the event window's mean Parkinson variance to the estimation window's, with the SQ test.

    The per-pair test compares the event window's sum of daily Parkinson variances with the empirical
    distribution of the sums over every ``L2`` consecutive estimation days (:func:`eventstudy.statistics.sq_test`):
    it keeps the volatility clustering and fat tails of daily ranges that an F reference would assume away. Its
    p-value cannot fall below ``2 / (M + 1)``, about 0.008 with 240 estimation days.

    Parameters
    ----------
    estimation_variance : array_like, shape (P, L1)
        Daily Parkinson variances (:func:`parkinson_variance`) of the estimation days, in time order.
    event_variance : array_like, shape (P, L2)
        Those of the event window's days.

    Returns
    -------
    RangeVolatility

    References
    ----------
    Parkinson, M. (1980). Journal of Business 53(1), 61-65.
    Gelbach, J. B., Helland, E., Klick, J. (2013). American Law and Economics Review 15(2), 495-541.
    """
    estimation = np.asarray(estimation_variance, dtype=float)
    event = np.asarray(event_variance, dtype=float)
    estimation_days = np.sum(~np.isnan(estimation), axis=1)
    event_days = np.sum(~np.isnan(event), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        base = np.nansum(estimation, axis=1) / estimation_days
        ratio = np.nansum(event, axis=1) / event_days / base
    ratio = np.where((event_days > 0) & (base > 0), ratio, np.nan)
    complete = event_days == event.shape[1]
    p = sq_test(np.where(complete, event.sum(axis=1), np.nan), estimation, event.shape[1])
    return RangeVolatility(ratio=ratio, p_value=p, event_days=event_days, estimation_days=estimation_days)


def mean_ratio_tests(members: Membership, ratio: np.ndarray) -> Outcomes:
    """Test that the mean volatility ratio of every sample is 1, with a skewness-adjusted t.

    For the variance ratios of :func:`variance_ratio` (Beaver's U, whose mean Landsman & Maydew 2002 test
    against 1 with a t test) or the ratios of :func:`range_volatility_ratio`. The ratios are right-skewed (one day's
    ``U`` is about chi-squared with 1 degree of freedom), which makes the plain t reject too often, nearly always
    for a spurious *fall* in volatility: in a simulation of 20 pairs with normal one-day ratios it rejects 10% at
    a nominal 5%. The skewness adjustment of Johnson (1978), in the form of Lyon, Barber & Tsai (1999)
    (:func:`eventstudy.statistics.bhar.skewness_adjusted`), applied to ``U_i - 1`` brings that to 5%::

        S = (mean(U) - 1) / s(U),  gamma = sum (U_i - mean)^3 / (N s^3),
        t = sqrt(N) (S + gamma S^2 / 3 + gamma / (6 N)),  Student t with N - 1 degrees of freedom.

    It assumes independent pairs; under clustered event dates prefer the rank test.

    References
    ----------
    Landsman, W. R., Maydew, E. L. (2002). Journal of Accounting Research 40(3), 797-808.
    Johnson, N. J. (1978). Journal of the American Statistical Association 73(363), 536-544.
    Lyon, J. D., Barber, B. M., Tsai, C.-L. (1999). Journal of Finance 54(1), 165-201.
    """
    return skewness_adjusted(members, np.asarray(ratio, dtype=float) - 1.0, "volatility ratio")


def mean_ratio_t(ratio: np.ndarray) -> TestResult:
    """:func:`mean_ratio_tests` on one sample (NaNs left out; needs 3 ratios or more)."""
    values = np.asarray(ratio, dtype=float).ravel()
    return mean_ratio_tests(Membership.single(values.size), values).result("mean_ratio_t")


def volatility_rank(estimation_values: np.ndarray, event_values: np.ndarray) -> TestResult:
    """The rank test (:func:`eventstudy.statistics.ranks.rank_test`) of one sample's event-window volatility.

    Each pair's daily values (squared standardized ARs ``AR_t^2 / sigma_i^2``, or Parkinson variances) over the
    estimation and event windows are ranked; the event days' mean standardized rank across pairs is compared with
    the time series of mean ranks. Ranking ``AR^2`` is ranking ``|AR|``.

    Parameters
    ----------
    estimation_values : array_like, shape (P, L1)
        The measure on the estimation days, in event time; NaN where missing.
    event_values : array_like, shape (P, L2)
        The measure on the window's days.
    """
    estimation = np.asarray(estimation_values, dtype=float)
    event = np.asarray(event_values, dtype=float)
    members = Membership.single(estimation.shape[0])
    window = np.ones(event.shape, dtype=bool)
    sums, counts = rank_partials(members, estimation, event, [window])[0]
    n = members.restricted(np.isfinite(event).any(axis=1)).counts()
    return rank_test(n, sums, counts, estimation.shape[1]).result("volatility_rank")
