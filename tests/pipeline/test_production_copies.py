"""A project holding the same footage twice (clean and crushed): no rendered variant shows both copies, and the
clean one is used even when it is shorter than the voiceover. The job result names the footage of each variant."""

from __future__ import annotations

import pytest

from editfactory.footage import analyze_source, import_source, list_segments
from editfactory.jobs import SUCCEEDED
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.services import projects

from footage_copies import make_copy, make_different, make_good, save_side_by_side

from .conftest import SMALL

LONG_SCRIPT = ("Meet the new trail shoe. Light and fast on every path, with grip that holds on wet rock "
               "and a sole that lasts all season.")


@pytest.fixture(scope="module")
def footage(tmp_path_factory):
    folder = tmp_path_factory.mktemp("production-copies")
    clean = make_good(folder / "clean.mp4")
    return {"clean": clean, "crushed": make_copy(clean, "crushed", folder)}


def test_variants_never_show_both_copies_and_use_the_clean_one(workspace, runner, footage):
    profile = workspace.create("Store A")
    project = projects.create_project(profile, "Trail shoe")
    ids = {name: import_source(profile, path).id for name, path in footage.items()}
    for source_id in ids.values():
        analyze_source(profile, source_id)
    projects.set_project_sources(profile, project["id"], list(ids.values()))
    # The voiceover (about 8 s) is longer than the clean footage (6 s): the crushed copy's 6 s would be used too
    # (the quality floor lets it in when the rest cannot fill), showing the same shots twice, once ruined.
    assert all(list_segments(profile, source_id) for source_id in ids.values())

    job_id = start_production(runner, profile, ProductionRequest(project["id"], LONG_SCRIPT, variants=3, preset=SMALL))
    job = runner.wait(profile, job_id, timeout=240)
    assert job.status == SUCCEEDED, job.error
    footage_used = job.outputs["footage"]
    assert len(footage_used) == 3 and len(job.outputs["clip_ids"]) == 3
    names = {source_id: name for name, source_id in ids.items()}
    for variant in footage_used:
        used = [names[piece["source_id"]] for piece in variant]
        assert set(used) == {"clean"}, used
        assert sum(p["end"] - p["start"] for p in variant) > 6.5, "longer than the clean footage: it is reused"
    assert not any(job.outputs["quality_notes"]), "no footage under the quality floor was needed"
    assert len({tuple((p["source_id"], p["start"]) for p in v) for v in footage_used}) == 3, "variants differ"
    clip = projects.get_clip(profile, job.outputs["clip_ids"][0])
    first = footage_used[0][0]
    save_side_by_side(profile.paths.absolute(clip["path"]), 0.5,
                      footage[names[first["source_id"]]], first["start"] + 0.5, "dupes-variant-1-first-piece")
