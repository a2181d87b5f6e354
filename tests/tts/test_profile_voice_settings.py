"""What the studio's Voices and Settings pages store through the services: prices, the ElevenLabs key, voice lists."""

from __future__ import annotations

import pytest

from editfactory.core.errors import ValidationError, VoiceError
from editfactory.storage.secrets import get_secret
from editfactory.storage.settings import get_setting
from editfactory.tts import estimate_for_profile
from editfactory.tts.credentials import key_masked, set_key
from editfactory.tts.service import get_prices, list_voices_for_profile, set_price


def test_a_profile_price_is_validated_stored_and_used_in_estimates(workspace):
    shop, other = workspace.create("Shop"), workspace.create("Other")
    assert set_price(shop, "elevenlabs", "eleven_multilingual_v2", "$0.30") == 0.30
    assert estimate_for_profile(shop, "x" * 1000, {"provider": "elevenlabs"})["label"] == "$0.30"
    assert get_prices(other) == {}  # never another profile's
    set_price(shop, "piper", "piper", 0.01)  # local engines may be priced (hardware, electricity)
    assert get_prices(shop) == {"elevenlabs": {"eleven_multilingual_v2": 0.30}, "piper": {"piper": 0.01}}


@pytest.mark.parametrize(("provider", "model", "value", "reason"), [
    ("elevenlabs", "eleven_multilingual_v2", -0.1, "must be between 0 and 1,000"),
    ("elevenlabs", "eleven_multilingual_v2", "abc", "is not a number"),
    ("elevenlabs", "eleven_multilingual_v2", float("nan"), "finite"),
    ("elevenlabs", "eleven_multilingual_v2", True, "not a yes/no value"),
    ("elevenlabs", "eleven_multilingual_v2", float("-inf"), "finite"),
    ("elevenlabs", "eleven_multilingual_v2", "1e999", "finite"),
    ("elevenlabs", "eleven_multilingual_v2", [0.2], "must be a number"),
    ("elevenlabs", "eleven_multilingual_v2", 5000, "between 0 and 1,000"),
    ("elevenlabs", "eleven_v9", 0.2, "has no model"),
    ("nope", "x", 0.2, "Unknown voice provider"),
])
def test_a_bad_price_is_refused_with_its_reason_and_nothing_stored(profile, provider, model, value, reason):
    set_price(profile, "elevenlabs", "eleven_multilingual_v2", 0.25)
    with pytest.raises((ValidationError, VoiceError), match=reason):
        set_price(profile, provider, model, value)
    assert get_setting(profile, "tts.prices") == {"elevenlabs": {"eleven_multilingual_v2": 0.25}}


def test_the_elevenlabs_key_is_stored_as_a_secret_and_only_shown_masked(profile):
    key = "sk_0123456789abcdef0123456789abcdef0123456789abcdef"
    assert set_key(profile, "elevenlabs", f"  {key}\n") == "••••••••cdef"
    assert get_secret(profile, "elevenlabs.api_key") == key
    assert key_masked(profile, "elevenlabs") == "••••••••cdef"
    assert key not in str(get_setting(profile, "tts.prices")) and not profile.db.fetchall(
        "SELECT key FROM settings WHERE value LIKE ?", [f"%{key}%"])
    assert set_key(profile, "elevenlabs", "") == "" and get_secret(profile, "elevenlabs.api_key") is None


@pytest.mark.parametrize(("key", "reason"), [
    ("sk_0123456789abcdéf0123456789abcdef", "plain letters"),
    ("sk_0123456789abcdef 0123456789abcdef", "cannot contain spaces"),
    ("sk_0123456789abcdef\u200b0123456789", "plain letters"),
    ("sk_short", "too short"),
    ("k" * 300, "too long"),
])
def test_a_malformed_elevenlabs_key_is_refused_and_the_saved_one_kept(profile, key, reason):
    good = "sk_0123456789abcdef0123456789abcdef"
    set_key(profile, "elevenlabs", good)
    with pytest.raises(ValidationError, match=reason) as caught:
        set_key(profile, "elevenlabs", key)
    assert key.strip() not in str(caught.value)
    assert get_secret(profile, "elevenlabs.api_key") == good


def test_voice_lists_include_the_profiles_cloned_voices_once(eleven_profile, eleven, piper_speech, workspace):
    from editfactory.tts.cloning import clone_voice
    from editfactory.tts.registry import get_provider

    piper_voices = list_voices_for_profile(eleven_profile, "piper")
    assert [v.id for v in piper_voices] == ["en_US-joe-medium"] and not piper_voices[0].cloned
    with get_provider("elevenlabs", eleven_profile) as provider:
        record = clone_voice(eleven_profile, provider, "Anna", [piper_speech.audio_path])
    voices = list_voices_for_profile(eleven_profile, "elevenlabs")
    assert [v.id for v in voices if v.cloned] == [record["id"]]
    assert record["provider_voice_id"] not in [v.id for v in voices]  # not listed twice under ElevenLabs' own id
    assert [v.id for v in list_voices_for_profile(workspace.create("Other"), "piper")] == ["en_US-joe-medium"]


@pytest.mark.parametrize(("provider", "settings", "words"), [
    ("piper", {"volume": True}, "not a yes/no value"),  # param takes True as the number 1
    ("piper", {"speed": False}, "not a yes/no value"),
    ("edge", {"rate": True}, "not a yes/no value"),
    ("piper", {"sentence_pause": float("nan")}, "finite"),
    ("piper", {"speed": "1.2"}, "must be a number"),
    ("piper", {"speed": None}, "must be a number"),
    ("edge", {"pitch": 2.5}, "whole number"),
    ("edge", {"volume": 10**400}, "finite"),
])
def test_a_voice_setting_that_is_not_a_number_is_refused_and_nothing_stored(profile, provider, settings, words):
    from editfactory.tts import set_defaults

    set_defaults(profile, "piper", settings={"speed": 1.1})
    before = get_setting(profile, "tts.defaults")
    with pytest.raises(VoiceError, match=words):
        set_defaults(profile, provider, settings=settings)
    assert get_setting(profile, "tts.defaults") == before
