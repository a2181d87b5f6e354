"""Proxies through the jobs: the import job makes one per video, a draft production decodes it, exports leave it out."""

from __future__ import annotations

import subprocess
import zipfile

import numpy as np
import pytest

from editfactory.footage import import_source, list_sources
from editfactory.footage.proxies import proxy_path
from editfactory.jobs import SUCCEEDED
from editfactory.jobs.kinds import start_analysis, start_export, start_import
from editfactory.media.probe import probe
from editfactory.media.runner import ffmpeg_path
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.services import projects

from jobs.media_fixtures import make_source

from .conftest import SCRIPT, SMALL


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """4 s of 1280x720 footage with sound: larger than a draft needs, so it gets a proxy."""
    return make_source(tmp_path_factory.mktemp("wide") / "wide.mp4", seconds=4.0, size="1280x720")


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-nostdin", *args], check=True, timeout=120)


def _import(runner, profile, project, *paths):
    job = runner.wait(profile, start_import(runner, profile, list(paths), project_id=project["id"]), timeout=180)
    assert job.status == SUCCEEDED, job.error
    return {item["file"]: item["source_id"] for item in job.outputs["imported"]}


def test_the_import_job_makes_a_proxy_of_each_large_video_and_exports_leave_it_out(
        profile, project, runner, wide, footage, tmp_path):
    photo = tmp_path / "shelf.jpg"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=1600x1200", "-frames:v", "1", str(photo))
    ids = _import(runner, profile, project, wide, footage, photo)

    proxy = probe(proxy_path(profile, ids["wide.mp4"]))
    assert (proxy.width, proxy.height) == (960, 540) and proxy.frame_count == probe(wide).frame_count == 60
    assert proxy.duration == pytest.approx(4.0, abs=0.1)
    assert not proxy_path(profile, ids["footage.mp4"]).exists()  # 320x240: the draft reads it as it is
    assert not proxy_path(profile, ids["shelf.jpg"]).exists()  # photos need none
    assert sorted(s.filename for s in list_sources(profile)) == ["footage.mp4", "shelf.jpg", "wide.mp4"]
    assert not list(profile.paths.tmp.iterdir())

    job = runner.wait(profile, start_export(runner, profile, tmp_path / "store.zip"), timeout=120)
    assert job.status == SUCCEEDED, job.error
    names = zipfile.ZipFile(tmp_path / "store.zip").namelist()
    assert any(n.endswith(f"media/{ids['wide.mp4']}.mp4") for n in names)
    assert not any("proxies" in n for n in names)


def test_a_draft_production_decodes_the_proxy_and_a_final_the_source(profile, project, runner, wide, tmp_path):
    source_id = _import(runner, profile, project, wide)["wide.mp4"]
    # Make the proxy visibly another picture (solid red, same length): a draft showing red decoded it.
    red = tmp_path / "red.mp4"
    _ffmpeg("-f", "lavfi", "-i", "color=c=red:size=960x540:rate=15", "-t", "4", "-c:v", "libx264", "-preset",
            "ultrafast", "-pix_fmt", "yuv420p", str(red))
    red.replace(proxy_path(profile, source_id))

    def redness(draft: bool) -> float:
        job = runner.wait(profile, start_production(runner, profile, ProductionRequest(
            project["id"], SCRIPT, preset=SMALL, draft=draft)), timeout=240)
        assert job.status == SUCCEEDED, job.error
        stored = job.outputs["previews"][0]["path"] if draft else projects.get_clip(profile, job.outputs["clip_ids"][0])["path"]
        path = profile.paths.absolute(stored)
        info = probe(path)
        raw = subprocess.run([ffmpeg_path(), "-v", "error", "-ss", "0.5", "-i", str(path), "-frames:v", "1",
                              "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], check=True, capture_output=True,
                             timeout=60).stdout
        r, g, b = np.frombuffer(raw, np.uint8).reshape(info.height, info.width, 3).reshape(-1, 3).mean(axis=0)
        return r - (g + b) / 2

    assert redness(draft=True) > 120
    assert redness(draft=False) < 60
    proxy_path(profile, source_id).unlink()  # no proxy: the draft reads the source
    assert redness(draft=True) < 60


def test_analysis_makes_the_proxy_of_a_source_imported_without_one_or_with_a_damaged_one(profile, runner, wide):
    source = import_source(profile, wide)  # as before proxies: the import made none
    assert not proxy_path(profile, source.id).exists()
    job = runner.wait(profile, start_analysis(runner, profile, source.id), timeout=240)
    assert job.status == SUCCEEDED, job.error
    assert job.outputs["segments"] > 0 and probe(proxy_path(profile, source.id)).height == 540

    whole = proxy_path(profile, source.id).read_bytes()
    proxy_path(profile, source.id).write_bytes(whole[: len(whole) // 3])  # cut off, as by a failing disk
    job = runner.wait(profile, start_analysis(runner, profile, source.id), timeout=240)
    assert job.status == SUCCEEDED, job.error
    assert probe(proxy_path(profile, source.id)).duration == pytest.approx(4.0, abs=0.1)
