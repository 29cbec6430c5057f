"""Market claims of the articles, checked against the price data with the engine's own returns and calendars.

A claims file is a CSV (UTF-8, with or without a BOM; comma-, semicolon- or tab-separated) with one row per claim:

==================  ========  ============================================================================
column              required  content
==================  ========  ============================================================================
``id``              yes       short unique slug, ``[a-z0-9-]+``
``event_id``        yes       the event of the events file the claim belongs to
``source``          yes       file name of the article the claim comes from
``quote``           yes       verbatim excerpt(s) of ``source``, joined by :data:`QUOTE_SEPARATOR`
``quote_en``        no        English gloss of the quote
``claim_type``      yes       one of :data:`CLAIM_TYPES`
``securities``      yes       what the claim is about, in words
``tickers``         no        ``;``-separated tickers measured (empty: see ``group`` and ``proxy_group``)
``group``           no        universe group measured as an equal-weighted basket (``return``, ``direction``)
``stated_window``   no        the dates or span as the article states them
``window``          no        the window measured (see below); needed by every type
``alternatives``    no        ``;``-separated other readings of the window, each checked and shown
``proxy_group``     no        universe group checked in place of securities that are not in the data
``comparison``      no        ``<=``, ``>=`` or ``about``; empty only for ``record``
``claimed_value``   no        the number claimed, in ``unit``; empty only for ``record``
``tolerance``       no        how far from ``claimed_value`` still counts (same unit; default 0)
``unit``            no        one of :data:`CLAIM_TYPES` [claim_type] (empty for ``record``)
``interpretation``  yes       how the phrase becomes a window and a number
``exchange``        no        MIC whose calendar counts the window when no measured security gives one
``value_source``    no        where the comparison data come from besides prices (e.g. ``shares.csv``)
==================  ========  ============================================================================

Windows
-------
``tau1,tau2`` counts sessions of each security's own exchange from the event's day 0, as the engine's event windows
do: the change from the close of day ``tau1 - 1`` to the close of day ``tau2`` (``0,0`` is the day-0 return).
``YYYY-MM-DD..YYYY-MM-DD`` is the change from the close of the first date to the close of the second (the last
session on or before each date). ``offer..YYYY-MM-DD`` runs from the security's IPO offer price
(``reference_prices.csv``) to the close of the date.

What the author could see
-------------------------
A claim is judged on what its author could see: with the article's date known (``sources.csv``, see
:mod:`eventstudy.claims.reference`), a reading whose window ends after it is marked ``after_article`` (what happened
later) and, for the stated reading, is not checkable until the window is fixed. Approximate phrases are read as the
article means them: "nearly doubled" (近翻倍) claims about 2x and is not contradicted by more than doubling, so it is
``>= 1.9`` with a tolerance, not ``about 2``; the interpretation column says how each phrase was read.

Measured values
---------------
``return``
    ``P_end / P_base - 1`` from adjusted closes (unit ``fraction``: -0.17 is a 17% fall); for a group, the compounded
    equal-weighted mean daily return of its members.
``price_ratio``
    ``P_end / P_base`` from adjusted closes (unit ``ratio``).
``direction``
    The longest run of consecutive sessions of the window on which the security (or the equal-weighted mean daily
    return of the basket) moved the claimed way (unit ``sessions up`` or ``sessions down``).
``market_cap_change``, ``market_cap_level``
    Market value = traded close times the latest share count as of that day (``shares.csv``, each count quoted from a
    filing; the adjusted close stands in, and the explanation says so, where the data have no traded close): its
    change from the base to the end of the window, or its level at the end. Without a share count as of a day the
    claim is not checkable, with the reason (eventstudy never estimates share counts).
``record``
    The security's market-value change over the window is the largest one-day loss of every security with share
    counts and the same currency, on every session up to the article's date (each day's value with the count as of
    that day): ``confirmed`` if none lost more, else ``contradicted`` naming the larger loss.

Verdicts
--------
With ``m`` the measured value, ``c`` the claimed value and ``t`` the tolerance:

* ``<=``: ``confirmed`` if ``m <= c``; ``approximately`` if ``c < m <= c + t``; else ``contradicted``.
* ``>=``: ``confirmed`` if ``m >= c``; ``approximately`` if ``c - t <= m < c``; else ``contradicted``.
* ``about``: ``confirmed`` if ``|m - c| <= t``; else ``contradicted``.
* ``not checkable``: no measured value (securities, prices or share counts not in the data), with the reason.

Tolerances follow the precision of the claimed number and of the data it needs (a share count known to 0.5% moves a
US$590bn loss by US$3bn); the interpretation says why. The verdict of a claim is that of its stated window;
alternatives and proxies get their own verdicts beside it. The abnormal return is the engine's: the sum of its ARs
over the window's days (the CAR), for one security and a window in event time inside the AR path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.calendars import CalendarError, calendar_name, calendar_names, offset_sessions, sessions
from eventstudy.claims.reference import ReferenceData, ReferencePrice, ShareCount
from eventstudy.events import QUOTE_SEPARATOR, Event, EventSet, EventValidationError
from eventstudy.prices import PriceChain, PriceSource, as_chain
from eventstudy.records import Problem, RecordsFileError, nonempty, read_records, text, to_id, to_tickers
from eventstudy.results import EventStudyResults
from eventstudy.returns import daily_returns
from eventstudy.spec import StudySpec, window_label
from eventstudy.study import EventStudy
from eventstudy.universe import Universe, load_universe

__all__ = [
    "CHECKED_COLUMNS",
    "CLAIM_TYPES",
    "COLUMNS",
    "COMPARISONS",
    "REQUIRED_COLUMNS",
    "VERDICTS",
    "Claim",
    "ClaimPath",
    "ClaimValidationError",
    "ClaimWindow",
    "ClaimsFileError",
    "ClaimsResult",
    "check_claims",
    "format_value",
    "load_claims",
]

COLUMNS = (
    "id",
    "event_id",
    "source",
    "quote",
    "quote_en",
    "claim_type",
    "securities",
    "tickers",
    "group",
    "stated_window",
    "window",
    "alternatives",
    "proxy_group",
    "comparison",
    "claimed_value",
    "tolerance",
    "unit",
    "interpretation",
    "exchange",
    "value_source",
)
REQUIRED_COLUMNS = ("id", "event_id", "source", "quote", "claim_type", "securities", "interpretation")
_CURRENCIES = ("USD", "HKD")
#: Claim type -> the units its value may be given in.
CLAIM_TYPES: dict[str, tuple[str, ...]] = {
    "return": ("fraction",),
    "price_ratio": ("ratio",),
    "direction": ("sessions up", "sessions down"),
    "market_cap_change": _CURRENCIES,
    "market_cap_level": _CURRENCIES,
    "record": ("",),
}
COMPARISONS = ("<=", ">=", "about")
VERDICTS = ("confirmed", "approximately", "contradicted", "not checkable")
_MARKET_VALUE_TYPES = ("market_cap_change", "market_cap_level", "record")
#: Claim types that may measure a universe group as an equal-weighted basket.
_GROUP_TYPES = ("return", "price_ratio", "direction")
#: Sessions shown on each side of a window in the price paths.
PATH_MARGIN = 5

#: Columns of :attr:`ClaimsResult.checked` (``claims_checked.csv``), one row per claim and reading of it.
CHECKED_COLUMNS: dict[str, str] = {
    "claim_id": "claim id (claims file)",
    "event_id": "event the claim belongs to (events file)",
    "source": "article the claim comes from",
    "claim_type": "return, price_ratio, direction, market_cap_change, market_cap_level or record",
    "securities": "what the claim is about, in words",
    "tickers": "securities measured (';'-separated; a group's members for a basket)",
    "variant": "'stated' (the claim's own reading, which sets its verdict), 'alternative' or 'proxy'",
    "window": "window measured: (tau1,tau2) in sessions from day 0, start..end dates, or offer..end",
    "after_article": "whether the window ends after the article's date (sources.csv): what happened later, not what "
    "the author could see",
    "reading": "how this row reads the claim (the interpretation for 'stated')",
    "base_date": "session whose close the change is measured from",
    "end_date": "session whose close the change is measured to",
    "sessions": "sessions in the window (after base_date, through end_date)",
    "comparison": "<=, >= or about",
    "claimed_value": "the number claimed, in unit",
    "tolerance": "how far from claimed_value still counts, in unit",
    "unit": "fraction (0.01 = 1%), ratio, sessions up/down, or a currency",
    "measured_value": "the measured value, in unit (empty when not checkable)",
    "miss": "how far measured_value falls short of the claim taken literally, in unit (0 when it holds)",
    "raw_return": "price change over the window from adjusted closes, as a fraction (basket: compounded mean)",
    "benchmark": "the security's benchmark (universe)",
    "benchmark_return": "the benchmark's return over the same closes, as a fraction",
    "abnormal_return": "the engine's CAR over the window (sum of its ARs), as a fraction",
    "model": "normal-return model behind abnormal_return (the engine's fallback when it used one)",
    "value_source": "where a market value's share counts (and an offer price) come from: file, form, date, URL",
    "verdict": "confirmed, approximately, contradicted or not checkable (rules in eventstudy.claims)",
    "explanation": "the verdict in words: measured against claimed, the shortfall, the reason when not checkable",
}

_DATE_WINDOW = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
_OFFER_WINDOW = re.compile(r"offer\.\.(\d{4}-\d{2}-\d{2})")


class ClaimValidationError(EventValidationError):
    """A :class:`Claim` that breaks the rules of the claims format; ``problems`` lists all."""


class ClaimsFileError(RecordsFileError):
    """A claims file that cannot be loaded; ``problems`` lists every problem found, one per line of the message."""


# -- windows ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimWindow:
    """A window of a claim: ``offsets`` in sessions from day 0, ``dates`` (closes from and to), or from the IPO
    offer price to the close of ``offer``."""

    offsets: tuple[int, int] | None = None
    dates: tuple[dt.date, dt.date] | None = None
    offer: dt.date | None = None

    @classmethod
    def parse(cls, text: str) -> ClaimWindow:
        """``"0,3"``, ``"2025-01-28..2025-02-14"`` or ``"offer..2026-02-12"``.

        Raises
        ------
        ValueError
            If the text is none of these, or the window ends before it starts.
        """
        text = text.replace(" ", "")
        offer = _OFFER_WINDOW.fullmatch(text)
        if offer:
            try:
                return cls(offer=dt.date.fromisoformat(offer.group(1)))
            except ValueError:
                raise ValueError("holds a date that is not a calendar date") from None
        found = _DATE_WINDOW.fullmatch(text)
        if found:
            try:
                first, last = (dt.date.fromisoformat(part) for part in found.groups())
            except ValueError:
                raise ValueError("holds a date that is not a calendar date") from None
            if first >= last:
                raise ValueError("must start before it ends")
            return cls(dates=(first, last))
        try:
            tau1, tau2 = (int(part) for part in text.split(","))
        except ValueError:
            raise ValueError(
                "must be 'tau1,tau2' (sessions from day 0), 'YYYY-MM-DD..YYYY-MM-DD' or 'offer..YYYY-MM-DD'"
            ) from None
        if tau1 > tau2:
            raise ValueError("must start before it ends (tau1 <= tau2)")
        return cls(offsets=(tau1, tau2))

    def __str__(self) -> str:
        if self.offsets is not None:
            return window_label(self.offsets)
        if self.offer is not None:
            return f"offer..{self.offer}"
        assert self.dates is not None
        return f"{self.dates[0]}..{self.dates[1]}"

    def closes(
        self, event: Event, exchange: str, offer_day: dt.date | None = None
    ) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The sessions of ``exchange`` whose closes the window runs from and to (for a window from the offer price,
        ``offer_day``, the day of that price, stands for the base).

        Raises
        ------
        CalendarError
            If the window reaches outside the sessions of the exchange's calendar.
        UndatedEventError
            For a window in sessions from day 0 of an undated event.
        """
        if self.offsets is not None:
            base, end = offset_sessions(exchange, event.day_zero(exchange), [self.offsets[0] - 1, self.offsets[1]])
            return base, end
        if self.offer is not None:
            if offer_day is None:
                raise ValueError("a window from the offer price needs the offer price's day")
            return pd.Timestamp(offer_day), _session_on_or_before(exchange, self.offer)
        assert self.dates is not None
        base, end = (_session_on_or_before(exchange, day) for day in self.dates)
        return base, end


def _session_on_or_before(exchange: str, day: dt.date) -> pd.Timestamp:
    """The last session of ``exchange`` on or before ``day``; a :class:`CalendarError` for a day before the first
    session of its calendar or after the last."""
    calendar = sessions(exchange)
    first, last = calendar[0].date(), calendar[-1].date()
    if not first <= day <= last:
        raise CalendarError(
            f"{day} is outside the {exchange} calendar (sessions {first} .. {last}; exchange_calendars knows sessions "
            "only about a year ahead)"
        )
    return calendar[calendar.searchsorted(pd.Timestamp(day), side="right") - 1]


def _to_window(value: object) -> ClaimWindow | None:
    if value is None or isinstance(value, ClaimWindow):
        return value
    return ClaimWindow.parse(text(value)) if text(value).strip() else None


def _to_windows(value: object) -> tuple[ClaimWindow, ...]:
    items = value.split(";") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise ValueError("must be ';'-separated windows, or a list of them")
    return tuple(window for window in map(_to_window, items) if window is not None)


def _to_number(value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str | int | float):
        raise ValueError("must be a number, e.g. -0.17 or 589e9")
    try:
        number = float(value)
    except ValueError:
        raise ValueError("must be a number, e.g. -0.17 or 589e9") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def _to_tolerance(value: object) -> float:
    number = _to_number(value)
    if number is not None and number < 0:
        raise ValueError("must not be negative")
    return 0.0 if number is None else number


def _to_exchange(value: object) -> str:
    code = text(value)
    if code and code not in calendar_names():
        raise ValueError("is not an exchange code exchange_calendars knows, e.g. XNYS or XSHG")
    return code


def _one_of(choices: Sequence[str]) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if not isinstance(value, str) or value not in choices:
            raise ValueError(f"must be one of {', '.join(repr(choice) for choice in choices)}")
        return value

    return parse


_PARSERS: dict[str, Callable[[object], object]] = {
    "id": to_id,
    "event_id": to_id,
    "source": nonempty,
    "quote": nonempty,
    "quote_en": text,
    "claim_type": _one_of(tuple(CLAIM_TYPES)),
    "securities": nonempty,
    "tickers": to_tickers,
    "group": text,
    "stated_window": text,
    "window": _to_window,
    "alternatives": _to_windows,
    "proxy_group": text,
    "comparison": _one_of(("", *COMPARISONS)),
    "claimed_value": _to_number,
    "tolerance": _to_tolerance,
    "unit": text,
    "interpretation": nonempty,
    "exchange": _to_exchange,
    "value_source": text,
}


# -- claims -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One checkable market claim of an article (the fields are the columns of the claims file).

    Constructing a claim validates it and raises :class:`ClaimValidationError` listing every problem. Text is
    accepted for ``tickers`` (``;``-separated), ``window``, ``alternatives`` and the numbers.
    """

    id: str
    event_id: str
    source: str
    quote: str
    quote_en: str = ""
    claim_type: str
    securities: str
    tickers: tuple[str, ...] = ()
    group: str = ""
    stated_window: str = ""
    window: ClaimWindow | None = None
    alternatives: tuple[ClaimWindow, ...] = ()
    proxy_group: str = ""
    comparison: str = ""
    claimed_value: float | None = None
    tolerance: float = 0.0
    unit: str = ""
    interpretation: str
    exchange: str = ""
    value_source: str = ""

    def __post_init__(self) -> None:
        problems = []
        for name, parse in _PARSERS.items():
            raw = getattr(self, name)
            try:
                object.__setattr__(self, name, parse(raw))
            except ValueError as exc:
                problems.append(Problem(str(exc), name, str(raw)))
        failed = {problem.column for problem in problems}
        problems += [Problem(reason, column, value) for column, value, reason in self._rules() if column not in failed]
        if problems:
            raise ClaimValidationError(problems, f"claim {self.id!r}")

    def _rules(self) -> Iterable[tuple[str, str, str]]:
        """(column, value, reason) of every broken rule that ties columns together."""
        kind = self.claim_type
        if kind not in CLAIM_TYPES:
            return
        if self.unit not in CLAIM_TYPES[kind]:
            units = ", ".join(repr(unit) for unit in CLAIM_TYPES[kind])
            yield "unit", self.unit, f"a {kind} claim is given in {units}"
        if kind == "record":
            if self.comparison or self.claimed_value is not None:
                yield "comparison", self.comparison, "a record claim has no comparison or claimed value"
        elif not self.comparison or self.claimed_value is None:
            yield "claimed_value", str(self.claimed_value or ""), f"a {kind} claim needs a comparison and a value"
        if self.window is None:
            yield "window", "", f"a {kind} claim needs a window to measure"
        if self.alternatives and self.window is None:
            yield "alternatives", "", "alternatives need a stated window"
        if len(self.tickers) > 1 and kind != "direction":
            yield "tickers", ";".join(self.tickers), f"a {kind} claim is about one security, or a universe group"
        if self.group and kind not in _GROUP_TYPES:
            yield "group", self.group, f"a group is measured for {', '.join(_GROUP_TYPES)} claims only"
        if self.group and self.tickers:
            yield "group", self.group, "give tickers or a group, not both"
        windows = (self.window, *self.alternatives)
        offers = [window for window in windows if isinstance(window, ClaimWindow) and window.offer is not None]
        if offers and (kind not in ("return", "price_ratio", "market_cap_change") or len(self.tickers) != 1):
            yield "window", str(offers[0]), "a window from the offer price measures one security's price or value"

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> Claim:
        """Build a claim from one row of a claims file (text values)."""
        return cls(**{column: record.get(column, "") for column in COLUMNS})  # type: ignore[arg-type]  # text cells; __post_init__ parses them

    @property
    def quotes(self) -> tuple[str, ...]:
        """The verbatim excerpts of ``quote`` (it may join several with :data:`QUOTE_SEPARATOR`)."""
        return tuple(self.quote.split(QUOTE_SEPARATOR))

    @property
    def readings(self) -> list[tuple[str, ClaimWindow | None, str]]:
        """``(variant, window, group)`` of every reading checked: the stated one, the alternatives, the proxy."""
        rows: list[tuple[str, ClaimWindow | None, str]] = [("stated", self.window, self.group)]
        rows += [("alternative", window, self.group) for window in self.alternatives]
        if self.proxy_group:
            rows.append(("proxy", self.window, self.proxy_group))
        return rows


def load_claims(
    path: str | Path, events: EventSet | None = None, universe: Universe | None = None
) -> tuple[Claim, ...]:
    """Load and validate a claims file.

    Parameters
    ----------
    path
        CSV file in the format of this module's docstring.
    events
        The events the claims belong to: every ``event_id`` must be one of them, a window in sessions from day 0
        needs an event dated to the day, and every window must lie inside the sessions of the calendar it is
        counted on (that of the securities measured, or of ``exchange``).
    universe
        The securities registry that places the securities measured on their calendars (default: the packaged
        universe; only read with ``events``).

    Returns
    -------
    tuple of Claim
        The claims in file order.

    Raises
    ------
    ClaimsFileError
        Listing every problem as ``file:row: column 'x': value 'v': reason`` (header = row 1).
    OSError
        If the file cannot be read.
    """
    name = str(path)
    records, problems = read_records(path, COLUMNS, REQUIRED_COLUMNS, unknown_columns=False)
    missing = {problem.column for problem in problems if problem.row == 1}
    claims = []
    if events is not None and universe is None:
        universe = load_universe()
    for row, record in records:
        try:
            claim = Claim.from_record(record)
        except ClaimValidationError as exc:
            problems += [dataclasses.replace(p, file=name, row=row) for p in exc.problems if p.column not in missing]
            continue
        claims.append(claim)
        if events is None or universe is None:
            continue
        if claim.event_id not in events:
            problems.append(Problem("no event with this id in the events file", "event_id", claim.event_id, name, row))
            continue
        event = events[claim.event_id]
        if event.date_precision in ("month", "undated") and any(
            window is not None and window.offsets is not None for _, window, _ in claim.readings
        ):
            dated = "dated only to a month" if event.date_precision == "month" else "undated"
            reason = f"the event is {dated}: give the window as dates, YYYY-MM-DD..YYYY-MM-DD"
            problems.append(Problem(reason, "window", str(claim.window), name, row))
        else:
            problems += [dataclasses.replace(p, file=name, row=row) for p in _calendar_problems(claim, event, universe)]
    if problems:
        raise ClaimsFileError(path, problems)
    return tuple(claims)


def _measured(claim: Claim, group: str, universe: Universe) -> tuple[list[str], str]:
    """Tickers a reading of ``claim`` measures (the members of ``group``, else its tickers), or the reason there are
    none."""
    if group:
        chosen = [security.ticker for security in universe if security.group == group]
        return chosen, "" if chosen else f"not checkable: the universe has no group {group!r}"
    if not claim.tickers:
        return [], f"not checkable: {claim.securities} are not in the data"
    unknown = [ticker for ticker in claim.tickers if ticker not in universe]
    if unknown:
        return [], f"not checkable: {', '.join(unknown)} not in the universe (no prices)"
    return list(claim.tickers), ""


def _calendar_problems(claim: Claim, event: Event, universe: Universe) -> list[Problem]:
    """The windows of ``claim``'s readings that reach outside the sessions of a calendar they are counted on (that of
    the securities measured, or of its ``exchange``), one problem per window."""
    problems: dict[Problem, None] = {}
    for variant, window, group in claim.readings:
        if window is None:
            continue
        tickers, _ = _measured(claim, group, universe)
        exchanges = {universe.exchange_of(ticker) for ticker in tickers} or {claim.exchange} - {""}
        for exchange in sorted(exchanges):
            try:
                window.closes(event, exchange, window.offer)  # the offer's own day needs no session
            except CalendarError as exc:
                column = "alternatives" if variant == "alternative" else "window"
                problems[Problem(str(exc), column, str(window))] = None
                break
    return list(problems)


# -- checking ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimPath:
    """The price path of a claim's stated reading, for its chart.

    ``series`` is the adjusted close of one security (or a basket index, 1 at ``base``) from a few sessions before
    the window to a few after; ``level`` and ``band`` are the claimed close and its tolerance band in the same units
    (``None`` where the claim is not a price level).
    """

    series: pd.Series
    label: str
    base: pd.Timestamp
    end: pd.Timestamp
    level: float | None = None
    band: tuple[float, float] | None = None


@dataclass
class ClaimsResult:
    """What :func:`check_claims` returns.

    Attributes
    ----------
    claims
        The claims checked, in file order.
    checked
        Tidy table, one row per (claim, reading); columns documented in :data:`CHECKED_COLUMNS`.
    paths
        Claim id -> :class:`ClaimPath` of the stated reading (claims without prices have none).
    source_file
        The claims file, when loaded from one (recorded in ``run.json``).
    """

    claims: tuple[Claim, ...]
    checked: pd.DataFrame
    paths: dict[str, ClaimPath]
    source_file: str | None = None

    @property
    def stated(self) -> pd.DataFrame:
        """The rows of the stated readings, one per claim, indexed by claim id."""
        return self.checked[self.checked["variant"] == "stated"].set_index("claim_id")

    def verdict_counts(self) -> dict[str, int]:
        """Claims per verdict (stated readings), every verdict listed."""
        counts = self.stated["verdict"].value_counts()
        return {verdict: int(counts.get(verdict, 0)) for verdict in VERDICTS}

    def summary(self) -> dict[str, object]:
        """What ``run.json`` records: the file and its hash, the verdict counts and each claim's stated result."""
        keys = ["event_id", "verdict", "comparison", "claimed_value", "measured_value", "unit", "raw_return"]
        keys += ["abnormal_return", "explanation"]
        summary: dict[str, object] = {"file": self.source_file}
        if self.source_file is not None and Path(self.source_file).is_file():
            summary["sha256"] = hashlib.sha256(Path(self.source_file).read_bytes()).hexdigest()
        summary["verdicts"] = self.verdict_counts()
        summary["claims"] = {
            claim_id: {key: _json_value(row[key]) for key in keys} for claim_id, row in self.stated.iterrows()
        }
        return summary

    def to_csv(self, path: str | Path) -> Path:
        """Write :attr:`checked` (``claims_checked.csv``: UTF-8, ``\\n`` line ends, ISO dates)."""
        path = Path(path)
        self.checked.to_csv(path, index=False, float_format="%.10g", lineterminator="\n", date_format="%Y-%m-%d")
        return path


def _json_value(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def format_value(value: float, unit: str, signed: bool = True) -> str:
    """A value in its unit as a reader reads it: ``-16.97%``, ``2.32x``, ``3 sessions up``, ``US$589bn``."""
    if not math.isfinite(value):
        return "n/a"
    if unit == "fraction":
        return f"{100 * value:+.2f}%" if signed else f"{100 * value:.2f}%"
    if unit == "ratio":
        return f"{value:.2f}x"
    if unit.startswith("sessions"):
        return f"{value:.0f} session{'' if value == 1 else 's'} {unit.split()[-1]}"
    symbol = {"USD": "US$", "HKD": "HK$"}.get(unit, f"{unit} ")
    sign = "-" if value < 0 else "+" if signed and value > 0 else ""
    return f"{sign}{symbol}{abs(value) / 1e9:,.1f}bn"


def _distance(value: float, unit: str) -> str:
    """A difference in the claim's unit: percentage points for returns."""
    if unit == "fraction":
        return f"{100 * value:.2f} points"
    if unit == "ratio":
        return f"{value:.2f}"
    return format_value(value, unit, signed=False)


def verdict_of(comparison: str, claimed: float, tolerance: float, measured: float) -> tuple[str, float]:
    """The verdict of a measured value against a claim (rules in the module docstring) and the miss: how far the
    measured value falls short of the claim taken literally (0 when it holds; ``about``: the distance)."""
    slack = 1e-12 * max(1.0, abs(claimed))
    if comparison == "<=":
        miss = max(0.0, measured - claimed)
    elif comparison == ">=":
        miss = max(0.0, claimed - measured)
    else:
        miss = abs(measured - claimed)
        return ("confirmed" if miss <= tolerance + slack else "contradicted"), miss
    if miss <= slack:
        return "confirmed", 0.0
    return ("approximately" if miss <= tolerance + slack else "contradicted"), miss


def _explain(claim: Claim, verdict: str, measured: float, miss: float) -> str:
    unit, tolerance = claim.unit, claim.tolerance
    said = f"claimed {claim.comparison} {format_value(claim.claimed_value or 0.0, unit)}"
    allowed = f", tolerance {_distance(tolerance, unit)}" if tolerance else ""
    head = f"measured {format_value(measured, unit)} ({said}{allowed})"
    if claim.comparison == "about":
        if verdict == "confirmed":
            return f"{head}: {_distance(miss, unit)} from the claimed value, within the tolerance"
        return f"{head}: {_distance(miss, unit)} from the claimed value, beyond the tolerance"
    if verdict == "confirmed":
        return f"{head}: the claim holds as stated"
    if verdict == "approximately":
        return f"{head}: {_distance(miss, unit)} short, so not literally true, but within the tolerance"
    return f"{head}: {_distance(miss, unit)} short, beyond the tolerance"


@dataclass
class _Measurement:
    """One reading measured: the closes, the value, the raw change, and what the explanation adds."""

    base: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    sessions: int = 0
    value: float = math.nan
    raw: float = math.nan
    reason: str = ""
    detail: str = ""
    path: pd.Series | None = None
    value_source: str = ""
    beaten_by: str = ""


def _longest_run(signs: np.ndarray) -> tuple[int, int]:
    """Length and end position of the longest run of True."""
    best, end, run = 0, -1, 0
    for position, hit in enumerate(signs):
        run = run + 1 if hit else 0
        if run > best:
            best, end = run, position
    return best, end


def _cited(count: ShareCount) -> str:
    return f"{count.shares:,.0f} shares as of {count.as_of} ({count.form}, {count.url})"


class _Checker:
    """Measures the readings of claims on one price chain, one table of engine ARs and the reference data."""

    def __init__(
        self,
        events: EventSet,
        universe: Universe,
        chain: PriceChain,
        ar: pd.DataFrame,
        pairs: pd.DataFrame,
        reference: ReferenceData,
    ) -> None:
        self.events = events
        self.universe = universe
        self.chain = chain
        self.reference = reference
        self.ar = ar.set_index(["event_id", "ticker", "day"])["ar"] if not ar.empty else pd.Series(dtype=float)
        self.pairs = pairs.set_index(["event_id", "ticker"]) if not pairs.empty else pairs
        self.frames: dict[str, pd.DataFrame] = {}

    def members(self, claim: Claim, group: str) -> tuple[list[str], str]:
        """Tickers measured for a reading, or the reason there are none."""
        return _measured(claim, group, self.universe)

    def frame(self, ticker: str) -> pd.DataFrame:
        """Every price of ``ticker`` the chain has (loaded once)."""
        if ticker not in self.frames:
            self.frames[ticker] = self.chain.load([ticker]).frames[ticker]
        return self.frames[ticker]

    def close(self, ticker: str) -> pd.Series:
        """Adjusted closes of ``ticker``."""
        return self.frame(ticker)["adj_close"]

    def window_end(self, claim: Claim, window: ClaimWindow, tickers: list[str]) -> pd.Timestamp | None:
        """The last session a reading's window reaches (on the calendar of its securities, or of ``exchange``)."""
        exchanges = [self.universe.exchange_of(ticker) for ticker in tickers] or [claim.exchange]
        exchange = exchanges[0]
        if not exchange:
            return None
        offer = self.reference.offer_price(tickers[0]) if len(tickers) == 1 else None
        try:
            return window.closes(self.events[claim.event_id], exchange, None if offer is None else offer.date)[1]
        except ValueError:
            return None

    def measure(self, claim: Claim, window: ClaimWindow | None, tickers: list[str]) -> _Measurement:
        """The closes, raw change and measured value of one reading (``reason`` says why one is missing)."""
        if window is None:
            return _Measurement(reason="no window to measure")
        calendars = {calendar_name(self.universe.exchange_of(ticker)) for ticker in tickers}
        if len(calendars) > 1:
            return _Measurement(reason="not checkable: the securities trade on different calendars")
        exchange = calendars.pop()
        offer = self.reference.offer_price(tickers[0]) if window.offer is not None else None
        if window.offer is not None and offer is None:
            return _Measurement(reason=f"not checkable: no IPO offer price of {tickers[0]} in reference_prices.csv")
        base, end = window.closes(self.events[claim.event_id], exchange, None if offer is None else offer.date)
        if base > end:  # an offer price dated after the window's end (reference_prices.csv)
            return _Measurement(reason=f"not checkable: the offer price's day {base.date()} is after {end.date()}")
        days = sessions(exchange, base, end)
        first = offset_sessions(exchange, days[0], [-PATH_MARGIN], clip=True)[0]
        shown = sessions(exchange, first, None)[: len(days) + 2 * PATH_MARGIN]
        found = _Measurement(base=base, end=end, sessions=len(days) - 1)
        daily = pd.DataFrame({t: daily_returns(self.close(t).to_frame(), exchange) for t in tickers}).reindex(shown)
        inside = daily.loc[days[1:]].mean(axis=1, skipna=True)
        if len(tickers) == 1:
            close = self.close(tickers[0])
            if offer is not None:
                # From the offer price: the traded close at the end (an IPO's adjusted close is its close until a
                # dividend or split).
                traded = self._traded_close(tickers[0], end)
                if traded is None:
                    found.reason = f"not checkable: no price of {tickers[0]} on {end.date()}"
                    return found
                found.raw = float(traded[0] / offer.price - 1.0)
                found.value_source = f"offer price {offer.currency} {offer.price:g} ({offer.source}, {offer.url})"
            else:
                missing = [str(day.date()) for day in (base, end) if not np.isfinite(close.get(day, np.nan))]
                if missing:
                    found.reason = f"not checkable: no price of {tickers[0]} on {' and '.join(missing)}"
                    return found
                found.raw = float(close[end] / close[base] - 1.0)
            found.path = close.reindex(shown).dropna()
        else:
            gaps = ", ".join(str(day.date()) for day in inside.index[inside.isna()])
            if gaps and claim.claim_type != "direction":
                found.reason = f"not checkable: no member has a return on {gaps} (sessions of the window)"
                return found
            found.raw = float(np.prod(1.0 + inside.to_numpy()) - 1.0) if not gaps else math.nan
            index = (1.0 + daily.mean(axis=1, skipna=True).fillna(0.0)).cumprod()
            found.path = index / index[base]
        if claim.claim_type == "return":
            found.value = found.raw
        elif claim.claim_type == "price_ratio":
            found.value = 1.0 + found.raw
        elif claim.claim_type == "direction":
            found.value, found.detail = _direction(claim.unit == "sessions up", inside, daily.loc[days[1:]])
            if inside.isna().any():
                # A session without a return breaks every run through it: the runs found are lower bounds, enough to
                # confirm "at least", never to deny it.
                gaps = ", ".join(str(day.date()) for day in inside.index[inside.isna()])
                found.detail += f"; no return on {gaps}, so runs through those sessions are unknown"
                if claim.comparison != ">=" or found.value < (claim.claimed_value or 0.0):
                    found.reason = f"not checkable: no return on {gaps}, and a run through them could change it"
                    found.value = math.nan
        elif claim.claim_type in _MARKET_VALUE_TYPES:
            self._market_value(claim, tickers[0], found, offer)
        return found

    def _traded_close(self, ticker: str, day: pd.Timestamp) -> tuple[float, str] | None:
        """The traded close of ``ticker`` on ``day``, or the adjusted one with a note where the data have none."""
        row = self.frame(ticker).loc[day] if day in self.frame(ticker).index else None
        if row is None:
            return None
        if np.isfinite(row["close"]):
            return float(row["close"]), ""
        if np.isfinite(row["adj_close"]):
            return float(row["adj_close"]), f"the data hold no traded close of {ticker}, so its adjusted close is used"
        return None

    def market_value(self, ticker: str, day: pd.Timestamp) -> tuple[float, ShareCount, str] | str:
        """Close times the latest share count as of ``day``, the count, and a note; or the reason there is none."""
        count = self.reference.shares_as_of(ticker, day.date())
        if count is None:
            return f"not checkable: no share count of {ticker} as of {day.date()} in shares.csv"
        traded = self._traded_close(ticker, day)
        if traded is None:
            return f"not checkable: no price of {ticker} on {day.date()}"
        return traded[0] * count.shares, count, traded[1]

    def _market_value(self, claim: Claim, ticker: str, found: _Measurement, offer: ReferencePrice | None) -> None:
        """Fill ``found`` with the market value (level, change or record) of one reading."""
        assert found.base is not None and found.end is not None
        end = self.market_value(ticker, found.end)
        if isinstance(end, str):
            found.reason = end
            return
        notes = [end[2]] if end[2] else []
        cited = [f"{ticker}: {_cited(end[1])}"]
        if claim.claim_type == "market_cap_level":
            found.value = end[0]
        else:
            if offer is not None:
                count = self.reference.shares_as_of(ticker, offer.date)
                if count is None:
                    found.reason = f"not checkable: no share count of {ticker} as of {offer.date} in shares.csv"
                    return
                base_value = offer.price * count.shares
                cited.insert(0, f"at the offer: {_cited(count)}")
            else:
                base = self.market_value(ticker, found.base)
                if isinstance(base, str):
                    found.reason = base
                    return
                base_value = base[0]
                if base[1] != end[1]:
                    cited.insert(0, f"at the base: {_cited(base[1])}")
            found.value = end[0] - base_value
            if claim.claim_type == "record":
                self._record(claim, ticker, found)
        found.value_source = "; ".join([*cited, *([found.value_source] if found.value_source else [])])
        if notes:
            found.detail = "; ".join(notes + ([found.detail] if found.detail else []))

    def _record(self, claim: Claim, ticker: str, found: _Measurement) -> None:
        """Compare a one-day market-value loss with every other one-day loss of the securities with share counts
        and the same currency, up to the article's date."""
        assert found.end is not None
        currency = self.universe.security(ticker).currency
        last = self.reference.published(claim.source)
        losses = []
        for other in sorted(self.reference.shares):
            if other not in self.universe or self.universe.security(other).currency != currency:
                continue
            frame = self.frame(other)
            traded = frame["close"].where(np.isfinite(frame["close"]), frame["adj_close"]).dropna()
            counts = self.reference.shares[other]
            as_of = np.searchsorted([pd.Timestamp(count.as_of) for count in counts], traded.index, side="right") - 1
            values = pd.Series(
                np.where(as_of >= 0, traded.to_numpy() * np.array([counts[k].shares for k in as_of]), np.nan),
                index=traded.index,
            ).dropna()
            change = values.diff().dropna()
            if last is not None:
                change = change[change.index <= pd.Timestamp(last)]
            change = change.drop(index=[found.end] if other == ticker else [], errors="ignore")
            if not change.empty:
                losses.append((float(change.min()), other, change.idxmin()))
        if not losses:
            found.detail = f"no other security with share counts in {currency} to compare with"
            return
        worst = min(losses)
        found.detail = (
            f"the largest other one-day loss among {len(losses)} securities with share counts in {currency}"
            + (f" up to the article's date {last}" if last is not None else "")
            + f": {worst[1]} on {worst[2].date()}, {format_value(worst[0], currency)}"
        )
        if worst[0] <= found.value:
            found.beaten_by = found.detail

    def abnormal(self, claim: Claim, window: ClaimWindow | None, tickers: list[str]) -> tuple[float, str, str]:
        """The engine's CAR over the window, its model, and why it is missing (one security, event time only)."""
        if window is None or window.offsets is None or len(tickers) != 1:
            return math.nan, "", ""
        key = (claim.event_id, tickers[0])
        if key not in self.pairs.index:
            return math.nan, "", "the engine has no AR for this security and event"
        pair = self.pairs.loc[key]
        model = str(pair.get("model_used", pair["model"]))
        if pair["status"] != "ok":
            return math.nan, model, f"the model is not estimable ({pair['reason']})"
        tau1, tau2 = window.offsets
        values = np.array([self.ar.get((*key, day), np.nan) for day in range(tau1, tau2 + 1)], dtype=float)
        if not np.isfinite(values).all():
            return math.nan, model, "a day of the window has no AR (outside the AR path, or a missing price)"
        return float(values.sum()), model, ""

    def benchmark(self, tickers: list[str], measured: _Measurement) -> tuple[str, float]:
        """The benchmark of a single security and its return over the same closes."""
        if len(tickers) != 1 or measured.base is None:
            return "", math.nan
        benchmark = self.universe.security(tickers[0]).benchmark or ""
        if not benchmark:
            return "", math.nan
        close = self.close(benchmark)
        return benchmark, float(close.get(measured.end, np.nan) / close.get(measured.base, np.nan) - 1.0)


def _direction(up: bool, basket: pd.Series, daily: pd.DataFrame) -> tuple[float, str]:
    """Longest run of sessions moving the claimed way, and the counts behind it."""
    signs = (basket > 0) if up else (basket < 0)
    run, last = _longest_run(signs.to_numpy())
    way = "rose" if up else "fell"
    who = "the basket" if daily.shape[1] > 1 else str(daily.columns[0])
    detail = f"{who} {way} on {int(signs.sum())} of {len(basket)} sessions"
    if run:
        detail += f" (longest run {basket.index[last - run + 1].date()}..{basket.index[last].date()})"
    if daily.shape[1] > 1:
        window_return = daily.add(1.0).prod(axis=0, min_count=1) - 1.0
        moved = int((window_return > 0).sum() if up else (window_return < 0).sum())
        detail += f"; {moved} of {daily.shape[1]} members {way} over the window"
    return float(run), detail


def _reading_text(claim: Claim, variant: str, window: ClaimWindow | None, group: str) -> str:
    if variant == "stated":
        return claim.interpretation
    if variant == "proxy":
        return f"proxy: the universe group {group!r} in place of {claim.securities} (does not set the verdict)"
    assert window is not None
    if window.offsets is not None:
        tau1, tau2 = window.offsets
        return f"alternative: sessions {tau1:+d}..{tau2:+d} from day 0, from the close of day {tau1 - 1:+d}"
    if window.offer is not None:
        return f"alternative: from the offer price to the close of {window.offer}"
    assert window.dates is not None
    return f"alternative: from the close of {window.dates[0]} to the close of {window.dates[1]}"


def _row(checker: _Checker, claim: Claim, variant: str, window: ClaimWindow | None, group: str) -> dict:
    tickers, reason = checker.members(claim, group)
    measured = checker.measure(claim, window, tickers) if tickers else _Measurement(reason=reason)
    benchmark, benchmark_return = checker.benchmark(tickers, measured)
    abnormal, model, abnormal_note = checker.abnormal(claim, window, tickers)
    published = checker.reference.published(claim.source)
    end = measured.end if measured.end is not None else (checker.window_end(claim, window, tickers) if window else None)
    after = published is not None and end is not None and end.date() > published
    miss = math.nan
    if variant == "stated" and after and end is not None:
        verdict = "not checkable"
        explanation = (
            f"the stated window ends on {end.date()}, after the article's date {published} (sources.csv): a claim is "
            "judged on what its author could see, so the window must end on or before it"
        )
    elif claim.claim_type == "record" and math.isfinite(measured.value):
        currency = checker.universe.security(tickers[0]).currency
        loss = format_value(measured.value, currency)
        verdict = "contradicted" if measured.beaten_by else "confirmed"
        explanation = f"measured {loss}: " + ("not the largest loss" if measured.beaten_by else "the largest loss")
    elif math.isfinite(measured.value):
        verdict, miss = verdict_of(claim.comparison, claim.claimed_value or 0.0, claim.tolerance, measured.value)
        explanation = _explain(claim, verdict, measured.value, miss)
    else:
        verdict, explanation = "not checkable", measured.reason or "not checkable"
    extras = [measured.detail] if measured.detail else []
    if math.isfinite(measured.raw) and claim.claim_type in _MARKET_VALUE_TYPES:
        extras.append(f"the price changed {format_value(measured.raw, 'fraction')}")
    if benchmark and math.isfinite(benchmark_return):
        extras.append(f"{benchmark} {format_value(benchmark_return, 'fraction')}")
    if math.isfinite(abnormal):
        extras.append(f"abnormal return {format_value(abnormal, 'fraction')} against {benchmark} ({model} model)")
    elif abnormal_note:
        extras.append(f"no abnormal return: {abnormal_note}")
    if measured.base is not None and measured.end is not None:
        start = "the offer" if window is not None and window.offer else f"close {measured.base.date()}"
        extras.insert(0, f"{start} to close {measured.end.date()}")
    if after and variant != "stated":
        extras.insert(0, f"ends after the article's date {published}: what happened later, not what the author saw")
    return {
        "claim_id": claim.id,
        "event_id": claim.event_id,
        "source": claim.source,
        "claim_type": claim.claim_type,
        "securities": claim.securities,
        "tickers": ";".join(tickers),
        "variant": variant,
        "window": "" if window is None else str(window),
        "after_article": after,
        "reading": _reading_text(claim, variant, window, group),
        "base_date": measured.base,
        "end_date": measured.end,
        "sessions": measured.sessions if measured.base is not None else np.nan,
        "comparison": claim.comparison,
        "claimed_value": np.nan if claim.claimed_value is None else claim.claimed_value,
        "tolerance": claim.tolerance,
        "unit": claim.unit,
        "measured_value": measured.value,
        "miss": miss,
        "raw_return": measured.raw,
        "benchmark": benchmark,
        "benchmark_return": benchmark_return,
        "abnormal_return": abnormal,
        "model": model if math.isfinite(abnormal) else "",
        "value_source": measured.value_source,
        "verdict": verdict,
        "explanation": explanation + ("" if not extras else "; " + "; ".join(extras)),
        "_path": measured.path,
    }


def _engine_ar(
    claims: Sequence[Claim],
    events: EventSet,
    universe: Universe,
    results: EventStudyResults | None,
    chain: PriceChain,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The engine's ``ar`` and ``pairs`` tables for every (event, security) a claim measures in event time.

    Pairs that ``results`` lacks (or all, without results) come from a study of the same specification (default:
    the engine's defaults) restricted to those events and securities, without the sample tests.
    """
    wanted = {
        (claim.event_id, claim.tickers[0])
        for claim in claims
        if len(claim.tickers) == 1
        and claim.tickers[0] in universe
        and universe[claim.tickers[0]].benchmark
        and any(window is not None and window.offsets is not None for _, window, _ in claim.readings)
    }
    ar = results.ar if results is not None else pd.DataFrame()
    pairs = results.pairs if results is not None else pd.DataFrame()
    have = set(zip(pairs["event_id"], pairs["ticker"], strict=True)) if not pairs.empty else set()
    missing = wanted - have
    if not missing:
        return ar, pairs
    extra = EventStudy.from_spec(
        results.spec if results is not None else StudySpec(events, universe=universe, prices=chain),
        events=EventSet(dataclasses.replace(events[e], tickers=()) for e in sorted({e for e, _ in missing})),
        tickers=sorted({ticker for _, ticker in missing}),
        groups=None,
        baskets=[],
        tests=[],
        placebo_replications=0,
        bootstrap_replications=0,
        include_month_precision=True,
        analyses=[],  # only the ARs are read
        garch_tickers=[],
        span_sensitivity=False,
    ).run()

    def chosen(table: pd.DataFrame) -> pd.DataFrame:
        keys = zip(table["event_id"], table["ticker"], strict=True)
        return table[[key in missing for key in keys]]

    return pd.concat([ar, chosen(extra.ar)], ignore_index=True), pd.concat(
        [pairs, chosen(extra.pairs)], ignore_index=True
    )


def check_claims(
    claims: Iterable[Claim],
    events: EventSet,
    *,
    universe: Universe | None = None,
    prices: PriceSource | None = None,
    results: EventStudyResults | None = None,
    source_file: str | Path | None = None,
    reference: ReferenceData | None = None,
) -> ClaimsResult:
    """Check every claim against the price data.

    Parameters
    ----------
    claims
        The claims (e.g. from :func:`load_claims`).
    events
        The events they belong to (day 0 of each reading in event time).
    universe
        Securities registry (exchanges, benchmarks, groups); default that of ``results``, else the packaged one.
    prices
        Price source; default the price chain of ``results``' study, else the engine's offline chain.
    results
        An event study whose ARs give the abnormal returns (pairs it lacks are computed with the same
        specification); without it, the engine's defaults.
    source_file
        The claims file, recorded by :meth:`ClaimsResult.summary`.
    reference
        The articles' dates, share counts and reference prices (:mod:`eventstudy.claims.reference`); without them
        market values are not checkable and no window is held to an article's date.

    Returns
    -------
    ClaimsResult
    """
    claims = tuple(claims)
    universe = universe or (results.spec.universe if results is not None else None) or load_universe()
    chain = results.spec.prices if results is not None and prices is None else as_chain(prices, universe)
    ar, pairs = _engine_ar(claims, events, universe, results, chain)
    checker = _Checker(events, universe, chain, ar, pairs, reference or ReferenceData())
    rows = [_row(checker, claim, *reading) for claim in claims for reading in claim.readings]
    paths = {
        row["claim_id"]: _claim_path(claim, row)
        for claim, row in zip(claims, (row for row in rows if row["variant"] == "stated"), strict=True)
        if row["_path"] is not None and not row["_path"].empty
    }
    checked = pd.DataFrame(rows, columns=list(CHECKED_COLUMNS))
    checked = checked.astype({"base_date": "datetime64[ns]", "end_date": "datetime64[ns]"})
    return ClaimsResult(claims, checked, paths, None if source_file is None else str(source_file))


def _claim_path(claim: Claim, row: dict) -> ClaimPath:
    """The chart data of a stated reading: its price path and, for a price claim, the claimed close and band."""
    series: pd.Series = row["_path"]
    tickers = row["tickers"].split(";")
    if len(tickers) > 1:
        label = f"equal-weighted basket of {len(tickers)} securities, 1 at the close of {row['base_date'].date()}"
    else:
        label = f"{tickers[0]} adjusted close"
    level = band = None
    start = series.get(row["base_date"], np.nan)
    if claim.claim_type in ("return", "price_ratio") and np.isfinite(start):
        factor = 1.0 + row["claimed_value"] if claim.claim_type == "return" else row["claimed_value"]
        tolerance = row["tolerance"]
        low = factor - tolerance if claim.comparison in (">=", "about") else factor
        high = factor + tolerance if claim.comparison in ("<=", "about") else factor
        level, band = start * factor, (start * low, start * high)
    return ClaimPath(series, label, row["base_date"], row["end_date"], level, band)
