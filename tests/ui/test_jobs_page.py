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


def test_one_action_column_cancels_a_queued_job_and_retries_a_failed_one(workspace, make_session):
    """Cancel and Retry share the first column (a job has one or the other), so the description gets the room."""
    from editfactory.jobs.kinds import ANALYZE_SOURCE
    from editfactory.ui.jobs import _CANCEL, _RETRY

    shop = workspace.create("Shoes")
    store = JobStore(shop)
    failed = store.create(ANALYZE_SOURCE, {"source_id": "gone"})
    store.finish(failed.id, "failed", error="stopped")
    queued = store.create(ANALYZE_SOURCE, {"source_id": "gone"})
    view = JobsPage(session=make_session(shop.id))
    asyncio.run(view.refresh())
    table = view._table.value
    assert "cancel" not in table.columns and "retry" not in table.columns
    actions = dict(zip(table["id"], table["action"]))
    assert actions == {queued.id: _CANCEL, failed.id: _RETRY}

    class Click:  # what Tabulator's on_click hands over: the column and the row clicked
        def __init__(self, row: int) -> None:
            self.column, self.row = "action", row

    view._on_click(Click(list(table["id"]).index(queued.id)))
    assert view.session.notice["message"].startswith("Cancel requested")
    assert store.get(queued.id).cancel_requested or store.get(queued.id).status == "cancelled"
    view._on_click(Click(list(table["id"]).index(failed.id)))
    assert view.session.notice["message"].startswith("The job was started again")


def test_the_pager_shows_only_with_a_second_page(workspace, make_session):
    shop = workspace.create("Shoes")
    store = JobStore(shop)
    for _ in range(20):
        store.create("production", {})
    view = JobsPage(session=make_session(shop.id))
    asyncio.run(view.refresh())
    assert view._table.pagination is None
    store.create("production", {})
    asyncio.run(view.refresh())
    assert len(view._table.value) == 21 and view._table.pagination == "local"
