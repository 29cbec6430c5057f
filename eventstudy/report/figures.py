"""Plotly figures of a report: the CAR heatmap, the event timeline, CAAR bars, AR/CAR paths, prices with events.

Every function returns a :class:`plotly.graph_objects.Figure`; :func:`figure_html` turns one into a ``<div>`` with a
fixed id (plotly.js itself is loaded once per page from the report's ``assets`` folder). Returns are shown in percent.
Points that lead to another page carry its relative address as ``customdata`` (the first item when it is a list);
:data:`OPEN_ON_CLICK` makes a click on them open it.
"""

from __future__ import annotations

import html
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from eventstudy.report.context import ReportContext
from eventstudy.report.markup import format_p
from eventstudy.universe import Security

__all__ = [
    "OPEN_ON_CLICK",
    "ar_car_paths",
    "caar_bars",
    "car_by_event",
    "car_heatmap",
    "event_timeline",
    "figure_html",
    "pair_note",
    "price_with_events",
    "styled",
]

#: Script run after a figure is drawn: a click on a point whose ``customdata`` is an address opens that page.
OPEN_ON_CLICK = (
    "document.getElementById('{plot_id}').on('plotly_click', function (event) {"
    " var data = event.points[0].customdata; var url = Array.isArray(data) ? data[0] : data;"
    " if (typeof url === 'string' && url.endsWith('.html')) { window.location.href = url; } });"
)
_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "png", "scale": 2}}
_FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans SC', sans-serif", "size": 12}
_NEGATIVE, _POSITIVE, _NEUTRAL = "#c0392b", "#1e8449", "#7f8c8d"
_WINDOW_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")


def figure_html(figure: go.Figure, div_id: str, clickable: bool = False) -> str:
    """The figure as an HTML ``<div>`` with id ``div_id``, without plotly.js (the page loads it once).

    ``clickable`` adds :data:`OPEN_ON_CLICK`.
    """
    return pio.to_html(
        figure,
        include_plotlyjs=False,
        full_html=False,
        div_id=div_id,
        config=_CONFIG,
        post_script=OPEN_ON_CLICK if clickable else None,
        default_height=f"{figure.layout.height or 450}px",
    )


def styled(figure: go.Figure, title: str, height: int, **layout: object) -> go.Figure:
    defaults = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "template": "plotly_white",
        "font": _FONT,
        "height": height,
        "margin": {"l": 70, "r": 30, "t": 70, "b": 60},
        "hoverlabel": {"align": "left"},
    }
    figure.update_layout(defaults | layout)
    return figure


def _in_percent(values: object) -> np.ndarray:
    return 100.0 * np.asarray(values, dtype=float)


def _shown(value: float, digits: int = 2, suffix: str = "") -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.{digits}f}{suffix}"


def _stars(p_value: float) -> str:
    """``**`` for p < 0.01, ``*`` for p < 0.05, else empty."""
    if not np.isfinite(p_value):
        return ""
    return "**" if p_value < 0.01 else "*" if p_value < 0.05 else ""


def pair_note(row: pd.Series, label: str) -> str:
    """Why a pair has no CAR over the headline window (empty when it has one)."""
    if row["status"] != "ok":
        return f"not estimable: {row['reason']}"
    if not np.isfinite(row["car"]):
        return f"no CAR {label}: {int(row['missing_days'])} day(s) of the window without a return (missing prices)"
    return ""


def _pair_hover(row: pd.Series, label: str) -> str:
    """Hover text of one (event, security) pair: its CAR over the headline window and its tests."""
    note = pair_note(row, label)
    if note:
        lines = "<br>".join(html.escape(line) for line in textwrap.wrap(note, 70))
        return f"<b>{html.escape(row['ticker'])}</b>: {lines}"
    return (
        f"CAR {label}: <b>{_shown(100 * row['car'], suffix='%')}</b>"
        f" [{_shown(100 * row['ci_low'])}, {_shown(100 * row['ci_high'])}]%"
        f"<br>t = {_shown(row['t'])}, p = {format_p(row['p_value'])}, SQ p = {format_p(row['sq_p_value'])},"
        f" BH q = {format_p(row['q_value'])}"
    )


# -- index ------------------------------------------------------------------------------------------------------------


def car_heatmap(context: ReportContext) -> go.Figure:
    """Events x securities, colour = CAR over the headline window; ``*``/``**`` mark p < 0.05/0.01 (t test),
    ``×`` a pair that could not be estimated. A click on a cell opens the event's page."""
    pairs = context.pairs
    events = list(context.studied)
    tickers = [security.ticker for security in context.securities]
    rows = {event_id: i for i, event_id in enumerate(events)}
    columns = {ticker: j for j, ticker in enumerate(tickers)}
    shape = (len(events), len(tickers))
    z = np.full(shape, np.nan)
    hover = np.full(shape, "no pair (the event does not concern this security)", dtype=object)
    links = np.full(shape, "", dtype=object)
    stars, missing, gaps = [], [], []
    for row in pairs.itertuples(index=False):
        i, j = rows[row.event_id], columns[row.ticker]
        event = context.event(row.event_id)
        security = context.securities[j]
        record = pd.Series(row._asdict())
        z[i, j] = 100 * row.car
        links[i, j] = f"events/{context.event_files[row.event_id]}.html"
        hover[i, j] = (
            f"<b>{html.escape(context.event_label(row.event_id))}</b> ({event.date}): "
            f"{html.escape(textwrap.shorten(event.title, 70))}<br>"
            f"<b>{html.escape(row.ticker)}</b> {html.escape(security.name)} ({html.escape(security.group)}), "
            f"day 0 {row.day_zero.date()}<br>{_pair_hover(record, context.label)}"
        )
        if row.status != "ok":
            missing.append((row.ticker, context.event_label(row.event_id)))
        elif not np.isfinite(row.car):
            gaps.append((row.ticker, context.event_label(row.event_id)))
        elif _stars(row.p_value):
            stars.append((row.ticker, context.event_label(row.event_id), _stars(row.p_value), abs(z[i, j])))
    finite = np.abs(z[np.isfinite(z)])
    limit = float(np.ceil(np.percentile(finite, 98))) if finite.size else 1.0
    labels = [context.event_label(event_id) for event_id in events]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=tickers,
            y=labels,
            zmid=0,
            zmin=-limit,
            zmax=limit,
            colorscale="RdBu",
            colorbar={"title": {"text": f"CAR {context.label}, %"}, "ticksuffix": "%"},
            text=hover,
            hoverinfo="text",
            customdata=links,
            xgap=1,
            ygap=1,
            name="CAR",
        )
    )
    if stars:
        x, y, text, size = zip(*stars, strict=True)
        colour = ["#fff" if value > limit / 2 else "#111" for value in size]
        figure.add_trace(
            go.Scatter(x=x, y=y, text=text, mode="text", textfont={"size": 13, "color": colour}, hoverinfo="skip")
        )
        figure.update_traces(showlegend=False, selector={"mode": "text"})
    marked = ((missing, "x-thin", "not estimable"), (gaps, "circle-open", "no CAR (missing prices)"))
    for marks, symbol, name in marked:
        if marks:
            x, y = zip(*marks, strict=True)
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="markers",
                    marker={"symbol": symbol, "size": 8, "color": _NEUTRAL, "line": {"width": 1.5, "color": _NEUTRAL}},
                    hoverinfo="skip",
                    name=name,
                )
            )
    shapes, annotations, start = [], [], 0
    lift = 0
    groups = [security.group for security in context.securities]
    for position in range(1, len(groups) + 1):
        if position == len(groups) or groups[position] != groups[start]:
            if position < len(groups):
                shapes.append(
                    {"type": "line", "xref": "x", "yref": "paper", "x0": position - 0.5, "x1": position - 0.5}
                    | {"y0": 0, "y1": 1, "line": {"color": "#333", "width": 1.5}}
                )
            annotations.append(
                {"x": (start + position - 1) / 2, "y": 1.0, "xref": "x", "yref": "paper", "yanchor": "bottom"}
                | {"text": html.escape(groups[start]), "showarrow": False, "font": {"size": 10}, "yshift": lift}
            )
            lift = 14 - lift
            start = position
    return styled(
        figure,
        f"CAR {context.label} of every event and security (%)",
        height=max(420, 150 + 24 * len(events)),
        xaxis={"title": "security", "tickangle": -60, "side": "bottom", "showgrid": False},
        yaxis={"title": "event (number. id)", "autorange": "reversed", "showgrid": False},
        shapes=shapes,
        annotations=annotations,
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": -0.18},
        margin={"l": 230, "r": 30, "t": 110, "b": 110},
    )


def _day_zero_text(context: ReportContext, event_id: str) -> str:
    days = context.pairs.loc[context.pairs["event_id"] == event_id].drop_duplicates("exchange")
    return ", ".join(f"{row.exchange} {row.day_zero.date()}" for row in days.sort_values("exchange").itertuples())


def event_timeline(context: ReportContext, root: str = "") -> go.Figure:
    """Cumulative returns of the timeline securities and the basket, with every event as a numbered marker below
    and a dotted line at its date; a click on a marker opens the event's page."""
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.78, 0.22], vertical_spacing=0.04)
    for name, series in context.cumulative.items():
        figure.add_trace(
            go.Scatter(
                x=series.index,
                y=_in_percent(series),
                name=name,
                mode="lines",
                hovertemplate=f"{html.escape(name)}<br>%{{x|%Y-%m-%d}}: %{{y:.1f}}%<extra></extra>",
            ),
            row=1,
            col=1,
        )
    x, y, numbers, hover, links, studied = [], [], [], [], [], []
    for event in context.events:
        is_studied = event.id in context.studied
        when = f"{event.date}" + (f" {event.time:%H:%M}" if event.time else "") + f" ({event.timezone})"
        day_zero = _day_zero_text(context, event.id) if is_studied else "not studied (see its page)"
        x.append(pd.Timestamp(event.date))
        y.append(event.category)
        numbers.append(str(context.numbers[event.id]))
        links.append(f"{root}events/{context.event_files[event.id]}.html")
        studied.append(is_studied)
        hover.append(
            f"<b>{html.escape(context.event_label(event.id))}</b> {when}, {event.date_precision}<br>"
            f"{'<br>'.join(html.escape(line) for line in textwrap.wrap(event.title, 70))}<br>"
            f"{html.escape(event.title_zh)}<br>day 0: {day_zero}"
        )
    marker_colour = ["#34495e" if flag else "#ffffff" for flag in studied]
    figure.add_trace(
        go.Scatter(
            x=x,
            y=y,
            text=numbers,
            customdata=links,
            hovertext=hover,
            hoverinfo="text",
            mode="markers+text",
            textposition="top center",
            textfont={"size": 10},
            marker={"size": 9, "color": marker_colour, "line": {"color": "#34495e", "width": 1.5}},
            name="events (hollow: not studied)",
        ),
        row=2,
        col=1,
    )
    shapes = [
        {"type": "line", "xref": "x", "yref": "paper", "x0": day, "x1": day, "y0": 0, "y1": 1}
        | {"line": {"color": "rgba(52, 73, 94, 0.25)", "width": 1, "dash": "dot"}}
        for day, flag in zip(x, studied, strict=True)
        if flag
    ]
    figure.update_yaxes(title_text="cumulative return, %", ticksuffix="%", row=1, col=1)
    figure.update_yaxes(title_text="category", row=2, col=1, showgrid=False)
    figure.update_xaxes(title_text="date", row=2, col=1)
    spans = [series.index for series in context.cumulative.values() if len(series)]
    if spans:  # the period with prices; events outside it (not studied) are a zoom-out away
        figure.update_xaxes(range=[min(span[0] for span in spans), max(span[-1] for span in spans)])
    return styled(
        figure,
        "Prices and events: cumulative return since the start of the study period (%), events numbered by date",
        height=640,
        shapes=shapes,
        hovermode="closest",
        legend={"orientation": "h", "x": 0, "y": -0.12},
    )


def caar_bars(caar: pd.DataFrame, p_values: pd.Series, groups: list[str], windows: list[str], title: str) -> go.Figure:
    """CAAR per group (bars, one colour per event window) with 95% confidence intervals (error bars).

    Parameters
    ----------
    caar
        Rows of ``results.caar`` of one scope (one event, or all events).
    p_values
        p-value of the headline test indexed by (group, window), shown in the hover text.
    groups, windows
        Order of the groups on the axis and of the windows in the legend.
    """
    figure = go.Figure()
    for position, window in enumerate(windows):
        rows = caar[caar["window"] == window].set_index("group")
        rows = rows.reindex([group for group in groups if group in rows.index])
        hover = [
            f"<b>{html.escape(group)}</b>, window {window}, n = {int(row.n)}<br>"
            f"CAAR {_shown(100 * row.caar, suffix='%')} [{_shown(100 * row.ci_low)}, {_shown(100 * row.ci_high)}]%"
            f"<br>Kolari-Pynnönen BMP p = {format_p(p_values.get((group, window), np.nan))}"
            for group, row in rows.iterrows()
        ]
        figure.add_trace(
            go.Bar(
                x=list(rows.index),
                y=_in_percent(rows["caar"]),
                name=f"window {window}",
                marker_color=_WINDOW_COLOURS[position % len(_WINDOW_COLOURS)],
                error_y={
                    "type": "data",
                    "array": _in_percent(rows["ci_high"] - rows["caar"]),
                    "arrayminus": _in_percent(rows["caar"] - rows["ci_low"]),
                    "thickness": 1.2,
                },
                hovertext=hover,
                hoverinfo="text",
            )
        )
    return styled(
        figure,
        title,
        height=460,
        barmode="group",
        xaxis={"title": "group of securities"},
        yaxis={"title": "CAAR, % (error bars: 95% confidence interval)", "ticksuffix": "%", "zeroline": True},
        legend={"orientation": "h", "x": 0, "y": -0.2},
    )


# -- event pages ------------------------------------------------------------------------------------------------------


def ar_car_paths(context: ReportContext, event_id: str) -> go.Figure:
    """AR (bars) and CAR (line) of each security of an event over the AR path, with 95% intervals; a menu picks
    the security."""
    path = context.results.ar[context.results.ar["event_id"] == event_id]
    t95 = context.pairs[context.pairs["event_id"] == event_id].set_index("ticker")["t95"]
    first_day = context.results.spec.path_window[0]
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=("abnormal return per day, % (bars: 95% interval)", f"CAR from day {first_day}, % (band: 95%)"),
    )
    buttons, per_security = [], 3
    tickers = [s.ticker for s in context.securities if s.ticker in set(path["ticker"])]
    for position, ticker in enumerate(tickers):
        rows = path[path["ticker"] == ticker].sort_values("day")
        quantile = t95.get(ticker, np.nan)
        visible = position == 0
        dates = [f"{date:%Y-%m-%d}" if pd.notna(date) else "no session" for date in rows["date"]]
        ar, half_ar = _in_percent(rows["ar"]), _in_percent(quantile * rows["ar_se"])
        car, half_car = _in_percent(rows["car"]), _in_percent(quantile * rows["car_se"])
        figure.add_trace(
            go.Bar(
                x=rows["day"],
                y=ar,
                error_y={"type": "data", "array": half_ar, "thickness": 1},
                marker_color=np.where(ar < 0, _NEGATIVE, _POSITIVE),
                customdata=np.column_stack([dates, _in_percent(rows["return"]), _in_percent(rows["normal_return"])]),
                hovertemplate="day %{x} (%{customdata[0]})<br>AR %{y:.2f}% ± %{error_y.array:.2f}"
                "<br>return %{customdata[1]:.2f}%, normal return %{customdata[2]:.2f}%<extra></extra>",
                name=f"{ticker} AR",
                showlegend=False,
                visible=visible,
            ),
            row=1,
            col=1,
        )
        days = rows["day"].to_numpy()
        figure.add_trace(
            go.Scatter(
                x=np.concatenate([days, days[::-1]]),
                y=np.concatenate([car + half_car, (car - half_car)[::-1]]),
                fill="toself",
                fillcolor="rgba(31, 119, 180, 0.18)",
                line={"width": 0},
                hoverinfo="skip",
                name="95% band",
                showlegend=False,
                visible=visible,
            ),
            row=2,
            col=1,
        )
        figure.add_trace(
            go.Scatter(
                x=days,
                y=car,
                mode="lines+markers",
                line={"color": "#1f77b4"},
                customdata=np.column_stack([dates, half_car]),
                hovertemplate="day %{x} (%{customdata[0]})<br>CAR %{y:.2f}% ± %{customdata[1]:.2f}<extra></extra>",
                name=f"{ticker} CAR",
                showlegend=False,
                visible=visible,
            ),
            row=2,
            col=1,
        )
        mask = [False] * (per_security * len(tickers))
        mask[per_security * position : per_security * (position + 1)] = [True] * per_security
        name = context.securities[[s.ticker for s in context.securities].index(ticker)].name
        buttons.append({"label": f"{ticker} · {name}", "method": "update", "args": [{"visible": mask}]})
    day_zero_line = {"type": "line", "xref": "x", "yref": "paper", "x0": -0.5, "x1": -0.5, "y0": 0, "y1": 1}
    figure.update_xaxes(title_text="event day (sessions from day 0 of the security's exchange)", row=2, col=1)
    figure.update_xaxes(dtick=1)
    figure.update_yaxes(ticksuffix="%", zeroline=True, zerolinecolor="#888")
    return styled(
        figure,
        "AR and CAR paths of one security (pick it in the menu)",
        height=620,
        updatemenus=[{"buttons": buttons, "x": 1, "xanchor": "right", "y": 1.16, "yanchor": "top", "active": 0}]
        if buttons
        else [],
        shapes=[day_zero_line | {"line": {"color": "#888", "width": 1, "dash": "dash"}}],
        margin={"l": 70, "r": 30, "t": 100, "b": 60},
    )


def basket_paths(context: ReportContext, event_id: str) -> go.Figure | None:
    """CAR paths of each basket of an event drawn with its members', one panel per basket, three panels a row
    (``None`` when the event has no basket). Members of small groups are labelled at the end of their line."""
    study = context.results.spec
    path = context.results.ar[context.results.ar["event_id"] == event_id]
    baskets = [basket for basket in study.basket_list if basket.security.ticker in set(path["ticker"])]
    if not baskets:
        return None
    names = {security.ticker: security.name for security in context.securities}
    columns = min(3, len(baskets))
    rows_count = -(-len(baskets) // columns)
    figure = make_subplots(
        rows=rows_count,
        cols=columns,
        shared_yaxes=True,
        subplot_titles=[
            f"{basket.security.ticker.removeprefix('basket-')} ({len(basket.members)})" for basket in baskets
        ],
        horizontal_spacing=0.06,
        vertical_spacing=0.16,
    )
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
    for position, basket in enumerate(baskets):
        row, column = divmod(position, columns)
        labelled = len(basket.members) <= len(palette)
        for number, ticker in enumerate((*basket.members, basket.security.ticker)):
            lines = path[path["ticker"] == ticker].sort_values("day")
            if lines.empty:
                continue
            is_basket = ticker == basket.security.ticker
            color = "#111" if is_basket else (palette[number] if labelled else "#9aa5b1")
            label = "basket" if is_basket else ticker
            values = _in_percent(lines["car"])
            finite = np.flatnonzero(np.isfinite(values))
            text = [""] * len(values)
            if finite.size:
                text[finite[-1]] = label  # at the end of the line, which stops at the first missing return
            figure.add_trace(
                go.Scatter(
                    x=lines["day"],
                    y=values,
                    mode="lines+text" if is_basket or labelled else "lines",
                    text=text,
                    textposition="middle right",
                    textfont={"color": color, "size": 11},
                    line={"width": 4 if is_basket else 1.4, "color": color},
                    showlegend=False,
                    hovertemplate=f"{html.escape(names.get(ticker, ticker))} ({lines['model_used'].iloc[0]} model)"
                    "<br>day %{x}: CAR %{y:.2f}%<extra></extra>",
                ),
                row=row + 1,
                col=column + 1,
            )
    figure.update_xaxes(title_text="event day", dtick=5, range=[study.path_window[0] - 0.5, study.path_window[1] + 4])
    figure.update_yaxes(ticksuffix="%", zeroline=True, zerolinecolor="#888")
    figure.update_yaxes(title_text=f"CAR from day {study.path_window[0]}, %", col=1)
    return styled(
        figure,
        "Baskets beside their members (thick black line: the equal-weighted basket)",
        height=330 * rows_count + 80,
    )


# -- security pages ---------------------------------------------------------------------------------------------------


def price_with_events(context: ReportContext, security: Security) -> go.Figure:
    """Adjusted close of a security with a marker at day 0 of every event studied on it, coloured by the sign of
    its CAR over the headline window (grey: not estimable); a click on a marker opens the event's page."""
    figure = go.Figure()
    prices = context.prices.get(security.ticker, pd.Series(dtype=float)).dropna()
    figure.add_trace(
        go.Scatter(
            x=prices.index,
            y=prices.to_numpy(),
            mode="lines",
            name="adjusted close",
            line={"color": "#34495e", "width": 1.4},
            hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:.2f}} {security.currency}<extra></extra>",
        )
    )
    pairs = context.pairs[context.pairs["ticker"] == security.ticker].sort_values(["day_zero", "event_id"])
    if not prices.empty and not pairs.empty:
        at = prices.asof(pd.DatetimeIndex(pairs["day_zero"]))
        colour = [
            _NEUTRAL if row.status != "ok" or not np.isfinite(row.car) else _NEGATIVE if row.car < 0 else _POSITIVE
            for row in pairs.itertuples()
        ]
        hover = [
            f"<b>{html.escape(context.event_label(row.event_id))}</b>, day 0 {row.day_zero.date()}<br>"
            f"{html.escape(textwrap.shorten(context.event(row.event_id).title, 70))}<br>"
            f"{_pair_hover(pd.Series(row._asdict()), context.label)}"
            for row in pairs.itertuples(index=False)
        ]
        figure.add_trace(
            go.Scatter(
                x=pairs["day_zero"],
                y=at.to_numpy(),
                mode="markers",
                marker={"size": 10, "color": colour, "line": {"color": "#fff", "width": 1}, "symbol": "diamond"},
                customdata=[f"../events/{context.event_files[e]}.html" for e in pairs["event_id"]],
                hovertext=hover,
                hoverinfo="text",
                name=f"event day 0 (green/red: CAR {context.label} up/down)",
            )
        )
    return styled(
        figure,
        f"{security.ticker} adjusted close ({security.currency}) with the events studied",
        height=430,
        xaxis={"title": "date"},
        yaxis={"title": f"adjusted close, {security.currency}"},
        legend={"orientation": "h", "x": 0, "y": -0.2},
    )


def car_by_event(context: ReportContext, security: Security) -> go.Figure:
    """CAR of a security for every event with its 95% confidence interval, one trace per event window (the
    headline window shown, the others in the legend); a click on a point opens the event's page."""
    car = context.results.car[context.results.car["ticker"] == security.ticker]
    order = {event_id: position for position, event_id in enumerate(context.studied)}
    pairs = context.pairs[context.pairs["ticker"] == security.ticker]
    pairs = pairs.sort_values("event_id", key=lambda ids: ids.map(order))
    figure = go.Figure()
    for position, window in enumerate(context.windows):
        rows = car[car["window"] == window].sort_values("event_id", key=lambda ids: ids.map(order))
        labels = [context.event_label(event_id) for event_id in rows["event_id"]]
        hover = [
            f"<b>{html.escape(label)}</b>, window {window}<br>CAR {_shown(100 * row.car, suffix='%')}"
            f" [{_shown(100 * row.ci_low)}, {_shown(100 * row.ci_high)}]%<br>t = {_shown(row.t)},"
            f" p = {format_p(row.p_value)}, BH q = {format_p(row.q_value)}"
            for label, row in zip(labels, rows.itertuples(), strict=True)
        ]
        figure.add_trace(
            go.Scatter(
                x=labels,
                y=_in_percent(rows["car"]),
                mode="markers",
                marker={"size": 9, "color": _WINDOW_COLOURS[position % len(_WINDOW_COLOURS)]},
                error_y={
                    "type": "data",
                    "array": _in_percent(rows["ci_high"] - rows["car"]),
                    "arrayminus": _in_percent(rows["car"] - rows["ci_low"]),
                    "thickness": 1.2,
                },
                customdata=[f"../events/{context.event_files[e]}.html" for e in rows["event_id"]],
                hovertext=hover,
                hoverinfo="text",
                name=f"window {window}",
                visible=True if window == context.label else "legendonly",
            )
        )
    failed = pairs[pairs["status"] != "ok"]
    if not failed.empty:
        figure.add_trace(
            go.Scatter(
                x=[context.event_label(event_id) for event_id in failed["event_id"]],
                y=np.zeros(len(failed)),
                mode="markers+text",
                text=["n/e"] * len(failed),
                textposition="top center",
                marker={"symbol": "x-thin", "size": 10, "line": {"width": 2, "color": _NEUTRAL}},
                customdata=[f"../events/{context.event_files[e]}.html" for e in failed["event_id"]],
                hovertext=[_pair_hover(row, context.label) for _, row in failed.iterrows()],
                hoverinfo="text",
                name="not estimable (n/e)",
            )
        )
    categories = [context.event_label(event_id) for event_id in pairs["event_id"]]
    return styled(
        figure,
        f"{security.ticker}: CAR per event with 95% confidence interval (click the legend for other windows)",
        height=460,
        xaxis={"title": "event (number. id)", "tickangle": -45, "categoryorder": "array", "categoryarray": categories},
        yaxis={"title": "CAR, %", "ticksuffix": "%", "zeroline": True, "zerolinecolor": "#888"},
        legend={"orientation": "h", "x": 0, "y": 1.08},
        margin={"l": 70, "r": 30, "t": 90, "b": 170},
    )
