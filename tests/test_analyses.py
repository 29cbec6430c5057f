"""The analyses beyond abnormal returns on the real data (the session's reference study, run once), each against a
direct computation from the prices: the cross-sectional regression of the NVIDIA-crash day against statsmodels,
abnormal volume against an OLS of log volumes, BHAR against compounded prices, GARCH against arch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy, EventStudyResults
from eventstudy.calendars import offset_sessions
from eventstudy.columns import COLUMNS
from eventstudy.results import ANALYSIS_TABLES
from eventstudy.statistics.volume import VOLUME_CONSTANT

CRASH_DAY = pd.Timestamp("2025-01-27")


def closes(
    results: EventStudyResults, ticker: str, sessions: pd.DatetimeIndex, column: str = "adj_close"
) -> np.ndarray:
    """The prices the study read for ``ticker`` on ``sessions``."""
    return results.prices.frames[ticker][column].reindex(sessions).to_numpy(dtype=float)


def day_zero(results: EventStudyResults, event_id: str, ticker: str) -> pd.Timestamp:
    pairs = results.pairs.set_index(["event_id", "ticker"])
    return pd.Timestamp(pairs.loc[(event_id, ticker), "day_zero"])


def test_every_analysis_table_has_its_documented_columns(reference_results: EventStudyResults) -> None:
    for name in ANALYSIS_TABLES:
        table = getattr(reference_results, name)
        assert list(table.columns) == list(COLUMNS[name]), name
        assert all(COLUMNS[name].values()) and len(table) > 0, name


def test_the_hk_chip_versus_software_split_of_the_nvidia_crash_day(reference_results: EventStudyResults) -> None:
    import statsmodels.formula.api as smf

    results = reference_results
    # The NVIDIA crash (2025-01-27, New York) reached Hong Kong the next session, 2025-01-28: a half-day session of
    # Lunar New Year's eve without a price, so its HK CARs are missing and the split shows on the HK session of
    # 2025-01-27, day 0 of the same day's news of DeepSeek topping the App Store.
    assert day_zero(results, "nvidia-crash", "0981.HK") == pd.Timestamp("2025-01-28")
    assert day_zero(results, "deepseek-app-store-top", "0981.HK") == CRASH_DAY
    car = results.car[(results.car["window"] == "(0,0)")]
    crash = car[car["event_id"] == "nvidia-crash"].set_index("ticker")
    assert np.isnan(crash.loc["0981.HK", "car"]) and crash.loc["0981.HK", "missing_days"] == 1
    day = car[car["event_id"] == "deepseek-app-store-top"].set_index("ticker")
    assert day.loc["0981.HK", "car"] < -0.05 and day.loc["1347.HK", "car"] < -0.05  # SMIC, Hua Hong fell
    assert day.loc["3896.HK", "car"] > 0.05 and day.loc["0020.HK", "car"] > 0.03  # Kingsoft Cloud, SenseTime rose
    means = day.groupby("group")["car"].mean()
    split = means["HK semiconductors"] - means["HK AI & internet"]
    assert split < -0.05

    # The regression of the study (car ~ C(group) + C(market) + beta + runup), rebuilt by hand from the tables and
    # the prices, and fitted by statsmodels (C(market) is implied by the groups, aliased in the study's table).
    pairs = results.pairs.set_index(["event_id", "ticker"]).loc["deepseek-app-store-top"]
    chosen = day[(day["group"] != "baskets")].index
    frame = pd.DataFrame({"car": day.loc[chosen, "car"], "group": pairs.loc[chosen, "group"]})
    frame["beta"] = np.where(pairs.loc[chosen, "model_used"] == "market-adjusted", np.nan, pairs.loc[chosen, "beta"])
    runups = []
    for ticker in chosen:
        exchange, start = pairs.loc[ticker, "exchange"], pd.Timestamp(pairs.loc[ticker, "day_zero"])
        first, last = closes(results, ticker, offset_sessions(exchange, start, [-31, -11]))
        runups.append(last / first - 1)
    frame["runup"] = runups
    reference = smf.ols("car ~ C(group) + beta + runup", frame.dropna()).fit(cov_type="HC3", use_t=True)
    table = results.cross_section
    rows = table[
        (table["event_id"] == "deepseek-app-store-top") & (table["window"] == "(0,0)") & (table["cov_type"] == "HC3")
    ].set_index("term")
    terms = list(reference.params.index)
    np.testing.assert_allclose(rows.loc[terms, "coef"], reference.params, rtol=1e-8)
    np.testing.assert_allclose(rows.loc[terms, "se"], reference.bse, rtol=1e-8)
    np.testing.assert_allclose(rows.loc[terms, "p_value"], reference.pvalues, rtol=1e-6)
    assert rows["n"].iloc[0] == reference.nobs and rows["dropped"].iloc[0] == len(frame) - reference.nobs
    assert np.isnan(rows.loc["C(market)[T.XNYS]", "coef"]) and "C(market)[T.XNYS]" in rows["note"].iloc[0]
    hk = rows.loc["C(group)[T.HK semiconductors]"]  # against HK AI & internet, the reference group
    assert hk["coef"] < 0 and hk["ci_low"] < split < hk["ci_high"]
    # In the nvidia-crash regression itself no HK pair has a CAR: the HK groups are absent (aliased).
    crash_rows = table[(table["event_id"] == "nvidia-crash") & (table["window"] == "(0,0)")].set_index("term")
    assert np.isnan(crash_rows.loc["C(group)[T.HK semiconductors]", "coef"])
    pooled = table[(table["scope"] == "all events") & (table["cov_type"] == "cluster")]
    assert (pooled["clusters"] > 10).all() and pooled["se"].notna().any()


def log_volumes(results: EventStudyResults, ticker: str, sessions: pd.DatetimeIndex) -> np.ndarray:
    return np.log(closes(results, ticker, sessions, "volume") + VOLUME_CONSTANT)


def test_abnormal_volume_of_nvda_and_the_us_semiconductors_on_the_crash_day(
    reference_results: EventStudyResults,
) -> None:
    import statsmodels.api as sm

    results = reference_results
    volume = results.volume[(results.volume["event_id"] == "nvidia-crash") & (results.volume["window"] == "(0,0)")]
    volume = volume.set_index("ticker")
    members = results.pairs[
        (results.pairs["event_id"] == "nvidia-crash") & (results.pairs["group"] == "US semiconductors")
    ]
    residuals = []
    for ticker in members["ticker"]:
        sessions = offset_sessions("XNYS", CRASH_DAY, np.arange(-250, 1))
        own, market = log_volumes(results, ticker, sessions), log_volumes(results, "SPY", sessions)
        ols = sm.OLS(own[:240], sm.add_constant(market[:240])).fit()  # days -250..-11
        prediction = ols.get_prediction(np.array([[1.0, market[-1]]]))
        row = volume.loc[ticker]
        assert row["cav"] == pytest.approx(own[-1] - prediction.predicted_mean[0], rel=1e-9), ticker
        assert row["cav_se"] == pytest.approx(np.sqrt(prediction.var_pred_mean[0] + ols.scale), rel=1e-9), ticker
        assert row["observations"] == 240 and row["days"] == 1 and row["market_volume"] == "benchmark"
        residuals.append(ols.resid)
    nvda = volume.loc["NVDA"]
    assert nvda["cav"] > 0.5 and nvda["t"] > 1.5  # NVDA traded e^0.67 = about twice its normal volume
    # The sample's portfolio t with Brown & Warner's crude dependence adjustment, by hand.
    cav = volume.loc[members["ticker"], "cav"].to_numpy()
    portfolio = np.mean(residuals, axis=0)
    t = cav.mean() / portfolio.std(ddof=1)
    tests = results.volume_tests
    sample = tests[
        (tests["event_id"] == "nvidia-crash") & (tests["group"] == "US semiconductors") & (tests["window"] == "(0,0)")
    ].set_index("test")
    assert sample.loc["crude_dependence_t", "statistic"] == pytest.approx(t, rel=1e-9)
    assert sample.loc["crude_dependence_t", "estimate"] == pytest.approx(cav.mean(), rel=1e-12)
    assert (sample["n"] == len(members)).all() and (sample["statistic"] > 0).all()
    assert sample.loc["crude_dependence_t", "p_value"] < 0.01 and sample.loc["corrado_rank", "p_value"] < 0.05


def test_bhar_after_r1_of_the_us_semiconductor_basket(reference_results: EventStudyResults) -> None:
    results = reference_results
    start = day_zero(results, "deepseek-r1", "NVDA")
    sessions = offset_sessions("XNYS", start, np.arange(-1, 21))
    tickers = results.pairs[
        (results.pairs["event_id"] == "deepseek-r1") & (results.pairs["group"] == "US semiconductors")
    ]["ticker"]
    prices = np.array([closes(results, ticker, sessions) for ticker in tickers])
    daily = np.nanmean(prices[:, 1:] / prices[:, :-1] - 1, axis=0)  # equal weights, rebalanced every day
    spy = closes(results, "SPY", sessions)
    expected = np.prod(1 + daily) - 1 - (spy[-1] / spy[0] - 1)
    bhar = results.bhar[(results.bhar["event_id"] == "deepseek-r1") & (results.bhar["window"] == "(0,+20)")]
    bhar = bhar.set_index("ticker")
    basket = bhar.loc["basket-us-semiconductors"]
    assert basket["bhar"] == pytest.approx(expected, rel=1e-10) and basket["days"] == 21
    assert pd.Timestamp(basket["start"]) == sessions[1] and pd.Timestamp(basket["end"]) == sessions[-1]
    # Each member: its buy-and-hold return is the ratio of its closes.
    own = prices[:, -1] / prices[:, 0] - 1 - (spy[-1] / spy[0] - 1)
    np.testing.assert_allclose(bhar.loc[tickers, "bhar"], own, rtol=1e-10)
    # The sample of the members with the Lyon, Barber & Tsai skewness-adjusted t, by hand.
    n, mean, s = own.size, own.mean(), own.std(ddof=1)
    gamma = np.sum((own - mean) ** 3) / (n * s**3)
    ratio = mean / s
    tests = results.bhar_tests
    sample = tests[
        (tests["event_id"] == "deepseek-r1") & (tests["group"] == "US semiconductors") & (tests["window"] == "(0,+20)")
    ].set_index("test")
    assert sample.loc["skewness_adjusted_t", "statistic"] == pytest.approx(
        np.sqrt(n) * (ratio + gamma * ratio**2 / 3 + gamma / (6 * n)), rel=1e-10
    )
    assert sample.loc["bhar_t", "statistic"] == pytest.approx(np.sqrt(n) * ratio, rel=1e-10)
    assert 0 < sample.loc["bootstrap_skewness_adjusted_t", "p_value"] <= 1
    # A window past the last price is missing with its reason, never shortened.
    late = results.bhar[results.bhar["end"] > results.prices.frames["SPY"].index[-1]]
    assert late["bhar"].isna().all() and late["reason"].str.contains("after the last price").all()


def test_garch_ars_of_nvda_around_the_crash_beside_the_ols_ones(reference_results: EventStudyResults) -> None:
    from arch import arch_model

    results = reference_results
    garch = results.garch[(results.garch["event_id"] == "nvidia-crash") & (results.garch["ticker"] == "NVDA")]
    garch = garch.set_index("day")
    ar = results.ar[(results.ar["event_id"] == "nvidia-crash") & (results.ar["ticker"] == "NVDA")].set_index("day")
    np.testing.assert_allclose(garch["ols_ar"], ar["ar"], rtol=1e-12)  # the study's model is the OLS market model
    np.testing.assert_allclose(garch["ols_ar_se"], ar["ar_se"], rtol=1e-12)
    sessions = offset_sessions("XNYS", CRASH_DAY, np.arange(-251, 11))
    nvda, spy = closes(results, "NVDA", sessions), closes(results, "SPY", sessions)
    y, x = nvda[1:] / nvda[:-1] - 1, spy[1:] / spy[:-1] - 1  # days -250..+10
    direct = arch_model(100 * y[:240], x=100 * x[:240, None], mean="LS", vol="GARCH", p=1, q=1, rescale=False).fit(
        disp="off", show_warning=False
    )
    const, slope = direct.params.iloc[0] / 100, direct.params.iloc[1]
    forecast = direct.forecast(horizon=21, x={"x0": 100 * x[None, 240:]}, reindex=False).variance.to_numpy()[0]
    np.testing.assert_allclose(garch["garch_ar"], y[240:] - const - slope * x[240:], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(garch["garch_sd"], np.sqrt(forecast) / 100, rtol=1e-4)
    assert garch["log_likelihood"].iloc[0] == pytest.approx(direct.loglikelihood, abs=1e-5)
    crash = garch.loc[0]
    assert crash["garch_ar"] < -0.10 and crash["garch_sar"] < -3 and crash["ols_sar"] < -3 and crash["reason"] == ""


def test_a_study_without_analyses_has_empty_analysis_tables(reference_study: EventStudy) -> None:
    study = EventStudy.from_spec(reference_study, analyses=[], tickers=["NVDA"], baskets=[])
    results = study.run()
    assert all(getattr(results, name).empty for name in ANALYSIS_TABLES)
    assert all(list(getattr(results, name).columns) == list(COLUMNS[name]) for name in ANALYSIS_TABLES)


def test_the_analysis_fields_of_the_specification_are_checked(reference_study: EventStudy) -> None:
    from eventstudy.universe import UniverseError

    derived = EventStudy.from_spec(reference_study, tickers=["TSM"], baskets=[])  # as the claims derive studies
    assert derived.garch_tickers == ("NVDA",) and derived.bhar_windows == ((0, 20), (0, 60))
    with pytest.raises(UniverseError, match=r"garch_tickers \['NOPE'\] are not in the universe"):
        EventStudy.from_spec(reference_study, garch_tickers=["NOPE"])
    with pytest.raises(ValueError, match="unknown analyses"):
        EventStudy.from_spec(reference_study, analyses=["volume", "sentiment"])
    with pytest.raises(ValueError, match=r"BHAR window \(20, 0\) ends before it starts"):
        EventStudy.from_spec(reference_study, bhar_windows=[(20, 0)])
    with pytest.raises(ValueError, match=r"unknown characteristics \['size'\]"):
        EventStudy.from_spec(reference_study, formula="car ~ beta + size")
    traits = pd.DataFrame({"ticker": ["NVDA", "TSM"], "size": [4.3, 1.1]})
    assert EventStudy.from_spec(reference_study, characteristics=traits, formula="car ~ size").formula == "car ~ size"
