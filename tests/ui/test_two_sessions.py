"""Two browser contexts on two profiles at once, with jobs running in both: each sees only its own data."""

from __future__ import annotations

import subprocess

import pytest

from editfactory.footage import import_source
from editfactory.jobs import JobStore
from editfactory.media.runner import ffmpeg_path
from editfactory.services import projects
from tests.ui.conftest import screenshot


def _store(workspace, tmp_path, name: str, pattern: str):
    footage = tmp_path / f"{name}.mp4"
    subprocess.run(
        [ffmpeg_path(), "-v", "error", "-f", "lavfi", "-i", f"{pattern}=size=480x270:rate=30", "-t", "8",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(footage)],
        check=True, timeout=120,
    )
    profile = workspace.create(name)
    source = import_source(profile, footage)
    project = projects.create_project(profile, f"{name} launch", script=f"The {name} collection is here. Order today.")
    projects.set_project_sources(profile, project["id"], [source.id])
    return profile, project


@pytest.mark.ui
def test_two_tabs_on_two_profiles_with_jobs_running_each_see_only_their_own(browser, workspace, served_studio, tmp_path):
    shoes, shoes_project = _store(workspace, tmp_path, "Shoes", "testsrc2")
    hats, hats_project = _store(workspace, tmp_path, "Hats", "mandelbrot")
    studio = served_studio()
    tabs = {}
    for profile in (shoes, hats):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.goto(f"{studio.url}?page=produce&profile={profile.id}")
        page.get_by_role("button", name="Draft preview").wait_for(timeout=60_000)
        tabs[profile.name] = page
    # Start a draft render in both tabs, so both profiles have a job running at the same time.
    for page in tabs.values():
        page.get_by_role("button", name="Draft preview").click()
    for name, page in tabs.items():
        page.get_by_text("running", exact=False).first.wait_for(timeout=120_000)
        screenshot(page, f"30-two-tabs-produce-{name.lower()}")

    # Each tab's Jobs page lists exactly its own profile's job.
    for profile, own_project, other_project in ((shoes, shoes_project, hats_project), (hats, hats_project, shoes_project)):
        page = tabs[profile.name]
        page.get_by_text("Jobs", exact=True).first.click()
        page.get_by_text("1 job(s) shown").first.wait_for(timeout=60_000)
        page.get_by_text(f"'{own_project['name']}'", exact=False).first.wait_for(timeout=30_000)  # what it makes
        assert page.get_by_text(f"'{other_project['name']}'", exact=False).count() == 0
        assert [job.inputs["project_id"] for job in JobStore(profile).list()] == [own_project["id"]]

    # Switching the profile in one tab leaves the other tab where it was.
    shoes_tab, hats_tab = tabs["Shoes"], tabs["Hats"]
    shoes_tab.get_by_role("combobox").first.click()
    shoes_tab.get_by_role("listbox").get_by_text("Hats").click()
    shoes_tab.wait_for_url(f"**profile={hats.id}**", timeout=30_000)
    hats_tab.reload()
    hats_tab.get_by_text("1 job(s) shown").first.wait_for(timeout=60_000)
    assert f"profile={hats.id}" in hats_tab.url
    hats_tab.get_by_text(f"'{hats_project['name']}'", exact=False).first.wait_for(timeout=30_000)
    assert hats_tab.get_by_text(f"'{shoes_project['name']}'", exact=False).count() == 0
    for name, page in tabs.items():
        page.get_by_text("succeeded", exact=True).first.wait_for(timeout=300_000)
        screenshot(page, f"31-two-tabs-jobs-{name.lower()}")
