"""The Library page: model and view driven through widget values, and one story in the browser."""

from __future__ import annotations

import asyncio

import pytest
from panel.models.tabulator import CellClickEvent, TableEditEvent

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.models.library import LibraryModel
from editfactory.services import projects
from editfactory.ui.library import LibraryPage
from tests.ui.clip_fixtures import add_rendered_clip, small_mp4  # noqa: F401 - fixture
from tests.ui.conftest import open_page, screenshot


@pytest.fixture
def shop(workspace):
    return workspace.create("Shoes")


@pytest.fixture
def stocked(shop, small_mp4):
    """Shoes with 3 rendered clips in two projects (one without voiceover and subtitles)."""
    boots, hats = projects.create_project(shop, "Boots"), projects.create_project(shop, "Hats")
    clips = [
        add_rendered_clip(shop, boots["id"], "Red boots", small_mp4, cost=0.03),
        add_rendered_clip(shop, boots["id"], "Blue boots", small_mp4, voiceover=False, subtitles=False),
        add_rendered_clip(shop, hats["id"], "Straw hat", small_mp4),
    ]
    return {"boots": boots, "hats": hats, "clips": clips}


def _page(make_session, profile) -> LibraryPage:
    view = LibraryPage(session=make_session(profile.id))
    asyncio.run(view.refresh())
    return view


def _edit_cell(table, row: int, column: str, value: str) -> None:
    """What the browser does when a cell is edited: the value changes, then the edit event arrives."""
    table.patch({column: [(row, value)]})
    table._process_event(TableEditEvent(model=None, column=column, row=row, value=value))


def _names(view: LibraryPage) -> list[str]:
    return list(view._table.value["name"])


def test_the_page_lists_this_profiles_clips_with_posters_status_voice_and_cost(shop, stocked, make_session):
    view = _page(make_session, shop)
    assert _names(view) == ["Straw hat", "Blue boots", "Red boots"]
    table = view._table.value.set_index("name")
    assert table.loc["Red boots", "cost"] == "$0.03" and table.loc["Blue boots", "cost"] == "Free"
    assert table.loc["Red boots", "voice"] == "Piper Joe" and table.loc["Red boots", "duration"] == "0:02"
    assert "rendered" in table.loc["Red boots", "status"]
    assert "<img" in table.loc["Red boots", "poster"] and "/efmedia/" in table.loc["Red boots", "poster"]
    assert 'download="Red boots.mp4"' in table.loc["Red boots", "download"]
    assert "3 matching clip(s)" in view._summary.object and "in 2 project(s)" in view._summary.object
    assert set(view.model.posters) == {c["id"] for c in stocked["clips"]}


def test_search_filters_and_sort_through_the_widgets(shop, stocked, make_session):
    view = _page(make_session, shop)
    view._search.value = "boots"
    asyncio.run(view.refresh())
    assert _names(view) == ["Blue boots", "Red boots"]
    view._sort.value = "name"
    asyncio.run(view.refresh())
    assert _names(view) == ["Blue boots", "Red boots"]
    view._voiceover.value = "without"
    asyncio.run(view.refresh())
    assert _names(view) == ["Blue boots"]
    view._reset.clicks += 1
    view._project.value = stocked["hats"]["id"]
    asyncio.run(view.refresh())
    assert _names(view) == ["Straw hat"] and view.model.project_id == stocked["hats"]["id"]
    assert "Hats (1)" in view._project.options
    view._project.value = ""
    view._search.value = "nothing like this"
    asyncio.run(view.refresh())
    assert _names(view) == [] and view._empty.visible and "No clip matches" in view._empty.object


def test_paging_reads_one_page_and_a_new_filter_starts_at_the_first(shop, make_session):
    project = projects.create_project(shop, "Big")
    with shop.db.transaction() as cur:
        cur.execute("INSERT INTO clips (id, project_id, name, status, created_at) SELECT 'clip_b' || lpad(i::VARCHAR, 5, "
                    "'0'), ?, 'Bulk ' || i, 'rendered', TIMESTAMP '2026-01-01' + to_seconds(i) FROM range(100) t(i)",
                    [project["id"]])
    view = _page(make_session, shop)
    assert len(view._table.value) == 24 and view._pagination.count == 5 and view._pagination.visible
    view._pagination.value = 4  # counted from 0
    asyncio.run(view.refresh())
    assert view.model.page_number == 5 and _names(view) == [f"Bulk {i}" for i in range(3, -1, -1)]
    assert view._summary.object.startswith("97–100 of 100")
    view._search.value = "Bulk 9"
    assert view.model.page_number == 1  # a new filter goes back to the first page
    asyncio.run(view.refresh())
    assert view.model.total == 11 and view._pagination.count == 1
    assert not view._pagination.visible  # a single page has no pager


def test_rename_inline_in_the_table(shop, stocked, make_session):
    view = _page(make_session, shop)
    row = _names(view).index("Blue boots")
    _edit_cell(view._table, row, "name", "  Navy   boots ")
    clip_id = stocked["clips"][1]["id"]
    assert projects.get_clip(shop, clip_id)["name"] == "Navy boots"
    assert view.session.notice["level"] == "success"
    _edit_cell(view._table, row, "name", "   ")
    assert projects.get_clip(shop, clip_id)["name"] == "Navy boots"  # refused, nothing stored
    assert view.session.notice["level"] == "error" and "needs a name" in view.session.notice["message"]
    assert _names(view)[row] == "Navy boots"  # the cell shows the stored name again


def test_delete_asks_first_then_removes_the_clip_and_its_file(shop, stocked, make_session):
    view = _page(make_session, shop)
    clip = stocked["clips"][0]
    video = shop.paths.absolute(clip["path"])
    row = _names(view).index("Red boots")
    view._table._process_event(CellClickEvent(model=None, column="remove", row=row))
    assert view._confirm_dialog.open and "Red boots" in view._confirm_text.object
    assert video.is_file()  # nothing happens before the confirmation
    view._confirm_delete.clicks += 1
    asyncio.run(view.refresh())
    assert not video.exists() and "Red boots" not in _names(view)
    with pytest.raises(NotFoundError):
        projects.get_clip(shop, clip["id"])


def test_preview_plays_the_clip_through_the_media_route(shop, stocked, make_session):
    view = _page(make_session, shop)
    row = _names(view).index("Straw hat")
    view._table._process_event(CellClickEvent(model=None, column="play", row=row))
    assert view._preview.visible and "<video" in view._player.object and "/efmedia/" in view._player.object
    assert "base64" not in view._player.object


def test_bulk_selection_survives_paging_then_delete_or_publish(shop, stocked, make_session):
    view = _page(make_session, shop)
    view.model.page_size = 2
    asyncio.run(view.refresh())
    view._table.selection = [0]  # Straw hat on page 1
    view._pagination.value = 1  # the second page
    asyncio.run(view.refresh())
    view._table.selection = [0]  # Red boots on page 2
    assert len(view.model.selected) == 2 and "2 selected" in view._selection_text.object
    assert not view._publish_button.disabled
    view._publish_button.clicks += 1
    assert view.session.page == "publish"
    assert set(view.session.publish_clips) == {stocked["clips"][0]["id"], stocked["clips"][2]["id"]}
    view._delete_button.clicks += 1
    assert view._confirm_dialog.open and "2 clips" in view._confirm_text.object
    view._confirm_delete.clicks += 1
    asyncio.run(view.refresh())
    assert view.model.total == 1 and view.model.selected == [] and view.session.publish_clips == []
    assert view._publish_button.disabled


def test_publish_without_a_selection_says_what_to_do(shop, stocked, make_session):
    model = LibraryModel(session=make_session(shop.id))
    model.load(posters=False)
    with pytest.raises(ValidationError, match="Select the clips"):
        model.publish_selected()


def test_another_profiles_clip_ids_are_refused(workspace, shop, stocked, make_session, small_mp4):
    other = workspace.create("Hats shop")
    theirs = add_rendered_clip(other, projects.create_project(other, "Theirs")["id"], "Theirs", small_mp4)
    model = LibraryModel(session=make_session(shop.id))
    model.load(posters=False)
    with pytest.raises(NotFoundError):
        model.rename(theirs["id"], "Mine now")
    with pytest.raises(NotFoundError):
        model.delete([theirs["id"]])
    assert projects.get_clip(other, theirs["id"])["name"] == "Theirs"
    assert other.paths.absolute(theirs["path"]).is_file()


def test_a_profile_switch_clears_filters_selection_and_rows(workspace, shop, stocked, make_session, small_mp4):
    other = workspace.create("Hats shop")
    add_rendered_clip(other, projects.create_project(other, "Theirs")["id"], "Their clip", small_mp4)
    view = _page(make_session, shop)
    view._table.selection = [0]
    view._publish_button.clicks += 1  # hands the selection to the Publish page
    assert view.session.publish_clips
    view.model.search = "boots"
    asyncio.run(view.refresh())
    view.session.profile_id = other.id
    asyncio.run(view.refresh())
    assert _names(view) == ["Their clip"] and view.model.search == "" and view.model.selected == []
    assert view.session.publish_clips == []  # Shoes' selection is not offered for publishing in Hats
    assert view._search.value == ""


def test_while_the_next_profile_loads_the_summary_shows_nothing_of_the_previous_one(workspace, shop, stocked,
                                                                                     make_session, small_mp4):
    """Seen in the browser: right after a switch the summary read "0–0 of 0 matching · 3 clip(s) in 0 project(s)",
    the previous profile's clip count, until the new profile's page arrived."""
    other = workspace.create("Hats shop")
    add_rendered_clip(other, projects.create_project(other, "Theirs")["id"], "Their clip", small_mp4)
    view = _page(make_session, shop)
    assert "3 clip(s) in 2 project(s)" in view._summary.object
    view.session.profile_id = other.id
    view.model._follow_profile()  # what refresh() does first, before its read returns
    view.model.loading = True
    assert "3 clip" not in view._summary.object and "2 project" not in view._summary.object
    assert view._summary.object == "Loading the clips …" and not view._empty.visible
    asyncio.run(view.refresh())
    assert "1 clip(s) in 1 project(s)" in view._summary.object


def test_a_clip_made_by_a_job_in_another_tab_appears_without_a_reload(shop, stocked, make_session, runner, small_mp4):
    view = _page(make_session, shop)
    asyncio.run(view.poll())
    assert len(view.model.rows) == 3

    def render_elsewhere(profile, ctx):  # what a production job started from the Produce page of another tab does
        add_rendered_clip(profile, stocked["hats"]["id"], "Panama hat", small_mp4)

    runner.wait(shop, runner.submit(shop, "test-render", fn=render_elsewhere), timeout=60)
    asyncio.run(view.poll())
    assert "Panama hat" in _names(view) and "4 clip(s)" in view._summary.object


@pytest.mark.ui
def test_library_in_the_browser(browser, workspace, served_studio, shop, stocked):
    workspace.remember_last_used(shop.id)
    studio = served_studio()
    page = open_page(browser, studio.url + "?page=library", wait_text="Straw hat")
    page.locator("img[src^='/efmedia/']").first.wait_for(timeout=30_000)  # poster frames arrive
    # The order comes from the Sort choice (all pages); no column header offers a sort of the page alone, and the
    # Play/Delete columns show no sort arrows.
    assert page.locator(".tabulator-col.tabulator-sortable").count() == 0
    # Search, kept in the URL.
    search = page.get_by_label("Search clips")
    search.fill("boots")
    search.press("Enter")
    page.wait_for_url("**q=boots**", timeout=15_000)
    page.get_by_text("Straw hat").wait_for(state="detached", timeout=15_000)
    # Rename inline; the notice says so.
    page.get_by_role("gridcell", name="Blue boots").click()
    editor = page.locator(".tabulator-cell.tabulator-editing input")
    editor.fill("Navy boots")
    editor.press("Enter")
    page.get_by_text("Renamed to 'Navy boots'").wait_for(timeout=15_000)
    assert projects.get_clip(shop, stocked["clips"][1]["id"])["name"] == "Navy boots"
    screenshot(page, "10-library")
    # Filter: clips without a voiceover, also kept in the URL.
    page.get_by_role("combobox", name="Voiceover").click()
    page.get_by_role("listbox").get_by_text("Without").click()
    page.wait_for_url("**voiceover=without**", timeout=15_000)
    page.get_by_text("Red boots").wait_for(state="detached", timeout=15_000)
    # Preview it in the page.
    page.get_by_text("▶ Play").first.click()
    page.locator("video[src^='/efmedia/']").wait_for(timeout=15_000)
    screenshot(page, "11-library-filtered-preview")
    # A reload keeps the filters.
    page.reload()
    page.get_by_text("Navy boots").first.wait_for(timeout=30_000)
    assert page.get_by_text("Red boots").count() == 0
    # Delete with confirmation: the file goes too.
    page.get_by_text("✖ Delete").first.click()
    page.get_by_text("Its video file and poster are removed too").wait_for(timeout=15_000)
    screenshot(page, "12-library-delete-confirmation")
    page.get_by_role("button", name="Delete", exact=True).click()
    page.get_by_text("Deleted 1 clip(s)").wait_for(timeout=15_000)
    assert not shop.paths.absolute(stocked["clips"][1]["path"]).exists()
    page.get_by_text("No clip matches these filters").wait_for(timeout=15_000)
    assert "Traceback" not in page.content()
