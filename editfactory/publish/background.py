"""Resuming a profile's open posts on a thread of its own, so opening a profile never waits on Postiz.

When Postiz is slow or unreachable, finishing what a crash left open can take
minutes of retries; the studio opens a profile on its page-load path, so that
work runs here, bounded by a time budget: what is not done by then stays in the
outbox for :func:`~editfactory.publish.service.retry_due_posts` or the next start.
"""

from __future__ import annotations

import logging
import threading

from editfactory.core.errors import EditFactoryError
from editfactory.profiles.profile import Profile
from editfactory.publish import outbox
from editfactory.publish.delivery import RetryPolicy
from editfactory.publish.service import ResumeReport, resume_pending

log = logging.getLogger(__name__)

RESUME_BUDGET = 60.0
"""Seconds a background resume may keep retrying before it leaves the rest for later."""
RESUME_TIMEOUT = 15.0
"""Seconds one request may take during a background resume (the total is about budget + one timeout)."""


class BackgroundResume:
    """A resume of one profile's open posts running on a daemon thread.

    ``pending`` is how many posts were open when it started (0: no thread was
    started). Poll :meth:`done`, or :meth:`wait` for it (a notebook may), then
    read :attr:`report`; :meth:`summary` says where it stands at any time.
    """

    def __init__(self, profile: Profile, *, budget: float = RESUME_BUDGET, timeout: float = RESUME_TIMEOUT,
                 policy: RetryPolicy | None = None) -> None:
        self.profile_name = profile.name
        self.pending = len(outbox.open_publications(profile))
        self._finished = threading.Event()
        self._report: ResumeReport | None = None
        self._error: str | None = None
        if not self.pending:
            self._report = ResumeReport()
            self._finished.set()
            return
        self._thread = threading.Thread(target=self._run, args=(profile, budget, timeout, policy), daemon=True,
                                        name=f"resume-posts-{profile.id}")
        self._thread.start()

    def _run(self, profile: Profile, budget: float, timeout: float, policy: RetryPolicy | None) -> None:
        try:
            self._report = resume_pending(profile, policy=policy, timeout=timeout, budget=budget)
        except EditFactoryError as error:  # e.g. the profile's file is busy: the rows stay open, nothing is lost
            self._error = str(error)
        except Exception:  # never let a background thread die silently; its text is not shown (it may be anything)
            log.exception("Resuming the open posts of profile %s failed", profile.id)
            self._error = "an unexpected error (see the log)"
        finally:
            self._finished.set()

    def done(self) -> bool:
        return self._finished.is_set()

    def wait(self, timeout: float | None = None) -> ResumeReport | None:
        """Wait up to ``timeout`` seconds (forever with None); the report, or None if not finished or it failed."""
        self._finished.wait(timeout)
        return self._report

    @property
    def report(self) -> ResumeReport | None:
        return self._report if self.done() else None

    def summary(self) -> str:
        if not self.done():
            return (f"{self.pending} unfinished post(s) of profile {self.profile_name!r} are being resumed in the "
                    "background (none is sent twice).")
        if self._error is not None:
            return (f"Resuming {self.pending} unfinished post(s) stopped: {self._error} They stay in the outbox and "
                    "are retried later.")
        return self._report.summary() if self._report is not None else ""


def resume_in_background(profile: Profile, *, budget: float = RESUME_BUDGET, timeout: float = RESUME_TIMEOUT,
                         policy: RetryPolicy | None = None) -> BackgroundResume:
    """Start resuming ``profile``'s open posts on a daemon thread and return at once (no thread when none is open)."""
    return BackgroundResume(profile, budget=budget, timeout=timeout, policy=policy)
