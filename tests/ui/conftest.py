"""UI tests: component tests without a browser, and browser tests (marked ``ui``) in Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
# Screenshots of every page, for people to look at (README names this folder).
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(autouse=True)
def _reset_panel_state():
    """Without this, Panel's global state can keep pytest waiting after the last test."""
    import panel as pn

    yield
    pn.state.reset()


@pytest.fixture
def runner():
    from editfactory.jobs import JobRunner

    with JobRunner(workers=2, cancel_poll_interval=0.1) as job_runner:
        yield job_runner


@pytest.fixture
def make_session(workspace, runner):
    """A studio session of its own (as each browser tab has), on the shared workspace and runner."""
    from editfactory.models import StudioSession

    def make(profile_id: str | None = None) -> StudioSession:
        session = StudioSession(workspace, runner)
        session.open(profile_id)
        return session

    return make


def launched_chromium():
    """Debian's Chromium under Playwright, closed afterwards (a generator for fixtures of any scope)."""
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def browser(request):
    chromium = launched_chromium()
    instance = next(chromium)
    try:
        yield instance
    finally:
        if _failed(request):
            _print_opened_pages(instance)  # while the browser is still open
        chromium.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServedStudio:
    """`panel serve apps/studio.py` in a child process on a free port, the way the README starts it."""

    def __init__(self, workspace_root: Path, log_path: Path, env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/studio"
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "panel", "serve", str(ROOT / "apps" / "studio.py"), "--port", str(self.port),
             "--address", "127.0.0.1", f"--allow-websocket-origin=127.0.0.1:{self.port}",
             "--plugins", "editfactory.ui.media_route"],
            cwd=ROOT, env={**os.environ, "EDITFACTORY_DATA": str(workspace_root), **(env or {})},
            stdout=self._log, stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the studio server exited: {self.log_path.read_text()[-3000:]}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError("the studio server did not start in time")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell at teardown whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(request) -> bool:
    report = getattr(request.node, "report_call", None)
    return report is not None and report.failed


@pytest.fixture(autouse=True)
def _diagnose_failed_browser_test(request):
    """When a browser test fails, print what its pages showed and what the browser logged: a failure in CI can
    only be understood from its printed output."""
    yield
    if _failed(request):  # pages of a browser shared by the module (a test's own browser printed them already)
        for value in list(request.node.funcargs.values()):
            if hasattr(value, "ef_opened_pages"):
                _print_opened_pages(value)


def _opened_pages(browser) -> list:
    """Pages opened by ``open_page`` in ``browser``, with what the browser said on each. Kept on the browser object:
    this file is imported under two module names (pytest's and the tests' own imports), so a global here would be
    two lists."""
    if not hasattr(browser, "ef_opened_pages"):
        browser.ef_opened_pages = []
    return browser.ef_opened_pages


def _print_opened_pages(browser) -> None:
    opened = _opened_pages(browser)
    known = {id(page) for page, _ in opened}
    # Pages opened without open_page (browser.new_page, a context's pages) are printed too, without messages.
    others = [(page, ["(not opened by open_page: no messages kept)"]) for context in browser.contexts
              for page in context.pages if id(page) not in known]
    for page, messages in [*opened, *others]:
        print(f"--- page {page.url}")
        try:
            print("shown:", page.evaluate(_VISIBLE_TEXT_JS)[:3000])
        except Exception as error:  # noqa: BLE001 - a closed page has nothing more to say
            print("(page not readable:", error, ")")
        print("browser messages:", *messages[-40:], sep="\n  ")
    opened.clear()


# The text a user sees, shadow roots included (Bokeh draws inside them; inner_text("body") misses it).
_VISIBLE_TEXT_JS = """() => {
  const parts = [];
  const walk = (node) => {
    if (node.shadowRoot) walk(node.shadowRoot);
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        const parent = child.parentElement;
        const text = child.textContent.trim();
        if (text && parent && parent.checkVisibility && parent.checkVisibility()) parts.push(text);
      } else if (child.nodeType === Node.ELEMENT_NODE || child.nodeType === Node.DOCUMENT_FRAGMENT_NODE) {
        walk(child);
      }
    }
  };
  walk(document.body);
  return parts.join(" | ");
}"""


@pytest.fixture
def served_studio(workspace, tmp_path, request):
    """Start the studio on ``workspace``; call ``served_studio()`` after preparing the workspace. When the test
    fails, the end of each server's log is printed."""
    started: list[ServedStudio] = []

    def start(**env) -> ServedStudio:
        studio = ServedStudio(workspace.root, tmp_path / f"studio-{len(started)}.log", env=env)
        started.append(studio)
        return studio

    yield start
    for studio in started:
        studio.stop()
        if _failed(request):
            print(f"--- end of the studio server's log ({studio.log_path.name}):")
            print(studio.log()[-4000:])


def open_page(browser, url: str, *, wait_text: str | None = None, viewport=(1400, 900), timezone_id: str | None = None):
    """A new page at ``url`` (in a browser set to ``timezone_id`` if given); fails on any visible traceback."""
    options = {"timezone_id": timezone_id} if timezone_id else {}
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]}, **options)
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text[:300]}"))
    page.on("pageerror", lambda error: messages.append(f"page error: {str(error)[:500]}"))
    _opened_pages(browser).append((page, messages))
    page.goto(url)
    if wait_text:
        page.get_by_text(wait_text).first.wait_for(timeout=30_000)
    return page


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def shown_page(page):
    """The studio page on screen: pages opened before in the session stay built, hidden (so a locator over the
    whole document can also find their elements, e.g. two file inputs)."""
    return page.locator(".ef-page:visible")
