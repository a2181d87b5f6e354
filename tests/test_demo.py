"""`python -m editfactory.demo`: one command, offline, gives a voiced, captioned 1080x1920 clip."""

from __future__ import annotations

import os
import subprocess
import sys

from editfactory import projects
from editfactory.media.probe import probe
from editfactory.profiles import Workspace


def _demo(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("EDITFACTORY_DASK_SCHEDULER", None)
    return subprocess.run([sys.executable, "-m", "editfactory.demo", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=env)


def test_demo_makes_a_finished_clip_in_a_demo_profile(tmp_path):
    out, data = tmp_path / "out" / "demo.mp4", tmp_path / "data"
    result = _demo("--out", str(out), "--data-dir", str(data), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Demo clip written to {out}" in result.stdout
    info = probe(out)
    assert (info.width, info.height) == (1080, 1920) and info.has_audio and info.duration > 2
    profile = Workspace(data).find_by_name("Demo")
    [clip] = projects.list_clips(profile)
    assert clip["tts"]["provider"] == "piper" and clip["status"] == "rendered"
    assert "Dialogue:" in profile.paths.absolute(clip["captions_path"]).read_text(encoding="utf-8")
    assert not any(profile.paths.tmp.iterdir())


def test_demo_refuses_a_missing_source_with_a_clear_message(tmp_path):
    result = _demo("--out", str(tmp_path / "x.mp4"), "--data-dir", str(tmp_path / "d"),
                   "--source", str(tmp_path / "nope.mov"), cwd=tmp_path)
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "--source" in result.stderr
    assert not (tmp_path / "x.mp4").exists()
