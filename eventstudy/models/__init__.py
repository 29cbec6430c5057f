"""Normal-return models, fitted for every (event, security) pair at once from prefix sums.

Every model here is a linear model of a security's return on a few regressor series (the benchmark, its lag and
lead, extra factors). Its ordinary-least-squares fit on any window needs only the sums of the cross products of
``[1, regressors..., y]`` over that window, and those are differences of two rows of running (prefix) sums. So after
one pass over each security's series, the fit of any (event, security) pair costs O(1): the whole estimation is a
gather and a batched small solve, with no Python loop over pairs (Campbell, Lo & MacKinlay 1997, ch. 4, give the
formulas; the prefix-sum trick is the one in ``METHODS.md``).

Models (``name``: what is fitted on the estimation window, and the normal return in the event window)

``constant-mean``
    ``E[R_it] = mu_i``, the estimation-window mean.
``market-adjusted``
    ``E[R_it] = R_mt``; nothing is estimated, ``sigma_i`` is the standard deviation of ``R_it - R_mt`` in the
    estimation window (``L1 - 1`` degrees of freedom) and carries no parameter-estimation error.
``market``
    The market model ``R_it = a_i + b_i R_mt + e_it`` (MacKinlay 1997).
``multi-factor``
    ``R_it = a_i + B_i' F_t + e_it`` with ``F_t`` the benchmark and the extra factor series.
``dimson``
    Dimson (1979): ``R_it = a_i + sum_{k=-l..l} b_ik R_m,t+k + e_it``; the normal return uses every lag and lead,
    and the reported beta is ``sum_k b_ik``.
``garch``
    The market model with GARCH(1,1) errors (:mod:`eventstudy.models.garch`), fitted by maximum likelihood
    (slower: an iterative fit, about 1 ms per pair against microseconds for the others). The prefix sums give its
    OLS counterpart, the fallback of the pairs whose GARCH fit fails; the engine replaces the rest
    (:mod:`eventstudy.engine.garch`).
``scholes-williams``
    Scholes & Williams (1977): ``b = (b^- + b^0 + b^+) / (1 + 2 rho_m)`` from the three simple regressions on
    ``R_m,t-1``, ``R_m,t``, ``R_m,t+1`` and the first-order autocorrelation ``rho_m`` of the market;
    ``a = mean(R_i) - b mean(R_m)``. Its prediction-error variance is taken as for a market model with these
    coefficients (design ``[1, R_mt]``, ``L1 - 2`` degrees of freedom).

Variances (``METHODS.md``): with ``x_t`` the prediction regressors of day ``t`` and ``(X'X)^-1`` from the estimation
window, ``Var(AR_t) = sigma^2 (1 + x_t' (X'X)^-1 x_t)`` and, for a window whose regressors sum to ``s``,
``Var(CAR) = sigma^2 (L2 + s' (X'X)^-1 s)``.

References
----------
MacKinlay, A. C. (1997). Event studies in economics and finance. Journal of Economic Literature 35(1), 13-39.
Campbell, J. Y., Lo, A. W., MacKinlay, A. C. (1997). The Econometrics of Financial Markets, ch. 4.
Scholes, M., Williams, J. (1977). Estimating betas from nonsynchronous data. Journal of Financial Economics 5.
Dimson, E. (1979). Risk measurement when shares are subject to infrequent trading. JFE 7(2), 197-226.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

__all__ = [
    "MODELS",
    "ConstantMean",
    "Dimson",
    "Fit",
    "GarchMarket",
    "MarketAdjusted",
    "MarketModel",
    "MultiFactor",
    "NormalReturnModel",
    "ScholesWilliams",
    "WindowMoments",
    "get_model",
    "shift_rows",
]


def shift_rows(values: np.ndarray, lag: int) -> np.ndarray:
    """``values`` moved ``lag`` rows down (``lag=1``: row ``t`` holds row ``t-1``), NaN where nothing moves in."""
    shifted = np.full_like(values, np.nan)
    if lag > 0:
        shifted[lag:] = values[:-lag]
    elif lag < 0:
        shifted[:lag] = values[-lag:]
    else:
        shifted[:] = values
    return shifted


class WindowMoments:
    """Running sums of the cross products of ``z = [1, regressors..., y]`` over the rows (sessions) of a panel.

    Parameters
    ----------
    returns : ndarray, shape (D, S)
        Security returns, one column per security, NaN where missing.
    regressors : ndarray, shape (D, S, k)
        Regressor series of each security on the same rows.
    usable : ndarray of bool, shape (D, S), optional
        Rows allowed into estimation windows (e.g. False inside other events' windows); rows with any NaN are
        left out in any case.

    Notes
    -----
    Each column is centred on its own mean before summing. OLS slopes are invariant to this shift and the intercept
    is moved back afterwards, but the running sums stay small, which keeps the differences of two prefix rows exact
    to about 1e-15 of a return's scale.
    """

    def __init__(self, returns: np.ndarray, regressors: np.ndarray, usable: np.ndarray | None = None) -> None:
        rows, securities = returns.shape
        z = np.concatenate([np.ones((rows, securities, 1)), regressors, returns[:, :, np.newaxis]], axis=2)
        valid = np.isfinite(z).all(axis=2)
        if usable is not None:
            valid &= usable
        z = np.where(valid[:, :, np.newaxis], z, 0.0)
        counts = valid.sum(axis=0)
        self.centre = np.divide(
            z.sum(axis=0), counts[:, np.newaxis], out=np.zeros(z.shape[1:]), where=counts[:, np.newaxis] > 0
        )
        self.centre[:, 0] = 0.0  # the constant column stays 1
        z = np.where(valid[:, :, np.newaxis], z - self.centre[np.newaxis], 0.0)
        products = z[:, :, :, np.newaxis] * z[:, :, np.newaxis, :]
        self.prefix = np.zeros((rows + 1, securities, z.shape[2], z.shape[2]))
        np.cumsum(products, axis=0, out=self.prefix[1:])

    def window(self, security: np.ndarray, first_row: np.ndarray, last_row: np.ndarray) -> np.ndarray:
        """Sums of ``z z'`` (centred) over rows ``first_row..last_row`` inclusive, for each pair: (P, m, m).

        Rows outside the panel (a window reaching before the first session of the calendar) hold nothing.
        """
        rows = self.prefix.shape[0] - 1
        end, start = np.clip(last_row + 1, 0, rows), np.clip(first_row, 0, rows)
        return self.prefix[end, security] - self.prefix[np.minimum(start, end), security]


@dataclass(frozen=True)
class Fit:
    """Estimation-window fit of P pairs (arrays over pairs, in the original, uncentred units).

    Attributes
    ----------
    coefficients : ndarray, shape (P, q)
        Coefficients on the prediction design ``[1, ...]`` (see :attr:`NormalReturnModel.prediction_columns`).
    xtx_inverse : ndarray, shape (P, q, q)
        ``(X'X)^-1`` of the prediction design in centred units, for prediction-error variances (zeros for models
        with nothing estimated).
    centre : ndarray, shape (P, q)
        Column means the design was centred on (0 for the constant).
    sigma2 : ndarray, shape (P,)
        Residual variance ``SSE / dof``.
    dof : ndarray, shape (P,)
        Residual degrees of freedom.
    observations : ndarray, shape (P,)
        Valid estimation-window days ``L1``.
    r_squared : ndarray, shape (P,)
        Share of the return variance the model explains in the estimation window (NaN where undefined).
    beta : ndarray, shape (P,)
        The model's market beta (sum of lag coefficients for Dimson; NaN for constant-mean).
    """

    coefficients: np.ndarray
    xtx_inverse: np.ndarray
    centre: np.ndarray
    sigma2: np.ndarray
    dof: np.ndarray
    observations: np.ndarray
    r_squared: np.ndarray
    beta: np.ndarray

    @property
    def alpha(self) -> np.ndarray:
        """Intercept of each pair."""
        return self.coefficients[:, 0]

    @property
    def sigma(self) -> np.ndarray:
        """Residual standard deviation of each pair."""
        return np.sqrt(self.sigma2)


def _solve(matrices: np.ndarray, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batched ``A^-1`` and ``A^-1 b``; singular systems give NaN rather than an exception."""
    inverse = np.full_like(matrices, np.nan)
    determinant_ok = np.abs(np.linalg.det(matrices)) > 1e-300
    if determinant_ok.any():
        inverse[determinant_ok] = np.linalg.inv(matrices[determinant_ok])
    return inverse, np.einsum("pij,pj->pi", inverse, vectors)


class NormalReturnModel(ABC):
    """A normal-return model: which regressors it needs, and its fit from window moments.

    Subclasses define :attr:`name`, :meth:`regressors` (the moment design besides the constant) and
    :meth:`fit_moments`; :attr:`prediction_columns` selects, from ``[1, regressors...]``, the design of the normal
    return (the same columns for OLS models).
    """

    name: str = ""
    #: Parameters estimated besides sigma (the ``k + 1`` of ``dof = L1 - k - 1``).
    parameters: int = 0
    #: Lags and leads of the benchmark the model needs (rows of the panel beyond the window itself).
    reach: int = 0
    #: Extra factor series the model needs per security besides its benchmark (the universe's ``factor``).
    factors: int = 0

    @abstractmethod
    def regressors(self, market: np.ndarray, factors: np.ndarray) -> np.ndarray:
        """Regressor series (D, S, k) from the benchmark (D, S) and extra factors (D, S, f)."""

    @property
    @abstractmethod
    def prediction_columns(self) -> list[int]:
        """Columns of ``[1, regressors...]`` that form the normal-return design."""

    @abstractmethod
    def fit_moments(self, moments: np.ndarray, centre: np.ndarray) -> Fit:
        """Fit every pair from its window moments (P, m, m) in centred units and the centres (P, m)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _ols(moments: np.ndarray, centre: np.ndarray, columns: list[int]) -> Fit:
    """OLS of y (last column of the moments) on the design ``columns`` (column 0 is the constant)."""
    y = moments.shape[1] - 1
    design = np.ix_(columns, columns)
    xtx = moments[:, design[0], design[1]]
    xty = moments[:, columns, y]
    inverse, coefficients = _solve(xtx, xty)
    observations = moments[:, 0, 0]
    sse = moments[:, y, y] - np.einsum("pi,pi->p", coefficients, xty)
    dof = observations - len(columns)
    sst = moments[:, y, y] - moments[:, 0, y] ** 2 / np.where(observations > 0, observations, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma2 = np.where(dof > 0, np.maximum(sse, 0.0) / dof, np.nan)
        r_squared = 1.0 - sse / sst
    # Back to uncentred units: the intercept absorbs the centres of y and of the slopes' regressors.
    coefficients = coefficients.copy()
    coefficients[:, 0] += centre[:, y] - np.einsum("pi,pi->p", coefficients[:, 1:], centre[:, columns[1:]])
    return Fit(
        coefficients=coefficients,
        xtx_inverse=inverse,
        centre=centre[:, columns],
        sigma2=sigma2,
        dof=dof,
        observations=observations,
        r_squared=r_squared if len(columns) > 1 else np.full_like(sse, np.nan),
        beta=coefficients[:, 1:].sum(axis=1) if len(columns) > 1 else np.full_like(sse, np.nan),
    )


class ConstantMean(NormalReturnModel):
    """Constant-mean-return model (Brown & Warner 1980; MacKinlay 1997)."""

    name = "constant-mean"
    parameters = 1

    def regressors(self, market: np.ndarray, factors: np.ndarray) -> np.ndarray:
        return np.empty((*market.shape, 0))

    @property
    def prediction_columns(self) -> list[int]:
        return [0]

    def fit_moments(self, moments: np.ndarray, centre: np.ndarray) -> Fit:
        return _ols(moments, centre, [0])


class MarketModel(NormalReturnModel):
    """Market model, OLS of the security on its benchmark (MacKinlay 1997, eq. 7)."""

    name = "market"
    parameters = 2

    def regressors(self, market: np.ndarray, factors: np.ndarray) -> np.ndarray:
        return market[:, :, np.newaxis]

    @property
    def prediction_columns(self) -> list[int]:
        return [0, 1]

    def fit_moments(self, moments: np.ndarray, centre: np.ndarray) -> Fit:
        return _ols(moments, centre, [0, 1])


class MultiFactor(NormalReturnModel):
    """Multi-factor model: the benchmark and extra factor series (e.g. a sector ETF), OLS.

    Parameters
    ----------
    factors
        How many extra factor series the engine supplies besides the benchmark.
    """

    name = "multi-factor"

    def __init__(self, factors: int = 1) -> None:
        self.factors = factors
        self.parameters = 2 + factors

    def regressors(self, market: np.ndarray, factors: np.ndarray) -> np.ndarray:
        if factors.shape[2] != self.factors:
            raise ValueError(f"the multi-factor model needs {self.factors} factor series, got {factors.shape[2]}")
        return np.concatenate([market[:, :, np.newaxis], factors], axis=2)

    @property
    def prediction_columns(self) -> list[int]:
        return list(range(self.factors + 2))

    def fit_moments(self, moments: np.ndarray, centre: np.ndarray) -> Fit:
        fit = _ols(moments, centre, self.prediction_columns)
        # The market beta is the benchmark's coefficient alone, not the sum over factors.
        return Fit(**{**fit.__dict__, "beta": fit.coefficients[:, 1]})

    def __repr__(self) -> str:
        return f"MultiFactor(factors={self.factors})"


def _lags_and_leads(market: np.ndarray, lags: int) -> np.ndarray:
    return np.stack([shift_rows(market, lag) for lag in range(lags, -lags - 1, -1)], axis=2)


class Dimson(NormalReturnModel):
    """Dimson (1979) aggregated-coefficients model for thin trading, with ``lags`` lags and leads."""

    name = "dimson"

    def __init__(self, lags: int = 1) -> None:
        self.lags = lags
        self.reach = lags
        self.parameters = 2 + 2 * lags

    def regressors(self, market: np.ndarray, factors: np.ndarray) -> np.ndarray:
        return _lags_and_leads(market, self.lags)

    @property
    def prediction_columns(self) -> list[int]:
        return list(range(2 * self.lags + 2))

    def fit_moments(self, moments: np.ndarray, centre: np.ndarray) -> Fit:
        return _ols(moments, centre, self.prediction_columns)

    def __repr__(self) -> str:
        return f"Dimson(lags={self.lags})"


class ScholesWilliams(NormalReturnModel):
    """Scholes & Williams (1977) beta for nonsynchronous trading (see the module docstring)."""

    name = "scholes-williams"
    parameters = 2
    reach = 1

    def regressors(self, market: np.ndarray, factors: np.ndarray) -> np.ndarray:
        return _lags_and_leads(market, 1)  # columns: R_m,t-1, R_m,t, R_m,t+1

    @property
    def prediction_columns(self) -> list[int]:
        return [0, 2]

    def fit_moments(self, moments: np.ndarray, centre: np.ndarray) -> Fit:
        lag, now, lead, y = 1, 2, 3, 4
        n = moments[:, 0, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            # Moments are centred on full-sample means; re-centre on the window's own means for covariances.
            def covariance(a: int, b: int) -> np.ndarray:
                return moments[:, a, b] - moments[:, 0, a] * moments[:, 0, b] / n

            slopes = sum(covariance(column, y) / covariance(column, column) for column in (lag, now, lead))
            rho = covariance(now, lag) / np.sqrt(covariance(now, now) * covariance(lag, lag))
            beta = slopes / (1.0 + 2.0 * rho)
            mean_y, mean_x = moments[:, 0, y] / n, moments[:, 0, now] / n
            alpha_centred = mean_y - beta * mean_x
            sse = (
                moments[:, y, y]
                - 2 * alpha_centred * moments[:, 0, y]
                - 2 * beta * moments[:, now, y]
                + alpha_centred**2 * n
                + 2 * alpha_centred * beta * moments[:, 0, now]
                + beta**2 * moments[:, now, now]
            )
            dof = n - 2
            sigma2 = np.where(dof > 0, np.maximum(sse, 0.0) / dof, np.nan)
            r_squared = 1.0 - sse / covariance(y, y)
        columns = [0, now]
        xtx = moments[:, np.ix_(columns, columns)[0], np.ix_(columns, columns)[1]]
        inverse, _ = _solve(xtx, np.zeros(xtx.shape[:2]))
        alpha = alpha_centred + centre[:, y] - beta * centre[:, now]
        return Fit(
            coefficients=np.stack([alpha, beta], axis=1),
            xtx_inverse=inverse,
            centre=centre[:, columns],
            sigma2=sigma2,
            dof=dof,
            observations=n,
            r_squared=r_squared,
            beta=beta,
        )


class MarketAdjusted(MarketModel):
    """Market-adjusted returns, ``AR = R - R_m``: the market model with ``a = 0, b = 1`` fixed, nothing estimated
    (Brown & Warner 1980)."""

    name = "market-adjusted"
    parameters = 0

    def fit_moments(self, moments: np.ndarray, centre: np.ndarray) -> Fit:
        x, y = 1, 2
        n = moments[:, 0, 0]
        # d = y - x; its centred sums follow from the moments of y and x.
        sum_d = moments[:, 0, y] - moments[:, 0, x]
        sum_d2 = moments[:, y, y] - 2 * moments[:, x, y] + moments[:, x, x]
        dof = n - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            sigma2 = np.where(dof > 0, np.maximum(sum_d2 - sum_d**2 / n, 0.0) / dof, np.nan)
        pairs = n.shape[0]
        return Fit(
            coefficients=np.tile([0.0, 1.0], (pairs, 1)),
            xtx_inverse=np.zeros((pairs, 2, 2)),
            centre=centre[:, [0, x]],
            sigma2=sigma2,
            dof=dof,
            observations=n,
            r_squared=np.full(pairs, np.nan),
            beta=np.ones(pairs),
        )


class GarchMarket(MarketModel):
    """Market model with GARCH(1,1) errors (Bollerslev 1986; Corhay & Tourani Rad 1996).

    Its moments give the OLS market model; the engine refits every pair by maximum likelihood with
    :func:`eventstudy.models.garch.fit_garch_market` and keeps the OLS fit, with the reason, where that fails.
    """

    name = "garch"
    #: The mean equation's two coefficients and the variance equation's three.
    parameters = 5


MODELS: dict[str, type[NormalReturnModel]] = {
    model.name: model
    for model in (ConstantMean, MarketAdjusted, MarketModel, MultiFactor, Dimson, ScholesWilliams, GarchMarket)
}


def get_model(model: str | NormalReturnModel) -> NormalReturnModel:
    """A model instance from its name (``"market"``, ``"constant-mean"``, ...) or the instance itself."""
    if isinstance(model, NormalReturnModel):
        return model
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose from {', '.join(MODELS)}")
    return MODELS[model]()
