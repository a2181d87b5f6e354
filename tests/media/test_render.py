"""One-pass rendering: output format, length, loudness, captions, rotation, atomic write, cancel and kill."""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import pytest
from media_helpers import TEST_PRESET, ffmpeg, frame_at

from editfactory.core.errors import CancelledError, MediaError, ValidationError
from editfactory.media.captions import CaptionStyle
from editfactory.media.probe import probe
from editfactory.media.render import RenderSegment, RenderSpec, render_clip
from editfactory.media.runner import ffmpeg_path

WORDS = [("Salut,", 0.2, 0.6), ("ce", 0.7, 0.9), ("faceți?", 1.0, 1.4)]


def measured_loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak measured independently with ffmpeg's ebur128 filter."""
    result = subprocess.run(
        [ffmpeg_path(), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:a", "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    summary = result.stderr[result.stderr.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    return integrated, peak


def atom_order(path: Path) -> list[str]:
    data = path.read_bytes()
    order, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset:offset + 4], "big")
        order.append(data[offset + 4:offset + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[offset + 8:offset + 16], "big")
        if size < 8:
            break
        offset += size
    return order


@pytest.fixture(scope="module")
def rendered(plain_source, voiceover, tmp_path_factory):
    out = tmp_path_factory.mktemp("render") / "clip.mp4"
    seen: list[float] = []
    spec = RenderSpec(
        segments=[RenderSegment(plain_source, 0.0, 1.5), (plain_source, 2.0, 4.0)],
        voiceover=voiceover, words=WORDS, caption_style=CaptionStyle(highlight_current_word=False), preset=TEST_PRESET,
    )
    result = render_clip(spec, out, progress=lambda message, fraction: seen.append(fraction))
    return out, result, seen


def test_output_format_and_length(rendered, voiceover):
    out, result, _ = rendered
    info = probe(out)
    assert (info.width, info.height) == (TEST_PRESET.width, TEST_PRESET.height)
    assert info.video_codec == "h264" and info.video_profile == "High" and info.pix_fmt == "yuv420p"
    assert info.audio_codec == "aac" and info.sample_rate == 48_000
    assert info.fps == pytest.approx(30.0, abs=0.05)
    voice_length = probe(voiceover).duration
    assert abs(info.duration - voice_length) <= 1 / 30 + 1e-6
    assert abs(info.frame_count / 30 - voice_length) <= 1 / 30 + 1e-6
    assert result.path == out and result.duration == pytest.approx(voice_length)


def test_faststart_puts_moov_before_mdat(rendered):
    order = atom_order(rendered[0])
    assert order.index("moov") < order.index("mdat")


def assert_meets_loudness_target(path: Path) -> None:
    """The finished (AAC-encoded) file itself: -14 LUFS within 0.5 LU, true peak at most -1 dBTP."""
    integrated, peak = measured_loudness(path)
    assert integrated == pytest.approx(-14.0, abs=0.5), f"{path.name} measures {integrated} LUFS"
    assert peak <= -1.0, f"{path.name} has a true peak of {peak} dBTP"


def test_loudness_is_normalized(rendered):
    assert_meets_loudness_target(rendered[0])


SPOKEN = {
    "1s": "Grab yours today!",
    "2s": "Meet the new travel mug. Hot all day.",
    "10s": "Meet the new travel mug. It keeps coffee hot for twelve hours, fits every cup holder, "
           "and costs only $19.99 this week. Dr. Green calls it 3x better than glass!",
}


@pytest.fixture(scope="module")
def long_source(media_dir) -> Path:
    path = media_dir / "long_plain.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-f", "lavfi", "-i", "sine=f=330:sample_rate=48000",
           "-t", "14", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path))
    return path


@pytest.mark.parametrize("length", list(SPOKEN))
def test_real_voices_short_and_long_meet_the_target_on_the_encoded_file(length, long_source, tmp_path):
    # Piper speech is peaky (true peak far above its loudness), and AAC adds overshoot after the loudness stage:
    # very short clips used to come out at -18 LUFS and nearly every clip at -0.8 dBTP.
    from editfactory.tts.piper_provider import PiperProvider

    voice = PiperProvider().synthesize(SPOKEN[length], "", tmp_path / "voice.wav")
    out = tmp_path / f"voice-{length}.mp4"
    render_clip(RenderSpec(segments=[(long_source, 0, voice.duration + 0.2)], voiceover=voice.audio_path,
                           caption_style=None, preset=TEST_PRESET), out)
    assert_meets_loudness_target(out)


def test_progress_runs_to_completion(rendered):
    seen = rendered[2]
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_captions_appear_at_their_word_times(rendered):
    out = rendered[0]
    # The source is the same picture family throughout; compare the caption band with and without a cue.
    band = slice(int(TEST_PRESET.height * 0.55), int(TEST_PRESET.height * 0.75))
    inside = frame_at(out, 0.4, TEST_PRESET.width, TEST_PRESET.height)[band].astype(int)
    outside = frame_at(out, 2.5, TEST_PRESET.width, TEST_PRESET.height)[band].astype(int)
    before = frame_at(out, 0.1, TEST_PRESET.width, TEST_PRESET.height)[band].astype(int)
    white_inside = ((inside > 235).all(axis=2)).sum()
    assert white_inside > 150, "caption text (white) is drawn while a word is spoken"
    assert ((outside > 235).all(axis=2)).sum() < white_inside / 5
    assert ((before > 235).all(axis=2)).sum() < white_inside / 5


def test_work_files_are_gone_after_success(rendered):
    out = rendered[0]
    assert [p.name for p in out.parent.iterdir() if p.name != ".rendering"] == ["clip.mp4"]
    assert list((out.parent / ".rendering").iterdir()) == []


def test_rotated_phone_source_renders_upright(rotated_source, voiceover, tmp_path):
    out = tmp_path / "upright.mp4"
    spec = RenderSpec(segments=[(rotated_source, 0.0, 2.0)], voiceover=None, caption_style=None,
                      preset=TEST_PRESET.with_options(width=240, height=320))
    render_clip(spec, out)
    info = probe(out)
    assert (info.width, info.height) == (240, 320) and info.rotation == 0
    frame = frame_at(out, 1.0, 240, 320).astype(float).mean(axis=2)
    left, right = frame[:, :120].mean(), frame[:, 120:].mean()
    top, bottom = frame[:160].mean(), frame[160:].mean()
    # Upright: the white half of the coded picture (its top) is now the left side (turned 90° counter-clockwise).
    assert left > 200 and right < 50
    assert abs(top - bottom) < 20


def test_diacritics_other_scripts_and_emoji_render(voiceover, tmp_path):
    words = [("ș ț ă î â", 0.0, 0.8), ("Привет 你好", 0.9, 1.6), ("مرحبا 😀🔥", 1.7, 2.5), ("{\\b1}", 2.6, 2.9)]
    gray = tmp_path / "gray.mp4"  # a plain background, so only the caption can be yellow
    ffmpeg("-f", "lavfi", "-i", "color=c=gray:size=320x240:rate=30", "-t", "3", "-c:v", "libx264", "-preset", "ultrafast", str(gray))
    out = tmp_path / "scripts.mp4"
    style = CaptionStyle(highlight_color="#FFFF00", max_words_per_cue=1)
    render_clip(RenderSpec(segments=[(gray, 0, 3)], voiceover=voiceover, words=words, caption_style=style,
                           preset=TEST_PRESET), out)
    assert probe(out).duration == pytest.approx(3.0, abs=1 / 30)
    band = slice(int(TEST_PRESET.height * 0.55), int(TEST_PRESET.height * 0.75))

    def highlighted_pixels(seconds: float) -> int:
        pixels = frame_at(out, seconds, TEST_PRESET.width, TEST_PRESET.height)[band].astype(int)
        return int(((pixels[..., 0] > 220) & (pixels[..., 1] > 220) & (pixels[..., 2] < 60)).sum())

    # The spoken word is drawn in the highlight color (the diacritics are in the shipped font); none between words.
    assert highlighted_pixels(0.4) > 100
    assert highlighted_pixels(1.3) > 100
    assert highlighted_pixels(0.85) < 10


def test_emoji_are_never_burned_as_boxes(voiceover, tmp_path):
    # The shipped font has no 🔥 or 👍: libass drew them as empty boxes next to the word.
    gray = tmp_path / "gray.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=gray:size=320x240:rate=30", "-t", "3", "-c:v", "libx264", "-preset", "ultrafast", str(gray))
    style = CaptionStyle(highlight_current_word=False)
    band = slice(int(TEST_PRESET.height * 0.5), int(TEST_PRESET.height * 0.8))
    frames = {}
    for name, words in {"plain": [("Hot", 0.2, 2.5)], "emoji": [("Hot🔥👍🏽", 0.2, 2.5), ("🔥🔥", 2.5, 2.9)]}.items():
        out = tmp_path / f"{name}.mp4"
        render_clip(RenderSpec(segments=[(gray, 0, 3)], voiceover=voiceover, words=words, caption_style=style,
                               preset=TEST_PRESET), out)
        frames[name] = [frame_at(out, t, TEST_PRESET.width, TEST_PRESET.height)[band].astype(int) for t in (1.0, 2.7)]
    assert ((frames["plain"][0] > 235).all(axis=2)).sum() > 100, "the word itself is drawn"
    assert abs(frames["emoji"][0] - frames["plain"][0]).max() <= 24, "the emoji left no box beside the word"
    assert ((frames["emoji"][1] > 235).all(axis=2)).sum() == 0, "a word of only emoji draws nothing"


def test_ducked_source_audio_under_the_voice(plain_source, voiceover, tmp_path):
    out = tmp_path / "ducked.mp4"
    render_clip(RenderSpec(segments=[(plain_source, 0, 4)], voiceover=voiceover, caption_style=None,
                           duck_source_audio=True, preset=TEST_PRESET), out)
    assert_meets_loudness_target(out)


@pytest.fixture(scope="module")
def sound_variety(media_dir) -> dict[str, Path]:
    """4 s sources of the same picture: no audio, a mono 44.1 kHz tone, a 5.1 48 kHz tone."""
    picture = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30"]
    video = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    paths = {name: media_dir / f"sound-{name}.mp4" for name in ("none", "mono", "surround")}
    ffmpeg(*picture, "-t", "4", *video, str(paths["none"]))
    ffmpeg(*picture, "-f", "lavfi", "-i", "sine=f=330:sample_rate=44100", "-t", "4", "-ac", "1", *video, "-c:a", "aac",
           str(paths["mono"]))
    ffmpeg(*picture, "-f", "lavfi", "-i", "sine=f=330:sample_rate=48000", "-t", "4", "-af", "aformat=channel_layouts=5.1",
           *video, "-c:a", "aac", str(paths["surround"]))
    return paths


def rms_db_between(path: Path, start: float, end: float) -> float:
    """Loudness (dBFS RMS) of the output's audio between two times, decoded to mono."""
    raw = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-i", str(path), "-map", "0:a", "-ac", "1", "-ar", "8000", "-f", "f32le", "-"],
        check=True, capture_output=True, timeout=60,
    ).stdout
    samples = np.frombuffer(raw, dtype=np.float32)[int(start * 8000):int(end * 8000)]
    return 20 * math.log10(max(float(np.sqrt(np.mean(np.square(samples)))), 1e-9))


def test_ducking_a_source_without_sound_in_equal_length_segments(sound_variety, voiceover, tmp_path):
    # Two silent stand-ins of the same length used to be one ffmpeg-python node with two outputs (a raw ValueError).
    silent = sound_variety["none"]
    out = tmp_path / "ducked-silent.mp4"
    render_clip(RenderSpec(segments=[(silent, 0, 1.5), (silent, 2, 3.5)], voiceover=voiceover, caption_style=None,
                           duck_source_audio=True, preset=TEST_PRESET), out)
    assert probe(out).duration == pytest.approx(3.0, abs=1 / 30)
    assert_meets_loudness_target(out)


def test_source_sound_from_any_mix_of_no_audio_mono_stereo_and_surround(sound_variety, plain_source, voiceover, tmp_path):
    none, mono, surround = sound_variety["none"], sound_variety["mono"], sound_variety["surround"]
    segments = [(none, 0, 1), (mono, 0, 1), (none, 2, 3), (surround, 0, 1), (plain_source, 0, 1), (none, 1, 2)]
    out = tmp_path / "mixed.mp4"
    render_clip(RenderSpec(segments=segments, voiceover=None, caption_style=None, preset=TEST_PRESET), out)
    assert probe(out).duration == pytest.approx(6.0, abs=1 / 30)
    levels = [rms_db_between(out, second + 0.15, second + 0.85) for second in range(6)]
    silent, sounding = [levels[i] for i in (0, 2, 5)], [levels[i] for i in (1, 3, 4)]
    assert max(silent) < -60 and min(sounding) > -30, levels
    ducked = tmp_path / "mixed-ducked.mp4"
    render_clip(RenderSpec(segments=segments[:3], voiceover=voiceover, caption_style=None, duck_source_audio=True,
                           preset=TEST_PRESET), ducked)
    assert_meets_loudness_target(ducked)


def test_peaky_voice_is_limited_to_the_true_peak_ceiling(plain_source, media_dir, tmp_path):
    # A quiet voice with short loud clicks (plosives): one fixed gain to -14 LUFS would push the clicks over 0 dBFS.
    voice = media_dir / "peaky_voice.wav"
    ffmpeg("-f", "lavfi", "-i", "aevalsrc='0.1*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*3*t))"
           "+0.9*lt(mod(t\\,0.75)\\,0.0005)*sin(2*PI*1500*t)':s=24000:d=3", str(voice))
    out = tmp_path / "peaky.mp4"
    result = render_clip(RenderSpec(segments=[(plain_source, 0, 4)], voiceover=voice, caption_style=None, preset=TEST_PRESET), out)
    assert any("alimiter" in part for part in result.command), "the limiting path is the one under test"
    assert_meets_loudness_target(out)


def test_real_vertical_preset(plain_source, voiceover, tmp_path):
    out = tmp_path / "tiktok.mp4"
    render_clip(RenderSpec(segments=[(plain_source, 0, 3.5)], voiceover=voiceover, words=WORDS, preset="tiktok"), out)
    info = probe(out)
    assert (info.width, info.height, info.video_profile, info.pix_fmt) == (1080, 1920, "High", "yuv420p")
    assert abs(info.duration - 3.0) <= 1 / 30 + 1e-6


def test_segments_shorter_than_the_voiceover_are_refused(plain_source, voiceover, tmp_path):
    with pytest.raises(ValidationError, match="segments cover 1.00 s"):
        render_clip(RenderSpec(segments=[(plain_source, 0, 1)], voiceover=voiceover, preset=TEST_PRESET), tmp_path / "x.mp4")
    assert not (tmp_path / "x.mp4").exists()


def test_segment_outside_the_source_is_refused(plain_source, tmp_path):
    with pytest.raises(ValidationError, match="lies outside"):
        render_clip(RenderSpec(segments=[(plain_source, 3, 9)], preset=TEST_PRESET), tmp_path / "x.mp4")


def test_ffmpeg_failure_carries_its_stderr(plain_source, tmp_path):
    bad = tmp_path / "voice.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    with pytest.raises(MediaError) as caught:
        render_clip(RenderSpec(segments=[(plain_source, 0, 4)], voiceover=bad, preset=TEST_PRESET), tmp_path / "x.mp4")
    assert "voice.wav" in str(caught.value)
    assert not (tmp_path / "x.mp4").exists()


def test_cancel_kills_ffmpeg_and_leaves_nothing(plain_source, voiceover, tmp_path):
    cancel = threading.Event()

    def on_progress(message, fraction):
        if fraction and fraction > 0.05:
            cancel.set()

    out = tmp_path / "cancelled.mp4"
    spec = RenderSpec(segments=[(plain_source, 0, 4)] * 3, voiceover=None, preset="tiktok")
    with pytest.raises(CancelledError):
        render_clip(spec, out, progress=on_progress, cancel=cancel)
    assert not out.exists()
    assert list((tmp_path / ".rendering").iterdir()) == []


KILL_SCRIPT = """
import sys
from pathlib import Path
from editfactory.media.render import RenderSpec, render_clip
source, out = Path(sys.argv[1]), Path(sys.argv[2])
def progress(message, fraction):
    if fraction and fraction > 0.05:
        print("rendering", flush=True)
render_clip(RenderSpec(segments=[(source, 0, 4)] * 4, preset="tiktok"), out, progress=progress)
"""


def test_killed_render_leaves_no_clip_and_next_start_cleans_up(plain_source, voiceover, tmp_path):
    out = tmp_path / "killed.mp4"
    child = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(plain_source), str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "rendering"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        child.stdout.close()
        if child.poll() is None:
            child.kill()
            child.wait()
    assert not out.exists()
    work_root = tmp_path / ".rendering"
    stale = list(work_root.iterdir())
    assert stale, "the killed render's work folder is still there until the next start"
    deadline = time.monotonic() + 10
    while any(str(work_root) in " ".join(p.info["cmdline"] or []) for p in psutil.process_iter(["cmdline"])):
        assert time.monotonic() < deadline, "ffmpeg outlived the killed render"
        time.sleep(0.1)
    # The next render starts by removing folders of dead processes.
    render_clip(RenderSpec(segments=[(plain_source, 0, 1)], caption_style=None, preset=TEST_PRESET), tmp_path / "next.mp4")
    assert list(work_root.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [".rendering", "next.mp4"]
