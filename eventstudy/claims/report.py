"""The claims in a report: what the articles said vs what happened.

:class:`ClaimsExtension` adds the checked claims to a report (:func:`eventstudy.report.write_report`):
``claims.html``, ``claims_checked.csv``, a section on the index and on each event page with claims, and their
summary in ``run.json``. :func:`claims_page` returns ``claims.html``: one card per claim with the quote (Chinese)
and its English gloss, the verdict as a badge, the measured numbers of every reading (stated, alternatives, proxy)
and a small chart of the price path over the claim's window with the claimed level drawn in. :func:`claims_links`
is the list of an event's claims (quote, gloss, verdict) that the index, collapsed below the heatmap, and the event
pages show. Text from the claims file is escaped; figure div ids are ``claim-chart-<id>`` (claim ids are slugs).
Badges take the report's tones (``assets/report.css``), whose white text has a contrast of at least 5:1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.claims import CHECKED_COLUMNS, VERDICTS, Claim, ClaimPath, ClaimsResult, format_value
from eventstudy.report import figures
from eventstudy.report.context import ReportContext
from eventstudy.report.markup import Cell, Column, esc, note, numbers, section, table
from eventstudy.report.pages import page

__all__ = [
    "CLAIMS_PAGE",
    "DATA_FILES",
    "VERDICT_TONES",
    "ClaimsExtension",
    "claims_links",
    "claims_page",
    "event_section",
    "index_section",
    "verdict_badge",
]

#: File name of the claims page in the report folder.
CLAIMS_PAGE = "claims.html"
#: Files a report has when claims were checked, with what each holds.
DATA_FILES = {
    CLAIMS_PAGE: "the articles' market claims checked against the data, one card per claim",
    "claims_checked.csv": "one row per (claim, reading): window, claimed and measured values, returns, verdict",
}
#: Tone of each verdict's badge (a class of ``assets/report.css``).
VERDICT_TONES = {
    "confirmed": "tone-good",
    "approximately": "tone-warn",
    "contradicted": "tone-bad",
    "not checkable": "tone-neutral",
}


def verdict_badge(verdict: str) -> str:
    """A badge for a verdict."""
    return f'<span class="badge {VERDICT_TONES[verdict]}">{esc(verdict)}</span>'


def claims_links(claims: ClaimsResult, event_id: str, root: str) -> str:
    """A list of the claims of one event (all events when ``event_id`` is empty): verdict, quote and its English
    gloss, each linking to its card on the claims page; empty when there are none."""
    stated = claims.stated
    chosen = [claim for claim in claims.claims if not event_id or claim.event_id == event_id]
    if not chosen:
        return ""
    items = "".join(
        f'<li>{verdict_badge(stated.at[claim.id, "verdict"])} <a href="{root}{CLAIMS_PAGE}#claim-{claim.id}">'
        f'<span lang="zh">{esc(claim.quotes[0])}</span></a>'
        + (f'<br><span class="gloss">{esc(claim.quote_en)}</span>' if claim.quote_en else "")
        + f' <span class="note">({esc(claim.source)})</span></li>'
        for claim in chosen
    )
    return f'<ul class="claims-list">{items}</ul>'


def index_section(claims: ClaimsResult) -> str:
    """The index page's section on the claims: the verdict counts, then every claim in a collapsed list."""
    counts = claims.verdict_counts()
    tally = ", ".join(f"{verdict_badge(verdict)} {counts[verdict]}" for verdict in VERDICTS)
    lead = (
        f'<p><a href="{CLAIMS_PAGE}"><b>{len(claims.claims)} market claims</b></a> of the articles checked against '
        f"the price data: {tally}.</p>"
    )
    listed = (
        f"<details><summary>Every claim, with its English gloss and verdict</summary>{claims_links(claims, '', '')}"
        "</details>"
    )
    return section("claims", "What the articles said vs what happened", lead, listed)


def event_section(claims: ClaimsResult, event_id: str) -> str:
    """An event page's section on the claims about the event (empty when it has none), collapsed beyond three."""
    links = claims_links(claims, event_id, "../")
    if not links:
        return ""
    chosen = [claim for claim in claims.claims if claim.event_id == event_id]
    if len(chosen) > 3:
        verdicts = claims.stated.loc[[claim.id for claim in chosen], "verdict"].value_counts()
        tally = ", ".join(f"{verdicts[v]} {esc(v)}" for v in VERDICTS if v in verdicts.index)
        links = f"<details><summary>{len(chosen)} claims about this event: {tally}</summary>{links}</details>"
    return section("claims", "What the articles said about it", links)


def _claimed(claim: Claim) -> str:
    if claim.claimed_value is None:
        return "no number (a record)"
    tolerance = f", tolerance {format_value(claim.tolerance, claim.unit, signed=False)}" if claim.tolerance else ""
    if claim.unit == "fraction" and claim.tolerance:
        tolerance = f", tolerance {100 * claim.tolerance:.2f} points"
    return f"{claim.comparison} {format_value(claim.claimed_value, claim.unit)}{tolerance}"


def _readings_table(claim: Claim, rows: pd.DataFrame) -> str:
    docs = CHECKED_COLUMNS
    columns = [
        Column("reading", docs["variant"]),
        Column("window", docs["window"]),
        Column("closes", f"{docs['base_date']} → {docs['end_date']}"),
        Column("measured", docs["measured_value"], numeric=True),
        Column("raw return", docs["raw_return"], numeric=True),
        Column("benchmark", docs["benchmark_return"], numeric=True),
        Column("abnormal", docs["abnormal_return"], numeric=True),
        Column("verdict", docs["verdict"]),
        Column("explanation", docs["explanation"]),
    ]
    body = []
    for row in rows.itertuples(index=False):
        closes = "–" if pd.isna(row.base_date) else f"{row.base_date.date()} → {row.end_date.date()}"
        benchmark = "–" if not row.benchmark else f"{row.benchmark} {format_value(row.benchmark_return, 'fraction')}"
        body.append(
            [
                Cell(esc(row.variant)),
                Cell(esc(row.window)),
                Cell(esc(closes)),
                Cell(esc(format_value(row.measured_value, claim.unit) if claim.unit else "n/a")),
                Cell(esc(format_value(row.raw_return, "fraction"))),
                Cell(esc(benchmark)),
                Cell(esc(format_value(row.abnormal_return, "fraction"))),
                Cell(verdict_badge(row.verdict)),
                Cell(esc(f"{row.reading} — {row.explanation}"), None, "wrap"),
            ]
        )
    return table(columns, body, f"readings-{claim.id}", filterable=False, download=f"readings-{claim.id}.csv")


def claim_figure(claim: Claim, path: ClaimPath) -> dict[str, object]:
    """The price path around a claim's window: the window shaded, its closes marked, the claimed close and its
    tolerance band drawn where the claim is a price level."""
    series = path.series
    dates = [day.strftime("%Y-%m-%d") for day in series.index]
    ends = series.reindex([path.base, path.end])
    data: list[dict[str, object]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": dates,
            "y": numbers(series.to_numpy(), 6),
            "name": path.label,
            "line": {"color": "#374151", "width": 1.6},
            "marker": {"size": 4},
            "hovertemplate": "%{x|%Y-%m-%d}: %{y:.4g}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "x": [day.strftime("%Y-%m-%d") for day in ends.index],
            "y": numbers(ends.to_numpy(), 6),
            "name": "closes measured from and to",
            "marker": {"size": 10, "color": "#1d4ed8", "symbol": "diamond"},
            "hovertemplate": "%{x|%Y-%m-%d}: %{y:.4g}<extra></extra>",
        },
    ]
    shapes: list[dict[str, object]] = [
        {"type": "rect", "xref": "x", "yref": "paper", "x0": str(path.base.date())}
        | {"x1": str(path.end.date()), "y0": 0, "y1": 1, "fillcolor": "#1d4ed8", "opacity": 0.08, "line": {"width": 0}}
    ]
    if path.level is not None and path.band is not None:
        if path.band[1] > path.band[0]:
            shapes.append(
                {"type": "rect", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": path.band[0], "y1": path.band[1]}
                | {"fillcolor": "#8a5a00", "opacity": 0.15, "line": {"width": 0}}
            )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": [dates[0], dates[-1]],
                "y": [path.level, path.level],
                "name": f"claimed: {claim.comparison} {format_value(claim.claimed_value or np.nan, claim.unit)}",
                "line": {"color": "#b42318", "dash": "dash", "width": 1.5},
                "hovertemplate": f"claimed level: {path.level:.4g}<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": figures.layout(
            320,
            shapes=shapes,
            margin={"l": 60, "r": 20, "t": 20, "b": 40},
            legend={"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
            xaxis={"type": "date"},
            yaxis={"title": {"text": "index" if "basket" in path.label else "adjusted close"}},
        ),
    }


def _card(context: ReportContext, claims: ClaimsResult, claim: Claim) -> str:
    rows = claims.checked[claims.checked["claim_id"] == claim.id]
    stated = rows[rows["variant"] == "stated"].iloc[0]
    event = (
        f'<a href="events/{esc(context.event_files[claim.event_id])}.html">{esc(claim.event_id)}</a>'
        if claim.event_id in context.event_files
        else esc(claim.event_id)
    )
    quotes = "".join(f'<blockquote lang="zh">{esc(quote)}</blockquote>' for quote in claim.quotes)
    gloss = f'<p class="gloss">{esc(claim.quote_en)}</p>' if claim.quote_en else ""
    facts = [
        ("about", claim.securities),
        ("as the article states it", claim.stated_window or "–"),
        ("claimed", _claimed(claim)),
        ("read as", claim.interpretation),
    ]
    chart = (
        figures.figure_html(
            claim_figure(claim, claims.paths[claim.id]),
            f"claim-chart-{claim.id}",
            f"Line chart of {claims.paths[claim.id].label} over the claim's window"
            + (" with the claimed level" if claims.paths[claim.id].level is not None else ""),
        )
        if claim.id in claims.paths
        else note("No chart: nothing in the price data measures this claim.")
    )
    return (
        f'<article class="claim" id="claim-{esc(claim.id)}">'
        f"<h3>{verdict_badge(stated['verdict'])} {esc(claim.id)}</h3>"
        f'<p class="note">{esc(claim.claim_type)} · event {event} · source {esc(claim.source)}</p>'
        f"{quotes}{gloss}"
        f'<p class="headline">{esc(stated["explanation"])}</p>'
        "<dl>" + "".join(f"<dt>{esc(key)}</dt><dd>{esc(value)}</dd>" for key, value in facts) + "</dl>"
        f"{_readings_table(claim, rows)}{chart}</article>"
    )


def claims_page(context: ReportContext, claims: ClaimsResult) -> str:
    """``claims.html``: the verdict counts, how verdicts are given, and one card per claim."""
    counts = claims.verdict_counts()
    tally = " ".join(f"{verdict_badge(verdict)} {counts[verdict]}" for verdict in VERDICTS)
    body = "".join(
        [
            "<h1>What the articles said vs what happened</h1>",
            f'<p class="lead">{len(claims.claims)} market claims of the articles, checked against the price data '
            f"with the same adjusted closes, exchange calendars and abnormal returns as the event study: {tally}</p>",
            note(
                "Each claim is measured under its stated reading (how the article's phrase becomes a window and a "
                "number) and, where the phrase is ambiguous, under the nearest alternatives, each shown with its own "
                "verdict; the claim's badge is that of the stated reading. <b>confirmed</b>: the measured value "
                "satisfies the claim; <b>approximately</b>: it misses the claim taken literally by no more than the "
                "stated tolerance (the card says by how much); <b>contradicted</b>: it misses by more; "
                "<b>not checkable</b>: nothing in the data measures it, with the reason. Raw returns are from "
                "adjusted closes; the abnormal return is the engine's CAR over the same sessions against the "
                "security's benchmark."
            ),
            section("claims", "Claims", *(_card(context, claims, claim) for claim in claims.claims)),
            section(
                "claims-data",
                "Data",
                '<p><a href="claims_checked.csv">claims_checked.csv</a>: one row per claim and reading; '
                '<a href="columns.md">columns.md</a> documents every column.</p>',
            ),
        ]
    )
    return page(context, "Claims: what the articles said vs what happened", body, "")


class ClaimsExtension:
    """The checked claims as an addition to a report (:class:`eventstudy.report.ReportExtension`)."""

    name = "claims"

    def __init__(self, claims: ClaimsResult) -> None:
        self.claims = claims

    def data_files(self) -> dict[str, str]:
        return DATA_FILES

    def columns(self) -> dict[str, dict[str, str]]:
        return {"claims_checked": CHECKED_COLUMNS}

    def write(self, folder: Path, context: ReportContext) -> list[Path]:
        (folder / CLAIMS_PAGE).write_text(claims_page(context, self.claims), encoding="utf-8", newline="\n")
        return [self.claims.to_csv(folder / "claims_checked.csv")]

    def index_section(self, context: ReportContext) -> str:
        return index_section(self.claims)

    def event_section(self, context: ReportContext, event_id: str) -> str:
        return event_section(self.claims, event_id)

    def security_section(self, context: ReportContext, ticker: str) -> str:
        return ""

    def metadata(self) -> dict[str, Any]:
        return self.claims.summary()
