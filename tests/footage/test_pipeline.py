"""Analysis into the database, selection from it, caption style setting and rendering into the profile."""

from __future__ import annotations

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.footage import (
    analyze_source,
    create_segment,
    get_caption_style,
    get_source,
    import_source,
    list_segments,
    render_for_profile,
    save_caption_style,
    select_for_sources,
)
from editfactory.media.captions import CaptionStyle
from editfactory.media.presets import RenderPreset
from editfactory.media.probe import probe
from editfactory.media.render import RenderSpec

SMALL = RenderPreset("test", width=180, height=320, x264_preset="superfast")


def test_analysis_stores_scored_auto_segments_and_keeps_manual_ones(profile, video):
    source = import_source(profile, video)
    manual = create_segment(profile, source.id, 0.0, 1.0, notes="mine")
    seen: list[float] = []
    result = analyze_source(profile, source.id, progress=lambda message, fraction: seen.append(fraction))
    auto = list_segments(profile, source.id, origin="auto")
    assert len(auto) == len(result.windows) > 0
    assert all(s.score is not None and set(s.scores) >= {"motion", "variety", "sharpness", "brightness", "subject_x",
                                                         "subject_spread", "subject_track"} for s in auto)
    best = max(auto, key=lambda s: s.score)
    assert best.end > 3.0, "a window with the moving half scores best"
    assert get_source(profile, source.id).analyzed_at is not None and seen[-1] == 1.0
    analyze_source(profile, source.id)  # again: replaces, does not duplicate
    assert len(list_segments(profile, source.id, origin="auto")) == len(auto)
    assert manual in list_segments(profile, source.id)


def test_select_and_render_into_the_profile(profile, video, voice):
    source = import_source(profile, video)
    analyze_source(profile, source.id)
    variants = select_for_sources(profile, [source.id], 2.5, mode="best", variants=3, seed=7)
    assert len(variants) == 3 and len({tuple(v) for v in variants}) == 3
    assert all(sum(s.duration for s in v) == pytest.approx(2.5) for v in variants)
    spec = RenderSpec(segments=variants[0], voiceover=voice, words=[("Hello", 0.1, 0.5), ("there.", 0.6, 1.0)],
                      caption_style=get_caption_style(profile), preset=SMALL)
    result = render_for_profile(profile, spec, "clip-1.mp4", outside_inputs=[voice])  # a voiceover chosen explicitly
    assert result.path == profile.paths.renders / "clip-1.mp4"
    assert abs(probe(result.path).duration - 2.5) <= 1 / 30 + 1e-6
    assert list(profile.paths.tmp.iterdir()) == []


def test_unanalyzed_source_still_offers_footage(profile, video):
    source = import_source(profile, video)
    picks = select_for_sources(profile, [source.id], 8.0, mode="source_order")[0]
    assert sum(p.duration for p in picks) == pytest.approx(8.0)


def test_selection_refuses_foreign_sources(profile, other_profile, video):
    source = import_source(profile, video)
    with pytest.raises(NotFoundError):
        select_for_sources(other_profile, [source.id], 2.0)
    with pytest.raises(ValidationError):
        select_for_sources(profile, [], 2.0)


def test_render_refuses_media_outside_the_profile(profile, other_profile, video, voice):
    theirs = import_source(other_profile, video)
    mine = import_source(profile, video)  # same content, but this profile's own copy
    link = profile.paths.media / "link.mp4"
    link.symlink_to(theirs.path)  # inside the folder, pointing at the other profile's footage
    cases = [
        ([(theirs.path, 0.0, 1.0)], None, []),                   # another profile's imported footage
        ([(video, 0.0, 1.0)], None, []),                         # a file that was never imported
        ([(link, 0.0, 1.0)], None, []),                          # a link out of the profile folder
        ([(mine.path, 0.0, 1.0)], voice, []),                    # a voiceover from outside, not named explicitly
        ([(mine.path, 0.0, 1.0)], theirs.path, [voice]),         # naming one outside file allows only that one
    ]
    for segments, voiceover, allowed in cases:
        spec = RenderSpec(segments=segments, voiceover=voiceover, caption_style=None, preset=SMALL)
        with pytest.raises(ValidationError, match="is not part of profile 'Store A'.*Import the video into this profile"):
            render_for_profile(profile, spec, "stolen.mp4", outside_inputs=allowed)
    assert not (profile.paths.renders / "stolen.mp4").exists() and list(profile.paths.tmp.iterdir()) == []
    spec = RenderSpec(segments=[(mine.path, 0.0, 1.0)], caption_style=None, preset=SMALL)
    assert render_for_profile(profile, spec, "own.mp4").path.is_file()


def test_render_file_name_is_checked(profile):
    with pytest.raises(ValidationError, match="not a usable clip file name"):
        render_for_profile(profile, RenderSpec(segments=[]), "../escape.mp4")


def test_caption_style_is_per_profile(profile, other_profile):
    assert get_caption_style(profile) == CaptionStyle()
    mine = CaptionStyle(size=100, highlight_color="#00FF88", vertical_position=0.6)
    save_caption_style(profile, mine)
    save_caption_style(profile, mine)  # saving twice updates in place
    assert get_caption_style(profile) == mine
    assert get_caption_style(other_profile) == CaptionStyle()
