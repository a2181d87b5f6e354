"""The Jobs page says what each job makes in words, not as JSON inputs and ids (issue 21, point 3)."""

from __future__ import annotations

import asyncio

from editfactory.jobs import JobStore
from editfactory.services import projects
from editfactory.ui.jobs import JobsPage


def test_the_jobs_page_shows_the_words_not_json(workspace, make_session):
    shop = workspace.create("Shoes")
    project = projects.create_project(shop, "Spring launch")
    store = JobStore(shop)
    job = store.create("production", {"project_id": project["id"], "variants": 3, "preset": "tiktok",
                                      "voice": {"provider": "piper", "voice": "joe"}})
    store.finish(job.id, "failed", error="stopped")
    view = JobsPage(session=make_session(shop.id))
    asyncio.run(view.refresh())
    table = view._table.value
    assert list(table["what"]) == ["3 variants of 'Spring launch', Piper Joe, TikTok"]
    assert "inputs" not in table.columns and not any("{" in str(v) for v in table.iloc[0])


def test_a_job_that_ended_before_it_started_does_not_say_waiting(workspace):
    """A queued job waits; one that ended without starting (cancelled or failed in the queue) has no time to show."""
    from editfactory.models.jobs import elapsed_text

    store = JobStore(workspace.create("Shoes"))
    queued = store.create("production", {})
    assert elapsed_text(queued) == "waiting"
    store.finish(queued.id, "cancelled")
    assert elapsed_text(store.get(queued.id)) == "—"
