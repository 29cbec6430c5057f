"""GARCH(1,1) ARs beside the OLS market model's, for the pairs of a few securities (``StudySpec.garch_tickers``).

Each pair of those securities is fitted twice on the study's estimation window (the days its own model may use):
the OLS market model (:class:`eventstudy.models.MarketModel`, the AR, its prediction-error standard error and the
standardized AR) and the market model with GARCH(1,1) errors (:mod:`eventstudy.models.garch`: the AR, the
conditional standard deviation forecast from the last estimation day, and the AR standardized by it). Pairs with
the same security and day 0 (events on the same day) are the same fit, computed once. A pair whose GARCH fit fails
keeps its OLS columns and gives the reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.analyses.inputs import AnalysisInputs
from eventstudy.engine.fit import fit_pairs
from eventstudy.engine.garch import garch_fit
from eventstudy.models import MarketModel

__all__ = ["garch_tables"]


def garch_tables(inputs: AnalysisInputs) -> dict[str, pd.DataFrame]:
    """The ``garch`` table: one row per pair of ``garch_tickers`` and day of the AR path."""
    spec, plan, places = inputs.spec, inputs.prepared.plan, inputs.places
    chosen = np.flatnonzero(np.isin(plan.tickers, list(spec.garch_tickers)))
    path = inputs.path_days()
    size = (chosen.size, path.size)
    columns: dict[str, np.ndarray] = {
        name: np.full(size, np.nan) for name in ("ols_ar", "ols_ar_se", "garch_ar", "garch_sd")
    }
    per_pair: dict[str, np.ndarray] = {
        name: np.full(chosen.size, np.nan)
        for name in ("market_beta", "garch_omega", "garch_alpha", "garch_beta", "log_likelihood", "observations")
    }
    reasons = np.full(chosen.size, "", dtype=object)
    returns, benchmark = np.full(size, np.nan), np.full(size, np.nan)
    for calendar, positions in places.by_calendar.items():
        mine = np.flatnonzero(np.isin(chosen, positions))
        if not mine.size:
            continue
        whole = inputs.prepared.panels[calendar]
        pairs = chosen[mine]
        # The panel's columns of these securities only: the OLS fit's running sums cover no other column.
        columns_used, security_of = np.unique(places.column[pairs], return_inverse=True)
        panel = whole.slice(0, len(whole.index), columns_used)
        keys = np.stack([security_of.ravel(), places.day_zero_row[pairs]], axis=1)
        unique, back = np.unique(keys, axis=0, return_inverse=True)
        security, day_zero_row = unique[:, 0], unique[:, 1]
        ols = fit_pairs(
            panel.returns,
            panel.market,
            security,
            day_zero_row,
            MarketModel(),
            spec.estimation_window,
            spec.path_window,
            spec.event_windows,
            usable=panel.usable,
        )
        estimated = (ols.fit.observations >= spec.min_estimation) & (ols.fit.sigma2 > 0)
        fit = garch_fit(spec, panel, security, day_zero_row)
        back = back.ravel()
        returns[mine], benchmark[mine] = ols.returns[back], ols.benchmark[back]
        columns["ols_ar"][mine] = np.where(estimated[:, np.newaxis], ols.ar, np.nan)[back]
        columns["ols_ar_se"][mine] = np.where(estimated[:, np.newaxis], np.sqrt(ols.ar_variance), np.nan)[back]
        columns["garch_ar"][mine] = fit.abnormal_returns[back]
        columns["garch_sd"][mine] = np.sqrt(fit.variance_forecast)[back]
        fitted = {
            "market_beta": fit.slope,
            "garch_omega": fit.omega,
            "garch_alpha": fit.alpha,
            "garch_beta": fit.beta,
            "log_likelihood": fit.log_likelihood,
            "observations": fit.observations.astype(float),
        }
        for name, array in fitted.items():
            per_pair[name][mine] = array[back]
        reasons[mine] = fit.reason[back]
    repeat = np.repeat(np.arange(chosen.size), path.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(
            {
                **{name: labels[chosen][repeat] for name, labels in inputs.keys.items()},
                "day": np.tile(path, chosen.size),
                "date": pd.DatetimeIndex(inputs.computed.path_dates[chosen].ravel()),
                "return": returns.ravel(),
                "benchmark_return": benchmark.ravel(),
                "ols_ar": columns["ols_ar"].ravel(),
                "ols_ar_se": columns["ols_ar_se"].ravel(),
                "ols_sar": (columns["ols_ar"] / columns["ols_ar_se"]).ravel(),
                "garch_ar": columns["garch_ar"].ravel(),
                "garch_sd": columns["garch_sd"].ravel(),
                "garch_sar": (columns["garch_ar"] / columns["garch_sd"]).ravel(),
                **{name: array[repeat] for name, array in per_pair.items()},
                "persistence": (per_pair["garch_alpha"] + per_pair["garch_beta"])[repeat],
                "reason": reasons[repeat],
            }
        )
    return {"garch": table.astype({"observations": "Int64"})}
