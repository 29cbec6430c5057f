"""The event study as users write it: ``EventStudy(events, ...).run()``.

:class:`EventStudy` is the specification (:class:`~eventstudy.spec.StudySpec`: immutable, validated) with the method
that computes it. :meth:`EventStudy.run` is the pipeline, one named step after another:

1. the engine (:func:`eventstudy.engine.compute`): pair the events and securities, load the prices, build one
   panel of returns per calendar, fit every pair (the short-history fallback where needed), draw placebo CARs;
2. the engine's tables (:func:`eventstudy.engine.pairs_table`, :func:`eventstudy.engine.ar_table`): the pairs with
   their diagnostics, and the AR paths;
3. inference (:func:`eventstudy.inference.infer`): every test of every pair and sample, multiple testing;
4. the results (:class:`~eventstudy.results.EventStudyResults`), which only hold and present the tables.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from eventstudy.engine import ar_table, compute, pairs_table
from eventstudy.inference import infer
from eventstudy.results import EventStudyResults
from eventstudy.spec import StudySpec

__all__ = ["EventStudy"]


class EventStudy(StudySpec):
    """Specification of an event study (see :class:`~eventstudy.spec.StudySpec` for every parameter); :meth:`run`
    computes it.

    Examples
    --------
    >>> from eventstudy import Event, EventStudy
    >>> study = EventStudy([Event(id="r1", date="2025-01-20", title="DeepSeek R1")], tickers=["NVDA"])
    >>> study.event_windows[:2]
    ((0, 0), (-1, 1))
    """

    @classmethod
    def from_spec(cls, spec: StudySpec, **changes: Any) -> EventStudy:
        """The study of ``spec`` with ``changes`` (any parameter of :class:`~eventstudy.spec.StudySpec`), validated
        anew."""
        values = {field.name: getattr(spec, field.name) for field in dataclasses.fields(spec)}
        return cls(**(values | changes))

    def run(self, progress: Callable[[str], None] | None = None) -> EventStudyResults:
        """Compute the study: returns, fits, ARs, CARs and every test.

        ``progress`` is called with a short label before each step (the command line shows it).
        """
        step = progress or (lambda label: None)
        computation = compute(self, step)
        step("testing")
        pairs = pairs_table(computation)
        inference = infer(computation, pairs)
        return EventStudyResults(
            spec=self,
            pairs=pairs,
            ar=ar_table(computation, pairs),
            car=inference.car,
            tests=inference.tests,
            caar=inference.caar,
            skipped=computation.skipped,
            prices=computation.prices,
        )
