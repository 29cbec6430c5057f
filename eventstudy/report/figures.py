"""Charts of a report as plain Plotly JSON: the event timeline, CAAR per event and per group, AR/CAR paths, baskets
beside their members, prices with events and CAR per event.

Every function returns a figure as a ``dict`` (``{"data": [...], "layout": {...}}``, the JSON plotly.js reads:
nothing is validated trace by trace, so a page costs the time of ``json.dumps``); :func:`figure_html` embeds it in a
page as a ``<div>`` and an inert JSON data block that ``assets/report.js`` draws with the page's one copy of
plotly.js. Returns are shown in percent. CAR and AR colours follow their sign with the red/blue of the heatmap
(ColorBrewer RdBu, safe for colour-blind readers); a pair that could not be estimated or has no CAR is drawn as
such, never as a zero. Points that lead to another page carry its relative address as ``customdata``; a figure made
``clickable`` opens it on a click.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.columns import ALL_GROUPS
from eventstudy.report.context import ReportContext
from eventstudy.report.markup import data_block, esc, fixed, format_p, numbers, signed_percent, significant
from eventstudy.universe import Security

__all__ = [
    "NEGATIVE",
    "NEUTRAL",
    "POSITIVE",
    "SERIES_COLOURS",
    "ar_car_layout",
    "ar_car_paths_data",
    "basket_paths",
    "caar_by_event",
    "caar_by_group",
    "car_by_category",
    "car_by_event",
    "car_by_value",
    "event_timeline",
    "figure_html",
    "garch_choices",
    "garch_layout",
    "layout",
    "pair_note",
    "price_with_events",
    "sign_colours",
]

#: Colours of a fall and a rise (ColorBrewer RdBu, the heatmap's ends) and of what has no value.
NEGATIVE, POSITIVE, NEUTRAL = "#b2182b", "#2166ac", "#6b7280"
#: Line colours of several series (Okabe-Ito: distinguishable with every common colour-vision deficiency).
SERIES_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#000000")
#: Marker symbol of each event window when several are drawn (colour is the sign).
_WINDOW_SYMBOLS = ("circle", "diamond", "square", "triangle-up", "triangle-down", "cross", "star", "hexagon")


def figure_html(
    figure: dict[str, Any],
    div_id: str,
    description: str,
    *,
    clickable: bool = False,
    data: Mapping[str, str] | None = None,
) -> str:
    """The figure as an empty ``<div>`` (drawn by ``report.js``) and its JSON data block.

    Parameters
    ----------
    figure
        ``{"data": [...], "layout": {...}}``.
    div_id
        Id of the ``<div>``; the data block is ``<div_id>-data``.
    description
        What the chart shows, in words (its accessible name: ``role="img"`` and ``aria-label``).
    clickable
        A click on a point whose ``customdata`` is a page address opens that page.
    data
        More ``data-*`` attributes for ``report.js`` (``{"paths": ..., "select": ...}``: a chart it redraws from
        another data block when a ``<select>`` changes).
    """
    click = ' data-click="open"' if clickable else ""
    extra = "".join(f' data-{esc(name)}="{esc(value)}"' for name, value in (data or {}).items())
    return (
        f'<div class="chart plotly-graph-div" id="{esc(div_id)}" role="img" aria-label="{esc(description)}"{extra}'
        f' data-figure="{esc(div_id)}-data"{click}></div>{data_block(f"{div_id}-data", figure)}'
    )


def layout(height: int, **extra: object) -> dict[str, Any]:
    """The layout of a chart (no title: the page's heading names the chart) with ``extra`` on top. Fonts, colours
    and the style of every axis are the template ``report.js`` gives every chart, so no figure repeats them."""
    base: dict[str, Any] = {
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    }
    return base | extra


def sign_colours(values: object) -> list[str]:
    """The colour of each value's sign (:data:`NEGATIVE`, :data:`POSITIVE`; :data:`NEUTRAL` when missing)."""
    array = np.asarray(values, dtype=float)
    return np.where(np.isnan(array), NEUTRAL, np.where(array < 0, NEGATIVE, POSITIVE)).tolist()


def _percent(values: object, digits: int = 3) -> list[float | None]:
    return numbers(100.0 * np.asarray(values, dtype=float), digits)


def _dates(values: object) -> list[str | None]:
    index = pd.DatetimeIndex(values)
    return [None if pd.isna(day) else day.strftime("%Y-%m-%d") for day in index]


def _daily(series: pd.Series, digits: int | None) -> dict[str, Any]:
    """A daily series on a date axis as ``x0`` + one value per calendar day (``null`` where there is no session,
    bridged by the line): half the bytes of a date per point. ``digits``: decimals, or ``None`` for five
    significant digits (prices)."""
    if series.empty:
        return {"x": [], "y": []}
    days = pd.date_range(series.index[0], series.index[-1], freq="D")
    values = series.reindex(days).to_numpy(dtype=float)
    return {
        "x0": series.index[0].strftime("%Y-%m-%d"),
        "dx": 86_400_000,
        "y": significant(values, 5) if digits is None else numbers(values, digits),
        "connectgaps": True,
    }


def _wrapped(text: str, width: int = 60) -> str:
    return "<br>".join(html.escape(line) for line in textwrap.wrap(text, width))


#: Columns of ``context.pairs`` that the price chart's event markers read (:func:`_marker_text`, :func:`pair_note`;
#: ``itertuples`` costs time per column, so the chart selects these).
_MARKER_COLUMNS = ["event_id", "status", "reason", "car", "q_value", "missing_days", "fallback_reason"]


def pair_note(row: Any, label: str) -> str:
    """Why a pair (a row of ``context.pairs.itertuples()``) has no CAR over the headline window (empty when it has
    one)."""
    if row.status != "ok":
        return f"not estimable: {row.reason}"
    if not np.isfinite(row.car):
        missing = int(row.missing_days)
        return f"no CAR {label}: {missing} day(s) of the window without a return (missing prices)"
    return ""


def _marker_text(row: Any, label: str) -> str:
    """What a price chart's event marker says: the CAR and its BH q-value, or why there is none."""
    note = pair_note(row, label)
    if note:
        return html.escape(note.split(":")[0])
    mark = " †" if row.fallback_reason else ""
    return f"CAR {label} {signed_percent(row.car)} (BH q {format_p(row.q_value)}){mark}"


# -- index ------------------------------------------------------------------------------------------------------------


def _cluster_labels(days: np.ndarray, rows: Sequence[str], numbers: Sequence[str], span: float) -> list[str]:
    """The text next to each event marker of the timeline strip: events of a row too close to be labelled apart
    share one label (``"9,10,11"``) on the first of them, so that no two labels overlap; the hover names each."""
    gap, width = span * 0.012, span * 0.006  # days between markers, and days per character of a label
    text = [""] * len(days)
    open_cluster: dict[str, tuple[int, float]] = {}  # row -> (position of its labelled marker, where its label ends)
    for position in np.argsort(days, kind="stable"):
        row, day = rows[position], float(days[position])
        current = open_cluster.get(row)
        if current is not None and day < current[1] + gap:
            first, _ = current
            text[first] = f"{text[first]},{numbers[position]}"
            open_cluster[row] = (first, float(days[first]) + width * len(text[first]) / 2)
        else:
            text[position] = numbers[position]
            open_cluster[row] = (position, day + width * len(text[position]) / 2)
    return text


def event_timeline(context: ReportContext, root: str = "") -> dict[str, Any]:
    """Cumulative returns of the timeline securities and the basket over the whole span of the events, with every
    event as a numbered marker on the row of its category below (hollow: not studied) and a dotted line at the date
    of those studied; a click on a marker opens the event's page."""
    data: list[dict[str, Any]] = []
    for position, (name, series) in enumerate(context.cumulative.items()):
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                **_daily(100 * series, 2),
                "name": html.escape(name),
                "line": {"color": SERIES_COLOURS[position % len(SERIES_COLOURS)], "width": 1.6},
                "hovertemplate": f"{html.escape(name)}<br>%{{x|%Y-%m-%d}}: %{{y:.1f}}%<extra></extra>",
            }
        )
    events = [event for event in context.events if event.date is not None]  # an undated event has no place on it
    categories = list(dict.fromkeys(event.category for event in sorted(events, key=lambda e: e.category)))
    days = np.array([pd.Timestamp(event.date).value / 86_400e9 for event in events])
    span = float(days.max() - days.min()) if len(days) else 1.0
    studied = [event.id in context.studied for event in events]
    hover = []
    for event in events:
        zone = f" ({event.timezone})" if event.timezone else ""
        when = f"{event.date}" + (f" {event.time:%H:%M}" if event.time else "") + zone
        days_zero = _day_zero_text(context, event.id) if event.id in context.studied else "not studied (see its page)"
        hover.append(
            f"<b>{context.numbers[event.id]}. {html.escape(event.title)}</b><br>{when}, {event.date_precision}"
            f"<br>{html.escape(event.title_zh)}<br>day 0: {days_zero}"
        )
    data.append(
        {
            "type": "scatter",
            "mode": "markers+text",
            "x": [str(event.date) for event in events],
            "y": [event.category for event in events],
            "yaxis": "y2",
            "text": _cluster_labels(
                days, [e.category for e in events], [str(context.numbers[event.id]) for event in events], span
            ),
            "textposition": "top center",
            "textfont": {"size": 10, "color": "#1f2937"},
            "customdata": [f"{root}events/{context.event_files[event.id]}.html" for event in events],
            "hovertext": hover,
            "hoverinfo": "text",
            "marker": {
                "size": 9,
                "color": ["#1f2937" if flag else "#ffffff" for flag in studied],
                "line": {"color": "#1f2937", "width": 1.5},
            },
            "name": "events (hollow: not studied)",
            "meta": "labels",
        }
    )
    strip = 34 * len(categories) + 40
    height = 360 + strip
    split = (strip - 10) / height
    first = min(event.date for event in events if event.date is not None) if events else None
    ends = [series.index[-1] for series in context.cumulative.values() if len(series)]
    last = max([pd.Timestamp(event.date) for event in events] + ends) if events else None
    shapes = [
        {"type": "line", "xref": "x", "yref": "paper", "x0": str(event.date), "x1": str(event.date)}
        | {"y0": split + 0.02, "y1": 1, "line": {"color": "rgba(31, 41, 55, 0.25)", "width": 1, "dash": "dot"}}
        for event, flag in zip(events, studied, strict=True)
        if flag
    ]
    xaxis = {"anchor": "y2", "type": "date", "title": {"text": "date"}}
    if first is not None and last is not None:
        pad = pd.Timedelta(days=max(5, span * 0.02))
        xaxis["range"] = [str((pd.Timestamp(first) - pad).date()), str((last + pad).date())]
    return {
        "data": data,
        "layout": layout(
            height,
            shapes=shapes,
            hovermode="closest",
            margin={"l": 70, "r": 20, "t": 30, "b": 50},
            xaxis=xaxis,
            yaxis={"domain": [split + 0.06, 1], "ticksuffix": "%", "title": {"text": "cumulative return"}},
            yaxis2={
                "domain": [0, split],
                "type": "category",
                "categoryorder": "array",
                "categoryarray": categories[::-1],
                "tickvals": categories,
                "ticktext": categories,
                "range": [-0.7, len(categories) - 0.3],
                "showgrid": True,
                "fixedrange": True,
                "title": {"text": "category"},
            },
        ),
    }


def _day_zero_text(context: ReportContext, event_id: str) -> str:
    days = context.event_pairs(event_id).drop_duplicates("exchange").sort_values("exchange")
    return ", ".join(
        f"{exchange} {day.date()}" for exchange, day in zip(days["exchange"], days["day_zero"], strict=True)
    )


def _p_text(values: object) -> list[str]:
    """p- or q-values as the pages show them (``<0.001``, ``n/a``), for hover data."""
    return [format_p(value) for value in np.asarray(values, dtype=float)]


def _dot_plot(
    centre: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    without_interval: np.ndarray,
    customdata: Sequence[Sequence[object]],
    hovertemplate: str,
    name: str,
    symbol: str = "circle",
    visible: bool | str = True,
) -> dict[str, Any]:
    """Points on rows ``0..n-1`` of a horizontal dot plot (:func:`_dot_layout` names the rows), coloured by sign,
    with 95% intervals; the points ``without_interval`` (samples of fewer than 3, whose t interval on 1 or 2 degrees
    of freedom would crush the axis) are hollow and bare. ``customdata`` and ``hovertemplate`` make the hover."""
    half = np.where(without_interval, np.nan, 100 * (high - low) / 2)  # t intervals are symmetric
    symbols = [f"{symbol}-open" if flag else symbol for flag in without_interval]
    return {
        "type": "scatter",
        "mode": "markers",
        "x": _percent(centre, 2),
        "y": list(range(len(centre))),
        "name": name,
        "visible": visible,
        "marker": {
            "size": 10,
            "symbol": symbols if len(set(symbols)) > 1 else symbol,
            "color": np.where(np.asarray(centre) < 0, 0, 1).tolist(),  # the sign, through the colour scale
            "colorscale": [[0, NEGATIVE], [1, POSITIVE]],
            "cmin": 0,
            "cmax": 1,
            "line": {"width": 1.5},
        },
        "error_x": {
            "type": "data",
            "array": numbers(half, 2),
            "symmetric": True,
            "thickness": 1.4,
            "width": 3,
            "color": "#4b5563",
        },
        "customdata": customdata,
        "hovertemplate": hovertemplate,
    }


def _dot_layout(
    labels: list[str], centres: Sequence[np.ndarray], links: list[str] | None, title: str
) -> dict[str, Any]:
    """Layout of a horizontal dot plot: one row per label (top to bottom), an x range around 0 that shows every point
    (intervals wider than it run off its edge), and the page each row opens on a click."""
    rows = len(labels)
    extra: dict[str, Any] = {"meta": {"links": links}} if links is not None else {}
    return layout(
        70 + 26 * rows,
        margin={"l": 10, "r": 20, "t": 40, "b": 50},
        hovermode="closest",
        xaxis={"ticksuffix": "%", "zeroline": True, "range": _symmetric_range(centres), "title": {"text": title}},
        yaxis={"tickvals": list(range(rows)), "ticktext": labels, "range": [rows - 0.5, -0.5], "zeroline": False},
        **extra,
    )


def _symmetric_range(values: Sequence[np.ndarray]) -> list[float]:
    """An x range around 0 that shows every point with room to spare."""
    finite = np.concatenate([np.abs(100 * v[np.isfinite(v)]) for v in values]) if values else np.array([])
    limit = max(float(finite.max()) * 1.6 if finite.size else 1.0, 1.0)
    return [-limit, limit]


def _sample_trace(rows: pd.DataFrame, name: str, symbol: str, visible: bool | str) -> tuple[dict[str, Any], np.ndarray]:
    """A dot-plot trace of samples (rows of ``context.samples``): CAAR, interval (none below 3), recommended test."""
    centre, low, high = (rows[c].to_numpy(dtype=float) for c in ("caar", "ci_low", "ci_high"))
    n = rows["n"].to_numpy(dtype=float)
    without = ~(n >= 3)
    customdata = [
        ["–" if not np.isfinite(count) else int(count), p, q]
        for count, p, q in zip(n, _p_text(rows["test_p"]), _p_text(rows["test_q"]), strict=True)
    ]
    template = (
        f"{html.escape(name)}: CAAR %{{x:+.2f}}% ± %{{error_x.array:.2f}} (95%; none below 3 securities)"
        "<br>n = %{customdata[0]}, p = %{customdata[1]} (recommended test), BH q = %{customdata[2]}<extra></extra>"
    )
    return _dot_plot(centre, low, high, without, customdata, template, name, symbol, visible), centre


def caar_by_event(context: ReportContext) -> dict[str, Any] | None:
    """CAAR of all securities of each event over the headline window (one point per event: news of opposite signs
    is never pooled), with its 95% interval and the recommended test in the hover; a click opens the event."""
    samples = context.samples
    rows = samples[
        (samples["scope"] == "event") & (samples["group"] == ALL_GROUPS) & (samples["window"] == context.label)
    ]
    present = set(rows["event_id"])
    rows = rows.set_index("event_id").reindex([e for e in context.studied if e in present])
    if rows.empty:
        return None
    labels = [html.escape(context.event_name(event_id, 44)) for event_id in rows.index]
    links = [f"events/{context.event_files[event_id]}.html" for event_id in rows.index]
    trace, centre = _sample_trace(rows, f"window {context.label}", "circle", True)
    return {"data": [trace], "layout": _dot_layout(labels, [centre], links, "CAAR") | {"showlegend": False}}


def caar_by_group(context: ReportContext, event_id: str) -> dict[str, Any] | None:
    """CAAR of each group of one event over the headline window, coloured by sign, with 95% intervals and the
    recommended test in the hover."""
    samples = context.event_samples(event_id)
    if samples.empty:
        return None
    present = set(samples["group"])
    groups = [g for g in [*dict.fromkeys(s.group for s in context.securities), ALL_GROUPS] if g in present]
    rows = samples[samples["window"] == context.label].set_index("group").reindex(groups)
    trace, centre = _sample_trace(rows, f"window {context.label}", "circle", True)
    data, centres = [trace], [centre]
    labels = [html.escape(g) for g in groups]
    return {"data": data, "layout": _dot_layout(labels, centres, None, f"CAAR {context.label}") | {"showlegend": False}}


# -- event pages ------------------------------------------------------------------------------------------------------


#: Columns of ``results.ar`` in the AR path data, under shorter names, as whole hundredths of a percent
#: (``-0.13271`` -> ``-1327``: the chart's precision in fewer bytes).
_PATH_COLUMNS = {"ar": "ar", "ar_se": "ar_se", "car": "car", "car_se": "car_se"}


def ar_car_paths_data(context: ReportContext, event_id: str, default: str) -> dict[str, Any]:
    """The AR paths of every security of an event, for ``report.js`` to draw the one the reader picks: one table of
    numbers (percent), linear in the number of securities, and the security shown first.

    ``days`` are the event days of every path; ``dates`` the session date of each day per exchange (``null``: no
    session); each security with an AR has its exchange, AR, its standard error, CAR and its standard error on
    those days in hundredths of a percent, and the 95% t quantile of its model (returns and normal returns are in
    ``ar.csv``).
    """
    path = context.event_paths(event_id)
    pairs = context.event_pairs(event_id).set_index("ticker")
    first, last = context.results.spec.path_window
    days = list(range(first, last + 1))
    # One table per column (securities x days), so that the page costs a few array operations, not a loop of
    # pandas selections per security; each (security, day) is one row of the path.
    codes, tickers = pd.factorize(path["ticker"])
    present = [str(ticker) for ticker in tickers]
    cells = (codes, path["day"].to_numpy(dtype=np.int64) - first)
    arrays, grids = {}, {}
    for key, column in _PATH_COLUMNS.items():
        grid = grids[key] = np.full((len(present), len(days)), np.nan)
        grid[cells] = path[column].to_numpy(dtype=float)
        rounded = np.round(10_000 * grid)
        # Whole numbers, None where missing, as plain Python values (one conversion per table, not per value).
        whole = np.nan_to_num(rounded).astype(np.int64).astype(object)
        whole[~np.isfinite(rounded)] = None
        arrays[key] = whole
    missing = ~np.isfinite(grids["ar"]).any(axis=1)  # no AR at all: nothing to draw
    session = np.full((len(present), len(days)), None, dtype=object)
    session[cells] = path["date"].to_numpy()
    dates: dict[str, list[str | None]] = {}
    securities = []
    for row, ticker in enumerate(present):
        if missing[row]:
            continue
        exchange = str(pairs.at[ticker, "exchange"]) if ticker in pairs.index else ""
        if exchange not in dates:
            dates[exchange] = _dates(session[row])
        securities.append(
            {
                "ticker": ticker,
                "name": context.security(str(ticker)).name,
                "model": str(pairs.at[ticker, "model_used"]) if ticker in pairs.index else "",
                "exchange": exchange,
                "t95": numbers([pairs["t95"].get(ticker, np.nan)], 4)[0],
                **{key: values[row].tolist() for key, values in arrays.items()},
            }
        )
    order = {s.ticker: position for position, s in enumerate(context.securities)}
    securities.sort(key=lambda item: order.get(str(item["ticker"]), len(order)))
    return {"days": days, "dates": dates, "default": default, "first_day": first, "securities": securities}


def ar_car_layout(context: ReportContext) -> dict[str, Any]:
    """The layout of the AR/CAR chart (its traces are drawn by ``report.js`` from :func:`ar_car_paths_data`)."""
    first_day = context.results.spec.path_window[0]
    day_zero = {"type": "line", "xref": "x", "yref": "paper", "x0": -0.5, "x1": -0.5, "y0": 0, "y1": 1}
    return {
        "data": [],
        "layout": layout(
            560,
            showlegend=False,
            margin={"l": 60, "r": 20, "t": 30, "b": 50},
            xaxis={"anchor": "y2", "dtick": 1, "title": {"text": "event day (sessions from day 0)"}},
            yaxis={"domain": [0.55, 1], "ticksuffix": "%", "title": {"text": "AR"}, "zeroline": True},
            yaxis2={
                "domain": [0, 0.45],
                "ticksuffix": "%",
                "title": {"text": f"CAR from day {first_day}"},
                "zeroline": True,
            },
            shapes=[day_zero | {"line": {"color": "#6b7280", "width": 1, "dash": "dash"}}],
            annotations=[
                {"text": "abnormal return per day (bars: 95% interval)", "xref": "paper", "yref": "paper"}
                | {"x": 0, "y": 1.0, "yanchor": "bottom", "xanchor": "left", "showarrow": False},
                {"text": f"CAR from day {first_day} (band: 95%)", "xref": "paper", "yref": "paper"}
                | {"x": 0, "y": 0.45, "yanchor": "bottom", "xanchor": "left", "showarrow": False},
            ],
        ),
    }


def basket_paths(context: ReportContext, event_id: str) -> dict[str, Any] | None:
    """CAR paths of each basket of an event beside its members, one panel per basket, three panels a row (``None``
    when the event has no basket): the basket as a thick black line; the members of a small group (up to six) as
    labelled lines, those of a larger group as the grey band of their range, day by day."""
    study = context.results.spec
    path = context.event_paths(event_id)
    present = set(path["ticker"])
    baskets = [basket for basket in study.basket_list if basket.security.ticker in present]
    if not baskets:
        return None
    days = list(range(study.path_window[0], study.path_window[1] + 1))
    # The CAR of every (day, security) of the path as a table, from the path's rows (a pivot, without pivot_table's
    # cost): securities as columns, the path's days as rows.
    codes, tickers = pd.factorize(path["ticker"])
    grid = np.full((len(days), len(tickers)), np.nan)
    rows = path["day"].to_numpy(dtype=np.int64) - days[0]
    inside = (rows >= 0) & (rows < len(days))
    grid[rows[inside], codes[inside]] = path["car"].to_numpy(dtype=float)[inside]
    car = pd.DataFrame(grid, index=days, columns=[str(ticker) for ticker in tickers])
    models = context.event_pairs(event_id).set_index("ticker")["model_used"]
    columns = min(3, len(baskets))
    rows_count = -(-len(baskets) // columns)
    gap_x, gap_y = 0.06, 0.16 / rows_count
    width = (1 - gap_x * (columns - 1)) / columns
    height = (1 - gap_y * (rows_count - 1)) / rows_count
    palette = SERIES_COLOURS[:6]
    data: list[dict[str, Any]] = []
    axes: dict[str, Any] = {}
    annotations: list[dict[str, Any]] = []

    def line(ticker: str, values: list[float | None], colour: str, width: float, axis: str) -> None:
        name = context.security(ticker).name if ticker in context.security_files else ticker
        data.append(
            {"y": values, "xaxis": f"x{axis}", "yaxis": f"y{axis}", "line": {"width": width, "color": colour}}
            | {"name": html.escape(f"{name} ({models.get(ticker, '')} model)")}
        )
        finite = [index for index, value in enumerate(values) if value is not None]
        if finite:  # a label at the end of the line, which stops at the first missing return
            label = "basket" if ticker.startswith("basket-") else html.escape(ticker)
            annotations.append(
                {"text": label, "x": days[finite[-1]], "y": values[finite[-1]], "xref": f"x{axis}"}
                | {"yref": f"y{axis}", "xshift": 3, "font": {"color": colour}}
            )

    for position, basket in enumerate(baskets):
        row, column = divmod(position, columns)
        axis = "" if position == 0 else str(position + 1)
        x0 = column * (width + gap_x)
        y1 = 1 - row * (height + gap_y)
        axes[f"xaxis{axis}"] = {
            "domain": [x0, x0 + width],
            "anchor": f"y{axis}",
            "dtick": 5,
            "range": [days[0] - 0.5, days[-1] + 4],
            "title": {"text": "event day"},
        }
        axes[f"yaxis{axis}"] = (
            {"domain": [y1 - height, y1], "anchor": f"x{axis}", "ticksuffix": "%", "zeroline": True}
            | ({"matches": "y"} if position else {})
            | {"title": {"text": f"CAR from day {days[0]}" if column == 0 else ""}}
        )
        short = basket.security.ticker.removeprefix("basket-")
        annotations.append(
            {"text": html.escape(f"{short} ({len(basket.members)})"), "xref": "paper", "yref": "paper"}
            | {"x": x0, "y": y1, "yanchor": "bottom", "font": {"size": 12}}
        )
        members = [ticker for ticker in basket.members if ticker in car.columns]
        if len(basket.members) <= len(palette):
            for number, ticker in enumerate(basket.members):
                if ticker in car.columns:
                    line(ticker, _percent(car[ticker], 2), palette[number], 1.4, axis)
        elif members:
            spread = car[members].to_numpy(dtype=float)
            finite = np.isfinite(spread).any(axis=1)
            with np.errstate(all="ignore"):
                low = np.where(finite, np.nanmin(np.where(np.isfinite(spread), spread, np.inf), axis=1), np.nan)
                high = np.where(finite, np.nanmax(np.where(np.isfinite(spread), spread, -np.inf), axis=1), np.nan)
            band = {"xaxis": f"x{axis}", "yaxis": f"y{axis}", "line": {"width": 0}, "hoverinfo": "skip"}
            data.append(band | {"y": _percent(low, 2)})
            data.append(
                band
                | {"y": _percent(high, 2), "fill": "tonexty", "fillcolor": "rgba(156, 163, 175, 0.35)"}
                | {"name": f"range of the {len(members)} members"}
            )
        line(basket.security.ticker, _percent(car[basket.security.ticker], 2), "#111827", 4, axis)
    # What every line shares, said once: a template of the figure (report.js keeps it beside its own).
    shared = {"type": "scatter", "mode": "lines", "x0": days[0], "dx": 1, "showlegend": False}
    shared |= {"hovertemplate": "%{fullData.name}<br>day %{x}: CAR %{y:.2f}%<extra></extra>"}
    for trace in data:
        trace["type"] = "scatter"
    return {
        "data": data,
        "layout": layout(330 * rows_count + 40, margin={"l": 60, "r": 20, "t": 30, "b": 50}, annotations=annotations)
        | axes
        | {
            "template": {
                "data": {"scatter": [shared]},
                "layout": {"annotationdefaults": {"showarrow": False, "xanchor": "left", "font": {"size": 11}}},
            }
        },
    }


# -- security pages ---------------------------------------------------------------------------------------------------


def price_with_events(context: ReportContext, security: Security) -> dict[str, Any]:
    """Adjusted close of a security with a marker at day 0 of every event studied on it: a diamond coloured by the
    sign of its CAR over the headline window, a hollow circle where it has no CAR (a price missing in the window), a
    cross where it could not be estimated; a click on a marker opens the event's page."""
    prices = context.prices.get(security.ticker, pd.Series(dtype=float)).dropna()
    pairs = context.security_pairs(security.ticker)
    first = min(context.first_path_dates.get(security.ticker, pd.NaT), pairs["day_zero"].min())
    prices = prices.loc[first:] if pd.notna(first) else prices  # from its first AR path or event
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            **_daily(prices, None),
            "name": "adjusted close",
            "line": {"color": "#374151", "width": 1.4},
            "hovertemplate": f"%{{x|%Y-%m-%d}}: %{{y:.2f}} {html.escape(security.currency)}<extra></extra>",
        }
    ]
    if not prices.empty and not pairs.empty:
        level = prices.asof(pd.DatetimeIndex(pairs["day_zero"])).to_numpy()
        ok = (pairs["status"] == "ok").to_numpy()
        has_car = ok & np.isfinite(pairs["car"].to_numpy(dtype=float))
        kinds = (
            (has_car, "event day 0: CAR down (red) or up (blue)", "diamond", sign_colours(pairs["car"])),
            (ok & ~has_car, "event day 0: no CAR (a price missing)", "circle-open", NEUTRAL),
            (~ok, "event day 0: not estimable", "x-thin-open", NEUTRAL),
        )
        for mask, name, symbol, colour in kinds:
            if not mask.any():
                continue
            chosen = pairs[mask]
            colours = np.asarray(colour)[mask].tolist() if isinstance(colour, list) else colour
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": _dates(chosen["day_zero"]),
                    "y": numbers(level[mask], 4),
                    "name": name,
                    "marker": {"size": 11, "symbol": symbol, "color": colours, "line": {"color": colours, "width": 2}},
                    "meta": {"links": [f"../events/{context.event_files[e]}.html" for e in chosen["event_id"]]},
                    "customdata": [
                        [html.escape(context.event_name(row.event_id, 44)), _marker_text(row, context.label)]
                        for row in chosen[_MARKER_COLUMNS].itertuples(index=False)
                    ],
                    "hovertemplate": "<b>%{customdata[0]}</b><br>day 0 %{x|%Y-%m-%d}: %{customdata[1]}<extra></extra>",
                }
            )
    return {
        "data": data,
        "layout": layout(
            420,
            hovermode="closest",
            xaxis={"type": "date"},
            yaxis={"title": {"text": f"adjusted close, {html.escape(security.currency)}"}},
        ),
    }


def car_by_event(context: ReportContext, security: Security) -> dict[str, Any]:
    """CAR of a security over the headline window for every event studied on it, with its 95% confidence interval:
    one row per event, coloured by sign. Events without a CAR are named on their row as not estimable or without
    CAR, never drawn at 0."""
    pairs = context.security_pairs(security.ticker)  # with the headline window's CAR and its tests
    events = list(pairs["event_id"])
    labels = [html.escape(context.event_name(event_id, 40)) for event_id in events]
    centre, low, high = (pairs[c].to_numpy(dtype=float) for c in ("car", "ci_low", "ci_high"))
    customdata = [
        [fixed(t), p, sq, q]
        for t, p, sq, q in zip(
            pairs["t"].to_numpy(dtype=float),
            _p_text(pairs["p_value"]),
            _p_text(pairs["sq_p_value"]),
            _p_text(pairs["q_value"]),
            strict=True,
        )
    ]
    template = (
        f"CAR {context.label} %{{x:+.2f}}% ± %{{error_x.array:.2f}} (95%)<br>t = %{{customdata[0]}},"
        " p = %{customdata[1]}, SQ p = %{customdata[2]}, BH q = %{customdata[3]}<extra></extra>"
    )
    without = np.zeros(len(events), dtype=bool)  # a pair's interval rests on its model's degrees of freedom
    data = [_dot_plot(centre, low, high, without, customdata, template, f"CAR {context.label}")]
    annotations = [
        {"text": "not estimable" if row.status != "ok" else f"no CAR {context.label} (a price missing)"}
        | {"x": 0.01, "xref": "paper", "y": position, "yref": "y", "xanchor": "left", "showarrow": False}
        | {"font": {"color": "#4b5563", "size": 11}}
        for position, row in enumerate(pairs[["status", "car"]].itertuples(index=False))
        if row.status != "ok" or not np.isfinite(row.car)
    ]
    links = [f"../events/{context.event_files[event_id]}.html" for event_id in events]
    return {
        "data": data,
        "layout": _dot_layout(labels, [centre], links, f"CAR {context.label}")
        | {"annotations": annotations, "showlegend": False},
    }


# -- analyses beyond abnormal returns ---------------------------------------------------------------------------------


def _spread(count: int, width: float) -> np.ndarray:
    """Offsets of ``count`` points side by side within ``width`` (so that the points of a category do not hide each
    other), at most 0.05 apart."""
    if count <= 1:
        return np.zeros(count)
    step = min(width / (count - 1), 0.05)
    return (np.arange(count) - (count - 1) / 2) * step


def _car_points(
    context: ReportContext,
    window: str,
    points: Sequence[tuple[str, float]],
    x: Sequence[float],
    position: int,
    left_out: set[str],
) -> dict[str, Any]:
    """A trace of the CARs ``points`` (ticker, CAR) of one window at ``x``: coloured by sign, the window's symbol,
    hollow for the securities ``left_out`` of the regression; the hover names the security."""
    symbol = _WINDOW_SYMBOLS[position % len(_WINDOW_SYMBOLS)]
    tickers = [ticker for ticker, _ in points]
    colours = sign_colours([car for _, car in points])
    return {
        "type": "scatter",
        "mode": "markers",
        "x": numbers(x, 3),
        "y": _percent([car for _, car in points], 2),
        "name": f"CAR {window}",
        "customdata": [
            html.escape(f"{ticker} · {context.security(ticker).name}")
            + ("<br>left out of the regression: no estimated beta" if ticker in left_out else "")
            for ticker in tickers
        ],
        "hovertemplate": f"%{{customdata}}<br>CAR {window} %{{y:.2f}}%<extra></extra>",
        "marker": {
            "size": 9,
            "symbol": [f"{symbol}-open" if ticker in left_out else symbol for ticker in tickers],
            "color": colours,
            "line": {"width": 1.5, "color": colours},
        },
    }


def car_by_category(
    context: ReportContext,
    cars: dict[str, list[tuple[str, float]]],
    levels: dict[str, str],
    order: Sequence[str],
    left_out: set[str],
    variable: str,
) -> dict[str, Any]:
    """The CARs of an event's securities (window -> [(ticker, CAR)], only those with a CAR) by their level of a
    categorical characteristic (``levels``: ticker -> level, in ``order``; the levels without a CAR are left out),
    each window beside the other with its own symbol, the points of a level spread side by side."""
    data = []
    offsets = _spread(len(cars), 0.36)
    drawn = {levels[ticker] for points in cars.values() for ticker, _ in points if ticker in levels}
    order = [level for level in order if level in drawn]
    position_of = {level: position for position, level in enumerate(order)}
    for position, (window, points) in enumerate(cars.items()):
        chosen = sorted(
            ((ticker, car) for ticker, car in points if ticker in levels),
            key=lambda item: (position_of[levels[item[0]]], item[1]),
        )
        x: list[float] = []
        for level in order:
            members = [item for item in chosen if levels[item[0]] == level]
            x += list(position_of[level] + offsets[position] + _spread(len(members), 0.28))
        if chosen:
            data.append(_car_points(context, window, chosen, x, position, left_out))
    axis = {
        "tickvals": list(range(len(order))),
        "ticktext": [html.escape(level) for level in order],
        "range": [-0.6, len(order) - 0.4],
        "showgrid": False,
    }
    return {"data": data, "layout": _car_layout(variable, axis, margin={"l": 60, "r": 20, "t": 20, "b": 50})}


def car_by_value(
    context: ReportContext,
    cars: dict[str, list[tuple[str, float]]],
    values: dict[str, float],
    left_out: set[str],
    variable: str,
) -> dict[str, Any]:
    """The CARs of an event's securities (window -> [(ticker, CAR)]) against a numeric characteristic (``values``:
    ticker -> value; those without one are not drawn), one symbol per window."""
    data = []
    for position, (window, points) in enumerate(cars.items()):
        chosen = [(ticker, car) for ticker, car in points if np.isfinite(values.get(ticker, np.nan))]
        if chosen:
            x = [values[ticker] for ticker, _ in chosen]
            data.append(_car_points(context, window, chosen, x, position, left_out))
    return {"data": data, "layout": _car_layout(variable, {})}


def _car_layout(variable: str, xaxis: dict[str, Any], **extra: object) -> dict[str, Any]:
    """Layout of CARs (y, in percent) against the characteristic ``variable`` (x, with ``xaxis``'s settings)."""
    return layout(
        400,
        hovermode="closest",
        showlegend=False,
        xaxis=xaxis | {"zeroline": False, "title": {"text": html.escape(variable)}},
        yaxis={"ticksuffix": "%", "zeroline": True, "title": {"text": "CAR"}},
        **extra,
    )


#: The 95% interval of a normal variable, in standard deviations (the GARCH chart's bars).
_Z95 = 1.96


def garch_layout(context: ReportContext) -> dict[str, Any]:
    """The layout of the GARCH-beside-OLS chart (its traces, one pair per day 0, are :func:`garch_choice`'s, drawn
    by ``report.js`` for the day 0 the reader picks): what both traces share is the figure's template."""
    first_day = context.results.spec.path_window[0]
    shared = {"type": "scatter", "mode": "markers", "x0": first_day, "dx": 1}
    hover = "day %{x} (%{customdata}): AR %{y:.2f}% ± %{error_y.array:.2f}"
    traces = [
        shared
        | {"name": "OLS market model AR ± 1.96 s.e.", "offsetgroup": "ols"}
        | {"marker": {"symbol": "circle", "size": 8, "color": NEUTRAL}}
        | {"error_y": {"type": "data", "thickness": 1.2, "width": 3, "color": NEUTRAL}}
        | {"hovertemplate": f"OLS {hover}<extra></extra>"},
        shared
        | {"name": "GARCH(1,1) AR ± 1.96 s.d.", "offsetgroup": "garch"}
        | {"marker": {"symbol": "diamond", "size": 9, "color": SERIES_COLOURS[1]}}
        | {"error_y": {"type": "data", "thickness": 1.2, "width": 3, "color": SERIES_COLOURS[1]}}
        | {"hovertemplate": f"GARCH {hover}<extra></extra>"},
    ]
    day_zero = {"type": "line", "xref": "x", "yref": "paper", "x0": -0.5, "x1": -0.5, "y0": 0, "y1": 1}
    return {
        "data": [],
        "layout": layout(
            380,
            hovermode="closest",
            scattermode="group",
            xaxis={"dtick": 1, "title": {"text": "event day (sessions from day 0)"}},
            yaxis={"ticksuffix": "%", "zeroline": True, "title": {"text": "abnormal return"}},
            shapes=[day_zero | {"line": {"color": NEUTRAL, "width": 1, "dash": "dash"}}],
            template={"data": {"scatter": traces}},
        ),
    }


def garch_choices(rows: pd.DataFrame, chosen: dict[str, tuple[str, str]], ticker: str) -> dict[str, dict[str, Any]]:
    """The traces of the GARCH chart for each day 0 the reader may pick (``chosen``: key -> (event id, label); the
    rows of ``results.garch`` of one security): the OLS AR ± 1.96 of its standard error and the GARCH AR ± 1.96 of
    its conditional standard deviation, in percent, the session dates in the hover; when the GARCH fit failed, the
    reason on the chart."""
    places = rows.groupby("event_id", sort=False).indices
    days = rows["day"].to_numpy()
    dates = np.array(_dates(rows["date"]), dtype=object)
    centres = {name: 100 * rows[name].to_numpy(dtype=float) for name in ("ols_ar", "garch_ar")}
    spreads = {name: 100 * _Z95 * rows[name].to_numpy(dtype=float) for name in ("ols_ar_se", "garch_sd")}
    reasons = rows["reason"].to_numpy(dtype=object)
    choices = {}
    for key, (event_id, label) in chosen.items():
        place = places[event_id][np.argsort(days[places[event_id]], kind="stable")]
        traces = [
            {
                "y": numbers(centres[centre][place], 2),
                "error_y": {"array": numbers(spreads[spread][place], 2)},
                "customdata": dates[place].tolist(),
            }
            for centre, spread in (("ols_ar", "ols_ar_se"), ("garch_ar", "garch_sd"))
        ]
        zero = place[days[place] == 0]
        described = (
            f": day-0 AR {signed_percent(centres['ols_ar'][zero[0]] / 100, 2)} (OLS), "
            f"{signed_percent(centres['garch_ar'][zero[0]] / 100, 2)} (GARCH)"
            if zero.size
            else ""
        )
        choice: dict[str, Any] = {"label": f"GARCH and OLS abnormal returns of {ticker}, {label}{described}"}
        choice["data"] = traces
        reason = next((text for text in reasons[place] if text), "")
        if reason:
            choice["layout"] = {
                "annotations": [
                    {"text": _wrapped(f"GARCH not fitted: {reason}", 70), "xref": "paper", "yref": "paper"}
                    | {"x": 0, "y": 1, "xanchor": "left", "yanchor": "top", "showarrow": False, "align": "left"}
                ]
            }
        choices[key] = choice
    return choices
