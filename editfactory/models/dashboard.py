"""The Dashboard page's state: this profile's figures and cost history, and an overview of every profile.

The overview reads each profile from its own database in parallel and never
waits long on one: a profile whose file another program holds shows as busy.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor, wait

import param

from editfactory.core.errors import EditFactoryError
from editfactory.costs import current_month, month_entries
from editfactory.jobs import JobStore
from editfactory.jobs.describe import describe_job
from editfactory.models.jobs import job_names
from editfactory.models.session import FAILED, StudioSession
from editfactory.services.dashboard import ProfileFigures, profile_figures

OVERVIEW_WAIT_SECONDS = 1.5  # a page never waits longer than this on another profile
QUOTA_AMBER = 0.70
QUOTA_RED = 0.90


def quota_level(used: float | None) -> str:
    """'none', 'ok', 'amber' (above 70 %) or 'red' (above 90 %)."""
    if used is None:
        return "none"
    if used > QUOTA_RED:
        return "red"
    if used > QUOTA_AMBER:
        return "amber"
    return "ok"


def recent_months(count: int = 12, today: dt.date | None = None) -> list[str]:
    today = today or dt.datetime.now(dt.timezone.utc).date()
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def read_overview(workspace, month: str, wait_seconds: float = OVERVIEW_WAIT_SECONDS) -> list[ProfileFigures]:
    """Every profile's figures, each read on its own; one that does not answer in time is reported busy."""
    profiles = workspace.list()
    pool = ThreadPoolExecutor(max_workers=min(8, max(1, len(profiles))), thread_name_prefix="overview")
    futures = {pool.submit(profile_figures, p, month): p for p in profiles}
    done, _ = wait(futures, timeout=wait_seconds)
    pool.shutdown(wait=False, cancel_futures=True)  # a busy profile's read finishes (or gives up) on its own
    figures = []
    for future, profile in futures.items():
        if future not in done:
            figures.append(ProfileFigures(profile.id, profile.name, month, error="busy — open in another program"))
            continue
        try:
            figures.append(future.result())
        except EditFactoryError as error:
            figures.append(ProfileFigures(profile.id, profile.name, month, error=str(error)))
    return figures


class DashboardModel(param.Parameterized):
    session = param.ClassSelector(class_=StudioSession)
    month = param.Selector(default=current_month(), objects=recent_months(), doc="The month the figures are for.")
    figures = param.ClassSelector(class_=ProfileFigures, allow_None=True, doc="This profile's figures.")
    history = param.List(default=[], doc="This profile's cost entries of the month (date, job, provider, units, cost); "
                                         "each with ``job_words``: what its job made, in words.")
    overview = param.List(default=[], doc="Every profile's figures, read one by one (busy ones say so).")

    def __init__(self, **params) -> None:
        super().__init__(**params)
        months = recent_months()  # of today, not of when the module was imported
        self.param.month.objects = months
        if self.month not in months:
            self.month = months[0]

    def read(self) -> tuple[ProfileFigures, list[dict]]:
        profile = self.session.require_profile()
        with profile.db.session():
            entries = month_entries(profile, self.month)
            jobs = JobStore(profile).many([e["job_id"] for e in entries if e["job_id"]])
            names = job_names(profile, jobs.values())
            for entry in entries:
                job = jobs.get(entry["job_id"])
                entry["job_words"] = describe_job(job.kind, job.inputs, names) if job else ""
            return profile_figures(profile, self.month), entries

    def read_overview(self) -> list[ProfileFigures]:
        return read_overview(self.session.workspace, self.month)

    def load(self) -> None:
        self.figures, self.history = self.read()
        self.overview = self.read_overview()

    async def refresh(self) -> None:
        mine = await self.session.call(self.read)
        if mine is not FAILED:
            self.figures, self.history = mine
        everyone = await self.session.call(self.read_overview)
        if everyone is not FAILED:
            self.overview = everyone
