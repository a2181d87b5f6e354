"""Import and analysis jobs through the JobRunner on real generated footage."""

from __future__ import annotations

import io

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.footage import get_source, import_source, list_segments, list_sources
from editfactory.jobs import FAILED, SUCCEEDED, JobStore
from editfactory.jobs.kinds import start_analysis, start_import
from editfactory.services import projects
from editfactory.services.uploads import AUDIO_SUFFIXES, discard_staged, is_staged, stage_upload


def _staged(profile, path, name=None):
    return stage_upload(profile, name or path.name, path.read_bytes())


def test_good_files_are_imported_while_each_bad_one_is_refused_with_its_reason(
        profile, project, runner, footage, other_footage, audio_only):
    uploads = [
        _staged(profile, footage, "shoe.mp4"),
        stage_upload(profile, "notes.mp4", b"this is a shopping list, not a video"),
        _staged(profile, audio_only),
        _staged(profile, other_footage, "box.mp4"),
    ]
    job = runner.wait(profile, start_import(runner, profile, uploads, project_id=project["id"]), timeout=120)
    assert job.status == SUCCEEDED, job.error
    assert [item["file"] for item in job.outputs["imported"]] == ["shoe.mp4", "box.mp4"]
    refused = {item["file"]: item["reason"] for item in job.outputs["refused"]}
    assert set(refused) == {"notes.mp4", "podcast.mp4"}
    assert "no video stream" in refused["podcast.mp4"]
    assert "notes.mp4" in refused["notes.mp4"] and refused["notes.mp4"].strip()
    imported = [item["source_id"] for item in job.outputs["imported"]]
    assert sorted(s.id for s in list_sources(profile)) == sorted(imported)
    assert get_source(profile, imported[0]).filename == "shoe.mp4"
    assert projects.project_sources(profile, project["id"]) == sorted(imported)
    assert not any(upload.exists() for upload in uploads), "staged uploads go once handled"
    assert not list(profile.paths.tmp.iterdir())


def test_an_import_of_only_bad_files_fails_with_every_reason_and_stores_nothing(profile, runner, audio_only):
    uploads = [stage_upload(profile, "notes.mov", b"not a video"), _staged(profile, audio_only)]
    job = runner.wait(profile, start_import(runner, profile, uploads), timeout=60)
    assert job.status == FAILED
    assert "None of the files could be imported" in job.error
    assert "notes.mov" in job.error and "podcast.mp4: " in job.error and "no video stream" in job.error
    assert list_sources(profile) == []
    assert not [p for p in profile.paths.media.iterdir()]


def test_reimporting_the_same_footage_is_reported_as_a_duplicate(profile, runner, footage):
    existing = import_source(profile, footage)
    job = runner.wait(profile, start_import(runner, profile, [_staged(profile, footage)]), timeout=60)
    assert job.status == SUCCEEDED, job.error
    assert job.outputs["imported"] == [{"file": footage.name, "source_id": existing.id, "duplicate": True,
                                        "duration": existing.duration, "width": existing.width,
                                        "height": existing.height}]
    assert len(list_sources(profile)) == 1


def test_files_outside_the_staging_area_are_never_deleted(profile, runner, footage):
    job = runner.wait(profile, start_import(runner, profile, [footage]), timeout=60)
    assert job.status == SUCCEEDED, job.error
    assert footage.is_file()
    assert not is_staged(profile, footage)
    discard_staged(profile, footage)
    assert footage.is_file()


def test_a_retry_after_the_upload_was_used_says_to_upload_again(profile, runner, footage):
    upload = _staged(profile, footage)
    discard_staged(profile, upload)
    job = runner.wait(profile, start_import(runner, profile, [upload]), timeout=60)
    assert job.status == FAILED and "upload it again" in job.error


def test_start_import_refuses_bad_requests_before_queuing(profile, other_profile, runner, footage):
    other_project = projects.create_project(other_profile, "Not yours")
    with pytest.raises(ValidationError, match="at least one video"):
        start_import(runner, profile, [])
    with pytest.raises(NotFoundError, match="Store A"):
        start_import(runner, profile, [footage], project_id=other_project["id"])
    assert JobStore(profile).list() == []


def test_staging_refuses_wrong_type_empty_and_oversized_files_without_writing(profile):
    with pytest.raises(ValidationError, match="not a supported file type"):
        stage_upload(profile, "invoice.pdf", b"%PDF")
    with pytest.raises(ValidationError, match="empty"):
        stage_upload(profile, "clip.mp4", b"")
    with pytest.raises(ValidationError, match="above the upload limit of 1 MB"):
        stage_upload(profile, "big.mp4", b"x" * (1024**2 + 1), max_bytes=1024**2)
    with pytest.raises(ValidationError, match="above the upload limit"):
        stage_upload(profile, "big.mp4", io.BytesIO(b"x" * 3000), max_bytes=2000)
    with pytest.raises(ValidationError, match="no file name"):
        stage_upload(profile, "  ", b"data")
    assert not list(profile.paths.tmp.iterdir())


def test_staging_keeps_a_safe_name_inside_the_profile(profile):
    staged = stage_upload(profile, "../../evil/Spring sale (v2).MP4", b"data")
    assert staged.name == "Spring sale (v2).MP4"
    assert is_staged(profile, staged) and staged.resolve().is_relative_to(profile.paths.tmp.resolve())
    sample = stage_upload(profile, "voice.m4a", io.BytesIO(b"abc"), accept=AUDIO_SUFFIXES)
    assert sample.read_bytes() == b"abc"


def test_analysis_job_stores_scored_segments_and_keeps_manual_ones(profile, runner, footage):
    from editfactory.footage import create_segment

    source = import_source(profile, footage)
    manual = create_segment(profile, source.id, 0.5, 1.5, keywords="logo")
    job = runner.wait(profile, start_analysis(runner, profile, source.id), timeout=120)
    assert job.status == SUCCEEDED, job.error
    auto = list_segments(profile, source.id, origin="auto")
    assert job.outputs["segments"] == len(auto) > 0
    assert job.outputs["source_id"] == source.id and job.outputs["duration"] == pytest.approx(6.0, abs=0.2)
    assert manual.id in {s.id for s in list_segments(profile, source.id)}
    assert get_source(profile, source.id).status == "analyzed"


def test_analysis_refuses_another_profiles_source_and_unknown_options(profile, other_profile, runner, footage):
    theirs = import_source(other_profile, footage)
    with pytest.raises(NotFoundError, match="Store A"):
        start_analysis(runner, profile, theirs.id)
    mine = import_source(profile, footage)
    with pytest.raises(ValidationError, match="Unknown analysis option"):
        start_analysis(runner, profile, mine.id, {"speed": "max"})
    assert JobStore(profile).list() == [] and list_segments(other_profile) == []


def test_a_fresh_process_finds_every_kind_without_importing_it(tmp_path):
    """Retrying after a restart: the runner looks the kind up before anything imported the kinds package."""
    import subprocess
    import sys

    code = ("from editfactory.jobs import registered_job\n"
            "import editfactory.jobs.kinds as kinds\n"
            "print(all(registered_job(k) for k in kinds.KINDS))")
    lazy = ("import sys\nfrom editfactory.jobs import registered_job\n"
            "assert 'editfactory.jobs.kinds' not in sys.modules\n"
            "print(registered_job('voiceover') is not None)")
    for snippet in (code, lazy):
        out = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, timeout=120, check=True)
        assert out.stdout.strip() == "True", out.stderr
