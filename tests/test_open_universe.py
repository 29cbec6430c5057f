"""End to end, offline: minimal events files and tickers outside the packaged universe give the packaged numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from eventstudy import CsvDirectorySource, EventStudy, load_events, load_universe
from eventstudy.cli import app
from eventstudy.defaults import DEFAULT_EVENT_WINDOWS
from eventstudy.events import Event, EventSet
from eventstudy.prices import SnapshotSource
from eventstudy.results import EventStudyResults
from eventstudy.universe import UniverseError

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()
DAY_EVENTS = ["deepseek-r1", "kimi-k1-5"]
#: Kept small to stay fast: one test, no placebo, no baskets.
QUICK = {"tests": ["cross_sectional_t"], "placebo_replications": 0, "baskets": []}


def run(events: EventSet, tickers: list[str], **options: object) -> EventStudyResults:
    return EventStudy(events, tickers=tickers, **(QUICK | options)).run()  # type: ignore[arg-type]


def numbers(results: EventStudyResults) -> tuple[pd.DataFrame, pd.DataFrame]:
    """AR and CAR rows, without the columns naming the security (compared across tickers)."""
    return results.ar.drop(columns=["ticker", "group"]), results.car.drop(columns=["ticker", "group"])


def write_columns(source: Path, path: Path, ids: list[str], columns: list[str]) -> Path:
    """The rows ``ids`` of the events file ``source`` with only ``columns``."""
    with source.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["id"] in ids]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def repository() -> EventSet:
    return load_events(REPO / "events.csv")


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory, repository: EventSet) -> Path:
    """A full-format events file: two events of the repository's file dated to the day, and two announced at a known
    time (every column filled, precision given)."""
    folder = tmp_path_factory.mktemp("full")
    timed = [
        Event(
            id="glm-5-at-23",
            date="2026-02-11",
            time="23:00",
            timezone="Asia/Shanghai",
            date_precision="exact",
            title="GLM-5 released",
            title_zh="GLM-5发布",
            actor="Zhipu AI",
            category="release",
            notes="a test time",
        ),
        Event(
            id="crash-at-open",
            date="2025-01-27",
            time="09:30",
            timezone="America/New_York",
            date_precision="exact",
            title="NVIDIA falls",
            actor="market",
            category="market",
        ),
    ]
    EventSet([*(repository[event_id] for event_id in DAY_EVENTS), *timed]).to_csv(folder / "events.csv")
    return folder / "events.csv"


@pytest.mark.parametrize(
    ("ids", "columns"),
    [
        (DAY_EVENTS, ["id", "date", "title"]),
        ([*DAY_EVENTS, "glm-5-at-23", "crash-at-open"], ["id", "date", "time", "timezone", "title"]),
    ],
)
def test_a_minimal_events_file_gives_the_numbers_of_the_full_format(
    ids: list[str], columns: list[str], full: Path, tmp_path: Path
) -> None:
    complete = load_events(full)
    minimal = load_events(write_columns(full, tmp_path / "minimal.csv", ids, columns))
    assert [event.date_precision for event in minimal] == [complete[event_id].date_precision for event_id in ids]
    expected = run(EventSet(complete[event_id] for event_id in ids), ["NVDA", "0700.HK"], prices=SnapshotSource())
    got = run(minimal, ["NVDA", "0700.HK"], prices=SnapshotSource())
    assert len(got.car) == len(ids) * 2 * len(DEFAULT_EVENT_WINDOWS)  # every event on both securities and window
    for mine, theirs in zip(numbers(got), numbers(expected), strict=True):
        pd.testing.assert_frame_equal(mine, theirs)


@pytest.fixture(scope="module")
def renamed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A price folder with NVDA's packaged prices as NVDX, SPY's as SPY and as SPYX."""
    folder = tmp_path_factory.mktemp("renamed")
    snapshot = SnapshotSource()
    for source, target in (("NVDA", "NVDX"), ("SPY", "SPY"), ("SPY", "SPYX")):
        frame = snapshot.history(source).reset_index()
        frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
        frame.to_csv(folder / f"{target}.csv", index=False)
    return folder


def test_a_ticker_outside_the_universe_is_studied_against_its_suffix_benchmark(
    renamed: Path, repository: EventSet
) -> None:
    events = EventSet(repository[event_id] for event_id in ["nvidia-crash", "deepseek-r1"])
    expected = run(events, ["NVDA"], prices=SnapshotSource())
    got = run(events, ["NVDX"], prices=CsvDirectorySource(renamed))  # NVDX: no suffix -> XNYS -> SPY
    pairs = got.pairs.set_index("event_id")
    assert (pairs["ticker"] == "NVDX").all() and (pairs["benchmark"] == "SPY").all()
    assert (pairs["group"] == "other").all() and (pairs["exchange"] == "XNYS").all()
    for mine, theirs in zip(numbers(got), numbers(expected), strict=True):
        pd.testing.assert_frame_equal(mine, theirs)
    # The crash day itself: NVDA's published closes, US$118.42 on 2025-01-27 down from US$142.62 (Nasdaq; e.g.
    # Reuters, 2025-01-27).
    day0 = got.ar[(got.ar["event_id"] == "nvidia-crash") & (got.ar["day"] == 0)].iloc[0]
    assert day0["return"] == pytest.approx(118.42 / 142.62 - 1, abs=5e-4)


def test_a_user_universe_file_names_the_benchmark(renamed: Path, repository: EventSet, tmp_path: Path) -> None:
    universe = tmp_path / "universe.csv"
    universe.write_text("ticker,benchmark\nNVDX,SPYX\n", encoding="utf-8")
    events = EventSet([repository["nvidia-crash"]])
    expected = run(events, ["NVDA"], prices=SnapshotSource())
    got = run(events, ["NVDX"], prices=CsvDirectorySource(renamed), universe=load_universe(universe))
    assert got.pairs["benchmark"].tolist() == ["SPYX"]
    for mine, theirs in zip(numbers(got), numbers(expected), strict=True):
        pd.testing.assert_frame_equal(mine, theirs)


def test_an_unknown_suffix_is_refused_naming_the_ticker(repository: EventSet) -> None:
    with pytest.raises(UniverseError, match=r"ticker 'NVDA.XX': unknown Yahoo Finance suffix '\.XX'"):
        EventStudy([repository["nvidia-crash"]], tickers=["NVDA.XX"])


def test_the_cli_studies_one_event_on_a_ticker_of_a_price_folder(
    renamed: Path, repository: EventSet, tmp_path: Path
) -> None:
    """``eventstudy run --event ... --prices DIR``: no events file, a ticker outside the universe, NVDA's numbers."""
    out = tmp_path / "reports"
    arguments = ["run", "--event", "2025-01-20", "--title", "DeepSeek-R1 released", "--tickers", "NVDX"]
    arguments += ["--prices", str(renamed), "--offline", "--no-baskets", "--out", str(out)]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    pairs = pd.read_csv(out / "pairs.csv")
    assert pairs[["event_id", "ticker", "benchmark", "exchange"]].values.tolist() == [
        ["deepseek-r1-released", "NVDX", "SPY", "XNYS"]
    ]
    expected = run(EventSet([repository["deepseek-r1"]]), ["NVDA"], prices=SnapshotSource()).car
    car = pd.read_csv(out / "car.csv")
    assert car["window"].tolist() == expected["window"].tolist()
    # The CSV files hold 10 significant digits.
    np.testing.assert_allclose(car["car"], expected["car"], rtol=1e-9, atol=0)
    np.testing.assert_allclose(car["p_value"], expected["p_value"], rtol=1e-9, atol=0)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--event", "2026-03-02 21:30"], "--event needs --title"),
        (["--event", "2026-03-02 21:30", "--title", "T"], "--event '2026-03-02 21:30': a time of day needs its IANA"),
        (["--event", "2026-03-02 21:30 Mars/Base", "--title", "T"], "is not an IANA time zone"),
        (["--event", "2026-02-30", "--title", "T"], "--event '2026-02-30': "),
        (["--event", "2026-03-02", "--title", "T", "--id", "Not A Slug"], "--id: must be a slug"),
        (["--title", "T"], "give an events file or one --event"),
        ([str(REPO / "events.csv"), "--event", "2026-03-02", "--title", "T"], "not both"),
    ],
)
def test_a_bad_one_off_event_exits_1_naming_the_option(arguments: list[str], message: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", *arguments, "--offline", "--out", str(tmp_path / "r")])
    assert result.exit_code == 1, result.output
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "r").exists()


def test_a_ticker_without_prices_is_named_with_what_to_do(tmp_path: Path) -> None:
    """A ticker no offline source has: the run says which and how to get it (online, or --prices)."""
    out = tmp_path / "reports"
    arguments = ["run", "--event", "2025-01-20", "--title", "R1", "--tickers", "NVDA,ZZZZ", "--offline"]
    result = runner.invoke(app, [*arguments, "--no-baskets", "--out", str(out)])
    assert result.exit_code == 0, result.output
    pairs = pd.read_csv(out / "pairs.csv", keep_default_na=False).set_index("ticker")
    assert pairs.loc["NVDA", "status"] == "ok" and pairs.loc["ZZZZ", "status"] == "not estimable"
    assert pairs.loc["ZZZZ", "reason"].endswith(
        "ZZZZ: not in any offline price source (cache, snapshot); "
        "fetch it from Yahoo Finance (run online) or give its prices (--prices DIR)"
    )
    assert "ZZZZ" in result.output
