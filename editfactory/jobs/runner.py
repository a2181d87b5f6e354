"""Run jobs in a local thread pool, each with its profile bound explicitly.

A job function is ``fn(profile, ctx) -> dict | None``; what it returns is
stored as the job's outputs. The runner finds it by the job's kind in
:mod:`editfactory.jobs.registry`, so a job can be retried after a restart.

Cancel is both an in-process event and a flag in the profile's database, so
another process can cancel too: a watcher thread polls the flag of the jobs
running here and sets their events.

On first use of a profile the runner marks the jobs that a dead process left
queued or running as interrupted (see :mod:`editfactory.jobs.recovery`).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from editfactory.core.errors import CancelledError, EditFactoryError, ValidationError
from editfactory.core.priority import lower_this_thread
from editfactory.costs.ledger import release_job_holds
from editfactory.jobs.context import JobContext
from editfactory.jobs.recovery import recover_interrupted
from editfactory.jobs.registry import JobFunction, registered_job
from editfactory.jobs.store import CANCELLED, FAILED, INTERRUPTED, QUEUED, SUCCEEDED, Job, JobStore
from editfactory.profiles.profile import Profile

log = logging.getLogger(__name__)

WORKERS_ENV = "EDITFACTORY_JOB_WORKERS"


def default_workers() -> int:
    try:
        return max(1, int(os.environ.get(WORKERS_ENV, "2")))
    except ValueError:
        return 2


@dataclass
class _Running:
    profile: Profile
    event: threading.Event
    future: Future


class JobRunner:
    """A local pool of ``workers`` threads; ``submit`` returns the job id at once."""

    def __init__(self, workers: int | None = None, *, cancel_poll_interval: float = 0.5) -> None:
        self.workers = workers or default_workers()
        self.cancel_poll_interval = cancel_poll_interval
        # Workers run at background priority (Linux: per thread), so jobs' Python work (analysis, synthesis) and
        # the commands they start never starve the server's threads in the same process.
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="editfactory-job",
                                        initializer=lower_this_thread)
        self._jobs: dict[str, _Running] = {}
        self._functions: dict[str, JobFunction] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._recovered: set[str] = set()  # ids of the profiles already checked for jobs of dead processes
        self._finished: dict[str, int] = {}  # profile id -> jobs of it that ended in this process
        self._watcher = threading.Thread(target=self._watch_cancel_flags, name="editfactory-job-cancel", daemon=True)
        self._watcher.start()

    # -- public API ----------------------------------------------------------

    def submit(self, profile: Profile, kind: str, inputs: dict | None = None, *, fn: JobFunction | None = None) -> str:
        """Queue a job of ``kind`` for ``profile``; runs ``fn`` or the function registered for the kind."""
        function = self._function_for(kind, fn)
        self._recover_once(profile)
        job = JobStore(profile).create(kind, inputs)
        self._start(profile, job.id, function)
        return job.id

    def retry(self, profile: Profile, job_id: str) -> str:
        """Re-queue a failed, cancelled or interrupted job with the same inputs; returns its id."""
        store = JobStore(profile)
        job = store.get(job_id)
        function = self._function_for(job.kind, None)
        self._recover_once(profile)  # a job its dead owner left running becomes interrupted, so it can be retried
        store.requeue(job_id)
        self._start(profile, job_id, function)
        return job_id

    def cancel(self, profile: Profile, job_id: str) -> Job:
        """Ask a job to stop (recorded in the database, so it also works for jobs of another process)."""
        with self._lock:
            running = self._jobs.get(job_id)
        if running is not None and running.profile.id == profile.id:
            running.event.set()  # first: a job running here stops now, not after the write below gets the file
        return JobStore(profile).request_cancel(job_id)

    def wait(self, profile: Profile, job_id: str, timeout: float | None = None) -> Job:
        """Block until a job submitted here has finished; returns its final record."""
        with self._lock:
            running = self._jobs.get(job_id)
        if running is not None and running.profile.id == profile.id:
            try:
                running.future.result(timeout=timeout)
            except FutureTimeout:
                raise TimeoutError(f"Job {job_id} is still running after {timeout} s.") from None
        return JobStore(profile).get(job_id)

    def recover(self, profile: Profile) -> list[Job]:
        """Mark the jobs that a dead process left queued or running in ``profile`` as interrupted.

        Done automatically the first time this runner submits or retries a job of a profile;
        an app should also call it when it opens a profile, so its job list is right at once.
        """
        recovered = recover_interrupted(profile)
        with self._lock:
            self._recovered.add(profile.id)
        return recovered

    def _recover_once(self, profile: Profile) -> None:
        with self._lock:
            done = profile.id in self._recovered
        if not done:
            self.recover(profile)

    def finished_count(self, profile_id: str) -> int:
        """How many of the profile's jobs have ended in this runner: pages compare it to know when to reload,
        without reading the database."""
        with self._lock:
            return self._finished.get(profile_id, 0)

    def active_jobs(self) -> list[str]:
        with self._lock:
            return list(self._jobs)

    def shutdown(self, *, wait: bool = True, cancel: bool = False) -> None:
        """Stop taking jobs; with ``cancel`` ask the running ones to stop first."""
        if cancel:
            with self._lock:
                running = list(self._jobs.items())
            for job_id, item in running:
                try:
                    JobStore(item.profile).request_cancel(job_id)
                except EditFactoryError:
                    log.warning("Could not record the cancel of job %s", job_id, exc_info=True)
                item.event.set()
        self._pool.shutdown(wait=wait, cancel_futures=cancel)
        self._closed.set()
        if wait:
            self._watcher.join(timeout=5)

    def __enter__(self) -> JobRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown(wait=True, cancel=exc[0] is not None)

    # -- internals -----------------------------------------------------------

    def _function_for(self, kind: str, fn: JobFunction | None) -> JobFunction:
        if fn is not None:
            with self._lock:
                self._functions[kind] = fn
            return fn
        with self._lock:
            function = self._functions.get(kind)
        function = function or registered_job(kind)
        if function is None:
            raise ValidationError(
                f"No job function is registered for kind {kind!r}; list it in editfactory/jobs/registry.py "
                "(or register it with @job_kind) before running or retrying such jobs."
            )
        return function

    def _start(self, profile: Profile, job_id: str, function: JobFunction) -> None:
        if self._closed.is_set():
            raise EditFactoryError("The job runner has been shut down; start a new one to run jobs.")
        event = threading.Event()
        with self._lock:
            future = self._pool.submit(self._run, profile, job_id, function, event)
            self._jobs[job_id] = _Running(profile, event, future)
        future.add_done_callback(lambda _f: self._forget(job_id, future))

    def _forget(self, job_id: str, future: Future) -> None:
        with self._lock:
            running = self._jobs.get(job_id)
            if running is not None and running.future is future:
                del self._jobs[job_id]

    def _run(self, profile: Profile, job_id: str, function: JobFunction, event: threading.Event) -> None:
        store = JobStore(profile)
        job = store.get(job_id)
        if job.status == CANCELLED or job.cancel_requested or event.is_set():
            if not job.finished:
                store.finish(job_id, CANCELLED, error="Cancelled before it started.")
            return
        temp = profile.make_temp_dir(f"job-{job_id[-8:]}")
        try:
            if not store.mark_running(job_id, temp_dir=profile.paths.relative(temp)):
                # Cancelled (or claimed elsewhere) between the check above and now: never run it.
                if store.get(job_id).status == QUEUED:
                    store.finish(job_id, CANCELLED, error="Cancelled before it started.")
                return
            context = JobContext(
                job_id=job_id,
                profile=profile,
                inputs=dict(job.inputs),
                temp_dir=temp,
                cancelled=event,
                _write_progress=lambda message, fraction: store.set_progress(job_id, message, fraction),
            )
            outputs = function(profile, context)
            self._end(store, job_id, SUCCEEDED, outputs=outputs or {})
        except CancelledError as error:
            self._end(store, job_id, CANCELLED, error=str(error) or "Cancelled by the user.")
        except EditFactoryError as error:
            self._end(store, job_id, FAILED, error=str(error))
        except Exception as error:  # a bug, not a user error: keep the traceback in the log
            log.exception("Job %s (%s) crashed", job_id, job.kind)
            self._end(store, job_id, FAILED, error=f"Unexpected error ({type(error).__name__}): {error}. See the log.")
        except BaseException as error:  # sys.exit() or KeyboardInterrupt raised in a worker thread
            # It would stop only this thread, leaving the job 'running' for ever; record it and keep the worker.
            # Not re-raised: it would come out of runner.wait() in whoever waits (a notebook) as if meant for it.
            log.error("Job %s (%s) was stopped by %s", job_id, job.kind, type(error).__name__, exc_info=True)
            self._end(store, job_id, INTERRUPTED, error=f"The job was stopped by {type(error).__name__} before it "
                                                        "finished. Retry the job to run it again.")
        finally:
            shutil.rmtree(temp, ignore_errors=True)
            with self._lock:
                self._finished[profile.id] = self._finished.get(profile.id, 0) + 1

    @staticmethod
    def _end(store: JobStore, job_id: str, status: str, **details: object) -> None:
        """Record how the job ended; first give back any quota it still holds (it makes no more paid calls),
        so whoever sees the job finished also sees its reservations released."""
        try:
            released = release_job_holds(store.profile, job_id)
        except EditFactoryError:
            log.warning("Could not release the quota held by job %s", job_id, exc_info=True)
        else:
            if released:
                log.warning("Job %s ended holding %d quota reservation(s); released them", job_id, released)
        store.finish(job_id, status, **details)

    def _watch_cancel_flags(self) -> None:
        while not self._closed.wait(self.cancel_poll_interval):
            with self._lock:
                by_profile: dict[str, tuple[Profile, list[str]]] = {}
                for job_id, item in self._jobs.items():
                    if not item.event.is_set():
                        by_profile.setdefault(item.profile.id, (item.profile, []))[1].append(job_id)
            for profile, job_ids in by_profile.values():
                try:
                    flagged = JobStore(profile).cancel_requested(job_ids)
                except EditFactoryError:  # profile busy for a long time: try again on the next round
                    log.warning("Could not check cancel requests of profile %s", profile.name, exc_info=True)
                    continue
                with self._lock:
                    for job_id in flagged:
                        if job_id in self._jobs:
                            self._jobs[job_id].event.set()
