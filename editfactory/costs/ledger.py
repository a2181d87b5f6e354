"""The cost ledger: paid calls are reserved against the profile's monthly quota, then settled.

``reserve`` checks the month's spend and inserts the reservation inside one
write transaction. Writers in a process take turns and only one process can
hold a profile's DuckDB file at a time, so the check and the insert are atomic:
concurrent requests (threads, or the studio and a notebook) can never push the
month over its quota. Reserved and settled entries count as spent; released
ones do not.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from editfactory.errors import QuotaExceededError, ValidationError
from editfactory.ids import new_id
from editfactory.profiles.profile import Profile
from editfactory.settings import get_setting, set_setting

QUOTA_SETTING = "costs.quota_usd"
_COUNTED = ("reserved", "settled")
_EPSILON = 1e-9


@dataclass(frozen=True)
class Reservation:
    """A hold on part of the month's quota; settle it with the real cost or release it."""

    id: str
    profile: Profile = field(repr=False, compare=False)
    provider: str
    model: str
    estimated_usd: float
    month: str


def current_month(now: dt.datetime | None = None) -> str:
    """'YYYY-MM' in UTC: the quota period."""
    return (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m")


def get_quota(profile: Profile) -> float | None:
    """The profile's monthly quota in USD, or None for no limit."""
    value = get_setting(profile, QUOTA_SETTING)
    return None if value is None else float(value)


def set_quota(profile: Profile, quota_usd: float | None) -> None:
    if quota_usd is not None:
        if not isinstance(quota_usd, (int, float)) or quota_usd < 0:
            raise ValidationError("The monthly quota must be a positive amount in dollars, or empty for no limit.")
        quota_usd = float(quota_usd)
    set_setting(profile, QUOTA_SETTING, quota_usd)


def _spent(cursor, month: str) -> float:
    row = cursor.execute(
        "SELECT COALESCE(SUM(cost_usd), 0) FROM cost_entries WHERE month = ? AND status IN ('reserved', 'settled')",
        [month],
    ).fetchone()
    return float(row[0])


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
    """Hold ``estimated_cost`` of this month's quota, or raise QuotaExceededError and charge nothing."""
    if estimated_cost < 0:
        raise ValidationError("An estimated cost cannot be negative.")
    month = current_month()
    entry_id = new_id("cost")
    with profile.db.transaction() as cursor:
        row = cursor.execute("SELECT value FROM settings WHERE key = ?", [QUOTA_SETTING]).fetchone()
        quota = None if row is None or json.loads(row[0]) is None else float(json.loads(row[0]))
        spent = _spent(cursor, month)
        if quota is not None and spent + estimated_cost > quota + _EPSILON:
            left = max(0.0, quota - spent)
            raise QuotaExceededError(
                f"This {provider} request would cost about ${estimated_cost:.4f}, but profile {profile.name!r} has "
                f"only ${left:.4f} left of its ${quota:.2f} monthly quota ({month}). Raise the quota in the "
                "profile's cost settings, use a free voice (Piper or Edge TTS), or wait until next month."
            )
        cursor.execute(
            "INSERT INTO cost_entries (id, provider, model, units, unit, cost_usd, status, month, job_id, description)"
            " VALUES (?, ?, ?, ?, ?, ?, 'reserved', ?, ?, ?)",
            [entry_id, provider, model or "", float(units), unit, float(estimated_cost), month, job_id, description],
        )
    return Reservation(entry_id, profile, provider, model or "", float(estimated_cost), month)


def settle(reservation: Reservation, actual_cost: float, *, units: float | None = None) -> None:
    """Replace the reservation by the cost actually incurred (which may be lower, or zero)."""
    if actual_cost < 0:
        raise ValidationError("An actual cost cannot be negative.")
    with reservation.profile.db.transaction() as cursor:
        cursor.execute(
            "UPDATE cost_entries SET cost_usd = ?, units = COALESCE(?, units), status = 'settled', settled_at = now()"
            " WHERE id = ? AND status = 'reserved'",
            [float(actual_cost), units, reservation.id],
        )


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
