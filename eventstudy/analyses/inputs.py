"""What the analyses read: the study, its prepared data, its computed pairs and their table."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.engine import Computation, ComputedPairs, Prepared
from eventstudy.engine.activity import ActivityPanel, Closes, PairPlaces, activity_panels, place_pairs
from eventstudy.inference import SampleLayout, sample_layout
from eventstudy.spec import StudySpec

__all__ = ["AnalysisInputs"]


@dataclass(frozen=True)
class AnalysisInputs:
    """What the analyses read: the study, its prepared data (panels, prices, long returns), its computed pairs and
    their tidy table."""

    spec: StudySpec
    prepared: Prepared
    computation: Computation
    pairs: pd.DataFrame

    @property
    def computed(self) -> ComputedPairs:
        """The arrays of every pair (the pipeline runs the analyses only when there are pairs)."""
        assert self.computation.pairs is not None
        return self.computation.pairs

    @functools.cached_property
    def layout(self) -> SampleLayout:
        """The samples of the study's tests."""
        return sample_layout(self.pairs)

    @functools.cached_property
    def places(self) -> PairPlaces:
        """Every pair's place in its calendar's panel."""
        return place_pairs(self.prepared.plan, self.prepared.panels)

    @functools.cached_property
    def usable(self) -> dict[str, np.ndarray]:
        """Per calendar, the rows estimation windows may use (:attr:`eventstudy.engine.panels.CalendarPanel.usable`)."""
        return {calendar: panel.usable for calendar, panel in self.prepared.panels.items()}

    @functools.cached_property
    def activity(self) -> dict[str, ActivityPanel]:
        """Per calendar, the volume and daily range of the panel's securities."""
        return activity_panels(self.spec, self.prepared.panels, self.prepared.prices)

    @functools.cached_property
    def closes(self) -> Closes:
        """The adjusted closes the study read, for look-ups by ticker and date."""
        return Closes(self.prepared.prices)

    @functools.cached_property
    def stale(self) -> np.ndarray:
        """Whether each pair's security has a stale price (no trade) on each estimation and AR-path day, (P, L1 +
        Lp)."""
        panels = self.prepared.panels
        days = np.concatenate([self.estimation_days(), self.path_days()])
        return self.places.gather({calendar: panel.stale for calendar, panel in panels.items()}, days) == 1.0

    @functools.cached_property
    def usable_estimation(self) -> np.ndarray:
        """Whether each pair's estimation days may be estimated on (no listing session, no other event's path
        with ``exclude_contaminated``), (P, L1)."""
        return self.places.gather(self.usable, self.estimation_days()) == 1.0

    def dates(self, days: np.ndarray) -> np.ndarray:
        """The session dates of ``days`` (event times) of every pair, datetime64[D] (NaT outside the panel)."""
        values = {
            calendar: np.broadcast_to(
                panel.index.to_numpy().astype("datetime64[D]").astype(np.int64).astype(float)[:, np.newaxis],
                panel.returns.shape,
            )
            for calendar, panel in self.prepared.panels.items()
        }
        gathered = self.places.gather(values, days)
        missing = np.isnan(gathered)
        dates = np.where(missing, 0, gathered).astype(np.int64).astype("datetime64[D]")
        return np.where(missing, np.datetime64("NaT"), dates)

    @functools.cached_property
    def keys(self) -> dict[str, np.ndarray]:
        """The ``event_id``, ``ticker`` and ``group`` of every pair, as arrays (tables are built from dicts of
        arrays at once: inserting columns one by one is slow)."""
        return {name: self.pairs[name].to_numpy(dtype=object) for name in ("event_id", "ticker", "group")}

    def estimation_days(self) -> np.ndarray:
        """Event times of the estimation window."""
        first, last = self.spec.estimation_window
        return np.arange(first, last + 1)

    def path_days(self) -> np.ndarray:
        """Event times of the AR path."""
        first, last = self.spec.path_window
        return np.arange(first, last + 1)
