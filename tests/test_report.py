"""The HTML report (``eventstudy.report``): what the pages say (findings, key numbers, heatmap marks, honest charts),
pages and links, escaping, no inline code, safe names, atomic replacement, determinism and size.

The real study and its report are shared by the session (``real_results``, ``real_report`` in ``conftest.py``); a
second report of the same results, with one event title made hostile (a ``<script>``), proves that input text is
shown as text. Expected numbers are derived here from the results tables, never copied from the pages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from eventstudy.columns import ALL_GROUPS, COLUMNS
from eventstudy.events import EventSet
from eventstudy.publish import OutputFolderError
from eventstudy.report import FOLDER_README, MARKER, ReportError, figures, findings, safe_file_stem, write_report
from eventstudy.report import pages as report_pages
from eventstudy.report.context import build_context
from eventstudy.report.heatmap import stars
from eventstudy.report.markup import MINUS, json_text, signed_percent
from eventstudy.report.pages import CONTENT_SECURITY_POLICY
from eventstudy.results import EventStudyResults
from eventstudy.statistics import TESTS

REPO = Path(__file__).resolve().parents[1]
HOSTILE_ID = "nvidia-crash"
HOSTILE = '<script>console.error("title executed")</script>'
DATA_FILES = ("ar.csv", "car.csv", "tests.csv")


@pytest.fixture(scope="module")
def hostile(real_results: EventStudyResults) -> EventStudyResults:
    """The real results with the title of one event carrying a ``<script>``."""
    events = EventSet(
        dataclasses.replace(event, title=f"{event.title} {HOSTILE}") if event.id == HOSTILE_ID else event
        for event in real_results.spec.events
    )
    return dataclasses.replace(real_results, spec=dataclasses.replace(real_results.spec, events=events))


@pytest.fixture(scope="module")
def report(hostile: EventStudyResults, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``index.html`` of the report of :func:`hostile` (no extension, no study file)."""
    return write_report(hostile, tmp_path_factory.mktemp("report") / "out", metadata={"input_sha256": "test"})


def _tree(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder``."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _block(page: Path, block_id: str) -> object:
    """The JSON data block ``block_id`` of a page."""
    text = page.read_text(encoding="utf-8")
    match = re.search(rf'<script type="application/json" id="{re.escape(block_id)}">(.*?)</script>', text, re.S)
    assert match, f"{page.name} has no data block {block_id}"
    return json.loads(match.group(1))


def _pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


# -- what the pages say -----------------------------------------------------------------------------------------------


def test_nvidia_crash_key_numbers_show_nvda_day_0_ar(real_report: Path, real_results: EventStudyResults) -> None:
    ar = real_results.ar
    day_zero = ar[(ar["event_id"] == "nvidia-crash") & (ar["ticker"] == "NVDA") & (ar["day"] == 0)].iloc[0]
    # The README (and the issue) cite NVDA's abnormal return that day: -13.3%, t = -5.1.
    assert day_zero["ar"] == pytest.approx(-0.133, abs=0.0005) and day_zero["sar"] == pytest.approx(-5.1, abs=0.05)
    page = (real_report.parent / "events" / "nvidia-crash.html").read_text(encoding="utf-8")
    box = page[page.index('id="key-numbers"') : page.index("</section>", page.index('id="key-numbers"'))]
    row = re.search(r'securities/NVDA\.html">NVDA</a>.*?</tr>', box)
    assert row, "NVDA is in the key numbers of the NVIDIA crash"
    assert f"{MINUS}13.3%" in row.group(0) and f"{MINUS}5.1" in row.group(0)
    assert "Kolari-Pynnönen" in box  # the recommended test, named in plain words, and why
    assert "share its date" in box


def test_findings_lead_with_the_most_significant_pair_of_the_run(
    real_report: Path, real_results: EventStudyResults
) -> None:
    pairs = real_results.pairs[real_results.pairs["group"] != "baskets"][["event_id", "ticker"]]
    car = real_results.car[real_results.car["window"] == "(0,+1)"].merge(pairs, on=["event_id", "ticker"])
    car = car.assign(size=-car["t"].abs()).sort_values(["p_value", "size"], kind="stable")
    best = car.iloc[0]
    index = real_report.read_text(encoding="utf-8")
    block = index[index.index('id="findings"') :]
    first = block[block.index('<li class="finding">') : block.index("</li>")]
    assert f"securities/{best['ticker']}.html" in first
    assert signed_percent(best["car"]) in first
    assert ("survives BH" if best["q_value"] < 0.05 else "does not survive BH") in first
    headline = real_results.car.query("window == '(0,+1)'")["p_value"]
    tested, significant = int(headline.notna().sum()), int((headline < 0.05).sum())
    assert f"Of the {tested} CARs over (0,+1) with a test, <b>{significant}</b> have p &lt; 0.05" in block
    assert f"about <b>{round(0.05 * tested)}</b>" in block
    assert "US vs Hong Kong, side by side" in block


def test_heatmap_marks_short_history_and_shows_bh_stars(real_report: Path, real_results: EventStudyResults) -> None:
    index = real_report.read_text(encoding="utf-8")
    table = index[
        index.index('<table class="heatmap"') : index.index("</table>", index.index('<table class="heatmap"'))
    ]
    rows = re.findall(r"<tr.*?</tr>", table[table.index("<tbody>") :], re.S)
    tickers = re.findall(r'<a href="securities/([^"]+)\.html"', table[: table.index("<tbody>")])
    glm = next(row for row in rows if 'href="events/glm-5.html"' in row)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", glm)
    zhipu = cells[tickers.index("2513.HK")]
    pair = real_results.car.query("event_id == 'glm-5' and ticker == '2513.HK' and window == '(0,+1)'").iloc[0]
    assert pair["fallback_reason"] and "†" in zhipu  # the short-history mark, in the cell
    assert stars(pair["q_value"]) == "" and "*" not in zhipu  # BH q 0.07: no star, however large the CAR
    assert f"{100 * pair['car']:.0f}" in zhipu
    crash = next(row for row in rows if 'href="events/nvidia-crash.html"' in row)
    vrt = re.findall(r"<td[^>]*>(.*?)</td>", crash)[tickers.index("VRT")]
    q = real_results.car.query("event_id == 'nvidia-crash' and ticker == 'VRT' and window == '(0,+1)'")["q_value"]
    assert stars(float(q.iloc[0])) == "**" and "**" in vrt
    data = _block(real_report, "heatmap-data")
    assert data["windows"] == ["(0,0)", "(-1,+1)", "(0,+1)", "(0,+5)", "(-5,+5)"]  # every window of the run


def test_events_with_the_same_day_0_are_marked_as_one_shock(real_report: Path, real_results: EventStudyResults) -> None:
    days = real_results.pairs.drop_duplicates(["event_id", "exchange"]).sort_values("exchange")
    columns = ["exchange", "day_zero", "day_zero_last"]  # a span's windows reach its last possible day 0
    signatures = days.groupby("event_id")[columns].apply(lambda rows: tuple(map(tuple, rows.values)))
    in_date_order = sorted(signatures.index, key=lambda event_id: (real_results.spec.events[event_id].date, event_id))
    signatures = signatures.loc[in_date_order]
    twins = signatures[signatures.duplicated(keep="first")].index
    assert {"kimi-k1-5", "kimi-moba"} <= set(twins)  # R1 and Kimi K1.5, NSA and MoBA: same day 0 everywhere
    index = real_report.read_text(encoding="utf-8")
    for event_id in twins:
        row = re.search(rf'<tr class="same-shock"><th scope="row"><a href="events/{event_id}\.html"', index)
        assert row, event_id
    assert '<tr class="same-shock"><th scope="row"><a href="events/deepseek-r1.html"' not in index


def test_timeline_labels_every_category_and_spans_every_event(real_results: EventStudyResults) -> None:
    context = build_context(real_results, None)
    figure = figures.event_timeline(context)
    strip = figure["data"][-1]
    dated = [event for event in real_results.spec.events if event.date is not None]  # undated: not on a timeline
    categories = {event.category for event in dated}
    assert set(figure["layout"]["yaxis2"]["tickvals"]) == categories
    assert set(strip["y"]) == categories
    first, last = figure["layout"]["xaxis"]["range"]
    dates = [str(event.date) for event in dated]
    assert first < min(dates) and last > max(dates)
    labels = [label for label in strip["text"] if label]
    numbers = [int(number) for label in labels for number in label.split(",")]
    assert sorted(numbers) == list(range(1, len(dates) + 1))  # every event labelled once, clusters share a label


def test_group_caar_has_no_interval_below_three_and_colours_by_sign(real_results: EventStudyResults) -> None:
    context = build_context(real_results, None)
    figure = figures.caar_by_group(context, "glm-5")
    trace = figure["data"][0]
    labels = figure["layout"]["yaxis"]["ticktext"]
    caar = real_results.caar.query("scope == 'event' and event_id == 'glm-5' and window == '(0,+1)'")
    caar = caar.set_index("group").reindex([html.unescape(label) for label in labels])
    for position, (group, row) in enumerate(caar.iterrows()):
        half = trace["error_x"]["array"][position]
        if row["n"] < 3:
            assert half is None, group
        else:
            assert half == pytest.approx(100 * (row["ci_high"] - row["ci_low"]) / 2, abs=0.006), group
        assert trace["marker"]["color"][position] == (0 if row["caar"] < 0 else 1)
    assert trace["marker"]["colorscale"] == [[0, figures.NEGATIVE], [1, figures.POSITIVE]]
    assert "HK AI model makers" in set(caar.index) and caar.loc["HK AI model makers", "n"] == 2


def test_security_pages_never_draw_a_missing_car_at_zero(real_report: Path, real_results: EventStudyResults) -> None:
    page = real_report.parent / "securities" / "2513.HK.html"
    figure = _block(page, "car-by-event-data")
    pairs = real_results.pairs[real_results.pairs["ticker"] == "2513.HK"]
    failed = int((pairs["status"] != "ok").sum())
    assert failed >= 2  # the listing events, before Zhipu had prices
    trace = figure["data"][0]
    assert sum(value is None for value in trace["x"]) == failed
    notes = [annotation["text"] for annotation in figure["layout"]["annotations"]]
    assert notes.count("not estimable") == failed
    table = _block(page, "results-table-data")
    # alpha, beta, dof of a pair never estimated are blank, not 0, 1, -1; the short-history fallback fixes them.
    estimated = [row for row in table["rows"] if row[8][0] != 2]
    for row in table["rows"]:
        if row[8][0] == 2:
            assert row[10:16] == [None] * 6
    assert all(row[12] == row[13] == "fixed" for row in estimated)


def test_price_markers_are_coloured_by_the_sign_of_the_car(real_report: Path, real_results: EventStudyResults) -> None:
    figure = _block(real_report.parent / "securities" / "NVDA.html", "price-events-data")
    markers = next(trace for trace in figure["data"] if trace["name"].startswith("event day 0: CAR"))
    cars = real_results.pairs.merge(real_results.car.query("window == '(0,+1)'"), on=["event_id", "ticker"])
    nvda = cars[cars["ticker"] == "NVDA"]
    colours = {figures.NEGATIVE: (nvda["car"] < 0).sum(), figures.POSITIVE: (nvda["car"] > 0).sum()}
    assert {colour: markers["marker"]["color"].count(colour) for colour in colours} == colours


def test_ar_paths_are_one_table_that_opens_on_the_largest_move(
    real_report: Path, real_results: EventStudyResults
) -> None:
    data = _block(real_report.parent / "events" / "glm-5.html", "ar-car-data")
    ar = real_results.ar.query("event_id == 'glm-5' and day == 0 and group != 'baskets'")
    assert data["default"] == ar.loc[ar["ar"].abs().idxmax(), "ticker"] == "2513.HK"
    nvda = next(item for item in data["securities"] if item["ticker"] == "NVDA")
    path = real_results.ar.query("event_id == 'glm-5' and ticker == 'NVDA'").sort_values("day")
    assert nvda["ar"] == [round(10_000 * value) for value in path["ar"]]  # hundredths of a percent
    assert data["days"] == path["day"].tolist()


def test_methods_page_names_every_test_with_its_reference_and_every_column(real_report: Path) -> None:
    page = (real_report.parent / "methods.html").read_text(encoding="utf-8")
    for name in TESTS:
        assert f"<code>{name}</code>" in page and html.escape(findings.test_name(name)) in page
    assert "Kolari, J. W., Pynnönen, S. (2010)" in page and "Boehmer, E., Musumeci, J., Poulsen" in page
    for name in ("car", "pairs", "tests"):
        for column, meaning in COLUMNS[name].items():
            assert f"<code>{column}</code></th><td>{html.escape(meaning)}</td>" in page


def test_event_pages_link_the_previous_and_next_events(real_report: Path, real_results: EventStudyResults) -> None:
    events = sorted(real_results.spec.events, key=lambda event: (event.date or dt.date.max, event.id))
    ids = [event.id for event in events]
    position = ids.index("nvidia-crash")
    page = (real_report.parent / "events" / "nvidia-crash.html").read_text(encoding="utf-8")
    assert f'<a rel="prev" href="../events/{ids[position - 1]}.html">' in page
    assert f'<a rel="next" href="../events/{ids[position + 1]}.html">' in page


def test_the_claims_list_comes_after_the_heatmap_collapsed_with_glosses(real_report: Path) -> None:
    index = real_report.read_text(encoding="utf-8")
    assert index.index('id="findings"') < index.index('id="heatmap-section"') < index.index('id="claims"')
    claims = index[index.index('id="claims"') :]
    assert "<details><summary>Every claim" in claims
    assert 'class="gloss"' in claims and 'class="badge tone-' in claims


def test_recommended_test_table_names_the_test_per_group(real_report: Path, real_results: EventStudyResults) -> None:
    page = (real_report.parent / "events" / "nvidia-crash.html").read_text(encoding="utf-8")
    table = page[page.index('id="groups-table"') :]
    tests = real_results.tests.query("scope == 'event' and event_id == 'nvidia-crash' and window == '(0,+1)'")
    kp = tests[(tests["test"] == "kolari_pynnonen_bmp") & (tests["group"] == ALL_GROUPS)].iloc[0]
    row = re.search(r"<tr><th>all securities</th>.*?</tr>", table)
    assert row and f"{kp['p_value']:.3f}" in row.group(0)
    assert html.escape(findings.test_name("kolari_pynnonen_bmp")) in row.group(0)


def _luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_text_colours_have_a_contrast_of_at_least_4_5() -> None:
    css = (REPO / "eventstudy" / "report" / "assets" / "report.css").read_text(encoding="utf-8")
    variables = dict(re.findall(r"--([a-z]+): (#[0-9a-f]{6})", css))
    cells = re.findall(r"\.([np]\d|c0) \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6}); \}", css)
    assert len(cells) == 11  # the heatmap's colour classes
    pairs = [(text, background) for _, background, text in cells]
    tones = re.findall(r"\.tone-[a-z]+ \{ background: (?:var\(--([a-z]+)\)|(#[0-9a-f]{6})); \}", css)
    assert len(tones) == 4  # the verdict badges: white text
    pairs += [("#ffffff", variables[name] if name else colour) for name, colour in tones]
    pairs += [(variables[name], "#ffffff") for name in ("ink", "muted", "accent", "neg", "pos", "bad", "warn")]
    pairs += [(variables["muted"], variables["soft"]), ("#6b4f00", "#fff3cd"), ("#5b21b6", "#ffffff")]
    for text, background in pairs:
        assert _contrast(text, background) >= 4.5, (text, background)


# -- files, links, code ---------------------------------------------------------------------------------------------


def test_every_page_exists_and_every_link_resolves(real_report: Path, real_results: EventStudyResults) -> None:
    folder = real_report.parent
    for event in real_results.spec.events:
        assert (folder / "events" / f"{event.id}.html").is_file()
    for ticker in real_results.pairs["ticker"].unique():
        assert (folder / "securities" / f"{safe_file_stem(ticker, 'ticker')}.html").is_file()
    pages = _pages(folder)
    extra = {"index.html", "results.html", "methods.html", "claims.html"}
    assert {page.name for page in pages if page.parent == folder} == extra
    assert len(pages) == len(extra) + len(real_results.spec.events) + real_results.pairs["ticker"].nunique()
    checked = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        targets = re.findall(r'(?:href|src)="([^"]*)"', text)
        # links that the page script builds from data blocks (tables, charts)
        targets += [href for href in re.findall(r'"([^"<>]*\.html(?:#[^"]*)?)"', text) if not href.startswith("http")]
        for target in targets:
            address = urlparse(html.unescape(target))
            assert not address.scheme and not address.netloc, f"{page.name} links outside the report: {target}"
            if address.path:
                assert (page.parent / unquote(address.path)).resolve().is_file(), f"{page.name}: {target}"
                checked += 1
    assert checked > 5000


def test_every_page_has_a_strict_csp_and_no_inline_code(real_report: Path) -> None:
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "script-src 'self'" in CONTENT_SECURITY_POLICY
    for page in _pages(real_report.parent):
        text = page.read_text(encoding="utf-8")
        assert f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">' in text, page
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert 'type="application/json"' in tag or re.fullmatch(r'<script src="[^"]+" defer>', tag), tag
        assert not re.search(r"<[^>]+\son[a-z]+=", text), f"inline event handler in {page.name}"
        assert not re.search(r"<[^>]+\sstyle=", text), f"inline style in {page.name}"
        # Nothing is loaded from elsewhere (a web address may be cited in text, e.g. a claim's source).
        assert "<style" not in text and not re.search(r'(?:src|href|action)="(?:https?:)?//', text), page.name
        assert text.count("plotly-basic.min.js") <= 1
        assert "Data as of " in text and "eventstudy " in text and "prices: " in text


def test_pages_are_light(real_report: Path) -> None:
    for page in _pages(real_report.parent):
        assert page.stat().st_size <= 400_000, page.name
    assert not (real_report.parent / "assets" / "plotly.min.js").exists()  # the 4.8 MB bundle is not shipped


def test_hostile_title_is_escaped_everywhere(report: Path) -> None:
    for page in _pages(report.parent):
        text = page.read_text(encoding="utf-8")
        assert HOSTILE not in text, page.name
        for block in re.findall(r'<script type="application/json" id="[^"]+">(.*?)</script>', text, re.S):
            assert "<" not in block, page.name  # no text in a data block can close it
    assert html.escape(HOSTILE) in (report.parent / "events" / f"{HOSTILE_ID}.html").read_text(encoding="utf-8")
    assert json_text({"t": HOSTILE}).count("<") == 0


def test_data_files_are_documented_and_run_json_keeps_the_metadata(report: Path) -> None:
    folder = report.parent
    columns = (folder / "columns.md").read_text(encoding="utf-8")
    for name in DATA_FILES:
        header = (folder / name).read_text(encoding="utf-8").partition("\n")[0].split(",")
        assert header == list(COLUMNS[name.removesuffix(".csv")])
        assert all(f"| `{column}` | {COLUMNS[name[:-4]][column]}" in columns for column in header)
    for csv in sorted(folder.glob("*.csv")):  # every file written says what it holds, on columns.md and the index
        described = re.search(rf"^## {re.escape(csv.name)}\n\n(.*)$", columns, re.M)
        assert described and described.group(1).strip(), csv.name
        assert csv.name in report.read_text(encoding="utf-8"), csv.name
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert run["input_sha256"] == "test"
    assert run["report"]["window"] == "(0,+1)"
    assert (folder / MARKER).is_file()


def test_rewriting_replaces_the_report_with_identical_bytes(
    report: Path, hostile: EventStudyResults, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    shutil.copytree(report.parent, again)

    write_report(hostile, again, metadata={"input_sha256": "test"})

    first, second = _tree(report.parent), _tree(again)
    assert first == second  # the pages too: fixed ids, sorted iteration, no clock (the as-of date is the data's)
    assert [path.name for path in tmp_path.iterdir()] == ["again"]  # no staging or previous folder left


def test_as_of_date_comes_from_the_data(real_report: Path, real_results: EventStudyResults) -> None:
    last = max(str(item["last"]) for item in real_results.coverage.values() if item["last"])
    assert f"Data as of {last} " in real_report.read_text(encoding="utf-8")


# -- safety -----------------------------------------------------------------------------------------------------------


def test_ticker_file_names() -> None:
    assert safe_file_stem("^HSI", "ticker") == "HSI"
    assert safe_file_stem("0700.HK", "ticker") == "0700.HK"
    assert safe_file_stem("GC=F", "ticker") == "GC=F"  # a Yahoo futures ticker, which check_ticker accepts
    for bad in ("../x", "a/b", "a b", ".hidden", "=x", "", "x<y", "é"):
        with pytest.raises(ReportError):
            safe_file_stem(bad, "ticker")


@pytest.mark.parametrize(
    ("column", "value"),
    [("ticker", "../../evil"), ("ticker", "NV/DA"), ("event_id", "../x"), ("ticker", "nvda")],
    ids=["ticker-traversal", "ticker-slash", "event-traversal", "ticker-case-collision"],
)
def test_unsafe_names_are_rejected_before_anything_is_written(
    real_results: EventStudyResults, tmp_path: Path, column: str, value: str
) -> None:
    pairs = real_results.pairs.copy()
    pairs.loc[pairs.index[-1], column] = value
    broken = dataclasses.replace(real_results, pairs=pairs)

    with pytest.raises(ReportError, match="report page"):
        write_report(broken, tmp_path / "nested" / "out")

    assert list(tmp_path.iterdir()) == []


def test_unknown_window_is_rejected(real_results: EventStudyResults, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"\(0,\+3\) is not an event window"):
        write_report(real_results, tmp_path / "out", window=(0, 3))
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_is_not_a_report_is_never_replaced(real_results: EventStudyResults, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")

    with pytest.raises(OutputFolderError, match="did not write"):
        write_report(real_results, tmp_path / "mine")

    assert _tree(tmp_path) == {"mine/notes.txt": hashlib.sha256(b"keep me").hexdigest()}


def test_the_repository_reports_folder_is_the_default_output(real_results: EventStudyResults, tmp_path: Path) -> None:
    """``reports/`` in git holds only the README every report writes, so a run replaces it and git stays clean."""
    assert (REPO / "reports" / "README.md").read_text(encoding="utf-8") == FOLDER_README
    placeholder = tmp_path / "reports"
    placeholder.mkdir()
    (placeholder / "README.md").write_text(FOLDER_README, encoding="utf-8")
    index = write_report(real_results, placeholder)
    assert index == placeholder / "index.html" and index.is_file()
    assert (placeholder / "README.md").read_text(encoding="utf-8") == FOLDER_README
    # A README.md with other text is somebody's folder: never replaced.
    other = tmp_path / "theirs"
    other.mkdir()
    (other / "README.md").write_text("# my notes\n", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="did not write"):
        write_report(real_results, other)


def test_interrupted_write_leaves_the_previous_report_intact(
    report: Path, real_results: EventStudyResults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
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
        write_report(real_results, previous)
    written.clear()
    with pytest.raises(KeyboardInterrupt):
        write_report(real_results, tmp_path / "first")

    assert len(written) == 2
    assert _tree(previous) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]  # no partial folder, no new report
