"""Frame fingerprints from the analysis pass find the same footage in a crushed, resized, trimmed or brighter copy,
and never pair different footage."""

from __future__ import annotations

import numpy as np
import pytest

from editfactory.media.analysis import AnalysisOptions, analyze_video
from editfactory.media.fingerprint import NO_HASH, FrameHasher, match_fingerprints

from footage_copies import TAKES, TRIM, make_copy, make_different, make_good, make_take, save_side_by_side

FPS = AnalysisOptions().sample_fps


@pytest.fixture(scope="module")
def footage(tmp_path_factory):
    folder = tmp_path_factory.mktemp("copies")
    good = make_good(folder / "good.mp4")
    files = {"good": good}
    files.update({name: make_copy(good, name, folder) for name in ("crushed", "mpeg4", "resized", "brighter", "trimmed")})
    files.update({name: make_different(name, folder) for name in ("other_pattern", "moving_colours")})
    files.update({name: make_take(name, folder) for name in TAKES})
    return files


@pytest.fixture(scope="module")
def hashes(footage):
    return {name: analyze_video(path, AnalysisOptions(keyframe_snap=0)).fingerprint for name, path in footage.items()}


@pytest.mark.parametrize("copy", ["crushed", "mpeg4", "resized", "brighter"])
def test_a_reencoded_copy_is_the_same_footage_all_through(hashes, copy):
    spans = match_fingerprints(hashes["good"], hashes[copy], FPS)
    assert len(spans) == 1, spans
    [span] = spans
    assert span.a_start <= 0.25 and span.a_end >= 5.75, "the whole 6 s are found in the copy"
    assert span.offset == pytest.approx(0.0, abs=0.25)
    assert span.similarity > 0.6
    [back] = match_fingerprints(hashes[copy], hashes["good"], FPS)  # and the other way round
    assert back.offset == pytest.approx(0.0, abs=0.25) and back.a_end - back.a_start >= 5.5


def test_a_trimmed_copy_is_found_at_its_offset(footage, hashes):
    [span] = match_fingerprints(hashes["good"], hashes["trimmed"], FPS)
    # The copy starts 0.7 s in: its samples fall between the good source's, 0.05 s off the nearest.
    assert span.offset == pytest.approx(-TRIM, abs=0.25)
    assert span.a_start <= TRIM + 0.25 and span.a_end >= 5.75
    png = save_side_by_side(footage["good"], 3.0, footage["trimmed"], 3.0 + span.offset, "dupes-good-vs-trimmed")
    assert png.stat().st_size > 0


def test_the_crushed_copy_side_by_side(footage, hashes):
    [span] = match_fingerprints(hashes["good"], hashes["crushed"], FPS)
    png = save_side_by_side(footage["good"], 3.0, footage["crushed"], 3.0 + span.offset, "dupes-good-vs-crushed")
    assert png.stat().st_size > 0


@pytest.mark.parametrize("other", ["other_pattern", "moving_colours"])
def test_different_footage_is_never_paired(hashes, other):
    for copy in ("good", "crushed", "resized"):
        assert match_fingerprints(hashes[copy], hashes[other], FPS) == []
        assert match_fingerprints(hashes[other], hashes[copy], FPS) == []
    assert match_fingerprints(hashes["other_pattern"], hashes["moving_colours"], FPS) == []


@pytest.mark.parametrize("take", sorted(TAKES))
def test_another_take_of_the_same_scene_is_never_paired(footage, hashes, take):
    # Same chart and fractal, framed higher or zooming slower: 15–22 bits from the good footage, close to but
    # above the copies' worst (14); a looser threshold would call these takes copies and drop one from every clip.
    for copy in ("good", "crushed", "resized"):
        assert match_fingerprints(hashes[copy], hashes[take], FPS) == [], copy
        assert match_fingerprints(hashes[take], hashes[copy], FPS) == [], copy
    [other] = set(TAKES) - {take}
    assert match_fingerprints(hashes[take], hashes[other], FPS) == []
    png = save_side_by_side(footage["good"], 3.0, footage[take], 3.0, f"dupes-good-vs-{take.replace('_', '-')}")
    assert png.stat().st_size > 0


def test_a_source_is_the_same_footage_as_itself_and_every_frame_is_hashed(hashes):
    assert len(hashes["good"]) == 24 and NO_HASH not in hashes["good"]
    [span] = match_fingerprints(hashes["good"], hashes["good"], FPS)
    assert (span.a_start, span.a_end, span.distance) == (0.0, 6.0, 0.0)


def test_flat_frames_get_no_hash_and_never_match():
    hasher = FrameHasher(160, 90)
    assert hasher(np.full((90, 160), 16, dtype=np.float32)) == NO_HASH  # black
    assert hasher(np.full((90, 160), 200, dtype=np.float32) + np.random.default_rng(1).normal(0, 0.3, (90, 160))
                  .astype(np.float32)) == NO_HASH  # a flat colour with sensor noise
    black = [NO_HASH] * 12
    assert match_fingerprints(black, black, FPS) == []


def test_the_hash_ignores_brightness_and_contrast_but_not_the_picture():
    rng = np.random.default_rng(7)
    picture = np.kron(rng.uniform(20, 230, (9, 16)), np.ones((10, 10))).astype(np.float32)
    hasher = FrameHasher(160, 90)
    original = hasher(picture)
    assert original == hasher(picture * 0.8 + 30), "brightness and contrast change only the mean and the scale"
    other = np.kron(rng.uniform(20, 230, (9, 16)), np.ones((10, 10))).astype(np.float32)
    assert bin(original ^ hasher(other)).count("1") > 16
