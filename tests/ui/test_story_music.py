"""A store owner with product photos and a music track, in a real browser (1366x768, as on a laptop).

Upload a track on the Music page → upload photos in Produce → analyze → type a script → pick the track (the
player plays it) → render → the clip plays, with sound, and names its music → the Library lists the clip with
its music. Screenshots go to test-artifacts/screenshots/ (70-…).
"""

from __future__ import annotations

import re

import pytest
from music_tracks import make_track
from PIL import Image, ImageDraw

from editfactory.footage.music import list_tracks
from editfactory.services import projects
from tests.ui.conftest import screenshot, shown_page

SCRIPT = "Meet the sun hat. It folds flat into any bag and shades you all day."
LAPTOP = (1366, 768)


def _photo(path, colour: tuple[int, int, int], layout: int, *, rotate_exif: bool = False):
    """A product-like photo: a hat on a backdrop, composed differently per ``layout`` (so no two are near-duplicates);
    a JPEG stored on its side with the EXIF tag that turns it upright, or a PNG."""
    image = Image.new("RGB", (1200, 1600), (236, 232, 224))
    draw = ImageDraw.Draw(image)
    dark = tuple(max(0, c - 40) for c in colour)
    if layout == 0:  # front view, large, centred
        draw.ellipse((150, 700, 1050, 1000), fill=colour)
        draw.ellipse((380, 450, 820, 900), fill=dark)
        draw.rectangle((380, 780, 820, 830), fill=(40, 40, 40))
    elif layout == 1:  # small, high on the left, over a striped table
        for y in range(1000, 1600, 80):
            draw.rectangle((0, y, 1200, y + 40), fill=(120, 90, 60))
        draw.ellipse((80, 300, 620, 480), fill=colour)
        draw.ellipse((220, 150, 480, 420), fill=dark)
    else:  # seen from above: rings, low on the right
        draw.rectangle((0, 0, 1200, 600), fill=(40, 60, 90))
        draw.ellipse((500, 800, 1150, 1450), fill=colour)
        draw.ellipse((680, 980, 970, 1270), fill=dark)
    if rotate_exif:
        exif = Image.Exif()
        exif[0x0112] = 6
        image.rotate(90, expand=True).save(path, quality=90, exif=exif)
    elif path.suffix == ".png":
        image.save(path)
    else:
        image.save(path, quality=90)
    return path


def _play(locator) -> tuple[float, int]:
    """Play a media element muted for a moment: how far it got and how many bytes of sound Chromium decoded."""
    return tuple(locator.evaluate(
        "m => { m.muted = true; return m.play().then(() => new Promise(r => setTimeout("
        "() => r([m.currentTime, m.webkitAudioDecodedByteCount || 0]), 1500))) }"))


@pytest.mark.ui
@pytest.mark.slow
def test_photos_and_a_track_make_a_clip_with_music(browser, workspace, served_studio, tmp_path):
    shop = workspace.create("Hat Store")
    workspace.remember_last_used(shop.id)
    track = make_track(tmp_path / "Sunny Groove.mp3", bpm=120, seconds=12, title="Sunny Groove")
    photos = [_photo(tmp_path / "hat-front.jpg", (196, 140, 60), 0),
              _photo(tmp_path / "hat-side.jpg", (150, 60, 50), 1, rotate_exif=True),
              _photo(tmp_path / "hat-top.png", (60, 110, 160), 2)]
    studio = served_studio()
    page = browser.new_page(viewport={"width": LAPTOP[0], "height": LAPTOP[1]})
    page.set_default_navigation_timeout(180_000)  # a loaded machine can take a while to serve the first page
    page.goto(studio.url + "?page=music")
    page.get_by_text("No music yet").wait_for(timeout=180_000)

    # The track, on the Music page.
    shown_page(page).locator("input[type=file]").set_input_files([str(track)])
    page.get_by_text("1 track(s) in this profile's music library").wait_for(timeout=400_000)
    page.get_by_text("120 BPM").filter(visible=True).first.wait_for(timeout=30_000)
    screenshot(page, "70-story-music-track")

    # Produce: a project made from the photos.
    page.get_by_text("Produce", exact=True).filter(visible=True).first.click()
    page.get_by_label("New project name").wait_for(timeout=120_000)
    page.get_by_label("New project name").fill("Sun hats")
    page.get_by_role("button", name="Create project").click()
    page.get_by_text("Project 'Sun hats' created.").wait_for(timeout=90_000)
    shown_page(page).locator("input[type=file]").set_input_files([str(p) for p in photos])
    page.get_by_title("hat-top.png").wait_for(timeout=120_000)
    page.get_by_role("button", name="Analyze footage").click()
    page.get_by_text("found by analysis").wait_for(timeout=180_000)
    page.get_by_role("textbox", name="Script", exact=True).fill(SCRIPT)
    page.get_by_text(f"{len(SCRIPT)} characters · about").wait_for(timeout=90_000)

    # The music: the track picked, and the player plays it.
    page.get_by_text("4 · Render").scroll_into_view_if_needed()
    page.get_by_role("combobox", name="Music").click()
    page.get_by_role("listbox").get_by_text(re.compile(r"^Sunny Groove \(12 s, 120 BPM\)")).click()
    page.get_by_text("Music saved; the project's next renders use it.").wait_for(timeout=60_000)
    player = page.locator(".ef-music-player audio")
    player.wait_for(timeout=30_000)
    assert _play(player)[0] > 0
    [project] = projects.list_projects(shop)
    [stored] = list_tracks(shop)
    assert project["music_track_id"] == stored.id
    screenshot(page, "71-story-music-picked")

    # One variant, rendered; it plays with sound and names its music.
    slider = page.get_by_role("slider").last  # Render's Variants (Write scripts and the end card have sliders above it)
    slider.focus()
    slider.press("Home")  # 1 variant
    page.get_by_role("button", name="Render", exact=True).click()
    page.get_by_text("Render of 1 variant(s) — succeeded").wait_for(timeout=600_000)
    page.get_by_text("1 rendered clip(s) in this project").wait_for(timeout=120_000)
    page.get_by_text("♪ Sunny Groove").wait_for(timeout=60_000)
    clip_video = page.locator("video[src^='/efmedia/']").filter(visible=True).first
    clip_video.scroll_into_view_if_needed()
    played, sound = _play(clip_video)
    assert played > 0 and sound > 0  # the clip has sound the browser decodes
    screenshot(page, "72-story-music-clip")
    [clip] = projects.list_clips(shop, project["id"])
    assert clip["music"]["title"] == "Sunny Groove"

    # The Library lists the clip with its music.
    page.get_by_text("Library", exact=True).filter(visible=True).first.click()
    page.get_by_text("matching clip(s)").filter(visible=True).first.wait_for(timeout=120_000)
    page.locator(".tabulator-cell[tabulator-field='music']", has_text="Sunny Groove").wait_for(timeout=60_000)
    screenshot(page, "73-story-music-library")
    assert page.get_by_text("Footage imported twice").count() == 0  # three different photos, none taken for a copy
    assert "Traceback" not in page.content()
