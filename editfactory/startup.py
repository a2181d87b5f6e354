"""What happens when the studio or a notebook opens a profile: finish or report what a crash left behind.

Opening a profile (``Workspace.get``) already removes temp folders of dead
processes. On top of that, ``open_profile`` marks jobs whose process died as
interrupted (so they can be retried) and resumes posts left open in the
publishing outbox, without posting anything twice. Nothing is silently lost:
the returned report says what was found.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from editfactory.jobs import Job, recover_interrupted
from editfactory.profiles import Profile, Workspace
from editfactory.publish import ResumeReport, resume_pending


@dataclass
class StartupReport:
    profile: Profile
    interrupted_jobs: list[Job] = field(default_factory=list)
    publishing: ResumeReport | None = None

    def summary(self) -> str:
        """One short paragraph for the person who just opened the profile ('' when there is nothing to say)."""
        lines = []
        if self.interrupted_jobs:
            kinds = ", ".join(sorted({job.kind for job in self.interrupted_jobs}))
            lines.append(
                f"{len(self.interrupted_jobs)} job(s) ({kinds}) stopped when their program ended; retry them from the jobs list."
            )
        if self.publishing is not None and (self.publishing.found or self.publishing.not_due or self.publishing.skipped_in_use):
            lines.append(self.publishing.summary())
        return "\n".join(lines)


# Recovery runs once per process and profile: the studio calls open_profile for every browser
# session, and what a crash left behind only needs finding once (its report is kept to show again).
_recovered: dict[tuple[Path, str], StartupReport] = {}
_recovered_lock = threading.Lock()


def open_profile(workspace: Workspace, profile_id: str | None = None, *, resume_posts: bool = True,
                 again: bool = False) -> StartupReport:
    """Open a profile (the last used one by default), remember it, and recover what a crash left behind.

    The recovery runs the first time this process opens the profile (or when ``again`` is set).
    """
    profile = workspace.get(profile_id) if profile_id else workspace.last_used()
    workspace.remember_last_used(profile.id)
    key = (workspace.root, profile.id)
    with _recovered_lock:
        if not again and key in _recovered:
            report = _recovered[key]
            report.profile = profile  # the name may have changed since
            return report
        report = StartupReport(profile, interrupted_jobs=recover_interrupted(profile))
        if resume_posts:
            report.publishing = resume_pending(profile)
        _recovered[key] = report
    return report
