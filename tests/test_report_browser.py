"""The real report in headless Chromium (``tests/browser.py``), at 1440 and 390 CSS pixels wide.

Every page checked loads with no console error (a Content-Security-Policy violation is one), no request leaves the
report, every chart draws, and at 390 px nothing scrolls the page sideways. Then the page script is exercised as a
reader would: sorting a numeric column with blanks (mouse and keyboard), switching the heatmap's window, picking a
security for the AR/CAR chart, downloading a table as CSV. Expected values are derived from the results tables.

Screenshots go to ``test-artifacts/`` (``$EVENTSTUDY_TEST_ARTIFACTS``) for a person to look at.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Browser, artifact_path, chromium_path, open_browser

from eventstudy.report.markup import MINUS
from eventstudy.report.pages import CONTENT_SECURITY_POLICY
from eventstudy.results import EventStudyResults

pytestmark = pytest.mark.skipif(
    chromium_path() is None, reason="no Chromium binary installed (apt-get install chromium; .ci/run does this)"
)

PAGES = (
    "index.html",
    "claims.html",
    "events/nvidia-crash.html",
    "events/glm-5.html",
    "securities/NVDA.html",
    "securities/2513.HK.html",
    "results.html",
    "methods.html",
)
#: The numbers of a column as the page shows them after a sort (blanks as null), in row order.
COLUMN_VALUES = """((table, column) => Array.from(document.getElementById(table).tBodies[0].rows).map((row) => {
  const cell = row.cells[column];
  const text = cell.textContent.trim();
  if (text === "\\u2013" || text === "") { return null; }
  const value = cell.getAttribute("data-v");
  return parseFloat(value !== null ? value : text.replace(/\\u2212/g, "-"));
}))"""


@pytest.fixture(scope="module")
def wide() -> Iterator[Browser]:
    with open_browser(width=1440, height=900, timeout_s=60) as browser:
        yield browser


@pytest.fixture(scope="module")
def narrow() -> Iterator[Browser]:
    with open_browser(width=390, height=844, timeout_s=60) as browser:
        yield browser


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("width", [1440, 390])
def test_page_loads_clean_and_fits(real_report: Path, page: str, width: int, wide: Browser, narrow: Browser) -> None:
    browser = wide if width == 1440 else narrow
    shot = artifact_path(f"report-{page.replace('/', '-').removesuffix('.html')}-{width}.png")

    seen = browser.render(real_report.parent / page, screenshot=shot, wait_ms=20_000)

    assert seen.console_errors == []  # a Content-Security-Policy violation would be one
    assert seen.failed_requests == seen.external_requests == []
    assert seen.plotly_graphs == seen.rendered_graphs
    csp = browser.run("document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content")
    assert csp == CONTENT_SECURITY_POLICY
    overflow = browser.run("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page} scrolls sideways by {overflow} px at {width} px"
    assert browser.new_errors() == []


def test_charts_are_drawn_with_their_descriptions(real_report: Path, wide: Browser) -> None:
    seen = wide.render(real_report.parent / "events" / "nvidia-crash.html", wait_ms=20_000)
    assert seen.plotly_graphs == seen.rendered_graphs == 4  # AR/CAR paths, group CAAR, to whom, baskets
    labels = wide.run("Array.from(document.querySelectorAll('div.chart')).map((div) => div.getAttribute('aria-label'))")
    assert all(label and len(label) > 30 for label in labels)
    # Hover labels draw under the Content-Security-Policy too.
    wide.run("Plotly.Fx.hover(document.getElementById('ar-car-paths'), [{curveNumber: 0, pointNumber: 10}])", 200)
    label = wide.run("document.querySelector('#ar-car-paths .hovertext').textContent")
    assert label.startswith("day 0 (2025-01-27)AR ")
    assert wide.new_errors() == []


def test_a_chart_downloads_as_png_under_the_csp(real_report: Path, wide: Browser) -> None:
    wide.render(real_report.parent / "events" / "nvidia-crash.html", wait_ms=20_000)
    image = wide.run(
        "Plotly.toImage(document.getElementById('caar-event'), {format: 'png', width: 400, height: 300})"
        ".then((url) => url.slice(0, 22), () => 'failed')"
    )
    assert image == "data:image/png;base64,"
    assert wide.new_errors() == []


def test_sorting_a_numeric_column_with_blanks_gives_sorted_numbers(real_report: Path, wide: Browser) -> None:
    wide.render(real_report.parent / "events" / "nvidia-crash.html", wait_ms=20_000)
    header = "document.querySelectorAll('#results-table thead th')[1].querySelector('button')"
    values = wide.run(f"{COLUMN_VALUES}('results-table', 1)")
    blanks = values.count(None)
    assert blanks > 5  # the Hong Kong pairs: no CAR (0,+1), a price missing on 2025-01-28
    for order in ("ascending", "descending"):
        wide.run(f"{header}.click()")
        values = wide.run(f"{COLUMN_VALUES}('results-table', 1)")
        numbers = [value for value in values if value is not None]
        assert values[len(numbers) :] == [None] * blanks  # blanks last in both directions
        assert numbers == sorted(numbers, reverse=order == "descending")
        assert wide.run("document.querySelectorAll('#results-table thead th')[1].getAttribute('aria-sort')") == order
    assert wide.new_errors() == []


def test_sorting_text_columns_with_blanks_and_by_keyboard(real_report: Path, wide: Browser) -> None:
    wide.render(real_report.parent / "securities" / "2513.HK.html", wait_ms=20_000)
    headers = wide.run("Array.from(document.querySelectorAll('#results-table thead th')).map((th) => th.textContent)")
    reason = headers.index("why not estimable")
    wide.run(f"document.querySelectorAll('#results-table thead th')[{reason}].querySelector('button').click()")
    texts = wide.run(
        f"Array.from(document.getElementById('results-table').tBodies[0].rows).map((r) => r.cells[{reason}]"
        ".textContent.trim())"
    )
    filled = [text for text in texts if text != "–"]
    assert filled and texts[: len(filled)] == sorted(filled) and set(texts[len(filled) :]) <= {"–"}
    # The keyboard: focus the p header's button and press Enter.
    p = headers.index("p")
    wide.run(f"document.querySelectorAll('#results-table thead th')[{p}].querySelector('button').focus()")
    wide.press("Enter")
    assert wide.run(f"document.querySelectorAll('#results-table thead th')[{p}].getAttribute('aria-sort')") in (
        "ascending",
        "descending",
    )
    values = [value for value in wide.run(f"{COLUMN_VALUES}('results-table', {p})") if value is not None]
    assert values in (sorted(values), sorted(values, reverse=True))
    assert wide.new_errors() == []


def test_window_switch_changes_the_heatmap(real_report: Path, real_results: EventStudyResults, wide: Browser) -> None:
    wide.render(real_report.parent / "index.html", wait_ms=20_000)
    cell = """(() => {
      const table = document.getElementById("heatmap");
      const column = Array.from(table.tHead.rows[1].cells).findIndex((th) => th.textContent === "NVDA");
      const row = Array.from(table.tBodies[0].rows)
        .find((tr) => tr.querySelector('a[href="events/nvidia-crash.html"]'));
      return row.cells[column].textContent;
    })()"""
    headline = wide.run(cell)
    body = wide.run("document.getElementById('heatmap').tBodies[0].innerHTML")
    car = real_results.car.query("event_id == 'nvidia-crash' and ticker == 'NVDA'").set_index("window")["car"]
    assert headline.startswith(f"{100 * car['(0,+1)']:.1f}".replace("-", MINUS))
    wide.run('document.querySelector(\'input[name="heatmap-window"][value="(0,0)"]\').click()')
    day_zero = wide.run(cell)
    assert math.isclose(100 * car["(0,0)"], -13.3, abs_tol=0.05)
    assert day_zero.startswith(f"{MINUS}13")  # the crash day itself: -13.3%, two stars
    assert day_zero == f"{100 * car['(0,0)']:.0f}".replace("-", MINUS) + "**"
    assert wide.run("document.querySelector('#heatmap caption .window-label').textContent") == "(0,0)"
    assert wide.run("document.getElementById('heatmap').tBodies[0].innerHTML") != body
    wide.run('document.querySelector(\'input[name="heatmap-window"][value="(0,+1)"]\').click()')
    assert wide.run("document.getElementById('heatmap').tBodies[0].innerHTML") == body  # the page's own rendering
    # A cell tells its numbers when pointed at or tapped.
    wide.run(
        "Array.from(document.getElementById('heatmap').tBodies[0].rows)"
        ".find((tr) => tr.querySelector('a[href=\"events/glm-5.html\"]')).cells[1].click()"
    )
    detail = wide.run("document.getElementById('heatmap-detail').textContent")
    assert detail.startswith("NVDA (NVIDIA, US semiconductors) × 2026-02-11") and "BH q = " in detail
    assert wide.new_errors() == []


def test_picking_a_security_redraws_the_ar_car_chart(
    real_report: Path, real_results: EventStudyResults, wide: Browser
) -> None:
    wide.render(real_report.parent / "events" / "glm-5.html", wait_ms=20_000)
    assert wide.run("document.getElementById('ar-car-select').value") == "2513.HK"
    assert "AR and CAR paths of 2513.HK" in wide.run(
        "document.getElementById('ar-car-paths').getAttribute('aria-label')"
    )
    wide.run(
        "(() => { const s = document.getElementById('ar-car-select'); s.value = 'NVDA';"
        " s.dispatchEvent(new Event('change')); })()",
        settle_ms=300,
    )
    label = wide.run("document.getElementById('ar-car-paths').getAttribute('aria-label')")
    ar = real_results.ar.query("event_id == 'glm-5' and ticker == 'NVDA' and day == 0")["ar"].iloc[0]
    assert label.startswith("AR and CAR paths of NVDA") and f"day-0 AR {100 * ar:+.2f}%" in label
    bars = wide.run("document.getElementById('ar-car-paths').data[0].y")
    assert len(bars) == 21 and bars[10] == pytest.approx(100 * ar, abs=0.006)
    assert wide.new_errors() == []


def test_a_table_downloads_as_csv(real_report: Path, real_results: EventStudyResults, wide: Browser) -> None:
    wide.render(real_report.parent / "events" / "nvidia-crash.html", wait_ms=20_000)
    text = wide.run("eventstudyReport.tableCSV(document.getElementById('results-table'))")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:7] == ["security", "CAR (0,+1) %", "t", "p", "BH q", "SQ p", "95% CI %"]
    assert len(rows) == int((real_results.pairs["event_id"] == "nvidia-crash").sum())
    nvda = next(row for row in rows if row[0] == "NVDA")
    car = real_results.car.query("event_id == 'nvidia-crash' and ticker == 'NVDA' and window == '(0,+1)'").iloc[0]
    assert float(nvda[1]) == pytest.approx(100 * car["car"], abs=0.006)
    assert float(nvda[3]) == pytest.approx(car["p_value"], rel=0.01)
    assert nvda[6] == f"[{100 * car['ci_low']:.2f}, {100 * car['ci_high']:.2f}]"
    blank = next(row for row in rows if row[1] == "")  # a Hong Kong pair without CAR: empty fields, not dashes
    assert blank[2] == blank[3] == ""
    assert wide.run("document.querySelector('button.csv[data-table=\"results-table\"]').dataset.file")


@pytest.mark.parametrize(
    ("page", "sections"),
    [
        ("events/nvidia-crash.html", ("to-whom", "how-loud", "how-lasting")),
        ("securities/NVDA.html", ("activity", "garch")),
    ],
)
@pytest.mark.parametrize("width", [1440, 390])
def test_analyses_sections_draw_and_fit(
    real_report: Path, page: str, sections: tuple[str, ...], width: int, wide: Browser, narrow: Browser
) -> None:
    """The sections of the analyses beyond abnormal returns: drawn without a console error, nothing wider than
    the page at 390 px (their tables scroll in their own boxes); a screenshot of each for a person to look at."""
    browser = wide if width == 1440 else narrow
    seen = browser.render(real_report.parent / page, wait_ms=20_000)
    assert seen.console_errors == [] and seen.plotly_graphs == seen.rendered_graphs
    for section in sections:
        box = browser.run(
            f"(() => {{ const r = document.getElementById('{section}').getBoundingClientRect();"
            " return [r.top + window.scrollY, r.height, r.right]; })()"
        )
        assert box[1] > 100 and box[2] <= width, f"{section} at {width} px: {box}"
        name = f"report-{page.replace('/', '-').removesuffix('.html')}-{section}-{width}.png"
        browser.screenshot(artifact_path(name), top=int(box[0]), height=min(int(box[1]) + 10, 4000))
    assert browser.run("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert browser.new_errors() == []


def test_picking_a_day_0_redraws_the_garch_chart(
    real_report: Path, real_results: EventStudyResults, wide: Browser
) -> None:
    wide.render(real_report.parent / "securities" / "NVDA.html", wait_ms=20_000)
    crash = real_results.pairs.query("event_id == 'nvidia-crash' and ticker == 'NVDA'")["day_zero"].iloc[0]
    assert wide.run("document.getElementById('garch-select').value") == str(crash.date())
    assert "GARCH and OLS abnormal returns of NVDA, day 0 2025-01-27" in wide.run(
        "document.getElementById('garch-paths').getAttribute('aria-label')"
    )
    r1 = real_results.pairs.query("event_id == 'deepseek-r1' and ticker == 'NVDA'")["day_zero"].iloc[0]
    wide.run(
        f"(() => {{ const s = document.getElementById('garch-select'); s.value = '{r1.date()}';"
        " s.dispatchEvent(new Event('change')); })()",
        settle_ms=300,
    )
    garch = real_results.garch.query("event_id == 'deepseek-r1' and ticker == 'NVDA'").sort_values("day")
    drawn = wide.run("document.getElementById('garch-paths').data.map((trace) => trace.y)")
    assert drawn == [[round(100 * value, 2) for value in garch[column]] for column in ("ols_ar", "garch_ar")]
    assert f"day 0 {r1.date()}" in wide.run("document.getElementById('garch-paths').getAttribute('aria-label')")
    assert wide.new_errors() == []


@pytest.mark.parametrize(("page", "chart"), [("securities/NVDA.html", "car-by-event"), ("index.html", "caar-events")])
def test_dot_plot_rows_leave_the_plot_room_at_390_px(real_report: Path, page: str, chart: str, narrow: Browser) -> None:
    """At 390 px a dot plot's row names (a date and an event's title) are cut so that they stay inside the chart and
    leave the plot nearly half its width; the full name stays in the page's data for a wide screen."""
    narrow.render(real_report.parent / page, wait_ms=20_000)
    names, full = narrow.run(
        f"(() => {{ const div = document.getElementById('{chart}');"
        " const page = JSON.parse(document.getElementById(div.dataset.figure).textContent);"
        " const shown = Array.from(div.querySelectorAll('.ytick text')).map((t) => t.textContent);"
        " return [shown, page.layout.yaxis.ticktext];"
        " })()"
    )
    assert len(names) == len(full) > 20
    assert all(len(name) <= 24 for name in names) and any(len(name) > 30 for name in full)
    assert all(full[row].startswith(name.removesuffix("\u2026")) for row, name in enumerate(names))
    chart_box, plot_box, left = narrow.run(
        f"(() => {{ const div = document.getElementById('{chart}'); const box = (e) => e.getBoundingClientRect();"
        " const r = box(div), p = box(div.querySelector('.nsewdrag'));"
        " return [[r.left, r.width], [p.left, p.width],"
        " Math.min(...Array.from(div.querySelectorAll('.ytick text')).map((t) => box(t).left))]; })()"
    )
    assert left >= chart_box[0] - 1  # before the cut the names ran 49 to 72 px off the left edge
    assert plot_box[1] >= 0.45 * chart_box[1]  # before the cut: 64 of 366 px
    assert narrow.new_errors() == []
