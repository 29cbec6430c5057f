"""The study's data say exactly what the articles say: events.csv, claims.csv, sources.csv, shares.csv and
reference_prices.csv against the five seed articles in ../shared/seeds.

Each derivation is recomputed here from the quoted text (a date, or a count of days from another event), and no row
claims more precision than its notes give.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy, load_events
from eventstudy.claims import load_claims
from eventstudy.claims.reference import load_reference_prices, load_shares, load_sources
from eventstudy.columns import COLUMNS
from eventstudy.events import Event, EventSet

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"

#: Words by which the notes of a row say that its date is a reading, not a fact of the text.
GUESS_WORDS = re.compile(r"\b(guess|assum\w*|convention\w*|probably|likely|perhaps|approximately|roughly)\b", re.I)


@pytest.fixture(scope="module")
def events() -> EventSet:
    return load_events(REPO / "events.csv")


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    return {path.name: path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")}


def test_every_quote_is_verbatim_in_its_seed(events: EventSet, seeds: dict[str, str]) -> None:
    assert len(seeds) == 5
    quoted = [(event.id, event.source, event.quotes) for event in events]
    quoted += [(claim.id, claim.source, claim.quotes) for claim in load_claims(REPO / "claims.csv", events)]
    quoted += [(s.source, s.source, tuple(s.quote.split(" … "))) for s in load_sources(REPO / "sources.csv").values()]
    for name, source, excerpts in quoted:
        assert source in seeds, f"{name}: source {source!r} is not a seed file"
        assert excerpts, f"{name}: no quote"
        for excerpt in excerpts:  # pieces of one passage are joined by " … ", each verbatim
            assert excerpt in seeds[source], f"{name}: not verbatim in {source}: {excerpt}"


def test_events_csv_loads_round_trips_and_says_where_each_date_comes_from(events: EventSet, tmp_path: Path) -> None:
    assert len(events) >= 60
    for event in events:
        assert event.title and event.title_zh and event.notes, event.id
        assert event.date_source == "article" or event.date_source.startswith("external: "), event.id
        assert event.status in ("reported", "planned"), event.id
    copy = tmp_path / "events.csv"
    events.to_csv(copy)
    assert load_events(copy) == events


def test_no_row_claims_a_precision_its_notes_call_a_guess(events: EventSet) -> None:
    for event in events:
        if event.date_precision in ("exact", "day"):
            assert not GUESS_WORDS.search(event.notes), f"{event.id} is {event.date_precision} but: {event.notes}"
    # Times that are readings of a phrase (深夜, 凌晨, the US session) are spans, not exact instants.
    for event_id in ("glm-5", "gpt-5-5", "nvidia-crash", "deepseek-v4-preview"):
        assert events[event_id].date_precision == "span", event_id


def test_derivations_recomputed_from_the_quotes(events: EventSet, seeds: dict[str, str]) -> None:
    # 004: "距离DeepSeek-V3的发布已经过去484天" on the day of the V4 preview (2026-04-24).
    assert "484天" in events["deepseek-v3"].quote
    assert events["deepseek-v3"].date == events["deepseek-v4-preview"].date - dt.timedelta(days=484)
    # 000: "2025年1月20日，DeepSeek R1上线。七天后的1月27日" -- R1, and the crash seven days later.
    assert "2025年1月20日" in events["deepseek-r1"].quote and events["deepseek-r1"].date == dt.date(2025, 1, 20)
    assert events["nvidia-crash"].date == events["deepseek-r1"].date + dt.timedelta(days=7)
    # 003: "1月最后兩天…先后宣布上線": the order of Azure and AWS is given, not a day each.
    for event_id in ("azure-r1", "aws-r1"):
        assert (events[event_id].date, events[event_id].date_end) == (dt.date(2025, 1, 30), dt.date(2025, 1, 31))
    # 001: Zhipu cut its price "5天后" a DeepSeek-V2 known only to May 2024.
    zhipu = events["zhipu-price-cut-2024"]
    assert events["deepseek-v2"].date_precision == "month" and events["deepseek-v2"].date == dt.date(2024, 5, 1)
    assert zhipu.date == dt.date(2024, 5, 1) + dt.timedelta(days=5)
    assert zhipu.date_end == dt.date(2024, 5, 31) + dt.timedelta(days=5)
    # The big tech price cuts came after Zhipu's: the span starts no earlier.
    assert events["bigtech-price-war-2024"].date >= zhipu.date
    # 002: "就在V4发布的前一周" -- the week before 2026-04-24.
    talks = events["deepseek-funding-talks-2026"]
    assert talks.date_end is not None and talks.date_end < events["deepseek-v4-preview"].date
    assert (events["deepseek-v4-preview"].date - talks.date).days <= 14
    # 004: "2025年末到2026年初" is a span over the turn of the year, not December.
    mhc = events["deepseek-mhc"]
    assert mhc.date_end is not None and mhc.date.year == 2025 and mhc.date_end.year == 2026


def test_the_day_zero_of_a_guessed_time_is_studied_over_its_whole_range(events: EventSet) -> None:
    # 凌晨 (00:00-06:00 Beijing) on 2026-04-24 straddles the NYSE close (04:00 Beijing in US daylight time):
    # New York's day 0 is the 23rd or the 24th, so the study extends its windows by one session there.
    gpt = events["gpt-5-5"]
    assert gpt.day_zero_range("XNYS") == (pd.Timestamp("2026-04-23"), pd.Timestamp("2026-04-24"))
    assert gpt.day_zero_range("XHKG") == (pd.Timestamp("2026-04-24"), pd.Timestamp("2026-04-24"))
    # 深夜 (21:00-02:00 Beijing) after the GLM-5 announcement does not move day 0 anywhere.
    glm5 = events["glm-5"]
    assert glm5.day_zero_range("XNYS") == (pd.Timestamp("2026-02-11"), pd.Timestamp("2026-02-11"))
    assert glm5.day_zero_range("XHKG") == (pd.Timestamp("2026-02-12"), pd.Timestamp("2026-02-12"))
    study = EventStudy(
        [gpt, glm5], tickers=["NVDA", "0700.HK"], tests=[], placebo_replications=0, bootstrap_replications=0
    )
    pairs = study.run().pairs.set_index(["event_id", "ticker"])
    assert pairs.loc[("gpt-5-5", "NVDA"), "window_extension"] == 1
    assert pairs.loc[("gpt-5-5", "0700.HK"), "window_extension"] == 0
    assert pairs.loc[("glm-5", "NVDA"), "window_extension"] == 0


def test_the_events_the_first_version_missed(events: EventSet) -> None:
    # NVIDIA's statement the day after the crash (003: "英偉達在股價暴跌隔日").
    assert events["nvidia-statement"].date == dt.date(2025, 1, 28) and "隔日" in events["nvidia-statement"].quote
    # Sora's debut around the 2024 Spring Festival (003); OpenAI announced it on 2024-02-15, inside the span.
    sora = events["sora-debut"]
    assert sora.date is not None and sora.date_end is not None and sora.date <= dt.date(2024, 2, 15) <= sora.date_end
    assert "Sora" in sora.quote
    # JPMorgan's first coverage of MiniMax (000, the sentence of M2.5) and the DeepSeek app's launch (003).
    assert "摩根大通" in events["jpmorgan-minimax-overweight"].quote
    launch = events["deepseek-app-launch"]
    assert launch.date_end is not None and launch.date_end <= events["deepseek-app-store-top"].date_end  # type: ignore[operator]
    # A plan the article announces is labelled as one, and listing dates say where they come from.
    assert events["ernie-4-5-open-source"].status == "planned"
    assert events["zhipu-listing"].date_source.startswith("external: ")
    assert "IPO" in events["minimax-listing"].quote


def test_undated_events_are_kept_and_left_out_of_daily_studies_with_the_reason(events: EventSet) -> None:
    undated = [event for event in events if event.date_precision == "undated"]
    assert len(undated) >= 10
    reasons = dict((event.id, reason) for event, reason in events.excluded())
    for event in undated:
        assert event.date is None and event.notes, event.id
        assert reasons[event.id].startswith("undated: "), event.id
        assert event.id not in events.daily()
    skipped = EventStudy([*undated[:2], events["deepseek-r1"]], tickers=["NVDA"], tests=[]).run().skipped
    assert set(skipped["event_id"]) == {event.id for event in undated[:2]}
    assert skipped["reason"].str.startswith("undated: ").all()


def test_sources_shares_and_reference_prices_cite_their_documents() -> None:
    sources = load_sources(REPO / "sources.csv")
    assert len(sources) == 5 and all(source.quote for source in sources.values())
    # 000: "恰好一年前的今天" one year after 2025-02-18.
    assert sources["000_7c5097132c13a0fc.txt"].published == dt.date(2026, 2, 18)
    shares = load_shares(REPO / "shares.csv")
    for counts in shares.values():
        for count in counts:
            assert count.url.startswith("https://") and count.form and count.quote, count
    offers = load_reference_prices(REPO / "reference_prices.csv")
    assert offers["2513.HK"][0].price == 116.20 and offers["2513.HK"][0].kind == "ipo offer price"


def test_a_span_is_measured_at_both_ends_of_its_possible_day_0s(events: EventSet) -> None:
    """Azure launched R1 on one of "1月最后兩天" (Jan 30 or 31): the sensitivity table gives the CARs of the same
    securities for the event written at each end, which a study of those one-day events gives too."""
    azure = events["azure-r1"]
    assert (azure.date, azure.date_end) == (dt.date(2025, 1, 30), dt.date(2025, 1, 31))
    quick = {"tickers": ["NVDA", "TSM"], "baskets": [], "tests": ["cross_sectional_t"], "placebo_replications": 0}
    quick |= {"analyses": []}
    results = EventStudy([azure], **quick).run()  # type: ignore[arg-type]
    table = results.span_sensitivity.set_index(["ticker", "window"])
    assert len(table) == 2 * len(results.spec.event_windows)
    assert (table["day_zero_first"] == pd.Timestamp("2025-01-30")).all()
    assert (table["day_zero_last"] == pd.Timestamp("2025-01-31")).all() and (table["window_extension"] == 1).all()
    study_car = results.car.set_index(["ticker", "window"])["car"]
    pd.testing.assert_series_equal(table["car"], study_car.loc[table.index], check_names=False)
    for bound, day in (("first", "2025-01-30"), ("last", "2025-01-31")):
        one_day = Event(id="azure", date=day, title=azure.title)
        expected = EventStudy([one_day], **quick).run().car.set_index(["ticker", "window"])  # type: ignore[arg-type]
        expected = expected.loc[table.index]
        np.testing.assert_allclose(table[f"car_{bound}"], expected["car"], rtol=1e-12, atol=0)
        np.testing.assert_allclose(table[f"p_{bound}"], expected["p_value"], rtol=1e-12, atol=0)
    signs = np.sign(table["car_first"]) == np.sign(table["car_last"])
    assert (table["same_sign"].astype(bool) == signs).all()
    # A study without spans has nothing to add, and the table can be turned off.
    off = EventStudy([azure], span_sensitivity=False, **quick).run()  # type: ignore[arg-type]
    assert off.span_sensitivity.empty and list(off.span_sensitivity.columns) == list(COLUMNS["span_sensitivity"])
