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
