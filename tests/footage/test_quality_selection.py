"""Selection prefers sharp, undamaged, larger footage and keeps footage under the quality floor out while the
rest can fill the voiceover; when it cannot, the choice says how much low-quality footage each variant used."""

from __future__ import annotations

import pytest
from library_helpers import make_media

from editfactory.footage import analyze_source, import_source
from editfactory.footage.selection import candidates_for, choose_footage
from editfactory.media.selection import QUALITY_FLOOR

TEXTURED = ("mandelbrot=size=640x360:rate=30[m];testsrc2=size=640x360:rate=30[t];[m][t]blend=all_mode=average,"
            "noise=alls=12:allf=t,format=yuv420p")
OTHER = "life=size=640x360:rate=30:mold=10:ratio=0.1:death_color=#C83232:life_color=#00ff00,noise=alls=12:allf=t,format=yuv420p"


@pytest.fixture(scope="session")
def clean(inputs):
    """4 s of detailed footage with a little grain, encoded well."""
    return make_media(inputs / "shoe-clean.mp4", "-filter_complex", TEXTURED, "-t", "4", "-c:v", "libx264",
                      "-preset", "veryfast", "-crf", "18")


@pytest.fixture(scope="session")
def crushed_copy(inputs, clean):
    """The same footage re-encoded at x264's worst quality (CRF 51): blocky and smeared."""
    return make_media(inputs / "shoe-crushed.mp4", "-i", str(clean), "-c:v", "libx264", "-preset", "veryfast",
                      "-crf", "51")


@pytest.fixture(scope="session")
def crushed_other(inputs):
    """Other footage (not a copy of the clean one), as heavily compressed."""
    return make_media(inputs / "crowd-crushed.mp4", "-f", "lavfi", "-i", OTHER, "-t", "4", "-c:v", "libx264",
                      "-preset", "veryfast", "-crf", "51")


def _analyzed(profile, *paths):
    sources = [import_source(profile, path) for path in paths]
    for source in sources:
        analyze_source(profile, source.id)
    return sources


def test_the_clean_copy_is_rated_higher_and_picked_first(profile, clean, crushed_copy):
    good, bad = _analyzed(profile, clean, crushed_copy)
    candidates = candidates_for(profile, [bad.id, good.id])
    by_source = {source.path: [c for c in candidates if c.source == source.path] for source in (good, bad)}
    assert min(c.quality for c in by_source[good.path]) > max(c.quality for c in by_source[bad.path])
    assert all(c.below_floor for c in by_source[bad.path]) and not any(c.below_floor for c in by_source[good.path])
    choice = choose_footage(profile, [bad.id, good.id], 2.0, variants=1)
    assert [s.source for s in choice.variants[0]] == [good.path] and choice.low_quality == [None]


def test_footage_under_the_floor_waits_until_nothing_else_can_fill(profile, clean, crushed_other):
    good, bad = _analyzed(profile, clean, crushed_other)
    # 3.5 s: the clean 4 s fill it in every variant; the crushed footage is not used.
    choice = choose_footage(profile, [bad.id, good.id], 3.5, variants=3, seed=1)
    for variant in choice.variants:
        assert {s.source for s in variant} == {good.path}
        assert sum(s.duration for s in variant) == pytest.approx(3.5)
    assert choice.low_quality == [None, None, None]
    # 6 s: more than the clean footage holds, so the crushed footage fills the rest, and the choice says so.
    choice = choose_footage(profile, [bad.id, good.id], 6.0, variants=1)
    [variant] = choice.variants
    assert sum(s.duration for s in variant) == pytest.approx(6.0)
    assert variant[0].source == good.path and bad.path in {s.source for s in variant}
    [low] = choice.low_quality
    crushed_seconds = sum(s.duration for s in variant if s.source == bad.path)
    assert low.seconds == pytest.approx(crushed_seconds, abs=0.01) and low.filenames == ("crowd-crushed.mp4",)
    note = low.note(1)
    assert note.startswith(f"Variant 1 uses {crushed_seconds:.1f} s of low-quality footage (crowd-crushed.mp4")
    assert f"quality under {QUALITY_FLOOR:g}" in note
