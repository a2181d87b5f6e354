"""The registered voice providers, and providers configured for a profile (its prices, keys and endpoints).

A provider describes itself (``VoiceProvider``'s class attributes); everything here and on the studio's pages
loops over ``PROVIDERS``, so a new provider is its own module plus one line below (or ``register_provider``).
"""

from __future__ import annotations

from typing import Any

from editfactory.core.errors import VoiceError
from editfactory.profiles.profile import Profile
from editfactory.storage.secrets import declare_secret, get_secret
from editfactory.storage.settings import get_setting
from editfactory.tts.base import VoiceProvider
from editfactory.tts.edge_provider import EdgeProvider
from editfactory.tts.elevenlabs_provider import ElevenLabsProvider
from editfactory.tts.kokoro_provider import KokoroProvider
from editfactory.tts.piper_provider import PiperProvider
from editfactory.tts.xtts_provider import XTTSProvider

PRICES_SETTING = "tts.prices"
"""{provider: {model: USD per 1000 characters}} — overrides list prices, since plans differ."""
ENDPOINTS_SETTING = "tts.endpoints"
"""{provider: base URL} — e.g. an ElevenLabs proxy or data-residency endpoint."""

PROVIDERS: dict[str, type[VoiceProvider]] = {}
"""Every usable provider class by name, in the order the pages list them."""


def register_provider(cls: type[VoiceProvider]) -> type[VoiceProvider]:
    """Make ``cls`` available everywhere (pages, jobs, notebooks); its API key, if any, becomes a known secret."""
    if not getattr(cls, "name", "") or not getattr(cls, "label", ""):
        raise TypeError(f"{cls.__name__} must set a name and a label to be registered.")
    PROVIDERS[cls.name] = cls
    if cls.secret is not None:
        declare_secret(cls.secret.name, cls.secret.service)
    return cls


def unregister_provider(name: str) -> None:
    """Remove a provider from the registry (tests register their own and take them out again)."""
    PROVIDERS.pop(name, None)


for _builtin in (PiperProvider, EdgeProvider, ElevenLabsProvider, XTTSProvider, KokoroProvider):
    register_provider(_builtin)

DEFAULT_PROVIDER = PiperProvider.name
"""Offline and free: what a fresh profile speaks with."""


def provider_class(name: str) -> type[VoiceProvider]:
    try:
        return PROVIDERS[name]
    except KeyError:
        raise VoiceError(f"Unknown voice provider {name!r}. Choose one of: {', '.join(PROVIDERS)}.") from None


def cloning_providers() -> list[type[VoiceProvider]]:
    """The providers that can clone a voice from samples, in registry order."""
    return [cls for cls in PROVIDERS.values() if cls.supports_cloning]


def get_provider(name: str, profile: Profile | None = None, **options: Any) -> VoiceProvider:
    """A provider set up with the profile's prices, secrets and endpoints; ``options`` override them."""
    cls = provider_class(name)
    if profile is not None:
        prices = (get_setting(profile, PRICES_SETTING) or {}).get(name)
        if prices:
            options.setdefault("prices", prices)
        if cls.secret is not None:
            options.setdefault(cls.secret.option, get_secret(profile, cls.secret.name))
        endpoint = (get_setting(profile, ENDPOINTS_SETTING) or {}).get(name) if cls.endpoint_option else None
        if endpoint:
            options.setdefault(cls.endpoint_option, endpoint)
    return cls(**options)


def describe_providers(profile: Profile | None = None) -> list[dict[str, Any]]:
    """Everything the UI shows in a provider picker: availability with its reason, licence note, models and prices."""
    rows = []
    for name in PROVIDERS:
        with get_provider(name, profile) as provider:
            status = provider.availability()
            rows.append({
                "name": name, "label": provider.label, "available": status.ok, "reason": status.reason,
                "licence_note": provider.licence_note, "supports_cloning": provider.supports_cloning,
                "voice_kinds": list(provider.voice_kinds), "pricing_unit": provider.pricing_unit,
                "key_label": provider.secret.label if provider.secret else None,
                "models": [{"id": m.id, "label": m.label, "price_per_1k_chars": m.price_per_1k_chars}
                           for m in provider.models()],
            })
    return rows
