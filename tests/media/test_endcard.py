"""The end card and the opening hook, checked on encoded frames and the encoded sound of real renders.

The end card extends the clip (media/endcard.py): the clip lasts the voiceover plus the card, the voice is
heard to its end, the card shows for its whole length at the end, the old price is struck through, and every
burned pixel of words and logo lies inside the preset's safe area. Frames are saved to test-artifacts/frames.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from editfactory.core.errors import ValidationError
from editfactory.media import RenderSpec, render_clip
from editfactory.media.captions import SHIPPED_FONTS, font_files
from editfactory.media.endcard import EndCard, OpeningHook, end_card_lines, hook_lines
from editfactory.media.fonts import text_width
from editfactory.media.presets import PRESETS
from editfactory.media.probe import probe
from editfactory.media.runner import ffmpeg_path
from editfactory.media.safe_zones import ZONES, safe_area, zones_for
from editfactory.media.spec import input_files, render_key
from tests.media.media_helpers import TEST_PRESET, ffmpeg, frame_at

FRAMES = Path(__file__).resolve().parents[2] / "test-artifacts" / "frames"
NBSP = "\u00a0"
LONG_NAME = "Organic cotton oversized hoodie with hand-embroidered logo, limited autumn edition Extraordinarily"
BACKGROUND = (0x20, 0x40, 0x80)
OLD_PRICE_GREY = 0xC8


def card(**changes) -> EndCard:
    values = dict(product="Denim jacket", price=f"49,90{NBSP}€", old_price=f"59,90{NBSP}€", badge=f"−17{NBSP}%",
                  cta="Shop now — link in bio", url="shop.example.com", background="#204080", seconds=2.5)
    return EndCard(**{**values, **changes})


@pytest.fixture(scope="module")
def black_source(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("endcard") / "black.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=black:size=320x240:rate=30", "-t", "4", "-c:v", "libx264", "-preset",
           "ultrafast", "-pix_fmt", "yuv420p", str(path))
    return path


@pytest.fixture(scope="module")
def logo(tmp_path_factory) -> Path:
    """A transparent PNG: an orange disc and a white bar."""
    path = tmp_path_factory.mktemp("logo") / "logo.png"
    image = Image.new("RGBA", (400, 160), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, 160, 160), fill=(255, 140, 0, 255))
    draw.rectangle((180, 40, 400, 120), fill=(255, 255, 255, 255))
    image.save(path)
    return path


@pytest.fixture(scope="module")
def with_card(plain_source, voiceover, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("render") / "card.mp4"
    render_clip(RenderSpec(segments=[(plain_source, 0, 4)], voiceover=voiceover, caption_style=None,
                           preset=TEST_PRESET, end_card=card()), out)
    return out


def _samples(path: Path) -> np.ndarray:
    raw = subprocess.run([ffmpeg_path(), "-v", "error", "-i", str(path), "-ac", "1", "-ar", "8000", "-f", "s16le", "-"],
                         check=True, capture_output=True, timeout=60).stdout
    return np.frombuffer(raw, dtype=np.int16).astype(float) / 32768


def _level_db(samples: np.ndarray, start: float, end: float) -> float:
    part = samples[int(start * 8000):int(end * 8000)]
    return 20 * np.log10(np.sqrt(np.mean(part ** 2)) + 1e-9)


def test_the_card_extends_the_clip_by_its_length_and_shows_for_all_of_it(with_card, voiceover):
    voice = probe(voiceover).duration
    assert probe(with_card).duration == pytest.approx(voice + 2.5, abs=0.05)
    for t in (voice + 0.05, voice + 1.2, voice + 2.4):  # from the voice's end to the clip's last frame
        frame = frame_at(with_card, t, TEST_PRESET.width, TEST_PRESET.height).astype(int)
        corner = frame[5:20, 5:20].reshape(-1, 3).mean(axis=0)
        assert np.abs(corner - BACKGROUND).max() < 12, f"card background at {t:.2f} s"
    before = frame_at(with_card, voice - 0.2, TEST_PRESET.width, TEST_PRESET.height).astype(int)
    assert np.abs(before[5:20, 5:20].reshape(-1, 3).mean(axis=0) - BACKGROUND).max() > 40, "footage before the card"


def test_the_voice_is_heard_to_its_end_and_the_card_is_silent(with_card, voiceover):
    samples = _samples(with_card)
    voice = probe(voiceover).duration
    windows = [_level_db(samples, t, t + 0.25) for t in np.arange(0.0, voice - 0.2, 0.25)]
    assert min(windows) > -40, f"the voice is heard in every quarter second up to its end: {windows}"
    assert _level_db(samples, voice - 0.25, voice - 0.02) > -40, "the voice's last moment is not cut"
    assert _level_db(samples, voice + 0.3, voice + 2.4) < -60, "nothing talks over the card"


def _box_of(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return xs.min(), ys.min(), xs.max(), ys.max()


def _longest_run(row: np.ndarray) -> int:
    best = run = 0
    for value in row:
        run = run + 1 if value else 0
        best = max(best, run)
    return best


def _spanned(mask: np.ndarray) -> float:
    """The largest fraction of the text box's width that one row in its middle half covers without a gap."""
    x0, y0, x1, y1 = _box_of(mask)
    quarter = (y1 - y0) // 4
    return max(_longest_run(mask[y, x0:x1 + 1]) for y in range(y0 + quarter, y1 - quarter + 1)) / (x1 - x0 + 1)


def test_the_old_price_is_struck_through(black_source, voiceover, tmp_path):
    out = tmp_path / "strike.mp4"
    render_clip(RenderSpec(segments=[(black_source, 0, 3.5)], voiceover=voiceover, caption_style=None,
                           preset=TEST_PRESET.with_options(width=540, height=960),
                           end_card=card(product="", badge="", cta="", url="")), out)
    frame = frame_at(out, 4.2, 540, 960).astype(int)
    FRAMES.mkdir(parents=True, exist_ok=True)
    Image.fromarray(frame.astype(np.uint8)).save(FRAMES / "endcard-strike.png")
    new = (frame > 235).all(axis=2)  # the price is white, the old price grey (the price's soft edges are too)
    old = (np.abs(frame - OLD_PRICE_GREY) < 30).all(axis=2)
    old[_box_of(new)[1] - 2:] = False
    assert old.sum() > 200, "the old price is drawn above the price"
    assert _box_of(old)[2] - _box_of(old)[0] > 80, "the old price is drawn"
    assert _spanned(old) > 0.95, f"a line runs across the old price's box ({_spanned(old):.2f} of its width)"
    # The same measure on the price (not struck) finds gaps between its characters in every row.
    assert _spanned(new) < 0.6


QUARTER = 4


@pytest.mark.parametrize("preset_name", list(ZONES))
def test_hook_card_and_logo_stay_in_the_safe_area_of_every_preset(preset_name, black_source, voiceover, logo,
                                                                  tmp_path):
    preset = PRESETS[preset_name]
    size = preset.with_options(width=preset.width // QUARTER // 2 * 2, height=preset.height // QUARTER // 2 * 2,
                               x264_preset="superfast")
    width, height = size.width, size.height
    out = tmp_path / f"{preset_name}.mp4"
    render_clip(RenderSpec(segments=[(black_source, 0, 3.5)], voiceover=voiceover, caption_style=None, preset=size,
                           end_card=card(product=LONG_NAME, background="#000000", logo=logo,
                                         url="https://shop.example.com/collections/autumn/organic-hoodie"),
                           hook=OpeningHook("Extraordinarily comfortable: the autumn hoodie is back")), out)
    x0, y0, x1, y1 = safe_area(size).pixels(width, height)
    for t, what in ((0.3, "hook"), (4.5, "end card")):
        frame = frame_at(out, t, width, height)
        drawn = (frame > 40).any(axis=2)
        assert drawn.sum() > 200, f"the {what} is drawn on {preset_name}"
        outside = drawn.copy()
        outside[y0:y1, x0:x1] = False
        assert outside.sum() == 0, f"{outside.sum()} pixels of the {what} outside {preset_name}'s safe area"
        for zone in zones_for(size):
            zx, zy, zw, zh = zone.pixels(width, height)
            assert not drawn[zy:zy + zh, zx:zx + zw].any(), f"the {what} under the {zone.name}"
    orange = (frame[..., 0] > 200) & (frame[..., 1] > 100) & (frame[..., 1] < 180) & (frame[..., 2] < 60)
    assert orange.sum() > 20, "the logo is drawn"


def test_the_hook_shows_in_the_first_one_and_a_half_seconds_only(black_source, voiceover, tmp_path):
    out = tmp_path / "hook.mp4"
    render_clip(RenderSpec(segments=[(black_source, 0, 3.5)], voiceover=voiceover, caption_style=None,
                           preset=TEST_PRESET, hook=OpeningHook("New in: the denim drop")), out)
    assert probe(out).duration == pytest.approx(probe(voiceover).duration, abs=0.05), "a hook alone adds no time"
    for t in (0.0, 0.7, 1.4):
        assert (frame_at(out, t, 270, 480) > 40).any(axis=2).sum() > 300, f"hook shown at {t} s"
    for t in (1.6, 2.0, 2.9):
        assert (frame_at(out, t, 270, 480) > 40).any(axis=2).sum() == 0, f"hook gone at {t} s"


def test_long_words_wrap_then_shrink_and_never_overflow():
    for preset_name in ZONES:
        preset = PRESETS[preset_name]
        safe = safe_area(preset)
        x0, _, x1, _ = safe.pixels(preset.width, preset.height)
        lines = end_card_lines(card(product=LONG_NAME + " " + "W" * 40), preset.width, preset.height, safe)
        lines += hook_lines(OpeningHook("Supercalifragilisticexpialidocious " * 3), preset.width, preset.height, safe)
        regular, bold = font_files("DejaVu Sans")
        for line in lines:
            half = text_width(bold if line.bold else regular, line.text, line.size) / 2 + line.outline
            assert x0 <= line.x - half and line.x + half <= x1, (preset_name, line.text)


def test_the_card_and_hook_are_part_of_the_spec(logo):
    plain = RenderSpec(segments=[("a.mp4", 0, 1)])
    with_logo = RenderSpec(segments=[("a.mp4", 0, 1)], end_card=card(logo=str(logo)))
    assert logo in input_files(with_logo), "the logo is checked to belong to the profile"
    keys = {render_key(plain), render_key(with_logo), render_key(RenderSpec(segments=[("a.mp4", 0, 1)],
                                                                            end_card=card())),
            render_key(RenderSpec(segments=[("a.mp4", 0, 1)], hook=OpeningHook("Hi")))}
    assert len(keys) == 4
    for bad in (dict(seconds=5), dict(background="blue"), dict(font="Comic Sans"), dict(seconds=float("nan"))):
        with pytest.raises(ValidationError):
            card(**bad)
    with pytest.raises(ValidationError, match="needs its words"):
        OpeningHook("  ")
    assert set(SHIPPED_FONTS)  # every shipped font is accepted by both
    for font in SHIPPED_FONTS:
        card(font=font), OpeningHook("Hi", font=font)


def test_frames_of_the_end_card_are_saved_for_review(plain_source, voiceover, logo, tmp_path):
    FRAMES.mkdir(parents=True, exist_ok=True)
    size = PRESETS["tiktok"].with_options(width=540, height=960, x264_preset="superfast")
    for background in ("blur", "#1B2A49"):
        out = tmp_path / "review.mp4"
        render_clip(RenderSpec(segments=[(plain_source, 0, 3.5)], voiceover=voiceover,
                               words=[("Fresh", 0.1, 0.6), ("denim", 0.7, 1.2), ("today!", 1.3, 2.8)], preset=size,
                               end_card=card(background=background, logo=logo),
                               hook=OpeningHook("New in: the denim drop")), out)
        name = "blur" if background == "blur" else "color"
        for t, part in ((0.8, "hook"), (2.0, "middle"), (4.6, "end")):
            Image.fromarray(frame_at(out, t, 540, 960)).save(FRAMES / f"endcard-{name}-{part}.png")
    assert (FRAMES / "endcard-blur-end.png").stat().st_size > 0


def test_captions_stop_before_the_card_and_are_not_frozen_under_it(black_source, voiceover, tmp_path):
    from editfactory.media.captions import CaptionStyle

    voice = probe(voiceover).duration
    words = [("Fresh", 0.2, 1.0), ("denim", 1.1, 2.0), ("today", 2.1, voice)]  # the last word lasts to the voice's end
    style = CaptionStyle(primary_color="#00FF00", highlight_color="#00FF00", size=160, outline=0)
    out = tmp_path / "captions.mp4"
    render_clip(RenderSpec(segments=[(black_source, 0, 3.5)], voiceover=voiceover, words=words, caption_style=style,
                           preset=TEST_PRESET.with_options(width=540, height=960), end_card=card(background="blur")),
                out)

    def green(t: float) -> int:
        frame = frame_at(out, t, 540, 960).astype(int)
        return int((frame[..., 1] - np.maximum(frame[..., 0], frame[..., 2]) > 5).sum())  # a blurred ghost is faint

    assert green(voice - 0.2) > 500, "the last word's caption is shown while it is spoken"
    for t in (voice + 0.1, voice + 1.0, voice + 2.3):
        assert green(t) < 300, f"no caption, not even blurred, under the card at {t:.2f} s: {green(t)} px"
