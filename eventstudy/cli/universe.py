"""``eventstudy universe``: the securities registry as a table."""

from __future__ import annotations


def show_universe() -> None:
    """List the securities of the universe."""
