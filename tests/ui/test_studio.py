"""The studio shell: sessions own their profile, the header manages profiles, the URL keeps page and profile."""

from __future__ import annotations

import re

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.models.session import FAILED
from editfactory.ui.app import StudioApp
from tests.ui.clip_fixtures import add_rendered_clip, small_mp4  # noqa: F401 - fixture
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
        # The page stays in the document, hidden (the browser keeps its components instead of building them again).
        box = app._boxes["library"]
        assert any(item is box for item in app._main.objects) and not box.visible
        while app._loaded_for.get("library") != hats.id or app.showing() != [library]:
            await asyncio.sleep(0.05)
        assert library.model.rows == []

    asyncio.run(asyncio.wait_for(story(), timeout=120))


# Watches every frame for an element showing ``text`` while the page says it opens ``profile`` ("Opening Hats…") or
# shows one of its clips (``theirs``); records any sighting.
_STALE_WATCH_JS = """([text, profile, theirs]) => {
  window.staleSeen = [];
  const visibleText = (root, wanted) => {
    for (const e of root.querySelectorAll('*')) {
      if (e.shadowRoot && visibleText(e.shadowRoot, wanted)) return true;
      if (e.childElementCount === 0 && e.textContent.trim() === wanted && e.checkVisibility()) return true;
    }
    return false;
  };
  const frame = () => {
    const next = visibleText(document, `Opening ${profile}…`) || visibleText(document, theirs);
    if (next && visibleText(document, text)) window.staleSeen.push(performance.now());
    if (!window.staleStop) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}"""


@pytest.mark.ui
@pytest.mark.slow
def test_a_profile_switch_in_the_browser_never_shows_the_previous_profiles_clips(browser, workspace, served_studio,
                                                                                  small_mp4):
    """The page now stays in the document, hidden, while the next profile's data is read: checked frame by frame
    that no clip of the previous profile is visible once the page says it opens the next one or shows its clips."""
    from editfactory.services import projects

    shoes, hats = workspace.create("Shoes"), workspace.create("Hats")
    add_rendered_clip(shoes, projects.create_project(shoes, "Boots")["id"], "Red boots", small_mp4)
    add_rendered_clip(hats, projects.create_project(hats, "Caps")["id"], "Panama hat", small_mp4)
    workspace.remember_last_used(shoes.id)
    studio = served_studio()
    page = open_page(browser, studio.url + "?page=library", viewport=(1366, 768))
    for there, other, theirs in (("Hats", "Red boots", "Panama hat"), ("Shoes", "Panama hat", "Red boots"),
                                 ("Hats", "Red boots", "Panama hat")):
        page.get_by_text(other, exact=True).filter(visible=True).first.wait_for(timeout=120_000)
        page.evaluate(_STALE_WATCH_JS, [other, there, theirs])
        page.get_by_role("combobox").first.click()
        page.get_by_role("listbox").get_by_text(re.compile(f"^{there}")).first.click()  # "Shoes (default)"
        page.get_by_text(theirs, exact=True).filter(visible=True).first.wait_for(timeout=120_000)
        page.wait_for_timeout(300)
        page.evaluate("() => { window.staleStop = true }")
        assert page.evaluate("() => window.staleSeen.length") == 0, f"{other} was shown under {there}"
        page.evaluate("() => { window.staleStop = false }")


def test_an_opening_page_whose_refresh_never_started_is_mounted_again(workspace, runner, monkeypatch):
    """CI's brand story: after a menu click the page said "Opening …" for two minutes; its refresh had not run.
    The session's poll mounts the page again after a few seconds."""
    import asyncio

    from editfactory.ui import app as shell

    shop = workspace.create("Shoes")

    async def story():
        app = StudioApp(workspace, runner)
        app.start({"page": "library", "profile": shop.id})
        while len(app.showing()) != 1 or app._loaded_for.get("library") != shop.id:
            await asyncio.sleep(0.05)
        app._opening("library")  # as if a mount had shown the notice and its refresh were lost
        assert [str(o.object) for o in app.showing()] == ["Opening Shoes…"] and app._reveal_due is None
        monkeypatch.setattr(shell, "STUCK_OPENING_SECONDS", 0.0)
        await app.poll()
        while app.showing() != [app._views["library"]]:
            await asyncio.sleep(0.05)

    asyncio.run(asyncio.wait_for(story(), timeout=60))
