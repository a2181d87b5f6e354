"""Build voice providers configured for a profile (its prices, keys and endpoints)."""

from __future__ import annotations

import importlib
from typing import Any

from editfactory.errors import VoiceError
from editfactory.profiles.profile import Profile
from editfactory.settings import get_setting
from editfactory.tts.base import VoiceProvider

PRICES_SETTING = "tts.prices"
"""{provider: {model: USD per 1000 characters}} — overrides list prices, since plans differ."""
ENDPOINTS_SETTING = "tts.endpoints"
"""{provider: base URL} — e.g. an ElevenLabs proxy or data-residency endpoint."""

PROVIDERS: dict[str, str] = {
    "piper": "editfactory.tts.piper_provider:PiperProvider",
    "edge": "editfactory.tts.edge_provider:EdgeProvider",
    "elevenlabs": "editfactory.tts.elevenlabs_provider:ElevenLabsProvider",
    "xtts": "editfactory.tts.xtts_provider:XTTSProvider",
    "kokoro": "editfactory.tts.kokoro_provider:KokoroProvider",
}
DEFAULT_PROVIDER = "piper"


def provider_class(name: str) -> type[VoiceProvider]:
    try:
        module_name, class_name = PROVIDERS[name].split(":")
    except KeyError:
        raise VoiceError(f"Unknown voice provider {name!r}. Choose one of: {', '.join(PROVIDERS)}.") from None
    return getattr(importlib.import_module(module_name), class_name)


def get_provider(name: str, profile: Profile | None = None, **options: Any) -> VoiceProvider:
    """A provider set up with the profile's prices, secrets and endpoints; ``options`` override them."""
    cls = provider_class(name)
    if profile is not None:
        prices = (get_setting(profile, PRICES_SETTING) or {}).get(name)
        if prices:
            options.setdefault("prices", prices)
        if name == "elevenlabs":
            from editfactory.secrets import get_secret
            from editfactory.tts.elevenlabs_provider import API_KEY_SECRET

            options.setdefault("api_key", get_secret(profile, API_KEY_SECRET))
            endpoint = (get_setting(profile, ENDPOINTS_SETTING) or {}).get(name)
            if endpoint:
                options.setdefault("base_url", endpoint)
    return cls(**options)


def describe_providers(profile: Profile | None = None) -> list[dict[str, Any]]:
    """Everything the UI shows in a provider picker: availability with its reason, licence note, models and prices."""
    rows = []
    for name in PROVIDERS:
        provider = get_provider(name, profile)
        status = provider.availability()
        rows.append({
            "name": name, "label": provider.label, "available": status.ok, "reason": status.reason,
            "licence_note": provider.licence_note, "supports_cloning": provider.supports_cloning,
            "models": [{"id": m.id, "label": m.label, "price_per_1k_chars": m.price_per_1k_chars} for m in provider.models()],
        })
    return rows
