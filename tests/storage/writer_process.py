"""Run as a separate OS process by test_two_processes: writes N rows to one profile, reads some back."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb

from editfactory.core.errors import EditFactoryError
from editfactory.profiles import Workspace


def main(root: str, profile_id: str, tag: str, count: int, barrier: str) -> int:
    profile = Workspace(Path(root)).get(profile_id)
    # Both processes start writing together, however slowly each one imported.
    (Path(barrier) / f"ready-{tag}").touch()
    deadline = time.time() + 120
    while len(list(Path(barrier).glob("ready-*"))) < 2 and time.time() < deadline:
        time.sleep(0.001)
    raw_errors = project_errors = 0
    for i in range(count):
        try:
            with profile.db.transaction() as cur:
                cur.execute("INSERT INTO projects (id, name) VALUES (?, ?)", [f"{tag}-{i}", f"{tag} {i}"])
            if i % 25 == 0:  # reads see committed data, including our own last write
                seen = profile.db.fetchone("SELECT count(*) FROM projects WHERE id = ?", [f"{tag}-{i}"])[0]
                assert seen == 1
        except duckdb.Error:
            raw_errors += 1
        except EditFactoryError:
            project_errors += 1
    print(f"raw={raw_errors} project={project_errors} retries={profile.db.lock_retries}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]))
