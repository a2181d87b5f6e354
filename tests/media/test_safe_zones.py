"""Captions of every look stay out of every platform's covered areas — checked on burned frames.

Each (preset, look) pair burns a script over black footage with libass, exactly as a render does
(the ASS writer with the preset's safe area, the shipped fonts); every drawn pixel (text, outline, box) is
found by a threshold, and none may fall inside a zone the platform's interface covers. Frames of each look
are saved to test-artifacts/frames.
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from editfactory.media import RenderSpec, render_clip
from editfactory.media.caption_looks import LOOKS
from editfactory.media.captions import FONTS_DIR, write_ass
from editfactory.media.presets import PRESETS, draft_preset
from editfactory.media.runner import ffmpeg_path
from editfactory.media.safe_zones import ZONES, safe_area, zones_for
from editfactory.media.zone_overlay import overlay_frame
from tests.media.media_helpers import ffmpeg, frame_at

FRAMES = Path(__file__).resolve().parents[2] / "test-artifacts" / "frames"
SCRIPT = ["Fresh", "drops", "today!", "Extraordinarily", "cheap", "jeans,", "ȘȚĂ", "gjpqy", "Привет", "Ωμέγα"]
"""Short and very long words, Romanian capitals with marks above and below, descenders, Cyrillic and Greek."""
WORDS = [(word, i * 0.5, i * 0.5 + 0.45) for i, word in enumerate(SCRIPT)]
FPS = 10  # a frame 0.1 s into each word: the pop animation is at its largest then (it peaks at 0.09 s)
QUARTER = 4  # presets at a quarter of their size keep the test fast; zones and layout are fractions


def burned_frames(preset_name: str, look: str, tmp_path: Path) -> tuple[np.ndarray, int, int]:
    preset = PRESETS[preset_name]
    width, height = preset.width // QUARTER, preset.height // QUARTER
    # Grey outline and box on black footage, so every pixel the caption draws is above the threshold.
    style = replace(LOOKS[look], outline_color="#808080")
    ass = write_ass(WORDS, style, width, height, tmp_path / f"{preset_name}-{look}.ass", safe_area(preset))
    duration = len(WORDS) * 0.5
    raw = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-f", "lavfi", "-i", f"color=c=black:s={width}x{height}:r={FPS}:d={duration}",
         "-vf", f"ass=filename={ass}:fontsdir={FONTS_DIR}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True, timeout=120,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width, 3), width, height


@pytest.mark.parametrize("preset_name", list(ZONES))
def test_no_caption_pixel_of_any_look_falls_in_a_covered_area(preset_name, tmp_path):
    for look in LOOKS:
        frames, width, height = burned_frames(preset_name, look, tmp_path)
        drawn = (frames > 40).any(axis=3)
        assert drawn.any(axis=(1, 2)).sum() >= len(WORDS), f"{look}: a caption is drawn for every word"
        for zone in zones_for(preset_name):
            x, y, w, h = zone.pixels(width, height)
            inside = int(drawn[:, y:y + h, x:x + w].sum())
            assert inside == 0, f"{look} on {preset_name}: {inside} caption pixels under the {zone.name}"


def test_every_look_is_saved_as_a_frame_for_review(tmp_path):
    FRAMES.mkdir(parents=True, exist_ok=True)
    backdrop = tmp_path / "backdrop.mp4"  # a colour ramp stands in for footage
    ffmpeg("-f", "lavfi", "-i", "gradients=s=270x480:c0=0x2b5876:c1=0x4e4376:d=6:r=10", "-t", "5",
           "-pix_fmt", "yuv420p", str(backdrop))
    for look, style in LOOKS.items():
        ass = write_ass(WORDS, style, 270, 480, tmp_path / f"{look}.ass", safe_area("tiktok"))
        out = FRAMES / f"look-{look}-tiktok.png"
        # At 0.7 s the second word is being spoken (highlighted, popped and settled).
        ffmpeg("-i", str(backdrop), "-vf", f"ass=filename={ass}:fontsdir={FONTS_DIR}", "-ss", "0.7",
               "-frames:v", "1", str(out))
        assert out.stat().st_size > 0


def test_a_render_lays_captions_out_in_the_safe_area_and_the_overlay_shows_the_zones(voiceover, tmp_path):
    black = tmp_path / "black.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=black:size=270x480:rate=30", "-t", "3", "-c:v", "libx264", "-preset",
           "ultrafast", str(black))
    preset = draft_preset("reels").with_options(width=270, height=480)  # covered like Reels, at a small size
    style = replace(LOOKS["lower-third"], primary_color="#FFFFFF", outline_color="#808080")
    out = tmp_path / "reels.mp4"
    render_clip(RenderSpec(segments=[(black, 0, 3)], voiceover=voiceover, words=WORDS[:5], caption_style=style,
                           preset=preset), out)
    frame = frame_at(out, 0.3, 270, 480)
    drawn = (frame > 60).any(axis=2)
    assert drawn.sum() > 100
    for zone in zones_for(preset):
        x, y, w, h = zone.pixels(270, 480)
        assert not drawn[y:y + h, x:x + w].any(), f"caption under the {zone.name}"
    # The same bottom-heavy look without the safe area sits in the bottom 35 % Reels covers.
    assert LOOKS["lower-third"].vertical_position > zones_for("reels")[2].top

    shown = overlay_frame(out, preset, FRAMES / "overlay-reels.png", at=0.3, width=270)
    picture = frame_at(shown, 0, 270, 480).astype(int)
    red = (picture[..., 0] > 90) & (picture[..., 1] < 60) & (picture[..., 2] < 60)
    bottom = zones_for("reels")[2].pixels(270, 480)
    assert red[bottom[1] + 5:, 80:200].mean() > 0.5, "the covered bottom is tinted"
    assert red[200:240, 60:200].mean() < 0.05, "the safe middle is not"
