"""Poster frames of rendered clips: made once from the clip's own file, anew after a re-render, this profile only."""

from __future__ import annotations

import shutil

import pytest
from PIL import Image

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.footage.posters import POSTER_WIDTH, clip_poster
from editfactory.services import projects


def _rendered_clip(profile, video, name="Spring v1"):
    project = projects.create_project(profile, "Spring")
    target = profile.paths.renders / f"{name.replace(' ', '-')}.mp4"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(video, target)
    return projects.create_clip(profile, project["id"], name, status="rendered", path=profile.paths.relative(target),
                                duration=6.0)


def test_a_clip_poster_is_made_once_and_anew_after_a_re_render(profile, video):
    clip = _rendered_clip(profile, video)
    poster = clip_poster(profile, clip["id"])
    assert poster.parent.parent == profile.paths.previews
    with Image.open(poster) as image:
        assert image.width == POSTER_WIDTH and image.height > 0
    assert clip_poster(profile, clip["id"]) == poster
    # A re-render replaces the file (here with other footage): the poster follows it.
    rendered = profile.paths.absolute(clip["path"])
    rendered.write_bytes(rendered.read_bytes() + b"\0" * 1024)
    assert clip_poster(profile, clip["id"]) != poster


def test_a_clip_without_a_video_or_of_another_profile_gets_no_poster(profile, other_profile, video):
    draft = projects.create_clip(profile, projects.create_project(profile, "P")["id"], "Draft")
    with pytest.raises(ValidationError, match="no rendered video yet"):
        clip_poster(profile, draft["id"])
    theirs = _rendered_clip(other_profile, video)
    with pytest.raises(NotFoundError, match="Store A"):
        clip_poster(profile, theirs["id"])
    assert not profile.paths.previews.exists() or not any(profile.paths.previews.rglob("*.jpg"))
