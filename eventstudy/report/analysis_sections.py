"""Sections of the analyses beyond abnormal returns (:mod:`eventstudy.analyses`) on the report's pages.

Event pages: *to whom* (:func:`to_whom_section`: the cross-sectional regression of the event's CARs on the
securities' characteristics, with a chart of the CARs against its main regressor), *how loud*
(:func:`how_loud_section`: abnormal volume and volatility per group and per security) and *how lasting*
(:func:`how_lasting_section`: buy-and-hold abnormal returns per group and per security, with the caveats of
long-horizon inference). Security pages: volume, volatility and BHAR per event (:func:`activity_section`) and, for
the securities with GARCH ARs, those beside the OLS ones around each event (:func:`garch_section`). The all-results
page: the regression pooled over all events (:func:`pooled_regression_section`). The methods page: what each
analysis does and its reference (:data:`METHODS`).

The event windows shown are (0,0) and the headline window (``ReportContext.short_windows``; the CSV files have every
window), and every long window of the BHARs. Every number comes from the results' tables, through
:class:`~eventstudy.report.analysis_data.AnalysisData`: nothing is recomputed here. A value a table leaves empty is
shown blank with the table's reason, never as 0; a section whose analysis was not run is empty.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from eventstudy.analyses.cross_section import RUNUP_WINDOW
from eventstudy.baskets import BASKETS_GROUP
from eventstudy.columns import ALL_EVENTS, COLUMNS
from eventstudy.events import Event
from eventstudy.models import garch as garch_model
from eventstudy.report import figures, markup
from eventstudy.report.analysis_data import LEAD_TESTS, AnalysisData, Fit
from eventstudy.report.context import MARKETS, ReportContext
from eventstudy.report.findings import test_name
from eventstudy.report.markup import Cell, esc, lookup, significant_value
from eventstudy.spec import window_label
from eventstudy.statistics import bhar as bhar_statistics
from eventstudy.statistics import cross_section as regression_statistics
from eventstudy.statistics import ranks, volatility, volume
from eventstudy.universe import Security

__all__ = [
    "METHODS",
    "activity_section",
    "garch_section",
    "how_lasting_section",
    "how_loud_section",
    "pooled_regression_section",
    "term_label",
    "to_whom_section",
]

_CATEGORY = re.compile(r"C\((?P<variable>[A-Za-z_]\w*)\)\[T\.(?P<level>.*)\]")
_WHY_BLANK = "what is missing and why (the reason column of the data file), with the windows it concerns"
_MEASURES = {"volume": "CAV", "ar_squared": "AR² ratio", "range": "range ratio", "bhar": "BHAR"}


# -- compact tables -------------------------------------------------------------------------------------------------


def _cell(cell: Cell, title: str = "") -> str:
    css = f' class="{cell.css}"' if cell.css else ""
    hint = f' title="{esc(title)}"' if title else ""
    return f"<td{css}{hint}>{cell.html}</td>"


_BLANK = _cell(markup.blank())


def _header(name: str, help_text: str = "", span: int = 1, rows: int = 1) -> str:
    attributes = (f' colspan="{span}"' if span > 1 else "") + (f' rowspan="{rows}"' if rows > 1 else "")
    hint = f' title="{esc(help_text)}"' if help_text else ""
    return f'<th scope="col"{attributes}{hint}>{esc(name)}</th>'


def _row(label: str, cells: Sequence[str], note: str) -> str:
    """A row of a compact table: its label, its cells and why something in it is blank."""
    return f'<tr><th scope="row">{label}</th>{"".join(cells)}<td class="why">{esc(note)}</td></tr>'


def _compact(head: str, body: str, caption: str, css: str = "") -> str:
    """A compact table (not sortable; head and body already HTML) that scrolls sideways in its own box."""
    return (
        f'<div class="table-wrap compact"><table class="key analysis{f" {css}" if css else ""}">'
        f'<caption class="sr-only">{esc(caption)}</caption><thead>{head}</thead><tbody>{body}</tbody></table></div>'
    )


def _blocks(blocks: Iterable[tuple[str, Sequence[str]]], columns: int) -> str:
    """Table rows in blocks, each under a row that names it (a window)."""
    return "".join(
        f'<tr class="sub"><th scope="rowgroup" colspan="{columns}">{title}</th></tr>{"".join(rows)}'
        for title, rows in blocks
    )


def _where(notes: Mapping[str, list[str]]) -> str:
    """``{reason: [what it concerns]}`` as ``"(0,0), (0,+1): reason; ..."``."""
    return "; ".join(f"{', '.join(dict.fromkeys(where))}: {text}" for text, where in notes.items())


def _rounded(value: float, digits: int) -> float | None:
    """One value for a data table, rounded (``None`` when missing): :func:`eventstudy.report.markup.numbers` for a
    single value, without building an array."""
    return round(value, digits) if math.isfinite(value) else None


def _security_links(context: ReportContext, tickers: Sequence[str]) -> tuple[list[int], list[object]]:
    return lookup([(ticker, f"../securities/{context.security_files[ticker]}.html") for ticker in tickers])


def _event_links(context: ReportContext, events: Sequence[str]) -> tuple[list[int], list[object]]:
    return lookup([(context.event_name(e, 40), f"../events/{context.event_files[e]}.html") for e in events])


# -- to whom: the cross-sectional regression ----------------------------------------------------------------------


def term_label(term: str) -> str:
    """A regressor in words: ``C(group)[T.HK semiconductors]`` -> ``group: HK semiconductors``, ``runup`` -> the
    run-up and its days (other terms as the formula names them)."""
    match = _CATEGORY.fullmatch(term)
    if match:
        level = match["level"]
        if match["variable"] == "market" and level in MARKETS:
            level = f"{MARKETS[level]} ({level})"
        return f"{match['variable']}: {level}"
    first, last = RUNUP_WINDOW
    names = {
        "Intercept": "intercept (the baseline)",
        "beta": "beta (pre-event market beta)",
        "runup": f"run-up (return over days {first}..{last})".replace("-", markup.MINUS),
    }
    return names.get(term, term)


def _characteristic(context: ReportContext, variable: str) -> dict[str, object]:
    """Ticker -> value of a column of the user's characteristics (empty when there is no such column)."""
    table = context.results.spec.characteristics
    if table is None or variable not in table.frame.columns:
        return {}
    return dict(zip(table.frame["ticker"], table.frame[variable], strict=True))


def _levels(context: ReportContext, variable: str, tickers: Iterable[str]) -> dict[str, str]:
    """Ticker -> its level of a categorical characteristic (group, market calendar as the regression names it, or
    a column of the user's characteristics), for the tickers that have one."""
    if variable == "group":
        return {ticker: context.security(ticker).group for ticker in tickers}
    if variable == "market":
        calendars = context.analyses.calendars
        return {ticker: calendars[ticker] for ticker in tickers if ticker in calendars}
    values = _characteristic(context, variable)
    return {ticker: str(values[ticker]) for ticker in tickers if ticker in values and values[ticker] == values[ticker]}


def _why_aliased(context: ReportContext, term: str, tickers: Sequence[str]) -> str:
    """Why a term has no coefficient: no security of its level in the regression, or implied by the others."""
    match = _CATEGORY.fullmatch(term)
    if match and match["level"] not in set(_levels(context, match["variable"], tickers).values()):
        return f"no security of this {match['variable']} has a CAR in the regression"
    return "implied by the other terms (aliased)"


def _coefficient_table(
    context: ReportContext, fits: Mapping[str, Fit], scope: str, terms: Sequence[str], caption: str
) -> str:
    """Terms down, windows across (coefficient, standard error, 95% interval, p), then what each regression used
    and why a coefficient is blank."""
    data = context.analyses
    head = (
        "<tr>"
        + _header("term", "regressor of the formula (group and market: difference from the baseline)", rows=2)
        + "".join(_header(f"CAR {window}", "the regression of the CARs of this window", span=4) for window in fits)
        + _header("why blank", "why a coefficient is blank", rows=2)
        + "</tr><tr>"
        + "".join(
            _header("coef %", "OLS coefficient, in percentage points of CAR (per unit of beta or of run-up)")
            + _header("s.e.", "standard error, in percentage points")
            + _header("95% CI %", "95% confidence interval (Student t with the regression's df)")
            + _header("p", COLUMNS["cross_section"]["p_value"])
            for _ in fits
        )
        + "</tr>"
    )
    rows = []
    for term in terms:
        cells: list[str] = []
        notes: dict[str, list[str]] = {}
        for window, fit in fits.items():
            coef, se, low, high, p_value = fit.coefficients.get(term, (np.nan,) * 5)
            if not np.isfinite(coef):
                cells += [_BLANK] * 4
                if not fit.failed:
                    notes.setdefault(_why_aliased(context, term, data.in_regression(scope, window)), []).append(window)
                continue
            cells += [
                _cell(markup.percent(coef)),
                _cell(markup.number(100 * se, 2)),
                _cell(markup.interval(low, high)),
                _cell(markup.p_value(p_value)),
            ]
        rows.append(_row(esc(term_label(term)), cells, _where(notes)))
    rows.append(_row("fit", [_fit_cell(fit) for fit in fits.values()], ""))
    return _compact(head, "".join(rows), caption, "coefficients")


def _units(fit: Fit) -> str:
    """What a regression's n counts: securities (one event), or (security, day 0) pairs (pooled, clustered)."""
    return "(security, day 0) pairs" if np.isfinite(fit.clusters) else "securities"


def _fit_cell(fit: Fit) -> str:
    """What a regression used: securities (and event dates), R², degrees of freedom of its t."""
    if fit.failed:
        return '<td colspan="4" class="t">not run (see above)</td>'
    if not np.isfinite(fit.df):
        return f'<td colspan="4" class="t">n = {fit.n}, no standard errors: {esc(fit.note)}</td>'
    r2 = f"R² {fit.r2:.2f} (adjusted {fit.adj_r2:.2f})".replace("-", markup.MINUS)
    clusters = f", {int(fit.clusters)} event dates" if np.isfinite(fit.clusters) else ""
    return f'<td colspan="4" class="t">n = {fit.n} {_units(fit)}{clusters}, {r2}, t with {int(fit.df)} df</td>'


def _baseline(context: ReportContext, fit: Fit, tickers: Sequence[str]) -> str:
    """What the intercept stands for: per categorical regressor with a coefficient, its levels with securities in
    the regression but no coefficient of their own (when the reference level has none, another takes its place)."""
    texts = []
    categories = [match for match in map(_CATEGORY.fullmatch, fit.coefficients) if match]
    estimated = {(m["variable"], m["level"]) for m in map(_CATEGORY.fullmatch, fit.estimated) if m}
    for variable in dict.fromkeys(match["variable"] for match in categories):
        with_coefficient = {level for name, level in estimated if name == variable}
        if not with_coefficient:
            continue
        named = {match["level"] for match in categories if match["variable"] == variable}
        present = set(_levels(context, variable, tickers).values())
        everywhere = set(_levels(context, variable, context.analyses.calendars).values())
        reference = sorted(everywhere - named)
        baseline = ", ".join(sorted(present - with_coefficient)) or "none"
        swapped = (
            f" (the reference {variable}, {', '.join(reference)}, has no security with a CAR here)"
            if reference and not set(reference) & present
            else ""
        )
        texts.append(f"baseline {esc(variable)}: <b>{esc(baseline)}</b>{esc(swapped)}")
    return "; ".join([f"n = {fit.n} {_units(fit)}", *texts])


def _absent(context: ReportContext, event_id: str, window: str, fit: Fit) -> list[str]:
    """Who of the event's securities is not in the regression over ``window`` and why."""
    data = context.analyses
    lines = []
    for missing in data.missing.get((event_id, window), []):
        count = len(missing.tickers)
        names = f" ({', '.join(missing.tickers)})" if count <= 4 else ""
        when = f": no return on {', '.join(missing.dates)} (a close missing in the prices)" if missing.dates else ""
        lines.append(f"the {count} {missing.market} securities{names}, which have no CAR {window}{when}")
    if fit.dropped:
        imposed = [t for t in data.with_car(event_id, window) if t in data.imposed_beta.get(event_id, set())]
        if "beta" in fit.coefficients and len(imposed) == fit.dropped:
            lines.append(f"{', '.join(imposed)}: no estimated beta (short history, market-adjusted model)")
        else:
            lines.append(f"{fit.dropped} securities with a characteristic missing (a beta not estimated, or no run-up)")
    return lines


def _regression_notes(context: ReportContext, scope: str, fits: Mapping[str, Fit]) -> str:
    """One line per window: what the regression used and its baseline, or why it could not be run; and who is not
    in it, and why."""
    lines = []
    for window, fit in fits.items():
        if fit.failed:
            text = f"<b>{esc(window)}: the regression could not be run</b> ({esc(fit.note)})"
        else:
            text = f"<b>{esc(window)}</b>: {_baseline(context, fit, context.analyses.in_regression(scope, window))}"
        absent = _absent(context, scope, window, fit) if scope != ALL_EVENTS else []
        if absent:
            text += ". Not in the regression: " + "; ".join(esc(line) for line in absent)
        lines.append(f"<li>{text}.</li>")
    return f'<ul class="regression-notes">{"".join(lines)}</ul>'


def _regression_parts(context: ReportContext, scope: str, lead: str, caption: str) -> list[str]:
    """The notes and coefficient table of a regression (``lead`` covariance), the other covariances behind a
    disclosure each."""
    data = context.analyses
    covariances = data.covariances(scope)
    if lead not in covariances:
        lead = covariances[0]
    windows = [window for window in data.windows if data.fit(scope, window, lead) is not None]
    fits = {window: data.fits[(scope, window, lead)] for window in windows}
    parts = [_regression_notes(context, scope, fits), _coefficient_table(context, fits, scope, data.terms, caption)]
    for covariance in covariances:
        if covariance == lead:
            continue
        other = {window: data.fits[(scope, window, covariance)] for window in windows}
        parts.append(
            f"<details><summary>{esc(covariance)} standard errors</summary>"
            + _coefficient_table(context, other, scope, data.terms, f"{caption}, {covariance} standard errors")
            + "</details>"
        )
    return parts


def to_whom_section(context: ReportContext, event: Event) -> str:
    """To whom: the event's cross-sectional regression over (0,0) and the headline window (HC3 standard errors;
    others behind a disclosure), who is not in it and why, and a chart of the CARs against the main regressor."""
    data = context.analyses
    if not data.covariances(event.id):
        return ""
    intro = markup.note(
        f"The regression <code>{esc(data.formula)}</code> of the CARs of the event's securities (baskets aside: a "
        "basket and its members are the same money), by OLS with heteroskedasticity-robust HC3 standard errors "
        "(MacKinnon &amp; White 1985). A group's coefficient is how much more (or less) its securities' CAR moved "
        "than the baseline's, the other characteristics held equal; the intercept is the baseline's."
    )
    parts = _regression_parts(context, event.id, "HC3", "Regression of the CARs of the event")
    return markup.section(
        "to-whom", "To whom: CAR on the securities' characteristics", intro, *parts, _to_whom_chart(context, event)
    )


def _main_regressor(context: ReportContext) -> tuple[str, bool] | None:
    """The first regressor of the formula the chart can draw, ``(variable, categorical)``: group, market or a
    categorical column of the user's, or a number the report has per security (beta, or a user's column)."""
    table = context.results.spec.characteristics
    user = set(table.columns) if table is not None else set()
    for term in context.analyses.terms:
        match = _CATEGORY.fullmatch(term)
        if match and match["variable"] in {"group", "market"} | user:
            return match["variable"], True
        if term in {"beta"} | user:
            return term, False
    return None


def _to_whom_chart(context: ReportContext, event: Event) -> str:
    """The CARs of the event's securities against the formula's main regressor, both windows side by side."""
    data = context.analyses
    main = _main_regressor(context)
    windows = [window for window in data.windows if data.cars.get((event.id, window))]
    if main is None or not windows:
        return ""
    variable, categorical = main
    cars = {window: data.cars[(event.id, window)] for window in windows}
    left_out = data.imposed_beta.get(event.id, set()) if "beta" in data.terms else set()
    members = [ticker for ticker in data.event_tickers[event.id] if context.security(ticker).group != BASKETS_GROUP]
    if categorical:
        levels = _levels(context, variable, members)
        order = list(dict.fromkeys(levels[ticker] for ticker in members if ticker in levels))
        figure = figures.car_by_category(context, cars, levels, order, left_out, variable)
    else:
        if variable == "beta":
            values = {ticker: data.betas.get((event.id, ticker), np.nan) for ticker in members}
        else:
            given = pd.to_numeric(pd.Series(_characteristic(context, variable), dtype=object), errors="coerce")
            values = {str(ticker): float(value) for ticker, value in given.items()}
        figure = figures.car_by_value(context, cars, values, left_out, term_label(variable))
    symbols = ", ".join(f"{name}: CAR {window}" for name, window in zip(("circles", "diamonds"), windows, strict=False))
    return figures.figure_html(
        figure,
        "to-whom-chart",
        f"Dot plot of the CARs {' and '.join(windows)} of the event's securities by {variable}; the table above has "
        "the regression.",
    ) + markup.note(
        f"Each point is one security ({esc(symbols)}), red for a fall and blue for a rise; hollow: left out of the "
        "regression (no estimated beta: short history). Hover a point for the security. Securities without a CAR, "
        f"and any {esc(variable)} without one, are not drawn (named above)."
    )


# -- how loud: abnormal volume and volatility -----------------------------------------------------------------------


def _blank_note(data: AnalysisData, key: tuple[str, str, str, str], what: str, notes: dict[str, list[str]]) -> None:
    """Add to ``notes`` (reason -> what it concerns) why a sample's value is blank (the most common reason of its
    securities), or how many of its securities have none when it has one."""
    reason = data.reasons.get(key)
    if key not in data.leads:
        notes.setdefault(reason or "no security has it", []).append(what)
    elif reason:
        notes.setdefault(reason, []).append(f"{data.reasons[(*key, 'blank')]} with no {what}")


def _sample_cells(data: AnalysisData, key: tuple[str, str, str, str], value: Callable[[float], Cell]) -> list[str]:
    """The estimate, p and n cells of a sample's lead test (blank when it has none; the p cell names its test when
    it is not the column's, the first of :data:`~eventstudy.report.analysis_data.LEAD_TESTS`)."""
    lead = data.leads.get(key)
    if lead is None:
        return [_BLANK] * 3
    other = test_name(lead.test) if lead.test != LEAD_TESTS[key[3]][0] else ""
    return [
        _cell(value(lead.estimate)),
        _cell(markup.p_value(lead.p_value), other),
        _cell(markup.number(lead.n, 0)),
    ]


def how_loud_section(context: ReportContext, event: Event) -> str:
    """How loud: per group, the mean abnormal volume (CAV) and volatility ratios over (0,0) and the headline window
    with their lead tests (:data:`~eventstudy.report.analysis_data.LEAD_TESTS`), every test behind a disclosure,
    and each security's."""
    data = context.analyses
    tickers = data.event_tickers.get(event.id, [])
    windows = [window for window in data.windows if tickers and (event.id, tickers[0], window) in data.volume]
    if not windows:
        return ""
    blocks = []
    for window in windows:
        rows = []
        for group in data.event_groups[event.id]:
            cells: list[str] = []
            notes: dict[str, list[str]] = {}
            for measure in ("volume", "ar_squared", "range"):
                key = (event.id, group, window, measure)
                cells += _sample_cells(data, key, lambda value: markup.number(value, 2))
                _blank_note(data, key, _MEASURES[measure], notes)
                partial = data.reasons.get((*key, "partial"))
                if partial and key in data.leads:
                    notes.setdefault("over fewer days than the window (a day without data)", []).append(
                        f"{partial} {_MEASURES[measure]}s"
                    )
            rows.append(_row(esc(group), cells, _where(notes)))
        blocks.append((f"window {esc(window)}", rows))
    head = (
        "<tr>"
        + _header("group", "universe group, baskets, or all securities (baskets aside)", rows=2)
        + _header("abnormal volume", "cumulative abnormal log volume (CAV) of the group's securities", span=3)
        + _header("volatility: AR² ratio", "mean of AR² / Var(AR) over the window (the study's model)", span=3)
        + _header(
            "volatility: range ratio",
            "the window's mean daily (Parkinson) range variance over the estimation window's",
            span=3,
        )
        + _header("why blank", "why a group has no value", rows=2)
        + "</tr><tr>"
        + _header("mean CAV", "mean cumulative abnormal log volume (0.69: twice the normal volume for a day)")
        + _header("p", f"{test_name(LEAD_TESTS['volume'][0])} (a value from another test names it on hover)")
        + _header("n", "securities with a CAV")
        + _header("mean", "mean ratio (1: as the estimation window predicts)")
        + _header("p", test_name(LEAD_TESTS["ar_squared"][0]))
        + _header("n", "securities with the ratio")
        + _header("mean", "mean ratio (1: as calm as the estimation window)")
        + _header("p", f"{test_name(LEAD_TESTS['range'][0])} of the daily ranges (another test: named on hover)")
        + _header("n", "securities with the ratio")
        + "</tr>"
    )
    others = sum(
        1 for ticker in tickers if data.volume.get((event.id, ticker, windows[0]), (0,) * 6)[5] not in ("benchmark", 0)
    )
    market = (
        f" For {others} securities the benchmark has no volume, so their market's log volume is that of the other "
        "securities of their market (the market_volume column of volume.csv)."
        if others
        else ""
    )
    return markup.section(
        "how-loud",
        "How loud: abnormal volume and volatility",
        markup.note(
            "Abnormal volume (Campbell &amp; Wasley 1996): the log volume against a market model of the market's log "
            "volume fitted on the estimation window; a CAV of 0.69 is twice the normal volume for one day, summed "
            "over the window's days with a volume (a stale day, zero volume and an unchanged close, is not one). "
            "Volatility ratios: 1 is as calm as the estimation window; the AR² ratio measures the event's abnormal "
            "returns, the range ratio the daily high and low (Parkinson 1980). p: for volume the rank test, which "
            "Campbell &amp; Wasley found the better specified; for the AR² ratio the skewness-adjusted t of the mean "
            "against 1; for the range ratio the rank test of the daily ranges." + market
        ),
        _compact(head, _blocks(blocks, 11), "Abnormal volume and volatility per group"),
        _all_activity_tests(data, event.id, windows),
        "<h3>Per security</h3>",
        _activity_table(context, event.id, tickers, windows),
    )


_TEST_COLUMNS = [
    markup.Column("group", COLUMNS["volume_tests"]["group"], frozen=True, kind="lookup"),
    markup.Column("measure", "abnormal volume (CAV), or a volatility ratio", kind="lookup"),
    markup.Column("window", COLUMNS["volume_tests"]["window"], kind="lookup"),
    markup.Column("test", "the test, in plain words", kind="lookup"),
    markup.Column("estimate", "mean CAV or mean ratio of the sample", numeric=True, kind="num3"),
    markup.Column("statistic", COLUMNS["volume_tests"]["statistic"], numeric=True, kind="num3"),
    markup.Column("p", COLUMNS["volume_tests"]["p_value"], numeric=True, kind="p"),
    markup.Column("n", COLUMNS["volume_tests"]["n"], numeric=True, kind="num0"),
    markup.Column("note", COLUMNS["volume_tests"]["note"], kind="lookup"),
]


def _all_activity_tests(data: AnalysisData, event_id: str, windows: Sequence[str]) -> str:
    """Every test of abnormal volume and volatility of the event over the windows shown, behind a disclosure."""
    tests = [row for row in data.tests.get(event_id, []) if row[1] != "bhar" and row[2] in windows]
    if not tests:
        return ""
    group, measure, window, test, estimate, statistic, p_value, n, note = zip(*tests, strict=True)
    lookups = [
        lookup(group),
        lookup([_MEASURES[m] for m in measure]),
        lookup(window),
        lookup([test_name(name) for name in test]),
    ]
    notes = lookup([text or "" for text in note])
    values = [
        *(codes for codes, _ in lookups),
        markup.significant(estimate, 4),
        markup.significant(statistic, 4),
        markup.significant(p_value),
        [int(size) for size in n],
        notes[0],
    ]
    table = markup.data_table(
        _TEST_COLUMNS,
        [list(row) for row in zip(*values, strict=True)],
        "activity-tests",
        lookups={position: listed for position, (_, listed) in enumerate(lookups)} | {8: notes[1]},
        caption="Every test of abnormal volume and volatility",
    )
    return (
        f'<details class="all-tests"><summary>All {len(tests)} tests of volume and volatility, windows '
        f"{esc(' and '.join(windows))}</summary>{table}</details>"
    )


def _activity_values(
    data: AnalysisData, keys: Sequence[tuple[str, str]], windows: Sequence[str]
) -> tuple[list[list[object]], list[str]]:
    """Per (event, ticker): CAV and its p per window, the AR² and range ratios per window, and what is blank and
    why (or over fewer days than the window)."""
    rows, notes = [], []
    nothing, no_ratio = (np.nan, np.nan, "", 0, 0, ""), (np.nan, np.nan, "", 0, 0)
    for event_id, ticker in keys:
        values: list[object] = []
        why: dict[str, list[str]] = {}
        for window in windows:
            cav, p_value, reason, days, missing, _ = data.volume.get((event_id, ticker, window), nothing)
            values += [_rounded(cav, 3), significant_value(p_value)]
            if reason:
                why.setdefault(f"volume: {reason}", []).append(window)
            elif missing:
                why.setdefault(f"CAV over {days} of {days + missing} days", []).append(window)
        for measure in ("ar_squared", "range"):
            for window in windows:
                ratio, _, reason, days, missing = data.volatility.get((event_id, ticker, measure, window), no_ratio)
                values.append(_rounded(ratio, 3))
                if reason:
                    why.setdefault(f"{_MEASURES[measure]}: {reason}", []).append(window)
                elif missing:
                    why.setdefault(f"{_MEASURES[measure]} over {days} of {days + missing} days", []).append(window)
        rows.append(values)
        notes.append(_where(why))
    return rows, notes


def _activity_columns(windows: Sequence[str], first: markup.Column) -> list[markup.Column]:
    """Columns of a table of volume and volatility: ``first`` (what names a row), CAV and its p per window, the AR²
    ratio per window, the range ratio per window."""
    column = markup.Column
    columns = [first]
    for window in windows:
        columns += [
            column(f"CAV {window}", COLUMNS["volume"]["cav"], numeric=True, kind="num2"),
            column("p", COLUMNS["volume"]["p_value"], numeric=True, kind="p"),
        ]
    for measure in ("ar_squared", "range"):
        help_text = f"{COLUMNS['volatility']['ratio']}; {COLUMNS['volatility']['measure']}"
        columns += [column(f"{_MEASURES[measure]} {w}", help_text, numeric=True, kind="num2") for w in windows]
    return columns


def _activity_table(context: ReportContext, event_id: str, tickers: Sequence[str], windows: Sequence[str]) -> str:
    """Each security's CAV (with p) and volatility ratios, the most significant day-0 CAV first."""
    values, notes = _activity_values(context.analyses, [(event_id, ticker) for ticker in tickers], windows)
    order = sorted(range(len(tickers)), key=lambda i: (values[i][1] is None, values[i][1] or 0.0))
    codes, listed = _security_links(context, tickers)
    columns = _activity_columns(windows, markup.Column("security", "opens its page", frozen=True, kind="link"))
    columns.append(markup.Column("why blank", _WHY_BLANK, kind="text"))
    return markup.data_table(
        columns,
        [[codes[i], *values[i], notes[i] or None] for i in order],
        "activity-table",
        lookups={0: listed},
        caption="Abnormal volume and volatility per security",
        sorted_by=(2, "ascending"),
        download="activity.csv",
    )


# -- how lasting: buy-and-hold abnormal returns ----------------------------------------------------------------------


def _long_windows(context: ReportContext) -> list[str]:
    return [window_label(window) for window in context.results.spec.bhar_windows]


def _bhar_spans(context: ReportContext, event_id: str, tickers: Sequence[str], window: str) -> str:
    """``"2025-01-21 .. 2025-02-19 (US)"``: the first and last session of a long window, per market."""
    data = context.analyses
    markets = data.markets
    spans: dict[str, tuple[object, object]] = {}
    for ticker in tickers:
        found = data.bhar.get((event_id, ticker, window))
        if found is None or found[4] is None or found[5] is None:  # no session (beyond the calendar)
            continue
        first, last = spans.get(markets[ticker], (found[4], found[5]))
        spans[markets[ticker]] = (min(first, found[4]), max(last, found[5]))
    return "; ".join(
        f"{first:%Y-%m-%d} .. {last:%Y-%m-%d} ({market})" for market, (first, last) in sorted(spans.items())
    )


def how_lasting_section(context: ReportContext, event: Event) -> str:
    """How lasting: per group, the mean buy-and-hold abnormal return (BHAR) of each long window with the
    Lyon-Barber-Tsai skewness-adjusted t and its bootstrap p-value, each security's BHAR with the returns it
    compares, and the caveats of long-horizon inference."""
    data = context.analyses
    tickers = data.event_tickers.get(event.id, [])
    windows = [window for window in _long_windows(context) if tickers and (event.id, tickers[0], window) in data.bhar]
    if not windows:
        return ""
    resampled = {
        (group, window): p_value
        for group, measure, window, test, _, _, p_value, _, _ in data.tests.get(event.id, [])
        if measure == "bhar" and test == "bootstrap_skewness_adjusted_t"
    }
    blocks = []
    for window in windows:
        rows = []
        for group in data.event_groups[event.id]:
            key = (event.id, group, window, "bhar")
            lead = data.leads.get(key)
            if lead is None:
                rows.append(_row(esc(group), [_BLANK] * 5, data.reasons.get(key) or "no security has a BHAR"))
                continue
            cells = [
                _cell(markup.percent(lead.estimate)),
                _cell(markup.number(lead.statistic, 2)),
                _cell(markup.p_value(lead.p_value)),
                _cell(markup.p_value(resampled.get((group, window), np.nan))),
                _cell(markup.number(lead.n, 0)),
            ]
            notes: dict[str, list[str]] = {}
            _blank_note(data, key, "BHAR", notes)
            rows.append(_row(esc(group), cells, _where(notes)))
        spans = _bhar_spans(context, event.id, tickers, window)
        blocks.append((f"window {esc(window)}" + (f" · {esc(spans)}" if spans else ""), rows))
    head = (
        "<tr>"
        + "".join(
            _header(name, help_text)
            for name, help_text in (
                ("group", "universe group, baskets, or all securities (baskets aside)"),
                ("mean BHAR %", COLUMNS["bhar_tests"]["estimate"]),
                ("t (LBT)", "skewness-adjusted t of Lyon, Barber & Tsai (1999)"),
                ("p", "two-sided p-value of the skewness-adjusted t (Student t, n - 1 df)"),
                ("bootstrap p", "p-value of the skewness-adjusted t from its bootstrap (resamples of n/4)"),
                ("n", "securities with a BHAR"),
                ("why blank", "why a group has no BHAR"),
            )
        )
        + "</tr>"
    )
    return markup.section(
        "how-lasting",
        "How lasting: buy-and-hold abnormal returns",
        markup.note(
            "BHAR: the return of buying each security at the close before day 0 and holding it to the end of the "
            "window, minus the same for its benchmark; it compounds, so it says whether the move lasted. A window "
            "that runs past the last price, or lacks a close it needs, has no BHAR and says why: it is never "
            "shortened."
        ),
        f'<p class="caveat"><b>Caveats of long-horizon inference.</b> {esc(bhar_statistics.LONG_HORIZON_CAVEAT)}</p>',
        _compact(head, _blocks(blocks, 7), "Mean BHAR per group with the Lyon-Barber-Tsai tests"),
        "<h3>Per security</h3>",
        _bhar_table(context, event.id, tickers, windows),
    )


def _bhar_values(
    data: AnalysisData, keys: Sequence[tuple[str, str]], windows: Sequence[str], returns: bool
) -> tuple[list[list[object]], list[str]]:
    """Per (event, ticker): the BHAR per window in percent (and the security's and the benchmark's buy-and-hold
    returns when ``returns``), and why a BHAR is blank."""
    values, notes = [], []
    nothing = (np.nan, np.nan, np.nan, "", None, None)
    for event_id, ticker in keys:
        line: list[object] = []
        why: dict[str, list[str]] = {}
        for window in windows:
            bhar, own, benchmark, reason, _, _ = data.bhar.get((event_id, ticker, window), nothing)
            line += [_rounded(100 * value, 2) for value in ((bhar, own, benchmark) if returns else (bhar,))]
            if reason:
                why.setdefault(reason, []).append(window)
        values.append(line)
        notes.append(_where(why))
    return values, notes


def _bhar_table(context: ReportContext, event_id: str, tickers: Sequence[str], windows: Sequence[str]) -> str:
    values, notes = _bhar_values(context.analyses, [(event_id, ticker) for ticker in tickers], windows, True)
    codes, listed = _security_links(context, tickers)
    column = markup.Column
    columns = [column("security", "opens its page", frozen=True, kind="link")]
    for window in windows:
        columns += [
            column(f"BHAR {window} %", COLUMNS["bhar"]["bhar"], numeric=True, kind="num2"),
            column("security %", COLUMNS["bhar"]["buy_and_hold_return"], numeric=True, kind="num2"),
            column("benchmark %", COLUMNS["bhar"]["benchmark_return"], numeric=True, kind="num2"),
        ]
    columns.append(column("why blank", COLUMNS["bhar"]["reason"], kind="text"))
    return markup.data_table(
        columns,
        [[code, *line, note or None] for code, line, note in zip(codes, values, notes, strict=True)],
        "bhar-table",
        lookups={0: listed},
        caption="BHAR per security",
        download="bhar.csv",
    )


# -- security pages ---------------------------------------------------------------------------------------------------


def activity_section(context: ReportContext, security: Security) -> str:
    """Per event of a security: its abnormal volume (CAV and p) and volatility ratios over (0,0) and the headline
    window, and its BHAR over each long window, blank with the reason where there is none."""
    data = context.analyses
    events = data.security_events.get(security.ticker, [])
    keys = [(event_id, security.ticker) for event_id in events]
    windows = [window for window in data.windows if keys and (*keys[0], window) in data.volume]
    long_windows = [window for window in _long_windows(context) if keys and (*keys[0], window) in data.bhar]
    if not windows and not long_windows:
        return ""
    activity, activity_notes = _activity_values(data, keys, windows)
    bhar, bhar_notes = _bhar_values(data, keys, long_windows, returns=False)
    codes, listed = _event_links(context, events)
    columns = _activity_columns(windows, markup.Column("event", "opens its page", frozen=True, kind="link"))
    columns += [markup.Column(f"BHAR {w} %", COLUMNS["bhar"]["bhar"], numeric=True, kind="num2") for w in long_windows]
    columns.append(markup.Column("why blank", _WHY_BLANK, kind="text"))
    rows = [
        [code, *first, *second, "; ".join(note for note in notes if note) or None]
        for code, first, second, *notes in zip(codes, activity, bhar, activity_notes, bhar_notes, strict=True)
    ]
    return markup.section(
        "activity",
        "Volume, volatility and buy-and-hold returns per event",
        markup.note(
            "CAV: cumulative abnormal log volume (0.69: twice the normal volume for one day) with its t-test p; "
            "volatility ratios (1: as calm as the estimation window) from the abnormal returns (AR²) and from the "
            "daily high and low (range); BHAR: buy-and-hold return minus the benchmark's. The event pages have the "
            "group tests; volume.csv, volatility.csv and bhar.csv every window."
        ),
        markup.data_table(
            columns,
            rows,
            "activity-table",
            lookups={0: listed},
            caption="Volume, volatility and BHAR per event",
            download="activity.csv",
        ),
    )


def garch_section(context: ReportContext, security: Security) -> str:
    """The GARCH(1,1) ARs of a security beside its OLS ones around each event (a chart of the day 0 the reader
    picks, events that share a day 0 being one fit), and every event's day 0 in a table."""
    rows = context.analyses.garch.get(security.ticker)
    if rows is None:
        return ""
    pairs = context.security_pairs(security.ticker)
    present = set(rows["event_id"])
    shocks: dict[str, list[str]] = {}  # events that share a day 0 are one fit of the same returns
    for event_id, day_zero in zip(pairs["event_id"], pairs["day_zero"], strict=True):
        if event_id in present:
            shocks.setdefault(f"{day_zero:%Y-%m-%d}", []).append(event_id)
    choices = figures.garch_choices(
        rows,
        {
            day_zero: (events[0], f"day 0 {day_zero} ({'; '.join(context.event_name(e, 44) for e in events)})")
            for day_zero, events in shocks.items()
        },
        security.ticker,
    )
    on_day_zero = rows[rows["day"] == 0].drop_duplicates("event_id").set_index("event_id")["ols_sar"].abs()
    strength = {key: on_day_zero.get(events[0], np.nan) for key, events in shocks.items()}
    default = max(strength, key=lambda key: strength[key] if np.isfinite(strength[key]) else -1.0)
    options = "".join(
        f'<option value="{esc(day_zero)}"{" selected" if day_zero == default else ""}>'
        f"{esc(day_zero)} · {esc('; '.join(context.event_name(e, 44).partition(' ')[2] for e in events))}</option>"
        for day_zero, events in shocks.items()
    )
    chart = figures.figure_html(
        figures.garch_layout(context),
        "garch-paths",
        f"GARCH and OLS abnormal returns of {security.ticker}",
        data={"choices": "garch-data", "select": "garch-select"},
    )
    return markup.section(
        "garch",
        "GARCH(1,1) beside the OLS market model",
        markup.note(
            "The abnormal returns of the market model fitted by OLS (grey circles, with the 95% interval ±1.96 of its "
            "prediction-error standard error) and of the market model with GARCH(1,1) errors (orange diamonds, ±1.96 "
            "of the conditional standard deviation forecast from the last estimation day), both fitted on the study's "
            "estimation window. Where they differ, the estimation window's volatility clustering changes what counts "
            "as abnormal. Events that share a day 0 are one fit."
        ),
        f'<p class="picker"><label for="garch-select">Day 0</label> <select id="garch-select">{options}</select> '
        "(opens on the largest day-0 move)</p>",
        chart,
        markup.data_block("garch-data", {"default": default, "choices": choices}),
        "<h3>Day 0 of every event</h3>",
        _garch_table(context, rows, list(pairs["event_id"])),
    )


def _garch_table(context: ReportContext, rows: pd.DataFrame, events: Sequence[str]) -> str:
    """Day 0 of every event of the security: OLS and GARCH AR, their standard errors and standardized ARs."""
    docs = COLUMNS["garch"]
    column = markup.Column
    columns = [
        column("event", "opens its page", frozen=True, kind="link"),
        column("day 0", docs["date"] + " of day 0", kind="text"),
        column("OLS AR %", f"{docs['ols_ar']}, day 0", numeric=True, kind="num2"),
        column("s.e. %", docs["ols_ar_se"], numeric=True, kind="num2"),
        column("OLS SAR", docs["ols_sar"], numeric=True, kind="num2"),
        column("GARCH AR %", f"{docs['garch_ar']}, day 0", numeric=True, kind="num2"),
        column("s.d. %", docs["garch_sd"], numeric=True, kind="num2"),
        column("GARCH SAR", docs["garch_sar"], numeric=True, kind="num2"),
        column("α+β", docs["persistence"], numeric=True, kind="num3"),
        column("why blank", docs["reason"], kind="text"),
    ]
    day_zero = rows[rows["day"] == 0].drop_duplicates("event_id").set_index("event_id")
    shown = [event_id for event_id in events if event_id in day_zero.index]
    chosen = day_zero.loc[shown]
    codes, listed = _event_links(context, shown)
    values = [codes, [None if day != day else f"{day:%Y-%m-%d}" for day in chosen["date"]]]
    for name, scale in (("ols_ar", 100), ("ols_ar_se", 100), ("ols_sar", 1), ("garch_ar", 100), ("garch_sd", 100)):
        values.append(markup.numbers(scale * chosen[name].to_numpy(dtype=float), 3))
    values += [
        markup.numbers(chosen["garch_sar"].to_numpy(dtype=float), 3),
        markup.numbers(chosen["persistence"].to_numpy(dtype=float), 3),
        [reason or None for reason in chosen["reason"]],
    ]
    return markup.data_table(
        columns,
        [list(row) for row in zip(*values, strict=True)],
        "garch-table",
        lookups={0: listed},
        caption="GARCH and OLS abnormal returns on day 0",
        download="garch-day0.csv",
    )


# -- all-results and methods pages ----------------------------------------------------------------------------------


def pooled_regression_section(context: ReportContext) -> str:
    """The regression pooled over every event (each security once per day 0) with errors clustered by event date
    (HC3 behind a disclosure), over (0,0) and the headline window."""
    data = context.analyses
    if not data.covariances(ALL_EVENTS):
        return ""
    fits = [data.fits[key] for key in data.fits if key[0] == ALL_EVENTS and key[2] == "cluster"]
    caveats = sorted({part for fit in fits for part in fit.note.split("; ") if part and not part.startswith("aliased")})
    return markup.section(
        "pooled-regression",
        "To whom, across all events: the pooled regression",
        markup.note(
            f"The regression <code>{esc(data.formula)}</code> of the CARs of every event, each security counted once "
            "per day 0 (events that share a day 0 are the same returns), with standard errors clustered by event date "
            "(the securities of one date share its market-wide news; Cameron &amp; Miller 2015)."
            + (f" Caveat: {esc('; '.join(caveats))}." if caveats else "")
        ),
        *_regression_parts(context, ALL_EVENTS, "cluster", "Regression of the CARs of all events"),
    )


#: What the methods page lists for the analyses: (name, where it is in the data, the function or module whose
#: docstring says what it does and gives its references).
METHODS: tuple[tuple[str, str, object], ...] = (
    ("cross-sectional regression of CARs", "cross_section.csv", regression_statistics),
    ("abnormal volume (CAV)", "volume.csv: cav, t, p_value", volume.abnormal_volume),
    ("AR² variance ratio", "volatility.csv: measure ar_squared", volatility.variance_ratio),
    ("range-based volatility ratio", "volatility.csv: measure range", volatility.range_volatility_ratio),
    ("mean volatility ratio test", "volatility_tests.csv: mean_ratio_t", volatility.mean_ratio_tests),
    ("rank test of daily volume and ranges", "volume_tests.csv, volatility_tests.csv: corrado_rank", ranks),
    ("buy-and-hold abnormal return (BHAR)", "bhar.csv", bhar_statistics),
    ("conventional t of the mean BHAR", "bhar_tests.csv: bhar_t", bhar_statistics.bhar_t),
    (
        "skewness-adjusted t (Lyon-Barber-Tsai)",
        "bhar_tests.csv: skewness_adjusted_t",
        bhar_statistics.skewness_adjusted,
    ),
    (
        "bootstrapped skewness-adjusted t",
        "bhar_tests.csv: bootstrap_skewness_adjusted_t",
        bhar_statistics.bootstrap_skewness_adjusted_t,
    ),
    ("GARCH(1,1) market model", "garch.csv", garch_model),
)
