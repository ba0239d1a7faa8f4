"""Open a local HTML file in headless Chromium, offline, and report what a reader's browser saw.

The test harness for ``report.html`` (issue 10, §8): Debian's ``chromium`` is started headless
with a fresh profile and driven through the DevTools protocol over ``--remote-debugging-pipe``
(NUL-separated JSON on file descriptors 3 and 4: no port, no websocket, no dependency). The
network is off three ways: no proxy, every host name resolves to nothing, and every request the
page makes that is not the file itself is failed by ``Fetch`` interception (and recorded).

``open_page`` returns a ``PageReport``: console errors and uncaught exceptions, JavaScript
dialogs (``alert``), every ``<img>`` with ``naturalWidth`` / ``complete``, every URL the page
tried, the document's ``lang``, and optionally a full-page screenshot PNG. The browser process
group and its profile folder are removed on every exit path (success, error, timeout).

Example:
    >>> page = open_page(tmp_path / "report.html", screenshot=tmp_path / "page.png")
    >>> assert not page.console_errors and not page.leaks and not page.broken_images
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["BrowserError", "ImageInfo", "PageReport", "find_chromium", "open_page"]

# Where Debian (chromium), Ubuntu (chromium-browser) and the Debian package's real binary live.
CANDIDATES = ("chromium", "chromium-browser", "/usr/bin/chromium")

# The flags the environment's probe used as root, plus: no proxy, no DNS, no extensions.
FLAGS = (
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
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--hide-scrollbars",
    "--no-proxy-server",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
)

# A full-page screenshot grows the viewport to the page's height, up to this many CSS pixels.
MAX_PAGE_HEIGHT = 32768

# Runs in the page after load: makes lazy images load now, waits for every image to settle
# (load or error, at most 5 s), then two frames, and returns what the reader's browser has.
_COLLECT_JS = """
(async () => {
  const imgs = Array.from(document.images);
  imgs.forEach((img) => { img.loading = "eager"; });
  const settle = (img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done, {once: true});
    img.addEventListener("error", done, {once: true});
  });
  await Promise.race([Promise.all(imgs.map(settle)), new Promise((r) => setTimeout(r, 5000))]);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return {
    lang: document.documentElement.getAttribute("lang") || "",
    title: document.title,
    text: document.body ? document.body.innerText : "",
    images: imgs.map((img) => ({src: img.currentSrc || img.src, complete: img.complete,
                                naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight})),
  };
})()
"""


class BrowserError(RuntimeError):
    """Chromium could not be started, or did not answer in time, or failed to load the page."""


@dataclass(frozen=True)
class ImageInfo:
    """One ``<img>`` as the browser has it after load.

    Attributes:
        src: the resolved URL (a ``data:`` URI is shortened to its first 64 characters).
        complete: the browser finished with it (loaded or failed).
        natural_width: decoded width in pixels; 0 when the image did not decode.
        natural_height: decoded height in pixels.
    """

    src: str
    complete: bool
    natural_width: int
    natural_height: int

    @property
    def decoded(self) -> bool:
        """The image loaded and decoded: ``complete`` and ``naturalWidth > 0``."""
        return self.complete and self.natural_width > 0


@dataclass(frozen=True)
class PageReport:
    """What headless Chromium saw when it opened one local file with the network off.

    Attributes:
        url: the ``file://`` URL opened.
        lang: the ``lang`` attribute of ``<html>`` ('' when absent).
        title: ``document.title``.
        text: the text the reader sees (``document.body.innerText``).
        console_errors: console ``error``/``assert`` calls, uncaught exceptions and the browser's
            own error log (failed loads, blocked requests), one text each, in order.
        console_messages: every console call as ``(level, text)``, errors included.
        dialogs: the text of every ``alert``/``confirm``/``prompt`` the page opened.
        images: every ``<img>`` in the document.
        requests: every URL the page tried to fetch (documents, images, styles, scripts,
            frames, ``fetch``/XHR, websockets), each once, in order, the page itself first
            (``data:`` URIs shortened like ``ImageInfo.src``); all but the page and the
            ``data:`` URIs were blocked.
        screenshot: the full-page PNG written, or None when none was asked for.
        probe: the JSON value of ``open_page``'s ``probe`` expression (None without one).
    """

    url: str
    lang: str
    title: str
    text: str
    console_errors: tuple[str, ...]
    console_messages: tuple[tuple[str, str], ...]
    dialogs: tuple[str, ...]
    images: tuple[ImageInfo, ...]
    requests: tuple[str, ...]
    screenshot: Path | None
    probe: Any = None

    @property
    def leaks(self) -> tuple[str, ...]:
        """Requests for anything but the file itself or a ``data:`` URI (each was blocked)."""
        return tuple(u for u in self.requests if u != self.url and not u.startswith("data:"))

    @property
    def broken_images(self) -> tuple[ImageInfo, ...]:
        """The images that did not decode."""
        return tuple(i for i in self.images if not i.decoded)


def find_chromium() -> str | None:
    """The first Chromium found on PATH or at Debian's path, or None."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _short(url: str) -> str:
    return url[:64] if url.startswith("data:") else url


class _Pipe:
    """DevTools protocol over ``--remote-debugging-pipe``: NUL-terminated JSON messages."""

    def __init__(self, write_fd: int, read_fd: int, deadline: float, on_event: Any) -> None:
        self._write_fd = write_fd
        self._read_fd = read_fd
        self._deadline = deadline
        self._on_event = on_event
        self._parts: list[bytes] = []  # the unfinished message, in chunks (a screenshot is MBs)
        self._next_id = 0
        self._results: dict[int, dict[str, Any]] = {}

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> int:
        """Send one command and return its id without waiting for the answer."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._write_fd, data) :]
        return self._next_id

    def call(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        """Send one command, handle events until its answer arrives, return its result."""
        wanted = self.send(method, params, session)
        self.wait(lambda: wanted in self._results, method)
        answer = self._results.pop(wanted)
        if "error" in answer:
            raise BrowserError(f"{method} failed: {answer['error'].get('message', answer)}")
        return answer.get("result", {})

    def wait(self, done: Any, what: str) -> None:
        """Read messages (events go to ``on_event``) until ``done()`` or the deadline."""
        while not done():
            left = self._deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"timed out waiting for {what}")
            ready, _, _ = select.select([self._read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._read_fd, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium closed the DevTools pipe while waiting for {what}")
            if b"\0" not in chunk:
                self._parts.append(chunk)
                continue
            *messages, rest = b"".join([*self._parts, chunk]).split(b"\0")
            self._parts = [rest]
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    self._results[message["id"]] = message
                else:
                    self._on_event(message)


class _Page:
    """The events of one page session, turned into a ``PageReport``'s lists."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pipe: _Pipe | None = None
        self.session = ""
        self.loaded = False
        self.console_errors: list[str] = []
        self.console_messages: list[tuple[str, str]] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []

    def _request(self, url: str) -> None:
        url = _short(url)
        if url not in self.requests:
            self.requests.append(url)

    def on_event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method", ""), message.get("params", {})
        if message.get("sessionId", "") != self.session or self.pipe is None:
            return
        if method == "Fetch.requestPaused":
            url = params["request"]["url"]
            self._request(url)
            if url == self.url:
                self.pipe.send(
                    "Fetch.continueRequest", {"requestId": params["requestId"]}, self.session
                )
            else:
                block = {"requestId": params["requestId"], "errorReason": "BlockedByClient"}
                self.pipe.send("Fetch.failRequest", block, self.session)
        elif method == "Network.requestWillBeSent":
            self._request(params["request"]["url"])
        elif method == "Network.webSocketCreated":
            self._request(params["url"])
        elif method == "Page.loadEventFired":
            self.loaded = True
        elif method == "Page.javascriptDialogOpening":
            self.dialogs.append(params.get("message", ""))
            self.pipe.send("Page.handleJavaScriptDialog", {"accept": False}, self.session)
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(_remote_text(a) for a in params.get("args", []))
            self.console_messages.append((params["type"], text))
            if params["type"] in ("error", "assert"):
                self.console_errors.append(text)
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            described = details.get("exception", {}).get("description")
            self.console_errors.append(f"uncaught: {described or details.get('text', '')}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            self.console_errors.append(f"{entry['text']} ({_short(entry.get('url', ''))})")


def _remote_text(arg: dict[str, Any]) -> str:
    """A console argument as text (a value, or the object's description)."""
    if "value" in arg:
        return str(arg["value"])
    return str(arg.get("description", arg.get("type", "")))


def _start(
    binary: str, profile: Path, width: int, height: int
) -> tuple[subprocess.Popen, int, int]:
    """Start Chromium in its own process group with the DevTools pipe on its fds 3 and 4."""
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()

    def map_fds() -> None:  # in the child, before exec: its fd 3 reads commands, fd 4 answers
        read_fd = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 5)
        write_fd = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 5)
        os.dup2(read_fd, 3)
        os.dup2(write_fd, 4)

    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    args = [binary, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"]
    try:
        with open(profile.parent / "stderr.txt", "wb") as stderr:
            process = subprocess.Popen(
                [*args, "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=env,
                close_fds=False,  # only the inheritable fds 3 and 4 survive exec (PEP 446)
                preexec_fn=map_fds,  # fork-safe enough: no other thread starts browsers here
                start_new_session=True,
            )
    except (OSError, subprocess.SubprocessError) as error:
        os.close(to_child_w)
        os.close(from_child_r)
        raise BrowserError(f"could not start {binary}: {error}") from None
    finally:
        os.close(to_child_r)
        os.close(from_child_w)
    return process, to_child_w, from_child_r


def _stderr_tail(path: Path) -> str:
    """The last lines of Chromium's stderr, without its D-Bus noise (no bus in a container)."""
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    kept = [line for line in lines if "dbus" not in line.lower()][-15:]
    return "\nChromium's stderr ends:\n" + "\n".join(kept) if kept else ""


def _stop(process: subprocess.Popen, pipe: _Pipe | None) -> None:
    """Ask Chromium to close, then end its whole process group if it is still there."""
    if pipe is not None and process.poll() is None:
        with contextlib.suppress(OSError):
            pipe.send("Browser.close")
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # renderers and zygotes too: the group is ours
    process.wait()


def open_page(
    html_path: str | os.PathLike[str],
    *,
    screenshot: str | os.PathLike[str] | None = None,
    timeout: float = 30,
    width: int = 1280,
    height: int = 800,
    browser: str | None = None,
    probe: str | None = None,
) -> PageReport:
    """Open a local HTML file in headless Chromium with the network off and report what it saw.

    Args:
        html_path: the file to open (loaded as ``file://``).
        screenshot: where to write a full-page PNG (viewport ``width`` wide, as tall as the page
            up to ``MAX_PAGE_HEIGHT``); None writes none.
        timeout: seconds for the whole visit, start to close.
        width: viewport width in CSS pixels.
        height: initial viewport height in CSS pixels.
        browser: the Chromium binary; None looks for one with ``find_chromium``.
        probe: a JavaScript expression evaluated after load (before any screenshot resizes
            the viewport); its JSON value is ``PageReport.probe``.

    Returns:
        The page's console errors, dialogs, images, attempted requests, ``lang`` and screenshot.

    Raises:
        BrowserError: no Chromium, it failed to start or to load the file, or ``timeout`` passed
            (the message ends with the tail of Chromium's stderr).
        FileNotFoundError: ``html_path`` does not exist.
    """
    path = Path(html_path).resolve(strict=True)
    binary = browser or find_chromium()
    if binary is None:
        raise BrowserError(
            f"Expected a Chromium binary (one of {', '.join(CANDIDATES)}), found none"
        )
    url = path.as_uri()
    deadline = time.monotonic() + timeout
    page = _Page(url)
    work = Path(tempfile.mkdtemp(prefix="pillcmp-chromium-"))
    process = None
    try:
        process, write_fd, read_fd = _start(binary, work / "profile", width, height)
        try:
            page.pipe = _Pipe(write_fd, read_fd, deadline, page.on_event)
            report = _visit(page.pipe, page, width, height, screenshot, probe)
        except BrowserError as error:
            raise BrowserError(f"{path}: {error}{_stderr_tail(work / 'stderr.txt')}") from None
        finally:
            _stop(process, page.pipe)
            os.close(write_fd)
            os.close(read_fd)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def _visit(
    pipe: _Pipe,
    page: _Page,
    width: int,
    height: int,
    screenshot: str | os.PathLike[str] | None,
    probe: str | None = None,
) -> PageReport:
    """Attach to a new tab, load the file, run the probe, collect, screenshot."""
    target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    attached = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})
    page.session = session = attached["sessionId"]
    for domain in ("Runtime", "Log", "Page", "Network"):
        pipe.call(f"{domain}.enable", {}, session)
    pipe.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, session)
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
    pipe.call("Emulation.setDeviceMetricsOverride", metrics, session)
    navigated = pipe.call("Page.navigate", {"url": page.url}, session)
    if navigated.get("errorText"):
        raise BrowserError(f"could not load the page: {navigated['errorText']}")
    pipe.wait(lambda: page.loaded, "the page's load event")
    probed = None
    if probe is not None:
        asked = {"expression": probe, "awaitPromise": True, "returnByValue": True}
        answer = pipe.call("Runtime.evaluate", asked, session)
        if "exceptionDetails" in answer:
            raise BrowserError(f"the probe failed: {answer['exceptionDetails']}")
        probed = answer["result"].get("value")
    if screenshot is not None:  # the viewport as tall as the page: everything is laid out and drawn
        size = pipe.call("Page.getLayoutMetrics", {}, session)["cssContentSize"]
        tall = min(MAX_PAGE_HEIGHT, max(height, int(size["height"] + 0.999)))
        pipe.call("Emulation.setDeviceMetricsOverride", {**metrics, "height": tall}, session)
    evaluate = {"expression": _COLLECT_JS, "awaitPromise": True, "returnByValue": True}
    collected = pipe.call("Runtime.evaluate", evaluate, session)
    if "exceptionDetails" in collected:
        raise BrowserError(f"the collecting script failed: {collected['exceptionDetails']}")
    seen = collected["result"]["value"]
    shot = None
    if screenshot is not None:
        png = pipe.call("Page.captureScreenshot", {"format": "png"}, session)["data"]
        shot = Path(screenshot)
        shot.write_bytes(base64.b64decode(png))
    images = tuple(
        ImageInfo(_short(i["src"]), i["complete"], i["naturalWidth"], i["naturalHeight"])
        for i in seen["images"]
    )
    return PageReport(
        url=page.url,
        lang=seen["lang"],
        title=seen["title"],
        text=seen["text"],
        console_errors=tuple(page.console_errors),
        console_messages=tuple(page.console_messages),
        dialogs=tuple(page.dialogs),
        images=images,
        requests=tuple(page.requests),
        screenshot=shot,
        probe=probed,
    )
