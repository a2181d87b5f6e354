"""A clip's cost is what its voiceover cost, also when the voiceover came from the cache (issue 21 item 4)."""

from __future__ import annotations

import pytest

from editfactory.costs import ledger
from editfactory.jobs import SUCCEEDED
from editfactory.pipeline import ProductionRequest, start_production
from editfactory.services import projects
from editfactory.storage.settings import set_setting

from .conftest import SCRIPT, SMALL


def _produce(runner, profile, project, *, draft: bool) -> dict:
    job = runner.wait(profile, start_production(runner, profile, ProductionRequest(
        project["id"], SCRIPT, preset=SMALL, draft=draft)), timeout=240)
    assert job.status == SUCCEEDED, job.error
    return job


def test_the_final_clip_costs_what_the_drafts_paid_voiceover_cost(store, runner):
    profile, project = store
    set_setting(profile, "tts.prices", {"piper": {"piper": 2.0}})  # a priced voice: $2 per 1,000 characters
    draft = _produce(runner, profile, project, draft=True)
    spent = ledger.month_spend(profile)
    assert spent == pytest.approx(len(SCRIPT) / 1000 * 2.0) and draft.outputs["voiceover_cost_usd"] == spent
    final = _produce(runner, profile, project, draft=False)
    assert final.outputs["voiceover_cost_usd"] == 0, "the final render reused the paid voiceover: nothing spent"
    assert ledger.month_spend(profile) == spent
    [clip] = [c for c in projects.list_clips(profile, project["id"]) if c["id"] in final.outputs["clip_ids"]]
    assert clip["cost_usd"] == pytest.approx(spent), "the clip shows what its voiceover cost, not 'Free'"
