"""The headless-Chromium harness (``tests/browser.py``), proven on small pages written for each test.

Every test here needs a Chromium binary and is skipped, with the reason, when none is installed; ``.ci/run`` installs
the Debian package ``chromium``, so in CI they run.
"""

from __future__ import annotations

import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from browser import BrowserError, artifact_path, chromium_path, render

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.skipif(
    chromium_path() is None, reason="no Chromium binary installed (apt-get install chromium; .ci/run does this)"
)


def _figure() -> go.Figure:
    return go.Figure(go.Scatter(x=[1, 2, 3, 4], y=[0.5, -1.2, 2.0, 0.1], mode="lines+markers", name="CAR"))


def _page(folder: Path, name: str, html: str) -> Path:
    path = folder / name
    path.write_text(html, encoding="utf-8")
    return path


def _no_children_left() -> bool:
    """True when this process has no child process left (the browser was stopped and reaped)."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.fixture
def local_server() -> Iterator[tuple[int, list[str]]]:
    """An HTTP server on loopback that records every path requested of it: ``(port, paths)``."""
    hits: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript")
            self.end_headers()
            self.wfile.write(b"window.reached = true;")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


def test_inline_plotly_figure_renders_and_is_screenshotted(tmp_path: Path) -> None:
    html = pio.to_html(_figure(), include_plotlyjs=True, full_html=True)
    page = _page(tmp_path, "figure.html", html.replace("<head>", "<head><title>harness figure</title>", 1))
    shot = tmp_path / "figure.png"

    report = render(page, screenshot=shot)
    shutil.copyfile(shot, artifact_path("browser-harness-figure.png"))  # kept for a person to look at

    assert report.console_errors == []
    assert report.failed_requests == []
    assert report.external_requests == []
    assert (report.plotly_graphs, report.rendered_graphs) == (1, 1)
    assert report.title == "harness figure"
    assert report.screenshot == shot
    data = shot.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 5_000
    assert "main-svg" in report.dom
    assert _no_children_left()


def test_uncaught_exception_and_console_error_are_both_reported(tmp_path: Path) -> None:
    page = _page(
        tmp_path,
        "errors.html",
        "<!doctype html><html><head><title>errors</title></head><body><p>text</p>"
        '<script>console.error("bad")</script>'
        '<script>throw new Error("boom")</script>'
        "<script>console.log('fine'); console.warn('careful')</script>"
        "</body></html>",
    )

    report = render(page)

    assert len(report.console_errors) == 2, report.console_errors
    assert "bad" in report.console_errors[0]
    assert "boom" in report.console_errors[1]
    assert "Uncaught" in report.console_errors[1]
    assert "log: fine" in report.console_messages
    assert "warning: careful" in report.console_messages
    assert (report.plotly_graphs, report.rendered_graphs) == (0, 0)
    assert report.title == "errors"


def test_cdn_script_fails_with_the_network_off(tmp_path: Path) -> None:
    cdn = "https://cdn.plot.ly/plotly-2.35.2.min.js"
    body = pio.to_html(_figure(), include_plotlyjs=False, full_html=False)
    page = _page(
        tmp_path,
        "cdn.html",
        f'<!doctype html><html><head><script src="{cdn}"></script></head><body>{body}</body></html>',
    )

    report = render(page)

    assert any(cdn in error for error in report.console_errors), report.console_errors
    assert any("Plotly is not defined" in error for error in report.console_errors), report.console_errors
    assert [request.split()[0] for request in report.failed_requests] == [cdn]
    assert report.external_requests == [cdn]
    assert (report.plotly_graphs, report.rendered_graphs) == (1, 0)


def test_no_request_reaches_even_a_loopback_server(tmp_path: Path, local_server: tuple[int, list[str]]) -> None:
    port, hits = local_server
    page = _page(
        tmp_path,
        "loopback.html",
        f'<script src="http://127.0.0.1:{port}/ip.js"></script>'
        f'<script src="http://localhost:{port}/name.js"></script>'
        f'<script>fetch("http://127.0.0.1:{port}/fetch").catch((e) => console.error("fetch failed", e))</script>',
    )

    report = render(page)

    assert hits == []
    assert len(report.failed_requests) == 3, report.failed_requests
    assert any("fetch failed" in error for error in report.console_errors), report.console_errors


@pytest.mark.parametrize(
    "div",
    [
        '<div class="plotly-graph-div js-plotly-plot"></div>',
        '<div id="g" class="plotly-graph-div" style="height:400px"></div>',
    ],
    ids=["plotted-class", "to_html-class"],
)
def test_empty_plotly_div_counts_as_not_rendered(tmp_path: Path, div: str) -> None:
    page = _page(tmp_path, "empty.html", f"<!doctype html><html><body>{div}</body></html>")

    report = render(page, wait_ms=1000)

    assert (report.plotly_graphs, report.rendered_graphs) == (1, 0)
    assert report.console_errors == []


def test_page_that_never_loads_times_out_and_the_browser_is_stopped(tmp_path: Path) -> None:
    page = _page(tmp_path, "hang.html", "<!doctype html><html><body><script>while (true) {}</script></body></html>")

    with pytest.raises(BrowserError, match="did not finish loading"):
        render(page, timeout_s=2)

    assert _no_children_left()


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        render(tmp_path / "absent.html")
