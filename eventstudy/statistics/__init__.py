"""Test statistics of an event study: arrays in, arrays out, every sample at once. Nothing here imports the rest of
eventstudy; each formula follows ``METHODS.md`` and cites its source.

* :mod:`~eventstudy.statistics.pair`: tests of one (event, security) pair, vectorized over pairs (t, SQ);
* :mod:`~eventstudy.statistics.samples`: one :class:`Sample`, or many over shared pairs (:class:`Membership`);
* :mod:`~eventstudy.statistics.tests`: the sample tests (:data:`TESTS`), on every sample of an event window at
  once (:func:`sample_tests`) or on one (:func:`run_tests`);
* :mod:`~eventstudy.statistics.correlation`: the residual cross-correlation of the Kolari-Pynnönen adjustment, in
  time linear in the pairs;
* :mod:`~eventstudy.statistics.placebo`: the placebo test; :mod:`~eventstudy.statistics.multiple`: BH q-values;
* beyond abnormal returns: :mod:`~eventstudy.statistics.cross_section` (OLS of CARs on characteristics, HC3 and
  clustered errors), :mod:`~eventstudy.statistics.volume` (abnormal volume), :mod:`~eventstudy.statistics.volatility`
  (abnormal volatility), :mod:`~eventstudy.statistics.bhar` (buy-and-hold abnormal returns and their tests),
  :mod:`~eventstudy.statistics.ranks` (the rank test of any daily measure).
"""

from eventstudy.statistics.base import MIN_CORRELATION_OVERLAP, MIN_ESTIMATION_DAYS, Outcomes, TestResult
from eventstudy.statistics.correlation import CorrelationSums, correlation_sums, mean_pairwise_correlation
from eventstudy.statistics.multiple import benjamini_hochberg
from eventstudy.statistics.pair import car_t_test, pair_statistics, sq_test
from eventstudy.statistics.placebo import PLACEBO, placebo_tests
from eventstudy.statistics.samples import Membership, Sample
from eventstudy.statistics.tests import (
    DEFAULT_REPLICATIONS,
    TESTS,
    SampleTest,
    WindowPartials,
    WindowSamples,
    bmp_t,
    corrado_rank,
    cross_sectional_t,
    crude_dependence_t,
    generalized_sign,
    grank,
    kolari_pynnonen_bmp,
    kolari_pynnonen_patell,
    patell_z,
    run_tests,
    sample_tests,
    sign_test,
    skewness_corrected_t,
    wilcoxon_signed_rank,
    wild_bootstrap,
    window_samples,
)

__all__ = [
    "DEFAULT_REPLICATIONS",
    "MIN_CORRELATION_OVERLAP",
    "MIN_ESTIMATION_DAYS",
    "PLACEBO",
    "TESTS",
    "CorrelationSums",
    "Membership",
    "Outcomes",
    "Sample",
    "SampleTest",
    "TestResult",
    "WindowPartials",
    "WindowSamples",
    "benjamini_hochberg",
    "bmp_t",
    "car_t_test",
    "corrado_rank",
    "correlation_sums",
    "cross_sectional_t",
    "crude_dependence_t",
    "generalized_sign",
    "grank",
    "kolari_pynnonen_bmp",
    "kolari_pynnonen_patell",
    "mean_pairwise_correlation",
    "pair_statistics",
    "patell_z",
    "placebo_tests",
    "run_tests",
    "sample_tests",
    "sign_test",
    "skewness_corrected_t",
    "sq_test",
    "wilcoxon_signed_rank",
    "wild_bootstrap",
    "window_samples",
]
