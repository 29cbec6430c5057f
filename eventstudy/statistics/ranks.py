"""The Corrado (1989) rank test of any daily measure (abnormal volume, squared standardized ARs, daily ranges), on
every sample at once.

Each pair's values over the estimation window and the AR path are ranked together once, as Corrado (1989) ranks
the combined estimation and event period; the standardized ranks ``U_it = K_it / (M_i + 1) - 1/2`` (Corrado &
Zivney 1992, which allows missing days) are averaged per sample and event-time day into ``Ubar_t`` over the pairs
observed on day ``t``. For an event window ``W`` (each pair's own, in the path's columns)::

    S_U = sqrt(1/T sum_t (n_t / n) Ubar_t^2),   Z = sum_{t in W} Ubar_t / (sqrt(|W|) S_U),   standard normal,

over the ``T`` estimation and window days with data, ``n_t`` of the sample's ``n`` pairs observed on day ``t``:
Cowan's (1992) multi-day form, as :func:`eventstudy.statistics.corrado_rank` computes it from ranks over the
estimation and event windows only. Ranks make the test free of the measure's distribution (skewed volumes and
ranges, chi-squared ``AR^2``) and, through the time series of mean ranks, robust to the cross-correlation of
pairs that share an event date (Campbell & Wasley 1996 found it the better-specified volume test).

The per-sample sums (:func:`rank_partials`) add up over disjoint chunks of pairs, so the estimation-window values
need not outlive the chunk that computed them.

References
----------
Campbell, C. J., Wasley, C. E. (1996). Measuring abnormal daily trading volume for samples of NYSE/ASE and NASDAQ
securities using parametric and nonparametric test statistics. Review of Quantitative Finance and Accounting 6(3),
309-326.
Corrado, C. J. (1989). A nonparametric test for abnormal security-price performance in event studies. Journal of
Financial Economics 23, 385-395.
Corrado, C. J., Zivney, T. L. (1992). Journal of Financial and Quantitative Analysis 27(3), 465-478.
Cowan, A. R. (1992). Nonparametric event study tests. Review of Quantitative Finance and Accounting 2, 343-358.
"""

from __future__ import annotations

import numpy as np

from eventstudy.statistics.base import MIN_ESTIMATION_DAYS, Outcomes, normal_p
from eventstudy.statistics.samples import Membership, rank_scores

__all__ = ["RANK_DISTRIBUTION", "rank_partials", "rank_test"]

RANK_DISTRIBUTION = "standard normal (ranks over the estimation window and the AR path)"
"""Reference distribution of :func:`rank_test`, as the tables state it."""


def rank_partials(
    members: Membership, estimation_values: np.ndarray, path_values: np.ndarray, windows: list[np.ndarray]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per event window, per sample and day: the sum of the rank scores of its pairs with a value in the window,
    and how many there are.

    Parameters
    ----------
    members
        The samples over the P pairs.
    estimation_values : ndarray, shape (P, L1)
        The measure on the estimation days, in event time; NaN where missing.
    path_values : ndarray, shape (P, Lp)
        The measure on the AR path's days.
    windows : list of ndarray of bool, shape (P, Lp) each
        The path days of each pair's event window.

    Returns
    -------
    list of (ndarray, ndarray), shape (S, L1 + Lp) each
        Sums and counts over the estimation days and each pair's window days (its other path days left out).
        Adding the partials of disjoint sets of pairs gives those of their union.
    """
    combined = np.hstack([estimation_values, path_values])
    ranked = np.isfinite(path_values).any(axis=1) & (members.ids >= 0).any(axis=1)  # pairs some sample reads
    scores = np.full(combined.shape, np.nan)
    if ranked.any():
        scores[ranked] = rank_scores(combined[ranked])
    split = estimation_values.shape[1]
    estimation, path = scores[:, :split], scores[:, split:]
    # The estimation days' sums are the same in every window but for the pairs without a value in it: computed
    # once over every ranked pair, and those pairs taken out.
    everyone = members.restricted(ranked).column_sums(estimation)
    partials = []
    for window in windows:
        observed = np.asarray(np.isfinite(np.where(window, path_values, np.nan)).any(axis=1))
        sums, counts = everyone
        if (ranked & ~observed).any():
            absent = members.restricted(ranked & ~observed).column_sums(estimation)
            sums, counts = sums - absent[0], counts - absent[1]
        in_window = members.restricted(observed).column_sums(np.where(window, path, np.nan))
        partials.append((np.hstack([sums, in_window[0]]), np.hstack([counts, in_window[1]])))
    return partials


def rank_test(n: np.ndarray, sums: np.ndarray, counts: np.ndarray, estimation_days: int) -> Outcomes:
    """The rank test of every sample from its :func:`rank_partials` (see the module docstring).

    Parameters
    ----------
    n : ndarray of int, shape (S,)
        Pairs of each sample with a value in the window.
    sums, counts : ndarray, shape (S, L1 + Lp)
        The sample's partials; the first ``estimation_days`` columns are the estimation days.
    estimation_days
        L1.
    """
    out = Outcomes(n.size)
    out.fail(n < 1, "no pair has a value in the window", 0)
    observed = counts > 0
    days = observed[:, :estimation_days].sum(axis=1)
    notes = np.array([f"needs at least {MIN_ESTIMATION_DAYS} estimation days, got {d}" for d in days], dtype=object)
    out.fail(days < MIN_ESTIMATION_DAYS, notes, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        ubar = np.where(observed, sums / np.where(observed, counts, 1.0), 0.0)
        spread = np.sqrt(np.sum(counts / n[:, np.newaxis] * ubar**2, axis=1) / observed.sum(axis=1))
    out.fail(~(spread > 0), "the mean ranks do not vary", n)
    window = observed[:, estimation_days:]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = ubar[:, estimation_days:].sum(axis=1) / (np.sqrt(window.sum(axis=1)) * spread)
    return out.set(z, normal_p(z), n)
