"""Headless Chromium harness for browser tests of the HTML reports, standard library only.

The browser is driven over the Chrome DevTools Protocol (CDP) through ``--remote-debugging-pipe``: Chromium reads
commands from file descriptor 3 and writes replies and events to file descriptor 4, each message a JSON text ended by
a NUL byte. A pipe needs no websocket client, no free port and no polling for a ``DevToolsActivePort`` file, and the
protocol reports console messages, uncaught exceptions and failed requests as events, exactly, instead of scraping the
browser's log.

No request leaves the machine, by three independent locks: the page's network is emulated offline
(``Network.emulateNetworkConditions``), every host name resolves to nothing (``--host-resolver-rules``), and every
HTTP(S) connection goes to a proxy on a closed local port (``--proxy-server``). A page that needs a CDN therefore fails
to load it and the failure appears in :attr:`PageReport.console_errors`.

Typical use in a test::

    from browser import chromium_path, open_browser, render  # tests/ is on sys.path under pytest

    if chromium_path() is None:
        pytest.skip("no Chromium: apt-get install chromium")
    report = render(tmp_path / "index.html", screenshot=tmp_path / "index.png")
    assert report.console_errors == []
    assert report.rendered_graphs == report.plotly_graphs > 0

To look at several pages in one browser and act on them (click, read the DOM, measure), open a session::

    with open_browser(width=390) as browser:
        report = browser.render(tmp_path / "index.html")
        browser.run("document.querySelector('th').click()")
        assert browser.run("document.documentElement.scrollWidth") <= 390
        assert browser.new_errors() == []
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Browser", "BrowserError", "PageReport", "artifact_path", "chromium_path", "open_browser", "render"]

#: Executable names tried on ``PATH`` after the Debian location, in order.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

#: Flags for a throwaway headless browser that runs as root in a container and talks to no one.
BASE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--disable-dev-shm-usage",
    "--disable-features=MediaRouter,OptimizationHints,Translate",
    "--metrics-recording-only",
    "--mute-audio",
    "--no-pings",
    "--hide-scrollbars",
    "--force-color-profile=srgb",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    # Network off: no name resolves, and any connection goes to the discard port on loopback, where nobody listens.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--remote-debugging-pipe",
)

#: JavaScript run in the page: counts Plotly graph divs and how many of them drew their SVG.
#: ``plotly-graph-div`` is the class of the div that ``plotly.io.to_html`` writes; ``js-plotly-plot`` is the class
#: Plotly.js adds when it plots into a div. Counting both catches a graph whose plotly.js never loaded.
_PROBE = """(() => {
  const graphs = Array.from(document.querySelectorAll("div.js-plotly-plot, div.plotly-graph-div"));
  return {
    graphs: graphs.length,
    rendered: graphs.filter((g) => g.querySelector("svg.main-svg") !== null).length,
    plotly: typeof window.Plotly !== "undefined",
    ready: document.readyState,
    title: document.title,
  };
})()"""

#: Schemes a self-contained page may request; anything else counts as an external request.
_LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome-error:", "devtools:")


class BrowserError(RuntimeError):
    """Chromium could not be started, stopped answering, or the page could not be loaded."""


@dataclass
class PageReport:
    """What a headless browser saw on one page.

    Attributes
    ----------
    console_errors : list of str
        Every ``console.error``/``console.assert`` failure, uncaught exception or unhandled rejection, and every
        browser-logged error (failed resource loads, blocked requests), one text each, in order of arrival.
    plotly_graphs : int
        Number of Plotly graph divs (``div.js-plotly-plot`` or ``div.plotly-graph-div``).
    rendered_graphs : int
        How many of those contain an ``svg.main-svg``, i.e. Plotly actually drew them.
    title : str
        ``document.title``.
    screenshot : Path or None
        The PNG written, if one was asked for.
    dom : str
        ``document.documentElement.outerHTML`` after rendering.
    failed_requests : list of str
        ``"<url> <net error>"`` for every request that failed (e.g. a CDN script with the network off).
    external_requests : list of str
        Every URL the page tried to fetch that is not ``file:``, ``data:``, ``blob:`` or ``about:``. A
        self-contained report has none.
    console_messages : list of str
        Every console message of any level, as ``"<level>: <text>"``, for diagnosis.
    """

    console_errors: list[str]
    plotly_graphs: int
    rendered_graphs: int
    title: str
    screenshot: Path | None
    dom: str
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    console_messages: list[str] = field(default_factory=list)


def chromium_path() -> str | None:
    """Locate a Chromium (or Chrome) executable.

    Returns
    -------
    str or None
        ``$CHROMIUM`` if set and executable, else ``/usr/bin/chromium`` (the Debian package), else the first of
        :data:`CANDIDATES` found on ``PATH``; ``None`` when there is no browser.
    """
    override = os.environ.get("CHROMIUM")
    if override and os.access(override, os.X_OK):
        return override
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def artifact_path(name: str) -> Path:
    """Path for a test artifact (e.g. a screenshot) that should outlive the test run.

    Parameters
    ----------
    name : str
        File name, e.g. ``"report-index.png"``.

    Returns
    -------
    Path
        ``$EVENTSTUDY_TEST_ARTIFACTS/<name>`` if that variable is set, else ``<repo>/test-artifacts/<name>`` (a
        git-ignored folder); the folder is created.
    """
    folder = Path(os.environ.get("EVENTSTUDY_TEST_ARTIFACTS") or Path(__file__).resolve().parents[1] / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def render(
    html_file: Path,
    screenshot: Path | None = None,
    wait_ms: int = 5000,
    *,
    settle_ms: int = 250,
    width: int = 1280,
    height: int = 900,
    full_page: bool = True,
    timeout_s: float = 30.0,
) -> PageReport:
    """Open a local HTML file in headless Chromium with the network off and report what happened.

    The page is loaded from a ``file://`` URL. After the ``load`` event the harness waits until every Plotly graph
    div holds its SVG (or, if ``window.Plotly`` never appeared, stops waiting at once, since nothing can render),
    for at most `wait_ms`; then `settle_ms` more to catch late errors, then takes the screenshot and the DOM.

    Parameters
    ----------
    html_file : Path
        The page to open.
    screenshot : Path, optional
        Where to write a PNG of the page; parent folders are created.
    wait_ms : int, default 5000
        Longest wait, after the ``load`` event, for the Plotly graphs to render.
    settle_ms : int, default 250
        Extra quiet time after rendering, so errors raised just after it are collected too.
    width, height : int, default 1280, 900
        Viewport size in CSS pixels.
    full_page : bool, default True
        Capture the whole page height (capped at 16384 px) rather than just the viewport.
    timeout_s : float, default 30.0
        Longest wait for any single answer from the browser, and for the ``load`` event.

    Returns
    -------
    PageReport

    Raises
    ------
    FileNotFoundError
        If `html_file` does not exist.
    BrowserError
        If no Chromium is installed, it fails to start, stops answering, or the page does not load in time.
    """
    with open_browser(width=width, height=height, timeout_s=timeout_s) as browser:
        return browser.render(
            html_file, screenshot=screenshot, wait_ms=wait_ms, settle_ms=settle_ms, full_page=full_page
        )


def open_browser(width: int = 1280, height: int = 900, timeout_s: float = 30.0) -> Browser:
    """A headless Chromium for several pages, to use as a context manager (the browser stops on exit).

    Parameters
    ----------
    width, height : int, default 1280, 900
        Viewport size in CSS pixels.
    timeout_s : float, default 30.0
        Longest wait for any single answer from the browser, and for a page's ``load`` event.

    Raises
    ------
    BrowserError
        If no Chromium is installed (the browser itself starts on ``__enter__``).
    """
    executable = chromium_path()
    if executable is None:
        raise BrowserError("no Chromium executable found (apt-get install chromium)")
    return Browser(executable, width=width, height=height, timeout_s=timeout_s)


class Browser:
    """One Chromium process with a fresh profile, spoken to over the DevTools pipe; a context manager.

    :meth:`render` opens a page (closing the previous one); :meth:`run`, :meth:`new_errors` and :meth:`screenshot`
    act on the page opened last.
    """

    def __init__(self, executable: str, *, width: int, height: int, timeout_s: float) -> None:
        self.executable = executable
        self.width = width
        self.height = height
        self.timeout_s = timeout_s
        self.pid: int | None = None
        self.profile = Path(tempfile.mkdtemp(prefix="eventstudy-chromium-"))
        self.log = self.profile / "chromium.log"
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        self.next_id = 0
        self.to_browser = -1
        self.from_browser = -1
        self.reader: threading.Thread | None = None
        self.page: tuple[str, str] | None = None  # (target id, session id) of the page opened last
        self.seen = 0  # events of that page already reported

    # -- process ------------------------------------------------------------------------------------------------

    def __enter__(self) -> Browser:
        try:
            self._start()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop()

    def _start(self) -> None:
        # Both pipe ends the child needs are first moved to descriptors >= 10 so that placing them on 3 and 4 in the
        # child cannot overwrite one with the other; CLOEXEC keeps every other copy out of the browser.
        commands_read, commands_write = os.pipe()
        replies_read, replies_write = os.pipe()
        child_in = fcntl.fcntl(commands_read, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(replies_write, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(commands_read)
        os.close(replies_write)
        self.to_browser, self.from_browser = commands_write, replies_read
        argv = [
            self.executable,
            *BASE_FLAGS,
            f"--user-data-dir={self.profile}",
            f"--window-size={self.width},{self.height}",
            "about:blank",
        ]
        env = {**os.environ, "HOME": str(self.profile)}
        for noisy in ("CHROMIUM_FLAGS", "DISPLAY", "WAYLAND_DISPLAY"):
            env.pop(noisy, None)
        try:
            self.pid = os.posix_spawn(
                self.executable,
                argv,
                env,
                file_actions=[
                    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 1, str(self.log), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
                    (os.POSIX_SPAWN_DUP2, 1, 2),
                    (os.POSIX_SPAWN_DUP2, child_in, 3),
                    (os.POSIX_SPAWN_DUP2, child_out, 4),
                ],
                setsid=True,  # its own process group, so that the renderers and helpers die with it
            )
        finally:
            os.close(child_in)
            os.close(child_out)
        self.reader = threading.Thread(target=self._read, name="chromium-devtools-reader", daemon=True)
        self.reader.start()

    def _stop(self) -> None:
        if self.pid is not None:
            if self.reader is not None and self.reader.is_alive():
                with contextlib.suppress(BrowserError, OSError):
                    self._send("Browser.close")
            if not self._reaped(2.0):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.pid, signal.SIGKILL)
                self._reaped(5.0)
            # Helpers that outlived the browser in its group (the group id is the browser's pid).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            self.pid = None
        for fd in (self.to_browser, self.from_browser):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.to_browser = self.from_browser = -1
        if self.reader is not None:
            self.reader.join(timeout=2.0)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _reaped(self, seconds: float) -> bool:
        """Wait up to `seconds` for the browser to exit; True once it has been reaped."""
        assert self.pid is not None
        deadline = time.monotonic() + seconds
        while True:
            try:
                pid, _ = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                return True
            if pid:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # -- protocol -----------------------------------------------------------------------------------------------

    def _read(self) -> None:
        """Reader thread: split the browser's output on NUL bytes and queue the decoded messages; None at EOF."""
        buffer = b""
        try:
            while True:
                chunk = os.read(self.from_browser, 1 << 16)
                if not chunk:
                    break
                buffer += chunk
                *complete, buffer = buffer.split(b"\0")
                for raw in complete:
                    self.messages.put(json.loads(raw))
        except (OSError, ValueError):
            pass
        finally:
            self.messages.put(None)

    def _send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> int:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.to_browser, data) :]
        return self.next_id

    def _next(self, deadline: float) -> dict[str, Any] | None:
        """The next message from the browser, or None if none came before `deadline`."""
        try:
            message = self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None
        if message is None:
            self.messages.put(None)  # keep reporting EOF
            raise BrowserError(f"Chromium closed the DevTools pipe; its log ends:\n{self._log_tail()}")
        return message

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        """Send one command and wait for its result; events arriving meanwhile are kept in :attr:`events`."""
        request = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout_s
        while True:
            message = self._next(deadline)
            if message is None:
                raise BrowserError(
                    f"no answer to {method} within {self.timeout_s} s; Chromium log:\n{self._log_tail()}"
                )
            if message.get("id") == request:
                if "error" in message:
                    raise BrowserError(f"{method} failed: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def pump(self, until: float) -> None:
        """Collect events until the monotonic time `until`."""
        while time.monotonic() < until:
            message = self._next(until)
            if message is not None and "method" in message:
                self.events.append(message)

    def drain(self) -> None:
        """Collect the events that have already arrived, without waiting."""
        while True:
            try:
                message = self.messages.get_nowait()
            except queue.Empty:
                return
            if message is None:
                self.messages.put(None)
                return
            if "method" in message:
                self.events.append(message)

    def evaluate(self, session: str, expression: str) -> Any:
        """Value of a JavaScript expression in the page (JSON-serialisable results only)."""
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, session
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"evaluating {expression[:60]!r} threw: {_exception_text(result['exceptionDetails'])}")
        return result["result"].get("value")

    # -- the page -----------------------------------------------------------------------------------------------

    def render(
        self,
        html_file: Path,
        screenshot: Path | None = None,
        wait_ms: int = 5000,
        *,
        settle_ms: int = 250,
        full_page: bool = True,
    ) -> PageReport:
        """Open a local HTML file in this browser and report what happened (see :func:`render`)."""
        html_file = Path(html_file).resolve()
        if not html_file.is_file():
            raise FileNotFoundError(html_file)
        if self.page is not None:
            self.call("Target.closeTarget", {"targetId": self.page[0]})
            self.page = None
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", {}, session)
        self.call(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            session,
        )
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        self.events.clear()  # anything from about:blank is not the page's
        navigation = self.call("Page.navigate", {"url": html_file.as_uri()}, session)
        if navigation.get("errorText"):
            raise BrowserError(f"cannot open {html_file}: {navigation['errorText']}")

        deadline = time.monotonic() + self.timeout_s
        while not any(event["method"] == "Page.loadEventFired" for event in self.events):
            if time.monotonic() >= deadline:
                raise BrowserError(f"{html_file} did not finish loading within {self.timeout_s} s")
            self.pump(min(deadline, time.monotonic() + 0.05))

        deadline = time.monotonic() + wait_ms / 1000
        while True:
            probe = self.evaluate(session, _PROBE)
            done = probe["rendered"] == probe["graphs"] or not probe["plotly"]
            if done or time.monotonic() >= deadline:
                break
            self.pump(min(deadline, time.monotonic() + 0.05))
        self.pump(time.monotonic() + settle_ms / 1000)
        probe = self.evaluate(session, _PROBE)

        self.page = (target, session)
        shot: Path | None = None
        if screenshot is not None:
            shot = self.screenshot(screenshot, full_page=full_page)
        dom = self.evaluate(session, "document.documentElement.outerHTML")
        self.drain()
        self.seen = len(self.events)
        return self._report(self.events, probe, shot, dom)

    def _session(self) -> str:
        if self.page is None:
            raise BrowserError("no page is open: call render() first")
        return self.page[1]

    def run(self, expression: str, settle_ms: int = 0) -> Any:
        """Value of a JavaScript expression in the page opened last (awaited if a promise; JSON values only),
        read after `settle_ms` more of quiet time."""
        value = self.evaluate(self._session(), expression)
        self.pump(time.monotonic() + settle_ms / 1000)
        return value

    def press(self, key: str = "Enter", settle_ms: int = 100) -> None:
        """Press a key (``"Enter"``, ``"Tab"``, ``" "``...) in the page opened last, as the keyboard would: on the
        element that has the focus."""
        session = self._session()
        codes = {"Enter": ("Enter", 13, "\r"), "Tab": ("Tab", 9, ""), " ": ("Space", 32, " ")}
        code, number, text = codes.get(key, (key, 0, key))
        for kind in ("keyDown", "keyUp"):
            params: dict[str, Any] = {"type": kind, "key": key, "code": code, "windowsVirtualKeyCode": number}
            if kind == "keyDown" and text:
                params["text"] = text
            self.call("Input.dispatchKeyEvent", params, session)
        self.pump(time.monotonic() + settle_ms / 1000)

    def new_errors(self, settle_ms: int = 100) -> list[str]:
        """Console errors and uncaught exceptions of the page opened last since it was reported (or since the last
        call), after `settle_ms` of quiet time."""
        self._session()
        self.pump(time.monotonic() + settle_ms / 1000)
        self.drain()
        fresh = self.events[self.seen :]
        self.seen = len(self.events)
        return self._report(fresh, {"graphs": 0, "rendered": 0, "title": ""}, None, "").console_errors

    def screenshot(self, path: Path, *, full_page: bool = True, top: int = 0, height: int | None = None) -> Path:
        """Write a PNG of the page opened last: the whole page (capped at 16384 px), the viewport, or the band of
        `height` CSS pixels from `top`."""
        session = self._session()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if height is not None:
            size = self.call("Page.getLayoutMetrics", {}, session)["cssContentSize"]
            clip = {"x": 0, "y": top, "width": max(1, int(size["width"])), "height": height, "scale": 1}
            data = self.call(
                "Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True}, session
            )
            path.write_bytes(base64.b64decode(data["data"]))
        else:
            path.write_bytes(self._screenshot(session, full_page))
        return path

    def _screenshot(self, session: str, full_page: bool) -> bytes:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics", {}, session)["cssContentSize"]
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": max(1, min(int(size["width"]), 16384)),
                "height": max(1, min(int(size["height"]), 16384)),
                "scale": 1,
            }
            params["captureBeyondViewport"] = True
        return base64.b64decode(self.call("Page.captureScreenshot", params, session)["data"])

    def _report(
        self, events: list[dict[str, Any]], probe: dict[str, Any], screenshot: Path | None, dom: str
    ) -> PageReport:
        errors: list[str] = []
        messages: list[str] = []
        failed: list[str] = []
        external: list[str] = []
        for event in events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                text = " ".join(_remote_object_text(arg) for arg in params.get("args", []))
                messages.append(f"{params['type']}: {text}")
                if params["type"] in ("error", "assert"):
                    errors.append(f"console.{params['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                errors.append(_exception_text(params["exceptionDetails"]))
            elif method == "Log.entryAdded":
                entry = params["entry"]
                where = f" ({entry['url']})" if entry.get("url") and entry["url"] not in entry["text"] else ""
                messages.append(f"{entry['level']}: {entry['text']}{where}")
                if entry["level"] == "error":
                    errors.append(f"{entry['source']}: {entry['text']}{where}")
            elif method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                if not url.startswith(_LOCAL_SCHEMES):
                    external.append(url)
            elif method == "Network.loadingFailed":
                failed.append(f"{_request_url(self.events, params['requestId'])} {params.get('errorText', '')}".strip())
        return PageReport(
            console_errors=errors,
            plotly_graphs=int(probe["graphs"]),
            rendered_graphs=int(probe["rendered"]),
            title=str(probe["title"]),
            screenshot=screenshot,
            dom=dom,
            failed_requests=failed,
            external_requests=external,
            console_messages=messages,
        )


def _remote_object_text(arg: dict[str, Any]) -> str:
    """Readable text of a console argument (a CDP ``RemoteObject``)."""
    if "value" in arg:
        return arg["value"] if isinstance(arg["value"], str) else json.dumps(arg["value"])
    return str(arg.get("description") or arg.get("unserializableValue") or arg.get("type", ""))


def _exception_text(details: dict[str, Any]) -> str:
    """One line for an uncaught exception: ``Uncaught Error: boom (file:///...:3:9)``."""
    exception = details.get("exception") or {}
    description = exception.get("description") or (exception.get("value") and str(exception["value"])) or ""
    text = details.get("text", "Uncaught")
    head = description.splitlines()[0] if description else ""
    message = f"{text} {head}".strip() if head and head not in text else text
    where = details.get("url") or details.get("scriptId", "")
    if where:
        message += f" ({where}:{details.get('lineNumber', 0) + 1}:{details.get('columnNumber', 0) + 1})"
    return message


def _request_url(events: list[dict[str, Any]], request_id: str) -> str:
    for event in events:
        if event["method"] == "Network.requestWillBeSent" and event["params"]["requestId"] == request_id:
            return str(event["params"]["request"]["url"])
    return f"<request {request_id}>"
