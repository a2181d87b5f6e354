"""Run by test_handover as a separate process: one write, then a close that finishes late.

DuckDB may release its file lock while letting go of the file is still finishing.
To make that gap wide and certain, this process wraps detaching the file so that,
after DuckDB has let go of the lock, closing "goes on" until the other process
shows up — it either waits for the hand-over (its signal file appears) or it got
in and wrote (the test touches ``wrote``) — and then writes the database file as
this process left it, as an unfinished close would. Without the hand-over lock
the other process's committed write is lost every time; with it, never.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from editfactory.storage import database
from editfactory.storage.database import ProfileDatabase

_detach = database._detach_file


def late_detach(engine, path: Path, markers: Path) -> None:
    _detach(engine)  # DuckDB's lock is free from here on ...
    left_behind = path.read_bytes()
    (markers / "closed").touch()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # ... while the close is still under way
        if (markers / "wrote").exists() or list(path.parent.glob(path.name + ".wait-*")):
            break
        time.sleep(0.002)
    path.write_bytes(left_behind)


def main(database_file: str, markers: str) -> int:
    path, folder = Path(database_file), Path(markers)
    database._detach_file = lambda engine: late_detach(engine, path, folder)
    ProfileDatabase(path).execute("INSERT INTO t VALUES ('first process')")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
