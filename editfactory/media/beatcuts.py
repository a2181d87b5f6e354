"""Cuts on the beat: move the boundaries between a clip's segments onto the music's beats.

Each cut moves to the nearest beat within ``window`` seconds that the footage allows: the segment before it
grows or shrinks at its end, the one after it shrinks or grows at its start, so every later cut and the clip's
length stay where they were. A move is taken only if both segments keep ``min_length`` and stay inside their
source; otherwise the next-nearest beat is tried, and a cut with no usable beat stays where it was.
Pure: segments and beat times in, segments out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from editfactory.media.music import LOOP_CROSSFADE, MusicBed, pieces
from editfactory.media.render import RenderSegment
from editfactory.media.selection import MIN_PIECE

BEAT_WINDOW = 0.25
"""Seconds a cut may move: half a beat at 120 BPM, short enough that the edit still follows the voice."""


def beats_in_clip(bed: MusicBed, beats: Sequence[float], duration: float) -> list[float]:
    """The track's beats in clip time, as :func:`editfactory.media.music.music_stream` plays it (offset, loops)."""
    times: list[float] = []
    clip_at = 0.0
    for index, (start, length) in enumerate(pieces(bed, duration)):
        times.extend(clip_at + b - start for b in beats if start <= b < start + length)
        clip_at += length - (LOOP_CROSSFADE if index + 1 < len(pieces(bed, duration)) else 0.0)
    return sorted(t for t in times if 0.0 <= t <= duration)


def snap_cuts(segments: Sequence[RenderSegment], beats: Sequence[float], source_lengths: Mapping[Path, float], *,
              duration: float | None = None, fps: float | None = None, window: float = BEAT_WINDOW,
              min_length: float = MIN_PIECE) -> list[RenderSegment]:
    """``segments`` with each cut between them moved onto the nearest allowed beat (see the module docstring).

    ``beats`` are in clip time; ``duration`` (the clip's length, default the footage's) leaves cuts after it alone.
    With ``fps`` every cut lands on a frame boundary (the beat's nearest): each segment is then a whole number
    of frames, so the render's frame counts cannot drift a cut off its beat.
    """
    result = list(segments)
    ordered = sorted(beats)
    cut = 0.0
    end_of_clip = duration if duration is not None else sum(s.duration for s in result)

    def on_frame(t: float) -> float:
        return round(t * fps) / fps if fps else t

    for k in range(len(result) - 1):
        before, after = result[k], result[k + 1]
        cut += before.duration
        if cut >= end_of_clip - min_length:
            break
        near = sorted((b for b in ordered if abs(b - cut) <= window), key=lambda b: abs(b - cut))
        for target in [*(on_frame(b) for b in near), on_frame(cut)]:
            shift = target - cut
            if (before.duration + shift >= min_length and after.duration - shift >= min_length
                    and cut + shift <= end_of_clip - min_length
                    and before.end + shift <= source_lengths[Path(before.source)] and after.start + shift >= 0.0):
                result[k] = replace(before, end=before.end + shift)
                result[k + 1] = replace(after, start=after.start + shift)
                cut += shift
                break
    return result
