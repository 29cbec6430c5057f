"""Abnormal volume (Campbell & Wasley 1996) and abnormal volatility: hand values, statsmodels cross-checks,
injected shocks recovered, sizes under the null, every sample at once equal to each sample alone."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.statistics import TESTS, Membership, Outcomes, corrado_rank, pair_statistics, sample_tests
from eventstudy.statistics.ranks import rank_partials, rank_test
from eventstudy.statistics.tests import window_samples
from eventstudy.statistics.volatility import (
    mean_ratio_t,
    mean_ratio_tests,
    parkinson_variance,
    range_volatility_ratio,
    variance_ratio,
    volatility_rank,
)
from eventstudy.statistics.volume import (
    VOLUME_CONSTANT,
    VOLUME_TESTS,
    AbnormalVolume,
    abnormal_volume,
    log_volume,
    sample_market_log_volume,
)

C = VOLUME_CONSTANT


def calendar(pairs: int, days: int, start: str = "2024-01-02") -> np.ndarray:
    """The same business days for every pair (clustered event dates), shape (pairs, days)."""
    dates = pd.bdate_range(start, periods=days).to_numpy().astype("datetime64[D]")
    return np.broadcast_to(dates, (pairs, days))


def simulated_log_volume(
    samples: int, pairs: int, estimation: int, event: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Log volumes ``v = 12 + 0.8 m + e`` with a market log volume ``m`` shared within each sample."""
    rng = np.random.default_rng(seed)
    days = estimation + event
    market = np.repeat(rng.normal(0.0, 0.3, (samples, days)), pairs, axis=0)
    volume = 12.0 + 0.8 * market + rng.normal(0.0, 0.4, (samples * pairs, days))
    return volume, market


def samples_of(labels: np.ndarray) -> tuple[Membership, list[object]]:
    """One sample per distinct label (None: in no sample), in order of first appearance."""
    names = list(dict.fromkeys(label for label in labels.tolist() if label is not None))
    ids = np.array([names.index(label) if label is not None else -1 for label in labels.tolist()])[:, np.newaxis]
    return Membership(ids, len(names)), names


def volume_outcomes(
    fit: AbnormalVolume, members: Membership, window: tuple[int, int], dates: np.ndarray, estimation: int
) -> dict[str, Outcomes]:
    """The volume tests of every sample at once, as the study computes them (rank test over the whole path)."""
    cav, variance, _ = fit.cumulative(window)
    columns = slice(window[0] - fit.event_start, window[1] - fit.event_start + 1)
    data = window_samples(
        members.restricted(np.isfinite(cav)),
        cav,
        variance,
        fit.dof,
        np.sqrt(fit.sigma2),
        fit.event_av[:, columns],
        fit.estimation_av,
        dates[:, :estimation],
        dates[:, estimation:][:, columns],
        tests=VOLUME_TESTS,
    )
    outcomes = sample_tests(data, VOLUME_TESTS)
    in_window = np.zeros(fit.event_av.shape, dtype=bool)
    in_window[:, columns] = True
    sums, counts = rank_partials(members, fit.estimation_av, fit.event_av, [in_window])[0]
    ranked = members.restricted(np.isfinite(fit.event_av[:, columns]).any(axis=1))
    outcomes["corrado_rank"] = rank_test(ranked.counts(), sums, counts, estimation)
    return outcomes


def test_log_volume_is_log_percentage_turnover_plus_the_constant() -> None:
    volume = np.array([[1e6, 0.0, np.nan, 5e5, -1.0], [1e6, 0.0, 2e6, 5e5, 7.0]])
    shares = np.array([[2e8], [np.nan]])
    stale = np.zeros(volume.shape, dtype=bool)
    stale[0, 3] = True
    v = log_volume(volume, shares=shares, stale=stale)
    np.testing.assert_allclose(v[0, :2], [np.log(0.5 + C), np.log(C)], rtol=1e-15)
    assert np.isnan(v[0, 2:]).all()  # missing, stale, negative
    np.testing.assert_allclose(v[1], np.log(np.array([1e6, 0.0, 2e6, 5e5, 7.0]) + C), rtol=1e-15)


def test_sample_market_volume_leaves_the_security_out_and_counts_it_once() -> None:
    dates = np.array(["2025-01-24", "2025-01-27", "2025-01-28"], dtype="datetime64[D]")
    a, b, c, hk = [1.0, 2.0, 6.0], [10.0, 10.0, 13.0], [5.0, np.nan, 8.0], [3.0, 4.0, 5.0]
    # A appears twice (two events sharing these dates); HK trades in another market.
    log_volumes = np.array([a, b, c, hk, a])
    market = sample_market_log_volume(
        log_volumes, np.tile(dates, (5, 1)), np.array(["A", "B", "C", "HK", "A"]), np.array(["US"] * 3 + ["HK", "US"])
    )
    centred = {
        "A": np.array(a) - 3.0,
        "B": np.array(b) - 11.0,
        "C": np.array(c) - 6.5,
    }
    expected_a = (np.nan_to_num(centred["B"]) + np.nan_to_num(centred["C"])) / np.array([2, 1, 2])
    expected_b = (centred["A"] + np.nan_to_num(centred["C"])) / np.array([2, 1, 2])
    expected_c = (centred["A"] + centred["B"]) / 2
    np.testing.assert_allclose(market[0], expected_a, rtol=1e-15)
    np.testing.assert_allclose(market[4], expected_a, rtol=1e-15)
    np.testing.assert_allclose(market[1], expected_b, rtol=1e-15)
    np.testing.assert_allclose(market[2], expected_c, rtol=1e-15)  # C's own missing day still has a market
    assert np.isnan(market[3]).all()  # no other HK security


def test_market_model_of_log_volume_matches_statsmodels() -> None:
    import statsmodels.api as sm

    volume, market = simulated_log_volume(1, 4, 60, 5, seed=1)
    volume[0, [3, 17]] = np.nan
    market[2, 40] = np.nan
    volume[1, 62] = np.nan
    fit = abnormal_volume(volume[:, :60], market[:, :60], volume[:, 60:], market[:, 60:], event_start=-2)
    cav, cav_variance, days = fit.cumulative((-1, 1))
    for i in range(4):
        keep = np.isfinite(volume[i, :60]) & np.isfinite(market[i, :60])
        ols = sm.OLS(volume[i, :60][keep], sm.add_constant(market[i, :60][keep])).fit()
        assert fit.intercept[i] == pytest.approx(ols.params[0], rel=1e-10)
        assert fit.slope[i] == pytest.approx(ols.params[1], rel=1e-10)
        assert fit.sigma2[i] == pytest.approx(ols.scale, rel=1e-10)
        assert fit.observations[i] == keep.sum() and fit.dof[i] == keep.sum() - 2
        np.testing.assert_allclose(fit.estimation_av[i][keep], ols.resid, rtol=1e-9, atol=1e-12)
        event_x = sm.add_constant(market[i, 60:], has_constant="add")
        prediction = ols.get_prediction(event_x)
        seen = np.isfinite(volume[i, 60:])
        np.testing.assert_allclose(
            fit.event_av[i][seen], (volume[i, 60:] - prediction.predicted_mean)[seen], rtol=1e-10
        )
        np.testing.assert_allclose(
            fit.event_variance[i][seen], (prediction.var_pred_mean + ols.scale)[seen], rtol=1e-10
        )
        window = seen & (np.arange(5) >= 1) & (np.arange(5) <= 3)
        summed = event_x[window].sum(axis=0)
        assert cav[i] == pytest.approx((volume[i, 60:] - prediction.predicted_mean)[window].sum(), rel=1e-10)
        assert cav_variance[i] == pytest.approx(
            window.sum() * ols.scale + summed @ ols.cov_params() @ summed, rel=1e-10
        )
        assert days[i] == window.sum()
    assert days[1] == 2  # the missing day is not an observation


def test_an_injected_volume_shock_is_recovered_and_detected() -> None:
    pairs, estimation = 30, 120
    volume, market = simulated_log_volume(1, pairs, estimation, 3, seed=2)
    volume[:, estimation + 1] += np.log(3.0)  # volume tripled on day 0
    fit = abnormal_volume(
        volume[:, :estimation], market[:, :estimation], volume[:, estimation:], market[:, estimation:], event_start=-1
    )
    dates = calendar(pairs, estimation + 3)
    sample = fit.sample((0, 0), estimation_dates=dates[:, :estimation], event_dates=dates[:, estimation:])
    assert sample.car.mean() == pytest.approx(np.log(3.0), abs=0.15)
    assert np.nanmean(fit.standardized[:, 1]) > 2
    outcomes = volume_outcomes(fit, Membership.single(pairs), (0, 0), dates, estimation)
    assert list(outcomes) == [*VOLUME_TESTS, "corrado_rank"]
    for outcome in outcomes.values():
        assert outcome.p_value[0] < 1e-4 and outcome.statistic[0] > 0 and outcome.n[0] == pairs
    assert np.median(pair_statistics(sample)["p_value"]) < 0.05


def test_all_samples_at_once_equal_each_sample_alone() -> None:
    pairs, estimation = 24, 80
    volume, market = simulated_log_volume(1, pairs, estimation, 3, seed=8)
    rng = np.random.default_rng(8)
    volume[rng.random(volume.shape) < 0.05] = np.nan  # missing and stale days here and there
    volume[5, estimation:] = np.nan  # a pair with no event-window volume
    fit = abnormal_volume(
        volume[:, :estimation], market[:, :estimation], volume[:, estimation:], market[:, estimation:], event_start=-1
    )
    dates = calendar(pairs, estimation + 3)
    labels = np.array(["a", "b", None, "c"] * 6, dtype=object)
    members, names = samples_of(labels)
    outcomes = volume_outcomes(fit, members, (-1, 1), dates, estimation)
    sample = fit.sample((-1, 1), estimation_dates=dates[:, :estimation], event_dates=dates[:, estimation:])
    assert names == ["a", "b", "c"]
    for index, label in enumerate(names):
        part = sample.select(labels == label)
        for name in (*VOLUME_TESTS, "corrado_rank"):
            expected = TESTS[name](part.select(np.isfinite(part.car)))
            assert outcomes[name].statistic[index] == pytest.approx(expected.statistic, rel=1e-12), name
            assert outcomes[name].p_value[index] == pytest.approx(expected.p_value, rel=1e-10), name
            assert outcomes[name].n[index] == expected.n, name
    squared = fit.estimation_av**2
    by_rank = volatility_rank(squared[labels == "a"], fit.event_av[labels == "a"] ** 2)
    assert by_rank.statistic == pytest.approx(
        corrado_rank(
            replace(
                sample.select(labels == "a"),
                estimation_ar=squared[labels == "a"],
                event_ar=fit.event_av[labels == "a"] ** 2,
            )
        ).statistic,
        rel=1e-12,
    )


def test_volume_tests_hold_their_size_under_the_null() -> None:
    samples, pairs, estimation = 200, 20, 120
    volume, market = simulated_log_volume(samples, pairs, estimation, 1, seed=3)
    fit = abnormal_volume(
        volume[:, :estimation], market[:, :estimation], volume[:, estimation:], market[:, estimation:], event_start=0
    )
    dates = calendar(samples * pairs, estimation + 1)
    members, _ = samples_of(np.repeat(np.arange(samples), pairs).astype(object))
    outcomes = volume_outcomes(fit, members, (0, 0), dates, estimation)
    rates = {name: np.mean(outcome.p_value <= 0.05) for name, outcome in outcomes.items()}
    assert set(rates) == {*VOLUME_TESTS, "corrado_rank"}
    assert all(0.015 <= rate <= 0.095 for rate in rates.values()), rates  # nominal 5%, Monte Carlo sd 1.5%


def test_stale_days_are_not_volume_observations() -> None:
    simulated, market = simulated_log_volume(1, 3, 50, 3, seed=4)
    raw = np.exp(simulated)
    stale = np.zeros(raw.shape, dtype=bool)
    stale[0, [10, 51]] = True  # one estimation day and day 0
    raw[0, [10, 51]] = 0.0
    v = log_volume(raw, stale=stale)
    fit = abnormal_volume(v[:, :50], market[:, :50], v[:, 50:], market[:, 50:], event_start=-1)
    assert fit.observations.tolist() == [49, 50, 50]
    assert np.isnan(fit.event_av[0, 1]) and np.isnan(fit.estimation_av[0, 10])
    cav, _, days = fit.cumulative((-1, 1))
    assert days.tolist() == [2, 3, 3]
    assert cav[0] == pytest.approx(fit.event_av[0, 0] + fit.event_av[0, 2], rel=1e-12)
    with pytest.raises(ValueError, match=r"not inside the event-window columns -1\.\.1"):
        fit.cumulative((0, 2))


def test_too_little_data_gives_nan_not_an_error() -> None:
    v = np.array([[1.0, 2.0, np.nan, np.nan], [1.0, 2.0, 3.0, 4.0]])
    m = np.array([[0.5, 0.1, 0.3, 0.2], [1.0, 1.0, 1.0, 1.0]])
    fit = abnormal_volume(v, m, v[:, :1], m[:, :1], event_start=0)
    assert np.isnan(fit.slope).all() and np.isnan(fit.event_av).all()
    with pytest.raises(ValueError, match="matching shapes"):
        abnormal_volume(v, m[:, :3], v, m)


def test_variance_ratio_per_pair_equals_the_f_reference() -> None:
    ar = np.array([[0.02, -0.01], [0.01, np.nan], [np.nan, np.nan]])
    ratio = variance_ratio(ar, np.array([[1e-4], [1e-4], [1e-4]]), np.array([238.0, 100.0, 238.0]))
    np.testing.assert_allclose(ratio.ratio[:2], [2.5, 1.0], rtol=1e-12)
    assert ratio.days.tolist() == [2, 1, 0] and np.isnan(ratio.ratio[2]) and np.isnan(ratio.p_value[2])
    assert ratio.p_value[0] == pytest.approx(2 * stats.f.sf(2.5, 2, 238), rel=1e-12)
    assert ratio.p_value[1] == pytest.approx(2 * min(stats.f.cdf(1.0, 1, 100), stats.f.sf(1.0, 1, 100)), rel=1e-12)


def test_an_injected_variance_shock_is_recovered_and_detected() -> None:
    rng = np.random.default_rng(5)
    pairs, estimation = 40, 200
    sigma = rng.uniform(0.01, 0.03, pairs)
    residuals = rng.normal(0.0, 1.0, (pairs, estimation)) * sigma[:, None]
    event_ar = rng.normal(0.0, 1.0, (pairs, 1)) * sigma[:, None] * 3.0  # volatility tripled on day 0
    ratio = variance_ratio(event_ar, sigma[:, None] ** 2, np.full(pairs, estimation - 2.0))
    assert np.mean(ratio.ratio) == pytest.approx(9.0, rel=0.35)
    assert mean_ratio_t(ratio.ratio).p_value < 1e-4
    rank = volatility_rank((residuals / sigma[:, None]) ** 2, (event_ar / sigma[:, None]) ** 2)
    assert rank.name == "volatility_rank" and rank.statistic > 3 and rank.p_value < 1e-3
    members, _ = samples_of(np.repeat(["first", "second"], pairs // 2).astype(object))
    halves = mean_ratio_tests(members, ratio.ratio)
    assert halves.statistic[0] == pytest.approx(mean_ratio_t(ratio.ratio[: pairs // 2]).statistic, rel=1e-12)
    assert halves.statistic[1] == pytest.approx(mean_ratio_t(ratio.ratio[pairs // 2 :]).statistic, rel=1e-12)
    assert (halves.p_value < 0.01).all() and (halves.n == pairs // 2).all()


def test_volatility_tests_hold_their_size_under_the_null() -> None:
    rng = np.random.default_rng(6)
    samples, pairs, estimation = 300, 20, 120
    residuals = rng.normal(0.0, 1.0, (samples, pairs, estimation))
    event = rng.normal(0.0, 1.0, (samples, pairs, 1))
    per_pair = variance_ratio(event.reshape(-1, 1), np.ones((samples * pairs, 1)), np.full(samples * pairs, 1e6))
    assert np.mean(per_pair.p_value <= 0.05) == pytest.approx(0.05, abs=0.01)
    ratios = per_pair.ratio.reshape(samples, pairs)
    mean_t = np.mean([mean_ratio_t(row).p_value <= 0.05 for row in ratios])
    rank = np.mean([volatility_rank(residuals[s] ** 2, event[s] ** 2).p_value <= 0.05 for s in range(samples)])
    assert 0.015 <= mean_t <= 0.09 and 0.015 <= rank <= 0.09, (mean_t, rank)


def test_parkinson_variance_by_hand() -> None:
    high = np.array([[110.0, 100.0, np.nan, 90.0, 5.0]])
    low = np.array([[100.0, 100.0, 95.0, 95.0, 0.0]])
    stale = np.array([[False, False, False, False, False]])
    variance = parkinson_variance(high, low, stale=stale)
    assert variance[0, 0] == pytest.approx(np.log(1.1) ** 2 / (4 * np.log(2)), rel=1e-15)
    assert variance[0, 1] == 0.0
    assert np.isnan(variance[0, 2:]).all()  # missing, low above high, non-positive low
    assert np.isnan(parkinson_variance(high, low, stale=~stale)).all()


def test_range_ratio_and_its_sq_p_value_by_hand() -> None:
    estimation = np.array([[1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0]])
    event = np.array([[10.0], [np.nan]])
    result = range_volatility_ratio(estimation, event)
    # Sums of one estimation day: 1..5, all below 10: p = 2 (0 + 1) / (5 + 1).
    assert result.ratio[0] == pytest.approx(10.0 / 3.0, rel=1e-15) and result.p_value[0] == pytest.approx(1 / 3)
    assert np.isnan(result.ratio[1]) and np.isnan(result.p_value[1])
    assert result.event_days.tolist() == [1, 0] and result.estimation_days.tolist() == [5, 5]


def brownian_high_low(sigma: np.ndarray, steps: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Daily high and low of a driftless log price simulated on ``steps`` intraday steps, per-day ``sigma``."""
    increments = rng.normal(0.0, 1.0, (*sigma.shape, steps)) * (sigma / np.sqrt(steps))[..., None]
    path = np.concatenate([np.zeros((*sigma.shape, 1)), np.cumsum(increments, axis=-1)], axis=-1)
    opening = 100.0
    return opening * np.exp(path.max(axis=-1)), opening * np.exp(path.min(axis=-1))


def test_an_injected_range_volatility_shock_is_recovered() -> None:
    rng = np.random.default_rng(7)
    pairs, estimation, event = 100, 120, 3
    sigma = np.full((pairs, estimation + event), 0.02)
    sigma[:, estimation:] *= 2.0  # variance four times as large in the event window
    high, low = brownian_high_low(sigma, 100, rng)
    variance = parkinson_variance(high, low)
    # Parkinson's estimator is unbiased for a continuous path; 100 steps understate the range (by about 13%).
    assert np.mean(variance[:, :estimation]) == pytest.approx(0.02**2, rel=0.2)
    result = range_volatility_ratio(variance[:, :estimation], variance[:, estimation:])
    assert np.mean(result.ratio) == pytest.approx(4.0, rel=0.12)  # Monte Carlo sd about 4%
    assert np.median(result.p_value) < 0.05
    assert mean_ratio_t(result.ratio).p_value < 1e-6
    assert volatility_rank(variance[:, :estimation], variance[:, estimation:]).p_value < 1e-6


def test_sample_tests_say_why_they_cannot_run() -> None:
    too_few = mean_ratio_t(np.array([1.2, np.nan]))
    assert np.isnan(too_few.statistic) and "at least 3 pairs with a finite volatility ratio" in too_few.note
    empty = volatility_rank(np.full((2, 5), np.nan), np.full((2, 1), np.nan))
    assert np.isnan(empty.p_value) and empty.note
