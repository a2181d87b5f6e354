"""How the studio names a voice in words: 'Piper Joe', 'ElevenLabs Anna – warm' (jobs, the Library's clips).

Read from the providers themselves (their labels), so a new provider needs no entry here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from editfactory.tts.registry import PROVIDERS

Names = Mapping[str, str]


def provider_words(name: str) -> str:
    """A voice provider as a job names it: its own label without the note in brackets ('Piper (offline)' → 'Piper');
    read from the provider (self-describing providers), so a new one needs no entry here."""
    provider = PROVIDERS.get(name)
    return provider.label.split(" (")[0] if provider is not None else name


def voice_words(voice: Mapping[str, Any] | None, names: Names) -> str:
    """'Piper Joe', 'ElevenLabs Anna – warm' (a cloned voice by its name); '' for the profile's default voice."""
    voice = voice or {}
    provider = str(voice.get("provider") or "")
    voice_id = str(voice.get("voice") or "")
    label = provider_words(provider)
    if voice_id in names:
        who = names[voice_id]
    else:
        # Catalogue ids such as "en_US-joe-medium" or "en-US-AriaNeural": the speaker's part, capitalised.
        parts = [p for p in voice_id.replace("_", "-").split("-") if p and not (len(p) == 2 and p.isalpha())]
        who = " ".join(p[:1].upper() + p[1:] for p in parts[:1]) if parts else ""
    return " ".join(p for p in (label, who) if p)
