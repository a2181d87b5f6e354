"""Analysis decodes once at low rate and size, ranks moving footage first, drops black/frozen/duplicate windows."""

from __future__ import annotations

import threading

import pytest

from editfactory.core.errors import CancelledError
from editfactory.media.analysis import AnalysisOptions, ScoredWindow, analyze_video, snap_to_keyframes

from media_helpers import ffmpeg


def test_moving_windows_rank_above_static_ones(static_then_moving):
    result = analyze_video(static_then_moving, AnalysisOptions(window=2.0))
    assert result.duration == pytest.approx(12.0, abs=0.3)
    moving = [w for w in result.windows if w.start >= 6.0]
    static = [w for w in result.windows if w.end <= 6.0]
    assert moving and static, "both halves should keep at least one window"
    assert all(m.score > s.score for m in moving for s in static)
    assert result.windows[0].start >= 6.0
    assert result.windows == sorted(result.windows, key=lambda w: -w.score)


def test_black_and_frozen_windows_are_dropped(black_frozen_moving):
    result = analyze_video(black_frozen_moving, AnalysisOptions(window=2.0))
    reasons = {(d.start, d.reason) for d in result.dropped}
    assert {(0.0, "black"), (2.0, "black")} <= reasons
    assert {(4.0, "frozen"), (6.0, "frozen")} <= reasons
    assert result.windows and all(w.start >= 8.0 for w in result.windows)


def test_near_duplicate_windows_are_dropped(repeated_shot):
    result = analyze_video(repeated_shot, AnalysisOptions(window=2.0))
    # Three windows show the same shot: only one stays.
    assert len(result.windows) == 1
    assert [d.reason for d in result.dropped] == ["duplicate", "duplicate"]


def test_moving_footage_after_black_is_kept_whole(frozen_black_pan_frozen):
    # The pan's windows share 16x9 block means; they were dropped as "duplicates" of each other (only 14–18 kept).
    result = analyze_video(frozen_black_pan_frozen, AnalysisOptions(window=2.0, keyframe_snap=0))
    assert sorted((w.start, w.end) for w in result.windows) == [(12.0, 14.0), (14.0, 16.0), (16.0, 18.0)]
    reasons = {d.start: d.reason for d in result.dropped}
    assert reasons == {0.0: "frozen", 2.0: "frozen", 4.0: "frozen", 6.0: "black", 8.0: "black", 10.0: "black",
                       18.0: "frozen", 20.0: "frozen", 22.0: "frozen"}


def test_dark_footage_with_motion_is_kept_and_static_black_is_dropped_as_black(black_then_dark_moving):
    result = analyze_video(black_then_dark_moving, AnalysisOptions(window=2.0, keyframe_snap=0))
    assert {(d.start, d.reason) for d in result.dropped} == {(0.0, "black"), (2.0, "black"), (4.0, "black")}
    assert sorted(w.start for w in result.windows) == [6.0, 8.0, 10.0]
    assert all(w.brightness < 0.1 for w in result.windows), "the kept footage is as dark as black's mean luma limit"


def test_progress_is_reported(static_then_moving):
    seen: list[float] = []
    analyze_video(static_then_moving, progress=lambda message, fraction: seen.append(fraction))
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 2


def test_cancel_stops_analysis(static_then_moving):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        analyze_video(static_then_moving, cancel=cancel)


def starts(result) -> list[float]:
    return sorted(w.start for w in result.windows)


def test_windows_start_on_a_nearby_keyframe_when_keyframes_are_sparse(long_gop_source):
    result = analyze_video(long_gop_source, AnalysisOptions(window=2.0))
    # Keyframes at 0, 4.4 and 8.8 s: only the 4–6 s window has one in its first half-second.
    assert starts(result) == [0.0, 2.0, 4.4, 6.0, 8.0]
    snapped = next(w for w in result.windows if w.start == 4.4)
    assert snapped.end == 6.0, "the window keeps its end, so it holds only footage that was scored"
    assert starts(analyze_video(long_gop_source, AnalysisOptions(window=2.0, keyframe_snap=0))) == [0.0, 2.0, 4.0, 6.0, 8.0]


def test_phone_like_keyframe_spacing_keeps_the_grid(media_dir):
    path = media_dir / "gop_1_5.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "8", "-c:v", "libx264", "-preset", "ultrafast",
           "-g", "45", "-sc_threshold", "0", str(path))
    # A keyframe at 4.5 s lies within the snap distance of the 4 s window, but 1.5 s spacing makes seeks cheap anyway.
    assert starts(analyze_video(path, AnalysisOptions(window=2.0, keyframe_snap=0.6))) == [0.0, 2.0, 4.0, 6.0]


def test_snapped_starts_never_fall_before_the_keyframe():
    window = ScoredWindow(8.0, 10.0, 0.5, 0.1, 0.1, 0.1, 0.5)
    (snapped,) = snap_to_keyframes([window], [0.0, 25 / 3, 50 / 3], 0.5)
    # 8.3333… rounds up to 8.334: an -ss a hair before the keyframe would seek back to the one at 0 s.
    assert snapped.start == 8.334 and snapped.start >= 25 / 3 and snapped.end == 10.0
    assert snap_to_keyframes([window], [0.0, 8.6, 17.2], 0.5) == [window], "a keyframe 0.6 s in is too far"
