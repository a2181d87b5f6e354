"""Counts and paging for every list a page shows: clips, projects, sources, segments, jobs, costs, outbox posts.

Each ``count_…`` must agree with its ``list_…`` under the same filters, pages must cover a list exactly once,
and one profile's rows never show in another's counts.
"""

from __future__ import annotations

import json

import pytest

from editfactory.core.errors import NotFoundError, ValidationError
from editfactory.costs import cost_history, count_cost_history, release, reserve, settle
from editfactory.jobs import FAILED, QUEUED, RUNNING, SUCCEEDED, JobStore
from editfactory.services import projects
from editfactory.footage import (
    count_segments,
    count_sources,
    create_segment,
    import_source,
    list_segments,
    list_sources,
    update_segment,
)
from editfactory.core.paging import Page, check_paging
from editfactory.publish import count_publications, list_publications
from editfactory.publish import marker, outbox
from editfactory.publish.outbox import NewPublication

from jobs.media_fixtures import make_source

STATUS_CYCLE = ("draft", "rendered", "published", "failed")


@pytest.fixture
def shop(workspace):
    return workspace.create("Shop")


@pytest.fixture
def neighbour(workspace):
    return workspace.create("Neighbour")


@pytest.fixture
def stocked(shop, neighbour):
    """Shop: 3 projects with 7, 5 and 0 clips of mixed status; Neighbour: one project with 4 clips."""
    made = []
    with shop.db.session():  # one open of the file for all the rows
        for name, count in (("Sandals", 7), ("Boots", 5), ("Empty", 0)):
            project = projects.create_project(shop, name)
            for i in range(count):
                clip = projects.create_clip(shop, project["id"], f"{name} v{i + 1}", status=STATUS_CYCLE[i % 4],
                                            duration=float(i + 1), cost_usd=0.01 * i,
                                            voiceover_path="cache/tts/a.wav" if i % 2 else None)
                made.append(clip)
    with neighbour.db.session():
        theirs = projects.create_project(neighbour, "Sandals")
        for i in range(4):
            projects.create_clip(neighbour, theirs["id"], f"Sandals v{i + 1}", status="rendered")
    return made


def _page_through(fetch, total, size):
    seen = []
    for offset in range(0, total + size, size):
        seen.extend(fetch(offset, size))
    return seen


def test_clip_counts_match_their_lists_for_every_filter(shop, stocked):
    sandals = next(p for p in projects.list_projects(shop) if p["name"] == "Sandals")
    cases = [
        {}, {"project_id": sandals["id"]}, {"status": "rendered"}, {"status": ["draft", "failed"]},
        {"search": "BOOTS"}, {"search": "v1"}, {"has_voiceover": True}, {"has_voiceover": False},
        {"project_id": sandals["id"], "status": "draft", "search": "sandals"}, {"publish_state": "unpublished"},
    ]
    for filters in cases:
        listed = projects.list_clips(shop, limit=None, **filters)
        assert projects.count_clips(shop, **filters) == len(listed), filters
    assert projects.count_clips(shop) == 12
    assert projects.count_clips(shop, project_id=sandals["id"]) == 7
    assert projects.count_clips(shop, status=["draft", "failed"]) == 2 + 2 + 1 + 1
    assert projects.count_clips(shop, has_voiceover=True) == 3 + 2


def test_pages_cover_every_clip_once_in_sort_order(shop, stocked):
    total = projects.count_clips(shop)
    for sort in projects.CLIP_SORTS:
        everything = projects.list_clips(shop, sort=sort, limit=None)
        paged = _page_through(lambda offset, size: projects.list_clips(shop, sort=sort, offset=offset, limit=size),
                              total, 5)
        assert [c["id"] for c in paged] == [c["id"] for c in everything], sort
    names = [c["name"] for c in projects.list_clips(shop, sort="name", limit=None)]
    assert names == sorted(names, key=str.lower)
    durations = [c["duration"] for c in projects.list_clips(shop, sort="longest", limit=3)]
    assert durations == [7.0, 6.0, 5.0]


def test_clips_page_gives_items_total_and_a_label(shop, stocked):
    page = projects.clips_page(shop, status="rendered", sort="name", offset=2, limit=2)
    assert isinstance(page, Page) and page.total == projects.count_clips(shop, status="rendered") == 3
    assert len(page.items) == 1 and page.label == "3–3 of 3"
    assert not page.has_next and page.has_previous
    first = projects.clips_page(shop, limit=5)
    assert first.label == "1–5 of 12" and first.has_next and not first.has_previous
    assert projects.clips_page(shop, search="nothing like this").label == "None"


def test_the_publishing_state_is_listed_and_filtered(shop, stocked):
    clip_a, clip_b = stocked[0], stocked[1]
    with shop.db.transaction() as cur:
        for clip, state in ((clip_a, "scheduled"), (clip_b, "published")):
            cur.execute("INSERT INTO clip_publish_state (clip_id, state, channels, updated_at) VALUES (?, ?, ?, now())",
                        [clip["id"], state, json.dumps([])])
    assert [c["id"] for c in projects.list_clips(shop, publish_state="scheduled")] == [clip_a["id"]]
    assert projects.count_clips(shop, publish_state="published") == 1
    assert projects.count_clips(shop, publish_state="unpublished") == 10
    by_id = {c["id"]: c["publish_state"] for c in projects.list_clips(shop, limit=None)}
    assert by_id[clip_a["id"]] == "scheduled" and by_id[stocked[5]["id"]] == "unpublished"


def test_another_profiles_clips_never_count(shop, neighbour, stocked):
    assert projects.count_clips(neighbour) == 4 and projects.count_clips(shop) == 12
    assert projects.count_clips(shop, search="Sandals") == 7
    shop_project = projects.list_projects(shop)[0]
    assert projects.count_clips(neighbour, project_id=shop_project["id"]) == 0


def test_bad_paging_sorting_and_filters_are_refused_with_what_to_pass(shop, stocked):
    with pytest.raises(ValidationError, match="offset must be 0 or more"):
        projects.list_clips(shop, offset=-1)
    with pytest.raises(ValidationError, match="between 1 and"):
        projects.list_clips(shop, limit=0)
    with pytest.raises(ValidationError, match="whole numbers"):
        projects.list_clips(shop, limit="ten")
    with pytest.raises(ValidationError, match="Unknown sort 'size' for clips; use one of: newest"):
        projects.list_clips(shop, sort="size")
    with pytest.raises(ValidationError, match="Unknown clip status"):
        projects.count_clips(shop, status=["rendered", "lost"])
    with pytest.raises(ValidationError, match="Unknown publishing state"):
        projects.count_clips(shop, publish_state="viral")
    with pytest.raises(ValidationError, match="at most 200 characters"):
        projects.list_clips(shop, search="x" * 201)
    assert check_paging("5", "20") == (5, 20)


def test_project_lists_search_sort_page_and_count(shop, stocked):
    assert projects.count_projects(shop) == 3 and projects.count_projects(shop, search="oot") == 1
    assert [p["name"] for p in projects.list_projects(shop, sort="name")] == ["Boots", "Empty", "Sandals"]
    assert [p["name"] for p in projects.list_projects(shop, sort="name", offset=1, limit=1)] == ["Empty"]
    counted = {p["name"]: p["clip_count"] for p in projects.list_projects(shop, with_clip_counts=True)}
    assert counted == {"Sandals": 7, "Boots": 5, "Empty": 0}
    assert "clip_count" not in projects.list_projects(shop)[0]
    with pytest.raises(ValidationError, match="Unknown sort"):
        projects.list_projects(shop, sort="size")


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("paging-media")
    return [make_source(folder / f"{name}.mp4", seconds=seconds) for name, seconds in
            (("beach", 2.0), ("city", 3.0), ("Beach night", 2.5))]


def test_sources_and_segments_count_page_and_filter(shop, neighbour, videos):
    beach, city, night = (import_source(shop, v) for v in videos)
    import_source(neighbour, videos[0])
    project = projects.create_project(shop, "Summer")
    projects.set_project_sources(shop, project["id"], [beach.id, night.id])
    assert count_sources(shop) == 3 and count_sources(neighbour) == 1
    assert [s.filename for s in list_sources(shop, search="beach", sort="name")] == ["Beach night.mp4", "beach.mp4"]
    assert count_sources(shop, project_id=project["id"]) == 2
    assert [s.id for s in list_sources(shop, sort="longest", limit=1)] == [city.id]
    assert [s.id for s in list_sources(shop, offset=1, limit=1)] == [city.id]

    for source in (beach, city, night):
        for start in (0.0, 0.5, 1.0):
            create_segment(shop, source.id, start, start + 0.8)
    favourite = list_segments(shop, city.id)[0]
    update_segment(shop, favourite.id, favorite=True)
    assert count_segments(shop) == 9 == len(list_segments(shop))
    assert count_segments(shop, project_id=project["id"]) == 6 == len(list_segments(shop, project_id=project["id"]))
    assert count_segments(shop, favorite=True) == 1 and count_segments(shop, city.id) == 3
    paged = _page_through(lambda offset, size: list_segments(shop, offset=offset, limit=size), 9, 4)
    assert [s.id for s in paged] == [s.id for s in list_segments(shop)]
    theirs = list_sources(neighbour)[0]
    with pytest.raises(NotFoundError, match="Shop"):
        count_segments(shop, theirs.id)


def test_job_lists_page_and_count_by_status_and_kind(shop, neighbour):
    store = JobStore(shop)
    made = [store.create("export" if i % 3 == 0 else "voiceover", {"n": i}) for i in range(10)]
    store.finish(made[0].id, SUCCEEDED)
    store.finish(made[1].id, FAILED, error="No voice")
    JobStore(neighbour).create("voiceover")
    assert store.count() == 10 and JobStore(neighbour).count() == 1
    assert store.count(kind="export") == 4
    assert store.count(status=QUEUED) == 8 and store.count(status=[SUCCEEDED, FAILED]) == 2
    assert store.count(status=[QUEUED, RUNNING], kind="voiceover") == len(store.list(status=[QUEUED, RUNNING],
                                                                                     kind="voiceover"))
    paged = _page_through(lambda offset, size: store.list(offset=offset, limit=size), 10, 3)
    assert [j.id for j in paged] == [j.id for j in store.list()]
    with pytest.raises(ValidationError, match="Unknown job status 'done'"):
        store.count(status=["queued", "done"])


def test_cost_history_is_newest_first_with_the_jobs_kind_and_pages(shop, neighbour):
    job = JobStore(shop).create("voiceover")
    first = reserve(shop, "elevenlabs", "eleven_multilingual_v2", 0.03, units=100, job_id=job.id, description="Hi")
    settle(first, 0.02)
    release(reserve(shop, "elevenlabs", "eleven_flash_v2_5", 0.01, units=20, description="failed call"))
    settle(reserve(shop, "edge", "", 0.0, units=5, description="free"), 0.0)
    reserve(neighbour, "elevenlabs", "x", 0.05)
    rows = cost_history(shop, newest_first=True)
    assert [r["description"] for r in rows] == ["free", "Hi"]
    assert [r["description"] for r in cost_history(shop)] == ["Hi", "free"]
    assert rows[1]["job_kind"] == "voiceover" and rows[1]["cost_usd"] == pytest.approx(0.02)
    assert count_cost_history(shop) == 2 and count_cost_history(shop, include_released=True) == 3
    assert count_cost_history(shop, provider="edge") == 1 and count_cost_history(neighbour) == 1
    assert [r["description"] for r in cost_history(shop, include_released=True, newest_first=True,
                                                                offset=1, limit=1)] == ["failed call"]
    assert count_cost_history(shop, month=rows[0]["month"]) == 2 and count_cost_history(shop, month="2001-01") == 0
    with pytest.raises(ValidationError, match="YYYY-MM"):
        cost_history(shop, month="December")


def test_outbox_posts_page_and_count_by_clip_and_status(shop, neighbour, stocked):
    clips = stocked[:3]
    items = [NewPublication(clip["id"], f"ch-{n}", "x", "now", f"post {i}", {}, None, None, marker.new_key())
             for i, clip in enumerate(clips) for n in range(2)]
    recorded = outbox.record(shop, items)
    outbox.update(shop, recorded[0].id, status=outbox.POSTED)
    outbox.update(shop, recorded[1].id, status=outbox.FAILED, last_error="Too long")
    assert count_publications(shop) == 6 and count_publications(neighbour) == 0
    assert count_publications(shop, clips[0]["id"]) == 2
    assert count_publications(shop, status=list(outbox.OPEN_STATUSES)) == 4
    assert [p.id for p in list_publications(shop, status="failed")] == [recorded[1].id]
    newest = list_publications(shop, newest_first=True)
    assert [p.created_at for p in newest] == sorted((p.created_at for p in newest), reverse=True)
    assert {p.id for p in newest} == {p.id for p in recorded}
    paged = _page_through(lambda offset, size: list_publications(shop, newest_first=True, offset=offset, limit=size),
                          6, 4)
    assert [p.id for p in paged] == [p.id for p in newest]
    with pytest.raises(ValidationError, match="Unknown post status"):
        count_publications(shop, status="sent")
