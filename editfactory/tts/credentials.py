"""The profile's ElevenLabs API key: validated before it is stored, and only ever shown back masked.

The key lives in the profile's secret store (never in its database); the UI and
notebooks read ``elevenlabs_key_masked`` and never the value itself.
"""

from __future__ import annotations

from editfactory.errors import ValidationError
from editfactory.profiles.profile import Profile
from editfactory.secrets import delete_secret, get_secret, mask, set_secret
from editfactory.tts.elevenlabs_provider import API_KEY_SECRET

MIN_KEY_LENGTH, MAX_KEY_LENGTH = 20, 200


def check_elevenlabs_key(key: str) -> str:
    """The key as it will be stored (surrounding blanks removed), or a ValidationError saying what is wrong.

    The message never repeats the key, so it is safe to show and to log.
    """
    if not isinstance(key, str):
        raise ValidationError("The ElevenLabs API key must be text.")
    key = key.strip()
    if not key.isascii() or not key.isprintable():
        raise ValidationError("The ElevenLabs API key may only contain plain letters, digits and symbols (no accents, "
                              "emoji or hidden characters); copy it again from ElevenLabs → Profile → API keys.")
    if any(c.isspace() for c in key):
        raise ValidationError("The ElevenLabs API key cannot contain spaces; copy it again in one piece.")
    if not MIN_KEY_LENGTH <= len(key) <= MAX_KEY_LENGTH:
        raise ValidationError(f"That is too {'short' if len(key) < MIN_KEY_LENGTH else 'long'} for an ElevenLabs API "
                              "key; copy the whole key again from ElevenLabs → Profile → API keys.")
    return key


def set_elevenlabs_key(profile: Profile, key: str) -> str:
    """Store the key for this profile (an empty value removes it); returns the masked key."""
    if key is None or (isinstance(key, str) and not key.strip()):
        delete_secret(profile, API_KEY_SECRET)
        return ""
    set_secret(profile, API_KEY_SECRET, check_elevenlabs_key(key))
    return elevenlabs_key_masked(profile)


def elevenlabs_key_masked(profile: Profile) -> str:
    """The key as the UI may show it: masked, or empty when none is saved."""
    return mask(get_secret(profile, API_KEY_SECRET))


def has_elevenlabs_key(profile: Profile) -> bool:
    return bool(get_secret(profile, API_KEY_SECRET))
