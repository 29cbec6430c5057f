"""HTML report of an event study: pages that answer first, and tidy data files, readable offline.

:func:`write_report` writes, into one folder:

``index.html``
    The overview: findings written from the results (the strongest reactions and how sure they are, the markets
    side by side, what chance alone would give), the CAR heatmap (events x securities, every event window), the
    extensions' sections (e.g. the checked claims), the CAAR of each event, a timeline of the events over the
    study's featured securities and basket, and tables of the events and securities.
``results.html``, ``methods.html``
    Every (event, security) pair in one sortable table and the cross-sectional regression pooled over all events;
    how to read the report, every test and analysis with its reference and every column of the data files.
``events/<id>.html``
    One page per event: key numbers (day-0 AR and CAR of the most affected securities and baskets, group CAARs
    with the recommended test), warnings, AR and CAR paths of the security picked, group CAARs, to whom (the
    cross-sectional regression of the CARs), baskets, how loud (abnormal volume and volatility), how lasting
    (buy-and-hold abnormal returns), every pair, what the event is, and every test.
``securities/<ticker>.html``
    One page per studied security: key numbers, price with the events, CAR per event, estimation diagnostics,
    volume, volatility and BHAR per event, and GARCH ARs beside the OLS ones for the GARCH securities.
``ar.csv``, ``car.csv``, ``tests.csv``, ``caar.csv``, ``pairs.csv``, ``skipped.csv``, ``columns.md``
    The tidy tables of :class:`~eventstudy.results.EventStudyResults` and what each column means.
``run.json``
    The caller's metadata (version, configuration, price sources and coverage, input hash, timestamps) and the
    report's headline window.
``assets/``
    ``plotly-basic.min.js`` (the official plotly.js "basic" bundle: scatter and bar traces, 1.2 MB instead of the
    4.8 MB full bundle; ``assets/VENDORED.md`` says where it comes from), ``plotly.css`` (the style rules plotly.js
    would inject, as a file so that the pages' Content-Security-Policy can forbid inline styles), the style sheet
    and the page script.

Pages carry no inline code: charts and tables are JSON data blocks that ``assets/report.js`` reads, and every page
has a Content-Security-Policy that forbids inline and remote code
(:data:`eventstudy.report.pages.CONTENT_SECURITY_POLICY`).

Applications add their own pages, data files, sections and ``run.json`` entries through
:class:`~eventstudy.report.extension.ReportExtension` (the claims checker adds ``claims.html`` and
``claims_checked.csv``); the study's own choices (title, timeline securities, featured basket) come from a
:class:`~eventstudy.report.config.ReportConfig`.

The report is written into a temporary sibling folder and swapped into place only when complete, so an interrupted
run leaves the previous report as it was. Names that become files (event ids, tickers; a leading ``^`` is dropped)
are checked before anything is written. The same inputs give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from eventstudy.columns import COLUMNS
from eventstudy.publish import MARKER, publish
from eventstudy.report import pages
from eventstudy.report.config import STUDY_FILE, ReportConfig, ReportConfigError, load_report_config
from eventstudy.report.context import ReportContext, ReportError, build_context, safe_file_stem
from eventstudy.report.extension import ReportExtension
from eventstudy.results import EventStudyResults
from eventstudy.version import __version__

__all__ = [
    "ASSETS",
    "FOLDER_README",
    "MARKER",
    "STUDY_FILE",
    "ReportConfig",
    "ReportConfigError",
    "ReportError",
    "ReportExtension",
    "load_report_config",
    "safe_file_stem",
    "write_report",
]

#: ``README.md`` of every report folder; the repository's ``reports/README.md`` is this same text, so the default
#: output folder can hold it (and stay unchanged in git) before and after a run.
FOLDER_README = """\
# reports/

`eventstudy run events.csv` writes its report here (the default `--out`); nothing generated here is committed.
The folder is replaced as a whole by each run, and only once the new report is complete.

After a run it holds:

- `index.html`: start here. CAR heatmap (events x securities), event timeline over the study's featured securities
  and a basket, group CAAR bars with 95% intervals, and sortable tables of every result.
- `events/<id>.html`: one page per event (day 0 per market, source quote, AR and CAR paths with 95% bands, tests).
- `securities/<ticker>.html`: one page per security (price with event markers, CAR per event, diagnostics).
- `claims.html` and `claims_checked.csv`, when claims were checked (a claims file beside the events file): each
  claim against the prices, with its verdict.
- `pairs.csv`, `ar.csv`, `car.csv`, `tests.csv`, `caar.csv`, `skipped.csv`: the tidy data; `columns.md` documents
  every column.
- `run.json`: version, configuration, input file hashes, price sources and coverage per ticker, time of the run.
- `assets/`: plotly.js (included once, so the pages work offline), the style sheet and the table sorter.
"""
#: Files of ``assets/`` copied into every report.
ASSETS = ("plotly-basic.min.js", "plotly.css", "report.css", "report.js")


def write_report(
    results: EventStudyResults,
    out_dir: str | Path,
    metadata: dict[str, Any] | None = None,
    window: tuple[int, int] | None = None,
    extensions: Sequence[ReportExtension] = (),
    config: ReportConfig | None = None,
    inputs: Sequence[str | Path] = (),
) -> Path:
    """Write the HTML report and data files of an event study into ``out_dir``.

    Parameters
    ----------
    results
        What :meth:`eventstudy.EventStudy.run` returned.
    out_dir
        Report folder, replaced atomically as a whole (:func:`eventstudy.publish.publish`): it must be new, empty, a
        report written by this function with nothing added by hand, or hold only the placeholder ``README.md``
        (:data:`FOLDER_README`) that the repository's ``reports/`` has.
    metadata
        Written to ``run.json`` (JSON-ready values; others are written as text), with the report's window and
        counts added under ``report``; default :meth:`eventstudy.results.EventStudyResults.metadata`.
    window
        Event window of the headline CAR (heatmap, tables); one of the study's event windows (default (0,+1) when
        the study has it, else its first window).
    extensions
        Additions of applications (:class:`~eventstudy.report.extension.ReportExtension`), e.g. the checked claims
        (:class:`eventstudy.claims.report.ClaimsExtension`): their pages, data files, sections and ``run.json``
        entries.
    config
        The study's own choices (title, timeline, featured basket); default derived from the results.
    inputs
        Files and folders the run read (events, claims, universe files, price folders): ``out_dir`` may not be or
        contain any of them.

    Returns
    -------
    Path
        The report's ``index.html``.

    Raises
    ------
    ReportError
        Before anything is written, if ``window`` is not an event window of the study, or an event id or a ticker
        cannot be a file name.
    OutputFolderError
        Before anything is written, if ``out_dir`` must not be replaced (see :mod:`eventstudy.publish`).
    OutputWriteError
        If a file cannot be written; ``out_dir`` is then unchanged.
    """
    out_dir = Path(out_dir).absolute()
    context = build_context(results, window, config)
    meta = results.metadata() if metadata is None else metadata
    publish(
        out_dir,
        lambda folder: _write(folder, context, meta, extensions),
        marker_text="A report written by eventstudy.report.write_report; replaced as a whole.",
        placeholder=FOLDER_README,
        inputs=inputs,
    )
    return out_dir / "index.html"


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def _column_docs(folder: Path, written: list[Path], extensions: Sequence[ReportExtension]) -> pages.ColumnDocs:
    """(file, what it holds, [(column, meaning)]) of every CSV file written, from its header,
    :data:`eventstudy.columns.COLUMNS` and the extensions."""
    documented = dict(COLUMNS)
    described = dict(pages.DATA_FILES)
    for extension in extensions:
        documented |= extension.columns()
        described |= extension.data_files()
    docs = []
    for path in written:
        header = path.read_text(encoding="utf-8").partition("\n")[0].split(",")
        meanings = documented.get(path.stem, {})
        name = str(path.relative_to(folder))
        docs.append((name, described.get(path.name, ""), [(column, meanings.get(column, "")) for column in header]))
    return docs


def _columns_markdown(docs: pages.ColumnDocs) -> str:
    """``columns.md``: every column of every CSV file."""
    lines = [
        "# Columns of the data files",
        "",
        f"Written by eventstudy {__version__}. UTF-8 CSV, comma-separated, one header row; an empty cell is missing. "
        "Dates are ISO `YYYY-MM-DD`; returns, AR, CAR and CAAR are fractions (0.01 = 1%), not percent.",
    ]
    for name, described, columns in docs:
        lines += ["", f"## {name}", "", described, ""]
        lines += ["| column | meaning |", "|---|---|"]
        lines += [f"| `{column}` | {meaning.replace('|', '/')} |" for column, meaning in columns]
    return "\n".join(lines) + "\n"


def _run_json(context: ReportContext, metadata: dict[str, Any]) -> str:
    """``run.json``: the caller's metadata and the report's own settings under ``report``."""
    report = {
        "window": context.label,
        "events": len(context.events),
        "events_studied": len(context.studied),
        "securities": len(context.securities),
    }
    return json.dumps(metadata | {"report": report}, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def _write(
    folder: Path, context: ReportContext, metadata: dict[str, Any], extensions: Sequence[ReportExtension]
) -> None:
    """Write every file of the report into ``folder``."""
    assets = folder / "assets"
    assets.mkdir(parents=True)
    for name in ASSETS:
        (assets / name).write_bytes(resources.files(__name__).joinpath("assets", name).read_bytes())
    written = context.results.to_csv(folder)
    for extension in extensions:
        written += extension.write(folder, context)
        metadata = metadata | {extension.name: extension.metadata()}
    files = dict(pages.DATA_FILES)
    for extension in extensions:
        files |= extension.data_files()
    docs = _column_docs(folder, written, extensions)
    _write_text(folder / "columns.md", _columns_markdown(docs))
    _write_text(folder / "run.json", _run_json(context, metadata))
    index_sections = "".join(extension.index_section(context) for extension in extensions)
    _write_text(folder / "index.html", pages.index_page(context, index_sections, files))
    _write_text(folder / pages.RESULTS_PAGE, pages.results_page(context))
    _write_text(folder / pages.METHODS_PAGE, pages.methods_page(context, docs))
    for event in context.events:
        section = "".join(extension.event_section(context, event.id) for extension in extensions)
        _write_text(
            folder / "events" / f"{context.event_files[event.id]}.html", pages.event_page(context, event, section)
        )
    for security in context.securities:
        section = "".join(extension.security_section(context, security.ticker) for extension in extensions)
        path = folder / "securities" / f"{context.security_files[security.ticker]}.html"
        _write_text(path, pages.security_page(context, security, section))
    _write_text(folder / "README.md", FOLDER_README)
