"""The clips of one profile as the library shows them: a page of ``projects.clips_page`` with what the page shows.

A profile can hold 100 000 clips, so nothing here loads every row: a page is one
``LIMIT/OFFSET`` query and its total one ``count(*)`` over the same filter. Each
row gets what the library shows (project name, display status, voice, the video file).
Deleting clips removes their files too, but only files inside this profile's
folder that no remaining clip still uses.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.media.thumbnails import make_thumbnail
from editfactory.profiles.profile import Profile
from editfactory.publish import outbox
from editfactory.services import projects
from editfactory.tts.naming import voice_words

log = logging.getLogger(__name__)

MAX_PAGE = 500
POSTER_WIDTH = 240
_OPEN_POSTS = ("pending", "sending", "retrying")


@dataclass(frozen=True)
class ClipFilter:
    """Which clips to show; ``None`` means "any"."""

    search: str = ""
    status: str | None = None
    project_id: str | None = None
    publishing: str | None = None
    voiceover: bool | None = None
    subtitles: bool | None = None

    def as_query(self) -> dict[str, Any]:
        """The same filter as ``projects.list_clips`` takes it."""
        return {"project_id": self.project_id or None, "status": self.status, "search": self.search,
                "publish_state": self.publishing, "has_voiceover": self.voiceover, "has_captions": self.subtitles}


@dataclass
class ClipPage:
    """One page of clips and how many match the filter in all."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    offset: int = 0
    limit: int = 24


def display_status(clip_status: str, publish_state: str) -> str:
    """One word for the library: the render's state until the clip has a video, then where it stands publishing."""
    if clip_status in ("draft", "rendering", "failed"):
        return clip_status
    return {"unpublished": "rendered", "failed": "publish failed"}.get(publish_state, publish_state)


def voice_label(tts: Any) -> str:
    """'Piper Joe' from a clip's stored TTS details: the provider and speaker in words, as the Jobs page says them
    (the raw 'piper · en_US-joe-medium' made the Library's table wider than a laptop's page, issue 21)."""
    if isinstance(tts, str):
        try:
            tts = json.loads(tts)
        except ValueError:
            return ""
    if not isinstance(tts, dict):
        return ""
    return voice_words(tts, {})


def _inside(profile: Profile, stored: str | None) -> Path | None:
    """The absolute file for a stored path, only when it lies inside this profile's folder."""
    if not stored:
        return None
    path = profile.paths.absolute(stored)
    try:
        if not path.resolve().is_relative_to(profile.folder.resolve()):
            return None
    except OSError:
        return None
    return path


def browse_clips(profile: Profile, filters: ClipFilter | None = None, *, sort: str = "newest", limit: int = 24,
                 offset: int = 0) -> ClipPage:
    """The page of clips at ``offset`` matching ``filters``, sorted by ``sort``, with the total that match."""
    filters = filters or ClipFilter()
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"A page holds 1 to {MAX_PAGE} clips.")
    query = filters.as_query()
    project_id = query.pop("project_id")
    with profile.db.session():
        page = projects.clips_page(profile, project_id, offset=offset, limit=limit, sort=sort, **query)
        if not page.items and page.total:  # past the end: the last page
            offset = (page.total - 1) // limit * limit
            page = projects.clips_page(profile, project_id, offset=offset, limit=limit, sort=sort, **query)
        names = {}
        ids = sorted({row["project_id"] for row in page.items})
        if ids:
            marks = ", ".join("?" for _ in ids)
            names = dict(profile.db.fetchall(f"SELECT id, name FROM projects WHERE id IN ({marks})", ids))
    rows = []
    for clip in page.items:
        row = {key: clip.get(key) for key in ("id", "name", "project_id", "status", "path", "duration", "width",
                                               "height", "variant", "voiceover_path", "captions_path", "tts",
                                               "cost_usd", "created_at", "music")}
        row["project"] = names.get(clip["project_id"], "")
        row["publishing"] = clip["publish_state"]
        rows.append(row)
    for row in rows:
        row["display_status"] = display_status(row["status"], row["publishing"])
        row["voice"] = voice_label(row.pop("tts"))
        music = row.pop("music")
        row["music"] = music.get("title", "") if isinstance(music, dict) else ""
        row["has_voiceover"] = bool(row["voiceover_path"])
        row["has_subtitles"] = bool(row["captions_path"])
        video = _inside(profile, row["path"])
        row["file"] = video if video is not None and video.is_file() else None
    return ClipPage(rows=rows, total=page.total, offset=offset, limit=limit)


PROJECT_CHOICES = 100
"""A filter menu of 1 000 projects costs the browser seconds to build; it lists the newest ones (and the chosen)."""


def project_choices(profile: Profile, *, keep: str | None = None, limit: int = PROJECT_CHOICES) -> list[dict[str, Any]]:
    """The newest ``limit`` projects of the profile (plus ``keep``, when it exists) with their number of clips, by name."""
    chosen = projects.list_projects(profile, sort="newest", limit=limit, with_clip_counts=True)
    if keep and all(p["id"] != keep for p in chosen):
        chosen += _one_project(profile, keep)
    return sorted(({"id": p["id"], "name": p["name"], "clips": p["clip_count"]} for p in chosen),
                  key=lambda p: (p["name"].lower(), p["id"]))


def _one_project(profile: Profile, project_id: str) -> list[dict[str, Any]]:
    rows = profile.db.fetchall("SELECT p.id, p.name, (SELECT count(*) FROM clips c WHERE c.project_id = p.id) "
                               "FROM projects p WHERE p.id = ?", [project_id])
    return [{"id": r[0], "name": r[1], "clip_count": r[2]} for r in rows]


def clip_count(profile: Profile) -> int:
    return profile.db.fetchone("SELECT count(*) FROM clips")[0]


# -- poster frames -------------------------------------------------------------------


def posters_folder(profile: Profile) -> Path:
    """Poster frames are a cache: made again when missing, safe to delete."""
    return profile.folder / "cache" / "previews" / "posters"


def poster_for(profile: Profile, clip_id: str, video: Path | None, duration: float | None = None) -> Path | None:
    """The clip's poster frame (made from its video when missing or older than it); None without a video."""
    if video is None or not video.is_file():
        return None
    if not video.resolve().is_relative_to(profile.folder.resolve()):  # never another profile's footage
        raise ValidationError(f"{video.name} is not part of profile {profile.name!r}; no poster is made from it.")
    poster = posters_folder(profile) / f"{clip_id}.jpg"
    if poster.is_file() and poster.stat().st_mtime >= video.stat().st_mtime:
        return poster
    poster.parent.mkdir(parents=True, exist_ok=True)
    at = min(1.0, (duration or 0.0) * 0.3)  # past a fade-in, inside even a very short clip
    return make_thumbnail(video, poster, at=at, width=POSTER_WIDTH)


# -- deleting --------------------------------------------------------------------------


@dataclass
class DeleteReport:
    deleted: list[str] = field(default_factory=list)
    files_removed: int = 0


def delete_clips(profile: Profile, clip_ids: list[str]) -> DeleteReport:
    """Delete these clips of this profile with their files; refuses all if one is unknown here or still being sent.

    Files go only when they lie inside the profile's folder and no remaining clip uses them.
    """
    clip_ids = list(dict.fromkeys(clip_ids))
    if not clip_ids:
        raise ValidationError("Select at least one clip to delete.")
    placeholders = ", ".join("?" for _ in clip_ids)
    with profile.db.transaction() as cur:
        found = {r[0]: r for r in cur.execute(
            f"SELECT id, name, path, captions_path FROM clips WHERE id IN ({placeholders})", clip_ids).fetchall()}
        missing = [c for c in clip_ids if c not in found]
        if missing:
            raise NotFoundError("Clip", missing[0], profile.name)
        sending = cur.execute(
            f"SELECT DISTINCT clip_id FROM publications WHERE clip_id IN ({placeholders}) AND status IN (?, ?, ?)",
            [*clip_ids, *_OPEN_POSTS]).fetchall()
        if sending:
            name = found[sending[0][0]][1]
            raise ValidationError(f"Clip {name!r} is being published right now; wait until its posts are sent "
                                  "(see the Publish page), then delete it.")
        projects.delete_clip_rows(cur, clip_ids)
        outbox.forget_clip_states(cur, clip_ids)
        stored = {p for r in found.values() for p in (r[2], r[3]) if p}
        still_used = set()
        if stored:
            marks = ", ".join("?" for _ in stored)
            still_used = {p for row in cur.execute(
                f"SELECT path, captions_path FROM clips WHERE path IN ({marks}) OR captions_path IN ({marks})",
                [*stored, *stored]).fetchall() for p in row if p}
    report = DeleteReport(deleted=clip_ids)
    files = [_inside(profile, p) for p in stored - still_used]
    files += [posters_folder(profile) / f"{clip_id}.jpg" for clip_id in clip_ids]
    for path in files:
        if path is None or not path.is_file():
            continue
        try:
            path.unlink()
            report.files_removed += 1
        except OSError as error:  # the rows are gone; a leftover file is only wasted space
            log.warning("Could not remove %s of a deleted clip: %s", path.name, error)
    return report
