"""A voice provider registered by a test (a key, cloning, its own pricing unit) appears on Produce, Voices and
Settings without a change to any of them: the pages loop over the providers' own descriptions."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from editfactory.core.errors import ValidationError, VoiceError
from editfactory.jobs import JobStore
from editfactory.storage import secrets
from editfactory.storage.secrets import get_secret
from editfactory.tts.audio import write_wav
from editfactory.tts.base import (
    CLONED,
    PRESET,
    Availability,
    ModelInfo,
    ProviderSecret,
    SynthesisResult,
    VoiceInfo,
    VoiceProvider,
    WordTiming,
)
from editfactory.tts.registry import get_provider, register_provider, unregister_provider
from tests.ui.conftest import ROOT, ServedStudio, free_port, open_page

KEY = "fv-test-key-0123456789"


class FakeVoxProvider(VoiceProvider):
    """A paid provider with an API key, preset and cloned voices, priced per 1 000 words."""

    name = "fakevox"
    label = "FakeVox (test)"
    pricing_unit = "words"
    secret = ProviderSecret("fakevox.api_key", "FakeVox", "FakeVox → Account → Keys", min_length=12)
    supports_cloning = True
    voice_kinds = (PRESET, CLONED)
    is_paid = True
    default_model = "fv1"
    default_voice = "fv-anna"

    def __init__(self, *, api_key: str | None = None, prices: dict[str, float] | None = None) -> None:
        super().__init__(prices=prices)
        self.api_key = api_key

    def availability(self) -> Availability:
        if not self.api_key:
            return Availability(False, "no API key: paste your FakeVox key on the Settings page of this profile.")
        return Availability(True)

    def list_voices(self) -> list[VoiceInfo]:
        return [VoiceInfo("fv-anna", "Anna", "en"), VoiceInfo("fv-ben", "Ben", "en")]

    def _base_models(self) -> list[ModelInfo]:
        return [ModelInfo("fv1", "FakeVox One", 3.0)]

    def estimate_cost(self, text: str, model: str | None = None) -> float:  # priced per word
        return round(len(text.split()) / 1000.0 * self.model_info(model).price_per_1k_chars, 6)

    def synthesize(self, text, voice, out_path, settings=None, *, model=None) -> SynthesisResult:
        words = text.split()
        duration = max(0.3, 0.3 * len(words))
        out_path = Path(out_path).with_suffix(".wav")
        write_wav(out_path, np.zeros(int(24_000 * duration), dtype=np.float32), 24_000)
        timings = [WordTiming(w, i * 0.3, (i + 1) * 0.3) for i, w in enumerate(words)]
        return SynthesisResult(out_path, duration, timings, False, self.estimate_cost(text, model), self.name,
                               model or self.default_model, voice, {})

    def clone_voice(self, name: str, samples: list[Path]) -> str:
        return f"fv-clone-{len(samples)}"


@pytest.fixture(autouse=True)
def fakevox(monkeypatch):
    """FakeVox registered for one test only (and its key forgotten by the secret store afterwards)."""
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")
    monkeypatch.setattr(secrets, "_SERVICES", dict(secrets._SERVICES))
    monkeypatch.setattr(secrets, "_DECLARED", set(secrets._DECLARED))
    register_provider(FakeVoxProvider)
    try:
        yield FakeVoxProvider
    finally:
        unregister_provider(FakeVoxProvider.name)


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Path:
    """Real Piper speech: a sample the cloning checks accept."""
    from editfactory.tts.piper_provider import PiperProvider

    folder = tmp_path_factory.mktemp("fakevox")
    text = ("Meet the new travel mug. It keeps coffee hot for twelve hours, fits every cup holder, "
            "and costs only nineteen dollars this week. Come and see it in the store today!")
    return PiperProvider().synthesize(text, "en_US-joe-medium", folder / "reading.wav").audio_path


def test_settings_shows_a_key_field_for_it_and_checks_the_key_it_declares(make_session):
    from editfactory.ui.settings import SettingsPage

    view = SettingsPage(session=make_session())
    asyncio.run(view.refresh())
    field = view._keys["fakevox"]
    assert field.input.label == "FakeVox API key" and field.saved.object == "No FakeVox key saved."
    field.input.value = "short"
    field.save.clicks += 1
    assert field.message.severity == "error" and "too short for the FakeVox API key" in field.message.object
    assert "FakeVox → Account → Keys" in field.message.object and "short" not in field.saved.object
    assert get_secret(view.session.profile, "fakevox.api_key") is None
    field.input.value = KEY
    field.save.clicks += 1
    assert get_secret(view.session.profile, "fakevox.api_key") == KEY
    assert field.input.value == "" and field.saved.object == "Saved key: ••••••••6789"
    assert view._keys["elevenlabs"].saved.object == "No ElevenLabs key saved."  # each provider its own key
    # The registry hands the saved key to the provider: it becomes available.
    with get_provider("fakevox", view.session.profile) as provider:
        assert provider.api_key == KEY and provider.availability().ok
    view._price_model.value = view._price_model.options["FakeVox (test) · FakeVox One"]
    assert view._price.value == "3" and view._price.label == "Price per 1 000 words ($)"
    field.remove.clicks += 1
    assert get_secret(view.session.profile, "fakevox.api_key") is None and field.message.severity == "success"


def test_voices_lists_it_with_its_price_unit_and_clones_with_it(make_session, runner, speech):
    from editfactory.tts.credentials import set_key
    from editfactory.ui.voices import VoicesPage

    session = make_session()
    profile = session.profile
    view = VoicesPage(session=session)
    asyncio.run(view.refresh())
    row = view.model.provider_row("fakevox")
    assert row["label"] == "FakeVox (test)" and not row["available"] and "no API key" in row["reason"]
    assert row["key_label"] == "FakeVox API key" and row["voice_kinds"] == [PRESET, CLONED]
    assert view._provider.options["FakeVox (test)"] == "fakevox"
    assert view._clone_provider.options["FakeVox (test)"] == "fakevox"

    set_key(profile, "fakevox", KEY)
    asyncio.run(view.refresh_providers())
    assert view.model.provider_row("fakevox")["available"]
    view._provider.value = "fakevox"
    asyncio.run(view.load_voices())
    assert [v["name"] for v in view.model.voices] == ["Anna", "Ben"]
    assert list(view._model.options) == ["FakeVox One — $3.00 / 1 000 words"]
    assert view._price.label == "Price per 1 000 words ($)"

    view._clone_provider.value = "fakevox"
    view._clone_name.value = "Shop voice"
    view._clone_files.param.update(value=speech.read_bytes(), filename="shop.wav", mime_type="audio/wav")
    asyncio.run(view.clone())
    [job] = view._clone_watch.jobs
    runner.wait(profile, job.id, timeout=120)
    assert JobStore(profile).get(job.id).status == "succeeded"
    asyncio.run(view._reload_cloned())
    [record] = view.model.cloned
    assert record["provider"] == "fakevox" and record["provider_voice_id"] == "fv-clone-1"
    assert list(view._cloned.value["provider"]) == ["FakeVox (test)"]
    assert [v["name"] for v in view.model.voices if v["cloned"]] == ["Shop voice"]


def test_produce_offers_it_with_its_voices_and_prices_it_in_its_own_unit(make_session, speech):
    from editfactory.tts.cloning import clone_voice
    from editfactory.tts.credentials import set_key
    from editfactory.ui.produce import ProducePage

    session = make_session()
    set_key(session.profile, "fakevox", KEY)
    with get_provider("fakevox", session.profile) as provider:
        clone_voice(session.profile, provider, "Shop voice", [speech])
    view = ProducePage(session=session)
    asyncio.run(view.refresh())
    view._new_name.value = "Mug"
    view._create.clicks += 1
    assert view._provider.options["FakeVox (test)"] == "fakevox"
    view._provider.value = "fakevox"
    assert view.model.provider == "fakevox" and not view._provider_note.visible
    assert list(view._voice.options) == ["Shop voice (cloned)", "Anna · en", "Ben · en"]
    assert view._model_pick.options == {"FakeVox One — $3.00 per 1k words": "fv1"}
    view._script.value_input = " ".join(["word"] * 500)
    assert view._estimate.object.endswith("$1.50")  # 500 words at $3 per 1 000 words


def test_an_unregistered_provider_is_refused_with_the_registered_ones_named(fakevox):
    unregister_provider("fakevox")
    with pytest.raises(VoiceError, match="Unknown voice provider 'fakevox'. Choose one of: piper"):
        get_provider("fakevox")
    with pytest.raises(ValidationError, match="needs no API key"):
        from editfactory.tts.credentials import set_key

        set_key(None, "piper", KEY)  # type: ignore[arg-type]


class _StudioWithFakeVox(ServedStudio):
    """The studio served the README's way, from an app file that first registers FakeVox (and nothing else)."""

    def __init__(self, workspace_root: Path, folder: Path) -> None:
        app = folder / "studio_with_fakevox.py"
        app.write_text("from editfactory.tts.registry import register_provider\n"
                       "from tests.ui.test_new_provider import FakeVoxProvider\n\n"
                       "register_provider(FakeVoxProvider)\n\n"
                       "from editfactory.ui.studio import create_app  # noqa: E402\n\n"
                       "create_app().servable(title='Edit Factory')\n")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/studio_with_fakevox"
        self.log_path = folder / "studio.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "panel", "serve", str(app), "--port", str(self.port), "--address", "127.0.0.1",
             f"--allow-websocket-origin=127.0.0.1:{self.port}", "--plugins", "editfactory.ui.media_route"],
            cwd=ROOT, env={**os.environ, "EDITFACTORY_DATA": str(workspace_root), "EDITFACTORY_SECRETS_BACKEND": "file"},
            stdout=self._log, stderr=subprocess.STDOUT,
        )
        self._wait_ready()


@pytest.mark.ui
def test_it_appears_on_every_page_of_the_served_studio(browser, workspace, tmp_path):
    workspace.remember_last_used(workspace.create("FakeVox shop").id)
    studio = _StudioWithFakeVox(workspace.root, tmp_path)
    try:
        page = open_page(browser, studio.url + "?page=settings", wait_text="Monthly quota", viewport=(1400, 2600))
        page.get_by_label("FakeVox API key").fill(KEY)
        page.get_by_text("Save key").nth(1).click()  # ElevenLabs' field comes first, in registry order
        page.get_by_text("Saved key: ••••••••6789").wait_for(timeout=15_000)
        assert KEY not in page.content()
        page = open_page(browser, studio.url + "?page=voices", wait_text="Clone a voice", viewport=(1400, 2000))
        page.get_by_text("FakeVox (test)").first.wait_for(timeout=30_000)
        page.get_by_text("$3.00 / 1 000 words").first.wait_for(timeout=30_000)
        page = open_page(browser, studio.url + "?page=produce")
        page.get_by_role("combobox", name="Provider").click(timeout=120_000)
        page.get_by_role("listbox").get_by_text("FakeVox (test)").wait_for(timeout=15_000)
        assert "Traceback" not in page.content()
    finally:
        studio.stop()
    assert get_secret(workspace.find_by_name("FakeVox shop"), "fakevox.api_key") == KEY
