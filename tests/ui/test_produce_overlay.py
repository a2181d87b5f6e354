"""Produce's "show platform overlay": each rendered clip as a frame with its platform's covered areas over it,
and the caption look chosen for a render reaching the production request."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from editfactory.media.safe_zones import zones_for
from editfactory.models.produce import platform_of
from editfactory.media.runner import ffmpeg_path
from tests.ui.clip_fixtures import add_rendered_clip


@pytest.fixture(scope="module")
def black_clip(tmp_path_factory) -> Path:
    """A black vertical clip, so the overlay's tint is all that is coloured."""
    import subprocess

    out = tmp_path_factory.mktemp("overlay") / "black.mp4"
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=black:s=180x320:r=15:d=2",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out)], check=True, timeout=60)
    return out


@pytest.fixture
def view(make_session):
    from editfactory.ui.produce import ProducePage

    page = ProducePage(session=make_session())
    asyncio.run(page.refresh())
    page._new_name.value = "Trail shoe"
    page._create.clicks += 1
    return page


def test_the_platform_overlay_shows_the_covered_areas_over_each_clip(view, black_clip):
    profile = view.session.profile
    clip = add_rendered_clip(profile, view.model.project_id, "Trail shoe v1", black_clip)
    asyncio.run(view.open_project(view.model.project_id))
    assert "<video" in view._results.objects[0].objects[0].object
    view._format.value = "reels"
    view._overlay.value = True  # runs show_overlays to its end (no server loop in a component test)
    card = view._results.objects[0].objects[0].object
    assert 'class="ef-platform-overlay"' in card and "<video" not in card
    frame = Path(view.model.overlays[clip["id"]])
    assert frame.is_file() and frame.resolve().is_relative_to(profile.folder.resolve())
    picture = np.asarray(Image.open(frame).convert("RGB")).astype(int)
    height, width = picture.shape[:2]
    assert (width, height) == (360, 640)
    reds = (picture[..., 0] > 80) & (picture[..., 1] < 40) & (picture[..., 2] < 40)
    for zone in zones_for("reels"):
        x, y, w, h = zone.pixels(width, height)
        assert reds[y:y + h, x:x + w].mean() > 0.5, f"the {zone.name} is tinted"
    assert reds[int(height * 0.3):int(height * 0.5), int(width * 0.2):int(width * 0.8)].mean() < 0.1
    view._overlay.value = False
    assert "<video" in view._results.objects[0].objects[0].object


def test_the_chosen_caption_look_reaches_the_request_and_a_clip_shape_picks_its_platform(view):
    assert "punch" in view._look.options.values()
    view._look.value = "punch"
    view.model.script = "Meet the trail shoe."
    assert view.model.request(draft=False).caption_look == "punch"
    assert platform_of(1080, 1920, "shorts") == "shorts"
    assert platform_of(1080, 1080, "shorts") == "square" and platform_of(1920, 1080, "tiktok") == "landscape"
