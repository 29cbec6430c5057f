"""The index heatmap as an HTML table: one row per event (date and title), one column per security (grouped, each
a link to its page), a cell per (event, security) pair coloured by its CAR.

The table is complete without scripts for the headline window; its data block holds every event window so that
``report.js`` switches the window in place and shows a cell's numbers when it is pointed at, focused or tapped.

What a cell says:

* colour: the CAR in one of eleven classes of a fixed diverging scale (:data:`BINS`; ColorBrewer RdBu, safe for
  colour-blind readers), the same in every window so that windows compare;
* the CAR in percent (one decimal below 10%, none above);
* ``*``/``**``: Benjamini-Hochberg q-value below 0.05/0.01 across every CAR test of the run (the t test of the CAR
  with its model's degrees of freedom, corrected for testing many pairs), so that a star survives multiple testing;
* ``†``: a short history, measured by the market-adjusted fallback on few returns;
* ``×``: not estimable, ``○``: no CAR over the window (a price is missing), blank: no pair (the event does not
  concern the security).

Rows whose events share day 0 on every exchange measure the same returns; they are joined and marked as one shock.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from eventstudy.report.context import ReportContext
from eventstudy.report.markup import MINUS, data_block, esc, numbers, significant

__all__ = ["BINS", "STARS", "heatmap_html", "stars"]

#: Edges (percent of |CAR|) of the colour classes: below the first, neutral; then five classes a side.
BINS = (1.0, 2.5, 5.0, 10.0, 20.0)
#: BH q-value thresholds of the stars.
STARS = ((0.01, "**"), (0.05, "*"))
_KINDS = {"ok": 0, "not estimable": 1}


def stars(q_value: float) -> str:
    """``**`` for a BH q-value below 0.01, ``*`` below 0.05, else empty."""
    if not math.isfinite(q_value):
        return ""
    return next((mark for limit, mark in STARS if q_value < limit), "")


def _colour_class(car_percent: float) -> str:
    """``c0`` (|CAR| < 1%), ``n1``..``n5`` for falls and ``p1``..``p5`` for rises (:data:`BINS`)."""
    size = int(np.searchsorted(BINS, abs(car_percent), side="right"))
    return "c0" if size == 0 else f"{'n' if car_percent < 0 else 'p'}{size}"


def _fixed(value: float, digits: int) -> str:
    """``value`` with ``digits`` decimals rounded as JavaScript's ``toFixed`` does (exact binary value, ties away
    from zero), so that the page and ``report.js`` write the same cell."""
    return str(Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def _value_text(car_percent: float) -> str:
    shown = _fixed(car_percent, 0) if abs(car_percent) >= 9.95 else _fixed(car_percent, 1)
    if not shown.strip("-0."):
        return shown.lstrip("-")
    return shown.replace("-", MINUS)


def _cell(kind: str, car_percent: float, q_value: float, fallback: bool) -> tuple[str, str]:
    """Class and inner HTML of a cell."""
    mark = "†" if fallback else ""
    if kind == "not estimable":
        return "ne", f'<span class="v">×</span><span class="m">{mark}</span>'
    if not math.isfinite(car_percent):
        return "gap", f'<span class="v">○</span><span class="m">{mark}</span>'
    return (
        _colour_class(car_percent),
        f'<span class="v">{_value_text(car_percent)}</span><span class="m">{stars(q_value)}{mark}</span>',
    )


def heatmap_html(context: ReportContext) -> str:
    """The window switch, the legend, the heatmap table, the detail line and the data block of the index."""
    pairs = context.pairs
    events = list(context.studied)
    tickers = [security.ticker for security in context.securities]
    row_of = {event_id: position for position, event_id in enumerate(events)}
    column_of = {ticker: position for position, ticker in enumerate(tickers)}
    cars = context.results.car
    windows = context.windows
    values = {}
    for window in windows:
        rows = cars[cars["window"] == window].set_index(["event_id", "ticker"])
        rows = rows.reindex(pd.MultiIndex.from_frame(pairs[["event_id", "ticker"]]))
        # A cell without a CAR (a missing price, or not estimable) is one null, not five: the index stays light.
        values[window] = [
            None if car is None else [car, t, p, sq, q]
            for car, t, p, sq, q in zip(
                numbers(100 * rows["car"].to_numpy(dtype=float), 2),
                numbers(rows["t"].to_numpy(dtype=float), 2),
                significant(rows["p_value"]),
                significant(rows["sq_p_value"]),
                significant(rows["q_value"]),
                strict=True,
            )
        ]
    fallback = (pairs["fallback_reason"] != "").to_numpy()
    kinds = pairs["status"].to_numpy()
    cells = [
        [row_of[event_id], column_of[ticker], _KINDS.get(kind, 1), int(flag)]
        for event_id, ticker, kind, flag in zip(pairs["event_id"], pairs["ticker"], kinds, fallback, strict=True)
    ]
    reasons = ["" if kind == "ok" else reason for kind, reason in zip(kinds, pairs["reason"], strict=True)]
    grid: dict[tuple[int, int], tuple[str, str]] = {}
    # The cells of the headline window are written from the very numbers of the data block, so that report.js,
    # switching back to it, writes them again to the byte.
    shown = values[context.label]
    for (row, column, _, flag), kind, value in zip(cells, kinds, shown, strict=True):
        car, q = (None, None) if value is None else (value[0], value[4])
        grid[(row, column)] = _cell(kind, math.nan if car is None else car, math.nan if q is None else q, bool(flag))
    groups = [security.group for security in context.securities]
    spans: list[tuple[str, int]] = []
    for group in groups:
        if spans and spans[-1][0] == group:
            spans[-1] = (group, spans[-1][1] + 1)
        else:
            spans.append((group, 1))
    colgroup = '<col class="rowhead">' + "".join(f'<col span="{count}" class="grp">' for _, count in spans)
    group_row = '<tr class="groups"><td class="corner"></td>' + "".join(
        f'<th scope="colgroup" colspan="{count}">{esc(group)}</th>' for group, count in spans
    )
    ticker_row = '<tr class="tickers"><td class="corner">event (day 0) \\ security</td>' + "".join(
        f'<th scope="col"><a href="securities/{esc(context.security_files[s.ticker])}.html"'
        f' title="{esc(s.name)} ({esc(s.group)})">{esc(s.ticker.removeprefix("basket-"))}</a></th>'
        for s in context.securities
    )
    body = []
    for row, event_id in enumerate(events):
        event = context.event(event_id)
        same = context.shocks.get(event_id)
        shock = (
            f'<span class="shock" title="same day 0 as {esc(context.event_name(same, 80))} on every exchange: the '
            'same returns, so the same ARs and CARs">same day 0 as above</span>'
            if same
            else ""
        )
        head = (
            f'<th scope="row"><a href="events/{esc(context.event_files[event_id])}.html" title="{esc(event.title)}">'
            f'<span class="d">{event.date}</span> <span class="t">{esc(event.title)}</span></a>{shock}</th>'
        )
        tds = []
        for column in range(len(tickers)):
            css, inner = grid.get((row, column), ("none", ""))
            tds.append(f'<td class="{css}">{inner}</td>')
        css = ' class="same-shock"' if same else ""
        body.append(f"<tr{css}>{head}{''.join(tds)}</tr>")
    switch = "".join(
        f'<label><input type="radio" name="heatmap-window" value="{esc(window)}"'
        f"{' checked' if window == context.label else ''}> {esc(window)}</label>"
        for window in windows
    )
    swatches = "".join(
        f'<span class="swatch {css}">{label}</span>'
        for css, label in [
            *(
                (f"n{size}", f"{MINUS}{BINS[size - 1]:g}" if size < 5 else f"≤{MINUS}{BINS[4]:g}")
                for size in range(5, 0, -1)
            ),
            ("c0", f"±{BINS[0]:g}"),
            *((f"p{size}", f"+{BINS[size - 1]:g}" if size < 5 else f"≥+{BINS[4]:g}") for size in range(1, 6)),
        ]
    )
    tested = int(pairs["q_value"].notna().sum())
    data = {
        "windows": windows,
        "events": [
            [context.event_name(event_id, 90), f"events/{context.event_files[event_id]}.html"] for event_id in events
        ],
        "securities": [[s.ticker, s.name, s.group] for s in context.securities],
        "cells": cells,
        "reasons": reasons,
        "values": values,
        "bins": list(BINS),
    }
    return (
        '<div class="heatmap-controls"><fieldset class="window-switch"><legend>Window (sessions from day 0)</legend>'
        f"{switch}</fieldset>"
        f'<div class="legend" aria-label="colour scale: CAR in percent">CAR, %: {swatches}</div>'
        '<p class="legend-marks"><b>**</b>/<b>*</b> BH q &lt; 0.01/0.05 (t test of the CAR, corrected for the '
        f"{tested} pairs tested) · <b>†</b> short history (market-adjusted model, few returns) · <b>×</b> not "
        "estimable · <b>○</b> no CAR (a price missing) · blank: no pair</p></div>"
        '<div class="heatmap-wrap" tabindex="0" role="region" aria-labelledby="heatmap-caption">'
        f'<table class="heatmap" id="heatmap" data-window="{esc(context.label)}">'
        f'<caption id="heatmap-caption">CAR <span class="window-label">{esc(context.label)}</span> of every event '
        "and security, in percent</caption>"
        f"<colgroup>{colgroup}</colgroup><thead>{group_row}</tr>{ticker_row}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
        '<p class="heatmap-detail" id="heatmap-detail" aria-live="polite">Point at, tap or focus a cell for its '
        "numbers; row and column names open the event and the security.</p>" + data_block("heatmap-data", data)
    )
