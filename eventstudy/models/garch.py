"""Market model with GARCH(1,1) errors, fitted by Gaussian maximum likelihood on each pair's estimation window,
every pair at once.

Model (Bollerslev 1986; in event studies Corhay & Tourani Rad 1996, Savickas 2003)::

    R_it = a_i + b_i R_mt + e_it,   e_it = sqrt(h_it) z_it,   z_it ~ N(0, 1),
    h_it = omega_i + alpha_i e_i,t-1^2 + beta_i h_i,t-1.

Mean and variance are estimated jointly (the efficient estimator when the errors are GARCH: a calm day's return
says more about beta than a turbulent day's). The likelihood is exactly the one the ``arch`` package maximizes for
``arch_model(100 y, x=100 x, mean="LS", vol="GARCH", p=1, q=1, rescale=False).fit()`` (Sheppard et al.), from the
same starting point and inside the same bounds:

* returns in percent (``scale = 100``, which keeps ``omega`` away from zero; every output is in the original
  units); missing estimation days are dropped and the remaining days treated as consecutive;
* the recursion starts from arch's backcast, ``h_0 = omega + (alpha + beta) sigma2_bc`` with ``sigma2_bc`` the
  exponentially weighted (0.94) mean square of the first 75 OLS residuals;
* bounds ``omega in [1e-8 v, 10 v]`` (``v`` the mean square of the OLS residuals), ``alpha, beta in [0, 1]``,
  ``alpha + beta <= 1``;
* starting values: the OLS coefficients, and the best of arch's grid of 16 ``(alpha, alpha + beta)`` with
  ``omega`` matching the residual variance.

arch climbs with SLSQP and numerical gradients, one series at a time. Here the gradient and the Hessian are exact
(every derivative of ``h_t`` follows the linear recursion of ``h_t`` itself, :func:`_evaluate`) and Newton's method
climbs for all pairs at once: a bound the gradient pushes against holds its parameter, the other parameters take
the Newton step of the Hessian with its eigenvalues made negative where the likelihood is not concave yet, and a
step is halved until the likelihood does not fall; a pair stops when the step's predicted gain is below 1e-8. About
1 ms per pair against arch's 8 (``benchmarks/analyses.py``), and no import of arch. Where the likelihood is regular
the two reach the same maximum (the test suite checks it against arch, to arch's tolerance); where it has several
(no ARCH effect: with ``alpha`` at 0, ``beta`` is hardly identified) they may stop at different ones.

Event window: the conditional variance of each event day is the multi-step forecast made at the last estimation
day ``T`` (no event-window return enters it, so an event shock cannot inflate its own yardstick)::

    h_T+1 = omega + alpha e_T^2 + beta h_T,
    h_T+k = hbar + (alpha + beta)^(k-1) (h_T+1 - hbar),   hbar = omega / (1 - alpha - beta),

with ``k`` the sessions from ``T`` (Bollerslev 1986, eq. 14). ``AR_it = R_it - a_i - b_i R_mt`` and
``SAR_it = AR_it / sqrt(h_it)``; ``Var(CAR) = sum_t h_t`` (the variance of a sum of uncorrelated errors; the
estimation error of ``a_i``, ``b_i`` is left out, as in Savickas 2003).

A fit fails, with NaN outputs and a ``reason``, when there are fewer than ``min_observations`` estimation days,
the returns or the market returns do not vary, Newton's method does not converge in 100 iterations, or the maximum
lies on the stationarity boundary ``alpha + beta = 1`` (integrated GARCH: no long-run variance, forecasts never
revert).

References
----------
Bollerslev, T. (1986). Generalized autoregressive conditional heteroskedasticity. Journal of Econometrics 31(3),
307-327.
Corhay, A., Tourani Rad, A. (1996). Conditional heteroskedasticity adjusted market model and an event study.
Quarterly Review of Economics and Finance 36(4), 529-538.
Hillis, W. D., Steele, G. L. (1986). Data parallel algorithms. Communications of the ACM 29(12), 1170-1183 (the
scan of the recursions).
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
#: The (i, j) of the second derivatives of h that are not zero, in the order :func:`_evaluate` computes them.
_SECOND = (np.array([0, 0, 1, 0, 1, 0, 1, 2, 3, 4]), np.array([0, 1, 1, 3, 3, 4, 4, 4, 4, 4]))
#: Newton's method stops when the step's predicted gain in log-likelihood (the Newton decrement) is below this.
_DECREMENT = 1e-8
_MAX_ITERATIONS = 100
#: Step halvings of the line search; a parameter this close to a bound counts as on it; the smallest eigenvalue of
#: the (made positive) negated Hessian relative to its largest.
_HALVINGS, _EDGE, _FLOOR = 20, 1e-12, 1e-12


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


def _recursion(inputs: np.ndarray, beta: float | np.ndarray) -> np.ndarray:
    """``y_t = beta y_t-1 + inputs_t`` along the last axis from ``y_-1 = 0``, for every row at once (``beta`` one
    number, or one per row broadcast against ``inputs``).

    A doubling scan (Hillis & Steele 1986): after the step of shift ``s``, ``y_t`` holds ``sum_{k<2s} beta^k
    inputs_t-k``; eight steps cover 240 days, with vector operations only.
    """
    out = np.array(inputs, dtype=float)
    factor, shift = beta, 1
    while shift < out.shape[-1]:
        out[..., shift:] += factor * out[..., :-shift]  # the product is a new array: the old values are added
        factor, shift = factor * factor, 2 * shift
    return out


@dataclass(frozen=True)
class _Series:
    """The estimation days of P pairs packed to the left (scaled returns; padding after each pair's last day is
    masked out of every sum), and each pair's backcast."""

    y: np.ndarray
    x: np.ndarray
    mask: np.ndarray
    backcast: np.ndarray


def _lagged(values: np.ndarray, first: np.ndarray | float) -> np.ndarray:
    """``values`` one day later along the last axis, ``first`` on day 0."""
    out = np.empty_like(values)
    out[..., 0] = first
    out[..., 1:] = values[..., :-1]
    return out


def _evaluate(
    theta: np.ndarray, series: _Series, order: int
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Log-likelihood of every pair at ``theta`` (P, 5), with its gradient (``order >= 1``) and Hessian (``order
    == 2``), exact.

    With ``e_t = y_t - a - b x_t``, ``A_t = 1/h_t - e_t^2/h_t^2`` and the derivatives ``h_i`` of ``h_t``::

        l = -1/2 sum_t (log 2 pi + log h_t + e_t^2 / h_t),
        l_i = -1/2 sum_t (A_t h_i + 2 e_t e_i / h_t),
        l_ij = -1/2 sum_t ((2 e^2/h^3 - 1/h^2) h_i h_j - 2 e (e_i h_j + e_j h_i) / h^2 + A h_ij + 2 e_i e_j / h),

    ``e_a = -1``, ``e_b = -x_t``. Every derivative of ``h_t`` follows the recursion of ``h_t`` itself,
    ``d_t = z_t + beta d_t-1``, with inputs ``z`` = ``-2 alpha e_t-1``, ``-2 alpha e_t-1 x_t-1``, ``1``,
    ``e_t-1^2``, ``h_t-1`` for ``a, b, omega, alpha, beta`` (the backcast, a constant, on day 0), and for the second
    derivatives the derivatives of those inputs, plus ``h_i,t-1`` for each pair of ``i`` with ``beta``.
    """
    x, mask, backcast = series.x, series.mask, series.backcast[:, np.newaxis]
    alpha, beta = theta[:, 3, np.newaxis], theta[:, 4, np.newaxis]
    e, squared, lagged_squared, variance = _conditional(theta, series)
    value = -0.5 * np.sum(mask * (np.log(2 * np.pi) + np.log(variance) + squared / variance), axis=1)
    if order == 0:
        return value, None, None
    lagged_e, lagged_x = _lagged(e, 0.0), _lagged(x, 0.0)
    inputs = np.stack(
        [
            -2 * alpha * lagged_e,
            -2 * alpha * lagged_e * lagged_x,
            np.ones_like(e),
            lagged_squared,
            _lagged(variance, backcast[:, 0]),
        ],
        axis=1,
    )
    first = _recursion(inputs, beta[:, :, np.newaxis])
    slope = mask * (1 / variance - squared / variance**2)
    gradient = -0.5 * np.einsum("pkt,pt->pk", first, slope)
    gradient[:, 0] += np.sum(mask * e / variance, axis=1)
    gradient[:, 1] += np.sum(mask * e * x / variance, axis=1)
    if order == 1:
        return value, gradient, None
    later = np.arange(e.shape[1]) > 0  # the inputs of day 0 are constants: their derivatives vanish
    lagged_first = _lagged(first, 0.0)
    # Only these second derivatives of h have inputs (the others, omega's and alpha's with themselves, vanish).
    inputs = np.stack(
        [
            2 * alpha * later,
            2 * alpha * lagged_x,
            2 * alpha * lagged_x**2,
            -2 * lagged_e,
            -2 * lagged_e * lagged_x,
            *(lagged_first[:, i] for i in range(4)),
            2 * lagged_first[:, 4],
        ],
        axis=1,
    )
    second = np.zeros((theta.shape[0], 5, 5))
    second[:, _SECOND[0], _SECOND[1]] = np.einsum("pkt,pt->pk", _recursion(inputs, beta[:, :, np.newaxis]), slope)
    second[:, _SECOND[1], _SECOND[0]] = second[:, _SECOND[0], _SECOND[1]]
    errors = np.zeros_like(first)
    errors[:, 0], errors[:, 1] = -1.0, -x
    curvature = mask * (2 * squared / variance**3 - 1 / variance**2)
    cross = np.einsum("pit,pjt,pt->pij", first, errors, mask * e / variance**2)
    hessian = -0.5 * (
        np.einsum("pit,pjt,pt->pij", first, first, curvature)
        - 2 * (cross + cross.transpose(0, 2, 1))
        + second
        + 2 * np.einsum("pit,pjt,pt->pij", errors, errors, mask / variance)
    )
    return value, gradient, hessian


def garch_log_likelihood(
    params: np.ndarray, y: np.ndarray, x: np.ndarray, backcast: float
) -> tuple[float, np.ndarray, np.ndarray]:
    """Gaussian log-likelihood of the GARCH(1,1) market model of one series (arch's objective), with its exact
    gradient and Hessian (see :func:`_evaluate`).

    Parameters
    ----------
    params : ndarray, shape (5,)
        ``[a, b, omega, alpha, beta]`` in the units of ``y`` and ``x``.
    y, x : ndarray, shape (T,)
        Security and market returns, no missing value.
    backcast
        ``h`` before the first day.
    """
    series = _Series(y[np.newaxis], x[np.newaxis], np.ones((1, y.size)), np.array([backcast]))
    value, gradient, hessian = _evaluate(np.asarray(params, dtype=float)[np.newaxis], series, 2)
    assert gradient is not None and hessian is not None
    return float(value[0]), gradient[0], hessian[0]


def _pack(y: np.ndarray, x: np.ndarray) -> tuple[_Series, np.ndarray, np.ndarray, np.ndarray]:
    """The observed days of each pair packed to the left, with arch's backcast (the 0.94-weighted mean square of
    the first 75 OLS residuals); and each pair's number of observed days, OLS coefficients and mean square OLS
    residual."""
    seen = np.isfinite(y) & np.isfinite(x)
    order = np.argsort(~seen, axis=1, kind="stable")
    count = seen.sum(axis=1)
    mask = (np.arange(y.shape[1])[np.newaxis, :] < count[:, np.newaxis]).astype(float)
    packed_y = np.where(mask > 0, np.take_along_axis(np.nan_to_num(y), order, axis=1), 0.0)
    packed_x = np.where(mask > 0, np.take_along_axis(np.nan_to_num(x), order, axis=1), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_x, mean_y = packed_x.sum(axis=1) / count, packed_y.sum(axis=1) / count
        centred_x = mask * (packed_x - mean_x[:, np.newaxis])
        slope = np.sum(centred_x * packed_y, axis=1) / np.sum(centred_x * centred_x, axis=1)
    intercept = mean_y - slope * mean_x
    residuals = mask * (packed_y - intercept[:, np.newaxis] - slope[:, np.newaxis] * packed_x)
    weights = mask[:, :_BACKCAST_DAYS] * _BACKCAST_DECAY ** np.arange(min(_BACKCAST_DAYS, y.shape[1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        backcast = np.sum(weights * residuals[:, :_BACKCAST_DAYS] ** 2, axis=1) / weights.sum(axis=1)
        target = np.sum(residuals**2, axis=1) / count
    return _Series(packed_y, packed_x, mask, backcast), count, np.stack([intercept, slope], axis=1), target


def _starting_values(series: _Series, mean: np.ndarray, target: np.ndarray) -> np.ndarray:
    """arch's starting values: the OLS mean and, for the variance, the best of 16 ``(alpha, alpha + beta)`` with
    ``omega = (1 - alpha - beta) target`` by log-likelihood (the first of equals), all evaluated at once."""
    alpha = np.repeat(_ALPHAS, len(_PERSISTENCES))
    beta = np.tile(_PERSISTENCES, len(_ALPHAS)) - alpha
    pairs, grid = target.size, alpha.size
    candidates = np.column_stack(
        [
            np.repeat(mean, grid, axis=0),
            np.outer(target, 1 - alpha - beta).ravel(),
            np.tile(alpha, pairs),
            np.tile(beta, pairs),
        ]
    )
    repeated = _Series(
        *(np.repeat(values, grid, axis=0) for values in (series.y, series.x, series.mask, series.backcast))
    )
    value = _evaluate(candidates, repeated, 0)[0].reshape(pairs, grid)
    return candidates.reshape(pairs, grid, 5)[np.arange(pairs), np.argmax(value, axis=1)]


def _conditional(theta: np.ndarray, series: _Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """At ``theta``, every pair's residuals ``e_t`` on its packed days, ``e_t^2``, ``e_t-1^2`` (the backcast on day
    0) and the conditional variances ``h_t = omega + alpha e_t-1^2 + beta h_t-1`` (``h_-1`` the backcast); NaN rows
    stay NaN."""
    a, b, omega, alpha, beta = (theta[:, k, np.newaxis] for k in range(5))
    e = series.y - a - b * series.x
    squared = e * e
    lagged_squared = _lagged(squared, series.backcast)
    first = np.arange(series.y.shape[1]) == 0
    variance = _recursion(omega + alpha * lagged_squared + np.where(first, beta * series.backcast[:, None], 0.0), beta)
    return e, squared, lagged_squared, variance


def _project(theta: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """``theta`` inside the bounds and ``alpha + beta <= 1``."""
    out = np.clip(theta, low, high)
    out[:, 4] = np.minimum(out[:, 4], 1.0 - out[:, 3])
    return out


def _maximize(series: _Series, start: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, ...]:
    """Newton's method with the exact Hessian for every pair at once, inside the bounds (see :func:`fit_garch_market`);
    the log-likelihood at the end and whether each pair converged."""
    theta = start.copy()
    value, gradient, hessian = _evaluate(theta, series, 2)
    assert gradient is not None and hessian is not None
    running = np.ones(theta.shape[0], dtype=bool)
    converged = np.zeros(theta.shape[0], dtype=bool)
    for _ in range(_MAX_ITERATIONS):
        if not running.any():
            break
        rows = np.flatnonzero(running)
        point, slope = theta[rows], gradient[rows]
        # A parameter on a bound the gradient pushes against stays there; the others take the Newton step of the
        # negated Hessian with its eigenvalues made positive (where the log-likelihood is not concave yet).
        fixed = ((point <= low[rows] + _EDGE) & (slope <= 0)) | ((point >= high[rows] - _EDGE) & (slope >= 0))
        free = ~fixed
        matrix = np.where(free[:, :, np.newaxis] & free[:, np.newaxis, :], -hessian[rows], 0.0)
        matrix[:, np.arange(5), np.arange(5)] += fixed
        eigenvalues, vectors = np.linalg.eigh(matrix)
        size = np.abs(eigenvalues)
        size = np.maximum(size, _FLOOR * size.max(axis=1, keepdims=True))
        step = np.einsum("pij,pj->pi", vectors, np.einsum("pji,pj->pi", vectors, np.where(free, slope, 0.0)) / size)
        decrement = np.sum(step * np.where(free, slope, 0.0), axis=1)
        done = decrement < _DECREMENT
        converged[rows[done]] = True
        running[rows[done]] = False
        rows, step, point = rows[~done], step[~done], point[~done]
        length = np.ones(rows.size)
        accepted = np.zeros(rows.size, dtype=bool)
        for _ in range(_HALVINGS):
            pending = ~accepted
            if not pending.any():
                break
            trial = _project(
                point[pending] + length[pending, np.newaxis] * step[pending], low[rows[pending]], high[rows[pending]]
            )
            sub = _Series(*(values[rows[pending]] for values in (series.y, series.x, series.mask, series.backcast)))
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                trial_value = _evaluate(trial, sub, 0)[0]
            better = np.isfinite(trial_value) & (trial_value >= value[rows[pending]])
            chosen = np.flatnonzero(pending)[better]
            theta[rows[chosen]] = trial[better]
            accepted[chosen] = True
            length[pending] /= 2
        running[rows[~accepted]] = False  # no step improves: the last point is where it ends
        moved = rows[accepted]
        if moved.size:
            sub = _Series(*(values[moved] for values in (series.y, series.x, series.mask, series.backcast)))
            fresh = _evaluate(theta[moved], sub, 2)
            value[moved], gradient[moved], hessian[moved] = fresh[0], fresh[1], fresh[2]
    return theta, value, converged


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

    All pairs are fitted at once (Newton's method, see the module docstring), and their residuals, forecasts, ARs
    and SARs computed at once.

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
    pairs = y_est.shape[0]
    seen = np.isfinite(y_est) & np.isfinite(x_est)
    series, count, mean, target = _pack(scale * y_est, scale * x_est)
    reason = np.full(pairs, "", dtype=object)
    spread = {
        name: np.where(series.mask > 0, values, -np.inf).max(axis=1)
        + np.where(series.mask > 0, -values, -np.inf).max(axis=1)
        for name, values in (("returns", series.y), ("market", series.x))
    }
    reason[spread["market"] == 0] = "the market returns do not vary over the estimation window"
    reason[spread["returns"] == 0] = "the returns do not vary over the estimation window"
    short = count < min_observations
    reason[short] = [f"{days} estimation days, GARCH(1,1) needs {min_observations}" for days in count[short]]
    params = np.full((pairs, 5), np.nan)
    log_likelihood = np.full(pairs, np.nan)
    fitted = np.flatnonzero(reason == "")
    if fitted.size:
        chosen = _Series(*(values[fitted] for values in (series.y, series.x, series.mask, series.backcast)))
        low = np.column_stack([np.full((fitted.size, 2), -np.inf), 1e-8 * target[fitted], np.zeros((fitted.size, 2))])
        high = np.column_stack([np.full((fitted.size, 2), np.inf), 10 * target[fitted], np.ones((fitted.size, 2))])
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            start = _starting_values(chosen, mean[fitted], target[fitted])
            theta, value, converged = _maximize(chosen, start, low, high)
        persistence = theta[:, 3] + theta[:, 4]
        failed = np.full(fitted.size, "", dtype=object)
        failed[~converged] = f"the optimizer did not converge in {_MAX_ITERATIONS} Newton iterations"
        # A maximum pressed against alpha + beta = 1 stops there, converged or not: integrated GARCH.
        boundary = persistence >= 1.0 - STATIONARITY_MARGIN
        failed[boundary] = [
            f"alpha + beta = {total:.6f} is on the stationarity boundary (integrated GARCH)"
            for total in persistence[boundary]
        ]
        reason[fitted] = failed
        good = failed == ""
        params[fitted[good]], log_likelihood[fitted[good]] = theta[good], value[good]
    intercept, slope, omega, alpha, beta = params.T
    residuals = np.where(seen, scale * y_est - intercept[:, None] - slope[:, None] * scale * x_est, np.nan)
    packed = _conditional(params, series)[3]
    variances = np.full(packed.shape, np.nan)
    np.put_along_axis(variances, np.argsort(~seen, axis=1, kind="stable"), packed, axis=1)
    variances[~seen] = np.nan
    last = np.maximum(count - 1, 0)
    last_residual = np.take_along_axis(
        np.where(series.mask > 0, series.y - intercept[:, None] - slope[:, None] * series.x, np.nan),
        last[:, None],
        axis=1,
    )[:, 0]
    last_variance = packed[np.arange(pairs), last]
    last_day = np.where(seen.any(axis=1), seen.shape[1] - 1 - np.argmax(seen[:, ::-1], axis=1), 0)
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
        centre = np.nansum(returns, axis=1, keepdims=True) / seen.sum(axis=1, keepdims=True)
        spread_returns = np.nansum((returns - centre) ** 2, axis=1)
        r_squared = 1 - np.nansum(residuals**2, axis=1) / scale**2 / spread_returns
    return GarchFit(
        intercept=intercept / scale,
        slope=slope,
        omega=omega / scale**2,
        alpha=alpha,
        beta=beta,
        log_likelihood=log_likelihood,
        r_squared=np.where(np.isfinite(intercept), r_squared, np.nan),
        observations=count.astype(int),
        converged=reason == "",
        reason=reason,
        estimation_residuals=residuals / scale,
        estimation_variance=variances / scale**2,
        horizon=horizon,
        variance_forecast=forecast,
        abnormal_returns=abnormal,
        standardized=abnormal / np.sqrt(forecast),
        event_start=event_start,
    )
