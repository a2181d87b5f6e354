"""The two guarantees the issue asks to show: no cross-posting between profiles, and no duplicates or losses under faults."""

from __future__ import annotations

import collections
import datetime as dt
import random
import time
from typing import NamedTuple

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.publish import (
    RetryPolicy,
    list_publications,
    publish_clip,
    publish_many,
    refresh_status_report,
    save_config,
)
from editfactory.publish import marker
from tests.fakes.postiz_server import Faults
from tests.publish.conftest import add_clip, configure, standard_integrations

KEY_A = "key-store-a-0123456789"
KEY_B = "key-store-b-9876543210"
UTC = dt.timezone.utc


class Store(NamedTuple):
    profile: object
    server: object
    clips: list
    channels: list
    keys: list  # every key this store has used, newest last


def _markers_on(server) -> collections.Counter:
    return collections.Counter((p["integration"]["id"], key) for p in server.live_posts()
                               for key in marker.decode(p["content"]))


def _one_round(rng: random.Random, stores: dict, round_: int, policy: RetryPolicy) -> str:
    """Publish one random clip of one random profile, rotate its key, or try a cross-profile mistake (refused)."""
    prefix = rng.choice("ab")
    other = "b" if prefix == "a" else "a"
    profile, server, clips, channels, _ = stores[prefix]
    mistake = rng.random()
    if mistake < 0.03:  # the store rotates its key: the cached client must be replaced, never mixed up
        new_key = f"key-store-{prefix}-rotated-{round_:04d}"
        server.api_key = new_key
        save_config(profile, api_key=new_key)
        stores[prefix].keys.append(new_key)
        return "rotated"
    if mistake < 0.07:  # a clip of the other profile must not be publishable here
        with pytest.raises(NotFoundError):
            publish_clip(profile, rng.choice(stores[other].clips), [channels[0]], caption="nope", policy=policy)
        return "refused"
    if mistake < 0.12:  # nor a channel of the other profile's account
        with pytest.raises(ValidationError, match="not connected"):
            publish_clip(profile, rng.choice(clips), [rng.choice(stores[other].channels)], caption="nope", policy=policy)
        return "refused"
    targets = rng.sample(channels, rng.randint(1, 2))
    when = None if rng.random() < 0.5 else dt.datetime(2031, 1, 1, tzinfo=UTC) + dt.timedelta(hours=round_)
    results = publish_clip(profile, rng.choice(clips), targets, caption=f"{profile.name} round {round_}",
                           title=f"Round {round_}", when=when, policy=policy)
    assert all(r.status == "posted" for r in results), [r.last_error for r in results]
    return "published"


def test_two_profiles_two_servers_no_cross_posts(workspace, postiz_factory, sample_mp4, fast_policy):
    rng = random.Random(20240505)
    stores = {}
    for name, key, prefix in (("Store A", KEY_A, "a"), ("Store B", KEY_B, "b")):
        profile = workspace.create(name)
        server = postiz_factory(key, standard_integrations(prefix))
        configure(profile, server, key)
        clips = [add_clip(profile, sample_mp4, f"{name} clip {i}") for i in range(4)]
        stores[prefix] = Store(profile, server, clips, [i.id for i in server.integrations.values()], [key])

    outcomes = collections.Counter()
    # A batch run (as from a notebook) keeps both profiles' files open; that only saves reopening them.
    with stores["a"].profile.db.session(), stores["b"].profile.db.session():
        while outcomes["published"] < 200:
            outcomes[_one_round(rng, stores, sum(outcomes.values()), fast_policy)] += 1
    assert outcomes["refused"] > 0 and outcomes["rotated"] > 0

    total_posts = 0
    for prefix, (profile, server, _, channels, keys) in stores.items():
        rows = list_publications(profile)
        expected = collections.Counter((r.integration_id, r.marker) for r in rows)
        assert _markers_on(server) == expected  # exactly this profile's posts, each once
        assert {p["integration"]["id"] for p in server.live_posts()} <= set(channels)
        assert all(f"{profile.name} round" in marker.visible_text(p["content"]) for p in server.live_posts())
        assert {r.postiz_post_id for r in rows} == {p["id"] for p in server.live_posts()}
        other_keys = stores["b" if prefix == "a" else "a"].keys
        assert set(server.auth_headers) <= set(keys) and not set(server.auth_headers) & set(other_keys)
        assert len(set(server.auth_headers)) > 1  # rotated keys were used right after each change
        total_posts += len(rows)
    assert total_posts >= 200
    print(f"{outcomes['published']} publishes, {total_posts} posts, {outcomes['refused']} cross-profile attempts "
          f"refused, {outcomes['rotated']} key rotations, 0 cross-posts")


def _copies_ever_created(server) -> collections.Counter:
    """Posts ever created per (channel, marker), the deleted ones included: a copy removed later was still seen."""
    with server.lock:
        return collections.Counter((p["integration"]["id"], key) for p in server.posts.values()
                                   for key in marker.decode(p["content"]))


@pytest.mark.slow
def test_fault_run_every_post_exactly_once(workspace, postiz_factory, sample_mp4):
    profile = workspace.create("Store A")
    faults = Faults(rate_limit=0.07, server_error=0.06, slow=0.05, drop_before=0.06, drop_after=0.06,
                    slow_before=0.03, slow_seconds=0.3, retry_after=2)
    server = postiz_factory(KEY_A, standard_integrations("a"), seed=7, faults=faults)
    configure(profile, server, KEY_A)
    clips = [add_clip(profile, sample_mp4, f"clip {i}") for i in range(30)]
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # recorded, and really waited: late requests land in real time
        waits.append(seconds)
        time.sleep(seconds)

    # The client gives up after 0.2 s while a slow Postiz may still create the post at 0.3 s: the landing
    # window (0.6 s after the attempt ended) must cover that, so no copy is ever created twice.
    policy = RetryPolicy(max_attempts=40, base_delay=0.001, max_delay=0.005, retry_after_cap=0.01,
                         landing_grace=0.6, sleep=sleep, rng=random.Random(1))
    rng = random.Random(99)
    channels = [i.id for i in server.integrations.values()]
    results = []
    with profile.db.session():
        for index in range(0, 30, 3):
            batch = clips[index:index + 3]
            targets = rng.sample(channels, rng.randint(3, 4))
            start = dt.datetime(2031, 6, 1, tzinfo=UTC) + dt.timedelta(days=index)
            results += publish_many(profile, batch, targets, captions={c: f"Caption for {c}" for c in batch},
                                    titles="A title", start=start, spacing=dt.timedelta(hours=2), policy=policy,
                                    timeout=0.2)
        for clip in clips[:12]:  # and "now" posts, whose date the server chooses: a copy would go out at once
            results += publish_clip(profile, clip, ["a-bsky"], caption="now post", policy=policy, timeout=0.2)

    time.sleep(faults.slow_seconds + 0.2)  # let answers the client stopped waiting for finish (not an assertion)
    requests_during_run = len(server.requests)
    server.faults = Faults()
    status = refresh_status_report(profile, policy=policy)

    faulted_requests = server.requests[:requests_during_run]
    rows = list_publications(profile)
    assert len(rows) == len(results) >= 100
    assert collections.Counter(r.status for r in rows) == {"posted": len(rows)}  # the outbox says: all delivered
    on_server = _markers_on(server)
    assert len(server.live_posts()) == len(rows)  # zero duplicates left
    assert all(on_server[(r.integration_id, r.marker)] == 1 for r in rows)  # zero lost
    assert {r.postiz_post_id for r in rows} == {p["id"] for p in server.live_posts()}

    # Copies ever created: a "now" post created twice was seen twice by followers, even if removed later.
    created = _copies_ever_created(server)
    now_rows = [r for r in rows if r.post_type == "now"]
    assert len(now_rows) == 12
    now_extra = sum(created[(r.integration_id, r.marker)] - 1 for r in now_rows)
    assert now_extra == 0
    late_scheduled = sum(created[(r.integration_id, r.marker)] - 1 for r in rows if r.post_type == "schedule")
    with server.lock:  # any late copy of a scheduled post must have been removed before its time
        removed = [p for p in server.posts.values() if p["deleted"]]
    assert len(removed) == late_scheduled == len(status.duplicates)
    assert all(p["state"] == "QUEUE" and p["publishDate"] > dt.datetime.now(UTC).isoformat() for p in removed)

    injected = server.faults_injected
    assert all(injected.get(kind, 0) > 0 for kind in ("rate_limit", "server_error", "slow", "drop_before",
                                                       "drop_after", "slow_before"))
    share = sum(injected.values()) / len(faulted_requests)
    assert 0.25 < share < 0.42
    assert any(w == pytest.approx(0.01) for w in waits)  # Retry-After (capped for the test) was used
    assert any(w > 0.3 for w in waits)  # and the landing window was waited out
    reconciled = [r for r in rows if r.attempts > 1 or r.first_sent_at != r.updated_at]
    assert reconciled
    print(f"{len(rows)} posts ({len(now_rows)} now), {len(faulted_requests)} requests, faults {injected} "
          f"({share:.0%}), {sum(r.attempts > 1 for r in rows)} sent more than once, copies ever created twice: "
          f"{now_extra} of 'now' posts, {late_scheduled} of scheduled posts (removed before their time); "
          f"0 duplicates left, 0 lost")
