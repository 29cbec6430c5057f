"""GARCH(1,1) market model: known parameters recovered, the fit equal to a direct arch call (to the optimizer's
tolerance: the same problem, solved with an analytic gradient where arch differences numerically), the gradient
against finite differences, the mean coefficients against statsmodels (OLS and the GARCH-weighted least squares),
forecasts against arch's, and failures with a reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eventstudy.models.garch import MIN_OBSERVATIONS, fit_garch_market, garch_log_likelihood

REFERENCE_EVENTS = Path(__file__).resolve().parent / "data" / "reference" / "events.csv"

TRUE = {"intercept": 0.0005, "slope": 1.2, "omega": 4e-6, "alpha": 0.10, "beta": 0.85}


def simulate(days: int, rng: np.random.Generator, **params: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``R = a + b R_m + e`` with GARCH(1,1) errors; returns (security, market, conditional variance)."""
    p = TRUE | params
    market = rng.normal(0.0, 0.01, days)
    errors = np.empty(days)
    variances = np.empty(days)
    variance = p["omega"] / (1 - p["alpha"] - p["beta"])
    for t in range(days):
        variances[t] = variance
        errors[t] = np.sqrt(variance) * rng.normal()
        variance = p["omega"] + p["alpha"] * errors[t] ** 2 + p["beta"] * variance
    return p["intercept"] + p["slope"] * market + errors, market, variances


def fit_series(y: np.ndarray, x: np.ndarray, event_days: int, **options: int):
    """Fit one pair: the last ``event_days`` days are the event window, right after the estimation window."""
    estimation = y.size - event_days
    return fit_garch_market(
        y[None, :estimation],
        x[None, :estimation],
        y[None, estimation:],
        x[None, estimation:],
        estimation_end=-1,
        event_start=0,
        **options,
    )


def test_known_parameters_are_recovered() -> None:
    y, x, _ = simulate(4000, np.random.default_rng(0))
    fit = fit_series(y, x, 1)
    assert fit.converged[0] and fit.reason[0] == ""
    assert fit.slope[0] == pytest.approx(TRUE["slope"], abs=0.05)
    assert fit.intercept[0] == pytest.approx(TRUE["intercept"], abs=3e-4)
    assert fit.alpha[0] == pytest.approx(TRUE["alpha"], abs=0.03)
    assert fit.beta[0] == pytest.approx(TRUE["beta"], abs=0.04)
    assert fit.long_run_variance[0] == pytest.approx(TRUE["omega"] / 0.05, rel=0.2)
    assert fit.observations[0] == 3999


def test_the_fit_equals_a_direct_arch_call_and_its_forecasts() -> None:
    from arch import arch_model

    y, x, _ = simulate(281, np.random.default_rng(1))
    fit = fit_series(y, x, 21)
    direct = arch_model(100 * y[:260], x=100 * x[:260, None], mean="LS", vol="GARCH", p=1, q=1, rescale=False).fit(
        disp="off", show_warning=False
    )
    const, slope, omega, alpha, beta = direct.params.to_numpy()
    # The same maximum: arch's SLSQP stops within its tolerance of it (ftol 1e-6), Newton's method at it, so the
    # log-likelihoods agree to 1e-6 (ours not lower) and the parameters to 1e-4 of their size.
    assert direct.loglikelihood - 1e-9 <= fit.log_likelihood[0] <= direct.loglikelihood + 1e-6
    np.testing.assert_allclose(
        [fit.intercept[0] * 100, fit.slope[0], fit.omega[0] * 1e4, fit.alpha[0], fit.beta[0]],
        [const, slope, omega, alpha, beta],
        rtol=1e-4,
    )
    np.testing.assert_allclose(fit.estimation_variance[0], direct.conditional_volatility**2 / 1e4, rtol=1e-4)
    np.testing.assert_allclose(fit.estimation_residuals[0], direct.resid / 100, rtol=1e-4, atol=1e-7)
    forecast = direct.forecast(horizon=21, x={"x0": 100 * x[None, 260:]}, reindex=False)
    np.testing.assert_allclose(fit.variance_forecast[0], forecast.variance.to_numpy()[0] / 1e4, rtol=1e-4)
    np.testing.assert_allclose(fit.horizon[0], np.arange(1, 22))
    ar = y[260:] - const / 100 - slope * x[260:]
    np.testing.assert_allclose(fit.abnormal_returns[0], ar, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(fit.standardized[0], fit.abnormal_returns[0] / np.sqrt(fit.variance_forecast[0]))


def test_the_exact_gradient_and_hessian_equal_finite_differences() -> None:
    y, x, _ = simulate(240, np.random.default_rng(6))
    params = np.array([0.02, 1.1, 0.05, 0.08, 0.88])
    value, gradient, hessian = garch_log_likelihood(params, 100 * y, 100 * x, 1.3)
    step = 1e-6
    moved = [garch_log_likelihood(params + step * unit, 100 * y, 100 * x, 1.3) for unit in np.eye(5)]
    np.testing.assert_allclose(gradient, [(other[0] - value) / step for other in moved], rtol=1e-4)
    numeric = np.array([(other[1] - gradient) / step for other in moved])
    np.testing.assert_allclose(hessian, numeric, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(hessian, hessian.T, rtol=1e-12)


def test_mean_coefficients_agree_with_ols_as_garch_weighting_implies() -> None:
    import statsmodels.api as sm
    from arch import arch_model

    y, x, _ = simulate(3000, np.random.default_rng(2))
    fit = fit_series(y, x, 1)
    design = sm.add_constant(x[:-1])
    ols = sm.OLS(y[:-1], design).fit(cov_type="HC3")
    # Weighted least squares with the fitted conditional variances as weights: the mean equation GARCH implies.
    variances = (
        arch_model(100 * y[:-1], x=100 * x[:-1, None], mean="LS", vol="GARCH", p=1, q=1, rescale=False)
        .fit(disp="off", show_warning=False)
        .conditional_volatility
        ** 2
        / 1e4
    )
    wls = sm.WLS(y[:-1], design, weights=1 / variances).fit()
    # Both estimate the same coefficients: within sampling error of OLS...
    assert abs(fit.slope[0] - ols.params[1]) < 3 * ols.bse[1]
    assert abs(fit.intercept[0] - ols.params[0]) < 3 * ols.bse[0]
    # ...and much closer to the GARCH-weighted fit than to OLS.
    assert abs(fit.slope[0] - wls.params[1]) < 0.25 * wls.bse[1]
    assert abs(fit.slope[0] - wls.params[1]) < abs(fit.slope[0] - ols.params[1])


def test_an_injected_abnormal_return_is_recovered_by_the_standardized_ars() -> None:
    rng = np.random.default_rng(3)
    pairs, estimation, event = 12, 250, 3
    series = [simulate(estimation + event, rng) for _ in range(pairs)]
    y = np.array([s[0] for s in series])
    x = np.array([s[1] for s in series])
    y[:, estimation + 1] -= 0.08  # an 8% fall on day 0
    fit = fit_garch_market(y[:, :estimation], x[:, :estimation], y[:, estimation:], x[:, estimation:], event_start=-1)
    assert fit.converged.all()
    assert np.mean(fit.abnormal_returns[:, 1]) == pytest.approx(-0.08, abs=0.01)
    assert np.all(fit.standardized[:, 1] < -2)
    assert np.all(np.abs(np.mean(fit.standardized[:, [0, 2]], axis=1)) < 3)
    car, variance = fit.cumulative((-1, 1))
    np.testing.assert_allclose(car, fit.abnormal_returns.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(variance, fit.variance_forecast.sum(axis=1), rtol=1e-12)
    with pytest.raises(ValueError, match="not inside"):
        fit.cumulative((0, 3))


def test_degenerate_series_give_nan_with_a_reason() -> None:
    rng = np.random.default_rng(4)
    days = 241
    market = rng.normal(0, 0.01, days)
    calm, turbulent = rng.normal(0, 0.002, 120), rng.normal(0, 0.05, 121)
    good_y, good_x, _ = simulate(days, rng)
    y = np.array(
        [
            0.5 * market + np.r_[calm, turbulent],  # a volatility break: alpha + beta on the boundary
            np.full(days, 0.001),  # returns that never move
            np.r_[np.full(days - MIN_OBSERVATIONS, np.nan), market[-MIN_OBSERVATIONS:]],  # too short a history
            0.8 * market,  # a market that never moves
            good_y,  # a well-behaved pair in the same call
        ]
    )
    x = np.array([market, market, market, np.full(days, 0.002), good_x])
    fit = fit_garch_market(y[:, :-1], x[:, :-1], y[:, -1:], x[:, -1:], estimation_end=-1, event_start=0)
    assert fit.converged.tolist() == [False, False, False, False, True]
    assert "stationarity boundary" in fit.reason[0]
    assert "the returns do not vary" in fit.reason[1]
    assert f"{MIN_OBSERVATIONS - 1} estimation days, GARCH(1,1) needs {MIN_OBSERVATIONS}" in fit.reason[2]
    assert "the market returns do not vary" in fit.reason[3]
    for name in ("intercept", "slope", "omega", "alpha", "beta", "variance_forecast", "standardized"):
        assert np.isnan(getattr(fit, name)[:4]).all(), name
        assert np.isfinite(getattr(fit, name)[4]).all(), name


def test_non_convergence_gives_nan_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    import eventstudy.models.garch

    monkeypatch.setattr(eventstudy.models.garch, "_MAX_ITERATIONS", 1)
    y, x, _ = simulate(300, np.random.default_rng(5))
    fit = fit_series(y, x, 1)
    assert not fit.converged[0] and np.isnan(fit.slope[0])
    assert fit.reason[0] == "the optimizer did not converge in 1 Newton iterations"


def test_arguments_are_checked() -> None:
    z = np.zeros((2, 10))
    with pytest.raises(ValueError, match="matching shapes"):
        fit_garch_market(z, z[:, :5], z, z)
    with pytest.raises(ValueError, match="scale"):
        fit_garch_market(z, z, z, z, scale=0.0)
    with pytest.raises(ValueError, match="start after"):
        fit_garch_market(z, z, z, z, estimation_end=0, event_start=0)


def test_model_garch_refits_every_pair_and_keeps_the_ols_fit_where_garch_fails() -> None:
    from eventstudy import EventStudy, SnapshotSource, load_events

    events = [event for event in load_events(REFERENCE_EVENTS) if event.id == "nvidia-crash"]
    # Horizon Robotics listed on 2024-10-24: 45 returns before the crash's estimation window ends, enough for OLS
    # with min_estimation=30, too few for GARCH(1,1). TSM's likelihood rises to alpha = 0, beta = 1 (no ARCH
    # effect; the variance stays at the backcast): integrated GARCH, refused.
    study = EventStudy(
        events,
        tickers=["NVDA", "TSM", "9660.HK"],
        model="garch",
        min_estimation=30,
        prices=SnapshotSource(),
        garch_tickers=["NVDA", "TSM"],
        analyses=["garch"],
        baskets=[],
    )
    results = study.run()
    pairs = results.pairs.set_index("ticker")
    assert pairs.loc["NVDA", "model_used"] == "garch" and pairs.loc["NVDA", "fallback_reason"] == ""
    for ticker, reason in (("9660.HK", "45 estimation days, GARCH(1,1) needs 120"), ("TSM", "stationarity boundary")):
        assert pairs.loc[ticker, "model_used"] == "market", ticker
        assert (
            pairs.loc[ticker, "fallback_reason"].startswith("GARCH(1,1) not fitted: ")
            and reason in (pairs.loc[ticker, "fallback_reason"])
        )
    assert pairs.loc["NVDA", "dof"] == pairs.loc["NVDA", "observations"] - 5
    garch = results.garch.set_index(["ticker", "day"])
    ar = results.ar.set_index(["ticker", "day"])
    np.testing.assert_allclose(ar.loc["TSM", "ar"], garch.loc["TSM", "ols_ar"], rtol=1e-12)
    for ticker in ("NVDA",):
        np.testing.assert_allclose(ar.loc[ticker, "ar"], garch.loc[ticker, "garch_ar"], rtol=1e-12)
        np.testing.assert_allclose(ar.loc[ticker, "ar_se"], garch.loc[ticker, "garch_sd"], rtol=1e-12)
    car = results.car.set_index(["ticker", "window"])
    window = garch.loc["NVDA"].loc[-1:1]
    assert car.loc[("NVDA", "(-1,+1)"), "car"] == pytest.approx(window["garch_ar"].sum(), rel=1e-12)
    assert car.loc[("NVDA", "(-1,+1)"), "car_se"] == pytest.approx(np.sqrt((window["garch_sd"] ** 2).sum()), rel=1e-12)
