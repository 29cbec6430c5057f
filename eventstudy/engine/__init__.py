"""The event-study engine: events + prices -> aligned returns -> model fit -> AR/CAR, as arrays over pairs.

* :mod:`~eventstudy.engine.pairs`: which (event, security) pairs a study measures, and which it skips and why;
* :mod:`~eventstudy.engine.panels`: one panel of returns per trading calendar, with benchmarks, factors and masks;
* :mod:`~eventstudy.engine.fit`: the numerical core, every pair of a panel fitted at once from prefix sums;
* :mod:`~eventstudy.engine.placebo`: CARs on random pseudo-event dates;
* :mod:`~eventstudy.engine.compute`: the steps in order, giving a :class:`Computation`;
* :mod:`~eventstudy.engine.tables`: the tidy tables of pairs and AR paths.
"""

from eventstudy.engine.compute import Computation, ComputedPairs, compute
from eventstudy.engine.fit import PairArrays, fit_pairs
from eventstudy.engine.pairs import PairPlan, plan_pairs
from eventstudy.engine.tables import ar_table, pairs_table

__all__ = [
    "Computation",
    "ComputedPairs",
    "PairArrays",
    "PairPlan",
    "ar_table",
    "compute",
    "fit_pairs",
    "pairs_table",
    "plan_pairs",
]
