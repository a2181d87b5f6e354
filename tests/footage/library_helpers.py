"""Helpers for library tests: make small media files with ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

from editfactory.media.runner import ffmpeg_path


def make_media(path: Path, *args: str) -> Path:
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-nostdin", *args, str(path)], check=True, timeout=120)
    return path
