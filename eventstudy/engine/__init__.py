"""The event-study engine: events + prices -> aligned returns -> model fit -> AR/CAR, as arrays over pairs.

* :mod:`~eventstudy.engine.pairs`: which (event, security) pairs a study measures, and which it skips and why;
* :mod:`~eventstudy.engine.panels`: one panel of returns per trading calendar, with benchmarks, factors and masks;
* :mod:`~eventstudy.engine.fit`: the numerical core, every pair of a panel fitted at once from prefix sums;
* :mod:`~eventstudy.engine.chunks`: the chunks of pairs fitted together, sized by a memory budget;
* :mod:`~eventstudy.engine.compute`: the steps (prepare, fit a chunk), giving :class:`ComputedPairs`;
* :mod:`~eventstudy.engine.placebo`: CARs on random pseudo-event dates;
* :mod:`~eventstudy.engine.store`: the panels as Parquet partitions, for workers of a cluster;
* :mod:`~eventstudy.engine.backends`: where chunks are computed (in this process, or on Dask);
* :mod:`~eventstudy.engine.tables`: the tidy tables of pairs and AR paths;
* :mod:`~eventstudy.engine.garch`: GARCH(1,1) fits of the pairs of a panel (``model="garch"``, the ``garch`` table);
* :mod:`~eventstudy.engine.activity`: volume, daily ranges, closes and each pair's place in its panel, for the
  analyses beyond abnormal returns.
"""

from eventstudy.engine.compute import Computation, ComputedPairs, Prepared, fit_chunk, join_pairs, prepare
from eventstudy.engine.fit import PairArrays, fit_pairs
from eventstudy.engine.pairs import PairPlan, plan_pairs
from eventstudy.engine.tables import ar_table, pairs_table

__all__ = [
    "Computation",
    "ComputedPairs",
    "PairArrays",
    "PairPlan",
    "Prepared",
    "ar_table",
    "fit_chunk",
    "fit_pairs",
    "join_pairs",
    "pairs_table",
    "plan_pairs",
    "prepare",
]
