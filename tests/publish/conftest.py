"""Fixtures for publishing tests: profiles with rendered clips, fake Postiz servers, and the file secret backend."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

from editfactory.core.ids import new_id
from editfactory.publish import RetryPolicy, save_config
from tests.fakes.postiz_server import FakeIntegration, FakePostiz


@pytest.fixture(autouse=True)
def _file_secrets(monkeypatch):
    # Never touch the machine's real keyring from tests.
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")


@pytest.fixture(scope="session")
def sample_mp4(tmp_path_factory) -> Path:
    """A 1-second 320x240 H.264 mp4 made with the bundled ffmpeg."""
    out = tmp_path_factory.mktemp("media") / "sample.mp4"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10",
         "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", str(out)],
        check=True,
    )
    return out


def add_clip(profile, sample: Path, name: str = "Clip") -> str:
    """Insert a rendered clip row in the profile and copy the sample video into its renders folder."""
    clip_id = new_id("clip")
    target = profile.paths.renders / f"{clip_id}.mp4"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample, target)
    with profile.db.transaction() as cur:
        cur.execute("INSERT INTO clips (id, project_id, name, status, path) VALUES (?, ?, ?, 'rendered', ?)",
                    [clip_id, new_id("proj"), name, profile.paths.relative(target)])
    return clip_id


def standard_integrations(prefix: str) -> list[FakeIntegration]:
    return [
        FakeIntegration(f"{prefix}-tiktok", f"{prefix} TikTok", "tiktok"),
        FakeIntegration(f"{prefix}-insta", f"{prefix} Instagram", "instagram"),
        FakeIntegration(f"{prefix}-yt", f"{prefix} YouTube", "youtube"),
        FakeIntegration(f"{prefix}-x", f"{prefix} X", "x"),
        FakeIntegration(f"{prefix}-bsky", f"{prefix} Bluesky", "bluesky"),
    ]


@pytest.fixture
def fast_policy() -> RetryPolicy:
    # A short landing window: the fake answers at once unless a test makes it slow on purpose (and then sets its own).
    return RetryPolicy(max_attempts=8, base_delay=0.001, max_delay=0.01, retry_after_cap=0.01, landing_grace=0.05)


@pytest.fixture
def postiz_factory():
    """Start fake Postiz servers; all are stopped at the end of the test."""
    started: list[FakePostiz] = []

    def start(api_key: str, integrations, **kwargs) -> FakePostiz:
        server = FakePostiz(api_key, integrations, **kwargs).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__(None, None, None)


def configure(profile, server: FakePostiz, api_key: str, **kwargs) -> None:
    save_config(profile, url=server.backend_url, enabled=True, api_key=api_key, **kwargs)
