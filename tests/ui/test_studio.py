"""The studio page: built as a component, and served by `panel serve` the way README command (1) starts it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from editfactory import projects
from editfactory.costs import set_quota
from editfactory.ui.studio import create_app

ROOT = Path(__file__).resolve().parents[2]


def _text(viewable) -> str:
    return "\n".join(str(obj.object) for obj in viewable.objects)


def test_overview_shows_each_profile_with_its_own_figures(workspace):
    shoes = workspace.create("Shoes")
    hats = workspace.create("Hats")
    project = projects.create_project(shoes, "Launch")
    projects.create_clip(shoes, project["id"], "v1", status="rendered")
    set_quota(hats, 5)
    workspace.remember_last_used(hats.id)
    text = _text(create_app(workspace))
    assert "active profile: **Hats**" in text
    assert "| Shoes | 1 | 1 | 1 | 0 | $0.00 (no quota) |" in text
    assert "| **Hats** | 0 | 0 | 0 | 0 | $0.00 (0% of $5.00) |" in text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.ui
def test_served_studio_opens_on_the_last_used_profile(browser, workspace, tmp_path):
    workspace.create("Magazinul Ștefan")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "panel", "serve", str(ROOT / "apps" / "studio.py"), "--port", str(port),
         "--address", "127.0.0.1", f"--allow-websocket-origin=127.0.0.1:{port}"],
        env={**os.environ, "EDITFACTORY_DATA": str(workspace.root)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        page = browser.new_page()
        deadline = time.monotonic() + 60
        while True:
            try:
                page.goto(f"http://127.0.0.1:{port}/studio")
                break
            except Exception:  # the server is still starting
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        page.get_by_text("Magazinul Ștefan").first.wait_for(timeout=30_000)
        assert "Edit Factory" in page.content()
    finally:
        server.terminate()
        server.wait(timeout=30)
