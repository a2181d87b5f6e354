"""Low-resolution proxies of source videos, which a draft preview decodes instead of the full-size footage.

A draft is rendered at half the final size (:func:`editfactory.media.presets.draft_preset`), yet decoding the same
1080p footage as the final costs about as much as the whole rest of the draft. A proxy is a copy of a source at
``PROXY_SHORT_SIDE`` pixels on its short side (a quarter of 1080p's pixels to decode), x264 ultrafast with a keyframe
every half second (cheap to decode and to seek in), with the source's frame times kept as they are (no frame is
added or dropped, so a segment's ``start``/``end`` pick the same frames). Its sound is kept (small AAC), so it lasts
as long as its source by the same measure; a draft that keeps the footage's sound still reads it from the source
(decoding sound alone is cheap).

:func:`make_proxy` writes the proxy under a scratch name and moves it into place only when ffmpeg finished, so a
killed run never leaves a file at the proxy's name. :func:`files_to_read` is what a draft render asks: for each
source, the proxy when it is there and whole (it opens, has a picture, lasts as long as its source), else the
source itself — a draft never waits for a proxy. The framing (``fill``/``fit``, the crop following the subject) is
decided on the source's size and expressed in fractions of the frame, so it is the same on the proxy.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from editfactory.core.errors import MediaError
from editfactory.core.progress import ProgressCallback
from editfactory.media.presets import DRAFT_SCALE
from editfactory.media.probe import MediaInfo, probe
from editfactory.media.runner import run_ffmpeg
from editfactory.media.spec import Proxy
from editfactory.storage.tempdirs import clean_stale_temp, make_temp_dir

log = logging.getLogger(__name__)

PROXY_SHORT_SIDE = round(1080 * DRAFT_SCALE)
"""Short side of a proxy: what a draft of 1080-wide footage needs (540); smaller sources get no proxy."""
PROXY_X264_PRESET = "ultrafast"
PROXY_CRF = 23
PROXY_KEYFRAME_SECONDS = 0.5
"""A keyframe every half second, so a segment's first frame is reached after at most 15 frames of decoding."""
DURATION_TOLERANCE = 0.1
"""Seconds (plus two frames) a whole proxy's length may differ from its source's (AAC's priming may add a few
hundredths); a cut-off copy misses far more."""


def proxy_size(width: int, height: int) -> tuple[int, int] | None:
    """The proxy's frame for a ``width``x``height`` picture (as displayed), even-sided; ``None`` when the source is
    no larger than a proxy would be (the draft reads it directly)."""
    short = min(width, height)
    if short <= PROXY_SHORT_SIDE:
        return None
    scale = PROXY_SHORT_SIDE / short

    def even(side: int) -> int:
        return max(2, int(round(side * scale / 2)) * 2)

    return even(width), even(height)


def make_proxy(source: Path, target: Path, *, work_root: Path, progress: ProgressCallback | None = None,
               cancel: threading.Event | None = None, timeout: float | None = None) -> Path | None:
    """Write the proxy of ``source`` to ``target`` and return it; ``None`` (nothing written) when the source is small
    enough to be its own proxy. ``work_root`` holds the scratch file (same drive as ``target``).

    Raises MediaError when ffmpeg fails and CancelledError on ``cancel``; either way nothing is left at ``target``'s
    name nor in ``work_root`` (a killed process leaves a scratch folder that the next start removes).
    """
    info = probe(source, count_frames=False)
    size = proxy_size(info.width, info.height) if info.has_video else None
    if size is None:
        return None
    fps = info.nominal_fps or info.fps or 30.0
    args = [
        "-v", "error", "-progress", "pipe:1", "-y", "-i", str(source),
        "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn",
        "-vf", f"scale={size[0]}:{size[1]}:flags=bilinear,format=yuv420p",
        "-fps_mode", "passthrough",  # every source frame at its own time: segments cut the same frames
        "-c:v", "libx264", "-preset", PROXY_X264_PRESET, "-tune", "fastdecode", "-crf", str(PROXY_CRF),
        "-g", str(max(1, round(fps * PROXY_KEYFRAME_SECONDS))), "-c:a", "aac", "-b:a", "64k",
        "-f", "mp4",  # moov at the end (no faststart): a cut-off copy cannot be opened, so it is never taken as whole
    ]
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    work_root.mkdir(parents=True, exist_ok=True)
    clean_stale_temp(work_root)
    work = make_temp_dir(work_root, "proxy")
    try:
        partial = work / "proxy.mp4"
        run_ffmpeg([*args, str(partial)], timeout=timeout or 120.0 + 10.0 * info.duration,
                   what=f"Making the preview copy of {source.name}", duration=info.duration, progress=progress,
                   cancel=cancel)
        if not is_whole(partial, info):
            raise MediaError(f"The preview copy of {source.name} came out shorter than the video; drafts use the "
                             "video itself.")
        os.replace(partial, target)
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def is_whole(proxy: Path, source_info: MediaInfo) -> bool:
    """Whether ``proxy`` opens, has a picture and lasts as long as the source ``source_info`` describes."""
    try:
        info = probe(proxy, count_frames=False)
    except MediaError:
        return False
    frame = 1.0 / (source_info.nominal_fps or source_info.fps or 30.0)
    return info.has_video and abs(info.duration - source_info.duration) <= DURATION_TOLERANCE + 2 * frame


def files_to_read(proxies: Sequence[Proxy], infos: Mapping[Path, MediaInfo]) -> dict[Path, Path]:
    """``{source: proxy}`` for each of ``proxies`` whose source is among ``infos`` (the render's probed videos) and
    which is whole; a missing, cut-off or unreadable proxy is left out, so its source is read instead."""
    reads: dict[Path, Path] = {}
    for proxy in proxies:
        info = infos.get(proxy.source)
        if info is None or proxy.source in reads:
            continue
        if is_whole(proxy.path, info):
            reads[proxy.source] = proxy.path
        else:
            log.info("The proxy %s of %s is missing or not whole; the draft reads the source", proxy.path,
                     proxy.source.name)
    return reads
