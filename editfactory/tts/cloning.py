"""Cloned voices of a profile: validate samples, normalize them, create the voice, keep the record.

Samples go to ``profile.paths.voices/<voice id>/``; the ``voices`` row keeps the
provider's handle (a remote voice id, or a local reference audio stored relative
to the profile folder when ``VoiceProvider.cloned_voice_is_file``). Everything
lives inside the profile, so a cloned voice survives restarts and is invisible
from any other profile.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from editfactory.core.errors import MediaError, ValidationError, check_text
from editfactory.core.ids import new_id
from editfactory.core.progress import ProgressCallback
from editfactory.profiles.profile import Profile
from editfactory.tts.audio import decode_mono, frame_rms, probe_audio_stream, rms_dbfs, run_ffmpeg, write_wav
from editfactory.tts.base import SynthesisResult, VoiceProvider
from editfactory.tts.cloned_voices import get_voice, list_cloned_voices, stored_handle
from editfactory.tts.errors import SampleRejectedError, VoiceError, VoiceServiceError
from editfactory.tts.registry import cloning_providers
from editfactory.tts.service import synthesize_for_profile

__all__ = ["PREVIEW_TEXT", "clone_voice", "delete_voice", "get_voice", "list_cloned_voices", "normalize_sample",
           "preview_voice", "rename_voice", "validate_sample"]  # get_voice, list_cloned_voices: from cloned_voices

MIN_SECONDS, MAX_SECONDS = 6.0, 300.0
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 16_000, 192_000
NORMALIZED_RATE = 24_000
PREVIEW_TEXT = "Hi! This is how I sound. Fresh arrivals are in the store today, take a look."
_ANALYSIS_RATE = 16_000


@dataclass(frozen=True)
class SampleCheck:
    ok: bool
    reason: str = ""
    duration: float = 0.0
    sample_rate: int = 0


def speech_evidence(samples: np.ndarray, rate: int) -> tuple[float, float, float]:
    """(share of active frames, median zero-crossing rate of active frames, loudness variation in dB).

    Speech switches on and off with syllables (large variation), with a moderate
    zero-crossing rate; a steady tone or hiss does not vary, and hiss crosses zero constantly.
    """
    rms = frame_rms(samples, rate)
    if len(rms) == 0 or rms.max() <= 0:
        return 0.0, 0.0, 0.0
    active = rms > rms.max() * 10 ** (-30 / 20)
    frame = int(rate * 0.02)
    frames = samples[: len(rms) * frame].reshape(len(rms), frame)
    crossings = (np.abs(np.diff(np.signbit(frames).astype(np.int8), axis=1)).sum(axis=1)) / frame
    levels = 20 * np.log10(np.maximum(rms[active], 1e-6))
    return float(active.mean()), float(np.median(crossings[active])), float(levels.std())


def validate_sample(path: Path) -> SampleCheck:
    """Is this usable reference speech? Each failure says what is wrong and what to record instead."""
    path = Path(path)
    if not path.is_file():
        return SampleCheck(False, "the file does not exist.")
    stream = probe_audio_stream(path)
    if stream is None:
        return SampleCheck(False, "this is not an audio file (no audio stream found); upload WAV, MP3, M4A, FLAC or OGG.")
    if not MIN_SAMPLE_RATE <= stream.sample_rate <= MAX_SAMPLE_RATE:
        return SampleCheck(False, f"its sample rate is {stream.sample_rate} Hz; record at {MIN_SAMPLE_RATE // 1000} kHz "
                                  f"or more (44.1 or 48 kHz is ideal).", sample_rate=stream.sample_rate)
    try:
        samples = decode_mono(path, _ANALYSIS_RATE)
    except MediaError:
        return SampleCheck(False, "the audio cannot be decoded (the file is damaged or truncated).", sample_rate=stream.sample_rate)
    duration = len(samples) / _ANALYSIS_RATE
    check = dict(duration=duration, sample_rate=stream.sample_rate)
    if duration < MIN_SECONDS:
        return SampleCheck(False, f"it is {duration:.1f} s long; a sample needs at least {MIN_SECONDS:.0f} s of speech.", **check)
    if duration > MAX_SECONDS:
        return SampleCheck(False, f"it is {duration / 60:.1f} minutes long; use at most {MAX_SECONDS / 60:.0f} minutes per sample.", **check)
    if rms_dbfs(samples) < -50:
        return SampleCheck(False, "it is silent (or almost); check the microphone and record again.", **check)
    active, crossings, variation = speech_evidence(samples, _ANALYSIS_RATE)
    if active < 0.2 or variation < 3.0 or not 0.01 <= crossings <= 0.35:
        return SampleCheck(False, "no speech was detected (it sounds like a steady tone, music or noise); "
                                  "record yourself reading a few sentences.", **check)
    return SampleCheck(True, "", **check)


def normalize_sample(source: Path, target: Path) -> Path:
    """Mono, 24 kHz, 16-bit WAV with leading and trailing silence trimmed."""
    trim = "silenceremove=start_periods=1:start_threshold=-45dB:start_silence=0.15"
    target.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(["-y", "-i", str(source), "-vn", "-ac", "1", "-ar", str(NORMALIZED_RATE),
                "-af", f"{trim},areverse,{trim},areverse", "-c:a", "pcm_s16le", str(target)],
               what=f"Normalizing the voice sample {Path(source).name}")
    return target


def _clean_name(name: str) -> str:
    # Text only, without control or invisible characters (a bidi mark, a zero-width space); then its length.
    name = "" if name is None else check_text(name, "A voice name", max_length=1000)
    if not name or len(name) > 80:
        raise ValidationError("A voice name must be 1 to 80 characters, e.g. 'Anna – warm'.")
    return name


def clone_voice(profile: Profile, provider: VoiceProvider, name: str, samples: list[Path], *,
                language: str = "", progress: ProgressCallback | None = None) -> dict[str, Any]:
    """Validate → normalize → store → create the voice with the provider → record it in the profile."""
    report = progress or (lambda message, fraction: None)
    name = _clean_name(name)
    if not provider.supports_cloning:
        able = " or ".join(cls.label for cls in cloning_providers()) or "a provider that can clone"
        raise VoiceError(f"{provider.label} cannot clone voices; use {able} for cloning.")
    if not samples:
        raise ValidationError("Add at least one voice sample (6 s to 5 minutes of clear speech).")
    report("Checking the samples", 0.05)
    problems = {}
    for sample in samples:
        check = validate_sample(Path(sample))
        if not check.ok:
            problems[Path(sample).name] = check.reason
    if problems:
        raise SampleRejectedError(problems)
    provider.require_available()
    voice_id = new_id("voice")
    folder = profile.paths.voices / voice_id
    try:
        stored = []
        for index, sample in enumerate(samples, start=1):
            report(f"Preparing sample {index} of {len(samples)}", 0.1 + 0.5 * index / len(samples))
            stored.append(normalize_sample(Path(sample), folder / f"sample_{index:02d}.wav"))
        references = stored
        limit = provider.clone_reference_limit
        if limit is not None and len(stored) > limit:  # e.g. one reference audio: join the samples into it
            pause = np.zeros(int(0.3 * NORMALIZED_RATE), dtype=np.float32)
            joined = np.concatenate([part for s in stored for part in (decode_mono(s, NORMALIZED_RATE), pause)])
            references = [folder / "reference.wav"]
            write_wav(references[0], joined, NORMALIZED_RATE)
        report(f"Creating the voice with {provider.label}", 0.7)
        handle = stored_handle(profile, provider.name, provider.clone_voice(name, references))
        with profile.db.transaction() as cursor:
            cursor.execute(
                "INSERT INTO voices (id, provider, name, provider_voice_id, language, sample_paths, settings)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [voice_id, provider.name, name, handle, language or None,
                 [profile.paths.relative(p) for p in stored], json.dumps({})],
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    report("Voice ready", 1.0)
    return get_voice(profile, voice_id)


def rename_voice(profile: Profile, voice_id: str, name: str) -> dict[str, Any]:
    name = _clean_name(name)
    get_voice(profile, voice_id)
    profile.db.execute("UPDATE voices SET name = ?, updated_at = now() WHERE id = ?", [name, voice_id])
    return get_voice(profile, voice_id)


def delete_voice(profile: Profile, voice_id: str, *, provider: VoiceProvider | None = None) -> None:
    """Delete the voice here (and at the provider when one is given whose clones live there; already gone there is
    fine)."""
    record = get_voice(profile, voice_id)
    if provider is not None and provider.clones_live_at_provider:
        try:
            provider.delete_voice(record["provider_voice_id"])
        except VoiceServiceError as error:
            if error.status != 404:
                raise
    profile.db.execute("DELETE FROM voices WHERE id = ?", [voice_id])
    shutil.rmtree(profile.paths.voices / voice_id, ignore_errors=True)


def preview_voice(profile: Profile, voice_id: str, text: str = PREVIEW_TEXT, *,
                  provider: VoiceProvider | None = None) -> SynthesisResult:
    """A short sample spoken by the cloned voice (cached like any other synthesis)."""
    record = get_voice(profile, voice_id)
    return synthesize_for_profile(profile, text, {"provider": record["provider"], "voice": voice_id}, provider=provider)
