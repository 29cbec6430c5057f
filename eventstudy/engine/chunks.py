"""Chunks of pairs: the units the engine fits and the statistics summarize, sized by a memory budget.

A chunk is a set of (event, security) pairs processed together: their panel rows and columns are sliced out, their
model fitted, their estimation residuals computed, summarized into what the statistics need, and dropped. Memory is
bounded by the chunk, whatever the number of pairs of the study.

The Kolari-Pynnönen correlation needs, for every two pairs whose event windows share a date, both residual series at
once. So a chunk never splits a *cluster*: the pairs whose event windows (from the earliest ``tau1`` to the latest
``tau2``, extended over spans) are connected in calendar time. Clusters are packed into chunks in time order up to
the budget; a cluster larger than the budget is one chunk on its own (the budget is then exceeded, by that
cluster's size: the events of one day on one exchange).

The budget counts the arrays that grow with the pairs of a chunk (:func:`bytes_per_pair`); the panel slice of a
chunk (its sessions x securities, with their prefix sums) comes on top and is small for clusters of events.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.engine.pairs import PairPlan
from eventstudy.engine.panels import CalendarPanel
from eventstudy.spec import StudySpec

__all__ = ["bytes_per_pair", "clusters", "plan_chunks"]


def bytes_per_pair(spec: StudySpec) -> int:
    """Working memory per pair of a chunk, in bytes: the residuals with their gathered regressors and masks (about
    six arrays over the residual window), the rank scores of one window at a time, and the dozen arrays over the AR
    path kept until the chunk is summarized."""
    residual_days = spec.residual_window[1] - spec.residual_window[0] + 1
    path_days = spec.path_window[1] - spec.path_window[0] + 1
    return 8 * (6 * residual_days + 2 * (residual_days + path_days) + 12 * path_days)


def clusters(plan: PairPlan, panels: dict[str, CalendarPanel], spec: StudySpec) -> np.ndarray:
    """The cluster of every pair: pairs whose event windows are connected in calendar time share one (numbered in
    time order)."""
    first_day = min(first for first, _ in spec.event_windows)
    last_day = max(last for _, last in spec.event_windows)
    starts = np.empty(len(plan), dtype="datetime64[ns]")
    ends = np.empty(len(plan), dtype="datetime64[ns]")
    for calendar, rows in plan.by_calendar().items():
        index = panels[calendar].index
        day_zero = index.get_indexer(pd.DatetimeIndex(plan.day_zero[rows]))
        starts[rows] = index[day_zero + first_day].to_numpy()
        ends[rows] = index[np.minimum(day_zero + last_day + plan.extension[rows], len(index) - 1)].to_numpy()
    order = np.argsort(starts, kind="stable")
    reach = np.maximum.accumulate(ends[order])
    new = np.r_[True, starts[order][1:] > reach[:-1]]
    cluster = np.empty(len(plan), dtype=np.int64)
    cluster[order] = np.cumsum(new) - 1
    return cluster


def plan_chunks(plan: PairPlan, panels: dict[str, CalendarPanel], spec: StudySpec, budget: int) -> list[np.ndarray]:
    """The chunks of a study: lists of pair positions (ascending), whole clusters packed in time order until
    ``budget`` bytes (:func:`bytes_per_pair` per pair) would be exceeded."""
    if not len(plan):
        return []
    capacity = max(1, budget // bytes_per_pair(spec))
    cluster = clusters(plan, panels, spec)
    sizes = np.bincount(cluster)
    chunks: list[list[int]] = [[]]
    filled = 0
    for label, size in enumerate(sizes.tolist()):
        if filled and filled + size > capacity:
            chunks.append([])
            filled = 0
        chunks[-1].append(label)
        filled += size
    chunk_of = np.empty(sizes.size, dtype=np.int64)
    for number, labels in enumerate(chunks):
        chunk_of[labels] = number
    owner = chunk_of[cluster]
    return [np.flatnonzero(owner == number) for number in range(len(chunks))]
