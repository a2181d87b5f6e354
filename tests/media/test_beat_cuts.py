"""Cuts on the beat: the boundaries between segments move onto the music's beats, segments keep their minimum
length and the clip its length; on a rendered clip every cut lies within one frame of a kick of the track."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from media_helpers import TEST_PRESET, ffmpeg
from music_tracks import kick_times, make_track

from editfactory.media.beatcuts import beats_in_clip, snap_cuts
from editfactory.media.music import MusicBed, MusicOptions
from editfactory.media.music_analysis import analyze_track
from editfactory.media.render import RenderSegment, RenderSpec, render_clip
from editfactory.media.runner import ffmpeg_path
from editfactory.media.selection import MIN_PIECE

BPM, FIRST_BEAT = 120.0, 0.25
COLOURS = ["red", "lime", "blue", "yellow", "magenta"]


def test_cuts_move_to_the_nearest_beat_and_the_clip_keeps_its_length():
    a, b = Path("a.mp4"), Path("b.mp4")
    segments = [RenderSegment(a, 1.0, 2.3), RenderSegment(b, 0.5, 1.4), RenderSegment(a, 3.0, 4.9)]
    beats = [0.15 + 0.5 * k for k in range(10)]
    snapped = snap_cuts(segments, beats, {a: 10.0, b: 10.0})
    cuts = np.cumsum([s.duration for s in snapped])[:-1]
    assert cuts == pytest.approx([1.15, 2.15])
    assert sum(s.duration for s in snapped) == pytest.approx(sum(s.duration for s in segments))
    assert snapped[2].end == segments[2].end and snapped[0].start == segments[0].start  # the ends stay put


def test_a_cut_keeps_minimum_lengths_and_stays_inside_the_footage():
    a = Path("a.mp4")
    # The only near beat would leave the second segment under the minimum length: that cut stays.
    short = [RenderSegment(a, 0.0, 1.0), RenderSegment(a, 2.0, 2.0 + MIN_PIECE + 0.05), RenderSegment(a, 5, 7)]
    assert snap_cuts(short, [1.2], {a: 10.0}) == short
    # The segment before the cut ends where its source ends: it cannot grow; the earlier beat is taken.
    at_end = [RenderSegment(a, 8.0, 10.0), RenderSegment(a, 1.0, 3.0)]
    snapped = snap_cuts(at_end, [1.9, 2.1], {a: 10.0})
    assert snapped[0].end == pytest.approx(9.9) and snapped[1].start == pytest.approx(0.9)
    # No beat within the window: nothing moves.
    assert snap_cuts(at_end, [0.5, 3.5], {a: 10.0}) == at_end


def test_beats_follow_the_start_offset_and_the_loops():
    bed = MusicBed(Path("t.wav"), 6.0, MusicOptions(start=4.0))
    beats = [0.25 + 0.5 * k for k in range(12)]
    clip = beats_in_clip(bed, beats, 9.0)
    assert clip[:4] == pytest.approx([0.25, 0.75, 1.25, 1.75])  # 4.25 s of the track is 0.25 s into the clip
    assert clip[4] == pytest.approx(2.0 - 0.5 + 0.25)  # after the loop (0.5 s crossfade) the track starts again


def cut_times(path: Path, fps: int) -> list[float]:
    """Times of the frames where the picture changes colour (a cut between two solid-colour segments)."""
    raw = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-i", str(path), "-vf", "scale=16:16", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True, timeout=60,
    ).stdout
    frames = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 16 * 16, 3).mean(axis=1)
    changes = np.flatnonzero(np.abs(np.diff(frames, axis=0)).max(axis=1) > 60) + 1
    return [index / fps for index in changes]


@pytest.fixture(scope="module")
def colours(media_dir) -> list[Path]:
    paths = []
    for colour in COLOURS:
        path = media_dir / f"{colour}.mp4"
        ffmpeg("-f", "lavfi", "-i", f"color=c={colour}:size=320x240:rate=30:duration=4", "-c:v", "libx264",
               "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path))
        paths.append(path)
    return paths


def test_every_cut_of_a_rendered_clip_is_on_a_beat(colours, media_dir, tmp_path):
    track = make_track(media_dir / "beat.flac", bpm=BPM, first_beat=FIRST_BEAT, seconds=14)
    grid = analyze_track(track).grid
    options = MusicOptions(start=0.4, fade_in=0, fade_out=0)
    bed = MusicBed(track, 14.0, options)
    lengths = [1.3, 0.95, 1.62, 1.18, 1.4]
    segments = [RenderSegment(path, 0.8, 0.8 + length) for path, length in zip(colours, lengths)]
    duration = sum(lengths)
    snapped = snap_cuts(segments, beats_in_clip(bed, grid.beats, duration), {p: 4.0 for p in colours},
                        fps=TEST_PRESET.fps)
    assert snapped != segments
    out = tmp_path / "on-the-beat.mp4"
    render_clip(RenderSpec(segments=snapped, caption_style=None, preset=TEST_PRESET, music=bed), out)
    cuts = cut_times(out, TEST_PRESET.fps)
    assert len(cuts) == len(segments) - 1, cuts
    kicks = [t - options.start for t in kick_times(BPM, FIRST_BEAT, 14) if t >= options.start]
    frame = 1 / TEST_PRESET.fps
    for cut in cuts:
        nearest = min(kicks, key=lambda k: abs(k - cut))
        assert abs(cut - nearest) <= frame + 1e-6, f"the cut at {cut:.3f} s is {cut - nearest:+.3f} s from a beat"
