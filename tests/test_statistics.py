"""Tests of eventstudy.statistics: known answers, recovery of injected returns, size under the null, clustering."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.linalg import hadamard
from statsmodels.stats.multitest import multipletests

from eventstudy.statistics import (
    TESTS,
    Sample,
    benjamini_hochberg,
    bmp_t,
    car_t_test,
    corrado_rank,
    cross_sectional_t,
    crude_dependence_t,
    generalized_sign,
    grank,
    kolari_pynnonen_bmp,
    kolari_pynnonen_patell,
    mean_pairwise_correlation,
    pair_statistics,
    patell_z,
    placebo_tests,
    run_tests,
    sign_test,
    skewness_corrected_t,
    sq_test,
    wilcoxon_signed_rank,
    wild_bootstrap,
)

L1 = 120
WINDOW = (-1, 1)
L2 = WINDOW[1] - WINDOW[0] + 1


def simulate(
    rng: np.random.Generator,
    n: int = 30,
    *,
    shock: float = 0.0,
    rho: float = 0.0,
    sigma: float = 0.02,
    l1: int = L1,
) -> Sample:
    """A sample of n securities around one common event date (clustered), market model fitted by OLS.

    Returns are ``R_it = a_i + b_i R_mt + e_it`` with ``e_it = sigma (sqrt(rho) f_t + sqrt(1 - rho) u_it)``, a
    common factor ``f_t`` giving residual correlation ``rho``; ``shock`` is added on day 0.
    """
    days = l1 + L2
    market = rng.normal(0.0004, 0.01, size=days)
    noise = np.sqrt(rho) * rng.normal(size=days) + np.sqrt(1 - rho) * rng.normal(size=(n, days))
    returns = rng.normal(0.0, 0.0005, size=(n, 1)) + rng.uniform(0.5, 1.5, size=(n, 1)) * market + sigma * noise
    returns[:, l1 - WINDOW[0]] += shock
    x = market[:l1]
    x_mean = x.mean()
    sxx = np.sum((x - x_mean) ** 2)
    y = returns[:, :l1]
    beta = np.sum((y - y.mean(axis=1, keepdims=True)) * (x - x_mean), axis=1) / sxx
    alpha = y.mean(axis=1) - beta * x_mean
    residuals = returns - alpha[:, None] - beta[:, None] * market
    dof = l1 - 2
    sigma_hat = np.sqrt(np.sum(residuals[:, :l1] ** 2, axis=1) / dof)
    car_variance = sigma_hat**2 * (L2 + L2**2 / l1 + np.sum(market[l1:] - x_mean) ** 2 / sxx)
    dates = np.busday_offset(np.datetime64("2021-01-04"), np.arange(days))
    return Sample(
        car=residuals[:, l1:].sum(axis=1),
        car_variance=car_variance,
        event_ar=residuals[:, l1:],
        estimation_ar=residuals[:, :l1],
        estimation_dates=np.tile(dates[:l1], (n, 1)),
        event_dates=np.tile(dates[l1:], (n, 1)),
        dof=np.full(n, float(dof)),
        sigma=sigma_hat,
    )


def small_sample(
    car: list[float],
    car_variance: list[float],
    dof: list[float],
    estimation_ar: list[list[float]] | None = None,
    *,
    event_ar: list[list[float]] | None = None,
    sigma: float = 0.01,
) -> Sample:
    """A hand-made sample; by default random estimation ARs and a 2-day window holding half the CAR each day."""
    n = len(car)
    if estimation_ar is None:
        estimation_ar = np.random.default_rng(0).normal(0, 0.01, size=(n, 40))
    estimation_ar = np.asarray(estimation_ar, dtype=float)
    event_ar = np.column_stack([car, car]) / 2 if event_ar is None else np.asarray(event_ar, dtype=float)
    l1, l2 = estimation_ar.shape[1], event_ar.shape[1]
    dates = np.busday_offset(np.datetime64("2022-03-01"), np.arange(l1 + l2))
    return Sample(
        car=np.asarray(car),
        car_variance=np.asarray(car_variance),
        event_ar=event_ar,
        estimation_ar=estimation_ar,
        estimation_dates=np.tile(dates[:l1], (n, 1)),
        event_dates=np.tile(dates[l1:], (n, 1)),
        dof=np.asarray(dof, dtype=float),
        sigma=np.full(n, sigma),
    )


HAND = small_sample(
    car=[0.01, 0.03, -0.01, 0.05],
    car_variance=[0.0001, 0.0004, 0.0001, 0.0004],
    dof=[100, 100, 50, 50],
)


# ----------------------------------------------------------------------------------------------------------------
# Known answers


def test_cross_sectional_t_by_hand() -> None:
    # CAAR 0.02, deviations (-1, 1, -3, 3)%: s^2 = 0.002 / 3.
    t = 0.02 * 2 / math.sqrt(0.002 / 3)
    result = cross_sectional_t(HAND)
    assert result.statistic == pytest.approx(t)
    assert result.p_value == pytest.approx(2 * stats.t.sf(t, 3))
    assert (result.n, result.df) == (4, 3.0)
    assert result.p_value == pytest.approx(stats.ttest_1samp(HAND.car, 0).pvalue)


def test_patell_by_hand() -> None:
    # SCAR = (1, 1.5, -1, 2.5); each pair's own dof in dof / (dof - 2).
    z = 4 / math.sqrt(2 * 100 / 98 + 2 * 50 / 48)
    result = patell_z(HAND)
    assert result.statistic == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(z))
    assert result.df is None


def test_bmp_by_hand() -> None:
    # SCAR mean 1, deviations (0, 0.5, -2, 1.5): s^2 = 6.5 / 3.
    t = 1 * 2 / math.sqrt(6.5 / 3)
    result = bmp_t(HAND)
    assert result.statistic == pytest.approx(t)
    assert result.p_value == pytest.approx(2 * stats.t.sf(t, 3))


def test_sign_test_by_hand() -> None:
    # 3 positive CARs of 4: Z = (3 - 2) / 1; exact two-sided binomial p = 2 * 5 / 16.
    result = sign_test(HAND)
    assert result.statistic == pytest.approx(1.0)
    assert result.p_value == pytest.approx(10 / 16)


def test_generalized_sign_by_hand() -> None:
    # Every pair has 2 positive ARs in 5 estimation days: p = 0.4; 3 positive CARs of 4.
    sample = small_sample(HAND.car.tolist(), HAND.car_variance.tolist(), [100] * 4, [[1, 1, -1, -1, -1]] * 4)
    z = (3 - 4 * 0.4) / math.sqrt(4 * 0.4 * 0.6)
    result = generalized_sign(sample)
    assert result.statistic == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(z))


def test_crude_dependence_by_hand() -> None:
    # Portfolio ARs (1, 0, 1, -1)%: mean 0.25%, squared deviations sum to 2.75e-4; CAAR 2% over 2 days.
    sample = small_sample([0.03, 0.01], [1e-4, 1e-4], [100, 100], [[0.01, -0.01, 0.02, 0.0], [0.01, 0.01, 0.0, -0.02]])
    t = 0.02 / (math.sqrt(2) * math.sqrt(2.75e-4 / 3))
    result = crude_dependence_t(sample)
    assert result.statistic == pytest.approx(t)
    assert result.df == 3.0
    assert result.p_value == pytest.approx(2 * stats.t.sf(t, 3))


def test_skewness_corrected_t_equals_t_for_symmetric_cars() -> None:
    sample = small_sample([-0.01, 0.0, 0.01, 0.02, 0.03], [1e-4] * 5, [100] * 5)
    assert skewness_corrected_t(sample).statistic == pytest.approx(cross_sectional_t(sample).statistic)


def test_skewness_corrected_t_by_hand() -> None:
    # Hall's (1992) transformation of Johnson's (1978) t as event studies use it (EventStudyTools' "skewness
    # corrected test"): t = sqrt(N) (S + gamma S^2 / 3 + gamma^2 S^3 / 27 + gamma / (6 N)), S = CAAR / s,
    # gamma = N / ((N - 1)(N - 2)) sum (CAR_i - CAAR)^3 / s^3, Student t with N - 1 df.
    # CARs (-1, 0, 0, 1, 5)% : CAAR 1%, deviations (-2, -1, -1, 0, 4)%, so in units of 1%:
    # sum d^2 = 22 (s^2 = 22 / 4), sum d^3 = -8 - 1 - 1 + 0 + 64 = 54.
    sample = small_sample([-0.01, 0.0, 0.0, 0.01, 0.05], [1e-4] * 5, [100] * 5)
    n, s = 5, math.sqrt(22 / 4)
    ratio = 1 / s
    gamma = n / ((n - 1) * (n - 2)) * 54 / s**3
    assert gamma == pytest.approx(stats.skew(sample.car, bias=False))  # the adjusted Fisher-Pearson G1
    t = math.sqrt(n) * (ratio + gamma * ratio**2 / 3 + gamma**2 * ratio**3 / 27 + gamma / (6 * n))
    result = skewness_corrected_t(sample)
    assert result.statistic == pytest.approx(t, rel=1e-12)
    assert (result.n, result.df) == (5, 4.0)
    assert result.p_value == pytest.approx(2 * stats.t.sf(t, 4), rel=1e-12)
    # The right skew raises the statistic of a positive mean above the plain t = sqrt(N) S.
    assert t > cross_sectional_t(sample).statistic == pytest.approx(math.sqrt(n) * ratio)


def test_corrado_rank_by_hand() -> None:
    # Both pairs rank 1..6 over 4 estimation + 2 event days: U = K/7 - 1/2, S_U^2 = (1/6) sum U^2 = 5/84.
    sample = small_sample([11, 11], [1, 1], [100, 100], [[1, 2, 3, 4]] * 2, event_ar=[[5, 6]] * 2)
    z = (3 / 14 + 5 / 14) / (math.sqrt(2) * math.sqrt(5 / 84))
    result = corrado_rank(sample)
    assert result.statistic == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(z))


def test_grank_by_hand() -> None:
    # SAR (-2, -1, 1, 2); SCAR (3, 1) re-standardized by s = sqrt(2); ranks of the 5 values per pair:
    # pair 1 (1, 2, 3, 4, 5), pair 2 (1, 2, 4, 5, 3); U = K/6 - 1/2 -> Ubar = (-1/3, -1/6, 1/12, 1/4, 1/6),
    # S^2 = (1/5) sum Ubar^2 = 17/360.
    sample = small_sample([3, 1], [1, 1], [100, 100], [[-2, -1, 1, 2]] * 2, sigma=1.0)
    z = (1 / 6) / math.sqrt(17 / 360)
    t = z * math.sqrt(3 / (4 - z**2))
    result = grank(sample)
    assert result.statistic == pytest.approx(t)
    assert result.df == 3.0
    assert result.p_value == pytest.approx(2 * stats.t.sf(t, 3))


def test_wild_bootstrap_approaches_the_exact_sign_flip_distribution() -> None:
    # With 4 pairs, the Rademacher distribution of t* has 16 equally likely sign vectors.
    car = HAND.car
    t = cross_sectional_t(HAND).statistic
    signs = np.array(np.meshgrid(*[[-1.0, 1.0]] * 4)).reshape(4, -1).T
    flipped = signs * (car - car.mean())
    with np.errstate(divide="ignore", invalid="ignore"):
        t_star = flipped.mean(axis=1) * 2 / flipped.std(axis=1, ddof=1)
    exact = np.mean(np.abs(t_star) >= abs(t))
    result = wild_bootstrap(HAND, np.random.default_rng(15), replications=20_000)
    assert result.statistic == pytest.approx(t)
    assert result.p_value == pytest.approx(exact, abs=0.01)
    mammen = wild_bootstrap(HAND, 16, replications=2000, weights="mammen")
    assert mammen.p_value == wild_bootstrap(HAND, 16, replications=2000, weights="mammen").p_value
    assert 0 < mammen.p_value <= 1


def test_wilcoxon_matches_scipy() -> None:
    car = np.random.default_rng(1).normal(0.004, 0.02, size=25)
    car[3] = car[7] = 0.01  # a tie
    car[5] = 0.0  # dropped
    result = wilcoxon_signed_rank(small_sample(car.tolist(), [1e-4] * 25, [100] * 25))
    reference = stats.wilcoxon(car, method="approx", correction=False, zero_method="wilcox")
    assert result.n == 24
    assert abs(result.statistic) == pytest.approx(abs(reference.zstatistic))
    assert result.p_value == pytest.approx(reference.pvalue)


def test_car_t_test_matches_scipy_t_and_handles_nan() -> None:
    car = np.array([0.05, -0.02, np.nan, 0.01, 0.03])
    variance = np.array([4e-4, 1e-4, 1e-4, 0.0, 9e-4])
    dof = np.array([118.0, 58.0, 118.0, 118.0, 2.0])
    t, p = car_t_test(car, variance, dof)
    np.testing.assert_allclose(t[[0, 1, 4]], [2.5, -2.0, 1.0])
    np.testing.assert_allclose(p[[0, 1, 4]], 2 * stats.t.sf([2.5, 2.0, 1.0], [118, 58, 2]))
    assert np.isnan(t[2]) and np.isnan(p[2]) and np.isnan(t[3]) and np.isnan(p[3])


def test_benjamini_hochberg_matches_statsmodels_and_keeps_nan() -> None:
    p = np.random.default_rng(2).uniform(size=40) ** 3
    p[[4, 17]] = np.nan
    q = benjamini_hochberg(p)
    present = ~np.isnan(p)
    expected = multipletests(p[present], method="fdr_bh")[1]
    np.testing.assert_allclose(q[present], expected)
    assert np.isnan(q[[4, 17]]).all()
    with pytest.raises(ValueError):
        benjamini_hochberg([0.5, 1.5])


def test_mean_pairwise_correlation_matches_pandas_pairwise_complete() -> None:
    rng = np.random.default_rng(3)
    dates = np.busday_offset(np.datetime64("2023-01-02"), np.arange(80))
    common = rng.normal(size=80)
    values = 0.6 * common + rng.normal(size=(5, 80))
    values[0, :30] = np.nan  # a shorter window
    values[2, 50:55] = np.nan  # missing days
    # Row 3 is stored shifted by ten days in its own columns: alignment must follow the dates.
    row_dates = np.tile(dates, (5, 1))
    row_dates[3] = np.roll(dates, 10)
    values[3] = np.roll(values[3], 10)
    aligned = pd.DataFrame({i: pd.Series(values[i], index=row_dates[i]) for i in range(5)})
    expected_matrix = aligned.corr(min_periods=30).to_numpy()
    expected = expected_matrix[~np.eye(5, dtype=bool)].mean()
    assert mean_pairwise_correlation(values, row_dates) == pytest.approx(expected)


def test_mean_pairwise_correlation_counts_only_overlapping_event_windows() -> None:
    rng = np.random.default_rng(4)
    dates = np.busday_offset(np.datetime64("2023-01-02"), np.arange(100))
    values = rng.normal(size=100) + 0.5 * rng.normal(size=(4, 100))
    all_dates = np.tile(dates, (4, 1))
    same_window = np.tile(np.busday_offset(np.datetime64("2023-06-01"), np.arange(3)), (4, 1))
    r_all = mean_pairwise_correlation(values, all_dates, event_dates=same_window)
    assert r_all == pytest.approx(mean_pairwise_correlation(values, all_dates))
    # Pairs (0, 1) and (2, 3) share windows, the others do not: 4 of 12 ordered pairs count.
    split_window = same_window.copy()
    split_window[2:] += np.timedelta64(30, "D")
    corr = np.corrcoef(values)
    expected = (2 * corr[0, 1] + 2 * corr[2, 3]) / 12
    assert mean_pairwise_correlation(values, all_dates, event_dates=split_window) == pytest.approx(expected)
    assert mean_pairwise_correlation(values[:2], all_dates[:2], event_dates=split_window[[0, 2]]) == 0.0


def correlated_residuals(pairs: int, spread: float) -> np.ndarray:
    """Estimation residuals ``h_1 + spread * h_(i+2)`` from the columns h of a 32 x 32 Hadamard matrix (zero-mean,
    orthogonal, squared length 32): every two of them correlate exactly ``1 / (1 + spread^2)``."""
    columns = hadamard(32).T.astype(float)
    return columns[1] + spread * columns[2 : 2 + pairs]


def test_kolari_pynnonen_adjustments_by_hand() -> None:
    # HAND's pairs with residuals correlated exactly r = 1 / (1 + 2^2) = 0.2 over 32 common dates (at least
    # MIN_CORRELATION_OVERLAP), all event windows on the same dates. Kolari & Pynnonen (2010):
    # t_adj = t_BMP sqrt((1 - r) / (1 + (N - 1) r)), Student t, N - 1 df; for Patell (METHODS.md: its variance is
    # each pair's own, so no (1 - r) factor) Z_adj = Z / sqrt(1 + (N - 1) r), standard normal.
    sample = small_sample(
        HAND.car.tolist(), HAND.car_variance.tolist(), HAND.dof.tolist(), correlated_residuals(4, 2.0).tolist()
    )
    r, n = 0.2, 4
    assert mean_pairwise_correlation(sample.estimation_ar, sample.estimation_dates) == pytest.approx(r, rel=1e-12)
    t_bmp = 1 * 2 / math.sqrt(6.5 / 3)  # test_bmp_by_hand
    z_patell = 4 / math.sqrt(2 * 100 / 98 + 2 * 50 / 48)  # test_patell_by_hand
    t = t_bmp * math.sqrt((1 - r) / (1 + (n - 1) * r))  # = t_BMP * sqrt(0.8 / 1.6)
    z = z_patell / math.sqrt(1 + (n - 1) * r)
    bmp = kolari_pynnonen_bmp(sample)
    assert bmp.statistic == pytest.approx(t, rel=1e-12) and (bmp.n, bmp.df) == (4, 3.0)
    assert bmp.p_value == pytest.approx(2 * stats.t.sf(t, 3), rel=1e-12)
    patell = kolari_pynnonen_patell(sample)
    assert patell.statistic == pytest.approx(z, rel=1e-12) and (patell.n, patell.df) == (4, None)
    assert patell.p_value == pytest.approx(2 * stats.norm.sf(z), rel=1e-12)
    assert TESTS["kolari_pynnonen_bmp"].distribution == "Student t, N - 1 df"
    assert TESTS["kolari_pynnonen_patell"].distribution == "standard normal"

    # The last pair's event window shares no date with the others': of the N (N - 1) = 12 ordered pairs only the
    # 3 x 2 = 6 among the first three count, the others count as zero correlation, so r = 0.2 * 6 / 12 = 0.1.
    event_dates = sample.event_dates.copy()
    event_dates[3] += np.timedelta64(60, "D")
    apart = replace(sample, event_dates=event_dates)
    r = 0.2 * 6 / 12
    assert mean_pairwise_correlation(
        apart.estimation_ar, apart.estimation_dates, event_dates=apart.event_dates
    ) == pytest.approx(r, rel=1e-12)
    t = t_bmp * math.sqrt((1 - r) / (1 + (n - 1) * r))
    z = z_patell / math.sqrt(1 + (n - 1) * r)
    assert kolari_pynnonen_bmp(apart).statistic == pytest.approx(t, rel=1e-12)
    assert kolari_pynnonen_bmp(apart).p_value == pytest.approx(2 * stats.t.sf(t, 3), rel=1e-12)
    assert kolari_pynnonen_patell(apart).statistic == pytest.approx(z, rel=1e-12)
    assert kolari_pynnonen_patell(apart).p_value == pytest.approx(2 * stats.norm.sf(z), rel=1e-12)


# ----------------------------------------------------------------------------------------------------------------
# run_tests, Sample


def test_run_tests_reports_every_test_in_order() -> None:
    table = run_tests(simulate(np.random.default_rng(5)), rng=0, replications=199)
    assert table["test"].tolist() == list(TESTS)
    assert table.columns.tolist() == ["test", "statistic", "p_value", "n", "df", "note"]
    assert table[["statistic", "p_value"]].notna().all().all()
    assert (table["n"] == 30).all()
    assert (table["note"] == "").all()


def test_run_tests_marks_what_cannot_be_computed() -> None:
    one = simulate(np.random.default_rng(6), n=1)
    table = run_tests(one, rng=0, replications=99).set_index("test")
    assert len(table) == len(TESTS)
    cross_sectional = ["cross_sectional_t", "bmp_t", "kolari_pynnonen_bmp", "grank", "wild_bootstrap"]
    assert table.loc[cross_sectional, "p_value"].isna().all()
    assert table.loc[cross_sectional, "note"].str.len().gt(0).all()
    assert table.loc[["patell_z", "crude_dependence_t", "sign_test"], "p_value"].notna().all()

    full = simulate(np.random.default_rng(7))
    short = replace(full, estimation_ar=full.estimation_ar[:, :2], estimation_dates=full.estimation_dates[:, :2])
    table = run_tests(short, ["crude_dependence_t", "corrado_rank", "grank", "kolari_pynnonen_bmp"])
    assert table["p_value"].isna().all()
    assert table["note"].str.contains("estimation").all()
    with pytest.raises(ValueError, match="unknown"):
        run_tests(short, ["t_test"])


def test_missing_data_is_left_out_not_propagated() -> None:
    sample = simulate(np.random.default_rng(16))
    car = sample.car.copy()
    car[0] = np.nan
    car_variance = sample.car_variance.copy()
    car_variance[1] = np.nan
    estimation_ar = sample.estimation_ar.copy()
    estimation_ar[2:10, :40] = np.nan  # shorter estimation windows
    estimation_ar[5, 70:75] = np.nan  # missing days
    event_ar = sample.event_ar.copy()
    event_ar[3, 0] = np.nan
    gappy = replace(sample, car=car, car_variance=car_variance, estimation_ar=estimation_ar, event_ar=event_ar)
    table = run_tests(gappy, rng=0, replications=199).set_index("test")
    assert table["p_value"].notna().all(), table
    assert table.loc["cross_sectional_t", "n"] == 29
    assert table.loc["bmp_t", "n"] == 28  # also without a CAR variance
    assert table.loc["corrado_rank", "n"] == 30  # ranks need the daily ARs only


def test_sample_refuses_duplicated_pairs_and_bad_shapes() -> None:
    sample = simulate(np.random.default_rng(8), n=3)
    fields = sample.__dict__ | {"event_id": np.array(["e1", "e1", "e2"]), "security_id": np.array(["A", "B", "A"])}
    assert Sample(**fields).n == 3
    with pytest.raises(ValueError, match="duplicated"):
        Sample(**(fields | {"security_id": np.array(["A", "A", "B"])}))
    with pytest.raises(ValueError, match="car_variance"):
        Sample(**(sample.__dict__ | {"car_variance": np.ones(2)}))


def test_pair_statistics_has_one_row_per_pair() -> None:
    sample = simulate(np.random.default_rng(9), n=4)
    table = pair_statistics(sample)
    assert len(table) == 4
    np.testing.assert_allclose(table["car_se"] ** 2, sample.car_variance)
    np.testing.assert_allclose(table["t"], sample.car / np.sqrt(sample.car_variance))
    assert table["sq_p_value"].between(0, 1).all()


# ----------------------------------------------------------------------------------------------------------------
# Recovery, size, clustering


def test_injected_return_is_recovered_and_detected() -> None:
    sample = simulate(np.random.default_rng(10), shock=-0.05)
    assert sample.car.mean() == pytest.approx(-0.05, abs=0.01)
    table = run_tests(sample, rng=0)
    assert (table["p_value"] < 0.01).all(), table
    assert (table["statistic"] < 0).all()


def rejection_rates(samples: int, seed: int, **simulation: float) -> pd.Series:
    """Share of simulated samples in which each test rejects at 5%."""
    rng = np.random.default_rng(seed)
    p = [run_tests(simulate(rng, **simulation), rng=rng, replications=199)["p_value"] for _ in range(samples)]
    return pd.Series((np.array(p) < 0.05).mean(axis=0), index=list(TESTS))


def binomial_band(samples: int, rate: float = 0.05, coverage: float = 0.999) -> tuple[float, float]:
    """Range of a rejection rate that a test of true size ``rate`` leaves with probability ``coverage``."""
    low, high = stats.binom.interval(coverage, samples, rate)
    return low / samples, high / samples


def test_size_without_injected_return() -> None:
    samples = 1500
    rates = rejection_rates(samples, seed=11)
    low, high = binomial_band(samples)
    assert rates.between(low, high).all(), rates


def test_clustering_bmp_over_rejects_and_kolari_pynnonen_holds() -> None:
    samples = 600
    rates = rejection_rates(samples, seed=12, rho=0.3)
    low, high = binomial_band(samples)
    # Variance inflation 1 + 29 * 0.3 ~ 10: the unadjusted tests reject about half the time.
    assert rates["bmp_t"] > 0.3 and rates["patell_z"] > 0.3, rates
    assert low <= rates["kolari_pynnonen_bmp"] <= high, rates
    assert low <= rates["kolari_pynnonen_patell"] <= high, rates


# ----------------------------------------------------------------------------------------------------------------
# SQ test


def test_sq_test_is_calibrated_with_heavy_tails() -> None:
    rng = np.random.default_rng(13)
    pairs, l1 = 4000, 250
    residuals = 0.02 * rng.standard_t(3, size=(pairs, l1 + L2)) / np.sqrt(3)
    p = sq_test(residuals[:, l1:].sum(axis=1), residuals[:, :l1], L2)
    assert np.mean(p < 0.05) == pytest.approx(0.05, abs=0.01)
    assert np.mean(p < 0.10) == pytest.approx(0.10, abs=0.015)


def test_sq_test_extremes_and_missing() -> None:
    residuals = np.random.default_rng(14).normal(0, 0.02, size=(3, 250))
    residuals[2, 1::2] = np.nan  # no complete 3-day sub-window
    p = sq_test(np.array([-0.5, np.nan, 0.0]), residuals, 3)
    assert p[0] == pytest.approx(2 / 249)  # the floor 2 / (M + 1), M = 248 sums
    assert np.isnan(p[1]) and np.isnan(p[2])
    assert sq_test(np.array([0.0]), residuals[:1], 3)[0] > 0.5
    assert np.isnan(sq_test(np.array([0.0]), residuals[:1], 300)).all()  # window longer than the estimation


def test_sq_test_rejects_by_its_stated_rule_at_the_boundary() -> None:
    # Estimation residuals 1, 2, ..., 39 and a one-day window: M = 39 sums, the residuals themselves. The docstring's
    # rule: p <= alpha exactly when at most alpha (M + 1) / 2 - 1 sums lie at or beyond the CAR, on the side where
    # fewer do; at alpha = 0.10 that is 0.10 * 40 / 2 - 1 = 1 sum.
    residuals = np.arange(1.0, 40.0)[np.newaxis, :]
    one_beyond, two_beyond, tied = sq_test(np.array([38.5, 37.5, 38.0]), np.repeat(residuals, 3, axis=0), 1)
    assert one_beyond == 2 * (1 + 1) / 40 == 0.10  # only 39 lies beyond 38.5: rejected at exactly 10%
    assert two_beyond == 2 * (2 + 1) / 40 > 0.10  # 38 and 39: not rejected
    assert tied == two_beyond  # a sum equal to the CAR counts as lying at it
    assert sq_test(np.array([1.5]), residuals, 1)[0] == 0.10  # the lower tail alike

    # The rule and the p-value agree for every CAR between and beyond the sums, on both tails, for 3-day sums too.
    cars = np.arange(-1.0, 122.0, 0.5)
    for window in (1, 3):
        sums = np.convolve(residuals[0], np.ones(window), mode="valid")
        p = sq_test(cars, np.repeat(residuals, cars.size, axis=0), window)
        at_or_below = (sums[np.newaxis, :] <= cars[:, np.newaxis]).sum(axis=1)
        at_or_above = (sums[np.newaxis, :] >= cars[:, np.newaxis]).sum(axis=1)
        beyond = np.minimum(at_or_below, at_or_above)
        for alpha in (0.05, 0.10, 0.20, 0.30):
            np.testing.assert_array_equal(p <= alpha, beyond <= alpha * (sums.size + 1) / 2 - 1)
            # Gelbach, Helland & Klick (2013) rank the CAR among the M sums alone: reject when at most a share
            # alpha / 2 of them lie at or beyond it, beyond <= alpha M / 2. Counting the CAR among the values asks for
            # 1 - alpha / 2 fewer: it never rejects where the paper's rule does not, and differs only at one count.
            paper = beyond <= alpha * sums.size / 2
            assert not (p <= alpha)[~paper].any()
            assert np.unique(beyond[paper & (p > alpha)]).size <= 1
    # Where they differ: 3-day sums (M = 37, the largest 36 + 37 + 38 = 111 and 37 + 38 + 39 = 114), alpha = 0.10 and
    # one sum beyond the CAR: 1 <= 0.10 * 37 / 2 rejects in the paper's rule, while p = 2 * 2 / 38 > 0.10 here.
    assert sq_test(np.array([112.5]), residuals, 3)[0] == 2 * (1 + 1) / 38


# ----------------------------------------------------------------------------------------------------------------
# Placebo test


def test_placebo_p_value_by_hand() -> None:
    # Placebo CARs of three securities on four pseudo dates, for two windows (the test reads column 1), NaN where a
    # pair is not estimable; on the 4th date no security is, so it is left out. D has no placebo CARs at all.
    nan = np.nan
    placebo = {
        "A": np.array([[0.0, 0.02], [0.0, nan], [0.0, -0.04], [0.0, nan]]),
        "B": np.array([[0.0, 0.00], [0.0, 0.03], [0.0, nan], [0.0, nan]]),
        "C": np.array([[0.0, nan], [0.0, nan], [0.0, nan], [0.0, nan]]),
    }
    caar = np.array([-0.03, 0.05, 0.01, 0.02])
    tickers = [["A", "B"], ["A"], ["B", "C"], ["C", "D"]]
    # p = (1 + #{|CAAR_b| >= |CAAR|}) / (B + 1), CAAR_b the mean of the members estimable on date b:
    # (A, B): CAAR_b = 0.01, 0.03, -0.04 on 3 dates; 0.03 (a tie) and 0.04 reach |-0.03|: p = (1 + 2) / 4.
    # (A):    0.02, -0.04 on 2 dates; none reaches 0.05: p = 1 / 3.
    # (B, C): 0.00, 0.03 on 2 dates (C never estimable); 0.03 reaches 0.01: p = (1 + 1) / 3.
    # (C, D): no date with an estimable member: no p-value, and the note says why.
    out = placebo_tests(caar, tickers, placebo, 1)
    np.testing.assert_allclose(out.p_value[:3], [3 / 4, 1 / 3, 2 / 3], rtol=1e-15)
    np.testing.assert_array_equal(out.statistic, caar)
    np.testing.assert_array_equal(out.n, [2, 1, 2, 2])
    assert list(out.note[:3]) == [f"CAAR against {dates} pseudo-event dates" for dates in (3, 2, 2)]
    assert np.isnan(out.p_value[3]) and out.failed.tolist() == [False, False, False, True]
    assert out.note[3].startswith("no pseudo-event date qualifies")
    # Column 0 holds 0.0 for every security on every date: all 4 dates count and none reaches a CAAR, p = 1 / 5.
    np.testing.assert_allclose(placebo_tests(caar, tickers, placebo, 0).p_value, [1 / 5, 1 / 5, 1 / 5, 1 / 5])
