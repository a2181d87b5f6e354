"""The reliability suite's publishing run: 2 profiles × 200 posts, 30 % injected faults, late commits and kills.

Each profile has its own Postiz (its own key and channels) that fails about 30 %
of all requests in every way the fake knows: rate limits, 500s, slow answers,
connections dropped before and after the post was created, and requests it
carries out only after the client gave up (late commits). Some batches are sent
by a child process that is killed at a random moment (mid-upload, mid-lookup or
with a create request in flight); the next process resumes the outbox and
retries what is due. At the end: duplicates 0, lost 0, cross-posted 0, and no
copy of a "now" post was ever created twice (a removed copy was still seen).
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import random
import subprocess
import sys
import time

import pytest

from editfactory.publish import (
    RetryPolicy,
    list_publications,
    publish_many,
    refresh_status_report,
    resume_pending,
    retry_due_posts,
)
from editfactory.publish import marker, outbox
from tests.fakes.postiz_server import Faults
from tests.publish.conftest import add_clip, configure, standard_integrations
from tests.soak import full_soak, soak

UTC = dt.timezone.utc
# 200 posts per profile under `invoke reliability`, 100 under `invoke test` (the same faults and kills, fewer batches).
POSTS_PER_PROFILE = soak(200, 100)
CLIPS_PER_BATCH = 2  # × 5 channels = 10 posts per batch
KILLED_BATCHES = {3, 9, 15} if full_soak() else {3, 7}  # per profile: sent by a child process killed at a random moment
TIMEOUT = 0.15  # the client gives up after this; a slow Postiz still creates the post at SLOW seconds
SLOW = 0.25
GRACE = 0.5  # landing window after an unclear attempt: must cover SLOW - TIMEOUT with margin


def _faults() -> Faults:
    return Faults(rate_limit=0.06, server_error=0.06, slow=0.05, drop_before=0.05, drop_after=0.05, slow_before=0.03,
                  slow_seconds=SLOW, retry_after=2)


def _policy(**changes) -> RetryPolicy:
    return RetryPolicy(max_attempts=60, base_delay=0.001, max_delay=0.005, retry_after_cap=0.01,
                       landing_grace=GRACE, **changes)


_CHILD = """
import datetime as dt
from editfactory.profiles import Workspace
from editfactory.publish import RetryPolicy, publish_many
profile = Workspace({root!r}).get({profile_id!r})
start = {start!r}
publish_many(profile, {clips!r}, {channels!r}, captions={captions!r}, titles="A title",
             start=dt.datetime.fromisoformat(start) if start else None,
             spacing=dt.timedelta(hours=1) if start else None, timeout={timeout!r},
             policy=RetryPolicy(max_attempts=60, base_delay=0.001, max_delay=0.005, retry_after_cap=0.01,
                                landing_grace={grace!r}))
"""


def _kill_mid_run(workspace, profile, server, clips, channels, captions, start, rng) -> int:
    """Send one batch from a child process and kill -9 it after a random number of its requests; returns that number."""
    code = _CHILD.format(root=str(workspace.root), profile_id=profile.id, clips=clips, channels=channels,
                         captions=captions, start=start.isoformat() if start else None, timeout=TIMEOUT, grace=GRACE)
    before = len(server.requests)
    kill_after = rng.randint(1, 14)
    env = {**os.environ, "EDITFACTORY_SECRETS_BACKEND": "file"}
    process = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=os.getcwd())
    try:
        deadline = time.monotonic() + 120
        while len(server.requests) - before < kill_after and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        process.kill()
        process.wait()
    return len(server.requests) - before


def _finish_open_posts(profile, policy) -> int:
    """What a restarted studio does: resume, then retry what is due until nothing is open; returns the rounds."""
    if not outbox.open_publications(profile):
        return 0
    resume_pending(profile, policy=policy)
    rounds = 0
    while outbox.open_publications(profile) and rounds < 200:
        rounds += 1
        time.sleep(0.05)  # due times (landing windows, backoffs) pass in real time; not a measurement
        retry_due_posts(profile, policy=policy)
    return rounds


def _copies_ever_created(server) -> collections.Counter:
    with server.lock:
        return collections.Counter((p["integration"]["id"], key) for p in server.posts.values()
                                   for key in marker.decode(p["content"]))


@pytest.mark.slow
@pytest.mark.timeout(1800)  # about a minute on an idle machine; far longer on a crowded one
def test_two_profiles_hundreds_of_posts_each_under_faults_and_kills(workspace, postiz_factory, sample_mp4):
    rng = random.Random(20261202)
    stores = {}
    for prefix, name, seed in (("a", "Store A", 11), ("b", "Store B", 12)):
        key = f"key-store-{prefix}-{seed:04d}-0123456789"
        profile = workspace.create(name)
        server = postiz_factory(key, standard_integrations(prefix), seed=seed, faults=_faults())
        configure(profile, server, key)
        clips = [add_clip(profile, sample_mp4, f"{name} clip {i}") for i in range(POSTS_PER_PROFILE // 5)]
        stores[prefix] = dict(profile=profile, server=server, key=key, clips=clips, kills=0,
                              channels=[i.id for i in server.integrations.values()])

    batches = POSTS_PER_PROFILE // (CLIPS_PER_BATCH * 5)
    for index in range(batches):
        for prefix, store in stores.items():  # the two profiles take turns, as two studios would
            profile, server = store["profile"], store["server"]
            clips = store["clips"][index * CLIPS_PER_BATCH:(index + 1) * CLIPS_PER_BATCH]
            captions = {c: f"{profile.name} <b>#{index}</b> & more: {c}" for c in clips}
            # Every third batch goes out now (Postiz picks the date); the others are scheduled.
            start = None if index % 3 == 0 else dt.datetime(2031, 1, 1, tzinfo=UTC) + dt.timedelta(days=index)
            if index in KILLED_BATCHES:
                _kill_mid_run(workspace, profile, server, clips, store["channels"], captions, start, rng)
                store["kills"] += 1
            else:
                with profile.db.session():  # one open of the file for the batch (the child needs it free)
                    publish_many(profile, clips, store["channels"], captions=captions, titles="A title",
                                 start=start, spacing=dt.timedelta(hours=1) if start else None, policy=_policy(),
                                 timeout=TIMEOUT)
            with profile.db.session():
                _finish_open_posts(profile, _policy())  # after a kill, or what a run of retries left open

    time.sleep(SLOW + 0.3)  # answers the clients stopped waiting for finish (not a measurement)
    figures = []
    for prefix, store in stores.items():
        profile, server = store["profile"], store["server"]
        requests_during_run = len(server.requests)
        server.faults = Faults()
        status = refresh_status_report(profile, policy=_policy())
        rows = list_publications(profile)
        other = stores["b" if prefix == "a" else "a"]

        assert len(rows) == POSTS_PER_PROFILE
        lost = [r for r in rows if r.status != "posted"]
        live = collections.Counter((p["integration"]["id"], k) for p in server.live_posts()
                                   for k in marker.decode(p["content"]))
        lost += [r for r in rows if live[(r.integration_id, r.marker)] == 0]
        duplicates = sum(n - 1 for n in live.values() if n > 1) + (len(server.live_posts()) - len(live))
        mine = {(r.integration_id, r.marker) for r in rows}
        theirs = {(r.integration_id, r.marker) for r in list_publications(other["profile"])}
        cross_posted = sum(1 for k in live if k not in mine or k in theirs)
        cross_posted += sum(1 for h in set(server.auth_headers) if h != store["key"])
        created = _copies_ever_created(server)
        now_twice = sum(created[(r.integration_id, r.marker)] - 1 for r in rows if r.post_type == "now")
        scheduled_twice = sum(created[(r.integration_id, r.marker)] - 1 for r in rows if r.post_type == "schedule")
        injected = dict(server.faults_injected)
        share = sum(injected.values()) / requests_during_run

        assert lost == [] and duplicates == 0 and cross_posted == 0
        assert now_twice == 0  # a "now" post created twice was seen twice, even if removed later
        with server.lock:
            removed = [p for p in server.posts.values() if p["deleted"]]
        assert len(removed) == scheduled_twice == len(status.duplicates)  # late copies, removed before their time
        assert all(p["publishDate"] > dt.datetime.now(UTC).isoformat() for p in removed)
        assert 0.25 < share < 0.36 and injected.get("slow_before", 0) > 0
        assert {r.marker for r in rows} == {m for _, m in mine} and store["kills"] == len(KILLED_BATCHES)
        figures.append(
            f"{profile.name}: {len(rows)} posts ({sum(r.post_type == 'now' for r in rows)} now), "
            f"{requests_during_run} requests, {sum(injected.values())} faults ({share:.0%}: {injected}), "
            f"{injected.get('slow_before', 0)} late-committed creates, {store['kills']} kills, "
            f"{sum(r.attempts > 1 for r in rows)} posts sent more than once, copies ever created twice: "
            f"{now_twice} of 'now' posts, {scheduled_twice} of scheduled ones (removed before their time); "
            f"duplicates {duplicates}, lost {len(lost)}, cross-posted {cross_posted}")
    print("\n" + "\n".join(f"FIGURE: publishing under faults, {line}" for line in figures))
