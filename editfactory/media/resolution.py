"""How much a source is enlarged in each output format, and the warning a store owner reads when it is too much.

A clip fills its output frame, so a source smaller than the output is enlarged: cropped to fill the frame
(``fill``) more, shown whole over a blurred background (``fit``) less. Import records the enlargement the
profile's default framing leads to (``auto`` unless the profile chose another, :mod:`editfactory.media.framing`)
and warns about it; both others are kept next to it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from editfactory.media.framing import DEFAULT_FRAMING, choose_framing
from editfactory.media.presets import PRESETS

UPSCALE_WARNING = 2.0
"""Enlargement beyond which a source is reported as too small for an output format: it will look soft."""
BLURRY_UPSCALE = 4.0
"""Enlargement from which the warning says the picture will look blurry rather than soft."""
DEFAULT_PRESET = "tiktok"
"""The output format productions use unless they ask for another (1080x1920)."""
_FORMAT_NAMES = {(1080, 1920): "TikTok/Reels/Shorts", (1080, 1080): "square", (1920, 1080): "landscape"}


@dataclass(frozen=True)
class Enlargement:
    """A source's enlargement in one output size."""

    output: str
    """The output size, ``WxH``."""
    fit: float
    """Enlargement when the whole frame is shown."""
    fill: float
    """Enlargement when the frame is cropped to fill the output."""
    framing: str
    """What the framing asked for (``auto`` by default) comes to here: ``fill`` or ``fit``."""
    upscale: float
    """The enlargement under that framing."""
    shown: str
    """The part of the source that ends up in the output, ``WxH`` source pixels (the effective resolution)."""

    @property
    def too_much(self) -> bool:
        return self.upscale > UPSCALE_WARNING

    def to_dict(self) -> dict:
        return asdict(self)


def enlargement(width: int, height: int, output_width: int, output_height: int, framing: str = DEFAULT_FRAMING) -> Enlargement:
    """How much a ``width`` x ``height`` picture is enlarged in an ``output_width`` x ``output_height`` frame."""
    width, height = max(width, 1), max(height, 1)
    across, down = output_width / width, output_height / height
    fit, fill = min(across, down), max(across, down)
    chosen = choose_framing(framing, width, height, output_width, output_height)
    if chosen == "fill":
        shown = f"{min(width, round(output_width / fill))}x{min(height, round(output_height / fill))}"
    else:
        shown = f"{width}x{height}"
    return Enlargement(f"{output_width}x{output_height}", round(fit, 3), round(fill, 3), chosen,
                       round(fill if chosen == "fill" else fit, 3), shown)


def output_sizes() -> list[tuple[int, int]]:
    """The distinct output sizes of the presets, the default format's first."""
    default = PRESETS[DEFAULT_PRESET]
    sizes = [(default.width, default.height)]
    for preset in PRESETS.values():
        if (preset.width, preset.height) not in sizes:
            sizes.append((preset.width, preset.height))
    return sizes


def enlargements(width: int, height: int, framing: str = DEFAULT_FRAMING) -> dict[str, Enlargement]:
    """The source's enlargement in every output size the presets render to (``WxH`` → it), the default's first."""
    found = [enlargement(width, height, w, h, framing) for w, h in output_sizes()]
    return {e.output: e for e in found}


def _times(factor: float) -> str:
    return f"{factor:.0f}×" if factor >= 3 else f"{factor:.1f}×"


def describe(width: int, height: int, size: Enlargement) -> str | None:
    """A sentence for the store owner when the source is enlarged more than ``UPSCALE_WARNING`` times; else None."""
    if not size.too_much:
        return None
    output_width, output_height = (int(side) for side in size.output.split("x"))
    name = _FORMAT_NAMES.get((output_width, output_height))
    where = f"a {output_width}×{output_height} {name} clip" if name else f"a {output_width}×{output_height} clip"
    look = "will look blurry" if size.upscale >= BLURRY_UPSCALE else "may look soft"
    return (f"This video is {width}×{height}: in {where} it is enlarged about {_times(size.upscale)} and {look}. "
            "Use a sharper original if you have one.")


def upscale_warning(width: int, height: int, framing: str = DEFAULT_FRAMING) -> str | None:
    """The warning for the default format, else for the first other format that enlarges too much; None if fine."""
    for size in enlargements(width, height, framing).values():
        if sentence := describe(width, height, size):
            return sentence
    return None
