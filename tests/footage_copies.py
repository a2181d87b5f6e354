"""A good source made with lavfi and copies of it as a user's folder holds them: crushed, resized, trimmed, brighter.

Also two different sources of the same kind (another test pattern, moving colours) and two other takes of the good
source's scene (framed higher, zooming slower), which must not count as copies.
Shared by the media, library and pipeline tests of near-duplicate footage.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from editfactory.media.runner import ffmpeg_path

ROOT = Path(__file__).resolve().parents[1]
FRAMES = ROOT / "test-artifacts" / "frames"
"""Frames saved by tests for people to look at."""
TRIM = 0.7
"""The trimmed copy starts this many seconds into the good source (not a multiple of the 0.25 s sample step)."""


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-nostdin", *args], check=True, timeout=120)


GOOD = ("mandelbrot=size=640x360:rate=30[m];testsrc2=size=640x360:rate=30[t];[m][t]blend=all_mode=average,"
        "noise=alls=12:allf=t,format=yuv420p[v];sine=f=330:sample_rate=48000[a]")
"""Good footage as a camera gives it: detail everywhere, motion, a little moving grain (the damage score reads a
synthetic picture with large flat areas as smeared)."""


def make_good(path: Path, seconds: float = 6.0) -> Path:
    """A clean, sharp 640x360 moving picture with a tone."""
    _ffmpeg("-filter_complex", GOOD, "-map", "[v]", "-map", "[a]", "-t", str(seconds), "-c:v", "libx264",
            "-preset", "veryfast", "-crf", "18", "-c:a", "aac", str(path))
    return path


COPIES = {
    # name: ffmpeg arguments between the input and the output
    "crushed": ["-c:v", "libx264", "-preset", "veryfast", "-crf", "51", "-pix_fmt", "yuv420p"],
    "mpeg4": ["-c:v", "mpeg4", "-q:v", "31"],
    "resized": ["-vf", "scale=320:180", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"],
    "brighter": ["-vf", "eq=brightness=0.12:contrast=1.15", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"],
}


def make_copy(good: Path, name: str, folder: Path) -> Path:
    """A copy of ``good``: one of ``COPIES``, or 'trimmed' (starts ``TRIM`` s later, re-encoded)."""
    path = folder / f"{name}.mp4"
    if name == "trimmed":
        _ffmpeg("-ss", str(TRIM), "-i", str(good), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", str(path))
    else:
        _ffmpeg("-i", str(good), *COPIES[name], "-c:a", "aac", str(path))
    return path


DIFFERENT = {
    "other_pattern": "testsrc=size=640x360:rate=30",
    "moving_colours": "gradients=size=640x360:rate=30:speed=0.05:n=5",
}


def make_different(name: str, folder: Path, seconds: float = 6.0) -> Path:
    path = folder / f"{name}.mp4"
    _ffmpeg("-f", "lavfi", "-i", DIFFERENT[name], "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast",
            "-pix_fmt", "yuv420p", str(path))
    return path


_CAMERA = "mandelbrot=size=640x360:rate=30"
TAKES = {
    # Another take of GOOD's scene (the same chart, the same fractal zooming in), which is not the same footage.
    "take_framed_higher": _CAMERA + ":start_y=0.3",
    "take_slower_zoom": _CAMERA + ":start_y=0.1:end_pts=800",
}
"""Takes similar enough to come 15–22 bits from GOOD and its copies (unrelated footage is 32 on average): they
must stay apart all the same, so a looser match threshold is caught."""


def make_take(name: str, folder: Path, seconds: float = 6.0) -> Path:
    """Another take of the good source's scene: framed differently (``take_framed_higher``) or moving differently."""
    path = folder / f"{name}.mp4"
    _ffmpeg("-filter_complex", GOOD.replace(_CAMERA, TAKES[name], 1), "-map", "[v]", "-map", "[a]", "-t", str(seconds),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-c:a", "aac", str(path))
    return path


_BOX = "scale=320:180:force_original_aspect_ratio=decrease,pad=320:180:(ow-iw)/2:(oh-ih)/2,setsar=1"


def save_side_by_side(a: Path, a_time: float, b: Path, b_time: float, name: str) -> Path:
    """Frame ``a_time`` of ``a`` next to frame ``b_time`` of ``b`` (each fitted into 320x180) as test-artifacts/frames/<name>.png."""
    FRAMES.mkdir(parents=True, exist_ok=True)
    out = FRAMES / f"{name}.png"
    _ffmpeg("-ss", f"{a_time:.3f}", "-i", str(a), "-ss", f"{b_time:.3f}", "-i", str(b), "-filter_complex",
            f"[0:v]{_BOX}[a];[1:v]{_BOX}[b];[a][b]hstack=inputs=2",
            "-frames:v", "1", str(out))
    return out
