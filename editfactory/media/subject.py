"""Where the subject is, horizontally, in each sampled frame of the analysis pass, and a smooth track of it per window.

Fed from the one reduced decode of :mod:`editfactory.media.analysis` (4 fps, 160 px gray): for each sampled
frame, how much motion (change from the previous sample) and detail (the Laplacian analysis already computes)
each column holds above the frame's typical column. A texture or a camera move that covers the whole frame is
that typical level and drops out; what stands out is the subject. Per window this gives where the subject is
(``subject_x``), how wide the interesting area is (``subject_spread``) and a smoothed, speed-limited track of
its centre that the ``fill`` framing's crop follows (:mod:`editfactory.media.framing`).
"""

from __future__ import annotations

import numpy as np

MOTION_SHARE = 0.7
"""Weight of motion against detail where a frame has both: a moving thing is the subject more often than a
detailed one (a product turned in the hand in front of a shelf of sharp labels)."""
STANDOUT = 6.0
"""A column stands out when its motion or detail exceeds the frame's typical column by this many robust standard
deviations (from the median absolute deviation across columns); grain, noise and an even texture stay well below
(about 2-3), a subject a tenth of the frame wide reaches 10-40."""
COUNTED_FROM = 3.0
"""Only the part of a column above this many deviations counts as the subject's, so the background's random
ups and downs do not widen the spread."""
NOISE_FLOOR = 0.001
"""Smallest deviation assumed (0..1 of full scale per column, about 0.25 luma level), so footage with a flat,
noiseless background does not turn every faint compression ripple into a subject."""
MASS_SHARE = 0.8
"""``subject_spread`` is the width holding this middle share of the frame's interest (10 %–90 %)."""
SMOOTHING_SAMPLES = 5
"""Centred moving average over this many sampled frames (1.25 s at 4 fps): the crop follows where the subject
stays, not each twitch of it."""
MAX_PAN_SPEED = 0.25
"""Fastest the track moves, in source frame widths per second; faster crop moves read as a shaky camera."""
DEAD_ZONE = 0.06
"""The track stays still while the subject's (smoothed) centre is within this share of the frame's width of it,
as a camera operator lets a subject wobble inside the frame; a 16:9 crop for a vertical clip is 0.32 wide, so
the subject stays well inside it."""


class SubjectTracker:
    """Per-sampled-frame subject centre and spread (``None`` where nothing stands out), collected as frames stream in."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.centres: list[float | None] = []
        self.spreads: list[float | None] = []
        self._columns = (np.arange(width, dtype=np.float64) + 0.5) / width

    def add(self, pixels: np.ndarray, previous: np.ndarray | None, laplacian: np.ndarray) -> None:
        """``pixels``: the gray frame as float32 0..255; ``laplacian``: its 4-neighbour Laplacian (2 px smaller)."""
        height = pixels.shape[0]
        profiles = []
        if previous is not None:
            profiles.append((MOTION_SHARE, np.abs(pixels - previous).sum(axis=0) / (255.0 * height)))
        detail = np.zeros(self.width, dtype=np.float64)
        detail[1:-1] = np.abs(laplacian).sum(axis=0) / (4 * 255.0 * height)
        profiles.append((1.0 - MOTION_SHARE, detail))
        interest = np.zeros(self.width, dtype=np.float64)
        total_weight = 0.0
        for weight, profile in profiles:
            median = float(np.median(profile))
            deviation = max(1.4826 * float(np.median(np.abs(profile - median))), NOISE_FLOOR)
            excess = np.clip(profile - median - COUNTED_FROM * deviation, 0.0, None)
            if float(profile.max()) - median >= STANDOUT * deviation and excess.sum() > 0:
                interest += weight * excess / excess.sum()
                total_weight += weight
        if total_weight == 0.0:
            self.centres.append(None)
            self.spreads.append(None)
            return
        interest /= total_weight
        self.centres.append(float((interest * self._columns).sum()))
        cumulative = np.cumsum(interest)
        tail = (1.0 - MASS_SHARE) / 2
        low = int(np.searchsorted(cumulative, tail))
        high = int(np.searchsorted(cumulative, 1.0 - tail))
        self.spreads.append(float(min(high - low + 1, self.width)) / self.width)

    def window(self, first: int, last: int, sample_fps: float) -> dict:
        """``subject_x``, ``subject_spread`` and ``subject_track`` of sampled frames ``first``..``last`` (exclusive).

        The track is ``((source seconds, centre 0..1), …)``, one point per sampled frame: absolute times, so a
        window whose start later moves onto a keyframe keeps a track that still fits its footage.
        """
        centres = self.centres[first:last]
        known = [c for c in centres if c is not None]
        spreads = [s for s in self.spreads[first:last] if s is not None]
        if not known:
            return {"subject_x": 0.5, "subject_spread": 0.0,
                    "subject_track": ((round(first / sample_fps, 3), 0.5), (round((last - 1) / sample_fps, 3), 0.5))}
        track = smooth_track(_filled(centres), sample_fps)
        return {
            "subject_x": round(float(np.mean(known)), 4),
            "subject_spread": round(float(np.mean(spreads)), 4),
            "subject_track": tuple((round((first + i) / sample_fps, 3), round(x, 4)) for i, x in enumerate(track)),
        }


def _filled(centres: list[float | None]) -> list[float]:
    """Frames where nothing stood out take the nearest known centre, so the track holds still there."""
    known = [(i, c) for i, c in enumerate(centres) if c is not None]
    return [c if c is not None else min(known, key=lambda item: abs(item[0] - i))[1] for i, c in enumerate(centres)]


def smooth_track(centres: list[float], sample_fps: float) -> list[float]:
    """A centred moving average, then followed with a dead zone (``DEAD_ZONE``) at no more than
    ``MAX_PAN_SPEED``, once forward and once backward, averaged: so the crop neither lags behind nor runs
    ahead of the subject, holds still while it wobbles, and pans (never cuts) when it moves."""
    values = np.asarray(centres, dtype=np.float64)
    half = SMOOTHING_SAMPLES // 2
    padded = np.pad(values, half, mode="edge")
    smoothed = np.convolve(padded, np.ones(SMOOTHING_SAMPLES) / SMOOTHING_SAMPLES, mode="valid")
    step = MAX_PAN_SPEED / sample_fps
    forward = _follow(smoothed, step)
    backward = _follow(smoothed[::-1], step)[::-1]
    # The mean of two speed-limited paths is speed-limited too.
    return [float(v) for v in np.clip((forward + backward) / 2, 0.0, 1.0)]


def _follow(targets: np.ndarray, step: float) -> np.ndarray:
    path = np.empty_like(targets)
    path[0] = targets[0]
    for i in range(1, len(targets)):
        gap = targets[i] - path[i - 1]
        path[i] = path[i - 1] + np.sign(gap) * min(step, max(0.0, abs(gap) - DEAD_ZONE))
    return path
