"""Projects and their clips inside one profile: create, read, update, delete, list, filter, search.

Every function takes the profile handle first. Ids are unique across profiles,
so an id from another profile is simply not found here and the caller gets a
NotFoundError naming this profile — the other profile's data is never touched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from editfactory.errors import NotFoundError, ValidationError
from editfactory.ids import new_id
from editfactory.profiles.profile import Profile

CLIP_STATUSES = ("draft", "rendering", "rendered", "failed", "published")
MAX_NAME = 200
_PROJECT_FIELDS = ("name", "description", "script", "settings", "status")
_CLIP_FIELDS = (
    "name", "status", "path", "duration", "width", "height", "variant",
    "voiceover_path", "captions_path", "tts", "cost_usd", "job_id",
)


def _clean_name(name: object, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"A {what} needs a name; type one.")
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        raise ValidationError(f"A {what} name can be at most {MAX_NAME} characters; shorten it.")
    return name


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _decode(row: dict, *json_fields: str) -> dict:
    for field in json_fields:
        if isinstance(row.get(field), str):
            row[field] = json.loads(row[field])
    return row


# -- projects ----------------------------------------------------------------


def create_project(profile: Profile, name: str, *, description: str = "", script: str = "", settings: dict | None = None) -> dict:
    project_id = new_id("proj")
    with profile.db.transaction() as cur:
        cur.execute(
            "INSERT INTO projects (id, name, description, script, settings) VALUES (?, ?, ?, ?, ?)",
            [project_id, _clean_name(name, "project"), description or "", script or "", _json(settings)],
        )
    return get_project(profile, project_id)


def get_project(profile: Profile, project_id: str) -> dict:
    rows = profile.db.fetchdicts("SELECT * FROM projects WHERE id = ?", [project_id])
    if not rows:
        raise NotFoundError("Project", project_id, profile.name)
    return _decode(rows[0], "settings")


def list_projects(profile: Profile) -> list[dict]:
    return [_decode(r, "settings") for r in profile.db.fetchdicts("SELECT * FROM projects ORDER BY created_at, id")]


def _require(cur, profile: Profile, table: str, kind: str, item_id: str) -> None:
    """Raise NotFoundError unless ``item_id`` is a row of ``table`` in this profile."""
    if cur.execute(f"SELECT 1 FROM {table} WHERE id = ?", [item_id]).fetchone() is None:
        raise NotFoundError(kind, item_id, profile.name)


def _update_row(profile: Profile, table: str, kind: str, item_id: str, changes: dict[str, Any]) -> None:
    """Apply already-validated ``changes`` to one row of this profile, or say it is not here."""
    with profile.db.transaction() as cur:
        _require(cur, profile, table, kind, item_id)
        if changes:
            assignments = ", ".join(f"{field} = ?" for field in changes)
            cur.execute(f"UPDATE {table} SET {assignments}, updated_at = now() WHERE id = ?", [*changes.values(), item_id])


def _refuse_unknown(changes: dict[str, Any], allowed: tuple[str, ...], kind: str) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError(f"{kind} have no field(s) {sorted(unknown)}; use one of {list(allowed)}.")


def update_project(profile: Profile, project_id: str, **changes: Any) -> dict:
    _refuse_unknown(changes, _PROJECT_FIELDS, "Projects")
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"], "project")
    if "settings" in changes:
        changes["settings"] = _json(changes["settings"])
    _update_row(profile, "projects", "Project", project_id, changes)
    return get_project(profile, project_id)


def delete_project(profile: Profile, project_id: str) -> None:
    """Delete a project with its clip records (rendered files stay until the profile's cleanup)."""
    with profile.db.transaction() as cur:
        _require(cur, profile, "projects", "Project", project_id)
        cur.execute("DELETE FROM clips WHERE project_id = ?", [project_id])
        cur.execute("DELETE FROM project_sources WHERE project_id = ?", [project_id])
        cur.execute("DELETE FROM projects WHERE id = ?", [project_id])


def set_project_sources(profile: Profile, project_id: str, source_ids: Iterable[str]) -> None:
    """Choose which of the profile's source videos the project draws segments from."""
    source_ids = list(dict.fromkeys(source_ids))
    with profile.db.transaction() as cur:
        _require(cur, profile, "projects", "Project", project_id)
        for source_id in source_ids:
            _require(cur, profile, "source_videos", "Source video", source_id)
        cur.execute("DELETE FROM project_sources WHERE project_id = ?", [project_id])
        for source_id in source_ids:
            cur.execute("INSERT INTO project_sources VALUES (?, ?)", [project_id, source_id])


def project_sources(profile: Profile, project_id: str) -> list[str]:
    get_project(profile, project_id)
    return [r[0] for r in profile.db.fetchall(
        "SELECT source_id FROM project_sources WHERE project_id = ? ORDER BY source_id", [project_id]
    )]


# -- clips -------------------------------------------------------------------


def _check_status(status: str) -> str:
    if status not in CLIP_STATUSES:
        raise ValidationError(f"Unknown clip status {status!r}; use one of {', '.join(CLIP_STATUSES)}.")
    return status


def create_clip(profile: Profile, project_id: str, name: str, *, status: str = "draft", **fields: Any) -> dict:
    _refuse_unknown(fields, _CLIP_FIELDS, "Clips")
    if "tts" in fields:
        fields["tts"] = _json(fields["tts"])
    clip_id = new_id("clip")
    values = {"id": clip_id, "project_id": project_id, "name": _clean_name(name, "clip"), "status": _check_status(status), **fields}
    with profile.db.transaction() as cur:
        _require(cur, profile, "projects", "Project", project_id)
        cur.execute(
            f"INSERT INTO clips ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})", list(values.values())
        )
    return get_clip(profile, clip_id)


def get_clip(profile: Profile, clip_id: str) -> dict:
    rows = profile.db.fetchdicts("SELECT * FROM clips WHERE id = ?", [clip_id])
    if not rows:
        raise NotFoundError("Clip", clip_id, profile.name)
    return _decode(rows[0], "tts")


def update_clip(profile: Profile, clip_id: str, **changes: Any) -> dict:
    _refuse_unknown(changes, _CLIP_FIELDS, "Clips")
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"], "clip")
    if "status" in changes:
        _check_status(changes["status"])
    if "tts" in changes:
        changes["tts"] = _json(changes["tts"])
    _update_row(profile, "clips", "Clip", clip_id, changes)
    return get_clip(profile, clip_id)


def delete_clip(profile: Profile, clip_id: str) -> None:
    with profile.db.transaction() as cur:
        _require(cur, profile, "clips", "Clip", clip_id)
        cur.execute("DELETE FROM clips WHERE id = ?", [clip_id])


def list_clips(
    profile: Profile,
    project_id: str | None = None,
    *,
    status: str | None = None,
    search: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[dict]:
    """Clips of the profile, optionally of one project, with one status, or whose name contains ``search``."""
    where, params = [], []
    if project_id is not None:
        where.append("project_id = ?")
        params.append(project_id)
    if status is not None:
        where.append("status = ?")
        params.append(_check_status(status))
    if search:
        where.append("name ILIKE ? ESCAPE '\\'")
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    sql = "SELECT * FROM clips"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY created_at DESC, id LIMIT ? OFFSET ?"
    return [_decode(r, "tts") for r in profile.db.fetchdicts(sql, [*params, limit, offset])]
