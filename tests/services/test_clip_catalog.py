"""The library's view of clips: SQL paging with counts, filters, sorts, poster frames, deleting with files."""

from __future__ import annotations

import json
import os

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.publish import outbox
from editfactory.services import clip_catalog, projects
from editfactory.services.clip_catalog import ClipFilter, browse_clips, delete_clips, poster_for
from tests.ui.clip_fixtures import add_rendered_clip, small_mp4  # noqa: F401 - fixture


@pytest.fixture
def shop(workspace):
    return workspace.create("Shoes")


def _bulk_clips(profile, project_id: str, count: int, **fields) -> None:
    """Many clip rows at once (no files), the way a big library looks to the database."""
    with profile.db.transaction() as cur:
        cur.execute(
            "INSERT INTO clips (id, project_id, name, status, duration, cost_usd, created_at) "
            "SELECT 'clip_bulk' || lpad(i::VARCHAR, 6, '0'), ?, 'Bulk ' || i, ?, i % 60, (i % 7) / 100.0, "
            "TIMESTAMP '2026-01-01' + to_seconds(i) FROM range(?) t(i)",
            [project_id, fields.get("status", "rendered"), count])


def test_pages_are_read_with_a_count_and_never_past_the_end(shop):
    project = projects.create_project(shop, "Big")
    _bulk_clips(shop, project["id"], 1000)
    page = browse_clips(shop, limit=24, offset=48)
    assert page.total == 1000 and len(page.rows) == 24 and page.offset == 48
    assert page.rows[0]["name"] == "Bulk 951"  # newest first
    last = browse_clips(shop, limit=24, offset=5000)
    assert last.offset == 984 and len(last.rows) == 16  # past the end: the last page


def test_filters_search_and_sorts(shop, small_mp4):
    boots, hats = projects.create_project(shop, "Boots"), projects.create_project(shop, "Hats")
    a = add_rendered_clip(shop, boots["id"], "Red boots 50%", small_mp4, cost=0.03)
    b = add_rendered_clip(shop, boots["id"], "Blue boots", small_mp4, voiceover=False, subtitles=False)
    c = add_rendered_clip(shop, hats["id"], "Straw hat", small_mp4)
    projects.update_clip(shop, c["id"], status="failed")
    names = lambda **kw: sorted(r["name"] for r in browse_clips(shop, ClipFilter(**kw)).rows)  # noqa: E731
    assert names(search="boots") == ["Blue boots", "Red boots 50%"]
    assert names(search="HAT") == ["Straw hat"]
    assert names(search="50%") == ["Red boots 50%"] and names(search="_") == []  # wildcards are literal
    assert names(project_id=hats["id"]) == ["Straw hat"]
    assert names(status="failed") == ["Straw hat"]
    assert names(voiceover=False) == ["Blue boots"] and names(subtitles=True) == ["Red boots 50%", "Straw hat"]
    with shop.db.transaction() as cur:
        cur.execute("INSERT INTO clip_publish_state VALUES (?, 'scheduled', '[]', now())", [a["id"]])
    assert names(publishing="scheduled") == ["Red boots 50%"]
    assert names(publishing="unpublished") == ["Blue boots", "Straw hat"]
    rows = {r["name"]: r for r in browse_clips(shop).rows}
    assert rows["Red boots 50%"]["display_status"] == "scheduled" and rows["Straw hat"]["display_status"] == "failed"
    assert rows["Blue boots"]["display_status"] == "rendered" and rows["Red boots 50%"]["voice"] == "Piper Joe"
    assert rows["Red boots 50%"]["file"].is_file()
    assert [r["name"] for r in browse_clips(shop, sort="name").rows] == ["Blue boots", "Red boots 50%", "Straw hat"]
    assert browse_clips(shop, sort="cost").rows[0]["name"] == "Red boots 50%"
    for bad in (dict(status="lost"), dict(publishing="viral")):
        with pytest.raises(ValidationError, match="use one of"):
            browse_clips(shop, ClipFilter(**bad))
    with pytest.raises(ValidationError, match="Unknown sort"):
        browse_clips(shop, sort="random")
    with pytest.raises(ValidationError, match="A page holds"):
        browse_clips(shop, limit=0)
    assert [(p["name"], p["clips"]) for p in clip_catalog.project_choices(shop)] == [("Boots", 2), ("Hats", 1)]


def test_the_project_filter_offers_the_newest_projects_and_the_chosen_one(shop):
    made = [projects.create_project(shop, f"P{i:03d}") for i in range(5)]
    offered = clip_catalog.project_choices(shop, limit=2)
    assert [p["name"] for p in offered] == ["P003", "P004"]
    offered = clip_catalog.project_choices(shop, limit=2, keep=made[0]["id"])
    assert [p["name"] for p in offered] == ["P000", "P003", "P004"]
    assert clip_catalog.project_choices(shop, limit=2, keep="proj_gone") == offered[1:]


def test_another_profiles_clips_are_never_listed(workspace, shop, small_mp4):
    other = workspace.create("Hats")
    add_rendered_clip(other, projects.create_project(other, "Theirs")["id"], "Their clip", small_mp4)
    assert browse_clips(shop).total == 0 and clip_catalog.project_choices(shop) == []


def test_poster_frames_are_made_once_and_again_after_a_new_render(shop, small_mp4):
    clip = add_rendered_clip(shop, projects.create_project(shop, "P")["id"], "One", small_mp4)
    video = shop.paths.absolute(clip["path"])
    poster = poster_for(shop, clip["id"], video, 2.0)
    assert poster.is_file() and poster.read_bytes()[:2] == b"\xff\xd8"  # a JPEG
    assert poster.is_relative_to(shop.folder)
    made = poster.stat().st_mtime_ns
    assert poster_for(shop, clip["id"], video, 2.0).stat().st_mtime_ns == made  # cached
    later = poster.stat().st_mtime + 5
    os.utime(video, (later, later))  # the clip was rendered again
    assert poster_for(shop, clip["id"], video, 2.0).stat().st_mtime >= later - 5
    assert poster_for(shop, clip["id"], None) is None


def test_delete_removes_rows_and_files_but_keeps_files_still_in_use(shop, small_mp4):
    project = projects.create_project(shop, "P")
    one = add_rendered_clip(shop, project["id"], "One", small_mp4)
    two = add_rendered_clip(shop, project["id"], "Two", small_mp4)
    twin = projects.create_clip(shop, project["id"], "Twin of two", status="rendered", path=two["path"])
    video_one, video_two = shop.paths.absolute(one["path"]), shop.paths.absolute(two["path"])
    poster = poster_for(shop, one["id"], video_one, 2.0)
    report = delete_clips(shop, [one["id"], two["id"]])
    assert sorted(report.deleted) == sorted([one["id"], two["id"]])
    assert not video_one.exists() and not shop.paths.absolute(one["captions_path"]).exists() and not poster.exists()
    assert video_two.exists()  # the twin still uses it
    assert [r["id"] for r in browse_clips(shop).rows] == [twin["id"]]
    assert shop.paths.absolute(one["voiceover_path"]).exists()  # voiceovers are the synthesis cache's


def test_delete_never_touches_files_outside_the_profile(workspace, shop, small_mp4):
    other = workspace.create("Hats")
    theirs = add_rendered_clip(other, projects.create_project(other, "Theirs")["id"], "Theirs", small_mp4)
    their_video = other.paths.absolute(theirs["path"])
    # A row of this profile whose stored path leads into the other profile's folder.
    sneaky = projects.create_clip(shop, projects.create_project(shop, "P")["id"], "Sneaky", status="rendered",
                                  path=os.path.relpath(their_video, shop.folder))
    assert browse_clips(shop).rows[0]["file"] is None  # not shown, not downloadable
    delete_clips(shop, [sneaky["id"]])
    assert their_video.is_file()


def test_delete_refuses_foreign_ids_and_clips_being_published(workspace, shop, small_mp4):
    other = workspace.create("Hats")
    theirs = add_rendered_clip(other, projects.create_project(other, "Theirs")["id"], "Theirs", small_mp4)
    mine = add_rendered_clip(shop, projects.create_project(shop, "P")["id"], "Mine", small_mp4)
    with pytest.raises(NotFoundError, match="was not found in profile 'Shoes'"):
        delete_clips(shop, [mine["id"], theirs["id"]])
    assert projects.get_clip(shop, mine["id"]) and projects.get_clip(other, theirs["id"])  # nothing was deleted
    assert other.paths.absolute(theirs["path"]).is_file()
    outbox.record(shop, [outbox.NewPublication(mine["id"], "ch", "x", "now", "Hi", {}, None, None, "k1")])
    with pytest.raises(ValidationError, match="being published right now"):
        delete_clips(shop, [mine["id"]])
    assert shop.paths.absolute(mine["path"]).is_file()
    with pytest.raises(ValidationError, match="Select at least one"):
        delete_clips(shop, [])


def test_voice_label_reads_stored_details():
    assert clip_catalog.voice_label(json.dumps({"provider": "edge", "voice": "en-US-Aria"})) == "Edge TTS Aria"
    assert clip_catalog.voice_label(None) == "" and clip_catalog.voice_label("not json") == ""
