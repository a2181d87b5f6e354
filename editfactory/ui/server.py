"""What one studio server process shares between all its browser sessions: the workspace and the job runner.

These are process-wide by design: one Workspace and one JobRunner per server
process, however many browser tabs it serves. Nothing per-session lives here.
"""

from __future__ import annotations

import threading

from editfactory.jobs import JobRunner
from editfactory.profiles import Workspace
from editfactory.publish.retry_loop import watch_workspace

_lock = threading.Lock()
_workspace: Workspace | None = None
_runner: JobRunner | None = None


def shared_workspace() -> Workspace:
    """The workspace of this process (``data/`` or ``$EDITFACTORY_DATA``), created on first use."""
    global _workspace
    with _lock:
        if _workspace is None:
            _workspace = Workspace()
            start_background_work(_workspace)
        return _workspace


def start_background_work(workspace: Workspace | None = None) -> None:
    """What the server does without any browser: send every profile's posts once their wait is over.

    Runs with the first session, and at server start through ``--setup editfactory/ui/server_setup.py``
    (``invoke dev`` and ``invoke serve`` pass it).
    """
    watch_workspace(workspace or shared_workspace())


def shared_runner() -> JobRunner:
    """The job runner of this process, created on first use; it finds every kind in editfactory.jobs.registry."""
    global _runner
    with _lock:
        if _runner is None:
            _runner = JobRunner()
        return _runner

