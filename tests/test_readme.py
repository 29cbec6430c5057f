"""The README's promises hold: CI runs its test command verbatim, and its Python example runs as written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from eventstudy.defaults import DEFAULT_EVENT_WINDOWS

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    commands = re.findall(r"^(python3 -m venv .*)$", README, flags=re.MULTILINE)
    assert len(commands) == 2 and commands[0].endswith("eventstudy run events.csv")
    assert commands[1].endswith("python -m pytest")
    assert (REPO / ".ci" / "run").read_text(encoding="utf-8").rstrip().splitlines()[-1] == commands[1]


def test_the_python_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    example = re.search(r"## Python API\n\n```python\n(.*?)```", README, flags=re.DOTALL)
    assert example is not None
    shutil.copy(REPO / "events.csv", tmp_path / "events.csv")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(example.group(1), "README.md", "exec"), namespace)  # the README's own code
    assert "Event study" in capsys.readouterr().out
    assert (tmp_path / "reports" / "index.html").is_file() and (tmp_path / "out" / "car.csv").is_file()
    results = namespace["results"]
    car = results.car_for("nvidia-crash", (0, 0))  # type: ignore[attr-defined]
    assert car.loc["NVDA", "car"] < -0.10
    assert "my-news" in set(results.pairs["event_id"])  # type: ignore[attr-defined]


def test_the_own_event_example_gives_the_numbers_of_the_full_format(
    reference_results: object, capsys: pytest.CaptureFixture
) -> None:
    """Five lines of README for a new event: the same CARs as the event written in full in the events file."""
    example = re.search(r"## Study your own event\n.*?```python\n(.*?)```", README, flags=re.DOTALL)
    assert example is not None
    namespace: dict[str, object] = {}
    exec(compile(example.group(1), "README.md", "exec"), namespace)
    assert "DeepSeek-R1 released" in capsys.readouterr().out
    mine = namespace["results"].car.set_index(["ticker", "window"])  # type: ignore[attr-defined]
    full = reference_results.car  # type: ignore[attr-defined]
    theirs = full[(full["event_id"] == "deepseek-r1") & full["ticker"].isin(["NVDA", "0700.HK"])]
    theirs = theirs.set_index(["ticker", "window"]).loc[mine.index]
    assert len(mine) == 2 * len(DEFAULT_EVENT_WINDOWS)  # NVDA and 0700.HK, every default window
    for column in ("car", "car_se", "t", "p_value", "sq_p_value"):
        np.testing.assert_allclose(mine[column], theirs[column], rtol=1e-12, err_msg=column)
