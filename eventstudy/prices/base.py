"""The price-source interface, the standard price frame, and the errors every source raises.

A price frame has a tz-naive ``DatetimeIndex`` named ``date`` (one row per session that has a price, ascending,
unique) and the float columns :data:`PRICE_COLUMNS`. ``adj_close`` is adjusted for splits and dividends and is
what returns are computed from. A session with no price has no row: sources never fill or interpolate.

One series always comes from one source. Adjusted closes downloaded on different days sit on different adjustment
bases (every dividend rescales the past), so splicing two sources inside one series would fake a return at the seam.

Validation
----------
Prices from every source (CSV folder, packaged snapshot, cache, Yahoo Finance) pass :func:`validate_prices`:

* dates ascend and are unique;
* ``adj_close`` is on every row, finite, positive and at most :data:`MAX_PRICE`; ``open``, ``high``, ``low`` and
  ``close`` may be missing, else the same; ``volume`` may be missing, else finite and not negative.
  An error names the ticker, the date (or the file and line) and the column: :class:`InvalidPricesError`
  (:class:`PriceFileError` for a file).
* A probable unadjusted split: the adjusted close moves by more than :data:`SPLIT_RATIO` (up or down) in one
  session, and ``close`` moves by the same factor (``adj_close / close`` is the same on both days, as when
  ``close == adj_close``), so no adjustment accounts for the jump. That is what an unadjusted 2-for-1 ... 10-for-1
  split looks like, but also a real crash of two thirds, so it is a :class:`UnadjustedSplitWarning` naming the ticker
  and the two dates, not an error. Make it an error with Python's warning filter, e.g.
  ``warnings.simplefilter("error", UnadjustedSplitWarning)`` (the warning is then raised as the exception). Rows
  without ``close`` cannot be told apart from a crash and are not flagged; a split of less than x3 (2-for-1, 3-for-2)
  is not detected: single sessions of -50% are too common among real small caps to flag.
"""

from __future__ import annotations

import dataclasses
import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.records import read_records, shortened

__all__ = [
    "MAX_PRICE",
    "PRICE_COLUMNS",
    "SPLIT_RATIO",
    "InvalidPricesError",
    "MissingPricesError",
    "NetworkError",
    "PriceDataError",
    "PriceFileError",
    "PriceSource",
    "UnadjustedSplitWarning",
    "UnknownTickerError",
    "empty_price_frame",
    "file_stem",
    "read_price_csv",
    "slice_dates",
    "validate_prices",
]

PRICE_COLUMNS = ("open", "high", "low", "close", "adj_close", "volume")
#: Largest price accepted, in any currency. The dearest shares trade below 1e6 (Berkshire Hathaway A) and no
#: redenominated currency quotes shares near 1e12; a larger number is a unit or parsing error (and its square, in a
#: variance, heads for overflow).
MAX_PRICE = 1e12
#: Factor of one session's move of the adjusted close (x3 or /3, |log return| > log 3) beyond which a move the close
#: makes too is flagged as a probable unadjusted split (see the module docstring).
SPLIT_RATIO = 3.0


class PriceDataError(RuntimeError):
    """Prices that cannot be had; the message says which ticker and range, and what to do."""


class UnknownTickerError(PriceDataError):
    """A source has no series at all for a ticker."""


class MissingPricesError(PriceDataError):
    """A source has the ticker but not the requested sessions."""


class NetworkError(PriceDataError):
    """The online source could not be reached."""


class InvalidPricesError(PriceDataError):
    """Values a source holds that are not prices (see :func:`validate_prices`); the message names ticker, date
    and column."""


class PriceFileError(InvalidPricesError):
    """A price CSV that does not follow the standard layout or holds invalid prices; the message names file, line
    and column."""


class UnadjustedSplitWarning(UserWarning):
    """A session move that looks like a split the prices are not adjusted for (see the module docstring)."""


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


def validate_prices(frame: pd.DataFrame, ticker: str, origin: str, cells: pd.DataFrame | None = None) -> pd.DataFrame:
    """Check a price frame from any source (see the module docstring) and return it unchanged.

    Parameters
    ----------
    frame
        A price frame (:data:`PRICE_COLUMNS`, ``DatetimeIndex``).
    ticker
        Named in messages.
    origin
        Where the prices come from, named in messages: ``"the packaged snapshot"``, ``"the price cache <path>"``,
        ``"Yahoo Finance"``, or a CSV file's path.
    cells
        For a CSV file, its cells as text, one row per row of ``frame``, indexed by the row of the file each comes
        from (the header is row 1): messages then give ``file (ticker):row`` and the value as written, and the error
        is a :class:`PriceFileError`.

    Raises
    ------
    InvalidPricesError
        At the first invalid value in date order: ``<where>: column 'c': value 'v': reason``.

    Warns
    -----
    UnadjustedSplitWarning
        For each probable unadjusted split, naming the ticker, the two dates and ``origin`` (file and line).
    """
    dates = frame.index
    checks: list[tuple[str, np.ndarray, str]] = []
    if len(dates) > 1:
        backwards = np.concatenate([[False], np.diff(dates.to_numpy()) <= np.timedelta64(0)])
        checks.append(("date", backwards, "dates must ascend, unique"))
    for column in PRICE_COLUMNS:
        values = frame[column].to_numpy(dtype="float64")
        missing = np.isnan(values)
        infinite = np.isinf(values)
        if column == "volume":
            checks.append((column, values < 0, "must not be negative"))
        else:
            required = column == "adj_close"
            reason = "must be a positive number" + ("" if required else " (or empty)")
            checks.append((column, (missing & required) | (values <= 0), reason))
            checks.append((column, ~infinite & (values > MAX_PRICE), f"over {MAX_PRICE:.0e} is not a price"))
        checks.append((column, infinite, "must be a finite number"))
    first_bad = [(int(np.argmax(mask)), order) for order, (_, mask, _) in enumerate(checks) if mask.any()]
    if first_bad:
        row, order = min(first_bad)
        column, _, reason = checks[order]
        raise _price_error(frame, ticker, origin, cells, row, column, reason)

    adjusted, close = np.log(frame["adj_close"].to_numpy()), np.log(frame["close"].to_numpy())
    move, basis_change = np.diff(adjusted), np.diff(adjusted - close)
    # Same factor on both days (basis_change ~ 0) means the close jumped as much: no adjustment explains the move.
    jumps = np.flatnonzero((np.abs(move) > np.log(SPLIT_RATIO)) & (np.abs(basis_change) < 1e-9)) + 1
    for day in jumps.tolist():
        where = _location(frame, ticker, origin, cells, day)
        warnings.warn(
            f"{where}: adjusted close moves x{np.exp(move[day - 1]):.3g} from "
            f"{dates[day - 1].date()} to {dates[day].date()}, and its close by the same factor: probably a split "
            "the prices are not adjusted for (AR and CAR would show it as a return); use split-adjusted prices",
            UnadjustedSplitWarning,
            stacklevel=2,
        )
    return frame


def _location(frame: pd.DataFrame, ticker: str, origin: str, cells: pd.DataFrame | None, row: int) -> str:
    """``file (ticker):row`` for a file, else ``origin: ticker date``."""
    if cells is not None:
        return f"{origin} ({ticker}):{cells.index[row]}"
    return f"{origin}: {ticker} {frame.index[row].date()}"


def _price_error(
    frame: pd.DataFrame, ticker: str, origin: str, cells: pd.DataFrame | None, row: int, column: str, reason: str
) -> InvalidPricesError:
    where = _location(frame, ticker, origin, cells, row)
    if cells is not None:
        return PriceFileError(f"{where}: column {column!r}: value {shortened(cells[column].iloc[row])!r}: {reason}")
    value = frame.index[row].date().isoformat() if column == "date" else str(float(frame[column].iloc[row]))
    return InvalidPricesError(f"{where}: column {column!r}: value {value!r}: {reason}")


def read_price_csv(path: str | Path, ticker: str | None = None) -> pd.DataFrame:
    """Read a price CSV in the standard layout of ``shared/prices`` and validate it (:func:`validate_prices`).

    The file is read as every input CSV is (:func:`eventstudy.records.read_records`: UTF-8 with or without a BOM,
    ``,``/``;``/tab separators, CRLF, blank lines skipped, the size limits of :mod:`eventstudy.records`). The header
    must hold ``date`` and ``adj_close`` (the other :data:`PRICE_COLUMNS` are optional and become NaN; other columns
    are ignored); dates must be ISO; values must be numbers. A file with no rows is an error.

    Raises
    ------
    PriceFileError
        One line naming the file, the row (header = row 1, as in a spreadsheet), the column and the offending value:
        the first problem of the file.
    OSError
        If the file cannot be read.

    Warns
    -----
    UnadjustedSplitWarning
        Naming the file and row of each probable unadjusted split.
    """
    path = Path(path)
    label = f"{path}" if ticker is None else f"{path} ({ticker})"
    records, problems = read_records(path, ("date", *PRICE_COLUMNS), ("date", "adj_close"))
    if problems:
        first = min(problems, key=lambda problem: problem.row or 0)
        raise PriceFileError(str(dataclasses.replace(first, file=label)))
    if not records:
        raise PriceFileError(f"{label}: no prices in the file (only a header)")
    raw = pd.DataFrame(
        [[record.get(column, "") for column in ("date", *PRICE_COLUMNS)] for _, record in records],
        index=[row for row, _ in records],
        columns=["date", *PRICE_COLUMNS],
    )

    def fail(position: int, column: str, reason: str) -> PriceFileError:
        value = shortened(raw[column].iloc[position])
        return PriceFileError(f"{label}:{raw.index[position]}: column {column!r}: value {value!r}: {reason}")

    dates = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        raise fail(int(np.flatnonzero(dates.isna())[0]), "date", "not an ISO date (YYYY-MM-DD)")
    frame = pd.DataFrame(index=pd.DatetimeIndex(dates, name="date"))
    for column in PRICE_COLUMNS:
        text = raw[column]
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = values.isna() & (text != "")
        if bad.any():
            raise fail(int(np.flatnonzero(bad)[0]), column, "not a number")
        frame[column] = values.to_numpy(dtype="float64")
    return validate_prices(frame, ticker or path.stem, str(path), cells=raw)


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
