"""Manual segments: create, edit, delete, validated against the source's length and kept per profile."""

from __future__ import annotations

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.footage.segments import (
    create_segment,
    delete_segment,
    get_segment,
    list_segments,
    replace_auto_segments,
    update_segment,
)
from editfactory.footage.sources import import_source


@pytest.fixture
def source(profile, video):
    return import_source(profile, video)


def test_create_edit_delete(profile, source):
    segment = create_segment(profile, source.id, 1.0, 2.5, keywords="mug, Close-up ,mug", notes="hero shot", favorite=True)
    assert (segment.start, segment.end, segment.keywords, segment.notes, segment.favorite, segment.origin) == (
        1.0, 2.5, ("mug", "Close-up"), "hero shot", True, "manual")
    edited = update_segment(profile, segment.id, end=4.0, favorite=False, keywords=["box"])
    assert (edited.start, edited.end, edited.favorite, edited.keywords, edited.notes) == (1.0, 4.0, False, ("box",), "hero shot")
    assert list_segments(profile, source.id) == [edited]
    delete_segment(profile, segment.id)
    assert list_segments(profile, source.id) == []
    with pytest.raises(NotFoundError):
        get_segment(profile, segment.id)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(-1, 2, "before 0 s"), (1, 9, "lasts only 6.00 s"), (3, 2, "end after it starts"), (2, 2.05, "at least 0.1 s"), ("a", 2, "not a number"),
     (True, 2, "start must be a number, not a yes/no value"), (1, float("nan"), "end must be a finite number"),
     (None, 2, "start must be a number")],
)
def test_ranges_are_validated_against_the_source(profile, source, start, end, message):
    with pytest.raises(ValidationError, match=message):
        create_segment(profile, source.id, start, end)


@pytest.mark.parametrize(("change", "words"), [
    ({"start": True}, "not a yes/no value"),  # was a start at 1 s
    ({"notes": 12}, "notes must be text"),  # was stored as '12'
    ({"notes": "ok\x00"}, "control or invisible"),
    ({"favorite": "no"}, "True or False"),  # bool('no') marked it a favorite
])
def test_an_edit_of_the_wrong_kind_is_refused_and_the_segment_kept(profile, source, change, words):
    segment = create_segment(profile, source.id, 0.5, 2, notes="hero", favorite=False)
    with pytest.raises(ValidationError, match=words):
        update_segment(profile, segment.id, **change)
    assert get_segment(profile, segment.id) == segment


def test_edit_is_validated_too(profile, source):
    segment = create_segment(profile, source.id, 1, 2)
    with pytest.raises(ValidationError, match="lasts only"):
        update_segment(profile, segment.id, end=60)
    assert get_segment(profile, segment.id).end == 2


def test_ids_from_another_profile_are_not_found(profile, other_profile, source):
    segment = create_segment(profile, source.id, 0, 1)
    with pytest.raises(NotFoundError):
        create_segment(other_profile, source.id, 0, 1)
    for call in (lambda: get_segment(other_profile, segment.id), lambda: update_segment(other_profile, segment.id, notes="x"),
                 lambda: delete_segment(other_profile, segment.id), lambda: list_segments(other_profile, source.id)):
        with pytest.raises(NotFoundError):
            call()
    assert get_segment(profile, segment.id) == segment


def test_analysis_results_for_another_profiles_source_are_refused(profile, other_profile, source):
    scored = [(0.0, 2.0, 0.9, {"motion": 1.0})]
    with pytest.raises(NotFoundError, match="Source video .* not found in profile 'Store B'"):
        replace_auto_segments(other_profile, source.id, scored)
    assert other_profile.db.fetchall("SELECT id FROM segments") == []  # no orphan row in the wrong profile
    assert replace_auto_segments(profile, source.id, scored) == 1
    assert [s.origin for s in list_segments(profile, source.id)] == ["auto"]
