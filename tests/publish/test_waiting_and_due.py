"""Waits a person can see, posts retried by a running process when their time comes, and a bounded resume."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest

from editfactory.jobs import SUCCEEDED, JobRunner
from editfactory.jobs.kinds import start_due_retry
from editfactory.ops.startup import open_profile
from editfactory.publish import RetryPolicy, next_due_at, publish_clip, resume_pending, retry_due_posts, save_config
from editfactory.publish import marker, outbox
from tests.fakes.postiz_server import Faults
from tests.publish.conftest import add_clip, configure, standard_integrations

KEY = "key-store-a-0123456789"


@pytest.fixture
def store(workspace, postiz_factory, sample_mp4):
    profile = workspace.create("Store A")
    server = postiz_factory(KEY, standard_integrations("a"))
    configure(profile, server, KEY, default_channels=["a-tiktok"])
    return profile, server, add_clip(profile, sample_mp4, "Red sneakers")


def _record_open(profile, clip, integration="a-x", platform="x"):
    (row,) = outbox.record(profile, [outbox.NewPublication(clip, integration, platform, "now", "Left open",
                                                           {"__type": platform, "who_can_reply_post": "everyone"},
                                                           None, None, marker.new_key())])
    return row


def test_retry_after_wait_says_until_when(store):
    """Progress used to stay on 'Posting to tiktok' through a Retry-After wait of up to 100 s."""
    profile, server, clip = store
    server.fail_next(429, {"statusCode": 429, "message": "ThrottlerException: Too Many Requests"},
                     {"Retry-After": 90}, method="POST", path="/posts")
    messages: list[str] = []
    policy = RetryPolicy(base_delay=0.001, sleep=lambda seconds: None)
    before = dt.datetime.now().astimezone()
    (result,) = publish_clip(profile, clip, caption="x", policy=policy, progress=lambda m, f: messages.append(m))
    assert result.status == "posted"
    waiting = [m for m in messages if "waiting until" in m]
    assert len(waiting) == 1 and waiting[0].startswith("Postiz asked to wait before posting to tiktok")
    shown = dt.datetime.strptime(re.search(r"waiting until (\d\d:\d\d:\d\d)", waiting[0]).group(1), "%H:%M:%S")
    expected = before + dt.timedelta(seconds=90)
    offset = (shown.hour * 3600 + shown.minute * 60 + shown.second
              - (expected.hour * 3600 + expected.minute * 60 + expected.second)) % 86400
    assert min(offset, 86400 - offset) <= 5  # the local clock time 90 s on, not the time it started


def test_post_held_for_a_long_retry_after_is_sent_by_the_running_process_when_due(store, fast_policy):
    """Held posts used to wait for the next process start; a running studio retries them when their time comes."""
    profile, server, clip = store
    server.post_limit_per_hour = 0
    server.faults = Faults(retry_after=3000)
    (held,) = publish_clip(profile, clip, caption="Later", policy=RetryPolicy(base_delay=0.001, max_wait=60))
    assert held.status == "retrying" and next_due_at(profile) == held.next_attempt_at
    assert held.next_attempt_at - outbox.utcnow() > dt.timedelta(seconds=2900)
    server.post_limit_per_hour = 10_000
    posts_before = server.requests.count(("POST", "/posts"))
    not_yet = retry_due_posts(profile, policy=fast_policy)
    assert not_yet.found == [] and [p.id for p in not_yet.not_due] == [held.id]
    assert server.requests.count(("POST", "/posts")) == posts_before  # nothing sent before its time

    # Its time comes (the stored due time moves into the past, as the clock would take it there).
    outbox.update(profile, held.id, next_attempt_at=outbox.utcnow() - dt.timedelta(seconds=1))
    with JobRunner(workers=1) as runner:  # as the studio runs it: the publish_retry_due job
        job = runner.wait(profile, start_due_retry(runner, profile), timeout=120)
    assert job.status == SUCCEEDED, job.error
    assert job.outputs["found"] == 1 and job.outputs["still_open"] == 0
    assert outbox.get(profile, held.id).status == "posted" and len(server.live_posts()) == 1
    assert next_due_at(profile) is None


def test_row_another_process_is_sending_is_left_alone_by_a_due_retry(store, fast_policy):
    import psutil

    profile, server, clip = store
    row = _record_open(profile, clip)
    parent = psutil.Process().parent()
    outbox.update(profile, row.id, owner=f"{parent.pid}-{int(parent.create_time())}")  # a live other process
    report = retry_due_posts(profile, policy=fast_policy)
    assert [p.id for p in report.skipped_in_use] == [row.id] and server.requests == []
    assert outbox.claim(profile, row.id, None) is None  # the compare-and-set refuses it too


@pytest.mark.parametrize("reachable", [True, False])
def test_resume_gives_up_waiting_at_its_budget_and_keeps_the_posts(store, sample_mp4, reachable):
    """Postiz failing or unreachable: resuming used to take about a minute per post (191 s for three)."""
    profile, server, clip = store
    rows = [_record_open(profile, c) for c in (clip, add_clip(profile, sample_mp4), add_clip(profile, sample_mp4))]
    if reachable:
        server.faults = Faults(server_error=1.0)
    else:
        save_config(profile, url="http://127.0.0.1:9")  # nothing listens there
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # a fake clock: the budget is checked against it, nothing really waits
        waits.append(seconds)
        now[0] += seconds

    policy = RetryPolicy(sleep=sleep, clock=lambda: now[0])  # the real defaults: 6 attempts, 2 s doubling
    report = resume_pending(profile, policy=policy, budget=10, timeout=5)
    assert sum(waits) <= 10
    assert {p.id for p in report.still_open} == {r.id for r in rows}
    assert all(outbox.get(profile, r.id).is_open and outbox.get(profile, r.id).owner is None for r in rows)
    assert "still wait in the outbox and are tried again automatically" in report.summary()


def test_open_profile_never_waits_on_postiz(workspace, store, fast_policy):
    """open_profile, on the studio's page-load path, used to block 55-65 s per open post while Postiz hung."""
    profile, server, clip = store
    _record_open(profile, clip)
    server.hold = threading.Event()  # every request hangs until released
    fallback = threading.Timer(60, server.hold.set)  # a regression then fails the assertion instead of hanging
    fallback.start()
    try:
        report = open_profile(workspace, profile.id, again=True)
        returned_while_postiz_hung = not server.hold.is_set()
        shown = report.summary()
    finally:
        server.hold.set()
        fallback.cancel()
    assert returned_while_postiz_hung
    assert "1 unfinished post(s) of profile 'Store A' are being resumed in the background" in shown
    resumed = report.publishing.wait(120)
    assert resumed is not None and [p.status for p in resumed.results] == ["posted"]
    assert report.summary().startswith("Resumed 1 unfinished post(s): 1 delivered")
    assert len(server.live_posts()) == 1
