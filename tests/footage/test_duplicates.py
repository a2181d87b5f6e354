"""Near-duplicate sources of a profile: found after analysis, stored as pairs, described, removed with the source,
used by selection to keep only the better copy in a clip; never across profiles."""

from __future__ import annotations

import pytest

from editfactory.core.errors import NotFoundError
from editfactory.footage import analyze_source, delete_source, import_source, list_segments, select_for_sources
from editfactory.footage.duplicates import copies_among, copies_of, segment_copies
from editfactory.footage.selection import candidates_for
from editfactory.profiles import Workspace

from footage_copies import make_copy, make_different, make_good, make_take


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("library-copies")
    good = make_good(folder / "clean.mp4")
    return {"clean": good, **{name: make_copy(good, name, folder) for name in ("crushed", "resized", "trimmed")},
            "other": make_different("other_pattern", folder), "take": make_take("take_slower_zoom", folder)}


@pytest.fixture(scope="module")
def store(tmp_path_factory, files):
    """A profile holding the clean source, three copies of it, a different source and another take of the clean
    one's scene, all analyzed (read only)."""
    profile = Workspace(tmp_path_factory.mktemp("store") / "ws").create("Store A")
    return profile, imported(profile, files, "clean", "crushed", "resized", "trimmed", "other", "take")


def imported(profile, files, *names, analyze=True):
    sources = {name: import_source(profile, files[name]) for name in names}
    if analyze:
        for source in sources.values():
            analyze_source(profile, source.id)
    return {name: source.id for name, source in sources.items()}


def pair_rows(profile):
    return profile.db.fetchall("SELECT source_a, source_b FROM near_duplicates ORDER BY 1, 2")


def test_copies_are_found_after_analysis_and_different_footage_is_not(store):
    profile, ids = store
    names = {v: k for k, v in ids.items()}
    found = {names[c.source_id]: c for c in copies_of(profile, ids["clean"])}
    assert set(found) == {"crushed", "resized", "trimmed"}
    assert all(c.similarity > 0.6 and c.coverage > 0.7 for c in found.values()), found
    assert copies_of(profile, ids["other"]) == []
    assert copies_of(profile, ids["take"]) == [], "another take of the same scene is not a copy"
    # Each pair is stored once; copies are copies of each other too (a crushed one of a resized one, at least).
    assert all(a < b for a, b in pair_rows(profile)) and len(set(pair_rows(profile))) == len(pair_rows(profile))
    crushed = {names[c.source_id]: c for c in copies_of(profile, ids["crushed"])}
    assert {"clean", "resized"} <= set(crushed) and "other" not in crushed
    assert "more compressed" in crushed["clean"].differences
    assert crushed["clean"].describe().startswith("Same footage as clean.mp4 (this copy is more compressed)")
    assert found["resized"].differences[0] == "larger"  # the clean one, compared with the resized copy
    trimmed = {names[c.source_id]: c for c in copies_of(profile, ids["trimmed"])}["clean"]
    assert "shorter" in trimmed.differences
    assert set(copies_among(profile, [ids["clean"], ids["other"]])) == set(), "only pairs among the sources asked about"


def test_segments_of_copies_know_each_other(store):
    profile, ids = store
    ids = {name: ids[name] for name in ("clean", "trimmed", "other")}
    copies = segment_copies(profile, list(ids.values()))
    segment_source = {s.id: s.source_id for sid in ids.values() for s in list_segments(profile, sid)}
    other_segments = {s.id for s in list_segments(profile, ids["other"])}
    assert copies and not other_segments & set(copies)
    for segment_id, partners in copies.items():
        assert all(segment_source[p] != segment_source[segment_id] for p in partners)
    # The trimmed copy starts 0.7 s in: its 0–2 s shows 0.7–2.7 s of the clean source, so it pairs with two windows.
    first = next(s for s in list_segments(profile, ids["trimmed"]) if s.start == 0.0)
    partners = sorted((s.start, s.end) for s in list_segments(profile, ids["clean"]) if s.id in copies[first.id])
    assert partners == [(0.0, 2.0), (2.0, 4.0)]


def test_selection_keeps_the_clean_copy_in_every_variant(store, files):
    profile, ids = store
    source_path = {import_source(profile, files[n]).path: n for n in ids}  # importing again returns the same source
    # The trimmed copy is as sharp as the clean one and scores higher on some windows; the resized one is
    # undamaged too. Only the clean one may be used: every variant shows the footage once, and at its best.
    for mode in ("best", "random"):
        variants = select_for_sources(profile, list(ids.values()), 7.0, mode=mode, variants=3, seed=5)
        assert len({tuple(v) for v in variants}) == 3
        for variant in variants:
            used = {source_path[s.source] for s in variant}
            assert used <= {"clean", "other", "take"}, (mode, used)
            assert sum(s.duration for s in variant) == pytest.approx(7.0)


@pytest.mark.parametrize("copy", ["crushed", "resized", "trimmed"])
def test_when_only_copies_are_left_the_clean_copy_is_reused(store, files, copy):
    profile, ids = store
    ids = {name: ids[name] for name in (copy, "clean")}
    variants = select_for_sources(profile, list(ids.values()), 10.0, variants=2)
    clean = import_source(profile, files["clean"]).path
    for variant in variants:
        assert sum(s.duration for s in variant) == pytest.approx(10.0)
        assert {s.source for s in variant} == {clean}, "6 s of footage fill 10 s: the clean copy again, not the copy"


def test_a_favorite_segment_of_the_copy_is_kept(profile, files):
    from editfactory.footage import update_segment

    ids = imported(profile, files, "clean", "crushed")
    favorite = list_segments(profile, ids["crushed"])[0]
    update_segment(profile, favorite.id, favorite=True)
    kept = {c.ident for c in candidates_for(profile, list(ids.values()))}
    copies = segment_copies(profile, list(ids.values()))
    variants = select_for_sources(profile, list(ids.values()), 4.0, variants=1)
    crushed = import_source(profile, files["crushed"]).path
    assert favorite.id in kept and copies[favorite.id]
    assert any(s.source == crushed and s.start == pytest.approx(favorite.start) for s in variants[0])


def test_deleting_a_source_removes_its_pairs_and_fingerprint(profile, files):
    ids = imported(profile, files, "clean", "crushed", "resized")
    assert len(pair_rows(profile)) == 3
    delete_source(profile, ids["crushed"])
    assert ids["crushed"] not in {x for row in pair_rows(profile) for x in row} and len(pair_rows(profile)) == 1
    assert profile.db.fetchone("SELECT count(*) FROM source_fingerprints WHERE source_id = ?", [ids["crushed"]])[0] == 0
    with pytest.raises(NotFoundError):
        copies_of(profile, ids["crushed"])


def test_analyzing_again_replaces_the_pairs(profile, files):
    ids = imported(profile, files, "clean", "crushed")
    before = profile.db.fetchall("SELECT * EXCLUDE (found_at) FROM near_duplicates")
    analyze_source(profile, ids["crushed"])
    analyze_source(profile, ids["clean"])
    assert profile.db.fetchall("SELECT * EXCLUDE (found_at) FROM near_duplicates") == before and len(before) == 1


def test_an_unanalyzed_copy_is_not_paired_until_analyzed(profile, files):
    ids = imported(profile, files, "clean")
    ids |= imported(profile, files, "crushed", analyze=False)
    assert copies_of(profile, ids["clean"]) == []
    analyze_source(profile, ids["crushed"])
    assert [c.source_id for c in copies_of(profile, ids["clean"])] == [ids["crushed"]]


def test_copies_in_another_profile_are_never_paired(profile, other_profile, files):
    mine = imported(profile, files, "clean")
    theirs = imported(other_profile, files, "crushed", "other")
    assert copies_of(profile, mine["clean"]) == [] and pair_rows(profile) == [] and pair_rows(other_profile) == []
    with pytest.raises(NotFoundError):
        copies_of(other_profile, mine["clean"])
    with pytest.raises(NotFoundError):
        segment_copies(profile, [mine["clean"], theirs["crushed"]])


def test_a_copy_fingerprinted_meanwhile_by_another_process_is_still_paired(profile, files, monkeypatch):
    from editfactory.footage import duplicates
    from editfactory.media.analysis import analyze_video

    ids = imported(profile, files, "clean")
    ids |= imported(profile, files, "crushed", analyze=False)
    crushed_hashes = analyze_video(files["crushed"]).fingerprint
    clean_hashes = analyze_video(files["clean"]).fingerprint
    real = duplicates._other_fingerprints
    calls = []

    def others_then_a_late_one(profile_, source_id, skip):
        found = real(profile_, source_id, skip)
        if not calls:  # the other process stores its fingerprint right after this process read the stored ones
            profile_.db.execute("DELETE FROM source_fingerprints WHERE source_id = ?", [ids["clean"]])
            found = real(profile_, source_id, skip)
            profile_.db.execute("INSERT INTO source_fingerprints (source_id, sample_fps, hashes) VALUES (?, 4.0, ?)",
                                [ids["clean"], duplicates._hashes_blob(clean_hashes)])
        calls.append(len(found))
        return found

    profile.db.execute("DELETE FROM near_duplicates")
    monkeypatch.setattr(duplicates, "_other_fingerprints", others_then_a_late_one)
    duplicates.record_fingerprint(profile, ids["crushed"], crushed_hashes, 4.0)
    assert calls[0] == 0 and [c.source_id for c in copies_of(profile, ids["crushed"])] == [ids["clean"]]


def test_duplicate_pairs_lists_each_pair_of_the_profile_once_by_name(store):
    from editfactory.footage.duplicates import duplicate_pairs

    profile, _ = store
    pairs = duplicate_pairs(profile)
    named = {frozenset((p["a"], p["b"])) for p in pairs}
    assert frozenset(("clean.mp4", "crushed.mp4")) in named and frozenset(("clean.mp4", "trimmed.mp4")) in named
    assert len(named) == len(pairs) and not any("other_pattern.mp4" in pair or "take_slower_zoom.mp4" in pair for pair in named)
    assert all(p["shared_s"] > 0 for p in pairs)
