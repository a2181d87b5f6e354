"""Perceptual fingerprints of sampled frames, and finding the same footage in two sources by them.

Every frame the analysis pass samples (4 fps, 160 px wide, gray) gets a 64-bit hash of its lowest spatial
frequencies: the 8x8 lowest coefficients of a DCT over the whole frame, each bit telling whether a coefficient
lies above the median of the others. That survives what a copy of footage goes through:
- resizing (640 → 320 px) leaves the lowest frequencies where they were, and analysis scales both to 160 px anyway;
- re-compression (even ``-crf 51``) destroys fine detail and adds block edges, both high frequencies;
- a brightness or contrast change moves the mean (not hashed) or scales every coefficient alike (the median with it).
Frames with too little structure to hash (black, a flat colour) get ``NO_HASH`` and are never matched.

Two sources are compared frame by frame over every time offset at once (a Hamming-distance matrix), the distance
averaged over a few neighbouring frames along the same offset, so a trimmed copy whose samples fall between the
original's (a trim by a fraction of 0.25 s) still lines up, and a single look-alike frame does not make a match.
Runs of frames that keep matching at a steady offset become ``MatchedSpan`` s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

HASH_SIZE = 8
"""Lowest DCT frequencies kept per axis: 8x8 = 64 bits."""
NO_HASH = 0
"""Stored for a frame with no picture to hash. A real hash always has its lowest bit set, so it is never 0."""
FLAT_FRAME_LEVELS = 1.0
"""RMS (luma levels, 0..255) of a frame's low-frequency structure under which it is too flat to hash reliably."""
MATCH_BITS = 14.0
"""Mean Hamming distance (of 64 bits) over neighbouring frames under which two frames show the same footage.
Measured on lavfi footage: a resized, brightened or ``-q:v 31`` copy 1–5 bits, a trim between samples 3–9,
``-crf 51`` 4–12, a crushed copy against a trimmed one 6–14; another take of the same scene (framed higher,
zooming slower) 15–22; different footage 19 and more over 32 sources of similar kinds (test patterns, fractals,
moving colours), 32 on average for unrelated pictures."""
FRAME_BITS = 20
"""The matched frame itself must be at most this far off; its neighbours alone cannot carry a mismatch."""
CONTEXT = 2
"""Neighbouring frames on each side averaged with a frame (at 4 fps: 1.25 s of footage in all)."""
MIN_RUN_FRAMES = 4
"""Matched frames a run needs (1 s at 4 fps) before two sources count as showing the same footage."""
_CHUNK = 512
"""Frames of the first source compared at once; bounds memory for hour-long sources."""


def _dct_basis(size: int) -> np.ndarray:
    """Rows of the orthonormal DCT-II for ``size`` samples, lowest ``HASH_SIZE`` frequencies only."""
    positions = np.arange(size)
    basis = np.stack([np.cos(math.pi * (2 * positions + 1) * k / (2 * size)) for k in range(HASH_SIZE)])
    basis[0] *= math.sqrt(1 / size)
    basis[1:] *= math.sqrt(2 / size)
    return basis.astype(np.float32)


class FrameHasher:
    """Hashes frames of one size; the DCT bases are made once per source."""

    def __init__(self, width: int, height: int) -> None:
        self._rows = _dct_basis(height)
        self._columns = _dct_basis(width).T.copy()
        self._pixels = float(width * height)
        self._weights = (1 << np.arange(HASH_SIZE * HASH_SIZE, dtype=np.uint64)).astype(np.uint64)

    def __call__(self, pixels: np.ndarray) -> int:
        coefficients = (self._rows @ pixels @ self._columns).ravel()
        ac = coefficients[1:]
        if math.sqrt(float(np.dot(ac, ac)) / self._pixels) < FLAT_FRAME_LEVELS:
            return NO_HASH
        bits = coefficients > np.median(ac)
        bits[0] = True  # the mean's bit carries no information; set, it keeps real hashes apart from NO_HASH
        return int(np.dot(bits.astype(np.uint64), self._weights))


@dataclass(frozen=True)
class MatchedSpan:
    """Footage shown by both sources: ``a_start``–``a_end`` of the first is ``b_start``–``b_end`` of the second."""

    a_start: float
    a_end: float
    b_start: float
    b_end: float
    distance: float
    """Mean Hamming distance (bits of 64) of the matched frames."""

    @property
    def similarity(self) -> float:
        """1 for identical frames, 0 for frames as different as unrelated pictures (32 bits apart)."""
        return max(0.0, 1.0 - self.distance / 32.0)

    @property
    def offset(self) -> float:
        """Where the footage is in the second source relative to the first (seconds; from both ends of the span,
        which may be a frame apart when the first frames of slow footage match a sample early)."""
        return ((self.b_start - self.a_start) + (self.b_end - self.a_end)) / 2

    def to_dict(self) -> dict:
        return {"a": [self.a_start, self.a_end], "b": [self.b_start, self.b_end], "distance": self.distance}

    @classmethod
    def from_dict(cls, data: dict) -> MatchedSpan:
        return cls(*data["a"], *data["b"], data["distance"])

    def swapped(self) -> MatchedSpan:
        return MatchedSpan(self.b_start, self.b_end, self.a_start, self.a_end, self.distance)


def as_hashes(values) -> np.ndarray:
    return np.asarray(values, dtype=np.uint64)


def _best_matches(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each frame of ``a``: the frame of ``b`` it matches best (-1 for none) and the smoothed distance."""
    valid_a, valid_b = a != NO_HASH, b != NO_HASH
    best_j = np.full(len(a), -1, dtype=np.int64)
    best_d = np.full(len(a), np.inf, dtype=np.float32)
    r = CONTEXT
    for first in range(0, len(a), _CHUNK):
        last = min(first + _CHUNK, len(a))
        lo, hi = max(0, first - r), min(len(a), last + r)
        distances = np.bitwise_count(a[lo:hi, None] ^ b[None, :]).astype(np.float32)
        both = (valid_a[lo:hi, None] & valid_b[None, :]).astype(np.float32)
        distances *= both
        # Sum along each diagonal (one time offset) over the frame and its neighbours.
        padded_d = np.pad(distances, ((r, r), (r, r)))
        padded_w = np.pad(both, ((r, r), (r, r)))
        rows, cols = distances.shape
        total = np.zeros_like(distances)
        weight = np.zeros_like(distances)
        for k in range(-r, r + 1):
            total += padded_d[r + k:r + k + rows, r + k:r + k + cols]
            weight += padded_w[r + k:r + k + rows, r + k:r + k + cols]
        smoothed = np.where((weight >= r + 1) & (both > 0) & (distances <= FRAME_BITS),
                            total / np.maximum(weight, 1), np.inf)
        smoothed = smoothed[first - lo:first - lo + last - first]
        j = np.argmin(smoothed, axis=1)
        best_j[first:last] = j
        best_d[first:last] = smoothed[np.arange(last - first), j]
    best_j[~np.isfinite(best_d)] = -1
    return best_j, best_d


def match_fingerprints(a, b, fps: float) -> list[MatchedSpan]:
    """Stretches of footage that sources ``a`` and ``b`` (hashes of frames sampled at ``fps``) both show.

    Each frame of ``a`` is paired with the frame of ``b`` it resembles most; consecutive frames whose partners
    follow at a steady offset (±1 frame, for copies sampled between the original's frames) form a run, and runs
    of at least ``MIN_RUN_FRAMES`` matched frames are returned, in the order of ``a``. Empty when nothing matches.
    """
    a, b = as_hashes(a), as_hashes(b)
    if len(a) < MIN_RUN_FRAMES or len(b) < MIN_RUN_FRAMES:
        return []
    # Each frame takes its best partner, so the answer depends on whose frames choose (in slow footage a frame has
    # several look-alikes); both sides choose, and the view that finds more shared footage counts.
    forward = _runs(a, b, fps)
    backward = sorted((span.swapped() for span in _runs(b, a, fps)), key=lambda span: span.a_start)
    return forward if _shared(forward) >= _shared(backward) else backward


def _shared(spans: list[MatchedSpan]) -> float:
    return sum(span.a_end - span.a_start for span in spans)


def _runs(a: np.ndarray, b: np.ndarray, fps: float) -> list[MatchedSpan]:
    best_j, best_d = _best_matches(a, b)
    matched = (best_j >= 0) & (best_d <= MATCH_BITS)
    spans: list[MatchedSpan] = []
    run: list[int] = []

    def close() -> None:
        if len(run) >= MIN_RUN_FRAMES:
            partners = best_j[run]
            spans.append(MatchedSpan(
                run[0] / fps, (run[-1] + 1) / fps, int(partners.min()) / fps, (int(partners.max()) + 1) / fps,
                round(float(np.mean(best_d[run])), 3),
            ))
        run.clear()

    stray: list[int] = []  # frames matched at another offset since the run's last frame
    for i in np.flatnonzero(matched):
        i = int(i)
        if run and i - run[-1] > 2:  # one unmatched frame may sit inside a run (a flash, a dropped frame)
            close()
            stray.clear()
        if run and abs((best_j[i] - i) - (best_j[run[-1]] - run[-1])) > 1:
            # A frame matched elsewhere: a look-alike moment, unless the next one agrees with it (a new offset).
            if stray and i - stray[-1] == 1 and abs((best_j[i] - i) - (best_j[stray[-1]] - stray[-1])) <= 1:
                close()
                run.extend(stray)
                stray.clear()
            else:
                stray[:] = [i]
                continue
        else:
            stray.clear()
        run.append(i)
    close()
    return spans
