"""The writing story in a real browser: a brief → "Write scripts" with 3 variants streamed from the model
(the fake OpenAI-compatible server) → one edited → rendered as 3 variants → Publish: captions suggested by the
model → published to the fake Postiz. Screenshots at 1366x768 of the written variants and the suggested captions.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from editfactory.media.runner import ffmpeg_path
from editfactory.publish import check_connection, save_config
from editfactory.services import projects
from editfactory.writing import ModelConfig, save_model_config
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.postiz_server import FakePostiz
from tests.publish.conftest import standard_integrations
from tests.ui.conftest import SCREENSHOTS, open_page, shown_page

POSTIZ_KEY = "key-writing-story-0123456789"
MODEL_KEY = "sk-writing-story-model-9f8e7d6c5b"
SCRIPTS = [
    "Stop scrolling, this trail shoe grips wet rock. Ninety dollars today.",
    "Tired feet after a hike? The trail shoe keeps them fresh. Order now.",
    "A gift for every hiker you know: the trail shoe. Shipping is free.",
]
EDITED = "Meet the trail shoe. Ninety dollars. Tap the link."


def _model_reply(messages: list[dict]) -> str:
    """Scripts for the Produce page's prompt; post copy (JSON) built from the voiceover script for Publish's."""
    if "post copy" in messages[0]["content"]:
        script = re.search(r"<<<\n(.+?)\n>>>", messages[-1]["content"], re.DOTALL).group(1)
        first = script.split(". ")[0].rstrip(".")
        return json.dumps({"caption": f"{first}. Built for wet trails, priced at $90.",
                           "title": f"{first} | Trail shoe", "hashtags": ["#trailrunning", "#hiking"]})
    return "\n---\n".join(SCRIPTS)


@pytest.fixture
def footage(tmp_path):
    path = tmp_path / "trail.mp4"
    subprocess.run(
        [ffmpeg_path(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-t", "6",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)], check=True, timeout=120)
    return path


@pytest.mark.ui
@pytest.mark.slow
def test_a_brief_written_by_the_model_edited_rendered_and_published_with_suggested_captions(
        browser, workspace, served_studio, footage, monkeypatch):
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")
    shop = workspace.create("Trail Store")
    workspace.remember_last_used(shop.id)
    with FakeOpenAI(api_key=MODEL_KEY, reply=_model_reply, chunk_delay=0.1) as model, \
            FakePostiz(POSTIZ_KEY, standard_integrations("t")) as postiz:
        save_model_config(shop, ModelConfig(model.base_url, "fake-gpt", 0.5, 1.5), api_key=model.api_key)
        save_config(shop, url=postiz.backend_url, enabled=True, api_key=POSTIZ_KEY)
        check_connection(shop)
        studio = served_studio(EDITFACTORY_SECRETS_BACKEND="file")
        page = open_page(browser, studio.url + "?page=produce", viewport=(1366, 768))
        page.get_by_text("Create project").wait_for(timeout=120_000)
        page.get_by_label("New project name").fill("Trail shoe")
        page.get_by_role("button", name="Create project").click()
        page.get_by_text("Project 'Trail shoe' created.").wait_for(timeout=90_000)
        shown_page(page).locator("input[type=file]").set_input_files([str(footage)])
        page.get_by_text("6.0 s · 320x240").wait_for(timeout=120_000)

        # The brief → three variants streamed from the model → the first one edited → kept for the render.
        page.get_by_text("Written by fake-gpt").wait_for(timeout=60_000)
        page.get_by_label("Price (optional)", exact=True).fill("$90")
        page.get_by_role("button", name="Write scripts").click()
        page.locator(".ef-written").filter(visible=True).first.wait_for(timeout=60_000)  # the text shows while it is written
        page.get_by_label("Script 3").wait_for(timeout=60_000)
        assert [page.get_by_label(f"Script {k}").input_value() for k in (1, 2, 3)] == SCRIPTS
        page.get_by_label("Script 1").fill(EDITED)
        page.get_by_label("Script 1").blur()
        page.get_by_label("Script 2").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "70-writing-story-variants-1366x768.png"))
        page.get_by_role("button", name="Use kept scripts for the render").dispatch_event("click")
        page.get_by_text("The render uses 3 written script(s).").wait_for(timeout=30_000)

        # Rendered as three variants, one per script.
        page.get_by_role("button", name="Render", exact=True).click()
        try:
            page.get_by_text("3 variant(s) started").filter(visible=True).first.wait_for(timeout=30_000)
        finally:
            page.screenshot(path=str(SCREENSHOTS / "72-writing-story-render.png"))
        page.get_by_text("Render of 3 variant(s) — succeeded").wait_for(timeout=300_000)
        [project] = projects.list_projects(shop)
        clips = projects.list_clips(shop, project["id"])
        assert sorted(c["tts"]["script"] for c in clips) == sorted([EDITED, *SCRIPTS[1:]])

        # Publish the edited variant: the model suggests each channel's caption and title; they are posted.
        page.get_by_text("Library", exact=True).filter(visible=True).first.click()
        page.get_by_text("1–3 of 3 matching clip(s)").wait_for(timeout=120_000)
        edited = next(c for c in clips if c["tts"]["script"] == EDITED)
        row = page.locator(".tabulator-row").filter(has_text=edited["name"], visible=True).first
        row.locator("input[type='checkbox']").check()
        page.get_by_text("1 selected").wait_for(timeout=30_000)
        page.get_by_role("button", name="Publish selected").click()
        page.wait_for_url("**page=publish**", timeout=30_000)
        page.get_by_label("t TikTok (tiktok)").check()
        page.get_by_label("t YouTube (youtube)").check()
        page.get_by_role("button", name="Suggest caption").click()
        page.get_by_text("Captions suggested for 2 channel(s) (fake-gpt)").wait_for(timeout=60_000)
        caption = page.get_by_label("Caption for t TikTok (empty: the shared caption)")
        assert caption.input_value().startswith("Meet the trail shoe. Built for wet trails, priced at $90.")
        assert page.get_by_label("Title for t YouTube (empty: the shared title or the clip's name)").input_value() \
            == "Meet the trail shoe | Trail shoe"
        page.get_by_text("Channels", exact=True).evaluate("e => e.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(SCREENSHOTS / "71-writing-story-captions-1366x768.png"))
        page.get_by_role("button", name="Publish now").click()
        page.get_by_text("Publish — succeeded").wait_for(timeout=120_000)
        posts = {p["integration"]["id"]: p for p in postiz.live_posts()}
        assert set(posts) == {"t-tiktok", "t-yt"}
        assert "Meet the trail shoe. Built for wet trails" in posts["t-tiktok"]["content"]
        assert "#trailrunning" in posts["t-tiktok"]["content"]
        shown = page.content()
        assert MODEL_KEY not in shown and POSTIZ_KEY not in shown
    assert "Traceback" not in studio.log() and MODEL_KEY not in studio.log()


def test_a_render_of_kept_written_scripts_starts_with_the_script_box_empty(make_session, footage):
    """Fails before the fix with "The script is empty": the paid-render check read only the Script box."""
    import asyncio

    from editfactory.jobs import JobStore
    from editfactory.ui.produce import ProducePage
    from tests.ui.test_produce import _upload

    view = ProducePage(session=make_session())
    asyncio.run(view.refresh())
    view._new_name.value = "Trail shoe"
    view._create.clicks += 1
    asyncio.run(view._load_brief())
    _upload(view.model, ("trail.mp4", footage.read_bytes()))
    assert view.model.sources
    writing = view._writing
    writing._count.value = 2
    writing._write.clicks += 1
    writing._use.clicks += 1
    assert view.model.script == ""
    view.render(draft=False)
    assert view.session.notice["level"] == "info", view.session.notice
    [job] = JobStore(view.session.profile).list(kind="production")
    assert job.inputs["variant_scripts"] == [v["text"] for v in writing.model.variants]
