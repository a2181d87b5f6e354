"""Coqui XTTS v2 (optional extra ``editfactory[xtts]``, package coqui-tts): local voice cloning in 17 languages.

The weights are under the Coqui Public Model License (non-commercial): the
note is ``XTTSProvider.licence_note`` so the UI can show it wherever XTTS can be
chosen. The model is loaded once per process; if the package or the downloaded
model is missing we fail at once with what to do, instead of starting a
download inside a job.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import param

from editfactory.tts.audio import decode_mono, write_wav
from editfactory.tts.base import (
    CLONED,
    PRESET,
    Availability,
    ModelInfo,
    SynthesisResult,
    VoiceInfo,
    VoiceProvider,
    VoiceSettings,
)
from editfactory.tts.control import control_or_default
from editfactory.tts.errors import VoiceError, VoiceUnavailableError
from editfactory.tts.local_engines import load_once, package_installed, split_sentences, to_float_array
from editfactory.tts.timing import estimate_word_timings, make_monotonic
from editfactory.tts.words import split_words

MODEL_NAME = "tts_models/multilingual/multi-dataset/xtts_v2"
SAMPLE_RATE = 24000
MIN_REFERENCE_SECONDS = 6.0
# Per-language character limits of the XTTS tokenizer (longer input is cut off or garbled).
CHAR_LIMITS = {"en": 250, "de": 253, "fr": 273, "es": 239, "it": 213, "pt": 203, "pl": 224, "zh-cn": 82, "ar": 166,
               "cs": 186, "ru": 182, "nl": 251, "tr": 226, "ja": 71, "hu": 224, "ko": 95, "hi": 150}
LANGUAGES = tuple(CHAR_LIMITS)
DOWNLOAD_HINT = f"`tts --model_name {MODEL_NAME} --list_language_idxs`"
BUILTIN_SPEAKERS = ["Claribel Dervla", "Daisy Studious", "Ana Florence", "Andrew Chipper", "Damien Black", "Viktor Eka"]
LICENCE_NOTE = ("XTTS v2 weights are under the Coqui Public Model License: non-commercial use only. "
                "Do not use XTTS voiceovers in store videos without a commercial licence.")


class XTTSSettings(VoiceSettings):
    language = param.Selector(default="en", objects=list(LANGUAGES), doc="Language of the script (XTTS speaks 17).")
    speed = param.Number(1.0, bounds=(0.5, 2.0), step=0.05, doc="Speaking speed; 1 is normal.")
    temperature = param.Number(0.75, bounds=(0.05, 1.0), step=0.05, doc="Higher is more varied, lower is steadier.")
    sentence_pause = param.Number(0.2, bounds=(0.0, 2.0), step=0.05, doc="Seconds of silence between sentences.")


def model_folder() -> Path:
    """Where coqui-tts keeps downloaded models (TTS_HOME / XDG_DATA_HOME / ~/.local/share, then ``tts``)."""
    base = os.environ.get("TTS_HOME") or os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "tts" / MODEL_NAME.replace("/", "--")


def _load_real_model() -> Any:
    from TTS.api import TTS

    return TTS(MODEL_NAME)


class XTTSProvider(VoiceProvider):
    name = "xtts"
    label = "Coqui XTTS v2 (local, cloning)"
    settings_class = XTTSSettings
    default_model = "xtts_v2"
    default_voice = BUILTIN_SPEAKERS[0]
    supports_cloning = True
    voice_kinds = (PRESET, CLONED)
    clone_reference_limit = 1  # one reference audio: several samples are joined into one
    cloned_voice_is_file = True  # the reference audio in the profile's voices folder
    licence_note = LICENCE_NOTE

    def __init__(self, *, prices: dict[str, float] | None = None, model: Any = None) -> None:
        super().__init__(prices=prices)
        self._model = model  # injected engine (tests); otherwise the shared real model

    def availability(self) -> Availability:
        if self._model is not None:
            return Availability(True)
        if not package_installed("TTS"):
            return Availability(False, "the optional XTTS engine is not installed; run `pip install 'editfactory[xtts]'` "
                                       "(coqui-tts, pulls PyTorch, ~2 GB).")
        folder = model_folder()
        if not (folder / "model.pth").is_file() or not (folder / "config.json").is_file():
            return Availability(False, f"the XTTS v2 model is not downloaded (looked in {folder}); run {DOWNLOAD_HINT} "
                                       "once with internet access and accept the licence.")
        return Availability(True)

    def list_voices(self) -> list[VoiceInfo]:
        return [VoiceInfo(name, name, "multilingual", "") for name in BUILTIN_SPEAKERS]

    def _base_models(self) -> list[ModelInfo]:
        return [ModelInfo("xtts_v2", "XTTS v2", 0.0, LANGUAGES, notes=LICENCE_NOTE)]

    def engine(self) -> Any:
        if self._model is not None:
            return self._model
        self.require_available()
        return load_once(MODEL_NAME, _load_real_model, label="The XTTS v2 model",
                         fix=f"Download it again (delete {model_folder()} and run {DOWNLOAD_HINT} with internet access).")

    def synthesize(self, text, voice, out_path, settings=None, *, model=None, control=None) -> SynthesisResult:
        options = self.make_settings(settings)
        control = control_or_default(control, text)
        if not split_words(text):
            raise VoiceError("There is no text to speak; type a script first.")
        engine = self.engine()
        voice = voice or self.default_voice
        speaker: dict[str, Any]
        if Path(voice).suffix.lower() in (".wav", ".mp3", ".flac", ".ogg", ".m4a"):
            if not Path(voice).is_file():
                raise VoiceError(f"The reference sample of this cloned voice is missing ({Path(voice).name}); clone it again.")
            speaker = {"speaker_wav": str(voice)}
        else:
            speaker = {"speaker": voice}
        pause = np.zeros(int(options.sentence_pause * SAMPLE_RATE), dtype=np.float32)
        pieces, words, offset = [], [], 0.0
        for sentence in split_sentences(text, CHAR_LIMITS[options.language]):
            control.sending(len(sentence))  # stops here, between sentences, once a cancel was asked
            audio = to_float_array(engine.tts(text=sentence, language=options.language, speed=options.speed,
                                              temperature=options.temperature, split_sentences=False, **speaker))
            if pieces:
                pieces.append(pause)
                offset += len(pause) / SAMPLE_RATE
            # Each sentence is its own piece of audio, so the sentence boundaries are exact.
            words.extend(estimate_word_timings(split_words(sentence), audio, SAMPLE_RATE, offset=offset))
            pieces.append(audio)
            offset += len(audio) / SAMPLE_RATE
            control.done(len(sentence))
        samples = np.concatenate(pieces)
        write_wav(out_path, samples, SAMPLE_RATE)
        duration = len(samples) / SAMPLE_RATE
        return SynthesisResult(audio_path=Path(out_path), duration=duration, words=make_monotonic(words, duration),
                               timings_exact=False, cost_usd=self.estimate_cost(text, model), provider=self.name, model=self.default_model,
                               voice=voice, settings=options.to_dict())

    def clone_voice(self, name: str, samples: list[Path]) -> str:
        """XTTS clones at synthesis time from reference audio: check it is long enough and return its path."""
        if not samples:
            raise VoiceError("Add at least one voice sample to clone a voice.")
        reference = Path(samples[0])
        seconds = len(decode_mono(reference, 16000)) / 16000.0
        if seconds < MIN_REFERENCE_SECONDS:
            raise VoiceError(f"XTTS needs at least {MIN_REFERENCE_SECONDS:.0f} s of reference speech; this sample has "
                             f"{seconds:.1f} s. Record a longer sample.")
        return str(reference)


__all__ = ["XTTSProvider", "XTTSSettings", "VoiceUnavailableError", "LICENCE_NOTE", "model_folder"]
