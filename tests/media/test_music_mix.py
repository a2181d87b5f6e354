"""Background music in the render: looped with a crossfade or trimmed, faded, leveled under a real voice and ducked
so every word is at least 15 dB over the music — all measured on the ENCODED clip.

The music for the ducking checks lives where a Piper voice has nothing: a 55 Hz kick at 120 BPM and a shimmer of
tones near 12 kHz (Piper speaks at 22.05 kHz, so nothing of it lies above 11 kHz, and little under 70 Hz).
The music's level is then its power in those bands and the voice's its power in 90–8000 Hz, word by word with
Piper's own timings (as ``test_a_real_voice_stays_on_top_of_a_loud_hum`` does for the footage's sound).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from media_helpers import TEST_PRESET
from music_tracks import make_track
from test_audio_mix import RATE, assert_meets_loudness_target, decoded, source_with_sound, stretch

from editfactory.media.music import MusicBed, MusicOptions, pieces
from editfactory.media.render import RenderSpec, render_clip

VOICE_ON_TOP_DB = 15.0
SHIMMER = "0.6*sin(2*PI*55*mod(t\\,0.5))*exp(-6*mod(t\\,0.5))+0.12*(sin(2*PI*11800*t)+sin(2*PI*12300*t))"
SCRIPT = ("Meet the new travel mug. It keeps your coffee hot for twelve hours, and it never leaks in your bag. "
          "Get yours today.")


def band(samples: np.ndarray, low: float, high: float) -> float:
    window = np.hanning(len(samples))
    power = np.abs(np.fft.rfft(samples * window)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    return 10 * math.log10(max(float(power[(freqs > low) & (freqs < high)].sum()), 1e-20))


def music_db(samples: np.ndarray) -> float:
    return 10 * math.log10(10 ** (band(samples, 40, 70) / 10) + 10 ** (band(samples, 11_000, 13_000) / 10))


@pytest.fixture(scope="module")
def voice(tmp_path_factory):
    from editfactory.tts.piper_provider import PiperProvider

    return PiperProvider().synthesize(SCRIPT, "", tmp_path_factory.mktemp("voice") / "voice.wav")


@pytest.fixture(scope="module")
def shimmer(media_dir) -> Path:
    """5.5 s of separable music: shorter than the voiceover, so the render must loop it."""
    return make_track(media_dir / "shimmer.m4a", expression=SHIMMER, seconds=5.5)


def test_music_pieces_cover_the_clip_with_loops():
    bed = MusicBed(Path("t.wav"), 6.0, MusicOptions(start=4.0))
    assert pieces(bed, 1.5) == [(4.0, 2.0)]
    reads = pieces(bed, 10.0)
    assert reads[0] == (4.0, 2.0) and all(r == (0.0, 6.0) for r in reads[1:])
    assert reads[0][1] + sum(length - 0.5 for _, length in reads[1:]) >= 10.0
    assert pieces(MusicBed(Path("t.wav"), 6.0, MusicOptions(start=13.0)), 2.0) == [(1.0, 5.0)]


@pytest.mark.parametrize("with_footage_sound", [False, True])
def test_every_word_is_15_db_over_looped_music(voice, shimmer, media_dir, with_footage_sound, tmp_path):
    footage = source_with_sound(media_dir / "quiet-room.mp4", ["0.05*sin(2*PI*440*t)"] * 2, "stereo", 48_000,
                                seconds=12)
    out = tmp_path / "music.mp4"
    options = MusicOptions(start=2.0, fade_in=0.3, fade_out=0.5)
    render_clip(RenderSpec(segments=[(footage, 0, voice.duration + 0.1)], voiceover=voice.audio_path,
                           caption_style=None, duck_source_audio=with_footage_sound, preset=TEST_PRESET,
                           music=MusicBed(shimmer, 5.5, options)), out)
    assert voice.duration > 5.5 - 2.0 + 3.0, "the clip needs the track to loop"
    mono = decoded(out).mean(axis=1)
    words = [w for w in voice.words if w.end - w.start >= 0.2]
    assert len(words) >= 8
    margins = []
    for word in words:
        spoken = stretch(mono, word.start, word.end)
        margins.append(band(spoken, 90, 8000) - music_db(spoken))
    assert min(margins) >= VOICE_ON_TOP_DB, [(w.word, round(m, 1)) for w, m in zip(words, margins)]
    # The music is there all along (no gap at the loop point): every 100 ms after the fade-in and before the
    # fade-out holds it at no more than 25 dB under its median level.
    windows = [music_db(stretch(mono, t, t + 0.1)) for t in np.arange(0.3, voice.duration - 0.6, 0.1)]
    assert min(windows) >= float(np.median(windows)) - 25, windows
    # ...and it is heard: over the whole clip it sits under the voice, not buried 35 dB down.
    assert -35 <= music_db(mono) - band(mono, 90, 8000) <= -VOICE_ON_TOP_DB, music_db(mono) - band(mono, 90, 8000)
    assert_meets_loudness_target(out)


def test_music_alone_is_trimmed_faded_and_at_the_target(media_dir, tmp_path):
    track = make_track(media_dir / "long.mp3", seconds=20)
    footage = source_with_sound(media_dir / "silent-ish.mp4", ["0"] * 2, "stereo", 48_000, seconds=6)
    out = tmp_path / "music-only.mp4"
    render_clip(RenderSpec(segments=[(footage, 0, 5)], caption_style=None, preset=TEST_PRESET,
                           music=MusicBed(track, 20.0, MusicOptions(fade_in=1.0, fade_out=1.0))), out)
    mono = decoded(out).mean(axis=1)
    assert len(mono) / RATE == pytest.approx(5.0, abs=0.05)
    level = lambda a, b: 20 * math.log10(max(float(np.sqrt(np.mean(np.square(stretch(mono, a, b))))), 1e-9))  # noqa: E731
    assert level(0.0, 0.1) < level(2.0, 3.0) - 12, "fades in"
    assert level(4.9, 5.0) < level(2.0, 3.0) - 12, "fades out"
    assert_meets_loudness_target(out)


def test_a_track_looped_from_its_start_renders(media_dir, tmp_path):
    # The loops of a track played from 0 s read the same stretch of the file: ffmpeg-python merged those reads
    # into one node and refused the graph ("multiple outgoing edges ... a split filter is probably required").
    track = make_track(media_dir / "loop-me.wav", seconds=5.0)
    footage = source_with_sound(media_dir / "twelve.mp4", ["0"] * 2, "stereo", 48_000, seconds=12)
    out = tmp_path / "looped.mp4"
    render_clip(RenderSpec(segments=[(footage, 0, 11)], caption_style=None, preset=TEST_PRESET,
                           music=MusicBed(track, 5.0, MusicOptions(start=0.0))), out)
    mono = decoded(out).mean(axis=1)
    assert len(mono) / RATE == pytest.approx(11.0, abs=0.05)
    quietest = min(float(np.sqrt(np.mean(np.square(stretch(mono, t, t + 0.5))))) for t in np.arange(1.0, 9.5, 0.5))
    assert quietest > 1e-3, "music all along, loops included"
    assert_meets_loudness_target(out)
