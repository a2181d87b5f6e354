"""Voices: one interface over Piper, Edge TTS, ElevenLabs, Coqui XTTS v2 and Kokoro, with cache, costs and cloning."""

from editfactory.tts.base import (
    Availability,
    ModelInfo,
    SynthesisResult,
    VoiceInfo,
    VoiceProvider,
    VoiceSettings,
    WordTiming,
    price_label,
)
from editfactory.tts.registry import PROVIDERS, describe_providers, get_provider, register_provider
from editfactory.tts.service import (
    MAX_SCRIPT_CHARS,
    VoiceChoice,
    check_script_length,
    estimate_for_profile,
    get_defaults,
    set_defaults,
    synthesize_for_profile,
)

__all__ = [
    "MAX_SCRIPT_CHARS",
    "PROVIDERS",
    "Availability",
    "ModelInfo",
    "SynthesisResult",
    "VoiceChoice",
    "VoiceInfo",
    "VoiceProvider",
    "VoiceSettings",
    "WordTiming",
    "check_script_length",
    "describe_providers",
    "estimate_for_profile",
    "get_defaults",
    "get_provider",
    "price_label",
    "register_provider",
    "set_defaults",
    "synthesize_for_profile",
]
