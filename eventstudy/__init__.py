"""eventstudy: measure how news moves stock prices.

The public API, re-exported here (see the README for a walk-through)::

    from eventstudy import EventStudy, load_events

    results = EventStudy(load_events("events.csv")).run()
    print(results.summary())

The names are loaded when first used (PEP 562), so that ``import eventstudy`` and the command line start fast; each
comes from the module that defines it (the table below).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from eventstudy.version import __version__

if TYPE_CHECKING:
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

#: Public name -> the module that defines it.
_EXPORTS = {
    "CsvDirectorySource": "eventstudy.prices",
    "Event": "eventstudy.events",
    "EventSet": "eventstudy.events",
    "EventStudy": "eventstudy.study",
    "EventStudyResults": "eventstudy.results",
    "PriceCache": "eventstudy.prices",
    "PriceChain": "eventstudy.prices",
    "Security": "eventstudy.universe",
    "SnapshotSource": "eventstudy.prices",
    "StudySpec": "eventstudy.spec",
    "Summary": "eventstudy.results",
    "Universe": "eventstudy.universe",
    "YahooSource": "eventstudy.prices",
    "day_zero": "eventstudy.calendars",
    "default_price_source": "eventstudy.prices",
    "load_events": "eventstudy.events",
    "load_universe": "eventstudy.universe",
    "write_report": "eventstudy.report",
}

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


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'eventstudy' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value  # loaded once
    return value


def __dir__() -> list[str]:
    return __all__
