"""Segments of a profile's source videos: manual ones the user marks, and scored ones analysis stores."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from editfactory.core.errors import NotFoundError, ValidationError, check_number, check_text
from editfactory.core.ids import new_id
from editfactory.core.paging import limit_clause
from editfactory.footage.sources import get_source, mark_analyzed
from editfactory.media.framing import check_framing
from editfactory.profiles import Profile
from editfactory.storage.rows import insert_rows

MIN_SEGMENT = 0.1
MAX_KEYWORDS = 50
MAX_NOTES = 4000

_COLUMNS = ("id, source_id, start_s, end_s, keywords, notes, favorite, origin, score, scores, created_at, updated_at, "
            "framing")


@dataclass(frozen=True)
class Segment:
    id: str
    source_id: str
    start: float
    end: float
    keywords: tuple[str, ...]
    notes: str
    favorite: bool
    origin: str
    """'manual' or 'auto' (stored by analysis)."""
    score: float | None
    scores: dict | None
    created_at: datetime
    updated_at: datetime
    framing: str | None = None
    """This segment's own framing (auto, fill, fit), overriding the project's; ``None`` = the project's."""

    @property
    def duration(self) -> float:
        return self.end - self.start


def _row_to_segment(row: tuple) -> Segment:
    (seg_id, source_id, start, end, keywords, notes, favorite, origin, score, scores, created, updated, framing) = row
    return Segment(
        seg_id, source_id, start, end, tuple(keywords or ()), notes, favorite, origin, score,
        json.loads(scores) if isinstance(scores, str) else scores, created, updated, framing,
    )


def _clean_keywords(keywords: Iterable[str] | str) -> list[str]:
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    cleaned: list[str] = []
    for keyword in keywords:
        word = str(keyword).strip()
        if word and word.lower() not in (k.lower() for k in cleaned):
            cleaned.append(word[:80])
    if len(cleaned) > MAX_KEYWORDS:
        raise ValidationError(f"A segment can have at most {MAX_KEYWORDS} keywords.")
    return cleaned


def _clean_notes(notes: object) -> str:
    return "" if notes is None else check_text(notes, "Segment notes", max_length=MAX_NOTES, multiline=True)


def _check_favorite(favorite: object) -> bool:
    if not isinstance(favorite, bool):  # bool("no") is True
        raise ValidationError(f"A segment's favorite mark must be True or False, not {type(favorite).__name__}.")
    return favorite


def _check_range(start: float, end: float, duration: float, source_name: str) -> tuple[float, float]:
    # Typed text ("1.5") is read; NaN, infinities and yes/no (True was 1 s) are refused.
    start = check_number(start, "A segment's start", text=True, hint="Type it in seconds, e.g. 1.5.")
    end = check_number(end, "A segment's end", text=True, hint="Type it in seconds, e.g. 4.")
    if start < 0:
        raise ValidationError(f"A segment cannot start before 0 s (got {start:.2f} s).")
    if end > duration + 1e-3:
        raise ValidationError(
            f"The segment ends at {end:.2f} s but {source_name} lasts only {duration:.2f} s; move the end earlier."
        )
    if end - start < MIN_SEGMENT:
        raise ValidationError(f"A segment must last at least {MIN_SEGMENT} s and end after it starts.")
    return start, min(end, duration)


def create_segment(
    profile: Profile,
    source_id: str,
    start: float,
    end: float,
    *,
    keywords: Iterable[str] | str = (),
    notes: str = "",
    favorite: bool = False,
) -> Segment:
    """A manual segment of ``source_id`` in this profile, validated against the source's length."""
    source = get_source(profile, source_id)
    start, end = _check_range(start, end, source.duration, source.filename)
    notes, favorite = _clean_notes(notes), _check_favorite(favorite)
    segment_id = new_id("seg")
    profile.db.execute(
        "INSERT INTO segments (id, source_id, start_s, end_s, keywords, notes, favorite, origin) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'manual')",
        [segment_id, source_id, start, end, _clean_keywords(keywords), notes, bool(favorite)],
    )
    return get_segment(profile, segment_id)


def get_segment(profile: Profile, segment_id: str) -> Segment:
    row = profile.db.fetchone(f"SELECT {_COLUMNS} FROM segments WHERE id = ?", [segment_id])
    if row is None:
        raise NotFoundError("Segment", segment_id, profile.name)
    return _row_to_segment(row)


def _segment_filters(profile: Profile, source_id: str | None, origin: str | None, favorite: bool | None,
                     project_id: str | None) -> tuple[str, list]:
    conditions, params = [], []
    if source_id is not None:
        get_source(profile, source_id)
        conditions.append("source_id = ?")
        params.append(source_id)
    if origin is not None:
        conditions.append("origin = ?")
        params.append(origin)
    if favorite is not None:
        conditions.append("favorite = ?")
        params.append(bool(favorite))
    if project_id is not None:
        conditions.append("source_id IN (SELECT source_id FROM project_sources WHERE project_id = ?)")
        params.append(project_id)
    return (f" WHERE {' AND '.join(conditions)}" if conditions else ""), params


def list_segments(profile: Profile, source_id: str | None = None, *, origin: str | None = None,
                  favorite: bool | None = None, project_id: str | None = None, limit: int | None = None,
                  offset: int = 0) -> list[Segment]:
    """Segments of one source, of a project's sources, or all; best score first within a source, manual ones included."""
    where, params = _segment_filters(profile, source_id, origin, favorite, project_id)
    paging, paging_params = limit_clause(offset, limit)
    rows = profile.db.fetchall(
        f"SELECT {_COLUMNS} FROM segments{where} ORDER BY source_id, favorite DESC, score DESC NULLS LAST, start_s, id"
        f"{paging}", [*params, *paging_params]
    )
    return [_row_to_segment(row) for row in rows]


def count_segments(profile: Profile, source_id: str | None = None, *, origin: str | None = None,
                   favorite: bool | None = None, project_id: str | None = None) -> int:
    where, params = _segment_filters(profile, source_id, origin, favorite, project_id)
    return int(profile.db.fetchone(f"SELECT count(*) FROM segments{where}", params)[0])


_UNSET = object()


def update_segment(
    profile: Profile,
    segment_id: str,
    *,
    start: float | object = _UNSET,
    end: float | object = _UNSET,
    keywords: Iterable[str] | str | object = _UNSET,
    notes: str | object = _UNSET,
    favorite: bool | object = _UNSET,
    framing: str | None | object = _UNSET,
) -> Segment:
    """Change some fields of a segment; the range is re-validated against the source.

    ``framing`` overrides the project's framing for this segment (``auto``, ``fill``, ``fit``; ``None`` or ''
    goes back to the project's)."""
    segment = get_segment(profile, segment_id)
    source = get_source(profile, segment.source_id)
    new_start = segment.start if start is _UNSET else start
    new_end = segment.end if end is _UNSET else end
    new_start, new_end = _check_range(new_start, new_end, source.duration, source.filename)
    new_keywords = list(segment.keywords) if keywords is _UNSET else _clean_keywords(keywords)
    new_notes = segment.notes if notes is _UNSET else _clean_notes(notes)
    new_favorite = segment.favorite if favorite is _UNSET else _check_favorite(favorite)
    new_framing = segment.framing if framing is _UNSET else check_framing(framing, allow_unset=True)
    profile.db.execute(
        "UPDATE segments SET start_s = ?, end_s = ?, keywords = ?, notes = ?, favorite = ?, framing = ?, "
        "updated_at = now() WHERE id = ?",
        [new_start, new_end, new_keywords, new_notes, new_favorite, new_framing, segment_id],
    )
    return get_segment(profile, segment_id)


def delete_segment(profile: Profile, segment_id: str) -> None:
    get_segment(profile, segment_id)
    profile.db.execute("DELETE FROM segments WHERE id = ?", [segment_id])


def replace_auto_segments(profile: Profile, source_id: str, scored: Sequence[tuple[float, float, float, dict]]) -> int:
    """Swap the source's analyzed segments for ``scored`` ``(start, end, score, scores)`` in one transaction.

    The source must be one of this profile's: an id from another profile is refused, never stored here.
    A framing the user chose for an analyzed segment stays with the new segment of the same range.
    """
    with profile.db.transaction() as cursor:
        if cursor.execute("SELECT 1 FROM source_videos WHERE id = ?", [source_id]).fetchone() is None:
            raise NotFoundError("Source video", source_id, profile.name)
        chosen = {(round(start, 3), round(end, 3)): framing for start, end, framing in cursor.execute(
            "SELECT start_s, end_s, framing FROM segments WHERE source_id = ? AND origin = 'auto' AND framing IS NOT NULL",
            [source_id]).fetchall()}
        cursor.execute("DELETE FROM segments WHERE source_id = ? AND origin = 'auto'", [source_id])
        for start, end, score, scores in scored:
            cursor.execute(
                "INSERT INTO segments (id, source_id, start_s, end_s, origin, score, scores, framing) "
                "VALUES (?, ?, ?, ?, 'auto', ?, ?, ?)",
                [new_id("seg"), source_id, start, end, score, json.dumps(scores),
                 chosen.get((round(start, 3), round(end, 3)))],
            )
        mark_analyzed(cursor, source_id)
    return len(scored)


def delete_source_segments(cursor, source_id: str) -> None:
    """Delete every segment of a source being deleted, inside the caller's transaction."""
    cursor.execute("DELETE FROM segments WHERE source_id = ?", [source_id])


def insert_segment_rows(cursor, rows: list[dict]) -> None:
    """Insert segment rows as they are (ids included) inside the caller's transaction: an old library's import."""
    insert_rows(cursor, "segments", rows)
