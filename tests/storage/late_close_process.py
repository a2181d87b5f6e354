"""Run by test_handover as a separate process: one write, then a close() that finishes late.

DuckDB releases its file lock while ``close()`` is still finishing. To make that
gap wide and certain, this process wraps the connection so that, after DuckDB's
own close has let go of the lock, closing "goes on" until the other process
shows up — it either waits for the hand-over (its signal file appears) or it got
in and wrote (the test touches ``wrote``) — and then writes the database file as
this process left it, as an unfinished close would. Without the hand-over lock
the other process's committed write is lost every time; with it, never.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb

from editfactory.storage.database import ProfileDatabase

_connect = duckdb.connect


class LateClosingConnection:
    def __init__(self, connection: duckdb.DuckDBPyConnection, database: Path, markers: Path) -> None:
        self._connection = connection
        self._database = database
        self._markers = markers

    def __getattr__(self, name):
        return getattr(self._connection, name)

    def close(self) -> None:
        self._connection.close()  # DuckDB's lock is free from here on ...
        left_behind = self._database.read_bytes()
        (self._markers / "closed").touch()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # ... while the close is still under way
            if (self._markers / "wrote").exists() or list(self._database.parent.glob(self._database.name + ".wait-*")):
                break
            time.sleep(0.002)
        self._database.write_bytes(left_behind)


def main(database: str, markers: str) -> int:
    path, folder = Path(database), Path(markers)
    duckdb.connect = lambda *args, **kwargs: LateClosingConnection(_connect(*args, **kwargs), path, folder)
    ProfileDatabase(path).execute("INSERT INTO t VALUES ('first process')")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
