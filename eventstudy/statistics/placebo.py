"""The placebo test: an event's CAAR against the CAARs of the same securities on dates without events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from eventstudy.statistics.base import Outcomes

__all__ = ["PLACEBO", "placebo_tests"]

#: Name of the placebo test in the tests table.
PLACEBO = "placebo"


def placebo_tests(
    caar: np.ndarray, tickers: Sequence[Sequence[str] | np.ndarray], placebo: Mapping[str, np.ndarray], window: int
) -> Outcomes:
    """Placebo p-value of each sample's CAAR: its rank among the CAARs of the same securities on pseudo-event dates.

    ``p = (1 + #{|CAAR_b| >= |CAAR|}) / (B + 1)`` over the B pseudo dates where at least one member is estimable.
    The pseudo dates are shared by all securities, so the placebo distribution keeps their cross-correlation
    (the reason for this test when every security shares the event date). The statistic is the CAAR; the note says
    how many pseudo dates it was compared with.

    Parameters
    ----------
    caar : ndarray, shape (S,)
        Each sample's CAAR.
    tickers
        Each sample's securities.
    placebo
        Ticker -> its placebo CARs, array (B, W) (NaN where not estimable), from
        :func:`eventstudy.engine.placebo.placebo_cars`.
    window
        The event window's column in the placebo CARs.

    References
    ----------
    Brown, S. J., Warner, J. B. (1985). Using daily stock returns: the case of event studies. JFE 14(1), 3-31.
    """
    from scipy import sparse

    out = Outcomes(len(tickers))
    known = sorted(placebo)
    column = {ticker: position for position, ticker in enumerate(known)}
    replications = placebo[known[0]].shape[0] if known else 0
    draws = np.stack([placebo[ticker][:, window] for ticker in known]) if known else np.empty((0, 0))
    sample = [index for index, members in enumerate(tickers) for ticker in members if ticker in column]
    member = [column[ticker] for members in tickers for ticker in members if ticker in column]
    matrix = sparse.csr_matrix((np.ones(len(sample)), (sample, member)), shape=(len(tickers), len(known)))
    present = np.isfinite(draws)
    counts = matrix @ present.astype(float) if replications else np.zeros((len(tickers), 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (matrix @ np.where(present, draws, 0.0)) / counts if replications else counts
    estimable = counts > 0
    compared = estimable.sum(axis=1)
    as_large = (estimable & (np.abs(means) >= np.abs(caar)[:, np.newaxis])).sum(axis=1)
    sizes = np.array([len(members) for members in tickers])
    out.fail(compared == 0, "no pseudo-event date qualifies (placebo_replications = 0, or no clear dates)", sizes)
    out.set(caar, (1 + as_large) / (compared + 1), sizes)
    out.note[out.ok] = np.array(
        [f"CAAR against {count} pseudo-event dates" for count in compared[out.ok]], dtype=object
    )
    out.statistic[~out.ok] = caar[~out.ok]
    return out
