"""Transitions between a clip's segments: cut, crossfade, slide or zoom, inside the render's one ffmpeg pass.

A transition is placed on its cut so that the moment the two pictures weigh half each (the crossfade's middle,
the slide's half-way point, the zoom's blend) is the very frame where the cut would be: over ``D`` frames it runs
from ``b`` frames before the cut's frame to ``a = D - b`` after it (``b = D/2`` for the crossfade and the slide;
``xfade``'s zoom first zooms into the outgoing shot and blends in its last half, so ``b = 3D/4``). To overlap
without shortening the clip, each segment shows more frames on each side that has a transition — footage from
before its start and after its end in its source (a photo simply moves for longer). So every frame outside the
transitions is the frame the cut render shows at that time, the clip's length is unchanged, the voiceover and
captions (which follow clip time) are untouched, and a cut moved onto a beat (:mod:`editfactory.media.beatcuts`)
keeps its transition's switch on that beat. A source without footage beyond an edge (a pick from its first
second) holds its first or last frame for the missing frames.

``D`` is the duration in whole frames, at most :data:`MAX_DURATION`, and shorter at a segment too short to hold
both of its transitions (down to a plain cut).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import ffmpeg

from editfactory.core.errors import ValidationError

if TYPE_CHECKING:  # spec imports this module (Transition is a spec field)
    from editfactory.media.spec import RenderSegment

TRANSITIONS: dict[str, tuple[str, float]] = {
    "cut": ("", 0.5),
    "crossfade": ("fade", 0.5),
    "slide": ("slideleft", 0.5),
    "zoom": ("zoomin", 0.75),
}
"""Each transition's name, the ``xfade`` effect that draws it (the cut needs none) and where in it the two pictures
weigh half each (a share of its duration; measured on encoded frames, tests/media/test_transitions.py)."""
TRANSITION_LABELS = {
    "cut": "Cut (none)",
    "crossfade": "Crossfade",
    "slide": "Slide (the next shot pushes in from the right)",
    "zoom": "Zoom (into the next shot)",
}
DEFAULT_TRANSITION = "cut"
DEFAULT_DURATION = 0.25
MAX_DURATION = 0.3
"""Seconds a transition may take: short enough that neither shot loses its moment (issue 20 asks ≤ 0.3 s)."""


def check_transition(name: object) -> str:
    """``name`` if it is a transition; otherwise a ValidationError listing them."""
    if not isinstance(name, str) or name not in TRANSITIONS:
        raise ValidationError(f"Unknown transition {name!r}; choose one of: {', '.join(TRANSITIONS)}.")
    return name


@dataclass(frozen=True)
class Transition:
    """How one segment gives way to the next (a :class:`~editfactory.media.spec.RenderSpec` field)."""

    name: str = DEFAULT_TRANSITION
    duration: float = DEFAULT_DURATION
    """Seconds from the first frame that mixes the two shots to the last, ≤ ``MAX_DURATION``; ignored for ``cut``."""

    def __post_init__(self) -> None:
        check_transition(self.name)
        try:
            duration = float(self.duration)
        except (TypeError, ValueError):
            raise ValidationError("A transition's duration is a number of seconds.") from None
        if not (math.isfinite(duration) and 0.0 < duration <= MAX_DURATION + 1e-9):
            raise ValidationError(f"A transition lasts more than 0 and at most {MAX_DURATION:g} s "
                                  f"(got {self.duration!r}); the default is {DEFAULT_DURATION:g} s.")
        # A cut has no duration: every cut spec is the same spec (and has the same render key).
        object.__setattr__(self, "duration", DEFAULT_DURATION if self.name == "cut" else duration)

    def frames(self, fps: float) -> int:
        """``D``: the transition's frames (0 for a cut); ``D / fps`` never exceeds ``MAX_DURATION``."""
        if self.name == "cut":
            return 0
        return max(1, min(round(self.duration * fps), math.floor(MAX_DURATION * fps + 1e-9)))

    def split(self, frames: int) -> tuple[int, int]:
        """``(b, a)``: of ``frames`` transition frames, how many lie before the cut's frame and how many from it on."""
        before = round(TRANSITIONS[self.name][1] * frames)
        return before, frames - before


@dataclass(frozen=True)
class Joining:
    """What the render needs to join its segments: each segment's footage (grown for its transitions) and frames."""

    transition: Transition
    fps: int
    segments: tuple  # RenderSegment, with the extra footage each transition needs
    frames: tuple[int, ...]
    """Frames of each (grown) segment's stream."""
    overlaps: tuple[tuple[int, int], ...]
    """``(b, a)`` of each cut (between segment k and k+1): its transition's frames before and from the cut; (0, 0)
    is a plain cut."""
    held: tuple[tuple[int, int], ...]
    """Frames each segment holds its first and last frame for because its source has no footage beyond it."""


def _overlap(transition: Transition, fps: int, before_room: int, after_room: int) -> tuple[int, int]:
    """The longest ``(b, a)`` up to the transition's frames with ``1 <= b <= before_room`` and
    ``1 <= a <= after_room`` (each shot shows in it); ``(0, 0)``, a plain cut, when there is no room."""
    for frames in range(transition.frames(fps), 1, -1):
        before, after = transition.split(frames)
        if 0 < before <= before_room and 0 < after <= after_room:
            return before, after
    return 0, 0


def plan(segments: Sequence[RenderSegment], frames: Sequence[int], transition: Transition, fps: int,
         source_lengths: Mapping[Path, float | None]) -> Joining:
    """The footage and frame counts for joining ``segments`` (``frames`` each, as a cut render shows them).

    ``source_lengths`` gives each video's length in seconds; ``None`` marks a photo (it lasts as long as asked).
    Each transition may take at most half of each of its two segments, so a segment's two never meet.
    """
    overlaps = tuple(_overlap(transition, fps, frames[k] // 2, frames[k + 1] // 2) for k in range(len(segments) - 1))
    grown, counts, held = [], [], []
    for k, segment in enumerate(segments):
        before = overlaps[k - 1][0] if k > 0 else 0  # the incoming segment starts b frames before its cut
        after = overlaps[k][1] if k < len(overlaps) else 0  # the outgoing one runs a frames past its cut
        counts.append(frames[k] + before + after)
        if not before and not after:
            grown.append(segment)
            held.append((0, 0))
            continue
        length = source_lengths.get(Path(segment.source))
        if length is None:  # a photo: the move simply lasts longer
            grown.append(replace(segment, end=segment.end + (before + after) / fps))
            held.append((0, 0))
            continue
        start = max(0.0, segment.start - before / fps)
        end = min(length, segment.end + after / fps)
        grown.append(replace(segment, start=start, end=end))
        held.append((round(before - (segment.start - start) * fps), round(after - (end - segment.end) * fps)))
    return Joining(transition, fps, tuple(grown), tuple(counts), overlaps, tuple(held))


def _exact(video, frames: int, held: tuple[int, int]):
    """``video`` as exactly ``frames`` frames from time 0: held frames added where the source ran out."""
    first, last = held
    if first > 0 or last > 0:
        # One tpad for both ends (two in a row lose frames). Two frames more at the end, in case the source's
        # last frames fall short of its probed length; the trim takes what is needed.
        pads = {"start": first, "start_mode": "clone"} if first > 0 else {}
        video = video.filter("tpad", **pads, stop=max(last, 0) + 2, stop_mode="clone")
    return video.filter("trim", end_frame=frames).filter("setpts", "PTS-STARTPTS")


def _piece(stream, first: int, end: int):
    return stream.filter("trim", start_frame=first, end_frame=end).filter("setpts", "PTS-STARTPTS")


def join(videos: Sequence, joining: Joining):
    """One stream of the segments' ``videos`` (one per ``joining.segments``) joined by cuts or ``xfade`` transitions.

    A cut joins by ``concat``, exactly as a clip without transitions. With transitions each segment is split into
    the frames it shares with the transition before it, its own frames and those it shares with the transition
    after it; only the shared frames go through ``xfade`` (which works in 4:4:4, so the rest of the clip is not
    converted there and back), and everything is joined by one ``concat`` as a cut clip is.
    """
    fps = joining.fps
    streams = [_exact(video, frames, held)
               for video, frames, held in zip(videos, joining.frames, joining.held)]
    if not any(sum(overlap) for overlap in joining.overlaps):
        return ffmpeg.concat(*streams, v=1, a=0) if len(streams) > 1 else streams[0]
    effect = TRANSITIONS[joining.transition.name][0]
    shared = [sum(overlap) for overlap in joining.overlaps]  # frames of each transition
    pieces, tail = [], None
    for k, stream in enumerate(streams):
        head_frames = shared[k - 1] if k > 0 else 0
        tail_frames = shared[k] if k < len(shared) else 0
        body_end = joining.frames[k] - tail_frames
        parts = [n for n in (head_frames, body_end - head_frames, tail_frames) if n > 0]
        # xfade refuses inputs whose frame rate or time base differ (a photo's and a video's may).
        stream = stream.filter("fps", fps) if head_frames or tail_frames else stream
        outlets = iter([stream] if len(parts) == 1 else
                       [stream.filter_multi_output("split", len(parts))[i] for i in range(len(parts))])
        if head_frames:
            head = _piece(next(outlets), 0, head_frames)
            pieces.append(ffmpeg.filter([tail, head], "xfade", transition=effect, duration=f"{head_frames / fps:.6f}",
                                        offset=0).filter("format", "yuv420p"))
        if body_end > head_frames:
            pieces.append(_piece(next(outlets), head_frames, body_end))
        tail = _piece(next(outlets), body_end, joining.frames[k]) if tail_frames else None
    joined = ffmpeg.concat(*pieces, v=1, a=0) if len(pieces) > 1 else pieces[0]
    # concat adds each piece's rounded length to the next one's times; with more pieces than cuts a frame could
    # land a microsecond before a caption's end and show it a frame longer. Each frame's exact time instead.
    return joined.filter("settb", "AVTB").filter("setpts", f"round(N*1000000/{fps})")
