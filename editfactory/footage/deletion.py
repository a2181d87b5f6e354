"""Deleting a source video with everything that refers to it, each table through the module that owns it."""

from __future__ import annotations

from editfactory.footage import duplicates, segments, sources
from editfactory.profiles import Profile
from editfactory.services import projects


def delete_source(profile: Profile, source_id: str) -> None:
    """Remove the source, its segments, project links and near-duplicate pairs (one transaction), then its files."""
    source = sources.get_source(profile, source_id)  # NotFoundError for another profile's source
    with profile.db.transaction() as cursor:
        segments.delete_source_segments(cursor, source_id)
        projects.unlink_source(cursor, source_id)
        sources.delete_source_row(cursor, source_id)
        duplicates.forget_source(cursor, source_id)
    source.path.unlink(missing_ok=True)
    if source.thumbnail_path:
        source.thumbnail_path.unlink(missing_ok=True)
