"""Abnormal trading volume (Campbell & Wasley 1996), vectorized over (event, security) pairs.

Daily volume is strongly right-skewed, so it is measured in logs: ``v_it = log(100 n_it / S_it + c)``, the log of
the percentage of shares outstanding traded (turnover) when the shares outstanding ``S_it`` are known, else
``v_it = log(n_it + c)`` with ``n_it`` the shares traded. The constant ``c = 0.000255`` (:data:`VOLUME_CONSTANT`)
is the one Campbell & Wasley take from Cready & Ramanan (1991) to keep days of zero turnover finite. With constant
shares outstanding the two measures differ by the constant ``log(100 / S_i)`` only (``c`` is negligible against
share volumes of thousands), which the market model's intercept absorbs: turnover matters only when shares
outstanding change inside the windows.

Normal volume is a market model of log volume, ``v_it = a_i + b_i v_mt + e_it``, fitted by OLS on the estimation
window, and the abnormal volume is ``AV_it = v_it - a_i - b_i v_mt``, a log ratio (``AV = 0.69`` is twice the
normal volume). ``v_mt`` is the log volume of the security's benchmark when it has volume, else
(:func:`sample_market_log_volume`) the equally weighted mean log volume of the other securities of the same market
on that date, each security's series first centred on its own mean so that securities entering or leaving the
sample (listings, missing days) do not shift the index.

Missing-data honesty: a stale day (zero volume and an unchanged close, :func:`eventstudy.returns.stale_sessions`)
and a day without a volume figure are not observations (NaN), in the estimation window as in the event window. A
cumulative abnormal volume sums the observed days only and says how many there were.

The abnormal volumes take the place of abnormal returns in the sample tests of :mod:`eventstudy.statistics.tests`
(:meth:`AbnormalVolume.sample` for one sample; :func:`eventstudy.statistics.window_samples` with
``tests=VOLUME_TESTS`` for many): :data:`VOLUME_TESTS` are the portfolio time-series t with
the Brown & Warner crude dependence adjustment (Campbell & Wasley's parametric test) and the standardized
cross-sectional t on the standardized cumulative abnormal volumes (BMP); the rank test Campbell & Wasley found the
better specified is :func:`eventstudy.statistics.ranks.rank_test` on the daily abnormal volumes.

References
----------
Ajinkya, B. B., Jain, P. C. (1989). The behavior of daily stock market trading volume. Journal of Accounting and
Economics 11(4), 331-359.
Campbell, C. J., Wasley, C. E. (1996). Measuring abnormal daily trading volume for samples of NYSE/ASE and NASDAQ
securities using parametric and nonparametric test statistics. Review of Quantitative Finance and Accounting 6(3),
309-326.
Cready, W. M., Ramanan, R. (1991). The power of tests employing log-transformed volume in detecting abnormal
trading. Journal of Accounting and Economics 14(2), 203-214.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.statistics.samples import Sample

__all__ = [
    "VOLUME_CONSTANT",
    "VOLUME_TESTS",
    "AbnormalVolume",
    "abnormal_volume",
    "log_volume",
    "sample_market_log_volume",
]

VOLUME_CONSTANT = 0.000255
"""Campbell & Wasley's (1996) constant added to the percentage turnover before the log (after Cready & Ramanan
1991), so that a day of zero turnover has a finite log volume."""

VOLUME_TESTS = ("crude_dependence_t", "bmp_t")
"""Sample tests of cumulative abnormal volume from :data:`eventstudy.statistics.TESTS` (see the module docstring);
they ignore, or (crude dependence) absorb, the cross-correlation of pairs sharing an event date without the
Kolari-Pynnönen estimate of it, whose cost grows with the samples."""

Window = tuple[int, int]


# --------------------------------------------------------------------------------------------------------------
# Log volume and the market's log volume


def log_volume(volume: np.ndarray, *, shares: np.ndarray | None = None, stale: np.ndarray | None = None) -> np.ndarray:
    """Campbell & Wasley (1996) log volume, ``log(100 n / S + c)`` or ``log(n + c)``, NaN where not observed.

    Parameters
    ----------
    volume : array_like, shape (P, L)
        Shares traded per day, NaN where unknown.
    shares : array_like, broadcastable to (P, L), optional
        Shares outstanding. Where given (finite and positive) the measure is log percentage turnover; elsewhere
        log volume (see the module docstring for why this only moves the intercept).
    stale : array_like of bool, shape (P, L), optional
        Stale days (zero volume and an unchanged close); they are not observations.

    Returns
    -------
    ndarray, shape (P, L)
        NaN where the volume is missing or negative, or the day is stale.

    References
    ----------
    Campbell, C. J., Wasley, C. E. (1996). Review of Quantitative Finance and Accounting 6(3), 309-326.
    """
    volume = np.asarray(volume, dtype=float)
    measure = volume
    if shares is not None:
        shares = np.broadcast_to(np.asarray(shares, dtype=float), volume.shape)
        known = np.isfinite(shares) & (shares > 0)
        measure = np.where(known, 100.0 * volume / np.where(known, shares, 1.0), volume)
    observed = np.isfinite(measure) & (measure >= 0)
    if stale is not None:
        observed &= ~np.asarray(stale, dtype=bool)
    return np.where(observed, np.log(np.where(observed, measure, 0.0) + VOLUME_CONSTANT), np.nan)


def sample_market_log_volume(
    log_volumes: np.ndarray, dates: np.ndarray, security: np.ndarray, market: np.ndarray
) -> np.ndarray:
    """Market log volume from the sample itself, for benchmarks that have no volume (e.g. ^HSI on some sources).

    On each calendar date and market, ``v_mt`` for pair ``i`` is the equally weighted mean of the log volumes of
    the *other* securities of that market observed on that date, each security's log volume first centred on
    its own mean over all the dates given::

        v_mt(i) = mean_{j != security(i), market(j) = market(i)} (v_jt - mean_t v_j).

    Leaving the security out keeps its own event-day volume out of its benchmark (with 10 securities, 1/10 of
    its shock would otherwise be explained away); centring keeps the index level unchanged when the set of
    securities with data changes (a listing, a stale day), and the intercept of the market model absorbs the
    centring. A security that appears in several pairs counts once per date.

    Parameters
    ----------
    log_volumes : array_like, shape (P, L)
        Log volume of each pair's security (:func:`log_volume`), estimation and event days together or any
        window, NaN where not observed.
    dates : array_like of datetime64, shape (P, L)
        Calendar date of each cell; NaT where padded.
    security, market : array_like, shape (P,)
        Security of each pair and the market it trades in (e.g. its exchange or calendar).

    Returns
    -------
    ndarray, shape (P, L)
        NaN on dates where no other security of the market has a volume.
    """
    values = np.asarray(log_volumes, dtype=float)
    dates = np.asarray(dates, dtype="datetime64[D]")
    rows, columns = values.shape
    cells = pd.DataFrame(
        {
            "security": np.repeat(np.asarray(security), columns),
            "market": np.repeat(np.asarray(market), columns),
            "date": dates.ravel(),
            "v": values.ravel(),
        }
    )
    observed = cells.dropna(subset=["date", "v"]).drop_duplicates(["security", "date"])
    centred = observed["v"] - observed.groupby("security")["v"].transform("mean")
    observed = observed.assign(centred=centred)
    totals = observed.groupby(["market", "date"])["centred"].agg(["sum", "count"])
    own = cells.merge(observed[["security", "date", "centred"]], on=["security", "date"], how="left")
    both = own.join(totals, on=["market", "date"])
    own_value = both["centred"].to_numpy()
    own_seen = np.isfinite(own_value)
    others = both["count"].fillna(0).to_numpy() - own_seen
    others_sum = both["sum"].fillna(0.0).to_numpy() - np.where(own_seen, own_value, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        market_volume = np.where(others > 0, others_sum / others, np.nan)
    return market_volume.reshape(rows, columns)


# --------------------------------------------------------------------------------------------------------------
# Market model of log volume


def _window_columns(window: Window, event_start: int, length: int) -> slice:
    first, last = window
    if first > last or first < event_start or last >= event_start + length:
        raise ValueError(
            f"window {window} is not inside the event-window columns {event_start}..{event_start + length - 1}"
        )
    return slice(first - event_start, last - event_start + 1)


@dataclass(frozen=True)
class AbnormalVolume:
    """Abnormal log volume of P pairs from the market model ``v_it = a_i + b_i v_mt + e_it``.

    Attributes
    ----------
    intercept, slope : ndarray, shape (P,)
        OLS coefficients ``a_i``, ``b_i`` on the estimation window (NaN where not estimable).
    sigma2 : ndarray, shape (P,)
        Residual variance ``SSE / (L1_i - 2)``.
    dof : ndarray, shape (P,)
        ``L1_i - 2``.
    observations : ndarray, shape (P,)
        Estimation days with both log volumes observed, ``L1_i``.
    estimation_av : ndarray, shape (P, L1)
        Estimation-window residuals in event time, NaN where not observed.
    event_av : ndarray, shape (P, L2)
        Abnormal log volume ``AV_it`` in the event window, NaN where not observed.
    event_variance : ndarray, shape (P, L2)
        Prediction-error variance ``sigma_i^2 (1 + 1/L1_i + (v_mt - vbar_m)^2 / sum_est (v_ms - vbar_m)^2)``.
    event_market : ndarray, shape (P, L2)
        Centred market log volume ``v_mt - vbar_m`` of the event days (for multi-day variances).
    market_ss : ndarray, shape (P,)
        ``sum_est (v_ms - vbar_m)^2``.
    event_start : int
        Event time of the first event-window column (e.g. -10).

    Notes
    -----
    Log volume is autocorrelated even after the market model, so ``Var(CAV)`` summed over days as if the
    residuals were independent understates the variance of a multi-day window; the portfolio time-series t and
    the rank test do not rely on it.
    """

    intercept: np.ndarray
    slope: np.ndarray
    sigma2: np.ndarray
    dof: np.ndarray
    observations: np.ndarray
    estimation_av: np.ndarray
    event_av: np.ndarray
    event_variance: np.ndarray
    event_market: np.ndarray
    market_ss: np.ndarray
    event_start: int

    @property
    def standardized(self) -> np.ndarray:
        """Standardized abnormal volume ``SAV_it = AV_it / sqrt(Var(AV_it))``, shape (P, L2)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.event_av / np.sqrt(self.event_variance)

    def cumulative(
        self, window: Window, extension: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cumulative abnormal volume over ``window = (tau1, tau2)`` in event time, on the observed days.

        ``CAV_i = sum_{t in W_i} AV_it`` over the set ``W_i`` of observed days, with the market-model variance
        ``sigma_i^2 (|W_i| + |W_i|^2 / L1_i + (sum_{t in W_i} (v_mt - vbar_m))^2 / sum_est (v_ms - vbar_m)^2)``
        (MacKinlay 1997, applied to log volume). ``extension`` (one per pair) moves each pair's window end by as
        many days (an event known only to a span of time).

        Returns
        -------
        cav, variance : ndarray, shape (P,)
            NaN for a pair with no observed day in the window.
        days : ndarray of int, shape (P,)
            ``|W_i|``.
        """
        reach = 0 if extension is None else int(np.max(extension, initial=0))
        columns = _window_columns((window[0], window[1] + reach), self.event_start, self.event_av.shape[1])
        av = self.event_av[:, columns]
        if extension is not None:
            own = np.arange(av.shape[1])[np.newaxis, :] <= (window[1] - window[0] + extension)[:, np.newaxis]
            av = np.where(own, av, np.nan)
        seen = ~np.isnan(av)
        days = seen.sum(axis=1)
        market_sum = np.sum(np.where(seen, self.event_market[:, columns], 0.0), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            variance = self.sigma2 * (days + days**2 / self.observations + market_sum**2 / self.market_ss)
        has = days > 0
        return np.where(has, np.nansum(av, axis=1), np.nan), np.where(has, variance, np.nan), days

    def sample(
        self,
        window: Window,
        *,
        estimation_dates: np.ndarray,
        event_dates: np.ndarray,
        event_id: np.ndarray | None = None,
        security_id: np.ndarray | None = None,
    ) -> Sample:
        """The pairs as a :class:`~eventstudy.statistics.Sample` of abnormal volumes over ``window``.

        ``car`` is the CAV, ``car_variance`` its variance, ``event_ar`` the window's AVs and ``estimation_ar`` the
        estimation residuals, so that :func:`eventstudy.statistics.run_tests` and
        :func:`eventstudy.statistics.pair_statistics` test abnormal volume exactly as they test abnormal
        returns. Select pairs with :meth:`Sample.select`.

        Parameters
        ----------
        window : (int, int)
            ``(tau1, tau2)`` in event time.
        estimation_dates : array_like of datetime64, shape (P, L1)
            Calendar dates of the estimation columns (the Kolari-Pynnönen correlation aligns on them).
        event_dates : array_like of datetime64, shape (P, L2)
            Calendar dates of all the event-window columns.
        event_id, security_id : array_like, shape (P,), optional
            Keys of the pairs.
        """
        columns = _window_columns(window, self.event_start, self.event_av.shape[1])
        cav, variance, _ = self.cumulative(window)
        return Sample(
            car=cav,
            car_variance=variance,
            event_ar=self.event_av[:, columns],
            estimation_ar=self.estimation_av,
            estimation_dates=estimation_dates,
            event_dates=np.asarray(event_dates)[:, columns],
            dof=self.dof,
            sigma=np.sqrt(self.sigma2),
            event_id=event_id,
            security_id=security_id,
        )


def abnormal_volume(
    estimation_volume: np.ndarray,
    estimation_market: np.ndarray,
    event_volume: np.ndarray,
    event_market: np.ndarray,
    *,
    event_start: int = -10,
) -> AbnormalVolume:
    """Fit the market model of log volume on the estimation window and compute the abnormal volumes.

    For each pair, OLS of ``v_it`` on ``[1, v_mt]`` over the estimation days where both are observed; then
    ``AV_it = v_it - a_i - b_i v_mt`` on every event day where both are observed (Campbell & Wasley 1996, eq. 2;
    Ajinkya & Jain 1989). Vectorized: the fit of all pairs is a handful of masked sums.

    Parameters
    ----------
    estimation_volume, estimation_market : array_like, shape (P, L1)
        Log volume of the security (:func:`log_volume`) and of the market (the benchmark's, or
        :func:`sample_market_log_volume`) on the estimation days, in event time; NaN where not observed.
    event_volume, event_market : array_like, shape (P, L2)
        The same on the event-window days.
    event_start : int
        Event time of the first event column.

    Returns
    -------
    AbnormalVolume
        A pair with fewer than 3 estimation days or a market log volume that does not vary gets NaN
        coefficients and abnormal volumes.

    References
    ----------
    Campbell, C. J., Wasley, C. E. (1996). Review of Quantitative Finance and Accounting 6(3), 309-326.
    MacKinlay, A. C. (1997). Event studies in economics and finance. Journal of Economic Literature 35, 13-39.
    """
    y, x, y_event, x_event = (
        np.asarray(a, dtype=float) for a in (estimation_volume, estimation_market, event_volume, event_market)
    )
    if y.shape != x.shape or y_event.shape != x_event.shape or y.shape[0] != y_event.shape[0]:
        raise ValueError(
            f"estimation arrays {y.shape}, {x.shape} and event arrays {y_event.shape}, {x_event.shape} must have "
            "matching shapes (P, L1) and (P, L2)"
        )
    seen = np.isfinite(y) & np.isfinite(x)
    n = seen.sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        x_mean = np.where(seen, x, 0.0).sum(axis=1) / n
        y_mean = np.where(seen, y, 0.0).sum(axis=1) / n
        dx = np.where(seen, x - x_mean[:, None], 0.0)
        dy = np.where(seen, y - y_mean[:, None], 0.0)
        sxx = np.sum(dx * dx, axis=1)
        estimable = (n >= 3) & (sxx > 0)
        slope = np.where(estimable, np.sum(dx * dy, axis=1) / sxx, np.nan)
        intercept = y_mean - slope * x_mean
        residuals = np.where(seen, y - intercept[:, None] - slope[:, None] * x, np.nan)
        dof = np.where(estimable, n - 2, np.nan)
        sigma2 = np.nansum(residuals**2, axis=1) / dof
        event_av = y_event - intercept[:, None] - slope[:, None] * x_event
        event_centred = x_event - x_mean[:, None]
        event_variance = sigma2[:, None] * (1 + 1 / n[:, None] + event_centred**2 / sxx[:, None])
    return AbnormalVolume(
        intercept=intercept,
        slope=slope,
        sigma2=sigma2,
        dof=dof,
        observations=n.astype(int),
        estimation_av=residuals,
        event_av=event_av,
        event_variance=np.where(np.isnan(event_av), np.nan, event_variance),
        event_market=event_centred,
        market_ss=np.where(estimable, sxx, np.nan),
        event_start=event_start,
    )
