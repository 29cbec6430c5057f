"""The securities registry: which stocks are studied, where they trade, and what they are measured against.

The default universe ships in ``eventstudy/data/universe.csv``; users can pass their own file with the same columns:

``ticker``
    Yahoo Finance ticker (``NVDA``, ``0700.HK``, ``^HSI``).
``name``, ``currency``
    Display name and trading currency.
``exchange``
    ISO 10383 MIC of the listing (``XNAS``, ``XNYS``, ``XHKG``, ``XAMS``); it selects the trading calendar.
``group``
    Free-text group used for aggregation and baskets (``US semiconductors``, ``HK AI model makers``, ...).
``benchmark``
    Ticker of the security's own market index (S&P 500 proxy for US listings, Hang Seng Index for Hong Kong);
    empty for the benchmarks themselves. It must be in the universe and trade on the same calendar.
``factor``
    Optional second factor for multi-factor models (e.g. a sector ETF); empty when none.
``listed``
    Optional first trading day (ISO date) when it falls inside the price history, e.g. an IPO; empty when the
    security traded before its prices begin. Days before it are "not listed", never "missing prices"; no window
    reaches before it, and the first sessions after it (IPO jumps) are left out of estimation windows.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from importlib import resources
from pathlib import Path

import pandas as pd

from eventstudy.calendars import SUPPORTED_EXCHANGES, calendar_name

__all__ = ["Security", "Universe", "UniverseError", "exchange_of_ticker", "load_universe"]

REQUIRED_COLUMNS = ("ticker", "name", "exchange", "currency", "group", "benchmark")


class UniverseError(ValueError):
    """A universe file or a universe query that cannot be honoured; the message names file, row and field."""


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


def exchange_of_ticker(ticker: str) -> str:
    """Best guess of the exchange of a Yahoo ticker that is not in the universe, from its suffix."""
    if ticker.endswith(".HK"):
        return "XHKG"
    if ticker.endswith(".AS"):
        return "XAMS"
    return "XNYS"


class Universe:
    """An ordered, validated collection of :class:`Security` objects keyed by ticker."""

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
        try:
            return self._securities[ticker]
        except KeyError:
            raise UniverseError(f"ticker {ticker!r} is not in the universe ({self.source})") from None

    def __repr__(self) -> str:
        return f"Universe({len(self)} securities from {self.source})"

    @property
    def tickers(self) -> list[str]:
        """Tickers in file order."""
        return list(self._securities)

    @property
    def groups(self) -> list[str]:
        """Distinct groups in file order."""
        return list(dict.fromkeys(security.group for security in self))

    def exchange_of(self, ticker: str) -> str:
        """Exchange MIC of ``ticker``: from the universe when listed, else guessed from the ticker suffix."""
        return self._securities[ticker].exchange if ticker in self else exchange_of_ticker(ticker)

    def select(self, tickers: Iterable[str] | None = None, groups: Iterable[str] | None = None) -> Universe:
        """The sub-universe of the given tickers and/or groups (both ``None``: everything).

        Raises
        ------
        UniverseError
            Naming any ticker or group that is not in the universe.
        """
        chosen = list(self)
        if groups is not None:
            wanted = list(groups)
            unknown = sorted(set(wanted) - set(self.groups))
            if unknown:
                raise UniverseError(f"unknown group(s) {unknown}; the groups are {self.groups}")
            chosen = [security for security in chosen if security.group in wanted]
        if tickers is not None:
            wanted = list(tickers)
            unknown = [ticker for ticker in wanted if ticker not in self]
            if unknown:
                raise UniverseError(f"ticker(s) {unknown} are not in the universe ({self.source})")
            chosen = [security for security in chosen if security.ticker in wanted]
        return Universe(chosen, source=self.source)

    def to_frame(self) -> pd.DataFrame:
        """One row per security, columns as in the universe file."""
        return pd.DataFrame([asdict(security) for security in self], columns=[f.name for f in fields(Security)])


def _default_universe_path() -> Path:
    return Path(str(resources.files("eventstudy") / "data" / "universe.csv"))


def load_universe(path: str | Path | None = None) -> Universe:
    """Load and validate a universe CSV (the packaged default when ``path`` is ``None``).

    Every problem is collected and reported at once as ``file:line: column 'x': value 'v': reason``,
    where ``line`` is the line number in the file (the header is line 1).

    Raises
    ------
    UniverseError
        If the file is missing or any row is invalid.
    """
    path = Path(path) if path is not None else _default_universe_path()
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            rows = [(reader.line_num, row) for row in reader]
    except OSError as exc:
        raise UniverseError(f"{path}: cannot read the universe file: {exc.strerror}") from exc

    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise UniverseError(f"{path}:1: missing required column(s) {', '.join(missing)}")

    problems: list[str] = []
    securities: list[Security] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        values = {key: (value or "").strip() for key, value in row.items() if key is not None}

        def problem(column: str, reason: str, line: int = line, values: dict = values) -> None:
            problems.append(f"{path}:{line}: column {column!r}: value {values.get(column, '')!r}: {reason}")

        for column in ("ticker", "name", "exchange"):
            if not values[column]:
                problem(column, "is empty")
        ticker = values["ticker"]
        if ticker in seen:
            problem("ticker", f"duplicate of line {seen[ticker]}")
        seen.setdefault(ticker, line)
        if values["exchange"] and values["exchange"] not in SUPPORTED_EXCHANGES:
            problem("exchange", f"not a supported exchange MIC ({', '.join(SUPPORTED_EXCHANGES)})")
        listed = None
        if values.get("listed"):
            try:
                listed = dt.date.fromisoformat(values["listed"])
            except ValueError:
                problem("listed", "not an ISO date (YYYY-MM-DD)")
        securities.append(
            Security(
                ticker=ticker,
                name=values["name"],
                exchange=values["exchange"],
                currency=values["currency"],
                group=values["group"],
                benchmark=values["benchmark"] or None,
                factor=values.get("factor") or None,
                listed=listed,
            )
        )

    by_ticker = {security.ticker: security for security in securities}
    for (line, _row), security in zip(rows, securities, strict=True):
        for column in ("benchmark", "factor"):
            reference = getattr(security, column)
            if reference is None:
                continue
            if reference == security.ticker:
                problems.append(f"{path}:{line}: column {column!r}: value {reference!r}: is the security itself")
            elif reference not in by_ticker:
                problems.append(f"{path}:{line}: column {column!r}: value {reference!r}: not in the universe")
            elif _known(security.exchange, by_ticker[reference].exchange) and calendar_name(
                security.exchange
            ) != calendar_name(by_ticker[reference].exchange):
                problems.append(
                    f"{path}:{line}: column {column!r}: value {reference!r}: trades on "
                    f"{by_ticker[reference].exchange}, not on the calendar of {security.exchange}"
                )
    if problems:
        raise UniverseError(f"{len(problems)} problem(s) in the universe file:\n" + "\n".join(problems))
    return Universe(securities, source=str(path))


def _known(*exchanges: str) -> bool:
    """Whether every exchange is supported (unsupported ones are reported on their own row)."""
    return all(exchange in SUPPORTED_EXCHANGES for exchange in exchanges)
