"""The production job renders with the project's framing: a changed framing makes a new render, the same one reuses it."""

from __future__ import annotations

from editfactory.footage.framing import set_default_framing, set_project_framing
from editfactory.jobs import SUCCEEDED
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.services import projects

from .conftest import SCRIPT, SMALL


def _run(runner, profile, request):
    return runner.wait(profile, start_production(runner, profile, request), timeout=120)


def test_a_changed_framing_renders_again_and_the_same_one_is_reused(store, runner):
    profile, project = store
    request = ProductionRequest(project["id"], SCRIPT, variants=1, preset=SMALL)
    first = _run(runner, profile, request)
    assert first.status == SUCCEEDED, first.error
    assert first.outputs["rendered"] == 1
    set_project_framing(profile, project["id"], "fit")
    fitted = _run(runner, profile, request)
    assert fitted.status == SUCCEEDED, fitted.error
    assert fitted.outputs["rendered"] == 1 and fitted.outputs["reused_renders"] == 0
    assert set(fitted.outputs["clip_ids"]).isdisjoint(first.outputs["clip_ids"])
    set_default_framing(profile, "fill")  # the project's own choice still wins
    again = _run(runner, profile, request)
    assert again.outputs["rendered"] == 0 and again.outputs["clip_ids"] == fitted.outputs["clip_ids"]
    paths = {c["path"] for c in projects.list_clips(profile, project["id"])}
    assert len(paths) == 2
