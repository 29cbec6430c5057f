"""The engine's tidy tables: one row per pair with its estimation diagnostics (or why it could not be estimated),
and the AR path of the estimable pairs in long format. Columns are documented in :data:`eventstudy.columns.COLUMNS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.calendars import offset_sessions
from eventstudy.columns import COLUMNS
from eventstudy.engine.compute import Computation
from eventstudy.prices import PriceData
from eventstudy.spec import StudySpec
from eventstudy.universe import Security

__all__ = ["ar_table", "pairs_table"]


def _short_history(spec: StudySpec, observations: float, start: object) -> str:
    """The first half of a fallback or not-estimable reason: what the study's own model had."""
    first, last = spec.estimation_window
    return (
        f"{int(observations)} valid returns in the estimation window ({first},{last}) from {start}; "
        f"at least {spec.min_estimation} needed"
    )


def _fallback_reason(
    spec: StudySpec,
    security: Security,
    model_observations: float,
    used: tuple[object, object],
    observations: float,
    start: object,
) -> str:
    """Why and how a pair was fitted by the market-adjusted fallback (``used``: first and last estimation days)."""
    listing = (
        f", the first {spec.skip_after_listing} sessions after the listing on {security.listed} skipped"
        if security.listed is not None
        else ""
    )
    days = f" {used[0]}..{used[1]}" if observations else ""
    return (
        f"{_short_history(spec, model_observations, start)}: market-adjusted model (AR = R - R_m) with its "
        f"variance from {int(observations)} returns{days}{listing}"
    )


def _price_gap(security: Security, benchmark: str, start: object, prices: PriceData, listing_said: bool) -> str | None:
    """What the prices of the pair's security or benchmark lack, in words a reader can act on (``None``: nothing;
    ``listing_said``: the reason already names the listing, which explains a late start of the security's prices)."""
    for role, ticker in (("", security.ticker), ("benchmark ", benchmark)):
        coverage = prices.coverage.get(ticker)
        if coverage is None:
            continue
        if coverage.reason is not None:
            return f"{role}{ticker}: {coverage.reason}"
        if coverage.first is None:
            return f"{role}{ticker} has no prices in the range the study needs"
        if coverage.first > pd.Timestamp(str(start)) and not (listing_said and ticker == security.ticker):
            return f"{role}{ticker} prices start on {coverage.first.date()}"
    return None


def _contamination(computation: Computation, starts: pd.DatetimeIndex, ends: pd.DatetimeIndex) -> list[str]:
    """Per pair, the other events whose AR path falls inside the days its model was actually estimated on
    (``starts``..``ends``), ';'-separated. Events sharing the pair's day 0 are the same observation, not others."""
    spec, plan = computation.spec, computation.plan
    exchanges = sorted({security.exchange for security in plan.securities})
    table = spec.events.daily(spec.include_month_precision).day_zero_table(exchanges)
    first, last = spec.path_window
    paths: dict[str, list[tuple[str, pd.Timestamp, pd.Timestamp, pd.Timestamp]]] = {}
    for row in table.itertuples(index=False):
        span = offset_sessions(row.exchange, row.day_zero, [first, last], clip=True)
        paths.setdefault(str(row.exchange), []).append((str(row.event_id), row.day_zero, span[0], span[-1]))
    event_ids, day_zeros = plan.event_ids, pd.DatetimeIndex(plan.day_zero)
    exchange_of = [plan.securities[position].exchange for position in plan.security.tolist()]
    return [
        ""
        if pd.isna(start)
        else ";".join(
            other
            for other, day_zero, path_start, path_end in paths[exchange]
            if other != event_id and day_zero != own_day and path_start <= end and path_end >= start
        )
        for event_id, own_day, exchange, start, end in zip(event_ids, day_zeros, exchange_of, starts, ends, strict=True)
    ]


def pairs_table(computation: Computation) -> pd.DataFrame:
    """One row per pair: identity, model, status and reasons, estimation diagnostics, contamination, stale days."""
    spec, plan, computed = computation.spec, computation.plan, computation.pairs
    keys = plan.keys()
    if computed is None:
        return pd.DataFrame(columns=list(COLUMNS["pairs"]))
    fit, fallback, estimable = computed.arrays.fit, computed.fallback, computed.estimable
    window_start = pd.DatetimeIndex(computed.window_start)
    estimation_start = pd.DatetimeIndex(computed.estimation_start)
    estimation_end = pd.DatetimeIndex(computed.estimation_end)
    reasons = np.full(len(plan), "", dtype=object)
    fallback_reasons = np.full(len(plan), "", dtype=object)
    for index in np.flatnonzero(fallback | ~estimable):
        security = plan.securities[int(plan.security[index])]
        # No start: the estimation window begins before the calendar's first session, where no price can be.
        start = window_start[index].date() if not pd.isna(window_start[index]) else "before the calendar's start"
        model_observations = computed.model_observations[index]
        if fallback[index]:
            first, last = estimation_start[index], estimation_end[index]
            span = ("?" if pd.isna(first) else first.date(), "?" if pd.isna(last) else last.date())
            text = _fallback_reason(spec, security, model_observations, span, fit.observations[index], start)
            fallback_reasons[index] = text
            if not estimable[index]:
                reasons[index] = f"{text}; at least {spec.fallback_floor} needed"
        else:
            reasons[index] = _short_history(spec, model_observations, start)
        if not estimable[index]:
            listing_said = bool(fallback[index]) and security.listed is not None
            gap = _price_gap(security, str(plan.benchmark[index]), start, computation.prices, listing_said)
            reasons[index] += f": {gap}" if gap else ""
    # A GARCH fit that failed leaves the OLS market model, with the reason, as the short-history fallback does.
    refitted = computed.model_reason.astype(str) != ""
    fallback_reasons = np.where(refitted, computed.model_reason, fallback_reasons)
    used = np.where(refitted, "market", spec.model_name)
    table = keys.assign(
        model=spec.model_name,
        model_used=np.where(fallback, "market-adjusted", used),
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
        contaminating_events=_contamination(computation, estimation_start, estimation_end),
        stale_days=computed.stale_days.astype(int),
    )
    return table[list(COLUMNS["pairs"])]


def ar_table(computation: Computation, pairs: pd.DataFrame) -> pd.DataFrame:
    """The AR path of every estimable pair, one row per (pair, event-time day); ``pairs`` from :func:`pairs_table`."""
    computed = computation.pairs
    if computed is None:
        return pd.DataFrame(columns=list(COLUMNS["ar"]))
    arrays = computed.arrays
    chosen = np.flatnonzero(computed.estimable)
    days = arrays.offsets
    repeat = np.repeat(chosen, days.size)
    ar_se = np.sqrt(arrays.ar_variance[chosen])
    table = pd.DataFrame(
        {
            "event_id": pairs["event_id"].to_numpy()[repeat],
            "ticker": pairs["ticker"].to_numpy()[repeat],
            "group": pairs["group"].to_numpy()[repeat],
            "model_used": pairs["model_used"].to_numpy()[repeat],
            "fallback_reason": pairs["fallback_reason"].to_numpy()[repeat],
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
    return table[list(COLUMNS["ar"])]
