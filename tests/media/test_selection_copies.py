"""Selection never puts two copies of the same footage into one variant, and keeps the better copy in every variant."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from editfactory.media.selection import MIN_PIECE, Candidate, select_variants, without_worse_copies

CLEAN, CRUSHED, OTHER = Path("clean.mp4"), Path("crushed.mp4"), Path("other.mp4")


def windows(source: Path, scores: list[float], prefix: str) -> list[Candidate]:
    return [Candidate(source, 2.0 * i, 2.0 * i + 2.0, score=s, source_duration=2.0 * len(scores), key=f"{prefix}{i}")
            for i, s in enumerate(scores)]


def paired(clean: list[Candidate], crushed: list[Candidate]) -> list[Candidate]:
    """Window i of each copy shows the same footage."""
    return ([replace(c, duplicate_of=frozenset({d.ident})) for c, d in zip(clean, crushed)]
            + [replace(d, duplicate_of=frozenset({c.ident})) for c, d in zip(clean, crushed)])


# The crushed copy's windows score close to the clean ones (as in the issue: 0.77/0.61 against 0.83/0.75), and one
# even scores higher: its blocks look like detail to the sharpness measure.
COPIES = paired(windows(CLEAN, [0.83, 0.75, 0.5], "clean"), windows(CRUSHED, [0.77, 0.61, 0.55], "crushed"))
OTHERS = windows(OTHER, [0.8, 0.7, 0.6, 0.4], "other")


@pytest.mark.parametrize("mode", ["best", "source_order", "random"])
def test_no_variant_holds_both_copies_and_every_variant_uses_the_better(mode):
    variants = select_variants(COPIES + OTHERS, 9.0, mode=mode, variants=4, seed=2)
    for picks in variants:
        assert sum(p.duration for p in picks) == pytest.approx(9.0)
        assert all(p.duration >= MIN_PIECE - 1e-9 for p in picks)
        footage = [p.ident.split("~")[0] for p in picks if not p.ident.startswith("other")]
        assert len({f[-1] for f in footage}) == len(set(footage)), f"the same footage twice in {footage}"
        assert all(f.startswith("clean") or f == "crushed2" for f in footage), footage
    assert len({tuple((p.ident, p.start, p.end) for p in v) for v in variants}) == 4, "variants still differ"


def test_the_better_copy_is_the_higher_quality_one_then_the_fuller_file():
    clean, crushed = (Candidate(CLEAN, 0, 2, score=0.7, key="clean", duplicate_of=frozenset({"crushed"})),
                      Candidate(CRUSHED, 0, 2, score=0.9, key="crushed", duplicate_of=frozenset({"clean"})))
    kept = without_worse_copies([replace(clean, quality=0.9), replace(crushed, quality=0.2)])
    assert [c.ident for c in kept] == ["clean"], "the crushed copy scores higher, but its quality is lower"
    kept = without_worse_copies([replace(clean, fidelity=20.0), replace(crushed, fidelity=18.5)])
    assert [c.ident for c in kept] == ["clean"], "equal quality: the file holding more picture"
    kept = without_worse_copies([replace(clean, quality=0.80, fidelity=20.0), replace(crushed, quality=0.81, fidelity=18.5)])
    assert [c.ident for c in kept] == ["clean"], "a hair sharper (blocks read as edges) does not outweigh the fidelity"
    assert without_worse_copies([clean, crushed]) == [crushed], "nothing else known: the score decides"


def test_a_favorite_copy_is_kept_over_a_better_one():
    clean, crushed = COPIES[0], COPIES[3]
    assert (clean.ident, crushed.ident) == ("clean0", "crushed0")
    kept = without_worse_copies([clean, replace(crushed, favorite=True)])
    assert [c.ident for c in kept] == ["crushed0"]


def test_when_only_copies_can_fill_the_voiceover_the_better_copys_windows_are_reused():
    # 12 s of footage in all, but only 6 s of it is distinct: 10 s are filled from the clean copy alone.
    variants = select_variants(COPIES, 10.0, mode="best", variants=2)
    for picks in variants:
        assert sum(p.duration for p in picks) == pytest.approx(10.0)
        # The better copy of each footage (by score until quality is known: crushed2 outscores clean2).
        assert {p.ident.split("~")[0] for p in picks} <= {"clean0", "clean1", "crushed2"}
        assert all(a.ident != b.ident for a, b in zip(picks, picks[1:]))


def test_a_pair_named_on_one_side_only_still_counts():
    clean = Candidate(CLEAN, 0, 2, score=0.9, key="clean")
    crushed = Candidate(CRUSHED, 0, 2, score=0.5, key="crushed", duplicate_of=frozenset({"clean"}))
    assert without_worse_copies([clean, crushed]) == [clean]
    assert without_worse_copies([replace(clean, score=0.1), crushed]) == [crushed]


def test_candidates_without_copies_are_untouched():
    assert without_worse_copies(OTHERS) == OTHERS
