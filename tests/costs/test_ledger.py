"""The cost ledger: atomic reservations against the monthly quota, settling, releasing, totals."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from editfactory.costs import (
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
from editfactory.core.errors import QuotaExceededError, ValidationError


@pytest.fixture
def profile(workspace):
    return workspace.create("Costs")


def test_reserve_settle_release_and_totals(profile):
    assert get_quota(profile) is None and remaining_quota(profile) is None
    held = reserve(profile, "elevenlabs", "eleven_v3", 0.50, units=5000)
    assert month_spend(profile) == pytest.approx(0.50)
    settle(held, 0.42)
    other = reserve(profile, "elevenlabs", "eleven_flash_v2_5", 0.20)
    release(other)
    reserve(profile, "openai", "tts-1", 0.10)
    assert monthly_totals(profile) == {"elevenlabs": pytest.approx(0.42), "openai": pytest.approx(0.10)}
    statuses = sorted(e["status"] for e in month_entries(profile))
    assert statuses == ["released", "reserved", "settled"]
    settle(other, 5.0)  # a released reservation cannot be charged afterwards
    assert month_spend(profile) == pytest.approx(0.52)


def test_quota_refuses_with_no_charge(profile):
    set_quota(profile, 1.0)
    reserve(profile, "elevenlabs", "m", 0.75)
    with pytest.raises(QuotaExceededError, match=r"only \$0\.2500 left of its \$1\.00 monthly quota"):
        reserve(profile, "elevenlabs", "m", 0.30)
    assert len(month_entries(profile)) == 1
    reserve(profile, "elevenlabs", "m", 0.25)  # exactly up to the quota is fine
    assert remaining_quota(profile) == pytest.approx(0.0)
    with pytest.raises(ValidationError):
        set_quota(profile, -1)
    set_quota(profile, None)
    reserve(profile, "elevenlabs", "m", 100.0)


def test_50_concurrent_reservations_never_overshoot(profile):
    set_quota(profile, 1.0)

    def attempt(_):
        try:
            held = reserve(profile, "elevenlabs", "m", 0.03)
        except QuotaExceededError:
            return False
        settle(held, 0.03)
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(attempt, range(50)))
    assert sum(outcomes) == 33  # floor(1.00 / 0.03)
    assert month_spend(profile) <= 1.0 + 1e-9


def test_two_processes_share_the_quota(workspace, profile, tmp_path):
    set_quota(profile, 0.5)
    script = textwrap.dedent(f"""
        from editfactory.profiles import Workspace
        from editfactory.costs import reserve, settle
        from editfactory.core.errors import QuotaExceededError
        profile = Workspace({str(workspace.root)!r}).get({profile.id!r})
        held = []
        for _ in range(25):
            try:
                held.append(reserve(profile, "elevenlabs", "m", 0.02))
            except QuotaExceededError:
                pass
        for reservation in held:  # settled before exiting: a dead process's unsettled holds are released
            settle(reservation, 0.02)
        print(len(held))
    """)
    workers = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    granted = [int(w.communicate(timeout=120)[0].strip()) for w in workers]
    assert all(w.returncode == 0 for w in workers)
    assert sum(granted) == 25  # 0.50 / 0.02, split between the processes however the lock fell
    assert month_spend(profile) == pytest.approx(0.5)


def test_cost_history_lists_every_month_of_one_profile_without_released_holds(workspace):
    from editfactory.costs import cost_history

    shop, other = workspace.create("History Shop"), workspace.create("Other Shop")
    settle(reserve(shop, "elevenlabs", "eleven_v3", 0.30, units=3000), 0.25)
    release(reserve(shop, "elevenlabs", "eleven_v3", 0.40))
    older = reserve(shop, "openai", "tts-1", 0.10)
    shop.db.execute("UPDATE cost_entries SET month = '2026-01', created_at = TIMESTAMP '2026-01-15 10:00:00'"
                    " WHERE id = ?", [older.id])
    reserve(other, "elevenlabs", "eleven_v3", 9.0)
    history = cost_history(shop)
    assert [(e["month"], e["provider"], e["status"]) for e in history] == [
        ("2026-01", "openai", "reserved"), (history[1]["month"], "elevenlabs", "settled"),
    ]
    assert history[1]["cost_usd"] == pytest.approx(0.25) and history[1]["units"] == 3000
    assert sum(e["cost_usd"] for e in cost_history(other)) == pytest.approx(9.0)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf"), True, False, "25", [25], 10**400],
                         ids=["nan", "inf", "-inf", "True", "False", "text", "list", "huge-int"])
def test_a_quota_that_is_not_a_finite_amount_is_refused_and_the_limit_stays(profile, bad):
    set_quota(profile, 1000.0)
    with pytest.raises(ValidationError, match="monthly quota must be"):
        set_quota(profile, bad)
    assert get_quota(profile) == 1000.0
    reserve(profile, "elevenlabs", "m", 500.0)
    reserve(profile, "elevenlabs", "m", 500.0)
    with pytest.raises(QuotaExceededError):  # with a NaN quota stored, the third $500 went through
        reserve(profile, "elevenlabs", "m", 500.0)
    assert remaining_quota(profile) == 0.0 and month_spend(profile) == pytest.approx(1000.0)


def test_set_quota_stores_minus_zero_as_zero_and_refuses_absurd_amounts(profile):
    set_quota(profile, -0.0)
    assert str(get_quota(profile)) == "0.0"
    with pytest.raises(ValidationError, match="between 0 and 1,000,000, not 1e"):
        set_quota(profile, 1e308)
    assert get_quota(profile) == 0.0


def test_a_quota_stored_as_nan_by_hand_refuses_paid_calls(profile):
    from editfactory.costs import QUOTA_SETTING
    from editfactory.storage.settings import set_setting

    set_setting(profile, QUOTA_SETTING, float("nan"))  # an older version, or a hand-edited database
    assert get_quota(profile) == 0.0 and remaining_quota(profile) == 0.0
    with pytest.raises(QuotaExceededError):
        reserve(profile, "elevenlabs", "m", 500.0)
    assert month_entries(profile) == []


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), True, "0.5", None])
def test_reserve_and_settle_refuse_costs_that_are_not_finite_amounts(profile, bad):
    set_quota(profile, 10.0)
    with pytest.raises(ValidationError, match="cost must be"):
        reserve(profile, "elevenlabs", "m", bad)
    assert month_entries(profile) == []
    held = reserve(profile, "elevenlabs", "m", 4.0)
    with pytest.raises(ValidationError, match="cost must be"):
        settle(held, bad)
    assert [e["status"] for e in month_entries(profile)] == ["reserved"]
    reserve(profile, "elevenlabs", "m", 6.0)  # a NaN cost settled before would have turned the limit off
    with pytest.raises(QuotaExceededError):
        reserve(profile, "elevenlabs", "m", 0.5)
