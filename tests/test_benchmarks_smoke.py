"""The benchmark scripts still run: each one on a tiny configuration, checking that its key lines are printed.

No figure is asserted (timings belong in ``benchmarks/README.md``, not in tests). The comparison with the PyPI package
``eventstudy==0.1a12`` runs only where its separate virtual environment exists (never in CI).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from eventstudy.statistics import TESTS

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "benchmarks"
PYPI_PYTHON = Path("/tmp/venv-pypi-es/bin/python")


def run_script(name: str, *arguments: str) -> str:
    """Run ``benchmarks/<name>`` with ``arguments`` in a fresh interpreter and return its standard output."""
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


@pytest.fixture
def one_event(tmp_path: Path) -> Path:
    """An events file with the first day-precision event of ``events.csv`` only."""
    with (REPO / "events.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    chosen = next(row for row in rows if row["date_precision"] == "day")
    path = tmp_path / "one_event.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(chosen))
        writer.writeheader()
        writer.writerow(chosen)
    return path


def test_speed_runs_on_a_tiny_configuration(one_event: Path) -> None:
    sizes = ["--securities", "6", "--events", "5", "--days", "300", "--real-events", str(one_event)]
    pypi = ["--pypi-securities", "3", "--pypi-events", "2", "--pypi-days", "300", "--pypi-python", str(PYPI_PYTHON)]
    output = run_script("speed.py", *sizes, *(pypi if PYPI_PYTHON.exists() else ["--skip-pypi"]))
    assert "6 securities x 5 events = 30 pairs" in output
    assert "fit alone: peak memory" in output and "with_residuals=True: peak memory" in output
    assert "residual path / fit alone, first calls: wall" in output
    assert "EventStudy(load_events('one_event.csv')).run() on the real snapshot" in output
    if PYPI_PYTHON.exists():
        assert "inputs identical (CSV read back bit for bit): True" in output
        assert "max |AR diff|" in output
        assert "AR and CAR agree to 1e-08: yes" in output
    else:
        assert "PyPI eventstudy comparison: skipped" in output


def test_size_power_runs_on_a_tiny_configuration() -> None:
    output = run_script("size_power.py", "--samples", "4", "--n", "5", "--replications", "9", "--inject", "0.01")
    assert "clustered event dates (one random date per sample)" in output
    assert "non-clustered event dates (one random date per security)" in output
    assert "Kolari-Pynnönen check" in output
    for name in TESTS:
        assert name in output


def test_analyses_runs_on_a_tiny_configuration(one_event: Path) -> None:
    arguments = ["--events", str(one_event), "--repeat", "1", "--garch-pairs", "3", "--session", "cli"]
    output = run_script("analyses.py", *arguments)
    assert "CPU seconds of EventStudy.run() in a fresh process (report modules imported first" in output
    for step in ("fitting and summarizing the pairs", "abnormal volume", "buy-and-hold abnormal returns"):
        assert step in output
    assert "the analyses add" in output and "of the study's CPU (budget 25%)" in output
    assert "eventstudy.models.garch:" in output and "ms per pair" in output


def test_whole_run_runs_on_a_tiny_configuration(one_event: Path) -> None:
    output = run_script("whole_run.py", "--scale", "1x", "--real-events", str(one_event), "--synthetic", "8x2")
    assert "1x, real study (one_event.csv, packaged snapshot)" in output
    assert "(target <= 6 s:" in output
    assert "synthetic 8 stocks x 2 events: 24 pairs" in output
    for phase in ("fitting 24 pairs in 1 chunk(s), in-process", "testing", "writing the report"):
        assert phase in output
    assert "peak memory (RSS high-water mark, ru_maxrss)" in output


def test_dask_scale_runs_on_a_tiny_configuration() -> None:
    pytest.importorskip("dask.distributed")
    output = run_script("dask_scale.py", "--securities", "12", "--events", "4", "--extrapolate", "1000000")
    assert "12 securities x 4 events = 48 pairs" in output
    assert "first pass: fit and summarize every chunk" in output
    assert output.count("peak memory") == 3  # two workers and this process
    assert "extrapolated to 1,000,000 pairs" in output


def test_report_benchmark_runs_on_a_tiny_synthetic_study() -> None:
    output = run_script("report.py", "--skip-real", "--securities", "8", "--events", "3", "--days", "300")
    assert "synthetic study (8 securities x 3 events)" in output
    assert "write_report CPU" in output and "event pages: largest" in output
