"""eventstudy: measure how news moves stock prices.

The public API, re-exported here (see the README for a walk-through)::

    from eventstudy import EventStudy, load_events

    results = EventStudy(load_events("events.csv")).run()
    print(results.summary())
"""

from __future__ import annotations

from eventstudy.calendars import day_zero
from eventstudy.events import Event, EventSet, load_events
from eventstudy.prices import (
    CsvDirectorySource,
    PriceCache,
    PriceChain,
    SnapshotSource,
    YahooSource,
    default_price_source,
)
from eventstudy.report import write_report
from eventstudy.results import EventStudyResults, Summary
from eventstudy.spec import StudySpec
from eventstudy.study import EventStudy
from eventstudy.universe import Security, Universe, load_universe
from eventstudy.version import __version__

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
    "StudySpec",
    "Summary",
    "Universe",
    "YahooSource",
    "__version__",
    "day_zero",
    "default_price_source",
    "load_events",
    "load_universe",
    "write_report",
]
