"""A still of a clip with its platform's covered areas drawn over it: what the viewer's phone will hide.

Produce shows it beside a rendered clip ("show platform overlay"); the zones are the ones captions are laid
out around (:mod:`editfactory.media.safe_zones`), so the picture and the layout never disagree.
"""

from __future__ import annotations

import os
from pathlib import Path

import ffmpeg

from editfactory.core.errors import MediaError
from editfactory.media.presets import RenderPreset
from editfactory.media.probe import probe
from editfactory.media.runner import run_ffmpeg
from editfactory.media.safe_zones import safe_area, zones_for

ZONE_SHADE = "black@0.5"
"""Darkens the covered areas first, so their red tint reads as red over bright footage too (not orange on yellow)."""
ZONE_COLOR = "0xFF3B30@0.45"
"""Translucent red: the covered areas, the picture still visible under them."""
SAFE_EDGE_COLOR = "0x30D158"
"""Green: the outline of the safe area."""


def overlay_frame(clip: Path, preset: str | RenderPreset, output: Path, *, at: float = 1.0, width: int = 360,
                  timeout: float = 60.0) -> Path:
    """Write a PNG of ``clip`` at ``at`` seconds, ``width`` pixels wide, with ``preset``'s covered areas over it."""
    info = probe(clip)
    height = max(2, round(width * info.height / info.width) // 2 * 2)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.stem}.{os.getpid()}.partial.png")
    video = ffmpeg.input(str(clip), ss=f"{max(0.0, min(at, info.duration - 0.05)):.3f}").video.filter("scale", width, height)
    for zone in zones_for(preset):
        x, y, w, h = zone.pixels(width, height)
        video = video.filter("drawbox", x=x, y=y, w=w, h=h, color=ZONE_SHADE, t="fill")
        video = video.filter("drawbox", x=x, y=y, w=w, h=h, color=ZONE_COLOR, t="fill")
    x0, y0, x1, y1 = safe_area(preset).pixels(width, height)
    video = video.filter("drawbox", x=x0, y=y0, w=x1 - x0, h=y1 - y0, color=SAFE_EDGE_COLOR, t=2)
    args = ffmpeg.output(video, str(partial), vframes=1, f="image2").overwrite_output().get_args()
    try:
        run_ffmpeg(["-v", "error", *args], timeout=timeout, what="Drawing the platform overlay")
        if not partial.is_file() or partial.stat().st_size == 0:
            raise MediaError("ffmpeg drew no overlay frame; the clip's video stream may be damaged.")
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return output
