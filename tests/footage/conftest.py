"""Profiles in a temporary workspace and small generated videos for library tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from library_helpers import make_media

from editfactory.profiles import Workspace


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    return Workspace(tmp_path / "workspace")


@pytest.fixture
def profile(workspace):
    return workspace.create("Store A")


@pytest.fixture
def other_profile(workspace):
    return workspace.create("Store B")


@pytest.fixture(scope="session")
def inputs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("inputs")


@pytest.fixture(scope="session")
def video(inputs) -> Path:
    """6 s: 3 s of a drifting still picture, then 3 s of zooming fractal; with sound."""
    return make_media(
        inputs / "product.mp4",
        "-f", "lavfi", "-i", "testsrc2=size=400x300:rate=30,trim=end_frame=1,loop=loop=89:size=1,setpts=N/30/TB,crop=320:240:x='t*4':y=20",
        "-f", "lavfi", "-i", "mandelbrot=size=320x240:rate=30",
        "-f", "lavfi", "-i", "sine=f=300:sample_rate=48000:duration=6",
        "-filter_complex", "[0:v]format=yuv420p[a];[1:v]trim=duration=3,setpts=PTS-STARTPTS,format=yuv420p[b];[a][b]concat=n=2:v=1[v]",
        "-map", "[v]", "-map", "2:a", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
    )


@pytest.fixture(scope="session")
def voice(inputs) -> Path:
    return make_media(inputs / "voice.wav", "-f", "lavfi", "-i", "sine=f=200:sample_rate=22050,volume=0.1", "-t", "2.5")
