"""Buy-and-hold abnormal returns (BHAR) over long windows and their tests, on every sample at once.

For a pair ``i`` and a window ``[tau1, tau2]`` of ``L`` trading days::

    BHAR_i = prod_{t=tau1..tau2} (1 + R_it) - prod_{t=tau1..tau2} (1 + R_bt)

with ``R_it`` the security's simple return and ``R_bt`` its benchmark's (the market index, or a reference
portfolio). A BHAR is what an investor earned by buying at the close before ``tau1`` and holding to the close of
``tau2``, in excess of holding the benchmark; unlike a CAR it compounds, so it is the measure of "did it last?".
A pair with any missing return in the window has no BHAR (NaN): compounding over a gap would silently treat the
missing day as a zero return.

Long-horizon BHARs are positively skewed (the product of ``L`` gross returns), which biases the conventional t
test; the tests here are the conventional t, the skewness-adjusted t of Lyon, Barber & Tsai (1999) and its
bootstrapped version (their recommended procedure). :data:`LONG_HORIZON_CAVEAT` states what these tests do not fix.

The tests run on every sample of a :class:`~eventstudy.statistics.samples.Membership` at once and fill an
:class:`~eventstudy.statistics.base.Outcomes` per test (NaN with a note, never an exception, when the data do not
allow it); :func:`bhar_t`, :func:`skewness_adjusted_t` and :func:`bootstrap_skewness_adjusted_t` run them on one
sample and give a :class:`~eventstudy.statistics.base.TestResult`.

References
----------
Barber, B. M., Lyon, J. D. (1997). Detecting long-run abnormal stock returns: the empirical power and
specification of test statistics. Journal of Financial Economics 43(3), 341-372.
Lyon, J. D., Barber, B. M., Tsai, C.-L. (1999). Improved methods for tests of long-run abnormal stock returns.
Journal of Finance 54(1), 165-201.
"""

from __future__ import annotations

import numpy as np

from eventstudy.statistics.base import Outcomes, TestResult, student_p
from eventstudy.statistics.samples import Membership
from eventstudy.statistics.tests import DEFAULT_REPLICATIONS, one_sample_statistic

__all__ = [
    "BHAR_TESTS",
    "LONG_HORIZON_CAVEAT",
    "MIN_RESAMPLE",
    "RESAMPLE_FRACTION",
    "bhar_t",
    "bhar_tests",
    "bootstrap_skewness_adjusted_t",
    "buy_and_hold_abnormal_return",
    "compound_return",
    "one_sample_t",
    "skewness_adjusted",
    "skewness_adjusted_t",
]

RESAMPLE_FRACTION = 0.25
"""Size of each bootstrap resample as a share of the sample, ``n_b = n / 4`` (Lyon, Barber & Tsai 1999)."""

MIN_RESAMPLE = 3
"""Fewest pairs in a bootstrap resample: the skewness of fewer than 3 values is not defined."""

#: The BHAR tests by name: (null hypothesis, reference distribution), in the order :func:`bhar_tests` gives them.
BHAR_TESTS: dict[str, tuple[str, str]] = {
    "bhar_t": ("mean BHAR = 0", "Student t, N - 1 df"),
    "skewness_adjusted_t": ("mean BHAR = 0", "Student t, N - 1 df"),
    "bootstrap_skewness_adjusted_t": ("mean BHAR = 0", "bootstrap of the skewness-adjusted t (resamples of N/4)"),
}

LONG_HORIZON_CAVEAT = (
    "Long-horizon abnormal returns are hard to test. BHARs are positively skewed, so the conventional t test "
    "is biased; the skewness-adjusted t and its bootstrap (Lyon, Barber & Tsai 1999) correct the skewness but "
    "not the rest. The benchmark matters: an index is not a matched reference portfolio, and new listings, "
    "rebalancing and the choice of index all bias BHARs (Barber & Lyon 1997). Pairs whose windows overlap in "
    "calendar time are cross-correlated, and every test here treats them as independent, so it overstates "
    "significance when events cluster (Mitchell & Stafford 2000). Over weeks, overlapping news makes it hard to "
    "attribute a BHAR to one event, and a model of expected returns that is slightly wrong every day compounds "
    "into a large error (Fama 1998): read long-window BHARs as descriptions, not as clean causal estimates."
)
"""Caveats of long-horizon inference, for the report page beside the BHAR tables.

References: Barber & Lyon (1997, JFE 43); Lyon, Barber & Tsai (1999, JF 54); Mitchell & Stafford (2000, JoB 73(3),
287-329); Fama (1998, JFE 49(3), 283-306).
"""


def compound_return(returns: np.ndarray) -> np.ndarray:
    """Compounded (buy-and-hold) return over the last axis, ``prod_t (1 + R_t) - 1``.

    Parameters
    ----------
    returns : array_like, shape (..., L)
        Simple returns, one column per day; ``L >= 1``.

    Returns
    -------
    ndarray, shape (...)
        The compounded return; NaN where any day is missing.

    Raises
    ------
    ValueError
        If there is no day (``L = 0``).
    """
    returns = np.asarray(returns, dtype=float)
    if returns.ndim == 0 or returns.shape[-1] == 0:
        raise ValueError("compound_return needs at least one day of returns")
    return np.prod(1.0 + returns, axis=-1) - 1.0


def buy_and_hold_abnormal_return(returns: np.ndarray, benchmark: np.ndarray) -> np.ndarray:
    """Buy-and-hold abnormal return of each pair over a window.

    ``BHAR_i = prod_t (1 + R_it) - prod_t (1 + R_bt)`` over the ``L`` days of the window (Barber & Lyon 1997,
    eq. 2; Lyon, Barber & Tsai 1999, eq. 1).

    Parameters
    ----------
    returns : array_like, shape (P, L)
        Simple returns of each pair's security over the window, in event time (column ``j`` is day
        ``tau1 + j``).
    benchmark : array_like, shape (P, L)
        The benchmark's simple returns on the same days.

    Returns
    -------
    ndarray, shape (P,)
        BHARs; NaN for a pair with any missing security or benchmark return in the window.

    Raises
    ------
    ValueError
        If the shapes differ or the window is empty.

    References
    ----------
    Barber, B. M., Lyon, J. D. (1997). Journal of Financial Economics 43(3), 341-372.
    Lyon, J. D., Barber, B. M., Tsai, C.-L. (1999). Journal of Finance 54(1), 165-201.
    """
    returns = np.asarray(returns, dtype=float)
    benchmark = np.asarray(benchmark, dtype=float)
    if returns.shape != benchmark.shape:
        raise ValueError(f"returns {returns.shape} and benchmark {benchmark.shape} must have the same shape")
    return compound_return(returns) - compound_return(benchmark)


def _each(template: str, values: np.ndarray) -> np.ndarray:
    """One note per sample from ``template`` formatted with each sample's value."""
    return np.array([template.format(value) for value in values.tolist()], dtype=object)


def _checked_moments(
    out: Outcomes, members: Membership, values: np.ndarray, what: str, fewest: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Membership]:
    """Count, mean and standard deviation (ddof 1) of the finite ``values`` of each sample, with the samples that
    have fewer than ``fewest`` of them or values that do not vary marked as failed."""
    finite = members.restricted(np.isfinite(values))
    n, mean, spread = finite.stds(values)
    out.fail(n < fewest, _each(f"needs at least {fewest} pairs with a finite {what}, got {{}}", n), n)
    out.fail(~(finite.spans(values) > 0), f"the {what} does not vary across pairs", n)
    return n, mean, spread, finite


def one_sample_t(members: Membership, values: np.ndarray, what: str) -> Outcomes:
    """Conventional one-sample t test of the mean of ``values`` in every sample.

    ``t = mean / (s / sqrt(n))`` over the finite values of the sample, Student t with ``n - 1`` degrees of freedom.

    Parameters
    ----------
    members
        The samples over the P pairs.
    values : ndarray, shape (P,)
        One value per pair (NaN: left out).
    what
        What the values are, for the notes (e.g. ``"BHAR"``).
    """
    out = Outcomes(members.size)
    t, df, n = one_sample_statistic(out, members.restricted(np.isfinite(values)), values, what)
    return out.set(t, student_p(t, df), n, df)


def skewness_adjusted(members: Membership, values: np.ndarray, what: str, centre: float = 0.0) -> Outcomes:
    """Skewness-adjusted t test of the mean of ``values`` against ``centre`` in every sample (Lyon, Barber & Tsai
    1999, eq. 5).

    With ``S = (mean - centre) / s`` and the skewness ``gamma = sum_i (x_i - mean)^3 / (n s^3)`` of the sample's
    finite values (``s`` with ddof 1)::

        t_sa = sqrt(n) * (S + gamma S^2 / 3 + gamma / (6 n)),

    the Edgeworth-expansion correction of Johnson (1978) as LBT write it, Student t with ``n - 1`` degrees of
    freedom. Unlike :func:`eventstudy.statistics.skewness_corrected_t` (Hall 1992) it has no ``gamma^2 S^3 / 27``
    term. Needs 3 values or more.

    References
    ----------
    Johnson, N. J. (1978). Modified t tests and confidence intervals for asymmetrical populations. Journal of
    the American Statistical Association 73(363), 536-544.
    Lyon, J. D., Barber, B. M., Tsai, C.-L. (1999). Journal of Finance 54(1), 165-201.
    """
    out = Outcomes(members.size)
    n, mean, spread, finite = _checked_moments(out, members, values, what, MIN_RESAMPLE)
    with np.errstate(invalid="ignore", divide="ignore"):
        gamma = finite.central_sums(values, 3, mean) / (n * spread**3)
        ratio = (mean - centre) / spread
        t = np.sqrt(n) * (ratio + gamma * ratio**2 / 3 + gamma / (6 * n))
    df = (n - 1).astype(float)
    return out.set(t, student_p(t, df), n, df)


def _lbt_statistic(draws: np.ndarray) -> np.ndarray:
    """Skewness-adjusted t of each row of ``draws`` (shape (B, n)) with the mean measured from 0, from its power
    sums (three passes over the draws: this runs on every resample). A row that does not vary gets ``+-inf`` (the
    sign of its mean; NaN for a mean of 0), the statistic's limit."""
    n = draws.shape[-1]
    squared = draws * draws
    first, second, third = draws.sum(axis=-1), squared.sum(axis=-1), (squared * draws).sum(axis=-1)
    mean = first / n
    spread_squared = np.maximum(second - n * mean**2, 0.0) / (n - 1)
    # Identical draws leave only rounding in ``second - n mean^2``.
    constant = spread_squared <= 1e-12 * second / n
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(spread_squared)
        ratio = mean / spread
        gamma = (third - 3 * mean * second + 2 * n * mean**3) / (n * spread**3)
        t = np.sqrt(n) * (ratio + gamma * ratio**2 / 3 + gamma / (6 * n))
    return np.where(constant, np.sign(mean) * np.where(mean == 0, np.nan, np.inf), t)


def _bootstrap(
    members: Membership,
    values: np.ndarray,
    rng: np.random.Generator | int | None,
    replications: int,
    resample_fraction: float,
) -> Outcomes:
    """The bootstrapped skewness-adjusted t of every sample (see :func:`bootstrap_skewness_adjusted_t`); a sample
    with the same values, in the same order, as an earlier one shares its bootstrap."""
    if replications < 1:
        raise ValueError(f"replications must be positive, got {replications}")
    if not 0 < resample_fraction <= 1:
        raise ValueError(f"resample_fraction must lie in (0, 1], got {resample_fraction}")
    analytic = skewness_adjusted(members, values, "BHAR")
    out = Outcomes(members.size)
    out.fail(analytic.failed, analytic.note, analytic.n)
    generator = np.random.default_rng(rng)
    finite = members.restricted(np.isfinite(values))
    sample, pair = finite.entries
    order = np.lexsort((pair, sample))
    per_sample = np.split(values[pair[order]], np.cumsum(np.bincount(sample, minlength=members.size))[:-1])
    p = np.full(members.size, np.nan)
    notes = np.full(members.size, "", dtype=object)
    seen: dict[bytes, int] = {}
    for index in np.flatnonzero(out.ok):  # one generator stream, consumed sample after sample
        drawn = per_sample[index]
        same = seen.setdefault(drawn.tobytes(), int(index))
        if same != index:  # the same values as an earlier sample (events on the same day): the same bootstrap
            p[index], notes[index] = p[same], notes[same]
            continue
        lbt_size = round(resample_fraction * drawn.size)
        size = max(MIN_RESAMPLE, lbt_size)
        # Resampled around the sample's mean, so that the null holds in the bootstrap world (the draws are those of
        # ``generator.choice(drawn, (B, size))``).
        centred = drawn - drawn.mean()
        t_star = _lbt_statistic(centred[generator.integers(0, drawn.size, size=(replications, size))])
        t_star = t_star[~np.isnan(t_star)]  # a constant resample equal to the sample mean has no direction
        if t_star.size == 0:
            notes[index] = "no bootstrap resample gave a statistic"
            continue
        t = analytic.statistic[index]
        tail = min(np.sum(t_star <= t), np.sum(t_star >= t))
        p[index] = min(1.0, 2.0 * (1 + tail) / (t_star.size + 1))
        if size > lbt_size:
            notes[index] = (
                f"resamples of {size} pairs ({resample_fraction:g} n = {resample_fraction * drawn.size:g} is too "
                "few for a skewness)"
            )
    out.fail(np.isnan(p) & out.ok, notes, analytic.n)
    out.set(analytic.statistic, p, analytic.n)
    out.note[out.ok] = notes[out.ok]
    return out


def bhar_tests(
    members: Membership,
    bhar: np.ndarray,
    rng: np.random.Generator | int | None = None,
    *,
    replications: int = DEFAULT_REPLICATIONS,
    resample_fraction: float = RESAMPLE_FRACTION,
) -> dict[str, Outcomes]:
    """The three BHAR tests (:data:`BHAR_TESTS`) of every sample: conventional t, skewness-adjusted t and its
    bootstrap (left out with ``replications=0``).

    Parameters
    ----------
    members
        The samples over the P pairs.
    bhar : ndarray, shape (P,)
        BHARs of the pairs (:func:`buy_and_hold_abnormal_return`); NaN leaves a pair out.
    rng
        Generator (or seed) of the bootstraps, drawn from sample after sample (a sample with the values of an
        earlier one, e.g. of an event on the same day, shares its bootstrap and draws nothing).
    replications, resample_fraction
        As in :func:`bootstrap_skewness_adjusted_t`.
    """
    values = np.asarray(bhar, dtype=float)
    outcomes = {
        "bhar_t": one_sample_t(members, values, "BHAR"),
        "skewness_adjusted_t": skewness_adjusted(members, values, "BHAR"),
    }
    if replications:
        outcomes["bootstrap_skewness_adjusted_t"] = _bootstrap(members, values, rng, replications, resample_fraction)
    return outcomes


def _single(bhar: np.ndarray) -> tuple[Membership, np.ndarray]:
    values = np.asarray(bhar, dtype=float).ravel()
    return Membership.single(values.size), values


def bhar_t(bhar: np.ndarray) -> TestResult:
    """Conventional t test of the mean BHAR of one sample (:func:`one_sample_t`); biased for long windows, where
    BHARs are positively skewed (Barber & Lyon 1997), and reported as the reference point for the adjusted tests.

    References
    ----------
    Barber, B. M., Lyon, J. D. (1997). Journal of Financial Economics 43(3), 341-372.
    """
    members, values = _single(bhar)
    return one_sample_t(members, values, "BHAR").result("bhar_t")


def skewness_adjusted_t(bhar: np.ndarray) -> TestResult:
    """Skewness-adjusted t test of the mean BHAR of one sample (:func:`skewness_adjusted`, Lyon, Barber & Tsai 1999,
    eq. 5)."""
    members, values = _single(bhar)
    return skewness_adjusted(members, values, "BHAR").result("skewness_adjusted_t")


def bootstrap_skewness_adjusted_t(
    bhar: np.ndarray,
    rng: np.random.Generator | int | None = None,
    *,
    replications: int = DEFAULT_REPLICATIONS,
    resample_fraction: float = RESAMPLE_FRACTION,
) -> TestResult:
    """Bootstrapped skewness-adjusted t test of the mean BHAR of one sample (Lyon, Barber & Tsai 1999, III.B).

    ``B`` resamples of ``n_b = round(resample_fraction * n)`` BHARs are drawn with replacement from the sample
    (LBT: ``n_b = n / 4``); each gives ``t*_b``, the skewness-adjusted t of the resample with its mean measured
    from the sample mean (so that the null holds in the bootstrap world)::

        S*_b = (mean*_b - mean) / s*_b,   t*_b = sqrt(n_b) (S*_b + gamma*_b S*_b^2 / 3 + gamma*_b / (6 n_b)).

    The statistic is the sample's :func:`skewness_adjusted_t`; the two-sided p-value is equal-tailed from the
    bootstrap distribution, ``p = min(1, 2 min(1 + #{t* <= t}, 1 + #{t* >= t}) / (B + 1))``, so that the test
    rejects at level ``alpha`` when ``t_sa`` lies beyond the ``alpha/2`` or ``1 - alpha/2`` quantile of ``t*``
    (LBT's critical values). ``n_b`` is raised to 3 (the fewest for a skewness) when ``round(n / 4)`` is smaller,
    i.e. for samples of 10 pairs or fewer, and the note says so. A resample of identical values has ``t* = +-inf``
    (the limit of the statistic).

    Parameters
    ----------
    bhar : array_like, shape (P,)
        BHARs of the sample; NaNs are left out. Needs 3 or more.
    rng : numpy.random.Generator, int or None
        Random generator, or a seed for one.
    replications : int
        Number of resamples ``B``.
    resample_fraction : float
        ``n_b / n``, in (0, 1].

    Returns
    -------
    TestResult
        ``df`` is None (the reference is the bootstrap distribution).

    Raises
    ------
    ValueError
        For ``replications < 1`` or ``resample_fraction`` outside (0, 1].

    References
    ----------
    Lyon, J. D., Barber, B. M., Tsai, C.-L. (1999). Journal of Finance 54(1), 165-201.
    Sutton, C. D. (1993). Computer-intensive methods for tests about the mean of an asymmetrical distribution.
    Journal of the American Statistical Association 88(423), 802-810.
    """
    members, values = _single(bhar)
    outcomes = _bootstrap(members, values, rng, replications, resample_fraction)
    return outcomes.result("bootstrap_skewness_adjusted_t")
