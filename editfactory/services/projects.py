"""Projects and their clips inside one profile: create, read, update, delete, list, filter, search.

This module owns the ``projects``, ``project_sources`` and ``clips`` tables: every write to them goes
through a function here (the list of owners is in :mod:`editfactory.storage`).

Every function takes the profile handle first. Ids are unique across profiles,
so an id from another profile is simply not found here and the caller gets a
NotFoundError naming this profile — the other profile's data is never touched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from editfactory.core.errors import NotFoundError, ValidationError, check_text
from editfactory.core.ids import new_id
from editfactory.core.paging import Page, like_pattern, limit_clause, order_by
from editfactory.profiles.profile import Profile
from editfactory.storage.rows import insert_rows as _insert_rows

CLIP_STATUSES = ("draft", "rendering", "rendered", "failed", "published")
MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_SCRIPT = 100_000
"""A project keeps a script while it is being edited; production takes at most 12 000 characters per script
(pipeline.production.MAX_SCRIPT_CHARS), so this only stops pastes gone wrong (a whole file)."""
_PROJECT_FIELDS = ("name", "description", "script", "settings", "status",
                   "music_track_id", "music_mood", "music_options",  # music: set through editfactory.footage.music
                   "offer",  # checked by editfactory.services.offer
                   "brief")  # set through editfactory.writing.brief, which checks it
_CLIP_FIELDS = (
    "name", "status", "path", "duration", "width", "height", "variant",
    "voiceover_path", "captions_path", "tts", "cost_usd", "job_id", "music",
)


def _clean_name(name: object, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"A {what} needs a name; type one.")
    return check_text(name, f"A {what} name", max_length=MAX_NAME)


def _clean_text(value: object, what: str, max_length: int) -> str:
    """A description or script as stored: '' for None; its lines kept; wrong types and control characters refused."""
    return "" if value is None else check_text(value, what, max_length=max_length, multiline=True)


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
            [project_id, _clean_name(name, "project"), _clean_text(description, "A project description", MAX_DESCRIPTION),
             _clean_text(script, "A script", MAX_SCRIPT), _json(settings)],
        )
    return get_project(profile, project_id)


def get_project(profile: Profile, project_id: str) -> dict:
    rows = profile.db.fetchdicts("SELECT * FROM projects WHERE id = ?", [project_id])
    if not rows:
        raise NotFoundError("Project", project_id, profile.name)
    return _decode(rows[0], "settings", "offer", "brief")


PROJECT_SORTS = {
    "oldest": "p.created_at, p.id",
    "newest": "p.created_at DESC, p.id",
    "name": "lower(p.name), p.id",
    "updated": "p.updated_at DESC, p.id",
}
"""Ways the project list can be sorted; the first is the default."""


def _project_filters(search: str | None) -> tuple[str, list[Any]]:
    if search and search.strip():
        return " WHERE p.name ILIKE ? ESCAPE '\\'", [like_pattern(search.strip())]
    return "", []


def list_projects(profile: Profile, *, search: str | None = None, sort: str = "oldest", limit: int | None = None,
                  offset: int = 0, with_clip_counts: bool = False) -> list[dict]:
    """Projects of the profile (all by default), optionally named like ``search``, sorted and paged.

    ``with_clip_counts`` adds each project's number of clips as ``clip_count``.
    """
    where, params = _project_filters(search)
    paging, paging_params = limit_clause(offset, limit)
    columns = "p.*"
    if with_clip_counts:
        columns += ", (SELECT count(*) FROM clips c WHERE c.project_id = p.id) AS clip_count"
    sql = f"SELECT {columns} FROM projects p{where} ORDER BY {order_by(sort, PROJECT_SORTS, 'projects')}{paging}"
    return [_decode(r, "settings", "brief") for r in profile.db.fetchdicts(sql, [*params, *paging_params])]


def count_projects(profile: Profile, *, search: str | None = None) -> int:
    where, params = _project_filters(search)
    return int(profile.db.fetchone(f"SELECT count(*) FROM projects p{where}", params)[0])


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
    if "description" in changes:
        changes["description"] = _clean_text(changes["description"], "A project description", MAX_DESCRIPTION)
    if "script" in changes:
        changes["script"] = _clean_text(changes["script"], "A script", MAX_SCRIPT)
    if "settings" in changes:
        changes["settings"] = _json(changes["settings"])
    if "music_options" in changes:
        changes["music_options"] = _json(changes["music_options"])
    if "offer" in changes:
        changes["offer"] = _json(changes["offer"])
    if "brief" in changes:
        changes["brief"] = _json(changes["brief"])
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


def unlink_source(cur, source_id: str) -> None:
    """Take a source video out of every project, inside the caller's transaction (the source is being deleted)."""
    cur.execute("DELETE FROM project_sources WHERE source_id = ?", [source_id])


OWN_TABLES = ("projects", "project_sources", "clips")


def insert_rows(cur, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows as they are (ids included) into one of this module's tables, inside the caller's transaction.

    For bulk copies that keep their ids: an old library being imported, a benchmark's synthetic library.
    """
    if table not in OWN_TABLES:
        raise ValueError(f"{table} is not one of {OWN_TABLES}; write it through the module that owns it.")
    _insert_rows(cur, table, rows)


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
    if "music" in fields:
        fields["music"] = _json(fields["music"])
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
    return _decode(rows[0], "tts", "music")


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


def delete_clip_rows(cur, clip_ids: Sequence[str]) -> None:
    """Delete these clips' rows inside the caller's transaction (which checked they may go and removes their files)."""
    if clip_ids:
        cur.execute(f"DELETE FROM clips WHERE id IN ({', '.join('?' for _ in clip_ids)})", list(clip_ids))


def find_clip(profile: Profile, project_id: str, path: str) -> dict | None:
    """The project's clip whose video is ``path`` (relative to the profile), or None."""
    rows = profile.db.fetchall("SELECT id FROM clips WHERE project_id = ? AND path = ?", [project_id, path])
    return get_clip(profile, rows[0][0]) if rows else None


CLIP_SORTS = {
    "newest": "c.created_at DESC, c.id",
    "oldest": "c.created_at, c.id",
    "name": "lower(c.name), c.id",
    "name_desc": "lower(c.name) DESC, c.id",
    "longest": "c.duration DESC NULLS LAST, c.id",
    "shortest": "c.duration NULLS LAST, c.id",
    "cost": "c.cost_usd DESC, c.id",
    "status": "c.status, c.created_at DESC, c.id",
}
"""Ways the clip list can be sorted (name → ORDER BY); the first is the default."""
PUBLISH_STATES = ("unpublished", "publishing", "scheduled", "posted", "published", "draft", "failed", "partly failed")
_CLIPS_FROM = "FROM clips c LEFT JOIN clip_publish_state s ON s.clip_id = c.id"


def _clip_filters(
    project_id: str | None,
    status: str | Sequence[str] | None,
    search: str | None,
    publish_state: str | None,
    has_voiceover: bool | None,
    has_captions: bool | None,
) -> tuple[str, list[Any]]:
    where, params = [], []
    if project_id is not None:
        where.append("c.project_id = ?")
        params.append(project_id)
    if status is not None:
        statuses = [status] if isinstance(status, str) else list(status)
        if not statuses:
            raise ValidationError(f"Choose at least one clip status: {', '.join(CLIP_STATUSES)}.")
        where.append(f"c.status IN ({', '.join('?' for _ in statuses)})")
        params.extend(_check_status(s) for s in statuses)
    if search and search.strip():
        where.append("c.name ILIKE ? ESCAPE '\\'")
        params.append(like_pattern(search.strip()))
    if publish_state is not None:
        if publish_state not in PUBLISH_STATES:
            raise ValidationError(f"Unknown publishing state {publish_state!r}; use one of {', '.join(PUBLISH_STATES)}.")
        where.append("COALESCE(s.state, 'unpublished') = ?")
        params.append(publish_state)
    if has_voiceover is not None:
        where.append("(c.voiceover_path IS NOT NULL AND c.voiceover_path <> '') = ?")
        params.append(bool(has_voiceover))
    if has_captions is not None:
        where.append("(c.captions_path IS NOT NULL AND c.captions_path <> '') = ?")
        params.append(bool(has_captions))
    return (" WHERE " + " AND ".join(where)) if where else "", params


def list_clips(
    profile: Profile,
    project_id: str | None = None,
    *,
    status: str | Sequence[str] | None = None,
    search: str | None = None,
    publish_state: str | None = None,
    has_voiceover: bool | None = None,
    has_captions: bool | None = None,
    sort: str = "newest",
    limit: int | None = 500,
    offset: int = 0,
) -> list[dict]:
    """Clips of the profile, filtered, sorted (see CLIP_SORTS) and paged; each row has its ``publish_state``.

    Filters: one project, one or more statuses, a name containing ``search`` (case-insensitive, literal),
    the publishing state (see PUBLISH_STATES; "unpublished" also matches clips never published), and
    whether a voiceover or captions file is recorded. :func:`count_clips` counts with the same filters.
    """
    where, params = _clip_filters(project_id, status, search, publish_state, has_voiceover, has_captions)
    order = order_by(sort, CLIP_SORTS, "clips")
    paging, paging_params = limit_clause(offset, limit)
    sql = f"SELECT c.*, COALESCE(s.state, 'unpublished') AS publish_state {_CLIPS_FROM}{where} ORDER BY {order}{paging}"
    return [_decode(r, "tts", "music") for r in profile.db.fetchdicts(sql, [*params, *paging_params])]


def count_clips(
    profile: Profile,
    project_id: str | None = None,
    *,
    status: str | Sequence[str] | None = None,
    search: str | None = None,
    publish_state: str | None = None,
    has_voiceover: bool | None = None,
    has_captions: bool | None = None,
) -> int:
    """How many clips :func:`list_clips` would list with the same filters, over all pages."""
    where, params = _clip_filters(project_id, status, search, publish_state, has_voiceover, has_captions)
    join = _CLIPS_FROM if publish_state is not None else "FROM clips c"
    return int(profile.db.fetchone(f"SELECT count(*) {join}{where}", params)[0])


def clips_page(profile: Profile, project_id: str | None = None, *, offset: int = 0, limit: int = 50,
               sort: str = "newest", **filters: Any) -> Page[dict]:
    """One page of clips and the total with the same filters, read in one open of the profile's file."""
    with profile.db.session():
        items = list_clips(profile, project_id, sort=sort, limit=limit, offset=offset, **filters)
        total = count_clips(profile, project_id, **filters)
    return Page(items, total, offset, limit)
