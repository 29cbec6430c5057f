"""The defaults of a study, defined once: the specification (:mod:`eventstudy.spec`) and the command line read them.

Nothing here imports anything, so that the command line starts fast.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "ANALYSES",
    "BACKENDS",
    "DEFAULT_BHAR_WINDOWS",
    "DEFAULT_BOOTSTRAP_REPLICATIONS",
    "DEFAULT_ESTIMATION_WINDOW",
    "DEFAULT_EVENT_WINDOWS",
    "DEFAULT_FALLBACK",
    "DEFAULT_FALLBACK_FLOOR",
    "DEFAULT_MEMORY_BUDGET",
    "DEFAULT_MIN_ESTIMATION",
    "DEFAULT_MODEL",
    "DEFAULT_PATH_WINDOW",
    "DEFAULT_PLACEBO_REPLICATIONS",
    "DEFAULT_SKIP_AFTER_LISTING",
    "FALLBACK_LAST_DAY",
    "FALLBACK_POLICIES",
    "NON_STUDY_GROUPS",
    "FallbackPolicy",
    "Window",
    "window_label",
]

Window = tuple[int, int]
FallbackPolicy = Literal["market-adjusted", "none"]
FALLBACK_POLICIES: tuple[str, ...] = get_args(FallbackPolicy)

DEFAULT_MODEL = "market"
DEFAULT_ESTIMATION_WINDOW: Window = (-250, -11)
DEFAULT_EVENT_WINDOWS: tuple[Window, ...] = ((0, 0), (-1, 1), (0, 1), (0, 5), (-5, 5))
#: The AR path reported per pair; widened to cover every event window of a study.
DEFAULT_PATH_WINDOW: Window = (-10, 10)
DEFAULT_MIN_ESTIMATION = 120
DEFAULT_FALLBACK: FallbackPolicy = "market-adjusted"
DEFAULT_FALLBACK_FLOOR = 15
DEFAULT_SKIP_AFTER_LISTING = 5
DEFAULT_BOOTSTRAP_REPLICATIONS = 999
DEFAULT_PLACEBO_REPLICATIONS = 199
#: Long windows of the buy-and-hold abnormal returns (see :mod:`eventstudy.analyses.bhar`).
DEFAULT_BHAR_WINDOWS: tuple[Window, ...] = ((0, 20), (0, 60))
#: The analyses beyond abnormal returns a study runs by default (see :mod:`eventstudy.analyses`).
ANALYSES = ("cross_section", "volume", "volatility", "bhar", "garch")
#: Working memory of one chunk of pairs, in bytes (see :mod:`eventstudy.engine.chunks`).
DEFAULT_MEMORY_BUDGET = 1 << 30
#: Where the chunks are computed (see :mod:`eventstudy.engine.backends`).
BACKENDS = ("in-process", "dask")
#: Last day of the short-history fallback's estimation window, relative to day 0.
FALLBACK_LAST_DAY = -2
#: Universe groups that are measuring sticks rather than subjects; studied only when selected explicitly.
NON_STUDY_GROUPS = ("benchmarks", "sector indices")


def window_label(window: Window) -> str:
    """``(-1, 1)`` -> ``"(-1,+1)"``; ``(0, 0)`` -> ``"(0,0)"``."""

    def signed(day: int) -> str:
        return f"{day:+d}" if day else "0"

    return f"({signed(window[0])},{signed(window[1])})"
