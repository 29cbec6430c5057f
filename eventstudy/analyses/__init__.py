"""Beyond abnormal returns: to whom (cross-sectional regression), how loud (volume and volatility), how lasting
(BHAR), and GARCH. The last step of the pipeline (:mod:`eventstudy.pipeline`), after the tests of the ARs.

Each analysis reads what the study already has (the pairs and their arrays, the panels, the prices it read, the
samples of its tests) and gives tidy tables, documented column by column in :data:`eventstudy.columns.COLUMNS`:

* :mod:`~eventstudy.analyses.cross_section`: ``cross_section``;
* :mod:`~eventstudy.analyses.activity`: ``volume``, ``volume_tests``, ``volatility``, ``volatility_tests``;
* :mod:`~eventstudy.analyses.bhar`: ``bhar``, ``bhar_tests``;
* :mod:`~eventstudy.analyses.garch`: ``garch``.

Samples are the main tests' (:func:`eventstudy.inference.sample_layout`): one event's securities of one group (or
all groups), and one group across events, a security counted once per day 0.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from eventstudy.analyses.activity import volatility_tables, volume_tables
from eventstudy.analyses.bhar import bhar_tables
from eventstudy.analyses.cross_section import cross_section_tables
from eventstudy.analyses.garch import garch_tables
from eventstudy.analyses.inputs import AnalysisInputs
from eventstudy.columns import COLUMNS

__all__ = ["ANALYSIS_TABLES", "AnalysisInputs", "empty_tables", "run_analyses"]

#: The tables of the analyses, in the order they are written.
ANALYSIS_TABLES = (
    "cross_section",
    "volume",
    "volume_tests",
    "volatility",
    "volatility_tests",
    "bhar",
    "bhar_tests",
    "garch",
)

Progress = Callable[[str], None]


def empty_tables() -> dict[str, pd.DataFrame]:
    """Every analysis table, empty (a study without pairs, or an analysis not run)."""
    return {name: pd.DataFrame(columns=list(COLUMNS[name])) for name in ANALYSIS_TABLES}


def run_analyses(inputs: AnalysisInputs, progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """The tables of every analysis of ``inputs.spec.analyses`` (the others empty); ``progress`` is told each one."""
    step = progress or (lambda label: None)
    steps: dict[str, tuple[str, Callable[[AnalysisInputs], dict[str, pd.DataFrame]]]] = {
        "cross_section": ("cross-sectional regressions of CARs", cross_section_tables),
        "volume": ("abnormal volume", volume_tables),
        "volatility": ("abnormal volatility", volatility_tables),
        "bhar": ("buy-and-hold abnormal returns", bhar_tables),
        "garch": ("GARCH(1,1) ARs beside the study's", garch_tables),
    }
    tables = empty_tables()
    for name in inputs.spec.analyses:
        label, compute = steps[name]
        step(label)
        tables |= {table: frame[list(COLUMNS[table])] for table, frame in compute(inputs).items()}
    return tables
