"""Publishing an output folder: refusals before any work, no user file lost, atomic under kill -9, one run at a time.

The kill and concurrency tests run ``eventstudy/publish.py`` in subprocesses loaded by path (it imports nothing from
eventstudy), so each starts in milliseconds.
"""

from __future__ import annotations

import errno
import fcntl
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import typer

from eventstudy import publish as publish_module
from eventstudy.cli.common import errors_to_exit_codes
from eventstudy.prices import CsvDirectorySource
from eventstudy.publish import MARKER, OutputFolderError, OutputWriteError, check_output_folder, publish
from eventstudy.report import ReportError

REPO = Path(__file__).resolve().parents[1]
PUBLISH = Path(publish_module.__file__)
PARTS, PART_BYTES = 6, 800_000  # a version of some 5 MB, like a report

# A version is index.html and data/part<k>.bin, each starting with "<writer> <number>"; the loop publishes
# numbers start, start + 1, ... and prints each once it is in place. EVENTSTUDY_TEST_DIE_BETWEEN_RENAMES makes the
# two-rename fallback die (os._exit) between its renames, as a kill -9 there would.
PUBLISHER = r"""
import importlib.util, os, pathlib, sys
spec = importlib.util.spec_from_file_location("publish_under_test", sys.argv[1])
publish = importlib.util.module_from_spec(spec)
spec.loader.exec_module(publish)
out, writer, start, count = pathlib.Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
PARTS, PART_BYTES = int(sys.argv[6]), int(sys.argv[7])
if os.environ.get("EVENTSTUDY_TEST_DIE_BETWEEN_RENAMES"):
    publish._renameat2 = lambda: None
    rename = os.rename
    def rename_then_die(source, target):
        rename(source, target)
        if str(target).endswith(".previous"):
            os._exit(9)
    publish.os.rename = rename_then_die

def version(number):
    def write(folder):
        (folder / "data").mkdir()
        for part in range(PARTS):
            head = f"{writer} {number} {part}\n".encode()
            (folder / "data" / f"part{part}.bin").write_bytes(head.ljust(PART_BYTES, b"."))
        (folder / "index.html").write_text(f"{writer} {number}\n")
    return write

for number in range(start, start + count):
    publish.publish(out, version(number), marker_text=f"test folder of {writer}")
    print(number, flush=True)
"""


def publisher(out: Path, writer: str, start: int, count: int, **env: str) -> subprocess.Popen[str]:
    arguments = [str(PUBLISH), str(out), writer, str(start), str(count), str(PARTS), str(PART_BYTES)]
    return subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | env,
    )


def complete_version(out: Path) -> tuple[str, int]:
    """``(writer, number)`` of the version in ``out``, asserting it is whole: every file, none mixed or extra."""
    assert out.is_dir() and not out.is_symlink()
    writer, number = (out / "index.html").read_text(encoding="utf-8").split()
    assert (out / MARKER).read_text(encoding="utf-8").startswith(f"test folder of {writer}\n")
    assert publish_module._foreign_entries(out) == []  # exactly what the manifest lists, unchanged
    assert sorted(path.name for path in out.iterdir()) == sorted([MARKER, "data", "index.html"])
    assert sorted(path.name for path in (out / "data").iterdir()) == [f"part{part}.bin" for part in range(PARTS)]
    for part in range(PARTS):
        data = (out / "data" / f"part{part}.bin").read_bytes()
        assert len(data) == PART_BYTES and data.startswith(f"{writer} {number} {part}\n".encode())
    return writer, int(number)


def version(text: str) -> Callable[[Path], None]:
    """A small version for the in-process tests: index.html holding ``text`` and one file in a subfolder."""

    def write(folder: Path) -> None:
        (folder / "index.html").write_text(text, encoding="utf-8")
        (folder / "events").mkdir()
        (folder / "events" / "e.html").write_text(f"event of {text}", encoding="utf-8")

    return write


def beside(out: Path) -> list[str]:
    """Everything in ``out``'s parent but ``out``: debris, lock files."""
    return sorted(path.name for path in out.parent.iterdir() if path.name != out.name)


# --- refusals before any work ----------------------------------------------------------------------------------


def refusal(out: Path | str, inputs: tuple[Path, ...] = (), placeholder: str | None = None) -> str:
    with pytest.raises(OutputFolderError) as caught:
        check_output_folder(out, inputs, placeholder=placeholder)
    return str(caught.value)


def test_refuses_a_file_the_root_and_an_input(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text("id\n", encoding="utf-8")
    assert refusal(events) == f"--out {events}: is a file, not a folder; give a folder, e.g. --out events-report"
    assert refusal(events, (events,)).startswith(f"--out {events}: is the input {events}, and the output folder is")
    assert refusal("/") == "--out /: is the root of the file system; give a new folder, e.g. --out reports"
    assert events.read_text(encoding="utf-8") == "id\n"


def test_refuses_a_folder_holding_an_input_but_not_one_inside_an_input_folder(tmp_path: Path) -> None:
    prices = tmp_path / "prices"
    prices.mkdir()
    (prices / "NVDA.csv").write_text("date,adj_close\n", encoding="utf-8")
    message = refusal(tmp_path, (tmp_path / "events.csv", prices))
    assert message.startswith(f"--out {tmp_path}: contains the input {tmp_path / 'events.csv'}, and the output")
    assert refusal(prices, (prices,)).startswith(f"--out {prices}: is the input {prices}")
    assert check_output_folder(prices / "report", (prices,)) == prices / "report"


def test_refuses_the_current_folder_its_ancestors_and_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "work" / "here"
    here.mkdir(parents=True)
    monkeypatch.chdir(here)
    assert "is the current folder, and the output folder is replaced as a whole" in refusal(".")
    assert f"contains the current folder {here}" in refusal("..")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(here))
    assert f"is or contains the home folder {here}" in refusal(here)
    assert check_output_folder(here / "reports") == here / "reports"  # a new folder inside home is fine


def test_refuses_a_folder_of_the_users_files_naming_them(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt", "g.txt"):
        (mine / name).write_text(name, encoding="utf-8")
    assert refusal(mine) == (
        f"--out {mine}: is a folder eventstudy did not write ({MARKER} is missing) and holds a.txt, b.txt, c.txt, "
        "d.txt, e.txt and 2 more; the output folder is replaced as a whole; give a new or empty folder, e.g. "
        "--out reports"
    )
    with pytest.raises(OutputFolderError):
        publish(mine, version("new"), marker_text="test")
    assert sorted(path.name for path in mine.iterdir())[0] == "a.txt" and not (mine / "index.html").exists()


def test_refuses_a_path_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    assert f"cannot be created: {blocker} is a file" in refusal(blocker / "report")
    with pytest.raises(OutputFolderError, match="is the root of the file system"):
        publish("/", version("v1"), marker_text="test")
    assert beside(blocker) == []  # refused before anything was made (no lock, no staging folder)


def test_accepts_new_empty_and_placeholder_folders(tmp_path: Path) -> None:
    placeholder = (REPO / "reports" / "README.md").read_text(encoding="utf-8")
    assert check_output_folder(tmp_path / "new") == tmp_path / "new"
    (tmp_path / "empty").mkdir()
    assert check_output_folder(tmp_path / "empty") == tmp_path / "empty"
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "README.md").write_text(placeholder, encoding="utf-8")
    assert check_output_folder(reports, placeholder=placeholder) == reports
    assert "README.md" in refusal(reports)  # without the placeholder text given, it is a user's file
    (reports / "README.md").write_text(placeholder + "my notes\n", encoding="utf-8")
    assert "holds README.md" in refusal(reports, placeholder=placeholder)


def test_the_placeholder_folder_is_replaced_and_its_readme_stays_byte_identical(tmp_path: Path) -> None:
    placeholder = (REPO / "reports" / "README.md").read_text(encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "README.md").write_bytes((REPO / "reports" / "README.md").read_bytes())

    def write(folder: Path) -> None:
        version("v1")(folder)
        (folder / "README.md").write_text(placeholder, encoding="utf-8", newline="\n")

    publish(reports, write, marker_text="test", placeholder=placeholder)
    assert (reports / "README.md").read_bytes() == (REPO / "reports" / "README.md").read_bytes()
    assert (reports / "index.html").read_text(encoding="utf-8") == "v1" and beside(reports) == []


# --- what a published folder may hold -------------------------------------------------------------------------


def test_a_file_dropped_into_a_published_folder_stops_the_next_run_and_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    publish(out, version("v1"), marker_text="test")
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    (out / "events" / "extra").mkdir()
    message = refusal(out)
    assert message == (
        f"--out {out}: holds events/extra, notes.txt, not written by eventstudy or changed since; the output folder "
        "is replaced as a whole, and these would be lost; move them out of the folder, or give another --out"
    )
    with pytest.raises(OutputFolderError, match=r"notes\.txt"):
        publish(out, version("v2"), marker_text="test")
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert (out / "index.html").read_text(encoding="utf-8") == "v1" and beside(out) == []
    (out / "notes.txt").unlink()
    (out / "events" / "extra").rmdir()
    publish(out, version("v2"), marker_text="test")
    assert (out / "index.html").read_text(encoding="utf-8") == "v2"


def test_a_file_changed_in_a_published_folder_stops_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    publish(out, version("v1"), marker_text="test")
    (out / "index.html").write_text("v1 with my edits", encoding="utf-8")
    assert "holds index.html (changed)" in refusal(out)
    (out / "index.html").write_text("v9", encoding="utf-8")  # same size, other bytes
    assert "holds index.html (changed)" in refusal(out)


def test_a_marker_without_a_manifest_is_replaced(tmp_path: Path) -> None:
    """A report written before manifests (its marker is one line): it cannot tell, and is replaced as before."""
    out = tmp_path / "out"
    out.mkdir()
    (out / MARKER).write_text("A report written by eventstudy.report.write_report; replaced as a whole.\n")
    (out / "index.html").write_text("old", encoding="utf-8")
    publish(out, version("v1"), marker_text="test")
    assert (out / "index.html").read_text(encoding="utf-8") == "v1"


# --- symbolic links ---------------------------------------------------------------------------------------------


def test_a_symlinked_out_replaces_its_target_and_stays_a_link(tmp_path: Path) -> None:
    target, link = tmp_path / "real", tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    assert publish(link, version("v1"), marker_text="test") == target  # a link to nothing yet: made there
    publish(link, version("v2"), marker_text="test")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert (target / "index.html").read_text(encoding="utf-8") == "v2"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["link", "real"]


def test_a_symlink_to_a_users_folder_is_refused(tmp_path: Path) -> None:
    documents, link = tmp_path / "documents", tmp_path / "link"
    documents.mkdir()
    (documents / "thesis.tex").write_text("precious", encoding="utf-8")
    link.symlink_to(documents, target_is_directory=True)
    assert "holds thesis.tex" in refusal(link)
    assert (documents / "thesis.tex").read_text(encoding="utf-8") == "precious"


# --- errors while writing ----------------------------------------------------------------------------------------


def test_a_full_disk_is_cannot_write_and_the_old_version_stays(tmp_path: Path) -> None:
    out = tmp_path / "out"
    publish(out, version("v1"), marker_text="test")

    def disk_full(folder: Path) -> None:
        (folder / "index.html").write_text("half", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "assets" / "plotly.min.js"))

    with pytest.raises(OutputWriteError) as caught:
        publish(out, disk_full, marker_text="test")
    assert str(caught.value) == f"cannot write {out / 'assets' / 'plotly.min.js'}: No space left on device"

    def flush_failed(folder: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")  # a failed flush names no file

    with pytest.raises(OutputWriteError, match=rf"^cannot write {out}: No space left on device$"):
        publish(out, flush_failed, marker_text="test")
    assert (out / "index.html").read_text(encoding="utf-8") == "v1" and beside(out) == []


def test_a_read_error_or_a_bug_in_write_is_not_a_write_error(tmp_path: Path) -> None:
    out = tmp_path / "out"

    def reads_a_missing_input(folder: Path) -> None:
        (tmp_path / "absent.css").read_text(encoding="utf-8")

    with pytest.raises(FileNotFoundError):
        publish(out, reads_a_missing_input, marker_text="test")

    def fails(folder: Path) -> None:
        raise ReportError("ticker '../../evil' cannot be a file name")

    with pytest.raises(ReportError):
        publish(out, fails, marker_text="test")
    assert not out.exists() and beside(out) == []


def test_a_second_run_waits_for_the_lock_a_bounded_time(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with (tmp_path / ".out.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        started = time.monotonic()
        with pytest.raises(OutputFolderError, match=r"another run is writing it \(it holds .*\.out\.lock; waited 0.3"):
            publish(out, version("v1"), marker_text="test", lock_timeout=0.3)
        assert 0.3 <= time.monotonic() - started < 2
    assert not out.exists()


# --- debris of killed runs, the two-rename fallback, kill -9, concurrent runs ------------------------------------


def test_debris_of_killed_runs_is_cleaned_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "out"
    publish(out, version("v1"), marker_text="test")
    for name in (".out.k2j4h5g6.partial", ".out.a1b2c3d4.previous"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text("debris", encoding="utf-8")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep", encoding="utf-8")
    (tmp_path / ".out.zzzzzzzz.previous").symlink_to(precious)  # what the old code left for a symlinked --out
    (tmp_path / ".out.b.k2j4h5g6.partial").mkdir()  # the debris of a folder named "out.b": not ours to clean
    publish(out, version("v2"), marker_text="test")
    assert beside(out) == [".out.b.k2j4h5g6.partial", "precious"]
    assert (precious / "keep.txt").read_text(encoding="utf-8") == "keep"


def test_without_renameat2_two_renames_replace_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish_module, "_renameat2", lambda: None)
    out = tmp_path / "out"
    publish(out, version("v1"), marker_text="test")
    publish(out, version("v2"), marker_text="test")
    assert (out / "index.html").read_text(encoding="utf-8") == "v2" and beside(out) == []


def test_a_kill_between_the_two_renames_is_recovered_by_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert publisher(out, "old", 1, 1).wait(30) == 0
    dying = publisher(out, "new", 2, 1, EVENTSTUDY_TEST_DIE_BETWEEN_RENAMES="1")
    assert dying.wait(30) == 9
    assert not out.exists()  # the moment the fallback cannot avoid; the recovery rule below undoes it
    (previous,) = tmp_path.glob(".out.*.previous")
    assert complete_version(previous) == ("old", 1)
    seen: list[tuple[str, int]] = []

    def write(folder: Path) -> None:
        seen.append(complete_version(out))  # by the time the new version is written, the old one is back
        version("v3")(folder)

    publish(out, write, marker_text="test")
    assert seen == [("old", 1)] and (out / "index.html").read_text(encoding="utf-8") == "v3" and beside(out) == []


def test_renameat2_exchanges_folders_on_this_system(tmp_path: Path) -> None:
    """The atomic path is the one taken here (Linux, ext4/tmpfs), so the kill test below tests it."""
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux-only; elsewhere the two-rename fallback is used")
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "x").write_text("a", encoding="utf-8")
    assert publish_module._exchange(first, second) is True
    assert (second / "x").read_text(encoding="utf-8") == "a" and not (first / "x").exists()


def test_kill_9_at_random_moments_leaves_the_old_or_the_new_version_never_neither(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert publisher(out, "w", 0, 1).wait(30) == 0
    rng = random.Random(15)
    last, interrupted = 0, 0
    for _ in range(40):
        running = publisher(out, "w", last + 1, 1000)
        assert running.stdout is not None and running.stdout.readline() == f"{last + 1}\n"  # publishing in a loop
        time.sleep(rng.uniform(0, 0.08))  # one publish of 5 MB takes some 20 ms: the kill falls anywhere in it
        running.send_signal(signal.SIGKILL)
        assert running.wait(30) == -signal.SIGKILL
        writer, number = complete_version(out)  # exists, whole, one version
        assert writer == "w" and number > last
        interrupted += any(name.endswith(".partial") for name in beside(out))  # killed while writing or deleting
        last = number
    assert interrupted >= 10  # many kills fell while a version was half written or half deleted
    publish(out, version("final"), marker_text="test")
    assert beside(out) == []  # the next run cleaned every killed run's debris and its lock


def test_two_runs_into_one_folder_both_finish_with_one_complete_version(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runs = [publisher(out, writer, 1, 4) for writer in ("a", "b")]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert [stdout.split() for stdout, _ in outputs] == [["1", "2", "3", "4"]] * 2
    assert complete_version(out)[1] == 4 and beside(out) == []


# --- exit codes ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (OutputFolderError("events.csv", "is the input events.csv", "give a folder"), "--out events.csv: is the input"),
        (OutputWriteError("/r/index.html", "No space left on device"), "cannot write /r/index.html: No space left"),
        (ReportError("ticker '../../evil' cannot be a file name"), "ticker '../../evil' cannot be a file name"),
        (OSError(errno.EROFS, "Read-only file system", "/r/x"), "cannot write /r/x: Read-only file system"),
        (OSError(errno.ENOENT, "No such file or directory", "e.csv"), "cannot read e.csv: No such file or directory"),
    ],
)
def test_output_errors_exit_1_with_one_line(error: Exception, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as caught, errors_to_exit_codes():
        raise error
    assert caught.value.exit_code == 1
    assert capsys.readouterr().err.startswith(f"error: {message}")


def test_unadjusted_splits_warn_or_stop_under_strict_splits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "X.csv").write_text("date,close,adj_close\n2025-01-03,1010,1010\n2025-01-06,100,100\n")
    with errors_to_exit_codes():
        assert len(CsvDirectorySource(tmp_path).history("X")) == 2
    assert capsys.readouterr().err.startswith(f"warning: {tmp_path / 'X.csv'} (X):3: adjusted close moves x0.099")
    with pytest.raises(typer.Exit) as caught, errors_to_exit_codes(strict_splits=True):
        CsvDirectorySource(tmp_path).history("X")
    assert caught.value.exit_code == 1
    error = capsys.readouterr().err
    assert error.startswith(f"error: {tmp_path / 'X.csv'} (X):3:") and "(stopped by --strict-splits)" in error
