"""Every page fits a 1366×768 laptop with a store owner's data (issue 21, "What must be shown").

The workspace is the one ``invoke screenshots`` builds (100 clips, 3 Postiz channels on the fake, 20 jobs, a
music track, an empty store), served as README command (1) serves it, and measured in Chromium: no table is wider
than the page (a column off-screen to the right), no button's label is cut, no card runs into the page's edge.
"""

from __future__ import annotations

import pytest

from editfactory.ops import screenshots
from tests.ui.conftest import ServedStudio

pytestmark = [pytest.mark.ui, pytest.mark.slow]
LAPTOP = {"width": 1366, "height": 768}

# Horizontal overflow of every Tabulator on the page (its columns wider than the table shows), in px; the
# tables live in the page's shadow roots, so the walk goes through them.
_TABLE_OVERFLOW_JS = """() => {
    const out = [];
    const walk = (root) => {
        for (const e of root.querySelectorAll('*')) {
            if (e.classList.contains('tabulator-tableholder') && e.clientWidth > 0) {
                out.push(e.scrollWidth - e.clientWidth);
            }
            if (e.shadowRoot) walk(e.shadowRoot);
        }
    };
    walk(document);
    return out;
}"""

# Empty space under the last row of every table shown, in px (a fixed height taller than the rows leaves a band).
_TABLE_EMPTY_BAND_JS = """() => {
    const out = [];
    const walk = (root) => {
        for (const e of root.querySelectorAll('.tabulator-tableholder')) {
            const rows = e.querySelector('.tabulator-table');
            if (e.clientHeight > 0 && rows) out.push(e.clientHeight - rows.offsetHeight);
        }
        for (const e of root.querySelectorAll('*')) if (e.shadowRoot) walk(e.shadowRoot);
    };
    walk(document);
    return out;
}"""

# Cells whose text is cut (an ellipsis), by column: [field, text].
_CUT_CELLS_JS = """() => {
    const out = [];
    const walk = (root) => {
        for (const e of root.querySelectorAll('.tabulator-cell, .tabulator-col-title')) {
            if (e.scrollWidth > e.clientWidth + 1 && e.textContent.trim()) {
                out.push([e.getAttribute('tabulator-field') || 'header', e.textContent.trim()]);
            }
        }
        for (const e of root.querySelectorAll('*')) if (e.shadowRoot) walk(e.shadowRoot);
    };
    walk(document);
    return out;
}"""

# The right edge of the bordered card around the element with this text (crossing shadow roots upwards).
_CARD_RIGHT_JS = """(text) => {
    const find = (root) => {
        for (const e of root.querySelectorAll('*')) {
            if (e.childElementCount === 0 && e.textContent.trim() === text) return e;
            const inner = e.shadowRoot && find(e.shadowRoot);
            if (inner) return inner;
        }
        return null;
    };
    let e = find(document);
    while (e) {
        const style = e instanceof Element ? getComputedStyle(e) : null;
        if (style && style.borderTopStyle === 'solid' && e.getBoundingClientRect().width > 400) {
            return e.getBoundingClientRect().right;
        }
        e = e.parentNode instanceof ShadowRoot ? e.parentNode.host : e.parentNode;
    }
    return null;
}"""


@pytest.fixture(scope="module")
def store(tmp_path_factory, browser_module):
    """The screenshot tool's workspace, served; yields (studio URL, {store name: profile id}, browser)."""
    root = tmp_path_factory.mktemp("laptop-fit")
    with screenshots.fake_postiz() as postiz:
        profiles = screenshots.build(root / "ws", postiz.backend_url, root)
        studio = ServedStudio(root / "ws", root / "studio.log")
        try:
            yield studio.url, profiles, browser_module
        finally:
            studio.stop()


@pytest.fixture(scope="module")
def browser_module():
    from tests.ui.conftest import launched_chromium

    yield from launched_chromium()


def _open(store, name: str, who: str = screenshots.STORE):
    url, profiles, browser = store
    page = browser.new_page(viewport=LAPTOP)
    page.goto(f"{url}?page={name}&profile={profiles[who]}")
    page.locator("h5", has_text=name.capitalize()).first.wait_for(timeout=120_000)
    page.get_by_text("Opening ").first.wait_for(state="detached", timeout=120_000)
    page.evaluate("() => document.fonts.ready.then(() => true)")  # text measured in its own font, not a fallback
    page.wait_for_timeout(1500)
    return page


@pytest.mark.parametrize("name", ["jobs", "library", "music"])
def test_no_table_is_wider_than_a_laptops_page(store, name):
    page = _open(store, name)
    try:
        page.locator(".tabulator-row").first.wait_for(timeout=60_000)
        page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=60_000)
        page.wait_for_timeout(1000)
        overflow = page.evaluate(_TABLE_OVERFLOW_JS)
        assert overflow and max(overflow) <= 1, f"{name}: columns {max(overflow)} px beyond the table's right edge"
        assert page.evaluate(_CUT_CELLS_JS) == [], f"{name}: cut cells"
    finally:
        page.close()


def test_publish_channel_cards_keep_clear_of_the_right_edge(store):
    page = _open(store, "publish")
    try:
        caption = page.get_by_label("Caption (every channel without its own)").bounding_box()
        page.get_by_text("Sunny Sandals TikTok (tiktok)").first.wait_for(timeout=60_000)  # the card (the Outbox names it too)
        card_right = page.evaluate(_CARD_RIGHT_JS, "Sunny Sandals TikTok (tiktok)")
        assert card_right is not None
        # The cards line up with the fields above them instead of running to the page's edge.
        assert card_right <= caption["x"] + caption["width"] + 1, (card_right, caption)
    finally:
        page.close()


def test_an_empty_profiles_library_count_says_so_in_words(store):
    page = _open(store, "library", screenshots.EMPTY_STORE)
    try:
        page.get_by_text("Get started").first.wait_for(timeout=60_000)
        summary = page.get_by_text("0 clips", exact=True).first
        summary.wait_for(timeout=30_000)
        box = summary.bounding_box()
        assert box["x"] + box["width"] <= LAPTOP["width"]
        assert page.get_by_text("0–0 of 0").count() == 0
        # No pager (a lone "1" and arrows) under the checklist.
        assert page.get_by_role("navigation", name="pagination navigation").filter(visible=True).count() == 0
    finally:
        page.close()


@pytest.mark.parametrize("name", ["voices", "dashboard"])
def test_tables_are_as_tall_as_their_rows(store, name):
    """The Voices table (one Piper voice) was 300 px tall and the cost history 260 px: bands of empty table."""
    page = _open(store, name)
    try:
        page.locator(".tabulator-row").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1000)
        bands = page.evaluate(_TABLE_EMPTY_BAND_JS)
        assert bands and max(bands) <= 6, f"{name}: {bands} px of empty table under the rows"
        if name == "voices":
            page.get_by_text("None yet: clone a voice above").wait_for(timeout=30_000)
    finally:
        page.close()
