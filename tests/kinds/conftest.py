"""Fixtures for the job-kind tests: a workspace with two stores, generated footage, real Piper, a runner."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import editfactory.jobs.kinds  # noqa: F401  (registers every kind, as the studio does)
from editfactory.jobs import JobRunner
from editfactory.media.runner import ffmpeg_path
from editfactory.profiles import Workspace
from editfactory.services import projects

from jobs.media_fixtures import SMALL_PRESET, make_source

SMALL = {f: getattr(SMALL_PRESET, f) for f in SMALL_PRESET.__dataclass_fields__}
SCRIPT = "Meet the new trail shoe. Light and fast."


@pytest.fixture(autouse=True)
def _file_secrets(monkeypatch):
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("kinds-media")


@pytest.fixture(scope="session")
def footage(media) -> Path:
    return make_source(media / "footage.mp4", seconds=6.0)


@pytest.fixture(scope="session")
def other_footage(media) -> Path:
    return make_source(media / "other.mp4", seconds=3.0, size="240x320")


@pytest.fixture(scope="session")
def audio_only(media) -> Path:
    """An .mp4 with sound but no picture: a typical wrong upload."""
    target = media / "podcast.mp4"
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=300:duration=2",
                    "-c:a", "aac", str(target)], check=True, timeout=60)
    return target


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    return Workspace(tmp_path / "ws", busy_timeout=30)


@pytest.fixture
def profile(workspace):
    return workspace.create("Store A")


@pytest.fixture
def other_profile(workspace):
    return workspace.create("Store B")


@pytest.fixture
def project(profile):
    return projects.create_project(profile, "Trail shoe", script=SCRIPT)


@pytest.fixture
def runner():
    with JobRunner(workers=2) as runner:
        yield runner


@pytest.fixture(scope="session")
def speech(media):
    """Real Piper speech (~9 s WAV): a usable voice sample."""
    from editfactory.tts.piper_provider import PiperProvider

    return PiperProvider().synthesize(
        "Hello and welcome to our little shop. Today we have fresh coffee, warm bread and flowers for you. "
        "Come in and take a look around, we are open until eight tonight.",
        "", media / "speech.wav")


@pytest.fixture(scope="session")
def speech_mp3(media, speech) -> Path:
    target = media / "speech.mp3"
    subprocess.run([ffmpeg_path(), "-y", "-loglevel", "error", "-i", str(speech.audio_path), "-ac", "1",
                    "-ar", "24000", "-b:a", "48k", str(target)], check=True, timeout=60)
    return target


@pytest.fixture
def eleven(speech_mp3):
    from tests.fakes.elevenlabs_server import FakeElevenLabs

    with FakeElevenLabs(speech_mp3.read_bytes()) as server:
        yield server


@pytest.fixture
def eleven_profile(profile, eleven):
    """Store A set up for the fake ElevenLabs server, its key in the profile's secret store."""
    from editfactory.storage.secrets import set_secret
    from editfactory.storage.settings import set_setting

    set_secret(profile, "elevenlabs.api_key", eleven.api_key)
    set_setting(profile, "tts.endpoints", {"elevenlabs": eleven.base_url})
    return profile


@pytest.fixture(scope="session")
def sample_mp4(media) -> Path:
    """A 1-second 320x240 H.264 mp4, the size of a rendered clip for publishing."""
    target = media / "sample.mp4"
    subprocess.run([ffmpeg_path(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "1",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", str(target)], check=True, timeout=60)
    return target


@pytest.fixture
def postiz_factory():
    """Start fake Postiz servers; all are stopped at the end of the test."""
    from tests.fakes.postiz_server import FakePostiz

    started = []

    def start(api_key, integrations, **kwargs):
        server = FakePostiz(api_key, integrations, **kwargs).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__(None, None, None)
