"""Probing with ffmpeg itself: sizes, rates, rotation, audio, truncation, unreadable files."""

from __future__ import annotations

import pytest

from editfactory.core.errors import MediaError
from editfactory.media.probe import probe
from editfactory.media.runner import FFMPEG_ENV, ffmpeg_path

from media_helpers import ffmpeg


def test_plain_video(plain_source):
    info = probe(plain_source)
    assert (info.width, info.height) == (320, 240)
    assert info.video_codec == "h264" and info.audio_codec == "aac" and info.has_audio
    assert info.duration == pytest.approx(4.0, abs=0.05)
    assert info.fps == pytest.approx(30.0, abs=0.1)
    assert info.frame_count == 120
    assert info.rotation == 0


def test_rotated_phone_video_reports_upright_size(rotated_source):
    info = probe(rotated_source)
    assert (info.coded_width, info.coded_height) == (320, 240)
    assert info.rotation in (90, 270)
    assert (info.width, info.height) == (240, 320)
    assert not info.has_audio


def test_variable_frame_rate_reports_average(media_dir):
    path = media_dir / "vfr.mkv"
    # 1 s at 30 fps then 1 s at 10 fps: the average is 20 fps.
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30:duration=1", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=1",
           "-filter_complex", "[0:v]settb=1/1000[a];[1:v]settb=1/1000[b];[a][b]concat=n=2:v=1[v]", "-map", "[v]",
           "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "ultrafast", str(path))
    info = probe(path)
    assert info.frame_count == 40
    assert info.fps == pytest.approx(20.0, rel=0.08)


def test_audio_only(media_dir):
    path = media_dir / "tone.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine", "-t", "1", str(path))
    info = probe(path)
    assert info.has_audio and not info.has_video and info.duration == pytest.approx(1.0, abs=0.05)


def test_not_media_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("this is not a video")
    with pytest.raises(MediaError, match="not a media file ffmpeg can read"):
        probe(path)


def test_truncated_file_reports_what_is_really_there(media_dir, tmp_path):
    whole = media_dir / "faststart.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "4", "-c:v", "libx264", "-preset", "ultrafast",
           "-movflags", "+faststart", str(whole))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    info = probe(cut)
    assert info.header_duration == pytest.approx(4.0, abs=0.05)
    assert info.duration < 3.0


def test_configured_ffmpeg_that_does_not_exist(monkeypatch):
    monkeypatch.setenv(FFMPEG_ENV, "/nowhere/ffmpeg")
    with pytest.raises(MediaError, match="unset EDITFACTORY_FFMPEG"):
        ffmpeg_path()
