"""Every column of the tidy outputs, documented once (what ``columns.md`` of a report and the docstrings say).

``COLUMNS[table][column]`` is the meaning of a column of ``pairs``, ``ar``, ``car``, ``tests`` and ``caar``, of
the analyses' tables (``cross_section``, ``volume``, ``volume_tests``, ``volatility``, ``volatility_tests``,
``bhar``, ``bhar_tests``, ``garch``, see :mod:`eventstudy.analyses`) and of ``span_sensitivity``; their order is the
order of the columns in the tables and CSV files.
"""

from __future__ import annotations

__all__ = ["ALL_EVENTS", "ALL_GROUPS", "COLUMNS"]

#: Group label of the samples of every studied security (baskets excluded: a basket and its members are the same money).
ALL_GROUPS = "all securities"
#: Event label of the samples across all events.
ALL_EVENTS = "all events"

# What the samples' tables share: which sample, and a test's result.
_EVENT_AND_GROUP = {
    "event_id": "event id, or 'all events'",
    "group": "universe group, 'baskets', or 'all securities' (every security, baskets excluded)",
}
_STATISTIC = {
    "statistic": "test statistic",
    "p_value": "two-sided p-value",
    "n": "pairs in the sample",
    "df": "degrees of freedom where the reference is Student t",
    "distribution": "reference distribution of the statistic under the null",
    "null": "the null hypothesis",
}

COLUMNS: dict[str, dict[str, str]] = {
    "pairs": {
        "event_id": "event id (events file)",
        "ticker": "security (Yahoo ticker)",
        "name": "security name",
        "group": "universe group",
        "exchange": "exchange MIC; its calendar counts the sessions",
        "benchmark": "benchmark ticker",
        "day_zero": "first session of the exchange that can react to the event (for an event known only to a span of "
        "time: the first possible one)",
        "day_zero_last": "last possible day 0 of an event known only to a span of time (day_zero otherwise)",
        "window_extension": "sessions from day_zero to day_zero_last: every event window of the pair is extended by "
        "this many sessions at its end",
        "model": "normal-return model of the study",
        "model_used": "model this pair was fitted with (the study's, or market-adjusted for a short history)",
        "fallback_reason": "why and how the short-history fallback was used (empty when it was not)",
        "status": "'ok' or 'not estimable'",
        "reason": "why the pair is not estimable (empty when ok)",
        "observations": "valid returns in the estimation window (L1)",
        "dof": "residual degrees of freedom, L1 - k - 1",
        "alpha": "intercept",
        "beta": "market beta (sum of lag coefficients for Dimson)",
        "sigma": "residual standard deviation",
        "r_squared": "R^2 of the estimation-window fit",
        "estimation_start": "first session the model was estimated on",
        "estimation_end": "last session the model was estimated on",
        "contaminating_events": "other events whose AR path falls in the days the model was estimated on "
        "(';'-separated)",
        "stale_days": "sessions of the estimation window and AR path with zero volume and an unchanged close (thin "
        "trading: a carried-over price, not a trade)",
    },
    "ar": {
        "event_id": "event id",
        "ticker": "security",
        "group": "universe group",
        "model_used": "model of this pair (see pairs.csv)",
        "fallback_reason": "why the short-history fallback was used (empty when it was not)",
        "day": "event-time day (sessions from day 0)",
        "date": "session date",
        "return": "security return",
        "benchmark_return": "benchmark return",
        "normal_return": "model's expected return",
        "ar": "abnormal return, return - normal_return",
        "ar_se": "prediction-error-corrected standard error of AR",
        "sar": "standardized AR, ar / ar_se",
        "car": "CAR from the first path day through this day",
        "car_se": "standard error of that CAR",
    },
    "car": {
        "event_id": "event id",
        "ticker": "security",
        "group": "universe group",
        "model_used": "model of this pair (see pairs.csv)",
        "fallback_reason": "why the short-history fallback was used (empty when it was not)",
        "window": "event window label, e.g. (-1,+1)",
        "tau1": "first day of the window",
        "tau2": "last day of the window",
        "window_extension": "sessions added to the window's end for an event known only to a span (pairs.csv): the "
        "CAR runs from tau1 around the first possible day 0 to tau2 after the last",
        "car": "cumulative abnormal return over the window",
        "car_variance": "forecast-error-corrected variance of CAR",
        "car_se": "standard error of CAR",
        "t": "CAR / car_se",
        "df": "degrees of freedom of the t test (the model's)",
        "p_value": "two-sided p-value of t",
        "sq_p_value": "SQ test p-value (Gelbach, Helland & Klick 2013), no normality assumed",
        "ci_low": "95% confidence interval, lower end",
        "ci_high": "95% confidence interval, upper end",
        "q_value": "Benjamini-Hochberg q-value over all CAR tests of the run",
        "missing_days": "days of the window without an AR (CAR is empty when any)",
    },
    "tests": {
        "scope": "'event' (one event) or 'all events' (a group across events, each security counted once per day 0: "
        "events sharing a day 0 are one observation)",
        **_EVENT_AND_GROUP,
        "window": "event window label",
        "tau1": "first day of the window",
        "tau2": "last day of the window",
        "test": "test name (eventstudy.statistics.TESTS, or placebo)",
        **_STATISTIC,
        "note": "why a test could not be computed, or what it was compared with",
        "q_value": "Benjamini-Hochberg q-value over every test of the run",
    },
    "caar": {
        "scope": "'event' or 'all events'",
        **_EVENT_AND_GROUP,
        "window": "event window label",
        "tau1": "first day of the window",
        "tau2": "last day of the window",
        "n": "pairs with a CAR",
        "n_fallback": "of which fitted by the short-history fallback (market-adjusted)",
        "caar": "mean CAR",
        "se": "cross-sectional standard error, s(CAR) / sqrt(n)",
        "ci_low": "95% confidence interval (Student t, n - 1 df), lower end",
        "ci_high": "upper end",
    },
}

_SAMPLE = {
    "scope": "'event' (one event) or 'all events' (a group across events, each security counted once per day 0)",
    **_EVENT_AND_GROUP,
}
_SAMPLE_TEST = {
    "test": "test name",
    "estimate": "what the sample measures: the mean over its pairs",
    **_STATISTIC,
    "note": "why a test could not be computed, or how it was computed",
}
_PAIR = {"event_id": "event id", "ticker": "security", "group": "universe group"}
_WINDOW = {
    "window": "event window label, e.g. (-1,+1)",
    "tau1": "first day of the window",
    "tau2": "last day of the window (extended by pairs.window_extension for an event known only to a span)",
}

COLUMNS |= {
    "cross_section": {
        "scope": "'event' (the pairs of one event) or 'all events' (pooled: each security once per day 0)",
        "event_id": "event id, or 'all events'",
        **_WINDOW,
        "formula": "the regression (patsy formula; car is the CAR of the window)",
        "term": "regressor (patsy's name: Intercept, C(group)[T.level], beta, ...)",
        "cov_type": "covariance of the standard error: 'HC3' (MacKinnon & White 1985), or 'cluster' (by event "
        "date, CR1; pooled regressions only)",
        "coef": "OLS coefficient (empty when the term is aliased: implied by the others, or absent)",
        "se": "standard error",
        "t": "coef / se",
        "df": "degrees of freedom of the t: n - k for HC3, clusters - 1 for cluster",
        "p_value": "two-sided p-value",
        "ci_low": "95% confidence interval, lower end",
        "ci_high": "upper end",
        "n": "pairs in the regression",
        "dropped": "pairs left out for a missing characteristic",
        "clusters": "event dates among the pairs (pooled regressions)",
        "r2": "R^2 of the regression",
        "adj_r2": "adjusted R^2",
        "note": "aliased terms, what could not be computed, or a caveat (few clusters)",
    },
    "volume": {
        **_PAIR,
        **_WINDOW,
        "cav": "cumulative abnormal log volume over the window's days with a volume (0.69: twice the normal volume)",
        "cav_se": "its standard error (market model of log volume)",
        "t": "cav / cav_se",
        "df": "degrees of freedom (estimation days - 2)",
        "p_value": "two-sided p-value of t",
        "days": "days of the window with a volume",
        "missing_days": "days of the window without one (stale: zero volume and an unchanged close; or no figure)",
        "volume_beta": "slope of the security's log volume on its market's",
        "sigma": "residual standard deviation of the log-volume model",
        "observations": "estimation days of the log-volume model",
        "market_volume": "the market's log volume: 'benchmark', or 'other securities of its market' when the "
        "benchmark has no volume",
        "reason": "why there is no abnormal volume (empty when there is)",
    },
    "volume_tests": {
        **_SAMPLE,
        **_WINDOW,
        **_SAMPLE_TEST,
        "test": "crude_dependence_t (portfolio t, Brown & Warner), bmp_t (standardized CAV) or corrado_rank "
        "(ranks over the estimation window and the AR path; Campbell & Wasley 1996)",
        "estimate": "mean CAV of the sample",
    },
    "volatility": {
        **_PAIR,
        "measure": "'ar_squared': mean of AR^2 / Var(AR) over the window (the study's model); 'range': mean "
        "Parkinson variance of the window over the estimation window's",
        **_WINDOW,
        "ratio": "volatility ratio (1: as the estimation window predicts)",
        "p_value": "ar_squared: two-sided F(days, model dof) p-value; range: SQ-test p-value",
        "days": "days of the window with the measure",
        "missing_days": "days of the window without it",
        "reason": "why there is no ratio (empty when there is)",
    },
    "volatility_tests": {
        **_SAMPLE,
        "measure": "'ar_squared' or 'range' (see volatility.csv)",
        **_WINDOW,
        **_SAMPLE_TEST,
        "test": "mean_ratio_t (skewness-adjusted t of the mean ratio against 1) or, for the range measure, "
        "corrado_rank (ranks of the daily ranges over the estimation window and the AR path)",
        "estimate": "mean ratio of the sample",
    },
    "bhar": {
        **_PAIR,
        "window": "long window label, e.g. (0,+20)",
        "tau1": "first session of the window (from day 0)",
        "tau2": "last session of the window (extended by pairs.window_extension for an event known only to a span)",
        "start": "date of the first session of the window",
        "end": "date of the last session of the window",
        "days": "sessions in the window",
        "bhar": "buy-and-hold abnormal return: buy_and_hold_return - benchmark_return (empty when a return is "
        "missing: the window is never shortened)",
        "buy_and_hold_return": "compounded return of the security over the window",
        "benchmark_return": "compounded return of its benchmark",
        "reason": "why there is no BHAR (the window ends after the last price, ...); empty when there is",
    },
    "bhar_tests": {
        **_SAMPLE,
        "window": "long window label",
        "tau1": "first session of the window",
        "tau2": "last session of the window",
        **_SAMPLE_TEST,
        "test": "bhar_t (conventional), skewness_adjusted_t (Lyon, Barber & Tsai 1999) or "
        "bootstrap_skewness_adjusted_t (its bootstrap, resamples of n/4)",
        "estimate": "mean BHAR of the sample",
    },
    "garch": {
        **_PAIR,
        "day": "event-time day (sessions from day 0)",
        "date": "session date",
        "return": "security return",
        "benchmark_return": "benchmark return",
        "ols_ar": "AR of the OLS market model",
        "ols_ar_se": "its prediction-error-corrected standard error",
        "ols_sar": "ols_ar / ols_ar_se",
        "garch_ar": "AR of the market model with GARCH(1,1) errors",
        "garch_sd": "conditional standard deviation forecast from the last estimation day",
        "garch_sar": "garch_ar / garch_sd",
        "market_beta": "slope of the GARCH model's mean equation",
        "garch_omega": "omega of h_t = omega + alpha e_t-1^2 + beta h_t-1",
        "garch_alpha": "alpha (reaction of the variance to the last shock)",
        "garch_beta": "beta (memory of the variance)",
        "log_likelihood": "maximized Gaussian log-likelihood of the percent returns",
        "observations": "estimation days of the GARCH fit",
        "persistence": "garch_alpha + garch_beta (how slowly a variance shock decays)",
        "reason": "why the GARCH model could not be fitted (empty when it was)",
    },
    "span_sensitivity": {
        **_PAIR,
        "window": "event window label, e.g. (0,+1)",
        "day_zero_first": "first possible day 0 of the span on the security's exchange",
        "day_zero_last": "last possible day 0 of the span",
        "window_extension": "sessions between them (the study's window is extended by these, see car.csv)",
        "car": "the study's CAR, over the window extended to cover every possible day 0",
        "car_first": "CAR over the window with day 0 at the first possible session",
        "t_first": "its t statistic (the model's degrees of freedom)",
        "p_first": "its two-sided p-value",
        "car_last": "CAR over the window with day 0 at the last possible session",
        "t_last": "its t statistic",
        "p_last": "its two-sided p-value",
        "same_sign": "whether car_first and car_last have the same sign (empty when either is missing)",
    },
}
