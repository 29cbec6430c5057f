"""The price cache degrades, never blocks: damaged, truncated, locked and read-only caches, and ``eventstudy cache``.

Tests may run as root, where ``chmod`` does not stop writes. The read-only cases therefore open the database the way
SQLite opens a file it may not write (``mode=ro``), by wrapping ``sqlite3.connect`` at the cache module's boundary;
one test uses a real ``chmod`` and runs only where it has an effect (not root).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from eventstudy.cli import app
from eventstudy.prices import (
    BUSY_TIMEOUT,
    CacheWarning,
    PriceCache,
    PriceChain,
    SnapshotSource,
    UnknownTickerError,
    clear_cache,
    inspect_cache,
)
from eventstudy.prices import cache as cache_module
from eventstudy.universe import load_universe

REPO = Path(__file__).resolve().parents[1]
NOW = pd.Timestamp("2026-11-29 12:00", tz="UTC")
TICKERS = ("NVDA", "TSM", "ASML", "SPY", "AMD", "MU")
runner = CliRunner()


def filled_cache(path: Path) -> PriceCache:
    """A real cache holding the snapshot's series of :data:`TICKERS` (some 300 kB, many pages)."""
    cache = PriceCache(path)
    for ticker in TICKERS:
        cache.store(ticker, SnapshotSource().history(ticker), "2023-01-01", "2026-09-25")
    return cache


def crash_return(source: PriceCache | PriceChain | SnapshotSource) -> float:
    """NVDA's return of 2025-01-27 (-16.97%) from the adjusted closes ``source`` serves."""
    close = source.history("NVDA", "2025-01-24", "2025-01-27")["adj_close"]
    return float(close.iloc[1] / close.iloc[0] - 1)


def crash_day(cache: PriceCache) -> float:
    """NVDA's return of 2025-01-27 served offline with ``cache`` first in the chain."""
    return crash_return(PriceChain([cache, SnapshotSource()], universe=load_universe(), now=NOW))


#: What the snapshot itself holds: NVDA's crash-day return and its number of rows, copied whole by filled_cache.
SNAPSHOT_CRASH_DAY = crash_return(SnapshotSource())
SNAPSHOT_NVDA_ROWS = len(SnapshotSource().history("NVDA"))


def a_week_of_prices() -> pd.DataFrame:
    return SnapshotSource().history("TSM", "2025-01-02", "2025-01-10")


def rows_on_disk(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return int(connection.execute("SELECT COUNT(*) FROM prices").fetchone()[0])


# --- damaged ------------------------------------------------------------------------------------------------------


def test_random_bytes_are_moved_aside_with_a_warning_naming_both_paths(tmp_path: Path) -> None:
    path = tmp_path / "prices.sqlite"
    garbage = os.urandom(20_000)
    path.write_bytes(garbage)
    with pytest.warns(CacheWarning) as caught:
        cache = PriceCache(path)
    (aside,) = tmp_path.glob("prices.sqlite.corrupt-*")
    assert [str(item.message) for item in caught] == [
        f"the price cache {path} is damaged (file is not a database); moved it to {aside} and started an empty "
        "cache in its place"
    ]
    assert aside.read_bytes() == garbage  # kept for inspection, never deleted
    assert cache.mode == "read-write" and cache.tickers() == []
    assert crash_day(cache) == pytest.approx(SNAPSHOT_CRASH_DAY, abs=1e-12)  # the snapshot serves


def test_half_a_real_database_is_moved_aside_and_the_fresh_cache_works(tmp_path: Path) -> None:
    path = tmp_path / "prices.sqlite"
    filled_cache(path)
    whole = path.read_bytes()
    assert len(whole) > 100_000
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.warns(CacheWarning, match=r"is damaged \(.+\); moved it to .+prices\.sqlite\.corrupt-"):
        cache = PriceCache(path)
    assert cache.tickers() == [] and len(list(tmp_path.glob("prices.sqlite.corrupt-*"))) == 1
    january = SnapshotSource().history("NVDA", "2025-01-02", "2025-01-31")
    cache.store("NVDA", january, "2025-01-02", "2025-01-31")
    assert len(PriceCache(path).history("NVDA")) == len(january)


def test_damage_found_by_a_later_read_moves_the_cache_aside_and_the_snapshot_serves(tmp_path: Path) -> None:
    path = tmp_path / "prices.sqlite"
    cache = filled_cache(path)  # opened (and checked) while still sound
    damaged = bytearray(path.read_bytes())
    damaged[4 * 4096 :] = os.urandom(len(damaged) - 4 * 4096)  # every page of the price rows
    path.write_bytes(bytes(damaged))
    with pytest.warns(CacheWarning, match=r"is damaged \(database disk image is malformed\); moved it to"):
        assert crash_day(cache) == pytest.approx(SNAPSHOT_CRASH_DAY, abs=1e-12)
    assert cache.tickers() == [] and len(list(tmp_path.glob("prices.sqlite.corrupt-*"))) == 1


def test_a_damaged_cache_that_cannot_be_moved_aside_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "prices.sqlite"
    path.write_bytes(b"not a database" * 100)

    def refuse(self: Path, target: Path) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "rename", refuse)
    with pytest.warns(CacheWarning) as caught:
        cache = PriceCache(path)
    assert [str(item.message) for item in caught] == [
        f"the price cache {path} is damaged (file is not a database) and cannot be moved aside (Permission denied); "
        "going on without it for this run"
    ]
    assert cache.mode == "memory" and path.read_bytes() == b"not a database" * 100


# --- locked -------------------------------------------------------------------------------------------------------

HOLD_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "exclusive":  # readers are shut out too
    connection.execute("PRAGMA locking_mode=EXCLUSIVE")
    connection.execute("BEGIN EXCLUSIVE")
else:  # only writers wait (WAL)
    connection.execute("BEGIN IMMEDIATE")
connection.execute("INSERT OR REPLACE INTO coverage VALUES ('LOCK', '2020-01-01', '2020-01-01')")
print("locked", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def locked(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A filled cache another process holds locked (``request.param``: ``"exclusive"`` or ``"writer"``)."""
    path = tmp_path / "prices.sqlite"
    filled_cache(path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), request.param],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    yield path
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(10) == 0


@pytest.mark.parametrize("locked", ["exclusive"], indirect=True)
def test_a_locked_cache_waits_two_seconds_then_the_run_goes_on_without_it(locked: Path) -> None:
    started = time.monotonic()
    with pytest.warns(CacheWarning) as caught:
        cache = PriceCache(locked)
    waited = time.monotonic() - started
    assert BUSY_TIMEOUT == 2.0 and BUSY_TIMEOUT <= waited < BUSY_TIMEOUT + 3  # was 30 s, then a traceback
    assert [str(item.message) for item in caught] == [
        f"the price cache {locked} is locked by another process (waited 2 s); going on without it for this run"
    ]
    assert cache.mode == "memory" and cache.tickers() == []
    assert crash_day(cache) == pytest.approx(SNAPSHOT_CRASH_DAY, abs=1e-12)  # --offline works


@pytest.mark.parametrize("locked", ["writer"], indirect=True)
def test_a_cache_locked_for_writing_is_read_and_new_downloads_are_kept_in_memory(locked: Path) -> None:
    cache = PriceCache(locked, busy_timeout=0.2)
    assert cache.mode == "read-write"
    assert len(cache.history("NVDA")) == SNAPSHOT_NVDA_ROWS  # WAL: readers are not blocked
    with pytest.warns(CacheWarning, match=r"is locked by another process \(waited 0.2 s\); going on without it"):
        cache.store("AAPL", a_week_of_prices(), "2025-01-02", "2025-01-10")
    assert cache.mode == "memory"
    assert len(cache.history("AAPL")) == len(a_week_of_prices())  # the new rows
    assert len(cache.history("NVDA")) == SNAPSHOT_NVDA_ROWS  # and a copy


# --- read-only ----------------------------------------------------------------------------------------------------


@pytest.fixture
def make_read_only(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """From the call on, the cache opens database files as SQLite opens a file it may not write (``mode=ro``)."""
    connect = sqlite3.connect

    def read_only(database: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if database != ":memory:" and not kwargs.get("uri"):
            database, kwargs["uri"] = f"file:{database}?mode=ro", True
        return connect(database, *args, **kwargs)

    return lambda: monkeypatch.setattr(cache_module.sqlite3, "connect", read_only)


def test_a_read_only_cache_is_read_and_new_downloads_stay_in_memory(
    tmp_path: Path, make_read_only: Callable[[], None]
) -> None:
    path = tmp_path / "prices.sqlite"
    filled_cache(path)
    before = rows_on_disk(path)
    make_read_only()
    cache = PriceCache(path)
    assert len(cache.history("NVDA")) == SNAPSHOT_NVDA_ROWS
    with pytest.warns(CacheWarning) as caught:
        cache.store("AAPL", a_week_of_prices(), "2025-01-02", "2025-01-10")
    assert [str(item.message) for item in caught] == [
        f"the price cache {path} cannot be written (attempt to write a readonly database); new downloads are kept "
        "for this run only"
    ]
    assert cache.mode == "memory" and len(cache.history("AAPL")) == len(a_week_of_prices())
    assert len(cache.history("NVDA")) == SNAPSHOT_NVDA_ROWS
    assert rows_on_disk(path) == before  # the file is untouched


def test_a_read_only_cache_that_needs_a_write_to_open_is_read_only(
    tmp_path: Path, make_read_only: Callable[[], None]
) -> None:
    """A cache still in rollback-journal mode needs a write to switch to WAL: it is opened read-only instead."""
    path = tmp_path / "prices.sqlite"
    filled_cache(path)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    make_read_only()
    with pytest.warns(CacheWarning) as caught:
        cache = PriceCache(path)
    assert [str(item.message) for item in caught] == [
        f"the price cache {path} cannot be written (attempt to write a readonly database); reading it without "
        "storing new downloads"
    ]
    assert cache.mode == "read-only" and cache.tickers() == sorted(TICKERS)
    assert crash_day(cache) == pytest.approx(SNAPSHOT_CRASH_DAY, abs=1e-12)


def test_a_cache_folder_that_cannot_be_made_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    with pytest.warns(CacheWarning, match=rf"^the price cache {blocker / 'prices.sqlite'} cannot be used \("):
        cache = PriceCache(blocker / "prices.sqlite")
    assert cache.mode == "memory"
    cache.store("AAPL", a_week_of_prices(), "2025-01-02", "2025-01-10")
    assert len(cache.history("AAPL")) == len(a_week_of_prices())


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="chmod does not stop root from writing")
def test_a_chmod_read_only_folder_is_read(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "prices.sqlite"
    filled_cache(path)
    path.chmod(0o444)
    path.parent.chmod(0o555)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cache = PriceCache(path)
            assert crash_day(cache) == pytest.approx(SNAPSHOT_CRASH_DAY, abs=1e-12)
            cache.store("AAPL", a_week_of_prices(), "2025-01-02", "2025-01-10")
        assert cache.mode == "memory" and all(str(path) in str(item.message) for item in caught)
    finally:
        path.parent.chmod(0o755)


# --- the command line ---------------------------------------------------------------------------------------------


def test_offline_commands_with_a_damaged_cache_exit_0_and_print_a_warning(private_cache: Path) -> None:
    path = private_cache / "prices.sqlite"
    path.write_bytes(os.urandom(8192))
    shown = runner.invoke(app, ["prices", "show", "NVDA", "--start", "2025-01-24", "--end", "2025-01-27", "--offline"])
    assert shown.exit_code == 0, shown.output
    assert f"warning: the price cache {path} is damaged (file is not a database); moved it to" in shown.output
    assert "-16.97%" in shown.output
    path.write_bytes(os.urandom(8192))
    out = private_cache.parent / "report"
    arguments = ["run", str(REPO / "events.csv"), "--offline", "--tickers", "NVDA", "--no-baskets", "--out", str(out)]
    ran = runner.invoke(app, arguments)
    assert ran.exit_code == 0, ran.output
    assert f"warning: the price cache {path} is damaged" in ran.output
    assert (out / "index.html").is_file()


@pytest.mark.parametrize("locked", ["exclusive"], indirect=True)
def test_offline_command_with_a_locked_cache_exits_0(locked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTSTUDY_CACHE_DIR", str(locked.parent))
    result = runner.invoke(app, ["prices", "show", "NVDA", "--start", "2025-01-24", "--end", "2025-01-27", "--offline"])
    assert result.exit_code == 0, result.output
    assert f"warning: the price cache {locked} is locked by another process" in result.output
    assert "NVDA (XNAS) from snapshot" in result.output


def test_cache_info_and_clear(private_cache: Path) -> None:
    path = private_cache / "prices.sqlite"
    absent = runner.invoke(app, ["cache", "info"])
    assert absent.exit_code == 0 and f"cache: {path}" in absent.output and "integrity: absent" in absent.output
    cache = PriceCache(path)
    cache.store("NVDA", SnapshotSource().history("NVDA", "2025-01-02", "2025-01-31"), "2025-01-01", "2025-01-31")
    cache.store("NVDA", SnapshotSource().history("NVDA", "2025-03-03", "2025-03-07"), "2025-03-01", "2025-03-07")
    info = runner.invoke(app, ["cache", "info"], env={"COLUMNS": "200"})
    assert info.exit_code == 0, info.output
    assert "integrity: ok" in info.output
    assert "NVDA" in info.output and "25" in info.output  # 20 + 5 sessions
    assert "2025-01-01..2025-01-31, 2025-03-01..2025-03-07" in info.output
    (private_cache / "prices.sqlite.corrupt-20250101-000000").write_bytes(b"x")
    cleared = runner.invoke(app, ["cache", "clear"])
    assert cleared.exit_code == 0, cleared.output
    assert f"removed {path}\n" in cleared.output and "prices.sqlite.corrupt-20250101-000000" in cleared.output
    assert list(private_cache.iterdir()) == []
    again = runner.invoke(app, ["cache", "clear"])
    assert again.exit_code == 0 and f"nothing to remove: there is no cache at {path}" in again.output


def test_inspect_reports_damage_without_changing_the_file(tmp_path: Path) -> None:
    path = tmp_path / "prices.sqlite"
    filled_cache(path)
    half = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(half)
    info = inspect_cache(path)
    assert info.integrity.startswith("damaged: ") and info.series == [] and info.size == len(half)
    assert path.read_bytes() == half and not list(tmp_path.glob("*.corrupt-*"))
    assert clear_cache(path)[0] == path and list(tmp_path.iterdir()) == []  # with SQLite's -wal and -shm files


def test_unknown_ticker_in_a_sound_cache_is_still_unknown(tmp_path: Path) -> None:
    with pytest.raises(UnknownTickerError, match=rf"ZZZ: not in the price cache {tmp_path / 'prices.sqlite'}"):
        PriceCache(tmp_path / "prices.sqlite").history("ZZZ")
