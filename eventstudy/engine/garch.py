"""GARCH(1,1) market-model fits of the pairs of a calendar panel (:mod:`eventstudy.models.garch`).

:func:`garch_fit` gathers each pair's estimation-window and AR-path returns from the panel (the estimation days the
study's own model may use: no IPO session, no other event's path with ``exclude_contaminated``) and fits the model
pair by pair. Two uses:

* ``model="garch"``: :func:`with_garch` puts the GARCH ARs, their conditional variances, the CARs and the
  estimation residuals in place of the OLS market model's for every pair whose fit converged (the others keep the
  OLS fit, with the reason). The placebo CARs (:mod:`eventstudy.engine.placebo`) keep the OLS market model: GARCH
  on every pseudo-event date of every security would multiply the cost by the placebo replications;
* the ``garch`` table (:mod:`eventstudy.analyses.garch`): GARCH ARs beside the OLS ones for a few securities.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from eventstudy.engine.fit import PairArrays, gather
from eventstudy.engine.panels import CalendarPanel
from eventstudy.models import Fit
from eventstudy.models.garch import GarchFit, fit_garch_market
from eventstudy.spec import StudySpec

__all__ = ["garch_fit", "with_garch"]


def garch_fit(spec: StudySpec, panel: CalendarPanel, security: np.ndarray, day_zero_row: np.ndarray) -> GarchFit:
    """The GARCH(1,1) market model of pairs of one panel (columns ``security``, day 0 at ``day_zero_row``), fitted
    on the study's estimation window, with the AR path as the event window."""
    first, last = spec.estimation_window
    estimation_rows = day_zero_row[:, np.newaxis] + np.arange(first, last + 1)
    usable = gather(panel.usable.astype(float), estimation_rows, security) == 1.0
    path_rows = day_zero_row[:, np.newaxis] + np.arange(spec.path_window[0], spec.path_window[1] + 1)
    return fit_garch_market(
        np.where(usable, gather(panel.returns, estimation_rows, security), np.nan),
        np.where(usable, gather(panel.market, estimation_rows, security), np.nan),
        gather(panel.returns, path_rows, security),
        gather(panel.market, path_rows, security),
        estimation_end=last,
        event_start=spec.path_window[0],
    )


def with_garch(
    spec: StudySpec, arrays: PairArrays, fit: GarchFit, rows: np.ndarray, extension: np.ndarray
) -> PairArrays:
    """``arrays`` with the pairs at ``rows`` (fitted by ``fit``, in that order) that converged taking the GARCH
    model's ARs, variances, CARs and residuals.

    ``Var(AR_t) = h_t`` and ``Var(CAR) = sum_t h_t`` over the window (Savickas 2003: the estimation error of the
    mean coefficients is left out, so no ``(X'X)^-1`` term); ``sigma`` is the residual standard deviation
    ``sqrt(SSE / (L1 - 5))`` of the mean equation and ``dof = L1 - 5`` (five parameters).
    """
    chosen = rows[fit.converged]
    if not chosen.size:
        return arrays
    ok = fit.converged
    residuals = fit.estimation_residuals[ok]
    count = fit.observations[ok].astype(float)
    dof = count - spec.model.parameters
    intercept, slope = fit.intercept[ok], fit.slope[ok]
    coefficients = arrays.fit.coefficients.copy()
    coefficients[chosen, 0], coefficients[chosen, 1] = intercept, slope
    xtx_inverse = arrays.fit.xtx_inverse.copy()
    xtx_inverse[chosen] = 0.0
    sigma2, dofs, observations = arrays.fit.sigma2.copy(), arrays.fit.dof.copy(), arrays.fit.observations.copy()
    sigma2[chosen], dofs[chosen], observations[chosen] = np.nansum(residuals**2, axis=1) / dof, dof, count
    r_squared, beta = arrays.fit.r_squared.copy(), arrays.fit.beta.copy()
    r_squared[chosen], beta[chosen] = fit.r_squared[ok], slope
    normal = arrays.normal.copy()
    normal[chosen] = intercept[:, np.newaxis] + slope[:, np.newaxis] * arrays.benchmark[chosen]
    ar = arrays.ar.copy()
    ar[chosen] = fit.abnormal_returns[ok]
    variance = arrays.ar_variance.copy()
    variance[chosen] = fit.variance_forecast[ok]
    cars, car_variances = arrays.car.copy(), arrays.car_variance.copy()
    first_day = spec.path_window[0]
    for position, (tau1, tau2) in enumerate(spec.event_windows):
        for added in np.unique(extension[chosen]):
            pairs = chosen[extension[chosen] == added]
            span = slice(tau1 - first_day, tau2 + int(added) - first_day + 1)
            window_ar = ar[pairs, span]
            cars[pairs, position] = np.where(np.isnan(window_ar).any(axis=1), np.nan, window_ar.sum(axis=1))
            car_variances[pairs, position] = variance[pairs, span].sum(axis=1)
    estimation = arrays.estimation_residuals
    if estimation is not None:
        estimation = estimation.copy()
        estimation[chosen] = np.nan
        estimation[chosen, : residuals.shape[1]] = residuals
    return replace(
        arrays,
        fit=Fit(
            coefficients=coefficients,
            xtx_inverse=xtx_inverse,
            centre=arrays.fit.centre,
            sigma2=sigma2,
            dof=dofs,
            observations=observations,
            r_squared=r_squared,
            beta=beta,
        ),
        normal=normal,
        ar=ar,
        ar_variance=variance,
        car_path=np.cumsum(ar, axis=1),
        car_path_variance=np.cumsum(variance, axis=1),
        car=cars,
        car_variance=car_variances,
        estimation_residuals=estimation,
    )
