"""Voice cloning: every bad sample is refused with its reason; cloned voices persist and stay in their profile."""

from __future__ import annotations

import subprocess

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.profiles import Workspace
from editfactory.tts import synthesize_for_profile
from editfactory.tts.audio import ffmpeg_exe, probe_audio_stream, read_wav
from editfactory.tts.cloning import (
    clone_voice,
    delete_voice,
    get_voice,
    list_cloned_voices,
    preview_voice,
    rename_voice,
    validate_sample,
)
from editfactory.tts.elevenlabs_provider import ElevenLabsProvider
from editfactory.tts.errors import SampleRejectedError
from editfactory.tts.piper_provider import PiperProvider
from editfactory.tts.xtts_provider import XTTSProvider
from tests.tts.conftest import lavfi
from tests.tts.engines import FakeXTTS


@pytest.fixture(scope="session")
def bad_samples(media_dir, piper_speech):
    made = {
        "notes.wav": media_dir / "notes.wav",
        "short.wav": media_dir / "short.wav",
        "silence.wav": lavfi(media_dir / "silence.wav", "anullsrc=r=44100:cl=mono", 8),
        "tone.wav": lavfi(media_dir / "tone.wav", "sine=frequency=440", 8),
        "hiss.wav": lavfi(media_dir / "hiss.wav", "anoisesrc=color=white:amplitude=0.3", 8),
        "long.wav": lavfi(media_dir / "long.wav", "sine=frequency=300", 301, rate=16000),
        "phone.wav": media_dir / "phone.wav",
    }
    made["notes.wav"].write_text("this is not audio at all")
    PiperProvider().synthesize("Hi, this is short.", "", made["short.wav"])
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(piper_speech.audio_path), "-ar", "8000",
                    str(made["phone.wav"])], check=True)
    return made


EXPECTED_REASONS = {
    "notes.wav": "not an audio file",
    "short.wav": "needs at least 6 s",
    "silence.wav": "silent",
    "tone.wav": "no speech was detected",
    "hiss.wav": "no speech was detected",
    "long.wav": "at most 5 minutes",
    "phone.wav": "8000 Hz",
}


def test_each_bad_sample_is_rejected_with_its_reason(bad_samples, piper_speech):
    for name, path in bad_samples.items():
        check = validate_sample(path)
        assert not check.ok and EXPECTED_REASONS[name] in check.reason, (name, check)
    good = validate_sample(piper_speech.audio_path)
    assert good.ok and good.sample_rate == 22050 and 8 < good.duration < 15


def test_clone_refuses_all_bad_samples_at_once_and_stores_nothing(profile, bad_samples, piper_speech):
    with pytest.raises(SampleRejectedError) as caught:
        clone_voice(profile, XTTSProvider(model=FakeXTTS()), "Anna",
                    [piper_speech.audio_path, bad_samples["tone.wav"], bad_samples["short.wav"]])
    assert set(caught.value.reasons) == {"tone.wav", "short.wav"}
    assert "tone.wav: no speech" in str(caught.value)
    assert list_cloned_voices(profile) == [] and list(profile.paths.voices.iterdir()) == []


def test_xtts_clone_normalizes_persists_and_is_profile_private(workspace, piper_speech, media_dir):
    store_a, store_b = workspace.create("Store A"), workspace.create("Store B")
    stereo = media_dir / "stereo48k.wav"
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo",
                    "-i", str(piper_speech.audio_path), "-filter_complex",
                    "[0]atrim=0:1[s];[1]aresample=48000,aformat=channel_layouts=stereo[v];[s][v]concat=n=2:v=0:a=1",
                    str(stereo)], check=True)
    steps = []
    record = clone_voice(store_a, XTTSProvider(model=FakeXTTS()), "  Anna   warm ", [stereo, piper_speech.audio_path],
                         language="en", progress=lambda message, fraction: steps.append(fraction))
    assert record["name"] == "Anna warm" and record["provider"] == "xtts"
    assert steps[-1] == 1.0 and steps == sorted(steps)
    for sample in record["sample_paths"]:
        info = probe_audio_stream(sample)
        assert (info.sample_rate, info.channels) == (24000, 1)
        assert str(sample).startswith(str(store_a.paths.voices))
    first, _ = read_wav(record["sample_paths"][0])
    assert len(first) / 24000 < piper_speech.duration + 0.4  # the leading second of silence was trimmed
    assert record["provider_voice"].endswith("reference.wav")

    reopened = Workspace(workspace.root).get(store_a.id)
    [again] = list_cloned_voices(reopened)
    assert again["id"] == record["id"] and again["provider_voice"] == record["provider_voice"]
    model = FakeXTTS()
    spoken = preview_voice(reopened, record["id"], provider=XTTSProvider(model=model))
    assert model.calls[0]["speaker_wav"] == record["provider_voice"] and spoken.voice == record["id"]

    assert list_cloned_voices(store_b) == []
    with pytest.raises(NotFoundError):
        get_voice(store_b, record["id"])
    with pytest.raises(NotFoundError):
        synthesize_for_profile(store_b, "Hi.", {"provider": "xtts", "voice": record["id"]},
                               provider=XTTSProvider(model=FakeXTTS()))

    assert rename_voice(reopened, record["id"], "Anna bright")["name"] == "Anna bright"
    with pytest.raises(ValidationError):
        rename_voice(reopened, record["id"], "   ")
    delete_voice(reopened, record["id"])
    assert list_cloned_voices(reopened) == [] and not (reopened.paths.voices / record["id"]).exists()


def test_elevenlabs_clone_records_the_returned_voice_id(eleven_profile, eleven, piper_speech):
    with ElevenLabsProvider(api_key=eleven.api_key, base_url=eleven.base_url) as provider:
        record = clone_voice(eleven_profile, provider, "Shop voice", [piper_speech.audio_path])
        remote_ids = [v["voice_id"] for v in eleven.voices]
        assert record["provider_voice_id"] in remote_ids
        result = synthesize_for_profile(eleven_profile, "Welcome back!", {"provider": "elevenlabs", "voice": record["id"]})
        assert eleven.calls(f"/v1/text-to-speech/{record['provider_voice_id']}")
        assert result.voice == record["id"]
        delete_voice(eleven_profile, record["id"], provider=provider)
        assert record["provider_voice_id"] not in [v["voice_id"] for v in eleven.voices]


def test_piper_cannot_clone(profile, piper_speech):
    with pytest.raises(Exception, match="cannot clone"):
        clone_voice(profile, PiperProvider(), "x", [piper_speech.audio_path])


def test_more_rejection_reasons(tmp_path, media_dir):
    assert "does not exist" in validate_sample(tmp_path / "gone.wav").reason
    hifi = lavfi(media_dir / "ultrasonic.wav", "anoisesrc=color=pink:amplitude=0.2", 7, rate=384000)
    assert "384000 Hz" in validate_sample(hifi).reason


def test_clone_input_errors_say_what_to_do(profile, piper_speech, eleven):
    provider = XTTSProvider(model=FakeXTTS())
    with pytest.raises(ValidationError, match="at least one voice sample"):
        clone_voice(profile, provider, "Anna", [])
    with pytest.raises(ValidationError, match="1 to 80 characters"):
        clone_voice(profile, provider, "x" * 81, [piper_speech.audio_path])
    with pytest.raises(SampleRejectedError, match="gone.wav: the file does not exist"):
        clone_voice(profile, provider, "Anna", [profile.folder / "gone.wav"])
    # Good samples, but the provider cannot run: refused before anything is stored or uploaded.
    with ElevenLabsProvider(api_key=None, base_url=eleven.base_url) as keyless:
        with pytest.raises(Exception, match="no API key"):
            clone_voice(profile, keyless, "Anna", [piper_speech.audio_path])
    assert eleven.calls("/v1/voices/add") == []
    assert list_cloned_voices(profile) == [] and list(profile.paths.voices.iterdir()) == []


@pytest.mark.parametrize(("name", "words"), [
    ("Anna\u202e", "control or invisible"),  # shown backwards after it
    ("An\u200bna", "control or invisible"),  # looks like "Anna"
    ("Anna\x00", "control or invisible"),
    (12, "must be text"),  # was stored as '12'
    (None, "1 to 80 characters"),
])
def test_a_voice_name_of_the_wrong_kind_is_refused_before_anything_is_stored(profile, piper_speech, name, words):
    provider = XTTSProvider(model=FakeXTTS())
    with pytest.raises(ValidationError, match=words):
        clone_voice(profile, provider, name, [piper_speech.audio_path])
    assert list_cloned_voices(profile) == [] and not any(profile.paths.voices.iterdir())


def test_a_failed_remote_clone_leaves_nothing_behind(eleven_profile, eleven, piper_speech):
    eleven.inject("unprocessable", "/v1/voices/add")
    with ElevenLabsProvider(api_key=eleven.api_key, base_url=eleven.base_url) as provider:
        with pytest.raises(Exception, match="request was invalid"):
            clone_voice(eleven_profile, provider, "Shop voice", [piper_speech.audio_path])
    assert list_cloned_voices(eleven_profile) == [] and list(eleven_profile.paths.voices.iterdir()) == []


def test_elevenlabs_voice_preview_survives_reopen_and_stays_private(workspace, eleven_profile, eleven, piper_speech):
    other = workspace.create("Store B")
    with ElevenLabsProvider(api_key=eleven.api_key, base_url=eleven.base_url) as provider:
        record = clone_voice(eleven_profile, provider, "Shop voice", [piper_speech.audio_path], language="en")
    reopened = Workspace(workspace.root).get(eleven_profile.id)
    [again] = list_cloned_voices(reopened, provider="elevenlabs")
    assert (again["id"], again["name"], again["language"]) == (record["id"], "Shop voice", "en")
    preview = preview_voice(reopened, record["id"])
    assert preview.voice == record["id"] and preview.duration > 1 and preview.cost_usd > 0
    assert len(eleven.calls(f"/v1/text-to-speech/{record['provider_voice_id']}")) == 1
    assert preview_voice(reopened, record["id"]).cached  # previewing again is free
    assert len(eleven.calls(f"/v1/text-to-speech/{record['provider_voice_id']}")) == 1

    for action in (lambda: rename_voice(other, record["id"], "Stolen"), lambda: delete_voice(other, record["id"]),
                   lambda: preview_voice(other, record["id"])):
        with pytest.raises(NotFoundError):
            action()
    assert list_cloned_voices(other) == [] and get_voice(reopened, record["id"])["name"] == "Shop voice"

    eleven.voices = [v for v in eleven.voices if v["voice_id"] != record["provider_voice_id"]]  # deleted on the website
    with ElevenLabsProvider(api_key=eleven.api_key, base_url=eleven.base_url) as provider:
        delete_voice(reopened, record["id"], provider=provider)  # already gone there is fine
    assert list_cloned_voices(reopened) == []
