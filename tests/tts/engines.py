"""Injected stand-ins for the heavy engines, speaking with real Piper audio so timings can be checked."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from editfactory.tts.piper_provider import BUNDLED_VOICE, PiperProvider, load_piper_voice
from editfactory.tts.piper_provider import bundled_model_path


def piper_audio_24k(text: str) -> np.ndarray:
    voice = load_piper_voice(bundled_model_path())
    audio = np.concatenate([c.audio_float_array for c in voice.synthesize(text)])
    positions = np.arange(0, len(audio), 22050 / 24000)
    return np.interp(positions, np.arange(len(audio)), audio).astype(np.float32)


class FakeXTTS:
    """Has the ``tts(...)`` method of ``TTS.api.TTS``; returns a list of floats at 24 kHz."""

    def __init__(self):
        self.calls = []

    def tts(self, text, speaker=None, language=None, speaker_wav=None, speed=1.0, split_sentences=True, **kwargs):
        self.calls.append({"text": text, "speaker": speaker, "speaker_wav": speaker_wav, "language": language,
                           "speed": speed, "split_sentences": split_sentences, **kwargs})
        return piper_audio_24k(text).tolist()


@dataclass
class Token:
    text: str
    whitespace: str
    start_ts: float | None
    end_ts: float | None


@dataclass
class Result:
    graphemes: str
    phonemes: str
    tokens: list
    audio: np.ndarray


class FakeKokoroPipeline:
    """Callable like ``kokoro.KPipeline``: yields results with audio and, for English, timed tokens."""

    def __init__(self, lang_code: str):
        self.lang_code, self.calls = lang_code, []

    def __call__(self, text, voice=None, speed=1.0, split_pattern=r"\n+"):
        self.calls.append({"text": text, "voice": voice, "speed": speed})
        for paragraph in [p for p in text.split("\n") if p.strip()]:
            audio = piper_audio_24k(paragraph)
            tokens = []
            if self.lang_code in "ab":
                timed = PiperProvider().synthesize(paragraph, BUNDLED_VOICE, _scratch())
                scale = 1.0  # same speech, same clock
                for word in timed.words:
                    bare = word.word.strip(".,!?;:")
                    tokens.append(Token(bare, " ", word.start * scale, word.end * scale))
                    if word.word != bare:
                        tokens.append(Token(word.word[len(bare):], " ", None, None))
            yield Result(paragraph, "", tokens, audio)


def _scratch():
    import tempfile
    from pathlib import Path

    return Path(tempfile.mkdtemp()) / "k.wav"
