"""A study's own choices for its report, kept beside its events file (never as constants in the library).

``study.toml`` next to ``events.csv`` may hold a ``[report]`` table::

    [report]
    title = "How news moved stock prices: DeepSeek and China's AI race"
    timeline = ["NVDA", "TSM", "ASML"]      # securities drawn on the index timeline
    featured_basket = "HK AI & internet"    # the group whose equal-weighted basket the timeline adds

Every key is optional. Without them the report derives its choices from the results: the timeline shows the
(up to three) studied securities with the largest mean absolute CAR over the headline window, and the group whose
securities have the largest mean absolute CAR as its basket.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["STUDY_FILE", "ReportConfig", "ReportConfigError", "load_report_config"]

#: File name of a study's own configuration, beside its events file.
STUDY_FILE = "study.toml"
_KEYS = {"title": "text", "timeline": "a list of tickers", "featured_basket": "a universe group"}


class ReportConfigError(ValueError):
    """A study file that cannot be read; the message names the file and the key."""


@dataclass(frozen=True)
class ReportConfig:
    """A report's study-specific choices (``None``: derived from the results, see the module docstring)."""

    title: str = "How news moved stock prices: an event study"
    timeline: tuple[str, ...] | None = None
    featured_basket: str | None = None


def load_report_config(path: str | Path) -> ReportConfig:
    """The ``[report]`` table of a study file (defaults when the file has none).

    Raises
    ------
    ReportConfigError
        For a file that is not TOML, an unknown key or a value of the wrong type, naming the file and the key.
    OSError
        If the file cannot be read.
    """
    path = Path(path)
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("report", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ReportConfigError(f"{path}: not a TOML file: {exc}") from None
    if not isinstance(table, dict):
        raise ReportConfigError(f"{path}: 'report' must be a table ([report])")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise ReportConfigError(f"{path}: [report] has unknown key(s) {unknown}; the keys are {sorted(_KEYS)}")
    title = table.get("title", ReportConfig.title)
    timeline = table.get("timeline")
    basket = table.get("featured_basket")
    if not isinstance(title, str) or not title.strip():
        raise ReportConfigError(f"{path}: [report] title must be {_KEYS['title']}")
    if timeline is not None and not (isinstance(timeline, list) and all(isinstance(t, str) for t in timeline)):
        raise ReportConfigError(f'{path}: [report] timeline must be {_KEYS["timeline"]}, e.g. ["NVDA", "TSM"]')
    if basket is not None and not isinstance(basket, str):
        raise ReportConfigError(f"{path}: [report] featured_basket must be {_KEYS['featured_basket']}")
    return ReportConfig(title=title, timeline=None if timeline is None else tuple(timeline), featured_basket=basket)
