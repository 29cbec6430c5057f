"""Results of an event study: tidy DataFrames, a :class:`Summary`, confidence intervals at any level, CSV export.

Tables (all tidy, one observation per row; documented column by column in :data:`eventstudy.columns.COLUMNS`):

``pairs``
    One row per (event, security): day 0, the model's estimation diagnostics, and whether it could be estimated.
``ar``
    One row per (event, security, event-time day) of the AR path: returns, normal return, AR, its standard error,
    SAR, and the CAR from the start of the path with its standard error.
``car``
    One row per (event, security, event window): CAR, its variance, t test (model degrees of freedom), the SQ test
    p-value and a 95% confidence interval; Benjamini-Hochberg q-values across all of them.
``tests``
    One row per (sample, event window, test), a sample being one event's securities of one group (or all groups),
    or one group across all events; with Benjamini-Hochberg q-values over every test of the run.
``caar``
    CAAR per sample and window with its cross-sectional 95% confidence interval.
``skipped``
    Events and securities that gave no pair, with the reason.

And the tables of the analyses beyond abnormal returns (:data:`ANALYSIS_TABLES`, :mod:`eventstudy.analyses`):
``cross_section`` (regressions of CARs on characteristics, per event and pooled), ``volume`` and ``volume_tests``
(abnormal trading volume per pair and per sample), ``volatility`` and ``volatility_tests`` (abnormal volatility),
``bhar`` and ``bhar_tests`` (buy-and-hold abnormal returns over long windows), ``garch`` (GARCH(1,1) ARs beside the
OLS ones for ``garch_tickers``). An analysis the study did not run leaves its tables empty.

``span_sensitivity``
    For the pairs of events known only to a span whose possible day 0s differ: the CAR with day 0 at the first and
    at the last possible session beside the study's (over the window extended to cover both).

This module holds data and presents it; it computes no statistic (see :mod:`eventstudy.inference` and
:mod:`eventstudy.analyses`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.analyses import ANALYSIS_TABLES
from eventstudy.columns import COLUMNS
from eventstudy.prices import PriceData
from eventstudy.spec import StudySpec, Window, headline_window, window_label
from eventstudy.version import __version__

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["ANALYSIS_TABLES", "SENSITIVITY_TABLE", "TABLES", "EventStudyResults", "Summary", "SummaryTable"]

#: The tidy tables of a study's abnormal returns, in the order they are written (then :data:`ANALYSIS_TABLES`).
TABLES = ("pairs", "ar", "car", "tests", "caar", "skipped")
#: The table of span events' CARs at their first and last possible day 0, written after the analyses' tables.
SENSITIVITY_TABLE = "span_sensitivity"
#: The sample test the summary and the report lead with: BMP t adjusted for event-date clustering.
HEADLINE_TEST = "kolari_pynnonen_bmp"


@dataclass(frozen=True)
class SummaryTable:
    """One table of a :class:`Summary`: formatted cells, with the columns that hold numbers (right-aligned)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[str] = frozenset()
    note: str = ""


@dataclass(frozen=True)
class Summary:
    """A study at a glance: its settings, counts and the strongest results, as text, HTML or a rich renderable
    (the same content everywhere: ``print(summary)``, a notebook, the command line)."""

    title: str
    settings: tuple[tuple[str, str], ...]
    counts: tuple[tuple[str, str], ...]
    tables: tuple[SummaryTable, ...]

    def as_text(self, width: int = 110) -> str:
        """Plain text, in the manner of statsmodels' summaries."""
        lines = [self.title, "=" * width]
        for pairs in (self.settings, self.counts):
            lines += textwrap.wrap("   ".join(f"{key}: {value}" for key, value in pairs), width)
        for table in self.tables:
            lines += ["", table.title, "-" * width]
            widths = [max(len(cell) for cell in column) for column in zip(table.columns, *table.rows, strict=True)]
            for row in (table.columns, *table.rows):
                cells = [
                    cell.rjust(size) if name in table.numeric else cell.ljust(size)
                    for cell, size, name in zip(row, widths, table.columns, strict=True)
                ]
                lines.append("  ".join(cells).rstrip())
            if table.note:
                lines += textwrap.wrap(table.note, width)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.as_text()

    def as_html(self) -> str:
        """An HTML fragment (escaped text, plain tables)."""
        parts = [f"<h3>{html.escape(self.title)}</h3>"]
        for pairs in (self.settings, self.counts):
            parts.append("<p>" + " · ".join(f"{html.escape(k)}: <b>{html.escape(v)}</b>" for k, v in pairs) + "</p>")
        for table in self.tables:
            head = "".join(f"<th>{html.escape(column)}</th>" for column in table.columns)
            body = "".join(
                "<tr>"
                + "".join(
                    f'<td style="text-align:{"right" if name in table.numeric else "left"}">{html.escape(cell)}</td>'
                    for cell, name in zip(row, table.columns, strict=True)
                )
                + "</tr>"
                for row in table.rows
            )
            note = f"<p><small>{html.escape(table.note)}</small></p>" if table.note else ""
            parts.append(
                f"<h4>{html.escape(table.title)}</h4><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                + note
            )
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.as_html()

    def __rich__(self) -> RenderableType:
        """Rich tables for a terminal."""
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        items: list[RenderableType] = [Text(self.title, style="bold")]
        for pairs in (self.settings, self.counts):
            items.append(Text("   ".join(f"{key}: {value}" for key, value in pairs)))
        for summary_table in self.tables:
            table = Table(title=summary_table.title, caption=summary_table.note or None)
            for column in summary_table.columns:
                table.add_column(column, justify="right" if column in summary_table.numeric else "left")
            for row in summary_table.rows:
                table.add_row(*(Text(cell) for cell in row))
            items.append(table)
        return Group(*items)


def _empty(table: str) -> pd.DataFrame:
    """The table ``table`` without rows (its documented columns)."""
    return pd.DataFrame(columns=list(COLUMNS[table]))


def _p(value: float) -> str:
    return "" if not np.isfinite(value) else f"{value:.2g}"


def _signed(value: float, spec: str) -> str:
    """``value`` with its sign in format ``spec``, blank when there is none (a test of one security)."""
    return "" if not np.isfinite(value) else format(value, spec)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class EventStudyResults:
    """What :meth:`eventstudy.EventStudy.run` returns (see the module docstring for the tables).

    Attributes
    ----------
    spec
        The study's specification.
    pairs, ar, car, tests, caar, skipped
        The tidy tables.
    prices
        The prices the study read, with the coverage of each series (what the report draws).
    cross_section, volume, volume_tests, volatility, volatility_tests, bhar, bhar_tests, garch
        The tables of the analyses (:data:`ANALYSIS_TABLES`; empty when not run).
    span_sensitivity
        Span events' CARs at their first and last possible day 0 (empty without such events).
    """

    spec: StudySpec
    pairs: pd.DataFrame
    ar: pd.DataFrame
    car: pd.DataFrame
    tests: pd.DataFrame
    caar: pd.DataFrame
    skipped: pd.DataFrame
    prices: PriceData = field(default_factory=PriceData)
    cross_section: pd.DataFrame = field(default_factory=partial(_empty, "cross_section"))
    volume: pd.DataFrame = field(default_factory=partial(_empty, "volume"))
    volume_tests: pd.DataFrame = field(default_factory=partial(_empty, "volume_tests"))
    volatility: pd.DataFrame = field(default_factory=partial(_empty, "volatility"))
    volatility_tests: pd.DataFrame = field(default_factory=partial(_empty, "volatility_tests"))
    bhar: pd.DataFrame = field(default_factory=partial(_empty, "bhar"))
    bhar_tests: pd.DataFrame = field(default_factory=partial(_empty, "bhar_tests"))
    garch: pd.DataFrame = field(default_factory=partial(_empty, "garch"))
    span_sensitivity: pd.DataFrame = field(default_factory=partial(_empty, SENSITIVITY_TABLE))

    @property
    def coverage(self) -> dict[str, dict[str, object]]:
        """Coverage of every price series the study read (JSON-ready, see :class:`eventstudy.prices.Coverage`)."""
        return {ticker: item.to_dict() for ticker, item in self.prices.coverage.items()}

    def car_for(self, event_id: str, window: Window = (0, 0)) -> pd.DataFrame:
        """The CAR rows of one event and window, indexed by ticker."""
        rows = self.car[
            (self.car["event_id"] == event_id) & (self.car["tau1"] == window[0]) & (self.car["tau2"] == window[1])
        ]
        return rows.set_index("ticker")

    def conf_int(self, level: float = 0.95, table: str = "car") -> pd.DataFrame:
        """Confidence intervals at ``level`` of every CAR (Student t with the model's degrees of freedom) or every
        CAAR (``table="caar"``: cross-sectional, Student t with ``n - 1`` degrees of freedom).

        Returns
        -------
        DataFrame
            The table's key columns with ``ci_low`` and ``ci_high``.
        """
        from scipy import stats

        if not 0 < level < 1:
            raise ValueError(f"level must lie strictly between 0 and 1, not {level}")
        if table == "car":
            frame, keys = self.car, ["event_id", "ticker", "window"]
            centre, se, df = frame["car"], frame["car_se"], frame["df"].to_numpy(dtype=float)
        elif table == "caar":
            frame, keys = self.caar, ["scope", "event_id", "group", "window"]
            centre, se, df = frame["caar"], frame["se"], frame["n"].to_numpy(dtype=float) - 1
        else:
            raise ValueError(f"table must be 'car' or 'caar', not {table!r}")
        with np.errstate(invalid="ignore"):
            half = stats.t.ppf(0.5 + level / 2, np.where(df > 0, df, np.nan)) * se.to_numpy(dtype=float)
        return frame[keys].assign(ci_low=centre - half, ci_high=centre + half)

    def __repr__(self) -> str:
        events, pairs = self.pairs["event_id"].nunique(), len(self.pairs)
        estimable = int((self.pairs["status"] == "ok").sum())
        return f"<EventStudyResults: {events} events, {pairs} pairs ({estimable} estimable); .summary() shows them>"

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        """What a notebook shows for the results: their summary."""
        return self.summary().as_html()

    def summary(self, window: Window | None = None, top: int = 10) -> Summary:
        """The study at a glance: settings, counts, the most significant CARs of ``window`` (default
        :func:`~eventstudy.spec.headline_window`; each security and day 0 once: events on the same day are the same
        returns) and the groups with the most significant CAAR per event (Kolari-Pynnönen adjusted BMP test)."""
        spec = self.spec
        chosen = window or headline_window(spec.event_windows)
        label = window_label(chosen)
        ok = self.pairs["status"] == "ok"
        fell_back = int((ok & (self.pairs["fallback_reason"] != "")).sum())
        settings = (
            ("model", spec.model_name),
            ("estimation window", str(spec.estimation_window)),
            ("event windows", ", ".join(window_label(w) for w in spec.event_windows)),
        )
        counts = (
            ("events", str(self.pairs["event_id"].nunique())),
            ("pairs", str(len(self.pairs))),
            ("estimable", str(int(ok.sum()))),
            ("short-history fallback (market-adjusted)", str(fell_back)),
            ("not estimable", str(int((~ok).sum()))),
            ("skipped", str(len(self.skipped))),
        )
        return Summary("Event study", settings, counts, (self._strongest(label, top), self._groups(label, top)))

    def _event_names(self) -> dict[str, str]:
        return {event.id: f"{event.date} {textwrap.shorten(event.title, 34)}" for event in self.spec.events}

    def _strongest(self, label: str, top: int) -> SummaryTable:
        cars = self.car[(self.car["window"] == label) & self.car["car"].notna()]
        day_zero = self.pairs.set_index(["event_id", "ticker"])["day_zero"]
        cars = cars.assign(day_zero=[day_zero[key] for key in zip(cars["event_id"], cars["ticker"], strict=True)])
        names = self._event_names()
        # Events that share a day 0 give the same CAR: one row per (security, day 0), naming every such event.
        together = cars.groupby(["ticker", "day_zero"], sort=False)["event_id"].agg(
            lambda ids: " / ".join(names.get(event_id, event_id) for event_id in ids)
        )
        chosen = cars.drop_duplicates(["ticker", "day_zero"]).sort_values("p_value", kind="stable").head(top)
        dagger = "† short history: market-adjusted model (see pairs.fallback_reason). "
        rows = tuple(
            (
                together[(row.ticker, row.day_zero)],
                row.ticker + (" †" if row.fallback_reason else ""),
                f"{row.car:+.2%}",
                f"{row.car_se:.2%}",
                _signed(row.t, "+.2f"),
                _p(row.p_value),
                _p(row.sq_p_value),
                _p(row.q_value),
            )
            for row in chosen.itertuples(index=False)
        )
        return SummaryTable(
            f"Most significant CAR {label} (t test with the model's degrees of freedom)",
            ("event", "ticker", "CAR", "s.e.", "t", "p", "SQ p", "BH q"),
            rows,
            frozenset({"CAR", "s.e.", "t", "p", "SQ p", "BH q"}),
            (dagger if chosen["fallback_reason"].fillna("").astype(bool).any() else "")
            + "SQ: Gelbach, Helland & Klick (2013), no normality assumed. "
            "BH q: Benjamini-Hochberg over every CAR test of the run.",
        )

    def _groups(self, label: str, top: int) -> SummaryTable:
        tests = self.tests[
            (self.tests["window"] == label) & (self.tests["test"] == HEADLINE_TEST) & (self.tests["scope"] == "event")
        ]
        tests = tests.sort_values("p_value", kind="stable").head(top)
        caar = self.caar.set_index(["event_id", "group", "window"])["caar"]
        names = self._event_names()
        rows = tuple(
            (
                names.get(row.event_id, row.event_id),
                row.group,
                str(int(row.n)),
                f"{caar.get((row.event_id, row.group, label), np.nan):+.2%}",
                _signed(row.statistic, "+.2f"),
                _p(row.p_value),
                _p(row.q_value),
            )
            for row in tests.itertuples(index=False)
        )
        return SummaryTable(
            f"Group CAAR {label} per event, most significant first",
            ("event", "group", "n", "CAAR", "KP-BMP t", "p", "BH q"),
            rows,
            frozenset({"n", "CAAR", "KP-BMP t", "p", "BH q"}),
            "KP-BMP: the standardized cross-sectional test of Boehmer, Musumeci & Poulsen (1991) adjusted for the "
            "correlation of securities that share the event date (Kolari & Pynnönen 2010).",
        )

    def to_csv(self, folder: str | Path) -> list[Path]:
        """Write ``pairs.csv``, ``ar.csv``, ``car.csv``, ``tests.csv``, ``caar.csv``, ``skipped.csv`` and the
        analyses' tables (``cross_section.csv``, ... :data:`ANALYSIS_TABLES`; header only when not run) and
        ``span_sensitivity.csv``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name in (*TABLES, *ANALYSIS_TABLES, SENSITIVITY_TABLE):
            path = folder / f"{name}.csv"
            getattr(self, name).to_csv(path, index=False, float_format="%.10g", lineterminator="\n")
            written.append(path)
        return written

    def metadata(self, events_file: str | Path | None = None) -> dict[str, Any]:
        """What ``run.json`` records: version, full configuration, inputs and their hashes, prices and coverage,
        counts and time."""
        spec = self.spec
        inputs: dict[str, object] = {"universe_file": spec.universe.source}
        if Path(spec.universe.source).is_file():
            inputs["universe_sha256"] = _sha256(Path(spec.universe.source))
        if events_file is not None:
            inputs |= {"events_file": str(events_file), "events_sha256": _sha256(Path(events_file))}
        return {
            "eventstudy_version": __version__,
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "configuration": _configuration(spec),
            "inputs": inputs,
            "prices": {"sources": spec.prices.describe(), "coverage": self.coverage},
            "counts": {
                "events": int(self.pairs["event_id"].nunique()),
                "pairs": len(self.pairs),
                "estimable": int((self.pairs["status"] == "ok").sum()),
                "skipped": len(self.skipped),
            },
        }


def _configuration(spec: StudySpec) -> dict[str, object]:
    def listed(values: Sequence[str] | None) -> list[str] | None:
        return None if values is None else list(values)

    return {
        "model": spec.model_name,
        "benchmark": spec.benchmark,
        "estimation_window": list(spec.estimation_window),
        "event_windows": [list(window) for window in spec.event_windows],
        "path_window": list(spec.path_window),
        "min_estimation": spec.min_estimation,
        "fallback": spec.fallback,
        "fallback_floor": spec.fallback_floor,
        "skip_after_listing": spec.skip_after_listing,
        "baskets": list(spec.baskets),
        "exclude_contaminated": spec.exclude_contaminated,
        "include_month_precision": spec.include_month_precision,
        "return_kind": spec.return_kind,
        "tests": list(spec.tests),
        "bootstrap_replications": spec.bootstrap_replications,
        "placebo_replications": spec.placebo_replications,
        "seed": spec.seed,
        "analyses": list(spec.analyses),
        "formula": spec.formula,
        "characteristics": None if spec.characteristics is None else spec.characteristics.source,
        "bhar_windows": [list(window) for window in spec.bhar_windows],
        "garch_tickers": list(spec.garch_tickers),
        "tickers": listed(spec.tickers),
        "groups": listed(spec.groups),
    }
