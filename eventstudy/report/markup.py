"""The building blocks of report pages: escaped text, table cells that sort right, sortable tables, sections.

Every text that comes from the inputs (events file, universe, reasons) goes through :func:`esc`. A :class:`Cell`
carries its HTML and the value it sorts by; :func:`table` makes a table that ``assets/report.js`` sorts and filters.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "FALLBACK_NOTE",
    "Cell",
    "Column",
    "esc",
    "format_p",
    "interval",
    "link",
    "note",
    "number",
    "p_value",
    "percent",
    "section",
    "status",
    "table",
    "text",
]


def format_p(value: float) -> str:
    """A p- or q-value with three decimals, ``<0.001`` below that, ``n/a`` when missing."""
    if not np.isfinite(value):
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


# -- cells --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One table cell: its HTML (already escaped) and the value it sorts by."""

    html: str
    sort: float | str = ""
    css: str = ""


@dataclass(frozen=True)
class Column:
    """A table column: header text, a tooltip explaining it, and whether it sorts as numbers."""

    header: str
    help: str = ""
    numeric: bool = False


def esc(value: object) -> str:
    return html.escape(str(value))


def text(value: object, css: str = "") -> Cell:
    return Cell(esc(value), str(value), css)


def link(href: str, text: str, sort: str | None = None) -> Cell:
    return Cell(f'<a href="{esc(href)}">{esc(text)}</a>', text if sort is None else sort)


def number(value: object, digits: int = 2, scale: float = 1.0, suffix: str = "") -> Cell:
    number = float(value) if value is not None and not pd.isna(value) else np.nan  # type: ignore[arg-type]
    if not np.isfinite(number):
        return Cell('<span class="na">–</span>', "", "num")
    return Cell(f"{scale * number:.{digits}f}{suffix}", repr(round(scale * number, 12)), "num")


def percent(value: object) -> Cell:
    return number(value, 2, 100.0)


def p_value(value: object) -> Cell:
    """A p- or q-value, bold below 0.05."""
    cell = number(value, 3)
    if cell.sort == "":
        return cell
    p = float(cell.sort)
    shown = esc(format_p(p))
    return Cell(f"<b>{shown}</b>" if p < 0.05 else shown, cell.sort, "num")


def interval(low: object, high: object) -> Cell:
    if pd.isna(low) or pd.isna(high):
        return Cell('<span class="na">–</span>', "", "num")
    return Cell(f"[{100 * float(low):.2f}, {100 * float(high):.2f}]", repr(float(low)), "num")  # type: ignore[arg-type]


def status(status: str, reason: str, fallback_reason: str = "") -> Cell:
    """The status of a pair; a pair fitted by the short-history fallback carries a † badge explaining it."""
    badge = (
        f' <span class="fallback" title="{esc(fallback_reason)}">market-adjusted&nbsp;†</span>'
        if fallback_reason
        else ""
    )
    if status == "ok":
        return Cell(f"ok{badge}", status)
    return Cell(f'<span class="bad" title="{esc(reason)}">not estimable</span>{badge}', status, "bad-cell")


FALLBACK_NOTE = (
    "† Short history: fewer estimation returns than the model needs (a recent listing), so the pair uses the "
    "market-adjusted model, AR = R - R_m, with its variance from the returns between the 6th session after the "
    "listing and day -2 (hover the badge for the numbers; the `fallback_reason` column of the data says it too)."
)


def _attributes(**attributes: str) -> str:
    """`` name="value"`` for every non-empty attribute (``css`` becomes ``class``; values escaped)."""
    names = {"css": "class", "data_v": "data-v", "data_type": "data-type", "data_table": "data-table"}
    return "".join(f' {names.get(key, key)}="{esc(value)}"' for key, value in attributes.items() if value != "")


def table(columns: Sequence[Column], rows: Iterable[Sequence[Cell]], table_id: str, filterable: bool = True) -> str:
    """A sortable table (click a header; ``report.js``), with a text filter above it when ``filterable``."""
    head = "".join(
        f"<th{_attributes(data_type='num' if column.numeric else '', title=column.help)}>{esc(column.header)}</th>"
        for column in columns
    )
    cells = (
        "".join(f"<td{_attributes(css=cell.css, data_v=str(cell.sort))}>{cell.html}</td>" for cell in row)
        for row in rows
    )
    body = "\n".join(f"<tr>{row}</tr>" for row in cells)
    search = (
        f'<input class="filter" type="search"{_attributes(data_table=table_id)} placeholder="filter rows (any text)"'
        ' aria-label="filter the rows of the table">'
        if filterable
        else ""
    )
    return (
        f'{search}<div class="table-wrap"><table class="sortable"{_attributes(id=table_id)}>'
        f"<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table></div>"
    )


def note(text: str) -> str:
    return f'<p class="note">{text}</p>'


def section(section_id: str, title: str, *parts: str) -> str:
    return f'<section id="{section_id}"><h2>{esc(title)}</h2>{"".join(parts)}</section>'
