"""ElevenLabs through the official SDK: models, voice settings, character timings, instant cloning, usage.

The API key is a profile secret; it is handed to the SDK and never logged or
put into an error message.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import param

from editfactory.core.errors import CancelledError
from editfactory.storage.secrets import api_key_problem
from editfactory.tts.audio import audio_duration, decode_mono, wav_writer
from editfactory.tts.base import (
    CLONED,
    PRESET,
    Availability,
    ModelInfo,
    ProviderSecret,
    SynthesisResult,
    VoiceInfo,
    VoiceProvider,
    VoiceSettings,
    WordTiming,
    billable_characters,
)
from editfactory.tts.control import SynthesisControl, control_or_default
from editfactory.tts.errors import VoiceError, VoiceServiceError, VoiceUnavailableError
from editfactory.tts.network import address_of, unreachable_reason
from editfactory.tts.timing import estimate_word_timings, make_monotonic
from editfactory.tts.words import split_for_synthesis, word_spans

API_KEY_SECRET = "elevenlabs.api_key"
DEFAULT_BASE_URL = "https://api.elevenlabs.io"


class ElevenLabsSettings(VoiceSettings):
    stability = param.Number(0.5, bounds=(0.0, 1.0), step=0.05, doc="Higher is steadier and more monotone; lower is more expressive but less predictable.")
    similarity_boost = param.Number(0.75, bounds=(0.0, 1.0), step=0.05, doc="How closely to stick to the original voice (similarity).")
    style = param.Number(0.0, bounds=(0.0, 1.0), step=0.05, doc="Style exaggeration; above 0 costs latency and can reduce stability.")
    use_speaker_boost = param.Boolean(True, doc="Boost similarity to the original speaker (slightly slower).")
    speed = param.Number(1.0, bounds=(0.7, 1.2), step=0.05, doc="Speaking speed; 1 is normal.")


JOIN_SAMPLE_RATE = 44_100  # the rate of the MP3s asked for (output_format)


class ElevenLabsProvider(VoiceProvider):
    name = "elevenlabs"
    label = "ElevenLabs"
    settings_class = ElevenLabsSettings
    default_model = "eleven_multilingual_v2"
    default_voice = "21m00Tcm4TlvDq8ikWAM"  # Rachel, a premade voice every account has
    supports_cloning = True
    voice_kinds = (PRESET, CLONED)
    clones_live_at_provider = True
    is_paid = True
    secret = ProviderSecret(API_KEY_SECRET, "ElevenLabs", "ElevenLabs → Profile → API keys")
    endpoint_option = "base_url"
    output_format = "mp3_44100_128"
    piece_chars = 1_000
    """A longer script goes as one request per sentence group of at most this many characters (about a minute of
    speech): a cancel then sends no more, and only what was sent is charged."""

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None,
                 prices: dict[str, float] | None = None, timeout: float = 60.0, max_retries: int = 2) -> None:
        super().__init__(prices=prices)
        self._api_key = api_key
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        self._client: Any = None

    def __repr__(self) -> str:  # never show the key
        return f"ElevenLabsProvider(base_url={self.base_url!r}, api_key={'set' if self._api_key else 'missing'})"

    def _local_availability(self) -> Availability:
        try:
            import elevenlabs  # noqa: F401
        except ImportError:
            return Availability(False, "the elevenlabs package is not installed; run `pip install elevenlabs`.")
        if not self._api_key:
            return Availability(False, "no API key: paste your ElevenLabs API key on the Settings page of this profile.")
        problem = api_key_problem(self._api_key)
        if problem:  # a key saved before keys were checked; the HTTP library's encoding error would carry it
            return Availability(False, f"the saved API key {problem}; paste the key again on the Settings page of "
                                       "this profile.")
        return Availability(True)

    def availability(self) -> Availability:
        status = self._local_availability()
        if not status.ok:
            return status
        problem = unreachable_reason(*address_of(self.base_url or DEFAULT_BASE_URL))
        return Availability(False, problem) if problem else status

    @property
    def client(self) -> Any:
        if self._client is None:
            # Package and key only: a network failure during a call is retried by the SDK and reported by _call.
            status = self._local_availability()
            if not status.ok:
                raise VoiceUnavailableError(f"{self.label} is not available: {status.reason}")
            import httpx
            from elevenlabs.client import ElevenLabs

            # Our own httpx client, so close() really closes the connections.
            self._http = httpx.Client(timeout=self.timeout, follow_redirects=True)
            options: dict[str, Any] = {"api_key": self._api_key, "timeout": self.timeout, "httpx_client": self._http}
            if self.base_url:
                options["base_url"] = self.base_url
            self._client = ElevenLabs(**options)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._http.close()
            self._client = None

    def _base_models(self) -> list[ModelInfo]:
        return [
            ModelInfo("eleven_multilingual_v2", "Multilingual v2 (best quality)", 0.10, max_chars=10_000),
            ModelInfo("eleven_flash_v2_5", "Flash v2.5 (fastest, half price)", 0.05, max_chars=40_000),
            ModelInfo("eleven_turbo_v2_5", "Turbo v2.5 (fast, half price)", 0.05, max_chars=40_000),
            ModelInfo("eleven_v3", "Eleven v3 (most expressive)", 0.10, max_chars=5_000),
        ]

    def _call(self, what: str, function, *args, **kwargs):
        """Run an SDK call and turn its failures into messages that say what to do."""
        from elevenlabs.core.api_error import ApiError

        options = {"max_retries": self.max_retries}
        try:
            return function(*args, request_options=options, **kwargs)
        except ApiError as error:
            raise _service_error(what, error.status_code, error.body) from None
        except Exception as error:
            import httpx

            if isinstance(error, (httpx.TransportError, OSError)):
                raise VoiceServiceError(
                    f"Could not reach ElevenLabs to {what} ({type(error).__name__}). Check the internet connection "
                    "and try again.", retryable=True) from None
            raise

    def list_voices(self) -> list[VoiceInfo]:
        response = self._call("list voices", self.client.voices.get_all)
        voices = []
        for voice in response.voices:
            labels = voice.labels or {}
            voices.append(VoiceInfo(
                id=voice.voice_id, name=voice.name or voice.voice_id, language=labels.get("language", ""),
                gender=labels.get("gender", ""), preview_url=voice.preview_url,
                cloned=str(voice.category or "") in ("cloned", "professional"),
            ))
        return voices

    def subscription(self) -> dict[str, Any]:
        """Characters used and allowed in the current ElevenLabs billing period."""
        sub = self._call("read the subscription", self.client.user.subscription.get)
        return {"tier": sub.tier, "character_count": sub.character_count, "character_limit": sub.character_limit,
                "characters_left": max(0, sub.character_limit - sub.character_count),
                "next_reset_unix": sub.next_character_count_reset_unix}

    def synthesize(self, text, voice, out_path, settings=None, *, model=None, control=None) -> SynthesisResult:
        """Speak ``text``; a script longer than ``piece_chars`` goes as one request per sentence group, so a cancel
        sends nothing more (and is charged only what was sent) and the progress moves per request."""
        options = self.make_settings(settings)
        info = self.model_info(model)
        text = text.strip()  # billed per character sent: send exactly what was estimated and reserved
        if not text:
            raise VoiceError("There is no text to speak; type a script first.")
        self.check_text_length(text, info.id)
        control = control_or_default(control, text)
        voice = voice or self.default_voice
        pieces = split_for_synthesis(text, self.piece_chars) if len(text) > self.piece_chars else [text]
        out_path = Path(out_path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        paths = [out_path.with_suffix(".mp3")] if len(pieces) == 1 else \
            [out_path.with_name(f"{out_path.stem}-{index}.mp3") for index in range(len(pieces))]
        spoken = [self._speak_piece(piece, voice, info.id, options, path, control) for piece, path in zip(pieces, paths)]
        characters = sum(piece.characters for piece in spoken)
        if len(spoken) == 1:
            audio_path, duration, words = spoken[0].path, spoken[0].duration, spoken[0].words
        else:
            audio_path, duration, words = _join_pieces(spoken, out_path.with_suffix(".wav"))
        return SynthesisResult(
            audio_path=audio_path, duration=duration, words=make_monotonic(words, duration),
            timings_exact=all(piece.exact for piece in spoken),
            cost_usd=self.cost_of_characters(characters, info.id), provider=self.name, model=info.id,
            voice=voice, settings=options.to_dict(),
        )

    def _speak_piece(self, text: str, voice: str, model: str, options: VoiceSettings, out_path: Path,
                     control: SynthesisControl) -> _Piece:
        """One request; a cancel stops waiting for it at once (its characters were sent, so they count)."""
        from elevenlabs import VoiceSettings as SdkVoiceSettings

        request = functools.partial(
            self._call, "synthesize speech", self.client.text_to_speech.with_raw_response.convert_with_timestamps,
            voice, text=text, model_id=model, output_format=self.output_format,
            voice_settings=SdkVoiceSettings(**options.to_dict()))
        control.sending(billable_characters(text))
        try:
            response = control.wait_for(request)
        except CancelledError:
            raise
        except BaseException:
            control.not_sent(billable_characters(text))  # refused or never arrived: nothing was spoken or billed
            raise
        data = response.data
        out_path.write_bytes(base64.b64decode(data.audio_base_64))
        duration = audio_duration(out_path)
        words, exact = _words_from_alignment(text, data.alignment)
        if words is None:
            samples = decode_mono(out_path, 16000)
            words, exact = estimate_word_timings([s.text for s in word_spans(text)], samples, 16000), False
        control.done(billable_characters(text))
        characters = _header_int(response.headers, "character-cost") or billable_characters(text)
        # Within the piece's own audio, so the next piece's words (shifted by this duration) come after them.
        return _Piece(out_path, duration, make_monotonic(words, duration), exact, characters)

    def clone_voice(self, name: str, samples: list[Path]) -> str:
        handles = [open(path, "rb") for path in samples]
        try:
            files = [(Path(p).name, h, "audio/wav") for p, h in zip(samples, handles)]
            result = self._call("clone the voice", self.client.voices.ivc.create, name=name, files=files)
        finally:
            for handle in handles:
                handle.close()
        return result.voice_id

    def delete_voice(self, voice_id: str) -> None:
        self._call("delete the voice", self.client.voices.delete, voice_id)


@dataclass(frozen=True)
class _Piece:
    """One request's audio and word timings (from 0), and the characters it was billed."""

    path: Path
    duration: float
    words: list[WordTiming]
    exact: bool
    characters: int


def _join_pieces(pieces: list[_Piece], target: Path) -> tuple[Path, float, list[WordTiming]]:
    """The pieces' audio one after the other in one WAV, each piece's words shifted to where it starts.

    Decoded to samples and written once, so the offsets are exact (joining MP3 files leaves each one's encoder
    padding in between, and the captions would drift a little more after every piece).
    """
    words: list[WordTiming] = []
    written = 0
    with wav_writer(target, JOIN_SAMPLE_RATE) as write:
        for piece in pieces:
            samples = decode_mono(piece.path, JOIN_SAMPLE_RATE)
            offset = written / JOIN_SAMPLE_RATE
            words.extend(WordTiming(w.word, w.start + offset, w.end + offset) for w in piece.words)
            write(samples)
            written += len(samples)
            piece.path.unlink(missing_ok=True)
    return target, written / JOIN_SAMPLE_RATE, words


def _header_int(headers: Any, name: str) -> int | None:
    try:
        return int(dict(headers).get(name))
    except (TypeError, ValueError):
        return None


def _words_from_alignment(text: str, alignment: Any) -> tuple[list[WordTiming] | None, bool]:
    """Group character timings into the caption words of ``text``; None when they do not match the text."""
    if alignment is None or "".join(alignment.characters) != text:
        return None, False
    starts, ends = alignment.character_start_times_seconds, alignment.character_end_times_seconds
    timings = []
    for span in word_spans(text):
        indices = [i for i in range(span.start, span.end) if not text[i].isspace()]
        timings.append(WordTiming(span.text, min(starts[i] for i in indices), max(ends[i] for i in indices)))
    return timings, True


def _service_error(what: str, status: int | None, body: Any) -> VoiceServiceError:
    detail = body.get("detail") if isinstance(body, dict) else None
    detail_status = detail.get("status") if isinstance(detail, dict) else None
    message = detail.get("message") if isinstance(detail, dict) else None
    message = str(message).strip().rstrip(".") if message else None  # our sentences add their own full stop
    if status == 401 and detail_status == "quota_exceeded":
        return VoiceServiceError(
            "Your ElevenLabs plan has run out of characters for this billing period"
            f"{': ' + message if message else ''}. Upgrade the plan or wait for the reset on elevenlabs.io, "
            "or choose a free voice (Piper or Edge TTS).", status=401)
    if status == 401:
        return VoiceServiceError(
            "ElevenLabs refused the API key. Paste a valid key in this profile's voice settings "
            "(elevenlabs.io → Profile → API keys).", status=401)
    if status == 422:
        problems = "; ".join(d.get("msg", "") for d in detail if isinstance(d, dict)) if isinstance(detail, list) else (message or "")
        return VoiceServiceError(f"ElevenLabs could not {what}: the request was invalid ({problems}). "
                                 "Check the text, voice and settings.", status=422)
    if status == 429:
        return VoiceServiceError(f"ElevenLabs is limiting requests ({message or 'too many requests'}); tried several "
                                 "times. Wait a minute or generate fewer voiceovers at once.", status=429, retryable=True)
    if status == 404:
        return VoiceServiceError(f"ElevenLabs could not {what}: {message or 'not found'}. Pick another voice.", status=404)
    return VoiceServiceError(f"ElevenLabs failed to {what} (HTTP {status}). Try again in a moment.",
                             status=status, retryable=status is not None and status >= 500)


__all__ = ["API_KEY_SECRET", "ElevenLabsProvider", "ElevenLabsSettings", "VoiceUnavailableError"]
