"""Framing choice: profile default, project, segment override; resolution order, refusals, what selection hands the render."""

from __future__ import annotations

import pytest

from editfactory.core.errors import ValidationError
from editfactory.footage import analyze_source, create_segment, get_segment, import_source, list_segments, update_segment
from editfactory.services import projects
from editfactory.footage.framing import (
    SETTING_KEY,
    default_framing,
    project_framing,
    resolved_framing,
    set_default_framing,
    set_project_framing,
)
from editfactory.footage.selection import select_for_sources
from editfactory.storage.settings import get_setting


def test_profile_default_is_auto_until_saved_and_a_bad_value_stores_nothing(profile, other_profile):
    assert default_framing(profile) == "auto"
    assert set_default_framing(profile, "Fit") == "fit"
    assert default_framing(profile) == "fit" and default_framing(other_profile) == "auto"
    for bad in ("zoom", "", None, 3):
        with pytest.raises(ValidationError, match="choose one of: auto, fill, fit"):
            set_default_framing(profile, bad)
    assert get_setting(profile, SETTING_KEY) == "fit"


def test_project_framing_is_kept_with_its_other_settings_and_refused_when_bad(profile):
    project = projects.create_project(profile, "Shoes", settings={"note": "keep me"})
    assert project_framing(profile, project["id"]) is None
    set_project_framing(profile, project["id"], "fill")
    assert project_framing(profile, project["id"]) == "fill"
    with pytest.raises(ValidationError, match="auto, fill, fit"):
        set_project_framing(profile, project["id"], "stretch")
    assert projects.get_project(profile, project["id"])["settings"] == {"note": "keep me", "framing": "fill"}
    set_project_framing(profile, project["id"], None)  # back to the profile's default
    assert projects.get_project(profile, project["id"])["settings"] == {"note": "keep me"}


def test_segment_override_is_stored_cleared_and_refused_when_bad(profile, video):
    source = import_source(profile, video)
    segment = create_segment(profile, source.id, 0.0, 2.0)
    assert segment.framing is None
    assert update_segment(profile, segment.id, framing="fit").framing == "fit"
    with pytest.raises(ValidationError, match="auto, fill, fit"):
        update_segment(profile, segment.id, framing="crop", notes="lost")
    unchanged = get_segment(profile, segment.id)
    assert unchanged.framing == "fit" and unchanged.notes == ""
    assert update_segment(profile, segment.id, framing="").framing is None


def test_selection_resolves_segment_over_project_over_profile_over_auto(profile, video):
    source = import_source(profile, video)
    analyze_source(profile, source.id)
    project = projects.create_project(profile, "Shoes")
    projects.set_project_sources(profile, project["id"], [source.id])
    auto = list_segments(profile, source.id, origin="auto")
    assert auto and all(s.scores["subject_track"] for s in auto)
    overridden = auto[0]
    update_segment(profile, overridden.id, framing="fill")

    def framings() -> dict[str, str]:
        picked = select_for_sources(profile, [source.id], sum(s.duration for s in auto),
                                    framing=resolved_framing(profile, project["id"]))[0]
        by_start = {round(s.start, 3): s for s in auto}
        result = {}
        for segment in picked:
            stored = by_start[round(segment.start, 3)]
            result[stored.id] = segment.framing
            assert segment.track == tuple(tuple(p) for p in stored.scores["subject_track"])  # the crop follows it
            assert segment.spread == stored.scores["subject_spread"]
        return result

    assert resolved_framing(profile, project["id"]) == "auto"
    found = framings()
    assert found.pop(overridden.id) == "fill" and set(found.values()) == {"auto"}
    set_default_framing(profile, "fit")
    found = framings()
    assert found.pop(overridden.id) == "fill" and set(found.values()) == {"fit"}
    set_project_framing(profile, project["id"], "auto")
    found = framings()
    assert found.pop(overridden.id) == "fill" and set(found.values()) == {"auto"}


def test_a_source_without_segments_gets_the_chosen_framing_and_a_centred_crop(profile, video):
    source = import_source(profile, video)
    [picked] = select_for_sources(profile, [source.id], 2.0, framing="fit")
    assert {(s.framing, s.track, s.spread) for s in picked} == {("fit", (), None)}
    with pytest.raises(ValidationError, match="auto, fill, fit"):
        select_for_sources(profile, [source.id], 2.0, framing="zoom")


def test_a_framing_chosen_for_an_analyzed_segment_survives_analysing_again(profile, video):
    source = import_source(profile, video)
    analyze_source(profile, source.id)
    first = sorted(list_segments(profile, source.id, origin="auto"), key=lambda s: s.start)
    update_segment(profile, first[0].id, framing="fit")
    analyze_source(profile, source.id)  # "Analyze footage" again: the analyzed segments are made anew
    again = sorted(list_segments(profile, source.id, origin="auto"), key=lambda s: s.start)
    assert [s.framing for s in again] == ["fit"] + [None] * (len(again) - 1)
    assert again[0].id != first[0].id and (again[0].start, again[0].end) == (first[0].start, first[0].end)
