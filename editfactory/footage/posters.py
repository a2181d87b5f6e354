"""Poster frames: one still of a segment (its middle) or of a rendered clip, so a list can be seen before it is played.

Posters are a cache in the profile's previews folder, named by segment id and range (by clip id and
its file's size and time for clips), so an edited segment or a re-rendered clip gets a new poster
and a missing one is simply made again.
"""

from __future__ import annotations

import os
from pathlib import Path

from editfactory.core.errors import ValidationError
from editfactory.footage.segments import Segment
from editfactory.footage.sources import get_source
from editfactory.media.thumbnails import make_thumbnail
from editfactory.profiles import Profile
from editfactory.services.projects import get_clip

POSTER_WIDTH = 240


def poster_path(profile: Profile, segment: Segment) -> Path:
    return profile.paths.previews / "posters" / f"{segment.id}-{int(segment.start * 1000)}-{int(segment.end * 1000)}.jpg"


def segment_poster(profile: Profile, segment: Segment) -> Path:
    """The poster of ``segment`` (made on first use); MediaError when its source cannot be decoded there."""
    target = poster_path(profile, segment)
    if target.is_file():
        return target
    source = get_source(profile, segment.source_id)  # this profile's source only
    # A photo is one picture (its segments differ only in length); a video's poster is the segment's middle.
    _write_poster(source.path, target, at=0.0 if source.kind == "photo" else (segment.start + segment.end) / 2)
    return target


CLIP_POSTER_AT = 0.4
"""Where in a clip its poster is taken (a fraction of its length): past the opening, where the captions run."""


def clip_poster(profile: Profile, clip_id: str) -> Path:
    """The poster of one of this profile's rendered clips (made on first use, made anew after a re-render).

    NotFoundError for a clip of another profile; ValidationError when the clip has no video file yet.
    """
    clip = get_clip(profile, clip_id)
    video = profile.paths.absolute(clip["path"]) if clip.get("path") else None
    if video is None or not video.is_file():
        raise ValidationError(f"Clip {clip['name']!r} has no rendered video yet; render it to see its poster.")
    stat = video.stat()
    target = profile.paths.previews / "posters" / f"{clip['id']}-{stat.st_size}-{stat.st_mtime_ns}.jpg"
    if target.is_file():
        return target
    duration = clip.get("duration") or 0.0
    _write_poster(video, target, at=duration * CLIP_POSTER_AT)
    return target


def _write_poster(video: Path, target: Path, *, at: float) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial.jpg")
    try:
        make_thumbnail(video, partial, at=at, width=POSTER_WIDTH)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
