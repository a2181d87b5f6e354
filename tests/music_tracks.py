"""Music tracks made with ffmpeg for the tests: chords and a kick at a known tempo, in every format users upload."""

from __future__ import annotations

import subprocess
from pathlib import Path

from editfactory.media.runner import ffmpeg_path

CODECS = {
    ".mp3": ["-c:a", "libmp3lame", "-b:a", "192k"],
    ".m4a": ["-c:a", "aac", "-b:a", "192k"],
    ".wav": ["-c:a", "pcm_s16le"],
    ".ogg": ["-c:a", "libvorbis", "-q:a", "5"],
    ".opus": ["-c:a", "libopus", "-b:a", "128k", "-ar", "48000"],
    ".flac": ["-c:a", "flac"],
}


def kick_and_chords(bpm: float, first_beat: float, *, chords: tuple[float, ...] = (261.6, 329.6, 392.0),
                    kick_hz: float = 55.0) -> str:
    """An aevalsrc expression: a decaying kick with a click on every beat from ``first_beat``, over a held chord
    whose top note moves every two bars (so it is music, not a click track)."""
    period = 60.0 / bpm
    phase = f"mod(t-{first_beat}\\,{period})"
    on = f"gte(t\\,{first_beat})"
    kick = f"{on}*(0.7*sin(2*PI*{kick_hz}*{phase})*exp(-10*{phase})+0.25*exp(-150*{phase})*sin(2*PI*1500*{phase}))"
    low, *rest = chords
    top = rest[-1] if rest else low
    notes = [f"sin(2*PI*{f}*t)" for f in (low, *rest[:-1])]
    notes.append(f"sin(2*PI*if(lt(mod(t\\,{8 * period})\\,{4 * period})\\,{top}\\,{top * 9 / 8})*t)")
    return f"{kick}+0.07*({'+'.join(notes)})"


def make_track(path: Path, *, bpm: float = 120.0, seconds: float = 12.0, first_beat: float = 0.25,
               expression: str | None = None, title: str | None = None, rate: int = 44_100) -> Path:
    """A stereo track at ``bpm`` (kicks at ``first_beat + k * 60/bpm``) in the format its suffix names."""
    expression = expression or kick_and_chords(bpm, first_beat)
    metadata = ["-metadata", f"title={title}"] if title else []
    subprocess.run(
        [ffmpeg_path(), "-v", "error", "-y", "-f", "lavfi", "-i",
         f"aevalsrc='{expression}|{expression}':s={rate}:d={seconds}", *CODECS[path.suffix], *metadata, str(path)],
        check=True, timeout=120,
    )
    return path


def kick_times(bpm: float, first_beat: float, seconds: float) -> list[float]:
    period = 60.0 / bpm
    count = int((seconds - first_beat) / period) + 1
    return [first_beat + k * period for k in range(count) if first_beat + k * period < seconds]
