"""The Voices page's state: every provider with its availability, a provider's voices and settings, the
profile's default voice, prices, and the profile's cloned voices.

Availability checks and voice lists may touch the network (Edge, ElevenLabs), so the
UI runs ``read_*`` in a worker thread (``session.call``) and assigns the results here
on the event loop. Cloning is a durable job; a voice sample is synthesized off the loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import param

from editfactory.core.errors import ValidationError
from editfactory.jobs.kinds.voices import start_clone as start_clone_job
from editfactory.models.session import FAILED, StudioSession
from editfactory.services.uploads import AUDIO_SUFFIXES, discard_staged, stage_upload
from editfactory.costs.confirm import confirm_above, needs_confirmation
from editfactory.tts import estimate_for_profile, get_defaults, set_defaults, synthesize_for_profile
from editfactory.tts.base import VoiceSettings, price_label
from editfactory.tts.cloning import delete_voice, get_voice, list_cloned_voices, rename_voice, validate_sample
from editfactory.tts.registry import DEFAULT_PROVIDER, PROVIDERS, describe_providers, get_provider, provider_class
from editfactory.tts.service import list_voices_for_profile, set_price

PREVIEW_TEXT = "Hi! This is how I sound. Fresh arrivals are in the store today."


def price_text(price_per_1k: float, unit: str = "characters") -> str:
    """ "Free" or "$0.30 / 1 000 characters" (``unit``: the provider's pricing unit)."""
    return "Free" if price_per_1k <= 0 else f"{price_label(price_per_1k)} / 1 000 {unit}"


class VoicesModel(param.Parameterized):
    """Providers, voices, settings, defaults and cloned voices of the session's profile."""

    session = param.ClassSelector(class_=StudioSession)
    providers = param.List(default=[], doc="describe_providers() rows: availability, reason, licence note, models.")
    checking = param.Boolean(default=False, doc="True while providers' availability is being checked.")
    provider = param.Selector(default=DEFAULT_PROVIDER, objects=list(PROVIDERS),
                              doc="The provider whose voices are shown (any registered provider).")
    voices = param.List(default=[], doc="The shown provider's voices (cloned ones included) as dicts.")
    voices_error = param.String(default="", doc="Why the voice list could not be read (shown inline).")
    loading_voices = param.Boolean(default=False, doc="True while the voice list is being read.")
    voice = param.String(default="", doc="The voice picked in the list (default candidate).")
    model = param.String(default="", doc="The model picked for the shown provider.")
    settings = param.ClassSelector(class_=VoiceSettings, doc="The shown provider's settings (edited with pn.Param).")
    defaults = param.Dict(default={}, doc="The profile's saved default: provider, voice, model, settings.")
    cloned = param.List(default=[], doc="The profile's cloned voices (records of editfactory.tts.cloning).")
    preview_path = param.String(default="", doc="Audio file of the last voice sample played.")
    preview_voice = param.String(default="", doc="Which voice the last sample speaks.")

    def __init__(self, **params) -> None:
        super().__init__(**params)
        self.param.provider.objects = list(PROVIDERS)  # also providers registered after this module was imported
        self.settings = provider_class(self.provider).settings_class()

    # -- reading (safe in a worker thread: no params are set) ---------------------------

    def read_providers(self) -> list[dict[str, Any]]:
        return describe_providers(self.session.require_profile())

    def read_voices(self, provider: str) -> list[dict[str, Any]]:
        return [
            {"id": v.id, "name": v.name, "language": v.language, "gender": v.gender, "cloned": v.cloned}
            for v in list_voices_for_profile(self.session.require_profile(), provider)
        ]

    def read_defaults(self) -> dict[str, Any]:
        choice = get_defaults(self.session.require_profile())
        cls = provider_class(choice.provider)  # a fresh profile names no voice: show the one it really uses
        return {"provider": choice.provider, "voice": choice.voice or cls.default_voice,
                "model": choice.model or cls.default_model, "settings": choice.settings}

    def read_cloned(self) -> list[dict[str, Any]]:
        return list_cloned_voices(self.session.require_profile())

    # -- state on the event loop ----------------------------------------------------------

    def clear(self) -> None:
        """Forget everything of the previous profile (called first on a profile switch)."""
        self.param.update(providers=[], voices=[], voices_error="", defaults={}, cloned=[], voice="", model="",
                          preview_path="", preview_voice="")

    def provider_row(self, name: str | None = None) -> dict[str, Any] | None:
        name = name or self.provider
        return next((row for row in self.providers if row["name"] == name), None)

    def show_provider(self, name: str) -> None:
        """Show ``name``: its models, its settings (the saved defaults when it is the default provider)."""
        cls = provider_class(name)
        saved = self.defaults if self.defaults.get("provider") == name else {}
        try:
            settings = cls.settings_class.from_dict(saved.get("settings"))
        except Exception:  # noqa: BLE001 - settings saved by an older version: start from the provider's own
            settings = cls.settings_class()
        self.param.update(provider=name, settings=settings, voices=[], voices_error="",
                          model=saved.get("model") or cls.default_model, voice=saved.get("voice") or cls.default_voice)

    def apply_voices(self, voices: list[dict[str, Any]] | Any) -> None:
        if voices is FAILED:
            self.voices = []
            return
        self.voices = voices

    # -- actions (synchronous; the view runs slow ones with session.call) -------------------

    def save_defaults(self) -> dict[str, Any]:
        """Make the shown provider, picked voice, model and settings the profile's default."""
        if not self.voice:
            raise ValidationError("Pick a voice in the list first (click its row), then make it the default.")
        choice = set_defaults(self.session.require_profile(), self.provider, self.voice, self.model,
                              self.settings.to_dict())
        return {"provider": choice.provider, "voice": choice.voice, "model": choice.model, "settings": choice.settings}

    def save_price(self, model: str, value: Any) -> float:
        """The profile's price per 1 000 characters for one of the shown provider's models."""
        return set_price(self.session.require_profile(), self.provider, model, value)

    def _sample_voice(self, provider: str, voice: str) -> dict[str, Any]:
        overrides: dict[str, Any] = {"provider": provider, "voice": voice}
        if provider == self.provider:
            overrides["model"] = self.model
            overrides["settings"] = self.settings.to_dict()
        return overrides

    def sample_cost(self, provider: str, voice: str, text: str = PREVIEW_TEXT) -> tuple[str, str | None]:
        """What a sample of ``voice`` costs (its label, "Free — cached" when it was made before) and, when that is
        over the profile's confirmation amount, the question to ask first. Nothing is spent."""
        profile = self.session.require_profile()
        estimate = estimate_for_profile(profile, text, self._sample_voice(provider, voice))
        question = None
        if needs_confirmation(profile, float(estimate["cost_usd"] or 0.0)):
            question = (f"This voice sample costs {estimate['label']} ({estimate['provider']}, "
                        f"{estimate['characters']} characters), more than the {price_label(confirm_above(profile))} "
                        "this profile confirms above. Go ahead?")
        return estimate["label"], question

    def synthesize_sample(self, provider: str, voice: str, text: str = PREVIEW_TEXT) -> str:
        """A short sample of ``voice`` (cached like any synthesis; a paid voice is quota-checked). Slow: a thread."""
        result = synthesize_for_profile(self.session.require_profile(), text, self._sample_voice(provider, voice))
        return str(result.audio_path)

    def rename_cloned(self, voice_id: str, name: str) -> dict[str, Any]:
        return rename_voice(self.session.require_profile(), voice_id, name)

    def delete_cloned(self, voice_id: str) -> None:
        """Delete a cloned voice (at the provider too when its clones live there); a default that used it falls back
        to the provider's own voice."""
        profile = self.session.require_profile()
        record = get_voice(profile, voice_id)
        remote = provider_class(record["provider"]).clones_live_at_provider
        provider = get_provider(record["provider"], profile) if remote else None
        try:
            delete_voice(profile, voice_id, provider=provider)
        finally:
            if provider is not None:
                provider.close()
        current = get_defaults(profile)
        if current.voice == voice_id:
            set_defaults(profile, current.provider, "", current.model, current.settings)

    # -- cloning --------------------------------------------------------------------------

    def check_samples(self, files: dict[str, bytes]) -> tuple[list[Path], dict[str, str]]:
        """Stage uploaded samples and validate each; returns (usable paths, {file: reason} of the refused ones).

        Refused files are removed at once; nothing of them is kept.
        """
        profile = self.session.require_profile()
        if not files:
            raise ValidationError("Choose or record one or more voice samples first (6 s to 5 minutes of clear speech "
                                  "each).")
        usable: list[Path] = []
        refused: dict[str, str] = {}
        for filename, data in files.items():
            try:
                path = stage_upload(profile, filename, data, accept=AUDIO_SUFFIXES, max_bytes=MAX_SAMPLE_BYTES)
            except ValidationError as error:
                refused[filename] = str(error)
                continue
            check = validate_sample(path)
            if check.ok:
                usable.append(path)
            else:
                refused[filename] = check.reason
                discard_staged(profile, path)
        return usable, refused

    def start_clone(self, provider: str, name: str, samples: list[Path]) -> str:
        return start_clone_job(self.session.runner, self.session.require_profile(), provider, name, samples)


MAX_SAMPLE_BYTES = 50 * 1024**2
"""50 MB per voice sample: five minutes of 44.1 kHz stereo WAV."""

