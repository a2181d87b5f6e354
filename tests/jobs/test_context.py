"""run_subprocess and cancelling a real, long ffmpeg encode."""

from __future__ import annotations

import sys
import threading
import time

import psutil
import pytest

from editfactory.core.errors import CancelledError
from editfactory.jobs import CANCELLED, CommandFailedError, CommandTimeoutError, JobRunner, run_subprocess

from .job_functions import slow_encode_command


def test_run_subprocess_returns_output():
    result = run_subprocess([sys.executable, "-c", "print('hello')"])
    assert result.returncode == 0 and result.stdout.strip() == "hello"


def test_failure_carries_the_last_lines_of_stderr():
    with pytest.raises(CommandFailedError, match=r"exit code 3(.|\n)*bad input"):
        run_subprocess([sys.executable, "-c", "import sys; print('bad input', file=sys.stderr); sys.exit(3)"])


def test_timeout_stops_the_command():
    started = time.monotonic()
    with pytest.raises(CommandTimeoutError, match="took longer than"):
        run_subprocess([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert time.monotonic() - started < 5


def test_cancel_event_kills_ffmpeg_promptly(tmp_path):
    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(CancelledError):
        run_subprocess(slow_encode_command(tmp_path / "out.mp4", 10), cancel)
    assert time.monotonic() - started < 4
    assert not [p for p in psutil.Process().children(recursive=True) if "ffmpeg" in p.name()]


def test_cancel_during_a_long_render_job(profile):
    with JobRunner(workers=1) as runner:
        job_id = runner.submit(profile, "t.encode", {"seconds": 10}, fn=_slow_encode)
        _wait_for_file(profile)
        cancelled_at = time.monotonic()
        runner.cancel(profile, job_id)
        job = runner.wait(profile, job_id, timeout=10)
        stopped_after = time.monotonic() - cancelled_at
    assert job.status == CANCELLED and "stopped" in job.error
    assert stopped_after < 3, f"cancel took {stopped_after:.1f} s"
    assert not any(profile.paths.tmp.iterdir()), "the partial output went with the job's temp folder"


def _slow_encode(profile, ctx):
    from .job_functions import slow_encode_job

    return slow_encode_job(profile, ctx)


def _wait_for_file(profile, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if list(profile.paths.tmp.glob("*/slow.mp4")):
            return
        time.sleep(0.05)
    raise AssertionError("ffmpeg never started writing")
