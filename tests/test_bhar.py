"""Buy-and-hold abnormal returns and the Lyon, Barber & Tsai (1999) tests, against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from eventstudy.statistics import Membership
from eventstudy.statistics.bhar import (
    BHAR_TESTS,
    LONG_HORIZON_CAVEAT,
    bhar_t,
    bhar_tests,
    bootstrap_skewness_adjusted_t,
    buy_and_hold_abnormal_return,
    compound_return,
    skewness_adjusted_t,
)

SMALL_SAMPLE = [0.10, -0.05, 0.30, 0.02, 0.0, -0.12, 0.45, 0.07]


def lbt_by_hand(values: list[float], centre: float = 0.0) -> float:
    """LBT (1999) eq. 5 written out with plain Python sums."""
    n = len(values)
    mean = sum(values) / n
    s = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    gamma = sum((v - mean) ** 3 for v in values) / (n * s**3)
    ratio = (mean - centre) / s
    return math.sqrt(n) * (ratio + gamma * ratio**2 / 3 + gamma / (6 * n))


def test_bhar_equals_a_hand_computation() -> None:
    # Security: 1.10 * 0.95 * 1.02 = 1.0659; benchmark: 1.01^3 = 1.030301.
    returns = np.array([[0.10, -0.05, 0.02], [0.01, 0.02, -0.03]])
    benchmark = np.array([[0.01, 0.01, 0.01], [0.0, 0.0, 0.0]])
    bhar = buy_and_hold_abnormal_return(returns, benchmark)
    assert bhar[0] == pytest.approx(1.0659 - 1.030301, abs=1e-15)
    assert bhar[1] == pytest.approx(1.01 * 1.02 * 0.97 - 1.0, abs=1e-15)
    # It compounds: not the sum of the daily differences (the CAR of market-adjusted returns).
    assert bhar[0] != pytest.approx((returns[0] - benchmark[0]).sum(), abs=1e-4)


def test_a_missing_day_gives_no_bhar() -> None:
    returns = np.array([[0.01, np.nan, 0.02], [0.01, 0.01, 0.01]])
    benchmark = np.array([[0.0, 0.0, 0.0], [0.0, np.nan, 0.0]])
    assert np.isnan(buy_and_hold_abnormal_return(returns, benchmark)).all()
    assert compound_return(np.array([0.1, 0.1])) == pytest.approx(0.21, abs=1e-15)


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="same shape"):
        buy_and_hold_abnormal_return(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="at least one day"):
        compound_return(np.zeros((2, 0)))


def test_conventional_t_is_the_one_sample_t() -> None:
    result = bhar_t(np.array([*SMALL_SAMPLE, np.nan]))
    reference = stats.ttest_1samp(SMALL_SAMPLE, 0.0)
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-12)
    assert (result.n, result.df) == (len(SMALL_SAMPLE), len(SMALL_SAMPLE) - 1)


def test_skewness_adjusted_t_equals_the_formula_by_hand() -> None:
    result = skewness_adjusted_t(np.array(SMALL_SAMPLE))
    expected = lbt_by_hand(SMALL_SAMPLE)
    assert result.statistic == pytest.approx(expected, rel=1e-12)
    assert result.p_value == pytest.approx(2 * stats.t.sf(abs(expected), len(SMALL_SAMPLE) - 1), rel=1e-12)
    # The adjustment matters for this right-skewed sample: it differs from the conventional t.
    assert abs(result.statistic - bhar_t(np.array(SMALL_SAMPLE)).statistic) > 0.05


def test_bootstrap_p_value_is_the_rank_of_the_hand_computed_resample_statistics() -> None:
    values = np.array(SMALL_SAMPLE * 3)  # n = 24, n_b = 6
    replications = 50
    result = bootstrap_skewness_adjusted_t(values, 7, replications=replications)
    draws = np.random.default_rng(7).choice(values, size=(replications, 6), replace=True)
    t_star = [lbt_by_hand(list(row), centre=float(values.mean())) for row in draws]
    t = lbt_by_hand(list(values))
    below = sum(value <= t for value in t_star)
    above = sum(value >= t for value in t_star)
    assert result.statistic == pytest.approx(t, rel=1e-12)
    assert result.p_value == pytest.approx(min(1.0, 2 * (1 + min(below, above)) / (replications + 1)), abs=1e-15)
    assert result.df is None and result.note == ""


def test_bootstrap_is_reproducible_with_a_seed_and_rejects_an_injected_drift() -> None:
    rng = np.random.default_rng(0)
    # Right-skewed 60-day BHARs of volatile stocks (log-normal gross returns), plus a 10% drift.
    skewed = np.exp(rng.normal(0.0, 0.35, 200)) - np.exp(0.35**2 / 2)
    drifted = skewed + 0.10
    first = bootstrap_skewness_adjusted_t(drifted, 11)
    assert first == bootstrap_skewness_adjusted_t(drifted, 11)
    assert first.p_value < 0.01


def test_bootstrap_holds_its_size_under_the_null() -> None:
    rng = np.random.default_rng(3)
    samples = 200
    centred = np.exp(rng.normal(0.0, 0.35, (samples, 40))) - np.exp(0.35**2 / 2)
    p = np.array([bootstrap_skewness_adjusted_t(row, rng, replications=199).p_value for row in centred])
    rate = np.mean(p <= 0.05)
    assert 0.01 <= rate <= 0.12  # nominal 5%; Monte Carlo sd about 1.5%


def test_small_samples_get_a_note_or_nan() -> None:
    raised = bootstrap_skewness_adjusted_t(np.array(SMALL_SAMPLE), 1)  # n = 8: n/4 = 2 is raised to 3
    assert np.isfinite(raised.p_value)
    assert "resamples of 3 pairs" in raised.note
    for test in (skewness_adjusted_t, bootstrap_skewness_adjusted_t):
        too_few = test(np.array([0.1, np.nan, 0.2]))
        assert np.isnan(too_few.statistic) and "at least 3 pairs" in too_few.note and too_few.n == 2
        constant = test(np.array([0.1, 0.1, 0.1, 0.1]))
        assert np.isnan(constant.statistic) and "does not vary" in constant.note


def test_bhar_tests_run_on_every_sample_at_once_as_on_each_alone() -> None:
    bhar = np.array([*SMALL_SAMPLE, *[value * 2 + 0.01 for value in SMALL_SAMPLE], 0.3, np.nan, 0.1])
    # Samples: the first 8 pairs, the next 8, the last 3 (one BHAR missing), and all of them.
    ids = np.full((bhar.size, 2), -1)
    ids[:8, 0], ids[8:16, 0], ids[16:, 0], ids[:, 1] = 0, 1, 2, 3
    outcomes = bhar_tests(Membership(ids, 4), bhar, 5, replications=99)
    assert list(outcomes) == list(BHAR_TESTS)
    rng = np.random.default_rng(5)
    for sample, rows in enumerate([slice(0, 8), slice(8, 16), slice(16, 19), slice(0, 19)]):
        part = bhar[rows]
        expected = [bhar_t(part), skewness_adjusted_t(part), bootstrap_skewness_adjusted_t(part, rng, replications=99)]
        for name, result in zip(BHAR_TESTS, expected, strict=True):
            got = outcomes[name].result(name, sample)
            assert got.n == result.n and got.note == result.note, (name, sample)
            np.testing.assert_allclose([got.statistic, got.p_value], [result.statistic, result.p_value], rtol=1e-12)
    assert outcomes["skewness_adjusted_t"].statistic[0] == pytest.approx(lbt_by_hand(SMALL_SAMPLE), rel=1e-12)
    assert outcomes["bhar_t"].n[2] == 2 and "at least 3 pairs" in outcomes["skewness_adjusted_t"].note[2]
    assert "bootstrap_skewness_adjusted_t" not in bhar_tests(Membership(ids, 4), bhar, 0, replications=0)
    assert "Lyon, Barber & Tsai" in LONG_HORIZON_CAVEAT


def test_bootstrap_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="replications"):
        bootstrap_skewness_adjusted_t(np.array(SMALL_SAMPLE), replications=0)
    with pytest.raises(ValueError, match="resample_fraction"):
        bootstrap_skewness_adjusted_t(np.array(SMALL_SAMPLE), resample_fraction=1.5)
