"""Claims: claims.csv against its seed articles, the verdicts on the snapshot, validation, the CLI, the claims page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from browser import artifact_path, chromium_path, render
from typer.testing import CliRunner

from eventstudy import EventStudy, load_universe
from eventstudy.calendars import offset_sessions
from eventstudy.claims import (
    VERDICTS,
    Claim,
    ClaimsFileError,
    ClaimsResult,
    ClaimValidationError,
    check_claims,
    load_claims,
    verdict_of,
)
from eventstudy.claims.reference import ReferenceData, load_reference_data
from eventstudy.claims.report import ClaimsExtension
from eventstudy.cli import app
from eventstudy.events import EventSet, load_events
from eventstudy.prices import SnapshotSource
from eventstudy.report import write_report

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
CLAIMS_CSV = REPO / "claims.csv"


@pytest.fixture(scope="module")
def events() -> EventSet:
    return load_events(REPO / "events.csv")


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return load_reference_data(REPO)


@pytest.fixture(scope="module")
def checked(events: EventSet, reference: ReferenceData) -> ClaimsResult:
    return check_claims(load_claims(CLAIMS_CSV, events), events, source_file=CLAIMS_CSV, reference=reference)


def stated(result: ClaimsResult, claim_id: str) -> pd.Series:
    return result.stated.loc[claim_id]


def adjusted_change(ticker: str, base: str, end: str) -> float:
    """The change of the snapshot's adjusted close from the close of ``base`` to that of ``end``."""
    close = SnapshotSource().history(ticker, base, end)["adj_close"]
    return float(close.loc[end] / close.loc[base] - 1.0)


def traded_close(ticker: str, day: pd.Timestamp) -> float:
    """The snapshot's close of ``ticker`` on ``day`` (its adjusted close where it holds no traded close)."""
    row = SnapshotSource().history(ticker, day, day).loc[day]
    return float(row["close"] if np.isfinite(row["close"]) else row["adj_close"])


# --- claims.csv ------------------------------------------------------------------------------------------------


def test_every_quote_is_verbatim_in_its_seed(events: EventSet) -> None:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    seeds = {path.name: path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")}
    assert len(seeds) == 5
    for claim in load_claims(CLAIMS_CSV, events):
        assert claim.source in seeds, f"{claim.id}: source {claim.source!r} is not a seed file"
        for excerpt in claim.quotes:
            assert excerpt in seeds[claim.source], f"{claim.id}: quote not verbatim in {claim.source}: {excerpt}"


def test_claims_csv_has_the_expected_claims(events: EventSet) -> None:
    claims = {claim.id: claim for claim in load_claims(CLAIMS_CSV, events)}
    expected = {
        "nvda-fell-17",
        "nvda-fell-more-17",
        "tsm-fell-more-13",
        "asml-fell-5",
        "nvda-lost-589bn",
        "nvda-lost-600bn-003",
        "us-tech-lost-1tn",
        "zhipu-nearly-doubled",
        "minimax-above-180bn",
        "zhipu-518-to-1792",
        "concept-stocks-rose-003",
        "us-ai-sector-swung-002",
        "nvda-record-000",
    }
    assert expected <= set(claims)
    for claim in claims.values():
        assert claim.quote_en and claim.interpretation and claim.stated_window, claim.id
    assert claims["zhipu-nearly-doubled"].alternatives, "the four-day claim needs its alternative readings"


# --- verdicts on the snapshot ----------------------------------------------------------------------------------


def test_nvidia_tsmc_asml_on_the_crash_day(checked: ClaimsResult) -> None:
    # Day 0 is the crash session, 2025-01-27 in New York; the change runs from the close of the session before.
    nvda = stated(checked, "nvda-fell-17")
    assert nvda["verdict"] == "confirmed"
    assert nvda["base_date"] == pd.Timestamp("2025-01-24") and nvda["end_date"] == pd.Timestamp("2025-01-27")
    assert nvda["measured_value"] == pytest.approx(adjusted_change("NVDA", "2025-01-24", "2025-01-27"), rel=1e-12)
    # Published closes: NVIDIA ended 2025-01-27 at US$118.42, down from US$142.62 (Nasdaq; e.g. Reuters,
    # "Nvidia sheds almost $600 billion in market cap", 2025-01-27): -16.97%.
    assert nvda["measured_value"] == pytest.approx(118.42 / 142.62 - 1, abs=5e-5)
    assert nvda["benchmark"] == "SPY"
    assert nvda["benchmark_return"] == pytest.approx(adjusted_change("SPY", "2025-01-24", "2025-01-27"), rel=1e-12)
    assert -0.16 < nvda["abnormal_return"] < -0.12  # the market model takes out NVDA's beta times SPY's fall

    # "fell more than 17%" (<= -17%, tolerance 0.5 points): short of it by the distance from -17%.
    more = stated(checked, "nvda-fell-more-17")
    assert more["verdict"] == "approximately"
    assert more["miss"] == pytest.approx(nvda["measured_value"] - more["claimed_value"], rel=1e-9)
    assert 0 < more["miss"] <= more["tolerance"]
    assert f"{100 * more['miss']:.2f} points short" in more["explanation"]

    tsm = stated(checked, "tsm-fell-more-13")
    assert tsm["verdict"] == "confirmed"
    assert tsm["measured_value"] == pytest.approx(adjusted_change("TSM", "2025-01-24", "2025-01-27"), rel=1e-12)
    assert tsm["measured_value"] <= tsm["claimed_value"]
    asml = stated(checked, "asml-fell-5")
    assert asml["verdict"] == "confirmed"
    assert asml["measured_value"] == pytest.approx(adjusted_change("ASML", "2025-01-24", "2025-01-27"), rel=1e-12)
    distance = abs(asml["measured_value"] - asml["claimed_value"])
    assert distance <= asml["tolerance"]
    assert f"{100 * distance:.2f} points from the claimed value, within the tolerance" in asml["explanation"]


def test_abnormal_return_is_the_engines_ar(checked: ClaimsResult, events: EventSet) -> None:
    study = EventStudy(events.daily(), tickers=["NVDA"], tests=[], placebo_replications=0, bootstrap_replications=0)
    ar = study.run().ar
    day_zero = ar[(ar["event_id"] == "nvidia-crash") & (ar["day"] == 0)]["ar"].item()
    assert stated(checked, "nvda-fell-17")["abnormal_return"] == pytest.approx(day_zero, abs=1e-12)


def test_zhipu_nearly_doubled_by_the_articles_date(checked: ClaimsResult) -> None:
    rows = checked.checked[checked.checked["claim_id"] == "zhipu-nearly-doubled"].set_index("window")
    assert list(rows["variant"]) == ["stated", "alternative", "alternative", "alternative"]
    day_zero = pd.Timestamp("2026-02-12")  # GLM-5 came out late on 2026-02-11 in Beijing, after Hong Kong closed

    def ratio(tau1: int, tau2: int) -> float:
        """Close of day tau2 over the close of the session before day tau1, on the Hong Kong calendar."""
        base, end = offset_sessions("XHKG", day_zero, [tau1 - 1, tau2])
        return 1.0 + adjusted_change("2513.HK", str(base.date()), str(end.date()))

    # Stated: the three sessions up to day 0, all before the article (2026-02-18): nearly doubled (>= 1.9x).
    stated_row = rows.loc["(-3,0)"]
    assert stated_row["measured_value"] == pytest.approx(ratio(-3, 0), rel=1e-12)
    assert stated_row["verdict"] == "confirmed" and stated_row["measured_value"] >= 1.9
    assert not stated_row["after_article"]
    # (0,+3) reaches past the article: more than doubled, which does not contradict "nearly".
    later = rows.loc["(0,+3)"]
    assert later["after_article"] and later["verdict"] == "confirmed"
    assert later["measured_value"] == pytest.approx(ratio(0, 3), rel=1e-12) and later["measured_value"] > 2
    assert "what happened later" in later["explanation"]
    assert rows.loc["(+1,+4)", "measured_value"] == pytest.approx(ratio(1, 4), rel=1e-12)
    assert rows.loc["(+1,+4)", "measured_value"] < 1.9 - 0.1  # beyond the tolerance of "nearly doubled"
    assert rows.loc["(+1,+4)", "verdict"] == "contradicted"


def test_nvidias_market_value_loss_from_a_cited_share_count(checked: ClaimsResult, reference: ReferenceData) -> None:
    # NVIDIA's 10-Q filed 2024-11-20 (cover page): 24,490 million shares outstanding as of 2024-11-15.
    count = reference.shares_as_of("NVDA", dt.date(2025, 1, 24))
    assert count is not None and count.shares == 24_490_000_000 and count.as_of == dt.date(2024, 11, 15)
    assert count.form.startswith("10-Q") and count.url.startswith("https://")
    prices = SnapshotSource().history("NVDA", "2025-01-24", "2025-01-27")
    close = prices["close"].where(prices["close"].notna(), prices["adj_close"])  # the snapshot has no traded close
    loss = (close.loc["2025-01-27"] - close.loc["2025-01-24"]) * count.shares
    row = stated(checked, "nvda-lost-589bn")
    assert row["measured_value"] == pytest.approx(loss, rel=1e-12)
    assert -592e9 < loss < -590e9
    # 589亿美元 (US$589bn): the share count is known to about 0.6%, so the tolerance is US$5bn.
    assert row["tolerance"] == 5e9 and abs(loss - row["claimed_value"]) <= row["tolerance"]
    assert row["verdict"] == "confirmed" and "24,490,000,000 shares as of 2024-11-15" in row["value_source"]


def test_the_record_is_checked_against_every_security_with_share_counts(checked: ClaimsResult) -> None:
    for claim_id in ("nvda-record-000", "nvda-record-002", "nvda-record-003", "nvda-record-004"):
        row = stated(checked, claim_id)
        assert row["verdict"] == "confirmed", claim_id
        assert "the largest other one-day loss among" in row["explanation"]
    # Seed 003 was written by 2025-02-14: only the losses up to then count, the largest other one NVIDIA's own.
    assert (
        "up to the article's date 2025-02-14: NVDA on 2025-01-07" in stated(checked, "nvda-record-003")["explanation"]
    )


def test_hong_kong_market_values(checked: ClaimsResult, events: EventSet, reference: ReferenceData) -> None:
    # Market value = close x the latest share count of shares.csv (each quoted from an HKEX announcement).
    day_zero = events["minimax-m2-5"].day_zero("XHKG")
    count = reference.shares_as_of("0100.HK", day_zero.date())
    assert count is not None and count.url.startswith("https://www1.hkexnews.hk/")
    minimax = stated(checked, "minimax-above-180bn")
    assert minimax["measured_value"] == pytest.approx(traded_close("0100.HK", day_zero) * count.shares, rel=1e-12)
    assert minimax["verdict"] == "confirmed" and minimax["measured_value"] >= 180e9
    # From the offer price (reference_prices.csv, the HKEX allotment results) times the shares at listing, to the
    # close of 2026-02-12 times the shares after the over-allotment: 1792亿 - 518亿 is about HK$127.4bn.
    offer = reference.offer_price("2513.HK")
    assert offer is not None and offer.url.startswith("https://www1.hkexnews.hk/")
    end = pd.Timestamp("2026-02-12")
    at_offer, at_end = reference.shares_as_of("2513.HK", offer.date), reference.shares_as_of("2513.HK", end.date())
    assert at_offer is not None and at_end is not None and at_offer.shares != at_end.shares
    zhipu = stated(checked, "zhipu-518-to-1792")
    assert zhipu["verdict"] == "confirmed"
    change = traded_close("2513.HK", end) * at_end.shares - offer.price * at_offer.shares
    assert zhipu["measured_value"] == pytest.approx(change, rel=1e-12)
    assert abs(change - 127.4e9) <= zhipu["tolerance"]


def test_concept_stocks_are_not_in_the_data_but_the_proxy_is_checked(checked: ClaimsResult) -> None:
    rows = checked.checked[checked.checked["claim_id"] == "concept-stocks-rose-003"].set_index("variant")
    assert rows.loc["stated", "verdict"] == "not checkable"
    assert "not in the data" in rows.loc["stated", "explanation"]
    # The HK proxy has no return on 2025-01-28 (a half-day session the sources lack) and 2025-02-03: its longest
    # known run still reaches 3, which is enough for "at least 3".
    assert rows.loc["proxy", "verdict"] == "confirmed" and rows.loc["proxy", "measured_value"] >= 3
    assert "no return on 2025-01-28" in rows.loc["proxy", "explanation"]
    # US chip stocks on the crash day: the members of the universe's group whose close fell from 2025-01-24.
    chips = stated(checked, "us-chips-fell-003")
    members = [security.ticker for security in load_universe() if security.group == "US semiconductors"]
    fell = sum(adjusted_change(ticker, "2025-01-24", "2025-01-27") < 0 for ticker in members)
    assert chips["verdict"] == "confirmed"
    assert f"{fell} of {len(members)} members fell over the window" in chips["explanation"]


def test_summary_is_json_ready(checked: ClaimsResult, events: EventSet) -> None:
    summary = checked.summary()
    text = json.dumps(summary, allow_nan=False)
    # One stated verdict per claim of claims.csv, every verdict listed (zero where none).
    tally = checked.stated["verdict"].value_counts()
    assert summary["verdicts"] == {verdict: int(tally.get(verdict, 0)) for verdict in VERDICTS}
    assert sum(summary["verdicts"].values()) == len(load_claims(CLAIMS_CSV, events)) == len(checked.stated)
    assert len(summary["sha256"]) == 64 and "nvda-fell-more-17" in text


# --- rules and validation --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comparison", "measured", "verdict"),
    [
        ("<=", -0.18, "confirmed"),
        ("<=", -0.1697, "approximately"),
        ("<=", -0.16, "contradicted"),
        (">=", -0.17, "confirmed"),
        (">=", -0.1749, "approximately"),
        ("about", -0.165, "confirmed"),
        ("about", -0.1751, "contradicted"),
    ],
)
def test_verdict_rules(comparison: str, measured: float, verdict: str) -> None:
    assert verdict_of(comparison, -0.17, 0.005, measured)[0] == verdict


def test_claim_validation_lists_every_problem() -> None:
    with pytest.raises(ClaimValidationError) as caught:
        Claim(
            id="Bad Id",
            event_id="x",
            source="s.txt",
            quote="q",
            claim_type="return",
            securities="NVIDIA",
            tickers="NVDA;TSM",
            window="3,1",
            comparison="~",
            claimed_value="seventeen",
            unit="percent",
            interpretation="i",
        )
    columns = {problem.column for problem in caught.value.problems}
    assert columns == {"id", "window", "comparison", "claimed_value", "unit", "tickers"}


def test_bad_claims_file_reports_file_row_column_value(tmp_path: Path, events: EventSet) -> None:
    header = "id,event_id,source,quote,claim_type,securities,tickers,window,comparison,claimed_value,unit,"
    header += "interpretation,typo"
    rows = [
        "a,nvidia-crash,s.txt,q,return,NVIDIA,NVDA,0,about,-0.17,fraction,i,",
        'a,no-such-event,s.txt,q,return,NVIDIA,NVDA,"0,0",about,-0.17,fraction,i,',
        'b,nvidia-crash,s.txt,q,price_ratio,Zhipu,2513.HK,"0,3",about,2,fraction,i,',
        'c,deepseek-v2,s.txt,q,return,NVIDIA,NVDA,"0,0",about,-0.17,fraction,i,',
    ]
    path = tmp_path / "claims.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(ClaimsFileError) as caught:
        load_claims(path, events)
    found = {(problem.row, problem.column) for problem in caught.value.problems}
    assert (1, "typo") in found  # unknown column
    assert (2, "window") in found  # '0' is not a window
    assert (3, "id") in found and (3, "event_id") in found  # duplicate id, unknown event
    assert (4, "unit") in found  # a price ratio is not a fraction
    assert (5, "window") in found  # deepseek-v2 is dated only to a month
    assert f"{path}:3: column 'event_id': value 'no-such-event': no event with this id" in str(caught.value)


# --- command line and report -----------------------------------------------------------------------------------


def test_cli_prints_verdicts_and_exits_0_even_when_contradicted(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["claims", str(CLAIMS_CSV), "--offline", "--explain"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "approximately" in result.output and "contradicted" in result.output
    assert "0.03 points short" in result.output
    bad = tmp_path / "claims.csv"
    bad.write_text("id,event_id\nx,nvidia-crash\n", encoding="utf-8")
    failed = runner.invoke(app, ["claims", str(bad), "--events", str(REPO / "events.csv"), "--offline"])
    assert failed.exit_code == 1


def test_claims_page_renders_offline_and_is_linked(tmp_path: Path, events: EventSet) -> None:
    chosen = EventSet(events[e] for e in ("nvidia-crash", "glm-5", "minimax-m2-5", "deepseek-r1", "deepseek-v3"))
    study = EventStudy(
        chosen, tickers=["NVDA", "TSM", "ASML", "2513.HK", "0100.HK"], placebo_replications=0, bootstrap_replications=19
    )
    results = study.run()
    claims = check_claims(load_claims(CLAIMS_CSV, events), events, results=results, source_file=CLAIMS_CSV)
    index = write_report(results, tmp_path / "report", extensions=[ClaimsExtension(claims)])
    folder = index.parent
    assert "claims.html#claim-nvda-fell-more-17" in index.read_text(encoding="utf-8")
    assert "../claims.html#claim-zhipu-nearly-doubled" in (folder / "events" / "glm-5.html").read_text("utf-8")
    assert "claims.html" not in (folder / "events" / "deepseek-v3.html").read_text(encoding="utf-8")
    checked = pd.read_csv(folder / "claims_checked.csv")
    assert list(checked.columns)[:3] == ["claim_id", "event_id", "source"]
    assert (
        json.loads((folder / "run.json").read_text(encoding="utf-8"))["claims"]["verdicts"] == claims.verdict_counts()
    )
    assert "`measured_value`" in (folder / "columns.md").read_text(encoding="utf-8")
    if chromium_path() is None:
        pytest.skip("no Chromium: apt-get install chromium")
    seen = render(folder / "claims.html", screenshot=artifact_path("claims.png"))
    assert seen.console_errors == []
    assert seen.plotly_graphs == seen.rendered_graphs == len(claims.paths) > 10
