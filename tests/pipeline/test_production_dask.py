"""The production job with a Dask scheduler configured: workers render, the clip equals the local one."""

from __future__ import annotations

import pytest

from editfactory.jobs import SUCCEEDED
from editfactory.jobs.dask_backend import SCHEDULER_ENV
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.services import projects

from jobs.media_fixtures import frame_hashes
from .conftest import SCRIPT, SMALL  # noqa: I001


def test_dask_production_matches_local(store, runner, dask_scheduler, monkeypatch):
    profile, project = store
    request = ProductionRequest(project["id"], SCRIPT, variants=2, preset=SMALL)
    local = runner.wait(profile, start_production(runner, profile, request), timeout=120)
    assert local.status == SUCCEEDED, local.error
    expected = {}
    for clip in projects.list_clips(profile):
        path = profile.paths.absolute(clip["path"])
        expected[clip["path"]] = frame_hashes(path)
        path.unlink()  # force the same renders again, this time on the cluster

    monkeypatch.setenv(SCHEDULER_ENV, dask_scheduler)
    remote = runner.wait(profile, start_production(runner, profile, request), timeout=120)
    assert remote.status == SUCCEEDED, remote.error
    assert "local" in local.outputs["backend"] and "Dask" in remote.outputs["backend"]
    assert remote.outputs["rendered"] == 2 and remote.outputs["voiceovers_cached"] == 1
    clips = projects.list_clips(profile)
    assert {c["path"] for c in clips} == set(expected) and len(clips) == 2  # the same clips, made again
    assert {c["job_id"] for c in clips} == {remote.id}
    for stored, frames in expected.items():
        assert len(frames) > 10 and frame_hashes(profile.paths.absolute(stored)) == frames
