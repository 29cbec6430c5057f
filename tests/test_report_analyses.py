"""The analyses beyond abnormal returns in the HTML report: to whom (the cross-sectional regression), how loud
(abnormal volume and volatility), how lasting (BHAR) on event pages, volume, volatility, BHAR and GARCH on security
pages, the pooled regression on the all-results page and the analyses on the methods page.

Every expected number is read from the results tables of the real study (``real_results``) and formatted here as
a reader sees it; the pages are those of the session's real report (``real_report``), never rerun.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.baskets import BASKETS_GROUP
from eventstudy.report.analysis_data import LEAD_TESTS
from eventstudy.report.markup import MINUS, format_p
from eventstudy.results import EventStudyResults
from eventstudy.spec import window_label
from eventstudy.statistics.bhar import LONG_HORIZON_CAVEAT


def _page(report: Path, name: str) -> str:
    return (report.parent / name).read_text(encoding="utf-8")


def _section(page: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', page, re.S)
    assert match, f"no section {section_id}"
    return match.group(1)


def _block(page: str, block_id: str) -> object:
    match = re.search(rf'<script type="application/json" id="{re.escape(block_id)}">(.*?)</script>', page, re.S)
    assert match, f"no data block {block_id}"
    return json.loads(match.group(1))


def _cells(section: str, label: str) -> list[str]:
    """The texts of the cells of the (first) row of a compact table whose header cell is ``label``."""
    match = re.search(rf'<tr><th scope="row">{re.escape(html.escape(label))}</th>(.*?)</tr>', section, re.S)
    assert match, f"no row {label}"
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td[^>]*>(.*?)</td>", match[1])]


def _fixed(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}".replace("-", MINUS)


def _fits(results: EventStudyResults, event_id: str, window: str, cov_type: str) -> pd.DataFrame:
    table = results.cross_section
    chosen = (table["event_id"] == event_id) & (table["window"] == window) & (table["cov_type"] == cov_type)
    return table[chosen].set_index("term")


# -- to whom ----------------------------------------------------------------------------------------------------------


def test_app_store_page_shows_the_hk_chip_vs_software_coefficient(
    real_report: Path, real_results: EventStudyResults
) -> None:
    """On 2025-01-27 (the App Store news, day 0 of both markets) HK chip makers fell while HK AI software rose: the
    regression's HK semiconductors coefficient is their difference from the reference group, HK AI & internet."""
    section = _section(_page(real_report, "events/deepseek-app-store-top.html"), "to-whom")
    assert sorted(set(real_results.pairs["group"]))[0] == "HK AI & internet"  # patsy's reference: the first level
    day_zero = _fits(real_results, "deepseek-app-store-top", "(0,0)", "HC3").loc["C(group)[T.HK semiconductors]"]
    assert day_zero["coef"] < 0 and np.isfinite(day_zero["se"])
    cells = _cells(section, "group: HK semiconductors")
    interval = f"[{_fixed(100 * day_zero['ci_low'])}, {_fixed(100 * day_zero['ci_high'])}]"
    assert cells[:4] == [
        _fixed(100 * day_zero["coef"]),
        _fixed(100 * day_zero["se"]),
        interval,
        f"{day_zero['p_value']:.3f}",
    ]
    assert "<b>(0,0)</b>: n = 33 securities; baseline group: <b>HK AI &amp; internet</b>" in section
    # Over (0,+1) the HK securities have no CAR (no prices on 2025-01-28): the coefficient is blank, and says why.
    headline = _fits(real_results, "deepseek-app-store-top", "(0,+1)", "HC3").loc["C(group)[T.HK semiconductors]"]
    assert np.isnan(headline["coef"])
    assert cells[4:8] == ["–"] * 4 and cells[8] == "(0,+1): no security of this group has a CAR in the regression"


def test_crash_page_says_the_regression_has_no_hk_securities_and_why(
    real_report: Path, real_results: EventStudyResults
) -> None:
    section = _section(_page(real_report, "events/nvidia-crash.html"), "to-whom")
    pairs = real_results.pairs.query("event_id == 'nvidia-crash' and status == 'ok'")
    pairs = pairs[pairs["group"] != BASKETS_GROUP]
    hong_kong = pairs[pairs["exchange"] == "XHKG"]
    day_zero = hong_kong["day_zero"].iloc[0]
    car = real_results.car.query("event_id == 'nvidia-crash' and window == '(0,0)'").set_index("ticker")["car"]
    assert car.reindex(hong_kong["ticker"]).isna().all()  # every HK CAR is missing...
    paths = real_results.ar.query("event_id == 'nvidia-crash' and day == 0").set_index("ticker")
    assert paths.loc[hong_kong["ticker"], "ar"].isna().all()  # ... for want of a return on their day 0
    assert (paths.loc[hong_kong["ticker"], "date"] == day_zero).all()
    text = f"the {len(hong_kong)} Hong Kong securities, which have no CAR (0,0): no return on {day_zero.date()}"
    assert text in html.unescape(section)
    fit = _fits(real_results, "nvidia-crash", "(0,0)", "HC3")
    us = pairs[pairs["exchange"] != "XHKG"]
    assert fit["n"].iloc[0] == len(us) == 21  # the regression is the US securities only
    assert f"n = {len(us)} securities" in section
    # The chart draws the CARs the regression has, by group: no HK group on the axis.
    chart = _block(_page(real_report, "events/nvidia-crash.html"), "to-whom-chart-data")
    assert chart["layout"]["xaxis"]["ticktext"] == ["US semiconductors", "US AI infrastructure", "US big tech"]
    nvda = car["NVDA"]
    first = chart["data"][0]
    assert round(100 * nvda, 2) in first["y"]


# -- how loud ---------------------------------------------------------------------------------------------------------


def test_crash_page_shows_nvda_and_the_us_chip_sample_abnormal_volume(
    real_report: Path, real_results: EventStudyResults
) -> None:
    page = _page(real_report, "events/nvidia-crash.html")
    volume = real_results.volume.query("event_id == 'nvidia-crash' and window == '(0,0)'").set_index("ticker")
    # NVDA: its CAV on the crash day and the t-test p, in the per-security table.
    table = _block(page, "activity-table-data")
    links = table["lookups"]["0"]
    nvda = next(row for row in table["rows"] if links[row[0]][0] == "NVDA")
    assert nvda[1] == round(volume.at["NVDA", "cav"], 3) and nvda[1] > 0.6  # volume well above normal
    assert nvda[2] == float(f"{volume.at['NVDA', 'p_value']:.3g}")
    # The US semiconductor sample: the mean CAV of its 11 securities, with its lead test (the rank test).
    members = volume[volume["group"] == "US semiconductors"]
    tests = real_results.volume_tests.query(
        "scope == 'event' and event_id == 'nvidia-crash' and group == 'US semiconductors' and window == '(0,0)'"
    ).set_index("test")
    lead = next(name for name in LEAD_TESTS["volume"] if np.isfinite(tests.at[name, "p_value"]))
    assert lead == "corrado_rank"
    assert tests.at[lead, "estimate"] == pytest.approx(members["cav"].mean(), rel=1e-12)
    cells = _cells(_section(page, "how-loud"), "US semiconductors")
    assert cells[:3] == [_fixed(members["cav"].mean()), format_p(tests.at[lead, "p_value"]), str(len(members))]
    assert 'title="rank test (Corrado) (a value from another test names it on hover)">p<' in _section(page, "how-loud")


def test_crash_page_says_why_hong_kong_has_no_abnormal_volume(
    real_report: Path, real_results: EventStudyResults
) -> None:
    section = _section(_page(real_report, "events/nvidia-crash.html"), "how-loud")
    reasons = real_results.volume.query(
        "event_id == 'nvidia-crash' and window == '(0,0)' and group == 'HK AI & internet'"
    )
    assert reasons["cav"].isna().all() and reasons["reason"].nunique() == 1
    cells = _cells(section, "HK AI & internet")
    assert cells[:3] == ["–"] * 3
    assert f"CAV: {reasons['reason'].iloc[0]}" in cells[-1]


# -- how lasting ------------------------------------------------------------------------------------------------------


def test_r1_page_shows_bhar_20_of_the_us_chip_basket_with_the_lbt_tests(
    real_report: Path, real_results: EventStudyResults
) -> None:
    page = _page(real_report, "events/deepseek-r1.html")
    bhar = real_results.bhar.query("event_id == 'deepseek-r1' and window == '(0,+20)'").set_index("ticker")
    basket = bhar.loc["basket-us-semiconductors"]
    assert basket["bhar"] == pytest.approx(basket["buy_and_hold_return"] - basket["benchmark_return"], abs=1e-12)
    table = _block(page, "bhar-table-data")
    links = table["lookups"]["0"]
    row = next(row for row in table["rows"] if links[row[0]][0] == "basket-us-semiconductors")
    assert row[1:4] == [round(100 * basket[c], 2) for c in ("bhar", "buy_and_hold_return", "benchmark_return")]
    # The US semiconductor sample: mean BHAR, skewness-adjusted t, its p and the bootstrap p.
    tests = real_results.bhar_tests.query(
        "scope == 'event' and event_id == 'deepseek-r1' and group == 'US semiconductors' and window == '(0,+20)'"
    ).set_index("test")
    members = bhar[bhar["group"] == "US semiconductors"]
    assert tests.at["skewness_adjusted_t", "estimate"] == pytest.approx(members["bhar"].mean(), rel=1e-12)
    section = _section(page, "how-lasting")
    cells = _cells(section, "US semiconductors")
    assert cells[:5] == [
        _fixed(100 * members["bhar"].mean()),
        _fixed(tests.at["skewness_adjusted_t", "statistic"]),
        format_p(tests.at["skewness_adjusted_t", "p_value"]),
        format_p(tests.at["bootstrap_skewness_adjusted_t", "p_value"]),
        str(len(members)),
    ]
    assert html.escape(LONG_HORIZON_CAVEAT) in section


def test_a_window_past_the_last_price_is_blank_with_its_reason(
    real_report: Path, real_results: EventStudyResults
) -> None:
    late = real_results.bhar[real_results.bhar["reason"].str.contains("after the last price")]
    assert not late.empty and late["bhar"].isna().all()
    row = late.iloc[-1]
    page = _page(real_report, f"events/{row['event_id']}.html")
    table = _block(page, "bhar-table-data")
    links = table["lookups"]["0"]
    shown = next(line for line in table["rows"] if links[line[0]][0] == row["ticker"])
    position = 1 + 3 * list(real_results.bhar["window"].unique()).index(row["window"])
    assert shown[position] is None  # blank, never 0
    assert row["reason"] in shown[-1] and row["window"] in shown[-1]


# -- security pages ---------------------------------------------------------------------------------------------------


def test_nvda_page_shows_garch_ars_beside_ols_around_the_crash(
    real_report: Path, real_results: EventStudyResults
) -> None:
    page = _page(real_report, "securities/NVDA.html")
    garch = real_results.garch.query("event_id == 'nvidia-crash' and ticker == 'NVDA'").sort_values("day")
    day_zero = real_results.pairs.query("event_id == 'nvidia-crash' and ticker == 'NVDA'")["day_zero"].iloc[0]
    block = _block(page, "garch-data")
    choice = block["choices"][str(day_zero.date())]
    ols, fitted = choice["data"]
    assert ols["y"] == [round(100 * value, 2) for value in garch["ols_ar"]]
    assert ols["error_y"]["array"] == [round(100 * 1.96 * value, 2) for value in garch["ols_ar_se"]]
    assert fitted["y"] == [round(100 * value, 2) for value in garch["garch_ar"]]
    assert fitted["error_y"]["array"] == [round(100 * 1.96 * value, 2) for value in garch["garch_sd"]]
    crash = garch.set_index("day").loc[0]
    assert crash["garch_ar"] < -0.10 and crash["ols_ar"] < -0.10 and crash["reason"] == ""
    # The chart opens on the largest day-0 move of NVDA's events: the crash.
    on_day_zero = real_results.garch.query("ticker == 'NVDA' and day == 0").set_index("event_id")["ols_sar"].abs()
    assert on_day_zero.idxmax() in ("nvidia-crash", "deepseek-app-store-top")  # the same day 0, the same fit
    assert block["default"] == str(day_zero.date())
    # The day-0 table: the crash's OLS and GARCH ARs side by side.
    table = _block(page, "garch-table-data")
    links = table["lookups"]["0"]
    row = next(line for line in table["rows"] if links[line[0]][1].endswith("/nvidia-crash.html"))
    assert row[1:8] == [
        str(day_zero.date()),
        round(100 * crash["ols_ar"], 3),
        round(100 * crash["ols_ar_se"], 3),
        round(crash["ols_sar"], 3),
        round(100 * crash["garch_ar"], 3),
        round(100 * crash["garch_sd"], 3),
        round(crash["garch_sar"], 3),
    ]


def test_security_page_shows_volume_volatility_and_bhar_per_event(
    real_report: Path, real_results: EventStudyResults
) -> None:
    page = _page(real_report, "securities/NVDA.html")
    table = _block(page, "activity-table-data")
    links = table["lookups"]["0"]
    row = next(line for line in table["rows"] if links[line[0]][1].endswith("/nvidia-crash.html"))
    volume = real_results.volume.query("event_id == 'nvidia-crash' and ticker == 'NVDA'").set_index("window")
    ratio = real_results.volatility.query("event_id == 'nvidia-crash' and ticker == 'NVDA'")
    bhar = real_results.bhar.query("event_id == 'nvidia-crash' and ticker == 'NVDA'").set_index("window")
    squared = ratio[ratio["measure"] == "ar_squared"].set_index("window")["ratio"]
    ranged = ratio[ratio["measure"] == "range"].set_index("window")["ratio"]
    windows = ["(0,0)", "(0,+1)"]
    expected = [
        value for w in windows for value in (round(volume.at[w, "cav"], 3), float(f"{volume.at[w, 'p_value']:.3g}"))
    ]
    expected += [round(squared[w], 3) for w in windows] + [round(ranged[w], 3) for w in windows]
    expected += [round(100 * bhar.at[window_label(w), "bhar"], 2) for w in real_results.spec.bhar_windows]
    assert row[1:-1] == expected


# -- all-results and methods pages ------------------------------------------------------------------------------------


def test_pooled_regression_is_on_the_results_page_and_linked_from_the_index(
    real_report: Path, real_results: EventStudyResults
) -> None:
    assert 'href="results.html#pooled-regression"' in _page(real_report, "index.html")
    section = _section(_page(real_report, "results.html"), "pooled-regression")
    fit = _fits(real_results, "all events", "(0,+1)", "cluster")
    term = fit.loc["C(group)[T.US semiconductors]"]
    cells = _cells(section, "group: US semiconductors")
    assert cells[4:8] == [
        _fixed(100 * term["coef"]),
        _fixed(100 * term["se"]),
        f"[{_fixed(100 * term['ci_low'])}, {_fixed(100 * term['ci_high'])}]",
        format_p(term["p_value"]),
    ]
    assert f"{int(fit['clusters'].iloc[0])} event dates" in section and "HC3 standard errors" in section


def test_methods_page_says_what_each_analysis_does_with_its_reference(real_report: Path) -> None:
    section = _section(_page(real_report, "methods.html"), "analyses")
    for reference in (
        "Campbell, C. J., Wasley, C. E. (1996)",
        "Lyon, J. D., Barber, B. M., Tsai, C.-L. (1999)",
        "MacKinnon, J. G., White, H. (1985)",
        "Bollerslev, T. (1986)",
        "Parkinson, M. (1980)",
    ):
        assert html.escape(reference) in section, reference
    assert ":func:" not in section and "``" not in section
