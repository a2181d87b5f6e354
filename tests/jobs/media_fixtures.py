"""Small generated media for job and pipeline tests (real ffmpeg, lavfi sources)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg

from editfactory.media.presets import RenderPreset

SMALL_PRESET = RenderPreset("test-small", width=180, height=320, fps=15, x264_preset="ultrafast", crf=30)


def make_source(path: Path, seconds: float = 4.0, size: str = "320x240") -> Path:
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=15:duration={seconds}",
         "-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=48000:duration={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", str(path)],
        check=True, timeout=60,
    )
    return path


def make_tone(path: Path, seconds: float = 2.0) -> Path:
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"sine=frequency=220:sample_rate=22050:duration={seconds}", str(path)],
        check=True, timeout=60,
    )
    return path


def frame_hashes(path: Path) -> list[str]:
    """Per-frame (video and audio) md5s of the decoded clip: equal when the clips are the same."""
    result = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path),
         "-f", "framemd5", "-"],
        check=True, capture_output=True, text=True, timeout=60,
    )
    return [line.split(",")[-1].strip() for line in result.stdout.splitlines() if line and not line.startswith("#")]
