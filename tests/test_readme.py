"""The README's promises hold: CI runs its test command verbatim, and its Python example runs as written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

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
