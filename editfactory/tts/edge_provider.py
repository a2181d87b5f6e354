"""Edge TTS: Microsoft's free read-aloud voices, with rate/volume/pitch and word boundaries.

The service's endpoint breaks every few months (403s until edge-tts is
updated), so failures are retried a few times with backoff and then reported
with what to do. The chunk stream is injectable (``stream``) so tests can feed
real-shaped chunks without the network.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import param

from editfactory.core.errors import CancelledError
from editfactory.tts.audio import audio_duration, decode_mono
from editfactory.tts.base import (
    Availability,
    ModelInfo,
    SynthesisResult,
    VoiceInfo,
    VoiceProvider,
    VoiceSettings,
    WordTiming,
    billable_characters,
)
from editfactory.tts.control import control_or_default
from editfactory.tts.errors import VoiceError, VoiceServiceError
from editfactory.tts.network import unreachable_reason
from editfactory.tts.timing import estimate_word_timings, make_monotonic, words_from_spoken_events
from editfactory.tts.words import split_words

logger = logging.getLogger(__name__)

VOICE_LIST_TIMEOUT = 15.0
"""Seconds to wait for Edge's voice catalogue before offering the common voices."""
TICKS_PER_SECOND = 10_000_000  # WordBoundary offsets and durations are in 100-ns units
SERVICE_ADDRESS = ("speech.platform.bing.com", 443)  # where edge-tts opens its websocket
StreamFactory = Callable[..., Iterable[dict[str, Any]]]

COMMON_VOICES = [
    VoiceInfo("en-US-AriaNeural", "Aria", "en-US", "female"),
    VoiceInfo("en-US-GuyNeural", "Guy", "en-US", "male"),
    VoiceInfo("en-US-JennyNeural", "Jenny", "en-US", "female"),
    VoiceInfo("en-GB-SoniaNeural", "Sonia", "en-GB", "female"),
    VoiceInfo("de-DE-KatjaNeural", "Katja", "de-DE", "female"),
    VoiceInfo("fr-FR-DeniseNeural", "Denise", "fr-FR", "female"),
    VoiceInfo("es-ES-AlvaroNeural", "Alvaro", "es-ES", "male"),
    VoiceInfo("ro-RO-AlinaNeural", "Alina", "ro-RO", "female"),
]


class EdgeSettings(VoiceSettings):
    rate = param.Integer(0, bounds=(-50, 100), doc="Speaking rate change in percent (+20 is 20% faster).")
    volume = param.Integer(0, bounds=(-50, 50), doc="Volume change in percent.")
    pitch = param.Integer(0, bounds=(-50, 50), doc="Pitch change in hertz.")


def _signed(value: int, unit: str) -> str:
    return f"{'+' if value >= 0 else '-'}{abs(value)}{unit}"


def real_stream(text: str, voice: str, *, rate: str, volume: str, pitch: str) -> Iterable[dict[str, Any]]:
    import edge_tts

    communicate = edge_tts.Communicate(text, voice, rate=rate, volume=volume, pitch=pitch, boundary="WordBoundary")
    return communicate.stream_sync()


def backoff_sleep(seconds: float) -> None:
    """The wait between attempts (its own name, so tests can record the waits without stopping every sleep)."""
    time.sleep(seconds)


def run_coroutine(factory: Callable[[], Awaitable[Any]], *, timeout: float) -> Any:
    """Await ``factory()`` from synchronous code, whether or not an event loop is running in this thread."""

    async def bounded() -> Any:
        return await asyncio.wait_for(factory(), timeout)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(bounded())
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="edge-tts")
    try:
        return pool.submit(asyncio.run, bounded()).result(timeout=timeout + 5)
    finally:
        pool.shutdown(wait=False)


def _is_retryable(error: BaseException) -> tuple[bool, str]:
    """(retry?, human description) for failures of the Edge endpoint."""
    try:
        import aiohttp
        from edge_tts import exceptions as edge_errors
    except ImportError:  # pragma: no cover - edge-tts is a core dependency
        return False, type(error).__name__
    if isinstance(error, aiohttp.ClientResponseError):
        if error.status == 403:
            return True, "the service refused the connection (HTTP 403)"
        return error.status >= 500 or error.status == 429, f"HTTP {error.status}"
    if isinstance(error, (aiohttp.ClientConnectionError, TimeoutError, OSError)):
        return True, "the network connection failed"
    if isinstance(error, (edge_errors.NoAudioReceived, edge_errors.WebSocketError, edge_errors.UnexpectedResponse)):
        return True, f"the service sent an unusable answer ({type(error).__name__})"
    if isinstance(error, edge_errors.EdgeTTSException):
        return False, f"the service sent an unknown answer ({type(error).__name__})"
    return False, type(error).__name__


class EdgeProvider(VoiceProvider):
    name = "edge"
    label = "Edge TTS (free, online)"
    settings_class = EdgeSettings
    default_model = "edge"
    default_voice = "en-US-AriaNeural"
    unknown_voice_hint = " (offline only a few common Edge voices can be checked; connect to the internet and try again)"

    def __init__(self, *, prices: dict[str, float] | None = None, stream: StreamFactory | None = None,
                 attempts: int = 3, backoff: float = 1.0, service_address: tuple[str, int] | None = None) -> None:
        super().__init__(prices=prices)
        self.stream = stream or real_stream
        self.attempts = attempts
        self.backoff = backoff
        self.service_address = service_address or SERVICE_ADDRESS

    def availability(self) -> Availability:
        try:
            import edge_tts  # noqa: F401
        except ImportError:
            return Availability(False, "the edge-tts package is not installed; run `pip install edge-tts`.")
        if self.stream is real_stream:  # an injected stream needs no network
            problem = unreachable_reason(*self.service_address)
            if problem:
                return Availability(False, problem)
        return Availability(True, "needs an internet connection")

    def list_voices(self) -> list[VoiceInfo]:
        """The whole catalogue when online, else a few common voices so the picker is never empty.

        Works from inside a running event loop too (a notebook cell, a Panel callback): the catalogue is then
        fetched on a thread of its own, since ``asyncio.run`` refuses to start a loop inside another.
        """
        if self.stream is not real_stream:
            return list(COMMON_VOICES)
        import edge_tts

        try:
            catalogue = run_coroutine(edge_tts.list_voices, timeout=VOICE_LIST_TIMEOUT)
        except Exception as error:  # offline, blocked or changed endpoint: the common voices still work
            logger.info("Edge TTS voice list unavailable (%s); offering the common voices.", type(error).__name__)
            return list(COMMON_VOICES)
        return [VoiceInfo(v["ShortName"], v.get("FriendlyName", v["ShortName"]), v.get("Locale", ""),
                          v.get("Gender", "").lower()) for v in catalogue]

    def _base_models(self) -> list[ModelInfo]:
        return [ModelInfo("edge", "Edge neural voices", 0.0, notes="Free; needs the internet.")]

    def _collect(self, text: str, voice: str, options: EdgeSettings) -> tuple[bytes, list[dict[str, Any]]]:
        last = ""
        for attempt in range(1, self.attempts + 1):
            audio, boundaries = bytearray(), []
            try:
                for chunk in self.stream(text, voice, rate=_signed(options.rate, "%"),
                                         volume=_signed(options.volume, "%"), pitch=_signed(options.pitch, "Hz")):
                    if chunk["type"] == "audio":
                        audio.extend(chunk["data"])
                    elif chunk["type"] == "WordBoundary":
                        boundaries.append(chunk)
                if not audio:
                    raise VoiceServiceError("Edge TTS sent no audio.", retryable=True)
                return bytes(audio), boundaries
            except VoiceServiceError as error:
                last = str(error)
            except Exception as error:
                retry, last = _is_retryable(error)
                if not retry:
                    raise VoiceServiceError(f"Edge TTS failed: {last}. Check the voice name, or use Piper.") from None
            if attempt < self.attempts:
                backoff_sleep(self.backoff * 2 ** (attempt - 1))
        raise VoiceServiceError(
            f"Edge TTS failed {self.attempts} times: {last}. Microsoft changes this free endpoint from time to time; "
            "update edge-tts (`pip install -U edge-tts`), try again later, or use Piper (offline).", retryable=True)

    def synthesize(self, text, voice, out_path, settings=None, *, model=None, control=None) -> SynthesisResult:
        options = self.make_settings(settings)
        if not text.strip():
            raise VoiceError("There is no text to speak; type a script first.")
        voice = voice or self.default_voice
        control = control_or_default(control, text)
        control.sending(billable_characters(text))
        try:  # one streamed request: a cancel stops waiting for it at once
            audio, boundaries = control.wait_for(lambda: self._collect(text, voice, options))
        except CancelledError:
            raise
        except BaseException:
            control.not_sent(billable_characters(text))
            raise
        control.done(billable_characters(text))
        out_path = Path(out_path).with_suffix(".mp3")
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_bytes(audio)
        duration = audio_duration(out_path)
        exact = bool(boundaries)
        if exact:
            words = _words_from_boundaries(text, boundaries)
        else:  # an edge-tts that ignores boundary="WordBoundary" (older than 7.2) sends none: estimate from the audio
            words = estimate_word_timings(split_words(text), decode_mono(out_path, 16000), 16000)
        return SynthesisResult(audio_path=out_path, duration=duration, words=make_monotonic(words, duration),
                               timings_exact=exact, cost_usd=self.estimate_cost(text, model), provider=self.name, model=self.default_model,
                               voice=voice, settings=options.to_dict())


def _words_from_boundaries(text: str, boundaries: list[dict[str, Any]]) -> list[WordTiming]:
    events = [(b["text"], b["offset"] / TICKS_PER_SECOND, (b["offset"] + b["duration"]) / TICKS_PER_SECOND)
              for b in boundaries]
    return words_from_spoken_events(text, events)
