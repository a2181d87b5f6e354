"""Cost reservations of a dead process stop counting, and a provider billing more than estimated stops paid calls."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap

import psutil
import pytest

from editfactory.core.errors import NotFoundError, QuotaExceededError
from editfactory.costs import month_entries, month_spend, remaining_quota, reserve, set_quota
from editfactory.costs.ledger import quota_overshoot, release_orphaned
from editfactory.storage.secrets import set_secret
from editfactory.storage.settings import set_setting
from editfactory.tts import synthesize_for_profile
from tests.fakes.elevenlabs_server import FakeElevenLabs
from tests.tts.conftest import lavfi


def _reserve_in_child(workspace, profile, *, then: str) -> subprocess.Popen:
    """A process that reserves $0.30, then exits without settling ('exit') or stays alive ('wait')."""
    script = textwrap.dedent(f"""
        import sys, time
        from editfactory.profiles import Workspace
        from editfactory.costs import reserve
        profile = Workspace({str(workspace.root)!r}).get({profile.id!r})
        reserve(profile, "elevenlabs", "m", 0.30)
        print("reserved", flush=True)
        if {then!r} == "wait":
            sys.stdin.readline()
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "reserved"
    return child


def test_a_dead_processs_reservation_no_longer_counts_and_is_released(workspace):
    profile = workspace.create("Costs")
    set_quota(profile, 0.60)
    alive = _reserve_in_child(workspace, profile, then="wait")
    dead = _reserve_in_child(workspace, profile, then="exit")
    dead.stdin.close()
    dead.wait()
    try:
        assert month_spend(profile) == pytest.approx(0.30)  # only the live hold counts; reading writes nothing
        assert sorted(e["status"] for e in month_entries(profile)) == ["reserved", "reserved"]
        reserve(profile, "elevenlabs", "m", 0.30)  # fits only because the dead hold is gone
        entries = {e["status"] for e in month_entries(profile)}
        assert entries == {"released", "reserved"} and remaining_quota(profile) == pytest.approx(0.0)
        assert release_orphaned(profile) == 0  # the live process's hold stays
    finally:
        alive.stdin.close()
        alive.wait()
        dead.stdout.close()
        alive.stdout.close()
    assert release_orphaned(profile) == 1 and month_spend(profile) == pytest.approx(0.30)


def test_a_reused_pid_does_not_keep_a_hold(workspace):
    profile = workspace.create("Costs")
    set_quota(profile, 0.50)
    held = reserve(profile, "elevenlabs", "m", 0.40)
    started = psutil.Process().create_time()
    with profile.db.transaction() as cur:  # the holder died and a new process (this one) got its pid
        cur.execute("UPDATE cost_entries SET owner_started = ?, owner_host = ? WHERE id = ?",
                    [started - 3600, socket.gethostname(), held.id])
    assert month_spend(profile) == 0.0
    reserve(profile, "elevenlabs", "m", 0.50)


def test_a_reservation_for_another_profiles_job_is_refused(workspace):
    from editfactory.jobs import JobStore

    a, b = workspace.create("A"), workspace.create("B")
    job = JobStore(a).create("production")
    with pytest.raises(NotFoundError, match="Job .* not found in profile 'B'"):
        reserve(b, "elevenlabs", "m", 0.10, job_id=job.id)
    assert month_entries(b) == []
    reserve(a, "elevenlabs", "m", 0.10, job_id=job.id)


@pytest.fixture
def double_billing(tmp_path, monkeypatch):
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")
    audio = lavfi(tmp_path / "tone.mp3", "sine=frequency=220", 1.0, 24000).read_bytes()
    with FakeElevenLabs(audio, billing_factor=2) as server:
        yield server


def _paid_profile(workspace, server, quota: float):
    profile = workspace.create("Billed double")
    set_secret(profile, "elevenlabs.api_key", server.api_key)
    set_setting(profile, "tts.endpoints", {"elevenlabs": server.base_url})
    set_quota(profile, quota)
    return profile


def _texts(count: int) -> list[str]:
    # 100 characters each: estimated $0.01 on eleven_multilingual_v2, billed $0.02 by this server.
    return [f"Request number {i:02d} for the summer sale. ".ljust(100, "x") for i in range(count)]


def test_billing_more_than_estimated_stops_paid_calls_before_the_quota_is_passed(workspace, double_billing):
    profile = _paid_profile(workspace, double_billing, 0.215)
    refused = []
    for text in _texts(15):
        try:
            synthesize_for_profile(profile, text, {"provider": "elevenlabs"})
        except QuotaExceededError as error:
            refused.append(str(error))
    # After the first bill the holds are sized at 2x: 10 calls ($0.20), where estimates alone let an 11th through.
    assert len(double_billing.calls("/v1/text-to-speech")) == 10 and len(refused) == 5
    assert month_spend(profile) == pytest.approx(0.20) and quota_overshoot(profile) == 0.0
    assert "billed 2.0x its estimates" in refused[0]


def test_an_overshoot_is_reported_and_no_paid_call_follows(workspace, double_billing):
    profile = _paid_profile(workspace, double_billing, 0.015)
    said = []
    first, second = _texts(2)
    synthesize_for_profile(profile, first, {"provider": "elevenlabs"}, progress=lambda m, f: said.append(m))
    assert quota_overshoot(profile) == pytest.approx(0.005)
    assert any("is now $0.0050 over its monthly quota" in m and "further paid voiceovers are refused" in m for m in said)
    with pytest.raises(QuotaExceededError):
        synthesize_for_profile(profile, second, {"provider": "elevenlabs"})
    assert len(double_billing.calls("/v1/text-to-speech")) == 1
