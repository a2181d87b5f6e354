"""On start: jobs whose owning process died are marked interrupted and their temp folders removed."""

from __future__ import annotations

import shutil

from editfactory.jobs.store import ACTIVE_STATUSES, INTERRUPTED, Job, JobStore
from editfactory.profiles.profile import Profile


def recover_interrupted(profile: Profile) -> list[Job]:
    """Mark queued or running jobs of a dead process as interrupted; returns them (they can be retried).

    Jobs of a live process — the studio while a notebook starts, or the reverse —
    are left alone; so are jobs owned by another machine, whose life we cannot see.
    """
    store = JobStore(profile)
    marks = ", ".join("?" for _ in ACTIVE_STATUSES)
    rows = profile.db.fetchall(f"SELECT id FROM jobs WHERE status IN ({marks})", list(ACTIVE_STATUSES))
    recovered = []
    for (job_id,) in rows:
        job = store.get(job_id)
        if job.owner is not None and job.owner.alive() is not False:
            continue
        if job.temp_dir:
            # Stored relative to the profile folder; never follow it outside.
            folder = profile.paths.absolute(job.temp_dir).resolve()
            if folder.is_relative_to(profile.paths.tmp.resolve()):
                shutil.rmtree(folder, ignore_errors=True)
        who = f"process {job.owner.pid}" if job.owner else "an unknown process"
        store.finish(
            job_id,
            INTERRUPTED,
            error=f"The program running this job ({who}) stopped before it finished. Retry the job to run it again.",
        )
        recovered.append(store.get(job_id))
    return recovered
