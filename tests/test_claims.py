"""Claims: claims.csv against its seed articles, the verdicts on the snapshot, validation, the CLI, the claims page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from browser import artifact_path, chromium_path, render
from typer.testing import CliRunner

from eventstudy import EventStudy
from eventstudy.claims import (
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
    nvda = stated(checked, "nvda-fell-17")
    assert nvda["verdict"] == "confirmed"
    assert nvda["measured_value"] == pytest.approx(-0.16968, abs=5e-5)
    assert nvda["base_date"] == pd.Timestamp("2025-01-24") and nvda["end_date"] == pd.Timestamp("2025-01-27")
    assert nvda["benchmark"] == "SPY" and nvda["benchmark_return"] == pytest.approx(-0.01414, abs=5e-5)
    assert -0.16 < nvda["abnormal_return"] < -0.12  # the market model takes out NVDA's beta times SPY's fall

    more = stated(checked, "nvda-fell-more-17")
    assert more["verdict"] == "approximately"
    assert more["miss"] == pytest.approx(0.00032, abs=2e-5)
    assert "0.03 points short" in more["explanation"]

    tsm = stated(checked, "tsm-fell-more-13")
    assert tsm["verdict"] == "confirmed" and tsm["measured_value"] == pytest.approx(-0.13327, abs=5e-5)
    asml = stated(checked, "asml-fell-5")
    assert asml["verdict"] == "confirmed" and asml["measured_value"] == pytest.approx(-0.05749, abs=5e-5)
    assert "0.75 points from the claimed value, within the tolerance" in asml["explanation"]


def test_abnormal_return_is_the_engines_ar(checked: ClaimsResult, events: EventSet) -> None:
    study = EventStudy(events.daily(), tickers=["NVDA"], tests=[], placebo_replications=0, bootstrap_replications=0)
    ar = study.run().ar
    day_zero = ar[(ar["event_id"] == "nvidia-crash") & (ar["day"] == 0)]["ar"].item()
    assert stated(checked, "nvda-fell-17")["abnormal_return"] == pytest.approx(day_zero, abs=1e-12)


def test_zhipu_nearly_doubled_by_the_articles_date(checked: ClaimsResult) -> None:
    rows = checked.checked[checked.checked["claim_id"] == "zhipu-nearly-doubled"].set_index("window")
    assert list(rows["variant"]) == ["stated", "alternative", "alternative", "alternative"]
    # Stated: the three sessions up to day 0, all before the article (2026-02-18): 402.0 / 203.2 = 1.98x.
    stated_row = rows.loc["(-3,0)"]
    assert stated_row["measured_value"] == pytest.approx(402.0 / 203.2) and stated_row["verdict"] == "confirmed"
    assert not stated_row["after_article"]
    # (0,+3) reaches 2026-02-20, after the article: 2.32x more than doubled, which does not contradict "nearly".
    later = rows.loc["(0,+3)"]
    assert later["after_article"] and later["verdict"] == "confirmed"
    assert later["measured_value"] == pytest.approx(725.0 / 312.4)
    assert "what happened later" in later["explanation"]
    assert rows.loc["(+1,+4)", "measured_value"] == pytest.approx(560.0 / 402.0)
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


def test_hong_kong_market_values(checked: ClaimsResult) -> None:
    minimax = stated(checked, "minimax-above-180bn")
    assert minimax["verdict"] == "confirmed" and minimax["measured_value"] == pytest.approx(588.0 * 309_255_668)
    zhipu = stated(checked, "zhipu-518-to-1792")
    # From the offer price (HK$116.20, 440,230,190 shares at listing) to the close of 2026-02-12, HK$402.0
    # (445,843,090 shares after the over-allotment): 1792亿 - 518亿 is about HK$127.4bn.
    assert zhipu["verdict"] == "confirmed"
    assert zhipu["measured_value"] == pytest.approx(402.0 * 445_843_090 - 116.20 * 440_230_190, rel=1e-9)


def test_concept_stocks_are_not_in_the_data_but_the_proxy_is_checked(checked: ClaimsResult) -> None:
    rows = checked.checked[checked.checked["claim_id"] == "concept-stocks-rose-003"].set_index("variant")
    assert rows.loc["stated", "verdict"] == "not checkable"
    assert "not in the data" in rows.loc["stated", "explanation"]
    # The HK proxy has no return on 2025-01-28 (a half-day session the sources lack) and 2025-02-03: its longest
    # known run still reaches 3, which is enough for "at least 3".
    assert rows.loc["proxy", "verdict"] == "confirmed" and rows.loc["proxy", "measured_value"] >= 3
    assert "no return on 2025-01-28" in rows.loc["proxy", "explanation"]
    assert stated(checked, "us-chips-fell-003")["verdict"] == "confirmed"
    assert "11 of 11 members fell" in stated(checked, "us-chips-fell-003")["explanation"]


def test_summary_is_json_ready(checked: ClaimsResult) -> None:
    summary = checked.summary()
    text = json.dumps(summary, allow_nan=False)
    assert summary["verdicts"] == {"confirmed": 15, "approximately": 1, "contradicted": 0, "not checkable": 2}
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
    assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["claims"]["verdicts"]["approximately"] == 1
    assert "`measured_value`" in (folder / "columns.md").read_text(encoding="utf-8")
    if chromium_path() is None:
        pytest.skip("no Chromium: apt-get install chromium")
    seen = render(folder / "claims.html", screenshot=artifact_path("claims.png"))
    assert seen.console_errors == []
    assert seen.plotly_graphs == seen.rendered_graphs == len(claims.paths) > 10
