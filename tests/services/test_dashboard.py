"""Dashboard figures per profile and the cross-profile overview, which never mixes stores."""

from __future__ import annotations

import pytest

from editfactory.costs import current_month, release, reserve, set_quota, settle
from editfactory.jobs import FAILED, JobStore
from editfactory.profiles import Workspace
from editfactory.services import projects as proj
from editfactory.services.dashboard import overview, profile_figures


def _publication(profile, clip_id: str, status: str) -> None:
    profile.db.execute(
        "INSERT INTO publications (id, clip_id, integration_id, status) VALUES (?, ?, 'int-1', ?)",
        [f"pub_{clip_id}_{status}", clip_id, status],
    )


@pytest.fixture
def two_stores(tmp_path):
    ws = Workspace(tmp_path / "ws")
    a, b = ws.create("Store A"), ws.create("Store B")
    project = proj.create_project(a, "Spring")
    proj.create_project(a, "Summer")
    clips = [proj.create_clip(a, project["id"], f"v{i}", status=s)["id"]
             for i, s in enumerate(["draft", "rendered", "rendered", "published"])]
    _publication(a, clips[1], "posted")
    _publication(a, clips[2], "failed")
    settle(reserve(a, "elevenlabs", "eleven_multilingual_v2", 0.5), 0.30)
    reserve(a, "elevenlabs", "eleven_multilingual_v2", 0.10)  # still in flight: counts as spent
    release(reserve(a, "openai", "tts-1", 0.2))  # released: does not count
    settle(reserve(a, "edge", "", 0.0), 0.0)
    a.db.execute(
        "INSERT INTO cost_entries (id, provider, cost_usd, status, month) VALUES ('old', 'elevenlabs', 9, 'settled', '2020-01')"
    )
    set_quota(a, 2.0)
    jobs_a = JobStore(a)
    jobs_a.mark_running(jobs_a.create("production").id, temp_dir=None)
    jobs_a.create("production")  # queued
    jobs_a.finish(jobs_a.create("production").id, FAILED, error="boom")
    project_b = proj.create_project(b, "Only B")
    proj.create_clip(b, project_b["id"], "b1", status="rendered")
    settle(reserve(b, "edge", "", 0.0), 0.0)
    settle(reserve(b, "openai", "tts-1", 0.05), 0.05)
    return ws, a, b


def test_figures_of_one_profile(two_stores):
    _, a, _ = two_stores
    figures = profile_figures(a)
    assert (figures.projects, figures.clips, figures.rendered, figures.published) == (2, 4, 3, 2)
    assert figures.jobs_running == 2  # queued and running; the failed one is over
    assert figures.month == current_month()
    assert figures.cost_by_provider == {"edge": 0.0, "elevenlabs": pytest.approx(0.4)}
    assert figures.cost_this_month == pytest.approx(0.4)
    assert figures.quota_usd == 2.0 and figures.quota_used == pytest.approx(0.2) and figures.quota_left == pytest.approx(1.6)
    assert profile_figures(a, "2020-01").cost_by_provider == {"elevenlabs": 9.0}


def test_overview_reads_each_profile_on_its_own(two_stores):
    ws, a, b = two_stores
    by_id = {f.profile_id: f for f in overview(ws)}
    assert set(by_id) == {a.id, b.id}
    fb = by_id[b.id]
    assert (fb.profile_name, fb.projects, fb.clips, fb.rendered, fb.published, fb.jobs_running) == (
        "Store B", 1, 1, 1, 0, 0,
    )
    # B's own spend only: A's ElevenLabs costs and A's quota never show up here, nor B's in A.
    assert fb.cost_by_provider == {"edge": 0.0, "openai": pytest.approx(0.05)}
    assert fb.cost_this_month == pytest.approx(0.05) and fb.quota_usd is None and fb.quota_used is None
    fa = by_id[a.id]
    assert fa == profile_figures(a) and fb == profile_figures(b)
    assert "openai" not in fa.cost_by_provider and fa.cost_this_month == pytest.approx(0.4) and fa.jobs_running == 2


def test_overview_of_a_new_profile_has_zero_figures_and_no_quota(tmp_path):
    ws = Workspace(tmp_path / "ws")
    new = ws.create("Fresh store")
    [figures] = [f for f in overview(ws) if f.profile_id == new.id]
    assert (figures.profile_id, figures.projects, figures.clips, figures.cost_by_provider, figures.error) == (
        new.id, 0, 0, {}, None,
    )
    assert figures.quota_used is None and figures.quota_left is None, "no quota means unlimited"


def test_a_broken_profile_reports_an_error_without_hiding_the_others(two_stores):
    ws, a, b = two_stores
    b.paths.database.write_bytes(b"this is not a duckdb file" * 100)
    by_id = {f.profile_id: f for f in overview(ws)}
    assert by_id[a.id].error is None and by_id[a.id].clips == 4
    assert by_id[b.id].error and "Store B" in by_id[b.id].error and by_id[b.id].clips == 0
