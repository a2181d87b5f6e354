"""50 concurrent paid ElevenLabs requests at the edge of the quota never push the month over it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from editfactory.core.errors import QuotaExceededError
from editfactory.costs import month_entries, month_spend, set_quota
from editfactory.storage.secrets import set_secret
from editfactory.storage.settings import set_setting
from editfactory.tts import synthesize_for_profile
from tests.fakes.elevenlabs_server import FakeElevenLabs
from tests.tts.conftest import lavfi


@pytest.fixture
def fake_server(tmp_path):
    audio = lavfi(tmp_path / "tone.mp3", "sine=frequency=220", 1.0, 24000).read_bytes()
    with FakeElevenLabs(audio, latency=0.02) as server:
        yield server


def test_concurrent_paid_requests_stay_within_quota(workspace, fake_server, monkeypatch):
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")
    profile = workspace.create("Quota edge")
    set_secret(profile, "elevenlabs.api_key", fake_server.api_key)
    set_setting(profile, "tts.endpoints", {"elevenlabs": fake_server.base_url})
    # Each text is 100 characters → $0.01 on eleven_multilingual_v2; the quota fits 20.5 of them.
    set_quota(profile, 0.205)
    texts = [f"Request number {i:02d} for the summer sale. ".ljust(100, "x") for i in range(50)]

    def request(text):
        try:
            return synthesize_for_profile(profile, text, {"provider": "elevenlabs"})
        except QuotaExceededError:
            return None

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(request, texts))
    done = [r for r in results if r is not None]
    assert len(done) == 20
    assert month_spend(profile) == pytest.approx(0.20) and month_spend(profile) <= 0.205
    assert len(fake_server.calls("/v1/text-to-speech")) == 20  # refused requests never reached the service
    assert sorted(e["status"] for e in month_entries(profile)) == ["settled"] * 20
