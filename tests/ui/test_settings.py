"""The Settings page: profile, caption style with a preview frame, Postiz, ElevenLabs key, prices, quota.

Every bad value is refused next to its field with the reason and nothing is stored;
keys are only ever shown masked and never stay in the page once saved.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from editfactory.costs import get_quota, reserve, settle
from editfactory.footage import get_caption_style
from editfactory.media.captions import CaptionStyle
from editfactory.publish.config import load_config
from editfactory.storage.secrets import get_secret
from editfactory.storage.settings import get_setting
from editfactory.ui.settings import SettingsPage
from tests.fakes.postiz_server import FakeIntegration, FakePostiz
from tests.ui.conftest import open_page, screenshot

POSTIZ_KEY = "pz-live-5f1c2a9d8e7b6a55"
ELEVEN_KEY = "sk_0123456789abcdef0123456789abcdef7777"
CHANNELS = [FakeIntegration("tt-1", "Shop TikTok", "tiktok"), FakeIntegration("ig-1", "Shop Instagram", "instagram")]


@pytest.fixture(autouse=True)
def _file_secrets(monkeypatch):
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")


@pytest.fixture
def postiz():
    with FakePostiz(POSTIZ_KEY, CHANNELS) as server:
        yield server


def _page(make_session, profile_id=None) -> SettingsPage:
    view = SettingsPage(session=make_session(profile_id))
    asyncio.run(view.refresh())
    return view


def _page_json(view: SettingsPage) -> str:
    """Everything the browser would receive for the page's widgets."""
    from bokeh.document import Document

    doc = Document()
    root = view.__panel__().get_root(doc)
    doc.add_root(root)
    return json.dumps(doc.to_json(), default=str)


def _footage(target: Path) -> Path:
    from editfactory.media.runner import ffmpeg_path

    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=3",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(target)], check=True)
    return target


def test_profile_name_is_saved_and_a_duplicate_refused_inline(workspace, make_session):
    workspace.create("Hats")
    view = _page(make_session, workspace.create("Shop").id)
    view._name.value = "Shoes"
    view._description.value = "Summer shoes"
    view._save_profile.clicks += 1
    assert view.session.profile.name == "Shoes" and view._profile_message.severity == "success"
    view._name.value = "hats"
    view._save_profile.clicks += 1
    assert view._profile_message.severity == "error" and "already exists" in view._profile_message.object
    assert workspace.get(view.session.profile_id).name == "Shoes"


def test_the_caption_preview_appears_changes_with_the_style_and_defaults_restore(workspace, make_session, tmp_path):
    from editfactory.footage import import_source

    view = _page(make_session)
    first = Path(view.model.preview_path)
    assert first.is_file() and '<img src="/efmedia/' in view._preview.object
    assert "Import a source video" in view._preview_note.object
    import_source(view.session.profile, _footage(tmp_path / "shoe.mp4"))
    asyncio.run(view.refresh())
    over_footage = Path(view.model.preview_path)
    assert over_footage != first and "latest source video" in view._preview_note.object
    view._size.value = 120
    view._highlight.value = "#00ff00"
    view._position.value = "custom"
    view._custom.value = 40
    asyncio.run(view.render_preview())
    changed = Path(view.model.preview_path)
    assert changed.is_file() and changed != over_footage and changed.read_bytes() != over_footage.read_bytes()
    assert get_caption_style(view.session.profile) == CaptionStyle()  # a preview saves nothing
    view._save_style.clicks += 1
    saved = get_caption_style(view.session.profile)
    assert (saved.size, saved.highlight_color, saved.vertical_position) == (120, "#00ff00", 0.4)
    view._restore.clicks += 1
    assert get_caption_style(view.session.profile) == CaptionStyle()
    assert (view._size.value, view._position.value, view._highlight.value) == (84, "bottom", "#FFD400")
    assert Path(view.model.preview_path).read_bytes() == over_footage.read_bytes()


def test_a_caption_look_fills_the_form_shows_in_the_preview_and_is_saved(workspace, make_session, tmp_path):
    from editfactory.footage import import_source
    from editfactory.media.caption_looks import LOOKS

    view = _page(make_session)
    import_source(view.session.profile, _footage(tmp_path / "shoe.mp4"))
    asyncio.run(view.refresh())
    assert view._look.value == "custom" and set(LOOKS) <= set(view._look.options)
    before = Path(view.model.preview_path).read_bytes()
    view._look.value = "punch"
    assert (view._font.value, view._size.value, view._words.value) == ("Bebas Neue", 220, 1)
    asyncio.run(view.render_preview())
    assert Path(view.model.preview_path).read_bytes() != before
    view._save_style.clicks += 1
    assert get_caption_style(view.session.profile) == LOOKS["punch"]
    view._look.value = "lower-third"
    view._size.value = 60  # a look is a starting point: changed, it keeps its box and alignment
    view._save_style.clicks += 1
    saved = get_caption_style(view.session.profile)
    assert (saved.size, saved.box, saved.align, saved.font) == (60, True, "left", "Open Sans")
    asyncio.run(view.refresh())
    assert view._look.value == "lower-third" and view._size.value == 60


@pytest.mark.parametrize(("widget", "value", "reason"), [
    ("_size", 2, "size must be between 8 and 400"),
    ("_words", 0, "per caption must be between 1 and 50"),
    ("_outline", -3.0, "outline must be between"),
    ("_custom", 130.0, "outside the frame"),
    ("_custom", None, "custom position"),
])
def test_a_bad_caption_value_is_refused_inline_and_nothing_stored(make_session, widget, value, reason):
    view = _page(make_session)
    view._position.value = "custom"
    view._custom.value = 50.0
    getattr(view, widget).value = value
    view._save_style.clicks += 1
    assert view._style_message.visible and view._style_message.severity == "error"
    assert reason in view._style_message.object
    assert get_setting(view.session.profile, "captions.style") is None
    asyncio.run(view.render_preview())  # the preview says the same, and draws nothing
    assert reason in view._style_message.object


def test_postiz_refuses_bad_values_inline_saves_the_key_masked_and_lists_channels(workspace, make_session, postiz):
    view = _page(make_session)
    profile = view.session.profile
    for url, key, reason in [
        ("postiz.example.com", POSTIZ_KEY, "must start with https://"),
        ("https://[::1", POSTIZ_KEY, "not a valid address"),
        (postiz.backend_url, "pz-live-5f1c2a9d8é7b6a55", "non-ASCII"),
        (postiz.backend_url, "short", "does not look like a Postiz API key"),
    ]:
        view._postiz_url.value = url
        view._postiz_key.value = key
        view._save_postiz.clicks += 1
        assert view._postiz_message.severity == "error" and reason in view._postiz_message.object
        assert key not in view._postiz_message.object
        assert get_secret(profile, "postiz.api_key") is None and load_config(profile).url == ""

    view._postiz_url.value = postiz.backend_url
    view._postiz_key.value = POSTIZ_KEY
    view._postiz_enabled.value = True
    view._save_postiz.clicks += 1
    assert view._postiz_message.severity == "success"
    assert get_secret(profile, "postiz.api_key") == POSTIZ_KEY and load_config(profile).enabled
    assert view._postiz_key.value == "" and view._postiz_saved.object == "Saved key: ••••••••6a55"
    assert POSTIZ_KEY not in _page_json(view)

    asyncio.run(view.test_connection())
    assert view._postiz_message.severity == "success" and "2 channel(s)" in view._postiz_message.object
    assert sorted(view._channels.value["name"]) == ["Shop Instagram", "Shop TikTok"]
    # A reload shows the masked key and the channels found, never the key.
    again = _page(make_session, profile.id)
    assert again._postiz_saved.object.endswith("6a55") and again._postiz_key.value == ""
    assert len(again._channels.value) == 2 and POSTIZ_KEY not in _page_json(again)


def test_a_wrong_postiz_key_fails_the_connection_test_inline(make_session, postiz):
    view = _page(make_session)
    view._postiz_url.value = postiz.backend_url
    view._postiz_key.value = "pz-wrong-key-0000000000"
    view._save_postiz.clicks += 1
    asyncio.run(view.test_connection())
    assert view._postiz_message.severity == "error" and "Connection test failed" in view._postiz_message.object
    assert "pz-wrong-key-0000000000" not in view._postiz_message.object and len(view._channels.value) == 0


def test_test_connection_uses_what_the_form_holds_before_it_is_saved(make_session, postiz):
    """It tested the saved settings and said 'has no Postiz API key' right after one was typed."""
    from editfactory.publish.config import load_config
    from editfactory.storage.secrets import get_secret

    view = _page(make_session)
    profile = view.session.profile
    view._postiz_url.value = postiz.backend_url
    view._postiz_key.value = "pz-short"[:5]
    asyncio.run(view.test_connection())
    assert "at least 8" in view._postiz_message.object and postiz.requests == []
    view._postiz_key.value = POSTIZ_KEY  # typed, not saved
    asyncio.run(view.test_connection())
    assert view._postiz_message.severity == "success" and "2 channel(s)" in view._postiz_message.object
    assert sorted(view._channels.value["name"]) == ["Shop Instagram", "Shop TikTok"]
    assert get_secret(profile, "postiz.api_key") is None and load_config(profile).url == ""  # still not saved


def test_the_elevenlabs_key_is_saved_masked_and_a_bad_one_refused(make_session):
    view = _page(make_session)
    profile = view.session.profile
    eleven = view._keys["elevenlabs"]
    eleven.input.value = "sk_bad key with spaces 0123456789"
    eleven.save.clicks += 1
    assert eleven.message.severity == "error" and get_secret(profile, "elevenlabs.api_key") is None
    eleven.input.value = ELEVEN_KEY
    eleven.save.clicks += 1
    assert get_secret(profile, "elevenlabs.api_key") == ELEVEN_KEY
    assert eleven.input.value == "" and eleven.saved.object == "Saved key: ••••••••7777"
    assert ELEVEN_KEY not in _page_json(view)
    eleven.remove.clicks += 1
    assert get_secret(profile, "elevenlabs.api_key") is None and eleven.saved.object == "No ElevenLabs key saved."


def test_prices_are_saved_and_a_negative_one_refused(make_session):
    view = _page(make_session)
    view._price_model.value = "elevenlabs:eleven_flash_v2_5"
    view._price.value = "0.08"
    view._save_price.clicks += 1
    assert get_setting(view.session.profile, "tts.prices") == {"elevenlabs": {"eleven_flash_v2_5": 0.08}}
    view._price.value = "-0.5"
    view._save_price.clicks += 1
    assert "between 0 and 1,000" in view._price_message.object
    assert get_setting(view.session.profile, "tts.prices") == {"elevenlabs": {"eleven_flash_v2_5": 0.08}}


def test_the_quota_refuses_a_negative_amount_and_its_bar_turns_amber_then_red(make_session):
    view = _page(make_session)
    profile = view.session.profile
    view._quota.value = "-5"
    view._save_quota.clicks += 1
    assert view._quota_message.severity == "error" and "between 0 and 1,000,000" in view._quota_message.object
    view._quota.value = "ten dollars"
    view._save_quota.clicks += 1
    assert "is not a number" in view._quota_message.object and get_quota(profile) is None
    view._quota.value = "10"
    view._save_quota.clicks += 1
    assert get_quota(profile) == 10 and view._quota_bar.color == "success"
    settle(reserve(profile, "elevenlabs", "m", 7.5, units=1000), 7.5)
    asyncio.run(view.refresh())
    assert view._quota_bar.value == 75 and view._quota_bar.color == "warning"
    settle(reserve(profile, "elevenlabs", "m", 1.6, units=100), 1.6)
    asyncio.run(view.refresh())
    assert view._quota_bar.value == 91 and view._quota_bar.color == "error"
    assert "$9.10 of $10.00" in view._quota_text.object


@pytest.mark.parametrize(("widget", "button", "message", "typed", "words"), [
    ("_quota", "_save_quota", "_quota_message", "nan", "quota must be a finite number"),
    ("_quota", "_save_quota", "_quota_message", "inf", "quota must be a finite number"),
    ("_quota", "_save_quota", "_quota_message", "-Infinity", "quota must be a finite number"),
    ("_quota", "_save_quota", "_quota_message", "1e400", "quota must be a finite number"),
    ("_quota", "_save_quota", "_quota_message", "True", "is not a number"),
    ("_quota", "_save_quota", "_quota_message", "1e300", "between 0 and 1,000,000"),
    ("_price", "_save_price", "_price_message", "NaN", "finite"),
    ("_price", "_save_price", "_price_message", "inf", "finite"),
    ("_price", "_save_price", "_price_message", "true", "is not a"),
    ("_custom", "_save_style", "_style_message", float("nan"), "position must be a finite number"),
    ("_custom", "_save_style", "_style_message", float("inf"), "position must be a finite number"),
    ("_outline", "_save_style", "_style_message", float("nan"), "outline must be a finite number"),
])
def test_nan_infinity_and_yes_no_are_refused_inline_and_nothing_stored_changes(make_session, widget, button, message,
                                                                               typed, words):
    view = _page(make_session)
    profile = view.session.profile
    view._quota.value = "30"
    view._save_quota.clicks += 1
    view._price_model.value = "elevenlabs:eleven_flash_v2_5"
    view._price.value = "0.08"
    view._save_price.clicks += 1
    view._size.value = 120
    view._position.value = "custom"
    view._custom.value = 40.0
    view._save_style.clicks += 1
    stored = {key: get_setting(profile, key) for key in ("costs.quota_usd", "tts.prices", "captions.style")}
    assert stored["costs.quota_usd"] == 30 and stored["captions.style"]["size"] == 120

    getattr(view, widget).value = typed
    getattr(view, button).clicks += 1
    alert = getattr(view, message)
    assert alert.visible and alert.severity == "error" and words in alert.object, alert.object
    assert {key: get_setting(profile, key) for key in stored} == stored
    assert get_quota(profile) == 30


def test_switching_profile_shows_the_other_profiles_settings_and_no_key(workspace, make_session):
    from editfactory.tts.credentials import set_key

    shop, other = workspace.create("Shop"), workspace.create("Other")
    set_key(shop, "elevenlabs", ELEVEN_KEY)
    view = _page(make_session, shop.id)
    assert view._keys["elevenlabs"].saved.object.endswith("7777")
    view.session.profile_id = other.id
    asyncio.run(view.refresh())
    assert view._name.value == "Other" and view._keys["elevenlabs"].saved.object == "No ElevenLabs key saved."


def test_the_default_framing_is_saved_and_a_bad_one_refused(workspace, make_session):
    from editfactory.core.errors import ValidationError
    from editfactory.footage.framing import SETTING_KEY, default_framing

    view = _page(make_session)
    profile = view.session.profile
    assert view._framing.value == "auto"
    view._framing.value = "fit"
    view._save_framing.clicks += 1
    assert default_framing(profile) == "fit" and view._framing_message.severity == "success"
    with pytest.raises(ValidationError, match="auto, fill, fit"):
        view.model.save_framing("zoom")
    assert get_setting(profile, SETTING_KEY) == "fit"
    assert _page(make_session, profile.id)._framing.value == "fit"  # read back on the next visit


@pytest.mark.ui
def test_settings_page_in_the_browser(browser, workspace, served_studio, postiz):
    workspace.remember_last_used(workspace.create("Settings shop").id)
    studio = served_studio(EDITFACTORY_SECRETS_BACKEND="file")
    page = open_page(browser, studio.url + "?page=settings", wait_text="Monthly quota", viewport=(1400, 2600))
    preview = page.locator("img[alt='Caption preview']")
    preview.wait_for(timeout=60_000)
    first = preview.get_attribute("src")
    size = page.get_by_label("Size (px of a 1920-high frame)")
    size.fill("150")
    size.press("Tab")
    expect(preview).not_to_have_attribute("src", first, timeout=60_000)  # drawn again, debounced, off the loop
    assert page.request.get(studio.url.rsplit("/", 1)[0] + preview.get_attribute("src")).ok

    page.get_by_label("Postiz URL (empty for Postiz cloud)").fill(postiz.backend_url)
    page.get_by_label("Postiz API key").fill(POSTIZ_KEY)
    page.get_by_text("Save Postiz settings").click()
    page.get_by_text("Saved key: ••••••••6a55").wait_for(timeout=15_000)
    page.get_by_text("Test connection").first.click()  # Publishing's; Writing (model) below has its own
    page.get_by_text("Shop TikTok").wait_for(timeout=30_000)
    page.get_by_text("Shop Instagram").wait_for()

    quota = page.get_by_label("Monthly quota ($, empty for no limit)")
    quota.fill("-4")
    page.get_by_text("Save quota").click()
    page.get_by_text("monthly quota must be between 0 and").wait_for(timeout=15_000)
    quota.fill("20")
    page.get_by_text("Save quota").click()
    page.get_by_text("$0.00 of $20.00 used this month").wait_for(timeout=15_000)

    page.get_by_role("combobox", name="Default framing").click()
    page.get_by_role("listbox").get_by_text("Fit: whole picture on a blurred background").click()
    page.get_by_text("Save framing").click()
    page.get_by_text("Default framing saved").wait_for(timeout=15_000)
    screenshot(page, "60-settings")
    content = page.content()
    assert POSTIZ_KEY not in content and "Traceback" not in content
    assert get_secret(workspace.find_by_name("Settings shop"), "postiz.api_key") == POSTIZ_KEY
    from editfactory.footage.framing import default_framing

    assert default_framing(workspace.find_by_name("Settings shop")) == "fit"


def test_the_default_music_is_saved_and_a_bad_one_refused(workspace, make_session, tmp_path):
    from music_tracks import make_track

    from editfactory.core.errors import ValidationError
    from editfactory.footage.music import default_music, import_track

    view = _page(make_session)
    profile = view.session.profile
    assert view._music.value == "" and list(view._music.options) == ["No music"]
    track = import_track(profile, make_track(tmp_path / "groove.wav", seconds=6, title="Groove"), moods=["upbeat"])
    view = _page(make_session, profile.id)
    assert view._music.options["Any track that is upbeat"] == "mood:upbeat"
    view._music.value = f"track:{track.id}"
    view._music_level.value = -16
    view._save_music.clicks += 1
    assert view._music_message.severity == "success", view._music_message.object
    saved = default_music(profile)
    assert saved.track_id == track.id and saved.options.level_db == -16
    with pytest.raises(ValidationError, match="mood"):
        view.model.save_music("mood:sad", -12)
    assert default_music(profile).track_id == track.id  # the refused choice stored nothing
    again = _page(make_session, profile.id)  # read back on the next visit
    assert again._music.value == f"track:{track.id}" and again._music_level.value == -16
