"""Output formats of finished clips: platform presets plus the x264 speed setting shared by benchmarks."""

from __future__ import annotations

from dataclasses import dataclass, replace

from editfactory.core.errors import ValidationError


@dataclass(frozen=True)
class RenderPreset:
    """Frame size, rate and encoder settings of one output format."""

    name: str
    width: int
    height: int
    fps: int = 30
    video_codec: str = "libx264"
    profile: str = "high"
    pix_fmt: str = "yuv420p"
    crf: int = 21
    x264_preset: str = "veryfast"
    """x264 speed/quality trade-off; benchmarks use the same one for every variant so comparisons are fair."""
    audio_codec: str = "aac"
    audio_bitrate: str = "160k"
    sample_rate: int = 48_000
    loudness_lufs: float = -14.0
    true_peak_db: float = -1.0

    def with_options(self, **changes) -> RenderPreset:
        return replace(self, **changes)


_VERTICAL = dict(width=1080, height=1920, fps=30)

PRESETS: dict[str, RenderPreset] = {
    "tiktok": RenderPreset("tiktok", **_VERTICAL),
    "reels": RenderPreset("reels", **_VERTICAL),
    "shorts": RenderPreset("shorts", **_VERTICAL),
    "square": RenderPreset("square", width=1080, height=1080, fps=30),
    "landscape": RenderPreset("landscape", width=1920, height=1080, fps=30),
}


DRAFT_SCALE = 0.5
DRAFT_X264_PRESET = "ultrafast"
DRAFT_CRF = 28
DRAFT_SUFFIX = "-draft"
"""Ends the name of a draft preset (``tiktok-draft``)."""


def draft_preset(preset: str | RenderPreset) -> RenderPreset:
    """The fast low-resolution preview of ``preset``: half the size (1080x1920 → 540x960), x264 ultrafast.

    Same frame rate and aspect, so segments, captions and timing look as in the final render.
    """
    final = get_preset(preset)

    def half(side: int) -> int:
        return max(16, int(side * DRAFT_SCALE) // 2 * 2)

    return replace(final, name=f"{final.name}{DRAFT_SUFFIX}", width=half(final.width), height=half(final.height),
                   x264_preset=DRAFT_X264_PRESET, crf=DRAFT_CRF, audio_bitrate="96k")


def get_preset(name: str | RenderPreset) -> RenderPreset:
    """A preset by name (``tiktok``, ``reels``, ``shorts``, ``square``, ``landscape``), or the preset itself."""
    if isinstance(name, RenderPreset):
        preset = name
    else:
        try:
            preset = PRESETS[name]
        except KeyError:
            raise ValidationError(f"Unknown output format {name!r}; choose one of: {', '.join(PRESETS)}.") from None
    if preset.width % 2 or preset.height % 2 or not (16 <= preset.width <= 4096 and 16 <= preset.height <= 4096):
        raise ValidationError(f"Output size {preset.width}x{preset.height} is not usable; use even sizes up to 4096.")
    return preset
