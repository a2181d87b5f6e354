"""A still of what captions look like: one frame of footage, cropped to the clip's shape, with a caption burned in.

The caption is drawn by the same ASS writer and libass filter as a render, so the
preview shows exactly the font, size, colours, outline, position, words per cue
and current-word highlight a clip will get.
"""

from __future__ import annotations

import os
from pathlib import Path

import ffmpeg

from editfactory.core.errors import MediaError
from editfactory.media.captions import FONTS_DIR, CaptionStyle, write_ass
from editfactory.media.runner import run_ffmpeg
from editfactory.media.safe_zones import safe_area

PREVIEW_WIDTH, PREVIEW_HEIGHT = 540, 960
"""Half of the 1080x1920 clip: the same layout (sizes scale with the height), a quarter of the pixels."""
SAMPLE_WORDS = [("Fresh", 0.0, 0.2), ("drops", 0.2, 1.5), ("today!", 1.5, 2.5)]
"""At the frame's caption time (:data:`SHOWN_AT`) the cue shows all three words with the second one spoken,
so the highlight shows, and a popping word has settled at its size."""
SHOWN_AT = 0.5
BACKGROUND = "0x35506b"


def caption_style_frame(style: CaptionStyle, output: Path, *, footage: Path | None = None, at: float = 1.0,
                        words: list[tuple[str, float, float]] | None = None, preset: str = "tiktok",
                        timeout: float = 60.0) -> Path:
    """Write a JPEG of ``footage`` at ``at`` seconds (a plain background without footage) with a sample caption,
    laid out inside ``preset``'s safe area as a render of that format lays it out."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    ass = output.with_name(f".{output.stem}.{os.getpid()}.ass")
    partial = output.with_name(f".{output.stem}.{os.getpid()}.partial.jpg")
    write_ass(words or SAMPLE_WORDS, style, PREVIEW_WIDTH, PREVIEW_HEIGHT, ass, safe_area(preset))
    if footage is not None:
        stream = ffmpeg.input(str(footage), ss=f"{max(at, 0.0):.3f}")
    else:
        stream = ffmpeg.input(f"color=c={BACKGROUND}:s={PREVIEW_WIDTH}x{PREVIEW_HEIGHT}:d=1", f="lavfi")
    # Timestamps restart at the seek; the frame is given the caption time SHOWN_AT, where the sample is on screen.
    video = (stream.video
             .filter("scale", PREVIEW_WIDTH, PREVIEW_HEIGHT, force_original_aspect_ratio="increase")
             .filter("crop", PREVIEW_WIDTH, PREVIEW_HEIGHT).filter("setsar", 1).filter("setpts", f"PTS-STARTPTS+{SHOWN_AT}/TB")
             .filter("ass", filename=str(ass), fontsdir=str(FONTS_DIR)))
    args = ffmpeg.output(video, str(partial), vframes=1, f="image2", **{"q:v": 3}).overwrite_output().get_args()
    try:
        run_ffmpeg(["-v", "error", *args], timeout=timeout, what="Drawing the caption preview")
        if not partial.is_file() or partial.stat().st_size == 0:
            raise MediaError("ffmpeg drew no caption preview; the footage's video stream may be damaged.")
        os.replace(partial, output)
    finally:
        ass.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    return output

