"""The profile's default voice: a voice the provider does not offer is refused, and nothing is saved."""

from __future__ import annotations

import pytest

from editfactory.core.errors import NotFoundError, VoiceError
from editfactory.tts import get_defaults, set_defaults
from editfactory.tts.cloning import clone_voice
from editfactory.tts.elevenlabs_provider import ElevenLabsProvider


def test_an_unknown_piper_voice_is_refused_and_the_old_default_kept(profile):
    saved = set_defaults(profile, "piper", "en_US-joe-medium")
    with pytest.raises(VoiceError, match="Piper.*has no voice 'en_US-nobody-high'. Choose one of: en_US-joe-medium"):
        set_defaults(profile, "piper", "en_US-nobody-high")
    assert get_defaults(profile) == saved


def test_an_empty_voice_means_the_providers_own_default(profile):
    assert set_defaults(profile, "piper").voice == "en_US-joe-medium"


def test_elevenlabs_voices_are_checked_against_the_account(eleven_profile):
    assert set_defaults(eleven_profile, "elevenlabs", "pNInz6obpgDQGcFmaJgB").voice == "pNInz6obpgDQGcFmaJgB"
    with pytest.raises(VoiceError, match="has no voice 'made-up-voice'. Choose one of: 21m00Tcm4TlvDq8ikWAM"):
        set_defaults(eleven_profile, "elevenlabs", "made-up-voice")
    assert get_defaults(eleven_profile).voice == "pNInz6obpgDQGcFmaJgB"


def test_a_cloned_voice_is_accepted_only_for_its_provider_and_profile(workspace, eleven_profile, eleven, piper_speech):
    with ElevenLabsProvider(api_key=eleven.api_key, base_url=eleven.base_url) as provider:
        record = clone_voice(eleven_profile, provider, "Shop voice", [piper_speech.audio_path])
    assert set_defaults(eleven_profile, "elevenlabs", record["id"]).voice == record["id"]
    with pytest.raises(NotFoundError):
        set_defaults(eleven_profile, "piper", record["id"])
    other = workspace.create("Store B")
    with pytest.raises(NotFoundError, match="Store B"):
        set_defaults(other, "elevenlabs", record["id"])
    assert get_defaults(other).provider == "piper"
