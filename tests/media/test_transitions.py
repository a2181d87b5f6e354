"""Transitions between segments, checked on encoded clips: the length is the cut clip's, a crossfade's middle is a
blend of both shots, slide and zoom draw differently, none lasts over 0.3 s, captions keep their timing and a cut
moved onto a beat keeps its transition's switch on the beat (within a frame)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from media_helpers import TEST_PRESET, ffmpeg
from music_tracks import kick_times, make_track
from PIL import Image

from editfactory.core.errors import ValidationError
from editfactory.media.beatcuts import beats_in_clip, snap_cuts
from editfactory.media.captions import CaptionStyle
from editfactory.media.music import MusicBed, MusicOptions
from editfactory.media.music_analysis import analyze_track
from editfactory.media.presets import draft_preset
from editfactory.media.probe import probe
from editfactory.media.render import RenderSegment, RenderSpec, render_clip
from editfactory.media.runner import ffmpeg_path
from editfactory.media.spec import render_key
from editfactory.media.transitions import MAX_DURATION, TRANSITIONS, Transition, plan

FPS = TEST_PRESET.fps
RED, BLUE, LIME = np.array([255.0, 0, 0]), np.array([0.0, 0, 255]), np.array([0.0, 255, 0])
CUT_FRAME = 30  # the first segment lasts 1 s


def frames_of(path: Path, width: int = TEST_PRESET.width, height: int = TEST_PRESET.height) -> np.ndarray:
    raw = subprocess.run([ffmpeg_path(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         check=True, capture_output=True, timeout=120).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width, 3).astype(np.float64)


def share_of(frames: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How far each frame's mean colour has gone from colour ``a`` toward ``b`` (0 = all a, 1 = all b)."""
    means = frames.mean(axis=(1, 2))
    return (means - a) @ (b - a) / ((b - a) @ (b - a))


def switch_time(shares: np.ndarray, around: int, fps: int = FPS) -> float:
    """Clip time where the picture is half one shot and half the next, interpolated between frames (a hard cut's
    is its first frame of the next shot)."""
    window = range(max(around - 15, 1), min(around + 15, len(shares)))
    k = next(i for i in window if shares[i] >= 0.5)
    if shares[k - 1] >= 0.5 or shares[k] - shares[k - 1] > 0.99:  # a hard cut
        return k / fps
    return (k - 1 + (0.5 - shares[k - 1]) / (shares[k] - shares[k - 1])) / fps


@pytest.fixture(scope="module")
def colours(media_dir) -> dict[str, Path]:
    paths = {}
    for colour in ("red", "blue", "lime", "yellow", "magenta"):
        path = media_dir / f"transition-{colour}.mp4"
        ffmpeg("-f", "lavfi", "-i", f"color=c={colour}:size=320x240:rate=30:duration=4", "-c:v", "libx264",
               "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path))
        paths[colour] = path
    return paths


@pytest.fixture(scope="module")
def boxed(media_dir) -> Path:
    """Red with a white square in the middle: a zoom shows as the square growing."""
    path = media_dir / "transition-boxed.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:size=320x240:rate=30:duration=4,drawbox=x=130:y=90:w=60:h=60:"
           "color=white:t=fill", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path))
    return path


def two_shots(colours) -> list[RenderSegment]:
    # Both from inside their sources, so the transition has footage on both sides of the cut.
    return [RenderSegment(colours["red"], 1.0, 2.0), RenderSegment(colours["blue"], 1.0, 2.5)]


@pytest.fixture(scope="module")
def rendered(colours, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("transitions")
    out = {}
    for name in TRANSITIONS:
        out[name] = folder / f"{name}.mp4"
        render_clip(RenderSpec(segments=two_shots(colours), caption_style=None, preset=TEST_PRESET,
                               transition=Transition(name)), out[name])
    return out


def test_every_transition_keeps_the_clips_length(rendered):
    cut = probe(rendered["cut"], count_frames=True)
    assert cut.frame_count == 75
    for name, path in rendered.items():
        info = probe(path, count_frames=True)
        assert (info.frame_count, info.duration) == (cut.frame_count, pytest.approx(cut.duration, abs=1e-3)), name


def test_the_middle_of_a_crossfade_is_a_blend_of_both_shots(rendered):
    frames = frames_of(rendered["crossfade"])
    middle = frames[CUT_FRAME]
    assert middle.std(axis=(0, 1)).max() < 3  # the same blend everywhere, not two halves
    assert middle.mean(axis=(0, 1)) == pytest.approx((RED + BLUE) / 2, abs=12)
    shares = share_of(frames, RED, BLUE)
    blended = np.flatnonzero((shares > 0.05) & (shares < 0.95))
    assert len(blended) >= 4 and np.all(np.diff(shares[blended]) > 0)  # a gradual change, red to blue
    # Outside the transition every frame is the cut clip's frame at that time.
    cut = frames_of(rendered["cut"])
    outside = [i for i in range(len(frames)) if i not in range(blended[0] - 1, blended[-1] + 2)]
    assert np.abs(frames[outside] - cut[outside]).max() < 8


def test_slide_and_zoom_draw_differently_from_a_crossfade(rendered, boxed, colours, tmp_path):
    fade, slide, zoom = (frames_of(rendered[name]) for name in ("crossfade", "slide", "zoom"))
    # Half-way through the slide the next shot has pushed in from the right: red on the left, blue on the right.
    middle = slide[CUT_FRAME]
    width = middle.shape[1]
    assert middle[:, : width // 3].mean(axis=(0, 1)) == pytest.approx(RED, abs=12)
    assert middle[:, -width // 3:].mean(axis=(0, 1)) == pytest.approx(BLUE, abs=12)
    assert np.abs(slide[CUT_FRAME - 3:CUT_FRAME + 3] - fade[CUT_FRAME - 3:CUT_FRAME + 3]).mean() > 40
    # The zoom moves into the outgoing shot before blending: its square grows, then the blend is faster.
    out = tmp_path / "zoom-box.mp4"
    render_clip(RenderSpec(segments=[RenderSegment(boxed, 1.0, 2.0), RenderSegment(colours["blue"], 1.0, 2.5)],
                           caption_style=None, preset=TEST_PRESET, transition=Transition("zoom")), out)
    boxes = frames_of(out)

    def white_width(frame: np.ndarray) -> int:
        return int(((frame > 200).all(axis=2)).any(axis=0).sum())

    assert white_width(boxes[CUT_FRAME - 2]) > 1.15 * white_width(boxes[CUT_FRAME - 12])
    assert np.abs(zoom[CUT_FRAME - 3:CUT_FRAME + 3] - fade[CUT_FRAME - 3:CUT_FRAME + 3]).mean() > 10


@pytest.mark.parametrize("name", ["crossfade", "slide", "zoom"])
def test_no_transition_lasts_longer_than_its_limit_and_its_switch_is_on_the_cut(rendered, name):
    frames = frames_of(rendered[name])
    # Frames that show anything but the plain red or blue shot.
    mixed = [i for i, frame in enumerate(frames)
             if min(np.abs(frame - RED).mean(), np.abs(frame - BLUE).mean()) > 6]
    assert mixed and (mixed[-1] - mixed[0] + 1) <= round(MAX_DURATION * FPS), mixed
    assert abs(switch_time(share_of(frames, RED, BLUE), CUT_FRAME) - CUT_FRAME / FPS) <= 1 / FPS / 2


def test_a_transition_longer_than_the_limit_or_unknown_is_refused():
    with pytest.raises(ValidationError, match="at most 0.3 s"):
        Transition("crossfade", 0.5)
    with pytest.raises(ValidationError, match="crossfade"):
        Transition("wipe")
    # A cut has no duration: every cut is the same spec.
    assert render_key(RenderSpec(transition=Transition("cut", 0.1))) == render_key(RenderSpec())
    assert render_key(RenderSpec(transition=Transition("crossfade"))) != render_key(RenderSpec())


def test_short_segments_get_shorter_transitions_that_never_meet():
    a = Path("a.mp4")
    segments = [RenderSegment(a, 1.0, 2.0), RenderSegment(a, 3.0, 3.2), RenderSegment(a, 4.0, 5.0)]
    joining = plan(segments, [30, 6, 30], Transition("crossfade"), FPS, {a: 10.0})
    # The middle 6-frame segment gives each of its transitions half of itself (3 frames); its neighbours have room.
    assert joining.overlaps == ((4, 3), (3, 3))
    assert joining.frames == (33, 4 + 6 + 3, 33)
    # A one-frame segment between two others: plain cuts on both sides.
    assert plan(segments, [30, 1, 30], Transition("zoom"), FPS, {a: 10.0}).overlaps == ((0, 0), (0, 0))


def test_a_segment_at_the_start_of_its_source_holds_its_first_frame(colours, tmp_path):
    out = tmp_path / "edge.mp4"
    segments = [RenderSegment(colours["red"], 3.0, 4.0), RenderSegment(colours["blue"], 0.0, 1.0)]
    joining = plan(segments, [30, 30], Transition("crossfade"), FPS, {colours["red"]: 4.0, colours["blue"]: 4.0})
    assert joining.held == ((0, 4), (4, 0))
    render_clip(RenderSpec(segments=segments, caption_style=None, preset=TEST_PRESET,
                           transition=Transition("crossfade")), out)
    frames = frames_of(out)
    assert len(frames) == 60
    assert switch_time(share_of(frames, RED, BLUE), CUT_FRAME) == pytest.approx(CUT_FRAME / FPS, abs=0.5 / FPS)


def test_photos_and_fit_framing_cross_fade_and_keep_the_length(colours, tmp_path):
    photo = tmp_path / "green.png"
    Image.new("RGB", (600, 800), (0, 255, 0)).save(photo)
    # A fit-framed landscape video (blurred copy of itself around it: all blue), then the photo, then a fill one.
    segments = [RenderSegment(colours["blue"], 1.0, 2.0, "fit"), RenderSegment(photo, 0.0, 1.0),
                RenderSegment(colours["red"], 1.0, 2.0)]
    lengths = {}
    for name in ("cut", "crossfade"):
        out = tmp_path / f"{name}.mp4"
        render_clip(RenderSpec(segments=segments, caption_style=None, preset=TEST_PRESET,
                               transition=Transition(name)), out)
        lengths[name] = probe(out, count_frames=True).frame_count
        frames = frames_of(out)
    assert lengths["cut"] == lengths["crossfade"] == 90
    blue_to_green = share_of(frames, BLUE, LIME)
    green_to_red = share_of(frames, LIME, RED)
    assert frames[CUT_FRAME].mean(axis=(0, 1)) == pytest.approx((BLUE + LIME) / 2, abs=15)
    assert switch_time(blue_to_green, CUT_FRAME) == pytest.approx(1.0, abs=0.5 / FPS)
    assert switch_time(green_to_red, 2 * CUT_FRAME) == pytest.approx(2.0, abs=0.5 / FPS)


def test_a_draft_cross_fades_like_the_final_render(colours, tmp_path):
    out = tmp_path / "draft.mp4"
    preset = draft_preset(TEST_PRESET)
    render_clip(RenderSpec(segments=two_shots(colours), caption_style=None, preset=preset,
                           transition=Transition("crossfade")), out)
    frames = frames_of(out, preset.width, preset.height)
    assert len(frames) == 75
    assert switch_time(share_of(frames, RED, BLUE), CUT_FRAME) == pytest.approx(1.0, abs=0.5 / FPS)


def test_captions_keep_their_timing(colours, voiceover, tmp_path):
    words = [("Salut", 0.3, 0.8), ("ce", 0.85, 1.2), ("faceți", 1.25, 1.9), ("azi?", 2.0, 2.4)]
    style = CaptionStyle(highlight_current_word=False, max_words_per_cue=1, size=60)
    segments = [RenderSegment(colours["red"], 1.0, 2.0), RenderSegment(colours["blue"], 1.0, 2.5),
                RenderSegment(colours["red"], 0.5, 1.5)]
    text = {}
    for name in ("cut", "crossfade"):
        out = tmp_path / f"{name}.mp4"
        render_clip(RenderSpec(segments=segments, voiceover=voiceover, words=words, caption_style=style,
                               preset=TEST_PRESET, transition=Transition(name)), out)
        frames = frames_of(out)
        text[name] = (frames > 200).all(axis=3).sum(axis=(1, 2))  # white letters, whatever the footage under them
    assert len(text["cut"]) == len(text["crossfade"]), (text["cut"].tolist(), text["crossfade"].tolist())
    shown = text["cut"] > 30
    assert shown.any() and np.array_equal(shown, text["crossfade"] > 30)
    # The same word on every frame: the white letter area matches (the outline's edge may blend differently).
    assert np.abs(text["cut"] - text["crossfade"]).max() <= 0.1 * text["cut"].max()


def test_every_transition_switch_of_a_rendered_clip_is_on_a_beat(colours, media_dir, tmp_path):
    bpm, first_beat = 120.0, 0.25
    track = make_track(media_dir / "transition-beat.flac", bpm=bpm, first_beat=first_beat, seconds=14)
    options = MusicOptions(start=0.4, fade_in=0, fade_out=0)
    bed = MusicBed(track, 14.0, options)
    order = ["red", "lime", "blue", "yellow", "magenta"]
    lengths = [1.3, 0.95, 1.62, 1.18, 1.4]
    segments = [RenderSegment(colours[c], 0.8, 0.8 + length) for c, length in zip(order, lengths)]
    snapped = snap_cuts(segments, beats_in_clip(bed, analyze_track(track).grid.beats, sum(lengths)),
                        {p: 4.0 for p in colours.values()}, fps=FPS)
    assert snapped != segments
    out = tmp_path / "beats.mp4"
    render_clip(RenderSpec(segments=snapped, caption_style=None, preset=TEST_PRESET, music=bed,
                           transition=Transition("crossfade")), out)
    frames = frames_of(out)
    palette = {"red": RED, "lime": LIME, "blue": BLUE, "yellow": np.array([255.0, 255, 0]),
               "magenta": np.array([255.0, 0, 255])}
    kicks = [t - options.start for t in kick_times(bpm, first_beat, 14) if t >= options.start]
    cut = 0.0
    for before, after, segment in zip(order, order[1:], snapped):
        cut += segment.duration
        switch = switch_time(share_of(frames, palette[before], palette[after]), round(cut * FPS))
        nearest = min(kicks, key=lambda k: abs(k - switch))
        assert abs(switch - nearest) <= 1 / FPS + 1e-6, f"the switch at {switch:.3f} s is {switch - nearest:+.3f} s off"
