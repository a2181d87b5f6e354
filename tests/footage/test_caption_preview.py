"""The caption-style preview: one still of the style burned over the profile's own footage, cached by style."""

from __future__ import annotations

import subprocess

import pytest

from editfactory.core.errors import NotFoundError
from editfactory.footage import import_source
from editfactory.footage.captions import caption_preview
from editfactory.media.captions import CaptionStyle
from editfactory.media.runner import ffmpeg_path


def _footage(path):
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=2",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def test_preview_is_drawn_over_the_latest_footage_and_changes_with_the_style(workspace, tmp_path):
    profile = workspace.create("Shop")
    plain = caption_preview(profile, CaptionStyle())
    assert plain.is_file() and plain.read_bytes()[:2] == b"\xff\xd8"  # a JPEG
    assert plain.parent == profile.paths.previews / "captions"
    source = import_source(profile, _footage(tmp_path / "shoe.mp4"))
    over = caption_preview(profile, CaptionStyle())
    assert over != plain and over.read_bytes() != plain.read_bytes()
    assert caption_preview(profile, CaptionStyle(), source_id=source.id) == over  # the same still, cached
    bigger = caption_preview(profile, CaptionStyle(size=160))
    assert bigger != over and bigger.read_bytes() != over.read_bytes()
    no_highlight = caption_preview(profile, CaptionStyle(highlight_current_word=False))
    assert no_highlight.read_bytes() != over.read_bytes()


def test_preview_never_uses_another_profiles_footage(workspace, tmp_path):
    shop, other = workspace.create("Shop"), workspace.create("Other")
    source = import_source(shop, _footage(tmp_path / "shoe.mp4"))
    with pytest.raises(NotFoundError):
        caption_preview(other, CaptionStyle(), source_id=source.id)
