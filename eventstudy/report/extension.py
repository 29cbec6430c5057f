"""What an application adds to a report beyond the study itself (its own pages, data files and sections).

The report knows nothing of any application; an application that wants its results in the report implements
:class:`ReportExtension` and is passed to :func:`eventstudy.report.write_report`. The claims checker
(:class:`eventstudy.claims.report.ClaimsExtension`) is one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from eventstudy.report.context import ReportContext

__all__ = ["ReportExtension"]


class ReportExtension(Protocol):
    """An addition to a report: pages and data files of its own, a section on the index, on event pages and on
    security pages, and an entry in ``run.json``."""

    #: Key of the extension's entry in ``run.json``.
    name: str

    def data_files(self) -> dict[str, str]:
        """File name -> what it holds, for every file :meth:`write` writes (listed on the index page)."""
        ...

    def columns(self) -> dict[str, dict[str, str]]:
        """Data file stem -> its columns and their meaning (for ``columns.md``)."""
        ...

    def write(self, folder: Path, context: ReportContext) -> list[Path]:
        """Write the extension's pages and data files into the report folder; return the CSV files written."""
        ...

    def index_section(self, context: ReportContext) -> str:
        """HTML of the extension's section on the index page (empty for none)."""
        ...

    def event_section(self, context: ReportContext, event_id: str) -> str:
        """HTML of the extension's section on an event's page (empty for none)."""
        ...

    def security_section(self, context: ReportContext, ticker: str) -> str:
        """HTML of the extension's section on a security's page (empty for none)."""
        ...

    def metadata(self) -> dict[str, Any]:
        """The extension's entry in ``run.json`` (JSON-ready)."""
        ...
