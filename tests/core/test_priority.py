"""Heavy work runs at a lower CPU priority than the studio's server: ffmpeg, jobs' commands and job threads.

Read from the kernel (/proc/<pid>/stat, /proc/thread-self/stat), the way ``top`` sees them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from editfactory.core.priority import background_nice
from editfactory.jobs import JobRunner
from editfactory.jobs.context import run_subprocess
from editfactory.media.runner import run_ffmpeg
from editfactory.profiles import Workspace

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads nice values from /proc")


def nice_in_stat(text: str) -> int:
    # Field 19; the command name (field 2) may hold spaces, so count from its closing parenthesis.
    return int(text.rsplit(")", 1)[1].split()[16])


def nice_of(pid: int | str) -> int:
    return nice_in_stat(Path(f"/proc/{pid}/stat").read_text())


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_an_ffmpeg_started_by_run_ffmpeg_runs_nicer_than_the_server():
    server_nice = nice_of(os.getpid())
    seen: list[int] = []

    def look(message: str, fraction: float | None) -> None:
        if not seen:
            seen.extend(nice_of(pid) for pid in children_of(os.getpid()))

    args = ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=4",
            "-stats_period", "0.05", "-progress", "pipe:1", "-f", "null", "-"]
    run_ffmpeg(args, timeout=120, what="Encoding", duration=4.0, progress=look)
    assert seen, "ffmpeg was seen running"
    assert all(nice == min(server_nice + background_nice(), 19) for nice in seen), (seen, server_nice)
    assert nice_of(os.getpid()) == server_nice, "the server itself keeps its priority"


def test_a_command_a_job_runs_is_nicer_than_the_server():
    done = run_subprocess(["cat", "/proc/self/stat"])
    assert nice_in_stat(done.stdout) == min(nice_of(os.getpid()) + background_nice(), 19)


def test_job_threads_run_nicer_while_the_server_threads_keep_their_priority(tmp_path: Path):
    profile = Workspace(tmp_path / "ws").create("Store")
    server_nice = nice_of(os.getpid())

    def job(profile, ctx) -> dict:
        # A thread the job starts (numpy's, onnxruntime's) inherits it too.
        return {"nice": nice_in_stat(Path("/proc/thread-self/stat").read_text())}

    with JobRunner(workers=2) as runner:
        job_id = runner.submit(profile, "priority-probe", fn=job)
        finished = runner.wait(profile, job_id, timeout=60)
    assert finished.outputs["nice"] == min(server_nice + background_nice(), 19)
    assert nice_in_stat(Path("/proc/thread-self/stat").read_text()) == server_nice


def test_the_background_priority_can_be_turned_off(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("EDITFACTORY_BACKGROUND_NICE", "0")
    done = run_subprocess(["cat", "/proc/self/stat"])
    assert nice_in_stat(done.stdout) == nice_of(os.getpid())
