"""Cross-sectional regression of CARs: injected coefficients recovered, HC3 and clustered sandwiches by hand and
against statsmodels, aliased terms, one design for many regressions, and the characteristics file and formulas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.statistics.cross_section import (
    Characteristics,
    FormulaError,
    check_formula,
    coefficient_table,
    cross_sectional_regression,
    design_matrix,
    ols,
    read_characteristics,
)

GROUP_EFFECTS = {"chips": 0.0, "software": 0.08, "models": 0.15}


def synthetic_pairs(n: int, seed: int, *, events: int = 6, noise: float = 0.02) -> pd.DataFrame:
    """CAR = -0.06 + group effect + 0.03 beta - 0.2 runup + event shock + heteroskedastic noise."""
    rng = np.random.default_rng(seed)
    group = rng.choice(list(GROUP_EFFECTS), n)
    event_date = rng.choice(pd.date_range("2025-01-27", periods=events, freq="7D").strftime("%Y-%m-%d"), n)
    beta = rng.normal(1.2, 0.4, n)
    runup = rng.normal(0.0, 0.1, n)
    shock = pd.Series(rng.normal(0, 0.01, events), index=np.unique(event_date)).reindex(event_date).to_numpy()
    car = (
        -0.06
        + np.vectorize(GROUP_EFFECTS.get)(group)
        + 0.03 * beta
        - 0.2 * runup
        + shock
        + rng.normal(0, noise, n) * (1 + (group == "models"))
    )
    return pd.DataFrame({"car": car, "group": group, "beta": beta, "runup": runup, "event_date": event_date})


def hand_design(data: pd.DataFrame) -> np.ndarray:
    """The design of ``car ~ C(group) + beta`` built by hand, in patsy's column order (chips is the reference)."""
    return np.column_stack(
        [
            np.ones(len(data)),
            (data["group"] == "models").to_numpy(float),
            (data["group"] == "software").to_numpy(float),
            data["beta"].to_numpy(),
        ]
    )


def test_injected_coefficients_are_recovered() -> None:
    data = synthetic_pairs(3000, seed=0)
    result = cross_sectional_regression(data, "car ~ C(group) + beta + runup", cluster="event_date")
    table = coefficient_table([result])
    hc3 = table[table["cov_type"] == "HC3"].set_index("term")
    truth = {"C(group)[T.models]": 0.15, "C(group)[T.software]": 0.08, "beta": 0.03, "runup": -0.2}
    for term, value in truth.items():
        assert abs(hc3.loc[term, "coef"] - value) < 4 * hc3.loc[term, "se"]
        assert hc3.loc[term, "ci_low"] < value < hc3.loc[term, "ci_high"]
    assert hc3.loc["C(group)[T.models]", "p_value"] < 1e-10
    assert result.n == 3000 and result.dropped == 0 and len(result.terms) == 5 and result.clusters == 6


def test_hc3_and_cluster_standard_errors_equal_the_hand_computed_sandwich() -> None:
    data = synthetic_pairs(80, seed=1, events=5)
    result = cross_sectional_regression(data, "car ~ C(group) + beta", cluster="event_date")
    x = hand_design(data)
    y = data["car"].to_numpy()
    n, k = x.shape
    bread = np.linalg.inv(x.T @ x)
    coefficients = bread @ x.T @ y
    residuals = y - x @ coefficients
    leverage = np.sum((x @ bread) * x, axis=1)
    hc3 = bread @ (x.T * (residuals / (1 - leverage)) ** 2) @ x @ bread
    clusters = data["event_date"].to_numpy()
    labels = np.unique(clusters)
    meat = sum(
        np.outer(x[clusters == g].T @ residuals[clusters == g], x[clusters == g].T @ residuals[clusters == g])
        for g in labels
    )
    g = labels.size
    cr1 = g / (g - 1) * (n - 1) / (n - k) * bread @ meat @ bread

    table = coefficient_table([result])
    for cov_type, covariance, df in (("HC3", hc3, n - k), ("cluster", cr1, g - 1)):
        rows = table[table["cov_type"] == cov_type]
        se = np.sqrt(np.diag(covariance))
        np.testing.assert_allclose(rows["coef"], coefficients, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(rows["se"], se, rtol=1e-10)
        np.testing.assert_allclose(rows["t"], coefficients / se, rtol=1e-10)
        np.testing.assert_allclose(rows["p_value"], 2 * stats.t.sf(np.abs(coefficients / se), df), rtol=1e-9)
        half = stats.t.ppf(0.975, df) * se
        np.testing.assert_allclose(rows["ci_low"], coefficients - half, rtol=1e-10)
        np.testing.assert_allclose(rows["ci_high"], coefficients + half, rtol=1e-10)
        assert (rows["df"] == df).all()
    assert list(table["term"].iloc[:k]) == ["Intercept", "C(group)[T.models]", "C(group)[T.software]", "beta"]
    assert result.r_squared == pytest.approx(1 - residuals @ residuals / np.sum((y - y.mean()) ** 2), rel=1e-12)
    assert "only 5 event dates" in result.note


def test_everything_equals_statsmodels_at_another_level() -> None:
    import statsmodels.formula.api as smf

    data = synthetic_pairs(120, seed=2)
    result = cross_sectional_regression(data, "car ~ C(group) + beta + runup", cluster="event_date")
    table = coefficient_table([result], level=0.90)
    model = smf.ols("car ~ C(group) + beta + runup", data)
    groups = pd.factorize(data["event_date"])[0]
    fits = {
        "HC3": model.fit(cov_type="HC3", use_t=True),
        "cluster": model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True),
    }
    for cov_type, fit in fits.items():
        rows = table[table["cov_type"] == cov_type]
        assert rows["term"].tolist() == list(fit.params.index)
        np.testing.assert_allclose(rows["coef"], fit.params, rtol=1e-10)
        np.testing.assert_allclose(rows["se"], fit.bse, rtol=1e-10)
        np.testing.assert_allclose(rows["p_value"], fit.pvalues, rtol=1e-8)
        intervals = fit.conf_int(alpha=0.10)
        np.testing.assert_allclose(rows["ci_low"], intervals[0], rtol=1e-10)
        np.testing.assert_allclose(rows["ci_high"], intervals[1], rtol=1e-10)
    assert result.r_squared == pytest.approx(fits["HC3"].rsquared, rel=1e-12)
    assert result.adj_r_squared == pytest.approx(fits["HC3"].rsquared_adj, rel=1e-12)
    with pytest.raises(ValueError, match="level"):
        coefficient_table([result], level=1.0)


def test_missing_values_and_missing_clusters_are_left_out_and_counted() -> None:
    data = synthetic_pairs(60, seed=3)
    data.loc[[0, 5], "beta"] = np.nan
    data.loc[[7], "event_date"] = None
    result = cross_sectional_regression(data, "car ~ C(group) + beta", cluster="event_date")
    assert (result.n, result.dropped) == (57, 3)
    clean = cross_sectional_regression(data.drop(index=[0, 5, 7]), "car ~ C(group) + beta", cluster="event_date")
    pd.testing.assert_frame_equal(coefficient_table([result]), coefficient_table([clean]))


def test_what_cannot_be_computed_is_nan_with_a_note() -> None:
    data = synthetic_pairs(40, seed=4)
    few = cross_sectional_regression(data.iloc[:3], "car ~ beta + runup")
    assert np.isnan(few.coefficients).all() and "more rows than the 3 coefficients, got 3" in few.note

    one_event = data.assign(event_date="2025-01-27")
    result = cross_sectional_regression(one_event, "car ~ C(group) + beta", cluster="event_date")
    table = coefficient_table([result])
    hc3, cluster = table[table["cov_type"] == "HC3"], table[table["cov_type"] == "cluster"]
    assert hc3["se"].notna().all() and cluster["se"].isna().all() and cluster["coef"].notna().all()
    assert "need 2 event dates" in result.note and result.clusters == 1

    alone = data.copy()
    alone.loc[0, "group"] = "lonely"
    result = cross_sectional_regression(alone, "car ~ C(group) + beta")
    assert coefficient_table([result])["se"].isna().all() and np.isfinite(result.coefficients).all()
    assert "leverage 1 at 1 row(s)" in result.note


def test_aliased_terms_get_no_coefficient_and_the_others_are_those_without_them() -> None:
    import statsmodels.formula.api as smf

    data = synthetic_pairs(60, seed=9).assign(beta2=lambda frame: 2 * frame["beta"] - 1)
    result = cross_sectional_regression(data, "car ~ C(group) + beta + beta2")
    assert result.terms[-1] == "beta2" and np.isnan(result.coefficients[-1])
    assert "aliased (implied by the other terms, or absent): beta2" in result.note
    reference = smf.ols("car ~ C(group) + beta", data).fit(cov_type="HC3", use_t=True)
    table = coefficient_table([result])
    np.testing.assert_allclose(table["coef"].iloc[:4], reference.params, rtol=1e-10)
    np.testing.assert_allclose(table["se"].iloc[:4], reference.bse, rtol=1e-10)
    # A group absent from the rows of a regression is aliased too (its column is all zeros).
    design = design_matrix(data, "car ~ C(group) + beta")
    subset = ols(data["car"].to_numpy(), design, (data["group"] != "software").to_numpy())
    assert np.isnan(subset.coefficients[design.terms.index("C(group)[T.software]")])
    assert "C(group)[T.software]" in subset.note


def test_one_design_serves_every_subset_as_its_own_regression() -> None:
    import statsmodels.formula.api as smf

    data = synthetic_pairs(150, seed=6)
    design = design_matrix(data, "car ~ C(group) + beta + runup")
    for date, part in data.groupby("event_date"):
        rows = (data["event_date"] == date).to_numpy()
        regression = ols(data["car"].to_numpy(), design, rows)
        reference = smf.ols("car ~ C(group) + beta + runup", part).fit(cov_type="HC3", use_t=True)
        table = coefficient_table([regression]).set_index("term")
        np.testing.assert_allclose(table.loc[list(reference.params.index), "coef"], reference.params, rtol=1e-9)
        np.testing.assert_allclose(table.loc[list(reference.params.index), "se"], reference.bse, rtol=1e-9)


def test_bad_formulas_and_columns_are_errors() -> None:
    data = synthetic_pairs(30, seed=5)
    with pytest.raises(FormulaError, match=r"unknown characteristics \['size'\]"):
        cross_sectional_regression(data, "car ~ size")
    with pytest.raises(ValueError, match="cluster column 'date'"):
        cross_sectional_regression(data, "car ~ beta", cluster="date")
    columns = ["car", "group", "beta", "my share"]
    assert check_formula(" car ~ C(group, Treatment('b')) + np.log(beta) + Q('my share') ", columns).startswith("car")
    assert check_formula("car ~ C(group):beta - 1", columns) == "car ~ C(group):beta - 1"
    for formula, message in (
        ("beta + group", "expected 'car ~ terms'"),
        ("bhar ~ beta", "the response must be car"),
        ("car ~ beta +", "invalid syntax"),
        ("car ~ Q('other share')", r"unknown characteristics \['other share'\]"),
    ):
        with pytest.raises(FormulaError, match=message):
            check_formula(formula, columns)
    with pytest.raises(FormulaError, match="cannot be evaluated"):
        design_matrix(data, "car ~ np.nosuchfunction(beta)")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_user_characteristics_are_read_and_typed(tmp_path: Path) -> None:
    path = write(tmp_path / "traits.csv", "ticker,rd_intensity,country\nNVDA,0.09,US\n0981.HK,,CN\nZZZ,0.5,US\n")
    user = read_characteristics(path)
    assert user.frame["rd_intensity"].dtype == float and not pd.api.types.is_numeric_dtype(user.frame["country"])
    assert user.source == str(path) and user.columns == ("rd_intensity", "country")
    np.testing.assert_allclose(user.frame["rd_intensity"], [0.09, np.nan, 0.5])
    data = pd.DataFrame({"ticker": ["NVDA", "0981.HK", "0020.HK", "NVDA"], "car": [0.1, -0.05, 0.2, 0.12]})
    result = cross_sectional_regression(data.merge(user.frame, on="ticker", how="left"), "car ~ rd_intensity")
    # The two NVDA rows have the same value: rd_intensity is implied by the intercept.
    assert result.dropped == 2 and "aliased (implied by the other terms, or absent): rd_intensity" in result.note
    assert np.isnan(result.coefficients[1]) and result.coefficients[0] == pytest.approx(0.11, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"traits.csv: the file is empty"),
        ("symbol,x\nA,1\n", r"traits.csv, row 1: no 'ticker' column"),
        ("ticker,x,x\nA,1,2\n", r"traits.csv, row 1, column 'x': the name appears twice"),
        ("ticker,beta\nA,1\n", r"traits.csv, row 1, column 'beta': the name is taken by a built-in"),
        ("ticker,x\nA,1\nB\n", r"traits.csv, row 3: 1 fields, the header has 2"),
        ("ticker,x\nA,1\n,2\n", r"traits.csv, row 3, column 'ticker': empty ticker"),
        ("ticker,x\nA,1\nB,2\nA,3\n", r"traits.csv, row 4, column 'ticker': 'A' is already given in row 2"),
        ("ticker,x\nA,1\nB,1.2x\n", r"traits.csv, row 3, column 'x': '1.2x' is not a number"),
    ],
)
def test_a_bad_characteristics_file_names_file_row_and_column(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "traits.csv", text)
    with pytest.raises(ValueError, match=message):
        read_characteristics(path)


def test_a_missing_characteristics_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nowhere\.csv: no such characteristics file"):
        read_characteristics(tmp_path / "nowhere.csv")


def test_a_table_that_clashes_with_built_in_columns_or_repeats_a_ticker_is_refused() -> None:
    with pytest.raises(ValueError, match=r"mine.csv: columns \['group'\] are taken"):
        Characteristics.from_frame(pd.DataFrame({"ticker": ["A"], "group": ["x"]}), "mine.csv")
    with pytest.raises(ValueError, match=r"given more than once: \['A'\]"):
        Characteristics.from_frame(pd.DataFrame({"ticker": ["A", "A"], "x": [1, 2]}))
    with pytest.raises(ValueError, match="no 'ticker' column"):
        Characteristics.from_frame(pd.DataFrame({"symbol": ["A"]}))
