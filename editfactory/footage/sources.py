"""Import, list and delete a profile's sources: videos and product photos.

An import copies the file into the profile's ``media`` folder under a content-hash
de-duplicated name, probes it, makes a thumbnail, and only then writes the row; any
failure removes whatever it had written, so bad input leaves nothing behind.
The row also records how much the source is enlarged in each output format under the profile's default
framing and, when that is more than 2x, a warning for the user (:mod:`editfactory.media.resolution`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from editfactory.core.errors import MediaError, NotFoundError, StorageError, ValidationError
from editfactory.core.ids import new_id
from editfactory.core.paging import like_pattern, limit_clause, order_by
from editfactory.core.progress import ProgressCallback
from editfactory.footage.framing import default_framing
from editfactory.media.photos import PHOTO_DURATION, is_photo_path, make_photo_thumbnail, store_photo
from editfactory.media.probe import MediaInfo, probe
from editfactory.media.resolution import enlargements, upscale_warning
from editfactory.media.thumbnails import make_thumbnail
from editfactory.profiles import Profile

log = logging.getLogger(__name__)

MIN_SIDE = 64
MAX_SIDE = 8192
MAX_ASPECT = 5.0
MIN_DURATION = 0.3
_HASH_CHUNK = 4 * 1024 * 1024
PHOTO_FPS = 30.0
"""Frame rate recorded for a photo source (a still has none; segments and analysis read it as footage's)."""


@dataclass(frozen=True)
class SourceVideo:
    id: str
    filename: str
    path: Path
    """Absolute path of the imported copy inside the profile folder."""
    content_hash: str
    size_bytes: int
    duration: float
    width: int
    height: int
    fps: float
    rotation: int
    video_codec: str | None
    audio_codec: str | None
    has_audio: bool
    thumbnail_path: Path | None
    status: str
    created_at: datetime
    analyzed_at: datetime | None
    upscale_warning: str | None = None
    """Set when the source is enlarged more than 2x in an output format: it will look soft or blurry."""
    enlargement: dict = field(default_factory=dict)
    """Per output size (``WxH``): fit/fill enlargement, the framing ``auto`` picks, its enlargement and the part
    of the source shown (:class:`editfactory.media.resolution.Enlargement` as a dict)."""
    kind: str = "video"
    """``video`` or ``photo`` (a still stored upright in sRGB, shown with slow zoom and pan: :mod:`editfactory.media.kenburns`)."""


_INSERTED = (
    "id, filename, path, content_hash, size_bytes, duration, width, height, fps, rotation, "
    "video_codec, audio_codec, has_audio, thumbnail_path, status"
)
_COLUMNS = f"{_INSERTED}, created_at, analyzed_at, upscale_warning, enlargement, kind"


def _row_to_source(profile: Profile, row: tuple) -> SourceVideo:
    values = dict(zip([c.strip() for c in _COLUMNS.split(",")], row))
    values["path"] = profile.paths.absolute(values["path"])
    if values["thumbnail_path"]:
        values["thumbnail_path"] = profile.paths.absolute(values["thumbnail_path"])
    stored = values["enlargement"]
    if stored is None:  # imported before enlargement was recorded: work it out from the stored size
        values["enlargement"] = {k: e.to_dict() for k, e in enlargements(values["width"], values["height"]).items()}
        values["upscale_warning"] = upscale_warning(values["width"], values["height"])
    else:
        values["enlargement"] = json.loads(stored) if isinstance(stored, str) else stored
    return SourceVideo(**values)


def _sha256(path: Path, progress: ProgressCallback | None) -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress(f"Checking {path.name}", 0.4 * done / total)
    return digest.hexdigest()


def _refuse_unusable(name: str, info: MediaInfo) -> None:
    if not info.has_video:
        raise ValidationError(f"{name} has no video stream (it is audio only); import a video file instead.")
    if not info.video_codec or info.video_codec == "none":
        raise MediaError(
            f"{name} uses a video codec ffmpeg cannot decode; convert it to H.264 (MP4) and import it again."
        )
    short, long = sorted((info.width, info.height))
    if short < MIN_SIDE or long > MAX_SIDE or long / max(short, 1) > MAX_ASPECT:
        raise ValidationError(
            f"{name} is {info.width}x{info.height} pixels, which is not usable footage "
            f"(each side must be {MIN_SIDE}–{MAX_SIDE} px, at most {MAX_ASPECT:.0f}:1); "
            "import the original camera or phone recording, or export it at a normal size such as 1080x1920."
        )
    if info.duration < MIN_DURATION:
        raise ValidationError(f"{name} lasts only {info.duration:.2f} s; import a video of at least {MIN_DURATION} s.")
    if info.header_duration and info.duration < info.header_duration * 0.9:
        raise MediaError(
            f"{name} is truncated: its header promises {info.header_duration:.1f} s but only "
            f"{info.duration:.1f} s of video is in the file. Copy or download it again, then import."
        )


def _existing_by_hash(profile: Profile, content_hash: str) -> SourceVideo | None:
    row = profile.db.fetchone(f"SELECT {_COLUMNS} FROM source_videos WHERE content_hash = ?", [content_hash])
    return _row_to_source(profile, row) if row else None


def import_source(profile: Profile, path: Path | str, progress: ProgressCallback | None = None) -> SourceVideo:
    """Import a video or a photo into ``profile``; importing the same content again returns the existing source."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"{path} does not exist or is not a file; check the path and try again.")
    size = path.stat().st_size
    if size == 0:
        raise ValidationError(f"{path.name} is empty (0 bytes); the copy or download did not finish. Copy or download it again, then import.")
    content_hash = _sha256(path, progress)
    existing = _existing_by_hash(profile, content_hash)
    if existing is not None:
        return existing
    if is_photo_path(path):
        return _import_photo(profile, path, content_hash, size, progress)
    if progress:
        progress(f"Probing {path.name}", 0.45)
    info = probe(path)
    _refuse_unusable(path.name, info)

    framing = default_framing(profile)

    source_id = new_id("src")
    media = profile.paths.media
    media.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower() if path.suffix and len(path.suffix) <= 6 else ".mp4"
    target = media / f"{source_id}{suffix}"
    thumbnail = media / f"{source_id}.jpg"
    written = [target, thumbnail]
    try:
        # Work under the profile's tmp (removed on the next start if this process dies), then move into place.
        with profile.temp_dir("import") as scratch:
            if progress:
                progress(f"Making a thumbnail of {path.name}", 0.55)
            try:
                make_thumbnail(path, scratch / "thumbnail.jpg", at=min(1.0, info.duration / 3))
            except MediaError as error:
                log.info("No thumbnail could be made of %s: %s", path, error)  # ffmpeg's lines: for the log only
                raise MediaError(
                    f"{path.name} could not be decoded ({info.video_codec}); convert it to H.264 (MP4) and import it again."
                ) from None
            if progress:
                progress(f"Copying {path.name} into the profile", 0.7)
            shutil.copyfile(path, scratch / "video")
            os.replace(scratch / "thumbnail.jpg", thumbnail)
            os.replace(scratch / "video", target)
        with profile.db.transaction() as cursor:
            cursor.execute(
                f"INSERT INTO source_videos ({_INSERTED}, probe, enlargement, upscale_warning) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    source_id, path.name, profile.paths.relative(target), content_hash, size, info.duration,
                    info.width, info.height, info.fps, info.rotation, info.video_codec, info.audio_codec,
                    info.has_audio, profile.paths.relative(thumbnail), "imported", json.dumps(info.to_dict()),
                    json.dumps({k: e.to_dict() for k, e in enlargements(info.width, info.height, framing).items()}),
                    upscale_warning(info.width, info.height, framing),
                ],
            )
    except BaseException as error:
        existing = _undo_import(profile, written, content_hash, error)
        if existing is not None:
            return existing
        raise
    if progress:
        progress(f"Imported {path.name}", 1.0)
    return get_source(profile, source_id)


def _import_photo(profile: Profile, path: Path, content_hash: str, size: int,
                  progress: ProgressCallback | None) -> SourceVideo:
    """Import a photo: checked from its header, stored upright in sRGB (:mod:`editfactory.media.photos`)."""
    framing = default_framing(profile)
    source_id = new_id("src")
    media = profile.paths.media
    media.mkdir(parents=True, exist_ok=True)
    thumbnail = media / f"{source_id}.thumb.jpg"
    written = [media / f"{source_id}.png", media / f"{source_id}.jpg", thumbnail]
    try:
        with profile.temp_dir("import") as scratch:
            if progress:
                progress(f"Reading {path.name}", 0.5)
            stored = store_photo(path, scratch / "photo")
            make_photo_thumbnail(stored.path, scratch / "thumbnail.jpg")
            target = media / f"{source_id}{stored.path.suffix}"
            os.replace(scratch / "thumbnail.jpg", thumbnail)
            os.replace(stored.path, target)
        width, height = stored.width, stored.height
        codec = "png" if target.suffix == ".png" else "mjpeg"
        with profile.db.transaction() as cursor:
            cursor.execute(
                f"INSERT INTO source_videos ({_INSERTED}, probe, enlargement, upscale_warning, kind) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    source_id, path.name, profile.paths.relative(target), content_hash, size, PHOTO_DURATION,
                    width, height, PHOTO_FPS, 0, codec, None, False, profile.paths.relative(thumbnail), "imported",
                    json.dumps({"photo_format": stored.format, "width": width, "height": height}),
                    json.dumps({k: e.to_dict() for k, e in enlargements(width, height, framing).items()}),
                    upscale_warning(width, height, framing), "photo",
                ],
            )
    except BaseException as error:
        existing = _undo_import(profile, written, content_hash, error)
        if existing is not None:
            return existing
        raise
    if progress:
        progress(f"Imported {path.name}", 1.0)
    return get_source(profile, source_id)


def _undo_import(profile: Profile, written: list[Path], content_hash: str,
                 error: BaseException) -> SourceVideo | None:
    """Remove the files a failed import wrote; the row of the same content when another process imported it a
    moment ago (the insert lost that race), else ``None``."""
    for leftover in written:
        leftover.unlink(missing_ok=True)
    if isinstance(error, StorageError):
        return _existing_by_hash(profile, content_hash)
    return None


def get_source(profile: Profile, source_id: str) -> SourceVideo:
    row = profile.db.fetchone(f"SELECT {_COLUMNS} FROM source_videos WHERE id = ?", [source_id])
    if row is None:
        raise NotFoundError("Source video", source_id, profile.name)
    return _row_to_source(profile, row)


SOURCE_SORTS = {
    "oldest": "created_at, id",
    "newest": "created_at DESC, id",
    "name": "lower(filename), id",
    "longest": "duration DESC NULLS LAST, id",
}
"""Ways the source list can be sorted; the first is the default."""


def _source_filters(search: str | None, status: str | None, project_id: str | None) -> tuple[str, list]:
    where, params = [], []
    if search and search.strip():
        where.append("filename ILIKE ? ESCAPE '\\'")
        params.append(like_pattern(search.strip()))
    if status is not None:
        where.append("status = ?")
        params.append(status)
    if project_id is not None:
        where.append("id IN (SELECT source_id FROM project_sources WHERE project_id = ?)")
        params.append(project_id)
    return (" WHERE " + " AND ".join(where)) if where else "", params


def list_sources(profile: Profile, *, search: str | None = None, status: str | None = None,
                 project_id: str | None = None, sort: str = "oldest", limit: int | None = None,
                 offset: int = 0) -> list[SourceVideo]:
    """The profile's source videos (all by default): by file name, status ('imported'/'analyzed'), or a project's."""
    where, params = _source_filters(search, status, project_id)
    paging, paging_params = limit_clause(offset, limit)
    rows = profile.db.fetchall(
        f"SELECT {_COLUMNS} FROM source_videos{where} ORDER BY {order_by(sort, SOURCE_SORTS, 'sources')}{paging}",
        [*params, *paging_params],
    )
    return [_row_to_source(profile, row) for row in rows]


def count_sources(profile: Profile, *, search: str | None = None, status: str | None = None,
                  project_id: str | None = None) -> int:
    where, params = _source_filters(search, status, project_id)
    return int(profile.db.fetchone(f"SELECT count(*) FROM source_videos{where}", params)[0])


def delete_source_row(cursor, source_id: str) -> None:
    """Delete the source's row inside the caller's transaction (:func:`editfactory.footage.deletion.delete_source`
    removes what refers to it, each through its owner, and then its files)."""
    cursor.execute("DELETE FROM source_videos WHERE id = ?", [source_id])


def mark_analyzed(cursor, source_id: str) -> None:
    """Record, inside the caller's transaction, that the source's automatic segments were just made."""
    cursor.execute("UPDATE source_videos SET analyzed_at = now(), status = 'analyzed' WHERE id = ?", [source_id])


def warned_sources(profile: Profile, limit: int = 50) -> list[SourceVideo]:
    """The profile's newest sources that carry an upscale warning (too small for an output format)."""
    rows = profile.db.fetchall(
        f"SELECT {_COLUMNS} FROM source_videos WHERE upscale_warning IS NOT NULL ORDER BY created_at DESC, id LIMIT ?",
        [limit],
    )
    return [_row_to_source(profile, row) for row in rows]
