"""XTTS and Kokoro with injected engines, and fast, clear failures when they are not installed."""

from __future__ import annotations

import pytest

from editfactory.tts.errors import VoiceError, VoiceUnavailableError
from editfactory.tts.kokoro_provider import KokoroProvider
from editfactory.tts.local_engines import split_sentences
from editfactory.tts.words import split_words
from editfactory.tts.xtts_provider import CHAR_LIMITS, XTTSProvider
from tests.tts.engines import FakeKokoroPipeline, FakeXTTS

LONG = ("Our new linen shirts breathe in the summer heat. They come in six colours, from sand to deep navy, "
        "and every one is cut for a relaxed fit that still looks sharp at dinner. Order before Friday!")


def check_timings(result, text):
    assert [w.word for w in result.words] == split_words(text)
    ends = [w.end for w in result.words]
    assert all(b.start >= a.end - 1e-9 for a, b in zip(result.words, result.words[1:]))
    assert result.duration - 0.8 < ends[-1] <= result.duration + 1e-6


def test_xtts_splits_by_language_limit_and_estimates_per_sentence(tmp_path, piper_speech):
    model = FakeXTTS()
    result = XTTSProvider(model=model).synthesize(LONG, str(piper_speech.audio_path), tmp_path / "x.wav",
                                                   {"language": "en", "speed": 1.1})
    assert len(model.calls) == 3 and all(len(c["text"]) <= CHAR_LIMITS["en"] for c in model.calls)
    assert model.calls[0]["speaker_wav"] == str(piper_speech.audio_path) and model.calls[0]["speed"] == 1.1
    assert not result.timings_exact
    check_timings(result, LONG)
    # "Order" starts the third sentence, after two sentence pauses: well into the clip.
    order = next(w for w in result.words if w.word == "Order")
    assert order.start > result.duration * 0.75


def test_xtts_japanese_limit_is_small():
    pieces = split_sentences("あ" * 200, CHAR_LIMITS["ja"])
    assert all(len(p) <= 71 for p in pieces) and "".join(pieces) == "あ" * 200


def test_xtts_builtin_speaker_and_clone_reference_length(tmp_path, piper_speech):
    model = FakeXTTS()
    provider = XTTSProvider(model=model)
    provider.synthesize("Hello there.", "Ana Florence", tmp_path / "a.wav")
    assert model.calls[0]["speaker"] == "Ana Florence"
    assert provider.clone_voice("me", [piper_speech.audio_path]) == str(piper_speech.audio_path)
    from tests.tts.conftest import lavfi

    short = lavfi(tmp_path / "short.wav", "sine=frequency=200", 3)
    with pytest.raises(VoiceError, match="at least 6 s"):
        provider.clone_voice("me", [short])
    assert "non-commercial" in XTTSProvider.licence_note


@pytest.mark.timeout(30)  # a download attempt would hang here; see test_availability.py for the loader checks
def test_xtts_missing_fails_fast_with_instructions(tmp_path, monkeypatch):
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "no-models"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    provider = XTTSProvider()
    status = provider.availability()
    assert not status.ok and ("not installed" in status.reason or "not downloaded" in status.reason)
    with pytest.raises(VoiceUnavailableError, match="XTTS"):
        provider.synthesize("Hello.", "", tmp_path / "x.wav")


def test_kokoro_english_uses_token_timestamps(tmp_path):
    pipelines = {}
    provider = KokoroProvider(pipeline_factory=lambda code: pipelines.setdefault(code, FakeKokoroPipeline(code)))
    text = "Light shoes for long walks.\nTry them today!"
    result = provider.synthesize(text, "af_heart", tmp_path / "k.wav", {"speed": 1.2})
    assert list(pipelines) == ["a"] and pipelines["a"].calls[0]["speed"] == 1.2
    assert result.timings_exact
    check_timings(result, text)


def test_kokoro_other_languages_are_estimated(tmp_path):
    provider = KokoroProvider(pipeline_factory=FakeKokoroPipeline)
    text = "Zapatos ligeros para caminar. ¡Pruébalos hoy!"
    result = provider.synthesize(text, "ef_dora", tmp_path / "k.wav")
    assert not result.timings_exact
    check_timings(result, text)
    with pytest.raises(VoiceError, match="no voice"):
        provider.synthesize(text, "xx_nobody", tmp_path / "k.wav")


@pytest.mark.timeout(30)
def test_kokoro_missing_fails_fast(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    provider = KokoroProvider()
    assert not provider.availability().ok
    with pytest.raises(VoiceUnavailableError, match="Kokoro"):
        provider.synthesize("Hello.", "af_heart", tmp_path / "k.wav")
    assert {v.language for v in provider.list_voices()} >= {"American English", "Spanish", "Japanese"}
