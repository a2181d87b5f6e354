"""The clip's sound from any mix of sources: with and without sound, mono, stereo, 5.1, any sample rate.

Every figure is measured on the ENCODED clip (decoded again with ffmpeg): per-channel levels of tones
placed in known channels and stretches, and ``ebur128=peak=true`` for loudness and true peak.
"""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from media_helpers import TEST_PRESET, ffmpeg

from editfactory.media.probe import probe
from editfactory.media.render import RenderSpec, render_clip
from editfactory.media.runner import ffmpeg_path

RATE = 48_000
PICTURE = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30"]
H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]


def assert_meets_loudness_target(path: Path) -> None:
    """The encoded file itself, measured with ffmpeg's ebur128: -14 LUFS within 0.5 LU, true peak at most -1 dBTP."""
    stderr = subprocess.run(
        [ffmpeg_path(), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:a", "-af", "ebur128=peak=true",
         "-f", "null", "-"], capture_output=True, text=True, timeout=60, check=True,
    ).stderr
    summary = stderr[stderr.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    assert integrated == pytest.approx(-14.0, abs=0.5), f"{path.name} measures {integrated} LUFS"
    assert peak <= -1.0, f"{path.name} has a true peak of {peak} dBTP"


def decoded(path: Path) -> np.ndarray:
    """The clip's audio as float samples, one column per channel (the clip is stereo at 48 kHz)."""
    raw = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-i", str(path), "-map", "0:a", "-f", "f32le", "-"],
        check=True, capture_output=True, timeout=60,
    ).stdout
    return np.frombuffer(raw, dtype=np.float32).reshape(-1, 2)


def rms_db(samples: np.ndarray) -> float:
    return 20 * math.log10(max(float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))), 1e-9))


def band_db(samples: np.ndarray, frequency: float) -> float:
    """Level (dB, relative) of one tone in a stretch of mono samples: the power of the FFT bins around it."""
    window = np.hanning(len(samples))
    power = np.abs(np.fft.rfft(samples * window)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    near = (freqs > frequency - 25) & (freqs < frequency + 25)
    return 10 * math.log10(max(float(power[near].sum()) / float(np.square(window).sum()), 1e-20))


def stretch(audio: np.ndarray, start: float, end: float) -> np.ndarray:
    return audio[int(start * RATE):int(end * RATE)]


def gated(expression: str, on: list[tuple[float, float]]) -> str:
    """An aevalsrc expression that sounds only inside the given stretches (commas escaped for the filter graph)."""
    gate = "+".join(f"between(t\\,{a}\\,{b})" for a, b in on)
    return f"({gate})*{expression}"


def source_with_sound(path: Path, channels: list[str], layout: str, rate: int, seconds: float = 5.0,
                      codec: str = "aac") -> Path:
    """A moving test picture whose sound has one aevalsrc expression per channel (``layout`` names them)."""
    ffmpeg(*PICTURE, "-f", "lavfi", "-i", f"aevalsrc={'|'.join(channels)}:c={layout}:s={rate}:d={seconds}",
           "-t", str(seconds), *H264, "-c:a", codec, str(path))
    return path


TONE = "0.25*sin(2*PI*440*t)"


@pytest.fixture(scope="module")
def surround_tests(media_dir) -> dict[str, Path]:
    """5 s of 5.1 at 44.1 kHz: a tone in front-left 0–1 s, front-centre 1–2, left surround 2–3, LFE 3–4, front-right 4–5.

    Made for both 5.1 layouts ffmpeg knows (back and side surrounds), since cameras write either.
    """
    order = {0: "FL", 1: "FC", 2: "SL", 3: "LFE", 4: "FR"}
    made = {}
    names = ["FL", "FR", "FC", "LFE", "SL", "SR"]  # channel order of both layouts; "5.1" calls its surrounds BL/BR
    for layout in ("5.1", "5.1(side)"):
        channels = []
        for name in names:
            seconds = [s for s, channel in order.items() if channel == name]
            channels.append(gated(TONE, [(s, s + 1) for s in seconds]) if seconds else "0")
        made[layout] = source_with_sound(media_dir / f"surround-{layout}.mp4", channels, layout, 44_100)
    return made


@pytest.mark.parametrize("layout", ["5.1", "5.1(side)"])
def test_surround_is_downmixed_with_the_standard_levels(surround_tests, layout, tmp_path):
    out = tmp_path / "downmix.mp4"
    render_clip(RenderSpec(segments=[(surround_tests[layout], 0, 5)], caption_style=None, preset=TEST_PRESET), out)
    audio = decoded(out)
    level = {name: [rms_db(stretch(audio, s + 0.2, s + 0.8)[:, ch]) for ch in (0, 1)]
             for s, name in enumerate(["FL", "FC", "SL", "LFE", "FR"])}
    front_left = level["FL"][0]
    assert front_left > -40, level
    # Front-left only in left, front-right only in right, at the same level.
    assert level["FL"][1] < front_left - 60 and level["FR"][0] < front_left - 60, level
    assert level["FR"][1] == pytest.approx(front_left, abs=0.5), level
    # Front-centre in both channels at -3 dB (ITU downmix, ffmpeg's default centre mix level).
    assert level["FC"][0] == pytest.approx(front_left - 3.01, abs=0.5), level
    assert level["FC"][1] == pytest.approx(front_left - 3.01, abs=0.5), level
    # Left surround in left at -3 dB, nothing of it in right.
    assert level["SL"][0] == pytest.approx(front_left - 3.01, abs=0.5), level
    assert level["SL"][1] < front_left - 60, level
    # LFE as ffmpeg's standard downmix: left out of the stereo mix.
    assert max(level["LFE"]) < front_left - 60, level


def test_mono_is_centred_and_stereo_keeps_its_sides(media_dir, tmp_path):
    mono = source_with_sound(media_dir / "mono-22k.mp4", [TONE], "mono", 22_050, seconds=2)
    stereo = source_with_sound(media_dir / "left-only-48k.mp4", [TONE, "0"], "stereo", 48_000, seconds=2)
    out = tmp_path / "sides.mp4"
    render_clip(RenderSpec(segments=[(mono, 0, 2), (stereo, 0, 2)], caption_style=None, preset=TEST_PRESET), out)
    audio = decoded(out)
    mono_left, mono_right = (rms_db(stretch(audio, 0.3, 1.7)[:, ch]) for ch in (0, 1))
    stereo_left, stereo_right = (rms_db(stretch(audio, 2.3, 3.7)[:, ch]) for ch in (0, 1))
    assert mono_left == pytest.approx(mono_right, abs=0.2) and mono_left > -40
    assert stereo_left > -40 and stereo_right < stereo_left - 60


@pytest.fixture(scope="module")
def short_sound(media_dir) -> Path:
    """6 s of picture whose sound lasts only 1.5 s (a phone clip whose audio stopped early): a 330 Hz tone."""
    path = media_dir / "short-sound.mp4"
    ffmpeg(*PICTURE, "-f", "lavfi", "-i", "sine=f=330:sample_rate=48000:d=1.5", "-t", "6", *H264, "-c:a", "aac", str(path))
    return path


@pytest.mark.parametrize("duck", [False, True])
def test_a_segment_past_the_end_of_the_sources_sound_is_silent(short_sound, voiceover, duck, tmp_path):
    # ffmpeg's padding of a piece that gets no sound at all carries no timestamps; the padding after it never
    # ended, and the render hung until its timeout (a 3 s clip: 6 minutes, then an error).
    out = tmp_path / "past-the-sound.mp4"
    spec = RenderSpec(segments=[(short_sound, 2, 5)], voiceover=voiceover if duck else None,
                      caption_style=None, duck_source_audio=duck, preset=TEST_PRESET)
    render_clip(spec, out, timeout=60)
    assert probe(out).duration == pytest.approx(3.0, abs=1 / 30)
    if duck:
        assert_meets_loudness_target(out)
    else:
        assert rms_db(decoded(out)) < -70


def test_segments_partly_and_wholly_past_the_end_of_the_sound(short_sound, tmp_path):
    out = tmp_path / "partly.mp4"
    render_clip(RenderSpec(segments=[(short_sound, 0.5, 2.5), (short_sound, 3, 4)], caption_style=None,
                           preset=TEST_PRESET), out, timeout=60)
    audio = decoded(out)
    assert probe(out).duration == pytest.approx(3.0, abs=1 / 30)
    assert rms_db(stretch(audio, 0.1, 0.9)) > -30
    assert rms_db(stretch(audio, 1.1, 2.9)) < -70


def test_sound_that_starts_after_the_picture_stays_in_sync(media_dir, tmp_path):
    # The sound track starts 1 s after the picture (a beep at its own 0.5–1.0 s, so at 1.5–2.0 s of the file):
    # it used to be played from the segment's start, a second early.
    source = media_dir / "late-sound.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:d=4", "-itsoffset", "1", "-f", "lavfi", "-i",
           f"aevalsrc={gated(TONE, [(0.5, 1.0)])}:s=48000:d=3", *H264, "-c:a", "aac", str(source))
    out = tmp_path / "late.mp4"
    render_clip(RenderSpec(segments=[(source, 0, 3)], caption_style=None, preset=TEST_PRESET), out)
    audio = decoded(out)
    loud = rms_db(stretch(audio, 1.6, 1.9))
    assert loud > -30
    assert rms_db(stretch(audio, 0.1, 1.4)) < loud - 40, "nothing sounds before the beep's own time"


SPEAKING = [(0.5, 1.5), (2.5, 3.5)]
"""When the stand-in voice (a 1 kHz tone) speaks; it pauses 0–0.5, 1.5–2.5 and 3.5–4 s."""
VOICE_TONE, BED_TONE = 1000, 330
VOICE_ON_TOP_DB = 15.0
"""While the voice speaks, the footage's sound is at least this much under it."""


def amplitude(rms_dbfs: float) -> float:
    return 10 ** (rms_dbfs / 20) * math.sqrt(2)


@pytest.fixture(scope="module")
def loud_bed(media_dir) -> Path:
    """4 s of footage whose own sound is a loud steady 330 Hz tone (-6 dBFS RMS), 5.1 with the tone in front L/R/C."""
    tone = f"{amplitude(-6) * 0.7:.5f}*sin(2*PI*{BED_TONE}*t)"
    return source_with_sound(media_dir / "loud-bed.mp4", [tone, tone, tone, "0", "0", "0"], "5.1", 48_000, seconds=4)


def stand_in_voice(folder: Path, rms_dbfs: float) -> Path:
    """A 4 s voiceover at 22.05 kHz (Piper's rate): a 1 kHz tone during ``SPEAKING``, silent in between."""
    path = folder / f"voice{rms_dbfs:+.0f}.wav"
    ffmpeg("-f", "lavfi", "-i",
           f"aevalsrc={gated(f'{amplitude(rms_dbfs):.5f}*sin(2*PI*{VOICE_TONE}*t)', SPEAKING)}:s=22050:d=4", str(path))
    return path


@pytest.mark.parametrize("voice_dbfs", [-36, -20, -8])
def test_the_voice_stays_on_top_of_loud_footage_whatever_the_voiceovers_level(loud_bed, voice_dbfs, tmp_path):
    # The ducking compared the voiceover's raw level with a fixed threshold: a quiet voiceover (-36 dBFS) was not
    # ducked at all and the footage buried it by 21 dB; at -20 dBFS the voice was only 3 dB over the footage.
    out = tmp_path / "ducked.mp4"
    render_clip(RenderSpec(segments=[(loud_bed, 0, 4)], voiceover=stand_in_voice(tmp_path, voice_dbfs),
                           caption_style=None, duck_source_audio=True, preset=TEST_PRESET), out)
    mono = decoded(out).mean(axis=1)
    for start, end in SPEAKING:
        speaking = stretch(mono, start + 0.15, end - 0.05)
        voice, bed = band_db(speaking, VOICE_TONE), band_db(speaking, BED_TONE)
        assert voice - bed >= VOICE_ON_TOP_DB, f"while speaking at {start} s the footage is only {voice - bed:.1f} dB under"
    voice = band_db(stretch(mono, 0.65, 1.45), VOICE_TONE)
    for start, end in [(0.0, 0.45), (1.95, 2.45)]:  # pauses, after the release
        bed = band_db(stretch(mono, start, end), BED_TONE)
        assert bed <= voice - 6, "in the pauses the footage stays under the voice too"
        assert bed >= band_db(stretch(mono, 0.65, 1.45), BED_TONE) + 10, "and comes back up from its ducked level"
    assert_meets_loudness_target(out)


@pytest.fixture(scope="module")
def every_kind_of_sound(media_dir) -> dict[str, Path]:
    """3 s sources of the same picture: no sound, mono 22.05 kHz, stereo 44.1 kHz, 5.1 48 kHz (a tone per channel)."""
    paths = {"none": media_dir / "kind-none.mp4"}
    ffmpeg(*PICTURE, "-t", "3", *H264, str(paths["none"]))
    paths["mono"] = source_with_sound(media_dir / "kind-mono.mp4", ["0.2*sin(2*PI*330*t)"], "mono", 22_050, 3)
    paths["stereo"] = source_with_sound(media_dir / "kind-stereo.mp4", ["0.2*sin(2*PI*330*t)", "0.1*sin(2*PI*550*t)"],
                                        "stereo", 44_100, 3)
    surround = [f"0.15*sin(2*PI*{f}*t)" for f in (330, 440, 550, 60, 660, 770)]
    paths["5.1"] = source_with_sound(media_dir / "kind-surround.mp4", surround, "5.1", 48_000, 3)
    return paths


def mixed_segments(kinds: dict[str, Path], seconds: int) -> list[tuple[Path, float, float]]:
    """``seconds`` one-second segments cycling through every kind; silent ones of equal length and the same
    sounding segment come back (the graph must split them, not merge them)."""
    cycle = [("none", 0), ("mono", 0), ("stereo", 0), ("5.1", 0), ("none", 1), ("mono", 0), ("5.1", 1), ("stereo", 1)]
    return [(kinds[kind], start, start + 1) for kind, start in (cycle * 2)[:seconds]]


def swelling_voice(folder: Path, seconds: int) -> Path:
    path = folder / f"voice-{seconds}s.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=f=220:sample_rate=22050,volume='0.05+0.1*sin(2*PI*t)':eval=frame",
           "-t", str(seconds), str(path))
    return path


@pytest.mark.parametrize("seconds", [2, 8])
@pytest.mark.parametrize("sound", ["ducked under the voice", "voice only", "footage only"])
def test_every_mix_of_sources_renders_at_the_loudness_target(every_kind_of_sound, sound, seconds, tmp_path):
    segments = mixed_segments(every_kind_of_sound, seconds)
    voice = None if sound == "footage only" else swelling_voice(tmp_path, seconds)
    out = tmp_path / "mixed.mp4"
    render_clip(RenderSpec(segments=segments, voiceover=voice, caption_style=None,
                           duck_source_audio=sound == "ducked under the voice", preset=TEST_PRESET), out)
    info = probe(out)
    assert info.duration == pytest.approx(seconds, abs=1 / 30)
    assert (info.audio_codec, info.sample_rate) == ("aac", 48_000)
    assert_meets_loudness_target(out)
    if sound == "footage only":
        audio = decoded(out)
        levels = [rms_db(stretch(audio, second + 0.15, second + 0.85)) for second in range(seconds)]
        for (source, _, _), level in zip(segments, levels):
            if source == every_kind_of_sound["none"]:
                assert level < -70, levels
            else:
                assert level > -30, levels


def test_a_real_voice_stays_on_top_of_a_loud_hum(media_dir, tmp_path):
    # Piper speech over footage whose sound is a loud 55 Hz hum (below the voice's own frequencies): during every
    # word, the hum is far under the speech; the words' times come from Piper's own timings.
    from editfactory.tts.piper_provider import PiperProvider

    voice = PiperProvider().synthesize("Meet the new travel mug. It keeps coffee hot for twelve hours.", "",
                                       tmp_path / "voice.wav")
    hum = source_with_sound(media_dir / "hum.mp4", ["0.5*sin(2*PI*55*t)"] * 2, "stereo", 48_000, seconds=6)
    out = tmp_path / "hum.mp4"
    render_clip(RenderSpec(segments=[(hum, 0, voice.duration + 0.1)], voiceover=voice.audio_path, caption_style=None,
                           duck_source_audio=True, preset=TEST_PRESET), out)
    mono = decoded(out).mean(axis=1)

    def band(samples, low, high) -> float:
        window = np.hanning(len(samples))
        power = np.abs(np.fft.rfft(samples * window)) ** 2
        freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
        return 10 * math.log10(max(float(power[(freqs > low) & (freqs < high)].sum()), 1e-20))

    words = [w for w in voice.words if w.end - w.start >= 0.2]
    assert len(words) >= 4
    for word in words:
        spoken = stretch(mono, word.start, word.end)
        margin = band(spoken, 90, 8000) - band(spoken, 45, 65)
        assert margin >= VOICE_ON_TOP_DB, f"during {word.word!r} the footage is only {margin:.1f} dB under the voice"
    assert_meets_loudness_target(out)
