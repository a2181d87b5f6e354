"""Dashboard figures: per profile (projects, clips, rendered, published, this month's cost and quota) and
a cross-profile overview that reads every profile on its own, so no figure ever mixes two stores.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field, replace

from editfactory.core.errors import EditFactoryError, ProfileBusyError
from editfactory.costs import current_month, get_quota, month_spend, monthly_totals
from editfactory.profiles import Profile, Workspace

RENDERED_STATUSES = ("rendered", "published")
_OVERVIEW_THREADS = 8


@dataclass(frozen=True)
class ProfileFigures:
    """What one store has made and spent; ``error`` is set (and the counts are zero) if it could not be read."""

    profile_id: str
    profile_name: str
    month: str
    projects: int = 0
    clips: int = 0
    rendered: int = 0
    published: int = 0
    jobs_running: int = 0
    cost_by_provider: dict[str, float] = field(default_factory=dict)
    cost_this_month: float = 0.0
    quota_usd: float | None = None
    error: str | None = None
    busy: bool = False
    """Another program held the profile's file: the figures are unknown right now (not zero)."""

    @property
    def quota_used(self) -> float | None:
        """Fraction of the monthly quota spent (may exceed 1 if the quota was lowered); None without a quota."""
        if self.quota_usd is None:
            return None
        if self.quota_usd == 0:
            return 1.0 if self.cost_this_month > 0 else 0.0
        return self.cost_this_month / self.quota_usd

    @property
    def quota_left(self) -> float | None:
        return None if self.quota_usd is None else max(0.0, self.quota_usd - self.cost_this_month)


def _counts(profile: Profile) -> dict[str, int]:
    marks = ", ".join("?" for _ in RENDERED_STATUSES)
    with profile.db.read() as cur:
        projects = cur.execute("SELECT count(*) FROM projects").fetchone()[0]
        clips = cur.execute("SELECT count(*) FROM clips").fetchone()[0]
        rendered = cur.execute(f"SELECT count(*) FROM clips WHERE status IN ({marks})", list(RENDERED_STATUSES)).fetchone()[0]
        # A clip counts as published once a post of it went out, or when it was marked published by hand.
        published = cur.execute(
            "SELECT count(*) FROM (SELECT clip_id FROM publications WHERE status = 'posted' "
            "UNION SELECT id FROM clips WHERE status = 'published')"
        ).fetchone()[0]
        running = cur.execute("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')").fetchone()[0]
    return {"projects": projects, "clips": clips, "rendered": rendered, "published": published, "jobs_running": running}


def profile_figures(profile: Profile, month: str | None = None) -> ProfileFigures:
    """The dashboard figures of one profile for ``month`` ('YYYY-MM', default this month in UTC)."""
    month = month or current_month()
    with profile.db.session():  # one open of the file for all the queries
        counts = _counts(profile)
        by_provider = monthly_totals(profile, month)
        spent = month_spend(profile, month)
        quota = get_quota(profile)
    return ProfileFigures(
        profile_id=profile.id,
        profile_name=profile.name,
        month=month,
        cost_by_provider={name: round(value, 6) for name, value in by_provider.items()},
        cost_this_month=round(spent, 6),
        quota_usd=quota,
        **counts,
    )


OVERVIEW_BUSY_TIMEOUT = 1.0
"""Seconds the overview waits for a profile another program holds before it shows that profile as busy."""
BUSY_ERROR = "busy: another program (the studio or a notebook) is using it right now; its figures show once it is free."


def _busy_figures(profile: Profile, month: str) -> ProfileFigures:
    return ProfileFigures(profile.id, profile.name, month, error=BUSY_ERROR, busy=True)


def _read_quickly(profile: Profile, month: str, busy_timeout: float) -> ProfileFigures:
    quick = replace(profile, db=profile.db.with_busy_timeout(busy_timeout))
    try:
        return profile_figures(quick, month)
    except ProfileBusyError:
        return _busy_figures(profile, month)
    except EditFactoryError as error:
        return ProfileFigures(profile.id, profile.name, month, error=str(error))


def overview(workspace: Workspace, month: str | None = None, *, busy_timeout: float = OVERVIEW_BUSY_TIMEOUT,
             wait: float | None = None) -> list[ProfileFigures]:
    """Figures of every profile (sorted by name), each read from its own database, side by side.

    A profile another program holds for more than ``busy_timeout`` seconds is shown as busy (``busy=True``)
    instead of being waited for, and the whole overview returns within about ``wait`` seconds
    (default ``busy_timeout`` + 2): a profile not read by then is busy too. A broken one reports its error.
    """
    month = month or current_month()
    profiles = workspace.list()
    if not profiles:
        return []
    wait = busy_timeout + 2.0 if wait is None else wait
    pool = ThreadPoolExecutor(max_workers=min(_OVERVIEW_THREADS, len(profiles)), thread_name_prefix="overview")
    futures = [pool.submit(_read_quickly, profile, month, busy_timeout) for profile in profiles]
    futures_wait(futures, timeout=wait)
    pool.shutdown(wait=False, cancel_futures=True)  # a read still waiting ends by itself within busy_timeout
    return [future.result() if future.done() and not future.cancelled() else _busy_figures(profile, month)
            for future, profile in zip(futures, profiles)]
