"""The answer does not depend on how the work is split: chunk sizes and the Dask backend give the in-process numbers.

The reference study (``tests/data/reference``) is run whole in one chunk, in five chunks under a small memory budget
(each chunk fitted on its own slice of the panels, GRANK in a second pass), and on a local Dask cluster of two workers
reading the panels from Parquet partitions; every table must agree to 1e-12, and those of the analyses to 1e-9 (a
volatility ratio's t is a difference of near-equal numbers, which multiplies the last-digit differences of the ARs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy, EventStudyResults
from eventstudy.engine import prepare
from eventstudy.engine.chunks import bytes_per_pair, clusters, plan_chunks
from eventstudy.results import ANALYSIS_TABLES, TABLES

#: About 400 pairs per chunk: the reference study's 898 pairs fall into several chunks.
SMALL_BUDGET = 3_000_000


def assert_same_tables(first: EventStudyResults, second: EventStudyResults) -> None:
    for name in (*TABLES, *ANALYSIS_TABLES):
        a, b = getattr(first, name), getattr(second, name)
        assert list(a.columns) == list(b.columns) and len(a) == len(b), name
        tolerance = 1e-12 if name in TABLES else 1e-9
        for column in a.columns:
            if a[column].dtype.kind == "f":
                np.testing.assert_allclose(
                    b[column], a[column], rtol=tolerance, atol=tolerance, err_msg=f"{name}.{column}"
                )
            else:
                pd.testing.assert_series_equal(b[column], a[column], check_names=False, obj=f"{name}.{column}")


def test_chunks_hold_whole_clusters_and_follow_the_budget(reference_study: EventStudy) -> None:
    prepared = prepare(reference_study)
    chunks = plan_chunks(prepared.plan, prepared.panels, reference_study, SMALL_BUDGET)
    capacity = SMALL_BUDGET // bytes_per_pair(reference_study)
    cluster = clusters(prepared.plan, prepared.panels, reference_study)
    assert len(chunks) > 1 and sorted(np.concatenate(chunks).tolist()) == list(range(len(prepared.plan)))
    for chunk in chunks:
        assert len(chunk) <= capacity or len(np.unique(cluster[chunk])) == 1  # only a lone cluster may exceed it
        others = np.setdiff1d(np.arange(len(prepared.plan)), chunk)
        assert not set(cluster[chunk]) & set(cluster[others])  # no cluster split between chunks


def test_the_numbers_do_not_depend_on_the_chunk_size(
    reference_study: EventStudy, reference_results: EventStudyResults
) -> None:
    chunked = EventStudy.from_spec(reference_study, memory_budget=SMALL_BUDGET).run()
    assert_same_tables(reference_results, chunked)


def test_the_dask_backend_gives_the_in_process_numbers(
    reference_study: EventStudy, reference_results: EventStudyResults
) -> None:
    pytest.importorskip("dask.distributed")
    on_dask = EventStudy.from_spec(reference_study, backend="dask", workers=2, memory_budget=SMALL_BUDGET).run()
    assert_same_tables(reference_results, on_dask)
