"""Errors that more than one layer names, kept apart so that naming one imports nothing heavy (the command line maps
them to exit codes before it has loaded the modules that raise them)."""

from __future__ import annotations

__all__ = ["ReportError"]


class ReportError(ValueError):
    """A report that cannot be written as asked (unsafe names, an unknown window)."""
