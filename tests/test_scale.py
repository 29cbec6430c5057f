"""The answer does not depend on how the work is split: chunk sizes and the Dask backend give the in-process numbers.

The reference study (``tests/data/reference``) is run whole in one chunk, in five chunks under a small memory budget
(each chunk fitted on its own slice of the panels, GRANK in a second pass), and on a local Dask cluster of two workers
reading the panels from Parquet partitions; every table must agree to 1e-12, and those of the analyses to 1e-9 (a
volatility ratio's t is a difference of near-equal numbers, which multiplies the last-digit differences of the ARs).
Within a chunk, the estimation residuals are written in blocks of pairs: they equal their definition whatever the
block size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy, EventStudyResults
from eventstudy.engine import PairArrays, fit_pairs, prepare
from eventstudy.engine import fit as fit_module
from eventstudy.engine.chunks import bytes_per_pair, clusters, plan_chunks
from eventstudy.models import ConstantMean, MarketModel, MultiFactor, NormalReturnModel, ScholesWilliams
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


@pytest.mark.parametrize("model", [MarketModel(), ScholesWilliams(), MultiFactor(1), ConstantMean()])
def test_the_residuals_equal_their_definition_whatever_the_block_size(
    model: NormalReturnModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fit_pairs`` writes the estimation residuals block of pairs by block of pairs: each block gives the residuals
    ``y - x'b`` of its pairs on the rows their fit used (NaN elsewhere), whatever the block size."""
    rng = np.random.default_rng(13)
    sessions, securities, count = 600, 5, 40
    market = rng.normal(0.0, 0.01, (sessions, securities))
    factors = rng.normal(0.0, 0.01, (sessions, securities, 1))
    returns = 0.001 + 1.1 * market + 0.4 * factors[:, :, 0] + rng.normal(0.0, 0.02, (sessions, securities))
    returns[rng.random(returns.shape) < 0.02] = np.nan
    market[rng.random(market.shape) < 0.01] = np.nan  # lost rows, and lost neighbours for lags and leads
    usable = rng.random(returns.shape) > 0.05
    returns[0], market[0], usable[0] = 0.01, 0.005, True  # the first row complete: rows before it must not read it
    security = rng.integers(0, securities, count)
    day_zero_row = rng.integers(260, sessions - 12, count)
    day_zero_row[:2] = [30, 250]  # estimation windows that begin before the panel
    first, last = rng.integers(-250, -120, count), rng.integers(-40, -2, count)  # per-pair estimation bounds
    days = np.arange(-250, -1)  # the residual window reaches past the estimation window, as with the fallback

    def fitted() -> PairArrays:
        return fit_pairs(
            returns,
            market,
            security,
            day_zero_row,
            model,
            (-250, -11),
            (-10, 10),
            ((0, 0), (-1, 1)),
            factors=factors,
            usable=usable,
            with_residuals=True,
            estimation_bounds=(first, last),
            residual_window=(int(days[0]), int(days[-1])),
        )

    whole = fitted()  # one block holds every pair
    # The definition, over every pair at once: rows inside the panel, the pair's bounds and ``usable``, with every
    # regressor and the return present.
    regressors = model.regressors(market, factors)
    rows = day_zero_row[:, np.newaxis] + days
    inside = (rows >= 0) & (rows < sessions)
    at = np.clip(rows, 0, sessions - 1), np.broadcast_to(security[:, np.newaxis], rows.shape)
    used = inside & usable[at] & np.isfinite(returns[at]) & np.isfinite(regressors[at]).all(axis=2)
    used &= (days >= first[:, np.newaxis]) & (days <= last[:, np.newaxis])
    coefficients = whole.fit.coefficients
    normal = np.broadcast_to(coefficients[:, :1], rows.shape).copy()
    for position, column in enumerate(model.prediction_columns[1:], start=1):
        normal += coefficients[:, position, np.newaxis] * regressors[at][:, :, column - 1]
    expected = np.where(used, returns[at] - normal, np.nan)
    assert whole.estimation_residuals is not None and np.isfinite(whole.estimation_residuals).sum() > 1000
    np.testing.assert_allclose(whole.estimation_residuals, expected, rtol=0, atol=1e-15)
    for cells in (days.size, 3 * days.size + 7, 11 * days.size):  # one pair per block, uneven blocks
        monkeypatch.setattr(fit_module, "RESIDUAL_BLOCK_CELLS", cells)
        np.testing.assert_array_equal(fitted().estimation_residuals, whole.estimation_residuals)
