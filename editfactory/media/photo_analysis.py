"""Score a photo as footage, with the same measures as a video's windows, so selection ranks both together.

The stored photo is decoded once by the same ffmpeg chain a video's analysis uses (160 px gray, with the
native-resolution tiles :mod:`editfactory.media.damage` reads), giving sharpness, brightness, detail (variety),
compression damage and where the subject is (:mod:`editfactory.media.subject`). A photo is one window as long as
the footage it offers (``PHOTO_DURATION``). Its motion is the Ken Burns move it gets when rendered
(:mod:`editfactory.media.kenburns`): fixed, a little under what lively footage scores, so a good photo ranks with
good video and a sharp, moving video shot still wins over a photo of the same quality.
Its fingerprint is its hash repeated for each sample of that duration, so the same photo imported twice, or a
resized copy, is paired by :mod:`editfactory.footage.duplicates` like a copied video.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path

import numpy as np

from editfactory.core.errors import MediaError
from editfactory.core.progress import ProgressCallback
from editfactory.media.analysis import DAMAGE_PENALTY, WEIGHTS, AnalysisOptions, AnalysisResult, ScoredWindow
from editfactory.media.damage import MOSAIC_ROWS, DamageMeter, with_detail_tiles
from editfactory.media.fingerprint import FrameHasher
from editfactory.media.photos import PHOTO_DURATION, photo_info
from editfactory.media.runner import run_ffmpeg
from editfactory.media.subject import SubjectTracker

MOTION_FULL = 0.04
"""Mean frame-to-frame change at which a video's motion part is full (``media.analysis``): the stored motion."""
PHOTO_MOTION = 0.6
"""Motion score (0..1) of a photo: its slow zoom and pan, livelier than a locked-off shot, calmer than handling."""


def _decode(path: Path, width: int, height: int, source_width: int, source_height: int, cancel) -> np.ndarray:
    chain = with_detail_tiles(f"scale={width}:{height}:flags=area,format=gray", source_width, source_height, width)
    chunks: list[bytes] = []
    args = ["-v", "error", "-i", str(path), "-frames:v", "1", "-vf", chain, "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"]
    run_ffmpeg(args, timeout=60, what=f"Analyzing {path.name}", cancel=cancel,
               stdout_consumer=lambda pipe: chunks.append(pipe.read()))
    data = b"".join(chunks)
    if len(data) < width * (height + MOSAIC_ROWS):
        raise MediaError(f"ffmpeg could not decode the photo {path.name}; import it again.")
    return np.frombuffer(data[: width * (height + MOSAIC_ROWS)], dtype=np.uint8).reshape(height + MOSAIC_ROWS, width)


def analyze_photo(
    path: Path | str,
    options: AnalysisOptions = AnalysisOptions(),
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> AnalysisResult:
    """One scored window covering the photo's ``PHOTO_DURATION`` seconds, and its fingerprint."""
    path = Path(path)
    info = photo_info(path)
    width = options.width
    height = max(2, int(round(width * info.height / info.width / 2)) * 2)
    frame = _decode(path, width, height, info.width, info.height, cancel)
    picture = frame[:height]
    pixels = picture.astype(np.float32)
    lap = 4 * pixels[1:-1, 1:-1] - pixels[:-2, 1:-1] - pixels[2:, 1:-1] - pixels[1:-1, :-2] - pixels[1:-1, 2:]
    sharpness = min(math.log1p(float(lap.var())) / math.log1p(2000.0), 1.0)
    counts = np.bincount((picture >> 3).ravel(), minlength=32).astype(np.float64)
    p = counts[counts > 0] / counts.sum()
    variety = 0.5 * float(-(p * np.log2(p)).sum()) / 5.0  # detail only: a photo's picture does not change
    brightness = float(pixels.mean()) / 255
    damage_meter = DamageMeter(info.width, info.height, width)
    damage_meter.add(frame[height:])
    damage = damage_meter.window(0, 1)
    tracker = SubjectTracker(width)
    tracker.add(pixels, None, lap)
    samples = max(2, int(round(PHOTO_DURATION * options.sample_fps)))
    subject = tracker.window(0, 1, options.sample_fps)
    parts = {"motion": PHOTO_MOTION, "variety": variety, "sharpness": sharpness,
             "brightness": 1.0 - min(abs(brightness - 0.5) / 0.45, 1.0)}
    score = sum(WEIGHTS[k] * v for k, v in parts.items()) * (1.0 - DAMAGE_PENALTY * damage.get("damage", 0.0))
    window = ScoredWindow(
        0.0, PHOTO_DURATION, round(score, 5), round(PHOTO_MOTION * MOTION_FULL, 5), round(variety, 5), round(sharpness, 5), round(brightness, 5),
        subject_x=subject["subject_x"], subject_spread=subject["subject_spread"],
        subject_track=((0.0, subject["subject_x"]), (PHOTO_DURATION, subject["subject_x"])), **damage,
    )
    fingerprint = (FrameHasher(width, height)(pixels),) * samples
    if progress:
        progress(f"Analyzed {path.name}", 1.0)
    return AnalysisResult([window], [], samples, PHOTO_DURATION, fingerprint)
