"""The summary of a study says what its tables say: counts, the most significant CARs, the groups' CAAR tests."""

from __future__ import annotations

from eventstudy import Event, EventStudy, EventStudyResults
from eventstudy.prices import SnapshotSource
from eventstudy.results import HEADLINE_TEST


def test_the_summary_counts_and_ranks_what_the_tables_hold(reference_results: EventStudyResults) -> None:
    results = reference_results
    text = results.summary().as_text()
    pairs = results.pairs
    counts = f"pairs: {len(pairs)}   estimable: {int((pairs['status'] == 'ok').sum())}"
    assert counts in text
    # The first row of the CAR table is the smallest p-value of the headline window (0,+1).
    car = results.car[results.car["window"] == "(0,+1)"].dropna(subset=["p_value"])
    strongest = car.loc[car["p_value"].idxmin()]
    first_row = text.split("Most significant CAR (0,+1)")[1].splitlines()[3]
    assert strongest["ticker"] in first_row and f"{strongest['car']:+.2%}" in first_row
    html = results._repr_html_()
    assert html.count("<table>") == 2 and f"{strongest['car']:+.2%}" in html
    assert repr(results).startswith(f"<EventStudyResults: {pairs['event_id'].nunique()} events, {len(pairs)} pairs")


def test_a_study_of_one_security_leaves_the_sample_tests_blank() -> None:
    """One security is no cross-section: its group test has no statistic, shown blank (not 'nan'), and with no
    short-history pair the † note is left out."""
    news = Event(id="r1", date="2025-01-20", title="DeepSeek-R1 released")
    results = EventStudy([news], tickers=["NVDA"], prices=SnapshotSource(), placebo_replications=0).run()
    tests = results.tests[(results.tests["window"] == "(0,+1)") & (results.tests["test"] == HEADLINE_TEST)]
    assert tests["n"].eq(1).all() and tests["statistic"].isna().all()
    text = str(results)
    assert "nan" not in text and "†" not in text
    car = results.car.set_index("window").loc["(0,+1)", "car"]
    groups = text.split("Group CAAR (0,+1) per event")[1].splitlines()[3:5]
    # The CAAR of one security is its CAR; no statistic, p-value or q-value follows it.
    assert [line.rstrip().endswith(f"{car:+.2%}") for line in groups] == [True, True]


def test_a_short_history_pair_is_marked_and_the_mark_explained() -> None:
    """Zhipu (2513.HK) had listed 24 sessions before GLM-5: its pair falls back to the market-adjusted model."""
    news = Event(id="glm-5", date="2026-02-11 21:00", timezone="Asia/Shanghai", title="GLM-5")
    results = EventStudy([news], tickers=["2513.HK"], prices=SnapshotSource(), placebo_replications=0).run()
    assert results.pairs.loc[0, "model_used"] == "market-adjusted" and results.pairs.loc[0, "fallback_reason"]
    text = str(results)
    assert "2513.HK †" in text and "† short history: market-adjusted model" in text
