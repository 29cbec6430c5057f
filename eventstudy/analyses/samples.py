"""The rows of a table of sample tests: one row per (sample, test), samples in the order of the study's layout."""

from __future__ import annotations

from collections.abc import Mapping, Sized

import numpy as np
import pandas as pd

from eventstudy.inference import SampleLayout
from eventstudy.statistics import Outcomes

__all__ = ["TEST_COLUMNS", "stacked", "test_rows"]

Columns = dict[str, object]


def stacked(parts: list[Columns]) -> pd.DataFrame:
    """One table from parts that each give every column as an array, or as one value for all their rows: built
    once (building a table per part and concatenating them costs more than the analyses)."""

    def rows(value: object) -> int | None:
        return None if isinstance(value, str) or not isinstance(value, Sized) else len(value)

    lengths = [max((size for size in map(rows, part.values()) if size is not None), default=0) for part in parts]
    names = list(parts[0]) if parts else []
    return pd.DataFrame(
        {
            name: np.concatenate(
                [
                    np.full(length, part[name]) if rows(part[name]) is None else np.asarray(part[name])
                    for part, length in zip(parts, lengths, strict=True)
                ]
            )
            for name in names
        }
    )


#: Columns of every table of sample tests of the analyses, after the labels of its own (measure, window).
TEST_COLUMNS = ("test", "estimate", "statistic", "p_value", "n", "df", "distribution", "null", "note")


def test_rows(
    layout: SampleLayout,
    outcomes: Mapping[str, Outcomes],
    present: np.ndarray,
    estimate: np.ndarray,
    about: Mapping[str, tuple[str, str]],
    labels: Mapping[str, object],
) -> Columns:
    """The columns of one row per present sample and test, each sample's tests in the order of ``outcomes`` (for
    :func:`stacked`).

    Parameters
    ----------
    layout
        The study's samples.
    outcomes
        Test name -> its outcomes on every sample.
    present : ndarray of int
        The samples to list (those with a pair).
    estimate : ndarray, shape (S,)
        What each sample measures (mean CAV, mean ratio, mean BHAR), repeated on its rows.
    about
        Test name -> (null hypothesis, reference distribution).
    labels
        Columns of the same value on every row (window, measure...), placed after ``scope``, ``event_id``,
        ``group``.
    """
    names = list(outcomes)
    sample = np.repeat(present, len(names))
    test = np.tile(np.array(names, dtype=object), present.size)

    def column(key: str) -> np.ndarray:
        values = np.stack([getattr(outcomes[name], key) for name in names], axis=1) if names else np.empty((0, 0))
        return values[present].ravel() if names else np.array([])

    return {
        "scope": layout.scope[sample],
        "event_id": layout.event_id[sample],
        "group": layout.group[sample],
        **labels,
        "test": test,
        "estimate": estimate[sample],
        "statistic": column("statistic").astype(float),
        "p_value": column("p_value").astype(float),
        "n": column("n").astype(int),
        "df": column("df").astype(float),
        "distribution": np.array([about[name][1] for name in test], dtype=object),
        "null": np.array([about[name][0] for name in test], dtype=object),
        "note": column("note").astype(object),
    }
