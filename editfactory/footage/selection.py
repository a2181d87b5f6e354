"""Pick segments of a profile's sources to fill a voiceover: the database side of media.selection."""

from __future__ import annotations

from dataclasses import dataclass, field

from editfactory.core.errors import ValidationError
from editfactory.footage.duplicates import with_copies
from editfactory.footage.framing import framed_variants
from editfactory.footage.segments import list_segments
from editfactory.footage.sources import SourceVideo, get_source
from editfactory.media.presets import PRESETS
from editfactory.media.render import RenderSegment
from editfactory.media.resolution import DEFAULT_PRESET, enlargement
from editfactory.media.selection import QUALITY_FLOOR, Candidate, Pick, footage_quality, rated, select_variants
from editfactory.profiles import Profile

FALLBACK_WINDOW = 3.0
DEFAULT_OUTPUT = (PRESETS[DEFAULT_PRESET].width, PRESETS[DEFAULT_PRESET].height)


@dataclass(frozen=True)
class LowQualityUse:
    """How much of one variant was cut from footage under the quality floor, and from which files."""

    seconds: float
    filenames: tuple[str, ...]

    def note(self, variant: int) -> str:
        """A sentence for the user about variant number ``variant``."""
        return (
            f"Variant {variant} uses {self.seconds:.1f} s of low-quality footage ({', '.join(self.filenames)}; "
            f"quality under {QUALITY_FLOOR:g}: blocky, smeared or much enlarged) because the better footage was not "
            "long enough to fill the voiceover. Add more sharp footage to the project to avoid it."
        )


@dataclass(frozen=True)
class FootageChoice:
    """Segment lists for the variants and, per variant, what had to be used below the quality floor (or None)."""

    variants: list[list[RenderSegment]]
    low_quality: list[LowQualityUse | None] = field(default_factory=list)


def _upscale(source: SourceVideo, output_size: tuple[int, int]) -> float:
    return enlargement(source.width, source.height, *output_size).upscale


def candidates_for(profile: Profile, source_ids: list[str], *,
                   output_size: tuple[int, int] = DEFAULT_OUTPUT) -> list[Candidate]:
    """Segments of the given sources, each rated for quality in ``output_size``; an unanalyzed source without
    segments offers plain windows of itself.

    Segments showing the same footage as a segment of another of these sources name it in ``duplicate_of``.
    """
    candidates: list[Candidate] = []
    for source_id in source_ids:
        source = get_source(profile, source_id)
        upscale = _upscale(source, output_size)
        segments = list_segments(profile, source_id)
        for segment in segments:
            scores = segment.scores or {}
            quality = footage_quality(scores.get("sharpness"), scores.get("damage"), upscale)
            candidates.append(rated(Candidate(
                source.path, segment.start, segment.end, score=segment.score or 0.5,
                source_duration=source.duration, favorite=segment.favorite, key=segment.id,
            ), quality))
        if not segments:
            quality = footage_quality(None, None, upscale)
            start = 0.0
            while start < source.duration - 0.3:
                end = min(start + FALLBACK_WINDOW, source.duration)
                candidates.append(rated(Candidate(source.path, start, end, 0.0, source.duration, key=f"{source_id}@{start}"),
                                        quality))
                start = end
    return with_copies(profile, source_ids, candidates)  # copies of the same footage in two sources know each other


def _low_quality(profile: Profile, source_ids: list[str], picks: list[Pick]) -> LowQualityUse | None:
    low = [p for p in picks if p.below_floor]
    if not low:
        return None
    names = {source.path: source.filename for source in (get_source(profile, s) for s in source_ids)}
    return LowQualityUse(round(sum(p.duration for p in low), 3), tuple(sorted({names.get(p.source, p.source.name) for p in low})))


def choose_footage(
    profile: Profile,
    source_ids: list[str],
    target: float,
    *,
    mode: str = "best",
    variants: int = 1,
    seed: int = 0,
    output_size: tuple[int, int] = DEFAULT_OUTPUT,
    framing: str = "auto",
) -> FootageChoice:
    """``variants`` segment lists, each exactly ``target`` seconds long, and what each used below the floor.

    Each segment is framed by its own override, else by ``framing`` (the project's, see
    :func:`editfactory.footage.framing.resolved_framing`), with the subject track analysis found."""
    if not source_ids:
        raise ValidationError("Choose at least one source video for the clip.")
    candidates = candidates_for(profile, source_ids, output_size=output_size)
    picks = select_variants(candidates, target, mode=mode, variants=variants, seed=seed)
    return FootageChoice(framed_variants(profile, picks, framing),
                         [_low_quality(profile, source_ids, variant) for variant in picks])


def select_for_sources(
    profile: Profile,
    source_ids: list[str],
    target: float,
    *,
    mode: str = "best",
    variants: int = 1,
    seed: int = 0,
    framing: str = "auto",
) -> list[list[RenderSegment]]:
    """``variants`` segment lists, each exactly ``target`` seconds long, ready for a RenderSpec."""
    return choose_footage(profile, source_ids, target, mode=mode, variants=variants, seed=seed, framing=framing).variants
