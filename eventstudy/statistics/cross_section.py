"""Cross-sectional regression of CARs on security characteristics: to whom did the news matter?

``CAR_i = x_i' g + u_i`` over the pairs of one event (or pooled over events), with ``x_i`` the characteristics of
the pair's security: group and market dummies, the pre-event beta, the pre-event run-up, and any column of the
user's own characteristics file (:func:`read_characteristics`). The model is a patsy formula (``car ~ C(group) +
beta``, the syntax of statsmodels' formulas); its design matrix is built once for all pairs (:func:`design_matrix`)
and every regression is an OLS fit of some of its rows (:func:`ols`), so that a study's hundreds of regressions cost
one formula evaluation. Two covariance estimators are reported for every coefficient (:func:`coefficient_table`):

``HC3``
    MacKinnon & White (1985) heteroskedasticity-robust covariance,
    ``(X'X)^-1 X' diag(u_i^2 / (1 - h_ii)^2) X (X'X)^-1`` with ``h_ii`` the leverage, the small-sample choice of
    Long & Ervin (2000); Student t with ``n - k`` degrees of freedom. It is undefined when a pair has leverage 1
    (e.g. the only member of a group with its own dummy).
``cluster``
    Cluster-robust covariance by event date (pairs of one event share the day's market-wide news),
    ``c (X'X)^-1 (sum_g X_g' u_g u_g' X_g) (X'X)^-1`` with ``c = G/(G-1) (n-1)/(n-k)`` (CR1, as Stata and
    statsmodels), Student t with ``G - 1`` degrees of freedom (Cameron & Miller 2015). It needs 2 clusters or more;
    with few clusters it is biased down (Cameron, Gelbach & Miller 2008) and the note says so.

Both equal statsmodels' ``OLS(...).fit(cov_type="HC3")`` and ``cov_type="cluster"`` with ``use_t=True`` (the test
suite checks it). Rows with a missing value in any variable of the formula are left out and counted. A term whose
column is implied by the earlier ones (a group absent from an event, a market dummy that the groups already
determine) is *aliased*: it gets no coefficient (NaN) and the note names it, as R's ``lm`` does; the other
coefficients are those of the regression without it. A fit the data cannot support (no more rows than
coefficients) gives NaN with a note, never an exception.

References
----------
Cameron, A. C., Gelbach, J. B., Miller, D. L. (2008). Bootstrap-based improvements for inference with clustered
errors. Review of Economics and Statistics 90(3), 414-427.
Cameron, A. C., Miller, D. L. (2015). A practitioner's guide to cluster-robust inference. Journal of Human
Resources 50(2), 317-372.
Long, J. S., Ervin, L. H. (2000). Using heteroscedasticity consistent standard errors in the linear regression
model. The American Statistician 54(3), 217-224.
MacKinnon, J. G., White, H. (1985). Some heteroskedasticity-consistent covariance matrix estimators with improved
finite sample properties. Journal of Econometrics 29(3), 305-325.
Sefcik, S. E., Thompson, R. (1986). An approach to statistical inference in cross-sectional models with
security abnormal returns as dependent variable. Journal of Accounting Research 24(2), 316-334.
"""

from __future__ import annotations

import ast
import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "BUILT_IN_CHARACTERISTICS",
    "DEFAULT_FORMULA",
    "FEW_CLUSTERS",
    "Characteristics",
    "Design",
    "FormulaError",
    "Regression",
    "check_formula",
    "coefficient_table",
    "cross_sectional_regression",
    "design_matrix",
    "ols",
    "read_characteristics",
]

FEW_CLUSTERS = 20
"""Below this many clusters the note says that cluster-robust standard errors are biased down (Cameron, Gelbach &
Miller 2008 find over-rejection with 5 to 30 clusters)."""

BUILT_IN_CHARACTERISTICS = ("car", "ticker", "event_id", "event_date", "group", "market", "beta", "runup")
"""Columns every pair has (see :mod:`eventstudy.analyses.cross_section`); a user's characteristics file may not
reuse these names."""

DEFAULT_FORMULA = "car ~ C(group) + C(market) + beta + runup"
"""The regression of a study without a formula of its own."""

#: Names a formula may use besides the columns: patsy's functions and contrasts, and numpy.
_FORMULA_NAMES = frozenset(
    {"C", "Q", "I", "np", "center", "standardize", "scale", "Treatment", "Sum", "Diff", "Helmert", "Poly"}
)
#: A column whose residual after projection on the earlier ones is below this share of its length is aliased.
_ALIASED = 1e-10


class FormulaError(ValueError):
    """A regression formula that cannot be evaluated on the characteristics; the message says why."""


@dataclass(frozen=True, eq=False)
class Characteristics:
    """A user's characteristics of securities: one row per ticker, the ``ticker`` column first, and where they
    come from (a file, or ``"a DataFrame"``).

    Build it with :func:`read_characteristics` or :meth:`from_frame`.
    """

    frame: pd.DataFrame
    source: str

    @property
    def columns(self) -> tuple[str, ...]:
        """The characteristics (every column but ``ticker``)."""
        return tuple(name for name in self.frame.columns if name != "ticker")

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, source: str = "a DataFrame") -> Characteristics:
        """Characteristics from a DataFrame with a ``ticker`` column and one column per characteristic.

        Raises
        ------
        ValueError
            For a missing ``ticker`` column, an empty or repeated ticker, or a column named like a built-in
            characteristic (:data:`BUILT_IN_CHARACTERISTICS`).
        """
        if "ticker" not in frame.columns:
            raise ValueError(f"{source}: no 'ticker' column (columns: {list(frame.columns)})")
        clashes = [str(name) for name in frame.columns if name != "ticker" and name in BUILT_IN_CHARACTERISTICS]
        if clashes:
            raise ValueError(f"{source}: columns {clashes} are taken by built-in characteristics; rename them")
        tickers = frame["ticker"]
        if tickers.isna().any() or (tickers.astype(str).str.strip() == "").any():
            raise ValueError(f"{source}: a ticker is empty")
        repeated = sorted(set(tickers[tickers.duplicated()].astype(str)))
        if repeated:
            raise ValueError(f"{source}: tickers given more than once: {repeated}")
        ordered = frame[["ticker", *[name for name in frame.columns if name != "ticker"]]].reset_index(drop=True)
        return cls(ordered.astype({"ticker": str}), source)


def read_characteristics(path: str | Path) -> Characteristics:
    """Read a user's characteristics file: a CSV with a ``ticker`` column and one column per characteristic.

    A column whose every value is a number (or empty) becomes numeric; a column with no number stays text (a
    category for ``C(...)``); a column mixing numbers and text is an error, since it is most often a typo in a
    numeric column. Empty cells are missing values.

    Parameters
    ----------
    path : str or Path
        The CSV file (UTF-8, header on the first row).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        Naming the file, row (the header is row 1) and column: a missing ``ticker`` column, a repeated or
        built-in column name (:data:`BUILT_IN_CHARACTERISTICS`), a row with the wrong number of fields, an
        empty or repeated ticker, or text in a numeric column.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such characteristics file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{path}: the file is empty (expected a header with a 'ticker' column)")
        header = [name.strip() for name in header]
        records: list[tuple[int, list[str]]] = []
        for fields in reader:
            if not any(field.strip() for field in fields):
                continue
            if len(fields) != len(header):
                raise ValueError(f"{path}, row {reader.line_num}: {len(fields)} fields, the header has {len(header)}")
            records.append((reader.line_num, [field.strip() for field in fields]))
    if "ticker" not in header:
        raise ValueError(f"{path}, row 1: no 'ticker' column (columns: {header})")
    for position, name in enumerate(header):
        if not name:
            raise ValueError(f"{path}, row 1, column {position + 1}: empty column name")
        if header.index(name) != position:
            raise ValueError(f"{path}, row 1, column {name!r}: the name appears twice")
        if name != "ticker" and name in BUILT_IN_CHARACTERISTICS:
            raise ValueError(
                f"{path}, row 1, column {name!r}: the name is taken by a built-in characteristic "
                f"({', '.join(BUILT_IN_CHARACTERISTICS)}); rename the column"
            )
    ticker_column = header.index("ticker")
    seen: dict[str, int] = {}
    for row, fields in records:
        ticker = fields[ticker_column]
        if not ticker:
            raise ValueError(f"{path}, row {row}, column 'ticker': empty ticker")
        if ticker in seen:
            raise ValueError(f"{path}, row {row}, column 'ticker': {ticker!r} is already given in row {seen[ticker]}")
        seen[ticker] = row
    columns: dict[str, list[object]] = {"ticker": [fields[ticker_column] for _, fields in records]}
    for position, name in enumerate(header):
        if name != "ticker":
            columns[name] = _typed_column(path, name, [(row, fields[position]) for row, fields in records])
    return Characteristics(pd.DataFrame(columns), str(path))


def _typed_column(path: Path, name: str, cells: list[tuple[int, str]]) -> list[object]:
    """Numbers when every non-empty cell is one, text when none is, else an error naming the first text cell."""
    numbers: list[object] = []
    text_at: tuple[int, str] | None = None
    any_number = False
    for row, cell in cells:
        if not cell:
            numbers.append(math.nan)
            continue
        try:
            numbers.append(float(cell))
            any_number = True
        except ValueError:
            text_at = text_at or (row, cell)
            numbers.append(cell)
    if text_at is None:
        return numbers
    if any_number:
        row, cell = text_at
        raise ValueError(f"{path}, row {row}, column {name!r}: {cell!r} is not a number, unlike the rest of the column")
    return [cell if cell else None for _, cell in cells]


def _names(expression: ast.AST) -> set[str]:
    """Variable names an expression reads: names that are neither called nor the base of an attribute, and the
    texts quoted by ``Q("...")``."""
    found: set[str] = set()
    functions = {id(node.func) for node in ast.walk(expression) if isinstance(node, ast.Call)}
    bases = {id(node.value) for node in ast.walk(expression) if isinstance(node, ast.Attribute)}
    for node in ast.walk(expression):
        if isinstance(node, ast.Name) and id(node) not in functions and id(node) not in bases:
            found.add(node.id)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Q" and node.args:
            quoted = node.args[0]
            if isinstance(quoted, ast.Constant) and isinstance(quoted.value, str):
                found.add(quoted.value)
    return found


def check_formula(formula: str, columns: Iterable[str]) -> str:
    """The formula, stripped, if its response is ``car`` and every variable it reads is one of ``columns``.

    Raises
    ------
    FormulaError
        Naming what is wrong: no ``~``, another response, a syntax error, or unknown variables (with the ones
        available).
    """
    text = formula.strip()
    response, tilde, terms = text.partition("~")
    if not tilde:
        raise FormulaError(f"formula {formula!r}: expected 'car ~ terms', e.g. 'car ~ C(group) + beta'")
    if response.strip() != "car":
        raise FormulaError(f"formula {formula!r}: the response must be car (the CAR of each window), not {response!r}")
    try:
        # patsy's interaction ':' is not Python; any binary operator reads the same names.
        expression = ast.parse(terms.replace(":", "*").strip() or "1", mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"formula {formula!r}: {exc.msg}") from None
    available = set(columns)
    unknown = sorted(_names(expression) - available - _FORMULA_NAMES)
    if unknown:
        raise FormulaError(
            f"formula {formula!r}: unknown characteristics {unknown}; available: {', '.join(sorted(available))}"
        )
    return text


@dataclass(frozen=True)
class Design:
    """The design matrix of a formula's right-hand side for every row of the data.

    Attributes
    ----------
    formula
        The formula.
    terms : tuple of str
        Column names, patsy's (``Intercept``, ``C(group)[T.HK semiconductors]``, ``beta``).
    matrix : ndarray, shape (N, k)
        One row per row of the data; NaN where a variable of the formula is missing.
    """

    formula: str
    terms: tuple[str, ...]
    matrix: np.ndarray

    @property
    def complete(self) -> np.ndarray:
        """Rows with every variable of the formula."""
        return np.isfinite(self.matrix).all(axis=1)


def design_matrix(data: pd.DataFrame, formula: str) -> Design:
    """The right-hand side of ``formula`` (``car ~ ...``) evaluated by patsy on every row of ``data``.

    Categories take their levels from all of ``data`` (the first in sorted order is the reference), so every
    regression on a subset of the rows reports the same terms.

    Raises
    ------
    FormulaError
        If patsy cannot evaluate the formula on ``data`` (the message is patsy's).
    """
    from patsy import ModelDesc, PatsyError, dmatrix

    try:
        description = ModelDesc.from_formula(formula)
        design = dmatrix(ModelDesc([], description.rhs_termlist), data, NA_action="drop", return_type="dataframe")
    except PatsyError as exc:
        raise FormulaError(f"formula {formula!r} cannot be evaluated on the characteristics: {exc}") from None
    matrix = design.reindex(data.index).to_numpy(dtype=float)
    return Design(formula, tuple(str(name) for name in design.columns), matrix)


@dataclass(frozen=True)
class Regression:
    """One OLS regression of CARs on a design.

    Attributes
    ----------
    terms : tuple of str
        The design's columns.
    coefficients : ndarray, shape (k,)
        OLS estimates; NaN for aliased terms and when the fit is not computable.
    covariances : dict of str to ndarray of shape (k, k) or None
        ``"HC3"`` and, with clusters, ``"cluster"``; None where not computable (NaN rows and columns for aliased
        terms).
    df : dict of str to float
        Degrees of freedom of each covariance's Student t.
    n, dropped : int
        Rows used, and rows left out for a missing value.
    clusters : int or None
        Clusters among the rows used (None without a cluster variable).
    r_squared, adj_r_squared : float
        Fit of the regression (NaN when not computable).
    note : str
        Aliased terms, why something could not be computed, or a caveat (few clusters); empty otherwise.
    """

    terms: tuple[str, ...]
    coefficients: np.ndarray
    covariances: dict[str, np.ndarray | None]
    df: dict[str, float]
    n: int
    dropped: int
    clusters: int | None
    r_squared: float
    adj_r_squared: float
    note: str = ""


def _independent_columns(x: np.ndarray) -> np.ndarray:
    """Columns not implied by the earlier ones: each column's residual on an orthonormal basis of the kept ones
    (Gram-Schmidt, orthogonalized twice for accuracy) is not numerically zero."""
    kept: list[int] = []
    basis = np.empty((x.shape[0], 0))
    for column in range(x.shape[1]):
        values = x[:, column]
        size = np.linalg.norm(values)
        residual = values - basis @ (basis.T @ values)
        residual -= basis @ (basis.T @ residual)
        length = np.linalg.norm(residual)
        if size == 0 or length <= _ALIASED * size:
            continue
        kept.append(column)
        basis = np.column_stack([basis, residual / length])
    return np.array(kept, dtype=int)


def ols(car: np.ndarray, design: Design, rows: np.ndarray, clusters: np.ndarray | None = None) -> Regression:
    """OLS of ``car`` on the design's ``rows`` with HC3 and (given ``clusters``) CR1 covariances.

    Parameters
    ----------
    car : ndarray, shape (N,)
        The response of every row of the design (NaN: left out).
    design
        The design (:func:`design_matrix`).
    rows : ndarray of bool, shape (N,)
        The rows of this regression (an event's pairs, or all).
    clusters : ndarray, shape (N,), optional
        Cluster label of every row (the event date); rows without one are left out.

    Returns
    -------
    Regression
        See the module docstring for the formulas and what is NaN when.
    """
    car = np.asarray(car, dtype=float)
    chosen = rows & np.isfinite(car)
    used = chosen & design.complete
    if clusters is not None:
        used &= pd.notna(clusters)
    y, x = car[used], design.matrix[used]
    n, k = x.shape
    terms = design.terms
    nothing = np.full(k, np.nan)
    names = ["HC3", *(["cluster"] if clusters is not None else [])]
    labels = None if clusters is None else pd.factorize(np.asarray(clusters, dtype=object)[used])[0]
    groups = None if labels is None else int(labels.max(initial=-1) + 1)

    def failed(note: str) -> Regression:
        empty = dict.fromkeys(names)
        return Regression(terms, nothing, empty, {}, n, int(chosen.sum()) - n, groups, np.nan, np.nan, note)

    free = _independent_columns(x)
    notes = []
    aliased = [terms[column] for column in range(k) if column not in set(free.tolist())]
    if aliased:
        notes.append(f"aliased (implied by the other terms, or absent): {', '.join(aliased)}")
    if n <= free.size:
        return failed("; ".join([*notes, f"needs more rows than the {free.size} coefficients, got {n}"]))
    kept = x[:, free]
    bread = np.linalg.inv(kept.T @ kept)
    estimate = bread @ kept.T @ y
    residuals = y - kept @ estimate
    dof = n - free.size
    covariances: dict[str, np.ndarray | None] = {}
    leverage = np.einsum("ij,jk,ik->i", kept, bread, kept)
    if np.any(leverage > 1 - 1e-10):
        notes.append(f"HC3 is undefined: leverage 1 at {int(np.sum(leverage > 1 - 1e-10))} row(s) (a group of one)")
        covariances["HC3"] = None
    else:
        scaled = kept * (residuals / (1 - leverage))[:, np.newaxis]
        covariances["HC3"] = bread @ (scaled.T @ scaled) @ bread
    df = {"HC3": float(dof)}
    if labels is not None and groups is not None:
        if groups < 2:
            notes.append(f"cluster-robust errors need 2 event dates or more, got {groups}")
            covariances["cluster"] = None
        else:
            scores = np.zeros((groups, free.size))
            np.add.at(scores, labels, kept * residuals[:, np.newaxis])
            correction = groups / (groups - 1) * (n - 1) / dof
            covariances["cluster"] = correction * bread @ (scores.T @ scores) @ bread
            df["cluster"] = float(groups - 1)
            if groups < FEW_CLUSTERS:
                notes.append(
                    f"only {groups} event dates: cluster-robust standard errors are biased down with few clusters "
                    f"(Cameron, Gelbach & Miller 2008); t with {groups - 1} df"
                )
    total = float(np.sum((y - y.mean()) ** 2))
    r_squared = 1 - float(residuals @ residuals) / total if total > 0 else np.nan
    coefficients = nothing.copy()
    coefficients[free] = estimate
    full: dict[str, np.ndarray | None] = {}
    for name, covariance in covariances.items():
        if covariance is None:
            full[name] = None
            continue
        placed = np.full((k, k), np.nan)
        placed[np.ix_(free, free)] = covariance
        full[name] = placed
    return Regression(
        terms=terms,
        coefficients=coefficients,
        covariances=full,
        df=df,
        n=n,
        dropped=int(chosen.sum()) - n,
        clusters=groups,
        r_squared=r_squared,
        adj_r_squared=1 - (1 - r_squared) * (n - 1) / dof,
        note="; ".join(notes),
    )


def coefficient_table(regressions: Sequence[Regression], level: float = 0.95) -> pd.DataFrame:
    """The coefficients of several regressions, one row per regression, covariance type and term.

    Returns
    -------
    DataFrame
        ``regression`` (position in ``regressions``), ``term``, ``cov_type`` (``"HC3"``, then ``"cluster"`` when
        the regression has clusters), ``coef``, ``se``, ``t``, ``df``, ``p_value`` (two-sided, Student t with
        ``df``), ``ci_low`` and ``ci_high`` (``coef +- t_{df,(1+level)/2} se``); NaN where not computable.
    """
    from scipy import stats

    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    parts: dict[str, list[np.ndarray]] = {key: [] for key in ("regression", "term", "cov_type", "coef", "se", "df")}
    for position, regression in enumerate(regressions):
        k = len(regression.terms)
        for name, covariance in regression.covariances.items():
            parts["regression"].append(np.full(k, position))
            parts["term"].append(np.array(regression.terms, dtype=object))
            parts["cov_type"].append(np.full(k, name, dtype=object))
            parts["coef"].append(regression.coefficients)
            if covariance is None:
                parts["se"].append(np.full(k, np.nan))
                parts["df"].append(np.full(k, np.nan))
            else:
                parts["se"].append(np.sqrt(np.clip(np.diag(covariance), 0.0, None)))
                parts["df"].append(np.full(k, regression.df[name]))
    columns = {key: np.concatenate(values) if values else np.array([]) for key, values in parts.items()}
    coef, se, df = (columns[key].astype(float) for key in ("coef", "se", "df"))
    valid = df > 0
    safe = np.where(valid, df, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = coef / se
        half = np.where(valid, stats.t.ppf((1 + level) / 2, safe), np.nan) * se
    return pd.DataFrame(
        {
            "regression": columns["regression"].astype(int),
            "term": columns["term"],
            "cov_type": columns["cov_type"],
            "coef": coef,
            "se": se,
            "t": t,
            "df": df,
            "p_value": np.where(valid, 2.0 * stats.t.sf(np.abs(t), safe), np.nan),
            "ci_low": coef - half,
            "ci_high": coef + half,
        }
    )


def cross_sectional_regression(data: pd.DataFrame, formula: str, *, cluster: str | None = None) -> Regression:
    """One regression of ``formula`` on all rows of ``data`` (the CAR in its ``car`` column), with HC3 and, given
    ``cluster`` (a column, e.g. the event date), cluster-robust covariances.

    Raises
    ------
    FormulaError
        If the formula reads something ``data`` does not have.
    ValueError
        If ``cluster`` is not a column of ``data``.
    """
    check_formula(formula, data.columns)
    if cluster is not None and cluster not in data.columns:
        raise ValueError(f"cluster column {cluster!r} is not in the data (columns: {list(data.columns)})")
    design = design_matrix(data, formula)
    clusters = None if cluster is None else data[cluster].to_numpy(dtype=object)
    return ols(data["car"].to_numpy(dtype=float), design, np.ones(len(data), dtype=bool), clusters)
