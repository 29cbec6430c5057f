"""Every column of the tidy outputs, documented once (what ``columns.md`` of a report and the docstrings say).

``COLUMNS[table][column]`` is the meaning of a column of ``pairs``, ``ar``, ``car``, ``tests`` and ``caar``; their
order is the order of the columns in the tables and CSV files.
"""

from __future__ import annotations

__all__ = ["ALL_EVENTS", "ALL_GROUPS", "COLUMNS"]

#: Group label of the samples of every studied security (baskets excluded: a basket and its members are the same money).
ALL_GROUPS = "all securities"
#: Event label of the samples across all events.
ALL_EVENTS = "all events"

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
        "event_id": "event id, or 'all events'",
        "group": "universe group, 'baskets', or 'all securities' (every security, baskets excluded)",
        "window": "event window label",
        "tau1": "first day of the window",
        "tau2": "last day of the window",
        "test": "test name (eventstudy.statistics.TESTS, or placebo)",
        "statistic": "test statistic",
        "p_value": "two-sided p-value",
        "n": "pairs in the sample",
        "df": "degrees of freedom where the reference is Student t",
        "distribution": "reference distribution of the statistic under the null",
        "null": "the null hypothesis",
        "note": "why a test could not be computed, or what it was compared with",
        "q_value": "Benjamini-Hochberg q-value over every test of the run",
    },
    "caar": {
        "scope": "'event' or 'all events'",
        "event_id": "event id, or 'all events'",
        "group": "universe group, 'baskets', or 'all securities' (every security, baskets excluded)",
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
