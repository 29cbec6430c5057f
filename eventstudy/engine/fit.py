"""The numerical core of the engine: fit every (event, security) pair of one calendar panel at once.

:func:`fit_pairs` works on one calendar's panel of returns: it fits the normal-return model of every pair from
prefix sums of cross products (see :mod:`eventstudy.models`), then gathers the abnormal returns, CARs and their
prediction-error-corrected variances of all pairs with array indexing; there is no Python loop over pairs.

Windows are counted in sessions of each security's own exchange, relative to its day 0 (see
:mod:`eventstudy.calendars`): the estimation window ``(T0, T1)``, the event windows ``(tau1, tau2)`` and the AR path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import numpy as np

from eventstudy.models import Fit, NormalReturnModel, WindowMoments
from eventstudy.spec import DEFAULT_ESTIMATION_WINDOW, DEFAULT_EVENT_WINDOWS, DEFAULT_PATH_WINDOW, Window

__all__ = ["PairArrays", "assemble", "fit_pairs", "gather", "override", "scatter"]


@dataclass(frozen=True)
class PairArrays:
    """Everything computed for P pairs of one calendar, as arrays over pairs (and event-time days).

    Attributes
    ----------
    fit
        The model's estimation-window fit (:class:`eventstudy.models.Fit`).
    offsets : ndarray, shape (L,)
        Event-time days of the AR path, e.g. ``-10..10``.
    returns, benchmark, normal, ar, ar_variance : ndarray, shape (P, L)
        Security return, benchmark return, normal return, abnormal return and its prediction-error-corrected
        variance ``sigma^2 (1 + x_t' (X'X)^-1 x_t)`` on each path day (NaN where a return is missing).
    car_path, car_path_variance : ndarray, shape (P, L)
        CAR from the first path day through each day (NaN from the first missing AR on) and its variance.
    car, car_variance : ndarray, shape (P, W)
        CAR per event window (NaN if any day of the window lacks an AR) and
        ``Var(CAR) = sigma^2 (L2 + s' (X'X)^-1 s)``, ``s`` the window's summed regressors.
    window_missing : ndarray, shape (P, W)
        Days of each window without an AR.
    estimation_residuals : ndarray, shape (P, L1) or None
        Residuals on estimation days ``T0..T1`` in event time (NaN where not used), when asked for.
    rows : ndarray, shape (P, L)
        Panel rows of the path days (to look up calendar dates).
    """

    fit: Fit
    offsets: np.ndarray
    returns: np.ndarray
    benchmark: np.ndarray
    normal: np.ndarray
    ar: np.ndarray
    ar_variance: np.ndarray
    car_path: np.ndarray
    car_path_variance: np.ndarray
    car: np.ndarray
    car_variance: np.ndarray
    window_missing: np.ndarray
    estimation_residuals: np.ndarray | None
    rows: np.ndarray


def gather(values: np.ndarray, rows: np.ndarray, security: np.ndarray) -> np.ndarray:
    """``values[rows[p, t], security[p]]`` for every pair and day; rows outside the panel give NaN."""
    sessions_count, securities = values.shape
    flat = rows * securities + security[:, np.newaxis]
    inside = (rows >= 0) & (rows < sessions_count)
    if inside.all():
        return values.ravel().take(flat)
    picked = values.ravel().take(np.where(inside, flat, 0))
    picked[~inside] = np.nan
    return picked


def fit_pairs(
    returns: np.ndarray,
    market: np.ndarray,
    security: np.ndarray,
    day_zero_row: np.ndarray,
    model: NormalReturnModel,
    estimation_window: Window = DEFAULT_ESTIMATION_WINDOW,
    path_window: Window = DEFAULT_PATH_WINDOW,
    event_windows: Sequence[Window] = DEFAULT_EVENT_WINDOWS,
    factors: np.ndarray | None = None,
    usable: np.ndarray | None = None,
    with_residuals: bool = False,
    estimation_bounds: tuple[np.ndarray, np.ndarray] | None = None,
    residual_window: Window | None = None,
    extension: np.ndarray | None = None,
) -> PairArrays:
    """Fit the normal-return model and compute AR, CAR and their variances for every pair of one panel.

    Parameters
    ----------
    returns, market : ndarray, shape (D, S)
        Returns of the S securities and of each one's benchmark on the D sessions of one calendar.
    security, day_zero_row : ndarray of int, shape (P,)
        For each pair, its security's column and the row of its day 0.
    model
        The normal-return model.
    estimation_window, path_window, event_windows
        In sessions relative to day 0; every event window must lie inside the path window.
    factors : ndarray, shape (D, S, f), optional
        Extra factor series for multi-factor models.
    usable : ndarray of bool, shape (D, S), optional
        Rows allowed into estimation windows (e.g. False inside other events' windows).
    with_residuals
        Also return the estimation-window residuals (needed by the sample tests; skip for speed).
    estimation_bounds : (ndarray, ndarray) of int, shape (P,) each, optional
        Per-pair first and last estimation days relative to day 0, instead of ``estimation_window`` (used by the
        short-history fallback, whose window starts after a listing and runs to day -2).
    residual_window
        Days relative to day 0 that the residual columns span (default ``estimation_window``); a pair's residuals
        outside its own estimation window are NaN.
    extension : ndarray of int, shape (P,), optional
        Sessions added to the end of every event window of each pair (default none): for an event whose day 0 is
        uncertain over a span, day 0 is the first possible session and each window runs to ``tau2`` sessions after
        the last possible one.

    Returns
    -------
    PairArrays
    """
    first, last = estimation_window
    if estimation_bounds is None:
        estimation_bounds = (np.full(security.shape, first), np.full(security.shape, last))
    path = np.arange(path_window[0], path_window[1] + 1)
    extension = np.zeros(security.shape, dtype=np.int64) if extension is None else np.asarray(extension)
    reach = int(extension.max(initial=0))
    for tau1, tau2 in event_windows:
        if tau1 < path_window[0] or tau2 + reach > path_window[1]:
            raise ValueError(
                f"event window ({tau1}, {tau2}), extended by up to {reach} sessions, is not inside the AR path "
                f"{path_window}"
            )
    factors = np.empty((*returns.shape, 0)) if factors is None else factors
    regressors = model.regressors(market, factors)
    moments = WindowMoments(returns, regressors, usable)
    fit = model.fit_moments(
        moments.window(security, day_zero_row + estimation_bounds[0], day_zero_row + estimation_bounds[1]),
        moments.centre[security],
    )
    del moments  # the running sums are the largest arrays; free them before gathering the paths

    # The prediction design is [1, x_1, ..., x_q-1]; each regressor is gathered as its own (P, L) array.
    design = [np.ascontiguousarray(regressors[:, :, column - 1]) for column in model.prediction_columns[1:]]
    rows = day_zero_row[:, np.newaxis] + path[np.newaxis, :]
    y = gather(returns, rows, security)
    x = [gather(series, rows, security) for series in design]
    normal = _linear(fit.coefficients, x, y.shape)
    ar = y - normal
    centred = [values - fit.centre[:, column + 1, np.newaxis] for column, values in enumerate(x)]
    ar_variance = fit.sigma2[:, np.newaxis] * (1.0 + _quadratic(fit.xtx_inverse, 1.0, centred, y.shape))
    # CAR from the first path day to each day t, and its variance with the regressors summed to t.
    car_path = np.cumsum(ar, axis=1)
    days = np.arange(1, len(path) + 1, dtype=float)
    summed_to = [np.cumsum(values, axis=1) for values in centred]
    car_path_variance = fit.sigma2[:, np.newaxis] * (days + _quadratic(fit.xtx_inverse, days, summed_to, y.shape))
    del summed_to

    shape = (security.size, len(event_windows))
    cars, car_variances, missing = np.empty(shape), np.empty(shape), np.empty(shape, dtype=np.int64)
    # Pairs whose day 0 is uncertain over a span have their windows' ends moved by ``extension`` sessions.
    for added in np.unique(extension):
        chosen = np.flatnonzero(extension == added)
        for position, (tau1, tau2) in enumerate(event_windows):
            span = slice(tau1 - path_window[0], tau2 + added - path_window[0] + 1)
            length = tau2 + added - tau1 + 1
            window_ar = ar[chosen, span]
            gaps = np.isnan(window_ar).sum(axis=1)
            summed = [values[chosen, span].sum(axis=1) for values in centred]
            cars[chosen, position] = np.where(gaps > 0, np.nan, window_ar.sum(axis=1))
            quadratic = _quadratic(fit.xtx_inverse[chosen], float(length), summed, chosen.shape)
            car_variances[chosen, position] = fit.sigma2[chosen] * (length + quadratic)
            missing[chosen, position] = gaps

    del x, centred
    benchmark = gather(market, rows, security)  # gathered before the residuals: its temporaries never add to them
    residuals = None
    if with_residuals:
        residual_first, residual_last = residual_window or estimation_window
        # Rows the fit used: every regressor and the return present (none lost to a lag or lead), and ``usable``.
        used = np.isfinite(regressors).all(axis=2) & np.isfinite(returns)
        if usable is not None:
            used &= usable
        residuals = _residuals(
            returns,
            design,
            used,
            fit.coefficients,
            security,
            day_zero_row,
            np.arange(residual_first, residual_last + 1),
            estimation_bounds,
        )

    return PairArrays(
        fit=fit,
        offsets=path,
        returns=y,
        benchmark=benchmark,
        normal=normal,
        ar=ar,
        ar_variance=ar_variance,
        car_path=car_path,
        car_path_variance=car_path_variance,
        car=cars,
        car_variance=car_variances,
        window_missing=missing,
        estimation_residuals=residuals,
        rows=rows,
    )


#: Cells (pairs x days) of one block of :func:`_residuals`: each working array of a block holds this many values
#: (1 MB of float64, small enough to stay in cache), whatever the number of pairs.
RESIDUAL_BLOCK_CELLS = 1 << 17


def _residuals(
    returns: np.ndarray,
    design: list[np.ndarray],
    used: np.ndarray,
    coefficients: np.ndarray,
    security: np.ndarray,
    day_zero_row: np.ndarray,
    days: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Residuals ``y - x' b`` of every pair on ``days`` (relative to day 0), NaN where the fit did not use the row.

    Parameters
    ----------
    returns : ndarray, shape (D, S)
        Security returns.
    design : list of ndarray, shape (D, S) each
        The prediction regressors after the constant.
    used : ndarray of bool, shape (D, S)
        Rows any estimation may use (every regressor and the return present, and allowed).
    coefficients : ndarray, shape (P, q)
        Each pair's coefficients on ``[1, design...]``.
    security, day_zero_row : ndarray of int, shape (P,)
        Column and day-0 row of each pair.
    days : ndarray of int, shape (L1,)
        The residual columns, in days relative to day 0.
    bounds : (ndarray, ndarray) of int, shape (P,) each
        First and last estimation day of each pair: columns outside are NaN.

    Returns
    -------
    ndarray, shape (P, L1)
        Written block of pairs by block of pairs (:data:`RESIDUAL_BLOCK_CELLS`), so the working arrays stay the
        size of a block: only the result grows with the pairs. Each value is computed as in :func:`_linear`
        (``y - (b_0 + b_1 x_1 + ...)``), so the numbers do not depend on the block size.
    """
    sessions_count, securities = returns.shape
    flat_returns, flat_unused = returns.ravel(), np.logical_not(used).ravel()
    flat_design = [series.ravel() for series in design]
    base = day_zero_row * securities + security  # flat position of each pair's day 0
    offsets = days * securities
    out = np.empty((security.size, days.size))
    step = max(1, RESIDUAL_BLOCK_CELLS // days.size)
    # The working arrays of one block, allocated once: fresh large arrays each block would cost page faults.
    flat_buffer = np.empty((step, days.size), dtype=np.int64)
    value_buffer, drop_buffer = np.empty((step, days.size)), np.empty((step, days.size), dtype=bool)
    for start in range(0, security.size, step):
        block = slice(start, start + step)
        count = min(step, security.size - start)
        flat, values, drop = flat_buffer[:count], value_buffer[:count], drop_buffer[:count]
        np.add(base[block, np.newaxis], offsets, out=flat)
        flat_unused.take(flat, out=drop, mode="clip")  # clip: every index is inside the panel, and no buffer
        first_row, last_row = day_zero_row[block] + days[0], day_zero_row[block] + days[-1]
        if first_row.min() < 0 or last_row.max() >= sessions_count:  # rows beyond the panel: never used
            rows = day_zero_row[block, np.newaxis] + days
            outside = (rows < 0) | (rows >= sessions_count)
            flat[outside] = 0
            flat_unused.take(flat, out=drop, mode="clip")
            drop |= outside
        drop |= _outside_bounds(days, bounds[0][block], bounds[1][block])
        # b_0 + b_1 x_1 + ... in the order of _linear (b_0 + b_1 x_1 is b_1 x_1 + b_0 exactly).
        target = out[block]
        if flat_design:
            flat_design[0].take(flat, out=target, mode="clip")
            target *= coefficients[block, 1, np.newaxis]
            target += coefficients[block, 0, np.newaxis]
        else:
            target[:] = coefficients[block, :1]
        for column, series in enumerate(flat_design[1:], start=2):
            series.take(flat, out=values, mode="clip")
            values *= coefficients[block, column, np.newaxis]
            target += values
        flat_returns.take(flat, out=values, mode="clip")
        np.subtract(values, target, out=target)
        np.putmask(target, drop, np.nan)
    return out


def _outside_bounds(days: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray | bool:
    """Where ``days`` fall outside each pair's ``first..last`` (a (P, L1) mask, or False when none does)."""
    if first.max() <= days[0] and last.min() >= days[-1]:
        return False
    return (days < first[:, np.newaxis]) | (days > last[:, np.newaxis])


def _linear(coefficients: np.ndarray, x: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """``b_0 + sum_j b_j x_j`` for every pair and day (``x_j`` and the result of ``shape`` (P, L), ``b`` (P, q))."""
    total = np.empty(shape)
    total[:] = coefficients[:, :1]
    for column, values in enumerate(x, start=1):
        total += coefficients[:, column, np.newaxis] * values
    return total


def _quadratic(
    inverse: np.ndarray, constant: float | np.ndarray, vectors: list[np.ndarray], shape: tuple[int, ...]
) -> np.ndarray:
    """``v' A v`` for every pair (and day) with ``v = [constant, vectors...]`` and ``A`` of shape (P, q, q).

    Written out term by term (q is 1 to 4), which keeps the working arrays at the size of the result.
    """
    terms = [constant, *vectors]
    total = np.zeros(shape)
    for j in range(len(terms)):
        for k in range(j, len(terms)):
            weight = inverse[:, j, k] if j == k else 2.0 * inverse[:, j, k]
            total += (weight[:, np.newaxis] if len(shape) == 2 else weight) * terms[j] * terms[k]
    return total


def _padded(values: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``values`` in an array of ``shape`` (trailing dimensions at least as large), NaN where it has nothing."""
    if values.shape == shape:
        return values
    out = np.full(shape, np.nan) if values.dtype.kind == "f" else np.zeros(shape, dtype=values.dtype)
    out[tuple(slice(0, size) for size in values.shape)] = values
    return out


def _merged(first: np.ndarray, second: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``first`` with ``second`` in its ``rows`` (arrays with more trailing columns are padded with NaN)."""
    shape = (first.shape[0], *np.maximum(first.shape[1:], second.shape[1:]))
    out = _padded(first, shape).copy()
    out[rows] = _padded(second, (second.shape[0], *shape[1:]))
    return out


def override(arrays: PairArrays, other: PairArrays, rows: np.ndarray) -> PairArrays:
    """``arrays`` with the pairs at ``rows`` replaced by ``other`` (computed for those pairs only)."""
    fit = Fit(**{f.name: _merged(getattr(arrays.fit, f.name), getattr(other.fit, f.name), rows) for f in fields(Fit)})
    per_pair = {
        f.name: _merged(getattr(arrays, f.name), getattr(other, f.name), rows)
        for f in fields(PairArrays)
        if f.name not in ("fit", "offsets") and getattr(arrays, f.name) is not None
    }
    return replace(arrays, fit=fit, **per_pair)


def scatter(pieces: list[tuple[np.ndarray, np.ndarray]], count: int) -> np.ndarray:
    """Put each piece's rows at its pair positions in one array of ``count`` rows (trailing sizes may differ)."""
    shape = tuple(np.max([values.shape[1:] for _, values in pieces], axis=0).astype(int))
    first = pieces[0][1]
    out = np.full((count, *shape), np.nan) if first.dtype.kind == "f" else np.zeros((count, *shape), first.dtype)
    if first.dtype.kind == "M":
        out = np.full((count, *shape), np.datetime64("NaT"), dtype=first.dtype)
    for members, values in pieces:
        out[members] = _padded(values, (values.shape[0], *shape))
    return out


def assemble(pieces: list[tuple[np.ndarray, PairArrays]], count: int) -> PairArrays:
    """One :class:`PairArrays` of ``count`` pairs from pieces computed for the pairs at their positions."""

    def placed(name: str, of_fit: bool = False) -> np.ndarray:
        return scatter([(rows, getattr(arrays.fit if of_fit else arrays, name)) for rows, arrays in pieces], count)

    first = pieces[0][1]
    return PairArrays(
        fit=Fit(**{f.name: placed(f.name, of_fit=True) for f in fields(Fit)}),
        offsets=first.offsets,
        returns=placed("returns"),
        benchmark=placed("benchmark"),
        normal=placed("normal"),
        ar=placed("ar"),
        ar_variance=placed("ar_variance"),
        car_path=placed("car_path"),
        car_path_variance=placed("car_path_variance"),
        car=placed("car"),
        car_variance=placed("car_variance"),
        window_missing=placed("window_missing"),
        estimation_residuals=None if first.estimation_residuals is None else placed("estimation_residuals"),
        rows=placed("rows"),
    )
