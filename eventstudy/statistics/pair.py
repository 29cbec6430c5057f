"""Tests of one (event, security) pair: the t test of its CAR and the SQ test, vectorized over pairs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.statistics.base import student_p
from eventstudy.statistics.samples import Sample

__all__ = ["car_t_test", "pair_statistics", "sq_test"]


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
    p = np.where(valid, student_p(np.where(valid, t, 0.0), np.where(valid, dof, 1.0)), np.nan)
    return t, p


def sq_test(car: np.ndarray, estimation_ar: np.ndarray, window_length: int) -> np.ndarray:
    """SQ-test p-value of each pair's CAR, without assuming normal returns (vectorized over pairs).

    The null distribution of a pair's ``L2``-day CAR is the empirical distribution of the sums of its own
    estimation-window residuals over every ``L2``-day sub-window of consecutive estimation days (overlapping
    sub-windows; a sub-window containing a missing residual is skipped). With ``M_i`` such sums, ``b_i`` of
    them ``<= CAR_i`` and ``a_i`` of them ``>= CAR_i``, the two-sided equal-tailed p-value is::

        p_i = min(1, 2 * (min(b_i, a_i) + 1) / (M_i + 1))

    i.e. the rank p-value of the CAR among the ``M_i + 1`` values made of the sums and the CAR itself, so
    ``p_i <= alpha`` exactly when at most ``alpha (M_i + 1) / 2 - 1`` of the sums lie at or beyond the CAR on the
    side where fewer do (``min(b_i, a_i)``).

    The SQ test of Gelbach, Helland & Klick (2013) compares the CAR with the empirical alpha/2 and 1 - alpha/2
    quantiles of the sums alone; as a rank, it rejects when at most ``alpha M_i / 2`` of the ``M_i`` sums lie at or
    beyond the CAR. Counting the CAR among the values, as here, asks for ``1 - alpha/2`` fewer: the test never
    rejects where the paper's rule does not, and accepts where it rejects only when the count is the last one the
    paper's rule allows (for ``M_i = 248`` and alpha = 0.05: 6 sums beyond the CAR are rejected there, while here
    ``p_i = 14 / 249 = 0.056``). In exchange the p-value is a valid rank p-value when the CAR and the sums are
    exchangeable under the null, and never zero. Its floor is ``2 / (M_i + 1)`` (about 0.008 for a 250-day
    estimation window), so with short estimation windows the test cannot reach small levels.

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
