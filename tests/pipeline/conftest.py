"""Fixtures for the pipeline tests: a profile with a project whose source is a small generated video."""

from __future__ import annotations

import pytest

from editfactory.footage import import_source
from editfactory.jobs import JobRunner
from editfactory.profiles import Workspace
from editfactory.services import projects

from jobs.media_fixtures import SMALL_PRESET, make_source

SMALL = {f: getattr(SMALL_PRESET, f) for f in SMALL_PRESET.__dataclass_fields__}
SCRIPT = "Meet the new trail shoe. Light and fast."


@pytest.fixture(scope="session")
def source_video(tmp_path_factory):
    return make_source(tmp_path_factory.mktemp("pipeline-media") / "footage.mp4", seconds=6.0)


@pytest.fixture
def workspace(tmp_path):
    return Workspace(tmp_path / "ws", busy_timeout=30)


def _store(workspace, name, source_video):
    profile = workspace.create(name)
    project = projects.create_project(profile, "Trail shoe")
    source = import_source(profile, source_video)
    projects.set_project_sources(profile, project["id"], [source.id])
    return profile, project


@pytest.fixture
def store(workspace, source_video):
    return _store(workspace, "Store A", source_video)


@pytest.fixture
def other_store(workspace, source_video):
    return _store(workspace, "Store B", source_video)


@pytest.fixture
def runner():
    with JobRunner(workers=2) as runner:
        yield runner
