"""A store owner's brand, offer and look, in a real browser (1366x768, as on a laptop) — issue 20's studio story.

Settings → Brand: upload the shop's logo (one known colour) and save the brand → Produce: a project from footage,
a script, the offer (product, price, old price, call to action, a solid end-card background), the karaoke caption
look and crossfades → a draft preview → the draft's last frame is the end card with the logo and its words →
"Show platform overlay" shows the clip with the platform's covered areas. Screenshots and the end card's
frame go to test-artifacts/screenshots/ (80-…).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from editfactory.footage.transitions import project_transition
from editfactory.jobs import JobStore
from editfactory.media.probe import probe
from editfactory.media.runner import ffmpeg_path
from editfactory.services import projects
from editfactory.services.brand import get_brand
from editfactory.services.offer import get_offer
from tests.ui.clip_fixtures import add_rendered_clip
from tests.ui.conftest import SCREENSHOTS, open_page, screenshot, shown_page

LOGO_RGB = (230, 30, 150)  # a pink found nowhere else on a dark end card
SCRIPT = "Meet the linen shirt. Light, cool and made to last all summer."


def _logo(path: Path) -> Path:
    image = Image.new("RGBA", (400, 200), LOGO_RGB + (255,))
    image.paste((0, 0, 0, 0), (0, 0, 100, 200))  # a transparent strip, as a real logo has
    image.save(path)
    return path


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-nostdin", *args], check=True, timeout=120)


def _last_frame(video: Path, out: Path) -> np.ndarray:
    """The clip's last frame (0.2 s before its end), saved as a PNG, as RGB pixels."""
    _ffmpeg("-ss", f"{probe(video).duration - 0.2:.2f}", "-i", str(video), "-frames:v", "1", str(out))
    return np.asarray(Image.open(out).convert("RGB")).astype(int)


@pytest.mark.ui
@pytest.mark.slow
def test_a_brand_an_offer_and_a_look_make_a_clip_that_ends_with_the_card(browser, workspace, served_studio, tmp_path):
    footage = tmp_path / "linen.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=15:duration=8", "-c:v", "libx264", "-preset",
            "ultrafast", "-pix_fmt", "yuv420p", str(footage))
    logo = _logo(tmp_path / "shop-logo.png")
    shop = workspace.create("Linen Store")
    workspace.remember_last_used(shop.id)
    studio = served_studio()
    page = open_page(browser, studio.url + "?page=settings", viewport=(1366, 768))
    page.set_default_navigation_timeout(180_000)

    # Settings → Brand: the logo, and the brand saved.
    page.get_by_text("No logo yet").wait_for(timeout=120_000)
    shown_page(page).locator("input[type=file][accept*='.svg']").set_input_files(str(logo))
    page.get_by_text("Logo shop-logo.png saved").wait_for(timeout=30_000)
    page.locator("img[alt='Logo placement']").wait_for(timeout=30_000)
    page.get_by_role("button", name="Save brand").click()
    page.get_by_text("Brand saved.").wait_for(timeout=30_000)
    screenshot(page, "80-story-brand-settings")
    assert get_brand(shop).logo is not None

    # Produce: a project from the footage, a script, the offer. Opened by its address: a menu click from Settings
    # to Produce was seen (CI, and once here in a batch of browser tests) to leave "Opening …" on screen for minutes;
    # the cause is not found yet (an open defect, see the closing note of issue 21), and this story is about the brand.
    page.goto(studio.url + "?page=produce")
    page.get_by_label("New project name").wait_for(timeout=120_000)
    page.get_by_label("New project name").fill("Linen shirt")
    page.get_by_role("button", name="Create project").click()
    page.get_by_text("Project 'Linen shirt' created.").wait_for(timeout=90_000)
    shown_page(page).locator("input[type=file]").set_input_files([str(footage)])
    page.get_by_text("8.0 s · 640x360").wait_for(timeout=120_000)
    page.get_by_role("textbox", name="Script", exact=True).fill(SCRIPT)
    page.get_by_label("Product on the end card").fill("Linen shirt")
    page.get_by_label("Price", exact=True).fill("39.90")
    page.get_by_label("Old price (optional)").fill("49.90")
    page.get_by_label("Call to action").fill("Shop now, link in bio")
    page.get_by_text("Solid colour", exact=True).click()
    page.get_by_role("button", name="Save offer").click()
    page.locator(".ef-old-price").wait_for(timeout=60_000)
    [project] = projects.list_projects(shop)
    offer = get_offer(shop, project["id"])
    assert (offer.product, offer.price, offer.old_price, offer.background) == ("Linen shirt", 39.9, 49.9, "color")

    # The look and the transition.
    page.get_by_text("4 · Render").scroll_into_view_if_needed()
    page.get_by_role("combobox", name="Caption look").click()
    page.get_by_role("listbox").get_by_text("karaoke", exact=True).click()
    page.get_by_role("combobox", name="Transition between segments").click()
    page.get_by_role("listbox").get_by_text("Crossfade", exact=True).click()
    page.get_by_text("Transition saved; the project's next renders use it.").wait_for(timeout=60_000)

    # A draft: its last frame is the end card, with the logo above the words.
    page.get_by_role("button", name="Draft preview").click()
    page.get_by_text(re.compile(r"Draft v1 · [\d.]+ s")).wait_for(timeout=300_000)
    [job] = JobStore(shop).list(kind="production")
    assert job.inputs["caption_look"] == "karaoke"
    assert project_transition(shop, project["id"]) == "crossfade"
    draft = shop.paths.absolute(job.outputs["previews"][0]["path"])
    frame = _last_frame(draft, SCREENSHOTS / "81-story-brand-end-card.png")
    height, width = frame.shape[:2]
    pink = (np.abs(frame - np.array(LOGO_RGB)).max(axis=2) < 45)
    top, bottom = pink[: height // 2], pink[height // 2:]
    assert top.mean() > 0.02, "the logo is on the end card's upper half"
    assert bottom.mean() < top.mean() / 5
    light = frame.min(axis=2) > 200  # the card's words are light on the dark brand colour
    assert light[height // 3:].mean() > 0.005, "the product, the price and the call to action are written"
    dark = (frame.max(axis=2) < 60)
    assert dark.mean() > 0.4, "a solid dark background, not the footage"

    # The platform overlay over a clip. A full 1080x1920 render takes minutes on a loaded 2-core machine, so the
    # draft's own file is filed as the project's rendered clip (its real size and length) and the page reloaded.
    size = probe(draft)
    clip = add_rendered_clip(shop, project["id"], "Linen shirt v1", draft)
    projects.update_clip(shop, clip["id"], duration=size.duration, width=size.width, height=size.height)
    page.reload()
    page.get_by_text("1 rendered clip(s) in this project").wait_for(timeout=120_000)
    page.get_by_text("Show platform overlay").click()
    overlay = page.locator("img.ef-platform-overlay").filter(visible=True).first
    overlay.wait_for(timeout=120_000)
    page.get_by_text("1 rendered clip(s) in this project").scroll_into_view_if_needed()
    page.mouse.wheel(0, 250)
    page.wait_for_timeout(700)
    screenshot(page, "82-story-brand-overlay")
    page.screenshot(path=str(SCREENSHOTS / "83-story-brand-overlay-view.png"))
    assert "Traceback" not in page.content()
