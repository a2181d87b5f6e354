"""A photo as footage: slow, smooth zoom and pan ("Ken Burns") toward the subject, inside the clip's one ffmpeg pass.

The still is decoded once and laid out once at the output size — cropped toward the subject for ``fill``, or
whole over its blurred copy for ``fit`` (:mod:`editfactory.media.framing`) — and that one frame is repeated. Each
repeat is then zoomed and panned by ``perspective``, which samples the picture at fractional positions
(1/256 pixel). ``zoompan``, the usual tool, places its window on whole pixels: a slow move of a fraction of a
pixel per frame turns into steps and pauses (the well-known zoompan jitter; measured on a 2x oversampled
canvas the speed still jumps between 1.2 and 2.3 px a frame). The move is eased, so its speed changes
gradually, never from or to a stop.
"""

from __future__ import annotations

from collections.abc import Sequence

import ffmpeg

from editfactory.media.framing import fit_chain

ZOOM_END = 1.15
"""The picture ends 15 % larger than it starts: slow enough to read as a camera move, never a static frame."""
EASE_SHARE = 0.5
"""Share of the move that is eased (a cosine); the rest is linear, so the speed at the ends is half the mean,
not zero (a zero speed would show as still frames at each photo's start and end)."""


def subject_x(track: Sequence[Sequence[float]]) -> float:
    """Where the subject is across the photo (0..1): the mean of its track, the centre without one."""
    if not track:
        return 0.5
    return min(1.0, max(0.0, sum(float(x) for _, x in track) / len(track)))


def progress_expression(frames: int) -> str:
    """0 at the first output frame, 1 at the last: partly linear, partly a cosine ease (``EASE_SHARE``)."""
    last = max(frames - 1, 1)
    linear = 1.0 - EASE_SHARE
    return f"({linear:.3f}*in/{last}+{EASE_SHARE / 2:.3f}*(1-cos(PI*in/{last})))"


def subject_on_canvas(centre: float, photo_width: int, photo_height: int, width: int, height: int) -> float:
    """Where a subject at ``centre`` (0..1 of the photo) lies across the ``fill`` canvas, which is cropped toward
    it but cannot go past the photo's edges (so a subject near an edge stays off-centre, and the move pans to it)."""
    scale = max(width / max(photo_width, 1), height / max(photo_height, 1))
    covered = photo_width * scale
    left = min(max(centre * covered - width / 2, 0.0), max(covered - width, 0.0))
    return min(1.0, max(0.0, (centre * covered - left) / width))


def photo_canvas(path: str, width: int, height: int, framing: str, track: Sequence[Sequence[float]] = (),
                 photo_size: tuple[int, int] = (0, 0)):
    """The still laid out once at the output size, and where its subject lies across it (0..1).

    ``fill`` covers the frame and crops sideways toward the subject; ``fit`` shows it whole over its blurred copy.
    ``photo_size`` is the photo's width and height, for where the subject lands on the ``fill`` canvas.
    """
    still = ffmpeg.input(path).video
    if framing == "fit":
        return fit_chain(still, width, height).filter("format", "yuv420p"), 0.5
    target = subject_x(track)
    centre = subject_on_canvas(target, *(photo_size if all(photo_size) else (width, height)), width, height)
    canvas = (
        still.filter("scale", width, height, force_original_aspect_ratio="increase", flags="bicubic")
        .filter("crop", width, height, x=f"clip({target:.4f}*iw-ow/2,0,iw-ow)", y="(ih-oh)/2")
        .filter("format", "yuv420p")
    )
    return canvas, centre


def photo_motion(canvas, fps: int, duration: float, centre: float = 0.5):
    """``duration`` seconds at ``fps`` of the one-frame ``canvas``, zooming in toward ``centre`` (0..1 across)."""
    frames = max(2, round(duration * fps))
    p = progress_expression(frames)
    zoom = f"(1+{ZOOM_END - 1:.4f}*{p})"
    # The window's centre moves from the frame's centre toward the subject as it zooms in, kept inside the frame.
    left = f"clip(W*(0.5+({centre:.4f}-0.5)*{p})-W/{zoom}/2,0,W-W/{zoom})"
    top = f"(H-H/{zoom})/2"
    right, bottom = f"{left}+W/{zoom}", f"{top}+H/{zoom}"
    return (
        canvas.filter("loop", loop=frames - 1, size=1)
        .filter("setpts", f"N/({fps}*TB)")
        .filter("perspective", x0=left, y0=top, x1=right, y1=top, x2=left, y2=bottom, x3=right, y3=bottom,
                interpolation="linear", eval="frame")
    )
