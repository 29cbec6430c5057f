"""Market model with GARCH(1,1) errors, fitted by Gaussian maximum likelihood on each pair's estimation window.

Model (Bollerslev 1986; in event studies Corhay & Tourani Rad 1996, Savickas 2003)::

    R_it = a_i + b_i R_mt + e_it,   e_it = sqrt(h_it) z_it,   z_it ~ N(0, 1),
    h_it = omega_i + alpha_i e_i,t-1^2 + beta_i h_i,t-1.

Mean and variance are estimated jointly (the efficient estimator when the errors are GARCH: a calm day's return
says more about beta than a turbulent day's). The optimization problem is exactly the one the ``arch`` package
solves for ``arch_model(100 y, x=100 x, mean="LS", vol="GARCH", p=1, q=1, rescale=False).fit()`` (Sheppard et al.),
and is solved the same way, by SLSQP from the same starting values:

* returns in percent (``scale = 100``, which keeps ``omega`` away from the optimizer's tolerance; every output is in
  the original units);
* the recursion starts from arch's backcast, ``h_0 = omega + (alpha + beta) sigma2_bc`` with ``sigma2_bc`` the
  exponentially weighted (0.94) mean square of the first 75 OLS residuals;
* bounds ``omega in [1e-8 v, 10 v]`` (``v`` the mean square of the OLS residuals), ``alpha, beta in [0, 1]``, and
  the constraint ``alpha + beta <= 1``;
* starting values: the OLS coefficients, and the best of arch's grid of 16 ``(alpha, alpha + beta)`` with
  ``omega`` matching the residual variance.

The difference is speed: the log-likelihood's gradient is analytic (each derivative of ``h_t`` follows the same
linear recursion as ``h_t``, run by ``scipy.signal.lfilter``) where arch differences it numerically, about three
times faster per pair and without arch's import. The two agree to the optimizer's tolerance (the test suite fits
the same series with arch). arch also clips the variance recursion to loose bounds; they do not bind at an optimum
of a well-behaved series and are not applied here.

Event window: the conditional variance of each event day is the multi-step forecast made at the last estimation
day ``T`` (no event-window return enters it, so an event shock cannot inflate its own yardstick)::

    h_T+1 = omega + alpha e_T^2 + beta h_T,
    h_T+k = hbar + (alpha + beta)^(k-1) (h_T+1 - hbar),   hbar = omega / (1 - alpha - beta),

with ``k`` the sessions from ``T`` (Bollerslev 1986, eq. 14). ``AR_it = R_it - a_i - b_i R_mt`` and
``SAR_it = AR_it / sqrt(h_it)``; ``Var(CAR) = sum_t h_t`` (the variance of a sum of uncorrelated errors; the
estimation error of ``a_i``, ``b_i`` is left out, as in Savickas 2003). Missing estimation days are dropped and the
remaining days treated as consecutive (the recursion needs an unbroken series).

A fit fails, with NaN outputs and a ``reason``, when there are fewer than ``min_observations`` estimation days,
the returns or the market returns do not vary, the optimizer does not converge, or the estimate lies on the
stationarity boundary ``alpha + beta = 1`` (integrated GARCH: no long-run variance, forecasts never revert).

References
----------
Bollerslev, T. (1986). Generalized autoregressive conditional heteroskedasticity. Journal of Econometrics 31(3),
307-327.
Corhay, A., Tourani Rad, A. (1996). Conditional heteroskedasticity adjusted market model and an event study.
Quarterly Review of Economics and Finance 36(4), 529-538.
Savickas, R. (2003). Event-induced volatility and tests for abnormal performance. Journal of Financial Research
26(2), 165-178.
Sheppard, K. et al. arch: ARCH models in Python, https://arch.readthedocs.io (the reference the fit is checked
against).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "DEFAULT_SCALE",
    "MIN_OBSERVATIONS",
    "STATIONARITY_MARGIN",
    "GarchFit",
    "fit_garch_market",
    "garch_log_likelihood",
]

DEFAULT_SCALE = 100.0
"""Returns are multiplied by this before the fit (percent returns)."""

MIN_OBSERVATIONS = 120
"""Fewest estimation days for a GARCH(1,1) fit (five parameters, and the variance dynamics need a long series)."""

STATIONARITY_MARGIN = 1e-6
"""A fit with ``alpha + beta >= 1 - STATIONARITY_MARGIN`` lies on the stationarity constraint and is rejected."""

#: arch's backcast: exponentially weighted mean of the first squared residuals.
_BACKCAST_DAYS, _BACKCAST_DECAY = 75, 0.94
#: arch's starting-value grid: alpha, and alpha + beta.
_ALPHAS, _PERSISTENCES = (0.01, 0.05, 0.1, 0.2), (0.5, 0.7, 0.9, 0.98)
#: SLSQP's tolerance on the objective (arch leaves scipy's default).
_TOLERANCE = 1e-6
_CONSTRAINTS = np.array([[0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, -1, -1]], dtype=float)
_BOUNDS = np.array([0, 0, 0, -1], dtype=float)


@dataclass(frozen=True)
class GarchFit:
    """GARCH(1,1) market-model fits of P pairs, with event-window ARs standardized by the variance forecasts.

    All arrays are in the original return units (``omega`` and the variances in squared returns). A pair whose fit
    failed has NaN everywhere and ``converged`` False, with its ``reason``.

    Attributes
    ----------
    intercept, slope : ndarray, shape (P,)
        Mean equation ``a_i``, ``b_i``.
    omega, alpha, beta : ndarray, shape (P,)
        Variance equation.
    log_likelihood : ndarray, shape (P,)
        Maximized Gaussian log-likelihood of the scaled (percent) returns, as arch reports it.
    r_squared : ndarray, shape (P,)
        ``1 - SSE / SST`` of the mean equation on the estimation days.
    observations : ndarray of int, shape (P,)
        Estimation days used.
    converged : ndarray of bool, shape (P,)
        True where the fit is usable.
    reason : ndarray of str, shape (P,)
        Why the fit is not usable; empty where it is.
    estimation_residuals, estimation_variance : ndarray, shape (P, L1)
        Residuals ``e_it`` of the mean equation and fitted conditional variances ``h_it`` on the estimation days
        (NaN where a return is missing).
    horizon : ndarray of int, shape (P, L2)
        Sessions ``k`` from each pair's last estimation day with data to each event-window column.
    variance_forecast : ndarray, shape (P, L2)
        ``h_T+k`` for each event-window day.
    abnormal_returns, standardized : ndarray, shape (P, L2)
        ``AR_it`` and ``SAR_it = AR_it / sqrt(h_it)``; NaN where a return is missing.
    event_start : int
        Event time of the first event-window column.
    """

    intercept: np.ndarray
    slope: np.ndarray
    omega: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    log_likelihood: np.ndarray
    r_squared: np.ndarray
    observations: np.ndarray
    converged: np.ndarray
    reason: np.ndarray
    estimation_residuals: np.ndarray
    estimation_variance: np.ndarray
    horizon: np.ndarray
    variance_forecast: np.ndarray
    abnormal_returns: np.ndarray
    standardized: np.ndarray
    event_start: int

    @property
    def persistence(self) -> np.ndarray:
        """``alpha + beta``, the rate at which a variance shock decays per day."""
        return self.alpha + self.beta

    @property
    def long_run_variance(self) -> np.ndarray:
        """Unconditional variance ``omega / (1 - alpha - beta)``."""
        return self.omega / (1.0 - self.persistence)

    def cumulative(self, window: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """CAR over ``window = (tau1, tau2)`` in event time and its variance ``sum_t h_t``.

        Returns
        -------
        car, variance : ndarray, shape (P,)
            CAR is NaN where a day of the window lacks an AR (as the OLS engine does).
        """
        first, last = window
        length = self.abnormal_returns.shape[1]
        if first > last or first < self.event_start or last >= self.event_start + length:
            raise ValueError(
                f"window {window} is not inside the event-window columns "
                f"{self.event_start}..{self.event_start + length - 1}"
            )
        columns = slice(first - self.event_start, last - self.event_start + 1)
        return self.abnormal_returns[:, columns].sum(axis=1), self.variance_forecast[:, columns].sum(axis=1)


def _backcast(residuals: np.ndarray) -> float:
    """arch's backcast of ``h_0``: the 0.94-weighted mean square of the first 75 residuals."""
    weights = _BACKCAST_DECAY ** np.arange(min(_BACKCAST_DAYS, residuals.size))
    return float(np.sum(residuals[: weights.size] ** 2 * weights) / weights.sum())


def _variance(params: np.ndarray, residuals: np.ndarray, backcast: float) -> np.ndarray:
    """The conditional variances ``h_t`` of ``residuals`` (scaled units), from the backcast."""
    from scipy.signal import lfilter

    _, _, omega, alpha, beta = params
    lagged = np.empty_like(residuals)
    lagged[0] = backcast
    lagged[1:] = residuals[:-1] ** 2
    # h_t - beta h_t-1 = omega + alpha e_t-1^2, with h_-1 and e_-1^2 both the backcast.
    return lfilter([1.0], [1.0, -beta], omega + alpha * lagged, zi=[beta * backcast])[0]


def garch_log_likelihood(params: np.ndarray, y: np.ndarray, x: np.ndarray, backcast: float) -> tuple[float, np.ndarray]:
    """Gaussian log-likelihood of the GARCH(1,1) market model and its gradient (arch's objective).

    ``l = -1/2 sum_t (log 2 pi + log h_t + e_t^2 / h_t)`` with ``e_t = y_t - a - b x_t`` and the recursion of the
    module docstring. Each derivative of ``h_t`` follows ``dh_t = z_t + beta dh_t-1`` with ``z_t`` = ``1``,
    ``e_t-1^2``, ``h_t-1`` (the backcast at ``t = 0``) for ``omega``, ``alpha``, ``beta``, and ``-2 alpha e_t-1``,
    ``-2 alpha e_t-1 x_t-1`` for ``a``, ``b`` (the backcast is a constant).

    Parameters
    ----------
    params : ndarray, shape (5,)
        ``[a, b, omega, alpha, beta]`` in the units of ``y`` and ``x``.
    y, x : ndarray, shape (T,)
        Security and market returns, no missing value.
    backcast
        ``h`` before the first day (see :func:`_backcast`).

    Returns
    -------
    (float, ndarray of shape (5,))
    """
    from scipy.signal import lfilter

    a, b, _, alpha, beta = params
    residuals = y - a - b * x
    squared = residuals**2
    variance = _variance(params, residuals, backcast)
    value = -0.5 * (y.size * np.log(2 * np.pi) + np.sum(np.log(variance) + squared / variance))
    # Inputs of the derivative recursions, each lagged one day (the backcast, or 0 for the mean terms, at t = 0).
    inputs = np.zeros((5, y.size))
    inputs[0, 1:] = -2 * alpha * residuals[:-1]
    inputs[1, 1:] = inputs[0, 1:] * x[:-1]
    inputs[2] = 1.0
    inputs[3, 0], inputs[3, 1:] = backcast, squared[:-1]
    inputs[4, 0], inputs[4, 1:] = backcast, variance[:-1]
    derivatives = lfilter([1.0], [1.0, -beta], inputs, axis=1)
    gradient = -0.5 * derivatives @ (1 / variance - squared / variance**2)
    gradient[0] += np.sum(residuals / variance)
    gradient[1] += np.sum(residuals * x / variance)
    return float(value), gradient


def _log_likelihood(params: np.ndarray, y: np.ndarray, x: np.ndarray, backcast: float) -> float:
    """The log-likelihood alone (see :func:`garch_log_likelihood`), for the starting-value grid."""
    residuals = y - params[0] - params[1] * x
    variance = _variance(params, residuals, backcast)
    return float(-0.5 * (y.size * np.log(2 * np.pi) + np.sum(np.log(variance) + residuals**2 / variance)))


@dataclass(frozen=True)
class _PairFit:
    """One pair's fit in scaled units: ``[a, b, omega, alpha, beta]``, the log-likelihood and the backcast, or a
    reason."""

    params: np.ndarray
    log_likelihood: float
    backcast: float
    observations: int
    reason: str


def _fit_pair(y: np.ndarray, x: np.ndarray, min_observations: int) -> _PairFit:
    """Fit one pair's scaled returns (missing days dropped) by SLSQP, as arch does (see the module docstring)."""
    from scipy.optimize import minimize

    seen = np.isfinite(y) & np.isfinite(x)
    count = int(seen.sum())

    def failed(reason: str) -> _PairFit:
        return _PairFit(np.full(5, np.nan), np.nan, np.nan, count, reason)

    if count < min_observations:
        return failed(f"{count} estimation days, GARCH(1,1) needs {min_observations}")
    returns, market = y[seen], x[seen]
    if np.ptp(returns) == 0:
        return failed("the returns do not vary over the estimation window")
    if np.ptp(market) == 0:
        return failed("the market returns do not vary over the estimation window")
    design = np.column_stack([np.ones(count), market])
    mean = np.linalg.lstsq(design, returns, rcond=None)[0]
    residuals = returns - design @ mean
    backcast = _backcast(residuals)
    target = float(np.mean(residuals**2))
    grid = [
        np.array([mean[0], mean[1], (1 - total) * target, alpha, total - alpha])
        for alpha in _ALPHAS
        for total in _PERSISTENCES
    ]
    start = max(grid, key=lambda values: _log_likelihood(values, returns, market, backcast))

    def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = garch_log_likelihood(params, returns, market, backcast)
        return -value, -gradient

    bounds = [(-np.inf, np.inf), (-np.inf, np.inf), (1e-8 * target, 10.0 * target), (0.0, 1.0), (0.0, 1.0)]
    constraints = {"type": "ineq", "fun": lambda p: _CONSTRAINTS @ p - _BOUNDS, "jac": lambda p: _CONSTRAINTS}
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        result = minimize(
            objective,
            start,
            jac=True,
            method="SLSQP",
            bounds=bounds,
            constraints=constraints,
            options={"ftol": _TOLERANCE},
        )
    if result.status != 0 or not np.isfinite(result.fun):
        return failed(f"the optimizer did not converge: {result.message}")
    params = np.asarray(result.x, dtype=float)
    if params[3] + params[4] >= 1.0 - STATIONARITY_MARGIN:
        return failed(f"alpha + beta = {params[3] + params[4]:.6f} is on the stationarity boundary (integrated GARCH)")
    return _PairFit(params, -float(result.fun), backcast, count, "")


def fit_garch_market(
    y_est: np.ndarray,
    x_est: np.ndarray,
    y_event: np.ndarray,
    x_event: np.ndarray,
    *,
    scale: float = DEFAULT_SCALE,
    estimation_end: int = -11,
    event_start: int = -10,
    min_observations: int = MIN_OBSERVATIONS,
) -> GarchFit:
    """Fit the GARCH(1,1) market model of every pair and standardize its event-window ARs.

    One maximum-likelihood fit per pair (each an iterative optimization); the residuals, forecasts, ARs and SARs are
    then computed for all pairs at once.

    Parameters
    ----------
    y_est, x_est : array_like, shape (P, L1)
        Security and market simple returns over the estimation window in event time (last column = day
        ``estimation_end``), NaN where missing.
    y_event, x_event : array_like, shape (P, L2)
        The same over the event window (first column = day ``event_start``).
    scale : float
        Multiplier of the returns for the fit (percent by default).
    estimation_end, event_start : int
        Event times of the last estimation column and the first event column.
    min_observations : int
        Fewest estimation days for a fit.

    Returns
    -------
    GarchFit

    Raises
    ------
    ValueError
        If the shapes do not match, ``scale`` is not positive or the event window does not start after the
        estimation window.

    References
    ----------
    Bollerslev, T. (1986). Journal of Econometrics 31(3), 307-327.
    Savickas, R. (2003). Journal of Financial Research 26(2), 165-178.
    """
    y_est, x_est, y_event, x_event = (np.asarray(a, dtype=float) for a in (y_est, x_est, y_event, x_event))
    if y_est.shape != x_est.shape or y_event.shape != x_event.shape or y_est.shape[0] != y_event.shape[0]:
        raise ValueError(
            f"estimation arrays {y_est.shape}, {x_est.shape} and event arrays {y_event.shape}, {x_event.shape} "
            "must have matching shapes (P, L1) and (P, L2)"
        )
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    if event_start <= estimation_end:
        raise ValueError(f"the event window (from {event_start}) must start after the estimation window ends")
    fits = [_fit_pair(scale * y, scale * x, min_observations) for y, x in zip(y_est, x_est, strict=True)]
    params = np.array([fit.params for fit in fits]).reshape(len(fits), 5)
    intercept, slope, omega, alpha, beta = params.T
    seen = np.isfinite(y_est) & np.isfinite(x_est)
    residuals = np.where(seen, scale * y_est - intercept[:, None] - slope[:, None] * scale * x_est, np.nan)
    variances = np.full(residuals.shape, np.nan)
    last_residual, last_variance = np.full(len(fits), np.nan), np.full(len(fits), np.nan)
    last_day = np.where(seen.any(axis=1), seen.shape[1] - 1 - np.argmax(seen[:, ::-1], axis=1), 0)
    for pair in np.flatnonzero([not fit.reason for fit in fits]):
        observed = residuals[pair, seen[pair]]
        fitted = _variance(params[pair], observed, fits[pair].backcast)
        variances[pair, seen[pair]] = fitted
        last_residual[pair], last_variance[pair] = observed[-1], fitted[-1]
    # Steps from the last estimation day with data to each event column.
    horizon = (event_start - estimation_end + np.arange(y_event.shape[1]))[None, :] + (seen.shape[1] - 1 - last_day)[
        :, None
    ]
    one_step = omega + alpha * last_residual**2 + beta * last_variance
    persistence = alpha + beta
    long_run = omega / (1.0 - persistence)
    with np.errstate(invalid="ignore"):
        forecast = long_run[:, None] + persistence[:, None] ** (horizon - 1) * (one_step - long_run)[:, None]
    forecast /= scale**2
    abnormal = y_event - intercept[:, None] / scale - slope[:, None] * x_event
    returns = np.where(seen, y_est, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(returns, axis=1, keepdims=True) / seen.sum(axis=1, keepdims=True)
        spread = np.nansum((returns - mean) ** 2, axis=1)
        r_squared = 1 - np.nansum(residuals**2, axis=1) / scale**2 / spread
    return GarchFit(
        intercept=intercept / scale,
        slope=slope,
        omega=omega / scale**2,
        alpha=alpha,
        beta=beta,
        log_likelihood=np.array([fit.log_likelihood for fit in fits]),
        r_squared=np.where(np.isfinite(intercept), r_squared, np.nan),
        observations=np.array([fit.observations for fit in fits], dtype=int),
        converged=np.array([not fit.reason for fit in fits], dtype=bool),
        reason=np.array([fit.reason for fit in fits], dtype=object),
        estimation_residuals=residuals / scale,
        estimation_variance=variances / scale**2,
        horizon=horizon,
        variance_forecast=forecast,
        abnormal_returns=abnormal,
        standardized=abnormal / np.sqrt(forecast),
        event_start=event_start,
    )
