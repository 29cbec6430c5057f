"""The HTML report (``eventstudy.report``): pages and links, escaping, safe names, atomic replacement, determinism,
and a headless-Chromium check that the pages render offline without errors.

One study of the repository's events file (packaged snapshot prices, fewer bootstrap and placebo draws) and one
report of it are built per module; one event title is made hostile (a ``<script>``) to prove it is shown as text.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from browser import artifact_path, chromium_path, render

from eventstudy import EventStudy, SnapshotSource, load_events
from eventstudy.columns import COLUMNS
from eventstudy.events import EventSet
from eventstudy.publish import OutputFolderError
from eventstudy.report import FOLDER_README, MARKER, ReportError, safe_file_stem, write_report
from eventstudy.report import pages as report_pages
from eventstudy.results import EventStudyResults

REPO = Path(__file__).resolve().parents[1]
HOSTILE_ID = "nvidia-crash"
HOSTILE = '<script>console.error("title executed")</script>'
DATA_FILES = ("ar.csv", "car.csv", "tests.csv")


@pytest.fixture(scope="module")
def results() -> EventStudyResults:
    """The repository's events, one title with a ``<script>`` in it, on the packaged snapshot (no cache)."""
    events = load_events(REPO / "events.csv")
    hostile = EventSet(
        dataclasses.replace(event, title=f"{event.title} {HOSTILE}") if event.id == HOSTILE_ID else event
        for event in events
    )
    study = EventStudy(hostile, prices=SnapshotSource(), bootstrap_replications=99, placebo_replications=20)
    return study.run()


@pytest.fixture(scope="module")
def report(results: EventStudyResults, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``index.html`` of the report of :func:`results`."""
    return write_report(results, tmp_path_factory.mktemp("report") / "out", metadata={"input_sha256": "test"})


def _tree(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder``."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# -- in a browser -----------------------------------------------------------------------------------------------------


@pytest.mark.skipif(chromium_path() is None, reason="no Chromium binary installed (apt-get install chromium)")
@pytest.mark.parametrize(("page", "graphs"), [("index.html", 3), (f"events/{HOSTILE_ID}.html", 3)])
def test_pages_render_offline_without_errors(report: Path, page: str, graphs: int) -> None:
    shot = artifact_path("index.png" if page == "index.html" else f"event-{HOSTILE_ID}.png")
    shot.unlink(missing_ok=True)

    seen = render(report.parent / page, screenshot=shot)

    assert seen.console_errors == []  # includes the hostile title's console.error, had it run
    assert seen.failed_requests == seen.external_requests == []
    assert seen.plotly_graphs == seen.rendered_graphs == graphs
    assert html.escape(HOSTILE, quote=False) in seen.dom
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_glm_5_page_shows_zhipu_minimax_and_their_basket_side_by_side(report: Path) -> None:
    page = (report.parent / "events" / "glm-5.html").read_text(encoding="utf-8")
    figure = page[page.index('id="basket-paths"') :]
    figure = figure[: figure.index("</script>")]
    # One panel per basket; the model makers' panel labels Zhipu and MiniMax at the end of their lines.
    assert '"text":"hk-ai-model-makers (2)"' in figure and '"text":"hk-ai-internet (10)"' in figure
    assert '"2513.HK"' in figure and '"0100.HK"' in figure and '"basket"' in figure
    assert "Zhipu (Knowledge Atlas) (market-adjusted model)" in figure
    # Zhipu and MiniMax are too young for the market model: a † badge and the reason, in the table and the warnings.
    assert page.count('class="fallback"') >= 3  # Zhipu, MiniMax and their basket
    assert "measured with the short-history market-adjusted model" in page
    assert "variance from 18 returns 2026-01-16..2026-02-10" in page


# -- files and links --------------------------------------------------------------------------------------------------


def test_every_event_and_security_has_a_page_and_every_link_resolves(report: Path, results: EventStudyResults) -> None:
    folder = report.parent
    for event in results.spec.events:
        assert (folder / "events" / f"{event.id}.html").is_file()
    for ticker in results.pairs["ticker"].unique():
        assert (folder / "securities" / f"{safe_file_stem(ticker, 'ticker')}.html").is_file()
    pages = sorted(folder.rglob("*.html"))
    assert len(pages) == 1 + len(results.spec.events) + results.pairs["ticker"].nunique()
    checked = 0
    for page in pages:
        for target in re.findall(r'(?:href|src)="([^"]*)"', page.read_text(encoding="utf-8")):
            address = urlparse(target)
            assert not address.scheme and not address.netloc, f"{page.name} links outside the report: {target}"
            if address.path:
                assert (page.parent / unquote(address.path)).resolve().is_file(), f"{page.name}: {target}"
                checked += 1
    assert checked > 1000
    index = report.read_text(encoding="utf-8")
    assert index.count('src="assets/plotly.min.js"') == 1
    assert "cdn.plot.ly" not in index
    assert len(index.encode()) < 3_000_000


def test_hostile_title_is_escaped_everywhere(report: Path) -> None:
    for page in (report, report.parent / "events" / f"{HOSTILE_ID}.html"):
        text = page.read_text(encoding="utf-8")
        assert HOSTILE not in text
        assert html.escape(HOSTILE) in text


def test_non_estimable_pairs_are_marked_with_their_reason(report: Path, results: EventStudyResults) -> None:
    failed = results.pairs[results.pairs["status"] != "ok"].iloc[0]
    page = (report.parent / "events" / f"{failed['event_id']}.html").read_text(encoding="utf-8")
    assert "not estimable" in page
    assert html.escape(failed["reason"]) in page
    assert "not estimable" in report.read_text(encoding="utf-8")


def test_data_files_are_documented_and_run_json_keeps_the_metadata(report: Path) -> None:
    folder = report.parent
    columns = (folder / "columns.md").read_text(encoding="utf-8")
    for name in DATA_FILES:
        header = (folder / name).read_text(encoding="utf-8").partition("\n")[0].split(",")
        assert header == list(COLUMNS[name.removesuffix(".csv")])
        assert all(f"| `{column}` | {COLUMNS[name[:-4]][column]}" in columns for column in header)
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert run["input_sha256"] == "test"
    assert run["report"]["window"] == "(0,+1)"
    assert (folder / MARKER).is_file()


def test_rewriting_replaces_the_report_with_identical_bytes(
    report: Path, results: EventStudyResults, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    shutil.copytree(report.parent, again)

    write_report(results, again, metadata={"input_sha256": "test"})

    first, second = _tree(report.parent), _tree(again)
    for name in DATA_FILES:
        assert first[name] == second[name], name
    assert first == second  # the pages too: fixed div ids, sorted iteration, no timestamps
    assert [path.name for path in tmp_path.iterdir()] == ["again"]  # no staging or previous folder left


# -- safety -----------------------------------------------------------------------------------------------------------


def test_ticker_file_names() -> None:
    assert safe_file_stem("^HSI", "ticker") == "HSI"
    assert safe_file_stem("0700.HK", "ticker") == "0700.HK"
    for bad in ("../x", "a/b", "a b", ".hidden", "", "x<y", "é"):
        with pytest.raises(ReportError):
            safe_file_stem(bad, "ticker")


@pytest.mark.parametrize(
    ("column", "value"),
    [("ticker", "../../evil"), ("ticker", "NV/DA"), ("event_id", "../x"), ("ticker", "nvda")],
    ids=["ticker-traversal", "ticker-slash", "event-traversal", "ticker-case-collision"],
)
def test_unsafe_names_are_rejected_before_anything_is_written(
    results: EventStudyResults, tmp_path: Path, column: str, value: str
) -> None:
    pairs = results.pairs.copy()
    pairs.loc[pairs.index[-1], column] = value
    broken = dataclasses.replace(results, pairs=pairs)

    with pytest.raises(ReportError, match="report page"):
        write_report(broken, tmp_path / "nested" / "out")

    assert list(tmp_path.iterdir()) == []


def test_unknown_window_is_rejected(results: EventStudyResults, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"\(0,\+3\) is not an event window"):
        write_report(results, tmp_path / "out", window=(0, 3))
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_is_not_a_report_is_never_replaced(results: EventStudyResults, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")

    with pytest.raises(OutputFolderError, match="did not write"):
        write_report(results, tmp_path / "mine")

    assert _tree(tmp_path) == {"mine/notes.txt": hashlib.sha256(b"keep me").hexdigest()}


def test_the_repository_reports_folder_is_the_default_output(results: EventStudyResults, tmp_path: Path) -> None:
    """``reports/`` in git holds only the README every report writes, so a run replaces it and git stays clean."""
    assert (REPO / "reports" / "README.md").read_text(encoding="utf-8") == FOLDER_README
    placeholder = tmp_path / "reports"
    placeholder.mkdir()
    (placeholder / "README.md").write_text(FOLDER_README, encoding="utf-8")
    index = write_report(results, placeholder)
    assert index == placeholder / "index.html" and index.is_file()
    assert (placeholder / "README.md").read_text(encoding="utf-8") == FOLDER_README
    # A README.md with other text is somebody's folder: never replaced.
    other = tmp_path / "theirs"
    other.mkdir()
    (other / "README.md").write_text("# my notes\n", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="did not write"):
        write_report(results, other)


def test_interrupted_write_leaves_the_previous_report_intact(
    report: Path, results: EventStudyResults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = tmp_path / "out"
    shutil.copytree(report.parent, previous)
    before = _tree(previous)
    written = []

    def failing_event_page(*args: object) -> str:
        written.append(args)
        if len(written) == 2:
            raise KeyboardInterrupt  # mid-write: the index and one event page are already on disk
        return "<!doctype html><title>new</title>"

    monkeypatch.setattr(report_pages, "event_page", failing_event_page)
    with pytest.raises(KeyboardInterrupt):
        write_report(results, previous)
    written.clear()
    with pytest.raises(KeyboardInterrupt):
        write_report(results, tmp_path / "first")

    assert len(written) == 2
    assert _tree(previous) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]  # no partial folder, no new report
