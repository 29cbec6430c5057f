"""A persistent local price cache in SQLite, shared safely by concurrent processes; it degrades, never blocks.

Location: ``$EVENTSTUDY_CACHE_DIR/prices.sqlite`` when that variable is set, else the user cache directory
(``platformdirs.user_cache_dir("eventstudy")``).

The cache remembers which date ranges it has asked the online source for (``coverage``), not only the rows it got,
so a range with no sessions (a holiday week, a span before a listing) is not fetched again. Each write is one
transaction: an interrupted download rolls back and leaves the previous contents intact. The database runs in WAL
mode, so two processes can read and write it at once.

A cache is only a cache: whatever goes wrong with it, the command goes on with the other price sources (the packaged
snapshot serves ``--offline``), after a :class:`CacheWarning` naming the cache's path:

damaged
    A file that is not a database, or fails SQLite's ``PRAGMA quick_check`` when opened (truncated, overwritten), or
    reports damage later: it is moved aside to ``<name>.corrupt-<YYYYmmdd-HHMMSS>`` (with its ``-wal``/``-shm``
    files) and an empty cache is started in its place.
locked
    Another process holds a lock longer than :data:`BUSY_TIMEOUT` seconds: the run goes on without the cache (or,
    when only writing is blocked, keeps new downloads in memory).
read-only
    A read-only file or folder, a full disk, a file that cannot be opened: the cache is read if it can be
    (``mode == "read-only"``); new downloads are then kept in memory for the run, never written.

:attr:`PriceCache.mode` says which it came to: ``"read-write"``, ``"read-only"`` or ``"memory"`` (an in-memory
cache for this process only). :func:`inspect_cache` and :func:`clear_cache` back ``eventstudy cache info|clear``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import warnings
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import quote

import pandas as pd

from eventstudy.cachedir import CACHE_ENV, cache_folder
from eventstudy.prices.base import (
    PRICE_COLUMNS,
    InvalidPricesError,
    PriceSource,
    UnknownTickerError,
    empty_price_frame,
    slice_dates,
    validate_prices,
)

__all__ = [
    "BUSY_TIMEOUT",
    "CACHE_ENV",
    "CacheInfo",
    "CacheWarning",
    "PriceCache",
    "clear_cache",
    "default_cache_path",
    "inspect_cache",
]

#: Seconds a cache operation waits for another process's lock before the run goes on without the cache.
BUSY_TIMEOUT = 2.0
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS prices (
    ticker TEXT NOT NULL, date TEXT NOT NULL, {", ".join(f"{c} REAL" for c in PRICE_COLUMNS)},
    PRIMARY KEY (ticker, date)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS coverage (
    ticker TEXT NOT NULL, start TEXT NOT NULL, end TEXT NOT NULL, PRIMARY KEY (ticker, start, end)
) WITHOUT ROWID;
"""
#: Files SQLite keeps beside the database; they move and go with it.
COMPANIONS = ("-wal", "-shm", "-journal")
Range = tuple[pd.Timestamp, pd.Timestamp]
Mode = Literal["read-write", "read-only", "memory"]
T = TypeVar("T")


class CacheWarning(UserWarning):
    """The price cache cannot be used as it is; the message names its path and what the run does instead."""


class _DamagedCacheError(sqlite3.DatabaseError):
    """``PRAGMA quick_check`` found damage that SQLite did not raise by itself."""


def default_cache_path() -> Path:
    """Path of the cache database (see the module docstring)."""
    return cache_folder() / "prices.sqlite"


def merge_ranges(ranges: list[Range]) -> list[Range]:
    """Union of closed date ranges, with ranges one day apart joined."""
    merged: list[Range] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + pd.Timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _problem_kind(exc: BaseException) -> Literal["damaged", "locked", "unusable"]:
    """What an SQLite or file-system error says about the cache (see the module docstring)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if isinstance(exc, _DamagedCacheError) or name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return "damaged"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "locked"
    return "unusable"  # read-only file or folder, cannot open, permission, disk full, I/O error


def _read_only_uri(path: Path) -> str:
    return f"file:{quote(str(path.absolute()))}?mode=ro"


def _quick_check(connection: sqlite3.Connection) -> None:
    """Raise :class:`_DamagedCacheError` unless SQLite's quick integrity check passes."""
    result = [row[0] for row in connection.execute("PRAGMA quick_check")]
    if result != ["ok"]:
        raise _DamagedCacheError("; ".join(str(line) for line in result[:3]))


class PriceCache(PriceSource):
    """Prices downloaded earlier, kept in SQLite (see the module docstring).

    Parameters
    ----------
    path
        Database file; default :func:`default_cache_path`. Its folder is created when needed.
    busy_timeout
        Seconds to wait for another process's lock (default :data:`BUSY_TIMEOUT`).

    Warns
    -----
    CacheWarning
        When the cache is damaged, locked or read-only (see the module docstring), naming its path.
    """

    name = "cache"

    def __init__(self, path: str | Path | None = None, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self.busy_timeout = busy_timeout
        #: ``"read-write"``, ``"read-only"`` or ``"memory"`` (see the module docstring).
        self.mode: Mode = "read-write"
        self._memory: sqlite3.Connection | None = None
        self._moved_aside = False
        self._run(self._prepare)

    # -- connections and what happens when they fail ---------------------------------------------------------------

    def _prepare(self, connection: sqlite3.Connection) -> None:
        """Create the schema (read-write) and check the file's integrity (read-write and read-only)."""
        if self.mode == "read-write":
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(SCHEMA)
        if self.mode != "memory":
            _quick_check(connection)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._memory is not None:
            yield self._memory
            return
        if self.mode == "read-write":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            target, uri = str(self.path), False
        else:
            target, uri = _read_only_uri(self.path), True
        with closing(sqlite3.connect(target, timeout=self.busy_timeout, isolation_level=None, uri=uri)) as connection:
            yield connection

    def _run(self, operation: Callable[[sqlite3.Connection], T], writing: bool = False) -> T:
        """Run ``operation`` on a connection; on failure degrade (see the module docstring) and run it again."""
        while True:
            try:
                with self._connection() as connection:
                    return operation(connection)
            except sqlite3.ProgrammingError:
                raise  # a mistake in this module, not a problem of the file
            except (sqlite3.DatabaseError, OSError) as exc:
                if self._memory is not None:
                    raise
                self._degrade(exc, writing)

    def _degrade(self, exc: sqlite3.DatabaseError | OSError, writing: bool) -> None:
        kind = _problem_kind(exc)
        reason = str(exc) if isinstance(exc, sqlite3.Error) else (exc.strerror or str(exc))
        if kind == "damaged" and self.mode == "read-write" and not self._moved_aside:
            self._moved_aside = True
            try:
                aside = self._move_aside()
            except OSError as move_error:
                self._to_memory(f"is damaged ({reason}) and cannot be moved aside ({move_error.strerror})")
                return
            self._warn(f"is damaged ({reason}); moved it to {aside} and started an empty cache in its place")
            self._run(self._prepare)
            return
        if kind == "locked":
            self._to_memory(f"is locked by another process (waited {self.busy_timeout:g} s)", copy=writing)
        elif kind == "unusable" and self.mode == "read-write" and not writing and self.path.is_file():
            self.mode = "read-only"
            self._warn(f"cannot be written ({reason}); reading it without storing new downloads")
            self._run(self._prepare)
        elif writing and kind == "unusable":
            self._to_memory(f"cannot be written ({reason}); new downloads are kept for this run only", copy=True)
        else:
            self._to_memory(f"cannot be used ({reason})")

    def _to_memory(self, problem: str, copy: bool = False) -> None:
        """Go on with an in-memory cache, holding a copy of the file's contents when ``copy`` and it can be read."""
        memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        if copy:
            try:
                with closing(sqlite3.connect(_read_only_uri(self.path), uri=True, timeout=self.busy_timeout)) as disk:
                    disk.backup(memory)
            except sqlite3.Error:
                memory.close()
                memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        memory.executescript(SCHEMA)
        self._memory, self.mode = memory, "memory"
        self._warn(problem + ("" if "this run" in problem else "; going on without it for this run"))

    def _move_aside(self) -> Path:
        """Rename the damaged database and its companion files to ``<name>.corrupt-<time>``; return the new path."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        number = 1
        while aside.exists():
            number += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{number}")
        self.path.rename(aside)
        for suffix in COMPANIONS:
            companion = self.path.with_name(self.path.name + suffix)
            if companion.exists():
                companion.rename(aside.with_name(aside.name + suffix))
        return aside

    def _warn(self, problem: str) -> None:
        warnings.warn(f"the price cache {self.path} {problem}", CacheWarning, stacklevel=4)

    # -- the cache's contents --------------------------------------------------------------------------------------

    def tickers(self) -> list[str]:
        """Tickers with any cached coverage."""
        query = "SELECT DISTINCT ticker FROM coverage ORDER BY ticker"
        return self._run(lambda connection: [row[0] for row in connection.execute(query)])

    def coverage(self, ticker: str) -> list[Range]:
        """Merged date ranges the online source was asked for ``ticker`` (rows or not)."""
        query = "SELECT start, end FROM coverage WHERE ticker = ?"
        rows = self._run(lambda connection: connection.execute(query, (ticker,)).fetchall())
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
        """Cached prices of ``ticker`` between ``start`` and ``end`` inclusive.

        Rows that fail :func:`~eventstudy.prices.base.validate_prices` (written by hand or by an old version) are
        dropped from the cache with a :class:`CacheWarning`, and the ticker counts as not cached.
        """
        query = f"SELECT date, {', '.join(PRICE_COLUMNS)} FROM prices WHERE ticker = ? ORDER BY date"
        rows = self._run(lambda connection: connection.execute(query, (ticker,)).fetchall())
        table = pd.DataFrame(rows, columns=["date", *PRICE_COLUMNS])
        if table.empty:
            if not self.coverage(ticker):
                raise UnknownTickerError(f"{ticker}: not in the price cache {self.path}")
            return empty_price_frame()
        table.index = pd.DatetimeIndex(pd.to_datetime(table.pop("date")), name="date")
        try:
            frame = validate_prices(table.astype("float64"), ticker, f"the price cache {self.path}")
        except InvalidPricesError as exc:
            self.forget(ticker)
            warnings.warn(f"{exc}; dropped {ticker} from the cache", CacheWarning, stacklevel=2)
            raise UnknownTickerError(f"{ticker}: not in the price cache {self.path}") from None
        return slice_dates(frame, start, end)

    def forget(self, ticker: str) -> None:
        """Drop every row and range of ``ticker`` from the cache."""

        def delete(connection: sqlite3.Connection) -> None:
            with _transaction(connection):
                connection.execute("DELETE FROM prices WHERE ticker = ?", (ticker,))
                connection.execute("DELETE FROM coverage WHERE ticker = ?", (ticker,))

        self._run(delete, writing=True)

    def store(self, ticker: str, frame: pd.DataFrame, start: object, end: object, replace: bool = False) -> None:
        """Write ``frame`` and mark ``[start, end]`` covered, atomically.

        With ``replace=True`` the ticker's previous rows and coverage are dropped in the same transaction (used when
        the source's adjustment basis changed and the whole series was downloaded again).
        """

        def write(connection: sqlite3.Connection) -> None:
            with _transaction(connection):
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

        self._run(write, writing=True)

    @staticmethod
    def _rows(ticker: str, frame: pd.DataFrame) -> Iterator[tuple[object, ...]]:
        for date, *values in frame[list(PRICE_COLUMNS)].itertuples(name=None):
            yield (ticker, date.date().isoformat(), *(None if pd.isna(v) else float(v) for v in values))


@contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, rolled back on any exception (an interrupted download changes nothing)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with suppress(sqlite3.Error):  # a connection that failed may have rolled back already; keep the first error
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


@dataclass(frozen=True)
class CacheInfo:
    """What ``eventstudy cache info`` shows (from :func:`inspect_cache`).

    Attributes
    ----------
    path
        The database file.
    size
        Bytes of the database and its ``-wal``/``-shm`` files (0 when absent).
    integrity
        ``"ok"``, ``"absent"``, or what is wrong (damaged, locked, unreadable) and SQLite's words.
    series
        Per ticker: ``(ticker, rows, ranges)`` with the merged date ranges asked of the online source.
    moved_aside
        Damaged caches moved aside earlier (``<name>.corrupt-*``).
    """

    path: Path
    size: int
    integrity: str
    series: list[tuple[str, int, list[Range]]] = field(default_factory=list)
    moved_aside: list[Path] = field(default_factory=list)


def _cache_files(path: Path) -> list[Path]:
    """The database, its companion files and the damaged copies moved aside, those that exist."""
    files = [path.with_name(path.name + suffix) for suffix in ("", *COMPANIONS)]
    return [file for file in files if file.exists()] + sorted(path.parent.glob(f"{path.name}.corrupt-*"))


def inspect_cache(path: str | Path | None = None, busy_timeout: float = BUSY_TIMEOUT) -> CacheInfo:
    """Describe the cache without changing it: size, integrity (``PRAGMA quick_check``), tickers and ranges."""
    path = Path(path) if path is not None else default_cache_path()
    files = _cache_files(path)
    aside = [file for file in files if ".corrupt-" in file.name]
    size = sum(file.stat().st_size for file in files if file not in aside)
    if not path.is_file():
        return CacheInfo(path, size, "absent", moved_aside=aside)
    try:
        with closing(sqlite3.connect(_read_only_uri(path), uri=True, timeout=busy_timeout)) as connection:
            _quick_check(connection)
            counts = dict(connection.execute("SELECT ticker, COUNT(*) FROM prices GROUP BY ticker").fetchall())
            ranges: dict[str, list[Range]] = {}
            for ticker, start, end in connection.execute("SELECT ticker, start, end FROM coverage"):
                ranges.setdefault(ticker, []).append((pd.Timestamp(start), pd.Timestamp(end)))
    except sqlite3.DatabaseError as exc:
        kinds = {"damaged": "damaged", "locked": "locked by another process", "unusable": "cannot be read"}
        return CacheInfo(path, size, f"{kinds[_problem_kind(exc)]}: {exc}", moved_aside=aside)
    series = [(ticker, counts.get(ticker, 0), merge_ranges(ranges[ticker])) for ticker in sorted(ranges)]
    return CacheInfo(path, size, "ok", series, aside)


def clear_cache(path: str | Path | None = None) -> list[Path]:
    """Delete the cache database, its companion files and damaged copies moved aside; return what was removed.

    Raises
    ------
    OSError
        If a file cannot be removed (its ``filename`` names it).
    """
    path = Path(path) if path is not None else default_cache_path()
    removed = []
    for file in _cache_files(path):
        file.unlink()
        removed.append(file)
    return removed
