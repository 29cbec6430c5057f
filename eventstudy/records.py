"""Validated CSV records: the reader and the problem reports shared by every input CSV.

Events, claims, universe, reference and price files are CSVs a person edits in a spreadsheet: UTF-8 with or without
a BOM (or UTF-16 with its BOM, Excel's "Unicode Text"), comma-, semicolon- or tab-separated, LF or CRLF line ends.
:func:`read_records` reads one into ``(row, record)`` pairs and collects every file-level problem at once (missing
or repeated header columns, values under no header, duplicate ids); the loaders then validate each record with the
value converters here and their own. Rows count as a spreadsheet shows them: the header is row 1, the first record
row 2.

Limits (inputs of any size get a clear message, never a crash or a ``MemoryError``):

:data:`FIELD_LIMIT`
    1,000,000 characters per value (Python's ``csv`` stops at 131,072 by default). A longer value is a
    :class:`Problem` naming file, row and column, and its record is left out.
:data:`FILE_SIZE_LIMIT`
    100,000,000 bytes per file, read at once (the 33-event ``events.csv`` is 18 kB, so this is some 180,000
    events). A larger file is one :class:`Problem` naming its size, and nothing of it is read.

Values and column names quoted in a problem are shortened to :data:`SHOWN_VALUE_LIMIT` characters, so that a message
stays one line (:func:`shortened`; tables of problems should show values through it too).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "FIELD_LIMIT",
    "FILE_SIZE_LIMIT",
    "Problem",
    "RecordsFileError",
    "nonempty",
    "read_records",
    "shortened",
    "text",
    "to_id",
    "to_tickers",
    "wide_csv_fields",
]

#: Longest value read from a CSV cell, in characters (see the module docstring).
FIELD_LIMIT = 1_000_000
#: Largest CSV file read, in bytes (see the module docstring).
FILE_SIZE_LIMIT = 100_000_000
#: Longest value quoted in full in a problem; longer ones show their start and their length.
SHOWN_VALUE_LIMIT = 80

_ID_PATTERN = re.compile(r"[a-z0-9-]+")
_TICKER_PATTERN = re.compile(r"[A-Za-z0-9.^=_-]+")
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Problem:
    """One problem found in a record or a file.

    ``str(problem)`` reads ``file:row: column 'x': value 'v': reason``, leaving out the parts that are unknown.
    ``row`` counts rows as a spreadsheet shows them: the header is row 1, the first record row 2.
    """

    reason: str
    column: str | None = None
    value: str | None = None
    file: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(self.file if self.row is None else f"{self.file}:{self.row}")
        if self.column is not None:
            parts.append(f"column '{shortened(self.column)}'")
        if self.value is not None:
            parts.append(f"value '{shortened(self.value)}'")
        parts.append(self.reason)
        return ": ".join(parts)


def shortened(text: str) -> str:
    """``text``, or its start and its length when it is too long to quote in a one-line message."""
    if len(text) <= SHOWN_VALUE_LIMIT:
        return text
    return f"{text[: SHOWN_VALUE_LIMIT // 2]}... ({len(text):,} characters)"


@contextmanager
def wide_csv_fields() -> Iterator[None]:
    """Let Python's ``csv`` readers inside the block read values up to :data:`FILE_SIZE_LIMIT` characters.

    Python's default stops at 131,072 characters with ``_csv.Error``; inside the block no value of a file within
    :data:`FILE_SIZE_LIMIT` can exceed the limit, so the caller can check lengths against :data:`FIELD_LIMIT` and
    report them as problems. The limit is process-wide; it is put back when the block ends.
    """
    previous = csv.field_size_limit(FILE_SIZE_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


class RecordsFileError(ValueError):
    """A file that cannot be loaded; ``problems`` lists every problem found, one per line of the message."""

    def __init__(self, path: str | Path, problems: list[Problem]) -> None:
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in {path} (fix them and run it again):\n{lines}")


def text(value: object) -> str:
    """``value`` if it is text (converters raise ``ValueError`` with the reason, for :class:`Problem`)."""
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value


def nonempty(value: object) -> str:
    """Text that is not blank."""
    checked = text(value)
    if not checked.strip():
        raise ValueError("is empty")
    return checked


def to_id(value: object) -> str:
    """An id: a slug of lower-case letters, digits and ``-``."""
    checked = text(value)
    if not _ID_PATTERN.fullmatch(checked):
        raise ValueError("must be a slug of lower-case letters, digits and '-', e.g. 'deepseek-r1'")
    return checked


def to_tickers(value: object) -> tuple[str, ...]:
    """Tickers from ``"NVDA;0700.HK"`` or a list of them."""
    items = value.split(";") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise ValueError("must be ';'-separated tickers, or a list of them")
    tickers = tuple(text(item).strip() for item in items if text(item).strip())
    if any(not _TICKER_PATTERN.fullmatch(ticker) for ticker in tickers):
        raise ValueError("must be tickers such as NVDA or 0700.HK separated by ';'")
    repeated = sorted({ticker for ticker in tickers if tickers.count(ticker) > 1})
    if repeated:
        raise ValueError(f"lists {', '.join(repeated)} more than once")
    return tickers


def _parse(content: str, delimiter: str, name: str) -> tuple[list[list[str]], Problem | None]:
    """The rows of ``content`` (the file ``name``), or the problem that stops reading it: a quoted value never
    closed (the file ends inside it; a lenient reader would take the rest of the file into that value) or unreadable
    CSV. Parsed strictly once; only a file with another strict-mode error (a quote inside a value) is read again,
    leniently."""
    rows: list[list[str]] = []
    try:
        rows.extend(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter, strict=True))
        return rows, None
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):  # every row after it would silently become part of one value
            reason = "a quoted value starts on this row and its closing quote is missing: add it (or remove the quote)"
            return [], Problem(reason, file=name, row=len(rows) + 1)
    rows = []
    try:
        rows.extend(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter))
    except csv.Error as exc:  # with wide fields and strict=False only odd inputs get here; name the row
        return [], Problem(f"cannot be read as CSV: {exc}", file=name, row=len(rows) + 1)
    return rows, None


def read_records(
    path: str | Path, columns: Sequence[str], required: Sequence[str], unknown_columns: bool = True
) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """Read a CSV file into ``(row, record)`` pairs and every file-level problem.

    Parameters
    ----------
    path
        The file.
    columns
        The columns of the format (named in the message for an empty file or an unknown column).
    required
        Columns the header must have.
    unknown_columns
        Whether columns outside ``columns`` are kept (True) or each reported as a problem (False).

    Returns
    -------
    records, problems
        One ``(row, {column: stripped value})`` per non-blank line, and the problems: a file that is not UTF-8 or
        has no header, missing or repeated header columns, values under no header name, duplicate ``id`` values,
        a file over :data:`FILE_SIZE_LIMIT` bytes, values over :data:`FIELD_LIMIT` characters (their records are
        left out).

    Raises
    ------
    OSError
        If the file cannot be read.
    """
    name = str(path)
    size = Path(path).stat().st_size
    if size > FILE_SIZE_LIMIT:
        reason = f"the file is {size:,} bytes; files over {FILE_SIZE_LIMIT:,} bytes are not read (split it)"
        return [], [Problem(reason, file=name)]
    raw = Path(path).read_bytes()  # as bytes: line ends inside quoted values are kept
    encoding = "utf-16" if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8"
    try:
        content = raw.decode(encoding).lstrip("\ufeff")  # the BOM, even twice (saved again by a BOM-adding editor)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        reason = f"is not {encoding.upper()} text (line {line}, byte {exc.start}: 0x{raw[exc.start]:02X})"
        return [], [Problem(f"{reason}; save it as 'CSV UTF-8'", file=name)]
    delimiter = max(_DELIMITERS, key=content.split("\n", 1)[0].count)
    with wide_csv_fields():
        rows, unreadable = _parse(content, delimiter, name)
    if unreadable is not None:
        return [], [unreadable]
    header = [column.strip() for column in rows[0]] if rows else []
    if not any(header):
        return [], [Problem("the file is empty; it needs a header row: " + ",".join(columns), file=name, row=1)]
    problems = [
        Problem("required column is missing from the header", column, file=name, row=1)
        for column in required
        if column not in header
    ]
    problems += [
        Problem("column appears more than once in the header", column, file=name, row=1)
        for position, column in enumerate(header)
        if column and column in header[:position]
    ]
    if not unknown_columns:
        problems += [
            Problem(f"unknown column; the columns are {', '.join(columns)}", column, file=name, row=1)
            for column in header
            if column and column not in columns
        ]
    records = []
    first_row_of: dict[str, int] = {}
    for row, cells in enumerate(rows[1:], start=2):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue  # blank lines and Excel's trailing empty rows
        too_long = [k for k, cell in enumerate(cells) if len(cell) > FIELD_LIMIT]
        if too_long:
            for k in too_long:
                column = header[k] if k < len(header) and header[k] else f"number {k + 1} (no header)"
                reason = f"value of {len(cells[k]):,} characters is longer than the {FIELD_LIMIT:,}-character limit"
                problems.append(Problem(reason, column, file=name, row=row))
            continue  # the record is not validated: its problem is already reported
        stray = [cell for k, cell in enumerate(cells) if cell and (k >= len(header) or not header[k])]
        if stray:
            reason = "value in a column without a header name; name the column or delete the value"
            problems.append(Problem(reason, value=stray[0], file=name, row=row))
        record = {column: cell for column, cell in zip(header, cells, strict=False) if column}
        key = record.get("id", "")
        if key in first_row_of:
            problems.append(Problem(f"duplicate id; row {first_row_of[key]} already uses it", "id", key, name, row))
        elif key:
            first_row_of[key] = row
        records.append((row, record))
    return records, problems
