"""Issue 15, property-based: no input file a user can write ends in a traceback or an exit code other than 0, 1, 2.

Each property starts from a valid file (the repository's ``events.csv`` and ``claims.csv`` with the reference files
beside it, and the small universe and price files of ``tests/data/fuzz/base``) and damages it the ways files get
damaged: cells replaced by edge values (empty, whitespace, huge or non-finite numbers, impossible dates and times,
unknown time zones, ids and tickers that are not file names, windows out of order or out of any calendar), columns
dropped, repeated or added, ragged and repeated rows, other separators and line ends, a BOM, other encodings,
non-UTF-8 and NUL bytes, a field over the 1,000,000-character limit, a header alone, an empty file, binary garbage.
Every damaged file goes through the command line (``typer.testing.CliRunner``), and the result must be:

* exit code 0, 1 or 2, no exception but ``SystemExit``, no "Traceback" in the output;
* exit 1 names the damaged file; when only cells were damaged (the file is still a well-formed CSV), the message
  names a row and a column too;
* ``events check``, ``events list`` and ``run`` agree: ``check`` passes exactly the files ``list`` shows, and a file
  ``check`` passes is never refused by ``run`` as bad input.

The examples are drawn from a fixed seed (``derandomize=True``) and no example database, so every run tries the same
files; ``pytest --hypothesis-show-statistics tests/test_fuzz_inputs.py`` shows how many. The cases the issue lists,
and every failure these properties found, are kept as fixed files in ``tests/data/fuzz`` (test_regression_corpus).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import note as hypothesis_note
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from numpy.testing import assert_allclose
from typer.testing import CliRunner

from eventstudy import EventStudy
from eventstudy.claims.reference import REFERENCE_FILES
from eventstudy.cli import app
from eventstudy.cli.common import console, error_console, errors_to_exit_codes
from eventstudy.events import load_events
from eventstudy.models import WindowMoments
from eventstudy.prices import CsvDirectorySource
from eventstudy.records import FIELD_LIMIT
from eventstudy.universe import load_universe

REPO = Path(__file__).resolve().parents[1]
FUZZ = Path(__file__).resolve().parent / "data" / "fuzz"
BASE = FUZZ / "base"
runner = CliRunner()

#: Examples per property. Every example is one damaged file and one to three commands on it; the whole module
#: stays well under a minute of CPU.
EXAMPLES = {"events": 150, "run": 30, "claims": 60, "reference": 45, "universe": 100, "prices": 100}

#: Longest line of an error message (long values are quoted by their start and length).
MESSAGE_LINE_LIMIT = 2_000

# -- edge values --------------------------------------------------------------------------------------------------

HUGE_VALUE = "x" * (FIELD_LIMIT + 1)
#: Values any cell may get.
EDGE_VALUES = (
    "",
    " ",
    "\t",
    "  padded  ",
    "0",
    "-1",
    "-0",
    "1e308",
    "-1e308",
    "1e309",
    "9" * 400,
    "inf",
    "-inf",
    "nan",
    "NaN",
    "null",
    "2025-02-30",
    "2025-13",
    "2025-13-01",
    "2025-00-10",
    "0001-01-01",
    "9999-12-31",
    "1900-01-01",
    "2009-12-31",
    "2027-12-06",
    "2100-01-01",
    "20250127",
    "27/01/2025",
    "2025-1-7",
    "2025-01-27T09:30",
    "2025-01-27 25:00",
    "2025-01-27 09:30+08:00",
    "25:00",
    "24:00",
    "12:60",
    "9:30",
    "09:30:61",
    "Mars/Olympus_Mons",
    "UTC+8",
    "asia/shanghai",
    "has space",
    "with/slash",
    "..",
    "../../evil",
    "é-ünicode",
    "中文",
    "a" * 101,
    "a" * 256,
    "nul\x00byte",
    "line\nbreak",
    "carriage\rreturn",
    'quote"inside',
    ";",
    ",",
    "=1+2",
    "\u202eright-to-left",
    "[/x]",
    "[bold]b",
    ":100:",
    "-99999,99999",
    "3,1",
    "offer..",
    HUGE_VALUE,
)
#: Values of particular columns, by column name (any file kind).
COLUMN_EDGES: Mapping[str, tuple[str, ...]] = {
    "id": ("deepseek-r1", "Upper-Case", "trailing-", "a" * 100, "con", "a--b", "ünï"),
    "event_id": ("deepseek-r1", "no-such-event", "nvidia-crash", "stargate", "deepseek-v2"),
    "date": ("2025-01", "2025-01-27 09:30", "2027-12-03", "2027-12-03 16:30", "2027-12", "2010-01-01"),
    "date_end": ("2025-01-01", "2027-12-31", "2025-01-28"),
    "time": ("09:30", "23:59:59", "00:00"),
    "time_end": ("16:00", "00:00"),
    "timezone": ("America/New_York", "Asia/Shanghai", "Etc/GMT+12", "UTC", "localtime"),
    "date_precision": ("exact", "day", "span", "month", "undated", "DAY", "week"),
    "tickers": ("NVDA", "NVDA;NVDA", "NOPE.XX", "0700.HK;NVDA", "^", ".", "NVDA;", "^GSPC", "BRK-B", "../../evil"),
    "status": ("planned", "reported", "cancelled"),
    "window": (
        "0,0",
        "-1,1",
        "-99999,99999",
        "0,99999",
        "-5000,-4000",
        "2025-01-01..2024-01-01",
        "offer..2026-02-12",
        "2009-01-02..2009-02-02",
        "2025-01-27..2099-01-01",
        "offer..2099-01-01",
        "1,2,3",
        "0.5,1",
    ),
    "alternatives": ("0,0;-1,1", "-99999,99999", ";", "2025-01-27..2025-02-03;offer..2026-02-12"),
    "claim_type": ("return", "record", "direction", "market_cap_level", "price_ratio", "market_cap_change", "Return"),
    "comparison": ("<=", ">=", "about", "==", ""),
    "claimed_value": ("-0.17", "589e9", "1e400"),
    "tolerance": ("-1", "0.01", "1e300"),
    "unit": ("fraction", "ratio", "USD", "HKD", "sessions up", "EUR"),
    "group": ("US semiconductors", "benchmarks", "!!!", "a" * 101, "HK AI model makers", "us-semiconductors"),
    "proxy_group": ("US semiconductors", "no such group"),
    "exchange": ("XNYS", "XHKG", "XXXX", "xnys", "XSHG"),
    "ticker": ("NVDA", "0700.HK", "SPY", "NOPE.XX", "^HSI", "../../evil", ".HK", "^"),
    "benchmark": ("SPY", "^HSI", "NVDA", "0700.HK", "NOPE.XX"),
    "factor": ("SOXX", "^HSI", "NOPE.XX"),
    "listed": ("2025-01-27", "2026-01-08", "2030-01-01", "2000-01-01"),
    "published": ("2025-02-01", "2099-01-01"),
    "shares": ("24490000000", "-5", "0", "1e400"),
    "as_of": ("2025-01-01", "2009-01-01"),
    "price": ("116.2", "-1", "0", "1e13"),
    "open": ("1e13", "-1", "0"),
    "high": ("1e13", "-1", "0"),
    "low": ("1e13", "-1", "0"),
    "close": ("1e13", "-1", "0", "1"),
    "adj_close": ("1e13", "-1", "0", "1", "0.0001", "100000"),
    "volume": ("-1", "1e30", "1.5"),
}
#: Names a header cell may get.
HEADER_EDGES = ("", "extra", "ID", " id ", "date ", "Date", "tickers", "id;date", "\ufeffid", "列", "[/x]")

# -- damaged files ------------------------------------------------------------------------------------------------

STRUCTURAL = (
    "drop column",
    "repeat column",
    "add column",
    "rename column",
    "ragged row",
    "repeat row",
    "header only",
    "one row",
    "blank rows",
    "swap columns",
)
BYTE_DAMAGE = (
    "NUL byte",
    "non-UTF-8 bytes",
    "truncated",
    "unclosed quote",
    "binary garbage",
    "empty file",
    "BOM twice",
)


@dataclass(frozen=True)
class Damaged:
    """A damaged file: its bytes, what was done to it, and whether it is still a well-formed CSV whose every problem
    is in a cell (then every message names a row and a column)."""

    content: bytes
    steps: tuple[str, ...]
    cells_only: bool


def read_table(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle) if row]


@st.composite
def damaged_csv(draw: st.DrawFn, base: Path, delimiters: Sequence[str] = (",", ";", "\t")) -> Damaged:
    """``base`` with some of its cells replaced by edge values, maybe structural damage, written with a drawn
    separator, line end, quoting and encoding, maybe with damaged bytes."""
    table = read_table(base)
    header, rows = table[0], [row[:] for row in table[1:]]
    steps: list[str] = []
    for _ in range(draw(st.sampled_from((0, 1, 1, 1, 2, 4)))):  # mostly one cell: most files go deep
        row = draw(st.integers(0, len(rows) - 1))
        column = draw(st.integers(0, len(header) - 1))
        name = header[column]
        value = draw(
            st.one_of(
                st.sampled_from(COLUMN_EDGES.get(name, EDGE_VALUES[:5])),
                st.sampled_from(EDGE_VALUES),
                st.sampled_from([other[column] for other in rows]),
                st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
            )
        )
        rows[row][column] = value
        steps.append(f"row {row + 2} {name} = {value[:60]!r}{'...' if len(value) > 60 else ''}")
    structural = draw(st.lists(st.sampled_from(STRUCTURAL), max_size=2)) if draw(st.integers(0, 2)) == 0 else []
    for kind in structural:
        width = len(header)
        column = draw(st.integers(0, width - 1))
        row = draw(st.integers(0, max(len(rows) - 1, 0)))
        if kind == "drop column":
            header = header[:column] + header[column + 1 :]
            rows = [cells[:column] + cells[column + 1 :] for cells in rows]
        elif kind == "repeat column":
            header = [*header, header[column]]
            rows = [[*cells, cells[column] if column < len(cells) else ""] for cells in rows]
        elif kind == "add column":
            header = [*header, draw(st.sampled_from(HEADER_EDGES))]
            rows = [[*cells, draw(st.sampled_from(("", "x", "1")))] for cells in rows]
        elif kind == "rename column":
            header = [*header[:column], draw(st.sampled_from(HEADER_EDGES)), *header[column + 1 :]]
        elif kind == "ragged row" and rows:
            cut = draw(st.integers(0, width + 3))
            rows[row] = rows[row][:cut] if cut < width else [*rows[row], *(["extra"] * (cut - width + 1))]
        elif kind == "repeat row" and rows:
            rows.insert(draw(st.integers(0, len(rows))), rows[row][:])
        elif kind == "header only":
            rows = []
        elif kind == "one row":
            rows = rows[row : row + 1]
        elif kind == "blank rows":
            rows.insert(row, [""] * width)
            rows.append([])
        elif kind == "swap columns":
            other = draw(st.integers(0, width - 1))
            order = list(range(width))
            order[column], order[other] = other, column
            header = [header[k] if k < len(header) else "" for k in order]
            rows = [[cells[k] if k < len(cells) else "" for k in order] for cells in rows]
        steps.append(kind)
    delimiter = draw(st.sampled_from(delimiters))
    line_end = draw(st.sampled_from(("\n", "\r\n", "\r")))
    quoting = draw(st.sampled_from((csv.QUOTE_MINIMAL, csv.QUOTE_ALL)))
    encoding = draw(st.sampled_from(("utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1")))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=line_end, quoting=quoting).writerows([header, *rows])
    content = buffer.getvalue().encode(encoding, errors="replace")
    if delimiter != "," or line_end != "\n" or quoting != csv.QUOTE_MINIMAL or encoding != "utf-8":
        steps.append(f"written with {delimiter!r}, {line_end!r}, quoting {quoting}, {encoding}")
    damage = draw(st.sampled_from(BYTE_DAMAGE)) if draw(st.integers(0, 4)) == 0 else None
    if damage is not None:
        at = draw(st.integers(0, len(content)))
        if damage == "NUL byte":
            content = content[:at] + b"\x00" + content[at:]
        elif damage == "non-UTF-8 bytes":
            content = (
                content[:at] + draw(st.sampled_from((b"\xff", b"\xe9", b"\xc3\x28", b"\xed\xa0\x80"))) + content[at:]
            )
        elif damage == "truncated":
            content = content[:at]
        elif damage == "unclosed quote":
            content = content[:at] + b'"' + content[at:]
        elif damage == "binary garbage":
            content = draw(st.binary(min_size=1, max_size=200))
        elif damage == "empty file":
            content = b""
        elif damage == "BOM twice":
            content = b"\xef\xbb\xbf\xef\xbb\xbf" + content
        steps.append(damage)
    cells_only = not structural and damage is None and encoding in ("utf-8", "utf-8-sig")
    return Damaged(content, tuple(steps), cells_only)


def note(text: str) -> None:
    """Add ``text`` to the report of a failing example (outside a property, i.e. in the corpus test, nothing)."""
    with contextlib.suppress(InvalidArgument):
        hypothesis_note(text)


# -- the commands a file goes through ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One command's result: its exit code, its output (stdout and stderr) and the exception it ended with."""

    command: str
    exit_code: int
    output: str
    exception: BaseException | None


@pytest.fixture(scope="module", autouse=True)
def wide_console() -> Iterator[None]:
    """Messages on one line, as wide as they are, so that names and rows can be found in them."""
    # Restored as they were, unset: reading .width measures the terminal and setting it back would pin that width
    # for every later test (their COLUMNS would be ignored).
    widths = console._width, error_console._width
    console.width = error_console.width = 10_000
    yield
    console._width, error_console._width = widths


def invoke(label: str, arguments: list[str]) -> Outcome:
    result = runner.invoke(app, arguments, catch_exceptions=True)
    note(f"eventstudy {' '.join(arguments)} -> {result.exit_code}\n{result.output[-3000:]}")
    return Outcome(label, result.exit_code, result.output, result.exception)


@contextlib.contextmanager
def folder_with(files: Mapping[str, Path | bytes]) -> Iterator[Path]:
    """A temporary folder holding ``files`` (name -> a file to copy or the bytes to write)."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for file_name, content in files.items():
            if isinstance(content, bytes):
                (folder / file_name).write_bytes(content)
            else:
                shutil.copyfile(content, folder / file_name)
        yield folder


def study_outcome(folder: Path) -> Outcome:
    """A small study of NVDA against SPY on the price files of ``folder``: the Python API (``eventstudy run`` takes
    no price folder) under the command line's mapping of errors to exit codes."""
    messages = io.StringIO()
    code = 0
    with contextlib.redirect_stderr(messages), contextlib.redirect_stdout(messages):
        try:
            with errors_to_exit_codes():
                EventStudy(
                    load_events(BASE / "events.csv"),
                    universe=load_universe(BASE / "universe.csv"),
                    tickers=["NVDA"],
                    prices=CsvDirectorySource(folder),
                    estimation_window=(-60, -11),
                    event_windows=[(0, 0), (-1, 1)],
                    min_estimation=40,
                    baskets=[],
                    placebo_replications=0,
                    bootstrap_replications=99,
                ).run()
        except typer.Exit as stopped:
            code = stopped.exit_code
    note(f"study -> {code}\n{messages.getvalue()[-3000:]}")
    return Outcome("study", code, messages.getvalue(), None)


CLAIMS_FOLDER: Mapping[str, Path] = {
    "events.csv": REPO / "events.csv",
    "claims.csv": REPO / "claims.csv",
    **{name: REPO / name for name in REFERENCE_FILES},
}


def events_outcomes(content: bytes, with_run: bool) -> list[Outcome]:
    """``events check``, ``events list`` and (``with_run``) a one-ticker ``run`` of an events file."""
    with folder_with({"events.csv": content}) as folder:
        path = str(folder / "events.csv")
        outcomes = [invoke("check", ["events", "check", path]), invoke("list", ["events", "list", path])]
        if with_run:
            arguments = ["run", path, "--offline", "--out", str(folder / "report"), "--tickers", "NVDA", "--no-baskets"]
            outcomes.append(invoke("run", arguments))
    return outcomes


def claims_outcomes(name: str, content: bytes) -> list[Outcome]:
    """``eventstudy claims`` on the repository's claims folder with the file ``name`` replaced by ``content``."""
    with folder_with({**CLAIMS_FOLDER, name: content}) as folder:
        arguments = ["claims", str(folder / "claims.csv"), "--events", str(folder / "events.csv"), "--offline"]
        return [invoke("claims", [*arguments, "--explain"])]


def universe_outcomes(content: bytes, ticker: str = "NVDA") -> list[Outcome]:
    """``universe show TICKER`` (with a price folder) and ``universe`` (the table) on a universe file."""
    with folder_with({"universe.csv": content, "NVDA.csv": BASE / "NVDA.csv"}) as folder:
        path = str(folder / "universe.csv")
        return [
            invoke("show", ["universe", "show", ticker, "--universe", path, "--prices", str(folder)]),
            invoke("list", ["universe", "--universe", path]),
        ]


def prices_outcomes(content: bytes) -> list[Outcome]:
    """``universe show NVDA --prices`` and the small study on a folder whose ``NVDA.csv`` is ``content``."""
    with folder_with({"NVDA.csv": content, "SPY.csv": BASE / "SPY.csv"}) as folder:
        universe = str(BASE / "universe.csv")
        return [
            invoke("show", ["universe", "show", "NVDA", "--universe", universe, "--prices", str(folder)]),
            study_outcome(folder),
        ]


# -- what every outcome must be -----------------------------------------------------------------------------------


def names_row_and_column(output: str, name: str) -> bool:
    """Whether ``output`` places a problem of the file ``name`` at a row and a column: ``name:row: column 'c'``
    (``name (ticker):row`` for a price file), or a row of the table of ``events check``."""
    placed = re.search(re.escape(name) + r"(?: \([^)]*\))?:\d+: column '", output)
    table_row = re.search(r"│\s*\d+\s*│\s*\S[^│]*│", output)
    return bool(placed or table_row)


def assert_clean(outcome: Outcome, name: str, cells_only: bool = False) -> None:
    """Exit 0/1/2 and no traceback; exit 1 names the file ``name`` (and a row and column when ``cells_only``: the
    file is a well-formed CSV whose problems can only be in cells)."""
    where = f"{outcome.command} -> {outcome.exit_code}: {outcome.output[-2000:]}"
    assert outcome.exit_code in (0, 1, 2), where
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit), repr(outcome.exception)
    assert "Traceback" not in outcome.output, where
    if outcome.exit_code != 0:  # values are quoted shortened: a message stays readable whatever the file holds
        assert max(map(len, outcome.output.splitlines()), default=0) < MESSAGE_LINE_LIMIT, "an overlong message"
    if outcome.exit_code == 1:
        assert name in outcome.output, f"exit 1 without naming {name}: {where}"
        if cells_only:
            assert names_row_and_column(outcome.output, name), f"exit 1 without a row and column of {name}: {where}"


def fuzz_settings(kind: str) -> settings:
    return settings(
        max_examples=EXAMPLES[kind],
        deadline=None,
        derandomize=True,
        database=None,
        # Each example writes one file of up to ~1 MB (the over-limit field) and runs the command line on it:
        # slow by hypothesis' standards, but the time is the command's, not the data generation's.
        suppress_health_check=[HealthCheck.too_slow],
    )


# -- the properties -----------------------------------------------------------------------------------------------


@fuzz_settings("events")
@given(damaged=damaged_csv(REPO / "events.csv"))
def test_events_check_and_list_agree_and_never_crash(damaged: Damaged) -> None:
    note("\n".join(damaged.steps))
    checked, listed = events_outcomes(damaged.content, with_run=False)
    for outcome in (checked, listed):
        assert_clean(outcome, "events.csv", damaged.cells_only)
    assert checked.exit_code == listed.exit_code, "events check and events list disagree"


@fuzz_settings("run")
@given(damaged=damaged_csv(BASE / "events.csv"))
def test_run_refuses_exactly_what_check_refuses(damaged: Damaged) -> None:
    note("\n".join(damaged.steps))
    checked, listed, ran = events_outcomes(damaged.content, with_run=True)
    for outcome in (checked, listed, ran):
        assert_clean(outcome, "events.csv", damaged.cells_only)
    if checked.exit_code == 1:
        assert ran.exit_code == 1, "run accepts an events file that check refuses"
    else:
        assert ran.exit_code != 1, "run refuses an events file that check passes"


@fuzz_settings("claims")
@given(damaged=damaged_csv(REPO / "claims.csv"))
def test_claims_never_crash(damaged: Damaged) -> None:
    note("\n".join(damaged.steps))
    (checked,) = claims_outcomes("claims.csv", damaged.content)
    assert_clean(checked, "claims.csv", damaged.cells_only)


@fuzz_settings("reference")
@given(data=st.data(), name=st.sampled_from(REFERENCE_FILES))
def test_reference_files_beside_the_claims_never_crash(data: st.DataObject, name: str) -> None:
    damaged = data.draw(damaged_csv(REPO / name))
    note("\n".join(damaged.steps))
    (checked,) = claims_outcomes(name, damaged.content)
    assert_clean(checked, name, damaged.cells_only)


@fuzz_settings("universe")
@given(damaged=damaged_csv(BASE / "universe.csv"), ticker=st.sampled_from(("NVDA", "0700.HK", "^HSI", "TSM")))
def test_universe_files_never_crash(damaged: Damaged, ticker: str) -> None:
    note("\n".join(damaged.steps))
    shown, listed = universe_outcomes(damaged.content, ticker)
    for outcome in (shown, listed):
        assert_clean(outcome, "universe.csv", damaged.cells_only)
    assert (shown.exit_code == 1) == (listed.exit_code == 1), "universe and universe show disagree on the file"


@fuzz_settings("prices")
@given(damaged=damaged_csv(BASE / "NVDA.csv"))
def test_price_files_never_crash(damaged: Damaged) -> None:
    note("\n".join(damaged.steps))
    shown, studied = prices_outcomes(damaged.content)
    for outcome in (shown, studied):
        assert_clean(outcome, "NVDA.csv", damaged.cells_only)
    assert (shown.exit_code == 1) == (studied.exit_code == 1), "universe show and the study disagree on the file"


# -- the regression corpus ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A file of ``tests/data/fuzz/cases`` (or made here), the exit code of each command it goes through (see
    :func:`outcomes_of`) and a text each command's output must hold ("" for none)."""

    file: str
    exits: tuple[int, ...]
    says: tuple[str, ...]


def outcomes_of(file: str, content: bytes) -> tuple[list[Outcome], str]:
    """The commands a corpus file goes through, by its name's prefix, and the name of the file they read it as:
    events: check, list, run; claims (or reference_prices): claims; universe: show, list; prices: show, study."""
    if file.startswith("events_"):
        return events_outcomes(content, with_run=True), "events.csv"
    if file.startswith("claims_"):
        return claims_outcomes("claims.csv", content), "claims.csv"
    if file.startswith("reference_prices_"):
        return claims_outcomes("reference_prices.csv", content), "reference_prices.csv"
    if file.startswith("universe_"):
        return universe_outcomes(content), "universe.csv"
    assert file.startswith("prices_")
    return prices_outcomes(content), "NVDA.csv"


NO_PAIR = "no (event, security) pair could be estimated"
CASES = (
    # The cases of issue 15.
    Case("universe_latin1.csv", (1, 1), ("is not UTF-8 text (line 2, byte 21: 0xE9)",) * 2),
    Case("claims_window_out_of_every_calendar.csv", (1,), ("claims.csv:2: column 'window': value '(-99999,+99999)'",)),
    Case("events_header_only.csv", (1, 1, 1), ("the file has a header but no events",) * 3),
    Case("events_exact_after_the_last_close.csv", (1, 1, 1), ("day 0 on XNYS would be after 2027-12-03",) * 3),
    # Found by the properties above (before: a traceback, a message without file/row/column, or files disagreeing).
    Case("events_first_session.csv", (0, 0, 2), ("", "", NO_PAIR)),
    Case("events_last_session.csv", (0, 0, 2), ("", "", NO_PAIR)),
    Case("events_before_the_packaged_prices.csv", (0, 0, 2), ("", "", NO_PAIR)),
    Case("events_id_markup.csv", (1, 1, 1), ("[/x]", "events.csv:2: column 'id': value '[/x]'", "value '[/x]'")),
    Case("events_actor_markup.csv", (0, 0, 0), ("", "[/x] [bold]not bold[/bold] :100:", "")),
    Case("events_unclosed_quote.csv", (1, 1, 1), ("its closing quote is missing",) * 3),
    Case("events_excel_unicode_text.csv", (0, 0, 0), ("", "", "")),
    Case("events_bom_twice_semicolon_crlf.csv", (0, 0, 0), ("", "", "")),
    Case("claims_window_before_the_calendars.csv", (1,), ("2009-01-02 is outside the XNAS calendar",)),
    Case("claims_window_after_the_calendars.csv", (1,), ("2099-01-01 is outside the XNAS calendar",)),
    Case("claims_window_from_the_first_session.csv", (0,), ("close 2010-01-04 to close 2010-02-02",)),
    Case("claims_window_on_an_undated_event.csv", (1,), ("column 'window': value '(0,0)': the event is undated",)),
    Case("claims_alternative_out_of_every_calendar.csv", (1,), ("column 'alternatives': value '(0,+99999)'",)),
    Case("reference_prices_offer_after_the_window.csv", (0,), ("the offer price's day 2027-12-03 is after",)),
    Case("universe_name_markup.csv", (0, 0), ("", "[/x] :100:")),
    Case("universe_bom_twice.csv", (0, 0), ("", "")),
    Case("prices_one_row.csv", (0, 0), ("2024-12-10 .. 2024-12-10 (1 rows)", "")),
    Case("prices_bad_value_on_row_100.csv", (1, 1), ("NVDA.csv (NVDA):100: column 'volume'",) * 2),
    Case("prices_semicolon.csv", (0, 0), ("2024-10-01 .. 2025-02-28 (103 rows)", "")),
    Case("prices_excel_unicode_text.csv", (0, 0), ("2024-10-01 .. 2025-02-28 (103 rows)", "")),
    Case("prices_ragged_row.csv", (1, 1), ("NVDA.csv (NVDA):4: value '1': value in a column without a header",) * 2),
    Case("prices_repeated_column.csv", (1, 1), ("column 'adj_close': column appears more than once",) * 2),
    Case("prices_latin1.csv", (1, 1), ("is not UTF-8 text (line 5, byte 300: 0xE9)",) * 2),
    # The edge values and damage the properties draw from, one file each.
    Case("events_bad_values.csv", (1, 1, 1), ("2025-02-30",) * 3),
    Case("events_bad_tickers.csv", (1, 1, 1), ("../../evil",) * 3),
    Case("events_ragged_rows.csv", (1, 1, 1), ("value in a column without a header name",) * 3),
    Case("events_repeated_column.csv", (1, 1, 1), ("column appears more than once in the header",) * 3),
    Case("events_latin1.csv", (1, 1, 1), ("is not UTF-8 text (line 2, byte 31: 0xE9)",) * 3),
    Case("events_nul_byte.csv", (1, 1, 1), ("must be a slug",) * 3),
    Case("events_binary_garbage.csv", (1, 1, 1), ("is not UTF-8 text",) * 3),
    Case("events_empty.csv", (1, 1, 1), ("the file is empty",) * 3),
    Case("claims_window_backwards.csv", (1,), ("column 'window': value '3,1': must start before it ends",)),
    Case("claims_window_offer_without_date.csv", (1,), ("column 'window': value 'offer..'",)),
    Case("claims_ticker_is_a_path.csv", (1,), ("column 'tickers': value '../../evil'",)),
    Case("claims_value_not_finite.csv", (1,), ("column 'claimed_value': value 'inf': must be a finite number",)),
    Case("universe_bad_cells.csv", (1, 1), ("universe.csv:2: column 'ticker': value '../../evil'",) * 2),
)
#: Files made here rather than kept: a value over the 1,000,000-character limit (1 MB each).
HUGE_FILES = {
    "universe_field_over_the_limit.csv": b"ticker,name\nNVDA," + HUGE_VALUE.encode() + b"\n",
    "prices_field_over_the_limit.csv": (BASE / "NVDA.csv").read_bytes() + b"2025-03-03,1,1,1,1," + HUGE_VALUE.encode(),
}
CASES += (
    Case(
        "universe_field_over_the_limit.csv",
        (1, 1),
        ("universe.csv:2: column 'name': value of 1,000,001 characters",) * 2,
    ),
    Case(
        "prices_field_over_the_limit.csv", (1, 1), ("NVDA.csv (NVDA):105: column 'adj_close': value of 1,000,001",) * 2
    ),
)


def test_the_corpus_holds_every_case_and_nothing_else() -> None:
    kept = {path.name for path in (FUZZ / "cases").iterdir()}
    assert kept == {case.file for case in CASES} - set(HUGE_FILES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.file.removesuffix(".csv"))
def test_regression_corpus(case: Case) -> None:
    content = HUGE_FILES.get(case.file) or (FUZZ / "cases" / case.file).read_bytes()
    outcomes, name = outcomes_of(case.file, content)
    for outcome, expected, text in zip(outcomes, case.exits, case.says, strict=True):
        assert_clean(outcome, name)
        assert outcome.exit_code == expected, f"{outcome.command}: {outcome.output[-2000:]}"
        assert text in outcome.output, f"{outcome.command}: {outcome.output[-2000:]}"


def test_window_sums_hold_nothing_outside_the_panel() -> None:
    """An estimation window reaching before the calendar's first session (an event on its first days) sums only
    the panel's rows; numpy's negative indices wrapped around to the panel's end before."""
    returns = np.array([[0.01], [-0.02], [0.03], [0.00], [0.05]])
    moments = WindowMoments(returns, np.ones((5, 1, 0)), None)
    inside = moments.window(np.array([0]), np.array([0]), np.array([2]))
    assert_allclose(moments.window(np.array([0]), np.array([-3]), np.array([2])), inside)
    assert_allclose(moments.window(np.array([0]), np.array([-9]), np.array([-4])), np.zeros_like(inside))
    assert_allclose(inside[0, 0, 0], 3.0)  # three rows, the constant regressor
