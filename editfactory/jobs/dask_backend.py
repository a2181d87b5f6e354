"""Where pure render work runs: a local thread pool by default, a Dask cluster when one is configured.

Only files-in/file-out work goes through here (``fn(task, cancel_event, progress) -> result``
with module-level, picklable ``fn``; ``progress`` is None on Dask workers); workers never
touch a profile's database.
The coordinating job writes the results to the profile afterwards.

The scheduler address comes from ``$EDITFACTORY_DASK_SCHEDULER`` or the profile
setting ``jobs.dask_scheduler``; inputs and outputs must be on storage that the
workers share (the same paths on every machine).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any, Protocol

from editfactory.core.errors import CancelledError, EditFactoryError
from editfactory.core.progress import ProgressCallback
from editfactory.profiles.profile import Profile
from editfactory.storage.settings import get_setting

log = logging.getLogger(__name__)

SCHEDULER_ENV = "EDITFACTORY_DASK_SCHEDULER"
SCHEDULER_SETTING = "jobs.dask_scheduler"
WORKERS_SETTING = "jobs.render_workers"

PureTask = Callable[[Any, threading.Event, "ProgressCallback | None"], Any]


class ClusterError(EditFactoryError):
    """The configured Dask scheduler could not be reached or lost its workers."""


class RenderBackend(Protocol):
    """Runs ``fn(task, cancel, progress)`` for every task and returns the results in task order."""

    name: str

    def run_all(
        self, fn: PureTask, tasks: Sequence[Any], cancel: threading.Event, progress: ProgressCallback | None = None
    ) -> list[Any]: ...


def configured_scheduler(profile: Profile | None = None) -> str | None:
    """The Dask scheduler address to use, or None for local work."""
    address = os.environ.get(SCHEDULER_ENV, "").strip()
    if address:
        return address
    if profile is not None:
        value = get_setting(profile, SCHEDULER_SETTING)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _report(progress: ProgressCallback | None, done: int, total: int, where: str) -> None:
    if progress is not None:
        progress(f"Rendered {done} of {total} ({where})", done / total if total else 1.0)


class LocalBackend:
    """Runs tasks on ``workers`` threads of this process (each task mostly waits for its ffmpeg)."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, int(workers))
        self.name = f"local ({self.workers} worker{'s' if self.workers > 1 else ''})"

    def run_all(
        self, fn: PureTask, tasks: Sequence[Any], cancel: threading.Event, progress: ProgressCallback | None = None
    ) -> list[Any]:
        results: list[Any] = [None] * len(tasks)
        fractions = [0.0] * len(tasks)
        lock = threading.Lock()

        def task_progress(index: int) -> ProgressCallback | None:
            if progress is None:
                return None

            def report(message: str, fraction: float | None) -> None:
                with lock:
                    if fraction is not None:
                        fractions[index] = min(max(fraction, 0.0), 1.0)
                    overall = sum(fractions) / len(fractions)
                progress(f"Variant {index + 1} of {len(tasks)}: {message}", overall)

            return report

        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="editfactory-render") as pool:
            pending = {pool.submit(fn, task, cancel, task_progress(i)): i for i, task in enumerate(tasks)}
            done_count = 0
            try:
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        index = pending.pop(future)
                        results[index] = future.result()
                        fractions[index] = 1.0
                        done_count += 1
                        _report(progress, done_count, len(tasks), self.name)
            except BaseException:
                cancel.set()  # one failed: stop the others instead of rendering for nothing
                for future in pending:
                    future.cancel()
                raise
        return results


_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


def _client_for(address: str, connect_timeout: float) -> Any:
    """One connected client per scheduler address in this process (connecting takes a while)."""
    from distributed import Client

    with _clients_lock:
        client = _clients.get(address)
        if client is not None and client.status == "running":
            return client
        try:
            client = Client(address, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise ClusterError(
                f"Could not reach the Dask scheduler at {address}: {error}. Start the scheduler or unset "
                f"{SCHEDULER_ENV} / the profile setting {SCHEDULER_SETTING!r} to render locally."
            ) from None
        _clients[address] = client
        return client


def close_clients() -> None:
    """Disconnect from every scheduler this process connected to."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()


def _run_on_worker(fn: PureTask, task: Any, event_name: str) -> Any:
    """Runs on a Dask worker: a cancel from the coordinator (a distributed Event) reaches ``fn``'s ffmpeg."""
    from distributed import Event, get_client

    local = threading.Event()
    remote = Event(event_name, client=get_client())
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.25):
            try:
                if remote.is_set():
                    local.set()
                    return
            except Exception:  # the scheduler is going away; the task's own result decides what happens
                return

    watcher = threading.Thread(target=watch, name="editfactory-remote-cancel", daemon=True)
    watcher.start()
    try:
        return fn(task, local, None)
    finally:
        stop.set()
        watcher.join(timeout=2)


class DaskBackend:
    """Submits each task to a Dask cluster; results come back to the coordinating process."""

    def __init__(self, address: str, *, connect_timeout: float = 10.0) -> None:
        self.address = address
        self.connect_timeout = connect_timeout
        self.name = f"Dask cluster at {address}"

    def run_all(
        self, fn: PureTask, tasks: Sequence[Any], cancel: threading.Event, progress: ProgressCallback | None = None
    ) -> list[Any]:
        from distributed import Event, as_completed

        client = _client_for(self.address, self.connect_timeout)
        event_name = f"editfactory-cancel-{uuid.uuid4().hex}"
        remote_cancel = Event(event_name, client=client)
        futures = [client.submit(_run_on_worker, fn, task, event_name, pure=False) for task in tasks]
        index_of = {future.key: index for index, future in enumerate(futures)}
        results: list[Any] = [None] * len(tasks)
        done_count = 0
        try:
            completed = as_completed(futures, loop=client.loop, with_results=False)
            while done_count < len(futures):
                if cancel.is_set():
                    raise CancelledError("Rendering on the Dask cluster was cancelled.")
                batch = completed.next_batch(block=False) if completed.has_ready() else []
                if not batch:
                    cancel.wait(0.1)
                    continue
                for future in batch:
                    results[index_of[future.key]] = future.result()  # re-raises the worker's exception
                    done_count += 1
                    _report(progress, done_count, len(tasks), self.name)
        except BaseException:
            # Running tasks stop their ffmpeg when their watcher next polls the event, queued ones are dropped.
            # The event stays set (its name is unique to this run): clearing it here would race the watchers
            # and leave the workers' ffmpeg running.
            remote_cancel.set()
            client.cancel(futures)
            raise
        try:
            remote_cancel.clear()  # every task has ended: forget the event on the scheduler
        except Exception:  # the client may already be closing
            log.debug("could not clear the remote cancel event", exc_info=True)
        return results


def render_backend(profile: Profile | None = None, *, workers: int | None = None) -> RenderBackend:
    """Dask when a scheduler is configured, else a local pool of ``workers`` (setting ``jobs.render_workers``)."""
    address = configured_scheduler(profile)
    if address:
        return DaskBackend(address)
    if workers is None and profile is not None:
        workers = get_setting(profile, WORKERS_SETTING)
    return LocalBackend(int(workers or 1))
