"""Audio helpers for voices: decode anything with ffmpeg, write WAV, find speech and silence.

ffmpeg comes from imageio-ffmpeg, so nothing here needs a system install or ffprobe.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from editfactory.errors import MediaError

FRAME_SECONDS = 0.02


def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(args: list[str], *, what: str) -> subprocess.CompletedProcess:
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", *args], capture_output=True)
    if result.returncode != 0:
        tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-4:]
        raise MediaError(f"ffmpeg could not {what}: " + " | ".join(tail))
    return result


def decode_mono(path: Path, sample_rate: int = 16000) -> np.ndarray:
    """The audio of any file ffmpeg can read, as mono float32 samples at ``sample_rate``."""
    result = run_ffmpeg(
        ["-i", str(path), "-vn", "-ac", "1", "-ar", str(sample_rate), "-f", "f32le", "-acodec", "pcm_f32le", "-"],
        what=f"read the audio of {Path(path).name}",
    )
    return np.frombuffer(result.stdout, dtype=np.float32)


@dataclass(frozen=True)
class AudioStreamInfo:
    codec: str
    sample_rate: int
    channels: int


def probe_audio_stream(path: Path) -> AudioStreamInfo | None:
    """The first audio stream's codec, rate and channels, read from ffmpeg's own listing (no ffprobe)."""
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)], capture_output=True)
    listing = result.stderr.decode("utf-8", "replace")
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
