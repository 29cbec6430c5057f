"""HTML pages of a report: the index, one page per event and one per security.

Every text that comes from the inputs (events file, universe, reasons) goes through :func:`html.escape`; figures
come from :mod:`eventstudy.report.figures`. Pages reference ``assets/`` (plotly.js, the style sheet and a small
table sorter) relative to themselves, so a report opens from disk and works offline. Each page function returns
the page as text; nothing here writes files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.columns import ALL_EVENTS, ALL_GROUPS, COLUMNS
from eventstudy.events import Event
from eventstudy.report import figures, markup
from eventstudy.report.context import ReportContext
from eventstudy.report.markup import esc
from eventstudy.results import HEADLINE_TEST
from eventstudy.spec import window_label
from eventstudy.statistics import TESTS
from eventstudy.universe import Security
from eventstudy.version import __version__

__all__ = ["DATA_FILES", "event_page", "index_page", "page", "security_page"]

#: Data files of a report, with what each holds (listed on the index page).
DATA_FILES = {
    "ar.csv": "abnormal returns, one row per (event, security, event day)",
    "car.csv": "CAR per (event, security, event window) with its tests",
    "tests.csv": "group tests per (event or all events, group, event window, test)",
    "caar.csv": "CAAR per (event or all events, group, event window) with 95% confidence interval",
    "pairs.csv": "estimation diagnostics per (event, security), and why a pair is not estimable",
    "skipped.csv": "events and securities left out, with the reason",
    "columns.md": "what every column of these files means",
    "run.json": "version, configuration, price sources and coverage per ticker, input hash, timestamps",
}


def page(context: ReportContext, title: str, body: str, root: str) -> str:
    """A complete HTML document; ``root`` leads from the page to the report folder (``""`` or ``"../"``)."""
    study = context.results.spec
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<link rel="stylesheet" href="{root}assets/report.css">
<script src="{root}assets/plotly.min.js"></script>
<script src="{root}assets/report.js" defer></script>
</head>
<body>
<nav class="top"><a href="{root}index.html">Overview</a><a href="{root}index.html#events">Events</a>\
<a href="{root}index.html#securities">Securities</a><a href="{root}index.html#results">All results</a>\
<a href="{root}index.html#data">Data</a></nav>
<main>
{body}
</main>
<footer>eventstudy {esc(__version__)} · {esc(study.model_name)} model · estimation window \
{esc(study.estimation_window)} sessions · headline window {esc(context.label)} · \
<a href="{root}columns.md">column definitions</a> · <a href="{root}run.json">run.json</a></footer>
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
        f"{esc(study.return_kind).capitalize()} returns. Windows count sessions of each security's own "
        "exchange from its day 0, the first session that can react to the news."
    )


def _event_href(context: ReportContext, event_id: str, root: str) -> str:
    return f"{root}events/{context.event_files[event_id]}.html"


def _security_href(context: ReportContext, ticker: str, root: str) -> str:
    return f"{root}securities/{context.security_files[ticker]}.html"


def _results_table(context: ReportContext, pairs: pd.DataFrame, root: str, table_id: str) -> str:
    """One row per (event, security): status, CAR in every window, and the tests of the headline window."""
    docs = COLUMNS["car"]
    label = context.label
    columns = [
        markup.Column("#", "event number (chronological)", numeric=True),
        markup.Column("event", "event id; opens its page"),
        markup.Column("day 0", COLUMNS["pairs"]["day_zero"]),
        markup.Column("ticker", "security; opens its page"),
        markup.Column("name"),
        markup.Column("group", COLUMNS["pairs"]["group"]),
        markup.Column("status", COLUMNS["pairs"]["status"]),
        *(markup.Column(f"CAR {window} %", f"{docs['car']}, in percent", numeric=True) for window in context.windows),
        markup.Column(
            f"95% CI {label} %", "95% confidence interval of the CAR (Student t, the model's df)", numeric=True
        ),
        markup.Column("t", docs["t"], numeric=True),
        markup.Column("p", docs["p_value"], numeric=True),
        markup.Column("SQ p", docs["sq_p_value"], numeric=True),
        markup.Column("BH q", docs["q_value"], numeric=True),
        markup.Column("note", "why the pair has no CAR: not estimable, or missing prices in the window"),
    ]
    order = {event_id: position for position, event_id in enumerate(context.studied)}
    pairs = pairs.assign(_order=pairs["event_id"].map(order)).sort_values("_order", kind="stable")
    wide = context.car_wide
    rows = []
    for row in pairs.itertuples(index=False):
        key = (row.event_id, row.ticker)
        cars = wide.loc[key] if key in wide.index else pd.Series(dtype=float)
        rows.append(
            [
                markup.number(context.numbers[row.event_id], 0),
                markup.link(_event_href(context, row.event_id, root), row.event_id),
                markup.text(row.day_zero.date()),
                markup.link(_security_href(context, row.ticker, root), row.ticker),
                markup.text(row.name),
                markup.text(row.group),
                markup.status(row.status, row.reason, row.fallback_reason),
                *(markup.percent(cars.get(window, np.nan)) for window in context.windows),
                markup.interval(row.ci_low, row.ci_high),
                markup.number(row.t),
                markup.p_value(row.p_value),
                markup.p_value(row.sq_p_value),
                markup.p_value(row.q_value),
                markup.text(note := figures.pair_note(pd.Series(row._asdict()), label), "reason" if note else ""),
            ]
        )
    fallback = markup.note(markup.FALLBACK_NOTE) if (pairs["fallback_reason"] != "").any() else ""
    return markup.table(columns, rows, table_id) + fallback


def _caar_figure(context: ReportContext, scope: str, event_id: str, title: str, div_id: str) -> str:
    results = context.results
    caar = results.caar[(results.caar["scope"] == scope) & (results.caar["event_id"] == event_id)]
    if caar.empty:
        return markup.note("No group has a CAR here, so there is no CAAR to show.")
    tests = results.tests
    chosen = tests[(tests["scope"] == scope) & (tests["event_id"] == event_id) & (tests["test"] == HEADLINE_TEST)]
    p_values = chosen.set_index(["group", "window"])["p_value"]
    groups = [*dict.fromkeys(security.group for security in context.securities), ALL_GROUPS]
    figure = figures.caar_bars(caar, p_values, groups, context.windows, title)
    return figures.figure_html(figure, div_id)


_CAAR_NOTE = (
    "CAAR is the mean CAR of the group's securities; the error bars are its 95% confidence interval from the "
    "cross-section of CARs (Student t, n − 1 df), which ignores the correlation of securities hit by the same news "
    "on the same day. The hover text gives the Kolari-Pynnönen adjusted BMP test's p-value, which allows for it: "
    "trust that one when the two disagree. A group of one security has no interval."
)


# -- index ------------------------------------------------------------------------------------------------------------


def _events_table(context: ReportContext) -> str:
    results, label = context.results, context.label
    caar = results.caar[(results.caar["group"] == ALL_GROUPS) & (results.caar["window"] == label)]
    caar = caar.set_index("event_id")
    tests = results.tests
    chosen = tests[(tests["group"] == ALL_GROUPS) & (tests["window"] == label) & (tests["test"] == HEADLINE_TEST)]
    p_values = chosen.set_index("event_id")["p_value"]
    skipped = results.skipped[results.skipped["ticker"] == ""].set_index("event_id")["reason"]
    counts = context.pairs.groupby("event_id")["status"].agg(total="size", ok=lambda s: int((s == "ok").sum()))
    columns = [
        markup.Column("#", "event number (chronological)", numeric=True),
        markup.Column("date", "local date of the news"),
        markup.Column("event", "id; opens the event's page"),
        markup.Column("title"),
        markup.Column("标题", "Chinese title"),
        markup.Column("category"),
        markup.Column("estimable pairs", "pairs with an estimated model / all pairs of the event", numeric=True),
        markup.Column(f"CAAR {label} %", "mean CAR of all securities of the event", numeric=True),
        markup.Column("95% CI %", "cross-sectional 95% confidence interval of the CAAR", numeric=True),
        markup.Column(
            "KP-BMP p", "Kolari-Pynnönen adjusted BMP test of the CAAR (allows for event-day clustering)", True
        ),
        markup.Column("note", "why an event was not studied"),
    ]
    rows = []
    for event in context.events:
        count = counts.loc[event.id] if event.id in counts.index else None
        studied = count is not None
        rows.append(
            [
                markup.number(context.numbers[event.id], 0),
                markup.text(event.date),
                markup.link(_event_href(context, event.id, ""), event.id),
                markup.text(event.title, "wrap"),
                markup.Cell(f'<span lang="zh">{esc(event.title_zh)}</span>', event.title_zh),
                markup.text(event.category),
                markup.Cell(f"{count.ok} / {count.total}", int(count.ok), "num")
                if studied
                else markup.Cell("–", "", "num"),
                markup.percent(caar["caar"].get(event.id, np.nan)),
                markup.interval(caar["ci_low"].get(event.id, np.nan), caar["ci_high"].get(event.id, np.nan)),
                markup.p_value(p_values.get(event.id, np.nan)),
                markup.text(skipped.get(event.id, "" if studied else "no studied security"), "wrap"),
            ]
        )
    return markup.table(columns, rows, "events-table")


def _securities_table(context: ReportContext) -> str:
    label = context.label
    pairs = context.pairs
    columns = [
        markup.Column("ticker", "opens the security's page"),
        markup.Column("name"),
        markup.Column("group"),
        markup.Column("exchange", COLUMNS["pairs"]["exchange"]),
        markup.Column("benchmark", COLUMNS["pairs"]["benchmark"]),
        markup.Column("price source", "where the prices came from (run.json has the coverage)"),
        markup.Column("estimable events", "events with an estimated model / events studied on the security", True),
        markup.Column(f"mean CAR {label} %", "mean of the security's CARs over the events", numeric=True),
        markup.Column("p < 0.05", "events whose CAR has a t-test p-value below 0.05", numeric=True),
    ]
    rows = []
    for security in context.securities:
        own = pairs[pairs["ticker"] == security.ticker]
        ok = int((own["status"] == "ok").sum())
        coverage = context.results.coverage.get(security.ticker, {})
        rows.append(
            [
                markup.link(_security_href(context, security.ticker, ""), security.ticker),
                markup.text(security.name),
                markup.text(security.group),
                markup.text(security.exchange),
                markup.text(security.benchmark or ""),
                markup.text(coverage.get("source") or "none"),
                markup.Cell(f"{ok} / {len(own)}", ok, "num"),
                markup.percent(own["car"].mean() if own["car"].notna().any() else np.nan),
                markup.number(int((own["p_value"] < 0.05).sum()), 0),
            ]
        )
    return markup.table(columns, rows, "securities-table")


def _timeline_note(context: ReportContext) -> str:
    basket = (
        f" and of an equal-weighted basket of the {esc(context.featured_basket)} group (daily rebalanced; a "
        "missing return counts as 0)"
        if context.featured_basket
        else ""
    )
    return (
        f"Cumulative return from the first session shown, of {esc(', '.join(context.timeline))} (adjusted "
        f"closes){basket}. Events are numbered by date on the lower strip, by category; dotted lines mark the dates "
        "of those studied. Hover a marker for the event, click it to open its page. Drag to zoom, double-click to "
        "reset."
    )


def index_page(context: ReportContext, sections: str = "", files: dict[str, str] | None = None) -> str:
    """The overview: headline numbers, CAR heatmap, timeline, group CAARs, events, securities, every result.

    ``sections`` (HTML of the report's extensions, e.g. the checked claims) follow the headline numbers and
    ``files`` are the data files listed (default :data:`DATA_FILES`).
    """
    label = context.label
    pairs = context.pairs
    estimable = int((pairs["status"] == "ok").sum())
    fell_back = int(((pairs["fallback_reason"] != "") & (pairs["status"] == "ok")).sum())
    significant = int((pairs["p_value"] < 0.05).sum())
    tested = int(pairs["p_value"].notna().sum())
    summary = (
        f'<p class="lead">{len(context.studied)} of {len(context.events)} events studied on '
        f"{len(context.securities)} securities: {len(pairs)} (event, security) pairs, {estimable} estimable "
        f"({fell_back} of them with the short-history market-adjusted model, marked †), "
        f'<span class="bad">{len(pairs) - estimable} not estimable</span> (marked × and explained in the tables). '
        f"{significant} of the {tested} CARs over {esc(label)} have p &lt; 0.05, where about "
        f"{round(0.05 * tested)} would by chance alone.</p><p>{_settings_line(context)}</p>"
    )
    heatmap = figures.figure_html(figures.car_heatmap(context), "car-heatmap", clickable=True)
    timeline = figures.figure_html(figures.event_timeline(context), "event-timeline", clickable=True)
    files = files or DATA_FILES
    data = "".join(f'<li><a href="{name}">{name}</a>: {esc(text)}</li>' for name, text in files.items())
    body = "".join(
        [
            f"<h1>{esc(context.config.title)}</h1>",
            summary,
            sections,
            markup.section(
                "heatmap",
                f"Abnormal returns per event and security, window {label}",
                heatmap,
                markup.note(
                    f"Each cell is the cumulative abnormal return (CAR) of a security over sessions {esc(label)} "
                    "around the event's day 0: its return minus what the model predicts from its benchmark. Red is a "
                    "fall, blue a rise; colours saturate at the 98th percentile of |CAR| (hover shows the value). "
                    "* marks p &lt; 0.05 and ** p &lt; 0.01 (t test of the single CAR); with hundreds of pairs "
                    "about 1 in 20 clears p &lt; 0.05 by chance, so also look at the BH q-value in the hover. "
                    "× marks a pair that could not be estimated (the hover says why). Click a cell to open the event."
                ),
            ),
            markup.section(
                "timeline",
                "Timeline: prices and events",
                timeline,
                markup.note(
                    "Cumulative return from the first session shown, of NVIDIA, TSMC and ASML (adjusted closes) and of "
                    "an equal-weighted basket of the Hong Kong AI &amp; internet group (daily rebalanced; a missing "
                    "return counts as 0). Events are numbered by date on the lower strip, by category; dotted lines "
                    "mark the dates of those studied. Hover a marker for the event, click it to open its page. "
                    "Drag to zoom, double-click to reset."
                ),
            ),
            markup.section(
                "caar",
                "Group CAAR across all events",
                _caar_figure(context, ALL_EVENTS, ALL_EVENTS, "CAAR per group across all events (%)", "caar-all"),
                markup.note(_CAAR_NOTE),
            ),
            markup.section("events", "Events", _events_table(context)),
            markup.section("securities", "Securities", _securities_table(context)),
            markup.section(
                "results",
                f"All results (headline window {label})",
                markup.note(
                    "One row per (event, security). Click a header to sort, type to filter. CARs in percent; the "
                    "confidence interval and the tests are those of the headline window; other windows are in "
                    "car.csv. Hover a header for its definition."
                ),
                _results_table(context, pairs, "", "results-table"),
            ),
            markup.section("data", "Data", f"<ul>{data}</ul>"),
        ]
    )
    return page(context, context.config.title, body, "")


# -- event pages ------------------------------------------------------------------------------------------------------


def _warnings(context: ReportContext, event: Event) -> str:
    """Warnings of an event page: not studied, overlapping events, contaminated estimation windows, missing pairs."""
    items = []
    results = context.results
    for row in results.skipped[results.skipped["event_id"] == event.id].itertuples():
        what = f"{row.ticker}: " if row.ticker else "The event was not studied: "
        items.append(f"{esc(what)}{esc(row.reason)}.")
    overlaps = context.overlaps[context.overlaps["event_id"] == event.id]
    for other, rows in overlaps.groupby("other_event_id", sort=True):
        where = ", ".join(
            f"{row.exchange} {int(row.sessions_apart):+d} sessions" for row in rows.sort_values("exchange").itertuples()
        )
        items.append(
            f'Overlapping event <a href="{esc(_event_href(context, str(other), "../"))}">{esc(other)}</a> '
            f"({where} from day 0): its event windows share sessions with this one's, so the CARs mix both."
        )
    pairs = context.pairs[context.pairs["event_id"] == event.id]
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
            + "; ".join(f"<b>{esc(row.ticker)}</b>: {esc(row.fallback_reason)}" for row in fell_back.itertuples())
        )
    failed = pairs[pairs["status"] != "ok"]
    if not failed.empty:
        items.append(
            f'<span class="bad">{len(failed)} of {len(pairs)} pairs are not estimable</span>: '
            + "; ".join(f"<b>{esc(row.ticker)}</b>: {esc(row.reason)}" for row in failed.itertuples())
        )
    if not items:
        return ""
    return '<div class="warnings"><h2>Warnings</h2><ul>' + "".join(f"<li>{item}</li>" for item in items) + "</ul></div>"


def _tests_table(context: ReportContext, event_id: str) -> str:
    tests = context.results.tests
    tests = tests[(tests["scope"] == "event") & (tests["event_id"] == event_id)]
    docs = COLUMNS["tests"]
    columns = [
        markup.Column("group", docs["group"]),
        markup.Column("window", docs["window"]),
        markup.Column("test", "hover a test for what it does"),
        markup.Column("n", docs["n"], numeric=True),
        markup.Column("statistic", docs["statistic"], numeric=True),
        markup.Column("df", docs["df"], numeric=True),
        markup.Column("p", docs["p_value"], numeric=True),
        markup.Column("BH q", docs["q_value"], numeric=True),
        markup.Column("note", docs["note"]),
    ]
    rows = [
        [
            markup.text(row.group),
            markup.text(row.window),
            markup.Cell(f'<span title="{esc(_test_doc(row.test))}">{esc(row.test)}</span>', row.test),
            markup.number(row.n, 0),
            markup.number(row.statistic, 3),
            markup.number(row.df, 0),
            markup.p_value(row.p_value),
            markup.p_value(row.q_value),
            markup.text(row.note if isinstance(row.note, str) else ""),
        ]
        for row in tests.itertuples()
    ]
    return markup.table(columns, rows, "tests-table")


def _test_doc(name: str) -> str:
    test = TESTS.get(name)
    return (test.__doc__ or "").strip().splitlines()[0] if test is not None and test.__doc__ else name


def event_page(context: ReportContext, event: Event, sections: str = "") -> str:
    """One event: what, when and where it was reported, day 0 per market, warnings, AR/CAR paths, CAARs, tests.

    ``sections`` (HTML of the report's extensions, e.g. the checked claims about the event) follow the header.
    """
    exchanges = sorted({security.exchange for security in context.securities})

    def day_zero(exchange: str) -> str:
        first, last = event.day_zero_range(exchange)
        return f"{first.date()}" if first == last else f"{first.date()} .. {last.date()} (the date is a span)"

    days = (
        "".join(f"<tr><td>{esc(exchange)}</td><td>{day_zero(exchange)}</td></tr>" for exchange in exchanges)
        if event.date is not None
        else '<tr><td colspan="2">none: the event is undated</td></tr>'
    )
    when = f"{event.date or 'undated'}" + (f" {event.time:%H:%M}" if event.time else " (time of day unknown)")
    if event.date_end is not None:
        when += f" to {event.date_end}" + (f" {event.time_end:%H:%M}" if event.time_end else "")
    quotes = "".join(f'<blockquote lang="zh">{esc(quote)}</blockquote>' for quote in event.quotes)
    facts = [
        ("date", when + (f", {event.timezone}" if event.timezone else "")),
        ("date precision", event.date_precision),
        ("actor", event.actor),
        ("category", event.category),
        ("securities concerned", ", ".join(event.tickers) or "the whole universe"),
        ("source", event.source or "–"),
    ]
    header = (
        f'<p class="kicker">Event {context.numbers[event.id]} · {esc(event.id)}</p>'
        f"<h1>{esc(event.title)}</h1>"
        + (f'<p class="zh" lang="zh">{esc(event.title_zh)}</p>' if event.title_zh else "")
        + "<dl>"
        + "".join(f"<dt>{esc(key)}</dt><dd>{esc(value)}</dd>" for key, value in facts)
        + "</dl>"
        + (f"<h2>Source quote</h2>{quotes}" if quotes else "")
        + (f'<p class="note">Dating: {esc(event.notes)}</p>' if event.notes else "")
        + '<h2>Day 0 per market</h2><table class="plain"><tr><th>exchange</th><th>day 0</th></tr>'
        + days
        + "</table>"
        + markup.note(
            "Day 0 is the first session of each exchange that can react to the news: the event day if the news "
            "came before the close there, otherwise the next session."
        )
    )
    pairs = context.pairs[context.pairs["event_id"] == event.id]
    parts = [header, sections, _warnings(context, event)]
    if (pairs["status"] == "ok").any():
        parts += [
            markup.section(
                "paths",
                "AR and CAR paths",
                figures.figure_html(figures.ar_car_paths(context, event.id), "ar-car-paths"),
                markup.note(
                    "Top: abnormal return (AR) of each session, with its 95% prediction interval. Bottom: CAR summed "
                    "from the first day shown, with its 95% band; a band that excludes 0 on a day means the "
                    "cumulated abnormal return through that day is significant at 5%. Day 0 is marked by the dashed "
                    "line. Pick another security in the menu; hover for dates and returns."
                ),
            ),
            markup.section(
                "caar",
                "Group CAAR",
                _caar_figure(context, "event", event.id, f"CAAR per group for {event.id} (%)", "caar-event"),
                markup.note(_CAAR_NOTE),
            ),
        ]
        baskets = figures.basket_paths(context, event.id)
        if baskets is not None:
            parts.append(
                markup.section(
                    "baskets",
                    "Baskets beside their members",
                    figures.figure_html(baskets, "basket-paths"),
                    markup.note(
                        "Each panel is one group: its equal-weighted basket (thick black line), rebalanced daily over "
                        "the members with a return that day, and each member. A basket is one security with one "
                        "abnormal-return series, so its test does not suffer from the cross-correlation of members "
                        "that share the event date. Hover a line for its model (market-adjusted: short history)."
                    ),
                )
            )
    if not pairs.empty:
        parts += [
            markup.section(
                "results",
                f"CAR per security (tests of window {context.label})",
                _results_table(context, pairs, "../", "results-table"),
            ),
            markup.section("tests", "Group test statistics", _tests_table(context, event.id)),
        ]
    return page(context, f"{event.id}: {event.title}", "".join(parts), "../")


# -- security pages ---------------------------------------------------------------------------------------------------


def _diagnostics_table(context: ReportContext, security: Security) -> str:
    docs = COLUMNS["pairs"]
    pairs = context.pairs[context.pairs["ticker"] == security.ticker]
    order = {event_id: position for position, event_id in enumerate(context.studied)}
    pairs = pairs.sort_values("event_id", key=lambda ids: ids.map(order))
    keys = ["observations", "dof", "alpha", "beta", "sigma", "r_squared"]
    columns = [
        markup.Column("#", "event number", numeric=True),
        markup.Column("event", "opens the event's page"),
        markup.Column("day 0", docs["day_zero"]),
        markup.Column("status", docs["status"]),
        *(markup.Column(key, docs[key], numeric=True) for key in keys),
        markup.Column("estimation window", f"{docs['estimation_start']} .. {docs['estimation_end']}"),
        markup.Column("contaminating events", docs["contaminating_events"]),
        markup.Column("why not estimable", docs["reason"]),
    ]
    digits = {"observations": 0, "dof": 0, "alpha": 5, "beta": 3, "sigma": 4, "r_squared": 3}
    rows = [
        [
            markup.number(context.numbers[row.event_id], 0),
            markup.link(_event_href(context, row.event_id, "../"), row.event_id),
            markup.text(row.day_zero.date()),
            markup.status(row.status, row.reason, row.fallback_reason),
            *(markup.number(getattr(row, key), digits[key]) for key in keys),
            markup.text(
                f"{row.estimation_start.date()} .. {row.estimation_end.date()}"
                if pd.notna(row.estimation_start) and pd.notna(row.estimation_end)
                else "–"
            ),
            markup.text(row.contaminating_events.replace(";", ", "), "wrap"),
            markup.text(row.reason, "reason" if row.reason else ""),
        ]
        for row in pairs.itertuples(index=False)
    ]
    return markup.table(columns, rows, "diagnostics-table")


def security_page(context: ReportContext, security: Security) -> str:
    """One security: price with events, CAR per event with confidence intervals, estimation diagnostics."""
    coverage = context.results.coverage.get(security.ticker, {})
    missing = coverage.get("missing_sessions") or []
    facts = [
        ("exchange", security.exchange),
        ("currency", security.currency),
        ("group", security.group),
        ("benchmark", security.benchmark or "–"),
        (
            "prices",
            f"{coverage.get('source') or 'none'}, {coverage.get('first')} .. {coverage.get('last')}, "
            f"{coverage.get('rows', 0)} rows, {len(missing)} missing sessions",
        ),  # type: ignore[arg-type]
    ]
    if coverage.get("reason"):
        facts.append(("price problem", str(coverage["reason"])))
    pairs = context.pairs[context.pairs["ticker"] == security.ticker]
    body = "".join(
        [
            f'<p class="kicker">{esc(security.group)}</p><h1>{esc(security.ticker)} · {esc(security.name)}</h1>',
            "<dl>" + "".join(f"<dt>{esc(key)}</dt><dd>{esc(value)}</dd>" for key, value in facts) + "</dl>",
            f"<p>{_settings_line(context)}</p>",
            markup.section(
                "price",
                "Price and events",
                figures.figure_html(figures.price_with_events(context, security), "price-events", clickable=True),
                markup.note(
                    "Adjusted close (splits and dividends) in the trading currency. Diamonds mark day 0 of each "
                    f"event studied on this security, green where its CAR over {esc(context.label)} is positive, red "
                    "where negative, grey where it could not be estimated. Click a diamond to open the event."
                ),
            ),
            markup.section(
                "car",
                "CAR per event",
                figures.figure_html(figures.car_by_event(context, security), "car-by-event", clickable=True),
                markup.note(
                    "Each point is the CAR over the window with its 95% confidence interval (Student t with the "
                    "model's degrees of freedom; the forecast error of the model is included). An interval that "
                    "excludes 0 is significant at 5%, before any correction for testing many events. n/e: not "
                    "estimable."
                ),
                _results_table(context, pairs, "../", "results-table"),
            ),
            markup.section(
                "diagnostics",
                "Estimation diagnostics",
                markup.note(
                    "The model fitted for each event on the estimation window: observations used, residual degrees of "
                    "freedom, intercept alpha, beta to the benchmark, residual standard deviation sigma (daily) and "
                    "R². A low R² means the benchmark explains little, so abnormal returns are noisy."
                ),
                _diagnostics_table(context, security),
            ),
        ]
    )
    return page(context, f"{security.ticker} · {security.name}", body, "../")
