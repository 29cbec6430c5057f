"""Events: the project's events.csv against its seed articles, validation, day 0, overlaps, the CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from eventstudy.calendars import CalendarError, get_calendar
from eventstudy.cli import app
from eventstudy.events import (
    COLUMNS,
    Event,
    EventSet,
    EventsFileError,
    EventValidationError,
    Problem,
    UndatedEventError,
    check_events,
    load_events,
)

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
EVENTS_CSV = REPO / "events.csv"
DATA = Path(__file__).resolve().parent / "data" / "events"


def make(**fields: object) -> Event:
    """An event with valid defaults for the fields a test does not care about."""
    values: dict[str, object] = {"id": "x", "date": "2025-01-20", "title": "T", "actor": "A", "category": "release"}
    return Event(**(values | fields))


# --- events.csv ------------------------------------------------------------------------------------------------


# --- loading and validation ------------------------------------------------------------------------------------


def test_four_errors_reported_in_one_run() -> None:
    path = DATA / "four_errors.csv"
    problems = check_events(path)
    found = {(problem.row, problem.column, problem.value) for problem in problems}
    assert found == {
        (1, "title", None),
        (3, "date", "2025-13-27"),
        (4, "id", "deepseek-r1"),
        (5, "timezone", "Asia/Beijing"),
    }
    with pytest.raises(EventsFileError) as caught:
        load_events(path)
    message = str(caught.value)
    assert f"{path}:3: column 'date': value '2025-13-27': " in message
    assert f"{path}:4: column 'id': value 'deepseek-r1': duplicate id; row 2 already uses it" in message
    assert f"{path}:1: column 'title': required column is missing" in message
    assert len(caught.value.problems) == 4


def test_bom_and_crlf_load(tmp_path: Path) -> None:
    text = (
        "id,date,time,timezone,date_precision,title,actor,category\r\n"
        "glm-5,2026-02-11,23:00,Asia/Shanghai,exact,GLM-5,Zhipu AI,release\r\n"
    )
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    [event] = load_events(path)
    assert event.id == "glm-5" and event.time == dt.time(23, 0) and event.category == "release"


def test_excel_semicolon_file_keeps_text_and_extra_columns() -> None:
    events = load_events(DATA / "excel_semicolon.csv")
    assert events.ids == ["script-title", "multiline"]  # the trailing empty Excel rows are skipped
    script = events["script-title"]
    assert script.title == '<script>alert("x")</script>; a "quoted" title'
    assert script.extra == {"url": "https://example.com/a?b=1"}
    assert events["multiline"].title == "Two-line\r\ntitle"
    assert list(events.to_frame().columns)[-1] == "url"


def test_row_numbers_count_spreadsheet_rows(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        'id,date,timezone,date_precision,title,actor,category\na,2025-01-20,UTC,day,"two\nlines",A,release\n\n'
        "b,2025/01/21,UTC,day,B,B,release\n",
        encoding="utf-8",
    )
    [problem] = check_events(path)
    assert (problem.row, problem.column, problem.value) == (4, "date", "2025/01/21")
    assert "YYYY-MM-DD" in problem.reason


def test_duplicate_id_is_reported_on_a_row_with_other_problems(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(
        "id,date,timezone,date_precision,title,actor,category\n"
        "a,2025-01-20,UTC,day,A,A,release\na,2025-01-32,UTC,day,A,A,release\n",
        encoding="utf-8",
    )
    assert [(p.row, p.column) for p in check_events(path)] == [(3, "id"), (3, "date")]


def test_non_utf8_file_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("id,date\n发布,2025-01-20\n".encode("gbk"))
    [problem] = check_events(path)
    assert "UTF-8" in problem.reason and problem.file == str(path)


def test_missing_file_raises() -> None:
    with pytest.raises(FileNotFoundError):
        load_events(DATA / "no-such-file.csv")


# --- Event -----------------------------------------------------------------------------------------------------


def test_event_parses_text_and_infers_precision() -> None:
    event = make(time="23:00", timezone="Asia/Shanghai", tickers="2513.HK; 0100.HK")
    assert event.date == dt.date(2025, 1, 20) and event.time == dt.time(23, 0)
    assert event.date_precision == "exact" and event.timezone == "Asia/Shanghai"
    assert event.tickers == ("2513.HK", "0100.HK")
    assert make().date_precision == "day"
    assert make(time="23:00", timezone="UTC").to_record()["time"] == "23:00"


def test_event_reports_every_problem() -> None:
    with pytest.raises(EventValidationError) as caught:
        make(id="Bad Id", date="2025-02-30", timezone="Asia/Beijing", status="rumour", title="")
    assert {problem.column for problem in caught.value.problems} == {"id", "date", "timezone", "status", "title"}
    assert "column 'timezone': value 'Asia/Beijing'" in str(caught.value)


@pytest.mark.parametrize(
    ("fields", "column"),
    [
        ({"time": "23:00", "timezone": "UTC", "date_precision": "day"}, "date_precision"),
        ({"date_precision": "exact"}, "date_precision"),
        ({"date": "2025-05-14", "date_precision": "month"}, "date"),
        ({"date": "2025-05", "date_precision": "day"}, "date_precision"),
        ({"date": "", "date_precision": "day"}, "date_precision"),
        ({"date_end": "2025-01-22", "date_precision": "day"}, "date_precision"),
        ({"date": "2009-12-31"}, "date"),
        ({"date": "2025-13"}, "date"),
        ({"date": "20.01.2025"}, "date"),
        ({"date": dt.datetime(2025, 1, 20, 20, 0)}, "timezone"),  # a date and a time: the zone is missing
        ({"time": "23:00"}, "timezone"),
        ({"date": "2025-01-20 23:00"}, "timezone"),
        ({"date": "2025-01-20 23:00", "time": "22:00", "timezone": "UTC"}, "time"),
        ({"date_end": "2025-01-19"}, "date_end"),
        ({"date_end": "2025-01"}, "date_end"),
        ({"time_end": "10:00", "timezone": "UTC"}, "time_end"),
        ({"date": "2025-01", "time": "10:00", "timezone": "UTC"}, "time"),
        ({"date": "", "date_end": "2025-01-22"}, "date_end"),
        ({"status": "rumoured"}, "status"),
        ({"id": "a" * 101}, "id"),
        ({"tickers": "NVDA;../../evil"}, "tickers"),
        ({"time": "8pm"}, "time"),
        ({"tickers": "NVDA, AMD"}, "tickers"),
        ({"tickers": "NVDA;TSM;NVDA"}, "tickers"),  # a repeated ticker would be studied twice
        ({"date_precision": "week"}, "date_precision"),
        ({"extra": {"title": "shadow"}}, "title"),
        ({"extra": {"url": 1}}, "url"),
    ],
)
def test_event_rejects(fields: dict[str, object], column: str) -> None:
    with pytest.raises(EventValidationError) as caught:
        make(**fields)
    assert [problem.column for problem in caught.value.problems] == [column]


def test_event_is_frozen_and_hashable() -> None:
    event = make(extra={"url": "u"})
    with pytest.raises(AttributeError):
        event.title = "changed"  # type: ignore[misc]
    assert event == make(extra={"url": "u"}) and len({event, make(extra={"url": "u"})}) == 1
    with pytest.raises(TypeError):
        event.extra["url"] = "v"  # type: ignore[index]


def test_problem_format() -> None:
    problem = Problem("is not a calendar date", "date", "2025-13-27", "events.csv", 3)
    assert str(problem) == "events.csv:3: column 'date': value '2025-13-27': is not a calendar date"
    assert str(Problem("required column is missing", "actor", file="e.csv", row=1)) == (
        "e.csv:1: column 'actor': required column is missing"
    )


# --- EventSet: lookup, day 0, overlaps -------------------------------------------------------------------------


def test_event_set_lookup_and_duplicates() -> None:
    events = EventSet([make(id="a"), make(id="b")])
    assert events["b"].id == "b" and events[0].id == "a" and "a" in events and len(events) == 2
    with pytest.raises(KeyError):
        events["c"]
    with pytest.raises(EventValidationError, match="duplicate id"):
        EventSet([make(id="a"), make(id="a")])


def test_overlap_counts_sessions_of_each_exchange() -> None:
    # Friday 2025-02-14 and Tuesday 2025-02-18: one session apart in New York (Presidents' Day), two in Hong Kong.
    events = EventSet([make(id="fri", date="2025-02-14"), make(id="tue", date="2025-02-18")])
    found = events.overlaps(event_window=(-1, 1), estimation_window=(-30, -5))
    overlaps = found[found["kind"] == "overlap"].set_index(["exchange", "event_id"])
    assert overlaps.loc[("XNYS", "fri"), "sessions_apart"] == 1
    assert overlaps.loc[("XNYS", "fri"), "shared_sessions"] == 2
    assert overlaps.loc[("XNYS", "tue"), "sessions_apart"] == -1
    assert overlaps.loc[("XHKG", "fri"), "sessions_apart"] == 2
    assert overlaps.loc[("XHKG", "fri"), "shared_sessions"] == 1
    assert (found["kind"] == "overlap").all()


def test_contamination_of_the_estimation_window() -> None:
    # 2025-02-24 is five NYSE sessions before 2025-03-03: its window (-6..-4) lies in the later event's (-10, -3).
    events = EventSet([make(id="early", date="2025-02-24"), make(id="late", date="2025-03-03")])
    found = events.overlaps(event_window=(-1, 1), estimation_window=(-10, -3), exchanges=["XNYS"])
    assert found[["event_id", "other_event_id", "kind", "sessions_apart", "shared_sessions"]].values.tolist() == [
        ["late", "early", "contamination", -5, 3]
    ]
    assert found.loc[0, "day_zero"] == pd.Timestamp("2025-03-03")
    shorter = events.overlaps(event_window=(-1, 1), estimation_window=(-20, -5), exchanges=["XNYS"])
    assert shorter["shared_sessions"].tolist() == [2]  # days -6 and -5 of the window (-6..-4) fall in (-20, -5)


def test_overlaps_leave_out_month_events_unless_asked() -> None:
    events = EventSet([make(id="day", date="2025-02-03"), make(id="month", date="2025-02-01", date_precision="month")])
    assert events.overlaps().empty
    assert set(events.overlaps(include_month=True)["kind"]) == {"overlap"}


def test_overlaps_check_window_order() -> None:
    with pytest.raises(ValueError, match="T0 <= T1 < tau1 <= tau2"):
        EventSet([make()]).overlaps(event_window=(-1, 1), estimation_window=(-10, 0))


# --- CLI -------------------------------------------------------------------------------------------------------


def test_cli_list_shows_day_zero_and_its_range_for_spans() -> None:
    result = CliRunner().invoke(app, ["events", "list", str(EVENTS_CSV)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    glm5 = next(line for line in lines if "glm-5" in line)
    # 21:00-02:00 Beijing: New York 08:00-13:00 of the 11th (before its close), Hong Kong after its close of the 11th.
    assert "2026-02-11 21:00 .. 2026-02-12 02:00" in glm5
    assert [cell.strip() for cell in glm5.split("│")[-3:-1]] == ["2026-02-11", "2026-02-12"]
    # 00:00-06:00 Beijing on 2026-04-24 straddles the NYSE close (16:00 New York = 04:00 Beijing in daylight time).
    gpt = next(line for line in lines if "gpt-5-5" in line)
    assert "2026-04-23..2026-04-24" in gpt
    assert "month only" in next(line for line in lines if "deepseek-v2" in line)


def test_cli_check(tmp_path: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(app, ["events", "check", str(EVENTS_CSV)], env={"COLUMNS": "200"})
    assert good.exit_code == 0 and "OK" in good.output
    bad = runner.invoke(app, ["events", "check", str(DATA / "four_errors.csv")], env={"COLUMNS": "200"})
    assert bad.exit_code == 1
    for text in ("title", "2025-13-27", "duplicate id", "Asia/Beijing", "4 problem(s)"):
        assert text in bad.output
    missing = runner.invoke(app, ["events", "list", str(tmp_path / "none.csv")])
    assert missing.exit_code == 1 and "cannot read" in missing.output


def test_cli_prints_titles_as_text(tmp_path: Path) -> None:
    path = tmp_path / "markup.csv"
    path.write_text(
        "id,date,title,actor\nm,2025-01-20,T,[bold]Actor[/bold]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["events", "list", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "[bold]Actor[/bold]" in result.output


# --- the minimal format, spans, month and undated events -------------------------------------------------------

FULL = (
    "id,date,time,timezone,date_end,time_end,date_precision,title,title_zh,actor,category,tickers,source,quote,"
    "notes,date_source,status\n"
    "r1,2025-01-20,,,,,day,DeepSeek-R1,,,,,,,,,reported\n"
    "glm-5,2026-02-11,23:00,Asia/Shanghai,,,exact,GLM-5,,,,,,,,,reported\n"
)


def test_minimal_files_load_to_the_events_of_the_full_format(tmp_path: Path) -> None:
    full = tmp_path / "full.csv"
    full.write_text(FULL, encoding="utf-8")
    expected = load_events(full)
    texts = {
        "id,date,title\nr1,2025-01-20,DeepSeek-R1\n": ["r1"],
        "id,date,time,timezone,title\r\nr1,2025-01-20,,,DeepSeek-R1\r\n"
        "glm-5,2026-02-11,23:00,Asia/Shanghai,GLM-5\r\n": [
            "r1",
            "glm-5",
        ],
        "\ufeffid;title;date;timezone\nr1;DeepSeek-R1;2025-01-20;\nglm-5;GLM-5;2026-02-11 23:00;Asia/Shanghai\n": [
            "r1",
            "glm-5",
        ],
    }
    for number, (text, ids) in enumerate(texts.items()):
        minimal = tmp_path / f"minimal-{number}.csv"
        minimal.write_text(text, encoding="utf-8")
        assert load_events(minimal) == EventSet(expected[event_id] for event_id in ids), text
    assert [event.date_precision for event in expected] == ["day", "exact"]
    assert expected["glm-5"].day_zero("XHKG") == pd.Timestamp("2026-02-12")  # 23:00 Beijing: after the HK close


def test_python_api_in_a_few_lines() -> None:
    event = Event(id="fed-cut", date="2025-09-17 14:00", timezone="America/New_York", title="Fed cuts rates")
    assert event.date_precision == "exact" and event.category == "" and event.status == "reported"
    assert event.day_zero("XNYS") == pd.Timestamp("2025-09-17")  # 14:00 is before the 16:00 close
    assert event.day_zero("XTKS") == pd.Timestamp("2025-09-18")  # 03:00 in Tokyo on the 18th
    earnings = Event(id="earnings", date="2025-05", title="Earnings", category="earnings release")
    assert earnings.date == dt.date(2025, 5, 1) and earnings.date_precision == "month"


def test_a_time_without_a_zone_is_an_error_that_says_so(tmp_path: Path) -> None:
    path = tmp_path / "no-zone.csv"
    path.write_text("id,date,time,title\nglm-5,2026-02-11,23:00,GLM-5\n", encoding="utf-8")
    [problem] = check_events(path)
    assert (problem.row, problem.column) == (2, "timezone")
    assert "a time of day needs its IANA time zone" in problem.reason and "no default" in problem.reason


def test_span_across_the_new_york_close_has_a_range_of_day_zero() -> None:
    # Reported in the small hours (凌晨) of 2025-01-28 in Beijing, between 02:00 and 06:00: 13:00 to 17:00 in New
    # York on the 27th (EST = UTC-5, Beijing = UTC+8), across the 16:00 NYSE close; before the Hong Kong open.
    event = make(date="2025-01-28", time="02:00", date_end="2025-01-28", time_end="06:00", timezone="Asia/Shanghai")
    assert event.date_precision == "span"
    assert event.day_zero_range("XNYS") == (pd.Timestamp("2025-01-27"), pd.Timestamp("2025-01-28"))
    assert event.day_zero_range("XHKG") == (pd.Timestamp("2025-01-28"), pd.Timestamp("2025-01-28"))
    assert event.day_zero("XNYS") == pd.Timestamp("2025-01-27")  # day 0 of the earliest instant


def test_span_of_dates_ends_on_its_last_date_or_the_next_session() -> None:
    # Friday 2025-02-14 to Monday 2025-02-17, Presidents' Day in New York (Hong Kong is open that Monday).
    event = make(date="2025-02-14", date_end="2025-02-17")
    assert event.day_zero_range("XNYS") == (pd.Timestamp("2025-02-14"), pd.Timestamp("2025-02-18"))
    assert event.day_zero_range("XHKG") == (pd.Timestamp("2025-02-14"), pd.Timestamp("2025-02-17"))
    point = make(date="2025-02-14")
    assert point.day_zero_range("XNYS") == (pd.Timestamp("2025-02-14"),) * 2


def test_month_and_undated_events_are_excluded_with_their_reasons() -> None:
    events = EventSet(
        [
            make(id="day"),
            make(id="week", date="2025-02-10", date_end="2025-02-14"),
            make(id="month", date="2025-02"),
            make(id="undated", date="", notes="The article says only 'recently'."),
            make(id="blank", date=""),
            make(id="planned", date="2025-03-03", status="planned"),
        ]
    )
    assert events.daily().ids == ["day", "week", "planned"]
    assert events.daily(include_month=True).ids == ["day", "week", "month", "planned"]
    assert [(event.id, reason) for event, reason in events.excluded()] == [
        ("month", "dated only to a month (include_month_precision)"),
        ("undated", "undated: The article says only 'recently'."),
        ("blank", "undated: no date in the source"),
    ]
    assert [event.id for event, _ in events.excluded(include_month=True)] == ["undated", "blank"]
    with pytest.raises(UndatedEventError, match="'blank' is undated"):
        events["blank"].day_zero("XNYS")
    assert "blank" not in set(events.day_zero_table(["XNYS"])["event_id"])


def test_every_column_round_trips(tmp_path: Path) -> None:
    events = EventSet(
        [
            make(id="exact", date="2025-01-20 20:00", timezone="Asia/Shanghai", tickers="NVDA;0700.HK", actor="X"),
            make(id="span", date="2025-01-28", time="02:00", date_end="2025-01-28", time_end="06:00:30",
                 timezone="Asia/Shanghai", date_source="external: Reuters", extra={"url": "https://a.b/c"}),
            make(id="month", date="2025-02-01", date_precision="month", quote="一 … 二", status="planned"),
            make(id="undated", date="", notes="two\nlines", category="central bank"),
        ]
    )  # fmt: skip
    path = tmp_path / "events.csv"
    events.to_csv(path)
    assert load_events(path) == events
    rows = path.read_text(encoding="utf-8").splitlines()
    assert rows[0] == ",".join([*COLUMNS, "url"])
    assert rows[3].startswith("month,2025-02,,,,,month,")  # a month is written YYYY-MM
    frame = events.to_frame()
    assert frame["date"].isna().tolist() == [False, False, False, True]
    assert frame.loc[1, "date_end"] == pd.Timestamp("2025-01-28")


def test_overlaps_cover_the_whole_span() -> None:
    # The span Mon 2025-02-10 .. Fri 2025-02-14 has the event window (-1, +1) from Fri 7 to Tue 18 February (the
    # 17th is Presidents' Day). Windows (-1, +1) of single days: Tue 18 -> 14th..19th, Wed 19 -> 18th..20th,
    # Thu 20 -> 19th..21st.
    events = EventSet(
        [
            make(id="week", date="2025-02-10", date_end="2025-02-14"),
            make(id="tue", date="2025-02-18"),
            make(id="wed", date="2025-02-19"),
            make(id="thu", date="2025-02-20"),
        ]
    )
    found = events.overlaps(event_window=(-1, 1), estimation_window=(-30, -5), exchanges=["XNYS"])
    overlaps = found[found["kind"] == "overlap"].set_index(["event_id", "other_event_id"])["shared_sessions"]
    assert overlaps[("week", "tue")] == 2 and overlaps[("tue", "week")] == 2  # the 14th and the 18th
    assert overlaps[("week", "wed")] == 1 and overlaps[("wed", "week")] == 1  # the 18th
    assert ("week", "thu") not in overlaps.index and ("thu", "week") not in overlaps.index


def test_ids_must_be_safe_file_names(tmp_path: Path) -> None:
    assert make(id="a" * 100).id == "a" * 100
    path = tmp_path / "long.csv"
    path.write_text(f"id,date,title\n{'a' * 251},2025-01-20,T\n", encoding="utf-8")
    [problem] = check_events(path)
    assert (problem.row, problem.column) == (2, "id") and "longer than 100 characters" in problem.reason


def test_a_header_without_events_is_refused_everywhere(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("id,date,title\n\n", encoding="utf-8")
    [problem] = check_events(path)
    assert problem.row == 2 and "no events" in problem.reason
    runner = CliRunner()
    for command in (["events", "check"], ["events", "list"], ["run", "--offline", "--out", str(tmp_path / "r")]):
        result = runner.invoke(app, [*command[:2], str(path), *command[2:]] if command[0] == "events" else
                               [command[0], str(path), *command[1:]])  # fmt: skip
        assert result.exit_code == 1 and "no events" in result.output, command


def test_check_list_and_run_agree_on_a_day_zero_past_the_calendar(tmp_path: Path) -> None:
    # After the close on the last session New York's calendar has: day 0 would be a session it does not know yet.
    last = get_calendar("XNYS").last_session.date()
    path = tmp_path / "late.csv"
    path.write_text(f"id,date,time,timezone,title\nlate,{last},17:00,America/New_York,Late\n", encoding="utf-8")
    [problem] = check_events(path, exchanges=["XNYS"])
    assert (problem.row, problem.column, problem.value) == (2, "date", str(last))
    assert f"day 0 on XNYS would be after {last}" in problem.reason
    assert {problem.column for problem in check_events(path)} == {"date"}  # New York and Hong Kong both
    runner = CliRunner()
    for arguments in (["events", "check", str(path)], ["events", "list", str(path)]):
        result = runner.invoke(app, arguments, env={"COLUMNS": "200"})
        assert result.exit_code == 1 and "would be after" in result.output, arguments
    run = runner.invoke(app, ["run", str(path), "--offline", "--out", str(tmp_path / "r")])
    assert run.exit_code == 1 and "would be after" in run.output
    with pytest.raises(CalendarError, match="event 'late'"):
        load_events(path, exchanges=()).day_zero_table(["XNYS"])


def test_only_the_calendars_asked_for_bound_the_dates(tmp_path: Path) -> None:
    # Shanghai's calendar ends earlier than New York's (China publishes its holidays a year at a time).
    last = get_calendar("XSHG").last_session.date()
    path = tmp_path / "late.csv"
    path.write_text(f"id,date,title\nlate,{last + dt.timedelta(days=1)},Late\n", encoding="utf-8")
    if last + dt.timedelta(days=1) > get_calendar("XNYS").last_session.date():
        pytest.skip("the installed exchange_calendars ends New York before Shanghai")
    assert check_events(path) == []
    [problem] = check_events(path, exchanges=["XSHG"])
    assert problem.column == "date" and "XSHG" in problem.reason


def test_cli_list_shows_precisions_spans_and_day_zero_ranges(tmp_path: Path) -> None:
    path = tmp_path / "kinds.csv"
    path.write_text(
        "id,date,time,timezone,date_end,title\n"
        "week,2025-02-14,,,2025-02-17,Known to a weekend\n"
        "month,2025-02,,,,Month only\n"
        "undated,,,,,No date\n"
        "exact,2025-01-20,20:00,Asia/Shanghai,,Evening in Beijing\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["events", "list", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") > 3}
    assert "2025-02-14 .. 2025-02-17" in lines["week"] and "2025-02-14..2025-02-18" in lines["week"]
    assert "span" in lines["week"] and "month only" in lines["month"] and "undated" in lines["undated"]
    assert "2025-01-20 20:00 Asia/Shanghai" in lines["exact"] and lines["exact"].rstrip(" │").endswith("2025-01-21")
    check = CliRunner().invoke(app, ["events", "check", str(path)], env={"COLUMNS": "200"})
    assert check.exit_code == 0 and "2 left out of daily studies" in check.output
