"""Photos as footage in a rendered clip: smooth zoom and pan measured on the encoded frames, mixed with video."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from media_helpers import TEST_PRESET
from PIL import Image, ImageFilter

from editfactory.media.presets import RenderPreset
from editfactory.media.probe import probe
from editfactory.media.render import RenderSegment, RenderSpec, render_clip
from editfactory.media.runner import ffmpeg_path

MOTION_PRESET = RenderPreset("photo-test", width=540, height=960, fps=30, x264_preset="superfast", crf=16)
"""Half the real vertical size: motion is measured in output pixels, so the test sees what a viewer would."""


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> Path:
    """A 1200x900 photo of soft random texture (every part of it shows motion) with a red marker top-left."""
    rng = np.random.default_rng(7)
    noise = (rng.random((900, 1200)) * 255).astype(np.uint8)
    texture = Image.fromarray(noise).filter(ImageFilter.GaussianBlur(6)).convert("RGB")
    pixels = np.asarray(texture, dtype=np.float64)
    pixels = (pixels - pixels.mean()) * (90 / pixels.std()) + 128  # stretch the blurred noise to a clear texture
    picture = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    picture.paste((230, 20, 20), (0, 0, 120, 90))
    path = tmp_path_factory.mktemp("photos") / "product.png"
    picture.save(path)
    return path


def gray_frames(path: Path, width: int, height: int) -> np.ndarray:
    raw = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        check=True, capture_output=True, timeout=120,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width).astype(np.float64)


def zoom_and_shift(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """The zoom (per pixel from the centre) and shift (px) from frame ``a`` to ``b``, by a least-squares fit to the
    brightness change (Lucas–Kanade over the whole frame): sub-pixel, so rounding shows."""
    gy, gx = np.gradient((a + b) / 2)
    h, w = a.shape
    ys, xs = np.mgrid[0:h, 0:w]
    xs, ys = xs - w / 2, ys - h / 2
    margin = (slice(8, -8), slice(8, -8))
    # b(x) ≈ a(x) - grad·d(x), d = (s*x + tx, s*y + ty)
    columns = [gx * xs + gy * ys, gx, gy]
    design = np.stack([c[margin].ravel() for c in columns], axis=1)
    change = -(b - a)[margin].ravel()
    (s, tx, ty), *_ = np.linalg.lstsq(design, change, rcond=None)
    return float(s), float(tx), float(ty)


def edge_speed(a: np.ndarray, b: np.ndarray) -> float:
    """How far the picture moves between two frames at the frame's edge (px)."""
    s, tx, ty = zoom_and_shift(a, b)
    return float(np.hypot(abs(s) * a.shape[0] / 2 + abs(ty), tx))


def speeds(frames: np.ndarray) -> np.ndarray:
    return np.array([edge_speed(frames[i], frames[i + 1]) for i in range(len(frames) - 1)])


def test_a_photo_moves_slowly_and_smoothly_toward_the_subject(photo, tmp_path):
    spec = RenderSpec(segments=[RenderSegment(photo, 0.0, 2.0, "fill", ((0.0, 0.7),))], caption_style=None,
                      preset=MOTION_PRESET)
    clip = render_clip(spec, tmp_path / "clip.mp4")
    assert probe(clip.path).duration == pytest.approx(2.0, abs=0.05)
    frames = gray_frames(clip.path, 540, 960)
    assert len(frames) == 60
    speed = speeds(frames)
    print("speed px/frame", np.round(speed, 3).tolist())
    assert speed.min() > 0.15, "every frame moves: never a static frame"
    assert speed.max() < 4.0, "slow: a few pixels a frame at most"
    steps = np.abs(np.diff(speed))
    assert steps.max() < 0.25 * np.median(speed), "the speed changes gradually: no jitter"


def test_the_move_pans_toward_a_subject_near_the_edge_and_zooms_in(photo, tmp_path):
    shifts = {}
    for name, track in (("centre", ()), ("right", ((0.0, 0.97),))):
        spec = RenderSpec(segments=[RenderSegment(photo, 0.0, 1.0, "fill", track)], caption_style=None,
                          preset=TEST_PRESET)
        frames = gray_frames(render_clip(spec, tmp_path / f"{name}.mp4").path, TEST_PRESET.width, TEST_PRESET.height)
        fits = [zoom_and_shift(frames[i], frames[i + 1]) for i in range(len(frames) - 1)]
        assert all(s > 0 for s, _, _ in fits), "zooming in all along"
        shifts[name] = sum(tx for _, tx, _ in fits)
    assert abs(shifts["centre"]) < 1.0
    assert shifts["right"] < -5.0, f"the picture slides left as the view pans right to the subject: {shifts}"


def test_photos_and_videos_mix_in_one_clip_with_each_framing(photo, plain_source, tmp_path):
    spec = RenderSpec(
        # The same photo several times: other pieces of it, and one piece twice (one canvas, split).
        segments=[RenderSegment(photo, 0.0, 1.0, "fill"), RenderSegment(plain_source, 0.5, 1.5),
                  RenderSegment(photo, 0.0, 1.5, "fit"), RenderSegment(photo, 2.0, 3.0, "fill"),
                  RenderSegment(photo, 0.0, 1.0, "fill")],
        caption_style=None, preset=TEST_PRESET,
    )
    clip = render_clip(spec, tmp_path / "mixed.mp4")
    assert probe(clip.path).duration == pytest.approx(5.5, abs=0.05), "each photo lasts as long as its segment"
    frames = gray_frames(clip.path, TEST_PRESET.width, TEST_PRESET.height)
    assert len(frames) == 165
    fitted = frames[100]
    # fit: the whole 4:3 photo across the width, its blurred copy above and below (little detail there).
    band = TEST_PRESET.width * 900 // 1200
    top, middle = fitted[: (480 - band) // 2 - 20], fitted[240 - band // 4: 240 + band // 4]
    assert np.abs(np.diff(top, axis=1)).mean() < 0.5 * np.abs(np.diff(middle, axis=1)).mean()
    assert np.abs(frames[10] - frames[11]).mean() > 0.1, "the photo moves"
