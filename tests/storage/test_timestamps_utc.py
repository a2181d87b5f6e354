"""Times the database writes itself (``DEFAULT now()``) are UTC like the ones Python writes, whatever the
machine's time zone: DuckDB's ``now()`` turns into the machine's local wall time when stored in a TIMESTAMP column,
so on a machine in Auckland a project made "now" was stored 13 hours ahead of the outbox's and the jobs' UTC times."""

from __future__ import annotations

import os
import subprocess
import sys

_SCRIPT = """
import datetime as dt, sys
from editfactory.profiles import Workspace
from editfactory.services import projects
workspace = Workspace(sys.argv[1])
profile = workspace.create("Night shop")
project = projects.create_project(profile, "Launch")
stored = project["created_at"]
print((dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - stored).total_seconds())
"""


def test_database_timestamps_are_utc_on_a_machine_in_another_time_zone(tmp_path):
    environment = {**os.environ, "TZ": "Pacific/Auckland"}
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path / "ws")], capture_output=True, text=True,
                          env=environment, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    behind_utc = float(done.stdout.strip().splitlines()[-1])
    assert abs(behind_utc) < 120, f"the stored time is {behind_utc / 3600:.1f} h away from UTC"
