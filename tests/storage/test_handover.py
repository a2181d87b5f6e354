"""The hand-over lock keeps our other processes out until close() has fully returned.

Deterministic: the first process's close is made to finish late (see
late_close_process.py), so a second process that opens the file as soon as
DuckDB's lock is free always loses its write. With the hand-over lock it waits
for the close to return, and its write is kept. Removing the lock (making
``_acquire_handover`` return at once) makes this test fail every time.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb

from editfactory.storage.database import ProfileDatabase


def test_a_write_made_while_the_other_process_is_still_closing_is_never_lost(tmp_path):
    database = tmp_path / "p.duckdb"
    setup = duckdb.connect(str(database))
    setup.execute("CREATE TABLE t (who VARCHAR)")
    setup.close()
    markers = tmp_path / "markers"
    markers.mkdir()
    first = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("late_close_process.py")), str(database), str(markers)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        while not (markers / "closed").exists():  # DuckDB's lock is free, the close is not done
            assert first.poll() is None, first.communicate()[1][-2000:]
            time.sleep(0.002)
        ProfileDatabase(database, busy_timeout=120).execute("INSERT INTO t VALUES ('second process')")
        (markers / "wrote").touch()
        _, err = first.communicate(timeout=180)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, err[-2000:]
    rows = ProfileDatabase(database).fetchall("SELECT who FROM t ORDER BY who")
    assert rows == [("first process",), ("second process",)]
