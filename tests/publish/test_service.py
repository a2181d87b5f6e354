"""Publishing clips: now, scheduled, many with spacing, per-channel text, status follow-up, crash recovery."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.publish import (
    ChannelTarget,
    PublishingNotConfiguredError,
    RetryPolicy,
    check_connection,
    clip_state,
    delete_publication,
    list_publications,
    publish_clip,
    publish_many,
    refresh_status,
    refresh_status_report,
    resume_pending,
    save_config,
)
from editfactory.publish import marker, outbox
from editfactory.publish.providers import YouTubeSettings
from tests.fakes.postiz_server import Faults
from tests.publish.conftest import add_clip, configure, standard_integrations

KEY = "key-store-a-0123456789"
UTC = dt.timezone.utc


@pytest.fixture
def store(workspace, postiz_factory, sample_mp4):
    profile = workspace.create("Store A")
    server = postiz_factory(KEY, standard_integrations("a"))
    configure(profile, server, KEY, default_channels=["a-tiktok", "a-insta"])
    return profile, server, add_clip(profile, sample_mp4, "Red sneakers")


def test_publish_now_to_default_channels(store, fast_policy):
    profile, server, clip = store
    progress = []
    results = publish_clip(profile, clip, caption="Fresh drop", policy=fast_policy,
                           progress=lambda m, f: progress.append(f))
    assert [(r.platform, r.status, r.postiz_state) for r in results] == [("tiktok", "posted", "QUEUE"),
                                                                         ("instagram", "posted", "QUEUE")]
    posts = server.live_posts()
    assert sorted(p["id"] for p in posts) == sorted(r.postiz_post_id for r in results)
    assert {marker.visible_text(p["content"]) for p in posts} == {"Fresh drop"}
    for post in posts:
        (media,) = json.loads(post["image"])
        assert media["path"].endswith(".mp4") and media["id"] in server.media
    assert len(server.media) == 1  # one upload shared by both channels
    assert progress[-1] == 1.0
    # Sent for now and taken by Postiz: "posted" (it read "scheduled", though nothing was scheduled) ...
    assert clip_state(profile, clip)["state"] == "posted"
    # ... and "published" once Postiz reports every post out.
    for result in results:
        server.set_state(result.postiz_post_id, "PUBLISHED")
    refresh_status(profile, policy=fast_policy)
    assert clip_state(profile, clip)["state"] == "published"


def test_a_clip_scheduled_ahead_reads_scheduled_until_its_time(store, fast_policy):
    profile, server, clip = store
    (later,) = publish_clip(profile, clip, ["a-x"], caption="Soon", when=dt.datetime(2031, 5, 1, 9, 30, tzinfo=UTC),
                            policy=fast_policy)
    assert clip_state(profile, clip)["state"] == "scheduled"
    assert outbox.summarize([later], now=dt.datetime(2031, 5, 1, 10, 0)) == "posted"  # its time has come


def test_schedule_with_per_channel_caption_title_and_settings(store, fast_policy):
    profile, server, clip = store
    when = dt.datetime(2031, 5, 1, 9, 30, tzinfo=UTC)
    results = publish_clip(profile, clip, [
        ChannelTarget("a-x", caption="Short and sweet for X " + "lorem ipsum " * 40),
        ChannelTarget("a-yt", title="Red sneakers review", settings=YouTubeSettings(type="unlisted")),
        "a-bsky",
    ], caption="Default caption", when=when, policy=fast_policy)
    assert all(r.status == "posted" and r.post_type == "schedule" for r in results)
    by_platform = {r.platform: r for r in results}
    assert (len(by_platform["x"].content) + marker.marker_length(by_platform["x"].marker) <= 280
            and by_platform["x"].content.endswith("…"))
    assert by_platform["bluesky"].content == "Default caption"
    posts = {p["integration"]["id"]: p for p in server.live_posts()}
    assert posts["a-yt"]["publishDate"] == "2031-05-01T09:30:00Z"
    yt = json.loads(posts["a-yt"]["settings"])
    assert yt["title"] == "Red sneakers review" and yt["type"] == "unlisted" and yt["__type"] == "youtube"


def test_publish_many_with_spacing(store, sample_mp4, fast_policy):
    profile, server, first = store
    clips = [first, add_clip(profile, sample_mp4, "Blue"), add_clip(profile, sample_mp4, "Green")]
    start = dt.datetime(2031, 1, 1, 12, 0, tzinfo=UTC)
    results = publish_many(profile, clips, ["a-tiktok", "a-x"], captions={c: f"Caption {i}" for i, c in enumerate(clips)},
                           start=start, spacing=dt.timedelta(hours=3), policy=fast_policy)
    assert len(results) == 6 and all(r.status == "posted" for r in results)
    dates = sorted({p["publishDate"] for p in server.live_posts()})
    assert dates == ["2031-01-01T12:00:00Z", "2031-01-01T15:00:00Z", "2031-01-01T18:00:00Z"]
    assert len({r.batch_id for r in results}) == 1
    assert len(server.media) == 3


def test_clip_of_another_profile_is_not_found(store, workspace, sample_mp4, fast_policy):
    profile, server, _ = store
    other = workspace.create("Store B")
    foreign = add_clip(other, sample_mp4)
    with pytest.raises(NotFoundError, match="not found in profile 'Store A'"):
        publish_clip(profile, foreign, caption="x", policy=fast_policy)
    assert server.requests == [] and list_publications(profile) == []


def test_input_mistakes_stop_before_anything_is_recorded(store, fast_policy):
    profile, server, clip = store
    with pytest.raises(ValidationError, match="not connected"):
        publish_clip(profile, clip, ["b-tiktok"], caption="x", policy=fast_policy)
    with pytest.raises(ValidationError, match="2 to 100"):
        publish_clip(profile, clip, [ChannelTarget("a-yt", title="")], caption="", policy=fast_policy)
    with pytest.raises(ValidationError, match="time zone"):
        publish_clip(profile, clip, caption="x", when=dt.datetime(2031, 1, 1), policy=fast_policy)
    with pytest.raises(ValidationError, match="twice"):
        publish_clip(profile, clip, ["a-x", "a-x"], caption="x", policy=fast_policy)
    save_config(profile, enabled=False)
    with pytest.raises(PublishingNotConfiguredError, match="switched off"):
        publish_clip(profile, clip, caption="x", policy=fast_policy)
    assert list_publications(profile) == [] and server.live_posts() == []


def test_refused_post_is_failed_with_reason(store, fast_policy):
    profile, server, clip = store
    server.fail_next(400, {"statusCode": 400, "provider": "tiktok", "name": "a TikTok",
                           "message": "Your TikTok account cannot post videos longer than 60 seconds"},
                     method="POST", path="/posts")
    results = publish_clip(profile, clip, ["a-tiktok"], caption="x", policy=fast_policy)
    assert results[0].status == "failed" and "60 seconds" in results[0].last_error
    assert clip_state(profile, clip)["state"] == "failed"


def test_status_follow_up_records_state_on_publications_and_clip(store, fast_policy):
    profile, server, clip = store
    results = publish_clip(profile, clip, caption="Go", policy=fast_policy)
    server.set_state(results[0].postiz_post_id, "PUBLISHED", "https://tiktok.example/v/1")
    server.set_state(results[1].postiz_post_id, "PUBLISHED", "https://instagram.example/p/1")
    updated = refresh_status(profile, policy=fast_policy)
    assert {u.postiz_state for u in updated} == {"PUBLISHED"}
    assert outbox.get(profile, results[0].id).release_url == "https://tiktok.example/v/1"
    state = clip_state(profile, clip)
    assert state["state"] == "published" and {c["postiz_state"] for c in state["channels"]} == {"PUBLISHED"}
    assert refresh_status(profile, policy=fast_policy) == []  # nothing left to watch


def test_error_state_and_delete(store, fast_policy):
    profile, server, clip = store
    results = publish_clip(profile, clip, caption="Go", policy=fast_policy)
    server.set_state(results[0].postiz_post_id, "ERROR")
    refresh_status(profile, policy=fast_policy)
    assert clip_state(profile, clip)["state"] == "failed"
    delete_publication(profile, results[1].id)
    assert len(server.live_posts()) == 1
    assert outbox.get(profile, results[1].id).postiz_state == "DELETED"


def test_rate_limit_waits_retry_after_then_posts(store):
    profile, server, clip = store
    waits = []
    policy = RetryPolicy(max_attempts=5, base_delay=0.001, sleep=waits.append)
    server.faults = Faults(rate_limit=1.0, retry_after=7, only_paths=("/posts",))
    server.post_limit_per_hour = 10_000

    def lift_after_first_wait(seconds):
        waits.append(seconds)
        server.faults = Faults()

    policy.sleep = lift_after_first_wait
    results = publish_clip(profile, clip, ["a-x"], caption="x", policy=policy)
    assert results[0].status == "posted" and results[0].attempts == 2
    assert waits == [pytest.approx(7.0)]  # Retry-After honoured, not the tiny backoff


def test_gives_up_for_now_but_keeps_the_post_then_resume_finishes(store):
    profile, server, clip = store
    server.faults = Faults(server_error=1.0, only_paths=("/posts",))
    results = publish_clip(profile, clip, ["a-x"], caption="x",
                           policy=RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.002))
    assert results[0].status == "retrying" and "internal error" in results[0].last_error
    assert clip_state(profile, clip)["state"] == "publishing"
    server.faults = Faults()
    report = resume_pending(profile, policy=RetryPolicy(base_delay=0.001))
    assert [p.status for p in report.results] == ["posted"] and report.still_open == []
    assert report.summary() == "Resumed 1 unfinished post(s): 1 delivered (none twice)."
    assert len(server.live_posts()) == 1
    assert resume_pending(profile).summary() == "No unfinished posts in the outbox."


def test_crash_after_post_reached_server_resumes_without_duplicate(store, fast_policy):
    profile, server, clip = store
    server.faults = Faults(drop_after=1.0, only_paths=("/posts",))
    # A process that dies right after its request left: one attempt, then it is gone.
    publish_clip(profile, clip, ["a-x"], caption="Only once", policy=RetryPolicy(max_attempts=1))
    (row,) = outbox.open_publications(profile)
    assert row.first_sent_at is not None and len(server.live_posts()) == 1
    # As a crash mid-request leaves it: in flight, owned by a process that is gone.
    outbox.update(profile, row.id, status=outbox.SENDING, owner="1-1", next_attempt_at=None)
    server.faults = Faults()
    report = resume_pending(profile, policy=fast_policy)
    assert [p.status for p in report.results] == ["posted"]
    assert len(server.live_posts()) == 1 and report.results[0].postiz_post_id == server.live_posts()[0]["id"]


def test_crash_before_sending_resumes_from_the_outbox(store, fast_policy):
    profile, server, clip = store
    outbox.record(profile, [outbox.NewPublication(clip, "a-bsky", "bluesky", "now", "Recorded, never sent",
                                                  {"__type": "bluesky"}, None, None, marker.new_key())])
    report = resume_pending(profile, policy=fast_policy)
    assert [p.status for p in report.results] == ["posted"]
    assert marker.visible_text(server.live_posts()[0]["content"]) == "Recorded, never sent"


def test_resume_reports_when_it_cannot_send(store, fast_policy):
    profile, server, clip = store
    outbox.record(profile, [outbox.NewPublication(clip, "a-x", "x", "now", "Waiting", {"__type": "x"}, None, None,
                                                  marker.new_key())])
    save_config(profile, api_key="")
    report = resume_pending(profile, policy=fast_policy)
    assert "1 post(s) wait in the outbox" in report.blocked and len(report.still_open) == 1
    assert "no Postiz API key; paste it" in report.summary() and "once publishing is set up" in report.summary()
    assert server.requests == []


def test_resume_leaves_rows_of_a_live_process_alone(store, fast_policy):
    profile, server, clip = store
    (row,) = outbox.record(profile, [outbox.NewPublication(clip, "a-x", "x", "now", "Busy", {"__type": "x"}, None,
                                                           None, marker.new_key())])
    import psutil

    parent = psutil.Process().parent()
    outbox.update(profile, row.id, status=outbox.SENDING, owner=f"{parent.pid}-{int(parent.create_time())}")
    report = resume_pending(profile, policy=fast_policy)
    assert [p.id for p in report.skipped_in_use] == [row.id] and report.results == []
    assert "1 are being sent right now by another running process" in report.summary()


def _copies_ever_created(server) -> int:
    with server.lock:
        return len(server.posts)  # deleted posts stay in the fake's record, flagged


def test_request_that_lands_after_the_timeout_is_found_not_sent_again(store, fast_policy):
    """Postiz carries out a timed-out request late: the retry must wait for it instead of creating a second post."""
    profile, server, clip = store
    server.faults = Faults(slow_before=1.0, slow_seconds=0.8, only_paths=("/posts",), only_methods=("POST",), limit=1)
    policy = replace(fast_policy, landing_grace=2.0)
    (result,) = publish_clip(profile, clip, ["a-x"], caption="Exactly once", policy=policy, timeout=0.2)
    assert result.status == "posted" and result.attempts == 1  # found by its marker, never sent twice
    assert _copies_ever_created(server) == 1
    assert [p["id"] for p in server.live_posts()] == [result.postiz_post_id]


def test_status_follow_up_removes_late_copies_even_published_ones_and_reports_them(store, fast_policy):
    """Copies that landed anyway (e.g. before this fix, or after a very slow Postiz) are found by marker and removed."""
    profile, server, clip = store
    results = publish_clip(profile, clip, ["a-x", "a-tiktok"], caption="Twice?", policy=fast_policy)
    x, tiktok = results
    for pub in results:  # as a retried row would be: more than one request left for it
        outbox.update(profile, pub.id, attempts=2)
    late = {}
    with server.lock:  # a late copy of each, carrying the same marker
        for pub in results:
            copy = dict(server.posts[pub.postiz_post_id], id=f"late-{pub.platform}", group=f"g-{pub.platform}")
            server.posts[copy["id"]] = late[pub.platform] = copy
    server.set_state(x.postiz_post_id, "PUBLISHED", "https://x.example/p/1")  # the original went out…
    server.set_state("late-x", "PUBLISHED", "https://x.example/p/2")  # …and so did its copy
    server.set_state("late-tiktok", "PUBLISHED", "https://tiktok.example/v/2")  # the copy is public, the original queued

    report = refresh_status_report(profile, policy=fast_policy)

    assert sorted((d.platform, d.state, d.removed) for d in report.duplicates) == [
        ("tiktok", "QUEUE", True), ("x", "PUBLISHED", True)]
    live = {p["id"] for p in server.live_posts()}
    assert live == {x.postiz_post_id, "late-tiktok"}  # the public copy was kept, the queued one removed
    assert outbox.get(profile, tiktok.id).postiz_post_id == "late-tiktok"
    assert outbox.get(profile, tiktok.id).postiz_state == "PUBLISHED"
    assert outbox.get(profile, x.id).duplicates_removed == 1
    assert "found 2 duplicate copy(ies)" in report.summary()
    assert "already published at https://x.example/p/2" in report.summary()
    assert refresh_status_report(profile, policy=fast_policy).duplicates == []  # nothing found twice


def test_hourly_rate_limit_leaves_the_post_for_later(store, fast_policy):
    profile, server, clip = store
    server.post_limit_per_hour = 0
    server.faults = Faults(retry_after=3000)
    policy = RetryPolicy(max_attempts=5, base_delay=0.001, max_wait=60, sleep=lambda s: pytest.fail("must not wait"))
    (result,) = publish_clip(profile, clip, ["a-x"], caption="Later", policy=policy)
    assert result.status == "retrying" and "per hour" in result.last_error
    assert result.next_attempt_at - outbox.utcnow() > dt.timedelta(seconds=2900)
    report = resume_pending(profile, policy=fast_policy)
    assert [p.id for p in report.not_due] == [result.id] and report.results == [] and report.still_open
    assert "1 wait until" in report.summary() and "retried then by the running studio" in report.summary()
    server.post_limit_per_hour = 10_000
    report = resume_pending(profile, policy=fast_policy, due_only=False)
    assert [p.status for p in report.results] == ["posted"] and len(server.live_posts()) == 1


def test_every_named_platform_gets_its_settings_and_a_caption_cut_to_its_limit(workspace, postiz_factory,
                                                                               sample_mp4, fast_policy):
    """TikTok, Instagram, YouTube, Facebook, X, LinkedIn, Threads and Bluesky: the fake checks each one's rules."""
    from editfactory.publish.providers import CAPTION_LIMITS, ELLIPSIS, text_length
    from tests.fakes.postiz_server import FakeIntegration

    platforms = ["tiktok", "instagram", "youtube", "facebook", "x", "linkedin", "threads", "bluesky"]
    profile = workspace.create("Store A")
    server = postiz_factory(KEY, [FakeIntegration(f"a-{p}", f"A {p}", p) for p in platforms])
    configure(profile, server, KEY)
    clip = add_clip(profile, sample_mp4, "Sneakers")
    caption = "Great shoes 👟 for every day. " * 2200  # longer than every limit, Facebook's 63,206 included
    results = publish_clip(profile, clip, [f"a-{p}" for p in platforms], caption=caption, title="Sneakers " * 20,
                           policy=fast_policy)
    assert [(r.platform, r.status) for r in results] == [(p, "posted") for p in platforms]
    posts = {p["integration"]["providerIdentifier"]: p for p in server.live_posts()}
    assert set(posts) == set(platforms)
    tags = {r.platform: marker.marker_length(r.marker) for r in results}
    for platform, post in posts.items():
        text = marker.visible_text(post["content"])
        assert text.endswith(ELLIPSIS) and text_length(text) + tags[platform] <= CAPTION_LIMITS[platform]
        assert text_length(text) > CAPTION_LIMITS[platform] - 40  # cut near the limit, not far below it
        settings = json.loads(post["settings"])
        assert settings["__type"] == platform
    tiktok, youtube = json.loads(posts["tiktok"]["settings"]), json.loads(posts["youtube"]["settings"])
    assert text_length(tiktok["title"]) <= 90 and tiktok["privacy_level"] == "PUBLIC_TO_EVERYONE"
    assert {"duet", "stitch", "comment", "content_posting_method"} <= set(tiktok)
    assert 2 <= text_length(youtube["title"]) <= 100 and youtube["type"] == "public"
    assert youtube["selfDeclaredMadeForKids"] == "no"
    assert json.loads(posts["instagram"]["settings"])["post_type"] == "post"
    assert json.loads(posts["facebook"]["settings"])["post_type"] == "post"
    assert json.loads(posts["x"]["settings"])["who_can_reply_post"] == "everyone"


def test_more_input_mistakes_say_what_to_do(store, sample_mp4, fast_policy):
    profile, server, clip = store
    with pytest.raises(ValidationError, match="at least one clip"):
        publish_many(profile, [], policy=fast_policy)
    with pytest.raises(ValidationError, match="spacing between clips must be positive"):
        publish_many(profile, [clip], start=dt.datetime(2031, 1, 1, tzinfo=UTC), spacing=dt.timedelta(0),
                     policy=fast_policy)
    save_config(profile, default_channels=[])
    with pytest.raises(ValidationError, match="set default channels in the publishing settings"):
        publish_clip(profile, clip, caption="x", policy=fast_policy)
    unrendered = add_clip(profile, sample_mp4, "Not rendered yet")
    profile.paths.absolute(profile.db.fetchone("SELECT path FROM clips WHERE id = ?", [unrendered])[0]).unlink()
    with pytest.raises(ValidationError, match="render it, then publish"):
        publish_clip(profile, unrendered, ["a-x"], caption="x", policy=fast_policy)
    server.integrations["a-x"].disabled = True
    from editfactory.publish.config import check_connection

    check_connection(profile)  # the listing now says a-x is disabled
    with pytest.raises(ValidationError, match="disabled in Postiz; enable it there or choose another"):
        publish_clip(profile, clip, ["a-x"], caption="x", policy=fast_policy)
    assert list_publications(profile) == [] and server.live_posts() == []


def test_spacing_without_start_schedules_from_a_few_minutes_from_now(store, sample_mp4, fast_policy):
    profile, server, first = store
    second = add_clip(profile, sample_mp4, "Second")
    before = dt.datetime.now(UTC)
    results = publish_many(profile, [first, second], ["a-x"], captions="x", spacing=dt.timedelta(hours=1),
                           policy=fast_policy)
    first_at, second_at = (r.scheduled_at.replace(tzinfo=UTC) for r in results)
    assert all(r.post_type == "schedule" and r.status == "posted" for r in results)
    assert before + dt.timedelta(minutes=4) < first_at < before + dt.timedelta(minutes=6)
    assert second_at - first_at == dt.timedelta(hours=1)


def test_delete_of_an_unsure_post_asks_to_resume_first(store, fast_policy):
    profile, server, clip = store
    (row,) = outbox.record(profile, [outbox.NewPublication(clip, "a-x", "x", "now", "Maybe sent", {"__type": "x"},
                                                           None, None, marker.new_key())])
    outbox.update(profile, row.id, status=outbox.RETRYING, first_sent_at=outbox.utcnow())
    with pytest.raises(ValidationError, match="resume the outbox first, then delete it"):
        delete_publication(profile, row.id)
    (never_sent,) = outbox.record(profile, [outbox.NewPublication(clip, "a-x", "x", "now", "Not sent",
                                                                  {"__type": "x"}, None, None, marker.new_key())])
    assert delete_publication(profile, never_sent.id).status == "cancelled"
    with pytest.raises(NotFoundError):
        delete_publication(profile, "pub_missing")
    assert server.requests == []


def test_refused_key_keeps_the_posts_for_a_resume(store, fast_policy):
    """The key was revoked in Postiz after the channels were listed: nothing is lost, nothing marked failed."""
    profile, server, clip = store
    check_connection(profile)  # channels known, so publishing reaches the upload
    server.api_key = "rotated-key-in-postiz-123"
    results = publish_clip(profile, clip, caption="Keep me", policy=fast_policy)
    assert [r.status for r in results] == ["retrying", "retrying"]
    assert all("refused the API key" in r.last_error and "Public API" in r.last_error for r in results)
    assert clip_state(profile, clip)["state"] == "publishing"
    report = resume_pending(profile, policy=fast_policy)
    assert len(report.still_open) == 2 and "2 still wait in the outbox" in report.summary()
    save_config(profile, api_key="rotated-key-in-postiz-123")
    report = resume_pending(profile, policy=fast_policy)
    assert [p.status for p in report.results] == ["posted", "posted"] and len(server.live_posts()) == 2


def test_key_refused_while_reconciling_never_marks_a_sent_post_failed(store, fast_policy):
    """The first attempt created the post but the answer was lost; then the key stops working."""
    profile, server, clip = store
    server.faults = Faults(drop_after=1.0, only_paths=("/posts",), only_methods=("POST",), limit=1)
    real_key = server.api_key

    def revoke_key(seconds):
        server.api_key = "revoked-key-in-postiz-456"

    policy = RetryPolicy(max_attempts=5, base_delay=0.001, sleep=revoke_key)
    (result,) = publish_clip(profile, clip, ["a-x"], caption="Already there", policy=policy)
    assert result.status == "retrying" and result.first_sent_at is not None and len(server.live_posts()) == 1
    assert "refused the API key" in result.last_error
    server.api_key = real_key
    (resumed,) = resume_pending(profile, policy=fast_policy).results
    assert resumed.status == "posted" and resumed.postiz_post_id == server.live_posts()[0]["id"]
    assert len(server.live_posts()) == 1


def test_draft_goes_to_postiz_as_a_draft(store, fast_policy):
    profile, server, clip = store
    results = publish_clip(profile, clip, ["a-tiktok"], caption="Check me first", draft=True, policy=fast_policy)
    assert [(r.post_type, r.status, r.postiz_state) for r in results] == [("draft", "posted", "DRAFT")]
    (post,) = server.live_posts()
    assert post["state"] == "DRAFT" and post["id"] == results[0].postiz_post_id
    assert clip_state(profile, clip)["state"] == "draft"
    assert [p.postiz_state for p in refresh_status(profile, policy=fast_policy)] == ["DRAFT"]


def test_post_deleted_in_postiz_is_recorded_as_deleted(store, fast_policy):
    profile, server, clip = store
    results = publish_clip(profile, clip, ["a-x"], caption="Gone soon", policy=fast_policy)
    with server.lock:
        server.posts[results[0].postiz_post_id]["deleted"] = True  # someone removed it in the Postiz UI
    (updated,) = refresh_status(profile, policy=fast_policy)
    assert updated.postiz_state == "DELETED"
    assert clip_state(profile, clip)["channels"][0]["postiz_state"] == "DELETED"
    assert refresh_status(profile, policy=fast_policy) == []  # a final state is not polled again


def test_redirect_while_publishing_keeps_the_post_for_after_the_url_is_fixed(store, fast_policy):
    """A 301 used to mark the post failed for good, with an HTML page as its reason."""
    profile, server, clip = store
    check_connection(profile)
    page = b"<html><body><h1>301 Moved Permanently</h1><hr>nginx</body></html>"
    server.fail_next(301, page, {"Location": f"{server.backend_url}/v2/public/v1/posts", "Content-Type": "text/html"},
                     method="POST", path="/posts")
    (result,) = publish_clip(profile, clip, ["a-x"], caption="Moved", policy=fast_policy)
    assert result.status == "retrying" and result.retryable is False
    assert "redirect (HTTP 301)" in result.last_error and "<h1>" not in result.last_error
    assert result.resend_after is None  # answered outright: nothing in flight, so no landing window to wait out
    assert clip_state(profile, clip)["state"] == "publishing"
    (resumed,) = resume_pending(profile, policy=fast_policy).results  # the URL is fine again (fixed)
    assert resumed.status == "posted" and len(server.live_posts()) == 1
