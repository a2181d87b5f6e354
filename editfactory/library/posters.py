"""Poster frames: one still of a segment (its middle) so a list of segments can be seen before it is played.

Posters are a cache in the profile's previews folder, named by segment id and range,
so an edited segment gets a new poster and a missing one is simply made again.
"""

from __future__ import annotations

import os
from pathlib import Path

from editfactory.library.segments import Segment
from editfactory.library.sources import get_source
from editfactory.media.thumbnails import make_thumbnail
from editfactory.profiles import Profile

POSTER_WIDTH = 240


def poster_path(profile: Profile, segment: Segment) -> Path:
    return profile.paths.previews / "posters" / f"{segment.id}-{int(segment.start * 1000)}-{int(segment.end * 1000)}.jpg"


def segment_poster(profile: Profile, segment: Segment) -> Path:
    """The poster of ``segment`` (made on first use); MediaError when its source cannot be decoded there."""
    target = poster_path(profile, segment)
    if target.is_file():
        return target
    source = get_source(profile, segment.source_id)  # this profile's source only
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial.jpg")
    try:
        make_thumbnail(source.path, partial, at=(segment.start + segment.end) / 2, width=POSTER_WIDTH)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target
