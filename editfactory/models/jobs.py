"""Job state for the pages: the jobs list of a profile, and a watch that follows some jobs' progress.

Job records live in the profile's database, so what a page shows comes from
there: a reload, a second tab or a notebook sees the same progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import param

from editfactory.core.errors import ValidationError
from editfactory.jobs import CANCELLED, FAILED, INTERRUPTED, QUEUED, RUNNING, STATUSES, Job, JobStore
from editfactory.jobs.describe import describe_job, ids_to_name
from editfactory.publish.config import known_channels
from editfactory.models.session import FAILED as CALL_FAILED
from editfactory.models.session import StudioSession

ACTIVE_STATUSES = (QUEUED, RUNNING)
RETRYABLE_STATUSES = (FAILED, INTERRUPTED, CANCELLED)


def elapsed_text(job: Job, now: dt.datetime | None = None) -> str:
    """'1:05' since the job started (or how long it ran, once finished)."""
    if job.started_at is None:  # still in the queue, or ended there (cancelled, failed) without running
        return "waiting" if job.status == QUEUED else "—"
    end = job.finished_at or now or dt.datetime.now(job.started_at.tzinfo)
    seconds = max(0, int((end - job.started_at).total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


class JobWatch(param.Parameterized):
    """Follows a set of jobs of the session's profile; ``jobs`` is updated on the event loop by ``poll``."""

    session = param.ClassSelector(class_=StudioSession)
    kinds = param.List(default=[], doc="Job kinds this watch picks up by itself when the page loads (empty: none).")
    match = param.Callable(default=None, doc="Optional filter on a job's inputs for the jobs picked up on load.")
    jobs = param.List(default=[], doc="Snapshots of the followed jobs, newest first.")

    def __init__(self, **params) -> None:
        super().__init__(**params)
        self._ids: list[str] = []
        self._finished_seen: set[str] = set()
        self._on_finished: list[Callable[[Job], None]] = []

    def on_finished(self, callback: Callable[[Job], None]) -> None:
        """Call ``callback(job)`` (on the event loop) once when a followed job finishes."""
        self._on_finished.append(callback)

    def follow(self, job_id: str) -> None:
        if job_id not in self._ids:
            self._ids.insert(0, job_id)

    def clear(self) -> None:
        self._ids = []
        self._finished_seen = set()
        self.jobs = []

    def read(self, pick_up: bool = False) -> list[Job]:
        """The followed jobs' records (plus this page's running jobs when ``pick_up``); safe in a thread."""
        store = JobStore(self.session.require_profile())
        ids = list(self._ids)
        found: dict[str, Job] = {}
        if pick_up and self.kinds:
            for kind in self.kinds:
                for job in store.list(kind=kind, limit=50):
                    if self.match is None or self.match(job.inputs):
                        if job.status in ACTIVE_STATUSES or job.id in ids:
                            found[job.id] = job
        for job_id in ids:
            if job_id not in found:
                try:
                    found[job_id] = store.get(job_id)
                except Exception:  # noqa: BLE001 - a job of another profile or deleted: stop following it
                    continue
        return sorted(found.values(), key=lambda j: j.created_at, reverse=True)

    def apply(self, jobs: Iterable[Job]) -> None:
        jobs = list(jobs)
        for job in jobs:
            self.follow(job.id)
        changed = [(j.id, j.status, j.progress, j.step) for j in jobs] != [
            (j.id, j.status, j.progress, j.step) for j in self.jobs
        ]
        if changed:
            self.jobs = jobs
        for job in jobs:
            if job.finished and job.id not in self._finished_seen:
                self._finished_seen.add(job.id)
                for callback in self._on_finished:
                    callback(job)

    def refresh_now(self, pick_up: bool = True) -> None:
        """Synchronous form for tests and notebooks."""
        self.apply(self.read(pick_up))

    async def refresh(self) -> None:
        """On page load / profile switch: start over with this profile's running jobs of our kinds."""
        self._ids = []
        self._finished_seen = set()
        jobs = await self.session.call(self.read, True)
        if jobs is not CALL_FAILED:
            # Jobs that were already finished when the page loaded are not announced again.
            self._finished_seen = {j.id for j in jobs if j.finished}
            self.jobs = []
            self.apply(jobs)

    async def poll(self) -> None:
        if not self._ids or all(j.finished for j in self.jobs if j.id in self._ids) and len(self.jobs) == len(self._ids):
            return
        jobs = await self.session.call(self.read, False)
        if jobs is not CALL_FAILED:
            self.apply(jobs)

    def cancel(self, job_id: str) -> Job:
        return self.session.runner.cancel(self.session.require_profile(), job_id)

    def retry(self, job_id: str) -> str:
        return self.session.runner.retry(self.session.require_profile(), job_id)


class JobsModel(param.Parameterized):
    """The Jobs page: every job of the profile, filterable by status and kind."""

    session = param.ClassSelector(class_=StudioSession)
    status = param.Selector(default="all", objects=["all", *STATUSES], doc="Show only jobs with this status.")
    kind = param.String(default="", doc="Show only jobs of this kind ('' for every kind).")
    limit = param.Integer(default=200, bounds=(1, 5000), doc="How many of the newest jobs to show.")
    jobs = param.List(default=[], doc="The jobs shown, newest first.")
    names = param.Dict(default={}, doc="Names of the projects, clips, videos, voices and channels the jobs use, by id.")

    def read(self) -> tuple[list[Job], dict[str, str]]:
        profile = self.session.require_profile()
        with profile.db.session():
            jobs = JobStore(profile).list(status=None if self.status == "all" else self.status, kind=self.kind or None,
                                          limit=self.limit)
            return jobs, job_names(profile, jobs)

    def load(self) -> None:
        self.jobs, self.names = self.read()

    async def refresh(self) -> None:
        read = await self.session.call(self.read)
        if read is CALL_FAILED:
            return
        jobs, names = read
        if [(j.id, j.status, j.progress, j.step) for j in jobs] != [(j.id, j.status, j.progress, j.step) for j in self.jobs]:
            self.param.update(names=names, jobs=jobs)

    def describe(self, job: Job) -> str:
        """What the job makes, in words (ids named)."""
        return describe_job(job.kind, job.inputs, self.names)

    def cancel(self, job_id: str) -> Job:
        return self.session.runner.cancel(self.session.require_profile(), job_id)

    def retry(self, job_id: str) -> str:
        job = JobStore(self.session.require_profile()).get(job_id)
        if job.status not in RETRYABLE_STATUSES:
            raise ValidationError(f"Only failed, cancelled or interrupted jobs can be retried; this one is {job.status}.")
        return self.session.runner.retry(self.session.require_profile(), job_id)


_NAME_QUERIES = {"projects": "SELECT id, name FROM projects", "clips": "SELECT id, name FROM clips",
                 "sources": "SELECT id, filename FROM source_videos", "voices": "SELECT id, name FROM voices"}


def job_names(profile, jobs: Iterable[Job]) -> dict[str, str]:
    """The names of what ``jobs`` refer to by id (one query per table), plus the known Postiz channels."""
    wanted: dict[str, set[str]] = {table: set() for table in _NAME_QUERIES}
    for job in jobs:
        for table, ids in ids_to_name(job.kind, job.inputs).items():
            wanted[table] |= ids
    names: dict[str, str] = {}
    for table, ids in wanted.items():
        if ids:
            marks = ", ".join("?" for _ in ids)
            names.update(profile.db.fetchall(f"{_NAME_QUERIES[table]} WHERE id IN ({marks})", sorted(ids)))
    names.update({c.id: c.name for c in known_channels(profile).values()})
    return names
