"""Draft and final renders, publishing, status refresh, outbox resume and export as jobs through the JobRunner."""

from __future__ import annotations

import zipfile

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.footage import import_source
from editfactory.jobs import SUCCEEDED, JobStore
from editfactory.jobs.kinds import start_export, start_outbox_resume, start_publish, start_status_refresh
from editfactory.media.presets import draft_preset, get_preset
from editfactory.media.probe import probe
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.publish import list_publications
from editfactory.publish.outbox import FAILED, PENDING
from editfactory.services import projects
from editfactory.storage.secrets import set_secret
from tests.publish.conftest import add_clip, configure, standard_integrations

from .conftest import SCRIPT, SMALL

KEY = "key-store-a-0123456789"


def test_draft_preset_is_half_size_and_fastest():
    draft = draft_preset("tiktok")
    assert (draft.width, draft.height, draft.fps) == (540, 960, 30)
    assert draft.x264_preset == "ultrafast" and draft.crf > get_preset("tiktok").crf
    assert (draft_preset("landscape").width, draft_preset("landscape").height) == (960, 540)
    with pytest.raises(ValidationError, match="Unknown output format"):
        draft_preset("cinema")


def test_a_draft_renders_previews_without_clips_and_the_final_render_reuses_its_voiceover(
        profile, project, runner, footage):
    source = import_source(profile, footage)
    projects.set_project_sources(profile, project["id"], [source.id])
    request = ProductionRequest(project["id"], SCRIPT, variants=2, preset=SMALL, draft=True)
    draft = runner.wait(profile, start_production(runner, profile, request), timeout=180)
    assert draft.status == SUCCEEDED, draft.error
    assert draft.outputs["draft"] is True and projects.list_clips(profile) == []
    assert [p["variant"] for p in draft.outputs["previews"]] == [1, 2]
    for preview in draft.outputs["previews"]:
        path = profile.paths.absolute(preview["path"])
        assert path.resolve().is_relative_to(profile.paths.previews.resolve())
        info = probe(path)
        assert (info.width, info.height) == (SMALL["width"] // 2, SMALL["height"] // 2)
        assert info.has_audio and info.duration == pytest.approx(preview["duration"], abs=0.15)

    final = runner.wait(profile, start_production(runner, profile, ProductionRequest(
        project["id"], SCRIPT, variants=2, preset=SMALL)), timeout=180)
    assert final.status == SUCCEEDED, final.error
    assert final.outputs["voiceovers_cached"] == 1 and final.outputs["rendered"] == 2
    clips = projects.list_clips(profile)
    assert len(clips) == 2 and all((c["width"], c["height"]) == (SMALL["width"], SMALL["height"]) for c in clips)


@pytest.fixture
def postiz_store(profile, postiz_factory, sample_mp4):
    server = postiz_factory(KEY, standard_integrations("a"))
    configure(profile, server, KEY, default_channels=["a-tiktok"])
    return server, add_clip(profile, sample_mp4, "Red sneakers")


def test_publish_job_posts_then_refresh_job_records_the_published_state(profile, runner, postiz_store):
    server, clip = postiz_store
    job = runner.wait(profile, start_publish(runner, profile, [clip], ["a-tiktok", "a-insta"], captions="Drop!"),
                      timeout=60)
    assert job.status == SUCCEEDED, job.error
    assert job.outputs["posted"] == 2 and job.outputs["failed"] == 0 and job.outputs["open"] == 0
    assert {p["platform"] for p in job.outputs["publications"]} == {"tiktok", "instagram"}
    assert len(server.live_posts()) == 2
    for post in server.live_posts():
        server.set_state(post["id"], "PUBLISHED", "https://example.com/p/1")
    refresh = runner.wait(profile, start_status_refresh(runner, profile), timeout=60)
    assert refresh.status == SUCCEEDED, refresh.error
    assert refresh.outputs["checked"] == 2
    assert {p["postiz_state"] for p in refresh.outputs["publications"]} == {"PUBLISHED"}
    assert {p.postiz_state for p in list_publications(profile, clip)} == {"PUBLISHED"}


def test_a_post_postiz_refuses_is_listed_with_its_reason(profile, runner, postiz_store):
    from editfactory.publish import marker, outbox
    from editfactory.publish.outbox import NewPublication

    server, clip = postiz_store
    # TikTok posts need their privacy settings; one recorded without them is refused by Postiz (400).
    outbox.record(profile, [NewPublication(clip, "a-tiktok", "tiktok", "now", "No settings", {}, None, None,
                                           marker.new_key())])
    job = runner.wait(profile, start_outbox_resume(runner, profile), timeout=60)
    assert job.status == SUCCEEDED, job.error
    [post] = job.outputs["publications"]
    assert post["status"] == FAILED and "refused" in post["error"] and "privacy" in post["error"].lower()
    assert "refused by Postiz" in job.outputs["summary"] and server.live_posts() == []


def test_publish_is_refused_before_queuing_for_another_profiles_clip_or_a_naive_time(
        profile, other_profile, runner, sample_mp4):
    import datetime as dt

    theirs = add_clip(other_profile, sample_mp4)
    with pytest.raises(NotFoundError, match="Store A"):
        start_publish(runner, profile, [theirs])
    mine = add_clip(profile, sample_mp4)
    with pytest.raises(ValidationError, match="time zone"):
        start_publish(runner, profile, [mine], start=dt.datetime(2030, 1, 1, 9))
    with pytest.raises(ValidationError, match="at least one clip"):
        start_publish(runner, profile, [])
    assert JobStore(profile).list() == []


def test_resume_job_sends_what_the_outbox_left_open(profile, runner, postiz_store):
    from editfactory.publish import marker, outbox
    from editfactory.publish.outbox import NewPublication
    from editfactory.publish.providers import build_settings

    server, clip = postiz_store
    [pub] = outbox.record(profile, [NewPublication(clip, "a-tiktok", "tiktok", "now", "Left open",
                                                   build_settings("tiktok", None, "Left open"), None, None,
                                                   marker.new_key())])
    assert pub.status == PENDING
    job = runner.wait(profile, start_outbox_resume(runner, profile), timeout=60)
    assert job.status == SUCCEEDED, job.error
    assert job.outputs["found"] == 1 and job.outputs["still_open"] == 0
    assert len(server.live_posts()) == 1, job.outputs


def test_export_job_writes_a_zip_outside_the_profile_without_secrets(profile, runner, workspace):
    set_secret(profile, "postiz.api_key", "secret-key-0123456789")
    job = runner.wait(profile, start_export(runner, profile), timeout=60)
    assert job.status == SUCCEEDED, job.error
    path = workspace.root / "exports" / job.outputs["path"].rsplit("/", 1)[-1]
    assert str(path) == job.outputs["path"] and path.stat().st_size == job.outputs["size_bytes"]
    assert not path.resolve().is_relative_to(profile.folder.resolve())
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert any(n.endswith("profile.duckdb") for n in names)
        assert not any("secret" in n for n in names)
        assert all(b"secret-key-0123456789" not in archive.read(n) for n in names)
    assert [p.id for p in workspace.list()] == sorted([profile.id], key=str)  # the exports folder is no profile
    with pytest.raises(ValidationError, match=".zip"):
        start_export(runner, profile, workspace.root / "backup.tar")
