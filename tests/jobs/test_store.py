"""JobStore: records written in short transactions, scoped to one profile."""

from __future__ import annotations

import threading

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.jobs import CANCELLED, FAILED, INTERRUPTED, QUEUED, RUNNING, SUCCEEDED, JobStore, ProcessIdentity


def test_create_get_and_list(profile):
    store = JobStore(profile)
    first = store.create("render", {"variants": 3})
    second = store.create("production", {"script": "Hi"})
    assert first.status == QUEUED and first.progress == 0 and first.inputs == {"variants": 3}
    assert first.owner == ProcessIdentity.current()
    assert store.get(second.id).inputs == {"script": "Hi"}
    assert {j.id for j in store.list()} == {first.id, second.id}
    assert [j.id for j in store.list(kind="render")] == [first.id]
    assert store.list(status=RUNNING) == []


def test_progress_and_finish(profile, tmp_path):
    store = JobStore(profile)
    job = store.create("render")
    store.mark_running(job.id, temp_dir="tmp/x")
    assert store.set_progress(job.id, "Encoding", 0.25) is False
    running = store.get(job.id)
    assert (running.status, running.progress, running.step, running.temp_dir, running.attempts) == (
        RUNNING, 25.0, "Encoding", "tmp/x", 1,
    )
    store.set_progress(job.id, "Still encoding", None)  # keeps the fraction
    assert store.get(job.id).progress == 25.0
    store.finish(job.id, SUCCEEDED, outputs={"clip": "c1"})
    done = store.get(job.id)
    assert (done.status, done.progress, done.outputs, done.temp_dir) == (SUCCEEDED, 100.0, {"clip": "c1"}, None)
    assert done.finished and done.finished_at is not None


def test_cancel_queued_job_at_once_and_running_job_by_flag(profile):
    store = JobStore(profile)
    queued = store.create("render")
    assert store.request_cancel(queued.id).status == CANCELLED
    running = store.create("render")
    store.mark_running(running.id, temp_dir=None)
    flagged = store.request_cancel(running.id)
    assert flagged.status == RUNNING and flagged.cancel_requested
    assert store.set_progress(running.id, "x", 0.5) is True  # the worker learns of it when reporting
    assert store.cancel_requested([queued.id, running.id]) == {queued.id, running.id}


def test_requeue_only_unsuccessful_jobs(profile):
    store = JobStore(profile)
    job = store.create("render", {"a": 1})
    store.mark_running(job.id, temp_dir=None)
    with pytest.raises(ValidationError, match="only failed, cancelled or interrupted"):
        store.requeue(job.id)
    store.finish(job.id, FAILED, error="boom")
    again = store.requeue(job.id)
    assert (again.status, again.error, again.inputs, again.progress) == (QUEUED, None, {"a": 1}, 0)


def test_a_job_is_claimed_once_and_never_after_a_cancel(profile):
    store = JobStore(profile)
    job = store.create("render")
    assert store.mark_running(job.id, temp_dir=None) is True
    assert store.mark_running(job.id, temp_dir=None) is False, "already running: not started twice"
    cancelled = store.create("render")
    store.request_cancel(cancelled.id)
    assert store.mark_running(cancelled.id, temp_dir=None) is False
    assert store.get(cancelled.id).status == CANCELLED


def test_concurrent_retries_of_one_job_requeue_it_once(profile):
    store = JobStore(profile)
    job = store.create("render")
    store.mark_running(job.id, temp_dir=None)
    store.finish(job.id, INTERRUPTED, error="gone")
    start = threading.Barrier(6, timeout=10)
    outcomes: list[str] = []

    def retry() -> None:
        start.wait()
        try:
            store.requeue(job.id)
            outcomes.append("queued")
        except ValidationError as error:
            assert "only failed, cancelled or interrupted" in str(error)
            outcomes.append("refused")

    threads = [threading.Thread(target=retry) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["queued"] + ["refused"] * 5
    assert store.get(job.id).status == QUEUED


def test_ids_of_another_profile_are_not_found(profile, other_profile):
    job = JobStore(profile).create("render")
    other = JobStore(other_profile)
    for call in (
        lambda: other.get(job.id),
        lambda: other.set_progress(job.id, "x", 0.1),
        lambda: other.request_cancel(job.id),
        lambda: other.finish(job.id, FAILED),
        lambda: other.requeue(job.id),
        lambda: other.mark_running(job.id, temp_dir=None),
    ):
        with pytest.raises(NotFoundError, match="Store B"):
            call()
    assert JobStore(profile).get(job.id).status == QUEUED


def test_invalid_values_are_refused(profile):
    store = JobStore(profile)
    with pytest.raises(ValidationError, match="needs a kind"):
        store.create("  ")
    with pytest.raises(ValidationError, match="Unknown job status"):
        store.list(status="done")
    job = store.create("render")
    with pytest.raises(ValidationError, match="finishes as one of"):
        store.finish(job.id, RUNNING)


def test_watch_follows_a_job_until_it_ends_or_times_out(profile):
    store = JobStore(profile)
    job = store.create("render")
    with pytest.raises(TimeoutError, match="still queued"):
        store.watch(job.id, timeout=0.2, interval=0.05)
    store.finish(job.id, FAILED, error="boom")
    seen = []
    assert store.watch(job.id, timeout=1, on_change=seen.append).status == FAILED
    assert [j.status for j in seen] == [FAILED]
