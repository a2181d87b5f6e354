"""Short-lived, shared access to one profile's DuckDB file, handed over fairly between processes.

DuckDB lets one process hold a file read-write and a second process cannot
even open it read-only. The studio and a notebook kernel are two processes on
the same profile, so we never keep the file open while idle:

* inside a process, all threads share one connection per file (each gets its
  own cursor); the file is opened on first use and closed as soon as the last
  unit of work (a read or a transaction) ends, which lets the other process in.
  Opening is attaching the file to an in-memory DuckDB the process keeps, about
  1 ms where ``duckdb.connect`` builds a whole database instance (15-40 ms);
  closing is detaching it (DuckDB checkpoints on the way: a write-ahead log left
  behind would make every later open replay it, 80 ms for 64 kB);
* processes of ours hand the file over through a lock file next to it, held
  from before ``duckdb.connect`` until ``close()`` has fully returned: DuckDB's
  own lock is released while closing is still finishing, and a process that
  opened in that gap was seen to lose a committed write (1 in ~3000 under
  load; see tests/storage/test_handover.py);
* the hand-over is fair: a process that has to wait leaves a signal file
  (``<file>.wait-<pid>-<start time>``) next to the database. A busy holder,
  whose threads would otherwise keep the connection in use without a break,
  checks for signals whenever a unit of work ends: it then lets no new unit
  start, closes the file as soon as the running units end, and does not take
  it back until the waiting process has had it. So a process waits for the
  units in flight, not for the other process to become idle. ``session()``
  keeps the file open between units only while nobody else waits for it;
* turns: a process that waited W for the file keeps it, while it keeps working,
  for up to 2 W (at least 50 ms, at most 0.5 s) before it lets a waiting one in,
  so hand-overs (a close and an open on each side) stay a small part of a busy
  job's time however slow the machine is; and while another process of ours is
  around, an idle holder keeps the file 50 ms after its last unit, so a batch of
  writes is not closed and reopened between every two of them (a signal ends
  that linger at once);
* opening also retries with jittered backoff while another program holds
  DuckDB's lock, and only after ``busy_timeout`` seconds in all raises
  :class:`ProfileBusyError`;
* write transactions are serialized inside the process, so concurrent writers
  never trip over DuckDB's optimistic-concurrency conflicts.

DuckDB errors are turned into the project's own errors in this module only.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import psutil
from filelock import FileLock, Timeout

from editfactory.core.diskspace import disk_full_error, is_disk_full
from editfactory.core.errors import ProfileBusyError, StorageError

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT = 60.0
"""Seconds we keep retrying a locked file before telling the user the profile is busy."""

_LOCK_MARKERS = ("Could not set lock", "Conflicting lock", "lock on file")
_POLL = 0.002
"""Seconds between looks at the hand-over lock (and at the other side's signals) while waiting."""
_COURTESY = 2.0
"""After letting a waiting process in, how long we leave it to take the file before competing again."""
_DRAIN_PATIENCE = 30.0
"""Upper bound for a new unit of work waiting for the hand-over; guards against a unit that waits for another."""
_IDLE_CHECK = 0.005
"""How often an open but idle connection looks for a waiting process."""
_MIN_TURN = 0.05
"""A process that got the file keeps it this long if it keeps working: a busy notebook job makes many
writes per hand-over instead of one (each hand-over costs a close, with its checkpoint, and an open)."""
_TURN_PER_WAIT = 2.0
"""A process that waited W seconds for the file keeps it up to this many times W while it keeps working.
Each hand-over costs the waiting side the other's turn plus two closes and two opens, and these grow with
the machine's load; a turn twice as long keeps a busy job next to a studio at about 1.5x its time alone."""
_MAX_TURN = 0.5
"""Longest turn while another process waits: with two busy processes each waits at most about this long."""
_IDLE_GAP = 0.01
"""Within its turn, a process that has been idle this long hands the file to a waiting one."""
_LINGER = 0.05
"""While another process of ours is around, an idle holder keeps the file this long after its last unit of
work: a batch job's next write usually follows at once, and closing and reopening between two writes costs
more than the writes. A waiting process is let in at once all the same (its signal ends the linger)."""
_PEER_MEMORY = 5.0
"""Seconds after we last waited for the file or saw another process wait for it during which we linger;
alone, the file is closed as soon as the last unit of work ends (other programs may open it then)."""
STATS_ENV_VAR = "EDITFACTORY_WAIT_STATS"
"""Names a file that this process rewrites (about once a second while it works) with its ``WaitStats``
per database as JSON: how a served studio shared its files, for benchmarks and diagnostics."""
_STATS_EVERY = 1.0


_ALIAS = "profile"
"""The name the file has while attached to this process's in-memory DuckDB (queries name no database)."""


def _new_engine(path: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that the file is attached to while in use, kept for the life of the process.

    Attaching a file takes about 1 ms where ``duckdb.connect(file)`` takes 15-40 ms (DuckDB builds a whole
    database instance each time) and every hand-over between processes opens the file once on each side.
    Spill files go next to the database, as they would for a connection to the file itself.
    """
    return duckdb.connect(":memory:", config={"temp_directory": f"{path}.tmp"})


def _attach_file(engine: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Open the file (takes DuckDB's lock on it); raises DuckDB's error if another program holds it."""
    quoted = str(path).replace("'", "''")
    engine.execute(f"ATTACH '{quoted}' AS {_ALIAS}")
    engine.execute(f"USE {_ALIAS}")


def _detach_file(engine: duckdb.DuckDBPyConnection) -> None:
    """Let go of the file: DuckDB checkpoints its write-ahead log into it, then releases its lock."""
    engine.execute("USE memory")
    engine.execute(f"DETACH {_ALIAS}")


def _cursor(engine: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor (a connection of its own for one thread) on the attached file."""
    cursor = engine.cursor()
    try:
        cursor.execute(f"USE {_ALIAS}")
    except BaseException:
        cursor.close()
        raise
    return cursor


def is_lock_conflict(error: BaseException) -> bool:
    """True when ``error`` is DuckDB refusing the file because another process holds it."""
    return isinstance(error, duckdb.IOException) and any(m in str(error) for m in _LOCK_MARKERS)


_process_tag: tuple[int, str] | None = None


def _this_process() -> str:
    """pid and start time: survives pid reuse, so a signal of a dead process is told apart."""
    global _process_tag
    pid = os.getpid()
    if _process_tag is None or _process_tag[0] != pid:  # recomputed after a fork
        _process_tag = (pid, f"{pid}-{psutil.Process(pid).create_time():.3f}")
    return _process_tag[1]


def _alive(tag: str) -> bool:
    try:
        pid, started = tag.split("-", 1)
        return abs(psutil.Process(int(pid)).create_time() - float(started)) < 0.01
    except (ValueError, psutil.Error):
        return False


@dataclass
class WaitStats:
    """How long units of work in this process waited for the file (for benchmarks and diagnostics)."""

    waits: int = 0
    """Units that found the file held by another process, or being handed over to it."""
    longest: float = 0.0
    total: float = 0.0
    handovers: int = 0
    """Times this process closed the file because another process was waiting for it."""
    units: int = 0
    """Units of work run (reads, transactions)."""
    work_seconds: float = 0.0
    """Time inside units of work, from having the file to the unit's end (the work itself)."""
    opens: int = 0
    open_seconds: float = 0.0
    """Time spent opening the file (``duckdb.connect`` and the open hook), waits for the other process excluded."""
    closes: int = 0
    close_seconds: float = 0.0
    """Time spent closing it (DuckDB checkpoints the write-ahead log into the file on close)."""
    longest_hold_after_signal: float = 0.0
    """Longest time this process kept the file after it first saw another process waiting for it."""
    total_hold_after_signal: float = 0.0


class _SharedConnection:
    """One open connection per file in this process, shared by threads, handed over between processes."""

    def __init__(self, path: Path) -> None:
        self.cond = threading.Condition()
        self.write_lock = threading.RLock()
        self.engine: duckdb.DuckDBPyConnection | None = None
        self.engine_pid = 0
        """The process that made ``engine``: a forked child makes its own (DuckDB's threads do not survive a fork)."""
        self.connection: duckdb.DuckDBPyConnection | None = None
        """``engine`` while the file is attached to it (this process holds the file), else None."""
        self.users = 0
        """Units of work (reads, transactions) running now."""
        self.sessions = 0
        """``session()`` blocks asking to keep the file open between units while nobody waits."""
        self.draining = False
        """Another process waits: no new unit starts until the running ones end and the file is handed over."""
        self.yielded_to: list[str] = []
        self.depth = threading.local()
        self.handover = FileLock(str(path) + ".lock", thread_local=False, is_singleton=True)
        self.signal_prefix = path.name + ".wait-"
        self.folder = path.parent
        self.stats = WaitStats()
        self.idle_watcher: threading.Thread | None = None
        self.opened_at = 0.0
        """When this process last got the file: its turn lasts ``turn`` seconds if it keeps working."""
        self.turn = _MIN_TURN
        self.peer_seen = float("-inf")
        """When we last waited for the file or saw another process waiting for it."""
        self.last_end = 0.0
        self.signal_seen: float | None = None
        """When this process first saw another one waiting during its current hold of the file."""

    def signal_path(self) -> Path:
        return self.folder / f"{self.signal_prefix}{_this_process()}"

    def waiting_processes(self) -> list[str]:
        """Signal files of other live processes waiting for the file (those of dead ones are removed)."""
        mine = self.signal_path().name
        found = []
        try:
            with os.scandir(self.folder) as entries:
                names = [e.name for e in entries if e.name.startswith(self.signal_prefix) and e.name != mine]
        except OSError:
            return []
        for name in names:
            if _alive(name[len(self.signal_prefix):]):
                found.append(name)
            else:
                with contextlib.suppress(OSError):
                    (self.folder / name).unlink()
        return found


_registry_lock = threading.Lock()
_registry: dict[Path, _SharedConnection] = {}
_stats_written = 0.0


def _write_stats_file(force: bool = False) -> None:
    """Rewrite ``$EDITFACTORY_WAIT_STATS`` with every database's wait stats, at most once a second unless forced."""
    global _stats_written
    target = os.environ.get(STATS_ENV_VAR)
    now = time.monotonic()
    if not target or (not force and now - _stats_written < _STATS_EVERY):
        return
    _stats_written = now
    with _registry_lock:
        stats = {str(path): asdict(shared.stats) for path, shared in _registry.items()}
    partial = f"{target}.{os.getpid()}.tmp"
    with contextlib.suppress(OSError):  # diagnostics must never break a unit of work
        Path(partial).write_text(json.dumps({"pid": os.getpid(), "databases": stats}))
        os.replace(partial, target)


def _shared_for(path: Path) -> _SharedConnection:
    with _registry_lock:
        shared = _registry.get(path)
        if shared is None:
            shared = _registry[path] = _SharedConnection(path)
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
        self._handover = self._shared.handover
        self.lock_retries = 0  # how often opening had to wait for another process (for tests and diagnostics)

    def with_busy_timeout(self, seconds: float) -> ProfileDatabase:
        """Another handle on the same file (same connection in this process) that gives up after ``seconds``
        when another process holds the file: for readers that must not wait, like a dashboard overview."""
        return ProfileDatabase(self.path, busy_timeout=seconds, on_open=self.on_open, label=self.label)

    @property
    def wait_stats(self) -> WaitStats:
        """Waits for the file by every unit of work on it in this process."""
        return self._shared.stats

    # -- connection lifetime -------------------------------------------------

    def _busy(self) -> ProfileBusyError:
        return ProfileBusyError(
            f"Profile {self.label!r} is busy: another program (the studio or a notebook) has kept it "
            f"locked for over {self.busy_timeout:.0f} s. Finish or stop the work there, then try again."
        )

    def _acquire_handover(self, deadline: float) -> None:
        """Take the hand-over lock; while waiting, a signal file asks the holder to let go at its next break."""
        shared = self._shared
        yielded, shared.yielded_to = shared.yielded_to, []
        if not yielded:
            try:
                self._handover.acquire(timeout=0)
                return
            except Timeout:
                pass
        self.lock_retries += 1  # another process of ours has the file (or we just let one in); wait our turn
        signal = shared.signal_path()
        with contextlib.suppress(OSError):  # without a signal we still get the file, only later
            signal.touch()
        try:
            # Fairness: the process we let in takes the file first (its signal goes when it has it).
            courtesy_end = min(deadline, time.monotonic() + _COURTESY)
            while yielded and time.monotonic() < courtesy_end:
                waiting = set(shared.waiting_processes())
                if not waiting.intersection(yielded):
                    break
                time.sleep(_POLL)
            try:
                self._handover.acquire(timeout=max(0.0, deadline - time.monotonic()), poll_interval=_POLL)
            except Timeout:
                raise self._busy() from None
        finally:
            signal.unlink(missing_ok=True)

    def _open_with_retry(self) -> duckdb.DuckDBPyConnection:
        if not self.path.parent.is_dir():
            raise StorageError(
                f"Profile {self.label!r} no longer exists (its folder was deleted or moved); choose another profile."
            )
        deadline = time.monotonic() + self.busy_timeout
        self._acquire_handover(deadline)
        try:
            started = time.monotonic()
            connection = self._connect_with_retry(deadline)
            self._shared.stats.opens += 1
            self._shared.stats.open_seconds += time.monotonic() - started
            return connection
        except BaseException:
            self._handover.release()
            raise

    def _engine(self) -> duckdb.DuckDBPyConnection:
        shared = self._shared
        if shared.engine is None or shared.engine_pid != os.getpid():
            try:
                shared.engine = _new_engine(self.path)
            except duckdb.Error as error:
                raise StorageError(f"Could not start DuckDB for profile {self.label!r}: {error}") from error
            shared.engine_pid = os.getpid()
        return shared.engine

    def _connect_with_retry(self, deadline: float) -> duckdb.DuckDBPyConnection:
        delay = 0.002
        engine = self._engine()
        while True:
            try:
                _attach_file(engine, self.path)
                connection = engine
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
                # DEFAULT now() stores local wall time otherwise; Python writes UTC everywhere. GLOBAL: every cursor
                # is a connection of its own.
                connection.execute("SET GLOBAL TimeZone = 'UTC'")
                if self.on_open is not None:
                    cursor = _cursor(connection)
                    try:
                        self.on_open(cursor)
                    finally:
                        cursor.close()
            except BaseException:
                self._let_go(connection)
                raise
            return connection

    def _let_go(self, engine: duckdb.DuckDBPyConnection) -> None:
        """Detach the file; if that fails, drop the whole engine so DuckDB's lock on the file is released anyway."""
        try:
            _detach_file(engine)
        except BaseException:
            self._shared.engine = None
            with contextlib.suppress(duckdb.Error):
                engine.close()
            raise

    def _close(self, waiting: list[str]) -> None:
        """Close the shared connection and give up the hand-over lock (caller holds ``cond``)."""
        shared = self._shared
        started = time.monotonic()
        try:
            self._let_go(shared.connection)
        finally:
            now = time.monotonic()
            shared.stats.closes += 1
            shared.stats.close_seconds += now - started
            if shared.signal_seen is not None:
                held = now - shared.signal_seen
                shared.stats.total_hold_after_signal += held
                shared.stats.longest_hold_after_signal = max(shared.stats.longest_hold_after_signal, held)
                shared.signal_seen = None
            shared.connection = None
            shared.draining = False
            if waiting:
                shared.yielded_to = waiting
                shared.stats.handovers += 1
            self._handover.release()
            shared.cond.notify_all()

    def _after_unit(self, waiting: list[str]) -> None:
        """A unit of work ended (caller holds ``cond``): close, hand over, or keep the file for now."""
        shared = self._shared
        if shared.connection is None:
            return
        now = time.monotonic()
        if waiting:
            shared.peer_seen = now
            if shared.signal_seen is None:
                shared.signal_seen = now
        if waiting and (shared.draining or now - shared.opened_at >= shared.turn):
            if shared.users == 0:
                self._close(waiting)
            else:
                shared.draining = True  # running units finish; new ones wait for the file to come back
        elif shared.users == 0 and (
            shared.draining or (not waiting and shared.sessions == 0 and now - shared.peer_seen >= _PEER_MEMORY)
        ):
            self._close(waiting)  # idle and alone: close at once so any other program can get in
        elif shared.users == 0 and shared.idle_watcher is None:
            # Kept open by a session, within our turn while another process waits, or lingering for our next unit.
            shared.idle_watcher = threading.Thread(target=self._watch_idle, name="editfactory-db-idle", daemon=True)
            shared.idle_watcher.start()

    def _watch_idle(self) -> None:
        """While the file is open with no unit running, hand it to a waiting process promptly."""
        shared = self._shared
        while True:
            time.sleep(_IDLE_CHECK)
            with shared.cond:
                # One watcher for as long as the file is open: starting a thread after every unit of a batch
                # cost more than the unit under load (Thread.start waits until the new thread runs).
                if shared.connection is None:
                    shared.idle_watcher = None
                    return
                if shared.users:
                    continue
            waiting = shared.waiting_processes()
            with shared.cond:
                if shared.connection is None or shared.users:
                    continue
                now = time.monotonic()
                if waiting:
                    shared.peer_seen = now
                    if shared.signal_seen is None:
                        shared.signal_seen = now
                if waiting and (now - shared.last_end >= _IDLE_GAP or now - shared.opened_at >= shared.turn):
                    self._close(waiting)
                elif not waiting and not shared.sessions and now - shared.last_end >= _LINGER:
                    self._close([])

    @contextlib.contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        shared = self._shared
        nested = getattr(shared.depth, "n", 0) > 0
        asked = time.monotonic()
        waited = False
        with shared.cond:
            if not nested:
                # The file is being handed to another process: wait for it to come back (bounded).
                patience = asked + _DRAIN_PATIENCE
                while shared.draining and time.monotonic() < patience:
                    waited = True
                    shared.cond.wait(0.05)
            if shared.connection is None:
                waited = waited or bool(shared.yielded_to)
                before = self.lock_retries
                shared.connection = self._open_with_retry()
                shared.opened_at = time.monotonic()
                waited = waited or self.lock_retries != before
                if waited:
                    shared.peer_seen = shared.opened_at
                # Fairness: having waited W for the other process, keep the file up to twice W while working.
                waited_for_it = shared.opened_at - asked if waited else 0.0
                shared.turn = min(_MAX_TURN, max(_MIN_TURN, _TURN_PER_WAIT * waited_for_it))
            shared.users += 1
            shared.stats.units += 1
            connection = shared.connection
            if waited:
                took = time.monotonic() - asked
                shared.stats.waits += 1
                shared.stats.total += took
                shared.stats.longest = max(shared.stats.longest, took)
        shared.depth.n = getattr(shared.depth, "n", 0) + 1
        began = time.monotonic()
        try:
            yield connection
        finally:
            shared.depth.n -= 1
            waiting = shared.waiting_processes()
            with shared.cond:
                shared.users -= 1
                shared.last_end = time.monotonic()
                if not nested:
                    shared.stats.work_seconds += shared.last_end - began
                self._after_unit(waiting)
            _write_stats_file()

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """Keep the file open across several operations (batch work) while no other process waits for it.

        When another process asks for the file, it is let in between two operations and reopened afterwards;
        atomicity comes from ``transaction()``, never from a session.
        """
        shared = self._shared
        with shared.cond:
            shared.sessions += 1
        try:
            yield
        finally:
            waiting = shared.waiting_processes()
            with shared.cond:
                shared.sessions -= 1
                if shared.sessions == 0 and shared.users == 0 and shared.connection is not None:
                    self._close(waiting)

    # -- public API ----------------------------------------------------------

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for queries; sees everything committed before it was taken."""
        with self._connection() as connection:
            cursor = _cursor(connection)
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
            cursor = _cursor(connection)
            try:
                cursor.execute("BEGIN TRANSACTION")
                try:
                    yield cursor
                except BaseException:
                    cursor.execute("ROLLBACK")
                    raise
                cursor.execute("COMMIT")
            except duckdb.Error as error:
                if is_disk_full(error):
                    raise disk_full_error(f"Saving to profile {self.label!r}", self.path.parent) from error
                raise StorageError(f"Writing to profile {self.label!r} failed: {error}") from error
            finally:
                cursor.close()

    def copy_to(self, destination: Path) -> None:
        """Write a consistent copy of the database file to ``destination``.

        Writers of this process and other processes wait only while the file is copied: committed
        data is checkpointed into the file first, and whatever is still in the WAL goes along with it.
        """
        destination = Path(destination)
        wal = Path(str(self.path) + ".wal")
        with self._connection() as connection, self._shared.write_lock:
            cursor = _cursor(connection)
            try:
                cursor.execute("CHECKPOINT")
                shutil.copyfile(self.path, destination)
                if wal.exists() and wal.stat().st_size:
                    shutil.copyfile(wal, Path(str(destination) + ".wal"))
            except duckdb.Error as error:
                raise StorageError(f"Copying the database of profile {self.label!r} failed: {error}") from error
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
