"""Daily prices: one :class:`PriceSource` interface and its implementations.

* :class:`SnapshotSource`: the real prices packaged with eventstudy (offline).
* :class:`CsvDirectorySource`: a folder of CSV files in the same layout.
* :class:`YahooSource`: Yahoo Finance through yfinance (online).
* :class:`PriceCache`: a persistent SQLite cache of what was downloaded (it degrades, never blocks).
* :class:`PriceChain` / :func:`default_price_source`: cache, then snapshot, then Yahoo for what is missing.

Every source's prices pass one validation, :func:`validate_prices`.
"""

from eventstudy.prices.base import (
    MAX_PRICE,
    PRICE_COLUMNS,
    SPLIT_RATIO,
    InvalidPricesError,
    MissingPricesError,
    NetworkError,
    PriceDataError,
    PriceFileError,
    PriceSource,
    UnadjustedSplitWarning,
    UnknownTickerError,
    read_price_csv,
    validate_prices,
)
from eventstudy.prices.cache import (
    BUSY_TIMEOUT,
    CacheInfo,
    CacheWarning,
    PriceCache,
    clear_cache,
    default_cache_path,
    inspect_cache,
)
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
    "BUSY_TIMEOUT",
    "MAX_PRICE",
    "PRICE_COLUMNS",
    "SPLIT_RATIO",
    "CacheInfo",
    "CacheWarning",
    "Coverage",
    "CsvDirectorySource",
    "InvalidPricesError",
    "MissingPricesError",
    "NetworkError",
    "PriceCache",
    "PriceChain",
    "PriceData",
    "PriceDataError",
    "PriceFileError",
    "PriceSource",
    "SnapshotSource",
    "UnadjustedSplitWarning",
    "UnknownTickerError",
    "YahooSource",
    "as_chain",
    "assess_coverage",
    "clear_cache",
    "default_cache_path",
    "default_price_source",
    "inspect_cache",
    "offline_chain",
    "read_price_csv",
    "snapshot_provenance",
    "validate_prices",
]
