"""Voiceover for a profile: its default voice, the cache, the quota, then the provider.

Every generation path (studio, notebooks, jobs) calls ``synthesize_for_profile``
so the profile's defaults apply unless overridden, a repeat costs nothing, and a
paid call is reserved against the monthly quota before it is made.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from editfactory.core.errors import NotFoundError, VoiceError, check_number
from editfactory.core.progress import ProgressCallback, scaled
from editfactory.costs import ledger
from editfactory.profiles.profile import Profile
from editfactory.storage.settings import get_setting, set_setting
from editfactory.tts import cache
from editfactory.tts.base import (
    CLONED,
    PRESET,
    SynthesisResult,
    VoiceInfo,
    VoiceProvider,
    billable_characters,
    price_label,
)
from editfactory.tts.cloned_voices import get_voice, list_cloned_voices
from editfactory.tts.control import SynthesisControl
from editfactory.tts.errors import ScriptTooLongError
from editfactory.tts.registry import DEFAULT_PROVIDER, PRICES_SETTING, get_provider

DEFAULTS_SETTING = "tts.defaults"
MAX_SCRIPT_CHARS = 12_000
"""The longest script one voiceover speaks, whatever the voice: about 13 minutes read aloud, longer than any
short-video platform takes (TikTok's 10 minutes), so a longer script is a paste gone wrong. The studio, the
production request and this service (notebooks) all refuse longer ones, before hours of synthesis."""


def check_max_script_length(text: str) -> None:
    """Raise ScriptTooLongError when ``text`` is over :data:`MAX_SCRIPT_CHARS` (no profile or voice needed)."""
    length = billable_characters(text)
    if length > MAX_SCRIPT_CHARS:
        raise ScriptTooLongError(
            f"This script has {length:,} characters; a voiceover takes at most {MAX_SCRIPT_CHARS:,} characters "
            "(about 13 minutes read aloud). Shorten it or split it into several clips.",
            limit=MAX_SCRIPT_CHARS, length=length)
MAX_PRICE_PER_1K = 1000.0
"""Far above any voice's price: a higher one is a typing slip."""


@dataclass(frozen=True)
class VoiceChoice:
    """Which provider, voice, model and settings to speak with."""

    provider: str = DEFAULT_PROVIDER
    voice: str = ""
    model: str = ""
    settings: dict[str, Any] = field(default_factory=dict)


def complete_choice(choice: VoiceChoice, provider: VoiceProvider) -> VoiceChoice:
    """Fill in the provider's default voice, model and settings (validated), as synthesis and the cache key use them."""
    settings = provider.make_settings(choice.settings).to_dict()  # validates and fills in defaults
    return replace(choice, voice=choice.voice or provider.default_voice, model=choice.model or provider.default_model,
                   settings=settings)


def get_defaults(profile: Profile) -> VoiceChoice:
    """The profile's saved voice choice (Piper's bundled voice on a fresh profile)."""
    stored = get_setting(profile, DEFAULTS_SETTING) or {}
    return VoiceChoice(stored.get("provider", DEFAULT_PROVIDER), stored.get("voice", ""), stored.get("model", ""),
                       dict(stored.get("settings") or {}))


def set_defaults(profile: Profile, provider: str, voice: str = "", model: str = "",
                 settings: dict[str, Any] | None = None) -> VoiceChoice:
    """Save the profile's default voice; the voice, model and settings are checked against the provider first.

    A voice the provider does not offer (nor a voice cloned in this profile for it) is refused, nothing saved.
    Checking ElevenLabs' or Edge's full list uses the network: call this off the UI's event loop.
    """
    instance = get_provider(provider, profile)
    try:
        choice = complete_choice(VoiceChoice(provider, voice, model, dict(settings or {})), instance)
        instance.model_info(choice.model)
        if voice:
            _require_voice(profile, instance, voice)
    finally:
        instance.close()
    set_setting(profile, DEFAULTS_SETTING, asdict(choice))
    return choice


def _require_voice(profile: Profile, provider: VoiceProvider, voice: str) -> None:
    """VoiceError (or NotFoundError for a cloned voice) unless ``provider`` can speak with ``voice`` for this profile."""
    if voice.startswith("voice_"):
        _provider_voice(profile, VoiceChoice(provider.name, voice))  # this profile's clone, of this provider
        return
    offered = [v.id for v in provider.list_voices()]
    if voice in offered:
        return
    hint = provider.unknown_voice_hint
    listed = ", ".join(offered[:8]) + (", …" if len(offered) > 8 else "")
    raise VoiceError(f"{provider.label} has no voice {voice!r}{hint}. Choose one of: {listed or 'none installed'}.")


def resolve_choice(profile: Profile, overrides: dict[str, Any] | None = None) -> VoiceChoice:
    """Defaults with ``overrides`` applied; switching provider drops the defaults that belong to another one."""
    choice = get_defaults(profile)
    overrides = dict(overrides or {})
    if overrides.get("provider") and overrides["provider"] != choice.provider:
        choice = VoiceChoice(overrides["provider"])
    settings = {**choice.settings, **(overrides.get("settings") or {})}
    return VoiceChoice(overrides.get("provider") or choice.provider, overrides.get("voice") or choice.voice,
                       overrides.get("model") or choice.model, settings)


def _provider_voice(profile: Profile, choice: VoiceChoice) -> str:
    """A cloned voice is stored in the profile; turn its id into what the provider expects."""
    if not choice.voice.startswith("voice_"):
        return choice.voice
    record = get_voice(profile, choice.voice)
    if record["provider"] != choice.provider:
        raise NotFoundError(f"{choice.provider} voice", choice.voice, profile.name)
    return record["provider_voice"]


WORDS_PER_SECOND = 3.0
"""A brisk advertising read (180 words a minute; Piper's Joe speaks about that fast): script length → seconds."""
CACHED_LABEL = "Free — cached"


def speech_seconds(text: str, speed: float | None = None) -> float:
    """Roughly how long ``text`` takes to say (before it is synthesized); ``speed`` is a provider's rate factor."""
    words = len(text.split())
    rate = WORDS_PER_SECOND * (speed if isinstance(speed, (int, float)) and speed > 0 else 1.0)
    return round(words / rate, 1)


def estimate_for_profile(profile: Profile, text: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The cost of speaking ``text`` with the profile's voice: {"cost_usd": 0.02, "label": "$0.02", ...}.

    When exactly this voiceover (text, provider, model, voice, settings) is in the profile's cache it costs
    nothing: ``cached`` is True, ``cost_usd`` 0 and the label "Free — cached". Also gives ``characters``
    (billable), ``seconds`` (an estimate of the spoken length), and ``max_characters`` (the provider's
    request limit, or :data:`MAX_SCRIPT_CHARS` when that is lower or the provider has none) with
    ``too_long``. Nothing is synthesized or counted.
    """
    text = text.strip()  # the voiceover and production jobs speak the stripped script
    with profile.db.session():
        choice = resolve_choice(profile, overrides)
        provider = get_provider(choice.provider, profile)
        try:
            choice = complete_choice(choice, provider)
            cost = provider.estimate_cost(text, choice.model)
            limit = provider.max_text_chars(choice.model)
        finally:
            provider.close()
        cached = bool(text) and cache.contains(
            profile, cache.cache_key(choice.provider, choice.model, choice.voice, choice.settings, text))
    if cached:
        cost = 0.0
    limit = MAX_SCRIPT_CHARS if limit is None else min(limit, MAX_SCRIPT_CHARS)
    return {
        "provider": choice.provider, "model": choice.model, "voice": choice.voice, "cost_usd": cost,
        "label": CACHED_LABEL if cached else price_label(cost), "cached": cached,
        "characters": billable_characters(text), "seconds": speech_seconds(text, choice.settings.get("speed")),
        "max_characters": limit, "too_long": billable_characters(text) > limit,
    }


def check_script_length(profile: Profile, text: str, overrides: dict[str, Any] | None = None) -> None:
    """Raise ScriptTooLongError when ``text`` is over :data:`MAX_SCRIPT_CHARS` or the profile's voice (or
    ``overrides``) cannot read it in one request."""
    check_max_script_length(text)
    with profile.db.session():
        choice = resolve_choice(profile, overrides)
        provider = get_provider(choice.provider, profile)
    try:
        provider.check_text_length(text.strip(), complete_choice(choice, provider).model)
    finally:
        provider.close()


def synthesize_for_profile(
    profile: Profile,
    text: str,
    overrides: dict[str, Any] | None = None,
    *,
    provider: VoiceProvider | None = None,
    use_cache: bool = True,
    job_id: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> SynthesisResult:
    """Speak ``text`` with the profile's default voice (or ``overrides``); cached, quota-checked, costed.

    ``provider`` may be passed ready-made (e.g. with an injected engine); otherwise it is built for the profile.
    ``progress`` moves per piece of the script; once ``cancel`` is set the synthesis stops between pieces (or
    stops waiting for a network request) with CancelledError, and only the characters sent are charged.
    """
    check_max_script_length(text)  # before anything is looked up, reserved or spoken
    report = progress or (lambda message, fraction: None)
    # Settings, provider set-up and the cache lookup share one open of the profile's file (a hit then
    # costs ~3 ms instead of ~40 ms); the file is let go before any slow synthesis.
    with profile.db.session():
        choice = resolve_choice(profile, overrides)
        owned = provider is None
        provider = provider or get_provider(choice.provider, profile)
        choice = complete_choice(choice, provider)
        voice = _provider_voice(profile, choice)
        key = cache.cache_key(choice.provider, choice.model, choice.voice, choice.settings, text)
        hit = cache.lookup(profile, key) if use_cache else None
    try:
        if hit is not None:
            report("Voiceover taken from the cache", 1.0)
            return hit
        return _generate(profile, text, choice, voice, key, provider, job_id, report, cancel)
    finally:
        if owned:
            provider.close()


def _generate(profile: Profile, text: str, choice: VoiceChoice, voice: str, key: str, provider: VoiceProvider,
              job_id: str | None, report: ProgressCallback, cancel: threading.Event | None) -> SynthesisResult:
    provider.check_text_length(text, choice.model)  # before anything is reserved or sent
    provider.require_available()
    estimated = provider.estimate_cost(text, choice.model)
    reservation = None
    if estimated > 0:
        reservation = ledger.reserve(profile, choice.provider, choice.model, estimated, units=len(text),
                                     job_id=job_id, description=text[:80])
    speaking = f"Generating the voiceover with {provider.label}"
    report(speaking, 0.1)
    control = SynthesisControl(billable_characters(text), cancelled=cancel,
                               progress=scaled(report, 0.1, 0.85, f"{speaking}: "))
    try:
        with profile.temp_dir("tts") as scratch:
            result = provider.synthesize(text, voice, scratch / "speech.wav", choice.settings, model=choice.model,
                                         control=control)
            result.voice = choice.voice  # the profile's id for cloned voices, not the provider's
            if reservation is not None:
                over = ledger.settle(reservation, result.cost_usd)
                reservation = None
                if over:
                    report(f"{provider.label} billed ${result.cost_usd:.4f}, more than the ${estimated:.4f} estimated: "
                           f"profile {profile.name!r} is now ${over:.4f} over its monthly quota, so further paid "
                           "voiceovers are refused this month. Raise the quota or use a free voice.", 0.85)
            report("Saving the voiceover", 0.9)
            result = cache.store(profile, key, text, result)
    finally:
        if reservation is not None:
            _settle_unfinished(reservation, provider, choice.model, control)
    report("Voiceover ready", 1.0)
    return result


def _settle_unfinished(reservation: ledger.Reservation, provider: VoiceProvider, model: str,
                       control: SynthesisControl) -> None:
    """A synthesis stopped half way (cancelled, failed): charge the characters the provider was sent, if any,
    and give the rest of the reservation back."""
    if control.sent_characters <= 0:
        ledger.release(reservation)
        return
    ledger.settle(reservation, provider.cost_of_characters(control.sent_characters, model),
                  units=control.sent_characters)


def list_voices_for_profile(profile: Profile, provider: str) -> list[VoiceInfo]:
    """Every voice ``provider`` offers this profile: its own catalogue, then the profile's cloned voices.

    Cloned voices carry the profile's id (``voice_…``), which is what defaults and synthesis take.
    May use the network (Edge's catalogue, ElevenLabs' voices): call it off the UI's event loop.
    """
    with get_provider(provider, profile) as instance:
        records = list_cloned_voices(profile, provider) if CLONED in instance.voice_kinds else []
        own = instance.list_voices() if PRESET in instance.voice_kinds else []
    # A provider may list our clones among its voices too; show each voice once, under the profile's id.
    handles = {record["provider_voice_id"] for record in records}
    cloned = [VoiceInfo(r["id"], r["name"], r.get("language") or "", "", cloned=True) for r in records]
    return [v for v in own if v.id not in handles] + cloned


def get_prices(profile: Profile) -> dict[str, dict[str, float]]:
    """The profile's own prices per 1 000 characters, {provider: {model: USD}} (list prices apply elsewhere)."""
    return {p: dict(m) for p, m in (get_setting(profile, PRICES_SETTING) or {}).items()}


def set_price(profile: Profile, provider: str, model: str, price_per_1k_chars: Any) -> float:
    """Set what one model costs this profile per 1 000 characters (plans differ); refused with a reason, nothing
    stored, for an unknown provider or model and for anything that is not an amount ≥ 0."""
    instance = get_provider(provider, profile)
    try:
        instance.model_info(model)
    finally:
        instance.close()
    price = _parse_price(price_per_1k_chars)
    prices = get_prices(profile)
    prices.setdefault(provider, {})[model] = price
    set_setting(profile, PRICES_SETTING, prices)
    return price


def _parse_price(value: Any) -> float:
    """Dollars per 1 000 characters from a number or typed text ("$0.30"): NaN, infinities and yes/no refused."""
    return float(check_number(value, "A price", text=True, minimum=0, maximum=MAX_PRICE_PER_1K,
                              hint="Type dollars per 1 000 characters, e.g. 0.30 (0 for a free voice)."))
