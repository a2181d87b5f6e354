"""Keyframe times of a video, read from the packets' key flags without decoding anything.

A render seeks each segment with ``-ss`` before ``-i``: ffmpeg jumps to the keyframe at or
before the start and decodes every frame from there. With a phone's one-second keyframe
interval that costs little, but screen recordings, downloads and OBS footage often put a
keyframe only every 5–10 s, and a segment that starts just before one decodes nearly a
whole interval of full-size frames before its first picture. Analysis uses these times to
start its windows on a keyframe when one is close (see :mod:`editfactory.media.analysis`).

ffmpeg copies the video stream to its ``framecrc`` muxer, which prints one line per packet
and marks non-key packets with ``F=0x…``; on a 60 s 1080p file that takes about 0.03 s.
"""

from __future__ import annotations

import statistics
import threading
from fractions import Fraction
from pathlib import Path

from editfactory.media.runner import run_ffmpeg

KEY_FLAG = 0x1


def parse_framecrc(lines: list[str]) -> list[float]:
    """Seconds of the key packets in ``framecrc`` output of one stream (``#tb 0: num/den`` header first)."""
    time_base: Fraction | None = None
    times: list[float] = []
    for line in lines:
        if line.startswith("#tb 0:"):
            time_base = Fraction(line.split(":", 1)[1].strip())
            continue
        if line.startswith("#") or time_base is None:
            continue
        fields = [field.strip() for field in line.split(",")]
        if len(fields) < 6 or fields[0] != "0":
            continue
        flags = KEY_FLAG
        if fields[-1].startswith("F="):
            flags = int(fields[-1][2:], 16)
        pts = int(fields[2])
        if flags & KEY_FLAG and pts >= 0:
            times.append(float(pts * time_base))
    return sorted(set(times))


def keyframe_times(path: Path | str, *, timeout: float = 60.0, cancel: threading.Event | None = None) -> list[float]:
    """Presentation times (seconds from the start, as ``-ss`` counts them) of the first video stream's keyframes."""
    path = Path(path)
    lines: list[str] = []

    def collect(pipe) -> None:
        for raw in pipe:
            lines.append(raw.decode("ascii", "replace"))

    args = ["-v", "error", "-i", str(path), "-map", "0:v:0", "-c", "copy", "-f", "framecrc", "pipe:1"]
    run_ffmpeg(args, timeout=timeout, what=f"Reading the keyframes of {path.name}", cancel=cancel, stdout_consumer=collect)
    return parse_framecrc(lines)


def typical_interval(keyframes: list[float]) -> float:
    """The median spacing of ``keyframes`` in seconds (0 when there are fewer than two)."""
    if len(keyframes) < 2:
        return 0.0
    return statistics.median(b - a for a, b in zip(keyframes, keyframes[1:]))
