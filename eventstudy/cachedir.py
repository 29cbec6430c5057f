"""Where eventstudy keeps what it can rebuild: ``$EVENTSTUDY_CACHE_DIR`` when set, else the user cache directory
(``platformdirs.user_cache_dir("eventstudy")``). The price cache and the calendars' session tables live there."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["CACHE_ENV", "cache_folder"]

CACHE_ENV = "EVENTSTUDY_CACHE_DIR"


def cache_folder() -> Path:
    """The cache folder (not created here)."""
    return Path(os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("eventstudy"))
