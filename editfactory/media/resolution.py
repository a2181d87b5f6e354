"""How much a source is enlarged in each output format, and the warning a store owner reads when it is too much.

A clip fills its output frame, so a source smaller than the output is enlarged. How much depends on the framing:
shown whole (``fit``: the frame scaled until it touches the output's sides) it is enlarged least; cropped to fill the
output (``fill``) most. The warning uses the least enlargement — the best any framing can do — so it only speaks
when the footage will look soft however it is framed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from editfactory.media.presets import PRESETS, RenderPreset

UPSCALE_WARNING = 2.0
"""Enlargement beyond which a source is reported as too small for an output format (it will look blurry)."""
DEFAULT_PRESET = "tiktok"
"""The output format productions use unless they ask for another (1080x1920)."""
_FORMAT_NAMES = {(1080, 1920): "TikTok/Reels/Shorts", (1080, 1080): "square", (1920, 1080): "landscape"}


@dataclass(frozen=True)
class Enlargement:
    """A source's enlargement in one output size."""

    output: str
    """The output size, ``WxH``."""
    fit: float
    """Enlargement when the whole frame is shown (the least any framing gives)."""
    fill: float
    """Enlargement when the frame is cropped to fill the output."""

    @property
    def too_much(self) -> bool:
        return self.fit > UPSCALE_WARNING

    def to_dict(self) -> dict:
        return asdict(self)


def enlargement(width: int, height: int, output_width: int, output_height: int) -> Enlargement:
    """How much a ``width`` x ``height`` picture is enlarged in an ``output_width`` x ``output_height`` frame."""
    across, down = output_width / max(width, 1), output_height / max(height, 1)
    return Enlargement(f"{output_width}x{output_height}", round(min(across, down), 3), round(max(across, down), 3))


def output_sizes(presets: dict[str, RenderPreset] | None = None) -> list[tuple[int, int]]:
    """The distinct output sizes of the presets, the default format's first."""
    presets = presets or PRESETS
    sizes = [(presets[DEFAULT_PRESET].width, presets[DEFAULT_PRESET].height)] if DEFAULT_PRESET in presets else []
    for preset in presets.values():
        if (preset.width, preset.height) not in sizes:
            sizes.append((preset.width, preset.height))
    return sizes


def enlargements(width: int, height: int) -> list[Enlargement]:
    """The source's enlargement in every output size the presets render to, the default format's first."""
    return [enlargement(width, height, w, h) for w, h in output_sizes()]


def _times(factor: float) -> str:
    return f"{factor:.0f}×" if factor >= 3 else f"{factor:.1f}×"


def upscale_warning(width: int, height: int, output_width: int, output_height: int) -> str | None:
    """A sentence for the store owner when the source is enlarged more than ``UPSCALE_WARNING`` times; else None."""
    size = enlargement(width, height, output_width, output_height)
    if not size.too_much:
        return None
    name = _FORMAT_NAMES.get((output_width, output_height))
    where = f"a {output_width}×{output_height} {name} clip" if name else f"a {output_width}×{output_height} clip"
    cropped = f" ({_times(size.fill)} when cropped to fill the screen)" if size.fill >= size.fit * 1.2 else ""
    return (
        f"This video is {width}×{height}: in {where} it is enlarged about {_times(size.fit)}{cropped} and will "
        "look blurry. Use a sharper original if you have one."
    )
