"""The logo watermark, checked on encoded frames: its colour, place, opacity and transparency, and that no pixel of
it falls under a platform's interface on any format.

The footage is plain grey, the logo a red frame with a transparent hole (made with Pillow), so every pixel that
differs from grey is the logo's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from editfactory.core.errors import ValidationError
from editfactory.media import RenderSpec, render_clip
from editfactory.media.presets import PRESETS
from editfactory.media.safe_zones import ZONES, safe_area, zones_for
from editfactory.media.spec import input_files, render_key
from editfactory.media.watermark import CORNERS, Watermark, logo_box
from tests.media.media_helpers import ffmpeg, frame_at

GREY = 128
RED = (230, 20, 20)
QUARTER = 4  # each platform's format at a quarter of its size: zones and layout are fractions of the frame


@pytest.fixture(scope="module")
def grey_footage(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("watermark") / "grey.mp4"
    ffmpeg("-f", "lavfi", "-i", f"color=c=0x{GREY:02x}{GREY:02x}{GREY:02x}:size=320x240:rate=30", "-t", "1",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path))
    return path


@pytest.fixture(scope="module")
def framed_logo(tmp_path_factory) -> Path:
    """200x100 px: an opaque red frame 30 px wide around a fully transparent hole."""
    image = Image.new("RGBA", (200, 100), (*RED, 255))
    image.paste((0, 0, 0, 0), (30, 30, 170, 70))
    path = tmp_path_factory.mktemp("logo") / "logo.png"
    image.save(path)
    return path


def _render(footage: Path, watermark: Watermark, preset_name: str, out: Path) -> tuple[np.ndarray, object]:
    preset = PRESETS[preset_name].with_options(width=PRESETS[preset_name].width // QUARTER,
                                               height=PRESETS[preset_name].height // QUARTER, x264_preset="ultrafast")
    render_clip(RenderSpec(segments=[(footage, 0, 0.4)], caption_style=None, preset=preset, watermark=watermark), out)
    return frame_at(out, 0.2, preset.width, preset.height).astype(int), preset


def test_the_logo_is_drawn_in_its_colour_in_the_corner_of_the_safe_area(grey_footage, framed_logo, tmp_path):
    mark = Watermark(framed_logo, corner="top-left", size=0.3, opacity=1.0, margin=0.02)
    frame, preset = _render(grey_footage, mark, "tiktok", tmp_path / "clip.mp4")
    # Where it should be, worked out here from the safe area: its top-left corner plus the margin.
    x0, y0, _, _ = safe_area("tiktok").pixels(preset.width, preset.height)
    margin = round(0.02 * preset.width)
    width, height = round(0.3 * preset.width), round(0.3 * preset.width / 2)
    drawn = np.abs(frame - GREY).max(axis=2) > 40
    ys, xs = np.nonzero(drawn)
    assert abs(xs.min() - (x0 + margin)) <= 1 and abs(ys.min() - (y0 + margin)) <= 1
    assert abs(xs.max() + 1 - (x0 + margin + width)) <= 1 and abs(ys.max() + 1 - (y0 + margin + height)) <= 1
    x, y, w, h = logo_box(mark, preset, (200, 100))
    band = frame[y + 2:y + h * 30 // 100 - 2, x + 2:x + w - 2]  # inside the red frame's top bar
    assert np.abs(band - RED).max() < 30, f"the logo keeps its colour: {band.reshape(-1, 3).mean(axis=0)}"


def test_the_transparent_part_of_the_logo_shows_the_footage(grey_footage, framed_logo, tmp_path):
    mark = Watermark(framed_logo, corner="top-right", size=0.3, opacity=1.0)
    frame, preset = _render(grey_footage, mark, "tiktok", tmp_path / "clip.mp4")
    x, y, w, h = logo_box(mark, preset, (200, 100))
    hole = frame[y + h * 30 // 100 + 3:y + h * 70 // 100 - 3, x + w * 15 // 100 + 3:x + w * 85 // 100 - 3]
    assert hole.size and np.abs(hole - GREY).max() < 12, "the hole is footage, not black or white"
    ring = frame[y + 2:y + 5, x + 2:x + w - 2]
    assert np.abs(ring - RED).max() < 30


def test_opacity_blends_the_logo_with_the_footage(grey_footage, framed_logo, tmp_path):
    mark = Watermark(framed_logo, corner="bottom-left", size=0.3, opacity=0.5)
    frame, preset = _render(grey_footage, mark, "tiktok", tmp_path / "clip.mp4")
    x, y, w, h = logo_box(mark, preset, (200, 100))
    band = frame[y + 2:y + h * 30 // 100 - 2, x + 2:x + w - 2].reshape(-1, 3).mean(axis=0)
    expected = 0.5 * np.array(RED) + 0.5 * GREY
    assert np.abs(band - expected).max() < 14, f"half red, half grey: {band} vs {expected}"


@pytest.mark.parametrize("preset_name", list(ZONES))
def test_no_logo_pixel_falls_in_a_covered_area_in_any_corner(preset_name, grey_footage, framed_logo, tmp_path):
    for corner in CORNERS:
        # The largest logo with no margin: as close to the covered areas as a brand kit can put it.
        mark = Watermark(framed_logo, corner=corner, size=0.5, opacity=1.0, margin=0.0)
        frame, preset = _render(grey_footage, mark, preset_name, tmp_path / f"{corner}.mp4")
        drawn = np.abs(frame - GREY).max(axis=2) > 40
        assert drawn.sum() > 0.3 * np.prod(logo_box(mark, preset, (200, 100))[2:]), f"{corner}: the logo is drawn"
        for zone in zones_for(preset_name):
            zx, zy, zw, zh = zone.pixels(preset.width, preset.height)
            inside = int(drawn[zy:zy + zh, zx:zx + zw].sum())
            assert inside == 0, f"{corner} on {preset_name}: {inside} logo pixels under the {zone.name}"


def test_the_logo_is_an_input_file_of_the_spec_and_part_of_its_key(framed_logo, tmp_path):
    other = tmp_path / "other.png"
    Image.new("RGBA", (200, 100), (0, 0, 255, 255)).save(other)
    plain = RenderSpec(segments=[(tmp_path / "a.mp4", 0, 1)])
    marked = RenderSpec(segments=[(tmp_path / "a.mp4", 0, 1)], watermark=Watermark(framed_logo))
    assert framed_logo in input_files(marked) and framed_logo not in input_files(plain)
    keys = {render_key(plain), render_key(marked), render_key(RenderSpec(segments=plain.segments,
                                                                         watermark=Watermark(other))),
            render_key(RenderSpec(segments=plain.segments, watermark=Watermark(framed_logo, opacity=0.5)))}
    assert len(keys) == 4


@pytest.mark.parametrize("changes", [dict(corner="middle"), dict(size=0.0), dict(size=float("nan")),
                                     dict(opacity=1.5), dict(opacity=True), dict(margin=-0.1), dict(margin="x")])
def test_bad_placements_are_refused_with_a_reason(framed_logo, changes):
    with pytest.raises(ValidationError, match="logo"):
        Watermark(framed_logo, **changes)
