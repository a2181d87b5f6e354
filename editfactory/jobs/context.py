"""What a running job sees: its profile, inputs, a scratch folder, a progress callback and a cancel flag.

Also ``run_subprocess``: runs a command (ffmpeg) so that a cancel request kills
it within a fraction of a second instead of waiting for the encode to end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from editfactory.core.errors import CancelledError, EditFactoryError
from editfactory.core.priority import background_popen_kwargs
from editfactory.core.progress import ProgressCallback, scaled
from editfactory.profiles.profile import Profile


_PROGRESS_WRITE_INTERVAL = 0.25  # seconds between progress rows; a render may report many times a second
_POLL_INTERVAL = 0.05
_TERMINATE_GRACE = 1.5


class CommandFailedError(EditFactoryError):
    """A command run for a job exited with an error; the message carries its last output lines."""


class CommandTimeoutError(CommandFailedError):
    """A command run for a job took longer than allowed and was stopped."""


@dataclass
class JobContext:
    """Handed to every job function as ``fn(profile, ctx)``; the profile is bound explicitly, never global."""

    job_id: str
    profile: Profile
    inputs: dict
    temp_dir: Path
    cancelled: threading.Event = field(default_factory=threading.Event)
    _write_progress: Callable[[str | None, float | None], bool] | None = field(default=None, repr=False)
    _last_write: float = field(default=0.0, repr=False)
    _last_message: str | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def progress(self, message: str, fraction: float | None = None) -> None:
        """Report progress (fraction 0..1 or None); written to the database at most a few times a second."""
        now = time.monotonic()
        with self._lock:
            due = (
                message != self._last_message
                or fraction is None
                or fraction >= 1.0
                or now - self._last_write >= _PROGRESS_WRITE_INTERVAL
            )
            if not due or self._write_progress is None:
                return
            self._last_write, self._last_message = now, message
        if self._write_progress(message, fraction):
            self.cancelled.set()

    def check_cancelled(self) -> None:
        """Raise CancelledError if someone asked this job to stop; call it between steps."""
        if self.cancelled.is_set():
            raise CancelledError("The job was cancelled.")

    def sub_progress(self, start: float, end: float, prefix: str = "") -> ProgressCallback:
        """A callback for one step that maps its own 0..1 onto [start, end] of the whole job."""
        return scaled(self.progress, start, end, prefix)


def _cancel_event(cancel: JobContext | threading.Event | None) -> threading.Event | None:
    if isinstance(cancel, JobContext):
        return cancel.cancelled
    return cancel


def _stop(process: subprocess.Popen) -> None:
    """Terminate the command and anything it started; kill it if it does not leave quickly."""
    for sig, grace in ((signal.SIGTERM, _TERMINATE_GRACE), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    try:
        process.communicate(timeout=2.0)  # drain and close the pipes
    except (subprocess.TimeoutExpired, ValueError, OSError):
        pass


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def run_subprocess(
    cmd: Sequence[str | os.PathLike],
    cancel: JobContext | threading.Event | None = None,
    timeout: float | None = None,
    *,
    cwd: str | os.PathLike | None = None,
    what: str | None = None,
) -> subprocess.CompletedProcess:
    """Run ``cmd`` to completion, stopping it promptly when ``cancel`` is set or ``timeout`` passes.

    Raises CancelledError on cancel, CommandTimeoutError on timeout and
    CommandFailedError on a non-zero exit (with the last stderr lines).
    """
    args = [os.fspath(part) for part in cmd]
    name = what or Path(args[0]).name
    event = _cancel_event(cancel)
    if event is not None and event.is_set():
        raise CancelledError(f"Cancelled before {name} started.")
    process = subprocess.Popen(
        args,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,  # its own process group, so stopping it also stops its children
        **background_popen_kwargs(),  # lower priority: a job's command never starves the studio's server
    )
    deadline = None if timeout is None else time.monotonic() + timeout
    stdout, stderr = "", ""
    try:
        while True:
            try:
                # communicate() may be retried after a timeout without losing output.
                stdout, stderr = process.communicate(timeout=_POLL_INTERVAL)
                break
            except subprocess.TimeoutExpired:
                pass
            if event is not None and event.is_set():
                _stop(process)
                raise CancelledError(f"Cancelled while {name} was running; it was stopped.")
            if deadline is not None and time.monotonic() > deadline:
                _stop(process)
                raise CommandTimeoutError(
                    f"{name} took longer than {timeout:.0f} s and was stopped. "
                    "Try shorter or smaller media, or raise the time limit."
                )
    except BaseException:
        if process.poll() is None:
            _stop(process)
        raise
    if process.returncode != 0:
        raise CommandFailedError(
            f"{name} failed with exit code {process.returncode}. Its last output:\n{_tail(stderr or stdout)}"
        )
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)
