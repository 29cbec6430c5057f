"""Prices from Yahoo Finance through ``yfinance``: adjusted closes, batch downloads, retries with backoff.

The network boundary is the ``download`` callable (``yfinance.download`` by default); tests pass a fake with the same
signature. yfinance reports most failures by returning empty columns rather than raising, so an answer with no
prices for any requested ticker is retried like an exception, and reported as a :class:`NetworkError` at the end.

Yahoo writes 0 for an open, high or low it does not have (yfinance issues #415, #1281, #1566): such values are kept
as missing, like the empty cells of a CSV file. Every series then passes
:func:`~eventstudy.prices.base.validate_prices` (an :class:`~eventstudy.prices.base.InvalidPricesError` names the
ticker, date and column; a probable unadjusted split warns).
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from eventstudy.prices.base import (
    PRICE_COLUMNS,
    NetworkError,
    PriceSource,
    empty_price_frame,
    slice_dates,
    validate_prices,
)

__all__ = ["YahooSource"]

YAHOO_FIELDS = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Adj Close": "adj_close",
    "Volume": "volume",
}
EARLIEST = pd.Timestamp("1990-01-01")


def _yfinance_download(**kwargs: object) -> pd.DataFrame:
    """Call ``yfinance.download`` quietly: failures are reported by this module, once, with what to do."""
    import yfinance

    logger = logging.getLogger("yfinance")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return yfinance.download(**kwargs)
    finally:
        logger.setLevel(level)


class YahooSource(PriceSource):
    """Daily prices from Yahoo Finance (needs the network).

    Parameters
    ----------
    download
        Function with the signature of ``yfinance.download``; the default calls yfinance.
    attempts
        How many times a failed or empty download is tried.
    backoff_seconds
        Wait before the second attempt; it doubles after each failure.
    sleep
        Function used to wait (default ``time.sleep``; tests pass a no-op).
    """

    name = "yahoo"

    def __init__(
        self,
        download: Callable[..., pd.DataFrame] | None = None,
        attempts: int = 3,
        backoff_seconds: float = 1.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._download = download or _yfinance_download
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self._sleep = sleep or time.sleep

    def histories(self, tickers: Iterable[str], start: object = None, end: object = None) -> dict[str, pd.DataFrame]:
        """Download several tickers in one batch; a ticker Yahoo has nothing for maps to an empty frame.

        Raises
        ------
        NetworkError
            If every attempt raised or returned no prices at all.
        InvalidPricesError
            If Yahoo's answer holds values that are not prices (see :func:`~eventstudy.prices.base.validate_prices`).
        """
        tickers = list(dict.fromkeys(tickers))
        first = EARLIEST if start is None else pd.Timestamp(start)
        # yfinance's end is exclusive; without one it means "now".
        stop = None if end is None else (pd.Timestamp(end) + pd.Timedelta(days=1)).date().isoformat()
        last_problem = "no prices returned"
        for attempt in range(self.attempts):
            if attempt:
                self._sleep(self.backoff_seconds * 2 ** (attempt - 1))
            try:
                raw = self._download(
                    tickers=tickers,
                    start=first.date().isoformat(),
                    end=stop,
                    auto_adjust=False,
                    actions=False,
                    group_by="ticker",
                    progress=False,
                    threads=True,
                    multi_level_index=True,
                )
            except Exception as exc:  # yfinance and requests raise many types; all mean "try again"
                last_problem = f"{type(exc).__name__}: {exc}"
                continue
            frames = {ticker: slice_dates(_standard_frame(raw, ticker), start, end) for ticker in tickers}
            if any(len(frame) for frame in frames.values()):
                return {ticker: validate_prices(frame, ticker, "Yahoo Finance") for ticker, frame in frames.items()}
        raise NetworkError(
            f"Yahoo Finance gave no prices for {', '.join(tickers)} after {self.attempts} attempts "
            f"({last_problem}): no network, or unknown tickers. Work offline with --offline (the packaged snapshot)."
        )

    def history(self, ticker: str, start: object = None, end: object = None) -> pd.DataFrame:
        """Download one ticker.

        Raises
        ------
        NetworkError
            If Yahoo could not be reached or returned nothing.
        """
        return self.histories([ticker], start, end)[ticker]


def _standard_frame(raw: pd.DataFrame | None, ticker: str) -> pd.DataFrame:
    """The columns of ``ticker`` in a ``yfinance.download`` answer, as a standard price frame."""
    if raw is None or raw.empty:
        return empty_price_frame()
    if isinstance(raw.columns, pd.MultiIndex):
        level = 0 if ticker in raw.columns.get_level_values(0) else 1
        if ticker not in raw.columns.get_level_values(level):
            return empty_price_frame()
        columns = raw.xs(ticker, axis=1, level=level)
    else:
        columns = raw
    frame = pd.DataFrame(
        {
            ours: pd.to_numeric(columns[theirs], errors="coerce") if theirs in columns else np.nan
            for theirs, ours in YAHOO_FIELDS.items()
        },
        index=columns.index,
    )
    index = pd.DatetimeIndex(frame.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    frame.index = index.normalize().rename("date")
    frame = frame.astype("float64")[list(PRICE_COLUMNS)]
    ohl = ["open", "high", "low"]
    frame[ohl] = frame[ohl].where(frame[ohl] != 0)  # Yahoo's 0 for a value it does not have (module docstring)
    # yfinance keeps rows of other tickers' sessions as NaN, and placeholder rows with no (or a 0) close; any other
    # value is left to the validation.
    return frame[frame["adj_close"].notna() & (frame["adj_close"] != 0)].sort_index()
