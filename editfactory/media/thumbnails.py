"""Still images of a video: a JPEG thumbnail, which also proves the video stream can be decoded."""

from __future__ import annotations

from pathlib import Path

from editfactory.core.errors import MediaError
from editfactory.media.runner import run_ffmpeg

THUMBNAIL_WIDTH = 320


def make_thumbnail(source: Path, output: Path, *, at: float = 0.0, width: int = THUMBNAIL_WIDTH, timeout: float = 60.0) -> Path:
    """Write one upright frame at ``at`` seconds, ``width`` px wide, to ``output`` (.jpg)."""
    args = [
        # No seek for the first frame: ``-ss 0`` drops the only frame of a still picture (a photo's poster).
        "-v", "error", "-y", *(["-ss", f"{at:.3f}"] if at > 0 else []), "-i", str(source),
        "-map", "0:v:0", "-frames:v", "1", "-vf", f"scale={width}:-2", "-q:v", "4", "-f", "image2", str(output),
    ]
    run_ffmpeg(args, timeout=timeout, what=f"Making a thumbnail of {Path(source).name}")
    if not Path(output).is_file() or Path(output).stat().st_size == 0:
        raise MediaError(f"ffmpeg decoded no picture from {Path(source).name}; the video stream may be damaged.")
    return Path(output)
