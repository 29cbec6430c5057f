"""What every test shares: two-sided p-values, the result of one test, and the outcomes of a test on many samples.

A test computed for S samples at once fills an :class:`Outcomes`: one statistic, p-value, pair count, degrees of
freedom and note per sample. A sample that does not allow the test is marked with :meth:`Outcomes.fail` and the
reason, in the order the test checks its requirements (the first unmet requirement is the one reported), and keeps
NaN; a test never raises for lack of data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "MIN_CORRELATION_OVERLAP",
    "MIN_ESTIMATION_DAYS",
    "Outcomes",
    "TestResult",
    "normal_p",
    "student_p",
]

MIN_ESTIMATION_DAYS = 3
"""Fewest estimation-window days with data for tests that estimate a variance from that time series."""

MIN_CORRELATION_OVERLAP = 30
"""Fewest common calendar dates for a pair of residual series to enter the mean pairwise correlation."""


def normal_p(z: np.ndarray | float) -> np.ndarray:
    """Two-sided p-value of a standard normal statistic."""
    from scipy import stats

    return np.asarray(2.0 * stats.norm.sf(np.abs(z)))


def student_p(t: np.ndarray | float, df: np.ndarray | float) -> np.ndarray:
    """Two-sided p-value of a Student t statistic."""
    from scipy import stats

    return np.asarray(2.0 * stats.t.sf(np.abs(t), df))


@dataclass(frozen=True)
class TestResult:
    """Outcome of one test on one sample.

    Attributes
    ----------
    name : str
        Name of the test.
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


class Outcomes:
    """The outcomes of one test on ``size`` samples, filled requirement by requirement.

    Parameters
    ----------
    size
        Number of samples S.
    """

    def __init__(self, size: int) -> None:
        self.statistic = np.full(size, np.nan)
        self.p_value = np.full(size, np.nan)
        self.n = np.zeros(size, dtype=np.int64)
        self.df = np.full(size, np.nan)
        self.note = np.full(size, "", dtype=object)
        self.failed = np.zeros(size, dtype=bool)

    @property
    def ok(self) -> np.ndarray:
        """Samples that meet every requirement checked so far."""
        return ~self.failed

    def fail(self, unmet: np.ndarray, reason: str | np.ndarray, n: np.ndarray | int) -> None:
        """Mark the samples where ``unmet`` is true (and nothing failed before) as not computable.

        ``reason`` is one text, or one text per sample; ``n`` the pairs the test had when it stopped.
        """
        new = unmet & ~self.failed
        if not new.any():
            return
        self.note[new] = reason if isinstance(reason, str) else np.asarray(reason, dtype=object)[new]
        self.n[new] = np.broadcast_to(np.asarray(n), new.shape)[new]
        self.failed |= new

    def set(
        self,
        statistic: np.ndarray,
        p_value: np.ndarray,
        n: np.ndarray,
        df: np.ndarray | None = None,
    ) -> Outcomes:
        """Fill the samples that met every requirement (values for the others are ignored)."""
        ok = self.ok
        self.statistic[ok] = np.asarray(statistic, dtype=float)[ok]
        self.p_value[ok] = np.asarray(p_value, dtype=float)[ok]
        self.n[ok] = np.asarray(n)[ok]
        if df is not None:
            self.df[ok] = np.asarray(df, dtype=float)[ok]
        return self

    def result(self, name: str, sample: int = 0) -> TestResult:
        """The :class:`TestResult` of one sample."""
        df = self.df[sample]
        return TestResult(
            name,
            float(self.statistic[sample]),
            float(self.p_value[sample]),
            int(self.n[sample]),
            None if not np.isfinite(df) or self.failed[sample] else float(df),
            str(self.note[sample]),
        )
