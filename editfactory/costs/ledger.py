"""The cost ledger: paid calls are reserved against the profile's monthly quota, then settled.

``reserve`` checks the month's spend and inserts the reservation inside one
write transaction. Writers in a process take turns and only one process can
hold a profile's DuckDB file at a time, so the check and the insert are atomic:
concurrent requests (threads, or the studio and a notebook) can never push the
month over its quota. Reserved and settled entries count as spent; released
ones do not.

A reservation records the process holding it (pid, host, start time): when
that process is gone, the hold no longer counts and the next reservation marks
it released. A provider can bill more than it estimated; then its later
reservations are sized by how much more it billed this month, the month's spend
counts what was billed, so further paid calls are refused once the quota is
reached, and :func:`settle` reports any amount over the quota.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field

from editfactory.core.errors import NotFoundError, QuotaExceededError, ValidationError, check_number
from editfactory.core.ids import new_id
from editfactory.profiles.profile import Profile
from editfactory.storage.processes import ProcessIdentity
from editfactory.storage.settings import get_setting, set_setting

log = logging.getLogger(__name__)

QUOTA_SETTING = "costs.quota_usd"
_COUNTED = ("reserved", "settled")
_EPSILON = 1e-9
MAX_QUOTA_USD = 1_000_000.0
"""A monthly quota above this is a typing slip (or an attempt at "no limit", which is an empty quota)."""
_QUOTA_HINT = "Type it in dollars, e.g. 25, or leave it empty for no limit."


@dataclass(frozen=True)
class Reservation:
    """A hold on part of the month's quota; settle it with the real cost or release it."""

    id: str
    profile: Profile = field(repr=False, compare=False)
    provider: str
    model: str
    estimated_usd: float
    month: str
    held_usd: float = 0.0
    """What the reservation holds: the estimate, scaled up when the provider billed more than estimated."""


def current_month(now: dt.datetime | None = None) -> str:
    """'YYYY-MM' in UTC: the quota period."""
    return (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m")


def get_quota(profile: Profile) -> float | None:
    """The profile's monthly quota in USD, or None for no limit."""
    return _stored_quota(get_setting(profile, QUOTA_SETTING))


def _stored_quota(value: object) -> float | None:
    """A stored quota as an amount; one that is not a finite amount ≥ 0 (stored by an older version, or edited
    by hand: NaN made every comparison false and turned the limit off) counts as $0, so paid calls are refused
    until the quota is set again, never let through."""
    if value is None:
        return None
    try:
        return float(check_number(value, "The stored monthly quota", minimum=0))
    except ValidationError as error:
        log.warning("%s; paid calls are refused until the quota is set again", error)
        return 0.0


def set_quota(profile: Profile, quota_usd: float | None) -> None:
    """Set the monthly quota in USD (None: no limit); anything but an amount from 0 to MAX_QUOTA_USD is refused
    (ValidationError) and the stored quota is kept."""
    if quota_usd is not None:
        quota_usd = float(check_number(quota_usd, "The monthly quota", minimum=0, maximum=MAX_QUOTA_USD,
                                       hint=_QUOTA_HINT))
    set_setting(profile, QUOTA_SETTING, quota_usd)


def _owner_gone(pid: int | None, host: str | None, started: float | None) -> bool:
    """True when the process that reserved is known to be dead (a pid reused since counts as dead)."""
    if pid is None or started is None:
        return True  # reserved before owners were recorded: no process of that version is still running
    return ProcessIdentity(int(pid), host or "", float(started)).alive() is False


def _spent(cursor, month: str) -> float:
    """Settled costs plus holds of live processes; holds left by dead processes do not count."""
    rows = cursor.execute(
        "SELECT status, cost_usd, owner_pid, owner_host, owner_started FROM cost_entries"
        " WHERE month = ? AND status IN ('reserved', 'settled')",
        [month],
    ).fetchall()
    gone: dict[tuple, bool] = {}
    total = 0.0
    for status, cost, *owner in rows:
        if status == "reserved":
            key = tuple(owner)
            if key not in gone:
                gone[key] = _owner_gone(*owner)
            if gone[key]:
                continue
        total += float(cost)
    return total


def _release_orphans(cursor) -> int:
    """Mark holds whose process died as released; returns how many."""
    owners = cursor.execute(
        "SELECT DISTINCT owner_pid, owner_host, owner_started FROM cost_entries WHERE status = 'reserved'"
    ).fetchall()
    released = 0
    for pid, host, started in owners:
        if not _owner_gone(pid, host, started):
            continue
        released += len(cursor.execute(
            "UPDATE cost_entries SET cost_usd = 0, status = 'released', settled_at = now(),"
            " description = description || ' (released: the process that reserved it stopped)'"
            " WHERE status = 'reserved' AND owner_pid IS NOT DISTINCT FROM ? AND owner_host IS NOT DISTINCT FROM ?"
            " AND owner_started IS NOT DISTINCT FROM ? RETURNING id",
            [pid, host, started],
        ).fetchall())
    return released


def release_orphaned(profile: Profile) -> int:
    """Release the holds of processes that died before settling them; returns how many were released."""
    with profile.db.transaction() as cursor:
        return _release_orphans(cursor)


def _billing_factor(cursor, provider: str, month: str) -> float:
    """How much more than estimated the provider billed this month (1.0 when it billed as estimated or less)."""
    billed, estimated = cursor.execute(
        "SELECT COALESCE(SUM(cost_usd), 0), COALESCE(SUM(estimated_usd), 0) FROM cost_entries"
        " WHERE provider = ? AND month = ? AND status = 'settled' AND estimated_usd > 0",
        [provider, month],
    ).fetchone()
    return max(1.0, float(billed) / float(estimated)) if estimated else 1.0


def _quota(cursor) -> float | None:
    row = cursor.execute("SELECT value FROM settings WHERE key = ?", [QUOTA_SETTING]).fetchone()
    return None if row is None else _stored_quota(json.loads(row[0]))


def month_spend(profile: Profile, month: str | None = None) -> float:
    """Spent this month: settled costs plus reservations still in flight."""
    with profile.db.read() as cursor:
        return _spent(cursor, month or current_month())


def remaining_quota(profile: Profile, month: str | None = None) -> float | None:
    quota = get_quota(profile)
    return None if quota is None else max(0.0, quota - month_spend(profile, month))


def reserve(
    profile: Profile,
    provider: str,
    model: str,
    estimated_cost: float,
    *,
    units: float = 0,
    unit: str = "characters",
    job_id: str | None = None,
    description: str = "",
) -> Reservation:
    """Hold ``estimated_cost`` of this month's quota, or raise QuotaExceededError and charge nothing.

    When the provider billed more than it estimated earlier this month, the hold is scaled up by that factor.
    """
    estimated_cost = check_number(estimated_cost, "An estimated cost", minimum=0)
    units = check_number(units, "The number of units", minimum=0)
    owner = ProcessIdentity.current()
    month = current_month()
    entry_id = new_id("cost")
    with profile.db.transaction() as cursor:
        if job_id is not None and cursor.execute("SELECT 1 FROM jobs WHERE id = ?", [job_id]).fetchone() is None:
            raise NotFoundError("Job", job_id, profile.name)
        _release_orphans(cursor)
        quota = _quota(cursor)
        factor = _billing_factor(cursor, provider, month)
        held = float(estimated_cost) * factor
        spent = _spent(cursor, month)
        if quota is not None and spent + held > quota + _EPSILON:
            left = max(0.0, quota - spent)
            billed_more = (f" ({provider} has billed {factor:.1f}x its estimates this month, so about "
                           f"${held:.4f} is held)" if factor > 1.0 + 1e-6 else "")
            raise QuotaExceededError(
                f"This {provider} request would cost about ${estimated_cost:.4f}{billed_more}, but profile "
                f"{profile.name!r} has only ${left:.4f} left of its ${quota:.2f} monthly quota ({month}). Raise the "
                "quota in the profile's cost settings, use a free voice (Piper or Edge TTS), or wait until next month."
            )
        cursor.execute(
            "INSERT INTO cost_entries (id, provider, model, units, unit, cost_usd, status, month, job_id, description,"
            " estimated_usd, owner_pid, owner_host, owner_started)"
            " VALUES (?, ?, ?, ?, ?, ?, 'reserved', ?, ?, ?, ?, ?, ?, ?)",
            [entry_id, provider, model or "", float(units), unit, held, month, job_id, description,
             float(estimated_cost), owner.pid, owner.host, owner.started],
        )
    return Reservation(entry_id, profile, provider, model or "", float(estimated_cost), month, held)


def settle(reservation: Reservation, actual_cost: float, *, units: float | None = None) -> float:
    """Replace the reservation by the cost actually incurred (which may be lower, or zero).

    Returns how far the month is now over its quota (0.0 when it is not); a provider that billed more than
    it estimated can cause that. It is logged, and no further paid call is let through this month.
    """
    actual_cost = check_number(actual_cost, "An actual cost", minimum=0)
    if units is not None:
        units = check_number(units, "The number of units", minimum=0)
    with reservation.profile.db.transaction() as cursor:
        cursor.execute(
            "UPDATE cost_entries SET cost_usd = ?, units = COALESCE(?, units), status = 'settled', settled_at = now()"
            " WHERE id = ? AND status = 'reserved'",
            [float(actual_cost), units, reservation.id],
        )
        quota = _quota(cursor)
        over = 0.0 if quota is None else max(0.0, _spent(cursor, reservation.month) - quota)
    if over > _EPSILON:
        log.warning("%s billed $%.4f (estimated $%.4f): profile %r is $%.4f over its monthly quota",
                    reservation.provider, actual_cost, reservation.estimated_usd, reservation.profile.name, over)
        return over
    return 0.0


def quota_overshoot(profile: Profile, month: str | None = None) -> float:
    """How far the month's spend is over the quota (providers billing more than estimated); 0.0 normally."""
    quota = get_quota(profile)
    return 0.0 if quota is None else max(0.0, month_spend(profile, month) - quota)


def release(reservation: Reservation) -> None:
    """Give the held amount back (the paid call failed or was not made)."""
    with reservation.profile.db.transaction() as cursor:
        cursor.execute(
            "UPDATE cost_entries SET cost_usd = 0, status = 'released', settled_at = now()"
            " WHERE id = ? AND status = 'reserved'",
            [reservation.id],
        )


def monthly_totals(profile: Profile, month: str | None = None) -> dict[str, float]:
    """Spend per provider for the month (reserved + settled)."""
    rows = profile.db.fetchall(
        "SELECT provider, SUM(cost_usd) FROM cost_entries WHERE month = ? AND status IN ('reserved', 'settled')"
        " GROUP BY provider ORDER BY provider",
        [month or current_month()],
    )
    return {provider: float(total) for provider, total in rows}


def month_entries(profile: Profile, month: str | None = None) -> list[dict]:
    return profile.db.fetchdicts(
        "SELECT id, provider, model, units, unit, cost_usd, status, job_id, description, created_at, settled_at"
        " FROM cost_entries WHERE month = ? ORDER BY created_at",
        [month or current_month()],
    )


def release_job_holds(profile: Profile, job_id: str) -> int:
    """Release what a finished job still holds (it died before settling); returns how many holds were released.

    The job runner calls this whenever a job ends, however it ended: a job gone is no longer making a paid call.
    """
    with profile.db.transaction() as cursor:
        return len(cursor.execute(
            "UPDATE cost_entries SET cost_usd = 0, status = 'released', settled_at = now(),"
            " description = description || ' (released: its job ended before settling it)'"
            " WHERE job_id = ? AND status = 'reserved' RETURNING id",
            [job_id],
        ).fetchall())
