"""Score windows of a video for motion, visual variety, sharpness and brightness.

The video is decoded ONCE by one ffmpeg process at reduced rate and size (4 fps,
160 px wide, gray, cheap decoder flags) and piped to numpy; Python never holds a
full-size frame, only a few numbers, a 16x9 signature and a 64-number sketch per sampled frame.
Black (dark with no picture in it), frozen and repeated windows are dropped; the rest come back
best first. A window repeats another only when its frames match pixel for pixel (estimated from
the sketches), not merely in their coarse 16x9 layout, so distinct moving footage is never dropped.
When the source's keyframes are far apart, a kept window whose first half-second holds a
keyframe starts on it instead, so rendering it needs no long decode before its first frame.
The same decode also hands over 15 native-resolution 32x32 tiles per sampled frame, stacked under the 160 px
frame, from which :mod:`editfactory.media.damage` scores compression damage (``damage``; it lowers the score).
"""

from __future__ import annotations

import bisect
import math
import threading
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from editfactory.core.errors import MediaError, ValidationError
from editfactory.core.progress import ProgressCallback
from editfactory.media.damage import MOSAIC_ROWS, DamageMeter, with_detail_tiles
from editfactory.media.fingerprint import FrameHasher
from editfactory.media.keyframes import keyframe_times, typical_interval
from editfactory.media.probe import MediaInfo, probe
from editfactory.media.runner import run_ffmpeg
from editfactory.media.subject import SubjectTracker

BLACK_LEVEL = 0.1
"""Mean luma (0..1, video range, so true black is ~0.06) under which a window counts as black."""
FROZEN_DIFF = 1.0 / 255
"""Largest mean frame-to-frame change of a frozen window (decoded stills repeat exactly)."""
BLACK_STRUCTURE = 0.008
"""Spread (standard deviation, 0..1) of a frame's 16x9 block means under which a dark frame shows no picture.
Dark footage with something in it (a night shot, a dim product on black) has more and is not black."""
DUPLICATE_DISTANCE = 0.005
"""Mean 16x9 signature distance (0..1) under which a window may repeat a better one already kept; about 1 luma level."""
DUPLICATE_PIXEL_RMS = 0.15
"""RMS pixel difference of the sampled frames, as a fraction of the footage's own contrast (pixel standard
deviation), under which such a window really repeats the other one. The coarse signature alone cannot tell a pan
over fine texture (fabric, grass, water) or dim footage from a repeat; re-encoded repeats measure about 0.05,
distinct moving footage 0.3 and more."""
SKETCH_SIZE = 64
"""Random projections kept per sampled frame: enough to estimate pixel RMS differences within a few percent."""
WEIGHTS = {"motion": 0.45, "variety": 0.2, "sharpness": 0.2, "brightness": 0.15}
DAMAGE_PENALTY = 0.5
"""Share of a window's score that compression damage can take away (damage 1 halves it)."""
LONG_KEYFRAME_INTERVAL = 2.0
"""Median keyframe spacing (s) from which window starts move onto keyframes. Below it (phones: 0.5–1 s)
a seek decodes at most a second of frames, not worth shortening windows for."""


@dataclass(frozen=True)
class AnalysisOptions:
    window: float = 2.0
    """Seconds per scored window (the length of an automatic segment)."""
    sample_fps: float = 4.0
    width: int = 160
    threads: int = 2
    fast_decode: bool = True
    """Skip the deblocking filter and non-reference frames while decoding; scores barely change, speed doubles."""
    keyframe_snap: float = 0.5
    """Start a kept window on a keyframe lying at most this many seconds after its start, when keyframes are
    sparse (see ``LONG_KEYFRAME_INTERVAL``). The window keeps its end, so it only gets shorter. 0 turns it off."""


@dataclass(frozen=True)
class ScoredWindow:
    start: float
    end: float
    score: float
    motion: float
    variety: float
    sharpness: float
    brightness: float
    subject_x: float = 0.5
    """Where the subject's centre is, horizontally (0..1), averaged over the window (:mod:`editfactory.media.subject`)."""
    subject_spread: float = 0.0
    """How wide the interesting area is (0..1 of the frame's width); 0 when nothing stands out."""
    subject_track: tuple = ()
    """The subject's smoothed centre over time, ``((source seconds, x), …)``: the path a ``fill`` crop follows."""
    damage: float = 0.0
    """Compression damage, 0..1 (1 = ruined: blocky, smeared), from native-resolution tiles (:mod:`editfactory.media.damage`)."""

    def scores(self) -> dict:
        data = asdict(self)
        for key in ("start", "end", "score"):
            data.pop(key)
        return data


@dataclass(frozen=True)
class DroppedWindow:
    start: float
    end: float
    reason: str
    """'black', 'frozen' or 'duplicate'."""


@dataclass(frozen=True)
class AnalysisResult:
    windows: list[ScoredWindow]
    """Kept windows, best score first."""
    dropped: list[DroppedWindow]
    frames_sampled: int
    duration: float
    fingerprint: tuple[int, ...] = ()
    """Perceptual hash of every sampled frame, in order (see media.fingerprint), to find the footage in other sources."""


class _FrameStats:
    """Per-sampled-frame numbers, collected while frames stream in."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.mean: list[float] = []
        self.sharpness: list[float] = []
        self.entropy: list[float] = []
        self.diff: list[float] = []
        self.signatures: list[np.ndarray] = []
        self.structure: list[float] = []
        self.contrast: list[float] = []
        self.sketches: list[np.ndarray] = []
        self.hashes: list[int] = []
        self._hasher = FrameHasher(width, height)
        self._previous: np.ndarray | None = None
        self.subject = SubjectTracker(width)
        self.damage: DamageMeter | None = None
        """Fed by the decode with native-resolution tiles of each sampled frame (see ``analyze_video``)."""
        rows, cols = 9, 16
        self._block = (height // rows, width // cols, rows, cols)
        # Fixed random projections of the whole sampled frame: ||P(a - b)||² / SKETCH_SIZE estimates the mean squared
        # pixel difference of two frames (Johnson–Lindenstrauss) without keeping the frames.
        rng = np.random.default_rng(20240611)
        self._projection = rng.standard_normal((SKETCH_SIZE, height * width), dtype=np.float32) / np.sqrt(height * width)

    def add(self, frame: np.ndarray) -> None:
        pixels = frame.astype(np.float32)
        self.mean.append(float(pixels.mean()) / 255)
        lap = 4 * pixels[1:-1, 1:-1] - pixels[:-2, 1:-1] - pixels[2:, 1:-1] - pixels[1:-1, :-2] - pixels[1:-1, 2:]
        self.sharpness.append(float(lap.var()))
        counts = np.bincount((frame >> 3).ravel(), minlength=32).astype(np.float64)
        p = counts[counts > 0] / counts.sum()
        self.entropy.append(float(-(p * np.log2(p)).sum()) / 5.0)  # 32 bins → at most 5 bits
        self.diff.append(0.0 if self._previous is None else float(np.abs(pixels - self._previous).mean()) / 255)
        self.subject.add(pixels, self._previous, lap)
        self._previous = pixels
        bh, bw, rows, cols = self._block
        signature = pixels[: bh * rows, : bw * cols].reshape(rows, bh, cols, bw).mean(axis=(1, 3)) / 255
        self.signatures.append(signature.astype(np.float32))
        self.structure.append(float(signature.std()))
        self.contrast.append(float(pixels.std()) / 255)
        self.sketches.append(self._projection @ (pixels.ravel() / 255))
        self.hashes.append(self._hasher(pixels))


def _scaled_height(info: MediaInfo, width: int) -> int:
    return max(2, int(round(width * info.height / info.width / 2)) * 2)


def analyze_video(
    path: Path | str,
    options: AnalysisOptions = AnalysisOptions(),
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    *,
    info: MediaInfo | None = None,
) -> AnalysisResult:
    """Decode ``path`` once at low rate/size and return its scored windows (best first) and the dropped ones."""
    path = Path(path)
    info = info or probe(path, count_frames=False)
    if not info.has_video or info.width <= 0:
        raise ValidationError(f"{path.name} has no video to analyze.")
    if options.window * options.sample_fps < 2:
        raise ValidationError("An analysis window must hold at least two sampled frames.")
    width = options.width
    height = _scaled_height(info, width)
    stats = _FrameStats(width, height)
    stats.damage = DamageMeter(info.width, info.height, width)
    frame_bytes = width * (height + MOSAIC_ROWS)  # the frame, then the damage tiles stacked under it
    expected = max(1, int(info.duration * options.sample_fps))
    failure: list[BaseException] = []

    def consume(pipe) -> None:
        try:
            # One BLAS thread: the products per frame are tiny, and between frames (waiting on ffmpeg) OpenBLAS's
            # extra threads spin — 3.4 s of CPU for 60 s of 1080p, taken from the decode on a 2-core machine.
            with threadpool_limits(limits=1, user_api="blas"):
                while True:
                    data = pipe.read(frame_bytes)
                    if len(data) < frame_bytes:
                        break
                    frame = np.frombuffer(data, dtype=np.uint8).reshape(height + MOSAIC_ROWS, width)
                    stats.add(frame[:height])
                    stats.damage.add(frame[height:])
                    if progress and len(stats.mean) % 8 == 0:
                        progress(f"Analyzing {path.name}", min(len(stats.mean) / expected, 1.0))
        except BaseException as error:  # surfaced after ffmpeg ends
            failure.append(error)
            pipe.read()

    decode_flags = ["-skip_loop_filter", "all", "-skip_frame", "noref"] if options.fast_decode else []
    args = [
        "-v", "error", "-threads", str(options.threads), *decode_flags, "-i", str(path),
        "-map", "0:v:0", "-an", "-sn", "-dn",
        "-vf", f"fps={options.sample_fps}," + with_detail_tiles(f"scale={width}:{height}:flags=area,format=gray",
                                                                info.width, info.height, width),
        "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1",
    ]
    run_ffmpeg(args, timeout=120 + info.duration * 2, what=f"Analyzing {path.name}", cancel=cancel, stdout_consumer=consume)
    if failure:
        raise MediaError(f"Analyzing {path.name} failed while reading frames: {failure[0]}")
    if not stats.mean:
        raise MediaError(f"ffmpeg returned no frames for {path.name}; the video may be damaged.")
    result = _score_windows(stats, options)
    if options.keyframe_snap > 0 and result.windows:
        result = _start_on_keyframes(path, result, options, cancel)
    if progress:
        progress(f"Analyzed {path.name}", 1.0)
    return result


def _score_windows(stats: _FrameStats, options: AnalysisOptions) -> AnalysisResult:
    per_window = max(2, int(round(options.window * options.sample_fps)))
    total = len(stats.mean)
    duration = total / options.sample_fps
    candidates: list[tuple[ScoredWindow, np.ndarray]] = []
    dropped: list[DroppedWindow] = []
    for first in range(0, total, per_window):
        last = min(first + per_window, total)
        if last - first < max(2, per_window // 2):
            break  # a short tail is not worth a segment
        start, end = first / options.sample_fps, last / options.sample_fps
        brightness = float(np.mean(stats.mean[first:last]))
        diffs = stats.diff[first + 1:last]
        motion = float(np.mean(diffs)) if diffs else 0.0
        if brightness < BLACK_LEVEL and float(np.mean(stats.structure[first:last])) < BLACK_STRUCTURE:
            dropped.append(DroppedWindow(start, end, "black"))
            continue
        if max(diffs, default=0.0) < FROZEN_DIFF:
            dropped.append(DroppedWindow(start, end, "frozen"))
            continue
        change = float(np.abs(stats.signatures[last - 1] - stats.signatures[first]).mean())
        variety = 0.5 * float(np.mean(stats.entropy[first:last])) + 0.5 * min(change / 0.15, 1.0)
        sharpness = min(math.log1p(float(np.median(stats.sharpness[first:last]))) / math.log1p(2000.0), 1.0)
        parts = {
            "motion": min(motion / 0.04, 1.0),
            "variety": variety,
            "sharpness": sharpness,
            "brightness": 1.0 - min(abs(brightness - 0.5) / 0.45, 1.0),
        }
        damage = stats.damage.window(first, last) if stats.damage else {}
        score = sum(WEIGHTS[k] * v for k, v in parts.items()) * (1.0 - DAMAGE_PENALTY * damage.get("damage", 0.0))
        middle = stats.signatures[(first + last) // 2]
        candidates.append((ScoredWindow(start, end, round(score, 5), round(motion, 5), round(variety, 5),
                                        round(sharpness, 5), round(brightness, 5),
                                        **stats.subject.window(first, last, options.sample_fps), **damage),
                          middle, (first, last)))
    candidates.sort(key=lambda item: -item[0].score)
    kept: list[tuple[ScoredWindow, np.ndarray, tuple[int, int]]] = []
    for window, signature, frames in candidates:
        if any(float(np.abs(signature - other).mean()) < DUPLICATE_DISTANCE
               and _pixel_distance(stats, frames, other_frames) < DUPLICATE_PIXEL_RMS * _contrast(stats, frames, other_frames)
               for _, other, other_frames in kept):
            dropped.append(DroppedWindow(window.start, window.end, "duplicate"))
            continue
        kept.append((window, signature, frames))
    return AnalysisResult([w for w, _, _ in kept], sorted(dropped, key=lambda d: d.start), total, duration,
                          tuple(stats.hashes))


def _contrast(stats: _FrameStats, a: tuple[int, int], b: tuple[int, int]) -> float:
    return float(np.mean(stats.contrast[a[0]:a[1]] + stats.contrast[b[0]:b[1]]))


def _pixel_distance(stats: _FrameStats, a: tuple[int, int], b: tuple[int, int]) -> float:
    """RMS pixel difference between two windows' sampled frames, frame by frame, best of three alignments.

    Shifting by one sampled frame either way finds a repeat pasted in off the window grid by less than a sample.
    """
    best = math.inf
    for shift in (-1, 0, 1):
        pairs = [(i, j) for i, j in zip(range(a[0], a[1]), range(b[0] + shift, b[1] + shift)) if b[0] <= j < b[1]]
        if pairs:
            squared = [float(np.mean(np.square(stats.sketches[i] - stats.sketches[j]))) for i, j in pairs]
            best = min(best, math.sqrt(float(np.mean(squared))))
    return best


def _start_on_keyframes(path: Path, result: AnalysisResult, options: AnalysisOptions, cancel) -> AnalysisResult:
    try:
        keyframes = keyframe_times(path, cancel=cancel)
    except MediaError:
        return result  # an optimization only: footage whose packets cannot be listed keeps its grid windows
    return replace(result, windows=snap_to_keyframes(result.windows, keyframes, options.keyframe_snap))


def snap_to_keyframes(windows: list[ScoredWindow], keyframes: list[float], tolerance: float) -> list[ScoredWindow]:
    """Move each window's start forward onto the first keyframe within ``tolerance`` s, if keyframes are sparse.

    The new start is rounded UP to the millisecond: ``-ss`` must not land a hair before the
    keyframe, or ffmpeg would seek back to the previous one and decode a whole interval.
    """
    if typical_interval(keyframes) < LONG_KEYFRAME_INTERVAL:
        return windows
    snapped = []
    for window in windows:
        index = bisect.bisect_left(keyframes, window.start)
        if index < len(keyframes):
            start = math.ceil(round(keyframes[index] * 1000, 6)) / 1000
            # Never more than half the window, so a snapped window keeps most of the footage that was scored.
            if start - window.start <= min(tolerance, (window.end - window.start) / 2):
                window = replace(window, start=start)
        snapped.append(window)
    return snapped
