"""A draft preview's audio costs a fraction of the final's: it reuses the loudness measured for the same mix,
skips the check of the encoded file (a preview is never published) and limits without oversampling."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from editfactory.media import loudness
from editfactory.media.presets import draft_preset
from editfactory.media.render import RenderSpec, render_clip
from editfactory.media.runner import FFMPEG_ENV, ffmpeg_path
from media_helpers import TEST_PRESET, ffmpeg


@pytest.fixture
def logged_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real ffmpeg behind a script that writes down each command line it is given."""
    log = tmp_path / "ffmpeg-calls.log"
    script = tmp_path / "ffmpeg"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{ffmpeg_path()}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv(FFMPEG_ENV, str(script))
    log.touch()
    return log


def loudness_passes(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if "loudnorm=" in line and "print_format" in line
            or "ebur128" in line]


def own_voiceover(voiceover: Path, tmp_path: Path) -> Path:
    # A copy of its own, so no other test's measurement of the shared fixture is reused.
    return Path(shutil.copy(voiceover, tmp_path / "voice.wav"))


def test_a_draft_after_the_final_measures_nothing_again(plain_source, voiceover, logged_ffmpeg, tmp_path):
    voice = own_voiceover(voiceover, tmp_path)
    spec = RenderSpec(segments=[(plain_source, 0.0, 3.5)], voiceover=voice, preset=TEST_PRESET)
    render_clip(spec, tmp_path / "final.mp4")
    assert len(loudness_passes(logged_ffmpeg)) >= 2, "the final measures the mix and checks its encoded file"
    logged_ffmpeg.write_text("")
    draft = RenderSpec(segments=[(plain_source, 0.0, 3.5)], voiceover=voice, preset=draft_preset(TEST_PRESET))
    render_clip(draft, tmp_path / "draft.mp4")
    assert loudness_passes(logged_ffmpeg) == []


def test_a_draft_alone_lands_near_the_loudness_target(plain_source, voiceover, tmp_path):
    voice = own_voiceover(voiceover, tmp_path)
    preset = draft_preset(TEST_PRESET)
    render_clip(RenderSpec(segments=[(plain_source, 0.0, 3.5)], voiceover=voice, preset=preset), tmp_path / "d.mp4")
    measured = loudness.measure_file(tmp_path / "d.mp4", timeout=60)
    assert abs(measured.integrated - preset.loudness_lufs) <= 1.0, measured
    assert measured.true_peak <= preset.true_peak_db + 0.5, measured


def test_a_voiceover_made_again_at_the_same_path_is_measured_again(voiceover, tmp_path):
    import ffmpeg as ffmpeg_python

    voice = own_voiceover(voiceover, tmp_path)

    def measured() -> float:
        stream = ffmpeg_python.input(str(voice)).audio
        return loudness.measure(stream, target_lufs=-14.0, true_peak_db=-1.0, timeout=60).integrated

    quiet = measured()
    assert measured() == quiet
    ffmpeg("-f", "lavfi", "-i", "sine=f=220:sample_rate=22050", "-t", "3", str(voice))  # louder, same path
    assert measured() > quiet + 6
