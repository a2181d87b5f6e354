"""The Publish page: the form through its widgets (channels, captions counted live, when), publish jobs against a
fake Postiz, the outbox with each post's state, retry and status refresh; and the whole story in the browser."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from panel.models.tabulator import CellClickEvent

from editfactory.core.errors import NotFoundError
from editfactory.jobs import JobStore
from editfactory.models.publish import PublishModel, post_state
from editfactory.publish import check_connection, list_publications, outbox
from editfactory.services import projects
from editfactory.ui.publish import PublishPage
from tests.publish.conftest import _file_secrets, configure, postiz_factory, standard_integrations  # noqa: F401
from tests.ui.clip_fixtures import add_rendered_clip, small_mp4  # noqa: F401 - fixture
from tests.ui.conftest import open_page, screenshot

KEY = "key-store-a-0123456789"


@pytest.fixture
def shop(workspace):
    return workspace.create("Shoes")


@pytest.fixture
def clips(shop, small_mp4):
    project = projects.create_project(shop, "Boots")
    return [add_rendered_clip(shop, project["id"], name, small_mp4) for name in ("Red boots", "Blue boots")]


@pytest.fixture
def postiz(shop, postiz_factory):
    server = postiz_factory(KEY, standard_integrations("a"))
    configure(shop, server, KEY)
    check_connection(shop)  # the channels are known, as after "Test connection" in Settings
    return server


def _page(make_session, profile, clip_ids=()) -> PublishPage:
    session = make_session(profile.id)
    session.publish_clips = list(clip_ids)
    view = PublishPage(session=session)
    asyncio.run(view.refresh())
    return view


def _finish_jobs(view: PublishPage, runner) -> None:
    """Wait for the page's jobs, then let the page take in the result as its poll would."""
    for job in JobStore(view.session.profile).list():
        finished = runner.wait(view.session.profile, job.id, timeout=60)
        assert finished.status == "succeeded", finished.error
    asyncio.run(view.model.watch.poll())
    asyncio.run(view.model.reload_outbox())


def _states(view: PublishPage) -> list[tuple[str, str, str]]:
    table = view._outbox.value
    return sorted(zip(table["clip"], table["channel"], table["state"]))


def test_without_postiz_the_page_says_so_and_links_to_settings(shop, clips, make_session):
    view = _page(make_session, shop, [c["id"] for c in clips])
    assert view._setup.visible and "Settings" in view._setup.object and view._publish.disabled
    assert [c["name"] for c in view.model.clips] == ["Red boots", "Blue boots"]
    view._to_settings.clicks += 1
    assert view.session.page == "settings"


def test_no_clips_selected_points_to_the_library(shop, postiz, make_session):
    view = _page(make_session, shop)
    view._to_library.clicks += 1
    assert view.session.page == "library"
    view.session.page = "publish"
    view._publish.clicks += 1
    assert "Select the clips" in view._errors.object and view._errors.visible


def test_caption_length_is_counted_live_per_channel_and_over_long_is_refused(shop, clips, postiz, make_session, runner):
    view = _page(make_session, shop, [c["id"] for c in clips])
    forms = view._channel_forms
    assert set(forms) == {"a-tiktok", "a-insta", "a-yt", "a-x", "a-bsky"}
    forms["a-x"].tick.value = True
    forms["a-tiktok"].tick.value = True
    view._caption.value_input = "é" * 280
    # The limit keeps room for the invisible duplicate tag: 5 characters (it was 17 before issue 21).
    assert forms["a-x"].count.object.startswith("280 / 275 characters — 5 too many")
    assert forms["a-tiktok"].count.object.startswith("280 / 1995")
    forms["a-x"].caption.value_input = "Short for X 👟"
    assert forms["a-x"].count.object.startswith("14 / 275")  # the emoji counts 2, as on the platform
    forms["a-x"].caption.value_input = "x" * 276
    view._publish.clicks += 1
    assert "1 too many" in forms["a-x"].count.object and "Shorten it by 1" in view.model.errors["caption:a-x"]
    assert JobStore(shop).list() == [] and list_publications(shop) == []  # nothing queued, nothing stored
    assert view.session.notice["level"] == "error"


def test_youtube_needs_a_title_of_two_to_a_hundred_characters(shop, clips, postiz, make_session):
    view = _page(make_session, shop, [clips[0]["id"]])
    view._channel_forms["a-yt"].tick.value = True
    assert view._channel_forms["a-yt"].title.visible
    view._channel_forms["a-yt"].title.value_input = "y" * 101
    view._publish.clicks += 1
    assert "takes at most 100" in view.model.errors["title:a-yt"] and "101" in view._channel_forms["a-yt"].count.object
    view._channel_forms["a-yt"].title.value_input = "y"
    view._publish.clicks += 1
    assert "2 to 100 characters" in view.model.errors["title:a-yt"]
    assert list_publications(shop) == []


def test_scheduling_needs_a_future_time(shop, clips, postiz, make_session):
    view = _page(make_session, shop, [clips[0]["id"]])
    view._channel_forms["a-insta"].tick.value = True
    view._mode.value = "schedule"
    assert view._start.visible and view._publish.label == "Schedule"
    view._publish.clicks += 1
    assert "Pick the date and time" in view._errors.object
    view._start.value = dt.datetime(2020, 1, 1, 9, 0)
    view._publish.clicks += 1
    assert "has passed" in view._errors.object and list_publications(shop) == []


def test_publish_now_then_the_outbox_shows_each_post(shop, clips, postiz, make_session, runner):
    view = _page(make_session, shop, [c["id"] for c in clips])
    view._channel_forms["a-tiktok"].tick.value = True
    view._channel_forms["a-insta"].tick.value = True
    view._caption.value_input = "Fresh drop"
    view._publish.clicks += 1
    assert view.model.errors == {} and view.session.notice["level"] == "info"
    _finish_jobs(view, runner)
    # Each post names its channel as the channel list does (a profile can have two TikTok accounts).
    insta, tiktok = "a Instagram (instagram)", "a TikTok (tiktok)"
    assert _states(view) == [("Blue boots", insta, "sent"), ("Blue boots", tiktok, "sent"),
                             ("Red boots", insta, "sent"), ("Red boots", tiktok, "sent")]
    assert len(postiz.live_posts()) == 4 and "1–4 of 4" in view._outbox_count.object
    # Postiz publishes one: "Refresh status" runs a job that records it.
    pub = next(p for p in list_publications(shop) if p.platform == "tiktok" and p.clip_id == clips[0]["id"])
    postiz.set_state(pub.postiz_post_id, "PUBLISHED")
    view._refresh_status.clicks += 1
    _finish_jobs(view, runner)
    assert ("Red boots", tiktok, "published") in _states(view)


def test_spaced_bulk_schedules_each_clip_apart(shop, clips, postiz, make_session, runner):
    view = _page(make_session, shop, [c["id"] for c in clips])
    view._channel_forms["a-bsky"].tick.value = True
    view._caption.value_input = "Soon"
    view._mode.value = "spaced"
    start = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)).replace(tzinfo=None, second=0, microsecond=0)
    view._start.value = start
    view._spacing.value = 90
    view._publish.clicks += 1
    _finish_jobs(view, runner)
    pubs = sorted(list_publications(shop), key=lambda p: p.scheduled_at)
    assert [p.scheduled_at for p in pubs] == [start, start + dt.timedelta(minutes=90)]
    assert [s for _, _, s in _states(view)] == ["scheduled", "scheduled"]


def test_times_are_picked_and_shown_in_the_browsers_time_zone(shop, clips, postiz, make_session, runner):
    """A store owner in Bucharest (UTC+2 in December) picks 10:00 on their clock: Postiz gets 08:00 UTC, the outbox
    shows 10:00 under a heading that names the zone. Before, the picker and the outbox were in UTC."""
    view = _page(make_session, shop, [clips[0]["id"]])
    view.session.timezone = "Europe/Bucharest"
    view._channel_forms["a-bsky"].tick.value = True
    view._caption.value_input = "Soon"
    view._mode.value = "schedule"
    assert view._start.label == "Publish at (Europe/Bucharest)"
    local = dt.datetime(dt.date.today().year + 1, 12, 1, 10, 0)  # winter: UTC+2
    view._start.value = local
    view._publish.clicks += 1
    _finish_jobs(view, runner)
    (pub,) = list_publications(shop)
    assert pub.scheduled_at == local - dt.timedelta(hours=2)  # stored in UTC
    assert list(view._outbox.value["when"]) == [local.strftime("%Y-%m-%d %H:%M")]
    assert view._outbox.titles["when"] == "Publish time (Europe/Bucharest)"
    # A time that has passed is named in the user's zone too.
    view._start.value = dt.datetime(2020, 1, 1, 9, 0)
    view._publish.clicks += 1
    assert "2020-01-01 09:00 (Europe/Bucharest) has passed" in view._errors.object


def test_an_unknown_time_zone_name_falls_back_to_utc(make_session, shop):
    session = make_session(shop.id)
    session.timezone = "Mars/Olympus_Mons"
    moment = dt.datetime(2026, 12, 2, 8, 0)
    assert session.local_time(moment) == "2026-12-02 08:00" and session.from_local(moment).hour == 8


def test_a_refused_post_shows_its_reason_and_retry_sends_it_once(shop, clips, postiz, make_session, runner):
    view = _page(make_session, shop, [clips[0]["id"]])
    view._channel_forms["a-x"].tick.value = True
    view._caption.value_input = "Hello"
    postiz.fail_next(400, {"statusCode": 400, "message": ["posts.0.value must not be empty"]},
                     method="POST", path="/posts")
    view._publish.clicks += 1
    _finish_jobs(view, runner)
    table = view._outbox.value
    assert list(table["state"]) == ["failed"] and "refused" in table["reason"][0]
    view._outbox._process_event(CellClickEvent(model=None, column="retry", row=0))
    _finish_jobs(view, runner)
    assert list(view._outbox.value["state"]) == ["sent"] and len(postiz.live_posts()) == 1
    view._outbox._process_event(CellClickEvent(model=None, column="retry", row=0))
    assert "Only failed posts" in view.session.notice["message"] and len(postiz.live_posts()) == 1


def test_the_status_refresh_runs_periodically_while_posts_wait(shop, clips, postiz, make_session, runner):
    view = _page(make_session, shop, [clips[0]["id"]])
    view._channel_forms["a-insta"].tick.value = True
    view._publish.clicks += 1
    _finish_jobs(view, runner)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=view.model.refresh_every_s + 1)
    assert not view.model.refresh_due() and view.model.refresh_due(later)  # one interval after the publish
    # Opening the page again: a sent post waits for Postiz's answer, so the page asks at once, then not again.
    reopened = _page(make_session, shop)
    assert reopened.model.refresh_due()
    asyncio.run(reopened.poll())
    asyncio.run(reopened.poll())
    assert [j.kind for j in JobStore(shop).list()].count("publish_refresh") == 1
    runner.wait(shop, reopened.model.watch.jobs[0].id, timeout=60)


def test_posts_whose_wait_is_over_are_sent_while_the_page_is_open(shop, clips, postiz, make_session, runner):
    view = _page(make_session, shop, [clips[0]["id"]])
    view._channel_forms["a-insta"].tick.value = True
    postiz.fail_next(429, {"statusCode": 429, "message": "ThrottlerException: Too Many Requests"},
                     {"Retry-After": "3600"}, method="POST", path="/posts")
    view._publish.clicks += 1
    _finish_jobs(view, runner)
    assert list(view._outbox.value["state"]) == ["waiting to retry"] and postiz.live_posts() == []
    (pub,) = list_publications(shop)
    outbox.update(shop, pub.id, next_attempt_at=outbox.utcnow() - dt.timedelta(seconds=1))  # the hour has passed
    asyncio.run(view.poll())
    assert "publish_retry_due" in [j.kind for j in JobStore(shop).list()]
    _finish_jobs(view, runner)
    assert list(view._outbox.value["state"]) == ["sent"] and len(postiz.live_posts()) == 1


def test_another_profiles_clip_ids_are_refused(workspace, shop, clips, postiz, make_session, small_mp4):
    other = workspace.create("Hats")
    theirs = add_rendered_clip(other, projects.create_project(other, "Theirs")["id"], "Their clip", small_mp4)
    view = _page(make_session, shop, [clips[0]["id"], theirs["id"]])
    assert [c["name"] for c in view.model.clips] == ["Red boots"]
    assert view.session.publish_clips == [clips[0]["id"]] and "left out" in view.session.notice["message"]
    # Even a forged form cannot send it: the publish service refuses the id in this profile.
    model = PublishModel(session=view.session)
    model.load()
    model.param.update(clips=[{"id": theirs["id"], "name": "x"}], chosen=["a-insta"])
    with pytest.raises(NotFoundError):
        model.submit()
    assert list_publications(shop) == [] and list_publications(other) == []


def test_a_profile_switch_clears_the_form_and_the_outbox(workspace, shop, clips, postiz, make_session, runner):
    view = _page(make_session, shop, [clips[0]["id"]])
    view._channel_forms["a-insta"].tick.value = True
    view._publish.clicks += 1
    _finish_jobs(view, runner)
    other = workspace.create("Hats")
    view.session.profile_id = other.id
    asyncio.run(view.refresh())
    assert view.model.clips == [] and view.model.outbox_rows == [] and view.model.channels == []
    assert view._setup.visible  # Hats has no Postiz of its own


def test_post_state_words():
    base = dict(id="p", clip_id="c", integration_id="i", platform="x", post_type="now", content="", settings={},
                scheduled_at=None, postiz_post_id="1", attempts=1, last_error=None, marker="m", batch_id=None,
                title=None, media_id=None, media_path=None, first_sent_at=None, next_attempt_at=None, owner=None,
                retryable=None, release_url=None, created_at=dt.datetime(2026, 1, 1), updated_at=dt.datetime(2026, 1, 1))
    pub = lambda **kw: outbox.Publication(**{**base, "status": "posted", "postiz_state": "QUEUE", **kw})  # noqa: E731
    assert post_state(pub()) == "sent" and post_state(pub(postiz_state="PUBLISHED")) == "published"
    assert post_state(pub(scheduled_at=dt.datetime(2999, 1, 1))) == "scheduled"
    assert post_state(pub(postiz_state="ERROR")) == "failed" and post_state(pub(status="retrying")) == "waiting to retry"


@pytest.mark.ui
def test_library_to_publish_in_the_browser(browser, workspace, served_studio, shop, clips, postiz):
    workspace.remember_last_used(shop.id)
    studio = served_studio(EDITFACTORY_SECRETS_BACKEND="file")
    page = open_page(browser, studio.url + "?page=library", wait_text="Blue boots", viewport=(1400, 2200),
                     timezone_id="America/New_York")
    # Select two clips and hand them to the Publish page.
    page.locator(".tabulator-row input[type='checkbox']").nth(0).check()
    page.locator(".tabulator-row input[type='checkbox']").nth(1).check()
    page.get_by_text("2 selected").wait_for(timeout=15_000)
    page.get_by_role("button", name="Publish selected").click()
    page.wait_for_url("**page=publish**", timeout=15_000)
    page.get_by_text("a TikTok (tiktok)").wait_for(timeout=30_000)
    page.get_by_label("a X (x)").check()
    page.get_by_label("a Instagram (instagram)").check()
    caption = page.get_by_label("Caption (every channel without its own)")
    caption.fill("y" * 290)
    page.get_by_text("290 / 275 characters — 15 too many").wait_for(timeout=15_000)
    screenshot(page, "20-publish-form-too-long")
    caption.fill("Fresh drop 👟")
    page.get_by_text("13 / 275 characters").wait_for(timeout=15_000)
    page.get_by_role("button", name="Publish now").click()
    page.get_by_text("Publish — succeeded").wait_for(timeout=60_000)
    page.get_by_role("gridcell", name="sent").nth(3).wait_for(timeout=30_000)  # all four posts, each with its state
    assert len(postiz.live_posts()) == 4
    page.get_by_text("Publish time (America/New_York)").wait_for(timeout=15_000)  # the browser's zone, not UTC
    screenshot(page, "21-publish-outbox")
    assert "Traceback" not in page.content()


@pytest.mark.ui
def test_a_post_made_while_postiz_is_down_is_sent_once_it_is_back_without_a_click(browser, workspace, served_studio,
                                                                                 shop, clips, postiz):
    """It stayed 'waiting to retry' for good: with Postiz back for 10 minutes it got only list requests."""
    import time

    workspace.remember_last_used(shop.id)
    postiz.go_down()
    studio = served_studio(EDITFACTORY_SECRETS_BACKEND="file", EDITFACTORY_PUBLISH_AUTO_RETRY="1",
                           EDITFACTORY_PUBLISH_RETRY_CHECK="1", EDITFACTORY_PUBLISH_RETRY_IDLE="5",
                           EDITFACTORY_PUBLISH_RETRY_DELAY="2", EDITFACTORY_PUBLISH_RETRY_MAX_DELAY="10")
    page = open_page(browser, studio.url + "?page=library", wait_text="Blue boots", viewport=(1600, 1600))
    page.locator(".tabulator-row input[type='checkbox']").nth(0).check()
    page.get_by_text("1 selected").wait_for(timeout=15_000)
    page.get_by_role("button", name="Publish selected").click()
    page.wait_for_url("**page=publish**", timeout=15_000)
    page.get_by_label("a X (x)").check()
    page.get_by_label("Caption (every channel without its own)").fill("Back soon")
    page.get_by_role("button", name="Publish now").click()
    page.get_by_role("gridcell", name="waiting to retry").wait_for(timeout=90_000)
    page.get_by_text("Could not connect to Postiz").first.wait_for(timeout=15_000)
    page.get_by_text("↻ Retry now").wait_for(timeout=15_000)
    page.get_by_text("✕ Cancel").wait_for(timeout=15_000)
    page.get_by_text("Next try (UTC)").wait_for(timeout=15_000)
    screenshot(page, "22-publish-waiting-to-retry")
    assert postiz.creates() == 0

    postiz.come_back()
    back = time.monotonic()
    page.get_by_role("gridcell", name="sent", exact=True).wait_for(timeout=60_000)  # no click on the way
    took = time.monotonic() - back
    time.sleep(3)  # a few more rounds of the retry loop and polls of the page: still one post
    assert postiz.creates() == 1 and len(postiz.live_posts()) == 1
    assert took <= 60
    print(f"\nFIGURE: retry without a click: sent {took:.1f} s after Postiz came back, 1 create")
    assert "Traceback" not in page.content()


def test_posting_a_clip_again_to_a_channel_asks_first(shop, clips, postiz, make_session, runner):
    """Before: a second click on Publish posted the same clip to the same channel again without a word."""
    view = _page(make_session, shop, [clips[0]["id"]])
    view._channel_forms["a-tiktok"].tick.value = True
    view._caption.value_input = "Fresh drop"
    view._publish.clicks += 1
    assert not view._repost_dialog.open  # first time: no question
    _finish_jobs(view, runner)
    assert len(postiz.live_posts()) == 1

    view._publish.clicks += 1  # again, to the same channel
    day = view.session.local_time(list_publications(shop)[0].first_sent_at, "%d %b %Y").lstrip("0")
    assert view._repost_dialog.open
    assert view._repost_text.object == f"- Posted to a TikTok (tiktok) on {day} — post again?"
    assert len(JobStore(shop).list()) == 1 and len(postiz.live_posts()) == 1  # nothing sent while it asks

    view._repost_dialog.open = False  # Cancel: still one post
    assert len(JobStore(shop).list()) == 1

    # Another clip and a fresh channel go without a question; the posted pair is named with its clip.
    view.session.publish_clips = [c["id"] for c in clips]
    asyncio.run(view.refresh())
    view._channel_forms["a-tiktok"].tick.value = True
    view._channel_forms["a-insta"].tick.value = True
    view._publish.clicks += 1
    assert view._repost_text.object == f"- 'Red boots': Posted to a TikTok (tiktok) on {day} — post again?"
    [confirm, _cancel] = view._repost_dialog.objects[1].objects
    confirm.clicks += 1  # Post again
    assert not view._repost_dialog.open
    _finish_jobs(view, runner)
    assert len(postiz.live_posts()) == 1 + 4
