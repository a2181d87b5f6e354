"""A server restart in the middle of a render: after reload the job is shown as interrupted, and Retry finishes it."""

from __future__ import annotations

import signal
import subprocess

import pytest

from editfactory.footage import import_source
from editfactory.jobs import FAILED, JobStore
from editfactory.media.runner import ffmpeg_path
from editfactory.pipeline import ProductionRequest
from editfactory.services import projects
from tests.ui.conftest import open_page, screenshot


def _make_footage(path):
    subprocess.run(
        [ffmpeg_path(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=12",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
        check=True, timeout=120,
    )
    return path


@pytest.mark.ui
def test_a_render_cut_off_by_a_server_restart_shows_as_interrupted_with_retry(browser, workspace, served_studio, tmp_path):
    shop = workspace.create("Shop")
    source = import_source(shop, _make_footage(tmp_path / "footage.mp4"))
    project = projects.create_project(shop, "Launch")
    projects.set_project_sources(shop, project["id"], [source.id])
    request = ProductionRequest(project["id"], script="Fresh sandals for every summer day. Order yours today.", variants=3)
    # The job as a person's earlier attempt left it: failed, so the Jobs page offers Retry.
    store = JobStore(shop)
    job = store.create("production", {**request.__dict__, "label": "Render 3 variants"})
    store.finish(job.id, FAILED, error="stopped for the test")

    studio = served_studio()
    page = open_page(browser, f"{studio.url}?page=jobs&profile={shop.id}", wait_text="stopped for the test")
    page.get_by_text("↻ Retry").first.click()
    page.get_by_text("running", exact=True).first.wait_for(timeout=60_000)
    studio.process.send_signal(signal.SIGKILL)  # the server dies mid-render
    studio.process.wait(timeout=30)

    restarted = served_studio()
    page.goto(f"{restarted.url}?page=jobs&profile={shop.id}")
    page.get_by_text("interrupted", exact=True).first.wait_for(timeout=60_000)
    screenshot(page, "20-jobs-interrupted-after-restart")
    assert store.get(job.id).status == "interrupted"
    assert not list(shop.paths.renders.glob("*.tmp*")), "a half-written render was left in the library"
    page.get_by_text("↻ Retry").first.click()
    page.get_by_text("succeeded", exact=True).first.wait_for(timeout=300_000)
    assert store.get(job.id).status == "succeeded"
    assert len(projects.list_clips(shop, project["id"])) == 3
