"""A notebook kernel and the served studio on one profile at once: the batch notebook runs while the studio
keeps serving that profile, and the studio then shows what the notebook made."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import nbformat
import pytest

from tests.notebooks.notebook_outputs import check_batch, text_outputs
from tests.notebooks.notebook_secrets import assert_no_key_shown, seeded_keys, stored_keys

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.ui
@pytest.mark.slow
def test_the_batch_notebook_runs_while_the_studio_serves_the_same_profile(tmp_path, monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from editfactory.ops.notebook import profile_named
    from editfactory.profiles import Workspace

    root = tmp_path / "ws"
    monkeypatch.setenv("EDITFACTORY_DATA", str(root))
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")
    workspace = Workspace(root)
    workspace.remember_last_used(profile_named("Notebooks", workspace=workspace).id)
    stack = contextlib.ExitStack()
    keys = stack.enter_context(seeded_keys(root))  # the profile has its Postiz and ElevenLabs keys set
    port = _free_port()
    log = open(tmp_path / "studio.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "panel", "serve", str(ROOT / "apps" / "studio.py"), "--port", str(port),
         "--address", "127.0.0.1", f"--allow-websocket-origin=127.0.0.1:{port}",
         "--plugins", "editfactory.ui.media_route"],
        cwd=ROOT, env={**os.environ}, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/studio"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "studio.log").read_text()
            try:
                if httpx.get(url, timeout=30).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the studio never answered"
            time.sleep(0.3)

        # The notebook runs in its own kernel process, as it does from JupyterLab.
        executed = tmp_path / "batch-executed.ipynb"
        kernel = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
             "--ExecutePreprocessor.timeout=600", "--output", str(executed), str(ROOT / "notebooks" / "batch.ipynb")],
            cwd=ROOT / "notebooks", env={**os.environ}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                loads = 0
                while kernel.poll() is None:  # the studio keeps opening the profile while the batch works in it
                    page.goto(url)
                    page.locator("h6", has_text="Notebooks").first.wait_for(timeout=90_000)
                    loads += 1
                    page.wait_for_timeout(1000)  # pacing only: let the page settle before the next load
                output = kernel.communicate(timeout=60)[0]
                assert kernel.returncode == 0, output
                assert loads >= 1
                notebook = nbformat.read(executed, as_version=4)
                check_batch(text_outputs(notebook), root)
                assert_no_key_shown(notebook, executed, set(keys.keys) | stored_keys(root), write=False)
                page.goto(url)
                page.get_by_text("Travel mug v1").first.wait_for(timeout=90_000)  # the notebook's clips, in the studio
                page.get_by_text("Trail sneakers v1").first.wait_for(timeout=30_000)
            finally:
                browser.close()
        # Bokeh itself logs tracebacks for sessions left while they were being set up; ours must not appear.
        assert "editfactory" not in "".join(
            block for block in (tmp_path / "studio.log").read_text().split("Traceback")[1:])
    finally:
        if "kernel" in locals() and kernel.poll() is None:
            kernel.kill()
            kernel.communicate()
        server.terminate()
        server.wait(timeout=30)
        log.close()
        stack.close()
