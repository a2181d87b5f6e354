"""The studio's layout in a real browser at the common laptop and desktop sizes: every control the user needs can be
clicked (nothing lies over it), and wide tables fit the page with their actions on screen."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from editfactory.jobs import JobStore
from editfactory.publish import check_connection, list_publications, publish_many
from editfactory.services import projects
from tests.fakes.postiz_server import FakeIntegration
from tests.publish.conftest import _file_secrets, configure, postiz_factory  # noqa: F401 - fixtures
from tests.ui.clip_fixtures import add_rendered_clip, small_mp4  # noqa: F401 - fixture
from tests.ui.conftest import open_page, screenshot

KEY = "key-layout-0123456789"
VIEWPORTS = [(1366, 768), (1920, 1080)]
CHANNELS = [FakeIntegration("c-tiktok", "Shop TikTok", "tiktok"), FakeIntegration("c-insta", "Shop Instagram", "instagram"),
            FakeIntegration("c-x", "Shop X", "x")]


@pytest.fixture
def shop(workspace):
    return workspace.create("Shoes")


@pytest.fixture
def clips(shop, small_mp4):
    project = projects.create_project(shop, "Boots")
    return [add_rendered_clip(shop, project["id"], name, small_mp4, cost=0.07)
            for name in ("Red boots", "Blue boots", "Green boots")]


@pytest.fixture
def postiz(shop, clips, postiz_factory):
    """Three channels, and an outbox that already holds posts (the table the form used to slide under)."""
    server = postiz_factory(KEY, CHANNELS)
    configure(shop, server, KEY)
    check_connection(shop)
    publish_many(shop, [clips[2]["id"]], ["c-tiktok", "c-insta", "c-x"], captions="Earlier post")
    return server


def uncovered(page, locator) -> bool:
    """Whether what is drawn at the centre of ``locator`` (scrolled into view) is the element itself or inside it.
    Asked of the element's own (shadow) root, which sees through the hosts above it."""
    locator.scroll_into_view_if_needed(timeout=10_000)
    return locator.evaluate("""el => {
        const box = el.getBoundingClientRect();
        const hit = el.getRootNode().elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        const inside = node => { for (; node; node = node.parentNode || node.host) { if (node === el) return true } return false };
        return hit !== null && (inside(hit) || el.contains(hit));
    }""")


def _to_publish_form(browser, studio, viewport):
    page = open_page(browser, studio.url + "?page=library", wait_text="Blue boots", viewport=viewport)
    boxes = page.locator(".tabulator-row input[type='checkbox']")
    boxes.nth(0).click(timeout=5_000)
    boxes.nth(1).click(timeout=5_000)
    page.get_by_text("2 selected").wait_for(timeout=15_000)
    page.get_by_role("button", name="Publish selected").click(timeout=5_000)
    page.wait_for_url("**page=publish**", timeout=15_000)
    page.get_by_role("gridcell", name="Green boots").first.wait_for(timeout=30_000)  # the outbox is drawn
    for channel in CHANNELS:
        page.get_by_label(f"{channel.name} ({channel.identifier})").click(timeout=5_000)
    page.get_by_role("button", name="Spread out").click(timeout=5_000)
    return page


@pytest.mark.ui
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_the_publish_form_can_be_clicked_above_the_outbox(browser, workspace, served_studio, shop, clips, postiz,
                                                         viewport):
    """Library → 2 clips → Publish selected → 3 channels → Spread out: the date field and 'Schedule spread out' lay
    under the Outbox table (only the keyboard reached them), as did an error and a '117 too many' refusal."""
    workspace.remember_last_used(shop.id)
    studio = served_studio(EDITFACTORY_SECRETS_BACKEND="file")
    page = _to_publish_form(browser, studio, viewport)
    size = f"{viewport[0]}x{viewport[1]}"
    date = page.get_by_role("group", name="Publish at (UTC)")
    schedule = page.get_by_role("button", name="Schedule spread out")
    spacing = page.get_by_role("textbox", name="Minutes between clips")
    for control in (date, spacing, schedule):
        assert uncovered(page, control), f"{control} is covered at {size}"
    date.click(timeout=5_000)
    page.keyboard.press("Escape")
    schedule.click(timeout=5_000)  # no date yet: refused with a message
    error = page.locator(".main-content").get_by_text("Pick the date and time")  # in the form, not the toast
    error.wait_for(timeout=15_000)
    assert uncovered(page, error), f"the error is covered at {size}"
    assert uncovered(page, schedule) and uncovered(page, date), f"the form is covered after the error at {size}"
    schedule.click(timeout=5_000)

    page.get_by_label("Caption (every channel without its own)").fill("y" * 380)  # X takes 275 (280 less the caption tag)
    refusal = page.get_by_text("380 / 275 characters — 105 too many")
    refusal.wait_for(timeout=15_000)
    assert uncovered(page, refusal), f"the '117 too many' refusal is covered at {size}"
    assert uncovered(page, schedule), f"the button is covered after the refusal at {size}"
    schedule.click(timeout=5_000)
    screenshot(page, f"30-publish-spread-out-refused-{size}")

    # Mended, it goes out: two clips on three channels, the second two hours after the first.
    page.get_by_label("Caption (every channel without its own)").fill("Soon in the shop")
    page.get_by_text("16 / 275 characters").wait_for(timeout=15_000)
    date.get_by_role("spinbutton", name="Year").click(timeout=5_000)
    page.keyboard.type(f"{dt.date.today().year + 1}1201100000")  # each part moves on to the next
    spacing.fill("120")
    schedule.click(timeout=5_000)
    # Green boots (the newest, ticked first) went to these channels before: Publish asks before posting it again.
    again = page.get_by_role("button", name="Post again")
    again.wait_for(timeout=15_000)
    assert uncovered(page, again), f"'Post again' is covered at {size}"
    again.click(timeout=5_000)
    page.get_by_text("Publish — succeeded").wait_for(timeout=60_000)
    scheduled = sorted((p.scheduled_at, p.platform) for p in list_publications(shop) if p.scheduled_at is not None)
    first = dt.datetime(dt.date.today().year + 1, 12, 1, 10, 0)
    assert scheduled == sorted((when, c.identifier) for when in (first, first + dt.timedelta(hours=2)) for c in CHANNELS)
    assert "Traceback" not in page.content()


def _settled(page, check, timeout: float = 10.0) -> bool:
    """``check()`` once the table has settled (Tabulator lays its columns out again after the data arrives)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(250)
    return True


def _inside(page, locator) -> bool:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def _not_cut(locator) -> bool:
    """The cell shows its whole text (Tabulator cuts a cell too narrow with an ellipsis)."""
    return locator.evaluate("el => el.scrollWidth <= el.clientWidth + 1")


@pytest.mark.ui
@pytest.mark.parametrize("viewport", [(1366, 768), (1400, 900), (1920, 1080)], ids=lambda v: f"{v[0]}x{v[1]}")
def test_wide_tables_keep_their_actions_on_screen(browser, workspace, served_studio, shop, clips, viewport):
    """At 1400 px Play/Delete (Library) and Cancel/Retry (Jobs) were off-screen to the right; a status read 'schedu'.
    (Cancel shows only on a queued or running job, in the same column as Retry.)"""
    with shop.db.transaction() as cur:
        cur.execute("INSERT INTO clip_publish_state VALUES (?, 'partly failed', '[]', now())", [clips[0]["id"]])
        cur.execute("INSERT INTO clip_publish_state VALUES (?, 'scheduled', '[]', now())", [clips[1]["id"]])
    store = JobStore(shop)
    for index in range(4):
        job = store.create("production", {"project_id": clips[0]["project_id"], "variants": 3, "preset": "tiktok",
                                          "voice": {"provider": "piper", "voice": "joe"}})
        store.finish(job.id, "failed" if index % 2 else "succeeded",
                     error="The voice could not be reached; try again later." if index % 2 else None)
    workspace.remember_last_used(shop.id)
    studio = served_studio(EDITFACTORY_SECRETS_BACKEND="file")
    size = f"{viewport[0]}x{viewport[1]}"
    page = open_page(browser, studio.url + "?page=library", wait_text="Blue boots", viewport=viewport)
    for label in ("▶ Play", "✖ Delete"):
        button = page.get_by_text(label).first
        assert _settled(page, lambda: _inside(page, button)), f"{label} is off-screen at {size}"
    screenshot(page, f"31-library-{size}")
    for status in ("partly failed", "scheduled"):
        cell = page.locator(".tabulator-cell[tabulator-field='status']", has_text=status).first
        assert _settled(page, lambda: _inside(page, cell) and _not_cut(cell)), f"the status {status!r} is cut at {size}"
    page.get_by_text("Jobs", exact=True).first.click()
    page.get_by_text("3 variants of 'Boots'").first.wait_for(timeout=30_000)
    assert _settled(page, lambda: _inside(page, page.get_by_text("↻ Retry").first)), f"Retry is off-screen at {size}"
    cell = page.locator(".tabulator-cell[tabulator-field='status']", has_text="succeeded").first
    assert _settled(page, lambda: _inside(page, cell) and _not_cut(cell)), f"a job status is cut at {size}"
    screenshot(page, f"32-jobs-{size}")
    assert "Traceback" not in page.content()


@pytest.mark.ui
def test_publish_keeps_the_clips_chosen_in_the_library_after_going_back_or_reloading(browser, workspace, served_studio,
                                                                                    shop, clips, postiz):
    """Issue 21 item 4: the clips chosen in the Library were gone from Publish after another page and the browser's
    back button (which reloads the studio: a new session) or a reload. They travel in the address now."""
    workspace.remember_last_used(shop.id)
    studio = served_studio(EDITFACTORY_SECRETS_BACKEND="file")
    page = open_page(browser, studio.url + "?page=library", wait_text="Blue boots", viewport=(1366, 768))
    boxes = page.locator(".tabulator-row input[type='checkbox']")
    boxes.nth(0).click(timeout=5_000)
    boxes.nth(1).click(timeout=5_000)
    page.get_by_text("2 selected").wait_for(timeout=15_000)
    page.get_by_role("button", name="Publish selected").click(timeout=5_000)
    page.wait_for_url("**page=publish**", timeout=15_000)
    chosen = ["Blue boots"]  # the second row whichever way the Library sorts (the outbox already names Green boots)
    for name in chosen:
        page.get_by_text(name).first.wait_for(timeout=30_000)
    page.get_by_text("Dashboard", exact=True).first.click(timeout=5_000)
    page.wait_for_url("**page=dashboard**", timeout=15_000)
    page.go_back()
    page.wait_for_url("**page=publish**", timeout=15_000)
    for name in chosen:
        page.get_by_text(name).first.wait_for(timeout=30_000)
    page.reload()
    for name in chosen:
        page.get_by_text(name).first.wait_for(timeout=30_000)
    page.close()
