"""Background music in the clip's sound: the track cut to the clip, faded, leveled under the voice and ducked.

Pure (files in, an ffmpeg-python stream out), built into the render's single ffmpeg pass by
:mod:`editfactory.media.mixing`:

- the track from ``start`` seconds, trimmed to the clip's length — or, when what is left of it is shorter than
  the clip, looped: the track again from its beginning, joined with a ``crossfade`` (an equal-power
  ``acrossfade``) so the loop point has no gap or click;
- faded in and out (``afade``);
- leveled so that in the voice's pauses the music sits ``level_db`` under the voice's loudness (measured, like
  the voice and the footage's sound, in an audio-only pass);
- ducked under the voice: a ``sidechaincompress`` driven by the voice pushes one copy of the music far down
  while a word is spoken, and the dry copy is added back at ``-duck_db``, so while the voice speaks the music
  sits ``duck_db`` further down — a fixed depth, not one that depends on how loud the compressor is driven.

Defaults, and why: ``level_db = -12`` keeps the music clearly heard between sentences (peers' beds are 10–15
dB under the voice) and ``duck_db = 10`` takes it to 22 dB under the voice's loudness during speech; words
themselves are a few dB louder or softer than the voice's integrated loudness, so the quietest words still
have the music at least 15 dB under them (measured per word on the encoded file by the tests).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import ffmpeg

from editfactory.errors import ValidationError

DEFAULT_LEVEL_DB = -12.0
DEFAULT_DUCK_DB = 10.0
DEFAULT_FADE_IN = 0.5
DEFAULT_FADE_OUT = 1.0
LOOP_CROSSFADE = 0.5
"""Seconds the end of the track and its beginning overlap where it loops."""


@dataclass(frozen=True)
class MusicOptions:
    """How a chosen track plays under a clip (stored as a project's ``music_options``)."""

    level_db: float = DEFAULT_LEVEL_DB
    """The music's loudness relative to the voice's, in the voice's pauses (−30 … 0 dB)."""
    start: float = 0.0
    """Seconds into the track where the clip's music begins."""
    fade_in: float = DEFAULT_FADE_IN
    fade_out: float = DEFAULT_FADE_OUT
    cut_on_beat: bool | None = None
    """Move the cuts between segments onto the track's beats; ``None`` = when the track has a steady beat."""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> MusicOptions:
        """Options from stored or submitted values; unknown keys and bad values are refused (ValidationError)."""
        data = dict(data or {})
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValidationError(f"Music options have no field(s) {sorted(unknown)}; use level_db, start, fade_in, "
                                  "fade_out or cut_on_beat.")
        try:
            numbers = {k: float(data[k]) for k in ("level_db", "start", "fade_in", "fade_out") if k in data}
        except (TypeError, ValueError):
            raise ValidationError("Music level, start and fades are numbers (dB and seconds).") from None
        options = cls(**{**data, **numbers})
        if not all(math.isfinite(v) for v in (options.level_db, options.start, options.fade_in, options.fade_out)):
            raise ValidationError("Music level, start and fades must be finite numbers.")
        if not -30.0 <= options.level_db <= 0.0:
            raise ValidationError(f"The music level is {options.level_db:g} dB; choose between -30 dB (barely heard) "
                                  "and 0 dB (as loud as the voice) — the default is -12 dB.")
        if options.start < 0 or options.fade_in < 0 or options.fade_out < 0 or max(options.fade_in, options.fade_out) > 10:
            raise ValidationError("The music's start is at least 0 s and its fades 0–10 s long.")
        if options.cut_on_beat not in (None, True, False):
            raise ValidationError("Cutting on the beat is on, off, or automatic (None).")
        return options


@dataclass(frozen=True)
class MusicBed:
    """One track under one clip: the file, its length (from the import) and the options."""

    path: Path
    track_duration: float
    options: MusicOptions = MusicOptions()
    duck_db: float = DEFAULT_DUCK_DB


def pieces(bed: MusicBed, duration: float, crossfade: float = LOOP_CROSSFADE) -> list[tuple[float, float]]:
    """``(start, length)`` of each read of the track that together cover ``duration`` (plus loop overlaps).

    The first read starts at ``options.start`` (wrapped into the track); each later one is the whole track.
    """
    start = bed.options.start % bed.track_duration
    first = bed.track_duration - start
    reads = [(start, first)]
    covered = first
    while covered < duration:
        reads.append((0.0, bed.track_duration))
        covered += bed.track_duration - crossfade
    return reads


def music_stream(bed: MusicBed, duration: float, sample_rate: int):
    """The track as stereo float at ``sample_rate``, exactly ``duration`` long, looped or trimmed, faded."""
    reads = pieces(bed, duration)
    streams = []
    for start, length in reads:
        stream = ffmpeg.input(str(bed.path), ss=f"{start:.6f}", t=f"{length:.6f}", vn=None).audio
        streams.append(stream.filter("aresample", sample_rate).filter("aformat", sample_fmts="fltp",
                                                                     channel_layouts="stereo"))
    music = streams[0]
    for following in streams[1:]:
        music = ffmpeg.filter([music, following], "acrossfade", d=LOOP_CROSSFADE, c1="qsin", c2="qsin")
    music = music.filter("apad").filter("atrim", duration=f"{duration:.6f}").filter("asetpts", "N/SR/TB")
    options = bed.options
    if options.fade_in > 0:
        music = music.filter("afade", t="in", st=0, d=min(options.fade_in, duration / 2))
    if options.fade_out > 0:
        length = min(options.fade_out, duration / 2)
        music = music.filter("afade", t="out", st=f"{duration - length:.6f}", d=f"{length:.6f}")
    return music


def ducked(music, voice, *, duck_db: float, threshold: float, ratio: float, attack: float, release: float):
    """``music`` pushed ``duck_db`` down while ``voice`` (the sidechain) speaks: a compressed copy plus the dry
    copy at ``-duck_db``, so the depth is set by that gain rather than by how hard the voice drives the compressor."""
    dry_share = 10 ** (-duck_db / 20)
    copies = music.filter_multi_output("asplit", 2)
    squeezed = ffmpeg.filter([copies[0], voice], "sidechaincompress", threshold=f"{threshold:.6f}", ratio=ratio,
                             attack=attack, release=release)
    return ffmpeg.filter(
        [squeezed.filter("volume", f"{1 - dry_share:.6f}"), copies[1].filter("volume", f"{dry_share:.6f}")],
        "amix", inputs=2, duration="first", normalize=0,
    )
