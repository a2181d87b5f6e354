"""Costs: the per-profile ledger of paid calls and the monthly quota they are reserved against."""

from editfactory.costs.history import cost_history, count_cost_history
from editfactory.costs.ledger import (
    QUOTA_SETTING,
    Reservation,
    current_month,
    get_quota,
    month_entries,
    month_spend,
    monthly_totals,
    release,
    remaining_quota,
    reserve,
    set_quota,
    settle,
)

__all__ = [
    "QUOTA_SETTING",
    "Reservation",
    "cost_history",
    "count_cost_history",
    "current_month",
    "get_quota",
    "month_entries",
    "month_spend",
    "monthly_totals",
    "release",
    "remaining_quota",
    "reserve",
    "set_quota",
    "settle",
]
