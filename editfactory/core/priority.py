"""Lower CPU priority for heavy work (renders, analysis, synthesis), so it never starves the studio's server.

Two tools: :func:`background_popen_kwargs` for the ``subprocess.Popen`` of a heavy command (ffmpeg), and
:func:`lower_this_thread` for a worker thread that does heavy work in Python (a job runner's threads: numpy
analysis, Piper's onnxruntime). On Linux the nice value belongs to a thread, and threads and processes started
from a lowered thread inherit it, so the server's own threads keep their priority. Elsewhere a thread cannot be
lowered alone (that would lower the whole process), so only subprocesses are; on Windows they start in the
below-normal priority class.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

NICE_ENV = "EDITFACTORY_BACKGROUND_NICE"
"""How much nicer than the server heavy work runs (0 turns it off); 10 by default."""

DEFAULT_NICE = 10
_MAX_NICE = 19


def background_nice() -> int:
    """The increment heavy work gets over the server's nice value (``$EDITFACTORY_BACKGROUND_NICE``, else 10)."""
    try:
        return min(max(int(os.environ.get(NICE_ENV, DEFAULT_NICE)), 0), _MAX_NICE)
    except ValueError:
        return DEFAULT_NICE


def _thread_nice() -> int:
    """The calling thread's nice value (Linux: per thread; elsewhere the process's)."""
    if sys.platform.startswith("linux"):
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    return os.getpriority(os.PRIO_PROCESS, 0)


def _set_nice(target: int, who: int) -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, who, min(target, _MAX_NICE))
    except OSError:  # a sandbox that forbids it: run at the same priority rather than not at all
        pass


def lower_this_thread() -> None:
    """Make the calling thread (and what it starts) ``background_nice()`` nicer than the process's main thread.

    Linux only (a no-op elsewhere). Meant for dedicated worker threads: a nice value cannot be raised back
    without privileges. Calling it again does not lower the thread further.
    """
    if not sys.platform.startswith("linux"):
        return
    increment = background_nice()
    if increment == 0:
        return
    target = os.getpriority(os.PRIO_PROCESS, os.getpid()) + increment  # the main thread's value, the server's
    if _thread_nice() < target:
        _set_nice(target, threading.get_native_id())


def _lower_child(target: int) -> Callable[[], None]:
    def lower() -> None:
        # Runs in the forked child before exec: the child has one thread, 0 means itself.
        if os.getpriority(os.PRIO_PROCESS, 0) < target:
            _set_nice(target, 0)

    return lower


def background_popen_kwargs(preexec: Callable[[], None] | None = None) -> dict[str, Any]:
    """Keyword arguments for ``subprocess.Popen`` that start the command at background priority.

    ``preexec`` (POSIX) also runs in the child before exec, after the priority is lowered.
    """
    increment = background_nice()
    if sys.platform == "win32":
        flags = subprocess.BELOW_NORMAL_PRIORITY_CLASS if increment else 0  # type: ignore[attr-defined]
        return {"creationflags": flags}
    if increment == 0:
        return {"preexec_fn": preexec} if preexec else {}
    target = os.getpriority(os.PRIO_PROCESS, os.getpid()) + increment
    lower = _lower_child(target)
    if preexec is None:
        return {"preexec_fn": lower}

    def both() -> None:
        lower()
        preexec()

    return {"preexec_fn": both}
