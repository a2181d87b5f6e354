"""The cheap loudness measure that levels voice, music and footage sound against each other (ebur128) agrees with
loudnorm's analysis, and reads silence as silence."""

from __future__ import annotations

import ffmpeg
import pytest

from editfactory.media import loudness


@pytest.mark.parametrize("volume_db", [-30.0, -18.0, -6.0])
def test_integrated_loudness_agrees_with_loudnorm(volume_db):
    def tone():  # a chord with a tremolo, so gating and the K-weighting both matter
        expression = "(0.3*sin(2*PI*220*t)+0.2*sin(2*PI*1800*t))*(0.6+0.4*sin(2*PI*3*t))"
        return (ffmpeg.input(f"aevalsrc='{expression}|{expression}':s=48000:d=8", f="lavfi").audio
                .filter("volume", f"{volume_db}dB"))

    full = loudness.measure(tone(), target_lufs=-14.0, true_peak_db=-1.0, timeout=60)
    quick = loudness.integrated_loudness(tone(), timeout=60)
    assert quick == pytest.approx(full.integrated, abs=0.2)


def test_silence_measures_as_silence():
    silent = ffmpeg.input("anullsrc=r=48000:cl=stereo", f="lavfi", t=3).audio
    assert loudness.integrated_loudness(silent, timeout=60) <= loudness.SILENCE_LUFS
