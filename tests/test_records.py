"""CSV records: values and files of any size give a problem naming file, row and column, never a traceback."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventstudy import records
from eventstudy.cli import app
from eventstudy.events import EventsFileError, check_events, load_events
from eventstudy.records import FIELD_LIMIT, Problem, read_records

REPO = Path(__file__).resolve().parents[1]
HEADER = "id,date,timezone,date_precision,title,actor,category\n"
ROW = "{id},2025-01-20,Asia/Shanghai,day,{title},DeepSeek,release\n"
runner = CliRunner()


def events_file(tmp_path: Path, *titles: str) -> Path:
    path = tmp_path / "events.csv"
    rows = "".join(ROW.format(id=f"e{number}", title=title) for number, title in enumerate(titles))
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_a_value_over_pythons_default_csv_limit_is_read(tmp_path: Path) -> None:
    """131,073 characters: ``_csv.Error: field larger than field limit`` before; now an ordinary title."""
    title = "x" * (csv.field_size_limit() + 1)
    events = load_events(events_file(tmp_path, title, "short"))
    assert [event.title for event in events] == [title, "short"]
    assert csv.field_size_limit() == 131_072  # the process-wide limit is put back


def test_a_value_over_the_limit_is_one_problem_naming_file_row_and_column(tmp_path: Path) -> None:
    path = events_file(tmp_path, "fine", "y" * (FIELD_LIMIT + 1), "also fine")
    problems = check_events(path)
    assert problems == [
        Problem(
            "value of 1,000,001 characters is longer than the 1,000,000-character limit", "title", None, str(path), 3
        )
    ]
    with pytest.raises(EventsFileError) as caught:
        load_events(path)
    assert f"{path}:3: column 'title': value of 1,000,001 characters" in str(caught.value)
    assert len(str(caught.value)) < 300  # the value itself is not repeated in the message


def test_a_value_at_the_limit_is_read(tmp_path: Path) -> None:
    (event,) = load_events(events_file(tmp_path, "z" * FIELD_LIMIT))
    assert len(event.title) == FIELD_LIMIT


def test_a_long_value_in_a_column_without_header_names_its_position(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(HEADER + ROW.format(id="e1", title="t").rstrip("\n") + "," + "w" * (FIELD_LIMIT + 5) + "\n")
    records_found, problems = read_records(path, ["id"], ["id"])
    assert records_found == []
    assert [(problem.row, problem.column) for problem in problems] == [(2, "number 8 (no header)")]


def test_a_file_over_the_size_limit_is_one_problem_and_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = events_file(tmp_path, "a", "b")
    monkeypatch.setattr(records, "FILE_SIZE_LIMIT", path.stat().st_size - 1)
    found, problems = read_records(path, ["id"], ["id"])
    assert found == []
    assert [str(problem) for problem in problems] == [
        f"{path}: the file is {path.stat().st_size:,} bytes; files over {path.stat().st_size - 1:,} bytes are not "
        "read (split it)"
    ]


def test_long_values_are_shortened_in_messages() -> None:
    problem = Problem("must be a slug", "id", "Q" * 500, "e.csv", 2)
    assert str(problem) == f"e.csv:2: column 'id': value '{'Q' * 40}... (500 characters)': must be a slug"
    assert str(Problem("is empty", "id", "q" * 80)) == f"column 'id': value '{'q' * 80}': is empty"


def test_cli_events_check_and_run_exit_1_on_a_huge_field(tmp_path: Path) -> None:
    path = events_file(tmp_path, "t" * (FIELD_LIMIT + 1))
    checked = runner.invoke(app, ["events", "check", str(path)])
    assert checked.exit_code == 1, checked.output
    assert "1,000,000-character limit" in checked.output
    ran = runner.invoke(app, ["run", str(path), "--offline", "--out", str(tmp_path / "r")])
    assert ran.exit_code == 1, ran.output
    assert f"{path}:2: column 'title': value of 1,000,001 characters" in ran.output
    assert not (tmp_path / "r").exists()


def test_cli_claims_exit_1_on_a_huge_field(tmp_path: Path) -> None:
    claims = tmp_path / "claims.csv"
    header = (REPO / "claims.csv").read_text(encoding="utf-8").splitlines()[0]
    claims.write_text(header + "\n" + "c" * (FIELD_LIMIT + 1) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["claims", str(claims), "--events", str(REPO / "events.csv"), "--offline"])
    assert result.exit_code == 1, result.output
    assert f"{claims}:2: column '{header.split(',')[0]}': value of 1,000,001 characters" in result.output
