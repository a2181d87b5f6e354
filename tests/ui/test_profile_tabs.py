"""Every tab's profile switcher follows profiles created, renamed and deleted in other tabs and other processes;
a tab whose profile was deleted moves to the default profile and says so; "Manage profiles" starts on the tab's own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def names(session) -> list[str]:
    return [p["name"] for p in session.profiles]


def test_a_tab_follows_profiles_changed_in_another_tab_and_another_process(make_session, workspace):
    default = workspace.default()
    trail = workspace.create("Trail Shoes Co")
    mugs = workspace.create("Mug Store")
    here, there = make_session(mugs.id), make_session(trail.id)
    there.create_profile("Hat Shop")
    there.update_profile(mugs.id, name="Mug Store EU")
    here.follow_workspace()
    assert set(names(here)) == {default.name, "Trail Shoes Co", "Mug Store EU", "Hat Shop"}
    assert here.profile.name == "Mug Store EU", "the tab's own profile shows its new name"
    # Another process (a notebook) creates one: only profile.json files are read to see it.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", f"from editfactory.profiles import Workspace; "
                    f"Workspace({str(workspace.root)!r}).create('Notebook Shop')"], check=True, env=env, timeout=120)
    here.follow_workspace()
    assert "Notebook Shop" in names(here)
    # The other tab deletes this tab's profile: this tab moves to the default profile and says why.
    there.delete_profile(mugs.id, "Mug Store EU")
    here.follow_workspace()
    assert here.profile.id == default.id and here.profile_id == default.id
    assert "Mug Store EU" not in names(here)
    assert here.notice["level"] == "warning" and "'Mug Store EU' was deleted" in here.notice["message"]
    assert default.name in here.notice["message"]


def test_picking_a_profile_deleted_meanwhile_drops_it_from_the_list(make_session, workspace):
    kept, gone = workspace.create("Kept Store"), workspace.create("Gone Store")
    here = make_session(kept.id)
    workspace.delete(gone.id)
    here.profile_id = gone.id  # picked from a list not yet refreshed
    assert here.profile_id == kept.id and "Gone Store" not in names(here)


def test_manage_profiles_starts_on_the_tabs_own_profile(make_session, workspace):
    from editfactory.ui.header import ProfileSwitcher

    trail = workspace.create("Trail Shoes Co")
    mugs = workspace.create("Mug Store")
    switcher = ProfileSwitcher(session=make_session(mugs.id))
    switcher._open_manage()
    assert switcher._manage_pick.value == mugs.id
    switcher._manage_pick.value = trail.id  # looked at another profile, then closed the dialog
    switcher._manage_dialog.open = False
    switcher._open_manage()
    assert switcher._manage_pick.value == mugs.id and switcher._manage_name.value == "Mug Store"


def switcher_lists(page, *shown: str, absent: str) -> None:
    """Open the tab's profile switcher until it lists ``shown`` and not ``absent`` (the list follows within seconds)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    for _ in range(15):
        page.get_by_role("combobox").first.click()
        listbox = page.get_by_role("listbox")
        try:
            for name in shown:
                listbox.get_by_text(name).wait_for(timeout=2_000)
            if listbox.get_by_text(absent).count() == 0:
                page.keyboard.press("Escape")
                return
        except PlaywrightTimeoutError:
            pass
        page.keyboard.press("Escape")
        page.wait_for_timeout(1_000)
    raise AssertionError(f"the switcher did not come to list {shown} without {absent!r}")


@pytest.mark.ui
def test_two_tabs_follow_profiles_changed_elsewhere_in_the_browser(browser, workspace, served_studio):
    from playwright.sync_api import expect

    from tests.ui.conftest import screenshot

    trail = workspace.create("Trail Shoes Co")
    mugs = workspace.create("Mug Store")
    workspace.set_default(trail.id)
    studio = served_studio()
    tabs = []
    for profile in (trail, mugs):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.goto(f"{studio.url}?page=library&profile={profile.id}")
        page.get_by_role("button", name="Manage profiles").wait_for(timeout=60_000)
        tabs.append(page)
    trail_tab, mugs_tab = tabs
    # Another process (this test; a notebook would do the same) creates a profile and renames one.
    workspace.create("Hat Shop")
    workspace.update(trail.id, name="Trail Shoes EU")
    for page in tabs:
        switcher_lists(page, "Hat Shop", "Trail Shoes EU", absent="Trail Shoes Co")
    # Mug Store is deleted elsewhere: its tab moves to the default profile and says so; the other tab drops it.
    workspace.delete(mugs.id)
    mugs_tab.get_by_text("'Mug Store' was deleted in another tab or window").wait_for(timeout=30_000)
    expect(mugs_tab).to_have_url(re.compile(f"profile={trail.id}"), timeout=30_000)
    screenshot(mugs_tab, "32-profile-deleted-in-another-tab")
    switcher_lists(trail_tab, "Hat Shop", "Trail Shoes EU", absent="Mug Store")
    # Manage profiles starts on the tab's own profile.
    mugs_tab.get_by_role("button", name="Manage profiles").click()
    dialog = mugs_tab.get_by_role("dialog")
    dialog.get_by_label("Name", exact=True).wait_for(timeout=30_000)
    assert dialog.get_by_label("Name", exact=True).input_value() == "Trail Shoes EU"


def test_the_switcher_never_picks_another_profile_when_the_shown_one_is_deleted_elsewhere(make_session, workspace):
    from editfactory.ui.header import ProfileSwitcher

    hats, mugs = workspace.create("Hat Shop"), workspace.create("Mug Store")
    default = workspace.create("Trail Shoes Co")
    workspace.set_default(default.id)
    session = make_session(mugs.id)
    switcher = ProfileSwitcher(session=session)
    workspace.delete(mugs.id)
    session.follow_workspace()
    # The default profile (not the first of the list), with the message; the other profiles stay listed.
    assert session.profile.id == default.id and switcher._select.value == default.id
    assert "'Mug Store' was deleted" in session.notice["message"]
    assert hats.id in switcher._select.options.values()
