"""Durable job records in one profile's database, written in short transactions as the job goes.

Another process (the studio watching a notebook's job, or the reverse) reads the
same rows, so every change is committed at once and no transaction is held
while the work itself runs.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.core.ids import new_id
from editfactory.core.paging import limit_clause
from editfactory.profiles.profile import Profile
from editfactory.storage.processes import ProcessIdentity

QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, INTERRUPTED = (
    "queued", "running", "succeeded", "failed", "cancelled", "interrupted",
)
STATUSES = (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, INTERRUPTED)
ACTIVE_STATUSES = (QUEUED, RUNNING)
FINISHED_STATUSES = (SUCCEEDED, FAILED, CANCELLED, INTERRUPTED)


@dataclass(frozen=True)
class Job:
    """A snapshot of one job row; ``progress`` is a percentage 0–100."""

    id: str
    kind: str
    status: str
    progress: float
    step: str
    error: str | None
    inputs: dict
    outputs: dict | None
    cancel_requested: bool
    owner: ProcessIdentity | None
    temp_dir: str | None
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    updated_at: dt.datetime
    finished_at: dt.datetime | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def fraction(self) -> float:
        return self.progress / 100.0


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _job_from_row(row: dict) -> Job:
    owner = None
    if row["owner_pid"] is not None and row["owner_started"] is not None:
        owner = ProcessIdentity(int(row["owner_pid"]), row["owner_host"] or "", float(row["owner_started"]))
    return Job(
        id=row["id"],
        kind=row["kind"],
        status=row["status"],
        progress=float(row["progress"]),
        step=row["step"],
        error=row["error"],
        inputs=_loads(row["inputs"]) or {},
        outputs=_loads(row["outputs"]),
        cancel_requested=bool(row["cancel_requested"]),
        owner=owner,
        temp_dir=row["temp_dir"],
        attempts=int(row["attempts"] or 0),
        created_at=row["created_at"],
        started_at=row["started_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
    )


class JobStore:
    """The jobs of one profile. Ids of another profile are not found here (NotFoundError)."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile

    # -- reading -------------------------------------------------------------

    def get(self, job_id: str) -> Job:
        rows = self.profile.db.fetchdicts("SELECT * FROM jobs WHERE id = ?", [job_id])
        if not rows:
            raise NotFoundError("Job", job_id, self.profile.name)
        return _job_from_row(rows[0])

    def many(self, job_ids: Sequence[str]) -> dict[str, Job]:
        """The jobs of these ids that exist in this profile, by id (one query; unknown ids are left out)."""
        ids = sorted(set(job_ids))
        if not ids:
            return {}
        rows = self.profile.db.fetchdicts(f"SELECT * FROM jobs WHERE id IN ({', '.join('?' for _ in ids)})", ids)
        return {row["id"]: _job_from_row(row) for row in rows}

    def _filters(self, status: str | Sequence[str] | None, kind: str | None) -> tuple[str, list]:
        where, params = [], []
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            unknown = [s for s in statuses if s not in STATUSES]
            if unknown or not statuses:
                raise ValidationError(f"Unknown job status {unknown[0] if unknown else status!r}; "
                                      f"use one of {', '.join(STATUSES)}.")
            where.append(f"status IN ({', '.join('?' for _ in statuses)})")
            params.extend(statuses)
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        return (" WHERE " + " AND ".join(where)) if where else "", params

    def list(self, *, status: str | Sequence[str] | None = None, kind: str | None = None, limit: int = 200,
             offset: int = 0) -> list[Job]:
        """Newest first, optionally of some statuses (one or several) or one kind; paged with ``offset``."""
        where, params = self._filters(status, kind)
        paging, paging_params = limit_clause(offset, limit)
        sql = f"SELECT * FROM jobs{where} ORDER BY created_at DESC, id{paging}"
        return [_job_from_row(r) for r in self.profile.db.fetchdicts(sql, [*params, *paging_params])]

    def count(self, *, status: str | Sequence[str] | None = None, kind: str | None = None) -> int:
        """How many jobs :meth:`list` would list with the same filters, over all pages."""
        where, params = self._filters(status, kind)
        return int(self.profile.db.fetchone(f"SELECT count(*) FROM jobs{where}", params)[0])

    def watch(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        interval: float = 0.25,
        on_change: Callable[[Job], None] | None = None,
    ) -> Job:
        """Poll a job (of this or any other process) until it finishes; ``on_change`` sees each new state."""
        deadline = None if timeout is None else time.monotonic() + timeout
        last = None
        while True:
            job = self.get(job_id)
            state = (job.status, job.progress, job.step)
            if on_change is not None and state != last:
                on_change(job)
            last = state
            if job.finished:
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"Job {job_id} is still {job.status} after {timeout} s.")
            time.sleep(interval)

    def cancel_requested(self, job_ids: list[str]) -> set[str]:
        """Which of these jobs someone (in any process) asked to cancel."""
        if not job_ids:
            return set()
        marks = ", ".join("?" for _ in job_ids)
        rows = self.profile.db.fetchall(f"SELECT id FROM jobs WHERE cancel_requested AND id IN ({marks})", job_ids)
        return {r[0] for r in rows}

    # -- writing (each a short transaction) ------------------------------------

    def create(self, kind: str, inputs: dict | None = None, *, owner: ProcessIdentity | None = None) -> Job:
        if not isinstance(kind, str) or not kind.strip():
            raise ValidationError("A job needs a kind, e.g. 'production'.")
        owner = owner or ProcessIdentity.current()
        job_id = new_id("job")
        self.profile.db.execute(
            "INSERT INTO jobs (id, kind, status, inputs, owner_pid, owner_host, owner_started, attempts) "
            "VALUES (?, ?, 'queued', ?, ?, ?, ?, 0)",
            [job_id, kind, json.dumps(inputs or {}, ensure_ascii=False), owner.pid, owner.host, owner.started],
        )
        return self.get(job_id)

    def _update(self, job_id: str, sql: str, params: list) -> None:
        with self.profile.db.transaction() as cur:
            found = cur.execute(f"UPDATE jobs SET {sql}, updated_at = now() WHERE id = ? RETURNING id", [*params, job_id])
            if not found.fetchall():
                raise NotFoundError("Job", job_id, self.profile.name)

    def mark_running(self, job_id: str, *, temp_dir: str | None, owner: ProcessIdentity | None = None) -> bool:
        """Claim a queued job for ``owner``; False if it is no longer queued or a cancel was asked meanwhile.

        The check and the claim are one statement, so a job cancelled or claimed by another process a
        moment ago is never started a second time.
        """
        owner = owner or ProcessIdentity.current()
        with self.profile.db.transaction() as cur:
            claimed = cur.execute(
                "UPDATE jobs SET status = 'running', started_at = now(), finished_at = NULL, error = NULL, "
                "progress = 0, step = 'Starting', temp_dir = ?, owner_pid = ?, owner_host = ?, owner_started = ?, "
                "attempts = attempts + 1, updated_at = now() "
                "WHERE id = ? AND status = 'queued' AND NOT cancel_requested RETURNING id",
                [temp_dir, owner.pid, owner.host, owner.started, job_id],
            ).fetchall()
        if not claimed:
            self.get(job_id)  # NotFoundError for an id of another profile
        return bool(claimed)

    def set_progress(self, job_id: str, message: str | None, fraction: float | None) -> bool:
        """Record progress (fraction 0..1 or None to keep it); returns whether cancel was requested meanwhile."""
        assignments, params = [], []
        if fraction is not None:
            assignments.append("progress = ?")
            params.append(round(min(max(float(fraction), 0.0), 1.0) * 100.0, 2))
        if message is not None:
            assignments.append("step = ?")
            params.append(str(message)[:500])
        assignments.append("updated_at = now()")
        with self.profile.db.transaction() as cur:
            rows = cur.execute(
                f"UPDATE jobs SET {', '.join(assignments)} WHERE id = ? RETURNING cancel_requested", [*params, job_id]
            ).fetchall()
        if not rows:
            raise NotFoundError("Job", job_id, self.profile.name)
        return bool(rows[0][0])

    def finish(self, job_id: str, status: str, *, outputs: dict | None = None, error: str | None = None) -> None:
        if status not in FINISHED_STATUSES:
            raise ValidationError(f"A job finishes as one of {', '.join(FINISHED_STATUSES)}, not {status!r}.")
        progress = ", progress = 100" if status == SUCCEEDED else ""
        step = {SUCCEEDED: "Done", CANCELLED: "Cancelled", FAILED: "Failed", INTERRUPTED: "Interrupted"}[status]
        self._update(
            job_id,
            f"status = ?, step = ?, outputs = ?, error = ?, finished_at = now(), temp_dir = NULL{progress}",
            [status, step, None if outputs is None else json.dumps(outputs, ensure_ascii=False, default=str), error],
        )

    def request_cancel(self, job_id: str) -> Job:
        """Ask the job to stop; a job still queued is cancelled at once. Works from any process."""
        with self.profile.db.transaction() as cur:
            row = cur.execute("SELECT status FROM jobs WHERE id = ?", [job_id]).fetchone()
            if row is None:
                raise NotFoundError("Job", job_id, self.profile.name)
            if row[0] == QUEUED:
                cur.execute(
                    "UPDATE jobs SET cancel_requested = true, status = 'cancelled', step = 'Cancelled', "
                    "error = 'Cancelled before it started.', finished_at = now(), updated_at = now() WHERE id = ?",
                    [job_id],
                )
            elif row[0] == RUNNING:
                cur.execute("UPDATE jobs SET cancel_requested = true, updated_at = now() WHERE id = ?", [job_id])
        return self.get(job_id)

    def requeue(self, job_id: str, *, owner: ProcessIdentity | None = None) -> Job:
        """Put a finished-but-unsuccessful job back in the queue with the same inputs."""
        owner = owner or ProcessIdentity.current()
        # Conditional in one statement: when two processes retry the same job, only one of them runs it.
        with self.profile.db.transaction() as cur:
            requeued = cur.execute(
                "UPDATE jobs SET status = 'queued', progress = 0, step = 'Queued again', error = NULL, outputs = NULL, "
                "cancel_requested = false, started_at = NULL, finished_at = NULL, temp_dir = NULL, "
                "owner_pid = ?, owner_host = ?, owner_started = ?, updated_at = now() "
                "WHERE id = ? AND status IN (?, ?, ?) RETURNING id",
                [owner.pid, owner.host, owner.started, job_id, FAILED, CANCELLED, INTERRUPTED],
            ).fetchall()
        job = self.get(job_id)
        if not requeued:
            raise ValidationError(
                f"Job {job_id!r} is {job.status}; only failed, cancelled or interrupted jobs can be retried."
            )
        return job
