"""Two processes on one profile: the served studio with several browser sessions polling and reloading, and a
notebook kernel's batch of writes in a process of its own (issue 11, reliability suite).

Zero lost writes and zero raw lock errors on both sides; the longest wait for the database file and the
batch's time next to the studio over its time alone are printed as figures (not asserted: timings vary).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from editfactory import projects

SESSIONS = {"jobs": 2, "library": 2}
WRITES = 60
RAW_LOCK_ERRORS = ("Could not set lock", "Conflicting lock", "database is locked", "IO Error")


def _notebook_batch(workspace, profile, tag: str) -> subprocess.Popen:
    """The notebook kernel's batch: WRITES short transactions in a row, stopping at the first error (as a job does)."""
    return subprocess.Popen(
        [sys.executable, "-m", "editfactory.bench.fairness", "--role", "job", "--root", str(workspace.root),
         "--profile", profile.id, "--tag", tag, "--writes", str(WRITES), "--busy-timeout", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _result(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.ui
@pytest.mark.slow
def test_a_notebook_batch_next_to_a_served_studio_under_several_sessions_loses_nothing(browser, workspace,
                                                                                       served_studio):
    profile = workspace.create("Shop")
    project = projects.create_project(profile, "Launch")
    for n in range(12):
        projects.create_clip(profile, project["id"], f"clip {n}", status="rendered")
    alone = _result(_notebook_batch(workspace, profile, "alone"))

    studio = served_studio()
    pages = []
    for page_name, count in SESSIONS.items():
        for _ in range(count):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.goto(f"{studio.url}?page={page_name}&profile={profile.id}")
            page.get_by_text("job(s) shown" if page_name == "jobs" else "matching clip(s)").first.wait_for(
                timeout=180_000)
            pages.append((page_name, page))

    batch = _notebook_batch(workspace, profile, "notebook")
    switches = 0
    while batch.poll() is None:  # the sessions keep the studio reading: Jobs pages poll, the others switch pages
        for page_name, page in pages:
            if page_name == "library" and batch.poll() is None:
                target, shown = ("Jobs", "job(s) shown") if switches % 2 == 0 else ("Library", "matching clip(s)")
                page.get_by_text(target, exact=True).first.click()
                page.get_by_text(shown).first.wait_for(timeout=120_000)
                switches += 1
    contended = _result(batch)

    for _, page in pages:  # every session still works and shows no error
        page.get_by_text("Jobs", exact=True).first.click()
        page.get_by_text("job(s) shown").first.wait_for(timeout=120_000)
        assert page.get_by_text("Traceback").count() == 0
    studio_log = studio.log()
    stored = {tag: profile.db.fetchone("SELECT count(*) FROM projects WHERE id LIKE ?", [f"{tag}-%"])[0]
              for tag in ("alone", "notebook")}
    assert contended["raw"] == 0 and contended["project"] == 0 and alone["raw"] == 0 and alone["project"] == 0
    assert stored == {"alone": WRITES, "notebook": WRITES}, "lost writes"
    assert not [marker for marker in RAW_LOCK_ERRORS if marker in studio_log], studio_log[-3000:]
    assert len(projects.list_clips(profile, project["id"])) == 12
    ratio = contended["seconds"] / alone["seconds"]
    print(f"\nFIGURE: served studio and a notebook process on one profile: {sum(SESSIONS.values())} browser sessions "
          f"({switches} page switches meanwhile), a batch of {WRITES} writes: alone {alone['seconds']:.2f} s, next to "
          f"the studio {contended['seconds']:.2f} s = {ratio:.2f}x; longest wait for the file "
          f"{contended['longest_wait'] * 1000:.0f} ms; lost writes 0, raw lock errors 0")
