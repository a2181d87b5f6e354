"""The Settings page's Brand section: logo upload with its preview and placement, refusals in words, colours and
font, and "Apply brand to captions" — as components, and in a real browser."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from editfactory.footage import get_caption_style
from editfactory.services.brand import get_brand
from editfactory.storage.settings import get_setting
from editfactory.ui.settings import SettingsPage
from tests.ui.conftest import SCREENSHOTS, open_page, screenshot, shown_page


def _logo(color=(220, 20, 60, 255), size=(400, 200)) -> bytes:
    image = Image.new("RGBA", size, color)
    image.paste((0, 0, 0, 0), (0, 0, size[0] // 4, size[1]))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _page(make_session) -> SettingsPage:
    view = SettingsPage(session=make_session())
    asyncio.run(view.refresh())
    return view


def test_a_logo_is_uploaded_shown_and_placed_and_a_bad_one_refused_in_words(make_session):
    view = _page(make_session)
    brand = view._brand
    assert "No logo yet" in brand.logo.object and not brand.remove.visible
    asyncio.run(brand.upload(_logo(), "shop.png"))
    kit = get_brand(view.session.profile)
    assert kit.logo is not None and kit.logo.is_file()
    assert 'alt="Brand logo"' in brand.logo.object and brand.message.severity == "success"
    first = brand.placement.object
    assert 'alt="Logo placement"' in first
    brand.corner.value = "bottom-left"  # the placement is redrawn from the form, nothing saved yet
    assert brand.placement.object != first and get_brand(view.session.profile).corner == "top-right"

    stored = get_setting(view.session.profile, "brand.kit")
    asyncio.run(brand.upload(b"GIF89a not really", "broken.gif"))
    assert brand.message.severity == "error" and "broken.gif is not an image" in brand.message.object
    asyncio.run(brand.upload(_logo(size=(90, 60)), "tiny.png"))
    assert "at least 128 pixels" in brand.message.object
    assert get_setting(view.session.profile, "brand.kit") == stored and kit.logo.is_file()

    brand.remove.clicks += 1
    assert get_brand(view.session.profile).logo is None and "No logo yet" in brand.logo.object


def test_colours_and_font_are_saved_and_applied_to_the_caption_style_in_one_click(make_session):
    view = _page(make_session)
    brand = view._brand
    brand.text_color.value = "#FFEE00"
    brand.highlight_color.value = "#00C2FF"
    brand.outline_color.value = "#1A1A1A"
    brand.font.value = "Roboto Condensed"
    before = get_caption_style(view.session.profile)
    brand.apply.clicks += 1
    style = get_caption_style(view.session.profile)
    assert (style.primary_color, style.highlight_color, style.outline_color, style.font) == (
        "#FFEE00", "#00C2FF", "#1A1A1A", "Roboto Condensed")
    assert style.size == before.size and style.vertical_position == before.vertical_position
    assert (view._primary.value, view._font.value) == ("#FFEE00", "Roboto Condensed"), "the caption form shows it"
    assert "now uses the brand's colours" in brand.message.object
    assert get_brand(view.session.profile).text_color == "#FFEE00"


def test_a_bad_brand_value_is_refused_and_nothing_is_stored(make_session):
    view = _page(make_session)
    brand = view._brand
    brand.save.clicks += 1
    stored = get_setting(view.session.profile, "brand.kit")
    brand.end_card_color.value = "navy blue"
    brand.save.clicks += 1
    assert brand.message.severity == "error" and "end-card background colour" in brand.message.object
    assert get_setting(view.session.profile, "brand.kit") == stored


@pytest.mark.ui
def test_brand_section_in_the_browser(browser, workspace, served_studio, tmp_path):
    workspace.remember_last_used(workspace.create("Brand shop").id)
    logo = tmp_path / "shop-logo.png"
    logo.write_bytes(_logo())
    studio = served_studio()
    page = open_page(browser, studio.url + "?page=settings", viewport=(1366, 768))
    page.get_by_text("No logo yet").wait_for(timeout=90_000)
    shown_page(page).locator("input[type=file][accept*='.svg']").set_input_files(str(logo))
    page.locator("img[alt='Brand logo']").wait_for(timeout=30_000)
    page.locator("img[alt='Logo placement']").wait_for(timeout=30_000)
    page.get_by_text("Logo shop-logo.png saved").wait_for(timeout=15_000)
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    shown_page(page).locator("input[type=file][accept*='.svg']").set_input_files(str(bad))
    page.get_by_text("notes.png is not an image").wait_for(timeout=30_000)
    assert page.get_by_text("Uploaded notes.png").count() == 0, "a refused file is not shown as uploaded"

    preview = page.locator("img[alt='Caption preview']")
    preview.wait_for(timeout=60_000)
    before = preview.get_attribute("src")
    page.get_by_role("combobox", name="Caption font").click()
    page.get_by_role("listbox").get_by_text("Bebas Neue").click()
    page.get_by_role("button", name="Apply brand to captions").click()
    page.get_by_text("The caption style now uses the brand's colours and Bebas Neue").wait_for(timeout=15_000)
    expect(preview).not_to_have_attribute("src", before, timeout=60_000)  # the captions preview in the new font
    profile = workspace.find_by_name("Brand shop")
    assert get_caption_style(profile).font == "Bebas Neue" and get_brand(profile).logo is not None

    section = page.get_by_text("Your store's logo on every clip")
    for width, height in ((1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        section.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.mouse.wheel(0, -60)  # the section's title too
        page.wait_for_timeout(700)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"61-settings-brand-{width}x{height}.png"))
    screenshot(page, "61-settings-brand-full")
    assert "Traceback" not in page.content()
