"""The studio shell: sessions own their profile, the header manages profiles, the URL keeps page and profile."""

from __future__ import annotations

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.models.session import FAILED
from editfactory.ui.app import StudioApp
from tests.ui.conftest import open_page, screenshot


def test_a_session_opens_the_last_used_profile_never_a_blank_one(workspace, make_session):
    session = make_session()
    assert session.profile.name == "Default"  # an empty workspace gets "Default"
    shop = workspace.create("Shoes")
    workspace.remember_last_used(shop.id)
    assert make_session().profile.id == shop.id


def test_switching_in_one_session_changes_no_other_session(workspace, make_session):
    shoes, hats = workspace.create("Shoes"), workspace.create("Hats")
    first, second = make_session(shoes.id), make_session(shoes.id)
    first.profile_id = hats.id  # what the switcher and the URL do
    assert first.profile.id == hats.id
    assert second.profile.id == shoes.id and second.profile_id == shoes.id


def test_unknown_profile_in_the_url_opens_the_last_used_with_a_notice(workspace, make_session):
    session = make_session("prof_gone")
    assert session.profile is not None
    assert "no longer exists" in session.notice["message"]


def test_switching_to_a_missing_profile_keeps_the_current_one_and_says_why(workspace, make_session):
    session = make_session()
    current = session.profile.id
    session.profile_id = "prof_missing"
    assert session.profile.id == current and session.profile_id == current
    assert session.notice["level"] == "error" and "was not found" in session.notice["message"]


def test_create_rename_default_and_delete_profiles(workspace, make_session):
    session = make_session()
    store_b = session.create_profile("Store B", "second shop")
    assert session.profile.id == store_b.id
    with pytest.raises(ValidationError, match="already exists"):
        session.create_profile("store b")
    session.update_profile(store_b.id, name="Store Bee", description="renamed")
    assert session.profile.name == "Store Bee"
    assert [p["name"] for p in session.profiles] == ["Default", "Store Bee"]
    session.set_default_profile(store_b.id)
    assert next(p for p in session.profiles if p["id"] == store_b.id)["default"]
    with pytest.raises(ValidationError, match="Type the profile's name"):
        session.delete_profile(store_b.id, "store bee")
    session.delete_profile(store_b.id, "Store Bee")
    assert session.profile.name == "Default"  # the active profile was left first
    with pytest.raises(NotFoundError):
        workspace.get(store_b.id)
    with pytest.raises(ValidationError, match="only profile"):
        session.delete_profile(session.profile.id, "Default")


def test_unexpected_errors_reach_the_user_with_a_reference_not_a_traceback(make_session, caplog):
    session = make_session()

    def broken():
        raise RuntimeError("internal detail")

    assert session.attempt(broken) is FAILED
    message = session.notice["message"]
    assert "reference" in message and "internal detail" not in message
    reference = message.split("reference ")[1][:6]
    assert reference in caplog.text


def test_the_menu_and_the_session_page_follow_each_other(workspace, runner):
    app = StudioApp(workspace, runner)
    app.start({"page": "jobs"})
    assert app.session.page == "jobs"
    app._menu.active = 0
    assert app.session.page == "library"
    app.session.page = "settings"
    assert app._menu.value["label"] == "Settings"


@pytest.mark.ui
def test_served_studio_opens_on_the_last_used_profile_and_switches(browser, workspace, served_studio):
    workspace.create("Magazinul Ștefan")
    other = workspace.create("Hats")
    workspace.remember_last_used(workspace.find_by_name("Magazinul Ștefan").id)
    studio = served_studio()
    page = open_page(browser, studio.url, wait_text="Magazinul Ștefan")
    screenshot(page, "00-start")
    page.get_by_role("combobox").first.click()
    page.get_by_role("listbox").get_by_text("Hats").click()
    page.wait_for_url(f"**profile={other.id}**", timeout=15_000)
    # A reload keeps the profile the URL names.
    page.reload()
    page.get_by_text("Hats").first.wait_for(timeout=30_000)
    assert "Traceback" not in page.content()


@pytest.mark.ui
def test_header_creates_and_deletes_profiles_and_back_button_returns_to_the_previous_page(browser, workspace, served_studio):
    workspace.create("Shoes")
    studio = served_studio()
    page = open_page(browser, studio.url + "?page=jobs", wait_text="job(s) shown")
    # New profile: a taken name is refused inline and nothing is created.
    page.get_by_role("button", name="New profile").click()
    page.get_by_label("Name", exact=True).first.fill("shoes")
    page.get_by_role("button", name="Create").click()
    page.get_by_text("already exists").first.wait_for(timeout=15_000)
    screenshot(page, "01-new-profile-refused")
    assert [p.name for p in workspace.list()] == ["Shoes"]
    page.get_by_label("Name", exact=True).first.fill("Store B")
    page.get_by_role("button", name="Create").click()
    page.wait_for_function("() => window.location.search.includes('profile=')", timeout=15_000)
    store_b = workspace.find_by_name("Store B")
    assert store_b is not None
    page.wait_for_url(f"**profile={store_b.id}**", timeout=15_000)
    # Pages change the URL; the back button returns to the page before.
    page.get_by_text("Dashboard", exact=True).first.click()
    page.get_by_text("All profiles").first.wait_for(timeout=30_000)
    page.go_back()
    page.get_by_text("job(s) shown").first.wait_for(timeout=30_000)
    # Manage profiles: delete needs the exact name typed.
    page.get_by_role("button", name="Manage profiles").click()
    page.get_by_label("Type the profile's name to delete it").fill("store b")
    page.get_by_role("button", name="Delete profile").click()
    page.get_by_text("Type the profile's name exactly").first.wait_for(timeout=15_000)
    page.get_by_label("Type the profile's name to delete it").fill("Store B")
    page.get_by_role("button", name="Delete profile").click()
    page.get_by_text("'Store B' was deleted").first.wait_for(timeout=15_000)
    screenshot(page, "02-manage-profiles")
    assert [p.name for p in workspace.list()] == ["Shoes"]


def test_after_a_switch_the_page_shows_nothing_of_the_previous_profile_until_reloaded(workspace, runner):
    import asyncio

    from editfactory.services import projects

    shoes, hats = workspace.create("Shoes"), workspace.create("Hats")
    project = projects.create_project(shoes, "Boots")
    projects.create_clip(shoes, project["id"], "Red boots", status="rendered")

    async def story():
        app = StudioApp(workspace, runner)
        app.start({"page": "library", "profile": shoes.id})
        assert [str(o.object) for o in app.showing()] == ["Opening Shoes…"]  # nothing before its data is loaded
        while app._loaded_for.get("library") != shoes.id or len(app.showing()) != 1:
            await asyncio.sleep(0.05)
        library = app._views["library"]
        assert [row["name"] for row in library.model.rows] == ["Red boots"]
        assert app.showing() == [library]
        app.session.profile_id = hats.id
        # Shoes' rows are gone from the page at once; the page comes back once Hats' data is loaded.
        assert [str(o.object) for o in app.showing()] == ["Opening Hats…"]
        while app._loaded_for.get("library") != hats.id or app.showing() != [library]:
            await asyncio.sleep(0.05)
        assert library.model.rows == []

    asyncio.run(asyncio.wait_for(story(), timeout=120))
