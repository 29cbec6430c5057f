"""The installed version of eventstudy (a module of its own, so that any layer can name it without importing the
package's public API, which imports every layer)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("eventstudy")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
