"""Normal-return models from prefix sums, cross-checked against statsmodels OLS and the closed forms of METHODS.md."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from eventstudy.engine import fit_pairs
from eventstudy.models import (
    ConstantMean,
    Dimson,
    MarketAdjusted,
    MarketModel,
    MultiFactor,
    ScholesWilliams,
    get_model,
    shift_rows,
)

ESTIMATION = (-250, -11)
PATH = (-10, 10)
WINDOWS = ((0, 0), (-1, 1), (0, 5), (-10, 10))


@pytest.fixture(scope="module")
def panel() -> dict[str, np.ndarray]:
    """Three securities over 900 sessions with known betas, a few missing returns, and 6 pairs."""
    rng = np.random.default_rng(7)
    rows, securities = 900, 3
    market = rng.normal(0.0004, 0.011, (rows, securities))
    factor = rng.normal(0.0, 0.008, (rows, securities))
    returns = 0.0007 + np.array([0.8, 1.2, 1.7]) * market + 0.5 * factor + rng.normal(0, 0.017, (rows, securities))
    returns[[300, 301, 640], [0, 1, 2]] = np.nan
    market[455, 0] = np.nan
    return {
        "returns": returns,
        "market": market,
        "factor": factor[:, :, np.newaxis],
        "security": np.array([0, 1, 2, 0, 1, 2]),
        "day_zero_row": np.array([400, 420, 700, 800, 560, 261]),
    }


def design_of(panel: dict[str, np.ndarray], pair: int, columns: list[np.ndarray], first: int, last: int) -> tuple:
    security, row = panel["security"][pair], panel["day_zero_row"][pair]
    rows = np.arange(row + first, row + last + 1)
    x = np.column_stack([np.ones(rows.size), *(column[rows, security] for column in columns)])
    y = panel["returns"][rows, security]
    return x, y


@pytest.mark.parametrize(
    ("model", "regressors"),
    [
        (MarketModel(), lambda p: [p["market"]]),
        (ConstantMean(), lambda p: []),
        (MultiFactor(1), lambda p: [p["market"], p["factor"][:, :, 0]]),
        (Dimson(1), lambda p: [shift_rows(p["market"], 1), p["market"], shift_rows(p["market"], -1)]),
    ],
)
def test_ols_models_equal_statsmodels(panel: dict[str, np.ndarray], model, regressors) -> None:  # type: ignore[no-untyped-def]
    arrays = fit_pairs(
        panel["returns"],
        panel["market"],
        panel["security"],
        panel["day_zero_row"],
        model,
        ESTIMATION,
        PATH,
        WINDOWS,
        factors=panel["factor"],
        with_residuals=True,
    )
    fit = arrays.fit
    for pair in range(panel["security"].size):
        x, y = design_of(panel, pair, regressors(panel), *ESTIMATION)
        ok = np.isfinite(x).all(axis=1) & np.isfinite(y)
        ols = sm.OLS(y[ok], x[ok]).fit()
        np.testing.assert_allclose(fit.coefficients[pair], ols.params, rtol=0, atol=1e-10)
        assert fit.sigma[pair] == pytest.approx(np.sqrt(ols.scale), abs=1e-10)
        assert fit.dof[pair] == ols.df_resid and fit.observations[pair] == ok.sum()
        if x.shape[1] > 1:
            assert fit.r_squared[pair] == pytest.approx(ols.rsquared, abs=1e-10)
        # Every AR of the path, and every estimation residual.
        x_path, y_path = design_of(panel, pair, regressors(panel), *PATH)
        np.testing.assert_allclose(arrays.ar[pair], y_path - x_path @ ols.params, rtol=0, atol=1e-10, equal_nan=True)
        residuals = np.full(y.size, np.nan)
        residuals[ok] = ols.resid
        np.testing.assert_allclose(arrays.estimation_residuals[pair], residuals, rtol=0, atol=1e-10, equal_nan=True)
        # Var(CAR) in its general form: sigma^2 g'(I + X*(X'X)^-1 X*')g, with the full (X'X)^-1.
        inverse = np.linalg.inv(x[ok].T @ x[ok])
        for position, (tau1, tau2) in enumerate(WINDOWS):
            x_window, _ = design_of(panel, pair, regressors(panel), tau1, tau2)
            ones = np.ones(tau2 - tau1 + 1)
            covariance = ols.scale * (np.eye(ones.size) + x_window @ inverse @ x_window.T)
            assert arrays.car_variance[pair, position] == pytest.approx(ones @ covariance @ ones, rel=1e-10)
            day_ar = arrays.ar[pair, tau1 - PATH[0] : tau2 - PATH[0] + 1]
            expected = day_ar.sum() if np.isfinite(day_ar).all() else np.nan
            np.testing.assert_allclose(arrays.car[pair, position], expected, rtol=0, atol=1e-12, equal_nan=True)


def test_market_model_variances_match_the_closed_forms_of_methods_md(panel: dict[str, np.ndarray]) -> None:
    arrays = fit_pairs(
        panel["returns"],
        panel["market"],
        panel["security"],
        panel["day_zero_row"],
        MarketModel(),
        ESTIMATION,
        PATH,
        WINDOWS,
    )
    for pair in range(panel["security"].size):
        security, row = panel["security"][pair], panel["day_zero_row"][pair]
        rows = np.arange(row + ESTIMATION[0], row + ESTIMATION[1] + 1)
        x, y = panel["market"][rows, security], panel["returns"][rows, security]
        ok = np.isfinite(x) & np.isfinite(y)
        length, mean, spread = ok.sum(), x[ok].mean(), ((x[ok] - x[ok].mean()) ** 2).sum()
        sigma2 = arrays.fit.sigma2[pair]
        path_x = panel["market"][row + np.arange(PATH[0], PATH[1] + 1), security]
        expected_ar = sigma2 * (1 + 1 / length + (path_x - mean) ** 2 / spread)
        np.testing.assert_allclose(arrays.ar_variance[pair], expected_ar, rtol=1e-10)
        for position, (tau1, tau2) in enumerate(WINDOWS):
            window = panel["market"][row + np.arange(tau1, tau2 + 1), security]
            l2 = tau2 - tau1 + 1
            expected = sigma2 * (l2 + l2**2 / length + ((window - mean).sum()) ** 2 / spread)
            assert arrays.car_variance[pair, position] == pytest.approx(expected, rel=1e-10)


def slope(x: np.ndarray, y: np.ndarray) -> float:
    """Simple-regression slope of y on x."""
    return float(np.cov(x, y)[0, 1] / np.var(x, ddof=1))


def test_scholes_williams_beta_from_its_definition(panel: dict[str, np.ndarray]) -> None:
    arrays = fit_pairs(
        panel["returns"], panel["market"], panel["security"], panel["day_zero_row"], ScholesWilliams(), ESTIMATION, PATH
    )
    market = panel["market"]
    for pair in range(panel["security"].size):
        security, row = panel["security"][pair], panel["day_zero_row"][pair]
        rows = np.arange(row + ESTIMATION[0], row + ESTIMATION[1] + 1)
        y = panel["returns"][rows, security]
        lag, now, lead = market[rows - 1, security], market[rows, security], market[rows + 1, security]
        ok = np.isfinite(y) & np.isfinite(lag) & np.isfinite(now) & np.isfinite(lead)
        y, lag, now, lead = y[ok], lag[ok], now[ok], lead[ok]

        rho = np.corrcoef(now, lag)[0, 1]
        beta = (slope(lag, y) + slope(now, y) + slope(lead, y)) / (1 + 2 * rho)
        alpha = y.mean() - beta * now.mean()
        assert arrays.fit.beta[pair] == pytest.approx(beta, abs=1e-10)
        assert arrays.fit.alpha[pair] == pytest.approx(alpha, abs=1e-12)
        residuals = y - alpha - beta * now
        assert arrays.fit.sigma2[pair] == pytest.approx((residuals**2).sum() / (ok.sum() - 2), rel=1e-9)


def test_market_adjusted_and_constant_mean(panel: dict[str, np.ndarray]) -> None:
    args = (panel["returns"], panel["market"], panel["security"], panel["day_zero_row"])
    adjusted = fit_pairs(*args, MarketAdjusted(), ESTIMATION, PATH)
    security, row = panel["security"][0], panel["day_zero_row"][0]
    path_rows = row + np.arange(PATH[0], PATH[1] + 1)
    expected = panel["returns"][path_rows, security] - panel["market"][path_rows, security]
    np.testing.assert_allclose(adjusted.ar[0], expected, rtol=0, atol=1e-15, equal_nan=True)
    rows = np.arange(row + ESTIMATION[0], row + ESTIMATION[1] + 1)
    difference = panel["returns"][rows, security] - panel["market"][rows, security]
    assert adjusted.fit.sigma2[0] == pytest.approx(np.nanvar(difference, ddof=1), rel=1e-10)
    np.testing.assert_allclose(adjusted.ar_variance[0], adjusted.fit.sigma2[0])  # no estimation error
    assert adjusted.car_variance[0, 1] == pytest.approx(3 * adjusted.fit.sigma2[0], rel=1e-12)

    constant = fit_pairs(*args, ConstantMean(), ESTIMATION, PATH)
    mean = np.nanmean(panel["returns"][rows, security])
    np.testing.assert_allclose(constant.normal[0], mean, rtol=1e-12)


def test_usable_mask_leaves_rows_out_of_the_estimation(panel: dict[str, np.ndarray]) -> None:
    usable = np.ones(panel["returns"].shape, dtype=bool)
    usable[200:230, 0] = False  # inside the estimation window of pair 0 (day 0 at row 400)
    args = (
        panel["returns"],
        panel["market"],
        panel["security"],
        panel["day_zero_row"],
        MarketModel(),
        ESTIMATION,
        PATH,
    )
    full = fit_pairs(*args)
    masked = fit_pairs(*args, usable=usable, with_residuals=True)
    assert full.fit.observations[0] - masked.fit.observations[0] == 30
    assert np.isnan(masked.estimation_residuals[0, 200 - 400 - ESTIMATION[0]])
    assert masked.fit.observations[1] == full.fit.observations[1]  # another security is untouched


def test_model_names() -> None:
    assert get_model("market").name == "market"
    assert isinstance(get_model(Dimson(2)), Dimson)
    with pytest.raises(ValueError, match="unknown model 'capm'"):
        get_model("capm")
