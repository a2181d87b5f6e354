"""A publishing process killed mid-request: the next start finds the post on Postiz and records it, no duplicate."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from editfactory.publish import RetryPolicy, clip_state, list_publications, resume_pending
from editfactory.publish import outbox
from tests.fakes.postiz_server import Faults
from tests.publish.conftest import add_clip, configure, standard_integrations

KEY = "key-store-a-0123456789"

_PUBLISHER = """
from editfactory.profiles import Workspace
from editfactory.publish import RetryPolicy, publish_clip
profile = Workspace({root!r}).get({profile_id!r})
publish_clip(profile, {clip_id!r}, ["a-x", "a-tiktok"], caption="Crash test", policy=RetryPolicy(base_delay=0.01),
             timeout=60)
"""


def test_killed_publisher_is_resumed_without_duplicates(workspace, postiz_factory, sample_mp4, fast_policy):
    profile = workspace.create("Store A")
    server = postiz_factory(KEY, standard_integrations("a"),
                            faults=Faults(slow=1.0, slow_seconds=30, only_paths=("/posts",), only_methods=("POST",)))
    configure(profile, server, KEY)
    clip = add_clip(profile, sample_mp4)
    env = {**os.environ, "EDITFACTORY_SECRETS_BACKEND": "file"}
    code = _PUBLISHER.format(root=str(workspace.root), profile_id=profile.id, clip_id=clip)
    process = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=os.getcwd())
    try:
        deadline = time.monotonic() + 60
        # Postiz has created the first post and is slow to answer: the publisher waits on the socket.
        while not server.live_posts() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert len(server.live_posts()) == 1, "the publisher never reached Postiz"
    finally:
        process.kill()
        process.wait()
    rows = list_publications(profile)
    assert sorted(r.status for r in rows) == ["pending", "sending"]  # recorded before sending, one in flight
    assert clip_state(profile, clip)["state"] == "publishing"

    server.faults = Faults()
    report = resume_pending(profile, policy=fast_policy)
    assert sorted(p.status for p in report.results) == ["posted", "posted"] and report.still_open == []
    posts = server.live_posts()
    assert len(posts) == 2 and {p["integration"]["id"] for p in posts} == {"a-x", "a-tiktok"}
    assert {r.postiz_post_id for r in list_publications(profile)} == {p["id"] for p in posts}
    assert outbox.open_publications(profile) == []
    assert len(server.media) == 1  # the upload made before the crash was reused
    assert clip_state(profile, clip)["state"] == "posted"


_IN_FLIGHT_PUBLISHER = """
from editfactory.profiles import Workspace
from editfactory.publish import RetryPolicy, publish_clip
profile = Workspace({root!r}).get({profile_id!r})
publish_clip(profile, {clip_id!r}, ["a-x"], caption="Killed in flight", timeout=3,
             policy=RetryPolicy(base_delay=0.01, landing_grace=1.0))
"""


def test_request_in_flight_when_the_process_dies_is_waited_for_not_sent_again(workspace, postiz_factory, sample_mp4):
    """Killed while Postiz was still working on the request: it lands after the kill, and the resume must see it."""
    profile = workspace.create("Store A")
    server = postiz_factory(KEY, standard_integrations("a"),
                            faults=Faults(slow_before=1.0, slow_seconds=1.5, only_paths=("/posts",),
                                          only_methods=("POST",)))
    configure(profile, server, KEY)
    clip = add_clip(profile, sample_mp4)
    env = {**os.environ, "EDITFACTORY_SECRETS_BACKEND": "file"}
    code = _IN_FLIGHT_PUBLISHER.format(root=str(workspace.root), profile_id=profile.id, clip_id=clip)
    process = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=os.getcwd())
    try:
        deadline = time.monotonic() + 60
        while ("POST", "/posts") not in server.requests and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
        assert ("POST", "/posts") in server.requests, "the publisher never reached Postiz"
    finally:
        process.kill()
        process.wait()
    assert server.live_posts() == []  # not created yet: Postiz is still working on it
    server.faults = Faults()

    # The resume starts at once: nothing on Postiz yet, but the request sent before the kill can still land.
    report = resume_pending(profile, policy=RetryPolicy(base_delay=0.01, landing_grace=1.0, max_wait=30))
    (result,) = report.results
    assert result.status == "posted" and result.attempts == 1  # found after the window, never sent twice
    with server.lock:
        assert len(server.posts) == 1  # copies ever created, deleted ones included
    assert [p["id"] for p in server.live_posts()] == [result.postiz_post_id]
