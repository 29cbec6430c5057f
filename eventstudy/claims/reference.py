"""What the claims are checked against besides prices: the articles' dates, share counts and reference prices.

Three CSV files, kept beside the claims file, each value with where it comes from:

``sources.csv`` (:func:`load_sources`)
    The date of each article (``source``, ``published``, optional ``date_end`` and ``date_precision``, ``quote``,
    ``notes``). Articles carry no date line, so the date is derived from the text; for an article known only to a
    span, ``published`` is its earliest possible date. A claim is judged on what its author could see: its stated
    window must end on or before that date.
``shares.csv`` (:func:`load_shares`)
    Shares outstanding (``ticker``, ``shares``, ``as_of``, ``form``, ``filed``, ``url``, ``quote``, ``notes``), one
    row per count, each quoted from a public filing (a 10-Q or 10-K cover page, an HKEX announcement). A market value
    on a day is the close that day times the latest count as of that day; eventstudy never estimates a share count.
``reference_prices.csv`` (:func:`load_reference_prices`)
    Prices that are not closes (``ticker``, ``date``, ``price``, ``currency``, ``kind``, ``source``, ``url``,
    ``quote``), e.g. an IPO offer price, the base of a window written ``offer..YYYY-MM-DD``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from eventstudy.records import Problem, RecordsFileError, nonempty, read_records, text, to_tickers

__all__ = [
    "REFERENCE_FILES",
    "ReferenceData",
    "ReferenceFileError",
    "ReferencePrice",
    "ShareCount",
    "Source",
    "load_reference_data",
    "load_reference_prices",
    "load_shares",
    "load_sources",
]

#: The files of :class:`ReferenceData`, by the name they have beside the claims file.
REFERENCE_FILES = ("sources.csv", "shares.csv", "reference_prices.csv")


class ReferenceFileError(RecordsFileError):
    """A sources, shares or reference-prices file that cannot be loaded; every problem is listed."""


@dataclass(frozen=True)
class Source:
    """An article and its date (the earliest possible one when only a span is known)."""

    source: str
    published: dt.date
    date_end: dt.date | None = None
    quote: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ShareCount:
    """Shares outstanding of a security as of a date, with the filing it is quoted from."""

    ticker: str
    shares: float
    as_of: dt.date
    form: str
    url: str
    quote: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ReferencePrice:
    """A price that is not a close (e.g. an IPO offer price), with its source."""

    ticker: str
    date: dt.date
    price: float
    currency: str
    kind: str
    source: str
    url: str = ""


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO date YYYY-MM-DD") from None


def _optional_date(value: str) -> dt.date | None:
    return _date(value) if value else None


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError("must be a number, e.g. 24490000000 or 116.20") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError("must be a positive finite number")
    return number


def _ticker(value: str) -> str:
    tickers = to_tickers(value)
    if len(tickers) != 1:
        raise ValueError("must be one ticker")
    return tickers[0]


def _load(
    path: str | Path, parsers: Mapping[str, Callable[[str], object]], required: tuple[str, ...], build: type
) -> list:
    """Rows of ``path`` parsed column by column into ``build`` objects; every problem raised at once."""
    records, problems = read_records(path, tuple(parsers), required, unknown_columns=False)
    items = []
    for row, record in records:
        values, failed = {}, False
        for column, parse in parsers.items():
            try:
                values[column] = parse(record.get(column, ""))
            except ValueError as exc:
                problems.append(Problem(str(exc), column, record.get(column, ""), str(path), row))
                failed = True
        if not failed:
            fields = {field.name for field in dataclasses.fields(build)}
            items.append(build(**{key: value for key, value in values.items() if key in fields}))
    if problems:
        raise ReferenceFileError(path, problems)
    return items


def load_sources(path: str | Path) -> dict[str, Source]:
    """The articles' dates: source file name -> :class:`Source` (see the module docstring)."""
    parsers = {
        "source": nonempty,
        "published": _date,
        "date_end": _optional_date,
        "date_precision": text,
        "quote": text,
        "notes": text,
    }
    return {item.source: item for item in _load(path, parsers, ("source", "published"), Source)}


def load_shares(path: str | Path) -> dict[str, tuple[ShareCount, ...]]:
    """Share counts: ticker -> its counts in date order (see the module docstring)."""
    parsers = {
        "ticker": _ticker,
        "shares": _positive,
        "as_of": _date,
        "form": nonempty,
        "filed": _optional_date,
        "url": nonempty,
        "quote": text,
        "notes": text,
    }
    counts: dict[str, list[ShareCount]] = {}
    for item in _load(path, parsers, ("ticker", "shares", "as_of", "form", "url"), ShareCount):
        counts.setdefault(item.ticker, []).append(item)
    return {ticker: tuple(sorted(rows, key=lambda row: row.as_of)) for ticker, rows in counts.items()}


def load_reference_prices(path: str | Path) -> dict[str, tuple[ReferencePrice, ...]]:
    """Reference prices: ticker -> its prices in date order (see the module docstring)."""
    parsers = {
        "ticker": _ticker,
        "date": _date,
        "price": _positive,
        "currency": nonempty,
        "kind": nonempty,
        "source": nonempty,
        "url": text,
        "quote": text,
    }
    prices: dict[str, list[ReferencePrice]] = {}
    required = ("ticker", "date", "price", "currency", "kind", "source")
    for item in _load(path, parsers, required, ReferencePrice):
        prices.setdefault(item.ticker, []).append(item)
    return {ticker: tuple(sorted(rows, key=lambda row: row.date)) for ticker, rows in prices.items()}


@dataclass(frozen=True)
class ReferenceData:
    """Everything a claims check reads besides prices (each part empty when its file is absent)."""

    sources: Mapping[str, Source] = dataclasses.field(default_factory=dict)
    shares: Mapping[str, tuple[ShareCount, ...]] = dataclasses.field(default_factory=dict)
    prices: Mapping[str, tuple[ReferencePrice, ...]] = dataclasses.field(default_factory=dict)

    def published(self, source: str) -> dt.date | None:
        """The (earliest possible) date of an article, if known."""
        item = self.sources.get(source)
        return None if item is None else item.published

    def shares_as_of(self, ticker: str, day: dt.date) -> ShareCount | None:
        """The latest share count of ``ticker`` as of ``day`` (``None`` without one)."""
        counts = [count for count in self.shares.get(ticker, ()) if count.as_of <= day]
        return counts[-1] if counts else None

    def offer_price(self, ticker: str) -> ReferencePrice | None:
        """The IPO offer price of ``ticker``, if known."""
        offers = [price for price in self.prices.get(ticker, ()) if price.kind == "ipo offer price"]
        return offers[0] if offers else None


def load_reference_data(folder: str | Path) -> ReferenceData:
    """The sources, shares and reference prices beside a claims file in ``folder`` (each only if its file exists).

    Raises
    ------
    ReferenceFileError
        For a file with problems, listing every one with file, row and column.
    """
    folder = Path(folder)

    def read(name: str, loader: Callable[[Path], dict]) -> dict:
        return loader(folder / name) if (folder / name).is_file() else {}

    return ReferenceData(
        sources=read("sources.csv", load_sources),
        shares=read("shares.csv", load_shares),
        prices=read("reference_prices.csv", load_reference_prices),
    )
