"""The profile's voice provider API keys: checked before they are stored, and only ever shown back masked.

Each provider that needs a key declares it (``VoiceProvider.secret``: its name, how it is named and how it is
checked). Keys live in the profile's secret store (never in its database); the UI and notebooks read
``key_masked`` / ``keys_masked`` and never the value itself.
"""

from __future__ import annotations

from editfactory.core.errors import ValidationError
from editfactory.profiles.profile import Profile
from editfactory.storage.secrets import delete_secret, get_secret, mask, set_secret
from editfactory.tts.base import ProviderSecret
from editfactory.tts.registry import PROVIDERS, provider_class


def key_providers() -> list[str]:
    """The registered providers that need an API key, in registry order."""
    return [name for name, cls in PROVIDERS.items() if cls.secret is not None]


def provider_secret(provider: str) -> ProviderSecret:
    """The key ``provider`` declares, or a ValidationError when it needs none."""
    cls = provider_class(provider)
    if cls.secret is None:
        raise ValidationError(f"{cls.label} needs no API key.")
    return cls.secret


def check_key(provider: str, key: str) -> str:
    """The key as it will be stored, or a ValidationError (that never repeats the key) saying what is wrong."""
    return provider_secret(provider).check(key)


def set_key(profile: Profile, provider: str, key: str | None) -> str:
    """Store the provider's key for this profile (an empty value removes it); returns the masked key."""
    secret = provider_secret(provider)
    if key is None or (isinstance(key, str) and not key.strip()):
        delete_secret(profile, secret.name)
        return ""
    set_secret(profile, secret.name, secret.check(key))
    return key_masked(profile, provider)


def key_masked(profile: Profile, provider: str) -> str:
    """The key as the UI may show it: masked, or empty when none is saved."""
    return mask(get_secret(profile, provider_secret(provider).name))


def has_key(profile: Profile, provider: str) -> bool:
    return bool(get_secret(profile, provider_secret(provider).name))


def keys_masked(profile: Profile) -> dict[str, str]:
    """{provider: masked key ('' when none)} for every provider that needs a key."""
    return {name: key_masked(profile, name) for name in key_providers()}
