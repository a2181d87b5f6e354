"""The Produce page: project, uploads, analysis, segments, script and price, voiceover, renders, results.

Component tests drive the model and the view through widget values with real
parts (DuckDB files, ffmpeg on generated footage, Piper); the browser test tells
the page's whole story in Chromium, including a reload in the middle of a render.
"""

from __future__ import annotations

import io

import asyncio
import re
import subprocess
from pathlib import Path

import panel_material_ui as pmui
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from editfactory.core.errors import ValidationError
from editfactory.costs import month_entries
from editfactory.jobs import JobStore
from editfactory.media.runner import ffmpeg_path
from editfactory.models.produce import ProduceModel
from editfactory.storage.settings import set_setting

SMALL = {"name": "test-small", "width": 180, "height": 320, "fps": 15, "x264_preset": "ultrafast", "crf": 30}
SCRIPT = "Meet the trail shoe. Light, fast and ready."
# Long enough (about 9 s of speech) that three full-size renders are still running when the page is reloaded.
STORY_SCRIPT = ("Meet the trail shoe. Light, fast and ready for the mountains. A grippy sole holds on wet rock, "
                "and the soft collar keeps your heel in place all day.")


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-nostdin", *args], check=True, timeout=120)


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("produce-media")


@pytest.fixture(scope="module")
def footage(media) -> Path:
    """6 s of moving test picture with a tone: a usable product shot."""
    path = media / "trail-shoe.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15:duration=6", "-f", "lavfi",
            "-i", "sine=frequency=330:sample_rate=48000:duration=6", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path))
    return path


@pytest.fixture(scope="module")
def audio_only(media) -> Path:
    """An .mp4 with sound but no picture: a typical wrong upload."""
    path = media / "podcast.mp4"
    _ffmpeg("-f", "lavfi", "-i", "sine=f=300:duration=2", "-c:a", "aac", str(path))
    return path


@pytest.fixture
def model(make_session):
    produce = ProduceModel(session=make_session())
    asyncio.run(produce.new_project("Trail shoe"))
    return produce


def _wait(model: ProduceModel, job_id: str, timeout: float = 180):
    job = model.session.runner.wait(model.session.profile, job_id, timeout=timeout)
    assert job.finished, job
    return job


def _upload(model: ProduceModel, *files: tuple[str, bytes]):
    started = model.start_upload(list(files))
    model.refused = started["refused"]
    if started["job_id"]:
        job = _wait(model, started["job_id"])
        model.apply_finished(job)
    asyncio.run(model.reload_sources())
    return started


def test_each_bad_upload_is_refused_with_its_reason_while_the_good_ones_import(model, footage, audio_only):
    good = footage.read_bytes()
    model.upload_limit = len(good) + 10
    model.refused = []
    started = model.start_upload([
        ("trail-shoe.mp4", good), ("notes.txt", b"not a video"), ("huge.mp4", good + b"\0" * 100),
        ("podcast.mp4", audio_only.read_bytes()), ("empty.mov", b""),
    ])
    refused = {r["file"]: r["reason"] for r in started["refused"]}
    assert "not a supported file type" in refused["notes.txt"]
    assert "above the upload limit" in refused["huge.mp4"] and "trim or compress" in refused["huge.mp4"]
    assert "empty" in refused["empty.mov"]
    job = _wait(model, started["job_id"])
    model.refused = started["refused"]
    model.apply_finished(job)
    asyncio.run(model.reload_sources())
    assert [s.filename for s in model.sources] == ["trail-shoe.mp4"]
    reasons = {r["file"]: r["reason"] for r in model.refused}
    assert "no video stream" in reasons["podcast.mp4"]
    assert set(reasons) == {"notes.txt", "huge.mp4", "empty.mov", "podcast.mp4"}
    # Nothing of the refused files stays in the profile's scratch space.
    assert not any(model.session.profile.paths.tmp.rglob("*.mp4"))


def test_damaged_uploads_are_refused_in_words_naming_the_file(model, footage, caplog):
    # What a user's folder holds: a download that stopped halfway (no MP4 index), a renamed text file, an empty file.
    whole = footage.read_bytes()
    started = model.start_upload([("trail-shoe.mp4", whole), ("half.mp4", whole[: len(whole) // 2]),
                                  ("notes.mp4", b"shopping list\n" * 50), ("empty.mp4", b"")])
    with caplog.at_level("INFO", logger="editfactory"):
        job = _wait(model, started["job_id"])
    model.refused = started["refused"]
    model.apply_finished(job)
    reasons = {r["file"]: r["reason"] for r in model.refused}
    assert set(reasons) == {"half.mp4", "notes.mp4", "empty.mp4"}
    assert "half.mp4" in reasons["half.mp4"] and "incomplete" in reasons["half.mp4"]
    assert "notes.mp4" in reasons["notes.mp4"] and "not a video" in reasons["notes.mp4"]
    assert "empty.mp4 is empty (0 bytes)" in reasons["empty.mp4"]
    profile = model.session.profile
    for reason in reasons.values():
        assert not re.search(r"@ 0x|\[in#|moov atom|Invalid data|ffmpeg exit code", reason), reason
        assert str(profile.paths.folder) not in reason and "/tmp" not in reason and "\n" not in reason, reason
    assert "moov atom not found" in caplog.text, "ffmpeg's own words are kept in the log"


def test_photos_upload_with_videos_and_a_broken_photo_is_refused_with_its_reason(model, footage):
    from PIL import Image

    photo = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(photo, "WEBP")
    model.refused = []
    started = model.start_upload([("shoe.mp4", footage.read_bytes()), ("shoe.webp", photo.getvalue()),
                                  ("broken.jpg", b"\xff\xd8\xff\xe0 not really a jpeg")])
    job = _wait(model, started["job_id"])
    model.refused = started["refused"]
    model.apply_finished(job)
    asyncio.run(model.reload_sources())
    assert sorted((s.filename, s.kind) for s in model.sources) == [("shoe.mp4", "video"), ("shoe.webp", "photo")]
    reasons = {r["file"]: r["reason"] for r in model.refused}
    assert set(reasons) == {"broken.jpg"} and "not a readable picture" in reasons["broken.jpg"]


def test_view_shows_a_photo_segment_as_a_picture_with_its_poster(view):
    from PIL import Image

    photo = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 200)).save(photo, "JPEG")
    _drop_files(view, ("mug.jpg", photo.getvalue()))
    view._add_start.value, view._add_end.value = 2.0, 4.0
    view._add.clicks += 1
    asyncio.run(view.show_segments())
    assert view._segments.value["poster"][0].startswith("<img src=\"/efmedia/")
    view._segments._process_event(CellClick(column="play", row=0))
    assert "<img src=" in view._segment_player.object and "<video" not in view._segment_player.object
    assert "mug.jpg (photo, 2.00 s)" in view._segment_player.object


def test_uploads_need_a_project_and_at_least_one_file(make_session, footage):
    model = ProduceModel(session=make_session())
    with pytest.raises(ValidationError, match="Create or pick a project"):
        model.start_upload([("a.mp4", footage.read_bytes())])
    asyncio.run(model.new_project("Hats"))
    with pytest.raises(ValidationError, match="at least one video"):
        model.start_upload([])


def test_a_bad_project_name_is_refused_and_nothing_is_stored(make_session):
    model = ProduceModel(session=make_session())
    assert asyncio.run(model.new_project("   ")) is False
    assert "needs a name" in model.session.notice["message"]
    assert model.read_projects() == []


def test_empty_or_whitespace_scripts_are_refused_and_nothing_is_queued(model, footage):
    _upload(model, ("trail-shoe.mp4", footage.read_bytes()))
    before = len(JobStore(model.session.profile).list())
    for text in ("", "   \n\t "):
        model.script = text
        with pytest.raises(ValidationError, match="script is empty"):
            model.start_voiceover()
        with pytest.raises(ValidationError, match="script is empty"):
            model.start_render(draft=True)
        with pytest.raises(ValidationError, match="script is empty"):
            model.start_render()
    assert len(JobStore(model.session.profile).list()) == before


def test_variants_are_bounded_to_one_to_ten(model):
    model.variants = 10
    model.variants = 1
    for wrong in (0, 11):
        with pytest.raises(ValueError):
            model.variants = wrong
    assert model.variants == 1


def test_the_price_is_shown_for_the_chosen_voice_and_then_free_when_cached(model, footage):
    profile = model.session.profile
    set_setting(profile, "tts.prices", {"piper": {"piper": 2.0}})  # a profile may price its own engine
    asyncio.run(model.load_defaults())
    assert model.provider == "piper" and model.voice == "en_US-joe-medium" and model.voice_model == "piper"
    model.script = SCRIPT
    asyncio.run(model.update_estimate())
    assert model.estimate["characters"] == len(SCRIPT) and model.estimate["seconds"] > 0
    assert model.estimate["label"] == f"${len(SCRIPT) / 1000 * 2.0:.2f}" and not model.estimate["cached"]
    # The script is kept with the project (a reload finds it again).
    fresh = ProduceModel(session=model.session)
    asyncio.run(fresh.load())
    assert fresh.script == SCRIPT

    job = _wait(model, model.start_voiceover())
    model.apply_finished(job)
    assert model.voiceover["cues"] and model.voiceover["cost_usd"] > 0
    assert model.media_path(model.voiceover["audio_path"]).is_file()
    asyncio.run(model.update_estimate())
    assert model.estimate["label"] == "Free — cached" and model.estimate["cost_usd"] == 0


def test_the_voiceover_made_for_a_full_preview_is_reused_by_the_render_without_a_second_charge(model, footage):
    profile = model.session.profile
    set_setting(profile, "tts.prices", {"piper": {"piper": 2.0}})
    _upload(model, ("trail-shoe.mp4", footage.read_bytes()))
    asyncio.run(model.load_defaults())
    model.param.update(script=SCRIPT, variants=2, mode="random", preset=SMALL)
    voiceover = _wait(model, model.start_voiceover())
    assert voiceover.outputs["cost_usd"] > 0 and not voiceover.outputs["cached"]
    draft = _wait(model, model.start_render(draft=True))
    render = _wait(model, model.start_render())
    assert draft.status == render.status == "succeeded", (draft.error, render.error)
    assert draft.outputs["voiceovers_cached"] == 1 and render.outputs["voiceovers_cached"] == 1
    assert render.outputs["voiceover_cost_usd"] == 0
    [charge] = [e for e in month_entries(profile) if e["status"] == "settled"]
    assert charge["cost_usd"] == pytest.approx(voiceover.outputs["cost_usd"])
    model.apply_finished(draft)
    asyncio.run(model.load())
    assert len(model.clips) == 2 and all(model.media_path(c["path"]).is_file() for c in model.clips)
    assert [d["variant"] for d in model.drafts] == [1, 2]  # the latest draft is found again after a reload
    assert model.voiceover["audio_path"] == voiceover.outputs["audio_path"]


def test_segments_are_analyzed_edited_added_by_hand_and_deleted(model, footage):
    _upload(model, ("trail-shoe.mp4", footage.read_bytes()))
    [source] = model.sources
    [job_id] = model.start_analysis()
    assert _wait(model, job_id).status == "succeeded"
    asyncio.run(model.reload_segments())
    auto = [s for s in model.segments if s.origin == "auto"]
    assert auto and all(s.score is not None for s in auto)
    edited = model.edit_segment(auto[0].id, start=0.5, end=2.0, keywords="laces, sole", favorite=True)
    assert (edited.start, edited.end, edited.keywords, edited.favorite) == (0.5, 2.0, ("laces", "sole"), True)
    with pytest.raises(ValidationError, match="lasts only"):
        model.edit_segment(auto[0].id, end=60)
    manual = model.add_segment(source.id, 3.0, 4.5, "heel")
    assert manual.origin == "manual" and manual.keywords == ("heel",)
    with pytest.raises(ValidationError, match="project's source videos"):
        model.add_segment("src_elsewhere", 0, 1)
    model.remove_segment(manual.id)
    asyncio.run(model.reload_segments())
    assert manual.id not in {s.id for s in model.segments}
    assert next(s for s in model.segments if s.id == auto[0].id).favorite


def test_switching_profile_shows_nothing_of_the_other_profile(model, footage, workspace):
    _upload(model, ("trail-shoe.mp4", footage.read_bytes()))
    model.script = SCRIPT
    other = workspace.create("Store B")
    model.session.profile_id = other.id
    model.clear()
    asyncio.run(model.load())
    assert (model.projects, model.project_id, model.sources, model.script) == ([], "", [], "")


# -- the view, driven through its widgets --------------------------------------------------------------------


@pytest.fixture
def view(make_session):
    from editfactory.ui.produce import ProducePage

    page = ProducePage(session=make_session())
    asyncio.run(page.refresh())
    page._new_name.value = "Trail shoe"
    page._create.clicks += 1  # what a click does
    assert page.model.project_id and page._project.value == page.model.project_id
    return page


def _settle(view, job_id: str) -> None:
    """Wait for a job, then let the page's poll pick up its end (as the periodic callback does)."""
    view.session.runner.wait(view.session.profile, job_id, timeout=180)
    asyncio.run(view.poll())
    asyncio.run(view.poll())


def _drop_files(view, *files: tuple[str, bytes]) -> None:
    """What dropping files on the upload button does: names and contents arrive together."""
    view._upload.param.update(filename=[f[0] for f in files], value=[f[1] for f in files])
    [job] = view._import_watch.jobs
    _settle(view, job.id)


def test_view_upload_refuses_bad_files_with_reasons_and_imports_the_good_one(view, footage):
    view.model.upload_limit = footage.stat().st_size + 10
    view._upload.param.update(filename=["trail-shoe.mp4", "notes.txt", "huge.mp4"],
                              value=[footage.read_bytes(), b"text", footage.read_bytes() + b"\0" * 64])
    [job] = view._import_watch.jobs
    _settle(view, job.id)
    assert view._refused.visible
    assert "notes.txt" in view._refused.object and "not a supported file type" in view._refused.object
    assert "huge.mp4" in view._refused.object and "upload limit" in view._refused.object
    assert [s.filename for s in view.model.sources] == ["trail-shoe.mp4"]
    assert "trail-shoe.mp4" in view._sources.objects[0].objects[0].object
    assert view._add_source.options == {"trail-shoe.mp4": view.model.sources[0].id}
    assert view.session.notice["level"] == "success" and "Imported 1" in view.session.notice["message"]


def test_a_script_typed_before_it_is_saved_survives_a_job_finishing_in_the_background(model, footage):
    """CI's music story: the script was typed while the photos' analyses were still finishing; the next one reloaded
    the project and put the stored (empty) script back in the box: the typed text was gone."""
    from editfactory.services import projects

    _upload(model, ("shot.mp4", footage.read_bytes()))
    model.script = "Meet the sun hat: wide brim, light straw."  # typed; its save waits for the typing to pause
    assert projects.get_project(model.session.profile, model.project_id)["script"] == ""
    asyncio.run(model.reload_sources())  # what the page does when an import or analysis job of this project ends
    assert model.script == "Meet the sun hat: wide brim, light straw."


def test_view_script_shows_length_and_price_and_refuses_an_empty_script(view):
    set_setting(view.session.profile, "tts.prices", {"piper": {"piper": 2.0}})
    asyncio.run(view.refresh())  # the page is shown again: model prices are read anew
    view._script.value_input = SCRIPT
    assert view.model.script == SCRIPT
    text = view._estimate.object
    assert f"{len(SCRIPT)} characters" in text and "s of speech" in text and f"${len(SCRIPT) / 1000 * 2:.2f}" in text
    assert view._model_pick.options == {"Piper (local ONNX) — $2.00 per 1k characters": "piper"}
    view._script.value_input = "   "
    assert "Type a script" in view._estimate.object
    jobs_before = len(JobStore(view.session.profile).list())
    view._generate.clicks += 1
    assert view.session.notice["level"] == "error" and "script is empty" in view.session.notice["message"]
    view._render_button.clicks += 1
    assert "script is empty" in view.session.notice["message"]
    assert len(JobStore(view.session.profile).list()) == jobs_before


def test_view_a_paid_provider_shows_its_price_and_why_it_cannot_speak_yet(view, monkeypatch):
    monkeypatch.setenv("EDITFACTORY_SECRETS_BACKEND", "file")
    view._script.value_input = "x" * 400
    view._provider.value = "elevenlabs"
    assert view._provider_note.visible and "no API key" in view._provider_note.object
    assert "Settings page" in view._provider_note.object  # what to do about it
    assert view._model_pick.value == "eleven_multilingual_v2"
    assert view._estimate.object.endswith("$0.04")  # 400 characters at $0.10 per 1 000
    view._model_pick.value = "eleven_flash_v2_5"
    assert view._estimate.object.endswith("$0.02")
    view._provider.value = "piper"
    assert not view._provider_note.visible and view._estimate.object.endswith("Free")


def test_view_variants_mode_and_format_reach_the_model_within_bounds(view):
    assert (view._variants.start, view._variants.end) == (1, 10)
    view._variants.value = 10
    view._mode.value = "random"
    view._format.value = "square"
    assert (view.model.variants, view.model.mode, view.model.preset) == (10, "random", "square")
    with pytest.raises(ValueError):
        view.model.variants = 11


def test_view_edits_a_segment_in_the_table_and_adds_one_by_hand(view, footage):
    from panel.models.tabulator import TableEditEvent

    _drop_files(view, ("trail-shoe.mp4", footage.read_bytes()))
    view._add_start.value, view._add_end.value = 1.0, 2.5
    view._add_keywords.value = "laces"
    view._add.clicks += 1
    asyncio.run(view.show_segments())
    table = view._segments.value
    assert list(table["keywords"]) == ["laces"] and table["poster"][0].startswith("<img src=\"/efmedia/")
    # An edit in the browser patches the cell, then sends the event.
    view._segments.patch({"keywords": [(0, "laces, heel")]})
    view._segments._process_event(TableEditEvent(model=None, column="keywords", row=0))
    view._segments.patch({"end": [(0, 99.0)]})
    view._segments._process_event(TableEditEvent(model=None, column="end", row=0))
    assert "lasts only" in view.session.notice["message"]  # refused with the reason; nothing stored
    asyncio.run(view.show_segments())
    [segment] = view.model.segments
    assert (segment.keywords, segment.end) == (("laces", "heel"), 2.5)
    view._segments._process_event(CellClick(column="play", row=0))
    assert "#t=1.00,2.50" in view._segment_player.object
    view._segments._process_event(CellClick(column="delete", row=0))
    assert view.model.segments == []


def CellClick(column: str, row: int):  # noqa: N802 - reads like the event it makes
    from panel.models.tabulator import CellClickEvent

    return CellClickEvent(model=None, column=column, row=row)


def test_view_generates_the_voiceover_and_shows_the_audio_with_its_cues(view):
    view._script.value_input = SCRIPT
    view._generate.clicks += 1
    [job] = view._voice_watch.jobs
    _settle(view, job.id)
    html_text = view._voiceover.object
    assert "<audio" in html_text and "/efmedia/" in html_text and 'class="efcue"' in html_text
    assert "Meet the trail" in html_text
    assert view._estimate.object.endswith("Free — cached")


def test_a_reload_of_the_page_picks_up_a_running_render(view, footage, make_session):
    import threading

    from editfactory.ui.produce import ProducePage

    _drop_files(view, ("trail-shoe.mp4", footage.read_bytes()))
    view._script.value_input = SCRIPT
    view.model.preset = SMALL
    view._variants.value = 2
    # Both workers busy, so the render is certainly still waiting when the page is reloaded.
    release = threading.Event()
    runner, profile = view.session.runner, view.session.profile
    holders = [runner.submit(profile, "hold", fn=lambda _p, _c: release.wait(120) and None) for _ in range(runner.workers)]
    view._render_button.clicks += 1
    [job] = view._render_watch.jobs
    # Another tab / a reload: a new page on the same profile finds the render and follows it.
    reloaded = ProducePage(session=make_session(view.session.profile_id))
    asyncio.run(reloaded.refresh())
    assert [j.id for j in reloaded._render_watch.jobs] == [job.id]
    assert reloaded._render_watch.jobs[0].status == "queued"
    assert reloaded.job_name(job) == "Render of 2 variant(s)"
    release.set()
    for holder in holders:
        runner.wait(profile, holder, timeout=60)
    _settle(reloaded, job.id)
    assert reloaded._render_watch.jobs[0].status == "succeeded"
    assert len(reloaded.model.clips) == 2 and len(reloaded._results.objects) == 2
    assert "<video" in reloaded._results.objects[0].objects[0].object


def test_view_refuses_an_empty_file_the_browser_reports_by_name(view, footage):
    # The upload widget never sends a 0-byte file; the browser's report of the choice names it.
    view._chosen._handle_msg([{"name": "empty.mp4", "size": 0}])
    assert "empty.mp4" in view._refused.object and "is empty (0 bytes)" in view._refused.object
    # Chosen with a good file: the empty one stays refused while the good one is imported.
    view._chosen._handle_msg([{"name": "empty.mov", "size": 0}, {"name": "trail-shoe.mp4", "size": 1000}])
    _drop_files(view, ("trail-shoe.mp4", footage.read_bytes()))
    assert [s.filename for s in view.model.sources] == ["trail-shoe.mp4"]
    assert [r["file"] for r in view.model.refused] == ["empty.mov"]
    assert "empty.mov" in view._refused.object and "empty.mp4" not in view._refused.object


# -- the page's story in the browser ----------------------------------------------------------------------------


@pytest.mark.ui
def test_empty_and_damaged_uploads_are_refused_in_words_in_the_browser(browser, workspace, served_studio, footage,
                                                                       tmp_path):
    from tests.ui.conftest import open_page, shown_page

    shop = workspace.create("Mug Store")
    workspace.remember_last_used(shop.id)
    empty, half = tmp_path / "empty.mp4", tmp_path / "half.mp4"
    empty.write_bytes(b"")
    whole = footage.read_bytes()
    half.write_bytes(whole[: len(whole) // 2])
    studio = served_studio()
    page = open_page(browser, studio.url + "?page=produce")
    page.get_by_label("New project name").fill("Mugs")
    page.get_by_role("button", name="Create project").click()
    page.get_by_text("Project 'Mugs' created.").wait_for(timeout=90_000)
    shown_page(page).locator("input[type=file]").set_input_files([str(empty)])
    page.get_by_text("empty.mp4 is empty (0 bytes)").wait_for(timeout=60_000)
    shown_page(page).locator("input[type=file]").set_input_files([str(empty), str(half), str(footage)])
    page.get_by_text("6.0 s · 320x240").wait_for(timeout=120_000)
    page.get_by_text("half.mp4 is not a media file ffmpeg can read: it is incomplete").wait_for(timeout=60_000)
    page.get_by_text("empty.mp4 is empty (0 bytes)").wait_for(timeout=30_000)
    shown = page.locator("body").inner_text()
    assert not re.search(r"@ 0x|\[in#|moov atom|/tmp/|" + re.escape(str(workspace.root)), shown), shown


@pytest.mark.ui
def test_produce_story_in_the_browser(browser, workspace, served_studio, footage, tmp_path):
    from editfactory.services import projects
    from editfactory.footage import list_segments
    from tests.ui.conftest import open_page, screenshot, shown_page

    shop = workspace.create("Trail Store")
    workspace.remember_last_used(shop.id)
    set_setting(shop, "tts.prices", {"piper": {"piper": 2.0}})  # so the price is not just "Free"
    notes = tmp_path / "notes.txt"
    notes.write_text("not a video")
    studio = served_studio()
    page = open_page(browser, studio.url + "?page=produce")
    page.get_by_text("Create project").wait_for(timeout=120_000)  # a loaded machine can take a while

    # A project, then footage dropped on it: the text file is refused with its reason, the video imported.
    page.get_by_label("New project name").fill("Trail shoe")
    page.get_by_role("button", name="Create project").click()
    page.get_by_text("Project 'Trail shoe' created.").wait_for(timeout=90_000)
    shown_page(page).locator("input[type=file]").set_input_files([str(footage), str(notes)])
    page.get_by_text("not a supported file type").wait_for(timeout=60_000)
    page.get_by_text("6.0 s · 320x240").wait_for(timeout=90_000)
    # Too small for 1080x1920: the card says so in words, visibly (not only in a tooltip).
    warning = page.get_by_text("This video is 320×240: in a 1080×1920 TikTok/Reels/Shorts clip it is enlarged about 3×")
    warning.wait_for(timeout=60_000)
    assert warning.is_visible()
    [project] = projects.list_projects(shop)
    assert project["name"] == "Trail shoe"

    # Analysis with its progress card; the scored segments arrive with poster frames.
    page.get_by_role("button", name="Analyze footage").click()
    page.get_by_text("Analysis of trail-shoe.mp4 —").first.wait_for(timeout=90_000)
    page.get_by_text("found by analysis").wait_for(timeout=90_000)
    page.locator(".tabulator img[src^='/efmedia/']").first.wait_for(timeout=90_000)
    screenshot(page, "20-produce-footage-and-segments")

    # Edit a segment's keywords in the table.
    editor = page.locator(".tabulator-cell.tabulator-editing input")
    for attempt in range(5):  # the table may still be redrawing from the segments' arrival, which drops a click
        page.locator(".tabulator-cell[tabulator-field='keywords']").first.click()
        try:
            editor.wait_for(timeout=3_000)
            break
        except PlaywrightTimeoutError:
            continue
    editor.fill("laces, sole")
    editor.press("Enter")
    page.get_by_text("Segment saved.").wait_for(timeout=60_000)
    assert any(s.keywords == ("laces", "sole") for s in list_segments(shop))

    # The script: length and price shown while typing.
    page.get_by_role("textbox", name="Script", exact=True).fill(STORY_SCRIPT)
    page.get_by_text(f"{len(STORY_SCRIPT)} characters · about").wait_for(timeout=90_000)
    page.get_by_text(f"${len(STORY_SCRIPT) / 1000 * 2:.2f}").first.wait_for(timeout=60_000)

    # The voiceover: generated as a job, played in the page, its cues listed; afterwards it is free.
    page.get_by_role("button", name="Generate voiceover").click()
    page.locator("audio[src^='/efmedia/']").wait_for(timeout=90_000)
    page.get_by_text("Meet the trail").first.wait_for(timeout=60_000)
    page.get_by_text("Free — cached").wait_for(timeout=90_000)
    page.get_by_text("3 · Script and voice").scroll_into_view_if_needed()
    played = page.locator("audio[src^='/efmedia/']").evaluate(
        "a => { a.muted = true; return a.play().then(() => new Promise(r => setTimeout(() => r(a.currentTime), 800))) }")
    assert played > 0
    screenshot(page, "21-produce-voiceover")

    # Render three variants; reload in the middle: the progress is still there; then the results play.
    page.get_by_role("button", name="Render", exact=True).click()
    page.get_by_text("Render of 3 variant(s) — running").wait_for(timeout=60_000)
    page.get_by_role("button", name="Cancel").first.wait_for(timeout=60_000)
    page.get_by_text("4 · Render").scroll_into_view_if_needed()
    screenshot(page, "22-produce-rendering")
    [render] = JobStore(shop).list(kind="production")
    assert render.status in ("queued", "running")  # so the reload below really happens mid-render
    page.reload()
    # Only running jobs are picked up on load, so the card proves the reload found the render while it ran
    # (it may have finished by the time this busy machine has drawn the page).
    page.get_by_text(re.compile(r"Render of 3 variant\(s\) — (running|succeeded)")).wait_for(timeout=120_000)
    page.get_by_text("4 · Render").scroll_into_view_if_needed()
    screenshot(page, "23-produce-rendering-after-reload")
    page.get_by_text("Render of 3 variant(s) — succeeded").wait_for(timeout=300_000)
    page.get_by_text("3 rendered clip(s) in this project").wait_for(timeout=90_000)
    assert page.locator("video[src^='/efmedia/']").count() == 3
    page.locator("video[src^='/efmedia/']").last.scroll_into_view_if_needed()
    assert len(projects.list_clips(shop, project["id"])) == 3
    screenshot(page, "24-produce-results")
    # The voiceover made before was reused: one charge in the ledger.
    assert len([e for e in month_entries(shop) if e["status"] == "settled"]) == 1

    # The same footage again, as a messaging app re-compresses it: once analyzed, both cards name the other copy.
    copy = tmp_path / "trail-shoe-from-chat.mp4"
    _ffmpeg("-i", str(footage), "-c:v", "libx264", "-crf", "51", "-pix_fmt", "yuv420p", "-c:a", "aac", str(copy))
    shown_page(page).locator("input[type=file]").set_input_files([str(copy)])
    page.get_by_title("trail-shoe-from-chat.mp4").wait_for(timeout=90_000)  # its card: imported into the project
    page.get_by_role("button", name="Analyze footage").click()
    page.get_by_text("Same footage as trail-shoe.mp4 (this copy is more compressed)").wait_for(timeout=120_000)
    page.get_by_text("Same footage as trail-shoe-from-chat.mp4").wait_for(timeout=60_000)
    page.get_by_text("Same footage as trail-shoe.mp4").scroll_into_view_if_needed()
    screenshot(page, "25-produce-same-footage")
    assert "Traceback" not in page.content()


def test_view_voice_sample_plays_and_a_render_can_be_cancelled_from_its_card(view, footage):
    import threading

    view._sample.clicks += 1
    [sample] = view._sample_watch.jobs
    _settle(view, sample.id)
    assert "<audio" in view._sample_player.object and "Voice sample" in view._sample_player.object
    _drop_files(view, ("trail-shoe.mp4", footage.read_bytes()))
    view._script.value_input = SCRIPT
    release = threading.Event()
    runner, profile = view.session.runner, view.session.profile
    holders = [runner.submit(profile, "hold", fn=lambda _p, _c: release.wait(120) and None) for _ in range(runner.workers)]
    view._render_button.clicks += 1
    [job] = view._render_watch.jobs
    card = view._render_progress._column.objects[0]
    assert "Render of 3 variant(s) — queued" in card.objects[0].object
    [cancel] = [b for b in card.select(pmui.Button) if b.label == "Cancel"]
    cancel.clicks += 1
    release.set()
    for holder in holders:
        runner.wait(profile, holder, timeout=60)
    _settle(view, job.id)
    assert view._render_watch.jobs[0].status == "cancelled" and view.model.clips == []


def test_view_switching_profile_leaves_nothing_of_the_last_one_on_screen(view, footage, workspace):
    _drop_files(view, ("trail-shoe.mp4", footage.read_bytes()))
    view._script.value_input = SCRIPT
    other = workspace.create("Store B")
    view.session.profile_id = other.id
    asyncio.run(view.refresh())
    assert view._project.options == {} and view._script.value == ""
    assert "No footage" in view._sources.objects[0].object
    assert view._segments.value.empty and view._import_watch.jobs == []


def test_view_project_framing_and_a_segment_override_are_saved_and_bad_values_refused(view, footage):
    from panel.models.tabulator import TableEditEvent

    from editfactory.footage import get_segment
    from editfactory.footage.framing import project_framing, set_default_framing
    from editfactory.ui.produce import AS_PROJECT, PROFILE_DEFAULT

    profile = view.session.profile
    project_id = view.model.project_id
    assert view._framing.value == PROFILE_DEFAULT and "Profile default (Auto)" in view._framing.options
    view._framing.value = "fit"
    assert project_framing(profile, project_id) == "fit" and view.model.framing == "fit"
    with pytest.raises(ValidationError, match="auto, fill, fit"):
        view.model.save_framing("zoom")
    assert project_framing(profile, project_id) == "fit"
    view._framing.value = PROFILE_DEFAULT
    assert project_framing(profile, project_id) is None
    set_default_framing(profile, "fill")
    asyncio.run(view.open_project(project_id))
    assert "Profile default (Fill)" in view._framing.options  # says what the default is

    _drop_files(view, ("trail-shoe.mp4", footage.read_bytes()))
    view._add_start.value, view._add_end.value = 0.5, 2.0
    view._add.clicks += 1
    asyncio.run(view.show_segments())
    assert list(view._segments.value["framing"]) == [AS_PROJECT]
    segment_id = view.model.segments[0].id
    view._segments.patch({"framing": [(0, "fit")]})
    view._segments._process_event(TableEditEvent(model=None, column="framing", row=0))
    assert get_segment(profile, segment_id).framing == "fit"
    view._segments.patch({"framing": [(0, "stretch")]})
    view._segments._process_event(TableEditEvent(model=None, column="framing", row=0))
    assert "auto, fill, fit" in view.session.notice["message"]  # refused with the allowed values; nothing stored
    assert get_segment(profile, segment_id).framing == "fit"
    asyncio.run(view.show_segments())
    assert list(view._segments.value["framing"]) == ["fit"]
    view._segments.patch({"framing": [(0, AS_PROJECT)]})
    view._segments._process_event(TableEditEvent(model=None, column="framing", row=0))
    assert get_segment(profile, segment_id).framing is None


def test_view_project_music_is_picked_played_and_goes_back_to_the_default(view, tmp_path):
    from music_tracks import make_track

    from editfactory.footage.music import import_track, pick_track, project_music, set_default_music, uses_profile_default
    from editfactory.pipeline import ProductionRequest
    from editfactory.ui.media_route import link_for

    profile = view.session.profile
    project_id = view.model.project_id
    assert view._music.value == "default" and view._music_player.object == ""
    track = import_track(profile, make_track(tmp_path / "groove.wav", seconds=6, title="Groove"), moods=["upbeat"])
    set_default_music(profile, {"mood": "upbeat"})
    asyncio.run(view.open_project(project_id))
    assert view._music.options["Any track that is upbeat"] == "mood:upbeat"
    view._music.value = f"track:{track.id}"
    assert project_music(profile, project_id).track_id == track.id
    assert "<audio" in view._music_player.object  # the chosen track can be played
    with pytest.raises(ValidationError, match="mood"):
        view.model.save_music("mood:sad")
    assert project_music(profile, project_id).track_id == track.id
    view._music.value = ""
    assert not project_music(profile, project_id).wanted and view._music_player.object == ""
    view._music.value = "default"
    assert uses_profile_default(profile, project_id) and project_music(profile, project_id).mood == "upbeat"
    # A mood (here the profile's default) plays the track the page's renders pick for it.
    assert "Renders play <b>Groove · 6 s · 120 BPM</b>" in view._music_player.object
    calm = import_track(profile, make_track(tmp_path / "calm.flac", bpm=90, seconds=6, title="Calm"), moods=["upbeat"])
    asyncio.run(view.open_project(project_id))
    view._music.value = "mood:upbeat"
    picked = pick_track(profile, project_music(profile, project_id), ProductionRequest.seed)
    assert picked.id in (track.id, calm.id) and f"Renders play <b>{picked.title} ·" in view._music_player.object
    assert link_for(picked.path) in view._music_player.object


def test_view_a_clip_card_names_the_music_it_was_made_with(view, tmp_path):
    card = view._clip_card({"name": "Mug v1", "path": "renders/x.mp4", "duration": 9.0, "cost_usd": 0,
                            "music": {"track_id": "trk_1", "title": "Groove <live>"}}, None)
    assert "♪ Groove &lt;live&gt;" in card.objects[0].object
    quiet = view._clip_card({"name": "Mug v2", "path": "renders/y.mp4", "duration": 9.0, "music": None}, None)
    assert "♪" not in quiet.objects[0].object


def test_view_project_transition_is_picked_saved_and_shown_again_on_reopening(view):
    from editfactory.footage.transitions import project_transition

    profile = view.session.profile
    project_id = view.model.project_id
    assert view._transition.value == "cut" and "Crossfade" in view._transition.options
    view._transition.value = "slide"
    assert project_transition(profile, project_id) == "slide" and view.model.transition == "slide"
    assert "Transition saved" in view.session.notice["message"]
    with pytest.raises(ValidationError, match="crossfade"):
        view.model.save_transition("wipe")
    assert project_transition(profile, project_id) == "slide"
    # Another project starts with a cut; back on the first, its choice is shown again.
    view._new_name.value = "Second"
    view._create.clicks += 1
    assert view.model.project_id != project_id and view._transition.value == "cut"
    asyncio.run(view.model.open_project(project_id))
    assert view._transition.value == "slide"
