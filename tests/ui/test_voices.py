"""The Voices page: providers with availability and reasons, voice lists with samples, defaults, prices, cloning."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from editfactory.jobs import JobStore
from editfactory.storage.settings import get_setting
from editfactory.tts import get_defaults
from editfactory.tts.audio import ffmpeg_exe
from editfactory.tts.cloning import list_cloned_voices
from editfactory.ui.voices import VoicesPage
from tests.fakes.elevenlabs_server import FakeElevenLabs
from tests.ui.conftest import open_page, screenshot

READING = ("Meet the new travel mug. It keeps coffee hot for twelve hours, fits every cup holder, "
           "and costs only nineteen dollars this week. Come and see it in the store today!")


@pytest.fixture(autouse=True)
def _file_secrets(monkeypatch):
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Path:
    """About ten seconds of real Piper speech: a usable cloning sample."""
    from editfactory.tts.piper_provider import PiperProvider

    folder = tmp_path_factory.mktemp("voices-page")
    return PiperProvider().synthesize(READING, "en_US-joe-medium", folder / "reading.wav").audio_path


@pytest.fixture(scope="module")
def tone(tmp_path_factory) -> Path:
    """Eight seconds of a steady sine: long enough, but not speech."""
    target = tmp_path_factory.mktemp("voices-tone") / "tone.wav"
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=8",
                    "-ar", "44100", "-ac", "1", str(target)], check=True)
    return target


@pytest.fixture
def eleven(speech, tmp_path):
    mp3 = tmp_path / "speech.mp3"
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(speech), "-b:a", "48k", str(mp3)], check=True)
    with FakeElevenLabs(mp3.read_bytes()) as server:
        yield server


def _eleven_profile(workspace, server, name="Voices shop"):
    from editfactory.storage.secrets import set_secret
    from editfactory.storage.settings import set_setting

    profile = workspace.create(name)
    set_secret(profile, "elevenlabs.api_key", server.api_key)
    set_setting(profile, "tts.endpoints", {"elevenlabs": server.base_url})
    return profile


def _page(make_session, profile_id=None) -> VoicesPage:
    view = VoicesPage(session=make_session(profile_id))
    asyncio.run(view.refresh())
    return view


def test_every_provider_is_shown_with_its_availability_reason_licence_and_price(make_session):
    view = _page(make_session)
    rows = {row["name"]: row for row in view.model.providers}
    assert list(rows) == ["piper", "edge", "elevenlabs", "xtts", "kokoro"]
    assert rows["piper"]["available"]
    for name in ("xtts", "kokoro", "elevenlabs"):
        assert not rows[name]["available"] and rows[name]["reason"]
    assert "Settings page" in rows["elevenlabs"]["reason"]  # says where to fix it
    assert "non-commercial" in rows["xtts"]["licence_note"]
    assert len(view._cards.objects) == 5 and not view._checking.busy
    # The default provider is shown with its voices; the voice list came from a worker thread.
    assert view.model.provider == "piper" and view._status.severity == "success"
    assert list(view._voices.value["id"]) == ["en_US-joe-medium"]
    assert "Joe" in view._default_text.object


def test_playing_a_voice_synthesizes_a_sample_and_links_it_in_the_page(make_session):
    view = _page(make_session)
    asyncio.run(view.play("piper", "en_US-joe-medium"))
    assert Path(view.model.preview_path).is_file()
    assert '<audio src="/efmedia/' in view._player.object and "Joe" in view._player_status.object
    assert view.session.notice is None


def test_the_default_voice_model_and_settings_are_saved_from_the_widgets(workspace, make_session):
    view = _page(make_session)
    view._voices.selection = [0]
    view.model.settings.speed = 1.3  # what the pn.Param slider does
    view._make_default.clicks += 1
    saved = get_defaults(view.session.profile)
    assert (saved.provider, saved.voice, saved.model, saved.settings["speed"]) == ("piper", "en_US-joe-medium", "piper", 1.3)
    assert view._default_message.severity == "success"
    # A reopened page shows the saved settings again.
    again = _page(make_session, view.session.profile_id)
    assert again.model.settings.speed == 1.3


def test_the_chosen_and_default_voices_name_their_model_in_words(make_session):
    """The page said "model `piper`" (an id in code type); the model is named as its provider names it."""
    view = _page(make_session)
    view._voices.selection = [0]
    view._make_default.clicks += 1
    for text in (view._picked.object, view._default_text.object):
        assert "model Piper (local ONNX)" in text and "`" not in text
    assert view._voices.titles["language"] == "Language" and view._cloned.titles["created"] == "Created"


def test_making_a_default_without_a_voice_is_refused_inline(make_session):
    view = _page(make_session)
    view.model.voice = ""
    view._make_default.clicks += 1
    assert view._default_message.visible and "Pick a voice" in view._default_message.object
    assert get_setting(view.session.profile, "tts.defaults") is None


def test_a_price_is_saved_per_profile_and_a_bad_one_refused_inline(workspace, make_session):
    view = _page(make_session)
    view._show_provider("elevenlabs", load=False)
    view._model.value = "eleven_multilingual_v2"
    view._price.value = "0.3"
    view._save_price.clicks += 1
    assert get_setting(view.session.profile, "tts.prices") == {"elevenlabs": {"eleven_multilingual_v2": 0.3}}
    assert "$0.30" in view._price_message.object
    view._price.value = "-1"
    view._save_price.clicks += 1
    assert view._price_message.severity == "error" and "between 0 and 1,000" in view._price_message.object
    assert get_setting(view.session.profile, "tts.prices") == {"elevenlabs": {"eleven_multilingual_v2": 0.3}}
    other = workspace.create("Other")
    assert get_setting(other, "tts.prices") is None


def test_cloning_refuses_each_bad_sample_with_its_reason_and_clones_from_the_good_one(
        workspace, make_session, runner, eleven, speech, tone):
    profile = _eleven_profile(workspace, eleven)
    view = _page(make_session, profile.id)
    view._clone_provider.value = "elevenlabs"
    view._clone_name.value = "Anna"
    view._clone_files.param.update(value=[speech.read_bytes(), tone.read_bytes(), b"not audio"],
                                   filename=["anna.wav", "tone.wav", "notes.txt"], mime_type=["audio/wav"] * 3)
    asyncio.run(view.clone())
    message = view._clone_message.object
    assert "tone.wav" in message and "no speech was detected" in message
    assert "notes.txt" in message and "not a supported file type" in message
    assert "anna.wav" not in message
    [job] = view._clone_watch.jobs
    runner.wait(profile, job.id, timeout=120)
    view._clone_watch.refresh_now(pick_up=False)
    assert JobStore(profile).get(job.id).status == "succeeded"
    asyncio.run(view._reload_cloned())
    [record] = view.model.cloned
    assert record["name"] == "Anna" and list(view._cloned.value["name"]) == ["Anna"]

    # Preview, rename, delete — through the widgets.
    asyncio.run(view.play("elevenlabs", record["id"], "Anna"))
    assert '<audio src="/efmedia/' in view._player.object
    view._cloned.selection = [0]
    view._rename.value = "   "
    view._rename_button.clicks += 1
    assert view._cloned_message.severity == "error" and list_cloned_voices(profile)[0]["name"] == "Anna"
    view._rename.value = "Anna – warm"
    view._rename_button.clicks += 1
    assert list_cloned_voices(profile)[0]["name"] == "Anna – warm"
    asyncio.run(view.delete_cloned(list_cloned_voices(profile)[0]))
    assert list_cloned_voices(profile) == [] and view.model.cloned == []
    assert all(v["voice_id"] != record["provider_voice_id"] for v in eleven.voices)


def test_a_clone_with_only_bad_samples_starts_no_job(workspace, make_session, eleven, tone):
    profile = _eleven_profile(workspace, eleven)
    view = _page(make_session, profile.id)
    view._clone_name.value = "Tone"
    view._clone_files.param.update(value=tone.read_bytes(), filename="tone.wav", mime_type="audio/wav")
    asyncio.run(view.clone())
    assert "no speech was detected" in view._clone_message.object
    assert JobStore(profile).list(kind="clone_voice") == [] and list_cloned_voices(profile) == []


def test_switching_profile_shows_the_other_profiles_voices_and_defaults(workspace, make_session, eleven, speech):
    from editfactory.tts.cloning import clone_voice
    from editfactory.tts.registry import get_provider

    shop = _eleven_profile(workspace, eleven)
    with get_provider("elevenlabs", shop) as provider:
        clone_voice(shop, provider, "Shop voice", [speech])
    other = workspace.create("Other")
    view = _page(make_session, shop.id)
    assert [r["name"] for r in view.model.cloned] == ["Shop voice"]
    view.session.profile_id = other.id
    asyncio.run(view.refresh())
    assert view.model.cloned == [] and len(view._cloned.value) == 0
    assert view.model.defaults["provider"] == "piper"


@pytest.mark.ui
def test_voices_page_in_the_browser(browser, workspace, served_studio):
    workspace.remember_last_used(workspace.create("Voice shop").id)
    studio = served_studio(EDITFACTORY_SECRETS_BACKEND="file")
    page = open_page(browser, studio.url + "?page=voices", wait_text="Clone a voice", viewport=(1400, 2000))
    page.get_by_text("Coqui XTTS v2").first.wait_for(timeout=30_000)
    page.get_by_text("The optional XTTS engine is not installed").first.wait_for(timeout=30_000)
    page.get_by_text("The optional Kokoro engine is not installed").first.wait_for()
    page.get_by_text("non-commercial use only").first.wait_for()
    assert page.get_by_text("Available", exact=True).count() == 1  # Piper, offline
    page.get_by_text("▶ Play").first.click()
    page.locator("audio").first.wait_for(state="attached", timeout=60_000)
    src = page.locator("audio").first.get_attribute("src")
    assert src.startswith("/efmedia/") and page.request.get(studio.url.rsplit("/", 1)[0] + src).ok
    page.get_by_text("Make this the profile's default").click()
    page.get_by_text("Saved: new voiceovers of this profile use Joe").wait_for(timeout=15_000)
    screenshot(page, "30-voices")
    assert "Traceback" not in page.content()
    assert get_defaults(workspace.find_by_name("Voice shop")).voice == "en_US-joe-medium"


def test_a_recorded_sample_is_checked_and_cloned_like_an_upload(workspace, make_session, runner, eleven, speech, tmp_path):
    """What the browser's recorder sends (webm/opus, base64) is a sample like an uploaded file."""
    import base64

    webm = tmp_path / "mic.webm"
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(speech), "-c:a", "libopus", "-b:a", "48k",
                    str(webm)], check=True)
    profile = _eleven_profile(workspace, eleven)
    view = _page(make_session, profile.id)
    view._recorder._handle_msg({"mime": "audio/webm;codecs=opus", "data": "@@not base64@@"})
    assert "damaged" in view._recording_note.object and view._recorder.recording is None
    view._recorder._handle_msg({"mime": "audio/webm;codecs=opus", "data": base64.b64encode(webm.read_bytes()).decode(),
                                "seconds": 11})
    assert "Recorded sample ready (11 s)" in view._recording_note.object
    view._clone_name.value = "Mic voice"
    asyncio.run(view.clone())
    assert not view._clone_message.visible
    [job] = view._clone_watch.jobs
    assert runner.wait(profile, job.id, timeout=120).status == "succeeded"
    assert [r["name"] for r in list_cloned_voices(profile)] == ["Mic voice"]
    assert view._recorder.recording is None  # used once, then let go


def test_the_default_refuses_a_voice_the_provider_does_not_offer(make_session):
    view = _page(make_session)
    view.model.voice = "en_GB-nobody-low"
    view._make_default.clicks += 1
    assert view._default_message.severity == "error" and "en_GB-nobody-low" in view._default_message.object
    assert get_setting(view.session.profile, "tts.defaults") is None
