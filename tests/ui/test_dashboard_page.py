"""The Dashboard page: this profile's figures, quota colours, cost history, and an overview that never waits on a busy profile."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

import pytest

from editfactory.costs import reserve, set_quota, settle
from editfactory.models.dashboard import DashboardModel, quota_level, read_overview
from editfactory.services import projects
from editfactory.ui.dashboard import DashboardPage


def _spend(profile, provider: str, cost: float, units: float = 100) -> None:
    settle(reserve(profile, provider, "m1", cost, units=units, description="voiceover"), cost)


@pytest.mark.parametrize(("used", "level"), [(None, "none"), (0.5, "ok"), (0.7, "ok"), (0.71, "amber"), (0.9, "amber"),
                                             (0.91, "red"), (1.2, "red")])
def test_quota_colour_turns_amber_above_70_and_red_above_90_percent(used, level):
    assert quota_level(used) == level


def test_the_page_shows_only_this_profiles_figures_and_history(workspace, make_session):
    shoes, hats = workspace.create("Shoes"), workspace.create("Hats")
    project = projects.create_project(shoes, "Launch")
    projects.create_clip(shoes, project["id"], "v1", status="rendered")
    projects.create_clip(shoes, project["id"], "v2", status="published")
    set_quota(shoes, 1.0)
    _spend(shoes, "elevenlabs", 0.80)
    _spend(hats, "elevenlabs", 0.05)
    view = DashboardPage(session=make_session(shoes.id))
    asyncio.run(view.refresh())
    figures = view.model.figures
    assert (figures.projects, figures.clips, figures.rendered, figures.published) == (1, 2, 2, 1)
    assert figures.cost_by_provider == {"elevenlabs": 0.8}
    assert list(view._history.value["cost ($)"]) == [0.8]  # Hats' entry is not here
    assert view._quota_bar.color == "warning" and view._quota_bar.value == 80
    assert dict(view._source.data)["provider"] == ["ElevenLabs"]  # the provider's own label, not its id
    assert list(view._history.value["provider"]) == ["ElevenLabs"]
    overview = {row["profile"]: row for row in view._overview.value.to_dict("records")}
    assert overview["Shoes (this tab)"]["cost this month"] == "$0.80"
    assert overview["Hats"]["cost this month"] == "$0.05"


def test_cost_history_says_in_words_what_each_job_made_and_has_no_empty_band(workspace, make_session):
    from editfactory.jobs import JobStore
    from editfactory.jobs.kinds import PRODUCTION

    shoes = workspace.create("Shoes")
    project = projects.create_project(shoes, "Spring launch")
    job = JobStore(shoes).create(PRODUCTION, {"project_id": project["id"], "variants": 3, "preset": "tiktok",
                                              "voice": {"provider": "elevenlabs", "voice": "EXAVITQu4vr4xnSDxMaL"}})
    settle(reserve(shoes, "elevenlabs", "m1", 0.07, units=231, job_id=job.id, description="Voiceover"), 0.07)
    view = DashboardPage(session=make_session(shoes.id))
    asyncio.run(view.refresh())
    [row] = view._history.value.to_dict("records")
    assert "job" not in row and job.id not in str(row)  # no raw ids
    assert "3 variants of 'Spring launch'" in row["for"] and row["what"] == "Voiceover"
    assert view._history.height is None and view._history.pagination is None  # one page: no pager
    assert view._history.visible and not view._no_history.visible


def test_a_month_without_costs_says_so_instead_of_an_empty_table(workspace, make_session):
    view = DashboardPage(session=make_session(workspace.create("Shoes").id))
    asyncio.run(view.refresh())
    assert not view._history.visible and view._no_history.visible


def test_switching_profile_refreshes_the_page_with_the_other_profiles_figures(workspace, make_session):
    shoes, hats = workspace.create("Shoes"), workspace.create("Hats")
    _spend(shoes, "elevenlabs", 0.5)
    session = make_session(shoes.id)
    model = DashboardModel(session=session)
    model.load()
    assert model.figures.cost_this_month == 0.5
    session.profile_id = hats.id
    model.load()
    assert model.figures.profile_id == hats.id and model.figures.cost_this_month == 0.0 and model.history == []


def test_overview_shows_a_profile_held_by_another_program_as_busy_without_waiting(workspace):
    free, held = workspace.create("Free"), workspace.create("Held")
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            connection = duckdb.connect({str(held.paths.database)!r})
            print("holding", flush=True)
            sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        figures = {f.profile_name: f for f in read_overview(workspace, "2026-12", wait_seconds=1.0)}
        assert figures["Free"].error is None
        assert figures["Held"].error and "busy" in figures["Held"].error
    finally:
        holder.communicate("\n", timeout=30)


def test_a_long_cost_history_is_paged_ten_a_page(workspace, make_session):
    shoes = workspace.create("Shoes")
    for _ in range(11):
        _spend(shoes, "elevenlabs", 0.01)
    view = DashboardPage(session=make_session(shoes.id))
    asyncio.run(view.refresh())
    assert len(view._history.value) == 11 and view._history.pagination == "local" and view._history.page_size == 10
