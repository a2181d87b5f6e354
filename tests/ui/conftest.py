"""UI tests: component tests without a browser, and browser tests (marked ``ui``) in Debian's Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(autouse=True)
def _reset_panel_state():
    """Without this, Panel's global state can keep pytest waiting after the last test."""
    import panel as pn

    yield
    pn.state.reset()


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield instance
        finally:
            instance.close()
