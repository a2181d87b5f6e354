"""Fixtures for voice tests: real Piper speech made once per session, a fake ElevenLabs server, profiles."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from editfactory.tts.audio import ffmpeg_exe
from editfactory.tts.piper_provider import PiperProvider
from tests.fakes.elevenlabs_server import FakeElevenLabs

SPEECH_TEXT = (
    "Meet the new travel mug. It keeps coffee hot for twelve hours, fits every cup holder, "
    "and costs only $19.99 this week. Dr. Green calls it 3x better than glass!"
)


@pytest.fixture(autouse=True)
def _file_secrets(monkeypatch):
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("voice-media")


@pytest.fixture(scope="session")
def piper_speech(media_dir):
    """A real Piper synthesis (WAV, 22.05 kHz, ~10 s) and its result."""
    result = PiperProvider().synthesize(SPEECH_TEXT, "en_US-joe-medium", media_dir / "speech.wav")
    return result


@pytest.fixture(scope="session")
def speech_mp3(media_dir, piper_speech) -> Path:
    target = media_dir / "speech.mp3"
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(piper_speech.audio_path),
                    "-ac", "1", "-ar", "24000", "-b:a", "48k", str(target)], check=True)
    return target


def lavfi(target: Path, source: str, seconds: float, rate: int = 44100) -> Path:
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i", source, "-t", str(seconds),
                    "-ar", str(rate), "-ac", "1", str(target)], check=True)
    return target


@pytest.fixture
def eleven(speech_mp3):
    with FakeElevenLabs(speech_mp3.read_bytes()) as server:
        yield server


@pytest.fixture
def profile(workspace):
    return workspace.create("Store A")


@pytest.fixture
def eleven_profile(profile, eleven):
    """A profile configured for the fake ElevenLabs server, key in its secret store."""
    from editfactory.storage.secrets import set_secret
    from editfactory.storage.settings import set_setting

    set_secret(profile, "elevenlabs.api_key", eleven.api_key)
    set_setting(profile, "tts.endpoints", {"elevenlabs": eleven.base_url})
    return profile
