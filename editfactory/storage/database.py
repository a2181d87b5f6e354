"""Short-lived, shared access to one profile's DuckDB file.

DuckDB lets one process hold a file read-write and a second process cannot
even open it read-only. The studio and a notebook kernel are two processes on
the same profile, so we never keep the file open while idle:

* inside a process, all threads share one connection per file (each gets its
  own cursor); the connection is opened on first use and closed as soon as the
  last user leaves, which lets the other process in;
* processes of ours hand the file over through a lock file next to it, held
  from before ``duckdb.connect`` until ``close()`` has fully returned: DuckDB's
  own lock is released while closing is still finishing, and a process that
  opened in that gap was seen to lose a committed write (1 in ~3000 under
  load; see tests/storage/test_two_processes.py);
* opening also retries with jittered backoff while another program holds
  DuckDB's lock, and only after ``busy_timeout`` seconds in all raises
  :class:`ProfileBusyError`;
* write transactions are serialized inside the process, so concurrent writers
  never trip over DuckDB's optimistic-concurrency conflicts.

DuckDB errors are turned into the project's own errors in this module only.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from editfactory.errors import ProfileBusyError, StorageError

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT = 60.0
"""Seconds we keep retrying a locked file before telling the user the profile is busy."""

_LOCK_MARKERS = ("Could not set lock", "Conflicting lock", "lock on file")


def is_lock_conflict(error: BaseException) -> bool:
    """True when ``error`` is DuckDB refusing the file because another process holds it."""
    return isinstance(error, duckdb.IOException) and any(m in str(error) for m in _LOCK_MARKERS)


class _SharedConnection:
    """One open connection per file in this process, reference-counted across threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.write_lock = threading.RLock()
        self.connection: duckdb.DuckDBPyConnection | None = None
        self.users = 0


_registry_lock = threading.Lock()
_registry: dict[Path, _SharedConnection] = {}


def _shared_for(path: Path) -> _SharedConnection:
    with _registry_lock:
        shared = _registry.get(path)
        if shared is None:
            shared = _registry[path] = _SharedConnection()
        return shared


class ProfileDatabase:
    """Access to one DuckDB file: ``read()`` for queries, ``transaction()`` for writes.

    ``on_open`` runs once each time the file is freshly opened (migrations hook in there).
    """

    def __init__(
        self,
        path: Path,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        on_open: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
        label: str | None = None,
    ) -> None:
        self.path = Path(path).resolve()
        self.busy_timeout = busy_timeout
        self.on_open = on_open
        self.label = label or self.path.parent.name
        self._shared = _shared_for(self.path)
        self._handover = FileLock(str(self.path) + ".lock", thread_local=False, is_singleton=True)
        self.lock_retries = 0  # how often opening had to wait for another process (for tests and diagnostics)

    # -- connection lifetime -------------------------------------------------

    def _busy(self) -> ProfileBusyError:
        return ProfileBusyError(
            f"Profile {self.label!r} is busy: another program (the studio or a notebook) has kept it "
            f"locked for over {self.busy_timeout:.0f} s. Finish or stop the work there, then try again."
        )

    def _acquire_handover(self, deadline: float) -> None:
        try:
            self._handover.acquire(timeout=0)
            return
        except Timeout:
            self.lock_retries += 1  # another process of ours has the file; wait for its hand-over
        try:
            self._handover.acquire(timeout=max(0.0, deadline - time.monotonic()), poll_interval=0.002)
        except Timeout:
            raise self._busy() from None

    def _open_with_retry(self) -> duckdb.DuckDBPyConnection:
        if not self.path.parent.is_dir():
            raise StorageError(
                f"Profile {self.label!r} no longer exists (its folder was deleted or moved); choose another profile."
            )
        deadline = time.monotonic() + self.busy_timeout
        self._acquire_handover(deadline)
        try:
            return self._connect_with_retry(deadline)
        except BaseException:
            self._handover.release()
            raise

    def _connect_with_retry(self, deadline: float) -> duckdb.DuckDBPyConnection:
        delay = 0.002
        while True:
            try:
                connection = duckdb.connect(str(self.path))
            except duckdb.Error as error:
                if not is_lock_conflict(error):
                    raise StorageError(f"Could not open the database of profile {self.label!r}: {error}") from error
                if time.monotonic() >= deadline:
                    raise self._busy() from None
                self.lock_retries += 1
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 1.6, 0.05)
                continue
            try:
                if self.on_open is not None:
                    self.on_open(connection)
            except BaseException:
                connection.close()
                raise
            return connection

    @contextlib.contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        shared = self._shared
        with shared.lock:
            if shared.connection is None:
                shared.connection = self._open_with_retry()
            shared.users += 1
            connection = shared.connection
        try:
            yield connection
        finally:
            with shared.lock:
                shared.users -= 1
                if shared.users == 0 and shared.connection is not None:
                    # Close at once so the other process (studio or notebook) can get in.
                    try:
                        shared.connection.close()
                    finally:
                        shared.connection = None
                        self._handover.release()

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """Keep the file open across several operations (batch work); other processes wait meanwhile."""
        with self._connection():
            yield

    # -- public API ----------------------------------------------------------

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for queries; sees everything committed before it was taken."""
        with self._connection() as connection:
            cursor = connection.cursor()
            try:
                yield cursor
            except duckdb.Error as error:
                raise StorageError(f"Reading profile {self.label!r} failed: {error}") from error
            finally:
                cursor.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor inside BEGIN … COMMIT; rolled back if the block raises.

        Writers in this process take turns, so they never conflict with each other.
        """
        with self._connection() as connection, self._shared.write_lock:
            cursor = connection.cursor()
            try:
                cursor.execute("BEGIN TRANSACTION")
                try:
                    yield cursor
                except BaseException:
                    cursor.execute("ROLLBACK")
                    raise
                cursor.execute("COMMIT")
            except duckdb.Error as error:
                raise StorageError(f"Writing to profile {self.label!r} failed: {error}") from error
            finally:
                cursor.close()

    def fetchall(self, sql: str, params: list | tuple | None = None) -> list[tuple]:
        with self.read() as cursor:
            return cursor.execute(sql, params or []).fetchall()

    def fetchone(self, sql: str, params: list | tuple | None = None) -> tuple | None:
        with self.read() as cursor:
            return cursor.execute(sql, params or []).fetchone()

    def fetchdicts(self, sql: str, params: list | tuple | None = None) -> list[dict]:
        with self.read() as cursor:
            result = cursor.execute(sql, params or [])
            names = [d[0] for d in result.description]
            return [dict(zip(names, row)) for row in result.fetchall()]

    def execute(self, sql: str, params: list | tuple | None = None) -> None:
        with self.transaction() as cursor:
            cursor.execute(sql, params or [])
