"""The cost history: every paid call of a profile with its job's kind, filtered and paged (Usage page, notebooks).

Released reservations (calls that failed and cost nothing) are left out unless asked for.
"""

from __future__ import annotations

from editfactory.core.errors import ValidationError
from editfactory.core.paging import limit_clause
from editfactory.profiles.profile import Profile

_COUNTED = ("reserved", "settled")
_MONTH_LENGTH = len("YYYY-MM")


def _filters(month: str | None, provider: str | None, include_released: bool) -> tuple[str, list]:
    where, params = [], []
    if month is not None:
        if len(month) != _MONTH_LENGTH or month[4] != "-" or not (month[:4] + month[5:]).isdigit():
            raise ValidationError(f"{month!r} is not a month; use 'YYYY-MM', e.g. '2026-12'.")
        where.append("e.month = ?")
        params.append(month)
    if provider is not None:
        where.append("e.provider = ?")
        params.append(provider)
    if not include_released:
        where.append(f"e.status IN ({', '.join('?' for _ in _COUNTED)})")
        params.extend(_COUNTED)
    return (" WHERE " + " AND ".join(where)) if where else "", params


def cost_history(profile: Profile, *, month: str | None = None, provider: str | None = None,
                 include_released: bool = False, newest_first: bool = False, limit: int | None = None,
                 offset: int = 0) -> list[dict]:
    """Every paid call (all, oldest first, by default): id, created_at, month, provider, model, units, unit,
    cost_usd, status, job_id, job_kind, description, settled_at. A page passes ``newest_first=True, limit=50``."""
    where, params = _filters(month, provider, include_released)
    paging, paging_params = limit_clause(offset, limit)
    order = "e.created_at DESC, e.id" if newest_first else "e.created_at, e.id"
    return profile.db.fetchdicts(
        "SELECT e.id, e.created_at, e.month, e.provider, e.model, e.units, e.unit, e.cost_usd, e.status, e.job_id,"
        " j.kind AS job_kind, e.description, e.settled_at"
        f" FROM cost_entries e LEFT JOIN jobs j ON j.id = e.job_id{where}"
        f" ORDER BY {order}{paging}",
        [*params, *paging_params],
    )


def count_cost_history(profile: Profile, *, month: str | None = None, provider: str | None = None,
                       include_released: bool = False) -> int:
    where, params = _filters(month, provider, include_released)
    return int(profile.db.fetchone(f"SELECT count(*) FROM cost_entries e{where}", params)[0])
