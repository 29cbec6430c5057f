"""Daily prices: one :class:`PriceSource` interface and its implementations.

* :class:`SnapshotSource`: the real prices packaged with eventstudy (offline).
* :class:`CsvDirectorySource`: a folder of CSV files in the same layout.
* :class:`YahooSource`: Yahoo Finance through yfinance (online).
* :class:`PriceCache`: a persistent SQLite cache of what was downloaded.
* :class:`PriceChain` / :func:`default_price_source`: cache, then snapshot, then Yahoo for what is missing.
"""

from eventstudy.prices.base import (
    PRICE_COLUMNS,
    MissingPricesError,
    NetworkError,
    PriceDataError,
    PriceFileError,
    PriceSource,
    UnknownTickerError,
    read_price_csv,
)
from eventstudy.prices.cache import PriceCache, default_cache_path
from eventstudy.prices.chain import (
    Coverage,
    PriceChain,
    PriceData,
    as_chain,
    assess_coverage,
    default_price_source,
    offline_chain,
)
from eventstudy.prices.csvdir import CsvDirectorySource
from eventstudy.prices.snapshot import SnapshotSource, snapshot_provenance
from eventstudy.prices.yahoo import YahooSource

__all__ = [
    "PRICE_COLUMNS",
    "Coverage",
    "CsvDirectorySource",
    "MissingPricesError",
    "NetworkError",
    "PriceCache",
    "PriceChain",
    "PriceData",
    "PriceDataError",
    "PriceFileError",
    "PriceSource",
    "SnapshotSource",
    "UnknownTickerError",
    "YahooSource",
    "as_chain",
    "assess_coverage",
    "default_cache_path",
    "default_price_source",
    "offline_chain",
    "read_price_csv",
    "snapshot_provenance",
]
