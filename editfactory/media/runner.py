"""Find the ffmpeg binary and run it: timeouts, cancellation, progress parsing and readable errors.

Every ffmpeg call of the project goes through :func:`run_ffmpeg`, so each one has a
timeout, is killed when the caller cancels or dies, and fails as a :class:`MediaError`
that carries the last lines ffmpeg wrote to stderr (a :class:`DiskFullError` naming the folder when the
disk was full).
"""

from __future__ import annotations

import collections
import ctypes
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from editfactory.core.diskspace import disk_full_error, is_disk_full
from editfactory.core.errors import CancelledError, MediaError
from editfactory.core.priority import background_popen_kwargs
from editfactory.core.progress import ProgressCallback

FFMPEG_ENV = "EDITFACTORY_FFMPEG"
"""Environment variable that may point at a system ffmpeg to use instead of the bundled one."""


_STDERR_TAIL_LINES = 40
_NOISE = re.compile(r"^\s*(frame=|size=|video:|\[out#|Press \[q\])")


def ffmpeg_path() -> str:
    """The ffmpeg to run: ``$EDITFACTORY_FFMPEG`` when set, else the static build that imageio-ffmpeg ships."""
    configured = os.environ.get(FFMPEG_ENV)
    if configured:
        if not Path(configured).is_file():
            raise MediaError(
                f"{FFMPEG_ENV} points at {configured!r}, which does not exist. "
                f"Fix the path or unset {FFMPEG_ENV} to use the bundled ffmpeg."
            )
        return configured
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _die_with_parent() -> None:
    # Linux only: if the Python process is killed, the kernel kills ffmpeg too, so no orphan keeps writing.
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _popen(args: Sequence[str], **kwargs) -> subprocess.Popen:
    # At background priority, so a render or an analysis never starves the studio's server of CPU.
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    return subprocess.Popen(list(args), stdin=subprocess.DEVNULL, **background_popen_kwargs(preexec), **kwargs)


def relevant_stderr(lines: Sequence[str], limit: int = 12) -> str:
    """The stderr lines that explain a failure: errors first, progress noise left out."""
    useful = [line.rstrip() for line in lines if line.strip() and not _NOISE.match(line)]
    return "\n".join(useful[-limit:])


def _output_folder(args: Sequence[str]) -> Path:
    """The folder ffmpeg writes its output into: the last argument is the output file (unless it is a pipe)."""
    last = str(args[-1]) if args else ""
    if last and not last.startswith("-") and not last.startswith("pipe:"):
        return Path(last).absolute().parent
    return Path.cwd()


def _parse_time(value: str) -> float | None:
    try:
        return int(value) / 1_000_000
    except ValueError:
        return None


def run_ffmpeg(
    args: Sequence[str],
    *,
    timeout: float,
    what: str,
    duration: float | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    stdout_consumer: Callable[[object], None] | None = None,
) -> list[str]:
    """Run ``ffmpeg args`` and return its stderr lines.

    ``duration`` (seconds of output expected) turns ffmpeg's ``-progress pipe:1`` lines into
    fractions for ``progress``; the caller must have put ``-progress pipe:1`` in ``args``.
    ``stdout_consumer`` instead receives the raw stdout pipe (for frames piped to Python).
    Raises :class:`MediaError` on failure or timeout, :class:`CancelledError` when ``cancel`` is set, and
    whatever ``progress`` raised if it raised (ffmpeg is stopped then); in every case ffmpeg is dead when this returns.
    """
    if cancel is not None and cancel.is_set():
        raise CancelledError(f"{what} was cancelled.")
    command = [ffmpeg_path(), "-hide_banner", "-nostdin", *args]
    try:
        process = _popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as error:
        raise MediaError(f"Could not start ffmpeg for {what}: {error}. Check {FFMPEG_ENV} or reinstall imageio-ffmpeg.")
    stderr_tail: collections.deque[str] = collections.deque(maxlen=400)
    callback_error: list[BaseException] = []

    def read_stderr() -> None:
        try:
            for raw in process.stderr:
                stderr_tail.append(raw.decode("utf-8", "replace"))
        except ValueError:  # closed below after ffmpeg ended and this thread was given up on (a starved machine)
            pass

    def read_progress() -> None:
        # This thread must read to the end whatever the callback does: if it died, ffmpeg would block on a full
        # pipe until its timeout. A callback that raises stops the reports and, below, ffmpeg; its error is raised.
        try:
            for raw in process.stdout:
                key, _, value = raw.decode("utf-8", "replace").strip().partition("=")
                if key == "out_time_us" and progress and duration and not callback_error:
                    seconds = _parse_time(value)
                    if seconds is not None:
                        try:
                            progress(f"{what}: {min(seconds, duration):.1f} of {duration:.1f} s",
                                     min(max(seconds / duration, 0.0), 1.0))
                        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
                            callback_error.append(error)
        except ValueError:  # closed below while a slow progress callback (a busy database) still ran: the end
            pass

    readers = [threading.Thread(target=read_stderr, daemon=True)]
    if stdout_consumer is not None:
        readers.append(threading.Thread(target=stdout_consumer, args=(process.stdout,), daemon=True))
    else:
        readers.append(threading.Thread(target=read_progress, daemon=True))
    for reader in readers:
        reader.start()

    deadline = time.monotonic() + timeout
    outcome = "ok"
    while True:
        try:
            process.wait(timeout=0.1)
            break
        except subprocess.TimeoutExpired:
            pass
        if cancel is not None and cancel.is_set():
            outcome = "cancelled"
        elif callback_error:
            outcome = "callback failed"
        elif time.monotonic() > deadline:
            outcome = "timeout"
        if outcome != "ok":
            process.kill()
            process.wait()
            break
    for reader in readers:
        reader.join(timeout=5)
    for pipe in (process.stdout, process.stderr):
        pipe.close()
    lines = list(stderr_tail)
    if callback_error:
        raise callback_error[0]
    if outcome == "cancelled":
        raise CancelledError(f"{what} was cancelled.")
    if outcome == "timeout":
        raise MediaError(
            f"{what} took longer than {timeout:.0f} s and was stopped. The input may be very long or damaged; "
            f"try a shorter source.\n{relevant_stderr(lines)}"
        )
    if process.returncode != 0:
        if any(is_disk_full(line) for line in lines):
            raise disk_full_error(what, _output_folder(args))
        raise MediaError(f"{what} failed (ffmpeg exit code {process.returncode}):\n{relevant_stderr(lines)}")
    return lines
