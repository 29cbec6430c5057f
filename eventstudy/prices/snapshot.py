"""The offline price snapshot shipped inside the package.

``eventstudy/data/prices.csv.gz`` holds the real daily prices of ``shared/prices`` (one long table: ticker, date,
then the standard columns, values exactly as in the source files) and ``eventstudy/data/provenance.json`` names,
for every series, its source file, range, row count, SHA-256 and the provenance document (copied into
``eventstudy/data/provenance/``) that says which public repository and commit it was read from. Both are compiled by
``scripts/build_snapshot.py``; nothing in them is invented, interpolated or synthesized.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.prices.base import PRICE_COLUMNS, PriceSource, UnknownTickerError, slice_dates, validate_prices

__all__ = ["PROVENANCE_FILE", "SNAPSHOT_FILE", "SnapshotSource", "data_dir", "snapshot_provenance"]

SNAPSHOT_FILE = "prices.csv.gz"
PROVENANCE_FILE = "provenance.json"


def data_dir() -> Path:
    """The package's data folder."""
    return Path(str(resources.files("eventstudy") / "data"))


@cache
def _snapshot_frames() -> dict[str, pd.DataFrame]:
    table = pd.read_csv(
        data_dir() / SNAPSHOT_FILE,
        dtype={"ticker": str, "date": str} | dict.fromkeys(PRICE_COLUMNS, "float64"),
        keep_default_na=False,
        na_values={column: [""] for column in PRICE_COLUMNS},
    )
    table["date"] = pd.to_datetime(table["date"], format="%Y-%m-%d")
    return {
        str(ticker): validate_prices(rows.set_index("date")[list(PRICE_COLUMNS)], str(ticker), "the packaged snapshot")
        for ticker, rows in table.groupby("ticker", sort=False)
    }


@cache
def snapshot_provenance() -> dict[str, Any]:
    """Provenance of the packaged snapshot: per ticker its source file, range, rows, SHA-256 and source document."""
    return json.loads((data_dir() / PROVENANCE_FILE).read_text(encoding="utf-8"))


class SnapshotSource(PriceSource):
    """Prices from the snapshot packaged with eventstudy (works with no network)."""

    name = "snapshot"

    def tickers(self) -> list[str]:
        """Tickers the snapshot holds."""
        return list(_snapshot_frames())

    def history(self, ticker: str, start: object = None, end: object = None) -> pd.DataFrame:
        """Snapshot prices of ``ticker`` between ``start`` and ``end`` inclusive."""
        frames = _snapshot_frames()
        if ticker not in frames:
            raise UnknownTickerError(
                f"{ticker}: not in the offline snapshot (it holds {len(frames)} tickers; "
                "see `eventstudy universe`); fetch it online with `eventstudy prices fetch " + ticker + "`"
            )
        return slice_dates(frames[ticker], start, end).copy()
