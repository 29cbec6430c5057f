"""The mean cross-correlation of residuals behind the Kolari-Pynnönen adjustment, in time linear in the pairs.

For a sample of N pairs, Kolari & Pynnönen (2010) need ``r``, the mean pairwise correlation of the pairs'
estimation-window residuals, counting only pairs whose event windows share a calendar date (others contribute
zero). Each correlation is pairwise complete: over the calendar dates both residual series have.

Computed pair by pair this is N² work and memory (about 67 bytes x N² for the "all events" sample). Here pairs are
gathered into *groups* that have residuals on exactly the same dates and event windows on the same dates (the
securities of one event on one exchange with complete data form one group). For two groups g and h the common dates
C are the same for every pair (i in g, j in h), and with ``z_i`` the residuals of i over C centred and scaled to
unit length, ``corr_ij = z_i . z_j``. So the sum of the correlations of all pairs of g with all pairs of h in a
sample is ``(sum_i z_i) . (sum_j z_j)``: linear in the pairs. Only group pairs whose event windows overlap are
visited, and the number of groups grows with events and exchanges, not with securities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eventstudy.statistics.base import MIN_CORRELATION_OVERLAP
from eventstudy.statistics.samples import Membership

__all__ = ["CorrelationSums", "correlation_sums", "mean_correlation", "mean_pairwise_correlation"]


@dataclass(frozen=True)
class CorrelationSums:
    """Per sample, over the ordered pairs (i, j), i != j, whose event windows overlap (``counted``): the sum of the
    correlations that could be estimated (``total``) and their number (``estimated``). Additive over disjoint sets of
    overlapping groups."""

    total: np.ndarray
    estimated: np.ndarray
    counted: np.ndarray

    def __add__(self, other: CorrelationSums) -> CorrelationSums:
        return CorrelationSums(self.total + other.total, self.estimated + other.estimated, self.counted + other.counted)


def _unit_rows(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows centred on their mean and scaled to unit length, and which rows vary (the others are zeros)."""
    centred = values - values.mean(axis=1, keepdims=True)
    length = np.sqrt(np.einsum("ij,ij->i", centred, centred))
    varies = length > 0
    return np.where(varies[:, np.newaxis], centred / np.where(varies, length, 1.0)[:, np.newaxis], 0.0), varies


def correlation_sums(
    residuals: np.ndarray,
    dates: np.ndarray,
    members: Membership,
    event_dates: np.ndarray | None = None,
    min_overlap: int = MIN_CORRELATION_OVERLAP,
) -> CorrelationSums:
    """The sums behind the mean pairwise correlation of every sample of ``members``.

    Parameters
    ----------
    residuals : ndarray, shape (P, L)
        Estimation-window residuals, NaN where missing.
    dates : ndarray of datetime64[D], shape (P, L)
        Calendar dates of the residuals, NaT where padded.
    members
        The samples over the P pairs.
    event_dates : ndarray of datetime64[D], shape (P, L2), optional
        Calendar dates of each pair's event window; without them every pair of pairs counts.
    min_overlap
        Fewest common dates for a correlation to be estimated.

    Returns
    -------
    CorrelationSums
    """
    from scipy import sparse

    size = members.size
    zero = CorrelationSums(np.zeros(size), np.zeros(size), np.zeros(size))
    active = np.flatnonzero((members.ids >= 0).any(axis=1))
    if active.size == 0:
        return zero
    values = residuals[active]
    when = np.asarray(dates, dtype="datetime64[D]")[active]
    valid = ~np.isnan(values) & ~np.isnat(when)
    calendar = np.unique(when[valid])
    rows, columns = np.nonzero(valid)
    place = np.searchsorted(calendar, when[valid])
    present = np.zeros((active.size, calendar.size), dtype=bool)
    present[rows, place] = True
    dense = np.zeros(present.shape)
    dense[rows, place] = values[rows, columns]
    keys = [np.packbits(present, axis=1)]
    if event_dates is not None:
        window = np.asarray(event_dates, dtype="datetime64[D]")[active]
        window_days = np.unique(window[~np.isnat(window)])
        in_window = np.zeros((active.size, window_days.size), dtype=bool)
        window_rows, _ = np.nonzero(~np.isnat(window))
        in_window[window_rows, np.searchsorted(window_days, window[~np.isnat(window)])] = True
        keys.append(np.packbits(in_window, axis=1))
    _, first, group = np.unique(np.hstack(keys), axis=0, return_index=True, return_inverse=True)
    group = group.ravel()
    days = present[first].astype(np.int64)
    common = days @ days.T
    overlap = np.ones(common.shape, dtype=bool)
    if event_dates is not None:
        shared = in_window[first].astype(np.int64)
        overlap = (shared @ shared.T) > 0

    sample, pair = np.nonzero(members.ids[active] >= 0)
    matrix = sparse.csc_matrix(
        (np.ones(sample.size), (members.ids[active][sample, pair], sample)), shape=(size, active.size)
    )
    total, estimated, counted = np.zeros(size), np.zeros(size), np.zeros(size)
    in_group = [np.flatnonzero(group == g) for g in range(first.size)]
    blocks = [matrix[:, rows] for rows in in_group]  # samples x pairs of each group
    member_counts = [np.asarray(block.sum(axis=1)).ravel() for block in blocks]

    def group_sums(g: int, span: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per sample: the sum of the unit-length residuals of g's pairs over ``span``, how many of them vary, and
        the sum of their squared lengths (1 for each that varies, up to rounding)."""
        unit, varies = _unit_rows(dense[in_group[g]][:, span])
        return blocks[g] @ unit, blocks[g] @ varies.astype(float), blocks[g] @ np.einsum("ij,ij->i", unit, unit)

    for g, h in zip(*np.nonzero(np.triu(overlap)), strict=True):
        if g == h:  # ordered pairs (i, j) of the same group, i != j
            counted += member_counts[g] * member_counts[g] - member_counts[g]
        else:  # (i in g, j in h) and (j, i)
            counted += 2.0 * member_counts[g] * member_counts[h]
        if common[g, h] < min_overlap:
            continue
        span = present[first[g]] & present[first[h]]
        sums_g, valid_g, lengths_g = group_sums(g, span)
        if g == h:
            total += np.einsum("ij,ij->i", sums_g, sums_g) - lengths_g
            estimated += valid_g * valid_g - valid_g
        else:
            sums_h, valid_h, _ = group_sums(h, span)
            total += 2.0 * np.einsum("ij,ij->i", sums_g, sums_h)
            estimated += 2.0 * valid_g * valid_h
    return CorrelationSums(total, estimated, counted)


def mean_correlation(sums: CorrelationSums, pairs: np.ndarray, windows: bool) -> np.ndarray:
    """The mean correlation r of each sample from its :class:`CorrelationSums` and its number of pairs N.

    ``r = (mean estimated correlation) * counted / (N (N - 1))``: pairs whose windows do not overlap count as
    zero, and counted pairs whose correlation could not be estimated are taken at the mean of those that could.
    With ``windows`` (event windows given), a sample with no overlapping pair has r = 0; otherwise it has NaN. A
    sample with no estimated correlation has NaN.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        r = sums.total / sums.estimated * sums.counted / (pairs * (pairs - 1.0))
    r = np.where(sums.estimated > 0, r, np.nan)
    return np.where(sums.counted > 0, r, 0.0 if windows else np.nan)


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
    Computed by :func:`correlation_sums`, in time linear in N.

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
    values = np.asarray(residuals, dtype=float)
    members = Membership.single(values.shape[0])
    sums = correlation_sums(values, np.asarray(dates), members, event_dates, min_overlap)
    return float(mean_correlation(sums, members.counts().astype(float), event_dates is not None)[0])
