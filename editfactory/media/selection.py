"""Choose segments that fill a target duration: best-first, in source order, or seeded random; N variants.

Pure functions over candidate windows, so they are easy to test and reuse.
Variants differ because each one penalizes the candidates earlier variants used.
When the candidates cannot fill the target (a short source), they are reused in a
new order, never the same window twice in a row, so the clip keeps moving.
Each candidate carries a ``quality`` (sharp, undamaged, not enlarged much): better footage ranks first, and
footage below ``QUALITY_FLOOR`` is only used when the rest cannot fill the target; its picks say so.
Of two candidates showing the same footage (a copy imported twice), only the better is used.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from pathlib import Path

from editfactory.core.errors import ValidationError

MODES = ("best", "source_order", "random")
MIN_PIECE = 0.6
"""Shortest piece a clip is cut into (a shorter one flashes by); shorter windows are not used, and a rest too
short to cut is avoided by taking more of a window or shortening the piece before it."""
MAX_VARIANTS = 10
FIDELITY_WEIGHT = 0.05
"""Quality a copy's file is worth per step of fidelity (a halving of its pixels, or a quartering of its bits per
pixel): between copies of the same footage, 0.05 of measured quality counts as much as half the pixels."""
QUALITY_FLOOR = 0.3
"""Quality (0..1) under which a segment is not used while the footage above it can fill the voiceover on its own.
Heavily compressed footage (damage 0.7 and more) lands under it; enlargement and softness alone never do (a clean
176x144 clip cropped to fill 1080x1920, 13x, scores about 0.35), only together with some damage. Favorites are never
below the floor: the user chose them."""
QUALITY_WEIGHT = 0.5
"""How much quality counts next to the analysis score when ranking (both 0..1)."""
COMFORTABLE_UPSCALE = 1.5
"""Enlargement that costs no quality; each doubling beyond it costs 0.2 (at most 0.6)."""


def footage_quality(sharpness: float | None, damage: float | None, upscale: float | None) -> float:
    """0..1 from the analysis's sharpness and compression damage and the source's enlargement in the output.

    Damage counts most (ruined footage is ruined however sharp), enlargement next (13x looks soft whatever the
    content), sharpness least (a smooth product shot on a plain table is not worse footage). Unknown parts count
    as good.
    """
    clean = 1.0 - min(max(damage or 0.0, 0.0), 1.0)
    sharp = 0.8 + 0.2 * min(max(sharpness if sharpness is not None else 1.0, 0.0), 1.0)
    resolution = max(0.4, 1.0 - 0.2 * math.log2(max(1.0, (upscale or 1.0) / COMFORTABLE_UPSCALE)))
    return round(clean * sharp * resolution, 4)


@dataclass(frozen=True)
class Candidate:
    source: Path
    start: float
    end: float
    score: float = 0.0
    source_duration: float | None = None
    favorite: bool = False
    key: str = ""
    """Identifies the candidate (e.g. its segment id); defaults to source and start."""
    quality: float = 1.0
    """0..1, see ``footage_quality``; selection prefers higher."""
    below_floor: bool = False
    """Quality under ``QUALITY_FLOOR``: used only when the other candidates cannot fill the target."""
    duplicate_of: frozenset[str] = frozenset()
    """Idents of candidates showing the same footage (a copy in another source): only the better one is used."""
    fidelity: float = 0.0
    """How much picture the file holds (see ``library.duplicates.file_fidelity``): between copies of the same
    footage with the same quality, the one with more pixels and more bits per pixel is the better."""

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def ident(self) -> str:
        return self.key or f"{self.source}@{self.start:.3f}"


@dataclass(frozen=True)
class Pick:
    """One piece of a clip: a candidate, possibly shortened to fit."""

    source: Path
    start: float
    end: float
    ident: str
    below_floor: bool = False
    """Cut from footage under the quality floor (because nothing else could fill the target)."""

    @property
    def duration(self) -> float:
        return self.end - self.start


def rated(candidate: Candidate, quality: float) -> Candidate:
    """``candidate`` with its quality, and below the floor when it is under ``QUALITY_FLOOR`` and not a favorite."""
    return replace(candidate, quality=quality, below_floor=quality < QUALITY_FLOOR and not candidate.favorite)


def _rank(candidate: Candidate) -> float:
    return candidate.score + QUALITY_WEIGHT * candidate.quality + (1.0 if candidate.favorite else 0.0)


def _order(candidates: list[Candidate], mode: str, rng: random.Random, usage: dict[str, int]) -> list[Candidate]:
    if mode == "random":
        shuffled = candidates[:]
        rng.shuffle(shuffled)
        return sorted(shuffled, key=lambda c: (c.below_floor, usage.get(c.ident, 0)))
    # Footage above the floor first; among it favorites, then score and quality; every earlier use costs a lot so
    # variants pick other windows.
    return sorted(candidates, key=lambda c: (c.below_floor, -_rank(c) + 10.0 * usage.get(c.ident, 0), str(c.source), c.start))


def _fill(ordered: list[Candidate], target: float, lengths: dict[Path, float]) -> list[Pick]:
    picks: list[Pick] = []
    total = 0.0
    rounds = 0
    while total < target - 1e-6:
        pool = ordered if rounds == 0 else _reshuffled(ordered, rounds)
        progressed = False
        for candidate in pool:
            remaining = target - total
            if remaining <= 1e-6:
                break
            if picks and picks[-1].ident == candidate.ident:
                continue  # never the same window twice in a row
            take = _piece_length(candidate.start, candidate.duration, remaining, lengths.get(candidate.source))
            if take is None:
                continue  # this window would leave a flash cut behind; another one may fit
            picks.append(Pick(candidate.source, candidate.start, candidate.start + take, candidate.ident, candidate.below_floor))
            total += take
            progressed = True
        rounds += 1
        if not progressed and total < target - 1e-6:
            picks.append(_shifted_reuse(ordered[0], target - total, rounds, lengths))
            total += picks[-1].duration
    return picks


def _piece_length(start: float, available: float, remaining: float, source_length: float | None) -> float | None:
    """How much of a window to take so that neither this piece nor the rest still to fill is shorter than MIN_PIECE.

    A rest too short to cut is taken along when the source has the footage after the window; otherwise the
    piece is shortened so the rest becomes one MIN_PIECE. None when the window cannot do either.
    """
    if available >= remaining - 1e-9:
        return remaining
    rest = remaining - available
    if rest >= MIN_PIECE:
        return available
    if source_length is not None and start + remaining <= source_length + 1e-9:
        return remaining
    shortened = remaining - MIN_PIECE
    return shortened if shortened >= MIN_PIECE else None


def _shifted_reuse(candidate: Candidate, remaining: float, rounds: int, lengths: dict[Path, float]) -> Pick:
    """The only window, used again from a different start so the picture does not jump back to the same frame."""
    span = candidate.duration
    shift = (0.37 * rounds * span) % (span / 2) if span > 2 * MIN_PIECE else 0.0
    start = candidate.start + shift
    take = _piece_length(start, span - shift, remaining, lengths.get(candidate.source))
    if take is None:  # a window under 2 x MIN_PIECE long: split what is left into two equal pieces
        take = min(span - shift, max(remaining / 2, remaining - (span - shift)))
    return Pick(candidate.source, start, start + take, f"{candidate.ident}~{rounds}", candidate.below_floor)


def _reshuffled(ordered: list[Candidate], rounds: int) -> list[Candidate]:
    # Reuse in a different order each round: rotate, then reverse every other round.
    shift = rounds % len(ordered)
    rotated = ordered[shift:] + ordered[:shift]
    return rotated[::-1] if rounds % 2 else rotated


def select_variants(
    candidates: list[Candidate],
    target: float,
    *,
    mode: str = "best",
    variants: int = 1,
    seed: int = 0,
) -> list[list[Pick]]:
    """``variants`` lists of picks, each lasting exactly ``target`` seconds.

    ``best`` puts the highest-scoring windows first, ``source_order`` uses the same
    choice but plays it in the order of the footage, ``random`` shuffles with ``seed``.
    """
    if mode not in MODES:
        raise ValidationError(f"Unknown selection mode {mode!r}; choose one of: {', '.join(MODES)}.")
    if not 1 <= variants <= MAX_VARIANTS:
        raise ValidationError(f"Ask for 1 to {MAX_VARIANTS} variants (got {variants}).")
    if target <= 0:
        raise ValidationError("The target duration must be positive; synthesize the voiceover first.")
    usable = [c for c in candidates if c.duration >= MIN_PIECE - 1e-9]
    if not usable:
        raise ValidationError(
            f"There are no usable segments (each needs at least {MIN_PIECE} s of footage); import footage and "
            "analyze it, or mark longer segments by hand."
        )
    usable = without_worse_copies(usable)
    lengths = {c.source: c.source_duration for c in usable if c.source_duration}
    above = [c for c in usable if not c.below_floor]
    if sum(c.duration for c in above) >= target - 1e-9:
        usable = above  # footage under the quality floor stays out while the rest can fill the target
    usage: dict[str, int] = {}
    results: list[list[Pick]] = []
    for index in range(variants):
        picks = _distinct_variant(usable, target, mode, seed, index, usage, lengths, results)
        for pick in picks:
            usage[pick.ident] = usage.get(pick.ident, 0) + 1
        results.append(picks)
    return results


def _better_copy(candidate: Candidate) -> tuple:
    # A favorite is the user's choice; then the sharper, less damaged footage in the file holding more picture.
    # Never the analysis score first: compression blocks read as detail and motion, so a crushed copy can outscore
    # its clean original (and measure a hair sharper: the file's fidelity outweighs such small differences).
    merit = candidate.quality + FIDELITY_WEIGHT * candidate.fidelity
    return (candidate.favorite, round(merit, 6), candidate.score, candidate.ident)


def without_worse_copies(candidates: list[Candidate]) -> list[Candidate]:
    """The candidates less those another candidate shows better (same footage in a better copy).

    No two copies of the same footage remain, so no variant can show both, and every variant uses the better
    one. When copies are all there is, the better copy's windows are reused (see ``_fill``) rather than the worse.
    """
    rank = {c.ident: _better_copy(c) for c in candidates}
    partners = {c.ident: set(c.duplicate_of) for c in candidates}
    for c in candidates:  # a pair named on one side only still counts both ways
        for other in c.duplicate_of & partners.keys():
            partners[other].add(c.ident)
    return [c for c in candidates if not any(other in rank and rank[other] > rank[c.ident] for other in partners[c.ident])]


def _distinct_variant(usable, target, mode, seed, index, usage, lengths, earlier) -> list[Pick]:
    """A variant unlike the earlier ones: re-draw with jittered scores, and as a last resort reorder."""
    picks: list[Pick] = []
    for attempt in range(25):
        rng = random.Random(f"{seed}:{index}:{attempt}")
        pool = usable
        if attempt:
            pool = [replace(c, score=c.score + rng.uniform(0, 0.5), key=c.ident) for c in usable]
        picks = _fill(_order(pool, mode, rng, usage), target, lengths)
        if mode == "source_order":
            picks = _in_source_order(picks)
        if not any(_same(picks, other) for other in earlier):
            return picks
    for shift in range(1, len(picks)):
        rotated = picks[shift:] + picks[:shift]
        if not any(_same(rotated, other) for other in earlier):
            return rotated
    return picks[::-1]


def _in_source_order(picks: list[Pick]) -> list[Pick]:
    ordered = sorted(picks, key=lambda p: (str(p.source), p.start))
    # Keep exact total: the shortened piece keeps its own length wherever it lands.
    return ordered


def _same(a: list[Pick], b: list[Pick]) -> bool:
    return [(p.ident, round(p.start, 3), round(p.end, 3)) for p in a] == [(p.ident, round(p.start, 3), round(p.end, 3)) for p in b]
