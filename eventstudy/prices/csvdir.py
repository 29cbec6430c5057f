"""Prices from a user's folder of CSV files, one per ticker, in the layout of ``shared/prices``.

Each file is read and validated on first use by :func:`~eventstudy.prices.base.read_price_csv` (an empty or
header-only file, a value that is not a positive finite price up to ``MAX_PRICE``: a
:class:`~eventstudy.prices.base.PriceFileError` naming file, line and column; a probable unadjusted split: an
:class:`~eventstudy.prices.base.UnadjustedSplitWarning` naming file, line and dates). A ticker whose file name would
leave the folder (``../x``) is not in it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from eventstudy.prices.base import (
    PriceDataError,
    PriceSource,
    UnknownTickerError,
    file_stem,
    read_price_csv,
    slice_dates,
)

__all__ = ["CsvDirectorySource"]


class CsvDirectorySource(PriceSource):
    """Read ``<folder>/<ticker>.csv`` (a leading ``^`` dropped: ``^HSI`` -> ``HSI.csv``), validated on first use.

    Parameters
    ----------
    folder
        Directory of CSV files with the header ``date,open,high,low,close,adj_close,volume``
        (``date`` and ``adj_close`` required).
    """

    name = "csv"

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise PriceDataError(f"{self.folder}: price folder does not exist")
        self._frames: dict[str, pd.DataFrame] = {}

    def tickers(self) -> list[str]:
        """File stems of the CSV files in the folder."""
        return sorted(path.stem for path in self.folder.glob("*.csv"))

    def history(self, ticker: str, start: object = None, end: object = None) -> pd.DataFrame:
        """Prices of ``ticker`` from its CSV file between ``start`` and ``end`` inclusive."""
        if ticker not in self._frames:
            path = self.folder / f"{file_stem(ticker)}.csv"
            if path.parent != self.folder or not path.is_file():
                raise UnknownTickerError(f"{ticker}: no file {path.name} in {self.folder}")
            self._frames[ticker] = read_price_csv(path, ticker)
        return slice_dates(self._frames[ticker], start, end).copy()
