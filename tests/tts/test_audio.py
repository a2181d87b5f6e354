"""Voice audio helpers run ffmpeg through the project's one runner: the configured ffmpeg, with a timeout."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from editfactory.core.errors import MediaError
from editfactory.media.runner import FFMPEG_ENV, ffmpeg_path
from editfactory.tts import audio
from editfactory.tts.cloning import normalize_sample


def fake_ffmpeg(folder: Path, body: str) -> Path:
    path = folder / "ffmpeg"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_the_configured_ffmpeg_is_used_for_voice_audio(monkeypatch, tmp_path, piper_speech):
    real = ffmpeg_path()
    log = tmp_path / "calls.log"
    monkeypatch.setenv(FFMPEG_ENV, str(fake_ffmpeg(tmp_path, f'echo "$@" >> "{log}"\nexec "{real}" "$@"')))
    samples = audio.decode_mono(piper_speech.audio_path, 8000)
    stream = audio.probe_audio_stream(piper_speech.audio_path)
    normalize_sample(piper_speech.audio_path, tmp_path / "normalized.wav")
    assert len(samples) / 8000 == pytest.approx(piper_speech.duration, abs=0.01)
    assert (stream.sample_rate, stream.channels) == (22050, 1)
    assert (tmp_path / "normalized.wav").is_file()
    calls = log.read_text().splitlines()
    assert len(calls) == 3 and all(str(piper_speech.audio_path) in call for call in calls)


def test_a_hanging_ffmpeg_is_stopped_with_a_clear_error(monkeypatch, tmp_path, piper_speech):
    monkeypatch.setenv(FFMPEG_ENV, str(fake_ffmpeg(tmp_path, "exec sleep 600")))
    with pytest.raises(MediaError, match="Reading the audio of speech.wav took longer than 1 s and was stopped"):
        audio.run_ffmpeg(["-i", str(piper_speech.audio_path), "-f", "f32le", "-"],
                         what="Reading the audio of speech.wav", timeout=1.0)


def test_a_failing_decode_says_which_file(tmp_path):
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(b"ID3" + b"\x00" * 64)
    with pytest.raises(MediaError, match="Reading the audio of broken.mp3 failed"):
        audio.decode_mono(broken)
