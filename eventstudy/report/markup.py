"""The building blocks of report pages: escaped text, numbers as a reader expects them, table cells that sort
right, sortable tables with a CSV download, sections and data blocks.

Every text that comes from the inputs (events file, universe, reasons) goes through :func:`esc`. A :class:`Cell`
carries its HTML and the value it sorts by; :func:`table` makes a table that ``assets/report.js`` sorts (click or
keyboard on a header; blanks last in both directions), filters and downloads as CSV. :func:`data_block` embeds JSON
for the page's script (pages carry no inline code: see the Content-Security-Policy of
:func:`eventstudy.report.pages.page`).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "FALLBACK_NOTE",
    "KINDS",
    "MINUS",
    "Cell",
    "Column",
    "blank",
    "data_block",
    "data_table",
    "esc",
    "format_p",
    "interval",
    "json_text",
    "link",
    "note",
    "number",
    "numbers",
    "p_value",
    "percent",
    "section",
    "signed_percent",
    "significant",
    "status",
    "table",
    "text",
]

#: The minus sign of every negative number shown (U+2212: typeset as wide as the plus, read as "minus").
MINUS = "\u2212"


def _finite(value: object) -> float:
    """``value`` as a float, NaN for missing or non-numeric values."""
    if value is None:
        return math.nan
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def format_p(value: object) -> str:
    """A p- or q-value with three decimals, ``<0.001`` below that, ``n/a`` when missing."""
    p = _finite(value)
    if math.isnan(p):
        return "n/a"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _signed(shown: str) -> str:
    """A formatted number with a true minus sign, and no sign at all when it rounds to zero."""
    if not shown.strip("+-0."):
        return shown.lstrip("+-")
    return MINUS + shown[1:] if shown.startswith("-") else shown


def signed_percent(value: object, digits: int = 1) -> str:
    """A fraction as a signed percentage with a true minus sign: ``-0.1327`` -> ``"−13.3%"``; ``n/a`` if missing."""
    number = _finite(value)
    return "n/a" if math.isnan(number) else _signed(f"{100 * number:+.{digits}f}") + "%"


def numbers(values: object, digits: int = 4) -> list[float | int | None]:
    """Values rounded to ``digits`` decimals for JSON (whole numbers for 0), missing and infinite values as ``None``."""
    array = np.round(np.asarray(values, dtype=float), digits)
    whole = int if digits == 0 else float
    return [whole(value) if math.isfinite(value) else None for value in array.tolist()]


def significant(values: object, digits: int = 3) -> list[float | None]:
    """Values with ``digits`` significant digits for JSON (p-values keep their size), missing as ``None``."""
    return [significant_value(value, digits) for value in np.asarray(values, float)]


def significant_value(value: float, digits: int = 3) -> float | None:
    """One value of :func:`significant` (without building an array)."""
    return float(f"{value:.{digits}g}") if math.isfinite(value) else None


def fixed(value: object, digits: int = 2) -> str:
    """A number with ``digits`` decimals and a true minus sign; ``n/a`` if missing."""
    number = float(value)  # type: ignore[arg-type]
    return "n/a" if not np.isfinite(number) else f"{number:.{digits}f}".replace("-", MINUS)


def lookup(values: Sequence[object]) -> tuple[list[int], list[object]]:
    """Each value's position in the list of its distinct values (in order of appearance), and that list: a data
    table's lookup column."""
    positions: dict[object, int] = {}
    codes = [positions.setdefault(value, len(positions)) for value in values]
    return codes, list(positions)


def json_text(value: object) -> str:
    """Compact JSON that is safe inside a ``<script type="application/json">`` element: ``<``, ``>`` and ``&`` are
    escaped, so no text can close the element."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def data_block(block_id: str, value: object) -> str:
    """JSON data for the page's script, in an inert ``<script type="application/json">`` element."""
    return f'<script type="application/json" id="{esc(block_id)}">{json_text(value)}</script>'


# -- cells --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One table cell: its HTML (already escaped), the value it sorts by when that is not its text (``None``: the
    text; ``report.js`` reads a number from it in a numeric column, and ``–`` or nothing is a blank, sorted last) and
    a class."""

    html: str
    sort: float | str | None = None
    css: str = ""


@dataclass(frozen=True)
class Column:
    """A table column: header text, a tooltip explaining it, whether it sorts as numbers, whether it stays in view
    when the table scrolls sideways (``frozen``: the identity column, which must be the first), and, in a
    :func:`data_table`, how ``report.js`` shows its values (``kind``, see :data:`KINDS`)."""

    header: str
    help: str = ""
    numeric: bool = False
    frozen: bool = False
    kind: str = ""


#: How ``report.js`` shows a value of a :func:`data_table` column, by the column's ``kind``: ``num0``..``num5`` a
#: number with that many decimals (a text such as ``"fixed"`` as it is, sorted as a blank), ``p`` a p-value (bold
#: below 0.05), ``interval`` ``[low, high]``, ``text`` a text, ``lookup`` the text at that position of the column's
#: lookup list, ``link`` the ``[text, href]`` at that position, ``links`` several such links (one lookup list per
#: position) joined by " × ", ``status`` ``[code, fallback, note]`` (0 estimated, 1 estimated without CAR, 2 not
#: estimable; 1 for the short-history fallback; the note on hover). ``null`` is a blank.
KINDS = ("num0", "num1", "num2", "num3", "num4", "num5", "p", "interval", "text", "lookup", "link", "links", "status")


def esc(value: object) -> str:
    return html.escape(str(value))


def blank() -> Cell:
    """An empty cell (a dash, sorted last)."""
    return Cell('<span class="na">–</span>')


def text(value: object, css: str = "") -> Cell:
    return Cell(esc(value), None, css)


def link(href: str, text: str, sort: str | None = None, title: str = "") -> Cell:
    hint = f' title="{esc(title)}"' if title else ""
    return Cell(f'<a href="{esc(href)}"{hint}>{esc(text)}</a>', sort)


def _sort_key(value: float) -> str:
    return f"{value:.7g}"


def number(value: object, digits: int = 2, scale: float = 1.0, suffix: str = "") -> Cell:
    """A number shown with ``digits`` decimals and a true minus sign (it sorts by its text)."""
    number = _finite(value)
    if math.isnan(number):
        return blank()
    return Cell(_signed(f"{scale * number:.{digits}f}") + suffix)


def percent(value: object, digits: int = 2) -> Cell:
    """A fraction shown in percent (without the sign ``%``: the header says it)."""
    return number(value, digits, 100.0)


def p_value(value: object) -> Cell:
    """A p- or q-value, bold below 0.05 (``<0.001`` sorts by its value)."""
    p = _finite(value)
    if math.isnan(p):
        return blank()
    shown = esc(format_p(p))
    return Cell(f"<b>{shown}</b>" if p < 0.05 else shown, _sort_key(p) if p < 0.001 else None)


def interval(low: object, high: object) -> Cell:
    """A confidence interval in percent, ``[low, high]``, sorted by its lower end."""
    lower, upper = _finite(low), _finite(high)
    if math.isnan(lower) or math.isnan(upper):
        return blank()
    return Cell(f"[{_signed(f'{100 * lower:.2f}')}, {_signed(f'{100 * upper:.2f}')}]", _sort_key(100 * lower))


def status(status: str, reason: str, fallback_reason: str = "", gap: str = "") -> Cell:
    """What happened to a pair, in words: estimated (with the model), estimated with no CAR over the window
    (``gap`` says why), or not estimable (the reason on hover); a pair fitted by the short-history fallback carries
    a † badge explaining it."""
    badge = (
        f' <span class="fallback" title="{esc(fallback_reason)}">market-adjusted&nbsp;†</span>'
        if fallback_reason
        else ""
    )
    if status != "ok":
        return Cell(f'<span class="bad" title="{esc(reason)}">not estimable</span>{badge}', None, "bad-cell")
    if gap:
        return Cell(f'<span class="warn" title="{esc(gap)}">estimated, no CAR</span>{badge}')
    return Cell(f"estimated{badge}")


FALLBACK_NOTE = (
    "† Short history: fewer estimation returns than the model needs (a recent listing), so the pair uses the "
    "market-adjusted model, AR = R − R<sub>m</sub>, with its variance from the returns between the 6th session after "
    "the listing and day −2 (hover the badge for the numbers; the <code>fallback_reason</code> column of the data "
    "says it too). Its tests rest on few returns: read them with care."
)


def _attributes(**attributes: str) -> str:
    """`` name="value"`` for every non-empty attribute (``css`` becomes ``class``; values escaped)."""
    names = {"css": "class", "data_type": "data-type", "data_table": "data-table", "data_file": "data-file"}
    names |= {"data_kind": "data-kind"}
    names |= {"aria_sort": "aria-sort"}
    return "".join(f' {names.get(key, key)}="{esc(value)}"' for key, value in attributes.items() if value != "")


def table(
    columns: Sequence[Column],
    rows: Iterable[Sequence[Cell]],
    table_id: str,
    *,
    caption: str = "",
    filterable: bool = True,
    sorted_by: tuple[int, str] | None = None,
    download: str = "",
) -> str:
    """A sortable table (a header is a button: click or Enter sorts; ``report.js``).

    Parameters
    ----------
    columns, rows
        The columns, and the rows of cells in the order shown. A ``frozen`` column (the first) holds row headers.
    table_id
        Id of the ``<table>`` element.
    caption
        What the table shows (for screen readers; visually hidden).
    filterable
        Add a text filter above the table.
    sorted_by
        ``(column index, "ascending" | "descending")``: the order the rows are already in, marked on its header.
    download
        File name of the CSV download button (none when empty): the rows shown, one value per cell.
    """
    frozen = bool(columns) and columns[0].frozen
    # Cells of text columns are marked "t" (left-aligned); numbers, the majority, carry no class at all.
    kinds = ["" if column.numeric else "t" for column in columns]
    lines = []
    for row in rows:
        cells = []
        for position, cell in enumerate(row):
            value = "" if cell.sort is None else f' data-v="{esc(cell.sort)}"'
            if frozen and position == 0:
                cells.append(f"<th{value}>{cell.html}</th>")  # a row header, frozen by the style sheet
            else:
                css = " ".join(part for part in (kinds[position], cell.css) if part)
                cells.append(f"<td{_attributes(css=css)}{value}>{cell.html}</td>")
        lines.append(f"<tr>{''.join(cells)}</tr>")
    described = f'<caption class="sr-only">{esc(caption)}</caption>' if caption else ""
    body = "\n".join(lines)
    return (
        f'{_tools(table_id, filterable, download)}<div class="table-wrap"><table class="sortable"'
        f"{_attributes(id=table_id)}>{described}{_head(columns, sorted_by)}<tbody>\n{body}\n</tbody></table></div>"
    )


def _tools(table_id: str, filterable: bool, download: str) -> str:
    tools = []
    if filterable:
        tools.append(
            f'<input class="filter" type="search"{_attributes(data_table=table_id)} placeholder="filter rows"'
            ' aria-label="filter the rows of the table">'
        )
    if download:
        tools.append(
            f'<button type="button" class="csv"{_attributes(data_table=table_id, data_file=download)}>'
            "Download CSV</button>"
        )
    return f'<div class="table-tools">{"".join(tools)}</div>' if tools else ""


def _head(columns: Sequence[Column], sorted_by: tuple[int, str] | None) -> str:
    heads = []
    for position, column in enumerate(columns):
        order = sorted_by[1] if sorted_by is not None and sorted_by[0] == position else ""
        attributes = _attributes(
            css="frozen" if column.frozen else "",
            data_type="num" if column.numeric and not column.kind else "",  # report.js reads it from a kind
            data_kind=column.kind,
            aria_sort=order,
            title=column.help,
        )
        heads.append(f'<th{attributes}><button type="button">{esc(column.header)}</button></th>')
    return f"<thead><tr>{''.join(heads)}</tr></thead>"


def data_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    table_id: str,
    *,
    lookups: Mapping[int, Sequence[object]] | None = None,
    caption: str = "",
    filterable: bool = True,
    sorted_by: tuple[int, str] | None = None,
    download: str = "",
) -> str:
    """A sortable table like :func:`table` whose rows ``report.js`` builds from a data block when the page loads:
    one array of plain values per row (each column's ``kind`` says how it is shown, :data:`KINDS`) and lookup
    lists for repeated texts, a third of the bytes of the same rows in HTML.

    Parameters
    ----------
    columns
        The columns, each with its ``kind``.
    rows
        The rows in the order shown, one JSON value per column.
    lookups
        Column position -> the list a ``lookup``, ``link`` or ``links`` value points into.
    """
    described = f'<caption class="sr-only">{esc(caption)}</caption>' if caption else ""
    spec = {"rows": rows, "lookups": {str(k): v for k, v in (lookups or {}).items()}}
    return (
        _tools(table_id, filterable, download)
        + f'<div class="table-wrap"><table class="sortable"{_attributes(id=table_id)} data-rows="{esc(table_id)}-data">'
        f"{described}{_head(columns, sorted_by)}<tbody></tbody></table></div>" + data_block(f"{table_id}-data", spec)
    )


def note(text: str) -> str:
    return f'<p class="note">{text}</p>'


def section(section_id: str, title: str, *parts: str) -> str:
    return f'<section id="{section_id}"><h2>{esc(title)}</h2>{"".join(parts)}</section>'
