"""The one interface every voice provider implements, and the plain records it returns."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import param

from editfactory.errors import ValidationError, check_number
from editfactory.tts.errors import ScriptTooLongError, VoiceError, VoiceUnavailableError


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


def price_label(cost_usd: float) -> str:
    """ "Free" for nothing, otherwise dollars with enough digits that a small script is not shown as $0.00."""
    if cost_usd <= 0:
        return "Free"
    if cost_usd < 0.01:
        return f"${cost_usd:.4f}".rstrip("0")
    return f"${cost_usd:.2f}"


def billable_characters(text: str) -> int:
    return len(text.strip())


class VoiceProvider(abc.ABC):
    """A text-to-speech engine. Subclasses set the class attributes and implement the abstract methods."""

    name: ClassVar[str]
    label: ClassVar[str]
    settings_class: ClassVar[type[VoiceSettings]] = VoiceSettings
    default_model: ClassVar[str] = ""
    default_voice: ClassVar[str] = ""
    supports_cloning: ClassVar[bool] = False
    is_paid: ClassVar[bool] = False
    licence_note: ClassVar[str | None] = None
    """Shown next to the provider wherever it can be chosen (e.g. non-commercial model weights)."""

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
        price = self.model_info(model).price_per_1k_chars
        return round(billable_characters(text) / 1000.0 * price, 6)

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
    ) -> SynthesisResult:
        """Write speech for ``text`` to ``out_path`` and return its word timings and cost."""

    def close(self) -> None:
        """Release network connections or other resources held by the provider."""

    def __enter__(self) -> VoiceProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def clone_voice(self, name: str, samples: list[Path]) -> str:
        """Create a voice from prepared samples; returns the id to pass as ``voice``."""
        raise VoiceError(f"{self.label} cannot clone voices; use ElevenLabs or Coqui XTTS v2 for cloning.")
