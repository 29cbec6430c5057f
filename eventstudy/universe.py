"""The securities registry: which stocks are studied, where they trade, and what they are measured against.

The universe is open: any Yahoo Finance ticker can be studied. A ticker the universe has no row for is placed by its
suffix with the table of :mod:`eventstudy.exchanges` (exchange, currency, default benchmark; group ``other``, name
= ticker); see :meth:`Universe.security`. The default study is the packaged universe,
``eventstudy/data/universe.csv``; a user universe file, with the same columns, adds rows to it or replaces it
(:func:`load_universe`). Only ``ticker`` is required; an empty cell is filled as said below.

``ticker``
    Yahoo Finance ticker (``NVDA``, ``0700.HK``, ``7203.T``, ``^HSI``): letters, digits and ``. ^ = _ -``, at most
    100 characters (it names report files).
``name``
    Display name (default: the ticker).
``exchange``
    ISO 10383 MIC of the listing (``XNAS``, ``XNYS``, ``XHKG``, ``XTKS``, ...), any exchange ``exchange_calendars``
    has; it selects the trading calendar. Default: from the ticker's suffix.
``currency``
    Trading currency (default: the exchange's, when it quotes in one).
``group``
    Free-text group used for aggregation and baskets (``US semiconductors``, ``HK AI model makers``, ...), at most
    100 characters with at least one letter or digit (a group's basket page is named after it). Default ``other``.
``benchmark``
    Ticker of the security's own market index; it must trade on the same calendar. Default: the exchange's default
    benchmark (:data:`eventstudy.exchanges.EXCHANGES`), except for a security that is itself a benchmark (it is in
    the group ``benchmarks``, another row names it as benchmark, or it is its exchange's default), which has none.
``factor``
    Optional second factor for multi-factor models (e.g. a sector ETF); empty when none.
``listed``
    Optional first trading day (ISO date) when it falls inside the price history, e.g. an IPO; empty when the
    security traded before its prices begin. Days before it are "not listed", never "missing prices"; no window
    reaches before it, and the first sessions after it (IPO jumps) are left out of estimation windows.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import TypeVar

import pandas as pd

from eventstudy.calendars import CalendarError, calendar_name, calendar_names
from eventstudy.exchanges import EXCHANGES, MAX_NAME_LENGTH, UnknownSuffixError, check_ticker, default_benchmark
from eventstudy.exchanges import exchange_of_ticker as _exchange_of_suffix
from eventstudy.records import Problem, RecordsFileError, read_records

__all__ = [
    "BENCHMARKS_GROUP",
    "COLUMNS",
    "DEFAULT_GROUP",
    "REQUIRED_COLUMNS",
    "Security",
    "Universe",
    "UniverseError",
    "UniverseFileError",
    "check_group",
    "exchange_of_ticker",
    "group_slug",
    "load_universe",
    "security_from_suffix",
]

Checked = TypeVar("Checked")

COLUMNS = ("ticker", "name", "exchange", "currency", "group", "benchmark", "factor", "listed")
REQUIRED_COLUMNS = ("ticker",)
#: Group of a security the universe has no row for.
DEFAULT_GROUP = "other"
#: Group of the market indices (their securities have no benchmark of their own).
BENCHMARKS_GROUP = "benchmarks"


class UniverseError(ValueError):
    """A universe file or a universe query that cannot be honoured; the message names the ticker or field."""


class UniverseFileError(RecordsFileError, UniverseError):
    """A universe file that cannot be loaded; ``problems`` lists every problem, with file, row and column."""


@dataclass(frozen=True)
class Security:
    """One security of the universe (see the module docstring for the fields)."""

    ticker: str
    name: str
    exchange: str
    currency: str
    group: str
    benchmark: str | None = None
    factor: str | None = None
    listed: dt.date | None = None


def group_slug(group: str) -> str:
    """The file-name form of a group: ``"HK AI model makers"`` -> ``"hk-ai-model-makers"``."""
    return re.sub(r"[^a-z0-9]+", "-", group.lower()).strip("-")


def check_group(group: object) -> str:
    """``group`` if it can name a group (and its basket's report page), else ``ValueError`` with why."""
    if not isinstance(group, str) or not group.strip():
        raise ValueError("is empty")
    if len(group) > MAX_NAME_LENGTH:
        raise ValueError(f"is longer than {MAX_NAME_LENGTH} characters (a group names its basket's report page)")
    if any(unicodedata.category(character).startswith("C") for character in group):
        raise ValueError("holds a control character")
    if not group_slug(group):
        raise ValueError("needs at least one ASCII letter or digit (a group names its basket's report page)")
    return group


def exchange_of_ticker(ticker: str) -> str:
    """The exchange MIC of a Yahoo ticker from its suffix (see :mod:`eventstudy.exchanges`).

    Raises
    ------
    UniverseError
        Naming the ticker and the suffixes known, for a suffix (or an index) the table does not know.
    """
    try:
        return _exchange_of_suffix(ticker)
    except UnknownSuffixError as exc:
        raise UniverseError(str(exc)) from None


def security_from_suffix(ticker: str) -> Security:
    """The security of a ticker the universe has no row for: exchange, currency and default benchmark from its
    suffix, group :data:`DEFAULT_GROUP`, name = ticker.

    Raises
    ------
    UniverseError
        For a malformed ticker or an unknown suffix (naming the ticker and what to do).
    """
    try:
        check_ticker(ticker)
    except ValueError as exc:
        raise UniverseError(f"ticker {ticker!r} {exc}") from None
    exchange = exchange_of_ticker(ticker)
    benchmark = default_benchmark(exchange)
    return Security(
        ticker=ticker,
        name=ticker,
        exchange=exchange,
        currency=EXCHANGES[exchange].currency,
        group=DEFAULT_GROUP,
        benchmark=None if benchmark == ticker else benchmark,
    )


class Universe:
    """An ordered collection of :class:`Security` objects keyed by ticker, open to every other ticker.

    ``ticker in universe`` and iteration cover the universe's own rows; ``universe[ticker]`` (or
    :meth:`security`) also resolves any other well-formed ticker from its suffix.
    """

    def __init__(self, securities: Iterable[Security], source: str = "<python>") -> None:
        self._securities = {security.ticker: security for security in securities}
        self.source = source

    def __iter__(self) -> Iterator[Security]:
        return iter(self._securities.values())

    def __len__(self) -> int:
        return len(self._securities)

    def __contains__(self, ticker: object) -> bool:
        return ticker in self._securities

    def __getitem__(self, ticker: str) -> Security:
        return self.security(ticker)

    def __repr__(self) -> str:
        return f"Universe({len(self)} securities from {self.source})"

    @property
    def tickers(self) -> list[str]:
        """Tickers of the universe's own rows, in file order."""
        return list(self._securities)

    @property
    def groups(self) -> list[str]:
        """Distinct groups in file order."""
        return list(dict.fromkeys(security.group for security in self))

    def security(self, ticker: str) -> Security:
        """The universe's own row for ``ticker`` when it has one, else the security built from its suffix
        (:func:`security_from_suffix`).

        Raises
        ------
        UniverseError
            For a malformed ticker or an unknown suffix, naming the ticker and what to do.
        """
        own = self._securities.get(ticker)
        return own if own is not None else security_from_suffix(ticker)

    def exchange_of(self, ticker: str) -> str:
        """Exchange MIC of ``ticker``: from the universe's row when it has one, else from the ticker's suffix."""
        return self.security(ticker).exchange

    def select(self, tickers: Iterable[str] | None = None, groups: Iterable[str] | None = None) -> Universe:
        """The sub-universe of the given tickers and/or groups (both ``None``: everything).

        Tickers the universe has no row for are resolved from their suffix (and belong to the group
        :data:`DEFAULT_GROUP`); with both given, a security must match both.

        Raises
        ------
        UniverseError
            Naming an unknown group, or a ticker that is malformed or has an unknown suffix.
        """
        chosen = list(self)
        if tickers is not None:
            wanted = list(dict.fromkeys(tickers))
            resolved = {ticker: self.security(ticker) for ticker in wanted}
            chosen = [security for security in chosen if security.ticker in resolved]
            chosen += [resolved[ticker] for ticker in wanted if ticker not in self]
        if groups is not None:
            wanted_groups = list(groups)
            unknown = sorted(set(wanted_groups) - {*self.groups, *(security.group for security in chosen)})
            if unknown:
                raise UniverseError(f"unknown group(s) {unknown}; the groups are {self.groups}")
            chosen = [security for security in chosen if security.group in wanted_groups]
        return Universe(chosen, source=self.source)

    def to_frame(self) -> pd.DataFrame:
        """One row per security, columns as in the universe file."""
        return pd.DataFrame([asdict(security) for security in self], columns=[f.name for f in fields(Security)])


def _default_universe_path() -> Path:
    return Path(str(resources.files("eventstudy") / "data" / "universe.csv"))


def _read_rows(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    try:
        records, problems = read_records(path, COLUMNS, REQUIRED_COLUMNS, unknown_columns=False)
    except OSError as exc:
        raise UniverseError(f"{path}: cannot read the universe file: {exc.strerror or exc}") from exc
    seen: dict[str, int] = {}
    for row, record in records:
        ticker = record.get("ticker", "")
        if ticker in seen:
            reason = f"duplicate ticker; row {seen[ticker]} already lists it"
            problems.append(Problem(reason, "ticker", ticker, str(path), row))
        elif ticker:
            seen[ticker] = row
    return records, problems


def _to_listed(value: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("is not an ISO date YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("is not a calendar date") from None


def _security(record: dict[str, str], referenced: set[str]) -> tuple[Security | None, list[Problem]]:
    """One row's security with its empty cells filled, and the row's problems (``referenced``: the tickers other
    rows name as benchmark)."""
    problems = []
    ticker = record.get("ticker", "")

    def checked(column: str, check: Callable[[str], Checked]) -> Checked | None:
        value = record.get(column, "")
        if not value:
            return None
        try:
            return check(value)
        except ValueError as exc:
            problems.append(Problem(str(exc), column, value))
            return None

    if not ticker:
        problems.append(Problem("is empty", "ticker", ""))
    well_formed = checked("ticker", check_ticker) is not None
    exchange = record.get("exchange", "")
    if exchange and exchange not in calendar_names():
        reason = "is not an exchange MIC exchange_calendars has (eventstudy.calendars.calendar_names() lists them)"
        problems.append(Problem(reason, "exchange", exchange))
    elif not exchange and well_formed:
        try:
            exchange = _exchange_of_suffix(ticker)
        except UnknownSuffixError as exc:
            problems.append(Problem(str(exc), "ticker", ticker))
    group = checked("group", check_group) or DEFAULT_GROUP
    benchmark = checked("benchmark", check_ticker)
    factor = checked("factor", check_ticker)
    listed = checked("listed", _to_listed)
    if problems:
        return None, problems
    info = EXCHANGES.get(exchange)
    if benchmark is None and not record.get("benchmark"):
        default = default_benchmark(exchange)
        is_benchmark = group == BENCHMARKS_GROUP or ticker in referenced or ticker == default
        benchmark = None if is_benchmark else default
    security = Security(
        ticker=ticker,
        name=record.get("name") or ticker,
        exchange=exchange,
        currency=record.get("currency") or (info.currency if info else ""),
        group=group,
        benchmark=benchmark,
        factor=factor,
        listed=listed,
    )
    return security, problems


def _reference_problems(securities: dict[str, Security], resolve: Universe) -> list[tuple[str, Problem]]:
    """Problems of the benchmark and factor references of ``securities`` (keyed by ticker), resolved in
    ``resolve``."""
    problems = []
    for ticker, security in securities.items():
        for column in ("benchmark", "factor"):
            reference = getattr(security, column)
            if reference is None:
                continue
            if reference == ticker:
                problems.append((ticker, Problem("is the security itself", column, reference)))
                continue
            try:
                other = resolve.security(reference)
                same = calendar_name(other.exchange) == calendar_name(security.exchange)
            except (UniverseError, CalendarError) as exc:
                problems.append((ticker, Problem(str(exc), column, reference)))
                continue
            if not same:
                reason = f"trades on {other.exchange}, not on the calendar of {security.exchange}"
                problems.append((ticker, Problem(reason, column, reference)))
    return problems


def load_universe(path: str | Path | None = None, *, extend: bool = False) -> Universe:
    """Load and validate a universe CSV (the packaged default when ``path`` is ``None``).

    The file is read as the events file is (:func:`eventstudy.records.read_records`: UTF-8 with or without BOM,
    ``,``/``;``/tab separators, CRLF), and every problem is reported at once with file, row and column.

    Parameters
    ----------
    path
        A universe file with the columns of the module docstring (only ``ticker`` required).
    extend
        Add the file's rows to the packaged universe (its rows win over packaged rows of the same ticker) instead
        of replacing it.

    Raises
    ------
    UniverseError
        If the file cannot be read; :class:`UniverseFileError` (a subclass) listing every problem of its rows.
    """
    path = Path(path) if path is not None else _default_universe_path()
    records, problems = _read_rows(path)
    if not records and not problems:
        problems.append(Problem("the file has a header but no securities", file=str(path), row=2))
    missing = {problem.column for problem in problems if problem.row == 1}
    referenced = {record["benchmark"] for _, record in records if record.get("benchmark")}
    own: dict[str, Security] = {}
    rows: dict[str, int] = {}
    for row, record in records:
        security, row_problems = _security(record, referenced)
        problems += [replace(p, file=str(path), row=row) for p in row_problems if p.column not in missing]
        if security is not None and security.ticker not in own:
            own[security.ticker], rows[security.ticker] = security, row
    packaged = load_universe() if extend and path != _default_universe_path() else None
    merged = {**({s.ticker: s for s in packaged} if packaged else {}), **own}
    universe = Universe(merged.values(), source=str(path) if packaged is None else f"{packaged.source} + {path}")
    problems += [
        replace(problem, file=str(path), row=rows[ticker]) for ticker, problem in _reference_problems(own, universe)
    ]
    problems += _slug_problems(own, rows, path, packaged)
    if problems:
        problems.sort(key=lambda problem: problem.row or 0)
        raise UniverseFileError(path, problems)
    return universe


def _slug_problems(
    own: dict[str, Security], rows: dict[str, int], path: Path, packaged: Universe | None
) -> list[Problem]:
    """Groups that would share a basket page (the same :func:`group_slug`)."""
    first: dict[str, str] = {group_slug(group): group for group in (packaged.groups if packaged else [])}
    problems = []
    for ticker, security in own.items():
        other = first.setdefault(group_slug(security.group), security.group)
        if other != security.group:
            reason = f"would share its basket's report page with group {other!r}; rename one of them"
            problems.append(Problem(reason, "group", security.group, str(path), rows[ticker]))
    return problems
