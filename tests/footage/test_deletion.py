"""Deleting a source video: what uses it is said first; only its own rows and files go."""

from __future__ import annotations

import pytest
from library_helpers import make_media

from editfactory.core.errors import NotFoundError
from editfactory.footage.deletion import delete_source, source_usage
from editfactory.footage.posters import segment_poster
from editfactory.footage.segments import create_segment, list_segments
from editfactory.footage.sources import get_source, import_source, list_sources
from editfactory.profiles import Workspace
from editfactory.services import projects


@pytest.fixture(scope="module")
def second_video(inputs):
    return make_media(inputs / "other.mp4", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30:duration=3",
                      "-c:v", "libx264", "-preset", "ultrafast")


def test_usage_names_projects_and_clips_then_delete_keeps_everything_else(profile, video, second_video):
    worse = import_source(profile, video)
    kept = import_source(profile, second_video)
    spring = projects.create_project(profile, "Spring launch")
    summer = projects.create_project(profile, "Summer")
    lone = projects.create_project(profile, "Other footage")
    projects.set_project_sources(profile, spring["id"], [worse.id, kept.id])
    projects.set_project_sources(profile, summer["id"], [worse.id])
    projects.set_project_sources(profile, lone["id"], [kept.id])
    clip_file = profile.paths.renders / "spring-1.mp4"
    clip_file.parent.mkdir(parents=True, exist_ok=True)
    clip_file.write_bytes(b"rendered")
    projects.create_clip(profile, spring["id"], "Spring v1", status="rendered", path=profile.paths.relative(clip_file))
    projects.create_clip(profile, lone["id"], "Other v1")
    gone_segment = create_segment(profile, worse.id, 0, 1)
    kept_segment = create_segment(profile, kept.id, 0, 1)
    gone_poster, kept_poster = segment_poster(profile, gone_segment), segment_poster(profile, kept_segment)

    usage = source_usage(profile, worse.id)
    assert usage.projects == ("Spring launch", "Summer") and usage.clips == ("Spring v1",) and usage.segments == 1
    text = usage.describe()
    assert "'Spring launch'" in text and "'Summer'" in text and "'Spring v1'" in text and "product.mp4" in text
    assert "'Other v1'" not in text

    delete_source(profile, worse.id)

    # A fresh open of the profile's DuckDB file sees it gone, and everything else as it was.
    again = Workspace(profile.paths.folder.parent).get(profile.id)
    assert [s.id for s in list_sources(again)] == [kept.id]
    assert [s.id for s in list_segments(again)] == [kept_segment.id]
    assert projects.project_sources(again, spring["id"]) == [kept.id]
    assert projects.project_sources(again, summer["id"]) == []
    assert projects.project_sources(again, lone["id"]) == [kept.id]
    assert sorted(c["name"] for c in projects.list_clips(again)) == ["Other v1", "Spring v1"]
    assert clip_file.read_bytes() == b"rendered"
    assert not worse.path.exists() and not worse.thumbnail_path.exists() and not gone_poster.exists()
    assert kept.path.is_file() and kept.thumbnail_path.is_file() and kept_poster.is_file()
    with pytest.raises(NotFoundError):
        get_source(again, worse.id)


def test_unused_source_says_so(profile, video):
    source = import_source(profile, video)
    assert "No project uses it." in source_usage(profile, source.id).describe()


def test_another_profiles_source_is_refused(profile, other_profile, video):
    source = import_source(profile, video)
    with pytest.raises(NotFoundError):
        source_usage(other_profile, source.id)
    assert list_sources(profile) == [source]


def test_deleting_a_source_deletes_its_proxy_and_no_other(profile, inputs):
    from editfactory.footage.proxies import make_proxies, proxy_path

    wide = make_media(inputs / "wide-for-proxy.mp4", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=2",
                      "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
    upright = make_media(inputs / "upright-for-proxy.mp4", "-f", "lavfi", "-i",
                         "testsrc2=size=720x1280:rate=30:duration=2", "-c:v", "libx264", "-preset", "ultrafast",
                         "-pix_fmt", "yuv420p")
    gone, kept = import_source(profile, wide), import_source(profile, upright)
    assert make_proxies(profile, [gone, kept]) == 2
    assert proxy_path(profile, gone.id).is_file() and proxy_path(profile, kept.id).is_file()

    delete_source(profile, gone.id)
    assert not proxy_path(profile, gone.id).exists() and proxy_path(profile, kept.id).is_file()
