"""Near-duplicate footage in a profile: the same shots imported twice (re-encoded, resized, trimmed, re-compressed).

Analysis stores each source's frame fingerprints (``media.fingerprint``); the source is then compared with every
other analyzed source of the profile — each profile has its own database, so never with another profile's — and
the pairs found replace the ones it had. Two segments of paired sources that show the same stretch of footage for
at least ``SHARED_SEGMENT`` seconds are copies of each other: selection puts only the better one into a clip.
Pairs are kept as time spans, not segment ids, so manual segments and re-analyzed ones are covered too.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace

import numpy as np

from editfactory.footage.segments import list_segments
from editfactory.footage.sources import SourceVideo, get_source
from editfactory.media.fingerprint import MatchedSpan, match_fingerprints
from editfactory.media.selection import Candidate
from editfactory.profiles import Profile

SHARED_SEGMENT = 0.4
"""Seconds of the same footage two segments must share to count as copies: more than one sampled frame (0.25 s),
so a span's edge falling into a neighbouring segment does not pair it, while a repeat as short as half a second
is still never shown twice."""
FULL_COPY = 0.8
"""Share of a source's length another source shows from which the UI says "same footage" rather than "some"."""


@dataclass(frozen=True)
class CopyOf:
    """Another source of the profile showing footage of this one, and how this one differs from it."""

    source_id: str
    filename: str
    similarity: float
    """0..1: 1 for identical frames, 0 for unrelated ones (see ``MatchedSpan.similarity``)."""
    shared: float
    """Seconds of this source's footage the other one shows too."""
    coverage: float
    """``shared`` as a share of this source's length."""
    differences: tuple[str, ...]
    """How this source differs from the other: 'smaller'/'larger', 'shorter'/'longer', 'more/less compressed'."""

    def describe(self) -> str:
        """A sentence for the user, e.g. 'Same footage as clean.mp4 (this copy is smaller and more compressed)…'."""
        what = (f"Same footage as {self.filename}" if self.coverage >= FULL_COPY
                else f"{self.shared:.1f} s of the same footage as {self.filename}")
        how = " and ".join(self.differences) if self.differences else "re-encoded"
        return f"{what} (this copy is {how}); a clip never shows both copies, it uses the better one."


def _hashes_blob(hashes) -> bytes:
    return np.asarray(hashes, dtype="<u8").tobytes()


def _hashes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u8").astype(np.uint64)


def _other_fingerprints(profile: Profile, source_id: str, skip: set[str]) -> list[tuple[str, float, np.ndarray]]:
    rows = profile.db.fetchall(
        "SELECT f.source_id, f.sample_fps, f.hashes FROM source_fingerprints f JOIN source_videos s ON s.id = f.source_id "
        "WHERE f.source_id <> ? ORDER BY f.source_id", [source_id])
    return [(other, fps, _hashes(blob)) for other, fps, blob in rows if other not in skip]


def _pair_row(source_id: str, other: str, spans: list[MatchedSpan]) -> list:
    if other < source_id:  # stored once, the smaller id first
        source_id, other, spans = other, source_id, [s.swapped() for s in spans]
    lengths = [s.a_end - s.a_start for s in spans]
    similarity = sum(s.similarity * n for s, n in zip(spans, lengths)) / sum(lengths)
    return [source_id, other, round(similarity, 4), round(sum(lengths), 3), json.dumps([s.to_dict() for s in spans])]


def _match(source_id: str, hashes: np.ndarray, other: str, theirs: np.ndarray, fps: float) -> list[MatchedSpan]:
    """Spans from ``source_id``'s view, always matched from the smaller id's side: the pair found does not depend
    on which of the two sources was analyzed last."""
    if source_id < other:
        return match_fingerprints(hashes, theirs, fps)
    return [span.swapped() for span in match_fingerprints(theirs, hashes, fps)]


def record_fingerprint(profile: Profile, source_id: str, hashes, sample_fps: float) -> list[CopyOf]:
    """Store the source's frame hashes and replace its near-duplicate pairs; returns the copies found.

    Matching runs with no database lock held. Sources that another process fingerprinted meanwhile are
    compared afterwards, so two copies analyzed at the same time still find each other.
    """
    get_source(profile, source_id)
    hashes = np.asarray(hashes, dtype=np.uint64)
    compared: set[str] = set()
    first = True
    while True:
        others = _other_fingerprints(profile, source_id, compared)
        # Sources sampled at another rate (analysis options) cannot be compared frame by frame; they are skipped.
        found = {other: _match(source_id, hashes, other, theirs, sample_fps) for other, fps, theirs in others
                 if fps == sample_fps}
        compared |= {other for other, _, _ in others}
        with profile.db.transaction() as cursor:
            if cursor.execute("SELECT 1 FROM source_videos WHERE id = ?", [source_id]).fetchone() is None:
                break  # deleted meanwhile: nothing to store
            if first:
                forget_source(cursor, source_id)
                cursor.execute("INSERT INTO source_fingerprints (source_id, sample_fps, hashes) VALUES (?, ?, ?)",
                               [source_id, sample_fps, _hashes_blob(hashes)])
            for other, spans in found.items():
                if spans:
                    cursor.execute("INSERT OR REPLACE INTO near_duplicates (source_a, source_b, similarity, shared_s, spans) "
                                   "VALUES (?, ?, ?, ?, ?)", _pair_row(source_id, other, spans))
        first = False
        if not _other_fingerprints(profile, source_id, compared):
            break
    return copies_of(profile, source_id)


def _bits_per_pixel(source: SourceVideo) -> float:
    return source.size_bytes * 8 / max(source.duration * source.width * source.height * (source.fps or 30.0), 1.0)


def file_fidelity(source: SourceVideo) -> float:
    """How much picture a source file holds: log2 of its pixels plus half log2 of its bits per pixel and frame.

    Re-encoding never adds picture, so of two copies of the same footage the one with more pixels (a resized copy
    has a quarter: -2) and more bits per pixel (a crushed copy a tenth: -1.7) is the better one.
    """
    return math.log2(max(source.width * source.height, 1)) + 0.5 * math.log2(max(_bits_per_pixel(source), 1e-9))


def _differences(mine: SourceVideo, theirs: SourceVideo) -> tuple[str, ...]:
    found = []
    pixels = (mine.width * mine.height) / max(theirs.width * theirs.height, 1)
    if pixels < 0.8 or pixels > 1.25:
        found.append("smaller" if pixels < 1 else "larger")
    if abs(mine.duration - theirs.duration) > 0.5:
        found.append("shorter" if mine.duration < theirs.duration else "longer")
    density = _bits_per_pixel(mine) / max(_bits_per_pixel(theirs), 1e-12)
    if density < 0.5 or density > 2.0:
        found.append("more compressed" if density < 1 else "less compressed")
    return tuple(found)


def _pairs(profile: Profile, source_ids: list[str]) -> list[tuple[str, str, float, list[MatchedSpan]]]:
    """Stored pairs among ``source_ids``: (a, b, similarity, spans a→b)."""
    if not source_ids:
        return []
    marks = ", ".join("?" for _ in source_ids)
    rows = profile.db.fetchall(
        f"SELECT source_a, source_b, similarity, spans FROM near_duplicates WHERE source_a IN ({marks}) "
        f"AND source_b IN ({marks}) ORDER BY source_a, source_b", [*source_ids, *source_ids])
    return [(a, b, similarity, [MatchedSpan.from_dict(s) for s in json.loads(spans)]) for a, b, similarity, spans in rows]


def copies_among(profile: Profile, source_ids: list[str]) -> dict[str, list[CopyOf]]:
    """For each of ``source_ids``, the others among them showing its footage (sources without copies left out)."""
    sources = {source_id: get_source(profile, source_id) for source_id in dict.fromkeys(source_ids)}
    copies: dict[str, list[CopyOf]] = {}
    for a, b, similarity, spans in _pairs(profile, list(sources)):
        for mine, theirs, shared in ((a, b, sum(s.a_end - s.a_start for s in spans)),
                                     (b, a, sum(s.b_end - s.b_start for s in spans))):
            me, other = sources[mine], sources[theirs]
            copies.setdefault(mine, []).append(CopyOf(
                other.id, other.filename, similarity, round(shared, 2), round(min(shared / max(me.duration, 1e-6), 1.0), 3),
                _differences(me, other)))
    return copies


def copies_of(profile: Profile, source_id: str) -> list[CopyOf]:
    """Other sources of the profile showing footage of ``source_id``, most similar first."""
    get_source(profile, source_id)
    others = [row[0] for row in profile.db.fetchall(
        "SELECT source_b FROM near_duplicates WHERE source_a = ? UNION SELECT source_a FROM near_duplicates WHERE source_b = ?",
        [source_id, source_id])]
    found = copies_among(profile, [source_id, *others]).get(source_id, [])
    return sorted(found, key=lambda c: (-c.similarity, c.filename))


def _overlap(a0: float, a1: float, b0: float, b1: float) -> tuple[float, float]:
    return max(a0, b0), min(a1, b1)


def segment_copies(profile: Profile, source_ids: list[str]) -> dict[str, frozenset[str]]:
    """Segment id → ids of the segments (of other sources among ``source_ids``) showing the same footage."""
    for source_id in dict.fromkeys(source_ids):
        get_source(profile, source_id)
    pairs = _pairs(profile, list(dict.fromkeys(source_ids)))
    if not pairs:
        return {}
    segments = {s: list_segments(profile, s) for s in {x for a, b, _, _ in pairs for x in (a, b)}}
    copies: dict[str, set[str]] = {}
    for a, b, _, spans in pairs:
        for span in spans:
            scale = (span.b_end - span.b_start) / max(span.a_end - span.a_start, 1e-9)
            for mine in segments[a]:
                start, end = _overlap(mine.start, mine.end, span.a_start, span.a_end)
                if end - start < SHARED_SEGMENT:
                    continue
                mapped = (span.b_start + (start - span.a_start) * scale, span.b_start + (end - span.a_start) * scale)
                for theirs in segments[b]:
                    shared_start, shared_end = _overlap(theirs.start, theirs.end, *mapped)
                    if shared_end - shared_start >= SHARED_SEGMENT:
                        copies.setdefault(mine.id, set()).add(theirs.id)
                        copies.setdefault(theirs.id, set()).add(mine.id)
    return {segment_id: frozenset(ids) for segment_id, ids in copies.items()}


def with_copies(profile: Profile, source_ids: list[str], candidates: list[Candidate]) -> list[Candidate]:
    """``candidates`` (keyed by segment id) with ``duplicate_of`` naming the candidates that show the same footage,
    and for those their file's ``fidelity``, so selection can tell the better copy."""
    copies = segment_copies(profile, source_ids)
    if not copies:
        return candidates
    fidelity = {source.path: file_fidelity(source) for source in (get_source(profile, s) for s in dict.fromkeys(source_ids))}
    return [replace(c, duplicate_of=copies[c.ident], fidelity=round(fidelity.get(c.source, 0.0), 4))
            if c.ident in copies else c for c in candidates]


def duplicate_pairs(profile: Profile, limit: int = 50) -> list[dict]:
    """The profile's footage imported more than once, as ``{"a", "b", "shared_s", "a_id", "b_id"}`` (file names,
    seconds shown by both, source ids), most shared first: what the Library lists so the owner can delete the worse
    copy."""
    rows = profile.db.fetchall(
        "SELECT a.filename, b.filename, d.shared_s, a.id, b.id FROM near_duplicates d "
        "JOIN source_videos a ON a.id = d.source_a JOIN source_videos b ON b.id = d.source_b "
        "ORDER BY d.shared_s DESC, a.filename, b.filename LIMIT ?", [limit])
    pairs = []
    for a, b, shared, a_id, b_id in rows:  # names in order, whichever id is smaller
        (a, a_id), (b, b_id) = sorted(((a, a_id), (b, b_id)))
        pairs.append({"a": a, "b": b, "shared_s": round(shared, 1), "a_id": a_id, "b_id": b_id})
    return pairs


def forget_source(cursor, source_id: str) -> None:
    """Drop the source's fingerprint and its near-duplicate pairs inside the caller's transaction."""
    cursor.execute("DELETE FROM source_fingerprints WHERE source_id = ?", [source_id])
    cursor.execute("DELETE FROM near_duplicates WHERE source_a = ? OR source_b = ?", [source_id, source_id])
