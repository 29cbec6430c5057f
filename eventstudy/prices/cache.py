"""A persistent local price cache in SQLite, shared safely by concurrent processes.

Location: ``$EVENTSTUDY_CACHE_DIR/prices.sqlite`` when that variable is set, else the user cache directory
(``platformdirs.user_cache_dir("eventstudy")``).

The cache remembers which date ranges it has asked the online source for (``coverage``), not only the rows it got,
so a range with no sessions (a holiday week, a span before a listing) is not fetched again. Each write is one
transaction: an interrupted download rolls back and leaves the previous contents intact. The database runs in WAL
mode with a busy timeout, so two processes can read and write it at once.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pandas as pd
import platformdirs

from eventstudy.prices.base import (
    PRICE_COLUMNS,
    PriceSource,
    UnknownTickerError,
    empty_price_frame,
    slice_dates,
)

__all__ = ["CACHE_ENV", "PriceCache", "default_cache_path"]

CACHE_ENV = "EVENTSTUDY_CACHE_DIR"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS prices (
    ticker TEXT NOT NULL, date TEXT NOT NULL, {", ".join(f"{c} REAL" for c in PRICE_COLUMNS)},
    PRIMARY KEY (ticker, date)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS coverage (
    ticker TEXT NOT NULL, start TEXT NOT NULL, end TEXT NOT NULL, PRIMARY KEY (ticker, start, end)
) WITHOUT ROWID;
"""
Range = tuple[pd.Timestamp, pd.Timestamp]


def default_cache_path() -> Path:
    """Path of the cache database (see the module docstring)."""
    folder = os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("eventstudy")
    return Path(folder) / "prices.sqlite"


def merge_ranges(ranges: list[Range]) -> list[Range]:
    """Union of closed date ranges, with ranges one day apart joined."""
    merged: list[Range] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + pd.Timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class PriceCache(PriceSource):
    """Prices downloaded earlier, kept in SQLite (see the module docstring).

    Parameters
    ----------
    path
        Database file; default :func:`default_cache_path`. Its folder is created when needed.
    """

    name = "cache"

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as connection:
            yield connection

    def tickers(self) -> list[str]:
        """Tickers with any cached coverage."""
        with self._connection() as connection:
            return [row[0] for row in connection.execute("SELECT DISTINCT ticker FROM coverage ORDER BY ticker")]

    def coverage(self, ticker: str) -> list[Range]:
        """Merged date ranges the online source was asked for ``ticker`` (rows or not)."""
        with self._connection() as connection:
            rows = connection.execute("SELECT start, end FROM coverage WHERE ticker = ?", (ticker,)).fetchall()
        return merge_ranges([(pd.Timestamp(start), pd.Timestamp(end)) for start, end in rows])

    def missing_ranges(self, ticker: str, start: object, end: object) -> list[Range]:
        """Parts of ``[start, end]`` not yet covered for ``ticker``."""
        gaps: list[Range] = []
        cursor, stop = pd.Timestamp(start), pd.Timestamp(end)
        for covered_start, covered_end in self.coverage(ticker):
            if covered_end < cursor:
                continue
            if covered_start > stop:
                break
            if covered_start > cursor:
                gaps.append((cursor, covered_start - pd.Timedelta(days=1)))
            cursor = max(cursor, covered_end + pd.Timedelta(days=1))
        if cursor <= stop:
            gaps.append((cursor, stop))
        return gaps

    def history(self, ticker: str, start: object = None, end: object = None) -> pd.DataFrame:
        """Cached prices of ``ticker`` between ``start`` and ``end`` inclusive."""
        with self._connection() as connection:
            table = pd.read_sql_query(
                f"SELECT date, {', '.join(PRICE_COLUMNS)} FROM prices WHERE ticker = ? ORDER BY date",
                connection,
                params=(ticker,),
            )
        if table.empty:
            if not self.coverage(ticker):
                raise UnknownTickerError(f"{ticker}: not in the price cache {self.path}")
            return empty_price_frame()
        table.index = pd.DatetimeIndex(pd.to_datetime(table.pop("date")), name="date")
        return slice_dates(table.astype("float64"), start, end)

    def store(self, ticker: str, frame: pd.DataFrame, start: object, end: object, replace: bool = False) -> None:
        """Write ``frame`` and mark ``[start, end]`` covered, atomically.

        With ``replace=True`` the ticker's previous rows and coverage are dropped in the same transaction (used when
        the source's adjustment basis changed and the whole series was downloaded again).
        """
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                if replace:
                    connection.execute("DELETE FROM prices WHERE ticker = ?", (ticker,))
                    connection.execute("DELETE FROM coverage WHERE ticker = ?", (ticker,))
                connection.executemany(
                    f"INSERT OR REPLACE INTO prices VALUES (?, ?{', ?' * len(PRICE_COLUMNS)})",
                    self._rows(ticker, frame),
                )
                connection.execute(
                    "INSERT OR REPLACE INTO coverage VALUES (?, ?, ?)",
                    (ticker, pd.Timestamp(start).date().isoformat(), pd.Timestamp(end).date().isoformat()),
                )
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    @staticmethod
    def _rows(ticker: str, frame: pd.DataFrame) -> Iterator[tuple[object, ...]]:
        for date, *values in frame[list(PRICE_COLUMNS)].itertuples(name=None):
            yield (ticker, date.date().isoformat(), *(None if pd.isna(v) else float(v) for v in values))
