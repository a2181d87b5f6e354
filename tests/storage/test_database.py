from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from editfactory.core.errors import ProfileBusyError, StorageError
from editfactory.storage.database import ProfileDatabase


def _hold(path, seconds):
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep({seconds})"],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_waits_for_another_process_then_succeeds(tmp_path):
    db = ProfileDatabase(tmp_path / "p.duckdb", busy_timeout=20)
    db.execute("CREATE TABLE t (x INTEGER)")
    holder = _hold(db.path, 1.0)
    try:
        db.execute("INSERT INTO t VALUES (1)")  # waits until the other process lets go
    finally:
        holder.wait()
        holder.stdout.close()
    assert db.lock_retries > 0
    assert db.fetchall("SELECT x FROM t") == [(1,)]


def test_busy_profile_gives_a_clear_error_not_a_duckdb_one(tmp_path):
    db = ProfileDatabase(tmp_path / "p.duckdb", busy_timeout=0.5, label="Shop")
    db.execute("CREATE TABLE t (x INTEGER)")
    holder = _hold(db.path, 30)
    try:
        with pytest.raises(ProfileBusyError, match="Profile 'Shop' is busy.*try again"):
            db.fetchall("SELECT * FROM t")
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_failed_transaction_rolls_back_and_says_so(tmp_path):
    db = ProfileDatabase(tmp_path / "p.duckdb")
    db.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")
    db.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(StorageError, match="Writing to profile"):
        with db.transaction() as cur:
            cur.execute("INSERT INTO t VALUES (2)")
            cur.execute("INSERT INTO t VALUES (1)")
    assert db.fetchall("SELECT x FROM t ORDER BY x") == [(1,)]


def test_connection_is_released_when_idle(tmp_path):
    import duckdb

    db = ProfileDatabase(tmp_path / "p.duckdb")
    db.execute("CREATE TABLE t (x INTEGER)")
    duckdb.connect(str(db.path)).close()  # would raise if we still held the file


def test_threads_share_one_connection_and_never_conflict(tmp_path):
    db = ProfileDatabase(tmp_path / "p.duckdb")
    db.execute("CREATE TABLE counter (n INTEGER)")
    db.execute("INSERT INTO counter VALUES (0)")
    errors = []

    def bump():
        try:
            for _ in range(50):
                with db.transaction() as cur:
                    (n,) = cur.execute("SELECT n FROM counter").fetchone()
                    cur.execute("UPDATE counter SET n = ?", [n + 1])
        except Exception as error:  # collected, asserted below
            errors.append(error)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert db.fetchone("SELECT n FROM counter") == (200,)


def test_opening_the_file_again_does_not_build_a_new_duckdb_each_time(tmp_path, monkeypatch):
    """Every hand-over opens the file once on each side; building a whole DuckDB instance for it (what
    ``duckdb.connect(file)`` does) cost 15-40 ms each time, more than the work in between."""
    import duckdb

    from editfactory.storage import database

    built = []
    real_connect = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *args, **kwargs: built.append(args) or real_connect(*args, **kwargs))
    db = ProfileDatabase(tmp_path / "p.duckdb")
    db.execute("CREATE TABLE t (x INTEGER)")
    for n in range(20):
        db.execute("INSERT INTO t VALUES (?)", [n])  # the file is closed after each one (nobody else around)
    assert db.fetchone("SELECT count(*) FROM t") == (20,)
    assert db.wait_stats.opens == 22 and db.wait_stats.closes == 22
    assert len(built) == 1, built
    real_connect(str(db.path)).close()  # and the file is really let go between units
    assert database._registry[db.path].connection is None


def test_a_batch_that_keeps_the_file_starts_one_idle_watcher_not_one_per_write(tmp_path, monkeypatch):
    """While another process is around, the file stays open between a batch's writes and a watcher thread lets a
    waiting process in. One was started after every write (Thread.start waits until the thread runs: under load
    that cost more than the write)."""
    import threading
    import time

    from editfactory.storage import database

    db = ProfileDatabase(tmp_path / "p.duckdb")
    db.execute("CREATE TABLE t (x INTEGER)")
    started = []
    real_start = threading.Thread.start

    def start(thread):
        if thread.name == "editfactory-db-idle":
            started.append(thread)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", start)
    database._registry[db.path].peer_seen = time.monotonic()  # as if a studio had just waited for the file
    for n in range(50):
        db.execute("INSERT INTO t VALUES (?)", [n])
    assert db.fetchone("SELECT count(*) FROM t") == (50,)
    assert len(started) <= db.wait_stats.opens - 1, (len(started), db.wait_stats.opens)
