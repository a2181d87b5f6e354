"""Framing in the render's one pass: a crop that follows the subject, the whole frame over a blurred background,
and ``auto`` choosing between them — checked on decoded frames of the encoded clips (saved to test-artifacts/frames)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from media_helpers import TEST_PRESET, ffmpeg, frame_at

from editfactory.core.errors import ValidationError
from editfactory.media.analysis import analyze_video
from editfactory.media.framing import (
    FRAMINGS,
    MAX_CROP_POINTS,
    MAX_FILL_UPSCALE,
    MIN_FILL_KEPT,
    choose_framing,
    crop_x_expression,
    fill_geometry,
    resolve_framing,
)
from editfactory.media.presets import draft_preset, get_preset
from editfactory.media.probe import probe
from editfactory.media.render import RenderSegment, RenderSpec, framing_of, render_clip
from editfactory.media.runner import ffmpeg_path
from editfactory.media.subject import MAX_PAN_SPEED

FRAMES = Path(__file__).resolve().parents[2] / "test-artifacts" / "frames"
W, H = TEST_PRESET.width, TEST_PRESET.height
NOISY_GREY = "color=c=0x707070:s={size}:r=30:d=6,noise=alls=20:allf=t+u"


def _subject_source(path: Path, size: str, box: str, x: str, y: str) -> Path:
    """6 s of grey, grainy background (the grain changes every frame) with a red box moving by ``x``/``y``."""
    ffmpeg("-f", "lavfi", "-i", NOISY_GREY.format(size=size), "-f", "lavfi", "-i", f"color=c=red:s={box}:r=30:d=6",
           "-filter_complex", f"[0:v][1:v]overlay=x='{x}':y='{y}',format=yuv420p",
           "-c:v", "libx264", "-preset", "ultrafast", str(path))
    return path


@pytest.fixture(scope="module")
def ultrawide(media_dir) -> Path:
    """640x272 (2.35:1) with the red box near the LEFT edge (its centre at 0.05–0.10 of the width)."""
    return _subject_source(media_dir / "ultrawide_subject_left.mp4", "640x272", "48x64",
                           "24+16*sin(2*PI*t/3)", "104+60*sin(2*PI*t/4)")


@pytest.fixture(scope="module")
def wide(media_dir) -> Path:
    """640x360 (16:9) with the red box near the RIGHT side, drifting (its centre at 0.76–0.88 of the width)."""
    return _subject_source(media_dir / "wide_subject_right.mp4", "640x360", "56x72",
                           "500+40*sin(2*PI*t/4)", "140+50*sin(2*PI*t/5)")


@pytest.fixture(scope="module")
def cornered(media_dir) -> Path:
    """640x360 moving test picture with a blue, red, green and yellow square in its four corners (each unlike the
    colour bar under it)."""
    path = media_dir / "corners.mp4"
    boxes = ",".join(f"drawbox=x={x}:y={y}:w=48:h=48:color={c}:t=fill" for x, y, c in
                     (("0", "0", "blue"), ("592", "0", "red"), ("0", "312", "lime"), ("592", "312", "yellow")))
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=30:duration=2,{boxes},format=yuv420p",
           "-c:v", "libx264", "-preset", "ultrafast", str(path))
    return path


@pytest.fixture(scope="module")
def tiny(media_dir) -> Path:
    path = media_dir / "tiny_176x144.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=176x144:rate=30:duration=2", "-c:v", "libx264", "-preset", "ultrafast",
           "-pix_fmt", "yuv420p", str(path))
    return path


def _analyzed_segments(path: Path, framing: str) -> list[RenderSegment]:
    windows = sorted(analyze_video(path).windows, key=lambda w: w.start)
    return [RenderSegment(path, w.start, w.end, framing, w.subject_track, w.subject_spread) for w in windows]


def _render(segments, out: Path):
    return render_clip(RenderSpec(segments=segments, caption_style=None, preset=TEST_PRESET), out)


def _save(frame: np.ndarray, name: str) -> None:
    FRAMES.mkdir(parents=True, exist_ok=True)
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
                    f"{frame.shape[1]}x{frame.shape[0]}", "-i", "-", str(FRAMES / f"{name}.png")],
                   input=frame.tobytes(), check=True, timeout=60)


def _mask(frame: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """Pixels close to a saturated ``colour`` (channels at 0 or 255), allowing for x264 and chroma subsampling."""
    rgb = frame.astype(np.int32)
    want = np.array(colour)
    return (np.abs(rgb - want) < 90).all(axis=2)


def _red(frame: np.ndarray) -> np.ndarray:
    return _mask(frame, (255, 0, 0))


def test_analysis_finds_the_subject_at_the_side_of_ultrawide_footage(ultrawide):
    windows = analyze_video(ultrawide).windows
    assert len(windows) == 3
    for window in windows:
        assert 0.03 < window.subject_x < 0.15  # the box's centre is at 0.05–0.10 of the width
        assert window.subject_spread < 0.2
        assert all(0.0 <= x < 0.2 for _, x in window.subject_track)
        assert window.scores()["subject_track"] == window.subject_track  # lands in the segment's scores JSON


def test_auto_fits_ultrawide_footage_and_the_subject_is_in_the_clip(ultrawide, tmp_path):
    segments = _analyzed_segments(ultrawide, "auto")
    info = probe(ultrawide, count_frames=False)
    assert {framing_of(s, info, TEST_PRESET) for s in segments} == {"fit"}
    out = tmp_path / "auto.mp4"
    _render(segments, out)
    for at in (0.5, 2.5, 4.5):
        frame = frame_at(out, at, W, H)
        _save(frame, f"ultrawide-auto-fit-{at}s")
        assert _red(frame).sum() >= 20, f"the red subject is missing from the clip at {at} s"


def test_fill_crops_on_the_subject_where_the_centre_crop_loses_it(ultrawide, tmp_path):
    following, centred = tmp_path / "fill.mp4", tmp_path / "centre.mp4"
    _render(_analyzed_segments(ultrawide, "fill"), following)
    _render([RenderSegment(ultrawide, 0.0, 6.0, "fill")], centred)  # no track: the old centre crop
    for at in (0.5, 2.5, 4.5):
        frame, centre = frame_at(following, at, W, H), frame_at(centred, at, W, H)
        _save(frame, f"ultrawide-fill-following-{at}s")
        _save(centre, f"ultrawide-fill-centre-{at}s")
        assert _red(frame).sum() >= 0.05 * W * H, f"the crop lost the subject at {at} s"
        assert _red(centre).sum() == 0  # the test can tell: the centre crop would not show it


def test_fill_follows_a_subject_near_the_side_of_16_9_footage_without_jitter(wide, tmp_path):
    segments = _analyzed_segments(wide, "auto")
    info = probe(wide, count_frames=False)
    assert {framing_of(s, info, TEST_PRESET) for s in segments} == {"fill"}
    for segment in segments:
        times = [t for t, _ in segment.track]
        xs = [x for _, x in segment.track]
        assert all(0.7 < x < 0.95 for x in xs)
        speeds = [abs(b - a) / (tb - ta) for a, b, ta, tb in zip(xs, xs[1:], times, times[1:])]
        assert max(speeds) <= MAX_PAN_SPEED + 1e-3  # frame widths per second: no jumps, no jitter
    out = tmp_path / "wide.mp4"
    _render(segments, out)
    centres = []
    for at in np.arange(0.25, 6.0, 0.5):
        frame = frame_at(out, float(at), W, H)
        if at in (0.25, 2.75, 5.25):
            _save(frame, f"wide-fill-following-{at:.2f}s")
        red = _red(frame)
        assert red.sum() >= 0.04 * W * H, f"the crop lost the subject at {at:.2f} s"
        centres.append(float(np.nonzero(red)[1].mean()) / W)
    # The subject stays inside the crop, and away from its edges most of the time.
    assert 0.15 < float(np.median(centres)) < 0.85


def test_fit_shows_the_whole_frame_over_a_blurred_background(cornered, tmp_path):
    out = tmp_path / "fit.mp4"
    _render([RenderSegment(cornered, 0.0, 2.0, "fit")], out)
    frame = frame_at(out, 1.0, W, H)
    _save(frame, "corners-fit")
    picture = round(W * 360 / 640)  # the source scaled to the output's width
    top = (H - picture) // 2
    for name, colour, rows, cols in (("blue", (0, 0, 255), slice(top, top + 30), slice(0, 30)),
                                     ("red", (255, 0, 0), slice(top, top + 30), slice(W - 30, W)),
                                     ("green", (0, 255, 0), slice(top + picture - 30, top + picture), slice(0, 30)),
                                     ("yellow", (255, 255, 0), slice(top + picture - 30, top + picture), slice(W - 30, W))):
        assert _mask(frame[rows, cols], colour).mean() > 0.3, f"the {name} corner of the source is not in the clip"
    gray = frame.astype(np.float32).mean(axis=2)

    def high_frequency(band: np.ndarray) -> float:
        return float(np.abs(4 * band[1:-1, 1:-1] - band[:-2, 1:-1] - band[2:, 1:-1] - band[1:-1, :-2] - band[1:-1, 2:]).mean())

    background = np.concatenate([gray[4:top - 6], gray[top + picture + 6:H - 4]])
    assert high_frequency(background) < 0.25 * high_frequency(gray[top + 6:top + picture - 6])
    assert high_frequency(background) < 3.0
    assert background.std() > 2.0  # a picture (of the footage), not a plain bar


def test_auto_fits_a_tiny_phone_clip(tiny, tmp_path):
    info = probe(tiny, count_frames=False)
    assert choose_framing("auto", info.width, info.height, 1080, 1920) == "fit"  # 13x for a crop
    assert framing_of(RenderSegment(tiny, 0.0, 2.0, "auto"), info, TEST_PRESET) == "fit"
    out = tmp_path / "tiny.mp4"
    _render([RenderSegment(tiny, 0.0, 2.0, "auto")], out)
    frame = frame_at(out, 1.0, W, H)
    _save(frame, "tiny-auto-fit")
    picture = round(W * 144 / 176)
    top = (H - picture) // 2
    band = frame[: top - 4].astype(np.float32).mean(axis=2)
    middle = frame[top + 4: top + picture - 4].astype(np.float32).mean(axis=2)
    assert band.std() < middle.std()  # blurred background above, the sharp picture in the middle


@pytest.mark.parametrize(("size", "spread", "expected"), [
    ((1920, 1080), None, "fill"), ((1280, 720), 0.2, "fill"), ((1080, 1920), None, "fill"),
    ((640, 272), 0.05, "fit"), ((176, 144), None, "fit"), ((640, 360), None, "fit"), ((1920, 1080), 0.8, "fit"),
])
def test_auto_thresholds_for_a_vertical_clip(size, spread, expected):
    preset = get_preset("tiktok")
    assert choose_framing("auto", *size, preset.width, preset.height, spread) == expected


def test_a_draft_frames_as_its_final_render_does(wide):
    # 640x360 is enlarged 5.3x by a crop at 1080x1920 (fit) but only 2.7x at the draft's 540x960.
    info = probe(wide, count_frames=False)
    segment = RenderSegment(wide, 0.0, 2.0, "auto")
    assert framing_of(segment, info, get_preset("tiktok")) == "fit"
    assert framing_of(segment, info, draft_preset("tiktok")) == "fit"


def test_threshold_examples_stated_in_the_docstrings_hold():
    kept_16_9, upscale_720 = fill_geometry(1280, 720, 1080, 1920)
    assert kept_16_9 >= MIN_FILL_KEPT > fill_geometry(2000, 1000, 1080, 1920)[0]
    assert upscale_720 <= MAX_FILL_UPSCALE < fill_geometry(640, 360, 1080, 1920)[1]


def test_bad_framing_is_refused_naming_the_allowed_ones(plain_source, tmp_path):
    out = tmp_path / "bad.mp4"
    with pytest.raises(ValidationError, match="auto, fill, fit"):
        _render([RenderSegment(plain_source, 0.0, 1.0, "zoom")], out)
    assert not out.exists()
    with pytest.raises(ValidationError, match="auto, fill, fit"):
        resolve_framing("stretch", "fill")
    assert resolve_framing(None, "", "fit") == "fit" and resolve_framing() == "auto"
    assert FRAMINGS == ("auto", "fill", "fit")


def test_crop_follows_the_track_in_segment_time():
    # A segment starting at 10 s of its source: the track's 10.5 s point is 0.5 s into the segment.
    expression = crop_x_expression(((10.0, 0.2), (10.5, 0.8)), 10.0)
    assert expression.startswith("clip((0.2000+1.20000*clip(t-0.0000,0,0.5000))*iw-ow/2")
    assert crop_x_expression((), 3.0) == "(iw-ow)/2"


def test_the_track_neither_jitters_nor_jumps_but_still_arrives():
    from editfactory.media.subject import smooth_track

    fps = 4.0
    step = MAX_PAN_SPEED / fps + 1e-9
    jittery = smooth_track([0.2, 0.8] * 10, fps)  # a detection flickering between two places
    assert max(abs(b - a) for a, b in zip(jittery, jittery[1:])) <= step
    moves = [b - a for a, b in zip(jittery, jittery[1:]) if abs(b - a) > 1e-9]
    assert all(m > 0 for m in moves) or all(m < 0 for m in moves)  # no back and forth: it settles, then holds
    assert max(jittery) - min(jittery) < 0.3
    jump = smooth_track([0.2] * 8 + [0.8] * 16, fps)  # the subject moved across: the crop pans, it does not cut
    assert max(abs(b - a) for a, b in zip(jump, jump[1:])) <= step
    assert jump[0] == pytest.approx(0.2, abs=0.04) and jump[-1] == pytest.approx(0.8, abs=0.04)


def test_a_long_track_still_makes_a_crop_ffmpeg_accepts(plain_source):
    # 60 s of track at 4 points a second: ffmpeg refuses an expression of ~90 pieces, so it is resampled.
    track = tuple((t / 4, 0.5 + 0.3 * np.sin(t / 8)) for t in range(241))
    expression = crop_x_expression(track, 0.0)
    assert expression.count("clip(t-") <= MAX_CROP_POINTS - 1
    subprocess.run([ffmpeg_path(), "-v", "error", "-i", str(plain_source), "-t", "1", "-vf",
                    f"crop=100:240:x='{expression.replace(',', chr(92) + ',')}':y=0", "-f", "null", "-"],
                   check=True, timeout=60)
