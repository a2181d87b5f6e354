"""Analysis decodes once at low rate and size, ranks moving footage first, drops black/frozen/duplicate windows."""

from __future__ import annotations

import threading

import pytest

from editfactory.errors import CancelledError
from editfactory.media.analysis import AnalysisOptions, analyze_video


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


def test_progress_is_reported(static_then_moving):
    seen: list[float] = []
    analyze_video(static_then_moving, progress=lambda message, fraction: seen.append(fraction))
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 2


def test_cancel_stops_analysis(static_then_moving):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        analyze_video(static_then_moving, cancel=cancel)
