"""``eventstudy run`` end to end on the repository's events and the packaged snapshot, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from eventstudy.cli import app
from eventstudy.columns import COLUMNS
from eventstudy.prices import SnapshotSource
from eventstudy.results import ANALYSIS_TABLES

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "reports"
    result = runner.invoke(app, ["run", str(REPO / "events.csv"), "--offline", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Most significant CAR (0,+1)" in result.output and f"Report: {out / 'index.html'}" in result.output
    return out


def test_the_crash_day_hits_nvda_tsm_and_asml(report: Path) -> None:
    car = pd.read_csv(report / "car.csv")
    day0 = car[(car["event_id"] == "nvidia-crash") & (car["window"] == "(0,0)")].set_index("ticker")
    assert day0.loc["NVDA", "car"] < -0.10 and day0.loc["NVDA", "p_value"] < 0.01
    assert day0.loc["TSM", "car"] < -0.05
    assert day0.loc["ASML", "car"] < 0
    # R1's own day 0 (2025-01-21 in New York) was not the shock: the market needed a week.
    r1 = car[(car["event_id"] == "deepseek-r1") & (car["window"] == "(0,0)")].set_index("ticker")
    assert abs(r1.loc["NVDA", "car"]) < 0.05


def test_run_json_records_configuration_inputs_and_coverage(report: Path) -> None:
    run = json.loads((report / "run.json").read_text(encoding="utf-8"))
    assert run["configuration"]["model"] == "market" and run["configuration"]["estimation_window"] == [-250, -11]
    assert len(run["inputs"]["events_sha256"]) == 64
    assert run["prices"]["sources"] == "cache -> snapshot"
    # Coverage records the last price the sources hold of a series: SenseTime's snapshot ends months before NVDA's.
    last = SnapshotSource().history("0020.HK").index[-1]
    assert run["prices"]["coverage"]["0020.HK"]["last"] == f"{last.date()}"
    # Every (studied event, security) is a pair or is skipped with its reason; events without a day 0 give no pair.
    pairs = pd.read_csv(report / "pairs.csv")
    skipped = pd.read_csv(report / "skipped.csv", keep_default_na=False)
    per_security = skipped[skipped["ticker"] != ""]
    rows = pd.concat([pairs[["event_id", "ticker"]], per_security[["event_id", "ticker"]]])
    assert not rows.duplicated().any()
    assert (rows.groupby("event_id").size() == pairs["ticker"].nunique()).all()
    assert run["counts"]["pairs"] == len(pairs)
    whole = skipped[skipped["ticker"] == ""]
    assert whole["reason"].str.match("undated: |dated only to a month").all()
    assert not set(whole["event_id"]) & set(rows["event_id"])


def test_same_inputs_give_byte_identical_data_files(report: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    result = runner.invoke(app, ["run", str(REPO / "events.csv"), "--offline", "--out", str(again)])
    assert result.exit_code == 0, result.output
    for name in ("ar.csv", "car.csv", "tests.csv", "caar.csv", "pairs.csv", "skipped.csv"):
        assert (again / name).read_bytes() == (report / name).read_bytes(), name
    for name in ANALYSIS_TABLES:  # the bootstrap of the BHAR tests is seeded too
        assert (again / f"{name}.csv").read_bytes() == (report / f"{name}.csv").read_bytes(), name


def test_the_analyses_are_written_with_their_documented_columns(report: Path) -> None:
    for name in ANALYSIS_TABLES:
        table = pd.read_csv(report / f"{name}.csv")
        assert list(table.columns) == list(COLUMNS[name]) and len(table) > 0, name
    # GARCH beside the OLS model for the timeline securities of study.toml, which the library does not know.
    garch = pd.read_csv(report / "garch.csv")
    assert set(garch["ticker"]) == {"NVDA", "TSM", "ASML"}
    configuration = json.loads((report / "run.json").read_text(encoding="utf-8"))["configuration"]
    assert configuration["garch_tickers"] == ["NVDA", "TSM", "ASML"]
    assert configuration["bhar_windows"] == [[0, 20], [0, 60]]
    assert configuration["formula"] == "car ~ C(group) + C(market) + beta + runup"


def test_own_characteristics_formula_and_long_windows(tmp_path: Path) -> None:
    traits = tmp_path / "traits.csv"
    traits.write_text("ticker,chips\nNVDA,1\nTSM,1\nMSFT,0\nMETA,0\nAMZN,0\n", encoding="utf-8")
    out = tmp_path / "r"
    arguments = ["run", "--event", "2025-01-27", "--title", "NVIDIA crash", "--tickers", "NVDA,TSM,MSFT,META,AMZN"]
    options = ["--characteristics", str(traits), "--formula", "car ~ chips", "--bhar-window", "0,10"]
    result = runner.invoke(app, [*arguments, *options, "--garch-tickers", "NVDA", "--offline", "--out", str(out)])
    assert result.exit_code == 0, result.output
    cross = pd.read_csv(out / "cross_section.csv")
    chips = cross[(cross["window"] == "(0,0)") & (cross["term"] == "chips")].iloc[0]
    car = pd.read_csv(out / "car.csv").query("window == '(0,0)'").set_index("ticker")["car"]
    difference = car[["NVDA", "TSM"]].mean() - car[["MSFT", "META", "AMZN"]].mean()
    assert chips["coef"] == pytest.approx(difference, rel=1e-9) and chips["n"] == 5
    assert set(pd.read_csv(out / "bhar.csv")["window"]) == {"(0,+10)"}
    assert set(pd.read_csv(out / "garch.csv")["ticker"]) == {"NVDA"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--window", "0;1"], "--window '0;1': expected two whole numbers"),
        (["--estimation", "-250,-5"], "must end before the event windows"),
        (["--model", "capm"], "unknown model 'capm'"),
        (["--tickers", "NOPE.XX"], "ticker 'NOPE.XX': unknown Yahoo Finance suffix '.XX'"),
        (["--bhar-window", "0;20"], "--bhar-window '0;20': expected two whole numbers"),
        (["--formula", "car ~ size"], "unknown characteristics ['size']"),
        (["--garch-tickers", "SPY"], "--garch-tickers SPY: not among the studied securities"),
        (["--garch-tickers", "NOPE"], "garch_tickers ['NOPE'] are not in the universe"),
    ],
)
def test_bad_options_exit_1_before_writing(arguments: list[str], message: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["run", str(REPO / "events.csv"), "--offline", "--out", str(tmp_path / "r"), *arguments]
    )
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert not (tmp_path / "r").exists()


def test_a_bad_characteristics_file_exits_1_naming_row_and_column(tmp_path: Path) -> None:
    traits = tmp_path / "traits.csv"
    traits.write_text("ticker,rd\nNVDA,0.1\nTSM,high\n", encoding="utf-8")
    arguments = ["run", str(REPO / "events.csv"), "--offline", "--out", str(tmp_path / "r")]
    result = runner.invoke(app, [*arguments, "--characteristics", str(traits)])
    assert result.exit_code == 1
    assert "row 3, column 'rd': 'high' is not a number" in result.output
    assert not (tmp_path / "r").exists()


def test_a_bad_events_file_exits_1_naming_row_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "events.csv"
    bad.write_text(
        "id,date,timezone,date_precision,title,actor,category\nx,2025-13-01,Asia/Shanghai,day,T,A,release\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["run", str(bad), "--offline", "--out", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert f"{bad}:2: column 'date': value '2025-13-01': is not a calendar date" in result.output
    assert not (tmp_path / "r").exists()
