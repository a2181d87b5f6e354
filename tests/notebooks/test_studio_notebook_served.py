"""`panel serve notebooks/studio.ipynb` serves the studio, opened on the profile the notebook names."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.ui
def test_the_studio_notebook_served_as_an_app_shows_the_studio_on_its_profile(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from editfactory.profiles import Workspace

    Workspace(tmp_path / "ws").create("Another Store")  # the notebook must open its own "Notebooks" profile
    port = _free_port()
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "panel", "serve", str(ROOT / "notebooks" / "studio.ipynb"), "--port", str(port),
         "--address", "127.0.0.1", f"--allow-websocket-origin=127.0.0.1:{port}",
         "--plugins", "editfactory.ui.media_route"],
        cwd=ROOT, env={**os.environ, "EDITFACTORY_DATA": str(tmp_path / "ws")}, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/studio"
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(url, timeout=30).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "panel serve notebooks/studio.ipynb never answered"
            time.sleep(0.3)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
            try:
                page = browser.new_page()
                page.goto(url)
                header = page.locator("h6", has_text="Notebooks")  # the active profile's name in the header
                header.first.wait_for(timeout=90_000)
                assert header.first.inner_text().strip() == "Notebooks"
                assert "Traceback" not in page.content()
            finally:
                browser.close()
        assert "Traceback" not in (tmp_path / "server.log").read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
