"""The production job with the project's music: a mood picks a track (the same on a retry), the clip meets the
loudness target with the music in it, cuts land on the beat, and the music is part of the render key."""

from __future__ import annotations

import numpy as np
import pytest
from music_tracks import kick_times, make_track

from editfactory import projects
from editfactory.jobs import SUCCEEDED
from editfactory.library import import_source
from editfactory.library.music import import_track, set_project_music
from editfactory.pipeline import ProductionRequest, start_production

from jobs.media_fixtures import make_source

from .conftest import SCRIPT, SMALL
from .test_production import finished_loudness

BPM, FIRST_BEAT = 120.0, 0.25


@pytest.fixture(scope="module")
def groove(tmp_path_factory):
    return make_track(tmp_path_factory.mktemp("music") / "groove.mp3", bpm=BPM, first_beat=FIRST_BEAT, seconds=12)


@pytest.fixture(scope="module")
def short_sources(tmp_path_factory):
    """1.3 s sources: the voiceover needs several pieces, so the clip has cuts."""
    folder = tmp_path_factory.mktemp("short")
    return [make_source(folder / f"s{i}.mp4", seconds=1.3, size=size)
            for i, size in enumerate(["320x240", "352x288", "400x300"])]


def run(runner, profile, request):
    job = runner.wait(profile, start_production(runner, profile, request), timeout=240)
    assert job.status == SUCCEEDED, job.error
    return job


def test_the_projects_music_is_in_the_clip_on_the_beat(store, runner, groove, short_sources):
    profile, project = store
    projects.set_project_sources(profile, project["id"], [import_source(profile, p).id for p in short_sources])
    track = import_track(profile, groove, moods=["upbeat"])
    set_project_music(profile, project["id"], {"mood": "upbeat", "options": {"start": 0.5}})
    request = ProductionRequest(project["id"], SCRIPT, variants=1, preset=SMALL, mode="random", seed=3)
    job = run(runner, profile, request)
    assert job.inputs["music"]["mood"] == "upbeat"  # the choice is stored with the job: a retry plays the same
    assert job.outputs["music"]["track_id"] == track.id and job.outputs["music"]["cut_on_beat"] is True
    clip = projects.list_clips(profile, project["id"])[0]
    assert clip["music"]["track_id"] == track.id  # the clip says what music it was made with…
    from editfactory.clip_catalog import browse_clips

    assert browse_clips(profile).rows[0]["music"] == "groove"  # …and the Library shows it
    integrated, true_peak = finished_loudness(profile.paths.absolute(clip["path"]))
    assert integrated == pytest.approx(-14.0, abs=0.5) and true_peak <= -1.0
    # Every cut between the variant's pieces is on a kick of the track (in clip time: the music starts 0.5 s in).
    pieces = job.outputs["footage"][0]
    cuts = np.cumsum([p["end"] - p["start"] for p in pieces])[:-1]
    assert len(cuts) >= 1, pieces
    kicks = [t - 0.5 for t in kick_times(BPM, FIRST_BEAT, 12) if t >= 0.5]
    for cut in cuts:
        assert min(abs(cut - k) for k in kicks) <= 1 / SMALL["fps"] + 1e-6, (cut, cuts)

    # The same request again reuses the clip; other music (here: none) is another render.
    again = run(runner, profile, request)
    assert again.outputs["reused_renders"] == 1
    quiet = run(runner, profile, ProductionRequest(project["id"], SCRIPT, variants=1, preset=SMALL, mode="random",
                                                   seed=3, music={}))
    assert quiet.outputs["music"] is None and quiet.outputs["rendered"] == 1


def test_an_unknown_track_is_refused_before_the_job_starts(store, runner):
    profile, project = store
    from editfactory.errors import NotFoundError

    with pytest.raises(NotFoundError):
        start_production(runner, profile, ProductionRequest(project["id"], SCRIPT, preset=SMALL,
                                                            music={"track_id": "trk_missing"}))
