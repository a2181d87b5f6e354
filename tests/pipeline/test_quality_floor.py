"""A production whose only footage is under the quality floor still renders, and its job records that it had to."""

from __future__ import annotations

import subprocess

import pytest

from editfactory.footage import analyze_source, import_source
from editfactory.jobs import SUCCEEDED
from editfactory.media.probe import probe
from editfactory.media.runner import ffmpeg_path
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.services import projects

from .conftest import SCRIPT, SMALL

CRUSHED = ("life=size=640x360:rate=30:mold=10:ratio=0.1:death_color=#C83232:life_color=#00ff00,"
           "noise=alls=12:allf=t,format=yuv420p")


@pytest.fixture(scope="module")
def crushed(tmp_path_factory):
    """6 s of footage at x264's worst quality (CRF 51), with sound."""
    path = tmp_path_factory.mktemp("crushed") / "crowd-crushed.mp4"
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-nostdin", "-f", "lavfi", "-i", CRUSHED, "-f", "lavfi",
                    "-i", "sine=f=330:sample_rate=48000", "-t", "6", "-c:v", "libx264", "-preset", "veryfast",
                    "-crf", "51", "-c:a", "aac", str(path)], check=True, timeout=120)
    return path


def test_only_footage_under_the_floor_still_renders_and_the_job_says_so(workspace, runner, crushed):
    profile = workspace.create("Store A")
    project = projects.create_project(profile, "Crowd")
    source = import_source(profile, crushed)
    analyze_source(profile, source.id)
    projects.set_project_sources(profile, project["id"], [source.id])
    job_id = start_production(runner, profile, ProductionRequest(project["id"], SCRIPT, variants=2, preset=SMALL))
    job = runner.wait(profile, job_id, timeout=180)
    assert job.status == SUCCEEDED, job.error
    notes = job.outputs["quality_notes"]
    assert [note.split(" uses ")[0] for note in notes] == ["Variant 1", "Variant 2"]
    assert all("low-quality footage (crowd-crushed.mp4" in note for note in notes)
    clips = projects.list_clips(profile, project["id"])
    assert len(clips) == 2 and all(probe(profile.paths.absolute(c["path"])).duration > 1.0 for c in clips)


def test_a_production_with_good_footage_records_no_quality_notes(store, runner):
    profile, project = store
    source_id = projects.project_sources(profile, project["id"])[0]
    analyze_source(profile, source_id)
    job_id = start_production(runner, profile, ProductionRequest(project["id"], SCRIPT, preset=SMALL))
    job = runner.wait(profile, job_id, timeout=180)
    assert job.status == SUCCEEDED, job.error
    assert job.outputs["quality_notes"] == []
