"""The store's logo as a watermark: where it sits in the frame and the overlay that draws it in the render's one pass.

A :class:`~editfactory.media.spec.Watermark` is one field of :class:`~editfactory.media.spec.RenderSpec` (the logo
an input file, so the render key and the profile-isolation check see it; it sits in the spec module as the music
bed does, because the spec's fields must be resolvable there). The logo is laid out inside the preset's safe area
(:func:`editfactory.media.safe_zones.safe_area`): its longer side is ``size`` of the frame's width (shrunk when the
safe area is smaller), ``margin`` (a fraction of the width) from the safe area's edges, in the chosen corner — so
no pixel of it falls under a platform's buttons or captions. Transparency is kept (the overlay blends the logo's
alpha, scaled by ``opacity``).
"""

from __future__ import annotations

import math
from pathlib import Path

import ffmpeg
from PIL import Image

from editfactory.core.errors import MediaError, ValidationError, check_number, quoted
from editfactory.media.presets import RenderPreset, get_preset
from editfactory.media.safe_zones import safe_area, zones_for
from editfactory.media.spec import Watermark

__all__ = ["CORNERS", "Watermark", "check_watermark", "logo_box", "overlay_watermark", "placement_preview"]

CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
# The spec's defaults (a dataclass keeps a field's default as its class attribute).
DEFAULT_CORNER, DEFAULT_SIZE = Watermark.corner, Watermark.size
DEFAULT_OPACITY, DEFAULT_MARGIN = Watermark.opacity, Watermark.margin
SIZE_RANGE = (0.05, 0.5)
"""The logo's longer side, as a fraction of the frame's width: 5 % is about the smallest a phone shows legibly."""
MARGIN_RANGE = (0.0, 0.2)
OPACITY_RANGE = (0.1, 1.0)
"""Below 10 % a logo is invisible on most footage; 0 would be the watermark switched off, which is its own setting."""


def check_corner(corner: object) -> str:
    if corner not in CORNERS:
        raise ValidationError(f"Unknown logo corner {quoted(corner)}; choose one of: {', '.join(CORNERS)}.")
    return str(corner)


def check_placement(size: object, opacity: object, margin: object) -> tuple[float, float, float]:
    """The three numbers checked (finite, in range), or a ValidationError saying which and the range."""
    size = check_number(size, "The logo size", minimum=SIZE_RANGE[0], maximum=SIZE_RANGE[1],
                        hint="It is a fraction of the frame's width: 0.05 (small) to 0.5 (half the width).")
    opacity = check_number(opacity, "The logo opacity", minimum=OPACITY_RANGE[0], maximum=OPACITY_RANGE[1],
                           hint="It is a fraction: 0.1 (faint) to 1 (solid).")
    margin = check_number(margin, "The logo margin", minimum=MARGIN_RANGE[0], maximum=MARGIN_RANGE[1],
                          hint="It is a fraction of the frame's width: 0 to 0.2.")
    return float(size), float(opacity), float(margin)


def check_watermark(corner: object, size: object, opacity: object, margin: object) -> dict[str, object]:
    """The placement of a :class:`Watermark`, checked (a ValidationError says which value and its range)."""
    size, opacity, margin = check_placement(size, opacity, margin)
    return {"corner": check_corner(corner), "size": size, "opacity": opacity, "margin": margin}


def logo_pixels(path: Path) -> tuple[int, int]:
    """The logo file's width and height (from its header)."""
    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, SyntaxError) as error:
        raise MediaError(f"The logo {Path(path).name} cannot be read ({error}); upload it again in Settings.") from None


def _even_up(value: int) -> int:
    return value + value % 2


def logo_box(watermark: Watermark, preset: str | RenderPreset, logo_size: tuple[int, int]) -> tuple[int, int, int, int]:
    """``(x, y, w, h)`` in pixels of the logo in ``preset``'s frame: in its corner of the safe area, never outside it."""
    preset = get_preset(preset)
    x0, y0, x1, y1 = safe_area(preset).pixels(preset.width, preset.height)
    margin = round(watermark.margin * preset.width)
    # Even edges: the clip is 4:2:0, one colour sample per 2x2 pixels, so a logo edge on an odd pixel would
    # tint the pixel beside it — which could be the first pixel of a covered area.
    left, top = _even_up(x0 + margin), _even_up(y0 + margin)
    right, bottom = max(left + 2, (x1 - margin) // 2 * 2), max(top + 2, (y1 - margin) // 2 * 2)  # margins ≤ 0.2 leave room
    logo_w, logo_h = logo_size
    scale = min(watermark.size * preset.width / max(logo_w, logo_h), (right - left) / logo_w, (bottom - top) / logo_h)
    w, h = max(2, math.floor(logo_w * scale) // 2 * 2), max(2, math.floor(logo_h * scale) // 2 * 2)
    vertical, horizontal = watermark.corner.split("-")
    x = left if horizontal == "left" else right - w
    y = top if vertical == "top" else bottom - h
    return x, y, w, h


def overlay_watermark(video, watermark: Watermark, preset: RenderPreset):
    """``video`` (an ffmpeg-python stream at the preset's size) with the logo blended in its box.

    The logo is one still frame; ``overlay`` repeats its last frame to the end of the clip, so it costs one
    decode, not one per frame.
    """
    x, y, w, h = logo_box(watermark, preset, logo_pixels(watermark.logo))
    # The logo is converted to the clip's 4:2:0 (with alpha) once, on its single frame; an RGBA overlay made
    # ffmpeg convert at every frame (0.22 s against 0.04 s of filter CPU for 8 s of 1080x1920, `-f null` runs).
    logo = (ffmpeg.input(str(watermark.logo)).video
            .filter("scale", w, h, flags="lanczos")
            .filter("format", "rgba")
            .filter("colorchannelmixer", aa=watermark.opacity)
            .filter("format", "yuva420p"))
    return ffmpeg.overlay(video, logo, x=x, y=y, eof_action="repeat", format="yuv420")


def placement_preview(watermark: Watermark, preset: str | RenderPreset, output: Path, *, width: int = 216) -> Path:
    """A small PNG of where the logo sits in ``preset``'s frame: a neutral frame, the platform's covered areas in
    translucent red, the logo blended at its opacity. Drawn with Pillow (instant: Settings redraws it on each change)."""
    preset = get_preset(preset)
    height = round(width * preset.height / preset.width)
    frame = Image.new("RGBA", (width, height), (96, 104, 112, 255))
    shade = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    for zone in zones_for(preset):
        x, y, w, h = zone.pixels(width, height)
        shade.paste((255, 59, 48, 110), (x, y, x + w, y + h))
    frame.alpha_composite(shade)
    scale = width / preset.width
    x, y, w, h = logo_box(watermark, preset, logo_pixels(watermark.logo))
    with Image.open(watermark.logo) as image:
        logo = image.convert("RGBA").resize((max(1, round(w * scale)), max(1, round(h * scale))),
                                            Image.Resampling.LANCZOS)
    alpha = logo.getchannel("A").point(lambda a: round(a * watermark.opacity))
    logo.putalpha(alpha)
    frame.alpha_composite(logo, (round(x * scale), round(y * scale)))
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_suffix(".partial.png")
    frame.convert("RGB").save(partial, format="PNG")
    partial.replace(output)
    return output
