"""Publish → Suggest caption: each ticked channel gets a caption and title from the clip's brief, within its
limits, and the post goes out to the fake Postiz with them."""

from __future__ import annotations

import asyncio

from editfactory.jobs import JobStore
from editfactory.publish import check_connection, list_publications
from editfactory.services import projects
from editfactory.ui.publish import PublishPage
from editfactory.writing import Brief, save_brief
from tests.publish.conftest import _file_secrets, configure, postiz_factory, standard_integrations  # noqa: F401
from tests.ui.clip_fixtures import add_rendered_clip, small_mp4  # noqa: F401 - fixture

KEY = "key-store-a-0123456789"


def test_suggested_captions_fill_each_channel_within_its_limits_and_are_published(workspace, small_mp4,
                                                                                  postiz_factory, make_session, runner):
    shop = workspace.create("Shoes")
    project = projects.create_project(shop, "Boots")
    save_brief(shop, project["id"], Brief("Red Boots", price="$80", offer="free returns", language="en"))
    clip = add_rendered_clip(shop, project["id"], "Red boots", small_mp4)
    server = postiz_factory(KEY, standard_integrations("a"))
    configure(shop, server, KEY)
    check_connection(shop)
    session = make_session(shop.id)
    session.publish_clips = [clip["id"]]
    view = PublishPage(session=session)
    asyncio.run(view.refresh())
    forms = view._channel_forms
    view._suggest.clicks += 1
    assert session.notice["level"] == "warning" and "tick at least one channel" in session.notice["message"]
    for channel in ("a-x", "a-yt", "a-tiktok"):
        forms[channel].tick.value = True
    view._suggest.clicks += 1
    assert session.notice["level"] == "success", session.notice
    x_caption = forms["a-x"].caption.value
    assert x_caption.startswith("Stop scrolling: this is Red Boots. Get it for just $80. Plus: free returns.")
    assert x_caption.endswith("#RedBoots #musthave") and view.model.captions["a-x"] == x_caption
    assert forms["a-yt"].title.value == "Stop scrolling: this is Red Boots" and forms["a-x"].title.value == ""
    assert all("too many" not in forms[c].count.object for c in ("a-x", "a-yt", "a-tiktok"))
    view._publish.clicks += 1
    for job in JobStore(shop).list():
        assert runner.wait(shop, job.id, timeout=60).status == "succeeded"
    posts = {p.integration_id: p for p in list_publications(shop)}
    assert posts["a-x"].content == x_caption and posts["a-yt"].title == "Stop scrolling: this is Red Boots"


def test_a_model_suggestion_is_cancelled_midway_and_the_captions_stay(workspace, small_mp4, postiz_factory,
                                                                     make_session):
    """Cancel closes the model's stream: the server sees the client leave, nothing is filled in, nothing kept."""
    import json
    import time

    from editfactory.costs import ledger
    from editfactory.writing import ModelConfig, save_model_config
    from tests.fakes.openai_server import FakeOpenAI

    shop = workspace.create("Shoes")
    project = projects.create_project(shop, "Boots")
    clip = add_rendered_clip(shop, project["id"], "Red boots", small_mp4)
    server = postiz_factory(KEY, standard_integrations("a"))
    configure(shop, server, KEY)
    check_connection(shop)
    session = make_session(shop.id)
    session.publish_clips = [clip["id"]]
    view = PublishPage(session=session)
    asyncio.run(view.refresh())
    view._channel_forms["a-x"].tick.value = True
    view._channel_forms["a-x"].caption.value = "Typed by hand"
    reply = json.dumps({"caption": " ".join(["Red boots for every rainy day."] * 40), "title": "t", "hashtags": []})
    with FakeOpenAI(reply=reply, chunk_delay=0.05) as model:
        save_model_config(shop, ModelConfig(model.base_url, "fake-gpt", 0.5, 1.5), api_key=model.api_key)

        async def suggest_then_cancel() -> None:
            task = asyncio.ensure_future(view.suggest_caption())
            while not model.requests or not view._suggest_cancel.visible:
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # a few pieces are in
            view._suggest_cancel.clicks += 1
            await asyncio.wait_for(task, 20)

        started = time.monotonic()
        asyncio.run(suggest_then_cancel())
        assert time.monotonic() - started < 5  # the full reply would take about 4 s more
        deadline = time.monotonic() + 5
        while not model.disconnects and time.monotonic() < deadline:
            time.sleep(0.05)
        assert model.disconnects == 1 and model.completed_streams == 0
    assert session.notice == {"level": "info", "message": "Suggestion cancelled; the captions were not changed."}
    assert view._channel_forms["a-x"].caption.value == view.model.captions["a-x"] == "Typed by hand"
    assert not view._suggest_cancel.visible and not view._suggest.disabled
    assert [e for e in ledger.month_entries(shop) if e.get("status") == "reserved"] == []
