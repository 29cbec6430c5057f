"""The run of a study: a pipeline of named steps over chunks of (event, security) pairs.

1. **prepare** (:func:`eventstudy.engine.prepare`): pair the events and securities, load the prices, build one panel
   of returns per calendar;
2. **chunk** (:func:`eventstudy.engine.chunks.plan_chunks`): split the pairs into chunks of whole clusters, sized by
   the study's ``memory_budget``;
3. **fit and summarize** (:func:`eventstudy.inference.chunk_statistics`, on the study's backend): every chunk is
   fitted on its slice of the panels and its residuals summarized into per-pair values and additive sums;
4. **second pass** (:func:`eventstudy.inference.chunk_grank`): with several chunks, the GRANK sums, which need
   every sample's spread of SCARs;
5. **placebo** (:func:`eventstudy.engine.placebo.placebo_cars`), in this process;
6. **tables and tests** (:mod:`eventstudy.engine.tables`, :func:`eventstudy.inference.infer`): the pairs, the AR
   paths, every test of every pair and sample;
7. **analyses** (:func:`eventstudy.analyses.run_analyses`), in this process: the cross-sectional regressions,
   abnormal volume and volatility, buy-and-hold abnormal returns and GARCH ARs of ``spec.analyses``; and the
   results.

With the in-process backend the chunks read the panels in memory; with Dask the panels are written once as Parquet
partitions (:mod:`eventstudy.engine.store`) that each worker reads its slice from. Every sum is added in the same
order whatever the backend and the chunk sizes, up to the rounding of float additions (tests pin 1e-12).
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable
from functools import reduce
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.analyses import AnalysisInputs, run_analyses
from eventstudy.columns import COLUMNS
from eventstudy.engine import Computation, ComputedPairs, ar_table, join_pairs, pairs_table, prepare
from eventstudy.engine.backends import Backend, make_backend
from eventstudy.engine.chunks import plan_chunks
from eventstudy.engine.panels import MemoryPanels, PanelSource
from eventstudy.engine.placebo import placebo_cars
from eventstudy.engine.store import PanelStore, write_store
from eventstudy.events import Event, EventSet
from eventstudy.inference import (
    ChunkStatistics,
    StudyStatistics,
    chunk_grank,
    chunk_statistics,
    grank_scales,
    infer,
    sample_layout,
)
from eventstudy.results import SENSITIVITY_TABLE, EventStudyResults
from eventstudy.spec import StudySpec

__all__ = ["STORE_ENV", "run_study"]

Progress = Callable[[str], None]
#: Environment variable naming the folder the Dask backend writes its Parquet panel store in (default: the system's
#: temporary folder); on a cluster of several machines, a folder every worker can read.
STORE_ENV = "EVENTSTUDY_STORE_DIR"


def _joined(results: list[ChunkStatistics], count: int) -> tuple[ComputedPairs, StudyStatistics]:
    """The chunks' statistics put back in the order of all pairs, their partial sums added in chunk order."""
    pairs = join_pairs([(result.positions, result.pairs) for result in results], count)
    windows = len(results[0].partials)
    partials = []
    for position in range(windows):
        total = results[0].partials[position]
        for result in results[1:]:
            total = total + result.partials[position]
        partials.append(total)

    def placed(name: str) -> np.ndarray:
        first = getattr(results[0], name)
        out = np.full((count, *first.shape[1:]), np.nan)
        for result in results:
            out[result.positions] = getattr(result, name)
        return out

    return pairs, StudyStatistics(
        sq_p_value=placed("sq_p_value"),
        residual_days=placed("residual_days"),
        positive_share=placed("positive_share"),
        partials=tuple(partials),
    )


def _empty(spec: StudySpec, computation: Computation) -> EventStudyResults:
    tables = {name: pd.DataFrame(columns=list(COLUMNS[name])) for name in ("ar", "car", "tests", "caar")}
    return EventStudyResults(
        spec=spec,
        pairs=pairs_table(computation),
        skipped=computation.skipped,
        prices=computation.prices,
        **tables,
    )


def _compute_chunks(
    spec: StudySpec, backend: Backend, source: PanelSource, computation: Computation, chunks: list[np.ndarray]
) -> tuple[ComputedPairs, StudyStatistics]:
    """Steps 3 and 4 on ``backend``."""
    plan = computation.plan
    layout = sample_layout(plan.keys())
    shared = {
        "spec": spec,
        "panels": source,
        "plan": plan,
        "ids": layout.members.ids,
        "size": layout.members.size,
        "reach": int(plan.extension.max(initial=0)),
    }
    results = backend.map(chunk_statistics, chunks, shared | {"complete": len(chunks) == 1})
    pairs, statistics = _joined(results, len(plan))
    if len(chunks) > 1 and "grank" in spec.tests:
        scales = grank_scales(pairs, layout, spec)
        granks = backend.map(chunk_grank, chunks, shared | {"scales": scales})
        partials = []
        for position, partial in enumerate(statistics.partials):
            sums = [grank[position] for grank in granks]
            partials.append(
                partial.with_grank((reduce(np.add, [s[0] for s in sums]), reduce(np.add, [s[1] for s in sums])))
            )
        statistics = StudyStatistics(
            statistics.sq_p_value, statistics.residual_days, statistics.positive_share, tuple(partials)
        )
    return pairs, statistics


def run_study(spec: StudySpec, progress: Progress | None = None) -> EventStudyResults:
    """Run every step of the pipeline for ``spec`` (``progress`` is told each step)."""
    step = progress or (lambda label: None)
    prepared = prepare(spec, step)
    computation = Computation(spec, prepared.plan, prepared.skipped, prepared.prices, None)
    if not len(prepared.plan):
        return _empty(spec, computation)
    chunks = plan_chunks(prepared.plan, prepared.panels, spec, spec.memory_budget)
    backend = make_backend(spec.backend, spec.scheduler, spec.workers)
    step(f"fitting {len(prepared.plan):,} pairs in {len(chunks)} chunk(s), {spec.backend}")
    try:
        if spec.backend == "in-process":
            pairs, statistics = _compute_chunks(spec, backend, MemoryPanels(prepared.panels), computation, chunks)
        else:
            parent = os.environ.get(STORE_ENV) or None
            with tempfile.TemporaryDirectory(prefix="eventstudy-panels-", dir=parent) as folder:
                store: PanelStore = write_store(prepared.panels, Path(folder))
                pairs, statistics = _compute_chunks(spec, backend, store, computation, chunks)
    finally:
        backend.close()
    step("drawing placebo dates")
    computation = Computation(
        spec, prepared.plan, prepared.skipped, prepared.prices, pairs, placebo_cars(spec, prepared.panels)
    )
    step("testing")
    pairs_tidy = pairs_table(computation)
    inference = infer(computation, pairs_tidy, statistics)
    analyses = run_analyses(AnalysisInputs(spec, prepared, computation, pairs_tidy), step)
    sensitivity = _span_sensitivity(spec, pairs_tidy, inference.car, step)
    return EventStudyResults(
        spec=spec,
        pairs=pairs_tidy,
        ar=ar_table(computation, pairs_tidy),
        car=inference.car,
        tests=inference.tests,
        caar=inference.caar,
        skipped=prepared.skipped,
        prices=prepared.prices,
        **analyses,
        span_sensitivity=sensitivity,
    )


def _pinned(event: Event, bound: str) -> Event:
    """A span event pinned to its ``"first"`` or ``"last"`` possible day 0, under the id ``<id>--<bound>``."""
    if bound == "first":
        return dataclasses.replace(event, id=f"{event.id}--first", date_end=None, time_end=None, date_precision=None)
    return dataclasses.replace(
        event,
        id=f"{event.id}--last",
        date=event.date_end,
        time=event.time_end,
        date_end=None,
        time_end=None,
        date_precision=None,
    )


def _span_sensitivity(spec: StudySpec, pairs: pd.DataFrame, car: pd.DataFrame, step: Progress) -> pd.DataFrame:
    """The CARs of the pairs whose windows were extended over a span of possible day 0s, recomputed with day 0 at
    the first and at the last possible session (``span_sensitivity``): does the answer depend on when in the span
    the news came?

    The recomputation is one study of the span events alone, each twice (pinned to either end), with the study's
    securities, model and windows (no placebo, no analyses: only the pair tests are read), so with
    ``exclude_contaminated`` its estimation windows leave out only the span events' own windows.
    """
    columns = list(COLUMNS[SENSITIVITY_TABLE])
    extended = pairs[pairs["window_extension"] > 0]
    if not spec.span_sensitivity or extended.empty:
        return pd.DataFrame(columns=columns)
    step("span events at their first and last possible day 0")
    spans = [spec.events[event_id] for event_id in dict.fromkeys(extended["event_id"])]
    keys = ["event_id", "ticker", "window"]
    table = car.merge(extended[["event_id", "ticker"]], on=["event_id", "ticker"])
    table = table.merge(
        extended[["event_id", "ticker", "day_zero", "day_zero_last"]].rename(columns={"day_zero": "day_zero_first"}),
        on=["event_id", "ticker"],
    )
    # One study of both pinned copies of every span event: the same securities, model and windows.
    pinned = spec.replace(
        events=EventSet(_pinned(event, bound) for event in spans for bound in ("first", "last")),
        tests=["cross_sectional_t"],
        placebo_replications=0,
        analyses=[],
        garch_tickers=[],
        span_sensitivity=False,
    )
    found = run_study(pinned).car
    parts = found["event_id"].str.rsplit("--", n=1, expand=True)
    event_id, bound = parts[0], parts[1]
    for side in ("first", "last"):
        rows = found[bound == side].assign(event_id=event_id[bound == side]).set_index(keys)
        table = table.join(
            rows[["car", "t", "p_value"]].set_axis([f"car_{side}", f"t_{side}", f"p_{side}"], axis=1), on=keys
        )
    signs = np.sign(table[["car_first", "car_last"]].to_numpy(dtype=float))
    known = ~np.isnan(signs).any(axis=1)
    table["same_sign"] = pd.array(np.where(known, signs[:, 0] == signs[:, 1], False), dtype="boolean")
    table.loc[~known, "same_sign"] = pd.NA
    return table[columns].reset_index(drop=True)
