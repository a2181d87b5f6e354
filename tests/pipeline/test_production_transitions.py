"""The production job renders with the project's transition: it is stored with the job (a retry makes the same
clip), a changed transition renders again, the clip keeps the voiceover's length and an unknown one is refused."""

from __future__ import annotations

import pytest

from editfactory.core.errors import ValidationError
from editfactory.footage import import_source
from editfactory.footage.transitions import project_transition, set_project_transition
from editfactory.jobs import JobStore, SUCCEEDED
from editfactory.media.probe import probe
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.services import projects

from jobs.media_fixtures import make_source

from .conftest import SCRIPT, SMALL


@pytest.fixture(scope="module")
def short_sources(tmp_path_factory):
    """Three 1.3 s sources: a voiceover of a few seconds needs pieces of several, so the clip has cuts."""
    folder = tmp_path_factory.mktemp("transition-sources")
    return [make_source(folder / f"s{i}.mp4", seconds=1.3, size=size)
            for i, size in enumerate(("320x240", "240x320", "320x320"))]


def _run(runner, profile, request):
    return runner.wait(profile, start_production(runner, profile, request), timeout=180)


def test_the_projects_transition_is_rendered_stored_with_the_job_and_refused_when_unknown(store, runner,
                                                                                         short_sources):
    profile, project = store
    projects.set_project_sources(profile, project["id"], [import_source(profile, p).id for p in short_sources])
    assert project_transition(profile, project["id"]) == "cut"
    request = ProductionRequest(project["id"], SCRIPT, variants=1, preset=SMALL, mode="random", seed=4)
    cut = _run(runner, profile, request)
    assert cut.status == SUCCEEDED, cut.error
    assert cut.inputs["transition"] == "cut"

    set_project_transition(profile, project["id"], "crossfade")
    faded = _run(runner, profile, request)
    assert faded.status == SUCCEEDED, faded.error
    assert len(faded.outputs["footage"][0]) >= 2  # there is a cut to cross-fade
    assert faded.inputs["transition"] == "crossfade"  # a retry of this job renders a crossfade, whatever changes
    assert faded.outputs["rendered"] == 1 and set(faded.outputs["clip_ids"]).isdisjoint(cut.outputs["clip_ids"])
    infos = [probe(profile.paths.absolute(projects.get_clip(profile, job.outputs["clip_ids"][0])["path"]),
                   count_frames=True) for job in (cut, faded)]
    lengths = [info.frame_count for info in infos]
    assert lengths[0] == lengths[1]
    # The picture lasts as long as the clip: a cut render's trimmed segments could come out a frame short, so its
    # picture stopped before its sound (41 frames in a 2.79 s clip at 15 fps; flaky with Piper's varying timing).
    for info in infos:
        assert info.frame_count == round(info.duration * info.fps), (info.frame_count, info.duration)

    with pytest.raises(ValidationError, match="crossfade"):
        set_project_transition(profile, project["id"], "wipe")
    assert project_transition(profile, project["id"]) == "crossfade"
    with pytest.raises(ValidationError, match="crossfade"):
        start_production(runner, profile, ProductionRequest(project["id"], SCRIPT, transition="spin"))
    assert len(JobStore(profile).list()) == 2  # nothing queued
