"""The event study as users write it: ``EventStudy(events, ...).run()``.

:class:`EventStudy` is the specification (:class:`~eventstudy.spec.StudySpec`: immutable, validated) with the method
that computes it; :meth:`EventStudy.run` runs the pipeline of :mod:`eventstudy.pipeline` (prepare, chunk, fit and
summarize, test) and returns the :class:`~eventstudy.results.EventStudyResults`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventstudy.pipeline import run_study
from eventstudy.results import EventStudyResults
from eventstudy.spec import StudySpec, spec_values

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
        return cls(**(spec_values(spec) | changes))

    def run(self, progress: Callable[[str], None] | None = None) -> EventStudyResults:
        """Compute the study: returns, fits, ARs, CARs and every test.

        ``progress`` is called with a short label before each step (the command line shows it).
        """
        return run_study(self, progress)
