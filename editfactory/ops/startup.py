"""What happens when the studio or a notebook opens a profile: finish or report what a crash left behind.

Opening a profile (``Workspace.get``) already removes temp folders of dead
processes. On top of that, ``open_profile`` marks jobs whose process died as
interrupted (so they can be retried), releases cost reservations such a process
still held, and resumes posts left open in the publishing outbox, without
posting anything twice, on a thread of its own with a bounded total time (``publish.background``): opening never waits on Postiz.
Nothing is silently lost: the returned report says what was found.

A page never runs this on its load path: ``open_profile_in_background`` opens
the profile at once and recovers on a thread; the page reads ``summary()`` later.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from editfactory.core.errors import EditFactoryError
from editfactory.costs.ledger import release_orphaned
from editfactory.jobs import Job, recover_interrupted
from editfactory.profiles import Profile, Workspace
from editfactory.publish.background import BackgroundResume, resume_in_background

log = logging.getLogger(__name__)


@dataclass
class StartupReport:
    profile: Profile
    interrupted_jobs: list[Job] = field(default_factory=list)
    publishing: BackgroundResume | None = None  # resuming open posts in the background; poll ``done()``

    def summary(self) -> str:
        """One short paragraph for the person who just opened the profile ('' when there is nothing to say)."""
        lines = []
        if self.interrupted_jobs:
            kinds = ", ".join(sorted({job.kind for job in self.interrupted_jobs}))
            lines.append(
                f"{len(self.interrupted_jobs)} job(s) ({kinds}) stopped when their program ended; retry them from the jobs list."
            )
        if self.publishing is not None and self.publishing.pending:
            lines.append(self.publishing.summary())
        return "\n".join(lines)


@dataclass
class Recovery:
    """One profile's recovery in this process: running until ``done`` is set, then its report or its error."""

    profile: Profile
    done: threading.Event = field(default_factory=threading.Event, repr=False)
    report: StartupReport | None = None
    error: BaseException | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        """True until the jobs are recovered and the open posts' background resume has finished too."""
        if not self.done.is_set():
            return True
        publishing = self.report.publishing if self.report is not None else None
        return publishing is not None and not publishing.done()

    def summary(self) -> str:
        """What to tell the user: '' while running or when there was nothing to report."""
        if self.running:
            return ""
        if self.error is not None:
            return (f"Checking what the last run of profile {self.profile.name!r} left behind failed: {self.error} "
                    "It is tried again the next time the profile is opened.")
        return self.report.summary() if self.report is not None else ""


# Recovery runs once per process and profile: the studio opens the profile for every browser session, and
# what a crash left behind only needs finding once (its report is kept to show again). The lock guards only
# this table, never the recovery itself: one profile's slow Postiz never holds up another profile.
_recoveries: dict[tuple[Path, str], Recovery] = {}
_recoveries_lock = threading.Lock()


def _claim(workspace: Workspace, profile: Profile, again: bool) -> tuple[Recovery, bool]:
    """This profile's recovery record, and whether the caller must run it (nobody has, or ``again``)."""
    key = (workspace.root, profile.id)
    with _recoveries_lock:
        current = _recoveries.get(key)
        if current is not None and (current.running or not again):
            current.profile = profile  # the name may have changed since
            if current.report is not None:
                current.report.profile = profile
            return current, False
        fresh = _recoveries[key] = Recovery(profile)
        return fresh, True


def _recover(workspace: Workspace, recovery: Recovery, resume_posts: bool, resume_options: dict | None) -> None:
    profile = recovery.profile
    try:
        report = StartupReport(profile, interrupted_jobs=recover_interrupted(profile))
        release_orphaned(profile)  # holds of a dead process no longer count against the quota
        if resume_posts:  # on its own thread, bounded in time: recovery never waits on Postiz
            report.publishing = resume_in_background(profile, **(resume_options or {}))
        recovery.report = report
    except BaseException as error:
        recovery.error = error
        with _recoveries_lock:  # a failed recovery is tried again on the next open
            if _recoveries.get((workspace.root, profile.id)) is recovery:
                del _recoveries[(workspace.root, profile.id)]
        if not isinstance(error, Exception):
            raise
        if not isinstance(error, EditFactoryError):
            log.exception("Recovery of profile %s crashed", profile.id)
    finally:
        recovery.done.set()


def _opened(workspace: Workspace, profile_id: str | None) -> Profile:
    profile = workspace.get(profile_id) if profile_id else workspace.last_used()
    workspace.remember_last_used(profile.id)
    return profile


def open_profile(workspace: Workspace, profile_id: str | None = None, *, resume_posts: bool = True,
                 again: bool = False, resume_options: dict | None = None) -> StartupReport:
    """Open a profile (the last used one by default), remember it, and recover what a crash left behind.

    The recovery runs the first time this process opens the profile (or when ``again`` is set). Open posts
    are resumed on a background thread with a bounded total time, so this never waits on Postiz;
    ``report.publishing`` tells how that goes (``done()``, ``wait()``, ``summary()``). While another thread
    recovers the same profile's jobs, this waits for that one rather than running it twice.
    ``resume_options`` go to ``publish.background.resume_in_background`` (``budget``, ``timeout``, ``policy``).
    """
    profile = _opened(workspace, profile_id)
    recovery, mine = _claim(workspace, profile, again)
    if mine:
        _recover(workspace, recovery, resume_posts, resume_options)
    else:
        recovery.done.wait()
    if recovery.error is not None:
        raise recovery.error
    return recovery.report


def open_profile_in_background(workspace: Workspace, profile_id: str | None = None, *,
                               resume_posts: bool = True, again: bool = False,
                               resume_options: dict | None = None) -> Recovery:
    """Open and remember a profile at once; its recovery (jobs, open posts) runs on a background thread.

    Returns at once with the profile's :class:`Recovery`; read ``summary()`` later (a page's periodic
    callback), or ``wait_for_recovery``. Only the first open in this process (or ``again``) starts one.
    """
    profile = _opened(workspace, profile_id)
    recovery, mine = _claim(workspace, profile, again)
    if mine:
        threading.Thread(target=_recover, args=(workspace, recovery, resume_posts, resume_options),
                         name=f"editfactory-recovery-{profile.id[-8:]}", daemon=True).start()
    return recovery


def recovery_of(workspace: Workspace, profile_id: str) -> Recovery | None:
    """This process's recovery of the profile (running or finished), or None if none was started or it failed."""
    with _recoveries_lock:
        return _recoveries.get((workspace.root, profile_id))


def wait_for_recovery(recovery: Recovery, timeout: float | None = None) -> StartupReport | None:
    """The report once the recovery (open posts included) finished, None if still running after ``timeout``.

    Raises the recovery's error.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    if not recovery.done.wait(timeout):
        return None
    if recovery.error is not None:
        raise recovery.error
    publishing = recovery.report.publishing if recovery.report is not None else None
    if publishing is not None:
        publishing.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
    return None if recovery.running else recovery.report
