"""The brand kit's logo on produced clips, and the project's switch that leaves it off — met through the production job."""

from __future__ import annotations

import io
import subprocess

import numpy as np
from PIL import Image

from editfactory.jobs import SUCCEEDED
from editfactory.media.runner import ffmpeg_path
from editfactory.media.watermark import logo_box
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.services import projects
from editfactory.services.brand import set_logo, set_project_watermark, update_brand

from .conftest import SMALL
from jobs.media_fixtures import SMALL_PRESET

MAGENTA = (255, 0, 255)


def _logo() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (300, 150), (*MAGENTA, 255)).save(out, format="PNG")
    return out.getvalue()


def _frame(path) -> np.ndarray:
    raw = subprocess.run([ffmpeg_path(), "-v", "error", "-ss", "0.5", "-i", str(path), "-frames:v", "1", "-f",
                          "rawvideo", "-pix_fmt", "rgb24", "-"], check=True, capture_output=True, timeout=60).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(SMALL_PRESET.height, SMALL_PRESET.width, 3).astype(int)


def _produce(runner, profile, project) -> dict:
    job = runner.wait(profile, start_production(runner, profile, ProductionRequest(project["id"], "Light and fast.",
                                                                                  preset=SMALL)), timeout=180)
    assert job.status == SUCCEEDED, job.error
    clip = projects.get_clip(profile, job.outputs["clip_ids"][0])
    return clip


def test_the_profiles_logo_is_on_its_clips_unless_the_project_switches_it_off(store, runner):
    profile, project = store
    kit = set_logo(profile, _logo(), "logo.png")
    kit = update_brand(profile, corner="bottom-right", size=0.4, opacity=1.0)
    x, y, w, h = logo_box(kit.watermark(), SMALL_PRESET, (300, 150))

    def magenta_share(clip) -> float:
        box = _frame(profile.paths.absolute(clip["path"]))[y + 2:y + h - 2, x + 2:x + w - 2]
        return float((np.abs(box - MAGENTA).max(axis=2) < 40).mean())

    with_logo = _produce(runner, profile, project)
    assert magenta_share(with_logo) > 0.95

    set_project_watermark(profile, project["id"], False)
    without = _produce(runner, profile, project)
    assert without["path"] != with_logo["path"], "a new render: the logo is part of the render key"
    assert magenta_share(without) < 0.5
