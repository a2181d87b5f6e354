"""The Music page: upload tracks (bad ones refused in words, nothing stored changed), the list with length, tempo
and moods, rename and mood tags edited in the table, the player, delete (a track in use says by which project),
per-session state; and the same in a real browser."""

from __future__ import annotations

import asyncio
import re

import pytest
from music_tracks import make_track

from editfactory.footage.music import list_tracks, music_folder, set_project_music
from editfactory.media.runner import ffmpeg_path
from editfactory.services import projects
from editfactory.ui.music import MusicPage


def _cell_click(column: str, row: int):
    from panel.models.tabulator import CellClickEvent

    return CellClickEvent(model=None, column=column, row=row)


def _edit(view: MusicPage, column: str, row: int, value: str) -> None:
    """What an edit in the browser does: the cell is patched, then the event is sent."""
    from panel.models.tabulator import TableEditEvent

    view._table.patch({column: [(row, value)]})
    view._table._process_event(TableEditEvent(model=None, column=column, row=row))


@pytest.fixture(scope="module")
def tracks(tmp_path_factory):
    import subprocess

    folder = tmp_path_factory.mktemp("tracks")
    made = {
        "groove.mp3": make_track(folder / "groove.mp3", bpm=120, seconds=8, title="Groove"),
        "calm.flac": make_track(folder / "calm.flac", bpm=90, seconds=8),
        "blip.wav": make_track(folder / "blip.wav", seconds=0.5),
    }
    silent = folder / "silent.m4a"
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", "8",
                    "-c:a", "aac", str(silent)], check=True, timeout=60)
    made["silent.m4a"] = silent
    return made


@pytest.fixture
def view(make_session):
    page = MusicPage(session=make_session())
    asyncio.run(page.refresh())
    return page


def _stored(profile) -> tuple[list, list]:
    return ([(t.id, t.title, t.moods) for t in list_tracks(profile)],
            sorted(p.name for p in music_folder(profile).glob("*")) if music_folder(profile).exists() else [])


def test_uploads_list_the_good_tracks_and_refuse_each_bad_one_in_words(view, tracks):
    profile = view.session.profile
    asyncio.run(view.upload([
        ("Groove.mp3", tracks["groove.mp3"].read_bytes()), ("notes.mp3", b"these are my shopping notes\n" * 40),
        ("blip.wav", tracks["blip.wav"].read_bytes()), ("silent.m4a", tracks["silent.m4a"].read_bytes()),
        ("cover.png", b"\x89PNG\r\n\x1a\n"), ("calm.flac", tracks["calm.flac"].read_bytes()),
    ]))
    shown = view._refused.object
    assert view._refused.visible
    for name in ("notes.mp3", "blip.wav", "silent.m4a", "cover.png"):
        assert f"**{name}**" in shown, (name, shown)
    assert "not a supported file type" in shown and "silent" in shown.lower() and "5 s" in shown
    assert not re.search(r"/tmp/|" + re.escape(str(profile.folder)), shown)
    table = view._table.value
    assert list(table["title"]) == ["calm", "Groove"]
    assert list(table["tempo"]) == ["90 BPM", "120 BPM"] and list(table["duration"]) == ["0:08", "0:08"]
    assert view._summary.object.startswith("2 track(s)")
    assert view.session.notice["level"] == "warning" and "Imported 2 track(s); 4 refused" in view.session.notice["message"]
    assert len(_stored(profile)[1]) == 2  # nothing of a refused file is kept
    assert not any(profile.paths.tmp.glob("*upload*"))

    # The same files again: nothing new is stored; an upload of bad files only changes nothing.
    before = _stored(profile)
    asyncio.run(view.upload([("groove-copy.mp3", tracks["groove.mp3"].read_bytes())]))
    asyncio.run(view.upload([("notes.mp3", b"not music" * 100)]))
    assert _stored(profile) == before
    assert view.session.notice["level"] == "error" and "**notes.mp3**" in view._refused.object


def test_rename_and_moods_are_edited_in_the_table_and_bad_values_refused(view, tracks):
    profile = view.session.profile
    asyncio.run(view.upload([("groove.mp3", tracks["groove.mp3"].read_bytes())]))
    _edit(view, "title", 0, "Morning groove")
    _edit(view, "moods", 0, "Upbeat,  happy , upbeat")
    asyncio.run(view.model.load())
    [track] = list_tracks(profile)
    assert (track.title, track.moods) == ("Morning groove", ("upbeat", "happy"))
    assert list(view._table.value["moods"]) == ["upbeat, happy"]
    before = _stored(profile)
    _edit(view, "title", 0, "   ")
    assert view.session.notice["level"] == "error" and "needs a title" in view.session.notice["message"]
    _edit(view, "moods", 0, "x" * 40)
    assert "longer than" in view.session.notice["message"]
    asyncio.run(view.model.load())
    assert _stored(profile) == before and list(view._table.value["title"]) == ["Morning groove"]


def test_the_player_plays_the_clicked_track(view, tracks):
    asyncio.run(view.upload([("groove.mp3", tracks["groove.mp3"].read_bytes())]))
    assert view._player.object == ""
    view._table._process_event(_cell_click("play", 0))
    assert '<audio controls autoplay' in view._player.object and 'src="/efmedia/' in view._player.object
    assert "Groove" in view._player.object and "120 BPM" in view._player.object


def test_a_track_in_use_says_which_project_and_stays_a_free_one_is_deleted(view, tracks):
    profile = view.session.profile
    asyncio.run(view.upload([("groove.mp3", tracks["groove.mp3"].read_bytes()),
                             ("calm.flac", tracks["calm.flac"].read_bytes())]))
    groove = next(t for t in list_tracks(profile) if t.title == "Groove")
    project = projects.create_project(profile, "Summer mugs")
    set_project_music(profile, project["id"], {"track_id": groove.id})
    asyncio.run(view.model.load())
    assert list(view._table.value["used_by"]) == ["", "Summer mugs"]
    before = _stored(profile)
    view._table._process_event(_cell_click("delete", 1))
    assert view._confirm_dialog.open and "Groove" in view._confirm_text.object
    view._confirm_delete.clicks += 1
    assert view.session.notice["level"] == "error"
    assert "in use by project 'Summer mugs'" in view.session.notice["message"]
    assert _stored(profile) == before and groove.path.is_file()
    view._table._process_event(_cell_click("delete", 0))
    view._confirm_delete.clicks += 1
    asyncio.run(view.model.load())
    assert [t.title for t in list_tracks(profile)] == ["Groove"] and len(_stored(profile)[1]) == 1
    assert list(view._table.value["title"]) == ["Groove"]


def test_an_empty_file_the_browser_reports_is_refused_by_name(view):
    view._chosen._handle_msg([{"name": "empty.mp3", "size": 0}])
    assert "empty.mp3" in view._refused.object and "is empty (0 bytes)" in view._refused.object
    assert view.session.notice["level"] == "error"


def test_each_session_shows_its_own_profile_and_a_switch_leaves_nothing_of_the_last(make_session, workspace, tracks):
    shop, other = workspace.create("Mug Shop"), workspace.create("Hat Shop")
    first, second = MusicPage(session=make_session(shop.id)), MusicPage(session=make_session(other.id))
    asyncio.run(first.refresh())
    asyncio.run(second.refresh())
    asyncio.run(first.upload([("groove.mp3", tracks["groove.mp3"].read_bytes())]))
    asyncio.run(second.refresh())
    assert list(first._table.value["title"]) == ["Groove"] and second._table.value.empty
    first.session.switch_profile(other.id)
    asyncio.run(first.refresh())
    assert first._table.value.empty and first._player.object == "" and not first._refused.visible


@pytest.mark.ui
def test_music_library_in_the_browser(browser, workspace, served_studio, tracks, tmp_path):
    from tests.ui.conftest import open_page, screenshot, shown_page

    shop = workspace.create("Music Store")
    workspace.remember_last_used(shop.id)
    notes = tmp_path / "notes.mp3"
    notes.write_text("not music at all\n" * 50)
    studio = served_studio()
    page = open_page(browser, studio.url + "?page=music", wait_text="No music yet", viewport=(1366, 768))
    shown_page(page).locator("input[type=file]").set_input_files([str(tracks["groove.mp3"]), str(notes), str(tracks["calm.flac"])])
    page.get_by_text("2 track(s) in this profile's music library").wait_for(timeout=400_000)
    page.get_by_text("notes.mp3 is not an audio file ffmpeg can read").wait_for(timeout=30_000)
    page.locator(".tabulator-cell[tabulator-field='moods']").nth(1).click()
    editor = page.locator(".tabulator-cell.tabulator-editing input")
    editor.fill("upbeat, summer")
    editor.press("Enter")
    page.get_by_text("Moods saved.").wait_for(timeout=60_000)
    page.get_by_text("▶ Play").nth(1).click()
    audio = page.locator(".ef-music-player audio")
    audio.wait_for(timeout=30_000)
    played = audio.evaluate(
        "a => { a.muted = true; return a.play().then(() => new Promise(r => setTimeout(() => r(a.currentTime), 800))) }")
    assert played > 0
    screenshot(page, "60-music-library")
    groove = next(t for t in list_tracks(shop) if t.title == "Groove")
    assert groove.moods == ("upbeat", "summer")
    shown = page.locator("body").inner_text()
    assert not re.search(r"Traceback|/tmp/|" + re.escape(str(workspace.root)), shown), shown
