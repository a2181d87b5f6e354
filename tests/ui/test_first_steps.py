"""First run: the Library shows a checklist (add footage, write a script, make a first video, connect Postiz),
each step a link to its page and ticked from the profile's data, instead of a bare "No clips yet"."""

from __future__ import annotations

import asyncio

import pytest

from editfactory.publish.config import save_config
from editfactory.services import projects
from editfactory.ui.library import LibraryPage
from tests.ui.clip_fixtures import add_rendered_clip, small_mp4  # noqa: F401 - fixture
from tests.ui.conftest import open_page, screenshot


def _done(view: LibraryPage) -> dict[str, bool]:
    return {step.key: step.done for step in view.model.first_steps}


def test_checklist_ticks_each_step_from_the_profiles_data_and_links_to_its_page(workspace, make_session, small_mp4,
                                                                                 tmp_path):
    shop = workspace.create("Shoes")
    session = make_session(shop.id)
    view = LibraryPage(session=session)
    asyncio.run(view.refresh())
    card = view._first_steps
    assert card.visible and not view._empty.visible  # not "No clips yet"
    assert _done(view) == {"footage": False, "script": False, "video": False, "postiz": False}
    assert card._title.object == "Get started — 0 of 4 done"

    # Each step's link opens its page in the same tab.
    links = {row.objects[1].css_classes[0].removeprefix("ef-step-link-"): row.objects[1] for row in card._rows}
    links["postiz"].clicks += 1
    assert session.page == "settings"
    links["footage"].clicks += 1
    assert session.page == "produce"

    from editfactory.footage import import_source
    project = projects.create_project(shop, "Boots")
    import_source(shop, small_mp4)
    asyncio.run(view.refresh())
    assert _done(view) == {"footage": True, "script": False, "video": False, "postiz": False}
    projects.update_project(shop, project["id"], script="Red boots for rainy days.")
    save_config(shop, url="http://127.0.0.1:9/api", api_key="key-abcdef-0123456789")
    asyncio.run(view.refresh())
    assert _done(view) == {"footage": True, "script": True, "video": False, "postiz": True}
    assert card._title.object == "Get started — 3 of 4 done"
    assert "data-done='true'" in card._rows[3].objects[0].object

    # Another profile has its own list; a finished clip ends the checklist and the table shows.
    other = workspace.create("Hats")
    session.switch_profile(other.id)
    asyncio.run(view.refresh())
    assert _done(view) == {"footage": False, "script": False, "video": False, "postiz": False}
    session.switch_profile(shop.id)
    add_rendered_clip(shop, project["id"], "Red boots", small_mp4)
    asyncio.run(view.refresh())
    assert view.model.first_steps == [] and not card.visible and list(view._table.value["name"]) == ["Red boots"]


@pytest.mark.ui
def test_first_run_checklist_in_the_browser(workspace, browser, served_studio):
    workspace.create("Shoes")
    studio = served_studio()
    for width, height in ((1366, 768), (1920, 1080)):
        page = open_page(browser, f"{studio.url}?page=library", viewport=(width, height))
        page.get_by_text("Get started — 0 of 4 done").wait_for(timeout=90_000)  # the 2 shared cores can be busy
        assert page.get_by_text("No clips yet").count() == 0
        for label in ("Add footage", "Write a script", "Make a first video", "Connect Postiz"):
            assert page.get_by_text(label, exact=True).is_visible()
        screenshot(page, f"library-first-steps-{width}x{height}")
        page.locator(".ef-step-link-postiz button, button.ef-step-link-postiz").first.click()
        page.get_by_text("Postiz").first.wait_for(timeout=30_000)
        page.wait_for_function("() => window.location.search.includes('page=settings')", timeout=30_000)
        page.close()
