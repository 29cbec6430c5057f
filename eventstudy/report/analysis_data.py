"""The tables of the analyses beyond abnormal returns as the report's pages read them.

:class:`AnalysisData` is built once per report (``ReportContext.analyses``), in one pass over each table, into
look-ups by event, security, window, group, measure and test, so that a page costs dictionary look-ups rather than
table filters. The values are the tables' own: nothing is recomputed, and an empty value stays empty (NaN) with the
table's reason. Only the windows the pages show are kept: (0,0) and the headline window (``short_windows``), and
every long window of the BHARs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.baskets import BASKETS_GROUP
from eventstudy.calendars import calendar_name
from eventstudy.columns import ALL_EVENTS, ALL_GROUPS
from eventstudy.results import EventStudyResults

__all__ = ["LEAD_TESTS", "AnalysisData", "Fit", "Lead", "Missing"]

#: The test a sample's row leads with, per measure, in order of preference (the first with a p-value): abnormal
#: volume leads with the rank test, which Campbell & Wasley (1996) found the better specified for log volume, then
#: the portfolio t with the crude dependence adjustment, then the standardized cross-sectional t; the AR² ratio
#: with the skewness-adjusted t of its mean against 1; the range ratio with the rank test of the daily ranges
#: (robust to the cross-correlation of securities that share the event date), then that t; the BHAR with the
#: skewness-adjusted t of Lyon, Barber & Tsai (1999) (its bootstrap p-value is shown beside it).
LEAD_TESTS: dict[str, tuple[str, ...]] = {
    "volume": ("corrado_rank", "crude_dependence_t", "bmp_t"),
    "ar_squared": ("mean_ratio_t",),
    "range": ("corrado_rank", "mean_ratio_t"),
    "bhar": ("skewness_adjusted_t",),
}


@dataclass(frozen=True)
class Fit:
    """One regression of the ``cross_section`` table (one event or all events, one window, one covariance).

    Attributes
    ----------
    coefficients
        Term -> (coef, se, ci_low, ci_high, p_value), in the order of the formula; NaN where the table is empty.
    n, dropped, clusters, r2, adj_r2, df, note
        The table's columns of the regression (``clusters`` NaN for a regression of one event).
    """

    coefficients: dict[str, tuple[float, float, float, float, float]]
    n: int
    dropped: int
    clusters: float
    r2: float
    adj_r2: float
    df: float
    note: str

    @property
    def failed(self) -> bool:
        """Whether no coefficient could be estimated (too few securities for the terms)."""
        return not any(np.isfinite(values[0]) for values in self.coefficients.values())

    @property
    def estimated(self) -> list[str]:
        """The terms with a coefficient."""
        return [term for term, values in self.coefficients.items() if np.isfinite(values[0])]


@dataclass(frozen=True)
class Lead:
    """A sample's lead test: the mean over its securities (CAV, ratio or BHAR), the test's statistic, p-value and
    sample size, and which test it is."""

    estimate: float
    statistic: float
    p_value: float
    n: int
    test: str


@dataclass(frozen=True)
class Missing:
    """The securities of one market without a CAR over a window, and the sessions of the window on which they
    have no return."""

    market: str
    tickers: tuple[str, ...]
    dates: tuple[str, ...]


def _values(column: pd.Series) -> list[object]:
    """A column as Python values; dates as :class:`datetime.date` (``None`` for NaT), much faster to make than
    Timestamps."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return list(column.to_numpy().astype("datetime64[D]").tolist())
    return column.tolist()


def _keyed(frame: pd.DataFrame, keys: Sequence[str], values: Sequence[str]) -> dict[tuple, tuple]:
    """Row key -> row values of every row of ``frame`` (tuples of Python values; the last row of a key wins)."""
    key_columns = [_values(frame[name]) for name in keys]
    value_columns = [_values(frame[name]) for name in values]
    return dict(zip(zip(*key_columns, strict=True), zip(*value_columns, strict=True), strict=True))


def _rows(frame: pd.DataFrame, names: Sequence[str]) -> Iterable[tuple]:
    """The rows of some columns of ``frame``, as tuples of Python values."""
    return zip(*(_values(frame[name]) for name in names), strict=True)


class AnalysisData:
    """The look-ups of the analyses' tables for the pages of one report (see the module docstring).

    Parameters
    ----------
    results
        The study.
    pairs
        ``ReportContext.pairs`` (the pairs with their ``market``).
    short_windows
        The event windows the pages show.
    groups
        The universe groups in the order of the pages.
    """

    def __init__(
        self, results: EventStudyResults, pairs: pd.DataFrame, short_windows: Sequence[str], groups: Sequence[str]
    ) -> None:
        self.windows = list(short_windows)
        shown = set(self.windows)
        event_ids, tickers = pairs["event_id"].tolist(), pairs["ticker"].tolist()
        #: Event id -> its securities, in the order of the pairs; ticker -> its events, in chronological order.
        self.event_tickers: dict[str, list[str]] = {}
        self.security_events: dict[str, list[str]] = {}
        for event_id, ticker in zip(event_ids, tickers, strict=True):
            self.event_tickers.setdefault(event_id, []).append(ticker)
            self.security_events.setdefault(ticker, []).append(event_id)
        #: Ticker -> its market, in words (``ReportContext.pairs.market``).
        self.markets = dict(zip(tickers, pairs["market"].tolist(), strict=True))
        #: Event id -> the groups of its securities in the order of ``groups``, then all securities.
        present: dict[str, set[str]] = {}
        for event_id, group in zip(event_ids, pairs["group"].tolist(), strict=True):
            present.setdefault(event_id, set()).add(group)
        self.event_groups = {
            event_id: [group for group in groups if group in found] + [ALL_GROUPS]
            for event_id, found in present.items()
        }
        table = results.cross_section
        #: The regression's formula and terms, in the order of the formula.
        self.formula = str(table["formula"].iloc[0]) if len(table) else ""
        self.terms: list[str] = list(dict.fromkeys(table["term"]))
        #: Market (calendar code, as the regression's ``market``) of every studied security.
        self.calendars = {
            ticker: calendar_name(exchange)
            for ticker, exchange in zip(tickers, pairs["exchange"].tolist(), strict=True)
        }
        #: (event id or ``"all events"``, window, covariance) -> the regression.
        self.fits = self._fits(table[table["window"].isin(shown)])
        members = pairs[(pairs["group"] != BASKETS_GROUP) & (pairs["status"] == "ok")]
        imposed = (members["model_used"] == "market-adjusted").tolist()
        #: Event id -> the securities whose beta the market-adjusted model imposes (not estimated).
        self.imposed_beta: dict[str, set[str]] = {}
        #: (event id, ticker) -> the pre-event beta as the regression reads it (NaN where imposed).
        self.betas: dict[tuple[str, str], float] = {}
        for event_id, ticker, beta, fixed in zip(
            members["event_id"].tolist(), members["ticker"].tolist(), members["beta"].tolist(), imposed, strict=True
        ):
            self.betas[(event_id, ticker)] = np.nan if fixed else beta
            if fixed:
                self.imposed_beta.setdefault(event_id, set()).add(ticker)
        self.cars, self.missing = self._cars(results, members, shown)
        self.volume = _keyed(
            results.volume[results.volume["window"].isin(shown)],
            ["event_id", "ticker", "window"],
            ["cav", "p_value", "reason", "days", "missing_days", "market_volume"],
        )
        self.volatility = _keyed(
            results.volatility[results.volatility["window"].isin(shown)],
            ["event_id", "ticker", "measure", "window"],
            ["ratio", "p_value", "reason", "days", "missing_days"],
        )
        self.bhar = _keyed(
            results.bhar,
            ["event_id", "ticker", "window"],
            ["bhar", "buy_and_hold_return", "benchmark_return", "reason", "start", "end"],
        )
        self.leads: dict[tuple[str, str, str, str], Lead] = {}
        self.tests: dict[str, list[tuple[object, ...]]] = {}
        self._tests(results.volume_tests, "volume", shown)
        for measure in ("ar_squared", "range"):
            tests = results.volatility_tests
            self._tests(tests[tests["measure"] == measure], measure, shown)
        self._tests(results.bhar_tests, "bhar", None)
        self.reasons = self._reasons(results, pairs, shown)
        self.garch = {str(ticker): rows for ticker, rows in results.garch.groupby("ticker", sort=False)}

    @staticmethod
    def _fits(table: pd.DataFrame) -> dict[tuple[str, str, str], Fit]:
        fits: dict[tuple[str, str, str], Fit] = {}
        coefficients: dict[tuple[str, str, str], dict[str, tuple[float, float, float, float, float]]] = {}
        names = ["event_id", "window", "cov_type", "term", "coef", "se", "ci_low", "ci_high", "p_value"]
        names += ["n", "dropped", "clusters", "r2", "adj_r2", "df", "note"]
        for row in _rows(table, names):
            event_id, window, cov, term, coef, se, low, high, p_value, n, dropped, clusters, r2, adj_r2, df, note = row
            key = (event_id, window, cov)
            if key not in coefficients:
                coefficients[key] = {}
                fits[key] = Fit(coefficients[key], int(n), int(dropped), clusters, r2, adj_r2, df, str(note))
            coefficients[key][term] = (coef, se, low, high, p_value)
        return fits

    @staticmethod
    def _cars(
        results: EventStudyResults, members: pd.DataFrame, shown: set[str]
    ) -> tuple[dict[tuple[str, str], list[tuple[str, float]]], dict[tuple[str, str], list[Missing]]]:
        """(event, window) -> the CAR of each estimable security (baskets aside) that has one, in the order of the
        pairs; and the securities without one, per market, with the sessions of the window without a return."""
        car = results.car[results.car["window"].isin(shown) & results.car["car"].notna()]
        found = _keyed(car, ["event_id", "ticker", "window"], ["car"])
        cars: dict[tuple[str, str], list[tuple[str, float]]] = {}
        without: dict[tuple[str, str, str], list[str]] = {}
        for event_id, ticker, market in zip(
            members["event_id"].tolist(), members["ticker"].tolist(), members["market"].tolist(), strict=True
        ):
            for window in shown:
                value = found.get((event_id, ticker, window))
                if value is None:
                    without.setdefault((event_id, window, market), []).append(ticker)
                else:
                    cars.setdefault((event_id, window), []).append((ticker, value[0]))
        # The sessions without a return of those securities, inside each window (extended for a span).
        pair_keys = list(zip(members["event_id"].tolist(), members["ticker"].tolist(), strict=True))
        extension = dict(zip(pair_keys, members["window_extension"].astype(int).tolist(), strict=True))
        market_of = dict(zip(pair_keys, members["market"].tolist(), strict=True))
        paths = results.ar
        gaps = paths[paths["ar"].isna() & paths["date"].notna()]
        dates: dict[tuple[str, str, str], set[str]] = {}
        bounds = {window: tuple(int(day) for day in window.strip("()").split(",")) for window in shown}
        gaps = gaps.assign(date=gaps["date"].dt.strftime("%Y-%m-%d"))
        for event_id, ticker, day, date in _rows(gaps, ("event_id", "ticker", "day", "date")):
            market = market_of.get((event_id, ticker))
            if market is None:
                continue
            for window, (first, last) in bounds.items():
                if first <= day <= last + extension[(event_id, ticker)]:
                    dates.setdefault((event_id, window, market), set()).add(date)
        missing: dict[tuple[str, str], list[Missing]] = {}
        for (event_id, window, market), tickers in sorted(without.items()):
            found_dates = tuple(sorted(dates.get((event_id, window, market), ())))
            missing.setdefault((event_id, window), []).append(Missing(market, tuple(tickers), found_dates))
        return cars, missing

    def _tests(self, tests: pd.DataFrame, measure: str, shown: set[str] | None) -> None:
        """Collect one table's sample tests of the events: the lead test of each sample (:attr:`leads`) and every
        row (:attr:`tests`, per event: group, measure, window, test, estimate, statistic, p, n, note)."""
        tests = tests[tests["scope"] == "event"]
        if shown is not None:
            tests = tests[tests["window"].isin(shown)]
        rank = {name: position for position, name in enumerate(LEAD_TESTS[measure])}
        names = ["event_id", "group", "window", "test", "estimate", "statistic", "p_value", "n", "note"]
        for event_id, group, window, test, estimate, statistic, p_value, n, note in _rows(tests, names):
            self.tests.setdefault(event_id, []).append(
                (group, measure, window, test, estimate, statistic, p_value, n, note)
            )
            key = (event_id, group, window, measure)
            if test not in rank or not np.isfinite(p_value):
                continue
            chosen = self.leads.get(key)
            if chosen is None or rank[test] < rank[chosen.test]:
                self.leads[key] = Lead(estimate, statistic, p_value, int(n), test)

    @staticmethod
    def _reasons(results: EventStudyResults, pairs: pd.DataFrame, shown: set[str]) -> dict[tuple[str, ...], str]:
        """(event, group, window, measure) -> the most common reason of the group's securities (every security,
        baskets aside, under ``all securities``); ``(..., "blank")`` -> how many have no value, and
        ``(..., "partial")`` -> how many have a value over fewer days than the window (a CAV or a volatility
        ratio)."""
        counted: dict[tuple[str, ...], Counter[str]] = {}
        tables = [
            (results.volume[results.volume["window"].isin(shown)], "volume", "cav"),
            (results.volatility[results.volatility["window"].isin(shown)], None, "ratio"),
            (results.bhar, "bhar", ""),
        ]
        for frame, measure, value in tables:
            measures = frame["measure"].tolist() if measure is None else [measure] * len(frame)
            partial = (frame[value].notna() & (frame["missing_days"] > 0)).tolist() if value else None
            rows = _rows(frame, ("event_id", "group", "window", "reason"))
            for position, (event_id, group, window, reason) in enumerate(rows):
                what = measures[position]
                reason = reason or ("partial" if partial is not None and partial[position] else "")
                if not reason:
                    continue
                for sample in (group, *([ALL_GROUPS] if group != BASKETS_GROUP else [])):
                    counted.setdefault((event_id, sample, window, what), Counter())[reason] += 1
        found: dict[tuple[str, ...], str] = {}
        for key, counter in counted.items():
            partial_count = counter.pop("partial", 0)
            if partial_count:
                found[(*key, "partial")] = str(partial_count)
            if counter:
                found[key] = counter.most_common(1)[0][0]
                found[(*key, "blank")] = str(sum(counter.values()))
        return found

    def fit(self, event_id: str, window: str, covariance: str) -> Fit | None:
        """The regression of one event (``"all events"``: pooled) over a window with a covariance, if any."""
        return self.fits.get((event_id, window, covariance))

    def covariances(self, event_id: str) -> list[str]:
        """The covariances of an event's (or the pooled) regressions, in the table's order."""
        return list(dict.fromkeys(cov for scope, _, cov in self.fits if scope == event_id))

    def with_car(self, event_id: str, window: str) -> list[str]:
        """The estimable securities of an event (baskets aside) with a CAR over the window."""
        return [ticker for ticker, _ in self.cars.get((event_id, window), [])]

    def in_regression(self, scope: str, window: str) -> list[str]:
        """The securities the regression of an event (``"all events"``: of any event) can have over the window: an
        estimable security with a CAR and, when the formula reads beta, an estimated one (the market-adjusted
        model imposes its beta). A security without a run-up or a user's characteristic may still be left out
        (the regression's ``dropped`` counts them)."""
        reads_beta = "beta" in self.terms
        events = [key for key in self.cars if key[1] == window] if scope == ALL_EVENTS else [(scope, window)]
        found: dict[str, None] = {}
        for key in events:
            imposed = self.imposed_beta.get(key[0], set()) if reads_beta else set()
            found |= {ticker: None for ticker, _ in self.cars.get(key, []) if ticker not in imposed}
        return list(found)
