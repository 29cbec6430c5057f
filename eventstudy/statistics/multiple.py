"""Multiple testing: Benjamini-Hochberg false-discovery-rate q-values over all the tests of a run."""

from __future__ import annotations

import numpy as np

__all__ = ["benjamini_hochberg"]


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
