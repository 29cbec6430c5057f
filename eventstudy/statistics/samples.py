"""Samples of (event, security) pairs: one sample on its own (:class:`Sample`), or many over shared pairs
(:class:`Membership`), with the grouped sums the tests are built from.

A study has hundreds of samples (one event's securities of one group, all groups, a group across events, ...) over
the same pairs, each pair in a few of them. :class:`Membership` records, for every pair, the samples it belongs to;
its sums run over all samples at once (``numpy.bincount`` and a sparse matrix product), so no test loops over
samples or pairs in Python.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields, replace

import numpy as np
import numpy.typing as npt

__all__ = ["Membership", "Sample", "rank_scores"]


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
        coerce: dict[str, npt.DTypeLike] = {
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
        if self.event_id is not None and self.security_id is not None:
            if len(self.event_id) != n or len(self.security_id) != n:
                raise ValueError(f"event_id and security_id must have length {n}")
            keys = list(zip(self.event_id.tolist(), self.security_id.tolist(), strict=True))
            if len(set(keys)) != n:
                duplicated = sorted({key for key in keys if keys.count(key) > 1})[:5]
                raise ValueError(f"duplicated (event, security) pairs: {duplicated}")

    @property
    def n(self) -> int:
        """Number of pairs N."""
        return int(self.car.shape[0])

    @property
    def window_length(self) -> int:
        """Number of event-window days L2."""
        return int(self.event_ar.shape[1])

    def select(self, mask: np.ndarray) -> Sample:
        """Return the sample restricted to the pairs where ``mask`` is true."""
        return replace(
            self, **{f.name: getattr(self, f.name)[mask] for f in fields(self) if getattr(self, f.name) is not None}
        )


@dataclass(frozen=True, eq=False)
class Membership:
    """The samples each of P pairs belongs to: ``ids[p, k]`` is the k-th sample of pair p (-1: none), among
    ``size`` samples. A pair is at most once in a sample.

    Sums over the pairs of each sample run over all samples at once, in the order of the pairs.
    """

    ids: np.ndarray
    size: int

    @classmethod
    def single(cls, pairs: int) -> Membership:
        """One sample holding all ``pairs`` pairs."""
        return cls(np.zeros((pairs, 1), dtype=np.int64), 1)

    @property
    def pairs(self) -> int:
        """Number of pairs P."""
        return int(self.ids.shape[0])

    def restricted(self, keep: np.ndarray) -> Membership:
        """The same samples with only the pairs where ``keep`` is true."""
        return Membership(np.where(keep[:, np.newaxis], self.ids, -1), self.size)

    @functools.cached_property
    def entries(self) -> tuple[np.ndarray, np.ndarray]:
        """Sample and pair of every membership entry, in pair order."""
        pair, kind = np.nonzero(self.ids >= 0)
        return self.ids[pair, kind], pair

    def counts(self) -> np.ndarray:
        """Pairs in each sample, shape (S,)."""
        return np.bincount(self.entries[0], minlength=self.size)

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (one per pair) over the pairs of each sample, shape (S,)."""
        sample, pair = self.entries
        return np.bincount(sample, weights=values[pair], minlength=self.size)

    def means(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` over the pairs of each sample (NaN for an empty sample)."""
        counts = self.counts()
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.sums(values) / counts

    def central_sums(self, values: np.ndarray, power: int, centre: np.ndarray) -> np.ndarray:
        """``sum_i (values_i - centre_s)^power`` over the pairs of each sample (two-pass moments)."""
        sample, pair = self.entries
        return np.bincount(sample, weights=(values[pair] - centre[sample]) ** power, minlength=self.size)

    def stds(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Counts, means and standard deviations (``ddof=1``; NaN below 2 pairs) of ``values`` per sample."""
        counts = self.counts()
        means = self.means(values)
        with np.errstate(invalid="ignore", divide="ignore"):
            spread = np.sqrt(self.central_sums(values, 2, means) / (counts - 1))
        return counts, means, np.where(counts > 1, spread, np.nan)

    def spans(self, values: np.ndarray) -> np.ndarray:
        """``max - min`` of ``values`` per sample (0 for an empty sample)."""
        sample, pair = self.entries
        high = np.full(self.size, -np.inf)
        low = np.full(self.size, np.inf)
        np.maximum.at(high, sample, values[pair])
        np.minimum.at(low, sample, values[pair])
        return np.where(np.isfinite(high), high - low, 0.0)

    def column_sums(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per sample and column, the sum of the non-missing ``values`` (P, L) and how many there are: (S, L) each."""
        from scipy import sparse

        sample, pair = self.entries
        matrix = sparse.csr_matrix((np.ones(sample.size), (sample, pair)), shape=(self.size, self.pairs))
        present = ~np.isnan(values)
        return matrix @ np.where(present, values, 0.0), matrix @ present.astype(float)


def rank_scores(values: np.ndarray) -> np.ndarray:
    """Standardized ranks ``U_it = K_it / (M_i + 1) - 1/2`` within each row, NaN kept.

    ``K_it`` is the rank of ``values[i, t]`` among the ``M_i`` non-missing values of row ``i`` (ties get their
    average rank), as in Corrado & Zivney (1992) and Kolari & Pynnönen (2011); the scores have mean zero under
    the null whatever the number of missing values.
    """
    from scipy import stats

    ranks = stats.rankdata(values, axis=1, nan_policy="omit")
    m = np.sum(~np.isnan(values), axis=1, keepdims=True)
    return ranks / (m + 1) - 0.5
