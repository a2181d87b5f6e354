"""Produce's Offer section: product, prices, CTA, URL, end card and hook saved per project, refused values in words.

Component tests drive the page through its widgets with real parts (DuckDB files); the browser test fills the
section in Chromium, renders a draft with the end card and saves screenshots at 1366x768 and 1920x1080 and a
frame of the draft's end card.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

import pytest

from editfactory.jobs import JobStore
from editfactory.media.probe import probe
from editfactory.services import projects
from editfactory.media.runner import ffmpeg_path
from editfactory.services.offer import get_offer, set_profile_locale

NBSP = "\u00a0"


@pytest.fixture
def view(make_session):
    from editfactory.ui.produce import ProducePage

    page = ProducePage(session=make_session())
    asyncio.run(page.refresh())
    page._new_name.value = "Denim"
    page._create.clicks += 1
    return page


def _fill(view, **values) -> None:
    for name, value in values.items():
        getattr(view, f"_{name}").value = value


def test_the_offer_is_saved_per_project_and_shown_with_the_old_price_struck(view):
    profile, project_id = view.session.profile, view.model.project_id
    assert "No product yet" in view._offer_preview.object
    set_profile_locale(profile, "ro_RO")
    _fill(view, product="Denim jacket", price="49,90", old_price="59.90", currency="EUR", url="shop.example.com",
          hook="New in: denim", background="color", card_color="#1B2A49")
    view._save_offer.clicks += 1
    offer = get_offer(profile, project_id)
    assert (offer.product, offer.price, offer.old_price, offer.background, offer.color) == (
        "Denim jacket", 49.9, 59.9, "color", "#1B2A49")
    shown = view._offer_preview.object
    assert f"<s class='ef-old-price' style='color:#888'>59,90{NBSP}€</s>" in shown and f"49,90{NBSP}€" in shown
    assert f"−17{NBSP}%" in shown and "New in: denim" in shown
    assert view.session.notice["message"].startswith("Offer saved; the project's next renders end with it.")
    # Another project of the profile has no offer; coming back shows this one in the fields again.
    asyncio.run(view.model.new_project("Mugs"))
    assert view._product.value == "" and "No product yet" in view._offer_preview.object
    asyncio.run(view.open_project(project_id))
    assert view._product.value == "Denim jacket" and view._price.value == "49.90" and view._old_price.value == "59.90"
    assert view._card_color.visible and view._background.value == "color"
    view._background.value = "blur"
    assert not view._card_color.visible, "the colour is asked for only with a solid background"


@pytest.mark.parametrize("field, typed, words", [
    ("price", "NaN", "finite"),
    ("price", "-5", "between 0 and"),
    ("price", "99999999", "between 0 and"),
    ("price", "abc", "not a number"),
    ("currency", "XYZ", "not a currency code"),
    ("old_price", "10", "higher than the price"),
    ("url", "my shop", "not a web address"),
    ("locale", "klingon!", "not a locale"),
])
def test_a_refused_value_is_said_in_words_and_nothing_stored_changes(view, field, typed, words):
    profile, project_id = view.session.profile, view.model.project_id
    _fill(view, product="Denim jacket", price="49.90", currency="EUR")
    view._save_offer.clicks += 1
    before = get_offer(profile, project_id)
    _fill(view, **{field: typed})
    view._save_offer.clicks += 1
    assert words in view.session.notice["message"] and view.session.notice["level"] == "error"
    assert get_offer(profile, project_id) == before


def _end_card_frame(video: Path, out: Path, at: float) -> Path:
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-ss", f"{at:.2f}", "-i", str(video), "-frames:v", "1",
                    str(out)], check=True, timeout=60)
    return out


@pytest.mark.ui
def test_offer_section_in_the_browser_and_a_draft_ends_with_the_card(browser, workspace, served_studio, tmp_path):
    from tests.ui.conftest import SCREENSHOTS, open_page, screenshot, shown_page
    from tests.ui.test_produce import _ffmpeg

    footage = tmp_path / "denim.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=15:duration=8", "-c:v", "libx264", "-preset",
            "ultrafast", "-pix_fmt", "yuv420p", str(footage))
    shop = workspace.create("Denim Store")
    workspace.remember_last_used(shop.id)
    set_profile_locale(shop, "ro_RO")
    studio = served_studio()
    page = open_page(browser, studio.url + "?page=produce", viewport=(1366, 768))
    page.get_by_text("Create project").wait_for(timeout=120_000)
    page.get_by_label("New project name").fill("Denim jacket")
    page.get_by_role("button", name="Create project").click()
    page.get_by_text("Project 'Denim jacket' created.").wait_for(timeout=90_000)
    shown_page(page).locator("input[type=file]").set_input_files([str(footage)])
    page.get_by_text("8.0 s · 640x360").wait_for(timeout=120_000)
    page.get_by_role("textbox", name="Script", exact=True).fill("Meet the denim jacket. Soft, strong and ready for autumn.")

    page.get_by_label("Product on the end card").fill("Denim jacket")
    page.get_by_label("Price", exact=True).fill("abc")
    page.get_by_role("button", name="Save offer").click()
    page.get_by_text("is not a number").wait_for(timeout=60_000)
    page.get_by_label("Price", exact=True).fill("49,90")
    page.get_by_label("Old price (optional)").fill("59.90")
    page.get_by_label("Shop URL (optional)").fill("shop.example.com")
    page.get_by_label("Opening hook (first 1.5 s, optional)").fill("New in: denim")
    page.get_by_role("button", name="Save offer").click()
    page.locator(".ef-old-price").wait_for(timeout=60_000)
    assert page.locator(".ef-old-price").inner_text() == f"59,90{NBSP}€"
    [project] = projects.list_projects(shop)
    assert get_offer(shop, project["id"]).price == 49.9
    page.get_by_text("Offer · end card · hook").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "30-produce-offer-1366x768.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.get_by_text("Offer · end card · hook").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "31-produce-offer-1920x1080.png"))

    page.get_by_role("button", name="Draft preview").click()
    page.get_by_text(re.compile(r"Draft v1 · [\d.]+ s")).wait_for(timeout=300_000)
    screenshot(page, "32-produce-offer-draft")
    [job] = JobStore(shop).list(kind="production")
    draft = shop.paths.absolute(job.outputs["previews"][0]["path"])
    voice = job.outputs["previews"][0]["duration"]
    length = probe(draft).duration
    assert length > 4.0
    _end_card_frame(draft, SCREENSHOTS / "33-draft-end-card.png", length - 0.3)
    _end_card_frame(draft, SCREENSHOTS / "34-draft-hook.png", 0.7)
    assert "Traceback" not in page.content() and voice
