"""One whole story in a real browser, the way a store owner meets the studio.

Empty workspace → "Default" shown → create "Store B" (the studio switches to it) → its price and
Postiz account in Settings → upload a generated video → analyze with visible progress → edit a
segment → type a script → price shown → generate the voiceover and play it → render 3 variants
with progress → reload mid-render: the progress is still there → the clips in the Library →
publish one to the fake Postiz → the Dashboard shows the counts and the cost → switch back to
"Default": none of Store B's clips, sources or jobs is visible. A screenshot of every page is
saved to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from editfactory.jobs import JobStore
from editfactory.media.runner import ffmpeg_path
from editfactory.services import projects
from tests.fakes.postiz_server import FakePostiz
from tests.publish.conftest import standard_integrations
from tests.ui.conftest import open_page, screenshot, shown_page

KEY = "key-store-b-0123456789"
SCRIPT = ("Meet the summer sandal. Soft straps, a cushioned sole and a grip that holds on wet stone. "
          "Order yours today.")


@pytest.fixture
def footage(tmp_path):
    path = tmp_path / "sandal.mp4"
    subprocess.run(
        [ffmpeg_path(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-t", "6",
         "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000", "-t", "6", "-c:v", "libx264",
         "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)],
        check=True, timeout=120,
    )
    return path


@pytest.fixture
def postiz():
    with FakePostiz(KEY, standard_integrations("b")) as server:
        yield server


def _go(page, label: str, wait_text: str) -> None:
    page.get_by_text(label, exact=True).filter(visible=True).first.click()
    page.get_by_text(wait_text).filter(visible=True).first.wait_for(timeout=120_000)


@pytest.mark.ui
@pytest.mark.slow
def test_a_store_owners_whole_story(browser, workspace, served_studio, footage, postiz):
    studio = served_studio(EDITFACTORY_SECRETS_BACKEND="file")
    page = open_page(browser, studio.url, viewport=(1400, 1600))
    page.get_by_text("Default", exact=True).filter(visible=True).first.wait_for(timeout=120_000)  # an empty workspace gets "Default"
    screenshot(page, "40-story-empty-workspace")

    # Create "Store B": the studio switches to it.
    page.get_by_role("button", name="New profile").click()
    page.get_by_label("Name", exact=True).first.fill("Store B")
    page.get_by_role("button", name="Create").click()
    store_b = None
    page.wait_for_function("() => window.location.search.includes('profile=')", timeout=60_000)
    store_b = workspace.find_by_name("Store B")
    default = workspace.find_by_name("Default")
    page.wait_for_url(f"**profile={store_b.id}**", timeout=60_000)

    # Settings: a price for the local voice (so the cost is visible), a quota, and the store's Postiz account.
    _go(page, "Settings", "Price per 1 000 characters")
    page.get_by_label("Price per 1 000 characters ($)").fill("2")
    page.get_by_role("button", name="Save price").click()
    page.get_by_label("Monthly quota ($, empty for no limit)").fill("5")
    page.get_by_role("button", name="Save quota").click()
    page.get_by_label("Postiz URL (empty for Postiz cloud)").fill(postiz.backend_url)
    page.get_by_label("Postiz API key").fill(KEY)
    page.get_by_text("Publishing on").filter(visible=True).first.click()
    page.get_by_role("button", name="Save Postiz settings").click()
    page.get_by_role("button", name="Test connection").first.click()
    page.get_by_text("b TikTok").filter(visible=True).first.wait_for(timeout=60_000)
    screenshot(page, "41-story-settings")
    assert KEY not in page.content()

    # Produce: a project, the footage, analysis with its progress, a segment edited.
    _go(page, "Produce", "Create project")
    page.get_by_label("New project name").fill("Summer sandals")
    page.get_by_role("button", name="Create project").click()
    page.get_by_text("Project 'Summer sandals' created.").wait_for(timeout=90_000)
    shown_page(page).locator("input[type=file]").set_input_files([str(footage)])
    page.get_by_text("6.0 s · 320x240").wait_for(timeout=120_000)
    page.get_by_role("button", name="Analyze footage").click()
    page.get_by_text("Analysis of sandal.mp4 —").filter(visible=True).first.wait_for(timeout=90_000)  # the progress card
    page.get_by_text("found by analysis").wait_for(timeout=120_000)
    page.locator(".tabulator-cell[tabulator-field='keywords']").filter(visible=True).first.click()
    editor = page.locator(".tabulator-cell.tabulator-editing input")
    editor.fill("sandal, strap")
    editor.press("Enter")
    page.get_by_text("Segment saved.").wait_for(timeout=60_000)

    # The script with its price; the voiceover generated and played.
    page.get_by_role("textbox", name="Script", exact=True).fill(SCRIPT)
    page.get_by_text(f"{len(SCRIPT)} characters · about").wait_for(timeout=90_000)
    page.get_by_text(f"${len(SCRIPT) / 1000 * 2:.2f}").filter(visible=True).first.wait_for(timeout=60_000)
    page.get_by_role("button", name="Generate voiceover").click()
    page.locator("audio[src^='/efmedia/']").wait_for(timeout=120_000)
    played = page.locator("audio[src^='/efmedia/']").evaluate(
        "a => { a.muted = true; return a.play().then(() => new Promise(r => setTimeout(() => r(a.currentTime), 800))) }")
    assert played > 0
    screenshot(page, "42-story-produce-voiceover")

    # Render 3 variants; reload in the middle: the progress is still there.
    page.get_by_role("button", name="Render", exact=True).click()
    page.get_by_text("Render of 3 variant(s) — running").wait_for(timeout=90_000)
    [render] = JobStore(store_b).list(kind="production")
    assert render.status in ("queued", "running")
    page.reload()
    page.get_by_text(re.compile(r"Render of 3 variant\(s\) — (running|succeeded)")).wait_for(timeout=120_000)
    screenshot(page, "43-story-render-after-reload")
    page.get_by_text("Render of 3 variant(s) — succeeded").wait_for(timeout=600_000)
    page.get_by_text("3 rendered clip(s) in this project").wait_for(timeout=120_000)
    [project] = projects.list_projects(store_b)
    assert len(projects.list_clips(store_b, project["id"])) == 3

    # The clips are in the Library; one of them is published to the store's Postiz.
    _go(page, "Library", "matching clip(s)")
    page.get_by_text("Summer sandals", exact=False).filter(visible=True).first.wait_for(timeout=60_000)
    page.get_by_text("1–3 of 3 matching clip(s)").wait_for(timeout=60_000)
    screenshot(page, "44-story-library")
    page.locator(".tabulator-row input[type='checkbox']").nth(0).check()
    page.get_by_text("1 selected").wait_for(timeout=30_000)
    page.get_by_role("button", name="Publish selected").click()
    page.wait_for_url("**page=publish**", timeout=30_000)
    page.get_by_label("b TikTok (tiktok)").check()
    page.get_by_label("Caption (every channel without its own)").fill("Summer is here ☀️ #sandals")
    page.get_by_role("button", name="Publish now").click()
    page.get_by_text("Publish — succeeded").wait_for(timeout=120_000)
    screenshot(page, "45-story-publish")
    assert len(postiz.live_posts()) == 1

    # The Dashboard counts what was made and what it cost.
    _go(page, "Dashboard", "All profiles")
    page.get_by_text("videos made").filter(visible=True).first.wait_for(timeout=60_000)
    cost = f"${len(SCRIPT) / 1000 * 2:.2f}"
    page.get_by_text(cost).filter(visible=True).first.wait_for(timeout=60_000)
    screenshot(page, "46-story-dashboard")

    # Back to "Default": nothing of Store B is visible.
    page.get_by_role("combobox").first.click()
    page.get_by_role("listbox").get_by_text("Default").click()
    page.wait_for_url(f"**profile={default.id}**", timeout=60_000)
    _go(page, "Library", "0 clips")  # the count of an empty profile's Library
    screenshot(page, "47a-story-default-library")
    assert page.get_by_text("Summer sandals").count() == 0
    assert projects.list_clips(default) == [], "Store B's clips reached Default's database"
    _go(page, "Jobs", "job(s) shown")
    page.get_by_text("0 job(s) shown").filter(visible=True).first.wait_for(timeout=60_000)
    _go(page, "Produce", "Create project")
    assert page.get_by_text("Summer sandals").count() == 0
    assert page.get_by_text("sandal.mp4").count() == 0
    screenshot(page, "47-story-default-sees-nothing-of-store-b")
    assert projects.list_clips(default) == [] and JobStore(default).list() == []
