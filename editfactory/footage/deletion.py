"""Deleting a source video with everything that refers to it, each table through the module that owns it.

:func:`source_usage` says first what uses the source (the page shows it before asking to confirm).
"""

from __future__ import annotations

from dataclasses import dataclass

from editfactory.footage import duplicates, segments, sources
from editfactory.footage.proxies import delete_proxy
from editfactory.profiles import Profile
from editfactory.services import projects


@dataclass(frozen=True)
class SourceUsage:
    """What uses one source video: the projects it is in, their clips, and its segments."""

    filename: str
    projects: tuple[str, ...]
    clips: tuple[str, ...]
    segments: int

    def describe(self) -> str:
        """One paragraph for the confirmation: what goes and what stays."""
        if self.projects:
            clips = (f"; their {len(self.clips)} clip(s) ({_names(self.clips)}) keep their videos"
                     if self.clips else "; they have no clips yet")
            used = f"It is used by {len(self.projects)} project(s): {_names(self.projects)}{clips}."
        else:
            used = "No project uses it."
        return (f"Delete the source video {self.filename!r}? {used} Its {self.segments} segment(s) and its file "
                "are removed; projects keep their other footage, and a new render uses only what is left.")


def _names(names: tuple[str, ...], shown: int = 5) -> str:
    quoted = ", ".join(repr(n) for n in names[:shown])
    return quoted + (f" and {len(names) - shown} more" if len(names) > shown else "")


def source_usage(profile: Profile, source_id: str) -> SourceUsage:
    """The projects that use the source and their clips (by name), and its segment count."""
    source = sources.get_source(profile, source_id)  # NotFoundError for another profile's source
    with profile.db.session():
        project_rows = profile.db.fetchall(
            "SELECT p.id, p.name FROM projects p JOIN project_sources ps ON ps.project_id = p.id "
            "WHERE ps.source_id = ? ORDER BY p.name, p.id", [source_id])
        ids = [row[0] for row in project_rows]
        clip_rows = profile.db.fetchall(
            f"SELECT name FROM clips WHERE project_id IN ({', '.join('?' for _ in ids)}) ORDER BY name, id",
            ids) if ids else []
        count = segments.count_segments(profile, source_id)
    return SourceUsage(source.filename, tuple(r[1] for r in project_rows), tuple(r[0] for r in clip_rows), count)


def delete_source(profile: Profile, source_id: str) -> None:
    """Remove the source, its segments, project links and near-duplicate pairs (one transaction), then its files
    (the video, its thumbnail, its proxy and its segments' posters)."""
    source = sources.get_source(profile, source_id)  # NotFoundError for another profile's source
    segment_ids = [s.id for s in segments.list_segments(profile, source_id, limit=None)]
    with profile.db.transaction() as cursor:
        segments.delete_source_segments(cursor, source_id)
        projects.unlink_source(cursor, source_id)
        sources.delete_source_row(cursor, source_id)
        duplicates.forget_source(cursor, source_id)
    source.path.unlink(missing_ok=True)
    delete_proxy(profile, source_id)
    if source.thumbnail_path:
        source.thumbnail_path.unlink(missing_ok=True)
    posters = profile.paths.previews / "posters"
    for segment_id in segment_ids:  # named '<segment id>-<start ms>-<end ms>.jpg'
        for poster in posters.glob(f"{segment_id}-*.jpg"):
            poster.unlink(missing_ok=True)
