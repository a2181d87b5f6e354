"""Opening a profile finishes or reports what a crash left behind: interrupted jobs, open posts, stale temp files."""

from __future__ import annotations

import socket

from editfactory.jobs import INTERRUPTED, JobStore, ProcessIdentity
from editfactory.ops.startup import open_profile


def _dead_owner() -> ProcessIdentity:
    # A pid that cannot be running: above the kernel's pid limit.
    return ProcessIdentity(2**22 + 7, socket.gethostname(), 1.0)


def test_opening_marks_jobs_of_a_dead_process_interrupted_and_says_so(workspace):
    shop = workspace.create("Shop")
    store = JobStore(shop)
    job = store.create("production", {"script": "hi"}, owner=_dead_owner())
    leftover = shop.paths.tmp / "job-scratch"
    leftover.mkdir(parents=True)
    store.mark_running(job.id, temp_dir=shop.paths.relative(leftover), owner=_dead_owner())

    report = open_profile(workspace, shop.id)

    assert store.get(job.id).status == INTERRUPTED
    assert not leftover.exists()
    assert "1 job(s) (production) stopped" in report.summary()
    assert workspace.last_used().id == shop.id


def test_opening_a_clean_profile_has_nothing_to_report(workspace):
    shop = workspace.create("Shop")
    report = open_profile(workspace, shop.id)
    assert report.interrupted_jobs == [] and report.summary() == ""


def test_open_posts_without_publishing_set_up_are_reported_not_dropped(workspace):
    from editfactory.services import projects
    from editfactory.publish import marker, outbox

    shop = workspace.create("Shop")
    project = projects.create_project(shop, "P")
    clip = projects.create_clip(shop, project["id"], "v1", status="rendered", path="renders/v1.mp4")
    outbox.record(shop, [outbox.NewPublication(
        clip_id=clip["id"], integration_id="int-1", platform="x", post_type="now", content="Hello",
        settings={}, scheduled_at=None, title=None, marker=marker.new_key(),
    )])
    report = open_profile(workspace, shop.id)
    report.publishing.wait(60)  # resumed in the background; the page never waits for it
    assert "wait in the outbox" in report.summary()
    assert len(outbox.open_publications(shop)) == 1


def test_recovery_runs_once_per_process_unless_asked_again(workspace):
    shop = workspace.create("Shop")
    store = JobStore(shop)
    first = open_profile(workspace, shop.id)
    assert first.interrupted_jobs == []
    job = store.create("production", {}, owner=_dead_owner())
    store.mark_running(job.id, temp_dir=None, owner=_dead_owner())
    assert open_profile(workspace, shop.id) is first  # a second studio session: nothing scanned again
    assert store.get(job.id).status != INTERRUPTED
    again = open_profile(workspace, shop.id, again=True)
    assert [j.id for j in again.interrupted_jobs] == [job.id]
