"""How a segment's picture fills the output frame: ``fill`` (a crop that follows the subject), ``fit`` (the whole
frame over a blurred copy of itself) or ``auto`` (one of the two, from the footage's shape, size and subject).

Both are ffmpeg filter chains built here and used inside the render's single pass
(:func:`editfactory.media.render._video_chain`); nothing is encoded twice.

* ``fill`` scales the footage to cover the output and crops it. The crop's ``x`` is a piecewise-linear function
  of the frame time that follows the segment's subject track (:mod:`editfactory.media.subject`), already smoothed
  and speed-limited by analysis; without a track it is the centre crop.
* ``fit`` scales the whole frame into the output and lays it over a copy of itself that is blurred at one eighth
  of the output size (cheap) and scaled back up to fill the background.
* ``auto`` is ``fill`` when the crop keeps enough of the frame (``MIN_FILL_KEPT``), the crop's upscale stays
  small (``MAX_FILL_UPSCALE``) and the subject fits inside the crop (``MAX_SPREAD_PER_KEPT``); ``fit`` otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

import ffmpeg
import numpy as np

from editfactory.core.errors import ValidationError, quoted

FRAMINGS = ("auto", "fill", "fit")
"""Every framing a project, a profile default or a segment can ask for."""
DEFAULT_FRAMING = "auto"
FRAMING_LABELS = {
    "auto": "Auto: fill or fit, whichever suits the footage",
    "fill": "Fill: crop to the subject",
    "fit": "Fit: whole picture on a blurred background",
}
"""How the studio names each framing."""

MIN_FILL_KEPT = 0.3
"""Smallest share of the source frame's area a ``fill`` crop may keep under ``auto``. 16:9 footage in a 9:16 clip
keeps 0.32 and is cropped; from about 1.9:1 on (2:1 keeps 0.28, a 2.39:1 ultra-wide 0.24) so little is left that
the subject at the side is cut off, so such footage is fitted instead."""
MAX_FILL_UPSCALE = 3.0
"""Largest enlargement of the source a ``fill`` crop may need under ``auto``. 720p footage in a 1080x1920 clip
is enlarged 2.7× and still looks sharp enough; a 640x360 clip would be 5.3× and a 176x144 phone clip 13×, which
smears. ``fit`` enlarges only to the output's width (1.7× and 6.1× there), so it is the lesser evil."""
MAX_SPREAD_PER_KEPT = 1.5
"""Widest subject, as a multiple of the crop's width, ``auto`` still crops: a subject (or interesting area)
half as wide again as the crop would lose a third of itself — landscape footage with the action spread across
the frame is fitted instead. The spread is measured by analysis (``subject_spread``)."""
MAX_CROP_POINTS = 48
"""Most track points one crop expression holds: ffmpeg refuses an expression of about 90 linear pieces, so a
longer track is resampled evenly (a 2 s analysis window has 8; 48 still places a point every 0.6 s of 30 s)."""
BACKGROUND_SCALE = 8
"""The ``fit`` background is blurred at 1/8 of the output size and scaled back up: the blur costs 1/64 of a
full-size one and the upscale smooths it further."""


def check_framing(value: object, *, allow_unset: bool = False) -> str | None:
    """``value`` as a framing name, or a ValidationError naming the allowed ones. ``None``/'' is "not set" when allowed."""
    if allow_unset and (value is None or value == ""):
        return None
    if not isinstance(value, str) or value.strip().lower() not in FRAMINGS:
        allowed = ", ".join(FRAMINGS) + (" (or nothing, to use the project's)" if allow_unset else "")
        raise ValidationError(f"Unknown framing {quoted(value)}; choose one of: {allowed}.")
    return value.strip().lower()


def resolve_framing(*choices: str | None) -> str:
    """The first framing that is set, most specific first (segment, project, profile default); else ``auto``."""
    for choice in choices:
        if choice:
            return check_framing(choice)
    return DEFAULT_FRAMING


def fill_geometry(source_width: int, source_height: int, width: int, height: int) -> tuple[float, float]:
    """``(kept, upscale)`` of a cover-and-crop of the source into ``width``x``height``: the share of the source's
    area the crop keeps, and how much the source is enlarged."""
    upscale = max(width / source_width, height / source_height)
    kept = (width / upscale) * (height / upscale) / (source_width * source_height)
    return kept, upscale


def choose_framing(framing: str, source_width: int, source_height: int, width: int, height: int,
                   spread: float | None = None) -> str:
    """``fill`` or ``fit`` for a segment; ``auto`` decides by the thresholds above (``spread`` unknown: shape and size only)."""
    framing = check_framing(framing)
    if framing != "auto":
        return framing
    kept, upscale = fill_geometry(source_width, source_height, width, height)
    if kept < MIN_FILL_KEPT or upscale > MAX_FILL_UPSCALE:
        return "fit"
    crop_width = min(1.0, (width / upscale) / source_width)
    if spread is not None and spread > MAX_SPREAD_PER_KEPT * crop_width:
        return "fit"
    return "fill"


def _piecewise(points: Sequence[tuple[float, float]]) -> str:
    """An ffmpeg expression of ``t`` through ``points`` ``(t, value)``, linear between them and flat outside:
    ``v0 + Σ slope·clip(t − tᵢ, 0, tᵢ₊₁ − tᵢ)``, flat (no nesting) so it stays cheap per frame."""
    terms = [f"{points[0][1]:.4f}"]
    for (t0, v0), (t1, v1) in zip(points, points[1:]):
        span = t1 - t0
        if span <= 1e-6 or abs(v1 - v0) < 1e-5:
            continue
        terms.append(f"{(v1 - v0) / span:+.5f}*clip(t-{t0:.4f},0,{span:.4f})")
    return "".join(terms)


def crop_x_expression(track: Sequence[Sequence[float]], start: float) -> str:
    """The ``fill`` crop's ``x`` for a segment starting at ``start`` s of its source: the track's centre (source
    times, 0..1 of the width) turned into segment time, kept inside the frame."""
    points = sorted((float(t) - start, float(x)) for t, x in track)
    if not points:
        return "(iw-ow)/2"
    if len(points) > MAX_CROP_POINTS:
        times = [t for t, _ in points]
        even = [times[0] + (times[-1] - times[0]) * i / (MAX_CROP_POINTS - 1) for i in range(MAX_CROP_POINTS)]
        points = list(zip(even, (float(x) for x in np.interp(even, times, [x for _, x in points]))))
    return f"clip(({_piecewise(points)})*iw-ow/2,0,iw-ow)"


def fill_chain(stream, width: int, height: int, track: Sequence[Sequence[float]] = (), start: float = 0.0):
    """Cover ``width``x``height`` and crop where the subject is (the centre without a track)."""
    return (
        stream.filter("scale", width, height, force_original_aspect_ratio="increase", flags="bicubic")
        .filter("crop", width, height, x=crop_x_expression(track, start), y="(ih-oh)/2")
    )


def fit_chain(stream, width: int, height: int):
    """The whole frame inside ``width``x``height``, centred over a blurred, enlarged copy of itself."""
    small_w = max(16, width // BACKGROUND_SCALE // 2 * 2)
    small_h = max(16, height // BACKGROUND_SCALE // 2 * 2)
    parts = stream.filter_multi_output("split", 2)
    background = (
        parts[0].filter("scale", small_w, small_h, force_original_aspect_ratio="increase", flags="fast_bilinear")
        .filter("crop", small_w, small_h)
        .filter("boxblur", luma_radius="min(w,h)/8", luma_power=2, chroma_radius="min(cw,ch)/8", chroma_power=2)
        .filter("scale", width, height, flags="bilinear")
    )
    foreground = parts[1].filter("scale", width, height, force_original_aspect_ratio="decrease",
                                 force_divisible_by=2, flags="bicubic")
    return ffmpeg.overlay(background, foreground, x="(W-w)/2", y="(H-h)/2", format="yuv420")
