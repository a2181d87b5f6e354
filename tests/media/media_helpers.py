"""Helpers for media tests: run ffmpeg, grab a frame, the small test output format."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from editfactory.media.presets import RenderPreset
from editfactory.media.runner import ffmpeg_path

TEST_PRESET = RenderPreset("test", width=270, height=480, fps=30, x264_preset="superfast")
"""A small vertical format so render tests stay fast; one test also renders the real 1080x1920 preset."""


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-nostdin", *args], check=True, timeout=120)


def frame_at(path: Path, seconds: float, width: int, height: int) -> np.ndarray:
    """One decoded RGB frame as an array (for comparing pictures)."""
    raw = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(path), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True, timeout=60,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3)


