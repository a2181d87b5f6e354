"""The publishing outbox: one row in ``publications`` per intended post, written before any network call.

A row moves pending → sending → posted, or to retrying (kept for a later
attempt) or failed (Postiz refused it; a person must fix something). Each
change is one short transaction; nothing is held open during network work.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, fields, replace
from typing import Any

import psutil

from editfactory.core.errors import NotFoundError
from editfactory.core.ids import new_id
from editfactory.core.paging import limit_clause
from editfactory.profiles.profile import Profile
from editfactory.publish import marker
from editfactory.publish.providers import caption_limit, cut_caption

PENDING, SENDING, RETRYING, POSTED, FAILED, CANCELLED = "pending", "sending", "retrying", "posted", "failed", "cancelled"
OPEN_STATUSES = (PENDING, SENDING, RETRYING)
STATUSES = (PENDING, SENDING, RETRYING, POSTED, FAILED, CANCELLED)
FINAL_POSTIZ_STATES = ("PUBLISHED", "ERROR", "DELETED")


def utcnow() -> dt.datetime:
    """Naive UTC, the form timestamps are stored in."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def as_naive_utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def owner_tag() -> str:
    """This process, in a form that survives pid reuse (pid plus start time)."""
    process = psutil.Process(os.getpid())
    return f"{process.pid}-{int(process.create_time())}"


def owner_alive(tag: str | None) -> bool:
    if not tag:
        return False
    try:
        pid, started = tag.split("-")[:2]
        return int(psutil.Process(int(pid)).create_time()) == int(started)
    except (ValueError, psutil.Error):
        return False


@dataclass
class Publication:
    """One intended post of one clip on one channel."""

    id: str
    clip_id: str
    integration_id: str
    platform: str
    post_type: str
    content: str
    settings: dict
    scheduled_at: dt.datetime | None
    status: str
    postiz_post_id: str | None
    postiz_state: str | None
    attempts: int
    last_error: str | None
    marker: str
    batch_id: str | None
    title: str | None
    media_id: str | None
    media_path: str | None
    first_sent_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    owner: str | None
    retryable: bool | None
    release_url: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    resend_after: dt.datetime | None = None
    duplicates_removed: int = 0
    failed_tries: int = 0

    @property
    def waits_for_settings(self) -> bool:
        """Open, but the profile's key or URL was refused: tried again once they change, or on Retry now."""
        return self.status == RETRYING and self.retryable is False and self.next_attempt_at is None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def due_at(self) -> dt.datetime | None:
        """When this open row should be tried next (a rate limit's wait or an earlier attempt's landing window)."""
        moments = [m for m in (self.next_attempt_at, self.resend_after) if m is not None]
        return max(moments) if moments else None


_COLUMNS = [f.name for f in fields(Publication)]
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM publications"


def _row(values: tuple) -> Publication:
    data = dict(zip(_COLUMNS, values))
    data["settings"] = json.loads(data["settings"]) if isinstance(data["settings"], str) else (data["settings"] or {})
    return Publication(**data)


@dataclass(frozen=True)
class NewPublication:
    clip_id: str
    integration_id: str
    platform: str
    post_type: str
    content: str
    settings: dict
    scheduled_at: dt.datetime | None
    title: str | None
    marker: str


def record(profile: Profile, items: list[NewPublication], batch_id: str | None = None) -> list[Publication]:
    """Write every intended post in one transaction, before anything is sent; every clip must be this profile's."""
    batch_id = batch_id or new_id("batch")
    ids = []
    with profile.db.session(), profile.db.transaction() as cur:
        for clip_id in dict.fromkeys(item.clip_id for item in items):
            if cur.execute("SELECT 1 FROM clips WHERE id = ?", [clip_id]).fetchone() is None:
                raise NotFoundError("Clip", clip_id, profile.name)  # never a post of another profile's clip here
        number = int(cur.execute(_MAX_NUMBER).fetchone()[0] or 0) + 1
        for item in items:
            pub_id = new_id("pub")
            if marker.key_number(item.marker) is not None:
                item = _numbered(item, number)  # numbered inside the transaction: no two rows share a tag
                number += 1
            cur.execute(
                "INSERT INTO publications (id, clip_id, integration_id, platform, post_type, content, settings, "
                "scheduled_at, status, marker, batch_id, title, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [pub_id, item.clip_id, item.integration_id, item.platform, item.post_type, item.content,
                 json.dumps(item.settings, ensure_ascii=False), as_naive_utc(item.scheduled_at), PENDING,
                 item.marker, batch_id, item.title, owner_tag()],  # this process sends them: others keep off
            )
            ids.append(pub_id)
        placeholders = ", ".join("?" for _ in ids)
        rows = cur.execute(f"{_SELECT} WHERE id IN ({placeholders})", ids).fetchall()
    by_id = {r.id: r for r in map(_row, rows)}
    return [by_id[pub_id] for pub_id in ids]


_MAX_NUMBER = ("SELECT max(CAST(substr(marker, 2) AS BIGINT)) FROM publications "
               "WHERE regexp_full_match(marker, 's[1-9][0-9]*')")


def next_marker_number(profile: Profile) -> int:
    """The number the profile's next post gets in its invisible tag (one more than any used)."""
    row = profile.db.fetchone(_MAX_NUMBER)
    return int(row[0] or 0) + 1 if row else 1


def _numbered(item: NewPublication, number: int) -> NewPublication:
    """``item`` with the tag of post ``number``; its text cut again if that tag came out longer than planned."""
    key = marker.sequence_key(number)
    content = item.content
    limit = caption_limit(item.platform)
    if limit and marker.marker_length(key) > marker.marker_length(item.marker):
        content = cut_caption(content, limit - marker.marker_length(key))
    return replace(item, marker=key, content=content)


def get(profile: Profile, publication_id: str) -> Publication:
    rows = profile.db.fetchall(f"{_SELECT} WHERE id = ?", [publication_id])
    if not rows:
        raise NotFoundError("Publication", publication_id, profile.name)
    return _row(rows[0])


def query(profile: Profile, where: str = "TRUE", params: list[Any] | None = None, *, newest_first: bool = False,
          limit: int | None = None, offset: int = 0) -> list[Publication]:
    order = "created_at DESC, id" if newest_first else "created_at, id"
    paging, paging_params = limit_clause(offset, limit)
    rows = profile.db.fetchall(f"{_SELECT} WHERE {where} ORDER BY {order}{paging}", [*(params or []), *paging_params])
    return [_row(r) for r in rows]


def count(profile: Profile, where: str = "TRUE", params: list[Any] | None = None) -> int:
    return int(profile.db.fetchone(f"SELECT count(*) FROM publications WHERE {where}", params or [])[0])


def update(profile: Profile, publication_id: str, **changes: Any) -> Publication:
    """Set columns of one row (and ``updated_at``) in one short transaction."""
    changes = {k: (json.dumps(v) if k == "settings" else as_naive_utc(v) if isinstance(v, dt.datetime) else v)
               for k, v in changes.items()}
    assignments = ", ".join(f"{name} = ?" for name in changes)
    with profile.db.transaction() as cur:
        row = cur.execute(f"UPDATE publications SET {assignments}, updated_at = ? WHERE id = ? RETURNING {', '.join(_COLUMNS)}",
                          [*changes.values(), utcnow(), publication_id]).fetchone()
    if row is None:
        raise NotFoundError("Publication", publication_id, profile.name)
    return _row(row)


def claim(profile: Profile, publication_id: str, seen_owner: str | None) -> Publication | None:
    """Make this process the row's sender, if it is still open and still owned by ``seen_owner`` (else None).

    A compare-and-set in one statement: of two processes that both saw the row
    free (or its owner dead), only one gets it.
    """
    with profile.db.transaction() as cur:
        row = cur.execute(
            f"UPDATE publications SET owner = ?, updated_at = ? WHERE id = ? AND owner IS NOT DISTINCT FROM ? "
            f"AND status IN ({', '.join('?' for _ in OPEN_STATUSES)}) RETURNING {', '.join(_COLUMNS)}",
            [owner_tag(), utcnow(), publication_id, seen_owner, *OPEN_STATUSES]).fetchone()
    return _row(row) if row is not None else None


def release(profile: Profile, publication_ids: list[str]) -> None:
    """Give up this process's hold on rows left open (a retry when due may then be done by any process)."""
    if not publication_ids:
        return
    placeholders = ", ".join("?" for _ in publication_ids)
    with profile.db.transaction() as cur:
        cur.execute(f"UPDATE publications SET owner = NULL WHERE owner = ? AND id IN ({placeholders}) "
                    f"AND status IN ({', '.join('?' for _ in OPEN_STATUSES)})",
                    [owner_tag(), *publication_ids, *OPEN_STATUSES])


def mark_sending(profile: Profile, publication_id: str, **changes: Any) -> Publication | None:
    """Set the row to ``sending`` (with ``changes``) only if it is still open; None when it was cancelled meanwhile.

    A compare-and-set, so a Cancel that got in first is never overtaken by a create request.
    """
    return update_if_open(profile, publication_id, status=SENDING, **changes)


def update_if_open(profile: Profile, publication_id: str, **changes: Any) -> Publication | None:
    """:func:`update` for a row that is still open (pending, sending, retrying); None, nothing changed, if not."""
    changes = {k: as_naive_utc(v) if isinstance(v, dt.datetime) else v for k, v in changes.items()}
    assignments = ", ".join(f"{name} = ?" for name in changes)
    with profile.db.transaction() as cur:
        row = cur.execute(
            f"UPDATE publications SET {assignments}, updated_at = ? WHERE id = ? "
            f"AND status IN ({', '.join('?' for _ in OPEN_STATUSES)}) RETURNING {', '.join(_COLUMNS)}",
            [*changes.values(), utcnow(), publication_id, *OPEN_STATUSES]).fetchone()
    return _row(row) if row is not None else None


def cancel_unsent(profile: Profile, publication_id: str) -> Publication | None:
    """Cancel the row if it is open and no create request ever left for it (else None, nothing changed)."""
    with profile.db.transaction() as cur:
        row = cur.execute(
            f"UPDATE publications SET status = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ? "
            f"AND first_sent_at IS NULL AND status IN ({', '.join('?' for _ in OPEN_STATUSES)}) "
            f"RETURNING {', '.join(_COLUMNS)}",
            [CANCELLED, utcnow(), publication_id, *OPEN_STATUSES]).fetchone()
    return _row(row) if row is not None else None


def set_media(profile: Profile, publication_ids: list[str], media_id: str, media_path: str) -> None:
    """Record the uploaded video on several rows at once."""
    if not publication_ids:
        return
    placeholders = ", ".join("?" for _ in publication_ids)
    with profile.db.transaction() as cur:
        cur.execute(f"UPDATE publications SET media_id = ?, media_path = ?, updated_at = ? WHERE id IN ({placeholders})",
                    [media_id, media_path, utcnow(), *publication_ids])


def open_publications(profile: Profile) -> list[Publication]:
    placeholders = ", ".join("?" for _ in OPEN_STATUSES)
    return query(profile, f"status IN ({placeholders})", list(OPEN_STATUSES))


def for_clip(profile: Profile, clip_id: str) -> list[Publication]:
    return query(profile, "clip_id = ?", [clip_id])


# -- the clip's publishing summary ------------------------------------------------------


def summarize(publications: list[Publication], now: dt.datetime | None = None) -> str:
    """One word for where a clip stands across its channels: "posted" once Postiz has taken every post (and will
    publish it now), "scheduled" while a post waits for a time still ahead, "published" once Postiz reports all of
    them out. (A post sent for now read "scheduled" before.)"""
    if not publications:
        return "unpublished"
    live = [p for p in publications if p.status != CANCELLED]
    if any(p.is_open for p in live):
        return "publishing"
    if any(p.status == FAILED or p.postiz_state == "ERROR" for p in live):
        return "failed" if not any(p.postiz_state == "PUBLISHED" for p in live) else "partly failed"
    if live and all(p.postiz_state == "PUBLISHED" for p in live):
        return "published"
    if any(p.postiz_state == "DRAFT" for p in live):
        return "draft"
    if not live:
        return "unpublished"
    now = now or utcnow()
    waiting = [p for p in live if p.postiz_state != "PUBLISHED"]
    return "scheduled" if any(p.scheduled_at is not None and p.scheduled_at > now for p in waiting) else "posted"


def refresh_clip_state(profile: Profile, clip_id: str) -> str:
    """Recompute and store the clip's publishing state from its publications; returns the state."""
    with profile.db.session():  # one open of the file for the read and the write
        return _refresh_clip_state(profile, clip_id)


def _refresh_clip_state(profile: Profile, clip_id: str) -> str:
    publications = for_clip(profile, clip_id)
    state = summarize(publications)
    channels = [
        {"publication_id": p.id, "integration_id": p.integration_id, "platform": p.platform, "status": p.status,
         "postiz_state": p.postiz_state, "postiz_post_id": p.postiz_post_id, "error": p.last_error}
        for p in publications
    ]
    with profile.db.transaction() as cur:
        if cur.execute("SELECT 1 FROM clips WHERE id = ?", [clip_id]).fetchone() is None:
            if not publications:  # not a clip of this profile: never write a state row for it here

                raise NotFoundError("Clip", clip_id, profile.name)
            return state  # this profile's clip was deleted after publishing: its posts still count, no state row
        cur.execute(
            "INSERT INTO clip_publish_state (clip_id, state, channels, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (clip_id) DO UPDATE SET state = excluded.state, channels = excluded.channels, "
            "updated_at = excluded.updated_at",
            [clip_id, state, json.dumps(channels), utcnow()],
        )
    return state


def clip_state(profile: Profile, clip_id: str) -> dict:
    """``{"state": ..., "channels": [...]}`` as last recorded for the clip."""
    row = profile.db.fetchone("SELECT state, channels FROM clip_publish_state WHERE clip_id = ?", [clip_id])
    if row is None:
        return {"state": "unpublished", "channels": []}
    return {"state": row[0], "channels": json.loads(row[1])}


def forget_clip_states(cur, clip_ids: list[str]) -> None:
    """Drop the publishing state of clips being deleted, inside the caller's transaction (their posts stay)."""
    if clip_ids:
        cur.execute(f"DELETE FROM clip_publish_state WHERE clip_id IN ({', '.join('?' for _ in clip_ids)})", clip_ids)


def wake_refused(profile: Profile) -> None:
    """Posts waiting because the key or URL was refused become due again (the settings changed)."""
    with profile.db.transaction() as cur:
        cur.execute("UPDATE publications SET retryable = NULL, updated_at = ? WHERE status = ? AND retryable = FALSE "
                    "AND next_attempt_at IS NULL", [utcnow(), RETRYING])
