"""ElevenLabs through the official SDK against the local fake server (real HTTP, real shapes, injected faults)."""

from __future__ import annotations

import json
import logging

import pytest

from editfactory.tts.elevenlabs_provider import ElevenLabsProvider
from editfactory.tts.errors import VoiceServiceError, VoiceUnavailableError
from editfactory.tts.words import split_words

TEXT = "Only $19.99 today — grab yours, Dr. Smith!"


@pytest.fixture
def provider(eleven):
    with ElevenLabsProvider(api_key=eleven.api_key, base_url=eleven.base_url) as built:
        yield built


def test_lists_voices_with_language_gender_preview(provider, eleven):
    voices = {v.id: v for v in provider.list_voices()}
    rachel = voices["21m00Tcm4TlvDq8ikWAM"]
    assert (rachel.name, rachel.language, rachel.gender, rachel.cloned) == ("Rachel", "en", "female", False)
    assert rachel.preview_url.endswith("preview.mp3")
    assert eleven.calls("/v1/voices", "GET")[0]["has_key"]


def test_synthesis_groups_character_timings_into_words(provider, eleven, tmp_path):
    result = provider.synthesize(TEXT, "pNInz6obpgDQGcFmaJgB", tmp_path / "out.wav",
                                 {"stability": 0.3, "style": 0.2}, model="eleven_flash_v2_5")
    assert result.audio_path.suffix == ".mp3" and result.audio_path.stat().st_size > 1000
    assert result.duration > 5
    assert [w.word for w in result.words] == split_words(TEXT)
    assert result.timings_exact
    expected = eleven.alignment(TEXT)
    first_dollar = TEXT.index("$")
    assert result.words[1].start == pytest.approx(expected["character_start_times_seconds"][first_dollar])
    assert result.words[1].end == pytest.approx(expected["character_end_times_seconds"][TEXT.index("9 ") if "9 " in TEXT else first_dollar + 5])
    sent = json.loads(eleven.calls("/v1/text-to-speech/pNInz6obpgDQGcFmaJgB/with-timestamps")[0]["body"])
    assert sent["model_id"] == "eleven_flash_v2_5"
    assert sent["voice_settings"] == {"stability": 0.3, "similarity_boost": 0.75, "style": 0.2,
                                      "use_speaker_boost": True, "speed": 1.0}
    assert result.cost_usd == pytest.approx(len(TEXT) / 1000 * 0.05)


def test_quota_exceeded_becomes_a_clear_message(provider, eleven, tmp_path):
    eleven.inject("quota_exceeded")
    with pytest.raises(VoiceServiceError, match="run out of characters") as caught:
        provider.synthesize(TEXT, "", tmp_path / "o.mp3")
    assert caught.value.status == 401 and "480 credits are required for this request. Upgrade" in str(caught.value)


def test_real_quota_is_enforced_by_the_server_as_well(eleven, tmp_path):
    eleven.character_limit = 10
    with ElevenLabsProvider(api_key=eleven.api_key, base_url=eleven.base_url) as provider:
        with pytest.raises(VoiceServiceError, match="run out of characters"):
            provider.synthesize(TEXT, "", tmp_path / "o.mp3")


def test_wrong_key_422_and_missing_key(eleven, tmp_path):
    with ElevenLabsProvider(api_key="sk_wrong_key_abcdefghijkl", base_url=eleven.base_url) as wrong:
        with pytest.raises(VoiceServiceError, match="refused the API key"):
            wrong.list_voices()
    with ElevenLabsProvider(api_key=eleven.api_key, base_url=eleven.base_url) as good:
        eleven.inject("unprocessable")
        with pytest.raises(VoiceServiceError, match="invalid.*field required"):
            good.synthesize(TEXT, "", tmp_path / "o.mp3")
    missing = ElevenLabsProvider(api_key=None, base_url=eleven.base_url)
    assert "no API key" in missing.availability().reason
    with pytest.raises(VoiceUnavailableError, match="no API key"):
        missing.synthesize(TEXT, "", tmp_path / "o.mp3")


def test_429_is_retried_then_reported(provider, eleven, tmp_path):
    eleven.inject("rate_limited", times=1)
    assert provider.synthesize("Hello there.", "", tmp_path / "a.mp3").words
    assert len(eleven.calls("/v1/text-to-speech")) == 2
    eleven.inject("rate_limited", times=5)
    with ElevenLabsProvider(api_key=eleven.api_key, base_url=eleven.base_url, max_retries=1) as impatient:
        with pytest.raises(VoiceServiceError, match="limiting requests") as caught:
            impatient.synthesize("Hello again.", "", tmp_path / "b.mp3")
    assert caught.value.retryable and caught.value.status == 429
    assert len(eleven.calls("/v1/text-to-speech")) == 4


def test_unreachable_server_is_a_network_message(tmp_path):
    with ElevenLabsProvider(api_key="sk_test_fake_key_0123456789", base_url="http://127.0.0.1:9", max_retries=0) as provider:
        with pytest.raises(VoiceServiceError, match="Could not reach ElevenLabs"):
            provider.list_voices()


def test_subscription_usage(provider, eleven, tmp_path):
    provider.synthesize("Hello there.", "", tmp_path / "a.mp3")
    usage = provider.subscription()
    assert usage["character_count"] == len("Hello there.")
    assert usage["characters_left"] == eleven.character_limit - len("Hello there.")


def test_instant_clone_uploads_multipart_and_returns_voice_id(provider, eleven, piper_speech):
    voice_id = provider.clone_voice("Shop voice", [piper_speech.audio_path])
    call = eleven.calls("/v1/voices/add", "POST")[0]
    assert call["content_type"].startswith("multipart/form-data")
    assert b'name="files"' in call["body"] and b"Shop voice" in call["body"]
    assert any(v.id == voice_id and v.cloned for v in provider.list_voices())
    provider.delete_voice(voice_id)
    assert all(v.id != voice_id for v in provider.list_voices())


def test_api_key_never_logged_or_shown(provider, eleven, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    eleven.inject("quota_exceeded")
    with pytest.raises(VoiceServiceError) as caught:
        provider.synthesize(TEXT, "", tmp_path / "o.mp3")
    provider.synthesize("Fine now.", "", tmp_path / "p.mp3")
    assert eleven.api_key not in str(caught.value)
    assert eleven.api_key not in repr(provider)
    assert eleven.api_key not in caplog.text


def test_plain_audio_endpoint_follows_the_rest_shape(provider, eleven):
    """POST /v1/text-to-speech/{voice_id} through the SDK's ``convert``: MP3 bytes, billed like the timed one."""
    audio = b"".join(provider.client.text_to_speech.convert(
        "21m00Tcm4TlvDq8ikWAM", text="Hello there.", model_id="eleven_turbo_v2_5", output_format="mp3_44100_128"))
    assert audio == eleven.audio_mp3
    [call] = eleven.calls("/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM", "POST")
    assert call["query"] == "output_format=mp3_44100_128" and json.loads(call["body"])["model_id"] == "eleven_turbo_v2_5"
    assert provider.subscription()["character_count"] == len("Hello there.")


def test_unknown_voice_and_server_errors(provider, eleven, tmp_path):
    with pytest.raises(VoiceServiceError, match=r"voice_id was not found\. Pick another voice") as caught:
        provider.synthesize("Hello.", "no_such_voice", tmp_path / "o.mp3")
    assert caught.value.status == 404 and not caught.value.retryable
    eleven.inject("server_error", times=1)
    assert provider.synthesize("Hello.", "", tmp_path / "p.mp3").words  # one 500 is retried by the SDK
    eleven.inject("server_error", times=3)
    with ElevenLabsProvider(api_key=eleven.api_key, base_url=eleven.base_url, max_retries=0) as impatient:
        with pytest.raises(VoiceServiceError, match=r"HTTP 500\). Try again in a moment") as caught:
            impatient.synthesize("Hello again.", "", tmp_path / "q.mp3")
    assert caught.value.retryable


def test_quota_exceeded_while_cloning_and_listing(provider, eleven, piper_speech):
    eleven.inject("quota_exceeded", "/v1/voices/add")
    with pytest.raises(VoiceServiceError, match="run out of characters"):
        provider.clone_voice("Shop voice", [piper_speech.audio_path])
    eleven.inject("rate_limited", "/v1/voices", times=1)
    assert provider.list_voices()  # a 429 on listing is retried too


def test_cost_is_what_was_estimated_for_padded_text(provider, eleven, tmp_path):
    padded = "  Hello there, shoppers.\n\n"
    result = provider.synthesize(padded, "", tmp_path / "o.mp3")
    assert result.cost_usd == provider.estimate_cost(padded) > 0  # surrounding whitespace is neither sent nor paid
    assert json.loads(eleven.calls("/v1/text-to-speech")[0]["body"])["text"] == padded.strip()
    assert [w.word for w in result.words] == split_words(padded) and result.timings_exact


def test_a_key_stored_before_keys_were_checked_is_refused_before_any_request(eleven, tmp_path, workspace):
    """Keys are checked when saved now, but one saved by an older version with a pasted '…' stays in the store:
    it reached the HTTP library, whose UnicodeEncodeError carried the key. Now it is refused before any request,
    with a message that says what to do and does not contain the key."""
    import json as _json

    from editfactory.storage.secrets import SECRETS_FILE
    from editfactory.tts.registry import get_provider

    bad_key = "sk_" + "a1b2c3d4e5" * 3 + "…"
    profile = workspace.create("Old store")
    store = profile.paths.secrets / SECRETS_FILE
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_text(_json.dumps({"elevenlabs.api_key": bad_key}))  # as an older version wrote it
    provider = get_provider("elevenlabs", profile, base_url=eleven.base_url)
    status = provider.availability()
    assert not status.ok and "non-ASCII character" in status.reason and "Settings" in status.reason
    with pytest.raises(VoiceUnavailableError) as refused:
        provider.synthesize(TEXT, "", tmp_path / "o.mp3")
    assert bad_key not in str(refused.value) and bad_key[:12] not in repr(refused.value)
    assert eleven.calls() == []


def test_a_long_script_is_sent_in_pieces_and_joined_with_its_words_in_place(provider, eleven, tmp_path):
    """Over 1,000 characters: one request per sentence group (so a cancel can stop between them); the audio is
    joined in order and every piece's words are shifted to where its audio starts."""
    from editfactory.tts.control import SynthesisControl

    eleven.seconds_per_char = 0.008  # the fake's timings fit its ~10 s of audio (1,000 characters: 8 s)
    text = " ".join(f"Our sandal number {i} is light and made for summer days by the sea." for i in range(1, 37))
    seen = []
    control = SynthesisControl(len(text), progress=lambda message, fraction: seen.append(fraction))
    result = provider.synthesize(text, "", tmp_path / "long.wav", model="eleven_flash_v2_5", control=control)

    sent = [json.loads(call["body"])["text"] for call in eleven.calls("/v1/text-to-speech")]
    assert len(sent) == 3 and all(len(piece) <= 1000 for piece in sent) and " ".join(sent) == text
    assert result.audio_path.suffix == ".wav" and result.timings_exact
    single = provider.synthesize(sent[0], "", tmp_path / "one.wav", model="eleven_flash_v2_5").duration
    assert result.duration == pytest.approx(3 * single, abs=0.1)
    assert [w.word for w in result.words] == split_words(text)
    second = len(split_words(sent[0]))  # the first word of the second piece starts where its audio starts
    assert result.words[second].start == pytest.approx(single + eleven.alignment(sent[1])["character_start_times_seconds"][0], abs=0.05)
    assert all(a.end <= b.start + 1e-6 for a, b in zip(result.words, result.words[1:]))
    assert seen == pytest.approx([len(sent[0]) / len(text), (len(sent[0]) + len(sent[1])) / len(text),
                                  (len(text) - 2) / len(text)])
    assert result.cost_usd == pytest.approx(sum(len(piece) for piece in sent) / 1000 * 0.05)
    assert control.sent_characters == sum(len(piece) for piece in sent)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.wav", "one.mp3"]  # the pieces' files are gone
