"""Edge TTS with an injected stream of real-shaped chunks (MP3 audio + WordBoundary in 100-ns units)."""

from __future__ import annotations

import aiohttp
import pytest
from edge_tts import exceptions as edge_errors

from editfactory.tts.edge_provider import EdgeProvider
from editfactory.tts.errors import VoiceServiceError
from editfactory.tts.words import split_words

TEXT = "Fresh socks, only $5 — today!"


def chunks_for(mp3: bytes, words: list[tuple[str, float, float]]):
    """What edge_tts.Communicate(..., boundary="WordBoundary").stream_sync() yields."""
    size = 4096
    for index in range(0, len(mp3), size):
        yield {"type": "audio", "data": mp3[index: index + size]}
        if index // size < len(words):
            word, start, end = words[index // size]
            yield {"type": "WordBoundary", "offset": int(start * 1e7), "duration": int((end - start) * 1e7), "text": word}


# Edge strips punctuation and says "$5" as two boundaries ("$", "5").
SPOKEN = [("Fresh", 0.10, 0.45), ("socks", 0.50, 0.95), ("only", 1.20, 1.50), ("$", 1.55, 1.70),
          ("5", 1.70, 2.00), ("today", 2.40, 2.90)]


class Recorder:
    def __init__(self, mp3: bytes, failures: list[BaseException] = ()):
        self.mp3, self.failures, self.calls = mp3, list(failures), []

    def __call__(self, text, voice, *, rate, volume, pitch):
        self.calls.append({"text": text, "voice": voice, "rate": rate, "volume": volume, "pitch": pitch})
        if self.failures:
            failure = self.failures.pop(0)

            def broken():
                yield {"type": "audio", "data": self.mp3[:1000]}
                raise failure
            return broken()
        return chunks_for(self.mp3, SPOKEN)


def test_word_boundaries_become_caption_timings(speech_mp3, tmp_path):
    stream = Recorder(speech_mp3.read_bytes())
    result = EdgeProvider(stream=stream).synthesize(TEXT, "en-GB-SoniaNeural", tmp_path / "o.wav",
                                                    {"rate": 10, "volume": -5, "pitch": 2})
    assert stream.calls == [{"text": TEXT, "voice": "en-GB-SoniaNeural", "rate": "+10%", "volume": "-5%", "pitch": "+2Hz"}]
    assert result.audio_path.suffix == ".mp3" and result.audio_path.read_bytes() == speech_mp3.read_bytes()
    assert result.timings_exact and result.cost_usd == 0
    assert [(w.word, w.start, w.end) for w in result.words] == [
        ("Fresh", 0.10, 0.45), ("socks,", 0.50, 0.95), ("only", 1.20, 1.50), ("$5 —", 1.55, 2.00), ("today!", 2.40, 2.90)]
    assert [w.word for w in result.words] == split_words(TEXT)


def test_403_is_retried_then_succeeds(speech_mp3, tmp_path):
    forbidden = aiohttp.ClientResponseError(None, (), status=403, message="Forbidden")
    stream = Recorder(speech_mp3.read_bytes(), [forbidden, edge_errors.NoAudioReceived("none")])
    result = EdgeProvider(stream=stream, backoff=0.01).synthesize(TEXT, "", tmp_path / "o.mp3")
    assert len(stream.calls) == 3 and len(result.words) == 5


def test_persistent_failure_says_what_to_do(speech_mp3, tmp_path):
    forbidden = aiohttp.ClientResponseError(None, (), status=403, message="Forbidden")
    stream = Recorder(speech_mp3.read_bytes(), [forbidden] * 3)
    with pytest.raises(VoiceServiceError, match=r"failed 3 times: the service refused the connection \(HTTP 403\).*pip install -U edge-tts") as caught:
        EdgeProvider(stream=stream, backoff=0.01).synthesize(TEXT, "", tmp_path / "o.mp3")
    assert caught.value.retryable


def test_network_error_retried_unknown_answer_not(speech_mp3, tmp_path):
    stream = Recorder(speech_mp3.read_bytes(), [aiohttp.ClientConnectionError("down")] * 3)
    with pytest.raises(VoiceServiceError, match="network connection failed"):
        EdgeProvider(stream=stream, backoff=0.01).synthesize(TEXT, "", tmp_path / "o.mp3")
    stream = Recorder(speech_mp3.read_bytes(), [edge_errors.UnknownResponse("?")])
    with pytest.raises(VoiceServiceError, match="unknown answer"):
        EdgeProvider(stream=stream, backoff=0.01).synthesize(TEXT, "", tmp_path / "o.mp3")
    assert len(stream.calls) == 1


def test_403_retry_backs_off_and_keeps_no_partial_audio(speech_mp3, tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr("editfactory.tts.edge_provider.backoff_sleep", waits.append)
    forbidden = aiohttp.ClientResponseError(None, (), status=403, message="Forbidden")
    stream = Recorder(speech_mp3.read_bytes(), [forbidden, forbidden])
    result = EdgeProvider(stream=stream, backoff=0.5).synthesize(TEXT, "", tmp_path / "o.mp3")
    assert waits == [0.5, 1.0]  # exponential backoff between the three attempts, none after success
    assert result.audio_path.read_bytes() == speech_mp3.read_bytes()  # the broken attempts' bytes are dropped


def test_client_errors_other_than_403_are_not_retried(speech_mp3, tmp_path):
    bad_request = aiohttp.ClientResponseError(None, (), status=400, message="Bad Request")
    stream = Recorder(speech_mp3.read_bytes(), [bad_request])
    with pytest.raises(VoiceServiceError, match=r"Edge TTS failed: HTTP 400\. Check the voice name") as caught:
        EdgeProvider(stream=stream, backoff=0.01).synthesize(TEXT, "en-XX-Nobody", tmp_path / "o.mp3")
    assert len(stream.calls) == 1 and not caught.value.retryable


def test_no_audio_at_all_is_retried_then_explained(tmp_path):
    calls = []

    def silent(text, voice, **options):
        calls.append(text)
        return iter([{"type": "WordBoundary", "offset": 0, "duration": 10, "text": "Fresh"}])

    with pytest.raises(VoiceServiceError, match="failed 2 times: Edge TTS sent no audio"):
        EdgeProvider(stream=silent, attempts=2, backoff=0.0).synthesize(TEXT, "", tmp_path / "o.mp3")
    assert len(calls) == 2


def test_without_word_boundaries_timings_are_estimated_from_the_audio(speech_mp3, tmp_path, piper_speech):
    """An edge-tts older than 7.2 ignores boundary="WordBoundary" and sends none."""
    mp3 = speech_mp3.read_bytes()
    audio_only = lambda text, voice, **options: ({"type": "audio", "data": mp3[i:i + 4096]} for i in range(0, len(mp3), 4096))
    from tests.tts.conftest import SPEECH_TEXT

    result = EdgeProvider(stream=audio_only).synthesize(SPEECH_TEXT, "", tmp_path / "o.mp3")
    assert not result.timings_exact
    assert [w.word for w in result.words] == split_words(SPEECH_TEXT)
    assert result.words[-1].end > result.duration - 1.0 and result.words[0].end < result.duration / 4
    # Estimated from where the speech is, so roughly where Piper's exact timings put the words.
    errors = sorted(abs(a.start - b.start) for a, b in zip(result.words, piper_speech.words))
    assert errors[len(errors) // 2] < 0.5


@pytest.fixture
def edge_voices(monkeypatch):
    import edge_tts.voices

    from tests.fakes.edge_server import FakeEdgeVoices

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with FakeEdgeVoices() as server:
        monkeypatch.setattr(edge_tts.voices, "VOICE_LIST", server.voice_list_url)
        yield server


def test_voice_catalogue_is_fetched_outside_an_event_loop(edge_voices):
    voices = EdgeProvider().list_voices()
    assert [v.id for v in voices] == ["ro-RO-EmilNeural", "en-US-AvaNeural"]
    assert (voices[0].language, voices[0].gender) == ("ro-RO", "male")


def test_voice_catalogue_is_fetched_inside_a_running_event_loop(edge_voices):
    # Jupyter cells and Panel callbacks run inside an event loop, where asyncio.run refuses to start another:
    # the provider used to swallow that and offer only its short fallback list.
    import asyncio

    async def notebook_cell():
        return EdgeProvider().list_voices()

    voices = asyncio.run(notebook_cell())
    assert [v.id for v in voices] == ["ro-RO-EmilNeural", "en-US-AvaNeural"]
    assert len(edge_voices.requests) == 1


def test_unreachable_catalogue_falls_back_to_common_voices(edge_voices, monkeypatch):
    import edge_tts.voices

    monkeypatch.setattr(edge_tts.voices, "VOICE_LIST", edge_voices.voice_list_url.replace("/voices/list", "/gone"))
    voices = EdgeProvider().list_voices()
    assert "en-US-AriaNeural" in [v.id for v in voices] and len(edge_voices.requests) == 1
