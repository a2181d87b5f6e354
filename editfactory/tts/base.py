"""The one interface every voice provider implements, and the plain records it returns."""

from __future__ import annotations

import abc
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import param

from editfactory.core.errors import ValidationError, check_number
from editfactory.tts.control import SynthesisControl
from editfactory.tts.errors import ScriptTooLongError, VoiceError, VoiceUnavailableError

PRESET, CLONED = "preset", "cloned"
"""The kinds of voices a provider can offer: its own catalogue, and voices cloned in a profile from samples."""


@dataclass(frozen=True)
class Availability:
    """Whether a provider can be used right now, and if not, why (shown next to it in the UI)."""

    ok: bool
    reason: str = ""


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    language: str = ""
    gender: str = ""
    preview_url: str | None = None
    cloned: bool = False


@dataclass(frozen=True)
class ModelInfo:
    """One model a provider offers, with its price so the UI can show "$0.02" or "Free" next to it."""

    id: str
    label: str
    price_per_1k_chars: float = 0.0
    languages: tuple[str, ...] = ()
    max_chars: int | None = None
    notes: str = ""


@dataclass(frozen=True)
class WordTiming:
    word: str
    start: float
    end: float

    def to_list(self) -> list:
        return [self.word, round(self.start, 4), round(self.end, 4)]


@dataclass
class SynthesisResult:
    """What a synthesis produced: the audio, its word timings, and exactly how it was made."""

    audio_path: Path
    duration: float
    words: list[WordTiming]
    timings_exact: bool
    cost_usd: float
    provider: str
    model: str
    voice: str
    settings: dict[str, Any] = field(default_factory=dict)
    cached: bool = False
    made_for_usd: float | None = None
    """What making this audio cost when it was synthesized; ``cost_usd`` is what this call spent (0 for a cache hit)."""

    @property
    def voice_cost_usd(self) -> float:
        """What the voiceover cost, also when this call reused it from the cache (a clip shows this)."""
        return self.cost_usd if self.made_for_usd is None else self.made_for_usd

    @property
    def timings(self) -> list[tuple[str, float, float]]:
        return [(w.word, w.start, w.end) for w in self.words]


class VoiceSettings(param.Parameterized):
    """Base for a provider's options; the studio shows them with ``pn.Param``."""

    def to_dict(self) -> dict[str, Any]:
        return {name: value for name, value in self.param.values().items() if name != "name"}

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> VoiceSettings:
        values = dict(values or {})
        known = {name for name in cls.param if name != "name"}
        unknown = sorted(set(values) - known)
        if unknown:
            raise VoiceError(
                f"Unknown {cls.__name__} option(s): {', '.join(unknown)}. Valid options: {', '.join(sorted(known))}."
            )
        for name, value in values.items():
            # param takes True as the number 1 and says only "not <class 'float'>" for NaN in an Integer.
            if isinstance(cls.param[name], param.Number):
                try:  # the checked number: a Fraction or numpy float would not be stored as JSON
                    values[name] = check_number(value, f"The voice setting {name!r}",
                                                integer=isinstance(cls.param[name], param.Integer))
                except ValidationError as error:
                    raise VoiceError(str(error)) from None
        try:
            return cls(**values)
        except (ValueError, TypeError) as error:  # param refuses out-of-range values with a readable message
            raise VoiceError(f"Invalid voice setting: {error}") from error


@dataclass(frozen=True)
class ProviderSecret:
    """The API key a provider needs: where the profile keeps it, how the studio names it, how a pasted key is checked.

    The registry hands the stored key to the provider as ``option``; the Settings page shows one key field per
    provider that declares a secret. A provider whose keys look different subclasses this and overrides ``check``.
    """

    name: str
    """The key's name in the profile's secret store, e.g. ``"<provider>.api_key"``."""
    service: str
    """How messages name the service: "The <service> API key …"."""
    where: str
    """Where the user copies the key from, e.g. "the provider's site → Profile → API keys"."""
    option: str = "api_key"
    min_length: int = 20
    max_length: int = 200

    @property
    def label(self) -> str:
        return f"{self.service} API key"

    def check(self, key: str) -> str:
        """The key as it will be stored (surrounding blanks removed), or a ValidationError saying what is wrong.

        The message never repeats the key, so it is safe to show and to log.
        """
        if not isinstance(key, str):
            raise ValidationError(f"The {self.label} must be text.")
        key = key.strip()
        if not key.isascii() or not key.isprintable():
            raise ValidationError(f"The {self.label} may only contain plain letters, digits and symbols (no accents, "
                                  f"emoji or hidden characters); copy it again from {self.where}.")
        if any(c.isspace() for c in key):
            raise ValidationError(f"The {self.label} cannot contain spaces; copy it again in one piece.")
        if not self.min_length <= len(key) <= self.max_length:
            size = "short" if len(key) < self.min_length else "long"
            raise ValidationError(f"That is too {size} for the {self.label}; copy the whole key again from "
                                  f"{self.where}.")
        return key


def price_label(cost_usd: float) -> str:
    """ "Free" for nothing, otherwise dollars with enough digits that a small script is not shown as $0.00."""
    if cost_usd <= 0:
        return "Free"
    if cost_usd < 0.000001:
        return "under $0.000001"
    if cost_usd < 0.01:
        # Two significant digits: $0.0042, $0.00001 (a fixed 4 decimals read "$0." below $0.00005).
        decimals = 1 - math.floor(math.log10(cost_usd))
        return f"${cost_usd:.{decimals}f}".rstrip("0")
    return f"${cost_usd:.2f}"


def billable_characters(text: str) -> int:
    return len(text.strip())


class VoiceProvider(abc.ABC):
    """A text-to-speech engine. Subclasses set the class attributes and implement the abstract methods.

    The class attributes are the provider's description: the registry, the key store, cloning and every studio
    page read them (and loop over the registered providers), so no code outside a provider's module needs to
    know its name.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    """How every page names the provider."""
    pricing_unit: ClassVar[str] = "characters"
    """What a model's price is per 1 000 of (``ModelInfo.price_per_1k_chars``); shown next to every price."""
    secret: ClassVar[ProviderSecret | None] = None
    """The API key the provider needs (None: none); the Settings page shows a key field for it."""
    endpoint_option: ClassVar[str | None] = None
    """Constructor argument that takes the profile's endpoint ("tts.endpoints"), when the provider has one."""
    voice_kinds: ClassVar[tuple[str, ...]] = (PRESET,)
    """Which kinds of voices it offers: PRESET (its own catalogue) and/or CLONED (cloned in a profile)."""
    settings_class: ClassVar[type[VoiceSettings]] = VoiceSettings
    default_model: ClassVar[str] = ""
    default_voice: ClassVar[str] = ""
    supports_cloning: ClassVar[bool] = False
    is_paid: ClassVar[bool] = False
    licence_note: ClassVar[str | None] = None
    """Shown next to the provider wherever it can be chosen (e.g. non-commercial model weights)."""
    unknown_voice_hint: ClassVar[str] = ""
    """Added when a voice is not found, e.g. why the list may be incomplete (starts with a space)."""
    clone_reference_limit: ClassVar[int | None] = None
    """How many samples ``clone_voice`` takes (None: any number); more are joined into one reference."""
    cloned_voice_is_file: ClassVar[bool] = False
    """The cloned voice's handle is a file in the profile folder (stored relative to it), not a remote id."""
    clones_live_at_provider: ClassVar[bool] = False
    """Cloned voices are kept by the provider too: deleting one calls ``delete_voice`` there."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.supports_cloning and CLONED not in cls.voice_kinds:
            raise TypeError(f"{cls.__name__} can clone, so its voice_kinds must include {CLONED!r}.")

    def __init__(self, *, prices: dict[str, float] | None = None) -> None:
        self.prices = dict(prices or {})

    # -- what the provider offers ----------------------------------------------------

    @abc.abstractmethod
    def availability(self) -> Availability: ...

    @abc.abstractmethod
    def list_voices(self) -> list[VoiceInfo]: ...

    @abc.abstractmethod
    def _base_models(self) -> list[ModelInfo]: ...

    def models(self) -> list[ModelInfo]:
        """Models with prices, where the profile's own prices ("tts.prices") override the list prices."""
        result = []
        for model in self._base_models():
            price = self.prices.get(model.id, model.price_per_1k_chars)
            result.append(ModelInfo(model.id, model.label, float(price), model.languages, model.max_chars, model.notes))
        return result

    def model_info(self, model: str | None) -> ModelInfo:
        wanted = model or self.default_model
        for info in self.models():
            if info.id == wanted:
                return info
        known = ", ".join(m.id for m in self.models())
        raise VoiceError(f"{self.label} has no model {wanted!r}. Choose one of: {known}.")

    def estimate_cost(self, text: str, model: str | None = None) -> float:
        return self.cost_of_characters(billable_characters(text), model)

    def cost_of_characters(self, characters: int, model: str | None = None) -> float:
        """What ``characters`` cost with ``model``: a whole script, or the part sent before a cancel."""
        price = self.model_info(model).price_per_1k_chars
        return round(characters / 1000.0 * price, 6)

    def max_text_chars(self, model: str | None = None) -> int | None:
        """Most characters one synthesis may be given (the provider's request limit), or None for any length.

        Providers without a limit speak long scripts in pieces themselves (Piper in sentence groups).
        """
        return self.model_info(model).max_chars

    def check_text_length(self, text: str, model: str | None = None) -> None:
        """Refuse ``text`` when it is over the provider's limit: called before anything is reserved or sent."""
        limit = self.max_text_chars(model)
        length = billable_characters(text)
        if limit is not None and length > limit:
            raise ScriptTooLongError(
                f"{self.label} ({self.model_info(model).label}) reads at most {limit:,} characters at a time, and this "
                f"script has {length:,}. Shorten it or split it into several clips, or choose a voice without this "
                "limit (Piper speaks long scripts in pieces).", limit=limit, length=length)

    def require_available(self) -> None:
        status = self.availability()
        if not status.ok:
            raise VoiceUnavailableError(f"{self.label} is not available: {status.reason}")

    def make_settings(self, settings: VoiceSettings | dict[str, Any] | None) -> VoiceSettings:
        if isinstance(settings, self.settings_class):
            return settings
        if isinstance(settings, VoiceSettings):
            raise VoiceError(f"{type(settings).__name__} are not settings for {self.label}.")
        return self.settings_class.from_dict(settings)

    # -- work --------------------------------------------------------------------------

    @abc.abstractmethod
    def synthesize(
        self,
        text: str,
        voice: str,
        out_path: Path,
        settings: VoiceSettings | dict[str, Any] | None = None,
        *,
        model: str | None = None,
        control: SynthesisControl | None = None,
    ) -> SynthesisResult:
        """Write speech for ``text`` to ``out_path`` and return its word timings and cost.

        ``control`` follows the work piece by piece: ``control.sending(n)`` before a piece goes to the engine
        (it raises CancelledError once a cancel was asked), ``control.done(n)`` when it is spoken.
        """

    def close(self) -> None:
        """Release network connections or other resources held by the provider."""

    def __enter__(self) -> VoiceProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def clone_voice(self, name: str, samples: list[Path]) -> str:
        """Create a voice from prepared samples; returns the id to pass as ``voice``."""
        raise VoiceError(f"{self.label} cannot clone voices; choose a provider that can clone on the Voices page.")

    def delete_voice(self, voice_id: str) -> None:
        """Delete a cloned voice at the provider (only called when ``clones_live_at_provider``)."""
