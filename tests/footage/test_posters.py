"""Poster frames of segments: the middle of the segment, remade after an edit, only from this profile's footage."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from editfactory.core.errors import NotFoundError
from editfactory.footage import create_segment, import_source, update_segment
from editfactory.footage.posters import POSTER_WIDTH, segment_poster


def test_a_poster_shows_the_segments_middle_and_follows_edits(profile, video):
    source = import_source(profile, video)
    still = create_segment(profile, source.id, 0.5, 1.5)  # the drifting still picture
    moving = create_segment(profile, source.id, 4.0, 5.0)  # the fractal
    first, second = segment_poster(profile, still), segment_poster(profile, moving)
    assert first.parent.parent == profile.paths.previews
    with Image.open(first) as a, Image.open(second) as b:
        assert a.width == POSTER_WIDTH
        difference = np.abs(np.asarray(a, dtype=float) - np.asarray(b.resize(a.size), dtype=float)).mean()
    assert difference > 20  # two different pictures, not one frame for every segment
    assert segment_poster(profile, still) == first  # made once
    edited = update_segment(profile, still.id, start=3.6, end=4.8)
    assert segment_poster(profile, edited) != first


def test_a_segment_of_another_profile_gets_no_poster(profile, other_profile, video):
    source = import_source(other_profile, video)
    foreign = create_segment(other_profile, source.id, 0.5, 1.5)
    with pytest.raises(NotFoundError):
        segment_poster(profile, foreign)
    assert not profile.paths.previews.exists() or not any(profile.paths.previews.rglob("*.jpg"))
