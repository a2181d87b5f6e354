"""The studio and a notebook are two OS processes on one profile: both writers land, none sees a raw lock error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

WRITES_EACH = 500


def test_two_processes_write_to_one_profile_concurrently(workspace, tmp_path):
    profile = workspace.create("Shared")
    script = Path(__file__).with_name("writer_process.py")
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    writers = [
        subprocess.Popen(
            [sys.executable, str(script), str(workspace.root), profile.id, tag, str(WRITES_EACH), str(barrier)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for tag in ("studio", "notebook")
    ]
    outputs = [w.communicate(timeout=300) for w in writers]
    for writer, (out, err) in zip(writers, outputs):
        assert writer.returncode == 0, err[-2000:]
        assert out.startswith("raw=0 project=0"), out + err[-2000:]
    retries = sum(int(out.split("retries=")[1]) for out, _ in outputs)
    assert retries > 0, "the two processes never contended; the test did not exercise locking"
    for tag in ("studio", "notebook"):
        ids = {r[0] for r in profile.db.fetchall("SELECT id FROM projects WHERE id LIKE ?", [f"{tag}-%"])}
        assert ids == {f"{tag}-{i}" for i in range(WRITES_EACH)}  # zero lost writes, zero duplicates
