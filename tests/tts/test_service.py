"""Profile-level synthesis: defaults, overrides, cache (a hit costs nothing and calls nothing), estimates."""

from __future__ import annotations

import pytest

from editfactory.core.errors import NotFoundError, QuotaExceededError, VoiceError
from editfactory.costs import month_entries, monthly_totals, set_quota
from editfactory.storage.settings import set_setting
from editfactory.tts import check_script_length, estimate_for_profile, get_defaults, set_defaults, synthesize_for_profile
from editfactory.tts.errors import ScriptTooLongError
from editfactory.tts.registry import describe_providers


def test_fresh_profile_speaks_with_piper_and_caches(profile):
    first = synthesize_for_profile(profile, "Hello from the shop.")
    assert (first.provider, first.voice, first.cached) == ("piper", "en_US-joe-medium", False)
    assert first.audio_path.parent == profile.paths.tts_cache and first.audio_path.is_file()
    second = synthesize_for_profile(profile, "Hello from the shop.")
    assert second.cached and second.audio_path == first.audio_path
    assert [(w.word, pytest.approx(w.start, abs=1e-4)) for w in first.words] == [(w.word, w.start) for w in second.words]
    other_settings = synthesize_for_profile(profile, "Hello from the shop.", {"settings": {"speed": 1.3}})
    assert not other_settings.cached and other_settings.audio_path != first.audio_path
    assert profile.db.fetchone("SELECT hits FROM tts_cache WHERE audio_path = ?",
                               [profile.paths.relative(first.audio_path)])[0] == 1


def test_defaults_are_saved_per_profile_and_used(workspace):
    a, b = workspace.create("A"), workspace.create("B")
    saved = set_defaults(a, "piper", "en_US-joe-medium", settings={"speed": 1.2})
    assert saved.settings["speed"] == 1.2 and saved.model == "piper"
    reopened = type(workspace)(workspace.root).get(a.id)
    assert get_defaults(reopened).settings["speed"] == 1.2
    assert get_defaults(b).settings == {}
    assert synthesize_for_profile(reopened, "Socks.").settings["speed"] == 1.2
    assert synthesize_for_profile(reopened, "Socks.", {"settings": {"speed": 0.9}}).settings["speed"] == 0.9
    with pytest.raises(VoiceError, match="Invalid voice setting"):
        set_defaults(a, "piper", settings={"speed": 50})
    with pytest.raises(VoiceError, match="has no model"):
        set_defaults(a, "elevenlabs", model="eleven_v9")


def test_estimates_and_profile_prices(profile):
    text = "x" * 400
    assert estimate_for_profile(profile, text)["label"] == "Free"
    paid = estimate_for_profile(profile, text, {"provider": "elevenlabs"})
    assert paid["model"] == "eleven_multilingual_v2" and paid["label"] == "$0.04"
    set_setting(profile, "tts.prices", {"elevenlabs": {"eleven_multilingual_v2": 0.30}})
    assert estimate_for_profile(profile, text, {"provider": "elevenlabs"})["label"] == "$0.12"
    rows = {row["name"]: row for row in describe_providers(profile)}
    assert rows["piper"]["available"]
    assert not rows["elevenlabs"]["available"] and "API key" in rows["elevenlabs"]["reason"]
    assert "non-commercial" in rows["xtts"]["licence_note"]
    assert {m["id"] for m in rows["elevenlabs"]["models"]} == {
        "eleven_multilingual_v2", "eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_v3"}


def test_paid_call_is_reserved_settled_and_cached(eleven_profile, eleven):
    text = "Grab the summer sandals today."
    result = synthesize_for_profile(eleven_profile, text, {"provider": "elevenlabs"})
    assert result.cost_usd == pytest.approx(len(text) / 1000 * 0.10)
    [entry] = month_entries(eleven_profile)
    assert entry["status"] == "settled" and entry["cost_usd"] == pytest.approx(result.cost_usd)
    again = synthesize_for_profile(eleven_profile, text, {"provider": "elevenlabs"})
    assert again.cached and again.cost_usd == 0
    assert len(eleven.calls("/v1/text-to-speech")) == 1
    assert len(month_entries(eleven_profile)) == 1
    assert monthly_totals(eleven_profile) == {"elevenlabs": pytest.approx(result.cost_usd)}


def test_failed_paid_call_releases_its_reservation(eleven_profile, eleven):
    eleven.inject("quota_exceeded")
    with pytest.raises(VoiceError, match="run out of characters"):
        synthesize_for_profile(eleven_profile, "Sale ends soon.", {"provider": "elevenlabs"})
    [entry] = month_entries(eleven_profile)
    assert entry["status"] == "released" and entry["cost_usd"] == 0


def test_over_quota_is_refused_before_any_call(eleven_profile, eleven):
    set_quota(eleven_profile, 0.001)
    with pytest.raises(QuotaExceededError, match="monthly quota") as caught:
        synthesize_for_profile(eleven_profile, "A long enough script to cost more than a tenth of a cent.",
                               {"provider": "elevenlabs"})
    assert "Piper" in str(caught.value)
    assert eleven.calls("/v1/text-to-speech") == [] and month_entries(eleven_profile) == []


def test_unknown_cloned_voice_is_not_found(profile):
    with pytest.raises(NotFoundError):
        synthesize_for_profile(profile, "Hi.", {"provider": "xtts", "voice": "voice_0123"})


def test_a_priced_local_voice_is_charged_what_was_reserved(tmp_path):
    """A profile may price a free engine (e.g. its own GPU time): the settled cost matches the estimate."""
    from editfactory.costs import ledger
    from editfactory.profiles import Workspace
    from editfactory.storage.settings import set_setting
    from editfactory.tts.service import estimate_for_profile, synthesize_for_profile

    profile = Workspace(tmp_path / "ws").create("Priced")
    set_setting(profile, "tts.prices", {"piper": {"piper": 1.0}})
    text = "Fresh sandals for summer."
    estimate = estimate_for_profile(profile, text)
    result = synthesize_for_profile(profile, text)
    assert estimate["cost_usd"] > 0
    assert result.cost_usd == estimate["cost_usd"]
    assert ledger.month_spend(profile) == estimate["cost_usd"]


def test_a_cache_hit_is_free_and_makes_no_call_even_offline(profile, speech_mp3):
    from editfactory.costs import ledger
    from editfactory.tts.edge_provider import EdgeProvider

    calls = []

    def stream(text, voice, **options):
        calls.append(text)
        mp3 = speech_mp3.read_bytes()
        yield {"type": "audio", "data": mp3}
        yield {"type": "WordBoundary", "offset": 1_000_000, "duration": 3_000_000, "text": "Hello"}

    first = synthesize_for_profile(profile, "Hello shoppers.", {"provider": "edge"}, provider=EdgeProvider(stream=stream, prices={"edge": 2.0}))  # priced, so a second charge would show
    spent = ledger.month_spend(profile)
    assert spent == pytest.approx(first.cost_usd) and spent > 0
    # The endpoint is now unreachable: the same request is answered from the cache, with no call and no charge.
    offline = EdgeProvider(service_address=("127.0.0.1", 9), prices={"edge": 2.0})
    again = synthesize_for_profile(profile, "Hello shoppers.", {"provider": "edge"}, provider=offline)
    assert again.cached and again.cost_usd == 0 and again.audio_path == first.audio_path
    assert calls == ["Hello shoppers."] and ledger.month_spend(profile) == spent
    assert len(month_entries(profile)) == 1


def test_an_estimate_knows_the_cache_and_counts_no_hit(tmp_path):
    """The studio shows "Free — cached" when exactly this voiceover exists; any change in text or voice is priced."""
    from editfactory.profiles import Workspace

    profile = Workspace(tmp_path / "ws").create("Priced")
    set_setting(profile, "tts.prices", {"piper": {"piper": 1.0}})
    text = "Fresh sandals for summer, in six colours."
    before = estimate_for_profile(profile, text)
    assert before["cached"] is False and before["cost_usd"] > 0 and before["label"].startswith("$")
    assert before["characters"] == len(text) and before["seconds"] == pytest.approx(7 / 3.0, abs=0.1)
    result = synthesize_for_profile(profile, text)
    assert result.cost_usd == before["cost_usd"]
    after = estimate_for_profile(profile, f"  {text}\n")  # the jobs speak the stripped script
    assert (after["cached"], after["cost_usd"], after["label"]) == (True, 0.0, "Free — cached")
    assert profile.db.fetchone("SELECT hits FROM tts_cache")[0] == 0  # an estimate is not a use
    assert not estimate_for_profile(profile, text + "!")["cached"]
    assert not estimate_for_profile(profile, text, {"settings": {"speed": 1.2}})["cached"]
    result.audio_path.unlink()  # the cached audio is gone: it would be made (and paid) again
    assert estimate_for_profile(profile, text)["label"] == before["label"]


def test_a_script_over_the_providers_request_limit_is_refused_before_any_work(eleven_profile, eleven):
    text = "Buy the sandals now. " * 500  # 10 500 characters; Multilingual v2 takes 10 000 per request
    estimate = estimate_for_profile(eleven_profile, text, {"provider": "elevenlabs"})
    assert estimate["too_long"] and estimate["max_characters"] == 10_000
    with pytest.raises(ScriptTooLongError, match="at most 10,000 characters") as caught:
        synthesize_for_profile(eleven_profile, text, {"provider": "elevenlabs"})
    assert (caught.value.limit, caught.value.length) == (10_000, len(text.strip()))
    assert "Piper" in str(caught.value)
    assert eleven.calls("/v1/text-to-speech") == [] and month_entries(eleven_profile) == [], "nothing sent or reserved"
    with pytest.raises(ScriptTooLongError):
        check_script_length(eleven_profile, text, {"provider": "elevenlabs"})
    # The same script fits a model with a larger limit, and Piper has none of its own (it speaks in pieces):
    # only the service's 12 000 characters apply.
    assert not estimate_for_profile(eleven_profile, text, {"provider": "elevenlabs", "model": "eleven_flash_v2_5"})["too_long"]
    check_script_length(eleven_profile, text, {"provider": "piper"})
    assert estimate_for_profile(eleven_profile, text, {"provider": "piper"})["max_characters"] == 12_000


def test_the_service_refuses_a_script_over_the_studios_limit_at_once(eleven_profile, eleven):
    """A notebook calling the voice service with 20 000 words: refused in a moment, nothing spoken, sent or held —
    the same 12 000-character limit as the studio and the production request (one shared constant)."""
    import time

    from editfactory.pipeline import production
    from editfactory.tts.service import MAX_SCRIPT_CHARS

    assert production.MAX_SCRIPT_CHARS is MAX_SCRIPT_CHARS == 12_000
    novel = "Fresh bread every morning. " * 4000  # 20 000 words
    started = time.monotonic()
    with pytest.raises(ScriptTooLongError, match="at most 12,000 characters") as caught:
        synthesize_for_profile(eleven_profile, novel)  # Piper, which has no request limit of its own
    assert time.monotonic() - started < 2
    assert (caught.value.limit, caught.value.length) == (12_000, len(novel.strip()))
    # Just over the limit, with a paid model that itself takes 40 000 characters: refused before anything is sent.
    over = ("Buy the sandals now. " * 600)[:12_001]
    paid = {"provider": "elevenlabs", "model": "eleven_flash_v2_5"}
    with pytest.raises(ScriptTooLongError, match="12,001 characters"):
        synthesize_for_profile(eleven_profile, over, paid)
    assert eleven.calls("/v1/text-to-speech") == [] and month_entries(eleven_profile) == []
    with pytest.raises(ScriptTooLongError):
        check_script_length(eleven_profile, over, paid)
    estimate = estimate_for_profile(eleven_profile, over, paid)
    assert estimate["too_long"] and estimate["max_characters"] == 12_000
    assert not estimate_for_profile(eleven_profile, over[:12_000], paid)["too_long"]
