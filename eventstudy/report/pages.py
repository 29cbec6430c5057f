"""HTML pages of a report: the index, all results, the methods, one page per event and one per security.

Every text that comes from the inputs (events file, universe, reasons) is escaped; charts come from
:mod:`eventstudy.report.figures` as JSON data blocks. Pages reference ``assets/`` (plotly.js, its style rules, the
style sheet and the page script) relative to themselves, so a report opens from disk and works offline. Every page
carries a Content-Security-Policy (:data:`CONTENT_SECURITY_POLICY`) that forbids inline code and anything remote,
and says the data's as-of date, the price source and the version. Each page function returns the page as text;
nothing here writes files.

Event and security pages are lists of sections (:data:`EVENT_SECTIONS`, :data:`SECURITY_SECTIONS`): a function of
the context and the event (or security) returning HTML, empty when it has nothing to show. A new analysis adds its
section by adding a function to the tuple, in the place it should appear.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.baskets import BASKETS_GROUP
from eventstudy.columns import ALL_GROUPS, COLUMNS
from eventstudy.events import Event
from eventstudy.report import analysis_sections, figures, findings, markup
from eventstudy.report.context import RECOMMENDED_TESTS, ReportContext
from eventstudy.report.heatmap import BINS, heatmap_html
from eventstudy.report.markup import esc, lookup
from eventstudy.spec import window_label
from eventstudy.statistics import TESTS, car_t_test, placebo_tests, sq_test
from eventstudy.statistics.bhar import LONG_HORIZON_CAVEAT
from eventstudy.universe import Security

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DATA_FILES",
    "EVENT_SECTIONS",
    "METHODS_PAGE",
    "RESULTS_PAGE",
    "RESULTS_ROWS",
    "SECURITY_SECTIONS",
    "ColumnDocs",
    "EventSection",
    "SecuritySection",
    "event_page",
    "index_page",
    "methods_page",
    "page",
    "results_page",
    "security_page",
]

#: File names of the all-results and methods pages.
RESULTS_PAGE, METHODS_PAGE = "results.html", "methods.html"
#: Data files of a report, with what each holds (listed on the index and methods pages).
DATA_FILES = {
    "ar.csv": "abnormal returns, one row per (event, security, event day)",
    "car.csv": "CAR per (event, security, event window) with its tests",
    "tests.csv": "group tests per (event or all events, group, event window, test)",
    "caar.csv": "CAAR per (event or all events, group, event window) with 95% confidence interval",
    "pairs.csv": "estimation diagnostics per (event, security), and why a pair is not estimable",
    "skipped.csv": "events and securities left out, with the reason",
    "cross_section.csv": "to whom: CARs regressed on the securities' characteristics, per (event or all, window)",
    "volume.csv": "how loud: abnormal trading volume per (event, security, window)",
    "volume_tests.csv": "tests of abnormal volume per (event or all events, group, window)",
    "volatility.csv": "how loud: abnormal volatility (squared ARs, price range) per (event, security, measure, window)",
    "volatility_tests.csv": "tests of abnormal volatility per (event or all events, group, window)",
    "bhar.csv": "how lasting: buy-and-hold abnormal returns per (event, security, long window)",
    "bhar_tests.csv": "tests of the BHARs per (event or all events, group, long window)",
    "garch.csv": "GARCH(1,1) abnormal returns beside the study's, per (event, security, event day)",
    "span_sensitivity.csv": "events dated to a span: CARs with day 0 at the first and the last possible session",
    "columns.md": "what every column of these files means (also on the methods page)",
    "run.json": "version, configuration, price sources and coverage per ticker, input hash, timestamps",
}
#: The pages' Content-Security-Policy. Scripts and styles come only from the report's own files, never inline or from
#: a network: 'self' of a page opened from disk covers the file: URLs of its folder in Chromium (tested by the browser
#: tests, which fail on any violation), and nothing else. plotly.js's style rules are a file too (assets/plotly.css),
#: so no 'unsafe-inline'. Images may be data: and blob: URLs only because plotly's "download plot as PNG" draws the
#: chart into one (tested); no connections, forms, frames or plugins.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'none'; base-uri 'none'; form-action 'none'"
)
#: (file name, what it holds, [(column, meaning)]) of every data file of a report, in the order written.
ColumnDocs = Sequence[tuple[str, str, Sequence[tuple[str, str]]]]
EventSection = Callable[[ReportContext, Event], str]
SecuritySection = Callable[[ReportContext, Security], str]


def page(context: ReportContext, title: str, body: str, root: str, *, description: str = "") -> str:
    """A complete HTML document; ``root`` leads from the page to the report folder (``""`` or ``"../"``).

    The navigation bar links the report's own pages (an extension links its pages from its sections). plotly.js is
    loaded, deferred, only by pages with a chart.
    """
    study = context.results.spec
    charts = "data-figure=" in body
    plotly = (
        f'<link rel="stylesheet" href="{root}assets/plotly.css" id="plotly.js-style-global" class="no-inline-styles">'
        f'\n<script src="{root}assets/plotly-basic.min.js" defer></script>\n'
        if charts
        else ""
    )
    links = [
        ("index.html", "Overview"),
        ("index.html#heatmap-section", "Heatmap"),
        ("index.html#events", "Events"),
        ("index.html#securities", "Securities"),
        (RESULTS_PAGE, "All results"),
        (METHODS_PAGE, "Methods"),
    ]
    nav = "".join(f'<a href="{root}{esc(href)}">{esc(label)}</a>' for href, label in links)
    meta = (
        f"Data as of {esc(context.as_of)} · prices: {esc(context.price_sources)} · {esc(study.model_name)} model · "
        f"headline window {esc(context.label)} · eventstudy {esc(context.version)}"
    )
    summary = f'\n<meta name="description" content="{esc(description)}">' if description else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">{summary}
<title>{esc(title)}</title>
<link rel="stylesheet" href="{root}assets/report.css">
{plotly}<script src="{root}assets/report.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<nav class="top" aria-label="report">{nav}</nav>
<p class="meta">{meta}</p>
<main id="main">
{body}
</main>
<footer><a href="{root}{METHODS_PAGE}">How to read it, the tests and every column</a> · \
<a href="{root}columns.md">columns.md</a> · <a href="{root}run.json">run.json</a> (version, configuration, price \
coverage)</footer>
</body>
</html>
"""


def _settings_line(context: ReportContext) -> str:
    study = context.results.spec
    return (
        f"Model: <b>{esc(study.model_name)}</b> (normal returns from each security's benchmark). "
        f"Estimation window: <b>{esc(study.estimation_window)}</b> sessions relative to day 0, at least "
        f"{esc(study.min_estimation)} valid returns. Event windows: {esc(', '.join(context.windows))}; "
        f"the headline window is <b>{esc(context.label)}</b>. AR paths: {esc(window_label(study.path_window))}. "
        f"{esc(study.return_kind).capitalize()} returns. Windows count sessions of each security's own exchange "
        "from its day 0, the first session that can react to the news."
    )


def _event_href(context: ReportContext, event_id: str, root: str) -> str:
    return f"{root}events/{context.event_files[event_id]}.html"


def _security_href(context: ReportContext, ticker: str, root: str) -> str:
    return f"{root}securities/{context.security_files[ticker]}.html"


def _results_table(
    context: ReportContext, pairs: pd.DataFrame, root: str, identity: str, table_id: str, diagnostics: bool = False
) -> str:
    """One row per (event, security) in the order given (the most significant first): the numbers of the headline
    window (CAR, t, p, BH q, SQ p, interval) and the day-0 AR, then status and identity; a data table
    (:func:`eventstudy.report.markup.data_table`). Other windows are in ``car.csv`` and a click away on the heatmap.

    ``identity`` is what names a row, in the frozen first column: ``"pair"`` (event and security), ``"event"`` (on a
    security's page) or ``"security"`` (on an event's page). ``diagnostics`` adds the model fitted for each pair:
    blank where nothing was estimated, "fixed" for the market-adjusted model's alpha 0 and beta 1.
    """
    docs, pair_docs = COLUMNS["car"], COLUMNS["pairs"]
    label = context.label
    column = markup.Column
    columns = [
        {
            "pair": column("pair", "security × event; each opens its page", frozen=True, kind="links"),
            "event": column("event", "date and title; opens the event's page", frozen=True, kind="link"),
            "security": column("security", "ticker; opens the security's page", frozen=True, kind="link"),
        }[identity],
        column(f"CAR {label} %", f"{docs['car']}, in percent", numeric=True, kind="num2"),
        column("t", docs["t"], numeric=True, kind="num2"),
        column("p", docs["p_value"], numeric=True, kind="p"),
        column("BH q", docs["q_value"], numeric=True, kind="p"),
        column("SQ p", docs["sq_p_value"], numeric=True, kind="p"),
        column("95% CI %", "95% confidence interval of the CAR (Student t, the model's df)", True, kind="interval"),
        column("day-0 AR %", "abnormal return of day 0, in percent", numeric=True, kind="num2"),
        column("status", "estimated, estimated without a CAR over the window, or not estimable (hover)", kind="status"),
    ]
    values: list[Sequence[object]] = []
    lookups: dict[int, Sequence[object]] = {}
    tickers = [(ticker, _security_href(context, ticker, root)) for ticker in pairs["ticker"]]
    events = [(context.event_name(e, 40), _event_href(context, e, root)) for e in pairs["event_id"]]
    if identity == "pair":
        ticker_codes, ticker_list = lookup(tickers)
        event_codes, event_list = lookup(events)
        values.append([list(codes) for codes in zip(ticker_codes, event_codes, strict=True)])
        lookups[0] = [ticker_list, event_list]
    else:
        codes, lookups[0] = lookup(events if identity == "event" else tickers)
        values.append(codes)
    low, high = (markup.numbers(100 * pairs[c].to_numpy(dtype=float), 2) for c in ("ci_low", "ci_high"))
    ok = (pairs["status"] == "ok").to_numpy()
    gaps = [
        figures.pair_note(row, label) if flag else row.reason
        for row, flag in zip(pairs[["status", "reason", "car", "missing_days"]].itertuples(), ok, strict=True)
    ]
    values += [
        markup.numbers(100 * pairs["car"].to_numpy(dtype=float), 2),
        markup.numbers(pairs["t"].to_numpy(dtype=float), 2),
        markup.significant(pairs["p_value"]),
        markup.significant(pairs["q_value"]),
        markup.significant(pairs["sq_p_value"]),
        [None if a is None or b is None else [a, b] for a, b in zip(low, high, strict=True)],
        markup.numbers(100 * pairs["ar0"].to_numpy(dtype=float), 2),
        [
            [0 if flag and not gap else 1 if flag else 2, int(bool(fallback)), gap]
            for flag, gap, fallback in zip(ok, gaps, pairs["fallback_reason"], strict=True)
        ],
    ]
    texts = []
    if identity != "security":
        texts.append(
            (column("day 0", pair_docs["day_zero"], kind="lookup"), [str(d.date()) for d in pairs["day_zero"]])
        )
    if identity == "security":
        texts.append((column("name", kind="lookup"), list(pairs["name"])))
    if identity != "event":
        texts.append((column("group", pair_docs["group"], kind="lookup"), list(pairs["group"])))
    for heading, items in texts:  # text columns, each a lookup
        codes, lookups[len(columns)] = lookup(items)
        values.append(codes)
        columns.append(heading)
    if diagnostics:
        columns += _DIAGNOSTIC_COLUMNS
        values += _diagnostic_values(pairs, ok)
    rows = [list(row) for row in zip(*values, strict=True)]
    fallback = markup.note(markup.FALLBACK_NOTE) if (pairs["fallback_reason"] != "").any() else ""
    return (
        markup.data_table(
            columns,
            rows,
            table_id,
            lookups=lookups,
            caption=f"CAR {label} per (event, security), the most significant first",
            sorted_by=(3, "ascending"),
            download=f"{table_id}.csv",
        )
        + fallback
    )


_DIAGNOSTIC_KEYS = {"observations": 0, "dof": 0, "alpha": 5, "beta": 3, "sigma": 4, "r_squared": 3}
_DIAGNOSTIC_COLUMNS = [
    *(markup.Column(key, COLUMNS["pairs"][key], numeric=True, kind=f"num{d}") for key, d in _DIAGNOSTIC_KEYS.items()),
    markup.Column("estimation window", "first .. last session the model was estimated on", kind="text"),
    markup.Column(
        "contaminating events",
        "other events whose AR path falls in the days the model was estimated on (named on the event's page)",
        numeric=True,
        kind="num0",
    ),
    markup.Column("why not estimable", COLUMNS["pairs"]["reason"], kind="text"),
]


def _diagnostic_values(pairs: pd.DataFrame, ok: np.ndarray) -> list[Sequence[object]]:
    """The columns of :data:`_DIAGNOSTIC_COLUMNS`: blank where nothing was estimated, "fixed" for the
    market-adjusted model's alpha 0 and beta 1 (and no R²)."""
    adjusted = ok & (pairs["model_used"] != pairs["model"]).to_numpy()  # the fallback estimates no alpha, beta
    columns: list[Sequence[object]] = []
    for key, digits in _DIAGNOSTIC_KEYS.items():
        shown: list[object] = list(markup.numbers(pairs[key].to_numpy(dtype=float), digits))
        if key in ("alpha", "beta", "r_squared"):
            shown = [
                "fixed" if flag and key != "r_squared" else None if flag else v
                for v, flag in zip(shown, adjusted, strict=True)
            ]
        columns.append([value if flag else None for value, flag in zip(shown, ok, strict=True)])
    starts, ends = pairs["estimation_start"], pairs["estimation_end"]
    columns.append(
        [
            f"{start.date()} .. {end.date()}" if flag and pd.notna(start) and pd.notna(end) else None
            for start, end, flag in zip(starts, ends, ok, strict=True)
        ]
    )
    columns.append([len([e for e in text.split(";") if e]) for text in pairs["contaminating_events"]])
    columns.append([reason or None for reason in pairs["reason"]])
    return columns


_CAAR_NOTE = (
    "CAAR: the mean CAR of a group's securities, with its 95% interval from the cross-section of CARs (Student t, "
    "n − 1 df); fewer than 3 securities: a hollow point, no interval (it would span the axis). The hover gives the "
    "recommended test's p and BH q."
)


# -- index ------------------------------------------------------------------------------------------------------------


def _events_table(context: ReportContext) -> str:
    """Every event in date order: its CAAR, the recommended test, the estimable pairs, then what it is."""
    label = context.label
    samples = context.samples
    chosen = samples[(samples["scope"] == "event") & (samples["group"] == ALL_GROUPS) & (samples["window"] == label)]
    chosen = chosen.set_index("event_id")
    results = context.results
    skipped = results.skipped[results.skipped["ticker"] == ""].set_index("event_id")["reason"]
    counts = context.pairs.groupby("event_id")["status"].agg(total="size", ok=lambda s: int((s == "ok").sum()))
    columns = [
        markup.Column("event", "date and title; opens the event's page", frozen=True),
        markup.Column(f"CAAR {label} %", "mean CAR of all securities of the event (baskets aside)", numeric=True),
        markup.Column("p", "recommended test of the CAAR (hover a value for its name)", numeric=True),
        markup.Column("BH q", "Benjamini-Hochberg q-value of that test across every test of the run", numeric=True),
        markup.Column("95% CI %", "cross-sectional 95% confidence interval of the CAAR", numeric=True),
        markup.Column("estimable", "pairs with an estimated model / all pairs of the event", numeric=True),
        markup.Column("category"),
        markup.Column("标题", "Chinese title"),
        markup.Column("note", "why an event was not studied, or the events it shares day 0 with"),
    ]
    rows = []
    for event in context.events:
        studied = event.id in counts.index
        sample = chosen.loc[event.id] if event.id in chosen.index else None
        same = context.shocks.get(event.id)
        note = skipped.get(event.id, "" if studied else "no studied security")
        if same:
            note = f"same day 0 as {context.event_name(same, 40)}: the same returns"
        p = markup.p_value(np.nan if sample is None else sample["test_p"])
        if sample is not None and isinstance(sample["test"], str):
            p = markup.Cell(f'<span title="{esc(findings.test_name(sample["test"]))}">{p.html}</span>', p.sort, p.css)
        rows.append(
            [
                markup.link(_event_href(context, event.id, ""), context.event_name(event.id, 64), title=event.title),
                markup.percent(np.nan if sample is None else sample["caar"]),
                p,
                markup.p_value(np.nan if sample is None else sample["test_q"]),
                markup.interval(
                    *((np.nan, np.nan) if sample is None or sample["n"] < 3 else (sample["ci_low"], sample["ci_high"]))
                ),
                markup.Cell(
                    f"{counts.at[event.id, 'ok']} / {counts.at[event.id, 'total']}", str(counts.at[event.id, "ok"])
                )
                if studied
                else markup.blank(),
                markup.text(event.category),
                markup.Cell(f'<span lang="zh">{esc(event.title_zh)}</span>'),
                markup.text(note, "wrap"),
            ]
        )
    return markup.table(
        columns,
        rows,
        "events-table",
        caption="Every event in date order",
        sorted_by=(0, "ascending"),
        download="events.csv",
    )


def _securities_table(context: ReportContext) -> str:
    label = context.label
    columns = [
        markup.Column("security", "ticker; opens the security's page", frozen=True),
        markup.Column("q < 0.05", f"events whose CAR {label} survives the BH correction (q < 0.05)", numeric=True),
        markup.Column("p < 0.05", f"events whose CAR {label} has a t-test p-value below 0.05", numeric=True),
        markup.Column("estimable", "events with an estimated model / events studied on the security", numeric=True),
        markup.Column("name"),
        markup.Column("group"),
        markup.Column("exchange", COLUMNS["pairs"]["exchange"]),
        markup.Column("benchmark", COLUMNS["pairs"]["benchmark"]),
        markup.Column("price source", "where the prices came from (run.json has the coverage)"),
    ]
    coverage = context.results.coverage
    rows = []
    for security in context.securities:
        own = context.security_pairs(security.ticker)
        ok = int((own["status"] == "ok").sum())
        rows.append(
            [
                markup.link(_security_href(context, security.ticker, ""), security.ticker, title=security.name),
                markup.number(int((own["q_value"] < 0.05).sum()), 0),
                markup.number(int((own["p_value"] < 0.05).sum()), 0),
                markup.Cell(f"{ok} / {len(own)}", str(ok)),
                markup.text(security.name),
                markup.text(security.group),
                markup.text(security.exchange),
                markup.text(security.benchmark or ""),
                markup.text(
                    coverage.get(security.ticker, {}).get("source")
                    or ("basket" if security.group == BASKETS_GROUP else "none")
                ),
            ]
        )
    return markup.table(columns, rows, "securities-table", caption="Every studied security", download="securities.csv")


def _timeline_note(context: ReportContext) -> str:
    basket = (
        f" and of an equal-weighted basket of the {esc(context.featured_basket)} group (daily rebalanced; a "
        "missing return counts as 0)"
        if context.featured_basket
        else ""
    )
    return (
        f"Cumulative return of {esc(', '.join(context.timeline))} (adjusted closes){basket} from the first event on. "
        "Below, every event on the row of its category, numbered by date (hollow: not studied, e.g. dated only to "
        "a month); dotted lines mark the dates of those studied. Hover a marker for the event, click it to open its "
        "page; drag to zoom, double-click to reset."
    )


def index_page(context: ReportContext, sections: str = "", files: Mapping[str, str] | None = None) -> str:
    """The overview: findings, the heatmap, the extensions' sections (e.g. the checked claims), the CAAR of each
    event, the timeline, and the events and securities.

    ``sections`` is the HTML of the report's extensions; ``files`` the data files listed (default
    :data:`DATA_FILES`).
    """
    label = context.label
    pairs = context.pairs
    estimable = int((pairs["status"] == "ok").sum())
    fell_back = int(((pairs["fallback_reason"] != "") & (pairs["status"] == "ok")).sum())
    lead = (
        f'<p class="lead">{len(context.studied)} of {len(context.events)} events studied on '
        f"{len(context.securities)} securities: {len(pairs)} (event, security) pairs, {estimable} estimable "
        f"({fell_back} with the short-history market-adjusted model, marked †), {len(pairs) - estimable} not "
        "estimable (marked ×, with the reason on their pages).</p>"
    )
    caar = figures.caar_by_event(context)
    caar_part = (
        figures.figure_html(
            caar,
            "caar-events",
            f"Dot plot of the CAAR {label} of all securities of each of the {len(context.studied)} studied events, "
            "with 95% intervals; the table of events below has the numbers.",
            clickable=True,
        )
        if caar is not None
        else markup.note("No event has a CAAR.")
    )
    timeline = figures.figure_html(
        figures.event_timeline(context),
        "event-timeline",
        f"Line chart of the cumulative returns of {', '.join(context.cumulative)} with the "
        f"{len(context.events)} events marked by date and category; the table of events below lists them.",
        clickable=True,
    )
    listed = files or DATA_FILES
    pooled = (
        f', with the <a href="{RESULTS_PAGE}#pooled-regression">regression of the CARs on the securities\' '
        "characteristics across all events</a>"
        if (context.results.cross_section["scope"] != "event").any()
        else ""
    )
    data = "".join(f'<li><a href="{esc(name)}">{esc(name)}</a>: {esc(text)}</li>' for name, text in listed.items())
    body = "".join(
        [
            f"<h1>{esc(context.config.title)}</h1>",
            lead,
            findings.findings_block(context),
            markup.section(
                "heatmap-section",
                "Every event and security",
                heatmap_html(context),
                markup.note(
                    "Each cell is the cumulative abnormal return (CAR) of a security over the window's sessions "
                    "around the event's day 0: its return minus what its model predicts from its benchmark. Red is a "
                    f"fall, blue a rise, on a fixed scale (edges {', '.join(f'{b:g}' for b in BINS)}%) so that windows "
                    "compare. Stars come from the Benjamini-Hochberg q-value, which corrects the t test of each CAR "
                    "for testing every pair of the run, so a star is not one of the ~1 in 20 chance results. "
                    "The heatmap scrolls inside its box."
                ),
            ),
            sections,
            markup.section(
                "caar",
                f"Average reaction per event, CAAR {label}",
                caar_part,
                markup.note(
                    "One point per event: the mean CAR of its securities (baskets aside), never pooled across events "
                    "of opposite sign. " + _CAAR_NOTE + " Click a point to open the event."
                ),
            ),
            markup.section("timeline", "Prices and events", timeline, markup.note(_timeline_note(context))),
            markup.section(
                "events",
                "Events",
                markup.note("Numbers first; p from the recommended test of each event's CAAR. Click a header to sort."),
                _events_table(context),
            ),
            markup.section("securities", "Securities", _securities_table(context)),
            markup.section(
                "data",
                "Data and methods",
                f'<p>Every (event, security) pair: <a href="{RESULTS_PAGE}">all results</a>{pooled}. How to read '
                f'the report, each test with its reference and every column: <a href="{METHODS_PAGE}">methods</a>.</p>',
                f"<p>{_settings_line(context)}</p><ul>{data}</ul>",
            ),
        ]
    )
    description = f"{len(context.studied)} events, {len(context.securities)} securities, CAR {label}"
    return page(context, context.config.title, body, "", description=description)


#: Most rows of the all-results page (the most significant first); ``car.csv`` has every pair.
RESULTS_ROWS = 1000


def results_page(context: ReportContext) -> str:
    """Every (event, security) pair in one sortable table, the most significant first (at most
    :data:`RESULTS_ROWS`, so that the page stays light whatever the size of the study)."""
    pairs = findings.by_strength(context.pairs)
    shown = pairs.head(RESULTS_ROWS)
    more = (
        f" The {len(shown)} most significant of the {len(pairs)} pairs are shown; car.csv and pairs.csv have them all."
        if len(shown) < len(pairs)
        else ""
    )
    body = (
        f"<h1>All results, CAR {esc(context.label)}</h1>"
        + markup.note(
            "One row per (event, security), the most significant first. Click a header to sort (again to reverse), "
            "type to filter, or download the rows shown as CSV; car.csv has every window with full precision." + more
        )
        + _results_table(context, shown, "", "pair", "results-table")
        + analysis_sections.pooled_regression_section(context)
    )
    return page(context, "All results", body, "")


# -- methods ----------------------------------------------------------------------------------------------------------


def _doc_summary(documented: object) -> tuple[str, str]:
    """First paragraph and References section of a function's (or module's) numpydoc docstring."""
    doc = inspect.getdoc(documented) or ""
    first = doc.split("\n\n")[0].replace("\n", " ")
    match = re.search(r"References\n-+\n(.*?)(?:\n\n[A-Z][a-z]+\n-+|\Z)", doc, flags=re.S)
    references = " ".join(match.group(1).split()) if match else ""
    return _plain(first), _plain(references)


def _plain(text: str) -> str:
    """Docstring text without its reStructuredText markup (``:func:`name``` -> ``name``, double back quotes)."""
    text = re.sub(r":\w+:`~?([^`]+)`", lambda match: match.group(1).rsplit(".", 1)[-1], text)
    return text.replace("``", "")


def methods_page(context: ReportContext, columns: ColumnDocs) -> str:
    """How to read the report, every test with its reference, and every column of the data files."""
    per_pair: list[tuple[str, str, Callable[..., Any]]] = [
        ("t test of the CAR", "t, p_value", car_t_test),
        ("SQ test", "sq_p_value", sq_test),
    ]
    rows = [
        f"<tr><th scope='row'>{esc(name)}</th><td><code>{esc(code)}</code></td><td>{esc(first)}</td>"
        f"<td>{esc(ref)}</td></tr>"
        for name, code, function in per_pair
        for first, ref in [_doc_summary(function)]
    ]
    samples: list[tuple[str, str, Callable[..., Any]]] = [
        (findings.test_name(name), name, function) for name, function in TESTS.items()
    ]
    samples.append((findings.test_name("placebo"), "placebo", placebo_tests))
    rows += [
        f"<tr><th scope='row'>{esc(name)}{' <b>(recommended)</b>' if code == RECOMMENDED_TESTS[0] else ''}</th>"
        f"<td><code>{esc(code)}</code></td><td>{esc(first)}</td><td>{esc(ref)}</td></tr>"
        for name, code, function in samples
        for first, ref in [_doc_summary(function)]
    ]
    tests = _methods_table("test", rows)
    analyses = _methods_table(
        "analysis",
        [
            f"<tr><th scope='row'>{esc(name)}</th><td><code>{esc(code)}</code></td><td>{esc(first)}</td>"
            f"<td>{esc(ref)}</td></tr>"
            for name, code, described in analysis_sections.METHODS
            for first, ref in [_doc_summary(described)]
        ],
    )
    files = "".join(
        f'<h3 id="file-{esc(name)}"><a href="{esc(name)}">{esc(name)}</a></h3><p>{esc(described)}</p>'
        '<div class="table-wrap"><table class="methods"><thead><tr><th scope="col">column</th><th scope="col">'
        "meaning</th></tr></thead><tbody>"
        + "".join(
            f"<tr><th scope='row'><code>{esc(column)}</code></th><td>{esc(meaning)}</td></tr>"
            for column, meaning in documented
        )
        + "</tbody></table></div>"
        for name, described, documented in columns
    )
    how = f"""
<p>Start with the <b>findings</b> of the overview: the strongest reactions, each with its CAR, its t statistic,
whether it survives the Benjamini-Hochberg (BH) correction for testing every pair of the run, and whether the SQ
test, which does not assume normal returns, agrees. The line under them says how many significant CARs chance
alone would give.</p>
<p>The <b>heatmap</b> has one row per event (date and title) and one column per security, grouped. A cell is the
cumulative abnormal return (CAR) over the chosen window: the security's return minus what its model predicts from
its benchmark, summed over the window's sessions counted from day 0 on the security's own exchange. The colour
scale is fixed (edges {", ".join(f"{b:g}" for b in BINS)}% either way) so windows compare; switch the window above it.
<b>*</b>/<b>**</b>: BH q below 0.05/0.01. <b>†</b>: a short history (a recent listing) measured by the
market-adjusted model on few returns: treat it with care even when it looks large. <b>×</b>: not estimable (the
reason is on the event page). <b>○</b>: no CAR over the window because a price is missing. Rows marked "same day 0
as above" measure the same returns as the row above.</p>
<p>Each <b>event page</b> opens with its key numbers: the day-0 abnormal return and the CAR of the most affected
securities and of each group's equal-weighted basket, and the group averages (CAAR) with the <b>recommended
test</b>: the standardized cross-sectional test adjusted for securities hit on the same day (Kolari &amp;
Pynnönen 2010). The securities of one event share its date, so their abnormal returns are correlated and tests that
treat them as independent overstate significance; this test allows for it. Every other test is in the full table
at the bottom of the page.</p>
<p>Below them, three questions beyond the CAR. <b>To whom</b>: the regression of the event's CARs on the
securities' characteristics (group and market dummies, pre-event beta and run-up), a group's coefficient being how
much more its securities moved than the baseline group's, with heteroskedasticity-robust (HC3) standard errors; the
page says which securities the regression leaves out and why. <b>How loud</b>: abnormal trading volume (the
cumulative abnormal log volume, CAV: 0.69 is twice the normal volume for a day) and volatility ratios (1: as calm as
the estimation window), per group and per security. <b>How lasting</b>: buy-and-hold abnormal returns over long
windows with the skewness-adjusted t of Lyon, Barber &amp; Tsai, read as descriptions (the caveats are on the
page). Security pages add them per event and, for a few securities, the abnormal returns of a GARCH(1,1) market
model beside the OLS ones; the all-results page has the regression pooled over every event, its standard errors
clustered by event date.</p>
<p>Charts colour a fall red and a rise blue everywhere. A group of fewer than 3 securities has no confidence
interval (it would span the axis). Pairs that could not be estimated are named as such, never drawn at 0.</p>
<p>{_settings_line(context)}</p>"""
    body = (
        "<h1>Methods</h1>"
        + markup.section("reading", "How to read the report", how)
        + markup.section(
            "tests",
            "The tests",
            markup.note(
                "Per pair: the t and SQ tests of each CAR. Per sample (a group of one event, or across events): "
            ),
            tests,
        )
        + markup.section(
            "analyses",
            "Beyond abnormal returns: to whom, how loud, how lasting",
            markup.note(
                "Per event and per security: the cross-sectional regression of the CARs on the securities' "
                "characteristics, abnormal trading volume and volatility, buy-and-hold abnormal returns over long "
                "windows, and for a few securities the abnormal returns of a GARCH(1,1) market model beside the OLS "
                "ones. Sample tests of volume, volatility and BHARs: "
                + esc(", ".join(findings.test_name(name) for name in ("crude_dependence_t", "bmp_t")))
                + " as above, and those below."
            ),
            analyses,
            f'<p class="caveat">{esc(LONG_HORIZON_CAVEAT)}</p>',
        )
        + markup.section("columns", "Every column of the data files", files)
    )
    return page(context, "Methods", body, "")


def _methods_table(kind: str, rows: Sequence[str]) -> str:
    """A table of methods: name, where it is in the data, what it does and its reference."""
    return (
        f'<div class="table-wrap"><table class="methods"><thead><tr><th scope="col">{esc(kind)}</th><th scope="col">'
        'in the data</th><th scope="col">what it does</th><th scope="col">reference</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></div>"
    )


# -- event pages ------------------------------------------------------------------------------------------------------


def _warnings(context: ReportContext, event: Event) -> str:
    """Warnings of an event page: not studied, overlapping events, contaminated estimation windows, missing pairs."""
    items = []
    skipped = context.event_skipped(event.id)
    for ticker, reason in zip(skipped["ticker"], skipped["reason"], strict=True):
        what = f"{ticker}: " if ticker else "The event was not studied: "
        items.append(f"{esc(what)}{esc(reason)}.")
    same = context.shocks.get(event.id)
    if same:
        items.append(
            f'Same day 0 on every exchange as <a href="{esc(_event_href(context, same, "../"))}">'
            f"{esc(context.event_name(same, 70))}</a>: the same returns, so the same ARs and CARs; the two are one "
            "shock to the market."
        )
    overlaps = context.event_overlaps(event.id).sort_values(["other_event_id", "exchange"], kind="stable")
    apart: dict[str, list[str]] = {}
    for other, exchange, sessions in zip(
        overlaps["other_event_id"], overlaps["exchange"], overlaps["sessions_apart"], strict=True
    ):
        apart.setdefault(str(other), []).append(f"{exchange} {int(sessions):+d}".replace("-", "−"))
    others = [
        f'<a href="{esc(_event_href(context, other, "../"))}">{esc(other)}</a> ({", ".join(where)})'
        for other, where in apart.items()
    ]
    if others:
        items.append(
            "Overlapping events, whose event windows share sessions with this one's, so the CARs mix both "
            f"(sessions from this day 0): {', '.join(others)}."
        )
    pairs = context.event_pairs(event.id)
    for exchange, rows in pairs.groupby("exchange", sort=True):
        others = sorted({other for text in rows["contaminating_events"] for other in text.split(";") if other})
        if others:
            links = ", ".join(f'<a href="{esc(_event_href(context, o, "../"))}">{esc(o)}</a>' for o in others)
            items.append(
                f"Estimation window contaminated on {esc(exchange)}: the AR paths of {links} fall inside it, so the "
                "model was fitted on days moved by other news."
            )
    fell_back = pairs[(pairs["fallback_reason"] != "") & (pairs["status"] == "ok")]
    if not fell_back.empty:
        items.append(
            f"{len(fell_back)} pair(s) measured with the short-history market-adjusted model (†): "
            + "; ".join(
                f"<b>{esc(ticker)}</b>: {esc(reason)}"
                for ticker, reason in zip(fell_back["ticker"], fell_back["fallback_reason"], strict=True)
            )
        )
    failed = pairs[pairs["status"] != "ok"]
    if not failed.empty:
        items.append(
            f'<span class="bad">{len(failed)} of {len(pairs)} pairs are not estimable</span>: '
            + "; ".join(
                f"<b>{esc(ticker)}</b>: {esc(reason)}"
                for ticker, reason in zip(failed["ticker"], failed["reason"], strict=True)
            )
        )
    if not items:
        return ""
    shown = " open" if len(items) <= 3 else ""
    return (
        f'<details class="warnings"{shown}><summary>Warnings ({len(items)})</summary><ul>'
        + "".join(f"<li>{item}</li>" for item in items)
        + "</ul></details>"
    )


def _day_zero_text(event: Event, exchange: str) -> str:
    """Day 0 of a dated event on ``exchange``; a span gives the range of its possible day 0s."""
    first, last = event.day_zero_range(exchange)
    return f"{first.date()}" if first == last else f"{first.date()} .. {last.date()} (the date is a span)"


def _about(context: ReportContext, event: Event) -> str:
    """What the event is: facts, source quote, dating notes and day 0 per market."""
    if event.date is None:
        day_zero = "none: the event is undated, so it has no day 0 and no pair"
    else:
        exchanges = sorted({security.exchange for security in context.securities})
        day_zero = ", ".join(f"{exchange} {_day_zero_text(event, exchange)}" for exchange in exchanges)
    when = f"{event.date or 'undated'}" + (f" {event.time:%H:%M}" if event.time else " (time of day unknown)")
    if event.date_end is not None:
        when += f" to {event.date_end}" + (f" {event.time_end:%H:%M}" if event.time_end else "")
    zone = f", {event.timezone}" if event.timezone else ""
    quotes = "".join(f'<blockquote lang="zh">{esc(quote)}</blockquote>' for quote in event.quotes)
    facts = [
        ("date", f"{when}{zone} ({event.date_precision})"),
        ("day 0", day_zero),
        ("actor", event.actor),
        ("category", event.category),
        ("securities concerned", ", ".join(event.tickers) or "the whole universe"),
        ("source", event.source or "–"),
    ]
    return markup.section(
        "about",
        "The event",
        "<dl>" + "".join(f"<dt>{esc(key)}</dt><dd>{esc(value)}</dd>" for key, value in facts) + "</dl>",
        markup.note(
            "Day 0 is the first session of each exchange that can react to the news: the event day if the news "
            "came before the close there, otherwise the next session."
        ),
        f"<h3>Source quote</h3>{quotes}" if quotes else "",
        markup.note(f"Dating: {esc(event.notes)}") if event.notes else "",
    )


def _most_affected(context: ReportContext, event_id: str) -> str:
    """The security the AR/CAR chart opens on: the largest day-0 move (|AR|) among the event's securities (baskets
    only when no security was estimated)."""
    pairs = context.event_pairs(event_id)
    estimated = pairs[(pairs["status"] == "ok") & pairs["ar0"].notna()]
    members = estimated[estimated["group"] != BASKETS_GROUP]
    chosen = members if not members.empty else estimated
    if chosen.empty:
        return str(pairs["ticker"].iloc[0])
    return str(chosen.loc[chosen["ar0"].abs().idxmax(), "ticker"])


def _paths_section(context: ReportContext, event: Event) -> str:
    pairs = context.event_pairs(event.id)
    if not (pairs["status"] == "ok").any():
        return ""
    default = _most_affected(context, event.id)
    paths = figures.ar_car_paths_data(context, event.id, default)
    options = "".join(
        f'<option value="{esc(item["ticker"])}"{" selected" if item["ticker"] == default else ""}>'
        f"{esc(item['ticker'])} · {esc(item['name'])}</option>"
        for item in paths["securities"]
    )
    chart = figures.figure_html(
        figures.ar_car_layout(context),
        "ar-car-paths",
        f"AR and CAR paths of {default}",
        data={"paths": "ar-car-data", "select": "ar-car-select"},
    )
    return markup.section(
        "paths",
        "AR and CAR paths",
        f'<p class="picker"><label for="ar-car-select">Security</label> <select id="ar-car-select">{options}</select>'
        " (opens on the largest day-0 move)</p>",
        chart,
        markup.data_block("ar-car-data", paths),
        markup.note(
            "Top: the abnormal return (AR) of each session with its 95% interval, red for a fall, blue for a rise. "
            "Bottom: the CAR from the first day shown with its 95% band (excluding 0: significant at 5% through "
            "that day). Dashed line: day 0."
        ),
    )


def _recommended_table(context: ReportContext, event: Event) -> str:
    """One row per group of the event: its CAAR over the headline window and the recommended test."""
    samples = context.event_group_samples(event.id)
    columns = [
        markup.Column("group", "universe group, the baskets, or all securities (baskets aside)", frozen=True),
        markup.Column(f"CAAR {context.label} %", COLUMNS["caar"]["caar"], numeric=True),
        markup.Column("p", "p-value of the recommended test (named in the next column)", numeric=True),
        markup.Column("BH q", COLUMNS["tests"]["q_value"], numeric=True),
        markup.Column("95% CI %", "cross-sectional 95% interval (none below 3 securities)", numeric=True),
        markup.Column("n", COLUMNS["caar"]["n"], numeric=True),
        markup.Column("statistic", COLUMNS["tests"]["statistic"], numeric=True),
        markup.Column("recommended test"),
    ]
    rows = [
        [
            markup.text(group),
            markup.percent(row.caar),
            markup.p_value(row.test_p),
            markup.p_value(row.test_q),
            markup.interval(*((row.ci_low, row.ci_high) if row.n >= 3 else (np.nan, np.nan))),
            markup.number(row.n, 0),
            markup.number(row.statistic, 2),
            markup.text(findings.test_name(row.test) if isinstance(row.test, str) else "none could be computed"),
        ]
        for group, row in zip(samples.index, samples.itertuples(), strict=True)
    ]
    return markup.table(
        columns,
        rows,
        "groups-table",
        caption="Group CAAR and its recommended test",
        filterable=False,
        download="groups.csv",
    )


def _caar_section(context: ReportContext, event: Event) -> str:
    figure = figures.caar_by_group(context, event.id)
    if figure is None:
        return ""
    return markup.section(
        "caar",
        "Group CAAR",
        figures.figure_html(
            figure,
            "caar-event",
            f"Dot plot of the CAAR {context.label} of each group of securities for this event, with 95% intervals; "
            "the table below has the numbers.",
        ),
        markup.note(_CAAR_NOTE + " Why the recommended test leads: see the key numbers above."),
        _recommended_table(context, event),
    )


def _baskets_section(context: ReportContext, event: Event) -> str:
    if not (context.event_pairs(event.id)["status"] == "ok").any():
        return ""
    baskets = figures.basket_paths(context, event.id)
    if baskets is None:
        return ""
    return markup.section(
        "baskets",
        "Baskets beside their members",
        '<div class="chart-scroll">'
        + figures.figure_html(
            baskets,
            "basket-paths",
            "Line charts, one per group: the CAR path of the group's basket and of each member.",
        )
        + "</div>",
        markup.note(
            "Each panel is one group: its equal-weighted basket (thick black line), rebalanced daily over the members "
            "with a return that day, and each member. A basket is one security with one abnormal-return series, so "
            "its test does not suffer from the cross-correlation of members that share the event date. Hover a line "
            "for its model (market-adjusted: short history)."
        ),
    )


def _results_section(context: ReportContext, event: Event) -> str:
    pairs = context.event_pairs(event.id)
    if pairs.empty:
        return ""
    return markup.section(
        "results",
        f"CAR per security, window {context.label}",
        _results_table(context, findings.by_strength(pairs), "../", "security", "results-table"),
    )


_TEST_COLUMNS = [
    markup.Column("group", COLUMNS["tests"]["group"], frozen=True, kind="lookup"),
    markup.Column("test", "the test, in plain words (the methods page says what each does)", kind="lookup"),
    markup.Column("p", COLUMNS["tests"]["p_value"], numeric=True, kind="p"),
    markup.Column("BH q", COLUMNS["tests"]["q_value"], numeric=True, kind="p"),
    markup.Column("statistic", COLUMNS["tests"]["statistic"], numeric=True, kind="num3"),
    markup.Column("n", COLUMNS["tests"]["n"], numeric=True, kind="num0"),
    markup.Column("df", COLUMNS["tests"]["df"], numeric=True, kind="num0"),
    markup.Column("note", COLUMNS["tests"]["note"], kind="lookup"),
]


def _tests_section(context: ReportContext, event: Event) -> str:
    """Every test of every group over the headline window, behind a disclosure (``tests.csv`` has every window)."""
    tests = context.event_tests(event.id)
    tests = tests[tests["window"] == context.label]
    if tests.empty:
        return ""
    group, groups = lookup(list(tests["group"]))
    test, names = lookup([findings.test_name(name) for name in tests["test"]])
    note, notes = lookup(list(tests["note"].fillna("").astype(str)))
    values = [
        group,
        test,
        markup.significant(tests["p_value"]),
        markup.significant(tests["q_value"]),
        markup.significant(tests["statistic"], 4),
        tests["n"].astype(int).tolist(),
        markup.numbers(tests["df"].to_numpy(dtype=float), 0),
        note,
    ]
    rows = [list(row) for row in zip(*values, strict=True)]
    table = markup.data_table(
        _TEST_COLUMNS,
        rows,
        "tests-table",
        lookups={0: groups, 1: names, 7: notes},
        caption=f"Every test of the event, window {context.label}",
        download="tests-table.csv",
    )
    return markup.section(
        "tests",
        "Every test",
        f'<details class="all-tests"><summary>All {len(rows)} tests of every group, window {esc(context.label)}'
        f"</summary>{table}</details>",
        markup.note(
            "tests.csv has them for every window, with full precision; the methods page says what each test does."
        ),
    )


#: The sections of an event page after its header and key numbers, in order (see the module docstring).
EVENT_SECTIONS: tuple[EventSection, ...] = (
    _paths_section,
    _caar_section,
    analysis_sections.to_whom_section,
    _baskets_section,
    analysis_sections.how_loud_section,
    analysis_sections.how_lasting_section,
    _results_section,
    _about,
    _tests_section,
)


def _neighbours(context: ReportContext, event: Event) -> str:
    """Links to the previous and next events in date order."""
    events, position = context.events, context.numbers[event.id] - 1  # numbers count the events in order from 1
    parts = []
    if position > 0:
        before = events[position - 1].id
        parts.append(
            f'<a rel="prev" href="{esc(_event_href(context, before, "../"))}">'
            f"← {esc(context.event_name(before, 50))}</a>"
        )
    if position + 1 < len(events):
        after = events[position + 1].id
        parts.append(
            f'<a rel="next" href="{esc(_event_href(context, after, "../"))}">{esc(context.event_name(after, 50))} →</a>'
        )
    return f'<nav class="neighbours" aria-label="previous and next event">{"".join(parts)}</nav>'


def event_page(context: ReportContext, event: Event, sections: str = "") -> str:
    """One event: its key numbers first, then the extensions' ``sections`` (e.g. the checked claims about it), the
    warnings and :data:`EVENT_SECTIONS`."""
    header = (
        _neighbours(context, event)
        + f'<p class="kicker">Event {context.numbers[event.id]} of {len(context.events)} · {esc(event.category)} · '
        f"{event.date or 'undated'}</p><h1>{esc(event.title)}</h1>"
        + (f'<p class="zh" lang="zh">{esc(event.title_zh)}</p>' if event.title_zh else "")
    )
    parts = [header, findings.event_key_numbers(context, event), sections, _warnings(context, event)]
    parts += [section(context, event) for section in EVENT_SECTIONS]
    return page(context, f"{event.date or 'undated'} {event.title}", "".join(parts), "../")


# -- security pages ---------------------------------------------------------------------------------------------------


def _security_facts(context: ReportContext, security: Security) -> str:
    coverage = context.results.coverage.get(security.ticker, {})
    missing = coverage.get("missing_sessions") or []
    prices = (
        f"{coverage.get('source') or 'none'}, {coverage.get('first')} .. {coverage.get('last')}, "
        f"{coverage.get('rows', 0)} rows, {len(missing)} missing sessions"  # type: ignore[arg-type]
        if coverage
        else "a basket: the equal-weighted returns of its members"
    )
    facts = [
        ("exchange", security.exchange),
        ("currency", security.currency),
        ("group", security.group),
        ("benchmark", security.benchmark or "–"),
        ("prices", prices),
    ]
    if coverage.get("reason"):
        facts.append(("price problem", str(coverage["reason"])))
    return "<dl>" + "".join(f"<dt>{esc(key)}</dt><dd>{esc(value)}</dd>" for key, value in facts) + "</dl>"


def _price_section(context: ReportContext, security: Security) -> str:
    if security.ticker not in context.prices:
        return ""
    return markup.section(
        "price",
        "Price and events",
        figures.figure_html(
            figures.price_with_events(context, security),
            "price-events",
            f"Line chart of the adjusted close of {security.ticker} with a marker at day 0 of each event studied on "
            "it.",
            clickable=True,
        ),
        markup.note(
            "Adjusted close (splits and dividends) in the trading currency. Diamonds mark day 0 of each event studied "
            f"on this security, red where its CAR over {esc(context.label)} is negative and blue where positive; a "
            "hollow circle where it has no CAR (a price missing), a cross where it could not be estimated. Click a "
            "marker to open the event."
        ),
    )


def _car_section(context: ReportContext, security: Security) -> str:
    pairs = context.security_pairs(security.ticker)
    if pairs.empty:
        return ""
    return markup.section(
        "car",
        f"CAR per event, window {context.label}",
        figures.figure_html(
            figures.car_by_event(context, security),
            "car-by-event",
            f"Dot plot of the CAR {context.label} of {security.ticker} for each of its {len(pairs)} events, with 95% "
            "intervals; the table below has the numbers.",
            clickable=True,
        ),
        markup.note(
            "The CAR over the window with its 95% interval (Student t, the model's degrees of freedom), red for a "
            "fall, blue for a rise; an interval that excludes 0 is significant at 5% before any correction for "
            "testing many events. Click a point to open the event; other windows: the heatmap or car.csv."
        ),
        _results_table(context, findings.by_strength(pairs), "../", "event", "results-table", diagnostics=True),
        markup.note(
            "Right of the numbers: the model fitted on each estimation window (hover a header for its meaning; a low "
            "R² means noisy abnormal returns). Blank: nothing estimated; fixed: the market-adjusted model's alpha 0 "
            "and beta 1."
        ),
    )


#: The sections of a security page after its header and key numbers, in order (see the module docstring).
SECURITY_SECTIONS: tuple[SecuritySection, ...] = (
    _price_section,
    _car_section,
    analysis_sections.activity_section,
    analysis_sections.garch_section,
)


def security_page(context: ReportContext, security: Security, sections: str = "") -> str:
    """One security: its key numbers, the extensions' ``sections``, then :data:`SECURITY_SECTIONS`."""
    header = (
        f'<p class="kicker">{esc(security.group)}</p><h1>{esc(security.ticker)} · {esc(security.name)}</h1>'
        + _security_facts(context, security)
    )
    parts = [header, findings.security_key_numbers(context, security), sections]
    parts += [section(context, security) for section in SECURITY_SECTIONS]
    return page(context, f"{security.ticker} · {security.name}", "".join(parts), "../")
