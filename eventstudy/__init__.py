"""eventstudy: measure how news moves stock prices.

The public API, re-exported here (see the README for a walk-through)::

    from eventstudy import EventStudy, load_events

    results = EventStudy(load_events("events.csv")).run()
    print(results.summary())
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from eventstudy.calendars import day_zero
from eventstudy.engine import EventStudy
from eventstudy.events import Event, EventSet, load_events
from eventstudy.prices import (
    CsvDirectorySource,
    PriceCache,
    PriceChain,
    SnapshotSource,
    YahooSource,
    default_price_source,
)
from eventstudy.results import EventStudyResults
from eventstudy.universe import Security, Universe, load_universe

try:
    __version__ = version("eventstudy")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = [
    "CsvDirectorySource",
    "Event",
    "EventSet",
    "EventStudy",
    "EventStudyResults",
    "PriceCache",
    "PriceChain",
    "Security",
    "SnapshotSource",
    "Universe",
    "YahooSource",
    "__version__",
    "day_zero",
    "default_price_source",
    "load_events",
    "load_universe",
]
