"""The one ffmpeg runner: a progress callback that raises stops ffmpeg and reaches the caller."""

from __future__ import annotations

import os

import psutil
import pytest

from editfactory.media.runner import run_ffmpeg


class ProfileBusy(Exception):
    pass


def ffmpeg_children() -> list[psutil.Process]:
    return [p for p in psutil.Process(os.getpid()).children(recursive=True) if "ffmpeg" in " ".join(p.cmdline())]


def test_a_progress_callback_that_raises_stops_ffmpeg_and_its_error_reaches_the_caller():
    # The callback used to kill the thread that drains ffmpeg's progress pipe: ffmpeg went on (and, once the pipe
    # was full, blocked until its timeout) while the caller never heard of the error.
    calls: list[float | None] = []

    def busy(message: str, fraction: float | None) -> None:
        calls.append(fraction)
        raise ProfileBusy("profile busy")

    args = ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=120",
            "-stats_period", "0.05", "-progress", "pipe:1", "-f", "null", "-"]
    with pytest.raises(ProfileBusy, match="profile busy"):
        run_ffmpeg(args, timeout=600, what="Encoding", duration=120.0, progress=busy)
    assert len(calls) == 1, "no further reports after the callback failed"
    assert ffmpeg_children() == []


def test_progress_reaches_a_working_callback():
    seen: list[float | None] = []
    args = ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30:duration=3",
            "-stats_period", "0.05", "-progress", "pipe:1", "-f", "null", "-"]
    run_ffmpeg(args, timeout=120, what="Encoding", duration=3.0, progress=lambda message, fraction: seen.append(fraction))
    assert seen and seen == sorted(seen) and seen[-1] == pytest.approx(1.0, abs=0.05)
