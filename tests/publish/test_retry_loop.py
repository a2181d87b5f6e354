"""The background retry loop: a post waiting to retry is sent once its wait is over, with nobody calling anything."""

from __future__ import annotations

import time

import pytest

from editfactory.core.errors import ValidationError
from editfactory.publish import RetryPolicy, check_connection, outbox, publish_clip, save_config
from editfactory.publish import retry_loop
from editfactory.publish.delivery import RETRY_DELAY_ENV, RETRY_MAX_DELAY_ENV
from editfactory.publish.service import cancel_publication, next_due_at, retry_now
from tests.publish.conftest import add_clip, configure, standard_integrations

KEY = "key-store-a-0123456789"


@pytest.fixture
def store(workspace, postiz_factory, sample_mp4):
    profile = workspace.create("Store A")
    server = postiz_factory(KEY, standard_integrations("a"))
    configure(profile, server, KEY, default_channels=["a-x"])
    check_connection(profile)  # the channels are known, as after "Test connection"
    return profile, server, add_clip(profile, sample_mp4, "Red sneakers")


@pytest.fixture
def fast_loop(monkeypatch):
    """This process's loop, on, looking every 0.2 s; retries 0.3 s apart at most."""
    monkeypatch.setenv(retry_loop.ENABLED_ENV, "1")
    monkeypatch.setenv(retry_loop.CHECK_ENV, "0.2")
    monkeypatch.setenv(retry_loop.IDLE_ENV, "1")
    monkeypatch.setenv(RETRY_DELAY_ENV, "0.1")
    monkeypatch.setenv(RETRY_MAX_DELAY_ENV, "0.3")
    monkeypatch.setattr(retry_loop, "_loop", None)
    yield
    if retry_loop._loop is not None:
        retry_loop._loop.stop()


def _wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


QUICK = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)


def test_a_post_waiting_while_postiz_is_down_is_sent_once_it_is_back(store, fast_loop):
    """It used to wait forever: 'waiting to retry · Tries 0 · Upload failed' with no time for a next try."""
    profile, server, clip = store
    server.go_down()
    (row,) = publish_clip(profile, clip, caption="Back soon", policy=QUICK)
    assert row.status == "retrying" and row.last_error.startswith("Upload failed: Could not connect")
    assert row.next_attempt_at is not None and next_due_at(profile) is not None
    assert _wait_for(lambda: outbox.get(profile, row.id).failed_tries >= 3, 10)  # tried again and again, alone
    assert outbox.get(profile, row.id).status == "retrying"
    server.come_back()
    assert _wait_for(lambda: outbox.get(profile, row.id).status == "posted", 30)
    time.sleep(1.0)  # a few more rounds of the loop: nothing is sent twice
    assert server.creates() == 1 and len(server.live_posts()) == 1
    assert next_due_at(profile) is None


def test_a_refused_key_waits_for_new_settings_then_is_sent(store, fast_loop):
    profile, server, clip = store
    server.fail_next(401, {"msg": "Invalid API key"}, path="/upload")
    (row,) = publish_clip(profile, clip, caption="After the fix", policy=QUICK)
    assert row.status == "retrying" and row.retryable is False and outbox.get(profile, row.id).waits_for_settings
    time.sleep(1.0)
    assert server.requests.count(("POST", "/upload")) == 1  # not hammered with a key Postiz refused
    save_config(profile, api_key=KEY)  # the key saved again: the post goes out
    assert _wait_for(lambda: outbox.get(profile, row.id).status == "posted", 30)
    assert server.creates() == 1


def test_retry_now_and_cancel(store, fast_loop, sample_mp4):
    profile, server, clip = store
    server.post_limit_per_hour = 0  # every create is throttled with a long Retry-After
    server.faults.retry_after = 3000
    (held,) = publish_clip(profile, clip, caption="Held", policy=QUICK)
    assert held.status == "retrying" and (held.next_attempt_at - outbox.utcnow()).total_seconds() > 2900
    with pytest.raises(ValidationError, match="may be there"):
        cancel_publication(profile, held.id)  # a create request went out for it
    server.post_limit_per_hour = 10_000
    retry_now(profile, held.id)  # no waiting out the hour
    assert _wait_for(lambda: outbox.get(profile, held.id).status == "posted", 30)
    assert server.creates() == 2 and len(server.live_posts()) == 1

    other = add_clip(profile, sample_mp4, "Blue")
    server.go_down()
    (waiting,) = publish_clip(profile, other, caption="Never mind", policy=QUICK)
    cancelled = cancel_publication(profile, waiting.id)
    assert cancelled.status == "cancelled" and outbox.get(profile, waiting.id).status == "cancelled"
    server.come_back()
    time.sleep(1.0)
    assert server.creates() == 2 and outbox.clip_state(profile, other)["state"] == "unpublished"
    with pytest.raises(ValidationError, match="nothing to cancel"):
        cancel_publication(profile, waiting.id)


def test_the_loop_watches_a_workspace_and_stays_idle_when_a_profile_is_deleted(workspace, store, fast_loop):
    """A deleted profile's last look time stayed behind in the past: the loop woke every 50 ms for good."""
    profile, server, clip = store
    rounds = []

    class CountingLoop(retry_loop.RetryLoop):
        def _round(self):
            rounds.append(time.monotonic())
            super()._round()

    loop = CountingLoop(check=0.2, idle=1.0)
    other = workspace.create("Store B")
    loop.watch_workspace(workspace)
    assert _wait_for(lambda: len(loop._next_look) == 2, 10)
    workspace.delete(other.id)
    time.sleep(0.5)
    rounds.clear()
    time.sleep(2.0)
    loop.stop()
    assert len(rounds) <= 6, len(rounds)  # about one a second (idle), not one every 50 ms
    assert list(loop._next_look) == [retry_loop._key(profile)]
