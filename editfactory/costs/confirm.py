"""The amount above which a paid call (voiceover, voice sample, render with a new voiceover) is confirmed first.

A per-profile setting: the studio shows the price and asks before spending more than this on one call.
"""

from __future__ import annotations

import logging

from editfactory.core.errors import ValidationError, check_number
from editfactory.profiles.profile import Profile
from editfactory.storage.settings import get_setting, set_setting

log = logging.getLogger(__name__)

CONFIRM_SETTING = "costs.confirm_above_usd"
DEFAULT_CONFIRM_ABOVE_USD = 0.50
MAX_CONFIRM_ABOVE_USD = 1000.0


def confirm_above(profile: Profile) -> float:
    """The profile's amount in USD: a paid call costing more is confirmed first (default $0.50)."""
    value = get_setting(profile, CONFIRM_SETTING)
    if value is None:
        return DEFAULT_CONFIRM_ABOVE_USD
    try:
        return float(check_number(value, "The stored confirmation amount", minimum=0, maximum=MAX_CONFIRM_ABOVE_USD))
    except ValidationError as error:  # edited by hand: ask for every paid call rather than none
        log.warning("%s; every paid call is confirmed until it is set again", error)
        return 0.0


def set_confirm_above(profile: Profile, amount_usd: object) -> float:
    """Store the amount (0 asks for every paid call); anything but $0–$1000 is refused and nothing changes."""
    amount = float(check_number(amount_usd, "The amount to confirm paid calls above", minimum=0,
                                maximum=MAX_CONFIRM_ABOVE_USD, hint="e.g. 0.50 for fifty cents"))
    set_setting(profile, CONFIRM_SETTING, amount)
    return amount


def needs_confirmation(profile: Profile, cost_usd: float) -> bool:
    """Whether a call of ``cost_usd`` is over the profile's amount (free and cached calls never are)."""
    return cost_usd > 0 and cost_usd > confirm_above(profile)
