"""The per-profile amount above which a paid call is confirmed first."""

from __future__ import annotations

import math

import pytest

from editfactory.core.errors import ValidationError
from editfactory.costs.confirm import (
    CONFIRM_SETTING,
    DEFAULT_CONFIRM_ABOVE_USD,
    confirm_above,
    needs_confirmation,
    set_confirm_above,
)
from editfactory.profiles import Workspace
from editfactory.storage.settings import set_setting


@pytest.fixture
def profile(tmp_path):
    return Workspace(tmp_path / "ws").create("Shoes")


def test_default_is_fifty_cents_and_each_profile_has_its_own(profile, tmp_path):
    other = Workspace(tmp_path / "ws").create("Hats")
    assert confirm_above(profile) == DEFAULT_CONFIRM_ABOVE_USD == 0.50
    assert needs_confirmation(profile, 0.51) and not needs_confirmation(profile, 0.50)
    assert not needs_confirmation(profile, 0.0)
    set_confirm_above(profile, 2)
    assert confirm_above(profile) == 2.0 and not needs_confirmation(profile, 1.99)
    assert confirm_above(other) == 0.50
    set_confirm_above(profile, 0)  # every paid call asks, free ones never
    assert needs_confirmation(profile, 0.0001) and not needs_confirmation(profile, 0.0)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -0.01, 1e9, True, "lots", None])
def test_bad_amounts_are_refused_and_nothing_changes(profile, bad):
    set_confirm_above(profile, 1.25)
    with pytest.raises(ValidationError):
        set_confirm_above(profile, bad)
    assert confirm_above(profile) == 1.25


def test_an_amount_broken_by_hand_asks_for_every_paid_call(profile):
    set_setting(profile, CONFIRM_SETTING, "NaN")
    assert confirm_above(profile) == 0.0 and needs_confirmation(profile, 0.001)
