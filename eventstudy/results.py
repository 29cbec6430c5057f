"""Results of an event study: tidy DataFrames, a text summary, CSV export.

Tables (all tidy, one observation per row; documented column by column in :data:`COLUMNS`):

``pairs``
    One row per (event, security): day 0, the model's estimation diagnostics, and whether it could be estimated.
``ar``
    One row per (event, security, event-time day) of the AR path: returns, normal return, AR, its standard error,
    SAR, and the CAR from the start of the path with its standard error.
``car``
    One row per (event, security, event window): CAR, its variance, t test (model degrees of freedom), the SQ test
    p-value and a 95% confidence interval; Benjamini-Hochberg q-values across all of them.
``tests``
    One row per (sample, event window, test), a sample being one event's securities of one group (or all groups),
    or one group across all events; with Benjamini-Hochberg q-values over every test of the run.
``caar``
    CAAR per sample and window with its cross-sectional 95% confidence interval.
``skipped``
    Events and securities that gave no pair, with the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from eventstudy.baskets import BASKETS_GROUP
from eventstudy.calendars import offset_sessions
from eventstudy.statistics import Sample, benjamini_hochberg, pair_statistics, run_tests

if TYPE_CHECKING:
    from eventstudy.claims import ClaimsResult
    from eventstudy.engine import ComputedPairs, EventStudy, Pair
    from eventstudy.prices import PriceData

__all__ = [
    "ALL_EVENTS",
    "ALL_GROUPS",
    "COLUMNS",
    "EventStudyResults",
    "build_results",
    "placebo_test",
    "run_metadata",
    "window_label",
]

ALL_GROUPS = "all securities"
ALL_EVENTS = "all events"

COLUMNS: dict[str, dict[str, str]] = {
    "pairs": {
        "event_id": "event id (events file)",
        "ticker": "security (Yahoo ticker)",
        "name": "security name",
        "group": "universe group",
        "exchange": "exchange MIC; its calendar counts the sessions",
        "benchmark": "benchmark ticker",
        "day_zero": "first session of the exchange that can react to the event",
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
        "test": "test name (eventstudy.statistics)",
        "statistic": "test statistic",
        "p_value": "two-sided p-value",
        "n": "pairs in the sample",
        "df": "degrees of freedom where the reference is Student t",
        "note": "why a test could not be computed",
        "q_value": "Benjamini-Hochberg q-value over every test of the run",
    },
    "caar": {
        "scope": "'event' or 'all events'",
        "event_id": "event id, or 'all events'",
        "group": "universe group, 'baskets', or 'all securities' (every security, baskets excluded)",
        "window": "event window label",
        "n": "pairs with a CAR",
        "n_fallback": "of which fitted by the short-history fallback (market-adjusted)",
        "caar": "mean CAR",
        "se": "cross-sectional standard error, s(CAR) / sqrt(n)",
        "ci_low": "95% confidence interval (Student t, n - 1 df), lower end",
        "ci_high": "upper end",
    },
}


def headline_window(windows: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """The window summaries and reports lead with: (0,+1) when the study has it, else its first event window."""
    return (0, 1) if (0, 1) in [tuple(window) for window in windows] else tuple(windows[0])  # type: ignore[return-value]


def window_label(window: tuple[int, int]) -> str:
    """``(-1, 1)`` -> ``"(-1,+1)"``; ``(0, 0)`` -> ``"(0,0)"``."""

    def signed(day: int) -> str:
        return f"{day:+d}" if day else "0"

    return f"({signed(window[0])},{signed(window[1])})"


@dataclass
class EventStudyResults:
    """What :meth:`eventstudy.engine.EventStudy.run` returns (see the module docstring for the tables)."""

    study: EventStudy
    pairs: pd.DataFrame
    ar: pd.DataFrame
    car: pd.DataFrame
    tests: pd.DataFrame
    caar: pd.DataFrame
    skipped: pd.DataFrame
    coverage: dict[str, dict[str, object]] = field(default_factory=dict)

    def car_for(self, event_id: str, window: tuple[int, int] = (0, 0)) -> pd.DataFrame:
        """The CAR rows of one event and window, indexed by ticker."""
        label = window_label(window)
        rows = self.car[(self.car["event_id"] == event_id) & (self.car["window"] == label)]
        return rows.set_index("ticker")

    def summary(self, window: tuple[int, int] | None = None, top: int = 10) -> str:
        """A text summary: the specification, counts, and the largest and most significant effects of ``window``
        (default: :func:`headline_window`)."""
        study = self.study
        label = window_label(window or headline_window(study.event_windows))
        estimable = int((self.pairs["status"] == "ok").sum())
        fell_back = int(((self.pairs["fallback_reason"] != "") & (self.pairs["status"] == "ok")).sum())
        lines = [
            "Event study",
            "=" * 100,
            f"model: {study.model_name}   estimation window: {study.estimation_window}   "
            f"event windows: {', '.join(window_label(w) for w in study.event_windows)}",
            f"events: {self.pairs['event_id'].nunique()}   pairs: {len(self.pairs)}   estimable: {estimable}   "
            f"not estimable: {len(self.pairs) - estimable}   skipped: {len(self.skipped)}   "
            f"short-history fallback (market-adjusted): {fell_back}",
            "",
            f"Largest |CAR| {label}:",
        ]
        cars = self.car[(self.car["window"] == label) & self.car["car"].notna()]
        largest = cars.reindex(cars["car"].abs().sort_values(ascending=False).index).head(top)
        columns = ["event_id", "ticker", "car", "car_se", "t", "p_value", "sq_p_value", "q_value"]
        lines.append(largest[columns].to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        lines += ["", f"Group CAAR {label} per event (most significant first):"]
        tests = self.tests[(self.tests["window"] == label) & (self.tests["test"] == "kolari_pynnonen_bmp")]
        tests = tests[tests["scope"] == "event"].sort_values("p_value").head(top)
        caar = self.caar.set_index(["event_id", "group", "window"])["caar"]
        pairs = tests[["event_id", "group"]].itertuples(index=False)
        tests = tests.assign(caar=[caar.get((event_id, group, label), np.nan) for event_id, group in pairs])
        columns = ["event_id", "group", "n", "caar", "statistic", "p_value", "q_value"]
        lines.append(tests[columns].to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        return "\n".join(lines)

    def to_csv(self, folder: str | Path) -> list[Path]:
        """Write ``pairs.csv``, ``ar.csv``, ``car.csv``, ``tests.csv``, ``caar.csv`` and ``skipped.csv``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name in ("pairs", "ar", "car", "tests", "caar", "skipped"):
            path = folder / f"{name}.csv"
            getattr(self, name).to_csv(path, index=False, float_format="%.10g", lineterminator="\n")
            written.append(path)
        return written

    def to_html(
        self,
        out_dir: str | Path,
        metadata: dict[str, object] | None = None,
        window: tuple[int, int] | None = None,
        claims: ClaimsResult | None = None,
    ) -> Path:
        """Write the interactive report, the CSV data and ``run.json`` into ``out_dir``; return ``index.html``.

        ``claims`` (:func:`eventstudy.claims.check_claims`) adds ``claims.html`` and ``claims_checked.csv``.
        See :func:`eventstudy.report.write_report`.
        """
        from eventstudy.report import write_report

        return write_report(self, out_dir, metadata, window, claims=claims)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_metadata(results: EventStudyResults, events_file: str | Path | None = None) -> dict[str, object]:
    """What ``run.json`` records: version, full configuration, inputs and their hashes, prices and coverage, time."""
    from eventstudy import __version__

    study = results.study
    inputs: dict[str, object] = {"universe_file": study.universe.source}  # type: ignore[union-attr]
    if Path(study.universe.source).is_file():  # type: ignore[union-attr]
        inputs["universe_sha256"] = _sha256(Path(study.universe.source))  # type: ignore[union-attr]
    if events_file is not None:
        inputs |= {"events_file": str(events_file), "events_sha256": _sha256(Path(events_file))}
    chain = study.price_chain()
    return {
        "eventstudy_version": __version__,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "configuration": {
            "model": study.model_name,
            "benchmark": study.benchmark,
            "estimation_window": list(study.estimation_window),
            "event_windows": [list(window) for window in study.event_windows],
            "path_window": list(study.path_window),
            "min_estimation": study.min_estimation,
            "exclude_contaminated": study.exclude_contaminated,
            "include_month_precision": study.include_month_precision,
            "return_kind": study.return_kind,
            "tests": list(study.tests) if study.tests is not None else "all",
            "bootstrap_replications": study.bootstrap_replications,
            "placebo_replications": study.placebo_replications,
            "seed": study.seed,
            "tickers": list(study.tickers) if study.tickers is not None else None,
            "groups": list(study.groups) if study.groups is not None else None,
        },
        "inputs": inputs,
        "prices": {
            "sources": chain.describe(),
            "coverage": results.coverage,
        },
        "counts": {
            "events": int(results.pairs["event_id"].nunique()),
            "pairs": len(results.pairs),
            "estimable": int((results.pairs["status"] == "ok").sum()),
            "skipped": len(results.skipped),
        },
    }


# -- assembling ------------------------------------------------------------------------------------------------------


def _short_history(study: EventStudy, observations: float, start: object) -> str:
    """The first half of a fallback or not-estimable reason: what the study's own model had."""
    first, last = study.estimation_window
    return (
        f"{int(observations)} valid returns in the estimation window ({first},{last}) from {start}; "
        f"at least {study.min_estimation} needed"
    )


def _fallback_reason(
    study: EventStudy,
    pair: Pair,
    model_observations: float,
    used: tuple[object, object],
    observations: float,
    start: object,
) -> str:
    """Why and how a pair was fitted by the market-adjusted fallback (``used``: first and last estimation days)."""
    listing = (
        f", the first {study.skip_after_listing} sessions after the listing on {pair.security.listed} skipped"
        if pair.security.listed is not None
        else ""
    )
    return (
        f"{_short_history(study, model_observations, start)}: market-adjusted model (AR = R - R_m) with its "
        f"variance from {int(observations)} returns {used[0]}..{used[1]}{listing}"
    )


def _not_estimable_reason(study: EventStudy, pair: Pair, observations: float, start: object, prices: PriceData) -> str:
    """Why a pair could not be estimated, in words a reader can act on."""
    reason = _short_history(study, observations, start)
    for role, ticker in (("", pair.security.ticker), ("benchmark ", pair.benchmark)):
        coverage = prices.coverage.get(ticker)
        if coverage is None:
            continue
        if coverage.reason is not None:
            return f"{reason}: {role}{coverage.reason}"
        if coverage.first is None:
            return f"{reason}: {role}{ticker} has no prices in the range the study needs"
        if coverage.first > pd.Timestamp(start):
            return f"{reason}: {role}{ticker} prices start on {coverage.first.date()}"
    return reason


def _contamination(study: EventStudy, pairs: list[Pair], starts: pd.DatetimeIndex, ends: pd.DatetimeIndex) -> list[str]:
    """Per pair, the other events whose AR path falls inside the days its model was actually estimated on
    (``starts``..``ends``), ';'-separated. Events sharing the pair's day 0 are the same observation, not others."""
    exchanges = sorted({pair.security.exchange for pair in pairs})
    table = study.events.daily(study.include_month_precision).day_zero_table(exchanges)  # type: ignore[union-attr]
    first, last = study.path_window
    paths: dict[str, list[tuple[str, pd.Timestamp, pd.Timestamp, pd.Timestamp]]] = {}
    for row in table.itertuples(index=False):
        span = offset_sessions(row.exchange, row.day_zero, [first, last])
        paths.setdefault(row.exchange, []).append((row.event_id, row.day_zero, span[0], span[-1]))
    return [
        ""
        if pd.isna(start)
        else ";".join(
            other
            for other, day_zero, path_start, path_end in paths[pair.security.exchange]
            if other != pair.event.id and day_zero != pair.day_zero and path_start <= end and path_end >= start
        )
        for pair, start, end in zip(pairs, starts, ends, strict=True)
    ]


def _sample(computed: ComputedPairs, keys: pd.DataFrame, mask: np.ndarray, span: slice, window: int) -> Sample:
    arrays, fit = computed.arrays, computed.arrays.fit
    return Sample(
        car=arrays.car[mask, window],
        car_variance=arrays.car_variance[mask, window],
        event_ar=arrays.ar[mask, span],
        estimation_ar=arrays.estimation_residuals[mask],
        estimation_dates=computed.estimation_dates[mask],
        event_dates=computed.path_dates[mask, span],
        dof=fit.dof[mask],
        sigma=fit.sigma[mask],
        event_id=keys["event_id"].to_numpy()[mask],
        security_id=keys["ticker"].to_numpy()[mask],
    )


def _caar_row(car: np.ndarray) -> dict[str, float]:
    n = car.size
    caar = float(car.mean()) if n else np.nan
    se = float(car.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    half = float(stats.t.ppf(0.975, n - 1) * se) if n > 1 else np.nan
    return {"n": n, "caar": caar, "se": se, "ci_low": caar - half, "ci_high": caar + half}


def placebo_test(caar: float, tickers: np.ndarray, placebo: dict[str, np.ndarray], window: int) -> dict[str, object]:
    """Placebo p-value of a sample's CAAR: its rank among the CAARs of the same securities on pseudo-event dates.

    ``p = (1 + #{|CAAR_b| >= |CAAR|}) / (B + 1)`` over the B pseudo dates where at least one member is estimable.
    The pseudo dates are shared by all securities, so the placebo distribution keeps their cross-correlation
    (the reason for this test when every security shares the event date).

    References
    ----------
    Brown, S. J., Warner, J. B. (1985). Using daily stock returns: the case of event studies. JFE 14(1), 3-31.
    """
    draws = [placebo[ticker][:, window] for ticker in tickers if ticker in placebo]
    finite = np.array([])
    if draws:
        stacked = np.vstack(draws)
        counts = np.isfinite(stacked).sum(axis=0)
        finite = np.nansum(stacked, axis=0)[counts > 0] / counts[counts > 0]
    if finite.size == 0:
        return {
            "test": "placebo",
            "statistic": caar,
            "p_value": np.nan,
            "n": len(tickers),
            "df": np.nan,
            "note": "no pseudo-event date qualifies (placebo_replications = 0, or no clear dates)",
        }
    p_value = (1 + np.count_nonzero(np.abs(finite) >= abs(caar))) / (finite.size + 1)
    return {
        "test": "placebo",
        "statistic": caar,
        "p_value": p_value,
        "n": len(tickers),
        "df": np.nan,
        "note": f"CAAR against {finite.size} pseudo-event dates",
    }


def build_results(
    study: EventStudy,
    pairs: list[Pair],
    skipped: pd.DataFrame,
    prices: PriceData,
    computed: ComputedPairs | None,
    placebo: dict[str, np.ndarray] | None = None,
) -> EventStudyResults:
    """Assemble the tidy tables of a run from the computed arrays (called by :meth:`EventStudy.run`)."""
    coverage = {ticker: item.to_dict() for ticker, item in prices.coverage.items()}
    if computed is None:
        empty = {name: pd.DataFrame(columns=list(columns)) for name, columns in COLUMNS.items()}
        return EventStudyResults(study, skipped=skipped, coverage=coverage, **empty)
    arrays, fit = computed.arrays, computed.arrays.fit
    keys = pd.DataFrame(
        {
            "event_id": [pair.event.id for pair in pairs],
            "ticker": [pair.security.ticker for pair in pairs],
            "name": [pair.security.name for pair in pairs],
            "group": [pair.security.group for pair in pairs],
            "exchange": [pair.security.exchange for pair in pairs],
            "benchmark": [pair.benchmark for pair in pairs],
            "day_zero": pd.DatetimeIndex([pair.day_zero for pair in pairs]),
        }
    )
    fallback = computed.fallback
    needed = np.where(fallback, study.fallback_floor, study.min_estimation)
    estimable = (fit.observations >= needed) & np.isfinite(fit.sigma2) & (fit.sigma2 > 0)
    window_start = pd.DatetimeIndex(computed.estimation_dates[:, 0])
    used = np.isfinite(arrays.estimation_residuals)
    first_used = np.where(used.any(axis=1), used.argmax(axis=1), -1)
    last_used = np.where(used.any(axis=1), used.shape[1] - 1 - used[:, ::-1].argmax(axis=1), -1)
    rows = np.arange(len(pairs))
    estimation_start = pd.DatetimeIndex(np.where(first_used >= 0, computed.estimation_dates[rows, first_used], None))
    estimation_end = pd.DatetimeIndex(np.where(last_used >= 0, computed.estimation_dates[rows, last_used], None))
    reasons = np.full(len(pairs), "", dtype=object)
    fallback_reasons = np.full(len(pairs), "", dtype=object)
    for index in np.flatnonzero(fallback | ~estimable):
        start = window_start[index].date() if not pd.isna(window_start[index]) else "?"
        model_observations = computed.model_observations[index]
        if fallback[index]:
            span = tuple(
                "?" if pd.isna(day) else day.date() for day in (estimation_start[index], estimation_end[index])
            )
            text = _fallback_reason(study, pairs[index], model_observations, span, fit.observations[index], start)
            fallback_reasons[index] = text
            if not estimable[index]:
                reasons[index] = f"{text}; at least {study.fallback_floor} needed"
        else:
            reasons[index] = _not_estimable_reason(study, pairs[index], model_observations, start, prices)
    model_used = np.where(fallback, "market-adjusted", study.model_name)
    pairs_table = keys.assign(
        model=study.model_name,
        model_used=model_used,
        fallback_reason=fallback_reasons,
        status=np.where(estimable, "ok", "not estimable"),
        reason=reasons,
        observations=fit.observations.astype(int),
        dof=fit.dof,
        alpha=fit.alpha,
        beta=fit.beta,
        sigma=fit.sigma,
        r_squared=fit.r_squared,
        estimation_start=estimation_start,
        estimation_end=estimation_end,
        contaminating_events=_contamination(study, pairs, estimation_start, estimation_end),
        stale_days=computed.stale_days.astype(int),
    )

    # AR path of the estimable pairs, long format.
    chosen = np.flatnonzero(estimable)
    days = arrays.offsets
    repeat = np.repeat(chosen, days.size)
    ar_se = np.sqrt(arrays.ar_variance[chosen])
    ar_table = pd.DataFrame(
        {
            "event_id": keys["event_id"].to_numpy()[repeat],
            "ticker": keys["ticker"].to_numpy()[repeat],
            "group": keys["group"].to_numpy()[repeat],
            "model_used": model_used[repeat],
            "fallback_reason": fallback_reasons[repeat],
            "day": np.tile(days, chosen.size),
            "date": pd.DatetimeIndex(computed.path_dates[chosen].ravel()),
            "return": arrays.returns[chosen].ravel(),
            "benchmark_return": arrays.benchmark[chosen].ravel(),
            "normal_return": arrays.normal[chosen].ravel(),
            "ar": arrays.ar[chosen].ravel(),
            "ar_se": ar_se.ravel(),
            "sar": (arrays.ar[chosen] / ar_se).ravel(),
            "car": arrays.car_path[chosen].ravel(),
            "car_se": np.sqrt(arrays.car_path_variance[chosen]).ravel(),
        }
    )

    rng = np.random.default_rng(study.seed)
    first_of_day = ~keys.duplicated(subset=["ticker", "day_zero"]).to_numpy()
    car_tables, test_tables, caar_rows = [], [], []
    groups = list(dict.fromkeys(keys["group"]))
    for position, window in enumerate(study.event_windows):
        label = window_label(window)
        span = slice(window[0] - days[0], window[1] - days[0] + 1)
        per_pair = pair_statistics(_sample(computed, keys, estimable, span, position))
        half = stats.t.ppf(0.975, per_pair["df"].to_numpy()) * per_pair["car_se"].to_numpy()
        car_tables.append(
            keys.assign(model_used=model_used, fallback_reason=fallback_reasons)
            .loc[estimable, ["event_id", "ticker", "group", "model_used", "fallback_reason"]]
            .reset_index(drop=True)
            .assign(window=label, tau1=window[0], tau2=window[1])
            .join(per_pair.drop(columns=["event_id", "security_id"]))
            .assign(
                ci_low=per_pair["car"] - half,
                ci_high=per_pair["car"] + half,
                missing_days=arrays.window_missing[estimable, position].astype(int),
            )
        )
        usable = estimable & np.isfinite(arrays.car[:, position])
        scopes = [
            ("event", event_id, keys["event_id"].to_numpy() == event_id) for event_id in keys["event_id"].unique()
        ]
        # Across events, a security is one observation per day 0: events that share a day 0 (R1 and Kimi k1.5 on
        # 2025-01-20, the NVIDIA crash and DeepSeek topping the App Store on 2025-01-27) are the same returns.
        scopes.append(("all events", ALL_EVENTS, first_of_day))
        for scope, event_id, in_scope in scopes:
            for group in [*groups, ALL_GROUPS]:
                # A basket and its members are the same money: "all securities" counts the members only.
                everything = keys["group"].to_numpy() != BASKETS_GROUP
                in_group = in_scope & (keys["group"].to_numpy() == group if group != ALL_GROUPS else everything)
                mask = usable & in_group
                if not mask.any():
                    continue
                sample = _sample(computed, keys, mask, span, position)
                label_columns = {"scope": scope, "event_id": event_id, "group": group, "window": label}
                caar_row = _caar_row(sample.car) | {"n_fallback": int(fallback[mask].sum())}
                caar_rows.append(label_columns | caar_row)
                table = run_tests(sample, study.tests, rng, replications=study.bootstrap_replications)
                if placebo and scope == "event":  # one pseudo date stands for one event date
                    extra = placebo_test(caar_row["caar"], sample.security_id, placebo, position)
                    table = pd.concat([table, pd.DataFrame([extra])], ignore_index=True)
                test_tables.append(table.assign(**label_columns))

    car_table = pd.concat(car_tables, ignore_index=True)
    car_table["q_value"] = benjamini_hochberg(car_table["p_value"].to_numpy(dtype=float))
    tests = pd.concat(test_tables, ignore_index=True) if test_tables else pd.DataFrame(columns=list(COLUMNS["tests"]))
    tests["q_value"] = benjamini_hochberg(tests["p_value"].to_numpy(dtype=float))
    return EventStudyResults(
        study=study,
        pairs=pairs_table[list(COLUMNS["pairs"])],
        ar=ar_table,
        car=car_table[list(COLUMNS["car"])],
        tests=tests[list(COLUMNS["tests"])],
        caar=pd.DataFrame(caar_rows, columns=list(COLUMNS["caar"])),
        skipped=skipped,
        coverage=coverage,
    )
