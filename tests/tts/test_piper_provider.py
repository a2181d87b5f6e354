"""Real Piper synthesis: audible audio and one monotonic timing per word, exact and estimated."""

from __future__ import annotations

import numpy as np
import pytest

from editfactory.tts.audio import read_wav, rms_dbfs
from editfactory.tts.errors import VoiceError
from editfactory.tts.piper_provider import PiperProvider
from editfactory.tts.words import split_words
from tests.tts.conftest import SPEECH_TEXT


def assert_good_timings(result, text):
    words = split_words(text)
    assert [w.word for w in result.words] == words
    previous_end = 0.0
    for timing in result.words:
        assert timing.start >= previous_end - 1e-9
        assert timing.end > timing.start  # every word of this text makes a sound
        previous_end = timing.end
    assert result.duration - 0.6 < result.words[-1].end <= result.duration + 1e-6


def test_real_synthesis_has_audible_audio_and_exact_word_timings(piper_speech):
    samples, rate = read_wav(piper_speech.audio_path)
    assert rate == 22050
    assert len(samples) / rate == pytest.approx(piper_speech.duration)
    assert rms_dbfs(samples) > -35
    assert piper_speech.timings_exact
    assert piper_speech.cost_usd == 0 and piper_speech.provider == "piper"
    assert_good_timings(piper_speech, SPEECH_TEXT)


def test_numbers_and_abbreviations_get_their_spoken_length(piper_speech):
    by_word = {w.word: w.end - w.start for w in piper_speech.words}
    # "$19.99" is read "nineteen dollars ninety-nine"-ish: far longer than the short word "It".
    assert by_word["$19.99"] > 3 * by_word["It"]
    assert by_word["Dr."] > by_word["It"]


def test_words_sit_on_speech_not_in_silence(piper_speech):
    samples, rate = read_wav(piper_speech.audio_path)
    for timing in piper_speech.words:
        middle = samples[int(timing.start * rate): int(timing.end * rate)]
        assert rms_dbfs(middle) > -40, timing


def test_estimated_timings_without_alignments_are_close_to_exact(tmp_path):
    # No random phoneme lengths, so both syntheses speak at exactly the same pace.
    steady = {"rhythm_variability": 0.0}
    exact = PiperProvider().synthesize(SPEECH_TEXT, "en_US-joe-medium", tmp_path / "a.wav", steady)
    result = PiperProvider(use_alignments=False).synthesize(SPEECH_TEXT, "en_US-joe-medium", tmp_path / "b.wav", steady)
    assert exact.timings_exact and not result.timings_exact
    assert_good_timings(result, SPEECH_TEXT)
    errors = [abs(a.start - b.start) for a, b in zip(result.words, exact.words)]
    assert np.median(errors) < 0.15


def test_speed_setting_changes_duration(tmp_path):
    provider = PiperProvider()
    slow = provider.synthesize("Fresh socks for every season.", "", tmp_path / "s.wav", {"speed": 0.7})
    fast = provider.synthesize("Fresh socks for every season.", "", tmp_path / "f.wav", {"speed": 1.5})
    assert slow.duration > fast.duration * 1.5
    assert slow.settings["speed"] == 0.7


def test_bad_settings_and_voice_are_clear_errors(tmp_path):
    provider = PiperProvider()
    with pytest.raises(VoiceError, match="Unknown PiperSettings option"):
        provider.synthesize("Hi.", "", tmp_path / "x.wav", {"pitchh": 3})
    with pytest.raises(VoiceError, match="Invalid voice setting"):
        provider.synthesize("Hi.", "", tmp_path / "x.wav", {"speed": 9})
    with pytest.raises(VoiceError, match="no voice 'nope'"):
        provider.synthesize("Hi.", "nope", tmp_path / "x.wav")
    with pytest.raises(VoiceError, match="no text"):
        provider.synthesize(" — ", "", tmp_path / "x.wav")


def test_missing_model_is_reported_as_unavailable(tmp_path):
    provider = PiperProvider(model_paths={"en_US-joe-medium": tmp_path / "gone.onnx"})
    status = provider.availability()
    assert not status.ok and "missing" in status.reason
    assert provider.list_voices() == []
    assert provider.estimate_cost("Hello there") == 0.0


LONG_SCRIPT = (
    "Meet the new travel mug. It keeps coffee hot for twelve hours. It fits every cup holder in every car. "
    "The lid locks with one hand and never leaks in a bag. "
    "Here is a sentence that runs on and on without a single full stop because people paste scripts like this "
    "one from a chat and the engine must still speak it in pieces small enough for the model to take at once "
    "and then some more words to make it long. Grab yours today!"
)


def test_a_long_script_is_spoken_in_pieces_joined_with_matching_timings(tmp_path, monkeypatch):
    # A 20 000-word script given to Piper at once asked onnxruntime for 230 GB. Pieces keep memory bounded.
    steady = {"variability": 0.0, "rhythm_variability": 0.0}  # no randomness: a piece speaks alike alone or joined
    provider = PiperProvider()
    provider.piece_chars = 120
    voice = provider._voice("")
    spoken: list[str] = []
    original = voice.synthesize

    def recording(text, **kwargs):
        spoken.append(text)
        return original(text, **kwargs)

    monkeypatch.setattr(voice, "synthesize", recording)
    joined = provider.synthesize(LONG_SCRIPT, "", tmp_path / "joined.wav", steady)
    monkeypatch.undo()

    assert len(spoken) >= 4 and max(len(text) for text in spoken) <= 120, [len(text) for text in spoken]
    assert " ".join(spoken).split() == LONG_SCRIPT.split()
    assert [w.word for w in joined.words] == split_words(LONG_SCRIPT)
    ends = [0.0] + [w.end for w in joined.words]
    assert all(w.start >= previous - 1e-9 and w.end >= w.start for w, previous in zip(joined.words, ends))
    assert joined.duration - 0.6 < joined.words[-1].end <= joined.duration + 1e-6
    samples, rate = read_wav(joined.audio_path)
    assert len(samples) / rate == pytest.approx(joined.duration)

    # Each piece spoken on its own gives the same audio and the same timings, shifted to where it sits in the file.
    pause = int(0.25 * rate)
    offset, expected_words = 0, []
    for index, text in enumerate(spoken):
        alone = PiperProvider().synthesize(text, "", tmp_path / f"piece-{index}.wav", steady)
        piece_samples, _ = read_wav(alone.audio_path)
        if index:
            assert np.abs(samples[offset:offset + pause]).max() == 0, "the pause between pieces is silent"
            offset += pause
        assert np.abs(samples[offset:offset + len(piece_samples)] - piece_samples).max() < 1e-3
        expected_words += [(w.word, w.start + offset / rate, w.end + offset / rate) for w in alone.words]
        offset += len(piece_samples)
    assert offset == len(samples)
    assert [(w.word, pytest.approx(w.start, abs=1e-3), pytest.approx(w.end, abs=1e-3)) for w in joined.words] == expected_words
