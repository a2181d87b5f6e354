"""Pick segments of a profile's sources to fill a voiceover: the database side of media.selection."""

from __future__ import annotations

from editfactory.errors import ValidationError
from editfactory.library.segments import list_segments
from editfactory.library.sources import get_source
from editfactory.media.render import RenderSegment
from editfactory.media.selection import Candidate, select_variants
from editfactory.profiles import Profile

FALLBACK_WINDOW = 3.0


def candidates_for(profile: Profile, source_ids: list[str]) -> list[Candidate]:
    """Segments of the given sources; an unanalyzed source without segments offers plain windows of itself."""
    candidates: list[Candidate] = []
    for source_id in source_ids:
        source = get_source(profile, source_id)
        segments = list_segments(profile, source_id)
        for segment in segments:
            candidates.append(Candidate(
                source.path, segment.start, segment.end, score=segment.score or 0.5,
                source_duration=source.duration, favorite=segment.favorite, key=segment.id,
            ))
        if not segments:
            start = 0.0
            while start < source.duration - 0.3:
                end = min(start + FALLBACK_WINDOW, source.duration)
                candidates.append(Candidate(source.path, start, end, 0.0, source.duration, key=f"{source_id}@{start}"))
                start = end
    return candidates


def select_for_sources(
    profile: Profile,
    source_ids: list[str],
    target: float,
    *,
    mode: str = "best",
    variants: int = 1,
    seed: int = 0,
) -> list[list[RenderSegment]]:
    """``variants`` segment lists, each exactly ``target`` seconds long, ready for a RenderSpec."""
    if not source_ids:
        raise ValidationError("Choose at least one source video for the clip.")
    picks = select_variants(candidates_for(profile, source_ids), target, mode=mode, variants=variants, seed=seed)
    return [[RenderSegment(p.source, p.start, p.end) for p in variant] for variant in picks]
