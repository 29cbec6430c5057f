"""The price-source interface, the standard price frame, and the errors every source raises.

A price frame has a tz-naive ``DatetimeIndex`` named ``date`` (one row per session that has a price, ascending,
unique) and the float columns :data:`PRICE_COLUMNS`. ``adj_close`` is adjusted for splits and dividends and is
what returns are computed from. A session with no price has no row: sources never fill or interpolate.

One series always comes from one source. Adjusted closes downloaded on different days sit on different adjustment
bases (every dividend rescales the past), so splicing two sources inside one series would fake a return at the seam.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "PRICE_COLUMNS",
    "MissingPricesError",
    "NetworkError",
    "PriceDataError",
    "PriceFileError",
    "PriceSource",
    "UnknownTickerError",
    "empty_price_frame",
    "file_stem",
    "read_price_csv",
    "slice_dates",
]

PRICE_COLUMNS = ("open", "high", "low", "close", "adj_close", "volume")


class PriceDataError(RuntimeError):
    """Prices that cannot be had; the message says which ticker and range, and what to do."""


class UnknownTickerError(PriceDataError):
    """A source has no series at all for a ticker."""


class MissingPricesError(PriceDataError):
    """A source has the ticker but not the requested sessions."""


class NetworkError(PriceDataError):
    """The online source could not be reached."""


class PriceFileError(PriceDataError):
    """A price CSV that does not follow the standard layout; the message names file, line and column."""


def file_stem(ticker: str) -> str:
    """Stem of a ticker's price file: the ticker without a leading ``^`` (``^HSI`` -> ``HSI.csv``)."""
    return ticker.lstrip("^")


def empty_price_frame() -> pd.DataFrame:
    """A price frame with no rows."""
    return pd.DataFrame(
        {column: pd.Series(dtype="float64") for column in PRICE_COLUMNS},
        index=pd.DatetimeIndex([], name="date", dtype="datetime64[ns]"),
    )


def slice_dates(frame: pd.DataFrame, start: object = None, end: object = None) -> pd.DataFrame:
    """Rows of a price frame between ``start`` and ``end`` inclusive (``None``: unbounded)."""
    first = None if start is None else pd.Timestamp(start)
    last = None if end is None else pd.Timestamp(end)
    return frame.loc[first:last]


def read_price_csv(path: str | Path, ticker: str | None = None) -> pd.DataFrame:
    """Read and validate a price CSV in the standard layout of ``shared/prices``.

    The header must hold ``date`` and ``adj_close`` (the other :data:`PRICE_COLUMNS` are optional and become NaN);
    dates must be ISO, ascending and unique; ``adj_close`` must be a positive number on every row.

    Raises
    ------
    PriceFileError
        One line naming the file, the line number (header = line 1), the column and the offending value.
    """
    path = Path(path)
    label = f"{path}" if ticker is None else f"{path} ({ticker})"
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise PriceFileError(f"{label}: not a readable CSV file: {exc}") from exc
    missing = [column for column in ("date", "adj_close") if column not in raw.columns]
    if missing:
        raise PriceFileError(f"{label}:1: missing column(s) {', '.join(missing)}")

    def fail(row: int, column: str, reason: str) -> PriceFileError:
        return PriceFileError(f"{label}:{row + 2}: column {column!r}: value {raw[column].iloc[row]!r}: {reason}")

    dates = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        raise fail(int(np.flatnonzero(dates.isna())[0]), "date", "not an ISO date (YYYY-MM-DD)")
    steps = np.diff(dates.to_numpy())
    if (steps <= np.timedelta64(0)).any():
        raise fail(int(np.flatnonzero(steps <= np.timedelta64(0))[0]) + 1, "date", "dates must ascend, unique")

    frame = pd.DataFrame(index=pd.DatetimeIndex(dates, name="date"))
    for column in PRICE_COLUMNS:
        if column not in raw.columns:
            frame[column] = np.nan
            continue
        text = raw[column].str.strip()
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = values.isna() & (text != "")
        if bad.any():
            raise fail(int(np.flatnonzero(bad)[0]), column, "not a number")
        frame[column] = values.to_numpy(dtype="float64")
    nonpositive = ~(frame["adj_close"] > 0)
    if nonpositive.any():
        raise fail(int(np.flatnonzero(nonpositive)[0]), "adj_close", "must be a positive number")
    return frame


class PriceSource(ABC):
    """Where daily prices come from. Implementations: snapshot, CSV directory, Yahoo Finance, cache, chain."""

    #: Short name shown in coverage reports and ``run.json``.
    name: str = "source"

    @abstractmethod
    def history(self, ticker: str, start: object = None, end: object = None) -> pd.DataFrame:
        """Price frame of ``ticker`` between ``start`` and ``end`` inclusive (``None``: all there is).

        Raises
        ------
        UnknownTickerError
            If the source has no series for ``ticker``.
        """

    def histories(self, tickers: Iterable[str], start: object = None, end: object = None) -> dict[str, pd.DataFrame]:
        """Price frames of several tickers (sources with batch access override this)."""
        return {ticker: self.history(ticker, start, end) for ticker in tickers}
