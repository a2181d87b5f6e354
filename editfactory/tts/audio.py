"""Audio helpers for voices: decode anything with ffmpeg, write WAV, find speech and silence.

ffmpeg runs through the project's one runner (:mod:`editfactory.media.runner`): the configured
ffmpeg (``$EDITFACTORY_FFMPEG`` or imageio-ffmpeg's), a timeout, and no orphan if we die.
"""

from __future__ import annotations

import contextlib
import re
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from editfactory.media import runner
from editfactory.media.probe import read_header

FRAME_SECONDS = 0.02
AUDIO_TIMEOUT = 300.0
"""Seconds an audio decode or conversion may take; even an hour of speech decodes in a fraction of that."""


def ffmpeg_exe() -> str:
    """The ffmpeg every part of the project runs (``$EDITFACTORY_FFMPEG`` when set)."""
    return runner.ffmpeg_path()


def run_ffmpeg(args: list[str], *, what: str, timeout: float = AUDIO_TIMEOUT) -> bytes:
    """Run ffmpeg through the project's runner and return what it wrote to stdout.

    ``what`` names the step ("Reading the audio of x.wav"); a failure or timeout is a MediaError that says so.
    """
    chunks: list[bytes] = []
    runner.run_ffmpeg(["-v", "error", *args], timeout=timeout, what=what,
                      stdout_consumer=lambda pipe: chunks.append(pipe.read()))
    return b"".join(chunks)


def decode_mono(path: Path, sample_rate: int = 16000) -> np.ndarray:
    """The audio of any file ffmpeg can read, as mono float32 samples at ``sample_rate``."""
    data = run_ffmpeg(
        ["-i", str(path), "-vn", "-ac", "1", "-ar", str(sample_rate), "-f", "f32le", "-acodec", "pcm_f32le", "-"],
        what=f"Reading the audio of {Path(path).name}",
    )
    return np.frombuffer(data, dtype=np.float32)


@dataclass(frozen=True)
class AudioStreamInfo:
    codec: str
    sample_rate: int
    channels: int


def probe_audio_stream(path: Path) -> AudioStreamInfo | None:
    """The first audio stream's codec, rate and channels, read from ffmpeg's own listing (no ffprobe)."""
    listing = read_header(Path(path))
    match = re.search(r"Stream #\S+.*?: Audio: (\w+)[^,\n]*, (\d+) Hz, ([^,\n]+)", listing)
    if not match:
        return None
    layout = match.group(3).strip()
    channels = {"mono": 1, "stereo": 2}.get(layout, int(re.match(r"\d+", layout).group()) if re.match(r"\d+", layout) else 2)
    return AudioStreamInfo(match.group(1), int(match.group(2)), channels)


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """16-bit mono WAV; written under a temporary name and renamed, so a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    tmp = path.with_name(f".{path.name}.partial")
    with wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())
    tmp.replace(path)


@contextlib.contextmanager
def wav_writer(path: Path, sample_rate: int) -> Iterator[Callable[[np.ndarray], None]]:
    """Write a 16-bit mono WAV piece by piece (``write(samples)``); renamed into place only when all went well."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        with wave.open(str(tmp), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(sample_rate)
            yield lambda samples: out.writeframes((np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as source:
        rate, width, channels = source.getframerate(), source.getsampwidth(), source.getnchannels()
        raw = source.readframes(source.getnframes())
    if width != 2:
        samples = decode_mono(path, rate)
        return samples, rate
    data = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data, rate


def audio_duration(path: Path) -> float:
    path = Path(path)
    if path.suffix.lower() == ".wav":
        with wave.open(str(path), "rb") as source:
            return source.getnframes() / float(source.getframerate())
    return len(decode_mono(path, 8000)) / 8000.0


def frame_rms(samples: np.ndarray, sample_rate: int, frame_seconds: float = FRAME_SECONDS) -> np.ndarray:
    frame = max(1, int(sample_rate * frame_seconds))
    count = len(samples) // frame
    if count == 0:
        return np.zeros(0, dtype=np.float32)
    frames = samples[: count * frame].reshape(count, frame).astype(np.float64)
    return np.sqrt((frames**2).mean(axis=1))


def rms_dbfs(samples: np.ndarray) -> float:
    if len(samples) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20 * np.log10(max(rms, 1e-6))


def speech_regions(
    samples: np.ndarray,
    sample_rate: int,
    *,
    min_silence: float = 0.15,
    relative_db: float = -32.0,
    floor_db: float = -55.0,
) -> list[tuple[float, float]]:
    """Stretches of sound separated by silences of at least ``min_silence`` seconds, in seconds.

    Silence is relative to the loudest frame, so quiet and loud recordings split alike.
    """
    rms = frame_rms(samples, sample_rate)
    if len(rms) == 0 or rms.max() <= 0:
        return []
    threshold = max(rms.max() * 10 ** (relative_db / 20), 10 ** (floor_db / 20))
    loud = rms > threshold
    regions: list[list[int]] = []
    gap_frames = max(1, int(round(min_silence / FRAME_SECONDS)))
    for index in np.flatnonzero(loud):
        if regions and index - regions[-1][1] <= gap_frames:
            regions[-1][1] = index + 1
        else:
            regions.append([index, index + 1])
    return [(start * FRAME_SECONDS, end * FRAME_SECONDS) for start, end in regions]


def trim_silence(samples: np.ndarray, sample_rate: int, *, pad: float = 0.05) -> np.ndarray:
    regions = speech_regions(samples, sample_rate)
    if not regions:
        return samples[:0]
    start = max(0, int((regions[0][0] - pad) * sample_rate))
    end = min(len(samples), int((regions[-1][1] + pad) * sample_rate))
    return samples[start:end]
