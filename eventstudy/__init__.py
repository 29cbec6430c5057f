"""eventstudy: measure how news moves stock prices.

The public API is re-exported here; see the README for a walk-through.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from eventstudy.calendars import day_zero

try:
    __version__ = version("eventstudy")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = ["__version__", "day_zero"]
