"""Write scripts on the Produce page: a brief in, variants streamed in, edited, kept or dropped, used to render.

Component tests: the real page and models over a real profile, Piper's price and speaking time, and the real
openai SDK against the fake OpenAI-compatible server.
"""

from __future__ import annotations

import asyncio

import pytest

from editfactory.writing import Brief, ModelConfig, load_brief, save_model_config
from tests.fakes.openai_server import FakeOpenAI

SCRIPTS = [
    "Stop scrolling, this trail shoe grips wet rock like glue. Get it for ninety dollars today.",
    "Tired feet after every hike? The trail shoe keeps them fresh for miles. Order yours now.",
    "A gift for every hiker you know: the trail shoe. Order today and shipping is free.",
]


@pytest.fixture
def view(make_session):
    from editfactory.ui.produce import ProducePage

    page = ProducePage(session=make_session())
    asyncio.run(page.refresh())
    page._new_name.value = "Trail shoe"
    page._create.clicks += 1
    asyncio.run(page._load_brief())
    return page


def test_templates_write_variants_that_are_edited_kept_dropped_and_rendered(view):
    writing = view._writing
    assert writing._product.value == "Trail shoe"  # the project's name until a brief is saved
    assert "offline from templates" in writing._source.object
    writing._price.value = "$90"
    writing._count.value = 3
    writing._write.clicks += 1
    assert len(writing._variants.objects) == 3
    cards = writing._variants.objects
    first = cards[0].objects[0]
    assert first.value.startswith("Stop scrolling: this is Trail shoe.") and "Get it for just $90." in first.value
    facts = cards[0].objects[1].objects[1].object
    assert "s of speech" in facts and "Free" in facts  # Piper speaks for free
    first.value = "Meet the trail shoe. Ninety dollars. Tap the link."
    assert cards[0].objects[1].objects[1].object.startswith("About 3 s of speech")  # worked out again
    cards[1].objects[1].objects[0].value = False  # drop the second
    assert writing._variants.objects[0] is cards[0]  # editing did not rebuild the cards under the cursor
    writing._use.clicks += 1
    kept = view.model.variant_scripts
    assert kept == ["Meet the trail shoe. Ninety dollars. Tap the link.", writing.model.variants[2]["text"]]
    request = view.model.request(draft=True)
    assert request.variant_scripts == kept and request.variants == 2 and request.script == kept[0]
    assert "2 written script(s)" in writing._status.object
    assert load_brief(view.session.profile, view.model.project_id) == Brief("Trail shoe", price="$90")


def test_a_script_in_another_language_than_the_voice_is_warned_about(view):
    writing = view._writing
    writing._language.value = "ro"
    writing._count.value = 1
    writing._write.clicks += 1
    warning = writing._variants.objects[0].objects[2]
    assert warning.visible and "This script is Romanian; the voice" in warning.object and "English" in warning.object
    writing._variants.objects[0].objects[0].value = "Meet the trail shoe, light and fast on every mountain path."
    assert not writing._variants.objects[0].objects[2].visible  # English now, as the voice: no warning


def test_the_model_writes_and_an_unusable_reply_is_shown_escaped_on_request(view):
    writing = view._writing
    with FakeOpenAI(reply="\n---\n".join(SCRIPTS)) as server:
        save_model_config(view.session.profile, ModelConfig(server.base_url, "fake-gpt"), api_key=server.api_key)
        writing.model.project_id = ""  # the page is shown again: settings are read anew
        asyncio.run(view._load_brief())
        assert "Written by fake-gpt" in writing._source.object
        writing._write.clicks += 1
        assert [c.objects[0].value for c in writing._variants.objects] == SCRIPTS
        server.reply = "I'm sorry, I can't help with that. <script>alert(1)</script>"
        writing._write.clicks += 1
    assert writing._problem.visible and "refused" in writing._problem.object
    assert [c.objects[0].value for c in writing._variants.objects] == SCRIPTS  # the last good ones stay
    assert not writing._raw.visible
    writing._show_raw.value = True
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in writing._raw.object and "<script>" not in writing._raw.object


def test_settings_writing_section_saves_masks_tests_and_removes_the_model(make_session):
    from editfactory.ui.settings import SettingsPage
    from editfactory.writing import load_model_config

    page = SettingsPage(session=make_session())
    asyncio.run(page.refresh())
    section = page._writing
    assert "offline from templates" in section._saved.object
    section._preset.value = "ollama"
    assert section._url.value == "http://127.0.0.1:11434/v1" and section._price_out.value == "0"
    with FakeOpenAI() as server:
        section._url.value, section._model.value, section._key.value = server.base_url, "fake-gpt", server.api_key
        section._price_in.value, section._price_out.value = "0.5", "1.5"
        section._save.clicks += 1
        assert section._message.severity == "success" and section._key.value == ""
        assert section._saved.object.startswith("Saved key: ••••••••" + server.api_key[-4:])
        config = load_model_config(page.session.profile)
        assert (config.model, config.price_input_per_m, config.price_output_per_m) == ("fake-gpt", 0.5, 1.5)
        section._test.clicks += 1
        assert section._message.severity == "success" and "model fake-gpt is available" in section._message.object
        section._key.value = "sk-typed-but-wrong-0000000000"
        section._test.clicks += 1
        assert "Connection test failed" in section._message.object and "refused the API key" in section._message.object
        assert "typed-but-wrong" not in section._message.object
    section._price_in.value = "lots"
    section._save.clicks += 1
    assert section._message.severity == "error" and "price per million input tokens" in section._message.object
    assert load_model_config(page.session.profile) == config  # refused: nothing changed
    section._remove.clicks += 1
    assert load_model_config(page.session.profile) is None and "templates" in section._saved.object


@pytest.mark.ui
def test_write_scripts_in_the_browser_streams_three_variants_from_the_model(browser, workspace, served_studio):
    from tests.ui.conftest import screenshot

    shop = workspace.create("Trail Store")
    workspace.remember_last_used(shop.id)
    with FakeOpenAI(reply="\n---\n".join(SCRIPTS), chunk_delay=0.25) as server:
        save_model_config(shop, ModelConfig(server.base_url, "fake-gpt", 0.5, 1.5), api_key=server.api_key)
        studio = served_studio()
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(studio.url + "?page=produce", timeout=180_000)  # a loaded machine can take a while
        page.get_by_text("Create project").wait_for(timeout=120_000)
        page.get_by_label("New project name").fill("Trail shoe")
        page.get_by_role("button", name="Create project").click()
        page.get_by_text("Project 'Trail shoe' created.").wait_for(timeout=90_000)
        page.get_by_text("Written by fake-gpt").wait_for(timeout=60_000)
        page.get_by_label("Price (optional)", exact=True).fill("$90")
        page.get_by_role("button", name="Write scripts").click()
        page.locator(".ef-written").first.wait_for(timeout=60_000)  # the text arrives while it is written
        screenshot(page, "60-write-scripts-streaming")
        page.get_by_label("Script 3").wait_for(timeout=60_000)
        assert page.get_by_label("Script 1").input_value() == SCRIPTS[0]
        page.get_by_label("Script 1").fill("Meet the trail shoe. Ninety dollars. Tap the link.")
        page.get_by_label("Script 1").blur()
        # The "written" notice may sit over the button at the bottom of the window: the click goes to the button.
        page.get_by_role("button", name="Use kept scripts for the render").dispatch_event("click")
        page.get_by_text("The render uses 3 written script(s).").wait_for(timeout=30_000)
        screenshot(page, "61-write-scripts-kept")
    assert "Traceback" not in studio.log()


def test_an_unsaved_brief_starts_from_the_projects_offer(view):
    """The brief shares the offer's product and price (issue 22: 'shared with the offer fields'), until it is saved."""
    from editfactory.services.offer import set_offer, set_profile_locale

    profile, project_id = view.session.profile, view.model.project_id
    set_profile_locale(profile, "en_US")
    set_offer(profile, project_id, {"product": "Trail shoe GTX", "price": 89.9, "currency": "USD"})
    asyncio.run(view._writing.model.load(project_id, "Trail shoe"))  # as on opening the project
    assert (view._writing._product.value, view._writing._price.value) == ("Trail shoe GTX", "$89.90")
