"""Kokoro (optional extra ``editfactory[kokoro]``): a small local model with preset voices in nine languages.

English pipelines give per-token timestamps, which become exact word timings;
other languages are estimated per sentence from the audio.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import param

from editfactory.tts.audio import write_wav
from editfactory.tts.base import (
    Availability,
    ModelInfo,
    SynthesisResult,
    VoiceInfo,
    VoiceProvider,
    VoiceSettings,
    billable_characters,
)
from editfactory.tts.control import control_or_default
from editfactory.tts.errors import VoiceError, VoiceUnavailableError
from editfactory.tts.local_engines import hf_model_cached, load_once, package_installed, to_float_array
from editfactory.tts.timing import estimate_word_timings, make_monotonic, words_from_spoken_events
from editfactory.tts.words import split_words

REPO_ID = "hexgrad/Kokoro-82M"
SAMPLE_RATE = 24000
MODEL_FILES = ("config.json", "kokoro-v1_0.pth")
DOWNLOAD_HINT = "run Kokoro once with internet access (HF_HUB_OFFLINE unset) to fetch it"
LANG_CODES = {"a": "American English", "b": "British English", "e": "Spanish", "f": "French", "h": "Hindi",
              "i": "Italian", "j": "Japanese", "p": "Brazilian Portuguese", "z": "Mandarin Chinese"}
VOICES = {
    "af_heart": ("Heart", "female"), "af_bella": ("Bella", "female"), "af_nicole": ("Nicole", "female"),
    "am_adam": ("Adam", "male"), "am_michael": ("Michael", "male"), "bf_emma": ("Emma", "female"),
    "bm_george": ("George", "male"), "ef_dora": ("Dora", "female"), "em_alex": ("Alex", "male"),
    "ff_siwis": ("Siwis", "female"), "hf_alpha": ("Alpha", "female"), "if_sara": ("Sara", "female"),
    "jf_alpha": ("Alpha", "female"), "pf_dora": ("Dora", "female"), "zf_xiaobei": ("Xiaobei", "female"),
}


class KokoroSettings(VoiceSettings):
    speed = param.Number(1.0, bounds=(0.5, 2.0), step=0.05, doc="Speaking speed; 1 is normal.")


def _load_pipeline(lang_code: str) -> Any:
    from kokoro import KPipeline

    return KPipeline(lang_code=lang_code, repo_id=REPO_ID)


class KokoroProvider(VoiceProvider):
    name = "kokoro"
    label = "Kokoro (local)"
    settings_class = KokoroSettings
    default_model = "kokoro-82m"
    default_voice = "af_heart"

    def __init__(self, *, prices: dict[str, float] | None = None, pipeline_factory: Any = None) -> None:
        super().__init__(prices=prices)
        self._pipeline_factory = pipeline_factory  # injected (tests): lang_code -> pipeline

    def availability(self) -> Availability:
        if self._pipeline_factory is not None:
            return Availability(True)
        if not package_installed("kokoro"):
            return Availability(False, "the optional Kokoro engine is not installed; run `pip install 'editfactory[kokoro]'` (pulls PyTorch).")
        if not hf_model_cached(REPO_ID, MODEL_FILES):
            return Availability(False, f"the Kokoro model ({REPO_ID}) is not downloaded; {DOWNLOAD_HINT}.")
        return Availability(True)

    def list_voices(self) -> list[VoiceInfo]:
        return [VoiceInfo(vid, name, LANG_CODES[vid[0]], gender) for vid, (name, gender) in VOICES.items()]

    def _base_models(self) -> list[ModelInfo]:
        return [ModelInfo("kokoro-82m", "Kokoro 82M", 0.0, tuple(LANG_CODES))]

    def pipeline(self, lang_code: str) -> Any:
        if self._pipeline_factory is not None:
            return self._pipeline_factory(lang_code)
        self.require_available()
        return load_once(f"kokoro:{lang_code}", lambda: _load_pipeline(lang_code), label=f"Kokoro ({LANG_CODES[lang_code]})",
                         fix=f"The model files may be incomplete; {DOWNLOAD_HINT}.")

    def _require_voice_file(self, voice: str) -> None:
        """Each preset voice is its own file, fetched on first use: offline, a missing one must fail here, clearly."""
        if self._pipeline_factory is None and not hf_model_cached(REPO_ID, (f"voices/{voice}.pt",)):
            raise VoiceUnavailableError(f"The Kokoro voice {voice} is not downloaded; {DOWNLOAD_HINT} with this voice, "
                                        "or pick a voice you have used before.")

    def synthesize(self, text, voice, out_path, settings=None, *, model=None, control=None) -> SynthesisResult:
        options = self.make_settings(settings)
        control = control_or_default(control, text)
        voice = voice or self.default_voice
        if voice[:1] not in LANG_CODES:
            raise VoiceError(f"Kokoro has no voice {voice!r}; voice names start with a language code, e.g. af_heart.")
        if not split_words(text):
            raise VoiceError("There is no text to speak; type a script first.")
        pipeline = self.pipeline(voice[0])
        self._require_voice_file(voice)
        pieces, events, estimated, offset = [], [], [], 0.0
        exact = True
        control.sending(billable_characters(text))  # a local engine: "sent" is what it was given
        for result in pipeline(text, voice=voice, speed=options.speed, split_pattern=r"\n+"):
            control.check()  # the pipeline speaks segment by segment: stop between them
            audio = to_float_array(result.audio)
            tokens = getattr(result, "tokens", None) or []
            timed = [t for t in tokens if getattr(t, "start_ts", None) is not None and getattr(t, "end_ts", None) is not None]
            if timed:
                events.extend((t.text, offset + t.start_ts, offset + t.end_ts) for t in timed)
            else:
                exact = False
                estimated.extend(estimate_word_timings(split_words(result.graphemes), audio, SAMPLE_RATE, offset=offset))
            pieces.append(audio)
            offset += len(audio) / SAMPLE_RATE
            control.done(len(str(getattr(result, "graphemes", "") or "")))
        if not pieces:
            raise VoiceError("Kokoro produced no audio for this text.")
        samples = np.concatenate(pieces)
        write_wav(out_path, samples, SAMPLE_RATE)
        duration = len(samples) / SAMPLE_RATE
        words = words_from_spoken_events(text, events) if exact else estimated
        if len(words) != len(split_words(text)):  # segments did not cover the text word for word
            words, exact = estimate_word_timings(split_words(text), samples, SAMPLE_RATE), False
        return SynthesisResult(audio_path=Path(out_path), duration=duration, words=make_monotonic(words, duration),
                               timings_exact=exact, cost_usd=self.estimate_cost(text, model), provider=self.name, model=self.default_model,
                               voice=voice, settings=options.to_dict())
