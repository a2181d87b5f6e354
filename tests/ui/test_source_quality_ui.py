"""The studio shows source quality: the upscale warning on Produce's source cards, and what a render had to use
below the quality floor next to its results (also after a reload of the page)."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from editfactory.jobs import JobStore
from editfactory.media.runner import ffmpeg_path


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-nostdin", *args], check=True, timeout=120)


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("quality-media")
    made = {}
    for name, size in (("phone.mp4", "176x144"), ("camera.mp4", "1080x1920")):
        made[name] = folder / name
        _ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={size}:rate=15:duration=1", "-c:v", "libx264", "-preset",
                "ultrafast", "-pix_fmt", "yuv420p", str(made[name]))
    return made


@pytest.fixture
def view(make_session):
    from editfactory.ui.produce import ProducePage

    page = ProducePage(session=make_session())
    asyncio.run(page.refresh())
    page._new_name.value = "Trail shoe"
    page._create.clicks += 1
    return page


def _card_html(view, filename: str) -> str:
    [card] = [c.objects[0].object for c in view._sources.objects if filename in c.objects[0].object]
    return card


def test_source_cards_show_the_upscale_warning_in_words(view, clips):
    view._upload.param.update(filename=list(clips), value=[p.read_bytes() for p in clips.values()])
    [job] = view._import_watch.jobs
    view.session.runner.wait(view.session.profile, job.id, timeout=180)
    asyncio.run(view.poll())
    asyncio.run(view.poll())
    assert sorted(s.filename for s in view.model.sources) == ["camera.mp4", "phone.mp4"]
    phone = _card_html(view, "phone.mp4")
    assert "ef-upscale-warning" in phone
    assert "This video is 176×144: in a 1080×1920 TikTok/Reels/Shorts clip it is enlarged about 6× and will look blurry" in phone
    assert "ef-upscale-warning" not in _card_html(view, "camera.mp4")


def test_quality_notes_of_the_latest_render_are_shown_and_survive_a_reload(view, make_session):
    note = "Variant 2 uses 1.5 s of low-quality footage (phone.mp4; quality under 0.3: blocky, smeared or much enlarged)"
    store = JobStore(view.session.profile)
    job = store.create("production", {"project_id": view.model.project_id, "variants": 2})
    store.finish(job.id, "succeeded", outputs={"clip_ids": [], "quality_notes": [note]})
    view.model.apply_finished(store.get(job.id))
    assert view._quality_notes.visible and note in view._quality_notes.object
    assert "Low-quality footage used" in view._quality_notes.object

    from editfactory.ui.produce import ProducePage

    again = ProducePage(session=make_session())
    asyncio.run(again.refresh())
    assert again._quality_notes.visible and note in again._quality_notes.object
    # A later render that needed nothing below the floor clears the note.
    later = store.create("production", {"project_id": view.model.project_id, "variants": 1})
    store.finish(later.id, "succeeded", outputs={"clip_ids": [], "quality_notes": []})
    again.model.apply_finished(store.get(later.id))
    assert not again._quality_notes.visible


def test_the_library_lists_footage_that_will_look_blurry_for_this_profile_only(workspace, make_session, clips):
    from editfactory.footage import import_source
    from editfactory.ui.library import LibraryPage

    shoes, hats = workspace.create("Shoes"), workspace.create("Hats")
    import_source(shoes, clips["phone.mp4"])
    import_source(shoes, clips["camera.mp4"])
    import_source(hats, clips["camera.mp4"])
    session = make_session(shoes.id)
    view = LibraryPage(session=session)
    asyncio.run(view.refresh())
    assert view._footage_warnings.visible
    text = view._footage_warnings.object
    assert "<b>phone.mp4</b>" in text and "enlarged about 6× and will look blurry" in text
    assert "camera.mp4" not in text and "(1)" in text
    session.switch_profile(hats.id)
    asyncio.run(view.refresh())
    assert not view._footage_warnings.visible and view.model.footage_warnings == []


def test_the_library_lists_footage_imported_twice_for_this_profile_only(workspace, make_session, tmp_path):
    from footage_copies import make_copy, make_good

    from editfactory.footage import analyze_source, import_source
    from editfactory.ui.library import LibraryPage

    good = make_good(tmp_path / "clean.mp4")
    crushed = make_copy(good, "crushed", tmp_path)
    shoes, hats = workspace.create("Shoes"), workspace.create("Hats")
    for path in (good, crushed):
        analyze_source(shoes, import_source(shoes, path).id)
    analyze_source(hats, import_source(hats, good).id)
    session = make_session(shoes.id)
    view = LibraryPage(session=session)
    asyncio.run(view.refresh())
    text = view._footage_warnings.object
    assert view._footage_warnings.visible and "Footage imported twice (1)" in text
    assert "<b>clean.mp4</b> and <b>crushed.mp4</b> show the same footage" in text
    session.switch_profile(hats.id)
    asyncio.run(view.refresh())
    assert "imported twice" not in view._footage_warnings.object and view.model.footage_pairs == []
